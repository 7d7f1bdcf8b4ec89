// The upstreams' table (HTTP services this one calls): each upstream's constants and streams,
// the instances' client pools (client = upstream * instances + instance), the upstream's own
// servers (one token pool per upstream: it is one service, whichever instance calls it), and
// the counters. The behaviour is in WebEngine+Upstreams.

import HeadroomKernel
import HeadroomModel

struct UpstreamTable {
    // Constants, per upstream.
    let time: Slab<Distribution>
    let timeStreams: Slab<RandomStreamHandle>
    /// The wire's round trip (nil: none) and its stream.
    let roundTrip: Slab<Distribution?>
    let roundTripStreams: Slab<RandomStreamHandle?>
    /// Whether calls go through a client pool of bounded size.
    let hasConnectionPool: Slab<Bool>
    let acquireTimeout: Slab<Double?>
    /// The client's timeout per call (infinity: none).
    let timeout: Slab<Double>
    let errorProbability: Slab<Double>
    let errorStreams: Slab<RandomStreamHandle>

    // State.
    /// Each instance's client pool (size 1 and unused without `connections`).
    var connections: Slab<TokenPool>
    var servers: Slab<TokenPool>

    // Counters, per upstream, since the warm-up.
    /// Calls that got a connection and were sent.
    var sent: Slab<Int>
    var succeeded: Slab<Int>
    /// Answers that were errors, calls the client's timeout overtook, and calls that gave up
    /// waiting for a client connection.
    var errors: Slab<Int>
    var timeouts: Slab<Int>
    var acquireTimeouts: Slab<Int>
    var connectionWaits: Slab<LatencyRecorder>
    var serverWaits: Slab<LatencyRecorder>
    /// From the send to the answer, of successful calls.
    var latency: Slab<LatencyRecorder>

    init(model: Model, instances n: Int, stream: (String) -> RandomStreamHandle) {
        let upstreams = model.upstreams
        time = Slab(upstreams.map { Distribution($0.time) })
        timeStreams = Slab(upstreams.map { stream("upstream.\($0.name).time") })
        roundTrip = Slab(upstreams.map { $0.roundTrip.map(Distribution.init) })
        roundTripStreams = Slab(upstreams.map { u in u.roundTrip.map { _ in stream("upstream.\(u.name).round-trip") } })
        hasConnectionPool = Slab(upstreams.map { $0.connectionsPerInstance != nil })
        acquireTimeout = Slab(upstreams.map(\.acquireTimeoutSeconds))
        timeout = Slab(upstreams.map { $0.timeoutSeconds ?? .infinity })
        errorProbability = Slab(upstreams.map(\.errorProbability))
        errorStreams = Slab(upstreams.map { stream("upstream.\($0.name).errors") })
        connections = Slab(upstreams.flatMap { u in (0..<n).map { _ in TokenPool(size: u.connectionsPerInstance ?? 1) } })
        servers = Slab(upstreams.map { TokenPool(size: max(1, $0.servers)) })
        sent = Slab(repeating: 0, count: upstreams.count)
        succeeded = Slab(repeating: 0, count: upstreams.count)
        errors = Slab(repeating: 0, count: upstreams.count)
        timeouts = Slab(repeating: 0, count: upstreams.count)
        acquireTimeouts = Slab(repeating: 0, count: upstreams.count)
        connectionWaits = Slab(repeating: LatencyRecorder(), count: upstreams.count)
        serverWaits = Slab(repeating: LatencyRecorder(), count: upstreams.count)
        latency = Slab(repeating: LatencyRecorder(), count: upstreams.count)
    }

    mutating func restartStatistics(atSeconds now: Double) {
        for i in connections.indices { connections[i].restartStatistics(atSeconds: now) }
        for i in servers.indices { servers[i].restartStatistics(atSeconds: now) }
        sent = Slab(repeating: 0, count: sent.count)
        succeeded = Slab(repeating: 0, count: succeeded.count)
        errors = Slab(repeating: 0, count: errors.count)
        timeouts = Slab(repeating: 0, count: timeouts.count)
        acquireTimeouts = Slab(repeating: 0, count: acquireTimeouts.count)
        connectionWaits = Slab(repeating: LatencyRecorder(), count: connectionWaits.count)
        serverWaits = Slab(repeating: LatencyRecorder(), count: serverWaits.count)
        latency = Slab(repeating: LatencyRecorder(), count: latency.count)
    }

    func results(model: Model, instances: Int, atSeconds now: Double) -> [UpstreamResult] {
        model.upstreams.enumerated().map { i, upstream in
            var result = UpstreamResult(
                name: upstream.name, servers: servers[i].size, sent: sent[i], succeeded: succeeded[i], errors: errors[i],
                timeouts: timeouts[i], latency: latency[i],
                serverUtilization: servers[i].inUse.mean(atSeconds: now) / Double(servers[i].size),
                meanWaitingAtServer: servers[i].waiting.mean(atSeconds: now), serverWaits: serverWaits[i])
            if let perInstance = upstream.connectionsPerInstance {
                let clients = (i * instances..<(i + 1) * instances)
                let inUse = clients.reduce(0.0) { $0 + connections[$1].inUse.mean(atSeconds: now) }
                result.connectionsPerInstance = perInstance
                result.connectionUtilization = inUse / Double(perInstance * instances)
                result.meanWaitingForConnection = clients.reduce(0.0) { $0 + connections[$1].waiting.mean(atSeconds: now) }
                result.connectionWaits = connectionWaits[i]
                if upstream.acquireTimeoutSeconds != nil { result.acquireTimeouts = acquireTimeouts[i] }
            }
            return result
        }
    }
}
