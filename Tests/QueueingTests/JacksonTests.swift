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

    // MARK: large networks (issue 13): sparse routes, solved component by component

    /// A random network of `m` stations, each routing to up to three others, with loops.
    static func randomNetwork(_ m: Int, seed: UInt64) -> (gamma: [Double], routes: [[RoutingArc]]) {
        var state = seed
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        var routes: [[RoutingArc]] = []
        for _ in 0..<m {
            var row: [RoutingArc] = []
            var left = 0.95
            for _ in 0..<3 {
                let p = next() * left / 2
                left -= p
                row.append(RoutingArc(station: Int(next() * Double(m)), probability: p))
            }
            routes.append(row)
        }
        return ((0..<m).map { _ in next() < 0.1 ? next() : 0 }, routes)
    }

    /// The largest relative residual of `lambda = gamma + lambda P`.
    static func residual(_ lambda: [Double], gamma: [Double], routes: [[RoutingArc]]) -> Double {
        var inflow = gamma
        for (i, row) in routes.enumerated() { for arc in row { inflow[arc.station] += lambda[i] * arc.probability } }
        return zip(lambda, inflow).map { abs($0 - $1) / max(abs($1), 1e-12) }.max() ?? 0
    }

    @Test("Beyond 500 stations the traffic equations are solved by components, and still hold")
    func largeRandomNetworkByComponents() throws {
        let (gamma, routes) = JacksonTests.randomNetwork(2_000, seed: 7)
        let lambda = try JacksonNetwork.solveTrafficEquations(externalArrivalRatesPerSecond: gamma, routes: routes)
        #expect(JacksonTests.residual(lambda, gamma: gamma, routes: routes) < 1e-9)
    }

    @Test("Components and dense elimination agree on a network small enough for both")
    func componentsAgreeWithDense() throws {
        let (gamma, routes) = JacksonTests.randomNetwork(400, seed: 11)
        let dense = try JacksonNetwork.solveTrafficEquations(externalArrivalRatesPerSecond: gamma, routes: routes)
        // The same network padded past the dense limit with 200 idle stations takes the component path.
        let padded = try JacksonNetwork.solveTrafficEquations(
            externalArrivalRatesPerSecond: gamma + Array(repeating: 0, count: 200),
            routes: routes + Array(repeating: [], count: 200))
        for i in 0..<400 { #expect(isClose(dense[i], padded[i], relative: 1e-9)) }
    }

    @Test("A ring of 5,000 stations that jobs leave with probability q after the first: it sees gamma / q, the others gamma (1 - q) / q")
    func largeRingByGaussSeidel() throws {
        let m = 5_000, q = 0.25
        let routes = (0..<m).map { i in [RoutingArc(station: (i + 1) % m, probability: i == 0 ? 1 - q : 1)] }
        let gamma = [2.0] + Array(repeating: 0, count: m - 1)
        let lambda = try JacksonNetwork.solveTrafficEquations(externalArrivalRatesPerSecond: gamma, routes: routes)
        #expect(isClose(lambda[0], 2 / q, relative: 1e-9))
        for l in lambda.dropFirst() { #expect(isClose(l, 2 * (1 - q) / q, relative: 1e-9)) }
    }

    @Test("A large ring that jobs never leave is singular")
    func largeClosedRingIsSingular() {
        let m = 1_200
        let routes = (0..<m).map { i in [RoutingArc(station: (i + 1) % m, probability: 1)] }
        #expect(throws: QueueingError.singularRoutingMatrix) {
            try JacksonNetwork.solveTrafficEquations(externalArrivalRatesPerSecond: [1] + Array(repeating: 0, count: m - 1), routes: routes)
        }
    }

    @Test("A chain of 100,000 stations solves without recursion or a dense matrix")
    func longChain() throws {
        let m = 100_000
        let routes = (0..<m).map { i in i + 1 < m ? [RoutingArc(station: i + 1, probability: 0.5)] : [] }
        let lambda = try JacksonNetwork.solveTrafficEquations(externalArrivalRatesPerSecond: [1] + Array(repeating: 0, count: m - 1), routes: routes)
        #expect(lambda[0] == 1 && lambda[1] == 0.5 && lambda[10] == 1 / 1024)
    }
}
