import Foundation
import HeadroomKernel

/// Formats of `headroom reproduce`: the three of `run`, and Markdown for docs/reproductions.md.
public enum ReproductionFormat: String, Sendable, Hashable, CaseIterable {
    case table, json, csv, markdown
}

enum ReproText {
    /// What the models approximate because the engine cannot say it (kept with the generated docs).
    static let modelingNotes = """
        ## Modeling notes: what the engine could not say

        - **A query's round trip.** A `query` step's time is database time only (processor sharing over \
        the cores); there is no client-side round trip that holds the connection without using a core. \
        Seed 000's Neon round trips (100 ms, mostly network) are a `sleep` inside a one-statement \
        `transaction`, which holds the connection but no core. Seeds 001 and 002 take the document's query \
        times as database time (seed 001 with 64 cores so that no query shares one).
        - **Worker utilization.** The report has no utilization of the instances' workers (event loops); \
        the reproduction computes it by the utilization law (simulated request rate x CPU per request).
        - **Sessions.** An open workload has no multi-request sessions: seed 003's Artillery scenario \
        (login, list, create) is three independent arrivals per virtual user.
        - **Per-path latency.** Latencies are per endpoint, not per path: seed 004's "cached / miss" product \
        list latencies are compared as their mean.
        - **Edge, regions, client network.** No CDN tier, regions or client-side network latency: seed 004's \
        CDN is a cache in front of the instance's work; "multi-region" is not modeled.
        - **Connection lifetime.** Connections are opened lazily and never closed: idle timeouts \
        (`idleTimeoutMillis`, `idle_timeout`) and `max_lifetime` play no part.
        - **Rate-limit windows** are aligned to time 0 for every client; express-rate-limit's store may \
        start each client's window at its first request.
        - **Analytic companions.** `Analysis`'s estimate of a Zipf cache's hit ratio (seed 002: 95.7%) is \
        above the simulated one (91.8%); that is enough to move the analytic bottleneck from the database \
        to the event loops, so the scenario lines show both the analytic bottleneck and the busiest \
        simulated resource. Job workers are left out of the capacity rows (they work after the response).
        """

    static func value(_ v: Double, _ unit: ReproductionUnit) -> String {
        guard v.isFinite else { return v.isNaN ? "n/a" : "∞" }
        switch unit {
        case .seconds:
            if abs(v) >= 1 { return String(format: "%.2f s", v) }
            let m = v * 1000
            return abs(m) >= 100 ? String(format: "%.0f ms", m) : abs(m) >= 10 ? String(format: "%.1f ms", m) : String(format: "%.2f ms", m)
        case .fraction:
            let p = v * 100
            return abs(p) >= 10 || p == 0 ? String(format: "%.1f%%", p) : String(format: "%.2f%%", p)
        case .perSecond: return Fmt.num(v) + "/s"
        case .perMinute: return Fmt.num(v) + "/min"
        case .ratio: return String(format: "%.2fx", v)
        case .count, .users: return v == v.rounded() ? Fmt.groupThousands(Int(v)) : Fmt.num(v)
        }
    }

    /// The half-width in the mean's display unit.
    static func halfWidth(_ h: Double, mean: Double, _ unit: ReproductionUnit) -> String {
        switch unit {
        case .seconds:
            if abs(mean) >= 1 { return String(format: "%.2f s", h) }
            return String(format: h * 1000 >= 10 ? "%.0f ms" : "%.1f ms", h * 1000)
        case .fraction: return String(format: h * 100 >= 10 ? "%.0f%%" : "%.1f%%", h * 100)
        case .ratio: return String(format: "%.2fx", h)
        default: return Fmt.num(h)
        }
    }

    static func estimate(_ e: Estimate?, _ unit: ReproductionUnit) -> String {
        guard let e else { return "—" }
        let m = value(e.mean, unit)
        guard e.samples > 1, e.halfWidth.isFinite, e.halfWidth > 0 else { return e.samples > 1 ? m + " ± 0" : m }
        return m + " ± " + halfWidth(e.halfWidth, mean: e.mean, unit)
    }

    static func duration(_ s: Double) -> String {
        if s >= 60 && (s / 60).rounded() == s / 60 { return "\(Int(s / 60)) min" }
        return s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s)
    }

    static func scenarioLine(_ s: ScenarioSummary) -> String {
        let sets = s.overrides.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        var line = "\(s.id): \(s.label) — \(s.file)\(sets.isEmpty ? "" : " --set " + sets); \(s.replications) x \(duration(s.horizonSeconds)), warm-up \(duration(s.warmupSeconds))"
        if let b = s.bottleneck, let c = s.capacityPerSecond { line += "; analytic bottleneck \(b) (\(Fmt.num(c))/s)" }
        if let busiest = s.utilizations.max(by: { $0.value < $1.value }) {
            line += "; busiest simulated \(busiest.key) \(value(busiest.value, .fraction))"
        }
        return line
    }

    /// `{row-id}` -> Headroom's figure (mean), `{row-id:verdict}` -> the verdict.
    static func substitute(_ text: String, _ rows: [RowResult]) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            let key = String(rest[rest.index(after: open)..<close])
            let parts = key.split(separator: ":", maxSplits: 1).map(String.init)
            if let r = rows.first(where: { $0.row.id == parts[0] }) {
                if parts.count > 1 { out += r.verdict.rawValue }
                else { out += r.headroom.map { value($0.mean, r.row.unit) } ?? "n/a" }
            } else {
                out += "{" + key + "}"
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}

extension ReproductionReport {
    public func rendered(as format: ReproductionFormat) -> String {
        switch format {
        case .table: return tableText()
        case .json: return jsonText()
        case .csv: return csvText()
        case .markdown: return markdownText()
        }
    }

    var settingsLine: String {
        var parts: [String] = []
        parts.append(replications.map { "\($0) replications per scenario" } ?? "each model's replications")
        parts.append(horizonSeconds.map { "horizon \(ReproText.duration($0)) (warm-up at most 20% of it)" } ?? "each model's horizon")
        return parts.joined(separator: ", ") + "; ± is the half-width of the 95% confidence interval over replications"
    }

    var countsLine: String {
        verdictCounts.map { "\($0.1) \($0.0.rawValue)" }.joined(separator: ", ")
    }

    public func tableText() -> String {
        var lines: [String] = ["headroom reproduce: the audits of models/seeds/, document against simulation", settingsLine,
                               "verdicts: \(countsLine)", ""]
        for seed in seeds {
            lines.append("Seed \(seed.document.id): \(seed.document.title)")
            lines.append("scenarios:")
            for s in seed.scenarios { lines.append("  " + ReproText.scenarioLine(s)) }
            var table: String? = nil
            var block: [[String]] = []
            var notes: [Int: String] = [:]
            func flush() {
                guard let table, !block.isEmpty else { return }
                lines.append("")
                lines.append(table)
                let rendered = alignedRows([["claim", "document", "Headroom (95% CI)", "verdict"]] + block)
                lines.append(rendered[0])
                for (i, l) in rendered.dropFirst().enumerated() {
                    lines.append(l)
                    if let n = notes[i] { lines.append("      note: \(n)") }
                }
                block = []
                notes = [:]
            }
            for r in seed.rows {
                if r.row.table != table { flush(); table = r.row.table }
                if !r.note.isEmpty { notes[block.count] = r.note }
                block.append([r.row.claim, r.row.document.text, ReproText.estimate(r.headroom, r.row.unit), r.verdict.rawValue])
            }
            flush()
            if !seed.theory.isEmpty {
                lines.append("")
                lines.append("Claims that contradict queueing theory or the document's own arithmetic")
                for t in seed.theory {
                    lines.append("  [\(t.id)] \(t.claim)")
                    lines.append("      document: \(t.documentArithmetic)")
                    lines.append("      corrected: \(t.correction)")
                }
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    public func markdownText() -> String {
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        var out = """
            # Reproductions: the five audits, document against simulation

            Generated by `headroom reproduce all --format markdown --output docs/reproductions.md` \
            (models in [`models/seeds/`](../models/seeds/); rows and closed forms in \
            `Sources/HeadroomStudy/Reproduction*.swift`). Do not edit by hand: rerun the command.

            ```
            headroom reproduce [000|001|002|003|004|<short name>|all] [--format table|json|csv|markdown]
                               [--replications N] [--horizon T] [--threads N] [--output FILE] [--models DIR]
            ```

            For every table row and numeric claim of the five audits in `seeds/`: the document's figure, \
            Headroom's (mean over replications with its 95% confidence interval) and a verdict; then the \
            claims that contradict queueing theory or the document's own arithmetic, with the correction \
            (Little's law, the utilization law, Erlang C, exact MVA, a TTL cache's hit ratio). `--horizon` \
            shortens every scenario whose length is not its content (the 4-minute load test and the \
            15-minute rate-limit window keep theirs); CI runs it with `--horizon 20s --replications 2`.

            \(settingsLine).

            **Verdicts** (\(allRows.count) rows): \(countsLine). *agrees*: Headroom's confidence interval meets \
            the document's range (a single figure: within 15%); *document optimistic*: the document promises \
            better than the simulation finds; *document pessimistic*: it fears worse; *not comparable*: a \
            model input, or no figure on one side (the note says which).

            Every model parameter is quoted from its document or stated once as an assumption in the model \
            file's comments, one parameter set per system state. Where the engine lacks something a document \
            needs, the file says how it is approximated.

            """
        for seed in seeds {
            out += "\n## Seed \(seed.document.id): \(seed.document.title)\n\n"
            out += "Scenarios:\n\n"
            for s in seed.scenarios { out += "- `\(ReproText.scenarioLine(s))`\n" }
            var table: String? = nil
            for r in seed.rows {
                if r.row.table != table {
                    table = r.row.table
                    out += "\n### \(r.row.table)\n\n| claim | document | Headroom (95% CI) | verdict | note |\n|---|---|---|---|---|\n"
                }
                out += "| \(cell(r.row.claim)) | \(cell(r.row.document.text)) | \(cell(ReproText.estimate(r.headroom, r.row.unit))) | \(r.verdict.rawValue) | \(cell(r.note)) |\n"
            }
            if !seed.theory.isEmpty {
                out += "\n### Claims that contradict queueing theory or the document's own arithmetic\n\n"
                for t in seed.theory {
                    out += "- **\(t.claim)** — the document: \(t.documentArithmetic). Corrected: \(t.correction).\n"
                }
            }
            out += "\n### What the simulation confirms and refutes\n\n"
            out += ReproText.substitute(seed.document.paragraph, seed.rows) + "\n"
        }
        return out + "\n" + ReproText.modelingNotes
    }

    public func jsonText() -> String {
        func estimate(_ e: Estimate?) -> JSONValue {
            guard let e else { return .null }
            return .object([("mean", .num(e.mean)), ("ci_low", .num(e.samples > 1 ? e.lower : nil)),
                            ("ci_high", .num(e.samples > 1 ? e.upper : nil)), ("samples", .int(e.samples))])
        }
        let seedValues: [JSONValue] = seeds.map { seed in
            .object([
                ("id", .string(seed.document.id)), ("short_name", .string(seed.document.shortName)), ("title", .string(seed.document.title)),
                ("scenarios", .array(seed.scenarios.map { s in
                    .object([("id", .string(s.id)), ("label", .string(s.label)), ("file", .string(s.file)),
                             ("overrides", .object(s.overrides.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
                             ("replications", .int(s.replications)), ("horizon_seconds", .num(s.horizonSeconds)),
                             ("warmup_seconds", .num(s.warmupSeconds)), ("bottleneck", s.bottleneck.map(JSONValue.string) ?? .null),
                             ("capacity_per_second", .num(s.capacityPerSecond)),
                             ("utilizations", .object(s.utilizations.sorted { $0.key < $1.key }.map { ($0.key, .num($0.value)) }))])
                })),
                ("rows", .array(seed.rows.map { r in
                    .object([("id", .string(r.row.id)), ("table", .string(r.row.table)), ("claim", .string(r.row.claim)),
                             ("document", .object([("text", .string(r.row.document.text)), ("low", .num(r.row.document.low)),
                                                   ("high", .num(r.row.document.high))])),
                             ("unit", .string(r.row.unit.rawValue)), ("better", .string(r.row.better.rawValue)),
                             ("headroom", estimate(r.headroom)), ("verdict", .string(r.verdict.rawValue)),
                             ("model_input", .bool(r.row.isInput)), ("note", .string(r.note))])
                })),
                ("theory", .array(seed.theory.map { t in
                    .object([("id", .string(t.id)), ("claim", .string(t.claim)), ("document", .string(t.documentArithmetic)),
                             ("correction", .string(t.correction)), ("document_value", .num(t.documentValue)),
                             ("corrected_value", .num(t.correctedValue)), ("unit", t.unit.map { .string($0.rawValue) } ?? .null)])
                })),
                ("summary", .string(ReproText.substitute(seed.document.paragraph, seed.rows))),
            ])
        }
        return JSONValue.object([
            ("schema", .string("headroom.reproduce/1")),
            ("replications", replications.map(JSONValue.int) ?? .null),
            ("horizon_seconds", .num(horizonSeconds)),
            ("verdicts", .object(verdictCounts.map { ($0.0.rawValue, .int($0.1)) })),
            ("seeds", .array(seedValues)),
        ]).text
    }

    public func csvText() -> String {
        var lines = ["kind,seed,id,table,claim,document,document_low,document_high,unit,headroom_mean,ci_low,ci_high,verdict,note"]
        for seed in seeds {
            for r in seed.rows {
                let e = r.headroom
                lines.append([
                    "row", seed.document.id, r.row.id, csvField(r.row.table), csvField(r.row.claim), csvField(r.row.document.text),
                    csvNumber(r.row.document.low), csvNumber(r.row.document.high), r.row.unit.rawValue, csvNumber(e?.mean),
                    csvNumber(e.flatMap { $0.samples > 1 ? $0.lower : nil }), csvNumber(e.flatMap { $0.samples > 1 ? $0.upper : nil }),
                    csvField(r.verdict.rawValue), csvField(r.note),
                ].joined(separator: ","))
            }
            for t in seed.theory {
                lines.append([
                    "theory", seed.document.id, t.id, "", csvField(t.claim), csvField(t.documentArithmetic), csvNumber(t.documentValue), "",
                    t.unit?.rawValue ?? "", csvNumber(t.correctedValue), "", "", "", csvField(t.correction),
                ].joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
