import CGSL

/// Service-time families a summary (mean, standard deviation, min, max over n calls — what
/// pg_stat_statements keeps) can be fitted to, by moments, and judged by the likelihood of the
/// observed extremes.
public enum ServiceTimeFamily: String, Sendable, CaseIterable {
    case lognormal, gamma, exponential

    /// log f(x) for the family with this mean and coefficient of variation (GSL densities).
    public func logDensity(_ x: Double, mean m: Double, cv: Double) -> Double {
        log(density(x, mean: m, cv: cv))
    }

    /// GSL's parameters of the family member with mean `m` and coefficient of variation `cv`,
    /// by moments: lognormal σ² = ln(1 + cv²), ζ = ln m − σ²/2; gamma shape k = 1/cv², scale m/k.
    enum Parameters {
        case lognormal(zeta: Double, sigma: Double)
        case gamma(shape: Double, scale: Double)
        case exponential(mean: Double)
    }

    func parameters(mean m: Double, cv: Double) -> Parameters {
        // Every density, CDF and quantile of a fitted family starts here.
        GSLErrors.returnInsteadOfAborting()
        switch self {
        case .lognormal:
            let s2 = log(1 + cv * cv)
            return .lognormal(zeta: log(m) - s2 / 2, sigma: s2.squareRoot())
        case .gamma:
            let k = 1 / (cv * cv)
            return .gamma(shape: k, scale: m / k)
        case .exponential:
            return .exponential(mean: m)
        }
    }

    func density(_ x: Double, mean m: Double, cv: Double) -> Double {
        switch parameters(mean: m, cv: cv) {
        case let .lognormal(zeta, sigma): return gsl_ran_lognormal_pdf(x, zeta, sigma)
        case let .gamma(k, theta): return gsl_ran_gamma_pdf(x, k, theta)
        case let .exponential(mean): return gsl_ran_exponential_pdf(x, mean)
        }
    }

    /// P(X <= x) and P(X > x), each computed directly (GSL's _P and _Q) so neither loses precision
    /// in the tails.
    func cdf(_ x: Double, mean m: Double, cv: Double) -> (lower: Double, upper: Double) {
        switch parameters(mean: m, cv: cv) {
        case let .lognormal(zeta, sigma): return (gsl_cdf_lognormal_P(x, zeta, sigma), gsl_cdf_lognormal_Q(x, zeta, sigma))
        case let .gamma(k, theta): return (gsl_cdf_gamma_P(x, k, theta), gsl_cdf_gamma_Q(x, k, theta))
        case let .exponential(mean): return (gsl_cdf_exponential_P(x, mean), gsl_cdf_exponential_Q(x, mean))
        }
    }

    /// Log-likelihood of observing minimum `a` and maximum `b` in `n` independent draws: the joint
    /// density of the two extreme order statistics, n (n − 1) f(a) f(b) (F(b) − F(a))^(n − 2).
    /// nil when it is undefined (fewer than two draws, or a ≥ b).
    public func extremesLogLikelihood(minimum a: Double, maximum b: Double, count n: Int, mean m: Double, cv: Double) -> Double? {
        guard n >= 2, a < b, a >= 0, m > 0, cv > 0 else { return nil }
        let (fa, _) = cdf(a, mean: m, cv: cv)
        let (_, qb) = cdf(b, mean: m, cv: cv)
        let between = 1 - fa - qb
        let da = density(a, mean: m, cv: cv), db = density(b, mean: m, cv: cv)
        guard da > 0, db > 0, between > 0 else { return -.infinity }
        let nn = Double(n)
        return log(nn) + log(nn - 1) + log(da) + log(db) + (nn - 2) * log1p(-(fa + qb))
    }

    /// The value with P(X <= x) = p.
    public func quantile(_ p: Double, mean m: Double, cv: Double) -> Double {
        switch parameters(mean: m, cv: cv) {
        case let .lognormal(zeta, sigma): return gsl_cdf_lognormal_Pinv(p, zeta, sigma)
        case let .gamma(k, theta): return gsl_cdf_gamma_Pinv(p, k, theta)
        case let .exponential(mean): return gsl_cdf_exponential_Pinv(p, mean)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
