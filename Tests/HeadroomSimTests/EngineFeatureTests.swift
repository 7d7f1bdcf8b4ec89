import HeadroomKernel
import HeadroomModel
import HeadroomSim
import Queueing
import Testing

/// Issue 14's engine features against known answers: varying acquire timeouts, latency of all
/// requests, reads spread over the primary and the replicas.
struct EngineFeatureTests {
    /// One connection, held for longer than the run by the first request: every later request
    /// waits for it until its acquire timeout and fails then. With `latency_of: all` each failure
    /// is timed, so the recorded latencies are the acquire timeouts themselves.
    static func heldPoolYAML(acquireTimeout: String) -> String {
        """
        simulation: {seed: 5, latency_of: all}
        workload: {open: {rate: 2/s}, mix: {q: 1}}
        pools: {db: {size: 1, scope: shared, acquire_timeout: \(acquireTimeout)}}
        database: {cores: 1}
        endpoints:
          q: {steps: [{query: {pool: db, time: const(10000s)}}]}
        """
    }

    @Test func aVaryingAcquireTimeoutEndsEachWaitWithinItsBoundsAtItsMean() throws {
        let m = try model(Self.heldPoolYAML(acquireTimeout: "uniform(2s, 2.14s)"))
        #expect(m.pools[0].acquireTimeout == .uniform(low: 2, high: 2.14))
        let runs = (0..<4).map { SystemSimulation.run(model: m, replication: $0, warmupSeconds: 10, horizonSeconds: 510) }
        for r in runs {
            let waits = r.endpoints[0].latency
            #expect(waits.count > 900)
            #expect(waits.maxSeconds <= 2.14 + 1e-9)
            // HdrHistogram keeps three significant digits: nothing below 2 s, to within 0.1 %.
            #expect(waits.fractionAtOrBelow(seconds: 1.997) == 0)
            #expect(r.pools[0].acquireTimeouts == waits.count)
        }
        // Mean of uniform(2, 2.14) = 2.07; spread: the interval over replications of the mean.
        let mean = Estimate.studentT(runs.map { $0.endpoints[0].latency.meanSeconds }, confidence: 0.999)
        #expect(mean.contains(2.07), "mean acquire timeout \(mean) vs 2.07")
        #expect(!mean.contains(2.0) && !mean.contains(2.14), "the interval \(mean) tells the mean from either bound")
    }

    @Test func aConstantAcquireTimeoutEndsEveryWaitAtExactlyThatTime() throws {
        let m = try model(Self.heldPoolYAML(acquireTimeout: "2s"))
        #expect(m.pools[0].acquireTimeout == nil && m.pools[0].acquireTimeoutSeconds == 2)
        let r = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 10, horizonSeconds: 510)
        #expect(r.endpoints[0].latency.count > 900)
        #expect(abs(r.endpoints[0].latency.meanSeconds - 2) < 1e-9)
        #expect(abs(r.endpoints[0].latency.maxSeconds - 2) < 1e-9)
    }

    /// Every request sleeps 5 s behind a 1 s client timeout: all time out.
    static func allTimeOutYAML(latencyOf: String) -> String {
        """
        simulation: {seed: 2, latency_of: \(latencyOf)}
        workload: {open: {rate: 20/s}, mix: {slow: 1}}
        endpoints:
          slow: {timeout: 1s, steps: [{sleep: const(5s)}]}
        """
    }

    @Test func latencyOfAllTimesTimedOutRequestsAtTheClientsTimeout() throws {
        let m = try model(Self.allTimeOutYAML(latencyOf: "all"))
        let r = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 10, horizonSeconds: 110)
        let e = r.endpoints[0]
        #expect(e.succeeded == 0 && e.timeouts > 1000)
        #expect(e.latency.count == e.timeouts)
        #expect(abs(e.latency.meanSeconds - 1) < 1e-9 && abs(e.latency.maxSeconds - 1) < 1e-9)
        #expect(abs(e.latency.percentileSeconds(95) - 1) < 0.001)
    }

    @Test func latencyOfSucceededLeavesTimedOutRequestsUntimed() throws {
        let m = try model(Self.allTimeOutYAML(latencyOf: "succeeded"))
        #expect(m.simulation.latencyOf == .succeeded)
        let r = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 10, horizonSeconds: 110)
        #expect(r.endpoints[0].timeouts > 1000)
        #expect(r.endpoints[0].latency.count == 0)
    }

    /// 60 reads/s of exp(10 ms) on one-core nodes (processor sharing): an M/M/1 queue at each
    /// node the reads are spread over, whose mean time in system is 1 / (mu - lambda).
    static func readsYAML(readFrom: String) -> String {
        """
        simulation: {seed: 11}
        workload: {open: {rate: 60/s}, mix: {read: 1}}
        pools: {db: {size: 200, scope: shared}}
        database: {cores: 1, replicas: 1, read_routing: random, read_from: \(readFrom), max_connections: 1000}
        endpoints:
          read: {steps: [{query: {pool: db, time: exp(10ms)}}]}
        """
    }

    @Test func readsFromAllSplitTheLoadBetweenPrimaryAndReplica() throws {
        let m = try model(Self.readsYAML(readFrom: "all"))
        #expect(m.database?.readFrom == .all)
        let mean = estimate(m, warmup: 50, horizon: 650) { $0.endpoints[0].latency.meanSeconds }
        let theory = 1 / (100.0 - 30)  // each node: lambda = 30/s
        #expect(mean.contains(theory), "simulated \(mean) vs M/M/1 at 30/s \(theory)")
        let r = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 50, horizonSeconds: 650)
        let share = Double(r.database!.nodes[0].queries) / Double(r.database!.nodes.map(\.queries).reduce(0, +))
        // Binomial: half the reads on the primary, within 4 standard deviations of ~36,000.
        #expect(abs(share - 0.5) < 4 * (0.25 / 36_000).squareRoot(), "primary's share of reads \(share)")
    }

    @Test func readsFromReplicasLeaveThePrimaryIdle() throws {
        let m = try model(Self.readsYAML(readFrom: "replicas"))
        let mean = estimate(m, warmup: 50, horizon: 650) { $0.endpoints[0].latency.meanSeconds }
        let theory = 1 / (100.0 - 60)  // the replica takes all 60/s
        #expect(mean.contains(theory), "simulated \(mean) vs M/M/1 at 60/s \(theory)")
        let r = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 50, horizonSeconds: 650)
        #expect(r.database!.nodes[0].queries == 0)
    }
}

/// A cache server that can saturate, against M/M/1.
struct CacheServerTests {
    @Test func aOneThreadCacheServerQueuesLookupsAsAnMM1Queue() throws {
        // 500 lookups/s, every one a hit, on one server taking exp(1 ms): rho = 0.5, mean time
        // in system 1 / (mu - lambda) = 2 ms; the server is busy half the time.
        let m = try model("""
            simulation: {seed: 9}
            workload: {open: {rate: 500/s}, mix: {get: 1}}
            caches: {redis: {scope: shared, hit_ratio: 100%, server: {servers: 1, time: exp(1ms)}}}
            endpoints:
              get: {steps: [{cache: redis}]}
            """)
        #expect(m.caches[0].server == CacheServer(servers: 1, time: .exponential(mean: 0.001)))
        let mean = estimate(m, warmup: 10, horizon: 210) { $0.endpoints[0].latency.meanSeconds }
        #expect(mean.contains(0.002), "simulated \(mean) vs M/M/1 2 ms")
        let busy = estimate(m, warmup: 10, horizon: 210) { $0.caches[0].serverUtilization ?? -1 }
        #expect(busy.contains(0.5), "server utilization \(busy) vs 0.5")
    }

    /// 250 requests/s, half of them misses: 250 lookups and 125 fills a second at the server.
    static func fillsYAML(server: String) -> String {
        """
        simulation: {seed: 3}
        workload: {open: {rate: 250/s}, mix: {get: 1}}
        caches: {redis: {scope: shared, hit_ratio: 50%, server: \(server)}}
        endpoints:
          get: {steps: [{cache: redis, miss: [{sleep: 2ms}]}]}
        """
    }

    @Test func aFillIsACommandAtTheServerTakingTheLookupsTimeByDefault() throws {
        // Utilization law: (250 + 125)/s x 1 ms = 0.375, whatever the queueing.
        let m = try model(Self.fillsYAML(server: "{servers: 1, time: exp(1ms)}"))
        #expect(m.caches[0].server?.effectiveFillTime == .exponential(mean: 0.001))
        let busy = estimate(m, warmup: 10, horizon: 60) { $0.caches[0].serverUtilization ?? -1 }
        #expect(busy.contains(0.375), "server utilization \(busy) vs 0.375")
    }

    @Test func aFillTakesItsOwnTimeWhenGiven() throws {
        // (250 x 1 ms + 125 x 3 ms)/s = 0.625.
        let m = try model(Self.fillsYAML(server: "{servers: 1, time: exp(1ms), fill_time: exp(3ms)}"))
        let busy = estimate(m, warmup: 10, horizon: 60) { $0.caches[0].serverUtilization ?? -1 }
        #expect(busy.contains(0.625), "server utilization \(busy) vs 0.625")
    }

    @Test func aClientPoolOfOneConnectionQueuesCommandsAsAnMM1Queue() throws {
        // One instance, one connection to a server with four threads: the connection, not the
        // server, is the single server of an M/M/1 queue: 500/s on exp(1 ms), 2 ms in system,
        // the connection busy half the time, the server's four threads an eighth.
        let m = try model("""
            simulation: {seed: 4}
            workload: {open: {rate: 500/s}, mix: {get: 1}}
            instances: {count: 1}
            caches: {redis: {scope: shared, hit_ratio: 100%, server: {servers: 4, time: exp(1ms), connections: 1}}}
            endpoints:
              get: {steps: [{cache: redis}]}
            """)
        #expect(m.caches[0].server?.connectionsPerInstance == 1)
        let e = estimates(m, warmup: 10, horizon: 110, [
            { $0.endpoints[0].latency.meanSeconds }, { $0.caches[0].connectionUtilization ?? -1 },
            { $0.caches[0].connectionMeanWaitSeconds ?? -1 }, { $0.caches[0].serverUtilization ?? -1 }])
        let (mean, connections, wait, server) = (e[0], e[1], e[2], e[3])
        #expect(mean.contains(0.002), "simulated \(mean) vs M/M/1 2 ms")
        #expect(connections.contains(0.5), "connection utilization \(connections) vs 0.5")
        // M/M/1 wait in queue: rho / (mu - lambda) = 0.5 / 500 = 1 ms.
        #expect(wait.contains(0.001), "wait for a connection \(wait) vs 1 ms")
        #expect(server.contains(0.125), "server utilization \(server) vs 0.125")
    }

    @Test func aClientConnectionTimeoutAbandonsAsMM1WithDeterministicPatience() throws {
        // One connection, 900/s on exp(1 ms) (rho 0.9), commands give up after 2 ms in the queue:
        // M/M/1+D. The requests that give up fail; the connection carries the rest.
        let m = try model("""
            simulation: {seed: 6}
            workload: {open: {rate: 900/s}, mix: {get: 1}}
            instances: {count: 1}
            caches: {redis: {scope: shared, hit_ratio: 100%, server: {servers: 4, time: exp(1ms), connections: 1, connection_timeout: 2ms}}}
            endpoints:
              get: {steps: [{cache: redis}]}
            """)
        #expect(m.caches[0].server?.connectionTimeoutSeconds == 0.002)
        let q = try MMcDQueue(arrivalRatePerSecond: 900, meanServiceSeconds: 0.001, servers: 1, patienceSeconds: 0.002)
        let e = estimates(m, warmup: 5, horizon: 65, [
            { r in Double(r.caches[0].connectionTimeouts ?? -1) / (900 * r.observedSeconds) },
            { r in Double(r.endpoints[0].errors) / Double(r.endpoints[0].attempts) },
            { $0.caches[0].connectionUtilization ?? -1 }])
        #expect(e[0].contains(q.probabilityOfAbandonment), "gave up \(e[0]) vs M/M/1+D \(q.probabilityOfAbandonment)")
        #expect(e[1].contains(q.probabilityOfAbandonment), "failed requests \(e[1]) vs \(q.probabilityOfAbandonment)")
        #expect(e[2].contains(q.utilization), "connection utilization \(e[2]) vs \(q.utilization)")
    }

    @Test func withOnTimeoutMissACommandThatGaveUpTakesTheMissPathInsteadOfFailing() throws {
        // The M/M/1+D queue above; the commands that give up now count as misses and their
        // requests sleep 5 ms on the miss path (the fill after it also queues and may give up).
        let m = try model("""
            simulation: {seed: 6}
            workload: {open: {rate: 900/s}, mix: {get: 1}}
            instances: {count: 1}
            caches: {redis: {scope: shared, hit_ratio: 100%, server: {servers: 4, time: exp(1ms), connections: 1, connection_timeout: 2ms, on_timeout: miss}}}
            endpoints:
              get: {steps: [{cache: redis, miss: [{sleep: 5ms}]}]}
            """)
        #expect(m.caches[0].server?.onTimeout == .miss)
        let e = estimates(m, warmup: 5, horizon: 65, [
            { r in Double(r.endpoints[0].errors) },
            { r in 1 - r.caches[0].hitRate },
            // Timeouts beyond the misses: fills that gave up (every miss is a lookup that gave up,
            // the hit ratio being 100 %).
            { r in Double((r.caches[0].connectionTimeouts ?? -1) - (r.caches[0].lookups - r.caches[0].hits)) }])
        #expect(e[0].mean == 0 && e[0].halfWidth == 0, "no request fails: \(e[0])")
        // The lookups alone are the M/M/1+D queue above, 900/s; each miss adds at most one fill
        // command, so the commands arrive at between 900/s and 1800/s and the share of lookups
        // that give up (the miss share) lies between M/M/1+D's P(abandon) at those two rates.
        let alone = try MMcDQueue(arrivalRatePerSecond: 900, meanServiceSeconds: 0.001, servers: 1, patienceSeconds: 0.002)
        let doubled = try MMcDQueue(arrivalRatePerSecond: 1800, meanServiceSeconds: 0.001, servers: 1, patienceSeconds: 0.002)
        #expect(e[1].lower > alone.probabilityOfAbandonment && e[1].upper < doubled.probabilityOfAbandonment,
                "misses \(e[1]) vs P(abandon) \(alone.probabilityOfAbandonment) at 900/s, \(doubled.probabilityOfAbandonment) at 1800/s")
        // Fills queue too, and some give up: the interval excludes 0.
        #expect(e[2].lower > 0, "fills that gave up \(e[2])")
    }
}
