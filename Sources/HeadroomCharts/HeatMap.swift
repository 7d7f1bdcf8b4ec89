import Foundation
import HeadroomOutput

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
    /// What a cell without a value means, in its tooltip (drawn hatched, keyed "no value").
    public var emptyMeaning = "no value"
    /// Its key's text (short: the key column is narrow).
    public var emptyKey = "no value"
    /// Cells whose value misleads (row-major like `values`): outlined in red, keyed `flaggedKey`,
    /// with `flaggedMeaning` in their tooltip. A sweep flags cells where most requests failed: their
    /// p95 is that of the few that succeeded (cache hits, say) and would otherwise read as fastest.
    public var flagged: [[Bool]]? = nil
    public var flaggedMeaning = ""
    public var flaggedKey = "misleading"

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
            body += svgCategoryLabel(l, x: left - 8, y: top + (Double(j) + 0.5) * cellHeight + 4, size: 12, limit: Int(labelWidth / 7.4),
                                     twoLines: cellHeight >= 2 * 12 * 1.1)
        }
        body += svgText(x.label(magnitude: 0), x: (left + right) / 2, y: height - 16, anchor: "middle", size: 13, cssClass: "axis-label")
        body += svgText(y.label(magnitude: 0), x: 16, y: (top + bottom) / 2, anchor: "middle", size: 13, rotate: true, cssClass: "axis-label")
        var anyEmpty = false, anyFlagged = false
        for (j, row) in values.enumerated() {
            for (i, v) in row.enumerated() {
                guard let v, v.isFinite else {
                    // No value (a p95 where no request succeeded): hatched, never the colour of "fastest".
                    anyEmpty = true
                    let cx = left + Double(i) * cellWidth, cy = top + Double(j) * cellHeight
                    let note = notes.flatMap { j < $0.count && i < $0[j].count ? $0[j][i] : nil }
                    let tip = (note.map { $0 + "\n" } ?? "\(y.title) \(yLabels[j]), \(x.title) \(xLabels[i])\n") + "\(valueTitle): \(emptyMeaning)"
                    body += "<rect class=\"empty\" x=\"\(Markup.coordinate(cx))\" y=\"\(Markup.coordinate(cy))\" width=\"\(Markup.coordinate(cellWidth - 1))\" height=\"\(Markup.coordinate(cellHeight - 1))\" fill=\"url(#\(kind)-none)\" stroke=\"#999999\"><title>\(Markup.escape(tip))</title></rect>\n"
                    continue
                }
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
                let isFlagged = flagged.map { j < $0.count && i < $0[j].count && $0[j][i] } ?? false
                let tip = (note.map { $0 + "\n" } ?? "\(y.title) \(yLabels[j]), \(x.title) \(xLabels[i])\n") + "\(valueTitle): \(valueText)"
                    + (isFlagged ? "\n\(flaggedMeaning)" : "")
                let cx = left + Double(i) * cellWidth, cy = top + Double(j) * cellHeight
                body += "<rect class=\"mark\" x=\"\(Markup.coordinate(cx))\" y=\"\(Markup.coordinate(cy))\" width=\"\(Markup.coordinate(cellWidth - 1))\" height=\"\(Markup.coordinate(cellHeight - 1))\" fill=\"\(color)\"><title>\(Markup.escape(tip))</title></rect>\n"
                if isFlagged {
                    anyFlagged = true
                    body += "<rect class=\"flagged\" x=\"\(Markup.coordinate(cx + 1.5))\" y=\"\(Markup.coordinate(cy + 1.5))\" width=\"\(Markup.coordinate(cellWidth - 4))\" height=\"\(Markup.coordinate(cellHeight - 4))\" fill=\"none\" stroke=\"#C62828\" stroke-width=\"3\" stroke-dasharray=\"5 3\"><title>\(Markup.escape(tip))</title></rect>\n"
                }
                if categories == nil && cellHeight >= 16 {
                    // Each value in its own unit with three significant digits (39.9 ms, 40.2 ms,
                    // 6.27 s): neighbours that differ read differently, as they did not in one unit
                    // for the whole map ("0.04" three times).
                    var text = valueUnit.text(v)
                    if Double(text.count) * 6.4 > cellWidth - 4 { text = text.replacingOccurrences(of: " ", with: "") }
                    if Double(text.count) * 6.4 <= cellWidth - 4 {
                        let t = position(v)
                        body += svgText(text, x: cx + cellWidth / 2, y: cy + cellHeight / 2 + 4, anchor: "middle", size: 11, fill: t > 0.55 ? "#FFFFFF" : "#222222", cssClass: "cell-value")
                    }
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
        if anyEmpty {
            let ky = top + (categories.map { Double($0.count) * 20 } ?? min(200, bottom - top) + 26) + 4
            body += "<g class=\"legend-empty\"><rect x=\"\(Markup.coordinate(keyX))\" y=\"\(Markup.coordinate(ky))\" width=\"14\" height=\"14\" fill=\"url(#\(kind)-none)\" stroke=\"#999999\"/>\n"
            body += svgText(shortened(emptyKey, 14), x: keyX + 18, y: ky + 11, size: 11) + "</g>\n"
        }
        if anyFlagged {
            let ky = top + (categories.map { Double($0.count) * 20 } ?? min(200, bottom - top) + 26) + 4 + (anyEmpty ? 20 : 0)
            body += "<g class=\"legend-flagged\"><rect x=\"\(Markup.coordinate(keyX + 1.5))\" y=\"\(Markup.coordinate(ky + 1.5))\" width=\"11\" height=\"11\" fill=\"none\" stroke=\"#C62828\" stroke-width=\"3\" stroke-dasharray=\"5 3\"/>\n"
            body += svgText(shortened(flaggedKey, 14), x: keyX + 18, y: ky + 11, size: 11) + "</g>\n"
        }
        body = "<defs><pattern id=\"\(kind)-none\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#FFFFFF\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#888888\" stroke-width=\"2\"/></pattern></defs>\n" + body
        return svgDocument(kind: kind, title: title, height: height, body: body)
    }
}
