import Foundation
import Testing

/// One vocabulary for axes across sweep, plan and breakpoint (`--vary`, the older spellings still
/// accepted), every refused value saying why, and one spelling of `error:` (docs/cli.md).
@Suite("headroom CLI: one vocabulary for axes and errors", .serialized)
struct VocabularyCLITests {
    static let model = """
        name: M/M/1
        simulation: {horizon: 20s, warmup: 2s, replications: 2, seed: 3}
        network:
          arrivals: {desk: 5/s}
          stations:
            desk: {service: exp(100ms)}
        """

    @Test("sweep --vary and sweep --set write the same files")
    func sweepVaryIsSet() throws {
        let path = try CLI.temporaryFile("mm1.yaml", Self.model)
        let dir = (path as NSString).deletingLastPathComponent
        let a = try CLI.run(["sweep", path, "--vary", "network.arrivals.desk=2/s,4/s", "--threads", "1", "--output-dir", dir + "/a"])
        let b = try CLI.run(["sweep", path, "--set", "network.arrivals.desk=2/s,4/s", "--threads", "1", "--output-dir", dir + "/b"])
        #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
        #expect(contents(dir + "/a/cells.csv") == contents(dir + "/b/cells.csv"))
        #expect(contents(dir + "/a/cells.jsonl") == contents(dir + "/b/cells.jsonl"))
        // The terminal table: one line per cell, under a header naming the axis.
        #expect(a.stdout.contains("network.arrivals.desk"))
        #expect(a.stdout.split(separator: "\n").filter { $0.hasPrefix("0 ") || $0.hasPrefix("1 ") }.count == 2, "\(a.stdout)")
    }

    @Test("sweep without an axis asks for --vary")
    func sweepAsksForVary() throws {
        let path = try CLI.temporaryFile("mm1.yaml", Self.model)
        let r = try CLI.run(["sweep", path])
        #expect(r.status == 64)
        #expect(r.stderr.hasPrefix("error: give at least one --vary KEY=VALUES"), "\(r.stderr)")
    }

    @Test("sweep --slo exits 1 when no cell meets it, and names none as best")
    func sweepSLOFails() throws {
        let path = try CLI.temporaryFile("mm1.yaml", Self.model)
        let dir = (path as NSString).deletingLastPathComponent
        let r = try CLI.run(["sweep", path, "--vary", "network.arrivals.desk=2/s,4/s", "--slo", "p95<1ms", "--threads", "1", "--output-dir", dir + "/s"])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stdout.contains("0 of 2 cells meet every SLO"))
        #expect(r.stdout.contains("no cell meets every SLO"))
    }

    @Test("plan --set with a list is the axis plan --vary is")
    func planSetListIsAnAxis() throws {
        let path = try CLI.temporaryFile("mm1.yaml", Self.model)
        let vary = try CLI.run(["plan", path, "--vary", "network.stations.desk.servers=1,2", "--slo", "p95<2s", "--threads", "1", "--format", "json"])
        let set = try CLI.run(["plan", path, "--set", "network.stations.desk.servers=1,2", "--slo", "p95<2s", "--threads", "1", "--format", "json"])
        #expect(vary.status == 0, "\(vary.stderr)")
        #expect(set.status == vary.status)
        #expect(set.stdout == vary.stdout)
    }

    @Test("breakpoint --vary KEY=LOW...HIGH is --vary KEY --range LOW...HIGH")
    func breakpointVaryRange() throws {
        let path = try CLI.temporaryFile("mm1.yaml", Self.model)
        let common = ["--slo", "p95<1s", "--max-simulations", "3", "--threads", "1", "--format", "json"]
        let a = try CLI.run(["breakpoint", path, "--vary", "network.arrivals.desk=2/s...9/s"] + common)
        let b = try CLI.run(["breakpoint", path, "--vary", "network.arrivals.desk", "--range", "2/s...9/s"] + common)
        #expect(a.stdout == b.stdout)
        #expect(a.status == b.status)
        let both = try CLI.run(["breakpoint", path, "--vary", "network.arrivals.desk=2/s...9/s", "--range", "2/s...9/s"] + common)
        #expect(both.status == 64)
        #expect(both.stderr.hasPrefix("error: give the range once"), "\(both.stderr)")
    }

    @Test("a refused value says why: a duration without a unit, a count that is not whole, a bad budget")
    func refusalsSayWhy() throws {
        let path = try CLI.temporaryFile("mm1.yaml", Self.model)
        let cases: [([String], String)] = [
            (["run", path, "--horizon", "10"], "duration needs a unit, e.g. 10ms or 10s"),
            (["sweep", path, "--vary", "network.arrivals.desk=2/s", "--warmup", "ten"], "or `auto`"),
            (["run", path, "--replications", "2.5"], "a count is a whole number"),
            (["plan", path, "--vary", "network.stations.desk.servers=1,2", "--slo", "p95<1s", "--seed", "-1"], "a seed is a whole number"),
            (["run", path, "--budget", "lots"], "a budget is a positive number of operations"),
        ]
        for (arguments, reason) in cases {
            let r = try CLI.run(arguments)
            #expect(r.status == 64, "\(arguments): \(r.status)")
            #expect(r.stderr.contains(reason), "\(arguments): \(r.stderr)")
            #expect(r.stderr.hasPrefix("error: "), "\(arguments): \(r.stderr)")
        }
    }

    @Test("every error is spelt `error:`, ArgumentParser's and headroom's alike")
    func oneSpellingOfError() throws {
        let path = try CLI.temporaryFile("mm1.yaml", Self.model)
        for arguments in [["run", path, "--no-such-option"], ["run", path, "--threads", "0"],
                          ["run", path, "--horizon", "1s", "--warmup", "5s"]] {
            let r = try CLI.run(arguments)
            #expect(r.status == 64, "\(arguments)")
            #expect(r.stderr.hasPrefix("error: "), "\(arguments): \(r.stderr)")
            #expect(!r.stderr.contains("Error:"), "\(arguments): \(r.stderr)")
        }
    }
}
