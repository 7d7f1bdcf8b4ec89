import Foundation

/// Erlang-A (M/M/c+M): an M/M/c queue whose waiting requests give up after an exponential
/// patience with rate `theta` (mean `1 / theta`). The analytic model of a connection pool with an
/// acquire timeout, or a call centre whose callers hang up.
///
/// Computed from the birth-death chain with birth rate `lambda` and death rate
/// `min(n, c) mu + max(n - c, 0) theta`. Unnormalized probabilities follow the ratios
/// `q_n / q_{n-1} = lambda / d_n` with exact power-of-two rescaling (so nothing overflows for
/// large `c`), and the chain is truncated once a geometric bound on the remaining tail falls
/// below 1e-15 of the mass so far.
///
/// Per-customer figures use PASTA and FCFS: a request that finds `j = n - c` others waiting
/// advances at rate `c mu + i theta` while `i` are ahead and abandons at rate `theta`, so it is
/// served with probability `c mu / (c mu + (j + 1) theta)` (the product telescopes). Its mean
/// time in queue is `(j + 1) / (c mu + (j + 1) theta)`; given it is served (every stage ends by
/// advancing, and a competing-exponential stage's length is independent of its outcome) its
/// mean wait is `sum_{i=0}^{j} 1 / (c mu + (i + 1) theta)`.
///
/// `theta = 0` is allowed when `rho < 1` (plain M/M/c); `theta > 0` is stable at any load.
public struct ErlangAQueue: Sendable, Hashable {
    public let arrivalRatePerSecond: Double
    public let serviceRatePerSecond: Double
    public let servers: Int
    /// Abandonment rate of one waiting request, `theta = 1 / mean patience`.
    public let abandonmentRatePerWaitingRequest: Double

    /// `P(N >= c)`: probability an arrival has to wait (PASTA).
    public let probabilityOfWaiting: Double
    /// Probability an arrival abandons before service. Equals `theta Lq / lambda`.
    public let probabilityOfAbandonment: Double
    /// Mean time in queue over all arrivals (served and abandoned), `Wq = Lq / lambda`.
    public let meanWaitSeconds: Double
    /// Mean time in queue of the requests that are eventually served (0 if none wait).
    public let meanWaitOfServedSeconds: Double
    /// Mean time in queue before giving up, over the requests that abandon (0 if none do).
    public let meanWaitOfAbandonedSeconds: Double
    /// Mean number waiting, `Lq`.
    public let meanQueueLength: Double
    /// Mean number in system, `L`.
    public let meanNumberInSystem: Double
    /// Mean number of busy servers, `E[min(N, c)]`.
    public let meanBusyServers: Double
    /// Number of states of the truncated chain (`0..<truncatedStates`).
    public let truncatedStates: Int

    /// Upper bound on the states explored before giving up with `truncationLimitExceeded`.
    public static let maximumStates = 50_000_000

    public init(arrivalRatePerSecond: Double, serviceRatePerSecond: Double, servers: Int,
                abandonmentRatePerWaitingRequest theta: Double) throws {
        try requireNonNegative(arrivalRatePerSecond, "arrivalRatePerSecond")
        try requirePositive(serviceRatePerSecond, "serviceRatePerSecond")
        try requireAtLeast(servers, 1, "servers")
        try requireNonNegative(theta, "abandonmentRatePerWaitingRequest")
        let lambda = arrivalRatePerSecond, mu = serviceRatePerSecond
        let c = Double(servers)
        if theta == 0 {
            let rho = lambda / (c * mu)
            guard rho < 1 else { throw QueueingError.unstable(rho: rho) }
        }
        self.arrivalRatePerSecond = lambda
        self.serviceRatePerSecond = mu
        self.servers = servers
        self.abandonmentRatePerWaitingRequest = theta

        if lambda == 0 {
            probabilityOfWaiting = 0; probabilityOfAbandonment = 0
            meanWaitSeconds = 0; meanWaitOfServedSeconds = 0; meanWaitOfAbandonedSeconds = 0
            meanQueueLength = 0; meanNumberInSystem = 0; meanBusyServers = 0
            truncatedStates = 1
            return
        }

        let cMu = c * mu
        func deathRate(_ n: Int) -> Double {
            Double(min(n, servers)) * mu + Double(max(n - servers, 0)) * theta
        }

        // Unnormalized q_n by the ratios q_n = q_{n-1} lambda / d_n (q_0 = 1). When q_n grows past
        // 2^600, q and every running sum are multiplied by 2^-600: an exact rescale, so nothing
        // overflows for thousands of servers and no log/exp round-off enters.
        let bigScale = 0x1p600, smallScale = 0x1p-600
        var q = 1.0
        var total = NeumaierSum()       // q_n
        var waiting = NeumaierSum()     // n >= c
        var number = NeumaierSum()      // n
        var queued = NeumaierSum()      // (n - c)+
        var busy = NeumaierSum()        // min(n, c)
        var abandoning = NeumaierSum()  // n >= c: (j+1) theta / (c mu + (j+1) theta)
        var waitAll = NeumaierSum()     // n >= c: (j+1) / (c mu + (j+1) theta)
        var waitServed = NeumaierSum()  // n >= c: H_j c mu / (c mu + (j+1) theta)
        var harmonic = 0.0              // H_j = sum_{i=0}^{j} 1 / (c mu + (i+1) theta)
        total.add(1)
        var n = 0
        while true {
            // Stop once the tail beyond n is negligible. Ratios lambda / d_m are non-increasing
            // in m, so sum_{m>n} q_m (1 + (m - c)+) <= q_n [r/(1-r)] [1 + (n-c)+ + 1/(1-r)].
            let r = lambda / deathRate(n + 1)
            if r < 1 {
                let weight = 1 + Double(max(n - servers, 0)) + 1 / (1 - r)
                if q * r / (1 - r) * weight < 1e-15 * total.value { break }
            }
            n += 1
            guard n < Self.maximumStates else { throw QueueingError.truncationLimitExceeded(states: n) }
            q *= lambda / deathRate(n)
            if q > bigScale {
                q *= smallScale
                                total.scale(by: smallScale); waiting.scale(by: smallScale)
                number.scale(by: smallScale); queued.scale(by: smallScale)
                busy.scale(by: smallScale); abandoning.scale(by: smallScale)
                waitAll.scale(by: smallScale); waitServed.scale(by: smallScale)
            }
            total.add(q)
            number.add(Double(n) * q)
            busy.add(Double(min(n, servers)) * q)
            if n >= servers {
                let j = n - servers
                let ahead = Double(j + 1) * theta
                harmonic += 1 / (cMu + ahead)
                waiting.add(q)
                queued.add(Double(j) * q)
                abandoning.add(q * ahead / (cMu + ahead))
                waitAll.add(q * Double(j + 1) / (cMu + ahead))
                waitServed.add(q * harmonic * cMu / (cMu + ahead))
            }
        }
        let norm = total.value
        truncatedStates = n + 1
        probabilityOfWaiting = waiting.value / norm
        probabilityOfAbandonment = abandoning.value / norm
        meanQueueLength = queued.value / norm
        meanNumberInSystem = number.value / norm
        meanBusyServers = busy.value / norm
        meanWaitSeconds = waitAll.value / norm
        let served = 1 - probabilityOfAbandonment
        meanWaitOfServedSeconds = served > 0 ? (waitServed.value / norm) / served : 0
        meanWaitOfAbandonedSeconds = probabilityOfAbandonment > 0
            ? ((waitAll.value - waitServed.value) / norm) / probabilityOfAbandonment : 0
    }

    /// Same queue from mean service time and mean patience (`.infinity`: nobody abandons).
    public init(arrivalRatePerSecond: Double, meanServiceSeconds: Double, servers: Int,
                meanPatienceSeconds: Double) throws {
        try requirePositive(meanServiceSeconds, "meanServiceSeconds")
        guard meanPatienceSeconds > 0, !meanPatienceSeconds.isNaN else {
            throw QueueingError.invalidArgument(name: "meanPatienceSeconds", value: meanPatienceSeconds,
                                                requirement: "> 0 (or .infinity)")
        }
        try self.init(arrivalRatePerSecond: arrivalRatePerSecond,
                      serviceRatePerSecond: 1 / meanServiceSeconds, servers: servers,
                      abandonmentRatePerWaitingRequest: meanPatienceSeconds.isInfinite ? 0 : 1 / meanPatienceSeconds)
    }

    public var offeredLoadErlangs: Double { arrivalRatePerSecond / serviceRatePerSecond }
    /// Requests served per second, `lambda (1 - P(abandon))` (= `mu E[min(N, c)]`).
    public var servedThroughputPerSecond: Double { arrivalRatePerSecond * (1 - probabilityOfAbandonment) }
    /// Requests abandoning per second, `lambda P(abandon)` (= `theta Lq`).
    public var abandonmentsPerSecond: Double { arrivalRatePerSecond * probabilityOfAbandonment }
    /// Utilization of each server, `E[min(N, c)] / c`.
    public var utilization: Double { meanBusyServers / Double(servers) }
    /// Mean response time of served requests: their mean wait plus `1 / mu`.
    public var meanResponseOfServedSeconds: Double { meanWaitOfServedSeconds + 1 / serviceRatePerSecond }
}
