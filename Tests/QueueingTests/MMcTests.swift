import Foundation
import Testing
@testable import Queueing

@Suite("M/M/c")
struct MMcTests {
    @Test("M/M/1 with lambda = 0.9, mu = 1: L = 9, W = 10, Lq = 8.1, Wq = 9")
    func mm1Textbook() throws {
        let q = try MMcQueue(arrivalRatePerSecond: 0.9, serviceRatePerSecond: 1, servers: 1)
        #expect(isClose(q.utilization, 0.9))
        #expect(isClose(q.probabilityOfWaiting, 0.9))
        #expect(isClose(q.meanNumberInSystem, 9))
        #expect(isClose(q.meanResponseSeconds, 10))
        #expect(isClose(q.meanQueueLength, 8.1))
        #expect(isClose(q.meanWaitSeconds, 9))
    }

    @Test("M/M/10 with a = 8.5: Wq = C / (c mu - lambda), Lq = 3.00255")
    func mmcTextbook() throws {
        let q = try MMcQueue(arrivalRatePerSecond: 8.5, meanServiceSeconds: 1, servers: 10)
        #expect(isClose(q.meanWaitSeconds, 0.35324087007726895896, relative: 1e-12))
        #expect(isClose(q.meanQueueLength, 3.0025473956567861512, relative: 1e-12))
        #expect(isClose(q.meanResponseSeconds, 1.35324087007726895896, relative: 1e-12))
    }

    @Test("Little's law holds: L = lambda W and Lq = lambda Wq")
    func littlesLaw() throws {
        let q = try MMcQueue(arrivalRatePerSecond: 37, meanServiceSeconds: 0.05, servers: 3)
        #expect(isClose(q.meanNumberInSystem, 37 * q.meanResponseSeconds, relative: 1e-14))
        #expect(isClose(q.meanQueueLength, 37 * q.meanWaitSeconds, relative: 1e-14))
        #expect(isClose(q.meanNumberInSystem - q.meanQueueLength, q.offeredLoadErlangs, relative: 1e-12))
    }

    @Test("Waiting-time tail is C e^{-(c mu - lambda) t} and its quantile inverts it")
    func waitTail() throws {
        let q = try MMcQueue(arrivalRatePerSecond: 8.5, serviceRatePerSecond: 1, servers: 10)
        #expect(isClose(q.probabilityWaitExceeds(seconds: 2), q.probabilityOfWaiting * exp(-3.0)))
        #expect(try q.waitQuantileSeconds(probability: 0.4) == 0) // 47% of arrivals do not wait at all
        let t95 = try q.waitQuantileSeconds(probability: 0.95)
        #expect(isClose(q.probabilityWaitExceeds(seconds: t95), 0.05, relative: 1e-12))
    }

    @Test("M/M/1 response time is exponential with rate mu - lambda; p99 by bisection matches")
    func mm1ResponseDistribution() throws {
        let q = try MMcQueue(arrivalRatePerSecond: 0.9, serviceRatePerSecond: 1, servers: 1)
        for t in [0.1, 1, 10, 50] {
            #expect(isClose(q.probabilityResponseExceeds(seconds: t), exp(-0.1 * t), relative: 1e-12))
        }
        for p in [0.5, 0.95, 0.99, 0.999] {
            #expect(isClose(try q.responseQuantileSeconds(probability: p), -log(1 - p) / 0.1, relative: 1e-9))
        }
    }

    @Test("M/M/c response tail is continuous through the special case c mu - lambda = mu")
    func responseSpecialCase() throws {
        // c = 2, mu = 1, lambda = 1: c mu - lambda = 1 = mu; tail (1-C) e^{-t} + C (1 + t) e^{-t}.
        let q = try MMcQueue(arrivalRatePerSecond: 1, serviceRatePerSecond: 1, servers: 2)
        let c = q.probabilityOfWaiting
        for t in [0.5, 2.0, 7.0] {
            #expect(isClose(q.probabilityResponseExceeds(seconds: t), (1 - c) * exp(-t) + c * (1 + t) * exp(-t), relative: 1e-12))
        }
        let near = try MMcQueue(arrivalRatePerSecond: 1 + 1e-9, serviceRatePerSecond: 1, servers: 2)
        #expect(isClose(near.probabilityResponseExceeds(seconds: 3), q.probabilityResponseExceeds(seconds: 3), relative: 1e-7))
    }

    @Test("M/M/c response tail agrees with the general hypoexponential formula away from the special case")
    func responseGeneralCase() throws {
        let q = try MMcQueue(arrivalRatePerSecond: 8.5, serviceRatePerSecond: 1, servers: 10)
        let (mu, gamma, c) = (1.0, 1.5, q.probabilityOfWaiting)
        for t in [0.3, 1.0, 4.0] {
            let hypo = (gamma * exp(-mu * t) - mu * exp(-gamma * t)) / (gamma - mu)
            #expect(isClose(q.probabilityResponseExceeds(seconds: t), (1 - c) * exp(-mu * t) + c * hypo, relative: 1e-12))
        }
    }

    @Test("Integrating the response tail gives the mean response time")
    func responseTailIntegratesToMean() throws {
        let q = try MMcQueue(arrivalRatePerSecond: 2.5, serviceRatePerSecond: 1, servers: 3)
        // Simpson's rule on [0, 60] (tail beyond is < 1e-12).
        let n = 6000, h = 60.0 / Double(n)
        var s = q.probabilityResponseExceeds(seconds: 0) + q.probabilityResponseExceeds(seconds: 60)
        for i in 1..<n { s += (i % 2 == 1 ? 4 : 2) * q.probabilityResponseExceeds(seconds: Double(i) * h) }
        #expect(isClose(s * h / 3, q.meanResponseSeconds, relative: 1e-9))
    }

    @Test("Response quantile inverts the response CDF")
    func responseQuantile() throws {
        let q = try MMcQueue(arrivalRatePerSecond: 8.5, serviceRatePerSecond: 1, servers: 10)
        for p in [0.1, 0.5, 0.95, 0.999] {
            let t = try q.responseQuantileSeconds(probability: p)
            #expect(isClose(q.responseTimeCDF(seconds: t), p, relative: 1e-12))
        }
    }

    @Test("c = 1000 at rho = 0.999 matches Erlang C and the response-time tail computed in 40 digits")
    func largeStable() throws {
        // Reference (mpmath, 40 digits): C from Erlang B summed in log space, Wq = C / (c mu - lambda),
        // and the p99 as the root of P(S + W > t) = 0.01 with S ~ exp(mu) and W = 0 w.p. 1 - C,
        // exp(c mu - lambda) otherwise. The quantile is found by bisection in the code, so its
        // tolerance is the same 1e-9 (bisection stops at a width of 1e-15 of the root).
        let reference: [(servers: Int, waiting: Double, meanWait: Double, p99: Double)] = [
            (1000, 0.96123926040841911191, 0.96123926040841911191, 6.5989394035276720362),
            (1001, 0.92359115290445548925, 0.46179557645222774463, 5.2568585641309923948),
            (1010, 0.63195680382588153172, 0.057450618529625593793, 4.6664493515511647958),
            (1100, 0.00093550633925105696294, 9.2624390024857125043e-6, 4.605179541007725546),
        ]
        for r in reference {
            let q = try MMcQueue(arrivalRatePerSecond: 999, serviceRatePerSecond: 1, servers: r.servers)
            #expect(isClose(q.probabilityOfWaiting, r.waiting, relative: 1e-9), "c = \(r.servers)")
            #expect(isClose(q.meanWaitSeconds, r.meanWait, relative: 1e-9), "c = \(r.servers)")
            #expect(isClose(try q.responseQuantileSeconds(probability: 0.99), r.p99, relative: 1e-9), "c = \(r.servers)")
        }
    }

    @Test("M/M/c rejects rho >= 1 and negative rates")
    func errors() {
        #expect(throws: QueueingError.unstable(rho: 1)) {
            try MMcQueue(arrivalRatePerSecond: 2, serviceRatePerSecond: 1, servers: 2)
        }
        #expect(throws: QueueingError.self) { try MMcQueue(arrivalRatePerSecond: -1, serviceRatePerSecond: 1, servers: 1) }
        #expect(throws: QueueingError.self) { try MMcQueue(arrivalRatePerSecond: 1, serviceRatePerSecond: 0, servers: 3) }
        #expect(throws: QueueingError.self) { try MMcQueue(arrivalRatePerSecond: 1, serviceRatePerSecond: 1, servers: 0) }
        #expect(throws: QueueingError.self) {
            try MMcQueue(arrivalRatePerSecond: 1, serviceRatePerSecond: 1, servers: 2).responseQuantileSeconds(probability: 1)
        }
    }
}
