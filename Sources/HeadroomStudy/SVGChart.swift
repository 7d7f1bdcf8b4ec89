import Foundation

// Charts drawn as inline SVG from a report's own numbers: no script, no network, no vendored
// library. Every data mark carries class="mark" (the browser test counts them) and a <title>
// with its value (the browser shows it on hover).

// MARK: - Markup

enum Markup {
    /// Text safe inside an HTML/SVG element or a quoted attribute: & < > " ' escaped.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// An SVG coordinate: one decimal is a tenth of a pixel at 100 % zoom.
    static func coordinate(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(format: "%.1f", r)
    }
}

// MARK: - Units on axes

/// What an axis measures; decides the display unit (seconds shown as ms when small, fractions as %).
public enum ChartUnit: Sendable, Hashable {
    /// Durations in seconds.
    case seconds
    /// Rates in events per second; the word says what is counted (`req`, `queries`).
    case perSecond(String)
    /// Fractions in [0, 1], shown in percent.
    case fraction
    /// A count or another plain number; the string names it (`connections`, `requests`), may be empty.
    case count(String)
    /// A dimensionless ratio (Headroom ÷ document), shown as `2×`.
    case ratio

    /// The scale factor and unit text for values up to `magnitude` (the largest absolute value shown).
    func display(magnitude: Double) -> (factor: Double, unit: String) {
        switch self {
        case .seconds:
            if magnitude >= 2 { return (1, "s") }
            if magnitude >= 0.002 || magnitude == 0 { return (1000, "ms") }
            return (1e6, "µs")
        case .perSecond(let what): return (1, what.isEmpty ? "/s" : "\(what)/s")
        case .fraction: return (100, "%")
        case .count(let what): return (1, what)
        case .ratio: return (1, "×")
        }
    }

    /// One value with its unit, for tooltips and labels: `12.3 ms`, `45.2 req/s`, `61.0 %`.
    func text(_ v: Double) -> String {
        guard v.isFinite else { return v.isNaN ? "n/a" : "∞" }
        let (k, u) = display(magnitude: abs(v))
        let x = v * k
        let digits = abs(x) >= 100 || x == x.rounded() && abs(x) >= 10 ? 0 : abs(x) >= 10 ? 1 : abs(x) >= 1 ? 2 : 3
        var s = String(format: "%.\(digits)f", x)
        if case .count = self, x == x.rounded(), abs(x) < 1e15 { s = String(Int(x)) }
        if case .ratio = self { return s + "×" }
        return u.isEmpty ? s : s + " " + u
    }
}

/// An axis: its title and unit make the label (`p95 latency (ms)`); `logarithmic` for ratios.
public struct ChartAxis: Sendable, Hashable {
    public var title: String
    public var unit: ChartUnit
    public var logarithmic: Bool

    public init(_ title: String, unit: ChartUnit, logarithmic: Bool = false) {
        self.title = title
        self.unit = unit
        self.logarithmic = logarithmic
    }

    /// The label under (or beside) the axis, with the display unit of values up to `magnitude`.
    func label(magnitude: Double) -> String {
        let u = unit.display(magnitude: magnitude).unit
        if logarithmic { return u.isEmpty ? "\(title) (log scale)" : "\(title) (\(u), log scale)" }
        return u.isEmpty ? title : "\(title) (\(u))"
    }
}

// MARK: - Scales

/// Maps a domain onto pixels, linearly or logarithmically, with round tick values.
struct ChartScale {
    var low: Double
    var high: Double
    var from: Double
    var to: Double
    var logarithmic: Bool

    /// A scale whose domain covers `values`, widened to round ticks; from zero when `includeZero`.
    init(covering values: [Double], includeZero: Bool, logarithmic: Bool = false, from: Double, to: Double) {
        let finite = values.filter { $0.isFinite && (!logarithmic || $0 > 0) }
        var lo = finite.min() ?? (logarithmic ? 1 : 0)
        var hi = finite.max() ?? 1
        if logarithmic {
            lo = pow(10, (log10(lo)).rounded(.down))
            hi = pow(10, (log10(hi)).rounded(.up))
            if hi <= lo { hi = lo * 10 }
        } else {
            if includeZero { lo = min(lo, 0); hi = max(hi, 0) }
            if hi == lo { hi = lo == 0 ? 1 : lo + abs(lo) * 0.1 }
            let step = ChartScale.niceStep((hi - lo) / 5)
            lo = (lo / step).rounded(.down) * step
            hi = (hi / step).rounded(.up) * step
        }
        self.low = lo
        self.high = hi
        self.from = from
        self.to = to
        self.logarithmic = logarithmic
    }

    init(low: Double, high: Double, from: Double, to: Double) {
        self.low = low; self.high = high; self.from = from; self.to = to; self.logarithmic = false
    }

    func callAsFunction(_ v: Double) -> Double {
        if logarithmic {
            let x = max(v, low * 1e-3)
            return from + (log10(x) - log10(low)) / (log10(high) - log10(low)) * (to - from)
        }
        return from + (v - low) / (high - low) * (to - from)
    }

    /// 1, 2 or 5 times a power of ten, the smallest at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let p = pow(10, log10(raw).rounded(.down))
        for m in [1.0, 2, 5, 10] where m * p >= raw * (1 - 1e-9) { return m * p }
        return 10 * p
    }

    /// Round values inside the domain: about five on a linear scale, 1-2-5 per decade on a log one.
    var ticks: [Double] {
        if logarithmic {
            var out: [Double] = []
            var decade = low
            let multiples: [Double] = log10(high / low) > 3.5 ? [1] : [1, 2, 5]
            while decade <= high * (1 + 1e-9) {
                for m in multiples where decade * m <= high * (1 + 1e-9) { out.append(decade * m) }
                decade *= 10
            }
            return out
        }
        let step = ChartScale.niceStep((high - low) / 5)
        var out: [Double] = []
        var i = (low / step).rounded(.up)
        while i * step <= high + step * 1e-9 {
            let v = i * step
            out.append(abs(v) < step * 1e-9 ? 0 : v)
            i += 1
        }
        return out
    }

    /// Tick labels in the display unit, with as many decimals as the step needs.
    func tickLabels(factor: Double) -> [String] {
        let t = ticks
        guard t.count > 1 else { return t.map { ChartScale.plain($0 * factor, decimals: 3) } }
        if logarithmic {
            return t.map { v in
                let x = v * factor
                return x < 0.001 || x >= 1e6 ? String(format: "%g", x) : ChartScale.plain(x, decimals: max(0, Int(-log10(x).rounded(.down))))
            }
        }
        let step = (t[1] - t[0]) * factor
        let decimals = max(0, Int(-log10(step).rounded(.down)))
        return t.map { ChartScale.plain($0 * factor, decimals: decimals) }
    }

    static func plain(_ v: Double, decimals: Int) -> String {
        let s = String(format: "%.\(min(decimals, 6))f", v)
        return s == "-0" ? "0" : s
    }
}

// MARK: - Palette

enum ChartPalette {
    /// Okabe and Ito's colour-blind-safe palette (yellow left out: too light on white).
    static let series = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#999999"]
    static func color(_ i: Int) -> String { series[i % series.count] }
    static let pass = "#009E73"
    static let fail = "#D55E00"
    static let muted = "#BBBBBB"
    static let grid = "#E5E5E5"
    static let axis = "#333333"
}

// MARK: - Shared frame

/// Width of every chart's view box; the page scales it to the column (about 1000 px at 1280).
let chartWidth = 1000.0

/// The SVG element around a chart's body, with its kind for tests and its accessible title.
func svgDocument(kind: String, title: String, height: Double, body: String) -> String {
    """
    <svg class="chart" data-kind="\(Markup.escape(kind))" role="img" aria-label="\(Markup.escape(title))" \
    viewBox="0 0 \(Int(chartWidth)) \(Int(height.rounded(.up)))" xmlns="http://www.w3.org/2000/svg">
    <title>\(Markup.escape(title))</title>
    \(body)</svg>
    """
}

func svgText(_ text: String, x: Double, y: Double, anchor: String = "start", size: Double = 13,
             weight: String? = nil, rotate: Bool = false, fill: String = ChartPalette.axis, cssClass: String? = nil) -> String {
    var s = "<text x=\"\(Markup.coordinate(x))\" y=\"\(Markup.coordinate(y))\" font-size=\"\(Markup.coordinate(size))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\""
    if let weight { s += " font-weight=\"\(weight)\"" }
    if let cssClass { s += " class=\"\(cssClass)\"" }
    if rotate { s += " transform=\"rotate(-90 \(Markup.coordinate(x)) \(Markup.coordinate(y)))\"" }
    return s + ">\(Markup.escape(text))</text>\n"
}

/// A label no longer than `limit` characters (the full text stays in the mark's tooltip).
func shortened(_ s: String, _ limit: Int) -> String {
    s.count <= limit ? s : String(s.prefix(max(1, limit - 1))) + "…"
}

/// Width of a legend row (swatch, gap and name per entry).
func legendWidth(_ names: [String]) -> Double {
    names.reduce(0) { $0 + 30 + Double(shortened($1, 40).count) * 7.2 }
}

/// How far the plot moves down so that the legend gets a line of its own under the title, when
/// the two do not fit side by side (0 when they do).
func legendDrop(title: String, titleX: Double, legend names: [String], right: Double) -> Double {
    guard !names.isEmpty else { return 0 }
    return titleX + Double(title.count) * 9.2 + 24 > right - legendWidth(names) ? 22 : 0
}

/// A legend row at the top right: swatch and name per entry.
func svgLegend(_ entries: [(name: String, color: String, dashed: Bool)], right: Double, y: Double, dots: Set<String> = []) -> String {
    guard !entries.isEmpty else { return "" }
    let widths = entries.map { 30 + Double(shortened($0.name, 40).count) * 7.2 }
    var x = right - widths.reduce(0, +)
    var s = "<g class=\"legend\">\n"
    for (e, w) in zip(entries, widths) {
        if dots.contains(e.name) {
            s += "<circle cx=\"\(Markup.coordinate(x + 9))\" cy=\"\(Markup.coordinate(y - 4))\" r=\"4\" fill=\"\(e.color)\"/>\n"
            s += svgText(shortened(e.name, 40), x: x + 22, y: y, size: 12)
            x += w
            continue
        }
        s += "<line x1=\"\(Markup.coordinate(x))\" y1=\"\(Markup.coordinate(y - 4))\" x2=\"\(Markup.coordinate(x + 18))\" y2=\"\(Markup.coordinate(y - 4))\" stroke=\"\(e.color)\" stroke-width=\"3\"\(e.dashed ? " stroke-dasharray=\"5 3\"" : "")/>\n"
        s += svgText(shortened(e.name, 40), x: x + 22, y: y, size: 12)
        x += w
    }
    return s + "</g>\n"
}

// MARK: - XY chart (lines, points, shaded bands)

/// One point of a series; `low`/`high` draw an error bar (a confidence interval).
public struct ChartPoint: Sendable, Hashable {
    public var x: Double
    public var y: Double
    public var low: Double?
    public var high: Double?
    /// Shown beside the point (e.g. `cheapest`).
    public var label: String?
    /// The tooltip's first line (e.g. the configuration); the value follows.
    public var note: String?

    public init(x: Double, y: Double, low: Double? = nil, high: Double? = nil, label: String? = nil, note: String? = nil) {
        self.x = x; self.y = y; self.low = low; self.high = high; self.label = label; self.note = note
    }
}

public struct ChartSeries: Sendable, Hashable {
    public enum Style: Sendable, Hashable { case line, points, lineAndPoints }
    public var name: String
    public var points: [ChartPoint]
    public var style: Style
    public var color: String
    public var dashed: Bool

    public init(name: String, points: [ChartPoint], style: Style = .lineAndPoints, color: String, dashed: Bool = false) {
        self.name = name; self.points = points; self.style = style; self.color = color; self.dashed = dashed
    }
}

/// A shaded stretch of the x axis (a phase of the load, the warm-up).
public struct ChartBand: Sendable, Hashable {
    public var from: Double
    public var to: Double
    public var label: String
    public init(from: Double, to: Double, label: String) { self.from = from; self.to = to; self.label = label }
}

/// A horizontal line at a value of y (an SLO's threshold, 100 % utilization).
public struct ChartReference: Sendable, Hashable {
    public var value: Double
    public var label: String
    public init(value: Double, label: String) { self.value = value; self.label = label }
}

/// Lines and points against a numeric x axis, or against categories (`xCategories`: x is the index).
public struct XYChart: Sendable {
    public var kind: String
    public var title: String
    public var x: ChartAxis
    public var y: ChartAxis
    public var series: [ChartSeries]
    public var bands: [ChartBand] = []
    public var references: [ChartReference] = []
    public var xCategories: [String]? = nil
    public var height = 380.0

    public init(kind: String, title: String, x: ChartAxis, y: ChartAxis, series: [ChartSeries]) {
        self.kind = kind; self.title = title; self.x = x; self.y = y; self.series = series
    }

    /// Data marks drawn: one per point of every series that shows points, one per line otherwise.
    public var markCount: Int {
        series.reduce(0) { n, s in
            s.style == .line ? n + (s.points.count > 1 ? 1 : s.points.count) : n + s.points.count
        }
    }

    public var svg: String {
        let legendNames = series.filter { !$0.points.isEmpty }.map(\.name)
        let drop = legendDrop(title: title, titleX: 78, legend: legendNames, right: chartWidth - 24)
        let height = self.height + drop
        let left = 78.0, right = chartWidth - 24, top = 40.0 + drop, bottom = height - 58
        let xs = series.flatMap { $0.points.map(\.x) } + bands.flatMap { [$0.from, $0.to] }
        // Intervals count in the domain only where they are drawn (whiskers on points, not on lines).
        let ys = series.flatMap { s in
            s.points.flatMap { s.style == .line ? [$0.y] : [$0.y, $0.low ?? $0.y, $0.high ?? $0.y] }
        } + references.map(\.value)
        let xScale: ChartScale
        if let cats = xCategories {
            let pad = 0.5
            xScale = ChartScale(low: -pad, high: Double(max(cats.count, 1)) - 1 + pad, from: left, to: right)
        } else if x.logarithmic {
            xScale = ChartScale(covering: xs, includeZero: false, logarithmic: true, from: left, to: right)
        } else {
            // A tight x domain (no zero): loads and times start where the data does.
            // A tight x domain: loads and times span exactly the data (and the bands), 2 % padding around points.
            var s = ChartScale(covering: xs, includeZero: false, from: left, to: right)
            if let lo = xs.filter(\.isFinite).min(), let hi = xs.filter(\.isFinite).max(), hi > lo {
                let pad = bands.isEmpty ? (hi - lo) * 0.02 : 0
                s.low = lo - pad
                s.high = hi + pad
            }
            xScale = s
        }
        let yScale = ChartScale(covering: ys, includeZero: !y.logarithmic, logarithmic: y.logarithmic, from: bottom, to: top)
        let yMagnitude = max(abs(yScale.low), abs(yScale.high))
        let (yFactor, _) = y.unit.display(magnitude: yMagnitude)
        var body = svgText(title, x: left, y: 22, size: 16, weight: "600")

        // Bands under everything.
        for (i, b) in bands.enumerated() {
            let x0 = max(left, xScale(b.from)), x1 = min(right, xScale(b.to))
            guard x1 > x0 else { continue }
            body += "<rect class=\"band\" x=\"\(Markup.coordinate(x0))\" y=\"\(Markup.coordinate(top))\" width=\"\(Markup.coordinate(x1 - x0))\" height=\"\(Markup.coordinate(bottom - top))\" fill=\"\(i % 2 == 0 ? "#EEF3F8" : "#F7F2E8")\"><title>\(Markup.escape(b.label))</title></rect>\n"
            body += svgText(shortened(b.label, max(3, Int((x1 - x0) / 7))), x: (x0 + x1) / 2, y: top + 14, anchor: "middle", size: 11, fill: "#555555")
        }
        // Grid and y ticks.
        for (v, label) in zip(yScale.ticks, yScale.tickLabels(factor: yFactor)) {
            let py = yScale(v)
            body += "<line x1=\"\(Markup.coordinate(left))\" y1=\"\(Markup.coordinate(py))\" x2=\"\(Markup.coordinate(right))\" y2=\"\(Markup.coordinate(py))\" stroke=\"\(ChartPalette.grid)\"/>\n"
            body += svgText(label, x: left - 8, y: py + 4, anchor: "end", size: 12)
        }
        // x ticks.
        if let cats = xCategories {
            let every = max(1, Int((Double(cats.count) * 60 / (right - left)).rounded(.up)))
            for (i, c) in cats.enumerated() where i % every == 0 {
                body += svgText(shortened(c, 14), x: xScale(Double(i)), y: bottom + 18, anchor: "middle", size: 12)
            }
        } else {
            let xMagnitude = max(abs(xScale.low), abs(xScale.high))
            let (xFactor, _) = x.unit.display(magnitude: xMagnitude)
            for (v, label) in zip(xScale.ticks, xScale.tickLabels(factor: xFactor)) where v >= xScale.low && v <= xScale.high {
                let px = xScale(v)
                body += "<line x1=\"\(Markup.coordinate(px))\" y1=\"\(Markup.coordinate(bottom))\" x2=\"\(Markup.coordinate(px))\" y2=\"\(Markup.coordinate(bottom + 5))\" stroke=\"\(ChartPalette.axis)\"/>\n"
                body += svgText(label, x: px, y: bottom + 18, anchor: "middle", size: 12)
            }
        }
        // Axes and their labels.
        body += "<line x1=\"\(Markup.coordinate(left))\" y1=\"\(Markup.coordinate(bottom))\" x2=\"\(Markup.coordinate(right))\" y2=\"\(Markup.coordinate(bottom))\" stroke=\"\(ChartPalette.axis)\"/>\n"
        body += "<line x1=\"\(Markup.coordinate(left))\" y1=\"\(Markup.coordinate(top))\" x2=\"\(Markup.coordinate(left))\" y2=\"\(Markup.coordinate(bottom))\" stroke=\"\(ChartPalette.axis)\"/>\n"
        let xLabel = xCategories == nil ? x.label(magnitude: max(abs(xScale.low), abs(xScale.high))) : x.label(magnitude: 0)
        body += svgText(xLabel, x: (left + right) / 2, y: height - 14, anchor: "middle", size: 13, cssClass: "axis-label")
        body += svgText(y.label(magnitude: yMagnitude), x: 18, y: (top + bottom) / 2, anchor: "middle", size: 13, rotate: true, cssClass: "axis-label")
        // References.
        for r in references {
            let py = yScale(r.value)
            guard py >= top - 1 && py <= bottom + 1 else { continue }
            body += "<line class=\"reference\" x1=\"\(Markup.coordinate(left))\" y1=\"\(Markup.coordinate(py))\" x2=\"\(Markup.coordinate(right))\" y2=\"\(Markup.coordinate(py))\" stroke=\"#B00020\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n"
            body += svgText(r.label, x: right - 4, y: py - 5, anchor: "end", size: 12, fill: "#B00020")
        }
        // Series.
        let xNote = x.unit
        for s in series {
            let pts = s.points.filter { $0.x.isFinite && $0.y.isFinite }
            body += "<g class=\"series\" data-series=\"\(Markup.escape(s.name))\">\n"
            for p in pts {
                if let lo = p.low, let hi = p.high, lo.isFinite, hi.isFinite, s.style != .line {
                    let px = xScale(p.x)
                    body += "<line class=\"ci\" x1=\"\(Markup.coordinate(px))\" y1=\"\(Markup.coordinate(yScale(lo)))\" x2=\"\(Markup.coordinate(px))\" y2=\"\(Markup.coordinate(yScale(hi)))\" stroke=\"\(s.color)\" stroke-width=\"1.5\" opacity=\"0.6\"/>\n"
                }
            }
            if s.style != .points && pts.count > 1 {
                let path = pts.enumerated().map { i, p in "\(i == 0 ? "M" : "L")\(Markup.coordinate(xScale(p.x))) \(Markup.coordinate(yScale(p.y)))" }.joined(separator: " ")
                let markClass = s.style == .line ? "mark line" : "line"
                body += "<path class=\"\(markClass)\" d=\"\(path)\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\"\(s.dashed ? " stroke-dasharray=\"6 4\"" : "")><title>\(Markup.escape(s.name))</title></path>\n"
            } else if s.style == .line, let p = pts.first {
                body += "<circle class=\"mark\" cx=\"\(Markup.coordinate(xScale(p.x)))\" cy=\"\(Markup.coordinate(yScale(p.y)))\" r=\"3\" fill=\"\(s.color)\"><title>\(Markup.escape(s.name))</title></circle>\n"
            }
            if s.style != .line {
                for p in pts {
                    let xText = xCategories.map { cats in Int(p.x) < cats.count && p.x >= 0 ? cats[Int(p.x)] : "" } ?? xNote.text(p.x)
                    var tip = p.note.map { $0 + "\n" } ?? ""
                    tip += "\(s.name): \(y.unit.text(p.y))"
                    if let lo = p.low, let hi = p.high { tip += " [\(y.unit.text(lo)), \(y.unit.text(hi))]" }
                    tip += " at \(x.title) \(xText)"
                    body += "<circle class=\"mark\" cx=\"\(Markup.coordinate(xScale(p.x)))\" cy=\"\(Markup.coordinate(yScale(p.y)))\" r=\"\(p.label == nil ? 4 : 6)\" fill=\"\(s.color)\"\(p.label == nil ? "" : " stroke=\"#000\" stroke-width=\"1.5\"")><title>\(Markup.escape(tip))</title></circle>\n"
                    if let label = p.label {
                        // Right of the point, or left of it where the label would leave the plot.
                        let px = xScale(p.x)
                        let fits = px + 9 + Double(label.count) * 7.5 <= chartWidth - 4
                        body += svgText(label, x: fits ? px + 9 : px - 9, y: yScale(p.y) - 8, anchor: fits ? "start" : "end",
                                        size: 12, weight: "600", fill: s.color)
                    }
                }
            }
            body += "</g>\n"
        }
        body += svgLegend(series.filter { !$0.points.isEmpty }.map { ($0.name, $0.color, $0.dashed) }, right: right, y: 22 + drop,
                          dots: Set(series.filter { $0.style == .points }.map(\.name)))
        return svgDocument(kind: kind, title: title, height: height, body: body)
    }
}

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
            body += svgText(shortened(category, Int((labelWidth - 16) / 7.4)), x: left - 8, y: y0 + Double(series.count) * barHeight / 2 + 4, anchor: "end", size: 13)
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
                    body += "<line class=\"ci\" x1=\"\(Markup.coordinate(scale(lo)))\" y1=\"\(Markup.coordinate(cy))\" x2=\"\(Markup.coordinate(scale(hi)))\" y2=\"\(Markup.coordinate(cy))\" stroke=\"#222\" stroke-width=\"1.5\"/>\n"
                }
                if let a = v.analytic, a.isFinite {
                    let ax = scale(a)
                    body += "<line class=\"analytic\" x1=\"\(Markup.coordinate(ax))\" y1=\"\(Markup.coordinate(y))\" x2=\"\(Markup.coordinate(ax))\" y2=\"\(Markup.coordinate(y + barHeight))\" stroke=\"#000\" stroke-width=\"3\"/>\n"
                }
                body += svgText(value.unit.text(v.value), x: max(x1, v.high.map { scale($0) } ?? x1) + 5, y: y + barHeight - 4, size: 11, fill: "#444444")
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

// MARK: - Heat map

/// A grid of cells coloured by value (a sequential scale, light to dark) or by category.
public struct HeatMap: Sendable {
    public var kind: String
    public var title: String
    public var x: ChartAxis
    public var y: ChartAxis
    public var xLabels: [String]
    public var yLabels: [String]
    /// Row-major: `values[row][column]`, rows follow `yLabels`; nil leaves the cell blank.
    public var values: [[Double?]]
    /// The unit of the values (the colour scale).
    public var valueUnit: ChartUnit
    public var valueTitle: String
    /// Categorical cells instead: (name, colour) per category, and `values` hold category indices.
    public var categories: [(name: String, color: String)]? = nil
    /// Per cell, the tooltip's first line (row-major like `values`).
    public var notes: [[String]]? = nil

    public init(kind: String, title: String, x: ChartAxis, y: ChartAxis, xLabels: [String], yLabels: [String],
                values: [[Double?]], valueTitle: String, valueUnit: ChartUnit) {
        self.kind = kind; self.title = title; self.x = x; self.y = y; self.xLabels = xLabels; self.yLabels = yLabels
        self.values = values; self.valueTitle = valueTitle; self.valueUnit = valueUnit
    }

    public var markCount: Int { values.reduce(0) { $0 + $1.compactMap { $0 }.filter(\.isFinite).count } }

    /// White to dark blue (viridis would need a table; two endpoints keep it honest and readable).
    static func sequential(_ t: Double) -> String {
        let u = max(0, min(1, t.isFinite ? t : 0))
        let a = (247.0, 251.0, 255.0), b = (8.0, 48.0, 107.0)
        func mix(_ p: Double, _ q: Double) -> Int { Int((p + (q - p) * u).rounded()) }
        return String(format: "#%02X%02X%02X", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    public var svg: String {
        let labelWidth = min(220, 30 + Double(yLabels.map(\.count).max() ?? 4) * 7.4)
        let left = labelWidth + 24, right = chartWidth - 130, top = 46.0
        let cellWidth = (right - left) / Double(max(1, xLabels.count))
        let cellHeight = max(18, min(44, 360 / Double(max(1, yLabels.count))))
        let bottom = top + cellHeight * Double(yLabels.count)
        let height = bottom + 64
        let finite = values.flatMap { $0.compactMap { $0 } }.filter(\.isFinite)
        let lo = finite.min() ?? 0, hi = finite.max() ?? 1
        let (factor, _) = valueUnit.display(magnitude: max(abs(lo), abs(hi)))
        // Values spanning more than a factor of 20 (latencies near saturation) are coloured by their
        // logarithm, or every cell but the worst would look the same.
        let logColour = categories == nil && lo > 0 && hi / lo >= 20
        func position(_ v: Double) -> Double {
            guard hi > lo else { return 0.5 }
            return logColour ? log(v / lo) / log(hi / lo) : (v - lo) / (hi - lo)
        }
        var body = svgText(title, x: 10, y: 22, size: 16, weight: "600")
        let labelEvery = max(1, Int((Double(xLabels.count) * 56 / (right - left)).rounded(.up)))
        for (i, l) in xLabels.enumerated() where i % labelEvery == 0 {
            body += svgText(shortened(l, max(3, Int(cellWidth * Double(labelEvery) / 7))), x: left + (Double(i) + 0.5) * cellWidth, y: bottom + 18, anchor: "middle", size: 12)
        }
        for (j, l) in yLabels.enumerated() {
            body += svgText(shortened(l, Int(labelWidth / 7.4)), x: left - 8, y: top + (Double(j) + 0.5) * cellHeight + 4, anchor: "end", size: 12)
        }
        body += svgText(x.label(magnitude: 0), x: (left + right) / 2, y: height - 16, anchor: "middle", size: 13, cssClass: "axis-label")
        body += svgText(y.label(magnitude: 0), x: 16, y: (top + bottom) / 2, anchor: "middle", size: 13, rotate: true, cssClass: "axis-label")
        for (j, row) in values.enumerated() {
            for (i, v) in row.enumerated() {
                guard let v, v.isFinite else { continue }
                let color: String
                var valueText: String
                if let cats = categories {
                    let k = max(0, min(cats.count - 1, Int(v)))
                    color = cats[k].color
                    valueText = cats[k].name
                } else {
                    color = HeatMap.sequential(position(v))
                    valueText = valueUnit.text(v)
                }
                let note = notes.flatMap { j < $0.count && i < $0[j].count ? $0[j][i] : nil }
                let tip = (note.map { $0 + "\n" } ?? "\(y.title) \(yLabels[j]), \(x.title) \(xLabels[i])\n") + "\(valueTitle): \(valueText)"
                let cx = left + Double(i) * cellWidth, cy = top + Double(j) * cellHeight
                body += "<rect class=\"mark\" x=\"\(Markup.coordinate(cx))\" y=\"\(Markup.coordinate(cy))\" width=\"\(Markup.coordinate(cellWidth - 1))\" height=\"\(Markup.coordinate(cellHeight - 1))\" fill=\"\(color)\"><title>\(Markup.escape(tip))</title></rect>\n"
                if categories == nil && cellWidth >= 44 && cellHeight >= 16 {
                    let t = position(v)
                    body += svgText(ChartScale.plain(v * factor, decimals: abs(v * factor) >= 100 ? 0 : abs(v * factor) >= 10 ? 1 : 2), x: cx + cellWidth / 2, y: cy + cellHeight / 2 + 4, anchor: "middle", size: 11, fill: t > 0.55 ? "#FFFFFF" : "#222222")
                }
            }
        }
        // Colour key.
        let keyX = right + 24
        if let cats = categories {
            for (k, c) in cats.enumerated() {
                let ky = top + Double(k) * 20
                body += "<rect x=\"\(Markup.coordinate(keyX))\" y=\"\(Markup.coordinate(ky))\" width=\"14\" height=\"14\" fill=\"\(c.color)\"/>\n"
                body += svgText(shortened(c.name, 12), x: keyX + 18, y: ky + 11, size: 11)
            }
        } else {
            let steps = 10
            let keyHeight = min(200, bottom - top)
            for s in 0..<steps {
                let t = 1 - Double(s) / Double(steps - 1)
                body += "<rect x=\"\(Markup.coordinate(keyX))\" y=\"\(Markup.coordinate(top + Double(s) * keyHeight / Double(steps)))\" width=\"14\" height=\"\(Markup.coordinate(keyHeight / Double(steps) + 0.5))\" fill=\"\(HeatMap.sequential(t))\"/>\n"
            }
            let u = valueUnit.display(magnitude: max(abs(lo), abs(hi))).unit
            body += svgText(valueUnit.text(hi), x: keyX + 18, y: top + 10, size: 11)
            body += svgText(valueUnit.text(lo), x: keyX + 18, y: top + keyHeight, size: 11)
            body += svgText(shortened(valueTitle + (u.isEmpty ? "" : " (\(u))"), 18), x: keyX, y: top - 8, size: 11)
            if logColour { body += svgText("log scale", x: keyX, y: top + keyHeight + 16, size: 11) }
        }
        return svgDocument(kind: kind, title: title, height: height, body: body)
    }
}

// MARK: - Dot plot (a claim per row)

/// One row of a dot plot: a value with its interval, against a reference range drawn as a band.
public struct DotRow: Sendable, Hashable {
    public var label: String
    public var value: Double
    public var low: Double?
    public var high: Double?
    /// The reference's range on the same scale (the document's figure), drawn as a grey bar.
    public var rangeLow: Double?
    public var rangeHigh: Double?
    /// The reference range is open at that end (`< 200 ms`, `at least 500/s`): drawn to the plot's edge.
    public var openLow = false
    public var openHigh = false
    /// The spread of the value over unknown parameters, drawn as a thin line.
    public var spanLow: Double?
    public var spanHigh: Double?
    public var color: String
    public var tooltip: String
    public init(label: String, value: Double, low: Double? = nil, high: Double? = nil, rangeLow: Double? = nil,
                rangeHigh: Double? = nil, color: String, tooltip: String) {
        self.label = label; self.value = value; self.low = low; self.high = high
        self.rangeLow = rangeLow; self.rangeHigh = rangeHigh; self.color = color; self.tooltip = tooltip
    }
}

/// A row per item, a dot at its value with a whisker for its interval, a grey bar for the
/// reference range, and a vertical line at `referenceValue` (1 for ratios).
public struct DotPlot: Sendable {
    public var kind: String
    public var title: String
    public var value: ChartAxis
    public var rows: [DotRow]
    public var referenceValue: Double?
    public var legend: [(name: String, color: String)] = []
    /// The axis never extends beyond this: a value outside is a triangle at the edge, pointing out.
    public var limits: (low: Double, high: Double)? = nil

    public init(kind: String, title: String, value: ChartAxis, rows: [DotRow], referenceValue: Double? = nil) {
        self.kind = kind; self.title = title; self.value = value; self.rows = rows; self.referenceValue = referenceValue
    }

    public var markCount: Int { rows.filter { $0.value.isFinite }.count }

    public var svg: String {
        let rowHeight = 22.0
        let labelWidth = min(380, 16 + Double(rows.map(\.label.count).max() ?? 4) * 7.0)
        let legendEntries = legend.map { ($0.name, $0.color, false) } + [("document's range", "#D0D0D0", false)]
        let drop = legendDrop(title: title, titleX: 10, legend: legendEntries.map(\.0), right: chartWidth - 30)
        let left = labelWidth, right = chartWidth - 30, top = 48.0 + drop
        let bottom = top + Double(rows.count) * rowHeight + 6
        let height = bottom + 52
        // On a log scale an interval reaching zero cannot end on the axis: lows count in the domain
        // down to a hundredth of their value, and a whisker below the domain runs to its edge.
        var vs: [Double] = referenceValue.map { [$0] } ?? []
        for r in rows {
            let low: Double = r.low ?? r.value
            vs += [r.value, value.logarithmic ? max(low, r.value / 100) : low, r.high ?? r.value,
                   r.openLow ? r.value : r.rangeLow ?? r.value, r.openHigh ? r.value : r.rangeHigh ?? r.value,
                   r.spanLow ?? r.value, r.spanHigh ?? r.value]
        }
        var scale = ChartScale(covering: vs, includeZero: !value.logarithmic, logarithmic: value.logarithmic, from: left, to: right)
        if let limits {
            scale.low = max(scale.low, limits.low)
            scale.high = min(scale.high, limits.high)
        }
        let magnitude = max(abs(scale.low), abs(scale.high))
        let (factor, _) = value.unit.display(magnitude: magnitude)
        var body = svgText(title, x: 10, y: 22, size: 16, weight: "600")
        var lastLabelEnd = -Double.infinity
        for (v, label) in zip(scale.ticks, scale.tickLabels(factor: factor)) {
            let px = scale(v)
            body += "<line x1=\"\(Markup.coordinate(px))\" y1=\"\(Markup.coordinate(top))\" x2=\"\(Markup.coordinate(px))\" y2=\"\(Markup.coordinate(bottom))\" stroke=\"\(ChartPalette.grid)\"/>\n"
            let text = label + (value.unit == .ratio ? "×" : "")
            let half = Double(text.count) * 3.6
            guard px - half > lastLabelEnd + 6 else { continue } // no overlapping labels
            lastLabelEnd = px + half
            body += svgText(text, x: px, y: bottom + 18, anchor: "middle", size: 12)
        }
        body += "<line x1=\"\(Markup.coordinate(left))\" y1=\"\(Markup.coordinate(bottom))\" x2=\"\(Markup.coordinate(right))\" y2=\"\(Markup.coordinate(bottom))\" stroke=\"\(ChartPalette.axis)\"/>\n"
        body += svgText(value.label(magnitude: magnitude), x: (left + right) / 2, y: height - 12, anchor: "middle", size: 13, cssClass: "axis-label")
        if let r = referenceValue {
            let px = scale(r)
            body += "<line class=\"reference\" x1=\"\(Markup.coordinate(px))\" y1=\"\(Markup.coordinate(top - 4))\" x2=\"\(Markup.coordinate(px))\" y2=\"\(Markup.coordinate(bottom))\" stroke=\"#555\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>\n"
        }
        for (i, r) in rows.enumerated() {
            let cy = top + (Double(i) + 0.5) * rowHeight
            body += svgText(shortened(r.label, Int((labelWidth - 16) / 7.0)), x: left - 8, y: cy + 4, anchor: "end", size: 12)
            /// A value's position, kept inside the plot (an interval reaching zero on a log scale ends at the edge).
            func clamped(_ v: Double) -> Double {
                if value.logarithmic && v <= 0 { return left }
                return min(right, max(left, scale(v)))
            }
            if r.rangeLow != nil || r.rangeHigh != nil {
                let x0 = r.openLow ? left : r.rangeLow.map(clamped) ?? left
                let x1 = r.openHigh ? right : r.rangeHigh.map(clamped) ?? right
                body += "<rect class=\"range\" x=\"\(Markup.coordinate(min(x0, x1) - 1))\" y=\"\(Markup.coordinate(cy - 7))\" width=\"\(Markup.coordinate(max(2, abs(x1 - x0) + 2)))\" height=\"14\" fill=\"#D0D0D0\"/>\n"
            }
            guard r.value.isFinite else { continue }
            if let lo = r.spanLow, let hi = r.spanHigh, lo.isFinite, hi.isFinite {
                body += "<line class=\"span\" x1=\"\(Markup.coordinate(clamped(lo)))\" y1=\"\(Markup.coordinate(cy))\" x2=\"\(Markup.coordinate(clamped(hi)))\" y2=\"\(Markup.coordinate(cy))\" stroke=\"\(r.color)\" stroke-width=\"1.2\" opacity=\"0.7\"/>\n"
            }
            if let lo = r.low, let hi = r.high, lo.isFinite, hi.isFinite {
                body += "<line class=\"ci\" x1=\"\(Markup.coordinate(clamped(lo)))\" y1=\"\(Markup.coordinate(cy))\" x2=\"\(Markup.coordinate(clamped(hi)))\" y2=\"\(Markup.coordinate(cy))\" stroke=\"\(r.color)\" stroke-width=\"3.5\"/>\n"
            }
            if r.value < scale.low || r.value > scale.high {
                // Off the axis: a triangle at the edge, pointing the way the value lies.
                let x = r.value < scale.low ? left : right, d = r.value < scale.low ? -8.0 : 8.0
                let points = [(x + d, cy), (x, cy - 6), (x, cy + 6)].map { "\(Markup.coordinate($0.0)),\(Markup.coordinate($0.1))" }.joined(separator: " ")
                body += "<polygon class=\"mark\" points=\"\(points)\" fill=\"\(r.color)\"><title>\(Markup.escape(r.tooltip + "\n(off the axis: \(value.unit.text(r.value)))"))</title></polygon>\n"
            } else {
                body += "<circle class=\"mark\" cx=\"\(Markup.coordinate(scale(r.value)))\" cy=\"\(Markup.coordinate(cy))\" r=\"5\" fill=\"\(r.color)\"><title>\(Markup.escape(r.tooltip))</title></circle>\n"
            }
        }
        body += svgLegend(legendEntries, right: right, y: 22 + drop)
        return svgDocument(kind: kind, title: title, height: height, body: body)
    }
}
