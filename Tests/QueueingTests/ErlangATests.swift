import Foundation
import Testing
@testable import Queueing

/// Reference values: 40-digit evaluation (mpmath) of the same birth-death chain with the
/// per-customer waits computed stage by stage (an independent formulation).
@Suite("Erlang-A (M/M/c+M)")
struct ErlangATests {
    @Test("lambda = 10, mu = 1, c = 10, theta = 0.5 matches high-precision values")
    func criticallyLoaded() throws {
        let q = try ErlangAQueue(arrivalRatePerSecond: 10, serviceRatePerSecond: 1, servers: 10,
                                 abandonmentRatePerWaitingRequest: 0.5)
        #expect(isClose(q.probabilityOfWaiting, 0.61965523088407751851, relative: 1e-11))
        #expect(isClose(q.probabilityOfAbandonment, 0.10391321232630818124, relative: 1e-11))
        #expect(isClose(q.meanWaitSeconds, 0.20782642465261636248, relative: 1e-11))
        #expect(isClose(q.meanWaitOfServedSeconds, 0.19958120717059196943, relative: 1e-11))
        #expect(isClose(q.meanWaitOfAbandonedSeconds, 0.27892835944736663121, relative: 1e-9))
    }

    @Test("Overloaded (rho = 1.2) with patience still has a steady state and matches reference")
    func overloaded() throws {
        let q = try ErlangAQueue(arrivalRatePerSecond: 12, meanServiceSeconds: 1, servers: 10, meanPatienceSeconds: 5)
        #expect(isClose(q.probabilityOfAbandonment, 0.17742095193961262241, relative: 1e-11))
        #expect(isClose(q.meanWaitOfServedSeconds, 0.93580430464584677051, relative: 1e-11))
        #expect(isClose(q.meanWaitOfAbandonedSeconds, 0.66131843127301569396, relative: 1e-9))
        #expect(q.servedThroughputPerSecond <= 10)
    }

    @Test("P(abandon) = theta Lq / lambda and served throughput = mu E[busy servers]")
    func conservation() throws {
        let q = try ErlangAQueue(arrivalRatePerSecond: 45, serviceRatePerSecond: 2, servers: 20,
                                 abandonmentRatePerWaitingRequest: 0.3)
        #expect(isClose(q.probabilityOfAbandonment, 0.3 * q.meanQueueLength / 45, relative: 1e-12))
        #expect(isClose(q.servedThroughputPerSecond, 2 * q.meanBusyServers, relative: 1e-12))
        #expect(isClose(q.meanWaitSeconds, q.meanQueueLength / 45, relative: 1e-12))
        #expect(isClose(q.meanNumberInSystem, q.meanQueueLength + q.meanBusyServers, relative: 1e-12))
        let split = (1 - q.probabilityOfAbandonment) * q.meanWaitOfServedSeconds
            + q.probabilityOfAbandonment * q.meanWaitOfAbandonedSeconds
        #expect(isClose(split, q.meanWaitSeconds, relative: 1e-10))
    }

    @Test("theta -> 0 tends to the Erlang C waits of M/M/c")
    func thetaToZero() throws {
        let mmc = try MMcQueue(arrivalRatePerSecond: 8.5, serviceRatePerSecond: 1, servers: 10)
        let a = try ErlangAQueue(arrivalRatePerSecond: 8.5, serviceRatePerSecond: 1, servers: 10,
                                 abandonmentRatePerWaitingRequest: 1e-9)
        #expect(isClose(a.probabilityOfWaiting, mmc.probabilityOfWaiting, relative: 1e-7))
        #expect(isClose(a.meanWaitSeconds, mmc.meanWaitSeconds, relative: 1e-7))
        #expect(isClose(a.meanWaitOfServedSeconds, mmc.meanWaitSeconds, relative: 1e-7))
        #expect(a.probabilityOfAbandonment < 1e-9)
    }

    @Test("theta = 0 is exactly M/M/c, and rejected with .unstable when rho >= 1")
    func thetaZero() throws {
        let mmc = try MMcQueue(arrivalRatePerSecond: 8.5, serviceRatePerSecond: 1, servers: 10)
        let a = try ErlangAQueue(arrivalRatePerSecond: 8.5, meanServiceSeconds: 1, servers: 10, meanPatienceSeconds: .infinity)
        #expect(isClose(a.probabilityOfWaiting, mmc.probabilityOfWaiting, relative: 1e-12))
        #expect(isClose(a.meanWaitSeconds, mmc.meanWaitSeconds, relative: 1e-12))
        #expect(a.probabilityOfAbandonment == 0)
        #expect(throws: QueueingError.unstable(rho: 1.1)) {
            try ErlangAQueue(arrivalRatePerSecond: 11, serviceRatePerSecond: 1, servers: 10, abandonmentRatePerWaitingRequest: 0)
        }
    }

    @Test("theta = mu makes the number in system Poisson(a), as in M/M/infinity")
    func thetaEqualsMu() throws {
        let a = 7.0, c = 5
        let q = try ErlangAQueue(arrivalRatePerSecond: 7, serviceRatePerSecond: 1, servers: c,
                                 abandonmentRatePerWaitingRequest: 1)
        var poissonBelowC = 0.0, term = exp(-a), busy = 0.0
        for n in 0..<c { poissonBelowC += term; busy += Double(n) * term; term *= a / Double(n + 1) }
        busy += Double(c) * (1 - poissonBelowC)
        #expect(isClose(q.meanNumberInSystem, a, relative: 1e-12))
        #expect(isClose(q.probabilityOfWaiting, 1 - poissonBelowC, relative: 1e-12))
        #expect(isClose(q.meanBusyServers, busy, relative: 1e-12))
    }

    @Test("c = 1000 at rho = 0.999 with patience matches the birth-death chain summed in 40 digits")
    func largeStable() throws {
        // Reference: the chain's probabilities p_n (death rate min(n, c) mu + (n - c)+ theta)
        // summed with mpmath at 40 digits over n < c + 6000 (the last term is below 1e-600).
        // P(abandon) was computed both as theta Lq / lambda and per arrival as the class comment
        // states; the two agree to 40 digits.
        let reference: [(servers: Int, waiting: Double, abandoning: Double, waitOfServed: Double)] = [
            (1000, 0.74247440450511889512, 0.0056496300651241476268, 0.056473083076564705218),
            (1010, 0.54076057625767249767, 0.0027283826364804031985, 0.02723860082037896647),
            (1050, 0.067206029738431735082, 0.00012298738560333902069, 0.0012278391708467268543),
        ]
        for r in reference {
            let q = try ErlangAQueue(arrivalRatePerSecond: 999, serviceRatePerSecond: 1, servers: r.servers,
                                     abandonmentRatePerWaitingRequest: 0.1)
            #expect(isClose(q.probabilityOfWaiting, r.waiting, relative: 1e-9), "c = \(r.servers)")
            #expect(isClose(q.probabilityOfAbandonment, r.abandoning, relative: 1e-9), "c = \(r.servers)")
            #expect(isClose(q.meanWaitOfServedSeconds, r.waitOfServed, relative: 1e-9), "c = \(r.servers)")
        }
    }

    @Test("Erlang-A rejects negative rates and zero servers")
    func errors() {
        #expect(throws: QueueingError.self) {
            try ErlangAQueue(arrivalRatePerSecond: 1, serviceRatePerSecond: 1, servers: 2, abandonmentRatePerWaitingRequest: -1)
        }
        #expect(throws: QueueingError.self) {
            try ErlangAQueue(arrivalRatePerSecond: 1, serviceRatePerSecond: 1, servers: 0, abandonmentRatePerWaitingRequest: 1)
        }
        #expect(throws: QueueingError.self) {
            try ErlangAQueue(arrivalRatePerSecond: 1, meanServiceSeconds: 1, servers: 2, meanPatienceSeconds: 0)
        }
    }
}
