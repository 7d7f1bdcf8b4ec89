/// A growable array behind a raw pointer, for an engine's per-event state (entities,
/// attempts, stations, tallies) and the per-component facts it reads on every request: reading
/// or writing an element is one memory access, where an `Array` stored in the engine also
/// checks, on every write, that its buffer is not shared (copy-on-write), and calls out of line
/// to check the index on reads. Measured at 14% of `headroom run`'s time on the seed 002 pool
/// model for the entity and attempt arrays alone.
///
/// The index is checked in debug builds only (`assert`), as ns-3's `NS_ASSERT` is: an engine's
/// indices are its own (entity and attempt numbers from its free lists, pool and node slots
/// computed when it is built), never read from a model, and the test suite and the fuzzer's
/// debug runs exercise them with the check on. In release builds the check was 4.4-4.7 % of
/// the web engine's instructions on the three peer-bench models (bench/PROFILE.md, session 6).
///
/// Copies of a slab share its elements (reference semantics): an engine owns its slabs and is
/// never copied while it runs. The elements are destroyed and the memory freed with the last
/// copy. Both engines keep their hot state in slabs: the kernel's queueing network and the web
/// engine.
public struct Slab<Element> {
    @usableFromInline var base: UnsafeMutablePointer<Element>
    @usableFromInline var storedCount = 0
    @usableFromInline var capacity: Int
    @usableFromInline let owner: Owner

    @usableFromInline final class Owner {
        @usableFromInline var memory: UnsafeMutablePointer<Element>
        /// Elements to destroy at the end; kept up to date only for types that need it.
        @usableFromInline var initialized = 0
        @usableFromInline init(_ memory: UnsafeMutablePointer<Element>) { self.memory = memory }
        deinit {
            memory.deinitialize(count: initialized)
            memory.deallocate()
        }
    }

    public init(capacity: Int = 64) {
        self.capacity = Swift.max(1, capacity)
        base = .allocate(capacity: self.capacity)
        owner = Owner(base)
    }

    /// `count` copies of `element`.
    public init(repeating element: Element, count: Int) {
        self.init(capacity: count)
        for _ in 0..<count { append(element) }
    }

    public init<S: Sequence>(_ elements: S) where S.Element == Element {
        self.init(capacity: elements.underestimatedCount)
        for element in elements { append(element) }
    }

    /// The number of elements.
    @inlinable public var count: Int { storedCount }

    @inlinable @inline(__always)
    public subscript(i: Int) -> Element {
        // `_read` lends the element in place: a `get` would copy it out whole (a memcpy for a
        // processor-sharing station read for its next completion time).
        _read {
            assert(UInt(bitPattern: i) < UInt(bitPattern: storedCount), "slab index out of range")
            yield base[i]
        }
        nonmutating _modify {
            assert(UInt(bitPattern: i) < UInt(bitPattern: storedCount), "slab index out of range")
            yield &base[i]
        }
    }

    @inlinable @inline(__always)
    public mutating func append(_ element: Element) {
        if storedCount == capacity { grow() }
        (base + storedCount).initialize(to: element)
        storedCount += 1
        if !_isPOD(Element.self) { owner.initialized = storedCount }
    }

    @inlinable @inline(__always)
    public mutating func popLast() -> Element? {
        guard storedCount > 0 else { return nil }
        storedCount -= 1
        let element = (base + storedCount).move()
        if !_isPOD(Element.self) { owner.initialized = storedCount }
        return element
    }

    @usableFromInline mutating func grow() {
        let larger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: base, count: storedCount)
        base.deallocate()
        base = larger
        owner.memory = larger
        capacity *= 2
    }
}

extension Slab: RandomAccessCollection {
    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { storedCount }
}

extension Slab: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: Element...) { self.init(elements) }
}
