import Foundation

/// The M/G/1 queue: Poisson arrivals, one FCFS server with a general service time given by its
/// mean and squared coefficient of variation (`SCV = Var[S] / E[S]^2`: 0 deterministic,
/// 1 exponential, > 1 bursty).
///
/// Exact mean wait by the Pollaczek-Khinchine formula
/// `Wq = lambda E[S^2] / (2 (1 - rho))`, with `E[S^2] = (1 + SCV) E[S]^2`.
public struct MG1Queue: Sendable, Hashable {
    public let arrivalRatePerSecond: Double
    public let meanServiceSeconds: Double
    public let serviceSquaredCV: Double

    public init(arrivalRatePerSecond: Double, meanServiceSeconds: Double, serviceSquaredCV: Double) throws {
        try requireNonNegative(arrivalRatePerSecond, "arrivalRatePerSecond")
        try requirePositive(meanServiceSeconds, "meanServiceSeconds")
        try requireNonNegative(serviceSquaredCV, "serviceSquaredCV")
        let rho = arrivalRatePerSecond * meanServiceSeconds
        guard rho < 1 else { throw QueueingError.unstable(rho: rho) }
        self.arrivalRatePerSecond = arrivalRatePerSecond
        self.meanServiceSeconds = meanServiceSeconds
        self.serviceSquaredCV = serviceSquaredCV
    }

    /// `rho = lambda E[S]`.
    public var utilization: Double { arrivalRatePerSecond * meanServiceSeconds }
    /// Second moment of the service time, `E[S^2] = (1 + SCV) E[S]^2`.
    public var serviceSecondMomentSeconds2: Double {
        (1 + serviceSquaredCV) * meanServiceSeconds * meanServiceSeconds
    }
    /// Pollaczek-Khinchine: `Wq = lambda E[S^2] / (2 (1 - rho))`.
    public var meanWaitSeconds: Double {
        arrivalRatePerSecond * serviceSecondMomentSeconds2 / (2 * (1 - utilization))
    }
    public var meanResponseSeconds: Double { meanWaitSeconds + meanServiceSeconds }
    public var meanQueueLength: Double { arrivalRatePerSecond * meanWaitSeconds }
    public var meanNumberInSystem: Double { arrivalRatePerSecond * meanResponseSeconds }
}

/// **Approximation** for the G/G/c (and M/G/c) queue: the Allen-Cunneen formula
/// `Wq ~= C(c, a) / (c mu - lambda) * (ca2 + cs2) / 2`,
/// i.e. the M/M/c mean wait (Erlang C) scaled by the mean of the squared coefficients of
/// variation of inter-arrival (`ca2`) and service (`cs2`) times.
///
/// It is exact for M/M/c (`ca2 = cs2 = 1`) and for M/G/1 (`c = 1`, `ca2 = 1`: it is then
/// Pollaczek-Khinchine); otherwise it is a heuristic, typically within ~10% for moderate
/// variability and heavy load, and less reliable at light load or with very bursty traffic.
/// Use the simulator when the answer matters.
public struct AllenCunneenApproximation: Sendable, Hashable {
    public let arrivalRatePerSecond: Double
    public let meanServiceSeconds: Double
    public let servers: Int
    public let interarrivalSquaredCV: Double
    public let serviceSquaredCV: Double
    /// Erlang C of the underlying M/M/c queue, used as the approximate `P(wait)`.
    public let erlangCProbabilityOfWaiting: Double

    public init(arrivalRatePerSecond: Double, meanServiceSeconds: Double, servers: Int,
                interarrivalSquaredCV: Double, serviceSquaredCV: Double) throws {
        try requireNonNegative(interarrivalSquaredCV, "interarrivalSquaredCV")
        try requireNonNegative(serviceSquaredCV, "serviceSquaredCV")
        let mmc = try MMcQueue(arrivalRatePerSecond: arrivalRatePerSecond,
                               meanServiceSeconds: meanServiceSeconds, servers: servers)
        self.arrivalRatePerSecond = arrivalRatePerSecond
        self.meanServiceSeconds = meanServiceSeconds
        self.servers = servers
        self.interarrivalSquaredCV = interarrivalSquaredCV
        self.serviceSquaredCV = serviceSquaredCV
        self.erlangCProbabilityOfWaiting = mmc.probabilityOfWaiting
    }

    public var utilization: Double { arrivalRatePerSecond * meanServiceSeconds / Double(servers) }
    /// Approximate mean wait in queue (see the type's documentation).
    public var meanWaitSeconds: Double {
        let decay = Double(servers) / meanServiceSeconds - arrivalRatePerSecond
        return erlangCProbabilityOfWaiting / decay * (interarrivalSquaredCV + serviceSquaredCV) / 2
    }
    public var meanResponseSeconds: Double { meanWaitSeconds + meanServiceSeconds }
    public var meanQueueLength: Double { arrivalRatePerSecond * meanWaitSeconds }
    public var meanNumberInSystem: Double { arrivalRatePerSecond * meanResponseSeconds }
}
