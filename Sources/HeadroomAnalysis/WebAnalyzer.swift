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
        var closedPool: ClosedPoolSolution? = nil
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
            if let n = users, let cp = solveClosedPool(demands.synchronous, users: n, think: think ?? 0) {
                closedPool = cp
                rate = cp.throughputPerSecond
                let p = demands.synchronous
                let atDatabase = p.primarySeconds + p.replicaSeconds
                if atDatabase > 0 { stretch.primary = cp.poolResidenceSeconds / atDatabase; stretch.replica = stretch.primary }
                if p.cpuSeconds > 0 { stretch.cpu = max(1, (cp.responseSeconds - cp.poolResidenceSeconds - p.delaySeconds) / p.cpuSeconds) }
                notes.append(cp.note)
            }
            if closedPool == nil { notes.append("closed workload: exact MVA over instance workers (multi-server), database nodes (load-dependent, one server per core), cache servers (multi-server, one per thread) and a delay for calls, sleeps and lookups of caches without a server, with think time \(formatDuration(think ?? 0)); pools are passive resources and are left out of MVA: their figures follow from Little's law on the MVA solution (requests needing a connection = throughput x acquisitions x hold; beyond the pool size they wait)") }
        }
        let limited = demands.passFractions.filter { $0.value < 1 }.sorted { $0.key < $1.key }
        if !limited.isEmpty {
            notes.append("rate limiters let through at most " + limited.map { "\(formatPercent($0.value)) of `\($0.key)`" }.joined(separator: ", ")
                + " (their rate per key and copy, the fluid bound): the demands downstream are of that carried load")
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
        if let db = model.database, primaryUncontended, model.database.map({ $0.contention == 0 && $0.coherency == 0 }) ?? true {
            notes.append("at most \(reaching) queries can be active at once (the connections of every pool and pooler, capped by max_connections): no more than the primary's \(db.cores) cores\(db.replicas > 0 ? (replicaUncontended ? " and a replica's \(db.replicaCores)" : "") : ""), so queries never queue for a core there and connection holds are not stretched")
        }
        // Open loads: the pools and the database they share solved together; the holds are
        // stretched by the residence at each node that solution gives.
        let joint = kind == .open ? PoolDatabaseSolution.solve(model: model, rate: rate, total: total) : nil
        if let cp = closedPool {
            dbStretch = DatabaseStretch(primary: cp.holdStretch, replica: cp.holdStretch)
        } else if kind == .closed {
            dbStretch = DatabaseStretch(primary: primaryUncontended ? 1 : stretch.primary,
                                        replica: replicaUncontended ? 1 : stretch.replica)
        } else if let joint {
            dbStretch = joint.stretch
            notes.append(contentsOf: joint.notes)
        }
        let held = dbStretch == DatabaseStretch() ? demands : WebDemands.compute(model, requestRate: rate, stretch: dbStretch)
        var heldTotal = held.synchronous
        heldTotal.add(held.asynchronous, times: 1)
        if dbStretch.primary > 1.001 || dbStretch.replica > 1.001 {
            notes.append("pool hold times include queries sharing the database cores: each query takes \(formatSignificant(dbStretch.primary, digits: 3))x its service time on the primary\(model.database.map { $0.replicas > 0 } == true ? " and \(formatSignificant(dbStretch.replica, digits: 3))x on a replica" : "") (\(kind == .open ? "residence at the node in the joint solution of pools and database / service" : "MVA residence / demand"))")
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
        add("workers", "instances", servers: inst.count * inst.workers, demand: perRequest.cpuSeconds * instanceSlowness)
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
        if let joint {
            // A pool's utilization is what the joint solution carries (connections held / size),
            // or, past what a full pool releases, the offered acquisitions over that rate (>= 1).
            for i in resources.indices where resources[i].kind == "pool" || resources[i].kind == "pooler" {
                guard let f = joint.pools["\(resources[i].kind).\(resources[i].name)"] else { continue }
                if let m = f.metastable {
                    resources[i].utilization = f.queue.utilization
                    warnings.append("\(describe(resources[i])) is metastable at \(formatRate(meanRate)): from an empty pool it settles at \(formatPercent(f.queue.utilization)) busy, but with every connection held the database (its contention and coherency) releases only \(formatRate(m.fullPoolReleasePerSecond)) acquisitions, fewer than the \(formatRate(f.queue.acquisitionsPerSecond)) offered: a burst of more than \(m.barrier) holders\(f.queue.copies > 1 ? " (all instances together)" : "") tips it into a collapse it never leaves without an acquire timeout (expected within about \(formatDuration(m.secondsToCollapse)) at this load, the rate at which the holders cross \(m.barrier); sooner under bursts). A smaller pool keeps the database below that concurrency")
                    continue
                }
                resources[i].utilization = f.offeredUtilization >= 1 ? f.offeredUtilization : f.queue.utilization
            }
        }
        if let cp = closedPool, let i = resources.firstIndex(where: { $0.id == "pool.\(cp.queue.name)" }) {
            resources[i].utilization = cp.queue.utilization
        }
        if model.poolers.contains(where: { $0.mode == .session }) {
            notes.append("session-mode poolers hold a server connection per open client connection: no Erlang C figure for them")
        }
        if let db = model.database {
            add("database", "primary", servers: db.cores, demand: total.primarySeconds / speed(ofHost: db.host))
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
        for upstream in model.upstreams {
            add("upstream", upstream.name, servers: upstream.servers, demand: total.upstreamServerSeconds(upstream))
        }
        let cpu = cpuResources(total: total)
        for r in cpu.resources { add(r.kind, r.name, servers: r.servers, demand: r.demandSeconds) }
        notes.append(contentsOf: cpu.notes)
        for q in model.jobQueues {
            let jobs = demands.jobsPerRequest[q.name] ?? 0
            add("job_workers", q.name, servers: q.workers, demand: jobs * (demands.jobProfiles[q.name]?.latencySeconds ?? 0),
                occupied: jobs * (held.jobProfiles[q.name]?.latencySeconds ?? 0))
        }

        // Erlang C per pool and pooler.
        var pools: [Analysis.PoolQueue] = []
        for pool in model.pools {
            let copies = pool.scope == .perInstance ? max(1, inst.count) : 1
            if let f = joint?.pools["pool.\(pool.name)"] { pools.append(f.queue); continue }
            if let cp = closedPool, cp.queue.name == pool.name { pools.append(cp.queue); continue }
            if let joint, let via = pool.via, let pooler = joint.pools["pooler.\(via)"]?.queue {
                // Behind a transaction-mode pooler a client connection is held for the pooler's
                // wait and its server connection's hold.
                let acquires = heldTotal.poolAcquires[pool.name] ?? 0
                let hold = (pooler.meanWaitSeconds ?? 0) + pooler.meanHoldSeconds
                pools.append(poolQueue(name: pool.name, kind: "pool", copies: copies, connections: pool.size,
                                       acquisitions: rate * acquires, holdPerRequest: acquires * hold, acquiresPerRequest: acquires,
                                       timeout: pool.acquireTimeoutSeconds, closed: false))
                if let i = resources.firstIndex(where: { $0.id == "pool.\(pool.name)" }) {
                    resources[i].utilization = rate * acquires * hold / Double(max(1, resources[i].servers))
                }
                continue
            }
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
            if let f = joint?.pools["pooler.\(pooler.name)"] { pools.append(f.queue); continue }
            pools.append(poolQueue(name: pooler.name, kind: "pooler", copies: 1, connections: pooler.serverConnections,
                                   acquisitions: rate * acquires, holdPerRequest: hold, acquiresPerRequest: acquires,
                                   timeout: pooler.queryWaitTimeoutSeconds, closed: kind == .closed))
        }
        // Each instance's client pool to an upstream, solved like a database pool: Erlang C (or
        // M/M/c+D with an acquire timeout) per instance, the hold being the wire plus the wait
        // and the service at the upstream, whose wait is M/M/c's (Erlang C) at the calls' rate.
        for upstream in model.upstreams {
            guard let perInstance = upstream.connectionsPerInstance else { continue }
            let calls = total.upstreamCalls[upstream.name] ?? 0
            let callRate = rate * calls
            var upstreamWait = 0.0
            if kind == .open, callRate > 0,
               let q = try? MMcQueue(arrivalRatePerSecond: callRate, meanServiceSeconds: upstream.time.mean, servers: upstream.servers) {
                upstreamWait = q.meanWaitSeconds
            }
            let hold = (upstream.roundTrip?.mean ?? 0) + upstreamWait + upstream.time.mean
            pools.append(poolQueue(name: upstream.name, kind: "upstream", copies: max(1, inst.count), connections: perInstance,
                                   acquisitions: callRate, holdPerRequest: calls * hold, acquiresPerRequest: calls,
                                   timeout: upstream.acquireTimeoutSeconds, closed: kind == .closed))
        }
        if !model.upstreams.isEmpty {
            notes.append("upstreams: each is an M/M/c station (Erlang C) of its servers; each instance's client pool to it an Erlang C pool whose hold is the round trip plus the upstream's wait and time; the client's timeout and error answers are not taken off the load")
        }
        let timed = pools.filter { $0.method == "M/M/c+D" }
        if !timed.isEmpty {
            notes.append("\(timed.map { "`\($0.name)`" }.joined(separator: ", ")): waiters give up after a constant timeout: M/M/c+D (exact for exponential holds), with carried utilization and throughput; the load the timed-out requests would have put downstream is not removed")
        }

        var endpoints: [Analysis.EndpointDemand] = []
        for (name, weight, p) in demands.endpoints {
            var latency: Double? = nil
            if kind == .closed, closedSolution?.atUsers != nil || closedPool != nil {
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
            // A phased load's pools are solved again at the peak rate: their utilization is not
            // linear in the load (the database stretches the holds, timeouts cap what is carried).
            let jointAtPeak = joint != nil && peakRate > meanRate * (1 + 1e-9) ? PoolDatabaseSolution.solve(model: model, rate: peakRate, total: total) : nil
            for r in resources where r.demandSeconds > 0 && r.kind != "threads" {
                let uMean = r.utilization ?? meanRate * r.demandSeconds / Double(r.servers)
                var uPeak = meanRate > 0 ? uMean * peakRate / meanRate : peakRate * r.demandSeconds / Double(r.servers)
                let atPeak = jointAtPeak?.pools["\(r.kind).\(r.name)"]
                if let atPeak { uPeak = atPeak.metastable == nil ? max(atPeak.offeredUtilization, atPeak.queue.utilization) : atPeak.queue.utilization }
                let queue = (r.kind == "pool" || r.kind == "pooler") ? pools.first { $0.kind == r.kind && $0.name == r.name } : nil
                if let queue, queue.method == "M/M/c+D" || queue.method == "pool+database", let timeout = queue.acquireTimeoutSeconds {
                    // Waiters give up after the timeout: the queue stays bounded, the excess fails.
                    if uMean >= 1 {
                        warnings.append("open load overloads \(describe(r)): offered utilization \(formatFraction(uMean)) (>= 1) at \(formatRate(meanRate)); waiters give up after the \(formatDuration(timeout)) \(r.kind == "pool" ? "acquire timeout" : "query_wait_timeout"), so the queue stays bounded and, by \(queue.method == "M/M/c+D" ? "M/M/c+D" : "the joint solution of pool and database"), \(formatPercent(queue.probabilityOfTimeout ?? 0)) of acquisitions time out (carried utilization \(formatFraction(queue.utilization)))")
                    } else if uPeak >= 1 {
                        warnings.append("open load overloads \(describe(r)) at its peak rate \(formatRate(peakRate)): offered utilization \(formatFraction(uPeak)) (>= 1); mean over the phases \(formatFraction(uMean)); at the peak, waiters give up after the \(formatDuration(timeout)) timeout and acquisitions fail"
                            + (atPeak.map { ", by the joint solution of pool and database at that rate \(formatPercent($0.queue.probabilityOfTimeout ?? 0)) of them (if the peak lasts)" } ?? ""))
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

        // Request threads, held for the whole response (WebAnalyzer+Threads).
        var threadPool: Analysis.ThreadPool? = nil
        if let t = inst.threads, model.workload != nil {
            let pool = threads(t, rate: rate, heldLatencySeconds: held.synchronous.latencySeconds, pools: pools,
                               resources: resources, closed: kind == .closed)
            threadPool = pool
            resources.append(Analysis.Resource(
                id: "threads.instances", kind: "threads", name: "instances", servers: max(1, inst.count) * t.perInstance,
                demandSeconds: perRequest.latencySeconds, utilization: pool.utilization,
                maxThroughputPerSecond: perRequest.latencySeconds > 0 ? Double(max(1, inst.count) * t.perInstance) / perRequest.latencySeconds : nil))
            notes.append(threadsNote(pool))
            if let w = threadsWarning(pool, rate: rate) { warnings.append(w) }
        }

        let r0 = perRequest.latencySeconds
        let bounds = boundsFor(resources: resources, minResponse: r0, users: users, think: think)
        var analysis = Analysis(
            modelName: model.name, sourcePath: model.sourcePath, workload: kind,
            arrivalRatePerSecond: kind == .open ? meanRate : nil,
            peakArrivalRatePerSecond: kind == .open ? peakRate : nil,
            users: users, thinkTimeSeconds: think,
            throughputPerSecond: model.workload == nil ? nil : rate,
            responseSeconds: closedPool?.responseSeconds ?? closedSolution?.atUsers?.responseTimeSeconds,
            resources: resources, bottleneck: bottleneckOf(resources), bounds: bounds, pools: pools,
            endpoints: endpoints,
            cacheHitRatios: model.caches.map { c in
                Analysis.CacheHitRatio(cache: c.name, hitRatio: demands.hitRatios[c.name] ?? 0,
                                       estimated: demands.estimatedCaches.contains(c.name))
            }, mva: closedPool?.curve ?? closedSolution?.curve ?? [],
            stations: [], network: nil, warnings: warnings, notes: notes)
        analysis.threads = threadPool
        analysis.figureAccuracy = figureAccuracy(analysis, stretched: dbStretch.primary > 1.000001 || dbStretch.replica > 1.000001,
                                                 metastable: Set(joint?.pools.filter { $0.value.metastable != nil }.map(\.key) ?? []),
                                                 closedPoolExact: closedPool.map(\.exact))
        return analysis
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
        case "upstream": return "upstream `\(r.name)` (\(r.servers) servers)"
        case "threads": return "the request threads (\(r.servers) in all)"
        case "host": return "host `\(r.name)` (\(r.servers) cores)"
        case "pooler_thread": return "pooler `\(r.name)`'s thread (one core)"
        case "cpu_limit": return "the instances' CPU limit"
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
        // An upstream queues its calls the same way: one multi-server station (its servers).
        for upstream in model.upstreams {
            let demand = p.upstreamServerSeconds(upstream)
            guard demand > 0 else { continue }
            delay -= demand
            stations.append(ClosedStation(name: "upstream.\(upstream.name)", kind: kind(upstream.servers), serviceDemandSeconds: demand))
        }
        stations.append(ClosedStation(name: "delay", kind: .delay, serviceDemandSeconds: max(0, delay)))
        guard let net = try? ClosedNetwork(stations: stations, thinkTimeSeconds: think) else { return nil }
        return WebClosedNetwork(network: net, instanceStations: instanceIdx, primary: primary, replicas: replicas, demands: p)
    }
}

// MARK: - Pools and the database, solved together

/// Every pool whose holders reach the database, solved jointly with it (issue 19): a pool's
/// holders are the only source of database concurrency, so the pool and the database are one
/// closed subnetwork: its flow-equivalent server (exact convolution over the nodes' cores, with
/// processor sharing, contention and coherency, plus the time a holder keeps the connection
/// outside the database) is the release rate of a birth-death pool with the acquire timeout
/// (`Queueing.SharedDatabasePools`). A transaction-mode pooler is the group that holds server
/// connections; the app pools behind it hold a client connection for the pooler's wait plus its
/// hold (constant holds, M/M/c or M/M/c+D). Replaces the "database with unlimited concurrency"
/// stretch of the holds (an M/M/c response time), which let more queries share the cores than
/// the connections allow.
struct PoolDatabaseSolution {
    struct PoolFigures {
        var queue: Analysis.PoolQueue
        /// Offered acquisitions over what a full pool releases (>= 1: the queue grows without a timeout).
        var offeredUtilization: Double
        var overloaded: Bool
        /// Overloaded only past a barrier of holders (`PoolWithStateDependentRelease.metastableSecondsToCollapse`):
        /// the figures are the metastable state's.
        var metastable: (secondsToCollapse: Double, barrier: Int, fullPoolReleasePerSecond: Double)? = nil
    }
    var pools: [String: PoolFigures] = [:]     // key: "pool.NAME" or "pooler.NAME"
    var stretch = DatabaseStretch()
    /// Analysis notes on the method and its approximations.
    var notes: [String] = []

    /// nil when no pool reaches a database with a positive demand (then nothing changes).
    static func solve(model: Model, rate: Double, total: Profile) -> PoolDatabaseSolution? {
        guard rate > 0 else { return nil }
        let instances = max(1, model.instances.count)
        var nodes: [DatabaseNodeDemand] = []
        var replicaCount = 0
        if let db = model.database {
            nodes.append(DatabaseNodeDemand(cores: db.cores, contention: db.contention, coherency: db.coherency, demandSeconds: 0))
            if db.replicas > 0 && db.readRouting != .primary {
                replicaCount = db.replicas
                for _ in 0..<db.replicas {
                    nodes.append(DatabaseNodeDemand(cores: db.replicaCores, contention: db.contention, coherency: db.coherency, demandSeconds: 0))
                }
            }
        }
        func patience(_ mean: Double?, _ spec: DistributionSpec?) -> AcquirePatience {
            guard let mean else { return .none }
            switch spec {
            case let .uniform(a, b)?:
                return .distributed(survival: { x in x <= a ? 1 : x >= b ? 0 : (b - x) / (b - a) }, lower: a, upper: b)
            case let .exponential(m)?:
                return .distributed(survival: { x in exp(-x / m) }, lower: 0, upper: 40 * m)
            default:
                return .constant(mean)
            }
        }
        struct Entry { var key: String; var name: String; var kind: String; var copies: Int; var connections: Int
                       var acquisitions: Double; var hold: Double; var primary: Double; var replica: Double; var timeout: Double?
                       var patience: AcquirePatience }
        var entries: [Entry] = []
        let transactionPoolers = Set(model.poolers.filter { $0.mode == .transaction }.map(\.name))
        for pool in model.pools where !(pool.via.map { transactionPoolers.contains($0) } ?? false) {
            let acquires = total.poolAcquires[pool.name] ?? 0
            guard acquires > 0 else { continue }
            let copies = pool.scope == .perInstance ? instances : 1
            entries.append(Entry(key: "pool.\(pool.name)", name: pool.name, kind: "pool", copies: copies, connections: pool.size,
                                 acquisitions: rate * acquires, hold: (total.poolHoldSeconds[pool.name] ?? 0) / acquires,
                                 primary: (total.poolPrimarySeconds[pool.name] ?? 0) / acquires,
                                 replica: (total.poolReplicaSeconds[pool.name] ?? 0) / acquires,
                                 timeout: pool.acquireTimeoutSeconds, patience: patience(pool.acquireTimeoutSeconds, pool.acquireTimeout)))
        }
        for pooler in model.poolers where pooler.mode == .transaction {
            let via = model.pools.filter { $0.via == pooler.name }
            let acquires = via.reduce(0) { $0 + (total.poolAcquires[$1.name] ?? 0) }
            guard acquires > 0 else { continue }
            func sum(_ d: [String: Double]) -> Double { via.reduce(0) { $0 + (d[$1.name] ?? 0) } / acquires }
            entries.append(Entry(key: "pooler.\(pooler.name)", name: pooler.name, kind: "pooler", copies: 1,
                                 connections: pooler.serverConnections, acquisitions: rate * acquires,
                                 hold: sum(total.poolHoldSeconds), primary: sum(total.poolPrimarySeconds),
                                 replica: sum(total.poolReplicaSeconds), timeout: pooler.queryWaitTimeoutSeconds,
                                 patience: patience(pooler.queryWaitTimeoutSeconds, nil)))
        }
        guard !entries.isEmpty else { return nil }
        let balancing: CopyBalancing? = switch model.instances.balancer {
        case .roundRobin: .roundRobin
        case .random: .random
        default: nil
        }
        let groups = entries.map { e -> SharedDatabasePools.Group in
            var demands = [Double](repeating: 0, count: nodes.count)
            if !nodes.isEmpty { demands[0] = e.primary }
            for i in 0..<replicaCount { demands[1 + i] = e.replica / Double(replicaCount) }
            return SharedDatabasePools.Group(copies: e.copies, connectionsPerCopy: e.connections,
                                             acquisitionsPerSecondPerCopy: e.acquisitions / Double(e.copies),
                                             patience: e.patience, demandSecondsPerNode: demands,
                                             otherHoldSeconds: max(0, e.hold - e.primary - e.replica),
                                             balancing: e.copies > 1 ? balancing : nil)
        }
        guard let joint = try? SharedDatabasePools(nodes: nodes, groups: groups) else { return nil }
        var result = PoolDatabaseSolution()
        var residencePrimary = 0.0, demandPrimary = 0.0, residenceReplica = 0.0, demandReplica = 0.0
        for (e, s) in zip(entries, joint.solutions) {
            let p = s.pool
            let copies = Double(e.copies)
            var q = Analysis.PoolQueue(name: e.name, kind: e.kind, copies: e.copies, connectionsPerCopy: e.connections,
                                       acquisitionsPerSecond: e.acquisitions,
                                       meanHoldSeconds: p.carriedThroughputPerSecond > 0 ? p.meanHoldSeconds : e.hold,
                                       offeredLoadErlangs: 0, utilization: p.utilization)
            q.offeredLoadErlangs = e.acquisitions * q.meanHoldSeconds
            q.method = "pool+database"
            q.acquireTimeoutSeconds = e.timeout
            q.probabilityOfWaiting = p.probabilityOfWaiting
            q.probabilityOfTimeout = p.probabilityOfTimeout
            q.carriedAcquisitionsPerSecond = p.carriedThroughputPerSecond * copies
            q.meanInUse = p.meanHolders * copies
            q.meanWaitSeconds = p.meanWaitOfServedSeconds
            q.meanWaiting = p.meanWaiting.map { $0 * copies }
            if let chain = s.chain {
                q.probabilityOfWaiting = chain.probabilityOfWaiting
                q.meanWaitSeconds = chain.meanWaitSeconds
                q.meanWaiting = chain.meanWaiting * copies
            }
            // Offered acquisitions over a full pool's release rate; X(c) comes out of logarithms
            // (10/s on 10 connections held 1 s gives 0.9999999999999998), so a ratio within
            // rounding of 1 is 1: the load is at capacity, which is overload (the warning says ">= 1").
            var offered = (e.acquisitions / copies) / p.fullPoolReleaseRatePerSecond
            if abs(offered - 1) <= 1e-9 { offered = 1 }
            result.pools[e.key] = PoolFigures(queue: q, offeredUtilization: offered, overloaded: p.isOverloaded)
            if let t = s.pooled.metastableSecondsToCollapse, let b = s.pooled.metastableBarrier {
                result.pools[e.key]?.metastable = (t, b, s.pooled.fullPoolReleaseRatePerSecond)
            }
            let carried = p.carriedThroughputPerSecond * copies
            if !nodes.isEmpty {
                residencePrimary += carried * s.residenceSecondsPerNode[0]; demandPrimary += carried * e.primary
                for i in 0..<replicaCount {
                    residenceReplica += carried * s.residenceSecondsPerNode[1 + i]; demandReplica += carried * e.replica / Double(replicaCount)
                }
            }
        }
        if demandPrimary > 0 { result.stretch.primary = max(1, residencePrimary / demandPrimary) }
        if demandReplica > 0 { result.stretch.replica = max(1, residenceReplica / demandReplica) }
        let chainNote = "the instances' copies of a pool solved as one Markov chain, the database seeing the sum of their holders, "
            + (model.instances.balancer == .roundRobin
                ? "round robin as the turn it deals (acquisitions dealt one by one; a request's several queries make each copy's stream more regular still: the utilization errs low, the waits long)"
                : "random balancing a Poisson stream per copy")
        let chainCopies = joint.solutions.contains { $0.chain != nil }
        let pooledCopies = zip(entries, joint.solutions).contains { $0.0.copies > 1 && $0.1.chain == nil }
        let approximations = [entries.count > 1 ? "several pools share the database" : nil, chainCopies ? chainNote : nil,
                              pooledCopies ? "the instances' pools share the database as if they pooled their connections, then each waits for its own connections with those holds, fed by Poisson arrivals (round robin's are more regular: the waits err long)" : nil,
                              entries.contains { $0.hold > $0.primary + $0.replica + 1e-15 } ? "connections are also held outside the database" : nil].compactMap { $0 }
        let approximate = entries.count > 1 || entries.contains { $0.copies > 1 } || entries.contains { $0.hold > $0.primary + $0.replica + 1e-15 }
        result.notes.append("pools and the database solved together: each pool (a pooler's server connections) is a birth-death process whose holders release at the flow-equivalent rate of the database they share (exact convolution over its cores with processor sharing\(model.database.map { $0.contention > 0 || $0.coherency > 0 } == true ? ", contention and coherency" : ""), plus the time held outside it), with its acquire timeout; "
            + (approximate ? "an approximation here (\(approximations.joined(separator: "; "))); docs/analytic-accuracy.md gives its measured error"
                : "exact for exponential query times"))
        return result
    }
}
