// The caches' table: each cache's constants and streams, its stores (keyed caches), its
// server and the instances' client pools to it, single-flight waiters, and the counters. The
// behaviour is in WebEngine+Caches.

import HeadroomKernel
import HeadroomModel

/// Every cache of a model: store = cache * instances + instance (per instance) or
/// cache * instances (shared), and the servers likewise; client pools are per instance,
/// cache * instances + instance.
struct CacheTable {
    // Constants, per cache.
    let perInstance: Slab<Bool>
    let usesKeys: Slab<Bool>
    let hitRatio: Slab<Double>
    let singleFlight: Slab<Bool>
    let invalidatesAll: Slab<Bool>
    let lookupTime: Slab<Distribution>
    let streams: Slab<RandomStreamHandle>
    let zipf: Slab<ZipfKeys?>
    /// A cache server's (`server:`) service time and stream; nil without one.
    let serverTime: Slab<Distribution?>
    let serverStreams: Slab<RandomStreamHandle?>
    /// A fill's time at the server (the lookup's unless `fill_time`), drawn from its own stream.
    let fillTime: Slab<Distribution?>
    let fillStreams: Slab<RandomStreamHandle?>
    let hasConnectionPool: Slab<Bool>
    /// `server.connection_timeout` per cache.
    let connectionTimeout: Slab<Double?>
    /// `server.on_timeout: miss`: a command that gave up does not fail its request.
    let timeoutIsMiss: Slab<Bool>

    // State.
    var stores: Slab<CacheStore?>
    /// Entities waiting for a single-flight fill, by `WebEngine.waiterKey(store:key:)`.
    var waiters: [Int: [Int32]] = [:]
    /// Cache servers, one per store slot like the stores (size 1 and unused for a cache
    /// without one).
    var servers: Slab<TokenPool>
    /// Each instance's client pool of connections to a cache's server (`server.connections`;
    /// size 1 and unused without one).
    var connections: Slab<TokenPool>

    // Counters, per cache, since the warm-up.
    var lookups: Slab<Int>
    var hits: Slab<Int>
    var coalesced: Slab<Int>
    var serverWaits: Slab<LatencyRecorder>
    var connectionWaits: Slab<SummaryStatistics>
    /// Commands that gave up waiting for a connection (`server.connection_timeout`).
    var connectionTimeouts: Slab<Int>

    init(model: Model, instances n: Int, stream: (String) -> RandomStreamHandle) {
        let caches = model.caches
        perInstance = Slab(caches.map { $0.scope == .perInstance })
        usesKeys = Slab(caches.map { if case .keys = $0.hits { return true } else { return false } })
        hitRatio = Slab(caches.map { if case .ratio(let h) = $0.hits { return h } else { return 0 } })
        singleFlight = Slab(caches.map(\.singleFlight))
        invalidatesAll = Slab(caches.map { $0.invalidation == .all })
        lookupTime = Slab(caches.map { Distribution($0.lookup) })
        streams = Slab(caches.map { stream("cache.\($0.name)") })
        serverTime = Slab(caches.map { $0.server.map { Distribution($0.time) } })
        serverStreams = Slab(caches.map { cache in cache.server.map { _ in stream("cache.\(cache.name).server") } })
        fillTime = Slab(caches.map { $0.server.map { Distribution($0.effectiveFillTime) } })
        fillStreams = Slab(caches.map { cache in cache.server.map { _ in stream("cache.\(cache.name).fill") } })
        zipf = Slab(caches.map { cache in
            if case .keys(let popularity) = cache.hits { return ZipfKeys(s: popularity.s, n: popularity.n) }
            return nil
        })
        hasConnectionPool = Slab(caches.map { $0.server?.connectionsPerInstance != nil })
        connectionTimeout = Slab(caches.map { $0.server?.connectionTimeoutSeconds })
        timeoutIsMiss = Slab(caches.map { $0.server?.onTimeout == .miss })

        stores = []
        for cache in caches {
            for _ in 0..<n {
                if case .keys(let popularity) = cache.hits {
                    stores.append(CacheStore(keys: popularity.n, capacity: cache.capacity, ttlSeconds: cache.ttlSeconds))
                } else {
                    stores.append(nil)
                }
            }
        }
        servers = Slab(caches.flatMap { cache in (0..<n).map { _ in TokenPool(size: cache.server?.servers ?? 1) } })
        connections = Slab(caches.flatMap { cache in
            (0..<n).map { _ in TokenPool(size: cache.server?.connectionsPerInstance ?? 1) }
        })

        lookups = Slab(repeating: 0, count: caches.count)
        hits = Slab(repeating: 0, count: caches.count)
        coalesced = Slab(repeating: 0, count: caches.count)
        serverWaits = Slab(repeating: LatencyRecorder(), count: caches.count)
        connectionWaits = Slab(repeating: SummaryStatistics(), count: caches.count)
        connectionTimeouts = Slab(repeating: 0, count: caches.count)
    }

    mutating func restartStatistics(atSeconds now: Double) {
        lookups = Slab(repeating: 0, count: lookups.count)
        for i in servers.indices { servers[i].restartStatistics(atSeconds: now) }
        serverWaits = Slab(repeating: LatencyRecorder(), count: serverWaits.count)
        for i in connections.indices { connections[i].restartStatistics(atSeconds: now) }
        connectionWaits = Slab(repeating: SummaryStatistics(), count: connectionWaits.count)
        connectionTimeouts = Slab(repeating: 0, count: connectionTimeouts.count)
        hits = Slab(repeating: 0, count: hits.count)
        coalesced = Slab(repeating: 0, count: coalesced.count)
    }

    func results(model: Model, instances: Int, atSeconds now: Double) -> [CacheResult] {
        model.caches.enumerated().map { i, cache in
            var result = CacheResult(name: cache.name, lookups: lookups[i], hits: hits[i], coalescedMisses: coalesced[i])
            if let server = cache.server {
                let slots = cache.scope == .perInstance ? instances : 1
                let busy = (0..<slots).reduce(0.0) { $0 + servers[i * instances + $1].inUse.mean(atSeconds: now) }
                result.serverUtilization = busy / Double(server.servers * slots)
                result.serverWaits = serverWaits[i]
                if let perInstance = server.connectionsPerInstance {
                    let inUse = (0..<instances).reduce(0.0) { $0 + connections[i * instances + $1].inUse.mean(atSeconds: now) }
                    result.connectionUtilization = inUse / Double(perInstance * instances)
                    result.connectionMeanWaitSeconds = connectionWaits[i].count > 0 ? connectionWaits[i].mean : 0
                    if server.connectionTimeoutSeconds != nil { result.connectionTimeouts = connectionTimeouts[i] }
                }
            }
            return result
        }
    }
}
