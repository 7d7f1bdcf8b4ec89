// The request threads' table (`instances.threads`: Tomcat, Puma, gunicorn sync): each
// instance's threads (a token pool whose queue is the accept queue), the accept queue's bound,
// and the counters. A request takes a thread when its instance accepts it and gives it back when
// its root entity ends (`terminate`); the behaviour is in WebEngine+Threads.

import HeadroomKernel
import HeadroomModel

struct ThreadTable {
    /// Whether the model has request threads at all (every other field is empty without).
    let enabled: Bool
    let perInstance: Int
    /// Requests that may wait for a thread, per instance; `Int.max` for an unbounded queue.
    let acceptQueue: Int
    /// Per instance: its threads; the waiters are the accept queue.
    var threads: Slab<TokenPool>

    // Counters since the warm-up, per instance.
    var peakBusy: Slab<Int>
    var rejected: Slab<Int>

    init(model: Model, instances n: Int) {
        let spec = model.instances.threads
        enabled = spec != nil
        perInstance = spec?.perInstance ?? 0
        acceptQueue = spec.map { $0.acceptQueue ?? Int.max } ?? 0
        threads = Slab(spec.map { s in (0..<n).map { _ in TokenPool(size: max(1, s.perInstance)) } } ?? [])
        peakBusy = Slab(repeating: 0, count: enabled ? n : 0)
        rejected = Slab(repeating: 0, count: enabled ? n : 0)
    }

    /// Whether instance `i` refuses a new request: every thread busy and the accept queue full.
    @inline(__always)
    func refuses(_ i: Int) -> Bool {
        threads[i].heldCount >= perInstance && threads[i].waitingCount >= acceptQueue
    }

    mutating func restartStatistics(atSeconds now: Double) {
        for i in threads.indices {
            threads[i].restartStatistics(atSeconds: now)
            peakBusy[i] = threads[i].heldCount
            rejected[i] = 0
        }
    }

    /// All instances together; nil without request threads.
    func result(atSeconds now: Double) -> ThreadsResult? {
        guard enabled else { return nil }
        var waits = SummaryStatistics()
        for t in threads { waits.merge(t.waitsOfGranted) }
        let busy = threads.reduce(0.0) { $0 + $1.inUse.mean(atSeconds: now) }
        return ThreadsResult(
            threadsPerInstance: perInstance, acceptQueuePerInstance: acceptQueue == Int.max ? nil : acceptQueue,
            utilization: busy / Double(max(1, perInstance * threads.count)), meanBusyThreads: busy,
            peakBusyThreads: peakBusy.reduce(0, max),
            meanInAcceptQueue: threads.reduce(0.0) { $0 + $1.waiting.mean(atSeconds: now) },
            meanAcceptQueueWaitSeconds: waits.mean, accepted: threads.reduce(0) { $0 + $1.grants },
            rejected: rejected.reduce(0, +))
    }
}
