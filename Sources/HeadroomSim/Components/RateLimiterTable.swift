// The rate limiters' table: each limiter's buckets or windows (state index = limiter offset +
// scope slot * keys + key) and which limiters guard each endpoint. Rate limiters keep no
// counters of their own (the endpoints' tallies count the 429s), so there is nothing to restart
// at the warm-up and no result. The behaviour is in WebEngine+RateLimiters.

import HeadroomKernel
import HeadroomModel

struct RateLimiterTable {
    var state: Slab<RateLimitState>
    let offset: Slab<Int>
    /// Keys per limiter: 1 for a global key, one per client otherwise.
    let keys: Slab<Int>
    /// The limiters of each endpoint, in order.
    let ofEndpoint: Slab<[Int]>

    init(model: Model, instances n: Int, clients: Int) {
        var offsets: [Int] = []
        var keys: [Int] = []
        var states: [RateLimitState] = []
        for limiter in model.rateLimiters {
            offsets.append(states.count)
            let k = limiter.key == .global ? 1 : clients
            keys.append(k)
            let slots = limiter.scope == .perInstance ? n : 1
            let burst: Double
            switch limiter.algorithm {
            case .tokenBucket(_, let b): burst = Double(b)
            case .fixedWindow: burst = 0
            }
            states.append(contentsOf: Array(repeating: RateLimitState(tokens: burst), count: k * slots))
        }
        offset = Slab(offsets)
        self.keys = Slab(keys)
        state = Slab(states)
        let limiterIndex = Dictionary(uniqueKeysWithValues: model.rateLimiters.enumerated().map { ($1.name, $0) })
        ofEndpoint = Slab(model.endpoints.map { $0.rateLimiters.compactMap { limiterIndex[$0] } })
    }
}
