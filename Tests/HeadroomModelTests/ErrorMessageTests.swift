import Testing
@testable import HeadroomModel

@Suite struct ErrorMessages {
    @Test func unknownKeySuggestsTheClosestValidKey() {
        #expect(errors("""
        workload: {open: {rate: 10/s}}
        pools:
          prisma: {preset: prisma, size: 10, acquire_timout: 10s}
        endpoints: {e: {steps: [{query: 5ms}]}}
        """) == ["test.yaml:3:38: error: `pools.prisma.acquire_timout`: unknown key `acquire_timout`; did you mean `acquire_timeout`?"])
    }

    @Test func aCacheConnectionTimeoutNeedsAClientPool() {
        #expect(errors("""
        workload: {open: {rate: 10/s}}
        caches: {redis: {hit_ratio: 90%, server: {time: exp(1ms), connection_timeout: 200ms}}}
        endpoints: {e: {steps: [{cache: redis}]}}
        """) == ["test.yaml:2:79: error: `caches.redis.server.connection_timeout`: `connection_timeout` is the wait for a client connection: give `connections` (the client pool's size) too"])
    }

    @Test func aCacheOnTimeoutNeedsAConnectionTimeoutAndNamesItsChoices() {
        #expect(errors("""
        workload: {open: {rate: 10/s}}
        caches: {redis: {hit_ratio: 90%, server: {time: exp(1ms), connections: 2, on_timeout: miss}}}
        endpoints: {e: {steps: [{cache: redis}]}}
        """) == ["test.yaml:2:87: error: `caches.redis.server.on_timeout`: `on_timeout` says what a command that gave up waiting for a connection does: give `connection_timeout` too"])
        let bad = errors("""
        workload: {open: {rate: 10/s}}
        caches: {redis: {hit_ratio: 90%, server: {time: exp(1ms), connections: 2, connection_timeout: 5ms, on_timeout: skip}}}
        endpoints: {e: {steps: [{cache: redis}]}}
        """)
        #expect(bad.count == 1 && bad[0].contains("`caches.redis.server.on_timeout`") && bad[0].contains("`fail`") && bad[0].contains("`miss`"), "\(bad)")
    }

    @Test func unknownTopLevelSection() {
        #expect(errors("""
        workload: {open: {rate: 10/s}}
        endpoint: {e: {steps: [{cpu: 5ms}]}}
        endpoints: {e: {steps: [{cpu: 5ms}]}}
        """) == ["test.yaml:2:1: error: `endpoint`: unknown key `endpoint`; did you mean `endpoints`?"])
    }

    @Test func bareNumberDurationNeedsAUnit() {
        #expect(errors("""
        workload: {open: {rate: 10/s}}
        endpoints:
          e:
            timeout: 10
            steps: [{cpu: 5ms}]
        """) == ["test.yaml:4:14: error: `endpoints.e.timeout`: duration needs a unit, e.g. 10ms or 10s (got `10`)"])
    }

    @Test("a bare negative duration is refused wherever a distribution goes, as const(-5ms) is")
    func bareNegativeDurationIsRejected() {
        #expect(errors("""
        workload: {open: {rate: 10/s}}
        endpoints: {e: {steps: [{sleep: -5ms}]}}
        """) == ["test.yaml:2:33: error: `endpoints.e.steps[0].sleep`: a duration must not be negative (got `-5ms`)"])
        #expect(errors("""
        workload: {open: {rate: 10/s}}
        endpoints: {e: {steps: [{cpu: -9223372036854775808ms}]}}
        """) == ["test.yaml:2:31: error: `endpoints.e.steps[0].cpu`: a duration must not be negative (got `-9223372036854775808ms`)"])
        let call = errors("""
        workload: {open: {rate: 10/s}}
        endpoints: {e: {steps: [{call: {latency: -1s}}]}}
        """)
        #expect(call.count == 1 && call[0].contains("a duration must not be negative (got `-1s`)"), "\(call)")
        let unitless = errors("""
        workload: {open: {rate: 10/s}}
        endpoints: {e: {steps: [{cpu: -5}]}}
        """)
        #expect(unitless.count == 1 && unitless[0].contains("must not be negative") && !unitless[0].contains("e.g. -5ms"), "\(unitless)")
    }

    @Test("a rate limiter's window under a microsecond is refused, not run (its window number overflowed)")
    func absurdlyShortRateLimitWindowIsRejected() {
        let bad = errors("""
        workload: {open: {rate: 10/s}}
        rate_limiters:
          l: {algorithm: fixed_window, limit: 5, window: 1e-320min}
        endpoints: {e: {rate_limiters: [l], steps: [{cpu: 5ms}]}}
        """)
        #expect(bad.count == 1 && bad[0].hasPrefix("test.yaml:3:50: error: `rate_limiters.l.window`") && bad[0].contains("less than 1us is not supported"), "\(bad)")
    }

    @Test func negativeRateIsRejected() {
        #expect(errors("""
        workload:
          open: {rate: -5/s}
        endpoints: {e: {steps: [{cpu: 5ms}]}}
        """) == ["test.yaml:2:16: error: `workload.open.rate`: `rate` must be positive, not -5/s"])
    }

    @Test func undefinedPoolReferenceNamesTheDefinedOnes() {
        #expect(errors(withSteps("- query: {pool: dbb, time: 5ms}")) ==
                ["test.yaml:9:23: error: `endpoints.e.steps[0].query.pool`: no pool named `dbb`; did you mean `db`? defined: `db`"])
    }

    @Test func undefinedCacheReference() {
        #expect(errors(withSteps("- cache: nope\n  miss: [{cpu: 1ms}]")) ==
                ["test.yaml:9:16: error: `endpoints.e.steps[0].cache`: no cache named `nope`: the model defines no caches"])
    }

    @Test func absurdSizesAreRejected() {
        #expect(errors("""
        workload:
          closed: {users: 5000000, think_time: exp(1s)}
        pools:
          db: {size: 200000}
        simulation: {horizon: 60d}
        endpoints: {e: {steps: [{cpu: 5ms}]}}
        """) == [
            "test.yaml:2:19: error: `workload.closed.users`: `users` of 5000000 is absurd: more than 1,000,000 is not supported",
            "test.yaml:4:14: error: `pools.db.size`: pool size of 200000 is absurd: more than 100,000 is not supported",
            "test.yaml:5:23: error: `simulation.horizon`: `horizon` of 60d is absurd: more than 30d is not supported",
        ])
    }

    @Test func yamlSyntaxErrorHasALine() {
        #expect(errors("""
        workload:
          open: {rate: 5/s
        endpoints: {e: {steps: [{cpu: 5ms}]}}
        """) == ["test.yaml:3:10: error: YAML syntax error: did not find expected ',' or '}' (while parsing a flow mapping at line 2)"])
    }

    @Test func probabilityOutsideZeroOne() {
        #expect(errors(withSteps("- query: {time: 5ms, failure_probability: 1.5}")) ==
                ["test.yaml:9:49: error: `endpoints.e.steps[0].query.failure_probability`: `failure_probability` must be between 0 and 1 (or 0% and 100%), not 1.5"])
    }

    @Test func unknownStepKind() {
        #expect(errors(withSteps("- qeury: 5ms")) ==
                ["test.yaml:9:9: error: `endpoints.e.steps[0].qeury`: unknown step `qeury`; did you mean `query`?"])
    }

    @Test func unknownEnumValueSuggests() {
        #expect(errors(withSteps("- cpu: 1ms", extra: "instances: {balancer: round_robbin}")) ==
                ["test.yaml:5:23: error: `instances.balancer`: unknown balancer `round_robbin`; did you mean `round_robin`?"])
    }

    @Test func severalErrorsAreReportedTogetherInFileOrder() {
        let e = errors("""
        workload: {open: {rate: 0/s}}
        pools:
          db: {sise: 4}
        endpoints: {e: {steps: [{cpu: 5}]}}
        """)
        #expect(e.count == 4)
        #expect(e.first?.hasPrefix("test.yaml:1:25:") == true)
        // File order: (line, column) of every error ascending, and every line with a mistake named.
        let places = e.map { line -> [Int] in
            line.split(separator: ":").dropFirst().prefix(2).map { Int($0) ?? -1 }
        }
        #expect(places == places.sorted { $0.lexicographicallyPrecedes($1) }, "\(e)")
        #expect(Set(places.map(\.first)) == [1, 3, 4], "\(e)")
    }

    @Test func errorsCarryFileLineColumnAndKeyPath() {
        do {
            _ = try ModelLoader.load(yaml: withSteps("- cpu: 5"), fileName: "m.yaml")
            Issue.record("loaded")
        } catch {
            let e = error.errors[0]
            #expect(e.file == "m.yaml" && e.line == 9 && e.column == 14 && e.keyPath == "endpoints.e.steps[0].cpu")
        }
    }

    @Test func duplicateKeysAreAnError() {
        let e = errors("workload: {open: {rate: 1/s}}\nendpoints: {e: {steps: [{cpu: 1ms}]}}\nworkload: {open: {rate: 2/s}}")
        #expect(e.count == 1 && e[0].contains("duplicate key(s) `workload`"))
    }

    @Test func queryInsideATransactionMustUseItsPool() {
        #expect(errors(withSteps("""
        - transaction: db
          steps:
            - query: {pool: other, time: 1ms}
        """, extra: "  other: {size: 2, acquire_timeout: 1s}")) ==
            ["test.yaml:11:27: error: `endpoints.e.steps[0].steps[0].query.pool`: this query is inside a transaction on pool `db`: it uses the transaction's connection, not pool `other`"])
    }

    @Test func undefinedRateLimiter() {
        #expect(errors("""
        workload: {open: {rate: 1/s}}
        endpoints: {e: {rate_limiters: [api], steps: [{cpu: 1ms}]}}
        """) == ["test.yaml:2:32: error: `endpoints.e.rate_limiters`: no rate limiter named `api`: the model defines no rate limiters"])
    }

    @Test func networkAndWebBackendAreExclusive() {
        let e = errors("""
        workload: {open: {rate: 1/s}}
        endpoints: {e: {steps: [{cpu: 1ms}]}}
        network: {arrivals: {s: 1/s}, stations: {s: {service: exp(1ms)}}}
        """)
        #expect(e == ["test.yaml:3:10: error: `network`: a model is either a web backend (workload, endpoints, ...) or a plain queueing `network`, not both"])
    }

    @Test func missingFileIsAnError() {
        #expect(throws: ModelErrors.self) { try ModelLoader.load(path: "/nonexistent/model.yaml") }
    }
}

@Suite struct Warnings {
    @Test func poolWithoutAcquireTimeoutWaitsForever() {
        let w = load(withSteps("- query: 1ms").replacingOccurrences(of: "{size: 10, acquire_timeout: 1s}", with: "{preset: node_postgres}"))?.warnings ?? []
        #expect(w.map(\.message).contains("pool `db` has no acquire timeout: a request waits for a connection forever (node-postgres default)"))
    }

    @Test func connectionsBeyondMaxConnections() {
        let w = load(withSteps("- query: 1ms", extra: "instances: {count: 12}\ndatabase: {max_connections: 100}"))?.warnings ?? []
        #expect(w.map(\.message).contains("the pools can open 120 connections (db: 120) but the database allows 100: attempts beyond it fail"))
    }

    @Test func phasesShorterThanTheHorizon() {
        let w = load("workload: {open: {phases: [{duration: 1min, rate: 1/s}]}}\nendpoints: {e: {steps: [{cpu: 1ms}]}}")?.warnings ?? []
        #expect(w.map(\.message).contains("the phases last 1min but the horizon is 10min: no requests arrive after the last phase"))
    }

    @Test func sessionModePoolerWithMoreKeptClientConnectionsThanServers() {
        func warnings(_ pool: String) -> [String] {
            (load("""
                workload: {open: {rate: 10/s}}
                instances: {count: 6}
                poolers: {bouncer: {server_connections: 40, max_client_connections: 400, mode: session}}
                pools: {app: {\(pool), via: bouncer}}
                endpoints: {e: {steps: [{query: 1ms}]}}
                """)?.warnings ?? []).map(\.message)
        }
        let hikari = warnings("preset: hikari")
        #expect(hikari.contains { $0.hasPrefix("in session mode each open client connection keeps a server connection: the pools through `bouncer` can keep 60 client connections open for good") })
        #expect(!warnings("preset: node_postgres").contains { $0.hasPrefix("in session mode") })
        #expect(warnings("preset: node_postgres, min_idle: 7").contains { $0.contains("can keep 42 client connections") })
    }

    /// Overload is a what-if: the model loads. The warning is `Analysis`'s, printed once (the
    /// loader used to print a second, cruder one that ignored stretched holds and timeouts).
    @Test func overloadIsLegalAndLeftToTheAnalysis() {
        // 10/s holding a connection of the 10-connection pool for 1 s each: offered utilization 1.
        // The loader says nothing at all (Analysis's warning is tested in AnalysisTests).
        let loaded = load(withSteps("- query: 1s"))
        #expect(loaded != nil)
        #expect(loaded?.warnings.map(\.message) == [])
    }
}

@Suite("Long quotes in diagnostics")
struct LongQuoteTests {
    @Test("A quote longer than the limit is cut to its start and its length; short ones and the text around them stay")
    func longQuotesAreClipped() {
        let long = String(repeating: "x", count: 10_000)
        let text = "m.yaml:1:1: error: expected a mapping, found `\(long)`; see `docs/model-reference.md`"
        let clipped = clippingLongQuotes(text)
        #expect(clipped == "m.yaml:1:1: error: expected a mapping, found `\(String(repeating: "x", count: 100))… (10000 characters)`; see `docs/model-reference.md`")
        let short = "e: `a`, `/a/path/\(String(repeating: "p", count: 500))` and a long tail " + String(repeating: "y", count: 2000)
        #expect(clippingLongQuotes(short) == short)
        #expect(clippingLongQuotes(clipped) == clipped)
    }

    @Test("An unclosed quote running to the end is clipped too")
    func unclosedQuoteIsClipped() {
        let text = "error: found `" + String(repeating: "z", count: 3000)
        #expect(clippingLongQuotes(text) == "error: found `" + String(repeating: "z", count: 100) + "… (3000 characters)")
    }

    @Test("A model error's description clips a huge key path")
    func modelErrorClipsKeyPath() {
        let key = String(repeating: "k", count: 5_000)
        let e = ModelError(file: "m.yaml", line: 2, column: 1, keyPath: key, message: "unknown key")
        #expect(e.description.count < 250)
        #expect(e.description.hasPrefix("m.yaml:2:1: error: `kkkk"))
    }
}

@Suite struct HostErrorMessages {
    @Test func aPlacementOnAnUndefinedHostNamesFileLineAndKey() {
        #expect(errors("""
        workload: {open: {rate: 10/s}}
        hosts: {db1: {cores: 2}}
        database: {host: db2}
        endpoints: {e: {steps: [{cpu: 5ms}]}}
        """) == ["test.yaml:3:18: error: `database.host`: no host named `db2`; did you mean `db1`? defined: `db1`"])
    }

    @Test func instancesListOneHostPerCopy() {
        let bad = errors("""
        workload: {open: {rate: 10/s}}
        hosts: {a: {cores: 2}}
        instances: {count: 3, hosts: [a, a]}
        endpoints: {e: {steps: [{cpu: 5ms}]}}
        """)
        #expect(bad.count == 1 && bad[0].hasPrefix("test.yaml:3:") && bad[0].contains("`instances.hosts`") && bad[0].contains("2 hosts for 3 instances"), "\(bad)")
    }

    @Test func aHostNeedsCores() {
        let bad = errors("""
        workload: {open: {rate: 10/s}}
        hosts: {a: {speed: 2}}
        endpoints: {e: {steps: [{cpu: 5ms}]}}
        """)
        #expect(bad.count == 1 && bad[0].contains("`hosts.a.cores`") && bad[0].contains("needs `cores`"), "\(bad)")
    }

    @Test func aPrimaryOnAHostTakesTheHostsCores() {
        let bad = errors("""
        workload: {open: {rate: 10/s}}
        hosts: {a: {cores: 2}}
        database: {host: a, cores: 8}
        endpoints: {e: {steps: [{cpu: 5ms}]}}
        """)
        #expect(bad.count == 1 && bad[0].hasPrefix("test.yaml:3:") && bad[0].contains("`database.cores`"), "\(bad)")
    }
}
