import HeadroomKernel
import Testing

@Suite("Token pool")
struct TokenPoolTests {
    /// Queues `count` customers (ids 1...count) behind one held token; returns their tickets.
    static func queue(_ pool: inout TokenPool, _ count: Int, atSeconds t: Double = 0) -> [UInt64] {
        (1...count).map { id in
            guard case .waiting(let ticket) = pool.acquire(Int32(id), atSeconds: t) else {
                Issue.record("customer \(id) was granted while every token is held")
                return .max
            }
            return ticket
        }
    }

    @Test("a free token is granted at once; with none free the caller waits")
    func grantOrWait() {
        var pool = TokenPool(size: 2)
        #expect(pool.acquire(0, atSeconds: 0) == .granted)
        #expect(pool.acquire(1, atSeconds: 0) == .granted)
        #expect(pool.acquire(2, atSeconds: 0) == .waiting(ticket: 0))
        #expect(pool.heldCount == 2 && pool.waitingCount == 1)
    }

    @Test("released tokens go to waiters in FIFO order, then become free")
    func fifoGrantOrder() {
        var pool = TokenPool(size: 1)
        #expect(pool.acquire(0, atSeconds: 0) == .granted)
        _ = Self.queue(&pool, 50)
        var granted: [Int32] = []
        for t in 1...50 { granted.append(pool.release(atSeconds: Double(t))!) }
        #expect(granted == (1...50).map(Int32.init))
        #expect(pool.release(atSeconds: 51) == nil)
        #expect(pool.heldCount == 0 && pool.waitingCount == 0)
    }

    @Test("a waiter who gave up is skipped: the token goes to the next live waiter")
    func givenUpWaiterIsSkipped() {
        var pool = TokenPool(size: 1)
        _ = pool.acquire(0, atSeconds: 0)
        let tickets = Self.queue(&pool, 4)
        #expect(pool.abandon(ticket: tickets[0], atSeconds: 1) == true)   // customer 1 gives up
        #expect(pool.abandon(ticket: tickets[2], atSeconds: 1) == true)   // customer 3 gives up
        #expect(pool.waitingCount == 2 && pool.givenUp == 2)
        #expect(pool.release(atSeconds: 2) == 2)
        #expect(pool.release(atSeconds: 3) == 4)
        #expect(pool.release(atSeconds: 4) == nil)
    }

    @Test("abandon marks the waiter by its ticket without disturbing the queue (lazy deletion)")
    func abandonInLongQueue() {
        // Abandon is O(1) by construction (a ticket indexes its waiter; no search, no removal
        // from the middle). What a test can check without timing: any waiter of a long queue
        // leaves by ticket, the live count stays exact, and the others keep their FIFO order.
        var pool = TokenPool(size: 1)
        _ = pool.acquire(0, atSeconds: 0)
        let tickets = Self.queue(&pool, 10_000)
        for (i, ticket) in tickets.enumerated() where i % 3 == 1 {
            #expect(pool.abandon(ticket: ticket, atSeconds: 1) == true)
        }
        let live = (1...10_000).filter { ($0 - 1) % 3 != 1 }
        #expect(pool.waitingCount == live.count)
        var granted: [Int] = []
        while let c = pool.release(atSeconds: 2) { granted.append(Int(c)) }
        #expect(granted == live)
    }

    @Test("a stale abandon (already granted, already given up, never issued) returns false and changes nothing")
    func staleAbandon() {
        var pool = TokenPool(size: 1)
        _ = pool.acquire(0, atSeconds: 0)
        let tickets = Self.queue(&pool, 2)
        #expect(pool.release(atSeconds: 1) == 1)                    // customer 1 holds the token now
        #expect(pool.abandon(ticket: tickets[0], atSeconds: 2) == false)    // its timeout fires late
        #expect(pool.abandon(ticket: tickets[1], atSeconds: 2) == true)
        #expect(pool.abandon(ticket: tickets[1], atSeconds: 3) == false)    // gives up twice
        #expect(pool.abandon(ticket: 999, atSeconds: 3) == false)           // never issued
        #expect(pool.givenUp == 1 && pool.waitingCount == 0 && pool.heldCount == 1)
        #expect(!pool.isWaiting(ticket: tickets[1]))
    }

    @Test("statistics: waits of granted customers, time-weighted tokens in use and waiters")
    func statistics() {
        var pool = TokenPool(size: 1)
        _ = pool.acquire(0, atSeconds: 0)          // granted, waits 0
        _ = pool.acquire(1, atSeconds: 1)          // waits from 1
        _ = pool.release(atSeconds: 4)             // customer 1 granted after 3 s
        _ = pool.release(atSeconds: 6)             // free from 6
        #expect(pool.grants == 2)
        #expect(pool.waitsOfGranted.mean == 1.5)   // (0 + 3) / 2
        #expect(pool.inUse.mean(atSeconds: 8) == 6.0 / 8)
        #expect(pool.waiting.mean(atSeconds: 8) == 3.0 / 8)
        #expect(pool.inUse.peak == 1 && pool.waiting.peak == 1)
    }

    @Test("without grant statistics the same sequence grants the same customers and keeps grants and waiters, not tokens in use or waits")
    func withoutGrantStatistics() {
        var pool = TokenPool(size: 1, keepsGrantStatistics: false)
        #expect(pool.acquire(0, atSeconds: 0) == .granted)
        #expect(pool.acquire(1, atSeconds: 1) == .waiting(ticket: 0))
        #expect(pool.release(atSeconds: 4) == 1)
        #expect(pool.release(atSeconds: 6) == nil)
        #expect(pool.grants == 2)
        #expect(pool.waiting.mean(atSeconds: 8) == 3.0 / 8)
        #expect(pool.waitsOfGranted.count == 0)
        #expect(pool.inUse.mean(atSeconds: 8) == 0 && pool.inUse.peak == 0)
    }

    @Test("a c-server queue with capacity K blocks the arrival that finds K present")
    func capacityBlocks() {
        var q = MultiServerQueue(servers: 2, capacity: 3)
        #expect(q.arrive(0, atSeconds: 0) == .startService)
        #expect(q.arrive(1, atSeconds: 0) == .startService)
        #expect(q.arrive(2, atSeconds: 0) == .queued(ticket: 0))
        #expect(q.arrive(3, atSeconds: 0) == .blocked)
        #expect(q.blocked == 1 && q.arrivals == 4 && q.numberInStation == 3)
        #expect(q.completeService(atSeconds: 1) == 2)
        #expect(q.arrive(4, atSeconds: 1) == .queued(ticket: 1))
    }

    @Test("with a constant timeout, abandonOldest gives up expired waiters in arrival order and no one else")
    func abandonOldestByDeadline() {
        var pool = TokenPool(size: 1)
        _ = pool.acquire(0, atSeconds: 0)
        _ = pool.acquire(1, atSeconds: 1)
        let second = pool.acquire(2, atSeconds: 2)
        _ = pool.acquire(3, atSeconds: 4)
        let oldest = pool.oldestWaiterSinceSeconds()
        #expect(oldest == 1)
        // Timeout 5 s: at t = 7 customers 1 (deadline 6) and 2 (deadline 7) have run out; 3 has not.
        let gaveUp = (0..<3).map { _ in pool.abandonOldest(patienceSeconds: 5, atSeconds: 7) }
        #expect(gaveUp == [1, 2, nil])
        #expect(pool.waitingCount == 1 && pool.givenUp == 2)
        let next = pool.oldestWaiterSinceSeconds()
        #expect(next == 4)
        guard case .waiting(let ticket) = second else {
            Issue.record("customer 2 should have been queued behind 1, got \(second)")
            return
        }
        let stale = pool.abandon(ticket: ticket, atSeconds: 7)
        #expect(!stale)
        let granted = pool.release(atSeconds: 8)
        #expect(granted == 3)
        let none = pool.oldestWaiterSinceSeconds()
        #expect(none == nil)
    }

    @Test("abandonOldest skips waiters who already gave up by ticket")
    func abandonOldestSkipsGivenUp() {
        var pool = TokenPool(size: 1)
        _ = pool.acquire(0, atSeconds: 0)
        let tickets = Self.queue(&pool, 3, atSeconds: 1)
        let abandoned = pool.abandon(ticket: tickets[0], atSeconds: 2)
        #expect(abandoned)
        let oldest = pool.oldestWaiterSinceSeconds()
        #expect(oldest == 1)
        let gaveUp = pool.abandonOldest(patienceSeconds: 1, atSeconds: 2)
        #expect(gaveUp == 2)
        #expect(pool.waitingCount == 1 && pool.givenUp == 2)
    }
}
