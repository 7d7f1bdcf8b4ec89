// The client side of a request: attempts (one per try), the client's timeout, cancellation of
// the server's work when the client gives up, retries with backoff and jitter, and the outcome
// the client records. Then a closed user thinks again.

import HeadroomKernel
import HeadroomModel

extension WebEngine {
    /// `rejected`: refused at a full accept queue (connection refused, `instances.threads`).
    enum Outcome { case success, error, timeout, rateLimited, rejected }

    @inline(__always)
    mutating func newAttempt(endpoint: Int32, user: Int32, number: Int32, closedUser: Int32) -> Int32 {
        let a: Int32
        if let free = freeAttempts.popLast() { a = free } else { attempts.append(Attempt()); a = Int32(attempts.count - 1) }
        attempts[Int(a)] = Attempt(serial: nextSerial, endpoint: endpoint, user: user, number: number,
                                   closedUser: closedUser)
        nextSerial += 1
        return a
    }

    /// The client sends attempt `a`: load balancer, rate limiters, then the endpoint's program.
    mutating func startAttempt(_ a: Int32) {
        let ai = Int(a)
        attempts[ai].startSeconds = now
        attempts[ai].clientWaiting = true
        intervalArrivals += 1
        let endpoint = Int(attempts[ai].endpoint)
        if timelineByEndpoint { intervalEndpoints[endpoint].arrivals += 1 }
        if let timeout = endpointTimeout[endpoint] {
            schedule(.clientTimeout, a, tag: attempts[ai].serial, at: now + timeout, lane: endpointTimeoutLane[endpoint])
        }
        // A client with CPU of its own (`client:`) spends it before the request leaves.
        if hosts.clientCost >= 0 { startClientWork(a); return }
        sendAttempt(a)
    }

    /// The request of attempt `a` leaves the client: load balancer, rate limiters, then the
    /// endpoint's program.
    @inline(__always)
    mutating func sendAttempt(_ a: Int32) {
        let ai = Int(a)
        let endpoint = Int(attempts[ai].endpoint)
        guard let instance = chooseInstance(user: attempts[ai].user) else {
            finishClient(a, .error, cause: .refusedNoInstance)
            return
        }
        attempts[ai].instance = Int32(instance)
        guard instanceAlive[instance] else {
            finishClient(a, .error, cause: .refusedNoInstance)  // connection refused by a dead instance still in rotation
            return
        }
        if endpointHasLimiters[endpoint] {
            for limiter in rateLimiters.ofEndpoint[endpoint] where !admit(limiter: limiter, user: Int(attempts[ai].user), instance: instance) {
                finishClient(a, .rateLimited)
                return
            }
        }
        // The memory cap under overload: an instance holding `maximumRequestsInFlightPerInstance`
        // requests (queued for workers, connections, the database, or running) turns new ones away
        // at once, as a server whose accept backlog is full does; they count as errors.
        guard inFlight[instance] < WebEngine.maximumRequestsInFlightPerInstance else {
            overloadRejections += 1
            finishClient(a, .error, cause: .refusedOverloadCap)
            return
        }
        // A thread-per-request server refuses the connection when every thread is busy and its
        // accept queue is full.
        if threads.enabled && threads.refuses(instance) {
            threads.rejected[instance] += 1
            finishClient(a, .rejected)
            return
        }
        attempts[ai].serverRunning = true
        inFlight[instance] += 1
        let e = newEntity()
        attempts[ai].rootEntity = e
        entities[Int(e)].attempt = a
        entities[Int(e)].root = e
        entities[Int(e)].instance = Int32(instance)
        entities[Int(e)].pc = endpointStart[endpoint]
        entities[Int(e)].startSeconds = now
        // Queued in the accept queue: it runs when a thread frees (`releaseThread` resumes it).
        if threads.enabled && !takeThread(e, instance: instance) { return }
        advance(e)
    }

    // MARK: Client side

    mutating func clientTimeout(_ a: Int32, serial: UInt64) {
        let ai = Int(a)
        guard attempts[ai].serial == serial, attempts[ai].clientWaiting else { return }
        let cancel = endpointCancelOnTimeout[Int(attempts[ai].endpoint)] && attempts[ai].serverRunning
        if cancel { attempts[ai].cancelled = true }
        // The client gives up first, so a request taken out of a queue below ends as this
        // timeout, not as an error of its own (issue 25: it was counted as an error).
        finishClient(a, .timeout, cause: timeoutCause(of: a))
        if cancel { cancelWaiters(of: a) }
    }

    /// A cancelled attempt whose request is queued for a connection leaves the queue now; an
    /// entity doing anything else stops at its next step boundary (a running query runs to its
    /// end, as a statement cancel would take a moment to land).
    mutating func cancelWaiters(of a: Int32) {
        let e = attempts[Int(a)].rootEntity
        guard e >= 0, entities[Int(e)].live, entities[Int(e)].attempt == a else { return }
        let ei = Int(e)
        switch entities[ei].queuedOn {
        case .pool:
            if pools.tokens[Int(entities[ei].poolSlot)].abandon(ticket: entities[ei].queueTicket, atSeconds: now) {
                entities[ei].poolSlot = -1
                entities[ei].queuedOn = .nothing
                terminate(e, failed: true)
            }
        case .pooler:
            if poolers.tokens[Int(entities[ei].poolerSlot)].abandon(ticket: entities[ei].queueTicket, atSeconds: now) {
                entities[ei].poolerSlot = -1
                entities[ei].queuedOn = .nothing
                releaseConnection(e)
                terminate(e, failed: true)
            }
        case .upstreamConnection:
            cancelUpstreamConnectionWait(e)
        case .thread:
            if threads.threads[Int(entities[ei].instance)].abandon(ticket: entities[ei].queueTicket, atSeconds: now) {
                entities[ei].queuedOn = .nothing
                terminate(e, failed: true)
            }
        case .nothing:
            break
        }
    }

    /// The client learns the outcome of attempt `a` (or gives up on it). A failure is counted
    /// at `cause`, or where the server recorded it (`recordFailure`).
    mutating func finishClient(_ a: Int32, _ outcome: Outcome, cause: FailureCause? = nil) {
        let ai = Int(a)
        guard attempts[ai].clientWaiting else { return }
        attempts[ai].clientWaiting = false
        let endpoint = Int(attempts[ai].endpoint)
        tallies[endpoint].attempts += 1
        if attempts[ai].number > 1 { tallies[endpoint].retries += 1 }
        switch outcome {
        case .success:
            let latency = now - attempts[ai].startSeconds
            tallies[endpoint].succeeded += 1
            tallies[endpoint].latency.record(seconds: latency)
            // Only the timeline reads the interval's latencies.
            if timelineInterval != nil { intervalLatency.record(seconds: latency) }
            intervalCompletions += 1
        case .error:
            tallies[endpoint].errors += 1
            intervalErrors += 1
        case .timeout:
            tallies[endpoint].timeouts += 1
            intervalTimeouts += 1
        case .rateLimited:
            tallies[endpoint].rateLimited += 1
            intervalRateLimited += 1
        case .rejected:
            tallies[endpoint].rejected += 1
            intervalRejected += 1
        }
        if outcome != .success {
            let where_: FailureCause
            switch outcome {
            case .rateLimited: where_ = .rateLimited
            case .rejected: where_ = .refusedAcceptQueue
            case .timeout: where_ = cause ?? .timeoutOther
            default:
                let recorded = attempts[ai].failure
                where_ = cause ?? (recorded == Attempt.noFailure ? .errorOther : FailureCause(rawValue: Int(recorded)) ?? .errorOther)
            }
            failureCounts[endpoint * FailureCause.allCases.count + where_.rawValue] += 1
        }
        if timelineByEndpoint { countForTimeline(endpoint: endpoint, outcome, latencySeconds: now - attempts[ai].startSeconds) }
        if latencyOfAll && outcome != .success {
            // `latency_of: all`: timed when the client learned of the failure; a timeout fires
            // at exactly the client's timeout after the send.
            let latency = now - attempts[ai].startSeconds
            tallies[endpoint].latency.record(seconds: latency)
            if timelineInterval != nil { intervalLatency.record(seconds: latency) }
        }
        let closedUser = attempts[ai].closedUser
        var retrying = false
        if outcome != .success, endpointHasRetry[endpoint], let retry = model.endpoints[endpoint].retry,
           attempts[ai].number < retry.maxAttempts {
            // A refused connection is an error to the client's retry policy.
            let condition: RetryCondition = outcome == .timeout ? .timeout : outcome == .rateLimited ? .rateLimited : .error
            if retry.retryOn.contains(condition) {
                var wait = retry.backoffSeconds
                for _ in 1..<Int(attempts[ai].number) { wait *= retry.multiplier }
                wait *= 1 - retry.jitter * retryStream.uniform()
                let next = newAttempt(endpoint: attempts[ai].endpoint, user: attempts[ai].user,
                                      number: attempts[ai].number + 1, closedUser: closedUser)
                schedule(.startAttempt, next, tag: attempts[Int(next)].serial, at: now + wait)
                retrying = true
            }
        }
        if !retrying, closedUser >= 0, let thinkTime {
            // A client learns of an instant rejection (a 429, a dead instance) no sooner than a
            // network round trip: a floor of 1 ms keeps a zero-think user from looping at one
            // instant of simulated time.
            let floor = now == attempts[ai].startSeconds ? WebEngine.instantRejectionSeconds : 0
            schedule(.thinkEnd, closedUser, at: now + max(floor, thinkTime.sample(thinkStream)))
        }
        releaseAttemptIfDone(a)
    }

    static let instantRejectionSeconds = 0.001

    /// `--timeline-by-endpoint`: the outcome in the endpoint's interval counters, its response
    /// time among the interval's (successes, or every outcome with `latency_of: all`).
    mutating func countForTimeline(endpoint: Int, _ outcome: Outcome, latencySeconds: Double) {
        switch outcome {
        case .success: intervalEndpoints[endpoint].completions += 1
        case .error: intervalEndpoints[endpoint].errors += 1
        case .timeout: intervalEndpoints[endpoint].timeouts += 1
        case .rateLimited: intervalEndpoints[endpoint].rateLimited += 1
        case .rejected: intervalEndpoints[endpoint].rejected += 1
        }
        if outcome == .success || latencyOfAll { intervalEndpointLatency[endpoint].record(seconds: latencySeconds) }
    }

    @inline(__always)
    mutating func releaseAttemptIfDone(_ a: Int32) {
        let ai = Int(a)
        if attempts[ai].serial != 0 && !attempts[ai].clientWaiting && !attempts[ai].serverRunning {
            attempts[ai].serial = 0
            freeAttempts.append(a)
        }
    }
}
