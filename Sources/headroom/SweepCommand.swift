import ArgumentParser
import Foundation
import HeadroomModel
import HeadroomStudy
import HeadroomAnalysis
import HeadroomOutput
import HeadroomCharts

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a grid of model overrides in parallel; stream every cell's figures to CSV and JSON lines.",
        discussion: """
            Every --vary KEY=VALUES adds a dimension (as on `plan`; `--set KEY=VALUES` is the same \
            option): VALUES is a list (`5,10,20`), a range (`1...8`, `5...100:5`, `100ms...500ms:100ms`) \
            or both (`1...4,8,16`). Each cell of the cartesian grid is a full replication study with the \
            model's seed: common random numbers across cells. Results go to DIR/cells.csv and \
            DIR/cells.jsonl as cells finish (whole lines); at the end both are sorted by cell, and a \
            table of the cells is printed. With --slo, the cells meeting every SLO are marked and the \
            cheapest is named (exit status 1 when none does). See docs/sweeps.md.
            """)

    @Argument(help: ArgumentHelp("The model file (YAML).", valueName: "model.yaml"))
    var model: String

    @Option(name: [.customLong("vary"), .customLong("set")],
            help: ArgumentHelp("A grid dimension: KEY=V1,V2,... or KEY=A...B[:STEP]; a single value fixes the key. Repeatable; `--set` is the same option.",
                               valueName: "key=values"))
    var axes: [String] = []

    @Option(help: ArgumentHelp("An objective: FIGURE<VALUE or FIGURE>VALUE, e.g. `p95<250ms`, `timeouts<1%`; the table marks the cells where every SLO holds at the unfavourable bound of its confidence interval and names the cheapest. Repeatable.",
                               valueName: "slo"))
    var slo: [String] = []

    @Option(help: ArgumentHelp("Cost of a cell for --slo's best: + - * / ( ), numbers and axis keys (default: the sum of the numeric axes' values, as for plan).",
                               valueName: "expression"))
    var cost: String?

    @Option(parsing: .unconditional, help: "Replications per cell (overrides simulation.replications).", transform: ArgumentValue.wholeNumber)
    var replications: Int?

    @Option(parsing: .unconditional, help: "Master seed of every cell (overrides simulation.seed).", transform: ArgumentValue.seed)
    var seed: UInt64?

    @Option(parsing: .unconditional, help: ArgumentHelp("Simulated time per replication, warm-up included (overrides simulation.horizon).", valueName: "duration"), transform: DurationArgument.parse)
    var horizon: DurationArgument?

    @Option(parsing: .unconditional, help: ArgumentHelp("Warm-up deleted from each replication, or `auto` (overrides simulation.warmup).", valueName: "duration|auto"), transform: WarmupArgument.parse)
    var warmup: WarmupArgument?

    @Option(parsing: .unconditional, help: ArgumentHelp("Threads (default: all cores). The files do not depend on it.", valueName: "n"), transform: ArgumentValue.wholeNumber)
    var threads: Int?

    @Option(name: .customLong("output-dir"),
            help: ArgumentHelp("Directory for sweep.json, cells.csv and cells.jsonl (default: sweep-<model name>).", valueName: "dir"))
    var outputDir: String?

    @Flag(help: "Finish an interrupted sweep in --output-dir: run only the cells missing from its files.")
    var resume = false

    @OptionGroup var html: HTMLOption

    @Option(help: ArgumentHelp("Run shard K of N (K from 1): the cells whose index is K-1 modulo N. Join shards with `headroom merge`.",
                               valueName: "K/N"))
    var shard: String?

    func validate() throws {
        if axes.isEmpty { throw ValidationError("give at least one --vary KEY=VALUES, e.g. --vary pools.prisma.size=5,10,20") }
        if cost != nil && slo.isEmpty { throw ValidationError("--cost chooses the best cell among those meeting the SLOs: give at least one --slo") }
        if let r = replications, !(1...100_000).contains(r) { throw ValidationError("--replications must be between 1 and 100000, not \(r)") }
        if let t = threads, !(1...1024).contains(t) { throw ValidationError("--threads must be between 1 and 1024, not \(t)") }
        try DurationArgument.validateHorizon(horizon)
    }

    @OptionGroup var budget: BudgetOption

    var directory: String {
        outputDir ?? "sweep-" + ((model as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    func run() throws {
        var meetsSLOs = false
        do {
            let grid = try SweepGrid(axes: axes.map(SweepAxis.parse))
            var sweep = Sweep(modelPath: model, grid: grid,
                              simulation: SimulationOverrides(replications: replications, horizonSeconds: horizon?.seconds,
                                                              warmup: warmup?.warmup, seed: seed),
                              shard: try shard.map(SweepShard.parse), threads: threads, outputDirectory: directory)
            sweep.budgetOperations = budget.budget?.operations
            try html.check(inputs: [model])
            // Every cell is checked before any runs: long for a large grid.
            let checking = ProgressBar(unit: "cells checked")
            if Console.stderrIsTerminal {
                let start = Date()
                sweep.checkProgress = { checked, total in
                    if checked < total {
                        checking.show(fraction: Double(checked) / Double(total), done: checked, total: total,
                                      elapsed: Date().timeIntervalSince(start))
                    } else {
                        checking.clear()
                    }
                }
            }
            let prepared: Sweep.Prepared
            do {
                prepared = try sweep.prepare(stoppingPastBudget: true)
            } catch {
                checking.clear()
                throw error
            }
            // Distinct loader and analytic (overload) warnings, a few: every cell's own are in its
            // report in cells.jsonl.
            // SLOs and the cost are checked against the first cell's model before anything runs.
            var slos: [PlanSLO] = []
            if !slo.isEmpty {
                let first = try prepared.cells.first?.model ?? ModelLoader.load(path: model, overrides: grid.overrides(prepared.indices.first ?? 0)).model
                slos = try slo.map { (text: String) throws(SweepError) in try PlanSLO.parse(text, model: first) }
                if let cost { _ = try SweepSummary.costExpression(cost, axes: grid.axes.map(\.key)) }
            }
            let warnings = prepared.warnings + prepared.analysisWarnings(modelPath: model)
            for w in warnings.prefix(5) { Console.error(w) }
            if warnings.count > 5 {
                let more = prepared.warningsTruncated ? "more than \(warnings.count - 5)" : "\(warnings.count - 5)"
                Console.error("\(model): \(more) more warnings; each cell's are in its report in cells.jsonl")
            }
            let bar = ProgressBar(unit: "cells")
            if Console.stderrIsTerminal {
                sweep.progress = { p in
                    bar.show(fraction: p.fraction, done: p.cellsFinished, total: p.cellsToRun, elapsed: p.elapsedSeconds)
                }
            }
            // Ctrl-C: no new cell starts; the cells running finish and are written, then the command
            // says how to resume. A second Ctrl-C ends the process at once (the files stay resumable).
            let stop = StopFlag()
            sweep.shouldStop = { stop.isSet }
            let interruption = Interruption.onInterrupt {
                stop.set()
                signal(SIGINT, SIG_DFL)
                bar.clear()
                Console.error("interrupted: finishing the cells already running and writing them (Ctrl-C again to stop at once)")
            }
            let outcome: SweepOutcome
            do {
                outcome = try sweep.run(prepared: prepared, resume: resume)
                interruption.cancel()
            } catch {
                interruption.cancel()
                throw error
            }
            bar.clear()
            if stop.isSet && !outcome.complete {
                let written = outcome.cellsRun + outcome.cellsReused
                Console.error("interrupted: \(written) of \(outcome.cells) cells are in \(SweepFiles.csv(directory)) and \(SweepFiles.jsonl(directory)); resume with:\n  \(Self.resumeCommand())")
                throw ExitCode(ExitStatus.interrupted)
            }
            let shardText = sweep.shard.map { " (shard \($0) of a \(grid.count)-cell grid)" } ?? ""
            var line = "\(outcome.cells) cells\(shardText): ran \(outcome.cellsRun)"
            if outcome.cellsReused > 0 { line += ", \(outcome.cellsReused) already done" }
            if !outcome.cellsDamaged.isEmpty {
                line += " (\(outcome.cellsDamaged.count) found damaged, run again: cell\(outcome.cellsDamaged.count == 1 ? "" : "s") \(outcome.cellsDamaged.prefix(10).map(String.init).joined(separator: ", "))\(outcome.cellsDamaged.count > 10 ? ", ..." : ""))"
            }
            line += "; wrote \(SweepFiles.csv(directory)) and \(SweepFiles.jsonl(directory))"
            print(line)
            if outcome.complete || sweep.shard != nil {
                let summary = try SweepSummary.read(directory: directory, slos: slos, cost: cost)
                let table = summary.table()
                print(TerminalColor.enabled(fd: 1) ? TerminalColor.paint(table) : table, terminator: "")
                meetsSLOs = summary.best != nil
            }
            try html.write(try HTMLReport.sweep(directory: directory), inputs: [model])
        }
        if !slo.isEmpty && !meetsSLOs { throw ExitCode(ExitStatus.sloFailed) }
    }
}

extension SweepCommand {
    /// This invocation's command line with `--resume`, quoted for a POSIX shell.
    static func resumeCommand(_ arguments: [String] = CommandLine.arguments) -> String {
        var args = arguments
        if !args.contains("--resume") { args.append("--resume") }
        return args.map(shellQuoted).joined(separator: " ")
    }

}

/// Set once by a signal handler, read by the workers.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}

/// `[██████░░░░░░]  12/40 cells  30%  1m02s  ETA 2m30s` on standard error (a terminal only).
final class ProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private var lastDraw = Date.distantPast
    private var shown = false
    let unit: String

    init(unit: String) { self.unit = unit }

    /// `eta: false` where the total is an upper bound (plan stops early).
    func show(fraction: Double, done: Int, total: Int, elapsed: Double, note: String = "", eta: Bool = true) {
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 || done == total else { return }
        lastDraw = now
        let width = 24
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        var text = "[\(bar)] \(done)/\(total) \(unit)  \(Int((fraction * 100).rounded(.down)))%  \(ProgressBar.clock(elapsed))"
        if eta && fraction > 0.005 && fraction < 1 {
            text += "  ETA \(ProgressBar.clock(elapsed / fraction * (1 - fraction)))"
        }
        if !note.isEmpty { text += "  " + note }
        Console.progress(text)
        shown = true
    }

    func clear() {
        lock.lock(); defer { lock.unlock() }
        if shown { Console.progress(nil); shown = false }
    }

    static func clock(_ s: Double) -> String {
        let t = Int(s.rounded())
        if t >= 3600 { return "\(t / 3600)h\(String(format: "%02d", (t % 3600) / 60))m" }
        if t >= 60 { return "\(t / 60)m\(String(format: "%02d", t % 60))s" }
        return "\(t)s"
    }
}
