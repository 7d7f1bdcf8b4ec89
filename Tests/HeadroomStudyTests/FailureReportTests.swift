import Foundation
import Testing
@testable import HeadroomCharts
@testable import HeadroomStudy

/// The report's `failures` section (issue 25, item 4): where every failed attempt failed, in the
/// table, JSON, CSV and HTML, and as an SLO.
@Suite("Failures in the report")
struct FailureReportTests {
    /// The minimal model: 30 requests/s on a pool of 5 connections held exp(200 ms)
    /// (offered 6 erlangs on 5), a 1 s client timeout that cancels the server's work.
    static let yaml = """
        simulation: {horizon: 2min, warmup: 20s, replications: 3, seed: 1}
        workload: {open: {rate: 30/s}, endpoint: api}
        instances: {count: 1, workers: 8}
        pools: {db: {size: 5}}
        database: {cores: 8, max_connections: 100}
        endpoints:
          api: {timeout: 1s, cancel_on_timeout: true, pool: db, steps: [{query: exp(200ms)}]}
        """

    @Test("a timeout in the pool's queue is reported as a timeout there, and the causes add up to the failures")
    func failuresSectionSaysWhere() throws {
        let report = ReplicationStudy(model: try model(Self.yaml)).run()
        let all = try #require(report["overall", "all"])
        #expect(all["error_rate"]?.estimate.mean == 0)
        let timeouts = try #require(all["timeout_rate"]?.estimate.mean)
        #expect(timeouts > 0.1)
        let failures = try #require(report.section("failures"))
        #expect(failures.items.map(\.name) == ["timeout_pool_wait", "timeout_database"])
        let shares = failures.items.compactMap { $0["attempt_share"]?.estimate.mean }
        #expect(abs(shares.reduce(0, +) - timeouts) < 1e-12)

        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.jsonText().utf8)) as? [String: Any])
        let items = try #require(object["failures"] as? [[String: Any]])
        #expect(items.compactMap { $0["name"] as? String } == ["timeout_pool_wait", "timeout_database"])
        #expect(report.csvText().contains("failures,timeout_pool_wait,attempt_share,"))
        #expect(report.tableText().contains("timeout_pool_wait"))
        let html = HTMLReport.run(report)
        #expect(html.contains("Failures by where they happened") && html.contains("timeout_pool_wait"))
    }

    @Test("an SLO on a cause reads the report's figure, and a cause that never happened as 0")
    func sloOnACause() throws {
        let m = try model(Self.yaml)
        let report = ReplicationStudy(model: m).run()
        let pool = try PlanSLO.parse("failure.timeout_pool_wait.attempt_share<1%", model: m)
        #expect(!pool.check(report).holds)
        let query = try PlanSLO.parse("failure.error_query.share<1%", model: m)
        let check = query.check(report)
        #expect(check.holds && check.estimate?.mean == 0)
        #expect(throws: SweepError.self) { try PlanSLO.parse("failure.timeout_pool.share<1%", model: m) }
    }
}
