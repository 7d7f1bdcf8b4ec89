import Foundation
import HeadroomSim
import Queueing

// The five audits as data: scenarios (model file + overrides), rows (document figure as a
// range, unit, how Headroom's figure is read), theory findings, and the paragraph of
// docs/reproductions.md. Figures are in seconds, fractions and per-second rates.

private func doc(_ text: String, _ low: Double?, _ high: Double?) -> DocumentFigure { DocumentFigure(text, low: low, high: high) }
private func doc(_ text: String, _ value: Double) -> DocumentFigure { DocumentFigure(text, low: value, high: value) }
private func textOnly(_ text: String) -> DocumentFigure { DocumentFigure(text, low: nil, high: nil) }

/// Per replication: successful responses of `name` (or all) per second.
private func served(_ name: String? = nil) -> @Sendable (SystemRunResult, ScenarioRun) -> Double? {
    { r, _ in r.endpoints.filter { name == nil || $0.name == name }.reduce(0) { $0 + $1.throughputPerSecond } }
}

/// Analytic capacity (bottleneck law) of a scenario's request path, per second: the smallest
/// maximum throughput over its resources. Job workers are left out: they work after the response
/// (a slow queue grows a backlog, it does not slow requests) and the models size them to keep up.
private let capacity: @Sendable (ScenarioRun) -> Double? = { run in
    run.analysis.resources.filter { !$0.id.hasPrefix("job_workers") }.compactMap(\.maxThroughputPerSecond).min()
}

/// Mean latency of an endpoint's attempts with the timed-out ones counted at the timeout (a lower
/// bound of what the clients waited): finite even when no request of the kind succeeds.
private func censoredMean(_ name: String, timeout: Double) -> @Sendable (SystemRunResult) -> Double? {
    { r in
        guard let e = Read.endpoint(r, name), e.succeeded + e.timeouts > 0 else { return nil }
        let total = (e.latency.count > 0 ? e.latency.meanSeconds * Double(e.latency.count) : 0) + Double(e.timeouts) * timeout
        return total / Double(e.latency.count + e.timeouts)
    }
}

enum ReproductionSeeds {
    static let all: [SeedDocument] = [marketing, aiPlatform, tailors, flowats, allure]

    // MARK: - 000 marketing page

    static let marketing: SeedDocument = {
        let before = "marketing-before.yaml", after = "marketing-after.yaml"
        let lifted = ["endpoints.create_consultant.rate_limiters": "[]", "endpoints.create_requirement.rate_limiters": "[]",
                      "endpoints.create_interview.rate_limiters": "[]", "endpoints.list_consultants.rate_limiters": "[]"]
        var scenarios: [ReproductionScenario] = []
        for n in [1, 10, 100] {
            scenarios.append(ReproductionScenario("b\(n)", file: before, overrides: ["users": "\(n)"], label: "before, \(n) user\(n == 1 ? "" : "s")"))
        }
        for n in [1, 10, 100] {
            scenarios.append(ReproductionScenario("a\(n)", file: after, overrides: lifted.merging(["users": "\(n)"]) { $1 },
                                                  label: "after, \(n) user\(n == 1 ? "" : "s"), rate limits not triggered"))
        }
        scenarios.append(ReproductionScenario("a100rl", file: after, overrides: ["users": "100"], label: "after, 100 users, with the rate limits"))
        scenarios.append(ReproductionScenario("hammer", file: after,
                                              overrides: ["users": "1", "think_time": "const(100ms)", "workload.mix": "{create_consultant: 1}",
                                                          "horizon": "15min", "warmup": "0s"],
                                              label: "after, one user posting Create Consultant every 100 ms for 15 min", fixedHorizon: true))

        let beforeTable = "Current Performance (Before Fixes)", afterTable = "Expected Performance (After Fixes)"
        let endpoints: [(String, String, [Double?], [Double])] = [
            ("create_consultant", "Create Consultant", [0.6, 1.2, nil], [0.15, 0.2, 0.5]),
            ("create_requirement", "Create Requirement", [0.2, 0.4, 2.5], [0.1, 0.15, 0.4]),
            ("create_interview", "Create Interview", [0.15, 0.3, 2.0], [0.08, 0.12, 0.35]),
            ("list_consultants", "List Consultants", [0.12, 0.15, 0.4], [0.12, 0.15, 0.4]),
        ]
        var rows: [ClaimRow] = []
        for (name, label, b, a) in endpoints {
            for (i, n) in [1, 10, 100].enumerated() {
                let id = "000.before.\(name).\(n)u"
                if let v = b[i] {
                    rows.append(ClaimRow(id, table: beforeTable, claim: "\(label), \(n) user\(n == 1 ? "" : "s") (mean)",
                                         document: doc(Fmt.s(v), v), unit: .seconds, measure: .perRun("b\(n)", Read.mean(name)),
                                         isInput: n == 1,
                                         note: n == 1 ? "sets the number of 100 ms round trips" : n == 100 ? "latency of the requests that succeed; see the failure rows" : ""))
                } else {
                    rows.append(ClaimRow(id, table: beforeTable, claim: "\(label), 100 users: share of attempts failing",
                                         document: doc("TIMEOUT (read: most fail)", 0.5, 1.0), unit: .fraction,
                                         measure: .perRun("b100", Read.failureRate(name)),
                                         note: "they fail at once with connection refused (max_connections 20), not by timing out"))
                }
            }
        }
        rows.append(ClaimRow("000.before.connections.1u", table: beforeTable, claim: "Database Connections, 1 user (peak open)",
                             document: doc("2", 2), unit: .count, measure: .perRun("b1", Read.peakOpenConnections)))
        rows.append(ClaimRow("000.before.connections.10u", table: beforeTable, claim: "Database Connections, 10 users (peak open)",
                             document: doc("15", 15), unit: .count, measure: .perRun("b10", Read.peakOpenConnections),
                             note: "sequential awaits hold at most one connection per request: never more than 10"))
        rows.append(ClaimRow("000.before.connections.100u", table: beforeTable, claim: "Database Connections, 100 users: refused connections per second",
                             document: doc("EXHAUSTED", 1e-9, nil), unit: .perSecond, measure: .perRun("b100", Read.exhaustionPerSecond)))
        rows.append(ClaimRow("000.before.eventloop.100u", table: beforeTable, claim: "Event loop utilization, 100 users (not in the table)",
                             document: textOnly("(not stated)"), unit: .fraction, measure: .perRun("b100", Read.workerUtilization),
                             note: "refused requests come straight back: their CPU keeps the single event loop busy"))
        rows.append(ClaimRow("000.before.failures.100u", table: beforeTable, claim: "All endpoints, 100 users: share of attempts failing",
                             document: textOnly("(not stated; TIMEOUT only for Create Consultant)"), unit: .fraction,
                             measure: .perRun("b100", Read.failureRate())))
        for (name, label, _, a) in endpoints {
            for (i, n) in [1, 10, 100].enumerated() {
                rows.append(ClaimRow("000.after.\(name).\(n)u", table: afterTable, claim: "\(label), \(n) user\(n == 1 ? "" : "s") (mean)",
                                     document: doc(Fmt.s(a[i]), a[i]), unit: .seconds, measure: .perRun("a\(n)", Read.mean(name)),
                                     note: n == 100 ? "with the document's rate limits these users are answered 429: see below" : ""))
            }
        }
        for (n, v) in [(1, 2.0), (10, 8.0), (100, 18.0)] {
            rows.append(ClaimRow("000.after.connections.\(n)u", table: afterTable, claim: "Database Connections, \(n) user\(n == 1 ? "" : "s") (peak open)",
                                 document: doc("\(Int(v))", v), unit: .count, measure: .perRun("a\(n)", Read.peakOpenConnections)))
        }
        let claims = "Claims in the text"
        rows += [
            ClaimRow("000.batch.after", table: claims, claim: "\"After: 1 consultant + 5 projects = 2 queries (120ms)\" (1 user)",
                     document: doc("120ms", 0.12), unit: .seconds, measure: .perRun("a1", Read.mean("create_consultant")),
                     note: "the transaction the document also adds costs BEGIN and COMMIT round trips"),
            ClaimRow("000.batch.speedup", table: claims, claim: "\"5x faster\" (Create Consultant, 1 user, before / after)",
                     document: doc("5x", 5), unit: .ratio, better: .higher,
                     measure: .paired("b1", "a1") { b, a, _, _ in
                         guard let x = Read.meanValue(b, "create_consultant"), let y = Read.meanValue(a, "create_consultant"), y > 0 else { return nil }
                         return x / y
                     }),
            ClaimRow("000.nplus1.100u", table: claims, claim: "\"Response time will increase from ~100ms to 3-5 seconds\" (Create Consultant, 100 users)",
                     document: doc("3-5 s", 3, 5), unit: .seconds, measure: .perRun("b100", Read.mean("create_consultant")),
                     note: "successful requests; most attempts are refused a connection instead"),
            ClaimRow("000.orphans.before.10u", table: claims, claim: "Orphaned consultants per 1,000 creates, before, 10 users (1% of queries fail)",
                     document: doc("\"High probability of data inconsistency\"", 1e-9, nil), unit: .count,
                     measure: .perRun("b10") { r, _ in
                         guard let e = Read.endpoint(r, "create_consultant"), e.attempts > 0 else { return nil }
                         return 1000 * Double(r.orphanedWrites) / Double(e.attempts)
                     }, note: "closed form (1 - p)(1 - (1 - p)^5) = 49 per 1,000 at p = 1%"),
            ClaimRow("000.orphans.before.10u.rate", table: claims, claim: "Orphaned consultants per minute, before, 10 users",
                     document: doc("\"High probability of data inconsistency\"", 1e-9, nil), unit: .count,
                     measure: .perRun("b10") { r, _ in 60 * Double(r.orphanedWrites) / r.observedSeconds }),
            ClaimRow("000.orphans.before.100u.rate", table: claims, claim: "Orphaned consultants per minute, before, 100 users",
                     document: doc("\"High probability of data inconsistency\"", 1e-9, nil), unit: .count,
                     measure: .perRun("b100") { r, _ in 60 * Double(r.orphanedWrites) / r.observedSeconds },
                     note: "more per minute than at 10 users, fewer per create: most creates are refused a connection before their first insert"),
            ClaimRow("000.orphans.after.10u", table: claims, claim: "Orphaned consultants per 1,000 creates, after (transaction), 10 users",
                     document: doc("\"No data corruption\"", 0, 0), unit: .count,
                     measure: .perRun("a10") { r, _ in
                         guard let e = Read.endpoint(r, "create_consultant"), e.attempts > 0 else { return nil }
                         return 1000 * Double(r.orphanedWrites) / Double(e.attempts)
                     }),
            ClaimRow("000.pool.utilization.100u", table: claims, claim: "Pool of 20, 100 users: mean utilization (\"Target: < 80% utilization\")",
                     document: doc("< 80%", nil, 0.8), unit: .fraction, measure: .perRun("a100", Read.pool("pg") { $0.utilization })),
            ClaimRow("000.pool.wait.100u", table: claims, claim: "Pool of 20, 100 users: mean wait for a connection (\"Queue requests\")",
                     document: textOnly("(not stated)"), unit: .seconds, measure: .perRun("a100", Read.pool("pg") { $0.waits.meanSeconds })),
            ClaimRow("000.pool.timeouts.100u", table: claims, claim: "Pool of 20, 100 users: acquire timeouts per second (\"Fail requests that wait > 10 seconds\")",
                     document: doc("none (\"Stable performance\")", 0, 0), unit: .perSecond,
                     measure: .perRun("a100", Read.pool("pg") { Double($0.acquireTimeouts) })),
            ClaimRow("000.p95.after.100u", table: claims, claim: "\"Response times < 500ms for 95th percentile\" (after, 100 users)",
                     document: doc("< 500ms", nil, 0.5), unit: .seconds, measure: .perRun("a100") { r, _ in Read.overall(r).percentileSeconds(95) }),
            ClaimRow("000.ratelimit.users.100u", table: claims, claim: "Rate limits (100 / 15 min, 20 creates / 5 min), 100 users: share answered 429",
                     document: doc("0% (the after table serves every request)", 0, 0), unit: .fraction,
                     measure: .perRun("a100rl", Read.rateLimitedRate()),
                     note: "100 concurrent users send ~0.2 s apart; the limits allow one request per 9 s"),
            ClaimRow("000.ratelimit.hammer.admitted", table: claims, claim: "A user hammering Create Consultant (10/s): creates admitted in 15 min",
                     document: doc("60 (20 per 5 min)", 60), unit: .count,
                     measure: .perRun("hammer") { r, _ in
                         Read.endpoint(r, "create_consultant").map { Double($0.attempts - $0.rateLimited) }
                     }, note: "the router-level 100/15 min limiter counts the requests the create limiter rejects: spent in 10 s"),
            ClaimRow("000.ratelimit.hammer.rejected", table: claims, claim: "A user hammering Create Consultant (10/s): share answered 429",
                     document: doc("99.3% (1 - 60/9,000)", 1 - 60.0 / 9000), unit: .fraction,
                     measure: .perRun("hammer", Read.rateLimitedRate("create_consultant"))),
        ]

        let theory: @Sendable ([String: ScenarioRun]) -> [TheoryFinding] = { runs in
            var out: [TheoryFinding] = []
            out.append(TheoryFinding("000.t.batch", claim: "\"Before: 1 consultant + 5 projects = 6 queries (600ms); After: ... 2 queries (120ms); 5x faster\"",
                document: "600 ms / 6 = 100 ms per query before, 120 ms / 2 = 60 ms per query after: the per-query time falls 40% with no fix that touches it",
                correction: "at the document's own 100 ms per round trip, 2 queries take 200 ms (3x, not 5x); the transaction it adds in the same breath sends BEGIN and COMMIT as two more round trips: 4 x 100 ms = 400 ms (1.5x), or 4 x 60 ms = 240 ms (2.5x) at its after-figure",
                documentValue: 5, correctedValue: 600.0 / 240, unit: .ratio))
            out.append(TheoryFinding("000.t.connections", claim: "\"Database Connections: 2 (1 user), 15 (10 users)\"",
                document: "15 connections for 10 users",
                correction: "every query in the code is awaited in sequence, so a request holds at most one connection at a time: peak connections <= users, i.e. <= 1 and <= 10. By Little's law the mean in use is throughput x connection-seconds per request",
                documentValue: 15, correctedValue: 10, unit: .count))
            // Exhaustion needs the mean connections in use to reach 20: N x (hold / cycle) >= 20.
            let hold = (0.6 + 0.2 + 0.1 + 0.1) / 4          // connection-seconds per request before (round trips)
            let cycle = (0.6 + 0.2 + 0.15 + 0.12) / 4 + 0.002 // uncontended response
            let maxThink = 100 * hold / 20 - cycle
            out.append(TheoryFinding("000.t.exhaustion", claim: "\"With 100 concurrent users creating records: Connection exhaustion\"",
                document: "100 users exhaust 20 connections",
                correction: String(format: "by Little's law 100 users with think time Z hold 100 x %@ / (%@ + Z) connections on average; that reaches 20 only if Z <= %@. The document's reading (N users = N requests in flight) is such a load; people filling forms are not",
                                   Fmt.ms(hold), Fmt.ms(cycle), Fmt.s(maxThink)),
                documentValue: nil, correctedValue: maxThink, unit: .seconds))
            // Rate limits bound the admitted load.
            let admitted = 100.0 * 100 / 900
            let holdAfter = (0.241 + 0.12 + 0.06 + 0.06) / 4
            let erl = admitted * holdAfter
            let pw = Theory.probabilityOfWaiting(servers: 20, erlangs: erl) ?? 1
            out.append(TheoryFinding("000.t.ratelimit", claim: "\"Max 20 concurrent connections\" with \"100 requests per window\" (15 min) per user, at \"100+ concurrent users\"",
                document: "the pool of 20 and the rate limits are presented as independent fixes for 100 concurrent users",
                correction: String(format: "the limits admit at most 100 / 900 s = 0.11 requests/s per user: 100 users -> %.1f requests/s, x %@ of connection per request = %.2f erlangs on 20 connections; Erlang C gives P(wait) = %@. Under its own limits the pool can never be exhausted, and users who send faster (the load of the after table) are answered 429",
                                   admitted, Fmt.ms(holdAfter), erl, Fmt.pct(pw)),
                documentValue: 20, correctedValue: erl, unit: .count))
            let p = 0.01
            let orphan = (1 - p) * (1 - pow(1 - p, 5))
            var simulated = ""
            if let b10 = runs["b10"] {
                let v = b10.runs.compactMap { r -> Double? in
                    guard let e = Read.endpoint(r, "create_consultant"), e.attempts > 0 else { return nil }
                    return Double(r.orphanedWrites) / Double(e.attempts)
                }
                if !v.isEmpty { simulated = " (simulated at 10 users: \(Fmt.pct(v.reduce(0, +) / Double(v.count))))" }
            }
            out.append(TheoryFinding("000.t.orphans", claim: "\"With 100 concurrent users: High probability of data inconsistency\"",
                document: "orphans grow with concurrency",
                correction: String(format: "an orphan needs the first insert to succeed and one of the five later ones to fail: (1 - p)(1 - (1 - p)^5) = %@ of creates at p = 1%%%@, whatever the concurrency; it grows with load only through failures that load causes (refused connections, timeouts)",
                                   Fmt.pct(orphan), simulated),
                documentValue: nil, correctedValue: orphan, unit: .fraction))
            // The pool of 20 at 100 users, rate limits aside: exact MVA.
            let stations = [ClosedStation(name: "pool", kind: .multiServer(servers: 20), serviceDemandSeconds: holdAfter),
                            ClosedStation(name: "event loop", kind: .queueing, serviceDemandSeconds: 0.002),
                            ClosedStation(name: "other", kind: .delay, serviceDemandSeconds: (0.05 + 0.02) / 4)]
            if let m = Theory.mva(stations, think: 0.1, users: 100) {
                out.append(TheoryFinding("000.t.pool100", claim: "\"Expected Performance (After Fixes)\": 100 users, Create Consultant 500ms ... Database Connections 18",
                    document: "18 of 20 connections in use: the pool is not saturated",
                    correction: String(format: "exact MVA (pool as a 20-server station of demand %@, think 0.1 s): X = %.0f requests/s, R = %@; the pool is %@ busy: every connection is in use and ~%.0f requests wait. 18 connections would mean a pool that never fills, i.e. a load the rate limits (above) would have cut to a trickle",
                                       Fmt.ms(holdAfter), m.x, Fmt.s(m.r), Fmt.pct(min(1, m.x * holdAfter / 20)), max(0, 100 * m.r / (m.r + 0.1) - m.x * holdAfter)),
                    documentValue: 0.5, correctedValue: m.r, unit: .seconds))
            }
            return out
        }

        let paragraph = """
            **Confirmed.** The N+1 loop and the missing pool do break the before-system at 100 users — but by \
            connection refusals, not timeouts: {000.before.failures.100u} of all attempts fail at once because \
            the 21st concurrent query is refused by max_connections = 20 ({000.before.connections.100u} \
            refused), and the refused requests, back at once, keep the single event loop \
            {000.before.eventloop.100u} busy. The transaction removes the orphaned consultants ({000.orphans.before.10u} per 1,000 \
            creates before at 1% query failures, {000.orphans.after.10u} after). With the pool of 20 and 100 users \
            sending back to back (rate limits not triggered), Create Consultant takes \
            {000.after.create_consultant.100u} (document: 500 ms) and no request waits 10 s for a connection.

            **Refuted.** The 10-user column: nothing is shared enough at 10 users to double the latency \
            (Create Consultant {000.before.create_consultant.10u}, not 1.2 s) and 10 sequential requests cannot \
            hold 15 connections ({000.before.connections.10u}). "2 queries (120ms)" leaves out the transaction's \
            BEGIN and COMMIT: {000.batch.after}, so the batch gives {000.batch.speedup}, not 5x. The pool of 20 \
            at 100 users is not at 18 connections but saturated ({000.pool.utilization.100u}, against the \
            document's own 80% alert). Above all, the after-table cannot describe the same users as the \
            before-table: the document's own limits (100 requests / 15 min, 20 creates / 5 min) answer \
            {000.ratelimit.users.100u} of the requests of 100 users working at that pace with 429, and a user \
            hammering Create Consultant gets {000.ratelimit.hammer.admitted} creates in 15 minutes, not 60, \
            because the router-level limiter also counts the requests the create limiter rejects.
            """
        return SeedDocument(id: "000", shortName: "marketing", title: "Marketing Page Performance & Scalability Audit",
                            scenarios: scenarios, rows: rows, theory: theory, paragraph: paragraph)
    }()

    // MARK: - 001 AI platform

    static let aiPlatform: SeedDocument = {
        let before = "ai-platform-before.yaml", after = "ai-platform-after.yaml"
        let scenarios = [
            ReproductionScenario("b1", file: before, overrides: ["users": "1"], label: "no session cache, 1 user"),
            ReproductionScenario("a1", file: after, overrides: ["users": "1"], label: "Redis session cache, 1 user"),
            ReproductionScenario("b500", file: before, overrides: ["users": "500"], label: "no session cache, 500 concurrent requests"),
            ReproductionScenario("a500", file: after, overrides: ["users": "500"], label: "Redis session cache, 500 concurrent requests"),
        ]
        let pool = "Connection Pooling", redis = "Redis Session Caching"
        let rows: [ClaimRow] = [
            ClaimRow("001.pool.wait.500", table: pool, claim: "\"50 connections: Supports ~500 concurrent requests\": mean wait for a connection at 500",
                     document: doc("\"Connection acquisition: <10ms\"", nil, 0.01), unit: .seconds,
                     measure: .perRun("a500", Read.pool("main") { $0.waits.meanSeconds })),
            ClaimRow("001.pool.saturation.500", table: pool, claim: "\"Pool saturation threshold: 500+ concurrent requests\": main pool utilization at 500",
                     document: doc("below saturation", nil, 0.95), unit: .fraction, measure: .perRun("a500", Read.pool("main") { $0.utilization })),
            ClaimRow("001.pool.latency.500", table: pool, claim: "API request at 500 concurrent requests (mean; \"typical query time <100ms\")",
                     document: doc("~131 ms, the uncontended time", 0.131), unit: .seconds, measure: .perRun("a500", Read.mean("api_request")),
                     note: "the document's figure is this model's 1-user latency: \"supports\" read as \"no queueing\""),
            ClaimRow("001.pool.throughput.500", table: pool, claim: "~500 read as a throughput: requests/s through the main pool at 500",
                     document: doc("500/s (50 / 0.1 s)", 500), unit: .perSecond, better: .higher,
                     measure: .perRun("a500") { r, run in (served("api_request")(r, run) ?? 0) + (served("auth_session")(r, run) ?? 0) },
                     note: "Little's law: 50 connections / 0.1 s is a rate, not a concurrency"),
            ClaimRow("001.service.register.500", table: pool, claim: "Service pool of 15 (\"Prevents admin operations from starving user queries\"): registration at 500 (mean)",
                     document: doc("300 ms (3 x 100 ms, unqueued)", 0.3), unit: .seconds, measure: .perRun("a500", Read.mean("register")),
                     note: "isolation holds for connections: the main pool is saturated, the service pool is not"),
            ClaimRow("001.service.utilization.500", table: pool, claim: "Service pool of 15 at 500: utilization",
                     document: textOnly("(not stated: \"less frequent\")"), unit: .fraction, measure: .perRun("a500", Read.pool("service") { $0.utilization })),
            ClaimRow("001.redis.before.1u", table: redis, claim: "Session lookup without cache, 1 user (mean, /api/auth/session)",
                     document: doc("100ms", 0.1), unit: .seconds, measure: .perRun("b1", Read.mean("auth_session")), isInput: true),
            ClaimRow("001.redis.after.1u", table: redis, claim: "Session lookup with cache, 1 user (mean, /api/auth/session)",
                     document: doc("15ms", 0.015), unit: .seconds, measure: .perRun("a1", Read.mean("auth_session")),
                     note: "15 ms is the hit; 15% of lookups still pay 15 ms + the 100 ms query"),
            ClaimRow("001.redis.reduction", table: redis, claim: "\"85% latency reduction\" of the session lookup (1 user)",
                     document: doc("85%", 0.85), unit: .fraction, better: .higher,
                     measure: .paired("b1", "a1") { b, a, _, _ in
                         guard let x = Read.meanValue(b, "auth_session"), let y = Read.meanValue(a, "auth_session"), x > 0 else { return nil }
                         return 1 - y / x
                     }),
            ClaimRow("001.redis.hit", table: redis, claim: "\"Cache hit rate: ~85%\"",
                     document: doc("~85%", 0.85), unit: .fraction, better: .higher, measure: .perRun("a500", Read.cacheHitRate("sessions")), isInput: true),
            ClaimRow("001.redis.dbload", table: redis, claim: "\"Database load reduction: 85% fewer session queries\": all queries per request",
                     document: doc("85%", 0.85), unit: .fraction, better: .higher,
                     measure: .paired("b500", "a500") { b, a, rb, ra in
                         guard let x = Read.queriesPerRequest(b, rb), let y = Read.queriesPerRequest(a, ra), x > 0 else { return nil }
                         return 1 - y / x
                     }, note: "session queries fall 85% by construction; the database's load falls by this much"),
            ClaimRow("001.redis.throughput.500", table: redis, claim: "Effect on the saturated pool: API throughput at 500, after / before",
                     document: textOnly("(not stated)"), unit: .ratio, better: .higher,
                     measure: .paired("b500", "a500") { b, a, rb, ra in
                         guard let x = served("api_request")(b, rb), let y = served("api_request")(a, ra), x > 0 else { return nil }
                         return y / x
                     }),
        ]
        let theory: @Sendable ([String: ScenarioRun]) -> [TheoryFinding] = { runs in
            var out: [TheoryFinding] = []
            let holdPerRequest = 0.85 * 0 + 0.15 * 0.1 + 0.1  // session miss share + the request's query
            let xPool = 50 / holdPerRequest
            out.append(TheoryFinding("001.t.little", claim: "\"50 connections: Supports ~500 concurrent requests (typical query time <100ms)\"",
                document: "50 connections x (1 s / 100 ms) = 500, called concurrent requests",
                correction: String(format: "Little's law L = X W: 50 connections busy 100 ms each carry X = 50 / 0.1 s = 500 requests per second. 500 requests in flight at once are L = 500: 50 hold a connection and 450 wait, and W = L / X = 500 / 500 = 1 s per request, ten times the query time. With the session lookup's misses a request holds %@ of connection, so the pool carries %.0f requests/s",
                                   Fmt.ms(holdPerRequest), xPool),
                documentValue: 500, correctedValue: 50, unit: .count))
            let rt = 0.131 + 0.001
            let nStar = 50 * rt / holdPerRequest
            out.append(TheoryFinding("001.t.saturation", claim: "\"Pool saturation threshold: 500+ concurrent requests\"",
                document: "the pool saturates beyond 500 concurrent requests",
                correction: String(format: "the knee of the closed system is N* = X_max x (R0 + Z) = %.0f/s x %@ = %.0f concurrent requests (no think time): beyond ~%.0f requests in flight every extra request only waits",
                                   xPool, Fmt.ms(rt), nStar, nStar),
                documentValue: 500, correctedValue: nStar, unit: .count))
            let maxRate = Theory.maxRate(forMeanWait: 0.01, service: 0.1, servers: 50)
            out.append(TheoryFinding("001.t.acquire", claim: "\"Connection acquisition: <10ms (measured in dev)\"",
                document: "acquisition stays under 10 ms",
                correction: String(format: "M/M/50 with 100 ms holds (Erlang C): the mean wait stays under 10 ms only up to %.0f acquisitions/s (%@ busy); a measurement in dev says nothing about 500 concurrent requests, where the wait is ~0.9 s",
                                   maxRate, Fmt.pct(maxRate * 0.1 / 50)),
                documentValue: 0.01, correctedValue: nil, unit: .seconds))
            let mean = 0.85 * 0.015 + 0.15 * (0.015 + 0.1)
            out.append(TheoryFinding("001.t.cache", claim: "\"85% latency reduction (100ms → 15ms)\"",
                document: "the hit's 15 ms stands for every lookup",
                correction: String(format: "the mean lookup is h x 15 ms + (1 - h)(15 ms + 100 ms) = 0.85 x 15 + 0.15 x 115 = %@: a %@ reduction, not 85%%", Fmt.ms(mean), Fmt.pct(1 - mean / 0.1)),
                documentValue: 0.85, correctedValue: 1 - mean / 0.1, unit: .fraction))
            let qBefore = 0.9 * 2 + 0.05 * 1 + 0.05 * 3, qAfter = 0.9 * 1.15 + 0.05 * 0.15 + 0.05 * 3
            out.append(TheoryFinding("001.t.dbload", claim: "\"Database load reduction: 85% fewer session queries\"",
                document: "85% less database load",
                correction: String(format: "session queries are one of the queries a request makes: %.2f -> %.2f queries per request in this mix, a %@ reduction of the database's load", qBefore, qAfter, Fmt.pct(1 - qAfter / qBefore)),
                documentValue: 0.85, correctedValue: 1 - qAfter / qBefore, unit: .fraction))
            out.append(TheoryFinding("001.t.maxconn", claim: "\"Connection limit: 50 per API instance\" beside a service pool of 15; \"Horizontal scaling ... add more instances\"",
                document: "pools sized per instance, scaling by instances",
                correction: "each instance opens up to 50 + 15 = 65 server connections: two instances need 130, beyond PostgreSQL's default max_connections of 100, and the document's \"500 connections with PgBouncer\" is reached at 8 instances (8 x 65 = 520); postgres.js has no wait timeout, so requests beyond the limit fail at connect",
                documentValue: nil, correctedValue: 130, unit: .count))
            _ = runs
            return out
        }
        let paragraph = """
            **Confirmed, read as a rate.** The pool of 50 with 100 ms holds does carry about 500 requests per \
            second ({001.pool.throughput.500} through the main pool with 500 requests in flight): the document's \
            arithmetic is a throughput. The service pool of 15 isolates registrations from user traffic \
            ({001.service.register.500} per registration while the main pool is saturated).

            **Refuted as written.** 500 *concurrent* requests on 50 connections queue: each waits \
            {001.pool.wait.500} for a connection (document: <10 ms), the pool is saturated \
            ({001.pool.saturation.500}) and an API request takes {001.pool.latency.500} instead of ~131 ms; \
            the knee is near 57 requests in flight, not 500. The session cache's "100 ms → 15 ms" is the hit \
            only: the mean lookup is {001.redis.after.1u}, a {001.redis.reduction} saving (just inside 15% of \
            the claimed 85%, but twice the 15 ms a reader would plan with), and the database's load falls \
            {001.redis.dbload}, not 85%, since session queries are one of two queries per request. The cache still matters where the pool binds: API throughput at 500 rises \
            {001.redis.throughput.500}.
            """
        return SeedDocument(id: "001", shortName: "ai-platform", title: "Performance & Scalability Audit (AI platform)",
                            scenarios: scenarios, rows: rows, theory: theory, paragraph: paragraph)
    }()

    // MARK: - 002 tailors / PostGIS

    static let tailors: SeedDocument = {
        let before = "tailors-before.yaml", after = "tailors-after.yaml"
        let scenarios = [
            ReproductionScenario("b300", file: before, overrides: ["users": "300"], label: "before, 300 concurrent users"),
            ReproductionScenario("a300", file: after, overrides: ["users": "300"], label: "after all fixes, 300 concurrent users"),
            ReproductionScenario("b500", file: before, overrides: ["users": "500"], label: "before, 500 concurrent users"),
            ReproductionScenario("a500", file: after, overrides: ["users": "500"], label: "after all fixes, 500 concurrent users"),
            ReproductionScenario("fix1", file: before, overrides: ["users": "300", "pools.prisma.size": "20"],
                                 label: "Fix #1 only (pool 20), 300 concurrent users"),
        ]
        var rows: [ClaimRow] = []
        typealias Cells = (timeout: (String, Double?, Double?), response: (String, Double, Double), hit: (String, Double, Double),
                           conn: (String, Double?, Double?), throughput: (String, Double, Double))
        let table: [(Int, Cells, Cells)] = [
            (300, (("50-70%", 0.5, 0.7), ("500-2000ms", 0.5, 2.0), ("20-30%", 0.2, 0.3), ("Exhausted", 0.95, 1.0), ("50-100 req/s", 50, 100)),
                  (("<1%", nil, 0.01), ("30-60ms", 0.03, 0.06), ("60-80%", 0.6, 0.8), ("60% utilization", 0.6, 0.6), ("300-500 req/s", 300, 500))),
            (500, (("80-90%", 0.8, 0.9), ("2000-5000ms", 2.0, 5.0), ("15-25%", 0.15, 0.25), ("Exhausted", 0.95, 1.0), ("30-60 req/s", 30, 60)),
                  (("<2%", nil, 0.02), ("40-80ms", 0.04, 0.08), ("60-75%", 0.6, 0.75), ("80% utilization", 0.8, 0.8), ("400-600 req/s", 400, 600))),
        ]
        for (users, b, a) in table {
            let t = "At \(users) Concurrent Users"
            for (state, s, cells) in [("before", "b\(users)", b), ("after", "a\(users)", a)] {
                let label = state == "before" ? "Before Fixes" : "After All Fixes"
                rows.append(ClaimRow("002.\(users).\(state).timeouts", table: t, claim: "Timeout Rate, \(label) (timeouts + pool-timeout errors)",
                                     document: doc(cells.timeout.0, cells.timeout.1, cells.timeout.2), unit: .fraction,
                                     measure: .perRun(s, Read.failureRate())))
                rows.append(ClaimRow("002.\(users).\(state).response", table: t, claim: "Avg Response Time, \(label)",
                                     document: doc(cells.response.0, cells.response.1, cells.response.2), unit: .seconds,
                                     measure: .perRun(s) { r, _ in Read.overall(r).meanSeconds }))
                rows.append(ClaimRow("002.\(users).\(state).hit", table: t, claim: "Cache Hit Rate, \(label) (\(state == "before" ? "per instance, 5 instances" : "shared"))",
                                     document: doc(cells.hit.0, cells.hit.1, cells.hit.2), unit: .fraction, better: .higher,
                                     measure: .perRun(s, Read.cacheHitRate("api_cache")),
                                     note: "emerges from Zipf(1) over 1000 keys, 60 s TTL and the request rate"))
                rows.append(ClaimRow("002.\(users).\(state).connections", table: t, claim: "Database Connections, \(label) (pool utilization)",
                                     document: doc(cells.conn.0, cells.conn.1, cells.conn.2), unit: .fraction,
                                     measure: .perRun(s, Read.pool("prisma") { $0.utilization })))
                rows.append(ClaimRow("002.\(users).\(state).throughput", table: t, claim: "Throughput, \(label)",
                                     document: doc(cells.throughput.0, cells.throughput.1, cells.throughput.2), unit: .perSecond, better: .higher,
                                     measure: .perRun(s, served())))
                rows.append(ClaimRow("002.\(users).\(state).database", table: t, claim: "Database CPU utilization, \(label) (not in the table)",
                                     document: textOnly("(not stated; the pool is named the bottleneck)"), unit: .fraction,
                                     measure: .perRun(s, Read.nodeUtilization())))
            }
        }
        let claims = "Claims in the text"
        rows += [
            ClaimRow("002.wait.mean", table: claims, claim: "\"290 requests wait in queue ... 290 × 50ms = 14.5 seconds\": mean pool wait, 300 users",
                     document: doc("14.5 s", 14.5), unit: .seconds, measure: .perRun("b300", Read.pool("prisma") { $0.waits.meanSeconds })),
            ClaimRow("002.wait.p95", table: claims, claim: "The same: 95th percentile of the pool wait, 300 users",
                     document: doc("14.5 s", 14.5), unit: .seconds, measure: .perRun("b300", Read.pool("prisma") { $0.waits.percentileSeconds(95) })),
            ClaimRow("002.fix1.timeouts", table: claims, claim: "Fix #1 alone (pool 20): \"After: <1% timeout rate\" (300 users)",
                     document: doc("<1%", nil, 0.01), unit: .fraction, measure: .perRun("fix1", Read.failureRate())),
            ClaimRow("002.fix1.latency", table: claims, claim: "Fix #1 alone: \"Reduce average latency by 80-90%\" (300 users)",
                     document: doc("80-90%", 0.8, 0.9), unit: .fraction, better: .higher,
                     measure: .paired("b300", "fix1") { b, f, _, _ in
                         let x = Read.overall(b).meanSeconds, y = Read.overall(f).meanSeconds
                         return x > 0 ? 1 - y / x : nil
                     }, note: "a bigger pool moves the queue from the pool to the saturated database"),
            ClaimRow("002.fix1.database", table: claims, claim: "Fix #1 alone: database CPU utilization (300 users)",
                     document: textOnly("(not stated)"), unit: .fraction, measure: .perRun("fix1", Read.nodeUtilization())),
        ]
        let theory: @Sendable ([String: ScenarioRun]) -> [TheoryFinding] = { runs in
            var out: [TheoryFinding] = []
            out.append(TheoryFinding("002.t.drain", claim: "\"300 concurrent requests → 10 connections available → 290 requests wait in queue → Each waits 30-80ms → Total wait time: 290 × 50ms = 14.5 seconds\"",
                document: "290 x 50 ms = 14.5 s: the queue drains one request at a time",
                correction: "10 connections serve 10 requests at a time: the last of 290 waits 290 / 10 x 50 ms = 1.45 s and the average waiter half that, ~0.73 s. Spread over the 5 instances the document itself assumes, each pool has 60 requests: (60 - 10) / 10 x 55 ms = 0.28 s for the last",
                documentValue: 14.5, correctedValue: 1.45, unit: .seconds))
            let countMean = 0.035, filterMean = 0.035, relMean = 0.02
            let holdDoc = (0.03, 0.08), holdCount = (0.03 + 0.02, 0.08 + 0.05)
            out.append(TheoryFinding("002.t.capacity", claim: "\"With 10 connections: Max 125-333 requests/second\"",
                document: "10 / 80 ms = 125/s, 10 / 30 ms = 333/s",
                correction: String(format: "the arithmetic is right, per instance and per cache miss: 5 instances carry 625-1,667 misses/s, and with a hit rate h, 1 / (1 - h) times more requests. But the code's Promise.all runs a count query beside the PostGIS filter on a second connection: %@-%@ of connection per miss, i.e. %.0f-%.0f misses/s per instance",
                                   Fmt.ms(holdCount.0), Fmt.ms(holdCount.1), 10 / holdCount.1, 10 / holdCount.0),
                documentValue: 10 / holdDoc.1, correctedValue: 10 / holdCount.1, unit: .perSecond))
            out.append(TheoryFinding("002.t.little", claim: "\"At 300 Concurrent Users ... After All Fixes: Avg Response Time 30-60ms, Throughput 300-500 req/s\"",
                document: "300 users, 30-60 ms, 300-500 req/s",
                correction: String(format: "Little's law N = X (R + Z): 300 users at 30-60 ms with no think time (the document's reading: 300 concurrent requests) make X = 300 / R = %@-%@ req/s; 300-500 req/s instead means each user idles Z = N / X - R = %@-%@ between requests. Before the fixes, 300 / (50-100 req/s) = 3-6 s per cycle against 0.5-2 s responses: the two columns do not describe the same 300 users",
                                   Fmt.num(300 / 0.06), Fmt.num(300 / 0.03), Fmt.s(300.0 / 500 - 0.06), Fmt.s(300.0 / 300 - 0.03)),
                documentValue: 500, correctedValue: 300 / 0.06, unit: .perSecond))
            let seqMiss = Theory.meanMaxOfUniforms(0.02, 0.05, 0.02, 0.05) + relMean
            let joinMiss = Theory.meanMaxOfUniforms(0.02, 0.04, 0.02, 0.05)
            out.append(TheoryFinding("002.t.join", claim: "\"Two queries = 2x connection hold time\"; JOIN: \"Connection usage: 50% reduction\", \"Latency: -10-40ms per request\"",
                document: "two sequential queries use 2x the connections",
                correction: String(format: "sequential queries hold one connection at a time: connection-seconds per miss fall from %@ + %@ = %@ to 30 ms without the count (-45%%), from %@ to %@ with it (-%@), never 50%%; the uncontended miss path falls %@ -> %@ (%@ less), inside the document's 10-40 ms",
                                   Fmt.ms(filterMean), Fmt.ms(relMean), Fmt.ms(filterMean + relMean), Fmt.ms(filterMean + countMean + relMean),
                                   Fmt.ms(0.03 + countMean), Fmt.pct(1 - (0.03 + countMean) / (filterMean + countMean + relMean)),
                                   Fmt.ms(seqMiss), Fmt.ms(joinMiss), Fmt.ms(seqMiss - joinMiss)),
                documentValue: 0.5, correctedValue: 1 - (0.03 + countMean) / (filterMean + countMean + relMean), unit: .fraction))
            // TTL-cache hit ratios, per instance against shared, at the simulated request rate.
            let rate = runs["b300"].map { r in r.runs.map { Read.throughput($0, r) ?? 0 }.reduce(0, +) / Double(max(1, r.runs.count)) } ?? 300
            let perInstance = Theory.ttlHitRatio(rate: rate / 5, ttl: 60, keys: 1000, s: 1)
            let shared = Theory.ttlHitRatio(rate: rate, ttl: 60, keys: 1000, s: 1)
            let keys25 = Theory.keysForHitRatio(0.25, rate: rate / 5, ttl: 60, s: 1)
            let uniform25 = 3 * rate / 5 * 60  // uniform popularity: h = m / (1 + m) with m = rate T / n; h = 1/4 at n = 3 rate T
            let simulatedHit = runs["b300"].map { r in r.runs.compactMap { Read.cacheHitRate("api_cache")($0, r) }.reduce(0, +) / Double(max(1, r.runs.count)) }
            out.append(TheoryFinding("002.t.cache", claim: "\"Each instance has its own cache ... Cache hit rate: ~20-30% (vs 60-80% with shared cache)\"",
                document: "per-instance 20-30%, shared 60-80%",
                correction: String(format: "a TTL cache under Poisson requests hits r T / (1 + r T) of the requests for a key requested at rate r (one miss fills it for T). With Zipf(1) over the document's 1,000 combinations, T = 60 s and the %.0f req/s the before-system serves at 300 users: per instance (rate / 5) h = %@%@, shared h = %@. A per-instance 25%% needs %@ Zipf(1) keys, or %@ equally popular ones: the document's hit rates assume a key space (or a request rate) it never states",
                                   rate, Fmt.pct(perInstance), simulatedHit.map { " (simulated: \(Fmt.pct($0)))" } ?? "", Fmt.pct(shared),
                                   String(format: "~%.1e", keys25), Fmt.num(uniform25)),
                documentValue: 0.25, correctedValue: perInstance, unit: .fraction))
            return out
        }
        let paragraph = """
            **Confirmed.** A shared cache beats five private ones ({002.300.before.hit} per instance against \
            {002.300.after.hit} shared at 300 users), and the three fixes together raise throughput \
            ({002.300.before.throughput} → {002.300.after.throughput}) and cut latency \
            ({002.300.before.response} → {002.300.after.response}).

            **Refuted.** With the document's 5 instances x 10 connections, 300 concurrent requests wait \
            {002.wait.mean} on average for a connection (95th percentile {002.wait.p95}), not 14.5 s: the queue \
            drains ten at a time. Nothing times out ({002.300.before.timeouts}, document 50-70%). The pool is not \
            the first bottleneck: under the stated assumption of 8 database cores the PostGIS queries keep the \
            database at {002.300.before.database} while the pool is {002.300.before.connections} used, so \
            "Fix #1" alone (pool 20) moves the queue from the pool to the database: the mean latency changes by \
            {002.fix1.latency} (a negative cut: slower), not the promised 80-90% cut, and the database stays at \
            {002.fix1.database}. Under the \
            document's 1,000 query combinations the per-instance cache hits far more than 20-30%: the table's hit \
            rates — and its before-throughput of 50-100 req/s — require a much larger key space or a much \
            lower request rate. The after-table's 30-60 ms at 300-500 req/s contradicts Little's law for 300 \
            concurrent users (see below). How much of this survives depends on the database's size, which the \
            document never gives: with few cores every configuration is database-bound.
            """
        return SeedDocument(id: "002", shortName: "tailors", title: "Next Scalability Bottleneck Analysis (tailors API, PostGIS)",
                            scenarios: scenarios, rows: rows, theory: theory, paragraph: paragraph)
    }()

    // MARK: - 003 FlowATS

    static let flowats: SeedDocument = {
        let before = "flowats-before.yaml", after = "flowats-after.yaml"
        let scenarios = [
            ReproductionScenario("lt", file: after, label: "Phase 2 integrated, Artillery phases 10/50/100 VU/s", fixedHorizon: true),
            ReproductionScenario("peakb", file: before, overrides: ["workload.open": "{rate: 300/s}", "horizon": "2min", "warmup": "20s"],
                                 label: "as built (no cache, pages at offset 0 = what a cursor costs at any depth), the 100 VU/s peak held"),
            ReproductionScenario("deep", file: before, overrides: ["endpoints.list_jobs.steps.4.query.time": "50ms", "workload.open": "{rate: 300/s}",
                                                                   "horizon": "2min", "warmup": "20s"],
                                 label: "as built, every page at offset 10,000 (50 ms), the 100 VU/s peak held"),
            ReproductionScenario("peak", file: after, overrides: ["workload.open": "{rate: 300/s}", "horizon": "2min", "warmup": "20s"],
                                 label: "Phase 2 integrated, the 100 VU/s peak held (300 requests/s)"),
        ]
        let test = "Load Test Results (Expected)", tiers = "Estimated Capacity", pool = "Connection pooling and pagination"
        let rows: [ClaimRow] = [
            ClaimRow("003.lt.p50", table: test, claim: "Response time median", document: doc("120ms", 0.12), unit: .seconds,
                     measure: .report("lt", section: "overall", item: "all", metric: "p50_seconds")),
            ClaimRow("003.lt.p95", table: test, claim: "Response time p95", document: doc("450ms", 0.45), unit: .seconds,
                     measure: .report("lt", section: "overall", item: "all", metric: "p95_seconds")),
            ClaimRow("003.lt.p99", table: test, claim: "Response time p99", document: doc("850ms", 0.85), unit: .seconds,
                     measure: .report("lt", section: "overall", item: "all", metric: "p99_seconds")),
            ClaimRow("003.lt.max", table: test, claim: "Response time max", document: doc("2500ms", 2.5), unit: .seconds,
                     measure: .report("lt", section: "overall", item: "all", metric: "max_seconds")),
            ClaimRow("003.lt.errors", table: test, claim: "Errors", document: doc("0 (0%)", 0, 0), unit: .fraction,
                     measure: .perRun("lt", Read.failureRate())),
            ClaimRow("003.lt.requests", table: test, claim: "Requests completed", document: doc("18000", 18000), unit: .count, better: .higher,
                     measure: .perRun("lt") { r, _ in Double(r.endpoints.reduce(0) { $0 + $1.succeeded }) },
                     note: "the phases send 12,600 virtual users x 3 requests = 37,800 (see below)"),
            ClaimRow("003.lt.cache", table: test, claim: "Job-list cache hit rate (\"Cache Hit Rate > 60%\" target)", document: doc("> 60%", 0.6, nil),
                     unit: .fraction, better: .higher, measure: .perRun("lt", Read.cacheHitRate("jobs")),
                     note: "every POST /api/jobs invalidates the one user's job list"),
            ClaimRow("003.peak.cpu", table: test, claim: "Event loop at the 100 VU/s peak (\"CPU < 70%\" target)", document: doc("< 70%", nil, 0.7),
                     unit: .fraction, measure: .perRun("peak", Read.workerUtilization), note: "utilization law: simulated rate x CPU per request"),
            ClaimRow("003.peak.p95", table: test, claim: "p95 at the 100 VU/s peak held", document: doc("450ms", 0.45), unit: .seconds,
                     measure: .report("peak", section: "overall", item: "all", metric: "p95_seconds")),
            ClaimRow("003.tier.free.rpm", table: tiers, claim: "Free ($0): requests/min (capacity, bottleneck law)", document: doc("~500", 500),
                     unit: .perMinute, better: .higher, measure: .analytic("lt") { run in capacity(run).map { $0 * 60 } }),
            ClaimRow("003.tier.free.users", table: tiers, claim: "Free ($0): concurrent users at the table's 5 requests/min each",
                     document: doc("~100", 100), unit: .users, better: .higher, measure: .analytic("lt") { run in capacity(run).map { $0 * 60 / 5 } }),
            ClaimRow("003.tier.basic", table: tiers, claim: "Basic ($50): ~1,000 users, ~5,000 requests/min", document: textOnly("~1,000 / ~5,000"),
                     unit: .perMinute, measure: .none, note: "the document gives no hardware for the paid tiers"),
            ClaimRow("003.tier.pro", table: tiers, claim: "Pro ($200): ~10,000 users, ~50,000 requests/min", document: textOnly("~10,000 / ~50,000"),
                     unit: .perMinute, measure: .none, note: "the document gives no hardware for the paid tiers"),
            ClaimRow("003.tier.enterprise", table: tiers, claim: "Enterprise ($1,000+): 100,000+ users, 500,000+ requests/min",
                     document: textOnly("100,000+ / 500,000+"), unit: .perMinute, measure: .none, note: "the document gives no hardware for the paid tiers"),
            ClaimRow("003.pool.peak", table: pool, claim: "\"Free Tier Limits: ~60 concurrent connections\": peak in use at the 100 VU/s peak",
                     document: doc("<= 60", nil, 60), unit: .count, measure: .perRun("peak", Read.pool("supabase") { Double($0.peakInUse) })),
            ClaimRow("003.pool.utilization", table: pool, claim: "Pool of 60 at the peak: utilization (\"Connections > 70%\" warning)",
                     document: doc("< 70%", nil, 0.7), unit: .fraction, measure: .perRun("peak", Read.pool("supabase") { $0.utilization })),
            ClaimRow("003.page.offset", table: pool, claim: "\"Offset-based ... ~5ms / ~50ms (offset 10,000)\": extra list latency at offset 10,000, at the test's peak (timeouts counted at 10 s)",
                     document: doc("~45 ms (50 - 5)", 0.045), unit: .seconds,
                     measure: .paired("deep", "peakb") { d, b, _, _ in
                         guard let x = censoredMean("list_jobs", timeout: 10)(d), let y = censoredMean("list_jobs", timeout: 10)(b) else { return nil }
                         return x - y
                     }, note: "the 100 VU/s phase asks 100 list pages/s: 55 ms of database each on 2 cores is 275% utilization"),
            ClaimRow("003.page.offset.timeouts", table: pool, claim: "Offset 10,000 at the test's peak: share of attempts timing out (Artillery 10 s)",
                     document: doc("0 (\"Errors: 0\")", 0, 0), unit: .fraction, measure: .perRun("deep", Read.failureRate())),
            ClaimRow("003.page.cursor", table: pool, claim: "\"Cursor-based ~5ms ... Constant time\": list latency at the test's peak with 5 ms pages",
                     document: textOnly("~5ms (the query alone)"), unit: .seconds, measure: .perRun("peakb", Read.mean("list_jobs")),
                     note: "Headroom's figure is the whole request: two PostgREST round trips and the count"),
        ]
        let theory: @Sendable ([String: ScenarioRun]) -> [TheoryFinding] = { runs in
            var out: [TheoryFinding] = []
            let vus = 10.0 * 60 + 50 * 120 + 100 * 60
            out.append(TheoryFinding("003.t.phases", claim: "\"Scenarios launched: 6000 ... Requests completed: 18000\" for phases 60 s x 10/s, 120 s x 50/s, 60 s x 100/s",
                document: "6,000 scenarios, 18,000 requests",
                correction: String(format: "arrivalRate x duration summed: 10 x 60 + 50 x 120 + 100 x 60 = %@ virtual users, each sending 3 requests: %@ requests", Fmt.num(vus), Fmt.num(3 * vus)),
                documentValue: 18000, correctedValue: 3 * vus, unit: .count))
            out.append(TheoryFinding("003.t.tiers", claim: "\"Free | $0 | ~100 | ~500\" (concurrent users, requests/min) beside a load test peaking at 100 users/s",
                document: "the free tier carries ~500 requests/min; the load test expects 0 errors",
                correction: "every tier is 5 requests/min per user (Little: a request every ~12 s per user). The load test's last phase sends 100 x 3 = 300 requests/s = 18,000 requests/min, 36 times the free tier's stated capacity, and expects no errors: the two sections cannot both hold. The free tier's real limit is its single event loop and 2-core database (rows above)",
                documentValue: 500, correctedValue: 18000, unit: .perMinute))
            let uDeep = 100 * (0.050 + 0.005) / 2, uCursor = 100 * (0.005 + 0.005) / 2
            out.append(TheoryFinding("003.t.offset", claim: "\"Offset-based | ~5ms | ~50ms\" (offset 0 / 10,000)",
                document: "a deep page costs 45 ms more",
                correction: String(format: "45 ms more per query is not 45 ms more per request under load: at the peak's 100 list requests/s the database needs 100 x (50 + 5) ms = 5.5 core-seconds per second from 2 cores, utilization %@ (overload: the queue grows until the 10 s timeouts); with cursors 100 x 10 ms gives %@", Fmt.pct(uDeep), Fmt.pct(uCursor)),
                documentValue: 0.05, correctedValue: nil, unit: .seconds))
            let erl = 300.0 * (0.005 * 2 + 0.005) / 3
            out.append(TheoryFinding("003.t.pool", claim: "\"Supabase PgBouncer: ~60 connections ... Suitable for < 1000 concurrent users\"",
                document: "60 connections bound the free tier",
                correction: String(format: "at the peak's 300 requests/s each request holds a connection only for its queries (%@ on average): %.2f erlangs on 60 connections, Erlang C P(wait) = %@. Connections are not what limits the free tier; the document's own checklist also leaves the pooler unintegrated (\"[ ] Integrate connection pooling with supabaseAdmin.ts\")",
                                   Fmt.ms(erl / 300), erl, Fmt.pct(Theory.probabilityOfWaiting(servers: 60, erlangs: erl) ?? 1)),
                documentValue: 60, correctedValue: erl, unit: .count))
            _ = runs
            return out
        }
        let paragraph = """
            **Confirmed.** The designed free tier does survive its own load test: {003.lt.errors} errors, a \
            median of {003.lt.p50} and a p95 of {003.lt.p95} (document: 120 ms and 450 ms, so it is pessimistic, \
            assuming ~2 ms of CPU per request and 20 ms PostgREST round trips), and the pool of 60 is nowhere near \
            its limit ({003.pool.peak} connections at the peak).

            **Refuted.** The expected summary miscounts its own phases (37,800 requests, not 18,000). The \
            capacity table's free tier (~500 requests/min) is {003.tier.free.rpm} by the bottleneck law, and the \
            load test it sits beside peaks at 36 times its stated capacity. The job-list cache hits \
            {003.lt.cache}, not >60%: in the test every virtual user is the same account and every POST \
            invalidates its list. "~50 ms at offset 10,000" is harmless alone and fatal at the peak: a list page \
            at that depth costs {003.page.offset} more on average at the test's peak and {003.page.offset.timeouts} \
            of the requests time out, because 100 deep pages per second need 5.5 core-seconds per second from 2 cores.
            """
        return SeedDocument(id: "003", shortName: "flowats", title: "UC-137: Scalability & Performance Optimization (FlowATS)",
                            scenarios: scenarios, rows: rows, theory: theory, paragraph: paragraph)
    }()

    // MARK: - 004 ML Allure

    static let allure: SeedDocument = {
        let scenarios = [
            ReproductionScenario("s1low", file: "allure-current.yaml", overrides: ["rate": "20/s"], label: "stage 1 (current) at 20 requests/s"),
            ReproductionScenario("s1", file: "allure-current.yaml", overrides: ["rate": "50/s"], label: "stage 1 (current) at 50 requests/s"),
            ReproductionScenario("s1hi", file: "allure-current.yaml", label: "stage 1 (current) at 100 requests/s"),
            ReproductionScenario("s2", file: "allure-quick-wins.yaml", label: "stage 2 (quick wins) at 300 requests/s"),
            ReproductionScenario("s3", file: "allure-medium.yaml", label: "stage 3 (medium effort) at 700 requests/s"),
            ReproductionScenario("s4", file: "allure-long-term.yaml", label: "stage 4 (long term) at 1,000 requests/s"),
        ]
        let summary = "Performance Summary Table", roadmap = "Capacity Roadmap"
        let usersPerRps = 10.0  // the document's own ratio: 500-1,000 users at 50-100 req/s
        var rows: [ClaimRow] = [
            ClaimRow("004.current.users", table: summary, claim: "Concurrent Users, current (capacity x 10 s per request, the table's own ratio)",
                     document: doc("500-1,000", 500, 1000), unit: .users, better: .higher,
                     measure: .analytic("s1") { run in capacity(run).map { $0 * usersPerRps } }),
            ClaimRow("004.current.rps", table: summary, claim: "Requests/Second, current (capacity, bottleneck law)",
                     document: doc("50-100", 50, 100), unit: .perSecond, better: .higher, measure: .analytic("s1", capacity)),
            ClaimRow("004.current.rps.served", table: summary, claim: "Requests/Second, current: served when 50/s are offered",
                     document: doc("50-100", 50, 100), unit: .perSecond, better: .higher, measure: .perRun("s1", served())),
            ClaimRow("004.current.order.low", table: summary, claim: "Order Creation Latency, current, at 20 req/s (mean)",
                     document: doc("500-2,000ms", 0.5, 2.0), unit: .seconds, measure: .perRun("s1low", Read.mean("create_order"))),
            ClaimRow("004.current.order", table: summary, claim: "Order Creation Latency, current, at 50 req/s (mean)",
                     document: doc("500-2,000ms", 0.5, 2.0), unit: .seconds, measure: .perRun("s1", Read.mean("create_order"))),
            ClaimRow("004.current.list.low", table: summary, claim: "Product List Latency, current, at 20 req/s (mean of cached and miss)",
                     document: doc("50-150ms cached / 200-400ms miss -> mean 125-300ms at 40-50% hits", 0.125, 0.3), unit: .seconds,
                     measure: .perRun("s1low", Read.mean("list_products")), isInput: true),
            ClaimRow("004.current.list", table: summary, claim: "Product List Latency, current, at 50 req/s (mean)",
                     document: doc("mean 125-300ms", 0.125, 0.3), unit: .seconds, measure: .perRun("s1", Read.mean("list_products"))),
            ClaimRow("004.current.hit", table: summary, claim: "Cache Hit Rate, current", document: doc("40-50%", 0.4, 0.5), unit: .fraction,
                     better: .higher, measure: .perRun("s1low", Read.cacheHitRate("products")), isInput: true),
            ClaimRow("004.current.connections", table: summary, claim: "Database Connections, current (peak in use)", document: doc("~10 default", 10),
                     unit: .count, measure: .perRun("s1", Read.pool("prisma") { Double($0.peakInUse) }), isInput: true),
            ClaimRow("004.current.utilization.pool", table: summary, claim: "Pool utilization, current at 50 req/s (\"No database connection pooling\" is critical issue #1)",
                     document: textOnly("(the pool is named the first critical issue)"), unit: .fraction, measure: .perRun("s1", Read.pool("prisma") { $0.utilization })),
            ClaimRow("004.current.utilization.database", table: summary, claim: "Database utilization, current at 50 req/s",
                     document: textOnly("(not stated)"), unit: .fraction, measure: .perRun("s1", Read.nodeUtilization())),
            ClaimRow("004.current.utilization.cpu", table: summary, claim: "Event loop utilization, current at 50 req/s (\"Uses only 1 CPU core\")",
                     document: textOnly("(not stated)"), unit: .fraction, measure: .perRun("s1", Read.workerUtilization)),
            ClaimRow("004.target.users", table: summary, claim: "Concurrent Users, target (stage 4 capacity x 10 s)", document: doc("10,000+", 10000, nil),
                     unit: .users, better: .higher, measure: .analytic("s4") { run in capacity(run).map { $0 * usersPerRps } }),
            ClaimRow("004.target.rps", table: summary, claim: "Requests/Second, target (stage 4 capacity)", document: doc("500-1,000", 500, 1000),
                     unit: .perSecond, better: .higher, measure: .analytic("s4", capacity)),
            ClaimRow("004.target.order", table: summary, claim: "Order Creation Latency, target (stage 4 at 1,000 req/s, mean)", document: doc("<500ms", nil, 0.5),
                     unit: .seconds, measure: .perRun("s4", Read.mean("create_order")), note: "the synchronous payment call alone averages 500 ms"),
            ClaimRow("004.target.list", table: summary, claim: "Product List Latency, target (stage 4 at 1,000 req/s, mean)", document: doc("<100ms", nil, 0.1),
                     unit: .seconds, measure: .perRun("s4", Read.mean("list_products"))),
            ClaimRow("004.target.hit", table: summary, claim: "Cache Hit Rate, target", document: doc("80%+", 0.8, nil), unit: .fraction, better: .higher,
                     measure: .perRun("s4", Read.cacheHitRate("products")), isInput: true),
            ClaimRow("004.target.connections", table: summary, claim: "Database Connections, target (per instance)", document: doc("25-50", 25, 50),
                     unit: .count, measure: .analytic("s4") { run in Double(run.model.pools.first?.size ?? 0) }, isInput: true),
            ClaimRow("004.target.instances", table: summary, claim: "Instances Supported, target", document: doc("10-50", 10, 50), unit: .count,
                     measure: .analytic("s4") { run in Double(run.model.instances.count) }, isInput: true),
        ]
        let stages: [(String, String, String, Double, Double)] = [
            ("s1hi", "1", "current: \"~500-1,000 concurrent users | 50-100 requests/second\"", 50, 100),
            ("s2", "2", "quick wins: \"~2,000-3,000 concurrent users | 200-300 req/s\"", 200, 300),
            ("s3", "3", "medium effort: \"~5,000-7,000 concurrent users | 500-700 req/s\"", 500, 700),
            ("s4", "4", "long term: \"~10,000+ concurrent users | 1,000+ req/s\"", 1000, .infinity),
        ]
        for (s, k, label, lo, hi) in stages {
            let text = hi.isInfinite ? "\(Fmt.groupThousands(Int(lo)))+ req/s" : "\(Int(lo))-\(Int(hi)) req/s"
            rows.append(ClaimRow("004.stage\(k).capacity", table: roadmap, claim: "Stage \(k), \(label): capacity (bottleneck law)",
                                 document: doc(text, lo, hi.isInfinite ? nil : hi), unit: .perSecond, better: .higher, measure: .analytic(s, capacity)))
            let offered = hi.isInfinite ? lo : hi
            rows.append(ClaimRow("004.stage\(k).served", table: roadmap, claim: "Stage \(k): share of \(Int(offered))/s offered served successfully (simulated)",
                                 document: doc("all (it carries \(text))", 0.99, 1.0), unit: .fraction, better: .higher,
                                 measure: .perRun(s) { r, run in (served()(r, run) ?? 0) / offered }))
            rows.append(ClaimRow("004.stage\(k).p95", table: roadmap, claim: "Stage \(k): p95 at that load",
                                 document: textOnly("(not stated)"), unit: .seconds, measure: .report(s, section: "overall", item: "all", metric: "p95_seconds")))
        }
        let theory: @Sendable ([String: ScenarioRun]) -> [TheoryFinding] = { runs in
            var out: [TheoryFinding] = []
            out.append(TheoryFinding("004.t.users", claim: "\"No database connection pooling - Default ~10 connections, max 50-100 concurrent users\" and, in the table, \"Concurrent Users | 500-1,000\" (current)",
                document: "two figures for the same system: 50-100 and 500-1,000 concurrent users",
                correction: "they differ tenfold. Every stage of the roadmap has users = 10 s x requests/s (500-1,000 at 50-100, 2,000-3,000 at 200-300, ..., 10,000 at 1,000): by Little's law, users who send a request every 10 s. The user counts say nothing the request rates do not",
                documentValue: 1000, correctedValue: 100, unit: .users))
            if let s1 = runs["s1"], let s2 = runs["s2"] {
                let d = s1.analysis.resource("database.primary")
                out.append(TheoryFinding("004.t.pool", claim: "\"Configure Connection Pool - 10-20x concurrent capacity ... Impact: 50-100 more concurrent users\"",
                    document: "10-20x capacity from the pool (and, two lines later, +50-100 users: +5-20%)",
                    correction: String(format: "utilization law: the database needs %@ per request on %d cores, so no pool size carries more than %.0f requests/s; stage 1 and stage 2 have the same capacity (%.0f/s and %.0f/s). A bigger pool only lets more queries share the saturated cores",
                                       Fmt.ms(d?.demandSeconds ?? 0), d?.servers ?? 0, d?.maxThroughputPerSecond ?? 0,
                                       s1.analysis.bounds.maxThroughputPerSecond ?? 0, s2.analysis.bounds.maxThroughputPerSecond ?? 0),
                    documentValue: 10, correctedValue: (s2.analysis.bounds.maxThroughputPerSecond ?? 0) / max(1e-9, s1.analysis.bounds.maxThroughputPerSecond ?? 1), unit: .ratio))
            }
            out.append(TheoryFinding("004.t.order", claim: "\"Order Creation Latency | 500-2,000ms | <500ms\" with \"Queue System ... Impact: 50-100ms response reduction\"",
                document: "the queue brings order creation under 500 ms",
                correction: "taking 50-100 ms off 500-2,000 ms leaves 400-1,950 ms: the queue alone cannot meet the target; whatever makes orders slow must leave the request (here: a synchronous payment call), or the target is not <500 ms",
                documentValue: 0.5, correctedValue: 0.4, unit: .seconds))
            if let s3 = runs["s3"] {
                let cpu = s3.analysis.resource("workers.instances"), db = s3.analysis.resource("database.primary")
                out.append(TheoryFinding("004.t.cluster", claim: "\"Clustering/Load Balancing ... Impact: 4-8x capacity\"",
                    document: "capacity scales with processes",
                    correction: String(format: "clustering multiplies the event loops only: at stage 3 the 4 loops could carry %.0f/s but the database %.0f/s; past the database's limit more processes add nothing without the index and cache fixes that cut its demand per request",
                                       cpu?.maxThroughputPerSecond ?? 0, db?.maxThroughputPerSecond ?? 0),
                    documentValue: 4, correctedValue: nil, unit: .ratio))
            }
            return out
        }
        let paragraph = """
            **Confirmed.** The medium-effort stage is what moves capacity: indexes, the N+1 fix and granular \
            invalidation cut the database's work per request from 103 ms to 6 ms, and stage 3 carries {004.stage3.capacity} \
            (document: 500-700 req/s). Stage 4 (replicas, CDN, 10 instances) clears 1,000 req/s \
            ({004.stage4.served} of 1,000 req/s served) and lists products in {004.target.list}.

            **Refuted.** The current system does not carry 50-100 req/s: under the stated assumptions its \
            4-core database saturates at {004.current.rps} (product-list misses are full table scans), and at \
            50 req/s orders take {004.current.order}. The quick wins do not move capacity at all — stage 2's \
            bottleneck law gives {004.stage2.capacity}, the same database limit — so "10-20x concurrent \
            capacity" from the pool and "200-300 req/s" fail; the pool is full ({004.current.utilization.pool}) \
            only because the database behind it is ({004.current.utilization.database}). The concurrent-user \
            counts are the request rates times 10 s and contradict the document's own "max 50-100 concurrent \
            users". Order creation stays above the <500 ms target ({004.target.order}) because only 50-100 ms of \
            it is moved to the queue.
            """
        return SeedDocument(id: "004", shortName: "allure", title: "ML Allure Scalability & Performance Evaluation Summary",
                            scenarios: scenarios, rows: rows, theory: theory, paragraph: paragraph)
    }()
}
