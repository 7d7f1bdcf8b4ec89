/// A growable array behind a raw pointer, for the engine's per-event state (entities,
/// attempts, stations, tallies): reading or writing an element is one bounds check and one
/// memory access, where an `Array` stored in the engine also checks, on every write, that its
/// buffer is not shared (copy-on-write). Measured at 14% of `headroom run`'s time on the
/// seed 002 pool model for the entity and attempt arrays alone.
///
/// Copies of a slab share its elements (reference semantics): the engine owns its slabs and
/// is never copied while it runs. The elements are destroyed and the memory freed with the
/// last copy.
struct Slab<Element> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int
    private let owner: Owner

    private final class Owner {
        var memory: UnsafeMutablePointer<Element>
        /// Elements to destroy at the end; kept up to date only for types that need it.
        var initialized = 0
        init(_ memory: UnsafeMutablePointer<Element>) { self.memory = memory }
        deinit {
            memory.deinitialize(count: initialized)
            memory.deallocate()
        }
    }

    init(capacity: Int = 64) {
        self.capacity = Swift.max(1, capacity)
        base = .allocate(capacity: self.capacity)
        owner = Owner(base)
    }

    init<S: Sequence>(_ elements: S) where S.Element == Element {
        self.init(capacity: elements.underestimatedCount)
        for element in elements { append(element) }
    }

    @inline(__always)
    subscript(i: Int) -> Element {
        // `_read` lends the element in place: a `get` would copy it out whole (a memcpy for a
        // processor-sharing station read for its next completion time).
        _read {
            precondition(UInt(bitPattern: i) < UInt(bitPattern: count), "slab index out of range")
            yield base[i]
        }
        nonmutating _modify {
            precondition(UInt(bitPattern: i) < UInt(bitPattern: count), "slab index out of range")
            yield &base[i]
        }
    }

    @inline(__always)
    mutating func append(_ element: Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
        if !_isPOD(Element.self) { owner.initialized = count }
    }

    @inline(__always)
    mutating func popLast() -> Element? {
        guard count > 0 else { return nil }
        count -= 1
        let element = (base + count).move()
        if !_isPOD(Element.self) { owner.initialized = count }
        return element
    }

    private mutating func grow() {
        let larger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = larger
        owner.memory = larger
        capacity *= 2
    }
}

extension Slab: RandomAccessCollection {
    var startIndex: Int { 0 }
    var endIndex: Int { count }
}

extension Slab: ExpressibleByArrayLiteral {
    init(arrayLiteral elements: Element...) { self.init(elements) }
}
