import CGSL
import Foundation
import HeadroomKernel
import Testing

/// A distribution under test, named for the report.
struct DistributionCase: Sendable, CustomTestStringConvertible {
    var distribution: Distribution
    var seed: UInt64
    var testDescription: String { "\(distribution)" }
}

@Suite("Distributions")
struct DistributionTests {
    static let cases: [DistributionCase] = [
        .init(distribution: .exponential(mean: 0.5), seed: 1),
        .init(distribution: .uniform(low: 1, high: 3), seed: 2),
        .init(distribution: .truncatedNormal(mean: 1, standardDeviation: 0.5), seed: 3),
        .init(distribution: .truncatedNormal(mean: 0.2, standardDeviation: 1), seed: 4),     // heavy truncation, rejection
        .init(distribution: .truncatedNormal(mean: -4, standardDeviation: 1), seed: 5),      // GSL's tail sampler
        .init(distribution: .lognormal(mean: 1, cv: 0.8), seed: 6),
        .init(distribution: .gamma(mean: 2, cv: 0.5), seed: 7),
        .init(distribution: .gamma(mean: 1, cv: 1.5), seed: 8),                              // shape < 1
        .init(distribution: .erlang(phases: 3, mean: 1.5), seed: 9),
        .init(distribution: .weibull(shape: 1.5, scale: 1), seed: 10),
        .init(distribution: .weibull(shape: 0.8, scale: 2), seed: 11),
        .init(distribution: .boundedPareto(alpha: 2.5, low: 1, high: 50), seed: 12),
        .init(distribution: .boundedPareto(alpha: 2, low: 0.5, high: 20), seed: 13),          // alpha = 2: log form of E[X^2]
        .init(distribution: .boundedPareto(alpha: 1, low: 1, high: 10), seed: 14),            // alpha = 1: log form of E[X]
        .init(distribution: .hyperexponential(mean: 1, cv: 2), seed: 15),
        .init(distribution: .hyperexponential(mean: 0.3, cv: 1), seed: 16),                  // cv = 1: plain exponential
        .init(distribution: .empirical(EmpiricalSamples([0.1, 0.2, 0.2, 0.5, 1.0, 3.0])), seed: 17),
    ]

    /// n = 200k draws. The mean is checked against 4 standard errors sqrt(Var/n) computed from
    /// the *analytic* variance; the variance against 4 standard errors of the sample variance,
    /// sqrt((m4 - s^4) / n), with m4 the sample fourth central moment. Both are confidence
    /// intervals (a normal 4-sigma interval misses with probability 6e-5), not fudge factors.
    @Test("sample mean and variance agree with the analytic mean and variance", arguments: cases)
    func momentsMatch(_ c: DistributionCase) {
        let n = 200_000
        let stream = RandomStream(masterSeed: c.seed, name: "distribution-test")
        var draws = [Double](repeating: 0, count: n)
        for i in 0..<n { draws[i] = c.distribution.sample(stream) }
        let mean = draws.reduce(0, +) / Double(n)
        var m2 = 0.0, m4 = 0.0
        for x in draws {
            let d = (x - mean) * (x - mean)
            m2 += d
            m4 += d * d
        }
        let variance = m2 / Double(n - 1)
        m4 /= Double(n)

        #expect(draws.min()! >= 0, "a duration is never negative")
        let seMean = (c.distribution.variance / Double(n)).squareRoot()
        #expect(abs(mean - c.distribution.mean) <= 4 * seMean,
                "mean \(mean) vs analytic \(c.distribution.mean), SE \(seMean)")
        let seVariance = (max(0, m4 - variance * variance) / Double(n)).squareRoot()
        #expect(abs(variance - c.distribution.variance) <= 4 * seVariance,
                "variance \(variance) vs analytic \(c.distribution.variance), SE \(seVariance)")
    }

    @Test("a constant always draws its value and has zero variance")
    func constant() {
        let stream = RandomStream(seed: 1)
        for _ in 0..<1_000 { #expect(Distribution.constant(2.5).sample(stream) == 2.5) }
        #expect(Distribution.constant(2.5).mean == 2.5)
        #expect(Distribution.constant(2.5).variance == 0)
        #expect(Distribution.constant(2.5).squaredCV == 0)
    }

    @Test("squared coefficient of variation is variance over mean squared, as the constructors promise",
          arguments: [
            (Distribution.exponential(mean: 3), 1.0),
            (.erlang(phases: 4, mean: 2), 0.25),
            (.hyperexponential(mean: 1, cv: 3), 9.0),
            (.gamma(mean: 5, cv: 0.4), 0.16),
            (.lognormal(mean: 0.2, cv: 1.2), 1.44),
            (.uniform(low: 0, high: 2), 1.0 / 3),
          ])
    func squaredCV(_ distribution: Distribution, expected: Double) {
        #expect(abs(distribution.squaredCV - expected) <= 1e-12 * expected)
    }

    /// The cumulative distribution function of a case, from GSL where it has one.
    static func cdf(_ d: Distribution) -> (Double) -> Double {
        switch d {
        case .exponential(let m): return { gsl_cdf_exponential_P($0, m) }
        case .uniform(let a, let b): return { gsl_cdf_flat_P($0, a, b) }
        case .gamma(let m, let cv): return { gsl_cdf_gamma_P($0, 1 / (cv * cv), m * cv * cv) }
        case .erlang(let k, let m): return { gsl_cdf_gamma_P($0, Double(k), m / Double(k)) }
        case .lognormal(let m, let cv):
            let s2 = log(1 + cv * cv)
            return { gsl_cdf_lognormal_P($0, log(m) - s2 / 2, s2.squareRoot()) }
        case .weibull(let k, let lambda): return { gsl_cdf_weibull_P($0, lambda, k) }
        case .truncatedNormal(let mu, let sd):
            let below = gsl_cdf_gaussian_P(-mu, sd)
            return { max(0, gsl_cdf_gaussian_P($0 - mu, sd) - below) / (1 - below) }
        case .boundedPareto(let alpha, let l, let h):
            return { x in x <= l ? 0 : (1 - pow(l / x, alpha)) / (1 - pow(l / h, alpha)) }
        case .hyperexponential(let m, let cv):
            let c2 = cv * cv
            let p1 = 0.5 * (1 + ((c2 - 1) / (c2 + 1)).squareRoot())
            return { x in p1 * (1 - exp(-x * 2 * p1 / m)) + (1 - p1) * (1 - exp(-x * 2 * (1 - p1) / m)) }
        default: fatalError("no CDF for \(d)")
        }
    }

    /// Kolmogorov-Smirnov against the exact CDF with n = 50k draws: sqrt(n) D exceeds 1.9495
    /// with probability 0.001 under the null (Kolmogorov's limit law). Catches a sampler with
    /// the right moments but the wrong shape, whatever method draws it (inversion, ziggurat...).
    @Test("draws follow the distribution's CDF (Kolmogorov-Smirnov at the 0.1% level)",
          arguments: cases.filter { if case .empirical = $0.distribution { return false } else { return true } })
    func kolmogorovSmirnov(_ c: DistributionCase) {
        let n = 50_000
        let stream = RandomStream(masterSeed: c.seed, name: "ks-test")
        var draws = (0..<n).map { _ in c.distribution.sample(stream) }
        draws.sort()
        let cdf = Self.cdf(c.distribution)
        var d = 0.0
        for (i, x) in draws.enumerated() {
            let f = cdf(x)
            d = max(d, Double(i + 1) / Double(n) - f, f - Double(i) / Double(n))
        }
        #expect(Double(n).squareRoot() * d <= 1.9495, "KS statistic sqrt(n) D = \(Double(n).squareRoot() * d)")
    }

    @Test("empirical draws only ever return the observed samples, each about equally often")
    func empiricalSupport() {
        let values = [0.5, 1.5, 4.0, 9.0]
        let d = Distribution.empirical(EmpiricalSamples(values))
        let stream = RandomStream(seed: 12)
        var counts = [Double: Int]()
        let n = 40_000
        for _ in 0..<n { counts[d.sample(stream), default: 0] += 1 }
        #expect(Set(counts.keys) == Set(values))
        // Each count is Binomial(n, 1/4): sd = sqrt(n p (1 - p)) ~ 87; 4 sd ~ 346.
        let sd = (Double(n) * 0.25 * 0.75).squareRoot()
        for (_, k) in counts { #expect(abs(Double(k) - Double(n) / 4) <= 4 * sd) }
    }

    @Test("weighted empirical draws return each value with its weight's share")
    func weightedEmpiricalFrequencies() {
        let d = Distribution.empirical(EmpiricalSamples(values: [0.5, 1.5, 4.0], weights: [1, 2, 5]))
        #expect(abs(d.mean - (0.5 + 3.0 + 20.0) / 8) < 1e-12)
        let stream = RandomStream(seed: 21)
        var counts = [Double: Int]()
        let n = 40_000
        for _ in 0..<n { counts[d.sample(stream), default: 0] += 1 }
        #expect(Set(counts.keys) == [0.5, 1.5, 4.0])
        for (v, p) in [(0.5, 1.0 / 8), (1.5, 2.0 / 8), (4.0, 5.0 / 8)] {
            // Binomial(n, p): within 4 standard deviations.
            let sd = (Double(n) * p * (1 - p)).squareRoot()
            #expect(abs(Double(counts[v] ?? 0) - Double(n) * p) <= 4 * sd)
        }
    }

    @Test("histogram draws follow the piecewise-linear CDF (Kolmogorov-Smirnov at the 0.1% level), moments exact")
    func histogramFollowsItsCDF() {
        let edges = [0.001, 0.002, 0.004, 0.010], cumulative = [0.25, 0.5, 0.9, 1]
        let d = Distribution.empirical(EmpiricalSamples(edges: edges, cumulative: cumulative))
        func cdf(_ x: Double) -> Double {
            if x < edges[0] { return 0 }
            for i in 1..<edges.count where x < edges[i] {
                return cumulative[i - 1] + (cumulative[i] - cumulative[i - 1]) * (x - edges[i - 1]) / (edges[i] - edges[i - 1])
            }
            return 1
        }
        let n = 50_000
        let stream = RandomStream(masterSeed: 5, name: "histogram")
        var draws = (0..<n).map { _ in d.sample(stream) }
        draws.sort()
        // Kolmogorov-Smirnov with an atom: a run of equal draws is compared with the CDF's left
        // limit at its first draw and its value at its last (the statistic is then conservative).
        var ks = 0.0
        var i = 0
        while i < n {
            var j = i
            while j + 1 < n && draws[j + 1] == draws[i] { j += 1 }
            let x = draws[i]
            let left = x <= edges[0] ? 0 : cdf(x)
            ks = max(ks, Double(j + 1) / Double(n) - cdf(x), left - Double(i) / Double(n))
            i = j + 1
        }
        #expect(Double(n).squareRoot() * ks <= 1.9495)
        let mean = draws.reduce(0, +) / Double(n)
        let sd = d.variance.squareRoot()
        #expect(abs(mean - d.mean) <= 4 * sd / Double(n).squareRoot())
        #expect(abs(d.mean - (0.25 * 0.001 + 0.25 * 0.0015 + 0.4 * 0.003 + 0.1 * 0.007)) < 1e-15)
    }
}
