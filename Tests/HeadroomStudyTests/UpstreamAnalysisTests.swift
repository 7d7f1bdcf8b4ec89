import Foundation
import HeadroomModel
import Queueing
import Testing
@testable import HeadroomAnalysis
@testable import HeadroomOutput
@testable import HeadroomStudy

/// The analytic side of an HTTP upstream (a station of its servers, each instance's client pool
/// solved like a database pool) against closed forms, and its place in the report.
@Suite("HTTP upstreams: analysis and report")
struct UpstreamAnalysisTests {
    @Test("a client pool of one in front of an upstream that never queues is M/M/1")
    func poolOfOneIsMM1() throws {
        // 6 calls/s of exp(100ms) through one connection; 50 servers leave the upstream's wait at
        // ~1e-40 s, so the hold is the service time and the pool an M/M/1: Wq = 0.6 / (10 - 6).
        let a = Analysis.analyze(try model("""
            workload: {open: {rate: 6/s}, mix: {pay: 1}}
            upstreams: {payments: {servers: 50, time: exp(100ms), connections: 1}}
            endpoints:
              pay: {steps: [{http: payments}]}
            """))
        let pool = try #require(a.pools.first { $0.kind == "upstream" && $0.name == "payments" })
        #expect(abs(pool.meanWaitSeconds! - 0.15) < 1e-12)
        #expect(abs(pool.utilization - 0.6) < 1e-12)
        let station = try #require(a.resource("upstream.payments"))
        #expect(abs(station.utilization! - 6 * 0.1 / 50) < 1e-12)
        // Not a database pool: `pool(_:)` does not return it.
        #expect(a.pool("payments") == nil)
    }

    @Test("a client pool's hold is the wire plus the upstream's Erlang C wait plus its time")
    func holdIncludesTheUpstreamsErlangCWait() throws {
        let a = Analysis.analyze(try model("""
            workload: {open: {rate: 40/s}, mix: {pay: 1}}
            instances: {count: 2}
            upstreams: {payments: {servers: 5, time: exp(100ms), round_trip: const(4ms), connections: 20}}
            endpoints:
              pay: {steps: [{http: payments}]}
            """))
        let wait = try MMcQueue(arrivalRatePerSecond: 40, meanServiceSeconds: 0.1, servers: 5).meanWaitSeconds
        let pool = try #require(a.pools.first { $0.kind == "upstream" })
        #expect(abs(pool.meanHoldSeconds - (0.004 + wait + 0.1)) < 1e-12)
        #expect(pool.copies == 2 && pool.connectionsPerCopy == 20)
        let perCopy = try MMcQueue(arrivalRatePerSecond: 20, meanServiceSeconds: 0.004 + wait + 0.1, servers: 20)
        #expect(abs(pool.meanWaitSeconds! - perCopy.meanWaitSeconds) < 1e-12)
    }

    @Test("the report has an upstreams section only for a model with an upstream, its figures catalogued")
    func reportSection() throws {
        let withUpstream = try model("""
            simulation: {horizon: 20s, warmup: 2s, replications: 2, seed: 3}
            workload: {open: {rate: 20/s}, mix: {pay: 1}}
            upstreams: {payments: {servers: 4, time: exp(50ms), connections: 2, acquire_timeout: 1s}}
            endpoints:
              pay: {steps: [{http: payments}]}
            """)
        let report = ReplicationStudy(model: withUpstream).run()
        let item = try #require(report["upstreams", "payments"])
        let keys = MetricCatalog.specs(.upstreams).map(\.key)
        #expect(item.figures.map(\.metric) == keys)
        // The analytic utilization of the upstream: 20/s x 50 ms / 4 servers.
        #expect(abs((item["server_utilization"]?.analytic ?? 0) - 0.25) < 1e-12)

        let without = try model("""
            simulation: {horizon: 20s, warmup: 2s, replications: 2, seed: 3}
            workload: {open: {rate: 20/s}, mix: {q: 1}}
            endpoints:
              q: {steps: [{cpu: exp(1ms)}]}
            """)
        #expect(!ReplicationStudy(model: without).run().sections.contains { $0.name == "upstreams" })
    }
}
