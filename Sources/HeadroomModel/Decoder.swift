import Foundation

/// Limits beyond which a value is taken as a mistake ("absurd sizes"); docs/model-reference.md lists them.
public enum Limits {
    static let users = 1_000_000
    static let clients = 100_000_000
    static let poolSize = 100_000
    static let instances = 10_000
    static let workers = 10_000
    /// Request threads per instance (`instances.threads`).
    static let threads = 100_000
    static let cores = 10_000
    static let replicas = 1_000
    static let replications = 100_000
    public static let horizonSeconds = 30.0 * 86400
    /// Any other time in a model (a step, a timeout, a distribution's parameters and mean).
    static let durationSeconds = 30.0 * 86400
    /// A `repeat` count, and the mean of a count distribution.
    static let repeatCount = 1_000_000
    /// `k` of an Erlang distribution (a draw sums k exponentials).
    static let erlangPhases = 10_000
    static let capacity = 1_000_000_000
    static let maxConnections = 1_000_000
    static let retries = 100
    /// Stations of a plain network. Checking is linear in stations and routes (10,000 check in well
    /// under a second), but a run keeps one HdrHistogram per station (about 0.23 MB) in every
    /// replication's result: 1,000 stations and 10 replications already hold about 2.3 GB.
    public static let networkStations = 1_000
    /// Steps in a whole model, nested ones (`repeat`, `parallel`, `transaction`, cache `hit`/`miss`)
    /// included, a `repeat` counted once. Checked on each list's length before its steps are
    /// decoded: decoding a step parses its distributions, about 80 µs each in a release build, so
    /// 100,000 steps (which the file limits allow) took 8.7 s of CPU to check. A hand-written
    /// endpoint has tens of steps.
    public static let steps = 10_000
    /// Entries in one named section (`pools`, `poolers`, `caches`, `rate_limiters`, `job_queues`,
    /// `endpoints`), checked on the mapping's size before any entry is decoded.
    public static let sectionEntries = 1_000
}

/// Request-thread presets: what each server does out of the box (docs/guides/jvm-service.md).
enum ThreadPresets {
    /// Native spellings of the keys: Tomcat's attributes, Spring Boot's property names, a backlog.
    static let aliases = ["max_threads": "max", "maxThreads": "max", "accept_count": "accept_queue",
                          "acceptCount": "accept_queue", "backlog": "accept_queue", "threads_per_worker": "per_worker"]

    static func defaults(_ preset: ThreadPreset, workers: Int) -> (perInstance: Int, acceptQueue: Int?)? {
        switch preset {
        case .tomcat:
            // Tomcat's HTTP connector: `maxThreads` default 200 ("the maximum number of
            // simultaneous requests that can be handled"), `acceptCount` default 100 ("the maximum
            // queue length for incoming connection requests when all possible request processing
            // threads are in use; any requests received when the queue is full will be refused").
            // https://tomcat.apache.org/tomcat-10.1-doc/config/http.html; Spring Boot's
            // server.tomcat.threads.max and server.tomcat.accept-count keep them.
            return (200, 100)
        case .puma:
            // Puma: a pool of 5 threads per worker process (the `threads 5, 5` of the config/puma.rb
            // Rails generates, RAILS_MAX_THREADS, matching Active Record's pool of 5); its socket's
            // backlog defaults to 1024 (docs/architecture.md). https://github.com/puma/puma
            return (5 * max(1, workers), 1024)
        case .gunicornSync:
            // gunicorn's default `sync` worker class handles one request at a time per worker
            // process; `--backlog` defaults to 2048. https://docs.gunicorn.org/en/stable/settings.html
            return (max(1, workers), 2048)
        case .none:
            return nil
        }
    }
}

/// Pool presets: what each library does out of the box.
enum PoolPresets {
    struct Defaults {
        var size: Int
        var acquireTimeoutSeconds: Double?
        var scope: Scope
        /// Idle connections closed after this long; nil = kept open.
        var idleTimeoutSeconds: Double? = nil
        /// Connections kept open however idle; `nil` = all of them (`size`).
        var minIdle: Int? = 0
    }

    static func defaults(_ preset: PoolPreset, cpus: Int) -> Defaults? {
        switch preset {
        case .nodePostgres:
            // node-postgres pg.Pool: `max` default 10; `connectionTimeoutMillis` default 0 = no timeout,
            // a checkout waits forever; `idleTimeoutMillis` default 10000: an idle client is closed
            // after 10 s. https://node-postgres.com/apis/pool
            return Defaults(size: 10, acquireTimeoutSeconds: nil, scope: .perInstance, idleTimeoutSeconds: 10)
        case .postgresJs:
            // postgres.js (porsager/postgres): `max` default 10; no queue timeout (`connect_timeout` 30 s bounds
            // opening a connection, not waiting for a free one); `idle_timeout` default 0 = idle
            // connections stay open. https://github.com/porsager/postgres#connection-details
            return Defaults(size: 10, acquireTimeoutSeconds: nil, scope: .perInstance)
        case .prisma:
            // Prisma ORM: `connection_limit` default num_physical_cpus * 2 + 1; `pool_timeout` default 10 s;
            // `max_idle_connection_lifetime` default 300 s (connection URL reference).
            // https://www.prisma.io/docs/orm/prisma-client/setup-and-configuration/databases-connections/connection-pool
            return Defaults(size: cpus * 2 + 1, acquireTimeoutSeconds: 10, scope: .perInstance, idleTimeoutSeconds: 300)
        case .hikari:
            // HikariCP: `maximumPoolSize` default 10; `connectionTimeout` default 30000 ms; `idleTimeout`
            // 600000 ms, which applies only above `minimumIdle`, whose default is maximumPoolSize: by
            // default no connection is closed for idleness (min_idle = size).
            // https://github.com/brettwooldridge/HikariCP#gear-configuration-knobs-baby
            return Defaults(size: 10, acquireTimeoutSeconds: 30, scope: .perInstance, idleTimeoutSeconds: 600, minIdle: nil)
        case .pgbouncer:
            // PgBouncer as the clients see it: `default_pool_size` 20 server connections per database/user
            // pair, shared by all clients; `query_wait_timeout` 120 s; `server_idle_timeout` 600 s closes
            // server connections idle that long. https://www.pgbouncer.org/config.html
            return Defaults(size: 20, acquireTimeoutSeconds: 120, scope: .shared, idleTimeoutSeconds: 600)
        case .none:
            return nil
        }
    }
}

/// The pool libraries' own names for a pool's settings, accepted as aliases of the model's keys,
/// with the unit their bare numbers are in. Each names one of the model's keys, never a second meaning.
public enum PoolSpellings {
    public static let aliases: [String: String] = [
        // node-postgres (pg.Pool): max, connectionTimeoutMillis, idleTimeoutMillis.
        "max": "size", "connectionTimeoutMillis": "acquire_timeout", "idleTimeoutMillis": "idle_timeout",
        // Prisma connection URL: connection_limit, pool_timeout (s), max_idle_connection_lifetime (s).
        "connection_limit": "size", "pool_timeout": "acquire_timeout", "max_idle_connection_lifetime": "idle_timeout",
        // HikariCP: maximumPoolSize, connectionTimeout (ms), idleTimeout (ms), minimumIdle; Spring's kebab-case.
        "maximumPoolSize": "size", "connectionTimeout": "acquire_timeout", "idleTimeout": "idle_timeout", "minimumIdle": "min_idle",
        "maximum-pool-size": "size", "connection-timeout": "acquire_timeout", "idle-timeout": "idle_timeout", "minimum-idle": "min_idle",
        "maximum_pool_size": "size", "connection_timeout": "acquire_timeout", "minimum_idle": "min_idle",
        // PgBouncer as the clients' pool: default_pool_size, query_wait_timeout (s), server_idle_timeout (s).
        "default_pool_size": "size", "query_wait_timeout": "acquire_timeout", "server_idle_timeout": "idle_timeout",
    ]
    public static let nativeUnits: [String: String] = [
        "connectionTimeoutMillis": "ms", "idleTimeoutMillis": "ms",
        "pool_timeout": "s", "max_idle_connection_lifetime": "s",
        "connectionTimeout": "ms", "idleTimeout": "ms", "connection-timeout": "ms", "idle-timeout": "ms",
        "query_wait_timeout": "s", "server_idle_timeout": "s",
    ]
}

/// The names declared in one section, in file order, with a set for lookups: a network of 10,000
/// stations checks 10,000 route references, which a linear search made quadratic.
struct DeclaredNames: RandomAccessCollection {
    let names: [String]
    private let set: Set<String>

    init(_ names: [String] = []) {
        self.names = names
        self.set = Set(names)
    }

    var startIndex: Int { 0 }
    var endIndex: Int { names.count }
    subscript(i: Int) -> String { names[i] }
    func contains(_ name: String) -> Bool { set.contains(name) }

    /// "`a`, `b`, `c`", the first 20 and how many more.
    func listed() -> String {
        let shown = names.prefix(20).map { "`\($0)`" }.joined(separator: ", ")
        return names.count > 20 ? shown + " and \(names.count - 20) more" : shown
    }
}

/// Decodes a `YNode` tree into a `Model`, collecting every error it finds.
final class ModelDecoder {
    let r: Reader
    var diag: Diagnostics { r.diag }
    let file: String

    // Names declared in the file, gathered before steps are decoded so references can be checked.
    var poolNames = DeclaredNames()
    var poolerNames = DeclaredNames()
    var cacheNames = DeclaredNames()
    var limiterNames = DeclaredNames()
    var jobQueueNames = DeclaredNames()
    var upstreamNames = DeclaredNames()
    var hostNames = DeclaredNames()
    /// Decoded before the sections that place components on them.
    var hosts: [Host] = []
    var endpointNames = DeclaredNames()
    var database: Database?
    var cpus = 2
    /// Steps admitted so far (`Limits.steps`), and whether the limit has been reported.
    var stepsInModel = 0
    var stepLimitReported = false

    init(file: String, baseDirectory: String?) {
        self.file = file
        self.r = Reader(diag: Diagnostics(file: file), baseDirectory: baseDirectory)
    }

    static let topKeys = ["name", "description", "simulation", "workload", "instances", "pools", "poolers",
                          "database", "caches", "rate_limiters", "job_queues", "upstreams", "endpoints", "network", "faults",
                          "hosts", "client"]

    func decode(_ root: YNode) -> Model? {
        guard let top = r.fields(root, "", Self.topKeys, what: "model sections") else { return nil }

        poolNames = declaredNames(top["pools"])
        poolerNames = declaredNames(top["poolers"])
        cacheNames = declaredNames(top["caches"])
        limiterNames = declaredNames(top["rate_limiters"])
        jobQueueNames = declaredNames(top["job_queues"])
        upstreamNames = declaredNames(top["upstreams"])
        hostNames = declaredNames(top["hosts"])
        endpointNames = declaredNames(top["endpoints"])

        let name = top.name("name") ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        let simulation = decodeSimulation(top["simulation"])
        hosts = decodeNamedMap(top["hosts"], "hosts", decodeHost)
        let instances = decodeInstances(top["instances"])
        cpus = instances.cpus
        database = top["database"].flatMap(decodeDatabase)
        let poolers = decodeNamedMap(top["poolers"], "poolers", decodePooler)
        let pools = decodeNamedMap(top["pools"], "pools", decodePool)
        let caches = decodeNamedMap(top["caches"], "caches", decodeCache)
        let limiters = decodeNamedMap(top["rate_limiters"], "rate_limiters", decodeRateLimiter)
        let jobQueues = decodeNamedMap(top["job_queues"], "job_queues", decodeJobQueue)
        let upstreams = decodeNamedMap(top["upstreams"], "upstreams", decodeUpstream)
        let endpoints = decodeNamedMap(top["endpoints"], "endpoints", decodeEndpoint)
        let network = top["network"].flatMap(decodeNetwork)
        let faults = decodeFaults(top["faults"])
        let client = top["client"].flatMap(decodeClient)

        var workload: Workload? = nil
        if let w = top["workload"] {
            workload = decodeWorkload(w, closedDefaultClients: true)
        } else if network == nil {
            diag.error(root.origin, "workload", "the model has no `workload` (and no `network`); add e.g. `workload: {open: {rate: 50/s}}`")
        }
        if network != nil && (top.has("endpoints") || top.has("workload")) {
            diag.error(top.at("network"), "network", "a model is either a web backend (workload, endpoints, ...) or a plain queueing `network`, not both")
        }
        if workload != nil && endpoints.isEmpty && top["endpoints"] == nil {
            diag.error(root.origin, "endpoints", "the model has a workload but no `endpoints`")
        }
        if pools.isEmpty == false && database == nil {
            database = Database()
        }

        if !diag.errors.isEmpty { return nil }
        return Model(name: name, sourcePath: file, simulation: simulation, workload: workload, instances: instances,
                     pools: pools, poolers: poolers, database: database, caches: caches, rateLimiters: limiters,
                     jobQueues: jobQueues, endpoints: endpoints, network: network, faults: faults, upstreams: upstreams,
                     hosts: hosts, client: client)
    }

    // MARK: helpers

    func declaredNames(_ node: YNode?) -> DeclaredNames {
        DeclaredNames(node?.entries?.map(\.key) ?? [])
    }

    /// A mapping `name: {settings}` in file order.
    /// Decodes each entry of a section with `body`. A mapping of more than `limit` entries is
    /// refused on its size, before any entry is decoded, so its cost stays proportional to the limit.
    func decodeNamedMap<T>(_ node: YNode?, _ path: String, limit: Int = Limits.sectionEntries, noun: String = "entries",
                           _ body: (String, YNode, String) -> T?) -> [T] {
        guard let node, !node.isNull else { return [] }
        guard let entries = node.entries else {
            diag.error(node.origin, path, "expected a mapping of names to settings (e.g. `\(path):` then `  my_name: {...}`), found \(r.describe(node))")
            return []
        }
        if entries.count > limit {
            diag.error(node.origin, path, "\(entries.count) \(noun), more than the limit of \(limit) (none of them was checked)")
            return []
        }
        var out: [T] = []
        for e in entries {
            let p = Reader.join(path, e.key)
            if e.key.isEmpty || e.key.contains(".") || e.key.contains(" ") {
                diag.error(e.keyOrigin, p, "names may not be empty or contain dots or spaces (they are used in override paths)")
                continue
            }
            if e.key == "exit" && path == "network.stations" {
                diag.error(e.keyOrigin, p, "`exit` is reserved for routing out of the network")
                continue
            }
            if let v = body(e.key, e.value, p) { out.append(v) }
        }
        return out
    }

    func reference(_ name: String, _ kinds: DeclaredNames, _ noun: String, _ origin: Origin, _ path: String) -> Bool {
        if kinds.contains(name) { return true }
        if kinds.isEmpty {
            diag.error(origin, path, "no \(noun) named `\(name)`: the model defines no \(noun)s")
        } else if diag.isFull {
            diag.error(origin, path, "no \(noun) named `\(name)`") // not shown: no suggestion to compute
        } else {
            let hint = Suggest.closest(name, in: kinds.names).map { "did you mean `\($0)`? " } ?? ""
            diag.error(origin, path, "no \(noun) named `\(name)`; \(hint)defined: \(kinds.listed())")
        }
        return false
    }

    // MARK: simulation

    func decodeSimulation(_ node: YNode?) -> SimulationSettings {
        var s = SimulationSettings()
        guard let node, let f = r.fields(node, "simulation",
            ["horizon", "warmup", "replications", "seed", "precision", "max_replications", "confidence", "latency_of"],
            aliases: ["warm_up": "warmup", "duration": "horizon", "target_relative_error": "precision"]) else { return s }
        if let h = f.duration("horizon", positive: true, max: Limits.horizonSeconds) { s.horizonSeconds = h }
        if let w = f["warmup"] {
            if w.scalar?.lowercased() == "auto" || w.scalar?.lowercased() == "mser5" || w.scalar?.lowercased() == "mser-5" {
                s.warmup = .mser5
            } else if let v = r.duration(w, f.p("warmup"), what: "`warmup`") {
                s.warmup = .fixed(seconds: v)
                if v >= s.horizonSeconds {
                    diag.error(w.origin, f.p("warmup"), "warm-up (\(Units.formatDuration(v))) must be shorter than the horizon (\(Units.formatDuration(s.horizonSeconds)))")
                }
            }
        }
        if let n = f.int("replications", max: Limits.replications) { s.replications = n }
        if let seedNode = f["seed"], let t = r.text(seedNode, f.p("seed"), "a whole number") {
            if let v = UInt64(t.replacingOccurrences(of: "_", with: "")) { s.seed = v }
            else { diag.error(seedNode.origin, f.p("seed"), "`seed` must be a whole number ≥ 0, not `\(t)`") }
        }
        if let p = f["precision"] {
            if let v = r.probability(p, f.p("precision"), what: "`precision`") {
                if v <= 0 { diag.error(p.origin, f.p("precision"), "`precision` must be more than 0, e.g. 2%") }
                else { s.targetRelativeError = v }
            }
        }
        s.maxReplications = max(100, s.replications)
        if let m = f.int("max_replications", max: Limits.replications) {
            s.maxReplications = m
            if m < s.replications { diag.error(f.at("max_replications"), f.p("max_replications"), "`max_replications` (\(m)) is below `replications` (\(s.replications))") }
        }
        if let c = f["confidence"], let v = r.probability(c, f.p("confidence"), what: "`confidence`") {
            if v < 0.5 || v >= 1 { diag.error(c.origin, f.p("confidence"), "`confidence` must be in [50%, 100%), e.g. 95%") }
            else { s.confidenceLevel = v }
        }
        if let l = f.choice("latency_of", ["succeeded": LatencyOf.succeeded, "all": .all], what: "`latency_of`") { s.latencyOf = l }
        return s
    }
}
