import Foundation
import Testing
import HeadroomModel
@testable import HeadroomCalibration

/// Reading k6 summaries and Artillery reports: the measured figures in seconds and per second, and
/// the offered load as the model's phases.
@Suite struct LoadTestResults {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func measurement(_ name: String) -> String { repository.appendingPathComponent("models/measurements/\(name)").path }

    func write(_ text: String, _ ext: String = "json") -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lt-\(UUID().uuidString).\(ext)").path
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func k6HandleSummaryDataWithEmbeddedOptions() throws {
        let r = try LoadTestReader.read(path: Self.measurement("k6-summary.json"))
        #expect(r.tool == .k6)
        #expect(r.requests == 4194)
        #expect(r.throughputPerSecond == 34.95)
        #expect(r.errorShare == 0.0007)
        #expect(r.latencySeconds["p95"] == 0.0714)
        #expect(r.latencySeconds["mean"] == 0.0319)
        #expect(r.profile == .open([Phase(durationSeconds: 30, ratePerSecond: 10, rampToPerSecond: 40),
                                    Phase(durationSeconds: 90, ratePerSecond: 40)]))
    }

    @Test func k6SummaryExportPutsFieldsOnTheMetric() throws {
        let path = write("""
            {"metrics": {"http_reqs": {"count": 600, "rate": 10.0},
                         "http_req_duration": {"avg": 12.5, "med": 10, "p(90)": 20, "p(95)": 25, "max": 90},
                         "http_req_failed": {"passes": 6, "fails": 594, "value": 0.01},
                         "vus_max": {"value": 20, "min": 20, "max": 20}},
             "options": {"vus": 20, "duration": "1m"}}
            """)
        let r = try LoadTestReader.read(path: path)
        #expect(r.latencySeconds["mean"] == 0.0125 && r.latencySeconds["p50"] == 0.01)
        #expect(r.errorShare == 0.01)
        #expect(r.maxVirtualUsers == 20)
        #expect(r.profile == .closed(users: 20, durationSeconds: 60))
    }

    @Test func k6RampingVUStagesReplayTheirPlateau() throws {
        let p = try LoadTestReader.k6Profile(["stages": [["duration": "30s", "target": 50], ["duration": "5m", "target": 50], ["duration": "30s", "target": 0]]],
                                             path: "x", where: "options")
        #expect(p == .closed(users: 50, durationSeconds: 360))
    }

    @Test func k6DurationsAreGoDurations() throws {
        #expect(try LoadTestReader.k6Duration("1m30s", path: "x", key: "d") == 90)
        #expect(try LoadTestReader.k6Duration("1h", path: "x", key: "d") == 3600)
        #expect(try LoadTestReader.k6Duration("250ms", path: "x", key: "d") == 0.25)
        #expect(throws: CalibrationInputError.self) { try LoadTestReader.k6Duration("5 minutes", path: "x", key: "d") }
    }

    @Test func artilleryReportAndScriptPhases() throws {
        let r = try LoadTestReader.read(path: Self.measurement("artillery-report.json"))
        #expect(r.tool == .artillery)
        #expect(r.durationSeconds == 120)
        #expect(abs(r.throughputPerSecond! - 4196.0 / 120) < 1e-12)
        #expect(abs(r.errorShare! - 4.0 / 4200) < 1e-12)
        #expect(abs(r.latencySeconds["p99"]! - 0.1282) < 1e-15)
        let p = try LoadTestReader.profile(path: Self.measurement("artillery-test.yml"))
        #expect(p == .open([Phase(durationSeconds: 30, ratePerSecond: 10, rampToPerSecond: 40), Phase(durationSeconds: 90, ratePerSecond: 40)]))
    }

    @Test func artilleryArrivalCountAndPause() throws {
        let path = write("config:\n  phases:\n    - {duration: 60, arrivalCount: 30}\n    - {pause: 10}\n", "yml")
        #expect(try LoadTestReader.profile(path: path) == .open([Phase(durationSeconds: 60, ratePerSecond: 0.5), Phase(durationSeconds: 10, ratePerSecond: 0)]))
    }

    @Test func anArtilleryPhaseWithoutARateNamesItsLine() {
        let path = write("config:\n  phases:\n    - duration: 60\n      name: warm\n", "yml")
        do { _ = try LoadTestReader.profile(path: path); Issue.record("accepted") } catch {
            #expect(error.message.contains(":3:7: config.phases[0] needs `arrivalRate`"))
        }
    }

    @Test func malformedJSONSaysWhere() {
        let path = write("{\n \"metrics\": {\n  \"http_reqs\": {\"count\": 3 \"rate\": 1}}}")
        do { _ = try LoadTestReader.read(path: path); Issue.record("accepted") } catch {
            // Foundation points at a character near the fault; it becomes line 3.
            #expect(error.message.hasPrefix("\(path):3:"))
            #expect(error.message.contains(": not JSON ("))
        }
    }

    @Test func aSummaryWithoutRequestsIsRefused() {
        let path = write("{\"metrics\": {\"iterations\": {\"count\": 3}}}")
        do { _ = try LoadTestReader.read(path: path); Issue.record("accepted") } catch {
            #expect(error.message.contains("metrics.http_reqs.count is missing"))
        }
    }

    @Test func theFragmentIsAValidWorkload() throws {
        let r = try LoadTestReader.read(path: Self.measurement("k6-summary.json"))
        let yaml = LoadTestFragment.rendered(result: r, profile: r.profile) + "endpoints: {e: {steps: [{cpu: 1ms}]}}\n"
        let m = try ModelLoader.load(yaml: yaml, fileName: "f.yaml").model
        #expect(m.simulation.horizonSeconds == 120)
        guard case let .open(.phases(phases), _)? = m.workload?.arrivals else { Issue.record("not phases"); return }
        #expect(phases.count == 2 && phases[0].rampToPerSecond == 40)
    }

    @Test func aPgbenchLogIsAResultWithLatencyFromItsTimeField() throws {
        // Three transactions ending at 100.010, 100.030 and 100.050 s; one failed.
        let path = write("""
            0 1 10000 0 100 10000 0
            0 2 20000 0 100 30000 5000
            0 3 failed 0 100 40000
            0 4 10000 0 100 50000 0
            """, "log")
        let r = try LoadTestReader.read(path: path)
        #expect(r.tool == .pgbench)
        #expect(r.requests == 3)
        #expect(r.errorShare == 0.25)
        #expect(abs(r.latencySeconds["mean"]! - 0.04 / 3) < 1e-15)
        #expect(r.latencySeconds["p50"] == 0.01 && r.latencySeconds["max"] == 0.02)
        // From the first start (100.000) to the last end (100.050).
        #expect(abs(r.durationSeconds! - 0.05) < 1e-9)
        #expect(abs(r.throughputPerSecond! - 3 / 0.05) < 1e-6)
    }

    @Test func neitherJSONNorAPgbenchLogIsRefusedWithItsLine() {
        let path = write("concurrency,throughput\n1,2\n", "csv")
        do { _ = try LoadTestReader.read(path: path); Issue.record("accepted") } catch {
            #expect(error.message.contains("\(path):1: not a pgbench log line"))
        }
    }

    @Test func absurdOptionsAreErrorsNotCrashes() {
        for (options, fragment) in [("{\"vus\": 1e300, \"duration\": \"10s\"}", "options.vus must be a whole number"),
                                    ("{\"scenarios\": {\"a\": {\"executor\": \"constant-arrival-rate\", \"rate\": -5, \"duration\": \"1m\"}}}", "options.scenarios.a.rate is -5/s"),
                                    ("{\"stages\": [{\"duration\": \"1m\", \"target\": 2.5}]}", "options.stages[0].target must be a whole number")] {
            let path = write("{\"metrics\": {\"http_reqs\": {\"count\": 1, \"rate\": 1}}, \"options\": \(options)}")
            do { _ = try LoadTestReader.read(path: path); Issue.record("accepted \(options)") } catch {
                #expect(error.message.contains(fragment), "\(error.message)")
            }
        }
    }
}
