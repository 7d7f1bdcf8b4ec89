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
    // MARK: Events

    enum EventKind: UInt8 {
        case openArrival, thinkEnd, startAttempt, clientTimeout, resume, delayEnd, databaseDone
        case acquireTimeout, poolerTimeout, instanceDies, instanceLeavesRotation, warmup, timelineTick
        /// A pool slot's idle-connection reaper (one pending per slot at most).
        case idleReap
    }

    struct Event {
        var kind: EventKind
        var target: Int32
        var tag: UInt64
    }

    // Where pending events wait. Events fire in order of time, then of scheduling (a sequence
    // number the engine assigns), exactly as if they all were in the calendar; but most of
    // them are scheduled in an order their times already follow, and those skip the heap:
    //
    // - an event for `now` (a waiter resumed, a branch started) joins `nowLane`. Every event
    //   already pending for `now` was scheduled before it, so this lane fires last among
    //   events at `now`, first in first out;
    // - a timeout (client, pool acquire, pooler wait) fires a constant time after it is
    //   scheduled, so the timeouts of one duration come due in scheduling order: one lane per
    //   distinct duration. Most are stale when they fire (the wait ended first); in the heap
    //   they were most of its entries (30,000 of 33,000 in tailors-before), making every push
    //   and pop deeper;
    // - a database node's next completion has a lane of its own holding at most that one
    //   event: a query arriving or leaving moves the completion, and the event it replaces
    //   leaves the lane at once instead of staying in the heap to be popped and ignored
    //   (counted in `eventsProcessed` as the heap would have, if due within the horizon);
    // - everything else goes to the calendar's heap, which orders it by time and then by
    //   its own insertion order, the same order as the engine's sequence.
    //
    // The next event is the earliest lane head or heap top by (time, sequence). When a heap
    // event and a lane head have exactly the same time, the heap's events at that time move
    // to `lanes[0]` with their sequence numbers, so the tie is broken by scheduling order as
    // before. The same events therefore run in the same order as with one heap.

    /// A calendar entry's payload: the engine's sequence number and the kind in one word, the
    /// tag cut to 32 bits (heap events carry a database node's generation, or a retry's
    /// attempt serial, only checked for equality), so an entry stays 32 bytes.
    struct HeapEvent {
        var sequenceAndKind: UInt64
        var target: Int32
        var tag: UInt32
    }

    /// An event in a lane, with its time and sequence number.
    struct LaneEvent {
        var timeSeconds: Double
        var sequence: UInt64
        var event: Event
    }

    /// An open pool connection nobody holds, since when, and whether a session-mode PgBouncer
    /// server connection is bound to it.
    struct IdleConnection {
        var sinceSeconds: Double
        var hasServer: Bool
    }

    // MARK: Entities and attempts

    struct Entity {
        var pc: Int32 = 0
        var phase: UInt8 = 0
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
        /// What the entity is queued for: 0 nothing, 1 a pool connection, 2 a pooler server connection.
        var queuedOn: UInt8 = 0
        /// Pools that track connections (idle timeout, or a session-mode pooler): whether the
        /// pool connection held for a query, or for the open transaction, has a PgBouncer server
        /// connection bound to it (session mode).
        var boundServer = false
        var transactionBoundServer = false
        /// A pool connection handed over by its releaser while this entity waited: 0 none,
        /// 1 without a bound server, 2 with one, 3 a token with no open connection (the
        /// releaser's open was refused).
        var handoff: UInt8 = 0
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

    enum Outcome { case success, error, timeout, rateLimited }

    // MARK: Model, compiled

    let model: Model
    let programs: Programs
    let instanceCount: Int
    let horizonSeconds: Double
    let warmupSeconds: Double
    let timelineInterval: Double?

    var calendar = EventCalendar<HeapEvent>(reservingCapacity: 1024)
    var nextSequence: UInt64 = 0
    var nowLane = EventRing<Event>()
    /// `lanes[0]`: heap events tied in time with a lane's head; then a lane per timeout
    /// duration; then one per database node, from `databaseLane`.
    var lanes: Slab<EventRing<LaneEvent>>
    let databaseLane: Int
    /// The earliest lane head by (time, sequence), lane -1 when every lane is empty. Kept
    /// without a scan of the lanes per event: an event joining an empty lane is compared with
    /// it; a head leaving any other lane leaves it unchanged (that lane's next is later); the
    /// earliest lane's head leaving marks it stale, and the next pick scans the lanes.
    var earliestLane = -1
    var earliestLaneTime = Double.infinity
    var earliestLaneSequence = UInt64.max
    var earliestLaneStale = false
    /// The lane of each endpoint's client timeout, pool's acquire timeout and pooler's wait timeout.
    let endpointTimeoutLane: [Int]
    let poolTimeoutLane: [Int]
    let poolerTimeoutLane: [Int]
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
    let serviceStreams: [RandomStreamHandle]  // per distribution index
    let countStreams: [RandomStreamHandle]
    let failureStream, routingStream: RandomStreamHandle
    let cacheStreams: [RandomStreamHandle]
    let distributions: [Distribution]
    let counts: [CountSampler]
    let mixCumulative: [Double]
    let zipf: [ZipfKeys?]
    let poolPerInstance: [Bool]
    let cachePerInstance: [Bool]
    let slotsPerEntity: Int
    let thinkTime: Distribution?
    let cacheLookupTime: [Distribution]
    let connectionSetup: [Distribution?]
    let setupStream: RandomStreamHandle

    // Model facts the hot path reads, copied out of `model` once: reading them through the
    // model's nested structs retains and releases their arrays and strings per access.
    let clients: Int
    let endpointTimeout: [Double?]
    let endpointCancelOnTimeout: [Bool]
    let endpointHasLimiters: [Bool]
    let poolAcquireTimeout: [Double?]
    let poolerMaxClientConnections: [Int]
    let poolerWaitTimeout: [Double?]
    let databaseMaxConnections: Int
    /// Read routing when reads can go to replicas, else nil (every query to the primary).
    let replicaReadRouting: ReadRouting?
    let cacheUsesKeys: [Bool]
    let cacheHitRatio: [Double]
    let cacheSingleFlight: [Bool]
    let cacheInvalidatesAll: [Bool]
    let jobQueueCapacity: [Int?]

    // Instances.
    var workers: Slab<TokenPool>
    var instanceAlive: [Bool]
    var inRotation: [Bool]
    var instancesInRotation: Int
    var inFlight: Slab<Int>
    var roundRobinNext = 0

    // Pools: slot = pool * instances + instance (per instance) or pool * instances (shared).
    var pools: Slab<TokenPool>
    var openConnections: Slab<Int>
    let poolerOfPool: [Int32]
    var poolers: Slab<TokenPool>
    var poolerOpen: Slab<Int>
    var poolerClientConnections: Slab<Int>
    var poolWaits: Slab<LatencyRecorder>
    var poolerWaits: Slab<LatencyRecorder>
    var poolTotalInUse: Slab<TimeWeightedAverage>
    var poolTimeouts: [Int]
    var poolRefused: [Int]
    // Connection lifetimes, for pools that track them (`poolTracksConnections`): each slot's
    // idle open connections, most recently released last (reused first, LIFO, as node-postgres
    // and HikariCP do), and whether its reaper event is pending.
    let poolTracksConnections: [Bool]
    let poolIdleTimeout: [Double]
    let poolMinIdle: [Int]
    let poolerSessionMode: [Bool]
    var idleConnections: Slab<EventRing<IdleConnection>>
    var idleReaperArmed: Slab<Bool>
    /// Open connections of each pool (all slots), and opens and idle closes since warm-up.
    var poolOpenTotal: Slab<TimeWeightedAverage>
    var poolOpened: [Int]
    var poolIdleClosed: [Int]
    var poolerTimeouts: [Int]
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

    // Rate limiters: state index = limiter offset + scope slot * keys + key.
    var rateLimitState: [RateLimitState]
    let rateLimitOffset: [Int]
    let rateLimitKeys: [Int]
    let endpointLimiters: [[Int]]

    // Job queues.
    var jobWorkers: Slab<TokenPool>
    var jobEnqueued: Slab<Int>
    var jobCompleted: Slab<Int>
    var jobFailed: Slab<Int>
    var jobLatency: Slab<LatencyRecorder>

    // Endpoint tallies.
    var tallies: Slab<EndpointTally>
    var orphanedWrites = 0
    var statisticsStart: Double = 0
    var eventsProcessed = 0

    // Timeline.
    var timeline: [TimelineSample] = []
    var intervalLatency = LatencyRecorder()
    var intervalArrivals = 0, intervalCompletions = 0, intervalTimeouts = 0, intervalErrors = 0

    // Open workload phases.
    var phaseIndex = 0

    struct EndpointTally {
        var attempts = 0, succeeded = 0, timeouts = 0, errors = 0, rateLimited = 0, retries = 0
        var latency = LatencyRecorder()
    }

    init(model: Model, replication: Int, warmupSeconds: Double, horizonSeconds: Double, timelineIntervalSeconds: Double?) {
        self.model = model
        self.horizonSeconds = horizonSeconds
        self.warmupSeconds = min(warmupSeconds, horizonSeconds)
        self.timelineInterval = timelineIntervalSeconds
        let compiled = Programs(model: model)
        programs = compiled
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
        endpointTimeout = model.endpoints.map(\.timeoutSeconds)
        endpointCancelOnTimeout = model.endpoints.map(\.cancelOnTimeout)
        endpointHasLimiters = model.endpoints.map { !$0.rateLimiters.isEmpty }
        poolAcquireTimeout = model.pools.map(\.acquireTimeoutSeconds)
        poolerMaxClientConnections = model.poolers.map(\.maxClientConnections)
        poolerWaitTimeout = model.poolers.map(\.queryWaitTimeoutSeconds)
        databaseMaxConnections = model.database?.maxConnections ?? Int.max
        replicaReadRouting = (model.database?.replicas ?? 0) > 0 ? model.database?.readRouting : nil
        cacheUsesKeys = model.caches.map { if case .keys = $0.hits { return true } else { return false } }
        cacheHitRatio = model.caches.map { if case .ratio(let h) = $0.hits { return h } else { return 0 } }
        cacheSingleFlight = model.caches.map(\.singleFlight)
        cacheInvalidatesAll = model.caches.map { $0.invalidation == .all }
        jobQueueCapacity = model.jobQueues.map(\.capacity)
        var laneOfDuration: [UInt64: Int] = [:]
        func lane(_ duration: Double?) -> Int {
            guard let duration else { return -1 }
            if let l = laneOfDuration[duration.bitPattern] { return l }
            laneOfDuration[duration.bitPattern] = laneOfDuration.count + 1
            return laneOfDuration.count
        }
        endpointTimeoutLane = endpointTimeout.map(lane)
        poolTimeoutLane = poolAcquireTimeout.map(lane)
        poolerTimeoutLane = poolerWaitTimeout.map(lane)
        databaseLane = laneOfDuration.count + 1
        // One ring each: copies of a ring would share its storage.
        lanes = Slab((0..<(databaseLane + 1 + (model.database?.replicas ?? 0))).map { _ in EventRing<LaneEvent>() })
        if case .closed(_, let think)? = model.workload?.arrivals { thinkTime = Distribution(think) } else { thinkTime = nil }
        cacheLookupTime = model.caches.map { Distribution($0.lookup) }
        poolPerInstance = model.pools.map { $0.scope == .perInstance }
        cachePerInstance = model.caches.map { $0.scope == .perInstance }
        slotsPerEntity = max(1, compiled.slotsUsed)
        connectionSetup = model.pools.map { $0.connectionSetup.map(Distribution.init) }
        serviceStreams = compiled.distributions.indices.map { stream("step.\($0).time") }
        countStreams = compiled.counts.indices.map { stream("step.\($0).count") }
        cacheStreams = model.caches.map { stream("cache.\($0.name)") }
        ownedStreams = owned
        distributions = compiled.distributions
        counts = compiled.counts.map(CountSampler.init)

        let weights = model.workload?.mix.map(\.weight) ?? []
        let totalWeight = weights.reduce(0, +)
        var running = 0.0
        mixCumulative = weights.map { running += $0 / max(totalWeight, .leastNonzeroMagnitude); return running }

        let n = instanceCount
        workers = Slab((0..<n).map { _ in TokenPool(size: max(1, model.instances.workers)) })
        instanceAlive = Array(repeating: true, count: n)
        inRotation = Array(repeating: true, count: n)
        instancesInRotation = n
        inFlight = Slab(Array(repeating: 0, count: n))

        pools = []
        for pool in model.pools {
            for _ in 0..<n { pools.append(TokenPool(size: pool.size)) }
        }
        openConnections = Slab(Array(repeating: 0, count: pools.count))
        let poolerIndex = Dictionary(uniqueKeysWithValues: model.poolers.enumerated().map { ($1.name, Int32($0)) })
        poolerOfPool = model.pools.map { $0.via.flatMap { poolerIndex[$0] } ?? -1 }
        poolers = Slab(model.poolers.map { TokenPool(size: $0.serverConnections) })
        poolerOpen = Slab(Array(repeating: 0, count: model.poolers.count))
        poolerClientConnections = Slab(Array(repeating: 0, count: model.poolers.count))
        poolWaits = Slab(Array(repeating: LatencyRecorder(), count: model.pools.count))
        poolerWaits = Slab(Array(repeating: LatencyRecorder(), count: model.poolers.count))
        poolTotalInUse = Slab(Array(repeating: TimeWeightedAverage(), count: model.pools.count))
        poolTimeouts = Array(repeating: 0, count: model.pools.count)
        poolRefused = Array(repeating: 0, count: model.pools.count)
        poolerSessionMode = model.poolers.map { $0.mode == .session }
        poolIdleTimeout = model.pools.map { $0.idleTimeoutSeconds ?? .infinity }
        poolMinIdle = model.pools.map(\.minIdle)
        let sessionPoolers = Set(model.poolers.filter { $0.mode == .session }.map(\.name))
        poolTracksConnections = model.pools.map { pool in
            pool.idleTimeoutSeconds != nil || pool.via.map(sessionPoolers.contains) == true
        }
        // One ring each (copies of a ring would share its storage), behind raw pointers: a
        // `Deque` checked its buffer's uniqueness on every release and acquire.
        idleConnections = Slab((0..<pools.count).map { _ in EventRing<IdleConnection>(capacity: 4) })
        idleReaperArmed = Slab(Array(repeating: false, count: pools.count))
        poolOpenTotal = Slab(Array(repeating: TimeWeightedAverage(), count: model.pools.count))
        poolOpened = Array(repeating: 0, count: model.pools.count)
        poolIdleClosed = Array(repeating: 0, count: model.pools.count)
        poolerTimeouts = Array(repeating: 0, count: model.poolers.count)

        let database = model.database ?? Database()
        databaseNodes = Slab([ProcessorSharingStation(cores: database.cores, contention: database.contention,
                                                      coherency: database.coherency)]
            + (0..<database.replicas).map { _ in
                ProcessorSharingStation(cores: database.replicaCores, contention: database.contention,
                                        coherency: database.coherency)
            })
        databaseQueries = Slab(Array(repeating: 0, count: databaseNodes.count))

        cacheStores = []
        zipf = model.caches.map { cache in
            if case .keys(let popularity) = cache.hits { return ZipfKeys(s: popularity.s, n: popularity.n) }
            return nil
        }
        for cache in model.caches {
            for _ in 0..<n {
                if case .keys(let popularity) = cache.hits {
                    cacheStores.append(CacheStore(keys: popularity.n, capacity: cache.capacity, ttlSeconds: cache.ttlSeconds))
                } else {
                    cacheStores.append(nil)
                }
            }
        }
        cacheLookups = Slab(Array(repeating: 0, count: model.caches.count))
        cacheHits = Slab(Array(repeating: 0, count: model.caches.count))
        cacheCoalesced = Slab(Array(repeating: 0, count: model.caches.count))

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
        rateLimitOffset = offsets
        rateLimitKeys = keys
        rateLimitState = states
        let limiterIndex = Dictionary(uniqueKeysWithValues: model.rateLimiters.enumerated().map { ($1.name, $0) })
        endpointLimiters = model.endpoints.map { $0.rateLimiters.compactMap { limiterIndex[$0] } }

        jobWorkers = Slab(model.jobQueues.map { TokenPool(size: max(1, $0.workers)) })
        jobEnqueued = Slab(Array(repeating: 0, count: model.jobQueues.count))
        jobCompleted = Slab(Array(repeating: 0, count: model.jobQueues.count))
        jobFailed = Slab(Array(repeating: 0, count: model.jobQueues.count))
        jobLatency = Slab(Array(repeating: LatencyRecorder(), count: model.jobQueues.count))
        tallies = Slab(Array(repeating: EndpointTally(), count: model.endpoints.count))
    }

    // MARK: Running

    mutating func run() -> SystemRunResult {
        scheduleWorkload()
        for failure in model.instances.failures where failure.instance < instanceCount {
            schedule(.instanceDies, Int32(failure.instance), at: failure.atSeconds)
        }
        if warmupSeconds > 0 {
            schedule(.warmup, 0, at: warmupSeconds)
        }
        if let interval = timelineInterval, interval > 0 {
            schedule(.timelineTick, 0, at: interval)
        }
        while true {
            // The earliest lane head, by time and then sequence.
            if earliestLaneStale { findEarliestLane() }
            let lane = earliestLane
            let laneTime = earliestLaneTime
            let heapTime = calendar.nextTimeSeconds ?? .infinity
            if lane >= 0 && heapTime == laneTime {
                // A tie between the heap and a lane: the heap's events at this time join lane 0
                // (the heap yields them in scheduling order) and the choice is made again.
                while calendar.nextTimeSeconds == laneTime, let entry = calendar.popNext() {
                    appendToLane(0, LaneEvent(timeSeconds: entry.timeSeconds, sequence: entry.payload.sequenceAndKind >> 8,
                                              event: WebEngine.event(entry.payload)))
                }
                continue
            }
            let event: Event
            if !nowLane.isEmpty && min(heapTime, laneTime) > now {
                event = nowLane.removeFirst()
            } else if laneTime < heapTime {
                if laneTime > horizonSeconds { break }
                now = laneTime
                event = removeFirstOfLane(lane).event
            } else {
                guard let entry = calendar.popNext(), entry.timeSeconds <= horizonSeconds else { break }
                now = entry.timeSeconds
                event = WebEngine.event(entry.payload)
            }
            eventsProcessed += 1
            handle(event)
        }
        now = horizonSeconds
        return result()
    }

    @inline(__always)
    static func event(_ payload: HeapEvent) -> Event {
        // The kind was stored from a `rawValue`, and a payload-free enum's cases are numbered
        // as its raw values: a bit cast, where `EventKind(rawValue:)!` calls out to a switch.
        let raw = UInt8(truncatingIfNeeded: payload.sequenceAndKind)
        assert(EventKind(rawValue: raw) != nil)
        return Event(kind: unsafeBitCast(raw, to: EventKind.self), target: payload.target, tag: UInt64(payload.tag))
    }

    /// Schedules an event at `time`: in the now lane if `time` is now, else in the heap.
    mutating func schedule(_ kind: EventKind, _ target: Int32, tag: UInt64 = 0, at time: Double) {
        let sequence = nextSequence
        nextSequence &+= 1
        if time == now {
            nowLane.append(Event(kind: kind, target: target, tag: tag))
            return
        }
        calendar.schedule(HeapEvent(sequenceAndKind: sequence << 8 | UInt64(kind.rawValue), target: target,
                                    tag: UInt32(truncatingIfNeeded: tag)), atSeconds: time)
    }

    /// Schedules an event in `lane`, whose events come due in scheduling order (a timeout's
    /// lane: a constant time after scheduling; a database node's: at most one event).
    mutating func schedule(_ kind: EventKind, _ target: Int32, tag: UInt64, at time: Double, lane: Int) {
        let sequence = nextSequence
        nextSequence &+= 1
        if time == now {
            nowLane.append(Event(kind: kind, target: target, tag: tag))
            return
        }
        assert(lanes[lane].isEmpty || lanes[lane].last.timeSeconds <= time, "a lane's times must not decrease")
        appendToLane(lane, LaneEvent(timeSeconds: time, sequence: sequence, event: Event(kind: kind, target: target, tag: tag)))
    }

    @inline(__always)
    mutating func appendToLane(_ l: Int, _ event: LaneEvent) {
        let wasEmpty = lanes[l].isEmpty
        lanes[l].append(event)
        // Joining a non-empty lane leaves its head as it was; a stale pick will scan anyway.
        if wasEmpty && !earliestLaneStale
            && (event.timeSeconds < earliestLaneTime
                || (event.timeSeconds == earliestLaneTime && event.sequence < earliestLaneSequence)) {
            earliestLane = l
            earliestLaneTime = event.timeSeconds
            earliestLaneSequence = event.sequence
        }
    }

    @inline(__always)
    mutating func removeFirstOfLane(_ l: Int) -> LaneEvent {
        if l == earliestLane { earliestLaneStale = true }
        return lanes[l].removeFirst()
    }

    /// Scans the lanes for the earliest head, by time and then sequence.
    mutating func findEarliestLane() {
        var lane = -1
        var laneTime = Double.infinity
        var laneSequence = UInt64.max
        for l in 0..<lanes.count where !lanes[l].isEmpty {
            let head = lanes[l].first
            if head.timeSeconds < laneTime || (head.timeSeconds == laneTime && head.sequence < laneSequence) {
                lane = l
                laneTime = head.timeSeconds
                laneSequence = head.sequence
            }
        }
        earliestLane = lane
        earliestLaneTime = laneTime
        earliestLaneSequence = laneSequence
        earliestLaneStale = false
    }

    mutating func handle(_ event: Event) {
        switch event.kind {
        case .openArrival: openArrival()
        case .thinkEnd: startNewRequest(closedUser: event.target)
        case .startAttempt:
            let a = Int(event.target)
            // The heap keeps the serial's low 32 bits.
            if UInt32(truncatingIfNeeded: attempts[a].serial) == UInt32(truncatingIfNeeded: event.tag) { startAttempt(event.target) }
        case .clientTimeout: clientTimeout(event.target, serial: event.tag)
        case .resume: advance(event.target)
        case .delayEnd: advance(event.target)
        case .databaseDone:
            let node = Int(event.target)
            guard UInt64(databaseNodes[node].generation) == event.tag else { return }
            let e = databaseNodes[node].completeNext(atSeconds: now)
            scheduleDatabaseCompletion(node)
            advance(e)
        case .idleReap: reapIdleConnections(slot: Int(event.target))
        case .acquireTimeout: acquireTimedOut(entity: Int32(truncatingIfNeeded: event.tag >> 40), slot: event.target,
                                              ticket: event.tag & 0xFF_FFFF_FFFF, pooler: false)
        case .poolerTimeout: acquireTimedOut(entity: Int32(truncatingIfNeeded: event.tag >> 40), slot: event.target,
                                             ticket: event.tag & 0xFF_FFFF_FFFF, pooler: true)
        case .instanceDies: instanceDies(Int(event.target))
        case .instanceLeavesRotation:
            if inRotation[Int(event.target)] { instancesInRotation -= 1 }
            inRotation[Int(event.target)] = false
        case .warmup: restartStatistics()
        case .timelineTick: timelineTick()
        }
    }

    // MARK: Workload

    mutating func scheduleWorkload() {
        guard let workload = model.workload else { return }
        switch workload.arrivals {
        case .closed(let users, _):
            for u in 0..<users {
                schedule(.thinkEnd, Int32(u), at: thinkTime!.sample(thinkStream))
            }
        case .open:
            if let t = nextOpenArrival(after: 0) { schedule(.openArrival, 0, at: t) }
        }
    }

    /// The next arrival time of the open workload after `t`, or nil when the phases are over.
    /// Phases with a ramp are a non-homogeneous Poisson process sampled by thinning
    /// (Lewis & Shedler 1979): candidates at the phase's peak rate, kept with probability
    /// rate(t) / peak.
    mutating func nextOpenArrival(after t: Double) -> Double? {
        guard let workload = model.workload, case .open(let open, let process) = workload.arrivals else { return nil }
        switch open {
        case .rate(let rate):
            guard rate > 0 else { return nil }
            return t + (process == .constant ? 1 / rate : arrivalStream.exponential(mean: 1 / rate))
        case .phases(let phases):
            var time = t
            while phaseIndex < phases.count {
                var phaseStart = 0.0
                for i in 0..<phaseIndex { phaseStart += phases[i].durationSeconds }
                let phase = phases[phaseIndex]
                let phaseEnd = phaseStart + phase.durationSeconds
                let r0 = phase.ratePerSecond, r1 = phase.rampToPerSecond ?? phase.ratePerSecond
                let peak = max(r0, r1)
                if peak <= 0 { phaseIndex += 1; time = max(time, phaseEnd); continue }
                func rate(_ x: Double) -> Double { r0 + (r1 - r0) * (x - phaseStart) / phase.durationSeconds }
                if process == .constant {
                    let candidate = time + 1 / max(rate(time), peak * 1e-6)
                    if candidate < phaseEnd { return candidate }
                } else {
                    var candidate = time
                    while true {
                        candidate += arrivalStream.exponential(mean: 1 / peak)
                        if candidate >= phaseEnd { break }
                        if arrivalStream.uniform() * peak <= rate(candidate) { return candidate }
                    }
                }
                time = phaseEnd
                phaseIndex += 1
            }
            return nil
        }
    }

    mutating func openArrival() {
        if let t = nextOpenArrival(after: now) { schedule(.openArrival, 0, at: t) }
        startNewRequest(closedUser: -1)
    }

    // Mutating although it only reads: called from a mutating method, a non-mutating method
    // of this struct gets a copy of the whole engine (a 1.6 KB memcpy per request here).
    mutating func chooseEndpoint() -> Int32 {
        let u = mixStream.uniform()
        for (i, c) in mixCumulative.enumerated() where u < c { return Int32(i) }
        return Int32(max(0, mixCumulative.count - 1))
    }

    mutating func startNewRequest(closedUser: Int32) {
        guard !mixCumulative.isEmpty else { return }
        let user: Int32 = closedUser >= 0 ? closedUser % Int32(clients)
            : Int32(min(clients - 1, Int(userStream.uniform() * Double(clients))))
        let a = newAttempt(endpoint: chooseEndpoint(), user: user, number: 1, closedUser: closedUser)
        startAttempt(a)
    }

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
        if let timeout = endpointTimeout[endpoint] {
            schedule(.clientTimeout, a, tag: attempts[ai].serial, at: now + timeout, lane: endpointTimeoutLane[endpoint])
        }
        guard let instance = chooseInstance(user: attempts[ai].user) else {
            finishClient(a, .error)
            return
        }
        attempts[ai].instance = Int32(instance)
        guard instanceAlive[instance] else {
            finishClient(a, .error)  // connection refused by a dead instance still in rotation
            return
        }
        if endpointHasLimiters[endpoint] {
            for limiter in endpointLimiters[endpoint] where !admit(limiter: limiter, user: Int(attempts[ai].user), instance: instance) {
                finishClient(a, .rateLimited)
                return
            }
        }
        attempts[ai].serverRunning = true
        inFlight[instance] += 1
        let e = newEntity()
        attempts[ai].rootEntity = e
        entities[Int(e)].attempt = a
        entities[Int(e)].root = e
        entities[Int(e)].instance = Int32(instance)
        entities[Int(e)].pc = programs.endpointStart[endpoint]
        entities[Int(e)].startSeconds = now
        advance(e)
    }

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
    /// `limit` per aligned window.
    mutating func admit(limiter l: Int, user: Int, instance: Int) -> Bool {
        let limiter = model.rateLimiters[l]
        let key = limiter.key == .global ? 0 : user % rateLimitKeys[l]
        let slot = limiter.scope == .perInstance ? instance : 0
        let index = rateLimitOffset[l] + slot * rateLimitKeys[l] + key
        switch limiter.algorithm {
        case .tokenBucket(let rate, let burst):
            var s = rateLimitState[index]
            s.tokens = min(Double(burst), s.tokens + rate * (now - s.lastRefillSeconds))
            s.lastRefillSeconds = now
            let allowed = s.tokens >= 1
            if allowed { s.tokens -= 1 }
            rateLimitState[index] = s
            return allowed
        case .fixedWindow(let limit, let window):
            let w = Int((now / window).rounded(.down))
            if rateLimitState[index].window != w {
                rateLimitState[index].window = w
                rateLimitState[index].countInWindow = 0
            }
            guard rateLimitState[index].countInWindow < limit else { return false }
            rateLimitState[index].countInWindow += 1
            return true
        }
    }

    // MARK: Client side

    mutating func clientTimeout(_ a: Int32, serial: UInt64) {
        let ai = Int(a)
        guard attempts[ai].serial == serial, attempts[ai].clientWaiting else { return }
        if endpointCancelOnTimeout[Int(attempts[ai].endpoint)] && attempts[ai].serverRunning {
            attempts[ai].cancelled = true
            cancelWaiters(of: a)
        }
        finishClient(a, .timeout)
    }

    /// A cancelled attempt whose request is queued for a connection leaves the queue now; an
    /// entity doing anything else stops at its next step boundary (a running query runs to its
    /// end, as a statement cancel would take a moment to land).
    mutating func cancelWaiters(of a: Int32) {
        let e = attempts[Int(a)].rootEntity
        guard e >= 0, entities[Int(e)].live, entities[Int(e)].attempt == a else { return }
        let ei = Int(e)
        switch entities[ei].queuedOn {
        case 1:
            if pools[Int(entities[ei].poolSlot)].abandon(ticket: entities[ei].queueTicket, atSeconds: now) {
                entities[ei].poolSlot = -1
                entities[ei].queuedOn = 0
                terminate(e, failed: true)
            }
        case 2:
            if poolers[Int(entities[ei].poolerSlot)].abandon(ticket: entities[ei].queueTicket, atSeconds: now) {
                entities[ei].poolerSlot = -1
                entities[ei].queuedOn = 0
                releaseConnection(e)
                terminate(e, failed: true)
            }
        default:
            break
        }
    }

    /// The client learns the outcome of attempt `a` (or gives up on it).
    mutating func finishClient(_ a: Int32, _ outcome: Outcome) {
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
        }
        let closedUser = attempts[ai].closedUser
        var retrying = false
        if outcome != .success, let retry = model.endpoints[endpoint].retry, attempts[ai].number < retry.maxAttempts {
            let condition: RetryCondition = outcome == .timeout ? .timeout : outcome == .error ? .error : .rateLimited
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

    mutating func releaseAttemptIfDone(_ a: Int32) {
        let ai = Int(a)
        if attempts[ai].serial != 0 && !attempts[ai].clientWaiting && !attempts[ai].serverRunning {
            attempts[ai].serial = 0
            freeAttempts.append(a)
        }
    }

    // MARK: Entities

    mutating func newEntity() -> Int32 {
        let e: Int32
        if let free = freeEntities.popLast() {
            e = free
        } else {
            entities.append(Entity())
            for _ in 0..<slotsPerEntity { slotValues.append(0) }
            e = Int32(entities.count - 1)
        }
        entities[Int(e)] = Entity()
        entities[Int(e)].live = true
        return e
    }

    // Index helpers read only plain arrays and are forced inline: a non-mutating method on this
    // large struct called from a mutating one was measured to copy the whole engine per call
    // (36% of `headroom run`'s time, bench/PROFILE.md).
    @inline(__always)
    func slotIndex(_ e: Int32, _ slot: Int32) -> Int { Int(e) * slotsPerEntity + Int(slot) }

    /// The pool copy an instance uses: its own for a per-instance pool, the one copy otherwise.
    @inline(__always)
    func poolSlot(pool: Int32, instance: Int32) -> Int32 {
        pool * Int32(instanceCount) + (poolPerInstance[Int(pool)] ? instance : 0)
    }

    @inline(__always)
    func cacheStoreIndex(cache: Int32, instance: Int32) -> Int {
        Int(cache) * instanceCount + (cachePerInstance[Int(cache)] ? Int(instance) : 0)
    }

    /// Whether entity `e` must stop at this step boundary (its attempt was cancelled or its
    /// instance died).
    func mustStop(_ e: Int32) -> Bool {
        let entity = entities[Int(e)]
        if entity.job >= 0 { return false }
        if !instanceAlive[Int(entity.instance)] { return true }
        return entity.attempt >= 0 && attempts[Int(entity.attempt)].cancelled
    }

    /// Runs entity `e` from its program counter until it blocks (an event is scheduled for it)
    /// or ends.
    mutating func advance(_ e: Int32) {
        let ei = Int(e)
        while true {
            if entities[ei].phase == 0 && mustStop(e) { terminate(e, failed: true); return }
            let op = programs.ops[Int(entities[ei].pc)]
            switch op {
            case .cpu(let d):
                if entities[ei].job >= 0 {
                    // A job already holds its job worker for its whole run.
                    if entities[ei].phase == 0 {
                        entities[ei].phase = 1
                        schedule(.delayEnd, e, at: now + distributions[Int(d)].sample(serviceStreams[Int(d)]))
                        return
                    }
                } else {
                    let instance = Int(entities[ei].instance)
                    switch entities[ei].phase {
                    case 0:
                        entities[ei].phase = 1
                        if case .granted = workers[instance].acquire(e, atSeconds: now) {
                            entities[ei].phase = 2
                            schedule(.delayEnd, e, at: now + distributions[Int(d)].sample(serviceStreams[Int(d)]))
                        }
                        return
                    case 1:
                        // Granted a worker after waiting (resumed by the releaser).
                        entities[ei].phase = 2
                        schedule(.delayEnd, e, at: now + distributions[Int(d)].sample(serviceStreams[Int(d)]))
                        return
                    default:
                        if let next = workers[instance].release(atSeconds: now) {
                            schedule(.resume, next, at: now)
                        }
                    }
                }
                step(e)
            case .sleep(let d):
                if entities[ei].phase == 0 {
                    entities[ei].phase = 1
                    schedule(.delayEnd, e, at: now + distributions[Int(d)].sample(serviceStreams[Int(d)]))
                    return
                }
                step(e)
            case .call(let d, let failure, let timeout):
                if entities[ei].phase == 0 {
                    let latency = distributions[Int(d)].sample(serviceStreams[Int(d)])
                    // Phase 2: the call outlasted its timeout and is abandoned at the timeout.
                    entities[ei].phase = latency > timeout ? 2 : 1
                    schedule(.delayEnd, e, at: now + min(latency, timeout))
                    return
                }
                if entities[ei].phase == 2 || (failure > 0 && failureStream.uniform() < failure) {
                    terminate(e, failed: true)
                    return
                }
                step(e)
            case .query(let pool, let isWrite, let d, let failure, let invalidations, let roundTrip):
                if entities[ei].phase != WebEngine.atDatabase {
                    if entities[ei].phase == 0 && entities[ei].transactionPool == pool {
                        entities[ei].phase = 3
                    } else if !acquireConnection(e, pool: pool) {
                        return
                    }
                    if roundTrip >= 0 && entities[ei].phase != WebEngine.onTheWire {
                        // The network round trip holds the connection but no database core.
                        entities[ei].phase = WebEngine.onTheWire
                        schedule(.delayEnd, e, at: now + distributions[Int(roundTrip)].sample(serviceStreams[Int(roundTrip)]))
                        return
                    }
                    // Connection ready: execute at the database.
                    entities[ei].phase = WebEngine.atDatabase
                    let node = chooseDatabaseNode(isWrite: isWrite)
                    entities[ei].databaseNode = Int32(node)
                    databaseQueries[node] += 1
                    databaseNodes[node].arrive(e, workSeconds: distributions[Int(d)].sample(serviceStreams[Int(d)]), atSeconds: now)
                    scheduleDatabaseCompletion(node)
                    return
                }
                // The query has finished at the database.
                let inTransaction = entities[ei].transactionPool == pool
                if !inTransaction { releaseConnection(e) }
                if failure > 0 && failureStream.uniform() < failure {
                    failedQueries += 1
                    terminate(e, failed: true)
                    return
                }
                if isWrite {
                    if inTransaction {
                        entities[ei].transactionWrites += 1
                    } else {
                        entities[Int(entities[ei].root)].committedWrites += 1
                    }
                    if invalidations > 0 { invalidate(programs.invalidations[Int(invalidations)], instance: entities[ei].instance) }
                }
                step(e)
            case .beginTransaction(let pool):
                if !acquireConnection(e, pool: pool) { return }
                entities[ei].transactionPool = pool
                entities[ei].transactionSlot = entities[ei].poolSlot
                entities[ei].transactionPoolerSlot = entities[ei].poolerSlot
                entities[ei].transactionBoundServer = entities[ei].boundServer
                entities[ei].boundServer = false
                entities[ei].poolSlot = -1
                entities[ei].poolerSlot = -1
                entities[ei].transactionWrites = 0
                step(e)
            case .commitTransaction:
                // The writes become durable together.
                entities[Int(entities[ei].root)].committedWrites += entities[ei].transactionWrites
                endTransaction(e)
                step(e)
            case .cacheLookup(let cache, let slot, let missTarget):
                if entities[ei].phase == 0 {
                    entities[ei].phase = 1
                    let lookup = cacheLookupTime[Int(cache)]
                    if case .constant(let t) = lookup, t == 0 {} else {
                        schedule(.delayEnd, e, at: now + lookup.sample(cacheStreams[Int(cache)]))
                        return
                    }
                }
                if entities[ei].phase == 2 {
                    // Woken by a single-flight fill: served as a hit.
                    cacheHits[Int(cache)] += 1
                    step(e)
                    continue
                }
                cacheLookups[Int(cache)] += 1
                let singleFlight = cacheSingleFlight[Int(cache)]
                if !cacheUsesKeys[Int(cache)] {
                    if cacheStreams[Int(cache)].uniform() < cacheHitRatio[Int(cache)] {
                        cacheHits[Int(cache)] += 1
                        step(e)
                    } else {
                        entities[ei].phase = 0
                        entities[ei].pc = missTarget
                    }
                } else {
                    let store = cacheStoreIndex(cache: cache, instance: entities[ei].instance)
                    let key = zipf[Int(cache)]!.sample(cacheStreams[Int(cache)])
                    slotValues[slotIndex(e, slot)] = key
                    if cacheStores[store]!.lookup(key, now: now) {
                        cacheHits[Int(cache)] += 1
                        step(e)
                    } else if singleFlight && cacheStores[store]!.filling[Int(key)] {
                        cacheCoalesced[Int(cache)] += 1
                        entities[ei].phase = 2
                        cacheWaiters[waiterKey(store: store, key: key), default: []].append(e)
                        return
                    } else {
                        if singleFlight {
                            cacheStores[store]!.filling[Int(key)] = true
                            entities[ei].fillingCache = cache
                            entities[ei].fillingStore = Int32(store)
                            entities[ei].fillingKey = key
                        }
                        entities[ei].phase = 0
                        entities[ei].pc = missTarget
                    }
                }
            case .cacheFill(let cache, let slot):
                if cacheUsesKeys[Int(cache)] {
                    let store = cacheStoreIndex(cache: cache, instance: entities[ei].instance)
                    let key = slotValues[slotIndex(e, slot)]
                    cacheStores[store]!.fill(key, now: now)
                    if entities[ei].fillingCache == cache && entities[ei].fillingKey == key {
                        finishFill(e, wakeAs: 2)
                    }
                }
                step(e)
            case .jump(let target):
                entities[ei].pc = target
            case .repeatBegin(let count, let slot, let exitTarget):
                let n = counts[Int(count)].sample(countStreams[Int(count)])
                if n <= 0 {
                    entities[ei].pc = exitTarget
                } else {
                    slotValues[slotIndex(e, slot)] = Int32(n)
                    step(e)
                }
            case .repeatEnd(let slot, let bodyStart):
                let i = slotIndex(e, slot)
                slotValues[i] -= 1
                if slotValues[i] > 0 { entities[ei].pc = bodyStart } else { step(e) }
            case .fork(let first, let count):
                if entities[ei].phase == 0 {
                    entities[ei].phase = 1
                    entities[ei].pendingChildren = count
                    for b in 0..<Int(count) {
                        let child = newEntity()
                        let ci = Int(child)
                        entities[ci].attempt = entities[ei].attempt
                        entities[ci].root = entities[ei].root
                        entities[ci].parent = e
                        entities[ci].instance = entities[ei].instance
                        entities[ci].job = entities[ei].job
                        entities[ci].pc = programs.branchStarts[Int(first) + b]
                        schedule(.resume, child, at: now)
                    }
                    return
                }
                // All branches are done.
                if entities[ei].failed { terminate(e, failed: true); return }
                step(e)
            case .branchEnd, .end:
                terminate(e, failed: false)
                return
            case .enqueue(let queue):
                enqueueJob(queue)
                step(e)
            }
        }
    }

    /// Moves to the next instruction.
    mutating func step(_ e: Int32) {
        entities[Int(e)].pc += 1
        entities[Int(e)].phase = 0
    }

    func waiterKey(store: Int, key: Int32) -> Int { store << 32 | Int(key) }

    /// Ends a single-flight fill: the waiters resume, as hits (phase 2) after a successful fill
    /// or to look up again (phase 1) after a failed one.
    mutating func finishFill(_ e: Int32, wakeAs phase: UInt8) {
        let ei = Int(e)
        let store = Int(entities[ei].fillingStore)
        let key = entities[ei].fillingKey
        cacheStores[store]!.filling[Int(key)] = false
        entities[ei].fillingCache = -1
        if let waiters = cacheWaiters.removeValue(forKey: waiterKey(store: store, key: key)) {
            for w in waiters {
                entities[Int(w)].phase = phase
                schedule(.resume, w, at: now)
            }
        }
    }

    mutating func invalidate(_ caches: [Int32], instance: Int32) {
        for cache in caches {
            guard cacheUsesKeys[Int(cache)] else { continue }
            let store = cacheStoreIndex(cache: cache, instance: instance)
            if cacheInvalidatesAll[Int(cache)] {
                cacheStores[store]!.removeAll()
            } else {
                cacheStores[store]!.remove(zipf[Int(cache)]!.sample(cacheStreams[Int(cache)]))
            }
        }
    }

    // MARK: Connections

    /// Drives entity `e` through getting a connection of `pool` (and, through a pooler, a server
    /// connection). Returns true when the connection is ready, false when the entity waits (an
    /// event will resume it) or has failed.
    ///
    /// Phases: 0 ask the pool; 1 pool connection held (open one if needed); 2 ask the pooler for
    /// a server connection (skipped without a pooler); 5 server connection held (open one at the
    /// database if needed); 3 ready. A transaction keeps what this acquired until it commits.
    mutating func acquireConnection(_ e: Int32, pool: Int32) -> Bool {
        let ei = Int(e)
        let p = Int(pool)
        while true {
            switch entities[ei].phase {
            case 0:
                let slot = poolSlot(pool: pool, instance: entities[ei].instance)
                entities[ei].poolSlot = slot
                entities[ei].phase = 1
                entities[ei].waitStartSeconds = now
                switch pools[Int(slot)].acquire(e, atSeconds: now) {
                case .granted:
                    break
                case .waiting(let ticket):
                    entities[ei].queuedOn = 1
                    entities[ei].queueTicket = ticket
                    if let timeout = poolAcquireTimeout[p] {
                        schedule(.acquireTimeout, slot, tag: UInt64(UInt32(bitPattern: e)) << 40 | ticket, at: now + timeout,
                                 lane: poolTimeoutLane[p])
                    }
                    return false
                }
            case 1:
                entities[ei].queuedOn = 0
                let slot = Int(entities[ei].poolSlot)
                poolWaits[p].record(seconds: now - entities[ei].waitStartSeconds)
                poolTotalInUse[p].add(1, atSeconds: now)
                // Which connection does the token come with? A tracked pool knows: one handed
                // over by its releaser, else the most recently released idle one, else none (open
                // one). Otherwise connections are counted: a token beyond the open count opens one.
                var mustOpen = pools[slot].heldCount > openConnections[slot]
                if poolTracksConnections[p] {
                    let handoff = entities[ei].handoff
                    entities[ei].handoff = 0
                    if handoff == 1 || handoff == 2 {
                        entities[ei].boundServer = handoff == 2
                        mustOpen = false
                    } else if handoff == 0, let idle = idleConnections[slot].popLast() {
                        entities[ei].boundServer = idle.hasServer
                        mustOpen = false
                    } else {
                        entities[ei].boundServer = false
                        mustOpen = true
                    }
                }
                if mustOpen {
                    // The pool opens a new connection: to the pooler, or to the database.
                    let pooler = poolerOfPool[p]
                    if pooler >= 0 {
                        guard poolerClientConnections[Int(pooler)] < poolerMaxClientConnections[Int(pooler)] else {
                            poolRefused[p] += 1
                            releaseTokenWithoutConnection(e)
                            terminate(e, failed: true)
                            return false
                        }
                        poolerClientConnections[Int(pooler)] += 1
                    } else {
                        guard openDatabaseConnection() else {
                            poolRefused[p] += 1
                            releaseTokenWithoutConnection(e)
                            terminate(e, failed: true)
                            return false
                        }
                    }
                    openConnections[slot] += 1
                    poolOpenTotal[p].add(1, atSeconds: now)
                    poolOpened[p] += 1
                    if let setup = connectionSetup[p] {
                        entities[ei].phase = 2
                        schedule(.delayEnd, e, at: now + setup.sample(setupStream))
                        return false
                    }
                }
                entities[ei].phase = 2
            case 2:
                let pooler = poolerOfPool[p]
                guard pooler >= 0 else { entities[ei].phase = 3; continue }
                // Session mode: the client connection keeps its server connection while open.
                if poolerSessionMode[Int(pooler)] && entities[ei].boundServer { entities[ei].phase = 3; continue }
                entities[ei].poolerSlot = pooler
                entities[ei].phase = 5
                entities[ei].waitStartSeconds = now
                switch poolers[Int(pooler)].acquire(e, atSeconds: now) {
                case .granted: break
                case .waiting(let ticket):
                    entities[ei].queuedOn = 2
                    entities[ei].queueTicket = ticket
                    if let timeout = poolerWaitTimeout[Int(pooler)] {
                        schedule(.poolerTimeout, pooler, tag: UInt64(UInt32(bitPattern: e)) << 40 | ticket, at: now + timeout,
                                 lane: poolerTimeoutLane[Int(pooler)])
                    }
                    return false
                }
            case 5:
                // Pooler server connection held; open it at the database if it is new.
                entities[ei].queuedOn = 0
                let pooler = Int(entities[ei].poolerSlot)
                poolerWaits[pooler].record(seconds: now - entities[ei].waitStartSeconds)
                if poolers[pooler].heldCount > poolerOpen[pooler] {
                    guard openDatabaseConnection() else {
                        poolRefused[p] += 1
                        releaseConnection(e)
                        terminate(e, failed: true)
                        return false
                    }
                    poolerOpen[pooler] += 1
                }
                if poolerSessionMode[pooler] {
                    // The server connection now belongs to the client connection, not the query:
                    // it is given back when the pool closes that connection.
                    entities[ei].boundServer = true
                    entities[ei].poolerSlot = -1
                }
                entities[ei].phase = 3
            default:
                return true
            }
        }
    }

    mutating func openDatabaseConnection() -> Bool {
        guard Int(databaseOpen.value) < databaseMaxConnections else {
            databaseRefused += 1
            return false
        }
        databaseOpen.add(1, atSeconds: now)
        return true
    }

    /// Returns the connection (and pooler server connection) entity `e` holds for a query.
    mutating func releaseConnection(_ e: Int32) {
        let ei = Int(e)
        if entities[ei].poolerSlot >= 0 {
            releasePooler(entities[ei].poolerSlot)
            entities[ei].poolerSlot = -1
        }
        if entities[ei].poolSlot >= 0 {
            releasePool(entities[ei].poolSlot, handoff: entities[ei].boundServer ? 2 : 1)
            entities[ei].poolSlot = -1
            entities[ei].boundServer = false
        }
    }

    /// Gives back a pool token whose connection could not be opened (the database or the
    /// pooler refused it): a waiter who gets the token must open a connection itself.
    mutating func releaseTokenWithoutConnection(_ e: Int32) {
        let ei = Int(e)
        guard entities[ei].poolSlot >= 0 else { return }
        releasePool(entities[ei].poolSlot, handoff: 3)
        entities[ei].poolSlot = -1
        entities[ei].boundServer = false
    }

    /// Returns a pool token with its connection (`handoff` as in `Entity.handoff`): to the
    /// oldest waiter, or, in a tracked pool, to the slot's idle connections.
    mutating func releasePool(_ slot: Int32, handoff: UInt8) {
        let p = Int(slot) / instanceCount
        poolTotalInUse[p].add(-1, atSeconds: now)
        if let next = pools[Int(slot)].release(atSeconds: now) {
            entities[Int(next)].handoff = handoff
            schedule(.resume, next, at: now)
        } else if poolTracksConnections[p] && handoff != 3 {
            idleConnections[Int(slot)].append(IdleConnection(sinceSeconds: now, hasServer: handoff == 2))
            armIdleReaper(slot: Int(slot))
        }
    }

    /// Schedules slot `slot`'s reaper for its oldest idle connection, unless one is pending or
    /// the slot is at its `min_idle`.
    mutating func armIdleReaper(slot: Int) {
        let p = slot / instanceCount
        let timeout = poolIdleTimeout[p]
        guard timeout.isFinite, !idleReaperArmed[slot], openConnections[slot] > poolMinIdle[p],
              !idleConnections[slot].isEmpty else { return }
        let oldest = idleConnections[slot].first
        idleReaperArmed[slot] = true
        schedule(.idleReap, Int32(slot), at: max(now, oldest.sinceSeconds + timeout))
    }

    /// Closes slot `slot`'s connections idle for `idle_timeout` (oldest first, down to `min_idle`),
    /// then re-arms for the next. Closing frees the connection at the database (or the pooler's
    /// client connection, and in session mode its server connection, which may go to a waiter).
    mutating func reapIdleConnections(slot: Int) {
        idleReaperArmed[slot] = false
        let p = slot / instanceCount
        let timeout = poolIdleTimeout[p]
        while openConnections[slot] > poolMinIdle[p], !idleConnections[slot].isEmpty,
              idleConnections[slot].first.sinceSeconds + timeout <= now {
            let oldest = idleConnections[slot].removeFirst()
            openConnections[slot] -= 1
            poolOpenTotal[p].add(-1, atSeconds: now)
            poolIdleClosed[p] += 1
            let pooler = poolerOfPool[p]
            if pooler >= 0 {
                poolerClientConnections[Int(pooler)] -= 1
                if oldest.hasServer { releasePooler(pooler) }
            } else {
                databaseOpen.add(-1, atSeconds: now)
            }
        }
        armIdleReaper(slot: slot)
    }

    mutating func releasePooler(_ pooler: Int32) {
        if let next = poolers[Int(pooler)].release(atSeconds: now) { schedule(.resume, next, at: now) }
    }

    mutating func endTransaction(_ e: Int32) {
        let ei = Int(e)
        guard entities[ei].transactionPool >= 0 else { return }
        if entities[ei].transactionPoolerSlot >= 0 { releasePooler(entities[ei].transactionPoolerSlot) }
        releasePool(entities[ei].transactionSlot, handoff: entities[ei].transactionBoundServer ? 2 : 1)
        entities[ei].transactionBoundServer = false
        entities[ei].transactionPool = -1
        entities[ei].transactionSlot = -1
        entities[ei].transactionPoolerSlot = -1
        entities[ei].transactionWrites = 0
    }

    mutating func acquireTimedOut(entity e: Int32, slot: Int32, ticket: UInt64, pooler: Bool) {
        if pooler {
            guard poolers[Int(slot)].abandon(ticket: ticket, atSeconds: now) else { return }
            poolerTimeouts[Int(slot)] += 1
            // The client connection of the pool is still held.
            entities[Int(e)].poolerSlot = -1
            entities[Int(e)].queuedOn = 0
            releaseConnection(e)
        } else {
            guard pools[Int(slot)].abandon(ticket: ticket, atSeconds: now) else { return }
            poolTimeouts[Int(slot) / instanceCount] += 1
            entities[Int(e)].poolSlot = -1
            entities[Int(e)].queuedOn = 0
        }
        terminate(e, failed: true)
    }

    /// Phase of a query executing at the database (the phases below it acquire the connection).
    static let atDatabase: UInt8 = 10
    /// Phase of a query on the network between the app and the database (its round trip).
    static let onTheWire: UInt8 = 9

    mutating func chooseDatabaseNode(isWrite: Bool) -> Int {
        guard !isWrite, let routing = replicaReadRouting else { return 0 }
        let replicas = databaseNodes.count - 1
        switch routing {
        case .primary: return 0
        case .roundRobin:
            readRoundRobin += 1
            return 1 + readRoundRobin % replicas
        case .random: return 1 + min(replicas - 1, Int(routingStream.uniform() * Double(replicas)))
        case .leastBusy:
            var best = 1
            for r in 1...replicas where databaseNodes[r].count < databaseNodes[best].count { best = r }
            return best
        }
    }

    /// Called whenever node `node`'s next completion may have moved: its pending completion
    /// event, if any, is stale (the generation moved on) and is replaced.
    mutating func scheduleDatabaseCompletion(_ node: Int) {
        let lane = databaseLane + node
        if !lanes[lane].isEmpty, removeFirstOfLane(lane).timeSeconds <= horizonSeconds {
            // The stale event would have been popped and ignored before the horizon.
            eventsProcessed += 1
        }
        if let t = WebEngine.nextCompletionSeconds(of: &databaseNodes[node]) {
            schedule(.databaseDone, Int32(node), tag: UInt64(databaseNodes[node].generation), at: t, lane: lane)
        }
    }

    /// Reads a node's next completion through an exclusive (inout) access: read through the
    /// slab's borrow, the kernel's out-of-line getter was handed a copy of the whole station
    /// (a 136-byte memcpy per query arrival and departure).
    @inline(__always)
    static func nextCompletionSeconds(of station: inout ProcessorSharingStation) -> Double? {
        station.nextCompletionSeconds
    }

    // MARK: Jobs

    mutating func enqueueJob(_ queue: Int32) {
        let q = Int(queue)
        if let capacity = jobQueueCapacity[q], jobWorkers[q].waitingCount >= capacity {
            jobFailed[q] += 1
            return
        }
        jobEnqueued[q] += 1
        let e = newEntity()
        entities[Int(e)].job = queue
        entities[Int(e)].root = e
        entities[Int(e)].startSeconds = now
        entities[Int(e)].pc = programs.jobStart[q]
        if case .granted = jobWorkers[q].acquire(e, atSeconds: now) {
            schedule(.resume, e, at: now)
        }
    }

    // MARK: Ending

    /// Entity `e` ends, successfully or not: it gives back what it holds, tells its parent, its
    /// client or its job queue, and counts orphaned writes.
    mutating func terminate(_ e: Int32, failed: Bool) {
        let ei = Int(e)
        // A transaction still open rolls back: its writes never happened.
        endTransaction(e)
        releaseConnection(e)
        if entities[ei].fillingCache >= 0 { finishFill(e, wakeAs: 1) }
        let failedNow = failed || entities[ei].failed
        let parent = entities[ei].parent
        let root = entities[ei].root
        if parent >= 0 {
            let pi = Int(parent)
            if failedNow { entities[pi].failed = true }
            entities[pi].pendingChildren -= 1
            if entities[pi].pendingChildren == 0 { schedule(.resume, parent, at: now) }
        } else if entities[ei].job >= 0 {
            let q = Int(entities[ei].job)
            if failedNow {
                jobFailed[q] += 1
                if entities[ei].committedWrites > 0 { orphanedWrites += 1 }
            } else {
                jobCompleted[q] += 1
                jobLatency[q].record(seconds: now - entities[ei].startSeconds)
            }
            if let next = jobWorkers[q].release(atSeconds: now) { schedule(.resume, next, at: now) }
        } else {
            let a = entities[ei].attempt
            let ai = Int(a)
            if failedNow && entities[Int(root)].committedWrites > 0 { orphanedWrites += 1 }
            attempts[ai].serverRunning = false
            inFlight[Int(entities[ei].instance)] -= 1
            if attempts[ai].clientWaiting && instanceAlive[Int(entities[ei].instance)] {
                finishClient(a, failedNow ? .error : .success)
            }
            releaseAttemptIfDone(a)
        }
        entities[ei].live = false
        freeEntities.append(e)
    }

    mutating func instanceDies(_ instance: Int) {
        instanceAlive[instance] = false
        // Clients of in-flight requests see their connections reset.
        for a in 0..<attempts.count where attempts[a].clientWaiting && attempts[a].serverRunning && attempts[a].instance == Int32(instance) {
            finishClient(Int32(a), .error)
        }
        if let interval = model.instances.healthCheckIntervalSeconds {
            schedule(.instanceLeavesRotation, Int32(instance), at: now + interval)
        }
    }

    // MARK: Statistics

    mutating func restartStatistics() {
        statisticsStart = now
        tallies = Slab(Array(repeating: EndpointTally(), count: tallies.count))
        for i in pools.indices { pools[i].restartStatistics(atSeconds: now) }
        for i in poolers.indices { poolers[i].restartStatistics(atSeconds: now) }
        for i in poolTotalInUse.indices { poolTotalInUse[i].restart(atSeconds: now) }
        for i in poolOpenTotal.indices { poolOpenTotal[i].restart(atSeconds: now) }
        poolOpened = Array(repeating: 0, count: poolOpened.count)
        poolIdleClosed = Array(repeating: 0, count: poolIdleClosed.count)
        for i in databaseNodes.indices { databaseNodes[i].restartStatistics(atSeconds: now) }
        for i in workers.indices { workers[i].restartStatistics(atSeconds: now) }
        for i in jobWorkers.indices { jobWorkers[i].restartStatistics(atSeconds: now) }
        databaseOpen.restart(atSeconds: now)
        poolWaits = Slab(Array(repeating: LatencyRecorder(), count: poolWaits.count))
        poolerWaits = Slab(Array(repeating: LatencyRecorder(), count: poolerWaits.count))
        poolTimeouts = Array(repeating: 0, count: poolTimeouts.count)
        poolRefused = Array(repeating: 0, count: poolRefused.count)
        poolerTimeouts = Array(repeating: 0, count: poolerTimeouts.count)
        databaseQueries = Slab(Array(repeating: 0, count: databaseQueries.count))
        databaseRefused = 0
        failedQueries = 0
        cacheLookups = Slab(Array(repeating: 0, count: cacheLookups.count))
        cacheHits = Slab(Array(repeating: 0, count: cacheHits.count))
        cacheCoalesced = Slab(Array(repeating: 0, count: cacheCoalesced.count))
        jobEnqueued = Slab(Array(repeating: 0, count: jobEnqueued.count))
        jobCompleted = Slab(Array(repeating: 0, count: jobCompleted.count))
        jobFailed = Slab(Array(repeating: 0, count: jobFailed.count))
        jobLatency = Slab(Array(repeating: LatencyRecorder(), count: jobLatency.count))
        orphanedWrites = 0
    }

    mutating func timelineTick() {
        guard let interval = timelineInterval else { return }
        timeline.append(TimelineSample(
            startSeconds: now - interval, arrivals: intervalArrivals, completions: intervalCompletions,
            inFlight: inFlight.reduce(0, +), poolWaiting: pools.reduce(0) { $0 + $1.waitingCount },
            connectionsInUse: pools.reduce(0) { $0 + $1.heldCount }, timeouts: intervalTimeouts,
            errors: intervalErrors, p95Seconds: intervalLatency.percentileSeconds(95)))
        intervalLatency.reset()
        intervalArrivals = 0
        intervalCompletions = 0
        intervalTimeouts = 0
        intervalErrors = 0
        schedule(.timelineTick, 0, at: now + interval)
    }

    func result() -> SystemRunResult {
        let observed = max(now - statisticsStart, .leastNonzeroMagnitude)
        let endpoints = model.endpoints.enumerated().map { i, endpoint in
            let t = tallies[i]
            return EndpointResult(name: endpoint.name, attempts: t.attempts, succeeded: t.succeeded, timeouts: t.timeouts,
                                  errors: t.errors, rateLimited: t.rateLimited, retries: t.retries, latency: t.latency,
                                  throughputPerSecond: Double(t.succeeded) / observed)
        }
        let poolResults = model.pools.enumerated().map { p, pool in
            let slots = pool.scope == .perInstance ? (p * instanceCount..<(p + 1) * instanceCount) : (p * instanceCount..<p * instanceCount + 1)
            let total = pool.totalConnections(instances: instanceCount)
            let inUse = poolTotalInUse[p].mean(atSeconds: now)
            let waiting = slots.reduce(0.0) { $0 + pools[$1].waiting.mean(atSeconds: now) }
            return PoolResult(name: pool.name, totalSize: total, meanInUse: inUse, utilization: inUse / Double(total),
                              peakInUse: Int(poolTotalInUse[p].peak), meanWaiting: waiting, waits: poolWaits[p],
                              acquireTimeouts: poolTimeouts[p], refusedConnections: poolRefused[p],
                              meanOpenConnections: poolOpenTotal[p].mean(atSeconds: now),
                              peakOpenConnections: Int(poolOpenTotal[p].peak),
                              connectionsOpened: poolOpened[p], idleClosures: poolIdleClosed[p])
        }
        let poolerResults = model.poolers.enumerated().map { i, pooler in
            let inUse = poolers[i].inUse.mean(atSeconds: now)
            return PoolerResult(name: pooler.name, serverConnections: pooler.serverConnections, meanServerInUse: inUse,
                                utilization: inUse / Double(pooler.serverConnections), peakServerInUse: Int(poolers[i].inUse.peak),
                                meanWaiting: poolers[i].waiting.mean(atSeconds: now), waits: poolerWaits[i],
                                waitTimeouts: poolerTimeouts[i])
        }
        var database: DatabaseResult?
        if model.database != nil || !model.pools.isEmpty {
            let nodes = databaseNodes.enumerated().map { i, node in
                DatabaseNodeResult(name: i == 0 ? "primary" : "replica-\(i)", cores: node.cores,
                                   utilization: node.busyCores.mean(atSeconds: now) / Double(node.cores),
                                   meanActiveQueries: node.jobsPresent.mean(atSeconds: now),
                                   peakActiveQueries: Int(node.jobsPresent.peak), queries: databaseQueries[i])
            }
            database = DatabaseResult(nodes: nodes, meanOpenConnections: databaseOpen.mean(atSeconds: now),
                                      peakOpenConnections: Int(databaseOpen.peak),
                                      maxConnections: model.database?.maxConnections ?? Int.max,
                                      refusedConnections: databaseRefused, failedQueries: failedQueries)
        }
        let caches = model.caches.enumerated().map { i, cache in
            CacheResult(name: cache.name, lookups: cacheLookups[i], hits: cacheHits[i], coalescedMisses: cacheCoalesced[i])
        }
        let jobs = model.jobQueues.enumerated().map { i, queue in
            JobQueueResult(name: queue.name, enqueued: jobEnqueued[i], completed: jobCompleted[i], failed: jobFailed[i],
                           latency: jobLatency[i], meanWaiting: jobWorkers[i].waiting.mean(atSeconds: now),
                           workerUtilization: jobWorkers[i].inUse.mean(atSeconds: now) / Double(jobWorkers[i].size))
        }
        var waits = SummaryStatistics()
        for w in workers { waits.merge(w.waitsOfGranted) }
        let busy = workers.reduce(0.0) { $0 + $1.inUse.mean(atSeconds: now) }
        let instances = InstancesResult(
            count: instanceCount, workersPerInstance: workers.first?.size ?? 1,
            utilization: busy / Double(workers.reduce(0) { $0 + $1.size }), meanBusyWorkers: busy,
            meanWaitingForWorker: workers.reduce(0.0) { $0 + $1.waiting.mean(atSeconds: now) },
            meanWorkerWaitSeconds: waits.mean)
        return SystemRunResult(observedSeconds: observed, endpoints: endpoints, instances: instances, pools: poolResults, poolers: poolerResults,
                               database: database, caches: caches, jobQueues: jobs, orphanedWrites: orphanedWrites,
                               network: nil, eventsProcessed: eventsProcessed, timeline: timeline)
    }
}
