import ArgumentParser
import Foundation
import HeadroomModel
import HeadroomStudy
import HeadroomAnalysis
import HeadroomOutput
import HeadroomCharts

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Find the cheapest configuration that meets every SLO: analytic pruning, then simulation in order of cost.",
        discussion: """
            Example: headroom plan model.yaml --slo 'search.p95<500ms' --slo 'timeouts<1%' \
            --vary instances=1...20 --vary pools.prisma.size=5...100:5 --cost 'instances*120 + pools.prisma.size*2'. \
            A configuration passes only if every SLO holds at the unfavourable bound of its confidence \
            interval. Exit status 1 when no configuration passes. See docs/plan.md.
            """)

    @OptionGroup var model: ModelOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var html: HTMLOption

    @Option(help: ArgumentHelp("An objective: FIGURE<VALUE or FIGURE>VALUE, e.g. `search.p95<500ms`, `timeouts<1%`, `throughput>=100/s`. Repeatable.",
                               valueName: "slo"))
    var slo: [String] = []

    @Option(help: ArgumentHelp("A dimension of the search: KEY=V1,V2,... or KEY=A...B[:STEP]. Repeatable. A --set with a list or range is one too (as on sweep).", valueName: "key=values"))
    var vary: [String] = []

    /// The axes: every `--vary`, then every `--set` whose value is a list or a range (`--set
    /// instances=1...4` means on `plan` what it means on `sweep`); the other `--set`s are fixed.
    var axes: [String] { vary + model.overrides.filter(SweepAxis.isList) }

    var fixedOverrides: [String: String] {
        model.overrideMap.filter { key, value in !SweepAxis.isList("\(key)=\(value)") }
    }

    @Option(help: ArgumentHelp("Cost of a configuration: + - * / ( ), numbers and model keys (default: the sum of the varied values).",
                               valueName: "expression"))
    var cost: String?

    @Option(help: "Passing alternatives to find after the cheapest (the frontier).", transform: ArgumentValue.wholeNumber)
    var alternatives = 5

    @Option(name: .customLong("max-simulations"), help: "Stop after this many simulated configurations.", transform: ArgumentValue.wholeNumber)
    var maxSimulations = 1000

    @Option(parsing: .unconditional, help: "Replications per configuration (overrides simulation.replications).", transform: ArgumentValue.wholeNumber)
    var replications: Int?

    @Option(parsing: .unconditional, help: "Master seed (overrides simulation.seed).", transform: ArgumentValue.seed)
    var seed: UInt64?

    @Option(parsing: .unconditional, help: ArgumentHelp("Simulated time per replication, warm-up included (overrides simulation.horizon).", valueName: "duration"), transform: DurationArgument.parse)
    var horizon: DurationArgument?

    @Option(parsing: .unconditional, help: ArgumentHelp("Warm-up deleted from each replication, or `auto` (overrides simulation.warmup).", valueName: "duration|auto"), transform: WarmupArgument.parse)
    var warmup: WarmupArgument?

    @Option(parsing: .unconditional, help: ArgumentHelp("Threads (default: all cores). The answer does not depend on it.", valueName: "n"), transform: ArgumentValue.wholeNumber)
    var threads: Int?

    func validate() throws {
        if slo.isEmpty { throw ValidationError("give at least one --slo, e.g. --slo 'p95<500ms'") }
        if axes.isEmpty { throw ValidationError("give at least one --vary KEY=VALUES, e.g. --vary instances=1...10") }
        if alternatives < 0 { throw ValidationError("--alternatives must be >= 0") }
        if maxSimulations < 1 { throw ValidationError("--max-simulations must be >= 1") }
        if let r = replications, !(1...100_000).contains(r) { throw ValidationError("--replications must be between 1 and 100000, not \(r)") }
        if let t = threads, !(1...1024).contains(t) { throw ValidationError("--threads must be between 1 and 1024, not \(t)") }
        try DurationArgument.validateHorizon(horizon)
    }

    @OptionGroup var budget: BudgetOption

    func run() throws {
        try output.check(inputs: [model.model])
        try html.check(force: output.force, inputs: [model.model])
        var passed = false
        do {
            var planner = Planner(
                modelPath: model.model, grid: try SweepGrid(axes: axes.map(SweepAxis.parse)), fixedOverrides: fixedOverrides,
                simulation: SimulationOverrides(replications: replications, horizonSeconds: horizon?.seconds,
                                                warmup: warmup?.warmup, seed: seed),
                slos: slo, cost: cost, alternatives: alternatives, maxSimulations: maxSimulations, threads: threads)
            planner.budgetOperations = budget.budget?.operations
            let bar = ProgressBar(unit: "candidates")
            if Console.stderrIsTerminal {
                let start = Date()
                // Each undecided candidate costs at most one simulation (pruning only saves some),
                // so the time left is at most the undecided ones at the mean time per simulation.
                planner.progress = { decided, candidates, simulations in
                    let elapsed = Date().timeIntervalSince(start)
                    var note = "\(simulations) simulated"
                    if simulations > 0, decided < candidates {
                        note += "; at most \(ProgressBar.clock(elapsed / Double(simulations) * Double(candidates - decided))) left"
                    }
                    bar.show(fraction: Double(decided) / Double(max(1, candidates)), done: decided, total: candidates,
                             elapsed: elapsed, note: note, eta: false)
                }
            }
            let result = try planner.run()
            bar.clear()
            if output.format != .table || output.output != nil {
                for w in result.warnings { Console.error(w) }
            }
            try output.emit(result.rendered(as: output.format), inputs: [model.model])
            try html.write(HTMLReport.plan(result), force: output.force, inputs: [model.model])
            passed = result.cheapest != nil
        }
        if !passed { throw ExitCode(1) }
    }
}
