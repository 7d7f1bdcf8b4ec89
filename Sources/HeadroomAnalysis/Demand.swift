import Foundation
import HeadroomModel
import HeadroomOutput

/// What one execution of a step list asks of each resource, in expectation (probabilities of
/// cache hits and mean repeat counts folded in). Durations are uncontended: no queueing anywhere.
package struct Profile: Sendable, Hashable {
    /// CPU seconds on the instance workers (or, for a job, on the job workers).
    package var cpuSeconds = 0.0
    /// Seconds a connection of each pool is held (a query's time; a transaction's whole span).
    package var poolHoldSeconds: [String: Double] = [:]
    /// Connection acquisitions per execution, per pool.
    package var poolAcquires: [String: Double] = [:]
    /// Database service seconds (uncontended) of the queries run on each pool's connections, on
    /// the primary and on the replicas (all together): the part of a hold spent at the database.
    package var poolPrimarySeconds: [String: Double] = [:]
    package var poolReplicaSeconds: [String: Double] = [:]
    /// Database service seconds on the primary, and on the replicas (all replicas together).
    package var primarySeconds = 0.0
    package var replicaSeconds = 0.0
    package var primaryQueries = 0.0
    package var replicaQueries = 0.0
    /// Pure delays: external calls, sleeps, cache lookups.
    package var delaySeconds = 0.0
    package var cacheLookups: [String: Double] = [:]
    /// Fills (the miss path's end) per execution, per cache.
    package var cacheFills: [String: Double] = [:]
    /// Jobs enqueued per execution, per queue.
    package var jobs: [String: Double] = [:]
    /// Calls per execution, per upstream (`http` steps).
    package var upstreamCalls: [String: Double] = [:]
    /// Uncontended response time (parallel branches overlap: their longest counts).
    package var latencySeconds = 0.0

    package mutating func add(_ o: Profile, times w: Double) {
        cpuSeconds += w * o.cpuSeconds
        for (k, v) in o.poolHoldSeconds { poolHoldSeconds[k, default: 0] += w * v }
        for (k, v) in o.poolAcquires { poolAcquires[k, default: 0] += w * v }
        for (k, v) in o.poolPrimarySeconds { poolPrimarySeconds[k, default: 0] += w * v }
        for (k, v) in o.poolReplicaSeconds { poolReplicaSeconds[k, default: 0] += w * v }
        primarySeconds += w * o.primarySeconds
        replicaSeconds += w * o.replicaSeconds
        primaryQueries += w * o.primaryQueries
        replicaQueries += w * o.replicaQueries
        delaySeconds += w * o.delaySeconds
        for (k, v) in o.cacheLookups { cacheLookups[k, default: 0] += w * v }
        for (k, v) in o.cacheFills { cacheFills[k, default: 0] += w * v }
        for (k, v) in o.jobs { jobs[k, default: 0] += w * v }
        for (k, v) in o.upstreamCalls { upstreamCalls[k, default: 0] += w * v }
        latencySeconds += w * o.latencySeconds
    }

    /// Database seconds of all kinds.
    package var databaseSeconds: Double { primarySeconds + replicaSeconds }

    /// Seconds of `cache`'s server per execution: its lookups at the command time, its fills
    /// at the fill time (0 for a cache without a server).
    package func cacheServerSeconds(_ cache: Cache) -> Double {
        guard let server = cache.server else { return 0 }
        return (cacheLookups[cache.name] ?? 0) * server.time.mean + (cacheFills[cache.name] ?? 0) * server.effectiveFillTime.mean
    }

    /// Seconds of `upstream`'s servers per execution: its calls at its own time.
    package func upstreamServerSeconds(_ upstream: Upstream) -> Double {
        (upstreamCalls[upstream.name] ?? 0) * upstream.time.mean
    }
}

/// Walks step lists into `Profile`s, given the cache hit ratios to assume.
package struct ProfileWalker {
    package let model: Model
    package let hitRatios: [String: Double]
    /// Mean time at the database per unit of service (>= 1: queries sharing the cores take longer).
    /// Stretches connection holds and latencies, never database demand.
    package var stretch = DatabaseStretch()

    package var readsOnReplicas: Bool {
        guard let db = model.database else { return false }
        return db.replicas > 0 && db.readRouting != .primary
    }

    /// The share of reads the replicas take when reads go to them: all of them, or with
    /// `read_from: all` r / (r + 1), the primary taking the rest (an even split: exact for
    /// round robin and random routing, an approximation for least busy).
    package var replicaShareOfReads: Double {
        guard let db = model.database, db.readFrom == .all else { return 1 }
        return Double(db.replicas) / Double(db.replicas + 1)
    }

    package func profile(of steps: [Step]) -> Profile {
        var p = Profile()
        p.latencySeconds = walk(steps, times: 1, held: [], into: &p)
        return p
    }

    /// Adds `times` x the demands of `steps` to `p`; returns the uncontended duration of one execution.
    private func walk(_ steps: [Step], times m: Double, held: Set<String>, into p: inout Profile) -> Double {
        var duration = 0.0
        for step in steps {
            duration += walk(step, times: m, held: held, into: &p)
        }
        return duration
    }

    private func walk(_ step: Step, times m: Double, held: Set<String>, into p: inout Profile) -> Double {
        switch step {
        case let .cpu(d):
            p.cpuSeconds += m * d.mean
            return d.mean
        case let .query(q):
            let t = q.time.mean
            // A transaction's queries run on the primary (its connection is there), and so does
            // a read with `read_from: primary`.
            let onReplica = q.kind == .read && readsOnReplicas && !q.readFromPrimary && !held.contains(q.pool)
            let share = onReplica ? replicaShareOfReads : 0
            // The round trip holds the connection, not a core: it adds to the hold, not the demand.
            let onNode = share == 0 ? stretch.primary : share == 1 ? stretch.replica
                : share * stretch.replica + (1 - share) * stretch.primary
            let elapsed = t * onNode + (q.roundTrip?.mean ?? 0)
            if !held.contains(q.pool) {
                p.poolHoldSeconds[q.pool, default: 0] += m * elapsed
                p.poolAcquires[q.pool, default: 0] += m
            }
            p.poolReplicaSeconds[q.pool, default: 0] += share * m * t
            p.poolPrimarySeconds[q.pool, default: 0] += (1 - share) * m * t
            p.replicaSeconds += share * m * t
            p.replicaQueries += share * m
            p.primarySeconds += (1 - share) * m * t
            p.primaryQueries += (1 - share) * m
            return elapsed
        case let .cache(c):
            let cache = model.cache(named: c.cache)
            // With a server, a lookup takes the server's time there (uncontended), and so does
            // the fill after a miss.
            let lookup = cache?.server?.time.mean ?? cache?.lookup.mean ?? 0
            let fill = cache?.server?.effectiveFillTime.mean ?? 0
            let h = min(1, max(0, hitRatios[c.cache] ?? 0))
            p.delaySeconds += m * lookup + m * (1 - h) * fill
            p.cacheLookups[c.cache, default: 0] += m
            p.cacheFills[c.cache, default: 0] += m * (1 - h)
            let hit = walk(c.hit, times: m * h, held: held, into: &p)
            let miss = walk(c.miss, times: m * (1 - h), held: held, into: &p)
            return lookup + h * hit + (1 - h) * (miss + fill)
        case let .call(call):
            var t = call.latency.mean
            if let limit = call.timeoutSeconds { t = min(t, limit) }
            p.delaySeconds += m * t
            return t
        case let .enqueue(queue):
            p.jobs[queue, default: 0] += m
            return 0
        case let .repeat(count, steps):
            let n = count.mean
            return n * walk(steps, times: m * n, held: held, into: &p)
        case let .parallel(branches):
            var longest = 0.0
            for b in branches { longest = max(longest, walk(b, times: m, held: held, into: &p)) }
            return longest
        case let .transaction(t):
            if held.contains(t.pool) { return walk(t.steps, times: m, held: held, into: &p) }
            let d = walk(t.steps, times: m, held: held.union([t.pool]), into: &p)
            p.poolHoldSeconds[t.pool, default: 0] += m * d
            p.poolAcquires[t.pool, default: 0] += m
            return d
        case let .sleep(d):
            p.delaySeconds += m * d.mean
            return d.mean
        case let .http(name):
            // Uncontended: the wire and the upstream's own time, cut at the client's timeout.
            guard let upstream = model.upstream(named: name) else { return 0 }
            var t = (upstream.roundTrip?.mean ?? 0) + upstream.time.mean
            if let limit = upstream.timeoutSeconds { t = min(t, limit) }
            p.delaySeconds += m * t
            p.upstreamCalls[name, default: 0] += m
            return t
        }
    }
}

/// Residence time at a database node per second of query service: 1 when queries never share
/// cores; M/M/c W / S for an open load (a c-core processor-sharing node has the M/M/c
/// number-in-system distribution); MVA residence / demand for a closed one.
package struct DatabaseStretch: Sendable, Hashable {
    package var primary = 1.0
    package var replica = 1.0
}

/// Demands of a whole web model per request of the mix, jobs included.
package struct WebDemands: Sendable {
    package var endpoints: [(name: String, weight: Double, profile: Profile)]
    /// One run of each job queue's steps.
    package var jobProfiles: [String: Profile]
    /// Mix-weighted per-request demands of the requests themselves (jobs excluded).
    package var synchronous: Profile
    /// Mix-weighted per-request demands of the jobs the requests enqueue (job CPU in `cpuSeconds`).
    package var asynchronous: Profile
    /// Jobs per request, per queue.
    package var jobsPerRequest: [String: Double]
    package var hitRatios: [String: Double]
    /// Caches whose hit ratio is an approximation (key popularity, LRU, TTL).
    package var estimatedCaches: [String]
    /// Per endpoint behind rate limiters: the share of its requests they let through (open loads;
    /// 1 where no limiter applies). The demands downstream of a limiter are of the carried load.
    package var passFractions: [String: Double] = [:]

    /// The share of each endpoint's requests its rate limiters let through, open loads only: a
    /// limiter of capacity r per key and per copy (token bucket: its rate; fixed window: limit /
    /// window), with K keys (`workload.clients` for `user` and `ip`, 1 for `global`) and I copies
    /// (instances for `per_instance`), offered O requests/s spread evenly over them, carries at most
    /// `min(O, K I r)` in the long run (the fluid bound: tokens are never made faster than r; a
    /// burst only moves them in time). An endpoint behind several limiters passes the product.
    /// **Upper bound** on what gets through (Poisson bursts turn some away below the rate), so
    /// downstream utilizations err high, never low.
    package static func rateLimiterPassFractions(_ model: Model, requestRate: Double) -> [String: Double] {
        guard case .open? = model.workload?.arrivals, requestRate > 0, !model.rateLimiters.isEmpty,
              let workload = model.workload else { return [:] }
        var offered: [String: Double] = [:]
        for entry in workload.mix {
            guard let e = model.endpoint(named: entry.endpoint) else { continue }
            for name in e.rateLimiters { offered[name, default: 0] += requestRate * entry.weight }
        }
        var limiterPass: [String: Double] = [:]
        for limiter in model.rateLimiters {
            guard let o = offered[limiter.name], o > 0 else { continue }
            let perKey: Double
            switch limiter.algorithm {
            case let .tokenBucket(rate, _): perKey = rate
            case let .fixedWindow(limit, window): perKey = window > 0 ? Double(limit) / window : .infinity
            }
            let keys = limiter.key == .global ? 1.0 : Double(max(1, workload.clients))
            let copies = limiter.scope == .perInstance ? Double(max(1, model.instances.count)) : 1
            limiterPass[limiter.name] = min(1, keys * copies * perKey / o)
        }
        var fractions: [String: Double] = [:]
        for entry in workload.mix {
            guard let e = model.endpoint(named: entry.endpoint), !e.rateLimiters.isEmpty else { continue }
            fractions[e.name] = e.rateLimiters.reduce(1.0) { $0 * (limiterPass[$1] ?? 1) }
        }
        return fractions
    }

    /// Computes demands; `requestRate` (per second, system-wide) drives the hit ratios of caches
    /// whose hits emerge from key popularity.
    package static func compute(_ model: Model, requestRate: Double, stretch: DatabaseStretch = DatabaseStretch()) -> WebDemands {
        var hitRatios: [String: Double] = [:]
        var estimated: [String] = []
        for c in model.caches {
            switch c.hits {
            case let .ratio(h): hitRatios[c.name] = h
            case .keys: hitRatios[c.name] = 0.5; estimated.append(c.name)
            }
        }
        let passFractions = rateLimiterPassFractions(model, requestRate: requestRate)
        var demands = WebDemands(endpoints: [], jobProfiles: [:], synchronous: Profile(), asynchronous: Profile(),
                                 jobsPerRequest: [:], hitRatios: hitRatios, estimatedCaches: estimated)
        // Lookup rates depend on hit ratios of enclosing caches: iterate to a fixed point.
        for _ in 0..<(estimated.isEmpty ? 1 : 6) {
            demands = pass(model, hitRatios: hitRatios, estimated: estimated, stretch: stretch, passFractions: passFractions)
            guard !estimated.isEmpty else { break }
            var lookups = demands.synchronous.cacheLookups
            for (k, v) in demands.asynchronous.cacheLookups { lookups[k, default: 0] += v }
            var changed = false
            for name in estimated {
                guard let cache = model.cache(named: name), case let .keys(pop) = cache.hits else { continue }
                let copies = cache.scope == .perInstance ? Double(max(1, model.instances.count)) : 1
                let rate = requestRate * (lookups[name] ?? 0) / copies
                let ratio = CacheHitEstimate.hitRatio(popularity: pop, capacity: cache.capacity,
                                                      ttlSeconds: cache.ttlSeconds, lookupsPerSecond: rate,
                                                      horizonSeconds: model.simulation.horizonSeconds)
                if hitRatios[name] != ratio { changed = true }
                hitRatios[name] = ratio
            }
            // A fixed point, exactly: every further pass would repeat this one (caches not nested
            // in caches get there in the second pass; 1,000 of them took 11 s to check in six).
            if !changed { break }
        }
        return demands
    }

    private static func pass(_ model: Model, hitRatios: [String: Double], estimated: [String],
                             stretch: DatabaseStretch, passFractions: [String: Double]) -> WebDemands {
        let walker = ProfileWalker(model: model, hitRatios: hitRatios, stretch: stretch)
        var jobProfiles: [String: Profile] = [:]
        for q in model.jobQueues { jobProfiles[q.name] = walker.profile(of: q.steps) }
        var endpoints: [(String, Double, Profile)] = []
        var sync = Profile()
        for entry in model.workload?.mix ?? [] {
            guard let e = model.endpoint(named: entry.endpoint) else { continue }
            let p = walker.profile(of: e.steps)
            endpoints.append((e.name, entry.weight, p))
            sync.add(p, times: entry.weight * (passFractions[e.name] ?? 1))
        }
        // Jobs may enqueue jobs: follow the chain a few levels (cycles are damped by the cap).
        var async = Profile()
        var jobsPerRequest: [String: Double] = [:]
        var frontier = sync.jobs
        for _ in 0..<8 where !frontier.isEmpty {
            var next: [String: Double] = [:]
            for (q, n) in frontier {
                jobsPerRequest[q, default: 0] += n
                guard let jp = jobProfiles[q] else { continue }
                async.add(jp, times: n)
                for (q2, n2) in jp.jobs { next[q2, default: 0] += n * n2 }
            }
            frontier = next
        }
        return WebDemands(endpoints: endpoints, jobProfiles: jobProfiles, synchronous: sync, asynchronous: async,
                          jobsPerRequest: jobsPerRequest, hitRatios: hitRatios, estimatedCaches: estimated,
                          passFractions: passFractions)
    }
}

/// Steady-state hit ratio of a cache fed by independent references with Zipf popularity.
///
/// Per key k with lookup rate r_k: with a TTL T (entries not refreshed by hits),
/// h_k = r_k T / (1 + r_k T); with LRU capacity C, Che's approximation h_k = 1 - exp(-r_k t_C)
/// where t_C solves sum_k (1 - exp(-r_k t_C)) = C; with both, the smaller; with neither, the
/// cold misses of one horizon H: h_k = 1 - (1 - exp(-r_k H)) / (r_k H). Invalidations are ignored.
/// Keys beyond the first thousand are grouped into geometric buckets, so n up to 10^8 is cheap.
package enum CacheHitEstimate {
    package static func hitRatio(popularity: KeyPopularity, capacity: Int?, ttlSeconds: Double?,
                         lookupsPerSecond: Double, horizonSeconds: Double) -> Double {
        guard lookupsPerSecond > 0 else { return 0 }
        let groups = zipfGroups(s: popularity.s, n: popularity.n)
        let rates = groups.map { lookupsPerSecond * $0.probability }
        func ttlHit(_ r: Double) -> Double { guard let t = ttlSeconds else { return 1 }; return r * t / (1 + r * t) }
        var characteristic: Double? = nil
        if let c = capacity, c < popularity.n {
            // Bisection on t: occupancy(t) = sum count (1 - e^{-r t}) is increasing in t.
            func occupancy(_ t: Double) -> Double {
                var s = 0.0
                for (g, r) in zip(groups, rates) { s += Double(g.count) * -expm1(-r * t) }
                return s
            }
            var lo = 0.0, hi = 1.0
            while occupancy(hi) < Double(c) && hi < 1e15 { hi *= 2 }
            for _ in 0..<100 {
                let mid = (lo + hi) / 2
                if occupancy(mid) < Double(c) { lo = mid } else { hi = mid }
            }
            characteristic = (lo + hi) / 2
        }
        var total = 0.0
        for (g, r) in zip(groups, rates) {
            var h: Double
            if let t = characteristic {
                h = min(-expm1(-r * t), ttlHit(r))
            } else if ttlSeconds != nil {
                h = ttlHit(r)
            } else {
                let x = r * horizonSeconds
                h = x > 0 ? 1 - (-expm1(-x)) / x : 0
            }
            total += Double(g.count) * g.probability * h
        }
        return min(1, max(0, total))
    }

    /// (count of keys, probability of each) groups; the probabilities sum to 1.
    package static func zipfGroups(s: Double, n: Int) -> [(count: Int, probability: Double)] {
        var groups: [(Int, Double)] = []
        let exact = min(n, 1000)
        for k in 1...exact { groups.append((1, pow(Double(k), -s))) }
        var a = exact + 1
        while a <= n {
            let b = min(n, max(a, Int(Double(a) * 1.02)))
            let count = b - a + 1
            // Mean of x^{-s} over [a - 1/2, b + 1/2].
            let lo = Double(a) - 0.5, hi = Double(b) + 0.5
            let integral = abs(s - 1) < 1e-12 ? log(hi / lo) : (pow(hi, 1 - s) - pow(lo, 1 - s)) / (1 - s)
            groups.append((count, integral / Double(count)))
            a = b + 1
        }
        let norm = groups.reduce(0) { $0 + Double($1.0) * $1.1 }
        return groups.map { ($0.0, $0.1 / norm) }
    }
}

extension DistributionSpec {
    /// Squared coefficient of variation, where it is known in closed form.
    package var squaredCV: Double? {
        switch self {
        case .constant: return 0
        case .exponential: return 1
        case let .uniform(a, b):
            let m = (a + b) / 2
            return m > 0 ? (b - a) * (b - a) / 12 / (m * m) : nil
        case let .lognormal(_, cv), let .gamma(_, cv), let .hyperexponential(_, cv): return cv * cv
        case let .erlang(k, _): return 1 / Double(k)
        case let .weibull(k, _):
            let g1 = tgamma(1 + 1 / k)
            return tgamma(1 + 2 / k) / (g1 * g1) - 1
        case let .empirical(v):
            guard v.count > 1 else { return 0 }
            let m = v.reduce(0, +) / Double(v.count)
            guard m > 0 else { return nil }
            let variance = v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count)
            return variance / (m * m)
        case let .tabulated(t): return t.mean > 0 ? t.variance / (t.mean * t.mean) : nil
        case .normal, .pareto: return nil
        }
    }

    /// Whether the distribution is exponential (the product-form and Erlang assumptions).
    package var isExponential: Bool {
        switch self {
        case .exponential: return true
        case let .erlang(k, _): return k == 1
        case let .gamma(_, cv), let .hyperexponential(_, cv): return abs(cv - 1) < 1e-12
        default: return false
        }
    }
}
