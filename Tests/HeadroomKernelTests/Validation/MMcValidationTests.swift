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
    /// Bound on the mean wait's relative half-width when it differs from `precision`.
    var waitPrecision: Double? = nil
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
        // waiting drifts slowly, so its relative interval stays wide for any affordable run
        // (~20% at 60k customers per replication, ~12% at 160k). W, L and the percentiles are
        // held to the heavy-traffic bound; the wait to 30%, still far inside the factor-of-c
        // or Erlang-B-for-C mistakes it guards against.
        .init(servers: 50, rho: 0.9, customers: 60_000, seed: 107, waitPrecision: 0.30),
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
        expectCovers(e[0], theory.meanWaitSeconds, "\(name): Wq", maximumRelativeHalfWidth: c.waitPrecision ?? c.precision)
        expectCovers(e[1], theory.meanResponseSeconds, "\(name): W", maximumRelativeHalfWidth: c.precision)
        expectCovers(e[2], theory.meanNumberInSystem, "\(name): L", maximumRelativeHalfWidth: c.precision)
        expectCovers(e[3], try theory.responseQuantileSeconds(probability: 0.5), "\(name): p50 of W",
                     maximumRelativeHalfWidth: c.precision)
        expectCovers(e[4], try theory.responseQuantileSeconds(probability: 0.95), "\(name): p95 of W",
                     maximumRelativeHalfWidth: c.precision)
    }
}
