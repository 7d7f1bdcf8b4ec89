import ArgumentParser
import Foundation
import HeadroomCalibration
import HeadroomModel
import HeadroomStudy
import HeadroomAnalysis
import HeadroomOutput
import HeadroomCharts


struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit the database's contention and coherency (Universal Scalability Law) to throughput measured at several concurrencies.",
        discussion: """
            Input: a CSV with columns `concurrency,throughput` (throughput per second; repeated levels \
            are separate observations), or one k6/Artillery result JSON per level. Nonlinear least \
            squares (GSL), standard errors, residuals; prints a model fragment, or edits MODEL with --write. \
            See docs/calibration.md.
            """)

    @Argument(help: ArgumentHelp("A CSV of concurrency,throughput, or k6/Artillery result JSON files (one per level).", valueName: "file"))
    var inputs: [String]

    @Option(help: ArgumentHelp("Database cores (the law's min(n, cores)); default: the model's database.cores with --write or --model, else none (textbook USL).", valueName: "n"), transform: ArgumentValue.wholeNumber)
    var cores: Int?

    @Option(help: ArgumentHelp("Read database.cores from this model.", valueName: "model.yaml"))
    var model: String?

    @Option(help: ArgumentHelp("How throughput errors are weighted: `relative` (each level by 1/X², noise proportional to throughput) or `absolute` (equal weights).", valueName: "relative|absolute"))
    var errors: String = "relative"

    @Option(help: ArgumentHelp("Fit only the CSV rows whose COLUMN holds VALUE, e.g. `mode=closed` (repeatable: all must hold).", valueName: "column=value"))
    var only: [String] = []

    @Option(name: .customLong("max-active"), help: ArgumentHelp("At most this many queries reach the database at once (a pool or PgBouncer's server connections between the clients and it): the concurrency of each level becomes min(n, this). A CSV column name takes it per row (e.g. `pool`).", valueName: "n|column"))
    var maxActive: String?

    @Option(help: ArgumentHelp("Write database.contention and database.coherency into this model file (in place, nothing else changed).", valueName: "model.yaml"))
    var write: String?

    func validate() throws {
        if let c = cores, !(1...100_000).contains(c) { throw ValidationError("--cores must be between 1 and 100000, not \(c)") }
        guard ScalabilityFit.Errors(rawValue: errors) != nil else { throw ValidationError("--errors takes relative or absolute, not `\(errors)`") }
        for o in only where !o.contains("=") || o.hasPrefix("=") { throw ValidationError("--only takes column=value (e.g. --only mode=closed), not `\(o)`") }
        if let m = maxActive, let n = Int(m), !(1...100_000).contains(n) { throw ValidationError("--max-active must be between 1 and 100000, not \(n)") }
        if model != nil && write != nil && model != write { throw ValidationError("give --model or --write, not both with different files") }
    }

    func run() throws {
        var cores = self.cores
        if cores == nil, let path = write ?? model {
            cores = try ModelLoader.load(path: path).model.database?.cores
        }
        var data: [ScalabilityMeasurement]
        do {
            if !only.isEmpty && (inputs.count != 1 || inputs[0].lowercased().hasSuffix(".json")) {
                throw InputFailure(message: "--only filters the rows of one CSV file")
            }
            if inputs.count == 1, !inputs[0].lowercased().hasSuffix(".json") {
                data = try ScalabilityInput.csv(path: inputs[0], only: only.map { o in
                    let eq = o.firstIndex(of: "=")!
                    return (String(o[..<eq]), String(o[o.index(after: eq)...]))
                }, capColumn: maxActive.flatMap { Int($0) == nil ? $0 : nil })
            } else {
                data = try ScalabilityInput.loadTests(paths: inputs)
            }
        } catch let e as ParseFailure { throw InputFailure(message: e.message) }
        catch let e as CalibrationInputError { throw InputFailure(message: e.message) }
        if let m = maxActive.flatMap({ Int($0) }) { data = ScalabilityInput.capped(data, maxActive: m) }
        else if maxActive != nil && (inputs.count != 1 || inputs[0].lowercased().hasSuffix(".json")) {
            throw InputFailure(message: "--max-active COLUMN reads a column of one CSV file; for JSON results give a number")
        }
        let fit: ScalabilityFit
        do { fit = try ScalabilityFit.fit(data, cores: cores, errors: ScalabilityFit.Errors(rawValue: errors)!) } catch {
            // The fit's own words name no file: the measurements it could not fit are these.
            throw InputFailure(message: "\(inputs.joined(separator: ", ")): \(error.description)")
        }
        print(fit.rendered(), terminator: "")
        if let path = write {
            let text = try ModelLoader.readModelText(path: path)
            let edited = try ModelEdit.apply(fit.modelSettings, to: text, file: path)
            // The model is this command's output here: written whole (temporary file, then rename).
            try OutputFile.write(edited, to: path)
            print("wrote database.contention and database.coherency into \(path)")
        }
    }
}

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run a model under a load test's own offered load and print measured beside predicted.",
        discussion: """
            RESULT is a k6 summary JSON (--summary-export, or handleSummary's data), an Artillery \
            JSON report, or a pgbench per-transaction log (-l). The offered load comes from the k6 \
            options embedded in the summary, from --profile (an Artillery script with config.phases, \
            or `k6 inspect` JSON), or from --rate/--users with --duration. See docs/calibration.md.
            """)

    @OptionGroup var model: ModelOptions

    @Argument(help: ArgumentHelp("The load test's result (k6 summary or Artillery report, JSON).", valueName: "result.json"))
    var result: String

    @Option(help: ArgumentHelp("The offered load: an Artillery script (config.phases) or k6 options JSON (`k6 inspect script.js`).", valueName: "file"))
    var profile: String?

    @Option(help: ArgumentHelp("The offered load as a steady open rate, e.g. 40/s (pgbench --rate), with --duration.", valueName: "rate"))
    var rate: String?

    @Option(help: ArgumentHelp("The offered load as N looping clients with no think time (pgbench -c N), with --duration.", valueName: "n"), transform: ArgumentValue.wholeNumber)
    var users: Int?

    @Option(help: ArgumentHelp("Length of the test for --rate or --users, e.g. 60s (default: the span the result covers).", valueName: "duration"), transform: DurationArgument.parse)
    var duration: DurationArgument?

    @Option(help: "Replications (default: the model's simulation.replications).", transform: ArgumentValue.wholeNumber)
    var replications: Int?

    @Option(help: ArgumentHelp("Threads running replications (default: all cores). The output does not depend on it.", valueName: "n"), transform: ArgumentValue.wholeNumber)
    var threads: Int?

    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table

    @OptionGroup var html: HTMLOption

    @OptionGroup var budget: BudgetOption

    func validate() throws {
        if let r = replications, !(2...100_000).contains(r) { throw ValidationError("--replications must be between 2 and 100000 (an interval needs two), not \(r)") }
        if format == .csv { throw ValidationError("--format takes table or json") }
        if [profile != nil, rate != nil, users != nil].filter({ $0 }).count > 1 { throw ValidationError("give one of --profile, --rate and --users") }
        if let u = users, !(1...1_000_000).contains(u) { throw ValidationError("--users must be between 1 and 1000000, not \(u)") }
        if let r = rate { do { _ = try Units.rate(r) } catch { throw ValidationError("--rate: \(error.message)") } }
        if duration != nil && rate == nil && users == nil { throw ValidationError("--duration goes with --rate or --users") }
        if let d = duration, d.seconds <= 0 { throw ValidationError("--duration must be positive") }
    }

    func run() throws {
        try html.check(inputs: [model.model, result])
        let loaded = try model.load()
        for w in loaded.warnings { Console.error(w.description) }
        let measured: LoadTestResult
        let offered: LoadProfile
        let source: String
        do {
            measured = try LoadTestReader.read(path: result)
            if let p = profile {
                offered = try LoadTestReader.profile(path: p); source = p
            } else if rate != nil || users != nil {
                guard let seconds = duration?.seconds ?? measured.durationSeconds else {
                    throw InputFailure(message: "\(result): the result does not say how long the test ran: give --duration")
                }
                if let r = rate { offered = .open([Phase(durationSeconds: seconds, ratePerSecond: try! Units.rate(r))]); source = "--rate" }
                else { offered = .closed(users: users!, durationSeconds: seconds); source = "--users" }
            } else if let p = measured.profile {
                offered = p; source = "the summary's options"
            } else {
                throw InputFailure(message: "\(result): the offered load is not in the result: give --profile (an Artillery script with config.phases, or k6 options JSON from `k6 inspect script.js`), or --rate/--users with --duration")
            }
        } catch let e as CalibrationInputError { throw InputFailure(message: e.message) }
        guard offered.durationSeconds > 0, offered.durationSeconds <= Limits.horizonSeconds else {
            throw InputFailure(message: "the offered load lasts \(Units.formatDuration(offered.durationSeconds)) (\(source)): it must be longer than 0 and at most 30 days")
        }
        guard loaded.model.workload != nil else { throw InputFailure(message: "\(model.model): the model has no workload to replace with the test's") }
        let simulated = Compare.studyModel(loaded.model, under: offered, replications: replications).0
        if let refusal = WorkBudget.refusal("this comparison would simulate", operations: WorkEstimate(model: simulated, analysis: Analysis.analyze(simulated)).operations,
                                            detail: "the model under the test's load, \(simulated.simulation.replications) replications",
                                            budget: budget.budget?.operations) {
            throw UsageFailure(message: refusal)
        }
        let comparison = Compare.run(model: loaded.model, modelPath: model.model, result: measured, profile: offered,
                                     profileSource: source, replications: replications, threads: threads)
        let table = comparison.renderedTable()
        print(format == .json ? comparison.renderedJSON() : TerminalColor.enabled(fd: 1) ? TerminalColor.paint(table) : table, terminator: "")
        try html.write(Self.page(comparison), inputs: [model.model, result])
        // A measured figure outside the prediction's interval: the model does not describe the
        // system as tested (docs/calibration.md). Exit 1, like a failing SLO, so a script notices.
        let outside = comparison.rows.filter { $0.inside == false }
        if !outside.isEmpty {
            Console.error("\(model.model): \(outside.count) of \(comparison.rows.compactMap(\.inside).count) measured figures outside the prediction's 95% interval (\(outside.map(\.metric).joined(separator: ", "))): exit status 1")
            throw ExitCode(ExitStatus.sloFailed)
        }
    }

    /// The page of `compare --html`: each latency figure measured beside its prediction and the
    /// interval one run of the test should land in, then every figure in a table.
    static func page(_ c: Comparison) -> String {
        let judged = c.rows.compactMap(\.inside)
        var page = HTMLPage(title: "\((c.modelPath as NSString).lastPathComponent): predicted beside measured", facts: [
            "model: \(c.modelPath)", "measured: \(c.result.tool.rawValue) result \(c.result.path)",
            "offered load (\(c.profileSource)): \(c.profile.description)",
            "\(c.replications) replications; whiskers: where one run of the test should land with 95 % probability (mean ± t·s·√(1 + 1/n))",
            "\(judged.filter { $0 }.count) of \(judged.count) measured figures inside the prediction's interval",
        ])
        let durations = c.rows.filter(\.isDuration)
        if !durations.isEmpty {
            let names = durations.map(\.metric)
            let predicted = durations.enumerated().map { i, r in
                ChartPoint(x: Double(i), y: r.predicted, low: r.intervalLow, high: r.intervalHigh, note: "\(r.metric) predicted")
            }
            let measured = durations.enumerated().compactMap { i, r in
                r.measured.map { ChartPoint(x: Double(i), y: $0, note: "\(r.metric) measured: \(r.inside == true ? "inside" : "OUTSIDE") the interval") }
            }
            var chart = XYChart(kind: "compare", title: "Latency: measured beside predicted", x: ChartAxis("figure", unit: .count("")),
                                y: ChartAxis("latency", unit: .seconds), series: [
                                    ChartSeries(name: "predicted (interval of one run)", points: predicted, style: .points, color: "#0072B2"),
                                    ChartSeries(name: "measured", points: measured, style: .points, color: "#D55E00"),
                                ])
            chart.xCategories = names
            page.add(.figure(id: "compare-latency", svg: chart.svg,
                             caption: "Each latency figure of the test: the prediction with the interval one run should land in, and what the test measured.",
                             marks: chart.markCount))
        }
        func text(_ v: Double?, _ r: Comparison.Row) -> String {
            guard let v else { return "—" }
            if r.isDuration { return Units.formatDuration(Double(String(format: "%.4g", v))!) }
            if r.metric == "errors" { return String(format: "%.2f %%", v * 100) }
            return String(format: "%.1f/s", v)
        }
        page.add(.table(header: ["figure", "measured", "predicted", "95 % interval, one run", "inside"],
                        rows: c.rows.map { r in [r.metric, text(r.measured, r), text(r.predicted, r),
                                                 "\(text(r.intervalLow, r)) – \(text(r.intervalHigh, r))",
                                                 r.inside.map { $0 ? "yes" : "NO" } ?? "—"] }))
        page.add(.list(title: "Notes", items: c.notes))
        return page.rendered
    }
}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Turn measurements and settings into model fragments: pg_stat_statements, k6/Artillery results, pool settings.",
        subcommands: [ImportStatements.self, ImportLoadTest.self, ImportPool.self])
}

struct ImportStatements: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pg-stat-statements",
        abstract: "Per-statement service-time distributions from a pg_stat_statements CSV export, mixed by call share.")

    @Argument(help: ArgumentHelp("CSV export of pg_stat_statements with a header line.", valueName: "file.csv"))
    var file: String

    @Option(help: "The pool the queries go through, in the fragment.")
    var pool: String = "db"

    @Option(help: "Keep the N most-called statements (the rest are reported as left out).")
    var top: Int = 20

    @Option(name: .customLong("client-latency"),
            help: ArgumentHelp("What a client waited per statement at the same load: a distribution such as 'empirical(file: low.log, format: pgbench)', or a mean such as 6.1ms. The part the server did not spend becomes a step outside the database.",
                               valueName: "distribution"))
    var clientLatency: String?

    func validate() throws {
        if top < 1 { throw ValidationError("--top must be at least 1") }
        if let problem = StatementImport.poolNameProblem(pool) { throw ValidationError(problem) }
    }

    func run() throws {
        var statements: StatementImport
        do {
            statements = try StatementImport.read(path: file, pool: pool, top: top)
        } catch { throw InputFailure(message: error.message) }
        if let clientLatency {
            do {
                let client = try DistributionSpec.parse(clientLatency, baseDirectory: FileManager.default.currentDirectoryPath)
                statements.setClientLatency(client)
            } catch { throw InputFailure(message: "--client-latency: \(error.message)") }
        }
        print(statements.renderedFragment(), terminator: "")
    }
}

struct ImportLoadTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load-test",
        abstract: "The offered load (workload.phases or users) and measured figures of a k6 summary or Artillery report.")

    @Argument(help: ArgumentHelp("k6 summary or Artillery report (JSON).", valueName: "result.json"))
    var file: String

    @Option(help: ArgumentHelp("The offered load: an Artillery script or k6 options JSON, when the result does not carry it.", valueName: "file"))
    var profile: String?

    func run() throws {
        do {
            let r = try LoadTestReader.read(path: file)
            var p = r.profile
            if let path = profile { p = try LoadTestReader.profile(path: path) }
            print(LoadTestFragment.rendered(result: r, profile: p), terminator: "")
        } catch { throw InputFailure(message: error.message) }
    }
}

struct ImportPool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pool",
        abstract: "A pool's or pooler's settings from pgbouncer.ini, HikariCP .properties, node-postgres JSON or a Prisma URL.")

    @Argument(help: ArgumentHelp("The configuration file.", valueName: "file"))
    var file: String

    func run() throws {
        do { print(try PoolSettingsImport.read(path: file), terminator: "") }
        catch { throw InputFailure(message: error.message) }
    }
}
