import CGSL
import HeadroomKernel
import HeadroomModel

extension Distribution {
    /// The kernel distribution a model's distribution spec describes.
    public init(_ spec: DistributionSpec) {
        switch spec {
        case .constant(let v): self = .constant(v)
        case .exponential(let m): self = .exponential(mean: m)
        case .uniform(let a, let b): self = .uniform(low: a, high: b)
        case .normal(let m, let sd): self = .truncatedNormal(mean: m, standardDeviation: sd)
        case .lognormal(let m, let cv): self = .lognormal(mean: m, cv: cv)
        case .gamma(let m, let cv): self = .gamma(mean: m, cv: cv)
        case .erlang(let k, let m): self = .erlang(phases: k, mean: m)
        case .weibull(let k, let scale): self = .weibull(shape: k, scale: scale)
        case .pareto(let alpha, let low, let high): self = .boundedPareto(alpha: alpha, low: low, high: high)
        case .hyperexponential(let m, let cv): self = .hyperexponential(mean: m, cv: cv)
        case .empirical(let values): self = .empirical(EmpiricalSamples(values))
        case .tabulated(let t):
            self = .empirical(t.isHistogram ? EmpiricalSamples(edges: t.values, cumulative: t.cumulative)
                : EmpiricalSamples(values: t.values, cumulative: t.cumulative))
        }
    }
}

/// Draws a non-negative count (the N of an N+1 loop) from a model's count spec through GSL.
struct CountSampler {
    let spec: CountSpec

    func sample(_ stream: RandomStreamHandle) -> Int {
        let r = stream.generator
        switch spec {
        case .constant(let n): return n
        case .uniform(let low, let high):
            return low + Int(gsl_rng_uniform_int(r, UInt(high - low + 1)))
        case .poisson(let mean):
            return Int(gsl_ran_poisson(r, mean))
        case .geometric(let mean):
            // GSL's geometric counts trials to the first success, on {1, 2, ...}; shift to {0, 1, ...}.
            return Int(gsl_ran_geometric(r, 1 / (1 + mean))) - 1
        }
    }
}

/// Keys drawn by popularity: Zipf with exponent s over n keys (P(k) proportional to 1/k^s),
/// sampled in O(1) by GSL's Walker alias tables (`gsl_ran_discrete_preproc` builds them).
///
/// A draw reads the tables in Swift, inlined, instead of calling `gsl_ran_discrete` (3.4% of
/// the cache-zipf model's time, most of it the call and GSL's indirect call for the uniform):
/// the same steps on the same uniform, so the same key as GSL's. GSL 2.x:
/// `u = gsl_rng_uniform(r); c = u * K; f = F[c]; return f == 1 || u < f ? c : A[c]`.
final class ZipfKeys {
    let table: UnsafeMutablePointer<gsl_ran_discrete_t>
    let count: Int
    private let size: Double
    private let cutoffs: UnsafeMutablePointer<Double>
    private let aliases: UnsafeMutablePointer<Int>

    init(s: Double, n: Int) {
        var weights = [Double](repeating: 0, count: n)
        for k in 0..<n { weights[k] = 1 / pow(Double(k + 1), s) }
        table = gsl_ran_discrete_preproc(n, weights)
        count = n
        size = Double(table.pointee.K)
        cutoffs = table.pointee.F
        aliases = table.pointee.A
    }

    deinit { gsl_ran_discrete_free(table) }

    @inline(__always)
    func sample(_ stream: RandomStreamHandle) -> Int32 {
        let u = stream.uniform()
        let c = Int(u * size)
        let f = cutoffs[c]
        return Int32(truncatingIfNeeded: f == 1 || u < f ? c : aliases[c])
    }
}

#if canImport(Glibc)
import Glibc
#endif
