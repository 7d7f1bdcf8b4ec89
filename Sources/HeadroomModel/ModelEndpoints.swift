// MARK: - Endpoints and steps

public enum RetryCondition: String, Sendable, Hashable {
    /// The client's timeout fired.
    case timeout
    /// The request failed (query failure, acquire timeout, refused connection, failed call).
    case error
    /// Rejected by a rate limiter (429).
    case rateLimited
}

public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in total, the first included (3 = one try and two retries).
    public var maxAttempts: Int
    /// Wait before the first retry.
    public var backoffSeconds: Double
    /// Each later wait is the previous one times this. Default 2.
    public var multiplier: Double
    /// Fraction in [0, 1]: each wait is drawn uniformly in [w(1 - jitter), w]. Default 0.
    public var jitter: Double
    /// Default: timeout and error.
    public var retryOn: Set<RetryCondition>

    public init(maxAttempts: Int, backoffSeconds: Double, multiplier: Double = 2, jitter: Double = 0,
                retryOn: Set<RetryCondition> = [.timeout, .error]) {
        self.maxAttempts = maxAttempts; self.backoffSeconds = backoffSeconds; self.multiplier = multiplier
        self.jitter = jitter; self.retryOn = retryOn
    }
}

public struct Endpoint: Sendable, Hashable {
    public var name: String
    /// Client timeout; nil = the client waits forever.
    public var timeoutSeconds: Double?
    public var retry: RetryPolicy?
    /// false (default): when the client gives up, the server-side work goes on, holding what it holds.
    public var cancelOnTimeout: Bool
    /// Names of rate limiters checked, in order, before the steps run.
    public var rateLimiters: [String]
    public var steps: [Step]

    public init(name: String, timeoutSeconds: Double? = nil, retry: RetryPolicy? = nil, cancelOnTimeout: Bool = false,
                rateLimiters: [String] = [], steps: [Step]) {
        self.name = name; self.timeoutSeconds = timeoutSeconds; self.retry = retry
        self.cancelOnTimeout = cancelOnTimeout; self.rateLimiters = rateLimiters; self.steps = steps
    }
}

public enum QueryKind: String, Sendable, Hashable {
    /// Routed to a replica when the database has replicas and `readRouting` is not `.primary`.
    case read
    /// Always on the primary; the unit of orphaned rows when it is part of a multi-step write.
    case write
}

public struct Query: Sendable, Hashable {
    /// Resolved pool name (explicit, else the transaction's, the job queue's, or the only pool).
    public var pool: String
    public var kind: QueryKind
    /// Service time at the database with the query alone on a core.
    public var time: DistributionSpec
    /// Resolved: the query's own, else the database's `query_failure_probability`, else 0.
    public var failureProbability: Double
    /// Caches this (write) query invalidates, per each cache's `invalidation`.
    public var invalidates: [String]
    /// Optional label for reports.
    public var label: String?
    /// Resolved: the query's own `round_trip`, else the database's, else nil. The time on the
    /// network between the app and the database: the connection is held, no core is used.
    public var roundTrip: DistributionSpec?
    /// `read_from: primary`: a read that always runs on the primary (read-your-writes), whatever
    /// `database.read_routing` says. Default false: routed.
    public var readFromPrimary: Bool = false

    public init(pool: String, kind: QueryKind = .read, time: DistributionSpec, failureProbability: Double = 0,
                invalidates: [String] = [], label: String? = nil, roundTrip: DistributionSpec? = nil) {
        self.roundTrip = roundTrip
        self.pool = pool; self.kind = kind; self.time = time; self.failureProbability = failureProbability
        self.invalidates = invalidates; self.label = label
    }
}

public struct CacheStep: Sendable, Hashable {
    public var cache: String
    /// Steps run on a hit (after the lookup). Often empty.
    public var hit: [Step]
    /// Steps run on a miss; the entry is filled when they complete successfully.
    public var miss: [Step]
    public init(cache: String, hit: [Step] = [], miss: [Step]) { self.cache = cache; self.hit = hit; self.miss = miss }
}

/// An external dependency (HTTP API, S3, ...): a delay that holds no pool connection of ours.
public struct Call: Sendable, Hashable {
    public var name: String
    public var latency: DistributionSpec
    public var failureProbability: Double
    /// The call's own timeout; nil = none.
    public var timeoutSeconds: Double?
    public init(name: String, latency: DistributionSpec, failureProbability: Double = 0, timeoutSeconds: Double? = nil) {
        self.name = name; self.latency = latency; self.failureProbability = failureProbability
        self.timeoutSeconds = timeoutSeconds
    }
}

public struct Transaction: Sendable, Hashable {
    /// One connection of this pool is held from the first step to commit; a failure rolls all back.
    public var pool: String
    public var steps: [Step]
    public init(pool: String, steps: [Step]) { self.pool = pool; self.steps = steps }
}

public indirect enum Step: Sendable, Hashable {
    /// CPU work on the instance's workers (or the job queue's workers).
    case cpu(DistributionSpec)
    case query(Query)
    case cache(CacheStep)
    case call(Call)
    /// Enqueue a job on the named queue and go on at once.
    case enqueue(String)
    /// Run `steps` `count` times in sequence (the N+1 pattern).
    case `repeat`(count: CountSpec, steps: [Step])
    /// Branches run concurrently; the step ends when all have.
    case parallel([[Step]])
    case transaction(Transaction)
    /// Wait without holding a worker (async I/O, timers).
    case sleep(DistributionSpec)
    /// Call the named upstream over HTTP (`upstreams:`), through the instance's client pool.
    case http(String)
}
