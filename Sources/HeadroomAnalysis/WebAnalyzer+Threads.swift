import Foundation
import HeadroomModel
import Queueing
import HeadroomOutput

// Request threads (`instances.threads`) in the analytic answer: the utilization law on a thread
// held for the whole response, and the accept queue as M/M/c/K (an approximation, labelled).

extension WebAnalyzer {
    /// `heldLatencySeconds`: the response time without queueing for connections (holds as the
    /// database stretches them); each pool adds its waits per request: those served wait
    /// `meanWaitSeconds`, those that time out hold the thread for the whole acquire timeout.
    func threads(_ t: RequestThreads, rate: Double, heldLatencySeconds: Double, pools: [Analysis.PoolQueue],
                 resources: [Analysis.Resource], closed: Bool) -> Analysis.ThreadPool {
        let copies = max(1, model.instances.count)
        var hold = heldLatencySeconds
        for p in pools where p.kind == "pool" && rate > 0 {
            let perRequest = p.acquisitionsPerSecond / rate
            guard let wait = p.meanWaitSeconds else { hold = .infinity; break }  // overloaded without a timeout
            let timedOut = p.probabilityOfTimeout ?? 0
            hold += perRequest * ((1 - timedOut) * wait + timedOut * (p.acquireTimeoutSeconds ?? 0))
        }
        let threadsInAll = Double(copies * t.perInstance)
        var pool = Analysis.ThreadPool(
            instances: copies, threadsPerInstance: t.perInstance, acceptQueuePerInstance: t.acceptQueue,
            arrivalsPerSecond: rate, meanHoldSeconds: hold, utilization: rate * hold / threadsInAll, method: "Little")
        if closed {
            // A closed population: the utilization law on the MVA throughput, capped at 1.
            pool.utilization = min(1, pool.utilization)
            return pool
        }
        // Another resource overloaded (a pool whose waiters would wait up to its timeout): the
        // threads fill up behind it and bound its queue, so its waits are not the ones its own
        // queue gives alone. What is certain: all threads busy, and at most its capacity X gets
        // through, so at least 1 - X / lambda of the requests fail or are refused.
        if let worst = resources.filter({ ($0.utilization ?? 0) >= 1 && $0.maxThroughputPerSecond != nil })
            .min(by: { $0.maxThroughputPerSecond! < $1.maxThroughputPerSecond! }), rate > 0 {
            pool.method = "bound"
            pool.utilization = 1
            pool.meanHoldSeconds = heldLatencySeconds  // without queueing: a lower bound here
            pool.behind = worst.id
            pool.lossLowerBound = max(0, 1 - worst.maxThroughputPerSecond! / rate)
            return pool
        }
        guard hold.isFinite, hold > 0, rate > 0 else { return pool }
        let perCopy = rate / Double(copies)
        if let k = t.acceptQueue {
            let (capacity, overflow) = t.perInstance.addingReportingOverflow(k)
            if !overflow, capacity <= 1_000_000,
               let q = try? MMcKQueue(arrivalRatePerSecond: perCopy, meanServiceSeconds: hold, servers: t.perInstance, capacity: capacity) {
                pool.method = "M/M/c/K"
                pool.utilization = q.utilization
                pool.blockingProbability = q.blockingProbability
                pool.meanAcceptQueueWaitSeconds = q.meanWaitSeconds
                pool.meanInAcceptQueue = q.meanQueueLength * Double(copies)
            }
        } else if pool.utilization < 1,
                  let q = try? MMcQueue(arrivalRatePerSecond: perCopy, meanServiceSeconds: hold, servers: t.perInstance) {
            pool.method = "M/M/c"
            pool.meanAcceptQueueWaitSeconds = q.meanWaitSeconds
            pool.meanInAcceptQueue = q.meanQueueLength * Double(copies)
        }
        return pool
    }

    func threadsNote(_ p: Analysis.ThreadPool) -> String {
        let queue = p.acceptQueuePerInstance.map { "an accept queue of \($0)" } ?? "an unbounded accept queue"
        var s = "request threads: \(p.threadsPerInstance) per instance with \(queue), each held for the whole response (\(formatDuration(p.meanHoldSeconds)) per request: the response without queueing plus the pool waits); busy threads = arrival rate x hold (Little's law)"
        switch p.method {
        case "bound": s = "request threads: \(p.threadsPerInstance) per instance with \(queue), each held for the whole response; `\(p.behind ?? "")` is overloaded, so the threads fill up behind it and bound its queue: no closed form for the waits, only the bound that at least \(formatPercent(p.lossLowerBound ?? 0)) of requests fail or are refused (1 - its capacity / the load)"
        case "M/M/c/K": s += "; the accept queue as M/M/c/K per instance (c = threads, K = threads + accept queue) with the hold taken as exponential and each instance's arrivals as Poisson (round robin's are more regular and refuse fewer): an approximation"
        case "M/M/c": s += "; the accept queue as M/M/c per instance with the hold taken as exponential: an approximation"
        default: s += p.meanHoldSeconds.isFinite ? "" : "; a pool overloaded without an acquire timeout makes the hold unbounded"
        }
        return s
    }

    func threadsWarning(_ p: Analysis.ThreadPool, rate: Double) -> String? {
        guard rate > 0 else { return nil }
        if p.method == "bound", let behind = p.behind {
            return "the request threads run out behind `\(behind)`, which is overloaded: every thread busy, \(p.acceptQueuePerInstance.map { "the accept queue of \($0) full, further requests refused" } ?? "the unbounded accept queue growing"); at least \(formatPercent(p.lossLowerBound ?? 0)) of requests fail or are refused (1 - its capacity / the load, a bound)"
        }
        if let b = p.blockingProbability, b >= 0.001 {
            return "the request threads run out: \(p.threadsPerInstance) per instance held \(formatDuration(p.meanHoldSeconds)) each at \(formatRate(rate)) (offered \(formatFraction(rate * p.meanHoldSeconds / Double(p.instances * p.threadsPerInstance))) of the threads); by M/M/c/K (an approximation) \(formatPercent(b)) of requests find the accept queue of \(p.acceptQueuePerInstance ?? 0) full and are refused"
        }
        if p.acceptQueuePerInstance == nil && p.utilization >= 1 {
            return "the request threads run out: offered \(formatFraction(p.utilization)) of \(p.instances * p.threadsPerInstance) threads (>= 1) at \(formatRate(rate)), and the accept queue is unbounded: it grows for as long as the load lasts"
        }
        return nil
    }
}
