import Foundation

// Decoding job queues, endpoints and their steps.
extension ModelDecoder {
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

    static let stepKinds = ["cpu", "query", "cache", "call", "http", "enqueue", "repeat", "parallel", "transaction", "sleep"]

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
        case "http":
            // `http: payments`, or `http: {upstream: payments}`.
            var name: String? = nil
            if let s = v.scalar, !v.isNull {
                name = s
            } else if let f = r.fields(v, kp, ["upstream"]) {
                name = f.name("upstream")
                if name == nil { diag.error(v.origin, kp + ".upstream", "an http step needs the upstream's name: `http: payments`") }
            }
            guard let name, reference(name, upstreamNames, "upstream", v.origin, kp) else { return nil }
            return .http(name)
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
        guard let f = r.fields(v, kp, ["pool", "kind", "time", "failure_probability", "invalidates", "label", "round_trip", "read_from"],
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
        let readFrom = f.choice("read_from", ["primary": true, "routed": false], what: "`read_from` of a query")
        if readFrom == true && kind == .write {
            diag.warn(f.at("read_from"), f.p("read_from"), "`read_from: primary` on a write: writes always run on the primary")
        } else if f.has("read_from") && (database?.replicas ?? 0) == 0 {
            diag.warn(f.at("read_from"), f.p("read_from"), "`read_from` has no effect without `database.replicas`")
        }
        guard let time, let pool else { return nil }
        var query = Query(pool: pool, kind: kind, time: time, failureProbability: pfail, invalidates: invalidates, label: f.name("label"),
                          roundTrip: f.distribution("round_trip") ?? database?.roundTrip)
        query.readFromPrimary = readFrom ?? false
        return query
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

}
