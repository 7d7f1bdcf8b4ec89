import Foundation
import HeadroomKernel
import HeadroomModel
import HeadroomSim
import HeadroomAnalysis
import HeadroomOutput

// MARK: - Running scenarios

/// Loads, analyses and simulates a file's scenarios at grid points, each once.
final class ScenarioRunner {
    let file: ClaimsFile
    let options: VerificationOptions

    struct Run {
        var scenario: ClaimScenario
        var overrides: [String: String]
        var model: Model
        var analysis: Analysis
        /// `section.item.metric` -> value per replication (nil until simulated).
        var series: [String: [Double]]?
        var report: StudyReport?
        /// First loaded by the search for a holding set, not at a point of the grid.
        var refined = false
    }
    /// Set while the search for holding sets runs: the runs it loads are marked `refined`.
    var refining = false
    private var runs: [String: Run] = [:]
    private var order: [String] = []

    init(file: ClaimsFile, options: VerificationOptions) {
        self.file = file
        self.options = options
    }

    func overrides(_ scenario: ClaimScenario, at point: [(String, Double)]) -> [String: String] {
        var o: [String: String] = [:]
        for (k, v) in scenario.overrides { o[k] = v }
        for u in Verification.unknowns(of: scenario, in: file) {
            guard let v = point.first(where: { $0.0 == u.name })?.1 else { continue }
            let text = u.unit == .seconds ? Units.formatNumber(v) + "s" : Units.formatNumber(v)
            // A zero stays plain: `exp(0s)` is not a distribution, a zero think time is.
            o[u.overrideKey] = v == 0 ? text : u.template.replacingOccurrences(of: "{}", with: text)
        }
        return o
    }

    func key(_ s: String, _ o: [String: String]) -> String {
        s + "|" + o.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// The loaded model and its analysis (no simulation).
    func loaded(_ s: String, at point: [(String, Double)]) throws(ModelErrors) -> String {
        guard let scenario = file.scenario(s) else {
            throw ModelErrors([ModelError(file: file.path, line: nil, column: nil, keyPath: "scenarios", message: "unknown scenario `\(s)`")])
        }
        let o = overrides(scenario, at: point)
        let k = key(s, o)
        if runs[k] != nil { return k }
        var model = try ModelLoader.load(path: scenario.modelPath, overrides: o).model
        if let r = options.replications {
            model.simulation.replications = r
            model.simulation.maxReplications = max(model.simulation.maxReplications, r)
        }
        if let h = options.horizonSeconds, !scenario.fixedHorizon {
            let warmup = model.simulation.warmupSeconds ?? 0
            model.simulation.horizonSeconds = h
            model.simulation.warmup = .fixed(seconds: min(warmup, 0.2 * h))
        }
        runs[k] = Run(scenario: scenario, overrides: o, model: model, analysis: Analysis.analyze(model), refined: refining)
        order.append(k)
        return k
    }

    func simulated(_ s: String, at point: [(String, Double)]) throws(ModelErrors) -> Run {
        let k = try loaded(s, at: point)
        var run = runs[k]!
        if run.series != nil { return run }
        if let budget = options.budget,
           !budget.admit(WorkEstimate(model: run.model, analysis: run.analysis).operations, what: "this verification would simulate",
                         next: "\(file.id) \(run.scenario.label)\(point.isEmpty ? "" : " at " + Verification.pointText(point, file.unknowns))") {
            throw ModelErrors([ModelError(file: file.path, line: nil, column: nil, keyPath: "", message: budget.refusal ?? "over the work budget")])
        }
        options.progress?(file.id, run.scenario.label, Verification.pointText(point, file.unknowns))
        let store = RunStore()
        let study = ReplicationStudy(model: run.model, workers: options.threads, runner: { model, replication, warmup, horizon, timeline, progress in
            let r = SystemSimulation.run(model: model, replication: replication, warmupSeconds: warmup,
                                         horizonSeconds: horizon, timelineIntervalSeconds: timeline, progress: progress)
            store.put(replication, r)
            return r
        })
        let report = study.run()
        var series: [String: [Double]] = [:]
        for (section, items) in ReportBuilder.collect(store.inOrder(), analysis: run.analysis) {
            for item in items { for s in item.series { series["\(section).\(item.name).\(s.metric)"] = s.values } }
        }
        run.series = series
        run.report = report
        runs[k] = run
        return run
    }

    /// Analytic figures of a scenario: `analysis.capacity_per_second`, `analysis.bounds.*`,
    /// `analysis.resources.<kind>.<name>.<field>`, `model.instances`, `model.pools.<name>.size`.
    static func analytic(_ path: String, _ run: Run) -> Double?? {
        let a = run.analysis
        let parts = path.split(separator: ".").map(String.init)
        guard let head = parts.first, head == "analysis" || head == "model" else { return .none }
        if head == "model" {
            if parts == ["model", "instances"] { return .some(Double(run.model.instances.count)) }
            if parts.count == 4, parts[1] == "pools", parts[3] == "size" { return .some(run.model.pools.first { $0.name == parts[2] }.map { Double($0.size) }) }
            return .some(nil)
        }
        switch parts.dropFirst().joined(separator: ".") {
        case "capacity_per_second":
            // The bottleneck law over the request path: job workers work after the response.
            return .some(a.resources.filter { $0.kind != "job_workers" }.compactMap(\.maxThroughputPerSecond).min())
        case "throughput_per_second": return .some(a.throughputPerSecond)
        case "response_seconds": return .some(a.responseSeconds)
        case "bounds.max_throughput_per_second": return .some(a.bounds.maxThroughputPerSecond)
        case "bounds.min_response_seconds": return .some(a.bounds.minResponseSeconds)
        case "bounds.saturation_users": return .some(a.bounds.saturationUsers)
        case "bounds.throughput_upper_bound_per_second": return .some(a.bounds.throughputUpperBoundPerSecond)
        case "bounds.response_lower_bound_seconds": return .some(a.bounds.responseLowerBoundSeconds)
        default:
            if parts.count == 5, parts[1] == "resources", let r = a.resource("\(parts[2]).\(parts[3])") {
                switch parts[4] {
                case "utilization": return .some(r.utilization)
                case "max_throughput_per_second": return .some(r.maxThroughputPerSecond)
                case "demand_seconds": return .some(r.demandSeconds)
                case "servers": return .some(Double(r.servers))
                default: return .some(nil)
                }
            }
            return .some(nil)
        }
    }

    /// An analytic interval that must contain the simulated figure at this point, for the few
    /// figures asymptotic bounds cover, with its arithmetic; nil when no bound applies.
    func bound(scenario s: String, path: String, at point: [(String, Double)]) throws(ModelErrors) -> (Interval, String)? {
        let k = try loaded(s, at: point)
        let run = runs[k]!
        let a = run.analysis
        switch path {
        case "overall.all.throughput_per_second":
            // Utilization law and, closed, X <= N / (R0 + Z): each completed request needs its demand.
            var upper = a.bounds.maxThroughputPerSecond ?? .infinity
            var text = "X <= min c/D = \(Format.value(upper, .perSecond)) (utilization law)"
            if a.workload == .closed, let n = a.users, let z = a.thinkTimeSeconds {
                let interactive = Double(n) / (a.bounds.minResponseSeconds + z)
                if interactive < upper {
                    upper = interactive
                    text = "X <= N / (R0 + Z) = \(n) / (\(Format.value(a.bounds.minResponseSeconds, .seconds)) + \(Format.value(z, .seconds))) = \(Format.value(upper, .perSecond))"
                }
            } else if a.workload == .open, let lambda = a.arrivalRatePerSecond, lambda < upper {
                upper = lambda
                text = "X <= arrival rate \(Format.value(lambda, .perSecond))"
            }
            guard upper.isFinite else { return nil }
            return (Interval(0, upper), text)
        case "overall.all.mean_seconds":
            // R >= R0: no request is faster than its uncontended demands.
            let r0 = a.bounds.minResponseSeconds
            guard r0 > 0 else { return nil }
            return (Interval(r0, .infinity), "R >= R0 = \(Format.value(r0, .seconds)) (uncontended demands)")
        default:
            return nil
        }
    }

    /// Headroom's estimate of an expression at a point: Student-t over replications (paired by
    /// replication index across scenarios: common seeds). The second value is set when the
    /// figure must not be judged (a latency read where most attempts fail).
    /// `line` and `column`: where the expression is written, for the error when a reading names
    /// a figure the scenario's report does not have.
    func estimate(_ e: ClaimExpression, at point: [(String, Double)], line: Int? = nil, column: Int? = nil) throws(ModelErrors) -> (Estimate?, String?) {
        var perReading: [String: [Double]] = [:]
        var guardNote: String? = nil
        for (s, path) in e.readings {
            let k = "\(s):\(path)"
            if perReading[k] != nil { continue }
            let lk = try loaded(s, at: point)
            if case let .some(v) = ScenarioRunner.analytic(path, runs[lk]!) {
                perReading[k] = v.map { [$0] } ?? []
                continue
            }
            let run = try simulated(s, at: point)
            let itemPrefix = path.split(separator: ".").dropLast().joined(separator: ".") + "."
            if run.series?[path] == nil, (run.series ?? [:]).keys.contains(where: { $0.hasPrefix(itemPrefix) }) {
                // The item exists but recorded nothing (no request of the kind completed in any replication).
                perReading[k] = []
                guardNote = "no figure `\(path)` in `\(s)`: no request of this kind completed"
                continue
            }
            guard let values = run.series?[path] else {
                throw ModelErrors([ModelError(file: file.path, line: line, column: column, keyPath: "claims",
                                              message: "`\(k)`: the report of scenario `\(s)` has no figure `\(path)`; known: \(Suggest.hint(path, (run.series ?? [:]).keys.sorted(), noun: "figures"))")])
            }
            perReading[k] = values
            // A latency of the survivors is not the users' experience when most attempts fail,
            // unless the read counts the failures itself (it reads the same item's timeout or
            // error rate: `mean * (1 - timeout_rate) + timeout_rate * 10s`) or the model times
            // every attempt (`latency_of: all`: a timeout counts at the client's timeout).
            if run.model.simulation.latencyOf == .all { continue }
            let parts = path.split(separator: ".").map(String.init)
            if parts.count == 3, parts[0] == "endpoints" || parts[0] == "overall", parts[2].hasSuffix("_seconds") {
                let base = parts[0] + "." + parts[1]
                let countsFailures = e.readings.contains { $0.scenario == s && ($0.path == base + ".timeout_rate" || $0.path == base + ".error_rate") }
                if countsFailures { continue }
                let t = run.series?[base + ".timeout_rate"] ?? [], er = run.series?[base + ".error_rate"] ?? []
                if !t.isEmpty, t.count == er.count {
                    let failing = zip(t, er).map { $0 + $1 }.reduce(0, +) / Double(t.count)
                    if failing > 0.5 {
                        guardNote = "only \(Format.value(1 - failing, .fraction)) of the attempts in `\(s)` succeed: their latency is not what the users see (see the failure rows)"
                    }
                }
            }
        }
        let counts = Set(perReading.values.map(\.count).filter { $0 > 1 })
        let confidence = 0.95
        if counts.count == 1, let n = counts.first {
            // Per replication (an analytic value is the same in every replication).
            var values: [Double] = []
            for i in 0..<n {
                let v = try? e.evaluate { x in
                    guard case let .reading(s, p) = x, let vs = perReading["\(s):\(p)"], !vs.isEmpty else { return nil }
                    return Interval(vs.count == 1 ? vs[0] : vs[i])
                }
                if let v, v.low.isFinite { values.append(v.low) }
            }
            return (values.isEmpty ? nil : Estimate.studentT(values, confidence: confidence), guardNote)
        }
        // Analytic only, or replication counts that differ: on the means, without an interval.
        guard let v = try? e.evaluate({ x in
            guard case let .reading(s, p) = x, let vs = perReading["\(s):\(p)"], !vs.isEmpty else { return nil }
            return Interval(vs.reduce(0, +) / Double(vs.count))
        }), v.low.isFinite else { return (nil, guardNote) }
        return (Estimate(mean: v.low, halfWidth: 0, samples: 1), guardNote)
    }

    func summaries() -> [ScenarioSummary] {
        order.compactMap { k in
            guard let run = runs[k] else { return nil }
            var u: [String: Double] = [:]
            if let report = run.report {
                for item in report.section("pools")?.items ?? [] { u["pool.\(item.name)"] = item["utilization"]?.estimate.mean }
                for item in report.section("database_nodes")?.items ?? [] { u["database.\(item.name)"] = item["utilization"]?.estimate.mean }
                for item in report.section("instances")?.items ?? [] { u["workers"] = item["utilization"]?.estimate.mean }
            }
            return ScenarioSummary(id: run.scenario.id, label: run.scenario.label, file: run.scenario.modelFile, overrides: run.overrides,
                                   simulated: run.report != nil, replications: run.report?.settings.replications ?? 0,
                                   horizonSeconds: run.report?.settings.horizonSeconds ?? run.model.simulation.horizonSeconds,
                                   warmupSeconds: run.report?.settings.warmupSeconds ?? 0, bottleneck: run.analysis.bottleneck,
                                   capacityPerSecond: run.analysis.resources.filter { $0.kind != "job_workers" }.compactMap(\.maxThroughputPerSecond).min(),
                                   utilizations: u, command: command(run), refined: run.refined)
        }
    }

    /// `headroom run|analyze MODEL --set K=V ... [--replications N] [--horizon H --warmup W]`: the
    /// scenario as this verification ran it, runnable as written from the working directory.
    func command(_ run: Run) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        var path = (run.scenario.modelPath as NSString).standardizingPath
        if path.hasPrefix(cwd + "/") { path = String(path.dropFirst(cwd.count + 1)) }
        var words = ["headroom", run.report == nil ? "analyze" : "run", path]
        for (k, v) in run.overrides.sorted(by: { $0.key < $1.key }) { words += ["--set", "\(k)=\(v)"] }
        if run.report != nil {
            if let r = options.replications { words += ["--replications", "\(r)"] }
            if options.horizonSeconds != nil, !run.scenario.fixedHorizon {
                words += ["--horizon", Units.formatNumber(run.model.simulation.horizonSeconds) + "s",
                          "--warmup", Units.formatNumber(run.model.simulation.warmupSeconds ?? 0) + "s"]
            }
        }
        return words.map(shellQuoted).joined(separator: " ")
    }
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
