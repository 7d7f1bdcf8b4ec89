import Foundation
import Testing
@testable import HeadroomModel

@Suite struct ExampleFiles {
    static var files: [String] {
        let dir = repositoryRoot.appendingPathComponent("models/examples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        // Claims files (`*.claims.yaml`, read by `headroom verify`) live beside the models they cite.
        return names.filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.contains(".claims.") }.sorted()
            .map { dir.appendingPathComponent($0).path }
    }

    @Test func examplesDirectoryHasTheRequiredFiles() {
        let names = Set(Self.files.map { URL(fileURLWithPath: $0).lastPathComponent })
        for required in ["mm1.yaml", "mmc.yaml", "two-tier.yaml"] { #expect(names.contains(required)) }
        #expect(names.count >= 15)
    }

    /// Each example loads, and every component its file declares is in the loaded model under its
    /// own name, in file order: a decoder that dropped, merged or renamed a section's entries
    /// fails here (the negative control below shows the comparison can fail).
    @Test(arguments: files) func everyExampleLoadsWithEveryDeclaredComponent(path: String) throws {
        let loaded: LoadedModel
        do { loaded = try ModelLoader.load(path: path) } catch { Issue.record("\(error)"); return }
        let declared = try Self.declaredNames(yaml: String(contentsOfFile: path, encoding: .utf8), file: path)
        let m = loaded.model
        let inModel: [String: [String]] = [
            "pools": m.pools.map(\.name), "poolers": m.poolers.map(\.name), "caches": m.caches.map(\.name),
            "rate_limiters": m.rateLimiters.map(\.name), "job_queues": m.jobQueues.map(\.name),
            "upstreams": m.upstreams.map(\.name), "endpoints": m.endpoints.map(\.name),
        ]
        for (section, names) in declared.sorted(by: { $0.key < $1.key }) {
            #expect(inModel[section] == names, "\(section): declared \(names), loaded \(inModel[section] ?? [])")
        }
    }

    /// The names each component section of a model file declares, in file order.
    static func declaredNames(yaml: String, file: String) throws -> [String: [String]] {
        let root = try TreeBuilder.parse(yaml: yaml, file: file)
        var out: [String: [String]] = [:]
        for section in ["pools", "poolers", "caches", "rate_limiters", "job_queues", "upstreams", "endpoints"] {
            if let entries = root.entries?.first(where: { $0.key == section })?.value.entries { out[section] = entries.map(\.key) }
        }
        return out
    }

    @Test func theDeclaredNamesComparisonSeesADroppedEntry() throws {
        let yaml = "pools:\n  a: {size: 2}\n  b: {size: 3}\nendpoints:\n  e: {steps: [{cpu: 1ms}]}\n"
        let declared = try Self.declaredNames(yaml: yaml, file: "x.yaml")
        #expect(declared["pools"] == ["a", "b"])
        #expect(declared["pools"] != ["a"])
        #expect(declared["endpoints"] == ["e"])
    }
}
