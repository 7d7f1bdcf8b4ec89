// The web engine's state and its construction from a checked model: the entities and attempts
// every component works on, each component's counters and stations, and `init`, which compiles
// the model's steps and sizes everything. The behaviour lives in one file per concern, all
// extensions of this type (docs/engine.md shows how a request flows through them):
//
//   WebEngine+EventLoop     events, the calendar and its lanes, the loop, dispatch by event kind
//   WebEngine+Workload      open arrivals (rate, phases with ramps), closed users, endpoint mix
//   WebEngine+Client        attempts, client timeouts, cancellation, retries, outcomes
//   WebEngine+Instances     load balancer, workers (`cpu` steps), instance failures
//   WebEngine+RateLimiters  token buckets and fixed windows
//   WebEngine+Steps         the step interpreter (`advance`, `Phase`), control flow, `terminate`
//   WebEngine+Calls         `sleep` and external `call` steps
//   WebEngine+Connections   pools, poolers, database connections, transactions, idle reaping
//   WebEngine+Database      `query` steps, processor-sharing nodes, read routing
//   WebEngine+Caches        cache lookups, fills, single flight, invalidation
//   WebEngine+Jobs          job queues
//   WebEngine+Statistics    tallies, warm-up restart, timeline, the result

import HeadroomKernel
import HeadroomModel

/// The discrete-event engine of a web backend: clients, a load balancer, instances with
/// workers, connection pools, a PgBouncer-style pooler, a database of processor-sharing nodes,
/// caches, rate limiters and job queues, driven by the kernel's calendar and stations.
///
/// A request attempt runs as one or more *entities* (the root, plus one per parallel branch),
/// each a program counter into the compiled ``Programs``. Entities and attempts live in slabs of
/// plain structs recycled through free lists.
struct WebEngine {
    // MARK: Entities and attempts

    struct Entity {
        var pc: Int32 = 0
        var phase = Phase.start
        var attempt: Int32 = -1
        var root: Int32 = -1
        var parent: Int32 = -1
        var pendingChildren: Int32 = 0
        var instance: Int32 = 0
        var job: Int32 = -1
        var startSeconds: Double = 0
        var failed = false
        // A query or transaction's connection being acquired / held.
        var poolSlot: Int32 = -1
        var poolerSlot: Int32 = -1
        var waitStartSeconds: Double = 0
        // An open transaction.
        var transactionPool: Int32 = -1
        var transactionSlot: Int32 = -1
        var transactionPoolerSlot: Int32 = -1
        var transactionWrites: Int32 = 0
        /// Writes committed outside a transaction (root entity only): the orphan count's unit.
        var committedWrites: Int32 = 0
        var databaseNode: Int32 = -1
        // A single-flight fill this entity is running.
        var fillingCache: Int32 = -1
        var fillingStore: Int32 = -1
        var fillingKey: Int32 = -1
        /// What the entity is queued for, if anything.
        var queuedOn = QueuedOn.nothing
        /// Pools that track connections (idle timeout, or a session-mode pooler): whether the
        /// pool connection held for a query, or for the open transaction, has a PgBouncer server
        /// connection bound to it (session mode).
        var boundServer = false
        var transactionBoundServer = false
        /// A pool connection handed over by its releaser while this entity waited.
        var handoff = Handoff.none
        var queueTicket: UInt64 = 0
        var live = false
    }

    struct Attempt {
        var serial: UInt64 = 0
        var endpoint: Int32 = 0
        var user: Int32 = 0
        var number: Int32 = 1
        var closedUser: Int32 = -1
        var instance: Int32 = -1
        var startSeconds: Double = 0
        var clientWaiting = false
        var serverRunning = false
        var cancelled = false
        var rootEntity: Int32 = -1
    }


    // MARK: Model, compiled

    let model: Model
    let programs: Programs
    /// `programs.ops` in a slab: the interpreter fetches an op per step, and an `Array`'s
    /// element read (its native-storage check and bounds check) was 24 instructions a request.
    let ops: Slab<Op>
    /// `programs.endpointStart`, read for every attempt, in a slab for the same reason.
    let endpointStart: Slab<Int32>
    let instanceCount: Int
    let horizonSeconds: Double
    let warmupSeconds: Double
    let timelineInterval: Double?
    /// Told the share of the horizon simulated so far, `progressTicks` times per replication
    /// (a progress bar within a long replication); nil: no ticks are scheduled. Ticks change
    /// nothing else: not the order of other events, not `eventsProcessed`.
    let progress: (@Sendable (Double) -> Void)?
    static let progressTicks = 200

    var calendar = EventCalendar<HeapEvent>(reservingCapacity: 1024)
    var nextSequence: UInt64 = 0
    var nowLane = EventRing<Event>()
    /// `lanes[0]`: heap events tied in time with a lane's head or a database node's next
    /// completion; then a lane per timeout duration.
    var lanes: Slab<EventRing<LaneEvent>>
    /// Each database node's next completion, `LaneEvent.none` when it has none pending, and
    /// the node whose completion comes first (-1 when none has one).
    var databaseNext: Slab<LaneEvent>
    var earliestDatabaseNode = -1
    /// The earliest lane head by (time, sequence), lane -1 when every lane is empty. Kept
    /// without a scan of the lanes per event: an event joining an empty lane is compared with
    /// it; a head leaving any other lane leaves it unchanged (that lane's next is later); the
    /// earliest lane's head leaving marks it stale, and the next pick scans the lanes.
    var earliestLane = -1
    var earliestLaneTime = Double.infinity
    var earliestLaneSequence = UInt64.max
    var earliestLaneStale = false
    /// The lane of each endpoint's client timeout, pool's acquire timeout and pooler's wait timeout.
    let endpointTimeoutLane: Slab<Int>
    let poolTimeoutLane: Slab<Int>
    let poolerTimeoutLane: Slab<Int>
    var now: Double = 0
    // Slabs, not arrays: they are written on every step, and an array in the engine checks
    // its buffer's uniqueness on each write.
    var entities = Slab<Entity>()
    var freeEntities = Slab<Int32>()
    var slotValues = Slab<Int32>()
    var attempts = Slab<Attempt>()
    var freeAttempts = Slab<Int32>()
    var nextSerial: UInt64 = 1

    // Streams: one per purpose, named, so components never shift each other's draws.
    let ownedStreams: [RandomStream]
    let arrivalStream, thinkStream, mixStream, userStream, balancerStream, retryStream: RandomStreamHandle
    let serviceStreams: Slab<RandomStreamHandle>  // per distribution index
    let countStreams: Slab<RandomStreamHandle>
    let failureStream, routingStream: RandomStreamHandle
    let cacheStreams: Slab<RandomStreamHandle>
    let distributions: Slab<Distribution>
    let counts: Slab<CountSampler>
    let mixCumulative: Slab<Double>
    let zipf: Slab<ZipfKeys?>
    let poolPerInstance: Slab<Bool>
    let cachePerInstance: Slab<Bool>
    let slotsPerEntity: Int
    let thinkTime: Distribution?
    let cacheLookupTime: Slab<Distribution>
    let connectionSetup: Slab<Distribution?>
    let setupStream: RandomStreamHandle

    // Model facts the hot path reads, copied out of `model` once: reading them through the
    // model's nested structs retains and releases their arrays and strings per access.
    let clients: Int
    let endpointTimeout: Slab<Double?>
    let endpointCancelOnTimeout: Slab<Bool>
    let endpointHasLimiters: Slab<Bool>
    /// Whether the endpoint retries (reading `model.endpoints[i].retry` copies the endpoint).
    let endpointHasRetry: Slab<Bool>
    let poolAcquireTimeout: Slab<Double?>
    /// Pools whose acquire timeout is a distribution (`acquire_timeout: uniform(2s, 2.14s)`):
    /// each wait draws its own, from the pool's stream; nil for a constant one (a lane).
    let poolAcquireTimeoutVarying: Slab<Distribution?>
    let acquireTimeoutStreams: Slab<RandomStreamHandle?>
    /// `latency_of: all`: failed and timed-out requests are timed too.
    let latencyOfAll: Bool
    /// The first database node reads may go to: 1 (the replicas), or 0 with `read_from: all`.
    let firstReadNode: Int
    let poolerMaxClientConnections: Slab<Int>
    let poolerWaitTimeout: Slab<Double?>
    let databaseMaxConnections: Int
    /// Read routing when reads can go to replicas, else nil (every query to the primary).
    let replicaReadRouting: ReadRouting?
    let cacheUsesKeys: Slab<Bool>
    let cacheHitRatio: Slab<Double>
    let cacheSingleFlight: Slab<Bool>
    let cacheInvalidatesAll: Slab<Bool>
    let jobQueueCapacity: Slab<Int?>

    // Instances.
    var workers: Slab<TokenPool>
    var instanceAlive: Slab<Bool>
    var inRotation: Slab<Bool>
    var instancesInRotation: Int
    var inFlight: Slab<Int>
    var roundRobinNext = 0

    // Pools: slot = pool * instances + instance (per instance) or pool * instances (shared).
    var pools: Slab<TokenPool>
    /// Each slot's pool (slot / instances).
    let poolOfSlot: Slab<Int>
    var openConnections: Slab<Int>
    let poolerOfPool: Slab<Int32>
    var poolers: Slab<TokenPool>
    var poolerOpen: Slab<Int>
    var poolerClientConnections: Slab<Int>
    var poolWaits: Slab<LatencyRecorder>
    var poolerWaits: Slab<LatencyRecorder>
    var poolTotalInUse: Slab<TimeWeightedAverage>
    var poolTimeouts: Slab<Int>
    var poolRefused: Slab<Int>
    // Connection lifetimes, for pools that track them (`poolTracksConnections`): each slot's
    // idle open connections, most recently released last (reused first, LIFO, as node-postgres
    // and HikariCP do), and whether its reaper event is pending.
    let poolTracksConnections: Slab<Bool>
    let poolIdleTimeout: Slab<Double>
    let poolMinIdle: Slab<Int>
    let poolerSessionMode: Slab<Bool>
    var idleConnections: Slab<EventRing<IdleConnection>>
    var idleReaperArmed: Slab<Bool>
    /// Open connections of each pool (all slots), and opens and idle closes since warm-up.
    var poolOpenTotal: Slab<TimeWeightedAverage>
    var poolOpened: Slab<Int>
    var poolIdleClosed: Slab<Int>
    var poolerTimeouts: Slab<Int>
    var databaseOpen = TimeWeightedAverage()
    var databaseRefused = 0
    var failedQueries = 0

    // Database nodes: 0 = primary, then replicas.
    var databaseNodes: Slab<ProcessorSharingStation>
    var databaseQueries: Slab<Int>
    var readRoundRobin = 0

    // Caches: store = cache * instances + instance (per instance) or cache * instances (shared).
    var cacheStores: Slab<CacheStore?>
    var cacheLookups: Slab<Int>
    var cacheHits: Slab<Int>
    var cacheCoalesced: Slab<Int>
    var cacheWaiters: [Int: [Int32]] = [:]
    /// Cache servers (`server:`), one per store slot like the stores (size 1 and unused for a
    /// cache without one); each cache's lookups' waits for them; their service times.
    var cacheServers: Slab<TokenPool>
    var cacheServerWaits: Slab<LatencyRecorder>
    let cacheServerTime: Slab<Distribution?>
    let cacheServerStreams: Slab<RandomStreamHandle?>
    /// A fill's time at the server (the lookup's unless `fill_time`), drawn from its own stream.
    let cacheFillTime: Slab<Distribution?>
    let cacheFillStreams: Slab<RandomStreamHandle?>
    /// Each instance's client pool of connections to a cache's server (`server.connections`),
    /// cache-major (cache * instances + instance; size 1 and unused without one), and each
    /// cache's commands' waits for a connection.
    var cacheConnections: Slab<TokenPool>
    var cacheConnectionWaits: Slab<SummaryStatistics>
    let cacheHasConnectionPool: Slab<Bool>
    /// `server.connection_timeout` per cache, and the commands that gave up waiting.
    let cacheConnectionTimeout: Slab<Double?>
    /// `server.on_timeout: miss`: a command that gave up does not fail its request.
    let cacheTimeoutIsMiss: Slab<Bool>
    var cacheConnectionTimeouts: Slab<Int>

    // Rate limiters: state index = limiter offset + scope slot * keys + key.
    var rateLimitState: Slab<RateLimitState>
    let rateLimitOffset: Slab<Int>
    let rateLimitKeys: Slab<Int>
    let endpointLimiters: Slab<[Int]>

    // Job queues.
    var jobWorkers: Slab<TokenPool>
    var jobEnqueued: Slab<Int>
    var jobCompleted: Slab<Int>
    var jobFailed: Slab<Int>
    var jobLatency: Slab<LatencyRecorder>

    // Endpoint tallies.
    var tallies: Slab<EndpointTally>
    var orphanedWrites = 0
    /// Requests and jobs turned away at the overload caps since the warm-up.
    var overloadRejections = 0

    static var maximumRequestsInFlightPerInstance: Int { OverloadCaps.requestsInFlightPerInstance }
    static var maximumWaitingJobs: Int { OverloadCaps.waitingJobsPerQueue }
    var statisticsStart: Double = 0
    var eventsProcessed = 0

    // Timeline.
    var timeline: [TimelineSample] = []
    var intervalLatency = LatencyRecorder()
    var intervalArrivals = 0, intervalCompletions = 0, intervalTimeouts = 0, intervalErrors = 0

    // Open workload phases.
    var phaseIndex = 0
    /// An open workload at a constant, positive rate: the rate, and whether arrivals are evenly
    /// spaced (`process: constant`) rather than Poisson. Nil for phases, a zero rate or a closed
    /// workload (`nextOpenArrival` reads the model then).
    let openRatePerSecond: Double?
    let openArrivalsEvenlySpaced: Bool


    init(model: Model, replication: Int, warmupSeconds: Double, horizonSeconds: Double, timelineIntervalSeconds: Double?,
         progress: (@Sendable (Double) -> Void)? = nil) {
        self.model = model
        self.progress = progress
        self.horizonSeconds = horizonSeconds
        self.warmupSeconds = min(warmupSeconds, horizonSeconds)
        self.timelineInterval = timelineIntervalSeconds
        let compiled = Programs(model: model)
        programs = compiled
        ops = Slab(compiled.ops)
        endpointStart = Slab(compiled.endpointStart)
        instanceCount = max(1, model.instances.count)
        let seed = model.simulation.seed
        var owned: [RandomStream] = []
        func stream(_ name: String) -> RandomStreamHandle {
            let s = RandomStream(masterSeed: seed, name: name, replication: replication)
            owned.append(s)
            return s.handle
        }
        arrivalStream = stream("workload.arrivals")
        thinkStream = stream("workload.think")
        mixStream = stream("workload.mix")
        userStream = stream("workload.users")
        balancerStream = stream("balancer")
        retryStream = stream("clients.retry")
        failureStream = stream("faults.failures")
        routingStream = stream("database.read-routing")
        setupStream = stream("pools.connection-setup")
        clients = max(1, model.workload?.clients ?? 1)
        if case .open(.rate(let rate), let process)? = model.workload?.arrivals, rate > 0 {
            openRatePerSecond = rate
            openArrivalsEvenlySpaced = process == .constant
        } else {
            openRatePerSecond = nil
            openArrivalsEvenlySpaced = false
        }
        endpointTimeout = Slab(model.endpoints.map(\.timeoutSeconds))
        endpointCancelOnTimeout = Slab(model.endpoints.map(\.cancelOnTimeout))
        endpointHasLimiters = Slab(model.endpoints.map { !$0.rateLimiters.isEmpty })
        endpointHasRetry = Slab(model.endpoints.map { $0.retry != nil })
        poolAcquireTimeout = Slab(model.pools.map(\.acquireTimeoutSeconds))
        poolAcquireTimeoutVarying = Slab(model.pools.map { $0.acquireTimeout.map(Distribution.init) })
        acquireTimeoutStreams = Slab(model.pools.map { pool in pool.acquireTimeout.map { _ in stream("pools.\(pool.name).acquire-timeout") } })
        latencyOfAll = model.simulation.latencyOf == .all
        firstReadNode = model.database?.readFrom == .all ? 0 : 1
        poolerMaxClientConnections = Slab(model.poolers.map(\.maxClientConnections))
        poolerWaitTimeout = Slab(model.poolers.map(\.queryWaitTimeoutSeconds))
        databaseMaxConnections = model.database?.maxConnections ?? Int.max
        replicaReadRouting = (model.database?.replicas ?? 0) > 0 ? model.database?.readRouting : nil
        cacheUsesKeys = Slab(model.caches.map { if case .keys = $0.hits { return true } else { return false } })
        cacheHitRatio = Slab(model.caches.map { if case .ratio(let h) = $0.hits { return h } else { return 0 } })
        cacheSingleFlight = Slab(model.caches.map(\.singleFlight))
        cacheInvalidatesAll = Slab(model.caches.map { $0.invalidation == .all })
        jobQueueCapacity = Slab(model.jobQueues.map(\.capacity))
        var laneOfDuration: [UInt64: Int] = [:]
        func lane(_ duration: Double?) -> Int {
            guard let duration else { return -1 }
            if let l = laneOfDuration[duration.bitPattern] { return l }
            laneOfDuration[duration.bitPattern] = laneOfDuration.count + 1
            return laneOfDuration.count
        }
        endpointTimeoutLane = Slab(endpointTimeout.map(lane))
        poolTimeoutLane = Slab(model.pools.map { $0.acquireTimeout == nil ? lane($0.acquireTimeoutSeconds) : -1 })
        poolerTimeoutLane = Slab(poolerWaitTimeout.map(lane))
        // One ring each: copies of a ring would share its storage.
        lanes = Slab((0..<(laneOfDuration.count + 1)).map { _ in EventRing<LaneEvent>() })
        databaseNext = Slab(repeating: LaneEvent.none, count: 1 + (model.database?.replicas ?? 0))
        if case .closed(_, let think)? = model.workload?.arrivals { thinkTime = Distribution(think) } else { thinkTime = nil }
        cacheLookupTime = Slab(model.caches.map { Distribution($0.lookup) })
        poolPerInstance = Slab(model.pools.map { $0.scope == .perInstance })
        cachePerInstance = Slab(model.caches.map { $0.scope == .perInstance })
        slotsPerEntity = max(1, compiled.slotsUsed)
        connectionSetup = Slab(model.pools.map { $0.connectionSetup.map(Distribution.init) })
        serviceStreams = Slab(compiled.distributions.indices.map { stream("step.\($0).time") })
        countStreams = Slab(compiled.counts.indices.map { stream("step.\($0).count") })
        cacheStreams = Slab(model.caches.map { stream("cache.\($0.name)") })
        cacheServerTime = Slab(model.caches.map { $0.server.map { Distribution($0.time) } })
        cacheServerStreams = Slab(model.caches.map { cache in cache.server.map { _ in stream("cache.\(cache.name).server") } })
        cacheFillTime = Slab(model.caches.map { $0.server.map { Distribution($0.effectiveFillTime) } })
        cacheFillStreams = Slab(model.caches.map { cache in cache.server.map { _ in stream("cache.\(cache.name).fill") } })
        ownedStreams = owned
        distributions = Slab(compiled.distributions)
        counts = Slab(compiled.counts.map(CountSampler.init))

        let weights = model.workload?.mix.map(\.weight) ?? []
        let totalWeight = weights.reduce(0, +)
        var running = 0.0
        mixCumulative = Slab(weights.map { running += $0 / max(totalWeight, .leastNonzeroMagnitude); return running })

        let n = instanceCount
        workers = Slab((0..<n).map { _ in TokenPool(size: max(1, model.instances.workers)) })
        instanceAlive = Slab(repeating: true, count: n)
        inRotation = Slab(repeating: true, count: n)
        instancesInRotation = n
        inFlight = Slab(repeating: 0, count: n)

        pools = []
        for pool in model.pools {
            // The engine keeps each pool's in-use total (`poolTotalInUse`) and waits (`poolWaits`).
            for _ in 0..<n { pools.append(TokenPool(size: pool.size, keepsGrantStatistics: false)) }
        }
        openConnections = Slab(repeating: 0, count: pools.count)
        poolOfSlot = Slab((0..<pools.count).map { $0 / n })
        let poolerIndex = Dictionary(uniqueKeysWithValues: model.poolers.enumerated().map { ($1.name, Int32($0)) })
        poolerOfPool = Slab(model.pools.map { $0.via.flatMap { poolerIndex[$0] } ?? -1 })
        poolers = Slab(model.poolers.map { TokenPool(size: $0.serverConnections) })
        poolerOpen = Slab(repeating: 0, count: model.poolers.count)
        poolerClientConnections = Slab(repeating: 0, count: model.poolers.count)
        poolWaits = Slab(repeating: LatencyRecorder(), count: model.pools.count)
        poolerWaits = Slab(repeating: LatencyRecorder(), count: model.poolers.count)
        poolTotalInUse = Slab(repeating: TimeWeightedAverage(), count: model.pools.count)
        poolTimeouts = Slab(repeating: 0, count: model.pools.count)
        poolRefused = Slab(repeating: 0, count: model.pools.count)
        poolerSessionMode = Slab(model.poolers.map { $0.mode == .session })
        poolIdleTimeout = Slab(model.pools.map { $0.idleTimeoutSeconds ?? .infinity })
        poolMinIdle = Slab(model.pools.map(\.minIdle))
        let sessionPoolers = Set(model.poolers.filter { $0.mode == .session }.map(\.name))
        poolTracksConnections = Slab(model.pools.map { pool in
            pool.idleTimeoutSeconds != nil || pool.via.map(sessionPoolers.contains) == true
        })
        // One ring each (copies of a ring would share its storage), behind raw pointers: a
        // `Deque` checked its buffer's uniqueness on every release and acquire.
        idleConnections = Slab((0..<pools.count).map { _ in EventRing<IdleConnection>(capacity: 4) })
        idleReaperArmed = Slab(repeating: false, count: pools.count)
        poolOpenTotal = Slab(repeating: TimeWeightedAverage(), count: model.pools.count)
        poolOpened = Slab(repeating: 0, count: model.pools.count)
        poolIdleClosed = Slab(repeating: 0, count: model.pools.count)
        poolerTimeouts = Slab(repeating: 0, count: model.poolers.count)

        let database = model.database ?? Database()
        databaseNodes = Slab([ProcessorSharingStation(cores: database.cores, contention: database.contention,
                                                      coherency: database.coherency)]
            + (0..<database.replicas).map { _ in
                ProcessorSharingStation(cores: database.replicaCores, contention: database.contention,
                                        coherency: database.coherency)
            })
        databaseQueries = Slab(repeating: 0, count: databaseNodes.count)

        cacheStores = []
        zipf = Slab(model.caches.map { cache in
            if case .keys(let popularity) = cache.hits { return ZipfKeys(s: popularity.s, n: popularity.n) }
            return nil
        })
        for cache in model.caches {
            for _ in 0..<n {
                if case .keys(let popularity) = cache.hits {
                    cacheStores.append(CacheStore(keys: popularity.n, capacity: cache.capacity, ttlSeconds: cache.ttlSeconds))
                } else {
                    cacheStores.append(nil)
                }
            }
        }
        cacheServers = Slab(model.caches.flatMap { cache in (0..<n).map { _ in TokenPool(size: cache.server?.servers ?? 1) } })
        cacheServerWaits = Slab(repeating: LatencyRecorder(), count: model.caches.count)
        cacheHasConnectionPool = Slab(model.caches.map { $0.server?.connectionsPerInstance != nil })
        let clientPoolsPerCache = instanceCount
        cacheConnections = Slab(model.caches.flatMap { cache in
            (0..<clientPoolsPerCache).map { _ in TokenPool(size: cache.server?.connectionsPerInstance ?? 1) }
        })
        cacheConnectionWaits = Slab(repeating: SummaryStatistics(), count: model.caches.count)
        cacheConnectionTimeout = Slab(model.caches.map { $0.server?.connectionTimeoutSeconds })
        cacheTimeoutIsMiss = Slab(model.caches.map { $0.server?.onTimeout == .miss })
        cacheConnectionTimeouts = Slab(repeating: 0, count: model.caches.count)
        cacheLookups = Slab(repeating: 0, count: model.caches.count)
        cacheHits = Slab(repeating: 0, count: model.caches.count)
        cacheCoalesced = Slab(repeating: 0, count: model.caches.count)

        let clients = max(1, model.workload?.clients ?? 1)
        var offsets: [Int] = []
        var keys: [Int] = []
        var states: [RateLimitState] = []
        for limiter in model.rateLimiters {
            offsets.append(states.count)
            let k = limiter.key == .global ? 1 : clients
            keys.append(k)
            let slots = limiter.scope == .perInstance ? n : 1
            let burst: Double
            switch limiter.algorithm {
            case .tokenBucket(_, let b): burst = Double(b)
            case .fixedWindow: burst = 0
            }
            states.append(contentsOf: Array(repeating: RateLimitState(tokens: burst), count: k * slots))
        }
        rateLimitOffset = Slab(offsets)
        rateLimitKeys = Slab(keys)
        rateLimitState = Slab(states)
        let limiterIndex = Dictionary(uniqueKeysWithValues: model.rateLimiters.enumerated().map { ($1.name, $0) })
        endpointLimiters = Slab(model.endpoints.map { $0.rateLimiters.compactMap { limiterIndex[$0] } })

        jobWorkers = Slab(model.jobQueues.map { TokenPool(size: max(1, $0.workers)) })
        jobEnqueued = Slab(repeating: 0, count: model.jobQueues.count)
        jobCompleted = Slab(repeating: 0, count: model.jobQueues.count)
        jobFailed = Slab(repeating: 0, count: model.jobQueues.count)
        jobLatency = Slab(repeating: LatencyRecorder(), count: model.jobQueues.count)
        tallies = Slab(repeating: EndpointTally(), count: model.endpoints.count)
    }
}
