import Foundation
import HeadroomModel
import Queueing
import HeadroomOutput

// MARK: - Web models

package struct WebAnalyzer {
    package let model: Model

    package func analyze() -> Analysis {
        var notes: [String] = []
        var warnings: [String] = []
        var kind = Analysis.WorkloadKind.open
        var meanRate = 0.0, peakRate = 0.0
        var users: Int? = nil
        var think: Double? = nil
        switch model.workload?.arrivals {
        case let .open(arrivals, _)?:
            (meanRate, peakRate) = openRates(arrivals)
            if case .phases = arrivals {
                notes.append("open load with phases: figures use the mean rate over the phases (\(formatRate(meanRate))); overload warnings also check the peak (\(formatRate(peakRate)))")
            }
        case let .closed(n, z)?:
            kind = .closed; users = n; think = z.mean
        case nil:
            break
        }

        // Closed workloads: the request rate that drives emergent cache hit ratios is the
        // throughput, found by iterating demands -> MVA -> throughput.
        var rate = kind == .open ? meanRate : 0
        var demands = WebDemands.compute(model, requestRate: rate)
        var closedSolution: (curve: [Analysis.MVAPoint], atUsers: ClosedNetworkResult?, method: String)? = nil
        var stretch: (cpu: Double, primary: Double, replica: Double) = (1, 1, 1)
        if kind == .closed, let n = users {
            let r0 = demands.synchronous.latencySeconds
            rate = Double(n) / max(1e-12, r0 + (think ?? 0))
            for iteration in 0..<(demands.estimatedCaches.isEmpty ? 1 : 4) {
                if iteration > 0 || !demands.estimatedCaches.isEmpty { demands = WebDemands.compute(model, requestRate: rate) }
                var mvaNotes: [String] = []
                if let net = closedNetwork(demands.synchronous, think: think ?? 0) {
                    let solved = solveClosed(net.network, users: n, notes: &mvaNotes)
                    closedSolution = solved
                    if let x = solved.atUsers?.throughputPerSecond { rate = x }
                    if let r = solved.atUsers { stretch = net.stretch(r) }
                }
                if iteration == 0 { notes.append(contentsOf: mvaNotes) }
            }
            notes.append("closed workload: exact MVA over instance workers (multi-server), database nodes (load-dependent, one server per core), cache servers (multi-server, one per thread) and a delay for calls, sleeps and lookups of caches without a server, with think time \(formatDuration(think ?? 0)); pools are passive resources and are left out of MVA: their figures follow from Little's law on the MVA solution (requests needing a connection = throughput x acquisitions x hold; beyond the pool size they wait)")
        }
        if !demands.estimatedCaches.isEmpty {
            notes.append("cache hit ratios of \(demands.estimatedCaches.map { "`\($0)`" }.joined(separator: ", ")) are estimated from key popularity (Che's approximation for LRU, TTL renewal), ignoring invalidations")
        }

        let perRequest = demands.synchronous
        var total = perRequest
        total.add(demands.asynchronous, times: 1)

        // Connections are held while queries share the database cores: stretch the holds by the
        // residence time per unit of service at each node (M/M/c for open loads, MVA for closed).
        var dbStretch = DatabaseStretch()
        // A node never has more active queries than connections can reach it: when those are no
        // more than its cores, no query waits for a core and the holds are not stretched at all
        // (the M/M/c or MVA station would let queries queue that the pools hold back).
        let reaching = model.database.map { _ in connectionsReachingDatabase() } ?? 0
        let primaryUncontended = model.database.map { reaching <= $0.cores } ?? true
        let replicaUncontended = model.database.map { reaching <= $0.replicaCores } ?? true
        if let db = model.database, primaryUncontended {
            notes.append("at most \(reaching) queries can be active at once (the connections of every pool and pooler, capped by max_connections): no more than the primary's \(db.cores) cores\(db.replicas > 0 ? (replicaUncontended ? " and a replica's \(db.replicaCores)" : "") : ""), so queries never queue for a core there and connection holds are not stretched")
        }
        if kind == .closed {
            dbStretch = DatabaseStretch(primary: primaryUncontended ? 1 : stretch.primary,
                                        replica: replicaUncontended ? 1 : stretch.replica)
        } else if rate > 0, let db = model.database {
            func mmc(_ queriesPerSecond: Double, _ seconds: Double, _ queries: Double, _ servers: Int, _ node: String) -> Double {
                guard queriesPerSecond > 0, queries > 0, seconds > 0 else { return 1 }
                let s = seconds / queries
                guard let q = try? MMcQueue(arrivalRatePerSecond: queriesPerSecond, meanServiceSeconds: s, servers: servers) else {
                    notes.append("database \(node) is overloaded: pool hold times use uncontended query times")
                    return 1
                }
                return q.meanResponseSeconds / s
            }
            if !primaryUncontended {
                dbStretch.primary = mmc(rate * total.primaryQueries, total.primarySeconds, total.primaryQueries, db.cores, "primary")
            }
            if db.replicas > 0 && !replicaUncontended {
                dbStretch.replica = mmc(rate * total.replicaQueries / Double(db.replicas), total.replicaSeconds,
                                        total.replicaQueries, db.replicaCores, "replicas")
            }
        }
        let held = dbStretch == DatabaseStretch() ? demands : WebDemands.compute(model, requestRate: rate, stretch: dbStretch)
        var heldTotal = held.synchronous
        heldTotal.add(held.asynchronous, times: 1)
        if dbStretch.primary > 1.001 || dbStretch.replica > 1.001 {
            notes.append("pool hold times include queries sharing the database cores: each query takes \(formatSignificant(dbStretch.primary, digits: 3))x its service time on the primary\(model.database.map { $0.replicas > 0 } == true ? " and \(formatSignificant(dbStretch.replica, digits: 3))x on a replica" : "") (\(kind == .open ? "M/M/c response / service" : "MVA residence / demand"))")
        }
        var resources: [Analysis.Resource] = []
        /// `demand`: intrinsic (uncontended) seconds per request, for bounds and the bottleneck;
        /// `occupied`: seconds actually held per request at this load (connection holds stretched
        /// by database sharing), for the utilization.
        let isClosed = kind == .closed
        func add(_ kind: String, _ name: String, servers: Int, demand: Double, occupied: Double? = nil) {
            guard servers > 0 else { return }
            var u = rate * (occupied ?? demand) / Double(servers)
            // A closed population bounds the occupancy: beyond the servers, requests queue.
            if isClosed { u = min(1, u) }
            resources.append(Analysis.Resource(
                id: "\(kind).\(name)", kind: kind, name: name, servers: servers, demandSeconds: demand,
                utilization: model.workload == nil ? nil : u,
                maxThroughputPerSecond: demand > 0 ? Double(servers) / demand : nil))
        }
        let inst = model.instances
        add("workers", "instances", servers: inst.count * inst.workers, demand: perRequest.cpuSeconds)
        for pool in model.pools {
            add("pool", pool.name, servers: pool.totalConnections(instances: inst.count),
                demand: total.poolHoldSeconds[pool.name] ?? 0, occupied: heldTotal.poolHoldSeconds[pool.name] ?? 0)
        }
        for pooler in model.poolers where pooler.mode == .transaction {
            let via = model.pools.filter { $0.via == pooler.name }
            add("pooler", pooler.name, servers: pooler.serverConnections,
                demand: via.reduce(0) { $0 + (total.poolHoldSeconds[$1.name] ?? 0) },
                occupied: via.reduce(0) { $0 + (heldTotal.poolHoldSeconds[$1.name] ?? 0) })
        }
        if model.poolers.contains(where: { $0.mode == .session }) {
            notes.append("session-mode poolers hold a server connection per open client connection: no Erlang C figure for them")
        }
        if let db = model.database {
            add("database", "primary", servers: db.cores, demand: total.primarySeconds)
            if db.replicas > 0 && db.readRouting != .primary {
                for i in 1...db.replicas {
                    add("database", "replica-\(i)", servers: db.replicaCores, demand: total.replicaSeconds / Double(db.replicas))
                }
            }
        }
        for cache in model.caches {
            guard let server = cache.server else { continue }
            // Lookups and fills are commands at the server: one server per instance, or one in all.
            let copies = cache.scope == .perInstance ? max(1, inst.count) : 1
            add("cache_server", cache.name, servers: server.servers * copies, demand: total.cacheServerSeconds(cache))
        }
        for q in model.jobQueues {
            let jobs = demands.jobsPerRequest[q.name] ?? 0
            add("job_workers", q.name, servers: q.workers, demand: jobs * (demands.jobProfiles[q.name]?.latencySeconds ?? 0),
                occupied: jobs * (held.jobProfiles[q.name]?.latencySeconds ?? 0))
        }

        // Erlang C per pool and pooler.
        var pools: [Analysis.PoolQueue] = []
        for pool in model.pools {
            let copies = pool.scope == .perInstance ? max(1, inst.count) : 1
            pools.append(poolQueue(name: pool.name, kind: "pool", copies: copies, connections: pool.size,
                                   acquisitions: rate * (heldTotal.poolAcquires[pool.name] ?? 0),
                                   holdPerRequest: heldTotal.poolHoldSeconds[pool.name] ?? 0,
                                   acquiresPerRequest: heldTotal.poolAcquires[pool.name] ?? 0,
                                   timeout: pool.acquireTimeoutSeconds, closed: kind == .closed))
        }
        for pooler in model.poolers where pooler.mode == .transaction {
            let via = model.pools.filter { $0.via == pooler.name }
            let acquires = via.reduce(0) { $0 + (heldTotal.poolAcquires[$1.name] ?? 0) }
            let hold = via.reduce(0) { $0 + (heldTotal.poolHoldSeconds[$1.name] ?? 0) }
            pools.append(poolQueue(name: pooler.name, kind: "pooler", copies: 1, connections: pooler.serverConnections,
                                   acquisitions: rate * acquires, holdPerRequest: hold, acquiresPerRequest: acquires,
                                   timeout: pooler.queryWaitTimeoutSeconds, closed: kind == .closed))
        }
        let timed = pools.filter { $0.method == "M/M/c+D" }
        if !timed.isEmpty {
            notes.append("\(timed.map { "`\($0.name)`" }.joined(separator: ", ")): waiters give up after a constant timeout: M/M/c+D (exact for exponential holds), with carried utilization and throughput; the load the timed-out requests would have put downstream is not removed")
        }

        var endpoints: [Analysis.EndpointDemand] = []
        for (name, weight, p) in demands.endpoints {
            var latency: Double? = nil
            if kind == .closed, closedSolution?.atUsers != nil {
                latency = p.cpuSeconds * stretch.cpu + p.primarySeconds * stretch.primary
                    + p.replicaSeconds * stretch.replica + p.delaySeconds
            }
            endpoints.append(Analysis.EndpointDemand(
                name: name, weight: weight, cpuSeconds: p.cpuSeconds, databaseSeconds: p.databaseSeconds,
                delaySeconds: p.delaySeconds,
                poolHolds: p.poolHoldSeconds.sorted { $0.key < $1.key }.map { Analysis.PoolHold(pool: $0.key, seconds: $0.value) },
                queriesPerRequest: p.primaryQueries + p.replicaQueries,
                uncontendedLatencySeconds: p.latencySeconds,
                throughputPerSecond: model.workload == nil ? nil : rate * weight, meanLatencySeconds: latency))
        }

        // Overload warnings: open loads only (a closed load cannot exceed capacity).
        if kind == .open {
            for r in resources where r.demandSeconds > 0 {
                let uMean = r.utilization ?? meanRate * r.demandSeconds / Double(r.servers)
                let uPeak = meanRate > 0 ? uMean * peakRate / meanRate : peakRate * r.demandSeconds / Double(r.servers)
                let queue = (r.kind == "pool" || r.kind == "pooler") ? pools.first { $0.kind == r.kind && $0.name == r.name } : nil
                if let queue, queue.method == "M/M/c+D", let timeout = queue.acquireTimeoutSeconds {
                    // Waiters give up after the timeout: the queue stays bounded, the excess fails.
                    if uMean >= 1 {
                        warnings.append("open load overloads \(describe(r)): offered utilization \(formatFraction(uMean)) (>= 1) at \(formatRate(meanRate)); waiters give up after the \(formatDuration(timeout)) \(r.kind == "pool" ? "acquire timeout" : "query_wait_timeout"), so the queue stays bounded and, by M/M/c+D, \(formatPercent(queue.probabilityOfTimeout ?? 0)) of acquisitions time out (carried utilization \(formatFraction(queue.utilization)))")
                    } else if uPeak >= 1 {
                        warnings.append("open load overloads \(describe(r)) at its peak rate \(formatRate(peakRate)): offered utilization \(formatFraction(uPeak)) (>= 1); mean over the phases \(formatFraction(uMean)); at the peak, waiters give up after the \(formatDuration(timeout)) timeout and acquisitions fail")
                    }
                    continue
                }
                if uMean >= 1 {
                    // A pool's utilization counts its holds as stretched by the database at this
                    // load; c / D counts them uncontended. Where the two differ, say both, or the
                    // pool would seem to saturate above a load it cannot carry.
                    let uncontended = r.maxThroughputPerSecond ?? 0
                    let carried = meanRate / uMean
                    let saturation = abs(carried - uncontended) > 1e-6 * uncontended
                        ? "with its holds stretched by the database at this load it carries at most \(formatRate(carried)) (\(formatRate(uncontended)) with uncontended holds)"
                        : "it saturates at \(formatRate(uncontended))"
                    warnings.append("open load overloads \(describe(r)): analytic utilization \(formatFraction(uMean)) (>= 1) at \(formatRate(meanRate)); \(saturation) and the backlog grows for as long as the load lasts (simulated as a what-if)")
                } else if uPeak >= 1 {
                    warnings.append("open load overloads \(describe(r)) at its peak rate \(formatRate(peakRate)): analytic utilization \(formatFraction(uPeak)) (>= 1); mean over the phases \(formatFraction(uMean))")
                }
            }
        }

        let r0 = perRequest.latencySeconds
        let bounds = boundsFor(resources: resources, minResponse: r0, users: users, think: think)
        return Analysis(
            modelName: model.name, sourcePath: model.sourcePath, workload: kind,
            arrivalRatePerSecond: kind == .open ? meanRate : nil,
            peakArrivalRatePerSecond: kind == .open ? peakRate : nil,
            users: users, thinkTimeSeconds: think,
            throughputPerSecond: model.workload == nil ? nil : rate,
            responseSeconds: closedSolution?.atUsers?.responseTimeSeconds,
            resources: resources, bottleneck: bottleneckOf(resources), bounds: bounds, pools: pools,
            endpoints: endpoints,
            cacheHitRatios: model.caches.map { c in
                Analysis.CacheHitRatio(cache: c.name, hitRatio: demands.hitRatios[c.name] ?? 0,
                                       estimated: demands.estimatedCaches.contains(c.name))
            }, mva: closedSolution?.curve ?? [],
            stations: [], network: nil, warnings: warnings, notes: notes)
    }

    /// The most queries that can be active on one database node at once: every pool's
    /// connections (a transaction-mode pooler caps the pools behind it at its server
    /// connections), capped by the database's `max_connections`.
    package func connectionsReachingDatabase() -> Int {
        let instances = model.instances.count
        var direct = 0
        var behind: [String: Int] = [:]
        for pool in model.pools {
            let n = pool.totalConnections(instances: instances)
            if let via = pool.via, model.poolers.contains(where: { $0.name == via && $0.mode == .transaction }) {
                behind[via, default: 0] += n
            } else {
                direct += n
            }
        }
        for pooler in model.poolers where pooler.mode == .transaction {
            direct += min(behind[pooler.name] ?? 0, pooler.serverConnections)
        }
        return min(direct, model.database?.maxConnections ?? direct)
    }

    package func describe(_ r: Analysis.Resource) -> String {
        switch r.kind {
        case "workers": return "the instance workers (\(r.servers) in all)"
        case "pool": return "pool `\(r.name)` (\(r.servers) connections in all)"
        case "pooler": return "pooler `\(r.name)` (\(r.servers) server connections)"
        case "database": return "database \(r.name) (\(r.servers) cores)"
        case "job_workers": return "job queue `\(r.name)` (\(r.servers) workers)"
        default: return "`\(r.id)`"
        }
    }

    /// Erlang C per copy, or M/M/c+D when waiters give up after a constant `timeout`.
    package func poolQueue(name: String, kind: String, copies: Int, connections: Int, acquisitions: Double,
                   holdPerRequest: Double, acquiresPerRequest: Double, timeout: Double?, closed: Bool) -> Analysis.PoolQueue {
        let meanHold = acquiresPerRequest > 0 ? holdPerRequest / acquiresPerRequest : 0
        let offered = acquisitions * meanHold
        let total = Double(copies * connections)
        let utilization = connections > 0 ? offered / total : 0
        var q = Analysis.PoolQueue(name: name, kind: kind, copies: copies, connectionsPerCopy: connections,
                                   acquisitionsPerSecond: acquisitions, meanHoldSeconds: meanHold,
                                   offeredLoadErlangs: offered, utilization: utilization)
        if closed {
            // Little's law on the MVA solution: requests needing a connection = X x acquisitions x hold;
            // those beyond the pool's connections wait for one (the population bounds the queue).
            q.method = "Little"
            q.utilization = min(1, utilization)
            q.meanInUse = min(offered, total)
            q.meanWaiting = max(0, offered - total)
            q.meanWaitSeconds = acquisitions > 0 ? q.meanWaiting! / acquisitions : 0
            return q
        }
        if acquisitions == 0 || meanHold == 0 {
            q.probabilityOfWaiting = 0; q.meanWaitSeconds = 0; q.meanWaiting = 0
            q.probabilityOfTimeout = 0; q.carriedAcquisitionsPerSecond = acquisitions; q.meanInUse = 0
            return q
        }
        let perCopy = acquisitions / Double(copies)
        if let timeout, let d = try? MMcDQueue(arrivalRatePerSecond: perCopy, meanServiceSeconds: meanHold,
                                               servers: connections, patienceSeconds: timeout) {
            q.method = "M/M/c+D"
            q.acquireTimeoutSeconds = timeout
            q.utilization = d.utilization
            q.probabilityOfWaiting = d.probabilityOfWaiting
            q.probabilityOfTimeout = d.probabilityOfAbandonment
            q.carriedAcquisitionsPerSecond = d.servedThroughputPerSecond * Double(copies)
            q.meanInUse = d.meanBusyServers * Double(copies)
            q.meanWaitSeconds = d.meanWaitOfServedSeconds
            q.meanWaiting = d.meanQueueLength * Double(copies)
        } else if utilization < 1,
                  let m = try? MMcQueue(arrivalRatePerSecond: perCopy, meanServiceSeconds: meanHold, servers: connections) {
            q.probabilityOfWaiting = m.probabilityOfWaiting
            q.probabilityOfTimeout = 0
            q.carriedAcquisitionsPerSecond = acquisitions
            q.meanInUse = offered
            q.meanWaitSeconds = m.meanWaitSeconds
            q.meanWaiting = m.meanQueueLength * Double(copies)
        }
        return q
    }

    package struct WebClosedNetwork {
        var network: ClosedNetwork
        var instanceStations: [Int]
        var primary: Int?
        var replicas: [Int]
        var demands: Profile

        /// Residence per unit demand, per resource kind.
        func stretch(_ r: ClosedNetworkResult) -> (cpu: Double, primary: Double, replica: Double) {
            func ratio(_ idx: [Int], _ d: Double) -> Double {
                guard d > 0 else { return 1 }
                return idx.reduce(0) { $0 + r.residenceTimesSeconds[$1] } / d
            }
            return (ratio(instanceStations, demands.cpuSeconds),
                    ratio(primary.map { [$0] } ?? [], demands.primarySeconds),
                    ratio(replicas, demands.replicaSeconds))
        }
    }

    package func closedNetwork(_ p: Profile, think: Double) -> WebClosedNetwork? {
        var stations: [ClosedStation] = []
        func kind(_ c: Int) -> ClosedStationKind { c <= 1 ? .queueing : .multiServer(servers: c) }
        var instanceIdx: [Int] = []
        let n = max(1, model.instances.count)
        for i in 0..<n {
            instanceIdx.append(stations.count)
            stations.append(ClosedStation(name: "instance-\(i + 1)", kind: kind(model.instances.workers),
                                          serviceDemandSeconds: p.cpuSeconds / Double(n)))
        }
        var primary: Int? = nil
        var replicas: [Int] = []
        if let db = model.database {
            primary = stations.count
            stations.append(ClosedStation(name: "database.primary", kind: kind(db.cores), serviceDemandSeconds: p.primarySeconds))
            if db.replicas > 0 && db.readRouting != .primary {
                for i in 1...db.replicas {
                    replicas.append(stations.count)
                    stations.append(ClosedStation(name: "database.replica-\(i)", kind: kind(db.replicaCores),
                                                  serviceDemandSeconds: p.replicaSeconds / Double(db.replicas)))
                }
            }
        }
        // A cache server (`server:`) queues its commands: a multi-server station per copy (one per
        // instance for a per-instance cache), its lookups' and fills' time taken out of the delay.
        var delay = p.delaySeconds
        for cache in model.caches {
            guard let server = cache.server else { continue }
            let demand = p.cacheServerSeconds(cache)
            guard demand > 0 else { continue }
            delay -= demand
            let copies = cache.scope == .perInstance ? n : 1
            for c in 0..<copies {
                stations.append(ClosedStation(name: "cache_server.\(cache.name)" + (copies == 1 ? "" : "-\(c + 1)"),
                                              kind: kind(server.servers), serviceDemandSeconds: demand / Double(copies)))
            }
        }
        stations.append(ClosedStation(name: "delay", kind: .delay, serviceDemandSeconds: max(0, delay)))
        guard let net = try? ClosedNetwork(stations: stations, thinkTimeSeconds: think) else { return nil }
        return WebClosedNetwork(network: net, instanceStations: instanceIdx, primary: primary, replicas: replicas, demands: p)
    }
}
