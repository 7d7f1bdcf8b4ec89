// Pools, poolers and database connections: a pool token (per instance or shared), the
// connection it comes with (reused idle, handed over by its releaser, or opened, with a setup
// time), a PgBouncer-style pooler's server connection (transaction or session mode), the
// database's `max_connections`, acquire timeouts, release, idle reaping down to `min_idle`,
// and transactions, which hold their connection from `begin` to `commit`.

import HeadroomKernel
import HeadroomModel

extension WebEngine {
    /// An open pool connection nobody holds, since when, and whether a session-mode PgBouncer
    /// server connection is bound to it.
    struct IdleConnection {
        var sinceSeconds: Double
        var hasServer: Bool
    }

    /// The pool copy an instance uses: its own for a per-instance pool, the one copy otherwise.
    @inline(__always)
    func poolSlot(pool: Int32, instance: Int32) -> Int32 {
        pool * Int32(instanceCount) + (pools.perInstance[Int(pool)] ? instance : 0)
    }

    /// The pool a slot belongs to (`slot / instanceCount`), read from a table: an integer
    /// division costs tens of cycles, and every release and timeout needs it.
    @inline(__always)
    func pool(ofSlot slot: Int) -> Int { pools.ofSlot[slot] }

    /// What an entity is queued for: a pool's connection, or a pooler's server connection
    /// (cancelling a timed-out attempt takes it out of that queue).
    enum QueuedOn: UInt8 {
        case nothing, pool, pooler
        /// A connection of the instance's client pool to an upstream (WebEngine+Upstreams).
        case upstreamConnection
        /// A request thread of its instance: the request is in the accept queue (WebEngine+Threads).
        case thread
    }

    /// What comes with a pool token a releaser hands to a waiting entity.
    enum Handoff: UInt8 {
        /// Nothing handed over (the entity was granted at once, or the pool does not track
        /// connections): take an idle connection, or open one.
        case none
        /// The releaser's open connection, without a pooler server connection bound to it.
        case connection
        /// The releaser's open connection, with a session-mode server connection bound to it.
        case connectionWithServer
        /// A token with no open connection: the releaser's open was refused.
        case tokenWithoutConnection
    }

    // MARK: Transactions

    /// A transaction's `begin`: gets a connection of `pool`, which the transaction keeps (with
    /// its pooler server connection) for its queries until it commits or rolls back.
    @_transparent
    mutating func runBeginTransaction(_ e: Int32, pool: Int32) -> Bool {
        let ei = Int(e)
        if !acquireConnection(e, pool: pool) { return false }
        entities[ei].transactionPool = pool
        entities[ei].transactionSlot = entities[ei].poolSlot
        entities[ei].transactionPoolerSlot = entities[ei].poolerSlot
        entities[ei].transactionBoundServer = entities[ei].boundServer
        entities[ei].boundServer = false
        entities[ei].poolSlot = -1
        entities[ei].poolerSlot = -1
        entities[ei].transactionWrites = 0
        step(e)
        return true
    }

    /// A transaction's `commit`: its writes become durable together, and its connection goes back.
    @_transparent
    mutating func runCommitTransaction(_ e: Int32) {
        let ei = Int(e)
        entities[Int(entities[ei].root)].committedWrites += entities[ei].transactionWrites
        if entities[ei].transactionWrites > 0 { entities[Int(entities[ei].root)].lastWriteSeconds = now }
        endTransaction(e)
        step(e)
    }

    // MARK: Connections

    /// Drives entity `e` through getting a connection of `pool` (and, through a pooler, a server
    /// connection). Returns true when the connection is ready, false when the entity waits (an
    /// event will resume it) or has failed.
    ///
    /// Phases: `.start` asks the pool; `.poolGranted` takes the token's connection (or opens
    /// one, with its setup time); `.poolConnectionOpen` asks the pooler for a server connection
    /// (skipped without a pooler, or in session mode with one bound); `.poolerGranted` opens the
    /// server connection at the database if it is new; `.connectionReady`. A transaction keeps
    /// what this acquired until it commits.
    mutating func acquireConnection(_ e: Int32, pool: Int32) -> Bool {
        let ei = Int(e)
        let p = Int(pool)
        // One pass, each phase falling through to the next when it need not wait: the usual
        // acquisition (granted at once, no pooler) runs straight from `.start` to ready
        // without going round the switch's indirect jump once per phase.
        switch entities[ei].state {
        case .start:
            let slot = poolSlot(pool: pool, instance: entities[ei].instance)
            entities[ei].poolSlot = slot
            entities[ei].state = .poolGranted
            entities[ei].waitStartSeconds = now
            if case .waiting(let ticket) = pools.tokens[Int(slot)].acquire(e, atSeconds: now) {
                entities[ei].queuedOn = .pool
                entities[ei].queueTicket = ticket
                if let varying = pools.acquireTimeoutVarying[p] {
                    schedule(.varyingAcquireTimeout, e, tag: ticket,
                             at: now + max(0, varying.sample(pools.acquireTimeoutStreams[p]!)))
                } else if let timeout = pools.acquireTimeout[p] {
                    schedule(.acquireTimeout, slot, tag: UInt64(UInt32(bitPattern: e)) << 40 | ticket, at: now + timeout,
                             lane: poolTimeoutLane[p])
                }
                return false
            }
            fallthrough
        case .poolGranted:
            entities[ei].queuedOn = .nothing
            let slot = Int(entities[ei].poolSlot)
            pools.waits[p].record(seconds: now - entities[ei].waitStartSeconds)
            pools.totalInUse[p].add(1, atSeconds: now)
            // Which connection does the token come with? A tracked pool knows: one handed
            // over by its releaser, else the most recently released idle one, else none (open
            // one). Otherwise connections are counted: a token beyond the open count opens one.
            var mustOpen = pools.tokens[slot].heldCount > pools.open[slot]
            if pools.tracksConnections[p] {
                let handoff = entities[ei].handoff
                entities[ei].handoff = .none
                if handoff == .connection || handoff == .connectionWithServer {
                    entities[ei].boundServer = handoff == .connectionWithServer
                    mustOpen = false
                } else if handoff == .none, let idle = pools.idle[slot].popLast() {
                    entities[ei].boundServer = idle.hasServer
                    mustOpen = false
                } else {
                    entities[ei].boundServer = false
                    mustOpen = true
                }
            }
            if mustOpen {
                // The pool opens a new connection: to the pooler, or to the database.
                let pooler = pools.poolerOf[p]
                if pooler >= 0 {
                    guard poolers.clientConnections[Int(pooler)] < poolers.maxClientConnections[Int(pooler)] else {
                        pools.refused[p] += 1
                        releaseTokenWithoutConnection(e)
                        fail(e, .errorConnectionRefused)
                        return false
                    }
                    poolers.clientConnections[Int(pooler)] += 1
                    entities[ei].openedPoolConnection = true
                } else {
                    guard openDatabaseConnection() else {
                        pools.refused[p] += 1
                        releaseTokenWithoutConnection(e)
                        fail(e, .errorConnectionRefused)
                        return false
                    }
                }
                pools.open[slot] += 1
                pools.openTotal[p].add(1, atSeconds: now)
                pools.opened[p] += 1
                if let setup = pools.connectionSetup[p] {
                    entities[ei].state = .poolConnectionOpen
                    schedule(.delayEnd, e, at: now + setup.sample(setupStream))
                    return false
                }
            }
            entities[ei].state = .poolConnectionOpen
            fallthrough
        case .poolConnectionOpen:
            let pooler = pools.poolerOf[p]
            guard pooler >= 0 else { entities[ei].state = .connectionReady; return true }
            // Session mode: the client connection keeps its server connection while open.
            if poolers.sessionMode[Int(pooler)] && entities[ei].boundServer {
                if hosts.poolerHasCPU[Int(pooler)] { return runPoolerCPU(e, pooler: Int(pooler)) }
                entities[ei].state = .connectionReady
                return true
            }
            entities[ei].poolerSlot = pooler
            entities[ei].state = .poolerGranted
            entities[ei].waitStartSeconds = now
            if case .waiting(let ticket) = poolers.tokens[Int(pooler)].acquire(e, atSeconds: now) {
                entities[ei].queuedOn = .pooler
                entities[ei].queueTicket = ticket
                if let timeout = poolers.waitTimeout[Int(pooler)] {
                    schedule(.poolerTimeout, pooler, tag: UInt64(UInt32(bitPattern: e)) << 40 | ticket, at: now + timeout,
                             lane: poolerTimeoutLane[Int(pooler)])
                }
                return false
            }
            fallthrough
        case .poolerGranted:
            // Pooler server connection held; open it at the database if it is new.
            entities[ei].queuedOn = .nothing
            let pooler = Int(entities[ei].poolerSlot)
            poolers.waits[pooler].record(seconds: now - entities[ei].waitStartSeconds)
            if poolers.tokens[pooler].heldCount > poolers.open[pooler] {
                guard openDatabaseConnection() else {
                    pools.refused[p] += 1
                    releaseConnection(e)
                    fail(e, .errorConnectionRefused)
                    return false
                }
                poolers.open[pooler] += 1
            }
            if poolers.sessionMode[pooler] {
                // The server connection now belongs to the client connection, not the query:
                // it is given back when the pool closes that connection.
                entities[ei].boundServer = true
                entities[ei].poolerSlot = -1
            }
            if hosts.poolerHasCPU[pooler] { return runPoolerCPU(e, pooler: pooler) }
            entities[ei].state = .connectionReady
            return true
        case .waitingForPoolerThread, .atPoolerThread:
            return runPoolerCPU(e, pooler: Int(pools.poolerOf[p]))
        default:
            // `.connectionReady`, or past it (a query back from its round trip).
            return true
        }
    }

    mutating func openDatabaseConnection() -> Bool {
        guard Int(database.openConnections.value) < database.maxConnections else {
            database.refusedConnections += 1
            return false
        }
        database.openConnections.add(1, atSeconds: now)
        return true
    }

    /// Returns the connection (and pooler server connection) entity `e` holds for a query.
    @inline(__always)
    mutating func releaseConnection(_ e: Int32) {
        let ei = Int(e)
        if entities[ei].poolerSlot >= 0 {
            releasePooler(entities[ei].poolerSlot)
            entities[ei].poolerSlot = -1
        }
        if entities[ei].poolSlot >= 0 {
            releasePool(entities[ei].poolSlot, handoff: entities[ei].boundServer ? .connectionWithServer : .connection)
            entities[ei].poolSlot = -1
            entities[ei].boundServer = false
        }
    }

    /// Gives back a pool token whose connection could not be opened (the database or the
    /// pooler refused it): a waiter who gets the token must open a connection itself.
    mutating func releaseTokenWithoutConnection(_ e: Int32) {
        let ei = Int(e)
        guard entities[ei].poolSlot >= 0 else { return }
        releasePool(entities[ei].poolSlot, handoff: .tokenWithoutConnection)
        entities[ei].poolSlot = -1
        entities[ei].boundServer = false
    }

    /// Returns a pool token with its connection (`handoff` as in `Entity.handoff`): to the
    /// oldest waiter, or, in a tracked pool, to the slot's idle connections.
    @inline(__always)
    mutating func releasePool(_ slot: Int32, handoff: Handoff) {
        let p = pool(ofSlot: Int(slot))
        pools.totalInUse[p].add(-1, atSeconds: now)
        if let next = pools.tokens[Int(slot)].release(atSeconds: now) {
            entities[Int(next)].handoff = handoff
            schedule(.resume, next, at: now)
        } else if pools.tracksConnections[p] && handoff != .tokenWithoutConnection {
            pools.idle[Int(slot)].append(IdleConnection(sinceSeconds: now, hasServer: handoff == .connectionWithServer))
            armIdleReaper(slot: Int(slot))
        }
    }

    /// Schedules slot `slot`'s reaper for its oldest idle connection, unless one is pending or
    /// the slot is at its `min_idle`.
    @inline(__always)
    mutating func armIdleReaper(slot: Int) {
        let p = pool(ofSlot: slot)
        let timeout = pools.idleTimeout[p]
        guard timeout.isFinite, !pools.idleReaperArmed[slot], pools.open[slot] > pools.minIdle[p],
              !pools.idle[slot].isEmpty else { return }
        let oldest = pools.idle[slot].first
        pools.idleReaperArmed[slot] = true
        schedule(.idleReap, Int32(slot), at: max(now, oldest.sinceSeconds + timeout))
    }

    /// Closes slot `slot`'s connections idle for `idle_timeout` (oldest first, down to `min_idle`),
    /// then re-arms for the next. Closing frees the connection at the database (or the pooler's
    /// client connection, and in session mode its server connection, which may go to a waiter).
    mutating func reapIdleConnections(slot: Int) {
        pools.idleReaperArmed[slot] = false
        let p = pool(ofSlot: slot)
        let timeout = pools.idleTimeout[p]
        while pools.open[slot] > pools.minIdle[p], !pools.idle[slot].isEmpty,
              pools.idle[slot].first.sinceSeconds + timeout <= now {
            let oldest = pools.idle[slot].removeFirst()
            pools.open[slot] -= 1
            pools.openTotal[p].add(-1, atSeconds: now)
            pools.idleClosed[p] += 1
            let pooler = pools.poolerOf[p]
            if pooler >= 0 {
                poolers.clientConnections[Int(pooler)] -= 1
                if oldest.hasServer { releasePooler(pooler) }
            } else {
                database.openConnections.add(-1, atSeconds: now)
            }
        }
        armIdleReaper(slot: slot)
    }

    mutating func releasePooler(_ pooler: Int32) {
        if let next = poolers.tokens[Int(pooler)].release(atSeconds: now) { schedule(.resume, next, at: now) }
    }

    mutating func endTransaction(_ e: Int32) {
        let ei = Int(e)
        guard entities[ei].transactionPool >= 0 else { return }
        if entities[ei].transactionPoolerSlot >= 0 { releasePooler(entities[ei].transactionPoolerSlot) }
        releasePool(entities[ei].transactionSlot, handoff: entities[ei].transactionBoundServer ? .connectionWithServer : .connection)
        entities[ei].transactionBoundServer = false
        entities[ei].transactionPool = -1
        entities[ei].transactionSlot = -1
        entities[ei].transactionPoolerSlot = -1
        entities[ei].transactionWrites = 0
    }

    /// A varying acquire timeout fired: the entity gives up if it still waits for the same
    /// connection (the heap keeps only the ticket's low 32 bits; a pool's tickets only grow).
    mutating func varyingAcquireTimedOut(entity e: Int32, ticketLowBits: UInt32) {
        let ei = Int(e)
        guard entities[ei].live, entities[ei].queuedOn == .pool,
              UInt32(truncatingIfNeeded: entities[ei].queueTicket) == ticketLowBits else { return }
        acquireTimedOut(entity: e, slot: entities[ei].poolSlot, ticket: entities[ei].queueTicket, pooler: false)
    }

    mutating func acquireTimedOut(entity e: Int32, slot: Int32, ticket: UInt64, pooler: Bool) {
        if pooler {
            guard poolers.tokens[Int(slot)].abandon(ticket: ticket, atSeconds: now) else { return }
            poolers.timeouts[Int(slot)] += 1
            // The client connection of the pool is still held.
            entities[Int(e)].poolerSlot = -1
            entities[Int(e)].queuedOn = .nothing
            releaseConnection(e)
        } else {
            guard pools.tokens[Int(slot)].abandon(ticket: ticket, atSeconds: now) else { return }
            pools.timeouts[pool(ofSlot: Int(slot))] += 1
            entities[Int(e)].poolSlot = -1
            entities[Int(e)].queuedOn = .nothing
        }
        fail(e, pooler ? .errorPoolerWaitTimeout : .errorPoolAcquireTimeout)
    }
}
