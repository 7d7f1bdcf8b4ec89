// HTTP upstreams: an `http` step calls another service through the instance's client pool
// (a connection, FCFS, with an acquire timeout), crosses the wire, queues FCFS for one of the
// upstream's servers and is served there; the client's timeout per call overtakes a slow one,
// and an answer may be an error. A failed call fails its request, which the endpoint's retry
// policy may retry (WebEngine+Client). The state is in UpstreamTable.

import HeadroomKernel
import HeadroomModel

extension WebEngine {
    /// The client pool an entity's call to `upstream` uses: its instance's.
    @inline(__always)
    func upstreamClient(upstream: Int32, instance: Int32) -> Int {
        Int(upstream) * instanceCount + Int(instance)
    }

    /// An `http` step. States, from `.start`: `.waitingForUpstreamConnection` (queued for a
    /// client connection, if the pool has none free), then the call is sent: `.onUpstreamWire`
    /// (the round trip), `.waitingForUpstream` (queued for a server), `.atUpstream` (served),
    /// and the answer: a success goes on, an error fails the request. `.upstreamTimedOut`: the
    /// client's timeout came first; the call fails at that moment and the upstream finishes the
    /// work it started on its own (an `upstreamServerDone` event frees its server).
    @_transparent
    mutating func runHTTP(_ e: Int32, upstream: Int32) -> Bool {
        let ei = Int(e)
        let u = Int(upstream)
        switch entities[ei].state {
        case .start:
            if upstreams.hasConnectionPool[u] {
                let client = upstreamClient(upstream: upstream, instance: entities[ei].instance)
                entities[ei].waitStartSeconds = now
                entities[ei].state = .waitingForUpstreamConnection
                if case .waiting(let ticket) = upstreams.connections[client].acquire(e, atSeconds: now) {
                    entities[ei].queuedOn = .upstreamConnection
                    entities[ei].queueTicket = ticket
                    if let timeout = upstreams.acquireTimeout[u] {
                        schedule(.upstreamAcquireTimeout, e, tag: ticket, at: now + timeout)
                    }
                    return false
                }
            }
            fallthrough
        case .waitingForUpstreamConnection:
            if upstreams.hasConnectionPool[u] {
                entities[ei].queuedOn = .nothing
                upstreams.connectionWaits[u].record(seconds: now - entities[ei].waitStartSeconds)
            }
            // The call is sent.
            upstreams.sent[u] += 1
            entities[ei].sentSeconds = now
            if let wire = upstreams.roundTrip[u] {
                let w = wire.sample(upstreams.roundTripStreams[u]!)
                let timeout = upstreams.timeout[u]
                if w >= timeout {
                    entities[ei].state = .upstreamTimedOut
                    schedule(.delayEnd, e, at: now + timeout)
                } else {
                    entities[ei].state = .onUpstreamWire
                    schedule(.delayEnd, e, at: now + w)
                }
                return false
            }
            fallthrough
        case .onUpstreamWire:
            entities[ei].waitStartSeconds = now
            entities[ei].state = .waitingForUpstream
            if case .waiting(let ticket) = upstreams.servers[u].acquire(e, atSeconds: now) {
                let timeout = upstreams.timeout[u]
                if timeout.isFinite {
                    entities[ei].queueTicket = ticket
                    schedule(.upstreamTimeout, e, tag: ticket, at: entities[ei].sentSeconds + timeout)
                }
                return false
            }
            fallthrough
        case .waitingForUpstream:
            upstreams.serverWaits[u].record(seconds: now - entities[ei].waitStartSeconds)
            let service = upstreams.time[u].sample(upstreams.timeStreams[u])
            let deadline = entities[ei].sentSeconds + upstreams.timeout[u]
            if now + service > deadline {
                // The client gives up first; the upstream finishes what it started.
                schedule(.upstreamServerDone, upstream, at: now + service)
                entities[ei].state = .upstreamTimedOut
                schedule(.delayEnd, e, at: deadline)
            } else {
                entities[ei].state = .atUpstream
                schedule(.delayEnd, e, at: now + service)
            }
            return false
        case .atUpstream:
            releaseUpstreamServer(u)
            releaseUpstreamConnection(e, upstream: upstream)
            let p = upstreams.errorProbability[u]
            if p > 0 && upstreams.errorStreams[u].uniform() < p {
                upstreams.errors[u] += 1
                fail(e, .errorUpstream)
                return false
            }
            upstreams.succeeded[u] += 1
            upstreams.latency[u].record(seconds: now - entities[ei].sentSeconds)
            step(e)
            return true
        default:
            // `.upstreamTimedOut`: the client's timeout fired.
            upstreams.timeouts[u] += 1
            releaseUpstreamConnection(e, upstream: upstream)
            fail(e, .errorUpstream)
            return false
        }
    }

    @inline(__always)
    mutating func releaseUpstreamServer(_ u: Int) {
        if let next = upstreams.servers[u].release(atSeconds: now) { schedule(.resume, next, at: now) }
    }

    @inline(__always)
    mutating func releaseUpstreamConnection(_ e: Int32, upstream: Int32) {
        guard upstreams.hasConnectionPool[Int(upstream)] else { return }
        let client = upstreamClient(upstream: upstream, instance: entities[Int(e)].instance)
        if let next = upstreams.connections[client].release(atSeconds: now) { schedule(.resume, next, at: now) }
    }

    /// The upstream an entity at an `http` step calls.
    @inline(__always)
    func upstreamOfStep(_ e: Int32) -> Int32? {
        if case .http(let u) = ops[Int(entities[Int(e)].pc)] { return u }
        return nil
    }

    /// A call's wait for a client connection ran out (`acquire_timeout`): unless it was granted
    /// one meanwhile, it leaves the queue and its request fails.
    mutating func upstreamAcquireTimedOut(entity e: Int32, ticketLowBits: UInt32) {
        let ei = Int(e)
        guard entities[ei].live, entities[ei].state == .waitingForUpstreamConnection,
              UInt32(truncatingIfNeeded: entities[ei].queueTicket) == ticketLowBits,
              let upstream = upstreamOfStep(e) else { return }
        let client = upstreamClient(upstream: upstream, instance: entities[ei].instance)
        guard upstreams.connections[client].abandon(ticket: entities[ei].queueTicket, atSeconds: now) else { return }
        upstreams.acquireTimeouts[Int(upstream)] += 1
        entities[ei].queuedOn = .nothing
        fail(e, .errorUpstream)
    }

    /// The client's timeout fired while the call was still queued at the upstream: it leaves the
    /// queue (the upstream never starts it), gives its connection back, and fails.
    mutating func upstreamTimedOutInQueue(entity e: Int32, ticketLowBits: UInt32) {
        let ei = Int(e)
        guard entities[ei].live, entities[ei].state == .waitingForUpstream,
              UInt32(truncatingIfNeeded: entities[ei].queueTicket) == ticketLowBits,
              let upstream = upstreamOfStep(e) else { return }
        guard upstreams.servers[Int(upstream)].abandon(ticket: entities[ei].queueTicket, atSeconds: now) else { return }
        upstreams.timeouts[Int(upstream)] += 1
        releaseUpstreamConnection(e, upstream: upstream)
        fail(e, .errorUpstream)
    }

    /// A cancelled attempt queued for a client connection leaves the queue (`cancelWaiters`).
    mutating func cancelUpstreamConnectionWait(_ e: Int32) {
        let ei = Int(e)
        guard let upstream = upstreamOfStep(e) else { return }
        let client = upstreamClient(upstream: upstream, instance: entities[ei].instance)
        if upstreams.connections[client].abandon(ticket: entities[ei].queueTicket, atSeconds: now) {
            entities[ei].queuedOn = .nothing
            terminate(e, failed: true)
        }
    }
}
