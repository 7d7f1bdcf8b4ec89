import ArgumentParser
import Foundation
import HeadroomModel
import HeadroomStudy
import HeadroomAnalysis
import HeadroomOutput
import HeadroomCharts

struct BreakpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "breakpoint",
        abstract: "Find the largest load that still meets every SLO, and the resource that saturates first.",
        discussion: """
            Example: headroom breakpoint model.yaml --slo 'p95<250ms' --slo 'errors<0.1%' --vary rate. \
            The analytic load at which each resource reaches 100% brackets the search; short simulations \
            then bisect it, a load passing only if every SLO holds at the unfavourable bound of its \
            confidence interval. Exit status 1 when no load tried meets the SLOs. See docs/cli.md.
            """)

    @OptionGroup var model: ModelOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var html: HTMLOption

    @Option(help: ArgumentHelp("An objective: FIGURE<VALUE or FIGURE>VALUE, e.g. `p95<250ms`, `errors<0.1%`. Repeatable.", valueName: "slo"))
    var slo: [String] = []

    @Option(help: ArgumentHelp("The load to vary: `rate`, `users`, or any numeric model key (e.g. `workload.open.phases.2.rate`); `KEY=LOW...HIGH` also gives the range to search, as --range does.", valueName: "key[=low...high]"))
    var vary: String

    /// The key of `--vary KEY` or `--vary KEY=LOW...HIGH`.
    var varyKey: String {
        guard let eq = vary.firstIndex(of: "=") else { return vary.trimmingCharacters(in: .whitespaces) }
        return vary[..<eq].trimmingCharacters(in: .whitespaces)
    }

    /// The range of `--vary KEY=LOW...HIGH` or `--range`.
    var rangeText: String? {
        guard let eq = vary.firstIndex(of: "=") else { return range }
        return vary[vary.index(after: eq)...].trimmingCharacters(in: .whitespaces)
    }

    @Option(help: ArgumentHelp("Search between these values (e.g. 100/s...900/s) instead of the analytic bracket.", valueName: "low...high"))
    var range: String?

    @Option(help: ArgumentHelp("Stop when the bracket is narrower than this fraction of the load (default 2%).", valueName: "fraction"))
    var tolerance: String = "2%"

    @Option(name: .customLong("max-simulations"), help: "Stop after this many simulated loads.", transform: ArgumentValue.wholeNumber)
    var maxSimulations = 24

    @Option(help: "Replications per load (default: the model's, at most 5).", transform: ArgumentValue.wholeNumber)
    var replications: Int?

    @Option(help: "Master seed (overrides simulation.seed).", transform: ArgumentValue.seed)
    var seed: UInt64?

    @Option(help: ArgumentHelp("Simulated time per load, warm-up included (default: the model's, at most 2 min unless the load has phases).", valueName: "duration"), transform: DurationArgument.parse)
    var horizon: DurationArgument?

    @Option(help: ArgumentHelp("Warm-up deleted from each replication, or `auto`.", valueName: "duration|auto"), transform: WarmupArgument.parse)
    var warmup: WarmupArgument?

    @Option(help: ArgumentHelp("Threads (default: all cores). The answer does not depend on it.", valueName: "n"), transform: ArgumentValue.wholeNumber)
    var threads: Int?

    func validate() throws {
        if slo.isEmpty { throw ValidationError("give at least one --slo, e.g. --slo 'p95<250ms'") }
        if maxSimulations < 2 { throw ValidationError("--max-simulations must be >= 2") }
        if let r = replications, !(1...100_000).contains(r) { throw ValidationError("--replications must be between 1 and 100000, not \(r)") }
        if let t = threads, !(1...1024).contains(t) { throw ValidationError("--threads must be between 1 and 1024, not \(t)") }
        if let h = horizon, h.seconds <= 0 { throw ValidationError("--horizon must be positive") }
        guard let f = try? Units.fraction(tolerance), f > 0, f < 1 else {
            throw ValidationError("--tolerance takes a fraction between 0 and 1, e.g. 2% or 0.02, not `\(tolerance)`")
        }
        if vary.contains("=") {
            if range != nil { throw ValidationError("give the range once: --vary \(varyKey)=LOW...HIGH or --range LOW...HIGH, not both") }
            guard !varyKey.isEmpty, rangeText?.contains("...") == true else {
                throw ValidationError("--vary takes KEY or KEY=LOW...HIGH on breakpoint (the search picks the values), e.g. --vary rate or --vary rate=100/s...900/s, not `\(vary)`")
            }
        }
        if let rangeText { _ = try Self.parseRange(rangeText) }
    }

    static func parseRange(_ text: String) throws -> ClosedRange<Double> {
        let parts = text.components(separatedBy: "...")
        guard parts.count == 2, let a = SweepAxis.numericValue(parts[0]), let b = SweepAxis.numericValue(parts[1]), a > 0, a < b else {
            throw ValidationError("the range takes LOW...HIGH with 0 < LOW < HIGH, e.g. 100/s...900/s or 50...400, not `\(text)`")
        }
        return a...b
    }

    @OptionGroup var budget: BudgetOption

    func run() throws {
        var found = false
        try html.check(force: output.force, inputs: [model.model])
        do {
            var search = BreakpointSearch(
                modelPath: model.model, key: varyKey, fixedOverrides: model.overrideMap,
                simulation: SimulationOverrides(replications: replications, horizonSeconds: horizon?.seconds,
                                                warmup: warmup?.warmup, seed: seed),
                slos: slo, range: try rangeText.map(Self.parseRange), relativeTolerance: try Units.fraction(tolerance),
                maxSimulations: maxSimulations, threads: threads)
            search.budgetOperations = budget.budget?.operations
            if Console.stderrIsTerminal {
                // The search stops when the bracket is narrow enough or at --max-simulations: the
                // time left is at most the remaining loads at the mean time per load so far.
                let bar = ProgressBar(unit: "loads (at most)")
                let start = Date(), most = maxSimulations
                search.progress = { n, load, passes in
                    let elapsed = Date().timeIntervalSince(start)
                    let left = elapsed / Double(max(1, n)) * Double(max(0, most - n))
                    bar.show(fraction: Double(n) / Double(most), done: n, total: most, elapsed: elapsed,
                             note: "at most \(ProgressBar.clock(left)) left; last \(Units.formatNumber(load)) \(passes ? "holds" : "fails")", eta: false)
                }
            }
            let result = try search.run()
            if Console.stderrIsTerminal { Console.progress(nil) }
            if output.format != .table || output.output != nil {
                for w in result.warnings { Console.error(w) }
            }
            try output.emit(result.rendered(as: output.format), inputs: [model.model])
            try html.write(try HTMLReport.breakpoint(json: result.rendered(as: .json), source: model.model),
                           force: output.force, inputs: [model.model])
            found = result.breakpoint != nil
        }
        if !found { throw ExitCode(ExitStatus.sloFailed) }
    }
}
