// The connection pools' table: each pool's constants, each copy's (slot's) tokens and open
// connections, and each pool's counters, in one record, so a counter is declared, sized, reset
// at the warm-up and reported here and nowhere else. The behaviour is in WebEngine+Connections.

import HeadroomKernel
import HeadroomModel

/// Every connection pool of a model: slot = pool * instances + instance for a per-instance
/// pool, pool * instances for a shared one (each pool owns `instances` slots either way).
struct PoolTable {
    // Constants, per pool.
    let perInstance: Slab<Bool>
    let acquireTimeout: Slab<Double?>
    /// Pools whose acquire timeout is a distribution (`acquire_timeout: uniform(2s, 2.14s)`):
    /// each wait draws its own, from the pool's stream; nil for a constant one (a lane).
    let acquireTimeoutVarying: Slab<Distribution?>
    let acquireTimeoutStreams: Slab<RandomStreamHandle?>
    let connectionSetup: Slab<Distribution?>
    /// The pooler a pool connects through (-1: straight to the database).
    let poolerOf: Slab<Int32>
    // Connection lifetimes, for pools that track them (`tracksConnections`: an idle timeout, or
    // a session-mode pooler): each slot's idle open connections, most recently released last
    // (reused first, LIFO, as node-postgres and HikariCP do), and whether its reaper is pending.
    let tracksConnections: Slab<Bool>
    let idleTimeout: Slab<Double>
    let minIdle: Slab<Int>

    // Per slot.
    /// Each slot's pool (slot / instances), read from a table: an integer division costs tens
    /// of cycles, and every release and timeout needs it.
    let ofSlot: Slab<Int>
    var tokens: Slab<TokenPool>
    var open: Slab<Int>
    var idle: Slab<EventRing<WebEngine.IdleConnection>>
    var idleReaperArmed: Slab<Bool>

    // Counters, per pool, since the warm-up.
    var waits: Slab<LatencyRecorder>
    var totalInUse: Slab<TimeWeightedAverage>
    var timeouts: Slab<Int>
    var refused: Slab<Int>
    /// Open connections of each pool (all slots), and opens and idle closes.
    var openTotal: Slab<TimeWeightedAverage>
    var opened: Slab<Int>
    var idleClosed: Slab<Int>

    init(model: Model, instances n: Int, stream: (String) -> RandomStreamHandle) {
        let pools = model.pools
        perInstance = Slab(pools.map { $0.scope == .perInstance })
        acquireTimeout = Slab(pools.map(\.acquireTimeoutSeconds))
        acquireTimeoutVarying = Slab(pools.map { $0.acquireTimeout.map(Distribution.init) })
        acquireTimeoutStreams = Slab(pools.map { pool in pool.acquireTimeout.map { _ in stream("pools.\(pool.name).acquire-timeout") } })
        connectionSetup = Slab(pools.map { $0.connectionSetup.map(Distribution.init) })
        let poolerIndex = Dictionary(uniqueKeysWithValues: model.poolers.enumerated().map { ($1.name, Int32($0)) })
        poolerOf = Slab(pools.map { $0.via.flatMap { poolerIndex[$0] } ?? -1 })
        idleTimeout = Slab(pools.map { $0.idleTimeoutSeconds ?? .infinity })
        minIdle = Slab(pools.map(\.minIdle))
        let sessionPoolers = Set(model.poolers.filter { $0.mode == .session }.map(\.name))
        tracksConnections = Slab(pools.map { pool in
            pool.idleTimeoutSeconds != nil || pool.via.map(sessionPoolers.contains) == true
        })

        tokens = []
        for pool in pools {
            // The engine keeps each pool's in-use total (`totalInUse`) and waits (`waits`).
            for _ in 0..<n { tokens.append(TokenPool(size: pool.size, keepsGrantStatistics: false)) }
        }
        open = Slab(repeating: 0, count: tokens.count)
        ofSlot = Slab((0..<tokens.count).map { $0 / n })
        // One ring each (copies of a ring would share its storage), behind raw pointers: a
        // `Deque` checked its buffer's uniqueness on every release and acquire.
        idle = Slab((0..<tokens.count).map { _ in EventRing<WebEngine.IdleConnection>(capacity: 4) })
        idleReaperArmed = Slab(repeating: false, count: tokens.count)

        waits = Slab(repeating: LatencyRecorder(), count: pools.count)
        totalInUse = Slab(repeating: TimeWeightedAverage(), count: pools.count)
        timeouts = Slab(repeating: 0, count: pools.count)
        refused = Slab(repeating: 0, count: pools.count)
        openTotal = Slab(repeating: TimeWeightedAverage(), count: pools.count)
        opened = Slab(repeating: 0, count: pools.count)
        idleClosed = Slab(repeating: 0, count: pools.count)
    }

    /// The warm-up's end: every counter starts again; the state (tokens held, connections open)
    /// carries on.
    mutating func restartStatistics(atSeconds now: Double) {
        for i in tokens.indices { tokens[i].restartStatistics(atSeconds: now) }
        for i in totalInUse.indices { totalInUse[i].restart(atSeconds: now) }
        for i in openTotal.indices { openTotal[i].restart(atSeconds: now) }
        opened = Slab(repeating: 0, count: opened.count)
        idleClosed = Slab(repeating: 0, count: idleClosed.count)
        waits = Slab(repeating: LatencyRecorder(), count: waits.count)
        timeouts = Slab(repeating: 0, count: timeouts.count)
        refused = Slab(repeating: 0, count: refused.count)
    }

    func results(model: Model, instances: Int, atSeconds now: Double) -> [PoolResult] {
        model.pools.enumerated().map { p, pool in
            let slots = pool.scope == .perInstance ? (p * instances..<(p + 1) * instances) : (p * instances..<p * instances + 1)
            let total = pool.totalConnections(instances: instances)
            let inUse = totalInUse[p].mean(atSeconds: now)
            let waiting = slots.reduce(0.0) { $0 + tokens[$1].waiting.mean(atSeconds: now) }
            return PoolResult(name: pool.name, totalSize: total, meanInUse: inUse, utilization: inUse / Double(total),
                              peakInUse: Int(totalInUse[p].peak), meanWaiting: waiting, waits: waits[p],
                              acquireTimeouts: timeouts[p], refusedConnections: refused[p],
                              meanOpenConnections: openTotal[p].mean(atSeconds: now),
                              peakOpenConnections: Int(openTotal[p].peak),
                              connectionsOpened: opened[p], idleClosures: idleClosed[p])
        }
    }
}
