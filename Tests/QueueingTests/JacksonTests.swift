import Testing
@testable import Queueing

@Suite("Open Jackson networks")
struct JacksonTests {
    @Test("A tandem of M/M/1 stations has the sum of their response times")
    func tandem() throws {
        let net = try JacksonNetwork(
            stations: [JacksonStation(name: "web", meanServiceSeconds: 0.5, externalArrivalRatePerSecond: 1),
                       JacksonStation(name: "db", meanServiceSeconds: 0.8)],
            routingProbabilities: [[0, 1], [0, 0]])
        // M/M/1: W = S / (1 - rho): 0.5 / 0.5 + 0.8 / 0.2
        #expect(isClose(net.stations[0].meanResponseSeconds, 1))
        #expect(isClose(net.stations[1].meanResponseSeconds, 4))
        #expect(isClose(net.meanSojournSeconds, 5))
        #expect(isClose(net.stations[1].arrivalRatePerSecond, 1))
    }

    @Test("Feedback with probability p multiplies visits by 1 / (1 - p)")
    func feedback() throws {
        let net = try JacksonNetwork(
            stations: [JacksonStation(name: "cpu", servers: 2, meanServiceSeconds: 0.1, externalArrivalRatePerSecond: 4)],
            routingProbabilities: [[0.75]])
        #expect(isClose(net.stations[0].arrivalRatePerSecond, 16))
        #expect(isClose(net.stations[0].visitsPerJob, 4))
        let mmc = try MMcQueue(arrivalRatePerSecond: 16, meanServiceSeconds: 0.1, servers: 2)
        #expect(isClose(net.meanSojournSeconds, 4 * mmc.meanResponseSeconds, relative: 1e-12))
    }

    @Test("Traffic equations lambda = gamma + lambda P hold for a network with loops and multi-server stations")
    func trafficEquations() throws {
        let gamma = [2.0, 1.0, 0.0]
        let p = [[0.0, 0.6, 0.3], [0.2, 0.0, 0.5], [0.1, 0.4, 0.0]]
        let lambda = try JacksonNetwork.solveTrafficEquations(externalArrivalRatesPerSecond: gamma, routingProbabilities: p)
        for j in 0..<3 {
            let inflow = gamma[j] + (0..<3).reduce(0) { $0 + lambda[$1] * p[$1][j] }
            #expect(isClose(lambda[j], inflow, relative: 1e-13))
        }
        // Outflow balances inflow: sum lambda_i (1 - row sum) = sum gamma.
        let exits = (0..<3).reduce(0) { $0 + lambda[$1] * (1 - p[$1].reduce(0, +)) }
        #expect(isClose(exits, 3, relative: 1e-13))
    }

    @Test("Network sojourn time satisfies Little's law over stations")
    func littleOverNetwork() throws {
        let net = try JacksonNetwork(
            stations: [JacksonStation(name: "lb", meanServiceSeconds: 0.01, externalArrivalRatePerSecond: 30),
                       JacksonStation(name: "app", servers: 4, meanServiceSeconds: 0.04),
                       JacksonStation(name: "db", servers: 2, meanServiceSeconds: 0.02)],
            routingProbabilities: [[0, 1, 0], [0, 0, 0.5], [0, 1, 0]])
        let byVisits = net.stations.reduce(0) { $0 + $1.visitsPerJob * $1.meanResponseSeconds }
        #expect(isClose(net.meanSojournSeconds, byVisits, relative: 1e-12))
    }

    @Test("An overloaded station is reported by name")
    func unstableNamesStation() {
        #expect(throws: QueueingError.unstableStation(name: "db", index: 1, utilization: 1.25)) {
            try JacksonNetwork(
                stations: [JacksonStation(name: "web", meanServiceSeconds: 0.1, externalArrivalRatePerSecond: 5),
                           JacksonStation(name: "db", meanServiceSeconds: 0.25)],
                routingProbabilities: [[0, 1], [0, 0]])
        }
    }

    @Test("Routing that traps jobs is singular; malformed matrices are rejected")
    func badRouting() {
        let stations = [JacksonStation(name: "a", meanServiceSeconds: 0.1, externalArrivalRatePerSecond: 1),
                        JacksonStation(name: "b", meanServiceSeconds: 0.1)]
        #expect(throws: QueueingError.singularRoutingMatrix) {
            try JacksonNetwork(stations: stations, routingProbabilities: [[0, 1], [1, 0]])
        }
        #expect(throws: QueueingError.self) { try JacksonNetwork(stations: stations, routingProbabilities: [[0, 1]]) }
        #expect(throws: QueueingError.self) { try JacksonNetwork(stations: stations, routingProbabilities: [[0, 0.7], [0.6, 0.6]]) }
        #expect(throws: QueueingError.self) { try JacksonNetwork(stations: stations, routingProbabilities: [[0, -0.1], [0, 0]]) }
        #expect(throws: QueueingError.self) {
            try JacksonNetwork(stations: [JacksonStation(name: "a", meanServiceSeconds: 0.1, externalArrivalRatePerSecond: -1)],
                               routingProbabilities: [[0]])
        }
    }
}
