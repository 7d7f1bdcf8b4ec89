import Foundation
import HeadroomModel
import Testing
@testable import HeadroomAnalysis
@testable import HeadroomOutput
@testable import HeadroomStudy

/// The analytic side of hosts, a pooler's thread and CPU limits (a host is a station whose
/// demand is the sum of what is placed on it), against the simulation's figures in the report.
@Suite("Hosts: analysis and report")
struct HostAnalysisTests {
    static let twoTiersOnOneCore = """
        simulation: {horizon: 300s, warmup: 20s, replications: 4, seed: 21}
        workload: {open: {rate: 50/s}, endpoint: e}
        hosts: {box: {cores: 1}}
        instances: {workers: 1000, host: box}
        pools: {db: {size: 1000, scope: shared, acquire_timeout: none}}
        database: {max_connections: 2000, host: box}
        endpoints:
          e: {steps: [{cpu: exp(4ms)}, {query: {pool: db, time: exp(6ms)}}]}
        """

    @Test("a host is a station whose demand is the sum of the CPU placed on it, and the simulation agrees")
    func hostDemandIsTheSumOfWhatIsPlacedOnIt() throws {
        let m = try model(Self.twoTiersOnOneCore)
        let a = Analysis.analyze(m)
        let host = try #require(a.resource("host.box"))
        // 4 ms of app CPU + 6 ms of query per request, one core: D = 10 ms, 50/s -> 0.5.
        #expect(host.servers == 1 && abs(host.demandSeconds - 0.010) < 1e-12 && abs(host.utilization! - 0.5) < 1e-12)
        #expect(abs(host.maxThroughputPerSecond! - 100) < 1e-9)
        // The primary on the host has the host's cores.
        #expect(a.resource("database.primary")?.servers == 1)
        let report = ReplicationStudy(model: m).run()
        let item = try #require(report["hosts", "box"])
        let u = try #require(item["utilization"])
        #expect(u.analytic == 0.5)
        #expect(u.estimate.contains(0.5), "simulated \(u.estimate) vs 0.5")
        let database = try #require(item["database_utilization"]).estimate
        let instances = try #require(item["instances_utilization"]).estimate
        #expect(database.contains(0.3) && instances.contains(0.2), "database \(database) vs 0.3, instances \(instances) vs 0.2")
        #expect(item.figures.map(\.metric) == ["utilization", "mean_runnable_threads", "instances_utilization", "database_utilization"])
    }

    @Test("a host's demand is divided by its speed, and an instance copy elsewhere brings only its share")
    func speedAndPlacementPerCopy() throws {
        let a = Analysis.analyze(try model("""
            workload: {open: {rate: 50/s}, endpoint: e}
            hosts: {fast: {cores: 2, speed: 2}, other: {cores: 2}}
            instances: {count: 2, workers: 4, hosts: [fast, other]}
            endpoints:
              e: {steps: [{cpu: exp(8ms)}]}
            """))
        // Half the requests' 8 ms on `fast`, at speed 2: 2 ms per request; 4 ms on `other`.
        #expect(abs(try #require(a.resource("host.fast")).demandSeconds - 0.002) < 1e-12)
        #expect(abs(try #require(a.resource("host.other")).demandSeconds - 0.004) < 1e-12)
    }

    @Test("a pooler's thread is a one-server resource of its CPU per transaction")
    func poolerThread() throws {
        let m = try model("""
            simulation: {horizon: 200s, warmup: 20s, replications: 4, seed: 22}
            workload: {open: {rate: 80/s}, endpoint: tx}
            poolers: {pgbouncer: {server_connections: 50, max_client_connections: 1000, cpu_per_transaction: exp(10ms)}}
            pools: {app: {size: 500, scope: shared, acquire_timeout: none, via: pgbouncer}}
            database: {cores: 64, max_connections: 100}
            endpoints:
              tx: {steps: [{query: {time: const(1ms)}}]}
            """)
        let thread = try #require(Analysis.analyze(m).resource("pooler_thread.pgbouncer"))
        #expect(thread.servers == 1 && abs(thread.utilization! - 0.8) < 1e-12)
        let item = try #require(ReplicationStudy(model: m).run()["poolers", "pgbouncer"])
        let u = try #require(item["thread_utilization"])
        #expect(u.analytic == 0.8 && u.estimate.contains(0.8), "\(u.estimate) vs 0.8")
    }

    @Test("a CPU limit is a labelled fluid bound: copies x limit / CPU per request")
    func cpuLimitBound() throws {
        let a = Analysis.analyze(try model("""
            workload: {open: {rate: 10/s}, endpoint: e}
            instances: {count: 2, workers: 4, cpu_limit: 0.5}
            endpoints:
              e: {steps: [{cpu: const(80ms)}]}
            """))
        let limit = try #require(a.resource("cpu_limit.instances"))
        // 2 x 0.5 core / 80 ms = 12.5/s; at 10/s it is 80 % used.
        #expect(abs(limit.maxThroughputPerSecond! - 12.5) < 1e-9 && abs(limit.utilization! - 0.8) < 1e-12)
        #expect(a.notes.contains { $0.hasPrefix("CPU limit:") && $0.contains("fluid bound") })
    }

    @Test("the report has a hosts section only for a model with hosts")
    func hostsSectionOnlyWithHosts() throws {
        let without = try model("""
            simulation: {horizon: 20s, warmup: 2s, replications: 2, seed: 3}
            workload: {open: {rate: 20/s}, endpoint: q}
            endpoints:
              q: {steps: [{cpu: exp(1ms)}]}
            """)
        #expect(!ReplicationStudy(model: without).run().sections.contains { $0.name == "hosts" })
    }
}

/// The differential test of the analytic figures (AnalyticDifferential) on random models with
/// a shared host, a pooler's CPU, a client and CPU limits: every figure labelled exact or a
/// bound holds to its label against the simulation's 99 % interval.
@Suite("Hosts: analytic figures against the simulation", .serialized)
struct HostDifferentialTests {
    @Test("every exact or bounding analytic figure of a random hosted model holds to its label")
    func hostedFiguresHoldToTheirLabels() throws {
        var exact = 0
        var hostFigures = 0
        for seed in UInt64(1)...30 {
            let random = RandomWebModel(hostedSeed: seed, requestsPerReplication: 1000)
            let outcome = try AnalyticDifferential.check(random, workers: 2)
            for c in outcome.comparisons where c.label != .approximation {
                #expect(c.agrees, "seed \(seed): \(c.figure) is labelled \(c.label.rawValue), analytic \(c.analytic), simulated \(c.simulatedMean) ± \(c.halfWidth) (99 %)\n\(random.yaml)")
                if c.label == .exact { exact += 1 }
                if c.figure.hasPrefix("hosts.") { hostFigures += 1 }
            }
        }
        // Not vacuous: every model's host is judged, and exact figures are among those checked.
        #expect(hostFigures == 30 && exact >= 60, "\(hostFigures) host figures, \(exact) exact figures judged")
    }
}
