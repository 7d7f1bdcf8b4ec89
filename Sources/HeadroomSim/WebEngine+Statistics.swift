// Statistics: per-endpoint tallies, restarting every statistic at the end of the warm-up, the
// timeline's samples, and the result read at the horizon.

import HeadroomKernel
import HeadroomModel

extension WebEngine {
    struct EndpointTally {
        var attempts = 0, succeeded = 0, timeouts = 0, errors = 0, rateLimited = 0, retries = 0
        var latency = LatencyRecorder()
    }

    // MARK: Statistics

    mutating func restartStatistics() {
        statisticsStart = now
        tallies = Slab(repeating: EndpointTally(), count: tallies.count)
        for i in pools.indices { pools[i].restartStatistics(atSeconds: now) }
        for i in poolers.indices { poolers[i].restartStatistics(atSeconds: now) }
        for i in poolTotalInUse.indices { poolTotalInUse[i].restart(atSeconds: now) }
        for i in poolOpenTotal.indices { poolOpenTotal[i].restart(atSeconds: now) }
        poolOpened = Slab(repeating: 0, count: poolOpened.count)
        poolIdleClosed = Slab(repeating: 0, count: poolIdleClosed.count)
        for i in databaseNodes.indices { databaseNodes[i].restartStatistics(atSeconds: now) }
        for i in workers.indices { workers[i].restartStatistics(atSeconds: now) }
        for i in jobWorkers.indices { jobWorkers[i].restartStatistics(atSeconds: now) }
        databaseOpen.restart(atSeconds: now)
        poolWaits = Slab(repeating: LatencyRecorder(), count: poolWaits.count)
        poolerWaits = Slab(repeating: LatencyRecorder(), count: poolerWaits.count)
        poolTimeouts = Slab(repeating: 0, count: poolTimeouts.count)
        poolRefused = Slab(repeating: 0, count: poolRefused.count)
        poolerTimeouts = Slab(repeating: 0, count: poolerTimeouts.count)
        databaseQueries = Slab(repeating: 0, count: databaseQueries.count)
        databaseRefused = 0
        failedQueries = 0
        cacheLookups = Slab(repeating: 0, count: cacheLookups.count)
        for i in cacheServers.indices { cacheServers[i].restartStatistics(atSeconds: now) }
        cacheServerWaits = Slab(repeating: LatencyRecorder(), count: cacheServerWaits.count)
        for i in cacheConnections.indices { cacheConnections[i].restartStatistics(atSeconds: now) }
        cacheConnectionWaits = Slab(repeating: SummaryStatistics(), count: cacheConnectionWaits.count)
        cacheConnectionTimeouts = Slab(repeating: 0, count: cacheConnectionTimeouts.count)
        cacheHits = Slab(repeating: 0, count: cacheHits.count)
        cacheCoalesced = Slab(repeating: 0, count: cacheCoalesced.count)
        jobEnqueued = Slab(repeating: 0, count: jobEnqueued.count)
        jobCompleted = Slab(repeating: 0, count: jobCompleted.count)
        jobFailed = Slab(repeating: 0, count: jobFailed.count)
        jobLatency = Slab(repeating: LatencyRecorder(), count: jobLatency.count)
        orphanedWrites = 0
        overloadRejections = 0
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
            var result = CacheResult(name: cache.name, lookups: cacheLookups[i], hits: cacheHits[i], coalescedMisses: cacheCoalesced[i])
            if let server = cache.server {
                let slots = cache.scope == .perInstance ? instanceCount : 1
                let busy = (0..<slots).reduce(0.0) { $0 + cacheServers[i * instanceCount + $1].inUse.mean(atSeconds: now) }
                result.serverUtilization = busy / Double(server.servers * slots)
                result.serverWaits = cacheServerWaits[i]
                if let connections = server.connectionsPerInstance {
                    let inUse = (0..<instanceCount).reduce(0.0) { $0 + cacheConnections[i * instanceCount + $1].inUse.mean(atSeconds: now) }
                    result.connectionUtilization = inUse / Double(connections * instanceCount)
                    result.connectionMeanWaitSeconds = cacheConnectionWaits[i].count > 0 ? cacheConnectionWaits[i].mean : 0
                    if server.connectionTimeoutSeconds != nil { result.connectionTimeouts = cacheConnectionTimeouts[i] }
                }
            }
            return result
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
                               network: nil, eventsProcessed: eventsProcessed, timeline: timeline,
                               overloadRejections: overloadRejections)
    }

    /// A progress tick: tells `progress` the share of the horizon done and schedules the next.
    /// It is not one of the model's events, so it does not count in `eventsProcessed`.
    mutating func progressTick() {
        eventsProcessed -= 1
        progress?(min(1, now / horizonSeconds))
        let next = now + horizonSeconds / Double(WebEngine.progressTicks)
        if next < horizonSeconds { schedule(.progressTick, 0, at: next) }
    }
}
