import Foundation
import Testing
@testable import Queueing

/// M/M/c+D: constant patience (a pool's acquire timeout).
@Suite("M/M/c+D (deterministic patience)")
struct MMcDTests {
    /// M/M/1+D has a textbook closed form, derived independently of the M/M/n+G density:
    /// `P(abandon) = rho (1 - rho) x / (1 - rho^2 x)`, `x = e^(-(mu - lambda) tau)`.
    @Test("one server: P(abandon) is rho (1 - rho) x / (1 - rho^2 x)", arguments: [(0.5, 1.0, 0.7), (0.9, 1.0, 3.0), (1.4, 1.0, 2.0)])
    func singleServerClosedForm(lambda: Double, mu: Double, tau: Double) throws {
        let q = try MMcDQueue(arrivalRatePerSecond: lambda, serviceRatePerSecond: mu, servers: 1, patienceSeconds: tau)
        let rho = lambda / mu, x = exp(-(mu - lambda) * tau)
        #expect(isClose(q.probabilityOfAbandonment, rho * (1 - rho) * x / (1 - rho * rho * x), relative: 1e-12))
        // One server: an arrival waits iff the server is busy, and the carried load is the busy fraction.
        #expect(isClose(q.probabilityOfWaiting, q.utilization, relative: 1e-12))
    }

    @Test("infinite patience is Erlang C (M/M/c)", arguments: [(1, 0.5), (10, 8.0), (50, 49.0)])
    func longPatienceIsErlangC(servers: Int, lambda: Double) throws {
        let mmc = try MMcQueue(arrivalRatePerSecond: lambda, serviceRatePerSecond: 1, servers: servers)
        let long = try MMcDQueue(arrivalRatePerSecond: lambda, serviceRatePerSecond: 1, servers: servers, patienceSeconds: 5_000)
        #expect(isClose(long.probabilityOfWaiting, mmc.probabilityOfWaiting, relative: 1e-9))
        #expect(isClose(long.meanWaitSeconds, mmc.meanWaitSeconds, relative: 1e-9))
        #expect(long.probabilityOfAbandonment < 1e-12)
        let infinite = try MMcDQueue(arrivalRatePerSecond: lambda, serviceRatePerSecond: 1, servers: servers, patienceSeconds: .infinity)
        #expect(infinite.probabilityOfWaiting == mmc.probabilityOfWaiting)
    }

    @Test("zero patience is Erlang B (a loss system)", arguments: [(1, 0.5), (10, 8.0), (20, 30.0)])
    func zeroPatienceIsErlangB(servers: Int, lambda: Double) throws {
        let b = try erlangB(servers: servers, offeredLoadErlangs: lambda)
        for tau in [0.0, 1e-10] {
            let q = try MMcDQueue(arrivalRatePerSecond: lambda, serviceRatePerSecond: 1, servers: servers, patienceSeconds: tau)
            #expect(isClose(q.probabilityOfAbandonment, b, relative: 1e-8))
            #expect(isClose(q.probabilityOfWaiting, b, relative: 1e-8))
            #expect(q.meanWaitOfServedSeconds < 1e-9)
        }
    }

    /// In overload the servers stay busy when patience is long: the served throughput tends to
    /// c mu and P(abandon) to 1 - c mu / lambda.
    @Test("overloaded with long patience: servers saturate, the excess gives up")
    func overloadSaturates() throws {
        let q = try MMcDQueue(arrivalRatePerSecond: 22, serviceRatePerSecond: 1, servers: 20, patienceSeconds: 1_000)
        #expect(isClose(q.probabilityOfAbandonment, 1 - 20.0 / 22, relative: 1e-9))
        #expect(isClose(q.servedThroughputPerSecond, 20, relative: 1e-9))
        #expect(q.utilization <= 1)
        #expect(q.probabilityOfAbandonment.isFinite && q.meanWaitOfServedSeconds.isFinite)
    }

    /// `|delta tau| < 0.5` takes a series, beyond it the closed forms: both sides of each switch
    /// and of `delta = 0` must agree.
    @Test("continuous where the series and the closed forms meet, and through lambda = c mu")
    func continuousAcrossBranches() throws {
        func q(_ lambda: Double) throws -> MMcDQueue {
            try MMcDQueue(arrivalRatePerSecond: lambda, serviceRatePerSecond: 1, servers: 10, patienceSeconds: 2)
        }
        for (below, above) in [(10 - 1e-9, 10 + 1e-9), (10.25 - 1e-9, 10.25 + 1e-9), (9.75 - 1e-9, 9.75 + 1e-9)] {
            let a = try q(below), b = try q(above)
            #expect(isClose(a.probabilityOfAbandonment, b.probabilityOfAbandonment, relative: 1e-7))
            #expect(isClose(a.probabilityOfWaiting, b.probabilityOfWaiting, relative: 1e-7))
            #expect(isClose(a.meanWaitOfServedSeconds, b.meanWaitOfServedSeconds, relative: 1e-7))
        }
    }

    @Test("every arrival waits min(V, tau): mean wait splits into served and abandoned")
    func waitSplits() throws {
        let q = try MMcDQueue(arrivalRatePerSecond: 45, serviceRatePerSecond: 2, servers: 20, patienceSeconds: 0.4)
        let split = (1 - q.probabilityOfAbandonment) * q.meanWaitOfServedSeconds + q.probabilityOfAbandonment * 0.4
        #expect(isClose(split, q.meanWaitSeconds, relative: 1e-12))
        #expect(q.meanWaitOfServedSeconds < 0.4)
        #expect(isClose(q.meanQueueLength, 45 * q.meanWaitSeconds, relative: 1e-12))
    }

    @Test("a thousand servers near rho = 1, in deep overload and nearly idle match the virtual-wait integrals in 40 digits")
    func largeSystems() throws {
        // Reference: the Baccelli-Hebuterne formulas of the type's comment evaluated with mpmath
        // at 40 digits, J and I1 by numerical quadrature of exp(lambda min(x, tau) - c mu x) (not
        // the code's closed forms), E = 1 / B(c - 1, a) with B summed in log space. Nearly idle
        // (10/s on 1000 servers) the true values are below 1e-1500, so the nearest double is 0.
        let reference: [(lambda: Double, tau: Double, waiting: Double, abandoning: Double, meanWait: Double)] = [
            (999, 10, 0.9612375705000406245, 4.3642097552578836099e-8, 0.96080154230339280935),
            (1_500, 30, 1.0, 0.33333333333333333333, 29.998666666666666667),
            (10, 5, 0, 0, 0),
        ]
        for r in reference {
            let q = try MMcDQueue(arrivalRatePerSecond: r.lambda, serviceRatePerSecond: 1, servers: 1_000, patienceSeconds: r.tau)
            for (actual, expected, name) in [(q.probabilityOfWaiting, r.waiting, "P(wait)"),
                                             (q.probabilityOfAbandonment, r.abandoning, "P(abandon)"),
                                             (q.meanWaitSeconds, r.meanWait, "mean wait")] {
                #expect(expected == 0 ? actual == 0 : isClose(actual, expected, relative: 1e-9), "\(name) at \(r.lambda)/s")
            }
        }
    }

    @Test("bad input throws instead of trapping")
    func invalidInput() {
        #expect(throws: QueueingError.self) { try MMcDQueue(arrivalRatePerSecond: -1, serviceRatePerSecond: 1, servers: 1, patienceSeconds: 1) }
        #expect(throws: QueueingError.self) { try MMcDQueue(arrivalRatePerSecond: 1, serviceRatePerSecond: 1, servers: 0, patienceSeconds: 1) }
        #expect(throws: QueueingError.self) { try MMcDQueue(arrivalRatePerSecond: 1, serviceRatePerSecond: 1, servers: 1, patienceSeconds: -1) }
        #expect(throws: QueueingError.self) { try MMcDQueue(arrivalRatePerSecond: 2, serviceRatePerSecond: 1, servers: 1, patienceSeconds: .infinity) }
    }
}
