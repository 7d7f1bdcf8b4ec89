import Foundation
import HeadroomKernel
import HeadroomModel

/// How a report is written: aligned text, JSON (docs/output-schema.md) or CSV (one row per figure).
public enum OutputFormat: String, Sendable, Hashable, CaseIterable {
    case table, json, csv
}

// MARK: - Value formatting

/// How a metric's values are shown, from its name's suffix.
enum MetricUnit {
    case seconds, perSecond, fraction, number

    init(metric: String) {
        if metric.hasSuffix("_seconds") { self = .seconds }
        else if metric.hasSuffix("_per_second") { self = .perSecond }
        else if metric == "utilization" || metric.hasSuffix("_utilization") || metric.hasSuffix("_rate") { self = .fraction }
        else { self = .number }
    }
}

enum ValueText {
    static func decimals(_ v: Double) -> Int {
        let a = abs(v)
        if a >= 100 || a == 0 { return 1 }
        if a >= 10 { return 1 }
        if a >= 1 { return 2 }
        return 3
    }

    static func fixed(_ v: Double, _ d: Int) -> String { String(format: "%.\(d)f", v) }

    /// Scale and unit suffix for a duration of this magnitude.
    static func durationScale(_ v: Double) -> (Double, String) {
        let a = abs(v)
        if a >= 1 { return (1, " s") }
        if a >= 0.001 || a == 0 { return (1000, " ms") }
        return (1e6, " µs")
    }

    /// `123.4 ms`, `45.21/s`, `12.3%`, `8.50`.
    static func value(_ v: Double, metric: String) -> String {
        guard v.isFinite else { return v.isNaN ? "n/a" : (v > 0 ? "∞" : "-∞") }
        switch MetricUnit(metric: metric) {
        case .seconds:
            let (k, u) = durationScale(v)
            return fixed(v * k, decimals(v * k)) + u
        case .perSecond: return fixed(v, decimals(v)) + "/s"
        case .fraction: return fixed(v * 100, decimals(v * 100) > 1 ? 2 : 1) + "%"
        case .number:
            if v == v.rounded() && abs(v) < 1e15 { return String(Int(v)) }
            return fixed(v, decimals(v))
        }
    }

    /// `123.4 ms ± 2.1`: the half-width in the mean's unit and decimals.
    static func estimate(_ e: Estimate, metric: String) -> String {
        let text = value(e.mean, metric: metric)
        guard e.samples > 1, e.mean.isFinite, e.halfWidth.isFinite else { return text }
        var scaled = e.halfWidth, d: Int
        switch MetricUnit(metric: metric) {
        case .seconds:
            let (k, _) = durationScale(e.mean)
            scaled *= k; d = decimals(e.mean * k)
        case .fraction:
            scaled *= 100; d = decimals(e.mean * 100) > 1 ? 2 : 1
        case .perSecond: d = decimals(e.mean)
        case .number: d = e.mean == e.mean.rounded() ? max(1, decimals(e.halfWidth)) : decimals(e.mean)
        }
        return "\(text) ± \(fixed(scaled, d))"
    }

    static func label(_ metric: String) -> String {
        var m = metric
        for suffix in ["_per_second", "_seconds"] where m.hasSuffix(suffix) { m.removeLast(suffix.count) }
        return m.replacingOccurrences(of: "_", with: " ")
    }
}

/// Pads columns to equal width; `right` columns are right-aligned.
func alignedRows(_ rows: [[String]], right: Set<Int> = [], indent: String = "  ") -> [String] {
    guard let columns = rows.map(\.count).max() else { return [] }
    var widths = [Int](repeating: 0, count: columns)
    for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
    return rows.map { r in
        var line = indent
        for (i, c) in r.enumerated() {
            let pad = String(repeating: " ", count: widths[i] - c.count)
            line += right.contains(i) ? pad + c : c + (i == r.count - 1 ? "" : pad)
            if i < r.count - 1 { line += "   " }
        }
        while line.hasSuffix(" ") { line.removeLast() }
        return line
    }
}

// MARK: - A small ordered JSON writer (stable key order, shortest round-trip numbers)

indirect enum JSONValue {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case number(Double)
    case int(Int)
    case bool(Bool)
    case null

    static func num(_ x: Double?) -> JSONValue {
        guard let x, x.isFinite else { return .null }
        return .number(x)
    }

    func write(into out: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent)
        let inner = String(repeating: "  ", count: indent + 1)
        switch self {
        case let .object(entries):
            if entries.isEmpty { out += "{}"; return }
            out += "{\n"
            for (i, (k, v)) in entries.enumerated() {
                out += inner + JSONValue.quote(k) + ": "
                v.write(into: &out, indent: indent + 1)
                out += i == entries.count - 1 ? "\n" : ",\n"
            }
            out += pad + "}"
        case let .array(items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (i, v) in items.enumerated() {
                out += inner
                v.write(into: &out, indent: indent + 1)
                out += i == items.count - 1 ? "\n" : ",\n"
            }
            out += pad + "]"
        case let .string(s): out += JSONValue.quote(s)
        case let .number(x):
            if x == x.rounded() && abs(x) < 1e15 { out += String(Int(x)) } else { out += "\(x)" }
        case let .int(i): out += String(i)
        case let .bool(b): out += b ? "true" : "false"
        case .null: out += "null"
        }
    }

    static func quote(_ s: String) -> String {
        var r = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": r += "\\\""
            case "\\": r += "\\\\"
            case "\n": r += "\\n"
            case "\r": r += "\\r"
            case "\t": r += "\\t"
            default:
                if u.value < 0x20 { r += String(format: "\\u%04x", u.value) } else { r.unicodeScalars.append(u) }
            }
        }
        return r + "\""
    }

    var text: String {
        var s = ""
        write(into: &s, indent: 0)
        return s + "\n"
    }
}

func csvField(_ s: String) -> String {
    if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    return s
}

func csvNumber(_ x: Double?) -> String {
    guard let x, x.isFinite else { return "" }
    return "\(x)"
}

// MARK: - StudyReport

extension StudyReport {
    /// The report in `format`; text ends with a newline.
    public func rendered(as format: OutputFormat) -> String {
        switch format {
        case .table: return tableText()
        case .json: return jsonText()
        case .csv: return csvText()
        }
    }

    static let sectionTitles = [
        "endpoints": "Endpoints", "overall": "All endpoints together",
        "instances": "Instance workers (event loops)", "pools": "Connection pools",
        "poolers": "Poolers (server side)", "database_nodes": "Database nodes", "database": "Database connections",
        "caches": "Caches", "job_queues": "Job queues", "faults": "Faults", "stations": "Stations (per visit)",
        "network": "Network (entry to exit)",
    ]

    public func tableText() -> String {
        var lines: [String] = []
        let s = settings
        lines.append("\(modelName) (\(sourcePath))")
        var run = "\(s.replications) replication\(s.replications == 1 ? "" : "s") x \(formatDuration(s.horizonSeconds))"
        run += ", warm-up \(formatDuration(s.warmupSeconds)) (\(s.warmupMethod == .fixed ? "fixed" : "MSER-5"))"
        run += ", seed \(s.seed)"
        if let l = s.latencyOf { run += "; latencies of \(l == .all ? "all requests (timeouts at the client's timeout)" : "succeeded requests")" }
        run += "; ± is the half-width of the \(formatPercent(s.confidenceLevel)) confidence interval"
        lines.append(run)
        for section in sections where !section.items.isEmpty {
            lines.append("")
            lines.append(StudyReport.sectionTitles[section.name] ?? section.name)
            var rows: [[String]] = [["", "simulated", "analytic"]]
            for item in section.items {
                var title = item.name
                if !item.attributes.isEmpty {
                    title += " (" + item.attributes.map { "\($0.key.replacingOccurrences(of: "_", with: " ")) \(ValueText.value($0.value, metric: $0.key))" }.joined(separator: ", ") + ")"
                }
                rows.append([title, "", ""])
                for f in item.figures {
                    rows.append(["  " + ValueText.label(f.metric), ValueText.estimate(f.estimate, metric: f.metric),
                                 f.analytic.map { ValueText.value($0, metric: f.metric) } ?? ""])
                }
                if let m = item.merged, m.count > 0, section.name != "pools" || m.maxSeconds > 0 {
                    let pooled = [m.p50Seconds, m.p95Seconds, m.p99Seconds, m.maxSeconds]
                        .map { ValueText.value($0, metric: "_seconds") }.joined(separator: " / ")
                    rows.append(["  pooled p50/p95/p99/max", pooled, "n = \(m.count)"])
                }
            }
            lines += alignedRows(rows)
        }
        if !sloVerdicts.isEmpty {
            lines.append("")
            lines.append("SLOs, each checked at the unfavourable bound of its \(formatPercent(s.confidenceLevel)) confidence interval")
            lines += SLOVerdict.tableRows(sloVerdicts)
            let failed = sloVerdicts.filter { !$0.holds }.count
            lines.append(failed == 0 ? "  every SLO holds" : "  \(failed) of \(sloVerdicts.count) SLO\(sloVerdicts.count == 1 ? "" : "s") fail\(failed == 1 ? "s" : "") (exit status 1)")
        }
        return finishedTable(lines, warnings: warnings, notes: notes)
    }

    public func csvText() -> String {
        var out = "section,name,metric,mean,ci_low,ci_high,analytic\n"
        if let l = settings.latencyOf { out += "settings,latency_of,\(l.rawValue),,,,\n" }
        for section in sections {
            for item in section.items {
                let prefix = "\(csvField(section.name)),\(csvField(item.name)),"
                for a in item.attributes {
                    out += prefix + "\(csvField(a.key)),\(csvNumber(a.value)),,,\n"
                }
                for f in item.figures {
                    let e = f.estimate
                    out += prefix + "\(csvField(f.metric)),\(csvNumber(e.mean)),\(csvNumber(e.lower)),\(csvNumber(e.upper)),\(csvNumber(f.analytic))\n"
                }
                if let m = item.merged, m.count > 0 {
                    for (k, v) in m.values {
                        out += prefix + "merged_\(k),\(csvNumber(v)),,,\n"
                    }
                }
            }
        }
        for v in sloVerdicts {
            let prefix = "slos,\(csvField(v.slo.text)),"
            out += prefix + "\(csvField(v.slo.figure)),\(csvNumber(v.check.estimate?.mean)),\(csvNumber(v.check.estimate?.lower)),\(csvNumber(v.check.estimate?.upper)),\n"
            out += prefix + "holds,\(v.holds ? 1 : 0),,,\n"
        }
        return out
    }

    var json: JSONValue {
        let s = settings
        var root: [(String, JSONValue)] = [
            ("schema", .string("headroom.run/1")),
            ("model", .object([("name", .string(modelName)), ("source", .string(sourcePath))])),
            ("settings", .object([
                ("horizon_seconds", .num(s.horizonSeconds)),
                ("warmup_seconds", .num(s.warmupSeconds)),
                ("warmup_method", .string(s.warmupMethod.rawValue)),
                ("replications", .int(s.replications)),
                ("seed", .string(String(s.seed))),
                ("confidence_level", .num(s.confidenceLevel)),
                ("target_relative_error", .num(s.targetRelativeError)),
                ("max_replications", .int(s.maxReplications)),
                ("precision_reached", s.precisionReached.map { .bool($0) } ?? .null),
            ] + (s.latencyOf.map { [("latency_of", JSONValue.string($0.rawValue))] } ?? []))),
        ]
        for section in sections {
            root.append((section.name, .array(section.items.map { item in
                var entries: [(String, JSONValue)] = [("name", .string(item.name))]
                entries.append(("attributes", .object(item.attributes.map { ($0.key, .num($0.value)) })))
                entries.append(("figures", .object(item.figures.map { f in
                    (f.metric, .object([
                        ("mean", .num(f.estimate.mean)),
                        ("half_width", .num(f.estimate.halfWidth)),
                        ("ci_low", .num(f.estimate.lower)),
                        ("ci_high", .num(f.estimate.upper)),
                        ("samples", .int(f.estimate.samples)),
                        ("analytic", .num(f.analytic)),
                    ]))
                })))
                if let m = item.merged {
                    entries.append(("merged", .object(m.values.map { $0.0 == "count" ? ($0.0, .int(Int($0.1))) : ($0.0, .num($0.1)) })))
                } else {
                    entries.append(("merged", .null))
                }
                return .object(entries)
            })))
        }
        if !sloVerdicts.isEmpty {
            root.append(("slos", .array(sloVerdicts.map(\.json))))
            root.append(("slos_hold", .bool(meetsSLOs)))
        }
        root.append(("events_processed", .int(eventsProcessed)))
        root.append(("warnings", .array(warnings.map { .string($0) })))
        root.append(("notes", .array(notes.map { .string($0) })))
        return .object(root)
    }

    public func jsonText() -> String { json.text }
}

// MARK: - Analysis

extension Analysis {
    public func rendered(as format: OutputFormat) -> String {
        switch format {
        case .table: return tableText()
        case .json: return jsonText()
        case .csv: return csvText()
        }
    }

    public func tableText() -> String {
        var lines: [String] = []
        lines.append("\(modelName) (\(sourcePath)): analytic answer, no simulation")
        switch workload {
        case .open:
            var l = "open load: \(formatRate(arrivalRatePerSecond ?? 0))"
            if let p = peakArrivalRatePerSecond, let m = arrivalRatePerSecond, p > m * (1 + 1e-9) { l += " on average, peak \(formatRate(p))" }
            lines.append(l)
        case .closed:
            var l = "closed load: \(users ?? 0) users, think time \(ValueText.value(thinkTimeSeconds ?? 0, metric: "_seconds"))"
            if let x = throughputPerSecond, let r = responseSeconds {
                l += "; MVA: throughput \(ValueText.value(x, metric: "_per_second")), response \(ValueText.value(r, metric: "_seconds"))"
            }
            lines.append(l)
        }
        if !resources.isEmpty {
            lines.append("")
            lines.append("Resources (demand per request; utilization \(workload == .open ? "lambda D / c" : "X(N) D / c"))")
            var rows: [[String]] = [["resource", "servers", "demand", "utilization", "max throughput", ""]]
            for r in resources {
                rows.append([r.id, String(r.servers), ValueText.value(r.demandSeconds, metric: "_seconds"),
                             r.utilization.map { ValueText.value($0, metric: "utilization") } ?? "",
                             r.maxThroughputPerSecond.map { ValueText.value($0, metric: "_per_second") } ?? "",
                             r.id == bottleneck ? "<- bottleneck" : ""])
            }
            lines += alignedRows(rows, right: [1, 2, 3, 4])
        }
        lines.append("")
        var b = "bounds: response >= \(ValueText.value(bounds.minResponseSeconds, metric: "_seconds")) (no queueing)"
        if let x = bounds.maxThroughputPerSecond { b += ", throughput <= \(ValueText.value(x, metric: "_per_second"))" }
        if let bn = bottleneck { b += " (bottleneck \(bn))" }
        lines.append(b)
        if let n = users, let x = bounds.throughputUpperBoundPerSecond, let r = bounds.responseLowerBoundSeconds {
            var c = "at \(n) users: throughput <= \(ValueText.value(x, metric: "_per_second")), response >= \(ValueText.value(r, metric: "_seconds"))"
            if let k = bounds.saturationUsers { c += "; saturation (knee) at N* = \(formatSignificant(k, digits: 3)) users" }
            lines.append(c)
        }
        if !pools.isEmpty {
            lines.append("")
            lines.append(workload == .open
                ? "Pools (per copy: Erlang C, M/M/c with c connections, or M/M/c+D when waiters give up after a constant timeout; offered load = acquisitions/s x mean hold; utilization is carried)"
                : "Pools (closed load: Little's law on the MVA throughput; beyond the connections, requests wait)")
            var rows: [[String]] = [["pool", "method", "copies x conns", "acquisitions", "mean hold", "offered", "utilization", "P(wait)", "P(timeout)", "mean wait", "waiting"]]
            for p in pools {
                rows.append(["\(p.kind == "pooler" ? "pooler " : "")\(p.name)", p.method, "\(p.copies) x \(p.connectionsPerCopy)",
                             ValueText.value(p.acquisitionsPerSecond, metric: "_per_second"),
                             ValueText.value(p.meanHoldSeconds, metric: "_seconds"),
                             "\(formatSignificant(p.offeredLoadErlangs, digits: 3)) erl",
                             ValueText.value(p.utilization, metric: "utilization"),
                             p.probabilityOfWaiting.map { ValueText.value($0, metric: "_rate") } ?? (workload == .open ? "overloaded" : ""),
                             p.probabilityOfTimeout.map { ValueText.value($0, metric: "_rate") } ?? "",
                             p.meanWaitSeconds.map { ValueText.value($0, metric: "_seconds") } ?? "unbounded",
                             p.meanWaiting.map { formatSignificant($0, digits: 3) } ?? "unbounded"])
            }
            lines += alignedRows(rows, right: [3, 4, 5, 6, 7, 8, 9, 10])
        }
        if !endpoints.isEmpty {
            lines.append("")
            lines.append("Endpoints (per request, cache hit ratios and repeat counts folded in)")
            let closed = endpoints.contains { $0.meanLatencySeconds != nil }
            var header = ["endpoint", "weight", "cpu", "database", "queries", "delays", "uncontended"]
            if closed { header.append("MVA latency") }
            var rows: [[String]] = [header]
            for e in endpoints {
                var row = [e.name, formatSignificant(e.weight, digits: 3),
                           ValueText.value(e.cpuSeconds, metric: "_seconds"), ValueText.value(e.databaseSeconds, metric: "_seconds"),
                           formatSignificant(e.queriesPerRequest, digits: 3),
                           ValueText.value(e.delaySeconds, metric: "_seconds"), ValueText.value(e.uncontendedLatencySeconds, metric: "_seconds")]
                if closed { row.append(e.meanLatencySeconds.map { ValueText.value($0, metric: "_seconds") } ?? "") }
                rows.append(row)
            }
            lines += alignedRows(rows, right: Set(1..<header.count))
        }
        if !cacheHitRatios.isEmpty {
            lines.append("")
            lines.append("Caches")
            lines += alignedRows(cacheHitRatios.map { [$0.cache, "hit ratio " + ValueText.value($0.hitRatio, metric: "hit_rate"), $0.estimated ? "(estimated)" : "(given)"] })
        }
        if !stations.isEmpty {
            lines.append("")
            lines.append("Stations\(network?.method.map { " (\($0))" } ?? " (no closed form)")")
            var rows: [[String]] = [["station", "servers", "visits", "demand", "utilization", "L", "Lq", "W", "Wq"]]
            for s in stations {
                rows.append([s.name, String(s.servers), formatSignificant(s.visits, digits: 3), ValueText.value(s.demandSeconds, metric: "_seconds"),
                             s.utilization.map { ValueText.value($0, metric: "utilization") } ?? "",
                             s.meanNumberPresent.map { formatSignificant($0, digits: 4) } ?? "",
                             s.meanNumberWaiting.map { formatSignificant($0, digits: 4) } ?? "",
                             s.meanResponseSeconds.map { ValueText.value($0, metric: "_seconds") } ?? "",
                             s.meanWaitSeconds.map { ValueText.value($0, metric: "_seconds") } ?? ""])
            }
            lines += alignedRows(rows, right: Set(1..<9))
            if let n = network, n.method != nil {
                var l = "network: "
                l += [n.throughputPerSecond.map { "throughput \(ValueText.value($0, metric: "_per_second"))" },
                      n.meanResponseSeconds.map { "mean time in network \(ValueText.value($0, metric: "_seconds"))" },
                      n.meanNumberInNetwork.map { "mean number in network \(formatSignificant($0, digits: 4))" }]
                    .compactMap { $0 }.joined(separator: ", ")
                lines.append(l)
            }
        }
        if !mva.isEmpty {
            lines.append("")
            lines.append("MVA curve (closed workload\(mva.count > 12 ? "; every point in --format json or csv" : ""))")
            var rows: [[String]] = [["users", "throughput", "response"]]
            let step = max(1, Int((Double(mva.count) / 12).rounded(.up)))
            let shown = mva.enumerated().filter { $0.offset % step == 0 || $0.offset == mva.count - 1 }.map(\.element)
            for p in shown {
                rows.append([String(p.users), ValueText.value(p.throughputPerSecond, metric: "_per_second"),
                             ValueText.value(p.responseSeconds, metric: "_seconds")])
            }
            lines += alignedRows(rows, right: [0, 1, 2])
        }
        return finishedTable(lines, warnings: warnings, notes: notes)
    }

    /// JSON with every key present (null where no value), in declaration order, snake_case.
    public func jsonText() -> String {
        guard case let .object(entries) = JSONValue(reflecting: self) else { return "{}\n" }
        return JSONValue.object([("schema", .string("headroom.analyze/1"))] + entries).text
    }

    /// Same columns as `headroom run --format csv`; the values are in the `analytic` column.
    public func csvText() -> String {
        var out = "section,name,metric,mean,ci_low,ci_high,analytic\n"
        func row(_ section: String, _ name: String, _ metric: String, _ v: Double?) {
            guard let v, v.isFinite else { return }
            out += "\(csvField(section)),\(csvField(name)),\(csvField(metric)),,,,\(csvNumber(v))\n"
        }
        row("workload", workload.rawValue, "arrival_rate_per_second", arrivalRatePerSecond)
        row("workload", workload.rawValue, "users", users.map(Double.init))
        row("workload", workload.rawValue, "think_time_seconds", thinkTimeSeconds)
        row("workload", workload.rawValue, "throughput_per_second", throughputPerSecond)
        row("workload", workload.rawValue, "response_seconds", responseSeconds)
        for r in resources {
            row("resources", r.id, "servers", Double(r.servers))
            row("resources", r.id, "demand_seconds", r.demandSeconds)
            row("resources", r.id, "utilization", r.utilization)
            row("resources", r.id, "max_throughput_per_second", r.maxThroughputPerSecond)
        }
        row("bounds", bottleneck ?? "", "max_throughput_per_second", bounds.maxThroughputPerSecond)
        row("bounds", bottleneck ?? "", "min_response_seconds", bounds.minResponseSeconds)
        row("bounds", bottleneck ?? "", "saturation_users", bounds.saturationUsers)
        row("bounds", bottleneck ?? "", "throughput_upper_bound_per_second", bounds.throughputUpperBoundPerSecond)
        row("bounds", bottleneck ?? "", "response_lower_bound_seconds", bounds.responseLowerBoundSeconds)
        for p in pools {
            let s = p.kind == "pooler" ? "poolers" : "pools"
            row(s, p.name, "acquisitions_per_second", p.acquisitionsPerSecond)
            row(s, p.name, "mean_hold_seconds", p.meanHoldSeconds)
            row(s, p.name, "offered_load_erlangs", p.offeredLoadErlangs)
            row(s, p.name, "utilization", p.utilization)
            row(s, p.name, "probability_of_waiting", p.probabilityOfWaiting)
            row(s, p.name, "probability_of_timeout", p.probabilityOfTimeout)
            row(s, p.name, "carried_acquisitions_per_second", p.carriedAcquisitionsPerSecond)
            row(s, p.name, "mean_in_use", p.meanInUse)
            row(s, p.name, "mean_wait_seconds", p.meanWaitSeconds)
            row(s, p.name, "mean_waiting", p.meanWaiting)
        }
        for e in endpoints {
            row("endpoints", e.name, "cpu_seconds", e.cpuSeconds)
            row("endpoints", e.name, "database_seconds", e.databaseSeconds)
            row("endpoints", e.name, "delay_seconds", e.delaySeconds)
            row("endpoints", e.name, "uncontended_latency_seconds", e.uncontendedLatencySeconds)
            row("endpoints", e.name, "throughput_per_second", e.throughputPerSecond)
            row("endpoints", e.name, "mean_latency_seconds", e.meanLatencySeconds)
        }
        for c in cacheHitRatios { row("caches", c.cache, "hit_rate", c.hitRatio) }
        for s in stations {
            row("stations", s.name, "visits", s.visits)
            row("stations", s.name, "demand_seconds", s.demandSeconds)
            row("stations", s.name, "utilization", s.utilization)
            row("stations", s.name, "throughput_per_second", s.throughputPerSecond)
            row("stations", s.name, "mean_number_present", s.meanNumberPresent)
            row("stations", s.name, "mean_number_waiting", s.meanNumberWaiting)
            row("stations", s.name, "mean_response_seconds", s.meanResponseSeconds)
            row("stations", s.name, "mean_wait_seconds", s.meanWaitSeconds)
        }
        if let n = network {
            row("network", n.method ?? "", "throughput_per_second", n.throughputPerSecond)
            row("network", n.method ?? "", "mean_seconds", n.meanResponseSeconds)
            row("network", n.method ?? "", "mean_number_in_network", n.meanNumberInNetwork)
        }
        for p in mva {
            row("mva", String(p.users), "throughput_per_second", p.throughputPerSecond)
            row("mva", String(p.users), "response_seconds", p.responseSeconds)
        }
        return out
    }
}

extension JSONValue {
    /// Plain data to JSON by reflection: struct properties in declaration order with camelCase
    /// names turned to snake_case, nil as null, string-backed enums as their raw value.
    init(reflecting value: Any) {
        switch value {
        case let v as Double: self = .num(v)
        case let v as Int: self = .int(v)
        case let v as UInt64: self = .string(String(v))
        case let v as Bool: self = .bool(v)
        case let v as String: self = .string(v)
        default:
            if let raw = value as? any RawRepresentable, let s = raw.rawValue as? String { self = .string(s); return }
            let mirror = Mirror(reflecting: value)
            switch mirror.displayStyle {
            case .optional:
                if let child = mirror.children.first { self = JSONValue(reflecting: child.value) } else { self = .null }
            case .collection, .set:
                self = .array(mirror.children.map { JSONValue(reflecting: $0.value) })
            case .struct, .class:
                self = .object(mirror.children.compactMap { c in
                    c.label.map { (JSONValue.snakeCase($0), JSONValue(reflecting: c.value)) }
                })
            default:
                self = .string(String(describing: value))
            }
        }
    }

    static func snakeCase(_ s: String) -> String {
        var out = ""
        for ch in s {
            if ch.isUppercase { out += "_" + ch.lowercased() } else { out.append(ch) }
        }
        return out
    }
}

/// The end of a table: warnings, then notes, each block after a blank line. Each distinct
/// warning once; a loader warning (`file:line:col: warning: ...`) keeps its own label.
func finishedTable(_ lines: [String], warnings: [String], notes: [String]) -> String {
    var lines = lines
    var seen = Set<String>()
    let distinct = warnings.filter { seen.insert($0).inserted }
    if !distinct.isEmpty {
        lines.append("")
        lines += distinct.map { $0.contains(": warning: ") ? $0 : "warning: \($0)" }
    }
    if !notes.isEmpty {
        lines.append("")
        lines += notes.map { "note: \($0)" }
    }
    return lines.joined(separator: "\n") + "\n"
}
