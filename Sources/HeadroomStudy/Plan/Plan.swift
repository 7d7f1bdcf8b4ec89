import Dispatch
import Foundation
import HeadroomKernel
import HeadroomModel
import HeadroomAnalysis
import HeadroomOutput

/// `headroom plan`: the cheapest configuration of a grid that meets every SLO.
///
/// 1. Every configuration of the `--vary` grid is loaded, costed and analysed (`Analysis`).
/// 2. Pruned without simulation, only on sound bounds (`PlanScreen`): an open load whose
///    utilization with uncontended demands reaches 1 somewhere, under a latency SLO, in a model
///    that sheds no load; an SLO an analytic bound already violates (mean response, throughput,
///    a resource's utilization by the utilization law). Never on an approximation.
/// 3. The others are simulated in order of cost (ties: grid order). A configuration passes only if
///    every SLO holds at the unfavourable bound of its confidence interval. The first to pass is
///    the answer; the scan goes on for the frontier of alternatives: passing configurations in order
///    of cost, skipping any that has at least as much of every varied value as one that passed
///    already (an upgrade, not an alternative), until `alternatives` are found or
///    `maxSimulations` have run.
///
/// Deterministic: cells are simulated ahead in parallel batches, but decided strictly in order of
/// cost, so the answer and the frontier do not depend on the thread count.
public struct Planner: Sendable {
    public var modelPath: String
    public var grid: SweepGrid
    public var fixedOverrides: [String: String]
    public var simulation: SimulationOverrides
    public var sloTexts: [String]
    /// nil: the sum of the varied values.
    public var costText: String?
    /// Passing configurations to find after the cheapest.
    public var alternatives: Int
    public var maxSimulations: Int
    public var threads: Int
    /// Most operations the plan may simulate (`--budget`; nil: `WorkEstimate.budgetOperations`),
    /// against the `maxSimulations` most expensive candidates: the most it could simulate.
    public var budgetOperations: Double?
    /// Called after each decided simulation: (configurations decided, candidates, simulations).
    public var progress: (@Sendable (Int, Int, Int) -> Void)?

    public init(modelPath: String, grid: SweepGrid, fixedOverrides: [String: String] = [:],
                simulation: SimulationOverrides = SimulationOverrides(), slos: [String], cost: String?,
                alternatives: Int = 5, maxSimulations: Int = 1000, threads: Int? = nil) {
        self.modelPath = modelPath
        self.grid = grid
        self.fixedOverrides = fixedOverrides
        self.simulation = simulation
        self.sloTexts = slos
        self.costText = cost
        self.alternatives = max(0, alternatives)
        self.maxSimulations = max(1, maxSimulations)
        self.threads = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    public func run() throws -> PlanResult {
        guard !sloTexts.isEmpty else { throw SweepError("give at least one --slo, e.g. --slo 'p95<500ms'") }
        let sweep = Sweep(modelPath: modelPath, grid: grid, fixedOverrides: fixedOverrides, simulation: simulation,
                          threads: threads, outputDirectory: "")
        let prepared = try sweep.prepare(keepingCells: true)
        let cells = prepared.cells
        let costliest = cells.map(\.operations).sorted(by: >).prefix(maxSimulations)
        if let refusal = WorkBudget.refusal("this plan could simulate", operations: costliest.reduce(0, +),
                                            detail: "its \(costliest.count) most expensive of \(cells.count) candidates, at most --max-simulations \(maxSimulations)",
                                            budget: budgetOperations) {
            throw SweepError(refusal)
        }
        let first = cells[0].model
        let slos = try sloTexts.map { (t: String) throws(SweepError) in try PlanSLO.parse(t, model: first) }
        let costExpression = try CostExpression(costText ?? grid.axes.map(\.key).joined(separator: " + "))
        let yaml = (try? String(contentsOfFile: modelPath, encoding: .utf8)) ?? ""
        var keyPaths: [String: String] = [:]
        for k in costExpression.keys {
            do {
                keyPaths[k] = try ModelLoader.resolveOverrideKey(k, yaml: yaml, fileName: modelPath)
            } catch {
                throw SweepError("--cost `\(costExpression.text)`: \(error.errors.first?.message ?? "unknown key `\(k)`")")
            }
        }
        let axisKeys = grid.axes.map(\.key)

        // Cost and analytic screening, in parallel (milliseconds each).
        let slots = PlanSlots(count: cells.count)
        let costs = try cells.map { cell throws(SweepError) -> Double in
            try costExpression.evaluate { key in
                if let a = axisKeys.firstIndex(of: key), let v = SweepAxis.numericValue(cell.values[a]) { return v }
                guard let path = keyPaths[key] else { return nil }
                return cell.leaves.first { $0.path == path }.flatMap { SweepAxis.numericValue($0.value) }
            }
        }
        let screenThreads = min(threads, cells.count)
        DispatchQueue.concurrentPerform(iterations: screenThreads) { t in
            for i in stride(from: t, to: cells.count, by: screenThreads) {
                slots.setScreen(i, PlanScreen.screen(Analysis.analyze(cells[i].model), model: cells[i].model, slos: slos))
            }
        }
        var configurations = cells.map { cell in
            PlanConfiguration(index: cell.index, values: cell.values, cost: costs[cell.index], status: .notEvaluated,
                              reason: nil, checks: [])
        }
        for i in configurations.indices {
            if let s = slots.screen(i) {
                configurations[i].status = s.status
                configurations[i].reason = s.reason
            }
        }
        let order = configurations.indices
            .sorted { (configurations[$0].cost, $0) < (configurations[$1].cost, $1) }
        let candidates = order.filter { configurations[$0].status == .notEvaluated }
        let numeric = grid.axes.map { a in a.values.map(SweepAxis.numericValue) }

        func isUpgrade(_ c: Int, of p: Int) -> Bool {
            guard c != p else { return false }
            let dc = grid.digits(c), dp = grid.digits(p)
            for a in grid.axes.indices {
                if let x = numeric[a][dc[a]], let y = numeric[a][dp[a]] {
                    if x < y { return false }
                } else if dc[a] != dp[a] {
                    return false
                }
            }
            return true
        }

        // Scan in order of cost, simulating ahead in batches.
        var passing: [Int] = []
        var decided = 0, simulations = 0
        var stopReason: PlanResult.StopReason = .exhausted
        var reports: [Int: StudyReport] = [:]
        var position = 0
        scan: while position < candidates.count {
            // The next batch: undecided candidates not (yet) known to be upgrades.
            var batch: [Int] = []
            var j = position
            while j < candidates.count && batch.count < threads && simulations + batch.count < maxSimulations {
                let c = candidates[j]
                if reports[c] == nil && !passing.contains(where: { isUpgrade(c, of: $0) }) { batch.append(c) }
                j += 1
            }
            let results = runBatch(batch.map { cells[$0] })
            for (c, r) in zip(batch, results) { reports[c] = r }
            // Decide in order as far as the reports go.
            while position < candidates.count {
                let c = candidates[position]
                if passing.contains(where: { isUpgrade(c, of: $0) }) {
                    configurations[c].status = .skippedUpgrade
                    configurations[c].reason = "has at least as much of every varied value as a passing configuration"
                    position += 1; decided += 1
                    continue
                }
                if simulations >= maxSimulations { stopReason = .simulationLimit; break scan }
                guard let report = reports[c] else { break }
                simulations += 1
                let checks = slos.map { $0.check(report) }
                configurations[c].checks = checks
                if checks.allSatisfy(\.holds) {
                    configurations[c].status = .pass
                    passing.append(c)
                } else {
                    configurations[c].status = .fail
                    let failed = zip(slos, checks).filter { !$0.1.holds }.map { slo, check in
                        "\(slo.text) " + (check.bound.map { "(\(slo.comparison.isUpperLimit ? "upper" : "lower") bound \(ValueText.value($0, metric: slo.metric)))" } ?? "(no value)")
                    }
                    configurations[c].reason = "fails " + failed.joined(separator: ", ")
                }
                position += 1; decided += 1
                progress?(decided, candidates.count, simulations)
                if passing.count > alternatives { stopReason = .alternativesFound; break scan }
            }
            if batch.isEmpty && position < candidates.count && reports[candidates[position]] == nil {
                stopReason = .simulationLimit
                break
            }
        }

        let cheapest = passing.first
        var nextCheaper: Int? = nil
        if let cheapest, let k = order.firstIndex(of: cheapest), k > 0 {
            // The configuration just before the answer in order of cost: simulated and failed, or pruned.
            nextCheaper = order[..<k].last { configurations[$0].status != .notEvaluated && configurations[$0].status != .skippedUpgrade }
        }
        // The answer's own warnings (overload warnings of pruned cells would only repeat the pruning).
        var warnings = cells[cheapest ?? 0].warnings
        if let cheapest, let report = reports[cheapest], let w = Self.survivorshipWarning(report, slos: slos) {
            warnings.insert(w, at: 0)
        }
        let settings = cells[0].model.simulation
        return PlanResult(modelName: first.name, modelPath: modelPath, axes: grid.axes, slos: slos,
                          cost: costExpression.text, configurations: configurations, cheapest: cheapest,
                          nextCheaper: nextCheaper, frontier: passing, simulations: simulations, stopReason: stopReason,
                          replications: settings.replications, horizonSeconds: settings.horizonSeconds,
                          confidenceLevel: settings.confidenceLevel, warnings: warnings)
    }

    /// A warning when the answer meets its latency SLOs only because they count the requests that
    /// succeeded: latencies are of successful responses by default (`latency_of: succeeded`), so a
    /// configuration where 40 % of requests time out can have a p95 of its cache hits, 3 ms, and
    /// "pass" a `p95<250ms` that no planner meant that way. Said when the answer's failed share
    /// (timeouts and errors) is above 1 % and no SLO limits it.
    static func survivorshipWarning(_ report: StudyReport, slos: [PlanSLO]) -> String? {
        guard slos.contains(where: { $0.metric.hasSuffix("_seconds") }),
              !slos.contains(where: { PlanSLO.failureMetrics.contains($0.metric) }),
              let all = report["overall", "all"] ?? report["network", "network"] else { return nil }
        let failed = PlanSLO.failedShare(all)
        guard failed.total > 0.01 else { return nil }
        let parts = failed.parts.map { "\(SweepSummary.shortName($0.0)) \(ValueText.value($0.1, metric: $0.0))" }.joined(separator: ", ")
        return "the cheapest passing configuration fails \(ValueText.value(failed.total, metric: Metric.timeoutRate.key)) of its requests (\(parts)): its latency SLOs count successful responses only, so it passes them on the requests that got through; add --slo 'timeouts<1%' --slo 'errors<1%' to require requests to succeed"
    }

    /// Simulates `cells` in parallel; reports in the same order.
    func runBatch(_ cells: [Sweep.Cell]) -> [StudyReport] {
        guard !cells.isEmpty else { return [] }
        let slots = PlanSlots(count: cells.count)
        let workers = max(1, threads / cells.count)
        DispatchQueue.concurrentPerform(iterations: cells.count) { i in
            let study = ReplicationStudy(model: cells[i].model, workers: workers, modelWarnings: cells[i].warnings)
            slots.setReport(i, study.run())
        }
        return (0..<cells.count).map { slots.report($0)! }
    }
}

/// The analytic screen of one configuration: it prunes only on sound bounds, never on an
/// approximation (issue 19), so a configuration it skips could not have passed.
///
/// - *overloaded*: an open load whose mean rate times a resource's **uncontended** demand per
///   request reaches its servers (`lambda D / c >= 1`, the utilization law with every hold at its
///   shortest) has no steady state, and its latency grows without bound; pruned only when an SLO
///   limits a latency or a wait from above and nothing in the model sheds load (no endpoint or
///   call timeout, no acquire or query-wait timeout, no rate limiter, no retry, no bounded job
///   queue, no station capacity or patience): with any of those, the requests that get through
///   may still meet a latency SLO, so the configuration is simulated.
/// - *bound*: `mean<X` when the asymptotic lower bound on the mean response already reaches X
///   (without timeouts, which keep only the faster requests); `throughput>X` when the upper bound
///   is not above X; `utilization<X` of a resource when the utilization law with uncontended
///   demands, `min(1, lambda D / c)`, already reaches X (open loads that shed nothing).
enum PlanScreen {
    struct Outcome { var status: PlanConfiguration.Status; var reason: String }

    /// Whether anything in the model can drop or turn away requests (then an overloaded
    /// configuration's surviving requests may still meet latency SLOs).
    static func shedsLoad(_ m: Model) -> Bool {
        if !m.rateLimiters.isEmpty { return true }
        if m.pools.contains(where: { $0.acquireTimeoutSeconds != nil }) { return true }
        if m.poolers.contains(where: { $0.queryWaitTimeoutSeconds != nil }) { return true }
        if m.jobQueues.contains(where: { $0.capacity != nil }) { return true }
        if m.caches.contains(where: { $0.server?.connectionTimeoutSeconds != nil }) { return true }
        for e in m.endpoints where e.timeoutSeconds != nil || e.retry != nil || callsTimeOut(e.steps) { return true }
        if let n = m.network, n.stations.contains(where: { $0.capacity != nil || $0.patience != nil }) { return true }
        return false
    }

    static func callsTimeOut(_ steps: [Step]) -> Bool {
        steps.contains { step in
            switch step {
            case let .call(c): return c.timeoutSeconds != nil
            case let .cache(c): return callsTimeOut(c.hit) || callsTimeOut(c.miss)
            case let .repeat(_, inner): return callsTimeOut(inner)
            case let .parallel(branches): return branches.contains { callsTimeOut($0) }
            case let .transaction(t): return callsTimeOut(t.steps)
            default: return false
            }
        }
    }

    /// The analysis resource an SLO's `utilization` figure reads.
    static func resourceID(_ slo: PlanSLO) -> String? {
        switch slo.section {
        case "instances": return "workers.instances"
        case "pools": return "pool.\(slo.item)"
        case "poolers": return "pooler.\(slo.item)"
        case "database_nodes": return "database.\(slo.item)"
        case "job_queues": return "job_workers.\(slo.item)"
        case "stations": return "station.\(slo.item)"
        default: return nil
        }
    }

    static func screen(_ a: Analysis, model: Model, slos: [PlanSLO]) -> Outcome? {
        let sheds = shedsLoad(model)
        let rate = a.workload == .open ? (a.arrivalRatePerSecond ?? 0) : 0
        /// The utilization law with uncontended demands: a lower bound on any resource's utilization.
        func uncontended(_ r: Analysis.Resource) -> Double? {
            guard rate > 0, r.demandSeconds > 0, r.servers > 0 else { return nil }
            return rate * r.demandSeconds / Double(r.servers)
        }
        let limitsLatency = slos.contains { $0.metric.hasSuffix("_seconds") && $0.comparison.isUpperLimit }
        if a.workload == .open && !sheds && limitsLatency {
            let over = a.resources.compactMap { r in uncontended(r).flatMap { $0 >= 1 ? (r, $0) : nil } }
            if !over.isEmpty {
                return Outcome(status: .prunedOverload, reason: "overloaded: " + over.map { r, u in
                    "\(r.id) utilization at least \(formatFraction(u)) with uncontended demands"
                }.joined(separator: ", "))
            }
        }
        for slo in slos {
            if slo.metric == Metric.meanSeconds.key && slo.comparison.isUpperLimit && !sheds {
                var lower: Double?
                switch slo.section {
                case "overall", "network": lower = a.bounds.responseLowerBoundSeconds ?? a.bounds.minResponseSeconds
                case "endpoints": lower = a.endpoints.first { $0.name == slo.item }?.uncontendedLatencySeconds
                default: lower = nil
                }
                if let lower, lower.isFinite, !slo.comparison.holds(lower, slo.threshold) {
                    return Outcome(status: .prunedBound, reason: "\(slo.text): the mean response is at least \(ValueText.value(lower, metric: Metric.meanSeconds.key)) (analytic lower bound)")
                }
            }
            // With rate limiters the demands are of the carried load's upper bound, so c / D is no bound.
            if slo.metric == Metric.throughputPerSecond.key && !slo.comparison.isUpperLimit && (slo.section == "overall" || slo.section == "network")
                && model.rateLimiters.isEmpty {
                var upper = a.bounds.throughputUpperBoundPerSecond ?? a.bounds.maxThroughputPerSecond
                if a.workload == .open, let rate = a.arrivalRatePerSecond { upper = min(upper ?? rate, rate) }
                if let upper, upper.isFinite, !slo.comparison.holds(upper, slo.threshold) {
                    return Outcome(status: .prunedBound, reason: "\(slo.text): throughput is at most \(ValueText.value(upper, metric: Metric.throughputPerSecond.key)) (analytic upper bound)")
                }
            }
            if (slo.metric == Metric.utilization.key || slo.metric == Metric.workerUtilization.key) && slo.comparison.isUpperLimit && !sheds,
               let id = resourceID(slo), let r = a.resource(id), let u = uncontended(r) {
                let lower = min(1, u)
                if !slo.comparison.holds(lower, slo.threshold) {
                    return Outcome(status: .prunedBound, reason: "\(slo.text): \(id) is at least \(ValueText.value(lower, metric: Metric.utilization.key)) busy (utilization law with uncontended demands)")
                }
            }
        }
        return nil
    }
}

final class PlanSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var screens: [PlanScreen.Outcome?]
    private var reports: [StudyReport?]
    init(count: Int) {
        screens = Array(repeating: nil, count: count)
        reports = Array(repeating: nil, count: count)
    }
    func setScreen(_ i: Int, _ s: PlanScreen.Outcome?) { lock.lock(); screens[i] = s; lock.unlock() }
    func screen(_ i: Int) -> PlanScreen.Outcome? { lock.lock(); defer { lock.unlock() }; return screens[i] }
    func setReport(_ i: Int, _ r: StudyReport) { lock.lock(); reports[i] = r; lock.unlock() }
    func report(_ i: Int) -> StudyReport? { lock.lock(); defer { lock.unlock() }; return reports[i] }
}

/// One configuration of a plan's grid and what became of it.
public struct PlanConfiguration: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        /// Simulated: every SLO holds at its unfavourable confidence bound.
        case pass
        /// Simulated: some SLO does not.
        case fail
        /// Skipped: an analytic utilization >= 1 (open workload).
        case prunedOverload = "pruned_overload"
        /// Skipped: an analytic bound violates an SLO.
        case prunedBound = "pruned_bound"
        /// Not simulated: an upgrade of a passing configuration (not an alternative).
        case skippedUpgrade = "skipped_upgrade"
        /// Not reached: the scan stopped before it.
        case notEvaluated = "not_evaluated"
    }
    /// Cell index in the grid.
    public var index: Int
    public var values: [String]
    public var cost: Double
    public var status: Status
    public var reason: String?
    /// Per SLO, for simulated configurations.
    public var checks: [PlanSLOCheck]
}

public struct PlanResult: Sendable {
    public enum StopReason: String, Sendable {
        case exhausted, alternativesFound = "alternatives_found", simulationLimit = "simulation_limit"
    }
    public var modelName: String
    public var modelPath: String
    public var axes: [SweepAxis]
    public var slos: [PlanSLO]
    public var cost: String
    /// In grid order.
    public var configurations: [PlanConfiguration]
    /// Index of the cheapest passing configuration.
    public var cheapest: Int?
    /// The configuration just before it in order of cost (failed, or pruned).
    public var nextCheaper: Int?
    /// Passing configurations in order of cost, the cheapest first.
    public var frontier: [Int]
    public var simulations: Int
    public var stopReason: StopReason
    public var replications: Int
    public var horizonSeconds: Double
    public var confidenceLevel: Double
    public var warnings: [String]

    public func count(_ s: PlanConfiguration.Status) -> Int { configurations.filter { $0.status == s }.count }

    /// `instances=4 pools.prisma.size=20`.
    public func label(_ i: Int) -> String {
        zip(axes.map(\.key), configurations[i].values).map { "\($0)=\($1)" }.joined(separator: " ")
    }

    /// Overrides that select configuration `i`.
    public func overrides(_ i: Int) -> [String: String] {
        Dictionary(uniqueKeysWithValues: zip(axes.map(\.key), configurations[i].values))
    }
}

// MARK: - Output

extension PlanResult {
    public func rendered(as format: OutputFormat) -> String {
        switch format {
        case .table: return tableText()
        case .json: return json.text
        case .csv: return csvText()
        }
    }

    package static func costText(_ c: Double) -> String {
        c == c.rounded() && abs(c) < 1e15 ? String(Int(c)) : formatSignificant(c, digits: 6)
    }

    public func tableText() -> String {
        var lines: [String] = []
        lines.append("plan: \(modelName) (\(modelPath))")
        lines.append("SLOs, each checked at the unfavourable bound of its \(formatPercent(confidenceLevel)) confidence interval:")
        lines += alignedRows(slos.map { ["\($0.text)", "\($0.figure) \($0.comparison.rawValue) \(ValueText.value($0.threshold, metric: $0.metric))"] })
        lines.append("cost: \(cost)")
        var grid = "\(configurations.count) configurations"
        let overload = count(.prunedOverload), bound = count(.prunedBound)
        grid += "; pruned analytically: \(overload) overloaded, \(bound) by a bound"
        grid += "; simulated \(simulations) in order of cost (\(replications) replication\(replications == 1 ? "" : "s") x \(formatDuration(horizonSeconds)) each)"
        let upgrades = count(.skippedUpgrade)
        if upgrades > 0 { grid += "; \(upgrades) upgrades of passing ones skipped" }
        lines.append(grid)
        lines.append("")
        if let c = cheapest {
            lines.append("cheapest passing: \(label(c))   cost \(PlanResult.costText(configurations[c].cost))")
            lines += checkRows(c)
        } else {
            lines.append("no configuration passes" + (stopReason == .simulationLimit ? " within the simulation limit (\(simulations) simulated; raise --max-simulations)" : " every SLO"))
            // The closest: fewest failing SLOs, then cheapest.
            let simulated = configurations.indices.filter { configurations[$0].status == .fail }
            if let best = simulated.min(by: { a, b in
                let fa = configurations[a].checks.filter { !$0.holds }.count, fb = configurations[b].checks.filter { !$0.holds }.count
                return (fa, configurations[a].cost, a) < (fb, configurations[b].cost, b)
            }) {
                lines.append("closest: \(label(best))   cost \(PlanResult.costText(configurations[best].cost))")
                lines += checkRows(best)
            }
        }
        if let n = nextCheaper {
            let c = configurations[n]
            lines.append("next cheaper: \(label(n))   cost \(PlanResult.costText(c.cost)): \(c.status == .fail ? "" : "not simulated, ")\(c.reason ?? "")")
        }
        if frontier.count > 1 || (frontier.count == 1 && cheapest != nil) {
            lines.append("")
            lines.append("frontier: passing configurations in order of cost, none an upgrade of a cheaper one")
            var rows: [[String]] = [axes.map(\.key) + ["cost"] + slos.map { "\($0.text) (\($0.comparison.isUpperLimit ? "CI high" : "CI low"))" }]
            for i in frontier {
                let c = configurations[i]
                rows.append(c.values + [PlanResult.costText(c.cost)] + zip(slos, c.checks).map { slo, check in
                    check.bound.map { ValueText.value($0, metric: slo.metric) } ?? "n/a"
                })
            }
            lines += alignedRows(rows)
            switch stopReason {
            case .alternativesFound: lines.append("  (stopped after \(frontier.count - 1) alternatives; --alternatives N for more)")
            case .simulationLimit: lines.append("  (stopped at the simulation limit; --max-simulations N for more)")
            case .exhausted: break
            }
        }
        if !warnings.isEmpty {
            lines.append("")
            lines += warnings.prefix(10).map { $0.contains(": warning: ") ? $0 : "warning: \($0)" }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func checkRows(_ i: Int) -> [String] {
        let c = configurations[i]
        return alignedRows(zip(slos, c.checks).map { slo, check in
            guard let e = check.estimate else { return [slo.text, "no value", "", "fails"] }
            return [slo.text, ValueText.value(e.mean, metric: slo.metric),
                    "[\(ValueText.value(e.lower, metric: slo.metric)), \(ValueText.value(e.upper, metric: slo.metric))]",
                    check.holds ? "ok" : "fails"]
        })
    }

    public func csvText() -> String {
        var header = ["config"] + axes.map(\.key) + ["cost", "status", "frontier", "cheapest"]
        for s in slos { header += [s.figure, s.figure + ".ci_low", s.figure + ".ci_high", s.figure + ".holds"] }
        header.append("reason")
        var out = header.map(csvField).joined(separator: ",") + "\n"
        let rank = Dictionary(uniqueKeysWithValues: frontier.enumerated().map { ($1, $0) })
        for c in configurations {
            var f = [String(c.index)] + c.values.map(csvField) + [csvNumber(c.cost), c.status.rawValue,
                                                                  rank[c.index].map { String($0 + 1) } ?? "",
                                                                  c.index == cheapest ? "true" : "false"]
            for k in slos.indices {
                if k < c.checks.count, let e = c.checks[k].estimate {
                    f += [csvNumber(e.mean), csvNumber(e.lower), csvNumber(e.upper), c.checks[k].holds ? "true" : "false"]
                } else {
                    f += ["", "", "", c.checks.isEmpty ? "" : "false"]
                }
            }
            f.append(csvField(c.reason ?? ""))
            out += f.joined(separator: ",") + "\n"
        }
        return out
    }

    var json: JSONValue {
        func config(_ i: Int) -> JSONValue {
            let c = configurations[i]
            return .object([
                ("config", .int(c.index)),
                ("values", .object(zip(axes.map(\.key), c.values).map { ($0, .string($1)) })),
                ("cost", .num(c.cost)),
                ("status", .string(c.status.rawValue)),
                ("reason", c.reason.map { .string($0) } ?? .null),
                ("slos", .array(c.checks.enumerated().map { k, check in
                    .object([
                        ("slo", .string(slos[k].text)),
                        ("mean", .num(check.estimate?.mean)),
                        ("ci_low", .num(check.estimate?.lower)),
                        ("ci_high", .num(check.estimate?.upper)),
                        ("holds", .bool(check.holds)),
                    ])
                })),
            ])
        }
        return .object([
            ("schema", .string("headroom.plan/1")),
            ("model", .object([("name", .string(modelName)), ("source", .string(modelPath))])),
            ("slos", .array(slos.map { s in
                .object([("slo", .string(s.text)), ("figure", .string(s.figure)),
                         ("comparison", .string(s.comparison.rawValue)), ("threshold", .num(s.threshold))])
            })),
            ("cost", .string(cost)),
            ("axes", .array(axes.map { .object([("key", .string($0.key)), ("values", .array($0.values.map { .string($0) }))]) })),
            ("replications", .int(replications)),
            ("horizon_seconds", .num(horizonSeconds)),
            ("confidence_level", .num(confidenceLevel)),
            ("simulations", .int(simulations)),
            ("stop_reason", .string(stopReason.rawValue)),
            ("cheapest", cheapest.map(config) ?? .null),
            ("next_cheaper", nextCheaper.map(config) ?? .null),
            ("frontier", .array(frontier.map(config))),
            ("configurations", .array(configurations.indices.map(config))),
            ("warnings", .array(warnings.map { .string($0) })),
        ])
    }
}
