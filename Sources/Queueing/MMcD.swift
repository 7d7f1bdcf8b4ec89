import Foundation

/// M/M/c+D: Poisson arrivals, `c` exponential servers, FCFS, and every waiting request gives up
/// after exactly `tau` seconds: a connection pool whose waiters time out after a constant
/// `acquire_timeout`, as every real pool library does.
///
/// Erlang-A (`ErlangAQueue`) assumes exponential patience; a constant timeout gives different
/// answers (with exponential patience some waiters leave at once, others wait far beyond the
/// mean), so this is its own exact formula, not an approximation of it.
///
/// Derivation (Baccelli & Hebuterne 1981 for M/M/n+G; summary in Mandelbaum & Zeltyn 2004,
/// "The M/M/n+G queue: summary of performance measures", and Brandt & Brandt 1999 for
/// deterministic patience). Let `V` be the *offered* wait: the time an arrival would wait with
/// infinite patience (its virtual waiting time, by PASTA). With `G` the patience distribution and
/// `H(x) = integral_0^x (1 - G(u)) du`, `V` has an atom `P(V = 0) = E / (E + lambda J)` and, for
/// `x > 0`, the density `f_V(x) = lambda exp(lambda H(x) - c mu x) / (E + lambda J)`, where
///
///     E = sum_{j<c} a^j / j!  /  (a^(c-1) / (c-1)!) = 1 / ErlangB(c - 1, a),   a = lambda / mu,
///     J = integral_0^inf exp(lambda H(x) - c mu x) dx.
///
/// For deterministic patience `tau`, `H(x) = min(x, tau)`. With `delta = lambda - c mu`:
///
///     f_V(x) = lambda e^(delta x) / D  on (0, tau],   f_V(x) = lambda e^(lambda tau - c mu x) / D  beyond,
///     J = I0 + e^(delta tau) / (c mu),   I0 = integral_0^tau e^(delta x) dx,   D = E + lambda J.
///
/// An arrival is served iff `V <= tau`, and waits `min(V, tau)` either way, so
///
///     P(wait)    = P(V > 0)   = lambda J / D
///     P(abandon) = P(V > tau) = (lambda / (c mu)) e^(delta tau) / D
///     E[min(V, tau)] = (lambda I1 + tau lambda e^(delta tau) / (c mu)) / D,   I1 = integral_0^tau x e^(delta x) dx.
///
/// Limits (tested): `tau -> inf` with `lambda < c mu` gives Erlang C (`D -> E + lambda / (c mu - lambda)`);
/// `tau -> 0` gives Erlang B(c, a) for `P(abandon)` (a loss system). Stable at any load: in
/// overload every term is evaluated relative to `e^(delta tau)`, which would overflow.
///
/// Carried figures: each served request holds a server for `1 / mu`, so the served throughput is
/// `lambda (1 - P(abandon))`, the mean busy servers `a (1 - P(abandon))` and the utilization that
/// over `c`, always below 1; the queue holds `Lq = lambda E[min(V, tau)]` (Little).
public struct MMcDQueue: Sendable, Hashable {
    public let arrivalRatePerSecond: Double
    public let serviceRatePerSecond: Double
    public let servers: Int
    /// The constant patience (acquire timeout) `tau`; `.infinity` gives plain M/M/c.
    public let patienceSeconds: Double

    /// `P(V > 0)`: probability an arrival finds every server busy and has to wait.
    public let probabilityOfWaiting: Double
    /// `P(V > tau)`: probability an arrival gives up (its wait reaches `tau`).
    public let probabilityOfAbandonment: Double
    /// Mean time in queue over all arrivals, `E[min(V, tau)]` (abandoned ones wait exactly `tau`).
    public let meanWaitSeconds: Double
    /// Mean time in queue of the requests that are served (zeros for those that found a free server).
    public let meanWaitOfServedSeconds: Double

    public init(arrivalRatePerSecond lambda: Double, serviceRatePerSecond mu: Double, servers c: Int,
                patienceSeconds tau: Double) throws {
        try requireNonNegative(lambda, "arrivalRatePerSecond")
        try requirePositive(mu, "serviceRatePerSecond")
        try requireAtLeast(c, 1, "servers")
        guard tau >= 0, !tau.isNaN else {
            throw QueueingError.invalidArgument(name: "patienceSeconds", value: tau, requirement: ">= 0 (or .infinity)")
        }
        arrivalRatePerSecond = lambda
        serviceRatePerSecond = mu
        servers = c
        patienceSeconds = tau
        let cMu = Double(c) * mu
        if tau.isInfinite {
            let q = try MMcQueue(arrivalRatePerSecond: lambda, serviceRatePerSecond: mu, servers: c)
            probabilityOfWaiting = q.probabilityOfWaiting
            probabilityOfAbandonment = 0
            meanWaitSeconds = q.meanWaitSeconds
            meanWaitOfServedSeconds = q.meanWaitSeconds
            return
        }
        if lambda == 0 {
            probabilityOfWaiting = 0; probabilityOfAbandonment = 0; meanWaitSeconds = 0; meanWaitOfServedSeconds = 0
            return
        }
        let e = 1 / erlangBUnchecked(servers: c - 1, offeredLoad: lambda / mu)
        let delta = lambda - cMu
        let dt = delta * tau
        // Every term below is multiplied by `scale`: e^(-delta tau) in overload (so that
        // e^(delta tau) becomes 1 and nothing overflows), 1 otherwise.
        let scale = dt > 0 ? exp(-dt) : 1
        var i0: Double, i1: Double   // scale * I0, scale * I1
        if abs(dt) < 0.5 {
            // Series, free of the cancellation of the closed forms near delta tau = 0:
            // I0 = tau sum dt^k / (k+1)!,  I1 = tau^2 sum dt^k / (k! (k+2)).
            var term = 1.0, s0 = 0.0, s1 = 0.0
            for k in 0..<40 {
                s0 += term / Double(k + 1)
                s1 += term / Double(k + 2)
                term *= dt / Double(k + 1)
                if abs(term) < 1e-18 { break }
            }
            i0 = tau * s0 * scale
            i1 = tau * tau * s1 * scale
        } else if dt > 0 {
            i0 = -expm1(-dt) / delta
            i1 = (dt - 1 + exp(-dt)) / (delta * delta)
        } else {
            i0 = expm1(dt) / delta
            i1 = (exp(dt) * (dt - 1) + 1) / (delta * delta)
        }
        let tail = (dt > 0 ? 1 : exp(dt)) / cMu   // scale * e^(delta tau) / (c mu)
        let d = e * scale + lambda * (i0 + tail)
        if !d.isFinite {
            // E overflows (many servers, light load): nobody waits.
            probabilityOfWaiting = 0; probabilityOfAbandonment = 0; meanWaitSeconds = 0; meanWaitOfServedSeconds = 0
            return
        }
        probabilityOfWaiting = lambda * (i0 + tail) / d
        probabilityOfAbandonment = lambda * tail / d
        let servedWaitMass = lambda * i1 / d
        meanWaitSeconds = servedWaitMass + tau * probabilityOfAbandonment
        let served = 1 - probabilityOfAbandonment
        meanWaitOfServedSeconds = served > 0 ? servedWaitMass / served : 0
    }

    /// Same queue from the mean service time.
    public init(arrivalRatePerSecond: Double, meanServiceSeconds: Double, servers: Int, patienceSeconds: Double) throws {
        try requirePositive(meanServiceSeconds, "meanServiceSeconds")
        try self.init(arrivalRatePerSecond: arrivalRatePerSecond, serviceRatePerSecond: 1 / meanServiceSeconds,
                      servers: servers, patienceSeconds: patienceSeconds)
    }

    public var offeredLoadErlangs: Double { arrivalRatePerSecond / serviceRatePerSecond }
    /// Requests served per second, `lambda (1 - P(abandon))`.
    public var servedThroughputPerSecond: Double { arrivalRatePerSecond * (1 - probabilityOfAbandonment) }
    /// Requests giving up per second, `lambda P(abandon)`.
    public var abandonmentsPerSecond: Double { arrivalRatePerSecond * probabilityOfAbandonment }
    /// Mean busy servers, `a (1 - P(abandon))`: only served requests occupy a server.
    public var meanBusyServers: Double { offeredLoadErlangs * (1 - probabilityOfAbandonment) }
    /// Carried utilization of each server, `meanBusyServers / c` (< 1 at any load).
    public var utilization: Double { meanBusyServers / Double(servers) }
    /// Mean number waiting, `Lq = lambda E[min(V, tau)]` (Little).
    public var meanQueueLength: Double { arrivalRatePerSecond * meanWaitSeconds }
    /// Mean response time of served requests: their mean wait plus `1 / mu`.
    public var meanResponseOfServedSeconds: Double { meanWaitOfServedSeconds + 1 / serviceRatePerSecond }
}
