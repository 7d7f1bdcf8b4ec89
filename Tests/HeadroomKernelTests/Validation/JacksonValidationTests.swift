import HeadroomKernel
import Queueing
import Testing

/// An open network of three exponential multi-server stations with feedback routing:
/// web -> app (always); app -> db (0.5), -> web (0.1), exits (0.4); db -> app (0.8), exits (0.2).
/// External Poisson arrivals at web and app.
struct JacksonCase: Sendable, CustomTestStringConvertible {
    var name: String
    var servers: [Int]
    var meanService: [Double]
    var externalRates: [Double]
    var customers: Int
    var seed: UInt64
    /// Heavy traffic at some station (utilization >= 0.9)?
    var precision: Double
    var testDescription: String { name }

    static let routing: [[Double]] = [
        [0, 1, 0],
        [0.1, 0, 0.5],
        [0, 0.8, 0],
    ]
    static let names = ["web", "app", "db"]

    var spec: QueueingNetworkSpec {
        QueueingNetworkSpec(
            stations: (0..<3).map { i in
                .init(name: Self.names[i], servers: servers[i], service: .exponential(mean: meanService[i]),
                      routes: (0..<3).compactMap { j in
                          Self.routing[i][j] > 0 ? (station: j, probability: Self.routing[i][j]) : nil })
            },
            openSources: (0..<3).compactMap { i in
                externalRates[i] > 0 ? .init(station: i, interarrival: .exponential(mean: 1 / externalRates[i])) : nil
            })
    }

    func theory() throws -> JacksonNetwork {
        try JacksonNetwork(
            stations: (0..<3).map { i in
                JacksonStation(name: Self.names[i], servers: servers[i], meanServiceSeconds: meanService[i],
                               externalArrivalRatePerSecond: externalRates[i])
            },
            routingProbabilities: Self.routing)
    }
}

@Suite("Validation: open Jackson network")
struct JacksonValidationTests {
    static let cases: [JacksonCase] = [
        // Utilizations 0.37, 0.72, 0.60.
        .init(name: "moderate load", servers: [2, 1, 3], meanService: [0.6, 0.3, 1.5],
              externalRates: [1.0, 0.2, 0], customers: 10_000, seed: 601, precision: Precision.standard),
        // Utilizations 0.80, 0.87, 0.90.
        .init(name: "heavy load", servers: [3, 1, 4], meanService: [1.6, 0.29, 2.4],
              externalRates: [1.2, 0.3, 0], customers: 12_000, seed: 602, precision: Precision.heavy),
    ]

    @Test("network sojourn and each station's mean number present agree with Jackson's product form",
          arguments: cases)
    func sojournAndOccupancy(_ c: JacksonCase) throws {
        let theory = try c.theory()
        let e = replicate(c.spec, seed: c.seed,
                          horizonSeconds: horizon(customers: c.customers,
                                                  ratePerSecond: theory.totalExternalArrivalRatePerSecond),
                          figures: [.networkSojourn, .throughput] + (0..<3).map { .meanNumberPresent($0) })
        expectCovers(e[0], theory.meanSojournSeconds, "\(c.testDescription): network sojourn", maximumRelativeHalfWidth: c.precision)
        expectCovers(e[1], theory.totalExternalArrivalRatePerSecond, "\(c.testDescription): throughput", maximumRelativeHalfWidth: Precision.throughput)
        for i in 0..<3 {
            expectCovers(e[2 + i], theory.stations[i].meanNumberInSystem, "\(c.testDescription): L at \(JacksonCase.names[i])",
                         maximumRelativeHalfWidth: c.precision)
        }
    }
}
