import Foundation

/// Limits beyond which a value is taken as a mistake ("absurd sizes"); docs/model-reference.md lists them.
public enum Limits {
    static let users = 1_000_000
    static let clients = 100_000_000
    static let poolSize = 100_000
    static let instances = 10_000
    static let workers = 10_000
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
                          "database", "caches", "rate_limiters", "job_queues", "endpoints", "network", "faults"]

    func decode(_ root: YNode) -> Model? {
        guard let top = r.fields(root, "", Self.topKeys, what: "model sections") else { return nil }

        poolNames = declaredNames(top["pools"])
        poolerNames = declaredNames(top["poolers"])
        cacheNames = declaredNames(top["caches"])
        limiterNames = declaredNames(top["rate_limiters"])
        jobQueueNames = declaredNames(top["job_queues"])
        endpointNames = declaredNames(top["endpoints"])

        let name = top.name("name") ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        let simulation = decodeSimulation(top["simulation"])
        let instances = decodeInstances(top["instances"])
        cpus = instances.cpus
        database = top["database"].flatMap(decodeDatabase)
        let poolers = decodeNamedMap(top["poolers"], "poolers", decodePooler)
        let pools = decodeNamedMap(top["pools"], "pools", decodePool)
        let caches = decodeNamedMap(top["caches"], "caches", decodeCache)
        let limiters = decodeNamedMap(top["rate_limiters"], "rate_limiters", decodeRateLimiter)
        let jobQueues = decodeNamedMap(top["job_queues"], "job_queues", decodeJobQueue)
        let endpoints = decodeNamedMap(top["endpoints"], "endpoints", decodeEndpoint)
        let network = top["network"].flatMap(decodeNetwork)
        let faults = decodeFaults(top["faults"])

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
                     jobQueues: jobQueues, endpoints: endpoints, network: network, faults: faults)
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

    // MARK: workload

    func decodeWorkload(_ node: YNode, closedDefaultClients: Bool) -> Workload? {
        guard let f = r.fields(node, "workload", ["open", "closed", "mix", "endpoint", "clients"]) else { return nil }
        var arrivals: Arrivals? = nil
        if f.has("open") && f.has("closed") {
            diag.error(f.at("closed"), "workload", "a workload is either `open` or `closed`, not both")
        }
        if let o = f["open"] {
            arrivals = decodeOpen(o)
        } else if let c = f["closed"] {
            if let cf = r.fields(c, "workload.closed", ["users", "think_time"], aliases: ["thinktime": "think_time", "think": "think_time"]) {
                if !cf.has("users") { diag.error(c.origin, "workload.closed.users", "a closed workload needs `users` (the number of concurrent users)") }
                let users = cf.int("users", max: Limits.users, what: "`users`")
                let think = cf.distribution("think_time") ?? .constant(0)
                if let users { arrivals = .closed(users: users, thinkTime: think) }
            }
        } else {
            diag.error(node.origin, "workload", "a workload needs `open` (e.g. `open: {rate: 50/s}`) or `closed` (e.g. `closed: {users: 100, think_time: exp(2s)}`)")
        }

        // Mix.
        var mix: [MixEntry] = []
        if f.has("mix") && f.has("endpoint") {
            diag.error(f.at("endpoint"), "workload.endpoint", "give either `mix` or `endpoint`, not both")
        }
        if let m = f["mix"] {
            var raw: [(String, Double, Origin, String)] = []
            if let entries = m.entries {
                for e in entries {
                    let p = "workload.mix.\(e.key)"
                    if let w = r.number(e.value, p, min: 0, what: "the weight of `\(e.key)`") { raw.append((e.key, w, e.keyOrigin, p)) }
                }
            } else if let items = m.items {
                for (i, item) in items.enumerated() {
                    let p = "workload.mix[\(i)]"
                    if let s = item.scalar, !item.isNull { raw.append((s, 1, item.origin, p)); continue }
                    guard let mf = r.fields(item, p, ["endpoint", "weight"]) else { continue }
                    guard let n = mf.name("endpoint") else { diag.error(item.origin, p, "a mix entry needs `endpoint`"); continue }
                    raw.append((n, mf.number("weight", min: 0) ?? 1, mf.at("endpoint"), p))
                }
            } else if let s = m.scalar, !m.isNull {
                raw.append((s, 1, m.origin, "workload.mix"))
            }
            for (n, _, o, p) in raw { _ = reference(n, endpointNames, "endpoint", o, p) }
            let total = raw.reduce(0) { $0 + $1.1 }
            if raw.isEmpty { diag.error(m.origin, "workload.mix", "the mix is empty; list endpoints with weights, e.g. `mix: {search: 0.8, checkout: 0.2}`") }
            else if total <= 0 { diag.error(m.origin, "workload.mix", "the mix weights sum to zero") }
            else { mix = raw.map { MixEntry(endpoint: $0.0, weight: $0.1 / total) } }
        } else if let e = f["endpoint"], let n = r.name(e, "workload.endpoint") {
            if reference(n, endpointNames, "endpoint", e.origin, "workload.endpoint") { mix = [MixEntry(endpoint: n, weight: 1)] }
        } else if endpointNames.count == 1 {
            mix = [MixEntry(endpoint: endpointNames[0], weight: 1)]
        } else if endpointNames.count > 1 {
            diag.error(node.origin, "workload.mix", "the workload needs a `mix` of endpoints (there are \(endpointNames.count): \(endpointNames.listed()))")
        }

        var clients = 1000
        if case let .closed(users, _)? = arrivals { clients = users }
        if let c = f.int("clients", max: Limits.clients) { clients = c }
        guard let arrivals else { return nil }
        return Workload(arrivals: arrivals, mix: mix, clients: clients)
    }

    func decodeOpen(_ node: YNode) -> Arrivals? {
        guard let f = r.fields(node, "workload.open", ["rate", "constant_rate", "phases", "arrivals"]) else { return nil }
        let given = ["rate", "constant_rate", "phases"].filter { f.has($0) }
        guard given.count == 1 else {
            if given.isEmpty {
                diag.error(node.origin, "workload.open", "an open workload needs `rate` (Poisson, e.g. 50/s), `constant_rate` or `phases`")
            } else {
                diag.error(f.at(given[1]), "workload.open", "give only one of \(given.map { "`\($0)`" }.joined(separator: ", "))")
            }
            return nil
        }
        var process: ArrivalProcess = given[0] == "constant_rate" ? .constant : .poisson
        if let a = f.choice("arrivals", ["poisson": ArrivalProcess.poisson, "constant": .constant], what: "arrival process") {
            if given[0] == "constant_rate" && a == .poisson {
                diag.error(f.at("arrivals"), f.p("arrivals"), "`constant_rate` contradicts `arrivals: poisson`")
            }
            process = a
        }
        switch given[0] {
        case "rate", "constant_rate":
            guard let v = f.rate(given[0]) else { return nil }
            return .open(.rate(perSecond: v), process: process)
        default:
            guard let list = f["phases"]?.items else {
                diag.error(f.at("phases"), f.p("phases"), "`phases` must be a list, e.g. `- {duration: 2min, rate: 5/s, ramp_to: 50/s}`")
                return nil
            }
            var phases: [Phase] = []
            for (i, item) in list.enumerated() {
                let p = "workload.open.phases[\(i)]"
                guard let pf = r.fields(item, p, ["duration", "rate", "ramp_to", "name"],
                                        aliases: ["arrival_rate": "rate", "rampto": "ramp_to"]) else { continue }
                if !pf.has("duration") { diag.error(item.origin, p + ".duration", "a phase needs `duration`") }
                if !pf.has("rate") { diag.error(item.origin, p + ".rate", "a phase needs `rate`") }
                let d = pf.duration("duration", positive: true, max: Limits.horizonSeconds)
                let rate = pf["rate"].flatMap { r.rate($0, p + ".rate", what: "`rate`", allowZero: true) }
                let ramp = pf["ramp_to"].flatMap { r.rate($0, p + ".ramp_to", what: "`ramp_to`", allowZero: true) }
                if let d, let rate { phases.append(Phase(durationSeconds: d, ratePerSecond: rate, rampToPerSecond: ramp)) }
            }
            if list.isEmpty { diag.error(f.at("phases"), f.p("phases"), "`phases` is empty") }
            return .open(.phases(phases), process: process)
        }
    }

    // MARK: instances

    func decodeInstances(_ node: YNode?) -> Instances {
        var inst = Instances()
        guard let node else { return inst }
        if let s = node.scalar, !node.isNull {
            // `instances: 3`
            if let n = r.int(node, "instances", min: 1, max: Limits.instances, what: "`instances`") { inst.count = n }
            _ = s
            return inst
        }
        guard let f = r.fields(node, "instances", ["count", "workers", "cpus", "balancer", "health_check_interval", "failures"],
                               aliases: ["health_check": "health_check_interval", "load_balancer": "balancer"]) else { return inst }
        if let n = f.int("count", max: Limits.instances) { inst.count = n }
        if let n = f.int("workers", max: Limits.workers) { inst.workers = n }
        if let n = f.int("cpus", max: 1024) { inst.cpus = n }
        if let b = f.choice("balancer", ["round_robin": Balancer.roundRobin, "least_connections": .leastConnections,
                                         "random": .random, "sticky": .sticky], what: "balancer") { inst.balancer = b }
        if let h = f.optionalDuration("health_check_interval") { inst.healthCheckIntervalSeconds = h }
        if let list = f["failures"] {
            guard let items = list.items else {
                diag.error(list.origin, f.p("failures"), "`failures` must be a list, e.g. `- {instance: 0, at: 5min}`")
                return inst
            }
            for (i, item) in items.enumerated() {
                let p = "instances.failures[\(i)]"
                guard let ff = r.fields(item, p, ["instance", "at"]) else { continue }
                if !ff.has("instance") || !ff.has("at") { diag.error(item.origin, p, "a failure needs `instance` (0-based) and `at` (a time)"); continue }
                guard let idx = ff.int("instance", min: 0, max: Limits.instances), let at = ff.duration("at", max: Limits.horizonSeconds) else { continue }
                if idx >= inst.count {
                    diag.error(ff.at("instance"), p + ".instance", "instance \(idx) does not exist: instances are numbered from 0 to \(inst.count - 1)")
                    continue
                }
                inst.failures.append(InstanceFailure(instance: idx, atSeconds: at))
            }
            if inst.failures.count >= inst.count && !inst.failures.isEmpty {
                diag.warn(list.origin, "instances.failures", "every instance fails: after the last failure no request can be served")
            }
        }
        return inst
    }

    // MARK: database, poolers, pools

    func decodeDatabase(_ node: YNode) -> Database? {
        guard let f = r.fields(node, "database", ["cores", "max_connections", "replicas", "replica_cores", "read_routing",
                                                  "query_failure_probability", "round_trip", "contention", "coherency", "read_from"]) else { return nil }
        let cores = f.int("cores", max: Limits.cores) ?? 4
        let maxConn = f.int("max_connections", max: Limits.maxConnections) ?? 100
        let replicas = f.int("replicas", min: 0, max: Limits.replicas) ?? 0
        let replicaCores = f.int("replica_cores", max: Limits.cores)
        let routing = f.choice("read_routing", ["primary": ReadRouting.primary, "round_robin": .roundRobin,
                                                "random": .random, "least_busy": .leastBusy], what: "read routing")
        let pfail = f.probability("query_failure_probability") ?? 0
        if replicas == 0, let routing, routing != .primary {
            diag.warn(f.at("read_routing"), "database.read_routing", "`read_routing` has no effect without `replicas`")
        }
        let readFrom = f.choice("read_from", ["replicas": ReadFrom.replicas, "all": .all], what: "`read_from`") ?? .replicas
        if replicas == 0 && f.has("read_from") {
            diag.warn(f.at("read_from"), "database.read_from", "`read_from` has no effect without `replicas`")
        }
        if replicas == 0 && f.has("replica_cores") {
            diag.warn(f.at("replica_cores"), "database.replica_cores", "`replica_cores` has no effect without `replicas`")
        }
        return Database(cores: cores, maxConnections: maxConn, replicas: replicas, replicaCores: replicaCores,
                        readRouting: replicas == 0 ? .primary : routing, queryFailureProbability: pfail,
                        roundTrip: f.distribution("round_trip"),
                        contention: f.probability("contention") ?? 0, coherency: f.probability("coherency") ?? 0,
                        readFrom: readFrom)
    }

    func decodePooler(_ name: String, _ node: YNode, _ path: String) -> Pooler? {
        guard let f = r.fields(node, path, ["server_connections", "max_client_connections", "query_wait_timeout", "mode"],
                               aliases: ["default_pool_size": "server_connections", "max_client_conn": "max_client_connections",
                                         "pool_mode": "mode"],
                               nativeUnits: ["query_wait_timeout": "s"]) else { return nil }
        var p = Pooler(name: name)
        if let n = f.int("server_connections", max: Limits.poolSize) { p.serverConnections = n }
        if let n = f.int("max_client_connections", max: Limits.maxConnections) { p.maxClientConnections = n }
        if let t = f.optionalDuration("query_wait_timeout") { p.queryWaitTimeoutSeconds = t }
        if let m = f.choice("mode", ["transaction": PoolerMode.transaction, "session": .session], what: "pooler mode") { p.mode = m }
        return p
    }

    func decodePool(_ name: String, _ node: YNode, _ path: String) -> Pool? {
        guard let f = r.fields(node, path, ["preset", "size", "scope", "acquire_timeout", "connection_setup", "via",
                                            "idle_timeout", "min_idle"],
                               aliases: PoolSpellings.aliases, nativeUnits: PoolSpellings.nativeUnits) else { return nil }
        let preset = f.choice("preset", ["node_postgres": PoolPreset.nodePostgres, "pg": .nodePostgres, "postgres_js": .postgresJs,
                                         "postgresjs": .postgresJs, "prisma": .prisma,
                                         "hikari": .hikari, "hikaricp": .hikari, "pgbouncer": .pgbouncer, "none": PoolPreset.none],
                              what: "pool preset") ?? PoolPreset.none
        let defaults = PoolPresets.defaults(preset, cpus: cpus)
        if defaults == nil && !f.has("size") {
            diag.error(node.origin, path + ".size", "pool `\(name)` needs `size` (or a `preset`: node_postgres, postgres_js, prisma, hikari, pgbouncer)")
        }
        var pool = Pool(name: name, preset: preset, size: defaults?.size ?? 10, scope: defaults?.scope ?? .perInstance,
                        acquireTimeoutSeconds: defaults?.acquireTimeoutSeconds,
                        idleTimeoutSeconds: defaults?.idleTimeoutSeconds)
        if let n = f.int("size", max: Limits.poolSize, what: "pool size") { pool.size = n }
        // A preset's min_idle of "all" follows an explicit size.
        pool.minIdle = defaults.map { $0.minIdle ?? pool.size } ?? 0
        if let t = f.optionalDuration("idle_timeout") { pool.idleTimeoutSeconds = t }
        if let n = f.int("min_idle", min: 0, max: Limits.poolSize, what: "`min_idle`") {
            pool.minIdle = n
            if n > pool.size {
                diag.error(f.at("min_idle"), f.p("min_idle"), "`min_idle` (\(n)) exceeds the pool's size (\(pool.size))")
            }
        }
        if let s = f.choice("scope", ["per_instance": Scope.perInstance, "shared": .shared, "global": .shared], what: "scope") { pool.scope = s }
        if let node = f["acquire_timeout"], node.scalar?.contains("(") == true {
            // A distribution: each wait draws its own timeout (a constant one stays the fast path).
            if let d = f.distribution("acquire_timeout") {
                if case let .constant(c) = d {
                    pool.acquireTimeoutSeconds = c
                } else {
                    pool.acquireTimeout = d
                    pool.acquireTimeoutSeconds = d.mean
                }
            }
        } else if let t = f.optionalDuration("acquire_timeout") { pool.acquireTimeoutSeconds = t }
        if let d = f.distribution("connection_setup") { pool.connectionSetup = d }
        if let v = f["via"], let n = r.name(v, path + ".via") {
            if reference(n, poolerNames, "pooler", v.origin, path + ".via") { pool.via = n }
        }
        if pool.acquireTimeoutSeconds == nil {
            diag.warn(f.at("acquire_timeout"), path + ".acquire_timeout",
                      "pool `\(name)` has no acquire timeout: a request waits for a connection forever\(preset == .nodePostgres ? " (node-postgres default)" : preset == .postgresJs ? " (postgres.js default)" : "")")
        }
        return pool
    }

    // MARK: caches, rate limiters

    func decodeCache(_ name: String, _ node: YNode, _ path: String) -> Cache? {
        guard let f = r.fields(node, path, ["scope", "hit_ratio", "keys", "capacity", "ttl", "lookup", "invalidation", "single_flight", "server"],
                               aliases: ["invalidate_on_write": "invalidation", "hit_rate": "hit_ratio", "singleflight": "single_flight"]) else { return nil }
        let scope = f.choice("scope", ["per_instance": Scope.perInstance, "shared": .shared, "global": .shared], what: "scope") ?? .perInstance
        var hits: CacheHits? = nil
        if f.has("hit_ratio") && f.has("keys") {
            diag.error(f.at("keys"), path, "give either `hit_ratio` or `keys`, not both")
        } else if let h = f.probability("hit_ratio") {
            hits = .ratio(h)
            for k in ["capacity", "ttl"] where f.has(k) {
                diag.warn(f.at(k), f.p(k), "`\(k)` is ignored with a fixed `hit_ratio`; use `keys: zipf(...)` to make hits emerge")
            }
        } else if let k = f["keys"], let t = r.text(k, f.p("keys"), "zipf(s: 1.0, n: 1000)") {
            do { hits = .keys(try KeyPopularityParser.parse(t)) } catch { diag.error(k.origin, f.p("keys"), error.message) }
        } else if !f.has("hit_ratio") && !f.has("keys") {
            diag.error(node.origin, path, "cache `\(name)` needs `hit_ratio` (e.g. 80%) or `keys` (e.g. zipf(s: 1.0, n: 1000))")
        }
        var cache = Cache(name: name, scope: scope, hits: hits ?? .ratio(0))
        if let c = f.optionalInt("capacity", max: Limits.capacity, what: "`capacity`") { cache.capacity = c }
        if let t = f.optionalDuration("ttl") { cache.ttlSeconds = t }
        if let l = f.distribution("lookup") { cache.lookup = l }
        if let i = f.choice("invalidation", ["key": Invalidation.key, "all": .all], what: "invalidation") { cache.invalidation = i }
        if let s = f.bool("single_flight") { cache.singleFlight = s }
        if let node = f["server"], let sf = r.fields(node, f.p("server"), ["servers", "time", "fill_time", "connections", "connection_timeout", "on_timeout"]) {
            let servers = sf.int("servers", max: Limits.poolSize) ?? 1
            if let t = sf.distribution("time") {
                let connections = sf.optionalInt("connections", max: Limits.poolSize).flatMap { $0 }
                let timeout = sf.optionalDuration("connection_timeout").flatMap { $0 }
                if timeout != nil && connections == nil {
                    diag.error(sf.at("connection_timeout"), f.p("server") + ".connection_timeout",
                               "`connection_timeout` is the wait for a client connection: give `connections` (the client pool's size) too")
                }
                let onTimeout = sf.choice("on_timeout", ["fail": CacheTimeoutAction.fail, "miss": .miss], what: "action on a connection timeout")
                if onTimeout != nil && timeout == nil {
                    diag.error(sf.at("on_timeout"), f.p("server") + ".on_timeout",
                               "`on_timeout` says what a command that gave up waiting for a connection does: give `connection_timeout` too")
                }
                cache.server = CacheServer(servers: servers, time: t, fillTime: sf.distribution("fill_time"),
                                           connectionsPerInstance: connections, connectionTimeoutSeconds: timeout,
                                           onTimeout: onTimeout ?? .fail)
            } else if !sf.has("time") {
                diag.error(node.origin, f.p("server") + ".time", "cache `\(name)`'s `server` needs `time`, e.g. exp(100us)")
            }
        }
        return hits == nil ? nil : cache
    }

    func decodeRateLimiter(_ name: String, _ node: YNode, _ path: String) -> RateLimiter? {
        guard let f = r.fields(node, path, ["algorithm", "rate", "burst", "limit", "window", "key", "scope"]) else { return nil }
        let algo = f.choice("algorithm", ["token_bucket": "token_bucket", "fixed_window": "fixed_window"], what: "algorithm")
            ?? (f.has("window") || f.has("limit") ? "fixed_window" : "token_bucket")
        var algorithm: RateLimitAlgorithm? = nil
        if algo == "token_bucket" {
            for k in ["limit", "window"] where f.has(k) {
                diag.error(f.at(k), f.p(k), "`\(k)` belongs to `fixed_window`; a token bucket has `rate` and `burst`")
            }
            if !f.has("rate") { diag.error(node.origin, path + ".rate", "a token bucket needs `rate` (e.g. 10/s)") }
            if let rate = f.rate("rate") {
                let burst = f.int("burst", max: Limits.capacity) ?? max(1, Int(min(rate.rounded(.up), Double(Limits.capacity))))
                algorithm = .tokenBucket(ratePerSecond: rate, burst: burst)
            }
        } else {
            for k in ["rate", "burst"] where f.has(k) {
                diag.error(f.at(k), f.p(k), "`\(k)` belongs to `token_bucket`; a fixed window has `limit` and `window`")
            }
            if !f.has("limit") || !f.has("window") { diag.error(node.origin, path, "a fixed window needs `limit` (requests) and `window` (e.g. 1min)") }
            if let l = f.int("limit", max: Limits.capacity), let w = f.duration("window", positive: true, min: 1e-6) {
                algorithm = .fixedWindow(limit: l, windowSeconds: w)
            }
        }
        let key = f.choice("key", ["user": RateLimitKey.user, "ip": .ip, "global": .global], what: "rate-limit key") ?? .user
        let scope = f.choice("scope", ["per_instance": Scope.perInstance, "global": .shared, "shared": .shared], what: "scope") ?? .shared
        guard let algorithm else { return nil }
        return RateLimiter(name: name, algorithm: algorithm, key: key, scope: scope)
    }

    // MARK: job queues, endpoints, steps

    struct StepContext {
        var defaultPool: String?
        var transactionPool: String?
        var owner: String
    }

    func decodeJobQueue(_ name: String, _ node: YNode, _ path: String) -> JobQueue? {
        guard let f = r.fields(node, path, ["workers", "pool", "capacity", "steps"]) else { return nil }
        let workers = f.int("workers", max: Limits.workers) ?? 1
        var pool: String? = nil
        if let p = f["pool"], let n = r.name(p, path + ".pool"), reference(n, poolNames, "pool", p.origin, path + ".pool") { pool = n }
        let capacity = f.optionalInt("capacity", max: Limits.capacity) ?? nil
        guard let s = f["steps"] else {
            diag.error(node.origin, path + ".steps", "job queue `\(name)` needs `steps` (the job's work)")
            return nil
        }
        let steps = decodeSteps(s, path + ".steps", StepContext(defaultPool: pool, transactionPool: nil, owner: "job queue `\(name)`"))
        return JobQueue(name: name, workers: workers, pool: pool, capacity: capacity, steps: steps)
    }

    func decodeEndpoint(_ name: String, _ node: YNode, _ path: String) -> Endpoint? {
        guard let f = r.fields(node, path, ["timeout", "retry", "cancel_on_timeout", "rate_limiters", "pool", "steps"],
                               aliases: ["rate_limiter": "rate_limiters", "rate_limit": "rate_limiters", "retries": "retry"]) else { return nil }
        var ep = Endpoint(name: name, steps: [])
        if let t = f.optionalDuration("timeout") { ep.timeoutSeconds = t }
        if let c = f.bool("cancel_on_timeout") { ep.cancelOnTimeout = c }
        if let names = f.names("rate_limiters") {
            for (i, n) in names.enumerated() where reference(n, limiterNames, "rate limiter", f.at("rate_limiters"), f.p("rate_limiters") + (names.count > 1 ? "[\(i)]" : "")) {
                ep.rateLimiters.append(n)
            }
        }
        var pool: String? = nil
        if let p = f["pool"], let n = r.name(p, path + ".pool"), reference(n, poolNames, "pool", p.origin, path + ".pool") { pool = n }
        if let rn = f["retry"] { ep.retry = decodeRetry(rn, path + ".retry") }
        if ep.retry != nil && ep.timeoutSeconds == nil, let retry = ep.retry, retry.retryOn.contains(.timeout), retry.retryOn.count == 1 {
            diag.warn(f.at("retry"), path + ".retry", "retries on timeout never happen: the endpoint has no `timeout`")
        }
        guard let s = f["steps"] else {
            diag.error(node.origin, path + ".steps", "endpoint `\(name)` needs `steps`")
            return nil
        }
        ep.steps = decodeSteps(s, path + ".steps", StepContext(defaultPool: pool, transactionPool: nil, owner: "endpoint `\(name)`"))
        return ep
    }

    func decodeRetry(_ node: YNode, _ path: String) -> RetryPolicy? {
        guard let f = r.fields(node, path, ["max_attempts", "backoff", "multiplier", "jitter", "on"],
                               aliases: ["attempts": "max_attempts", "retry_on": "on"]) else { return nil }
        guard let attempts = f.int("max_attempts", max: Limits.retries, what: "`max_attempts`") else {
            if !f.has("max_attempts") { diag.error(node.origin, path + ".max_attempts", "`retry` needs `max_attempts` (attempts in total, the first included)") }
            return nil
        }
        var p = RetryPolicy(maxAttempts: attempts, backoffSeconds: f.duration("backoff") ?? 0)
        if let m = f.number("multiplier", min: 1, max: 100) { p.multiplier = m }
        if let j = f.probability("jitter") { p.jitter = j }
        if let on = f["on"], let names = r.names(on, path + ".on") {
            var set = Set<RetryCondition>()
            for n in names {
                switch Suggest.snake(n) {
                case "timeout", "timeouts": set.insert(.timeout)
                case "error", "errors", "5xx": set.insert(.error)
                case "rate_limited", "429": set.insert(.rateLimited)
                default: diag.error(on.origin, path + ".on", "unknown retry condition `\(n)`; \(Suggest.hint(n, ["timeout", "error", "rate_limited"], noun: "conditions"))")
                }
            }
            p.retryOn = set
        }
        return p
    }

    static let stepKinds = ["cpu", "query", "cache", "call", "enqueue", "repeat", "parallel", "transaction", "sleep"]

    /// Counts `count` more steps against `Limits.steps` before they are decoded; false (and one
    /// error, at the list that passes the limit) when the model would have more.
    func admitSteps(_ count: Int, _ origin: Origin, _ path: String) -> Bool {
        stepsInModel += count
        guard stepsInModel > Limits.steps else { return true }
        if !stepLimitReported {
            stepLimitReported = true
            diag.error(origin, path, "this list of \(count) steps brings the model to \(stepsInModel) steps; a model may have at most \(Limits.steps) steps in all (nested ones included)")
        }
        return false
    }

    func decodeSteps(_ node: YNode, _ path: String, _ ctx: StepContext) -> [Step] {
        guard let items = node.items else {
            if node.isNull { return [] }
            diag.error(node.origin, path, "steps must be a list (each item starting with `- `), found \(r.describe(node))")
            return []
        }
        guard admitSteps(items.count, node.origin, path) else { return [] }
        var out: [Step] = []
        for (i, item) in items.enumerated() {
            if let s = decodeStep(item, "\(path)[\(i)]", ctx) { out.append(s) }
        }
        return out
    }

    func decodeStep(_ node: YNode, _ path: String, _ ctx: StepContext) -> Step? {
        guard let entries = node.entries else {
            diag.error(node.origin, path, "a step is a mapping such as `cpu: 5ms` or `query: {pool: db, time: 20ms}`; found \(r.describe(node))")
            return nil
        }
        let kinds = entries.filter { Self.stepKinds.contains($0.key) }
        guard kinds.count == 1, let kindEntry = kinds.first else {
            if kinds.count > 1 {
                diag.error(kinds[1].keyOrigin, path, "one step per list item: found both `\(kinds[0].key)` and `\(kinds[1].key)` (start a new item with `- `)")
            } else if let first = entries.first {
                diag.error(first.keyOrigin, "\(path).\(first.key)", "unknown step `\(first.key)`; \(Suggest.hint(first.key, Self.stepKinds, noun: "steps"))")
            } else {
                diag.error(node.origin, path, "empty step")
            }
            return nil
        }
        let kind = kindEntry.key
        let v = kindEntry.value
        let kp = "\(path).\(kind)"
        // Keys allowed next to the step kind (sibling form).
        let siblings: [String: [String]] = ["cache": ["hit", "miss"], "repeat": ["steps"], "transaction": ["steps"]]
        let allowedSiblings = siblings[kind] ?? []
        var sib: [String: YNode] = [:]
        for e in entries where e.key != kind {
            if allowedSiblings.contains(e.key) { sib[e.key] = e.value; continue }
            let pool = allowedSiblings + Self.stepKinds
            let extra = (kind == "query" || kind == "call") ? " (put the \(kind)'s settings inside it: `\(kind): {...}`)" : ""
            diag.error(e.keyOrigin, "\(path).\(e.key)", "unknown key `\(e.key)` next to `\(kind)`; \(Suggest.hint(e.key, pool))\(extra)")
        }

        switch kind {
        case "cpu":
            return r.distribution(v, kp).map(Step.cpu)
        case "sleep":
            return r.distribution(v, kp).map(Step.sleep)
        case "enqueue":
            guard let n = r.name(v, kp), reference(n, jobQueueNames, "job queue", v.origin, kp) else { return nil }
            return .enqueue(n)
        case "query":
            return decodeQuery(v, kp, ctx).map(Step.query)
        case "call":
            return decodeCall(v, kp).map(Step.call)
        case "cache":
            var name: String? = nil
            var hitNode = sib["hit"], missNode = sib["miss"]
            if let s = v.scalar, !v.isNull {
                name = s
            } else if let f = r.fields(v, kp, ["name", "hit", "miss"]) {
                name = f.name("name")
                if name == nil { diag.error(v.origin, kp + ".name", "a cache step needs the cache's name: `cache: my_cache`") }
                if let h = f["hit"] { hitNode = h }
                if let m = f["miss"] { missNode = m }
            }
            guard let name, reference(name, cacheNames, "cache", v.origin, kp) else { return nil }
            let hit = hitNode.map { decodeSteps($0, "\(path).hit", ctx) } ?? []
            if missNode == nil { diag.warn(v.origin, kp, "cache step without `miss:` steps: a miss costs nothing but the lookup") }
            let miss = missNode.map { decodeSteps($0, "\(path).miss", ctx) } ?? []
            return .cache(CacheStep(cache: name, hit: hit, miss: miss))
        case "repeat":
            var countNode: YNode? = v
            var stepsNode = sib["steps"]
            if v.entries != nil, let f = r.fields(v, kp, ["count", "steps"], aliases: ["times": "count"]) {
                countNode = f["count"]
                if let s = f["steps"] { stepsNode = s }
                if countNode == nil { diag.error(v.origin, kp + ".count", "`repeat` needs `count` (e.g. 10 or poisson(5))") }
            }
            guard let stepsNode else {
                diag.error(v.origin, kp, "`repeat` needs `steps:` next to it (the steps to repeat)")
                return nil
            }
            let steps = decodeSteps(stepsNode, "\(path).steps", ctx)
            guard let countNode, let count = r.count(countNode, kp) else { return nil }
            return .repeat(count: count, steps: steps)
        case "parallel":
            guard let branches = v.items else {
                diag.error(v.origin, kp, "`parallel` is a list of branches; each branch is a step or a list of steps")
                return nil
            }
            // A branch that is a list is counted by decodeSteps; one that is a single step, here.
            guard admitSteps(branches.reduce(0) { $0 + ($1.items == nil ? 1 : 0) }, v.origin, kp) else { return nil }
            var out: [[Step]] = []
            for (i, b) in branches.enumerated() {
                let bp = "\(kp)[\(i)]"
                if b.items != nil { out.append(decodeSteps(b, bp, ctx)) }
                else if let s = decodeStep(b, bp, ctx) { out.append([s]) }
            }
            if branches.isEmpty { diag.error(v.origin, kp, "`parallel` has no branches") }
            return .parallel(out)
        case "transaction":
            var poolName: String? = nil
            var stepsNode = sib["steps"]
            if let s = v.scalar, !v.isNull {
                poolName = s
            } else if let f = r.fields(v, kp, ["pool", "steps"]) {
                poolName = f.name("pool")
                if let s = f["steps"] { stepsNode = s }
            }
            if let t = ctx.transactionPool {
                diag.error(v.origin, kp, "a transaction inside a transaction (on `\(t)`) is not supported; put the steps directly in the outer one")
                return nil
            }
            if poolName == nil || v.isNull {
                poolName = ctx.defaultPool ?? (poolNames.count == 1 ? poolNames[0] : nil)
                if poolName == nil {
                    diag.error(v.origin, kp, "`transaction` needs its pool: `transaction: my_pool` (defined: \(poolNames.listed()))")
                    return nil
                }
            }
            guard let pool = poolName, reference(pool, poolNames, "pool", v.origin, kp) else { return nil }
            guard let stepsNode else {
                diag.error(v.origin, kp, "`transaction` needs `steps:` next to it (the steps that share one connection)")
                return nil
            }
            var inner = ctx
            inner.transactionPool = pool
            return .transaction(Transaction(pool: pool, steps: decodeSteps(stepsNode, "\(path).steps", inner)))
        default:
            return nil
        }
    }

    func resolvePool(_ explicit: String?, _ origin: Origin, _ path: String, _ ctx: StepContext) -> String? {
        if let explicit {
            guard reference(explicit, poolNames, "pool", origin, path + ".pool") else { return nil }
            if let t = ctx.transactionPool, t != explicit {
                diag.error(origin, path + ".pool", "this query is inside a transaction on pool `\(t)`: it uses the transaction's connection, not pool `\(explicit)`")
                return nil
            }
            return explicit
        }
        if let t = ctx.transactionPool { return t }
        if let d = ctx.defaultPool { return d }
        if poolNames.count == 1 { return poolNames[0] }
        if poolNames.isEmpty {
            diag.error(origin, path, "a query needs a connection pool, but the model defines no `pools`")
        } else {
            diag.error(origin, path + ".pool", "which pool? give `pool:` (defined: \(poolNames.listed())), or `pool:` on the \(ctx.owner)")
        }
        return nil
    }

    func decodeQuery(_ v: YNode, _ kp: String, _ ctx: StepContext) -> Query? {
        if let _ = v.scalar, !v.isNull {
            // `query: 20ms`: a read through the default pool.
            guard let time = r.distribution(v, kp), let pool = resolvePool(nil, v.origin, kp, ctx) else { return nil }
            return Query(pool: pool, kind: .read, time: time, failureProbability: database?.queryFailureProbability ?? 0,
                         roundTrip: database?.roundTrip)
        }
        guard let f = r.fields(v, kp, ["pool", "kind", "time", "failure_probability", "invalidates", "label", "round_trip"],
                               aliases: ["type": "kind", "service": "time", "duration": "time", "name": "label"]) else { return nil }
        let kind = f.choice("kind", ["read": QueryKind.read, "write": .write], what: "query kind") ?? .read
        if !f.has("time") { diag.error(v.origin, kp + ".time", "a query needs `time` (its service time at the database, e.g. exp(5ms))") }
        let time = f.distribution("time")
        let pool = resolvePool(f.name("pool"), f.has("pool") ? f.at("pool") : v.origin, kp, ctx)
        let pfail = f.probability("failure_probability") ?? database?.queryFailureProbability ?? 0
        var invalidates: [String] = []
        if let names = f.names("invalidates") {
            for n in names where reference(n, cacheNames, "cache", f.at("invalidates"), f.p("invalidates")) { invalidates.append(n) }
            if kind != .write && !names.isEmpty {
                diag.warn(f.at("invalidates"), f.p("invalidates"), "a read query invalidates caches: did you mean `kind: write`?")
            }
        }
        guard let time, let pool else { return nil }
        return Query(pool: pool, kind: kind, time: time, failureProbability: pfail, invalidates: invalidates, label: f.name("label"),
                     roundTrip: f.distribution("round_trip") ?? database?.roundTrip)
    }

    func decodeCall(_ v: YNode, _ kp: String) -> Call? {
        if let _ = v.scalar, !v.isNull {
            return r.distribution(v, kp).map { Call(name: "call", latency: $0) }
        }
        guard let f = r.fields(v, kp, ["name", "latency", "failure_probability", "timeout"], aliases: ["time": "latency"]) else { return nil }
        if !f.has("latency") { diag.error(v.origin, kp + ".latency", "a call needs `latency` (e.g. exp(200ms))") }
        guard let latency = f.distribution("latency") else { return nil }
        return Call(name: f.name("name") ?? "call", latency: latency, failureProbability: f.probability("failure_probability") ?? 0,
                    timeoutSeconds: f.optionalDuration("timeout") ?? nil)
    }

    // MARK: network, faults

    func decodeNetwork(_ node: YNode) -> QueueingNetwork? {
        guard let f = r.fields(node, "network", ["stations", "arrivals", "population"]) else { return nil }
        let stationNames = declaredNames(f["stations"])
        if stationNames.isEmpty { diag.error(f.at("stations"), "network.stations", "a network needs `stations` (e.g. `desk: {servers: 3, service: exp(300ms)}`)") }
        let stations = decodeNamedMap(f["stations"], "network.stations", limit: Limits.networkStations, noun: "stations") { name, node, path -> Station? in
            guard let sf = r.fields(node, path, ["servers", "service", "capacity", "discipline", "patience", "routes"]) else { return nil }
            if !sf.has("service") { diag.error(node.origin, path + ".service", "station `\(name)` needs `service` (e.g. exp(300ms))") }
            guard let service = sf.distribution("service") else { return nil }
            var st = Station(name: name, service: service)
            if let n = sf.optionalInt("servers", max: Limits.poolSize) {
                guard let n else {
                    diag.error(sf.at("servers"), path + ".servers", "an infinite-server station: write `servers` as a large number or model it as a `think_time`")
                    return nil
                }
                st.servers = n
            }
            if let c = sf.optionalInt("capacity", max: Limits.capacity) { st.capacity = c }
            if let c = st.capacity, c < st.servers {
                diag.error(sf.at("capacity"), path + ".capacity", "`capacity` (K = \(c)) counts customers in service too: it must be at least `servers` (\(st.servers))")
            }
            if let d = sf.choice("discipline", ["fcfs": Discipline.fcfs, "fifo": .fcfs, "ps": .ps, "processor_sharing": .ps], what: "discipline") { st.discipline = d }
            if let p = sf.distribution("patience") { st.patience = p }
            if let routes = sf["routes"] {
                guard let entries = routes.entries else {
                    diag.error(routes.origin, path + ".routes", "`routes` maps station names (or `exit`) to probabilities, e.g. `{disk: 0.3, exit: 0.7}`")
                    return st
                }
                var total = 0.0
                for e in entries {
                    let rp = "\(path).routes.\(e.key)"
                    guard let prob = r.probability(e.value, rp, what: "routing probability") else { continue }
                    total += prob
                    if e.key == "exit" { continue }
                    if reference(e.key, stationNames, "station", e.keyOrigin, rp) { st.routes.append(Route(to: e.key, probability: prob)) }
                }
                if total > 1 + 1e-9 { diag.error(routes.origin, path + ".routes", "routing probabilities sum to \(Units.formatNumber(total)), more than 1") }
            }
            return st
        }
        var arrivals: [ExternalArrival] = []
        if let a = f["arrivals"] {
            if let entries = a.entries {
                for e in entries {
                    let p = "network.arrivals.\(e.key)"
                    if let rate = r.rate(e.value, p, what: "arrival rate"), reference(e.key, stationNames, "station", e.keyOrigin, p) {
                        arrivals.append(ExternalArrival(station: e.key, ratePerSecond: rate))
                    }
                }
            } else if let rateText = a.scalar, !a.isNull, let first = stationNames.first {
                _ = rateText
                if let rate = r.rate(a, "network.arrivals", what: "arrival rate") { arrivals.append(ExternalArrival(station: first, ratePerSecond: rate)) }
            } else {
                diag.error(a.origin, "network.arrivals", "`arrivals` maps station names to Poisson rates, e.g. `{desk: 8/s}`")
            }
        }
        var population: NetworkPopulation? = nil
        if let pn = f["population"], let pf = r.fields(pn, "network.population", ["customers", "think_time", "station"]) {
            if !pf.has("customers") { diag.error(pn.origin, "network.population.customers", "a closed network needs `customers`") }
            let station = pf.name("station") ?? stationNames.first ?? ""
            if let c = pf.int("customers", max: Limits.users), reference(station, stationNames, "station", pf.at("station"), "network.population.station") {
                population = NetworkPopulation(customers: c, thinkTime: pf.distribution("think_time") ?? .constant(0), station: station)
            }
        }
        if f.has("arrivals") == f.has("population") {
            diag.error(node.origin, "network", "a network needs exactly one of `arrivals` (open) and `population` (closed)")
        }
        return QueueingNetwork(stations: stations, arrivals: arrivals, population: population)
    }

    func decodeFaults(_ node: YNode?) -> Faults {
        var faults = Faults()
        guard let node, let f = r.fields(node, "faults", ["track_orphans"]) else { return faults }
        if let b = f.bool("track_orphans") { faults.trackOrphans = b }
        return faults
    }
}
