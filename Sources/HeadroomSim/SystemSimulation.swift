import HeadroomKernel
import HeadroomModel

/// Runs one replication of a model: the web-backend engine for a system model, or the kernel's
/// queueing-network engine for a plain `network:` model.
public enum SystemSimulation {
    /// Deterministic given `model.simulation.seed` and `replication`: every component draws from
    /// its own stream named after it.
    /// `progress`: told the share of the horizon simulated so far, a few hundred times (web
    /// models; a `network:` model's replication reports nothing until it ends).
    public static func run(model: Model, replication: Int, warmupSeconds: Double, horizonSeconds: Double,
                           timelineIntervalSeconds: Double? = nil,
                           progress: (@Sendable (Double) -> Void)? = nil) -> SystemRunResult {
        if let network = model.network {
            let simulation = QueueingNetworkSimulation(spec: networkSpec(network), seed: model.simulation.seed,
                                                       replication: replication)
            let result = simulation.run(horizonSeconds: horizonSeconds, warmupSeconds: warmupSeconds,
                                        sampleIntervalSeconds: timelineIntervalSeconds)
            // A network's customers read as requests: in flight = in the network, pool waits =
            // FCFS queues, connections in use = busy FCFS servers, timeouts = give-ups, errors =
            // arrivals refused at a full station.
            let timeline = result.timeline.map {
                TimelineSample(startSeconds: $0.startSeconds, arrivals: $0.arrivals, completions: $0.completions,
                               inFlight: $0.inNetwork, poolWaiting: $0.waiting, connectionsInUse: $0.busyServers,
                               timeouts: $0.abandoned, errors: $0.blocked, p95Seconds: $0.p95Seconds)
            }
            // Arrivals lost at the overload cap (at stations the model gave no capacity).
            let rejected = zip(network.stations, result.stations).reduce(0) { $0 + ($1.0.capacity == nil ? $1.1.blocked : 0) }
            return SystemRunResult(observedSeconds: result.observedSeconds, endpoints: [], instances: nil, pools: [], poolers: [],
                                   database: nil, caches: [], jobQueues: [], orphanedWrites: 0, network: result,
                                   eventsProcessed: result.eventsProcessed, timeline: timeline, overloadRejections: rejected)
        }
        var engine = WebEngine(model: model, replication: replication, warmupSeconds: warmupSeconds,
                               horizonSeconds: horizonSeconds, timelineIntervalSeconds: timelineIntervalSeconds,
                               progress: progress)
        return engine.run()
    }

    /// The kernel spec of a model's plain queueing network.
    public static func networkSpec(_ network: QueueingNetwork) -> QueueingNetworkSpec {
        let index = Dictionary(uniqueKeysWithValues: network.stations.enumerated().map { ($1.name, $0) })
        let stations = network.stations.map { station in
            QueueingNetworkSpec.Station(
                name: station.name, servers: station.servers,
                discipline: station.discipline == .ps ? .processorSharing : .firstComeFirstServed,
                // Without a capacity, the overload cap: an unbounded queue would grow without bound.
                service: Distribution(station.service), capacity: station.capacity ?? OverloadCaps.customersPerStation,
                patience: station.patience.map(Distribution.init),
                routes: station.routes.compactMap { route in index[route.to].map { ($0, route.probability) } })
        }
        let sources = network.arrivals.compactMap { arrival in
            index[arrival.station].map {
                QueueingNetworkSpec.OpenSource(station: $0, interarrival: .exponential(mean: 1 / arrival.ratePerSecond))
            }
        }
        let population = network.population.map {
            QueueingNetworkSpec.ClosedPopulation(customers: $0.customers, thinkTime: Distribution($0.thinkTime),
                                                 entryStation: index[$0.station] ?? 0)
        }
        return QueueingNetworkSpec(stations: stations, openSources: sources, closedPopulation: population)
    }
}
