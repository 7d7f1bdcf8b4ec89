import Foundation
import HeadroomKernel
import HeadroomModel
import HeadroomOutput
import HeadroomAnalysis

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
        "failures": "Failures by where they happened (all endpoints; share of attempts)",
        "instances": "Instance workers (event loops)", "threads": "Request threads (accept queue before them)",
        "pools": "Connection pools",
        "poolers": "Poolers (server side)", "database_nodes": "Database nodes", "database": "Database connections",
        "caches": "Caches", "job_queues": "Job queues", "upstreams": "HTTP upstreams", "hosts": "Hosts", "faults": "Faults", "stations": "Stations (per visit)",
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
        if let caution = s.intervalCaution { lines.append("caution: " + caution) }
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
                        .map { ValueText.value($0, metric: Metric.meanSeconds.key) }.joined(separator: " / ")
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
        let caution: JSONValue = s.intervalCaution.map { .string($0) } ?? .null
        let precision: JSONValue = s.precisionReached.map { .bool($0) } ?? .null
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
                ("precision_reached", precision),
                ("interval_caution", caution),
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
