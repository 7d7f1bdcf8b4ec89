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

    @Test(arguments: files) func everyExampleLoadsWithoutErrors(path: String) {
        do {
            let loaded = try ModelLoader.load(path: path)
            #expect(loaded.model.sourcePath == path)
        } catch {
            Issue.record("\(error)")
        }
    }
}
