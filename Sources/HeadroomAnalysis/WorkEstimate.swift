import Foundation
import HeadroomModel
import HeadroomOutput

/// How much a run will simulate, estimated before it starts from the analytic pass:
/// requests (or customers) per second x horizon x replications x operations per request.
///
/// An *operation* is one step a request takes (a CPU burst, a query, a call, a cache lookup, a
/// sleep, a station visit) plus the request's own arrival and completion; each costs the engines
/// a few events. The rate used to turn operations into time, `operationsPerCPUSecond`, is a round
/// figure below what bench/RESULTS.md measured (the web engine through `headroom run`: 2.2 million
/// requests of about two operations per CPU-second on seed 002; the network kernel 3-9 million
/// customers per CPU-second): the estimate errs long, and says "about".
///
/// A stable model at 10^7 requests/s for an hour, 10 replications, is about 10^12 operations: 80
/// CPU-hours. `budgetOperations` refuses that by default (docs/cli.md, `--budget`).
public struct WorkEstimate: Sendable, Hashable, Encodable {
    /// Requests (web) or customers (network) per second entering the system; for a closed
    /// workload, the MVA throughput at its population (the think-time bound when MVA does not apply).
    public var requestsPerSecond: Double
    /// Operations per request, including the request's arrival and completion.
    public var operationsPerRequest: Double
    public var horizonSeconds: Double
    public var replications: Int
    /// requestsPerSecond x horizon x replications x operationsPerRequest.
    public var operations: Double

    /// Operations simulated per CPU-second, conservatively (see the type's comment).
    public static let operationsPerCPUSecond = 3_000_000.0
    /// The default budget: about an hour of CPU at `operationsPerCPUSecond`. `--budget` overrides it.
    public static let budgetOperations = 1e10

    /// CPU-seconds the run should take, at `operationsPerCPUSecond`.
    public var cpuSeconds: Double { operations / WorkEstimate.operationsPerCPUSecond }

    public init(model: Model, analysis: Analysis) {
        let sim = model.simulation
        horizonSeconds = sim.horizonSeconds
        replications = max(sim.replications, sim.targetRelativeError == nil ? 1 : sim.maxReplications)
        if let network = model.network {
            if let population = network.population {
                requestsPerSecond = WorkEstimate.closedRate(users: population.customers, think: population.thinkTime.mean,
                                                            analysis: analysis)
            } else {
                requestsPerSecond = finite(analysis.network?.throughputPerSecond) ?? finite(analysis.throughputPerSecond)
                    ?? network.arrivals.reduce(0) { $0 + $1.ratePerSecond }
            }
            // Every visit is an operation; the entry and the exit are two more.
            operationsPerRequest = 2 + analysis.stations.reduce(0) { $0 + $1.visits }
        } else {
            var rate = analysis.peakArrivalRatePerSecond ?? analysis.arrivalRatePerSecond ?? analysis.throughputPerSecond ?? 0
            if case let .closed(users, think)? = model.workload?.arrivals {
                rate = WorkEstimate.closedRate(users: users, think: think.mean, analysis: analysis)
            }
            requestsPerSecond = rate
            // Downstream of a rate limiter only the requests it lets through take their steps (a
            // rejected one is its arrival and its 429): the share each endpoint's limiters pass at
            // this rate, the fluid bound min(1, keys x copies x limiter rate / offered) (an upper
            // bound, so the estimate still errs long; WebDemands.rateLimiterPassFractions).
            let passing = WebDemands.rateLimiterPassFractions(model, requestRate: rate)
            var perRequest = 0.0
            for entry in model.workload?.mix ?? [] {
                if let e = model.endpoint(named: entry.endpoint) {
                    perRequest += entry.weight * (passing[e.name] ?? 1) * WorkEstimate.operations(e.steps, model: model, depth: 0)
                }
            }
            operationsPerRequest = 2 + perRequest
        }
        let total = requestsPerSecond * horizonSeconds * Double(replications) * operationsPerRequest
        operations = total.isFinite ? total : .greatestFiniteMagnitude
    }

    /// The request rate of a closed population of `users`, for any number of them: the MVA
    /// throughput when the analysis has a finite one, never above the asymptotic bound
    /// `X(N) <= min(N / (Z + R0), min_k c_k / D_k)` (Lazowska et al., ch. 5), which holds for any
    /// service distributions and needs no solution at all, so a population MVA cannot solve
    /// (or one whose solution is not a number) is still estimated, from above. Infinite only
    /// when the cycle takes no time and no resource caps it (times that round to nothing).
    package static func closedRate(users: Int, think: Double, analysis: Analysis) -> Double {
        let cycle = think + analysis.bounds.minResponseSeconds
        let byUsers = cycle > 0 ? Double(users) / cycle : Double.infinity
        let bound = min(byUsers, finite(analysis.bounds.maxThroughputPerSecond) ?? .infinity)
        let solved = finite(analysis.network?.throughputPerSecond) ?? finite(analysis.throughputPerSecond)
        guard let solved, solved >= 0 else { return bound }
        return min(solved, bound)
    }

    /// Mean operations of a step list (repeats by their mean count, every branch of a parallel
    /// step, both sides of a cache lookup as an upper bound, the jobs it enqueues).
    package static func operations(_ steps: [Step], model: Model, depth: Int) -> Double {
        guard depth < 32 else { return 0 } // a job that enqueues itself: bounded, not infinite
        var total = 0.0
        for step in steps {
            switch step {
            case .cpu, .query, .call, .sleep: total += 1
            case .http: total += 3  // a connection, the upstream's server, the answer
            case let .cache(c):
                total += 1 + max(operations(c.hit, model: model, depth: depth + 1), operations(c.miss, model: model, depth: depth + 1))
            case let .repeat(count, inner): total += count.mean * operations(inner, model: model, depth: depth + 1)
            case let .parallel(branches): total += 1 + branches.reduce(0) { $0 + operations($1, model: model, depth: depth + 1) }
            case let .transaction(t): total += 2 + operations(t.steps, model: model, depth: depth + 1)
            case let .enqueue(name):
                total += 1 + (model.jobQueue(named: name).map { 2 + operations($0.steps, model: model, depth: depth + 1) } ?? 0)
            }
        }
        return total
    }

    /// `about 4.1e9 operations (1,000/s x 10 min x 10 replications x 41 per request): about 23 CPU-minutes`
    public var summary: String {
        "about \(WorkEstimate.compact(operations)) operations (\(WorkEstimate.compact(requestsPerSecond))/s x \(formatDuration(horizonSeconds)) x \(replications) replication\(replications == 1 ? "" : "s") x \(WorkEstimate.compact(operationsPerRequest)) per request): about \(WorkEstimate.cpuTime(cpuSeconds)) of CPU"
    }

    /// `1.2e10`, `350000`, `2.5`.
    public static func compact(_ x: Double) -> String {
        // Times that round to nothing (think and service of 1e-320 s) make the analytic rate
        // infinite or 0/0: say so rather than print `-nan`.
        guard x.isFinite else { return "unbounded" }
        if x >= 1e6 { return String(format: "%.2g", x).replacingOccurrences(of: "e+", with: "e") }
        if x >= 100 { return String(format: "%.0f", x) }
        return String(format: "%.3g", x)
    }

    /// `40 seconds`, `23 minutes`, `80 hours`, `3 years`.
    package static func cpuTime(_ seconds: Double) -> String {
        if seconds < 90 {
            let n = max(1, Int(seconds.rounded()))
            return "\(n) second\(n == 1 ? "" : "s")"
        }
        if seconds < 5400 { return "\(Int((seconds / 60).rounded())) minutes" }
        if seconds < 3 * 86400 { return "\(Int((seconds / 3600).rounded())) hours" }
        if seconds < 2 * 365 * 86400 { return "\(Int((seconds / 86400).rounded())) days" }
        let years = seconds / (365 * 86400)
        return years < 1e6 ? "\(Int(years.rounded())) years" : "\(compact(years)) years"
    }
}

/// The work budget every simulating command applies (`--budget`, docs/cli.md "Work estimate and
/// budget"): the estimated operations of everything the command would simulate, summed (a
/// sweep's cells, a plan's candidates up to `--max-simulations`, a breakpoint search's loads),
/// against the same default as `run`.
public enum WorkBudget {
    /// The refusal message when `operations` passes `budget` (nil: the default), else nil.
    /// `what` says what would be simulated (`this sweep would simulate`), `detail` how the total
    /// is made up (`over 40 cells`).
    /// `partial`: `operations` counts only part of the work (the rest was not estimated), so no
    /// budget that would admit it all can be named.
    public static func refusal(_ what: String, operations: Double, detail: String, budget: Double?,
                               partial: Bool = false) -> String? {
        let limit = budget ?? WorkEstimate.budgetOperations
        guard operations > limit else { return nil }
        let cpu = WorkEstimate.cpuTime(operations / WorkEstimate.operationsPerCPUSecond)
        let override = partial ? "pass --budget unlimited" : overrideHint(operations: operations)
        return "\(what) \(partial ? "more than" : "about") \(WorkEstimate.compact(operations)) operations (\(detail)): \(partial ? "more than" : "about") \(cpu) of CPU, more than the budget of \(WorkEstimate.compact(limit)) operations: shorten --horizon, lower --replications or the load, or \(override) to run it anyway"
    }
}

extension WorkBudget {
    /// How to run it anyway, with a value `--budget` accepts: a number a little above the
    /// estimate (`compact` rounds to two digits, so 1 % more is never below it), or only
    /// `unlimited` when the estimate is no finite number (there is no number to name).
    public static func overrideHint(operations: Double) -> String {
        let suggested = operations * 1.01
        guard suggested.isFinite, suggested < Double.greatestFiniteMagnitude / 2 else { return "pass --budget unlimited" }
        return "pass --budget \(WorkEstimate.compact(suggested)) (or --budget unlimited)"
    }
}

/// Work admitted so far against a budget, for a command that decides its simulations one at a
/// time (`verify`, `reproduce`: a claim's points and scenarios): each simulation's estimate is
/// added before it runs, and the one that would pass the budget is refused.
public final class WorkBudgetTally: @unchecked Sendable {
    private let lock = NSLock()
    public let budgetOperations: Double?
    private var admitted = 0.0
    private var simulations = 0
    private var refusalText: String?

    public init(budgetOperations: Double?) { self.budgetOperations = budgetOperations }

    /// Why the command stopped, if the budget stopped it.
    public var refusal: String? { lock.lock(); defer { lock.unlock() }; return refusalText }

    /// Adds one simulation of `operations`; false (and `refusal` set) when it would pass the budget.
    public func admit(_ operations: Double, what: String, next: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        let total = admitted + operations
        if let text = WorkBudget.refusal(what, operations: total,
                                         detail: "\(simulations) simulation\(simulations == 1 ? "" : "s") admitted, then \(next)",
                                         budget: budgetOperations) {
            refusalText = text
            return false
        }
        admitted = total
        simulations += 1
        return true
    }
}
