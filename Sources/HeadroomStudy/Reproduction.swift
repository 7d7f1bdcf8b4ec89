import Foundation
import HeadroomKernel
import HeadroomModel
import HeadroomSim

// `headroom reproduce`: the five audits of models/seeds/, document against simulation.
//
// The rows are data (ReproductionSeeds.swift): each names a document figure (a range), a unit,
// the scenario (a model file of models/seeds/ plus `--set` overrides) and how to read Headroom's
// figure from the scenario's replications. This file runs the scenarios through
// `ReplicationStudy`, estimates every figure with its Student-t confidence interval over the
// replications, and gives each row its verdict.

/// How a figure is shown and compared.
public enum ReproductionUnit: String, Sendable, Hashable, Codable {
    case seconds, fraction, perSecond = "per_second", perMinute = "per_minute", count, ratio, users
}

/// Which direction is better for the system: a latency is better lower, a throughput higher.
public enum Better: String, Sendable, Hashable, Codable { case lower, higher }

/// The verdict of one row.
public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable {
    /// Headroom's confidence interval meets the document's range (a single figure: within 15%).
    case agrees
    /// The document promises better than Headroom finds.
    case documentOptimistic = "document optimistic"
    /// The document fears worse than Headroom finds.
    case documentPessimistic = "document pessimistic"
    /// The row cannot be judged (a model input, no figure in the document, ...): the note says why.
    case notComparable = "not comparable"
}

/// A figure as the document states it: its text and the range it stands for.
public struct DocumentFigure: Sendable, Hashable {
    /// As written, e.g. `1.2s`, `50-70%`, `TIMEOUT`.
    public var text: String
    /// The range it stands for (nil: unbounded on that side). A single figure has low == high.
    public var low: Double?
    public var high: Double?

    public init(_ text: String, low: Double?, high: Double?) {
        self.text = text
        self.low = low
        self.high = high
    }

    /// The interval a Headroom figure must meet to agree: the range itself, or +-15% of a single figure.
    public var agreementBand: (Double, Double) {
        let lo = low ?? -.infinity, hi = high ?? .infinity
        if let l = low, let h = high, l == h { return (l * 0.85, h * 1.15) }
        return (lo, hi)
    }
}

/// What a scenario's replications give a measure to read.
public struct ScenarioRun: Sendable {
    public var scenario: ReproductionScenario
    public var model: Model
    public var report: StudyReport
    /// Per replication, in replication order.
    public var runs: [SystemRunResult]
    public var analysis: Analysis
}

/// How Headroom's figure of a row is obtained.
public enum Measure: Sendable {
    /// A figure of the scenario's `StudyReport` (section, item, metric), with its CI.
    case report(String, section: String, item: String, metric: String)
    /// A value per replication of the scenario; Student-t over the replications.
    case perRun(String, @Sendable (SystemRunResult, ScenarioRun) -> Double?)
    /// A value per replication pair of two scenarios (replication i of each: common seeds).
    case paired(String, String, @Sendable (SystemRunResult, SystemRunResult, ScenarioRun, ScenarioRun) -> Double?)
    /// An analytic figure of the scenario's model (no confidence interval).
    case analytic(String, @Sendable (ScenarioRun) -> Double?)
    /// Nothing Headroom can set beside the document's figure.
    case none

    var scenarios: [String] {
        switch self {
        case let .report(s, _, _, _), let .perRun(s, _), let .analytic(s, _): return [s]
        case let .paired(a, b, _): return [a, b]
        case .none: return []
        }
    }
}

/// One row: a document figure, Headroom's, a verdict.
public struct ClaimRow: Sendable {
    /// Unique, stable: `000.before.create_consultant.100`.
    public var id: String
    /// The document's table or section the row belongs to.
    public var table: String
    /// What is compared, e.g. `Create Consultant, 100 users`.
    public var claim: String
    public var document: DocumentFigure
    public var unit: ReproductionUnit
    public var better: Better
    public var measure: Measure
    /// The figure is a model input (taken from the document): shown, never judged.
    public var isInput: Bool
    /// Why the verdict is what it is, or why the row is not comparable.
    public var note: String

    public init(_ id: String, table: String, claim: String, document: DocumentFigure, unit: ReproductionUnit,
                better: Better = .lower, measure: Measure, isInput: Bool = false, note: String = "") {
        self.id = id
        self.table = table
        self.claim = claim
        self.document = document
        self.unit = unit
        self.better = better
        self.measure = measure
        self.isInput = isInput
        self.note = note
    }
}

/// A system state to simulate: a seed model file and overrides (`users=100`).
public struct ReproductionScenario: Sendable, Hashable {
    public var id: String
    /// File name under the seeds directory.
    public var file: String
    public var overrides: [String: String]
    /// Shown in reports: `before, 100 users`.
    public var label: String
    /// Keep the model's horizon even when `--horizon` is given (a run whose length is its content,
    /// e.g. one 15-minute rate-limit window).
    public var fixedHorizon: Bool

    public init(_ id: String, file: String, overrides: [String: String] = [:], label: String, fixedHorizon: Bool = false) {
        self.id = id
        self.file = file
        self.overrides = overrides
        self.label = label
        self.fixedHorizon = fixedHorizon
    }
}

/// A claim that contradicts queueing theory or the document's own arithmetic, with the correction.
public struct TheoryFinding: Sendable, Hashable {
    public var id: String
    /// The document's words.
    public var claim: String
    /// The arithmetic the document does (or implies).
    public var documentArithmetic: String
    /// The corrected arithmetic, with the closed form used.
    public var correction: String
    /// The document's figure and the corrected one, where both are numbers (same unit).
    public var documentValue: Double?
    public var correctedValue: Double?
    public var unit: ReproductionUnit?

    public init(_ id: String, claim: String, document: String, correction: String,
                documentValue: Double? = nil, correctedValue: Double? = nil, unit: ReproductionUnit? = nil) {
        self.id = id
        self.claim = claim
        self.documentArithmetic = document
        self.correction = correction
        self.documentValue = documentValue
        self.correctedValue = correctedValue
        self.unit = unit
    }
}

/// One audit: its scenarios, rows, theory findings and the paragraph for docs/reproductions.md.
public struct SeedDocument: Sendable {
    /// `000` ... `004`.
    public var id: String
    /// `marketing`, the prefix of its model files.
    public var shortName: String
    public var title: String
    public var scenarios: [ReproductionScenario]
    public var rows: [ClaimRow]
    /// Findings computed from closed forms; they may read the scenarios' runs.
    public var theory: @Sendable ([String: ScenarioRun]) -> [TheoryFinding]
    /// Markdown; `{row-id}` is replaced by Headroom's figure of that row, `{row-id:verdict}` by its verdict.
    public var paragraph: String
}

// MARK: - Results

/// A row after the run.
public struct RowResult: Sendable {
    public var seed: String
    public var row: ClaimRow
    /// Headroom's figure; nil when there is none.
    public var headroom: Estimate?
    public var verdict: Verdict
    /// The row's note, plus why it is not comparable when that was decided at run time.
    public var note: String
}

public struct SeedResult: Sendable {
    public var document: SeedDocument
    public var rows: [RowResult]
    public var theory: [TheoryFinding]
    /// Scenario id -> how it ran (replications, horizon), for the report's header.
    public var scenarios: [ScenarioSummary]
}

public struct ScenarioSummary: Sendable, Hashable {
    public var id: String
    public var label: String
    public var file: String
    public var overrides: [String: String]
    public var replications: Int
    public var horizonSeconds: Double
    public var warmupSeconds: Double
    /// The analytic bottleneck (`database.primary`, `workers.instances`, ...) and its capacity.
    public var bottleneck: String?
    public var capacityPerSecond: Double?
    /// Simulated mean utilizations: `pool.<name>`, `database.<node>`, `workers` (utilization law).
    public var utilizations: [String: Double]
}

/// What `headroom reproduce` prints.
public struct ReproductionReport: Sendable {
    public var seeds: [SeedResult]
    public var replications: Int?
    public var horizonSeconds: Double?

    public var allRows: [RowResult] { seeds.flatMap(\.rows) }

    public func row(_ id: String) -> RowResult? { allRows.first { $0.row.id == id } }

    /// Verdict counts over all rows.
    public var verdictCounts: [(Verdict, Int)] {
        Verdict.allCases.map { v in (v, allRows.filter { $0.verdict == v }.count) }
    }
}

// MARK: - Running

/// Options of a reproduction run.
public struct ReproductionOptions: Sendable {
    /// Directory holding the seed models (`models/seeds`).
    public var modelsDirectory: String
    /// Seed ids to run (`000` ...); empty: all.
    public var seeds: [String]
    public var replications: Int?
    public var horizonSeconds: Double?
    public var threads: Int?
    /// Called before each scenario with (seed, scenario label, index, count).
    public var progress: (@Sendable (String, String, Int, Int) -> Void)?

    public init(modelsDirectory: String, seeds: [String] = [], replications: Int? = nil, horizonSeconds: Double? = nil,
                threads: Int? = nil) {
        self.modelsDirectory = modelsDirectory
        self.seeds = seeds
        self.replications = replications
        self.horizonSeconds = horizonSeconds
        self.threads = threads
        self.progress = nil
    }
}

public enum Reproduction {
    /// The five audits, in order.
    public static var documents: [SeedDocument] { ReproductionSeeds.all }

    /// Resolves `000`, `0`, `seed-000`, `marketing`, `all` to seed ids; nil for an unknown name.
    public static func resolve(_ name: String) -> [String]? {
        let n = name.lowercased()
        if n == "all" { return documents.map(\.id) }
        let digits = n.hasPrefix("seed-") ? String(n.dropFirst(5)) : n.hasPrefix("seed") ? String(n.dropFirst(4)) : n
        if let k = Int(digits), let d = documents.first(where: { Int($0.id) == k }) { return [d.id] }
        if let d = documents.first(where: { $0.shortName == n }) { return [d.id] }
        return nil
    }

    /// Loads, runs and judges. Throws `ModelErrors` if a seed model does not load.
    public static func run(_ options: ReproductionOptions) throws(ModelErrors) -> ReproductionReport {
        let chosen = documents.filter { options.seeds.isEmpty || options.seeds.contains($0.id) }
        var seedResults: [SeedResult] = []
        for document in chosen {
            var runs: [String: ScenarioRun] = [:]
            var summaries: [ScenarioSummary] = []
            for (i, scenario) in document.scenarios.enumerated() {
                options.progress?(document.id, scenario.label, i + 1, document.scenarios.count)
                let run = try runScenario(scenario, options: options)
                runs[scenario.id] = run
                summaries.append(summary(of: run))
            }
            let rows = document.rows.map { judge($0, seed: document.id, runs: runs) }
            seedResults.append(SeedResult(document: document, rows: rows, theory: document.theory(runs), scenarios: summaries))
        }
        return ReproductionReport(seeds: seedResults, replications: options.replications, horizonSeconds: options.horizonSeconds)
    }

    static func summary(of run: ScenarioRun) -> ScenarioSummary {
        var u: [String: Double] = [:]
        for item in run.report.section("pools")?.items ?? [] { u["pool.\(item.name)"] = item["utilization"]?.estimate.mean }
        for item in run.report.section("database_nodes")?.items ?? [] { u["database.\(item.name)"] = item["utilization"]?.estimate.mean }
        let workers = run.runs.compactMap { Read.workerUtilization($0, run) }
        if !workers.isEmpty { u["workers"] = workers.reduce(0, +) / Double(workers.count) }
        return ScenarioSummary(id: run.scenario.id, label: run.scenario.label, file: run.scenario.file,
                               overrides: run.scenario.overrides, replications: run.report.settings.replications,
                               horizonSeconds: run.report.settings.horizonSeconds, warmupSeconds: run.report.settings.warmupSeconds,
                               bottleneck: run.analysis.bottleneck, capacityPerSecond: run.analysis.bounds.maxThroughputPerSecond,
                               utilizations: u)
    }

    /// One scenario through `ReplicationStudy`, keeping every replication's raw result.
    static func runScenario(_ scenario: ReproductionScenario, options: ReproductionOptions) throws(ModelErrors) -> ScenarioRun {
        let path = (options.modelsDirectory as NSString).appendingPathComponent(scenario.file)
        let loaded = try ModelLoader.load(path: path, overrides: scenario.overrides)
        var model = loaded.model
        if let r = options.replications {
            model.simulation.replications = r
            model.simulation.maxReplications = max(model.simulation.maxReplications, r)
        }
        if let h = options.horizonSeconds, !scenario.fixedHorizon {
            let warmup = model.simulation.warmupSeconds ?? 0
            model.simulation.horizonSeconds = h
            model.simulation.warmup = .fixed(seconds: min(warmup, 0.2 * h))
        }
        let store = RunStore()
        let study = ReplicationStudy(model: model, workers: options.threads,
                                     modelWarnings: loaded.warnings.map(\.description),
                                     runner: { model, replication, warmup, horizon, timeline in
                                         let r = SystemSimulation.run(model: model, replication: replication, warmupSeconds: warmup,
                                                                      horizonSeconds: horizon, timelineIntervalSeconds: timeline)
                                         store.put(replication, r)
                                         return r
                                     })
        let report = study.run()
        return ScenarioRun(scenario: scenario, model: model, report: report, runs: store.inOrder(), analysis: Analysis.analyze(model))
    }

    /// Headroom's figure and the verdict of one row.
    static func judge(_ row: ClaimRow, seed: String, runs: [String: ScenarioRun]) -> RowResult {
        let estimate = figure(row.measure, runs: runs)
        var note = row.note
        let verdict: Verdict
        if row.isInput {
            verdict = .notComparable
            note = join("model input taken from the document", note)
        } else if row.document.low == nil && row.document.high == nil {
            verdict = .notComparable
        } else if let e = estimate, e.mean.isFinite {
            verdict = judge(e, against: row.document, better: row.better)
        } else {
            verdict = .notComparable
            note = join("no Headroom figure (no request of this kind completed)", note)
        }
        return RowResult(seed: seed, row: row, headroom: estimate, verdict: verdict, note: note)
    }

    /// agrees when the confidence interval meets the agreement band; otherwise which side the document errs on.
    public static func judge(_ e: Estimate, against document: DocumentFigure, better: Better) -> Verdict {
        let (lo, hi) = document.agreementBand
        let half = e.halfWidth.isFinite ? e.halfWidth : 0
        if e.mean + half >= lo - 1e-12 && e.mean - half <= hi + 1e-12 { return .agrees }
        let headroomHigher = e.mean > hi
        switch better {
        case .lower: return headroomHigher ? .documentOptimistic : .documentPessimistic
        case .higher: return headroomHigher ? .documentPessimistic : .documentOptimistic
        }
    }

    static func figure(_ measure: Measure, runs: [String: ScenarioRun]) -> Estimate? {
        switch measure {
        case let .report(s, section, item, metric):
            return runs[s]?.report[section, item]?[metric]?.estimate
        case let .perRun(s, f):
            guard let run = runs[s] else { return nil }
            let values = run.runs.compactMap { f($0, run) }.filter(\.isFinite)
            return values.isEmpty ? nil : Estimate.studentT(values, confidence: run.report.settings.confidenceLevel)
        case let .paired(a, b, f):
            guard let ra = runs[a], let rb = runs[b] else { return nil }
            let values = zip(ra.runs, rb.runs).compactMap { f($0, $1, ra, rb) }.filter(\.isFinite)
            return values.isEmpty ? nil : Estimate.studentT(values, confidence: ra.report.settings.confidenceLevel)
        case let .analytic(s, f):
            guard let run = runs[s], let v = f(run), v.isFinite else { return nil }
            return Estimate(mean: v, halfWidth: 0, samples: 1)
        case .none:
            return nil
        }
    }

    static func join(_ a: String, _ b: String) -> String { b.isEmpty ? a : a + "; " + b }
}

/// Replication results by index, filled from the study's worker threads.
final class RunStore: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Int: SystemRunResult] = [:]

    func put(_ replication: Int, _ result: SystemRunResult) {
        lock.lock(); defer { lock.unlock() }
        results[replication] = result
    }

    func inOrder() -> [SystemRunResult] {
        lock.lock(); defer { lock.unlock() }
        return results.keys.sorted().map { results[$0]! }
    }
}

// MARK: - Per-replication readings used by the seed tables

/// Small readers of a `SystemRunResult`, so the row tables stay one line per row.
enum Read {
    static func endpoint(_ r: SystemRunResult, _ name: String) -> EndpointResult? { r.endpoints.first { $0.name == name } }

    /// Mean latency of an endpoint's successful requests (nil if none succeeded).
    static func meanValue(_ r: SystemRunResult, _ name: String) -> Double? {
        endpoint(r, name).flatMap { $0.latency.count > 0 ? $0.latency.meanSeconds : nil }
    }

    static func mean(_ name: String) -> @Sendable (SystemRunResult, ScenarioRun) -> Double? {
        { r, _ in meanValue(r, name) }
    }

    static func percentile(_ name: String, _ p: Double) -> @Sendable (SystemRunResult, ScenarioRun) -> Double? {
        { r, _ in endpoint(r, name).flatMap { $0.latency.count > 0 ? $0.latency.percentileSeconds(p) : nil } }
    }

    /// Latency over all endpoints (mean, a percentile, or the max).
    static func overall(_ r: SystemRunResult) -> LatencyRecorder {
        r.endpoints.reduce(into: LatencyRecorder()) { $0.merge($1.latency) }
    }

    /// Attempts that timed out or failed, over attempts (an endpoint, or all when nil).
    static func failureRate(_ name: String? = nil) -> @Sendable (SystemRunResult, ScenarioRun) -> Double? {
        { r, _ in
            let eps = r.endpoints.filter { name == nil || $0.name == name }
            let attempts = eps.reduce(0) { $0 + $1.attempts }
            guard attempts > 0 else { return nil }
            return Double(eps.reduce(0) { $0 + $1.timeouts + $1.errors }) / Double(attempts)
        }
    }

    /// Attempts answered 429, over attempts.
    static func rateLimitedRate(_ name: String? = nil) -> @Sendable (SystemRunResult, ScenarioRun) -> Double? {
        { r, _ in
            let eps = r.endpoints.filter { name == nil || $0.name == name }
            let attempts = eps.reduce(0) { $0 + $1.attempts }
            guard attempts > 0 else { return nil }
            return Double(eps.reduce(0) { $0 + $1.rateLimited }) / Double(attempts)
        }
    }

    /// Successful responses per second, all endpoints.
    static let throughput: @Sendable (SystemRunResult, ScenarioRun) -> Double? = { r, _ in
        r.endpoints.reduce(0) { $0 + $1.throughputPerSecond }
    }

    static let peakOpenConnections: @Sendable (SystemRunResult, ScenarioRun) -> Double? = { r, _ in
        r.database.map { Double($0.peakOpenConnections) }
    }

    /// Connection attempts refused at max_connections plus acquire timeouts, per second.
    static let exhaustionPerSecond: @Sendable (SystemRunResult, ScenarioRun) -> Double? = { r, _ in
        let refused = r.database?.refusedConnections ?? 0
        let timeouts = r.pools.reduce(0) { $0 + $1.acquireTimeouts }
        return Double(refused + timeouts) / r.observedSeconds
    }

    static func pool(_ name: String, _ f: @escaping @Sendable (PoolResult) -> Double) -> @Sendable (SystemRunResult, ScenarioRun) -> Double? {
        { r, _ in r.pools.first { $0.name == name }.map(f) }
    }

    static func cacheHitRate(_ name: String) -> @Sendable (SystemRunResult, ScenarioRun) -> Double? {
        { r, _ in r.caches.first { $0.name == name }.flatMap { $0.lookups > 0 ? $0.hitRate : nil } }
    }

    static func nodeUtilization(_ node: String = "primary") -> @Sendable (SystemRunResult, ScenarioRun) -> Double? {
        { r, _ in r.database?.nodes.first { $0.name == node }?.utilization }
    }

    /// Database queries per attempt that reached the endpoint's steps.
    static let queriesPerRequest: @Sendable (SystemRunResult, ScenarioRun) -> Double? = { r, _ in
        let served = r.endpoints.reduce(0) { $0 + $1.attempts - $1.rateLimited }
        guard served > 0, let db = r.database else { return nil }
        return Double(db.nodes.reduce(0) { $0 + $1.queries }) / Double(served)
    }

    /// Instance-worker (event loop) utilization by the utilization law: the simulated rate of
    /// requests that ran their steps times each endpoint's CPU demand, over instances x workers.
    /// (The engine reports no worker utilization of its own.)
    static let workerUtilization: @Sendable (SystemRunResult, ScenarioRun) -> Double? = { r, run in
        let servers = Double(max(1, run.model.instances.count) * max(1, run.model.instances.workers))
        var busy = 0.0
        for e in r.endpoints {
            let cpu = run.analysis.endpoints.first { $0.name == e.name }?.cpuSeconds ?? 0
            busy += Double(e.attempts - e.rateLimited) / r.observedSeconds * cpu
        }
        return busy / servers
    }
}
