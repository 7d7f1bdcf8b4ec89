/// A growable array of plain values (no references inside) behind a raw pointer, for the
/// engine's entities and attempts: reading or writing an element is one bounds check and one
/// memory access, where an `Array` stored in the engine also checks, on every write, that its
/// buffer is not shared (copy-on-write).
///
/// Copies of a slab share its elements (reference semantics): the engine owns its slabs and
/// is never copied while it runs. The memory is freed with the last copy.
struct Slab<Element> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int
    private let owner: Owner

    private final class Owner {
        var memory: UnsafeMutablePointer<Element>
        init(_ memory: UnsafeMutablePointer<Element>) { self.memory = memory }
        deinit { memory.deallocate() }
    }

    init(capacity: Int = 64) {
        precondition(_isPOD(Element.self), "a slab holds plain values only")
        self.capacity = max(1, capacity)
        base = .allocate(capacity: self.capacity)
        owner = Owner(base)
    }

    @inline(__always) var isEmpty: Bool { count == 0 }

    @inline(__always)
    subscript(i: Int) -> Element {
        get {
            precondition(UInt(bitPattern: i) < UInt(bitPattern: count), "slab index out of range")
            return base[i]
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
    }

    @inline(__always)
    mutating func popLast() -> Element? {
        guard count > 0 else { return nil }
        count -= 1
        return base[count]
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

