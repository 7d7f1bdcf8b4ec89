/// The simulation clock's agenda: pending events ordered by time, then by insertion order.
///
/// A binary min-heap stored in one `ContiguousArray` of plain structs: scheduling and popping
/// allocate nothing once the array has grown to the peak number of pending events. Ties in time
/// are broken by a sequence number assigned at scheduling (first scheduled, first fired), the
/// total order SimPy, OMNeT++ and ns-3 use, so a run is a pure function of its seed.
///
/// Time is a `Double` of seconds since the start of the run. Floating time makes exact ties
/// rare and fragile; the sequence number keeps them deterministic when they do happen (two
/// constant service times ending together, events scheduled "now").
///
/// Cancellation is lazy, as in OMNeT++: a station that reschedules bumps a generation counter
/// carried in the payload and ignores stale events when they fire.
///
/// ns-3 measured calendar queues slower than a plain heap for typical loads, and a hand-written
/// heap matched swift-collections' `Heap` on this machine (../shared/BUILD-NOTES.md); this one
/// exists so the sequence number lives in the same cache line as the time and the comparison
/// is inlined for the concrete payload.
public struct EventCalendar<Payload> {
    /// One pending event.
    public struct Entry {
        public var timeSeconds: Double
        @usableFromInline var sequence: UInt64
        public var payload: Payload

        @inlinable
        init(timeSeconds: Double, sequence: UInt64, payload: Payload) {
            self.timeSeconds = timeSeconds
            self.sequence = sequence
            self.payload = payload
        }

        @inlinable @inline(__always)
        func precedes(_ other: Entry) -> Bool {
            timeSeconds < other.timeSeconds
                || (timeSeconds == other.timeSeconds && sequence < other.sequence)
        }
    }

    @usableFromInline var heap: ContiguousArray<Entry> = []
    @usableFromInline var nextSequence: UInt64 = 0
    /// True when `heap[0]` is the entry the last ``popNext()`` returned, not yet removed.
    ///
    /// Removal is deferred because a handler nearly always schedules something next (the next
    /// arrival, the next service): that event then *replaces* the dead root with one sift-down,
    /// instead of a sift-down to remove it plus a sift-up to insert the new one. The order of
    /// events is unchanged (the heap is ordered by time and sequence either way).
    @usableFromInline var rootIsConsumed = false

    public init(reservingCapacity capacity: Int = 64) {
        heap.reserveCapacity(capacity)
    }

    /// The number of pending events.
    @inlinable public var count: Int { heap.count - (rootIsConsumed ? 1 : 0) }
    @inlinable public var isEmpty: Bool { count == 0 }
    /// The time of the next event, if any.
    @inlinable public var nextTimeSeconds: Double? {
        guard rootIsConsumed else { return heap.first?.timeSeconds }
        // The dead root's children head the two sub-heaps holding every pending event.
        switch heap.count {
        case 0, 1: return nil
        case 2: return heap[1].timeSeconds
        default: return heap[1].precedes(heap[2]) ? heap[1].timeSeconds : heap[2].timeSeconds
        }
    }

    /// Moves `entry` down from the root of `h` to its place (sift-down).
    @inlinable @inline(__always)
    static func placeFromRoot(_ entry: Entry, in h: UnsafeMutableBufferPointer<Entry>) {
        // Through the base pointer with wrapping arithmetic: a heap's indices stay far below
        // Int.max, and the buffer's checked subscript and overflow traps were a quarter of
        // the instructions per level.
        let n = h.count
        let base = h.baseAddress!
        var hole = 0
        while true {
            var child = hole &<< 1 &+ 1
            if child >= n { break }
            if child &+ 1 < n && base[child &+ 1].precedes(base[child]) { child &+= 1 }
            if base[child].precedes(entry) {
                base[hole] = base[child]
                hole = child
            } else { break }
        }
        base[hole] = entry
    }

    /// Schedules `payload` at `timeSeconds`.
    /// - Complexity: O(log n).
    @inlinable
    public mutating func schedule(_ payload: Payload, atSeconds timeSeconds: Double) {
        let entry = Entry(timeSeconds: timeSeconds, sequence: nextSequence, payload: payload)
        nextSequence &+= 1
        if rootIsConsumed {
            rootIsConsumed = false
            heap.withUnsafeMutableBufferPointer { Self.placeFromRoot(entry, in: $0) }
            return
        }
        heap.append(entry)
        heap.withUnsafeMutableBufferPointer { h in
            let base = h.baseAddress!
            var child = h.count &- 1
            while child > 0 {
                let parent = (child &- 1) &>> 1
                if entry.precedes(base[parent]) {
                    base[child] = base[parent]
                    child = parent
                } else { break }
            }
            base[child] = entry
        }
    }

    /// Removes and returns the earliest event (earliest scheduled among equal times).
    /// - Complexity: O(log n).
    @inlinable
    public mutating func popNext() -> Entry? {
        if rootIsConsumed {
            rootIsConsumed = false
            let last = heap.removeLast()
            if heap.isEmpty { return nil }
            heap.withUnsafeMutableBufferPointer { Self.placeFromRoot(last, in: $0) }
        }
        guard let first = heap.first else { return nil }
        rootIsConsumed = true
        return first
    }

    /// Drops every pending event (the sequence counter keeps counting).
    public mutating func removeAll() {
        heap.removeAll(keepingCapacity: true)
        rootIsConsumed = false
    }
}

extension EventCalendar: Sendable where Payload: Sendable {}
extension EventCalendar.Entry: Sendable where Payload: Sendable {}
