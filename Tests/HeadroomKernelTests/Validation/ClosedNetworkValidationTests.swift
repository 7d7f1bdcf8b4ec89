import HeadroomKernel
import Queueing
import Testing

/// A closed network: `population` users alternate an exponential think time with one pass
/// through the stations (entering at station 0, leaving when routing says so).
struct ClosedCase: Sendable, CustomTestStringConvertible {
    var name: String
    var population: Int
    var thinkSeconds: Double
    var stations: [QueueingNetworkSpec.Station]
    /// The same network for MVA: each station's kind and service demand (visits x service).
    var mva: [ClosedStation]
    var completions: Int
    var seed: UInt64
    var testDescription: String { name }

    var spec: QueueingNetworkSpec {
        QueueingNetworkSpec(stations: stations,
                            closedPopulation: .init(customers: population, thinkTime: .exponential(mean: thinkSeconds)))
    }
}

@Suite("Validation: closed networks against exact MVA")
struct ClosedNetworkValidationTests {
    static let cases: [ClosedCase] = [
        // The machine-repairman model: 10 users, one exponential server.
        ClosedCase(name: "10 users, think 4 s, one server of 0.5 s", population: 10, thinkSeconds: 4,
                   stations: [.init(name: "cpu", service: .exponential(mean: 0.5))],
                   mva: [ClosedStation(name: "cpu", serviceDemandSeconds: 0.5)],
                   completions: 5_000, seed: 701),
        // Central server: the CPU is visited 10 times per job (exit 0.1), disk1 6 and disk2 3 times.
        ClosedCase(name: "15 users, central-server CPU and two disks with feedback", population: 15, thinkSeconds: 3,
                   stations: [
                    .init(name: "cpu", service: .exponential(mean: 0.05), routes: [(1, 0.6), (2, 0.3)]),
                    .init(name: "disk1", service: .exponential(mean: 0.08), routes: [(0, 1)]),
                    .init(name: "disk2", service: .exponential(mean: 0.1), routes: [(0, 1)]),
                   ],
                   mva: [ClosedStation(name: "cpu", visitsPerJob: 10, meanServiceSeconds: 0.05),
                         ClosedStation(name: "disk1", visitsPerJob: 6, meanServiceSeconds: 0.08),
                         ClosedStation(name: "disk2", visitsPerJob: 3, meanServiceSeconds: 0.1)],
                   completions: 2_000, seed: 702),
        // A 4-worker app tier in front of one database server; the app tier is the bottleneck.
        ClosedCase(name: "30 users, 4-server app tier then one database server", population: 30, thinkSeconds: 2,
                   stations: [
                    .init(name: "app", servers: 4, service: .exponential(mean: 0.4), routes: [(1, 1)]),
                    .init(name: "db", service: .exponential(mean: 0.08)),
                   ],
                   mva: [ClosedStation(name: "app", kind: .multiServer(servers: 4), serviceDemandSeconds: 0.4),
                         ClosedStation(name: "db", serviceDemandSeconds: 0.08)],
                   completions: 5_000, seed: 703),
        // A pure delay (infinite servers), a 3-server tier visited twice and a 1-core PS database.
        ClosedCase(name: "20 users, delay, 3-server tier and PS database with feedback", population: 20, thinkSeconds: 1,
                   stations: [
                    .init(name: "gateway", discipline: .infiniteServer, service: .exponential(mean: 0.2), routes: [(1, 1)]),
                    .init(name: "app", servers: 3, service: .exponential(mean: 0.3), routes: [(2, 1)]),
                    .init(name: "db", discipline: .processorSharing, service: .exponential(mean: 0.1), routes: [(1, 0.5)]),
                   ],
                   mva: [ClosedStation(name: "gateway", kind: .delay, serviceDemandSeconds: 0.2),
                         ClosedStation(name: "app", kind: .multiServer(servers: 3), visitsPerJob: 2, meanServiceSeconds: 0.3),
                         ClosedStation(name: "db", visitsPerJob: 2, meanServiceSeconds: 0.1)],
                   completions: 5_000, seed: 704),
    ]

    @Test("throughput and response time (think excluded) agree with exact MVA", arguments: cases)
    func throughputAndResponse(_ c: ClosedCase) throws {
        let network = try ClosedNetwork(stations: c.mva, thinkTimeSeconds: c.thinkSeconds)
        let theory = try #require(try network.exactMVA(maximumPopulation: c.population).last)
        let e = replicate(c.spec, seed: c.seed,
                          horizonSeconds: horizon(customers: c.completions, ratePerSecond: theory.throughputPerSecond),
                          figures: [.throughput, .networkSojourn])
        expectCovers(e[0], theory.throughputPerSecond, "\(c.testDescription): X", maximumRelativeHalfWidth: Precision.throughput)
        expectCovers(e[1], theory.responseTimeSeconds, "\(c.testDescription): R", maximumRelativeHalfWidth: Precision.standard)
    }
}
