import Foundation
import Testing
@testable import Queueing

/// A pool and the database its holders share, solved together (issue 19): the flow-equivalent
/// server of the holders' subnetwork, and the pool as a birth-death process with its rates.
/// Checked against small continuous-time Markov chains built and solved here by brute force.
@Suite("Pool and database solved together")
struct PoolAndDatabaseTests {
    /// Stationary distribution of a CTMC given by its transitions out of each state: the balance
    /// equations Q^T pi = 0 with pi_0 fixed at 1, by Gaussian elimination without pivoting (Q^T is
    /// an M-matrix, so no pivot vanishes) restricted to the matrix's band, then normalized.
    static func stationary(states n: Int, transitions: (Int) -> [(to: Int, rate: Double)]) -> [Double] {
        var a = [Double](repeating: 0, count: n * n)   // a[i * n + j] = Q^T[i][j] = Q[j][i]
        var band = 0
        for s in 0..<n {
            for t in transitions(s) where t.to != s && t.rate > 0 {
                a[t.to * n + s] += t.rate; a[s * n + s] -= t.rate
                band = max(band, abs(t.to - s))
            }
        }
        for j in 0..<n { a[j] = j == 0 ? 1 : 0 }
        var b = [Double](repeating: 0, count: n)
        b[0] = 1
        for k in 0..<n {
            let pivot = a[k * n + k]
            for i in (k + 1)..<min(n, k + band + 1) {
                let f = a[i * n + k] / pivot
                guard f != 0 else { continue }
                for j in k..<min(n, k + band + 1) { a[i * n + j] -= f * a[k * n + j] }
                b[i] -= f * b[k]
            }
        }
        var pi = [Double](repeating: 0, count: n)
        for k in stride(from: n - 1, through: 0, by: -1) {
            var v = b[k]
            for j in (k + 1)..<min(n, k + band + 1) { v -= a[k * n + j] * pi[j] }
            pi[k] = v / a[k * n + k]
        }
        let total = pi.reduce(0, +)
        return pi.map { $0 / total }
    }

    @Test("Holders of a plain database: min(n, cores) / D; holders of a delay alone: n / T")
    func flowEquivalentLimits() throws {
        let db = try FlowEquivalentDatabase(nodes: [DatabaseNodeDemand(cores: 4, demandSeconds: 0.01)],
                                            otherHoldSeconds: 0, maximumHolders: 10)
        for n in 1...10 { #expect(isClose(db.throughput(holders: n), Double(min(n, 4)) / 0.01, relative: 1e-12)) }
        let delay = try FlowEquivalentDatabase(nodes: [], otherHoldSeconds: 0.002, maximumHolders: 5)
        for n in 1...5 { #expect(isClose(delay.throughput(holders: n), Double(n) / 0.002, relative: 1e-12)) }
    }

    @Test("The flow-equivalent throughput equals a brute-force CTMC of holders at a primary, a replica and a delay, with contention and coherency",
          arguments: [3, 6, 9])
    func flowEquivalentMatchesCTMC(holders n: Int) throws {
        let primary = DatabaseNodeDemand(cores: 2, contention: 0.05, coherency: 0.01, demandSeconds: 0.004)
        let replica = DatabaseNodeDemand(cores: 1, contention: 0.1, coherency: 0, demandSeconds: 0.003)
        let other = 0.002
        let fes = try FlowEquivalentDatabase(nodes: [primary, replica], otherHoldSeconds: other, maximumHolders: n)
        // A holder goes primary -> replica -> delay -> (released, a new holder starts at the primary):
        // exponential services, state (a at the primary, b at the replica), the rest in the delay.
        let mu1 = 1 / primary.demandSeconds, mu2 = 1 / replica.demandSeconds
        var index: [[Int]] = Array(repeating: Array(repeating: -1, count: n + 1), count: n + 1)
        var states: [(Int, Int)] = []
        for a in 0...n { for b in 0...(n - a) { index[a][b] = states.count; states.append((a, b)) } }
        let pi = Self.stationary(states: states.count) { s in
            let (a, b) = states[s]
            let d = n - a - b
            var out: [(Int, Double)] = []
            if a > 0 { out.append((index[a - 1][b + 1], primary.rateMultiplier(a) * mu1)) }
            if b > 0 { out.append((index[a][b - 1], replica.rateMultiplier(b) * mu2)) }
            if d > 0 { out.append((index[a + 1][b], Double(d) / other)) }
            return out
        }
        // Releases happen at delay completions.
        let x = states.enumerated().reduce(0.0) { $0 + pi[$1.offset] * Double(n - $1.element.0 - $1.element.1) / other }
        #expect(isClose(fes.throughput(holders: n), x, relative: 1e-8), "\(fes.throughput(holders: n)) vs \(x)")
    }

    @Test("With release rate n mu the pool is M/M/c+D for a constant timeout and Erlang C without one",
          arguments: [(1, 0.7, 0.5), (4, 3.5, 0.2), (8, 9.0, 1.0)])
    func constantRateIsMMcD(servers c: Int, lambda: Double, tau: Double) throws {
        let mu = 1.0
        let pool = try PoolWithStateDependentRelease(arrivalRatePerSecond: lambda, connections: c, patience: .constant(tau)) { Double($0) * mu }
        let mmcd = try MMcDQueue(arrivalRatePerSecond: lambda, serviceRatePerSecond: mu, servers: c, patienceSeconds: tau)
        #expect(isClose(pool.probabilityOfWaiting, mmcd.probabilityOfWaiting, relative: 1e-9))
        #expect(isClose(pool.probabilityOfTimeout, mmcd.probabilityOfAbandonment, relative: 1e-9))
        #expect(isClose(pool.meanWaitSeconds ?? -1, mmcd.meanWaitSeconds, relative: 1e-9))
        #expect(isClose(pool.meanWaitOfServedSeconds ?? -1, mmcd.meanWaitOfServedSeconds, relative: 1e-9))
        #expect(isClose(pool.meanHolders, mmcd.meanBusyServers, relative: 1e-9))
        if lambda < Double(c) * mu {
            let open = try PoolWithStateDependentRelease(arrivalRatePerSecond: lambda, connections: c, patience: .none) { Double($0) * mu }
            let mmc = try MMcQueue(arrivalRatePerSecond: lambda, serviceRatePerSecond: mu, servers: c)
            #expect(isClose(open.probabilityOfWaiting, mmc.probabilityOfWaiting, relative: 1e-9))
            #expect(isClose(open.meanWaitSeconds ?? -1, mmc.meanWaitSeconds, relative: 1e-9))
            #expect(isClose(open.meanHolders, lambda / mu, relative: 1e-9))
        }
    }

    @Test("A distributed timeout that is nearly constant gives the constant timeout's answer")
    func distributedNarrowTimeoutIsConstant() throws {
        let rates: (Int) -> Double = { Double($0) * 2 }
        let constant = try PoolWithStateDependentRelease(arrivalRatePerSecond: 9, connections: 4, patience: .constant(0.5), releaseRate: rates)
        let narrow = try PoolWithStateDependentRelease(arrivalRatePerSecond: 9, connections: 4,
                                                       patience: .distributed(survival: { x in x < 0.4999 ? 1 : x > 0.5001 ? 0 : (0.5001 - x) / 0.0002 },
                                                                              lower: 0.4999, upper: 0.5001), releaseRate: rates)
        #expect(isClose(narrow.probabilityOfTimeout, constant.probabilityOfTimeout, relative: 1e-3))
        #expect(isClose(narrow.meanWaitSeconds ?? -1, constant.meanWaitSeconds ?? -2, relative: 1e-3))
    }

    /// Brute force: Poisson acquisitions, c connections; a holder runs at the database node
    /// (processor sharing, contention and coherency), then holds the connection outside it
    /// (exponential), then releases; waiters give up at exponential rate theta (0: never).
    static func poolCTMC(lambda: Double, c: Int, node: DatabaseNodeDemand, other: Double, theta: Double, maxWaiting: Int)
        -> (pWait: Double, holders: Double, waiting: Double, timeoutRate: Double) {
        var index: [Int: Int] = [:]
        var states: [(a: Int, b: Int, w: Int)] = []
        // Level by level (waiters outermost), so the generator is banded.
        for w in 0...maxWaiting { for a in 0...c { for b in 0...(other == 0 ? 0 : c - a) where w == 0 || a + b == c {
            index[(a * (c + 1) + b) * (maxWaiting + 1) + w] = states.count; states.append((a, b, w))
        } } }
        func id(_ a: Int, _ b: Int, _ w: Int) -> Int { index[(a * (c + 1) + b) * (maxWaiting + 1) + w]! }
        let mu = 1 / node.demandSeconds
        let pi = stationary(states: states.count) { s in
            let (a, b, w) = states[s]
            var out: [(Int, Double)] = []
            if a + b < c { out.append((id(a + 1, b, 0), lambda)) } else if w < maxWaiting { out.append((id(a, b, w + 1), lambda)) }
            if a > 0 && other == 0 {
                // No time outside: a completion releases the connection (to a waiter, if any).
                out.append(w > 0 ? (id(a, b, w - 1), node.rateMultiplier(a) * mu) : (id(a - 1, b, 0), node.rateMultiplier(a) * mu))
            } else if a > 0 { out.append((id(a - 1, b + 1, w), node.rateMultiplier(a) * mu)) }
            if b > 0 { out.append(w > 0 ? (id(a + 1, b - 1, w - 1), Double(b) / other) : (id(a, b - 1, 0), Double(b) / other)) }
            if w > 0 && theta > 0 { out.append((id(a, b, w - 1), Double(w) * theta)) }
            return out
        }
        var pWait = 0.0, holders = 0.0, waiting = 0.0
        for (i, s) in states.enumerated() {
            if s.a + s.b == c { pWait += pi[i] }
            holders += pi[i] * Double(s.a + s.b); waiting += pi[i] * Double(s.w)
        }
        return (pWait, holders, waiting, theta * waiting)
    }

    /// Holders that keep the connection only while their query runs: the holders' subnetwork is
    /// one processor-sharing node, so the pool is exactly a birth-death process with its rates
    /// (and exponential patience the M/M/n+M case of the virtual-wait analysis).
    @Test("Holders only at a contended database: the pool is exact against a brute-force CTMC (waits, holders, timeouts)",
          arguments: [(3, 500.0, 0.0), (4, 550.0, 0.0), (3, 900.0, 20.0), (5, 1200.0, 50.0)])
    func poolMatchesCTMC(connections c: Int, lambda: Double, theta: Double) throws {
        let node = DatabaseNodeDemand(cores: 2, contention: 0.03, coherency: 0.002, demandSeconds: 0.003)
        let (pool, truth) = try Self.solveBoth(c: c, lambda: lambda, theta: theta, node: node, other: 0)
        #expect(!pool.isOverloaded)
        #expect(isClose(pool.probabilityOfWaiting, truth.pWait, relative: 1e-6), "P(wait) \(pool.probabilityOfWaiting) vs \(truth.pWait)")
        #expect(isClose(pool.meanHolders, truth.holders, relative: 1e-6), "holders \(pool.meanHolders) vs \(truth.holders)")
        #expect(isClose(pool.meanWaiting ?? -1, truth.waiting, relative: 1e-5), "waiting \(pool.meanWaiting ?? -1) vs \(truth.waiting)")
        #expect(theta == 0 || isClose(pool.probabilityOfTimeout * lambda, truth.timeoutRate, relative: 1e-5),
                "timeouts \(pool.probabilityOfTimeout * lambda)/s vs \(truth.timeoutRate)/s")
    }

    /// With time held outside the database too (a round trip), new holders enter the database
    /// first and the window of c connections breaks product form: the flow-equivalent server is
    /// then an approximation. Its error on these cases (2 ms outside, 3 ms at 2 cores with
    /// contention), measured against the CTMC: P(wait) and holders within 2 %, timeouts within
    /// 5 %, the mean queue within 25 % (largest at moderate load without a timeout; the
    /// approximation errs high, the safe side for a planner).
    @Test("Holders also outside the database: the flow-equivalent pool is within its documented error band of the CTMC",
          arguments: [(3, 300.0, 0.0), (4, 450.0, 0.0), (3, 900.0, 20.0), (5, 1200.0, 50.0)])
    func poolWithRoundTripIsCloseToCTMC(connections c: Int, lambda: Double, theta: Double) throws {
        let node = DatabaseNodeDemand(cores: 2, contention: 0.03, coherency: 0.002, demandSeconds: 0.003)
        let (pool, truth) = try Self.solveBoth(c: c, lambda: lambda, theta: theta, node: node, other: 0.002)
        #expect(isClose(pool.probabilityOfWaiting, truth.pWait, relative: 0.02), "P(wait) \(pool.probabilityOfWaiting) vs \(truth.pWait)")
        #expect(isClose(pool.meanHolders, truth.holders, relative: 0.02), "holders \(pool.meanHolders) vs \(truth.holders)")
        let waiting = pool.meanWaiting ?? -1
        #expect(waiting >= truth.waiting * 0.999 && waiting <= truth.waiting * 1.25, "waiting \(waiting) vs \(truth.waiting)")
        #expect(theta == 0 || isClose(pool.probabilityOfTimeout * lambda, truth.timeoutRate, relative: 0.05),
                "timeouts \(pool.probabilityOfTimeout * lambda)/s vs \(truth.timeoutRate)/s")
    }

    static func solveBoth(c: Int, lambda: Double, theta: Double, node: DatabaseNodeDemand, other: Double) throws
        -> (PoolWithStateDependentRelease, (pWait: Double, holders: Double, waiting: Double, timeoutRate: Double)) {
        let fes = try FlowEquivalentDatabase(nodes: [node], otherHoldSeconds: other, maximumHolders: c)
        let patience: AcquirePatience = theta > 0
            ? .distributed(survival: { exp(-theta * $0) }, lower: 0, upper: 40 / theta) : .none
        let pool = try PoolWithStateDependentRelease(arrivalRatePerSecond: lambda, connections: c, patience: patience) { fes.throughput(holders: $0) }
        return (pool, poolCTMC(lambda: lambda, c: c, node: node, other: other, theta: theta, maxWaiting: 600))
    }

    @Test("Without a timeout a pool whose full release rate is below the arrivals is overloaded and carries that rate")
    func overloadCarriesTheFullPoolRate() throws {
        let pool = try PoolWithStateDependentRelease(arrivalRatePerSecond: 10, connections: 3, patience: .none) { Double($0) * 3 }
        #expect(pool.isOverloaded && pool.carriedThroughputPerSecond == 9 && pool.utilization == 1 && pool.meanWaitSeconds == nil)
    }

    /// 90 connections on a 4-core node with contention 1 % and coherency 0.05 % (the differential
    /// test's seed 79, whose simulation holds 1.27 ± 0.11 connections): X(n) peaks at 491/s with
    /// 4 holders and falls below the 155.46/s offered past 58 (86/s with 90), so the pool is
    /// formally overloaded, but from an empty pool the holders reach 59 about once in 10^13 s.
    @Test("Without a timeout a pool that collapses only past a barrier it takes over an hour to reach reports that metastable state")
    func retrogradePoolIsMetastable() throws {
        let node = DatabaseNodeDemand(cores: 4, contention: 0.01, coherency: 0.0005, demandSeconds: 0.007857)
        let fes = try FlowEquivalentDatabase(nodes: [node], otherHoldSeconds: 0, maximumHolders: 90)
        let lambda = 155.46
        #expect(fes.throughput(holders: 90) < lambda && fes.throughput(holders: 4) > lambda)
        let pool = try PoolWithStateDependentRelease(arrivalRatePerSecond: lambda, connections: 90, patience: .none) { fes.throughput(holders: $0) }
        let b = try #require(pool.metastableBarrier)
        #expect(fes.throughput(holders: b) > lambda && fes.throughput(holders: b + 1) <= lambda)
        // Quasi-stationary distribution on 0...b, summed directly (products, no logarithms).
        var weights = [1.0]
        for n in 1...b { weights.append(weights[n - 1] * lambda / fes.throughput(holders: n)) }
        let total = weights.reduce(0, +)
        let meanHolders = weights.enumerated().reduce(0) { $0 + Double($1.offset) * $1.element } / total
        #expect(abs(pool.meanHolders - meanHolders) <= 1e-9 * meanHolders)
        #expect(abs(pool.metastableSecondsToCollapse! - total / (lambda * weights[b])) <= 1e-9 * pool.metastableSecondsToCollapse!)
        #expect(pool.metastableSecondsToCollapse! >= PoolWithStateDependentRelease.metastableHorizonSeconds)
        #expect(pool.carriedThroughputPerSecond == lambda && pool.probabilityOfWaiting == 0 && pool.isOverloaded)
        // Negative control: a plain overloaded pool (X(n) = 3n/s, 10/s offered) has no barrier to stay under.
        let small = try PoolWithStateDependentRelease(arrivalRatePerSecond: 10, connections: 3, patience: .none) { Double($0) * 3 }
        #expect(small.metastableBarrier == nil)
    }

    /// A closed load (issue 19, item 3): 8 users thinking 40 ms, one worker (exponential CPU of
    /// 5 ms), a pool of 3 connections in front of a 2-core node with contention 5 % and coherency
    /// 1 % (exponential queries of 20 ms). The brute-force CTMC over (requests at the CPU, holders,
    /// waiters) against the convolution with the pool and the database as one station.
    @Test("A closed load through a pool: the convolution with the flow-equivalent pool station equals a brute-force CTMC")
    func closedPoolEqualsCTMC() throws {
        let users = 8, c = 3, workers = 1
        let think = 0.04, cpu = 0.005
        let node = DatabaseNodeDemand(cores: 2, contention: 0.05, coherency: 0.01, demandSeconds: 0.02)
        var states: [(a: Int, h: Int, w: Int)] = []
        var index: [Int: Int] = [:]
        for a in 0...users { for h in 0...c { for w in 0...users where a + h + w <= users && (w == 0 || h == c) {
            index[(a * (c + 1) + h) * (users + 1) + w] = states.count; states.append((a, h, w))
        } } }
        func id(_ a: Int, _ h: Int, _ w: Int) -> Int { index[(a * (c + 1) + h) * (users + 1) + w]! }
        let pi = Self.stationary(states: states.count) { s in
            let (a, h, w) = states[s]
            var out: [(Int, Double)] = []
            let thinking = users - a - h - w
            if thinking > 0 { out.append((id(a + 1, h, w), Double(thinking) / think)) }
            if a > 0 { out.append((h < c ? id(a - 1, h + 1, w) : id(a - 1, h, w + 1), Double(min(a, workers)) / cpu)) }
            if h > 0 { out.append((w > 0 ? id(a, h, w - 1) : id(a, h - 1, 0), node.rateMultiplier(h) / node.demandSeconds)) }
            return out
        }
        var x = 0.0, inUse = 0.0, waiting = 0.0, acquisitions = 0.0, waited = 0.0
        for (i, s) in states.enumerated() {
            x += pi[i] * (s.h > 0 ? node.rateMultiplier(s.h) / node.demandSeconds : 0)
            inUse += pi[i] * Double(s.h); waiting += pi[i] * Double(s.w)
            let acquiring = pi[i] * Double(min(s.a, workers)) / cpu
            acquisitions += acquiring
            if s.h == c { waited += acquiring }
        }
        let fes = try FlowEquivalentDatabase(nodes: [node], otherHoldSeconds: 0, maximumHolders: c)
        let net = try LoadDependentClosedNetwork(
            stations: [.init(name: "cpu", ratePerSecond: [1 / cpu]),
                       .init(name: "pool", ratePerSecond: (1...c).map { fes.throughput(holders: $0) })],
            thinkSeconds: think, population: users, observed: 1)
        let m = net.observedMarginal
        let convolutionInUse = m.enumerated().reduce(0.0) { $0 + min(Double($1.offset), Double(c)) * $1.element }
        let convolutionWaiting = m.enumerated().reduce(0.0) { $0 + max(0, Double($1.offset - c)) * $1.element }
        let convolutionPWait = net.observedMarginalSeenOnArrival.enumerated().reduce(0.0) { $0 + ($1.offset >= c ? $1.element : 0) }
        #expect(abs(net.throughput(population: users) - x) <= 1e-9 * x)
        #expect(abs(convolutionInUse - inUse) <= 1e-9 * inUse)
        #expect(abs(convolutionWaiting - waiting) <= 1e-9 * waiting)
        #expect(abs(convolutionPWait - waited / acquisitions) <= 1e-9)
        // Not vacuous: the pool binds (requests wait) and the CPU queues.
        #expect(waiting > 0.1 && waited / acquisitions > 0.1)
    }

    @Test("One shared pool solved jointly is the pool solved alone")
    func jointOfOneIsTheSingleSolution() throws {
        let node = DatabaseNodeDemand(cores: 2, contention: 0.03, coherency: 0.002, demandSeconds: 0.003)
        let joint = try SharedDatabasePools(nodes: [node], groups: [.init(copies: 1, connectionsPerCopy: 4, acquisitionsPerSecondPerCopy: 500,
                                                                            patience: .constant(0.05), demandSecondsPerNode: [0.003], otherHoldSeconds: 0.001)])
        let fes = try FlowEquivalentDatabase(nodes: [node], otherHoldSeconds: 0.001, maximumHolders: 4)
        let alone = try PoolWithStateDependentRelease(arrivalRatePerSecond: 500, connections: 4, patience: .constant(0.05)) { fes.throughput(holders: $0) }
        #expect(joint.solutions[0].pool.probabilityOfTimeout == alone.probabilityOfTimeout)
        #expect(joint.solutions[0].pool.meanHolders == alone.meanHolders)
        #expect(isClose(joint.jobsAtNode[0], alone.carriedThroughputPerSecond * (alone.meanHoldSeconds - 0.001), relative: 1e-12))
    }

    /// Two instances' pools of 2 on a 2-core node with heavy contention: the joint CTMC of both
    /// pools (holders only at the database, waits truncated far in the tail) against the joint
    /// solution, whose copies take the holds of the pooled connections. Pooling lets more queries
    /// reach the database than the separate pools allow, so the holds err long: measured here,
    /// connections held 8-15 % high, P(wait) -1 to +15 %, the mean queue 15-27 % short (each
    /// copy's holds are taken as independent of its own queue). The test pins that band so a
    /// change that widens it is seen; docs/analytic-accuracy.md says it.
    @Test("Two instances' pools on one database: the joint solution is within its documented band of the joint CTMC",
          arguments: [100.0, 150.0])
    func twoPoolsMatchJointCTMC(lambdaPerPool: Double) throws {
        let node = DatabaseNodeDemand(cores: 2, contention: 0.05, coherency: 0.01, demandSeconds: 0.004)
        let c = 2, wMax = 40
        let joint = try SharedDatabasePools(nodes: [node], groups: [.init(copies: 2, connectionsPerCopy: c, acquisitionsPerSecondPerCopy: lambdaPerPool,
                                                                            patience: .none, demandSecondsPerNode: [0.004], otherHoldSeconds: 0)])
        // State: (holders of pool 1 plus its waiters, the same for pool 2); holders min(x, c).
        let side = c + wMax + 1
        let mu = 1 / node.demandSeconds
        let pi = Self.stationary(states: side * side) { s in
            let x1 = s / side, x2 = s % side
            let h1 = min(x1, c), h2 = min(x2, c), h = h1 + h2
            var out: [(Int, Double)] = []
            if x1 < side - 1 { out.append(((x1 + 1) * side + x2, lambdaPerPool)) }
            if x2 < side - 1 { out.append((x1 * side + x2 + 1, lambdaPerPool)) }
            // Processor sharing: every job present runs at the same rate.
            let each = h > 0 ? node.ratePerJob(Double(h)) * mu : 0
            if h1 > 0 { out.append(((x1 - 1) * side + x2, Double(h1) * each)) }
            if h2 > 0 { out.append((x1 * side + x2 - 1, Double(h2) * each)) }
            return out
        }
        var pWait = 0.0, holders = 0.0, waiting = 0.0
        for s in 0..<(side * side) {
            let x1 = s / side
            if x1 >= c { pWait += pi[s] }
            holders += pi[s] * Double(min(x1, c)); waiting += pi[s] * Double(max(0, x1 - c))
        }
        let pool = joint.solutions[0].pool
        #expect(isClose(pool.probabilityOfWaiting, pWait, relative: 0.16), "P(wait) \(pool.probabilityOfWaiting) vs \(pWait)")
        #expect(pool.meanHolders > holders && pool.meanHolders < 1.16 * holders, "holders \(pool.meanHolders) vs \(holders)")
        let w = pool.meanWaiting ?? -1
        #expect(isClose(w, waiting, relative: 0.3), "waiting \(w) vs \(waiting)")
    }
}
