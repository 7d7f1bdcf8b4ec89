import HeadroomKernel
import HeadroomModel
import HeadroomSim
import Testing

/// Hosts (`hosts:`), a pooler's and the client's own CPU, and container CPU limits, against
/// exact cases: threads sharing a host's cores as one processor-sharing station whose demand is
/// the sum of theirs (M/M/1-PS, whose mean response is D / (1 - lambda D) for any number of
/// visits, BCMP), a pooler's one thread as M/M/1, and CFS throttling computed by hand.
/// Intervals are the suite's 99.9 % Student-t intervals over 8 replications (Support.swift).
@Suite("Hosts, a pooler's CPU, CPU limits")
struct HostTests {
    @Test func twoTiersOnOneCoreAreOneProcessorSharingStationWithSummedDemand() throws {
        // 50/s, each request 4 ms of app CPU then a 6 ms query, app and database on one core:
        // the host is an M/M/1-PS station visited twice with total demand D = 10 ms, rho = 0.5,
        // so a request takes D / (1 - rho) = 20 ms (on cores of their own: 10 ms).
        let m = try model("""
            simulation: {seed: 11}
            workload: {open: {rate: 50/s}, endpoint: e}
            hosts: {box: {cores: 1}}
            instances: {workers: 1000, host: box}
            pools: {db: {size: 1000, scope: shared, acquire_timeout: none}}
            database: {max_connections: 2000, host: box}
            endpoints:
              e: {steps: [{cpu: exp(4ms)}, {query: {pool: db, time: exp(6ms)}}]}
            """)
        let e = estimates(m, warmup: 20, horizon: 620, [
            { $0.endpoints[0].latency.meanSeconds }, { $0.hosts[0].utilization },
            { $0.hosts[0].components.first { $0.component == "database" }!.utilization },
        ])
        #expect(e[0].contains(0.020), "mean \(e[0]) vs M/M/1-PS 20 ms")
        #expect(e[1].contains(0.5), "host utilization \(e[1]) vs 0.5")
        #expect(e[2].contains(0.3), "the database's share \(e[2]) vs 50/s x 6 ms = 0.3")
    }

    @Test func aHostsSpeedDividesTheWorkPlacedOnIt() throws {
        // As above on a host twice as fast: D = 5 ms, rho = 0.25, 5 / 0.75 = 6.67 ms.
        let m = try model("""
            simulation: {seed: 12}
            workload: {open: {rate: 50/s}, endpoint: e}
            hosts: {box: {cores: 1, speed: 2}}
            instances: {workers: 1000, host: box}
            pools: {db: {size: 1000, scope: shared, acquire_timeout: none}}
            database: {max_connections: 2000, host: box}
            endpoints:
              e: {steps: [{cpu: exp(4ms)}, {query: {pool: db, time: exp(6ms)}}]}
            """)
        let e = estimate(m, warmup: 20, horizon: 620) { $0.endpoints[0].latency.meanSeconds }
        #expect(e.contains(0.005 / 0.75), "mean \(e) vs M/M/1-PS 6.67 ms")
    }

    @Test func theClientOnTheDatabaseHostSharesItsCores() throws {
        // A load generator with many threads (none waits for one) spending exp(3ms) per request
        // on the database's 2-core host, queries exp(7ms), 120/s: one M/M/2-PS station of
        // demand 10 ms, rho = 0.6; for c = 2 the mean response is D / (1 - rho^2) = 15.625 ms.
        let m = try model("""
            simulation: {seed: 13}
            workload: {open: {rate: 120/s}, endpoint: e}
            hosts: {db: {cores: 2}}
            client: {host: db, cpu_per_request: exp(3ms), threads: 1000}
            pools: {app: {size: 1000, scope: shared, acquire_timeout: none}}
            database: {max_connections: 2000, host: db}
            endpoints:
              e: {steps: [{query: {pool: app, time: exp(7ms)}}]}
            """)
        let e = estimates(m, warmup: 20, horizon: 520, [
            { $0.endpoints[0].latency.meanSeconds }, { $0.hosts[0].utilization },
        ])
        #expect(e[0].contains(0.010 / (1 - 0.36)), "mean \(e[0]) vs M/M/2-PS 15.6 ms")
        #expect(e[1].contains(0.6), "host utilization \(e[1]) vs 0.6")
    }

    @Test func aPoolersOneThreadQueuesTransactionsAsMM1() throws {
        // PgBouncer's CPU exp(10ms) per transaction at 80/s on its one core: an M/M/1 queue at
        // rho = 0.8 in front of the database, sojourn 10 / 0.2 = 50 ms, plus the 1 ms query.
        let m = try model("""
            simulation: {seed: 14}
            workload: {open: {rate: 80/s}, endpoint: tx}
            poolers: {pgbouncer: {server_connections: 50, max_client_connections: 1000, cpu_per_transaction: exp(10ms)}}
            pools: {app: {size: 500, scope: shared, acquire_timeout: none, via: pgbouncer}}
            database: {cores: 64, max_connections: 100}
            endpoints:
              tx: {steps: [{query: {time: const(1ms)}}]}
            """)
        let e = estimates(m, warmup: 50, horizon: 1050, [
            { $0.endpoints[0].latency.meanSeconds }, { $0.poolerThreads[0].utilization },
        ])
        #expect(e[0].contains(0.051), "mean \(e[0]) vs M/M/1 50 ms + 1 ms")
        #expect(e[1].contains(0.8), "pooler thread utilization \(e[1]) vs 0.8")
    }

    @Test func aPoolerOnTheDatabaseHostWaitsForTheCoresTheBackendsKeepBusy() throws {
        // The same pooler's 2 ms per transaction on a core of its own is busy 40/s x 2 ms = 8 %
        // of the time; on the database's one core, busy 80 % with 20 ms queries, its thread waits
        // for the core it shares with the backends and stays busy longer.
        let shared = """
            simulation: {seed: 15}
            workload: {open: {rate: 40/s}, endpoint: tx}
            hosts: {db: {cores: 1}}
            poolers: {pgbouncer: {server_connections: 50, max_client_connections: 1000, cpu_per_transaction: const(2ms), host: db}}
            pools: {app: {size: 500, scope: shared, acquire_timeout: none, via: pgbouncer}}
            database: {max_connections: 100, host: db}
            endpoints:
              tx: {steps: [{query: {time: exp(18ms)}}]}
            """
        let apart = shared.replacingOccurrences(of: ", host: db}}", with: "}}")
            .replacingOccurrences(of: "database: {max_connections: 100, host: db}", with: "database: {cores: 1, max_connections: 100}")
        let onHost = estimates(try model(shared), warmup: 20, horizon: 520, [{ $0.poolerThreads[0].utilization }, { $0.endpoints[0].latency.meanSeconds }])
        let ownCore = estimates(try model(apart), warmup: 20, horizon: 520, [{ $0.poolerThreads[0].utilization }, { $0.endpoints[0].latency.meanSeconds }])
        #expect(ownCore[0].contains(0.08), "pooler thread on its own core \(ownCore[0]) vs 0.08")
        #expect(onHost[0].lower > ownCore[0].upper * 2, "pooler thread sharing the host \(onHost[0]) vs alone \(ownCore[0])")
        // The host's demand is 40/s x 20 ms = 0.8, shared by processor sharing: the database's
        // 18 ms queries alone would take 18 / 0.28 = 64 ms on a core of their own at rho 0.72;
        // sharing with the pooler makes requests slower than that.
        #expect(onHost[1].lower > ownCore[1].upper, "latency sharing \(onHost[1]) vs apart \(ownCore[1])")
    }

    @Test func aCPULimitThrottlesEachRequestUntilTheNextPeriodAsComputedByHand() throws {
        // One worker, 80 ms of CPU per request, arrivals every 500 ms on period boundaries, a
        // limit of 0.5 core per 100 ms: 50 ms run, the quota is spent, the thread waits for the
        // period's end (at 100 ms), then runs its last 30 ms: 130 ms, every time. One period
        // in five is throttled, for 50 ms of each 500.
        let m = try model("""
            workload: {open: {constant_rate: 2/s}, endpoint: e}
            instances: {workers: 1, cpu_limit: 0.5, cfs_period: 100ms}
            endpoints: {e: {steps: [{cpu: const(80ms)}]}}
            """)
        let r = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 10, horizonSeconds: 110)
        let latency = r.endpoints[0].latency
        #expect(latency.count == 200)
        #expect(abs(latency.meanSeconds - 0.130) < 1e-9 && abs(latency.maxSeconds - 0.130) < 1e-9, "\(latency.meanSeconds) \(latency.maxSeconds)")
        #expect(abs(r.cpuLimit!.throttledPeriodShare - 0.2) < 1e-9, "\(r.cpuLimit!.throttledPeriodShare)")
        #expect(abs(r.cpuLimit!.throttledTimeShare - 0.1) < 1e-6, "\(r.cpuLimit!.throttledTimeShare)")
    }

    @Test func aSaturatedCPULimitServesItsLimitAndNoMore() throws {
        // Four users without think time keep four workers computing 80 ms each, but the limit
        // lets the instance use 1 core: 1 / 80 ms = 12.5 requests a second, where four cores
        // would serve 50. By hand, the first four requests (all starting at 0) run at 4 cores:
        // the 100 ms quota is spent by 25 ms (25 ms of CPU each), they wait to 100, spend it by
        // 125 (50 each), then by 225 (75 each), and finish their last 5 ms at 305 ms.
        let m = try model("""
            workload: {closed: {users: 4, think_time: 0s}, endpoint: e}
            instances: {workers: 4, cpu_limit: 1, cfs_period: 100ms}
            endpoints: {e: {steps: [{cpu: const(80ms)}]}}
            """)
        let first = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 0, horizonSeconds: 0.31)
        #expect(first.endpoints[0].latency.count == 4 && abs(first.endpoints[0].latency.maxSeconds - 0.305) < 1e-9,
                "\(first.endpoints[0].latency.count) \(first.endpoints[0].latency.maxSeconds)")
        let r = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 10, horizonSeconds: 810)
        #expect(abs(r.endpoints[0].throughputPerSecond - 12.5) < 0.02, "\(r.endpoints[0].throughputPerSecond)")
    }
}
