import Foundation
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
}
