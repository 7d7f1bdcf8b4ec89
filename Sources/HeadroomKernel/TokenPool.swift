import DequeModule

/// A pool of identical tokens (database connections, worker slots, servers) with a FIFO queue
/// of waiters who may give up.
///
/// This is the connection pool of node-postgres, Prisma or HikariCP reduced to its queueing
/// behaviour: `acquire` takes a free token or joins the back of the queue; `release` hands the
/// token straight to the oldest waiter still waiting; a waiter whose acquire timeout expires
/// gives up (reneges) and is counted. A c-server FCFS queue is the same structure, with
/// "holding a token" meaning "in service" (see ``MultiServerQueue``).
///
/// Giving up is O(1): every waiter gets a ticket, tickets are consecutive and waiters leave the
/// queue only from its head, so a ticket indexes its waiter directly. A waiter who gives up is
/// marked and skipped when the head reaches it (lazy deletion), and the live count is kept
/// separately, so the time-weighted queue length stays exact.
///
/// The pool does not know about time-outs or events: the caller schedules the patience event
/// with the ticket ``acquire(_:atSeconds:)`` returns and calls ``abandon(ticket:atSeconds:)``.
public struct TokenPool: Sendable {
    /// Outcome of an acquire attempt.
    public enum Acquisition: Equatable, Sendable {
        /// A token was free and is now held.
        case granted
        /// All tokens are held; the caller waits with this ticket.
        case waiting(ticket: UInt64)
    }

    @usableFromInline struct Waiter: Sendable {
        @usableFromInline var customer: Int32
        @usableFromInline var hasGivenUp: Bool
        @usableFromInline var sinceSeconds: Double
        @inlinable init(customer: Int32, hasGivenUp: Bool, sinceSeconds: Double) {
            self.customer = customer
            self.hasGivenUp = hasGivenUp
            self.sinceSeconds = sinceSeconds
        }
    }

    /// The number of tokens.
    public let size: Int
    @usableFromInline var held: Int = 0
    @usableFromInline var queue: Deque<Waiter> = []
    /// Ticket of `queue.first`.
    @usableFromInline var headTicket: UInt64 = 0
    @usableFromInline var liveWaiters: Int = 0

    /// Whether ``inUse`` and ``waitsOfGranted`` are kept. An owner that keeps its own tallies
    /// of the same things turns them off and saves two updates per grant and one per release
    /// (the web engine's connection pools: their in-use total spans the copies of a
    /// per-instance pool and their waits go to a histogram; about 1 % of `headroom run`'s
    /// instructions on the peer bench's models).
    public let keepsGrantStatistics: Bool
    /// Tokens held over time (utilization = mean / size); stays at zero when
    /// ``keepsGrantStatistics`` is off.
    public var inUse: TimeWeightedAverage
    /// Live waiters over time.
    public var waiting: TimeWeightedAverage
    /// Waits of those who got a token (zero for immediate grants), in seconds; empty when
    /// ``keepsGrantStatistics`` is off.
    public var waitsOfGranted = SummaryStatistics()
    /// Acquires granted, and waiters who gave up, since the last restart.
    public var grants: Int { grantCount }
    public var givenUp: Int { givenUpCount }
    @usableFromInline var grantCount = 0
    @usableFromInline var givenUpCount = 0

    public init(size: Int, startSeconds: Double = 0, keepsGrantStatistics: Bool = true) {
        precondition(size > 0, "a token pool needs at least one token")
        self.size = size
        self.keepsGrantStatistics = keepsGrantStatistics
        inUse = TimeWeightedAverage(atSeconds: startSeconds)
        waiting = TimeWeightedAverage(atSeconds: startSeconds)
    }

    /// Tokens currently held.
    @inlinable public var heldCount: Int { held }
    /// Waiters currently waiting (not counting those who gave up).
    @inlinable public var waitingCount: Int { liveWaiters }

    /// Takes a token for `customer`, or queues it.
    /// - Complexity: O(1) amortized.
    @inlinable
    public mutating func acquire(_ customer: Int32, atSeconds now: Double) -> Acquisition {
        if held < size && liveWaiters == 0 {
            held += 1
            grantCount += 1
            if keepsGrantStatistics {
                inUse.update(to: Double(held), atSeconds: now)
                waitsOfGranted.record(0)
            }
            return .granted
        }
        let ticket = headTicket &+ UInt64(queue.count)
        queue.append(Waiter(customer: customer, hasGivenUp: false, sinceSeconds: now))
        liveWaiters += 1
        waiting.update(to: Double(liveWaiters), atSeconds: now)
        return .waiting(ticket: ticket)
    }

    /// Whether the waiter holding `ticket` is still in the queue (not granted, not given up).
    @inlinable
    public func isWaiting(ticket: UInt64) -> Bool {
        guard ticket >= headTicket else { return false }
        let index = Int(ticket &- headTicket)
        return index < queue.count && !queue[index].hasGivenUp
    }

    /// The waiter holding `ticket` gives up (its acquire timeout expired). Returns false if it
    /// had already been granted a token, so the caller can ignore a stale timeout.
    /// - Complexity: O(1).
    @inlinable @discardableResult
    public mutating func abandon(ticket: UInt64, atSeconds now: Double) -> Bool {
        guard isWaiting(ticket: ticket) else { return false }
        queue[Int(ticket &- headTicket)].hasGivenUp = true
        liveWaiters -= 1
        givenUpCount += 1
        waiting.update(to: Double(liveWaiters), atSeconds: now)
        return true
    }

    /// When the oldest live waiter joined the queue; nil if nobody waits.
    ///
    /// With a *constant* acquire timeout τ waiters give up in the order they arrived, so a
    /// caller needs only one pending timer per pool, armed for `oldestWaiterSinceSeconds + τ`,
    /// instead of one timeout event per waiter (most of which go stale when the waiter is served
    /// first); see ``abandonOldest(patienceSeconds:atSeconds:)``.
    @inlinable
    public mutating func oldestWaiterSinceSeconds() -> Double? {
        dropGivenUpHead()
        return queue.first?.sinceSeconds
    }

    /// The oldest live waiter gives up if its constant patience has run out by `now`
    /// (`sinceSeconds + patienceSeconds <= now`, the sum computed as the caller computed its
    /// timer, so a timer firing at that instant always finds its waiter). Returns its customer,
    /// or nil when the oldest waiter still has time (or nobody waits). Call until nil.
    /// - Complexity: O(1) amortized.
    @inlinable
    public mutating func abandonOldest(patienceSeconds: Double, atSeconds now: Double) -> Int32? {
        dropGivenUpHead()
        guard let head = queue.first, head.sinceSeconds + patienceSeconds <= now else { return nil }
        queue.removeFirst()
        headTicket &+= 1
        liveWaiters -= 1
        givenUpCount += 1
        waiting.update(to: Double(liveWaiters), atSeconds: now)
        return head.customer
    }

    /// Removes waiters marked as given up from the head of the queue.
    @inlinable
    mutating func dropGivenUpHead() {
        while let head = queue.first, head.hasGivenUp {
            queue.removeFirst()
            headTicket &+= 1
        }
    }

    /// Returns a token. If someone is waiting, the token passes to the oldest live waiter, whose
    /// customer id is returned (it now holds the token); otherwise the token becomes free.
    /// - Complexity: O(1) amortized (skipped tombstones were each enqueued once).
    @inlinable
    public mutating func release(atSeconds now: Double) -> Int32? {
        while let head = queue.first {
            queue.removeFirst()
            headTicket &+= 1
            if head.hasGivenUp { continue }
            liveWaiters -= 1
            waiting.update(to: Double(liveWaiters), atSeconds: now)
            grantCount += 1
            if keepsGrantStatistics { waitsOfGranted.record(now - head.sinceSeconds) }
            return head.customer
        }
        held -= 1
        if keepsGrantStatistics { inUse.update(to: Double(held), atSeconds: now) }
        return nil
    }

    /// Forgets statistics before `now` (warm-up deletion); the state is kept.
    public mutating func restartStatistics(atSeconds now: Double) {
        inUse.restart(atSeconds: now)
        waiting.restart(atSeconds: now)
        waitsOfGranted = SummaryStatistics()
        grantCount = 0
        givenUpCount = 0
    }
}

/// A c-server first-come-first-served queue with optional capacity K (the number in the
/// station, in service plus waiting): the M/M/c/K station. Arrivals that find K present are
/// blocked and counted. Waiters may give up (Erlang-A) through the underlying ``TokenPool``.
public struct MultiServerQueue: Sendable {
    public enum Admission: Equatable, Sendable {
        case startService
        case queued(ticket: UInt64)
        case blocked
    }

    public var servers: TokenPool
    /// Maximum number in the station; `Int.max` for an unbounded queue.
    public let capacity: Int
    public var blocked: Int { blockedCount }
    public var arrivals: Int { arrivalCount }
    @usableFromInline var blockedCount = 0
    @usableFromInline var arrivalCount = 0

    public init(servers: Int, capacity: Int = .max, startSeconds: Double = 0) {
        precondition(capacity >= servers, "capacity K counts those in service: K >= c")
        self.servers = TokenPool(size: servers, startSeconds: startSeconds)
        self.capacity = capacity
    }

    @inlinable public var numberInStation: Int { servers.heldCount + servers.waitingCount }

    @inlinable
    public mutating func arrive(_ customer: Int32, atSeconds now: Double) -> Admission {
        arrivalCount += 1
        if numberInStation >= capacity {
            blockedCount += 1
            return .blocked
        }
        switch servers.acquire(customer, atSeconds: now) {
        case .granted: return .startService
        case .waiting(let ticket): return .queued(ticket: ticket)
        }
    }

    /// A service ends; returns the next customer to start service, if any waits.
    @inlinable
    public mutating func completeService(atSeconds now: Double) -> Int32? {
        servers.release(atSeconds: now)
    }

    public mutating func restartStatistics(atSeconds now: Double) {
        servers.restartStatistics(atSeconds: now)
        blockedCount = 0
        arrivalCount = 0
    }
}
