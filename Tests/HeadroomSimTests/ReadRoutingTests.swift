import HeadroomKernel
import HeadroomModel
import HeadroomSim
import Testing

/// Where queries run (issue 25, item 3): a transaction's queries on the primary, a read that
/// says `read_from: primary`, and reads at a replica that miss their own request's write
/// because of `replication_lag`.
@Suite("Read routing and replication lag")
struct ReadRoutingTests {
    static func run(_ yaml: String, replication: Int = 0, warmup: Double = 10, horizon: Double = 70) throws -> SystemRunResult {
        SystemSimulation.run(model: try model(yaml), replication: replication, warmupSeconds: warmup, horizonSeconds: horizon)
    }

    @Test func aTransactionsReadsRunOnThePrimaryNotOnAReplica() throws {
        // The case: one replica, a transaction of a read and a write at 50/s. Its
        // connection is on the primary, so both queries run there: the replica gets none
        // (it got 49.7 queries/s before).
        let r = try Self.run("""
            workload: {open: {rate: 50/s}, endpoint: order}
            pools: {db: {size: 20}}
            database: {cores: 4, replicas: 1}
            endpoints:
              order:
                steps:
                  - transaction: db
                    steps:
                      - query: {kind: read, time: exp(2ms)}
                      - query: {kind: write, time: exp(3ms)}
            """)
        let db = try #require(r.database)
        #expect(db.nodes[1].queries == 0)
        #expect(db.nodes[0].queries == 2 * r.endpoints[0].succeeded, "both queries of every order on the primary")
    }

    @Test func readFromPrimaryKeepsAReadOffTheReplicas() throws {
        let r = try Self.run("""
            workload: {open: {rate: 50/s}, endpoint: profile}
            pools: {db: {size: 20}}
            database: {cores: 4, replicas: 2}
            endpoints:
              profile:
                steps:
                  - query: {kind: write, time: exp(3ms)}
                  - query: {kind: read, time: exp(2ms), read_from: primary}
                  - query: {kind: read, time: exp(2ms)}
            """)
        let db = try #require(r.database)
        let requests = r.endpoints[0].succeeded
        // Round robin over the two replicas: the one routed read of each request alternates.
        #expect(db.nodes[1].queries + db.nodes[2].queries == requests)
        #expect(abs(db.nodes[1].queries - db.nodes[2].queries) <= 1)
        #expect(db.nodes[0].queries == 2 * requests)
    }

    @Test func queriesPerNodeFollowTheMixByTheLawOfTotalProbability() throws {
        // 100 requests/s: browse (50 %) one routed read; profile (20 %) a write and a read
        // from the primary; order (30 %) a transaction of a read and a write. Two replicas,
        // random routing. Primary: 100 (0.2 x 2 + 0.3 x 2) = 100 queries/s; each replica:
        // 100 x 0.5 / 2 = 25 queries/s.
        let m = try model("""
            simulation: {seed: 17}
            workload: {open: {rate: 100/s}, mix: {browse: 0.5, profile: 0.2, order: 0.3}}
            pools: {db: {size: 20}}
            database: {cores: 4, replicas: 2, replica_cores: 2, read_routing: random}
            endpoints:
              browse: {steps: [{query: {kind: read, time: exp(2ms)}}]}
              profile:
                steps:
                  - query: {kind: write, time: exp(3ms)}
                  - query: {kind: read, time: exp(2ms), read_from: primary}
              order:
                steps:
                  - transaction: db
                    steps:
                      - query: {kind: read, time: exp(2ms)}
                      - query: {kind: write, time: exp(3ms)}
            """)
        let e = estimates(m, warmup: 10, horizon: 210, [
            { Double($0.database!.nodes[0].queries) / $0.observedSeconds },
            { Double($0.database!.nodes[1].queries) / $0.observedSeconds },
            { Double($0.database!.nodes[2].queries) / $0.observedSeconds },
        ])
        #expect(e[0].contains(100), "primary \(e[0]) vs 100/s")
        #expect(e[1].contains(25), "replica-1 \(e[1]) vs 25/s")
        #expect(e[2].contains(25), "replica-2 \(e[2]) vs 25/s")
    }

    /// A request writes (5 ms at an idle primary), computes for `gap`, then reads twice: once
    /// routed to the one replica, once from the primary. 10 requests/s, evenly spaced: nothing
    /// queues, so each read starts exactly `gap` after the request's write committed.
    static func lagYAML(gap: String, lag: String) -> String {
        """
        workload: {open: {constant_rate: 10/s}, endpoint: save}
        instances: {count: 1, workers: 4}
        pools: {db: {size: 4}}
        database: {cores: 2, replicas: 1, replication_lag: \(lag)}
        endpoints:
          save:
            steps:
              - query: {kind: write, time: 5ms}
              - cpu: \(gap)
              - query: {kind: read, time: 1ms}
              - query: {kind: read, time: 1ms, read_from: primary}
        """
    }

    @Test func aReadWithinTheLagOfItsRequestsWriteIsStale() throws {
        // Lag 50 ms: a read 10 ms after the write misses it; one 100 ms after sees it.
        let soon = try #require(try Self.run(Self.lagYAML(gap: "10ms", lag: "50ms")).database)
        let requests = soon.nodes[1].queries
        #expect(requests == 600)
        #expect(soon.staleReads == requests)
        #expect(soon.staleReadsAvoided == requests, "every read from the primary would have been stale on the replica")
        let late = try #require(try Self.run(Self.lagYAML(gap: "100ms", lag: "50ms")).database)
        #expect(late.staleReads == 0 && late.staleReadsAvoided == 0)
    }

    @Test func theStaleShareIsTheChanceTheLagOutlastsTheGap() throws {
        // Lag uniform(0, 100 ms), read 30 ms after the write: stale with probability 0.7.
        let m = try model(Self.lagYAML(gap: "30ms", lag: "uniform(0ms, 100ms)"))
        let e = estimate(m, warmup: 10, horizon: 210) { r in
            Double(r.database!.staleReads) / Double(r.database!.nodes[1].queries)
        }
        #expect(e.contains(0.7), "stale share \(e) vs P(lag > 30 ms) = 0.7")
    }

    @Test func readFromPrimaryOnAWriteOrWithoutReplicasIsAWarningNamingItsLine() throws {
        let loaded = try ModelLoader.load(yaml: """
            workload: {open: {rate: 5/s}, endpoint: a}
            pools: {db: {size: 2}}
            database: {replication_lag: 10ms}
            endpoints:
              a: {steps: [{query: {kind: write, time: 1ms, read_from: primary}}]}
            """, fileName: "w.yaml")
        let keys = loaded.warnings.map(\.keyPath)
        #expect(keys.contains("database.replication_lag"), "\(loaded.warnings)")
        #expect(keys.contains("endpoints.a.steps[0].query.read_from"), "\(loaded.warnings)")
        #expect(loaded.warnings.allSatisfy { $0.file == "w.yaml" && $0.line != nil })
    }

    @Test func withoutAWriteNoReadIsStale() throws {
        let r = try Self.run("""
            workload: {open: {rate: 50/s}, endpoint: browse}
            pools: {db: {size: 8}}
            database: {cores: 2, replicas: 1, replication_lag: 1s}
            endpoints:
              browse: {steps: [{query: {kind: read, time: exp(2ms)}}, {query: {kind: read, time: exp(2ms)}}]}
            """)
        #expect(r.database!.staleReads == 0)
        #expect(r.database!.nodes[1].queries > 0)
    }
}
