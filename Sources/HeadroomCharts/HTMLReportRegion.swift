import Foundation
import HeadroomOutput

// Where a claim holds over two unknowns (docs/claims.md, "Holding sets"): every point verify
// tried — the grid and the values the bisection added along each line — placed on the plane of
// the two unknowns and coloured by its verdict. The grid's cells are all filled; a refined value
// fills only the line it was found on, so the edges of the holding region show as columns (or
// rows) of finer cells where the verdict changes, and untried combinations are hatched.
extension HTMLReport {
    /// The region chart of one claim, read from verify's JSON by key; nil unless its points vary
    /// exactly two unknowns, each over at least two values.
    static func regionMap(claim: [String: Any], name: String, unknowns: [[String: Any]]) -> HeatMap? {
        let points = (claim["points"] as? [[String: Any]]) ?? []
        // The two unknowns in the file's order (the JSON object's key order is not kept by JSONSerialization).
        let order = unknowns.compactMap { $0["name"] as? String }
        var varied: [String] = []
        for p in points {
            for key in ((p["values"] as? [String: Any]) ?? [:]).keys where !varied.contains(key) { varied.append(key) }
        }
        varied.sort { (order.firstIndex(of: $0) ?? Int.max, $0) < (order.firstIndex(of: $1) ?? Int.max, $1) }
        guard varied.count == 2 else { return nil }
        var cells: [(x: Double, y: Double, verdict: String, note: String)] = []
        for p in points {
            let values = (p["values"] as? [String: Any]) ?? [:]
            guard let x = number(values[varied[0]]), let y = number(values[varied[1]]) else { continue }
            let verdict = (p["verdict"] as? String) ?? "?"
            var note = "\(varied[0]) \(plain(x)), \(varied[1]) \(plain(y))"
            if let h = p["headroom"] as? [String: Any], let mean = number(h["mean"]) {
                note += "\nHeadroom: \(formatSignificant(mean))"
                if let a = number(h["ci_low"]), let b = number(h["ci_high"]) { note += " [\(formatSignificant(a)), \(formatSignificant(b))]" }
            }
            if (p["refined"] as? Bool) == true { note += " (added by the search)" }
            cells.append((x, y, verdict, note))
        }
        let xs = Array(Set(cells.map(\.x))).sorted(), ys = Array(Set(cells.map(\.y))).sorted(by: >)
        guard xs.count >= 2, ys.count >= 2 else { return nil }
        // Categories: the verdicts present, in the audit's colour order, then any other (grey).
        let present = Set(cells.map(\.verdict))
        var categories: [(name: String, color: String)] = verdictColors.filter { present.contains($0.verdict) }.map { ($0.verdict, $0.color) }
        for other in present.subtracting(categories.map(\.name)).sorted() { categories.append((other, ChartPalette.muted)) }
        var values = Array(repeating: Array(repeating: Double?.none, count: xs.count), count: ys.count)
        var notes = Array(repeating: Array(repeating: "", count: xs.count), count: ys.count)
        for c in cells {
            guard let i = xs.firstIndex(of: c.x), let j = ys.firstIndex(of: c.y),
                  let k = categories.firstIndex(where: { $0.name == c.verdict }) else { continue }
            values[j][i] = Double(k)
            notes[j][i] = c.note
        }
        for j in ys.indices { for i in xs.indices where values[j][i] == nil { notes[j][i] = "\(varied[0]) \(plain(xs[i])), \(varied[1]) \(plain(ys[j]))" } }
        var map = HeatMap(kind: "region", title: "\(name): where it holds",
                          x: ChartAxis(varied[0], unit: .count("")), y: ChartAxis(varied[1], unit: .count("")),
                          xLabels: xs.map(plain), yLabels: ys.map(plain),
                          values: values, valueTitle: "verdict", valueUnit: .count(""))
        map.categories = categories
        map.notes = notes
        map.emptyMeaning = "not tried (the search refines one unknown at a time)"
        map.emptyKey = "not tried"
        return map
    }

    /// A value of an unknown as the search tried it (4 significant digits), without trailing zeros: `7`, `0.9`, `0.2175`.
    static func plain(_ v: Double) -> String {
        var s = formatSignificant(v)
        if s.contains("."), !s.contains("e") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }
}
