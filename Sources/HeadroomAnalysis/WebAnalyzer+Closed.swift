import Foundation
import HeadroomModel
import Queueing
import HeadroomOutput

/// A closed load whose requests queue for one pool (issue 19, item 3): the pool and the database
/// its holders share are one load-dependent station of the closed network, whose rate with j
/// requests there is the flow-equivalent database's release rate at min(j, connections) (exact
/// convolution over the cores with processor sharing, contention and coherency) over the
/// acquisitions per request; the workers, cache servers and upstreams are multi-server stations
/// and the other delays and the think time infinite servers. Solved by convolution
/// (`LoadDependentClosedNetwork`): the throughput, and from the pool station's marginal
/// distribution the connections in use, the requests waiting for one, P(wait) as an arriving
/// request sees it (the arrival theorem) and the mean wait (Little). MVA alone leaves the pools
/// out and lets every user reach the database however few connections there are.
struct ClosedPoolSolution {
    var throughputPerSecond: Double
    var responseSeconds: Double
    var curve: [Analysis.MVAPoint]
    var queue: Analysis.PoolQueue
    /// Residence of a request at the pool station (its waits and holds, all acquisitions).
    var poolResidenceSeconds: Double
    /// The mean hold over the uncontended one: how much the database's sharing stretches a query.
    var holdStretch: Double
    /// One copy, one acquisition per request, exponential CPU and queries, no timeouts: exact.
    var exact: Bool
    var note: String

    /// Populations beyond this keep MVA (the convolution costs O(stations x N^2)).
    static let maximumUsers = 1500
}

extension WebAnalyzer {
    /// nil unless exactly one pool (no pooler) carries the queries, all of its hold is at the
    /// database (no transaction over other steps, no round trip), and the population is at most
    /// `ClosedPoolSolution.maximumUsers`.
    func solveClosedPool(_ p: Profile, users: Int, think: Double) -> ClosedPoolSolution? {
        guard let db = model.database, model.poolers.isEmpty, users >= 1, users <= ClosedPoolSolution.maximumUsers else { return nil }
        let used = model.pools.filter { (p.poolAcquires[$0.name] ?? 0) > 0 }
        guard used.count == 1, let pool = used.first else { return nil }
        let acquires = p.poolAcquires[pool.name] ?? 0
        let primary = (p.poolPrimarySeconds[pool.name] ?? 0) / acquires
        let replica = (p.poolReplicaSeconds[pool.name] ?? 0) / acquires
        let hold = (p.poolHoldSeconds[pool.name] ?? 0) / acquires
        guard primary + replica > 0, abs(hold - primary - replica) <= 1e-9 * hold else { return nil }
        let instances = max(1, model.instances.count)
        let copies = pool.scope == .perInstance ? instances : 1
        let connections = min(copies * pool.size, db.maxConnections)
        guard connections >= 1 else { return nil }

        var nodes = [DatabaseNodeDemand(cores: db.cores, contention: db.contention, coherency: db.coherency, demandSeconds: primary)]
        if db.replicas > 0 && db.readRouting != .primary {
            for _ in 0..<db.replicas {
                nodes.append(DatabaseNodeDemand(cores: db.replicaCores, contention: db.contention, coherency: db.coherency,
                                                demandSeconds: replica / Double(db.replicas)))
            }
        }
        let top = min(users, connections)
        guard let fes = try? FlowEquivalentDatabase(nodes: nodes, otherHoldSeconds: 0, maximumHolders: top) else { return nil }

        typealias Station = LoadDependentClosedNetwork.Station
        func multiServer(_ name: String, servers: Int, demand: Double) -> Station {
            Station(name: name, ratePerSecond: (1...max(1, min(servers, users))).map { Double($0) / demand })
        }
        var stations: [Station] = []
        if p.cpuSeconds > 0 {
            for i in 0..<instances {
                stations.append(multiServer("instance-\(i + 1)", servers: model.instances.workers, demand: p.cpuSeconds / Double(instances)))
            }
        }
        var delay = p.delaySeconds
        for cache in model.caches {
            guard let server = cache.server else { continue }
            let demand = p.cacheServerSeconds(cache)
            guard demand > 0 else { continue }
            delay -= demand
            let n = cache.scope == .perInstance ? instances : 1
            for c in 0..<n { stations.append(multiServer("cache_server.\(cache.name)-\(c)", servers: server.servers, demand: demand / Double(n))) }
        }
        for upstream in model.upstreams {
            let demand = p.upstreamServerSeconds(upstream)
            guard demand > 0 else { continue }
            delay -= demand
            stations.append(multiServer("upstream.\(upstream.name)", servers: upstream.servers, demand: demand))
        }
        let observed = stations.count
        stations.append(Station(name: "pool.\(pool.name)", ratePerSecond: (1...top).map { fes.throughput(holders: $0) / acquires }))
        guard let net = try? LoadDependentClosedNetwork(stations: stations, thinkSeconds: think + max(0, delay), population: users, observed: observed) else { return nil }

        let x = net.throughput(population: users)
        let c = Double(connections)
        let marginal = net.observedMarginal
        var inUse = 0.0, waiting = 0.0, present = 0.0
        for (j, pj) in marginal.enumerated() {
            inUse += min(Double(j), c) * pj
            waiting += max(0, Double(j) - c) * pj
            present += Double(j) * pj
        }
        let pWait = net.observedMarginalSeenOnArrival.enumerated().reduce(0.0) { $0 + ($1.offset >= connections ? $1.element : 0) }
        let acquisitionRate = x * acquires
        var q = Analysis.PoolQueue(name: pool.name, kind: "pool", copies: copies, connectionsPerCopy: pool.size,
                                   acquisitionsPerSecond: acquisitionRate, meanHoldSeconds: inUse / acquisitionRate,
                                   offeredLoadErlangs: inUse, utilization: inUse / Double(copies * pool.size))
        q.method = "pool+database (closed)"
        q.acquireTimeoutSeconds = pool.acquireTimeoutSeconds
        q.probabilityOfWaiting = pWait
        q.carriedAcquisitionsPerSecond = acquisitionRate
        q.meanInUse = inUse
        q.meanWaiting = waiting
        q.meanWaitSeconds = waiting / acquisitionRate
        let points: [Int] = users <= 60 ? Array(1...users)
            : Array(Set([1, users] + (1..<60).map { max(1, Int((Double(users) * Double($0) / 60).rounded())) })).sorted()
        let curve = points.map { n in
            Analysis.MVAPoint(users: n, throughputPerSecond: net.throughput(population: n),
                              responseSeconds: Double(n) / net.throughput(population: n) - think)
        }
        let exponential = model.allEndpointSteps.allSatisfy { step in
            switch step {
            case let .cpu(d): if case .exponential = d { return true }; return false
            case let .query(q): if case .exponential = q.time, q.roundTrip == nil { return true }; return false
            default: return false
            }
        }
        let exact = copies == 1 && instances == 1 && abs(acquires - 1) < 1e-12 && exponential
            && pool.acquireTimeoutSeconds == nil && model.endpoints.allSatisfy { $0.timeoutSeconds == nil && $0.retry == nil }
        let note = "closed workload through pool `\(pool.name)`: the pool and the database solved together as one station of the closed network (its rate with j requests there is what the database releases with min(j, \(connections)) holders, \(db.contention > 0 || db.coherency > 0 ? "contention and coherency included, " : "")over \(formatSignificant(acquires, digits: 3)) acquisition\(acquires == 1 ? "" : "s") per request), solved by convolution with the workers\(think > 0 ? ", the think time" : "") and the delays; the pool's waits from its marginal distribution (P(wait) as an arriving request sees it)"
            + (copies > 1 ? "; the \(copies) instances' pools as one of \(connections) connections (an approximation: the waits err short)" : "")
            + (pool.acquireTimeoutSeconds != nil ? "; acquire timeouts are not taken into account (no timeout probability for closed loads)" : "")
        return ClosedPoolSolution(throughputPerSecond: x, responseSeconds: Double(users) / x - think, curve: curve, queue: q,
                                  poolResidenceSeconds: present / x, holdStretch: max(1, q.meanHoldSeconds / hold), exact: exact, note: note)
    }


}

extension Model {
    /// Every step of every endpoint, nested steps included (cache hit and miss paths, repeats,
    /// parallel branches, transactions), in order.
    var allEndpointSteps: [Step] {
        var steps: [Step] = []
        func walk(_ s: [Step]) {
            for step in s {
                steps.append(step)
                switch step {
                case let .cache(c): walk(c.hit); walk(c.miss)
                case let .repeat(_, inner): walk(inner)
                case let .parallel(branches): branches.forEach(walk)
                case let .transaction(t): walk(t.steps)
                default: break
                }
            }
        }
        endpoints.forEach { walk($0.steps) }
        return steps
    }
}
