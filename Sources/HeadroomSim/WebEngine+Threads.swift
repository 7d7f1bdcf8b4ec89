// Request threads (`instances.threads`): a thread-per-request server (Tomcat, Puma, gunicorn
// sync) gives each accepted request one of its instance's threads and keeps it busy until the
// response, through every wait: a pool connection, the database, a cache, an upstream. A request
// that finds every thread busy waits in the accept queue; one that finds that queue full is
// refused (`startAttempt`). The thread goes back in `terminate`, to the oldest request waiting.

import HeadroomKernel
import HeadroomModel

extension WebEngine {
    /// Takes a thread for the request whose root entity is `e`: true when granted at once, false
    /// when it waits in the accept queue (`releaseThread` resumes it with the thread).
    @inline(__always)
    mutating func takeThread(_ e: Int32, instance: Int) -> Bool {
        let ei = Int(e)
        switch threads.threads[instance].acquire(e, atSeconds: now) {
        case .granted:
            entities[ei].holdsThread = true
            let busy = threads.threads[instance].heldCount
            if busy > threads.peakBusy[instance] { threads.peakBusy[instance] = busy }
            return true
        case .waiting(let ticket):
            entities[ei].queuedOn = .thread
            entities[ei].queueTicket = ticket
            return false
        }
    }

    /// The request of root entity `e` has ended: its thread goes to the oldest request in the
    /// accept queue, which starts its program now, or becomes free.
    mutating func releaseThread(of e: Int32) {
        let ei = Int(e)
        entities[ei].holdsThread = false
        let instance = Int(entities[ei].instance)
        if let next = threads.threads[instance].release(atSeconds: now) {
            entities[Int(next)].holdsThread = true
            entities[Int(next)].queuedOn = .nothing
            schedule(.resume, next, at: now)
        }
    }
}
