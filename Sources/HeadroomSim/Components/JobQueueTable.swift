// The job queues' table: each queue's capacity, its workers (a token pool whose queue is the
// jobs waiting), and its counters. The behaviour is in WebEngine+Jobs and `terminate`.

import HeadroomKernel
import HeadroomModel

struct JobQueueTable {
    let capacity: Slab<Int?>
    var workers: Slab<TokenPool>

    // Counters since the warm-up.
    var enqueued: Slab<Int>
    var completed: Slab<Int>
    var failed: Slab<Int>
    /// From enqueue to the end of the job.
    var latency: Slab<LatencyRecorder>

    init(model: Model) {
        let queues = model.jobQueues
        capacity = Slab(queues.map(\.capacity))
        workers = Slab(queues.map { TokenPool(size: max(1, $0.workers)) })
        enqueued = Slab(repeating: 0, count: queues.count)
        completed = Slab(repeating: 0, count: queues.count)
        failed = Slab(repeating: 0, count: queues.count)
        latency = Slab(repeating: LatencyRecorder(), count: queues.count)
    }

    mutating func restartStatistics(atSeconds now: Double) {
        for i in workers.indices { workers[i].restartStatistics(atSeconds: now) }
        enqueued = Slab(repeating: 0, count: enqueued.count)
        completed = Slab(repeating: 0, count: completed.count)
        failed = Slab(repeating: 0, count: failed.count)
        latency = Slab(repeating: LatencyRecorder(), count: latency.count)
    }

    func results(model: Model, atSeconds now: Double) -> [JobQueueResult] {
        model.jobQueues.enumerated().map { i, queue in
            JobQueueResult(name: queue.name, enqueued: enqueued[i], completed: completed[i], failed: failed[i],
                           latency: latency[i], meanWaiting: workers[i].waiting.mean(atSeconds: now),
                           workerUtilization: workers[i].inUse.mean(atSeconds: now) / Double(workers[i].size))
        }
    }
}
