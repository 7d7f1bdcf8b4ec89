import HeadroomKernel
import HeadroomModel
import HeadroomSim
import Testing

/// Pools that close idle connections (`idle_timeout`, `min_idle`) and PgBouncer in session
/// mode, against answers that follow from the timings alone.
struct ConnectionLifetimeTests {
    /// One user, a 10 ms query every 2 s, a 5 ms connection setup: whether each request finds
    /// its connection still open decides its latency exactly.
    static func oneUserEveryTwoSeconds(pool: String) throws -> SystemRunResult {
        let m = try model("""
            workload: {closed: {users: 1, think_time: const(2s)}, mix: {q: 1}}
            pools: {db: {size: 4, connection_setup: const(5ms), \(pool)}}
            database: {cores: 4}
            endpoints:
              q: {steps: [{query: {pool: db, time: const(10ms)}}]}
            """)
        return SystemSimulation.run(model: m, replication: 0, warmupSeconds: 10, horizonSeconds: 210)
    }

    @Test func connectionIdleLongerThanIdleTimeoutIsClosedAndReopenedAtTheNextRequest() throws {
        let r = try Self.oneUserEveryTwoSeconds(pool: "idle_timeout: 1s")
        let requests = r.endpoints[0].latency.count
        #expect(requests > 90)
        #expect(abs(r.endpoints[0].latency.meanSeconds - 0.015) < 1e-9)
        #expect(abs(r.pools[0].connectionsOpened - requests) <= 1)
        #expect(abs(r.pools[0].idleClosures - requests) <= 1)
        // Open 15 ms of every 2.015 s, then closed until the next request.
        #expect(abs(r.pools[0].meanOpenConnections - 1.015 / 2.015) < 0.01)
    }

    @Test func connectionReusedWithinIdleTimeoutPaysNoSetup() throws {
        let r = try Self.oneUserEveryTwoSeconds(pool: "idle_timeout: 3s")
        #expect(abs(r.endpoints[0].latency.meanSeconds - 0.010) < 1e-9)
        #expect(r.pools[0].connectionsOpened == 0 && r.pools[0].idleClosures == 0)
        #expect(abs(r.pools[0].meanOpenConnections - 1) < 1e-9)
    }

    @Test func minIdleKeepsConnectionsOpenPastTheIdleTimeout() throws {
        let r = try Self.oneUserEveryTwoSeconds(pool: "idle_timeout: 1s, min_idle: 1")
        #expect(abs(r.endpoints[0].latency.meanSeconds - 0.010) < 1e-9)
        #expect(r.pools[0].idleClosures == 0)
    }

    @Test func idleConnectionsAreReusedMostRecentFirstSoTheOthersExpire() throws {
        // A 10 s burst at 800/s (8 erlangs of 10 ms queries) opens all 8 connections; then 2/s
        // keeps reusing the most recently released one, and the rest close 2 s after the burst.
        func run(_ idleTimeout: String) throws -> SystemRunResult {
            let m = try model("""
                simulation: {seed: 4}
                workload:
                  open:
                    phases:
                      - {duration: 10s, rate: 800/s}
                      - {duration: 100s, rate: 2/s}
                  mix: {q: 1}
                pools: {db: {size: 8, \(idleTimeout)}}
                database: {cores: 8}
                endpoints:
                  q: {steps: [{query: {pool: db, time: const(10ms)}}]}
                """)
            return SystemSimulation.run(model: m, replication: 0, warmupSeconds: 10, horizonSeconds: 110)
        }
        let reaped = try run("idle_timeout: 2s"), kept = try run("idle_timeout: none")
        #expect(kept.pools[0].peakOpenConnections == 8 && abs(kept.pools[0].meanOpenConnections - 8) < 1e-9)
        #expect(reaped.pools[0].peakOpenConnections == 8)
        #expect(reaped.pools[0].idleClosures >= 6)
        #expect(reaped.pools[0].meanOpenConnections < 2)
    }

    /// Three instances, a pool of one connection each, through a PgBouncer with two server
    /// connections. In session mode a client connection keeps its server connection while it
    /// is open, so the third instance's connection never gets one.
    static func threeInstancesTwoServers(mode: String, idleTimeout: String) throws -> SystemRunResult {
        let m = try model("""
            workload: {closed: {users: 3, think_time: const(200ms)}, mix: {q: 1}}
            instances: {count: 3, balancer: round_robin}
            poolers: {bouncer: {server_connections: 2, query_wait_timeout: 1s, mode: \(mode)}}
            pools: {db: {size: 1, via: bouncer, \(idleTimeout)}}
            database: {cores: 4}
            endpoints:
              q: {steps: [{query: {pool: db, time: const(10ms)}}]}
            """)
        return SystemSimulation.run(model: m, replication: 0, warmupSeconds: 5, horizonSeconds: 105)
    }

    @Test func sessionModePinsServerConnectionsToOpenClientConnections() throws {
        let session = try Self.threeInstancesTwoServers(mode: "session", idleTimeout: "idle_timeout: none")
        let transaction = try Self.threeInstancesTwoServers(mode: "transaction", idleTimeout: "idle_timeout: none")
        #expect(transaction.poolers[0].waitTimeouts == 0)
        #expect(transaction.endpoints[0].errors == 0)
        // In session mode the two server connections stay with the first two instances' client
        // connections, so every request round robin sends to the third fails after its 1 s
        // query_wait_timeout: one request in three, exactly, give or take the requests in flight
        // at the window's two edges (at most the 3 users at each) and round robin's remainder (1).
        let s = session.endpoints[0]
        #expect(abs(Double(s.errors) - Double(s.attempts) / 3) <= 7, "\(s.errors) errors of \(s.attempts) attempts")
        #expect(s.errors > 50)   // about 100 s / (1 s + 200 ms) per starved slot: not a handful
        #expect(abs(Double(session.poolers[0].waitTimeouts) - Double(s.errors)) <= 3,
                "\(session.poolers[0].waitTimeouts) waits timed out, \(s.errors) requests failed")
    }

    @Test func sessionModeReleasesTheServerWhenThePoolClosesItsIdleConnection() throws {
        // Idle 200 ms between requests, closed after 50 ms: servers go back before the next use.
        let r = try Self.threeInstancesTwoServers(mode: "session", idleTimeout: "idle_timeout: 50ms")
        #expect(r.poolers[0].waitTimeouts == 0)
        #expect(r.endpoints[0].errors == 0)
    }
}
