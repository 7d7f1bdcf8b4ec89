import Foundation
import Testing
import HeadroomKernel
import HeadroomModel
import HeadroomCalibration
@testable import HeadroomAnalysis
@testable import HeadroomCharts
@testable import HeadroomOutput
@testable import HeadroomStudy

/// Headroom against a real PostgreSQL + PgBouncer: `scripts/testbed/pg.sh DIR` measures pgbench
/// through a PgBouncer transaction pool at a low load and at higher open and closed loads, each
/// level run `repeats` times (interleaved); `HEADROOM_PG_RESULTS=DIR` runs this suite on DIR
/// (`scripts/test.sh` does both unless `HEADROOM_PG_TESTS=0`).
///
/// The model is calibrated from the one-client run only (`alone`: one query at a time, the cores
/// awake; docs/testbed.md says why not the sparse low load), as `headroom import pg-stat-statements
/// --client-latency` does it: the server's time per query from that run's pg_stat_statements
/// export (a fitted distribution), and the rest of what pgbench waited per transaction (its log's
/// mean minus the server's) as a step outside the database; plus what a planner knows before the
/// test (pool size, cores, offered load or clients). It predicts every other level; the error is
/// judged against the run-to-run spread the same measurements show (docs/testbed.md).
@Suite("PostgreSQL + PgBouncer testbed", .serialized,
       .enabled(if: ProcessInfo.processInfo.environment["HEADROOM_PG_RESULTS"] != nil,
                "set HEADROOM_PG_RESULTS to a directory written by scripts/testbed/pg.sh"))
struct PostgresTestbedTests {
    /// A dedicated machine's background (daemons, the test runner waiting) stays well below this.
    static let maximumOtherWorkShare = 0.10
    static let template = CLI.packageRoot.appendingPathComponent("models/examples/pgbench-pgbouncer.yaml").path

    @Test("Calibrated from one client alone, the model predicts throughput at every other level, and the mean latency at closed ones, within its claimed 10 % plus the measured run-to-run spread")
    func predictsHigherLevelsWithinTheMeasuredSpread() throws {
        let directory = URL(fileURLWithPath: try #require(ProcessInfo.processInfo.environment["HEADROOM_PG_RESULTS"]))
        let measurements = try TestbedMeasurements(directory: directory)
        let comparison = try TestbedComparison(measurements: measurements, template: Self.template)
        let table = comparison.markdown()
        print(table)
        try table.write(to: directory.appendingPathComponent("predictions.md"), atomically: true, encoding: .utf8)
        #expect(comparison.levels.count >= 2, "need at least two levels besides the low-load one")
        // The model is told the machine's cores; other work on the machine takes some of them, so
        // the comparison judges the model only on a machine the testbed has to itself. On a busy
        // one the table above is the result, reported as a known issue, not judged.
        let busiest = try #require(measurements.runs.max { $0.otherWorkShare < $1.otherWorkShare })
        if busiest.otherWorkShare > Self.maximumOtherWorkShare {
            withKnownIssue("the machine was not the testbed's alone: predictions reported, not judged") {
                Issue.record("other work used \(Int(busiest.otherWorkShare * 100)) % of the machine during \(busiest.level) run \(busiest.rep) (at most \(Int(Self.maximumOtherWorkShare * 100)) % for a verdict)")
            }
            return
        }
        for row in comparison.rows where row.metric != .server {
            let verdict = {
                #expect(abs(row.meanLogError) <= row.bound,
                        "\(row.level) \(row.metric.rawValue): predicted \(row.predicted) vs measured \(row.measured): log error \(row.meanLogError) beyond the bound \(row.bound)")
            }
            if comparison.isKnownIssue(row) {
                // Under open load pgbench's time outside the database grows (0.7 ms at low load,
                // 1.4 ms at half the capacity, 4.4 ms at three quarters, on a quiet machine):
                // pgbench and PgBouncer wait for the two cores the backends keep busy. The model's
                // step outside the database is a delay calibrated at low load and cannot grow
                // (docs/testbed.md). The `server` row beside it shows the database's own time per
                // query matching at these loads; this row is reported, and a miss is a known issue.
                // The same waits widen the latency distribution near saturation (closed-3 on the
                // quiet machine: p50 +14 %, p95 -17 %), so percentiles are reported the same way at
                // every level; a closed level's mean (N / X by Little's law) is judged.
                withKnownIssue("the co-located pgbench and PgBouncer wait for CPU under open load; the model has no shared CPU between them and the database",
                               isIntermittent: true, verdict)
            } else {
                verdict()
            }
        }
        for level in comparison.levels {
            #expect(measurements.runs(level).allSatisfy { $0.errors == 0 },
                    "\(level): pgbench reported failed transactions; the model predicts none at these loads")
        }
    }
}

/// One row of `levels.csv`: one run of one load level.
struct TestbedRun {
    var level: String
    var rep: Int
    var mode: String
    var clients: Int
    var offeredRatePerSecond: Double?
    var pool: Int
    var cores: Int
    var seconds: Double
    var figures: [TestbedMetric: Double]
    var errors: Int
    /// CPU used by other processes than postgres, pgbouncer and pgbench, as a share of the machine.
    var otherWorkShare: Double
}

/// The figures compared, in the units of the run report (seconds, per second): what pgbench saw,
/// and the time a query is active at the database (`server`: pg_stat_statements' mean execution
/// time, against the simulated node's mean active queries / queries per second, Little's law).
/// `server` is reported, not judged: it locates an error (inside the database or outside it).
/// At closed loads the model over-predicts it (+11 % to +24 % on the quiet machine): a PgBouncer
/// server connection sits idle between queries while PgBouncer waits for a core, so fewer queries
/// share the cores than the model's four back-to-back ones.
enum TestbedMetric: String, CaseIterable {
    case throughput, mean, p50, p95, p99, server

    var reportKey: String { self == .throughput ? "throughput_per_second" : "\(rawValue)_seconds" }
    var csvColumn: String {
        switch self {
        case .throughput: return "throughput_per_second"
        case .server: return "pg_exec_mean_ms"
        default: return "\(rawValue)_ms"
        }
    }
    var csvScale: Double { self == .throughput ? 1 : 0.001 }
    /// What pgbench timed end to end (the rest are the throughput and the database's own time).
    var isClientLatency: Bool { self == .mean || self == .p50 || self == .p95 || self == .p99 }
}

/// What `scripts/testbed/pg.sh` wrote: `levels.csv` and one pgbench log per run in `pgbench/`.
struct TestbedMeasurements {
    var directory: URL
    var runs: [TestbedRun]

    init(directory: URL) throws {
        self.directory = directory
        let text = try String(contentsOf: directory.appendingPathComponent("levels.csv"), encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = try #require(lines.first)
        func column(_ name: String) throws -> Int { try #require(header.firstIndex(of: name), "levels.csv has no column \(name)") }
        let c = (level: try column("level"), rep: try column("rep"), mode: try column("mode"), clients: try column("clients"),
                 rate: try column("offered_rate_per_second"), pool: try column("pool"), cores: try column("cores"),
                 seconds: try column("seconds"),
                 errors: try column("errors"), other: try column("other_work_share"))
        let metricColumns = try TestbedMetric.allCases.map { ($0, try column($0.csvColumn)) }
        runs = try lines.dropFirst().map { f in
            var figures: [TestbedMetric: Double] = [:]
            for (metric, i) in metricColumns { figures[metric] = try #require(Double(f[i])) * metric.csvScale }
            return TestbedRun(level: f[c.level], rep: try #require(Int(f[c.rep])), mode: f[c.mode],
                              clients: try #require(Int(f[c.clients])), offeredRatePerSecond: Double(f[c.rate]),
                              pool: try #require(Int(f[c.pool])), cores: try #require(Int(f[c.cores])),
                              seconds: try #require(Double(f[c.seconds])),
                              figures: figures, errors: try #require(Int(f[c.errors])),
                              otherWorkShare: try #require(Double(f[c.other])))
        }
    }

    /// The level the model is calibrated from: one pgbench client back to back (`closed`, one
    /// query at a time, no queue anywhere), the service demand alone in the sense of MVA.
    static let calibrationLevel = "alone"

    /// The measured levels other than the calibration one, in the order they ran.
    var levels: [String] {
        var seen: [String] = []
        for run in runs where run.level != Self.calibrationLevel && !seen.contains(run.level) { seen.append(run.level) }
        return seen
    }
    func runs(_ level: String) -> [TestbedRun] { runs.filter { $0.level == level } }
    func pgbenchLog(level: String, rep: Int) -> URL { directory.appendingPathComponent("pgbench/\(level)-\(rep).log") }
    func statementsExport(level: String, rep: Int) -> URL { directory.appendingPathComponent("pg_stat_statements/\(level)-\(rep).csv") }

    /// The calibration of repeat `rep`, from its one-client run alone: the query's server time fitted
    /// to the pg_stat_statements export, and pgbench's mean time per transaction (its log, schedule
    /// lag taken out) beyond it as time outside the database, exactly as
    /// `headroom import pg-stat-statements alone-R.csv --client-latency 'empirical(file: alone-R.log, format: pgbench)'`
    /// prints them.
    func calibration(rep: Int) throws -> StatementImport {
        var statements = try StatementImport.read(path: statementsExport(level: Self.calibrationLevel, rep: rep).path, pool: "pgbench", top: 1)
        statements.setClientLatency(try DistributionSpec.parse(
            "empirical(file: \(pgbenchLog(level: Self.calibrationLevel, rep: rep).path), format: pgbench)"))
        return statements
    }
}

/// Predicted against measured, paired by repeat: repeat r's prediction is calibrated from repeat
/// r's own calibration run and compared with repeat r's measurement, so drift between repeats (CPU
/// speed, other work on the machine) shows up in the spread of the paired errors.
///
/// For a metric, level l and repeat r, the error is the log ratio e(l, r) = ln(predicted / measured)
/// (symmetric, and its noise grows less with the load than a difference's). Were the model exact,
/// e would be noise with mean 0; its variance is estimated from the spread across repeats, pooled
/// over the L levels for that metric: s^2 = mean over l of var_r e(l, r), with L (R - 1) degrees
/// of freedom (the levels where the metric is judged). The bound on a level's mean error is
/// b = ln 1.10 (the accuracy claimed, judged rows only) + t(1 - 0.05 / (2 K), L (R - 1)) s / sqrt(R)
/// + the simulation's own relative CI half-width, K = the judged rows (Bonferroni: all K
/// comparisons hold together with 95 %): the prediction must lie within a factor exp(b) of the
/// measurement. An error beyond the claim that the noise cannot explain fails.
struct TestbedComparison {
    struct Row {
        var level: String
        var metric: TestbedMetric
        var measured: Double
        var predicted: Double
        /// Mean over repeats of ln(predicted / measured).
        var meanLogError: Double
        /// The largest |meanLogError| the measured spread explains.
        var bound: Double
        /// exp(meanLogError) - 1: the error as a percentage of the measurement.
        var relativeError: Double { Foundation.exp(meanLogError) - 1 }
        var spread: Double
        /// t(1 - 0.05 / (2 K), degrees of freedom) / sqrt(repeats) for this row's metric.
        var k: Double
        var degreesOfFreedom: Int
    }

    /// The accuracy the model claims for a judged row, as a log ratio (ln 1.10: within 10 %),
    /// added to what the measured spread explains. The model's CPU time per query is what one
    /// client alone measured; on these virtual machines PostgreSQL's CPU per transaction falls
    /// as the load rises (4.28 ms alone, 3.87 ms with the cores saturated, in one quiet run),
    /// which no queueing model calibrated at one load can say. The claim is the one README.md
    /// makes: within about 10 % where tiers do not share cores (docs/testbed.md, "The bound").
    static let claimedAccuracy = Foundation.log(1.10)

    var levels: [String]
    /// Each level's load: `open` or `closed`.
    var modes: [String: String] = [:]

    /// Rows compared and printed but not failed on a miss (a known issue): pgbench's latency at
    /// open levels, and its percentiles at every level (the co-located pgbench and PgBouncer
    /// wait for CPU; docs/testbed.md, "What is judged").
    func isKnownIssue(_ row: Row) -> Bool { Self.isKnownIssue(row.metric, mode: modes[row.level]) }
    static func isKnownIssue(_ metric: TestbedMetric, mode: String?) -> Bool {
        metric.isClientLatency && (mode == "open" || metric != .mean)
    }
    var rows: [Row]

    init(measurements: TestbedMeasurements, template: String) throws {
        levels = measurements.levels
        for level in levels { modes[level] = measurements.runs(level).first?.mode }
        var errors: [String: [TestbedMetric: [Double]]] = [:]
        var predictedMeans: [String: [TestbedMetric: Double]] = [:]
        var simulationHalfWidths: [String: [TestbedMetric: Double]] = [:]
        var repeats = 0
        for level in levels {
            let runs = measurements.runs(level)
            repeats = runs.count
            for run in runs {
                let predicted = try Self.predict(run, calibratedFrom: try measurements.calibration(rep: run.rep), template: template)
                for metric in TestbedMetric.allCases {
                    let estimate = try #require(predicted[metric])
                    let measured = try #require(run.figures[metric])
                    errors[level, default: [:]][metric, default: []].append(Foundation.log(estimate.mean / measured))
                    predictedMeans[level, default: [:]][metric, default: 0] += estimate.mean / Double(runs.count)
                    simulationHalfWidths[level, default: [:]][metric, default: 0] += estimate.relativeHalfWidth / Double(runs.count)
                }
            }
        }
        precondition(repeats >= 2, "the bound needs every level measured at least twice (TESTBED_REPEATS)")
        // Bonferroni over the rows with a verdict: `server` is reported only, and a known issue's
        // miss does not fail the test.
        let levelModes = modes
        func judged(_ metric: TestbedMetric, _ level: String) -> Bool {
            metric != .server && !Self.isKnownIssue(metric, mode: levelModes[level])
        }
        let comparisons = Double(levels.map { level in TestbedMetric.allCases.filter { judged($0, level) }.count }.reduce(0, +))
        var rows: [Row] = []
        for metric in TestbedMetric.allCases {
            // A judged metric's spread is pooled over the levels where it is judged: the open
            // levels' throughput (the offered rate on both sides) varies far less between repeats
            // than a closed level's, and an open level's latency (a known issue) far more, and
            // either would set a closed level's bound by what it does not share.
            let judgedLevels = levels.filter { judged(metric, $0) }
            let pooled = judgedLevels.isEmpty ? levels : judgedLevels
            let pooledVariance = pooled.map { Self.variance(errors[$0]![metric]!) }.reduce(0, +) / Double(pooled.count)
            let spread = pooledVariance.squareRoot()
            let degreesOfFreedom = pooled.count * (repeats - 1)
            let k = Estimate.studentTQuantile(1 - 0.05 / (2 * comparisons), degreesOfFreedom: Double(degreesOfFreedom))
                / Double(repeats).squareRoot()
            for level in levels {
                let e = errors[level]![metric]!
                let measured = measurements.runs(level).map { $0.figures[metric]! }.reduce(0, +) / Double(e.count)
                let accuracy = judged(metric, level) ? Self.claimedAccuracy : 0
                rows.append(Row(level: level, metric: metric, measured: measured, predicted: predictedMeans[level]![metric]!,
                                meanLogError: e.reduce(0, +) / Double(e.count),
                                bound: accuracy + k * spread + simulationHalfWidths[level]![metric]!, spread: spread,
                                k: k, degreesOfFreedom: degreesOfFreedom))
            }
        }
        self.rows = rows
    }

    static let replicationsPerPrediction = 20

    static func variance(_ x: [Double]) -> Double {
        let mean = x.reduce(0, +) / Double(x.count)
        return x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(x.count - 1)
    }

    /// Runs the template with this run's pool, cores and load, the query's server time and the
    /// time outside the database from the low-load calibration. Each replication is one run as
    /// pgbench made it: as long, starting empty, nothing deleted as warm-up (near saturation a
    /// short test from empty differs from the steady state); the figures are the mean over
    /// replications, the expected value of one such run.
    static func predict(_ run: TestbedRun, calibratedFrom calibration: StatementImport, template: String) throws -> [TestbedMetric: Estimate] {
        let query = try #require(calibration.statements.first, "the low-load export has no statement")
        let outside = calibration.outsideTheDatabase ?? .constant(0)
        var overrides = [
            "simulation.horizon": "\(run.seconds)s",
            "simulation.warmup": "0s",
            "simulation.replications": "\(replicationsPerPrediction)",
            "poolers.pgbouncer.server_connections": "\(run.pool)",
            "database.cores": "\(run.cores)",
            "pools.pgbench.size": "\(run.clients)",
            "endpoints.tx.steps.0.call.latency": outside.description,
            "endpoints.tx.steps.1.query.time": query.distribution,
        ]
        if run.mode == "open" {
            overrides["workload"] = "{open: {rate: \(try #require(run.offeredRatePerSecond))/s}, endpoint: tx}"
        } else {
            overrides["workload"] = "{closed: {users: \(run.clients), think_time: 0s}, endpoint: tx}"
        }
        let loaded = try ModelLoader.load(path: template, overrides: overrides)
        let report = ReplicationStudy(model: loaded.model).run()
        let endpoint = try #require(report["endpoints", "tx"])
        var figures: [TestbedMetric: Estimate] = [:]
        for metric in TestbedMetric.allCases where metric != .server {
            figures[metric] = try #require(endpoint[metric.reportKey]?.estimate)
        }
        // The database's time per query by Little's law: mean active queries / queries per second;
        // its half-width the sum of the two relative half-widths (a conservative bound on a ratio's).
        let node = try #require(report["database_nodes", "primary"])
        let active = try #require(node["mean_active_queries"]?.estimate)
        let rate = try #require(node["queries_per_second"]?.estimate)
        let server = active.mean / rate.mean
        let relative = active.relativeHalfWidth + rate.relativeHalfWidth
        figures[.server] = Estimate(mean: server, halfWidth: server * relative, samples: active.samples)
        return figures
    }

    func markdown() -> String {
        func show(_ metric: TestbedMetric, _ value: Double) -> String {
            metric == .throughput ? String(format: "%.1f/s", value) : String(format: "%.2f ms", value * 1000)
        }
        var out = "| level | metric | measured (mean of runs) | predicted (mean of runs) | error | bound (x/÷) | judged |\n|---|---|---|---|---|---|---|\n"
        for level in levels {
            for row in rows where row.level == level {
                out += "| \(level) | \(row.metric.rawValue) | \(show(row.metric, row.measured)) | \(show(row.metric, row.predicted)) | "
                out += String(format: "%+.1f %% | %.1f %% | ", row.relativeError * 100, (Foundation.exp(row.bound) - 1) * 100)
                out += row.metric == .server ? "reported\n" : isKnownIssue(row) ? "known issue if beyond\n" : "yes\n"
            }
        }
        out += "\nThe error is exp(mean over repeats of ln(predicted / measured)) - 1, paired by repeat; the bound exp(a + k s + simulation half-width) - 1, a = ln 1.10 (the claimed accuracy) on judged rows and 0 on the others, k = t quantile / sqrt(repeats) and s the spread of the paired log errors pooled over the levels where the metric is judged: "
        out += TestbedMetric.allCases.compactMap { m in
            rows.first { $0.metric == m }.map { String(format: "%@ s %.1f %% (k %.2f, %d degrees of freedom)", m.rawValue, $0.spread * 100, $0.k, $0.degreesOfFreedom) }
        }.joined(separator: ", ") + "\n"
        return out
    }
}
