import HeadroomKernel
import Queueing
import Testing

/// An M/M/c/K case with exponential service of mean 1 s.
struct MMcKCase: Sendable, CustomTestStringConvertible {
    var servers: Int
    var capacity: Int
    var lambda: Double
    var customers: Int
    var seed: UInt64
    var testDescription: String { "M/M/\(servers)/\(capacity) at lambda = \(lambda)" }
}

@Suite("Validation: M/M/c/K blocking and occupancy")
struct MMcKValidationTests {
    static let cases: [MMcKCase] = [
        .init(servers: 1, capacity: 5, lambda: 0.9, customers: 6_000, seed: 201),
        .init(servers: 1, capacity: 10, lambda: 1.5, customers: 6_000, seed: 202),   // overloaded: rho = 1.5
        .init(servers: 2, capacity: 4, lambda: 2.4, customers: 6_000, seed: 203),    // rho = 1.2
        .init(servers: 5, capacity: 5, lambda: 4, customers: 6_000, seed: 204),      // K = c: Erlang B
        .init(servers: 10, capacity: 20, lambda: 9.5, customers: 12_000, seed: 205),
        .init(servers: 50, capacity: 50, lambda: 45, customers: 12_000, seed: 206),   // Erlang B, 50 servers
    ]

    @Test("blocked fraction of arrivals and mean number present agree with M/M/c/K", arguments: cases)
    func blockingAndOccupancy(_ c: MMcKCase) throws {
        let theory = try MMcKQueue(arrivalRatePerSecond: c.lambda, meanServiceSeconds: 1,
                                   servers: c.servers, capacity: c.capacity)
        let spec = singleStation(servers: c.servers, arrivalRatePerSecond: c.lambda,
                                 service: .exponential(mean: 1), capacity: c.capacity)
        let e = replicate(spec, seed: c.seed, horizonSeconds: horizon(customers: c.customers, ratePerSecond: c.lambda),
                          figures: [.blockingRatio(), .meanNumberPresent()])
        let rare = theory.blockingProbability < 0.1
        expectCovers(e[0], theory.blockingProbability, "\(c.testDescription): P(block)",
                     maximumRelativeHalfWidth: rare ? Precision.heavy : Precision.standard)
        expectCovers(e[1], theory.meanNumberInSystem, "\(c.testDescription): L", maximumRelativeHalfWidth: Precision.standard)
        if c.capacity == c.servers {
            // K = c is the Erlang loss system: the blocking is Erlang B.
            let b = try erlangB(servers: c.servers, offeredLoadErlangs: c.lambda)
            #expect(abs(b - theory.blockingProbability) <= 1e-12)
        }
    }
}
