/// A processor-sharing station with `cores` cores: every job present progresses at rate
/// min(1, cores / n) when n jobs are present. This is a database whose active queries outnumber
/// its cores: eight queries on two cores each run at a quarter speed, so each takes four times
/// its stand-alone time (the M/G/c-PS model; for c = 1, M/G/1-PS has E[T] = E[S] / (1 - rho)
/// whatever the service distribution).
///
/// Implemented with virtual time: V(t) is the service attained by any job present since t = 0
/// (all present jobs attain service at the same rate). A job arriving with work w at virtual
/// time V finishes when V reaches V + w, so jobs leave in order of that finish tag, kept in a
/// min-heap. Arrivals and departures only change the rate, not the tags: O(log n) per event.
///
/// The next completion time changes with every arrival, so the caller schedules a completion
/// event tagged with ``generation`` and ignores it if the generation has moved on (lazy
/// cancellation).
public struct ProcessorSharingStation: Sendable {
    public let cores: Int
    @usableFromInline var virtualTime: Double = 0
    @usableFromInline var lastUpdateSeconds: Double
    /// Jobs present by finish tag, ties in arrival order: the same binary heap as the event
    /// calendar, keyed by the tag instead of a time (it replaced swift-collections' min-max
    /// `Heap`, which did more work per operation than a min-only use needs).
    @usableFromInline var jobs = EventCalendar<Int32>(reservingCapacity: 16)
    /// Bumped whenever the next completion time changes.
    public var generation: UInt32 { currentGeneration }
    @usableFromInline var currentGeneration: UInt32 = 0

    /// Cores busy over time (utilization = mean / cores).
    public var busyCores: TimeWeightedAverage
    /// Jobs present over time.
    public var jobsPresent: TimeWeightedAverage
    public var completions: Int { completionCount }
    @usableFromInline var completionCount = 0

    /// Slowdown with concurrency, as in Gunther's Universal Scalability Law: with n jobs present
    /// each runs 1 + contention (n - 1) + coherency n (n - 1) times slower than processor sharing
    /// alone would let it, so throughput peaks and then falls as n grows (lock and latch
    /// contention, cache-line and buffer traffic between backends). Both zero: plain PS.
    public let contention: Double
    public let coherency: Double
    @usableFromInline let slowsWithConcurrency: Bool

    public init(cores: Int, startSeconds: Double = 0, contention: Double = 0, coherency: Double = 0) {
        precondition(cores > 0, "a processor-sharing station needs at least one core")
        precondition(contention >= 0 && coherency >= 0, "contention and coherency are non-negative")
        self.cores = cores
        self.contention = contention
        self.coherency = coherency
        slowsWithConcurrency = contention > 0 || coherency > 0
        lastUpdateSeconds = startSeconds
        busyCores = TimeWeightedAverage(atSeconds: startSeconds)
        jobsPresent = TimeWeightedAverage(atSeconds: startSeconds)
    }

    @inlinable public var count: Int { jobs.count }

    /// The service rate each job receives with n present: min(1, cores / n), divided by the
    /// Universal Scalability Law's 1 + contention (n - 1) + coherency n (n - 1) when set.
    @inlinable func ratePerJob(_ n: Int) -> Double {
        let share = n <= cores ? 1 : Double(cores) / Double(n)
        guard slowsWithConcurrency else { return share }
        let m = Double(n)
        return share / (1 + contention * (m - 1) + coherency * m * (m - 1))
    }

    /// Whether every job present runs at full speed (rate 1): no more jobs than cores, and no
    /// slowdown with concurrency. Then V advances with the clock and a job's remaining work is
    /// its remaining time, so the multiplication and the division by the rate (a `divsd`, about
    /// 20 cycles, on every query's arrival and departure) are skipped: x * 1 and x / 1 are exact,
    /// so the results are the same to the bit.
    @inlinable func runsAtFullSpeed(_ n: Int) -> Bool { n <= cores && !slowsWithConcurrency }

    @inlinable @inline(__always) mutating func advance(to now: Double) {
        let n = jobs.count
        if n > 0 {
            if runsAtFullSpeed(n) {
                virtualTime += now - lastUpdateSeconds
            } else {
                virtualTime += (now - lastUpdateSeconds) * ratePerJob(n)
            }
        }
        lastUpdateSeconds = now
    }

    @inlinable @inline(__always) mutating func recordPopulation(atSeconds now: Double) {
        let n = jobs.count
        jobsPresent.update(to: Double(n), atSeconds: now)
        busyCores.update(to: Double(min(n, cores)), atSeconds: now)
    }

    /// A job with `workSeconds` of stand-alone service arrives.
    /// - Complexity: O(log n).
    @inlinable @inline(__always)
    public mutating func arrive(_ customer: Int32, workSeconds: Double, atSeconds now: Double) {
        advance(to: now)
        jobs.schedule(customer, atSeconds: virtualTime + workSeconds)
        currentGeneration &+= 1
        recordPopulation(atSeconds: now)
    }

    /// When the next job will finish if nothing else arrives, or nil if the station is empty.
    @inlinable
    public var nextCompletionSeconds: Double? {
        guard let finishTag = jobs.nextTimeSeconds else { return nil }
        let remaining = Swift.max(0, finishTag - virtualTime)
        let n = jobs.count
        return lastUpdateSeconds + (runsAtFullSpeed(n) ? remaining : remaining / ratePerJob(n))
    }

    /// The job with the smallest finish tag leaves; returns its customer.
    /// - Precondition: the station is not empty.
    /// - Complexity: O(log n).
    @inlinable @inline(__always)
    public mutating func completeNext(atSeconds now: Double) -> Int32 {
        advance(to: now)
        let job = jobs.popNext()!
        // Rounding may leave the tag a hair ahead of V; the job is done either way.
        if job.timeSeconds > virtualTime { virtualTime = job.timeSeconds }
        currentGeneration &+= 1
        completionCount += 1
        recordPopulation(atSeconds: now)
        return job.payload
    }

    public mutating func restartStatistics(atSeconds now: Double) {
        busyCores.restart(atSeconds: now)
        jobsPresent.restart(atSeconds: now)
        completionCount = 0
    }
}
