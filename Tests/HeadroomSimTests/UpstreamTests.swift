import HeadroomKernel
import HeadroomModel
import HeadroomSim
import Queueing
import Testing

/// HTTP upstreams (`upstreams:` and `http` steps) against exact cases: the upstream's servers
/// as M/M/c, a client pool of one connection as M/M/1 (and M/M/1+D with an acquire timeout),
/// retries of error answers as independent trials. Intervals are the suite's 99.9 % Student-t
/// intervals over 8 replications (Support.swift).
@Suite("HTTP upstreams")
struct UpstreamTests {
    @Test func anUpstreamBehindAPoolLargerThanItsServersQueuesAsErlangC() throws {
        // 40 calls/s on 5 servers of exp(100ms): a = 4 erlangs, rho = 0.8. 50 client connections
        // never bind (the pool has room for every call), so the calls queue at the upstream:
        // M/M/5, and the queue is the upstream's, not the pool's.
        let m = try model("""
            simulation: {seed: 5}
            workload: {open: {rate: 40/s}, mix: {pay: 1}}
            upstreams: {payments: {servers: 5, time: exp(100ms), connections: 50}}
            endpoints:
              pay: {steps: [{http: payments}]}
            """)
        let theory = try MMcQueue(arrivalRatePerSecond: 40, meanServiceSeconds: 0.1, servers: 5)
        let e = estimates(m, warmup: 100, horizon: 2100, [
            { $0.upstreams[0].serverWaits.meanSeconds }, { $0.upstreams[0].serverUtilization },
            { $0.upstreams[0].connectionWaits!.meanSeconds },
        ])
        #expect(e[0].contains(theory.meanWaitSeconds), "upstream wait \(e[0]) vs Erlang C \(theory.meanWaitSeconds)")
        #expect(e[1].contains(0.8), "upstream utilization \(e[1]) vs 0.8")
        #expect(e[2].mean < 1e-4, "a pool of 50 for 4 erlangs made calls wait \(e[2].mean) s")
    }

    @Test func aClientPoolOfOneConnectionWithExponentialCallsIsMM1() throws {
        // One instance, one connection, 6 calls/s of exp(100ms): the connection is an M/M/1
        // server (rho = 0.6), a call waits rho / (mu - lambda) = 0.15 s for it, and the upstream
        // (4 servers) never sees two calls at once, so nobody waits there.
        let m = try model("""
            simulation: {seed: 6}
            workload: {open: {rate: 6/s}, mix: {pay: 1}}
            upstreams: {payments: {servers: 4, time: exp(100ms), connections: 1}}
            endpoints:
              pay: {steps: [{http: payments}]}
            """)
        let e = estimates(m, warmup: 100, horizon: 4100, [
            { $0.upstreams[0].connectionWaits!.meanSeconds }, { $0.upstreams[0].connectionUtilization! },
            { $0.upstreams[0].serverWaits.maxSeconds },
        ])
        #expect(e[0].contains(0.15), "connection wait \(e[0]) vs M/M/1 0.15 s")
        #expect(e[1].contains(0.6), "connection utilization \(e[1]) vs 0.6")
        #expect(e[2].mean == 0, "the upstream queued a call: max wait \(e[2].mean)")
    }

    @Test func anAcquireTimeoutOnAPoolOfOneMakesCallsGiveUpAsMM1PlusD() throws {
        // As above at 8 calls/s (rho = 0.8), waiting at most 100 ms for the connection: M/M/1+D.
        let m = try model("""
            simulation: {seed: 7}
            workload: {open: {rate: 8/s}, mix: {pay: 1}}
            upstreams: {payments: {servers: 4, time: exp(100ms), connections: 1, acquire_timeout: 100ms}}
            endpoints:
              pay: {steps: [{http: payments}]}
            """)
        let theory = try MMcDQueue(arrivalRatePerSecond: 8, meanServiceSeconds: 0.1, servers: 1, patienceSeconds: 0.1)
        let e = estimates(m, warmup: 100, horizon: 4100, [
            { r in let u = r.upstreams[0]; return Double(u.acquireTimeouts!) / Double(u.sent + u.acquireTimeouts!) },
            { r in r.endpoints[0].errorRate },
        ])
        #expect(e[0].contains(theory.probabilityOfAbandonment), "gave up \(e[0]) vs M/M/1+D \(theory.probabilityOfAbandonment)")
        // Every call that gave up failed its request, and nothing else failed.
        #expect(e[1].contains(theory.probabilityOfAbandonment), "request errors \(e[1])")
    }

    @Test func errorAnswersAreRetriedAndARequestSucceedsWithOneMinusPToTheAttempts() throws {
        // 30 % of answers are errors; the endpoint tries 3 times: a request fails only if all
        // three answers are errors, so it succeeds with 1 - 0.3^3 = 0.973.
        let m = try model("""
            simulation: {seed: 8}
            workload: {open: {rate: 50/s}, mix: {pay: 1}}
            upstreams: {payments: {servers: 50, time: exp(20ms), error_probability: 30%}}
            endpoints:
              pay:
                retry: {max_attempts: 3, backoff: 1ms, retry_on: [error]}
                steps: [{http: payments}]
            """)
        let e = estimates(m, warmup: 10, horizon: 410, [
            { r in let t = r.endpoints[0]; return Double(t.succeeded) / Double(t.attempts - t.retries) },
            { r in let u = r.upstreams[0]; return Double(u.errors) / Double(u.sent) },
        ])
        #expect(e[0].contains(1 - 0.3 * 0.3 * 0.3), "requests that succeeded \(e[0]) vs 1 - 0.3^3")
        #expect(e[1].contains(0.3), "error answers \(e[1]) vs 0.3")
    }

    @Test func theClientsTimeoutFailsTheCallThenWhileTheUpstreamFinishesTheWork() throws {
        // A call every 100 ms exactly, each taking 50 ms at the upstream, so none ever queues;
        // the client waits 30 ms: every call fails at exactly 30 ms, and the upstream still
        // works 50 ms on each, so one of its 2 servers is busy half the time: 25 %, exactly (up
        // to the phase of the window's ends: one call in 20,000).
        let m = try model("""
            simulation: {latency_of: all, seed: 9}
            workload: {open: {constant_rate: 10/s}, mix: {pay: 1}}
            upstreams: {payments: {servers: 2, time: const(50ms), connections: 4, timeout: 30ms}}
            endpoints:
              pay: {steps: [{http: payments}]}
            """)
        let r = SystemSimulation.run(model: m, replication: 0, warmupSeconds: 10, horizonSeconds: 2010)
        let u = r.upstreams[0]
        #expect(abs(u.sent - 20_000) <= 1 && u.succeeded == 0 && u.errors == 0)
        // A call sent before the warm-up ended may time out after it, one sent at the end may not have yet.
        #expect(abs(u.timeouts - u.sent) <= 1)
        #expect(r.endpoints[0].errors == r.endpoints[0].attempts)
        // latency_of: all times the failures: every one at the client's 30 ms.
        #expect(abs(r.endpoints[0].latency.meanSeconds - 0.03) < 1e-4)
        #expect(abs(u.serverUtilization - 0.25) < 1e-4, "upstream utilization \(u.serverUtilization) vs 0.25")
    }

    @Test func aModelWithoutUpstreamsReportsNone() throws {
        let m = try model("""
            workload: {open: {rate: 10/s}, mix: {q: 1}}
            endpoints:
              q: {steps: [{cpu: exp(1ms)}]}
            """)
        #expect(SystemSimulation.run(model: m, replication: 0, warmupSeconds: 1, horizonSeconds: 11).upstreams.isEmpty)
    }

    @Test func anHTTPStepNamingNoUpstreamIsRefusedAtItsLine() throws {
        let yaml = """
            workload: {open: {rate: 10/s}, mix: {q: 1}}
            upstreams: {payments: {time: exp(10ms)}}
            endpoints:
              q: {steps: [{http: paymnets}]}
            """
        #expect {
            _ = try model(yaml)
        } throws: { error in
            let text = "\(error)"
            return text.contains("test.yaml:4:") && text.contains("no upstream named `paymnets`") && text.contains("payments")
        }
    }

    @Test func anAcquireTimeoutWithoutAClientPoolIsRefused() throws {
        let yaml = """
            workload: {open: {rate: 10/s}, mix: {q: 1}}
            upstreams: {payments: {time: exp(10ms), acquire_timeout: 1s}}
            endpoints:
              q: {steps: [{http: payments}]}
            """
        #expect {
            _ = try model(yaml)
        } throws: { error in
            let text = "\(error)"
            return text.contains("test.yaml:2:") && text.contains("upstreams.payments.acquire_timeout") && text.contains("give `connections`")
        }
    }
}
