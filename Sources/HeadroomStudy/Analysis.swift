import Foundation
import HeadroomModel
import Queueing

/// The instant analytic answer for a model (`headroom analyze`): no simulation.
///
/// - Web models: per resource (instance workers, each pool and pooler, each database node,
///   job workers) the demand per request, the utilization and the throughput it caps; the
///   bottleneck; asymptotic bounds; Erlang C per pool (offered load = acquisitions per second x
///   mean connection hold, hold computed from the steps with cache hit ratios and repeat counts
///   folded in); for closed workloads exact MVA (instance workers as multi-server stations, the
///   database as a load-dependent station with its cores, calls/sleeps/cache lookups as a delay,
///   pools left out: they are passive resources held while the database works).
/// - Plain networks: visit ratios from the traffic equations, demands, and the closed form where
///   one applies: M/M/c, M/M/c/K, Erlang-A, M/G/1, an open Jackson network, or exact MVA.
///
/// Open loads at or above capacity are legal (a what-if): they produce warnings with the
/// analytic utilization, never errors.
public struct Analysis: Sendable, Hashable, Encodable {
    public enum WorkloadKind: String, Sendable, Hashable, Encodable {
        case open, closed
    }

    /// One capacity-limited resource.
    public struct Resource: Sendable, Hashable, Encodable {
        /// `kind.name`, e.g. `pool.prisma`, `database.primary`, `workers.instances`, `station.desk`.
        public var id: String
        /// `workers`, `pool`, `pooler`, `database`, `job_workers`, `station`.
        public var kind: String
        public var name: String
        /// Servers in total (connections of all instances, cores, workers of all instances).
        public var servers: Int
        /// Service demand per request (per job entering the network): seconds of one server.
        public var demandSeconds: Double
        /// Per-server utilization: open `lambda D / c`, closed `X(N) D / c` (MVA throughput).
        /// May be >= 1 for an overloaded open load.
        public var utilization: Double?
        /// `c / D`: the throughput this resource alone allows (nil for zero demand).
        public var maxThroughputPerSecond: Double?
    }

    /// Asymptotic bounds (Lazowska et al., ch. 5) generalised to multi-server resources:
    /// `X <= min_k c_k / D_k` and `R >= sum of uncontended times`; closed:
    /// `X(N) <= min(N / (R0 + Z), Xmax)`, `R(N) >= max(R0, N / Xmax - Z)`, knee `N* = (R0 + Z) Xmax`.
    public struct Bounds: Sendable, Hashable, Encodable {
        public var maxThroughputPerSecond: Double?
        /// R0, the uncontended response time of the mix.
        public var minResponseSeconds: Double
        public var saturationUsers: Double?
        public var throughputUpperBoundPerSecond: Double?
        public var responseLowerBoundSeconds: Double?
    }

    /// The queue of one connection pool or pooler, per copy (per instance for a per-instance
    /// pool, the load split evenly): Erlang C (M/M/c) when waiters wait forever, M/M/c+D when they
    /// give up after a constant `acquire_timeout` (PgBouncer's `query_wait_timeout`).
    public struct PoolQueue: Sendable, Hashable, Encodable {
        public var name: String
        /// `pool` or `pooler`.
        public var kind: String
        /// Independent copies (instances for a per-instance pool, else 1).
        public var copies: Int
        public var connectionsPerCopy: Int
        /// Acquisitions per second, all copies together.
        public var acquisitionsPerSecond: Double
        public var meanHoldSeconds: Double
        /// Offered load of all copies together, erlangs.
        public var offeredLoadErlangs: Double
        /// Carried load / connections: offered load / connections without a timeout (>= 1:
        /// overloaded); with a timeout only acquisitions that get a connection hold one, so it
        /// stays below 1 at any load.
        public var utilization: Double
        /// `M/M/c` (Erlang C) or `M/M/c+D` (constant acquire timeout); `Little` for closed loads.
        public var method: String = "M/M/c"
        /// The constant patience of a waiter, if any.
        public var acquireTimeoutSeconds: Double?
        /// Erlang C, or M/M/c+D's P(wait) (nil when overloaded without a timeout).
        public var probabilityOfWaiting: Double?
        /// M/M/c+D: probability an acquisition times out (0 without a timeout).
        public var probabilityOfTimeout: Double?
        /// Acquisitions per second that get a connection, all copies together.
        public var carriedAcquisitionsPerSecond: Double?
        /// Mean connections in use, all copies together (carried load, erlangs).
        public var meanInUse: Double?
        /// Mean wait for a connection of the acquisitions that get one: Erlang C's `C / (c mu - lambda)`,
        /// or M/M/c+D's wait of the served (nil when overloaded without a timeout).
        public var meanWaitSeconds: Double?
        /// Mean requests waiting, all copies together (nil when overloaded without a timeout).
        public var meanWaiting: Double?
    }

    public struct EndpointDemand: Sendable, Hashable, Encodable {
        public var name: String
        public var weight: Double
        public var cpuSeconds: Double
        public var databaseSeconds: Double
        public var delaySeconds: Double
        /// Connection hold seconds per request, per pool (pools this endpoint uses).
        public var poolHolds: [PoolHold]
        public var queriesPerRequest: Double
        public var uncontendedLatencySeconds: Double
        public var throughputPerSecond: Double?
        /// Closed workloads: MVA residence times scaled to this endpoint's demands.
        public var meanLatencySeconds: Double?
    }

    public struct PoolHold: Sendable, Hashable, Encodable {
        public var pool: String
        public var seconds: Double
    }

    public struct CacheHitRatio: Sendable, Hashable, Encodable {
        public var cache: String
        public var hitRatio: Double
        /// Estimated from key popularity, capacity and TTL (not given in the model).
        public var estimated: Bool
    }

    public struct MVAPoint: Sendable, Hashable, Encodable {
        public var users: Int
        public var throughputPerSecond: Double
        public var responseSeconds: Double
    }

    /// One station of a plain network; the per-visit figures are nil where no closed form applies.
    public struct Station: Sendable, Hashable, Encodable {
        public var name: String
        public var servers: Int
        public var visits: Double
        public var demandSeconds: Double
        public var utilization: Double?
        public var throughputPerSecond: Double?
        public var meanNumberPresent: Double?
        public var meanNumberWaiting: Double?
        /// Per visit: W and Wq (of served customers, for Erlang-A).
        public var meanResponseSeconds: Double?
        public var meanWaitSeconds: Double?
        public var blockingProbability: Double?
        public var abandonmentProbability: Double?
    }

    public struct Network: Sendable, Hashable, Encodable {
        /// `M/M/c`, `M/M/c/K`, `Erlang-A`, `M/G/1`, `M/G/1-PS`, `Jackson`, `MVA`, `MVA (Schweitzer)`; nil: none applies.
        public var method: String?
        public var throughputPerSecond: Double?
        /// Mean time from entering to leaving the network.
        public var meanResponseSeconds: Double?
        public var meanNumberInNetwork: Double?
    }

    public var modelName: String
    public var sourcePath: String
    public var workload: WorkloadKind
    /// Open: mean arrival rate over the phases (the steady rate without phases).
    public var arrivalRatePerSecond: Double?
    public var peakArrivalRatePerSecond: Double?
    public var users: Int?
    public var thinkTimeSeconds: Double?
    /// Open: the arrival rate; closed: the MVA throughput at `users`.
    public var throughputPerSecond: Double?
    /// Closed: the MVA mean response time at `users`.
    public var responseSeconds: Double?
    public var resources: [Resource]
    /// `id` of the resource with the highest demand per server.
    public var bottleneck: String?
    public var bounds: Bounds
    public var pools: [PoolQueue]
    public var endpoints: [EndpointDemand]
    /// Hit ratios assumed per cache (given, or estimated from key popularity).
    public var cacheHitRatios: [CacheHitRatio]
    public var mva: [MVAPoint]
    public var stations: [Station]
    public var network: Network?
    public var warnings: [String]
    public var notes: [String]

    public func resource(_ id: String) -> Resource? { resources.first { $0.id == id } }
    public func pool(_ name: String) -> PoolQueue? { pools.first { $0.name == name && $0.kind == "pool" } }
    public func station(_ name: String) -> Station? { stations.first { $0.name == name } }

    /// Analyzes a checked model. Never throws: where no closed form applies the figure is nil and
    /// a note says why. Milliseconds for any model the loader accepts.
    public static func analyze(_ model: Model) -> Analysis {
        if let network = model.network { return NetworkAnalyzer(model: model, network: network).analyze() }
        return WebAnalyzer(model: model).analyze()
    }
}

// MARK: - Shared helpers

func finite(_ x: Double?) -> Double? {
    guard let x, x.isFinite else { return nil }
    return x
}

func formatRate(_ r: Double) -> String { "\(formatSignificant(r))/s" }

func formatSignificant(_ x: Double, digits: Int = 4) -> String {
    if abs(x) < 1e-9 { return "0" }
    if !x.isFinite { return "\(x)" }
    let magnitude = Int(floor(log10(abs(x))))
    let decimals = max(0, min(9, digits - 1 - magnitude))
    return String(format: "%.\(decimals)f", x)
}

func formatFraction(_ x: Double) -> String { String(format: "%.3f", x) }

/// Mean and peak rate of an open workload (the mean over the phases, ramps averaged).
func openRates(_ arrivals: OpenArrivals) -> (mean: Double, peak: Double) {
    switch arrivals {
    case let .rate(r): return (r, r)
    case let .phases(phases):
        var total = 0.0, duration = 0.0, peak = 0.0
        for p in phases {
            let end = p.rampToPerSecond ?? p.ratePerSecond
            total += p.durationSeconds * (p.ratePerSecond + end) / 2
            duration += p.durationSeconds
            peak = max(peak, p.ratePerSecond, end)
        }
        return (duration > 0 ? total / duration : 0, peak)
    }
}

/// Exact MVA for populations up to `users` when affordable, else Schweitzer at sampled points.
/// Returns the curve (at most ~60 points) and the solution at `users`.
func solveClosed(_ net: ClosedNetwork, users: Int, notes: inout [String])
    -> (curve: [Analysis.MVAPoint], atUsers: ClosedNetworkResult?, method: String) {
    guard users >= 1 else { return ([], nil, "MVA") }
    let serverSum = net.stations.reduce(0) { s, st in
        if case let .multiServer(c) = st.kind { return s + min(c, users) }
        return s + 1
    }
    let points: [Int] = {
        if users <= 60 { return Array(1...users) }
        var p = Set<Int>([1, users])
        for i in 1..<60 { p.insert(max(1, Int((Double(users) * Double(i) / 60).rounded()))) }
        return p.sorted()
    }()
    if Double(users) * Double(serverSum) <= 5e7, let all = try? net.exactMVA(maximumPopulation: users) {
        let curve = points.map { n in
            Analysis.MVAPoint(users: n, throughputPerSecond: all[n - 1].throughputPerSecond,
                              responseSeconds: all[n - 1].responseTimeSeconds)
        }
        return (curve, all.last, "MVA")
    }
    notes.append("population \(users) is too large for exact MVA here: Schweitzer's approximate MVA (with Seidmann's multi-server approximation) is used")
    var curve: [Analysis.MVAPoint] = []
    var last: ClosedNetworkResult? = nil
    for n in points {
        guard let r = try? net.schweitzerMVA(population: n) else { continue }
        curve.append(Analysis.MVAPoint(users: n, throughputPerSecond: r.throughputPerSecond, responseSeconds: r.responseTimeSeconds))
        if n == users { last = r }
    }
    return (curve, last, "MVA (Schweitzer)")
}

func boundsFor(resources: [Analysis.Resource], minResponse: Double, users: Int?, think: Double?) -> Analysis.Bounds {
    let xMax = resources.compactMap(\.maxThroughputPerSecond).min()
    var b = Analysis.Bounds(maxThroughputPerSecond: finite(xMax), minResponseSeconds: minResponse)
    if let n = users, n >= 1 {
        let z = think ?? 0
        let nd = Double(n)
        let xUpper = min(minResponse + z > 0 ? nd / (minResponse + z) : .infinity, xMax ?? .infinity)
        b.throughputUpperBoundPerSecond = finite(xUpper)
        if let xMax { b.responseLowerBoundSeconds = max(minResponse, nd / xMax - z); b.saturationUsers = (minResponse + z) * xMax }
        else { b.responseLowerBoundSeconds = minResponse }
    }
    return b
}

func bottleneckOf(_ resources: [Analysis.Resource]) -> String? {
    var best: (String, Double)? = nil
    for r in resources where r.demandSeconds > 0 {
        let perServer = r.demandSeconds / Double(max(1, r.servers))
        if best == nil || perServer > best!.1 { best = (r.id, perServer) }
    }
    return best?.0
}

// MARK: - Web models

struct WebAnalyzer {
    let model: Model

    func analyze() -> Analysis {
        var notes: [String] = []
        var warnings: [String] = []
        var kind = Analysis.WorkloadKind.open
        var meanRate = 0.0, peakRate = 0.0
        var users: Int? = nil
        var think: Double? = nil
        switch model.workload?.arrivals {
        case let .open(arrivals, _)?:
            (meanRate, peakRate) = openRates(arrivals)
            if case .phases = arrivals {
                notes.append("open load with phases: figures use the mean rate over the phases (\(formatRate(meanRate))); overload warnings also check the peak (\(formatRate(peakRate)))")
            }
        case let .closed(n, z)?:
            kind = .closed; users = n; think = z.mean
        case nil:
            break
        }

        // Closed workloads: the request rate that drives emergent cache hit ratios is the
        // throughput, found by iterating demands -> MVA -> throughput.
        var rate = kind == .open ? meanRate : 0
        var demands = WebDemands.compute(model, requestRate: rate)
        var closedSolution: (curve: [Analysis.MVAPoint], atUsers: ClosedNetworkResult?, method: String)? = nil
        var stretch: (cpu: Double, primary: Double, replica: Double) = (1, 1, 1)
        if kind == .closed, let n = users {
            let r0 = demands.synchronous.latencySeconds
            rate = Double(n) / max(1e-12, r0 + (think ?? 0))
            for iteration in 0..<(demands.estimatedCaches.isEmpty ? 1 : 4) {
                if iteration > 0 || !demands.estimatedCaches.isEmpty { demands = WebDemands.compute(model, requestRate: rate) }
                var mvaNotes: [String] = []
                if let net = closedNetwork(demands.synchronous, think: think ?? 0) {
                    let solved = solveClosed(net.network, users: n, notes: &mvaNotes)
                    closedSolution = solved
                    if let x = solved.atUsers?.throughputPerSecond { rate = x }
                    if let r = solved.atUsers { stretch = net.stretch(r) }
                }
                if iteration == 0 { notes.append(contentsOf: mvaNotes) }
            }
            notes.append("closed workload: exact MVA over instance workers (multi-server), database nodes (load-dependent, one server per core), cache servers (multi-server, one per thread) and a delay for calls, sleeps and lookups of caches without a server, with think time \(formatDuration(think ?? 0)); pools are passive resources and are left out of MVA: their figures follow from Little's law on the MVA solution (requests needing a connection = throughput x acquisitions x hold; beyond the pool size they wait)")
        }
        if !demands.estimatedCaches.isEmpty {
            notes.append("cache hit ratios of \(demands.estimatedCaches.map { "`\($0)`" }.joined(separator: ", ")) are estimated from key popularity (Che's approximation for LRU, TTL renewal), ignoring invalidations")
        }

        let perRequest = demands.synchronous
        var total = perRequest
        total.add(demands.asynchronous, times: 1)

        // Connections are held while queries share the database cores: stretch the holds by the
        // residence time per unit of service at each node (M/M/c for open loads, MVA for closed).
        var dbStretch = DatabaseStretch()
        // A node never has more active queries than connections can reach it: when those are no
        // more than its cores, no query waits for a core and the holds are not stretched at all
        // (the M/M/c or MVA station would let queries queue that the pools hold back).
        let reaching = model.database.map { _ in connectionsReachingDatabase() } ?? 0
        let primaryUncontended = model.database.map { reaching <= $0.cores } ?? true
        let replicaUncontended = model.database.map { reaching <= $0.replicaCores } ?? true
        if let db = model.database, primaryUncontended {
            notes.append("at most \(reaching) queries can be active at once (the connections of every pool and pooler, capped by max_connections): no more than the primary's \(db.cores) cores\(db.replicas > 0 ? (replicaUncontended ? " and a replica's \(db.replicaCores)" : "") : ""), so queries never queue for a core there and connection holds are not stretched")
        }
        if kind == .closed {
            dbStretch = DatabaseStretch(primary: primaryUncontended ? 1 : stretch.primary,
                                        replica: replicaUncontended ? 1 : stretch.replica)
        } else if rate > 0, let db = model.database {
            func mmc(_ queriesPerSecond: Double, _ seconds: Double, _ queries: Double, _ servers: Int, _ node: String) -> Double {
                guard queriesPerSecond > 0, queries > 0, seconds > 0 else { return 1 }
                let s = seconds / queries
                guard let q = try? MMcQueue(arrivalRatePerSecond: queriesPerSecond, meanServiceSeconds: s, servers: servers) else {
                    notes.append("database \(node) is overloaded: pool hold times use uncontended query times")
                    return 1
                }
                return q.meanResponseSeconds / s
            }
            if !primaryUncontended {
                dbStretch.primary = mmc(rate * total.primaryQueries, total.primarySeconds, total.primaryQueries, db.cores, "primary")
            }
            if db.replicas > 0 && !replicaUncontended {
                dbStretch.replica = mmc(rate * total.replicaQueries / Double(db.replicas), total.replicaSeconds,
                                        total.replicaQueries, db.replicaCores, "replicas")
            }
        }
        let held = dbStretch == DatabaseStretch() ? demands : WebDemands.compute(model, requestRate: rate, stretch: dbStretch)
        var heldTotal = held.synchronous
        heldTotal.add(held.asynchronous, times: 1)
        if dbStretch.primary > 1.001 || dbStretch.replica > 1.001 {
            notes.append("pool hold times include queries sharing the database cores: each query takes \(formatSignificant(dbStretch.primary, digits: 3))x its service time on the primary\(model.database.map { $0.replicas > 0 } == true ? " and \(formatSignificant(dbStretch.replica, digits: 3))x on a replica" : "") (\(kind == .open ? "M/M/c response / service" : "MVA residence / demand"))")
        }
        var resources: [Analysis.Resource] = []
        /// `demand`: intrinsic (uncontended) seconds per request, for bounds and the bottleneck;
        /// `occupied`: seconds actually held per request at this load (connection holds stretched
        /// by database sharing), for the utilization.
        let isClosed = kind == .closed
        func add(_ kind: String, _ name: String, servers: Int, demand: Double, occupied: Double? = nil) {
            guard servers > 0 else { return }
            var u = rate * (occupied ?? demand) / Double(servers)
            // A closed population bounds the occupancy: beyond the servers, requests queue.
            if isClosed { u = min(1, u) }
            resources.append(Analysis.Resource(
                id: "\(kind).\(name)", kind: kind, name: name, servers: servers, demandSeconds: demand,
                utilization: model.workload == nil ? nil : u,
                maxThroughputPerSecond: demand > 0 ? Double(servers) / demand : nil))
        }
        let inst = model.instances
        add("workers", "instances", servers: inst.count * inst.workers, demand: perRequest.cpuSeconds)
        for pool in model.pools {
            add("pool", pool.name, servers: pool.totalConnections(instances: inst.count),
                demand: total.poolHoldSeconds[pool.name] ?? 0, occupied: heldTotal.poolHoldSeconds[pool.name] ?? 0)
        }
        for pooler in model.poolers where pooler.mode == .transaction {
            let via = model.pools.filter { $0.via == pooler.name }
            add("pooler", pooler.name, servers: pooler.serverConnections,
                demand: via.reduce(0) { $0 + (total.poolHoldSeconds[$1.name] ?? 0) },
                occupied: via.reduce(0) { $0 + (heldTotal.poolHoldSeconds[$1.name] ?? 0) })
        }
        if model.poolers.contains(where: { $0.mode == .session }) {
            notes.append("session-mode poolers hold a server connection per open client connection: no Erlang C figure for them")
        }
        if let db = model.database {
            add("database", "primary", servers: db.cores, demand: total.primarySeconds)
            if db.replicas > 0 && db.readRouting != .primary {
                for i in 1...db.replicas {
                    add("database", "replica-\(i)", servers: db.replicaCores, demand: total.replicaSeconds / Double(db.replicas))
                }
            }
        }
        for cache in model.caches {
            guard let server = cache.server else { continue }
            // Lookups and fills are commands at the server: one server per instance, or one in all.
            let copies = cache.scope == .perInstance ? max(1, inst.count) : 1
            add("cache_server", cache.name, servers: server.servers * copies, demand: total.cacheServerSeconds(cache))
        }
        for q in model.jobQueues {
            let jobs = demands.jobsPerRequest[q.name] ?? 0
            add("job_workers", q.name, servers: q.workers, demand: jobs * (demands.jobProfiles[q.name]?.latencySeconds ?? 0),
                occupied: jobs * (held.jobProfiles[q.name]?.latencySeconds ?? 0))
        }

        // Erlang C per pool and pooler.
        var pools: [Analysis.PoolQueue] = []
        for pool in model.pools {
            let copies = pool.scope == .perInstance ? max(1, inst.count) : 1
            pools.append(poolQueue(name: pool.name, kind: "pool", copies: copies, connections: pool.size,
                                   acquisitions: rate * (heldTotal.poolAcquires[pool.name] ?? 0),
                                   holdPerRequest: heldTotal.poolHoldSeconds[pool.name] ?? 0,
                                   acquiresPerRequest: heldTotal.poolAcquires[pool.name] ?? 0,
                                   timeout: pool.acquireTimeoutSeconds, closed: kind == .closed))
        }
        for pooler in model.poolers where pooler.mode == .transaction {
            let via = model.pools.filter { $0.via == pooler.name }
            let acquires = via.reduce(0) { $0 + (heldTotal.poolAcquires[$1.name] ?? 0) }
            let hold = via.reduce(0) { $0 + (heldTotal.poolHoldSeconds[$1.name] ?? 0) }
            pools.append(poolQueue(name: pooler.name, kind: "pooler", copies: 1, connections: pooler.serverConnections,
                                   acquisitions: rate * acquires, holdPerRequest: hold, acquiresPerRequest: acquires,
                                   timeout: pooler.queryWaitTimeoutSeconds, closed: kind == .closed))
        }
        let timed = pools.filter { $0.method == "M/M/c+D" }
        if !timed.isEmpty {
            notes.append("\(timed.map { "`\($0.name)`" }.joined(separator: ", ")): waiters give up after a constant timeout: M/M/c+D (exact for exponential holds), with carried utilization and throughput; the load the timed-out requests would have put downstream is not removed")
        }

        var endpoints: [Analysis.EndpointDemand] = []
        for (name, weight, p) in demands.endpoints {
            var latency: Double? = nil
            if kind == .closed, closedSolution?.atUsers != nil {
                latency = p.cpuSeconds * stretch.cpu + p.primarySeconds * stretch.primary
                    + p.replicaSeconds * stretch.replica + p.delaySeconds
            }
            endpoints.append(Analysis.EndpointDemand(
                name: name, weight: weight, cpuSeconds: p.cpuSeconds, databaseSeconds: p.databaseSeconds,
                delaySeconds: p.delaySeconds,
                poolHolds: p.poolHoldSeconds.sorted { $0.key < $1.key }.map { Analysis.PoolHold(pool: $0.key, seconds: $0.value) },
                queriesPerRequest: p.primaryQueries + p.replicaQueries,
                uncontendedLatencySeconds: p.latencySeconds,
                throughputPerSecond: model.workload == nil ? nil : rate * weight, meanLatencySeconds: latency))
        }

        // Overload warnings: open loads only (a closed load cannot exceed capacity).
        if kind == .open {
            for r in resources where r.demandSeconds > 0 {
                let uMean = r.utilization ?? meanRate * r.demandSeconds / Double(r.servers)
                let uPeak = meanRate > 0 ? uMean * peakRate / meanRate : peakRate * r.demandSeconds / Double(r.servers)
                let queue = (r.kind == "pool" || r.kind == "pooler") ? pools.first { $0.kind == r.kind && $0.name == r.name } : nil
                if let queue, queue.method == "M/M/c+D", let timeout = queue.acquireTimeoutSeconds {
                    // Waiters give up after the timeout: the queue stays bounded, the excess fails.
                    if uMean >= 1 {
                        warnings.append("open load overloads \(describe(r)): offered utilization \(formatFraction(uMean)) (>= 1) at \(formatRate(meanRate)); waiters give up after the \(formatDuration(timeout)) \(r.kind == "pool" ? "acquire timeout" : "query_wait_timeout"), so the queue stays bounded and, by M/M/c+D, \(formatPercent(queue.probabilityOfTimeout ?? 0)) of acquisitions time out (carried utilization \(formatFraction(queue.utilization)))")
                    } else if uPeak >= 1 {
                        warnings.append("open load overloads \(describe(r)) at its peak rate \(formatRate(peakRate)): offered utilization \(formatFraction(uPeak)) (>= 1); mean over the phases \(formatFraction(uMean)); at the peak, waiters give up after the \(formatDuration(timeout)) timeout and acquisitions fail")
                    }
                    continue
                }
                if uMean >= 1 {
                    // A pool's utilization counts its holds as stretched by the database at this
                    // load; c / D counts them uncontended. Where the two differ, say both, or the
                    // pool would seem to saturate above a load it cannot carry.
                    let uncontended = r.maxThroughputPerSecond ?? 0
                    let carried = meanRate / uMean
                    let saturation = abs(carried - uncontended) > 1e-6 * uncontended
                        ? "with its holds stretched by the database at this load it carries at most \(formatRate(carried)) (\(formatRate(uncontended)) with uncontended holds)"
                        : "it saturates at \(formatRate(uncontended))"
                    warnings.append("open load overloads \(describe(r)): analytic utilization \(formatFraction(uMean)) (>= 1) at \(formatRate(meanRate)); \(saturation) and the backlog grows for as long as the load lasts (simulated as a what-if)")
                } else if uPeak >= 1 {
                    warnings.append("open load overloads \(describe(r)) at its peak rate \(formatRate(peakRate)): analytic utilization \(formatFraction(uPeak)) (>= 1); mean over the phases \(formatFraction(uMean))")
                }
            }
        }

        let r0 = perRequest.latencySeconds
        let bounds = boundsFor(resources: resources, minResponse: r0, users: users, think: think)
        return Analysis(
            modelName: model.name, sourcePath: model.sourcePath, workload: kind,
            arrivalRatePerSecond: kind == .open ? meanRate : nil,
            peakArrivalRatePerSecond: kind == .open ? peakRate : nil,
            users: users, thinkTimeSeconds: think,
            throughputPerSecond: model.workload == nil ? nil : rate,
            responseSeconds: closedSolution?.atUsers?.responseTimeSeconds,
            resources: resources, bottleneck: bottleneckOf(resources), bounds: bounds, pools: pools,
            endpoints: endpoints,
            cacheHitRatios: model.caches.map { c in
                Analysis.CacheHitRatio(cache: c.name, hitRatio: demands.hitRatios[c.name] ?? 0,
                                       estimated: demands.estimatedCaches.contains(c.name))
            }, mva: closedSolution?.curve ?? [],
            stations: [], network: nil, warnings: warnings, notes: notes)
    }

    /// The most queries that can be active on one database node at once: every pool's
    /// connections (a transaction-mode pooler caps the pools behind it at its server
    /// connections), capped by the database's `max_connections`.
    func connectionsReachingDatabase() -> Int {
        let instances = model.instances.count
        var direct = 0
        var behind: [String: Int] = [:]
        for pool in model.pools {
            let n = pool.totalConnections(instances: instances)
            if let via = pool.via, model.poolers.contains(where: { $0.name == via && $0.mode == .transaction }) {
                behind[via, default: 0] += n
            } else {
                direct += n
            }
        }
        for pooler in model.poolers where pooler.mode == .transaction {
            direct += min(behind[pooler.name] ?? 0, pooler.serverConnections)
        }
        return min(direct, model.database?.maxConnections ?? direct)
    }

    func describe(_ r: Analysis.Resource) -> String {
        switch r.kind {
        case "workers": return "the instance workers (\(r.servers) in all)"
        case "pool": return "pool `\(r.name)` (\(r.servers) connections in all)"
        case "pooler": return "pooler `\(r.name)` (\(r.servers) server connections)"
        case "database": return "database \(r.name) (\(r.servers) cores)"
        case "job_workers": return "job queue `\(r.name)` (\(r.servers) workers)"
        default: return "`\(r.id)`"
        }
    }

    /// Erlang C per copy, or M/M/c+D when waiters give up after a constant `timeout`.
    func poolQueue(name: String, kind: String, copies: Int, connections: Int, acquisitions: Double,
                   holdPerRequest: Double, acquiresPerRequest: Double, timeout: Double?, closed: Bool) -> Analysis.PoolQueue {
        let meanHold = acquiresPerRequest > 0 ? holdPerRequest / acquiresPerRequest : 0
        let offered = acquisitions * meanHold
        let total = Double(copies * connections)
        let utilization = connections > 0 ? offered / total : 0
        var q = Analysis.PoolQueue(name: name, kind: kind, copies: copies, connectionsPerCopy: connections,
                                   acquisitionsPerSecond: acquisitions, meanHoldSeconds: meanHold,
                                   offeredLoadErlangs: offered, utilization: utilization)
        if closed {
            // Little's law on the MVA solution: requests needing a connection = X x acquisitions x hold;
            // those beyond the pool's connections wait for one (the population bounds the queue).
            q.method = "Little"
            q.utilization = min(1, utilization)
            q.meanInUse = min(offered, total)
            q.meanWaiting = max(0, offered - total)
            q.meanWaitSeconds = acquisitions > 0 ? q.meanWaiting! / acquisitions : 0
            return q
        }
        if acquisitions == 0 || meanHold == 0 {
            q.probabilityOfWaiting = 0; q.meanWaitSeconds = 0; q.meanWaiting = 0
            q.probabilityOfTimeout = 0; q.carriedAcquisitionsPerSecond = acquisitions; q.meanInUse = 0
            return q
        }
        let perCopy = acquisitions / Double(copies)
        if let timeout, let d = try? MMcDQueue(arrivalRatePerSecond: perCopy, meanServiceSeconds: meanHold,
                                               servers: connections, patienceSeconds: timeout) {
            q.method = "M/M/c+D"
            q.acquireTimeoutSeconds = timeout
            q.utilization = d.utilization
            q.probabilityOfWaiting = d.probabilityOfWaiting
            q.probabilityOfTimeout = d.probabilityOfAbandonment
            q.carriedAcquisitionsPerSecond = d.servedThroughputPerSecond * Double(copies)
            q.meanInUse = d.meanBusyServers * Double(copies)
            q.meanWaitSeconds = d.meanWaitOfServedSeconds
            q.meanWaiting = d.meanQueueLength * Double(copies)
        } else if utilization < 1,
                  let m = try? MMcQueue(arrivalRatePerSecond: perCopy, meanServiceSeconds: meanHold, servers: connections) {
            q.probabilityOfWaiting = m.probabilityOfWaiting
            q.probabilityOfTimeout = 0
            q.carriedAcquisitionsPerSecond = acquisitions
            q.meanInUse = offered
            q.meanWaitSeconds = m.meanWaitSeconds
            q.meanWaiting = m.meanQueueLength * Double(copies)
        }
        return q
    }

    struct WebClosedNetwork {
        var network: ClosedNetwork
        var instanceStations: [Int]
        var primary: Int?
        var replicas: [Int]
        var demands: Profile

        /// Residence per unit demand, per resource kind.
        func stretch(_ r: ClosedNetworkResult) -> (cpu: Double, primary: Double, replica: Double) {
            func ratio(_ idx: [Int], _ d: Double) -> Double {
                guard d > 0 else { return 1 }
                return idx.reduce(0) { $0 + r.residenceTimesSeconds[$1] } / d
            }
            return (ratio(instanceStations, demands.cpuSeconds),
                    ratio(primary.map { [$0] } ?? [], demands.primarySeconds),
                    ratio(replicas, demands.replicaSeconds))
        }
    }

    func closedNetwork(_ p: Profile, think: Double) -> WebClosedNetwork? {
        var stations: [ClosedStation] = []
        func kind(_ c: Int) -> ClosedStationKind { c <= 1 ? .queueing : .multiServer(servers: c) }
        var instanceIdx: [Int] = []
        let n = max(1, model.instances.count)
        for i in 0..<n {
            instanceIdx.append(stations.count)
            stations.append(ClosedStation(name: "instance-\(i + 1)", kind: kind(model.instances.workers),
                                          serviceDemandSeconds: p.cpuSeconds / Double(n)))
        }
        var primary: Int? = nil
        var replicas: [Int] = []
        if let db = model.database {
            primary = stations.count
            stations.append(ClosedStation(name: "database.primary", kind: kind(db.cores), serviceDemandSeconds: p.primarySeconds))
            if db.replicas > 0 && db.readRouting != .primary {
                for i in 1...db.replicas {
                    replicas.append(stations.count)
                    stations.append(ClosedStation(name: "database.replica-\(i)", kind: kind(db.replicaCores),
                                                  serviceDemandSeconds: p.replicaSeconds / Double(db.replicas)))
                }
            }
        }
        // A cache server (`server:`) queues its commands: a multi-server station per copy (one per
        // instance for a per-instance cache), its lookups' and fills' time taken out of the delay.
        var delay = p.delaySeconds
        for cache in model.caches {
            guard let server = cache.server else { continue }
            let demand = p.cacheServerSeconds(cache)
            guard demand > 0 else { continue }
            delay -= demand
            let copies = cache.scope == .perInstance ? n : 1
            for c in 0..<copies {
                stations.append(ClosedStation(name: "cache_server.\(cache.name)" + (copies == 1 ? "" : "-\(c + 1)"),
                                              kind: kind(server.servers), serviceDemandSeconds: demand / Double(copies)))
            }
        }
        stations.append(ClosedStation(name: "delay", kind: .delay, serviceDemandSeconds: max(0, delay)))
        guard let net = try? ClosedNetwork(stations: stations, thinkTimeSeconds: think) else { return nil }
        return WebClosedNetwork(network: net, instanceStations: instanceIdx, primary: primary, replicas: replicas, demands: p)
    }
}

// MARK: - Plain networks

struct NetworkAnalyzer {
    let model: Model
    let network: QueueingNetwork

    func analyze() -> Analysis {
        var notes: [String] = []
        var warnings: [String] = []
        let st = network.stations
        let m = st.count
        let index = Dictionary(uniqueKeysWithValues: st.enumerated().map { ($1.name, $0) })
        // Sparse: a network of 10,000 stations would need a 10^8-entry matrix.
        let routing: [[RoutingArc]] = st.map { s in
            s.routes.compactMap { r in index[r.to].map { RoutingArc(station: $0, probability: r.probability) } }
        }
        let closed = network.population
        var gamma = [Double](repeating: 0, count: m)
        if let pop = closed {
            if let j = index[pop.station] { gamma[j] = 1 }
        } else {
            for a in network.arrivals { if let j = index[a.station] { gamma[j] += a.ratePerSecond } }
        }
        let gammaTotal = gamma.reduce(0, +)
        guard let flows = try? JacksonNetwork.solveTrafficEquations(externalArrivalRatesPerSecond: gamma, routes: routing) else {
            warnings.append("the routing traps customers (some station can never be left): no analytic figures")
            return empty(warnings: warnings, notes: notes)
        }
        // Visits per customer entering the network (per cycle for a closed network).
        let visits = flows.map { gammaTotal > 0 ? $0 / gammaTotal : 0 }
        var stations: [Analysis.Station] = st.enumerated().map { i, s in
            Analysis.Station(name: s.name, servers: s.servers, visits: visits[i], demandSeconds: visits[i] * s.service.mean)
        }
        var resources = st.enumerated().map { i, s in
            Analysis.Resource(id: "station.\(s.name)", kind: "station", name: s.name, servers: s.servers,
                              demandSeconds: stations[i].demandSeconds, utilization: nil,
                              maxThroughputPerSecond: stations[i].demandSeconds > 0 ? Double(s.servers) / stations[i].demandSeconds : nil)
        }
        let r0 = stations.reduce(0) { $0 + $1.demandSeconds }
        var result = Analysis(
            modelName: model.name, sourcePath: model.sourcePath, workload: closed == nil ? .open : .closed,
            arrivalRatePerSecond: closed == nil ? gammaTotal : nil, peakArrivalRatePerSecond: closed == nil ? gammaTotal : nil,
            users: closed?.customers, thinkTimeSeconds: closed?.thinkTime.mean, throughputPerSecond: nil, responseSeconds: nil,
            resources: [], bottleneck: nil, bounds: Analysis.Bounds(minResponseSeconds: r0), pools: [], endpoints: [],
            cacheHitRatios: [], mva: [], stations: [], network: Analysis.Network(), warnings: [], notes: [])

        if let pop = closed {
            solveClosedNetwork(pop, &stations, &result, &notes)
        } else {
            for i in 0..<m {
                let u = flows[i] * st[i].service.mean / Double(st[i].servers)
                stations[i].utilization = u
                stations[i].throughputPerSecond = flows[i]
                resources[i].utilization = u
                // Stations that lose customers (capacity, patience) are stable at any load.
                if u >= 1 && st[i].capacity == nil && st[i].patience == nil {
                    warnings.append("open load overloads station `\(st[i].name)`: analytic utilization \(formatFraction(u)) (>= 1) at \(formatRate(flows[i])); it saturates at \(formatRate(Double(st[i].servers) / st[i].service.mean)) and the queue grows without bound (simulated as a what-if)")
                }
            }
            result.throughputPerSecond = gammaTotal
            solveOpen(flows: flows, routing: routing, gamma: gamma, &stations, &result, &notes)
        }
        for i in 0..<m { resources[i].utilization = stations[i].utilization }
        result.resources = resources
        result.stations = stations
        result.bottleneck = bottleneckOf(resources)
        result.bounds = boundsFor(resources: resources, minResponse: r0, users: closed?.customers, think: closed?.thinkTime.mean)
        result.warnings = warnings
        result.notes = notes
        return result
    }

    func empty(warnings: [String], notes: [String]) -> Analysis {
        Analysis(modelName: model.name, sourcePath: model.sourcePath, workload: network.population == nil ? .open : .closed,
                 arrivalRatePerSecond: nil, peakArrivalRatePerSecond: nil, users: network.population?.customers,
                 thinkTimeSeconds: network.population?.thinkTime.mean, throughputPerSecond: nil, responseSeconds: nil,
                 resources: [], bottleneck: nil, bounds: Analysis.Bounds(minResponseSeconds: 0), pools: [], endpoints: [],
                 cacheHitRatios: [], mva: [], stations: [], network: nil, warnings: warnings, notes: notes)
    }

    func solveOpen(flows: [Double], routing: [[RoutingArc]], gamma: [Double], _ stations: inout [Analysis.Station],
                   _ result: inout Analysis, _ notes: inout [String]) {
        let st = network.stations
        let selfFree = st.count == 1 && st[0].routes.isEmpty
        if selfFree {
            let s = st[0]
            let lambda = gamma[0]
            let mean = s.service.mean
            func fill(_ method: String, u: Double, x: Double, l: Double, lq: Double, w: Double, wq: Double,
                      blocking: Double? = nil, abandon: Double? = nil) {
                stations[0].utilization = u; stations[0].throughputPerSecond = x
                stations[0].meanNumberPresent = l; stations[0].meanNumberWaiting = lq
                stations[0].meanResponseSeconds = w; stations[0].meanWaitSeconds = wq
                stations[0].blockingProbability = blocking; stations[0].abandonmentProbability = abandon
                result.network = Analysis.Network(method: method, throughputPerSecond: x, meanResponseSeconds: w, meanNumberInNetwork: l)
                result.throughputPerSecond = x
            }
            let fcfs = s.discipline == .fcfs || s.servers == 1 && s.service.isExponential
            if let patience = s.patience {
                if patience.isExponential && s.service.isExponential && s.capacity == nil && s.discipline == .fcfs,
                   let q = try? ErlangAQueue(arrivalRatePerSecond: lambda, meanServiceSeconds: mean, servers: s.servers,
                                             meanPatienceSeconds: patience.mean) {
                    fill("Erlang-A", u: q.utilization, x: q.servedThroughputPerSecond, l: q.meanNumberInSystem,
                         lq: q.meanQueueLength, w: q.meanResponseOfServedSeconds, wq: q.meanWaitOfServedSeconds,
                         abandon: q.probabilityOfAbandonment)
                    notes.append("station `\(s.name)`: Erlang-A (M/M/c+M); response and wait are those of served customers")
                } else {
                    notes.append("station `\(s.name)`: impatient customers with non-exponential service or patience (or a capacity): no closed form")
                }
                return
            }
            if let k = s.capacity {
                if s.service.isExponential && fcfs,
                   let q = try? MMcKQueue(arrivalRatePerSecond: lambda, meanServiceSeconds: mean, servers: s.servers, capacity: k) {
                    fill("M/M/c/K", u: q.utilization, x: q.throughputPerSecond, l: q.meanNumberInSystem, lq: q.meanQueueLength,
                         w: q.meanResponseSeconds, wq: q.meanWaitSeconds, blocking: q.blockingProbability)
                } else {
                    notes.append("station `\(s.name)`: finite capacity with non-exponential service: no closed form")
                }
                return
            }
            if s.service.isExponential && fcfs {
                if let q = try? MMcQueue(arrivalRatePerSecond: lambda, meanServiceSeconds: mean, servers: s.servers) {
                    fill("M/M/c", u: q.utilization, x: lambda, l: q.meanNumberInSystem, lq: q.meanQueueLength,
                         w: q.meanResponseSeconds, wq: q.meanWaitSeconds)
                }
                return
            }
            if s.servers == 1 && s.discipline == .ps {
                let rho = lambda * mean
                if rho < 1 {
                    let w = mean / (1 - rho)
                    fill("M/G/1-PS", u: rho, x: lambda, l: rho / (1 - rho), lq: rho * rho / (1 - rho), w: w, wq: w - mean)
                    stations[0].meanWaitSeconds = nil // no queue wait under processor sharing
                }
                return
            }
            if s.servers == 1, let scv = s.service.squaredCV,
               let q = try? MG1Queue(arrivalRatePerSecond: lambda, meanServiceSeconds: mean, serviceSquaredCV: scv) {
                fill("M/G/1", u: q.utilization, x: lambda, l: q.meanNumberInSystem, lq: q.meanQueueLength,
                     w: q.meanResponseSeconds, wq: q.meanWaitSeconds)
                return
            }
            notes.append("station `\(s.name)`: \(s.servers) servers with non-exponential service: no exact closed form (Allen-Cunneen would be an approximation)")
            return
        }
        // Jackson: every station exponential FCFS (or single-server PS, whose means are the same), no losses.
        let productForm = st.allSatisfy { s in
            s.capacity == nil && s.patience == nil &&
                ((s.discipline == .fcfs && s.service.isExponential) || (s.discipline == .ps && s.servers == 1))
        }
        guard productForm else {
            notes.append("the network is not a Jackson network (a station is not exponential FCFS, or has a capacity or patience): no closed form")
            return
        }
        let js = st.enumerated().map { i, s in
            JacksonStation(name: s.name, servers: s.servers, meanServiceSeconds: s.service.mean, externalArrivalRatePerSecond: gamma[i])
        }
        guard let net = try? JacksonNetwork(stations: js, routes: routing) else {
            notes.append("the Jackson network has an overloaded station: no steady state")
            return
        }
        for (i, r) in net.stations.enumerated() {
            stations[i].utilization = r.utilization
            stations[i].throughputPerSecond = r.arrivalRatePerSecond
            stations[i].meanNumberPresent = r.meanNumberInSystem
            stations[i].meanNumberWaiting = r.meanNumberInSystem - r.arrivalRatePerSecond * st[i].service.mean
            stations[i].meanResponseSeconds = r.meanResponseSeconds
            stations[i].meanWaitSeconds = st[i].discipline == .ps ? nil : r.meanWaitSeconds
        }
        result.network = Analysis.Network(method: "Jackson", throughputPerSecond: net.totalExternalArrivalRatePerSecond,
                                          meanResponseSeconds: net.meanSojournSeconds, meanNumberInNetwork: net.meanNumberInNetwork)
    }

    func solveClosedNetwork(_ pop: NetworkPopulation, _ stations: inout [Analysis.Station], _ result: inout Analysis,
                            _ notes: inout [String]) {
        let st = network.stations
        let productForm = st.allSatisfy { s in
            s.capacity == nil && s.patience == nil && (s.discipline == .ps || s.service.isExponential)
        }
        guard productForm else {
            notes.append("the closed network is not product form (a FCFS station with non-exponential service, or a capacity or patience): no MVA")
            return
        }
        let cs = st.enumerated().map { i, s in
            ClosedStation(name: s.name, kind: s.servers <= 1 ? .queueing : .multiServer(servers: s.servers),
                          serviceDemandSeconds: stations[i].demandSeconds)
        }
        guard let net = try? ClosedNetwork(stations: cs, thinkTimeSeconds: pop.thinkTime.mean) else { return }
        let solved = solveClosed(net, users: pop.customers, notes: &notes)
        result.mva = solved.curve
        guard let r = solved.atUsers else { return }
        for i in 0..<st.count {
            let v = stations[i].visits
            let s = st[i].service.mean
            let x = r.throughputPerSecond * v
            stations[i].utilization = r.utilizations[i]
            stations[i].throughputPerSecond = x
            stations[i].meanNumberPresent = r.queueLengths[i]
            stations[i].meanNumberWaiting = max(0, r.queueLengths[i] - x * s)
            if v > 0 {
                let w = r.residenceTimesSeconds[i] / v
                stations[i].meanResponseSeconds = w
                stations[i].meanWaitSeconds = st[i].discipline == .ps ? nil : max(0, w - s)
            }
        }
        result.throughputPerSecond = r.throughputPerSecond
        result.responseSeconds = r.responseTimeSeconds
        result.network = Analysis.Network(method: solved.method, throughputPerSecond: r.throughputPerSecond,
                                          meanResponseSeconds: r.responseTimeSeconds,
                                          meanNumberInNetwork: r.queueLengths.reduce(0, +))
    }
}
