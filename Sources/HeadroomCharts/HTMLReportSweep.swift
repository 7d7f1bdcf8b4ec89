import Foundation
import HeadroomModel
import HeadroomOutput
import HeadroomStudy
import HeadroomAnalysis

/// How a sweep axis is drawn: as numbers (with a unit) when every value is one, else as categories.
struct SweepAxisScale {
    var key: String
    var values: [String]
    var numbers: [Double]?
    var unit: ChartUnit

    init(_ axis: SweepManifest.Axis) {
        key = axis.key
        values = axis.values
        let parsed = axis.values.map(SweepAxis.numericValue)
        numbers = parsed.allSatisfy { $0 != nil } ? parsed.map { $0! } : nil
        let first = axis.values.first ?? ""
        if let n = SweepAxis.numberWithUnit(first), n.unit.isEmpty {
            unit = .count("")
        } else if (try? Units.duration(first)) != nil {
            unit = .seconds
        } else if (try? Units.rate(first)) != nil {
            unit = .perSecond("req")
        } else if first.hasSuffix("%") {
            unit = .fraction
        } else {
            unit = .count("")
        }
    }

    func x(_ digit: Int) -> Double { numbers?[digit] ?? Double(digit) }
}

extension HTMLReport {
    /// The page of a sweep directory (`headroom sweep --html`, `headroom report DIR`).
    public static func sweep(directory: String) throws(SweepError) -> String {
        try sweepPage(directory: directory).rendered
    }

    static func sweepPage(directory: String) throws(SweepError) -> HTMLPage {
        let table = try SweepTable.read(directory: directory)
        let m = table.manifest
        let level = SweepTable.confidenceLevel(directory: directory)
        let axes = m.axes.map(SweepAxisScale.init)
        let grid = try SweepGrid(axes: m.axes.map { SweepAxis(key: $0.key, values: $0.values) })
        var settings: [String] = []
        if let r = m.settings.replications { settings.append("\(r) replication\(r == 1 ? "" : "s")") }
        if let h = m.settings.horizonSeconds { settings.append("horizon \(formatDuration(h))") }
        if let w = m.settings.warmup { settings.append("warm-up \(Double(w).map(formatDuration) ?? w)") }
        if let s = m.settings.seed { settings.append("seed \(s)") }
        var page = HTMLPage(title: "\(m.model.name): sweep", facts: [
            "model: \(m.model.path)",
            "grid: " + m.axes.map { "\($0.key) = \($0.values.joined(separator: ", "))" }.joined(separator: "; ")
                + " (\(m.cells) cells, \(table.rows.count) in \(directory))",
            settings.isEmpty ? "the model's simulation settings; common random numbers across cells" : settings.joined(separator: ", ") + "; common random numbers across cells",
            "whiskers: \(SweepTable.percentText(level)) confidence intervals over replications (cells.csv's ci_low and ci_high)",
        ] + (m.fixed.isEmpty ? [] : ["fixed: " + m.fixed.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")]))
        let replicationsColumn = table.column("replications")
        if let r = table.rows.values.compactMap({ row in replicationsColumn.flatMap { Int(row[$0]) } }).min(),
           let caution = StudySettings.intervalCaution(replications: r, confidenceLevel: level) {
            page.add(.list(title: "Caution", items: [caution]))
        }
        guard !axes.isEmpty, !table.rows.isEmpty else {
            page.add(.paragraph("No cells yet."))
            return page
        }

        // The x axis: the first numeric axis that varies (the load, a pool size); series: values of
        // the other varying axes. An axis with one value is fixed (its value is in the grid fact
        // above), whatever its place: `--vary users=300 --vary instances=1...4` draws against instances.
        let varying = axes.indices.filter { axes[$0].values.count > 1 }
        let xAxis = varying.first { axes[$0].numbers != nil } ?? varying.first ?? 0
        let others = varying.filter { $0 != xAxis }
        var combos: [[Int]] = [[]]
        for a in others { combos = combos.flatMap { c in axes[a].values.indices.map { c + [$0] } } }
        let shownCombos = Array(combos.prefix(6))
        func comboName(_ combo: [Int]) -> String {
            zip(others, combo).map { "\(axes[$0].key)=\(axes[$0].values[$1])" }.joined(separator: ", ")
        }
        /// Cells along the x axis for one combination of the other axes.
        func cells(_ combo: [Int]) -> [(x: Double, row: [String])] {
            axes[xAxis].values.indices.compactMap { d in
                var digits = Array(repeating: 0, count: axes.count)
                digits[xAxis] = d
                for (a, v) in zip(others, combo) { digits[a] = v }
                let index = digits.enumerated().reduce(0) { acc, e in acc * axes[e.offset].values.count + e.element }
                return table.rows[index].map { (axes[xAxis].x(d), $0) }
            }
        }
        let xChart = ChartAxis(axes[xAxis].key, unit: axes[xAxis].unit)
        let xCategories = axes[xAxis].numbers == nil ? axes[xAxis].values : nil
        func points(_ combo: [Int], _ figure: String) -> [ChartPoint] {
            cells(combo).compactMap { c in
                table.estimate(c.row, figure).map { ChartPoint(x: c.x, y: $0.mean, low: $0.low, high: $0.high) }
            }
        }
        let sliceNote = combos.count > shownCombos.count ? " The first \(shownCombos.count) of \(combos.count) combinations of the other axes are drawn." : ""

        // Latency and throughput against the x axis.
        let overall = table.column("overall.all.p95_seconds") != nil ? "overall.all" : table.column("network.network.p95_seconds") != nil ? "network.network" : nil
        if let overall {
            page.add(.heading("Latency and throughput against \(axes[xAxis].key)"))
            var series: [ChartSeries] = []
            if others.isEmpty {
                for (k, p) in ["p50", "p95", "p99"].enumerated() where table.column("\(overall).\(p)_seconds") != nil {
                    series.append(ChartSeries(name: p, points: points([], "\(overall).\(p)_seconds"), color: ChartPalette.color(k)))
                }
            } else {
                for (k, combo) in shownCombos.enumerated() {
                    series.append(ChartSeries(name: "p95, " + comboName(combo), points: points(combo, "\(overall).p95_seconds"), color: ChartPalette.color(k)))
                }
            }
            var chart = XYChart(kind: "sweep-curve", title: "Response time against \(axes[xAxis].key)", x: xChart, y: ChartAxis("response time", unit: .seconds), series: series)
            chart.xCategories = xCategories
            page.add(chart, id: "sweep-latency", caption: "Percentiles of successful responses (each replication's percentile, averaged) in each cell.\(sliceNote)")
            let throughputSeries = (others.isEmpty ? [[]] : shownCombos).enumerated().map { k, combo in
                ChartSeries(name: others.isEmpty ? "throughput" : comboName(combo), points: points(combo, "\(overall).throughput_per_second"), color: ChartPalette.color(k))
            }
            var t = XYChart(kind: "sweep-curve", title: "Throughput against \(axes[xAxis].key)", x: xChart, y: ChartAxis("successful responses", unit: .perSecond("req")), series: throughputSeries)
            t.xCategories = xCategories
            page.add(t, id: "sweep-throughput", caption: "Successful responses per second in each cell.\(sliceNote)")
        }

        // Utilization and pool waits per resource, in the first combination of the other axes.
        let first = shownCombos[0]
        let firstNote = others.isEmpty ? "" : " Other axes at \(comboName(first))."
        let utilization = MetricCatalog.resourceUtilizations.filter(\.sweepColumn)
            .flatMap { table.figures(sections: [$0.section.rawValue], metric: $0.key) }
        if !utilization.isEmpty {
            page.add(.heading("Resources against \(axes[xAxis].key)"))
            let series = utilization.enumerated().map { k, f in
                ChartSeries(name: resourceName(f), points: points(first, f), color: ChartPalette.color(k))
            }
            var chart = XYChart(kind: "sweep-curve", title: "Utilization against \(axes[xAxis].key)", x: xChart, y: ChartAxis("utilization", unit: .fraction), series: series)
            chart.references = [ChartReference(value: 1, label: "100 %")]
            chart.xCategories = xCategories
            page.add(chart, id: "sweep-utilization", caption: "Time-average fraction busy of each resource.\(firstNote)")
        }
        let waits = table.figures(sections: ["pools", "poolers"], metric: Metric.meanWaitSeconds.key)
        if !waits.isEmpty {
            let series = waits.enumerated().map { k, f in
                ChartSeries(name: resourceName(f), points: points(first, f), color: ChartPalette.color(k + 1))
            }
            var chart = XYChart(kind: "sweep-curve", title: "Mean wait for a connection against \(axes[xAxis].key)", x: xChart, y: ChartAxis("mean wait for a connection", unit: .seconds), series: series)
            chart.xCategories = xCategories
            page.add(chart, id: "sweep-pool-waits", caption: "Mean time an acquire waits for a connection, per pool.\(firstNote)")
        }

        // Heat map: p95 over two axes, or utilization per resource along one.
        page.add(.heading("Heat map"))
        if !others.isEmpty, let overall {
            let (ya, xa) = (others[0], xAxis)
            let rest = axes.indices.filter { $0 != xa && $0 != ya }
            var values = Array(repeating: Array(repeating: Double?.none, count: axes[xa].values.count), count: axes[ya].values.count)
            var mostlyFailed = Array(repeating: Array(repeating: false, count: axes[xa].values.count), count: axes[ya].values.count)
            for (cell, row) in table.rows {
                let d = grid.digits(cell)
                guard rest.allSatisfy({ d[$0] == 0 }) else { continue }
                values[d[ya]][d[xa]] = table.estimate(row, "\(overall).\(Metric.p95Seconds.key)")?.mean
                let failed = [Metric.timeoutRate, .errorRate].compactMap { table.estimate(row, "\(overall).\($0.key)")?.mean }.reduce(0, +)
                mostlyFailed[d[ya]][d[xa]] = failed > 0.5
            }
            let restText = rest.map { "\(axes[$0].key)=\(axes[$0].values[0])" }.joined(separator: ", ")
            var map = HeatMap(kind: "heatmap", title: "p95 response time" + (restText.isEmpty ? "" : " (\(restText))"),
                              x: ChartAxis(axes[xa].key, unit: .count("")), y: ChartAxis(axes[ya].key, unit: .count("")),
                              xLabels: axes[xa].values, yLabels: axes[ya].values, values: values,
                              valueTitle: "p95", valueUnit: .seconds)
            map.emptyMeaning = "no successful response: no p95"
            map.emptyKey = "no response"
            map.flagged = mostlyFailed
            map.flaggedMeaning = "more than half the requests failed (timeouts and errors): this p95 is of the few that succeeded, not a fast cell"
            map.flaggedKey = "mostly failed"
            let flaggedNote = mostlyFailed.joined().contains(true)
                ? " Outlined in red: more than half the requests failed, so the p95 is that of the few that succeeded (a cache hit, a fast path) and the colour flatters the cell." : ""
            page.add(map, id: "heatmap", caption: "The p95 of every cell: darker is slower; hatched: no request succeeded.\(flaggedNote) Hover a cell for its value.")
        } else if !utilization.isEmpty {
            var values: [[Double?]] = []
            for f in utilization {
                let byX = Dictionary(cells(first).compactMap { c in table.estimate(c.row, f).map { (c.x, $0.mean) } }, uniquingKeysWith: { a, _ in a })
                values.append(axes[xAxis].values.indices.map { byX[axes[xAxis].x($0)] })
            }
            let map = HeatMap(kind: "heatmap", title: "Utilization per resource and \(axes[xAxis].key)",
                              x: ChartAxis(axes[xAxis].key, unit: .count("")), y: ChartAxis("resource", unit: .count("")),
                              xLabels: axes[xAxis].values, yLabels: utilization.map(resourceName), values: values,
                              valueTitle: "utilization", valueUnit: .fraction)
            page.add(map, id: "heatmap", caption: "Fraction busy of every resource in every cell: the first resource to turn dark is the bottleneck.")
        }
        return page
    }

    /// `pools.prisma.utilization` -> `pool prisma`.
    static func resourceName(_ figure: String) -> String { SweepSummary.resourceName(figure) }
}
