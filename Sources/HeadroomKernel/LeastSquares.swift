import CGSL

/// The result of a nonlinear least-squares fit.
public struct LeastSquaresFit: Sendable {
    /// Estimates, in the order of the initial guess.
    public var parameters: [Double]
    /// Asymptotic standard errors: sqrt of the diagonal of s² (JᵀWJ)⁻¹ at the solution, with
    /// s² = SSR / (n − p) the residual variance (so they hold when the weights are only relative).
    public var standardErrors: [Double]
    /// s² (JᵀWJ)⁻¹, row-major p × p.
    public var covariance: [Double]
    /// Observed minus fitted, per observation (unweighted).
    public var residuals: [Double]
    /// Weighted sum of squared residuals.
    public var sumOfSquares: Double
    /// n − p.
    public var degreesOfFreedom: Int
    public var iterations: Int

    /// Two-sided Student-t quantile for a confidence interval at `level` with the fit's degrees of freedom.
    public func tQuantile(level: Double = 0.95) -> Double {
        gsl_cdf_tdist_Pinv(0.5 + level / 2, Double(max(1, degreesOfFreedom)))
    }
}

public struct LeastSquaresFailure: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// Nonlinear least squares by GSL's trust-region Levenberg-Marquardt (`gsl_multifit_nlinear`,
/// Jacobian by GSL's forward differences): minimises Σ wᵢ (yᵢ − f(θ, i))².
public enum NonlinearLeastSquares {
    /// The data a fit's C callback reads, passed to GSL as an opaque pointer.
    private final class Problem {
        let observations: [Double]
        let predict: ([Double], Int) -> Double
        init(observations: [Double], predict: @escaping ([Double], Int) -> Double) {
            self.observations = observations; self.predict = predict
        }
    }

    /// Fits `predict(θ, i)` to `observations[i]` from `initial`.
    /// - Parameters:
    ///   - weights: wᵢ > 0 (e.g. 1/σᵢ²); nil for equal weights.
    /// - Throws: ``LeastSquaresFailure`` when there are fewer observations than parameters, or GSL
    ///   fails to converge or meets a non-finite value.
    public static func fit(observations: [Double], weights: [Double]? = nil, initial: [Double],
                           maxIterations: Int = 500,
                           predict: @escaping ([Double], Int) -> Double) throws(LeastSquaresFailure) -> LeastSquaresFit {
        let n = observations.count, p = initial.count
        guard n >= p, p > 0 else {
            throw LeastSquaresFailure(message: "\(n) observation\(n == 1 ? "" : "s") cannot determine \(p) parameters")
        }
        GSLErrors.returnInsteadOfAborting()
        let problem = Problem(observations: observations, predict: predict)
        let context = Unmanaged.passRetained(problem)
        defer { context.release() }

        var fdf = gsl_multifit_nlinear_fdf()
        fdf.f = { x, params, f in
            guard let x, let params, let f else { return Int32(GSL_EINVAL) }
            let problem = Unmanaged<Problem>.fromOpaque(params).takeUnretainedValue()
            let theta = (0..<Int(x.pointee.size)).map { gsl_vector_get(x, $0) }
            for i in 0..<problem.observations.count {
                let r = problem.predict(theta, i) - problem.observations[i]
                guard r.isFinite else { return Int32(GSL_EDOM) }
                gsl_vector_set(f, i, r)
            }
            return Int32(GSL_SUCCESS)
        }
        fdf.df = nil
        fdf.fvv = nil
        fdf.n = n
        fdf.p = p
        fdf.params = context.toOpaque()

        var settings = gsl_multifit_nlinear_default_parameters()
        guard let workspace = gsl_multifit_nlinear_alloc(headroom_nlinear_trust(), &settings, n, p) else {
            throw LeastSquaresFailure(message: "GSL could not allocate the fit's workspace")
        }
        defer { gsl_multifit_nlinear_free(workspace) }
        let x0 = gsl_vector_alloc(p)!, w = gsl_vector_alloc(n)!
        defer { gsl_vector_free(x0); gsl_vector_free(w) }
        for j in 0..<p { gsl_vector_set(x0, j, initial[j]) }
        for i in 0..<n { gsl_vector_set(w, i, weights?[i] ?? 1) }
        var status = gsl_multifit_nlinear_winit(x0, w, &fdf, workspace)
        guard status == GSL_SUCCESS else {
            throw LeastSquaresFailure(message: "the model cannot be evaluated at the initial guess (GSL: \(String(cString: gsl_strerror(status))))")
        }
        var info: Int32 = 0
        status = gsl_multifit_nlinear_driver(maxIterations, 1e-10, 1e-10, 1e-10, nil, nil, &info, workspace)
        guard status == GSL_SUCCESS else {
            throw LeastSquaresFailure(message: "the fit did not converge (GSL: \(String(cString: gsl_strerror(status))))")
        }
        let xs = gsl_multifit_nlinear_position(workspace)!
        let parameters = (0..<p).map { gsl_vector_get(xs, $0) }
        let residualVector = gsl_multifit_nlinear_residual(workspace)!   // sqrt(w) (f - y)
        var ssr = 0.0
        for i in 0..<n { let r = gsl_vector_get(residualVector, i); ssr += r * r }
        let dof = n - p
        let s2 = dof > 0 ? ssr / Double(dof) : .nan
        let covar = gsl_matrix_alloc(p, p)!
        defer { gsl_matrix_free(covar) }
        let jacobian = gsl_multifit_nlinear_jac(workspace)
        status = gsl_multifit_nlinear_covar(jacobian, 0.0, covar)
        var covariance = [Double](repeating: .nan, count: p * p)
        if status == GSL_SUCCESS {
            for a in 0..<p { for b in 0..<p { covariance[a * p + b] = s2 * gsl_matrix_get(covar, a, b) } }
        }
        let residuals = (0..<n).map { observations[$0] - predict(parameters, $0) }
        return LeastSquaresFit(parameters: parameters,
                               standardErrors: (0..<p).map { covariance[$0 * p + $0].squareRoot() },
                               covariance: covariance, residuals: residuals, sumOfSquares: ssr,
                               degreesOfFreedom: dof, iterations: Int(gsl_multifit_nlinear_niter(workspace)))
    }
}
