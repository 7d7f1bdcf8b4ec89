// Delays that hold nothing: a `sleep` step, and an external `call` (an HTTP upstream, a
// payment provider) with a latency, a failure probability and its own timeout. A component that
// holds a resource of its own (say, an upstream with a connection pool) would get its own file,
// like WebEngine+Connections.

import HeadroomKernel
import HeadroomModel

extension WebEngine {
    /// A `sleep` step: waits a sampled time.
    @_transparent
    mutating func runSleep(_ e: Int32, time d: Int32) -> Bool {
        let ei = Int(e)
        if entities[ei].state == .start {
            entities[ei].state = .delayed
            schedule(.delayEnd, e, at: now + distributions[Int(d)].sample(serviceStreams[Int(d)]))
            return false
        }
        step(e)
        return true
    }

    /// A `call` step: waits the call's sampled latency, or its timeout if that comes first (the
    /// call is then abandoned and fails); an answer in time fails with the call's probability.
    @_transparent
    mutating func runCall(_ e: Int32, latency d: Int32, failureProbability failure: Double, timeoutSeconds timeout: Double) -> Bool {
        let ei = Int(e)
        if entities[ei].state == .start {
            let latency = distributions[Int(d)].sample(serviceStreams[Int(d)])
            entities[ei].state = latency > timeout ? .callTimedOut : .delayed
            schedule(.delayEnd, e, at: now + min(latency, timeout))
            return false
        }
        if entities[ei].state == .callTimedOut || (failure > 0 && failureStream.uniform() < failure) {
            fail(e, .errorCall)
            return false
        }
        step(e)
        return true
    }
}
