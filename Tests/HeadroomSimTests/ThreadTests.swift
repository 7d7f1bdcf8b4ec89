import HeadroomKernel
import HeadroomModel
import HeadroomSim
import Queueing
import Testing

/// Request threads (`instances.threads`: Tomcat, Puma, gunicorn sync) against exact cases: the
/// threads of one instance with one exponential step and nothing else held are M/M/c/K (c
/// threads, K = c + accept queue); a thread held through the wait for a pool connection makes
/// the pool and the threads one M/M/1/K. Intervals are the suite's 99.9 % Student-t intervals
/// over 8 replications (Support.swift).
@Suite("Request threads")
struct ThreadTests {
    @Test func threadsWithAnAcceptQueueAndOneExponentialStepAreMMcK() throws {
        // 40 requests/s on 4 threads of exp(100ms) (a = 4 erlangs, rho = 1) with room for 3 in
        // the accept queue: M/M/4/7. A `sleep` holds nothing but the thread.
        let m = try model("""
            simulation: {seed: 11}
            workload: {open: {rate: 40/s}, mix: {work: 1}}
            instances: {count: 1, threads: {max: 4, accept_queue: 3}}
            endpoints:
              work: {steps: [{sleep: exp(100ms)}]}
            """)
        let theory = try MMcKQueue(arrivalRatePerSecond: 40, meanServiceSeconds: 0.1, servers: 4, capacity: 7)
        let e = estimates(m, warmup: 50, horizon: 1050, [
            { $0.endpoints[0].rejectedRate }, { $0.endpoints[0].latency.meanSeconds },
            { $0.threads!.utilization }, { $0.threads!.meanInAcceptQueue },
            { Double($0.endpoints[0].errors) },
        ])
        #expect(e[0].contains(theory.blockingProbability), "refused \(e[0]) vs M/M/4/7 P_K \(theory.blockingProbability)")
        #expect(e[1].contains(theory.meanResponseSeconds), "mean response \(e[1]) vs M/M/4/7 W \(theory.meanResponseSeconds)")
        #expect(e[2].contains(theory.utilization), "thread utilization \(e[2]) vs \(theory.utilization)")
        #expect(e[3].contains(theory.meanQueueLength), "accept queue \(e[3]) vs Lq \(theory.meanQueueLength)")
        // A refused request is its own kind of failure, not an error.
        #expect(e[4].mean == 0)
    }

    @Test func anUnboundedAcceptQueueNeverRefusesAndQueuesAsErlangC() throws {
        // `threads: 4` alone: the accept queue is unbounded, so 32 requests/s on 4 threads of
        // exp(100ms) is M/M/4 (rho = 0.8): nothing refused, the wait is Erlang C's.
        let m = try model("""
            simulation: {seed: 12}
            workload: {open: {rate: 32/s}, mix: {work: 1}}
            instances: {threads: 4}
            endpoints:
              work: {steps: [{sleep: exp(100ms)}]}
            """)
        let theory = try MMcQueue(arrivalRatePerSecond: 32, meanServiceSeconds: 0.1, servers: 4)
        let e = estimates(m, warmup: 50, horizon: 1050, [
            { Double($0.endpoints[0].rejected) }, { $0.threads!.meanAcceptQueueWaitSeconds },
        ])
        #expect(e[0].mean == 0)
        #expect(e[1].contains(theory.meanWaitSeconds), "accept queue wait \(e[1]) vs Erlang C \(theory.meanWaitSeconds)")
    }

    @Test func aThreadIsHeldWhileItsRequestWaitsForAPoolConnection() throws {
        // One pool connection, 3 threads and no accept queue: a request holds its thread while
        // it waits for the connection, so at most 3 are in the system, one querying and two
        // waiting: M/M/1/3 at the connection (exp(100ms) queries at 8/s, a database with cores
        // to spare). Were the thread given back while waiting, nothing would ever be refused.
        let m = try model("""
            simulation: {seed: 13}
            workload: {open: {rate: 8/s}, mix: {read: 1}}
            instances: {count: 1, threads: {max: 3, accept_queue: 0}}
            pools: {db: {size: 1}}
            database: {cores: 16}
            endpoints:
              read: {steps: [{query: {pool: db, time: exp(100ms)}}]}
            """)
        let theory = try MMcKQueue(arrivalRatePerSecond: 8, meanServiceSeconds: 0.1, servers: 1, capacity: 3)
        let e = estimates(m, warmup: 50, horizon: 2050, [
            { $0.endpoints[0].rejectedRate }, { $0.endpoints[0].latency.meanSeconds }, { $0.threads!.meanBusyThreads },
        ])
        #expect(e[0].contains(theory.blockingProbability), "refused \(e[0]) vs M/M/1/3 P_K \(theory.blockingProbability)")
        #expect(e[1].contains(theory.meanResponseSeconds), "mean response \(e[1]) vs M/M/1/3 W \(theory.meanResponseSeconds)")
        #expect(e[2].contains(theory.meanNumberInSystem), "busy threads \(e[2]) vs L \(theory.meanNumberInSystem)")
    }

    @Test func aModelWithoutThreadsReportsNoThreadsAndRefusesNothing() throws {
        let m = try model("""
            simulation: {seed: 14}
            workload: {open: {rate: 50/s}, mix: {work: 1}}
            endpoints:
              work: {steps: [{sleep: exp(100ms)}]}
            """)
        let r = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 10, horizonSeconds: 100)
        #expect(r.threads == nil)
        #expect(r.endpoints[0].rejected == 0)
    }

    @Test func presetsCarryTheirServersDefaults() throws {
        func threads(_ yaml: String) throws -> RequestThreads? {
            try model("workload: {open: {rate: 1/s}, mix: {a: 1}}\ninstances: \(yaml)\nendpoints: {a: {steps: [{sleep: 1ms}]}}").instances.threads
        }
        #expect(try threads("{threads: {preset: tomcat}}") == RequestThreads(preset: .tomcat, perInstance: 200, acceptQueue: 100))
        #expect(try threads("{workers: 3, threads: {preset: puma}}") == RequestThreads(preset: .puma, perInstance: 15, acceptQueue: 1024))
        #expect(try threads("{workers: 4, threads: {preset: gunicorn_sync}}") == RequestThreads(preset: .gunicornSync, perInstance: 4, acceptQueue: 2048))
        // Tomcat's own spellings override the preset.
        #expect(try threads("{threads: {preset: tomcat, maxThreads: 50, acceptCount: 10}}") == RequestThreads(preset: .tomcat, perInstance: 50, acceptQueue: 10))
        #expect(try threads("{threads: {max: 8, accept_queue: unbounded}}") == RequestThreads(perInstance: 8, acceptQueue: nil))
    }

    @Test func threadsWithBothMaxAndPerWorkerAreRefusedNamingTheKey() throws {
        let yaml = "workload: {open: {rate: 1/s}, mix: {a: 1}}\ninstances: {threads: {max: 8, per_worker: 2}}\nendpoints: {a: {steps: [{sleep: 1ms}]}}"
        #expect {
            _ = try model(yaml)
        } throws: { error in
            "\(error)".contains("instances.threads.per_worker") && "\(error)".contains("not both")
        }
    }
}
