import HeadroomKernel
import Queueing
import Testing

/// An Engset case: `sources` users with exponential idle time share a loss station of `servers`
/// exponential servers (mean holding 1 s) and no waiting room (K = c). A blocked request is lost
/// and its source goes back to idle.
struct EngsetCase: Sendable, CustomTestStringConvertible {
    var sources: Int
    var servers: Int
    var meanIdle: Double
    var attempts: Int
    var seed: UInt64
    var testDescription: String { "\(sources) sources, \(servers) servers, mean idle \(meanIdle) s" }

    var spec: QueueingNetworkSpec {
        QueueingNetworkSpec(
            stations: [.init(name: "pool", servers: servers, service: .exponential(mean: 1), capacity: servers)],
            closedPopulation: .init(customers: sources, thinkTime: .exponential(mean: meanIdle)))
    }

    func theory() throws -> EngsetLossSystem {
        try EngsetLossSystem(sources: sources, servers: servers, meanIdleSeconds: meanIdle, meanHoldingSeconds: 1)
    }

    func run() throws -> [Estimate] {
        let t = try theory()
        return replicate(spec, seed: seed,
                         horizonSeconds: horizon(customers: attempts, ratePerSecond: t.offeredRequestsPerSecond),
                         figures: [.blockingRatio(), .utilization()])
    }
}

@Suite("Validation: Engset loss system")
struct EngsetValidationTests {
    static let cases: [EngsetCase] = [
        .init(sources: 10, servers: 3, meanIdle: 4, attempts: 10_000, seed: 801),
        .init(sources: 30, servers: 10, meanIdle: 5, attempts: 25_000, seed: 802),  // rare: 1% blocked
        .init(sources: 60, servers: 20, meanIdle: 2, attempts: 10_000, seed: 803),
        .init(sources: 8, servers: 2, meanIdle: 1, attempts: 10_000, seed: 804),   // heavy: 72% blocked
    ]

    @Test("blocking seen by arrivals agrees with Engset's call congestion; utilization with its carried load",
          arguments: cases)
    func callCongestion(_ c: EngsetCase) throws {
        let theory = try c.theory()
        let e = try c.run()
        expectCovers(e[0], theory.callCongestion, "\(c.testDescription): call congestion",
                     maximumRelativeHalfWidth: theory.callCongestion < 0.1 ? Precision.heavy : Precision.standard)
        expectCovers(e[1], theory.utilization, "\(c.testDescription): utilization", maximumRelativeHalfWidth: Precision.throughput)
    }

    @Test("negative control: the interval excludes time congestion and Erlang B at the same offered load")
    func finitePopulationIsNotErlangB() throws {
        let c = Self.cases[0]
        let theory = try c.theory()
        let e = try c.run()
        // Arrivals from a finite population see fewer busy servers than a time average does...
        #expect(!e[0].contains(theory.timeCongestion))
        // ...and fewer than Poisson arrivals of the same rate would (Erlang B).
        let b = try erlangB(servers: c.servers, offeredLoadErlangs: theory.offeredRequestsPerSecond)
        #expect(!e[0].contains(b))
    }
}
