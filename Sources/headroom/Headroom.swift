import ArgumentParser
import Foundation
import HeadroomModel
import HeadroomStudy
import HeadroomAnalysis
import HeadroomOutput
import HeadroomCharts

/// `headroom`: capacity simulation for web backends.
///
/// Exit codes (sysexits.h): 0 success; 1 an SLO fails (`run --slo`, `plan`, `breakpoint`); 64 usage error (EX_USAGE, from ArgumentParser);
/// 65 the model file is wrong (EX_DATAERR): every problem printed as `file:line:column: error: ...`;
/// 70 internal failure (EX_SOFTWARE); 73 the output file cannot be written (EX_CANTCREAT).
@main
struct Headroom: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "headroom",
        abstract: "Capacity simulation and queueing analysis for web backends.",
        discussion: """
            A model file (YAML) describes instances, pools, database, caches, rate limiters, job queues \
            and a workload. `check` validates it, `analyze` answers analytically in milliseconds, \
            `run` simulates it with confidence intervals. See docs/cli.md and docs/model-reference.md.
            """,
        version: "0.1.0",
        subcommands: [Check.self, Run.self, Analyze.self, SweepCommand.self, PlanCommand.self, BreakpointCommand.self, MergeCommand.self,
                      Verify.self, Reproduce.self, ImportCommand.self, FitCommand.self, CompareCommand.self, ReportCommand.self])

    /// Parses, runs, and maps failures to distinct exit codes.
    static func main() {
        Allocator.keepFreedMemory()
        // Importers and empirical(file:) say so before parsing a large file.
        InputText.largeFileNotice = { Console.error($0) }
        let command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exitReporting(error) // usage errors: 64, --help and --version: 0
        }
        do {
            var command = command
            try command.run()
        } catch let failure as CommandFailure {
            Console.error(failure.printedMessage)
            Foundation.exit(failure.exitStatus)
        } catch let error as ValidationError {
            exitReporting(error)
        } catch let error as ExitCode {
            exit(withError: error)
        } catch {
            // ArgumentParser's own errors (help requested, usage) keep their codes; the rest is ours.
            if exitCode(for: error) != .failure { exitReporting(error) }
            Console.error("internal error: \(error)")
            Foundation.exit(ExitStatus.software)
        }
    }
}

extension Headroom {
    /// ArgumentParser's `exit(withError:)`, with its `Error:` spelt `error:` like every other
    /// message of headroom (`file:line:column: error: ...`, `error: ...`): one spelling to grep for.
    static func exitReporting(_ error: Error) -> Never {
        let code = exitCode(for: error)
        guard code != .success else { exit(withError: error) } // --help, --version: standard output
        var message = fullMessage(for: error)
        if message.hasPrefix("Error: ") { message = "error: " + message.dropFirst("Error: ".count) }
        if !message.isEmpty { Console.error(message) }
        Foundation.exit(code.rawValue)
    }
}

/// The reason an option's value is refused, appended by ArgumentParser to
/// "The value '10' is invalid for '--horizon <duration>'": every refusal says why.
struct ArgumentReason: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Parsers of plain option values that say why a value is refused (`transform:` of `@Option`).
enum ArgumentValue {
    /// `--replications`, `--threads`, `--max-simulations`...: a whole number (range checks are the command's).
    static func wholeNumber(_ text: String) throws -> Int {
        let t = text.replacingOccurrences(of: "_", with: "")
        if let n = Int(t) { return n }
        if let d = Double(t), d.isFinite {
            throw ArgumentReason(d == d.rounded() ? "\(text) is too large for a count" : "a count is a whole number, e.g. \(Int(max(1, d.rounded(.down))))")
        }
        throw ArgumentReason("a count is a whole number, e.g. 5")
    }

    /// `--seed`: a whole number from 0 to 2^64 - 1.
    static func seed(_ text: String) throws -> UInt64 {
        guard let n = UInt64(text.replacingOccurrences(of: "_", with: "")) else {
            throw ArgumentReason("a seed is a whole number from 0 to \(UInt64.max), e.g. 42")
        }
        return n
    }
}

extension OutputFormat: ExpressibleByArgument {}

// MARK: - Shared options

/// The model file and `--set` overrides: every command that loads a model.
struct ModelOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The model file (YAML).", valueName: "model.yaml"))
    var model: String

    @Option(name: .customLong("set"),
            help: ArgumentHelp("Override a value of the model before it is checked, e.g. `pools.prisma.size=20`, `instances=4`, `rate=200/s`. Repeatable.",
                               valueName: "key=value"))
    var overrides: [String] = []

    func validate() throws {
        for o in overrides {
            guard let eq = o.firstIndex(of: "="), eq != o.startIndex else {
                throw ValidationError("--set takes key=value (e.g. --set pools.prisma.size=20), not `\(o)`")
            }
        }
        var seen = Set<String>()
        for o in overrides {
            let key = String(o[..<o.firstIndex(of: "=")!]).trimmingCharacters(in: .whitespaces)
            guard seen.insert(key).inserted else { throw ValidationError("--set \(key) is given twice") }
        }
    }

    var overrideMap: [String: String] {
        var map: [String: String] = [:]
        for o in overrides {
            let eq = o.firstIndex(of: "=")!
            map[String(o[..<eq]).trimmingCharacters(in: .whitespaces)] = String(o[o.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
        }
        return map
    }

    func load() throws(ModelErrors) -> LoadedModel {
        try ModelLoader.load(path: model, overrides: overrideMap)
    }
}

/// `--format`, `--output` and `--force`.
struct OutputOptions: ParsableArguments {
    @Option(help: "Output format.")
    var format: OutputFormat = .table

    @Option(name: [.short, .long], help: ArgumentHelp("Write the report to this file instead of standard output (written to a temporary file, then renamed: never half-written). Only a regular file: a symbolic link, a device, a directory, a read-only file or the model itself is refused.", valueName: "file"))
    var output: String?

    @Flag(help: "Write --output even where it is a symbolic link (to the file it points to), a device or FIFO (into it) or a read-only file. Never a directory or the model.")
    var force = false

    /// Refuses an unusable --output before any work (exit 73).
    func check(inputs: [String]) throws {
        if let output { try OutputFile.check(output, force: force, inputs: inputs) }
    }

    func emit(_ text: String, inputs: [String]) throws {
        guard let output else {
            // The table, at a terminal, with its verdicts in colour (never with NO_COLOR, in a pipe or JSON).
            let shown = format == .table && TerminalColor.enabled(fd: 1) ? TerminalColor.paint(text) : text
            FileHandle.standardOutput.write(Data(shown.utf8))
            return
        }
        try OutputFile.write(text, to: output, force: force, inputs: inputs)
    }
}

// MARK: - Commands

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a model file: errors with file:line:column and suggestions, then warnings.")

    @OptionGroup var model: ModelOptions

    func run() throws {
        let loaded = try model.load()
        let analysis = Analysis.analyze(loaded.model)
        for w in loaded.warnings { Console.error(w.description) }
        for w in analysis.warnings { Console.error("\(model.model): warning: \(w)") }
        let m = loaded.model
        var summary = "\(model.model): ok: \(m.name)"
        if let n = m.network {
            summary += " (queueing network, \(n.stations.count) station\(n.stations.count == 1 ? "" : "s"))"
        } else {
            summary += " (\(m.endpoints.count) endpoint\(m.endpoints.count == 1 ? "" : "s"), \(m.pools.count) pool\(m.pools.count == 1 ? "" : "s"), \(m.instances.count) instance\(m.instances.count == 1 ? "" : "s"))"
        }
        let warnings = loaded.warnings.count + analysis.warnings.count
        if warnings > 0 { summary += ", \(warnings) warning\(warnings == 1 ? "" : "s")" }
        print(summary)
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate a model: replications, confidence intervals, analytic figures beside simulated ones.")

    @OptionGroup var model: ModelOptions
    @OptionGroup var output: OutputOptions

    @Option(parsing: .unconditional, help: "Replications (overrides simulation.replications).", transform: ArgumentValue.wholeNumber)
    var replications: Int?

    @Option(parsing: .unconditional, help: "Master seed (overrides simulation.seed).", transform: ArgumentValue.seed)
    var seed: UInt64?

    @Option(parsing: .unconditional, help: ArgumentHelp("Simulated time per replication, warm-up included, e.g. 10min (overrides simulation.horizon).", valueName: "duration"), transform: DurationArgument.parse)
    var horizon: DurationArgument?

    @Option(parsing: .unconditional, help: ArgumentHelp("Warm-up deleted from each replication, e.g. 1min, or `auto` for MSER-5 (overrides simulation.warmup).", valueName: "duration|auto"), transform: WarmupArgument.parse)
    var warmup: WarmupArgument?

    @Option(parsing: .unconditional, help: ArgumentHelp("Threads running replications (default: all cores). The report does not depend on it.", valueName: "n"), transform: ArgumentValue.wholeNumber)
    var threads: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Record a timeline at this interval (arrivals, completions, in flight, pool waiting, connections, p95, timeouts), e.g. 1s.", valueName: "duration"), transform: DurationArgument.parse)
    var timeline: DurationArgument?

    @Flag(name: .customLong("timeline-by-endpoint"), help: "With --timeline: also each endpoint's series (arrivals, completions, failures by kind, p50/p95/p99).")
    var timelineByEndpoint = false

    @Option(name: .customLong("timeline-output"), help: ArgumentHelp("Timeline file: .json for JSON, else CSV (default: timeline.csv).", valueName: "file"))
    var timelineOutput: String?

    @Option(help: ArgumentHelp("A gate: FIGURE<VALUE or FIGURE>VALUE, e.g. `p95<250ms`, `errors<0.1%`, `search.p99<1s`, checked at the unfavourable bound of its confidence interval; exit status 1 if any fails. Repeatable.",
                               valueName: "slo"))
    var slo: [String] = []

    @Option(name: .customLong("slo-window"), help: ArgumentHelp("Check each --slo per window of this length after the warm-up (the worst window counts), e.g. 1min: for phased loads, whose peak a whole-run p95 hides.",
                                                              valueName: "duration"), transform: DurationArgument.parse)
    var sloWindow: DurationArgument?

    @OptionGroup var budgetOption: BudgetOption
    var budget: BudgetArgument? { budgetOption.budget }

    @OptionGroup var html: HTMLOption

    func validate() throws {
        if let t = timeline, t.seconds <= 0 { throw ValidationError("--timeline must be positive, e.g. --timeline 1s") }
        if timelineOutput != nil && timeline == nil { throw ValidationError("--timeline-output needs --timeline INTERVAL") }
        if timelineByEndpoint && timeline == nil { throw ValidationError("--timeline-by-endpoint needs --timeline INTERVAL") }
        if let r = replications, !(1...100_000).contains(r) { throw ValidationError("--replications must be between 1 and 100000, not \(r)") }
        if let t = threads, !(1...1024).contains(t) { throw ValidationError("--threads must be between 1 and 1024, not \(t)") }
        try DurationArgument.validateHorizon(horizon)
        if let w = sloWindow {
            if slo.isEmpty { throw ValidationError("--slo-window needs at least one --slo, e.g. --slo 'p95<250ms' --slo-window 1min") }
            if w.seconds <= 0 { throw ValidationError("--slo-window must be positive, e.g. --slo-window 1min") }
        }
    }

    func run() throws {
        try output.check(inputs: [model.model])
        if timeline != nil { try OutputFile.check(timelineFile, force: output.force, inputs: [model.model]) }
        try html.check(force: output.force, inputs: [model.model])
        let loaded = try model.load()
        var m = loaded.model
        do {
            try SimulationOverrides(replications: replications, horizonSeconds: horizon?.seconds, warmup: warmup?.warmup, seed: seed)
                .apply(to: &m)
        } catch {
            throw UsageFailure(message: error.message)
        }
        m.simulation.timelineByEndpoint = timelineByEndpoint
        for interval in [sloWindow?.seconds, timeline?.seconds].compactMap({ $0 }) {
            if let refusal = TimelineExport.tooManySamples(
                intervalSeconds: interval, horizonSeconds: m.simulation.horizonSeconds,
                replications: m.simulation.targetRelativeError == nil ? m.simulation.replications : m.simulation.maxReplications) {
                throw UsageFailure(message: refusal)
            }
        }
        let slos: [PlanSLO]
        do {
            slos = try slo.map { (text: String) throws(SweepError) in try PlanSLO.parse(text, model: m) }
            if sloWindow != nil { try SLOGate.requireWindowable(slos) }
        } catch {
            throw UsageFailure(message: error.message)
        }
        if let w = sloWindow, m.simulation.horizonSeconds - (m.simulation.warmupSeconds ?? 0) < w.seconds {
            throw UsageFailure(message: "--slo-window \(Units.formatDuration(w.seconds)) is longer than the measured period (horizon \(Units.formatDuration(m.simulation.horizonSeconds)) after the warm-up): pass a shorter window or a longer --horizon")
        }
        let analysis = Analysis.analyze(m)
        let estimate = WorkEstimate(model: m, analysis: analysis)
        let limit = budget?.operations ?? WorkEstimate.budgetOperations
        if estimate.operations > limit {
            throw UsageFailure(message: "this run would simulate \(estimate.summary), more than the budget of \(WorkEstimate.compact(limit)) operations: shorten --horizon, lower --replications or the load, or \(WorkBudget.overrideHint(operations: estimate.operations)) to run it anyway")
        }
        if Console.stderrIsTerminal { Console.error("estimated work: \(estimate.summary)") }
        let warnings = loaded.warnings.map(\.description)
        // The table lists warnings itself; other formats keep stdout machine-readable.
        if output.format != .table || output.output != nil { for w in warnings { Console.error(w) } }
        var study = ReplicationStudy(model: m, workers: threads, modelWarnings: warnings, analysis: analysis)
        let bar = ProgressBar(unit: "replications")
        let started = Date()
        if Console.stderrIsTerminal {
            study.progress = { fraction, done, planned in
                bar.show(fraction: fraction, done: done, total: planned, elapsed: Date().timeIntervalSince(started))
            }
        }
        // Ctrl-C: the report of the replications finished so far, then exit 130.
        let collector = ReplicationCollector()
        study.collector = collector
        let planned = m.simulation.targetRelativeError == nil ? m.simulation.replications : m.simulation.maxReplications
        let interruptedStudy = study, format = output
        let interruption = Interruption.onInterrupt {
            bar.clear()
            guard let partial = interruptedStudy.partialReport(collector, planned: planned) else {
                Console.error("interrupted: no replication had finished, nothing to report")
                Foundation.exit(ExitStatus.interrupted)
            }
            Console.error("interrupted: reporting the \(partial.settings.replications) replication\(partial.settings.replications == 1 ? "" : "s") finished so far")
            do { try format.emit(partial.rendered(as: format.format), inputs: [self.model.model]) } catch { Console.error("error: \(error)") }
            Foundation.exit(ExitStatus.interrupted)
        }
        // The HTML report charts a timeline: with --timeline or --slo-window, and for a phased load without them.
        var isPhased = false
        if case .open(.phases, _)? = m.workload?.arrivals { isPhased = true }
        let interval = (sloWindow ?? timeline)?.seconds
            ?? (html.path != nil && isPhased ? RunTimeline.automaticInterval(horizonSeconds: m.simulation.horizonSeconds) : nil)
        var (report, timelines) = interval.map { study.runRecordingTimelines(intervalSeconds: $0) } ?? (study.run(), [])
        interruption.cancel()
        bar.clear()
        if let w = sloWindow {
            report.sloVerdicts = SLOGate.windowedVerdicts(slos, timelines: timelines, windowSeconds: w.seconds, report: report)
        } else {
            report.sloVerdicts = SLOGate.verdicts(slos, report: report)
        }
        if output.format != .table || output.output != nil {
            for w in report.warnings.dropFirst(warnings.count) { Console.error("\(model.model): warning: \(w)") }
        }
        if let t = timeline {
            // SLO windows of another length than the timeline's interval: the timeline is recorded
            // by a second run of the same replications (same seeds, so the same report).
            let fileTimelines = sloWindow.map { $0.seconds != t.seconds } == true
                ? study.runRecordingTimelines(intervalSeconds: t.seconds).timelines : timelines
            try OutputFile.write(TimelineExport.rendered(fileTimelines, intervalSeconds: t.seconds, report: report, path: timelineFile, model: m),
                                 to: timelineFile, force: output.force, inputs: [model.model])
        }
        try output.emit(report.rendered(as: output.format), inputs: [model.model])
        try html.write(HTMLReport.run(report, timeline: interval.map {
            RunTimeline(timelines: timelines, intervalSeconds: $0, bands: RunTimeline.bands(for: m, warmupSeconds: report.settings.warmupSeconds),
                        resources: TimelineExport.resources(of: m))
        }), force: output.force, inputs: [model.model])
        if !report.meetsSLOs {
            if output.format != .table || output.output != nil {
                for v in report.sloVerdicts where !v.holds { Console.error("\(model.model): SLO fails: \(v.slo.text)") }
            }
            throw ExitCode(ExitStatus.sloFailed)
        }
    }

    var timelineFile: String { timelineOutput ?? "timeline.csv" }
}

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Answer analytically, without simulation: demands, utilization, bottleneck, bounds, Erlang C per pool, MVA.")

    @OptionGroup var model: ModelOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try output.check(inputs: [model.model])
        let loaded = try model.load()
        if output.format != .table || output.output != nil { for w in loaded.warnings { Console.error(w.description) } }
        var analysis = Analysis.analyze(loaded.model)
        analysis.warnings = loaded.warnings.map(\.description) + analysis.warnings
        try output.emit(analysis.rendered(as: output.format), inputs: [model.model])
    }
}

// MARK: - Argument types

/// `10min`, `1.5s`, `500ms`: the model language's durations.
struct DurationArgument: ExpressibleByArgument {
    var seconds: Double
    /// The text as given, for messages.
    var text: String
    init?(argument: String) {
        guard let d = try? Self.parse(argument) else { return nil }
        self = d
    }
    init(seconds: Double, text: String) {
        self.seconds = seconds
        self.text = text
    }
    static var defaultCompletionKind: CompletionKind { .default }

    /// The `transform:` of every duration option: a refusal says why (`10` lacks a unit).
    static func parse(_ argument: String) throws -> DurationArgument {
        let seconds: Double
        do {
            seconds = try Units.duration(argument)
        } catch {
            throw ArgumentReason(error.message)
        }
        guard seconds.isFinite else { throw ArgumentReason("`\(argument)` is not a finite duration; write e.g. 30s, 2min") }
        return DurationArgument(seconds: seconds, text: argument)
    }

    /// `--horizon` obeys the limits of `simulation.horizon` in a model file: positive, at most 30 days.
    static func validateHorizon(_ horizon: DurationArgument?) throws {
        guard let h = horizon else { return }
        if h.seconds <= 0 { throw ValidationError("--horizon must be positive, not \(h.text)") }
        if h.seconds > Limits.horizonSeconds {
            throw ValidationError("--horizon \(h.text) is absurd: more than \(Units.formatDuration(Limits.horizonSeconds)) is not supported (as for simulation.horizon in a model)")
        }
    }
}

/// `--budget`, on every command that simulates (run, sweep, plan, breakpoint).
struct BudgetOption: ParsableArguments {
    @Option(parsing: .unconditional, help: ArgumentHelp("Most operations to simulate (replications x horizon x requests x steps, estimated before anything runs; summed over cells, candidates or loads), e.g. 5e10, or `unlimited` (default: 1e10, about an hour of CPU).", valueName: "operations"), transform: BudgetArgument.parse)
    var budget: BudgetArgument?
}

/// `--budget`: a number of operations (`5e10`, `20_000_000_000`) or `unlimited`.
struct BudgetArgument: ExpressibleByArgument {
    var operations: Double
    init?(argument: String) {
        guard let b = try? Self.parse(argument) else { return nil }
        self = b
    }
    init(operations: Double) { self.operations = operations }

    static func parse(_ argument: String) throws -> BudgetArgument {
        if ["unlimited", "unbounded", "none", "inf", "infinite"].contains(argument.lowercased()) { return BudgetArgument(operations: .infinity) }
        guard let v = Double(argument.replacingOccurrences(of: "_", with: "")), v.isFinite, v > 0 else {
            throw ArgumentReason("a budget is a positive number of operations, e.g. 5e10, or `unlimited`")
        }
        return BudgetArgument(operations: v)
    }
}

/// Ctrl-C while simulating: `handler` runs on its own thread (the workers keep every core busy)
/// instead of the process dying with nothing printed.
enum Interruption {
    static func onInterrupt(_ handler: @escaping @Sendable () -> Void) -> DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: DispatchQueue(label: "headroom.interrupt"))
        source.setEventHandler(handler: handler)
        source.resume()
        return source
    }
}

/// A duration or `auto` (MSER-5).
struct WarmupArgument: ExpressibleByArgument {
    var warmup: Warmup
    init?(argument: String) {
        guard let w = try? Self.parse(argument) else { return nil }
        self = w
    }
    init(warmup: Warmup) { self.warmup = warmup }

    static func parse(_ argument: String) throws -> WarmupArgument {
        if ["auto", "mser5", "mser-5"].contains(argument.lowercased()) { return WarmupArgument(warmup: .mser5) }
        let d: DurationArgument
        do {
            d = try DurationArgument.parse(argument)
        } catch let reason as ArgumentReason {
            throw ArgumentReason(reason.description + ", or `auto`")
        }
        guard d.seconds >= 0 else { throw ArgumentReason("a warm-up cannot be negative") }
        return WarmupArgument(warmup: .fixed(seconds: d.seconds))
    }
}

// MARK: - Output


enum Console {
    /// Writes a diagnostic, its long quotes clipped (`clippingLongQuotes`): every error and
    /// warning the commands print passes here.
    static func error(_ text: String) {
        var text = clippingLongQuotes(text)
        if stderrIsColored { text = TerminalColor.paint(text) }
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    static let stderrIsTerminal = isatty(2) == 1
    static let stderrIsColored = TerminalColor.enabled(fd: 2)

    /// A one-line progress message on a terminal (nil clears it).
    static func progress(_ text: String?) {
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + (text ?? "")).utf8))
    }
}
