import Foundation
import HeadroomKernel
import HeadroomModel
import HeadroomStudy
import HeadroomAnalysis
import HeadroomOutput

/// `headroom compare MODEL RESULT`: the model run under the load test's own offered load, its
/// figures beside the measured ones.
///
/// A load test is one run, so the measurement is compared with where *one run* of the model would
/// land, not with the confidence interval of the model's mean: with n replications (each as long
/// as the test) giving mean m and a 95 % confidence half-width h = t·s/√n, one further run lies in
/// m ± t·s·√(1 + 1/n) = m ± h·√(n + 1) with 95 % probability (the Student-t prediction interval).
public struct Comparison: Sendable {
    public struct Row: Sendable {
        /// `mean`, `p50`, `p95`, `p99`, `throughput`, `errors`.
        public var metric: String
        public var isDuration: Bool
        public var measured: Double?
        public var predicted: Double
        public var intervalLow: Double
        public var intervalHigh: Double
        /// (predicted − measured) / measured; nil without a measurement or when it is 0.
        public var relativeError: Double? {
            guard let measured, measured != 0 else { return nil }
            return (predicted - measured) / measured
        }
        public var inside: Bool? { measured.map { intervalLow <= $0 && $0 <= intervalHigh } }
    }

    public var modelPath: String
    public var result: LoadTestResult
    public var profile: LoadProfile
    /// Where the offered load came from (`the summary's options`, a file).
    public var profileSource: String
    public var replications: Int
    public var rows: [Row]
    public var notes: [String]
}

public enum Compare {
    /// The model with its workload replaced by `profile` and its horizon set to the test's length
    /// (no warm-up: the test's figures include its start).
    public static func model(_ model: Model, under profile: LoadProfile) -> (Model, [String]) {
        var m = model
        guard profile.durationSeconds > 0, profile.durationSeconds <= Limits.horizonSeconds else {
            return (m, ["the test's length (\(Units.formatDuration(profile.durationSeconds))) is outside 0 to 30 days: the model was not changed"])
        }
        var notes: [String] = []
        guard var workload = m.workload else { return (m, ["the model has no workload to replace"]) }
        switch profile {
        case let .open(phases):
            var process = ArrivalProcess.poisson
            if case let .open(_, p) = workload.arrivals { process = p }
            workload.arrivals = .open(.phases(phases), process: process)
        case let .closed(users, _):
            var think = DistributionSpec.constant(0)
            if case let .closed(_, t) = workload.arrivals {
                think = t
                notes.append("the virtual users think for the model's think_time (\(t.description)) between requests")
            } else {
                notes.append("the model's workload is open: its virtual users loop with no think time (k6 scripts' sleep() is not in the summary)")
            }
            workload.arrivals = .closed(users: users, thinkTime: think)
        }
        m.workload = workload
        // Replications as long as the test, each a fixed number (a run has no precision target).
        m.simulation.targetRelativeError = nil
        return (m, notes)
    }

    /// The settings `compare` replaces, through the same `SimulationOverrides` as run, sweep, plan
    /// and breakpoint: the test's length as the horizon, no warm-up, and `--replications`.
    static func overrides(under profile: LoadProfile, replications: Int?) -> SimulationOverrides {
        SimulationOverrides(replications: replications, horizonSeconds: profile.durationSeconds, warmup: .fixed(seconds: 0))
    }

    /// The model `run` simulates: under the test's load, with `replications` if given.
    public static func studyModel(_ model: Model, under profile: LoadProfile, replications: Int?) -> (Model, [String]) {
        var (m, notes) = Self.model(model, under: profile)
        guard profile.durationSeconds > 0, profile.durationSeconds <= Limits.horizonSeconds else { return (m, notes) }
        do { try overrides(under: profile, replications: replications).apply(to: &m) } catch { notes.append(error.message) }
        return (m, notes)
    }

    public static func run(model: Model, modelPath: String, result: LoadTestResult, profile: LoadProfile, profileSource: String,
                           replications: Int?, threads: Int?) -> Comparison {
        var (m, notes) = Self.studyModel(model, under: profile, replications: replications)
        let report = ReplicationStudy(model: m, workers: threads).run()
        var rows: [Comparison.Row] = []
        guard let all = report["overall", "all"] else {
            return Comparison(modelPath: modelPath, result: result, profile: profile, profileSource: profileSource,
                              replications: m.simulation.replications, rows: [], notes: notes + ["the model has no endpoints to compare"])
        }
        func interval(_ e: Estimate) -> (Double, Double) {
            let h = e.halfWidth * Double(e.samples + 1).squareRoot()
            return (e.mean - h, e.mean + h)
        }
        for (metric, key) in [("mean", Metric.meanSeconds.key), ("p50", Metric.p50Seconds.key), ("p95", Metric.p95Seconds.key), ("p99", Metric.p99Seconds.key)] {
            guard let f = all[key] else { continue }
            let (lo, hi) = interval(f.estimate)
            rows.append(.init(metric: metric, isDuration: true, measured: result.latencySeconds[metric],
                              predicted: f.estimate.mean, intervalLow: max(0, lo), intervalHigh: hi))
        }
        if let f = all[Metric.throughputPerSecond.key] {
            let (lo, hi) = interval(f.estimate)
            rows.append(.init(metric: "throughput", isDuration: false, measured: result.throughputPerSecond,
                              predicted: f.estimate.mean, intervalLow: max(0, lo), intervalHigh: hi))
        }
        // Failed requests as the client sees them: timeouts, errors and 429s together; the
        // interval adds the three half-widths (conservative: they are not independent).
        let failures = [Metric.timeoutRate, .errorRate, .rateLimitedRate].map(\.key).compactMap { all[$0]?.estimate }
        if !failures.isEmpty {
            let mean = failures.reduce(0) { $0 + $1.mean }
            let h = failures.reduce(0) { $0 + $1.halfWidth * Double($1.samples + 1).squareRoot() }
            rows.append(.init(metric: "errors", isDuration: false, measured: result.errorShare, predicted: mean,
                              intervalLow: max(0, mean - h), intervalHigh: min(1, mean + h)))
        }
        if let d = result.durationSeconds, abs(d - profile.durationSeconds) > 0.1 * profile.durationSeconds {
            notes.append("the result lasted \(Units.formatDuration(d)), its offered load \(Units.formatDuration(profile.durationSeconds)): check the profile is this test's")
        }
        return Comparison(modelPath: modelPath, result: result, profile: profile, profileSource: profileSource,
                          replications: report.settings.replications, rows: rows, notes: notes + report.warnings)
    }
}

extension Comparison {
    public func renderedTable() -> String {
        var out = "compare \(modelPath) with \(result.tool.rawValue) result \(result.path)\n"
        out += "offered load (\(profileSource)): \(profile.description)\n"
        out += "\(replications) replications of \(Units.formatDuration(profile.durationSeconds)) each, no warm-up; the interval is where one run of the test should land with 95 % probability (mean ± t·s·√(1 + 1/n))\n\n"
        func fmt(_ v: Double?, _ r: Row) -> String {
            guard let v else { return "—" }
            if r.isDuration { return Units.formatDuration(Double(String(format: "%.4g", v))!) }
            if r.metric == "errors" { return String(format: "%.2f%%", v * 100) }
            return String(format: "%.1f/s", v)
        }
        let header = ["metric", "measured", "predicted", "95% interval, one run", "rel. error", "inside"]
        var table = [header]
        for r in rows {
            table.append([r.metric, fmt(r.measured, r), fmt(r.predicted, r), "\(fmt(r.intervalLow, r)) – \(fmt(r.intervalHigh, r))",
                          r.relativeError.map { String(format: "%+.1f%%", $0 * 100) } ?? "—",
                          r.inside.map { $0 ? "yes" : "NO" } ?? "—"])
        }
        let widths = (0..<header.count).map { c in table.map { $0[c].count }.max() ?? 0 }
        for row in table {
            out += row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }
        let judged = rows.compactMap(\.inside)
        out += "\n\(judged.filter { $0 }.count) of \(judged.count) measured figures inside the prediction's 95 % interval\n"
        for n in notes { out += "note: \(n)\n" }
        return out
    }

    public func renderedJSON() -> String {
        func num(_ v: Double?) -> Any { v.map { $0.isFinite ? $0 as Any : NSNull() } ?? NSNull() }
        let object: [String: Any] = [
            "model": modelPath, "result": result.path, "tool": result.tool.rawValue,
            "offered_load": profile.description, "offered_load_source": profileSource,
            "replications": replications, "notes": notes,
            "rows": rows.map { r -> [String: Any] in
                ["metric": r.metric, "unit": r.isDuration ? "seconds" : (r.metric == "errors" ? "fraction" : "per_second"),
                 "measured": num(r.measured), "predicted": r.predicted, "interval_low": r.intervalLow, "interval_high": r.intervalHigh,
                 "relative_error": num(r.relativeError), "inside": r.inside.map { $0 as Any } ?? NSNull()]
            },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return (String(data: data, encoding: .utf8) ?? "{}") + "\n"
    }
}
