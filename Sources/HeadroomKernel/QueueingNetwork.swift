/// A plain queueing network: stations with servers, a service distribution and probabilistic
/// routing, fed by open arrival streams or by a closed population of thinking customers.
///
/// This is the kernel's own engine, used for closed-form validation, the benchmark and the
/// model language's `network:` section. Web-backend concepts (instances, pools, caches) live in
/// HeadroomSim, which drives the same stations through its own engine.
public struct QueueingNetworkSpec: Sendable {
    public enum Discipline: Sendable, Hashable {
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
}

/// Runs a ``QueueingNetworkSpec`` by discrete-event simulation.
///
/// Customers live in a slab of plain structs recycled through a free list; events are plain
/// structs in ``EventCalendar``: nothing is allocated per customer or per event once the slab and
/// the heap have reached their peak size. Each station draws service, routing and patience from
/// its own named stream, and each source from its own, so changing one station never shifts
/// another's draws.
public struct QueueingNetworkSimulation {
    enum EventKind: UInt8 {
        case externalArrival, serviceEnd, processorSharingEnd, patienceExpired, thinkEnd
    }

    struct Event {
        var kind: EventKind
        var station: Int32
        var customer: Int32
        /// Patience ticket or processor-sharing generation.
        var tag: UInt64
        init(kind: EventKind, station: Int32, customer: Int32, tag: UInt64) {
            self.kind = kind
            self.station = station
            self.customer = customer
            self.tag = tag
        }
    }

    struct Customer {
        var networkEntrySeconds: Double = 0
        var stationEntrySeconds: Double = 0
    }

    public let spec: QueueingNetworkSpec
    var calendar = EventCalendar<Event>()
    var now: Double = 0
    var customers = ContiguousArray<Customer>()
    var freeCustomers = ContiguousArray<Int32>()

    // Per station: kind-specific state lives in kind-specific arrays (no enum payloads, so
    // mutation happens in place); `slot[s]` indexes the array of station s's kind.
    var slot: ContiguousArray<Int>
    var fcfs = ContiguousArray<MultiServerQueue>()
    var sharing = ContiguousArray<ProcessorSharingStation>()
    var delayPresent = ContiguousArray<TimeWeightedAverage>()
    var service: ContiguousArray<Distribution>
    var cumulativeRoutes: ContiguousArray<ContiguousArray<(station: Int32, cumulative: Double)>>
    var discipline: ContiguousArray<QueueingNetworkSpec.Discipline>
    var patience: ContiguousArray<Distribution?>
    var interarrival: ContiguousArray<Distribution>
    /// The streams themselves (owners); the hot loop draws through their handles.
    let streams: [RandomStream]
    var serviceStreams: ContiguousArray<RandomStreamHandle> = []
    var routingStreams: ContiguousArray<RandomStreamHandle> = []
    var patienceStreams: ContiguousArray<RandomStreamHandle> = []
    var sourceStreams: ContiguousArray<RandomStreamHandle> = []
    var thinkStream: RandomStreamHandle

    // Statistics since the last restart.
    /// Per-station counters and sojourn times in one struct, so a departure touches one array
    /// (each array mutation costs a uniqueness check; merging them was measured to pay).
    struct StationTally {
        var arrivals = 0
        var completions = 0
        var abandoned = 0
        var sojourn = LatencyRecorder()
    }
    var tally: ContiguousArray<StationTally>
    var networkSojourn = LatencyRecorder()
    /// True when no station routes anywhere: every customer makes exactly one visit, so its
    /// time in the network is its time at that station and the network's recorder is the merge
    /// of the stations' (exact, and it saves a histogram update per customer).
    let singleVisit: Bool
    var completedCustomers = 0
    var statisticsStartSeconds: Double = 0
    var eventsProcessed = 0

    /// Builds the network; streams are named after the stations, under `seed` and `replication`.
    public init(spec: QueueingNetworkSpec, seed: UInt64, replication: Int = 0) {
        self.spec = spec
        let n = spec.stations.count
        slot = ContiguousArray(repeating: 0, count: n)
        service = ContiguousArray(spec.stations.map(\.service))
        cumulativeRoutes = []
        discipline = ContiguousArray(spec.stations.map(\.discipline))
        patience = ContiguousArray(spec.stations.map(\.patience))
        interarrival = ContiguousArray(spec.openSources.map(\.interarrival))
        var owned: [RandomStream] = []
        func stream(_ name: String) -> RandomStreamHandle {
            let s = RandomStream(masterSeed: seed, name: name, replication: replication)
            owned.append(s)
            return s.handle
        }
        for (s, station) in spec.stations.enumerated() {
            switch station.discipline {
            case .firstComeFirstServed:
                slot[s] = fcfs.count
                fcfs.append(MultiServerQueue(servers: station.servers, capacity: station.capacity))
            case .processorSharing:
                slot[s] = sharing.count
                sharing.append(ProcessorSharingStation(cores: station.servers))
            case .infiniteServer:
                slot[s] = delayPresent.count
                delayPresent.append(TimeWeightedAverage())
            }
            var total = 0.0
            var routes = ContiguousArray<(station: Int32, cumulative: Double)>()
            for route in station.routes where route.probability > 0 {
                total += route.probability
                routes.append((Int32(route.station), total))
            }
            cumulativeRoutes.append(routes)
            serviceStreams.append(stream("station.\(station.name).service"))
            routingStreams.append(stream("station.\(station.name).routing"))
            patienceStreams.append(stream("station.\(station.name).patience"))
        }
        sourceStreams = ContiguousArray(spec.openSources.indices.map { stream("source.\($0).arrivals") })
        thinkStream = stream("population.think")
        streams = owned
        tally = ContiguousArray(repeating: StationTally(), count: n)
        singleVisit = spec.stations.allSatisfy { $0.routes.allSatisfy { $0.probability <= 0 } }
        start()
    }

    mutating func start() {
        for (i, source) in spec.openSources.enumerated() {
            calendar.schedule(Event(kind: .externalArrival, station: Int32(source.station), customer: -1, tag: UInt64(i)),
                              atSeconds: source.interarrival.sample(sourceStreams[i]))
        }
        if let population = spec.closedPopulation {
            for _ in 0..<population.customers {
                let c = newCustomer()
                let think = population.thinkTime?.sample(thinkStream) ?? 0
                calendar.schedule(Event(kind: .thinkEnd, station: Int32(population.entryStation), customer: c, tag: 0),
                                  atSeconds: think)
            }
        }
    }

    mutating func newCustomer() -> Int32 {
        if let c = freeCustomers.popLast() { return c }
        customers.append(Customer())
        return Int32(customers.count - 1)
    }

    /// Runs until the clock passes `horizonSeconds` or, after warm-up, `customerLimit`
    /// customers have completed. Statistics restart at `warmupSeconds`.
    public mutating func run(horizonSeconds: Double, warmupSeconds: Double = 0,
                             customerLimit: Int = .max) -> QueueingNetworkResult {
        var warmedUp = warmupSeconds <= 0
        while let entry = calendar.popNext() {
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

    mutating func handle(_ event: Event) {
        switch event.kind {
        case .externalArrival:
            let i = Int(event.tag)
            let c = newCustomer()
            customers[Int(c)].networkEntrySeconds = now
            calendar.schedule(event, atSeconds: now + interarrival[i].sample(sourceStreams[i]))
            arrive(c, at: Int(event.station))
        case .thinkEnd:
            customers[Int(event.customer)].networkEntrySeconds = now
            arrive(event.customer, at: Int(event.station))
        case .serviceEnd:
            let s = Int(event.station)
            if discipline[s] == .infiniteServer {
                delayPresent[slot[s]].add(-1, atSeconds: now)
            } else if let next = fcfs[slot[s]].completeService(atSeconds: now) {
                startService(next, at: s)
            }
            depart(event.customer, from: s)
        case .processorSharingEnd:
            let s = Int(event.station)
            let k = slot[s]
            guard UInt64(sharing[k].generation) == event.tag else { return }
            let c = sharing[k].completeNext(atSeconds: now)
            scheduleSharingCompletion(s)
            depart(c, from: s)
        case .patienceExpired:
            let s = Int(event.station)
            if fcfs[slot[s]].servers.abandon(ticket: event.tag, atSeconds: now) {
                tally[s].abandoned += 1
                leaveNetwork(event.customer, completed: false)
            }
        }
    }

    mutating func arrive(_ c: Int32, at s: Int) {
        tally[s].arrivals += 1
        customers[Int(c)].stationEntrySeconds = now
        switch discipline[s] {
        case .firstComeFirstServed:
            switch fcfs[slot[s]].arrive(c, atSeconds: now) {
            case .startService:
                startService(c, at: s)
            case .queued(let ticket):
                if let patienceTime = patience[s] {
                    calendar.schedule(Event(kind: .patienceExpired, station: Int32(s), customer: c, tag: ticket),
                                      atSeconds: now + patienceTime.sample(patienceStreams[s]))
                }
            case .blocked:
                leaveNetwork(c, completed: false)
            }
        case .processorSharing:
            sharing[slot[s]].arrive(c, workSeconds: service[s].sample(serviceStreams[s]), atSeconds: now)
            scheduleSharingCompletion(s)
        case .infiniteServer:
            delayPresent[slot[s]].add(1, atSeconds: now)
            startService(c, at: s)
        }
    }

    mutating func startService(_ c: Int32, at s: Int) {
        calendar.schedule(Event(kind: .serviceEnd, station: Int32(s), customer: c, tag: 0),
                          atSeconds: now + service[s].sample(serviceStreams[s]))
    }

    mutating func scheduleSharingCompletion(_ s: Int) {
        let k = slot[s]
        if let t = sharing[k].nextCompletionSeconds {
            calendar.schedule(Event(kind: .processorSharingEnd, station: Int32(s), customer: -1,
                                    tag: UInt64(sharing[k].generation)), atSeconds: t)
        }
    }

    mutating func depart(_ c: Int32, from s: Int) {
        let entered = customers[Int(c)].stationEntrySeconds
        tally[s].completions += 1
        tally[s].sojourn.record(seconds: now - entered)
        let routes = cumulativeRoutes[s]
        if routes.isEmpty { leaveNetwork(c, completed: true); return }
        var next: Int32 = -1
        if routes.count == 1 && routes[0].cumulative >= 1 {
            next = routes[0].station
        } else {
            let u = routingStreams[s].uniform()
            for route in routes where u < route.cumulative { next = route.station; break }
        }
        if next < 0 { leaveNetwork(c, completed: true) } else { arrive(c, at: Int(next)) }
    }

    mutating func leaveNetwork(_ c: Int32, completed: Bool) {
        if completed {
            completedCustomers += 1
            if !singleVisit { networkSojourn.record(seconds: now - customers[Int(c)].networkEntrySeconds) }
        }
        if let population = spec.closedPopulation {
            let think = population.thinkTime?.sample(thinkStream) ?? 0
            calendar.schedule(Event(kind: .thinkEnd, station: Int32(population.entryStation), customer: c, tag: 0),
                              atSeconds: now + think)
        } else {
            freeCustomers.append(c)
        }
    }

    mutating func restartStatistics() {
        for i in fcfs.indices { fcfs[i].restartStatistics(atSeconds: now) }
        for i in sharing.indices { sharing[i].restartStatistics(atSeconds: now) }
        for i in delayPresent.indices { delayPresent[i].restart(atSeconds: now) }
        for s in tally.indices { tally[s] = StationTally() }
        networkSojourn.reset()
        completedCustomers = 0
        statisticsStartSeconds = now
    }

    func result() -> QueueingNetworkResult {
        let observed = now - statisticsStartSeconds
        var stations: [QueueingNetworkResult.StationResult] = []
        for (s, station) in spec.stations.enumerated() {
            let k = slot[s]
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
            case .infiniteServer:
                present = delayPresent[k].mean(atSeconds: now)
                utilization = present
            }
            stations.append(.init(name: station.name, arrivals: tally[s].arrivals, completions: tally[s].completions,
                                  blocked: blocked, abandoned: tally[s].abandoned, utilization: utilization,
                                  meanNumberPresent: present, meanNumberWaiting: waitingMean,
                                  waitOfServed: waits, sojourn: tally[s].sojourn))
        }
        return QueueingNetworkResult(
            stations: stations,
            networkSojourn: singleVisit ? tally.reduce(into: LatencyRecorder()) { $0.merge($1.sojourn) } : networkSojourn,
            throughputPerSecond: observed > 0 ? Double(completedCustomers) / observed : 0,
            completedCustomers: completedCustomers, observedSeconds: observed,
            eventsProcessed: eventsProcessed)
    }
}
