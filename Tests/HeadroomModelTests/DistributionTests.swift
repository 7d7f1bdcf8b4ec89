import Foundation
import Testing
@testable import HeadroomModel

@Suite struct DistributionSyntax {
    func parse(_ s: String) throws(ParseFailure) -> DistributionSpec { try DistributionSpec.parse(s) }

    @Test func bareDurationIsConstant() throws { #expect(try parse("20ms") == .constant(0.02)) }
    @Test func constant() throws { #expect(try parse("const(5ms)") == .constant(0.005)) }
    @Test func exponentialTakesTheMean() throws { #expect(try parse("exp(20ms)") == .exponential(mean: 0.02)) }
    @Test func uniform() throws { #expect(try parse("uniform(10ms, 30ms)") == .uniform(low: 0.01, high: 0.03)) }
    @Test func normalWithNamedArguments() throws {
        #expect(try parse("normal(mean: 50ms, sd: 10ms)") == .normal(mean: 0.05, sd: 0.01))
    }
    @Test func lognormalMeanAndCV() throws { #expect(try parse("lognormal(mean: 100ms, cv: 0.5)") == .lognormal(mean: 0.1, cv: 0.5)) }
    @Test func gammaMeanAndCV() throws { #expect(try parse("gamma(mean: 100ms, cv: 2)") == .gamma(mean: 0.1, cv: 2)) }
    @Test func gammaAcceptsSDInsteadOfCV() throws { #expect(try parse("gamma(mean: 100ms, sd: 50ms)") == .gamma(mean: 0.1, cv: 0.5)) }
    @Test func erlang() throws { #expect(try parse("erlang(k: 3, mean: 30ms)") == .erlang(k: 3, mean: 0.03)) }
    @Test func weibull() throws { #expect(try parse("weibull(shape: 1.5, scale: 40ms)") == .weibull(shape: 1.5, scale: 0.04)) }
    @Test func boundedPareto() throws {
        #expect(try parse("pareto(alpha: 1.5, low: 5ms, high: 5s)") == .pareto(alpha: 1.5, low: 0.005, high: 5))
    }
    @Test func hyperexponential() throws { #expect(try parse("hyperexp(mean: 50ms, cv: 2)") == .hyperexponential(mean: 0.05, cv: 2)) }
    @Test func hyperexponentialNeedsCVAtLeastOne() {
        #expect(throws: ParseFailure.self) { try parse("hyperexp(mean: 50ms, cv: 0.5)") }
    }
    @Test func positionalArgumentsWork() throws { #expect(try parse("lognormal(100ms, 0.5)") == .lognormal(mean: 0.1, cv: 0.5)) }
    @Test func empiricalInlineValues() throws { #expect(try parse("empirical(values: [10ms, 20ms])") == .empirical([0.01, 0.02])) }
    @Test func empiricalInlineNumbersWithAUnit() throws { #expect(try parse("empirical(values: [10, 20], unit: ms)") == .empirical([0.01, 0.02])) }

    @Test func empiricalFileIsRelativeToTheModel() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "latency\n12ms\n1.5s\n\n# comment\n500us\n".write(to: dir.appendingPathComponent("s.csv"), atomically: true, encoding: .utf8)
        let d = try DistributionSpec.parse("empirical(file: s.csv)", baseDirectory: dir.path)
        #expect(d == .empirical([0.012, 1.5, 0.0005]))
    }

    @Test func unknownDistributionSuggestsTheClosest() {
        do { _ = try parse("lognorml(mean: 1ms, cv: 1)"); Issue.record("accepted") } catch {
            #expect(error.message == "unknown distribution `lognorml`; did you mean `lognormal`?")
        }
    }
    @Test func unknownArgumentSuggestsTheClosest() {
        do { _ = try parse("lognormal(mean: 1ms, vc: 1)"); Issue.record("accepted") } catch {
            #expect(error.message.contains("has no argument `vc`; did you mean `cv`?"))
        }
    }

    @Test func meansAreKnown() throws {
        #expect(try parse("uniform(10ms, 30ms)").mean == 0.02)
        #expect(abs(try parse("weibull(shape: 1, scale: 40ms)").mean - 0.04) < 1e-12)
        // Bounded Pareto: L^a / (1 - (L/H)^a) * a / (a - 1) * (L^(1-a) - H^(1-a)) = 0.0145261177071...
        // (mpmath, 30 digits); the unbounded mean a L / (a - 1) = 0.015 must not pass.
        let p = try parse("pareto(alpha: 1.5, low: 5ms, high: 5s)").mean
        #expect(abs(p - 0.0145261177071498860642) <= 1e-12 * 0.0145261177071498860642)
    }

    @Test func countsParse() throws {
        #expect(try CountSpec.parse("5") == .constant(5))
        #expect(try CountSpec.parse("const(5)") == .constant(5))
        #expect(try CountSpec.parse("uniform(1, 10)") == .uniform(low: 1, high: 10))
        #expect(try CountSpec.parse("poisson(5)") == .poisson(mean: 5))
        #expect(try CountSpec.parse("geometric(mean: 5)") == .geometric(mean: 5))
    }

    @Test func zipfKeyPopularity() throws {
        #expect(try KeyPopularityParser.parse("zipf(s: 1.0, n: 1000)") == KeyPopularity(s: 1, n: 1000))
    }

    @Test func namedArgumentsWorkUnquotedInBlockAndFlowYAML() {
        let m = load(withSteps("""
        - cpu: lognormal(mean: 100ms, cv: 0.5)
        - {cpu: normal(mean: 50ms, sd: 10ms)}
        - query: {time: uniform(20ms, 50ms)}
        - cpu: empirical(values: [1ms, 2ms])
        """))?.model
        #expect(m?.endpoints[0].steps == [
            .cpu(.lognormal(mean: 0.1, cv: 0.5)), .cpu(.normal(mean: 0.05, sd: 0.01)),
            .query(Query(pool: "db", time: .uniform(low: 0.02, high: 0.05))), .cpu(.empirical([0.001, 0.002])),
        ])
    }
}
