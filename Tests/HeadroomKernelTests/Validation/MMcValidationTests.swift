import HeadroomKernel
import Queueing
import Testing

/// An M/M/c case: `servers` exponential servers of mean 1 s at per-server load `rho`.
struct MMcCase: Sendable, CustomTestStringConvertible {
    var servers: Int
    var rho: Double
    /// Customers per replication after warm-up.
    var customers: Int
    var seed: UInt64
    var lambda: Double { rho * Double(servers) }
    var precision: Double { rho >= 0.9 ? Precision.heavy : Precision.standard }
    var testDescription: String { "M/M/\(servers) at rho = \(rho)" }
}

@Suite("Validation: M/M/c against Erlang C")
struct MMcValidationTests {
    static let cases: [MMcCase] = [
        .init(servers: 1, rho: 0.3, customers: 10_000, seed: 101),
        .init(servers: 2, rho: 0.3, customers: 15_000, seed: 102),
        .init(servers: 1, rho: 0.7, customers: 15_000, seed: 103),
        .init(servers: 5, rho: 0.7, customers: 25_000, seed: 104),
        .init(servers: 2, rho: 0.9, customers: 30_000, seed: 105),
        .init(servers: 10, rho: 0.9, customers: 30_000, seed: 106),
        // Many servers: the mean wait is short (0.07 s beside 1 s of service) and the number
        // waiting drifts slowly, so its relative interval is wide (~20% at 60k customers per
        // replication, ~12% at 160k): 160k keep it under the heavy-traffic bound every other
        // case meets, and every case's wait interval must also exclude the Erlang-B-for-C
        // answer (below).
        .init(servers: 50, rho: 0.9, customers: 160_000, seed: 107),
        .init(servers: 1, rho: 0.95, customers: 75_000, seed: 108),
    ]

    /// The means (Wq, W, L) test Erlang C and the station's bookkeeping; the median and p95 of
    /// the response time test the closed-form response-time distribution and the HdrHistogram
    /// recorder together (each replication's percentile is one sample of the interval).
    @Test("simulated mean wait, sojourn, number present and sojourn percentiles agree with M/M/c",
          arguments: cases)
    func meansAndPercentiles(_ c: MMcCase) throws {
        let theory = try MMcQueue(arrivalRatePerSecond: c.lambda, meanServiceSeconds: 1, servers: c.servers)
        let spec = singleStation(servers: c.servers, arrivalRatePerSecond: c.lambda, service: .exponential(mean: 1))
        let e = replicate(spec, seed: c.seed, horizonSeconds: horizon(customers: c.customers, ratePerSecond: c.lambda),
                          figures: [.meanWait(), .meanSojourn(), .meanNumberPresent(),
                                    .sojournPercentile(50), .sojournPercentile(95)])
        let name = c.testDescription
        expectCovers(e[0], theory.meanWaitSeconds, "\(name): Wq", maximumRelativeHalfWidth: c.precision)
        // Negative control: the interval tells Erlang C from the classic mistake of Erlang B (the
        // blocking probability) in its place, Wq = B / (c mu - lambda), which differs by the
        // factor 1 / (1 - rho (1 - B)): 1.3x at M/M/1, 0.3 and 6.7x at M/M/50, 0.9.
        let erlangBWait = try erlangB(servers: c.servers, offeredLoadErlangs: c.lambda) / (Double(c.servers) - c.lambda)
        #expect(!e[0].contains(erlangBWait), "\(name): the Wq interval [\(e[0].lower), \(e[0].upper)] cannot tell Erlang C from Erlang B (\(erlangBWait))")
        expectCovers(e[1], theory.meanResponseSeconds, "\(name): W", maximumRelativeHalfWidth: c.precision)
        expectCovers(e[2], theory.meanNumberInSystem, "\(name): L", maximumRelativeHalfWidth: c.precision)
        expectCovers(e[3], try theory.responseQuantileSeconds(probability: 0.5), "\(name): p50 of W",
                     maximumRelativeHalfWidth: c.precision)
        expectCovers(e[4], try theory.responseQuantileSeconds(probability: 0.95), "\(name): p95 of W",
                     maximumRelativeHalfWidth: c.precision)
    }
}
