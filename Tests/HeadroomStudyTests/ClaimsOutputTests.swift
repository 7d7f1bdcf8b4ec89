import Foundation
import HeadroomKernel
import HeadroomModel
import Testing
@testable import HeadroomAnalysis
@testable import HeadroomCharts
@testable import HeadroomOutput
@testable import HeadroomStudy

// The output bugs of issue 20, each pinned by the behaviour that was wrong.

/// Writes `files` (name -> text) into a fresh directory; returns the path of `main`.
private func writeFiles(_ files: [String: String], main: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("claims-out-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
    return dir.appendingPathComponent(main).path
}

/// One worker, CPU exp(10 ms) (capacity 100/s), open arrivals: light at 50/s.
private let lightWeb = """
    name: light web
    simulation: {horizon: 60s, warmup: 5s, replications: 3, seed: 7}
    workload:
      open: {rate: 50/s}
      mix: {page: 1.0}
    instances: {count: 1, workers: 1}
    endpoints:
      page:
        steps:
          - cpu: exp(10ms)
    """

/// The same at 95/s with a 50 ms client timeout: M/M/1 response times are exponential with mean
/// 1 / (100 - 95) = 200 ms, so about e^(-0.05 x 5) = 78% of the attempts time out.
private let overloadedWeb = """
    name: overloaded web
    simulation: {horizon: 30s, warmup: 3s, replications: 3, seed: 7}
    workload:
      open: {rate: 95/s}
      mix: {page: 1.0}
    instances: {count: 1, workers: 1}
    endpoints:
      page:
        timeout: 50ms
        steps:
          - cpu: exp(10ms)
    """

private let bundledSeeds: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("models/seeds").path
}()

private func bundled(_ name: String) throws -> ClaimsFile {
    try ClaimsLoader.load(path: (bundledSeeds as NSString).appendingPathComponent(name))
}

private func evaluate(_ id: String, in file: ClaimsFile) throws -> CheckResult {
    let c = try #require(file.checks.first { $0.id == id }, "no check \(id)")
    return Verification.evaluate(c, file: file)
}

@Suite("verify's output: intervals, checks, warnings, commands", .serialized)
struct VerifyOutputTests {
    @Test("the interval of a difference is shown as computed: it is not clamped at 0 and contains its mean")
    func differencesAreNotClamped() {
        // 002.fix1.latency: a mean of -8.1% showed [0, 0].
        let e = Estimate(mean: -0.081, halfWidth: 0.03, samples: 3)
        let difference = Format.clamped(e, .fraction, plain: false)
        #expect(abs(difference.low - -0.111) < 1e-12 && abs(difference.high - -0.051) < 1e-12)
        // Even a plain reading keeps an interval around its own mean when the mean is outside the unit's edges.
        let plain = Format.clamped(e, .fraction)
        #expect(plain.low <= e.mean && e.mean <= plain.high)
        // 004.queue.order: -14 ms with [0, 0].
        let ms = Format.estimate(Estimate(mean: -0.014, halfWidth: 0.004, samples: 3), .seconds, plain: false)
        #expect(ms.contains("-14.0 ms") && ms.contains("-18.0 ms..-10.0 ms"), "\(ms)")
    }

    @Test("a claim read as an expression is not clamped; one read as a single figure still is")
    func clampedOnlyForOneFigure() throws {
        let path = try writeFiles(["web.yaml": lightWeb, "web.claims.yaml": """
            document: {id: "910", title: clamping}
            scenarios:
              base: {model: web.yaml}
            claims:
              - {id: diff, figure: "0", unit: seconds, read: "base:overall.all.mean_seconds - base:overall.all.mean_seconds * 1.01"}
              - {id: one, figure: 20ms, unit: seconds, read: "base:overall.all.mean_seconds"}
            """], main: "web.claims.yaml")
        let result = try Verification.verify(try ClaimsLoader.load(path: path), options: VerificationOptions(replications: 3, horizonSeconds: 20))
        let diff = try #require(result.claim("diff"))
        #expect(!diff.claim.readsOneFigure)
        #expect(try #require(result.claim("one")).claim.readsOneFigure)
        let e = try #require(diff.headroom)
        #expect(e.mean < 0)
        let (lo, hi) = Format.clamped(e, .seconds, plain: diff.claim.readsOneFigure)
        #expect(lo <= e.mean && e.mean <= hi && hi < 0, "[\(lo), \(hi)] around \(e.mean)")
    }

    @Test("000.check.ratelimit's correction is the pause each user needs, about 8.5 s, not 899.5 s")
    func rateLimitCorrection() throws {
        let c = try evaluate("check.ratelimit", in: try bundled("marketing.claims.yaml"))
        let z = try #require(c.correction)
        // 100 requests per 15 min per user: one per 9 s, less the 350-500 ms response.
        #expect(abs(z.low - 8.5) < 1e-9 && abs(z.high - 8.65) < 1e-9, "\(z)")
        #expect(c.arithmetic.contains("8.50 s..8.65 s"), "\(c.arithmetic)")
    }

    @Test("001.check.pgbouncer uses no instance count the document does not state")
    func pgbouncerStatesItsPremises() throws {
        let c = try evaluate("check.pgbouncer", in: try bundled("ai-platform.claims.yaml"))
        #expect(c.verdict == .consistent, "\(c.arithmetic)")
        #expect(!c.check.relationText.contains("8"), "\(c.check.relationText)")
        for n in ["500", "50", "15"] { #expect(c.check.quote.contains(n)) }
    }

    @Test("001.redis.reduction is judged on the quantity check.cache_mean corrects, so the two cannot disagree")
    func cacheMeanAgreesWithTheClaim() throws {
        let file = try bundled("ai-platform.claims.yaml")
        let c = try evaluate("check.cache_mean", in: file)
        #expect(c.verdict == .inconsistent)
        #expect(c.check.mentions("redis.reduction") && c.check.mentions("redis.after.1u"))
        // What the law gives (28-30% of the time remains) lies outside the claim's agreement band:
        // a Headroom figure near it cannot be called agreement.
        let claim = try #require(file.claims.first { $0.id == "redis.reduction" })
        let band = try #require(claim.figure).agreementBand(tolerance: file.tolerance)
        let corrected = try #require(c.correction)
        #expect(!corrected.intersects(band), "correction \(corrected) against band \(band)")
    }

    @Test("a check whose arithmetic overflows is undecided, not inconsistent")
    func overflowIsUndecided() throws {
        let path = try writeFiles(["web.yaml": lightWeb, "web.claims.yaml": """
            document: {id: "911", title: overflow}
            checks:
              - {id: nan, holds: "1e308 * 10 - 1e308 * 10 = 0"}
              - {id: inf, holds: "1e308 * 10 <= 5"}
              - {id: fine, holds: "2 * 3 = 7"}
            """], main: "web.claims.yaml")
        let file = try ClaimsLoader.load(path: path)
        #expect(try evaluate("nan", in: file).verdict == .undecided)
        #expect(try evaluate("inf", in: file).verdict == .undecided)
        #expect(try evaluate("inf", in: file).arithmetic.contains("overflows"))
        #expect(try evaluate("fine", in: file).verdict == .inconsistent)
    }

    @Test("a latency read that counts its timeouts is judged even where most attempts time out; a bare mean is not")
    func failuresCountedAreJudged() throws {
        let path = try writeFiles(["web.yaml": overloadedWeb, "web.claims.yaml": """
            document: {id: "912", title: timeouts}
            scenarios:
              base: {model: web.yaml}
            claims:
              - {id: bare, figure: 15ms, unit: seconds, read: "base:endpoints.page.mean_seconds"}
              - {id: counted, figure: 15ms, unit: seconds, read: "base:endpoints.page.mean_seconds * (1 - base:endpoints.page.timeout_rate) + base:endpoints.page.timeout_rate * 50ms"}
            """], main: "web.claims.yaml")
        let result = try Verification.verify(try ClaimsLoader.load(path: path), options: VerificationOptions(replications: 3, horizonSeconds: 20))
        let bare = try #require(result.claim("bare"))
        #expect(bare.verdict == .notComparable && bare.note.contains("succeed"), "\(bare.verdictText) / \(bare.note)")
        let counted = try #require(result.claim("counted"))
        #expect(counted.verdict != .notComparable, "\(counted.verdictText) / \(counted.note)")
        #expect(!counted.note.contains("succeed"), "\(counted.note)")
    }

    @Test("\"holds\" on fewer replications than the minimum carries a warning; enough replications carry none")
    func holdsWarnsOnFewReplications() throws {
        let path = try writeFiles(["web.yaml": lightWeb, "web.claims.yaml": """
            document: {id: "913", title: replications}
            scenarios:
              base: {model: web.yaml}
            claims:
              - {id: mean, figure: "0ms..1s", unit: seconds, read: "base:overall.all.mean_seconds"}
            """], main: "web.claims.yaml")
        let file = try ClaimsLoader.load(path: path)
        let few = try #require(try Verification.verify(file, options: VerificationOptions(replications: 3, horizonSeconds: 10)).claim("mean"))
        #expect(few.verdict == .holds)
        #expect(few.verdictText.contains("only 3 replications"), "\(few.verdictText)")
        let enough = try #require(try Verification.verify(file, options: VerificationOptions(replications: Verification.minimumReplicationsForHolds,
                                                                                              horizonSeconds: 10)).claim("mean"))
        #expect(enough.verdict == .holds && !enough.verdictText.contains("warning"), "\(enough.verdictText)")
    }

    @Test("every scenario line verify prints is a command that runs as written")
    func scenarioLinesRun() throws {
        let bin = try #require(CLI.binary, "build the CLI first")
        let path = try writeFiles(["web model.yaml": lightWeb, "web.claims.yaml": """
            document: {id: "914", title: commands}
            unknowns:
              rate: {set: rate, range: 20/s..40/s, points: 2}
            scenarios:
              base: {model: web model.yaml, set: {"workload.mix": "{page: 1}", "endpoints.page.steps.0.cpu": "exp(10ms)"}}
              cap: {model: web model.yaml, set: {instances: 2}}
            claims:
              - {id: mean, figure: 20ms, unit: seconds, read: "base:overall.all.mean_seconds"}
              - {id: capacity, figure: 100/s, unit: per_second, better: higher, read: "cap:analysis.capacity_per_second"}
            """], main: "web.claims.yaml")
        let r = try CLI.run(["verify", path, "--replications", "2", "--horizon", "4s"])
        #expect(r.status == 0, "\(r.stderr)")
        let commands = r.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("headroom run ") || $0.hasPrefix("headroom analyze ") }
        #expect(commands.count == 4, "two rates of `base` simulated, two of `cap` analysed:\n\(r.stdout)")
        #expect(commands.contains { $0.hasPrefix("headroom analyze ") })
        for c in commands {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "headroom() { \"$HEADROOM\" \"$@\"; }; " + c]
            p.environment = ["HEADROOM": bin.path, "PATH": "/usr/bin:/bin"]
            p.standardOutput = FileHandle.nullDevice
            let err = Pipe()
            p.standardError = err
            try p.run()
            let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "`\(c)` failed: \(e)")
        }
    }
}
