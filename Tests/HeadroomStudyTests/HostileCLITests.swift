import Foundation
import HeadroomAnalysis
import HeadroomCharts
import HeadroomOutput
import HeadroomStudy
import Testing

/// Issue 13's command-line reproducers, run on the built binary: each must exit with a clear
/// message and a sysexits code, never a trap.
@Suite("Hostile input on the command line", .serialized)
struct HostileCLITests {
    static let mm1 = "models/examples/mm1.yaml"

    @Test("A negative number after an option is that option's value, and its range is checked")
    func negativeNumbersAreValues() throws {
        let r = try CLI.run(["run", HostileCLITests.mm1, "--replications", "-1"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--replications must be between 1 and 100000, not -1"), "\(r.stderr)")
        #expect(!r.stderr.contains("Missing value"))
        let t = try CLI.run(["run", HostileCLITests.mm1, "--threads", "-2"])
        #expect(t.status == 64 && t.stderr.contains("--threads must be between 1 and 1024, not -2"), "\(t.stderr)")
    }

    @Test("--horizon has the 30-day limit of simulation.horizon")
    func horizonLimit() throws {
        for horizon in ["31d", "1e308s"] {
            let r = try CLI.run(["run", HostileCLITests.mm1, "--horizon", horizon])
            #expect(r.status == 64, "\(horizon)")
            #expect(r.stderr.contains("--horizon \(horizon) is absurd: more than 30d is not supported"), "\(r.stderr)")
        }
        let negative = try CLI.run(["run", HostileCLITests.mm1, "--horizon", "-5s"])
        #expect(negative.status == 64 && negative.stderr.contains("--horizon must be positive, not -5s"), "\(negative.stderr)")
    }

    @Test("A timeline interval far below the horizon is refused before simulating, with the shortest interval allowed")
    func timelineSampleLimit() throws {
        // default.yaml runs 10 minutes: at 1 ns, 2 replications would be 1.2e12 samples (it ran unbounded).
        let r = try CLI.run(["run", "models/default.yaml", "--timeline", "1ns", "--replications", "2"])
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stderr.contains("would record 1,200,000,000,000 samples, more than 1,000,000: pass an interval of at least 1.2ms"), "\(r.stderr)")
        let window = try CLI.run(["run", "models/default.yaml", "--slo", "p95<1s", "--slo-window", "1us", "--replications", "2"])
        #expect(window.status == 64 && window.stderr.contains("more than 1,000,000"), "\(window.stderr)")
    }

    @Test("The timeline limit counts samples over every replication, and allows exactly the maximum")
    func timelineSampleLimitBoundary() {
        #expect(TimelineExport.tooManySamples(intervalSeconds: 0.0012, horizonSeconds: 600, replications: 2) == nil)
        #expect(TimelineExport.tooManySamples(intervalSeconds: 0.0012, horizonSeconds: 600, replications: 3) != nil)
        #expect(TimelineExport.tooManySamples(intervalSeconds: 1, horizonSeconds: 1_000_000, replications: 1) == nil)
        #expect(TimelineExport.tooManySamples(intervalSeconds: 1, horizonSeconds: 1_000_001, replications: 1) != nil)
    }

    @Test("A megabyte scalar is quoted in the error by its start and length, not whole")
    func hugeScalarIsClippedInTheError() throws {
        let path = try CLI.temporaryFile("huge-scalar.yaml", String(repeating: "x", count: 1_000_000))
        for command in ["check", "verify"] {
            let r = try CLI.run([command, path])
            #expect(r.status == 65, "\(command)")
            #expect(r.stderr.count < 400 && r.stderr.contains("… (1000000 characters)`"), "\(command): \(r.stderr.prefix(400))")
        }
    }

    @Test("A directory given as the model is named as one")
    func directoryAsModel() throws {
        let r = try CLI.run(["check", "models"])
        #expect(r.status == 65)
        #expect(r.stderr == "models: error: this is a directory, not a model file (give the path of a .yaml file)\n")
    }

    @Test("A step of 1e30 s is an error with its position in check, analyze and run (it trapped in the overload warning)")
    func hugeStepIsAnError() throws {
        let path = try CLI.temporaryFile("huge.yaml", """
            workload: {open: {rate: 1/s}}
            endpoints: {e: {steps: [{cpu: 1e30s}]}}
            """)
        for command in ["check", "analyze", "run"] {
            let r = try CLI.run([command, path])
            #expect(r.status == 65, "\(command): \(r.stderr)")
            #expect(r.stderr.hasPrefix("\(path):2:31: error:"), "\(command): \(r.stderr)")
        }
    }

    @Test("A closed loop of times that round to nothing is refused by the budget, its rate called unbounded, not nan")
    func budgetOfAnUnboundedRate() throws {
        let path = try CLI.temporaryFile("instant.yaml", """
            workload: {closed: {users: 5, think_time: 1e-320s}}
            endpoints: {e: {steps: [{cpu: 1e-320s}]}}
            """)
        let r = try CLI.run(["run", path, "--horizon", "20s", "--warmup", "2s", "--replications", "1"])
        #expect(r.status == 64 && r.stderr.contains("(unbounded/s x 20 s x 1 replication") && !r.stderr.contains("nan"), "\(r.stderr)")
        // The only budget that admits it is one the option accepts.
        #expect(r.stderr.contains("pass --budget unlimited to run it anyway") && !r.stderr.contains("--budget unbounded"), "\(r.stderr)")
    }

    @Test("A closed loop of 64 clients through a pooler of 16 on a 2-core database runs with the default budget")
    func closedLoopThroughAPoolerRuns() throws {
        let path = try CLI.temporaryFile("closed64.yaml", WorkBudgetTests.closedThroughPooler)
        let r = try CLI.run(["run", path, "--horizon", "4s", "--warmup", "1s", "--replications", "1", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test("A run estimated past the budget stops before simulating and says how long it would take")
    func budget() throws {
        let path = try CLI.temporaryFile("fast.yaml", """
            simulation: {horizon: 1h, warmup: 1min, replications: 10}
            workload: {open: {rate: 10000000/s}}
            instances: {count: 100, workers: 8}
            endpoints: {e: {steps: [{cpu: exp(50us)}]}}
            """)
        let r = try CLI.run(["run", path])
        #expect(r.status == 64)
        // 10^7/s x 3,600 s x 10 replications x 3 operations (arrival, the step, completion).
        #expect(r.stderr.contains("this run would simulate about 1.1e12 operations (1e07/s x 1 h x 10 replications x 3 per request): about 4 days of CPU, more than the budget of 1e10 operations"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        let small = try CLI.run(["run", HostileCLITests.mm1, "--horizon", "2min", "--replications", "2", "--budget", "1000"])
        #expect(small.status == 64 && small.stderr.contains("about 5760 operations (8/s x 2 min x 2 replications x 3 per request)") && small.stderr.contains("--budget 5818"), "\(small.stderr)")
        let bad = try CLI.run(["run", HostileCLITests.mm1, "--budget", "-5"])
        #expect(bad.status == 64)
    }

    @Test("sweep, plan, breakpoint and compare sum the work of what they would simulate and refuse past --budget")
    func budgetOnEverySimulatingCommand() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-budget-\(UUID().uuidString)").path
        let key = "network.arrivals.server"
        // M/M/1 at 8/s and 16/s, 2 min x 2 replications x 3 operations: 5,760 + 11,520 = 17,280.
        let sweep = try CLI.run(["sweep", HostileCLITests.mm1, "--set", "\(key)=8/s,16/s", "--horizon", "2min",
                                 "--replications", "2", "--budget", "17000", "--output-dir", dir])
        #expect(sweep.status == 64 && sweep.stderr.contains("this sweep would simulate about 17280 operations (2 cells,") &&
                sweep.stderr.contains("--budget 17453"), "\(sweep.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir), "a refused sweep writes nothing")
        let within = try CLI.run(["sweep", HostileCLITests.mm1, "--set", "\(key)=8/s,16/s", "--horizon", "2min",
                                  "--replications", "2", "--budget", "17453", "--output-dir", dir])
        #expect(within.status == 0, "\(within.stderr)")
        try? FileManager.default.removeItem(atPath: dir)
        // A plan could simulate every candidate up to --max-simulations: here the costlier one only.
        let plan = try CLI.run(["plan", HostileCLITests.mm1, "--vary", "\(key)=8/s,16/s", "--horizon", "2min",
                                "--replications", "2", "--slo", "p95<1s", "--max-simulations", "1", "--budget", "11000"])
        #expect(plan.status == 64 && plan.stderr.contains("this plan could simulate about 11520 operations (its 1 most expensive of 2 candidates"), "\(plan.stderr)")
        // A breakpoint search adds each load's work before simulating it.
        let breakpoint = try CLI.run(["breakpoint", HostileCLITests.mm1, "--vary", key, "--horizon", "2min",
                                      "--replications", "2", "--slo", "p95<1s", "--budget", "1000"])
        #expect(breakpoint.status == 64 && breakpoint.stderr.contains("the breakpoint search would simulate about") &&
                breakpoint.stderr.contains("(1 load so far"), "\(breakpoint.stderr)")
        let compare = try CLI.run(["compare", "models/examples/orders-api.yaml", "models/measurements/k6-summary.json",
                                   "--replications", "3", "--budget", "1000"])
        #expect(compare.status == 64 && compare.stderr.contains("this comparison would simulate about") &&
                compare.stderr.contains("3 replications)"), "\(compare.stderr)")
    }

    @Test("A sweep whose first cells already pass the budget is refused without checking the rest")
    func hugeSweepStopsCheckingAtTheBudget() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-huge-\(UUID().uuidString)").path
        // 100,000 cells of M/M/c, c = 1..100000 (most absurd, never checked); the first chunk's 64+ cells pass a budget of 1,000 at once.
        let r = try CLI.run(["sweep", HostileCLITests.mm1, "--set", "network.stations.server.servers=1...100000", "--horizon", "2min",
                             "--replications", "2", "--budget", "1000", "--output-dir", dir, "--threads", "1"])
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stderr.contains("this sweep would simulate more than") && r.stderr.contains("of its 100000 cells)")
                && r.stderr.contains("pass --budget unlimited to run it anyway") && !r.stderr.contains("--budget 1"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir), "a refused sweep writes nothing")
    }

    @Test("verify and reproduce add each simulation's work before it runs and stop at the budget")
    func budgetOnVerification() throws {
        let reproduce = try CLI.run(["reproduce", "000", "--budget", "1000"])
        #expect(reproduce.status == 64 && reproduce.stderr.contains("this verification would simulate about") &&
                reproduce.stderr.contains("(0 simulations admitted, then 000 "), "\(reproduce.stderr)")
        #expect(reproduce.stdout.isEmpty)
        let verify = try CLI.run(["verify", "models/seeds/marketing.claims.yaml", "--budget", "1000"])
        #expect(verify.status == 64 && verify.stderr.contains("this verification would simulate about"), "\(verify.stderr)")
    }

    @Test("Ctrl-C prints the report of the replications finished so far and exits 130")
    func interruptReportsFinishedReplications() throws {
        let bin = try #require(CLI.binary)
        let p = Process()
        p.executableURL = bin
        p.arguments = ["run", HostileCLITests.mm1, "--horizon", "1min", "--warmup", "0s", "--replications", "100000",
                       "--threads", "1", "--format", "json", "--budget", "unlimited"]
        p.currentDirectoryURL = CLI.packageRoot
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        Thread.sleep(forTimeInterval: 3)
        kill(p.processIdentifier, SIGINT)
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 130, "\(e)")
        let json = try #require(try JSONSerialization.jsonObject(with: o) as? [String: Any], "\(e)")
        let settings = try #require(json["settings"] as? [String: Any])
        let finished = try #require(settings["replications"] as? Int)
        #expect(finished >= 1 && finished < 100_000)
        #expect(e.contains("interrupted: reporting the \(finished) replication"), "\(e)")
        #expect((json["notes"] as? [String])?.first?.hasPrefix("interrupted: \(finished) of 100000 replications had finished") == true)
    }
}
