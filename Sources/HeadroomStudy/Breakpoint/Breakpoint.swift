import Foundation
import HeadroomKernel
import HeadroomModel
import HeadroomAnalysis
import HeadroomOutput

/// `headroom breakpoint`: the largest load that still meets every SLO.
///
/// 1. Analytic first (milliseconds per evaluation): for each resource, the value of the varied key
///    at which its utilization with uncontended demands (`lambda D / c`, a bound: no contention
///    makes a resource carry more) reaches 100 %, by doubling then bisection on `Analysis`
///    (for a closed population, the asymptotic bound `N_k = (R0 + Z) c_k / D_k` instead, since MVA
///    utilizations only approach 1). The smallest of these is where the model saturates, and it
///    brackets the search: the SLOs are tried at half of it and at it.
/// 2. Simulation: the bracket widens until its low end passes and its high end fails, then
///    bisection halves it until it is narrower than `relativeTolerance` of the high end (and at
///    least one unit for whole-number keys such as `users`). A load passes only if every SLO holds at the
///    unfavourable bound of its confidence interval, as in `plan`.
///
/// The search assumes the SLOs fail from some load on (more load, worse figures); the same seed at
/// every load (common random numbers) keeps neighbouring loads comparable. Deterministic: the
/// loads tried and the answer depend only on the model, the seed and the options.
public struct BreakpointSearch: Sendable {
    public var modelPath: String
    /// `rate`, `users`, or any numeric `--set` key.
    public var key: String
    public var fixedOverrides: [String: String]
    public var simulation: SimulationOverrides
    public var sloTexts: [String]
    /// Search between these values instead of the analytic bracket.
    public var range: ClosedRange<Double>?
    /// Stop when the bracket is narrower than this fraction of its high end.
    public var relativeTolerance: Double
    public var maxSimulations: Int
    public var threads: Int
    /// Most operations the search may simulate (`--budget`; nil: `WorkEstimate.budgetOperations`).
    /// The search is adaptive, so each load's work is estimated before it runs and added to what
    /// ran before: the load that would pass the budget is refused, not run.
    public var budgetOperations: Double?
    /// Called after each simulated load: (simulations so far, value, passes).
    public var progress: (@Sendable (Int, Double, Bool) -> Void)?

    /// Without `--horizon`, a replication is cut to this (unless the load has phases, whose
    /// durations make the test): a breakpoint needs many short runs, not one long one.
    public static let defaultHorizonCapSeconds = 120.0
    /// Without `--replications`, at most this many per load.
    public static let defaultReplicationsCap = 5

    public init(modelPath: String, key: String, fixedOverrides: [String: String] = [:],
                simulation: SimulationOverrides = SimulationOverrides(), slos: [String], range: ClosedRange<Double>? = nil,
                relativeTolerance: Double = 0.02, maxSimulations: Int = 24, threads: Int? = nil) {
        self.modelPath = modelPath
        self.key = key
        self.fixedOverrides = fixedOverrides
        self.simulation = simulation
        self.sloTexts = slos
        self.range = range
        self.relativeTolerance = relativeTolerance
        self.maxSimulations = max(2, maxSimulations)
        self.threads = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The varied key's value as the model file writes it: a number and its unit.
    struct Scale {
        var unit: String
        var integer: Bool
        func text(_ x: Double) -> String { integer ? String(Int(x.rounded())) : Units.formatNumber(Self.round(x)) + unit }
        /// Full precision, for the analytic bisection.
        func preciseText(_ x: Double) -> String { integer ? String(Int(x.rounded())) : "\(x)" + unit }
        /// Four significant digits (finer than any tolerance worth simulating), so that override texts stay short and exact.
        static func round(_ x: Double) -> Double { Double(String(format: "%.4g", x)) ?? x }
    }

    public func run() throws -> BreakpointResult {
        guard !sloTexts.isEmpty else { throw SweepError("give at least one --slo, e.g. --slo 'p95<250ms'") }
        let yaml = try ModelLoader.readModelText(path: modelPath)
        let path = try ModelLoader.resolveOverrideKey(key, yaml: yaml, fileName: modelPath)
        for other in fixedOverrides.keys.sorted() {
            if try ModelLoader.resolveOverrideKey(other, yaml: yaml, fileName: modelPath) == path {
                throw SweepError("--vary \(key) and --set \(other) are the same model value (`\(path)`): vary it or set it, not both")
            }
        }
        let base = try ModelLoader.load(path: modelPath, overrides: fixedOverrides)
        let scale: Scale
        let baseValue: Double?
        if let leaf = base.overridableLeaves.first(where: { $0.path == path }), let n = SweepAxis.numberWithUnit(leaf.value) {
            let integer = n.unit.isEmpty && !leaf.value.contains(".") && !leaf.value.lowercased().contains("e")
            scale = Scale(unit: n.unit, integer: integer)
            baseValue = n.value
        } else {
            // Not in the file: loading with it set shows a conflict (e.g. `rate` beside `phases`).
            _ = try ModelLoader.load(path: modelPath, overrides: fixedOverrides.merging([key: "1"]) { a, _ in a })
            guard let range else {
                throw SweepError("--vary \(key): the model has no numeric value at `\(path)` to start from; give --range LOW...HIGH")
            }
            scale = Scale(unit: "", integer: range.lowerBound == range.lowerBound.rounded() && range.upperBound == range.upperBound.rounded())
            baseValue = nil
        }
        var slos = try sloTexts.map { (t: String) throws(SweepError) in try PlanSLO.parse(t, model: base.model) }
        var settingsNotes: [String] = []
        // Latencies count successful responses: past saturation the survivors (cache hits) are
        // fast, so a latency SLO alone "holds" again at loads the system cannot carry (two-tier
        // with p95<250ms: 1,055/s, five times the database's 215/s). The search needs a verdict
        // that stays failed once the system is overloaded.
        let guards = PlanSLO.survivorshipGuards(for: slos, model: base.model)
        if !guards.isEmpty {
            slos += guards
            settingsNotes.append("added \(guards.map { "`\($0.text)`" }.joined(separator: " and ")): latency SLOs count successful responses, which stay fast past saturation while the rest fail; give your own --slo on timeouts or errors to replace these")
        }

        func load(_ x: Double, precise: Bool = false) throws -> LoadedModel {
            try ModelLoader.load(path: modelPath, overrides: fixedOverrides.merging([key: precise ? scale.preciseText(x) : scale.text(x)]) { a, _ in a })
        }
        let overrides = shortened(base.model, notes: &settingsNotes)
        func configure(_ x: Double) throws -> (Model, [String]) {
            let loaded = try load(x)
            var m = loaded.model
            try overrides.apply(to: &m)
            return (m, loaded.warnings.map(\.description))
        }

        // 1. Analytic: where each resource reaches 100 %.
        let start = baseValue ?? range!.upperBound
        let analytic = try fullUtilizationLoads(start: start, scale: scale, path: path, load: { try load($0, precise: true).model })
        let saturation = analytic.compactMap { r in r.loadAtFullUtilization.map { (r.id, $0) } }.min { $0.1 < $1.1 }

        // 2. Simulation: bracket, then bisect.
        var points: [BreakpointPoint] = []
        var warnings: [String] = []
        var operations = 0.0
        func evaluate(_ raw: Double) throws -> Bool {
            let x = scale.integer ? max(1, raw.rounded()) : Scale.round(raw)
            if let p = points.first(where: { $0.value == x }) { return p.passes }
            let (m, modelWarnings) = try configure(x)
            operations += WorkEstimate(model: m, analysis: Analysis.analyze(m)).operations
            if let refusal = WorkBudget.refusal("the breakpoint search would simulate", operations: operations,
                                                detail: "\(points.count + 1) load\(points.count == 0 ? "" : "s") so far, the next at \(key)=\(scale.text(x)); the search may simulate up to --max-simulations \(maxSimulations) loads",
                                                budget: budgetOperations) {
                throw SweepError(refusal)
            }
            let report = ReplicationStudy(model: m, workers: threads, modelWarnings: modelWarnings).run()
            for w in report.warnings where !warnings.contains(w) { warnings.append(w) }
            let checks = slos.map { $0.check(report) }
            let point = BreakpointPoint(value: x, text: scale.text(x), passes: checks.allSatisfy(\.holds), checks: checks,
                                        throughput: Self.figure(report, .throughputPerSecond),
                                        p95Seconds: Self.figure(report, .p95Seconds),
                                        utilizations: analytic.map { Self.simulatedUtilization(report, $0.id) })
            points.append(point)
            progress?(points.count, x, point.passes)
            return point.passes
        }
        var low: Double, high: Double
        if let range {
            (low, high) = (range.lowerBound, range.upperBound)
        } else if let (_, s) = saturation {
            (low, high) = (s / 2, s)
        } else {
            (low, high) = (start / 2, start * 2)
        }
        if scale.integer { low = max(1, low.rounded(.down)); high = max(low + 1, high.rounded(.up)) }
        /// Within the tolerance, or adjacent whole numbers.
        func isNarrow(_ low: Double, _ high: Double) -> Bool {
            high - low <= max(scale.integer ? 1 : 0, relativeTolerance * high)
        }
        var stop = BreakpointResult.StopReason.converged
        var lowPasses = try evaluate(low)
        var shrink = 0
        while !lowPasses && shrink < 6 && points.count < maxSimulations && (!scale.integer || low > 1) {
            high = low
            low = scale.integer ? max(1, (low / 2).rounded(.down)) : low / 2
            lowPasses = try evaluate(low)
            shrink += 1
        }
        if !lowPasses {
            stop = .noPassingLoad
        } else {
            var highPasses = try evaluate(high)
            var grow = 0
            while highPasses && grow < 6 && points.count < maxSimulations {
                low = high
                high = scale.integer ? (high * 1.5).rounded(.up) : high * 1.5
                highPasses = try evaluate(high)
                grow += 1
            }
            if highPasses {
                stop = .noFailingLoad
                low = high
            } else {
                while points.count < maxSimulations {
                    if isNarrow(low, high) { break }
                    let mid = scale.integer ? ((low + high) / 2).rounded(.down) : (low + high) / 2
                    if try evaluate(mid) { low = mid } else { high = mid }
                }
                if !isNarrow(low, high) { stop = .simulationLimit }
            }
        }
        let passing = points.filter(\.passes).map(\.value).max()
        let failing = passing.flatMap { p in points.filter { !$0.passes && $0.value > p }.map(\.value).min() }
            ?? (passing == nil ? points.map(\.value).min() : nil)
        // The resource the simulation saturates: the busiest at the first failing load.
        var saturated: String? = nil
        if let f = failing, let p = points.first(where: { $0.value == f }) {
            saturated = zip(analytic, p.utilizations).compactMap { r, u in u.map { (r.id, $0) } }.max { $0.1 < $1.1 }?.0
        }
        var resources = analytic
        if let passing, let m = try? configure(passing).0 {
            let a = Analysis.analyze(m)
            for i in resources.indices { resources[i].analyticUtilizationAtBreakpoint = a.resource(resources[i].id)?.utilization }
        }
        let settings = try configure(passing ?? points[0].value).0.simulation
        return BreakpointResult(
            modelName: base.model.name, modelPath: modelPath, key: key, path: path, unit: scale.unit, integer: scale.integer,
            slos: slos, points: points.sorted { $0.value < $1.value }, breakpoint: passing, firstFailing: failing,
            relativeTolerance: relativeTolerance, stopReason: stop, resources: resources,
            saturatesFirst: saturation?.0, saturatedInSimulation: saturated,
            replications: settings.replications, horizonSeconds: settings.horizonSeconds,
            confidenceLevel: settings.confidenceLevel, warnings: warnings, notes: settingsNotes)
    }

    /// Short runs by default: the horizon capped (a load with phases keeps its own), replications capped.
    func shortened(_ model: Model, notes: inout [String]) -> SimulationOverrides {
        var o = simulation
        let phased: Bool = {
            if case .open(.phases, _)? = model.workload?.arrivals { return true }
            return false
        }()
        if o.horizonSeconds == nil && !phased && model.simulation.horizonSeconds > Self.defaultHorizonCapSeconds {
            o.horizonSeconds = Self.defaultHorizonCapSeconds
            if o.warmup == nil, let w = model.simulation.warmupSeconds, w >= Self.defaultHorizonCapSeconds / 2 {
                o.warmup = .fixed(seconds: Self.defaultHorizonCapSeconds / 5)
            }
            notes.append("each load runs \(formatDuration(Self.defaultHorizonCapSeconds)) (the model says \(formatDuration(model.simulation.horizonSeconds))): --horizon to change; confirm the answer with `headroom run --set`")
        }
        if o.replications == nil && model.simulation.replications > Self.defaultReplicationsCap && model.simulation.targetRelativeError == nil {
            o.replications = Self.defaultReplicationsCap
            notes.append("\(Self.defaultReplicationsCap) replications per load (the model says \(model.simulation.replications)): --replications to change")
        }
        return o
    }

    /// Per resource of the analysis, the value of the key at which its utilization reaches 1.
    func fullUtilizationLoads(start: Double, scale: Scale, path: String, load: (Double) throws -> Model) throws -> [BreakpointResource] {
        let m0 = try load(start)
        let a0 = Analysis.analyze(m0)
        var out = a0.resources.map { r in
            BreakpointResource(id: r.id, kind: r.kind, servers: r.servers, loadAtFullUtilization: nil, analyticUtilizationAtBreakpoint: nil)
        }
        if a0.workload == .closed && path == "workload.closed.users" {
            // MVA utilizations approach 1 only asymptotically: the asymptotic bound N_k = (R0 + Z) c_k / D_k.
            let z = a0.thinkTimeSeconds ?? 0
            for (i, r) in a0.resources.enumerated() where r.demandSeconds > 0 {
                out[i].loadAtFullUtilization = (a0.bounds.minResponseSeconds + z) * Double(r.servers) / r.demandSeconds
            }
            return out
        }
        // Open loads: the utilization law with uncontended demands, lambda D / c, as plan prunes
        // (issue 19): it reaches 1 at a load the resource cannot carry whatever the contention,
        // so the bracket's high end rests on a bound, not on an approximation of the holds.
        func utilizations(_ x: Double) -> [String: Double] {
            guard let m = try? load(x) else { return [:] }
            let a = Analysis.analyze(m)
            return Dictionary(a.resources.map { r in
                if a.workload == .open, let rate = a.arrivalRatePerSecond, r.servers > 0 {
                    return (r.id, rate * r.demandSeconds / Double(r.servers))
                }
                return (r.id, r.utilization ?? 0)
            }, uniquingKeysWith: { a, _ in a })
        }
        // Doubling from the start value: the first value where each resource is at or above 1.
        var below: [String: Double] = [:], above: [String: Double] = [:]
        var x = start
        var u = utilizations(x)
        for r in out { if (u[r.id] ?? 0) >= 1 { above[r.id] = x } else { below[r.id] = x } }
        // Resources already at 1: halve down to a value below.
        var steps = 0
        while out.contains(where: { above[$0.id] != nil && below[$0.id] == nil }) && steps < 30 {
            x /= 2; steps += 1
            u = utilizations(x)
            for r in out where below[r.id] == nil { if (u[r.id] ?? 0) < 1 { below[r.id] = x } else { above[r.id] = x } }
        }
        x = start; steps = 0
        while out.contains(where: { above[$0.id] == nil }) && steps < 20 {
            x *= 2; steps += 1
            u = utilizations(x)
            for r in out where above[r.id] == nil { if (u[r.id] ?? 0) >= 1 { above[r.id] = x } else { below[r.id] = x } }
        }
        for i in out.indices {
            guard var lo = below[out[i].id], var hi = above[out[i].id], lo < hi else { continue }
            for _ in 0..<40 where hi - lo > 1e-6 * hi {
                let mid = (lo + hi) / 2
                if (utilizations(mid)[out[i].id] ?? 0) >= 1 { hi = mid } else { lo = mid }
            }
            out[i].loadAtFullUtilization = scale.integer ? hi.rounded(.up) : hi
        }
        return out
    }

    static func figure(_ report: StudyReport, _ metric: Metric) -> Estimate? {
        (report["overall", "all"] ?? report["network", "network"])?[metric.key]?.estimate
    }

    /// The simulated utilization of an analysis resource (`pool.prisma` -> pools.prisma.utilization).
    static func simulatedUtilization(_ report: StudyReport, _ id: String) -> Double? {
        guard let dot = id.firstIndex(of: ".") else { return nil }
        let kind = String(id[..<dot]), name = String(id[id.index(after: dot)...])
        guard let spec = MetricCatalog.resourceUtilizations.first(where: { $0.resourceKind == kind }) else { return nil }
        // The instance workers are one item, whatever the resource's name.
        let item = spec.section == .instances ? report.section(spec.section.rawValue)?.items.first
                                              : report[spec.section.rawValue, name]
        return item?[spec.key]?.estimate.mean
    }
}

/// One simulated load.
public struct BreakpointPoint: Sendable, Hashable {
    public var value: Double
    /// As passed to `--set`, e.g. `190.625/s`.
    public var text: String
    public var passes: Bool
    /// Per SLO, in order.
    public var checks: [PlanSLOCheck]
    /// All endpoints together (or the network): for charts of the figures against the load.
    public var throughput: Estimate?
    public var p95Seconds: Estimate?
    /// Simulated utilization of each resource of `BreakpointResult.resources`, in order.
    public var utilizations: [Double?]
}

/// A resource and the load at which it saturates.
public struct BreakpointResource: Sendable, Hashable {
    /// As in `analyze`: `database.primary`, `pool.prisma`, `workers.instances`...
    public var id: String
    public var kind: String
    public var servers: Int
    /// The value of the varied key at which its analytic utilization reaches 100 % (nil: not
    /// within a million times the model's value, or the key does not load it).
    public var loadAtFullUtilization: Double?
    public var analyticUtilizationAtBreakpoint: Double?
}

public struct BreakpointResult: Sendable {
    public enum StopReason: String, Sendable {
        /// The bracket is narrower than the tolerance.
        case converged
        /// Even the lowest load tried fails an SLO.
        case noPassingLoad = "no_passing_load"
        /// Even the highest load tried passes.
        case noFailingLoad = "no_failing_load"
        case simulationLimit = "simulation_limit"
    }
    public var modelName: String
    public var modelPath: String
    public var key: String
    /// The model value it sets, e.g. `workload.open.rate`.
    public var path: String
    public var unit: String
    public var integer: Bool
    public var slos: [PlanSLO]
    /// In order of value.
    public var points: [BreakpointPoint]
    /// The largest load that meets every SLO (nil: none tried does).
    public var breakpoint: Double?
    /// The smallest load above it that fails.
    public var firstFailing: Double?
    public var relativeTolerance: Double
    public var stopReason: StopReason
    public var resources: [BreakpointResource]
    /// The resource whose analytic utilization reaches 100 % at the lowest load.
    public var saturatesFirst: String?
    /// The busiest resource in the simulation at the first failing load.
    public var saturatedInSimulation: String?
    public var replications: Int
    public var horizonSeconds: Double
    public var confidenceLevel: Double
    public var warnings: [String]
    public var notes: [String]

    func text(_ x: Double) -> String { BreakpointSearch.Scale(unit: unit, integer: integer).text(x) }
}

// MARK: - Output

extension BreakpointResult {
    public func rendered(as format: OutputFormat) -> String {
        switch format {
        case .table: return tableText()
        case .json: return json.text
        case .csv: return csvText()
        }
    }

    public func tableText() -> String {
        var lines: [String] = []
        lines.append("breakpoint: \(modelName) (\(modelPath)), varying \(key)\(key == path ? "" : " (\(path))")")
        lines.append("SLOs, each checked at the unfavourable bound of its \(formatPercent(confidenceLevel)) confidence interval: "
                     + slos.map(\.text).joined(separator: ", "))
        lines.append("simulated \(points.count) loads (\(replications) replication\(replications == 1 ? "" : "s") x \(formatDuration(horizonSeconds)) each)")
        lines.append("")
        switch stopReason {
        case .noPassingLoad:
            lines.append("no load tried meets every SLO: the lowest, \(key)=\(points.first.map(\.text) ?? "?"), fails")
        case .noFailingLoad:
            lines.append("every load tried meets every SLO, up to \(key)=\(breakpoint.map(text) ?? "?"): give --range LOW...HIGH to search higher")
        case .converged, .simulationLimit:
            if let b = breakpoint {
                var line = "largest load meeting every SLO: \(key)=\(text(b))"
                if let f = firstFailing {
                    line += "   (fails at \(key)=\(text(f))" + (stopReason == .converged ? (integer && f - b <= 1 ? ")" : ", within \(formatPercent(relativeTolerance)))") : "; bracket not closed: the simulation limit was reached)")
                }
                lines.append(line)
            }
        }
        if let s = saturatesFirst, let r = resources.first(where: { $0.id == s }), let l = r.loadAtFullUtilization {
            var line = "saturates first: \(s) (analytic utilization 100% at \(key)=\(text(l)))"
            if let sim = saturatedInSimulation, let f = firstFailing, let p = points.first(where: { $0.value == f }),
               let i = resources.firstIndex(where: { $0.id == sim }), let u = p.utilizations[i] {
                line += "; busiest in the simulation at \(text(f)): \(sim) \(ValueText.value(u, metric: Metric.utilization.key))"
            }
            lines.append(line)
        }
        lines.append("")
        lines.append("Load at which each resource reaches 100% utilization (analytic)")
        var rows: [[String]] = [["resource", "servers", "100% at", breakpoint.map { "utilization at \(text($0))" } ?? "utilization"]]
        for r in resources.sorted(by: { ($0.loadAtFullUtilization ?? .infinity) < ($1.loadAtFullUtilization ?? .infinity) }) {
            rows.append([r.id, String(r.servers), r.loadAtFullUtilization.map(text) ?? "never",
                         r.analyticUtilizationAtBreakpoint.map { ValueText.value($0, metric: Metric.utilization.key) } ?? ""])
        }
        lines += alignedRows(rows, right: [1, 2, 3])
        lines.append("")
        lines.append("Loads simulated (SLO columns: the bound checked)")
        rows = [[key, "verdict"] + slos.map(\.text) + ["throughput", "p95"]]
        for p in points {
            rows.append([p.text, p.passes ? "pass" : "FAIL"] + zip(slos, p.checks).map { slo, c in
                c.bound.map { ValueText.value($0, metric: slo.metric) } ?? "n/a"
            } + [p.throughput.map { ValueText.value($0.mean, metric: Metric.throughputPerSecond.key) } ?? "",
                 p.p95Seconds.map { ValueText.value($0.mean, metric: Metric.p95Seconds.key) } ?? ""])
        }
        lines += alignedRows(rows)
        return finishedTable(lines, warnings: Array(foldingNumberVariants(warnings).prefix(10)), notes: notes)
    }

    public func csvText() -> String {
        var header = [key, "passes"]
        for s in slos { header += [s.figure, s.figure + ".ci_low", s.figure + ".ci_high", s.figure + ".holds"] }
        header += [Metric.throughputPerSecond.key, Metric.p95Seconds.key] + resources.map { "\($0.id).\(Metric.utilization.key)" }
        var out = header.map(csvField).joined(separator: ",") + "\n"
        for p in points {
            var f = [csvNumber(p.value), p.passes ? "true" : "false"]
            for c in p.checks {
                f += [csvNumber(c.estimate?.mean), csvNumber(c.estimate?.lower), csvNumber(c.estimate?.upper), c.holds ? "true" : "false"]
            }
            f += [csvNumber(p.throughput?.mean), csvNumber(p.p95Seconds?.mean)] + p.utilizations.map(csvNumber)
            out += f.joined(separator: ",") + "\n"
        }
        return out
    }

    var json: JSONValue {
        func estimate(_ e: Estimate?) -> JSONValue {
            guard let e else { return .null }
            return .object([("mean", .num(e.mean)), ("ci_low", .num(e.lower)), ("ci_high", .num(e.upper))])
        }
        return .object([
            ("schema", .string("headroom.breakpoint/1")),
            ("model", .object([("name", .string(modelName)), ("source", .string(modelPath))])),
            ("key", .string(key)), ("path", .string(path)), ("unit", .string(unit)),
            ("slos", .array(slos.map { s in
                .object([("slo", .string(s.text)), ("figure", .string(s.figure)),
                         ("comparison", .string(s.comparison.rawValue)), ("threshold", .num(s.threshold))])
            })),
            ("replications", .int(replications)), ("horizon_seconds", .num(horizonSeconds)),
            ("confidence_level", .num(confidenceLevel)), ("relative_tolerance", .num(relativeTolerance)),
            ("stop_reason", .string(stopReason.rawValue)),
            ("breakpoint", .num(breakpoint)), ("first_failing", .num(firstFailing)),
            ("saturates_first", saturatesFirst.map { .string($0) } ?? .null),
            ("saturated_in_simulation", saturatedInSimulation.map { .string($0) } ?? .null),
            ("resources", .array(resources.map { r in
                .object([("id", .string(r.id)), ("kind", .string(r.kind)), ("servers", .int(r.servers)),
                         ("load_at_full_utilization", .num(r.loadAtFullUtilization)),
                         ("analytic_utilization_at_breakpoint", .num(r.analyticUtilizationAtBreakpoint))])
            })),
            ("points", .array(points.map { p in
                .object([
                    ("value", .num(p.value)), ("text", .string(p.text)), ("passes", .bool(p.passes)),
                    ("slos", .array(zip(slos, p.checks).map { s, c in
                        .object([("slo", .string(s.text)), ("mean", .num(c.estimate?.mean)), ("ci_low", .num(c.estimate?.lower)),
                                 ("ci_high", .num(c.estimate?.upper)), ("bound", .num(c.bound)), ("holds", .bool(c.holds))])
                    })),
                    (Metric.throughputPerSecond.key, estimate(p.throughput)), (Metric.p95Seconds.key, estimate(p.p95Seconds)),
                    (Metric.utilization.key, .object(zip(resources, p.utilizations).map { ($0.id, .num($1)) })),
                ])
            })),
            ("warnings", .array(warnings.map { .string($0) })),
            ("notes", .array(notes.map { .string($0) })),
        ])
    }
}
