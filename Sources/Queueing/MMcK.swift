import Foundation

/// The M/M/c/K queue: Poisson arrivals, `servers` exponential servers and room for at most
/// `capacity` (K) requests in the system, in service included. An arrival that finds K present
/// is turned away. Models a bounded accept queue or a pool with a bounded wait list.
///
/// Any load is allowed (`rho >= 1` still has a steady state). The state probabilities are
/// built by recursive ratios `p_n / p_{n-1} = lambda / (min(n, c) mu)` outward from the most
/// likely state, so no weight exceeds 1 and K in the millions neither overflows nor loses
/// accuracy (no factorials, no powers).
/// W and Wq follow from Little's law on *accepted* arrivals, `lambda (1 - P_K)`.
public struct MMcKQueue: Sendable, Hashable {
    public let arrivalRatePerSecond: Double
    public let serviceRatePerSecond: Double
    public let servers: Int
    /// K, the most requests the system holds (in service plus waiting); `K >= servers`.
    public let capacity: Int
    /// `stateProbabilities[n] = P(N = n)` for `n = 0...capacity`.
    public let stateProbabilities: [Double]
    /// Mean number in system `L = sum n P_n`.
    public let meanNumberInSystem: Double
    /// Mean number waiting `Lq = sum (n - c)+ P_n`.
    public let meanQueueLength: Double

    public init(arrivalRatePerSecond: Double, serviceRatePerSecond: Double,
                servers: Int, capacity: Int) throws {
        try requireNonNegative(arrivalRatePerSecond, "arrivalRatePerSecond")
        try requirePositive(serviceRatePerSecond, "serviceRatePerSecond")
        try requireAtLeast(servers, 1, "servers")
        try requireAtLeast(capacity, servers, "capacity")
        self.arrivalRatePerSecond = arrivalRatePerSecond
        self.serviceRatePerSecond = serviceRatePerSecond
        self.servers = servers
        self.capacity = capacity

        // Unnormalized weights relative to the most likely state (weight 1), built outward by
        // the birth-death ratios w_n / w_{n-1} = a / min(n, c). Every weight is <= 1, so nothing
        // overflows, and the relative round-off of a weight grows only with its distance from
        // the mode, where weights decay geometrically: the sums stay accurate to a few ulps.
        let a = arrivalRatePerSecond / serviceRatePerSecond
        let mode: Int = a >= Double(servers) ? capacity : min(capacity, Int(a.rounded(.down)))
        var p = [Double](repeating: 0, count: capacity + 1)
        p[mode] = 1
        if mode > 0 {
            for n in stride(from: mode, through: 1, by: -1) {
                p[n - 1] = p[n] * Double(min(n, servers)) / a
            }
        }
        if mode < capacity {
            for n in (mode + 1)...capacity {
                p[n] = p[n - 1] * a / Double(min(n, servers))
            }
        }
        var total = NeumaierSum()
        for w in p { total.add(w) }
        var l = NeumaierSum(), lq = NeumaierSum()
        for n in 0...capacity {
            p[n] /= total.value
            l.add(Double(n) * p[n])
            lq.add(Double(max(n - servers, 0)) * p[n])
        }
        self.stateProbabilities = p
        self.meanNumberInSystem = l.value
        self.meanQueueLength = lq.value
    }

    public init(arrivalRatePerSecond: Double, meanServiceSeconds: Double,
                servers: Int, capacity: Int) throws {
        try requirePositive(meanServiceSeconds, "meanServiceSeconds")
        try self.init(arrivalRatePerSecond: arrivalRatePerSecond,
                      serviceRatePerSecond: 1 / meanServiceSeconds,
                      servers: servers, capacity: capacity)
    }

    /// Offered load `lambda / mu` in erlangs (before blocking).
    public var offeredLoadErlangs: Double { arrivalRatePerSecond / serviceRatePerSecond }
    /// Probability an arrival is turned away, `P_K` (PASTA). With `K = c` this is Erlang B.
    public var blockingProbability: Double { stateProbabilities[capacity] }
    /// Accepted (and completed) requests per second, `lambda (1 - P_K)`.
    public var throughputPerSecond: Double { arrivalRatePerSecond * (1 - blockingProbability) }
    /// Utilization of each server, `lambda (1 - P_K) / (c mu)`.
    public var utilization: Double { throughputPerSecond / (Double(servers) * serviceRatePerSecond) }
    /// Probability that an *accepted* request has to wait, `P(c <= N < K) / (1 - P_K)`.
    public var probabilityOfWaiting: Double {
        guard capacity > servers else { return 0 }
        let waiting = stateProbabilities[servers..<capacity].reduce(0, +)
        return waiting / (1 - blockingProbability)
    }
    /// Mean response time of accepted requests, `W = L / (lambda (1 - P_K))`.
    /// When nothing arrives, the response of a hypothetical request: `1 / mu`.
    public var meanResponseSeconds: Double {
        let x = throughputPerSecond
        return x > 0 ? meanNumberInSystem / x : 1 / serviceRatePerSecond
    }
    /// Mean wait in queue of accepted requests, `Wq = Lq / (lambda (1 - P_K))`.
    public var meanWaitSeconds: Double {
        let x = throughputPerSecond
        return x > 0 ? meanQueueLength / x : 0
    }
}
