import Foundation
import HeadroomModel

extension Analysis {
    /// What an analytic figure is worth against the simulation (issue 19, item 2): the
    /// differential test (`AnalyticDifferential`) holds each figure to its label, and
    /// docs/analytic-accuracy.md gives the measured error of the approximations.
    public enum FigureAccuracy: String, Sendable, Hashable, Encodable {
        /// Equal to the simulation's long-run mean (a law, or a closed form whose assumptions the model meets).
        case exact
        /// The simulation's figure is at least this (e.g. the utilization law with uncontended
        /// demands on a database with contention).
        case lowerBound = "lower_bound"
        /// The simulation's figure is at most this (e.g. the offered throughput when requests time out).
        case upperBound = "upper_bound"
        /// Neither: its measured error band is in docs/analytic-accuracy.md.
        case approximation
    }

    public struct FigureLabel: Sendable, Hashable, Encodable {
        /// `section.item.metric` of the `run` report, e.g. `pools.db.utilization`.
        public var figure: String
        public var accuracy: FigureAccuracy
    }

    /// The label of the analytic companion of `section.item.metric` in a `run` report
    /// (approximation unless the analysis says otherwise).
    public func accuracy(section: String, item: String, metric: String) -> FigureAccuracy {
        let key = "\(section).\(item).\(metric)"
        return figureAccuracy.first { $0.figure == key }?.accuracy ?? .approximation
    }

    /// One line for `analyze`'s table: the figures by label (approximations: the rest).
    var accuracyLine: String? {
        guard !figureAccuracy.isEmpty else { return nil }
        let groups: [(String, FigureAccuracy)] = [("exact", .exact), ("lower bounds", .lowerBound), ("upper bounds", .upperBound)]
        let parts = groups.compactMap { name, label -> String? in
            let figures = figureAccuracy.filter { $0.accuracy == label }.map(\.figure)
            return figures.isEmpty ? nil : "\(name): \(figures.joined(separator: ", "))"
        }
        return "accuracy of the figures `run` puts beside the simulation's (docs/analytic-accuracy.md): "
            + (parts + ["approximations: every other analytic figure"]).joined(separator: "; ")
    }
}

extension WebAnalyzer {
    /// Labels the analytic figures of a web model (keys `section.item.metric` of the `run` report).
    ///
    /// - Utilization law (workers, database): `lambda D / c` is exact when every offered request
    ///   does its work (no timeouts) and nothing is overloaded; timeouts only take work away (an
    ///   upper bound); contention and coherency only stretch the busy time (a lower bound).
    /// - Throughput of an open load: exact without timeouts, else an upper bound (offered >= carried).
    /// - Pools: connections in use `lambda x hold` is exact when the holds are the uncontended
    ///   ones (no query can queue for a core, no contention, nothing else held) and no request
    ///   gives up; the joint pool+database solution is exact for one copy, one exponential query
    ///   per acquisition, each request's single acquisition arriving as a Poisson stream (Burke:
    ///   the departures of the exponential CPU step), no transaction and no client timeout.
    /// - Closed loads: MVA is exact for one instance (round robin is no random split), pools that
    ///   can never bind, no contention and no timeouts; Little's law for the pools is an approximation.
    /// - A given cache hit ratio is exact.
    ///
    /// `metastable`: keys (`pool.NAME`) of pools whose figures are a metastable state's, approximations.
    /// `closedPoolExact`: a closed load solved with its pool (`ClosedPoolSolution`), and whether exactly.
    func figureAccuracy(_ a: Analysis, stretched: Bool, metastable: Set<String>, closedPoolExact: Bool?) -> [Analysis.FigureLabel] {
        var labels: [String: Analysis.FigureAccuracy] = [:]
        let endpointTimeouts = model.endpoints.contains { $0.timeoutSeconds != nil || $0.retry != nil }
        let acquireTimeouts = model.pools.contains { $0.acquireTimeoutSeconds != nil }
            || model.poolers.contains { $0.queryWaitTimeoutSeconds != nil }
        // Request threads refuse at a full accept queue, and bound every queue behind them.
        let threads = model.instances.threads != nil
        let sheds = endpointTimeouts || acquireTimeouts || !model.rateLimiters.isEmpty
            || (model.database?.queryFailureProbability ?? 0) > 0 || !model.instances.failures.isEmpty || threads
        let contended = (model.database?.contention ?? 0) > 0 || (model.database?.coherency ?? 0) > 0
        let stable = a.resources.allSatisfy { ($0.utilization ?? 0) < 1 }
        // CPU that waits for a shared host's cores or a spent CPU-limit quota (docs/hosts.md):
        // whatever holds a worker or a connection meanwhile is held longer than its demand.
        let instancesWaitForCPU = !model.instances.hostNames.isEmpty || model.instances.cpuLimit != nil
        let hostsOrCPUCosts = !model.hosts.isEmpty || model.instances.cpuLimit != nil || model.client != nil
            || model.poolers.contains { $0.cpuPerTransaction != nil || $0.cpuPerConnection != nil }
        let steps = model.allEndpointSteps
        let transactions = steps.contains { if case .transaction = $0 { return true }; return false }
        let queries = steps.compactMap { step -> Query? in if case let .query(q) = step { return q }; return nil }
        let exponentialQueries = queries.allSatisfy { q in
            if case .exponential = q.time, q.roundTrip == nil { return true }
            return false
        }
        let simpleSteps = steps.allSatisfy { step in
            switch step { case .cpu, .query: return true; default: return false }
        }
        let oneQueryPerRequest = model.endpoints.count == 1 && simpleSteps && queries.count == 1
            && (model.workload?.mix.count ?? 1) <= 1

        // What offered work a law's figure stands for.
        func law(contendedNode: Bool) -> Analysis.FigureAccuracy {
            // Overloaded somewhere: work is lost before it gets here (a bound from above), but
            // contention may stretch what gets through past it.
            if !stable { return contendedNode ? .approximation : .upperBound }
            switch (sheds, contendedNode) {
            case (false, false): return .exact
            case (false, true): return .lowerBound
            case (true, false): return .upperBound
            case (true, true): return .approximation
            }
        }
        if a.workload == .open {
            // A metastable pool carries the load until it collapses: offered >= carried still holds.
            let x: Analysis.FigureAccuracy = sheds || !metastable.isEmpty ? .upperBound : .exact
            labels["overall.all.throughput_per_second"] = x
            for e in model.endpoints { labels["endpoints.\(e.name).throughput_per_second"] = x }
            labels["instances.workers.utilization"] = law(contendedNode: instancesWaitForCPU)
            // A host's busy cores are the work placed on it (the utilization law); a pooler's
            // thread on a core of its own too, on a shared host it also waits for a core.
            for h in model.hosts { labels["hosts.\(h.name).utilization"] = law(contendedNode: false) }
            for p in model.poolers where p.cpuPerTransaction != nil {
                labels["poolers.\(p.name).thread_utilization"] = law(contendedNode: p.host != nil)
            }
            for r in a.resources where r.kind == "database" {
                labels["database_nodes.\(r.name).utilization"] = law(contendedNode: contended)
            }
            for p in a.pools where p.kind == "pool" {
                let unstretched = !stretched && !contended && !transactions && !hostsOrCPUCosts && queries.allSatisfy { $0.roundTrip == nil }
                let jointExact = !metastable.contains("pool.\(p.name)") && p.method == "pool+database" && p.copies == 1 && exponentialQueries && oneQueryPerRequest
                    && !endpointTimeouts && model.rateLimiters.isEmpty && !threads && !hostsOrCPUCosts
                let inUse: Analysis.FigureAccuracy = jointExact || (unstretched && !sheds && stable && !metastable.contains("pool.\(p.name)")) ? .exact : .approximation
                labels["pools.\(p.name).utilization"] = inUse
                labels["pools.\(p.name).mean_in_use"] = inUse
                let wait: Analysis.FigureAccuracy = jointExact ? .exact : .approximation
                labels["pools.\(p.name).mean_wait_seconds"] = wait
                labels["pools.\(p.name).mean_waiting"] = wait
            }
        } else {
            let users = a.users ?? 0
            let connections = connectionsReachingDatabase()
            let exact: Bool
            if let closedPoolExact {
                exact = closedPoolExact && !hostsOrCPUCosts
                let pools: Analysis.FigureAccuracy = exact ? .exact : .approximation
                for p in a.pools where p.kind == "pool" && p.method == "pool+database (closed)" {
                    for metric in ["utilization", "mean_in_use", "mean_waiting", "mean_wait_seconds"] { labels["pools.\(p.name).\(metric)"] = pools }
                }
            } else {
                exact = model.instances.count == 1 && !sheds && !contended && connections >= users && model.poolers.isEmpty
                    && !hostsOrCPUCosts
            }
            let mva: Analysis.FigureAccuracy = exact ? .exact : .approximation
            labels["overall.all.throughput_per_second"] = mva
            labels["overall.all.mean_seconds"] = mva
            for e in model.endpoints {
                labels["endpoints.\(e.name).throughput_per_second"] = mva
                labels["endpoints.\(e.name).mean_seconds"] = mva
            }
            labels["instances.workers.utilization"] = mva
            // Contention stretches the busy time beyond X D / c even when X is exact.
            for r in a.resources where r.kind == "database" {
                labels["database_nodes.\(r.name).utilization"] = mva == .exact && contended ? .lowerBound : mva
            }
        }
        for c in model.caches {
            guard case .ratio = c.hits else { continue }
            labels["caches.\(c.name).hit_rate"] = .exact }
        return labels.sorted { $0.key < $1.key }.map { Analysis.FigureLabel(figure: $0.key, accuracy: $0.value) }
    }
}
