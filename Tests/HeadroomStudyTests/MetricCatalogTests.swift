import Foundation
import HeadroomModel
import Testing
@testable import HeadroomOutput
@testable import HeadroomStudy

/// The metric catalog is the one list of report figures: the documentation, the report, `--slo`
/// and the sweep columns all agree with it.
@Suite("The metric catalog")
struct MetricCatalogTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A bundled model with a short run: 2 replications of 20 s, 2 s warm-up.
    static func shortRun(_ path: String) throws -> Model {
        try ModelLoader.load(path: root.appendingPathComponent(path).path,
                             overrides: ["simulation.horizon": "20s", "simulation.warmup": "2s", "simulation.replications": "2"]).model
    }

    /// docs/output-schema.md's table of sections: section -> the figures of its last column
    /// (attributes in parentheses, `merged` and the `with a \`server\`:` conditions left out).
    static func documented() throws -> [String: Set<String>] {
        let text = try String(contentsOf: root.appendingPathComponent("docs/output-schema.md"), encoding: .utf8)
        let start = try #require(text.range(of: "| section | items | figures (attributes) |"))
        let rest = text[start.upperBound...]
        let end = rest.range(of: "\n\n")?.lowerBound ?? rest.endIndex
        var out: [String: Set<String>] = [:]
        for line in rest[..<end].split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let section = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            var figures = cells[2]
            if let merged = figures.range(of: "; `merged`") { figures = String(figures[..<merged.lowerBound]) }
            figures = figures.replacingOccurrences(of: #"\([^)]*\)"#, with: "", options: .regularExpression)
            figures = figures.replacingOccurrences(of: #"with (a )?`[^`]*`:"#, with: "", options: .regularExpression)
            func names(_ s: String) -> Set<String> {
                Set(s.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) })
            }
            if figures.hasPrefix("as `"), let without = figures.range(of: "without") {
                let base = String(names(String(figures[..<without.lowerBound])).first ?? "")
                out[section] = (out[base] ?? []).subtracting(names(String(figures[without.upperBound...])))
            } else {
                out[section] = names(figures)
            }
        }
        return out
    }

    @Test("docs/output-schema.md lists exactly the catalog's figures, section by section")
    func documentationMatchesTheCatalog() throws {
        let doc = try Self.documented()
        #expect(Set(doc.keys) == Set(ReportSectionName.allCases.map(\.rawValue)))
        for section in ReportSectionName.allCases {
            let catalog = Set(MetricCatalog.specs(section).map(\.key))
            #expect(doc[section.rawValue] == catalog,
                    "\(section.rawValue): docs \(doc[section.rawValue]?.sorted() ?? []) vs catalog \(catalog.sorted())")
        }
    }

    @Test("a report holds only catalogued figures, in catalog order", arguments: [
        "models/examples/cache-server.yaml", "models/examples/two-tier.yaml", "models/examples/mmc.yaml",
        "models/examples/job-queue.yaml",
    ])
    func reportFiguresAreCatalogued(model path: String) throws {
        let model = try Self.shortRun(path)
        let report = ReplicationStudy(model: model).run()
        var seen = 0
        for section in report.sections {
            let order = MetricCatalog.specs(section: section.name).map(\.key)
            for item in section.items {
                let keys = item.figures.map(\.metric)
                #expect(keys.allSatisfy(order.contains), "\(section.name).\(item.name): \(keys.filter { !order.contains($0) })")
                #expect(keys == order.filter(keys.contains), "\(section.name).\(item.name) out of catalog order: \(keys)")
                seen += keys.count
            }
        }
        #expect(seen > 10)
    }

    @Test("--slo accepts every figure the report of a model emits, by its key")
    func everyEmittedFigureIsAnSLO() throws {
        let model = try Self.shortRun("models/examples/cache-server.yaml")
        let report = ReplicationStudy(model: model).run()
        var parsed = 0
        for section in report.sections where !["overall", "network", "faults", "database", "instances"].contains(section.name) {
            let singular = try #require(ReportSectionName(rawValue: section.name)?.singular)
            for item in section.items {
                for figure in item.figures {
                    let threshold = MetricUnit(metric: figure.metric) == .fraction ? "50%" : (MetricUnit(metric: figure.metric) == .seconds ? "1s" : "1")
                    let slo = try PlanSLO.parse("\(singular).\(item.name).\(figure.metric)<\(threshold)", model: model)
                    #expect(slo.section == section.name && slo.item == item.name && slo.metric == figure.metric)
                    parsed += 1
                }
            }
        }
        // The cache server's figures are among them (refused before the catalog).
        #expect(report["caches", "redis"]?["server_utilization"] != nil)
        #expect(parsed >= 8)
    }

    @Test("a job queue's short names: emails.p95, emails.mean, emails.latency")
    func jobQueueShortNames() throws {
        let model = try ModelLoader.load(path: Self.root.appendingPathComponent("models/examples/job-queue.yaml").path).model
        let queue = try #require(model.jobQueues.first?.name)
        #expect(try PlanSLO.parse("\(queue).p95<1s", model: model).metric == Metric.p95LatencySeconds.key)
        #expect(try PlanSLO.parse("\(queue).mean<1s", model: model).metric == Metric.meanLatencySeconds.key)
        #expect(try PlanSLO.parse("\(queue).latency<1s", model: model).metric == Metric.meanLatencySeconds.key)
        // A negative control: a figure no job queue has is still refused.
        #expect(throws: SweepError.self) { try PlanSLO.parse("\(queue).hit_rate>50%", model: model) }
    }

    @Test("every resource utilization names the analytic resource kind it measures, once")
    func resourceKindsAreUnique() {
        let kinds = MetricCatalog.resourceUtilizations.compactMap(\.resourceKind)
        #expect(Set(kinds).count == kinds.count)
        #expect(Set(kinds) == ["workers", "threads", "pool", "pooler", "database", "cache_server", "job_workers", "upstream", "station",
                               "pooler_thread", "host"])
    }
}
