import Foundation
import HeadroomModel
import HeadroomOutput

/// The cells of a sweep directory as numbers: `cells.csv` read by its header, so the report
/// draws whatever columns the sweep wrote (docs/sweeps.md).
package struct SweepTable {
    package var manifest: SweepManifest
    package var columns: [String]
    /// Cell index -> its row (strings as written).
    package var rows: [Int: [String]]

    /// The confidence level of the cells' intervals (the model's `simulation.confidence_level`,
    /// which every cell shares), from the first cell's report in `cells.jsonl`: the table and the
    /// page say "99% confidence interval" when the model asked for 99%. 0.95 when no cell is written.
    package static func confidenceLevel(directory: String) -> Double {
        guard let handle = FileHandle(forReadingAtPath: SweepFiles.jsonl(directory)) else { return 0.95 }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 1 << 22)) ?? Data()
        guard let end = head.firstIndex(of: 0x0A),
              let object = try? JSONSerialization.jsonObject(with: head[head.startIndex..<end]) as? [String: Any],
              let settings = (object["report"] as? [String: Any])?["settings"] as? [String: Any],
              let level = (settings["confidence_level"] as? NSNumber)?.doubleValue, level > 0, level < 1 else { return 0.95 }
        return level
    }

    /// `0.95` -> `95%`, `0.995` -> `99.5%`.
    package static func percentText(_ level: Double) -> String {
        String(format: "%g%%", (level * 1000).rounded() / 10)
    }

    package static func read(directory: String) throws(SweepError) -> SweepTable {
        guard let manifest = try SweepManifest.read(directory: directory) else {
            throw SweepError("`\(directory)` is not a sweep directory (no sweep.json): give the --output-dir of `headroom sweep`", kind: .usage)
        }
        let lines = try SweepFileIO.completeLines(SweepFiles.csv(directory))
        guard let header = lines.first else {
            throw SweepError("`\(SweepFiles.csv(directory))` has no rows yet: run or --resume the sweep first", kind: .usage)
        }
        let columns = SweepTable.fields(header)
        var rows: [Int: [String]] = [:]
        for (n, line) in lines.dropFirst().enumerated() {
            let f = SweepTable.fields(line)
            guard f.count == columns.count, let cell = Int(f[0]) else {
                throw SweepError("`\(SweepFiles.csv(directory))` line \(n + 2): expected \(columns.count) fields starting with a cell number", kind: .usage)
            }
            if rows[cell] == nil { rows[cell] = f }
        }
        return SweepTable(manifest: manifest, columns: columns, rows: rows)
    }

    /// The fields of one CSV line (RFC 4180 quoting, as `csvField` writes it).
    package static func fields(_ line: Substring) -> [String] {
        var out: [String] = []
        var field = ""
        var quoted = false
        var i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            if quoted {
                if c == "\"" {
                    let next = line.index(after: i)
                    if next < line.endIndex && line[next] == "\"" { field.append("\""); i = next } else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                out.append(field); field = ""
            } else {
                field.append(c)
            }
            i = line.index(after: i)
        }
        out.append(field)
        return out
    }

    package func column(_ name: String) -> Int? { columns.firstIndex(of: name) }

    /// The value (mean, ci_low, ci_high) of figure `name` in a row; nil if empty.
    package func estimate(_ row: [String], _ name: String) -> (mean: Double, low: Double?, high: Double?)? {
        guard let c = column(name), let mean = Double(row[c]), mean.isFinite else { return nil }
        let low = column(name + ".ci_low").flatMap { Double(row[$0]) }
        let high = column(name + ".ci_high").flatMap { Double(row[$0]) }
        return (mean, low, high)
    }

    /// Figure columns `section.item.metric` whose metric is `metric` and section one of `sections`, in column order.
    package func figures(sections: [String], metric: String) -> [String] {
        columns.filter { c in
            let parts = c.split(separator: ".")
            return parts.count >= 3 && sections.contains(String(parts[0])) && c.hasSuffix("." + metric)
                && !c.hasSuffix(".ci_low") && !c.hasSuffix(".ci_high")
        }
    }
}

