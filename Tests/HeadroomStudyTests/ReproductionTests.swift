import Foundation
import HeadroomKernel
import Testing
@testable import HeadroomStudy

/// The seed models directory of this checkout.
private let seedsDirectory: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/HeadroomStudyTests/ReproductionTests.swift
    return url.appendingPathComponent("models/seeds").path
}()

/// The whole reproduction, once, with a short horizon and two replications (CI budget: well under
/// a minute in a debug build). Scenarios whose length is their content (the 4-minute load test,
/// the 15-minute rate-limit window) keep their own horizon. A short horizon shortens the run,
/// not the limits' windows: the 429 share is lower than over the models' own horizons.
private let report: ReproductionReport = {
    let options = ReproductionOptions(modelsDirectory: seedsDirectory, replications: 2, horizonSeconds: 20)
    return try! Reproduction.run(options)
}()

private func verdict(_ id: String) -> Verdict? {
    guard let r = report.row(id) else { Issue.record("missing row \(id)"); return nil }
    return r.verdict
}

private func mean(_ id: String) -> Double {
    guard let e = report.row(id)?.headroom else { Issue.record("row \(id) has no Headroom figure"); return .nan }
    return e.mean
}

private func utilizations(_ seed: String, _ scenario: String) -> [String: Double] {
    report.seeds.first { $0.document.id == seed }?.scenarios.first { $0.id == scenario }?.utilizations ?? [:]
}

@Suite("Reproduction of the five audits", .serialized)
struct ReproductionTests {
    // MARK: Coverage: every row the issue lists is in the output

    @Test("every seed runs and every listed row is present, in every format")
    func coverage() throws {
        #expect(report.seeds.map(\.document.id) == ["000", "001", "002", "003", "004"])
        let required = [
            // 000: both tables at 1/10/100 users, the batch claim, orphans, pool of 20, rate limits
            "000.before.create_consultant.1u", "000.before.create_consultant.10u", "000.before.create_consultant.100u",
            "000.before.create_requirement.100u", "000.before.create_interview.100u", "000.before.list_consultants.100u",
            "000.before.connections.1u", "000.before.connections.10u", "000.before.connections.100u",
            "000.after.create_consultant.1u", "000.after.create_consultant.10u", "000.after.create_consultant.100u",
            "000.after.create_requirement.100u", "000.after.create_interview.100u", "000.after.list_consultants.100u",
            "000.after.connections.1u", "000.after.connections.10u", "000.after.connections.100u",
            "000.batch.after", "000.batch.speedup", "000.orphans.before.10u", "000.orphans.after.10u",
            "000.pool.utilization.100u", "000.pool.timeouts.100u", "000.ratelimit.users.100u",
            "000.ratelimit.hammer.admitted", "000.ratelimit.hammer.rejected",
            // 001: the 50-connection claim, the service pool, the Redis session cache
            "001.pool.wait.500", "001.pool.saturation.500", "001.pool.throughput.500", "001.service.register.500",
            "001.redis.after.1u", "001.redis.reduction", "001.redis.hit", "001.redis.dbload",
            // 002: both tables, 290 waiting, fix #1, per-instance vs shared cache
            "002.wait.mean", "002.fix1.timeouts", "002.fix1.latency",
        ] + ["300", "500"].flatMap { u in
            ["before", "after"].flatMap { s in
                ["timeouts", "response", "hit", "connections", "throughput"].map { "002.\(u).\(s).\($0)" }
            }
        } + [
            // 003: load test percentiles, tiers, the 60-connection pool, offset vs cursor
            "003.lt.p50", "003.lt.p95", "003.lt.p99", "003.lt.errors", "003.tier.free.rpm", "003.tier.free.users",
            "003.tier.basic", "003.tier.pro", "003.tier.enterprise", "003.pool.peak", "003.page.offset", "003.page.cursor",
            // 004: the summary table and the four roadmap stages
            "004.current.users", "004.current.rps", "004.current.order", "004.current.list", "004.current.hit",
            "004.current.connections", "004.target.instances", "004.target.order",
        ] + (1...4).flatMap { ["004.stage\($0).capacity", "004.stage\($0).served"] }
        for id in required { #expect(report.row(id) != nil, "row \(id) missing") }
        let ids = report.allRows.map(\.row.id)
        #expect(Set(ids).count == ids.count, "row ids are unique")

        // Every row has a verdict with a reason when it is not comparable; every seed has theory findings.
        for r in report.allRows where r.verdict == .notComparable {
            #expect(!r.note.isEmpty || (r.row.document.low == nil && r.row.document.high == nil), "\(r.row.id): not comparable without a reason")
        }
        for s in report.seeds { #expect(!s.theory.isEmpty, "seed \(s.document.id) has no theory findings") }

        let table = report.rendered(as: .table), md = report.rendered(as: .markdown)
        let json = report.rendered(as: .json), csv = report.rendered(as: .csv)
        for r in report.allRows {
            #expect(table.contains(r.row.claim), "table lacks \(r.row.id)")
            #expect(json.contains("\"\(r.row.id)\""), "json lacks \(r.row.id)")
            #expect(csv.contains(",\(r.row.id),"), "csv lacks \(r.row.id)")
        }
        #expect(!md.contains("{0"), "markdown has an unresolved placeholder")
        #expect(try JSONSerialization.jsonObject(with: Data(json.utf8)) is [String: Any])
        #expect(csv.split(separator: "\n").count == report.allRows.count + report.seeds.reduce(0) { $0 + $1.theory.count } + 1)
    }

    // MARK: 000: exhaustion where claimed, after beats before, the transaction, the rate limits

    @Test("000: the before-system exhausts its 20 connections at 100 users, not at 10; the fixes stop the failures")
    func marketing() {
        #expect(mean("000.before.connections.100u") > 0, "connections refused at 100 users")
        #expect(mean("000.before.create_consultant.100u") > 0.5, "most Create Consultant attempts fail at 100 users")
        // Sequential awaits: at most one connection per user.
        #expect(mean("000.before.connections.10u") <= 10)
        #expect(verdict("000.before.connections.10u") == .documentPessimistic)
        // The connection limit is the resource that binds: every connection is open while the cores idle.
        let u = utilizations("000", "b100")
        #expect((u["database.primary"] ?? 1) < 0.9)
        // After: no refused connections, no acquire timeouts, the pool of 20 is the busiest resource.
        #expect(mean("000.pool.timeouts.100u") == 0)
        let a = utilizations("000", "a100")
        #expect((a["pool.pg"] ?? 0) > 0.95)
        #expect((a["pool.pg"] ?? 0) >= (a["database.primary"] ?? 1) && (a["pool.pg"] ?? 0) >= (a["workers"] ?? 1))
        // The transaction removes the orphans.
        #expect(mean("000.orphans.after.10u") == 0)
        #expect(mean("000.orphans.before.100u.rate") > 0)
        // The batch is faster, but not 5x once BEGIN/COMMIT are counted.
        #expect(mean("000.batch.speedup") > 1.5 && mean("000.batch.speedup") < 4)
        #expect(verdict("000.batch.speedup") == .documentOptimistic)
        // The rate limits: the hammering user gets 20 creates, not 60; 100 fast users are mostly answered 429.
        #expect(mean("000.ratelimit.hammer.admitted") == 20)
        // The share grows with the horizon as each window's budget is spent (97% over the model's 5 min).
        #expect(mean("000.ratelimit.users.100u") > 0.3)
    }

    // MARK: 001: Little's law

    @Test("001: 50 connections at 100 ms carry ~500 requests/s but 500 concurrent requests queue")
    func aiPlatform() {
        #expect(mean("001.pool.saturation.500") > 0.95, "the main pool is saturated at 500 concurrent requests")
        #expect(mean("001.pool.wait.500") > 0.3, "requests wait for a connection: 450 of 500 are queued")
        #expect(verdict("001.pool.wait.500") == .documentOptimistic)
        let x = mean("001.pool.throughput.500")
        #expect(x > 380 && x < 500, "throughput is bounded by 50 / 0.115 s")
        // The session cache: the mean lookup is ~30 ms, not 15; the database load falls ~40%, not 85%.
        #expect(mean("001.redis.after.1u") > 0.02 && mean("001.redis.after.1u") < 0.045)
        #expect(mean("001.redis.dbload") > 0.3 && mean("001.redis.dbload") < 0.5)
        #expect(mean("001.redis.throughput.500") > 1.3, "after beats before where the pool binds")
        // Isolation of the service pool: registrations are not slowed by the saturated main pool.
        #expect(abs(mean("001.service.register.500") - 0.3) < 0.03)
    }

    // MARK: 002: the queue drains ten at a time; the database, not the pool, binds

    @Test("002: pool waits are a fraction of 14.5 s; the fixes win; the database is busier than the pool")
    func tailors() {
        #expect(mean("002.wait.mean") < 14.5 / 4, "the queue drains ten at a time")
        #expect(verdict("002.wait.mean") == .documentPessimistic)
        for users in ["300", "500"] {
            #expect(mean("002.\(users).after.throughput") > mean("002.\(users).before.throughput"), "after beats before at \(users)")
            #expect(mean("002.\(users).after.response") < mean("002.\(users).before.response"), "after beats before at \(users)")
            #expect(mean("002.\(users).after.hit") > mean("002.\(users).before.hit"), "a shared cache beats five private ones")
        }
        // The document names the pool; under the model's stated assumptions the database is busier.
        let u = utilizations("002", "b300")
        #expect((u["database.primary"] ?? 0) > (u["pool.prisma"] ?? 1))
        // Fix #1 alone does not cut latency 80-90% when the database binds.
        #expect(mean("002.fix1.latency") < 0.5)
    }

    // MARK: 003: the load test, the tiers, offset pagination

    @Test("003: the free tier passes its load test; deep offsets overload the 2-core database")
    func flowats() {
        #expect(mean("003.lt.errors") == 0)
        #expect(mean("003.lt.p95") < 0.45)
        #expect(mean("003.lt.requests") > 30_000, "the phases send 37,800 requests, not 18,000")
        #expect(mean("003.tier.free.rpm") > 500 * 10, "the free tier carries far more than ~500 requests/min")
        #expect(mean("003.pool.peak") <= 60)
        #expect(mean("003.page.offset") > 0.045 * 3, "deep offsets cost far more than 45 ms under the load test")
        #expect(mean("003.page.offset.timeouts") > 0)
        let deep = utilizations("003", "deep")
        #expect((deep["database.primary"] ?? 0) > 0.7, "the database is the bottleneck with deep offsets")
        #expect((deep["database.primary"] ?? 0) > (deep["workers"] ?? 1))
    }

    // MARK: 004: which change moves which number

    @Test("004: the quick wins leave capacity where it was; the medium effort moves it; stage 4 clears 1,000/s")
    func allure() {
        let c = (1...4).map { mean("004.stage\($0).capacity") }
        #expect(abs(c[1] - c[0]) < 1e-9, "a bigger pool does not move the database's limit")
        #expect(c[2] > 5 * c[1] && c[3] >= c[2])
        #expect(verdict("004.stage2.capacity") == .documentOptimistic)
        #expect(mean("004.stage4.served") > 0.95)
        // The database is the current bottleneck; the pool is full because the database is.
        let s1 = report.seeds.first { $0.document.id == "004" }?.scenarios.first { $0.id == "s1" }
        #expect(s1?.bottleneck == "database.primary")
        #expect(mean("004.current.utilization.database") > 0.95)
        #expect(mean("004.current.utilization.database") > mean("004.current.utilization.cpu"))
        #expect(mean("004.current.order.low") < mean("004.current.order"), "latency grows past capacity")
    }

    // MARK: Verdict logic and CLI names

    @Test("verdicts: range, single figure within 15%, direction by what is better")
    func verdicts() {
        let range = DocumentFigure("300-500", low: 300, high: 500)
        #expect(Reproduction.judge(Estimate(mean: 450, halfWidth: 1, samples: 5), against: range, better: .higher) == .agrees)
        #expect(Reproduction.judge(Estimate(mean: 200, halfWidth: 1, samples: 5), against: range, better: .higher) == .documentOptimistic)
        #expect(Reproduction.judge(Estimate(mean: 900, halfWidth: 1, samples: 5), against: range, better: .higher) == .documentPessimistic)
        let single = DocumentFigure("500ms", low: 0.5, high: 0.5)
        #expect(Reproduction.judge(Estimate(mean: 0.56, halfWidth: 0, samples: 5), against: single, better: .lower) == .agrees)
        #expect(Reproduction.judge(Estimate(mean: 0.7, halfWidth: 0.01, samples: 5), against: single, better: .lower) == .documentOptimistic)
        #expect(Reproduction.judge(Estimate(mean: 0.2, halfWidth: 0.01, samples: 5), against: single, better: .lower) == .documentPessimistic)
        // An interval that reaches into the band agrees.
        #expect(Reproduction.judge(Estimate(mean: 0.7, halfWidth: 0.2, samples: 5), against: single, better: .lower) == .agrees)
        #expect(Reproduction.resolve("all") == ["000", "001", "002", "003", "004"])
        #expect(Reproduction.resolve("2") == ["002"])
        #expect(Reproduction.resolve("seed-004") == ["004"])
        #expect(Reproduction.resolve("tailors") == ["002"])
        #expect(Reproduction.resolve("999") == nil)
    }
}
