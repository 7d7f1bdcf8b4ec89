import Foundation
import HeadroomOutput

// MARK: - Horizontal bars

/// One bar: the value, its confidence interval, and the closed form's value where there is one.
public struct BarValue: Sendable, Hashable {
    public var value: Double
    public var low: Double?
    public var high: Double?
    public var analytic: Double?
    public init(value: Double, low: Double? = nil, high: Double? = nil, analytic: Double? = nil) {
        self.value = value; self.low = low; self.high = high; self.analytic = analytic
    }
}

public struct BarSeries: Sendable, Hashable {
    public var name: String
    /// One per category; nil leaves a gap.
    public var values: [BarValue?]
    public var color: String
    public init(name: String, values: [BarValue?], color: String) { self.name = name; self.values = values; self.color = color }
}

/// Grouped horizontal bars: a row per category (an endpoint, a pool), a bar per series, CI
/// whiskers, and a black tick where the closed form puts the value.
public struct BarChart: Sendable {
    public var kind: String
    public var title: String
    public var value: ChartAxis
    public var categories: [String]
    public var series: [BarSeries]
    public var references: [ChartReference] = []

    public init(kind: String, title: String, value: ChartAxis, categories: [String], series: [BarSeries]) {
        self.kind = kind; self.title = title; self.value = value; self.categories = categories; self.series = series
    }

    public var markCount: Int { series.reduce(0) { $0 + $1.values.compactMap { $0 }.filter { $0.value.isFinite }.count } }

    public var svg: String {
        let barHeight = 16.0, groupGap = 14.0
        let labelWidth = min(260, 16 + Double(categories.map(\.count).max() ?? 4) * 7.4)
        var legend = series.map { ($0.name, $0.color, false) }
        if series.contains(where: { $0.values.contains { $0?.analytic != nil } }) { legend.append(("analytic (closed form)", "#000000", false)) }
        let drop = legendDrop(title: title, titleX: 10, legend: legend.map(\.0), right: chartWidth - 30)
        let left = labelWidth, right = chartWidth - 30, top = 46.0 + drop
        let groupHeight = Double(series.count) * barHeight + groupGap
        let bottom = top + Double(categories.count) * groupHeight
        let height = bottom + 52
        let vs = series.flatMap { $0.values.compactMap { $0 }.flatMap { [$0.value, $0.high ?? $0.value, $0.analytic ?? $0.value] } } + references.map(\.value)
        let scale = ChartScale(covering: vs, includeZero: true, logarithmic: value.logarithmic, from: left, to: right)
        let magnitude = max(abs(scale.low), abs(scale.high))
        let (factor, _) = value.unit.display(magnitude: magnitude)
        var body = svgText(title, x: 10, y: 22, size: 16, weight: "600")
        for (v, label) in zip(scale.ticks, scale.tickLabels(factor: factor)) {
            let px = scale(v)
            body += "<line x1=\"\(Markup.coordinate(px))\" y1=\"\(Markup.coordinate(top))\" x2=\"\(Markup.coordinate(px))\" y2=\"\(Markup.coordinate(bottom))\" stroke=\"\(ChartPalette.grid)\"/>\n"
            body += svgText(label, x: px, y: bottom + 18, anchor: "middle", size: 12)
        }
        body += "<line x1=\"\(Markup.coordinate(left))\" y1=\"\(Markup.coordinate(bottom))\" x2=\"\(Markup.coordinate(right))\" y2=\"\(Markup.coordinate(bottom))\" stroke=\"\(ChartPalette.axis)\"/>\n"
        body += "<line x1=\"\(Markup.coordinate(left))\" y1=\"\(Markup.coordinate(top))\" x2=\"\(Markup.coordinate(left))\" y2=\"\(Markup.coordinate(bottom))\" stroke=\"\(ChartPalette.axis)\"/>\n"
        body += svgText(value.label(magnitude: magnitude), x: (left + right) / 2, y: height - 12, anchor: "middle", size: 13, cssClass: "axis-label")
        let zero = scale(value.logarithmic ? scale.low : 0)
        for (c, category) in categories.enumerated() {
            let y0 = top + Double(c) * groupHeight + groupGap / 2
            body += svgCategoryLabel(category, x: left - 8, y: y0 + Double(series.count) * barHeight / 2 + 4, size: 13,
                                     limit: Int((labelWidth - 16) / 7.4), twoLines: groupHeight >= 2 * 13 * 1.1)
            for (k, s) in series.enumerated() {
                guard c < s.values.count, let v = s.values[c], v.value.isFinite else { continue }
                let y = y0 + Double(k) * barHeight
                let x1 = scale(v.value)
                var tip = "\(category), \(s.name): \(value.unit.text(v.value))"
                if let lo = v.low, let hi = v.high, lo.isFinite, hi.isFinite { tip += " [\(value.unit.text(lo)), \(value.unit.text(hi))]" }
                if let a = v.analytic, a.isFinite { tip += "; analytic \(value.unit.text(a))" }
                body += "<rect class=\"mark\" x=\"\(Markup.coordinate(min(zero, x1)))\" y=\"\(Markup.coordinate(y + 1))\" width=\"\(Markup.coordinate(max(1, abs(x1 - zero))))\" height=\"\(Markup.coordinate(barHeight - 2))\" fill=\"\(s.color)\"><title>\(Markup.escape(tip))</title></rect>\n"
                if let lo = v.low, let hi = v.high, lo.isFinite, hi.isFinite, hi > lo {
                    let cy = y + barHeight / 2
                    // An interval reaching below the axis (a non-negative figure from few
                    // replications) stops at it, marked, instead of running through the labels.
                    let x0 = max(left, scale(lo))
                    body += "<line class=\"ci\" x1=\"\(Markup.coordinate(x0))\" y1=\"\(Markup.coordinate(cy))\" x2=\"\(Markup.coordinate(scale(hi)))\" y2=\"\(Markup.coordinate(cy))\" stroke=\"#222\" stroke-width=\"1.5\"/>\n"
                    if scale(lo) < left - 0.5 {
                        body += "<line class=\"ci-clipped\" x1=\"\(Markup.coordinate(x0))\" y1=\"\(Markup.coordinate(cy - 5))\" x2=\"\(Markup.coordinate(x0))\" y2=\"\(Markup.coordinate(cy + 5))\" stroke=\"#222\" stroke-width=\"2\"><title>\(Markup.escape("interval clipped: it reaches \(value.unit.text(lo))"))</title></line>\n"
                    }
                }
                if let a = v.analytic, a.isFinite {
                    let ax = scale(a)
                    body += "<line class=\"analytic\" x1=\"\(Markup.coordinate(ax))\" y1=\"\(Markup.coordinate(y))\" x2=\"\(Markup.coordinate(ax))\" y2=\"\(Markup.coordinate(y + barHeight))\" stroke=\"#000\" stroke-width=\"3\"/>\n"
                }
                // The value right of the bar and its whisker, or inside the bar's end where it
                // would run past the chart (57.8 req/s on the longest bar was cut to "57.8 req/").
                let text = value.unit.text(v.value)
                let after = max(x1, v.high.map { scale($0) } ?? x1) + 5
                if after + Double(text.count) * 6.6 <= chartWidth - 2 {
                    body += svgText(text, x: after, y: y + barHeight - 4, size: 11, fill: "#444444")
                } else {
                    body += svgText(text, x: x1 - 5, y: y + barHeight - 4, anchor: "end", size: 11, fill: "#FFFFFF")
                }
            }
        }
        for r in references {
            let px = scale(r.value)
            body += "<line class=\"reference\" x1=\"\(Markup.coordinate(px))\" y1=\"\(Markup.coordinate(top - 6))\" x2=\"\(Markup.coordinate(px))\" y2=\"\(Markup.coordinate(bottom))\" stroke=\"#B00020\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n"
            body += svgText(r.label, x: px - 4, y: top - 10, anchor: "end", size: 12, fill: "#B00020")
        }
        body += svgLegend(legend, right: right, y: 22 + drop)
        return svgDocument(kind: kind, title: title, height: height, body: body)
    }
}
