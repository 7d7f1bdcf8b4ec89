import Foundation
import Testing

/// Executes the notebooks on small data (`scripts/notebooks.sh --small`), so a notebook that no
/// longer runs against the CLI's exports fails. Opt-in: the first run installs pandas, matplotlib
/// and nbconvert from PyPI into notebooks/.venv, which takes minutes.
@Suite("Notebooks", .serialized)
struct SweepNotebookTests {
    static let enabled = ProcessInfo.processInfo.environment["HEADROOM_NOTEBOOK_TESTS"] == "1"

    @Test("Notebooks execute on small data and write their PNGs", .enabled(if: enabled, "set HEADROOM_NOTEBOOK_TESTS=1"))
    func notebooks() throws {
        let binary = try #require(CLI.binary, "build the CLI first: swift build --product headroom")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-notebooks-\(UUID().uuidString)")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [CLI.packageRoot.appendingPathComponent("scripts/notebooks.sh").path, "--small"]
        var env = ProcessInfo.processInfo.environment
        env["HEADROOM"] = binary.path
        env["HEADROOM_NOTEBOOK_DATA"] = out.appendingPathComponent("data").path
        env["HEADROOM_NOTEBOOK_OUT"] = out.appendingPathComponent("out").path
        p.environment = env
        p.currentDirectoryURL = CLI.packageRoot
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(log.suffix(4000))")
        // Each notebook asserts on its own frames (a whole grid, one line per pool size, every
        // replication's intervals, the five audits), so exit 0 means those held.
        for png in ["latency_vs_users.png", "heatmap.png", "timeline.png", "audits_before_after.png"] {
            let path = out.appendingPathComponent("out/\(png)").path
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            #expect(size > 10_000, "\(png) missing or empty")
        }
    }
}
