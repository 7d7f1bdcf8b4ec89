import ArgumentParser
import Foundation
import HeadroomModel
import HeadroomStudy
import HeadroomAnalysis
import HeadroomOutput
import HeadroomCharts

extension ReproductionFormat: ExpressibleByArgument {}

/// Options shared by `verify` and `reproduce`.
struct VerificationArguments: ParsableArguments {
    @Option(help: "Output format: table, json, csv or markdown.")
    var format: ReproductionFormat = .table

    @Option(name: [.short, .long], help: ArgumentHelp("Write to this file instead of standard output (never half-written; a regular file only, as for run --output).", valueName: "file"))
    var output: String?

    @Flag(help: "Write --output even where it is a symbolic link, a device or FIFO, or a read-only file (see run --help).")
    var force = false

    @OptionGroup var html: HTMLOption

    @Option(parsing: .unconditional, help: "Replications per scenario (default: each model's).", transform: ArgumentValue.wholeNumber)
    var replications: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Simulated time per replication for every scenario whose length is not its content, e.g. 2min (default: each model's). The warm-up becomes at most 20% of it.", valueName: "duration"), transform: DurationArgument.parse)
    var horizon: DurationArgument?

    @Option(help: ArgumentHelp("At most this many points per unknown parameter (default: each unknown's `points`, 3 unless set). 2 tries the ends only.", valueName: "n"), transform: ArgumentValue.wholeNumber)
    var points: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Threads running replications (default: all cores). The report does not depend on it.", valueName: "n"), transform: ArgumentValue.wholeNumber)
    var threads: Int?

    func validate() throws {
        if let r = replications, !(1...100_000).contains(r) { throw ValidationError("--replications must be between 1 and 100000, not \(r)") }
        if let t = threads, !(1...1024).contains(t) { throw ValidationError("--threads must be between 1 and 1024, not \(t)") }
        if let p = points, !(2...9).contains(p) { throw ValidationError("--points must be between 2 and 9, not \(p)") }
        try DurationArgument.validateHorizon(horizon)
    }

    @OptionGroup var budget: BudgetOption

    /// Verifies `files` within the budget: a refusal by the budget is a usage error (exit 64), as for `run`.
    func verify(_ files: [ClaimsFile]) throws -> VerificationReport {
        var o = options
        let tally = WorkBudgetTally(budgetOperations: budget.budget?.operations)
        o.budget = tally
        do {
            return try Verification.verify(files, options: o)
        } catch {
            if let refusal = tally.refusal { throw UsageFailure(message: refusal) }
            throw error
        }
    }

    var options: VerificationOptions {
        var o = VerificationOptions(replications: replications, horizonSeconds: horizon?.seconds, pointsPerUnknown: points, threads: threads)
        if Console.stderrIsTerminal {
            o.progress = { doc, label, point in Console.progress("document \(doc): \(label)\(point.isEmpty ? "" : " at " + point)") }
        }
        return o
    }

    /// Refuses a bad --output before any simulation.
    func checkOutput(inputs: [String]) throws {
        if let output { try OutputFile.check(output, force: force, inputs: inputs) }
        try html.check(force: force, inputs: inputs)
    }

    func emit(_ report: VerificationReport, title: String, inputs: [String]) throws {
        if Console.stderrIsTerminal { Console.progress(nil) }
        let text = report.rendered(as: format, title: title)
        if let output {
            try OutputFile.write(text, to: output, force: force, inputs: inputs)
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        try html.write(try HTMLReport.audit(json: report.rendered(as: .json, title: title), source: title), force: force, inputs: inputs)
    }
}

/// `headroom verify CLAIMS.yaml`: a document's claims against its models, over the ranges of what it never states.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the claims of a claims file against its models: each figure beside Headroom's, with a verdict over the range of every unknown parameter, and the consistency checks between claims.",
        discussion: "The claims file format is in docs/claims.md. Model paths resolve against the claims file, so this works from any directory.")

    @Argument(help: ArgumentHelp("One or more claims files (YAML).", valueName: "claims-file"))
    var files: [String]

    @OptionGroup var common: VerificationArguments

    func run() throws {
        var loaded: [ClaimsFile] = []
        for f in files { loaded.append(try ClaimsLoader.load(path: f)) }
        try common.checkOutput(inputs: files)
        let report = try common.verify(loaded)
        try common.emit(report, title: "headroom verify \(files.joined(separator: " "))", inputs: files)
    }
}

/// `headroom reproduce [seed|all]`: `verify` over the five bundled claims files of models/seeds/.
struct Reproduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify the claims of the five bundled audits (models/seeds/*.claims.yaml): `verify` over the bundled files.",
        discussion: """
            Seeds: 000 (marketing), 001 (ai-platform), 002 (tailors), 003 (flowats), 004 (allure), or all. \
            `--format markdown --output docs/reproductions.md` regenerates the documentation. See docs/reproductions.md.
            """)

    @Argument(help: ArgumentHelp("A seed id (000-004, or its short name) or `all`.", valueName: "seed"))
    var seed: String = "all"

    @Option(help: ArgumentHelp("Directory of the bundled claims files (default: models/seeds of this checkout, found from the working directory or the executable).", valueName: "dir"))
    var models: String?

    @OptionGroup var common: VerificationArguments

    func run() throws {
        guard let dir = models ?? Reproduction.locateSeeds(executable: Bundle.main.executablePath ?? CommandLine.arguments[0]) else {
            throw UsageFailure(message: "cannot find models/seeds/*.claims.yaml from here or from the executable's directory: give --models DIR")
        }
        let paths = Reproduction.bundledFiles(in: dir)
        guard !paths.isEmpty else { throw UsageFailure(message: "no *.claims.yaml in \(dir)") }
        var loaded: [ClaimsFile] = []
        for p in paths { loaded.append(try ClaimsLoader.load(path: p)) }
        // In the documents' order (000, 001, ...), not the files' names.
        loaded.sort { $0.id.localizedStandardCompare($1.id) == .orderedAscending }
        guard let chosen = Reproduction.resolve(seed, among: loaded) else {
            let known = loaded.map { "\($0.id) (\($0.shortName))" }.joined(separator: ", ")
            throw UsageFailure(message: "unknown seed `\(seed)`: expected one of \(known), or all")
        }
        try common.checkOutput(inputs: chosen.map(\.path))
        let report = try common.verify(chosen)
        try common.emit(report, title: "headroom reproduce: the audits of models/seeds/, document against Headroom", inputs: chosen.map(\.path))
    }
}
