/// The one list of the figures a report can hold: each figure's key (as written in JSON, CSV and
/// `--slo`), its unit, a label for humans, which way is better, and where it may be used (an SLO,
/// a sweep column, a utilization of a resource). Every consumer reads it: the report builder
/// adds figures by `Metric`, `--slo` parses against it, sweep columns and chart axes come from it,
/// and a test checks docs/output-schema.md against it. A figure's key appears as a string literal
/// here and nowhere else.
///
/// Why one table: the list existed three times (the report builder, the SLO parser and the sweep
/// columns) and the copies had drifted (`--slo` refused `caches.X.server_utilization`, which the
/// report emits). k6's thresholds read its one metrics registry in the same way.

/// A report figure's key. The raw value is the key written in every output format.
public enum Metric: String, CaseIterable, Sendable, Hashable {
    // Responses (endpoints, all endpoints together, a plain network).
    case throughputPerSecond = "throughput_per_second"
    case attemptsPerSecond = "attempts_per_second"
    case meanSeconds = "mean_seconds"
    case p50Seconds = "p50_seconds"
    case p95Seconds = "p95_seconds"
    case p99Seconds = "p99_seconds"
    case maxSeconds = "max_seconds"
    case timeoutRate = "timeout_rate"
    case errorRate = "error_rate"
    case rateLimitedRate = "rate_limited_rate"
    case retriesPerSecond = "retries_per_second"
    /// Refused at a full accept queue (`instances.threads`): connection refused.
    case rejectedRate = "rejected_rate"
    // Failures by where they happened (the `failures` section, items named by cause).
    /// Failed attempts of the cause / all attempts, every endpoint together.
    case attemptShare = "attempt_share"
    case failuresPerSecond = "failures_per_second"
    // Resources held by a request (workers, pool connections, pooler server connections).
    case utilization = "utilization"
    case meanBusyWorkers = "mean_busy_workers"
    case meanWaiting = "mean_waiting"
    case meanWaitSeconds = "mean_wait_seconds"
    case p95WaitSeconds = "p95_wait_seconds"
    case meanInUse = "mean_in_use"
    case peakInUse = "peak_in_use"
    case acquireTimeouts = "acquire_timeouts"
    case refusedConnections = "refused_connections"
    case meanOpenConnections = "mean_open_connections"
    case peakOpenConnections = "peak_open_connections"
    case connectionsOpened = "connections_opened"
    case idleClosures = "idle_closures"
    case meanServerInUse = "mean_server_in_use"
    case peakServerInUse = "peak_server_in_use"
    case waitTimeouts = "wait_timeouts"
    // Database nodes and connections.
    case meanActiveQueries = "mean_active_queries"
    case peakActiveQueries = "peak_active_queries"
    case queriesPerSecond = "queries_per_second"
    case failedQueries = "failed_queries"
    /// Reads at a replica within the replication lag of their own request's write.
    case staleReadsPerSecond = "stale_reads_per_second"
    case staleReadShare = "stale_read_share"
    case staleReadsAvoidedPerSecond = "stale_reads_avoided_per_second"
    // Caches.
    case hitRate = "hit_rate"
    case lookupsPerSecond = "lookups_per_second"
    case coalescedMisses = "coalesced_misses"
    case serverUtilization = "server_utilization"
    case serverMeanWaitSeconds = "server_mean_wait_seconds"
    case connectionUtilization = "connection_utilization"
    case connectionMeanWaitSeconds = "connection_mean_wait_seconds"
    case connectionTimeouts = "connection_timeouts"
    // Upstreams.
    case callsPerSecond = "calls_per_second"
    case meanWaitingForConnection = "mean_waiting_for_connection"
    // Job queues.
    case enqueuedPerSecond = "enqueued_per_second"
    case completedPerSecond = "completed_per_second"
    case failed = "failed"
    case workerUtilization = "worker_utilization"
    case meanLatencySeconds = "mean_latency_seconds"
    case p95LatencySeconds = "p95_latency_seconds"
    // Faults.
    case orphanedWrites = "orphaned_writes"
    case orphanedWritesPerSecond = "orphaned_writes_per_second"
    // Stations of a plain network, and the network.
    case meanNumberPresent = "mean_number_present"
    case meanNumberWaiting = "mean_number_waiting"
    case meanResponseSeconds = "mean_response_seconds"
    case p95ResponseSeconds = "p95_response_seconds"
    case blockedRate = "blocked_rate"
    case abandonedRate = "abandoned_rate"
    case meanNumberInNetwork = "mean_number_in_network"
    // Hosts, a pooler's thread, CPU limits (docs/hosts.md)
    case meanRunnableThreads = "mean_runnable_threads"
    case instancesUtilization = "instances_utilization"
    case databaseUtilization = "database_utilization"
    case poolerUtilization = "pooler_utilization"
    case clientUtilization = "client_utilization"
    case threadUtilization = "thread_utilization"
    case throttledPeriodShare = "throttled_period_share"
    case throttledTimeShare = "throttled_time_share"

    /// The key written in JSON, CSV and `--slo`.
    @inlinable public var key: String { rawValue }

    /// How values are shown (from the key's suffix, the rule every output uses).
    package var unit: MetricUnit { MetricUnit(metric: rawValue) }
}

/// The sections of a report, in report order. Every report has all of them (possibly empty).
public enum ReportSectionName: String, CaseIterable, Sendable, Hashable {
    case endpoints, overall
    /// Failed attempts by where they failed (one item per cause); in a report only when some
    /// attempt failed, as `upstreams` only where the model has one.
    case failures
    case instances
    /// Request threads (`instances.threads`); in a report only when the model has them, as
    /// `upstreams`.
    case threads
    case pools, poolers
    case databaseNodes = "database_nodes"
    case database, caches
    case jobQueues = "job_queues"
    /// HTTP upstreams; in a report only when the model has one (its JSON keeps no empty
    /// `upstreams` list, so the reports of models without one are unchanged).
    case upstreams
    /// Hosts; in a report only when the model declares them (as `upstreams`).
    case hosts
    case faults, stations, network

    /// How a planner names one item of the section in `--slo` (`pool.prisma.p95_wait`).
    public var singular: String? {
        switch self {
        case .endpoints: "endpoint"
        case .failures: "failure"
        case .pools: "pool"
        case .poolers: "pooler"
        case .databaseNodes: "database_node"
        case .caches: "cache"
        case .jobQueues: "job_queue"
        case .upstreams: "upstream"
        case .hosts: "host"
        case .stations: "station"
        default: nil
        }
    }
}

/// Which way a figure is better: a latency or a wait is better lower, a throughput or a hit
/// ratio higher; a count of open connections is neither.
public enum MetricDirection: String, Sendable, Hashable {
    case lowerIsBetter = "lower", higherIsBetter = "higher", neither
}

/// One figure of one section.
public struct MetricSpec: Sendable, Hashable {
    public let section: ReportSectionName
    public let metric: Metric
    /// For humans: chart titles and axes ("p95 latency", "pool wait (mean)").
    public let label: String
    public let direction: MetricDirection
    /// A column (mean, ci_low, ci_high) of a sweep's cells.csv.
    public let sweepColumn: Bool
    /// Short names `--slo` accepts for it in this section (`p95` for `p95_seconds`).
    public let aliases: [String]
    /// For a utilization: the analytic resource kind it measures (`pool` for `pool.prisma`),
    /// which breakpoint's saturation table and the utilization charts read.
    public let resourceKind: String?
    /// For a utilization: what a chart calls one such resource ("pool" for "pool prisma"; the
    /// instance workers are one resource, "instance workers").
    public let resourceNoun: String?

    public var key: String { metric.key }
    package var unit: MetricUnit { metric.unit }
    /// Every figure the report emits can be an SLO.
    public var canBeSLO: Bool { true }
}

public enum MetricCatalog {
    /// Every figure of every section, in the order the report lists them.
    public static let all: [MetricSpec] = build()

    /// The figures of `section`, in report order.
    public static func specs(_ section: ReportSectionName) -> [MetricSpec] { bySection[section] ?? [] }

    /// The figures of the section named `section` (a report's section key), in report order.
    public static func specs(section: String) -> [MetricSpec] {
        ReportSectionName(rawValue: section).map(specs) ?? []
    }

    /// The spec of `metric` in `section`, if that section has it.
    public static func spec(_ section: ReportSectionName, _ metric: Metric) -> MetricSpec? {
        specs(section).first { $0.metric == metric }
    }

    /// The spec of the figure keyed `key` in the section named `section`.
    public static func spec(section: String, key: String) -> MetricSpec? {
        specs(section: section).first { $0.key == key }
    }

    /// The utilization figures that measure a resource of an analysis, with the resource kind.
    public static var resourceUtilizations: [MetricSpec] { all.filter { $0.resourceKind != nil } }

    static let bySection: [ReportSectionName: [MetricSpec]] = Dictionary(grouping: all, by: \.section)

    // MARK: The table

    private static func build() -> [MetricSpec] {
        var out: [MetricSpec] = []
        func add(_ section: ReportSectionName, _ metric: Metric, _ label: String, _ direction: MetricDirection,
                 sweep: Bool = false, aliases: [String] = [], resource: (kind: String, noun: String)? = nil) {
            out.append(MetricSpec(section: section, metric: metric, label: label, direction: direction,
                                  sweepColumn: sweep, aliases: aliases, resourceKind: resource?.kind, resourceNoun: resource?.noun))
        }
        let latencyAliases: [Metric: [String]] = [
            .meanSeconds: ["mean", "latency"], .p50Seconds: ["p50"], .p95Seconds: ["p95"], .p99Seconds: ["p99"],
            .maxSeconds: ["max"],
        ]
        func responses(_ s: ReportSectionName, retries: Bool) {
            add(s, .throughputPerSecond, "throughput", .higherIsBetter, sweep: true, aliases: ["throughput"])
            add(s, .attemptsPerSecond, "attempts", .neither)
            for (m, label) in [(Metric.meanSeconds, "mean latency"), (.p50Seconds, "p50 latency"), (.p95Seconds, "p95 latency"),
                               (.p99Seconds, "p99 latency"), (.maxSeconds, "max latency")] {
                add(s, m, label, .lowerIsBetter, sweep: true, aliases: latencyAliases[m] ?? [])
            }
            add(s, .timeoutRate, "timeouts", .lowerIsBetter, sweep: true, aliases: ["timeouts", "timeout"])
            add(s, .errorRate, "errors", .lowerIsBetter, sweep: true, aliases: ["errors", "error"])
            add(s, .rateLimitedRate, "rate limited", .lowerIsBetter, sweep: true, aliases: ["rate_limited", "429"])
            if retries { add(s, .retriesPerSecond, "retries", .lowerIsBetter) }
            // Reported only for a model with request threads; the threads section holds its
            // sweep column, so the sweeps of other models keep their columns.
            add(s, .rejectedRate, "refused (accept queue full)", .lowerIsBetter, aliases: ["rejected", "refused"])
        }
        responses(.endpoints, retries: true)
        responses(.overall, retries: false)

        add(.failures, .attemptShare, "share of attempts", .lowerIsBetter, aliases: ["share", "rate"])
        add(.failures, .failuresPerSecond, "failures per second", .lowerIsBetter, aliases: ["per_second"])

        add(.instances, .utilization, "instance workers busy", .lowerIsBetter, sweep: true, resource: ("workers", "instance workers"))
        add(.instances, .meanBusyWorkers, "busy workers (mean)", .neither)
        add(.instances, .meanWaiting, "requests waiting for a worker (mean)", .lowerIsBetter, sweep: true)
        add(.instances, .meanWaitSeconds, "worker wait (mean)", .lowerIsBetter, aliases: ["wait"])
        add(.instances, .throttledPeriodShare, "CPU-limit periods throttled", .lowerIsBetter, aliases: ["throttled"])
        add(.instances, .throttledTimeShare, "time throttled by the CPU limit", .lowerIsBetter)

        add(.threads, .utilization, "request threads busy", .lowerIsBetter, sweep: true, resource: ("threads", "request threads"))
        add(.threads, .meanInUse, "threads busy (mean)", .neither)
        add(.threads, .peakInUse, "threads busy (peak, busiest instance)", .neither, sweep: true)
        add(.threads, .meanWaiting, "requests in the accept queue (mean)", .lowerIsBetter, sweep: true)
        add(.threads, .meanWaitSeconds, "accept queue wait (mean)", .lowerIsBetter, sweep: true, aliases: ["wait"])
        add(.threads, .rejectedRate, "refused (accept queue full)", .lowerIsBetter, sweep: true, aliases: ["rejected", "refused"])

        add(.pools, .utilization, "pool connections in use", .lowerIsBetter, sweep: true, resource: ("pool", "pool"))
        add(.pools, .meanInUse, "connections in use (mean)", .neither, sweep: true)
        add(.pools, .meanWaiting, "waiting for a connection (mean)", .lowerIsBetter, sweep: true)
        add(.pools, .meanWaitSeconds, "pool wait (mean)", .lowerIsBetter, sweep: true, aliases: ["wait"])
        add(.pools, .p95WaitSeconds, "pool wait (p95)", .lowerIsBetter, sweep: true, aliases: ["p95_wait"])
        add(.pools, .peakInUse, "connections in use (peak)", .neither, sweep: true)
        add(.pools, .acquireTimeouts, "acquire timeouts", .lowerIsBetter, sweep: true)
        add(.pools, .refusedConnections, "refused connections", .lowerIsBetter, sweep: true)
        add(.pools, .meanOpenConnections, "open connections (mean)", .neither)
        add(.pools, .peakOpenConnections, "open connections (peak)", .neither)
        add(.pools, .connectionsOpened, "connections opened", .lowerIsBetter)
        add(.pools, .idleClosures, "idle connections closed", .neither)

        add(.poolers, .utilization, "pooler server connections in use", .lowerIsBetter, sweep: true, resource: ("pooler", "pooler"))
        add(.poolers, .meanServerInUse, "server connections in use (mean)", .neither)
        add(.poolers, .peakServerInUse, "server connections in use (peak)", .neither)
        add(.poolers, .meanWaiting, "clients waiting (mean)", .lowerIsBetter, sweep: true)
        add(.poolers, .meanWaitSeconds, "pooler wait (mean)", .lowerIsBetter, sweep: true, aliases: ["wait"])
        add(.poolers, .p95WaitSeconds, "pooler wait (p95)", .lowerIsBetter, aliases: ["p95_wait"])
        add(.poolers, .waitTimeouts, "pooler wait timeouts", .lowerIsBetter, sweep: true)
        add(.poolers, .threadUtilization, "pooler thread busy", .lowerIsBetter, sweep: true, resource: ("pooler_thread", "pooler thread"))

        add(.databaseNodes, .utilization, "database cores busy", .lowerIsBetter, sweep: true, resource: ("database", "database"))
        add(.databaseNodes, .meanActiveQueries, "active queries (mean)", .neither, sweep: true)
        add(.databaseNodes, .peakActiveQueries, "active queries (peak)", .neither, sweep: true)
        add(.databaseNodes, .queriesPerSecond, "queries", .neither)

        add(.database, .meanOpenConnections, "database connections open (mean)", .neither, sweep: true)
        add(.database, .peakOpenConnections, "database connections open (peak)", .neither, sweep: true)
        add(.database, .refusedConnections, "database connections refused", .lowerIsBetter, sweep: true)
        add(.database, .failedQueries, "failed queries", .lowerIsBetter, sweep: true)
        add(.database, .staleReadsPerSecond, "stale reads at replicas", .lowerIsBetter, aliases: ["stale_reads"])
        add(.database, .staleReadShare, "stale share of replica reads", .lowerIsBetter, aliases: ["stale"])
        add(.database, .staleReadsAvoidedPerSecond, "stale reads avoided (read_from: primary)", .neither)

        add(.caches, .hitRate, "cache hit ratio", .higherIsBetter, sweep: true)
        add(.caches, .lookupsPerSecond, "cache lookups", .neither)
        add(.caches, .coalescedMisses, "coalesced misses", .neither)
        add(.caches, .serverUtilization, "cache server busy", .lowerIsBetter, resource: ("cache_server", "cache server"))
        add(.caches, .serverMeanWaitSeconds, "cache server wait (mean)", .lowerIsBetter)
        add(.caches, .connectionUtilization, "cache client connections in use", .lowerIsBetter)
        add(.caches, .connectionMeanWaitSeconds, "cache connection wait (mean)", .lowerIsBetter)
        add(.caches, .connectionTimeouts, "cache connection timeouts", .lowerIsBetter)

        add(.jobQueues, .enqueuedPerSecond, "jobs enqueued", .neither)
        add(.jobQueues, .completedPerSecond, "jobs completed", .higherIsBetter)
        add(.jobQueues, .failed, "jobs failed", .lowerIsBetter)
        add(.jobQueues, .workerUtilization, "job workers busy", .lowerIsBetter, sweep: true, resource: ("job_workers", "job workers"))
        add(.jobQueues, .meanWaiting, "jobs waiting (mean)", .lowerIsBetter)
        add(.jobQueues, .meanLatencySeconds, "job latency (mean)", .lowerIsBetter, sweep: true, aliases: ["mean", "latency"])
        add(.jobQueues, .p95LatencySeconds, "job latency (p95)", .lowerIsBetter, sweep: true, aliases: ["p95"])

        add(.upstreams, .callsPerSecond, "upstream calls", .neither)
        add(.upstreams, .meanSeconds, "upstream call (mean)", .lowerIsBetter, aliases: ["mean", "latency"])
        add(.upstreams, .p95Seconds, "upstream call (p95)", .lowerIsBetter, sweep: true, aliases: ["p95"])
        add(.upstreams, .errorRate, "upstream errors", .lowerIsBetter, sweep: true, aliases: ["errors", "error"])
        add(.upstreams, .timeoutRate, "upstream timeouts", .lowerIsBetter, aliases: ["timeouts", "timeout"])
        add(.upstreams, .serverUtilization, "upstream busy", .lowerIsBetter, sweep: true, resource: ("upstream", "upstream"))
        add(.upstreams, .meanWaiting, "calls waiting at the upstream (mean)", .lowerIsBetter)
        add(.upstreams, .serverMeanWaitSeconds, "upstream wait (mean)", .lowerIsBetter)
        add(.upstreams, .connectionUtilization, "upstream client connections in use", .lowerIsBetter)
        add(.upstreams, .meanWaitingForConnection, "calls waiting for a client connection (mean)", .lowerIsBetter)
        add(.upstreams, .connectionMeanWaitSeconds, "upstream connection wait (mean)", .lowerIsBetter, aliases: ["wait"])
        add(.upstreams, .acquireTimeouts, "upstream acquire timeouts", .lowerIsBetter)

        add(.hosts, .utilization, "host cores busy", .lowerIsBetter, sweep: true, resource: ("host", "host"))
        add(.hosts, .meanRunnableThreads, "threads running or runnable (mean)", .neither)
        add(.hosts, .instancesUtilization, "host cores used by instances", .neither)
        add(.hosts, .databaseUtilization, "host cores used by the database", .neither)
        add(.hosts, .poolerUtilization, "host cores used by the pooler", .neither)
        add(.hosts, .clientUtilization, "host cores used by the client", .neither)

        add(.faults, .orphanedWrites, "orphaned writes", .lowerIsBetter, sweep: true)
        add(.faults, .orphanedWritesPerSecond, "orphaned writes per second", .lowerIsBetter)

        add(.stations, .utilization, "station busy", .lowerIsBetter, sweep: true, resource: ("station", "station"))
        add(.stations, .throughputPerSecond, "station throughput", .higherIsBetter, aliases: ["throughput"])
        add(.stations, .meanNumberPresent, "customers present (mean)", .neither, sweep: true)
        add(.stations, .meanNumberWaiting, "customers waiting (mean)", .lowerIsBetter)
        add(.stations, .meanResponseSeconds, "station response (mean)", .lowerIsBetter, sweep: true, aliases: ["response"])
        add(.stations, .meanWaitSeconds, "station wait (mean)", .lowerIsBetter, aliases: ["wait"])
        add(.stations, .p95ResponseSeconds, "station response (p95)", .lowerIsBetter, sweep: true, aliases: ["p95_response"])
        add(.stations, .blockedRate, "blocked", .lowerIsBetter)
        add(.stations, .abandonedRate, "abandoned", .lowerIsBetter)

        add(.network, .throughputPerSecond, "throughput", .higherIsBetter, sweep: true, aliases: ["throughput"])
        add(.network, .meanNumberInNetwork, "customers in the network (mean)", .neither)
        for (m, label, sweep) in [(Metric.meanSeconds, "mean latency", true), (.p50Seconds, "p50 latency", false),
                                  (.p95Seconds, "p95 latency", true), (.p99Seconds, "p99 latency", false),
                                  (.maxSeconds, "max latency", false)] {
            add(.network, m, label, .lowerIsBetter, sweep: sweep, aliases: latencyAliases[m] ?? [])
        }
        return out
    }
}
