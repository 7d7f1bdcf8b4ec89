/// A plain queueing network: stations with servers, a service distribution and probabilistic
/// routing, fed by open arrival streams or by a closed population of thinking customers.
///
/// This is the kernel's own engine, used for closed-form validation, the benchmark and the
/// model language's `network:` section. Web-backend concepts (instances, pools, caches) live in
/// HeadroomSim, which drives the same stations through its own engine.
public struct QueueingNetworkSpec: Sendable {
    public enum Discipline: Sendable, Hashable, BitwiseCopyable {
        /// c servers, first come first served, optional capacity K, optional patience.
        case firstComeFirstServed
        /// c cores shared by all jobs present (each runs at min(1, c/n)).
        case processorSharing
        /// Every customer is served at once (a delay / think station, M/G/inf).
        case infiniteServer
    }

    public struct Station: Sendable {
        public var name: String
        public var servers: Int
        public var discipline: Discipline
        public var service: Distribution
        /// Maximum number present (in service plus waiting); `Int.max` for none.
        public var capacity: Int
        /// How long a waiting customer stays before giving up; nil for forever.
        public var patience: Distribution?
        /// Where customers go after service: (station index, probability); the remainder exits.
        public var routes: [(station: Int, probability: Double)]

        public init(name: String, servers: Int = 1, discipline: Discipline = .firstComeFirstServed,
                    service: Distribution, capacity: Int = .max, patience: Distribution? = nil,
                    routes: [(station: Int, probability: Double)] = []) {
            self.name = name
            self.servers = servers
            self.discipline = discipline
            self.service = service
            self.capacity = capacity
            self.patience = patience
            self.routes = routes
        }
    }

    public struct OpenSource: Sendable {
        public var station: Int
        public var interarrival: Distribution
        public init(station: Int, interarrival: Distribution) {
            self.station = station
            self.interarrival = interarrival
        }
    }

    public struct ClosedPopulation: Sendable {
        public var customers: Int
        /// Time between leaving the network and coming back; nil for none.
        public var thinkTime: Distribution?
        public var entryStation: Int
        public init(customers: Int, thinkTime: Distribution?, entryStation: Int = 0) {
            self.customers = customers
            self.thinkTime = thinkTime
            self.entryStation = entryStation
        }
    }

    public var stations: [Station]
    public var openSources: [OpenSource]
    public var closedPopulation: ClosedPopulation?

    public init(stations: [Station], openSources: [OpenSource] = [], closedPopulation: ClosedPopulation? = nil) {
        self.stations = stations
        self.openSources = openSources
        self.closedPopulation = closedPopulation
    }
}

/// What one run of a queueing network measured (after warm-up).
public struct QueueingNetworkResult: Sendable {
    public struct StationResult: Sendable {
        public var name: String
        public var arrivals: Int
        public var completions: Int
        public var blocked: Int
        public var abandoned: Int
        /// Mean busy servers / servers (for infinite-server stations: mean number in service).
        public var utilization: Double
        /// Time-average number present (L) and waiting (Lq).
        public var meanNumberPresent: Double
        public var meanNumberWaiting: Double
        /// Queue waits of customers who started service (FCFS only).
        public var waitOfServed: SummaryStatistics
        /// Time from arrival at the station to departure, of customers served there.
        public var sojourn: LatencyRecorder
    }

    public var stations: [StationResult]
    /// Time from entering the network to leaving it, of customers who completed.
    public var networkSojourn: LatencyRecorder
    /// Customers who left the network after service, per second of observed time.
    public var throughputPerSecond: Double
    public var completedCustomers: Int
    public var observedSeconds: Double
    public var eventsProcessed: Int
    /// One sample per interval when the run was asked for a timeline, else empty.
    public var timeline: [NetworkIntervalSample] = []
}

/// One interval of a network run's timeline, sampled at the interval's end (what a planner
/// plots, and the series `warmup: auto` runs MSER-5 on).
public struct NetworkIntervalSample: Sendable, Equatable {
    public var startSeconds: Double
    /// Customers who entered the network (open arrivals, and closed customers done thinking).
    public var arrivals: Int
    /// Customers who left the network after service.
    public var completions: Int
    /// Customers who gave up waiting, and arrivals refused by a full station.
    public var abandoned: Int
    public var blocked: Int
    /// At the interval's end: customers in the network, waiting in FCFS queues, and busy
    /// FCFS servers.
    public var inNetwork: Int
    public var waiting: Int
    public var busyServers: Int
    /// p95 of the network sojourns completed in the interval (0 if none).
    public var p95Seconds: Double
}

/// Runs a ``QueueingNetworkSpec`` by discrete-event simulation.
///
/// Customers live in a slab of plain structs recycled through a free list; events are plain
/// structs in ``EventCalendar``: nothing is allocated per customer or per event once the slab and
/// the heap have reached their peak size. Each station draws service, routing and patience from
/// its own named stream, and each source from its own, so changing one station never shifts
/// another's draws.
///
/// The simulation is an object that owns its state outright: per-station parameters, counters
/// and kind-specific stations sit in ``Slab``s, so the event loop reads and writes them without
/// the copy-on-write uniqueness checks a value type full of arrays pays on every mutation
/// (bench/PROFILE.md measured those as the largest engine overhead).
public final class QueueingNetworkSimulation {
    enum EventKind: UInt8 {
        case externalArrival, serviceEnd, processorSharingEnd, patienceExpired, thinkEnd
        /// A station's one timer for a constant patience: the oldest waiter's deadline.
        case oldestWaiterDeadline
    }

    /// 16 bytes, so a calendar entry (time, sequence, event) is 32: two to a cache line, and
    /// fewer bytes moved per heap level (station indices are limited to 2^24 by the packing).
    struct Event {
        /// Patience ticket, processor-sharing generation, or source index.
        var tag: UInt64
        var customer: Int32
        /// The station index in the low 24 bits, the kind in the high 8.
        var stationAndKind: UInt32

        init(kind: EventKind, station: Int32, customer: Int32, tag: UInt64) {
            self.tag = tag
            self.customer = customer
            stationAndKind = UInt32(bitPattern: station) & 0x00FF_FFFF | UInt32(kind.rawValue) << 24
        }

        var kind: EventKind { EventKind(rawValue: UInt8(truncatingIfNeeded: stationAndKind >> 24))! }
        var station: Int32 { Int32(bitPattern: stationAndKind & 0x00FF_FFFF) }
    }

    struct Customer {
        var networkEntrySeconds: Double = 0
        var stationEntrySeconds: Double = 0
    }

    /// One station's parameters and counters, in one record so an event touches one cache line.
    struct Station {
        var discipline: QueueingNetworkSpec.Discipline
        /// Index into the array of this station's kind (FCFS, PS or delay).
        var slot: Int
        var service: Distribution
        var serviceStream: RandomStreamHandle
        var routingStream: RandomStreamHandle
        var patienceStream: RandomStreamHandle
        /// Random patience: one `patienceExpired` event per waiter, cancelled lazily by ticket.
        var patience: Distribution?
        /// Constant patience (an acquire timeout), or -1: waiters then give up in arrival order,
        /// so one `oldestWaiterDeadline` timer per station suffices (`deadlineArmed`). This cut
        /// the pool benchmark's events by a quarter and its instructions by 29 % (bench/PROFILE.md);
        /// abandonment times are the same as with per-waiter events.
        var constantPatienceSeconds: Double
        var deadlineArmed = false
        /// This station's routes are `routes[firstRoute ..< endRoute]` (cumulative probabilities).
        var firstRoute: Int
        var endRoute: Int
        /// The next station when routing is certain (one route of probability 1), else -1.
        var certainNext: Int32
        /// Customers a processor-sharing station holds at most (K; an FCFS station's queue keeps
        /// its own): an arrival finding K is lost. Without it, an overloaded PS station's job list
        /// grew without bound.
        var capacity: Int
        // Statistics since the last restart.
        var arrivals = 0
        var completions = 0
        var abandoned = 0
        /// Arrivals lost at a full processor-sharing station (FCFS stations count their own).
        var blocked = 0
    }

    struct Route {
        var station: Int32
        var cumulative: Double
    }

    struct Source {
        var station: Int32
        var interarrival: Distribution
        var stream: RandomStreamHandle
    }

    public let spec: QueueingNetworkSpec
    // The mutable state below is touched only from `run`, on one thread: runtime exclusivity
    // checks on these class properties cost ~25 % of all instructions (measured), and prove
    // nothing the structure of the engine does not already guarantee.
    @exclusivity(unchecked) var calendar = EventCalendar<Event>()
    @exclusivity(unchecked) var now: Double = 0
    @exclusivity(unchecked) var customers = Slab<Customer>()
    @exclusivity(unchecked) var freeCustomers = Slab<Int32>()
    let stations: Slab<Station>
    let routes: Slab<Route>
    let sources: Slab<Source>
    /// Kind-specific station state, indexed by `Station.slot`.
    let fcfs: Slab<MultiServerQueue>
    let sharing: Slab<ProcessorSharingStation>
    let delayPresent: Slab<TimeWeightedAverage>
    /// Per-station sojourn times (kept apart from `stations`: each is a large histogram).
    let sojourn: Slab<LatencyRecorder>
    let closedPopulation: QueueingNetworkSpec.ClosedPopulation?
    /// `closedPopulation` unpacked for the hot path (no optional payload copied per departure).
    let hasClosedPopulation: Bool
    let hasThinkTime: Bool
    let thinkTime: Distribution
    let populationEntryStation: Int32
    /// The streams themselves (owners); the hot loop draws through their handles.
    let streams: [RandomStream]
    let thinkStream: RandomStreamHandle

    @exclusivity(unchecked) var networkSojourn = LatencyRecorder()
    /// True when no station routes anywhere: every customer makes exactly one visit, so its
    /// time in the network is its time at that station and the network's recorder is the merge
    /// of the stations' (exact, and it saves a histogram update per customer).
    let singleVisit: Bool
    @exclusivity(unchecked) var completedCustomers = 0
    @exclusivity(unchecked) var statisticsStartSeconds: Double = 0
    @exclusivity(unchecked) var eventsProcessed = 0
    /// Customers between entering and leaving the network.
    @exclusivity(unchecked) var customersInNetwork = 0
    // The timeline (only when `run` is given a sample interval).
    @exclusivity(unchecked) var sampleIntervalSeconds = 0.0
    @exclusivity(unchecked) var samplesTaken = 0
    @exclusivity(unchecked) var nextSampleSeconds = Double.infinity
    @exclusivity(unchecked) var interval = NetworkIntervalSample(
        startSeconds: 0, arrivals: 0, completions: 0, abandoned: 0, blocked: 0, inNetwork: 0,
        waiting: 0, busyServers: 0, p95Seconds: 0)
    @exclusivity(unchecked) var intervalSojourn = LatencyRecorder()
    @exclusivity(unchecked) var timeline: [NetworkIntervalSample] = []

    /// Builds the network; streams are named after the stations, under `seed` and `replication`.
    public init(spec: QueueingNetworkSpec, seed: UInt64, replication: Int = 0) {
        self.spec = spec
        precondition(spec.stations.count < 1 << 24, "a queueing network has at most 2^24 - 1 stations")
        var owned: [RandomStream] = []
        func stream(_ name: String) -> RandomStreamHandle {
            let s = RandomStream(masterSeed: seed, name: name, replication: replication)
            owned.append(s)
            return s.handle
        }
        var stationRecords: [Station] = []
        var routeRecords: [Route] = []
        var fcfsStations: [MultiServerQueue] = []
        var sharingStations: [ProcessorSharingStation] = []
        var delayStations: [TimeWeightedAverage] = []
        for station in spec.stations {
            let slot: Int
            switch station.discipline {
            case .firstComeFirstServed:
                slot = fcfsStations.count
                fcfsStations.append(MultiServerQueue(servers: station.servers, capacity: station.capacity))
            case .processorSharing:
                slot = sharingStations.count
                sharingStations.append(ProcessorSharingStation(cores: station.servers))
            case .infiniteServer:
                slot = delayStations.count
                delayStations.append(TimeWeightedAverage())
            }
            let firstRoute = routeRecords.count
            var total = 0.0
            for route in station.routes where route.probability > 0 {
                total += route.probability
                routeRecords.append(Route(station: Int32(route.station), cumulative: total))
            }
            let endRoute = routeRecords.count
            let certain = endRoute - firstRoute == 1 && routeRecords[firstRoute].cumulative >= 1
            stationRecords.append(Station(
                discipline: station.discipline, slot: slot, service: station.service,
                serviceStream: stream("station.\(station.name).service"),
                routingStream: stream("station.\(station.name).routing"),
                patienceStream: stream("station.\(station.name).patience"),
                patience: station.patience.flatMap { if case .constant = $0 { nil } else { $0 } },
                constantPatienceSeconds: station.patience.flatMap { if case .constant(let t) = $0 { t } else { nil } } ?? -1,
                firstRoute: firstRoute, endRoute: endRoute,
                certainNext: certain ? routeRecords[firstRoute].station : -1, capacity: station.capacity))
        }
        stations = Slab(stationRecords)
        routes = Slab(routeRecords)
        sources = Slab(spec.openSources.indices.map { i in
            Source(station: Int32(spec.openSources[i].station), interarrival: spec.openSources[i].interarrival,
                   stream: stream("source.\(i).arrivals"))
        })
        fcfs = Slab(fcfsStations)
        sharing = Slab(sharingStations)
        delayPresent = Slab(delayStations)
        sojourn = Slab(repeatElement(LatencyRecorder(), count: spec.stations.count))
        closedPopulation = spec.closedPopulation
        hasClosedPopulation = spec.closedPopulation != nil
        hasThinkTime = spec.closedPopulation?.thinkTime != nil
        thinkTime = spec.closedPopulation?.thinkTime ?? .constant(0)
        populationEntryStation = Int32(spec.closedPopulation?.entryStation ?? 0)
        thinkStream = stream("population.think")
        streams = owned
        singleVisit = spec.stations.allSatisfy { $0.routes.allSatisfy { $0.probability <= 0 } }
        start()
    }

    func start() {
        for i in sources.indices {
            let source = sources[i]
            calendar.schedule(Event(kind: .externalArrival, station: source.station, customer: -1, tag: UInt64(i)),
                              atSeconds: source.interarrival.sample(source.stream))
        }
        if let population = closedPopulation {
            for _ in 0..<population.customers {
                let c = newCustomer()
                let think = population.thinkTime?.sample(thinkStream) ?? 0
                calendar.schedule(Event(kind: .thinkEnd, station: Int32(population.entryStation), customer: c, tag: 0),
                                  atSeconds: think)
            }
        }
    }

    @inline(__always)
    func newCustomer() -> Int32 {
        if let c = freeCustomers.popLast() { return c }
        customers.append(Customer())
        return Int32(customers.count - 1)
    }

    /// Runs until the clock passes `horizonSeconds` or, after warm-up, `customerLimit`
    /// customers have completed. Statistics restart at `warmupSeconds`.
    ///
    /// With `sampleIntervalSeconds`, the result's `timeline` holds one sample per interval
    /// (arrivals, completions, the number in the network at its end, p95), warm-up included.
    public func run(horizonSeconds: Double, warmupSeconds: Double = 0,
                    customerLimit: Int = .max, sampleIntervalSeconds: Double? = nil) -> QueueingNetworkResult {
        var warmedUp = warmupSeconds <= 0
        if let every = sampleIntervalSeconds, every > 0, timeline.isEmpty {
            self.sampleIntervalSeconds = every
            nextSampleSeconds = every
        }
        defer { takeSamples(through: now) }
        while let entry = calendar.popNext() {
            if entry.timeSeconds >= nextSampleSeconds { takeSamples(through: min(entry.timeSeconds, horizonSeconds)) }
            if !warmedUp && entry.timeSeconds >= warmupSeconds {
                now = warmupSeconds
                restartStatistics()
                warmedUp = true
            }
            if entry.timeSeconds > horizonSeconds { now = horizonSeconds; break }
            now = entry.timeSeconds
            eventsProcessed += 1
            handle(entry.payload)
            if completedCustomers >= customerLimit { break }
        }
        return result()
    }

    @inline(__always)
    func handle(_ event: Event) {
        switch event.kind {
        case .externalArrival:
            let source = sources[Int(event.tag)]
            let c = newCustomer()
            customers[Int(c)].networkEntrySeconds = now
            customersInNetwork += 1
            interval.arrivals += 1
            calendar.schedule(event, atSeconds: now + source.interarrival.sample(source.stream))
            arrive(c, at: Int(event.station))
        case .thinkEnd:
            customers[Int(event.customer)].networkEntrySeconds = now
            customersInNetwork += 1
            interval.arrivals += 1
            arrive(event.customer, at: Int(event.station))
        case .serviceEnd:
            let s = Int(event.station)
            let k = stations[s].slot
            if stations[s].discipline == .infiniteServer {
                delayPresent[k].add(-1, atSeconds: now)
            } else if let next = fcfs[k].completeService(atSeconds: now) {
                startService(next, at: s)
            }
            depart(event.customer, from: s)
        case .processorSharingEnd:
            let s = Int(event.station)
            let k = stations[s].slot
            guard UInt64(sharing[k].generation) == event.tag else { return }
            let c = sharing[k].completeNext(atSeconds: now)
            scheduleSharingCompletion(s)
            depart(c, from: s)
        case .oldestWaiterDeadline:
            let s = Int(event.station)
            let k = stations[s].slot
            let patience = stations[s].constantPatienceSeconds
            while let c = fcfs[k].servers.abandonOldest(patienceSeconds: patience, atSeconds: now) {
                stations[s].abandoned += 1
                interval.abandoned += 1
                leaveNetwork(c, completed: false)
            }
            stations[s].deadlineArmed = false
            armOldestWaiterDeadline(s)
        case .patienceExpired:
            let s = Int(event.station)
            if fcfs[stations[s].slot].servers.abandon(ticket: event.tag, atSeconds: now) {
                stations[s].abandoned += 1
                interval.abandoned += 1
                leaveNetwork(event.customer, completed: false)
            }
        }
    }

    @inline(__always)
    func arrive(_ c: Int32, at s: Int) {
        stations[s].arrivals += 1
        customers[Int(c)].stationEntrySeconds = now
        let k = stations[s].slot
        switch stations[s].discipline {
        case .firstComeFirstServed:
            switch fcfs[k].arrive(c, atSeconds: now) {
            case .startService:
                startService(c, at: s)
            case .queued(let ticket):
                if stations[s].constantPatienceSeconds >= 0 {
                    if !stations[s].deadlineArmed { armOldestWaiterDeadline(s) }
                } else if let patienceTime = stations[s].patience {
                    calendar.schedule(Event(kind: .patienceExpired, station: Int32(s), customer: c, tag: ticket),
                                      atSeconds: now + patienceTime.sample(stations[s].patienceStream))
                }
            case .blocked:
                interval.blocked += 1
                leaveNetwork(c, completed: false)
            }
        case .processorSharing:
            if sharing[k].count >= stations[s].capacity {
                stations[s].blocked += 1
                interval.blocked += 1
                leaveNetwork(c, completed: false)
                return
            }
            let work = stations[s].service.sample(stations[s].serviceStream)
            sharing[k].arrive(c, workSeconds: work, atSeconds: now)
            scheduleSharingCompletion(s)
        case .infiniteServer:
            delayPresent[k].add(1, atSeconds: now)
            startService(c, at: s)
        }
    }

    @inline(__always)
    func startService(_ c: Int32, at s: Int) {
        calendar.schedule(Event(kind: .serviceEnd, station: Int32(s), customer: c, tag: 0),
                          atSeconds: now + stations[s].service.sample(stations[s].serviceStream))
    }

    /// Schedules station `s`'s deadline timer for its oldest live waiter, if anyone waits.
    func armOldestWaiterDeadline(_ s: Int) {
        guard let since = fcfs[stations[s].slot].servers.oldestWaiterSinceSeconds() else { return }
        calendar.schedule(Event(kind: .oldestWaiterDeadline, station: Int32(s), customer: -1, tag: 0),
                          atSeconds: since + stations[s].constantPatienceSeconds)
        stations[s].deadlineArmed = true
    }

    func scheduleSharingCompletion(_ s: Int) {
        let k = stations[s].slot
        if let t = sharing[k].nextCompletionSeconds {
            calendar.schedule(Event(kind: .processorSharingEnd, station: Int32(s), customer: -1,
                                    tag: UInt64(sharing[k].generation)), atSeconds: t)
        }
    }

    @inline(__always)
    func depart(_ c: Int32, from s: Int) {
        let entered = customers[Int(c)].stationEntrySeconds
        stations[s].completions += 1
        sojourn[s].record(seconds: now - entered)
        var next = stations[s].certainNext
        let firstRoute = stations[s].firstRoute, endRoute = stations[s].endRoute
        if next < 0 && firstRoute < endRoute {
            let u = stations[s].routingStream.uniform()
            for r in firstRoute..<endRoute where u < routes[r].cumulative {
                next = routes[r].station
                break
            }
        }
        if next < 0 { leaveNetwork(c, completed: true) } else { arrive(c, at: Int(next)) }
    }

    @inline(__always)
    func leaveNetwork(_ c: Int32, completed: Bool) {
        customersInNetwork -= 1
        if completed {
            completedCustomers += 1
            interval.completions += 1
            if !singleVisit { networkSojourn.record(seconds: now - customers[Int(c)].networkEntrySeconds) }
            if sampleIntervalSeconds > 0 { intervalSojourn.record(seconds: now - customers[Int(c)].networkEntrySeconds) }
        }
        if hasClosedPopulation {
            let think = hasThinkTime ? thinkTime.sample(thinkStream) : 0
            calendar.schedule(Event(kind: .thinkEnd, station: populationEntryStation, customer: c, tag: 0),
                              atSeconds: now + think)
        } else {
            freeCustomers.append(c)
        }
    }

    /// Closes every timeline interval that ends at or before `time`.
    func takeSamples(through time: Double) {
        while nextSampleSeconds <= time {
            interval.startSeconds = nextSampleSeconds - sampleIntervalSeconds
            interval.inNetwork = customersInNetwork
            interval.waiting = 0
            interval.busyServers = 0
            for k in fcfs.indices {
                interval.waiting += fcfs[k].servers.waitingCount
                interval.busyServers += fcfs[k].servers.heldCount
            }
            interval.p95Seconds = intervalSojourn.percentileSeconds(95)
            timeline.append(interval)
            interval = NetworkIntervalSample(startSeconds: 0, arrivals: 0, completions: 0, abandoned: 0, blocked: 0,
                                             inNetwork: 0, waiting: 0, busyServers: 0, p95Seconds: 0)
            intervalSojourn.reset()
            samplesTaken += 1
            nextSampleSeconds = Double(samplesTaken + 1) * sampleIntervalSeconds
        }
    }

    func restartStatistics() {
        for i in fcfs.indices { fcfs[i].restartStatistics(atSeconds: now) }
        for i in sharing.indices { sharing[i].restartStatistics(atSeconds: now) }
        for i in delayPresent.indices { delayPresent[i].restart(atSeconds: now) }
        for s in stations.indices {
            stations[s].arrivals = 0
            stations[s].completions = 0
            stations[s].abandoned = 0
            stations[s].blocked = 0
            sojourn[s].reset()
        }
        networkSojourn.reset()
        completedCustomers = 0
        statisticsStartSeconds = now
    }

    func result() -> QueueingNetworkResult {
        let observed = now - statisticsStartSeconds
        var results: [QueueingNetworkResult.StationResult] = []
        var merged = LatencyRecorder()
        for (s, station) in spec.stations.enumerated() {
            let k = stations[s].slot
            var utilization = 0.0, present = 0.0, waitingMean = 0.0, blocked = 0
            var waits = SummaryStatistics()
            switch station.discipline {
            case .firstComeFirstServed:
                let q = fcfs[k]
                utilization = q.servers.inUse.mean(atSeconds: now) / Double(station.servers)
                waitingMean = q.servers.waiting.mean(atSeconds: now)
                present = q.servers.inUse.mean(atSeconds: now) + waitingMean
                blocked = q.blocked
                waits = q.servers.waitsOfGranted
            case .processorSharing:
                let p = sharing[k]
                utilization = p.busyCores.mean(atSeconds: now) / Double(station.servers)
                present = p.jobsPresent.mean(atSeconds: now)
                blocked = stations[s].blocked
            case .infiniteServer:
                present = delayPresent[k].mean(atSeconds: now)
                utilization = present
            }
            if singleVisit { merged.merge(sojourn[s]) }
            results.append(.init(name: station.name, arrivals: stations[s].arrivals,
                                 completions: stations[s].completions, blocked: blocked,
                                 abandoned: stations[s].abandoned, utilization: utilization,
                                 meanNumberPresent: present, meanNumberWaiting: waitingMean,
                                 waitOfServed: waits, sojourn: sojourn[s]))
        }
        return QueueingNetworkResult(
            stations: results,
            networkSojourn: singleVisit ? merged : networkSojourn,
            throughputPerSecond: observed > 0 ? Double(completedCustomers) / observed : 0,
            completedCustomers: completedCustomers, observedSeconds: observed,
            eventsProcessed: eventsProcessed, timeline: timeline)
    }
}
