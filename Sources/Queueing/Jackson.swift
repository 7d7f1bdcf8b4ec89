import Foundation

/// One station of an open Jackson network: `servers` exponential servers (M/M/c).
public struct JacksonStation: Sendable, Hashable {
    public var name: String
    public var servers: Int
    public var meanServiceSeconds: Double
    /// Poisson arrivals from outside the network straight to this station.
    public var externalArrivalRatePerSecond: Double

    public init(name: String, servers: Int = 1, meanServiceSeconds: Double,
                externalArrivalRatePerSecond: Double = 0) {
        self.name = name
        self.servers = servers
        self.meanServiceSeconds = meanServiceSeconds
        self.externalArrivalRatePerSecond = externalArrivalRatePerSecond
    }
}

/// Steady-state figures of one station of an open Jackson network.
public struct JacksonStationResult: Sendable, Hashable {
    public let name: String
    /// Total arrival rate `lambda_i` (external plus routed), from the traffic equations.
    public let arrivalRatePerSecond: Double
    /// Mean visits per job entering the network, `lambda_i / sum gamma`.
    public let visitsPerJob: Double
    /// Per-server utilization `lambda_i S_i / c_i`.
    public let utilization: Double
    /// Erlang C at this station.
    public let probabilityOfWaiting: Double
    /// Mean number at the station, `L_i` (M/M/c).
    public let meanNumberInSystem: Double
    /// Mean time per visit, `W_i` (M/M/c).
    public let meanResponseSeconds: Double
    /// Mean wait in queue per visit, `Wq_i`.
    public let meanWaitSeconds: Double
}

/// An open Jackson network: Poisson external arrivals, exponential M/M/c stations and
/// Markovian (probabilistic) routing. By Jackson's theorem each station behaves as an
/// independent M/M/c queue fed at the rate given by the traffic equations
/// `lambda = gamma + lambda P`, solved by Gaussian elimination with partial pivoting.
/// The mean sojourn time follows from Little's law: `sum L_i / sum gamma_i`.
public struct JacksonNetwork: Sendable, Hashable {
    public let stations: [JacksonStationResult]
    /// `sum gamma_i`, the rate of jobs entering (and, in steady state, leaving) the network.
    public let totalExternalArrivalRatePerSecond: Double
    /// Mean number of jobs in the whole network, `sum L_i`.
    public let meanNumberInNetwork: Double
    /// Mean time from entering to leaving the network (0 if nothing enters).
    public let meanSojournSeconds: Double

    /// - Parameter routingProbabilities: `routingProbabilities[i][j]` is the probability that a
    ///   job finishing at station `i` goes next to station `j`; `1 - sum_j P[i][j]` is the
    ///   probability it leaves. Entries in [0, 1], row sums at most 1.
    /// - Throws: `QueueingError.unstableStation` naming the first station with utilization >= 1,
    ///   `.singularRoutingMatrix` if jobs can be trapped, `.dimensionMismatch`, `.invalidArgument`.
    public init(stations: [JacksonStation], routingProbabilities: [[Double]]) throws {
        let m = stations.count
        for (i, s) in stations.enumerated() {
            try requireAtLeast(s.servers, 1, "stations[\(i)].servers")
            try requirePositive(s.meanServiceSeconds, "stations[\(i)].meanServiceSeconds")
            try requireNonNegative(s.externalArrivalRatePerSecond, "stations[\(i)].externalArrivalRatePerSecond")
        }
        let lambda = try JacksonNetwork.solveTrafficEquations(
            externalArrivalRatesPerSecond: stations.map(\.externalArrivalRatePerSecond),
            routingProbabilities: routingProbabilities)
        let gammaTotal = stations.reduce(0) { $0 + $1.externalArrivalRatePerSecond }
        var results: [JacksonStationResult] = []
        results.reserveCapacity(m)
        for (i, s) in stations.enumerated() {
            let rho = lambda[i] * s.meanServiceSeconds / Double(s.servers)
            guard rho < 1 else {
                throw QueueingError.unstableStation(name: s.name, index: i, utilization: rho)
            }
            let q = try MMcQueue(arrivalRatePerSecond: lambda[i],
                                 meanServiceSeconds: s.meanServiceSeconds, servers: s.servers)
            results.append(JacksonStationResult(
                name: s.name, arrivalRatePerSecond: lambda[i],
                visitsPerJob: gammaTotal > 0 ? lambda[i] / gammaTotal : 0,
                utilization: rho, probabilityOfWaiting: q.probabilityOfWaiting,
                meanNumberInSystem: q.meanNumberInSystem,
                meanResponseSeconds: q.meanResponseSeconds, meanWaitSeconds: q.meanWaitSeconds))
        }
        self.stations = results
        self.totalExternalArrivalRatePerSecond = gammaTotal
        self.meanNumberInNetwork = results.reduce(0) { $0 + $1.meanNumberInSystem }
        self.meanSojournSeconds = gammaTotal > 0 ? meanNumberInNetwork / gammaTotal : 0
    }

    /// Solves the traffic equations `lambda = gamma + lambda P`, i.e. `(I - P^T) lambda = gamma`,
    /// by Gaussian elimination with partial pivoting. Useful on its own for visit ratios.
    public static func solveTrafficEquations(externalArrivalRatesPerSecond gamma: [Double],
                                             routingProbabilities p: [[Double]]) throws -> [Double] {
        let m = gamma.count
        guard p.count == m else {
            throw QueueingError.dimensionMismatch(name: "routingProbabilities", expected: m, actual: p.count)
        }
        for (i, row) in p.enumerated() {
            guard row.count == m else {
                throw QueueingError.dimensionMismatch(name: "routingProbabilities[\(i)]", expected: m, actual: row.count)
            }
            var sum = 0.0
            for (j, v) in row.enumerated() {
                guard v.isFinite, v >= 0, v <= 1 else {
                    throw QueueingError.invalidArgument(name: "routingProbabilities[\(i)][\(j)]", value: v,
                                                        requirement: "in [0, 1]")
                }
                sum += v
            }
            guard sum <= 1 + 1e-9 else {
                throw QueueingError.invalidArgument(name: "routingProbabilities[\(i)] row sum", value: sum,
                                                    requirement: "<= 1")
            }
        }
        for (i, g) in gamma.enumerated() { try requireNonNegative(g, "externalArrivalRatesPerSecond[\(i)]") }
        if m == 0 { return [] }
        // A = I - P^T
        var a = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
        for i in 0..<m {
            for j in 0..<m { a[i][j] = (i == j ? 1 : 0) - p[j][i] }
        }
        // Round-off can leave -1e-17 where the exact answer is 0.
        return try solveLinearSystem(a, gamma).map { max(0, $0) }
    }
}

/// Gaussian elimination with partial pivoting; throws `.singularRoutingMatrix` on a
/// (numerically) singular matrix.
func solveLinearSystem(_ matrix: [[Double]], _ rhs: [Double]) throws -> [Double] {
    var a = matrix
    var b = rhs
    let n = b.count
    let scale = max(a.lazy.flatMap { $0 }.map(abs).max() ?? 0, 1)
    for k in 0..<n {
        var pivot = k
        var best = abs(a[k][k])
        for r in (k + 1)..<max(n, k + 1) where abs(a[r][k]) > best {
            best = abs(a[r][k]); pivot = r
        }
        guard best > 1e-12 * scale else { throw QueueingError.singularRoutingMatrix }
        if pivot != k { a.swapAt(pivot, k); b.swapAt(pivot, k) }
        for r in (k + 1)..<max(n, k + 1) {
            let f = a[r][k] / a[k][k]
            if f == 0 { continue }
            for c in k..<n { a[r][c] -= f * a[k][c] }
            b[r] -= f * b[k]
        }
    }
    var x = [Double](repeating: 0, count: n)
    for k in stride(from: n - 1, through: 0, by: -1) {
        var s = b[k]
        for c in (k + 1)..<max(n, k + 1) { s -= a[k][c] * x[c] }
        x[k] = s / a[k][k]
    }
    return x
}
