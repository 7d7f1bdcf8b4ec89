import HeadroomKernel
import HeadroomModel
import HeadroomSim
import HeadroomAnalysis
import HeadroomOutput

/// Per-replication values of one figure, before they become an `Estimate`.
struct Series {
    var metric: String
    var values: [Double]
    /// Tracked by the precision rule.
    var tracked: Bool
    var analytic: Double?
}

struct ItemSeries {
    var name: String
    var attributes: [Attribute] = []
    var series: [Series] = []
    var merged: MergedLatency? = nil

    mutating func add(_ metric: Metric, _ values: [Double], tracked: Bool = false, analytic: Double? = nil) {
        guard !values.isEmpty else { return }
        series.append(Series(metric: metric.key, values: values, tracked: tracked, analytic: finite(analytic)))
    }

    func item(confidence: Double) -> ReportItem {
        ReportItem(name: name, attributes: attributes,
                   figures: series.map { Figure(metric: $0.metric, estimate: Estimate.studentT($0.values, confidence: confidence), analytic: $0.analytic) },
                   merged: merged)
    }
}

/// Combines replications into report sections, and the analytic companions into their figures.
enum ReportBuilder {
    static func build(model: Model, results: [SystemRunResult], settings: StudySettings, analysis: Analysis?,
                      warnings: [String], notes: [String]) -> StudyReport {
        let collected = collect(results, analysis: analysis)
        // A section is in every report, possibly empty, except `upstreams`, `threads` and
        // `hosts`: only where the model has them.
        let optional: Set<String> = [ReportSectionName.upstreams.rawValue, ReportSectionName.threads.rawValue,
                                     ReportSectionName.hosts.rawValue, ReportSectionName.failures.rawValue]
        let sections = StudyReport.sectionNames.filter { !optional.contains($0) || collected[$0]?.isEmpty == false }.map { name in
            ReportSection(name: name, items: (collected[name] ?? []).map { $0.item(confidence: settings.confidenceLevel) })
        }
        var allNotes = notes
        if let analysis {
            allNotes += analysis.notes
            if let method = analysis.network?.method { allNotes.append("analytic companion of the network: \(method)") }
            if let db = model.database, db.contention > 0 || db.coherency > 0 {
                allNotes.append("the analytic figures take the database as plain processor sharing: they ignore its contention and coherency, which the simulation applies")
            }
        }
        var allWarnings = warnings
        let rejected = results.reduce(0) { $0 + $1.overloadRejections }
        if rejected > 0 {
            let perReplication = Double(rejected) / Double(max(1, results.count))
            allWarnings.append(model.network == nil
                ? "overload beyond the memory caps: \(formatSignificant(perReplication)) requests or jobs per replication were refused because an instance already had \(OverloadCaps.requestsInFlightPerInstance) requests in flight (or a job queue \(OverloadCaps.waitingJobsPerQueue) jobs waiting); they count as errors, so the figures describe a server that sheds that load"
                : "overload beyond the memory cap: \(formatSignificant(perReplication)) customers per replication were lost at stations that already held \(OverloadCaps.customersPerStation) customers; the figures describe stations with that capacity")
        }
        return StudyReport(modelName: model.name, sourcePath: model.sourcePath, settings: settings, sections: sections,
                           warnings: allWarnings, notes: allNotes,
                           eventsProcessed: results.reduce(0) { $0 + $1.eventsProcessed })
    }

    /// Whether every tracked figure is precise enough.
    static func isPrecise(_ results: [SystemRunResult], model: Model, rule: PrecisionRule, confidence: Double) -> Bool {
        let figures = collect(results, analysis: nil).values.flatMap { $0 }.flatMap { $0.series }
            .filter(\.tracked).map(\.values)
        if abs(confidence - 0.95) < 1e-12 { return rule.isSatisfied(by: figures) }
        // The kernel rule uses 95% intervals; the same test at the model's confidence level.
        for values in figures {
            guard values.count >= rule.minimum else { return false }
            let e = Estimate.studentT(values, confidence: confidence)
            if e.halfWidth != 0 && e.relativeHalfWidth > rule.targetRelativeError { return false }
        }
        return true
    }

    /// Section name -> items, in result order.
    static func collect(_ results: [SystemRunResult], analysis: Analysis?) -> [String: [ItemSeries]] {
        var out: [String: [ItemSeries]] = [:]
        guard let first = results.first else { return out }
        // Offered throughput is the analytic throughput of an open load only when nothing is overloaded.
        let stableLoad = analysis.map { a in
            a.workload == .closed || a.resources.allSatisfy { ($0.utilization ?? 0) < 1 }
        } ?? false

        let hasThreads = first.threads != nil
        // Endpoints.
        var endpoints: [ItemSeries] = []
        for e0 in first.endpoints {
            let runs = results.compactMap { r in r.endpoints.first { $0.name == e0.name }.map { (r, $0) } }
            let a = analysis?.endpoints.first { $0.name == e0.name }
            var item = ItemSeries(name: e0.name)
            item.add(.throughputPerSecond, runs.map { $0.1.throughputPerSecond }, tracked: true,
                     analytic: stableLoad ? a?.throughputPerSecond : nil)
            item.add(.attemptsPerSecond, runs.map { perSecond($0.1.attempts, $0.0) })
            addLatency(&item, runs.map { $0.1.latency }, analyticMean: a?.meanLatencySeconds)
            item.add(.timeoutRate, runs.map { $0.1.timeoutRate })
            item.add(.errorRate, runs.map { $0.1.errorRate })
            item.add(.rateLimitedRate, runs.map { $0.1.rateLimitedRate })
            item.add(.retriesPerSecond, runs.map { perSecond($0.1.retries, $0.0) })
            if hasThreads { item.add(.rejectedRate, runs.map { $0.1.rejectedRate }) }
            endpoints.append(item)
        }
        out["endpoints"] = endpoints

        // Overall: all endpoints together.
        if !first.endpoints.isEmpty {
            var item = ItemSeries(name: "all")
            var latencies: [LatencyRecorder] = []
            var throughput: [Double] = [], attempts: [Double] = []
            var timeouts: [Double] = [], errors: [Double] = [], limited: [Double] = [], refused: [Double] = []
            for r in results {
                var l = LatencyRecorder()
                var a = 0, t = 0, e = 0, q = 0, k = 0
                var x = 0.0
                for ep in r.endpoints {
                    l.merge(ep.latency)
                    a += ep.attempts; t += ep.timeouts; e += ep.errors; q += ep.rateLimited; k += ep.rejected
                    x += ep.throughputPerSecond
                }
                latencies.append(l)
                throughput.append(x)
                attempts.append(perSecond(a, r))
                timeouts.append(a > 0 ? Double(t) / Double(a) : 0)
                errors.append(a > 0 ? Double(e) / Double(a) : 0)
                limited.append(a > 0 ? Double(q) / Double(a) : 0)
                refused.append(a > 0 ? Double(k) / Double(a) : 0)
            }
            item.add(.throughputPerSecond, throughput, tracked: true,
                     analytic: stableLoad ? analysis?.throughputPerSecond : nil)
            item.add(.attemptsPerSecond, attempts)
            addLatency(&item, latencies, analyticMean: analysis?.responseSeconds)
            item.add(.timeoutRate, timeouts)
            item.add(.errorRate, errors)
            item.add(.rateLimitedRate, limited)
            if hasThreads { item.add(.rejectedRate, refused) }
            out["overall"] = [item]
            out["failures"] = failureItems(results)
        }

        // Instance workers.
        if let i0 = first.instances {
            let runs = results.compactMap(\.instances)
            var item = ItemSeries(name: "workers", attributes: [Attribute(key: "instances", value: Double(i0.count)),
                                                              Attribute(key: "workers_per_instance", value: Double(i0.workersPerInstance))])
            item.add(.utilization, runs.map(\.utilization), tracked: true,
                     analytic: analysis?.resource("workers.instances")?.utilization)
            item.add(.meanBusyWorkers, runs.map(\.meanBusyWorkers))
            item.add(.meanWaiting, runs.map(\.meanWaitingForWorker))
            item.add(.meanWaitSeconds, runs.map(\.meanWorkerWaitSeconds))
            if first.cpuLimit != nil {
                item.add(.throttledPeriodShare, results.compactMap { $0.cpuLimit?.throttledPeriodShare })
                item.add(.throttledTimeShare, results.compactMap { $0.cpuLimit?.throttledTimeShare })
            }
            out["instances"] = [item]
        }

        // Request threads: held for the whole request; the accept queue before them.
        if let t0 = first.threads {
            let runs = results.compactMap(\.threads)
            var item = ItemSeries(name: "threads", attributes: [Attribute(key: "instances", value: Double(first.instances?.count ?? 1)),
                                                              Attribute(key: "threads_per_instance", value: Double(t0.threadsPerInstance))])
            if let q = t0.acceptQueuePerInstance { item.attributes.append(Attribute(key: "accept_queue_per_instance", value: Double(q))) }
            item.add(.utilization, runs.map(\.utilization), tracked: true,
                     analytic: analysis?.resource("threads.instances")?.utilization)
            item.add(.meanInUse, runs.map(\.meanBusyThreads))
            item.add(.peakInUse, runs.map { Double($0.peakBusyThreads) })
            item.add(.meanWaiting, runs.map(\.meanInAcceptQueue), analytic: analysis?.threads?.meanInAcceptQueue)
            item.add(.meanWaitSeconds, runs.map(\.meanAcceptQueueWaitSeconds), analytic: analysis?.threads?.meanAcceptQueueWaitSeconds)
            item.add(.rejectedRate, runs.map { Double($0.rejected) / Double(max(1, $0.accepted + $0.rejected)) },
                     analytic: analysis?.threads?.blockingProbability)
            out["threads"] = [item]
        }

        // Pools.
        out["pools"] = first.pools.map { p0 in
            let runs = results.compactMap { r in r.pools.first { $0.name == p0.name }.map { (r, $0) } }
            let a = analysis?.pool(p0.name)
            var item = ItemSeries(name: p0.name, attributes: [Attribute(key: "total_size", value: Double(p0.totalSize))])
            item.add(.utilization, runs.map { $0.1.utilization }, tracked: true, analytic: a?.utilization)
            item.add(.meanInUse, runs.map { $0.1.meanInUse }, analytic: a?.meanInUse)
            item.add(.meanWaiting, runs.map { $0.1.meanWaiting }, analytic: a?.meanWaiting)
            item.add(.meanWaitSeconds, runs.map { $0.1.waits.meanSeconds }, analytic: a?.meanWaitSeconds)
            item.add(.p95WaitSeconds, runs.map { $0.1.waits.percentileSeconds(95) })
            item.add(.peakInUse, runs.map { Double($0.1.peakInUse) })
            item.add(.acquireTimeouts, runs.map { Double($0.1.acquireTimeouts) })
            item.add(.refusedConnections, runs.map { Double($0.1.refusedConnections) })
            item.add(.meanOpenConnections, runs.map { $0.1.meanOpenConnections })
            item.add(.peakOpenConnections, runs.map { Double($0.1.peakOpenConnections) })
            item.add(.connectionsOpened, runs.map { Double($0.1.connectionsOpened) })
            item.add(.idleClosures, runs.map { Double($0.1.idleClosures) })
            item.merged = MergedLatency(runs.reduce(into: LatencyRecorder()) { $0.merge($1.1.waits) })
            return item
        }

        out["poolers"] = first.poolers.map { p0 in
            let runs = results.compactMap { r in r.poolers.first { $0.name == p0.name } }
            let a = analysis?.pools.first { $0.kind == "pooler" && $0.name == p0.name }
            var item = ItemSeries(name: p0.name, attributes: [Attribute(key: "server_connections", value: Double(p0.serverConnections))])
            item.add(.utilization, runs.map(\.utilization), tracked: true, analytic: a?.utilization)
            item.add(.meanServerInUse, runs.map(\.meanServerInUse))
            item.add(.peakServerInUse, runs.map { Double($0.peakServerInUse) })
            item.add(.meanWaiting, runs.map(\.meanWaiting), analytic: a?.meanWaiting)
            item.add(.meanWaitSeconds, runs.map(\.waits.meanSeconds), analytic: a?.meanWaitSeconds)
            item.add(.p95WaitSeconds, runs.map { $0.waits.percentileSeconds(95) })
            item.add(.waitTimeouts, runs.map { Double($0.waitTimeouts) })
            item.add(.threadUtilization, results.compactMap { r in r.poolerThreads.first { $0.name == p0.name }?.utilization },
                     analytic: analysis?.resource("pooler_thread.\(p0.name)")?.utilization)
            return item
        }

        // Database.
        if let db0 = first.database {
            out["database_nodes"] = db0.nodes.map { n0 in
                let runs = results.compactMap { r in r.database?.nodes.first { $0.name == n0.name }.map { (r, $0) } }
                var item = ItemSeries(name: n0.name, attributes: [Attribute(key: "cores", value: Double(n0.cores))])
                item.add(.utilization, runs.map { $0.1.utilization }, tracked: true,
                         analytic: analysis?.resource("database.\(n0.name)")?.utilization)
                item.add(.meanActiveQueries, runs.map { $0.1.meanActiveQueries })
                item.add(.peakActiveQueries, runs.map { Double($0.1.peakActiveQueries) })
                item.add(.queriesPerSecond, runs.map { perSecond($0.1.queries, $0.0) })
                return item
            }
            let runs = results.compactMap(\.database)
            var item = ItemSeries(name: "connections", attributes: [Attribute(key: "max_connections", value: Double(db0.maxConnections))])
            item.add(.meanOpenConnections, runs.map(\.meanOpenConnections))
            item.add(.peakOpenConnections, runs.map { Double($0.peakOpenConnections) })
            item.add(.refusedConnections, runs.map { Double($0.refusedConnections) })
            item.add(.failedQueries, runs.map { Double($0.failedQueries) })
            if db0.tracksReplicationLag {
                let withRuns = results.compactMap { r in r.database.map { (r, $0) } }
                item.add(.staleReadsPerSecond, withRuns.map { perSecond($0.1.staleReads, $0.0) })
                item.add(.staleReadShare, runs.map { d in
                    let replicaReads = d.nodes.dropFirst().reduce(0) { $0 + $1.queries }
                    return replicaReads > 0 ? Double(d.staleReads) / Double(replicaReads) : 0
                })
                item.add(.staleReadsAvoidedPerSecond, withRuns.map { perSecond($0.1.staleReadsAvoided, $0.0) })
            }
            out["database"] = [item]
        }

        out["caches"] = first.caches.map { c0 in
            let runs = results.compactMap { r in r.caches.first { $0.name == c0.name }.map { (r, $0) } }
            var item = ItemSeries(name: c0.name)
            item.add(.hitRate, runs.map { $0.1.hitRate }, analytic: analysis?.cacheHitRatios.first { $0.cache == c0.name }?.hitRatio)
            item.add(.lookupsPerSecond, runs.map { perSecond($0.1.lookups, $0.0) })
            item.add(.coalescedMisses, runs.map { Double($0.1.coalescedMisses) })
            if c0.serverUtilization != nil {
                item.add(.serverUtilization, runs.compactMap { $0.1.serverUtilization },
                         analytic: analysis?.resource("cache_server.\(c0.name)")?.utilization)
                item.add(.serverMeanWaitSeconds, runs.compactMap { $0.1.serverWaits?.meanSeconds })
            }
            if c0.connectionUtilization != nil {
                item.add(.connectionUtilization, runs.compactMap { $0.1.connectionUtilization })
                item.add(.connectionMeanWaitSeconds, runs.compactMap { $0.1.connectionMeanWaitSeconds })
                if c0.connectionTimeouts != nil {
                    item.add(.connectionTimeouts, runs.compactMap { $0.1.connectionTimeouts.map(Double.init) })
                }
            }
            return item
        }

        out["job_queues"] = first.jobQueues.map { q0 in
            let runs = results.compactMap { r in r.jobQueues.first { $0.name == q0.name }.map { (r, $0) } }
            var item = ItemSeries(name: q0.name)
            item.add(.enqueuedPerSecond, runs.map { perSecond($0.1.enqueued, $0.0) })
            item.add(.completedPerSecond, runs.map { perSecond($0.1.completed, $0.0) })
            item.add(.failed, runs.map { Double($0.1.failed) })
            item.add(.workerUtilization, runs.map { $0.1.workerUtilization }, tracked: true,
                     analytic: analysis?.resource("job_workers.\(q0.name)")?.utilization)
            item.add(.meanWaiting, runs.map { $0.1.meanWaiting })
            let lat = runs.map { $0.1.latency }.filter { $0.count > 0 }
            item.add(.meanLatencySeconds, lat.map(\.meanSeconds))
            item.add(.p95LatencySeconds, lat.map { $0.percentileSeconds(95) })
            item.merged = MergedLatency(runs.reduce(into: LatencyRecorder()) { $0.merge($1.1.latency) })
            return item
        }

        // HTTP upstreams: the calls (per second, latency of successful ones, error and timeout
        // shares of those sent), the upstream's servers, and each instance's client pool.
        out["upstreams"] = first.upstreams.map { u0 in
            let runs = results.compactMap { r in r.upstreams.first { $0.name == u0.name }.map { (r, $0) } }
            let pool = analysis?.pools.first { $0.kind == "upstream" && $0.name == u0.name }
            var item = ItemSeries(name: u0.name, attributes: [Attribute(key: "servers", value: Double(u0.servers))])
            if let c = u0.connectionsPerInstance { item.attributes.append(Attribute(key: "connections_per_instance", value: Double(c))) }
            item.add(.callsPerSecond, runs.map { perSecond($0.1.sent, $0.0) })
            let lat = runs.map { $0.1.latency }.filter { $0.count > 0 }
            item.add(.meanSeconds, lat.map(\.meanSeconds))
            item.add(.p95Seconds, lat.map { $0.percentileSeconds(95) })
            item.add(.errorRate, runs.map { $0.1.sent > 0 ? Double($0.1.errors) / Double($0.1.sent) : 0 })
            item.add(.timeoutRate, runs.map { $0.1.sent > 0 ? Double($0.1.timeouts) / Double($0.1.sent) : 0 })
            item.add(.serverUtilization, runs.map { $0.1.serverUtilization }, tracked: true,
                     analytic: analysis?.resource("upstream.\(u0.name)")?.utilization)
            item.add(.meanWaiting, runs.map { $0.1.meanWaitingAtServer })
            item.add(.serverMeanWaitSeconds, runs.map { $0.1.serverWaits.meanSeconds })
            if u0.connectionUtilization != nil {
                item.add(.connectionUtilization, runs.compactMap { $0.1.connectionUtilization }, analytic: pool?.utilization)
                item.add(.meanWaitingForConnection, runs.compactMap { $0.1.meanWaitingForConnection }, analytic: pool?.meanWaiting)
                item.add(.connectionMeanWaitSeconds, runs.compactMap { $0.1.connectionWaits?.meanSeconds }, analytic: pool?.meanWaitSeconds)
                if u0.acquireTimeouts != nil {
                    item.add(.acquireTimeouts, runs.compactMap { $0.1.acquireTimeouts.map(Double.init) })
                }
            }
            item.merged = MergedLatency(runs.reduce(into: LatencyRecorder()) { $0.merge($1.1.latency) })
            return item
        }

        // Hosts: how busy their cores were, and each component's share (docs/hosts.md).
        out["hosts"] = first.hosts.map { h0 in
            let runs = results.compactMap { r in r.hosts.first { $0.name == h0.name } }
            var item = ItemSeries(name: h0.name, attributes: [Attribute(key: "cores", value: Double(h0.cores)),
                                                              Attribute(key: "speed", value: h0.speed)])
            item.add(.utilization, runs.map(\.utilization), tracked: true, analytic: analysis?.resource("host.\(h0.name)")?.utilization)
            item.add(.meanRunnableThreads, runs.map(\.meanRunnableThreads))
            for (metric, component) in [(Metric.instancesUtilization, "instances"), (.databaseUtilization, "database"),
                                        (.poolerUtilization, "pooler"), (.clientUtilization, "client")]
            where h0.components.contains(where: { $0.component == component }) {
                item.add(metric, runs.map { r in r.components.first { $0.component == component }?.utilization ?? 0 })
            }
            return item
        }

        if first.network == nil {
            var item = ItemSeries(name: "orphaned_writes")
            item.add(.orphanedWrites, results.map { Double($0.orphanedWrites) })
            item.add(.orphanedWritesPerSecond, results.map { perSecond($0.orphanedWrites, $0) })
            out["faults"] = [item]
        }

        // Plain networks.
        if let n0 = first.network {
            out["stations"] = n0.stations.map { s0 in
                let runs = results.compactMap { r in r.network?.stations.first { $0.name == s0.name }.map { (r, $0) } }
                let a = analysis?.station(s0.name)
                var item = ItemSeries(name: s0.name)
                if let a { item.attributes = [Attribute(key: "servers", value: Double(a.servers)), Attribute(key: "visits", value: a.visits)] }
                item.add(.utilization, runs.map { $0.1.utilization }, tracked: true, analytic: a?.utilization)
                item.add(.throughputPerSecond, runs.map { perSecond($0.1.completions, $0.0) }, analytic: a?.throughputPerSecond)
                item.add(.meanNumberPresent, runs.map { $0.1.meanNumberPresent }, tracked: true, analytic: a?.meanNumberPresent)
                item.add(.meanNumberWaiting, runs.map { $0.1.meanNumberWaiting }, analytic: a?.meanNumberWaiting)
                let sojourn = runs.map { $0.1.sojourn }.filter { $0.count > 0 }
                item.add(.meanResponseSeconds, sojourn.map(\.meanSeconds), tracked: true, analytic: a?.meanResponseSeconds)
                let waits = runs.map { $0.1.waitOfServed }.filter { $0.count > 0 }
                item.add(.meanWaitSeconds, waits.map(\.mean), analytic: a?.meanWaitSeconds)
                item.add(.p95ResponseSeconds, sojourn.map { $0.percentileSeconds(95) }, analytic: a?.p95ResponseSeconds)
                if runs.contains(where: { $0.1.blocked > 0 }) || a?.blockingProbability != nil {
                    item.add(.blockedRate, runs.map { $0.1.arrivals > 0 ? Double($0.1.blocked) / Double($0.1.arrivals) : 0 },
                             analytic: a?.blockingProbability)
                }
                if runs.contains(where: { $0.1.abandoned > 0 }) || a?.abandonmentProbability != nil {
                    item.add(.abandonedRate, runs.map { $0.1.arrivals > 0 ? Double($0.1.abandoned) / Double($0.1.arrivals) : 0 },
                             analytic: a?.abandonmentProbability)
                }
                item.merged = MergedLatency(runs.reduce(into: LatencyRecorder()) { $0.merge($1.1.sojourn) })
                return item
            }
            let runs = results.compactMap(\.network)
            let a = analysis?.network
            var item = ItemSeries(name: "network")
            item.add(.throughputPerSecond, runs.map(\.throughputPerSecond), tracked: true, analytic: a?.throughputPerSecond)
            item.add(.meanNumberInNetwork, runs.map { $0.stations.reduce(0) { $0 + $1.meanNumberPresent } },
                     analytic: a?.meanNumberInNetwork)
            addLatency(&item, runs.map(\.networkSojourn), analyticMean: a?.meanResponseSeconds,
                       analyticPercentiles: [a?.p50ResponseSeconds, a?.p95ResponseSeconds, a?.p99ResponseSeconds])
            out["network"] = [item]
        }
        return out
    }

    static func perSecond(_ count: Int, _ r: SystemRunResult) -> Double {
        r.observedSeconds > 0 ? Double(count) / r.observedSeconds : 0
    }

    /// mean/p50/p95/p99/max over replications that recorded something, and the pooled histogram.
    /// `analyticPercentiles`: p50, p95 and p99 where a closed form gives them (nil each otherwise).
    static func addLatency(_ item: inout ItemSeries, _ recorders: [LatencyRecorder], analyticMean: Double?,
                           analyticPercentiles: [Double?] = [nil, nil, nil]) {
        let nonEmpty = recorders.filter { $0.count > 0 }
        item.add(.meanSeconds, nonEmpty.map(\.meanSeconds), tracked: true, analytic: analyticMean)
        let percentiles = nonEmpty.map { $0.percentilesSeconds([50, 95, 99]) }
        item.add(.p50Seconds, percentiles.map { $0[0] }, analytic: analyticPercentiles[0])
        item.add(.p95Seconds, percentiles.map { $0[1] }, tracked: true, analytic: analyticPercentiles[1])
        item.add(.p99Seconds, percentiles.map { $0[2] }, analytic: analyticPercentiles[2])
        item.add(.maxSeconds, nonEmpty.map(\.maxSeconds))
        item.merged = MergedLatency(recorders.reduce(into: LatencyRecorder()) { $0.merge($1) })
    }
}
