import ArgumentParser
import Foundation
import HeadroomStudy
import HeadroomAnalysis
import HeadroomOutput
import HeadroomCharts

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the output directories of `sweep --shard K/N` runs into one sweep directory.",
        discussion: "The result is byte for byte what the unsharded sweep writes. See docs/sweeps.md.")

    @Argument(help: ArgumentHelp("The directory to create.", valueName: "out"))
    var output: String

    @Argument(help: ArgumentHelp("The shards' --output-dir directories, all N of them.", valueName: "shard-dir"))
    var shards: [String] = []

    func validate() throws {
        if shards.isEmpty { throw ValidationError("give the shard directories after OUT: headroom merge OUT shard1 shard2 ...") }
    }

    func run() throws {
        do {
            let outcome = try SweepMerge.merge(output: output, inputs: shards)
            print("merged \(outcome.inputs) shard\(outcome.inputs == 1 ? "" : "s"), \(outcome.cells) cells: wrote \(SweepFiles.csv(output)) and \(SweepFiles.jsonl(output))")
        }
    }
}
