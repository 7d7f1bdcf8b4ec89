import CGSL

/// A probability distribution of a non-negative quantity (a service time in seconds, a think
/// time, a count), as a plain value: no existential, no closure, so a station can hold one in a
/// contiguous array and draw from it in the inner loop.
///
/// Every family carries its analytic mean and squared coefficient of variation (SCV), so tests
/// compare simulation with theory and the analytic layer (Pollaczek-Khinchine, Allen-Cunneen)
/// reads the moments it needs. Draws go through GSL, except uniform (inlined on the stream's own
/// xoshiro state, bit for bit GSL's value) and exponential (the ziggurat method on the same
/// state, ``ExponentialZiggurat``, tested against the exponential law).
public enum Distribution: Sendable, Hashable, BitwiseCopyable {
    /// Always `value`.
    case constant(Double)
    /// Exponential with the given mean (rate 1/mean).
    case exponential(mean: Double)
    /// Uniform on [low, high].
    case uniform(low: Double, high: Double)
    /// Normal(mean, standardDeviation) truncated at zero by rejection, so no draw is negative.
    case truncatedNormal(mean: Double, standardDeviation: Double)
    /// Lognormal with the given mean and coefficient of variation (sigma^2 = ln(1 + cv^2)).
    case lognormal(mean: Double, cv: Double)
    /// Gamma with the given mean and coefficient of variation (shape 1/cv^2, scale mean*cv^2).
    case gamma(mean: Double, cv: Double)
    /// Erlang-k: the sum of k exponential phases, total mean `mean`.
    case erlang(phases: Int, mean: Double)
    /// Weibull with the given shape k and scale lambda: mean = lambda * Gamma(1 + 1/k).
    case weibull(shape: Double, scale: Double)
    /// Pareto with tail index alpha, truncated to [low, high] (inverse-CDF sampling).
    case boundedPareto(alpha: Double, low: Double, high: Double)
    /// Two-phase hyperexponential with balanced means fitted to a mean and a cv >= 1 (a cv below 1
    /// gives a plain exponential) (Whitt's balanced-means fit: p1 = (1 + sqrt((c^2-1)/(c^2+1)))/2, mu_i = 2 p_i / mean).
    case hyperexponential(mean: Double, cv: Double)
    /// Draws uniformly among observed samples (the empirical distribution function).
    case empirical(EmpiricalSamples)

    /// The analytic mean.
    public var mean: Double {
        switch self {
        case .constant(let v): return v
        case .exponential(let m): return m
        case .uniform(let a, let b): return (a + b) / 2
        case .truncatedNormal(let mu, let sd):
            guard sd > 0 else { return max(mu, 0) }
            // E[X | X > 0] for X ~ N(mu, sd): mu + sd * phi(a) / (1 - Phi(a)), a = -mu/sd.
            let a = -mu / sd
            GSLErrors.returnInsteadOfAborting()
            return mu + sd * gsl_ran_ugaussian_pdf(a) / gsl_cdf_ugaussian_Q(a)
        case .lognormal(let m, _), .gamma(let m, _), .hyperexponential(let m, _), .erlang(_, let m):
            return m
        case .weibull(let k, let lambda):
            GSLErrors.returnInsteadOfAborting()  // Γ overflows past 171: NaN, not an abort
            return lambda * gsl_sf_gamma(1 + 1 / k)
        case .boundedPareto(let alpha, let l, let h):
            return Distribution.boundedParetoMoment(alpha: alpha, low: l, high: h, order: 1)
        case .empirical(let s): return s.mean
        }
    }

    /// The analytic variance.
    public var variance: Double {
        switch self {
        case .constant: return 0
        case .exponential(let m): return m * m
        case .uniform(let a, let b): return (b - a) * (b - a) / 12
        case .truncatedNormal(let mu, let sd):
            guard sd > 0 else { return 0 }
            let a = -mu / sd
            GSLErrors.returnInsteadOfAborting()
            let lambda = gsl_ran_ugaussian_pdf(a) / gsl_cdf_ugaussian_Q(a)
            return sd * sd * (1 + a * lambda - lambda * lambda)
        case .lognormal(let m, let cv), .gamma(let m, let cv):
            return m * m * cv * cv
        case .hyperexponential(let m, let cv):
            // A two-phase hyperexponential cannot have cv < 1; below it the sampler draws a plain
            // exponential, and the moments say so.
            return m * m * max(1, cv * cv)
        case .erlang(let k, let m): return m * m / Double(k)
        case .weibull(let k, let lambda):
            GSLErrors.returnInsteadOfAborting()
            let g1 = gsl_sf_gamma(1 + 1 / k)
            return lambda * lambda * (gsl_sf_gamma(1 + 2 / k) - g1 * g1)
        case .boundedPareto(let alpha, let l, let h):
            let m1 = Distribution.boundedParetoMoment(alpha: alpha, low: l, high: h, order: 1)
            return Distribution.boundedParetoMoment(alpha: alpha, low: l, high: h, order: 2) - m1 * m1
        case .empirical(let s): return s.variance
        }
    }

    /// The squared coefficient of variation, variance / mean^2 (0 for a constant).
    public var squaredCV: Double {
        let m = mean
        return m > 0 ? variance / (m * m) : 0
    }

    /// E[X^order] of a Pareto(alpha) truncated to [low, high].
    static func boundedParetoMoment(alpha: Double, low l: Double, high h: Double, order j: Double) -> Double {
        let norm = alpha * pow(l, alpha) / (1 - pow(l / h, alpha))
        if abs(alpha - j) < 1e-12 { return norm * log(h / l) }
        return norm * (pow(h, j - alpha) - pow(l, j - alpha)) / (j - alpha)
    }

    /// A draw from this distribution on `stream`.
    ///
    /// - Complexity: O(1) except truncated normal (expected O(1) rejections) and Erlang-k (O(k)
    ///   inside GSL's gamma sampler, which handles integer shape).
    @inlinable
    public func sample(_ stream: RandomStream) -> Double { sample(stream.handle) }

    /// A draw on a borrowed stream handle (hot loops). Always inlined: the exponential, constant
    /// and uniform cases are a few instructions, and an out-of-line call plus a switch over every
    /// family cost more than the draw itself (bench/PROFILE.md); the rest calls GSL out of line.
    @inlinable @inline(__always)
    public func sample(_ stream: RandomStreamHandle) -> Double {
        switch self {
        case .exponential(let m): return m * ExponentialZiggurat.standard(stream)
        case .constant(let v): return v
        case .uniform(let a, let b): return a + (b - a) * stream.uniform()
        default: return sampleThroughGSL(stream)
        }
    }

    @usableFromInline
    func sampleThroughGSL(_ stream: RandomStreamHandle) -> Double {
        let r = stream.generator
        switch self {
        case .constant(let v): return v
        case .exponential(let m): return gsl_ran_exponential(r, m)
        case .uniform(let a, let b): return gsl_ran_flat(r, a, b)
        case .truncatedNormal(let mu, let sd):
            guard sd > 0 else { return max(mu, 0) }
            // Rejection below zero. When mu is far below zero this would spin: sample the tail
            // with GSL's dedicated upper-tail sampler instead.
            if mu / sd < -3 {
                return mu + gsl_ran_gaussian_tail(r, -mu, sd)
            }
            while true {
                let x = mu + gsl_ran_gaussian_ziggurat(r, sd)
                if x >= 0 { return x }
            }
        case .lognormal(let m, let cv):
            let sigma2 = log(1 + cv * cv)
            return gsl_ran_lognormal(r, log(m) - sigma2 / 2, sigma2.squareRoot())
        case .gamma(let m, let cv):
            guard cv > 0 else { return m }
            let shape = 1 / (cv * cv)
            return gsl_ran_gamma(r, shape, m / shape)
        case .erlang(let k, let m):
            return gsl_ran_gamma(r, Double(k), m / Double(k))
        case .weibull(let k, let lambda):
            return gsl_ran_weibull(r, lambda, k)
        case .boundedPareto(let alpha, let l, let h):
            // Inverse CDF of the truncated Pareto: x = l / (1 - u (1 - (l/h)^alpha))^(1/alpha).
            let u = gsl_rng_uniform(r)
            return l / pow(1 - u * (1 - pow(l / h, alpha)), 1 / alpha)
        case .hyperexponential(let m, let cv):
            let c2 = cv * cv
            guard c2 > 1 else { return gsl_ran_exponential(r, m) }
            let p1 = 0.5 * (1 + ((c2 - 1) / (c2 + 1)).squareRoot())
            // Balanced means: p_i / mu_i = mean / 2, so phase i has mean m / (2 p_i).
            if gsl_rng_uniform(r) < p1 {
                return gsl_ran_exponential(r, m / (2 * p1))
            } else {
                return gsl_ran_exponential(r, m / (2 * (1 - p1)))
            }
        case .empirical(let s):
            guard !s.cumulative.isEmpty else {
                let i = Int(gsl_rng_uniform_int(r, UInt(s.values.count)))
                return s.values[i]
            }
            return s.inverseCDF(gsl_rng_uniform(r))
        }
    }
}

import Synchronization

/// Observed samples for an empirical distribution, with their moments computed once.
///
/// Three shapes, all drawn by one uniform: equally likely samples (raw measurements: a uniform
/// index, as before weights existed), weighted samples (a value measured with a count, e.g. a
/// query's mean with its calls), and a histogram (bucket edges with cumulative probabilities,
/// as Prometheus `le` buckets and HdrHistogram percentile tables give them): the CDF is linear
/// between consecutive edges, i.e. draws are uniform inside a bucket, as Prometheus'
/// `histogram_quantile` assumes.
///
/// The values live in immortal buffers, interned by content: a model loaded many times (a
/// sweep) shares one copy, and ``Distribution`` stays trivially copyable, so drawing from an
/// array of distributions in the inner loop costs no reference counting.
public struct EmpiricalSamples: @unchecked Sendable, Hashable, BitwiseCopyable {
    /// Samples, or histogram edges in increasing order.
    public let values: UnsafeBufferPointer<Double>
    /// Empty for equally likely samples; else P(X <= values[i]) for a histogram, or the weight of
    /// values[0...i] over the total for weighted samples. The last entry is 1.
    public let cumulative: UnsafeBufferPointer<Double>
    /// True for a histogram (linear CDF between edges), false for samples.
    public let interpolates: Bool
    public let mean: Double
    public let variance: Double

    private struct Key: Hashable { var values: [Double]; var cumulative: [Double] }
    private static let interned = Mutex<[Key: (UnsafeBufferPointer<Double>, UnsafeBufferPointer<Double>)]>([:])

    private static func intern(_ values: [Double], _ cumulative: [Double]) -> (UnsafeBufferPointer<Double>, UnsafeBufferPointer<Double>) {
        interned.withLock { table in
            let key = Key(values: values, cumulative: cumulative)
            if let existing = table[key] { return existing }
            func store(_ a: [Double]) -> UnsafeBufferPointer<Double> {
                let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(1, a.count))
                _ = buffer.initialize(from: a)
                return UnsafeBufferPointer(rebasing: UnsafeBufferPointer(buffer)[0..<a.count])
            }
            let stored = (store(values), store(cumulative))
            table[key] = stored
            return stored
        }
    }

    /// Equally likely samples.
    /// - Precondition: `values` is non-empty and every value is finite and non-negative
    ///   (the model layer checks this and reports the file and line).
    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "empirical distribution needs at least one sample")
        (self.values, self.cumulative) = EmpiricalSamples.intern(values, [])
        interpolates = false
        let (mean, variance): (Double, Double) = values.withUnsafeBufferPointer { buffer in
            let m = gsl_stats_mean(buffer.baseAddress, 1, buffer.count)
            // Population variance: the distribution is exactly these samples, equally likely.
            let v = buffer.count > 1
                ? gsl_stats_variance_with_fixed_mean(buffer.baseAddress, 1, buffer.count, m) : 0
            return (m, v)
        }
        self.mean = mean
        self.variance = variance
    }

    /// Weighted samples: `values[i]` has probability `weights[i] / sum(weights)`.
    /// - Precondition: same length, non-empty, weights non-negative with a positive sum.
    public init(values: [Double], weights: [Double]) {
        precondition(!values.isEmpty && values.count == weights.count, "one weight per sample")
        let total = weights.reduce(0, +)
        precondition(total > 0 && weights.allSatisfy { $0 >= 0 }, "weights are non-negative with a positive sum")
        var cumulative = [Double](repeating: 0, count: weights.count)
        var running = 0.0
        var m = 0.0, m2 = 0.0
        for i in values.indices {
            running += weights[i]
            cumulative[i] = running / total
            let p = weights[i] / total
            m += p * values[i]; m2 += p * values[i] * values[i]
        }
        cumulative[cumulative.count - 1] = 1
        (self.values, self.cumulative) = EmpiricalSamples.intern(values, cumulative)
        interpolates = false
        mean = m
        variance = max(0, m2 - m * m)
    }

    /// Weighted samples given as cumulative probabilities: `values[i]` has probability
    /// cumulative[i] − cumulative[i − 1] (the model layer's form).
    public init(values: [Double], cumulative: [Double]) {
        precondition(!values.isEmpty && values.count == cumulative.count, "one cumulative probability per sample")
        var weights = [Double](repeating: 0, count: values.count)
        for i in values.indices { weights[i] = max(0, cumulative[i] - (i > 0 ? cumulative[i - 1] : 0)) }
        self.init(values: values, weights: weights)
    }

    /// A histogram: P(X <= edges[i]) = cumulative[i], linear in between (uniform inside a
    /// bucket); a positive cumulative[0] is a point mass at edges[0].
    /// - Precondition: at least one edge; edges and cumulative non-decreasing; the last is 1.
    public init(edges: [Double], cumulative: [Double]) {
        precondition(!edges.isEmpty && edges.count == cumulative.count, "one cumulative probability per edge")
        precondition(abs(cumulative[cumulative.count - 1] - 1) < 1e-9, "the cumulative probabilities end at 1")
        var c = cumulative
        c[c.count - 1] = 1
        (self.values, self.cumulative) = EmpiricalSamples.intern(edges, c)
        interpolates = true
        // A bucket [a, b] with mass p contributes p (a + b) / 2 and p (a² + ab + b²) / 3.
        var m = c[0] * edges[0], m2 = c[0] * edges[0] * edges[0]
        if edges.count > 1 {
            for i in 1..<edges.count {
                let p = c[i] - c[i - 1], a = edges[i - 1], b = edges[i]
                m += p * (a + b) / 2
                m2 += p * (a * a + a * b + b * b) / 3
            }
        }
        mean = m
        variance = max(0, m2 - m * m)
    }

    /// The draw for uniform `u` in [0, 1): the first entry whose cumulative probability exceeds
    /// u (binary search, O(log n)); inside a histogram bucket, linear interpolation.
    @usableFromInline
    func inverseCDF(_ u: Double) -> Double {
        var low = 0, high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if u < cumulative[mid] { high = mid } else { low = mid + 1 }
        }
        guard interpolates, low > 0 else { return values[low] }
        let f0 = cumulative[low - 1], f1 = cumulative[low]
        let a = values[low - 1], b = values[low]
        return f1 > f0 ? a + (b - a) * (u - f0) / (f1 - f0) : b
    }

    public static func == (a: EmpiricalSamples, b: EmpiricalSamples) -> Bool {
        a.values.baseAddress == b.values.baseAddress && a.cumulative.baseAddress == b.cumulative.baseAddress
            && a.interpolates == b.interpolates
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(values.baseAddress); hasher.combine(interpolates) }
}
