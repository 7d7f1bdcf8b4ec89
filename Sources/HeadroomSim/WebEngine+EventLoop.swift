// The event loop: the events the engine schedules, the calendar's heap and the lanes beside it
// (now, one per timeout duration, one per database node), the loop that picks the next event
// by (time, sequence), and the dispatch of each event kind to the component that handles it.

import HeadroomKernel
import HeadroomModel

extension WebEngine {
    // MARK: Events

    enum EventKind: UInt8 {
        case openArrival, thinkEnd, startAttempt, clientTimeout, resume, delayEnd, databaseDone
        case acquireTimeout, poolerTimeout, instanceDies, instanceLeavesRotation, warmup, timelineTick
        /// Tells `progress` how far the replication has got (WebEngine+Statistics).
        case progressTick
        /// A pool slot's idle-connection reaper (one pending per slot at most).
        case idleReap
        /// A varying acquire timeout (drawn per wait, so in the heap, not a lane): the target is
        /// the waiting entity, the tag its queue ticket's low 32 bits.
        case varyingAcquireTimeout
        /// A command's wait for a connection of its cache's client pool ran out: the target is
        /// the waiting entity, the tag its queue ticket's low 32 bits (WebEngine+Caches).
        case cacheConnectionTimeout
        /// A call's wait for a client connection to its upstream ran out, or the client's
        /// timeout fired while the call was queued at the upstream: the target is the waiting
        /// entity, the tag its queue ticket's low 32 bits (WebEngine+Upstreams).
        case upstreamAcquireTimeout, upstreamTimeout
        /// An upstream finished a call whose client had given up: the target is the upstream.
        case upstreamServerDone
        /// A host's next thread may be done: the target is the host, the tag its station's
        /// generation (stale when it moved on). A CPU-limited instance's group has something
        /// due (a thread done, its quota spent, its period over): the target is the instance.
        /// The client's own work for an attempt (not on a host) is done: the target is the
        /// attempt (WebEngine+Hosts).
        case hostDone, limitedGroupDue, clientWorkDone
    }

    struct Event {
        var kind: EventKind
        var target: Int32
        var tag: UInt64
    }

    // Where pending events wait. Events fire in order of time, then of scheduling (a sequence
    // number the engine assigns), exactly as if they all were in the calendar; but most of
    // them are scheduled in an order their times already follow, and those skip the heap:
    //
    // - an event for `now` (a waiter resumed, a branch started) joins `nowLane`. Every event
    //   already pending for `now` was scheduled before it, so this lane fires last among
    //   events at `now`, first in first out;
    // - a timeout (client, pool acquire, pooler wait) fires a constant time after it is
    //   scheduled, so the timeouts of one duration come due in scheduling order: one lane per
    //   distinct duration. Most are stale when they fire (the wait ended first); in the heap
    //   they were most of its entries (30,000 of 33,000 in tailors-before), making every push
    //   and pop deeper;
    // - a database node's next completion has a slot of its own (`databaseNext`) holding at
    //   most that one event: a query arriving or leaving moves the completion, and the event
    //   it replaces is dropped at once instead of staying in the heap to be popped and ignored
    //   (counted in `eventsProcessed` as the heap would have, if due within the horizon). It
    //   was a lane once; as a slot, replacing it does not make the loop scan the lanes again
    //   (the scan was a quarter of the loop's time on seed 002's pool model, perf);
    // - everything else goes to the calendar's heap, which orders it by time and then by
    //   its own insertion order, the same order as the engine's sequence.
    //
    // The next event is the earliest lane head, database completion or heap top by (time,
    // sequence). When a heap event and a lane head or database completion have exactly the
    // same time, the heap's events at that time move to `lanes[0]` with their sequence
    // numbers, so the tie is broken by scheduling order as before. The same events therefore
    // run in the same order as with one heap.

    /// A calendar entry's payload: the engine's sequence number and the kind in one word, the
    /// tag cut to 32 bits (heap events carry a database node's generation, or a retry's
    /// attempt serial, only checked for equality), so an entry stays 32 bytes.
    struct HeapEvent {
        var sequenceAndKind: UInt64
        var target: Int32
        var tag: UInt32
    }

    /// An event in a lane, with its time and sequence number.
    struct LaneEvent {
        var timeSeconds: Double
        var sequence: UInt64
        var event: Event

        /// No event (an empty database slot): every event precedes it.
        static let none = LaneEvent(timeSeconds: .infinity, sequence: .max, event: Event(kind: .databaseDone, target: -1, tag: 0))
        var isNone: Bool { timeSeconds == .infinity }
    }

    // MARK: Running

    mutating func run() -> SystemRunResult {
        scheduleWorkload()
        for failure in model.instances.failures where failure.instance < instanceCount {
            schedule(.instanceDies, Int32(failure.instance), at: failure.atSeconds)
        }
        if warmupSeconds > 0 {
            schedule(.warmup, 0, at: warmupSeconds)
        }
        if let interval = timelineInterval, interval > 0 {
            schedule(.timelineTick, 0, at: interval)
        }
        if progress != nil && horizonSeconds > 0 {
            schedule(.progressTick, 0, at: horizonSeconds / Double(WebEngine.progressTicks))
        }
        while true {
            // The earliest lane head, by time and then sequence.
            if earliestLaneStale { findEarliestLane() }
            let lane = earliestLane
            // The earliest of it and the database nodes' next completions.
            var laneTime = earliestLaneTime
            let node = earliestDatabaseNode
            var fromDatabase = false
            if node >= 0 {
                let completion = databaseNext[node]
                if completion.timeSeconds < laneTime
                    || (completion.timeSeconds == laneTime && completion.sequence < earliestLaneSequence) {
                    laneTime = completion.timeSeconds
                    fromDatabase = true
                }
            }
            let heapTime = calendar.nextTimeSeconds ?? .infinity
            if (lane >= 0 || fromDatabase) && heapTime == laneTime {
                // A tie between the heap and a lane or a database node: the heap's events at
                // this time join lane 0 (the heap yields them in scheduling order) and the
                // choice is made again.
                while calendar.nextTimeSeconds == laneTime, let entry = calendar.popNext() {
                    appendToLane(0, LaneEvent(timeSeconds: entry.timeSeconds, sequence: entry.payload.sequenceAndKind >> 8,
                                              event: WebEngine.event(entry.payload)))
                }
                continue
            }
            let event: Event
            if !nowLane.isEmpty && min(heapTime, laneTime) > now {
                event = nowLane.removeFirst()
            } else if laneTime < heapTime {
                if laneTime > horizonSeconds { break }
                now = laneTime
                if fromDatabase {
                    event = databaseNext[node].event
                    databaseNext[node] = .none
                    findEarliestDatabaseNode()
                } else {
                    event = removeFirstOfLane(lane).event
                }
            } else {
                guard let entry = calendar.popNext(), entry.timeSeconds <= horizonSeconds else { break }
                now = entry.timeSeconds
                event = WebEngine.event(entry.payload)
            }
            eventsProcessed += 1
            handle(event)
        }
        now = horizonSeconds
        return result()
    }

    @inline(__always)
    static func event(_ payload: HeapEvent) -> Event {
        // The kind was stored from a `rawValue`, and a payload-free enum's cases are numbered
        // as its raw values: a bit cast, where `EventKind(rawValue:)!` calls out to a switch.
        let raw = UInt8(truncatingIfNeeded: payload.sequenceAndKind)
        assert(EventKind(rawValue: raw) != nil)
        return Event(kind: unsafeBitCast(raw, to: EventKind.self), target: payload.target, tag: UInt64(payload.tag))
    }

    /// Schedules an event at `time`: in the now lane if `time` is now, else in the heap.
    mutating func schedule(_ kind: EventKind, _ target: Int32, tag: UInt64 = 0, at time: Double) {
        let sequence = nextSequence
        nextSequence &+= 1
        if time == now {
            nowLane.append(Event(kind: kind, target: target, tag: tag))
            return
        }
        calendar.schedule(HeapEvent(sequenceAndKind: sequence << 8 | UInt64(kind.rawValue), target: target,
                                    tag: UInt32(truncatingIfNeeded: tag)), atSeconds: time)
    }

    /// Schedules an event in `lane`, whose events come due in scheduling order (a timeout's
    /// lane: a constant time after scheduling).
    mutating func schedule(_ kind: EventKind, _ target: Int32, tag: UInt64, at time: Double, lane: Int) {
        let sequence = nextSequence
        nextSequence &+= 1
        if time == now {
            nowLane.append(Event(kind: kind, target: target, tag: tag))
            return
        }
        assert(lanes[lane].isEmpty || lanes[lane].last.timeSeconds <= time, "a lane's times must not decrease")
        appendToLane(lane, LaneEvent(timeSeconds: time, sequence: sequence, event: Event(kind: kind, target: target, tag: tag)))
    }

    @inline(__always)
    mutating func appendToLane(_ l: Int, _ event: LaneEvent) {
        let wasEmpty = lanes[l].isEmpty
        lanes[l].append(event)
        // Joining a non-empty lane leaves its head as it was; a stale pick will scan anyway.
        if wasEmpty && !earliestLaneStale
            && (event.timeSeconds < earliestLaneTime
                || (event.timeSeconds == earliestLaneTime && event.sequence < earliestLaneSequence)) {
            earliestLane = l
            earliestLaneTime = event.timeSeconds
            earliestLaneSequence = event.sequence
        }
    }

    @inline(__always)
    mutating func removeFirstOfLane(_ l: Int) -> LaneEvent {
        if l == earliestLane { earliestLaneStale = true }
        return lanes[l].removeFirst()
    }

    /// Scans the lanes for the earliest head, by time and then sequence.
    mutating func findEarliestLane() {
        var lane = -1
        var laneTime = Double.infinity
        var laneSequence = UInt64.max
        for l in 0..<lanes.count where !lanes[l].isEmpty {
            let head = lanes[l].first
            if head.timeSeconds < laneTime || (head.timeSeconds == laneTime && head.sequence < laneSequence) {
                lane = l
                laneTime = head.timeSeconds
                laneSequence = head.sequence
            }
        }
        earliestLane = lane
        earliestLaneTime = laneTime
        earliestLaneSequence = laneSequence
        earliestLaneStale = false
    }

    /// Finds the database node whose next completion comes first, by time and then sequence.
    /// With one node (no replicas, the usual case) that is its slot, without a loop: this runs
    /// after every query's arrival and completion, and is inlined there; the scan over
    /// replicas is not.
    @inline(__always)
    mutating func findEarliestDatabaseNode() {
        if databaseNext.count == 1 {
            earliestDatabaseNode = databaseNext[0].isNone ? -1 : 0
        } else {
            scanDatabaseNodes()
        }
    }

    /// The earliest completion among several nodes (a primary and its replicas).
    @inline(never)
    mutating func scanDatabaseNodes() {
        var node = -1
        var nodeTime = Double.infinity
        var nodeSequence = UInt64.max
        for n in 0..<databaseNext.count {
            let completion = databaseNext[n]
            if completion.timeSeconds < nodeTime || (completion.timeSeconds == nodeTime && completion.sequence < nodeSequence) {
                node = n
                nodeTime = completion.timeSeconds
                nodeSequence = completion.sequence
            }
        }
        earliestDatabaseNode = node
    }

    @inline(__always)
    mutating func handle(_ event: Event) {
        switch event.kind {
        case .openArrival: openArrival()
        case .thinkEnd: startNewRequest(closedUser: event.target)
        case .startAttempt:
            let a = Int(event.target)
            // The heap keeps the serial's low 32 bits.
            if UInt32(truncatingIfNeeded: attempts[a].serial) == UInt32(truncatingIfNeeded: event.tag) { startAttempt(event.target) }
        case .clientTimeout: clientTimeout(event.target, serial: event.tag)
        case .resume: advance(event.target)
        case .delayEnd: advance(event.target)
        case .databaseDone: databaseDone(node: Int(event.target), generation: event.tag)
        case .idleReap: reapIdleConnections(slot: Int(event.target))
        case .acquireTimeout: acquireTimedOut(entity: Int32(truncatingIfNeeded: event.tag >> 40), slot: event.target,
                                              ticket: event.tag & 0xFF_FFFF_FFFF, pooler: false)
        case .poolerTimeout: acquireTimedOut(entity: Int32(truncatingIfNeeded: event.tag >> 40), slot: event.target,
                                             ticket: event.tag & 0xFF_FFFF_FFFF, pooler: true)
        case .varyingAcquireTimeout: varyingAcquireTimedOut(entity: event.target, ticketLowBits: UInt32(truncatingIfNeeded: event.tag))
        case .cacheConnectionTimeout: cacheConnectionTimedOut(entity: event.target, ticketLowBits: UInt32(truncatingIfNeeded: event.tag))
        case .upstreamAcquireTimeout: upstreamAcquireTimedOut(entity: event.target, ticketLowBits: UInt32(truncatingIfNeeded: event.tag))
        case .upstreamTimeout: upstreamTimedOutInQueue(entity: event.target, ticketLowBits: UInt32(truncatingIfNeeded: event.tag))
        case .upstreamServerDone: releaseUpstreamServer(Int(event.target))
        case .hostDone: hostDone(host: Int(event.target), generation: event.tag)
        case .limitedGroupDue: limitedGroupDue(instance: Int(event.target), generation: event.tag)
        case .clientWorkDone: clientWorkDone(event.target)
        case .instanceDies: instanceDies(Int(event.target))
        case .instanceLeavesRotation:
            if inRotation[Int(event.target)] { instancesInRotation -= 1 }
            inRotation[Int(event.target)] = false
        case .warmup: restartStatistics()
        case .timelineTick: timelineTick()
        case .progressTick: progressTick()
        }
    }
}
