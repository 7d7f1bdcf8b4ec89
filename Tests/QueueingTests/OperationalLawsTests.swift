import Testing
@testable import Queueing

@Suite("Operational laws and bounds")
struct OperationalLawsTests {
    @Test("Utilization, Little, forced flow, service demand and interactive response laws")
    func laws() {
        #expect(isClose(OperationalLaws.utilization(throughputPerSecond: 40, meanServiceSeconds: 0.02), 0.8))
        #expect(isClose(OperationalLaws.meanNumberInSystem(throughputPerSecond: 50, meanResponseSeconds: 0.3), 15))
        #expect(isClose(OperationalLaws.meanResponseSeconds(meanNumberInSystem: 15, throughputPerSecond: 50), 0.3))
        #expect(isClose(OperationalLaws.deviceThroughputPerSecond(systemThroughputPerSecond: 20, visitsPerJob: 3.5), 70))
        #expect(isClose(OperationalLaws.serviceDemandSeconds(visitsPerJob: 3.5, meanServiceSeconds: 0.01), 0.035))
        #expect(isClose(OperationalLaws.interactiveResponseSeconds(users: 100, throughputPerSecond: 40, thinkTimeSeconds: 2), 0.5))
    }

    @Test("Closed asymptotic bounds: X <= min(N / (D + Z), 1 / Dmax), R >= max(D, N Dmax - Z)")
    func closedAsymptotic() throws {
        let light = try OperationalLaws.closedBounds(serviceDemandsSeconds: [0.2, 0.1, 0.05], thinkTimeSeconds: 2, population: 5)
        #expect(isClose(light.throughputUpperBoundPerSecond, 5 / 2.35))
        #expect(isClose(light.responseTimeLowerBoundSeconds, 0.35))
        #expect(isClose(light.saturationPopulation, 2.35 / 0.2))
        let heavy = try OperationalLaws.closedBounds(serviceDemandsSeconds: [0.2, 0.1, 0.05], thinkTimeSeconds: 2, population: 100)
        #expect(isClose(heavy.throughputUpperBoundPerSecond, 5))
        #expect(isClose(heavy.responseTimeLowerBoundSeconds, 18))
        #expect(heavy.bottleneckIndex == 0)
    }

    @Test("Balanced-job bounds are tighter than the asymptotic ones and ordered")
    func balancedOrdering() throws {
        for n in [1, 3, 10, 50] {
            let b = try OperationalLaws.closedBounds(serviceDemandsSeconds: [0.2, 0.1, 0.05], thinkTimeSeconds: 2, population: n)
            #expect(b.balancedThroughputLowerBoundPerSecond <= b.balancedThroughputUpperBoundPerSecond)
            #expect(b.balancedThroughputUpperBoundPerSecond <= b.throughputUpperBoundPerSecond)
            #expect(b.balancedResponseTimeLowerBoundSeconds >= b.responseTimeLowerBoundSeconds)
            #expect(b.balancedResponseTimeLowerBoundSeconds <= b.balancedResponseTimeUpperBoundSeconds * (1 + 1e-12))
        }
    }

    @Test("Open bounds: saturation at 1 / Dmax, and balanced-job bounds bracket the Jackson response time")
    func openBounds() throws {
        let demands = [0.05, 0.02, 0.08]
        let b = try OperationalLaws.openBounds(serviceDemandsSeconds: demands, arrivalRatePerSecond: 10)
        #expect(isClose(b.maximumThroughputPerSecond, 12.5))
        #expect(b.isStable)
        let net = try JacksonNetwork(
            stations: [JacksonStation(name: "a", meanServiceSeconds: 0.05, externalArrivalRatePerSecond: 10),
                       JacksonStation(name: "b", meanServiceSeconds: 0.02),
                       JacksonStation(name: "c", meanServiceSeconds: 0.08)],
            routingProbabilities: [[0, 1, 0], [0, 0, 1], [0, 0, 0]])
        #expect(net.meanSojournSeconds >= b.balancedResponseTimeLowerBoundSeconds)
        #expect(net.meanSojournSeconds <= b.balancedResponseTimeUpperBoundSeconds)
        #expect(net.meanSojournSeconds >= b.responseTimeLowerBoundSeconds)
        let over = try OperationalLaws.openBounds(serviceDemandsSeconds: demands, arrivalRatePerSecond: 13)
        #expect(!over.isStable)
    }

    @Test("Bounds reject empty or negative demands and zero population")
    func errors() {
        #expect(throws: QueueingError.self) { try OperationalLaws.closedBounds(serviceDemandsSeconds: [], thinkTimeSeconds: 0, population: 1) }
        #expect(throws: QueueingError.self) { try OperationalLaws.closedBounds(serviceDemandsSeconds: [-0.1], thinkTimeSeconds: 0, population: 1) }
        #expect(throws: QueueingError.self) { try OperationalLaws.closedBounds(serviceDemandsSeconds: [0.1], thinkTimeSeconds: 0, population: 0) }
        #expect(throws: QueueingError.self) { try OperationalLaws.openBounds(serviceDemandsSeconds: [0.1], arrivalRatePerSecond: -1) }
    }
}
