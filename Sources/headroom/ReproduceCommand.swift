import ArgumentParser
import Foundation
import HeadroomStudy

extension ReproductionFormat: ExpressibleByArgument {}

/// `headroom reproduce [seed|all]`: the five audits' tables, document against simulation.
struct Reproduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reproduce the audits of models/seeds/: each document figure beside Headroom's (95% CI), with a verdict, and the claims that contradict queueing theory.",
        discussion: """
            Seeds: 000 (marketing), 001 (ai-platform), 002 (tailors), 003 (flowats), 004 (allure), or all. \
            `--format markdown --output docs/reproductions.md` regenerates the documentation. See docs/reproductions.md.
            """)

    @Argument(help: ArgumentHelp("A seed id (000-004, or its short name) or `all`.", valueName: "seed"))
    var seed: String = "all"

    @Option(help: "Output format: table, json, csv or markdown.")
    var format: ReproductionFormat = .table

    @Option(name: [.short, .long], help: ArgumentHelp("Write to this file instead of standard output (never half-written; a regular file only, as for run --output).", valueName: "file"))
    var output: String?

    @Flag(help: "Write --output even where it is a symbolic link, a device or FIFO, or a read-only file (see run --help).")
    var force = false

    @Option(help: "Replications per scenario (default: each model's).")
    var replications: Int?

    @Option(help: ArgumentHelp("Simulated time per replication for every scenario whose length is not its content, e.g. 2min (default: each model's). The warm-up becomes at most 20% of it.", valueName: "duration"))
    var horizon: DurationArgument?

    @Option(help: ArgumentHelp("Threads running replications (default: all cores). The report does not depend on it.", valueName: "n"))
    var threads: Int?

    @Option(help: ArgumentHelp("Directory of the seed models.", valueName: "dir"))
    var models: String = "models/seeds"

    func validate() throws {
        guard Reproduction.resolve(seed) != nil else {
            let known = Reproduction.documents.map { "\($0.id) (\($0.shortName))" }.joined(separator: ", ")
            throw ValidationError("unknown seed `\(seed)`: expected one of \(known), or all")
        }
        if let r = replications, !(1...100_000).contains(r) { throw ValidationError("--replications must be between 1 and 100000, not \(r)") }
        if let t = threads, !(1...1024).contains(t) { throw ValidationError("--threads must be between 1 and 1024, not \(t)") }
        if let h = horizon, h.seconds <= 0 { throw ValidationError("--horizon must be positive") }
    }

    func run() throws {
        if let output { try OutputFile.check(output, force: force) }
        var options = ReproductionOptions(modelsDirectory: models, seeds: Reproduction.resolve(seed) ?? [],
                                          replications: replications, horizonSeconds: horizon?.seconds, threads: threads)
        if Console.stderrIsTerminal {
            options.progress = { seed, label, i, n in Console.progress("seed \(seed): scenario \(i)/\(n): \(label)") }
        }
        let report = try Reproduction.run(options)
        if Console.stderrIsTerminal { Console.progress(nil) }
        let text = report.rendered(as: format)
        if let output {
            try OutputFile.write(text, to: output, force: force)
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
