import Foundation
import HeadroomKernel
import HeadroomModel
import HeadroomAnalysis
import HeadroomOutput

/// Formats of `headroom verify` and `headroom reproduce`: the three of `run`, and Markdown for docs/reproductions.md.
public enum ReproductionFormat: String, Sendable, Hashable, CaseIterable {
    case table, json, csv, markdown
}

/// Display of figures in their claim units.
enum Format {
    static func value(_ v: Double, _ unit: ClaimUnit) -> String {
        guard v.isFinite else { return v.isNaN ? "n/a" : (v > 0 ? "∞" : "-∞") }
        switch unit {
        case .seconds:
            if abs(v) >= 1 { return String(format: "%.2f s", v) }
            let m = v * 1000
            if m == 0 { return "0 s" }
            return abs(m) >= 100 ? String(format: "%.0f ms", m) : abs(m) >= 10 ? String(format: "%.1f ms", m) : String(format: "%.2f ms", m)
        case .fraction:
            let p = v * 100
            return abs(p) >= 10 || p == 0 ? String(format: "%.1f%%", p) : String(format: "%.2f%%", p)
        case .perSecond: return number(v) + "/s"
        case .perMinute: return number(v * 60) + "/min"
        case .ratio: return String(format: "%.2fx", v)
        case .count, .users: return number(v)
        }
    }

    static func number(_ x: Double) -> String {
        let a = abs(x)
        // Beyond 10^15 digits mean nothing (and past 2^63 `Int` would trap): a claims file may say 1e300.
        guard a < 1e15 else { return a.isFinite ? String(format: "%.3g", x) : value(x, .count) }
        if a >= 10_000 { return groupThousands(Int(x.rounded())) }
        if a >= 100 || x == x.rounded() { return String(format: "%.0f", x) }
        if a >= 10 { return String(format: "%.1f", x) }
        return String(format: "%.2f", x)
    }

    static func groupThousands(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + String(out.reversed())
    }

    /// An interval of base-unit numbers without a unit (check arithmetic).
    static func interval(_ i: Interval) -> String {
        i.isPoint ? Units.formatNumber(round6(i.low)) : "[\(Units.formatNumber(round6(i.low))), \(i.high.isFinite ? Units.formatNumber(round6(i.high)) : "∞")]"
    }
    static func intervalValue(_ i: Interval, _ unit: ClaimUnit) -> String {
        i.isPoint ? value(i.low, unit) : "\(value(i.low, unit))..\(value(i.high, unit))"
    }
    static func round6(_ x: Double) -> Double {
        guard x.isFinite, x != 0 else { return x }
        let scale = pow(10, 5 - floor(log10(abs(x))))
        return (x * scale).rounded() / scale
    }

    /// A confidence interval clamped to what the unit allows: a fraction stays in [0, 1], a
    /// count, rate or time is never negative (a Student-t interval of a few replications can
    /// reach past the edge; the quantity cannot). Only a figure read as it is (`plain`: one
    /// reading of the report) is a quantity with those edges: a difference or ratio of readings
    /// (`1 - a/b`, `a - b`) may be negative, and its interval is shown as computed. An interval
    /// never excludes its own mean: a mean outside the unit's edges is a difference, not clamped.
    static func clamped(_ e: Estimate, _ unit: ClaimUnit, plain: Bool = true) -> (low: Double, high: Double) {
        var lo = e.lower, hi = e.upper
        let inside = unit == .fraction ? (0...1).contains(e.mean) : unit == .ratio || e.mean >= 0
        guard plain, inside else { return (lo, hi) }
        if unit == .fraction { lo = max(0, min(1, lo)); hi = max(0, min(1, hi)) }
        else if unit != .ratio { lo = max(0, lo); hi = max(0, hi) }
        return (lo, hi)
    }

    static func estimate(_ e: Estimate?, _ unit: ClaimUnit, plain: Bool = true) -> String {
        guard let e else { return "—" }
        let m = value(e.mean, unit)
        guard e.samples > 1, e.halfWidth.isFinite, e.halfWidth > 0 else { return m }
        let (lo, hi) = clamped(e, unit, plain: plain)
        return "\(m) (\(value(lo, unit))..\(value(hi, unit)))"
    }

    /// Headroom's figure as shown: the nominal estimate, and the range over the unknowns when they move it.
    static func headroom(_ r: ClaimResult) -> String {
        if r.points.count > 1, let range = r.range, range.low != range.high {
            return "\(value(range.low, r.claim.unit))..\(value(range.high, r.claim.unit)) over the range"
        }
        if r.headroom == nil, let b = r.points.first?.bound { return "bound: \(b)" }
        return estimate(r.headroom, r.claim.unit, plain: r.claim.readsOneFigure)
    }

    static func duration(_ s: Double) -> String {
        guard s.isFinite, abs(s) < 1e15 else { return String(format: "%.3g s", s) }
        if s >= 60 && (s / 60).rounded() == s / 60 { return "\(Int(s / 60)) min" }
        return s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s)
    }

    /// How many more runs the search for holding sets made (listed in full in the JSON); nil: none.
    static func refinedRuns(_ doc: DocumentResult) -> String? {
        let n = doc.scenarios.filter(\.refined).count
        guard n > 0 else { return nil }
        return "and \(n) run\(n == 1 ? "" : "s") at the values the search for holding sets tried (each listed with its command in --format json)"
    }

    /// The scenario's command, runnable as written, then what verify found as a shell comment.
    static func scenarioLine(_ s: ScenarioSummary) -> String {
        var line = "\(s.command)  # \(s.id): \(s.label)"
        line += s.simulated ? "; \(s.replications) x \(duration(s.horizonSeconds)), warm-up \(duration(s.warmupSeconds))" : "; analytic only"
        if let b = s.bottleneck, let c = s.capacityPerSecond { line += "; analytic bottleneck \(b) (\(number(c))/s)" }
        // Ties (two resources at 100%) go to the first name: a dictionary's order changes between runs.
        if let busiest = s.utilizations.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }) {
            line += "; busiest simulated \(busiest.key) \(value(busiest.value, .fraction))"
        }
        return line
    }

    /// `{claim-id}` -> Headroom's figure, `{claim-id:verdict}` -> the verdict text, `{check-id:check}` -> consistent/inconsistent.
    static func substitute(_ text: String, _ doc: DocumentResult) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            let key = String(rest[rest.index(after: open)..<close])
            let parts = key.split(separator: ":", maxSplits: 1).map(String.init)
            if let r = doc.claim(parts[0]) {
                out += parts.count > 1 ? r.verdictText : headroom(r)
            } else if let c = doc.checks.first(where: { $0.check.id == parts[0] }) {
                out += c.verdict.rawValue
            } else {
                out += "{" + key + "}"
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}

extension VerificationReport {
    public func rendered(as format: ReproductionFormat, title: String = "headroom verify") -> String {
        switch format {
        case .table: return tableText(title: title)
        case .json: return jsonText()
        case .csv: return csvText()
        case .markdown: return markdownText()
        }
    }

    var settingsLine: String {
        var parts: [String] = []
        parts.append(replications.map { "\($0) replications per scenario" } ?? "each model's replications")
        parts.append(horizonSeconds.map { "horizon \(Format.duration($0)) (warm-up at most 20% of it)" } ?? "each model's horizon")
        parts.append(pointsPerUnknown.map { "at most \($0) points per unknown" } ?? "each unknown's points")
        return parts.joined(separator: ", ") + "; intervals are 95% confidence intervals over replications"
    }

    var countsLine: String { verdictCounts.map { "\($0.1) \($0.0.rawValue)" }.joined(separator: ", ") }

    var checkCountsLine: String {
        let c = allChecks
        return "\(c.filter { $0.verdict == .consistent }.count) consistent, \(c.filter { $0.verdict == .inconsistent }.count) inconsistent"
            + (c.contains { $0.verdict == .undecided } ? ", \(c.filter { $0.verdict == .undecided }.count) undecided" : "")
    }

    public func tableText(title: String) -> String {
        var lines = [title, settingsLine, "claims: \(countsLine)", "checks: \(checkCountsLine)", ""]
        for doc in documents {
            let f = doc.file
            lines.append("Document \(f.id): \(f.title)")
            if !f.unknowns.isEmpty {
                lines.append("unknown parameters (the document never states them):")
                for u in f.unknowns {
                    lines.append("  \(u.name) = \(Format.value(u.low, u.unit))..\(Format.value(u.high, u.unit))" + (u.why.isEmpty ? "" : " — \(u.why)"))
                }
            }
            if !f.constraints.isEmpty {
                lines.append("the document's own settings (they bound the unknowns):")
                for k in f.constraints {
                    lines.append("  [\(f.id).\(k.id)] \(k.relationText) — \(k.law)" + (k.quote.isEmpty ? "" : ": \"\(k.quote)\""))
                }
            }
            lines.append("scenarios:")
            for s in doc.scenarios where !s.refined { lines.append("  " + Format.scenarioLine(s)) }
            if let more = Format.refinedRuns(doc) { lines.append("  " + more) }
            var table: String? = nil
            for r in doc.claims {
                if r.claim.table != table {
                    table = r.claim.table
                    lines.append("")
                    lines.append(r.claim.table)
                }
                lines.append("  [\(r.fullID)] \(r.claim.quote.isEmpty ? r.claim.id : r.claim.quote)")
                lines.append("      document: \(r.claim.documentText)   Headroom: \(Format.headroom(r))   verdict: \(r.verdictText)")
                if !r.note.isEmpty { lines.append("      note: \(r.note)") }
                if r.verdict != .modelInput && r.verdict != .notCapacity && r.verdict != .notComparable && !r.assumptions.isEmpty {
                    lines.append("      assumes: " + r.assumptions.joined(separator: "; "))
                }
            }
            if !doc.tables.isEmpty {
                lines.append("")
                lines.append("Tables as one test (one setting of the unknowns for every cell)")
                for t in doc.tables { lines.append("  [\(doc.file.id).\(t.table.id)] \(t.table.table ?? t.table.cells.joined(separator: ", ")): \(t.text)") }
            }
            if !doc.checks.isEmpty {
                lines.append("")
                lines.append("Consistency between claims")
                for c in doc.checks {
                    lines.append("  [\(c.fullID)] \(c.check.law): \(c.verdict.rawValue) — \(c.check.quote)")
                    lines.append("      \(c.arithmetic)")
                    if !c.check.explanation.isEmpty { lines.append("      \(c.check.explanation)") }
                }
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    public func markdownText() -> String {
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        var out = """
            # Reproductions: the five audits, document against Headroom

            Generated by `headroom reproduce all --format markdown --output docs/reproductions.md` from the \
            claims files [`models/seeds/*.claims.yaml`](../models/seeds/) (format: [claims.md](claims.md)). \
            Do not edit by hand: edit the claims files and rerun the command.

            For every figure of the five audits in `seeds/`: the document's figure, Headroom's (mean over \
            replications with its 95% confidence interval, or its range over the parameters the document \
            never states) and a verdict over that whole range, with the assumptions it rests on; figures \
            that are model inputs or not capacity claims are listed with the reason. Then the consistency \
            checks: the document's own figures set against each other by Little's law, the utilization law, \
            timeouts against means, or plain arithmetic, evaluated with interval arithmetic over the stated \
            ranges (an *inconsistent* column cannot be true as a whole, whatever the unknowns).

            \(settingsLine).

            **Claims** (\(allClaims.count)): \(countsLine). **Checks** (\(allChecks.count)): \(checkCountsLine).

            Verdicts: *holds* — Headroom's interval meets the document's figure (a range as stated, a single \
            figure within the file's tolerance, 15% by default) at every value of the unknowns tried; *holds in \
            part* — for part of the range only: the text gives the holding set, the values where it holds, found \
            by bisection to the stated resolution; *document optimistic* / *pessimistic* — the \
            document promises better / fears worse at every value; *never holds* — optimistic on one side, \
            pessimistic on the other, with no value between them holding at the resolution; *cannot hold* — the asymptotic bounds exclude the figure at every point, no \
            simulation needed; *holds only where the document forbids* — it holds only for values of the unknowns \
            that the document's own settings (its rate limits, pool sizes, timeouts) rule out.

            """
        for doc in documents {
            let f = doc.file
            out += "\n## Document \(f.id): \(f.title)\n\n"
            out += "Claims file: `models/seeds/\((f.path as NSString).lastPathComponent)`"
            // `source` resolves against the claims file, like its models.
            if let s = f.source { out += "; document: `\(s.hasPrefix("/") ? s : "models/seeds/" + s)`" }
            out += ".\n\n"
            if !f.unknowns.isEmpty {
                out += "Parameters the document never states, verified over their whole range:\n\n| unknown | range | sets | why this range |\n|---|---|---|---|\n"
                for u in f.unknowns {
                    out += "| `\(u.name)` | \(Format.value(u.low, u.unit))..\(Format.value(u.high, u.unit)) | `\(u.overrideKey)` | \(cell(u.why)) |\n"
                }
                out += "\n"
            }
            out += "Scenarios run:\n\n"
            for s in doc.scenarios where !s.refined { out += "- `\(Format.scenarioLine(s))`\n" }
            if let more = Format.refinedRuns(doc) { out += "- \(more)\n" }
            var tables: [String] = []
            for c in doc.claims where !tables.contains(c.claim.table) { tables.append(c.claim.table) }
            for t in tables {
                let rows = doc.claims.filter { $0.claim.table == t }
                out += "\n### \(t)\n\n"
                let columns = rows.compactMap(\.claim.column).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
                if columns.count > 1, rows.allSatisfy({ $0.claim.column != nil && $0.claim.row != nil }) {
                    // Side by side: one line per metric, document | Headroom | verdict per column.
                    out += "| metric | " + columns.map { "\($0): document | \($0): Headroom | \($0): verdict" }.joined(separator: " | ") + " |\n"
                    out += "|---|" + columns.map { _ in "---|---|---|" }.joined() + "\n"
                    var metrics: [String] = []
                    for r in rows where !metrics.contains(r.claim.row!) { metrics.append(r.claim.row!) }
                    for m in metrics {
                        out += "| \(cell(m)) |"
                        for c in columns {
                            if let r = rows.first(where: { $0.claim.row == m && $0.claim.column == c }) {
                                out += " \(cell(r.claim.documentText)) | \(cell(Format.headroom(r))) | \(cell(r.verdictText)) |"
                            } else { out += " | | |" }
                        }
                        out += "\n"
                    }
                    out += "\nNotes and assumptions:\n\n"
                    for r in rows {
                        let extra = ([r.note] + (r.verdict == .modelInput || r.verdict == .notCapacity ? [] : r.assumptions)).filter { !$0.isEmpty }
                        if !extra.isEmpty { out += "- `\(r.fullID)`: \(cell(extra.joined(separator: "; ")))\n" }
                    }
                } else {
                    out += "| claim | document | Headroom | verdict | note and assumptions |\n|---|---|---|---|---|\n"
                    for r in rows {
                        let extra = ([r.note] + (r.verdict == .modelInput || r.verdict == .notCapacity ? [] : r.assumptions)).filter { !$0.isEmpty }
                        out += "| \(cell(r.claim.quote.isEmpty ? r.claim.id : r.claim.quote)) | \(cell(r.claim.documentText)) | \(cell(Format.headroom(r))) | \(cell(r.verdictText)) | \(cell(extra.joined(separator: "; "))) |\n"
                    }
                }
            }
            if !doc.tables.isEmpty {
                out += "\n### Tables as one test\n\nOne setting of the unknowns for every cell of a table (the worst cell's miss minimised):\n\n| table | cells | verdict |\n|---|---|---|\n"
                for t in doc.tables {
                    out += "| \(cell(t.table.table ?? t.table.id)) | \(t.table.cells.count) | \(t.fits ? "" : "**")\(cell(t.text))\(t.fits ? "" : "**") |\n"
                }
            }
            if !doc.checks.isEmpty {
                out += "\n### Consistency between claims\n\n| check | law | verdict | the arithmetic |\n|---|---|---|---|\n"
                for c in doc.checks {
                    let why = c.check.explanation.isEmpty ? "" : " " + c.check.explanation
                    out += "| \(cell(c.check.quote)) | \(cell(c.check.law)) | **\(c.verdict.rawValue)** | \(cell(c.arithmetic + "." + why)) |\n"
                }
            }
            if !f.summary.isEmpty {
                out += "\n### What Headroom confirms and refutes\n\n" + Format.substitute(f.summary, doc) + "\n"
            }
            if !f.modelingNotes.isEmpty {
                out += "\nModeling notes:\n\n" + f.modelingNotes.map { "- \($0)\n" }.joined()
            }
        }
        return out
    }

    static func jsonEstimate(_ e: Estimate?, _ unit: ClaimUnit, plain: Bool = true) -> JSONValue {
        guard let e else { return .null }
        let (lo, hi) = Format.clamped(e, unit, plain: plain)
        let fields: [(String, JSONValue)] = [("mean", .num(e.mean)), ("ci_low", .num(e.samples > 1 ? lo : nil)),
                                             ("ci_high", .num(e.samples > 1 ? hi : nil)), ("samples", .int(e.samples))]
        return .object(fields)
    }

    static func jsonInterval(_ i: Interval?) -> JSONValue {
        guard let i else { return .null }
        let fields: [(String, JSONValue)] = [("low", .num(i.low)), ("high", .num(i.high))]
        return .object(fields)
    }

    static func jsonString(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }

    static func jsonScenario(_ s: ScenarioSummary) -> JSONValue {
        let overrides: [(String, JSONValue)] = s.overrides.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }
        let utilizations: [(String, JSONValue)] = s.utilizations.sorted { $0.key < $1.key }.map { ($0.key, .num($0.value)) }
        var f: [(String, JSONValue)] = [("id", .string(s.id)), ("label", .string(s.label)), ("file", .string(s.file))]
        f += [("overrides", .object(overrides)), ("simulated", .bool(s.simulated)), ("replications", .int(s.replications))]
        f += [("horizon_seconds", .num(s.horizonSeconds)), ("warmup_seconds", .num(s.warmupSeconds))]
        f += [("bottleneck", jsonString(s.bottleneck)), ("capacity_per_second", .num(s.capacityPerSecond))]
        f += [("utilizations", .object(utilizations)), ("command", .string(s.command)), ("refined", .bool(s.refined))]
        return .object(f)
    }

    static func jsonPoint(_ p: PointResult, _ unit: ClaimUnit, plain: Bool) -> JSONValue {
        let values: [(String, JSONValue)] = p.values.map { ($0.0, .num($0.1)) }
        var f: [(String, JSONValue)] = [("values", .object(values)), ("headroom", jsonEstimate(p.estimate, unit, plain: plain))]
        f += [("verdict", .string(p.verdict.rawValue)), ("bound", jsonString(p.bound)), ("note", jsonString(p.note))]
        f.append(("refined", .bool(p.refined)))
        return .object(f)
    }

    static func jsonHoldingSet(_ h: HoldingSet) -> JSONValue {
        let at: [(String, JSONValue)] = h.at.map { ($0.0, .num($0.1)) }
        let intervals: [JSONValue] = h.intervals.map { .array([.num($0.low), .num($0.high)]) }
        let crossings: [JSONValue] = h.crossings.map { .array([.num($0.low), .num($0.high)]) }
        var f: [(String, JSONValue)] = [("unknown", .string(h.unknown)), ("at", .object(at)), ("intervals", .array(intervals))]
        f += [("resolution", .num(h.resolution)), ("resolution_is_factor", .bool(h.resolutionIsFactor))]
        f += [("crossings", .array(crossings)), ("monotone", .bool(h.monotone)), ("values_tried", .int(h.valuesTried))]
        return .object(f)
    }

    static func jsonClaim(_ r: ClaimResult) -> JSONValue {
        let c = r.claim
        let document: [(String, JSONValue)] = [("text", .string(c.documentText)), ("shape", jsonString(c.figure?.shape.rawValue)),
                                               ("low", .num(c.figure?.interval.low)), ("high", .num(c.figure?.interval.high))]
        var f: [(String, JSONValue)] = [("id", .string(r.fullID)), ("table", .string(c.table)), ("row", jsonString(c.row))]
        f += [("column", jsonString(c.column)), ("quote", .string(c.quote)), ("document", .object(document))]
        f += [("unit", .string(c.unit.rawValue)), ("better", .string(c.better.rawValue)), ("status", .string(c.status.rawValue))]
        f += [("read", jsonString(c.readText)), ("headroom", jsonEstimate(r.headroom, c.unit, plain: c.readsOneFigure))]
        f.append(("headroom_range", r.range.map { jsonInterval(Interval($0.low, $0.high)) } ?? .null))
        f.append(("points", .array(r.points.map { jsonPoint($0, c.unit, plain: c.readsOneFigure) })))
        f.append(("holds_where", .array(r.holdsWhere.map(jsonHoldingSet))))
        f += [("verdict", .string(r.verdict.rawValue)), ("verdict_text", .string(r.verdictText))]
        f += [("assumptions", .array(r.assumptions.map(JSONValue.string))), ("note", .string(r.note))]
        f.append(("inconsistent_with", .array(r.inconsistentWith.map { .string("\(r.document).\($0)") })))
        return .object(f)
    }

    static func jsonCheck(_ c: CheckResult) -> JSONValue {
        var f: [(String, JSONValue)] = [("id", .string(c.fullID)), ("table", .string(c.check.table)), ("law", .string(c.check.law))]
        f += [("quote", .string(c.check.quote)), ("quotes", .array(c.check.quotes.map(JSONValue.string)))]
        f += [("holds", .string(c.check.relationText)), ("verdict", .string(c.verdict.rawValue))]
        f += [("lhs", jsonInterval(c.lhs)), ("rhs", jsonInterval(c.rhs)), ("correction", jsonInterval(c.correction))]
        f += [("correction_unit", jsonString(c.check.correctionUnit?.rawValue)), ("arithmetic", .string(c.arithmetic))]
        f.append(("explanation", .string(c.check.explanation)))
        return .object(f)
    }

    static func jsonDocument(_ doc: DocumentResult) -> JSONValue {
        let file = doc.file
        let unknowns: [JSONValue] = file.unknowns.map { u in
            let fields: [(String, JSONValue)] = [("name", .string(u.name)), ("sets", .string(u.overrideKey)), ("low", .num(u.low)),
                                                 ("high", .num(u.high)), ("unit", .string(u.unit.rawValue)), ("why", .string(u.why))]
            return .object(fields)
        }
        var f: [(String, JSONValue)] = [("id", .string(file.id)), ("short_name", .string(file.shortName)), ("title", .string(file.title))]
        f += [("claims_file", .string((file.path as NSString).lastPathComponent)), ("source", jsonString(file.source))]
        f.append(("unknowns", .array(unknowns)))
        f.append(("scenarios", .array(doc.scenarios.map(jsonScenario))))
        f.append(("claims", .array(doc.claims.map(jsonClaim))))
        f.append(("checks", .array(doc.checks.map(jsonCheck))))
        f.append(("constraints", .array(file.constraints.map { k in
            var g: [(String, JSONValue)] = [("id", .string("\(file.id).\(k.id)")), ("holds", .string(k.relationText)), ("unknown", .string(k.unknown))]
            g += [("law", .string(k.law)), ("quote", .string(k.quote)), ("quotes", .array(k.quotes.map(JSONValue.string)))]
            g += [("scenarios", .array(k.scenarios.map(JSONValue.string))), ("explanation", .string(k.explanation))]
            return .object(g)
        })))
        f.append(("tables", .array(doc.tables.map { t in
            let best: [(String, JSONValue)] = t.best.map { ($0.0, .num($0.1)) }
            let conflicts: [JSONValue] = t.conflicts.map { .array([.string("\(doc.file.id).\($0.0)"), .string("\(doc.file.id).\($0.1)")]) }
            var g: [(String, JSONValue)] = [("id", .string("\(doc.file.id).\(t.table.id)")), ("table", jsonString(t.table.table))]
            g += [("cells", .array(t.table.cells.map { .string("\(doc.file.id).\($0)") })), ("fits", .bool(t.fits)), ("best", .object(best))]
            g += [("worst_cell", jsonString(t.worstCell.map { "\(doc.file.id).\($0)" })), ("worst_miss", .num(t.worstMiss.isFinite ? t.worstMiss : nil))]
            g += [("conflicts", .array(conflicts)), ("settings_tried", .int(t.settingsTried)), ("text", .string(t.text))]
            return .object(g)
        })))
        f.append(("summary", .string(Format.substitute(file.summary, doc))))
        return .object(f)
    }

    public func jsonText() -> String {
        let counts: [(String, JSONValue)] = verdictCounts.map { ($0.0.rawValue, .int($0.1)) }
        var f: [(String, JSONValue)] = [("schema", .string("headroom.verify/1")), ("replications", replications.map(JSONValue.int) ?? .null)]
        f += [("horizon_seconds", .num(horizonSeconds)), ("points_per_unknown", pointsPerUnknown.map(JSONValue.int) ?? .null)]
        f += [("verdicts", .object(counts)), ("documents", .array(documents.map(VerificationReport.jsonDocument)))]
        return JSONValue.object(f).text
    }

    /// One line per claim and per check. The first fourteen columns are those of the earlier
    /// `reproduce` CSV (notebooks/audits.ipynb reads them).
    public func csvText() -> String {
        var lines = ["kind,seed,id,table,claim,document,document_low,document_high,unit,headroom_mean,ci_low,ci_high,verdict,note,row,column,headroom_range_low,headroom_range_high,verdict_text,assumptions"]
        for doc in documents {
            for r in doc.claims {
                let e = r.headroom, c = r.claim
                let ci = e.flatMap { $0.samples > 1 ? Format.clamped($0, c.unit, plain: c.readsOneFigure) : nil }
                let head: [String] = ["row", doc.file.id, r.fullID, csvField(c.table), csvField(c.quote.isEmpty ? c.id : c.quote),
                                      csvField(c.documentText), csvNumber(c.figure?.interval.low), csvNumber(c.figure?.interval.high)]
                let mid: [String] = [c.unit.rawValue, csvNumber(e?.mean), csvNumber(ci?.low), csvNumber(ci?.high),
                                     csvField(r.verdict.rawValue), csvField(r.note)]
                let tail: [String] = [csvField(c.row ?? ""), csvField(c.column ?? ""), csvNumber(r.range?.low), csvNumber(r.range?.high),
                                      csvField(r.verdictText), csvField(r.assumptions.joined(separator: "; "))]
                lines.append((head + mid + tail).joined(separator: ","))
            }
            for c in doc.checks {
                let head: [String] = ["check", doc.file.id, c.fullID, csvField(c.check.table), csvField(c.check.quote),
                                      csvField(c.check.relationText), csvNumber(c.lhs?.low), csvNumber(c.lhs?.high)]
                let mid: [String] = ["", csvNumber(c.rhs?.low), csvNumber(c.rhs?.high), "", csvField(c.verdict.rawValue), csvField(c.arithmetic)]
                let tail: [String] = ["", "", "", "", csvField(c.check.law), ""]
                lines.append((head + mid + tail).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
