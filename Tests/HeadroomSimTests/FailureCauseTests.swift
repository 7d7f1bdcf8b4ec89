import HeadroomKernel
import HeadroomModel
import HeadroomSim
import Testing

/// Where failures happen (issue 25, item 4): every failed attempt is counted once, at the cause
/// the client saw, and a client timeout that takes a request out of a connection queue is a
/// timeout, not an error. Deterministic cases, traced by hand: one pool connection, a constant
/// query time and evenly spaced arrivals.
@Suite("Failure causes")
struct FailureCauseTests {
    static func run(_ yaml: String, warmup: Double, horizon: Double) throws -> EndpointResult {
        SystemSimulation.run(model: try model(yaml), replication: 0, warmupSeconds: warmup, horizonSeconds: horizon).endpoints[0]
    }

    @Test func aClientTimeoutWhileWaitingForThePoolIsATimeoutAtThePoolNotAnError() throws {
        // One connection, a 750 ms query, a request every 500 ms (at 0.5 s, 1 s, ...) and a
        // client timeout of 870 ms that cancels the server's work. Request k arrives at k/2 s.
        // R1 runs 0.5-1.25 (succeeds); R2 gets the connection at 1.25, runs to 2.0 and times
        // out at 1.87 at the database (the running query finishes); R3 gets it at 2.0 (deadline
        // 2.37), times out at the database; R4 gets it at 2.75 (deadline 2.87), times out at the
        // database; R5's deadline 3.37 comes before the connection frees at 3.5: it times out
        // in the pool's queue and leaves it. From R3 on the pattern repeats every 3 requests
        // (the connection serves two 750 ms queries per 1.5 s): two time out at the database,
        // the third (k = 5, 8, 11, ...) in the pool's queue; nothing succeeds, nothing errs.
        // Every timeout fires at arrival + 0.87 s: the window (10 s, 70 s] holds the requests
        // arriving at 9.5 ... 69.0 s, k = 19 ... 138: 120 attempts, 40 of them with k = 2 mod 3.
        let r = try Self.run("""
            workload: {open: {constant_rate: 2/s}, endpoint: api}
            instances: {count: 1}
            pools: {db: {size: 1}}
            database: {cores: 1}
            endpoints:
              api: {timeout: 870ms, cancel_on_timeout: true, pool: db, steps: [{query: 750ms}]}
            """, warmup: 10, horizon: 70)
        #expect(r.attempts == 120)
        #expect(r.succeeded == 0)
        #expect(r.errors == 0, "a client timeout in the pool's queue was counted as an error")
        #expect(r.timeouts == 120)
        #expect(r.failures(.timeoutPoolWait) == 40)
        #expect(r.failures(.timeoutDatabase) == 80)
    }

    @Test func anAcquireTimeoutIsAnErrorAtThePool() throws {
        // The same pool with the pool's own acquire timeout (370 ms) and no client timeout: R1
        // runs 0.5-1.25, R2 waits 250 ms and runs 1.25-2.0, R3 (at 1.5) would wait 500 ms and
        // gives up at 1.87; R4 finds the connection free at 2.0 and the pattern repeats: every
        // third request (k = 3, 6, ...) fails at 0.37 s after it arrived, an error of the pool.
        let r = try Self.run("""
            workload: {open: {constant_rate: 2/s}, endpoint: api}
            instances: {count: 1}
            pools: {db: {size: 1, acquire_timeout: 370ms}}
            database: {cores: 1}
            endpoints:
              api: {pool: db, steps: [{query: 750ms}]}
            """, warmup: 10, horizon: 70)
        // Failures at 0.5k + 0.37 in (10, 70]: k = 21, 24, ..., 138: 40 of them.
        #expect(r.errors == 40)
        #expect(r.failures(.errorPoolAcquireTimeout) == 40)
        #expect(r.timeouts == 0)
        #expect(r.succeeded == 80)
    }

    @Test func aQueryThatFailsIsAnErrorOfTheQuery() throws {
        let r = try Self.run("""
            workload: {open: {constant_rate: 2/s}, endpoint: api}
            pools: {db: {size: 4}}
            database: {cores: 4}
            endpoints:
              api: {pool: db, steps: [{query: {time: 10ms, failure_probability: 100%}}]}
            """, warmup: 10, horizon: 70)
        #expect(r.errors == 120)
        #expect(r.failures(.errorQuery) == 120)
    }

    @Test func aClientTimeoutDuringACPUStepOrACallSaysSo() throws {
        // A single worker and a 300 ms cpu step every 500 ms: each request finds the worker free
        // and its 100 ms timeout fires while it computes. With a 1 s call after a short cpu
        // step and a 400 ms timeout, every timeout fires in the call.
        let cpu = try Self.run("""
            workload: {open: {constant_rate: 2/s}, endpoint: api}
            instances: {count: 1, workers: 1}
            endpoints:
              api: {timeout: 100ms, steps: [{cpu: 300ms}]}
            """, warmup: 10, horizon: 70)
        #expect(cpu.timeouts == 120)
        #expect(cpu.failures(.timeoutCPU) == 120)
        let call = try Self.run("""
            workload: {open: {constant_rate: 2/s}, endpoint: api}
            endpoints:
              api: {timeout: 400ms, steps: [{cpu: 1ms}, {call: {name: vendor, latency: 1s}}]}
            """, warmup: 10, horizon: 70)
        #expect(call.timeouts == 120)
        #expect(call.failures(.timeoutCall) == 120)
    }

    @Test func theCausesAddUpToTheOutcomesTheClientCounted() throws {
        // A busy random model with failures of several kinds: the causes partition the failed
        // attempts (each counted once), and the timeout causes are exactly the timeouts.
        let r = try Self.run("""
            simulation: {seed: 5}
            workload: {open: {rate: 60/s}, endpoint: api}
            instances: {count: 2, workers: 2}
            pools: {db: {size: 3, acquire_timeout: 400ms}}
            database: {cores: 2}
            rate_limiters: {limit: {algorithm: token_bucket, rate: 40/s, burst: 5, key: global}}
            endpoints:
              api:
                timeout: 600ms
                cancel_on_timeout: true
                rate_limiters: [limit]
                pool: db
                steps:
                  - cpu: exp(20ms)
                  - query: {time: exp(60ms), failure_probability: 2%}
                  - call: {name: vendor, latency: exp(50ms), failure_probability: 1%, timeout: 200ms}
            """, warmup: 10, horizon: 130)
        let timeouts = FailureCause.allCases.filter(\.isTimeout).reduce(0) { $0 + r.failures($1) }
        let all = r.failures.reduce(0, +)
        #expect(r.timeouts > 0 && r.errors > 0 && r.rateLimited > 0)
        #expect(timeouts == r.timeouts)
        #expect(all == r.timeouts + r.errors + r.rateLimited + r.rejected)
        #expect(r.failures(.rateLimited) == r.rateLimited)
        #expect(r.failures(.errorOther) == 0)
        #expect(r.failures(.errorQuery) > 0 && r.failures(.errorCall) > 0 && r.failures(.errorPoolAcquireTimeout) > 0)
    }
}
