import Foundation
import Testing
@testable import HeadroomModel

/// Issue 13: hostile or absurd model files give an error with file:line:column, never a crash, and
/// cost time and memory in proportion to their bytes. Each test is one reproducer from the issue
/// (or from scripts/fuzz.py).
@Suite struct HostileInput {
    // MARK: huge numbers (a Double converted to Int trapped)

    @Test func aThirtyOrdersOfMagnitudeStepIsAnErrorNotATrapInTheOverloadWarning() {
        #expect(errors("""
        workload: {open: {rate: 1/s}}
        endpoints: {e: {steps: [{cpu: 1e30s}]}}
        """) == ["test.yaml:2:31: error: `endpoints.e.steps[0].cpu`: `1e30s` is absurd: a duration of more than 30d is not supported"])
    }

    @Test func hugeDurationsInsideDistributionsAreErrors() {
        let cases = ["query: 1e308s", "cpu: 99999999999999999999d", "cpu: exp(1e308s)", "cpu: uniform(1ms, 1e300h)",
                     "cpu: normal(mean: 1ms, sd: 1e40s)"]
        for step in cases {
            let e = errors(withSteps("- \(step)"))
            #expect(e.count == 1 && e[0].hasPrefix("test.yaml:9:") && e[0].contains("absurd"), "\(step): \(e)")
        }
    }

    @Test func aDistributionWhoseMeanOverflowsIsAnError() {
        // weibull(shape: 0.01) has mean scale * Gamma(101), about 10^158 s.
        let e = errors(withSteps("- cpu: weibull(shape: 0.01, scale: 1s)"))
        #expect(e.count == 1 && e[0].contains("the mean of `weibull(shape: 0.01, scale: 1s)`") && e[0].contains("more than 30d"), "\(e)")
    }

    @Test func aHugeRateLimiterRateGetsABurstWithoutATrap() {
        // The default burst is the rate rounded up: at 1e7/s (the largest rate) it must still fit an Int.
        // A burst that wrapped or was clamped to the wrong bound would differ from 10 000 000.
        let m = load(withSteps("- cpu: 1ms", extra: "rate_limiters: {rl: {rate: 10000000/s}}"))
        #expect(m?.model.rateLimiter(named: "rl")?.algorithm == .tokenBucket(ratePerSecond: 10_000_000, burst: 10_000_000))
        // Not rounded to the nearest: 2.5/s gets a burst of 3.
        let small = load(withSteps("- cpu: 1ms", extra: "rate_limiters: {rl: {rate: 2.5/s}}"))
        #expect(small?.model.rateLimiter(named: "rl")?.algorithm == .tokenBucket(ratePerSecond: 2.5, burst: 3))
    }

    @Test func absurdRepeatCountsAndErlangPhasesAreErrors() {
        #expect(errors(withSteps("- repeat: 9223372036854775807\n  steps: [{cpu: 1ms}]")).first?.contains("absurd") == true)
        #expect(errors(withSteps("- repeat: uniform(0, 9223372036854775807)\n  steps: [{cpu: 1ms}]")).first?.contains("absurd") == true)
        #expect(errors(withSteps("- repeat: poisson(1e300)\n  steps: [{cpu: 1ms}]")).first?.contains("absurd") == true)
        #expect(errors(withSteps("- cpu: erlang(k: 1000000000, mean: 1ms)")).first?.contains("phases is not supported") == true)
    }

    // MARK: YAML aliases, nesting, sizes

    /// Nine nested levels of ten aliases: 500 bytes that stand for 10^9 nodes.
    static let aliasBomb: String = {
        var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for k in 1...9 { lines.append("a\(k): &a\(k) [" + Array(repeating: "*a\(k - 1)", count: 10).joined(separator: ", ") + "]") }
        return lines.joined(separator: "\n") + "\nworkload: {open: {rate: 1/s}}\nendpoints: {e: {steps: [{cpu: 1ms}]}}\n"
    }()

    @Test func anAliasBombIsRefusedAtTheAliasThatPassesTheLimit() {
        let clock = ContinuousClock()
        var e: [String] = []
        let elapsed = clock.measure { e = errors(HostileInput.aliasBomb) }
        #expect(e.count == 1, "\(e)")
        // Level 4 is the first whose aliases add more than 100,000 nodes (each *a3 stands for 11,111).
        #expect(e.first?.hasPrefix("test.yaml:5:") == true && e.first?.contains("aliases may add at most 100000 nodes") == true, "\(e)")
        #expect(elapsed < .seconds(5), "refused in \(elapsed), not after expanding")
    }

    @Test func aFewAliasesStillWork() {
        let m = load("""
        workload: {open: {rate: 1/s}, mix: {a: 1, b: 1}}
        endpoints:
          a: {steps: &shared [{cpu: 1ms}, {cpu: 2ms}]}
          b: {steps: *shared}
        """)
        #expect(m?.model.endpoints.map(\.steps.count) == [2, 2])
    }

    // MARK: YAML merge keys (`<<: *base`), YAML 1.1 semantics

    @Test func aMergeKeyAddsTheBaseEntriesAndExplicitKeysWin() throws {
        let m = try #require(load("""
        workload: {open: {rate: 10/s}, mix: {a: 0.5, b: 0.5}}
        pools:
          base: &pool {size: 5, acquire_timeout: 1s}
          other:
            size: 8
            <<: *pool
        endpoints:
          a: &ep {timeout: 2s, steps: [{cpu: 1ms}, {query: {pool: base, time: 2ms}}]}
          b:
            <<: *ep
            timeout: 3s
        """))
        #expect(m.model.pools.map(\.size) == [5, 8])
        #expect(m.model.pools[1].acquireTimeoutSeconds == 1)
        #expect(m.model.endpoints.map(\.timeoutSeconds) == [2, 3])
        #expect(m.model.endpoints[1].steps.count == 2)
    }

    @Test func aListOfMergedMappingsGivesTheEarlierOnePrecedence() throws {
        let m = try #require(load("""
        workload: {open: {rate: 10/s}}
        pools:
          small: &small {size: 2}
          slow: &slow {size: 9, acquire_timeout: 5s}
          both: {<<: [*small, *slow]}
        endpoints: {e: {steps: [{query: {pool: small, time: 1ms}}]}}
        """))
        #expect(m.model.pools[2].size == 2 && m.model.pools[2].acquireTimeoutSeconds == 5)
    }

    @Test func anErrorInsideMergedContentPointsAtTheLineItCameFrom() {
        #expect(errors("""
        workload: {open: {rate: 10/s}}
        pools:
          base: &pool {size: 5, acquire_timout: 1s}
          other: {<<: *pool}
        endpoints: {e: {steps: [{query: {pool: base, time: 1ms}}]}}
        """) == ["test.yaml:3:25: error: `pools.base.acquire_timout`: unknown key `acquire_timout`; did you mean `acquire_timeout`?",
                 "test.yaml:3:25: error: `pools.other.acquire_timout`: unknown key `acquire_timout`; did you mean `acquire_timeout`?"])
    }

    @Test func aMergeKeyOfAnythingButMappingsIsAnErrorNamingIt() {
        #expect(errors("workload: {open: {rate: 10/s}}\nendpoints:\n  e:\n    <<: 5\n    steps: [{cpu: 1ms}]\n") ==
                ["test.yaml:4:5: error: the merge key `<<` takes a mapping or a list of mappings (e.g. `<<: *defaults`), found a value"])
    }

    @Test func mergeKeysCountAgainstTheAliasLimits() {
        // Each `<<: *a9` stands for the whole anchored tree: the alias-expansion limit refuses it.
        var yaml = "a0: &a0 {x: 1, y: 2, z: 3, w: 4, v: 5, u: 6, t: 7, s: 8, r: 9, q: 10}\n"
        for level in 1...5 {
            let uses = (0..<10).map { "k\($0): {<<: *a\(level - 1)}" }.joined(separator: ", ")
            yaml += "a\(level): &a\(level) {\(uses)}\n"
        }
        let e = errors(yaml + "workload: {open: {rate: 1/s}}\nendpoints: {e: {steps: [{cpu: 1ms}]}}\n")
        #expect(e.count == 1 && e[0].contains("aliases may add at most 100000 nodes"), "\(e)")
    }

    @Test func tooManyAliasUsesAreRefused() {
        let uses = Array(repeating: "*v", count: InputLimits.aliases + 1).joined(separator: ", ")
        let e = errors("x: &v 1\ny: [\(uses)]\nworkload: {open: {rate: 1/s}}\nendpoints: {e: {steps: [{cpu: 1ms}]}}\n")
        #expect(e.count == 1 && e[0].hasPrefix("test.yaml:2:") && e[0].contains("more than 1000 aliases"), "\(e)")
    }

    @Test func deepNestingIsRefusedWithItsPosition() {
        let deep = String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)
        let e = errors("workload: {open: {rate: 1/s}}\nendpoints: {e: {steps: [{cpu: 1ms}]}}\nx: \(deep)\n")
        // libyaml's scanner finds it first and names where the flow list starts.
        #expect(e == ["test.yaml:3:5: error: lists and mappings are nested more than 100 levels deep here; a model may nest at most 100"])
        // Block nesting, found on the events.
        var block = "workload: {open: {rate: 1/s}}\nendpoints: {e: {steps: [{cpu: 1ms}]}}\nx:\n"
        for depth in 1...101 { block += String(repeating: " ", count: depth) + "k:\n" }
        let b = errors(block)
        #expect(b.count == 1 && b[0].hasPrefix("test.yaml:") && b[0].contains("nested more than 100 levels"), "\(b)")
    }

    @Test func aListLongerThanTheLimitIsRefusedAtTheList() {
        let items = Array(repeating: "1", count: InputLimits.itemsPerCollection + 1).joined(separator: ", ")
        let e = errors("workload: {open: {rate: 1/s}}\nendpoints: {e: {steps: [{cpu: 1ms}]}}\nx: [\(items)]\n")
        #expect(e == ["test.yaml:3:4: error: this list has more than 100000 items: a list may have at most 100000 items"])
    }

    @Test func errorsBeyondAHundredAreCountedInOneLastLine() {
        var yaml = "name: many\nnetwork:\n  arrivals: {s0: 1/s}\n  stations:\n"
        for i in 0..<250 { yaml += "    s\(i): {service: exp(1ms), routes: {nowhere\(i): 0.5}}\n" }
        let e = errors(yaml)
        #expect(e.count == 101)
        #expect(e.last == "test.yaml:105:40: error: and 150 more errors from here on (the first 100 are shown)")
    }

    // MARK: bytes that are not text

    @Test func aNulByteIsAnErrorWithItsLineAndColumn() {
        #expect(errors("workload: {open: {rate: 1/s}}\nendpoints: {e: {steps: [{cpu: 1ms\u{0}}]}}\n") ==
                ["test.yaml:2:34: error: a NUL byte (U+0000) is not allowed in a YAML file (only tab, line breaks and printable characters)"])
    }

    @Test func invalidUTF8IsAnErrorWithItsLineAndColumn() throws {
        var data = Data("workload: {open: {rate: 1/s}}\nendpoints: {é: {steps: [{cpu: 1ms}]}}\n".utf8)
        data.insert(0xFF, at: 44) // line 2, byte 14: right after `endpoints: {é` (é is two bytes, one column)
        let path = try temporaryFile(data)
        #expect(throws: ModelErrors.self) { try ModelLoader.load(path: path) }
        do { _ = try ModelLoader.load(path: path) } catch {
            #expect(error.description == "\(path):2:14: error: byte 0xFF is not UTF-8: a model file must be UTF-8 text")
        }
    }

    @Test func aDirectoryGivenAsTheModelSaysSo() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-dir-\(UUID().uuidString).yaml").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        do { _ = try ModelLoader.load(path: dir); Issue.record("loaded a directory") } catch {
            #expect(error.description == "\(dir): error: this is a directory, not a model file (give the path of a .yaml file)")
        }
    }

    // MARK: checking is linear in the model's size

    static func chain(_ stations: Int) -> String {
        var yaml = "name: chain\nnetwork:\n  arrivals: {s0: 5/s}\n  stations:\n"
        for i in 0..<stations { yaml += "    s\(i): {service: exp(1ms), routes: {\(i + 1 < stations ? "s\(i + 1)" : "exit"): 1}}\n" }
        return yaml
    }

    @Test func aNetworkAtTheStationLimitLoadsAndOneMoreIsRefused() throws {
        let m = try #require(load(HostileInput.chain(Limits.networkStations)))
        #expect(m.model.network?.stations.count == Limits.networkStations)
        #expect(errors(HostileInput.chain(Limits.networkStations + 1)) ==
                ["test.yaml:5:5: error: `network.stations`: 1001 stations, more than the limit of 1000 (none of them was checked)"])
    }

    // MARK: oversized lists are refused on their length, before their items are decoded

    /// One endpoint whose steps are a block list of `count` queries, as the fuzzer's long lists are.
    static func endpoint(steps count: Int) -> String {
        var yaml = "workload: {open: {rate: 30/s}}\npools: {db: {size: 5}}\nendpoints:\n  report:\n    steps:\n"
        for _ in 0..<count { yaml += "      - query: {time: pareto(alpha: 1.5, low: 20ms, high: 10s)}\n" }
        return yaml
    }

    @Test func anEndpointAtTheStepLimitLoadsAndOneMoreStepIsRefused() throws {
        let m = try #require(load(HostileInput.endpoint(steps: Limits.steps)))
        #expect(m.model.endpoints[0].steps.count == Limits.steps)
        #expect(errors(HostileInput.endpoint(steps: Limits.steps + 1)) ==
                ["test.yaml:6:7: error: `endpoints.report.steps`: this list of 10001 steps brings the model to 10001 steps; a model may have at most 10000 steps in all (nested ones included)"])
    }

    @Test func aStepListFarPastTheLimitIsOneErrorNotThousandsOfDecodedSteps() {
        // scripts/fuzz.py seed 2026 mutant 11407: 100,000 steps took 8.7 s of CPU to check (release).
        // Every step is broken too: had any been decoded, there would be more than one error.
        // (30,000 steps here: parsing 100,000 takes 6 s in a debug build.)
        let yaml = HostileInput.endpoint(steps: 30_000).replacingOccurrences(of: "{time:", with: "{tiem:")
        #expect(errors(yaml) ==
                ["test.yaml:6:7: error: `endpoints.report.steps`: this list of 30000 steps brings the model to 30000 steps; a model may have at most 10000 steps in all (nested ones included)"])
    }

    @Test func theStepLimitCountsEveryEndpointAndNestedSteps() {
        // 6,000 steps in one endpoint, then a repeat of 4,000 and one parallel branch in another: 10,002.
        var yaml = "workload: {open: {rate: 1/s}, mix: {a: 0.5, b: 0.5}}\nendpoints:\n  a:\n    steps:\n"
        for _ in 0..<6_000 { yaml += "      - cpu: 1ms\n" }
        yaml += "  b:\n    steps:\n      - parallel: [{cpu: 1ms}, {sleep: 1ms}]\n      - repeat: 2\n        steps:\n"
        for _ in 0..<4_000 { yaml += "          - cpu: 1ms\n" }
        let e = errors(yaml)
        #expect(e == ["test.yaml:6010:11: error: `endpoints.b.steps[1].steps`: this list of 4000 steps brings the model to 10004 steps; a model may have at most 10000 steps in all (nested ones included)"], "\(e)")
    }

    @Test func aSectionOfMoreThanTheEntryLimitIsRefusedBeforeItsEntriesAreDecoded() {
        // Every pool is broken: had any been decoded, there would be more than one error.
        var yaml = "workload: {open: {rate: 1/s}}\nendpoints: {e: {steps: [{cpu: 1ms}]}}\npools:\n"
        for i in 0...Limits.sectionEntries { yaml += "  p\(i): {size: -1}\n" }
        #expect(errors(yaml) == ["test.yaml:4:3: error: `pools`: 1001 entries, more than the limit of 1000 (none of them was checked)"])
    }

    @Test func aNetworkFarPastTheStationLimitIsRefusedBeforeItsStationsAreDecoded() {
        // scripts/fuzz.py seed 2026 mutants 8717 and 12183: 86,482 stations took 7.4-7.6 s of CPU (release).
        // Every station routes to a station that does not exist: had any been decoded, there would be
        // more than one error. (20,000 stations: parsing 100,000 takes 10 s in a debug build.)
        var yaml = "name: many\nnetwork:\n  arrivals: {s0: 1/s}\n  stations:\n"
        for i in 0..<20_000 { yaml += "    s\(i): {servers: 2, service: exp(40ms), discipline: ps, routes: {nowhere: 0.3, exit: 0.7}}\n" }
        #expect(errors(yaml) == ["test.yaml:5:5: error: `network.stations`: 20000 stations, more than the limit of 1000 (none of them was checked)"])
    }

    func temporaryFile(_ data: Data) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-\(UUID().uuidString).yaml")
        try data.write(to: url)
        return url.path
    }
}
