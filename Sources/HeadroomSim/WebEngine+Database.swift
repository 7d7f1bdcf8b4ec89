// The database: nodes (the primary, then replicas) that share their cores among the queries
// present (processor sharing, slowed by contention and coherency beyond a few queries per core:
// the kernel's ProcessorSharingStation), the routing of reads to replicas, and the lane holding
// each node's next completion.

import HeadroomKernel
import HeadroomModel

extension WebEngine {
    /// A `query` step: gets a connection of `pool` (or uses the open transaction's), crosses
    /// the network if the pool has a round trip, executes at a database node (a write at the
    /// primary, a read where `read_routing` sends it), then gives the connection back (unless
    /// in a transaction), fails with the query's probability, counts a write and invalidates
    /// the caches it names.
    @_transparent
    mutating func runQuery(_ e: Int32, pool: Int32, isWrite: Bool, time d: Int32, failureProbability failure: Double,
                           invalidations: Int32, roundTrip: Int32, readFromPrimary: Bool) -> Bool {
        let ei = Int(e)
        if entities[ei].state != .atDatabase {
            if entities[ei].state == .start && entities[ei].transactionPool == pool {
                entities[ei].state = .connectionReady
            } else if !acquireConnection(e, pool: pool) {
                return false
            }
            if roundTrip >= 0 && entities[ei].state != .onTheWire {
                // The network round trip holds the connection but no database core.
                entities[ei].state = .onTheWire
                schedule(.delayEnd, e, at: now + distributions[Int(roundTrip)].sample(serviceStreams[Int(roundTrip)]))
                return false
            }
            // Connection ready: execute at the database.
            entities[ei].state = .atDatabase
            // A transaction's queries run where its connection is, on the primary; so does a read
            // that says `read_from: primary`.
            let node = readFromPrimary || entities[ei].transactionPool >= 0 ? 0 : chooseDatabaseNode(isWrite: isWrite)
            if !isWrite && database.replicationLag != nil { checkStaleRead(e, node: node, readFromPrimary: readFromPrimary) }
            entities[ei].databaseNode = Int32(node)
            database.queries[node] += 1
            if node == 0 && hosts.primaryHost >= 0 {
                // The primary on a host: the query's backend is one of the host's threads.
                runWork(e, seconds: distributions[Int(d)].sample(serviceStreams[Int(d)]), host: hosts.primaryHost, tenant: .database)
                return false
            }
            database.nodes[node].arrive(e, workSeconds: distributions[Int(d)].sample(serviceStreams[Int(d)]), atSeconds: now)
            scheduleDatabaseCompletion(node)
            return false
        }
        // The query has finished at the database.
        let inTransaction = entities[ei].transactionPool == pool
        if !inTransaction { releaseConnection(e) }
        if failure > 0 && failureStream.uniform() < failure {
            database.failedQueries += 1
            fail(e, .errorQuery)
            return false
        }
        if isWrite {
            if inTransaction {
                entities[ei].transactionWrites += 1
            } else {
                entities[Int(entities[ei].root)].committedWrites += 1
                entities[Int(entities[ei].root)].lastWriteSeconds = now
            }
            if invalidations > 0 { invalidate(programs.invalidations[Int(invalidations)], instance: entities[ei].instance) }
        }
        step(e)
        return true
    }

    /// A node's next query is done: it leaves the node, whose next completion moves, and the
    /// query's entity carries on.
    @inline(__always)
    mutating func databaseDone(node: Int, generation: UInt64) {
        guard UInt64(database.nodes[node].generation) == generation else { return }
        let e = database.nodes[node].completeNext(atSeconds: now)
        scheduleDatabaseCompletion(node)
        advance(e)
    }

    /// A read starts at `node` after its request committed a write: with a replica's lag drawn
    /// for it, the read is stale at a replica when the write is younger than the lag; at the
    /// primary by `read_from: primary`, the same read on a replica would have been.
    mutating func checkStaleRead(_ e: Int32, node: Int, readFromPrimary: Bool) {
        let ei = Int(e)
        let last = entities[Int(entities[ei].root)].lastWriteSeconds
        guard last > -Double.infinity, node > 0 || readFromPrimary, entities[ei].transactionPool < 0,
              let lag = database.replicationLag, let stream = database.lagStream else { return }
        guard now - last < lag.sample(stream) else { return }
        if node > 0 { database.staleReads += 1 } else { database.staleReadsAvoided += 1 }
    }

    mutating func chooseDatabaseNode(isWrite: Bool) -> Int {
        guard !isWrite, let routing = database.replicaReadRouting else { return 0 }
        // The candidates: the replicas (nodes 1...), or with `read_from: all` the primary too.
        let first = database.firstReadNode
        let candidates = database.nodes.count - first
        switch routing {
        case .primary: return 0
        case .roundRobin:
            database.readRoundRobin += 1
            return first + database.readRoundRobin % candidates
        case .random: return first + min(candidates - 1, Int(routingStream.uniform() * Double(candidates)))
        case .leastBusy:
            var best = first
            for r in first..<database.nodes.count where database.nodes[r].count < database.nodes[best].count { best = r }
            return best
        }
    }

    /// Called whenever node `node`'s next completion may have moved: its pending completion
    /// event, if any, is stale (the generation moved on) and is replaced in the node's slot of
    /// `databaseNext` (or by an event in the now lane, if the completion is due now).
    @inline(__always)
    mutating func scheduleDatabaseCompletion(_ node: Int) {
        let pending = databaseNext[node]
        if !pending.isNone {
            // The stale event would have been popped and ignored before the horizon.
            if pending.timeSeconds <= horizonSeconds { eventsProcessed += 1 }
            databaseNext[node] = .none
        }
        if let t = WebEngine.nextCompletionSeconds(of: &database.nodes[node]) {
            let sequence = nextSequence
            nextSequence &+= 1
            let event = Event(kind: .databaseDone, target: Int32(node), tag: UInt64(database.nodes[node].generation))
            if t == now {
                nowLane.append(event)
            } else {
                databaseNext[node] = LaneEvent(timeSeconds: t, sequence: sequence, event: event)
            }
        }
        findEarliestDatabaseNode()
    }

    /// Reads a node's next completion through an exclusive (inout) access: read through the
    /// slab's borrow, the kernel's out-of-line getter was handed a copy of the whole station
    /// (a 136-byte memcpy per query arrival and departure).
    @inline(__always)
    static func nextCompletionSeconds(of station: inout ProcessorSharingStation) -> Double? {
        station.nextCompletionSeconds
    }
}
