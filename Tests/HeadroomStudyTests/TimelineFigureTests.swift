import Foundation
import HeadroomKernel
import HeadroomModel
import HeadroomSim
import Testing
@testable import HeadroomOutput
@testable import HeadroomStudy

/// The timeline's figures (issue 22, item 7): percentiles, failures by kind and each resource's
/// utilization per interval; empty intervals as no value; SLO windows on any percentile.
@Suite("Timeline figures")
struct TimelineFigureTests {
    static let threadsYAML = """
        simulation: {seed: 31}
        workload: {open: {rate: 40/s}, mix: {work: 1}}
        instances: {count: 1, threads: {max: 4, accept_queue: 3}}
        pools: {db: {size: 2}}
        database: {cores: 16}
        endpoints:
          work:
            steps:
              - sleep: exp(50ms)
              - query: {pool: db, time: exp(20ms)}
        """

    @Test("interval utilizations average to the run's: the threads', the pool's and the database's")
    func intervalUtilizationsAverageToTheRunsFigure() throws {
        let m = try model(Self.threadsYAML)
        #expect(TimelineResources.names(m) == ["workers", "threads", "pool.db", "database.primary"])
        // Warm-up 10 s on 5 s intervals: the intervals after it cover exactly the observed window,
        // so their mean is the run's time average (up to rounding).
        let r = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 10, horizonSeconds: 210, timelineIntervalSeconds: 5)
        let after = r.timeline.filter { $0.startSeconds >= 10 }
        #expect(after.count == 40)
        func mean(_ i: Int) -> Double { after.reduce(0) { $0 + $1.utilizations[i] } / Double(after.count) }
        #expect(abs(mean(1) - r.threads!.utilization) < 1e-9, "threads \(mean(1)) vs \(r.threads!.utilization)")
        #expect(abs(mean(2) - r.pools[0].utilization) < 1e-9, "pool \(mean(2)) vs \(r.pools[0].utilization)")
        #expect(abs(mean(3) - r.database!.nodes[0].utilization) < 1e-9)
        // Refusals by interval add up to the run's, and are not errors.
        #expect(after.reduce(0) { $0 + $1.rejected } == r.endpoints[0].rejected)
        #expect(r.endpoints[0].rejected > 0)
        #expect(after.reduce(0) { $0 + $1.errors } == r.endpoints[0].errors)
    }

    @Test("the warm-up's restart inside an interval does not change that interval's utilization")
    func warmupInsideAnIntervalKeepsItsUtilization() throws {
        // The warm-up at 12 s restarts the integrals mid-interval (10-15 s); the interval still
        // reports its whole busy time: the same samples as a run without a warm-up.
        let m = try model(Self.threadsYAML)
        let with = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 12, horizonSeconds: 40, timelineIntervalSeconds: 5)
        let without = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 0, horizonSeconds: 40, timelineIntervalSeconds: 5)
        #expect(with.timeline.count == without.timeline.count)
        for (a, b) in zip(with.timeline, without.timeline) {
            #expect(a.arrivals == b.arrivals)
            for i in a.utilizations.indices { #expect(abs(a.utilizations[i] - b.utilizations[i]) < 1e-9, "\(a.startSeconds): \(a.utilizations) vs \(b.utilizations)") }
        }
    }

    @Test("an interval with no response has no percentile: empty in CSV, null in JSON, no value for an SLO window")
    func emptyIntervalsHaveNoPercentile() throws {
        var empty = TimelineSample(startSeconds: 0, arrivals: 0, completions: 0, inFlight: 0, poolWaiting: 0,
                                   connectionsInUse: 0, timeouts: 0, errors: 0, p95Seconds: 0)
        empty.utilizations = [0]
        var full = TimelineSample(startSeconds: 1, arrivals: 3, completions: 3, inFlight: 0, poolWaiting: 0,
                                  connectionsInUse: 0, timeouts: 0, errors: 0, p95Seconds: 0.02)
        full.p50Seconds = 0.01; full.p99Seconds = 0.03; full.latencyCount = 3; full.utilizations = [0.5]
        let timelines = [ReplicationTimeline(replication: 0, samples: [empty, full])]
        let rows = TimelineExport.csv(timelines, intervalSeconds: 1).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(rows[1] == "0,0,1,0,0,0,0,0,0,0,,,,0,0,0")
        #expect(rows[2] == "0,1,2,3,3,0,0,0,0,0,0.02,0.01,0.03,0,0,0.5")
        let report = ReplicationStudy(model: try model(Self.threadsYAML, overrides: ["simulation.horizon": "2s", "simulation.warmup": "0s", "simulation.replications": "1"])).run()
        let json = TimelineExport.json(timelines, intervalSeconds: 1, report: report)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let samples = try #require(((object["replications"] as? [[String: Any]])?.first?["samples"]) as? [[Any]])
        #expect(samples[0][9] is NSNull && samples[0][10] is NSNull && samples[0][11] is NSNull)
        #expect(samples[1][9] as? Double == 0.02)
        #expect(SLOGate.value(Metric.p99Seconds.key, empty, 1) == nil)
        #expect(SLOGate.value(Metric.p99Seconds.key, full, 1) == 0.03)
        #expect(SLOGate.value(Metric.p50Seconds.key, full, 1) == 0.01)
    }

    @Test("SLO windows accept p50, p99, rejected and rate_limited, and refuse a per-endpoint figure")
    func windowsOnAnyPercentile() throws {
        let m = try model(Self.threadsYAML)
        for text in ["p50<1s", "p99<1s", "rejected<1%", "rate_limited<1%"] {
            #expect(throws: Never.self) { try SLOGate.requireWindowable([try PlanSLO.parse(text, model: m)]) }
        }
        #expect(throws: SweepError.self) { try SLOGate.requireWindowable([try PlanSLO.parse("work.p99<1s", model: m)]) }
    }

    @Test("--slo-window and --timeline of different lengths: windows of one, a file of the other")
    func windowIndependentOfTimelineInterval() throws {
        let file = try CLI.temporaryFile("timeline.csv", "")
        try FileManager.default.removeItem(atPath: file)
        let r = try CLI.run(["run", "models/examples/phases.yaml", "--replications", "2", "--horizon", "60s", "--warmup", "10s",
                             "--slo", "p99<10s", "--slo-window", "20s", "--timeline", "5s", "--timeline-output", file])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("worst 20 s window"), "\(r.stdout)")
        let rows = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        // 12 intervals of 5 s per replication, 2 replications, and the header.
        #expect(rows.count == 25)
        #expect(rows[2].hasPrefix("0,5,10,"))
    }

    @Test("--timeline-by-endpoint: each endpoint's series adds up to the interval's, and is off by default")
    func perEndpointSeriesAddUp() throws {
        var m = try model("""
            simulation: {seed: 32}
            workload: {open: {rate: 60/s}, mix: {fast: 0.7, slow: 0.3}}
            instances: {count: 1, threads: {max: 3, accept_queue: 2}}
            endpoints:
              fast: {steps: [{sleep: exp(10ms)}]}
              slow: {steps: [{sleep: exp(150ms)}]}
            """)
        let plain = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 0, horizonSeconds: 20, timelineIntervalSeconds: 5)
        #expect(plain.timeline.allSatisfy { $0.endpoints.isEmpty })
        m.simulation.timelineByEndpoint = true
        let r = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 0, horizonSeconds: 20, timelineIntervalSeconds: 5)
        #expect(r.timeline.count == 4)
        for s in r.timeline {
            #expect(s.endpoints.count == 2)
            #expect(s.endpoints.reduce(0) { $0 + $1.arrivals } == s.arrivals)
            #expect(s.endpoints.reduce(0) { $0 + $1.completions } == s.completions)
            #expect(s.endpoints.reduce(0) { $0 + $1.rejected } == s.rejected)
            #expect(s.endpoints.reduce(0) { $0 + $1.latencyCount } == s.latencyCount)
            // The same intervals as without the series: recording them changes nothing else.
        }
        #expect(r.timeline.map(\.arrivals) == plain.timeline.map(\.arrivals))
        #expect(r.timeline.map(\.p95Seconds) == plain.timeline.map(\.p95Seconds))
        // The slow endpoint's p95 is the longer one, in every interval.
        #expect(r.timeline.allSatisfy { $0.endpoints[1].p95Seconds > $0.endpoints[0].p95Seconds })
        let header = TimelineExport.csv([ReplicationTimeline(replication: 0, samples: r.timeline)], intervalSeconds: 5, model: m)
            .split(separator: "\n")[0]
        #expect(header.hasSuffix("endpoint.fast.arrivals,endpoint.fast.completions,endpoint.fast.timeouts,endpoint.fast.errors,endpoint.fast.rejected,endpoint.fast.rate_limited,endpoint.fast.p50_seconds,endpoint.fast.p95_seconds,endpoint.fast.p99_seconds,endpoint.slow.arrivals,endpoint.slow.completions,endpoint.slow.timeouts,endpoint.slow.errors,endpoint.slow.rejected,endpoint.slow.rate_limited,endpoint.slow.p50_seconds,endpoint.slow.p95_seconds,endpoint.slow.p99_seconds"))
    }
}
