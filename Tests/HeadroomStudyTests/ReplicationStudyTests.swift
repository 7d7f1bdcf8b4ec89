import Foundation
import HeadroomModel
import Testing
@testable import HeadroomAnalysis
@testable import HeadroomCharts
@testable import HeadroomOutput
@testable import HeadroomStudy

@Suite("Replication study")
struct ReplicationStudyTests {
    @Test("The same seed gives the same report")
    func sameSeedSameReport() throws {
        let m = try model(mmcYAML)
        #expect(ReplicationStudy(model: m, workers: 2).run() == ReplicationStudy(model: m, workers: 2).run())
    }

    @Test("The report does not depend on the number of threads", arguments: [2, 3, 8])
    func threadCountIrrelevant(threads: Int) throws {
        for yaml in [mmcYAML, twoTierYAML(cpu: "exp(2ms)", query: "exp(15ms)")] {
            let m = try model(yaml, overrides: ["simulation.replications": "5"])
            let one = ReplicationStudy(model: m, workers: 1).run()
            let many = ReplicationStudy(model: m, workers: threads).run()
            #expect(one == many, "\(m.name) with \(threads) threads")
        }
    }

    @Test("Progress within a replication moves a single long run's bar and changes no figure")
    func progressWithinAReplication() throws {
        let m = try model(twoTierYAML(cpu: "exp(2ms)", query: "exp(15ms)"), overrides: ["simulation.replications": "1"])
        let quiet = ReplicationStudy(model: m, workers: 1).run()
        let seen = ProgressLog()
        var watched = ReplicationStudy(model: m, workers: 1)
        watched.progress = { fraction, finished, planned in seen.add(fraction, finished, planned) }
        let report = watched.run()
        // The same events in the same order: the report (events_processed included) is identical.
        #expect(report == quiet)
        #expect(report.rendered(as: .json) == quiet.rendered(as: .json))
        let log = seen.entries
        // One replication, yet the bar moved through the run: about 200 ticks, rising, then done.
        #expect(log.count > 100)
        #expect(log.filter { $0.finished == 0 && $0.fraction > 0.4 && $0.fraction < 0.6 }.count > 5)
        #expect(zip(log, log.dropFirst()).allSatisfy { $0.fraction <= $1.fraction })
        #expect(log.last.map { $0.fraction == 1 && $0.finished == 1 && $0.planned == 1 } == true)
    }

    @Test("A different seed gives a different report")
    func differentSeed() throws {
        let a = ReplicationStudy(model: try model(mmcYAML)).run()
        let b = ReplicationStudy(model: try model(mmcYAML, overrides: ["simulation.seed": "8"])).run()
        #expect(a["stations", "desk"]?["utilization"] != b["stations", "desk"]?["utilization"])
    }

    @Test("Student-t intervals shrink with more replications")
    func intervalsShrink() throws {
        let few = ReplicationStudy(model: try model(mmcYAML, overrides: ["simulation.replications": "4"])).run()
        let many = ReplicationStudy(model: try model(mmcYAML, overrides: ["simulation.replications": "16"])).run()
        for metric in ["utilization", "mean_number_present", "mean_response_seconds"] {
            let a = try #require(few["stations", "desk"]?[metric]?.estimate)
            let b = try #require(many["stations", "desk"]?[metric]?.estimate)
            #expect(a.samples == 4 && b.samples == 16)
            #expect(b.halfWidth < a.halfWidth, "\(metric): \(b.halfWidth) vs \(a.halfWidth)")
        }
    }

    @Test("The precision rule stops once every tracked figure is within the target")
    func precisionRuleStops() throws {
        let m = try model(mmcYAML, overrides: ["simulation.replications": "3", "simulation.precision": "10%",
                                               "simulation.max_replications": "60"])
        let report = ReplicationStudy(model: m).run()
        #expect(report.settings.precisionReached == true)
        #expect(report.settings.replications > 3 && report.settings.replications < 60)
        for name in ["utilization", "mean_number_present", "mean_response_seconds"] {
            let e = try #require(report["stations", "desk"]?[name]?.estimate)
            #expect(e.relativeHalfWidth <= 0.10, "\(name)")
        }
        // One batch fewer would not have been precise enough: the rule stopped at the first batch that was.
        let batch = ReplicationStudy.batchSize(initialReplications: 3)
        let fewer = ReplicationStudy(model: try model(mmcYAML, overrides: [
            "simulation.replications": String(report.settings.replications - batch)])).run()
        let figures = ["utilization", "mean_number_present", "mean_response_seconds", "p95_seconds", "mean_seconds", "throughput_per_second"]
        let wide = fewer.sections.flatMap(\.items).flatMap(\.figures).filter { figures.contains($0.metric) }
            .contains { $0.estimate.relativeHalfWidth > 0.10 }
        #expect(wide)
    }

    @Test("The precision rule gives up at max_replications")
    func precisionRuleCap() throws {
        let m = try model(mmcYAML, overrides: ["simulation.replications": "3", "simulation.precision": "0.01%",
                                               "simulation.max_replications": "7"])
        let report = ReplicationStudy(model: m).run()
        #expect(report.settings.replications == 7)
        #expect(report.settings.precisionReached == false)
    }

    @Test("warmup: auto runs MSER-5 on a pilot and cuts a planted overload and its drain")
    func autoWarmup() throws {
        // A planted transient: 20 s at 150/s on one worker serving 100/s builds a backlog of
        // about (150 - 100) x 20 = 1000 requests (Poisson noise: sd about sqrt(150 x 20 + 100 x 20),
        // some 70); at 50/s it then drains at 100 - 50 = 50/s, for 20 s +- 1.5 s. The transient
        // thus ends near 40 s, after which the worker is an M/M/1 at rho = 0.5 (a mean of 1 in
        // flight). MSER-5 must cut all of the backlog: a truncation before 36 s keeps samples
        // with 200 or more in flight (50/s x 4 s), which would dominate its standard error; and
        // it stops within a dozen batches past the end (as the kernel's planted-transient test
        // requires: 12 x 5 samples x 0.2 s = 12 s), so by 55 s. The old bound, [0, horizon / 2],
        // held by MSER-5's construction.
        let m = try model("""
            name: planted transient
            simulation: {horizon: 200s, warmup: auto, replications: 2, seed: 3}
            workload:
              open:
                phases:
                  - {duration: 20s, rate: 150/s}
                  - {duration: 180s, rate: 50/s}
              endpoint: api
            instances: {count: 1, workers: 1}
            endpoints:
              api: {steps: [{cpu: exp(10ms)}]}
            """)
        let report = ReplicationStudy(model: m).run()
        #expect(report.settings.warmupMethod == .mser5)
        #expect((36...55).contains(report.settings.warmupSeconds), "warm-up \(report.settings.warmupSeconds) s")
        #expect(report.notes.contains { $0.contains("MSER-5 on a pilot replication's requests-in-flight series (1000 samples every 200.0 ms)") }, "\(report.notes)")
    }

    @Test("warmup: auto on a plain network runs MSER-5 on its own timeline, not the 10% fallback")
    func autoWarmupOnANetworkModel() throws {
        let m = try model("""
            simulation: {horizon: 10min, warmup: auto, replications: 2, seed: 3}
            network:
              arrivals: {q: 8/s}
              stations:
                q: {servers: 1, service: exp(100ms)}
            """)
        let report = ReplicationStudy(model: m).run()
        #expect(report.settings.warmupMethod == .mser5)
        #expect(report.notes.contains { $0.contains("MSER-5 on a pilot replication") })
        #expect(!report.notes.contains { $0.contains("records no timeline") })
    }
}

final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var entries: [(fraction: Double, finished: Int, planned: Int)] = []
    func add(_ fraction: Double, _ finished: Int, _ planned: Int) {
        lock.lock(); defer { lock.unlock() }
        entries.append((fraction, finished, planned))
    }
}
