import HeadroomKernel
import Testing

@Suite("Event calendar")
struct EventCalendarTests {
    /// Times drawn from a handful of values, so that ties are the rule, not the exception.
    static func coarseTime(_ stream: RandomStream, now: Double) -> Double {
        now + Double(Int(stream.uniform() * 4))
    }

    @Test("pops events by time, and equal times in the order they were scheduled", arguments: 1...40)
    func ordersByTimeThenInsertion(seed: UInt64) {
        let stream = RandomStream(masterSeed: seed, name: "calendar-test")
        var calendar = EventCalendar<Int>()
        // The reference model: every pending (time, insertion index), searched for the least.
        var pending: [(time: Double, index: Int)] = []
        var now = 0.0
        var scheduled = 0
        var mismatches = 0
        // Interleave as a simulation does: schedule a burst of 0, 1 or 2 events (future times
        // from a handful of values, so ties are the rule), then pop the next one.
        while scheduled < 2_000 || !pending.isEmpty {
            let burst = scheduled < 2_000 ? Int(stream.uniform() * 3) : 0
            for _ in 0..<burst {
                let t = Self.coarseTime(stream, now: now)
                calendar.schedule(scheduled, atSeconds: t)
                pending.append((t, scheduled))
                scheduled += 1
            }
            guard !pending.isEmpty else { continue }
            let expected = pending.indices.min { a, b in
                (pending[a].time, pending[a].index) < (pending[b].time, pending[b].index)
            }!
            let entry = calendar.popNext()
            if entry?.payload != pending[expected].index || entry?.timeSeconds != pending[expected].time {
                mismatches += 1
            }
            now = pending[expected].time
            pending.remove(at: expected)
        }
        #expect(mismatches == 0)
        #expect(calendar.isEmpty)
        #expect(calendar.popNext() == nil)
    }

    @Test("events scheduled for the same instant fire first-scheduled, first-fired")
    func tiesAreFIFO() {
        var calendar = EventCalendar<Int>()
        for i in 0..<1_000 { calendar.schedule(i, atSeconds: 7) }
        var order: [Int] = []
        while let e = calendar.popNext() { order.append(e.payload) }
        #expect(order == Array(0..<1_000))
    }

    @Test("count and nextTimeSeconds track the pending events")
    func countAndNextTime() {
        var calendar = EventCalendar<String>()
        #expect(calendar.nextTimeSeconds == nil)
        calendar.schedule("late", atSeconds: 3)
        calendar.schedule("early", atSeconds: 1)
        #expect(calendar.count == 2)
        #expect(calendar.nextTimeSeconds == 1)
        #expect(calendar.popNext()?.payload == "early")
        calendar.removeAll()
        #expect(calendar.isEmpty)
    }
}

@Suite("Event calendar deferred removal")
struct EventCalendarDeferredRemovalTests {
    @Test("after a pop, count and nextTimeSeconds already exclude the popped event, whatever follows", arguments: 1...10)
    func countAndNextTimeAfterPop(seed: UInt64) {
        let stream = RandomStream(masterSeed: seed, name: "calendar-deferred")
        var calendar = EventCalendar<Int>()
        var pending: [Double] = []
        for step in 0..<3_000 {
            if pending.isEmpty || stream.uniform() < 0.5 {
                let t = Double(Int(stream.uniform() * 50))
                calendar.schedule(step, atSeconds: t)
                pending.append(t)
            } else {
                let e = calendar.popNext()
                pending.remove(at: pending.firstIndex(of: pending.min()!)!)
                #expect(e != nil)
            }
            #expect(calendar.count == pending.count)
            #expect(calendar.isEmpty == pending.isEmpty)
            #expect(calendar.nextTimeSeconds == pending.min())
        }
    }
}

@Suite("Event calendar value semantics")
struct EventCalendarCopyTests {
    @Test("a copied calendar is independent: popping or scheduling on one leaves the other as it was")
    func copiesAreIndependent() {
        var original = EventCalendar<String>()
        for (i, t) in [5.0, 1, 3, 2, 4].enumerated() { original.schedule("e\(i)", atSeconds: t) }
        var copy = original
        #expect(copy.popNext()?.payload == "e1")
        copy.schedule("new", atSeconds: 0.5)
        var fromOriginal: [String] = []
        while let e = original.popNext() { fromOriginal.append(e.payload) }
        #expect(fromOriginal == ["e1", "e3", "e2", "e4", "e0"])
        var fromCopy: [String] = []
        while let e = copy.popNext() { fromCopy.append(e.payload) }
        #expect(fromCopy == ["new", "e3", "e2", "e4", "e0"])
    }
}
