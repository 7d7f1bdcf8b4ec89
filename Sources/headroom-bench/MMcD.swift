import Foundation

/// The M/M/c+D queue: Poisson arrivals, c exponential servers, FCFS, and every waiting customer
/// gives up after exactly `patience` seconds (a connection pool's acquire timeout).
///
/// Queueing's `ErlangAQueue` assumes exponential patience; an acquire timeout is deterministic,
/// and the two give different answers, so the bench carries this formula itself. It follows the
/// M/M/n+G results (Baccelli & Hebuterne 1981; summary in Mandelbaum & Zeltyn 2004, "The
/// M/M/n+G queue: summary of performance measures"): with `H(x) = integral_0^x (1 - G(u)) du`,
/// the offered wait `V` (the wait a customer with infinite patience would have) has an atom
/// `P(V = 0) = E / (E + lambda J)` and, for `x > 0`, the density
/// `f_V(x) = lambda exp(lambda H(x) - c mu x) / (E + lambda J)`, where
/// `J = integral_0^inf exp(lambda H(x) - c mu x) dx` and
/// `E = sum_{j<c} a^j / j! / (a^(c-1) / (c-1)!) = 1 / ErlangB(c - 1, a)`, `a = lambda / mu`.
///
/// For deterministic patience `tau`, `H(x) = min(x, tau)`, so with `delta = lambda - c mu`:
/// `f_V(x) = lambda e^(delta x) / (E + lambda J)` on `(0, tau]`, a customer is served iff
/// `V <= tau`, and `P(abandon) = P(V > tau) = (lambda / (c mu)) e^(delta tau) / (E + lambda J)`.
/// Everything is evaluated relative to `e^(delta tau)` when `delta > 0` (overload), where the
/// raw terms overflow.
struct MMcDQueue {
    let arrivalRate: Double
    let serviceRate: Double
    let servers: Int
    let patience: Double

    /// Probability an arrival gives up.
    let probabilityOfAbandonment: Double
    /// Mean wait in queue of customers who are served (zeros for those who found a free server).
    let meanWaitOfServedSeconds: Double
    /// Mean time in queue over all arrivals (the abandoned wait exactly `patience`).
    let meanWaitSeconds: Double

    init(arrivalRate lambda: Double, serviceRate mu: Double, servers c: Int, patience tau: Double) {
        arrivalRate = lambda
        serviceRate = mu
        servers = c
        patience = tau
        let a = lambda / mu
        var erlangB = 1.0  // ErlangB(0, a)
        if c > 1 {
            for n in 1...(c - 1) { erlangB = a * erlangB / (Double(n) + a * erlangB) }
        }
        let e = 1 / erlangB
        let cMu = Double(c) * mu
        let delta = lambda - cMu
        let dt = delta * tau
        // scale = e^(-delta tau) in overload, 1 otherwise; every quantity below is multiplied by it.
        let scale = delta > 0 ? exp(-dt) : 1
        let i0: Double      // scale * integral_0^tau e^(delta x) dx
        let i1: Double      // scale * integral_0^tau x e^(delta x) dx
        let tail: Double    // scale * e^(delta tau) / (c mu)
        if abs(dt) < 1e-8 {
            i0 = tau * scale
            i1 = tau * tau / 2 * scale
        } else if delta > 0 {
            i0 = -expm1(-dt) / delta
            i1 = tau / delta - 1 / (delta * delta) + exp(-dt) / (delta * delta)
        } else {
            i0 = expm1(dt) / delta
            i1 = exp(dt) * (tau / delta - 1 / (delta * delta)) + 1 / (delta * delta)
        }
        tail = (delta > 0 ? 1 : exp(dt)) / cMu
        let denominator = e * scale + lambda * (i0 + tail)
        probabilityOfAbandonment = lambda * tail / denominator
        let servedWaitMass = lambda * i1 / denominator
        meanWaitOfServedSeconds = servedWaitMass / (1 - probabilityOfAbandonment)
        meanWaitSeconds = servedWaitMass + tau * probabilityOfAbandonment
    }
}
