// Rate limiters at an instance's door: token buckets and fixed windows, per instance or global,
// per client or for all.

import HeadroomKernel
import HeadroomModel

extension WebEngine {
    mutating func admit(limiter l: Int, user: Int, instance: Int) -> Bool {
        let limiter = model.rateLimiters[l]
        let key = limiter.key == .global ? 0 : user % rateLimitKeys[l]
        let slot = limiter.scope == .perInstance ? instance : 0
        let index = rateLimitOffset[l] + slot * rateLimitKeys[l] + key
        switch limiter.algorithm {
        case .tokenBucket(let rate, let burst):
            var s = rateLimitState[index]
            s.tokens = min(Double(burst), s.tokens + rate * (now - s.lastRefillSeconds))
            s.lastRefillSeconds = now
            let allowed = s.tokens >= 1
            if allowed { s.tokens -= 1 }
            rateLimitState[index] = s
            return allowed
        case .fixedWindow(let limit, let window):
            let w = (now / window).rounded(.down)
            if rateLimitState[index].window != w {
                rateLimitState[index].window = w
                rateLimitState[index].countInWindow = 0
            }
            guard rateLimitState[index].countInWindow < limit else { return false }
            rateLimitState[index].countInWindow += 1
            return true
        }
    }
}
