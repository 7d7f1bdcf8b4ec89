import Foundation

/// The operational laws (Denning and Buzen): identities that hold for any system in which
/// arrivals balance completions over the observation period, whatever the distributions.
/// The quickest sanity check of a capacity claim.
public enum OperationalLaws {
    /// Utilization law `U = X S`: throughput times mean service time per completion
    /// (for a c-server resource divide by c for the per-server figure).
    public static func utilization(throughputPerSecond: Double, meanServiceSeconds: Double) -> Double {
        throughputPerSecond * meanServiceSeconds
    }

    /// Little's law `L = X R`: mean number present from throughput and mean time present.
    public static func meanNumberInSystem(throughputPerSecond: Double, meanResponseSeconds: Double) -> Double {
        throughputPerSecond * meanResponseSeconds
    }

    /// Little's law solved for the time: `R = L / X`.
    public static func meanResponseSeconds(meanNumberInSystem: Double, throughputPerSecond: Double) -> Double {
        meanNumberInSystem / throughputPerSecond
    }

    /// Forced flow law `X_k = V_k X`: a device's throughput from the system's.
    public static func deviceThroughputPerSecond(systemThroughputPerSecond: Double, visitsPerJob: Double) -> Double {
        visitsPerJob * systemThroughputPerSecond
    }

    /// Service demand law `D = V S` (also `D = U / X`).
    public static func serviceDemandSeconds(visitsPerJob: Double, meanServiceSeconds: Double) -> Double {
        visitsPerJob * meanServiceSeconds
    }

    /// Interactive response time law `R = N / X - Z` for a closed system of N users.
    public static func interactiveResponseSeconds(users: Int, throughputPerSecond: Double,
                                                  thinkTimeSeconds: Double) -> Double {
        Double(users) / throughputPerSecond - thinkTimeSeconds
    }

    /// Asymptotic (and balanced-job) bounds for a closed network of `population` users.
    public static func closedBounds(serviceDemandsSeconds: [Double], thinkTimeSeconds: Double,
                                    population: Int) throws -> ClosedNetworkBounds {
        try ClosedNetworkBounds(serviceDemandsSeconds: serviceDemandsSeconds,
                                thinkTimeSeconds: thinkTimeSeconds, population: population)
    }

    /// Asymptotic (and balanced-job) bounds for an open network at `arrivalRatePerSecond`.
    public static func openBounds(serviceDemandsSeconds: [Double],
                                  arrivalRatePerSecond: Double) throws -> OpenNetworkBounds {
        try OpenNetworkBounds(serviceDemandsSeconds: serviceDemandsSeconds,
                              arrivalRatePerSecond: arrivalRatePerSecond)
    }
}

/// Bounds on a closed network of single-server stations with total demand `D`, largest demand
/// `Dmax` (the bottleneck), `K` stations with average demand `Davg = D / K`, think time Z.
///
/// Asymptotic bounds (hold for any service-time distribution):
/// `X(N) <= min(N / (D + Z), 1 / Dmax)` and `R(N) >= max(D, N Dmax - Z)`.
/// Balanced job bounds (Zahorjan et al., as in Lazowska et al. "Quantitative System
/// Performance" ch. 5; they assume product form and load-independent queueing stations):
/// `N / (D + Z + (N-1) Dmax / (1 + Z / (N D))) <= X(N) <= N / (D + Z + (N-1) Davg / (1 + Z / D))`
/// and, equivalently by `R = N / X - Z`,
/// `D + (N-1) Davg / (1 + Z / D) <= R(N) <= D + (N-1) Dmax / (1 + Z / (N D))`.
public struct ClosedNetworkBounds: Sendable, Hashable {
    public let population: Int
    public let totalDemandSeconds: Double
    public let maximumDemandSeconds: Double
    /// Index of the bottleneck station (largest demand).
    public let bottleneckIndex: Int
    public let thinkTimeSeconds: Double
    /// `min(N / (D + Z), 1 / Dmax)`.
    public let throughputUpperBoundPerSecond: Double
    /// `max(D, N Dmax - Z)`.
    public let responseTimeLowerBoundSeconds: Double
    /// `N* = (D + Z) / Dmax`: the population where the two asymptotes cross (the knee).
    public let saturationPopulation: Double
    /// Balanced-job upper bound on throughput (never above `throughputUpperBoundPerSecond`).
    public let balancedThroughputUpperBoundPerSecond: Double
    /// Balanced-job lower bound on throughput.
    public let balancedThroughputLowerBoundPerSecond: Double
    /// Balanced-job lower bound on response time (never below `responseTimeLowerBoundSeconds`).
    public let balancedResponseTimeLowerBoundSeconds: Double
    /// Balanced-job upper bound on response time.
    public let balancedResponseTimeUpperBoundSeconds: Double

    public init(serviceDemandsSeconds demands: [Double], thinkTimeSeconds z: Double, population: Int) throws {
        guard !demands.isEmpty else {
            throw QueueingError.dimensionMismatch(name: "serviceDemandsSeconds", expected: 1, actual: 0)
        }
        for (i, d) in demands.enumerated() { try requireNonNegative(d, "serviceDemandsSeconds[\(i)]") }
        try requireNonNegative(z, "thinkTimeSeconds")
        try requireAtLeast(population, 1, "population")
        let total = demands.reduce(0, +)
        guard total > 0 else {
            throw QueueingError.invalidArgument(name: "serviceDemandsSeconds total", value: 0, requirement: "> 0")
        }
        let dMax = demands.max()!
        let dAvg = total / Double(demands.count)
        let n = Double(population)
        self.population = population
        self.totalDemandSeconds = total
        self.maximumDemandSeconds = dMax
        self.bottleneckIndex = demands.firstIndex(of: dMax)!
        self.thinkTimeSeconds = z
        self.throughputUpperBoundPerSecond = min(n / (total + z), 1 / dMax)
        self.responseTimeLowerBoundSeconds = max(total, n * dMax - z)
        self.saturationPopulation = (total + z) / dMax
        let optimisticR = total + (n - 1) * dAvg / (1 + z / total)
        let pessimisticR = total + (n - 1) * dMax / (1 + z / (n * total))
        self.balancedResponseTimeLowerBoundSeconds = max(optimisticR, n * dMax - z)
        self.balancedResponseTimeUpperBoundSeconds = pessimisticR
        self.balancedThroughputUpperBoundPerSecond = min(1 / dMax, n / (optimisticR + z))
        self.balancedThroughputLowerBoundPerSecond = n / (pessimisticR + z)
    }
}

/// Bounds on an open network of single-server stations at arrival rate `lambda`.
///
/// Asymptotic: stable only if `lambda < 1 / Dmax`; `R >= D`.
/// Balanced job bounds (Lazowska et al.): `D / (1 - lambda Davg) <= R <= D / (1 - lambda Dmax)`.
public struct OpenNetworkBounds: Sendable, Hashable {
    public let arrivalRatePerSecond: Double
    public let totalDemandSeconds: Double
    public let maximumDemandSeconds: Double
    public let bottleneckIndex: Int
    /// `1 / Dmax`: no open load at or above this rate has a steady state.
    public let maximumThroughputPerSecond: Double
    /// Whether `lambda < 1 / Dmax`.
    public let isStable: Bool
    /// `D`, the response time with no queueing at all.
    public let responseTimeLowerBoundSeconds: Double
    /// `D / (1 - lambda Davg)` (infinite when unstable).
    public let balancedResponseTimeLowerBoundSeconds: Double
    /// `D / (1 - lambda Dmax)` (infinite when unstable).
    public let balancedResponseTimeUpperBoundSeconds: Double

    public init(serviceDemandsSeconds demands: [Double], arrivalRatePerSecond lambda: Double) throws {
        guard !demands.isEmpty else {
            throw QueueingError.dimensionMismatch(name: "serviceDemandsSeconds", expected: 1, actual: 0)
        }
        for (i, d) in demands.enumerated() { try requireNonNegative(d, "serviceDemandsSeconds[\(i)]") }
        try requireNonNegative(lambda, "arrivalRatePerSecond")
        let total = demands.reduce(0, +)
        let dMax = demands.max()!
        let dAvg = total / Double(demands.count)
        self.arrivalRatePerSecond = lambda
        self.totalDemandSeconds = total
        self.maximumDemandSeconds = dMax
        self.bottleneckIndex = demands.firstIndex(of: dMax)!
        self.maximumThroughputPerSecond = dMax > 0 ? 1 / dMax : .infinity
        self.isStable = lambda * dMax < 1
        self.responseTimeLowerBoundSeconds = total
        self.balancedResponseTimeLowerBoundSeconds = lambda * dAvg < 1 ? total / (1 - lambda * dAvg) : .infinity
        self.balancedResponseTimeUpperBoundSeconds = isStable ? total / (1 - lambda * dMax) : .infinity
    }
}
