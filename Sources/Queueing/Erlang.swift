import Foundation

/// Erlang B: the probability that an arrival finds all `servers` busy in an M/M/c/c loss
/// system (blocked arrivals are lost), with offered load `a = lambda / mu` erlangs.
///
/// Computed by the stable recurrence `B(0) = 1`, `B(k) = a B(k-1) / (k + a B(k-1))`, which
/// stays in [0, 1] at every step: no factorials, no powers, fine for thousands of servers.
/// The result is insensitive to the service-time distribution (M/G/c/c).
public func erlangB(servers: Int, offeredLoadErlangs: Double) throws -> Double {
    try requireAtLeast(servers, 0, "servers")
    try requireNonNegative(offeredLoadErlangs, "offeredLoadErlangs")
    return erlangBUnchecked(servers: servers, offeredLoad: offeredLoadErlangs)
}

@inline(__always)
func erlangBUnchecked(servers: Int, offeredLoad a: Double) -> Double {
    var b = 1.0
    if servers == 0 { return 1 }
    for k in 1...servers {
        let ab = a * b
        b = ab / (Double(k) + ab)
    }
    return b
}

/// Erlang C: the probability that an arrival has to wait in an M/M/c queue with offered load
/// `a = lambda / mu` erlangs, i.e. `P(Wq > 0)`.
///
/// Computed from Erlang B by `C = B / (1 - rho (1 - B))` with `rho = a / c`, so it inherits
/// the stability of the Erlang B recurrence. Requires `rho < 1` (otherwise no steady state
/// exists and `QueueingError.unstable(rho:)` is thrown).
public func erlangC(servers: Int, offeredLoadErlangs: Double) throws -> Double {
    try requireAtLeast(servers, 1, "servers")
    try requireNonNegative(offeredLoadErlangs, "offeredLoadErlangs")
    let rho = offeredLoadErlangs / Double(servers)
    guard rho < 1 else { throw QueueingError.unstable(rho: rho) }
    return erlangCUnchecked(servers: servers, offeredLoad: offeredLoadErlangs)
}

@inline(__always)
func erlangCUnchecked(servers: Int, offeredLoad a: Double) -> Double {
    let b = erlangBUnchecked(servers: servers, offeredLoad: a)
    let rho = a / Double(servers)
    return b / (1 - rho * (1 - b))
}
