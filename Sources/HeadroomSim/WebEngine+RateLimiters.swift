// Rate limiters at an instance's door: token buckets and fixed windows, per instance or global,
// per client or for all.

import HeadroomKernel
import HeadroomModel

extension WebEngine {
    mutating func admit(limiter l: Int, user: Int, instance: Int) -> Bool {
        let limiter = model.rateLimiters[l]
        let key = limiter.key == .global ? 0 : user % rateLimiters.keys[l]
        let slot = limiter.scope == .perInstance ? instance : 0
        let index = rateLimiters.offset[l] + slot * rateLimiters.keys[l] + key
        switch limiter.algorithm {
        case .tokenBucket(let rate, let burst):
            var s = rateLimiters.state[index]
            s.tokens = min(Double(burst), s.tokens + rate * (now - s.lastRefillSeconds))
            s.lastRefillSeconds = now
            let allowed = s.tokens >= 1
            if allowed { s.tokens -= 1 }
            rateLimiters.state[index] = s
            return allowed
        case .fixedWindow(let limit, let window):
            let w = (now / window).rounded(.down)
            if rateLimiters.state[index].window != w {
                rateLimiters.state[index].window = w
                rateLimiters.state[index].countInWindow = 0
            }
            guard rateLimiters.state[index].countInWindow < limit else { return false }
            rateLimiters.state[index].countInWindow += 1
            return true
        }
    }
}
