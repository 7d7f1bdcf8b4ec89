import Foundation
import HeadroomKernel
import HeadroomModel
import HeadroomAnalysis
import HeadroomOutput

/// Throughput measured with a given number of queries in flight at the database.
public struct ScalabilityMeasurement: Sendable, Hashable {
    /// Concurrent queries (closed-loop clients with no think time, or the pool size they share).
    public var concurrency: Double
    public var throughputPerSecond: Double
    /// Where it was read, for messages (`levels.csv:3`).
    public var source: String
    public init(concurrency: Double, throughputPerSecond: Double, source: String = "") {
        self.concurrency = concurrency; self.throughputPerSecond = throughputPerSecond; self.source = source
    }
}

/// The Universal Scalability Law as Headroom's database applies it, fitted to measurements.
///
/// With n queries active on `cores` cores, each progresses at min(1, cores / n) of its stand-alone
/// speed divided by 1 + α (n − 1) + β n (n − 1) (ProcessorSharingStation). With n held constant
/// (a closed loop with no think time) the database then completes
///
///     X(n) = min(n, cores) / (S (1 + α (n − 1) + β n (n − 1)))
///
/// queries per second, S the stand-alone (single-query) time. Without `cores` the numerator is n:
/// Gunther's USL with λ = 1/S. Fitting this form, not the textbook one, keeps α and β meaning what
/// the model does with them: a textbook fit on a c-core machine would put the core limit into α.
///
/// Estimated by nonlinear least squares on X (GSL `gsl_multifit_nlinear`), started from the
/// linearisation min(n, c) / X = S + S α (n − 1) + S β n (n − 1) solved by ordinary least squares.
/// α and β are non-negative in the model: an estimate below zero is refitted with it held at 0
/// (the constrained least-squares solution on that boundary) and reported as fixed.
public struct ScalabilityFit: Sendable {
    public var measurements: [ScalabilityMeasurement]
    public var cores: Int?
    public var singleQuerySeconds: Double
    public var contention: Double
    public var coherency: Double
    /// Standard errors; nil for a parameter held at 0.
    public var singleQueryStandardError: Double?
    public var contentionStandardError: Double?
    public var coherencyStandardError: Double?
    /// Student-t quantile for 95 % intervals with the fit's degrees of freedom.
    public var t95: Double
    public var degreesOfFreedom: Int
    /// Measured minus fitted throughput, per measurement.
    public var residuals: [Double]
    /// Residual standard deviation, s = sqrt(SSR / (n − p)): per second with `.absolute` errors,
    /// a fraction of the fitted throughput with `.relative` ones.
    public var residualStandardDeviation: Double
    public var errors: Errors

    /// The law's throughput at concurrency n.
    public static func throughput(_ n: Double, cores: Int?, singleQuerySeconds s: Double, contention a: Double, coherency b: Double) -> Double {
        let busy = cores.map { min(n, Double($0)) } ?? n
        return busy / (s * (1 + a * (n - 1) + b * n * (n - 1)))
    }

    public func fitted(_ n: Double) -> Double {
        Self.throughput(n, cores: cores, singleQuerySeconds: singleQuerySeconds, contention: contention, coherency: coherency)
    }

    /// The concurrency where the fitted throughput peaks: sqrt((1 − α) / β) for the textbook law;
    /// with cores, throughput can only fall beyond them, so the peak is at most `cores`.
    public var peakConcurrency: Double? {
        let unbounded = coherency > 0 ? ((1 - contention) / coherency).squareRoot() : nil
        guard let cores else { return unbounded }
        if contention == 0 && coherency == 0 { return nil }
        return min(Double(cores), unbounded ?? Double(cores))
    }

    public enum Failure: Error, CustomStringConvertible {
        case tooFewLevels(Int, Int)
        case notConverged(String)
        public var description: String {
            switch self {
            case let .tooFewLevels(n, p):
                return "a fit needs more distinct concurrency levels than parameters: \(n) level\(n == 1 ? "" : "s") for \(p) parameters; measure at least \(p + 1) (e.g. 1, 2, 4, 8, 16 clients)"
            case let .notConverged(m): return "the fit failed: \(m)"
            }
        }
    }

    /// Fits S, α, β (those not in `fixed`).
    /// Errors: `.relative` (default) weights each measurement by 1/X² — throughput noise that
    /// scales with throughput (a CPU running 5 % slower costs 5 % at every level), so the many
    /// queries of a high level do not drown the few of a low one; `.absolute` weights them equally.
    public enum Errors: String, Sendable { case relative, absolute }

    public static func fit(_ data: [ScalabilityMeasurement], cores: Int?, errors: Errors = .relative) throws(Failure) -> ScalabilityFit {
        let levels = Set(data.map(\.concurrency)).count
        guard levels >= 4 else { throw .tooFewLevels(levels, 3) }
        var fixed: Set<Int> = []
        // Refit with a negative estimate held at 0, until all are admissible.
        while true {
            let f = try fitOnce(data, cores: cores, fixed: fixed, errors: errors)
            let negatives = [1, 2].filter { !fixed.contains($0) && f.params[$0] < 0 }
            if negatives.isEmpty { return f.result }
            // Hold the most negative (in standard errors) first.
            let worst = negatives.min { f.params[$0] / max(f.errors[$0] ?? 1, 1e-300) < f.params[$1] / max(f.errors[$1] ?? 1, 1e-300) }!
            fixed.insert(worst)
        }
    }

    private static func fitOnce(_ data: [ScalabilityMeasurement], cores: Int?, fixed: Set<Int>, errors: Errors)
        throws(Failure) -> (params: [Double], errors: [Double?], result: ScalabilityFit) {
        let n = data.map(\.concurrency), x = data.map(\.throughputPerSecond)
        let busy = n.map { c in cores.map { min(c, Double($0)) } ?? c }
        // Linearisation: busy / X = S + (S α)(n − 1) + (S β) n (n − 1), by OLS on the free terms.
        var columns: [[Double]] = [n.map { _ in 1 }]
        if !fixed.contains(1) { columns.append(n.map { $0 - 1 }) }
        if !fixed.contains(2) { columns.append(n.map { $0 * ($0 - 1) }) }
        let y = zip(busy, x).map { $0 / $1 }
        let ols = OrdinaryLeastSquares.solve(columns: columns, y: y) ?? [y.reduce(0, +) / Double(y.count)] + [Double](repeating: 0, count: columns.count - 1)
        let s0 = max(ols[0], 1e-12)
        var k = 1
        var start = [1 / s0]   // fit λ = 1 / S: closer to linear in X than S
        if !fixed.contains(1) { start.append(max(ols[k] / s0, 1e-6)); k += 1 }
        if !fixed.contains(2) { start.append(max(ols[k] / s0, 1e-9)) }
        let freeContention = !fixed.contains(1), freeCoherency = !fixed.contains(2)
        let lsq: LeastSquaresFit
        do {
            let weights = errors == .relative ? x.map { 1 / ($0 * $0) } : nil
            lsq = try NonlinearLeastSquares.fit(observations: x, weights: weights, initial: start) { p, i in
                var j = 1
                let a = freeContention ? p[j] : 0
                if freeContention { j += 1 }
                let b = freeCoherency ? p[j] : 0
                let c = n[i]
                return busy[i] * p[0] / (1 + a * (c - 1) + b * c * (c - 1))
            }
        } catch { throw .notConverged(error.message) }
        var params = [1 / lsq.parameters[0], 0, 0]
        var standardErrors: [Double?] = [lsq.standardErrors[0] / (lsq.parameters[0] * lsq.parameters[0]), nil, nil]  // delta method
        var j = 1
        if freeContention { params[1] = lsq.parameters[j]; standardErrors[1] = lsq.standardErrors[j]; j += 1 }
        if freeCoherency { params[2] = lsq.parameters[j]; standardErrors[2] = lsq.standardErrors[j] }
        let result = ScalabilityFit(
            measurements: data, cores: cores, singleQuerySeconds: params[0],
            contention: max(0, params[1]), coherency: max(0, params[2]),
            singleQueryStandardError: standardErrors[0], contentionStandardError: standardErrors[1], coherencyStandardError: standardErrors[2],
            t95: lsq.tQuantile(level: 0.95), degreesOfFreedom: lsq.degreesOfFreedom, residuals: lsq.residuals,
            residualStandardDeviation: lsq.degreesOfFreedom > 0 ? (lsq.sumOfSquares / Double(lsq.degreesOfFreedom)).squareRoot() : .nan,
            errors: errors)
        return (params, standardErrors, result)
    }
}

/// Ordinary least squares by the normal equations (a handful of columns, for starting values).
enum OrdinaryLeastSquares {
    static func solve(columns: [[Double]], y: [Double]) -> [Double]? {
        let p = columns.count
        var a = [[Double]](repeating: [Double](repeating: 0, count: p + 1), count: p)
        for r in 0..<p {
            for c in 0..<p { a[r][c] = zip(columns[r], columns[c]).reduce(0) { $0 + $1.0 * $1.1 } }
            a[r][p] = zip(columns[r], y).reduce(0) { $0 + $1.0 * $1.1 }
        }
        // Gaussian elimination with partial pivoting.
        for col in 0..<p {
            guard let pivot = (col..<p).max(by: { abs(a[$0][col]) < abs(a[$1][col]) }), abs(a[pivot][col]) > 1e-300 else { return nil }
            a.swapAt(col, pivot)
            for r in 0..<p where r != col {
                let f = a[r][col] / a[col][col]
                for c in col...p { a[r][c] -= f * a[col][c] }
            }
        }
        return (0..<p).map { a[$0][p] / a[$0][$0] }
    }
}

// MARK: - Input and output

public enum ScalabilityInput {
    /// The concurrency the database sees when a pool of `maxActive` connections (PgBouncer's
    /// server connections, an application pool) stands between the clients and it: min(n, maxActive).
    public static func capped(_ data: [ScalabilityMeasurement], maxActive: Int) -> [ScalabilityMeasurement] {
        data.map { var m = $0; m.concurrency = min(m.concurrency, Double(maxActive)); return m }
    }

    static let concurrencyNames = ["concurrency", "clients", "users", "vus", "threads", "connections", "n"]
    static let throughputNames = ["throughput", "throughput_per_second", "tps", "rps", "qps", "x"]

    /// Reads `concurrency,throughput` rows (header names as above; throughput per second, a bare
    /// number or a rate such as `1200/s`). Repeated levels are separate observations.
    /// `only`: keep the rows whose column (by header name) holds this text, e.g. `mode=closed`.
    /// `capColumn`: a column giving, per row, the most queries that reach the database at once
    /// (the pool size of that level): the concurrency becomes min(n, that).
    public static func csv(path: String, only: [(column: String, value: String)] = [], capColumn: String? = nil) throws(ParseFailure) -> [ScalabilityMeasurement] {
        let table = try DelimitedTable.read(path: path, kind: "throughput CSV")
        guard let header = table.header else {
            throw ParseFailure("\(path):1: the first line must name the columns, e.g. `concurrency,throughput`")
        }
        var rows = Array(table.records)
        for (column, value) in only {
            let i = try table.columnIndex(column, role: "the --only")
            rows = rows.filter { i < $0.fields.count && $0.fields[i].text == value }
        }
        if !only.isEmpty && rows.isEmpty {
            throw ParseFailure("\(path): no row has \(only.map { "\($0.column)=\($0.value)" }.joined(separator: " and "))")
        }
        let lower = header.map { $0.lowercased() }
        guard let ci = lower.firstIndex(where: { concurrencyNames.contains($0) }) else {
            throw ParseFailure("\(path):1: no concurrency column (one of \(concurrencyNames.joined(separator: ", "))); found \(header.joined(separator: ", "))")
        }
        guard let xi = lower.firstIndex(where: { throughputNames.contains($0) }) else {
            throw ParseFailure("\(path):1: no throughput column (one of \(throughputNames.joined(separator: ", "))); found \(header.joined(separator: ", "))")
        }
        let capIndex = try capColumn.map { c throws(ParseFailure) in try table.columnIndex(c, role: "the --max-active") }
        var out: [ScalabilityMeasurement] = []
        for r in rows {
            var n = try table.number(r, ci, what: "the concurrency")
            if let capIndex {
                let cap = try table.number(r, capIndex, what: "the most active queries")
                guard cap >= 1 else { throw ParseFailure("\(path):\(r.line):\(r.fields[capIndex].column): the most active queries must be at least 1") }
                n = min(n, cap)
            }
            guard n >= 1 else {
                throw ParseFailure("\(path):\(r.line):\(r.fields[ci].column): the concurrency must be at least 1, not `\(r.fields[ci].text)`")
            }
            let f = try table.field(r, xi, name: header[xi])
            var x: Double
            if let v = Units.number(f.text) { x = v } else {
                do { x = try Units.rate(f.text) } catch {
                    throw ParseFailure("\(path):\(r.line):\(f.column): the throughput (column `\(header[xi])`) must be a number per second or a rate such as 1200/s, not `\(f.text)`")
                }
            }
            guard x > 0, x.isFinite else {
                throw ParseFailure("\(path):\(r.line):\(f.column): the throughput must be positive, not `\(f.text)`")
            }
            out.append(ScalabilityMeasurement(concurrency: n, throughputPerSecond: x, source: "\(path):\(r.line)"))
        }
        guard !out.isEmpty else { throw ParseFailure("\(path): no measurements") }
        return out
    }

    /// One measurement per load-test result: the virtual users of a closed k6 test, else the mean
    /// concurrency by Little's law (throughput × mean latency).
    public static func loadTests(paths: [String]) throws(CalibrationInputError) -> [ScalabilityMeasurement] {
        var out: [ScalabilityMeasurement] = []
        for p in paths {
            let r = try LoadTestReader.read(path: p)
            guard let x = r.throughputPerSecond, x > 0 else { throw CalibrationInputError("\(p): the result has no throughput") }
            var n: Double? = nil
            if case let .closed(users, _)? = r.profile { n = Double(users) }
            n = n ?? r.maxVirtualUsers ?? r.concurrency
            guard let n, n > 0 else { throw CalibrationInputError("\(p): neither virtual users nor a mean latency to find the concurrency") }
            out.append(ScalabilityMeasurement(concurrency: n, throughputPerSecond: x, source: p))
        }
        return out
    }
}

extension ScalabilityFit {
    /// `database` keys for the model, in its units (`contention: 3.12%`).
    public var modelSettings: [ModelEdit.Setting] {
        [ModelEdit.Setting(section: "database", key: "contention", value: Self.percent(contention)),
         ModelEdit.Setting(section: "database", key: "coherency", value: Self.percent(coherency))]
    }

    static func percent(_ v: Double) -> String {
        v == 0 ? "0" : "\(Units.formatNumber(Double(String(format: "%.4g", v * 100))!))%"
    }

    public func rendered() -> String {
        let law = cores.map { "X(n) = min(n, \($0)) / (S (1 + α (n − 1) + β n (n − 1)))" } ?? "X(n) = n / (S (1 + α (n − 1) + β n (n − 1)))"
        var out = "Universal Scalability Law, as the model's database applies it: \(law)\n"
        out += "\(measurements.count) measurements at \(Set(measurements.map(\.concurrency)).count) concurrency levels; nonlinear least squares (GSL multifit_nlinear), \(degreesOfFreedom) degrees of freedom\n\n"
        func row(_ name: String, _ v: Double, _ se: Double?, _ f: (Double) -> String) -> String {
            guard let se else { return "  \(name.padding(toLength: 26, withPad: " ", startingAt: 0))\(f(v))   (held at 0: the unconstrained estimate was negative)\n" }
            return "  \(name.padding(toLength: 26, withPad: " ", startingAt: 0))\(f(v)) ± \(f(se)) (standard error); 95% CI \(f(v - t95 * se)) to \(f(v + t95 * se))\n"
        }
        out += row("single-query time S", singleQuerySeconds, singleQueryStandardError) { Units.formatDuration(Double(String(format: "%.4g", $0))!) }
        out += row("contention α", contention, contentionStandardError) { String(format: "%.4g", $0) }
        out += row("coherency β", coherency, coherencyStandardError) { String(format: "%.4g", $0) }
        if let peak = peakConcurrency {
            out += "  peak throughput           \(String(format: "%.1f", fitted(peak)))/s at \(String(format: "%.1f", peak)) concurrent queries\n"
        }
        out += errors == .relative
            ? "  residual standard deviation \(String(format: "%.3g", residualStandardDeviation * 100))% of throughput (relative errors: each level weighted by 1/X²)\n\n"
            : "  residual standard deviation \(String(format: "%.3g", residualStandardDeviation))/s (absolute errors: levels weighted equally)\n\n"
        out += "  concurrency   measured/s    fitted/s    residual/s   relative\n"
        for (m, r) in zip(measurements, residuals) {
            let f = fitted(m.concurrency)
            out += String(format: "  %11.4g  %11.2f  %10.2f  %11.2f  %+8.2f%%\n", m.concurrency, m.throughputPerSecond, f, r, 100 * r / f)
        }
        let worst = zip(measurements, residuals).map { abs($1) / fitted($0.concurrency) }.max() ?? 0
        if worst > 0.2 {
            out += String(format: "\nnote: the law fits poorly: the largest residual is %.0f%% of the fitted throughput.", worst * 100)
            if let cores, measurements.contains(where: { $0.concurrency > Double(cores) && $0.throughputPerSecond > 1.2 * fitted($0.concurrency) }) {
                out += " Throughput keeps rising beyond \(cores) concurrent queries, which \(cores) cores cannot do under this law: are there more cores, or does the load generator (or other work) share them? Compare with a fit without --cores."
            }
            out += "\n"
        }
        out += "\nmodel fragment (or --write MODEL):\n"
        out += "database: {\(cores.map { "cores: \($0), " } ?? "")contention: \(Self.percent(contention)), coherency: \(Self.percent(coherency))}\n"
        out += "# single-query time S = \(Units.formatDuration(Double(String(format: "%.4g", singleQuerySeconds))!)): the stand-alone time of the measured query, for its `time:`\n"
        return out
    }
}
