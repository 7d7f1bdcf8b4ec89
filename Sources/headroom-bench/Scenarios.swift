import HeadroomKernel
import Queueing

/// One scenario of the peer benchmark (issue 6): the kernel's network, the warm-up every tool
/// deletes, and the closed form the simulated figures stand beside.
///
/// The SimPy, Ciw and salabim models in bench/peers/ read the same parameters from scenarios.py;
/// `headroom-bench theory` prints these, and bench/harness.py checks that the two agree.
struct BenchScenario {
    var name: String
    var summary: String
    /// The parameters, named as in bench/peers/scenarios.py.
    var parameters: [(String, Double)]
    var spec: QueueingNetworkSpec
    /// Statistics of every tool start after this much simulated time.
    var warmupSeconds: Double
    var theory: Theory

    struct Theory {
        var source: String
        /// Mean wait in queue of served customers (summed over stations for the tandem).
        var meanWaitSeconds: Double
        var meanSojournSeconds: Double
        var gaveUpFraction: Double
        /// Other reference figures worth printing beside the simulated ones.
        var extra: [(String, Double)] = []
    }

    /// How a finished run reads: per-customer figures the peers compute the same way.
    func summarize(_ r: QueueingNetworkResult) -> (customers: Int, meanWait: Double, meanSojourn: Double, gaveUp: Double) {
        let abandoned = r.stations.reduce(0) { $0 + $1.abandoned }
        let customers = r.completedCustomers + abandoned
        let wait = r.stations.reduce(0.0) { $0 + $1.waitOfServed.mean }
        return (customers, wait, r.networkSojourn.meanSeconds,
                customers > 0 ? Double(abandoned) / Double(customers) : 0)
    }
}

/// Throws only if a parameter below is made invalid; the closed forms are checked by Queueing.
func benchScenarios() throws -> [BenchScenario] {
    var all: [BenchScenario] = []

    // M/M/1 at rho = 0.9: the kernel's headline events-per-second figure (issue 2); not in the
    // peer comparison (bench/peers/ has no M/M/1), so `bench/run.sh` skips it.
    do {
        let lambda = 1.0, s = 0.9
        let q = try MMcQueue(arrivalRatePerSecond: lambda, meanServiceSeconds: s, servers: 1)
        all.append(BenchScenario(
            name: "mm1", summary: "M/M/1, rho = 0.9",
            parameters: [("arrival_rate", lambda), ("servers", 1), ("mean_service", s)],
            spec: QueueingNetworkSpec(
                stations: [.init(name: "q", service: .exponential(mean: s))],
                openSources: [.init(station: 0, interarrival: .exponential(mean: 1 / lambda))]),
            warmupSeconds: 1_000,
            theory: .init(source: "M/M/1", meanWaitSeconds: q.meanWaitSeconds,
                          meanSojournSeconds: q.meanResponseSeconds, gaveUpFraction: 0)))
    }

    // M/M/10 at rho = 0.9.
    do {
        let lambda = 1.0, c = 10, s = 9.0
        let q = try MMcQueue(arrivalRatePerSecond: lambda, meanServiceSeconds: s, servers: c)
        all.append(BenchScenario(
            name: "mm10", summary: "M/M/10, rho = 0.9",
            parameters: [("arrival_rate", lambda), ("servers", Double(c)), ("mean_service", s)],
            spec: QueueingNetworkSpec(
                stations: [.init(name: "servers", servers: c, service: .exponential(mean: s))],
                openSources: [.init(station: 0, interarrival: .exponential(mean: 1 / lambda))]),
            warmupSeconds: 1_000,
            theory: .init(source: "M/M/c (Erlang C)", meanWaitSeconds: q.meanWaitSeconds,
                          meanSojournSeconds: q.meanResponseSeconds, gaveUpFraction: 0)))
    }

    // Three M/M/1 in tandem at rho = 0.8.
    do {
        let lambda = 1.0, s = 0.8, k = 3
        let jackson = try JacksonNetwork(
            stations: (0..<k).map { JacksonStation(name: "s\($0)", meanServiceSeconds: s,
                                                    externalArrivalRatePerSecond: $0 == 0 ? lambda : 0) },
            routingProbabilities: (0..<k).map { i in (0..<k).map { j in j == i + 1 ? 1.0 : 0.0 } })
        all.append(BenchScenario(
            name: "tandem", summary: "3 x M/M/1 in tandem, rho = 0.8",
            parameters: [("arrival_rate", lambda), ("stations", Double(k)), ("mean_service", s)],
            spec: QueueingNetworkSpec(
                stations: (0..<k).map { i in
                    .init(name: "s\(i)", service: .exponential(mean: s), routes: i + 1 < k ? [(i + 1, 1)] : [])
                },
                openSources: [.init(station: 0, interarrival: .exponential(mean: 1 / lambda))]),
            warmupSeconds: 1_000,
            theory: .init(source: "Jackson network",
                          meanWaitSeconds: jackson.stations.reduce(0) { $0 + $1.meanWaitSeconds },
                          meanSojournSeconds: jackson.meanSojournSeconds, gaveUpFraction: 0)))
    }

    // A pool of 20 connections, 10 s acquire timeout, rho = 1.1.
    do {
        let lambda = 22.0, c = 20, s = 1.0, patience = 10.0
        let d = try MMcDQueue(arrivalRatePerSecond: lambda, meanServiceSeconds: s, servers: c, patienceSeconds: patience)
        let erlangA = try ErlangAQueue(arrivalRatePerSecond: lambda, serviceRatePerSecond: 1 / s, servers: c,
                                       abandonmentRatePerWaitingRequest: 1 / patience)
        all.append(BenchScenario(
            name: "pool", summary: "pool of 20, 10 s acquire timeout, rho = 1.1",
            parameters: [("arrival_rate", lambda), ("servers", Double(c)), ("mean_service", s),
                         ("patience", patience)],
            spec: QueueingNetworkSpec(
                stations: [.init(name: "pool", servers: c, service: .exponential(mean: s),
                                 patience: .constant(patience))],
                openSources: [.init(station: 0, interarrival: .exponential(mean: 1 / lambda))]),
            warmupSeconds: 200,
            theory: .init(source: "M/M/c+D (deterministic patience)",
                          meanWaitSeconds: d.meanWaitOfServedSeconds,
                          meanSojournSeconds: d.meanWaitOfServedSeconds + s,
                          gaveUpFraction: d.probabilityOfAbandonment,
                          extra: [("erlang_a_exponential_patience_gave_up", erlangA.probabilityOfAbandonment),
                                  ("erlang_a_exponential_patience_wait_of_served", erlangA.meanWaitOfServedSeconds)])))
    }

    // Seed 002, simplified: 300 users, think exp(2 s), 10 connections held uniform(30, 80) ms,
    // 10 s acquire timeout.
    do {
        let users = 300, think = 2.0, c = 10, low = 0.030, high = 0.080, patience = 10.0
        let hold = (low + high) / 2
        let network = try ClosedNetwork(
            stations: [ClosedStation(name: "pool", kind: .multiServer(servers: c), serviceDemandSeconds: hold)],
            thinkTimeSeconds: think)
        let mva = try network.exactMVA(maximumPopulation: users).last!
        all.append(BenchScenario(
            name: "seed", summary: "seed 002: 300 users, pool of 10, holds U(30,80) ms",
            parameters: [("users", Double(users)), ("mean_think", think), ("servers", Double(c)),
                         ("hold_low", low), ("hold_high", high), ("patience", patience)],
            spec: QueueingNetworkSpec(
                stations: [.init(name: "pool", servers: c, service: .uniform(low: low, high: high),
                                 patience: .constant(patience))],
                closedPopulation: .init(customers: users, thinkTime: .exponential(mean: think))),
            warmupSeconds: 20,
            theory: .init(source: "exact MVA (assumes exponential holds; these are uniform)",
                          meanWaitSeconds: mva.responseTimeSeconds - hold,
                          meanSojournSeconds: mva.responseTimeSeconds, gaveUpFraction: 0,
                          extra: [("mva_throughput_per_second", mva.throughputPerSecond),
                                  ("mva_pool_utilization", mva.utilizations[0])])))
    }
    return all
}
