import Foundation
import HeadroomKernel
import HeadroomModel
import HeadroomSim
import HeadroomAnalysis
import HeadroomOutput

/// The verdict on one SLO of `headroom run --slo` (a gate, as k6 thresholds are): the figure's
/// confidence interval and whether the SLO holds at its unfavourable bound. With
/// `--slo-window`, the figure is the worst window's.
public struct SLOVerdict: Sendable, Hashable {
    public var slo: PlanSLO
    /// The whole run's figure, or the worst window's.
    public var check: PlanSLOCheck
    /// nil: the SLO is checked over the whole run (after the warm-up).
    public var window: SLOWindowOutcome?
    public var holds: Bool { check.holds }

    public init(slo: PlanSLO, check: PlanSLOCheck, window: SLOWindowOutcome? = nil) {
        self.slo = slo
        self.check = check
        self.window = window
    }
}

/// Where a windowed SLO was worst.
public struct SLOWindowOutcome: Sendable, Hashable {
    public var windowSeconds: Double
    /// The worst window: the least favourable confidence bound (a failing window first).
    public var worstStartSeconds: Double
    /// Whole windows checked (after the warm-up, before the horizon).
    public var windows: Int
    public var failingWindows: Int
}

/// SLOs as gates on one replication study.
///
/// Whole-run SLOs read the report (the per-replication Student-t interval of the figure).
/// Windowed SLOs (`--slo-window 1min`) read each replication's timeline at the window's interval:
/// for every whole window after the warm-up, the figure of that window in each replication gives
/// a Student-t interval across replications; the SLO holds only if it holds in every window, and
/// the worst window is reported. A p95 pooled over a one-hour ramp hides its peak; the worst
/// window does not.
public enum SLOGate {
    /// Figures a window can be checked on (from the timeline's columns), all endpoints together.
    public static let windowMetrics = [Metric.p50Seconds, .p95Seconds, .p99Seconds, .timeoutRate, .errorRate, .rejectedRate,
                                       .rateLimitedRate, .throughputPerSecond].map(\.key)

    /// Throws if an SLO cannot be checked per window.
    public static func requireWindowable(_ slos: [PlanSLO]) throws(SweepError) {
        for s in slos where !(s.section == "overall" && windowMetrics.contains(s.metric)) {
            throw SweepError("--slo `\(s.text)` with --slo-window: windows are checked on p50, p95, p99, timeouts, errors, rejected, rate_limited and throughput of all endpoints together (the timeline's figures, which plain networks do not record), not on `\(s.figure)`; drop --slo-window or write e.g. `p95<250ms`")
        }
    }

    /// Verdicts over the whole run.
    public static func verdicts(_ slos: [PlanSLO], report: StudyReport) -> [SLOVerdict] {
        slos.map { SLOVerdict(slo: $0, check: $0.check(report)) }
    }

    /// Verdicts per window: `timelines` were recorded at `windowSeconds`.
    public static func windowedVerdicts(_ slos: [PlanSLO], timelines: [ReplicationTimeline], windowSeconds: Double,
                                        report: StudyReport) -> [SLOVerdict] {
        let warmup = report.settings.warmupSeconds, horizon = report.settings.horizonSeconds
        let confidence = report.settings.confidenceLevel
        let eps = 1e-9 * max(1, horizon)
        let first = Int((warmup / windowSeconds - 1e-9).rounded(.up))
        let count = max(0, Int(((horizon + eps) / windowSeconds).rounded(.down)) - first)
        return slos.map { slo in
            var worst: (check: PlanSLOCheck, start: Double)? = nil
            var failing = 0
            for w in first..<(first + count) {
                let start = Double(w) * windowSeconds
                var values: [Double] = []
                for t in timelines {
                    guard let s = t.samples.first(where: { abs($0.startSeconds - start) <= eps }) else { continue }
                    if let v = value(slo.metric, s, windowSeconds) { values.append(v) }
                }
                let check: PlanSLOCheck
                if values.isEmpty {
                    check = PlanSLOCheck(estimate: nil, bound: nil, holds: false)
                } else {
                    let e = Estimate.studentT(values, confidence: confidence)
                    let bound = slo.unfavourableBound(e)
                    check = PlanSLOCheck(estimate: e, bound: bound, holds: bound.isFinite && slo.comparison.holds(bound, slo.threshold))
                }
                if !check.holds { failing += 1 }
                if let current = worst {
                    if isWorse(check, than: current.check, slo) { worst = (check, start) }
                } else {
                    worst = (check, start)
                }
            }
            let outcome = SLOWindowOutcome(windowSeconds: windowSeconds, worstStartSeconds: worst?.start ?? warmup,
                                           windows: count, failingWindows: failing)
            return SLOVerdict(slo: slo, check: worst?.check ?? PlanSLOCheck(estimate: nil, bound: nil, holds: false),
                              window: outcome)
        }
    }

    /// The window's figure in one replication (nil: the window has none, e.g. a p95 with no completion).
    static func value(_ metric: String, _ s: TimelineSample, _ window: Double) -> Double? {
        switch metric {
        case Metric.p50Seconds.key: return s.hasLatencies ? s.p50Seconds : nil
        case Metric.p95Seconds.key: return s.hasLatencies ? s.p95Seconds : nil
        case Metric.p99Seconds.key: return s.hasLatencies ? s.p99Seconds : nil
        case Metric.timeoutRate.key: return s.arrivals > 0 ? Double(s.timeouts) / Double(s.arrivals) : nil
        case Metric.errorRate.key: return s.arrivals > 0 ? Double(s.errors) / Double(s.arrivals) : nil
        case Metric.rejectedRate.key: return s.arrivals > 0 ? Double(s.rejected) / Double(s.arrivals) : nil
        case Metric.rateLimitedRate.key: return s.arrivals > 0 ? Double(s.rateLimited) / Double(s.arrivals) : nil
        case Metric.throughputPerSecond.key: return Double(s.completions) / window
        default: return nil
        }
    }

    /// A failing check beats a passing one; among equals, the bound farther on the wrong side.
    static func isWorse(_ a: PlanSLOCheck, than b: PlanSLOCheck, _ slo: PlanSLO) -> Bool {
        if a.holds != b.holds { return !a.holds }
        guard let x = a.bound else { return b.bound != nil }
        guard let y = b.bound else { return false }
        return slo.comparison.isUpperLimit ? x > y : x < y
    }
}

// MARK: - Output

extension SLOVerdict {
    /// `p95<250ms  p95 of all endpoints  212 ms [198 ms, 226 ms]  pass` rows.
    static func tableRows(_ verdicts: [SLOVerdict]) -> [String] {
        var rows: [[String]] = [["slo", "simulated", "confidence interval", "verdict", ""]]
        for v in verdicts {
            let metric = v.slo.metric
            var where_ = ""
            if let w = v.window {
                where_ = "worst \(formatDuration(w.windowSeconds)) window from \(formatDuration(w.worstStartSeconds))"
                where_ += w.failingWindows > 0 ? " (\(w.failingWindows) of \(w.windows) windows fail)" : " (of \(w.windows))"
            }
            guard let e = v.check.estimate else {
                rows.append([v.slo.text, "no value", "", "FAIL", where_])
                continue
            }
            rows.append([v.slo.text, ValueText.value(e.mean, metric: metric),
                         "[\(ValueText.value(e.lower, metric: metric)), \(ValueText.value(e.upper, metric: metric))]",
                         v.holds ? "pass" : "FAIL", where_])
        }
        return alignedRows(rows)
    }

    var json: JSONValue {
        var entries: [(String, JSONValue)] = [
            ("slo", .string(slo.text)), ("figure", .string(slo.figure)),
            ("comparison", .string(slo.comparison.rawValue)), ("threshold", .num(slo.threshold)),
            ("mean", .num(check.estimate?.mean)), ("ci_low", .num(check.estimate?.lower)),
            ("ci_high", .num(check.estimate?.upper)), ("bound", .num(check.bound)), ("holds", .bool(holds)),
        ]
        entries.append(("window", window.map { w in
            .object([("window_seconds", .num(w.windowSeconds)), ("worst_start_seconds", .num(w.worstStartSeconds)),
                     ("windows", .int(w.windows)), ("failing_windows", .int(w.failingWindows))])
        } ?? .null))
        return .object(entries)
    }
}
