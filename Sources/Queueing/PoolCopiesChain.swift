import Foundation

/// How a load balancer deals acquisitions to identical copies of a pool (one per instance).
public enum CopyBalancing: Sendable, Hashable {
    /// Each arrival goes to a copy drawn at random: every copy sees a Poisson stream.
    case random
    /// Arrivals go to the copies in turn: a copy sees every I-th arrival of the Poisson stream
    /// (Erlang-I interarrival times), far more regular than Poisson when I is small.
    case roundRobin
}

/// Several identical copies of a pool (one per instance) whose holders share one database,
/// solved as one continuous-time Markov chain (issue 19): the state is each copy's holders and
/// waiters (and, for round robin, which copy the next arrival goes to), and every holder releases
/// at `X(N) / N` with N the holders of all copies together (the flow-equivalent database at the
/// total: `FlowEquivalentDatabase`). So the database sees the sum of the holders, correlated as
/// they are (when one copy's queries are slow, so are the others'), and each copy waits for its
/// own connections only.
///
/// **Exact** (up to a truncation of the queues whose mass is checked below 1e-7) for Poisson
/// acquisitions, exponential query times at one processor-sharing node (holders only there: the
/// flow-equivalent rate is then the node's own), and no acquire timeout. Round robin is exact for
/// acquisitions dealt one by one; a request that takes several connections in turn is dealt
/// once, which makes each copy's stream more regular still (the chain's waits err long).
///
/// The chain is reduced by symmetry (random: the copies' states as a multiset; round robin:
/// rotated so that the next arrival's copy comes first) and solved by Gauss-Seidel iteration.
/// `nil` from `solve` when the reduced chain would exceed `maximumStates`.
public struct PoolCopiesChain: Sendable {
    public let copies: Int
    public let connectionsPerCopy: Int
    public let balancing: CopyBalancing
    /// Acquisitions per second, all copies together.
    public let arrivalRatePerSecond: Double
    /// Waiters per copy the chain was truncated at.
    public let maximumWaitersPerCopy: Int
    public let states: Int
    /// Per copy.
    public let meanHolders: Double
    public let meanWaiting: Double
    /// Probability that an acquisition finds every connection of its copy held.
    public let probabilityOfWaiting: Double
    /// P(N holders in all copies together), N = 0 ... copies x connections.
    public let totalHolderDistribution: [Double]
    /// Probability mass in states with a copy at the truncation (checked small).
    public let truncatedMass: Double

    public var utilization: Double { meanHolders / Double(connectionsPerCopy) }
    /// Mean wait per acquisition (Little, per copy).
    public var meanWaitSeconds: Double { meanWaiting / (arrivalRatePerSecond / Double(copies)) }
    /// Mean time a connection is held (Little, per copy).
    public var meanHoldSeconds: Double { meanHolders / (arrivalRatePerSecond / Double(copies)) }

    /// `releaseRate(N)` for N = 1 ... copies x connections: the rate at which N holders (of all
    /// copies) release connections; each holder releases at `releaseRate(N) / N`. Requires the
    /// load below what the copies release with every connection held (else the queues grow).
    /// `waitersPerCopy` fixes the truncation (tests); by default it grows until the mass at it is
    /// below 1e-7.
    public static func solve(copies: Int, connectionsPerCopy c: Int, arrivalRatePerSecond lambda: Double,
                             balancing: CopyBalancing, maximumStates: Int = 20_000,
                             waitersPerCopy: Int? = nil, releaseRate: (Int) -> Double) throws -> PoolCopiesChain? {
        try requireAtLeast(copies, 1, "copies")
        try requireAtLeast(c, 1, "connectionsPerCopy")
        try requirePositive(lambda, "arrivalRatePerSecond")
        let total = copies * c
        let x = (0...total).map { $0 == 0 ? 0 : releaseRate($0) }
        for n in 1...total where !(x[n] > 0 && x[n].isFinite) {
            throw QueueingError.invalidArgument(name: "releaseRate(\(n))", value: x[n], requirement: "> 0 and finite")
        }
        guard lambda < x[total] else { return nil }
        // Truncation: start from the waiters a copy would have as one M/M/c at the full pool's
        // rate per copy, grown until the mass at the boundary is negligible.
        let full = x[total] / Double(copies)
        let rho = lambda / Double(copies) / full
        var q = waitersPerCopy ?? max(8, Int((log(1e-8) / log(max(rho, 1e-6))).rounded(.up)))
        while true {
            // The reduced chain's size before building it: L^I (round robin) or C(L + I - 1, I).
            let l = Double(c + q + 1)
            let size = balancing == .roundRobin ? pow(l, Double(copies))
                : (0..<copies).reduce(1.0) { $0 * (l + Double($1)) / Double($1 + 1) }
            guard size <= Double(maximumStates) else { return nil }
            guard let chain = try build(copies: copies, c: c, lambda: lambda, balancing: balancing, waiters: q,
                                        maximumStates: maximumStates, x: x) else { return nil }
            if chain.truncatedMass < 1e-7 || waitersPerCopy != nil { return chain }
            q = q * 3 / 2
        }
    }

    private init(copies: Int, c: Int, balancing: CopyBalancing, lambda: Double, waiters: Int, states: Int,
                 meanHolders: Double, meanWaiting: Double, pWait: Double, totals: [Double], truncated: Double) {
        self.copies = copies; connectionsPerCopy = c; self.balancing = balancing; arrivalRatePerSecond = lambda
        maximumWaitersPerCopy = waiters; self.states = states; self.meanHolders = meanHolders
        self.meanWaiting = meanWaiting; probabilityOfWaiting = pWait; totalHolderDistribution = totals
        truncatedMass = truncated
    }

    /// A copy's local state s = holders (s <= c) or c holders and s - c waiters.
    private static func build(copies: Int, c: Int, lambda: Double, balancing: CopyBalancing, waiters: Int,
                              maximumStates: Int, x: [Double]) throws -> PoolCopiesChain? {
        let local = c + waiters + 1
        // Canonical form: random -> sorted (a multiset); round robin -> as is, copy 0 next.
        func canonical(_ s: [Int]) -> [Int] { balancing == .random ? s.sorted() : s }
        func key(_ s: [Int]) -> Int { s.reduce(0) { $0 * local + $1 } }
        var index: [Int: Int] = [:]
        var stateList: [[Int]] = []
        let start = [Int](repeating: 0, count: copies)
        index[key(start)] = 0; stateList.append(start)
        // Transitions out of each state: (target, rate).
        var out: [[(Int, Double)]] = []
        var cursor = 0
        while cursor < stateList.count {
            let s = stateList[cursor]
            cursor += 1
            var moves: [([Int], Double)] = []
            let held = s.reduce(0) { $0 + min($1, c) }
            // Arrivals.
            switch balancing {
            case .random:
                for j in 0..<copies where s[j] < local - 1 {
                    var t = s; t[j] += 1; moves.append((canonical(t), lambda / Double(copies)))
                }
            case .roundRobin:
                if s[0] < local - 1 {
                    var t = s; t[0] += 1
                    moves.append((Array(t[1...]) + [t[0]], lambda))   // the next copy comes first
                } else {
                    moves.append((Array(s[1...]) + [s[0]], lambda))    // truncated: lost, the turn still passes
                }
            }
            // Releases: each holder at x(N) / N; a release with waiters hands the connection over.
            if held > 0 {
                let perHolder = x[held] / Double(held)
                for j in 0..<copies where s[j] > 0 {
                    var t = s; t[j] -= 1
                    moves.append((canonical(t), Double(min(s[j], c)) * perHolder))
                }
            }
            var row: [(Int, Double)] = []
            for (t, rate) in moves where rate > 0 {
                let k = key(t)
                let i: Int
                if let found = index[k] { i = found } else {
                    guard stateList.count < maximumStates else { return nil }
                    i = stateList.count; index[k] = i; stateList.append(t)
                }
                row.append((i, rate))
            }
            out.append(row)
        }
        let n = stateList.count
        // Incoming transitions, flat (compressed rows), for Gauss-Seidel: pi_j = sum_i pi_i q_ij / q_j.
        var outRate = [Double](repeating: 0, count: n)
        var inCount = [Int](repeating: 0, count: n + 1)
        for (i, row) in out.enumerated() {
            for (j, rate) in row where j != i { outRate[i] += rate; inCount[j + 1] += 1 }
        }
        for j in 0..<n { inCount[j + 1] += inCount[j] }
        var fill = inCount
        var inFrom = [Int](repeating: 0, count: inCount[n])
        var inRate = [Double](repeating: 0, count: inCount[n])
        for (i, row) in out.enumerated() {
            for (j, rate) in row where j != i { inFrom[fill[j]] = i; inRate[fill[j]] = rate; fill[j] += 1 }
        }
        out = []
        var pi = [Double](repeating: 1 / Double(n), count: n)
        pi.withUnsafeMutableBufferPointer { p in
            inFrom.withUnsafeBufferPointer { from in
                inRate.withUnsafeBufferPointer { rate in
                    inCount.withUnsafeBufferPointer { start in
                        outRate.withUnsafeBufferPointer { outR in
                            for _ in 0..<100_000 {
                                var change = 0.0, sum = 0.0
                                for j in 0..<n {
                                    var v = 0.0
                                    for k in start[j]..<start[j + 1] { v += p[from[k]] * rate[k] }
                                    v /= outR[j]
                                    change = max(change, abs(v - p[j]))
                                    p[j] = v
                                    sum += v
                                }
                                for j in 0..<n { p[j] /= sum }
                                if change < 1e-13 { break }
                            }
                        }
                    }
                }
            }
        }
        var holders = 0.0, waiting = 0.0, pWait = 0.0, truncated = 0.0
        var totals = [Double](repeating: 0, count: copies * c + 1)
        for (k, s) in stateList.enumerated() {
            let p = pi[k]
            var held = 0
            for v in s { held += min(v, c); holders += p * Double(min(v, c)); waiting += p * Double(max(0, v - c)) }
            totals[held] += p
            if s.contains(local - 1) { truncated += p }
            switch balancing {
            case .random: pWait += p * Double(s.filter { $0 >= c }.count) / Double(copies)
            case .roundRobin: if s[0] >= c { pWait += p }
            }
        }
        return PoolCopiesChain(copies: copies, c: c, balancing: balancing, lambda: lambda, waiters: waiters, states: n,
                               meanHolders: holders / Double(copies), meanWaiting: waiting / Double(copies),
                               pWait: pWait, totals: totals, truncated: truncated)
    }
}
