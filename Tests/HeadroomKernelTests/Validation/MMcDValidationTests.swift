import HeadroomKernel
import Queueing
import Testing

/// An M/M/c+D case: exponential service of mean 1 s, every waiter gives up after exactly `patience`.
struct MMcDCase: Sendable, CustomTestStringConvertible {
    var servers: Int
    var lambda: Double
    var patience: Double
    var customers: Int
    var seed: UInt64
    var testDescription: String { "M/M/\(servers)+D at lambda = \(lambda), patience \(patience) s" }
}

@Suite("Validation: M/M/c+D (FCFS with constant patience, a pool's acquire timeout)")
struct MMcDValidationTests {
    static let cases: [MMcDCase] = [
        .init(servers: 1, lambda: 0.9, patience: 2, customers: 5_000, seed: 401),
        .init(servers: 10, lambda: 9, patience: 0.5, customers: 8_000, seed: 402),
        .init(servers: 20, lambda: 22, patience: 2, customers: 12_000, seed: 403),   // overloaded, rho = 1.1
    ]

    static func spec(_ c: MMcDCase, patience: Distribution) -> QueueingNetworkSpec {
        singleStation(servers: c.servers, arrivalRatePerSecond: c.lambda, service: .exponential(mean: 1), patience: patience)
    }

    @Test("abandonment, wait of the served and utilization agree with M/M/c+D", arguments: cases)
    func abandonmentWaitUtilization(_ c: MMcDCase) throws {
        let theory = try MMcDQueue(arrivalRatePerSecond: c.lambda, meanServiceSeconds: 1, servers: c.servers,
                                   patienceSeconds: c.patience)
        let e = replicate(Self.spec(c, patience: .constant(c.patience)), seed: c.seed,
                          horizonSeconds: horizon(customers: c.customers, ratePerSecond: c.lambda),
                          figures: [.abandonmentRatio(), .meanWait(), .utilization()])
        expectCovers(e[0], theory.probabilityOfAbandonment, "\(c.testDescription): P(abandon)", maximumRelativeHalfWidth: Precision.heavy)
        expectCovers(e[1], theory.meanWaitOfServedSeconds, "\(c.testDescription): wait of served", maximumRelativeHalfWidth: Precision.heavy)
        expectCovers(e[2], theory.utilization, "\(c.testDescription): carried utilization", maximumRelativeHalfWidth: Precision.throughput)
    }

    /// Power: Erlang-A with the same mean patience (exponential instead of constant) is a
    /// different queue. The overloaded case's simulated intervals must exclude its figures, or
    /// this validation could not tell the two formulas apart.
    @Test("negative control: Erlang-A with the same mean patience falls outside the constant-patience intervals")
    func erlangAIsExcluded() throws {
        let c = Self.cases[2]
        let erlangA = try ErlangAQueue(arrivalRatePerSecond: c.lambda, meanServiceSeconds: 1, servers: c.servers,
                                       meanPatienceSeconds: c.patience)
        let e = replicate(Self.spec(c, patience: .constant(c.patience)), seed: c.seed,
                          horizonSeconds: horizon(customers: c.customers, ratePerSecond: c.lambda),
                          figures: [.abandonmentRatio(), .meanWait()])
        #expect(!e[0].contains(erlangA.probabilityOfAbandonment),
                "P(abandon) interval \(e[0].lower)...\(e[0].upper) must exclude Erlang-A's \(erlangA.probabilityOfAbandonment)")
        #expect(!e[1].contains(erlangA.meanWaitOfServedSeconds),
                "wait interval \(e[1].lower)...\(e[1].upper) must exclude Erlang-A's \(erlangA.meanWaitOfServedSeconds)")
    }
}
