import Foundation
import HeadroomModel
import Queueing
import HeadroomOutput

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
        /// Per visit, where a closed form gives the distribution (M/M/c FCFS): see `Network`.
        public var p95ResponseSeconds: Double?
    }

    public struct Network: Sendable, Hashable, Encodable {
        /// `M/M/c`, `M/M/c/K`, `Erlang-A`, `M/G/1`, `M/G/1-PS`, `Jackson`, `MVA`, `MVA (Schweitzer)`; nil: none applies.
        public var method: String?
        public var throughputPerSecond: Double?
        /// Mean time from entering to leaving the network.
        public var meanResponseSeconds: Double?
        public var meanNumberInNetwork: Double?
        /// Percentiles of the time from entering to leaving, where a closed form gives the whole
        /// distribution: one M/M/c FCFS station (the Erlang C waiting time, P(Wq > t) = C e^{-(cμ-λ)t},
        /// convolved with the exponential service; `MMcQueue.responseQuantileSeconds`).
        public var p50ResponseSeconds: Double?
        public var p95ResponseSeconds: Double?
        public var p99ResponseSeconds: Double?
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
    /// What each figure of a `run` report's analytic column is worth, by `section.item.metric`,
    /// sorted (`accuracy(section:item:metric:)`; absent: an approximation).
    public var figureAccuracy: [FigureLabel] = []
    /// Request threads (`instances.threads`); nil without.
    public var threads: ThreadPool? = nil

    /// A thread-per-request server's threads, per instance (the load split evenly). A thread is
    /// held for the whole response (its waits for connections included), so the threads are a
    /// station whose service time is the response time without the accept queue: busy threads
    /// = lambda x hold (Little's law, exact whatever the distributions). The accept queue's
    /// figures take the hold as exponential and independent of the threads: M/M/c/K with
    /// K = threads + accept queue (M/M/c for an unbounded one), an approximation.
    public struct ThreadPool: Sendable, Hashable, Encodable {
        public var instances: Int
        public var threadsPerInstance: Int
        /// nil: unbounded.
        public var acceptQueuePerInstance: Int?
        /// Requests per second, all instances together.
        public var arrivalsPerSecond: Double
        /// Seconds a thread is held per request: the uncontended response time plus the waits
        /// for pool connections (those that time out hold it for the timeout); in `bound` mode
        /// the response without any queueing, a lower bound.
        public var meanHoldSeconds: Double
        /// lambda x hold / threads (>= 1: more requests than threads; what a full accept queue refuses).
        public var utilization: Double
        /// `Little` (closed load: utilization only), `M/M/c/K` or `M/M/c` (approximations), or
        /// `bound` when another resource is overloaded: the threads fill up behind it.
        public var method: String
        /// `bound`: the overloaded resource the threads pile up behind, and the share of requests
        /// that must fail or be refused, `1 - X / lambda` (X its capacity): a lower bound.
        public var behind: String? = nil
        public var lossLowerBound: Double? = nil
        /// Share of requests refused at a full accept queue (M/M/c/K's P_K); nil without one.
        public var blockingProbability: Double?
        /// Mean wait in the accept queue, and requests in it (all instances); nil where no figure applies.
        public var meanAcceptQueueWaitSeconds: Double?
        public var meanInAcceptQueue: Double?
    }

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

package func finite(_ x: Double?) -> Double? {
    guard let x, x.isFinite else { return nil }
    return x
}


/// Mean and peak rate of an open workload (the mean over the phases, ramps averaged).
package func openRates(_ arrivals: OpenArrivals) -> (mean: Double, peak: Double) {
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
package func solveClosed(_ net: ClosedNetwork, users: Int, notes: inout [String])
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

package func boundsFor(resources: [Analysis.Resource], minResponse: Double, users: Int?, think: Double?) -> Analysis.Bounds {
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

package func bottleneckOf(_ resources: [Analysis.Resource]) -> String? {
    var best: (String, Double)? = nil
    for r in resources where r.demandSeconds > 0 {
        let perServer = r.demandSeconds / Double(max(1, r.servers))
        if best == nil || perServer > best!.1 { best = (r.id, perServer) }
    }
    return best?.0
}
