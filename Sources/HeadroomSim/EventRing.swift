/// A first-in first-out queue in a power-of-two ring buffer of plain values: append,
/// removeFirst and popLast are O(1) and allocate nothing once the ring has grown to its peak
/// length.
///
/// The web engine keeps the events whose times arrive in scheduling order here instead of in
/// the calendar's heap (``WebEngine`` explains which and why).
///
/// The ring lives behind a raw pointer, as a ``Slab``'s elements do: an `Array` stored in the
/// engine would check its buffer's uniqueness (copy-on-write) on every append and removal, and
/// the engine appends to or removes from a ring on most events. Copies of a ring share its
/// storage (reference semantics) but not its head and count, so a ring is never copied once
/// used: the engine owns its rings and is never copied while it runs.
struct EventRing<Element: BitwiseCopyable> {
    private var base: UnsafeMutablePointer<Element>
    private var mask: Int
    private var head = 0
    private(set) var count = 0
    private let owner: Owner

    /// Frees the storage with the last copy of the ring.
    private final class Owner {
        var memory: UnsafeMutableRawPointer
        init(_ memory: UnsafeMutableRawPointer) { self.memory = memory }
        deinit { memory.deallocate() }
    }

    init(capacity: Int = 64) {
        var size = 1
        while size < capacity { size <<= 1 }
        base = .allocate(capacity: size)
        mask = size - 1
        owner = Owner(UnsafeMutableRawPointer(base))
    }

    @inline(__always) var isEmpty: Bool { count == 0 }

    /// The oldest element. - Precondition: not empty.
    @inline(__always) var first: Element {
        precondition(count > 0, "first of an empty ring")
        return base[head]
    }

    /// The newest element. - Precondition: not empty.
    @inline(__always) var last: Element {
        precondition(count > 0, "last of an empty ring")
        return base[(head + count - 1) & mask]
    }

    @inline(__always)
    mutating func append(_ element: Element) {
        if count > mask { grow() }
        (base + ((head + count) & mask)).initialize(to: element)
        count += 1
    }

    /// Removes and returns the oldest element. - Precondition: not empty.
    @inline(__always)
    mutating func removeFirst() -> Element {
        precondition(count > 0, "removeFirst of an empty ring")
        let element = base[head]
        head = (head + 1) & mask
        count -= 1
        return element
    }

    /// Removes and returns the newest element, or nil when empty (a stack's pop: a pool's idle
    /// connections are reused most recently released first and expire oldest first).
    @inline(__always)
    mutating func popLast() -> Element? {
        guard count > 0 else { return nil }
        count -= 1
        return base[(head + count) & mask]
    }

    private mutating func grow() {
        let size = (mask + 1) * 2
        let larger = UnsafeMutablePointer<Element>.allocate(capacity: size)
        for i in 0..<count { (larger + i).initialize(to: base[(head + i) & mask]) }
        base.deallocate()
        base = larger
        owner.memory = UnsafeMutableRawPointer(larger)
        mask = size - 1
        head = 0
    }
}
