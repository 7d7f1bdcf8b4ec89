// The database's table: its nodes (0 = the primary, then replicas: the kernel's
// processor-sharing stations), read routing, the server connections open against
// `max_connections`, and the counters. The behaviour is in WebEngine+Database (queries, nodes)
// and WebEngine+Connections (opening connections); each node's pending completion
// (`databaseNext`) belongs to the event loop.

import HeadroomKernel
import HeadroomModel

struct DatabaseTable {
    let maxConnections: Int
    /// Read routing when reads can go to replicas, else nil (every query to the primary).
    let replicaReadRouting: ReadRouting?
    /// The first node reads may go to: 1 (the replicas), or 0 with `read_from: all`.
    let firstReadNode: Int

    var nodes: Slab<ProcessorSharingStation>
    var readRoundRobin = 0
    /// Server connections open (pools' and poolers'), over time.
    var openConnections = TimeWeightedAverage()

    // Counters since the warm-up.
    var queries: Slab<Int>
    var refusedConnections = 0
    var failedQueries = 0
    /// `replication_lag` and its stream (nil without one): reads at a replica that miss their
    /// request's own write, and reads kept on the primary that would have.
    let replicationLag: Distribution?
    let lagStream: RandomStreamHandle?
    var staleReads = 0
    var staleReadsAvoided = 0

    init(model: Model, stream: (String) -> RandomStreamHandle) {
        if let lag = model.database?.replicationLag, (model.database?.replicas ?? 0) > 0 {
            replicationLag = Distribution(lag)
            lagStream = stream("database.replication-lag")
        } else {
            replicationLag = nil
            lagStream = nil
        }
        maxConnections = model.database?.maxConnections ?? Int.max
        replicaReadRouting = (model.database?.replicas ?? 0) > 0 ? model.database?.readRouting : nil
        firstReadNode = model.database?.readFrom == .all ? 0 : 1
        let database = model.database ?? Database()
        nodes = Slab([ProcessorSharingStation(cores: database.cores, contention: database.contention,
                                              coherency: database.coherency)]
            + (0..<database.replicas).map { _ in
                ProcessorSharingStation(cores: database.replicaCores, contention: database.contention,
                                        coherency: database.coherency)
            })
        queries = Slab(repeating: 0, count: nodes.count)
    }

    mutating func restartStatistics(atSeconds now: Double) {
        for i in nodes.indices { nodes[i].restartStatistics(atSeconds: now) }
        openConnections.restart(atSeconds: now)
        queries = Slab(repeating: 0, count: queries.count)
        refusedConnections = 0
        failedQueries = 0
        staleReads = 0
        staleReadsAvoided = 0
    }

    /// Nil for a model with neither a database nor a pool.
    func result(model: Model, atSeconds now: Double) -> DatabaseResult? {
        guard model.database != nil || !model.pools.isEmpty else { return nil }
        let nodeResults = nodes.enumerated().map { i, node in
            DatabaseNodeResult(name: i == 0 ? "primary" : "replica-\(i)", cores: node.cores,
                               utilization: node.busyCores.mean(atSeconds: now) / Double(node.cores),
                               meanActiveQueries: node.jobsPresent.mean(atSeconds: now),
                               peakActiveQueries: Int(node.jobsPresent.peak), queries: queries[i])
        }
        var result = DatabaseResult(nodes: nodeResults, meanOpenConnections: openConnections.mean(atSeconds: now),
                                    peakOpenConnections: Int(openConnections.peak),
                                    maxConnections: model.database?.maxConnections ?? Int.max,
                                    refusedConnections: refusedConnections, failedQueries: failedQueries)
        result.tracksReplicationLag = replicationLag != nil
        result.staleReads = staleReads
        result.staleReadsAvoided = staleReadsAvoided
        return result
    }
}
