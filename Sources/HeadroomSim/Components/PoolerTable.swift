// The PgBouncer-style poolers' table: each pooler's constants, its server connections (tokens)
// and the client connections pools hold to it, and its counters. The behaviour is in
// WebEngine+Connections.

import HeadroomKernel
import HeadroomModel

struct PoolerTable {
    let maxClientConnections: Slab<Int>
    let waitTimeout: Slab<Double?>
    let sessionMode: Slab<Bool>

    /// Server connections: a token is one held; `open` counts those opened at the database.
    var tokens: Slab<TokenPool>
    var open: Slab<Int>
    var clientConnections: Slab<Int>

    // Counters since the warm-up.
    var waits: Slab<LatencyRecorder>
    var timeouts: Slab<Int>

    init(model: Model) {
        let poolers = model.poolers
        maxClientConnections = Slab(poolers.map(\.maxClientConnections))
        waitTimeout = Slab(poolers.map(\.queryWaitTimeoutSeconds))
        sessionMode = Slab(poolers.map { $0.mode == .session })
        tokens = Slab(poolers.map { TokenPool(size: $0.serverConnections) })
        open = Slab(repeating: 0, count: poolers.count)
        clientConnections = Slab(repeating: 0, count: poolers.count)
        waits = Slab(repeating: LatencyRecorder(), count: poolers.count)
        timeouts = Slab(repeating: 0, count: poolers.count)
    }

    mutating func restartStatistics(atSeconds now: Double) {
        for i in tokens.indices { tokens[i].restartStatistics(atSeconds: now) }
        waits = Slab(repeating: LatencyRecorder(), count: waits.count)
        timeouts = Slab(repeating: 0, count: timeouts.count)
    }

    func results(model: Model, atSeconds now: Double) -> [PoolerResult] {
        model.poolers.enumerated().map { i, pooler in
            let inUse = tokens[i].inUse.mean(atSeconds: now)
            return PoolerResult(name: pooler.name, serverConnections: pooler.serverConnections, meanServerInUse: inUse,
                                utilization: inUse / Double(pooler.serverConnections), peakServerInUse: Int(tokens[i].inUse.peak),
                                meanWaiting: tokens[i].waiting.mean(atSeconds: now), waits: waits[i],
                                waitTimeouts: timeouts[i])
        }
    }
}
