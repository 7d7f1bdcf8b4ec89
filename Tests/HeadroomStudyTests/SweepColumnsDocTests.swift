import Foundation
import Testing
@testable import HeadroomAnalysis
@testable import HeadroomCharts
@testable import HeadroomOutput
@testable import HeadroomStudy

/// docs/sweeps.md lists exactly the figures `cells.csv` has.
@Suite("docs/sweeps.md and the cells.csv columns")
struct SweepColumnsDocTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The table under "### `cells.csv` columns": section -> metrics (the backquoted names of the last column).
    static func documented() throws -> [String: Set<String>] {
        let text = try String(contentsOf: root.appendingPathComponent("docs/sweeps.md"), encoding: .utf8)
        let start = try #require(text.range(of: "### `cells.csv` columns"))
        let rest = text[start.upperBound...]
        let end = rest.range(of: "\n#")?.lowerBound ?? rest.endIndex
        var out: [String: Set<String>] = [:]
        var previous: Set<String> = []
        for line in rest[..<end].split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 3 else { continue }
            let section = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let metrics = cells[2].split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
            // "the same, every endpoint together": the row above's metrics.
            out[section] = metrics.isEmpty && cells[2].hasPrefix("the same") ? previous : Set(metrics)
            previous = out[section]!
        }
        return out
    }

    @Test("the table names every section and exactly its metrics")
    func tableMatchesTheColumns() throws {
        let doc = try Self.documented()
        #expect(Set(doc.keys) == Set(SweepColumns.metrics.keys))
        for (section, metrics) in SweepColumns.metrics {
            #expect(doc[section] == Set(metrics), "\(section): docs \(doc[section]?.sorted() ?? []) vs cells.csv \(metrics.sorted())")
        }
    }

    @Test("a real sweep's header has only documented figures", arguments: ["models/examples/two-tier.yaml", "models/examples/mmc.yaml"])
    func headerIsDocumented(model: String) throws {
        let doc = try Self.documented()
        let sweep = Sweep(modelPath: Self.root.appendingPathComponent(model).path,
                          grid: try SweepGrid(axes: [SweepAxis.parse("seed=1,2")]), outputDirectory: "")
        let columns = try sweep.prepare().manifest.columns
        #expect(columns.prefix(3) == ["cell", "seed", "replications"])
        for column in columns.dropFirst(3) {
            var parts = column.split(separator: ".").map(String.init)
            if ["ci_low", "ci_high"].contains(parts.last) { parts.removeLast() }
            let section = parts[0], metric = parts.last!
            #expect(doc[section]?.contains(metric) == true, "column \(column) is not in docs/sweeps.md")
        }
    }
}
