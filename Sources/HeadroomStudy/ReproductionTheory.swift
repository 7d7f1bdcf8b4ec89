import Foundation
import Queueing

// Closed forms the reproduction's theory findings use, on top of the Queueing module
// (Erlang C / M/M/c, exact MVA, Little's and the utilization law).

enum Theory {
    /// Little's law solved for the response time of a closed system: R = N / X - Z.
    static func interactiveResponse(users: Double, throughput: Double, think: Double) -> Double {
        users / throughput - think
    }

    /// M/M/c mean wait, or nil when unstable.
    static func mmcWait(rate: Double, service: Double, servers: Int) -> Double? {
        (try? MMcQueue(arrivalRatePerSecond: rate, meanServiceSeconds: service, servers: servers))?.meanWaitSeconds
    }

    /// Erlang C probability of waiting for `servers` at `erlangs` (nil when unstable).
    static func probabilityOfWaiting(servers: Int, erlangs: Double) -> Double? {
        guard erlangs < Double(servers) else { return nil }
        return try? erlangC(servers: servers, offeredLoadErlangs: erlangs)
    }

    /// The largest arrival rate at which an M/M/c queue's mean wait stays within `maxWait` (bisection).
    static func maxRate(forMeanWait maxWait: Double, service: Double, servers: Int) -> Double {
        var lo = 0.0, hi = Double(servers) / service * (1 - 1e-9)
        for _ in 0..<100 {
            let mid = (lo + hi) / 2
            if let w = mmcWait(rate: mid, service: service, servers: servers), w <= maxWait { lo = mid } else { hi = mid }
        }
        return lo
    }

    /// Exact MVA of a closed network at `users`: (throughput, response).
    static func mva(_ stations: [ClosedStation], think: Double, users: Int) -> (x: Double, r: Double)? {
        guard let net = try? ClosedNetwork(stations: stations, thinkTimeSeconds: think),
              let all = try? net.exactMVA(maximumPopulation: users), let last = all.last else { return nil }
        return (last.throughputPerSecond, last.responseTimeSeconds)
    }

    /// Generalized harmonic number H(n, s) = sum_{k<=n} k^-s (exact to 10^4 terms, then the
    /// Euler-Maclaurin tail).
    static func harmonic(_ n: Int, s: Double) -> Double {
        let exact = min(n, 10_000)
        var h = 0.0
        for k in stride(from: exact, through: 1, by: -1) { h += pow(Double(k), -s) }
        guard n > exact else { return h }
        let a = Double(exact), b = Double(n)
        let integral = abs(s - 1) < 1e-12 ? log(b / a) : (pow(b, 1 - s) - pow(a, 1 - s)) / (1 - s)
        return h + integral + (pow(b, -s) - pow(a, -s)) / 2
    }

    /// Hit ratio of a TTL cache (an entry lives `ttl` from the miss that fills it) under Poisson
    /// requests at `rate` with Zipf(s) popularity over `keys`: a key requested at rate r cycles
    /// through one miss and Poisson(r T) hits, so its hit ratio is rT / (1 + rT);
    /// h = sum_k p_k r_k T / (1 + r_k T), r_k = rate p_k. Exact terms for the 10^4 most popular
    /// keys, the rest by the integral over a log grid.
    static func ttlHitRatio(rate: Double, ttl: Double, keys n: Int, s: Double) -> Double {
        let hn = harmonic(n, s: s)
        func term(_ k: Double) -> Double {
            let p = pow(k, -s) / hn
            let m = rate * p * ttl
            return p * m / (1 + m)
        }
        let exact = min(n, 10_000)
        var h = 0.0
        for k in 1...max(1, exact) { h += term(Double(k)) }
        guard n > exact else { return h }
        // integral_{exact+0.5}^{n+0.5} term(x) dx with x = e^u (Simpson, 2000 panels)
        let u0 = log(Double(exact) + 0.5), u1 = log(Double(n) + 0.5)
        let m = 2000
        let du = (u1 - u0) / Double(m)
        var acc = 0.0
        for i in 0...m {
            let u = u0 + Double(i) * du
            let w: Double = (i == 0 || i == m) ? 1 : (i % 2 == 1 ? 4 : 2)
            acc += w * term(exp(u)) * exp(u)
        }
        return h + acc * du / 3
    }

    /// The number of keys for which `ttlHitRatio` falls to `target` (bisection on log n).
    static func keysForHitRatio(_ target: Double, rate: Double, ttl: Double, s: Double) -> Double {
        var lo = log(10.0), hi = log(1e12)
        for _ in 0..<40 {
            let mid = (lo + hi) / 2
            if ttlHitRatio(rate: rate, ttl: ttl, keys: Int(exp(mid)), s: s) > target { lo = mid } else { hi = mid }
        }
        return exp((lo + hi) / 2)
    }

    /// Mean of the max of two independent uniforms U(a1, b1), U(a2, b2), by quadrature.
    static func meanMaxOfUniforms(_ a1: Double, _ b1: Double, _ a2: Double, _ b2: Double) -> Double {
        func cdf(_ x: Double, _ a: Double, _ b: Double) -> Double { min(1, max(0, (x - a) / (b - a))) }
        let lo = min(a1, a2), hi = max(b1, b2)
        let n = 20_000
        let dx = (hi - lo) / Double(n)
        var e = lo
        for i in 0..<n {
            let x = lo + (Double(i) + 0.5) * dx
            e += (1 - cdf(x, a1, b1) * cdf(x, a2, b2)) * dx
        }
        return e
    }
}

// MARK: - Formatting for findings

enum Fmt {
    static func ms(_ s: Double) -> String {
        let v = s * 1000
        return v >= 100 ? String(format: "%.0f ms", v) : v >= 10 ? String(format: "%.1f ms", v) : String(format: "%.2f ms", v)
    }
    static func s(_ s: Double) -> String { s >= 1 ? String(format: "%.2f s", s) : ms(s) }
    static func pct(_ f: Double) -> String {
        let p = f * 100
        return abs(p) >= 10 ? String(format: "%.0f%%", p) : abs(p) >= 1 ? String(format: "%.1f%%", p) : String(format: "%.2f%%", p)
    }
    static func num(_ x: Double) -> String {
        let a = abs(x)
        if a >= 10_000 { return groupThousands(Int(x.rounded())) }
        if a >= 100 { return String(format: "%.0f", x) }
        if a >= 10 { return String(format: "%.1f", x) }
        return String(format: "%.2f", x)
    }
    static func groupThousands(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + String(out.reversed())
    }
}
