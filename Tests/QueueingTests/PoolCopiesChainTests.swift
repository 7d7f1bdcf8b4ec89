import Foundation
import Testing
@testable import Queueing

/// Several instances' copies of a pool sharing one database, solved as one Markov chain (issue 19).
/// Checked against the full joint chain built here state by state (no symmetry reduction, every
/// copy's holders and waiters and the round-robin turn explicit) and solved by elimination.
@Suite("Copies of a pool sharing the database, one chain")
struct PoolCopiesChainTests {
    /// One node of `cores` with contention and coherency: N holders release at N mu rate(N).
    static func node(cores: Int, contention: Double, coherency: Double, serviceSeconds: Double) -> (Int) -> Double {
        let d = DatabaseNodeDemand(cores: cores, contention: contention, coherency: coherency, demandSeconds: serviceSeconds)
        return { n in d.rateMultiplier(n) / serviceSeconds }
    }

    /// The full joint chain: state = (turn, s_1 ... s_I), s = holders (<= c) or c + waiters, at
    /// most c + q; an arrival at a copy with q waiters is lost (the truncation).
    static func bruteForce(copies: Int, c: Int, lambda: Double, roundRobin: Bool, q: Int, x: (Int) -> Double)
        -> (holders: Double, waiting: Double, pWait: Double) {
        let l = c + q + 1
        let turns = roundRobin ? copies : 1
        var perTurn = 1
        for _ in 0..<copies { perTurn *= l }
        let n = turns * perTurn
        func decode(_ k: Int) -> (Int, [Int]) {
            var s = [Int](repeating: 0, count: copies)
            var r = k % perTurn
            for j in stride(from: copies - 1, through: 0, by: -1) { s[j] = r % l; r /= l }
            return (k / perTurn, s)
        }
        func encode(_ t: Int, _ s: [Int]) -> Int { t * perTurn + s.reduce(0) { $0 * l + $1 } }
        let pi = PoolAndDatabaseTests.stationary(states: n) { k in
            let (turn, s) = decode(k)
            var moves: [(to: Int, rate: Double)] = []
            let held = s.reduce(0) { $0 + min($1, c) }
            if roundRobin {
                var t = s
                if t[turn] < l - 1 { t[turn] += 1 }
                moves.append((encode((turn + 1) % copies, t), lambda))
            } else {
                for j in 0..<copies where s[j] < l - 1 {
                    var t = s; t[j] += 1; moves.append((encode(0, t), lambda / Double(copies)))
                }
            }
            for j in 0..<copies where s[j] > 0 {
                var t = s; t[j] -= 1
                moves.append((encode(turn, t), Double(min(s[j], c)) * x(held) / Double(held)))
            }
            return moves
        }
        var holders = 0.0, waiting = 0.0, pWait = 0.0
        for k in 0..<n {
            let (turn, s) = decode(k)
            holders += pi[k] * Double(min(s[0], c)); waiting += pi[k] * Double(max(0, s[0] - c))
            if roundRobin { if s[turn] >= c { pWait += pi[k] } } else { pWait += pi[k] * Double(s.filter { $0 >= c }.count) / Double(copies) }
        }
        return (holders, waiting, pWait)
    }

    @Test("Two copies of 2 connections on a contended 3-core node equal the full joint chain, random and round robin",
          arguments: [CopyBalancing.random, .roundRobin])
    func twoCopiesMatchJointChain(balancing: CopyBalancing) throws {
        let x = Self.node(cores: 3, contention: 0.05, coherency: 0.01, serviceSeconds: 0.004)
        let lambda = 400.0
        // Truncated at 12 waiters per copy in both (450 states for the full chain).
        let chain = try #require(try PoolCopiesChain.solve(copies: 2, connectionsPerCopy: 2, arrivalRatePerSecond: lambda,
                                                           balancing: balancing, waitersPerCopy: 12, releaseRate: x))
        let exact = Self.bruteForce(copies: 2, c: 2, lambda: lambda, roundRobin: balancing == .roundRobin, q: 12, x: x)
        #expect(isClose(chain.meanHolders, exact.holders, relative: 1e-7))
        #expect(isClose(chain.meanWaiting, exact.waiting, relative: 1e-6))
        #expect(isClose(chain.probabilityOfWaiting, exact.pWait, relative: 1e-7))
    }

    @Test("Three copies of one connection behind round robin equal the full joint chain")
    func threeCopiesRoundRobinMatchJointChain() throws {
        let x = Self.node(cores: 2, contention: 0, coherency: 0.02, serviceSeconds: 0.01)
        // Truncated at 8 waiters per copy in both (3 x 10^3 states for the full chain).
        let chain = try #require(try PoolCopiesChain.solve(copies: 3, connectionsPerCopy: 1, arrivalRatePerSecond: 150,
                                                           balancing: .roundRobin, waitersPerCopy: 8, releaseRate: x))
        let exact = Self.bruteForce(copies: 3, c: 1, lambda: 150, roundRobin: true, q: 8, x: x)
        #expect(isClose(chain.meanHolders, exact.holders, relative: 1e-7))
        #expect(isClose(chain.meanWaiting, exact.waiting, relative: 1e-6))
    }

    @Test("One copy is the birth-death pool with state-dependent release")
    func oneCopyIsTheBirthDeathPool() throws {
        let x = Self.node(cores: 2, contention: 0.03, coherency: 0.005, serviceSeconds: 0.005)
        let chain = try #require(try PoolCopiesChain.solve(copies: 1, connectionsPerCopy: 4, arrivalRatePerSecond: 300,
                                                           balancing: .random, releaseRate: x))
        let pool = try PoolWithStateDependentRelease(arrivalRatePerSecond: 300, connections: 4, patience: .none, releaseRate: x)
        #expect(isClose(chain.meanHolders, pool.meanHolders, relative: 1e-7))
        #expect(isClose(chain.meanWaitSeconds, try #require(pool.meanWaitSeconds), relative: 1e-5))
        #expect(isClose(chain.probabilityOfWaiting, pool.probabilityOfWaiting, relative: 1e-7))
    }

    /// The Spring Boot example's pool (2 instances x 3 connections, 1,000 acquisitions/s of 3.2 ms
    /// on 4 cores with coherency 0.02 %). Reference values from an independent Python/SciPy
    /// solution of the full joint chain (sparse LU, 120 waiters per copy): 64.0231 % and 2.13724 ms
    /// with random balancing, 65.5187 % and 1.83425 ms with round robin. The simulation (10 x 3 min):
    /// random 63.99 % +- 0.18, and with one query per request behind round robin 65.18 % +- 0.25.
    @Test("The Spring Boot example's pools: the independent joint-chain solution", arguments: [CopyBalancing.random, .roundRobin])
    func springBootExample(balancing: CopyBalancing) throws {
        let x = Self.node(cores: 4, contention: 0, coherency: 0.0002, serviceSeconds: 0.0032)
        let chain = try #require(try PoolCopiesChain.solve(copies: 2, connectionsPerCopy: 3, arrivalRatePerSecond: 1000,
                                                           balancing: balancing, releaseRate: x))
        let (utilization, wait) = balancing == .random ? (0.640231, 0.00213724) : (0.655187, 0.00183425)
        #expect(isClose(chain.utilization, utilization, relative: 1e-5))
        #expect(isClose(chain.meanWaitSeconds, wait, relative: 1e-4))
    }

    /// Without sharing (8 cores, 2 holders at most) each copy behind round robin is E2/M/1: an
    /// arrival finds n waiting or served with probability (1 - sigma) sigma^n, sigma the root in
    /// (0, 1) of sigma = (2 lambda / (2 lambda + mu (1 - sigma)))^2 (lambda per copy; GI/M/1,
    /// Kleinrock vol. 1, 6.4): P(wait) = sigma, mean wait sigma / (mu (1 - sigma)).
    @Test("Round robin to two copies of one connection with no sharing is E2/M/1 per copy")
    func roundRobinWithoutSharingIsErlangArrivals() throws {
        let mu = 100.0, lambda = 60.0
        let chain = try #require(try PoolCopiesChain.solve(copies: 2, connectionsPerCopy: 1, arrivalRatePerSecond: 2 * lambda,
                                                           balancing: .roundRobin, releaseRate: { Double($0) * mu }))
        var sigma = 0.5
        for _ in 0..<500 { sigma = pow(2 * lambda / (2 * lambda + mu * (1 - sigma)), 2) }
        #expect(isClose(chain.probabilityOfWaiting, sigma, relative: 1e-6))
        #expect(isClose(chain.meanWaitSeconds, sigma / (mu * (1 - sigma)), relative: 1e-5))
        // Poisson arrivals (M/M/1) would wait 0.6 / (100 x 0.4) = 15 ms; E2/M/1 waits less.
        #expect(chain.meanWaitSeconds < 0.6 / 40)
    }

    @Test("A chain beyond the state budget is not solved; a load at or above the full release rate neither")
    func refusals() throws {
        let x = Self.node(cores: 4, contention: 0, coherency: 0, serviceSeconds: 0.01)
        #expect(try PoolCopiesChain.solve(copies: 8, connectionsPerCopy: 30, arrivalRatePerSecond: 300,
                                          balancing: .roundRobin, releaseRate: x) == nil)
        #expect(try PoolCopiesChain.solve(copies: 2, connectionsPerCopy: 3, arrivalRatePerSecond: 400,
                                          balancing: .random, releaseRate: x) == nil)
    }
}
