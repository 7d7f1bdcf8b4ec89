// Instances and their workers: the load balancer choosing an instance, a `cpu` step holding one
// of the instance's workers while it computes, and an instance dying (its clients see errors,
// a health check takes it out of rotation).

import HeadroomKernel
import HeadroomModel

extension WebEngine {
    /// A `cpu` step: computes for a sampled time holding one of its instance's workers, queued
    /// first if all are busy (a job already holds its job worker for its whole run).
    @_transparent
    mutating func runCPU(_ e: Int32, time d: Int32) -> Bool {
        let ei = Int(e)
        if entities[ei].job >= 0 {
            if entities[ei].state == .start {
                entities[ei].state = .computing
                schedule(.delayEnd, e, at: now + distributions[Int(d)].sample(serviceStreams[Int(d)]))
                return false
            }
        } else {
            let instance = Int(entities[ei].instance)
            switch entities[ei].state {
            case .start:
                entities[ei].state = .waitingForWorker
                if case .granted = workers[instance].acquire(e, atSeconds: now) {
                    entities[ei].state = .computing
                    compute(e, instance: instance, seconds: distributions[Int(d)].sample(serviceStreams[Int(d)]))
                }
                return false
            case .waitingForWorker:
                // Granted a worker after waiting (resumed by the releaser).
                entities[ei].state = .computing
                compute(e, instance: instance, seconds: distributions[Int(d)].sample(serviceStreams[Int(d)]))
                return false
            default:
                // Done computing: the worker goes to the next in its queue.
                if let next = workers[instance].release(atSeconds: now) {
                    schedule(.resume, next, at: now)
                }
            }
        }
        step(e)
        return true
    }

    @inline(__always)
    mutating func chooseInstance(user: Int32) -> Int? {
        // Every instance in rotation (the usual case): the candidates are 0..<instanceCount,
        // chosen without building the list.
        if instancesInRotation == instanceCount { return chooseInstance(user: user, among: 0..<instanceCount) }
        return chooseInstance(user: user, among: (0..<instanceCount).filter { inRotation[$0] })
    }

    @inline(__always)
    mutating func chooseInstance<C: RandomAccessCollection>(user: Int32, among candidates: C) -> Int?
    where C.Element == Int, C.Index == Int {
        guard !candidates.isEmpty else { return nil }
        // One candidate: the balancer has no choice to make (no draw: the balancer stream feeds
        // nothing else); round robin still counts the request, as below.
        if candidates.count == 1 {
            roundRobinNext += 1
            return candidates[candidates.startIndex]
        }
        switch model.instances.balancer {
        case .roundRobin:
            roundRobinNext += 1
            return candidates[roundRobinNext % candidates.count]
        case .random:
            return candidates[min(candidates.count - 1, Int(balancerStream.uniform() * Double(candidates.count)))]
        case .leastConnections:
            roundRobinNext += 1
            var best = candidates[roundRobinNext % candidates.count]
            for c in candidates where inFlight[c] < inFlight[best] { best = c }
            return best
        case .sticky:
            return candidates[Int(StreamSeed.mix(UInt64(user)) % UInt64(candidates.count))]
        }
    }

    /// Token bucket: refill at `rate` up to `burst`, take one token. Fixed window: at most

    mutating func instanceDies(_ instance: Int) {
        instanceAlive[instance] = false
        // Clients of in-flight requests see their connections reset.
        for a in 0..<attempts.count where attempts[a].clientWaiting && attempts[a].serverRunning && attempts[a].instance == Int32(instance) {
            finishClient(Int32(a), .error, cause: .errorInstanceDied)
        }
        if let interval = model.instances.healthCheckIntervalSeconds {
            schedule(.instanceLeavesRotation, Int32(instance), at: now + interval)
        }
    }
}
