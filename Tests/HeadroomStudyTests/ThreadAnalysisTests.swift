import Foundation
import HeadroomModel
import HeadroomSim
import Queueing
import Testing
@testable import HeadroomAnalysis
@testable import HeadroomOutput
@testable import HeadroomStudy

/// The analytic side of request threads (`instances.threads`) against closed forms and the
/// simulation, and their place in the report and the catalog.
@Suite("Request threads: analysis and report")
struct ThreadAnalysisTests {
    static let mmck = """
        simulation: {seed: 21, horizon: 300s, warmup: 20s, replications: 3}
        workload: {open: {rate: 40/s}, mix: {work: 1}}
        instances: {count: 2, balancer: random, threads: {max: 2, accept_queue: 2}}
        endpoints:
          work: {steps: [{sleep: exp(100ms)}]}
        """

    @Test("one exponential step on the threads: the analysis is M/M/c/K per instance, exactly")
    func exponentialStepIsMMcKPerInstance() throws {
        // 40/s over 2 instances: 20/s each on 2 threads of exp(100ms) with 2 waiting: M/M/2/4.
        // The balancer is random, so each instance's arrivals are Poisson (round robin's are
        // Erlang-2, more regular: it refuses 18.6 % where M/M/2/4 gives 22.2 %).
        let a = Analysis.analyze(try model(Self.mmck))
        let t = try #require(a.threads)
        let q = try MMcKQueue(arrivalRatePerSecond: 20, meanServiceSeconds: 0.1, servers: 2, capacity: 4)
        #expect(t.method == "M/M/c/K")
        #expect(abs(t.meanHoldSeconds - 0.1) < 1e-12)
        #expect(abs(t.blockingProbability! - q.blockingProbability) < 1e-12)
        #expect(abs(t.meanAcceptQueueWaitSeconds! - q.meanWaitSeconds) < 1e-12)
        #expect(abs(t.meanInAcceptQueue! - 2 * q.meanQueueLength) < 1e-12)
        #expect(abs(a.resource("threads.instances")!.utilization! - q.utilization) < 1e-12)
    }

    @Test("the report has a threads section, refusals per endpoint, and the analytic P_K beside them")
    func reportShowsThreadsAndRefusals() throws {
        let report = ReplicationStudy(model: try model(Self.mmck)).run()
        let section = try #require(report.sections.first { $0.name == "threads" })
        let item = try #require(section.items.first)
        let refused = try #require(item.figures.first { $0.metric == "rejected_rate" })
        let q = try MMcKQueue(arrivalRatePerSecond: 20, meanServiceSeconds: 0.1, servers: 2, capacity: 4)
        #expect(refused.analytic == q.blockingProbability)
        #expect(item.figures.first { $0.metric == "mean_waiting" }?.analytic == 2 * q.meanQueueLength)
        #expect(item.figures.first { $0.metric == "mean_wait_seconds" }?.analytic == q.meanWaitSeconds)
        // 3 x 280 s at 40/s: the 95% interval holds P_K (0.0952...).
        #expect(refused.estimate.lower <= q.blockingProbability && q.blockingProbability <= refused.estimate.upper,
                "refused \(refused.estimate) vs P_K \(q.blockingProbability)")
        let endpoint = try #require(report.sections.first { $0.name == "endpoints" }?.items.first)
        #expect(endpoint.figures.contains { $0.metric == "rejected_rate" })
        // The figure is an SLO and a sweep column.
        #expect(MetricCatalog.spec(.threads, .rejectedRate)?.sweepColumn == true)
        #expect(MetricCatalog.spec(.threads, .utilization)?.resourceKind == "threads")
    }

    @Test("behind an overloaded pool the analysis gives only the bound 1 - X/lambda, and the simulation's loss respects it")
    func overloadedPoolBehindThreadsIsABound() throws {
        // One instance, 4 threads, no accept queue; a pool of 1 connection held 100 ms (X = 10/s)
        // at 20/s: at least half the requests must fail or be refused.
        let m = try model("""
            simulation: {seed: 22}
            workload: {open: {rate: 20/s}, mix: {read: 1}}
            instances: {count: 1, threads: {max: 4, accept_queue: 0}}
            pools: {db: {size: 1, acquire_timeout: 30s}}
            database: {cores: 16}
            endpoints:
              read: {steps: [{query: {pool: db, time: const(100ms)}}]}
            """)
        let a = Analysis.analyze(m)
        let t = try #require(a.threads)
        #expect(t.method == "bound")
        #expect(t.behind == "pool.db")
        #expect(abs(t.lossLowerBound! - 0.5) < 1e-9)
        #expect(a.warnings.contains { $0.contains("threads run out behind `pool.db`") })
        let r = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 20, horizonSeconds: 620)
        let e = r.endpoints[0]
        let loss = Double(e.rejected + e.errors + e.timeouts) / Double(e.attempts)
        #expect(loss >= 0.5 - 0.01, "loss \(loss) below the bound 0.5")
        // The threads, not the 30 s acquire timeout, bound the pool's queue: no waiter gives up.
        #expect(r.pools[0].acquireTimeouts == 0)
    }
}
