// MARK: - Plain queueing networks

public enum Discipline: String, Sendable, Hashable {
    /// First come, first served, `servers` parallel servers.
    case fcfs
    /// Processor sharing over `servers` servers.
    case ps
}

public struct Route: Sendable, Hashable {
    /// A station name (never "exit": the probability left over after all routes is the exit).
    public var to: String
    public var probability: Double
    public init(to: String, probability: Double) { self.to = to; self.probability = probability }
}

public struct Station: Sendable, Hashable {
    public var name: String
    /// Default 1.
    public var servers: Int
    public var service: DistributionSpec
    /// K: most customers at the station (in service + waiting); nil = unbounded. Arrivals beyond are lost.
    public var capacity: Int?
    /// Default FCFS.
    public var discipline: Discipline
    /// Patience of a waiting customer (reneging, Erlang-A); nil = infinitely patient.
    public var patience: DistributionSpec?
    /// Where a customer goes after service. The remaining probability (1 - sum) leaves the network.
    public var routes: [Route]

    public init(name: String, servers: Int = 1, service: DistributionSpec, capacity: Int? = nil,
                discipline: Discipline = .fcfs, patience: DistributionSpec? = nil, routes: [Route] = []) {
        self.name = name; self.servers = servers; self.service = service; self.capacity = capacity
        self.discipline = discipline; self.patience = patience; self.routes = routes
    }
}

public struct ExternalArrival: Sendable, Hashable {
    public var station: String
    /// Poisson arrivals at this rate.
    public var ratePerSecond: Double
    public init(station: String, ratePerSecond: Double) { self.station = station; self.ratePerSecond = ratePerSecond }
}

public struct NetworkPopulation: Sendable, Hashable {
    public var customers: Int
    /// Delay between leaving the network and re-entering at `station`; const(0) if omitted.
    public var thinkTime: DistributionSpec
    /// Where customers (re-)enter. Default: the first station.
    public var station: String
    public init(customers: Int, thinkTime: DistributionSpec, station: String) {
        self.customers = customers; self.thinkTime = thinkTime; self.station = station
    }
}

public struct QueueingNetwork: Sendable, Hashable {
    /// In file order.
    public var stations: [Station]
    /// Open network: external Poisson arrivals (empty for a closed network).
    public var arrivals: [ExternalArrival]
    /// Closed network: a fixed population (nil for an open network). Exactly one of the two is given.
    public var population: NetworkPopulation?

    public init(stations: [Station], arrivals: [ExternalArrival] = [], population: NetworkPopulation? = nil) {
        self.stations = stations; self.arrivals = arrivals; self.population = population
    }
}

// MARK: - Faults

public struct Faults: Sendable, Hashable {
    /// Count orphaned rows: write queries that committed in a step sequence outside a transaction that
    /// then failed or was interrupted. Default true.
    public var trackOrphans: Bool
    public init(trackOrphans: Bool = true) { self.trackOrphans = trackOrphans }
}

/// What `ModelLoader.load` returns: the checked model and the non-fatal warnings.
public struct LoadedModel: Sendable {
    public var model: Model
    public var warnings: [ModelWarning]
    /// The (overridden) YAML tree the model was decoded from.
    let tree: YNode
    /// Numeric leaves of the (overridden) YAML tree: valid `--set` keys with their current values.
    /// Computed when asked (a sweep or breakpoint asks; `check` and `run` do not): on a file of
    /// 100,000 steps it parses every scalar again, 1.2 s of CPU in a release build.
    public var overridableLeaves: [OverridableLeaf] { Overrides.leaves(of: tree) }
}

public struct OverridableLeaf: Sendable, Hashable {
    /// Dotted path, e.g. `pools.prisma.size`.
    public var path: String
    /// The value as written, e.g. `10` or `10s`.
    public var value: String
}
