import Foundation
import HeadroomKernel
import HeadroomModel
import HeadroomSim
import Testing
@testable import HeadroomAnalysis
@testable import HeadroomCharts
@testable import HeadroomOutput
@testable import HeadroomStudy

/// `run --slo` and `--slo-window`: SLOs as gates, checked at the unfavourable confidence bound.
@Suite("SLO gates")
struct SLOGateTests {
    static let webYAML = twoTierYAML(cpu: "exp(2ms)", query: "exp(5ms)")

    static func report(p95: Estimate, warmup: Double = 60, horizon: Double = 300) -> StudyReport {
        let overall = ReportItem(name: "all", figures: [Figure(metric: "p95_seconds", estimate: p95)])
        let settings = StudySettings(horizonSeconds: horizon, warmupSeconds: warmup, warmupMethod: .fixed, replications: 3,
                                     seed: 1, confidenceLevel: 0.95, targetRelativeError: nil, maxReplications: 3,
                                     precisionReached: nil)
        return StudyReport(modelName: "m", sourcePath: "m.yaml", settings: settings,
                           sections: [ReportSection(name: "overall", items: [overall])], warnings: [], notes: [], eventsProcessed: 0)
    }

    @Test("a whole-run SLO holds only if the unfavourable bound of the interval meets it")
    func checkedAtTheConfidenceBound() throws {
        let m = try model(Self.webYAML)
        let slo = try PlanSLO.parse("p95<250ms", model: m)
        // Mean 240 ms is below 250 ms, but the upper bound 260 ms is not: the gate fails.
        let tight = SLOGate.verdicts([slo], report: Self.report(p95: Estimate(mean: 0.24, halfWidth: 0.02, samples: 3)))
        #expect(!tight[0].holds)
        #expect(tight[0].check.bound == 0.26)
        let clear = SLOGate.verdicts([slo], report: Self.report(p95: Estimate(mean: 0.2, halfWidth: 0.02, samples: 3)))
        #expect(clear[0].holds)
    }

    /// Three replications, 1-minute windows over 5 minutes, 1 minute of warm-up. The warm-up
    /// window is terrible and must not count; the window from 3 min breaches in every replication
    /// while the others are fine, so a pooled p95 would pass and the windowed gate must not.
    @Test("a windowed SLO fails on its worst window after the warm-up, and names it")
    func worstWindowCounts() throws {
        let m = try model(Self.webYAML)
        let slos = try ["p95<250ms", "errors<1%"].map { try PlanSLO.parse($0, model: m) }
        func sample(_ start: Double, p95: Double, errors: Int = 0) -> TimelineSample {
            TimelineSample(startSeconds: start, arrivals: 1000, completions: 1000 - errors, inFlight: 3, poolWaiting: 0,
                           connectionsInUse: 2, timeouts: 0, errors: errors, p95Seconds: p95)
        }
        let timelines = (0..<3).map { r in
            ReplicationTimeline(replication: r, samples: [
                sample(0, p95: 9.0, errors: 900),                  // warm-up: ignored
                sample(60, p95: 0.100 + 0.001 * Double(r)),
                sample(120, p95: 0.110 + 0.002 * Double(r)),
                sample(180, p95: 0.500 + 0.010 * Double(r)),       // the breach
                sample(240, p95: 0.120 + 0.001 * Double(r)),
            ])
        }
        let verdicts = SLOGate.windowedVerdicts(slos, timelines: timelines, windowSeconds: 60,
                                                report: Self.report(p95: Estimate(mean: 0.2, halfWidth: 0.01, samples: 3)))
        #expect(!verdicts[0].holds)
        #expect(verdicts[0].window?.worstStartSeconds == 180)
        #expect(verdicts[0].window?.windows == 4)
        #expect(verdicts[0].window?.failingWindows == 1)
        #expect(abs((verdicts[0].check.estimate?.mean ?? 0) - 0.51) < 1e-12)
        // Errors only in the warm-up: the gate holds.
        #expect(verdicts[1].holds)
        #expect(verdicts[1].window?.failingWindows == 0)
    }

    @Test("windows apply to the timeline's figures of all endpoints together")
    func windowedFiguresAreLimited() throws {
        let m = try model(Self.webYAML)
        #expect(throws: SweepError.self) { try SLOGate.requireWindowable([try PlanSLO.parse("pools.main.wait<10ms", model: m)]) }
        try SLOGate.requireWindowable(try ["p95<1s", "timeouts<1%", "errors<1%", "throughput>=10/s"].map { try PlanSLO.parse($0, model: m) })
    }
}
