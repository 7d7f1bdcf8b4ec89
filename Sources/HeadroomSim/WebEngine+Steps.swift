// The step interpreter: an entity (a request's root, a parallel branch, or a job) runs the
// compiled program step by step from its program counter until it blocks or ends. Control flow
// (jumps, repeats, fork/join, ends) lives here; each component's steps are run by a method in
// that component's file (`runCPU`, `runQuery`, `runCacheLookup`, ...). Entities are recycled
// through a free list; `terminate` gives back what an ending entity holds and tells its parent,
// its client or its job queue.

import HeadroomKernel
import HeadroomModel

extension WebEngine {
    // MARK: Entities

    @inline(__always)
    mutating func newEntity() -> Int32 {
        let e: Int32
        if let free = freeEntities.popLast() {
            e = free
        } else {
            entities.append(Entity())
            for _ in 0..<slotsPerEntity { slotValues.append(0) }
            e = Int32(entities.count - 1)
        }
        entities[Int(e)] = Entity()
        entities[Int(e)].live = true
        return e
    }

    // Index helpers read only plain arrays and are forced inline: a non-mutating method on this
    // large struct called from a mutating one was measured to copy the whole engine per call
    // (36% of `headroom run`'s time, bench/PROFILE.md).
    @inline(__always)
    func slotIndex(_ e: Int32, _ slot: Int32) -> Int { Int(e) * slotsPerEntity + Int(slot) }

    /// Whether entity `e` must stop at this step boundary (its attempt was cancelled or its
    /// instance died).
    func mustStop(_ e: Int32) -> Bool {
        let entity = entities[Int(e)]
        if entity.job >= 0 { return false }
        if !instanceAlive[Int(entity.instance)] { return true }
        return entity.attempt >= 0 && attempts[Int(entity.attempt)].cancelled
    }

    /// Where an entity is within its current step. Every step begins at `.start` (`step`
    /// resets it); a step that has to wait records how far it got and, when the event it waits
    /// for fires, carries on from there. Each step kind uses its own cases.
    enum StepState: UInt8 {
        /// The step has not begun (or begins again): the entity may stop here if its attempt
        /// was cancelled or its instance died.
        case start
        // cpu (WebEngine+Instances)
        /// Queued for one of its instance's workers; resumed by the releaser, with the worker.
        case waitingForWorker
        /// Computing, holding a worker (a job holds its job worker for its whole run).
        case computing
        // sleep, call (WebEngine+Calls)
        /// Sleeping, or waiting for an external call that answers within its timeout.
        case delayed
        /// The external call outlasts its timeout: abandoned, failed, at the timeout.
        case callTimedOut
        // Getting a connection, for a query or a transaction (WebEngine+Connections)
        /// Asked the pool: the token is granted (at once, or when a releaser resumes the
        /// waiter); the connection that comes with it is taken, or opened.
        case poolGranted
        /// The pool connection is open (after its setup time, if any); next, a server
        /// connection from the pooler, if the pool goes through one.
        case poolConnectionOpen
        /// Asked the pooler: the server connection is granted; it is opened at the database
        /// if it is new.
        case poolerGranted
        /// The connection is ready for the query.
        case connectionReady
        /// Queued for its pooler's one thread (its CPU per transaction, WebEngine+Hosts).
        case waitingForPoolerThread
        /// The pooler's thread works for this transaction (on the pooler's host or core).
        case atPoolerThread
        // query (WebEngine+Database)
        /// The query is on the network between the app and the database (its round trip),
        /// holding its connection but no database core.
        case onTheWire
        /// The query is executing at a database node.
        case atDatabase
        // cache lookup (WebEngine+Caches)
        /// The lookup's own time has passed (or a failed single-flight fill woke the entity):
        /// look the key up now.
        case lookupDue
        /// A miss coalesced onto another entity's single-flight fill of the same key.
        case waitingForFill
        /// Woken by a successful single-flight fill: served as a hit.
        case servedByFill
        /// Queued for a connection of the instance's client pool to the cache's server
        /// (`server.connections`); resumed by the releaser, with it.
        case waitingForCacheConnection
        /// Queued for the cache's server (`server:`); resumed by the releaser, with it.
        case waitingForCacheServer
        /// The lookup or fill runs at the cache's server.
        case atCacheServer
        // http (WebEngine+Upstreams)
        /// Queued for a connection of the instance's client pool to the upstream; resumed by
        /// the releaser, with it.
        case waitingForUpstreamConnection
        /// The call crosses the wire (its round trip), holding its connection.
        case onUpstreamWire
        /// Queued for one of the upstream's servers; resumed by the releaser, with it.
        case waitingForUpstream
        /// Served at the upstream.
        case atUpstream
        /// The client's timeout came first: the call fails when it fires.
        case upstreamTimedOut
        // parallel (below)
        /// Waiting for the branches it forked to end.
        case waitingForBranches
    }

    /// Runs entity `e` from its program counter until it blocks (an event is scheduled for it)
    /// or ends. Each component's step runs in a `run...` method in the component's file, which
    /// returns true when the entity goes on at once (it has moved the program counter), false
    /// when it waits for an event or has ended.
    ///
    /// The `run...` methods are `@_transparent`, so this loop compiles as if their bodies were
    /// written in it: with `@inline(__always)` the optimizer stopped inlining once this function
    /// had grown large and left `runCacheLookup` out of line, a call per lookup that cost 2.3 %
    /// more instructions on seed tailors-before (callgrind, 3.29G vs 3.21G before the split).
    mutating func advance(_ e: Int32) {
        let ei = Int(e)
        while true {
            if entities[ei].state == .start && mustStop(e) { terminate(e, failed: true); return }
            let op = ops[Int(entities[ei].pc)]
            switch op {
            case .cpu(let d):
                guard runCPU(e, time: d) else { return }
            case .sleep(let d):
                guard runSleep(e, time: d) else { return }
            case .call(let d, let failure, let timeout):
                guard runCall(e, latency: d, failureProbability: failure, timeoutSeconds: timeout) else { return }
            case .query(let pool, let isWrite, let d, let failure, let invalidations, let roundTrip, let atPrimary):
                guard runQuery(e, pool: pool, isWrite: isWrite, time: d, failureProbability: failure,
                               invalidations: invalidations, roundTrip: roundTrip, readFromPrimary: atPrimary) else { return }
            case .beginTransaction(let pool):
                guard runBeginTransaction(e, pool: pool) else { return }
            case .commitTransaction:
                runCommitTransaction(e)
            case .cacheLookup(let cache, let slot, let missTarget):
                guard runCacheLookup(e, cache: cache, slot: slot, missTarget: missTarget) else { return }
            case .cacheFill(let cache, let slot):
                guard runCacheFill(e, cache: cache, slot: slot) else { return }
            case .jump(let target):
                entities[ei].pc = target
            case .repeatBegin(let count, let slot, let exitTarget):
                let n = counts[Int(count)].sample(countStreams[Int(count)])
                if n <= 0 {
                    entities[ei].pc = exitTarget
                } else {
                    slotValues[slotIndex(e, slot)] = Int32(n)
                    step(e)
                }
            case .repeatEnd(let slot, let bodyStart):
                let i = slotIndex(e, slot)
                slotValues[i] -= 1
                if slotValues[i] > 0 { entities[ei].pc = bodyStart } else { step(e) }
            case .fork(let first, let count):
                guard runFork(e, firstBranch: first, count: count) else { return }
            case .branchEnd, .end:
                terminate(e, failed: false)
                return
            case .enqueue(let queue):
                enqueueJob(queue)
                step(e)
            case .http(let upstream):
                guard runHTTP(e, upstream: upstream) else { return }
            }
        }
    }

    /// Moves to the next instruction.
    mutating func step(_ e: Int32) {
        entities[Int(e)].pc += 1
        entities[Int(e)].state = .start
    }

    /// A `parallel` step: starts one child entity per branch, waits for all of them to end, and
    /// fails if any of them failed.
    @_transparent
    mutating func runFork(_ e: Int32, firstBranch first: Int32, count: Int32) -> Bool {
        let ei = Int(e)
        if entities[ei].state == .start {
            entities[ei].state = .waitingForBranches
            entities[ei].pendingChildren = count
            for b in 0..<Int(count) {
                let child = newEntity()
                let ci = Int(child)
                entities[ci].attempt = entities[ei].attempt
                entities[ci].root = entities[ei].root
                entities[ci].parent = e
                entities[ci].instance = entities[ei].instance
                entities[ci].job = entities[ei].job
                entities[ci].pc = programs.branchStarts[Int(first) + b]
                schedule(.resume, child, at: now)
            }
            return false
        }
        // All branches are done.
        if entities[ei].failed { terminate(e, failed: true); return false }
        step(e)
        return true
    }

    // MARK: Ending

    /// Entity `e` ends, successfully or not: it gives back what it holds, tells its parent, its
    /// client or its job queue, and counts orphaned writes.
    mutating func terminate(_ e: Int32, failed: Bool) {
        let ei = Int(e)
        // A transaction still open rolls back: its writes never happened.
        if entities[ei].transactionPool >= 0 { endTransaction(e) }
        releaseConnection(e)
        if entities[ei].fillingCache >= 0 { finishFill(e, wakeAs: .lookupDue) }
        let failedNow = failed || entities[ei].failed
        let parent = entities[ei].parent
        let root = entities[ei].root
        if parent >= 0 {
            let pi = Int(parent)
            if failedNow { entities[pi].failed = true }
            entities[pi].pendingChildren -= 1
            if entities[pi].pendingChildren == 0 { schedule(.resume, parent, at: now) }
        } else if entities[ei].job >= 0 {
            let q = Int(entities[ei].job)
            if failedNow {
                jobQueues.failed[q] += 1
                if entities[ei].committedWrites > 0 { orphanedWrites += 1 }
            } else {
                jobQueues.completed[q] += 1
                jobQueues.latency[q].record(seconds: now - entities[ei].startSeconds)
            }
            if let next = jobQueues.workers[q].release(atSeconds: now) { schedule(.resume, next, at: now) }
        } else {
            let a = entities[ei].attempt
            let ai = Int(a)
            if failedNow && entities[Int(root)].committedWrites > 0 { orphanedWrites += 1 }
            attempts[ai].serverRunning = false
            inFlight[Int(entities[ei].instance)] -= 1
            if entities[ei].holdsThread { releaseThread(of: e) }
            if attempts[ai].clientWaiting && instanceAlive[Int(entities[ei].instance)] {
                finishClient(a, failedNow ? .error : .success)
            }
            releaseAttemptIfDone(a)
        }
        entities[ei].live = false
        freeEntities.append(e)
    }
}
