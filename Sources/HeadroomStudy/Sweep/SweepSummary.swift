import Foundation
import HeadroomKernel
import HeadroomModel
import HeadroomOutput

/// What `headroom sweep` prints when it finishes: one line per cell with its axis values and main
/// figures, and with `--slo` which cells pass (every SLO at the unfavourable bound of its
/// confidence interval, as `plan` and `run --slo` judge) and the best of them: the cheapest by
/// `--cost` (default, as `plan`: the sum of the numeric axes' values), ties to the lower p95, then
/// the lower cell index. Read back from the sweep's files, so a resumed or merged sweep prints
/// the same table as one run at once.
public struct SweepSummary: Sendable {
    public struct Row: Sendable {
        public var cell: Int
        public var values: [String]
        /// The shown figures' estimates, in `SweepSummary.figures` order (nil: no value).
        public var figures: [Estimate?]
        /// The most utilized resource and its utilization.
        public var busiest: (name: String, utilization: Double)?
        /// Per SLO, in order given (empty without `--slo`).
        public var checks: [PlanSLOCheck]
        public var cost: Double?
        public var passes: Bool { !checks.isEmpty && checks.allSatisfy(\.holds) }
    }

    public var axes: [String]
    /// `overall.all.throughput_per_second`...: the columns shown after the axes.
    public var figures: [String]
    public var rows: [Row]
    public var slos: [PlanSLO]
    public var costText: String?
    /// The fewest replications of any cell (below 5 the table carries a caution).
    public var fewestReplications: Int = .max
    /// The confidence level of the cells' intervals (the model's), for the table's wording.
    public var confidenceLevel: Double = 0.95
    /// Index into `rows` of the best passing cell.
    public var best: Int?

    /// The figures a planner looks at first: throughput, p50/p95/p99 and the share of requests
    /// that failed (timed out or errored), of every endpoint together.
    static func mainFigures(_ table: SweepTable) -> [String] {
        let prefix = table.column("overall.all.p95_seconds") != nil ? "overall.all" : "network.network"
        return [Metric.throughputPerSecond, .p50Seconds, .p95Seconds, .p99Seconds, .timeoutRate, .errorRate].map(\.key)
            .map { "\(prefix).\($0)" }.filter { table.column($0) != nil }
    }

    /// Reads `directory` (its manifest, `cells.csv` and, for SLOs, `cells.jsonl`).
    public static func read(directory: String, slos: [PlanSLO] = [], cost: String? = nil) throws(SweepError) -> SweepSummary {
        let table = try SweepTable.read(directory: directory)
        let axes = table.manifest.axes
        let figures = mainFigures(table)
        let utilization = MetricCatalog.resourceUtilizations.filter(\.sweepColumn)
            .flatMap { table.figures(sections: [$0.section.rawValue], metric: $0.key) }
        let checks = slos.isEmpty ? [:] : try sloChecks(directory: directory, slos: slos)

        // The cost of a cell: the expression over the axes' numeric values.
        let expression: CostExpression?
        if let cost {
            expression = try costExpression(cost, axes: axes.map(\.key))
        } else {
            let numeric = axes.filter { $0.values.allSatisfy { SweepAxis.numericValue($0) != nil } }.map(\.key)
            expression = numeric.isEmpty ? nil : try CostExpression(numeric.joined(separator: " + "))
        }

        var rows: [Row] = []
        for cell in table.rows.keys.sorted() {
            let row = table.rows[cell]!
            let values = axes.indices.map { a in
                let digits = SweepSummary.digits(cell, axes: axes)
                return axes[a].values[digits[a]]
            }
            let estimates = figures.map { f in
                table.estimate(row, f).map { e in
                    Estimate(mean: e.mean, halfWidth: e.high.map { $0 - e.mean } ?? 0, samples: Int(row[table.column("replications") ?? 0]) ?? 1)
                }
            }
            var busiest: (String, Double)? = nil
            for f in utilization {
                if let u = table.estimate(row, f)?.mean, u > (busiest?.1 ?? -1) { busiest = (resourceName(f), u) }
            }
            var costValue: Double? = nil
            if let expression {
                let byKey = Dictionary(uniqueKeysWithValues: zip(axes.map(\.key), values))
                costValue = try expression.evaluate { byKey[$0].flatMap(SweepAxis.numericValue) }
            }
            rows.append(Row(cell: cell, values: values, figures: estimates, busiest: busiest,
                            checks: checks[cell] ?? (slos.isEmpty ? [] : slos.map { _ in PlanSLOCheck(estimate: nil, bound: nil, holds: false) }),
                            cost: costValue))
        }
        var summary = SweepSummary(axes: axes.map(\.key), figures: figures, rows: rows, slos: slos,
                                   costText: expression?.text, best: nil)
        summary.confidenceLevel = SweepTable.confidenceLevel(directory: directory)
        if let c = table.column("replications") {
            summary.fewestReplications = table.rows.values.compactMap { Int($0[c]) }.min() ?? .max
        }
        if !slos.isEmpty {
            summary.best = rows.indices.filter { rows[$0].passes }.min { summary.rankKey($0) < summary.rankKey($1) }
        }
        return summary
    }

    /// `--cost` of a sweep: an expression over its axes only (checked before the sweep runs).
    public static func costExpression(_ text: String, axes: [String]) throws(SweepError) -> CostExpression {
        let expression = try CostExpression(text)
        for k in expression.keys where !axes.contains(k) {
            throw SweepError("--cost `\(text)`: `\(k)` is not an axis of this sweep (\(axes.joined(separator: ", "))); a sweep's cost reads its axes only")
        }
        return expression
    }

    /// Axis value indices of `cell` (row-major, the last axis fastest: `SweepGrid.digits`).
    static func digits(_ cell: Int, axes: [SweepManifest.Axis]) -> [Int] {
        var rest = cell
        var out = [Int](repeating: 0, count: axes.count)
        for a in axes.indices.reversed() {
            let n = max(1, axes[a].values.count)
            out[a] = rest % n
            rest /= n
        }
        return out
    }

    /// Each cell's SLO checks, from its full report in `cells.jsonl` (any figure of the report,
    /// not only the CSV's): `{"figures": {"p95_seconds": {"mean", "ci_low", "ci_high", "samples"}}}`
    /// under the section's item of that name.
    static func sloChecks(directory: String, slos: [PlanSLO]) throws(SweepError) -> [Int: [PlanSLOCheck]] {
        var out: [Int: [PlanSLOCheck]] = [:]
        for line in try SweepFileIO.completeLines(SweepFiles.jsonl(directory)) {
            guard let cell = SweepRows.cellIndex(jsonl: line),
                  let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let report = object["report"] as? [String: Any] else { continue }
            out[cell] = slos.map { slo in
                let items = report[slo.section] as? [[String: Any]] ?? []
                let figure = (items.first { $0["name"] as? String == slo.item }?["figures"] as? [String: Any])?[slo.metric] as? [String: Any]
                guard let mean = (figure?["mean"] as? NSNumber)?.doubleValue, mean.isFinite else {
                    return PlanSLOCheck(estimate: nil, bound: nil, holds: false)
                }
                let low = (figure?["ci_low"] as? NSNumber)?.doubleValue ?? mean
                let high = (figure?["ci_high"] as? NSNumber)?.doubleValue ?? mean
                let samples = (figure?["samples"] as? NSNumber)?.intValue ?? 1
                let e = Estimate(mean: mean, halfWidth: max(high - mean, mean - low), samples: samples)
                let bound = slo.comparison.isUpperLimit ? high : low
                return PlanSLOCheck(estimate: e, bound: bound, holds: bound.isFinite && slo.comparison.holds(bound, slo.threshold))
            }
        }
        return out
    }

    /// `pools.prisma.utilization` -> `pool prisma`.
    package static func resourceName(_ figure: String) -> String {
        let parts = figure.split(separator: ".").map(String.init)
        guard parts.count >= 3 else { return figure }
        let item = parts[1..<(parts.count - 1)].joined(separator: ".")
        switch parts[0] {
        case "instances": return "instance workers"
        case "pools": return "pool \(item)"
        case "poolers": return "pooler \(item)"
        case "database_nodes": return "database \(item)"
        case "job_queues": return "job workers \(item)"
        case "stations": return "station \(item)"
        default: return "\(parts[0]) \(item)"
        }
    }

    // MARK: Table

    /// The aligned table: at most `maxRows` cells (with `--slo`, the passing ones first, cheapest
    /// first; the rest are in cells.csv), then with `--slo` how many pass and the best.
    public func table(maxRows: Int = 40) -> String {
        var header = ["cell"] + axes
        for f in figures { header.append(Self.shortName(f)) }
        header.append("busiest resource")
        if !slos.isEmpty { header.append("SLOs") }
        var shown = Array(rows.indices)
        if !slos.isEmpty && rows.count > maxRows {
            // The passing cells first, best first, then the others in grid order.
            let passing = shown.filter { rows[$0].passes }.sorted { rankKey($0) < rankKey($1) }
            shown = passing + shown.filter { !rows[$0].passes }
        }
        let omitted = max(0, shown.count - maxRows)
        shown = Array(shown.prefix(maxRows))
        var lines: [[String]] = [header]
        for i in shown {
            let r = rows[i]
            var line = [String(r.cell)] + r.values
            for (f, e) in zip(figures, r.figures) {
                guard let e else { line.append("-"); continue }
                let metric = String(f.split(separator: ".").last ?? "")
                line.append(ValueText.value(e.mean, metric: metric))
            }
            line.append(r.busiest.map { "\($0.name) \(ValueText.value($0.utilization, metric: Metric.utilization.key))" } ?? "")
            if !slos.isEmpty {
                let failing = zip(slos, r.checks).filter { !$1.holds }.map { $0.0.text }
                var verdict = r.passes ? "pass" : "fail: " + failing.joined(separator: ", ")
                if best == i { verdict = "pass  <- best" }
                line.append(verdict)
            }
            lines.append(line)
        }
        var text = alignedRows(lines, right: Set(axes.count + 1 ..< axes.count + 1 + figures.count), indent: "").joined(separator: "\n") + "\n"
        if omitted > 0 { text += "(\(omitted) more cell\(omitted == 1 ? "" : "s") in cells.csv)\n" }
        text += "means over replications (their confidence intervals are in cells.csv); timeouts and errors: shares of all requests\n"
        if let caution = StudySettings.intervalCaution(replications: fewestReplications, confidenceLevel: confidenceLevel) {
            text += "caution: \(caution)\n"
        }
        if !slos.isEmpty {
            let passing = rows.filter(\.passes).count
            text += "\(passing) of \(rows.count) cells meet every SLO (\(slos.map(\.text).joined(separator: ", ")), each at the unfavourable bound of its \(SweepTable.percentText(confidenceLevel)) confidence interval)\n"
            if let best {
                let r = rows[best]
                let values = zip(axes, r.values).map { "\($0)=\($1)" }.joined(separator: " ")
                var line = "best: cell \(r.cell), \(values)"
                if let costText, let c = r.cost { line += " (cost \(costText) = \(Units.formatNumber(c)))" }
                text += line + "\n"
            } else {
                text += "no cell meets every SLO\n"
            }
            let survivors = survivorCells()
            if !survivors.isEmpty {
                text += "warning: \(survivors.count) passing cell\(survivors.count == 1 ? "" : "s") (\(survivors.map { String(rows[$0].cell) }.joined(separator: ", "))) fail more than 1% of requests: latency SLOs count successful responses only; add --slo 'timeouts<1%' --slo 'errors<1%' to require requests to succeed\n"
            }
        }
        return text
    }

    /// Passing cells that fail more than 1 % of their requests while no SLO limits timeouts or
    /// errors: their latency SLOs hold on the requests that got through (as `plan` warns).
    func survivorCells() -> [Int] {
        let failureKeys = PlanSLO.failureMetrics
        guard slos.contains(where: { $0.metric.hasSuffix("_seconds") }), !slos.contains(where: { failureKeys.contains($0.metric) }) else { return [] }
        let columns = figures.indices.filter { i in failureKeys.contains { figures[i].hasSuffix("." + $0) } }
        return rows.indices.filter { i in
            rows[i].passes && columns.compactMap { rows[i].figures[$0]?.mean }.reduce(0, +) > 0.01
        }
    }

    func rankKey(_ i: Int) -> (Double, Double, Int) {
        let p95 = figures.firstIndex { $0.hasSuffix("." + Metric.p95Seconds.key) }
        return (rows[i].cost ?? 0, p95.flatMap { rows[i].figures[$0]?.mean } ?? .infinity, rows[i].cell)
    }

    /// `overall.all.p95_seconds` -> `p95`, `timeout_rate` -> `timeouts`.
    static func shortName(_ figure: String) -> String {
        switch figure.split(separator: ".").last.map(String.init) ?? figure {
        case Metric.throughputPerSecond.key: return "throughput"
        case Metric.timeoutRate.key: return "timeouts"
        case Metric.errorRate.key: return "errors"
        case Metric.rejectedRate.key: return "refused"
        case let m: return ValueText.label(m)
        }
    }
}
