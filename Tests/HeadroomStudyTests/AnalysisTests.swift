import Foundation
import HeadroomModel
import Queueing
import Testing
@testable import HeadroomAnalysis
@testable import HeadroomCharts
@testable import HeadroomOutput
@testable import HeadroomStudy

/// `|a - b| <= relative |b|`.
private func isClose(_ a: Double, _ b: Double, _ relative: Double) -> Bool { abs(a - b) <= relative * max(abs(b), 1e-300) }

@Suite("Analytic companions and analyze")
struct AnalysisTests {
    /// Each request holds one of the pool's 10 connections for 1 s: at 12/s the offered
    /// utilization is 1.2 (16 database cores keep the database below 1 and never stretch the
    /// holds, at most 10 queries being active, so the pool alone is overloaded).
    static func overloadYAML(rate: String) -> String {
        """
        workload: {open: {rate: \(rate)}}
        pools:
          db: {size: 10, acquire_timeout: 1s}
        database: {cores: 16}
        endpoints:
          e: {steps: [{query: 1s}]}
        """
    }

    @Test("An open load beyond the pool's capacity is warned about once, by the analysis, with the M/M/c+D timeout share; half of it is not")
    func overloadIsWarnedOnceByTheAnalysis() throws {
        let warnings = Analysis.analyze(try model(Self.overloadYAML(rate: "12/s"))).warnings
        let overload = warnings.filter { $0.contains("open load overloads") }
        #expect(overload.count == 1, "\(warnings)")
        #expect(overload.first?.contains("pool `db` (10 connections in all): offered utilization 1.200 (>= 1) at 12.00/s") == true, "\(overload)")
        // The share that times out is M/M/c+D's (c = 10, 1 s holds, 1 s patience: 17.742%,
        // also from mpmath quadrature); the holds are never stretched, so the joint solution of
        // pool and database must give the same.
        let q = try MMcDQueue(arrivalRatePerSecond: 12, meanServiceSeconds: 1, servers: 10, patienceSeconds: 1)
        #expect(abs(q.probabilityOfAbandonment - 0.1774235729543958) < 1e-9)
        let percent = String(format: "%.2f%%", q.probabilityOfAbandonment * 100)
        #expect(overload.first?.contains(", \(percent) of acquisitions time out") == true, "\(overload) vs \(percent)")
        // Negative control: at 6/s (utilization 0.6) the same check stays silent.
        #expect(!Analysis.analyze(try model(Self.overloadYAML(rate: "6/s"))).warnings.contains { $0.contains("overloads") })
    }

    /// 10/s on 10 connections held 1 s: offered utilization exactly 1, which the warning's
    /// ">= 1" covers (the full pool's release rate comes out of logarithms, 1 - 2e-16 short).
    @Test("An open load at exactly the pool's capacity is warned about, with M/M/c+D's timeout share")
    func loadAtCapacityIsWarned() throws {
        let warnings = Analysis.analyze(try model(Self.overloadYAML(rate: "10/s"))).warnings
        let overload = warnings.filter { $0.contains("open load overloads") }
        #expect(overload.count == 1, "\(warnings)")
        #expect(overload.first?.contains("pool `db` (10 connections in all): offered utilization 1.000 (>= 1) at 10.00/s") == true, "\(overload)")
        let q = try MMcDQueue(arrivalRatePerSecond: 10, meanServiceSeconds: 1, servers: 10, patienceSeconds: 1)
        #expect(overload.first?.contains(", \(String(format: "%.2f%%", q.probabilityOfAbandonment * 100)) of acquisitions time out") == true, "\(overload)")
    }

    /// 10/s for five minutes, then 100/s for one: 20 connections on one core with coherency
    /// 0.5 % (8 ms queries), so the database releases 125/s with one holder and 43/s with twenty.
    /// At the mean rate (25/s) the pool holds about 0.2 connections; at the peak the database
    /// cannot keep up once the pool fills (100/s offered, 43/s released), which a burst does
    /// within a fraction of a second. Scaling the mean's carried utilization (1 %) to the peak,
    /// as before, gave 4 % and no warning.
    @Test("A phased load's pool is solved again at the peak rate for its overload warning")
    func phasedPoolIsWarnedAtThePeakRate() throws {
        let yaml = """
            workload: {open: {phases: [{duration: 5min, rate: 10/s}, {duration: 1min, rate: 100/s}]}}
            pools:
              db: {size: 20, acquire_timeout: none}
            database: {cores: 1, coherency: 0.005}
            endpoints:
              e: {steps: [{query: exp(8ms)}]}
            """
        let warnings = Analysis.analyze(try model(yaml)).warnings
        #expect(!warnings.contains { $0.contains("metastable") }, "\(warnings)")
        #expect(warnings.contains { $0.contains("open load overloads pool `db` (20 connections in all) at its peak rate 100.0/s") }, "\(warnings)")
        // Negative control: a peak of 40/s stays below what the database releases with any holders.
        let calm = Analysis.analyze(try model(yaml.replacingOccurrences(of: "rate: 100/s", with: "rate: 40/s"))).warnings
        #expect(!calm.contains { $0.contains("peak rate") }, "\(calm)")
    }

    @Test("The analytic companion of an M/M/c network is Queueing's M/M/c")
    func mmcCompanion() throws {
        let q = try MMcQueue(arrivalRatePerSecond: 8, meanServiceSeconds: 0.3, servers: 3)
        let a = Analysis.analyze(try model(mmcYAML))
        #expect(a.network?.method == "M/M/c")
        let desk = try #require(a.station("desk"))
        #expect(desk.utilization == q.utilization)
        #expect(desk.meanNumberPresent == q.meanNumberInSystem)
        #expect(desk.meanNumberWaiting == q.meanQueueLength)
        #expect(desk.meanResponseSeconds == q.meanResponseSeconds)
        #expect(desk.meanWaitSeconds == q.meanWaitSeconds)
        #expect(a.network?.meanResponseSeconds == q.meanResponseSeconds)

        // The same figures stand beside the simulated ones in the report.
        let report = ReplicationStudy(model: try model(mmcYAML)).run()
        let item = try #require(report["stations", "desk"])
        #expect(item["utilization"]?.analytic == q.utilization)
        #expect(item["mean_response_seconds"]?.analytic == q.meanResponseSeconds)
        #expect(item["mean_wait_seconds"]?.analytic == q.meanWaitSeconds)
        #expect(report["network", "network"]?["mean_seconds"]?.analytic == q.meanResponseSeconds)
    }

    /// One core, 8 ms exponential queries, 100/s, a pool of 2: the connections cap the queries on
    /// the core at 2, so the pool and the core together are one M/M/1 (a work-conserving server of
    /// exponential work): N ~ geometric(rho = 0.8); the pool is full when N >= 2 (rho^2), holds
    /// E[min(N, 2)] = rho + rho^2 connections, and E[(N - 2)+] = rho^3 / (1 - rho) wait. Before,
    /// holds were stretched by an M/M/1 database response (40 ms) as if the pool let every query
    /// in: the pool was called overloaded (utilization 2) at a load it carries.
    @Test("A pool in front of a one-core database is, with it, exactly M/M/1: not overloaded")
    func poolOnOneCoreIsMM1() throws {
        let a = Analysis.analyze(try model("""
            workload: {open: {rate: 100/s}, mix: {q: 1}}
            pools: {db: {size: 2, scope: shared, acquire_timeout: none}}
            database: {cores: 1}
            endpoints:
              q: {steps: [{query: {pool: db, time: exp(8ms)}}]}
            """))
        let pool = try #require(a.pool("db"))
        let rho = 0.8
        #expect(pool.method == "pool+database")
        #expect(isClose(pool.probabilityOfWaiting ?? -1, rho * rho, 1e-9))
        #expect(isClose(pool.meanInUse ?? -1, rho + rho * rho, 1e-9))
        #expect(isClose(pool.meanWaiting ?? -1, pow(rho, 3) / (1 - rho), 1e-9))
        #expect(isClose(pool.utilization, (rho + rho * rho) / 2, 1e-9))
        #expect(a.warnings.isEmpty, "\(a.warnings)")
    }

    @Test("plan never prunes a timing-out pool as overloaded: the requests that get a connection may still meet the SLOs")
    func planScreenKeepsATimingOutPool() throws {
        // 400 acquisitions/s holding 10 ms on 2 connections: offered 2 erlangs per connection;
        // at least half fail, but the survivors' latency is short: only the simulation can say.
        let m = try model("""
            workload: {open: {rate: 400/s}, mix: {q: 1}}
            pools: {db: {size: 2, scope: shared, acquire_timeout: 1s}}
            database: {cores: 100}
            endpoints:
              q: {steps: [{query: {pool: db, time: const(10ms)}}]}
            """)
        let slo = try PlanSLO.parse("p95<50ms", model: m)
        #expect(PlanScreen.screen(Analysis.analyze(m), model: m, slos: [slo]) == nil)
    }

    @Test("plan prunes as overloaded only on the utilization law with uncontended demands, and only under a latency SLO")
    func planScreenPrunesOnUncontendedDemands() throws {
        // 300/s x 10 ms on 2 connections without a timeout: at least 1.5 busy per connection.
        let over = try model("""
            workload: {open: {rate: 300/s}, mix: {q: 1}}
            pools: {db: {size: 2, scope: shared, acquire_timeout: none}}
            database: {cores: 100}
            endpoints:
              q: {steps: [{query: {pool: db, time: const(10ms)}}]}
            """)
        let p95 = try PlanSLO.parse("p95<50ms", model: over)
        let outcome = try #require(PlanScreen.screen(Analysis.analyze(over), model: over, slos: [p95]))
        #expect(outcome.status == .prunedOverload)
        #expect(outcome.reason.contains("pool.db utilization at least 1.500 with uncontended demands"), "\(outcome.reason)")
        // A throughput SLO alone can hold in an overloaded configuration: not pruned.
        let throughput = try PlanSLO.parse("throughput>100/s", model: over)
        #expect(PlanScreen.screen(Analysis.analyze(over), model: over, slos: [throughput]) == nil)
        // Queries sharing 2 cores stretch the holds of 6 connections, but 500/s x 6.4 ms / 6 < 1:
        // whatever an approximation of the stretch says, the configuration is simulated.
        let issue = try model("""
            workload: {open: {rate: 500/s}, mix: {q: 1}}
            instances: {count: 2, workers: 2}
            pools: {db: {size: 3, acquire_timeout: none}}
            database: {cores: 4, coherency: 0.02%}
            endpoints:
              q: {steps: [{query: {pool: db, time: exp(3.2ms)}}, {query: {pool: db, time: exp(3.2ms)}}]}
            """)
        #expect(PlanScreen.screen(Analysis.analyze(issue), model: issue, slos: [try PlanSLO.parse("p95<50ms", model: issue)]) == nil)
    }

    @Test("plan prunes a utilization SLO the utilization law already breaks, and keeps one it may meet")
    func planScreenPrunesBrokenUtilizationSLO() throws {
        let m = try model("""
            workload: {open: {rate: 300/s}, mix: {q: 1}}
            pools: {db: {size: 4, scope: shared, acquire_timeout: none}}
            database: {cores: 100}
            endpoints:
              q: {steps: [{query: {pool: db, time: const(10ms)}}]}
            """)
        // 300/s x 10 ms / 4 = 75 % at least.
        let broken = try PlanSLO.parse("pools.db.utilization<70%", model: m)
        let outcome = try #require(PlanScreen.screen(Analysis.analyze(m), model: m, slos: [broken]))
        #expect(outcome.status == .prunedBound && outcome.reason.contains("utilization law"), "\(outcome.reason)")
        let possible = try PlanSLO.parse("pools.db.utilization<80%", model: m)
        #expect(PlanScreen.screen(Analysis.analyze(m), model: m, slos: [possible]) == nil)
    }

    @Test("A cache server is a resource: its lookups and fills at their times, per server")
    func cacheServerResource() throws {
        let a = Analysis.analyze(try model("""
            workload: {open: {rate: 250/s}, mix: {get: 1}}
            instances: {count: 2}
            caches: {redis: {scope: per_instance, hit_ratio: 50%, server: {servers: 1, time: exp(1ms), fill_time: exp(3ms)}}}
            endpoints:
              get: {steps: [{cache: redis, miss: [{sleep: 2ms}]}]}
            """))
        let server = try #require(a.resource("cache_server.redis"))
        // Per request: 1 lookup x 1 ms + 0.5 fills x 3 ms = 2.5 ms, on 2 servers (one per instance).
        #expect(server.servers == 2)
        #expect(abs(server.demandSeconds - 0.0025) < 1e-12)
        #expect(abs((server.utilization ?? 0) - 250 * 0.0025 / 2) < 1e-12)
        // Uncontended: the lookup, and on a miss the 2 ms and the fill.
        #expect(abs((a.endpoints.first?.uncontendedLatencySeconds ?? 0) - (0.001 + 0.5 * (0.002 + 0.003))) < 1e-12)
    }

    /// A closed loop whose only queue is a one-thread cache server is the machine-repairman
    /// model M/M/1//N: exact MVA on that one station (with the think time as the delay). The
    /// cache server was a pure delay in the MVA before, so 80 users got 80 / (1 s + 20 ms) =
    /// 78.4/s out of a server that completes at most 1 / 20 ms = 50/s.
    @Test("A closed workload's MVA queues at a cache server instead of treating it as a delay")
    func cacheServerInClosedMVA() throws {
        let a = Analysis.analyze(try model("""
            workload: {closed: {users: 80, think_time: exp(1s)}, mix: {get: 1}}
            caches: {redis: {scope: shared, hit_ratio: 100%, server: {servers: 1, time: exp(20ms)}}}
            endpoints:
              get: {steps: [{cache: redis, miss: [{sleep: 2ms}]}]}
            """))
        let exact = try #require(try ClosedNetwork(stations: [
            ClosedStation(name: "redis", serviceDemandSeconds: 0.02),
        ], thinkTimeSeconds: 1).exactMVA(maximumPopulation: 80).last)
        let x = try #require(a.throughputPerSecond)
        #expect(abs(x - exact.throughputPerSecond) < 1e-9 * exact.throughputPerSecond, "\(x) vs \(exact.throughputPerSecond)")
        #expect(x < 50)
    }

    @Test("analyze finds the bottleneck of a two-tier model", arguments: [
        ("exp(2ms)", "exp(15ms)", "database.primary"),
        ("exp(30ms)", "exp(5ms)", "workers.instances"),
    ])
    func bottleneck(cpu: String, query: String, expected: String) throws {
        let a = Analysis.analyze(try model(twoTierYAML(cpu: cpu, query: query)))
        #expect(a.bottleneck == expected)
        let b = try #require(a.resource(expected))
        // 50/s: database 1 core, workers 2 instances x 1.
        #expect(abs((b.utilization ?? 0) - 0.75) < 1e-9)
        #expect(abs((a.bounds.maxThroughputPerSecond ?? 0) - 50 / 0.75) < 1e-9)
        #expect(a.warnings.isEmpty)
    }

    @Test("An open load beyond capacity is legal and warned about with the analytic utilization")
    func overloadWarns() throws {
        let a = Analysis.analyze(try model(twoTierYAML(cpu: "exp(2ms)", query: "exp(15ms)", rate: "100/s")))
        // The database is overloaded, and so is the pool whose holders it serves.
        let database = try #require(a.warnings.first { $0.contains("database primary") })
        #expect(database.contains("1.500"))
        #expect(a.warnings.count == 2 && a.warnings.contains { $0.contains("pool `main`") }, "\(a.warnings)")
    }

    /// Two instances x 2 connections = 4 connections to a 4-core database: at most 4 queries are
    /// ever active, so none waits for a core and a pool's hold is the query time itself. Before
    /// the fix, holds were stretched by an M/M/4 database response (50 % busy) and the pool
    /// figures came out above exact M/M/c.
    /// Random balancing: each instance sees a Poisson stream (round robin's is Erlang-2).
    @Test("analyze agrees with exact M/M/c when the pools have no more connections than the database has cores")
    func poolNoLargerThanCoresIsExactMMc() throws {
        let yaml = twoTierYAML(cpu: "exp(1ms)", query: "exp(40ms)")
            .replacingOccurrences(of: "cores: 1", with: "cores: 4")
            .replacingOccurrences(of: "workers: 1}", with: "workers: 1, balancer: random}")
            .replacingOccurrences(of: "main: {size: 5}", with: "main: {size: 2}")
        let a = Analysis.analyze(try model(yaml))
        let pool = try #require(a.pool("main"))
        let exact = try MMcQueue(arrivalRatePerSecond: 25, meanServiceSeconds: 0.04, servers: 2)
        #expect(pool.method == "pool+database")
        #expect(isClose(pool.meanHoldSeconds, 0.04, 1e-9))
        #expect(isClose(pool.utilization, exact.utilization, 1e-9))
        #expect(isClose(try #require(pool.probabilityOfWaiting), exact.probabilityOfWaiting, 1e-9))
        #expect(isClose(try #require(pool.meanWaitSeconds), exact.meanWaitSeconds, 1e-9))
        #expect(a.warnings.isEmpty)
        #expect(a.notes.contains { $0.contains("never queue for a core") })
        // One connection more than cores and the database's sharing stretches the holds again.
        let more = Analysis.analyze(try model(yaml.replacingOccurrences(of: "cores: 4", with: "cores: 3")))
        #expect(try #require(more.pool("main")).meanHoldSeconds > 0.04)
    }

    /// A pool whose waiters give up after a constant acquire timeout is M/M/c+D: its figures are
    /// Queueing's `MMcDQueue`, utilization and throughput are carried (below 1 in overload), and
    /// the overload warning speaks of timeouts, not of a queue that grows without bound.
    @Test("a pool with a constant acquire timeout is M/M/c+D, carried, with a timeout-aware overload warning")
    func poolWithTimeoutIsMMcD() throws {
        // 2 x 2 connections, 64 cores (no stretch), 120/s x 40 ms = 4.8 erlangs: offered 1.2 per connection.
        let yaml = twoTierYAML(cpu: "exp(1ms)", query: "exp(40ms)", rate: "120/s")
            .replacingOccurrences(of: "cores: 1", with: "cores: 64")
            .replacingOccurrences(of: "main: {size: 5}", with: "main: {size: 2, acquire_timeout: 100ms}")
            .replacingOccurrences(of: "workers: 1", with: "workers: 4")
        let a = Analysis.analyze(try model(yaml))
        let pool = try #require(a.pool("main"))
        let exact = try MMcDQueue(arrivalRatePerSecond: 60, meanServiceSeconds: 0.04, servers: 2, patienceSeconds: 0.1)
        #expect(pool.method == "pool+database")
        #expect(isClose(pool.utilization, exact.utilization, 1e-9))
        #expect(pool.utilization < 1)
        #expect(isClose(try #require(pool.probabilityOfTimeout), exact.probabilityOfAbandonment, 1e-9))
        #expect(isClose(try #require(pool.meanWaitSeconds), exact.meanWaitOfServedSeconds, 1e-9))
        #expect(abs(try #require(pool.carriedAcquisitionsPerSecond) - 2 * exact.servedThroughputPerSecond) < 1e-9)
        let warning = try #require(a.warnings.first { $0.contains("pool `main`") })
        #expect(warning.contains("time out"))
        #expect(!warning.contains("grows"))
        // The run's analytic column beside the simulated pool figures is the same M/M/c+D.
        let report = ReplicationStudy(model: try model(yaml.replacingOccurrences(of: "horizon: 30s, warmup: 5s, replications: 3",
                                                                                with: "horizon: 6s, warmup: 1s, replications: 1"))).run()
        let item = try #require(report["pools", "main"])
        #expect(isClose(item["utilization"]?.analytic ?? -1, exact.utilization, 1e-9))
        #expect(isClose(item["mean_in_use"]?.analytic ?? -1, 2 * exact.meanBusyServers, 1e-9))
        #expect(isClose(item["mean_wait_seconds"]?.analytic ?? -1, exact.meanWaitOfServedSeconds, 1e-9))
    }

    @Test("Erlang C per pool uses acquisitions x mean hold as the offered load")
    func poolErlangC() throws {
        // Database with many cores: holds are not stretched; 50/s x 15 ms = 0.75 erlang over 2 x 5
        // connections; random balancing, so each instance sees a Poisson stream.
        let yaml = twoTierYAML(cpu: "exp(2ms)", query: "exp(15ms)").replacingOccurrences(of: "cores: 1", with: "cores: 64")
            .replacingOccurrences(of: "workers: 1}", with: "workers: 1, balancer: random}")
        let a = Analysis.analyze(try model(yaml))
        let pool = try #require(a.pool("main"))
        let q = try MMcQueue(arrivalRatePerSecond: 25, meanServiceSeconds: 0.015, servers: 5)
        #expect(pool.copies == 2)
        #expect(abs(pool.offeredLoadErlangs - 0.75) < 1e-9)
        #expect(abs((pool.meanWaitSeconds ?? -1) - q.meanWaitSeconds) < 1e-6 * q.meanWaitSeconds)
    }

    @Test("A closed network's companion is exact MVA")
    func closedNetworkMVA() throws {
        let yaml = """
            name: closed
            network:
              population: {customers: 10, think_time: exp(1s)}
              stations:
                cpu: {service: exp(50ms), routes: {disk: 0.5}}
                disk: {servers: 2, service: exp(80ms), routes: {cpu: 1.0}}
            """
        // Visits: cpu 2 (1 + back from disk), disk 1.
        let a = Analysis.analyze(try model(yaml))
        let net = try ClosedNetwork(stations: [
            ClosedStation(name: "cpu", serviceDemandSeconds: 0.1),
            ClosedStation(name: "disk", kind: .multiServer(servers: 2), serviceDemandSeconds: 0.08),
        ], thinkTimeSeconds: 1)
        let mva = try #require(try net.exactMVA(maximumPopulation: 10).last)
        #expect(a.network?.method == "MVA")
        #expect(abs((a.throughputPerSecond ?? 0) - mva.throughputPerSecond) < 1e-9)
        #expect(abs((a.station("cpu")?.visits ?? 0) - 2) < 1e-9)
    }
}

@Suite("Rate limiters in the analytic layer")
struct RateLimiterAnalysisTests {
    /// models/examples/rate-limiter.yaml: 400/s, 10 % to `login`, behind a fixed window of 5 per
    /// minute per IP per instance (50 IPs, 2 instances): at most 2 x 50 x 5 / 60 = 8.33/s of its
    /// 40/s get through (20.8 %); `api`'s per-user bucket (50 x 10/s >= 360/s) lets all through.
    /// Workers: 400 x (0.9 x 1 ms + 0.1 x 0.2083 x 50 ms) / 8 = 9.71 % (29.5 % counting every
    /// login); the simulation's is below it (the fluid bound errs high).
    @Test("Downstream of a limiter the analysis uses the carried load, an upper bound the simulation stays under")
    func carriedLoadDownstreamOfALimiter() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var m = try ModelLoader.load(path: root.appendingPathComponent("models/examples/rate-limiter.yaml").path).model
        let a = Analysis.analyze(m)
        let workers = try #require(a.resource("workers.instances"))
        let pass = 2.0 * 50 * 5 / 60 / 40
        #expect(abs((workers.utilization ?? 0) - 400 * (0.9 * 0.001 + 0.1 * pass * 0.05) / 8) < 1e-9)
        #expect(a.warnings.isEmpty, "\(a.warnings)")
        m.simulation.horizonSeconds = 120; m.simulation.replications = 2
        let report = ReplicationStudy(model: m, workers: 2).run()
        let simulated = try #require(report.section("instances")?.items.first?["utilization"]?.estimate.mean)
        #expect(simulated <= workers.utilization ?? 0, "simulated \(simulated)")
    }
}
