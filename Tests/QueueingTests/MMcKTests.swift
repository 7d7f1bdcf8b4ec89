import Foundation
import Testing
@testable import Queueing

@Suite("M/M/c/K")
struct MMcKTests {
    @Test("M/M/c/c blocking equals Erlang B")
    func lossSystemIsErlangB() throws {
        let q = try MMcKQueue(arrivalRatePerSecond: 5, serviceRatePerSecond: 1, servers: 10, capacity: 10)
        #expect(isClose(q.blockingProbability, 0.018384570336648133137, relative: 1e-12))
        #expect(q.meanQueueLength == 0)
    }

    @Test("M/M/1/K matches the closed form (1 - rho) rho^n / (1 - rho^{K+1})")
    func mm1kClosedForm() throws {
        let rho = 0.8, k = 5
        let q = try MMcKQueue(arrivalRatePerSecond: rho, serviceRatePerSecond: 1, servers: 1, capacity: k)
        for n in 0...k {
            #expect(isClose(q.stateProbabilities[n], (1 - rho) * pow(rho, Double(n)) / (1 - pow(rho, Double(k + 1))), relative: 1e-12))
        }
    }

    @Test("At rho = 1 the M/M/1/K states are uniform (a steady state exists beyond saturation)")
    func saturatedIsUniform() throws {
        let q = try MMcKQueue(arrivalRatePerSecond: 3, serviceRatePerSecond: 3, servers: 1, capacity: 9)
        for p in q.stateProbabilities { #expect(isClose(p, 0.1, relative: 1e-12)) }
    }

    @Test("Little's law on accepted arrivals: L = lambda (1 - P_K) W and Lq = lambda (1 - P_K) Wq")
    func littleOnAccepted() throws {
        let q = try MMcKQueue(arrivalRatePerSecond: 12, meanServiceSeconds: 0.5, servers: 4, capacity: 9)
        #expect(isClose(q.meanNumberInSystem, q.throughputPerSecond * q.meanResponseSeconds, relative: 1e-14))
        #expect(isClose(q.meanQueueLength, q.throughputPerSecond * q.meanWaitSeconds, relative: 1e-14))
        #expect(isClose(q.meanResponseSeconds - q.meanWaitSeconds, 0.5, relative: 1e-12))
        #expect(isClose(q.stateProbabilities.reduce(0, +), 1, relative: 1e-14))
    }

    @Test("With large K, M/M/c/K tends to M/M/c")
    func largeKTendsToMMc() throws {
        let finite = try MMcKQueue(arrivalRatePerSecond: 8.5, serviceRatePerSecond: 1, servers: 10, capacity: 2000)
        let infinite = try MMcQueue(arrivalRatePerSecond: 8.5, serviceRatePerSecond: 1, servers: 10)
        #expect(finite.blockingProbability < 1e-100)
        #expect(isClose(finite.meanNumberInSystem, infinite.meanNumberInSystem, relative: 1e-12))
        #expect(isClose(finite.meanWaitSeconds, infinite.meanWaitSeconds, relative: 1e-12))
        #expect(isClose(finite.probabilityOfWaiting, infinite.probabilityOfWaiting, relative: 1e-12))
    }

    @Test("Huge K under overload stays finite: blocking tends to 1 - 1/rho")
    func hugeKOverload() throws {
        let q = try MMcKQueue(arrivalRatePerSecond: 2, serviceRatePerSecond: 1, servers: 1, capacity: 200_000)
        #expect(isClose(q.blockingProbability, 0.5, relative: 1e-12))
        #expect(isClose(q.throughputPerSecond, 1, relative: 1e-12))
        #expect(q.meanNumberInSystem.isFinite)
    }

    @Test("c = 1000 servers at rho = 0.999 with K = 5000: probabilities finite and summing to 1")
    func largeStable() throws {
        let q = try MMcKQueue(arrivalRatePerSecond: 999, serviceRatePerSecond: 1, servers: 1000, capacity: 5000)
        #expect(q.stateProbabilities.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
        #expect(isClose(q.stateProbabilities.reduce(0, +), 1, relative: 1e-12))
        // Reference: the birth-death chain's p_K summed in log space with mpmath at 40 digits.
        #expect(isClose(q.blockingProbability, 1.7884435948787904479e-5, relative: 1e-9))
    }

    @Test("M/M/c/K rejects capacity below servers and negative rates")
    func errors() {
        #expect(throws: QueueingError.self) { try MMcKQueue(arrivalRatePerSecond: 1, serviceRatePerSecond: 1, servers: 3, capacity: 2) }
        #expect(throws: QueueingError.self) { try MMcKQueue(arrivalRatePerSecond: -1, serviceRatePerSecond: 1, servers: 3, capacity: 5) }
    }
}
