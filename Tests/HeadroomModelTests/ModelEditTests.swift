import Foundation
import Testing
@testable import HeadroomModel

/// `fit --write`: a model file's keys set in place, everything else kept.
@Suite struct ModelTextEdits {
    let settings = [ModelEdit.Setting(section: "database", key: "contention", value: "3%"),
                    ModelEdit.Setting(section: "database", key: "coherency", value: "0.02%")]
    let rest = "workload: {open: {rate: 10/s}}\nendpoints:\n  e: {steps: [{cpu: 1ms}]}  # trailing comment\n"

    @Test func flowMappingGainsTheKeys() throws {
        let text = "# my model\ndatabase: {cores: 8}\n" + rest
        let out = try ModelEdit.apply(settings, to: text, file: "t.yaml")
        #expect(out == "# my model\ndatabase: {cores: 8, contention: 3%, coherency: 0.02%}\n" + rest)
    }

    @Test func existingValuesAreReplacedInPlace() throws {
        let text = "database: {cores: 8, contention: 1%, coherency: 0}  # fitted\n" + rest
        let out = try ModelEdit.apply(settings, to: text, file: "t.yaml")
        #expect(out == "database: {cores: 8, contention: 3%, coherency: 0.02%}  # fitted\n" + rest)
    }

    @Test func blockMappingGainsIndentedLines() throws {
        let text = "database:\n    cores: 8   # two sockets\n    contention: 1%\n" + rest
        let out = try ModelEdit.apply(settings, to: text, file: "t.yaml")
        #expect(out == "database:\n    cores: 8   # two sockets\n    contention: 3%\n    coherency: 0.02%\n" + rest)
        let m = try ModelLoader.load(yaml: out, fileName: "t.yaml").model
        #expect(m.database?.contention == 0.03 && m.database?.coherency == 0.0002 && m.database?.cores == 8)
    }

    @Test func aMissingSectionIsAppended() throws {
        let out = try ModelEdit.apply(settings, to: rest, file: "t.yaml")
        #expect(out == rest + "database:\n  contention: 3%\n  coherency: 0.02%\n")
    }
}
