import Foundation
import HeadroomModel
import Testing
@testable import HeadroomAnalysis
@testable import HeadroomCharts
@testable import HeadroomOutput
@testable import HeadroomStudy

/// The work budget refuses only what would really take longer than it, for closed models of any
/// population too, and its refusal names a value `--budget` accepts (issue 19, item 4).
@Suite("Work budget")
struct WorkBudgetTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every model shipped with Headroom: the default, the examples and the seed reproductions.
    static var bundledModels: [String] {
        var paths = [root.appendingPathComponent("models/default.yaml").path]
        for dir in ["models/examples", "models/seeds"] {
            let url = root.appendingPathComponent(dir)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            paths += names.filter { $0.hasSuffix(".yaml") && !$0.contains(".claims.") }.sorted()
                .map { url.appendingPathComponent($0).path }
        }
        return paths
    }

    /// 64 pgbench-like clients back to back (no think time) through PgBouncer's 16 server
    /// connections on a 2-core database: a closed loop with more clients than connections.
    static let closedThroughPooler = """
        name: 64 clients through a pooler of 16
        simulation: {horizon: 2min, warmup: 10s, replications: 4}
        workload:
          closed: {users: 64, think_time: 0s}
          endpoint: tx
        poolers:
          pgbouncer: {server_connections: 16, max_client_connections: 400, query_wait_timeout: 120s, mode: transaction}
        pools:
          pgbench: {size: 64, scope: shared, acquire_timeout: none, via: pgbouncer}
        database: {cores: 2, max_connections: 60}
        endpoints:
          tx:
            steps:
              - query: {time: exp(5ms)}
        """

    @Test("Every bundled and seed model fits the default budget", arguments: bundledModels)
    func bundledModelFitsTheDefaultBudget(path: String) throws {
        let m = try ModelLoader.load(path: path).model
        let estimate = WorkEstimate(model: m, analysis: Analysis.analyze(m))
        #expect(estimate.operations.isFinite && estimate.operations <= WorkEstimate.budgetOperations, "\(path): \(estimate.summary)")
    }

    @Test("A closed loop of 64 clients through a pooler of 16 on 2 cores is estimated at the cores' throughput, within the default budget")
    func closedLoopThroughAPoolerFitsTheBudget() throws {
        let m = try model(Self.closedThroughPooler)
        let estimate = WorkEstimate(model: m, analysis: Analysis.analyze(m))
        // 2 cores / 5 ms = 400/s at most, whatever the population.
        #expect(estimate.requestsPerSecond <= 400 * (1 + 1e-9) && estimate.requestsPerSecond > 300, "\(estimate.summary)")
        #expect(estimate.operations <= WorkEstimate.budgetOperations)
    }

    /// 10,000 requests/s offered to one global token bucket of 100/s: 1 % get through and take the
    /// endpoint's 20 steps, the others are an arrival and a 429.
    @Test("Downstream of a rate limiter only the requests it lets through count their steps")
    func rateLimitedStepsCountTheCarriedLoad() throws {
        let steps = (0..<20).map { _ in "      - cpu: 1us" }.joined(separator: "\n")
        let m = try model("""
            name: limited
            simulation: {horizon: 1min, warmup: 10s, replications: 2}
            workload:
              open: {rate: 10000/s}
              endpoint: api
            instances: {count: 1, workers: 4}
            rate_limiters:
              gate: {algorithm: token_bucket, rate: 100/s, burst: 10, key: global, scope: global}
            endpoints:
              api:
                rate_limiters: [gate]
                steps:
            \(steps)
            """)
        let estimate = WorkEstimate(model: m, analysis: Analysis.analyze(m))
        #expect(abs(estimate.operationsPerRequest - (2 + 0.01 * 20)) < 1e-12, "\(estimate.summary)")
        #expect(estimate.requestsPerSecond == 10000)
    }

    @Test("A closed population MVA cannot solve is estimated from the asymptotic bound, not refused")
    func closedRateFallsBackToTheBound() throws {
        let m = try model(Self.closedThroughPooler)
        var a = Analysis.analyze(m)
        a.throughputPerSecond = .nan // what a failed solution leaves
        let estimate = WorkEstimate(model: m, analysis: a)
        #expect(estimate.requestsPerSecond == 400, "min(N / R0, c / D) = min(64 / 5 ms, 2 / 5 ms)")
        a.throughputPerSecond = nil
        #expect(WorkEstimate(model: m, analysis: a).requestsPerSecond == 400)
    }

    @Test("A refusal names a budget the option accepts: a number when the estimate is one, else only unlimited")
    func refusalSuggestsAnAcceptedValue() {
        #expect(WorkBudget.overrideHint(operations: 5760) == "pass --budget 5818 (or --budget unlimited)")
        #expect(WorkBudget.overrideHint(operations: .greatestFiniteMagnitude) == "pass --budget unlimited")
        #expect(WorkBudget.overrideHint(operations: .infinity) == "pass --budget unlimited")
        let text = WorkBudget.refusal("this run would simulate", operations: .greatestFiniteMagnitude, detail: "x", budget: nil) ?? ""
        #expect(!text.contains("--budget unbounded") && text.contains("--budget unlimited"), "\(text)")
    }
}
