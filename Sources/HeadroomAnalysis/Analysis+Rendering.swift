import Foundation
import HeadroomKernel
import HeadroomModel
import HeadroomOutput

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
                l += (pools.contains { $0.method == "pool+database (closed)" } ? "; with its pool: throughput" : "; MVA: throughput") + " \(ValueText.value(x, metric: "_per_second")), response \(ValueText.value(r, metric: "_seconds"))"
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
                ? "Pools (per copy; pool+database: the pools and the database their holders share solved together, holds as the database stretches them, waits with the acquire timeout; behind a pooler: M/M/c or M/M/c+D on the pooler's wait plus hold; utilization is carried)"
                : pools.contains { $0.method == "pool+database (closed)" }
                    ? "Pools (closed load: pool+database (closed) is the pool and the database as one station of the closed network, solved by convolution; Little: Little's law on the MVA throughput)"
                    : "Pools (closed load: Little's law on the MVA throughput; beyond the connections, requests wait)")
            var rows: [[String]] = [["pool", "method", "copies x conns", "acquisitions", "mean hold", "offered", "utilization", "P(wait)", "P(timeout)", "mean wait", "waiting"]]
            for p in pools {
                rows.append(["\(p.kind == "pooler" ? "pooler " : p.kind == "upstream" ? "upstream " : "")\(p.name)", p.method, "\(p.copies) x \(p.connectionsPerCopy)",
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
        if let t = threads {
            lines.append("")
            lines.append("Request threads (per instance; held for the whole response; \(t.method == "Little" ? "utilization law" : t.method == "bound" ? "behind the overloaded `\(t.behind ?? "")`: a bound only" : "accept queue as \(t.method), the hold taken as exponential: an approximation"))")
            var rows: [[String]] = [["instances x threads", "accept queue", "arrivals", "mean hold", "utilization", "P(refused)", "accept wait", "in accept queue"]]
            rows.append(["\(t.instances) x \(t.threadsPerInstance)", t.acceptQueuePerInstance.map(String.init) ?? "unbounded",
                         ValueText.value(t.arrivalsPerSecond, metric: "_per_second"),
                         t.meanHoldSeconds.isFinite ? ValueText.value(t.meanHoldSeconds, metric: "_seconds") : "unbounded",
                         ValueText.value(t.utilization, metric: "utilization"),
                         t.blockingProbability.map { ValueText.value($0, metric: "_rate") } ?? t.lossLowerBound.map { ">= " + ValueText.value($0, metric: "_rate") + " (fail or refused)" } ?? "",
                         t.meanAcceptQueueWaitSeconds.map { ValueText.value($0, metric: "_seconds") } ?? "",
                         t.meanInAcceptQueue.map { formatSignificant($0, digits: 3) } ?? ""])
            lines += alignedRows(rows, right: [2, 3, 4, 5, 6, 7])
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
        return finishedTable(lines, warnings: warnings, notes: notes + (accuracyLine.map { [$0] } ?? []))
    }

    /// JSON with every key present (null where no value), in declaration order, snake_case.
    public func jsonText() -> String {
        guard case var .object(entries) = JSONValue(reflecting: self) else { return "{}\n" }
        // `threads` only where the model has request threads: other models' JSON is unchanged.
        if threads == nil { entries.removeAll { $0.0 == "threads" } }
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
            let s = p.kind == "pooler" ? "poolers" : p.kind == "upstream" ? "upstream_clients" : "pools"
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
        if let t = threads {
            row("threads", "instances", "mean_hold_seconds", t.meanHoldSeconds)
            row("threads", "instances", "utilization", t.utilization)
            row("threads", "instances", "rejected_rate", t.blockingProbability)
            row("threads", "instances", "loss_lower_bound", t.lossLowerBound)
            row("threads", "instances", "mean_wait_seconds", t.meanAcceptQueueWaitSeconds)
            row("threads", "instances", "mean_waiting", t.meanInAcceptQueue)
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
