import Foundation
import HeadroomOutput

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
        let labelWidth = min(380, 16 + Double(rows.map(\.label.count).max() ?? 4) * 7.0)
        let labelLimit = Int((labelWidth - 16) / 7.0)
        // Rows grow to hold a label wrapped onto two lines.
        let rowHeight = rows.contains { $0.label.count > labelLimit } ? 30.0 : 22.0
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
            body += svgCategoryLabel(r.label, x: left - 8, y: cy + 4, size: 12, limit: labelLimit, twoLines: rowHeight >= 2 * 12 * 1.1)
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
