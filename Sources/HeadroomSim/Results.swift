import HeadroomKernel
import HeadroomModel

/// The caps that keep an overloaded run's memory bounded (docs/model-reference.md, "Overload").
/// Each request in flight costs an attempt and an entity (about 200 bytes): 100,000 per instance
/// is tens of MB, where an unbounded queue at 10^7 requests/s grew to 8 GB in 20 s. No bundled
/// model comes near them.
public enum OverloadCaps {
    /// Requests in flight on one instance (queued for a worker, a connection or the database, or
    /// running) beyond which a new request is refused at once, as by a full accept backlog: an error.
    public static let requestsInFlightPerInstance = 100_000
    /// Jobs waiting in one job queue without a `capacity`, beyond which an enqueue fails.
    public static let waitingJobsPerQueue = 100_000
    /// Customers at one network station without a `capacity` (in service and waiting), beyond
    /// which an arrival is lost, as at a finite capacity.
    public static let customersPerStation = 100_000
}

/// What one replication of a model measured, after warm-up deletion. Plain values: the study
/// layer combines replications into estimates with confidence intervals.
public struct SystemRunResult: Sendable {
    /// Length of the observation window (horizon minus warm-up), in seconds.
    public var observedSeconds: Double
    public var endpoints: [EndpointResult]
    /// The app instances' workers (event loops); nil for a plain network.
    public var instances: InstancesResult?
    public var pools: [PoolResult]
    public var poolers: [PoolerResult]
    public var database: DatabaseResult?
    public var caches: [CacheResult]
    public var jobQueues: [JobQueueResult]
    /// HTTP upstreams (empty for a model without `upstreams:`).
    public var upstreams: [UpstreamResult] = []
    /// Multi-step writes outside a transaction that failed after some writes had committed.
    public var orphanedWrites: Int
    /// Results of a plain `network:` model (nil for a web-backend model).
    public var network: QueueingNetworkResult?
    public var eventsProcessed: Int
    public var timeline: [TimelineSample]
    /// Requests refused because their instance already had `WebEngine.maximumRequestsInFlightPerInstance`
    /// in flight, and jobs refused because their queue already had `maximumWaitingJobs` waiting
    /// (both counted as errors where they land): what keeps an overloaded run's memory bounded.
    public var overloadRejections: Int
    /// The instances' request threads (nil for a model without `instances.threads`).
    public var threads: ThreadsResult? = nil
    /// Hosts (empty for a model without `hosts:`).
    public var hosts: [HostResult] = []
    /// Each pooler's own thread, for poolers with a CPU cost (empty otherwise).
    public var poolerThreads: [PoolerThreadResult] = []
    /// The client's threads, when the client has a CPU cost; nil otherwise.
    public var clientThreads: ClientThreadsResult?
    /// Throttling of CPU-limited instances; nil without `cpu_limit`.
    public var cpuLimit: CPULimitResult?
}

/// A host: how busy its cores were, and each component's share.
public struct HostResult: Sendable {
    public var name: String
    public var cores: Int
    public var speed: Double
    /// Busy cores over time / cores.
    public var utilization: Double
    /// Threads running or runnable on the host, over time.
    public var meanRunnableThreads: Double
    /// The components with threads on the host.
    public var components: [HostTenantResult]
}

public struct HostTenantResult: Sendable {
    /// `instances`, `database`, `pooler` or `client`.
    public var component: String
    /// The component's CPU demand / (observed time x the host's cores).
    public var utilization: Double
    /// Its threads on the host (running or waiting for a core), over time.
    public var meanThreads: Double
}

/// A pooler's single thread (PgBouncer's event loop).
public struct PoolerThreadResult: Sendable {
    public var name: String
    /// Share of time the thread was working (or waiting for a core of its host).
    public var utilization: Double
    /// Transactions waiting for the thread, over time.
    public var meanWaiting: Double
}

public struct ClientThreadsResult: Sendable {
    public var threads: Int
    public var utilization: Double
    public var meanWaiting: Double
}

/// CFS throttling of CPU-limited instances, all copies together.
public struct CPULimitResult: Sendable {
    public var limitCores: Double
    public var periodSeconds: Double
    /// Share of the periods in which an instance ran out of quota (the kernel's
    /// `nr_throttled / nr_periods`), over every copy.
    public var throttledPeriodShare: Double
    /// Time instances spent throttled, per copy, as a share of the observed time.
    public var throttledTimeShare: Double
}

/// Client-side figures for one endpoint.
public struct EndpointResult: Sendable {
    public var name: String
    /// Client requests issued in the window, counting each retry as a new attempt.
    public var attempts: Int
    /// Attempts that returned a successful response before the client gave up.
    public var succeeded: Int
    /// Attempts the client gave up on (endpoint timeout).
    public var timeouts: Int
    /// Attempts that returned an error (query failure, pool acquire timeout, refused
    /// connection, failed call, dead instance).
    public var errors: Int
    /// Attempts rejected by a rate limiter (HTTP 429).
    public var rateLimited: Int
    /// Attempts that were retries of an earlier attempt.
    public var retries: Int
    /// Response times of successful attempts.
    public var latency: LatencyRecorder
    /// Successful responses per second.
    public var throughputPerSecond: Double

    public var timeoutRate: Double { attempts > 0 ? Double(timeouts) / Double(attempts) : 0 }
    public var errorRate: Double { attempts > 0 ? Double(errors) / Double(attempts) : 0 }
    public var rateLimitedRate: Double { attempts > 0 ? Double(rateLimited) / Double(attempts) : 0 }
    /// Attempts refused because every request thread of their instance was busy and its accept
    /// queue full (connection refused; only with `instances.threads`): not counted in `errors`.
    public var rejected: Int = 0
    public var rejectedRate: Double { attempts > 0 ? Double(rejected) / Double(attempts) : 0 }
    /// Failed attempts by where they failed, indexed by `FailureCause.rawValue` (empty for a plain
    /// network). They add up to `timeouts + errors + rateLimited + rejected`.
    public var failures: [Int] = []

    /// Failed attempts with cause `cause`.
    public func failures(_ cause: FailureCause) -> Int { cause.rawValue < failures.count ? failures[cause.rawValue] : 0 }
}

/// A thread-per-request server's request threads, all instances together.
public struct ThreadsResult: Sendable {
    public var threadsPerInstance: Int
    /// nil: unbounded.
    public var acceptQueuePerInstance: Int?
    /// Mean busy threads / all threads.
    public var utilization: Double
    public var meanBusyThreads: Double
    /// The most threads busy at once on one instance (the busiest): the thread count when they ran out.
    public var peakBusyThreads: Int
    /// Mean requests waiting in the accept queues (all instances).
    public var meanInAcceptQueue: Double
    /// Mean wait in the accept queue of the requests that got a thread (zero for those that got one at once).
    public var meanAcceptQueueWaitSeconds: Double
    /// Requests that got a thread, and requests refused at a full accept queue.
    public var accepted: Int
    public var rejected: Int
}

/// The app instances' workers together (a Node.js process is one worker: its event loop).
public struct InstancesResult: Sendable {
    public var count: Int
    public var workersPerInstance: Int
    /// Mean busy workers / all workers.
    public var utilization: Double
    public var meanBusyWorkers: Double
    /// Mean number of CPU steps waiting for a worker (requests queued on event loops).
    public var meanWaitingForWorker: Double
    /// Mean waits for a worker of the CPU steps that got one.
    public var meanWorkerWaitSeconds: Double
}

/// One connection pool, all instances together for a per-instance pool.
public struct PoolResult: Sendable {
    public var name: String
    /// Connections the pool may hold in total (size x instances for a per-instance pool).
    public var totalSize: Int
    public var meanInUse: Double
    /// meanInUse / totalSize.
    public var utilization: Double
    public var peakInUse: Int
    /// Mean number of requests waiting for a connection.
    public var meanWaiting: Double
    /// Waits for a connection of those who got one (zero for an immediate grant).
    public var waits: LatencyRecorder
    /// Waiters who gave up when the acquire timeout expired.
    public var acquireTimeouts: Int
    /// Acquires refused because opening a connection would exceed the database's max_connections.
    public var refusedConnections: Int
    /// Connections open (held or idle), over time and at the peak, all slots together.
    public var meanOpenConnections: Double
    public var peakOpenConnections: Int
    /// Connections opened, and closed after `idle_timeout`, since the warm-up.
    public var connectionsOpened: Int
    public var idleClosures: Int
}

/// A PgBouncer-style pooler's server side.
public struct PoolerResult: Sendable {
    public var name: String
    public var serverConnections: Int
    public var meanServerInUse: Double
    public var utilization: Double
    public var peakServerInUse: Int
    public var meanWaiting: Double
    public var waits: LatencyRecorder
    public var waitTimeouts: Int
}

public struct DatabaseNodeResult: Sendable {
    /// `primary` or `replica-1`, `replica-2`, ...
    public var name: String
    public var cores: Int
    /// Mean busy cores / cores.
    public var utilization: Double
    /// Mean number of queries executing (sharing the cores).
    public var meanActiveQueries: Double
    public var peakActiveQueries: Int
    public var queries: Int
}

public struct DatabaseResult: Sendable {
    public var nodes: [DatabaseNodeResult]
    /// Server connections open (clients' pools and poolers' server sides), time average and peak.
    public var meanOpenConnections: Double
    public var peakOpenConnections: Int
    public var maxConnections: Int
    /// Connection attempts refused at max_connections.
    public var refusedConnections: Int
    public var failedQueries: Int
    /// With `replication_lag`: reads at a replica that started within the lag of their own
    /// request's last committed write (stale), and reads sent to the primary by
    /// `read_from: primary` that a replica would have served stale.
    public var tracksReplicationLag = false
    public var staleReads = 0
    public var staleReadsAvoided = 0
}

public struct CacheResult: Sendable {
    public var name: String
    public var lookups: Int
    public var hits: Int
    public var hitRate: Double { lookups > 0 ? Double(hits) / Double(lookups) : 0 }
    /// Misses that waited for another request's fill (single flight) instead of running the miss.
    public var coalescedMisses: Int
    /// With a cache `server`: its mean busy fraction (all its servers) and the lookups' waits for it.
    public var serverUtilization: Double? = nil
    public var serverWaits: LatencyRecorder? = nil
    /// With a client pool to the server (`server.connections`): its connections' mean
    /// utilization over all instances and a command's mean wait for one.
    public var connectionUtilization: Double? = nil
    public var connectionMeanWaitSeconds: Double? = nil
    /// Commands that gave up waiting for a connection (`server.connection_timeout`): their requests failed.
    public var connectionTimeouts: Int? = nil
}

public struct JobQueueResult: Sendable {
    public var name: String
    public var enqueued: Int
    public var completed: Int
    public var failed: Int
    /// From enqueue to the end of the job.
    public var latency: LatencyRecorder
    public var meanWaiting: Double
    public var workerUtilization: Double
}

/// One interval of a run's timeline (`--timeline`).
public struct TimelineSample: Sendable, Codable {
    public var startSeconds: Double
    public var arrivals: Int
    public var completions: Int
    public var inFlight: Int
    public var poolWaiting: Int
    public var connectionsInUse: Int
    public var timeouts: Int
    public var errors: Int
    /// p95 of response times completed in this interval (0 if none: `hasLatencies` says).
    public var p95Seconds: Double
    /// p50 and p99 of the same response times (0 if none).
    public var p50Seconds: Double = 0
    public var p99Seconds: Double = 0
    /// Response times the percentiles are taken over: successes, or every outcome with
    /// `latency_of: all`.
    public var latencyCount: Int = 0
    /// Attempts refused at a full accept queue (`instances.threads`; not in `errors`) and
    /// rejected by a rate limiter (429s), in this interval.
    public var rejected: Int = 0
    public var rateLimited: Int = 0
    /// Time-average utilization over the interval of each resource `TimelineResources.names`
    /// lists, in its order (empty for a plain network).
    public var utilizations: [Double] = []

    /// Each endpoint's figures in the interval, in model order (`--timeline-by-endpoint`; else empty).
    public var endpoints: [TimelineEndpointSample] = []

    /// Whether the interval has response times to take percentiles of (an empty one has none:
    /// its percentiles are no value, not 0).
    public var hasLatencies: Bool { latencyCount > 0 || completions > 0 }

    public init(startSeconds: Double, arrivals: Int, completions: Int, inFlight: Int, poolWaiting: Int,
                connectionsInUse: Int, timeouts: Int, errors: Int, p95Seconds: Double) {
        self.startSeconds = startSeconds; self.arrivals = arrivals; self.completions = completions
        self.inFlight = inFlight; self.poolWaiting = poolWaiting; self.connectionsInUse = connectionsInUse
        self.timeouts = timeouts; self.errors = errors; self.p95Seconds = p95Seconds
    }
}

/// One endpoint's figures in one timeline interval.
public struct TimelineEndpointSample: Sendable, Codable, Hashable {
    public var arrivals = 0, completions = 0, timeouts = 0, errors = 0, rejected = 0, rateLimited = 0
    public var latencyCount = 0
    /// 0 when `latencyCount` is 0 (no value).
    public var p50Seconds = 0.0, p95Seconds = 0.0, p99Seconds = 0.0
    public init() {}
}

/// The resources a web model's timeline samples the utilization of, in order: the instance
/// workers, the request threads (with `instances.threads`), each pool (all instances together),
/// each database node.
public enum TimelineResources {
    public static func names(_ model: Model) -> [String] {
        guard model.network == nil else { return [] }
        var out = ["workers"]
        if model.instances.threads != nil { out.append("threads") }
        out += model.pools.map { "pool.\($0.name)" }
        if let db = model.database {
            out.append("database.primary")
            out += (0..<db.replicas).map { "database.replica-\($0 + 1)" }
        }
        return out
    }
}

/// One HTTP upstream: the calls to it, the instances' client pools, and its servers.
public struct UpstreamResult: Sendable {
    public var name: String
    public var servers: Int
    /// Calls sent (a client connection in hand), and how they ended: a successful answer, an
    /// error answer, the client's timeout.
    public var sent: Int
    public var succeeded: Int
    public var errors: Int
    public var timeouts: Int
    /// From the send to the answer, of successful calls (wire, queue at the upstream, service).
    public var latency: LatencyRecorder
    /// The upstream's mean busy fraction, its mean queue, and the calls' waits in it.
    public var serverUtilization: Double
    public var meanWaitingAtServer: Double
    public var serverWaits: LatencyRecorder
    /// With a client pool (`connections`): its size, its connections' mean utilization over all
    /// instances, the mean number of calls waiting for one (all instances), the calls' waits.
    public var connectionsPerInstance: Int? = nil
    public var connectionUtilization: Double? = nil
    public var meanWaitingForConnection: Double? = nil
    public var connectionWaits: LatencyRecorder? = nil
    /// With `acquire_timeout`: calls that gave up waiting for a connection (their requests failed).
    public var acquireTimeouts: Int? = nil
}
