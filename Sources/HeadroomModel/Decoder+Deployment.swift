import Foundation

// Decoding the workload and the deployment: instances, the database, poolers, pools, caches, rate limiters.
extension ModelDecoder {
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
        guard let f = r.fields(node, "instances", ["count", "workers", "cpus", "balancer", "health_check_interval", "failures", "threads",
                                                      "host", "hosts", "cpu_limit", "cfs_period"],
                               aliases: ["health_check": "health_check_interval", "load_balancer": "balancer"]) else { return inst }
        if let n = f.int("count", max: Limits.instances) { inst.count = n }
        if let n = f.int("workers", max: Limits.workers) { inst.workers = n }
        if let n = f.int("cpus", max: 1024) { inst.cpus = n }
        if let b = f.choice("balancer", ["round_robin": Balancer.roundRobin, "least_connections": .leastConnections,
                                         "random": .random, "sticky": .sticky], what: "balancer") { inst.balancer = b }
        if let h = f.optionalDuration("health_check_interval") { inst.healthCheckIntervalSeconds = h }
        if let t = f["threads"] { inst.threads = decodeThreads(t, workers: inst.workers) }
        decodeInstancePlacement(f, into: &inst)
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

    /// `instances.threads`: `200` (threads per instance, an unbounded accept queue), or a
    /// mapping of `preset`, `max` (per instance) or `per_worker` (times `workers`), `accept_queue`.
    func decodeThreads(_ node: YNode, workers: Int) -> RequestThreads? {
        let path = "instances.threads"
        if node.scalar != nil {
            guard let n = r.int(node, path, min: 1, max: Limits.threads, what: "`threads`") else { return nil }
            return RequestThreads(perInstance: n, acceptQueue: nil)
        }
        guard let f = r.fields(node, path, ["preset", "max", "per_worker", "accept_queue"],
                               aliases: ThreadPresets.aliases, what: "request threads") else { return nil }
        let preset = f.choice("preset", ["tomcat": ThreadPreset.tomcat, "puma": .puma, "gunicorn_sync": .gunicornSync,
                                         "gunicorn": .gunicornSync], what: "threads preset") ?? ThreadPreset.none
        let defaults = ThreadPresets.defaults(preset, workers: workers)
        if f.has("max") && f.has("per_worker") {
            diag.error(f.at("per_worker"), f.p("per_worker"), "give `max` (threads per instance) or `per_worker` (threads per worker), not both")
            return nil
        }
        var perInstance = defaults?.perInstance
        if let n = f.int("max", max: Limits.threads) { perInstance = n }
        if let n = f.int("per_worker", max: Limits.threads) { perInstance = n * max(1, workers) }
        guard let perInstance else {
            if !f.has("max") && !f.has("per_worker") {
                diag.error(node.origin, path, "request threads need `max` (threads per instance), `per_worker`, or a `preset`: tomcat, puma, gunicorn_sync")
            }
            return nil
        }
        var acceptQueue = defaults?.acceptQueue
        if let q = f.optionalInt("accept_queue", min: 0, max: Limits.capacity) { acceptQueue = q }
        if perInstance < workers {
            diag.warn(node.origin, path, "\(perInstance) request threads per instance is fewer than its \(workers) workers: at most \(perInstance) `cpu` steps run at once")
        }
        return RequestThreads(preset: preset, perInstance: perInstance, acceptQueue: acceptQueue)
    }

    // MARK: database, poolers, pools

    func decodeDatabase(_ node: YNode) -> Database? {
        guard let f = r.fields(node, "database", ["cores", "max_connections", "replicas", "replica_cores", "read_routing",
                                                  "query_failure_probability", "round_trip", "contention", "coherency", "read_from", "host",
                                                  "replication_lag"]) else { return nil }
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
        if replicas == 0 && f.has("replication_lag") {
            diag.warn(f.at("replication_lag"), "database.replication_lag", "`replication_lag` has no effect without `replicas`")
        }
        if replicas == 0 && f.has("replica_cores") {
            diag.warn(f.at("replica_cores"), "database.replica_cores", "`replica_cores` has no effect without `replicas`")
        }
        var database = Database(cores: cores, maxConnections: maxConn, replicas: replicas, replicaCores: replicaCores,
                                readRouting: replicas == 0 ? .primary : routing, queryFailureProbability: pfail,
                                roundTrip: f.distribution("round_trip"),
                                contention: f.probability("contention") ?? 0, coherency: f.probability("coherency") ?? 0,
                                readFrom: readFrom)
        database.replicationLag = f.distribution("replication_lag")
        if let host = hostReference(f) {
            // On a host the primary's queries share the host's cores: its own `cores` would
            // contradict them, and the USL slowdown is a property of a node's own cores.
            for k in ["cores", "contention", "coherency"] where f.has(k) {
                diag.error(f.at(k), f.p(k), "the primary is placed on host `\(host)`: it uses the host's cores, so `\(k)` cannot be given too")
            }
            database.host = host
            // The primary's cores are the host's (every figure that reads them agrees).
            if let cores = hosts.first(where: { $0.name == host })?.cores { database.cores = cores }
        }
        return database
    }

    func decodePooler(_ name: String, _ node: YNode, _ path: String) -> Pooler? {
        guard let f = r.fields(node, path, ["server_connections", "max_client_connections", "query_wait_timeout", "mode",
                                            "host", "cpu_per_transaction", "cpu_per_connection"],
                               aliases: ["default_pool_size": "server_connections", "max_client_conn": "max_client_connections",
                                         "pool_mode": "mode"],
                               nativeUnits: ["query_wait_timeout": "s"]) else { return nil }
        var p = Pooler(name: name)
        if let n = f.int("server_connections", max: Limits.poolSize) { p.serverConnections = n }
        if let n = f.int("max_client_connections", max: Limits.maxConnections) { p.maxClientConnections = n }
        if let t = f.optionalDuration("query_wait_timeout") { p.queryWaitTimeoutSeconds = t }
        if let m = f.choice("mode", ["transaction": PoolerMode.transaction, "session": .session], what: "pooler mode") { p.mode = m }
        p.host = hostReference(f)
        p.cpuPerTransaction = f.distribution("cpu_per_transaction")
        p.cpuPerConnection = f.distribution("cpu_per_connection")
        if p.host != nil && p.cpuPerTransaction == nil && p.cpuPerConnection == nil {
            diag.warn(f.at("host"), f.p("host"), "pooler `\(name)` is placed on a host but costs no CPU: give `cpu_per_transaction` (PgBouncer's CPU per transaction, e.g. 15us)")
        }
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

    // MARK: upstreams

    /// An HTTP upstream (`upstreams:`): its servers and time, the wire, each instance's client
    /// pool, the client's timeout and the upstream's error rate.
    func decodeUpstream(_ name: String, _ node: YNode, _ path: String) -> Upstream? {
        guard let f = r.fields(node, path, ["servers", "time", "round_trip", "connections", "acquire_timeout", "timeout",
                                            "error_probability"],
                               aliases: ["max_connections": "connections", "max_conns_per_host": "connections",
                                         "latency": "round_trip", "error_rate": "error_probability"]) else { return nil }
        guard let time = f.distribution("time") else {
            if !f.has("time") { diag.error(node.origin, f.p("time"), "upstream `\(name)` needs `time`, its own time per request, e.g. exp(40ms)") }
            return nil
        }
        var upstream = Upstream(name: name, servers: f.int("servers", max: Limits.poolSize) ?? 1, time: time)
        upstream.roundTrip = f.distribution("round_trip")
        upstream.connectionsPerInstance = f.optionalInt("connections", max: Limits.poolSize).flatMap { $0 }
        upstream.acquireTimeoutSeconds = f.optionalDuration("acquire_timeout").flatMap { $0 }
        upstream.timeoutSeconds = f.optionalDuration("timeout").flatMap { $0 }
        upstream.errorProbability = f.probability("error_probability") ?? 0
        if upstream.acquireTimeoutSeconds != nil && !f.has("connections") {
            diag.error(f.at("acquire_timeout"), f.p("acquire_timeout"),
                       "`acquire_timeout` is the wait for a client connection: give `connections` (each instance's client pool size) too")
        }
        return upstream
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

}
