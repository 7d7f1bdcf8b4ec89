import Foundation

/// The Engset loss system: `sources` finite sources share `servers` servers with no waiting
/// room. An idle source issues a request at rate `alpha` (mean idle time `1 / alpha`); a
/// request that finds every server busy is lost and its source goes back to idle. The
/// finite-population counterpart of Erlang B: a fixed set of app workers sharing a small pool
/// without a wait queue.
///
/// With `beta = alpha / mu`, the busy-server distribution is `p_n ∝ C(N, n) beta^n`,
/// `n = 0...min(c, N)`. Both congestion measures use the Erlang-B-like stable recurrence
/// `E(0) = 1`, `E(k) = (N - k + 1) beta E(k-1) / (k + (N - k + 1) beta E(k-1))`.
public struct EngsetLossSystem: Sendable, Hashable {
    public let sources: Int
    public let servers: Int
    /// Request rate of one idle source, `alpha`.
    public let requestRatePerIdleSourcePerSecond: Double
    public let serviceRatePerSecond: Double
    /// Time congestion: fraction of time all servers are busy, `p_c` (0 when `c > N`).
    public let timeCongestion: Double
    /// Call congestion: probability that a request is blocked. By the arrival theorem it is the
    /// time congestion of the same system with `N - 1` sources (0 when `c >= N`).
    public let callCongestion: Double
    /// Mean number of busy servers, `sum n p_n` (the carried load in erlangs).
    public let meanBusyServers: Double

    public init(sources: Int, servers: Int, requestRatePerIdleSourcePerSecond alpha: Double,
                serviceRatePerSecond mu: Double) throws {
        try requireAtLeast(sources, 1, "sources")
        try requireAtLeast(servers, 1, "servers")
        try requireNonNegative(alpha, "requestRatePerIdleSourcePerSecond")
        try requirePositive(mu, "serviceRatePerSecond")
        self.sources = sources
        self.servers = servers
        self.requestRatePerIdleSourcePerSecond = alpha
        self.serviceRatePerSecond = mu
        let beta = alpha / mu
        timeCongestion = EngsetLossSystem.congestion(sources: sources, servers: servers, beta: beta)
        callCongestion = EngsetLossSystem.congestion(sources: sources - 1, servers: servers, beta: beta)
        // Carried load from the state probabilities, built in log space.
        let top = min(servers, sources)
        if beta == 0 {
            meanBusyServers = 0
        } else {
            var logQ = [Double](repeating: 0, count: top + 1)
            let logBeta = log(beta)
            if top >= 1 {
                for n in 1...top {
                    logQ[n] = logQ[n - 1] + logBeta + log(Double(sources - n + 1) / Double(n))
                }
            }
            let maxLog = logQ.max()!
            var total = 0.0, busy = 0.0
            for n in 0...top {
                let w = exp(logQ[n] - maxLog)
                total += w
                busy += Double(n) * w
            }
            meanBusyServers = busy / total
        }
    }

    /// Same system from the mean idle (think) time between a source's requests and the mean
    /// holding time of a server.
    public init(sources: Int, servers: Int, meanIdleSeconds: Double, meanHoldingSeconds: Double) throws {
        try requirePositive(meanIdleSeconds, "meanIdleSeconds")
        try requirePositive(meanHoldingSeconds, "meanHoldingSeconds")
        try self.init(sources: sources, servers: servers,
                      requestRatePerIdleSourcePerSecond: 1 / meanIdleSeconds,
                      serviceRatePerSecond: 1 / meanHoldingSeconds)
    }

    /// Time congestion with `sources` sources by the stable recurrence.
    static func congestion(sources: Int, servers: Int, beta: Double) -> Double {
        if servers > sources { return 0 }
        var e = 1.0
        for k in 0..<servers {
            let a = Double(sources - k) * beta   // (N - (k+1) + 1) beta
            let ae = a * e
            e = ae / (Double(k + 1) + ae)
        }
        return e
    }

    /// Requests issued per second, `alpha (N - E[busy])`.
    public var offeredRequestsPerSecond: Double {
        requestRatePerIdleSourcePerSecond * (Double(sources) - meanBusyServers)
    }
    /// Requests served per second, `mu E[busy]` (= offered x (1 - call congestion)).
    public var throughputPerSecond: Double { serviceRatePerSecond * meanBusyServers }
    /// Per-server utilization.
    public var utilization: Double { meanBusyServers / Double(servers) }
}
