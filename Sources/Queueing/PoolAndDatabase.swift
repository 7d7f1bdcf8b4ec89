import Foundation

/// One database node as the holders of connections see it: a processor-sharing station with
/// `cores` cores whose every job, with n present, runs at `min(1, cores / n)` divided by the
/// Universal Scalability Law's `1 + contention (n - 1) + coherency n (n - 1)` (the simulator's
/// `ProcessorSharingStation`), and `demandSeconds` of service per acquisition (visits folded in:
/// a replica that gets a third of the reads has a third of their time).
public struct DatabaseNodeDemand: Sendable, Hashable {
    public var cores: Int
    public var contention: Double
    public var coherency: Double
    public var demandSeconds: Double
    /// Mean jobs of *other* holders present at the node (other pools, other instances' pools),
    /// which share its cores and slow it: the joint solution of several pools sets it.
    public var backgroundJobs: Double

    public init(cores: Int, contention: Double = 0, coherency: Double = 0, demandSeconds: Double, backgroundJobs: Double = 0) {
        self.cores = cores; self.contention = contention; self.coherency = coherency; self.demandSeconds = demandSeconds
        self.backgroundJobs = backgroundJobs
    }

    /// Each job's rate with m jobs present (m may be fractional with a background):
    /// `min(1, cores / m) / (1 + contention (m - 1) + coherency m (m - 1))`.
    public func ratePerJob(_ m: Double) -> Double {
        guard m > 0 else { return 1 }
        return min(1, Double(cores) / m) / (1 + contention * max(0, m - 1) + coherency * m * max(0, m - 1))
    }

    /// The node's completion rate with n of these jobs present (and the background), per unit of
    /// demand: `n x` each job's rate.
    public func rateMultiplier(_ n: Int) -> Double {
        guard n > 0 else { return 0 }
        return Double(n) * ratePerJob(Double(n) + backgroundJobs)
    }
}

/// The database and everything else a holder does while it keeps a connection, collapsed into
/// one flow-equivalent server (Chandy, Herzog and Woo's Norton theorem for queueing networks):
/// `throughputPerSecond[n - 1]` is the rate at which n holders release their connections.
///
/// A holder alternates nothing else: it keeps the connection for `otherHoldSeconds` outside the
/// database (the round trip, CPU or calls inside a transaction; an infinite-server delay) and
/// `demandSeconds` of service at each node. With n holders this is a closed product-form network
/// (processor sharing with a state-dependent rate is a BCMP station, insensitive to the service
/// distribution; so is the delay), solved exactly by convolution:
///
///     f_0(j) = T^j / j!,   f_k(j) = D_k^j / prod_{i=1..j} alpha_k(i),   G = f_0 * f_1 * ... * f_K,
///     X(n) = G(n - 1) / G(n),
///
/// with `alpha_k(i)` the node's rate multiplier. Computed in logarithms (log-sum-exp), so no
/// population overflows. Cost `O(K n^2)`: holders are counted up to `maximumHolders`.
public struct FlowEquivalentDatabase: Sendable, Hashable {
    public let otherHoldSeconds: Double
    public let nodes: [DatabaseNodeDemand]
    /// X(n) for n = 1 ... maximumHolders: connections released per second with n holders.
    public let throughputPerSecond: [Double]

    public init(nodes: [DatabaseNodeDemand], otherHoldSeconds: Double, maximumHolders: Int) throws {
        try requireNonNegative(otherHoldSeconds, "otherHoldSeconds")
        try requireAtLeast(maximumHolders, 1, "maximumHolders")
        for (i, n) in nodes.enumerated() {
            try requireAtLeast(n.cores, 1, "nodes[\(i)].cores")
            try requireNonNegative(n.demandSeconds, "nodes[\(i)].demandSeconds")
            try requireNonNegative(n.contention, "nodes[\(i)].contention")
            try requireNonNegative(n.coherency, "nodes[\(i)].coherency")
        }
        let active = nodes.filter { $0.demandSeconds > 0 }
        guard otherHoldSeconds > 0 || !active.isEmpty else {
            throw QueueingError.invalidArgument(name: "otherHoldSeconds", value: otherHoldSeconds,
                                                requirement: "> 0 when no node has a positive demand")
        }
        self.otherHoldSeconds = otherHoldSeconds
        self.nodes = nodes
        let n = maximumHolders
        // log f of the delay, then convolve each node in.
        var logG = [Double](repeating: -.infinity, count: n + 1)
        logG[0] = 0
        if otherHoldSeconds > 0 {
            let lt = log(otherHoldSeconds)
            for j in 1...n { logG[j] = logG[j - 1] + lt - log(Double(j)) }
        }
        for node in active {
            var logF = [Double](repeating: 0, count: n + 1)
            let ld = log(node.demandSeconds)
            for j in 1...n { logF[j] = logF[j - 1] + ld - log(node.rateMultiplier(j)) }
            var next = [Double](repeating: -.infinity, count: n + 1)
            for m in 0...n {
                var top = -Double.infinity
                for j in 0...m where logG[m - j] > -.infinity { top = max(top, logF[j] + logG[m - j]) }
                guard top > -.infinity else { continue }
                var sum = 0.0
                for j in 0...m where logG[m - j] > -.infinity { sum += exp(logF[j] + logG[m - j] - top) }
                next[m] = top + log(sum)
            }
            logG = next
        }
        throughputPerSecond = (1...n).map { exp(logG[$0 - 1] - logG[$0]) }
    }

    /// X(n), holding at its last value beyond `maximumHolders`.
    public func throughput(holders n: Int) -> Double {
        guard n > 0 else { return 0 }
        return throughputPerSecond[min(n, throughputPerSecond.count) - 1]
    }
}

/// How long a waiter for a connection stays before giving up.
public enum AcquirePatience: Sendable {
    /// Waits forever.
    case none
    /// Gives up after exactly this many seconds (HikariCP's `connectionTimeout`, PgBouncer's
    /// `query_wait_timeout` as set).
    case constant(Double)
    /// Each waiter draws its own patience: `survival(x) = P(patience > x)`, equal to 1 below
    /// `lower` and 0 above `upper` (finite: truncate a tail that never ends where it is negligible).
    case distributed(survival: @Sendable (Double) -> Double, lower: Double, upper: Double)
}

/// A connection pool of `connections` fed by Poisson acquisitions, whose holders release at the
/// state-dependent rate `releaseRate(n)` (a `FlowEquivalentDatabase`): a birth-death process
/// below the pool's size, and, when every connection is held, the M/M/n+G analysis of the
/// virtual waiting time with the release rate of a full pool in place of `c mu`.
///
/// Derivation (Baccelli and Hebuterne 1981; `MMcDQueue` has the constant-rate case): with
/// `pi_n` for n < c holders, `lambda pi_{n-1} = X(n) pi_n`, so `r_n = pi_n / pi_{c-1} =
/// prod_{k=n+1}^{c-1} X(k) / lambda`, `E = sum_{n<c} r_n`. The offered wait V has the atom
/// `E / D` at 0 and density `lambda exp(lambda H(x) - X(c) x) / D` beyond, `H(x) =
/// integral_0^x P(patience > u) du`, `J = integral_0^inf exp(lambda H(x) - X(c) x) dx`,
/// `D = E + lambda J`. An acquisition gets a connection iff its patience exceeds V:
///
///     P(wait) = lambda J / D,   P(timeout) = (lambda / D) integral exp(lambda H - X(c) x) G(x) dx,
///     E[wait] = (lambda / D) integral exp(lambda H - X(c) x) H(x) dx,
///     mean holders = (sum_n n r_n + c lambda J) / D.
///
/// Exact when the holders' subnetwork is product form (exponential or PS service) and the pool's
/// waiters give up only from the queue; with `X(n) = n mu` it is M/M/c+G exactly (M/M/c+D for a
/// constant patience, Erlang C without one). Without patience and `lambda >= X(c)` the queue grows
/// without bound: `isOverloaded`, the pool carries `X(c)` with every connection held.
public struct PoolWithStateDependentRelease: Sendable {
    public let arrivalRatePerSecond: Double
    public let connections: Int
    /// X(c): the release rate with every connection held.
    public let fullPoolReleaseRatePerSecond: Double
    public let isOverloaded: Bool
    /// Overloaded (no patience, `lambda >= X(c)`) only beyond a barrier: the database releases
    /// more than `lambda` with fewer holders (contention and coherency make X(n) fall past its
    /// peak), so from an empty pool the holders stay below the barrier for a long time. The
    /// figures are then those of that metastable state (the birth-death chain's quasi-stationary
    /// distribution on 0 ... barrier), and this is the expected time before a burst carries the
    /// holders past it into the collapse (`1 / (lambda P(barrier))`, the rate of upward crossings
    /// of the barrier in the metastable state: a lower bound on the mean time to collapse, as a
    /// crossing may fall back). nil when not metastable.
    public private(set) var metastableSecondsToCollapse: Double? = nil
    /// The largest number of holders whose release rate X(n) exceeds `lambda` (metastable state only).
    public private(set) var metastableBarrier: Int? = nil
    /// A state counts as metastable when its expected time to collapse is at least this (an
    /// hour: longer than a load test or a peak); a sooner collapse is the pool's fate, and the
    /// figures are then the collapsed (overloaded) pool's.
    public static let metastableHorizonSeconds = 3600.0
    /// Probability an acquisition finds every connection held.
    public let probabilityOfWaiting: Double
    /// Probability an acquisition gives up.
    public let probabilityOfTimeout: Double
    /// Mean wait over all acquisitions (those that give up count their patience); nil when overloaded.
    public let meanWaitSeconds: Double?
    /// Mean wait of the acquisitions that get a connection; nil when overloaded.
    public let meanWaitOfServedSeconds: Double?
    /// Mean connections held.
    public let meanHolders: Double
    /// Acquisitions per second that get a connection.
    public let carriedThroughputPerSecond: Double
    /// Mean time a connection is held, `meanHolders / carried` (Little).
    public var meanHoldSeconds: Double { carriedThroughputPerSecond > 0 ? meanHolders / carriedThroughputPerSecond : 0 }
    public var utilization: Double { meanHolders / Double(connections) }
    /// log(pi_n / pi_{c-1}) for n < c, and log D (pi_{c-1} = 1 / D; +infinity when overloaded).
    private(set) var logRatios: [Double]
    let logNormalizer: Double
    /// P(n connections held) for n = 0 ... c (n = c: every connection held, waiters or not).
    public var holderDistribution: [Double] {
        if arrivalRatePerSecond == 0 { return [1] + [Double](repeating: 0, count: connections) }
        return logRatios.map { exp($0 - logNormalizer) } + [probabilityOfWaiting]
    }
    /// Mean acquisitions waiting (Little on the waits of all); nil when overloaded.
    public var meanWaiting: Double? { meanWaitSeconds.map { $0 * arrivalRatePerSecond } }

    /// `releaseRate(n)` for n = 1 ... connections.
    public init(arrivalRatePerSecond lambda: Double, connections c: Int, patience: AcquirePatience,
                releaseRate: (Int) -> Double) throws {
        try requireNonNegative(lambda, "arrivalRatePerSecond")
        try requireAtLeast(c, 1, "connections")
        arrivalRatePerSecond = lambda
        connections = c
        let xs = (1...c).map(releaseRate)
        for (i, x) in xs.enumerated() where !(x > 0 && x.isFinite) {
            throw QueueingError.invalidArgument(name: "releaseRate(\(i + 1))", value: x, requirement: "> 0 and finite")
        }
        let xc = xs[c - 1]
        fullPoolReleaseRatePerSecond = xc
        if lambda == 0 {
            isOverloaded = false; probabilityOfWaiting = 0; probabilityOfTimeout = 0
            meanWaitSeconds = 0; meanWaitOfServedSeconds = 0; meanHolders = 0; carriedThroughputPerSecond = 0
            logRatios = []; logNormalizer = 0
            return
        }
        // log r_n for n = 0 ... c-1 (r_{c-1} = 1), and the log of E and of sum n r_n.
        var logR = [Double](repeating: 0, count: c)
        if c >= 2 {
            for n in stride(from: c - 2, through: 0, by: -1) { logR[n] = logR[n + 1] + log(xs[n]) - log(lambda) }
        }
        logRatios = logR
        let logE = logSumExp(logR)
        let logNE = c >= 2 ? logSumExp((1..<c).map { logR[$0] + log(Double($0)) }) : -Double.infinity
        let ll = log(lambda)
        // The integrals over the offered wait, each as a logarithm; `integrals` returns
        // (log J, log of the timed-out mass, log of E[min(V, patience)] mass, log of the served wait mass).
        let delta = lambda - xc
        switch patience {
        case .none:
            guard delta < 0 else {
                // Quasi-stationary on 0 ... b: pi_n proportional to prod_{k <= n} lambda / X(k).
                var logP = [0.0]
                let barrier = (1..<c).last(where: { xs[$0 - 1] > lambda })
                if let b = barrier { for n in 1...b { logP.append(logP[n - 1] + ll - log(xs[n - 1])) } }
                let logZ = logSumExp(logP)
                let p = logP.map { exp($0 - logZ) }
                if let b = barrier, 1 / (lambda * p[b]) >= Self.metastableHorizonSeconds {
                    isOverloaded = true
                    metastableBarrier = b
                    metastableSecondsToCollapse = 1 / (lambda * p[b])
                    probabilityOfWaiting = 0; probabilityOfTimeout = 0
                    meanWaitSeconds = 0; meanWaitOfServedSeconds = 0
                    meanHolders = p.enumerated().reduce(0) { $0 + Double($1.offset) * $1.element }
                    carriedThroughputPerSecond = lambda
                    logRatios = logP.map { $0 - logZ } + [Double](repeating: -.infinity, count: c - 1 - b)
                    logNormalizer = 0
                    return
                }
                isOverloaded = true
                probabilityOfWaiting = 1; probabilityOfTimeout = 0
                meanWaitSeconds = nil; meanWaitOfServedSeconds = nil
                meanHolders = Double(c); carriedThroughputPerSecond = xc
                logNormalizer = .infinity
                return
            }
            isOverloaded = false
            // J = 1 / (X(c) - lambda); integral of x e^(delta x) = 1 / delta^2.
            let logJ = -log(-delta)
            let logD = logSumExp([logE, ll + logJ])
            logNormalizer = logD
            probabilityOfWaiting = exp(ll + logJ - logD)
            probabilityOfTimeout = 0
            let w = exp(ll - 2 * log(-delta) - logD)
            meanWaitSeconds = w; meanWaitOfServedSeconds = w
            meanHolders = exp(logSumExp([logNE, log(Double(c)) + ll + logJ]) - logD)
            carriedThroughputPerSecond = lambda
        case let .constant(tau):
            try requireNonNegative(tau, "patience")
            isOverloaded = false
            let parts = Self.linearPiece(slope: delta, from: 0, to: tau, offset: 0)
            // Beyond tau, H = tau: exp(lambda tau - X(c) x), integral from tau = e^(delta tau) / X(c).
            let logTail = delta * tau - log(xc)
            let logJ = logSumExp([parts.logI0, logTail])
            let logD = logSumExp([logE, ll + logJ])
            logNormalizer = logD
            probabilityOfWaiting = exp(ll + logJ - logD)
            probabilityOfTimeout = exp(ll + logTail - logD)
            let servedMass = exp(ll + parts.logI1 - logD)
            meanWaitSeconds = servedMass + tau * probabilityOfTimeout
            let served = 1 - probabilityOfTimeout
            meanWaitOfServedSeconds = served > 0 ? servedMass / served : 0
            meanHolders = exp(logSumExp([logNE, log(Double(c)) + ll + logJ]) - logD)
            carriedThroughputPerSecond = lambda * served
        case let .distributed(survival, lower, upper):
            guard lower >= 0, upper >= lower, upper.isFinite else {
                throw QueueingError.invalidArgument(name: "patience.upper", value: upper, requirement: ">= lower >= 0, finite")
            }
            isOverloaded = false
            // [0, lower]: H(x) = x, no one gives up yet (closed form). [lower, upper]: Simpson on
            // a fine grid, the exponent's maximum factored out. Beyond upper: H = H(upper), closed form.
            let first = Self.linearPiece(slope: delta, from: 0, to: lower, offset: 0)
            let steps = 4096
            let h = (upper - lower) / Double(steps)
            var xsGrid = [Double](repeating: 0, count: steps + 1)
            var hGrid = [Double](repeating: lower, count: steps + 1)
            var gGrid = [Double](repeating: 0, count: steps + 1)
            for i in 0...steps {
                xsGrid[i] = lower + Double(i) * h
                gGrid[i] = 1 - min(1, max(0, survival(xsGrid[i])))
                if i > 0 {
                    // H by Simpson's rule on each step (the survival at its midpoint too): the
                    // exponent multiplies H by lambda, so H needs the quadrature's accuracy.
                    let mid = min(1, max(0, survival(xsGrid[i] - h / 2)))
                    hGrid[i] = hGrid[i - 1] + h * ((1 - gGrid[i - 1]) + 4 * mid + (1 - gGrid[i])) / 6
                }
            }
            let exponent = (0...steps).map { lambda * hGrid[$0] - xc * xsGrid[$0] }
            let top = exponent.max() ?? 0
            func simpson(_ f: (Int) -> Double) -> Double {
                guard steps > 0, h > 0 else { return 0 }
                var s = f(0) + f(steps)
                for i in 1..<steps { s += (i % 2 == 1 ? 4 : 2) * f(i) }
                return s * h / 3
            }
            let midJ = simpson { exp(exponent[$0] - top) }
            let midTimeout = simpson { exp(exponent[$0] - top) * gGrid[$0] }
            let midWait = simpson { exp(exponent[$0] - top) * hGrid[$0] }
            let midServedWait = simpson { exp(exponent[$0] - top) * xsGrid[$0] * (1 - gGrid[$0]) }
            let hEnd = hGrid[steps]
            let logTail = lambda * hEnd - xc * upper - log(xc)   // integral beyond upper of exp(lambda hEnd - xc x)
            let logJ = logSumExp([first.logI0, top + log(max(midJ, 0)), logTail])
            let logD = logSumExp([logE, ll + logJ])
            logNormalizer = logD
            probabilityOfWaiting = exp(ll + logJ - logD)
            probabilityOfTimeout = exp(ll - logD) * (exp(top) * midTimeout + exp(logTail))
            let waitMass = exp(ll - logD) * (exp(first.logI1) + exp(top) * midWait + hEnd * exp(logTail))
            let servedWaitMass = exp(ll - logD) * (exp(first.logI1) + exp(top) * midServedWait)
            meanWaitSeconds = waitMass
            let served = 1 - probabilityOfTimeout
            meanWaitOfServedSeconds = served > 0 ? servedWaitMass / served : 0
            meanHolders = exp(logSumExp([logNE, log(Double(c)) + ll + logJ]) - logD)
            carriedThroughputPerSecond = lambda * served
        }
    }

    /// log of `I0 = integral_a^b e^(s x) dx` and `I1 = integral_a^b x e^(s x) dx`, free of
    /// overflow (the exponent's top factored out) and of cancellation near s = 0 (series).
    static func linearPiece(slope s: Double, from a: Double, to b: Double, offset: Double) -> (logI0: Double, logI1: Double) {
        guard b > a else { return (-.infinity, -.infinity) }
        let len = b - a
        let top = max(s * a, s * b)
        // e^(s x) = e^top e^(s x - top); substitute u = x - a for s <= 0, u = b - x for s > 0.
        let t = -abs(s) * len   // <= 0
        // integral_0^len e^(-|s| u) du and integral_0^len u e^(-|s| u) du.
        var m0: Double, m1: Double
        if abs(t) < 1e-4 {
            m0 = len * (1 + t / 2 + t * t / 6)
            m1 = len * len * (0.5 + t / 3 + t * t / 8)
        } else {
            let k = abs(s)
            m0 = -expm1(t) / k
            m1 = (1 - exp(t) * (1 - t)) / (k * k)
        }
        // x = a + u (s <= 0) or x = b - u (s > 0).
        let i1 = s <= 0 ? a * m0 + m1 : b * m0 - m1
        return (top + log(m0), top + log(max(i1, 0)))
    }
}

func logSumExp(_ xs: [Double]) -> Double {
    let top = xs.max() ?? -.infinity
    guard top > -.infinity else { return -.infinity }
    if top == .infinity { return .infinity }
    return top + log(xs.reduce(0) { $0 + exp($1 - top) })
}

/// Several pools whose holders share one database, solved jointly (issue 19): each group is a
/// pool (or a pooler's server connections) with `copies` identical copies (one per instance).
///
/// A group of one copy is `PoolWithStateDependentRelease` on its flow-equivalent database. A
/// group of several copies is first solved as if its copies pooled their connections (one pool of
/// `copies x connections` fed by all their acquisitions), which gives the database's sharing
/// among all the holders, correlations included (when one instance's queries are slow, so are
/// the others'); each copy is then a pool of its own connections whose holds take the pooled
/// solution's mean hold (M/M/c, or M/M/c+G with the patience). Other groups' holders are a
/// background at each node, counted by their mean (`DatabaseNodeDemand.backgroundJobs`).
///
/// **Approximation** except for one group of one copy (a shared pool, a pooler: exact for
/// exponential query times with holders only at the database). Pooling the copies lets more
/// queries reach the database than separate pools would, so the holds err long, the safe side.
/// Fixed point by damped iteration on the backgrounds.
public struct SharedDatabasePools: Sendable {
    public struct Group: Sendable {
        public var copies: Int
        public var connectionsPerCopy: Int
        public var acquisitionsPerSecondPerCopy: Double
        public var patience: AcquirePatience
        /// Service seconds per acquisition at each node (same order as `nodes`).
        public var demandSecondsPerNode: [Double]
        /// Seconds per acquisition a holder keeps the connection outside the database.
        public var otherHoldSeconds: Double
        /// How the copies' acquisitions are dealt (random or round robin): the copies are then
        /// solved as one Markov chain (`PoolCopiesChain`) when it is small enough and the acquire
        /// timeout negligible; nil (another balancer) keeps the copies pooled.
        public var balancing: CopyBalancing?

        public init(copies: Int, connectionsPerCopy: Int, acquisitionsPerSecondPerCopy: Double, patience: AcquirePatience,
                    demandSecondsPerNode: [Double], otherHoldSeconds: Double, balancing: CopyBalancing? = nil) {
            self.copies = copies; self.connectionsPerCopy = connectionsPerCopy
            self.acquisitionsPerSecondPerCopy = acquisitionsPerSecondPerCopy; self.patience = patience
            self.demandSecondsPerNode = demandSecondsPerNode; self.otherHoldSeconds = otherHoldSeconds
            self.balancing = balancing
        }
    }

    public struct Solution: Sendable {
        /// Per copy.
        public var pool: PoolWithStateDependentRelease
        /// All copies as if they pooled their connections (`pool` itself for one copy): where the
        /// database's sharing comes from, and whether the group is overloaded or metastable.
        public var pooled: PoolWithStateDependentRelease
        /// Mean jobs this group's copies (all of them) keep at each node.
        public var jobsAtNode: [Double]
        /// Residence at each node per acquisition (service stretched by sharing), seconds.
        public var residenceSecondsPerNode: [Double]
        /// The copies solved as one Markov chain (its holds are `pool`'s; its waits replace
        /// `pool`'s Poisson ones); nil when the copies were taken as pooled.
        public var chain: PoolCopiesChain? = nil
    }

    public let solutions: [Solution]
    /// Mean jobs present at each node, all groups together.
    public let jobsAtNode: [Double]
    public let iterations: Int

    /// `nodes`: cores, contention, coherency of each node (their demands are ignored: each
    /// group has its own).
    public init(nodes: [DatabaseNodeDemand], groups: [Group]) throws {
        let k = nodes.count
        var jobs = [[Double]](repeating: [Double](repeating: 0, count: k), count: groups.count)   // all copies of a group
        var solutions: [Solution] = []
        var iterations = 0
        for iteration in 0..<(groups.count > 1 ? 300 : 1) {
            iterations = iteration + 1
            var next = jobs
            solutions = []
            for (g, group) in groups.enumerated() {
                let copies = group.copies
                let c = group.connectionsPerCopy
                var groupNodes = nodes
                for i in 0..<k {
                    var background = 0.0
                    for h in groups.indices where h != g { background += jobs[h][i] }
                    groupNodes[i].demandSeconds = i < group.demandSecondsPerNode.count ? group.demandSecondsPerNode[i] : 0
                    groupNodes[i].backgroundJobs = background
                }
                let fes = try FlowEquivalentDatabase(nodes: groupNodes, otherHoldSeconds: group.otherHoldSeconds,
                                                     maximumHolders: c * copies)
                let pooled = try PoolWithStateDependentRelease(arrivalRatePerSecond: group.acquisitionsPerSecondPerCopy * Double(copies),
                                                               connections: c * copies, patience: group.patience) {
                    fes.throughput(holders: $0)
                }
                var pool = pooled
                var chain: PoolCopiesChain? = nil
                if copies > 1 {
                    // Each copy's holds last what the pooled solution's do (with no load at all,
                    // a single holder's: 1 / X(1)).
                    let hold = pooled.carriedThroughputPerSecond > 0 ? pooled.meanHoldSeconds : 1 / fes.throughput(holders: 1)
                    pool = try PoolWithStateDependentRelease(arrivalRatePerSecond: group.acquisitionsPerSecondPerCopy,
                                                             connections: c, patience: group.patience) { Double($0) / hold }
                    // The copies as one chain when the timeout is negligible (below 1e-9 of the
                    // acquisitions with the pooled holds, which err long) and the pooled solution
                    // is not overloaded: the database sees the sum of their holders.
                    // With random balancing and holds no sharing stretches (X(n) = n X(1)) the
                    // copies are independent: each is its birth-death pool above, exactly.
                    let total = c * copies
                    let linear = (1...total).allSatisfy { abs(fes.throughput(holders: $0) - Double($0) * fes.throughput(holders: 1)) <= 1e-12 * fes.throughput(holders: $0) }
                    if let balancing = group.balancing, !(balancing == .random && linear),
                       !pooled.isOverloaded, pool.probabilityOfTimeout < 1e-9,
                       group.acquisitionsPerSecondPerCopy > 0,
                       let solved = try PoolCopiesChain.solve(copies: copies, connectionsPerCopy: c,
                                                              arrivalRatePerSecond: group.acquisitionsPerSecondPerCopy * Double(copies),
                                                              balancing: balancing, releaseRate: { fes.throughput(holders: $0) }) {
                        chain = solved
                        let chainHold = solved.meanHoldSeconds
                        pool = try PoolWithStateDependentRelease(arrivalRatePerSecond: group.acquisitionsPerSecondPerCopy,
                                                                 connections: c, patience: .none) { Double($0) / chainHold }
                    }
                }
                // Time at the database per acquisition: the hold beyond the time outside it,
                // split among the nodes as each node's demand over its per-job rate at its
                // mean population.
                let atDatabase = max(0, pool.meanHoldSeconds - group.otherHoldSeconds)
                var weights = (0..<k).map { i -> Double in
                    let d = groupNodes[i].demandSeconds
                    return d > 0 ? d / groupNodes[i].ratePerJob(max(1, jobs[g][i] + groupNodes[i].backgroundJobs)) : 0
                }
                let total = weights.reduce(0, +)
                if total > 0 { weights = weights.map { $0 / total } }
                let residence = weights.map { $0 * atDatabase }
                next[g] = residence.map { $0 * pool.carriedThroughputPerSecond * Double(copies) }
                solutions.append(Solution(pool: pool, pooled: pooled, jobsAtNode: next[g], residenceSecondsPerNode: residence, chain: chain))
            }
            var change = 0.0
            for g in 0..<groups.count {
                for i in 0..<k {
                    change = max(change, abs(next[g][i] - jobs[g][i]) / max(1e-9, next[g][i]))
                    jobs[g][i] = 0.5 * jobs[g][i] + 0.5 * next[g][i]
                }
            }
            if change < 1e-10 { break }
        }
        self.solutions = solutions
        self.iterations = iterations
        self.jobsAtNode = (0..<k).map { i in solutions.reduce(0) { $0 + $1.jobsAtNode[i] } }
    }
}
