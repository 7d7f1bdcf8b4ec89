import Foundation
import HeadroomKernel
import HeadroomModel
import HeadroomSim
import HeadroomAnalysis
import HeadroomOutput

/// `headroom import pg-stat-statements FILE`: per-statement service-time distributions from a CSV
/// export of PostgreSQL's `pg_stat_statements` view, mixed by call share, as a model fragment.
///
/// The view keeps, per statement, calls and the mean, standard deviation, minimum and maximum of
/// its execution time. Lognormal and gamma are each fitted by moments (both match the mean and
/// standard deviation exactly) and told apart by the likelihood of the observed minimum and maximum
/// over that many calls (the joint density of the two extreme order statistics). Exponential, which
/// has one parameter, is chosen when the coefficient of variation is within 1.96 standard errors of
/// 1 (for exponential samples, SE(cv) ≈ √(2/n)), or when there is no spread to fit.
public struct StatementFit: Sendable {
    public var queryID: String
    public var query: String
    public var calls: Int
    public var share: Double
    public var meanSeconds: Double
    public var standardDeviationSeconds: Double?
    public var minimumSeconds: Double?
    public var maximumSeconds: Double?
    public var family: ServiceTimeFamily
    /// Extremes log-likelihood per candidate family (nil: not computable).
    public var extremesLogLikelihood: [ServiceTimeFamily: Double]
    /// Why this family.
    public var reason: String

    public var cv: Double? { standardDeviationSeconds.map { $0 / meanSeconds } }

    /// The model's distribution text, e.g. `lognormal(mean: 1.077ms, cv: 1.363)`.
    public var distribution: String {
        let m = Units.formatDuration(fourSignificant(meanSeconds))
        switch family {
        case .exponential: return "exp(\(m))"
        case .lognormal, .gamma: return "\(family.rawValue)(mean: \(m), cv: \(String(format: "%.4g", cv ?? 1)))"
        }
    }
}

public struct StatementImport: Sendable {
    public var path: String
    public var statements: [StatementFit]
    /// Calls of the statements left out by `top`, over all calls.
    public var omittedShare: Double
    public var omittedCount: Int
    public var pool: String
    /// What a client of the database waited per statement, measured at the same (low) load as
    /// the export: a pgbench log, a load test's latency, an APM's query span (`setClientLatency`).
    /// With it the fragment puts the part of the client's time the server did not spend in a
    /// step of its own (`outsideTheDatabase`).
    public var clientMeanSeconds: Double?
    public var clientVarianceSquareSeconds: Double?

    public mutating func setClientLatency(_ spec: DistributionSpec) {
        clientMeanSeconds = spec.mean
        clientVarianceSquareSeconds = Distribution(spec).variance
    }

    /// The server's time per statement, mixed by call share: Σ share · mean_exec_time.
    public var serverMeanSeconds: Double { statements.reduce(0) { $0 + $1.share * $1.meanSeconds } }

    /// The variance of the server's time per statement over the mix (Σ share · (sd² + mean²) −
    /// mean²), nil when a statement has no standard deviation.
    public var serverVarianceSquareSeconds: Double? {
        var secondMoment = 0.0
        for s in statements {
            guard let sd = s.standardDeviationSeconds else { return nil }
            secondMoment += s.share * (sd * sd + s.meanSeconds * s.meanSeconds)
        }
        return max(0, secondMoment - serverMeanSeconds * serverMeanSeconds)
    }

    /// The client-observed mean minus the server's: the client's own work, the network and a
    /// pooler in between. pg_stat_statements times a statement from the moment the backend
    /// starts executing it to its result, so this part uses no database core and, behind a
    /// transaction-mode pooler, holds no server connection; charging it to the database instead
    /// (calibrating the query's time from the client's samples) overstates the cores' work per
    /// query and understates the throughput the database reaches: on the testbed
    /// (docs/testbed.md), 11-17 % fewer transactions per second predicted than pgbench made at
    /// saturation. Assumes one statement per client request (a pgbench transaction of one
    /// statement, an HTTP request doing one query); nil without a client latency.
    public var outsideTheDatabaseSeconds: Double? {
        clientMeanSeconds.map { $0 - serverMeanSeconds }
    }

    /// The time outside the database as a distribution, by moments of a difference: its mean is
    /// the difference of the means and, taking it independent of the server's time, its variance
    /// the difference of the variances (client's − server's). A gamma matches both when that
    /// variance is positive; otherwise (no spread left over, or a statement without a standard
    /// deviation) a constant with the mean. Nil when there is nothing outside (no client latency,
    /// or a client mean not above the server's).
    public var outsideTheDatabase: DistributionSpec? {
        guard let mean = outsideTheDatabaseSeconds, mean > 0 else { return nil }
        if let client = clientVarianceSquareSeconds, let server = serverVarianceSquareSeconds, client > server {
            return .gamma(mean: fourSignificant(mean), cv: fourSignificant((client - server).squareRoot() / mean))
        }
        return .constant(fourSignificant(mean))
    }

    public enum Column { static let mean = ["mean_exec_time", "mean_time"], stddev = ["stddev_exec_time", "stddev_time"],
                                      min = ["min_exec_time", "min_time"], max = ["max_exec_time", "max_time"] }

    /// Reads and fits. `top`: keep the most-called statements; `exclude`: statements whose text
    /// contains this (e.g. the export's own `pg_stat_statements` query) are skipped.
    /// The longest mean, minimum or maximum believed (seconds): 30 days, the longest horizon a
    /// model may simulate. Beyond it an export is damaged, not a measurement.
    static let longestTimeSeconds = 30 * 86_400.0

    /// A row whose figures cannot come from one statement's executions is refused, naming the
    /// field: a time over 30 days, or a mean outside
    /// [min, max] (up to rounding: exports print the figures to a few decimals).
    private static func checkConsistent(mean: Double, sd: Double?, min: Double?, max: Double?, line: Int, fields: [DelimitedTable.Field],
                                        indices: (mean: Int, sd: Int?, min: Int?, max: Int?), path: String) throws(ParseFailure) {
        // `DelimitedTable.number` has already refused a negative, infinite or non-numeric field.
        func column(_ i: Int) -> Int { i < fields.count ? fields[i].column : 1 }
        func text(_ i: Int) -> String { i < fields.count ? fields[i].text : "" }
        let ms = 1000.0
        for (value, index, what) in [(Optional(mean), indices.mean, "mean_exec_time"), (min, indices.min ?? -1, "min_exec_time"),
                                     (max, indices.max ?? -1, "max_exec_time"), (sd, indices.sd ?? -1, "stddev_exec_time")] {
            guard let value, index >= 0, value > longestTimeSeconds else { continue }
            throw ParseFailure("\(path):\(line):\(column(index)): \(what) of `\(text(index))` ms is more than 30 days: not a measurement of one statement")
        }
        let slack = 1e-6 * mean + 1e-9
        if let low = min, mean < low - slack, let i = indices.min {
            throw ParseFailure("\(path):\(line):\(column(indices.mean)): mean_exec_time \(mean * ms) ms is below min_exec_time \(low * ms) ms (column \(column(i))): the figures cannot come from one statement's executions")
        }
        if let high = max, mean > high + slack, let i = indices.max {
            throw ParseFailure("\(path):\(line):\(column(indices.mean)): mean_exec_time \(mean * ms) ms is above max_exec_time \(high * ms) ms (column \(column(i))): the figures cannot come from one statement's executions")
        }
    }

    /// Why `name` cannot stand as the fragment's pool name (`query: {pool: NAME, ...}`), or nil:
    /// a plain YAML scalar of letters, digits, `_` and `-`, starting with a letter or `_` (a
    /// model's names hold no dots or spaces: they are used in override paths), so the fragment
    /// loads as printed.
    public static func poolNameProblem(_ name: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
        guard let first = name.first else { return "--pool is empty: give the name of the model's pool the queries go through" }
        guard name.count <= 100, first.isLetter || first == "_", name.allSatisfy({ allowed.contains($0) }) else {
            return "--pool `\(InputText.commentSafe(String(name.prefix(100))))` is not a pool name: use letters, digits, `_` and `-`, starting with a letter or `_` (at most 100 characters)"
        }
        return nil
    }

    public static func read(path: String, pool: String, top: Int?) throws(ParseFailure) -> StatementImport {
        if let problem = poolNameProblem(pool) { throw ParseFailure(problem) }
        let table = try DelimitedTable.read(path: path, separator: .comma, kind: "pg_stat_statements export")
        guard let header = table.header?.map({ $0.lowercased() }) else {
            throw ParseFailure("\(path):1: a pg_stat_statements export needs its header line (psql: \\copy (...) to 'file' csv header)")
        }
        func column(_ names: [String], required: Bool) throws(ParseFailure) -> Int? {
            if let i = header.firstIndex(where: { names.contains($0) }) { return i }
            if required {
                throw ParseFailure("\(path):1: no `\(names[0])` column; \(Suggest.hint(names[0], table.header ?? [], noun: "columns")) (export calls, mean_exec_time, stddev_exec_time, min_exec_time, max_exec_time, query)")
            }
            return nil
        }
        let callsIndex = try column(["calls"], required: true)!
        let meanIndex = try column(Column.mean, required: true)!
        let sdIndex = try column(Column.stddev, required: false)
        let minIndex = try column(Column.min, required: false)
        let maxIndex = try column(Column.max, required: false)
        let idIndex = try column(["queryid"], required: false)
        let queryIndex = try column(["query"], required: false)
        struct Row { var id: String; var query: String; var calls: Int; var mean: Double; var sd: Double?; var min: Double?; var max: Double? }
        var rows: [Row] = []
        for r in table.records {
            let callsValue = try table.number(r, callsIndex, what: "calls")
            guard callsValue == callsValue.rounded(), callsValue <= 1e15 else {
                throw ParseFailure("\(path):\(r.line):\(r.fields[callsIndex].column): calls must be a whole number, not `\(r.fields[callsIndex].text)`")
            }
            let calls = Int(callsValue)
            if calls == 0 { continue }
            let mean = try table.number(r, meanIndex, what: "the mean execution time (ms)") / 1000
            func optional(_ i: Int?, _ what: String) throws(ParseFailure) -> Double? {
                guard let i else { return nil }
                return try table.number(r, i, what: what) / 1000
            }
            let query = queryIndex.flatMap { $0 < r.fields.count ? r.fields[$0].text : nil } ?? ""
            let id = idIndex.flatMap { $0 < r.fields.count ? r.fields[$0].text : nil } ?? "\(rows.count + 1)"
            rows.append(Row(id: id, query: query, calls: calls, mean: mean,
                            sd: try optional(sdIndex, "the standard deviation (ms)"),
                            min: try optional(minIndex, "the minimum (ms)"), max: try optional(maxIndex, "the maximum (ms)")))
            guard mean > 0 else {
                throw ParseFailure("\(path):\(r.line):\(r.fields[meanIndex].column): the mean execution time of a called statement must be positive")
            }
            let row = rows[rows.count - 1]
            try checkConsistent(mean: row.mean, sd: row.sd, min: row.min, max: row.max, line: r.line, fields: r.fields,
                                indices: (mean: meanIndex, sd: sdIndex, min: minIndex, max: maxIndex), path: path)
        }
        guard !rows.isEmpty else { throw ParseFailure("\(path): no statement with calls > 0") }
        rows.sort { $0.calls > $1.calls }
        let totalCalls = Double(rows.reduce(0) { $0 + $1.calls })
        let kept = top.map { Array(rows.prefix($0)) } ?? rows
        let keptCalls = Double(kept.reduce(0) { $0 + $1.calls })
        let statements = kept.map { r in
            fit(queryID: r.id, query: r.query, calls: r.calls, share: Double(r.calls) / keptCalls,
                mean: r.mean, sd: r.sd, min: r.min, max: r.max)
        }
        return StatementImport(path: path, statements: statements, omittedShare: 1 - keptCalls / totalCalls,
                               omittedCount: rows.count - kept.count, pool: pool)
    }

    static func fit(queryID: String, query: String, calls: Int, share: Double, mean: Double, sd: Double?, min: Double?, max: Double?) -> StatementFit {
        var s = StatementFit(queryID: queryID, query: query, calls: calls, share: share, meanSeconds: mean,
                             standardDeviationSeconds: sd, minimumSeconds: min, maximumSeconds: max,
                             family: .exponential, extremesLogLikelihood: [:], reason: "")
        guard let sd, sd > 0, calls >= 2 else {
            s.reason = "no spread to fit (\(calls < 2 ? "one call" : "no standard deviation")): exponential with the mean"
            return s
        }
        let cv = sd / mean
        if let a = min, let b = max {
            for f in ServiceTimeFamily.allCases {
                s.extremesLogLikelihood[f] = f.extremesLogLikelihood(minimum: a, maximum: b, count: calls, mean: mean, cv: f == .exponential ? 1 : cv)
            }
        }
        let se = (2 / Double(calls)).squareRoot()
        if abs(cv - 1) <= 1.96 * se {
            s.family = .exponential
            s.reason = String(format: "cv %.3g is within 1.96 standard errors (%.3g) of 1", cv, se)
            return s
        }
        if let l = s.extremesLogLikelihood[.lognormal], let g = s.extremesLogLikelihood[.gamma] {
            s.family = l >= g ? .lognormal : .gamma
            s.reason = String(format: "min and max over %d calls: log-likelihood lognormal %.4g, gamma %.4g", calls, l, g)
        } else {
            s.family = .lognormal
            s.reason = "no min/max columns to choose by: lognormal by default"
        }
        return s
    }

    /// Endpoint names: `q1`, `q2`, ... by calls.
    public func endpointName(_ i: Int) -> String { "q\(i + 1)" }

    public func renderedFragment() -> String {
        var out = "# headroom import pg-stat-statements \(InputText.commentSafe(path)) --pool \(InputText.commentSafe(pool))\n"
        out += "# \(statements.count) statements by call share; service times fitted by moments, family chosen as explained per statement.\n"
        if omittedCount > 0 {
            out += String(format: "# %d less-called statements left out (%.2f%% of calls): --top to keep more.\n", omittedCount, omittedShare * 100)
        }
        out += "# Measure at low load: under queueing, mean_exec_time includes waiting for a core.\n"
        var outsideStep = ""
        if let client = clientMeanSeconds {
            let f = Units.formatDuration
            out += "# The client waited \(f(fourSignificant(client))) per statement on average, the server spent \(f(fourSignificant(serverMeanSeconds))) (by call share)"
            if let outside = outsideTheDatabase {
                out += ":\n# \(f(fourSignificant(client - serverMeanSeconds))) outside the database (client, network, pooler): a step holding no connection and no core,\n"
                out += "# its spread the client's variance less the server's.\n"
                outsideStep = "      - call: {name: outside_the_database, latency: \(outside)}\n"
            } else {
                out += ":\n# the client's mean is not longer than the server's, so nothing is put outside the database (were both measured over the same statements and load?).\n"
            }
        }
        out += "workload:\n  mix: {\(statements.enumerated().map { "\(endpointName($0.offset)): \(String(format: "%.4g", $0.element.share))" }.joined(separator: ", "))}\n"
        out += "endpoints:\n"
        for (i, s) in statements.enumerated() {
            let text = InputText.commentSafe(s.query.replacingOccurrences(of: "\n", with: " ")).split(separator: " ").joined(separator: " ")
            out += "  \(endpointName(i)):   # queryid \(InputText.commentSafe(s.queryID)): \(text.prefix(70))\(text.count > 70 ? "..." : "")\n"
            var facts = "\(s.calls) calls (\(String(format: "%.1f", s.share * 100))%), mean \(Units.formatDuration(s.meanSeconds))"
            if let sd = s.standardDeviationSeconds { facts += ", sd \(Units.formatDuration(sd))" }
            if let a = s.minimumSeconds, let b = s.maximumSeconds { facts += ", min \(Units.formatDuration(a)), max \(Units.formatDuration(b))" }
            out += "    # \(facts)\n    # \(s.family.rawValue): \(s.reason)\n"
            out += "    steps:\n\(outsideStep)      - query: {pool: \(pool), time: \(s.distribution)}\n"
        }
        return out
    }
}

/// `x` to four significant digits, as the fragment prints its figures.
fileprivate func fourSignificant(_ x: Double) -> Double { Double(String(format: "%.4g", x))! }
