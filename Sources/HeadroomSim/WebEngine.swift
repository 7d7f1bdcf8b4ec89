// The web engine's state and its construction from a checked model: the entities and attempts
// every component works on, each component's counters and stations, and `init`, which compiles
// the model's steps and sizes everything. The behaviour lives in one file per concern, all
// extensions of this type (docs/engine.md shows how a request flows through them):
//
//   WebEngine+EventLoop     events, the calendar and its lanes, the loop, dispatch by event kind
//   WebEngine+Workload      open arrivals (rate, phases with ramps), closed users, endpoint mix
//   WebEngine+Client        attempts, client timeouts, cancellation, retries, outcomes
//   WebEngine+Instances     load balancer, workers (`cpu` steps), instance failures
//   WebEngine+Threads       request threads and the accept queue (thread-per-request servers)
//   WebEngine+RateLimiters  token buckets and fixed windows
//   WebEngine+Steps         the step interpreter (`advance`, `StepState`), control flow, `terminate`
//   WebEngine+Calls         `sleep` and external `call` steps
//   WebEngine+Connections   pools, poolers, database connections, transactions, idle reaping
//   WebEngine+Database      `query` steps, processor-sharing nodes, read routing
//   WebEngine+Caches        cache lookups, fills, single flight, invalidation
//   WebEngine+Jobs          job queues
//   WebEngine+Upstreams     `http` steps: client pools, the upstream's servers, timeouts, errors
//   WebEngine+Hosts         hosts' shared cores, a pooler's and the client's CPU, CPU limits
//   WebEngine+Statistics    tallies, warm-up restart, timeline, the result
//
// Each component's constants, state and counters are in its table (Components/: PoolTable,
// PoolerTable, DatabaseTable, CacheTable, RateLimiterTable, JobQueueTable, UpstreamTable,
// ThreadTable, HostTable).

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
        var state = StepState.start
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
        /// When the call of an `http` step was sent (its client timeout counts from there).
        var sentSeconds: Double = 0
        // An open transaction.
        var transactionPool: Int32 = -1
        var transactionSlot: Int32 = -1
        var transactionPoolerSlot: Int32 = -1
        var transactionWrites: Int32 = 0
        /// Writes committed outside a transaction (root entity only): the orphan count's unit.
        var committedWrites: Int32 = 0
        /// When the request (or job) last committed a write (root entity only; -inf: never):
        /// a read at a replica within the replication lag of it is stale.
        var lastWriteSeconds = -Double.infinity
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
        /// The pool connection this acquisition uses was opened by it (a pooler charges its
        /// CPU per connection once, WebEngine+Hosts).
        var openedPoolConnection = false
        var transactionBoundServer = false
        /// A pool connection handed over by its releaser while this entity waited.
        var handoff = Handoff.none
        var queueTicket: UInt64 = 0
        var live = false
        /// A request's root entity holding one of its instance's request threads (`instances.threads`).
        var holdsThread = false
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
        /// Where the attempt failed (`FailureCause.rawValue`), once a failure is recorded.
        var failure: UInt8 = Attempt.noFailure
        static let noFailure = UInt8.max
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
    let distributions: Slab<Distribution>
    let counts: Slab<CountSampler>
    let mixCumulative: Slab<Double>
    let slotsPerEntity: Int
    let thinkTime: Distribution?
    let setupStream: RandomStreamHandle

    // Model facts the hot path reads, copied out of `model` once: reading them through the
    // model's nested structs retains and releases their arrays and strings per access.
    let clients: Int
    let endpointTimeout: Slab<Double?>
    let endpointCancelOnTimeout: Slab<Bool>
    let endpointHasLimiters: Slab<Bool>
    /// Whether the endpoint retries (reading `model.endpoints[i].retry` copies the endpoint).
    let endpointHasRetry: Slab<Bool>
    /// `latency_of: all`: failed and timed-out requests are timed too.
    let latencyOfAll: Bool

    // Instances.
    var workers: Slab<TokenPool>
    var instanceAlive: Slab<Bool>
    var inRotation: Slab<Bool>
    var instancesInRotation: Int
    var inFlight: Slab<Int>
    var roundRobinNext = 0

    // The components, one table each (Components/): a table owns its constants, its state and
    // its counters, restarts them at the warm-up and reports them, so a new counter is touched
    // in one place; the behaviour stays in the WebEngine+X extensions.
    var pools: PoolTable
    var poolers: PoolerTable
    var database: DatabaseTable
    var caches: CacheTable
    var rateLimiters: RateLimiterTable
    var jobQueues: JobQueueTable
    var upstreams: UpstreamTable
    var threads: ThreadTable
    var hosts: HostTable

    // Endpoint tallies.
    var tallies: Slab<EndpointTally>
    /// Failed attempts per endpoint and cause: `[endpoint * FailureCause.allCases.count + cause]`.
    var failureCounts: Slab<Int>
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
    var intervalRejected = 0, intervalRateLimited = 0
    /// `--timeline-by-endpoint`: each endpoint's interval counters and response times (empty otherwise).
    let timelineByEndpoint: Bool
    var intervalEndpoints: [TimelineEndpointSample] = []
    var intervalEndpointLatency: [LatencyRecorder] = []
    /// The busy-resource integrals (`TimelineResources` order) at the last tick, and what the
    /// warm-up's restart took away from them since (added back at the next tick).
    var timelineIntegrals: [Double] = []
    var timelineCarry: [Double] = []

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
        timelineByEndpoint = timelineIntervalSeconds != nil && model.simulation.timelineByEndpoint
        if timelineByEndpoint {
            intervalEndpoints = Array(repeating: TimelineEndpointSample(), count: model.endpoints.count)
            intervalEndpointLatency = Array(repeating: LatencyRecorder(), count: model.endpoints.count)
        }
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
        latencyOfAll = model.simulation.latencyOf == .all
        var laneOfDuration: [UInt64: Int] = [:]
        func lane(_ duration: Double?) -> Int {
            guard let duration else { return -1 }
            if let l = laneOfDuration[duration.bitPattern] { return l }
            laneOfDuration[duration.bitPattern] = laneOfDuration.count + 1
            return laneOfDuration.count
        }
        endpointTimeoutLane = Slab(endpointTimeout.map(lane))
        poolTimeoutLane = Slab(model.pools.map { $0.acquireTimeout == nil ? lane($0.acquireTimeoutSeconds) : -1 })
        poolerTimeoutLane = Slab(model.poolers.map { lane($0.queryWaitTimeoutSeconds) })
        // One ring each: copies of a ring would share its storage.
        lanes = Slab((0..<(laneOfDuration.count + 1)).map { _ in EventRing<LaneEvent>() })
        databaseNext = Slab(repeating: LaneEvent.none, count: 1 + (model.database?.replicas ?? 0))
        if case .closed(_, let think)? = model.workload?.arrivals { thinkTime = Distribution(think) } else { thinkTime = nil }
        slotsPerEntity = max(1, compiled.slotsUsed)
        serviceStreams = Slab(compiled.distributions.indices.map { stream("step.\($0).time") })
        countStreams = Slab(compiled.counts.indices.map { stream("step.\($0).count") })
        pools = PoolTable(model: model, instances: instanceCount, stream: stream)
        poolers = PoolerTable(model: model)
        database = DatabaseTable(model: model, stream: stream)
        caches = CacheTable(model: model, instances: instanceCount, stream: stream)
        rateLimiters = RateLimiterTable(model: model, instances: instanceCount, clients: clients)
        jobQueues = JobQueueTable(model: model)
        upstreams = UpstreamTable(model: model, instances: instanceCount, stream: stream)
        threads = ThreadTable(model: model, instances: instanceCount)
        hosts = HostTable(model: model, instances: instanceCount, stream: stream)
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

        tallies = Slab(repeating: EndpointTally(), count: model.endpoints.count)
        failureCounts = Slab(repeating: 0, count: model.endpoints.count * FailureCause.allCases.count)
    }
}
