import Testing
@testable import HeadroomModel

@Suite struct Defaults {
    let minimal = """
    workload:
      open: {rate: 10/s}
    endpoints:
      e:
        steps:
          - cpu: 1ms
    """

    @Test func simulationDefaults() {
        let s = load(minimal)?.model.simulation
        #expect(s == SimulationSettings(horizonSeconds: 600, warmup: .fixed(seconds: 60), replications: 10, seed: 1))
    }

    @Test func instanceDefaults() {
        #expect(load(minimal)?.model.instances == Instances(count: 1, workers: 1, cpus: 2, balancer: .roundRobin))
    }

    @Test func modelNameDefaultsToTheFileName() { #expect(load(minimal)?.model.name == "test") }

    @Test func singleEndpointIsTheWholeMix() {
        #expect(load(minimal)?.model.workload?.mix == [MixEntry(endpoint: "e", weight: 1)])
    }

    @Test func warmupAutoMeansMSER5() {
        let m = load("simulation: {warmup: auto, precision: 2%, seed: 42}\n" + minimal)?.model.simulation
        #expect(m?.warmup == .mser5)
        #expect(m?.targetRelativeError == 0.02)
        #expect(m?.seed == 42)
    }

    @Test func databaseDefaultsLikePostgres() {
        let d = load(withSteps("- query: 5ms"))?.model.database
        #expect(d?.maxConnections == 100)
        #expect(d?.replicas == 0 && d?.readRouting == .primary)
    }
}

@Suite struct PoolPresetDefaults {
    func pool(_ spec: String, instances: String = "") -> Pool? {
        load("""
        workload: {open: {rate: 1/s}}
        \(instances)
        pools:
          p: \(spec)
        endpoints:
          e: {steps: [{query: 1ms}]}
        """)?.model.pools.first
    }

    @Test func nodePostgresWaitsForever() {
        #expect(pool("{preset: node_postgres}") == Pool(name: "p", preset: .nodePostgres, size: 10, scope: .perInstance, acquireTimeoutSeconds: nil, idleTimeoutSeconds: 10))
    }
    @Test func postgresJsWaitsForever() {
        #expect(pool("{preset: postgres_js}") == Pool(name: "p", preset: .postgresJs, size: 10, scope: .perInstance, acquireTimeoutSeconds: nil))
    }
    @Test func prismaSizesByCPUs() {
        #expect(pool("{preset: prisma}")?.size == 5)
        #expect(pool("{preset: prisma}")?.acquireTimeoutSeconds == 10)
        #expect(pool("{preset: prisma}", instances: "instances: {cpus: 4}")?.size == 9)
    }
    @Test func hikariDefaults() {
        #expect(pool("{preset: hikari}") == Pool(name: "p", preset: .hikari, size: 10, scope: .perInstance, acquireTimeoutSeconds: 30, idleTimeoutSeconds: 600, minIdle: 10))
    }
    @Test func pgbouncerPresetIsShared() {
        #expect(pool("{preset: pgbouncer}") == Pool(name: "p", preset: .pgbouncer, size: 20, scope: .shared, acquireTimeoutSeconds: 120, idleTimeoutSeconds: 600))
    }
    @Test func explicitKeysOverridePresets() {
        let p = pool("{preset: prisma, size: 17, acquire_timeout: none, scope: shared, connection_setup: 30ms}")
        #expect(p == Pool(name: "p", preset: .prisma, size: 17, scope: .shared, acquireTimeoutSeconds: nil, connectionSetup: .constant(0.03), idleTimeoutSeconds: 300))
    }
    @Test func idleTimeoutAndMinIdleOverridePresets() {
        #expect(pool("{preset: node_postgres, idle_timeout: 30s}")?.idleTimeoutSeconds == 30)
        #expect(pool("{preset: node_postgres, idle_timeout: none}")?.idleTimeoutSeconds == nil)
        #expect(pool("{preset: hikari, size: 20}")?.minIdle == 20)
        #expect(pool("{preset: hikari, minimum_idle: 2}")?.minIdle == 2)
        #expect(pool("{size: 5}")?.idleTimeoutSeconds == nil)
        #expect(pool("{size: 5, max_idle_connection_lifetime: 5min}")?.idleTimeoutSeconds == 300)
    }
    @Test func minIdleAboveSizeIsAnError() {
        let messages = errors("""
            workload: {open: {rate: 1/s}}
            pools:
              p: {size: 5, min_idle: 6}
            endpoints:
              e: {steps: [{query: 1ms}]}
            """)
        #expect(messages.count == 1)
        #expect(messages.first?.contains("test.yaml:3:") == true)
        #expect(messages.first?.contains("pools.p.min_idle") == true)
        #expect(messages.first?.contains("exceeds the pool's size") == true)
    }
    @Test func libraryNamesAreAcceptedAsAliases() {
        #expect(pool("{size: 3, pool_timeout: 2s}")?.acquireTimeoutSeconds == 2)
        #expect(pool("{connection_limit: 3}")?.size == 3)
    }
}

@Suite struct WorkloadDecoding {
    @Test func closedWorkloadWithThinkTime() {
        let w = load("""
        workload:
          closed: {users: 300, think_time: exp(2s)}
        endpoints: {e: {steps: [{cpu: 1ms}]}}
        """)?.model.workload
        #expect(w?.arrivals == .closed(users: 300, thinkTime: .exponential(mean: 2)))
        #expect(w?.clients == 300)
    }

    @Test func constantRate() {
        let w = load("workload: {open: {constant_rate: 3000/min}}\nendpoints: {e: {steps: [{cpu: 1ms}]}}")?.model.workload
        #expect(w?.arrivals == .open(.rate(perSecond: 50), process: .constant))
    }

    @Test func phasesWithRamp() {
        let w = load("""
        workload:
          open:
            phases:
              - {duration: 1min, rate: 5/s}
              - {duration: 2min, rate: 5/s, ramp_to: 50/s}
        endpoints: {e: {steps: [{cpu: 1ms}]}}
        simulation: {horizon: 3min, warmup: 0}
        """)?.model.workload
        #expect(w?.arrivals == .open(.phases([Phase(durationSeconds: 60, ratePerSecond: 5),
                                               Phase(durationSeconds: 120, ratePerSecond: 5, rampToPerSecond: 50)]), process: .poisson))
    }

    @Test func mixWeightsAreNormalizedInFileOrder() {
        let w = load("""
        workload:
          open: {rate: 1/s}
          mix: {b: 3, a: 1}
        endpoints:
          a: {steps: [{cpu: 1ms}]}
          b: {steps: [{cpu: 1ms}]}
        """)?.model.workload
        #expect(w?.mix == [MixEntry(endpoint: "b", weight: 0.75), MixEntry(endpoint: "a", weight: 0.25)])
    }
}

@Suite struct StepDecoding {
    func steps(_ s: String, extra: String = "") -> [Step]? { load(withSteps(s, extra: extra))?.model.endpoints.first?.steps }

    @Test func queryDefaultsToTheOnlyPoolAndDatabaseFailureProbability() {
        #expect(steps("- query: {time: 5ms, kind: write}", extra: "database: {cores: 2, query_failure_probability: 1%}")
                == [.query(Query(pool: "db", kind: .write, time: .constant(0.005), failureProbability: 0.01))])
    }

    @Test func cacheStepWithHitAndMiss() {
        #expect(steps("""
        - cache: c
          hit:
            - cpu: 1ms
          miss:
            - query: 20ms
        """, extra: "caches: {c: {hit_ratio: 80%}}") == [
            .cache(CacheStep(cache: "c", hit: [.cpu(.constant(0.001))], miss: [.query(Query(pool: "db", time: .constant(0.02)))])),
        ])
    }

    @Test func repeatWithACountDistribution() {
        #expect(steps("""
        - repeat: poisson(10)
          steps:
            - query: 2ms
        """) == [.repeat(count: .poisson(mean: 10), steps: [.query(Query(pool: "db", time: .constant(0.002)))])])
    }

    @Test func parallelBranchesAreStepsOrStepLists() {
        #expect(steps("""
        - parallel:
            - cpu: 1ms
            - - sleep: 2ms
              - call: {name: s3, latency: exp(50ms), failure_probability: 0.5%}
        """) == [.parallel([[.cpu(.constant(0.001))],
                            [.sleep(.constant(0.002)), .call(Call(name: "s3", latency: .exponential(mean: 0.05), failureProbability: 0.005))]])])
    }

    @Test func transactionHoldsItsPoolForItsQueries() {
        #expect(steps("""
        - transaction: db
          steps:
            - query: {kind: write, time: 5ms, failure_probability: 0.1}
        """) == [.transaction(Transaction(pool: "db", steps: [.query(Query(pool: "db", kind: .write, time: .constant(0.005), failureProbability: 0.1))]))])
    }

    @Test func enqueueNamesAJobQueue() {
        #expect(steps("- enqueue: mails", extra: "job_queues: {mails: {workers: 2, steps: [{cpu: 5ms}]}}") == [.enqueue("mails")])
    }

    @Test func endpointSettings() {
        let e = load("""
        workload: {open: {rate: 1/s}}
        rate_limiters: {rl: {algorithm: token_bucket, rate: 10/s, burst: 20}}
        endpoints:
          e:
            timeout: 2s
            retry: {max_attempts: 3, backoff: 100ms, jitter: 0.5}
            rate_limiters: [rl]
            steps: [{cpu: 1ms}]
        """)?.model.endpoints.first
        #expect(e == Endpoint(name: "e", timeoutSeconds: 2, retry: RetryPolicy(maxAttempts: 3, backoffSeconds: 0.1, multiplier: 2, jitter: 0.5),
                              cancelOnTimeout: false, rateLimiters: ["rl"], steps: [.cpu(.constant(0.001))]))
    }
}

@Suite struct ComponentDecoding {
    @Test func zipfCacheWithCapacityTTLAndSingleFlight() {
        let c = load(withSteps("- cache: c\n  miss: [{query: 1ms}]", extra: """
        caches:
          c: {scope: shared, keys: zipf(s: 1.0, n: 1000), capacity: unbounded, ttl: 60s, single_flight: true}
        """))?.model.caches.first
        #expect(c == Cache(name: "c", scope: .shared, hits: .keys(KeyPopularity(s: 1, n: 1000)), capacity: nil, ttlSeconds: 60,
                           lookup: .constant(0.001), invalidation: .key, singleFlight: true))
    }

    @Test func inMemoryCacheLookupDefaultsToAFifthOfAMillisecond() {
        let c = load(withSteps("- cache: c\n  miss: [{query: 1ms}]", extra: "caches: {c: {hit_ratio: 0.5}}"))?.model.caches.first
        #expect(c?.lookup == .constant(0.0002))
        #expect(c?.scope == .perInstance)
    }

    @Test func fixedWindowRateLimiter() {
        let l = load(withSteps("- cpu: 1ms", extra: "rate_limiters: {w: {algorithm: fixed_window, limit: 100, window: 1min, key: ip, scope: per_instance}}"))?.model.rateLimiters.first
        #expect(l == RateLimiter(name: "w", algorithm: .fixedWindow(limit: 100, windowSeconds: 60), key: .ip, scope: .perInstance))
    }

    @Test func instanceFailuresAreZeroBased() {
        let i = load(withSteps("- cpu: 1ms", extra: "instances: {count: 3, health_check_interval: 10s, failures: [{instance: 0, at: 3min}]}"))?.model.instances
        #expect(i?.failures == [InstanceFailure(instance: 0, atSeconds: 180)])
        #expect(i?.healthCheckIntervalSeconds == 10)
    }

    @Test func poolerAcceptsPgBouncerNames() {
        let m = load(withSteps("- cpu: 1ms", extra: "poolers: {pgb: {default_pool_size: 30, max_client_conn: 500}}"))?.model
        #expect(m?.poolers == [Pooler(name: "pgb", serverConnections: 30, maxClientConnections: 500, queryWaitTimeoutSeconds: 120, mode: .transaction)])
    }

    @Test func readReplicasDefaultToRoundRobinAndTheSameCores() {
        let d = load(withSteps("- query: 1ms", extra: "database: {cores: 8, replicas: 2}"))?.model.database
        #expect(d == Database(cores: 8, maxConnections: 100, replicas: 2, replicaCores: 8, readRouting: .roundRobin))
    }

    @Test func mmcIsAFiveLineNetwork() {
        let n = load("""
        network:
          arrivals: {desk: 8/s}
          stations:
            desk: {servers: 3, service: exp(300ms)}
        """)?.model
        #expect(n?.network == QueueingNetwork(stations: [Station(name: "desk", servers: 3, service: .exponential(mean: 0.3))],
                                              arrivals: [ExternalArrival(station: "desk", ratePerSecond: 8)]))
        #expect(n?.workload == nil)
    }

    @Test func networkRoutesLeaveOutExit() {
        let n = load("""
        network:
          population: {customers: 10, think_time: exp(1s)}
          stations:
            cpu: {service: exp(10ms), discipline: ps, routes: {disk: 0.4, exit: 0.6}}
            disk: {service: exp(20ms), capacity: 5, patience: exp(1s), routes: {cpu: 1}}
        """)?.model.network
        #expect(n?.stations[0].routes == [Route(to: "disk", probability: 0.4)])
        #expect(n?.population == NetworkPopulation(customers: 10, thinkTime: .exponential(mean: 1), station: "cpu"))
        #expect(n?.stations[1].capacity == 5)
    }
}
