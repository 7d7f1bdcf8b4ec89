// Statistics: per-endpoint tallies, restarting every statistic at the end of the warm-up, the
// timeline's samples, and the result read at the horizon.

import HeadroomKernel
import HeadroomModel

extension WebEngine {
    struct EndpointTally {
        var attempts = 0, succeeded = 0, timeouts = 0, errors = 0, rateLimited = 0, retries = 0, rejected = 0
        var latency = LatencyRecorder()
    }

    // MARK: Statistics

    /// The warm-up's end: every counter starts again (each component's table restarts its own);
    /// the state (requests in flight, connections held and open, cache contents) carries on.
    mutating func restartStatistics() {
        if timelineInterval != nil {
            // The restarts below zero the integrals the timeline's utilizations difference: keep
            // what this interval had so far.
            let integrals = resourceIntegrals()
            if timelineIntegrals.isEmpty { timelineIntegrals = Array(repeating: 0, count: integrals.count) }
            if timelineCarry.isEmpty { timelineCarry = Array(repeating: 0, count: integrals.count) }
            for i in integrals.indices { timelineCarry[i] += integrals[i] - timelineIntegrals[i] }
            timelineIntegrals = Array(repeating: 0, count: integrals.count)
        }
        statisticsStart = now
        tallies = Slab(repeating: EndpointTally(), count: tallies.count)
        for i in failureCounts.indices { failureCounts[i] = 0 }
        for i in workers.indices { workers[i].restartStatistics(atSeconds: now) }
        pools.restartStatistics(atSeconds: now)
        poolers.restartStatistics(atSeconds: now)
        database.restartStatistics(atSeconds: now)
        caches.restartStatistics(atSeconds: now)
        jobQueues.restartStatistics(atSeconds: now)
        upstreams.restartStatistics(atSeconds: now)
        threads.restartStatistics(atSeconds: now)
        hosts.restartStatistics(atSeconds: now)
        orphanedWrites = 0
        overloadRejections = 0
    }

    mutating func timelineTick() {
        guard let interval = timelineInterval else { return }
        var sample = TimelineSample(
            startSeconds: now - interval, arrivals: intervalArrivals, completions: intervalCompletions,
            inFlight: inFlight.reduce(0, +), poolWaiting: pools.tokens.reduce(0) { $0 + $1.waitingCount },
            connectionsInUse: pools.tokens.reduce(0) { $0 + $1.heldCount }, timeouts: intervalTimeouts,
            errors: intervalErrors, p95Seconds: intervalLatency.percentileSeconds(95))
        sample.p50Seconds = intervalLatency.percentileSeconds(50)
        sample.p99Seconds = intervalLatency.percentileSeconds(99)
        sample.latencyCount = intervalLatency.count
        sample.rejected = intervalRejected
        sample.rateLimited = intervalRateLimited
        let integrals = resourceIntegrals()
        let capacities = resourceCapacities()
        if timelineIntegrals.isEmpty { timelineIntegrals = Array(repeating: 0, count: integrals.count) }
        if timelineCarry.isEmpty { timelineCarry = Array(repeating: 0, count: integrals.count) }
        sample.utilizations = integrals.indices.map { i in
            (timelineCarry[i] + integrals[i] - timelineIntegrals[i]) / (interval * capacities[i])
        }
        timelineIntegrals = integrals
        timelineCarry = Array(repeating: 0, count: integrals.count)
        if timelineByEndpoint {
            for i in intervalEndpoints.indices {
                let l = intervalEndpointLatency[i]
                intervalEndpoints[i].latencyCount = l.count
                if l.count > 0 {
                    intervalEndpoints[i].p50Seconds = l.percentileSeconds(50)
                    intervalEndpoints[i].p95Seconds = l.percentileSeconds(95)
                    intervalEndpoints[i].p99Seconds = l.percentileSeconds(99)
                }
            }
            sample.endpoints = intervalEndpoints
            intervalEndpoints = Array(repeating: TimelineEndpointSample(), count: intervalEndpoints.count)
            for i in intervalEndpointLatency.indices { intervalEndpointLatency[i].reset() }
        }
        timeline.append(sample)
        intervalLatency.reset()
        intervalArrivals = 0
        intervalCompletions = 0
        intervalTimeouts = 0
        intervalErrors = 0
        intervalRejected = 0
        intervalRateLimited = 0
        schedule(.timelineTick, 0, at: now + interval)
    }

    /// Busy-server integrals since the last restart, in `TimelineResources.names` order.
    mutating func resourceIntegrals() -> [Double] {
        var out = [workers.reduce(0.0) { $0 + $1.inUse.integral(atSeconds: now) }]
        if threads.enabled { out.append(threads.threads.reduce(0.0) { $0 + $1.inUse.integral(atSeconds: now) }) }
        for p in 0..<model.pools.count { out.append(pools.totalInUse[p].integral(atSeconds: now)) }
        if model.database != nil {
            for n in 0..<database.nodes.count { out.append(database.nodes[n].busyCores.integral(atSeconds: now)) }
        }
        return out
    }

    /// The servers of each resource `resourceIntegrals` measures.
    mutating func resourceCapacities() -> [Double] {
        var out = [Double(workers.reduce(0) { $0 + $1.size })]
        if threads.enabled { out.append(Double(threads.perInstance * threads.threads.count)) }
        for pool in model.pools { out.append(Double(pool.totalConnections(instances: instanceCount))) }
        if model.database != nil {
            for n in 0..<database.nodes.count { out.append(Double(database.nodes[n].cores)) }
        }
        return out
    }

    func result() -> SystemRunResult {
        let observed = max(now - statisticsStart, .leastNonzeroMagnitude)
        let endpoints = model.endpoints.enumerated().map { i, endpoint in
            let t = tallies[i]
            let causes = FailureCause.allCases.count
            var result = EndpointResult(name: endpoint.name, attempts: t.attempts, succeeded: t.succeeded, timeouts: t.timeouts,
                                        errors: t.errors, rateLimited: t.rateLimited, retries: t.retries, latency: t.latency,
                                        throughputPerSecond: Double(t.succeeded) / observed, rejected: t.rejected)
            result.failures = (0..<causes).map { failureCounts[i * causes + $0] }
            return result
        }
        var waits = SummaryStatistics()
        for w in workers { waits.merge(w.waitsOfGranted) }
        let busy = workers.reduce(0.0) { $0 + $1.inUse.mean(atSeconds: now) }
        let instances = InstancesResult(
            count: instanceCount, workersPerInstance: workers.first?.size ?? 1,
            utilization: busy / Double(workers.reduce(0) { $0 + $1.size }), meanBusyWorkers: busy,
            meanWaitingForWorker: workers.reduce(0.0) { $0 + $1.waiting.mean(atSeconds: now) },
            meanWorkerWaitSeconds: waits.mean)
        var run = SystemRunResult(observedSeconds: observed, endpoints: endpoints, instances: instances, pools: pools.results(model: model, instances: instanceCount, atSeconds: now),
                               poolers: poolers.results(model: model, atSeconds: now),
                               database: database.result(model: model, atSeconds: now),
                               caches: caches.results(model: model, instances: instanceCount, atSeconds: now),
                               jobQueues: jobQueues.results(model: model, atSeconds: now),
                               upstreams: upstreams.results(model: model, instances: instanceCount, atSeconds: now),
                               orphanedWrites: orphanedWrites, network: nil, eventsProcessed: eventsProcessed, timeline: timeline,
                               overloadRejections: overloadRejections, threads: threads.result(atSeconds: now))
        run.hosts = hosts.results(model: model, atSeconds: now, observedSeconds: observed)
        if hosts.primaryHost >= 0, var db = run.database, !db.nodes.isEmpty {
            // The primary's queries ran on its host's station: its figures are its share there.
            let h = hosts.primaryHost
            let t = h * HostTenant.count + HostTenant.database.rawValue
            let cores = model.hosts[h].cores
            db.nodes[0].cores = cores
            db.nodes[0].utilization = hosts.demandSeconds[t] / (observed * Double(cores))
            db.nodes[0].meanActiveQueries = hosts.tenantPresent[t].mean(atSeconds: now)
            db.nodes[0].peakActiveQueries = Int(hosts.tenantPresent[t].peak)
            run.database = db
        }
        for (p, pooler) in model.poolers.enumerated() where hosts.poolerHasCPU[p] {
            run.poolerThreads.append(PoolerThreadResult(name: pooler.name, utilization: hosts.poolerThread[p].inUse.mean(atSeconds: now),
                                                        meanWaiting: hosts.poolerThread[p].waiting.mean(atSeconds: now)))
        }
        if hosts.clientCost >= 0 {
            let threads = hosts.clientThreads.size
            run.clientThreads = ClientThreadsResult(threads: threads, utilization: hosts.clientThreads.inUse.mean(atSeconds: now) / Double(threads),
                                                    meanWaiting: hosts.clientThreads.waiting.mean(atSeconds: now))
        }
        if let limit = model.instances.cpuLimit, hosts.hasLimit {
            let periods = max(1, observed / limit.periodSeconds) * Double(instanceCount)
            var throttled = 0.0, seconds = 0.0
            for i in hosts.limited.indices {
                throttled += Double(hosts.limited[i].throttledPeriods)
                seconds += hosts.limited[i].throttledSeconds
                if hosts.limited[i].throttled { seconds += now - max(hosts.limited[i].throttledSince, statisticsStart) }
            }
            run.cpuLimit = CPULimitResult(limitCores: limit.cores, periodSeconds: limit.periodSeconds,
                                          throttledPeriodShare: throttled / periods,
                                          throttledTimeShare: seconds / (observed * Double(instanceCount)))
        }
        return run
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
