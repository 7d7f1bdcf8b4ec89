// Job queues: an `enqueue` step hands a job to a queue's workers (refused when the queue is at
// capacity); the job runs its own program as an entity holding a job worker.

import HeadroomKernel
import HeadroomModel

extension WebEngine {
    // MARK: Jobs

    mutating func enqueueJob(_ queue: Int32) {
        let q = Int(queue)
        if let capacity = jobQueues.capacity[q], jobQueues.workers[q].waitingCount >= capacity {
            jobQueues.failed[q] += 1
            return
        }
        // A queue without `capacity` still holds at most `maximumWaitingJobs` (memory under overload).
        if jobQueues.workers[q].waitingCount >= WebEngine.maximumWaitingJobs {
            jobQueues.failed[q] += 1
            overloadRejections += 1
            return
        }
        jobQueues.enqueued[q] += 1
        let e = newEntity()
        entities[Int(e)].job = queue
        entities[Int(e)].root = e
        entities[Int(e)].startSeconds = now
        entities[Int(e)].pc = programs.jobStart[q]
        if case .granted = jobQueues.workers[q].acquire(e, atSeconds: now) {
            schedule(.resume, e, at: now)
        }
    }
}
