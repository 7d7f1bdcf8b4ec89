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

    func density(_ x: Double, mean m: Double, cv: Double) -> Double {
        switch self {
        case .lognormal:
            let s2 = log(1 + cv * cv)
            return gsl_ran_lognormal_pdf(x, log(m) - s2 / 2, s2.squareRoot())
        case .gamma:
            let k = 1 / (cv * cv)
            return gsl_ran_gamma_pdf(x, k, m / k)
        case .exponential:
            return gsl_ran_exponential_pdf(x, m)
        }
    }

    /// P(X <= x) and P(X > x), each computed directly (GSL's _P and _Q) so neither loses precision
    /// in the tails.
    func cdf(_ x: Double, mean m: Double, cv: Double) -> (lower: Double, upper: Double) {
        switch self {
        case .lognormal:
            let s2 = log(1 + cv * cv), zeta = log(m) - s2 / 2, s = s2.squareRoot()
            return (gsl_cdf_lognormal_P(x, zeta, s), gsl_cdf_lognormal_Q(x, zeta, s))
        case .gamma:
            let k = 1 / (cv * cv)
            return (gsl_cdf_gamma_P(x, k, m / k), gsl_cdf_gamma_Q(x, k, m / k))
        case .exponential:
            return (gsl_cdf_exponential_P(x, m), gsl_cdf_exponential_Q(x, m))
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
        switch self {
        case .lognormal:
            let s2 = log(1 + cv * cv)
            return gsl_cdf_lognormal_Pinv(p, log(m) - s2 / 2, s2.squareRoot())
        case .gamma:
            let k = 1 / (cv * cv)
            return gsl_cdf_gamma_Pinv(p, k, m / k)
        case .exponential:
            return gsl_cdf_exponential_Pinv(p, m)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
