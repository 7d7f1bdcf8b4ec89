// The checked model: plain Sendable values, every time in seconds, every rate per second.
// Names (pools, caches, ...) are validated: every reference resolves.

/// A whole system state, as one YAML file describes it.
public struct Model: Sendable, Hashable {
    public var name: String
    /// The file the model was loaded from (or the `fileName` given to `load(yaml:)`).
    public var sourcePath: String
    public var simulation: SimulationSettings
    /// nil only for a model that is a plain queueing `network` and nothing else.
    public var workload: Workload?
    public var instances: Instances
    /// In file order.
    public var pools: [Pool]
    public var poolers: [Pooler]
    public var database: Database?
    public var caches: [Cache]
    public var rateLimiters: [RateLimiter]
    public var jobQueues: [JobQueue]
    /// HTTP services the endpoints call (`http` steps).
    public var upstreams: [Upstream]
    public var endpoints: [Endpoint]
    /// A plain queueing network (stations and routing), simulated on its own.
    public var network: QueueingNetwork?
    public var faults: Faults
    /// Machines the components may be placed on (ModelHosts.swift); empty: every component on
    /// cores of its own, as before hosts existed.
    public var hosts: [Host]
    /// The load generator's own cost and host; nil: it costs nothing.
    public var client: LoadClient?

    public init(name: String, sourcePath: String, simulation: SimulationSettings, workload: Workload?,
                instances: Instances, pools: [Pool], poolers: [Pooler], database: Database?, caches: [Cache],
                rateLimiters: [RateLimiter], jobQueues: [JobQueue], endpoints: [Endpoint],
                network: QueueingNetwork?, faults: Faults, upstreams: [Upstream] = [], hosts: [Host] = [],
                client: LoadClient? = nil) {
        self.hosts = hosts; self.client = client
        self.name = name; self.sourcePath = sourcePath; self.simulation = simulation; self.workload = workload
        self.instances = instances; self.pools = pools; self.poolers = poolers; self.database = database
        self.caches = caches; self.rateLimiters = rateLimiters; self.jobQueues = jobQueues
        self.endpoints = endpoints; self.network = network; self.faults = faults; self.upstreams = upstreams
    }

    public func pool(named name: String) -> Pool? { pools.first { $0.name == name } }
    public func pooler(named name: String) -> Pooler? { poolers.first { $0.name == name } }
    public func cache(named name: String) -> Cache? { caches.first { $0.name == name } }
    public func rateLimiter(named name: String) -> RateLimiter? { rateLimiters.first { $0.name == name } }
    public func jobQueue(named name: String) -> JobQueue? { jobQueues.first { $0.name == name } }
    public func endpoint(named name: String) -> Endpoint? { endpoints.first { $0.name == name } }
    public func upstream(named name: String) -> Upstream? { upstreams.first { $0.name == name } }
}

// MARK: - Simulation settings

public enum Warmup: Sendable, Hashable {
    /// Discard the first `seconds` of each replication.
    case fixed(seconds: Double)
    /// `warmup: auto`: truncation point chosen per replication by MSER-5.
    case mser5
}

public struct SimulationSettings: Sendable, Hashable {
    /// Simulated time per replication, warm-up included. Default 10 min.
    public var horizonSeconds: Double
    /// Default `.fixed(seconds: 60)`.
    public var warmup: Warmup
    /// Default 10.
    public var replications: Int
    /// Default 1.
    public var seed: UInt64
    /// `precision: 2%`: add replications until every 95% CI half-width is within this fraction of its mean.
    public var targetRelativeError: Double?
    /// Cap on replications when `targetRelativeError` is set. Default 100 (or `replications` if larger).
    public var maxReplications: Int
    /// Confidence level of reported intervals. Default 0.95.
    public var confidenceLevel: Double
    /// Which requests the latency figures (mean, percentiles) are over. Default `.succeeded`.
    public var latencyOf: LatencyOf
    /// A timeline also records each endpoint's series (`headroom run --timeline-by-endpoint`;
    /// not a model key). Default false.
    public var timelineByEndpoint = false

    public init(horizonSeconds: Double = 600, warmup: Warmup = .fixed(seconds: 60), replications: Int = 10,
                seed: UInt64 = 1, targetRelativeError: Double? = nil, maxReplications: Int = 100,
                confidenceLevel: Double = 0.95, latencyOf: LatencyOf = .succeeded) {
        self.horizonSeconds = horizonSeconds; self.warmup = warmup; self.replications = replications
        self.seed = seed; self.targetRelativeError = targetRelativeError; self.maxReplications = maxReplications
        self.confidenceLevel = confidenceLevel; self.latencyOf = latencyOf
    }

    /// The fixed warm-up, or nil for `warmup: auto` (MSER-5).
    public var warmupSeconds: Double? {
        if case let .fixed(s) = warmup { return s }
        return nil
    }
}

/// Which requests an endpoint's latency figures are over.
public enum LatencyOf: String, Sendable, Hashable {
    /// Requests that succeeded (failed and timed-out ones are counted, not timed).
    case succeeded
    /// Every request the client finished, as load-test tools (k6's `http_req_duration`) count
    /// them: successes and errors at the moment the answer came back, requests that timed out at
    /// the client's timeout.
    case all
}

// MARK: - Workload

public enum ArrivalProcess: String, Sendable, Hashable {
    /// Exponential inter-arrival times (a non-homogeneous Poisson process during ramps).
    case poisson
    /// Evenly spaced arrivals (`constant_rate`, or `arrivals: constant` with phases).
    case constant
}

/// One phase of an open workload, as load-test tools write `phases:`.
public struct Phase: Sendable, Hashable {
    public var durationSeconds: Double
    /// Rate at the start of the phase.
    public var ratePerSecond: Double
    /// If set, the rate moves linearly from `ratePerSecond` to this over the phase.
    public var rampToPerSecond: Double?

    public init(durationSeconds: Double, ratePerSecond: Double, rampToPerSecond: Double? = nil) {
        self.durationSeconds = durationSeconds; self.ratePerSecond = ratePerSecond; self.rampToPerSecond = rampToPerSecond
    }
}

public enum OpenArrivals: Sendable, Hashable {
    /// A steady rate for the whole horizon.
    case rate(perSecond: Double)
    /// Phases in order; after the last phase no more requests arrive (as in load-test tools).
    case phases([Phase])
}

public enum Arrivals: Sendable, Hashable {
    case open(OpenArrivals, process: ArrivalProcess)
    /// N concurrent users, each: request, wait for the response, think, repeat.
    case closed(users: Int, thinkTime: DistributionSpec)
}

public struct MixEntry: Sendable, Hashable {
    public var endpoint: String
    /// Normalized: the weights of a mix sum to 1.
    public var weight: Double
    public init(endpoint: String, weight: Double) { self.endpoint = endpoint; self.weight = weight }
}

public struct Workload: Sendable, Hashable {
    public var arrivals: Arrivals
    /// In file order; weights sum to 1.
    public var mix: [MixEntry]
    /// Number of distinct clients (users / IPs) requests come from: the keys of per-user rate limiters
    /// and of sticky balancing. Default: `users` for closed workloads, 1000 for open ones.
    public var clients: Int

    public init(arrivals: Arrivals, mix: [MixEntry], clients: Int) {
        self.arrivals = arrivals; self.mix = mix; self.clients = clients
    }
}

// MARK: - Instances

public enum Balancer: String, Sendable, Hashable {
    case roundRobin, leastConnections, random, sticky
}

public struct InstanceFailure: Sendable, Hashable {
    /// 0-based index of the instance that dies.
    public var instance: Int
    public var atSeconds: Double
    public init(instance: Int, atSeconds: Double) { self.instance = instance; self.atSeconds = atSeconds }
}

public struct Instances: Sendable, Hashable {
    /// Default 1.
    public var count: Int
    /// Concurrent workers per instance (a Node.js process is 1). Default 1.
    public var workers: Int
    /// CPUs per instance: only used for presets that size themselves by CPU (Prisma). Default 2.
    public var cpus: Int
    /// Default round robin.
    public var balancer: Balancer
    /// How long a dead instance stays in rotation; nil = no health checks, never removed.
    public var healthCheckIntervalSeconds: Double?
    public var failures: [InstanceFailure]
    /// A thread-per-request server's request threads and accept queue (Tomcat, Puma, gunicorn
    /// sync); nil: no request threads (an event loop, where only `cpu` steps queue, for `workers`).
    public var threads: RequestThreads?
    /// The host of each copy (`host:` packs them all on one; `hosts:` lists one per copy);
    /// empty: each copy on cores of its own.
    public var hostNames: [String] = []
    /// A container CPU limit on each copy (CFS quota per period); nil: none.
    public var cpuLimit: CPULimit? = nil

    public init(count: Int = 1, workers: Int = 1, cpus: Int = 2, balancer: Balancer = .roundRobin,
                healthCheckIntervalSeconds: Double? = nil, failures: [InstanceFailure] = [], threads: RequestThreads? = nil) {
        self.count = count; self.workers = workers; self.cpus = cpus; self.balancer = balancer
        self.healthCheckIntervalSeconds = healthCheckIntervalSeconds; self.failures = failures
        self.threads = threads
    }
}

/// Where a thread-per-request server's defaults come from (`instances.threads.preset`).
public enum ThreadPreset: String, Sendable, Hashable {
    case tomcat, puma, gunicornSync, none
}

/// Request threads per instance (`instances.threads`): a request holds one from the moment its
/// instance accepts it until its response is written, through every wait (a pool connection,
/// the database, a cache, an upstream); a request that finds every thread busy waits in the
/// accept queue, and one that finds the accept queue full is refused (connection refused).
public struct RequestThreads: Sendable, Hashable {
    public var preset: ThreadPreset
    /// Threads per instance (Tomcat `maxThreads`; Puma's max threads x workers; gunicorn sync's
    /// workers).
    public var perInstance: Int
    /// Requests per instance that wait for a thread (Tomcat `acceptCount`, a listen backlog);
    /// nil: unbounded.
    public var acceptQueue: Int?

    public init(preset: ThreadPreset = .none, perInstance: Int, acceptQueue: Int?) {
        self.preset = preset; self.perInstance = perInstance; self.acceptQueue = acceptQueue
    }
}

// MARK: - Pools, poolers, database

public enum Scope: String, Sendable, Hashable {
    /// One per app instance (in-process pool, in-memory cache or limiter).
    case perInstance
    /// One for the whole system (a shared pool, Redis, a global limiter). YAML: `shared` or `global`.
    case shared
}

public enum PoolPreset: String, Sendable, Hashable {
    case nodePostgres, postgresJs, prisma, hikari, pgbouncer, none
}

public struct Pool: Sendable, Hashable {
    public var name: String
    public var preset: PoolPreset
    /// Connections (per instance when `scope == .perInstance`).
    public var size: Int
    public var scope: Scope
    /// How long a request waits for a connection before failing; nil = waits forever.
    public var acquireTimeoutSeconds: Double?
    /// A varying acquire timeout (`acquire_timeout: uniform(2s, 2.14s)`: PgBouncer checks its
    /// `query_wait_timeout` periodically, so real timeouts land up to ~0.15 s after the setting):
    /// each wait draws its own. `acquireTimeoutSeconds` is then its mean. nil: the constant
    /// `acquireTimeoutSeconds` (or none).
    public var acquireTimeout: DistributionSpec?
    /// Time to open a new connection, paid on first use of each connection; nil = free.
    public var connectionSetup: DistributionSpec?
    /// Name of the pooler (PgBouncer) this pool connects through, if any.
    public var via: String?
    /// How long an open connection may sit idle before the pool closes it; nil = never. The next
    /// request that needs it opens a new one (paying `connectionSetup`). Idle connections are
    /// reused most recently released first, as node-postgres and HikariCP do, so under steady
    /// load the pool shrinks to what the load needs.
    public var idleTimeoutSeconds: Double?
    /// Connections never closed for idleness (HikariCP `minimumIdle`), counted per pool slot.
    public var minIdle: Int

    public init(name: String, preset: PoolPreset = .none, size: Int, scope: Scope = .perInstance,
                acquireTimeoutSeconds: Double? = nil, connectionSetup: DistributionSpec? = nil, via: String? = nil,
                idleTimeoutSeconds: Double? = nil, minIdle: Int = 0) {
        self.name = name; self.preset = preset; self.size = size; self.scope = scope
        self.acquireTimeoutSeconds = acquireTimeoutSeconds; self.connectionSetup = connectionSetup; self.via = via
        self.idleTimeoutSeconds = idleTimeoutSeconds; self.minIdle = minIdle
    }

    /// Connections this pool can hold open in total, given the instance count.
    public func totalConnections(instances: Int) -> Int { scope == .perInstance ? size * instances : size }
}

public enum PoolerMode: String, Sendable, Hashable {
    /// A server connection is held for one transaction (or one statement outside transactions).
    case transaction
    /// A server connection is held for as long as the client connection is open.
    case session
}

/// A PgBouncer-style pooler: many client connections multiplexed onto fewer server connections.
public struct Pooler: Sendable, Hashable {
    public var name: String
    /// Server connections to the database (PgBouncer `default_pool_size`, default 20).
    public var serverConnections: Int
    /// PgBouncer `max_client_conn`, default 100: client connections beyond it are refused.
    public var maxClientConnections: Int
    /// PgBouncer `query_wait_timeout`, default 120 s; nil = wait forever.
    public var queryWaitTimeoutSeconds: Double?
    public var mode: PoolerMode
    /// The host PgBouncer runs on; nil: a core of its own.
    public var host: String? = nil
    /// PgBouncer's own CPU per transaction (per query outside a transaction), on its one
    /// thread: it saturates at 1 / mean of these a second. nil: free.
    public var cpuPerTransaction: DistributionSpec? = nil
    /// Its CPU per client connection opened (the startup and authentication). nil: free.
    public var cpuPerConnection: DistributionSpec? = nil

    public init(name: String, serverConnections: Int = 20, maxClientConnections: Int = 100,
                queryWaitTimeoutSeconds: Double? = 120, mode: PoolerMode = .transaction) {
        self.name = name; self.serverConnections = serverConnections; self.maxClientConnections = maxClientConnections
        self.queryWaitTimeoutSeconds = queryWaitTimeoutSeconds; self.mode = mode
    }
}

/// Which database nodes reads may go to, when there are replicas.
public enum ReadFrom: String, Sendable, Hashable {
    /// The replicas only (the primary takes the writes).
    case replicas
    /// The replicas and the primary alike.
    case all
}

public enum ReadRouting: String, Sendable, Hashable {
    /// All reads on the primary (replicas unused).
    case primary
    case roundRobin, random, leastBusy
}

public struct Database: Sendable, Hashable {
    /// Cores of the primary: active queries beyond this share the cores (processor sharing).
    public var cores: Int
    /// PostgreSQL `max_connections` (default 100): connection attempts beyond it fail.
    public var maxConnections: Int
    /// Number of read replicas. Default 0.
    public var replicas: Int
    /// Cores per replica. Default: same as `cores`.
    public var replicaCores: Int
    /// Default `.roundRobin` when there are replicas, `.primary` otherwise.
    public var readRouting: ReadRouting
    /// The nodes `readRouting` chooses among for reads. Default `.replicas`.
    public var readFrom: ReadFrom
    /// Default failure probability of every query (a query may override it). Default 0.
    public var queryFailureProbability: Double
    /// Default network round trip of every query between the app and the database (a query may
    /// override it): it holds the connection but no database core. nil = none.
    public var roundTrip: DistributionSpec?
    /// Slowdown with concurrent active queries (Universal Scalability Law, Gunther): each query
    /// runs 1 + contention (n - 1) + coherency n (n - 1) times slower with n active. Default 0, 0:
    /// plain processor sharing.
    public var contention: Double
    public var coherency: Double
    /// The host of the primary; nil: cores of its own (`cores`). With a host, `cores` is the
    /// host's (its queries share them with whatever else is placed there).
    public var host: String? = nil
    /// How far each replica is behind the primary (`replication_lag`), drawn for each read at a
    /// replica after its request wrote: the read is stale when it starts within the lag of the
    /// request's last committed write. nil: not tracked. Changes no timing.
    public var replicationLag: DistributionSpec? = nil

    public init(cores: Int = 4, maxConnections: Int = 100, replicas: Int = 0, replicaCores: Int? = nil,
                readRouting: ReadRouting? = nil, queryFailureProbability: Double = 0, roundTrip: DistributionSpec? = nil,
                contention: Double = 0, coherency: Double = 0, readFrom: ReadFrom = .replicas) {
        self.readFrom = readFrom
        self.roundTrip = roundTrip
        self.contention = contention; self.coherency = coherency
        self.cores = cores; self.maxConnections = maxConnections; self.replicas = replicas
        self.replicaCores = replicaCores ?? cores
        self.readRouting = readRouting ?? (replicas > 0 ? .roundRobin : .primary)
        self.queryFailureProbability = queryFailureProbability
    }
}

// MARK: - Caches

/// Zipf key popularity: key k (1...n) is requested with probability proportional to 1 / k^s.
public struct KeyPopularity: Sendable, Hashable {
    public var s: Double
    public var n: Int
    public init(s: Double, n: Int) { self.s = s; self.n = n }
}

public enum CacheHits: Sendable, Hashable {
    /// A given hit ratio in [0, 1]: each lookup hits with this probability.
    case ratio(Double)
    /// Hits emerge from key popularity, `Cache.capacity` (LRU) and `Cache.ttlSeconds`.
    case keys(KeyPopularity)
}

public enum Invalidation: String, Sendable, Hashable {
    /// A write naming this cache drops the key it touched (a key drawn from the popularity).
    case key
    /// A write naming this cache empties it.
    case all
}

public struct Cache: Sendable, Hashable {
    public var name: String
    public var scope: Scope
    public var hits: CacheHits
    /// Maximum entries (LRU eviction); nil = unbounded.
    public var capacity: Int?
    /// Entries expire this long after being filled; nil = never.
    public var ttlSeconds: Double?
    /// Time of a lookup. Default const(0.2ms) per instance (in memory), const(1ms) shared (Redis-like).
    public var lookup: DistributionSpec
    /// What a write query listing this cache in `invalidates` drops. Default `.key`.
    public var invalidation: Invalidation
    /// Concurrent misses on one key wait for a single fill instead of each running the miss steps.
    public var singleFlight: Bool
    /// A cache server that can saturate (Redis runs commands on one thread): each lookup queues
    /// for one of its `servers` and takes its `time` there, instead of the fixed `lookup` delay.
    /// nil: the fixed delay.
    public var server: CacheServer?

    public init(name: String, scope: Scope = .perInstance, hits: CacheHits, capacity: Int? = nil,
                ttlSeconds: Double? = nil, lookup: DistributionSpec? = nil, invalidation: Invalidation = .key,
                singleFlight: Bool = false) {
        self.name = name; self.scope = scope; self.hits = hits; self.capacity = capacity; self.ttlSeconds = ttlSeconds
        self.lookup = lookup ?? .constant(scope == .perInstance ? 0.0002 : 0.001)
        self.invalidation = invalidation; self.singleFlight = singleFlight
    }
}

/// What a cache command that gave up waiting for a client connection does to its request.
public enum CacheTimeoutAction: String, Sendable, Hashable {
    /// The request fails (an error).
    case fail
    /// A lookup counts as a miss and the request takes the miss path; a fill is skipped.
    case miss
}

/// A cache server's capacity: `servers` commands at a time (Redis: 1), a lookup taking `time`
/// and a fill (the SET after a miss) `fillTime`, each reached through a connection of the
/// instance's client pool when it has one.
public struct CacheServer: Sendable, Hashable {
    public var servers: Int
    public var time: DistributionSpec
    /// The server's time for a fill; nil: the same as a lookup's (`time`): a SET costs Redis
    /// about what a GET does.
    public var fillTime: DistributionSpec?
    /// Connections of each instance's client pool to the server (go-redis `PoolSize`, Jedis
    /// `maxTotal`): a command waits for one, FCFS, and holds it while it queues at the server and
    /// runs there. nil: no client pool (a multiplexing client such as ioredis or node-redis).
    public var connectionsPerInstance: Int?
    /// How long a command waits for a client connection before it gives up (go-redis
    /// `PoolTimeout`, Jedis `maxWait`); nil: it waits for as long as it takes.
    public var connectionTimeoutSeconds: Double?
    /// What a request does when its command gave up waiting: fail (the default), or, as most
    /// application code is written (`val, err := rdb.Get(...); if err != nil { /* load it */ }`),
    /// count the lookup as a miss and go on to the miss path; a fill that gave up is skipped.
    public var onTimeout: CacheTimeoutAction
    public init(servers: Int = 1, time: DistributionSpec, fillTime: DistributionSpec? = nil, connectionsPerInstance: Int? = nil,
                connectionTimeoutSeconds: Double? = nil, onTimeout: CacheTimeoutAction = .fail) {
        self.servers = servers; self.time = time; self.fillTime = fillTime; self.connectionsPerInstance = connectionsPerInstance
        self.connectionTimeoutSeconds = connectionTimeoutSeconds; self.onTimeout = onTimeout
    }
    /// The server's time per fill.
    public var effectiveFillTime: DistributionSpec { fillTime ?? time }
}

// MARK: - Upstreams (HTTP services this one calls)

/// Another service this one calls over HTTP, through a client with its own connection pool per
/// instance (undici/axios `connections`, Go's `MaxConnsPerHost`, OkHttp's `maxRequestsPerHost`,
/// an Envoy cluster's `max_connections` with `max_pending_requests`). A call takes one of the
/// instance's client connections (FCFS, waiting at most `acquireTimeoutSeconds`), crosses the
/// wire (`roundTrip`), queues FCFS for one of the upstream's `servers` and takes its `time`
/// there; the answer is an error with `errorProbability`. A call the client's `timeoutSeconds`
/// overtakes fails at that moment and its connection goes back (the upstream finishes the work
/// it started). A failed call fails its request, which the endpoint's `retry` policy may retry.
public struct Upstream: Sendable, Hashable {
    public var name: String
    /// Requests the upstream serves at once, all its instances together (its workers, threads
    /// or event loops); beyond them calls queue, FCFS.
    public var servers: Int
    /// The upstream's own time per request.
    public var time: DistributionSpec
    /// The time on the wire per call, there and back; the connection is held, no upstream server
    /// is. nil: none.
    public var roundTrip: DistributionSpec?
    /// Connections of each instance's client pool; nil: as many as there are calls.
    public var connectionsPerInstance: Int?
    /// How long a call waits for a client connection before it fails; nil: as long as it takes.
    public var acquireTimeoutSeconds: Double?
    /// The client's timeout per call, from the request's send (a connection in hand) to its
    /// answer; nil: none.
    public var timeoutSeconds: Double?
    /// Probability that an answer is an error (a 5xx).
    public var errorProbability: Double

    public init(name: String, servers: Int = 1, time: DistributionSpec, roundTrip: DistributionSpec? = nil,
                connectionsPerInstance: Int? = nil, acquireTimeoutSeconds: Double? = nil, timeoutSeconds: Double? = nil,
                errorProbability: Double = 0) {
        self.name = name; self.servers = servers; self.time = time; self.roundTrip = roundTrip
        self.connectionsPerInstance = connectionsPerInstance; self.acquireTimeoutSeconds = acquireTimeoutSeconds
        self.timeoutSeconds = timeoutSeconds; self.errorProbability = errorProbability
    }
}

// MARK: - Rate limiters and job queues

public enum RateLimitAlgorithm: Sendable, Hashable {
    /// Refills `ratePerSecond` tokens per second up to `burst`; each request takes one token.
    case tokenBucket(ratePerSecond: Double, burst: Int)
    /// At most `limit` requests per window of `windowSeconds` (windows aligned to time 0).
    case fixedWindow(limit: Int, windowSeconds: Double)
}

public enum RateLimitKey: String, Sendable, Hashable {
    case user, ip, global
}

public struct RateLimiter: Sendable, Hashable {
    public var name: String
    public var algorithm: RateLimitAlgorithm
    public var key: RateLimitKey
    /// `.perInstance`: each instance counts on its own (in memory); `.shared`: one store (YAML `global`).
    public var scope: Scope

    public init(name: String, algorithm: RateLimitAlgorithm, key: RateLimitKey = .user, scope: Scope = .shared) {
        self.name = name; self.algorithm = algorithm; self.key = key; self.scope = scope
    }
}

/// Background jobs: the enqueueing request returns at once; `workers` separate job workers run `steps`.
public struct JobQueue: Sendable, Hashable {
    public var name: String
    /// Concurrent job workers (in total, not per instance).
    public var workers: Int
    /// Default pool for the jobs' queries (informational; every `Query.pool` is resolved).
    public var pool: String?
    /// Maximum waiting jobs; nil = unbounded. An enqueue to a full queue fails.
    public var capacity: Int?
    public var steps: [Step]

    public init(name: String, workers: Int, pool: String? = nil, capacity: Int? = nil, steps: [Step]) {
        self.name = name; self.workers = workers; self.pool = pool; self.capacity = capacity; self.steps = steps
    }
}
