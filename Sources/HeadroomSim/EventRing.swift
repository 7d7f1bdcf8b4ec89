/// A first-in first-out queue in a power-of-two ring buffer of plain values: append and
/// removeFirst are O(1) and allocate nothing once the ring has grown to its peak length.
///
/// The web engine keeps the events whose times arrive in scheduling order here instead of in
/// the calendar's heap (``WebEngine`` explains which and why).
struct EventRing<Element> {
    private var buffer: ContiguousArray<Element>
    private var head = 0
    private(set) var count = 0
    private let filler: Element

    init(filler: Element, capacity: Int = 64) {
        var size = 1
        while size < capacity { size <<= 1 }
        buffer = ContiguousArray(repeating: filler, count: size)
        self.filler = filler
    }

    @inline(__always) var isEmpty: Bool { count == 0 }

    /// The oldest element. - Precondition: not empty.
    @inline(__always) var first: Element { buffer[head] }

    /// The newest element. - Precondition: not empty.
    @inline(__always) var last: Element { buffer[(head + count - 1) & (buffer.count - 1)] }

    @inline(__always)
    mutating func append(_ element: Element) {
        if count == buffer.count { grow() }
        buffer[(head + count) & (buffer.count - 1)] = element
        count += 1
    }

    /// Removes and returns the oldest element. - Precondition: not empty.
    @inline(__always)
    mutating func removeFirst() -> Element {
        let element = buffer[head]
        head = (head + 1) & (buffer.count - 1)
        count -= 1
        return element
    }

    private mutating func grow() {
        var larger = ContiguousArray(repeating: filler, count: buffer.count * 2)
        for i in 0..<count { larger[i] = buffer[(head + i) & (buffer.count - 1)] }
        buffer = larger
        head = 0
    }
}
