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
        try self.init(stations: stations, routes: try JacksonNetwork.sparse(routingProbabilities, stations: stations.count))
    }

    /// - Parameter routes: `routes[i]` lists where a job finishing at station `i` goes next, with
    ///   what probability (a sparse routing matrix: a network of 10,000 stations in a chain has
    ///   10,000 arcs, not 10^8 matrix entries); `1 - sum` is the probability it leaves.
    public init(stations: [JacksonStation], routes: [[RoutingArc]]) throws {
        let m = stations.count
        for (i, s) in stations.enumerated() {
            try requireAtLeast(s.servers, 1, "stations[\(i)].servers")
            try requirePositive(s.meanServiceSeconds, "stations[\(i)].meanServiceSeconds")
            try requireNonNegative(s.externalArrivalRatePerSecond, "stations[\(i)].externalArrivalRatePerSecond")
        }
        let lambda = try JacksonNetwork.solveTrafficEquations(
            externalArrivalRatesPerSecond: stations.map(\.externalArrivalRatePerSecond), routes: routes)
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

    /// Solves the traffic equations `lambda = gamma + lambda P`, i.e. `(I - P^T) lambda = gamma`.
    /// Useful on its own for visit ratios. See `solveTrafficEquations(externalArrivalRatesPerSecond:routes:)`.
    public static func solveTrafficEquations(externalArrivalRatesPerSecond gamma: [Double],
                                             routingProbabilities p: [[Double]]) throws -> [Double] {
        try solveTrafficEquations(externalArrivalRatesPerSecond: gamma, routes: sparse(p, stations: gamma.count))
    }

    /// The arcs of a dense routing matrix (zero entries dropped), after checking its shape.
    static func sparse(_ p: [[Double]], stations m: Int) throws -> [[RoutingArc]] {
        guard p.count == m else {
            throw QueueingError.dimensionMismatch(name: "routingProbabilities", expected: m, actual: p.count)
        }
        return try p.enumerated().map { i, row in
            guard row.count == m else {
                throw QueueingError.dimensionMismatch(name: "routingProbabilities[\(i)]", expected: m, actual: row.count)
            }
            return row.enumerated().compactMap { j, v in v == 0 ? nil : RoutingArc(station: j, probability: v) }
        }
    }

    /// Networks up to this many stations are solved as one dense system (as they always were); larger
    /// ones component by component, so time and memory grow with the arcs, not the square of stations.
    public static let denseStationLimit = 500
    /// A strongly connected set of stations up to this size is solved by dense elimination; a larger
    /// one by Gauss-Seidel iteration.
    static let denseComponentLimit = 1_000

    /// Solves the traffic equations `lambda = gamma + lambda P` for a sparse routing matrix.
    ///
    /// Up to `denseStationLimit` stations: Gaussian elimination with partial pivoting on `I - P^T`.
    /// Beyond: the stations are split into strongly connected components (Tarjan), which jobs
    /// traverse in topological order, so each component's rates follow from the rates flowing into
    /// it: a station without a loop gets `lambda_i = inflow_i / (1 - P_ii)`, a small component is
    /// solved densely, a large one by Gauss-Seidel (convergent because jobs leave every component
    /// that is not singular: its iteration matrix has spectral radius below 1).
    /// - Throws: `.singularRoutingMatrix` when a set of stations never lets jobs leave,
    ///   `.didNotConverge` when Gauss-Seidel needs more than about 10^8 arc visits,
    ///   `.invalidArgument` for a probability outside [0, 1] or a row sum above 1.
    public static func solveTrafficEquations(externalArrivalRatesPerSecond gamma: [Double],
                                             routes: [[RoutingArc]]) throws -> [Double] {
        let m = gamma.count
        guard routes.count == m else {
            throw QueueingError.dimensionMismatch(name: "routes", expected: m, actual: routes.count)
        }
        for (i, row) in routes.enumerated() {
            var sum = 0.0
            for arc in row {
                guard arc.probability.isFinite, arc.probability >= 0, arc.probability <= 1 else {
                    throw QueueingError.invalidArgument(name: "routingProbabilities[\(i)][\(arc.station)]", value: arc.probability,
                                                        requirement: "in [0, 1]")
                }
                guard (0..<m).contains(arc.station) else {
                    throw QueueingError.dimensionMismatch(name: "routes[\(i)] station", expected: m, actual: arc.station)
                }
                sum += arc.probability
            }
            guard sum <= 1 + 1e-9 else {
                throw QueueingError.invalidArgument(name: "routingProbabilities[\(i)] row sum", value: sum,
                                                    requirement: "<= 1")
            }
        }
        for (i, g) in gamma.enumerated() { try requireNonNegative(g, "externalArrivalRatesPerSecond[\(i)]") }
        if m == 0 { return [] }
        if m <= denseStationLimit {
            // A = I - P^T
            var a = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
            for i in 0..<m { a[i][i] = 1 }
            for (i, row) in routes.enumerated() { for arc in row { a[arc.station][i] -= arc.probability } }
            // Round-off can leave -1e-17 where the exact answer is 0.
            return try solveLinearSystem(a, gamma).map { max(0, $0) }
        }
        return try solveByComponents(gamma: gamma, routes: routes).map { max(0, $0) }
    }

    private static func solveByComponents(gamma: [Double], routes: [[RoutingArc]]) throws -> [Double] {
        let m = gamma.count
        let components = stronglyConnectedComponents(routes)
        var component = [Int](repeating: 0, count: m)
        for (c, members) in components.enumerated() { for i in members { component[i] = c } }
        var inflow = gamma
        var lambda = [Double](repeating: 0, count: m)
        // Tarjan lists components sinks first: jobs meet them in the reverse order.
        for c in stride(from: components.count - 1, through: 0, by: -1) {
            let members = components[c]
            if members.count == 1 {
                let i = members[0]
                let stay = routes[i].reduce(0.0) { $1.station == i ? $0 + $1.probability : $0 }
                guard stay < 1 - 1e-12 else { throw QueueingError.singularRoutingMatrix }
                lambda[i] = inflow[i] / (1 - stay)
            } else {
                // Jobs must be able to leave the component, or its rates are not determined.
                let leaks = members.contains { i in
                    routes[i].reduce(0.0) { $0 + $1.probability } < 1 - 1e-12 || routes[i].contains { component[$0.station] != c }
                }
                guard leaks else { throw QueueingError.singularRoutingMatrix }
                let solved = members.count <= denseComponentLimit
                    ? try solveDense(members, component: c, componentOf: component, inflow: inflow, routes: routes)
                    : try solveGaussSeidel(members, component: c, componentOf: component, inflow: inflow, routes: routes)
                for (k, i) in members.enumerated() { lambda[i] = solved[k] }
            }
            for i in members {
                for arc in routes[i] where component[arc.station] != c { inflow[arc.station] += lambda[i] * arc.probability }
            }
        }
        return lambda
    }

    private static func solveDense(_ members: [Int], component c: Int, componentOf: [Int], inflow: [Double],
                                   routes: [[RoutingArc]]) throws -> [Double] {
        let k = members.count
        var local = [Int: Int]()
        for (n, i) in members.enumerated() { local[i] = n }
        var a = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for n in 0..<k { a[n][n] = 1 }
        for (n, i) in members.enumerated() {
            for arc in routes[i] where componentOf[arc.station] == c { a[local[arc.station]!][n] -= arc.probability }
        }
        return try solveLinearSystem(a, members.map { inflow[$0] })
    }

    private static func solveGaussSeidel(_ members: [Int], component c: Int, componentOf: [Int], inflow: [Double],
                                         routes: [[RoutingArc]]) throws -> [Double] {
        let k = members.count
        var local = [Int: Int]()
        for (n, i) in members.enumerated() { local[i] = n }
        // Incoming arcs within the component, and each station's probability of coming straight back.
        var incoming = [[(from: Int, probability: Double)]](repeating: [], count: k)
        var stay = [Double](repeating: 0, count: k)
        var arcs = 0
        for (n, i) in members.enumerated() {
            for arc in routes[i] where componentOf[arc.station] == c {
                let to = local[arc.station]!
                if to == n { stay[n] += arc.probability } else { incoming[to].append((n, arc.probability)); arcs += 1 }
            }
        }
        var x = members.map { inflow[$0] }
        let b = x
        let maximumIterations = max(100, 100_000_000 / max(1, arcs + k))
        var residual = Double.infinity
        for _ in 0..<maximumIterations {
            residual = 0
            for n in 0..<k {
                var v = b[n]
                for (from, p) in incoming[n] { v += x[from] * p }
                v /= 1 - stay[n]
                residual = max(residual, abs(v - x[n]) / max(abs(v), 1e-300))
                x[n] = v
            }
            if residual < 1e-13 { return x }
        }
        throw QueueingError.didNotConverge(iterations: maximumIterations, residual: residual)
    }

    /// Tarjan's strongly connected components of the routing graph, iteratively (no recursion:
    /// a chain of 100,000 stations would overflow the stack). Components come sinks first.
    static func stronglyConnectedComponents(_ routes: [[RoutingArc]]) -> [[Int]] {
        let m = routes.count
        var index = [Int](repeating: -1, count: m)
        var low = [Int](repeating: 0, count: m)
        var onStack = [Bool](repeating: false, count: m)
        var stack: [Int] = []
        var components: [[Int]] = []
        var next = 0
        var work: [(node: Int, arc: Int)] = []
        for root in 0..<m where index[root] < 0 {
            work.append((root, 0))
            index[root] = next; low[root] = next; next += 1
            stack.append(root); onStack[root] = true
            while let (v, a) = work.last {
                if a < routes[v].count {
                    work[work.count - 1].arc += 1
                    let arc = routes[v][a]
                    guard arc.probability > 0 else { continue }
                    let w = arc.station
                    if index[w] < 0 {
                        index[w] = next; low[w] = next; next += 1
                        stack.append(w); onStack[w] = true
                        work.append((w, 0))
                    } else if onStack[w] {
                        low[v] = min(low[v], index[w])
                    }
                    continue
                }
                work.removeLast()
                if let parent = work.last { low[parent.node] = min(low[parent.node], low[v]) }
                if low[v] == index[v] {
                    var members: [Int] = []
                    while let w = stack.popLast() {
                        onStack[w] = false
                        members.append(w)
                        if w == v { break }
                    }
                    components.append(members.sorted())
                }
            }
        }
        return components
    }
}

/// One arc of a sparse routing matrix: a job finishing at a station goes next to `station` with `probability`.
public struct RoutingArc: Sendable, Hashable {
    public var station: Int
    public var probability: Double
    public init(station: Int, probability: Double) {
        self.station = station
        self.probability = probability
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
