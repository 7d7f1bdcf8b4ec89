import Foundation
import HeadroomOutput

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

    /// Escaped text whose `backquoted` spans (the terminal's way of quoting a key or a value in
    /// warnings and notes) become <code>, not literal backquotes on the page.
    static func prose(_ s: String) -> String {
        let parts = s.split(separator: "`", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return escape(s) }
        var out = ""
        for (i, p) in parts.enumerated() {
            // An odd count of backquotes leaves the last one as it was.
            if i % 2 == 1 && i < parts.count - 1 || i % 2 == 1 && parts.count % 2 == 1 {
                out += "<code>" + escape(String(p)) + "</code>"
            } else {
                out += (i % 2 == 1 ? "`" : "") + escape(String(p))
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
            // All zero (or within a nanosecond, a billionth of a request: rounding noise): a unit
            // domain, not ticks too close to tell apart ("0.000000" four times).
            if hi - lo < 1e-9 * max(1, abs(lo), abs(hi)) { hi = lo == 0 || abs(lo) < 1e-9 ? 1 : lo + abs(lo) * 0.1; if abs(lo) < 1e-9 { lo = 0 } }
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
        if decimals > 6 { return t.map { String(format: "%g", $0 * factor) } }
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
func svgDocument(kind: String, title: String, height: Double, body: String,
                 plot: (left: Double, top: Double, right: Double, bottom: Double)? = nil, references: Int? = nil) -> String {
    // The plot's bounds and the references asked for: the browser test checks every mark lies
    // inside and every reference is drawn.
    let plotAttribute = plot.map { " data-plot=\"\([$0.left, $0.top, $0.right, $0.bottom].map(Markup.coordinate).joined(separator: " "))\"" } ?? ""
    let referenceAttribute = references.map { " data-references=\"\($0)\"" } ?? ""
    return """
    <svg class="chart" data-kind="\(Markup.escape(kind))"\(plotAttribute)\(referenceAttribute) role="img" aria-label="\(Markup.escape(title))" \
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

/// A category label at the left of a chart (an endpoint, a claim, a resource): on one line when it
/// fits in `limit` characters, else wrapped onto two lines at a word or name boundary (space, `.`,
/// `_`, `-`, `/`, `,`), centred on `y`; only what still does not fit is shortened. Cutting
/// "breakpoint-vendor.p95" to "bre..." hid which row was which.
func svgCategoryLabel(_ text: String, x: Double, y: Double, size: Double, limit: Int, twoLines: Bool = true) -> String {
    guard text.count > limit, twoLines, limit >= 4 else { return svgText(shortened(text, limit), x: x, y: y, anchor: "end", size: size) }
    let characters = Array(text)
    // The last boundary that leaves a first line of at most `limit` characters.
    let breakAfter = Set<Character>([" ", ".", "_", "-", "/", ","])
    var cut = limit
    if let k = (1..<min(limit, characters.count)).reversed().first(where: { breakAfter.contains(characters[$0 - 1]) }), k >= limit / 3 {
        cut = k
    }
    let first = String(characters[..<cut]).trimmingCharacters(in: .whitespaces)
    let second = shortened(String(characters[cut...]).trimmingCharacters(in: .whitespaces), limit)
    let lineHeight = size * 1.1
    let xs = Markup.coordinate(x)
    return "<text x=\"\(xs)\" y=\"\(Markup.coordinate(y - lineHeight / 2))\" font-size=\"\(Markup.coordinate(size))\" text-anchor=\"end\" fill=\"\(ChartPalette.axis)\">"
        + "<tspan x=\"\(xs)\">\(Markup.escape(first))</tspan><tspan x=\"\(xs)\" dy=\"\(Markup.coordinate(lineHeight))\">\(Markup.escape(second))</tspan></text>\n"
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

    /// The value above which points are drawn off the scale, or nil to show them all: 3 times the
    /// highest positive reference (an SLO line then sits in the lower third of the plot or above),
    /// else 5 times the median of the positive values. Only when at least two points stay on the
    /// scale (zeros count: a plan's passing configurations time out 0 %, beside failing ones at
    /// 50 %, and the `timeouts<1%` line must not sit on the floor) and the largest is more than
    /// twice the cap (a point just past it is simply drawn: the scale would shrink by less than half).
    static func offScaleCap(means: [Double], references: [Double]) -> Double? {
        let positive = means.filter { $0 > 0 }.sorted()
        guard positive.count >= 3, let largest = positive.last else { return nil }
        let cap = references.filter { $0 > 0 }.max().map { 3 * $0 } ?? 5 * positive[positive.count / 2]
        let inside = means.filter { $0 >= 0 && $0 <= cap }.count
        guard inside >= 2, largest > 2 * cap else { return nil }
        return cap
    }

    public var svg: String {
        let legendNames = series.filter { !$0.points.isEmpty }.map(\.name)
        let drop = legendDrop(title: title, titleX: 78, legend: legendNames, right: chartWidth - 24)
        let height = self.height + drop
        let left = 78.0, right = chartWidth - 24, top = 40.0 + drop, bottom = height - 58
        let xs = series.flatMap { $0.points.map(\.x) } + bands.flatMap { [$0.from, $0.to] }
        let means = series.flatMap { $0.points.map(\.y) }.filter(\.isFinite)
        // A quantity whose every value is non-negative (a latency, a rate, a utilization) is never
        // drawn below zero: intervals reaching below it (few replications) are clipped and marked.
        let nonNegative = !means.isEmpty && means.allSatisfy { $0 >= 0 }
        // Points far above the others (an overloaded cell's seconds beside milliseconds) or far
        // above the highest reference (an SLO) stay off the scale, drawn as markers at its top edge.
        let cap = y.logarithmic ? nil : XYChart.offScaleCap(means: means, references: references.map(\.value))
        // Intervals count in the domain only where they are drawn (whiskers on points, not on lines).
        let ys = series.flatMap { s in
            s.points.filter { p in cap.map { p.y <= $0 } ?? true }.flatMap { p -> [Double] in
                guard s.style != .line else { return [p.y] }
                let low = p.low.map { nonNegative ? max(0, $0) : $0 } ?? p.y
                let high = p.high.map { h in cap.map { min(h, $0) } ?? h } ?? p.y
                return [p.y, low, high]
            }
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
        var yScale = ChartScale(covering: ys, includeZero: !y.logarithmic, logarithmic: y.logarithmic, from: bottom, to: top)
        if nonNegative && !y.logarithmic { yScale.low = max(0, yScale.low) }
        /// A value's vertical position, held inside the plot (off-scale values at its edge).
        func clampedY(_ v: Double) -> Double { min(bottom, max(top, yScale(v))) }
        let offScale = { (v: Double) -> Bool in !y.logarithmic && v > yScale.high * (1 + 1e-9) }
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
        var offScaleLabels = 0
        for s in series {
            let pts = s.points.filter { $0.x.isFinite && $0.y.isFinite }
            body += "<g class=\"series\" data-series=\"\(Markup.escape(s.name))\">\n"
            for p in pts {
                if let lo = p.low, let hi = p.high, lo.isFinite, hi.isFinite, s.style != .line, !offScale(p.y) {
                    let px = xScale(p.x)
                    let y1 = clampedY(lo), y2 = clampedY(hi)
                    body += "<line class=\"ci\" x1=\"\(Markup.coordinate(px))\" y1=\"\(Markup.coordinate(y1))\" x2=\"\(Markup.coordinate(px))\" y2=\"\(Markup.coordinate(y2))\" stroke=\"\(s.color)\" stroke-width=\"1.5\" opacity=\"0.6\"/>\n"
                    // A clipped end: a short bar across the whisker, with what was cut.
                    for (end, drawn, edge) in [(lo, y1, "below \(y.unit.text(yScale.low))"), (hi, y2, "above \(y.unit.text(yScale.high))")]
                    where abs(drawn - yScale(end)) > 0.5 {
                        body += "<line class=\"ci-clipped\" x1=\"\(Markup.coordinate(px - 5))\" y1=\"\(Markup.coordinate(drawn))\" x2=\"\(Markup.coordinate(px + 5))\" y2=\"\(Markup.coordinate(drawn))\" stroke=\"\(s.color)\" stroke-width=\"2\"><title>\(Markup.escape("interval clipped: it reaches \(y.unit.text(end)), \(edge)"))</title></line>\n"
                    }
                }
            }
            if s.style != .points && pts.count > 1 {
                let path = pts.enumerated().map { i, p in "\(i == 0 ? "M" : "L")\(Markup.coordinate(xScale(p.x))) \(Markup.coordinate(clampedY(p.y)))" }.joined(separator: " ")
                let markClass = s.style == .line ? "mark line" : "line"
                body += "<path class=\"\(markClass)\" d=\"\(path)\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\"\(s.dashed ? " stroke-dasharray=\"6 4\"" : "")><title>\(Markup.escape(s.name))</title></path>\n"
            } else if s.style == .line, let p = pts.first {
                body += "<circle class=\"mark\" cx=\"\(Markup.coordinate(xScale(p.x)))\" cy=\"\(Markup.coordinate(clampedY(p.y)))\" r=\"3\" fill=\"\(s.color)\"><title>\(Markup.escape(s.name))</title></circle>\n"
            }
            if s.style != .line {
                for p in pts where offScale(p.y) {
                    // Off the scale: a triangle at the top edge, labelled with the value.
                    let px = xScale(p.x)
                    let xText = xCategories.map { cats in Int(p.x) < cats.count && p.x >= 0 ? cats[Int(p.x)] : "" } ?? xNote.text(p.x)
                    var tip = p.note.map { $0 + "\n" } ?? ""
                    tip += "\(s.name): \(y.unit.text(p.y)) (off the scale)"
                    if let lo = p.low, let hi = p.high { tip += " [\(y.unit.text(lo)), \(y.unit.text(hi))]" }
                    tip += " at \(x.title) \(xText)"
                    body += "<path class=\"mark offscale\" d=\"M\(Markup.coordinate(px - 6)) \(Markup.coordinate(top + 7)) L\(Markup.coordinate(px + 6)) \(Markup.coordinate(top + 7)) L\(Markup.coordinate(px)) \(Markup.coordinate(top - 3)) Z\" fill=\"\(s.color)\"><title>\(Markup.escape(tip))</title></path>\n"
                    let label = y.unit.text(p.y)
                    let fits = px + 9 + Double(label.count) * 6.6 <= right
                    offScaleLabels += 1
                    body += svgText(label, x: fits ? px + 9 : px - 9, y: top + 9 + Double((offScaleLabels - 1) % 3) * 12, anchor: fits ? "start" : "end",
                                    size: 11, fill: s.color, cssClass: "offscale-label")
                }
                for p in pts where !offScale(p.y) {
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
        return svgDocument(kind: kind, title: title, height: height, body: body,
                           plot: (left, top, right, bottom), references: references.count)
    }
}

// MARK: - Figure names for people

/// `overall.all.p95_seconds` -> `p95 latency, all endpoints`; `pools.prisma.mean_wait_seconds` ->
/// `<the catalog's label>, pool prisma`: the metric catalog's human label and the item, never the key.
func humanFigureName(_ figure: String) -> String {
    let parts = figure.split(separator: ".").map(String.init)
    guard parts.count >= 3 else { return figure.replacingOccurrences(of: "_", with: " ") }
    let section = parts[0], metric = parts[parts.count - 1]
    let item = parts[1..<(parts.count - 1)].joined(separator: ".")
    let label = MetricCatalog.spec(section: section, key: metric)?.label ?? ValueText.label(metric)
    let noun: String
    switch section {
    case "overall": noun = "all endpoints"
    case "network": noun = ""
    case "endpoints": noun = item
    default:
        let singular = ReportSectionName(rawValue: section)?.singular?.replacingOccurrences(of: "_", with: " ")
        noun = singular.map { "\($0) \(item)" } ?? item
    }
    return noun.isEmpty ? label : "\(label), \(noun)"
}
