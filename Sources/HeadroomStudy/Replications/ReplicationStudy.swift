import Dispatch
import Foundation
import HeadroomKernel
import HeadroomModel
import HeadroomSim
import HeadroomAnalysis
import HeadroomOutput

/// Runs independent replications of a model and combines them into a `StudyReport`.
///
/// - Replications run in parallel on `workers` threads (`DispatchQueue.concurrentPerform`);
///   each result is stored at its replication index and combined in index order, so the report
///   is identical for any number of threads.
/// - With `simulation.precision` (a target relative error), replications are added in batches
///   of a fixed size (it depends on the model only, never on the thread count) until every
///   tracked figure's confidence half-width is within the target (kernel `PrecisionRule`), or
///   `max_replications` have run.
/// - `warmup: auto`: one pilot replication (replication 0, no warm-up deletion) records a
///   timeline of requests in flight at `horizon / 1000` intervals; MSER-5 on that series gives
///   the warm-up used by every replication.
public struct ReplicationStudy: Sendable {
    /// Runs one replication: `(model, replication, warmupSeconds, horizonSeconds,
    /// timelineIntervalSeconds, progress)`; `progress`, when given, is told the share of the
    /// horizon simulated so far.
    public typealias Runner = @Sendable (Model, Int, Double, Double, Double?, (@Sendable (Double) -> Void)?) -> SystemRunResult

    public var model: Model
    /// Threads running replications. Default: all active cores.
    public var workers: Int
    /// Loader warnings to carry into the report.
    public var modelWarnings: [String]
    public var runner: Runner
    /// Called (from any thread) as replications run with (share of the planned work done,
    /// replications finished, planned so far); the share counts the horizon simulated so far in
    /// the replications still running, so a single long replication moves it too.
    public var progress: (@Sendable (Double, Int, Int) -> Void)?
    /// Receives every finished replication as it finishes, so that an interrupted run can still
    /// report them (`partialReport`).
    public var collector: ReplicationCollector?

    /// The analytic companion of `model`, when the caller already computed it (a command computes
    /// it once, for the work estimate and the report); nil: computed by the study.
    let precomputedAnalysis: Analysis?

    public init(model: Model, workers: Int? = nil, modelWarnings: [String] = [], analysis: Analysis? = nil,
                runner: @escaping Runner = { model, replication, warmup, horizon, timeline, progress in
                    SystemSimulation.run(model: model, replication: replication, warmupSeconds: warmup,
                                         horizonSeconds: horizon, timelineIntervalSeconds: timeline, progress: progress)
                }) {
        self.model = model
        self.workers = max(1, workers ?? ProcessInfo.processInfo.activeProcessorCount)
        self.modelWarnings = modelWarnings
        self.precomputedAnalysis = analysis
        self.runner = runner
        self.progress = nil
    }

    /// Replications added per batch when a precision target is set.
    public static func batchSize(initialReplications: Int) -> Int { min(10, max(2, initialReplications / 2)) }

    /// Runs the study. Deterministic given the model (its seed included).
    public func run() -> StudyReport {
        let settings = model.simulation
        let horizon = settings.horizonSeconds
        var notes: [String] = []
        var warmup: Double
        var method = WarmupMethod.fixed
        switch settings.warmup {
        case let .fixed(seconds):
            warmup = seconds
        case .mser5:
            method = .mser5
            (warmup, notes) = detectWarmup(horizon: horizon)
        }
        warmup = min(max(0, warmup), horizon * 0.9)

        let initial = max(1, settings.replications)
        var results = runReplications(0..<initial, warmup: warmup, horizon: horizon, planned: initial)
        var precisionReached: Bool? = nil
        if let target = settings.targetRelativeError {
            let maximum = max(initial, settings.maxReplications)
            let rule = PrecisionRule(targetRelativeError: target, minimum: min(initial, maximum), maximum: maximum)
            let batch = ReplicationStudy.batchSize(initialReplications: initial)
            var satisfied = ReportBuilder.isPrecise(results, model: model, rule: rule, confidence: settings.confidenceLevel)
            while !satisfied && results.count < rule.maximum {
                let next = min(rule.maximum, results.count + batch)
                results += runReplications(results.count..<next, warmup: warmup, horizon: horizon, planned: next)
                satisfied = ReportBuilder.isPrecise(results, model: model, rule: rule, confidence: settings.confidenceLevel)
            }
            precisionReached = satisfied
            notes.append(satisfied
                ? "precision target \(formatPercent(target)) reached after \(results.count) replications (batches of \(batch))"
                : "precision target \(formatPercent(target)) not reached within max_replications = \(rule.maximum)")
        }
        let studySettings = StudySettings(
            horizonSeconds: horizon, warmupSeconds: warmup, warmupMethod: method, replications: results.count,
            seed: settings.seed, confidenceLevel: settings.confidenceLevel,
            targetRelativeError: settings.targetRelativeError, maxReplications: settings.maxReplications,
            precisionReached: precisionReached, latencyOf: model.network == nil ? model.simulation.latencyOf : nil)
        let analysis = precomputedAnalysis ?? Analysis.analyze(model)
        return ReportBuilder.build(model: model, results: results, settings: studySettings, analysis: analysis,
                                   warnings: modelWarnings + analysis.warnings, notes: notes)
    }

    /// Runs `indices` on up to `workers` threads; results in index order.
    func runReplications(_ indices: Range<Int>, warmup: Double, horizon: Double, planned: Int) -> [SystemRunResult] {
        let slots = ResultSlots(count: indices.count)
        let threads = min(workers, indices.count)
        let model = self.model, runner = self.runner, progress = self.progress, collector = self.collector
        collector?.settings(warmupSeconds: warmup, horizonSeconds: horizon)
        let base = indices.lowerBound
        let running = progress.map { _ in RunningShares(count: indices.count) }
        let work: @Sendable (Int) -> Void = { offset in
            var hook: (@Sendable (Double) -> Void)? = nil
            if let progress, let running {
                hook = { share in
                    let (sum, finished) = running.set(offset, share)
                    progress((Double(base) + sum) / Double(max(1, planned)), base + finished, planned)
                }
            }
            let result = runner(model, base + offset, warmup, horizon, nil, hook)
            collector?.add(replication: base + offset, result)
            slots.set(offset, result)
            hook?(1)  // finished: its whole horizon
        }
        if threads <= 1 {
            for offset in 0..<indices.count { work(offset) }
        } else {
            DispatchQueue.concurrentPerform(iterations: threads) { thread in
                for offset in stride(from: thread, to: indices.count, by: threads) { work(offset) }
            }
        }
        return slots.values()
    }

    /// A report of the replications finished so far (an interrupted run): the same figures as
    /// a full report over those replications, in replication order, with a note saying how many
    /// of how many ran. Nil when none has finished.
    public func partialReport(_ collector: ReplicationCollector, planned: Int) -> StudyReport? {
        let (finished, warmup, horizon) = collector.snapshot()
        guard !finished.isEmpty else { return nil }
        let settings = model.simulation
        let studySettings = StudySettings(
            horizonSeconds: horizon, warmupSeconds: warmup, warmupMethod: settings.warmup == .mser5 ? .mser5 : .fixed,
            replications: finished.count, seed: settings.seed, confidenceLevel: settings.confidenceLevel,
            targetRelativeError: settings.targetRelativeError, maxReplications: settings.maxReplications,
            precisionReached: nil)
        let analysis = precomputedAnalysis ?? Analysis.analyze(model)
        let indices = finished.map(\.replication)
        let note = "interrupted: \(finished.count) of \(planned) replications had finished (numbers \(indices.prefix(20).map { String($0 + 1) }.joined(separator: ", "))\(indices.count > 20 ? ", ..." : "")); the figures are theirs only"
        return ReportBuilder.build(model: model, results: finished.map(\.result), settings: studySettings, analysis: analysis,
                                   warnings: modelWarnings + analysis.warnings, notes: [note])
    }

    /// MSER-5 on the pilot's in-flight series. Returns the warm-up and a note saying what was done.
    func detectWarmup(horizon: Double) -> (Double, [String]) {
        let interval = max(0.001, horizon / 1000)
        let pilot = runner(model, 0, 0, horizon, interval, nil)
        let series = pilot.timeline.map { Double($0.inFlight) }
        guard series.count >= 20 else {
            let fallback = horizon * 0.1
            return (fallback, ["warmup: auto: this model's simulation records no timeline to run MSER-5 on; the warm-up is 10% of the horizon (\(formatDuration(fallback)))"])
        }
        let deleted = WarmupDetection.mser5(series)
        let warmup = Double(deleted) * interval
        return (warmup, ["warmup: auto: MSER-5 on a pilot replication's requests-in-flight series (\(series.count) samples every \(formatDuration(interval))) deletes the first \(formatDuration(warmup)) of every replication"])
    }
}

/// The replications finished so far, kept for an interrupted run's report (Ctrl-C).
public final class ReplicationCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var finished: [(replication: Int, result: SystemRunResult)] = []
    private var warmupSeconds = 0.0
    private var horizonSeconds = 0.0

    public init() {}

    func settings(warmupSeconds: Double, horizonSeconds: Double) {
        lock.lock(); defer { lock.unlock() }
        self.warmupSeconds = warmupSeconds
        self.horizonSeconds = horizonSeconds
    }

    func add(replication: Int, _ result: SystemRunResult) {
        lock.lock(); defer { lock.unlock() }
        finished.append((replication, result))
    }

    /// The finished replications in replication order, with the warm-up and horizon they used.
    func snapshot() -> ([(replication: Int, result: SystemRunResult)], Double, Double) {
        lock.lock(); defer { lock.unlock() }
        return (finished.sorted { $0.replication < $1.replication }, warmupSeconds, horizonSeconds)
    }

    public var count: Int {
        lock.lock(); defer { lock.unlock() }
        return finished.count
    }
}

/// Per-index result storage shared by the worker threads.
/// The share of its horizon each replication of a batch has simulated (1 when finished), for
/// the progress bar.
final class RunningShares: @unchecked Sendable {
    private let lock = NSLock()
    private var shares: [Double]
    private var sum = 0.0
    private var finished = 0
    init(count: Int) { shares = Array(repeating: 0, count: count) }

    /// Sets one share; returns the sum over the batch and how many are finished.
    func set(_ index: Int, _ share: Double) -> (sum: Double, finished: Int) {
        lock.lock(); defer { lock.unlock() }
        sum += share - shares[index]
        if share >= 1 && shares[index] < 1 { finished += 1 }
        shares[index] = share
        return (sum, finished)
    }
}

final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [SystemRunResult?]
    private(set) var finishedCount = 0

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: SystemRunResult) {
        lock.lock(); defer { lock.unlock() }
        slots[index] = value
        finishedCount += 1
    }

    var finished: Int {
        lock.lock(); defer { lock.unlock() }
        return finishedCount
    }

    func values() -> [SystemRunResult] {
        lock.lock(); defer { lock.unlock() }
        return slots.map { $0! }
    }
}
