import Foundation
import Testing

/// The Kubernetes manifest in docs/batch is checked against the Kubernetes API schema by
/// `scripts/k8s-validate.sh` (kubernetes-validate from PyPI, pinned, strict: unknown fields fail).
/// The pod's own command is also run for every completion index on this machine (no cluster:
/// `--run-locally`). Opt-in like the notebooks: the first run installs the validator into
/// .venv/k8s-validate (about a minute); scripts/test.sh turns it on (HEADROOM_K8S_TESTS=0 skips it).
@Suite("Batch manifests", .serialized)
struct BatchManifestTests {
    static let enabled = ProcessInfo.processInfo.environment["HEADROOM_K8S_TESTS"] == "1"

    static func validate(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [CLI.packageRoot.appendingPathComponent("scripts/k8s-validate.sh").path] + arguments
        p.currentDirectoryURL = CLI.packageRoot
        if let binary = CLI.binary {
            var env = ProcessInfo.processInfo.environment
            env["HEADROOM"] = binary.path
            p.environment = env
        }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    static var indexedJob: String { CLI.packageRoot.appendingPathComponent("docs/batch/k8s-indexed-job.yaml").path }

    @Test("The indexed Job manifest is valid against the Kubernetes schema", .enabled(if: enabled, "set HEADROOM_K8S_TESTS=1"))
    func indexedJobIsValid() throws {
        let r = try Self.validate([Self.indexedJob])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("passed for resource job/headroom-sweep"), "\(r.output)")
    }

    @Test("The pod command run for every index (one pod killed and retried) and the documented merge give the unsharded sweep's files",
          .enabled(if: enabled, "set HEADROOM_K8S_TESTS=1"))
    func podCommandRunsLocally() throws {
        _ = try #require(CLI.binary, "build the CLI first: swift build --product headroom")
        let r = try Self.validate(["--run-locally"])
        #expect(r.status == 0, "\(r.output.suffix(3000))")
        #expect(r.output.contains("(shard 1/3 of a 12-cell grid): ran") && r.output.contains("already done"), "\(r.output)")
        #expect(r.output.contains("merged files equal the unsharded sweep's byte for byte"), "\(r.output)")
    }

    @Test("The validator rejects the manifest with a misspelled field or a wrongly typed value", .enabled(if: enabled, "set HEADROOM_K8S_TESTS=1"))
    func validatorCatchesMistakes() throws {
        let text = try String(contentsOfFile: Self.indexedJob, encoding: .utf8)
        for (from, to, complaint) in [("completionMode: Indexed", "completionMod: Indexed", "'completionMod' was unexpected"),
                                      ("completions: 16", "completions: sixteen", "is not of type 'integer'")] {
            #expect(text.contains(from))
            let path = try CLI.temporaryFile("job.yaml", text.replacingOccurrences(of: from, with: to))
            let r = try Self.validate([path])
            #expect(r.status != 0, "\(to): \(r.output)")
            #expect(r.output.contains(complaint), "\(to): \(r.output)")
        }
    }
}
