import Foundation

/// The document-against-Headroom chart of `headroom reproduce --html` (or `headroom report
/// FILE.json` on reproduce's JSON). Read from the JSON by key, not from the Swift types, so the
/// chart follows the documented schema (docs/output-schema.md) rather than the code behind it.
extension HTMLReport {
    public struct AuditReadError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The verdicts' colours; any other verdict is grey.
    static let verdictColors: [(verdict: String, color: String)] = [
        ("agrees", ChartPalette.pass),
        ("document optimistic", ChartPalette.fail),
        ("document pessimistic", "#0072B2"),
    ]

    public static func audit(json text: String, source: String) throws(AuditReadError) -> String {
        try auditPage(json: text, source: source).rendered
    }

    static func auditPage(json text: String, source: String) throws(AuditReadError) -> HTMLPage {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        } catch {
            throw AuditReadError(description: "`\(source)` is not JSON: \(error.localizedDescription)")
        }
        guard let root = object as? [String: Any], let schema = root["schema"] as? String, schema.hasPrefix("headroom.reproduce/"),
              let seeds = root["seeds"] as? [[String: Any]] else {
            throw AuditReadError(description: "`\(source)` is not the JSON of `headroom reproduce --format json` (schema headroom.reproduce/…)")
        }
        var facts = ["source: \(source)"]
        if let verdicts = root["verdicts"] as? [String: Any], !verdicts.isEmpty {
            facts.append("verdicts: " + verdicts.keys.sorted().map { "\($0) \(number(verdicts[$0]).map { String(Int($0)) } ?? "?")" }.joined(separator: ", "))
        }
        if let h = number(root["horizon_seconds"]) { facts.append("horizon per scenario: \(formatDuration(h)) (where the scenario's length is not its content)") }
        facts.append("each claim: Headroom's figure divided by the document's (1× = the same); whisker: the 95% confidence interval; grey: the document's own range")
        var page = HTMLPage(title: "Audits: the documents against Headroom", facts: facts)
        for (n, seed) in seeds.enumerated() {
            let id = (seed["id"] as? String) ?? String(n)
            let title = (seed["title"] as? String) ?? (seed["short_name"] as? String) ?? "seed \(id)"
            page.add(.heading("Seed \(id): \(title)"))
            var dots: [DotRow] = []
            var verdicts: [String] = []
            var left: [String] = []
            for row in (seed["rows"] as? [[String: Any]]) ?? [] {
                let claim = (row["claim"] as? String) ?? (row["id"] as? String) ?? "?"
                let verdict = (row["verdict"] as? String) ?? ""
                let document = row["document"] as? [String: Any]
                let headroom = row["headroom"] as? [String: Any]
                let unit = row["unit"] as? String
                let documentText = (document?["text"] as? String) ?? ""
                let low = number(document?["low"]) ?? number(document?["value"])
                let high = number(document?["high"]) ?? (document?["low"] == nil ? low : nil)
                guard let mean = number(headroom?["mean"]) else {
                    left.append("\(claim): no Headroom figure (\(verdict.isEmpty ? "not compared" : verdict))")
                    continue
                }
                guard let low, let high else {
                    // A bound ("EXHAUSTED", "high probability") has no figure to divide by.
                    left.append("\(claim): the document gives \(documentText.isEmpty ? "no figure" : "“\(documentText)”"), not a figure; Headroom \(formatSignificant(mean)) (\(verdict))")
                    continue
                }
                let reference = (low + high) / 2
                guard reference > 0, mean > 0 else {
                    left.append("\(claim): document \(documentText), Headroom \(formatSignificant(mean)) (\(verdict); a zero has no ratio)")
                    continue
                }
                let ciLow = number(headroom?["ci_low"]), ciHigh = number(headroom?["ci_high"])
                verdicts.append(verdict)
                let color = verdictColors.first { $0.verdict == verdict }?.color ?? ChartPalette.muted
                var tip = "\(claim)\ndocument: \(documentText.isEmpty ? (low == high ? "\(low)" : "\(low)–\(high)") : documentText)\nHeadroom: \(formatSignificant(mean))"
                if let a = ciLow, let b = ciHigh { tip += " [\(formatSignificant(a)), \(formatSignificant(b))]" }
                if let unit { tip += " (\(unit))" }
                tip += "\nverdict: \(verdict)"
                dots.append(DotRow(label: claim, value: mean / reference,
                                   low: ciLow.map { $0 / reference }, high: ciHigh.map { $0 / reference },
                                   rangeLow: low / reference, rangeHigh: high / reference, color: color, tooltip: tip))
            }
            if !dots.isEmpty {
                var plot = DotPlot(kind: "audit", title: "Seed \(id): Headroom ÷ document, per claim", value: ChartAxis("Headroom ÷ document", unit: .ratio, logarithmic: true),
                                   rows: dots, referenceValue: 1)
                let present = Set(dots.map(\.color))
                plot.legend = verdictColors.filter { present.contains($0.color) }.map { ($0.verdict, $0.color) }
                let others = Set(verdicts).subtracting(verdictColors.map(\.verdict)).sorted()
                if !others.isEmpty { plot.legend.append((others.joined(separator: ", "), ChartPalette.muted)) }
                page.add(plot, id: "audit-\(id)", caption: "Right of 1×: Headroom finds more than the document says (a longer latency, a higher utilization, more throughput); the verdict's colour says whether the document is optimistic or pessimistic for that figure.")
            }
            page.add(.list(title: "Not drawn (\(left.count))", items: left))
        }
        return page
    }

    static func number(_ v: Any?) -> Double? {
        // Figures are never booleans in this schema; numbers arrive as NSNumber, Int or Double.
        if let d = v as? Double { return d }
        if let i = v as? Int { return Double(i) }
        return (v as? NSNumber)?.doubleValue
    }
}
