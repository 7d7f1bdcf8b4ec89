import Foundation
import Testing
import HeadroomModel
import HeadroomAnalysis
import HeadroomCharts
import HeadroomOutput
import HeadroomStudy
@testable import HeadroomCalibration

/// `headroom compare`: the model replayed under the test's offered load, and the prediction
/// interval for one run.
@Suite struct CompareWithAMeasurement {
    static let yaml = """
        simulation: {horizon: 10min, warmup: 1min, replications: 8, seed: 3}
        workload: {open: {rate: 5/s}}
        instances: {count: 1, workers: 1}
        endpoints:
          e: {steps: [{cpu: exp(50ms)}]}
        """

    func result(mean: Double, throughput: Double) -> LoadTestResult {
        LoadTestResult(tool: .k6, path: "r.json", requests: throughput * 600, throughputPerSecond: throughput, errorShare: 0,
                       latencySeconds: ["mean": mean], durationSeconds: 600, maxVirtualUsers: nil, profile: nil)
    }

    @Test func theTestsLoadReplacesTheWorkloadAndHorizon() throws {
        let model = try ModelLoader.load(yaml: Self.yaml, fileName: "m.yaml").model
        let (m, _) = Compare.studyModel(model, under: .open([Phase(durationSeconds: 120, ratePerSecond: 10)]), replications: nil)
        #expect(m.simulation.horizonSeconds == 120 && m.simulation.warmupSeconds == 0)
        guard case let .open(.phases(p), _)? = m.workload?.arrivals else { Issue.record("not phases"); return }
        #expect(p == [Phase(durationSeconds: 120, ratePerSecond: 10)])
    }

    /// M/M/1 at λ = 10/s, S = 50 ms: mean response 1/(μ − λ) = 100 ms. A measurement at the
    /// theoretical value lies inside the one-run interval; one at twice it does not.
    @Test func aMeasurementAtTheTheoreticalMeanIsInsideAndTwiceItIsNot() throws {
        let model = try ModelLoader.load(yaml: Self.yaml, fileName: "m.yaml").model
        let profile = LoadProfile.open([Phase(durationSeconds: 600, ratePerSecond: 10)])
        let good = Compare.run(model: model, modelPath: "m.yaml", result: result(mean: 0.1, throughput: 10), profile: profile,
                               profileSource: "test", replications: 8, threads: 1)
        let mean = good.rows.first { $0.metric == "mean" }!
        #expect(mean.inside == true)
        #expect(good.rows.first { $0.metric == "throughput" }!.inside == true)
        let bad = Compare.run(model: model, modelPath: "m.yaml", result: result(mean: 0.2, throughput: 10), profile: profile,
                              profileSource: "test", replications: 8, threads: 1)
        #expect(bad.rows.first { $0.metric == "mean" }!.inside == false)
        #expect(abs(bad.rows.first { $0.metric == "mean" }!.relativeError! - (mean.predicted - 0.2) / 0.2) < 1e-12)
    }

    @Test func theOneRunIntervalIsTheConfidenceIntervalWidenedBySqrtNPlusOne() throws {
        let model = try ModelLoader.load(yaml: Self.yaml, fileName: "m.yaml").model
        let profile = LoadProfile.open([Phase(durationSeconds: 300, ratePerSecond: 10)])
        let c = Compare.run(model: model, modelPath: "m.yaml", result: result(mean: 0.1, throughput: 10), profile: profile,
                            profileSource: "test", replications: 8, threads: 1)
        let (m8, _) = Compare.studyModel(model, under: profile, replications: 8)
        #expect(m8.simulation.replications == 8)
        let report = ReplicationStudy(model: m8, workers: 1).run()
        let e = report["overall", "all"]!["mean_seconds"]!.estimate
        let row = c.rows.first { $0.metric == "mean" }!
        // The one-run interval is the replications' confidence interval (an independent study
        // of the same model) widened by sqrt(8 + 1) = 3 ...
        #expect(abs((row.intervalHigh - row.predicted) - e.halfWidth * 3) < 1e-12)
        // ... around a prediction that is M/M/1's mean response, 1/(mu - lambda) = 100 ms, within
        // that confidence interval (a prediction of another figure or another load would not be).
        #expect(abs(row.predicted - 0.1) <= (row.intervalHigh - row.predicted) / 3, "predicted \(row.predicted)")
    }
}
