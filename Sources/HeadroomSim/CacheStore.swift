/// The entries of one cache (one per instance for a per-instance cache, one in all for a shared
/// one) over integer keys 0..<n drawn by popularity: presence, expiry (TTL) and LRU order, in
/// flat arrays indexed by key (an intrusive doubly-linked list), so a lookup, a fill and an
/// eviction are O(1) and allocate nothing.
///
/// Emptying the whole cache (invalidation `all`) bumps a generation counter instead of touching
/// every key.
struct CacheStore {
    let capacity: Int
    let ttlSeconds: Double
    private var filledGeneration: [UInt32]
    private var expiresAt: [Double]
    private var previous: [Int32]
    private var next: [Int32]
    private var head: Int32 = -1  // most recently used
    private var tail: Int32 = -1  // least recently used
    private(set) var size = 0
    private var generation: UInt32 = 1
    /// Keys whose miss path is running (single flight).
    var filling: [Bool]

    init(keys: Int, capacity: Int?, ttlSeconds: Double?) {
        self.capacity = capacity ?? Int.max
        self.ttlSeconds = ttlSeconds ?? .infinity
        filledGeneration = Array(repeating: 0, count: keys)
        expiresAt = Array(repeating: 0, count: keys)
        previous = Array(repeating: -1, count: keys)
        next = Array(repeating: -1, count: keys)
        filling = Array(repeating: false, count: keys)
    }

    private func isPresent(_ key: Int) -> Bool { filledGeneration[key] == generation }

    /// Whether `key` is present and fresh at `now`; a hit becomes the most recently used.
    mutating func lookup(_ key: Int32, now: Double) -> Bool {
        let k = Int(key)
        guard isPresent(k) else { return false }
        if expiresAt[k] <= now {
            remove(key)
            return false
        }
        if capacity != .max { unlink(key); pushFront(key) }
        return true
    }

    mutating func fill(_ key: Int32, now: Double) {
        let k = Int(key)
        if isPresent(k) {
            if capacity != .max { unlink(key) }
        } else {
            size += 1
        }
        filledGeneration[k] = generation
        expiresAt[k] = now + ttlSeconds
        if capacity != .max {
            pushFront(key)
            while size > capacity, tail >= 0 { remove(tail) }
        }
    }

    mutating func remove(_ key: Int32) {
        let k = Int(key)
        guard isPresent(k) else { return }
        filledGeneration[k] = 0
        size -= 1
        if capacity != .max { unlink(key) }
    }

    mutating func removeAll() {
        generation &+= 1
        if generation == 0 { generation = 1 }
        size = 0
        head = -1
        tail = -1
    }

    private mutating func unlink(_ key: Int32) {
        let k = Int(key)
        let p = previous[k], n = next[k]
        if p >= 0 { next[Int(p)] = n } else if head == key { head = n }
        if n >= 0 { previous[Int(n)] = p } else if tail == key { tail = p }
        previous[k] = -1
        next[k] = -1
    }

    private mutating func pushFront(_ key: Int32) {
        let k = Int(key)
        previous[k] = -1
        next[k] = head
        if head >= 0 { previous[Int(head)] = key }
        head = key
        if tail < 0 { tail = key }
    }
}

/// The state of one rate-limiter key: a token bucket (tokens, last refill) or a fixed window
/// (window index, count).
struct RateLimitState {
    var tokens: Double
    var lastRefillSeconds: Double = 0
    /// The fixed window's number, floor(now / window), as a `Double`: never a trap, whatever
    /// the quotient (the model refuses windows under 1 us; this is the second line).
    var window: Double = -1
    var countInWindow: Int = 0
}
