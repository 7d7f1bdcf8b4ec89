import Foundation
import HeadroomModel
import HeadroomSim
import Testing
@testable import HeadroomAnalysis
@testable import HeadroomCharts
@testable import HeadroomOutput
@testable import HeadroomStudy

/// Occurrences of `needle` in `text`.
func occurrences(_ needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
}

/// Data marks drawn in an SVG or page (every mark has class "mark" or "mark line").
func marks(_ svg: String) -> Int {
    occurrences("class=\"mark\"", in: svg) + occurrences("class=\"mark line\"", in: svg) + occurrences("class=\"mark offscale\"", in: svg)
}

@Suite("SVG charts")
struct SVGChartTests {
    @Test("A scatter draws one mark per point, and a line one mark per series")
    func xyMarks() {
        let points = (0..<7).map { ChartPoint(x: Double($0), y: Double($0 * $0) / 1000) }
        let chart = XYChart(kind: "t", title: "t", x: ChartAxis("load", unit: .perSecond("req")), y: ChartAxis("p95", unit: .seconds), series: [
            ChartSeries(name: "dots", points: points, style: .points, color: "#000"),
            ChartSeries(name: "line", points: points, style: .line, color: "#000"),
            ChartSeries(name: "both", points: Array(points.prefix(3)), style: .lineAndPoints, color: "#000"),
        ])
        #expect(chart.markCount == 7 + 1 + 3)
        #expect(marks(chart.svg) == chart.markCount)
    }

    @Test("Bars: one mark per value, none for a gap; whiskers for intervals; a tick for the closed form")
    func barMarks() {
        let chart = BarChart(kind: "bars", title: "t", value: ChartAxis("wait", unit: .seconds), categories: ["a", "b", "c"], series: [
            BarSeries(name: "mean", values: [BarValue(value: 0.01, low: 0.008, high: 0.012, analytic: 0.0105), nil, BarValue(value: 0.02)], color: "#000"),
            BarSeries(name: "p95", values: [BarValue(value: 0.03), BarValue(value: 0.04), BarValue(value: 0.05)], color: "#111"),
        ])
        #expect(chart.markCount == 5)
        #expect(marks(chart.svg) == 5)
        #expect(occurrences("class=\"ci\"", in: chart.svg) == 1)
        #expect(occurrences("class=\"analytic\"", in: chart.svg) == 1)
    }

    @Test("A heat map draws one cell per value and leaves missing cells blank")
    func heatMapMarks() {
        let map = HeatMap(kind: "heatmap", title: "t", x: ChartAxis("rate", unit: .count("")), y: ChartAxis("size", unit: .count("")),
                          xLabels: ["1", "2", "3"], yLabels: ["a", "b"], values: [[0.1, nil, 0.3], [0.4, 0.5, 0.6]],
                          valueTitle: "p95", valueUnit: .seconds)
        #expect(map.markCount == 5)
        #expect(marks(map.svg) == 5)
    }

    @Test("Axis labels carry the unit the values are shown in")
    func axisUnits() {
        #expect(ChartAxis("response time", unit: .seconds).label(magnitude: 0.25) == "response time (ms)")
        #expect(ChartAxis("response time", unit: .seconds).label(magnitude: 12) == "response time (s)")
        #expect(ChartAxis("response time", unit: .seconds).label(magnitude: 0.0005) == "response time (µs)")
        #expect(ChartAxis("utilization", unit: .fraction).label(magnitude: 1) == "utilization (%)")
        #expect(ChartAxis("throughput", unit: .perSecond("req")).label(magnitude: 1) == "throughput (req/s)")
        #expect(ChartAxis("Headroom ÷ document", unit: .ratio, logarithmic: true).label(magnitude: 1) == "Headroom ÷ document (×, log scale)")
        // The drawn chart: the label beside the y axis, and tick labels in the same unit (ms).
        let chart = XYChart(kind: "t", title: "t", x: ChartAxis("rate", unit: .perSecond("req")), y: ChartAxis("p95", unit: .seconds), series: [
            ChartSeries(name: "p95", points: [ChartPoint(x: 10, y: 0.05), ChartPoint(x: 20, y: 0.12)], color: "#000"),
        ])
        #expect(chart.svg.contains(">p95 (ms)</text>"))
        #expect(chart.svg.contains(">rate (req/s)</text>"))
        #expect(chart.svg.contains(">100</text>")) // 0.1 s shown as 100 ms
    }

    @Test("Ticks are round 1-2-5 steps that cover the data")
    func ticks() {
        let s = ChartScale(covering: [0.003, 0.137], includeZero: true, from: 0, to: 100)
        #expect(s.low == 0)
        #expect(s.high >= 0.137)
        let t = s.ticks
        #expect(t.first == 0)
        #expect(t.count >= 3 && t.count <= 11)
        let step = t[1] - t[0]
        #expect([0.01, 0.02, 0.05].contains { abs($0 - step) < 1e-12 })
        #expect(t.allSatisfy { abs(($0 / step).rounded() * step - $0) < 1e-12 })
        #expect(s.tickLabels(factor: 1000).first == "0")
        let logScale = ChartScale(covering: [0.3, 7], includeZero: false, logarithmic: true, from: 0, to: 100)
        #expect(logScale.ticks == [0.1, 0.2, 0.5, 1, 2, 5, 10])
        #expect(abs(logScale(1) - 50) < 1e-9) // one decade each side of 1
    }

    @Test("Names are escaped in text, attributes and tooltips")
    func escaping() {
        let name = "<script>alert('x')</script> & \"co\""
        let chart = BarChart(kind: "bars", title: name, value: ChartAxis(name, unit: .count("")), categories: [name],
                             series: [BarSeries(name: name, values: [BarValue(value: 1)], color: "#000")])
        let svg = chart.svg
        #expect(!svg.contains("<script"))
        #expect(!svg.contains("'x'"))
        #expect(svg.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;"))
        var page = HTMLPage(title: name, facts: [name])
        page.add(chart, id: "x", caption: name)
        #expect(!page.rendered.contains("<script"))
    }
}

@Suite("HTML reports", .serialized)
struct HTMLReportTests {
    /// The figure blocks of a page: id -> marks drawn.
    func figures(_ page: HTMLPage) -> [String: Int] {
        var out: [String: Int] = [:]
        for b in page.blocks { if case let .figure(id, svg, _, n) = b { out[id] = n; #expect(marks(svg) == n, "\(id)") } }
        return out
    }

    @Test("A run's page charts latency per endpoint, throughput, utilization and pool waits from the report's figures")
    func runPage() throws {
        let m = try model(twoTierYAML(cpu: "exp(5ms)", query: "exp(10ms)"))
        let report = ReplicationStudy(model: m, workers: 2).run()
        let page = HTMLReport.runPage(report, timeline: nil)
        let f = figures(page)
        #expect(Set(f.keys) == ["latency", "throughput", "utilization", "pool-waits"])
        #expect(f["latency"] == 4) // one endpoint: mean, p50, p95, p99
        #expect(f["throughput"] == 1)
        #expect(f["utilization"] == 3) // instance workers, pool main, database primary
        #expect(f["pool-waits"] == 2) // mean and p95 wait of pool main
        // The bar's tooltip carries the simulated value and the closed form's.
        let util = try #require(report["database_nodes", "primary"]?["utilization"])
        let html = page.rendered
        #expect(html.contains("database primary, utilization: \(ChartUnit.fraction.text(util.estimate.mean))"))
        let a = try #require(util.analytic, "the database's utilization has a closed form (lambda x demand / cores)")
        #expect(html.contains("analytic \(ChartUnit.fraction.text(a))"))
    }

    @Test("A run's SLOs: a row per SLO with its verdict, latency SLOs drawn as thresholds on the latency chart")
    func slos() throws {
        let m = try model(twoTierYAML(cpu: "exp(5ms)", query: "exp(10ms)"))
        var report = ReplicationStudy(model: m, workers: 2).run()
        let slos = try ["p95<1ms", "p95<10s"].map { try PlanSLO.parse($0, model: m) }
        report.sloVerdicts = SLOGate.verdicts(slos, report: report)
        #expect(report.sloVerdicts.map(\.holds) == [false, true])
        let page = HTMLReport.runPage(report, timeline: nil)
        let tables = page.blocks.compactMap { if case let .table(header, rows) = $0 { return (header, rows) } else { return nil } }
        let rows = try #require(tables.first { $0.0.first == "SLO" }?.1)
        #expect(rows.map { $0[0] } == ["p95<1ms", "p95<10s"])
        #expect(rows.map { $0[3] } == ["FAIL", "pass"])
        let html = page.rendered
        #expect(html.contains("1 of 2 SLOs fail"))
        #expect(html.contains(">SLO p95&lt;1ms</text>") && html.contains(">SLO p95&lt;10s</text>"))
    }

    @Test("A phased run's timeline is shaded by phase, and each interval is a point of latency against load")
    func timeline() throws {
        let yaml = """
            name: phased
            simulation: {horizon: 30s, warmup: 0, replications: 2, seed: 4}
            workload:
              open:
                phases:
                  - {duration: 10s, rate: 5/s}
                  - {duration: 10s, rate: 5/s, ramp_to: 40/s}
                  - {duration: 10s, rate: 40/s}
              endpoint: api
            instances: {count: 1, workers: 1}
            pools:
              db: {size: 4}
            database: {cores: 2}
            endpoints:
              api:
                steps:
                  - cpu: exp(5ms)
                  - query: {time: exp(10ms)}
            """
        let m = try model(yaml)
        let bands = RunTimeline.bands(for: m, warmupSeconds: 0)
        #expect(bands.map(\.from) == [0, 10, 20])
        #expect(bands.map(\.to) == [10, 20, 30])
        #expect(bands[1].label == "phase 2: 5.00 → 40.0/s")
        let withWarmup = RunTimeline.bands(for: m, warmupSeconds: 3)
        #expect(withWarmup.first == ChartBand(from: 0, to: 3, label: "warm-up (not in the figures)"))

        let (report, timelines) = ReplicationStudy(model: m, workers: 2).runRecordingTimelines(intervalSeconds: 1)
        let page = HTMLReport.runPage(report, timeline: RunTimeline(timelines: timelines, intervalSeconds: 1, bands: bands,
                                                                   resources: TimelineExport.resources(of: m)))
        let f = figures(page)
        // Load: arrivals, successes, timeouts, errors; latency: p50, p95, p99; one utilization
        // line per resource the timeline samples (workers, the pool, the database).
        #expect(f["timeline-load"] == 4 && f["timeline-latency"] == 3 && f["timeline-pools"] == 3)
        #expect(TimelineExport.resources(of: m).count == 3 && f["timeline-utilization"] == 3)
        let intervals = timelines.flatMap(\.samples).filter { $0.completions > 0 && $0.p95Seconds > 0 }.count
        #expect(intervals > 40)
        #expect(f["latency-vs-load"] == intervals)
        #expect(occurrences("class=\"band\"", in: page.rendered) == 3 * 4)  // 3 phases on 4 time charts
    }

    @Test("The automatic timeline interval gives about 150 round intervals")
    func automaticInterval() {
        #expect(RunTimeline.automaticInterval(horizonSeconds: 540) == 5)
        #expect(RunTimeline.automaticInterval(horizonSeconds: 3600) == 50)
        #expect(RunTimeline.automaticInterval(horizonSeconds: 30) == 0.2)
    }

    @Test("A sweep's page reads cells.csv by its header: curves against the numeric axis, a heat map of two axes")
    func sweepPage() throws {
        let w = try sweepWorkspace()
        let out = (w.dir as NSString).appendingPathComponent("out")
        let grid = try SweepGrid(axes: [SweepAxis.parse("rate=20/s,40/s,60/s"), SweepAxis.parse("pools.db.size=2,4")])
        _ = try Sweep(modelPath: w.model, grid: grid, simulation: SimulationOverrides(replications: 2, horizonSeconds: 10),
                      threads: 2, outputDirectory: out).run()
        let page = try HTMLReport.sweepPage(directory: out)
        let f = figures(page)
        #expect(f["sweep-latency"] == 2 * 3) // p95 per pool size, at three rates
        #expect(f["sweep-throughput"] == 2 * 3)
        #expect(f["sweep-utilization"] == 3 * 3) // workers, pool db, database primary; pool size 2
        #expect(f["heatmap"] == 6)
        // The heat map's cells are the CSV's p95 values.
        let table = try SweepTable.read(directory: out)
        let p95 = try #require(table.rows[5].flatMap { table.estimate($0, "overall.all.p95_seconds") })
        #expect(page.rendered.contains("p95: \(ChartUnit.seconds.text(p95.mean))"))
    }

    @Test("headroom report refuses a directory that is not a sweep")
    func notASweep() throws {
        let w = try sweepWorkspace()
        #expect(throws: SweepError.self) { _ = try HTMLReport.sweep(directory: w.dir) }
    }

    @Test("CSV fields with commas and quotes read back as written")
    func csvFields() {
        let values = ["1", "uniform(1ms, 3ms)", "say \"hi\"", "", "x"]
        let line = values.map(csvField).joined(separator: ",")
        #expect(SweepTable.fields(Substring(line)) == values)
    }

    @Test("A plan's page: each SLO's bound against cost, the failing next-cheaper configuration named, every configuration's status")
    func planPage() throws {
        let w = try sweepWorkspace(planModelYAML)
        let result = try Planner(modelPath: w.model, grid: try SweepGrid(axes: [SweepAxis.parse("instances=1...4"), SweepAxis.parse("pool.size=1...3")]),
                                 slos: ["api.p95<250ms", "timeouts<1%"], cost: "instances*100 + pool.size*10", threads: 2).run()
        let page = HTMLReport.planPage(result)
        let f = figures(page)
        let simulated = result.configurations.filter { $0.status == .pass || $0.status == .fail }.count
        // Every simulated configuration is a point (plus one mark for the frontier's line if it has two points).
        let frontierLine = result.frontier.count > 1 ? 1 : result.frontier.count
        #expect(f["frontier-1"] == simulated + frontierLine)
        #expect(f["frontier-2"] == simulated + frontierLine)
        #expect(f["plan-grid"] == result.configurations.count)
        let html = page.rendered
        let cheapest = try #require(result.cheapest)
        #expect(html.contains("Cheapest passing: \(result.label(cheapest))"))
        let n = try #require(result.nextCheaper, "the cheapest passing configuration is not the grid's cheapest: one cheaper failed")
        #expect(html.contains("The next cheaper configuration, \(result.label(n))"))
        #expect(html.contains("SLO: api.p95&lt;250ms"))
    }

    @Test("The audit chart reads verify's JSON by key: a ratio per claim, bounds divide by their bound, claims without a figure listed")
    func audit() throws {
        let json = """
            {"schema": "headroom.verify/1", "verdicts": {"holds": 2},
             "documents": [{"id": "vendor", "title": "A test", "claims": [
               {"id": "vendor.p95", "quote": "p95 at 500/s", "verdict": "holds", "unit": "seconds",
                "document": {"text": "< 200 ms", "shape": "atMost", "low": 0, "high": 0.2},
                "headroom": {"mean": 0.05, "ci_low": 0.04, "ci_high": 0.06, "samples": 5},
                "headroom_range": {"low": 0.03, "high": 0.3}},
               {"id": "vendor.x", "table": "At 300 users", "row": "Throughput", "column": "before", "verdict": "document optimistic",
                "document": {"text": "500/s", "shape": "value", "low": 500, "high": 500},
                "headroom": {"mean": 250, "ci_low": 240, "ci_high": 260, "samples": 5}, "headroom_range": {"low": 250, "high": 250}},
               {"id": "vendor.input", "quote": "an input", "verdict": "model input", "document": {"text": "3 cores", "low": 3, "high": 3}, "headroom": null}
             ],
             "checks": [{"id": "c", "quote": "40 connections are plenty", "verdict": "consistent", "arithmetic": "500/s x 12ms = 6 <= 40"}]}]}
            """
        let page = try HTMLReport.auditPage(json: json, source: "test.json")
        let f = figures(page)
        #expect(f == ["audit-vendor": 2])
        let html = page.rendered
        #expect(html.contains("Claims not drawn (1)"))
        #expect(html.contains("an input: model input"))
        #expect(html.contains("At 300 users: Throughput (before)"))
        #expect(html.contains("Headroom: 0.05000 [0.04000, 0.06000]; over the unknowns 0.03000–0.3000 (seconds)"))
        #expect(html.contains("consistent: “40 connections are plenty” — 500/s x 12ms = 6 &lt;= 40"))
        // The atMost claim divides by its bound (0.05 / 0.2 = 0.25, its range open to the left edge),
        // the throughput claim by its value (250 / 500 = 0.5); the spread over the unknowns reaches
        // 0.3 / 0.2 = 1.5: the axis runs from 0.1× to 10×.
        let svg = try #require(page.blocks.compactMap { if case let .figure(_, svg, _, _) = $0 { return svg } else { return nil } }.first)
        #expect(svg.contains(">0.1×</text>") && svg.contains(">10×</text>"))
        #expect(!svg.contains(">0.05×</text>") && !svg.contains(">20×</text>"))
        #expect(occurrences("class=\"span\"", in: svg) == 1)
        #expect(occurrences("class=\"range\"", in: svg) == 2)
        #expect(throws: HTMLReport.AuditReadError.self) { _ = try HTMLReport.auditPage(json: "{\"schema\": \"headroom.run/1\"}", source: "x.json") }
        #expect(throws: HTMLReport.AuditReadError.self) { _ = try HTMLReport.auditPage(json: "not json", source: "x.json") }
    }

    @Test("With two unknowns, each claim's region: every point tried on the plane of the two, coloured by its verdict, untried combinations hatched")
    func auditRegion() throws {
        func point(_ cores: Double, _ hit: Double, _ verdict: String, refined: Bool = false) -> String {
            "{\"values\": {\"database.cores\": \(cores), \"hit_ratio\": \(hit)}, \"verdict\": \"\(verdict)\", \"refined\": \(refined), \"headroom\": {\"mean\": 0.1, \"ci_low\": 0.09, \"ci_high\": 0.11}}"
        }
        // A 2 x 2 grid; the search added cores 7 on the line hit_ratio 0.5 (where the verdict flips).
        let points = [point(4, 0.5, "document optimistic"), point(16, 0.5, "holds"), point(4, 0.9, "holds"), point(16, 0.9, "holds"),
                      point(7, 0.5, "holds", refined: true)].joined(separator: ", ")
        let json = """
            {"schema": "headroom.verify/1", "documents": [{"id": "vendor", "title": "A test",
             "unknowns": [{"name": "database.cores", "low": 4, "high": 16}, {"name": "hit_ratio", "low": 0.5, "high": 0.9}],
             "claims": [
               {"id": "vendor.p95", "quote": "p95 at 500/s", "verdict": "holds in part", "unit": "seconds", "verdict_text": "holds only for database.cores in [7, 16] at hit_ratio 0.5",
                "document": {"text": "< 200 ms", "shape": "atMost", "low": 0, "high": 0.2},
                "headroom": {"mean": 0.1, "ci_low": 0.09, "ci_high": 0.11}, "points": [\(points)]},
               {"id": "vendor.one", "quote": "one unknown", "verdict": "holds", "unit": "seconds",
                "document": {"text": "< 200 ms", "shape": "atMost", "low": 0, "high": 0.2},
                "headroom": {"mean": 0.1, "ci_low": 0.09, "ci_high": 0.11},
                "points": [{"values": {"database.cores": 4}, "verdict": "holds"}, {"values": {"database.cores": 16}, "verdict": "holds"}]}
             ], "checks": []}]}
            """
        let page = try HTMLReport.auditPage(json: json, source: "test.json")
        let f = figures(page)
        // Five points drawn; the claim with one unknown has no region.
        #expect(f == ["audit-vendor": 2, "region-vendor.p95": 5])
        let svg = try #require(page.blocks.compactMap { if case let .figure(id, svg, _, _) = $0, id == "region-vendor.p95" { return svg } else { return nil } }.first)
        // Columns 4, 7, 16; rows 0.9 above 0.5: (7, 0.9) was never tried.
        #expect(occurrences("class=\"empty\"", in: svg) == 1)
        #expect(svg.contains("database.cores 7, hit_ratio 0.9"))
        #expect(svg.contains("(added by the search)"))
        // The key names each verdict present (shortened to fit); a cell's tooltip names it whole.
        #expect(svg.contains(">holds</text>") && svg.contains(">document op…</text>"))
        #expect(svg.contains("database.cores 4, hit_ratio 0.5\nHeadroom: 0.1000 [0.09000, 0.1100]\nverdict: document optimistic"))
    }

    @Test("The breakpoint page reads its JSON by key: each SLO against the load with the bracket shaded, loads at 100 % in order")
    func breakpoint() throws {
        func point(_ v: Double, _ p95: Double, _ holds: Bool) -> String {
            """
            {"value": \(v), "text": "\(v)/s", "passes": \(holds),
             "slos": [{"slo": "p95<250ms", "mean": \(p95 * 0.9), "ci_low": \(p95 * 0.8), "ci_high": \(p95), "bound": \(p95), "holds": \(holds)}],
             "throughput_per_second": {"mean": \(v), "ci_low": \(v - 1), "ci_high": \(v + 1)},
             "p95_seconds": {"mean": \(p95 * 0.9), "ci_low": \(p95 * 0.8), "ci_high": \(p95)},
             "utilization": {"database.primary": \(v / 220), "pool.prisma": \(v / 400)}}
            """
        }
        let json = """
            {"schema": "headroom.breakpoint/1", "model": {"name": "two tier", "source": "m.yaml"}, "key": "rate",
             "path": "workload.open.rate", "unit": "/s",
             "slos": [{"slo": "p95<250ms", "figure": "overall.all.p95_seconds", "comparison": "<", "threshold": 0.25}],
             "replications": 3, "horizon_seconds": 60, "confidence_level": 0.95, "relative_tolerance": 0.02,
             "stop_reason": "converged", "breakpoint": 190, "first_failing": 195,
             "saturates_first": "database.primary", "saturated_in_simulation": "database.primary",
             "resources": [{"id": "pool.prisma", "kind": "pool", "servers": 30, "load_at_full_utilization": 400},
                           {"id": "database.primary", "kind": "database", "servers": 4, "load_at_full_utilization": 220},
                           {"id": "workers.instances", "kind": "workers", "servers": 3, "load_at_full_utilization": null}],
             "points": [\(point(220, 2.5, false)), \(point(100, 0.05, true)), \(point(190, 0.2, true)), \(point(195, 0.3, false))],
             "warnings": [], "notes": []}
            """
        let html = try HTMLReport.page(json: json, source: "b.json")
        #expect(html.contains("Largest load meeting every SLO: rate = 190 req/s; it fails at 195 req/s."))
        #expect(html.contains("Saturates first (analytic): database.primary."))
        #expect(occurrences("<figure id=", in: html) == 4)
        #expect(html.contains("data-kind=\"breakpoint\""))
        // Four loads on the SLO chart (two hold, two fail), sorted by load for the lines.
        let slo = try #require(html.components(separatedBy: "<figure id=\"breakpoint-1\">").last?.components(separatedBy: "</figure>").first)
        #expect(marks(slo) == 4)
        // 2.5 s beside a 250 ms SLO stays off the scale, a marker at the top edge with its value.
        #expect(occurrences("class=\"mark offscale\"", in: slo) == 1)
        #expect(slo.contains(">2.50 s</text>"))
        #expect(occurrences("class=\"band\"", in: slo) == 1)
        #expect(slo.contains(">SLO: p95&lt;250ms</text>"))
        // Resources that never reach 100 % are left out; the others in order of load.
        let bars = try #require(html.components(separatedBy: "<figure id=\"breakpoint-saturation\">").last?.components(separatedBy: "</figure>").first)
        #expect(marks(bars) == 2)
        let db = try #require(bars.range(of: "database.primary, 100 % at")), pool = try #require(bars.range(of: "pool.prisma, 100 % at"))
        #expect(db.lowerBound < pool.lowerBound)
        #expect(throws: HTMLReport.AuditReadError.self) { _ = try HTMLReport.page(json: "{\"schema\": \"headroom.run/1\"}", source: "x.json") }
    }

    @Test("A page loads nothing: no script, no external reference, a policy that forbids loads")
    func selfContained() throws {
        let report = ReplicationStudy(model: try model(mmcYAML), workers: 2).run()
        let html = HTMLReport.run(report)
        #expect(html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'\""))
        #expect(!html.contains("<script"))
        #expect(!html.contains("src="))
        #expect(!html.contains("href="))
        #expect(!html.contains("url("))
        // The same report gives the same bytes.
        #expect(html == HTMLReport.run(report))
        // A network model charts its stations: latency of the network, utilization per station.
        let f = figures(HTMLReport.runPage(report, timeline: nil))
        #expect(f["latency"] == 4 && f["utilization"] == 1)
    }
}
