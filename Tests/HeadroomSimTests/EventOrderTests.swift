@testable import HeadroomSim
import HeadroomModel
import Testing

/// The engine keeps most events out of the calendar's heap (a lane for events due now, one per
/// timeout duration); these check that events still fire by time, then by scheduling order.
struct EventOrderTests {
    @Test func ringKeepsFirstInFirstOutAcrossWrapAndGrowth() {
        var ring = EventRing<Int>(capacity: 4)
        var expected: [Int] = []
        var next = 0
        // Interleave appends and removals so the head wraps before and after each growth.
        for round in 0..<50 {
            for _ in 0..<(round % 7 + 1) { ring.append(next); expected.append(next); next += 1 }
            for _ in 0..<(round % 5) where !ring.isEmpty {
                #expect(ring.first == expected.first)
                #expect(ring.removeFirst() == expected.removeFirst())
            }
            #expect(ring.count == expected.count)
            if let last = expected.last { #expect(ring.last == last) }
        }
        while !ring.isEmpty { #expect(ring.removeFirst() == expected.removeFirst()) }
        #expect(expected.isEmpty)
    }

    @Test func ringPopsNewestAndRemovesOldestAcrossWrap() {
        // A pool's idle connections: reused newest first, expired oldest first.
        var ring = EventRing<Int>(capacity: 2)
        var expected: [Int] = []
        for i in 0..<40 {
            ring.append(i)
            expected.append(i)
            if i % 3 == 0 { #expect(ring.popLast() == expected.popLast()) }
            if i % 4 == 1 { #expect(ring.removeFirst() == expected.removeFirst()) }
            #expect(ring.count == expected.count)
        }
        while let last = expected.popLast() { #expect(ring.popLast() == last) }
        #expect(ring.popLast() == nil)
        #expect(ring.isEmpty)
    }

    @Test func clientTimeoutDueWithTheStepEndFiresFirstAsScheduledFirst() throws {
        // The client timeout (a lane) and the sleep's end (the heap) are due at exactly the same
        // time; the timeout was scheduled first, when the attempt started, so it fires first
        // and no request succeeds.
        let m = try model("""
            simulation: {seed: 5}
            workload: {closed: {users: 4, think_time: const(50ms)}, mix: {a: 1}}
            endpoints:
              a:
                timeout: 100ms
                steps: [{sleep: const(100ms)}]
            """)
        let r = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 0, horizonSeconds: 10)
        #expect(r.endpoints[0].attempts > 100)
        #expect(r.endpoints[0].succeeded == 0)
        #expect(r.endpoints[0].timeouts == r.endpoints[0].attempts)
    }

    @Test func stepEndingJustBeforeTheClientTimeoutSucceeds() throws {
        let m = try model("""
            simulation: {seed: 5}
            workload: {closed: {users: 4, think_time: const(50ms)}, mix: {a: 1}}
            endpoints:
              a:
                timeout: 100ms
                steps: [{sleep: const(99ms)}]
            """)
        let r = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 0, horizonSeconds: 10)
        #expect(r.endpoints[0].attempts > 100)
        #expect(r.endpoints[0].succeeded == r.endpoints[0].attempts)
    }
}
