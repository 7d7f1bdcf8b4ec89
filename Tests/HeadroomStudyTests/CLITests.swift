import Foundation
import Testing

/// Runs the built `headroom` binary: next to the test bundle, else under the package's build directories.
struct CLI {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static var binary: URL? {
        var candidates: [URL] = []
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = me.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("headroom"))
            dir = dir.deletingLastPathComponent()
        }
        for scratch in [".build-study", ".build"] {
            candidates.append(packageRoot.appendingPathComponent("\(scratch)/debug/headroom"))
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) && !$0.hasDirectoryPath }
    }

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    static func run(_ arguments: [String]) throws -> Result {
        let bin = try #require(binary, "build the CLI first: swift build --scratch-path .build-study --product headroom")
        let p = Process()
        p.executableURL = bin
        p.arguments = arguments
        p.currentDirectoryURL = packageRoot
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    static func temporaryFile(_ name: String, _ text: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}

@Suite("headroom CLI", .serialized)
struct CLITests {
    static let good = """
        name: M/M/1
        simulation: {horizon: 20s, warmup: 2s, replications: 2}
        network:
          arrivals: {desk: 5/s}
          stations:
            desk: {service: exp(100ms)}
        """

    @Test("A bad model exits 65 with file:line:column and a suggestion, and no stack trace")
    func badModel() throws {
        let path = try CLI.temporaryFile("bad.yaml", """
            name: bad
            network:
              arrivals: {desk: 5/s}
              stations:
                desk: {service: exp(100ms), srevers: 2}
            """)
        for command in ["check", "run", "analyze"] {
            let r = try CLI.run([command, path])
            #expect(r.status == 65, "\(command)")
            #expect(r.stderr.hasPrefix("\(path):5:33: error:"), "\(command): \(r.stderr)")
            #expect(r.stderr.contains("did you mean `servers`?"))
            #expect(!r.stderr.contains("Fatal error") && r.stdout.isEmpty)
        }
    }

    @Test("A good model checks with exit 0")
    func goodModel() throws {
        let path = try CLI.temporaryFile("good.yaml", Self.good)
        let r = try CLI.run(["check", path])
        #expect(r.status == 0)
        #expect(r.stdout.contains("ok"))
    }

    @Test("run --format json prints JSON that parses, with the settings from the flags")
    func runJSON() throws {
        let path = try CLI.temporaryFile("good.yaml", Self.good)
        let r = try CLI.run(["run", path, "--format", "json", "--replications", "3", "--seed", "9", "--horizon", "30s"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let settings = try #require(object["settings"] as? [String: Any])
        #expect(settings["replications"] as? Int == 3)
        #expect(settings["seed"] as? String == "9")
        #expect(settings["horizon_seconds"] as? Double == 30)
    }

    @Test("--set reaches the model; --output writes the whole file and nothing else")
    func overridesAndOutput() throws {
        let path = try CLI.temporaryFile("good.yaml", Self.good)
        let out = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("report.csv").path
        let r = try CLI.run(["analyze", path, "--set", "network.stations.desk.servers=4", "--format", "csv", "--output", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.contains("resources,station.desk,servers,,,,4"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: URL(fileURLWithPath: out).deletingLastPathComponent().path)
        #expect(Set(leftovers) == ["good.yaml", "report.csv"])
    }

    @Test("Usage errors exit 64")
    func usage() throws {
        let path = try CLI.temporaryFile("good.yaml", Self.good)
        #expect(try CLI.run(["run", path, "--format", "xml"]).status == 64)
        #expect(try CLI.run(["run", path, "--horizon", "10"]).status == 64)
        #expect(try CLI.run(["run", path, "--set", "novalue"]).status == 64)
        #expect(try CLI.run(["--help"]).status == 0)
    }

    @Test("run --slo: a failing SLO exits 1 and says which; passing ones exit 0; the JSON carries the verdicts")
    func sloGateExitStatus() throws {
        let path = try CLI.temporaryFile("mm1.yaml", Self.good)
        // M/M/1 at rho = 0.5, mean service 100 ms: the mean response is about 200 ms.
        let fail = try CLI.run(["run", path, "--slo", "mean<50ms", "--slo", "throughput>=1/s"])
        #expect(fail.status == 1)
        #expect(fail.stdout.contains("mean<50ms") && fail.stdout.contains("FAIL"))
        #expect(fail.stdout.contains("1 of 2 SLOs fails"))
        let pass = try CLI.run(["run", path, "--slo", "mean<5s", "--format", "json"])
        #expect(pass.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(pass.stdout.utf8)) as? [String: Any]
        #expect(json?["slos_hold"] as? Bool == true)
        let bad = try CLI.run(["run", path, "--slo", "p95<fast"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("not a duration"))
        // Windows read the web engine's timeline; a plain network records none, so it is refused.
        let network = try CLI.run(["run", path, "--slo", "p95<5s", "--slo-window", "5s"])
        #expect(network.status == 64)
        let window = try CLI.run(["run", "models/examples/two-tier.yaml", "--horizon", "20s", "--warmup", "5s", "--replications", "2",
                                  "--slo", "p95<5s", "--slo-window", "5s"])
        #expect(window.status == 0)
        #expect(window.stdout.contains("worst 5 s window"))
    }

    /// Before, a sweep over `rate` after `--set 'workload.open={rate: 600/s}'` gave identical cells
    /// without a word. The same conflicts are errors naming both keys in run, sweep, plan and breakpoint.
    @Test("conflicting overrides are an error naming both keys in run, sweep, plan and breakpoint")
    func overrideConflictsEverywhere() throws {
        let model = "models/examples/two-tier.yaml", phased = "models/examples/phases.yaml"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-conflict-\(UUID().uuidString)").path
        let cases: [[String]] = [
            ["run", model, "--set", "workload.open={rate: 600/s}", "--set", "rate=300/s"],
            ["sweep", model, "--set", "workload.open={rate: 600/s}", "--set", "rate=100/s,200/s", "--output-dir", dir],
            ["plan", model, "--set", "workload.open={rate: 600/s}", "--vary", "rate=100/s,200/s", "--slo", "p95<1s"],
            ["breakpoint", model, "--set", "workload.open={rate: 600/s}", "--vary", "rate", "--slo", "p95<1s"],
        ]
        for arguments in cases {
            let r = try CLI.run(arguments)
            #expect(r.status == 65, "\(arguments[0]): exit \(r.status), \(r.stderr)")
            #expect(r.stderr.contains("`rate` sets `workload.open.rate`") && r.stderr.contains("`workload.open` replaces as a whole"),
                    "\(arguments[0]): \(r.stderr)")
        }
        for command in [["run", phased, "--set", "rate=300/s"], ["sweep", phased, "--set", "rate=100/s,200/s", "--output-dir", dir]] {
            let r = try CLI.run(command)
            #expect(r.status == 65)
            #expect(r.stderr.contains("`rate` sets `workload.open.rate`, but the model's `workload.open` is given by `workload.open.phases`"),
                    "\(command[0]): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    /// Before, `check` and `run` printed an overload twice (the loader's crude check, then the
    /// analysis), and `run`'s table labelled loader warnings `warning: file: warning: ...`.
    @Test("warnings print once, with one label")
    func warningsPrintOnce() throws {
        let check = try CLI.run(["check", "models/examples/two-tier.yaml", "--set", "rate=300/s"])
        #expect(check.status == 0)
        // At 300/s the database saturates (and with it the pool whose holders it serves): each
        // overload is said once.
        #expect(check.stderr.components(separatedBy: "overloads database primary").count - 1 == 1, "\(check.stderr)")
        #expect(check.stderr.components(separatedBy: "overloads pool").count - 1 == 1, "\(check.stderr)")
        #expect(check.stdout.contains("2 warnings"))
        let run = try CLI.run(["run", "models/examples/two-tier.yaml", "--set", "rate=300/s", "--set", "instances=2",
                               "--horizon", "10s", "--warmup", "2s", "--replications", "2"])
        let warnings = run.stdout.split(separator: "\n").filter { $0.contains("warning") }
        #expect(warnings.filter { $0.contains("overloads database primary") }.count == 1, "\(warnings)")
        #expect(!warnings.contains { $0.hasPrefix("warning:") && $0.dropFirst(8).contains(": warning:") }, "\(warnings)")
    }
}
