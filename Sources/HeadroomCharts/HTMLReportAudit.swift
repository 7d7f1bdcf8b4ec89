import Foundation
import HeadroomOutput
import HeadroomStudy
import HeadroomAnalysis

/// The document-against-Headroom chart of `headroom verify|reproduce --html` (or `headroom report
/// FILE.json` on their JSON). Read from the JSON by key, not from the Swift types, so the chart
/// follows the documented schema (docs/output-schema.md, `headroom.verify/1`) rather than the code
/// behind it.
extension HTMLReport {
    public struct AuditReadError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The verdicts' colours; any other verdict (model input, not comparable...) is grey.
    static let verdictColors: [(verdict: String, color: String)] = [
        ("holds", ChartPalette.pass),
        ("agrees", ChartPalette.pass),
        ("holds in part", "#E69F00"),
        ("document optimistic", ChartPalette.fail),
        ("never holds", "#CC79A7"),
        ("cannot hold", "#000000"),
        ("holds only where the document forbids", "#D55E00"),
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
        guard let root = object as? [String: Any], let schema = root["schema"] as? String,
              schema.hasPrefix("headroom.verify/") || schema.hasPrefix("headroom.reproduce/"),
              let documents = (root["documents"] ?? root["seeds"]) as? [[String: Any]] else {
            throw AuditReadError(description: "`\(source)` is not the JSON of `headroom verify` or `headroom reproduce --format json` (schema headroom.verify/…)")
        }
        var facts = ["source: \(source)"]
        if let verdicts = root["verdicts"] as? [String: Any], !verdicts.isEmpty {
            facts.append("verdicts: " + verdicts.keys.sorted().map { "\($0) \(number(verdicts[$0]).map { String(Int($0)) } ?? "?")" }.joined(separator: ", "))
        }
        if let h = number(root["horizon_seconds"]) { facts.append("horizon per scenario: \(formatDuration(h)) (where the scenario's length is not its content)") }
        facts.append("each claim: Headroom's figure divided by the document's (1× = the same, log scale); dot and thick whisker: the estimate at the nominal point and its 95% interval; thin line: the range of estimates over the unknown parameters; grey: the document's own range (to the edge where it is open)")
        var page = HTMLPage(title: "Claims: the documents against Headroom", facts: facts)
        for (n, document) in documents.enumerated() {
            let id = (document["id"] as? String) ?? String(n)
            let title = (document["title"] as? String) ?? (document["short_name"] as? String) ?? "document \(id)"
            page.add(.heading("\(id): \(title)"))
            var dots: [DotRow] = []
            var verdicts: [String] = []
            var left: [String] = []
            for claim in ((document["claims"] ?? document["rows"]) as? [[String: Any]]) ?? [] {
                let name = claimName(claim)
                let verdict = (claim["verdict"] as? String) ?? ""
                let figure = claim["document"] as? [String: Any]
                let headroom = claim["headroom"] as? [String: Any]
                let documentText = (figure?["text"] as? String) ?? ""
                let low = number(figure?["low"]), high = number(figure?["high"])
                guard let mean = number(headroom?["mean"]) else {
                    left.append("\(name): \(verdict.isEmpty ? "no Headroom figure" : verdict)")
                    continue
                }
                // The document's figure to divide by: its value, the middle of its range, or the
                // bound it states (`< 200 ms` divides by 200 ms).
                let reference: Double?
                switch (low, high) {
                case let (l?, h?) where l > 0: reference = (l + h) / 2
                case let (_, h?): reference = h
                case let (l?, nil): reference = l
                default: reference = nil
                }
                guard let reference, reference > 1e-6, mean > 0 else {
                    left.append("\(name): document “\(documentText)”, Headroom \(formatSignificant(mean)) (\(verdict); no ratio to draw)")
                    continue
                }
                verdicts.append(verdict)
                let ciLow = number(headroom?["ci_low"]), ciHigh = number(headroom?["ci_high"])
                let span = claim["headroom_range"] as? [String: Any]
                let spanLow = number(span?["low"]), spanHigh = number(span?["high"])
                var tip = "\(name)\ndocument: \(documentText)\nHeadroom: \(formatSignificant(mean))"
                if let a = ciLow, let b = ciHigh { tip += " [\(formatSignificant(a)), \(formatSignificant(b))]" }
                if let a = spanLow, let b = spanHigh, a != b { tip += "; over the unknowns \(formatSignificant(a))–\(formatSignificant(b))" }
                if let unit = claim["unit"] as? String { tip += " (\(unit))" }
                tip += "\nverdict: \(verdict)"
                if let words = claim["verdict_text"] as? String, !words.isEmpty { tip += ": \(words)" }
                var row = DotRow(label: name, value: mean / reference,
                                 low: ciLow.map { $0 / reference }, high: ciHigh.map { $0 / reference },
                                 rangeLow: low.map { $0 / reference }, rangeHigh: high.map { $0 / reference },
                                 color: verdictColors.first { $0.verdict == verdict }?.color ?? ChartPalette.muted, tooltip: tip)
                row.openLow = low == nil || low == 0
                row.openHigh = high == nil
                if let a = spanLow, let b = spanHigh, a != b { row.spanLow = a / reference; row.spanHigh = b / reference }
                dots.append(row)
            }
            if !dots.isEmpty {
                var plot = DotPlot(kind: "audit", title: "\(id): Headroom ÷ document, per claim", value: ChartAxis("Headroom ÷ document", unit: .ratio, logarithmic: true),
                                   rows: dots, referenceValue: 1)
                plot.limits = (0.01, 100)
                plot.legend = verdictColors.filter { v in verdicts.contains(v.verdict) }.map { ($0.verdict, $0.color) }
                let others = Set(verdicts).subtracting(verdictColors.map(\.verdict)).sorted()
                if !others.isEmpty { plot.legend.append((others.joined(separator: ", "), ChartPalette.muted)) }
                page.add(plot, id: "audit-\(id)", caption: "Right of 1×: Headroom finds more than the document says (a longer latency, a higher utilization, more throughput), left of it less (beyond 100× either way: a triangle at the edge); the colour is the verdict, which knows whether more is better. Hover a dot for the figures and the verdict in words.")
            }
            // With two unknowns, where each claim holds over their plane.
            let unknowns = (document["unknowns"] as? [[String: Any]]) ?? []
            for claim in ((document["claims"] ?? document["rows"]) as? [[String: Any]]) ?? [] {
                guard let claimID = claim["id"] as? String, let map = regionMap(claim: claim, name: claimName(claim), unknowns: unknowns) else { continue }
                page.add(map, id: "region-\(claimID)", caption: "Every point verify tried for \(claimID), coloured by its verdict there: the grid's points and the values the search for the holding set added along each line (hatched: a combination not tried). \((claim["verdict_text"] as? String) ?? "")")
            }
            page.add(.list(title: "Claims not drawn (\(left.count))", items: left))
            let judged = (((document["claims"] ?? document["rows"]) as? [[String: Any]]) ?? []).filter { c in
                !["model input", "not a capacity claim", "not comparable"].contains((c["verdict"] as? String) ?? "")
            }
            page.add(.list(title: "Where each claim holds (\(judged.count))", items: judged.map { c in
                "\(claimName(c)): \((c["verdict"] as? String) ?? "?") — \((c["verdict_text"] as? String) ?? "")"
            }))
            let constraints = (document["constraints"] as? [[String: Any]]) ?? []
            if !constraints.isEmpty {
                page.add(.list(title: "The document's own settings (\(constraints.count))", items: constraints.map { k in
                    "\((k["holds"] as? String) ?? "?")\((k["quote"] as? String).map { $0.isEmpty ? "" : " — “\($0)”" } ?? "")"
                }))
            }
            let tables = (document["tables"] as? [[String: Any]]) ?? []
            if !tables.isEmpty {
                page.add(.list(title: "Tables as one test (\(tables.count))", items: tables.map { t in
                    "\((t["table"] as? String) ?? (t["id"] as? String) ?? "?"): \((t["text"] as? String) ?? "")"
                }))
            }
            let checks = (document["checks"] as? [[String: Any]]) ?? []
            page.add(.list(title: "Consistency between claims (\(checks.count))", items: checks.map { c in
                let verdict = (c["verdict"] as? String) ?? "?"
                let text = (c["arithmetic"] as? String) ?? (c["holds"] as? String) ?? ""
                return "\(verdict): \((c["quote"] as? String).map { "“\($0)” — " } ?? "")\(text)"
            }))
        }
        return page
    }

    /// `At 300 Concurrent Users: Timeout Rate (before)`, else the quote or the id.
    static func claimName(_ claim: [String: Any]) -> String {
        if let row = claim["row"] as? String, !row.isEmpty {
            var s = row
            if let table = claim["table"] as? String, !table.isEmpty { s = "\(table): \(s)" }
            if let column = claim["column"] as? String, !column.isEmpty { s += " (\(column))" }
            return s
        }
        for key in ["claim", "quote", "id"] { if let s = claim[key] as? String, !s.isEmpty { return s } }
        return "?"
    }

    static func number(_ v: Any?) -> Double? {
        // Figures are never booleans in this schema; numbers arrive as NSNumber, Int or Double.
        if let d = v as? Double { return d }
        if let i = v as? Int { return Double(i) }
        return (v as? NSNumber)?.doubleValue
    }
}
