import HeadroomKernel
import HeadroomModel
import HeadroomSim
import Queueing
import Testing

/// Each web-backend component against a known answer (issue 3).
struct ComponentTests {
    @Test func poolOfCConnectionsWithExponentialQueriesMatchesErlangC() throws {
        // 40 requests/s, each holding one of 5 connections for exp(100ms): a = 4 erlangs, rho = 0.8.
        let m = try model("""
            simulation: {seed: 7}
            workload: {open: {rate: 40/s}, mix: {q: 1}}
            pools: {db: {size: 5}}
            database: {cores: 64, max_connections: 1000}
            endpoints:
              q: {steps: [{query: {pool: db, time: exp(100ms)}}]}
            """)
        let meanWait = estimate(m, warmup: 100, horizon: 2100) { $0.pools[0].waits.meanSeconds }
        let theory = try MMcQueue(arrivalRatePerSecond: 40, meanServiceSeconds: 0.1, servers: 5).meanWaitSeconds
        #expect(meanWait.contains(theory), "simulated \(meanWait) vs Erlang C \(theory)")
    }

    @Test func processorSharingDatabaseStretchesEightQueriesOnTwoCoresFourfold() throws {
        // 8 closed users with no think time, each running one 100 ms query on 2 cores: every
        // query runs at 2/8 speed, so each takes 400 ms, exactly.
        let m = try model("""
            workload: {closed: {users: 8, think_time: const(0s)}, mix: {q: 1}}
            pools: {db: {size: 8, scope: shared}}
            database: {cores: 2}
            endpoints:
              q: {steps: [{query: {pool: db, time: const(100ms)}}]}
            """)
        let result = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 1, horizonSeconds: 21)
        #expect(abs(result.endpoints[0].latency.meanSeconds - 0.4) < 1e-6)
        #expect(abs(result.database!.nodes[0].meanActiveQueries - 8) < 1e-9)
    }

    @Test func databaseContentionSlowsEightQueriesByTheScalabilityLawFactor() throws {
        // As above, with contention 10%: 8 active queries each run 1 + 0.1 * 7 = 1.7 times
        // slower than plain sharing, so each 100 ms query takes 0.4 * 1.7 = 0.68 s.
        let m = try model("""
            workload: {closed: {users: 8, think_time: const(0s)}, mix: {q: 1}}
            pools: {db: {size: 8, scope: shared}}
            database: {cores: 2, contention: 10%}
            endpoints:
              q: {steps: [{query: {pool: db, time: const(100ms)}}]}
            """)
        let result = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 1, horizonSeconds: 21)
        #expect(abs(result.endpoints[0].latency.meanSeconds - 0.68) < 1e-6)
    }

    @Test func sharedCacheWithHitRatioCutsDatabaseLoadByThatRatio() throws {
        let m = try model("""
            simulation: {seed: 3}
            workload: {open: {rate: 100/s}, mix: {read: 1}}
            pools: {db: {size: 50, scope: shared}}
            database: {cores: 16}
            caches: {c: {scope: shared, hit_ratio: 70%}}
            endpoints:
              read:
                steps:
                  - cache: c
                    miss: [{query: {pool: db, time: const(10ms)}}]
            """)
        let queriesPerRequest = estimate(m, warmup: 10, horizon: 210) { r in
            Double(r.database!.nodes[0].queries) / Double(r.endpoints[0].attempts)
        }
        #expect(queriesPerRequest.contains(0.3), "\(queriesPerRequest)")
    }

    @Test func tokenBucketAdmitsRateTimesHorizonPlusBurst() throws {
        // One user hammering at 50/s against a bucket of 5/s with burst 20, for 100 s:
        // admitted = 5 * 100 + 20 = 520 (deterministic arrivals, so exactly, up to one token).
        let m = try model("""
            workload: {open: {constant_rate: 50/s}, mix: {api: 1}, clients: 1}
            rate_limiters: {per_user: {algorithm: token_bucket, rate: 5/s, burst: 20, key: user, scope: global}}
            endpoints:
              api: {rate_limiters: [per_user], steps: [{cpu: const(1ms)}]}
            """)
        let r = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 0, horizonSeconds: 100)
        #expect(abs(r.endpoints[0].succeeded - 520) <= 1, "\(r.endpoints[0].succeeded)")
        #expect(r.endpoints[0].rateLimited == r.endpoints[0].attempts - r.endpoints[0].succeeded)
    }

    @Test func nonTransactionalTwoStepWriteLeavesExpectedOrphans() throws {
        // First write always commits; the second fails with p = 0.2: E[orphans] = 0.2 per request.
        let m = try model("""
            simulation: {seed: 11}
            workload: {open: {rate: 50/s}, mix: {create: 1}}
            pools: {db: {size: 20}}
            database: {cores: 8}
            endpoints:
              create:
                steps:
                  - query: {pool: db, kind: write, time: exp(5ms)}
                  - query: {pool: db, kind: write, time: exp(5ms), failure_probability: 0.2}
            """)
        let orphanRate = estimate(m, warmup: 5, horizon: 205) { r in
            Double(r.orphanedWrites) / Double(r.endpoints[0].attempts)
        }
        #expect(orphanRate.contains(0.2), "\(orphanRate)")
    }

    @Test func transactionalTwoStepWriteLeavesNoOrphans() throws {
        let m = try model("""
            simulation: {seed: 11}
            workload: {open: {rate: 50/s}, mix: {create: 1}}
            pools: {db: {size: 20}}
            database: {cores: 8}
            endpoints:
              create:
                steps:
                  - transaction:
                      pool: db
                      steps:
                        - query: {pool: db, kind: write, time: exp(5ms)}
                        - query: {pool: db, kind: write, time: exp(5ms), failure_probability: 0.2}
            """)
        let r = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 5, horizonSeconds: 205)
        #expect(r.orphanedWrites == 0)
        #expect(r.endpoints[0].errors > 0)
    }

    @Test func nPlusOneEndpointHoldsItsConnectionNPlusOneTimesAsLong() throws {
        // 1 + 5 sequential 10 ms queries: the pool is busy 6 x 10 ms per request.
        let m = try model("""
            simulation: {seed: 5}
            workload: {open: {rate: 10/s}, mix: {create: 1}}
            pools: {db: {size: 20}}
            database: {cores: 32}
            endpoints:
              create:
                steps:
                  - query: {pool: db, kind: write, time: const(10ms)}
                  - repeat: {count: 5, steps: [{query: {pool: db, kind: write, time: const(10ms)}}]}
            """)
        let busy = estimate(m, warmup: 10, horizon: 410) { r in
            r.pools[0].meanInUse / r.endpoints[0].throughputPerSecond
        }
        #expect(busy.contains(0.06), "\(busy)")
    }

    @Test func sameSeedGivesIdenticalResults() throws {
        let m = try model("""
            simulation: {seed: 99}
            workload: {closed: {users: 20, think_time: exp(200ms)}, mix: {a: 1}}
            pools: {db: {size: 3}}
            endpoints:
              a: {steps: [{cpu: exp(2ms)}, {query: {pool: db, time: exp(20ms)}}]}
            """)
        let a = SystemSimulation.run(model: m, replication: 2, warmupSeconds: 1, horizonSeconds: 60)
        let b = SystemSimulation.run(model: m, replication: 2, warmupSeconds: 1, horizonSeconds: 60)
        #expect(a.endpoints[0].latency.meanSeconds == b.endpoints[0].latency.meanSeconds)
        #expect(a.eventsProcessed == b.eventsProcessed)
    }
}

/// Behaviours added for the audits' systems.
struct RoundTripAndRejectionTests {
    @Test func queryRoundTripHoldsTheConnectionButNoDatabaseCore() throws {
        // 10 ms at the database plus a 20 ms round trip: the pool is held 30 ms per query, a
        // database core 10 ms (utilization law, deterministic times; 64 cores so that queries
        // never share one and stretch).
        let m = try model("""
            simulation: {seed: 2}
            workload: {open: {rate: 20/s}, mix: {q: 1}}
            pools: {db: {size: 50, scope: shared}}
            database: {cores: 64, round_trip: const(20ms)}
            endpoints:
              q: {steps: [{query: {pool: db, time: const(10ms)}}]}
            """)
        let r = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 10, horizonSeconds: 1010)
        let x = r.endpoints[0].throughputPerSecond
        #expect(abs(r.pools[0].meanInUse / x - 0.030) < 0.0005)
        #expect(abs(r.database!.nodes[0].utilization * 64 / x - 0.010) < 0.0005)
    }

    @Test func aZeroThinkUserRejectedAtOnceDoesNotStallTheClock() throws {
        // Every attempt is refused by the limiter at once; without a floor the user would loop at
        // t = 0 forever. With the 1 ms floor the run ends, at 1000 attempts per second.
        let m = try model("""
            workload: {closed: {users: 1, think_time: 0s}, mix: {api: 1}, clients: 1}
            rate_limiters: {none: {algorithm: fixed_window, limit: 1, window: 1h, key: user, scope: global}}
            endpoints:
              api: {rate_limiters: [none], steps: [{cpu: const(1ms)}]}
            """)
        let r = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 0, horizonSeconds: 10)
        #expect(r.endpoints[0].succeeded == 1)
        #expect(abs(r.endpoints[0].rateLimited - 10_000) <= 2)
    }

    @Test func instanceWorkerUtilizationFollowsTheUtilizationLaw() throws {
        let m = try model("""
            simulation: {seed: 4}
            workload: {open: {rate: 100/s}, mix: {a: 1}}
            instances: {count: 2, workers: 1}
            endpoints:
              a: {steps: [{cpu: exp(5ms)}]}
            """)
        let u = estimate(m, warmup: 10, horizon: 310) { $0.instances!.utilization }
        #expect(u.contains(100 * 0.005 / 2), "\(u)")
    }
}
