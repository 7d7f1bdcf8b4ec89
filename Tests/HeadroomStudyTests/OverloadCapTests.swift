import Foundation
import HeadroomModel
import HeadroomKernel
import HeadroomSim
import Testing
@testable import HeadroomAnalysis
@testable import HeadroomCharts
@testable import HeadroomOutput
@testable import HeadroomStudy

/// Issue 13: an overloaded open model's memory stays bounded: past `OverloadCaps` waiting
/// requests are refused (counted as errors) and the report says so.
@Suite("Overload caps", .serialized)
struct OverloadCapTests {
    /// 10^6 requests/s on one worker serving 1,000/s: the backlog passes 100,000 within 0.1 s.
    static let overloaded = """
        name: overloaded
        simulation: {horizon: 300ms, warmup: 0s, replications: 1}
        workload: {open: {rate: 1000000/s}}
        instances: {count: 1, workers: 1}
        endpoints: {e: {steps: [{cpu: exp(1ms)}]}}
        """

    @Test("Requests in flight never pass the cap; the rest are refused as errors and the report warns")
    func overloadedOpenModelIsCapped() throws {
        let m = try model(OverloadCapTests.overloaded)
        let (report, timelines) = ReplicationStudy(model: m, workers: 1).runRecordingTimelines(intervalSeconds: 0.01)
        let peak = timelines.flatMap(\.samples).map(\.inFlight).max() ?? 0
        #expect(peak == OverloadCaps.requestsInFlightPerInstance)
        #expect(report.warnings.contains { $0.hasPrefix("overload beyond the memory caps:") }, "\(report.warnings)")
        // The refused requests are errors: about 300,000 arrivals, at most 100,000 + 300 ever admitted.
        let errors = try #require(report["endpoints", "e"]?["error_rate"]?.estimate.mean)
        #expect(errors > 0.6, "error rate \(errors)")
    }

    @Test("A stable model refuses nothing and carries no overload warning")
    func stableModelIsUntouched() throws {
        let m = try model(OverloadCapTests.overloaded.replacingOccurrences(of: "1000000/s", with: "500/s"))
        let result = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 0, horizonSeconds: 10)
        #expect(result.overloadRejections == 0)
    }

    @Test("A network station without a capacity holds at most the cap; arrivals past it are lost and reported")
    func networkStationIsCapped() throws {
        let m = try model("""
            name: overloaded station
            simulation: {horizon: 300ms, warmup: 0s, replications: 1}
            network:
              arrivals: {desk: 1000000/s}
              stations:
                desk: {servers: 1, service: exp(1ms)}
            """)
        let result = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 0, horizonSeconds: 0.3)
        #expect(result.overloadRejections > 100_000)
        let report = ReplicationStudy(model: m, workers: 1).run()
        #expect(report.warnings.contains { $0.hasPrefix("overload beyond the memory cap:") }, "\(report.warnings)")
    }
}

extension OverloadCapTests {
    @Test("A processor-sharing station without a capacity holds at most the cap; arrivals past it are lost and reported")
    func processorSharingStationIsCapped() throws {
        // 10^5 jobs/s on one core serving 1/s: the station passes 100,000 jobs within about a second.
        let m = try model("""
            name: overloaded ps station
            simulation: {horizon: 2s, warmup: 0s, replications: 1}
            network:
              arrivals: {cpu: 100000/s}
              stations:
                cpu: {servers: 1, service: exp(1s), discipline: ps}
            """)
        let result = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 0, horizonSeconds: 2)
        let cpu = try #require(result.network?.stations.first)
        // Present at the end = admitted - completed, never above the cap; the rest were lost.
        #expect(cpu.arrivals - cpu.blocked - cpu.completions <= OverloadCaps.customersPerStation)
        #expect(cpu.arrivals - cpu.blocked - cpu.completions >= OverloadCaps.customersPerStation - 10)
        #expect(result.overloadRejections == cpu.blocked && cpu.blocked > 50_000, "\(cpu.blocked) lost of \(cpu.arrivals)")
        let report = ReplicationStudy(model: m, workers: 1).run()
        #expect(report.warnings.contains { $0.hasPrefix("overload beyond the memory cap:") }, "\(report.warnings)")
    }
}

/// Issue 13's audit of Double -> Int conversions: each of these trapped on a huge value.
@Suite struct HugeValuesDoNotTrap {
    @Test func aLatencyThresholdBeyondTheHistogramCountsEverything() {
        var r = LatencyRecorder()
        r.record(seconds: 0.010)
        #expect(r.fractionAtOrBelow(seconds: 1e300) == 1)
        #expect(r.fractionAtOrBelow(seconds: -.infinity) == 0)
    }

    @Test func durationsBeyondAnIntAreFormattedNotConverted() {
        #expect(formatDuration(1e308) == "1e+308 s")
        #expect(formatDuration(.infinity) == "inf s")
    }

    @Test func aSweepRangeWithMoreValuesThanAnIntIsAnError() {
        #expect(throws: SweepError.self) { try SweepAxis.parse("pools.db.size=1...1e300:1") }
    }
}
