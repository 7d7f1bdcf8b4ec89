import Foundation
import Testing
@testable import HeadroomModel

/// Loads YAML text as `test.yaml`; records an issue and returns nil on errors.
func load(_ yaml: String, overrides: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) -> LoadedModel? {
    do {
        return try ModelLoader.load(yaml: yaml, fileName: "test.yaml", overrides: overrides)
    } catch {
        Issue.record("unexpected errors:\n\(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The error messages (rendered) for YAML text that must fail to load.
func errors(_ yaml: String, overrides: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
    do {
        _ = try ModelLoader.load(yaml: yaml, fileName: "test.yaml", overrides: overrides)
        Issue.record("expected errors, but the model loaded", sourceLocation: sourceLocation)
        return []
    } catch {
        return error.errors.map(\.description)
    }
}

/// The repository root (for models/examples).
let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A minimal valid model around the given endpoint steps.
func withSteps(_ steps: String, extra: String = "") -> String {
    """
    workload:
      open: {rate: 10/s}
    pools:
      db: {size: 10, acquire_timeout: 1s}
    \(extra)
    endpoints:
      e:
        steps:
    \(steps.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }.joined(separator: "\n"))
    """
}
