import Foundation

/// A closed network of load-dependent stations solved by convolution (Buzen's algorithm with
/// load-dependent rates), in logarithms: with `mu_k(j)` station k's completion rate (jobs per
/// second, demands folded in) when j jobs are there,
///
///     f_k(j) = 1 / prod_{i=1..j} mu_k(i),   G = f_1 * ... * f_K,   X(N) = G(N - 1) / G(N),
///     P_k(j | N) = f_k(j) G_{-k}(N - j) / G(N)
///
/// (Lazowska et al. 1984, ch. 8 and 20). Issue 19, item 3: a closed load's pool and the database
/// its holders share are one station whose rate with j requests there is the flow-equivalent
/// database's release rate at min(j, connections), divided by the acquisitions per request
/// (`ClosedPoolNetwork`); exact, by Norton's theorem, when the rest of the network is product
/// form (think time and delays, exponential CPU at FCFS workers) and the requests there queue
/// for one pool.
public struct LoadDependentClosedNetwork: Sendable {
    public struct Station: Sendable {
        public var name: String
        /// Completions per second with j = 1, 2, ... jobs present; held at its last value beyond.
        public var ratePerSecond: [Double]
        public init(name: String, ratePerSecond: [Double]) { self.name = name; self.ratePerSecond = ratePerSecond }
        func rate(_ j: Int) -> Double { ratePerSecond[min(j, ratePerSecond.count) - 1] }
    }

    public let population: Int
    /// X(n) for n = 1 ... population.
    public let throughputPerSecond: [Double]
    /// P(j jobs at station `observed` | population), j = 0 ... population.
    public let observedMarginal: [Double]
    /// The same with one job fewer (what an arriving job sees: the arrival theorem).
    public let observedMarginalSeenOnArrival: [Double]

    /// `thinkSeconds`: an infinite-server delay (mean think time); `observed`: the station whose
    /// marginal distribution is kept. Cost O(K N^2).
    public init(stations: [Station], thinkSeconds: Double, population n: Int, observed: Int) throws {
        try requireAtLeast(n, 1, "population")
        try requireNonNegative(thinkSeconds, "thinkSeconds")
        guard stations.indices.contains(observed) else {
            throw QueueingError.invalidArgument(name: "observed", value: Double(observed), requirement: "a station's index")
        }
        for s in stations where s.ratePerSecond.isEmpty || s.ratePerSecond.contains(where: { !($0 > 0 && $0.isFinite) }) {
            throw QueueingError.invalidArgument(name: "\(s.name).ratePerSecond", value: s.ratePerSecond.first ?? 0, requirement: "> 0 and finite")
        }
        population = n
        func logF(_ s: Station) -> [Double] {
            var f = [Double](repeating: 0, count: n + 1)
            for j in 1...n { f[j] = f[j - 1] - log(s.rate(j)) }
            return f
        }
        func convolve(_ a: [Double], _ b: [Double]) -> [Double] {
            var out = [Double](repeating: -.infinity, count: n + 1)
            for m in 0...n {
                var top = -Double.infinity
                for j in 0...m where a[j] > -.infinity && b[m - j] > -.infinity { top = max(top, a[j] + b[m - j]) }
                guard top > -.infinity else { continue }
                var sum = 0.0
                for j in 0...m where a[j] > -.infinity && b[m - j] > -.infinity { sum += exp(a[j] + b[m - j] - top) }
                out[m] = top + log(sum)
            }
            return out
        }
        // The think time: f(j) = Z^j / j!; none: only j = 0.
        var others = [Double](repeating: -.infinity, count: n + 1)
        others[0] = 0
        if thinkSeconds > 0 { for j in 1...n { others[j] = others[j - 1] + log(thinkSeconds) - log(Double(j)) } }
        for (k, s) in stations.enumerated() where k != observed { others = convolve(others, logF(s)) }
        let f = logF(stations[observed])
        let g = convolve(others, f)
        throughputPerSecond = (1...n).map { exp(g[$0 - 1] - g[$0]) }
        func marginal(_ m: Int) -> [Double] {
            (0...n).map { j in j <= m && others[m - j] > -.infinity ? exp(f[j] + others[m - j] - g[m]) : 0 }
        }
        observedMarginal = marginal(n)
        observedMarginalSeenOnArrival = marginal(n - 1)
    }

    public func throughput(population n: Int) -> Double { throughputPerSecond[n - 1] }
}
