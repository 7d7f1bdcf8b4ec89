/// A growable array of trivially copyable values whose owner frees it explicitly: the storage
/// of an engine's hot state (customers, free lists, per-station records).
///
/// Swift's `Array` checks that its buffer is uniquely referenced before every in-place write
/// (copy-on-write) and bounds-checks every access. An engine object that owns its state and
/// never shares it pays those checks millions of times for nothing: the kernel profile
/// (bench/PROFILE.md) measured 6 % of all instructions in `swift_isUniquelyReferenced` alone.
/// `OwnedBuffer` has no reference count and no copy-on-write: copying the struct copies the
/// pointer, so exactly one owner (a class with a `deinit`) may hold it and must call
/// ``release()`` once. Indices are checked in debug builds only.
@usableFromInline
struct OwnedBuffer<Element: BitwiseCopyable> {
    @usableFromInline var base: UnsafeMutablePointer<Element>
    @usableFromInline var count: Int
    @usableFromInline var capacity: Int

    init(capacity: Int = 16) {
        self.capacity = Swift.max(1, capacity)
        base = .allocate(capacity: self.capacity)
        count = 0
    }

    /// A buffer holding `elements`.
    init<S: Sequence>(_ elements: S) where S.Element == Element {
        let array = ContiguousArray(elements)
        self.init(capacity: array.count)
        for element in array { append(element) }
    }

    @inlinable @inline(__always)
    subscript(index: Int) -> Element {
        get {
            assert(index >= 0 && index < count, "OwnedBuffer index out of range")
            return base[index]
        }
        nonmutating _modify {
            assert(index >= 0 && index < count, "OwnedBuffer index out of range")
            yield &base[index]
        }
    }

    @inlinable @inline(__always)
    mutating func append(_ element: Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    @inlinable @inline(__always)
    mutating func popLast() -> Element? {
        guard count > 0 else { return nil }
        count -= 1
        return base[count]
    }

    @usableFromInline
    mutating func grow() {
        let larger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        larger.initialize(from: base, count: count)
        base.deallocate()
        base = larger
        capacity *= 2
    }

    var indices: Range<Int> { 0..<count }

    /// Frees the storage; the buffer must not be used afterwards.
    func release() { base.deallocate() }
}
