import HeadroomKernel
import Queueing
import Testing

/// An Erlang-A (M/M/c+M) case: exponential service of mean 1 s, exponential patience.
struct ErlangACase: Sendable, CustomTestStringConvertible {
    var servers: Int
    var lambda: Double
    var meanPatience: Double
    var customers: Int
    var seed: UInt64
    var testDescription: String { "M/M/\(servers)+M at lambda = \(lambda), mean patience \(meanPatience) s" }
}

@Suite("Validation: Erlang-A (FCFS with exponential patience)")
struct ErlangAValidationTests {
    static let cases: [ErlangACase] = [
        .init(servers: 1, lambda: 0.9, meanPatience: 5, customers: 5_000, seed: 301),
        .init(servers: 5, lambda: 5.5, meanPatience: 2, customers: 5_000, seed: 302),    // overloaded, rho = 1.1
        .init(servers: 10, lambda: 9, meanPatience: 1, customers: 8_000, seed: 303),     // the negative control's station
        .init(servers: 20, lambda: 19, meanPatience: 1, customers: 12_000, seed: 304),
        .init(servers: 50, lambda: 50, meanPatience: 4, customers: 20_000, seed: 305),    // critically loaded
    ]

    /// Heavy (rho >= 0.9) and rare (P(abandon) < 0.1) figures converge slowly.
    static func precision(_ c: ErlangACase, _ theory: ErlangAQueue) -> Double {
        c.lambda >= 0.9 * Double(c.servers) || theory.probabilityOfAbandonment < 0.1
            ? Precision.heavy : Precision.standard
    }

    static func spec(_ c: ErlangACase, patience: Bool) -> QueueingNetworkSpec {
        singleStation(servers: c.servers, arrivalRatePerSecond: c.lambda, service: .exponential(mean: 1),
                      patience: patience ? .exponential(mean: c.meanPatience) : nil)
    }

    @Test("abandonment probability and mean wait of the served agree with Erlang-A", arguments: cases)
    func abandonmentAndWait(_ c: ErlangACase) throws {
        let theory = try ErlangAQueue(arrivalRatePerSecond: c.lambda, meanServiceSeconds: 1,
                                      servers: c.servers, meanPatienceSeconds: c.meanPatience)
        let e = replicate(Self.spec(c, patience: true), seed: c.seed,
                          horizonSeconds: horizon(customers: c.customers, ratePerSecond: c.lambda),
                          figures: [.abandonmentRatio(), .meanWait()])
        expectCovers(e[0], theory.probabilityOfAbandonment, "\(c.testDescription): P(abandon)", maximumRelativeHalfWidth: Self.precision(c, theory))
        expectCovers(e[1], theory.meanWaitOfServedSeconds, "\(c.testDescription): wait of served", maximumRelativeHalfWidth: Self.precision(c, theory))
    }

    /// The negative control the issue asks for: a pool *without* reneging, run through the
    /// same check as the table's M/M/10+M case, must fail it. Nobody abandons (the interval is
    /// [0, 0]) and the served wait longer, so both Erlang-A values fall outside the intervals.
    /// If this test fails, the Erlang-A validation has no power to catch a kernel that ignores
    /// patience. (The station is stable without patience, rho = 0.9, so the control run has a
    /// steady state too; a short run suffices, the gap being ninefold.)
    @Test("negative control: the same station without patience falls outside the Erlang-A intervals")
    func withoutPatienceFailsErlangA() throws {
        let c = Self.cases.first { $0.servers == 10 }!
        let theory = try ErlangAQueue(arrivalRatePerSecond: c.lambda, meanServiceSeconds: 1,
                                      servers: c.servers, meanPatienceSeconds: c.meanPatience)
        let control = replicate(Self.spec(c, patience: false), seed: c.seed,
                                horizonSeconds: horizon(customers: 3_000, ratePerSecond: c.lambda),
                                figures: [.abandonmentRatio(), .meanWait()])
        #expect(control[0].mean == 0 && control[0].halfWidth == 0, "without patience nobody abandons")
        #expect(!control[0].contains(theory.probabilityOfAbandonment),
                "P(abandon) interval \(control[0].lower)...\(control[0].upper) must exclude Erlang-A's \(theory.probabilityOfAbandonment)")
        #expect(!control[1].contains(theory.meanWaitOfServedSeconds),
                "wait interval \(control[1].lower)...\(control[1].upper) must exclude Erlang-A's \(theory.meanWaitOfServedSeconds)")
    }
}

/// A constant acquire timeout runs through one deadline timer per station, other patience
/// through one event per waiter. Both must give up the same customers at the same instants.
@Suite("Constant patience: one deadline timer per station")
struct ConstantPatienceTests {
    @Test("a constant timeout abandons exactly the customers per-waiter timeout events would", arguments: [1, 20])
    func deadlineTimerMatchesPerWaiterEvents(servers: Int) {
        // Overloaded (rho = 1.2) so that many give up. uniform(3, 3) is the same constant 3 s,
        // but not `.constant`, so it takes the per-waiter path.
        let lambda = 1.2 * Double(servers)
        func run(_ patience: Distribution) -> QueueingNetworkResult {
            let spec = singleStation(servers: servers, arrivalRatePerSecond: lambda,
                                     service: .exponential(mean: 1), patience: patience)
            let simulation = QueueingNetworkSimulation(spec: spec, seed: 77)
            return simulation.run(horizonSeconds: 4_000 / lambda, warmupSeconds: 100 / lambda)
        }
        let timer = run(.constant(3)), perWaiter = run(.uniform(low: 3, high: 3))
        #expect(timer.stations[0].abandoned > 0)
        #expect(timer.stations[0].abandoned == perWaiter.stations[0].abandoned)
        #expect(timer.completedCustomers == perWaiter.completedCustomers)
        #expect(timer.stations[0].waitOfServed.mean == perWaiter.stations[0].waitOfServed.mean)
        #expect(timer.networkSojourn.meanSeconds == perWaiter.networkSojourn.meanSeconds)
        #expect(timer.stations[0].meanNumberWaiting == perWaiter.stations[0].meanNumberWaiting)
        #expect(timer.eventsProcessed < perWaiter.eventsProcessed)
    }
}
