import HeadroomKernel
import Queueing
import Testing

/// An M/G/1 case: Poisson arrivals at rate `rho` to one FCFS server with mean service 1 s.
struct MG1Case: Sendable, CustomTestStringConvertible {
    var service: Distribution
    var rho: Double
    var customers: Int
    var seed: UInt64
    var testDescription: String { "M/G/1 with \(service) service at rho = \(rho)" }
}

@Suite("Validation: M/G/1 against Pollaczek-Khinchine")
struct MG1ValidationTests {
    static let cases: [MG1Case] = [
        .init(service: .constant(1), rho: 0.8, customers: 15_000, seed: 401),                 // M/D/1, SCV 0
        .init(service: .erlang(phases: 4, mean: 1), rho: 0.7, customers: 15_000, seed: 402),  // SCV 1/4
        .init(service: .erlang(phases: 2, mean: 1), rho: 0.9, customers: 20_000, seed: 403),  // SCV 1/2
        .init(service: .uniform(low: 0, high: 2), rho: 0.8, customers: 25_000, seed: 404),   // SCV 1/3
        .init(service: .hyperexponential(mean: 1, cv: 2), rho: 0.6, customers: 25_000, seed: 405), // SCV 4
    ]

    @Test("simulated mean wait and sojourn agree with Pollaczek-Khinchine", arguments: cases)
    func meanWait(_ c: MG1Case) throws {
        #expect(abs(c.service.mean - 1) <= 1e-12)
        let theory = try MG1Queue(arrivalRatePerSecond: c.rho, meanServiceSeconds: 1,
                                  serviceSquaredCV: c.service.squaredCV)
        let spec = singleStation(arrivalRatePerSecond: c.rho, service: c.service)
        let e = replicate(spec, seed: c.seed, horizonSeconds: horizon(customers: c.customers, ratePerSecond: c.rho),
                          figures: [.meanWait(), .meanSojourn()])
        let precision = c.rho >= 0.9 ? Precision.heavy : Precision.standard
        expectCovers(e[0], theory.meanWaitSeconds, "\(c.testDescription): Wq", maximumRelativeHalfWidth: precision)
        expectCovers(e[1], theory.meanResponseSeconds, "\(c.testDescription): W", maximumRelativeHalfWidth: precision)
    }

    /// Pollaczek-Khinchine with the wrong variability (the M/M/1 formula, SCV 1) must fail
    /// against deterministic service: the M/D/1 wait is half the M/M/1 wait.
    @Test("negative control: M/D/1's interval excludes the M/M/1 wait (service variability matters)")
    func deterministicServiceIsNotExponential() throws {
        let c = Self.cases[0]
        let mm1 = try MG1Queue(arrivalRatePerSecond: c.rho, meanServiceSeconds: 1, serviceSquaredCV: 1)
        let e = replicate(singleStation(arrivalRatePerSecond: c.rho, service: c.service), seed: c.seed,
                          horizonSeconds: horizon(customers: 3_000, ratePerSecond: c.rho),
                          figures: [.meanWait()])
        #expect(!e[0].contains(mm1.meanWaitSeconds))
    }
}
