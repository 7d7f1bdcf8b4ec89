import Foundation

/// The M/M/c queue: Poisson arrivals, `servers` identical exponential servers, FCFS, an
/// unbounded waiting room. The workhorse for "how many workers / connections do I need".
///
/// All figures are closed form; `probabilityOfWaiting` is Erlang C computed by the stable
/// recurrence on Erlang B, so `servers` in the thousands and `rho` close to 1 are fine.
/// With `servers == 1` this is the M/M/1 queue.
public struct MMcQueue: Sendable, Hashable {
    public let arrivalRatePerSecond: Double
    public let serviceRatePerSecond: Double
    public let servers: Int
    /// Erlang C, `P(Wq > 0)`.
    public let probabilityOfWaiting: Double

    /// Throws `QueueingError.invalidArgument` for negative or non-finite rates or `servers < 1`,
    /// and `QueueingError.unstable(rho:)` when `lambda >= c mu`.
    public init(arrivalRatePerSecond: Double, serviceRatePerSecond: Double, servers: Int) throws {
        try requireNonNegative(arrivalRatePerSecond, "arrivalRatePerSecond")
        try requirePositive(serviceRatePerSecond, "serviceRatePerSecond")
        try requireAtLeast(servers, 1, "servers")
        let rho = arrivalRatePerSecond / (Double(servers) * serviceRatePerSecond)
        guard rho < 1 else { throw QueueingError.unstable(rho: rho) }
        self.arrivalRatePerSecond = arrivalRatePerSecond
        self.serviceRatePerSecond = serviceRatePerSecond
        self.servers = servers
        self.probabilityOfWaiting = erlangCUnchecked(
            servers: servers, offeredLoad: arrivalRatePerSecond / serviceRatePerSecond)
    }

    /// Same queue described by its mean service time `1 / mu`.
    public init(arrivalRatePerSecond: Double, meanServiceSeconds: Double, servers: Int) throws {
        try requirePositive(meanServiceSeconds, "meanServiceSeconds")
        try self.init(arrivalRatePerSecond: arrivalRatePerSecond,
                      serviceRatePerSecond: 1 / meanServiceSeconds, servers: servers)
    }

    /// Offered load `a = lambda / mu` in erlangs (mean number of busy servers).
    public var offeredLoadErlangs: Double { arrivalRatePerSecond / serviceRatePerSecond }
    /// Utilization of each server, `rho = lambda / (c mu)`.
    public var utilization: Double { offeredLoadErlangs / Double(servers) }
    public var meanServiceSeconds: Double { 1 / serviceRatePerSecond }
    /// Rate of the exponential tail of the waiting time, `c mu - lambda`.
    public var waitDecayRatePerSecond: Double {
        Double(servers) * serviceRatePerSecond - arrivalRatePerSecond
    }
    /// Mean wait in queue `Wq = C / (c mu - lambda)`.
    public var meanWaitSeconds: Double { probabilityOfWaiting / waitDecayRatePerSecond }
    /// Mean response (sojourn) time `W = Wq + 1/mu`.
    public var meanResponseSeconds: Double { meanWaitSeconds + meanServiceSeconds }
    /// Mean number waiting `Lq = lambda Wq = C rho / (1 - rho)`.
    public var meanQueueLength: Double { arrivalRatePerSecond * meanWaitSeconds }
    /// Mean number in system `L = lambda W` (Little's law).
    public var meanNumberInSystem: Double { arrivalRatePerSecond * meanResponseSeconds }

    /// `P(Wq > t) = C e^{-(c mu - lambda) t}` for `t >= 0` (1 for `t < 0`).
    public func probabilityWaitExceeds(seconds t: Double) -> Double {
        if t < 0 { return 1 }
        return probabilityOfWaiting * exp(-waitDecayRatePerSecond * t)
    }

    /// The `probability`-quantile of the waiting time in queue (e.g. 0.95 for p95):
    /// 0 when `probability <= 1 - C`, else `ln(C / (1 - p)) / (c mu - lambda)`.
    public func waitQuantileSeconds(probability p: Double) throws -> Double {
        try requireProbability(p, "probability")
        let c = probabilityOfWaiting
        if 1 - p >= c { return 0 }
        return log(c / (1 - p)) / waitDecayRatePerSecond
    }

    /// `P(W > t)` for the response time `W = Wq + S`.
    ///
    /// With `gamma = c mu - lambda`: `P(W > t) = (1 - C) e^{-mu t} + C P(E_gamma + E_mu > t)`,
    /// where the hypoexponential tail is `(gamma e^{-mu t} - mu e^{-gamma t}) / (gamma - mu)`
    /// and, in the special case `gamma = mu`, `(1 + mu t) e^{-mu t}`. It is evaluated as
    /// `e^{-mu t} + mu t e^{-min(mu,gamma) t} (1 - e^{-|gamma-mu| t}) / (|gamma-mu| t)`, which is
    /// the same function, continuous through `gamma = mu` and free of cancellation.
    /// For M/M/1 this reduces to `e^{-(mu - lambda) t}`.
    public func probabilityResponseExceeds(seconds t: Double) -> Double {
        if t <= 0 { return 1 }
        let mu = serviceRatePerSecond
        let gamma = waitDecayRatePerSecond
        let c = probabilityOfWaiting
        let expMu = exp(-mu * t)
        let hypo = expMu + mu * t * exp(-min(mu, gamma) * t) * oneMinusExpOverX(abs(gamma - mu) * t)
        return min(1, max(0, (1 - c) * expMu + c * hypo))
    }

    /// `P(W <= t)`, the response-time distribution function.
    public func responseTimeCDF(seconds t: Double) -> Double {
        1 - probabilityResponseExceeds(seconds: t)
    }

    /// The `probability`-quantile of the response time (e.g. 0.99 for p99), by bisection on
    /// the closed-form distribution function (relative accuracy about 1e-15).
    public func responseQuantileSeconds(probability p: Double) throws -> Double {
        try requireProbability(p, "probability")
        if p == 0 { return 0 }
        let target = 1 - p
        let scale = max(meanServiceSeconds, 1 / waitDecayRatePerSecond)
        return bisectSurvival(target: target, initialUpper: scale) {
            probabilityResponseExceeds(seconds: $0)
        }
    }
}
