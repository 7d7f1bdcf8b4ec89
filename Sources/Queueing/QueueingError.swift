import Foundation

/// Why a queueing result could not be computed.
///
/// Every public entry point of `Queueing` validates its input and throws one of these instead
/// of trapping, so that a planner's bad model (a negative rate, an overloaded pool) turns into
/// a message rather than a crash.
public enum QueueingError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// A parameter is outside its domain (negative rate, zero servers, NaN, probability > 1...).
    case invalidArgument(name: String, value: Double, requirement: String)
    /// The offered load per server `rho = lambda / (c mu)` is at least 1, so no steady state
    /// exists: the queue grows without bound.
    case unstable(rho: Double)
    /// A station of an open network is overloaded (`utilization >= 1`).
    case unstableStation(name: String, index: Int, utilization: Double)
    /// Two inputs that must agree in size do not (e.g. the routing matrix and the station list).
    case dimensionMismatch(name: String, expected: Int, actual: Int)
    /// The traffic equations of an open network have no unique solution: some set of stations
    /// routes among itself with probability 1 and never lets a job leave.
    case singularRoutingMatrix
    /// A birth-death chain needed more states than allowed before its tail became negligible.
    case truncationLimitExceeded(states: Int)
    /// A fixed-point iteration did not reach its tolerance.
    case didNotConverge(iterations: Int, residual: Double)

    public var description: String {
        switch self {
        case let .invalidArgument(name, value, requirement):
            return "invalid \(name) = \(value): must be \(requirement)"
        case let .unstable(rho):
            return "unstable queue: utilization rho = \(rho) >= 1, no steady state exists"
        case let .unstableStation(name, index, utilization):
            return "unstable network: station '\(name)' (#\(index)) has utilization \(utilization) >= 1"
        case let .dimensionMismatch(name, expected, actual):
            return "\(name) has \(actual) entries, expected \(expected)"
        case .singularRoutingMatrix:
            return "routing matrix is singular: some stations never let jobs leave the network"
        case let .truncationLimitExceeded(states):
            return "state space truncation exceeded \(states) states"
        case let .didNotConverge(iterations, residual):
            return "fixed-point iteration did not converge after \(iterations) iterations (residual \(residual))"
        }
    }
}

// MARK: - Input validation (internal)

@inline(__always)
func requireFinite(_ value: Double, _ name: String) throws {
    guard value.isFinite else {
        throw QueueingError.invalidArgument(name: name, value: value, requirement: "finite")
    }
}

@inline(__always)
func requireNonNegative(_ value: Double, _ name: String) throws {
    guard value.isFinite, value >= 0 else {
        throw QueueingError.invalidArgument(name: name, value: value, requirement: "finite and >= 0")
    }
}

@inline(__always)
func requirePositive(_ value: Double, _ name: String) throws {
    guard value.isFinite, value > 0 else {
        throw QueueingError.invalidArgument(name: name, value: value, requirement: "finite and > 0")
    }
}

@inline(__always)
func requireAtLeast(_ value: Int, _ minimum: Int, _ name: String) throws {
    guard value >= minimum else {
        throw QueueingError.invalidArgument(name: name, value: Double(value), requirement: ">= \(minimum)")
    }
}

@inline(__always)
func requireProbability(_ p: Double, _ name: String) throws {
    guard p.isFinite, p >= 0, p < 1 else {
        throw QueueingError.invalidArgument(name: name, value: p, requirement: "in [0, 1)")
    }
}

/// `(1 - e^{-x}) / x`, continuous at 0 (value 1), accurate for small `x` via `expm1`.
@inline(__always)
func oneMinusExpOverX(_ x: Double) -> Double {
    if x == 0 { return 1 }
    return -expm1(-x) / x
}

/// Finds `t >= 0` with `survival(t) = target` for a continuous, non-increasing survival
/// function with `survival(0) > target`, by bracketing (doubling) and bisection.
func bisectSurvival(target: Double, initialUpper: Double, _ survival: (Double) -> Double) -> Double {
    var lo = 0.0
    var hi = max(initialUpper, Double.leastNormalMagnitude)
    var guardCount = 0
    while survival(hi) > target, guardCount < 2000 {
        lo = hi
        hi *= 2
        guardCount += 1
    }
    for _ in 0..<400 {
        let mid = 0.5 * (lo + hi)
        if mid <= lo || mid >= hi { break }
        if survival(mid) > target { lo = mid } else { hi = mid }
        if hi - lo <= 1e-15 * hi { break }
    }
    return 0.5 * (lo + hi)
}

/// Compensated (Kahan-Babuska-Neumaier) summation: long sums of probabilities keep their
/// last digits.
struct NeumaierSum {
    private var sum = 0.0
    private var compensation = 0.0
    init() {}
    mutating func add(_ x: Double) {
        let t = sum + x
        if abs(sum) >= abs(x) { compensation += (sum - t) + x } else { compensation += (x - t) + sum }
        sum = t
    }
    /// Multiplies the running sum by `factor` (use powers of two for an exact rescale).
    mutating func scale(by factor: Double) { sum *= factor; compensation *= factor }
    var value: Double { sum + compensation }
}
