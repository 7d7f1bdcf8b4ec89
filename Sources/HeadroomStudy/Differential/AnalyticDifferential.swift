import Foundation
import HeadroomKernel
import HeadroomModel
import HeadroomAnalysis
import HeadroomOutput

/// The differential test of the analytic figures against the simulation (issue 19, item 2):
/// every figure of a `run` report that has an analytic companion is compared with the simulated
/// interval, according to what the analysis claims of it (`Analysis.accuracy`):
///
/// - **exact**: within the simulation's 99 % interval widened by `tolerance` (2 % of the value,
///   with a floor per unit: the finite horizon's warm-up bias is not in the interval);
/// - **lower / upper bound**: on its side of that widened interval;
/// - **approximation**: its error relative to the simulated mean is recorded; the bands measured
///   on seeds 1-1200 are in docs/analytic-accuracy.md, and `approximationBand` holds
///   the share of them inside the band.
///
/// Alarms are compared too: analyze warns of overload (`overloads` in a warning) against the
/// simulation's trouble (more than 1 % of requests time out, or an open load's throughput below
/// 95 % of the offered rate, or a pool's mean wait above a tenth of the horizon).
public enum AnalyticDifferential {
    public struct Comparison: Sendable {
        public var family: String
        public var seed: UInt64
        /// `section.item.metric`.
        public var figure: String
        public var label: Analysis.FigureAccuracy
        public var analytic: Double
        public var simulatedMean: Double
        /// The 99 % half-width (the report's 95 % one rescaled by Student's t).
        public var halfWidth: Double
        public var tolerance: Double
        /// `(analytic - mean) / max(|mean|, floor)`.
        public var relativeError: Double
        /// Exact: inside the widened interval; a bound: on its side; an approximation: inside its
    /// band (a share of approximations may lie outside: `approximationBand`).
        public var agrees: Bool
    }

    public struct ModelOutcome: Sendable {
        public var family: String
        public var seed: UInt64
        public var comparisons: [Comparison]
        public var analyticAlarm: Bool
        public var simulatedTrouble: Bool
        public var yaml: String
    }

    /// The confidence level of the interval the figures are compared with.
    public static let confidence = 0.99

    /// Absolute floor of the tolerance, by the metric's unit (docs/output-schema.md).
    static func floor(metric: String) -> Double {
        if metric.hasSuffix("utilization") || metric.hasSuffix("_rate") { return 0.005 }
        if metric.hasSuffix("_seconds") { return 0.0002 }
        if metric.hasSuffix("_per_second") { return 0.01 }
        return 0.02   // mean numbers present / in use / waiting
    }

    /// Relative tolerance beyond the interval for exact figures and bounds.
    public static let relativeTolerance = 0.02

    /// The documented error band of an approximation, by metric: at least `coverage` of the
    /// approximate figures lie within `band` (|relative error|) of the simulated mean or inside
    /// its interval (docs/analytic-accuracy.md has the percentiles measured on seeds 1-1200).
    /// Waits and queues have a wide band (100 %): their errors reach several times the simulated
    /// value on small per-instance pools (Poisson arrivals assumed, round robin's are regular).
    public static func approximationBand(metric: String) -> (band: Double, coverage: Double)? {
        switch metric {
        case "utilization", "mean_in_use": return (0.20, 0.90)
        case "throughput_per_second", "mean_seconds": return (0.05, 0.90)
        case "mean_wait_seconds", "mean_waiting": return (1.0, 0.80)
        default: return nil
        }
    }

    /// Per metric with a band: (figures, figures inside the band) over `outcomes`' approximations.
    public static func approximationCoverage(_ outcomes: [ModelOutcome]) -> [String: (all: Int, inside: Int)] {
        var out: [String: (all: Int, inside: Int)] = [:]
        for c in outcomes.flatMap(\.comparisons) where c.label == .approximation {
            let metric = String(c.figure.split(separator: ".").last ?? "")
            guard approximationBand(metric: metric) != nil else { continue }
            out[metric, default: (0, 0)].all += 1
            if c.agrees { out[metric, default: (0, 0)].inside += 1 }
        }
        return out
    }

    /// Runs `model` (its replications as set) and compares every analytic figure.
    public static func check(_ random: RandomWebModel, workers: Int = 1) throws -> ModelOutcome {
        let loaded = try ModelLoader.load(yaml: random.yaml, fileName: "differential-\(random.seed).yaml", overrides: [:])
        let model = loaded.model
        let analysis = Analysis.analyze(model)
        let report = ReplicationStudy(model: model, workers: workers, analysis: analysis).run()
        return compare(model: model, analysis: analysis, report: report, family: random.family, seed: random.seed, yaml: random.yaml)
    }

    public static func compare(model: Model, analysis: Analysis, report: StudyReport, family: String, seed: UInt64, yaml: String) -> ModelOutcome {
        var out: [Comparison] = []
        let n = report.settings.replications
        let scale = n > 1 ? Estimate.studentTQuantile(1 - (1 - confidence) / 2, degreesOfFreedom: Double(n - 1))
            / Estimate.studentTQuantile(1 - (1 - report.settings.confidenceLevel) / 2, degreesOfFreedom: Double(n - 1)) : 1
        for section in report.sections {
            for item in section.items {
                for figure in item.figures {
                    guard let a = figure.analytic, a.isFinite else { continue }
                    let label = analysis.accuracy(section: section.name, item: item.name, metric: figure.metric)
                    let mean = figure.estimate.mean
                    let hw = figure.estimate.halfWidth * scale
                    let fl = floor(metric: figure.metric)
                    let tol = max(relativeTolerance * abs(mean), fl)
                    let rel = (a - mean) / max(abs(mean), fl)
                    let agrees: Bool
                    switch label {
                    case .exact: agrees = abs(a - mean) <= hw + tol
                    case .lowerBound: agrees = a <= mean + hw + tol
                    case .upperBound: agrees = a >= mean - hw - tol
                    case .approximation: agrees = abs(a - mean) <= hw + tol || abs(rel) <= (approximationBand(metric: figure.metric)?.band ?? .infinity)
                    }
                    out.append(Comparison(family: family, seed: seed, figure: "\(section.name).\(item.name).\(figure.metric)", label: label,
                                          analytic: a, simulatedMean: mean, halfWidth: hw, tolerance: tol, relativeError: rel, agrees: agrees))
                }
            }
        }
        let alarm = analysis.warnings.contains { $0.contains("overloads") }
        var trouble = false
        if let overall = report["overall", "all"] {
            if (overall[Metric.timeoutRate.key]?.estimate.mean ?? 0) > 0.01 { trouble = true }
            if analysis.workload == .open, let offered = analysis.arrivalRatePerSecond, offered > 0,
               let x = overall[Metric.throughputPerSecond.key]?.estimate.mean, x < 0.95 * offered { trouble = true }
        }
        for pool in report.section("pools")?.items ?? [] {
            if (pool[Metric.meanWaitSeconds.key]?.estimate.mean ?? 0) > report.settings.horizonSeconds / 10 { trouble = true }
        }
        return ModelOutcome(family: family, seed: seed, comparisons: out, analyticAlarm: alarm, simulatedTrouble: trouble, yaml: yaml)
    }

    /// The table of agreement by family and label: `family | label | figures | agree | share`,
    /// plus the alarms, as Markdown.
    public static func table(_ outcomes: [ModelOutcome]) -> String {
        var lines = ["| family | models | exact (agree / all) | bounds (right side / all) | approximations (in band / all) | approximation error, median / 95th pct of abs | false alarms | missed alarms |",
                     "|---|---|---|---|---|---|---|---|"]
        for family in RandomWebModel.tableFamilies + ["all"] {
            let os = outcomes.filter { family == "all" || $0.family == family }
            guard !os.isEmpty else { continue }
            let cs = os.flatMap(\.comparisons)
            func count(_ f: (Comparison) -> Bool) -> String {
                let all = cs.filter(f)
                return "\(all.filter(\.agrees).count) / \(all.count)"
            }
            let approx = cs.filter { $0.label == .approximation }.map { abs($0.relativeError) }.sorted()
            func pct(_ p: Double) -> String {
                approx.isEmpty ? "-" : String(format: "%.1f %%", 100 * approx[min(approx.count - 1, Int(p * Double(approx.count)))])
            }
            lines.append("| \(family) | \(os.count) | \(count { $0.label == .exact }) | \(count { $0.label == .lowerBound || $0.label == .upperBound }) | \(count { $0.label == .approximation }) | \(pct(0.5)) / \(pct(0.95)) | \(os.filter { $0.analyticAlarm && !$0.simulatedTrouble }.count) | \(os.filter { !$0.analyticAlarm && $0.simulatedTrouble }.count) |")
        }
        return lines.joined(separator: "\n")
    }

    /// Approximation errors by metric: `metric | figures | median | 95th | 99th | max` of |relative error|.
    public static func approximationTable(_ outcomes: [ModelOutcome]) -> String {
        var byMetric: [String: [Double]] = [:]
        for c in outcomes.flatMap(\.comparisons) where c.label == .approximation {
            let metric = String(c.figure.split(separator: ".").last ?? "")
            byMetric[metric, default: []].append(abs(c.relativeError))
        }
        var lines = ["| metric | figures | median | 95th percentile | 99th percentile | max |", "|---|---|---|---|---|---|"]
        for (metric, xs) in byMetric.sorted(by: { $0.key < $1.key }) {
            let s = xs.sorted()
            func p(_ q: Double) -> String { String(format: "%.1f %%", 100 * s[min(s.count - 1, Int(q * Double(s.count)))]) }
            lines.append("| \(metric) | \(s.count) | \(p(0.5)) | \(p(0.95)) | \(p(0.99)) | \(String(format: "%.1f %%", 100 * (s.last ?? 0))) |")
        }
        return lines.joined(separator: "\n")
    }
}
