import Foundation
import Testing
import HeadroomKernel
import HeadroomModel
import HeadroomCalibration
@testable import HeadroomStudy

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
    /// CPU per transaction of each process, seconds: pgbench's from its user + system time
    /// (bash `time`), PgBouncer's and PostgreSQL's (the postmaster and every backend) from
    /// `/proc/PID/stat` (utime + stime) before and after the run, each over the run's transactions.
    var pgbenchCPUSecondsPerTransaction: Double
    var pgbouncerCPUSecondsPerTransaction: Double
    var postgresCPUSecondsPerTransaction: Double
}

/// The figures compared, in the units of the run report (seconds, per second): what pgbench saw,
/// and the time a query is active at the database (`server`: pg_stat_statements' mean execution
/// time, against the simulated node's mean active queries / queries per second, Little's law).
/// `server` is reported, not judged: it locates an error (inside the database or outside it).
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
                 errors: try column("errors"), other: try column("other_work_share"),
                 pgbench: try column("pgbench_cpu_ms_per_tx"), pgbouncer: try column("pgbouncer_cpu_ms_per_tx"),
                 postgres: try column("postgres_cpu_ms_per_tx"))
        let metricColumns = try TestbedMetric.allCases.map { ($0, try column($0.csvColumn)) }
        runs = try lines.dropFirst().map { f in
            var figures: [TestbedMetric: Double] = [:]
            for (metric, i) in metricColumns { figures[metric] = try #require(Double(f[i])) * metric.csvScale }
            return TestbedRun(level: f[c.level], rep: try #require(Int(f[c.rep])), mode: f[c.mode],
                              clients: try #require(Int(f[c.clients])), offeredRatePerSecond: Double(f[c.rate]),
                              pool: try #require(Int(f[c.pool])), cores: try #require(Int(f[c.cores])),
                              seconds: try #require(Double(f[c.seconds])),
                              figures: figures, errors: try #require(Int(f[c.errors])),
                              otherWorkShare: try #require(Double(f[c.other])),
                              pgbenchCPUSecondsPerTransaction: try #require(Double(f[c.pgbench])) / 1000,
                              pgbouncerCPUSecondsPerTransaction: try #require(Double(f[c.pgbouncer])) / 1000,
                              postgresCPUSecondsPerTransaction: try #require(Double(f[c.postgres])) / 1000)
        }
    }

    /// The level the model is calibrated from: one pgbench client back to back (`closed`, one
    /// query at a time, no queue anywhere), the service demand alone in the sense of MVA.
    static let calibrationLevel = "alone"
    /// The sparse open level (8 % of the nominal capacity): its cores idle between arrivals.
    static let lowLevel = "low"

    /// The measured levels other than the calibration one, in the order they ran.
    var levels: [String] {
        var seen: [String] = []
        for run in runs where run.level != Self.calibrationLevel && !seen.contains(run.level) { seen.append(run.level) }
        return seen
    }
    func runs(_ level: String) -> [TestbedRun] { runs.filter { $0.level == level } }
    func pgbenchLog(level: String, rep: Int) -> URL { directory.appendingPathComponent("pgbench/\(level)-\(rep).log") }
    func statementsExport(level: String, rep: Int) -> URL { directory.appendingPathComponent("pg_stat_statements/\(level)-\(rep).csv") }

    /// Diagnosis only (`HEADROOM_PG_CPU_OF_EACH_RUN=1`, docs/testbed.md): the one-host model takes
    /// each predicted run's own CPU per transaction in place of the calibration run's, to split an
    /// error between the CPU a transaction costs at that load and the queueing the model simulates.
    /// Not a prediction: the table says so.
    static let usesEachRunsCPU = ProcessInfo.processInfo.environment["HEADROOM_PG_CPU_OF_EACH_RUN"] == "1"

    /// The calibration of repeat `rep`, from its one-client run alone, for the given way of
    /// modelling the testbed (`TestbedModelling`); `cpuOf`: the run whose CPU per transaction the
    /// one-host model takes (the diagnosis above; nil: the calibration run's).
    func calibration(rep: Int, modelling: TestbedModelling, cpuOf cpuRun: TestbedRun? = nil) throws -> TestbedCalibration {
        var statements = try StatementImport.read(path: statementsExport(level: Self.calibrationLevel, rep: rep).path, pool: "pgbench", top: 1)
        statements.setClientLatency(try DistributionSpec.parse(
            "empirical(file: \(pgbenchLog(level: Self.calibrationLevel, rep: rep).path), format: pgbench)"))
        var query = try #require(statements.statements.first, "the calibration run's export has no statement")
        switch modelling {
        case .coresOfTheirOwn:
            // As `headroom import pg-stat-statements alone-R.csv --client-latency 'empirical(file:
            // alone-R.log, format: pgbench)'` prints it: the statement's time at the server, and
            // the rest of pgbench's mean as a delay outside the database.
            return TestbedCalibration(query: query.distribution, outside: statements.outsideTheDatabase ?? .constant(0),
                                      clientCPUSeconds: nil, poolerCPUSecondsPerTransaction: nil)
        case .oneHost:
            let alone = try #require(runs.first { $0.level == Self.calibrationLevel && $0.rep == rep })
            let client = try #require(statements.clientMeanSeconds)
            // A backend spends CPU on a transaction beyond the statement's execution (the protocol,
            // parse and plan, pg_stat_statements' own bookkeeping): PostgreSQL's CPU per transaction
            // in this run exceeds pg_stat_statements' mean (4.28 against 4.11 ms, 6.79 against 6.51 ms
            // in two of them). It holds the server connection and a core like the statement, so the
            // query's time is PostgreSQL's CPU per transaction, with the statement's spread.
            let statementMean = query.meanSeconds
            query.meanSeconds = max(statementMean, alone.postgresCPUSecondsPerTransaction)
            // What pgbench waited beyond the three processes' CPU: loopback hops, wake-ups. Nothing
            // is counted twice: the CPU now modelled on the host is taken out of the delay. Here it
            // is 0.005-0.015 ms (of 4.2-7.0 ms): with one query at a time a transaction is the
            // three processes' CPU in turn. A constant: the leftover variance (client's minus the
            // statement's) is 4-8 % of the client's.
            let cpu = query.meanSeconds + alone.pgbouncerCPUSecondsPerTransaction + alone.pgbenchCPUSecondsPerTransaction
            let outside = DistributionSpec.constant(max(0, client - cpu))
            let source = cpuRun ?? alone
            query.meanSeconds = max(statementMean, source.postgresCPUSecondsPerTransaction)
            return TestbedCalibration(query: query.distribution, outside: outside,
                                      clientCPUSeconds: source.pgbenchCPUSecondsPerTransaction,
                                      poolerCPUSecondsPerTransaction: source.pgbouncerCPUSecondsPerTransaction)
        }
    }
}

/// How the model places the testbed's processes.
enum TestbedModelling: String {
    /// As it runs: pgbench, PgBouncer and PostgreSQL on one host with the machine's cores
    /// (processor sharing among the backends, PgBouncer's thread and pgbench's thread), each
    /// process's CPU per transaction measured in the calibration run.
    case oneHost = "one host"
    /// Each on cores of its own: the database's cores serve queries only; pgbench and PgBouncer
    /// are a delay outside the database (the model before issue 24).
    case coresOfTheirOwn = "cores of their own"

    var template: String {
        let file = self == .oneHost ? "models/examples/shared-host.yaml" : "models/examples/pgbench-pgbouncer.yaml"
        return CLI.packageRoot.appendingPathComponent(file).path
    }
}

/// What one repeat's calibration run says, in model terms.
struct TestbedCalibration {
    /// The query's time at the server (a distribution in model syntax).
    var query: String
    /// pgbench's time per transaction outside the database that is not CPU on the host.
    var outside: DistributionSpec
    /// pgbench's CPU per transaction and PgBouncer's, on the host (nil: not modelled).
    var clientCPUSeconds: Double?
    var poolerCPUSecondsPerTransaction: Double?
}

/// What the comparison does with a row.
enum TestbedVerdict: Equatable {
    /// Fails the test when beyond its bound.
    case judged
    /// Printed, never fails: it only restates the input or another row (the reason says which).
    case restates(String)
    /// Printed, never fails: the reason says why the model is not held to it.
    case reported(String)

    var label: String {
        switch self {
        case .judged: "yes"
        case let .restates(what): "restates \(what)"
        case let .reported(why): "reported (\(why))"
        }
    }
}

/// Predicted against measured, paired by repeat: repeat r's prediction is calibrated from repeat
/// r's own calibration run and compared with repeat r's measurement, so drift between repeats (CPU
/// speed, other work on the machine) shows up in the spread of the paired errors.
///
/// For a metric, level l and repeat r, the error is the log ratio e(l, r) = ln(predicted / measured)
/// (symmetric, and its noise grows less with the load than a difference's). Were the model exact,
/// e would be noise with mean 0; its variance is estimated from the spread across repeats, pooled
/// over the L levels where the metric is judged: s^2 = mean over l of var_r e(l, r), with L (R - 1)
/// degrees of freedom. The bound on a level's mean error is
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
        /// The largest |meanLogError| the claim and the measured spread allow.
        var bound: Double
        var verdict: TestbedVerdict
        /// exp(meanLogError) - 1: the error as a percentage of the measurement.
        var relativeError: Double { Foundation.exp(meanLogError) - 1 }
        var spread: Double
        /// t(1 - 0.05 / (2 K), degrees of freedom) / sqrt(repeats) for this row's metric.
        var k: Double
        var degreesOfFreedom: Int
        var isJudged: Bool { verdict == .judged }
        var isBeyondBound: Bool { abs(meanLogError) > bound }
    }

    /// The accuracy the model claims for a judged row, as a log ratio (ln 1.10: within 10 %),
    /// added to what the measured spread explains. The model's CPU time per query is what one
    /// client alone measured; on these virtual machines PostgreSQL's CPU per transaction changes
    /// with the load (4.28 ms alone, 3.87 ms with the cores saturated, in one quiet run), which no
    /// queueing model calibrated at one load can say (docs/testbed.md, "The bound").
    static let claimedAccuracy = Foundation.log(1.10)

    var modelling: TestbedModelling
    var levels: [String]
    /// Each level's load: `open` or `closed`.
    var modes: [String: String] = [:]
    var rows: [Row]

    /// What is judged (docs/testbed.md, "What is judged"): the closed levels' throughput. Every
    /// other row is printed with what it is: the open levels' throughput is the offered rate on
    /// both sides, a closed level's mean is its clients / its throughput (Little's law, no think
    /// time), and pgbench's latency under open load is beyond what the one-host model earns
    /// (22-60 % under the measurement on the quiet datasets; docs/testbed.md, "Open load").
    static func verdict(_ metric: TestbedMetric, level: String, mode: String?) -> TestbedVerdict {
        let open = mode == "open"
        switch metric {
        case .throughput:
            return open ? .restates("the offered rate") : .judged
        case .mean:
            return open ? .reported(openLatency) : .restates("clients / throughput")
        case .p95:
            return .reported(open ? openLatency : "closed-load tail")
        case .p50, .p99:
            return .reported("percentile")
        case .server:
            return .reported("the database's own time")
        }
    }
    static let openLatency = "open-load latency, not earned"

    init(measurements: TestbedMeasurements, modelling: TestbedModelling) throws {
        self.modelling = modelling
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
                let calibration = try measurements.calibration(rep: run.rep, modelling: modelling,
                                                               cpuOf: TestbedMeasurements.usesEachRunsCPU ? run : nil)
                let predicted = try Self.predict(run, calibratedFrom: calibration, modelling: modelling)
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
        let levelModes = modes
        func verdict(_ metric: TestbedMetric, _ level: String) -> TestbedVerdict {
            Self.verdict(metric, level: level, mode: levelModes[level])
        }
        // Bonferroni over the rows with a verdict.
        let comparisons = Double(levels.map { level in TestbedMetric.allCases.filter { verdict($0, level) == .judged }.count }.reduce(0, +))
        var rows: [Row] = []
        for metric in TestbedMetric.allCases {
            // A judged metric's spread is pooled over the levels where it is judged: an unjudged
            // level's errors vary more or less between repeats (the open levels' throughput is the
            // offered rate on both sides) and would set a judged level's bound by what it does not
            // share.
            let judgedLevels = levels.filter { verdict(metric, $0) == .judged }
            let pooled = judgedLevels.isEmpty ? levels : judgedLevels
            let pooledVariance = pooled.map { Self.variance(errors[$0]![metric]!) }.reduce(0, +) / Double(pooled.count)
            let spread = pooledVariance.squareRoot()
            let degreesOfFreedom = pooled.count * (repeats - 1)
            let k = Estimate.studentTQuantile(1 - 0.05 / (2 * comparisons), degreesOfFreedom: Double(degreesOfFreedom))
                / Double(repeats).squareRoot()
            for level in levels {
                let e = errors[level]![metric]!
                let measured = measurements.runs(level).map { $0.figures[metric]! }.reduce(0, +) / Double(e.count)
                let v = verdict(metric, level)
                let accuracy = v == .judged ? Self.claimedAccuracy : 0
                rows.append(Row(level: level, metric: metric, measured: measured, predicted: predictedMeans[level]![metric]!,
                                meanLogError: e.reduce(0, +) / Double(e.count),
                                bound: accuracy + k * spread + simulationHalfWidths[level]![metric]!, verdict: v,
                                spread: spread, k: k, degreesOfFreedom: degreesOfFreedom))
            }
        }
        self.rows = rows
    }

    static let replicationsPerPrediction = 20

    static func variance(_ x: [Double]) -> Double {
        let mean = x.reduce(0, +) / Double(x.count)
        return x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(x.count - 1)
    }

    /// Runs the template with this run's pool, cores and load, and the calibration. Each
    /// replication is one run as pgbench made it: as long, starting empty, nothing deleted as
    /// warm-up (near saturation a short test from empty differs from the steady state); the
    /// figures are the mean over replications, the expected value of one such run.
    static func predict(_ run: TestbedRun, calibratedFrom calibration: TestbedCalibration,
                        modelling: TestbedModelling) throws -> [TestbedMetric: Estimate] {
        var overrides = [
            "simulation.horizon": "\(run.seconds)s",
            "simulation.warmup": "0s",
            "simulation.replications": "\(replicationsPerPrediction)",
            "poolers.pgbouncer.server_connections": "\(run.pool)",
            "pools.pgbench.size": "\(run.clients)",
            "endpoints.tx.steps.0.call.latency": calibration.outside.description,
            "endpoints.tx.steps.1.query.time": calibration.query,
        ]
        switch modelling {
        case .coresOfTheirOwn:
            overrides["database.cores"] = "\(run.cores)"
        case .oneHost:
            overrides["hosts.db.cores"] = "\(run.cores)"
            overrides["client.cpu_per_request"] = DistributionSpec.constant(try #require(calibration.clientCPUSeconds)).description
            overrides["poolers.pgbouncer.cpu_per_transaction"] =
                DistributionSpec.constant(try #require(calibration.poolerCPUSecondsPerTransaction)).description
        }
        if run.mode == "open" {
            overrides["workload"] = "{open: {rate: \(try #require(run.offeredRatePerSecond))/s}, endpoint: tx}"
        } else {
            overrides["workload"] = "{closed: {users: \(run.clients), think_time: 0s}, endpoint: tx}"
        }
        let loaded = try ModelLoader.load(path: modelling.template, overrides: overrides)
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
        var out = "Modelled: \(modelling.rawValue).\n\n"
        if TestbedMeasurements.usesEachRunsCPU && modelling == .oneHost {
            out += "**Diagnosis, not a prediction** (HEADROOM_PG_CPU_OF_EACH_RUN=1): each run predicted with its own CPU per transaction.\n\n"
        }
        out += "| level | metric | measured (mean of runs) | predicted (mean of runs) | error | bound (x/÷) | judged |\n|---|---|---|---|---|---|---|\n"
        for level in levels {
            for row in rows where row.level == level {
                out += "| \(level) | \(row.metric.rawValue) | \(show(row.metric, row.measured)) | \(show(row.metric, row.predicted)) | "
                out += String(format: "%+.1f %% | %.1f %% | ", row.relativeError * 100, (Foundation.exp(row.bound) - 1) * 100)
                out += row.verdict.label + (row.isJudged && row.isBeyondBound ? " **FAILS**" : "") + "\n"
            }
        }
        out += "\nThe error is exp(mean over repeats of ln(predicted / measured)) - 1, paired by repeat; the bound exp(a + k s + simulation half-width) - 1, a = ln 1.10 (the claimed accuracy) on judged rows and 0 on the others, k = t quantile / sqrt(repeats) and s the spread of the paired log errors pooled over the levels where the metric is judged: "
        out += TestbedMetric.allCases.compactMap { m in
            rows.first { $0.metric == m }.map { String(format: "%@ s %.1f %% (k %.2f, %d degrees of freedom)", m.rawValue, $0.spread * 100, $0.k, $0.degreesOfFreedom) }
        }.joined(separator: ", ") + "\n"
        return out
    }
}
