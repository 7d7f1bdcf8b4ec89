import Foundation
import HeadroomModel
import Testing
@testable import HeadroomAnalysis
@testable import HeadroomStudy

/// `run`'s analytic p50/p95/p99 where a closed form gives the response-time distribution: one
/// M/M/c FCFS station (Erlang C's waiting time convolved with the exponential service). Trusted as
/// far as the simulation agrees: each inside the simulated 95% confidence interval.
@Suite("Analytic response-time percentiles")
struct AnalyticPercentileTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("M/M/3 at 80%: the closed-form p50, p95 and p99 lie inside the simulated intervals")
    func mmcPercentilesAgreeWithSimulation() throws {
        var model = try ModelLoader.load(path: Self.root.appendingPathComponent("models/examples/mmc.yaml").path).model
        model.simulation.replications = 10
        model.simulation.horizonSeconds = 600
        model.simulation.warmup = .fixed(seconds: 60)
        model.simulation.seed = 5
        let report = ReplicationStudy(model: model, workers: 2, modelWarnings: []).run()
        let network = try #require(report["network", "network"])
        for metric in ["p50_seconds", "p95_seconds", "p99_seconds"] {
            let figure = try #require(network[metric])
            let analytic = try #require(figure.analytic, "\(metric) has no analytic value")
            #expect(figure.estimate.lower <= analytic && analytic <= figure.estimate.upper,
                    "\(metric): analytic \(analytic) outside [\(figure.estimate.lower), \(figure.estimate.upper)]")
        }
        let station = try #require(report["stations", "desk"]?["p95_response_seconds"])
        #expect(station.analytic == network["p95_seconds"]?.analytic)
    }

    @Test("processor sharing has the same mean but another distribution: no analytic percentile")
    func noPercentilesUnderProcessorSharing() throws {
        let yaml = """
            name: M/M/1-PS
            network:
              arrivals: {desk: 5/s}
              stations:
                desk: {servers: 1, service: exp(100ms), discipline: ps}
            """
        let model = try ModelLoader.load(yaml: yaml, fileName: "ps.yaml").model
        let analysis = Analysis.analyze(model)
        #expect(analysis.network?.meanResponseSeconds != nil)
        #expect(analysis.network?.p95ResponseSeconds == nil)
    }
}
