import HeadroomModel

// The analytic side of hosts, a pooler's and the client's CPU, and CPU limits (docs/hosts.md).
extension WebAnalyzer {
    /// A resource the analysis adds for CPU placed on hosts or limited.
    package struct CPUResource {
        package var kind: String
        package var name: String
        package var servers: Int
        /// Seconds of the resource per request.
        package var demandSeconds: Double
    }

    /// Each host is a station whose cores serve the sum of the CPU demands placed on it (per
    /// request, divided by the host's speed): the instances' `cpu` steps (a share of them for
    /// the copies on the host), the primary's queries, a pooler's CPU per transaction and the
    /// client's CPU per request. A pooler's one thread is a station of one server; a CPU
    /// limit bounds the instances at `cpu_limit` cores each: demand cpu / limit per copy, a
    /// fluid bound (it says nothing of the throttling delays below it).
    /// The speed of the named host (1 for none): work placed there takes 1 / speed as long.
    package func speed(ofHost name: String?) -> Double {
        name.flatMap { model.host(named: $0)?.speed } ?? 1
    }

    /// The mean over the instance copies of 1 / their host's speed: what a `cpu` step's time
    /// measured at speed 1 becomes, on average (1 without hosts).
    package var instanceSlowness: Double {
        let names = model.instances.hostNames
        guard !names.isEmpty else { return 1 }
        return names.reduce(0) { $0 + 1 / speed(ofHost: $1) } / Double(names.count)
    }

    package func cpuResources(total: Profile) -> (resources: [CPUResource], notes: [String]) {
        var out: [CPUResource] = []
        var notes: [String] = []
        let copies = max(1, model.instances.count)
        func poolerTransactionsPerRequest(_ pooler: Pooler) -> Double {
            model.pools.filter { $0.via == pooler.name }.reduce(0) { $0 + (total.poolAcquires[$1.name] ?? 0) }
        }
        func poolerCPUPerRequest(_ pooler: Pooler) -> Double {
            // Per connection opened: the pools' connections last, so it is left out of the
            // steady state (a pool that opens a connection per acquisition would add it).
            poolerTransactionsPerRequest(pooler) * (pooler.cpuPerTransaction?.mean ?? 0)
        }
        for (h, host) in model.hosts.enumerated() {
            var demand = 0.0
            var placed: [String] = []
            let onHost = model.instances.hostNames.filter { $0 == host.name }.count
            if onHost > 0 {
                demand += total.cpuSeconds * Double(onHost) / Double(copies)
                placed.append(onHost == copies ? "the instances" : "\(onHost) of \(copies) instances")
            }
            if model.database?.host == host.name {
                demand += total.primarySeconds
                placed.append("the primary")
            }
            for pooler in model.poolers where pooler.host == host.name {
                demand += poolerCPUPerRequest(pooler)
                placed.append("pooler `\(pooler.name)`")
            }
            if let client = model.client, client.host == host.name {
                demand += client.cpuPerRequest?.mean ?? 0
                placed.append("the client")
            }
            _ = h
            out.append(CPUResource(kind: "host", name: host.name, servers: host.cores, demandSeconds: demand / host.speed))
            if !placed.isEmpty {
                notes.append("host `\(host.name)`: \(placed.joined(separator: ", ")) share its \(host.cores) core\(host.cores == 1 ? "" : "s") (speed \(host.speed)): one processor-sharing station whose demand is the sum of theirs")
            }
        }
        for pooler in model.poolers where pooler.cpuPerTransaction != nil {
            out.append(CPUResource(kind: "pooler_thread", name: pooler.name, servers: 1,
                                   demandSeconds: poolerCPUPerRequest(pooler) / speed(ofHost: pooler.host)))
        }
        if let limit = model.instances.cpuLimit {
            out.append(CPUResource(kind: "cpu_limit", name: "instances", servers: copies, demandSeconds: total.cpuSeconds / limit.cores))
            notes.append("CPU limit: \(limit.cores) core\(limit.cores == 1 ? "" : "s") per instance bounds throughput at \(copies) x \(limit.cores) / CPU per request (a fluid bound); below it, a request that meets a spent quota waits up to \(Int((limit.periodSeconds * 1000).rounded())) ms for the next period, a delay no analytic figure includes")
        }
        if model.database?.host != nil {
            notes.append("the primary is placed on a host: its cores are the host's, and the pool and database solution does not count the CPU of what else is placed there (the host's own figure does)")
        }
        return (out, notes)
    }
}
