import HeadroomKernel
import Queueing
import Testing

/// A c-core processor-sharing station (each of n jobs served at rate min(1, c/n)) fed by Poisson
/// arrivals, mean work 1 s.
///
/// The number present is the same birth-death process as M/M/c's when work is exponential
/// (death rate min(n, c) in state n), so L and, by Little's law, the mean sojourn equal
/// M/M/c's. More: a station whose total rate depends only on n and is split equally is a
/// *symmetric* queue (Kelly, 1979), and its number-present distribution is insensitive to the
/// work distribution beyond its mean, so the same holds for constant or hyperexponential work.
struct PSCase: Sendable, CustomTestStringConvertible {
    var cores: Int
    var work: Distribution
    var rho: Double
    var customers: Int
    var seed: UInt64
    var lambda: Double { rho * Double(cores) }
    var testDescription: String { "\(cores)-core PS, \(work) work, rho = \(rho)" }
}

@Suite("Validation: processor sharing against M/M/c")
struct ProcessorSharingValidationTests {
    static let cases: [PSCase] = [
        .init(cores: 1, work: .exponential(mean: 1), rho: 0.8, customers: 30_000, seed: 501),   // M/M/1-PS
        .init(cores: 1, work: .constant(1), rho: 0.7, customers: 10_000, seed: 502),           // M/D/1-PS: insensitive
        .init(cores: 2, work: .exponential(mean: 1), rho: 0.9, customers: 20_000, seed: 503),
        .init(cores: 2, work: .hyperexponential(mean: 1, cv: 2), rho: 0.7, customers: 10_000, seed: 504),
        .init(cores: 8, work: .exponential(mean: 1), rho: 0.9, customers: 12_000, seed: 505),
    ]

    @Test("mean sojourn and mean number present equal M/M/c's W and L", arguments: cases)
    func sojournEqualsMMc(_ c: PSCase) throws {
        let theory = try MMcQueue(arrivalRatePerSecond: c.lambda, meanServiceSeconds: 1, servers: c.cores)
        let spec = singleStation(servers: c.cores, discipline: .processorSharing,
                                 arrivalRatePerSecond: c.lambda, service: c.work)
        let e = replicate(spec, seed: c.seed, horizonSeconds: horizon(customers: c.customers, ratePerSecond: c.lambda),
                          figures: [.meanSojourn(), .meanNumberPresent(), .utilization()])
        let precision = c.rho >= 0.9 ? Precision.heavy : Precision.standard
        expectCovers(e[0], theory.meanResponseSeconds, "\(c.testDescription): W", maximumRelativeHalfWidth: precision)
        expectCovers(e[1], theory.meanNumberInSystem, "\(c.testDescription): L", maximumRelativeHalfWidth: precision)
        expectCovers(e[2], theory.utilization, "\(c.testDescription): utilization", maximumRelativeHalfWidth: Precision.throughput)
    }

    /// With a capacity K the number present is M/M/c's birth-death process truncated at K, so an
    /// exponential-work PS station loses arrivals exactly as M/M/c/K does (before issue 13 a PS
    /// station ignored its capacity: it blocked nothing, so this interval excluded P(block)).
    @Test("a PS station with capacity K loses arrivals as M/M/c/K does", arguments: [
        MMcKCase(servers: 1, capacity: 5, lambda: 0.9, customers: 6_000, seed: 511),
        MMcKCase(servers: 2, capacity: 4, lambda: 2.4, customers: 6_000, seed: 512),   // overloaded: rho = 1.2
    ])
    func capacityBlocksAsMMcK(_ c: MMcKCase) throws {
        let theory = try MMcKQueue(arrivalRatePerSecond: c.lambda, meanServiceSeconds: 1,
                                   servers: c.servers, capacity: c.capacity)
        let spec = singleStation(servers: c.servers, discipline: .processorSharing, arrivalRatePerSecond: c.lambda,
                                 service: .exponential(mean: 1), capacity: c.capacity)
        let e = replicate(spec, seed: c.seed, horizonSeconds: horizon(customers: c.customers, ratePerSecond: c.lambda),
                          figures: [.blockingRatio(), .meanNumberPresent()])
        expectCovers(e[0], theory.blockingProbability, "PS \(c.testDescription): P(block)", maximumRelativeHalfWidth: Precision.standard)
        expectCovers(e[1], theory.meanNumberInSystem, "PS \(c.testDescription): L", maximumRelativeHalfWidth: Precision.standard)
    }

    @Test("negative control: 1-core PS with constant work is not FCFS (its interval excludes M/D/1's W)")
    func sharingIsNotFCFS() throws {
        let c = Self.cases[1]
        let fcfs = try MG1Queue(arrivalRatePerSecond: c.lambda, meanServiceSeconds: 1, serviceSquaredCV: 0)
        let spec = singleStation(servers: 1, discipline: .processorSharing, arrivalRatePerSecond: c.lambda, service: c.work)
        let e = replicate(spec, seed: c.seed, horizonSeconds: horizon(customers: 3_000, ratePerSecond: c.lambda),
                          figures: [.meanSojourn()])
        #expect(!e[0].contains(fcfs.meanResponseSeconds))
    }
}
