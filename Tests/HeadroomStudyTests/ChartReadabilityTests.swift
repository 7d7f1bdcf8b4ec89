import Foundation
import Testing
@testable import HeadroomCharts
@testable import HeadroomOutput

/// What a planner reads off a chart (issue 22, item 1): the interesting region, nothing below
/// zero, the SLO line visible, heat-map values that tell neighbours apart.
@Suite("Readable charts")
struct ChartReadabilityTests {
    /// The plot's bounds, from `data-plot`.
    func plot(_ svg: String) throws -> (top: Double, bottom: Double) {
        let attr = try #require(svg.components(separatedBy: "data-plot=\"").dropFirst().first?.split(separator: "\"").first)
        let v = attr.split(separator: " ").compactMap { Double($0) }
        return (v[1], v[3])
    }

    /// Every `attr="number"` of the elements with `class="cls"`.
    func values(_ svg: String, cls: String, attr: String) -> [Double] {
        svg.components(separatedBy: "class=\"\(cls)\"").dropFirst().flatMap { chunk -> [Double] in
            let element = chunk.prefix { $0 != ">" }
            return element.components(separatedBy: " \(attr)=\"").dropFirst().compactMap { Double($0.prefix { $0 != "\"" }) }
        }
    }

    @Test("an interval reaching below zero is clipped at the axis and marked; the axis starts at zero")
    func whiskersClippedAtZero() throws {
        let points = [ChartPoint(x: 1, y: 0.26, low: -0.79, high: 1.37), ChartPoint(x: 2, y: 0.3, low: 0.2, high: 0.4),
                      ChartPoint(x: 3, y: 0.35, low: 0.3, high: 0.4)]
        let svg = XYChart(kind: "t", title: "t", x: ChartAxis("load", unit: .perSecond("req")), y: ChartAxis("p95", unit: .seconds),
                          series: [ChartSeries(name: "p95", points: points, color: "#000")]).svg
        let (top, bottom) = try plot(svg)
        for y in values(svg, cls: "ci", attr: "y1") + values(svg, cls: "ci", attr: "y2") {
            #expect(y >= top - 0.5 && y <= bottom + 0.5)
        }
        #expect(values(svg, cls: "ci", attr: "y1").contains(bottom), "the low end sits on the zero line")
        #expect(svg.contains("class=\"ci-clipped\""))
        #expect(svg.contains("interval clipped: it reaches -790 ms"))
        #expect(!svg.contains(">-"), "no negative tick")
    }

    @Test("an overloaded point stays off the scale, a labelled marker at the edge, and the SLO line clear of the floor")
    func overloadOffScale() throws {
        let points = [0.05, 0.06, 0.07, 0.09, 8.0].enumerated().map { ChartPoint(x: Double($0.offset), y: $0.element) }
        var chart = XYChart(kind: "t", title: "t", x: ChartAxis("load", unit: .count("")), y: ChartAxis("p95", unit: .seconds),
                            series: [ChartSeries(name: "p95", points: points, style: .points, color: "#000")])
        chart.references = [ChartReference(value: 0.1, label: "SLO: p95<100ms")]
        let svg = chart.svg
        let (top, bottom) = try plot(svg)
        #expect(occurrences("class=\"mark offscale\"", in: svg) == 1)
        #expect(svg.contains(">8.00 s</text>"))
        let reference = try #require(values(svg, cls: "reference", attr: "y1").first)
        #expect(bottom - reference >= 0.25 * (bottom - top), "the SLO line at \(reference) in \(top)...\(bottom)")
        for y in values(svg, cls: "mark", attr: "cy") { #expect(y >= top && y <= bottom) }
    }

    @Test("without an outlier every point is on the scale")
    func noOutlierNoCap() {
        #expect(XYChart.offScaleCap(means: [0.05, 0.06, 0.07, 0.09], references: []) == nil)
        #expect(XYChart.offScaleCap(means: [0.05, 0.06, 0.07, 0.09], references: [0.1]) == nil)
        #expect(XYChart.offScaleCap(means: [0.05, 0.06, 0.07, 8], references: []) != nil)
        // Just past the cap (405 ms beside 75 ms and 370 ms): drawn, not off the scale.
        #expect(XYChart.offScaleCap(means: [0.0044, 0.0044, 0.075, 0.075, 0.371, 0.405], references: []) == nil)
    }

    @Test("zeros stay on the scale: a timeouts<1% line beside passing 0% and failing 50% configurations is not on the floor")
    func zerosCountAsOnTheScale() {
        // A plan's frontier chart for timeouts<1%: two passing configurations at 0 %, four failing.
        #expect(XYChart.offScaleCap(means: [0, 0, 0.31, 0.45, 0.52, 0.6], references: [0.01]) == 0.03)
        // Without the zeros, nothing would stay on the scale: no cap.
        #expect(XYChart.offScaleCap(means: [0.31, 0.45, 0.52, 0.6], references: [0.01]) == nil)
    }

    @Test("a category label too long for its column wraps onto two lines at a name boundary instead of being cut")
    func longLabelsWrap() {
        let svg = svgCategoryLabel("checkout.payment_provider.p95", x: 100, y: 50, size: 12, limit: 18)
        #expect(svg.components(separatedBy: "<tspan").count - 1 == 2)
        #expect(svg.contains(">checkout.payment_</tspan>") && svg.contains(">provider.p95</tspan>"), "\(svg)")
        #expect(!svg.contains("…"))
        // A label that fits stays one plain line; one too long for two lines is shortened on the second.
        #expect(!svgCategoryLabel("search", x: 100, y: 50, size: 12, limit: 18).contains("<tspan"))
        let long = svgCategoryLabel(String(repeating: "x", count: 60), x: 100, y: 50, size: 12, limit: 18)
        #expect(long.contains("…"))
        // Where a row has no room for two lines, the label is shortened as before.
        #expect(!svgCategoryLabel("checkout.payment_provider.p95", x: 100, y: 50, size: 12, limit: 18, twoLines: false).contains("<tspan"))
    }

    @Test("an all-zero series gets distinct tick labels")
    func allZeroTicks() {
        let scale = ChartScale(covering: [0, 0, 0, 1e-15], includeZero: true, from: 300, to: 40)
        let labels = scale.tickLabels(factor: 1000)
        #expect(Set(labels).count == labels.count, "\(labels)")
    }

    @Test("heat-map cells in their own unit and three digits: 39.9, 40.2 and 41.4 ms read apart beside 6.27 s")
    func heatMapPrecision() {
        let map = HeatMap(kind: "heatmap", title: "p95", x: ChartAxis("size", unit: .count("")), y: ChartAxis("rate", unit: .count("")),
                          xLabels: ["5", "10", "20", "40"], yLabels: ["100/s"], values: [[0.0399, 0.0402, 0.0414, 6.27]],
                          valueTitle: "p95", valueUnit: .seconds)
        let svg = map.svg
        for text in ["39.9 ms", "40.2 ms", "41.4 ms", "6.27 s"] { #expect(svg.contains(">\(text)</text>"), "\(text)") }
    }

    @Test("a heat-map cell without a value is hatched, not white, and keyed")
    func heatMapEmptyCell() {
        var map = HeatMap(kind: "heatmap", title: "p95", x: ChartAxis("size", unit: .count("")), y: ChartAxis("rate", unit: .count("")),
                          xLabels: ["5", "10"], yLabels: ["100/s"], values: [[0.04, nil]], valueTitle: "p95", valueUnit: .seconds)
        map.emptyKey = "no response"
        let svg = map.svg
        #expect(svg.contains("class=\"empty\"") && svg.contains("fill=\"url(#heatmap-none)\""))
        #expect(svg.contains("<pattern id=\"heatmap-none\""))
        #expect(svg.contains("class=\"legend-empty\"") && svg.contains(">no response</text>"))
        #expect(map.markCount == 1)
    }

    @Test("a flagged heat-map cell is outlined, explained in its tooltip and keyed; others are not")
    func heatMapFlaggedCell() {
        var map = HeatMap(kind: "heatmap", title: "p95", x: ChartAxis("size", unit: .count("")), y: ChartAxis("rate", unit: .count("")),
                          xLabels: ["5", "10"], yLabels: ["100/s"], values: [[0.004, 0.04]], valueTitle: "p95", valueUnit: .seconds)
        #expect(!map.svg.contains("class=\"flagged\""), "nothing flagged unless asked")
        map.flagged = [[true, false]]
        map.flaggedMeaning = "most failed"
        map.flaggedKey = "mostly failed"
        let svg = map.svg
        #expect(svg.components(separatedBy: "class=\"flagged\"").count - 1 == 1)
        #expect(svg.contains("class=\"legend-flagged\"") && svg.contains(">mostly failed</text>"))
        #expect(svg.contains("most failed</title>"))
    }

    @Test("warnings that differ only in their figures are listed once, with how many they stand for")
    func warningsFoldedByShape() {
        let at = { (rate: Int, u: Double) in "open load overloads database primary at 1,\(rate)/s: analytic utilization \(u)" }
        let folded = foldingNumberVariants([at(200, 1.2), "pool db2 is small", at(300, 1.3), "pool db3 is small", at(400, 1.4)])
        #expect(folded == [at(200, 1.2) + " (and 2 more like it, with other figures)", "pool db2 is small", "pool db3 is small"])
        #expect(foldingNumberVariants(["a", "b"]) == ["a", "b"])
    }

    @Test("axes name figures in the catalog's words, not their keys")
    func humanNames() {
        #expect(humanFigureName("overall.all.p95_seconds") == "p95 latency, all endpoints")
        #expect(humanFigureName("endpoints.search.p99_seconds") == "p99 latency, search")
        #expect(!humanFigureName("pools.prisma.mean_wait_seconds").contains("_"))
    }

    @Test("backquoted words in page text become code, not literal backquotes")
    func backquotes() {
        #expect(Markup.prose("pool `prisma` is full") == "pool <code>prisma</code> is full")
        #expect(Markup.prose("a <b> `x`") == "a &lt;b&gt; <code>x</code>")
        #expect(Markup.prose("one ` alone") == "one ` alone")
    }
}

@Suite("Colour at a terminal")
struct TerminalColorTests {
    @Test("verdict words are coloured, whole words only")
    func paintsVerdicts() {
        let painted = TerminalColor.paint("p95<250ms  212 ms  FAIL\nsearch passes  pass")
        #expect(painted.contains("\u{1B}[1;31mFAIL\u{1B}[0m"))
        #expect(painted.contains("\u{1B}[32mpass\u{1B}[0m"))
        #expect(painted.contains("search passes"), "`passes` is not the verdict `pass`")
    }

    @Test("NO_COLOR (non-empty) and TERM=dumb turn colour off; a pipe never has it")
    func noColor() {
        #expect(!TerminalColor.enabled(fd: 1, environment: ["NO_COLOR": "1"]))
        #expect(!TerminalColor.enabled(fd: 1, environment: ["TERM": "dumb"]))
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        #expect(!TerminalColor.enabled(fd: fds[1], environment: [:]))
        close(fds[0]); close(fds[1])
    }
}

@Suite("Bar charts")
struct BarChartReadabilityTests {
    @Test("the longest bar's value stays inside the chart, and an interval below zero stops at the axis")
    func valueInsideAndWhiskerClipped() {
        let chart = BarChart(kind: "bars", title: "Throughput", value: ChartAxis("throughput", unit: .perSecond("req")),
                             categories: ["search", "checkout"],
                             series: [BarSeries(name: "simulated", values: [BarValue(value: 57.8, low: 55.6, high: 60),
                                                                           BarValue(value: 0.3, low: -0.8, high: 1.4)], color: "#000")])
        let svg = chart.svg
        // The label of 57.8 req/s: anchored at its end inside the bar, not starting past 940 px.
        let label = svg.components(separatedBy: ">57.8 req/s</text>")[0].components(separatedBy: "<text").last ?? ""
        #expect(label.contains("text-anchor=\"end\""), "\(label)")
        #expect(svg.contains("class=\"ci-clipped\""))
        #expect(svg.contains("interval clipped: it reaches -0.800 req/s"))
    }
}
