import HeadroomKernel
import HeadroomModel
import HeadroomAnalysis
import HeadroomOutput

/// One reported figure: a simulated estimate over replications (Student-t confidence interval
/// of the per-replication values) and, where a closed form or MVA applies, the analytic value.
///
/// The metric name carries its unit: `_seconds` (a duration), `_per_second` (a rate), `_rate`,
/// `utilization` and `hit_rate` (fractions in [0, 1]), anything else a plain number (a count or
/// a mean number present). See docs/output-schema.md.
public struct Figure: Sendable, Hashable {
    public var metric: String
    public var estimate: Estimate
    /// The closed-form (or MVA) value of the same figure; nil where no closed form applies.
    public var analytic: Double?

    public init(metric: String, estimate: Estimate, analytic: Double? = nil) {
        self.metric = metric
        self.estimate = estimate
        self.analytic = analytic
    }
}

/// A fixed property of a reported item (a pool's size, a node's cores), not an estimate.
public struct Attribute: Sendable, Hashable {
    public var key: String
    public var value: Double
    public init(key: String, value: Double) { self.key = key; self.value = value }
}

/// Percentiles of all observations of all replications pooled into one histogram.
///
/// Pooled percentiles weigh every observation equally (a long replication counts more); the
/// per-replication estimates beside them carry the confidence intervals.
public struct MergedLatency: Sendable, Hashable {
    public var count: Int
    public var meanSeconds: Double
    public var p50Seconds: Double
    public var p95Seconds: Double
    public var p99Seconds: Double
    public var p999Seconds: Double
    public var maxSeconds: Double

    public init(_ recorder: LatencyRecorder) {
        count = recorder.count
        meanSeconds = recorder.meanSeconds
        let p = recorder.percentilesSeconds([50, 95, 99, 99.9])
        p50Seconds = p[0]
        p95Seconds = p[1]
        p99Seconds = p[2]
        p999Seconds = p[3]
        maxSeconds = recorder.maxSeconds
    }

    /// (metric, value) pairs in report order.
    public var values: [(String, Double)] {
        [("count", Double(count)), (Metric.meanSeconds.key, meanSeconds), (Metric.p50Seconds.key, p50Seconds),
         (Metric.p95Seconds.key, p95Seconds), (Metric.p99Seconds.key, p99Seconds), ("p999_seconds", p999Seconds),
         (Metric.maxSeconds.key, maxSeconds)]
    }
}

/// One row of a report section: an endpoint, a pool, a database node, a station...
public struct ReportItem: Sendable, Hashable {
    public var name: String
    public var attributes: [Attribute]
    /// In report order.
    public var figures: [Figure]
    /// Pooled latency histogram over all replications, for items that record latencies.
    public var merged: MergedLatency?

    public init(name: String, attributes: [Attribute] = [], figures: [Figure] = [], merged: MergedLatency? = nil) {
        self.name = name
        self.attributes = attributes
        self.figures = figures
        self.merged = merged
    }

    public subscript(metric: String) -> Figure? { figures.first { $0.metric == metric } }

    public func attribute(_ key: String) -> Double? { attributes.first { $0.key == key }?.value }
}

/// A named list of items, e.g. `endpoints` or `pools`.
public struct ReportSection: Sendable, Hashable {
    /// One of `StudyReport.sectionNames`.
    public var name: String
    public var items: [ReportItem]

    public init(name: String, items: [ReportItem]) {
        self.name = name
        self.items = items
    }

    public subscript(item: String) -> ReportItem? { items.first { $0.name == item } }
}

/// How the warm-up period was chosen.
public enum WarmupMethod: String, Sendable, Hashable, Codable {
    /// From the model (`warmup: 1min`) or the command line.
    case fixed
    /// MSER-5 on a pilot replication's timeline (`warmup: auto`).
    case mser5
}

/// The settings a study actually ran with (after command-line overrides and precision stopping).
public struct StudySettings: Sendable, Hashable {
    /// Fewer replications than this print a caution beside every interval (terminal, JSON, HTML).
    ///
    /// Why 5: an interval is `mean ± t(n-1) s/√n`, and with few replications both factors fail.
    /// Student's t at 95% is 12.71 for 2 replications, 4.30 for 3, 3.18 for 4 (2.78 for 5, 2.26 for
    /// the default 10), and the spread `s` estimated from n numbers is itself uncertain: with
    /// 3 replications the 95% range of s/σ is [0.16, 1.92] (χ² with 2 degrees of freedom), so an
    /// interval can be ten times too narrow or twice too wide. The default, 10, gives intervals
    /// about as wide as the normal approximation's (t = 2.26) with s known within about [0.69, 1.83].
    public static let replicationsForUsefulIntervals = 5

    /// The caution printed when `replications` is below `replicationsForUsefulIntervals`, else nil.
    public var intervalCaution: String? { Self.intervalCaution(replications: replications, confidenceLevel: confidenceLevel) }

    public static func intervalCaution(replications: Int, confidenceLevel: Double) -> String? {
        guard replications < Self.replicationsForUsefulIntervals else { return nil }
        guard replications > 1 else {
            return "1 replication: no confidence interval can be computed (± is 0); use 10 or more (the default) for intervals"
        }
        let t = Estimate.studentTQuantile(1 - (1 - confidenceLevel) / 2, degreesOfFreedom: Double(replications - 1))
        return "only \(replications) replications: each interval is the mean ± \(String(format: "%.2f", t)) x the spread over \(replications) numbers, itself poorly known, so intervals are wide and rough; use 10 or more (the default) for intervals to rely on"
    }

    public var horizonSeconds: Double
    public var warmupSeconds: Double
    public var warmupMethod: WarmupMethod
    /// Replications actually run.
    public var replications: Int
    public var seed: UInt64
    public var confidenceLevel: Double
    public var targetRelativeError: Double?
    public var maxReplications: Int
    /// With a precision target: whether every tracked figure reached it (nil without a target).
    public var precisionReached: Bool?
    /// Which requests the latency figures are over (`simulation.latency_of`); nil for a
    /// queueing network, whose customers never fail.
    public var latencyOf: LatencyOf?

    public init(horizonSeconds: Double, warmupSeconds: Double, warmupMethod: WarmupMethod, replications: Int,
                seed: UInt64, confidenceLevel: Double, targetRelativeError: Double?, maxReplications: Int,
                precisionReached: Bool?, latencyOf: LatencyOf? = nil) {
        self.latencyOf = latencyOf
        self.horizonSeconds = horizonSeconds
        self.warmupSeconds = warmupSeconds
        self.warmupMethod = warmupMethod
        self.replications = replications
        self.seed = seed
        self.confidenceLevel = confidenceLevel
        self.targetRelativeError = targetRelativeError
        self.maxReplications = maxReplications
        self.precisionReached = precisionReached
    }
}

/// What `headroom run` reports: every figure over replications with its confidence interval,
/// analytic companions beside them. Deterministic given the model (seed included): independent
/// of the number of threads that ran the replications.
public struct StudyReport: Sendable, Hashable {
    /// Section names, in report order. Every report has all of them (possibly empty).
    public static let sectionNames = ReportSectionName.allCases.map(\.rawValue)

    public var modelName: String
    public var sourcePath: String
    public var settings: StudySettings
    /// In `sectionNames` order.
    public var sections: [ReportSection]
    /// Overload and model warnings (analytic utilization >= 1, loader warnings).
    public var warnings: [String]
    /// How figures were obtained (warm-up detection, analytic methods, approximations).
    public var notes: [String]
    /// Events processed over all replications.
    public var eventsProcessed: Int
    /// `run --slo`: one verdict per SLO, in the order given (empty without SLOs).
    public var sloVerdicts: [SLOVerdict] = []
    /// Whether every SLO holds (true without SLOs).
    public var meetsSLOs: Bool { sloVerdicts.allSatisfy(\.holds) }

    public init(modelName: String, sourcePath: String, settings: StudySettings, sections: [ReportSection],
                warnings: [String], notes: [String], eventsProcessed: Int) {
        self.modelName = modelName
        self.sourcePath = sourcePath
        self.settings = settings
        self.sections = sections
        self.warnings = warnings
        self.notes = notes
        self.eventsProcessed = eventsProcessed
    }

    public func section(_ name: String) -> ReportSection? { sections.first { $0.name == name } }

    /// `report["pools", "prisma"]?["utilization"]`.
    public subscript(section: String, item: String) -> ReportItem? { self.section(section)?[item] }
}
