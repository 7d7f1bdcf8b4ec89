import Foundation
import HeadroomKernel
import HeadroomModel
import HeadroomSim
import HeadroomOutput
import HeadroomStudy
import HeadroomAnalysis

/// The HTML reports of `run`, `sweep`, `plan` and `reproduce` (`--html FILE`, `headroom report`):
/// the charts a planner looks at first, drawn from the report's own figures.
public enum HTMLReport {}

extension ChartUnit {
    /// The unit a metric's name carries (`_seconds`, `_per_second`, `utilization`, `_rate`).
    init(metric: String) {
        switch MetricUnit(metric: metric) {
        case .seconds: self = .seconds
        case .perSecond: self = .perSecond(metric.hasPrefix("throughput") || metric.hasPrefix("attempts") ? "req" : "")
        case .fraction: self = .fraction
        case .number: self = .count("")
        }
    }
}

// MARK: - run

/// What a run's timeline chart needs beside the samples: the interval and the phases of the load.
public struct RunTimeline: Sendable {
    public var timelines: [ReplicationTimeline]
    public var intervalSeconds: Double
    /// Shaded on the time axis: the warm-up and each phase of a phased open load.
    public var bands: [ChartBand]
    /// The resources of the samples' utilizations (`TimelineResources.names`); empty: not charted.
    public var resources: [String]

    public init(timelines: [ReplicationTimeline], intervalSeconds: Double, bands: [ChartBand], resources: [String] = []) {
        self.timelines = timelines
        self.intervalSeconds = intervalSeconds
        self.bands = bands
        self.resources = resources
    }

    /// The warm-up (deleted from the figures) and the load's phases as bands of the time axis.
    public static func bands(for model: Model, warmupSeconds: Double) -> [ChartBand] {
        var bands: [ChartBand] = []
        if case let .open(.phases(phases), _)? = model.workload?.arrivals {
            var t = 0.0
            for (i, p) in phases.enumerated() {
                let rate = p.rampToPerSecond.map { "\(formatSignificant(p.ratePerSecond, digits: 3)) → \(formatSignificant($0, digits: 3))/s" }
                    ?? "\(formatSignificant(p.ratePerSecond, digits: 3))/s"
                bands.append(ChartBand(from: t, to: t + p.durationSeconds, label: "phase \(i + 1): \(rate)"))
                t += p.durationSeconds
            }
        }
        if warmupSeconds > 0 {
            bands.insert(ChartBand(from: 0, to: warmupSeconds, label: "warm-up (not in the figures)"), at: 0)
        }
        return bands
    }

    /// An interval giving about 150 samples over the horizon, rounded to 1, 2 or 5 x 10^k seconds.
    public static func automaticInterval(horizonSeconds: Double) -> Double {
        ChartScale.niceStep(horizonSeconds / 150)
    }
}

extension HTMLReport {
    /// The page of `headroom run --html`.
    public static func run(_ report: StudyReport, timeline: RunTimeline? = nil) -> String {
        runPage(report, timeline: timeline).rendered
    }

    static func runPage(_ report: StudyReport, timeline: RunTimeline?) -> HTMLPage {
        let s = report.settings
        var page = HTMLPage(title: "\(report.modelName): simulated report", facts: [
            "model: \(report.sourcePath)",
            "\(s.replications) replication\(s.replications == 1 ? "" : "s") × \(formatDuration(s.horizonSeconds)), warm-up \(formatDuration(s.warmupSeconds)) (\(s.warmupMethod == .fixed ? "fixed" : "MSER-5")), seed \(s.seed)",
            "whiskers: \(formatPercent(s.confidenceLevel)) confidence intervals over replications; black ticks: the closed form's value where one applies",
        ])
        if let caution = s.intervalCaution { page.add(.list(title: "Caution", items: [caution])) }
        page.add(.list(title: "Warnings", items: report.warnings))
        if !report.sloVerdicts.isEmpty {
            page.add(.heading("SLOs"))
            let failed = report.sloVerdicts.filter { !$0.holds }.count
            page.add(.paragraph(failed == 0 ? "Every SLO holds at the unfavourable bound of its confidence interval."
                                            : "\(failed) of \(report.sloVerdicts.count) SLOs fail at the unfavourable bound of their confidence interval (exit status 1)."))
            page.add(.table(header: ["SLO", "simulated", "confidence interval", "verdict", "where"], rows: report.sloVerdicts.map { v in
                let unit = ChartUnit(metric: v.slo.metric)
                var window = ""
                if let w = v.window {
                    window = "worst \(formatDuration(w.windowSeconds)) window, from \(formatDuration(w.worstStartSeconds))"
                    window += w.failingWindows > 0 ? " (\(w.failingWindows) of \(w.windows) fail)" : " (of \(w.windows))"
                }
                guard let e = v.check.estimate else { return [v.slo.text, "no value", "", "FAIL", window] }
                return [v.slo.text, unit.text(e.mean), "[\(unit.text(e.lower)), \(unit.text(e.upper))]", v.holds ? "pass" : "FAIL", window]
            }))
        }
        // SLOs on a latency percentile are drawn as thresholds on the latency charts.
        let latencySLOs = report.sloVerdicts.filter { [Metric.p50Seconds, .p95Seconds, .p99Seconds, .meanSeconds].map(\.key).contains($0.slo.metric) }
            .map { ChartReference(value: $0.slo.threshold, label: "SLO \($0.slo.text)") }

        // Latency and throughput per endpoint (or per station of a network).
        let latencyItems: [(label: String, item: ReportItem)]
        if let endpoints = report.section("endpoints"), !endpoints.items.isEmpty {
            var items = endpoints.items.map { ($0.name, $0) }
            if endpoints.items.count > 1, let all = report["overall", "all"] { items.append(("all endpoints", all)) }
            latencyItems = items
        } else {
            latencyItems = (report.section("network")?.items ?? []).map { ("network (entry to exit)", $0) }
        }
        if !latencyItems.isEmpty {
            page.add(.heading("Latency and throughput"))
            let percentiles = [("mean", Metric.meanSeconds.key), ("p50", Metric.p50Seconds.key), ("p95", Metric.p95Seconds.key), ("p99", Metric.p99Seconds.key)]
            let series = percentiles.enumerated().compactMap { k, p -> BarSeries? in
                let values = latencyItems.map { $0.item[p.1].map(barValue) }
                return values.contains { $0 != nil } ? BarSeries(name: p.0, values: values, color: ChartPalette.color(k)) : nil
            }
            var chart = BarChart(kind: "bars", title: "Response time per endpoint", value: ChartAxis("response time", unit: .seconds),
                                 categories: latencyItems.map(\.label), series: series)
            chart.references = latencySLOs
            page.add(chart, id: "latency", caption: "Mean and percentiles of successful responses, averaged over replications (the percentile of each replication, then their mean and confidence interval).")
            let throughput = latencyItems.map { $0.item[Metric.throughputPerSecond.key].map(barValue) }
            if throughput.contains(where: { $0 != nil }) {
                let t = BarChart(kind: "bars", title: "Throughput per endpoint", value: ChartAxis("successful responses", unit: .perSecond("req")),
                                 categories: latencyItems.map(\.label), series: [BarSeries(name: "throughput", values: throughput, color: ChartPalette.color(0))])
                page.add(t, id: "throughput", caption: "Successful responses per second after the warm-up.")
            }
        }

        // Where the failed attempts failed (the `failures` section, present only when some did).
        if let failures = report.section(ReportSectionName.failures.rawValue), !failures.items.isEmpty {
            page.add(.heading("Failures by where they happened"))
            page.add(.table(header: ["cause", "share of attempts", "confidence interval", "per second"], rows: failures.items.map { item in
                let share = item[Metric.attemptShare.key]?.estimate
                let fraction = ChartUnit(metric: Metric.attemptShare.key)
                return [item.name, share.map { fraction.text($0.mean) } ?? "",
                        share.map { "[\(fraction.text($0.lower)), \(fraction.text($0.upper))]" } ?? "",
                        item[Metric.failuresPerSecond.key].map { ChartUnit(metric: Metric.failuresPerSecond.key).text($0.estimate.mean) } ?? ""]
            }))
            page.add(.paragraph("Every attempt that failed, once, under the cause the client saw: its own timeout by what the request was doing when it fired (timeout_pool_wait: queued for a pool connection), a refusal before it ran, an error by the component that failed it, or a 429 (docs/output-schema.md)."))
        }

        // Utilization per resource, pool waits.
        var resources: [(String, ReportItem, String)] = []
        for spec in MetricCatalog.resourceUtilizations {
            let label = spec.resourceNoun ?? spec.label
            for item in report.section(spec.section.rawValue)?.items ?? [] where item[spec.key] != nil {
                resources.append((spec.section == .instances || spec.section == .threads ? label : "\(label) \(item.name)", item, spec.key))
            }
        }
        if !resources.isEmpty {
            page.add(.heading("Resources"))
            var chart = BarChart(kind: "bars", title: "Utilization per resource", value: ChartAxis("utilization", unit: .fraction),
                                 categories: resources.map(\.0),
                                 series: [BarSeries(name: "utilization", values: resources.map { $0.1[$0.2].map(barValue) }, color: ChartPalette.color(0))])
            chart.references = [ChartReference(value: 1, label: "100 %")]
            page.add(chart, id: "utilization", caption: "Time-average fraction of each resource busy (instance workers, request threads, pool connections in use, server connections of a pooler, database cores, a cache server, job workers). A resource near 100 % is where queues form.")
        }
        let pools = (report.section("pools")?.items ?? []).map { ("pool \($0.name)", $0) }
            + (report.section("poolers")?.items ?? []).map { ("pooler \($0.name)", $0) }
        if !pools.isEmpty {
            let series = [("mean wait", Metric.meanWaitSeconds.key), ("p95 wait", Metric.p95WaitSeconds.key)].enumerated().map { k, m in
                BarSeries(name: m.0, values: pools.map { $0.1[m.1].map(barValue) }, color: ChartPalette.color(k + 1))
            }
            let chart = BarChart(kind: "bars", title: "Waiting for a connection", value: ChartAxis("wait for a connection", unit: .seconds),
                                 categories: pools.map(\.0), series: series)
            page.add(chart, id: "pool-waits", caption: "Time an acquire waits for a free connection (all acquires, those that found one free included). Black ticks: Erlang C's mean wait.")
        }

        if let timeline, !timeline.timelines.isEmpty {
            addTimeline(&page, timeline, p95SLOs: report.sloVerdicts.filter { $0.slo.metric == Metric.p95Seconds.key }
                .map { ChartReference(value: $0.slo.threshold, label: "SLO \($0.slo.text)") })
        }

        page.add(.list(title: "Notes", items: report.notes))
        page.add(.details(summary: "Every figure (the table of headroom run)", text: report.tableText()))
        return page
    }

    static func barValue(_ f: Figure) -> BarValue {
        let e = f.estimate
        return BarValue(value: e.mean, low: e.samples > 1 ? e.lower : nil, high: e.samples > 1 ? e.upper : nil, analytic: f.analytic)
    }

    /// Per interval, the mean over replications and its confidence interval.
    static func meanOverReplications(_ timeline: RunTimeline, confidence: Double, _ value: (TimelineSample) -> Double?) -> [ChartPoint] {
        let count = timeline.timelines.map(\.samples.count).max() ?? 0
        var points: [ChartPoint] = []
        for i in 0..<count {
            let values = timeline.timelines.compactMap { i < $0.samples.count ? value($0.samples[i]) : nil }.filter(\.isFinite)
            guard !values.isEmpty else { continue }
            guard let owner = timeline.timelines.first(where: { i < $0.samples.count }) else { continue }
            let start = owner.samples[i].startSeconds
            let e = Estimate.studentT(values, confidence: confidence)
            let x = start + timeline.intervalSeconds / 2
            points.append(values.count > 1 && e.halfWidth.isFinite
                ? ChartPoint(x: x, y: e.mean, low: e.lower, high: e.upper)
                : ChartPoint(x: x, y: e.mean))
        }
        return points
    }

    static func addTimeline(_ page: inout HTMLPage, _ timeline: RunTimeline, p95SLOs: [ChartReference] = []) {
        let dt = timeline.intervalSeconds
        let n = timeline.timelines.count
        page.add(.heading("Timeline"))
        let confidence = 0.95
        func line(_ name: String, _ k: Int, _ value: @escaping (TimelineSample) -> Double?) -> ChartSeries {
            ChartSeries(name: name, points: meanOverReplications(timeline, confidence: confidence, value), style: .line, color: ChartPalette.color(k))
        }
        let time = ChartAxis("time since start", unit: .seconds)
        let arrivals = line("arrivals", 0) { (s: TimelineSample) -> Double? in Double(s.arrivals) / dt }
        let completions = line("completions", 2) { (s: TimelineSample) -> Double? in Double(s.completions) / dt }
        let timeouts = line("timeouts", 3) { (s: TimelineSample) -> Double? in Double(s.timeouts) / dt }
        let errors = line("errors", 4) { (s: TimelineSample) -> Double? in Double(s.errors) / dt }
        var series = [arrivals, completions, timeouts, errors]
        if timeline.timelines.contains(where: { $0.samples.contains { $0.rejected > 0 } }) {
            series.append(line("refused (accept queue full)", 5) { (s: TimelineSample) -> Double? in Double(s.rejected) / dt })
        }
        if timeline.timelines.contains(where: { $0.samples.contains { $0.rateLimited > 0 } }) {
            series.append(line("rate limited (429)", 6) { (s: TimelineSample) -> Double? in Double(s.rateLimited) / dt })
        }
        var load = XYChart(kind: "timeline", title: "Load and throughput over time", x: time, y: ChartAxis("rate", unit: .perSecond("req")),
                           series: series)
        load.bands = timeline.bands
        let every = "every \(formatDuration(dt)), mean of \(n) replication\(n == 1 ? "" : "s")"
        page.add(load, id: "timeline-load", caption: "Requests arriving and completing successfully per second, and the failures by kind (timeouts, errors, and where any: refusals at a full accept queue, 429s), \(every). Shaded: the warm-up and the phases of the load.")
        let p50 = line("p50", 2) { (s: TimelineSample) -> Double? in s.hasLatencies ? s.p50Seconds : nil }
        let p95 = line("p95", 0) { (s: TimelineSample) -> Double? in s.hasLatencies ? s.p95Seconds : nil }
        let p99 = line("p99", 3) { (s: TimelineSample) -> Double? in s.hasLatencies ? s.p99Seconds : nil }
        var latency = XYChart(kind: "timeline", title: "Response time percentiles over time", x: time, y: ChartAxis("response time", unit: .seconds),
                              series: [p50, p95, p99])
        latency.bands = timeline.bands
        latency.references = p95SLOs
        page.add(latency, id: "timeline-latency", caption: "The 50th, 95th and 99th percentiles of the responses timed in each interval, \(every) (intervals without one left out: they have no percentile). A percentile pooled over a whole ramp hides this peak.")
        if !timeline.resources.isEmpty {
            let lines = timeline.resources.enumerated().map { i, name in
                line(name, i) { (s: TimelineSample) -> Double? in i < s.utilizations.count ? s.utilizations[i] : nil }
            }
            var busy = XYChart(kind: "timeline", title: "Utilization of each resource over time", x: time, y: ChartAxis("utilization", unit: .fraction),
                               series: lines)
            busy.bands = timeline.bands
            busy.references = [ChartReference(value: 1, label: "100 %")]
            page.add(busy, id: "timeline-utilization", caption: "Time-average fraction busy in each interval: instance workers, request threads, each pool's connections, each database node's cores, \(every).")
        }
        let inFlight = line("in flight", 0) { (s: TimelineSample) -> Double? in Double(s.inFlight) }
        let waiting = line("waiting for a pool", 3) { (s: TimelineSample) -> Double? in Double(s.poolWaiting) }
        let inUse = line("connections in use", 2) { (s: TimelineSample) -> Double? in Double(s.connectionsInUse) }
        var queues = XYChart(kind: "timeline", title: "Requests in flight and waiting for a connection", x: time, y: ChartAxis("number", unit: .count("requests")),
                             series: [inFlight, waiting, inUse])
        queues.bands = timeline.bands
        page.add(queues, id: "timeline-pools", caption: "At the end of each interval: requests in the system, acquires waiting for a pool connection, pool connections in use (all pools), \(every).")

        // Latency against load: each interval of each replication is one point.
        var points: [ChartPoint] = []
        for t in timeline.timelines {
            for s in t.samples where s.completions > 0 && s.p95Seconds > 0 {
                points.append(ChartPoint(x: Double(s.arrivals) / dt, y: s.p95Seconds,
                                         note: "replication \(t.replication), \(formatDuration(s.startSeconds))–\(formatDuration(s.startSeconds + dt))"))
            }
        }
        if !points.isEmpty {
            let chart = XYChart(kind: "load-curve", title: "p95 response time against offered load", x: ChartAxis("arrivals", unit: .perSecond("req")),
                                y: ChartAxis("p95 response time", unit: .seconds),
                                series: [ChartSeries(name: "one interval of one replication", points: points, style: .points, color: ChartPalette.color(0))])
            page.add(chart, id: "latency-vs-load", caption: "Each point is one interval of one replication: its arrival rate and the p95 of its responses. Where the cloud turns upward is where the system stops keeping up.")
        }
    }
}

// MARK: - plan

extension HTMLReport {
    /// The page of `headroom plan --html`.
    public static func plan(_ result: PlanResult) -> String { planPage(result).rendered }

    static let statusCategories: [(status: PlanConfiguration.Status?, name: String, color: String)] = [
        (nil, "cheapest", "#005A3C"),
        (.pass, "passes", ChartPalette.pass),
        (.fail, "fails", ChartPalette.fail),
        (.prunedOverload, "overloaded", "#6E6E6E"),
        (.prunedBound, "bound fails", "#A8A8A8"),
        (.skippedUpgrade, "upgrade", "#A6DBC9"),
        (.notEvaluated, "not reached", "#EFEFEF"),
    ]

    static func planPage(_ r: PlanResult) -> HTMLPage {
        var page = HTMLPage(title: "\(r.modelName): plan", facts: [
            "model: \(r.modelPath)",
            "SLOs: " + r.slos.map(\.text).joined(separator: ", ") + " — each checked at the unfavourable bound of its \(formatPercent(r.confidenceLevel)) confidence interval",
            "cost: \(r.cost); \(r.configurations.count) configurations, \(r.simulations) simulated (\(r.replications) replication\(r.replications == 1 ? "" : "s") × \(formatDuration(r.horizonSeconds)))",
        ])
        if let c = r.cheapest {
            page.add(.paragraph("Cheapest passing: \(r.label(c)), cost \(PlanResult.costText(r.configurations[c].cost))."))
        } else {
            page.add(.paragraph("No configuration passes every SLO."))
        }
        if let n = r.nextCheaper {
            let c = r.configurations[n]
            page.add(.paragraph("The next cheaper configuration, \(r.label(n)) (cost \(PlanResult.costText(c.cost))): \(c.status == .fail ? "" : "not simulated, ")\(c.reason ?? c.status.rawValue)."))
        }
        page.add(.list(title: "Warnings", items: r.warnings))

        // Per SLO: the figure at its unfavourable bound against cost.
        page.add(.heading("Cost against each SLO"))
        let frontierRank = Dictionary(uniqueKeysWithValues: r.frontier.enumerated().map { ($1, $0) })
        for (k, slo) in r.slos.enumerated() {
            let unit = ChartUnit(metric: slo.metric)
            var pass: [ChartPoint] = [], fail: [ChartPoint] = [], frontier: [ChartPoint] = []
            for c in r.configurations where k < c.checks.count {
                guard let e = c.checks[k].estimate, let bound = c.checks[k].bound, bound.isFinite else { continue }
                var label: String? = nil
                if c.index == r.cheapest { label = "cheapest" } else if c.index == r.nextCheaper { label = "next cheaper" }
                let p = ChartPoint(x: c.cost, y: bound, low: e.samples > 1 ? e.lower : nil, high: e.samples > 1 ? e.upper : nil,
                                   label: label, note: "\(r.label(c.index)), cost \(PlanResult.costText(c.cost)): \(c.checks[k].holds ? "holds" : "fails")")
                if c.status == .pass { pass.append(p) } else { fail.append(p) }
                if frontierRank[c.index] != nil { frontier.append(ChartPoint(x: c.cost, y: bound)) }
            }
            frontier.sort { $0.x < $1.x }
            let bound = slo.comparison.isUpperLimit ? "upper" : "lower"
            var chart = XYChart(kind: "frontier", title: "\(slo.text): \(bound) confidence bound against cost", x: ChartAxis("cost", unit: .count("")),
                                y: ChartAxis("\(humanFigureName(slo.figure)), \(bound) bound", unit: unit), series: [
                                    ChartSeries(name: "passes every SLO", points: pass, style: .points, color: ChartPalette.pass),
                                    ChartSeries(name: "fails some SLO", points: fail, style: .points, color: ChartPalette.fail),
                                    ChartSeries(name: "frontier", points: frontier, style: .line, color: "#005A3C", dashed: true),
                                ])
            chart.references = [ChartReference(value: slo.threshold, label: "SLO: \(slo.text)")]
            let pruned = r.count(.prunedOverload) + r.count(.prunedBound)
            page.add(chart, id: "frontier-\(k + 1)", caption: "Each simulated configuration at the \(bound) bound of its confidence interval for the \(humanFigureName(slo.figure)) (whisker: the interval). Dashed: the frontier of passing alternatives, none an upgrade of a cheaper one. \(pruned) configuration\(pruned == 1 ? "" : "s") pruned analytically \(pruned == 1 ? "is" : "are") not drawn here (see the grid below).")
        }

        // The grid: what became of every configuration.
        page.add(.heading("Every configuration"))
        addStatusMaps(&page, r)
        var rows: [[String]] = []
        for i in r.frontier {
            let c = r.configurations[i]
            rows.append(c.values + [PlanResult.costText(c.cost)] + zip(r.slos, c.checks).map { slo, check in
                check.bound.map { ChartUnit(metric: slo.metric).text($0) } ?? "n/a"
            })
        }
        if !rows.isEmpty {
            page.add(.paragraph("The frontier: passing configurations in order of cost, each SLO's figure at its unfavourable bound."))
            page.add(.table(header: r.axes.map(\.key) + ["cost"] + r.slos.map(\.text), rows: rows))
        }
        page.add(.details(summary: "The table of headroom plan", text: r.tableText()))
        return page
    }

    /// Status of every configuration on the first two axes (one map per value of the others, at most four).
    static func addStatusMaps(_ page: inout HTMLPage, _ r: PlanResult) {
        let axes = r.axes
        guard !axes.isEmpty else { return }
        let xAxis = axes.count >= 2 ? 1 : 0
        let yAxis: Int? = axes.count >= 2 ? 0 : nil
        let restAxes = Array(axes.indices.dropFirst(2))
        var slices: [[Int]] = [[]]
        for a in restAxes { slices = slices.flatMap { s in axes[a].values.indices.map { s + [$0] } } }
        let grid = try? SweepGrid(axes: axes)
        for (n, slice) in slices.prefix(4).enumerated() {
            let yValues = yAxis.map { axes[$0].values } ?? [""]
            var values = Array(repeating: Array(repeating: Double?.none, count: axes[xAxis].values.count), count: yValues.count)
            var notes = Array(repeating: Array(repeating: "", count: axes[xAxis].values.count), count: yValues.count)
            for c in r.configurations {
                guard let digits = grid?.digits(c.index) else { continue }
                guard zip(restAxes, slice).allSatisfy({ digits[$0] == $1 }) else { continue }
                let row = yAxis.map { digits[$0] } ?? 0
                let category = c.index == r.cheapest ? 0 : statusCategories.firstIndex { $0.status == c.status } ?? 6
                values[row][digits[xAxis]] = Double(category)
                notes[row][digits[xAxis]] = "\(r.label(c.index)), cost \(PlanResult.costText(c.cost))" + (c.reason.map { "\n\($0)" } ?? "")
            }
            let sliceText = zip(restAxes, slice).map { "\(axes[$0].key)=\(axes[$0].values[$1])" }.joined(separator: ", ")
            var map = HeatMap(kind: "status-map", title: "What became of each configuration" + (sliceText.isEmpty ? "" : " (\(sliceText))"),
                              x: ChartAxis(axes[xAxis].key, unit: .count("")), y: ChartAxis(yAxis.map { axes[$0].key } ?? "", unit: .count("")),
                              xLabels: axes[xAxis].values, yLabels: yValues, values: values, valueTitle: "status", valueUnit: .count(""))
            map.categories = statusCategories.map { ($0.name, $0.color) }
            map.notes = notes
            page.add(map, id: "plan-grid" + (n == 0 ? "" : "-\(n + 1)"), caption: "Simulated configurations pass or fail; the others were pruned analytically (an overloaded resource, or an analytic bound that already breaks an SLO), skipped as upgrades of a passing one, or not reached before the scan stopped.\(slices.count > 4 ? " The first four of \(slices.count) slices are drawn." : "")")
        }
    }
}
