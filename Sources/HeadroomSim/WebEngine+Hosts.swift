// Hosts and CPU: work placed on a host (a `cpu` step's worker thread, a query's backend, a
// pooler's thread, the client's thread) runs as one job of the host's processor-sharing
// station, so everything on a host shares its cores; a pooler's single thread and the
// client's threads (FIFO queues in front of their CPU); and CPU-limited instances, whose
// threads stop when their group's quota for the period is spent (cgroup CFS throttling).
// Work not placed on a host, in a group without a limit, is a plain delay, as before hosts.
// See docs/hosts.md.

import HeadroomKernel
import HeadroomModel

extension WebEngine {
    /// Runs `seconds` of CPU (measured at speed 1) for job `job` on host `host` (-1: on a core
    /// of its own, a plain delay). An entity is resumed (`advance`) when its work is done; a
    /// negative job is the client's work for attempt `-job - 1`.
    @inline(__always)
    mutating func runWork(_ job: Int32, seconds: Double, host: Int, tenant: HostTenant) {
        if host < 0 {
            if job >= 0 { schedule(.delayEnd, job, at: now + seconds) } else { schedule(.clientWorkDone, -job - 1, at: now + seconds) }
            return
        }
        let work = seconds / hosts.speed[host]
        let t = host * HostTenant.count + tenant.rawValue
        hosts.demandSeconds[t] += work
        hosts.tenantPresent[t].add(1, atSeconds: now)
        hosts.stations[host].arrive(job, workSeconds: work, atSeconds: now)
        scheduleHostCompletion(host)
    }

    /// Schedules host `host`'s next completion, tagged with the station's generation: an
    /// arrival or departure moves it, and the event it replaces is ignored when it fires.
    @inline(__always)
    mutating func scheduleHostCompletion(_ host: Int) {
        if let t = WebEngine.nextCompletionSeconds(of: &hosts.stations[host]) {
            schedule(.hostDone, Int32(host), tag: UInt64(hosts.stations[host].generation), at: max(t, now))
        }
    }

    /// A host's next job is done: the thread leaves the host and its owner carries on.
    mutating func hostDone(host: Int, generation: UInt64) {
        guard UInt64(UInt32(truncatingIfNeeded: hosts.stations[host].generation)) == generation & 0xFFFF_FFFF else { return }
        let job = hosts.stations[host].completeNext(atSeconds: now)
        scheduleHostCompletion(host)
        let tenant: HostTenant
        if job < 0 {
            tenant = .client
        } else {
            switch entities[Int(job)].state {
            case .atDatabase: tenant = .database
            case .atPoolerThread: tenant = .pooler
            default: tenant = .instances
            }
        }
        hosts.tenantPresent[host * HostTenant.count + tenant.rawValue].add(-1, atSeconds: now)
        if job < 0 { clientWorkDone(-job - 1) } else { advance(job) }
    }

    // MARK: cpu steps on hosts and under CPU limits

    /// A `cpu` step's work, its worker held: on the instance's host, in its CPU-limited group,
    /// or (neither) a delay, exactly as before hosts.
    @inline(__always)
    mutating func compute(_ e: Int32, instance: Int, seconds: Double) {
        let host = Int(hosts.instanceHost[instance])
        if host >= 0 {
            runWork(e, seconds: seconds, host: host, tenant: .instances)
        } else if hosts.hasLimit {
            hosts.limited[instance].arrive(e, workSeconds: seconds, atSeconds: now)
            scheduleLimitedEvent(instance)
        } else {
            schedule(.delayEnd, e, at: now + seconds)
        }
    }

    @inline(__always)
    mutating func scheduleLimitedEvent(_ instance: Int) {
        if let t = hosts.limited[instance].nextEventSeconds {
            schedule(.limitedGroupDue, Int32(instance), tag: UInt64(hosts.limited[instance].generation), at: max(t, now))
        }
    }

    /// Something happens in a CPU-limited instance's group: a thread finishes, the quota runs
    /// out (every thread stops), or the period ends (the quota is refilled).
    mutating func limitedGroupDue(instance: Int, generation: UInt64) {
        guard UInt64(hosts.limited[instance].generation) == generation & 0xFFFF_FFFF else { return }
        hosts.limited[instance].advance(to: now)
        let done = hosts.limited[instance].completeDue()
        hosts.limited[instance].generation &+= 1
        scheduleLimitedEvent(instance)
        if let done { advance(done) }
    }

    // MARK: a pooler's thread

    /// After the pooler has given the transaction a server connection: PgBouncer's one thread
    /// does its work for the transaction (and for the client connection, if this one was just
    /// opened), FIFO, on the pooler's host or its own core. Returns true when done (the
    /// connection is then ready), false while the entity waits for the thread or runs on it.
    @inline(__always)
    mutating func runPoolerCPU(_ e: Int32, pooler: Int) -> Bool {
        let ei = Int(e)
        switch entities[ei].state {
        case .atPoolerThread:
            if let next = hosts.poolerThread[pooler].release(atSeconds: now) { schedule(.resume, next, at: now) }
            entities[ei].state = .connectionReady
            return true
        case .waitingForPoolerThread:
            break
        default:
            entities[ei].state = .waitingForPoolerThread
            guard case .granted = hosts.poolerThread[pooler].acquire(e, atSeconds: now) else { return false }
        }
        var seconds = 0.0
        let perTransaction = Int(hosts.poolerTransactionCost[pooler])
        if perTransaction >= 0 { seconds += hosts.costs[perTransaction].sample(hosts.costStreams[perTransaction]) }
        let perConnection = Int(hosts.poolerConnectionCost[pooler])
        if perConnection >= 0 && entities[ei].openedPoolConnection {
            seconds += hosts.costs[perConnection].sample(hosts.costStreams[perConnection])
        }
        entities[ei].openedPoolConnection = false
        entities[ei].state = .atPoolerThread
        runWork(e, seconds: seconds, host: Int(hosts.poolerHost[pooler]), tenant: .pooler)
        return false
    }

    // MARK: the client's own CPU

    /// The client (the load generator) spends its CPU for attempt `a` on one of its threads
    /// before sending it: the attempt's latency counts from its start, so waiting for the
    /// client's thread and core counts too (as pgbench times a scheduled transaction).
    mutating func startClientWork(_ a: Int32) {
        attempts[Int(a)].serverRunning = true  // the client's work keeps the attempt alive
        if case .granted = hosts.clientThreads.acquire(-a - 1, atSeconds: now) { clientThreadGranted(-a - 1) }
    }

    mutating func clientThreadGranted(_ job: Int32) {
        let c = Int(hosts.clientCost)
        runWork(job, seconds: hosts.costs[c].sample(hosts.costStreams[c]), host: hosts.clientHost, tenant: .client)
    }

    /// The client's work for attempt `a` is done: its thread goes to the next attempt, and the
    /// request is sent (unless the client gave up on it meanwhile).
    mutating func clientWorkDone(_ a: Int32) {
        if let next = hosts.clientThreads.release(atSeconds: now) { clientThreadGranted(next) }
        let ai = Int(a)
        attempts[ai].serverRunning = false
        if attempts[ai].clientWaiting {
            sendAttempt(a)
        } else {
            releaseAttemptIfDone(a)
        }
    }
}
