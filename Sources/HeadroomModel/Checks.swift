import Foundation

enum Checks {
    static func warnings(_ model: Model, tree: YNode, diag: Diagnostics) {
        func origin(_ path: [String]) -> Origin? {
            var node: YNode? = tree
            var origin: Origin? = nil
            for p in path {
                guard let e = node?.entries?.first(where: { $0.key == p }) else { return origin }
                origin = e.keyOrigin
                node = e.value
            }
            return origin
        }

        // Connections against the database's max_connections.
        if let db = model.database {
            var total = 0
            var parts: [String] = []
            for p in model.pools where p.via == nil {
                let n = p.totalConnections(instances: model.instances.count)
                total += n
                parts.append("\(p.name): \(n)")
            }
            for b in model.poolers where model.pools.contains(where: { $0.via == b.name }) {
                total += b.serverConnections
                parts.append("\(b.name): \(b.serverConnections)")
            }
            if total > db.maxConnections {
                diag.warn(origin(["database", "max_connections"]) ?? origin(["pools"]), "database.max_connections",
                          "the pools can open \(total) connections (\(parts.joined(separator: ", "))) but the database allows \(db.maxConnections): attempts beyond it fail")
            }
        }
        for b in model.poolers {
            let clients = model.pools.filter { $0.via == b.name }.reduce(0) { $0 + $1.totalConnections(instances: model.instances.count) }
            if clients > b.maxClientConnections {
                diag.warn(origin(["poolers", b.name]), "poolers.\(b.name).max_client_connections",
                          "pools through `\(b.name)` can open \(clients) client connections but it accepts \(b.maxClientConnections)")
            }
            // Session mode: a client connection keeps its server connection while open, so the
            // client connections that are never closed for idleness can pin every server one.
            if b.mode == .session {
                let slots = { (p: Pool) in p.scope == .perInstance ? model.instances.count : 1 }
                let kept = model.pools.filter { $0.via == b.name }.reduce(0) { sum, p in
                    sum + (p.idleTimeoutSeconds == nil ? p.totalConnections(instances: model.instances.count) : p.minIdle * slots(p))
                }
                if kept > b.serverConnections {
                    diag.warn(origin(["poolers", b.name, "mode"]) ?? origin(["poolers", b.name]), "poolers.\(b.name).mode",
                              "in session mode each open client connection keeps a server connection: the pools through `\(b.name)` can keep \(kept) client connections open for good (no `idle_timeout`, or `min_idle`) but it has \(b.serverConnections) server connections; requests on the others wait `query_wait_timeout` and fail once they are all open")
                }
            }
        }

        let sim = model.simulation
        if sim.replications < 2 && sim.targetRelativeError == nil {
            diag.warn(origin(["simulation", "replications"]), "simulation.replications", "one replication gives no confidence interval")
        }

        guard let workload = model.workload else { return }
        if case let .open(.phases(phases), _) = workload.arrivals {
            let total = phases.reduce(0) { $0 + $1.durationSeconds }
            if total < sim.horizonSeconds {
                diag.warn(origin(["workload", "open", "phases"]), "workload.open.phases",
                          "the phases last \(Units.formatDuration(total)) but the horizon is \(Units.formatDuration(sim.horizonSeconds)): no requests arrive after the last phase")
            }
        }

        // Unused parts.
        let requested = Set(workload.mix.map(\.endpoint))
        for e in model.endpoints where !requested.contains(e.name) {
            diag.warn(origin(["endpoints", e.name]), "endpoints.\(e.name)", "endpoint `\(e.name)` is not in the workload's mix: it is never requested")
        }
        var usedCaches = Set<String>(), usedQueues = Set<String>(), usedUpstreams = Set<String>()
        func scan(_ steps: [Step]) {
            for s in steps {
                switch s {
                case let .cache(c): usedCaches.insert(c.cache); scan(c.hit); scan(c.miss)
                case let .enqueue(q): usedQueues.insert(q)
                case let .http(u): usedUpstreams.insert(u)
                case let .repeat(_, inner): scan(inner)
                case let .parallel(bs): bs.forEach(scan)
                case let .transaction(t): scan(t.steps)
                default: break
                }
            }
        }
        model.endpoints.forEach { scan($0.steps) }
        model.jobQueues.forEach { scan($0.steps) }
        for c in model.caches where !usedCaches.contains(c.name) {
            diag.warn(origin(["caches", c.name]), "caches.\(c.name)", "cache `\(c.name)` is not used by any `cache:` step")
        }
        for q in model.jobQueues where !usedQueues.contains(q.name) {
            diag.warn(origin(["job_queues", q.name]), "job_queues.\(q.name)", "job queue `\(q.name)` never receives a job (no `enqueue: \(q.name)` step)")
        }
        for u in model.upstreams where !usedUpstreams.contains(u.name) {
            diag.warn(origin(["upstreams", u.name]), "upstreams.\(u.name)", "upstream `\(u.name)` is never called (no `http: \(u.name)` step)")
        }
        let usedLimiters = Set(model.endpoints.flatMap(\.rateLimiters))
        for l in model.rateLimiters where !usedLimiters.contains(l.name) {
            diag.warn(origin(["rate_limiters", l.name]), "rate_limiters.\(l.name)", "rate limiter `\(l.name)` is not listed in any endpoint's `rate_limiters`")
        }

        // Offered load against capacity is not checked here: `Analysis` warns about it once, with
        // the holds stretched by database sharing, pools whose waiters time out (M/M/c+D) and the
        // peak of a phased load, which this layer does not know about.
    }
}
