// Decoding hosts (`hosts:`), placements on them (`host:` keys), the load generator (`client:`)
// and container CPU limits (`cpu_limit`, `cfs_period`). See docs/hosts.md.
extension ModelDecoder {
    /// `hosts: {db1: {cores: 2, speed: 1.2}}`.
    func decodeHost(_ name: String, _ node: YNode, _ path: String) -> Host? {
        guard let f = r.fields(node, path, ["cores", "speed"], aliases: ["cpus": "cores", "speed_factor": "speed"]) else { return nil }
        guard let cores = f.int("cores", max: Limits.cores) else {
            if !f.has("cores") { diag.error(node.origin, f.p("cores"), "host `\(name)` needs `cores`, e.g. `cores: 2`") }
            return nil
        }
        var host = Host(name: name, cores: cores)
        if let s = f.number("speed", max: 1000, positive: true) { host.speed = s }
        return host
    }

    /// A `host: name` key of a component: the name, if it names a declared host.
    func hostReference(_ f: Fields, _ key: String = "host") -> String? {
        guard let v = f[key], let n = r.name(v, f.p(key)) else { return nil }
        return reference(n, hostNames, "host", v.origin, f.p(key)) ? n : nil
    }

    /// The `host`/`hosts` and `cpu_limit`/`cfs_period` keys of `instances`.
    func decodeInstancePlacement(_ f: Fields, into inst: inout Instances) {
        if f.has("host") && f.has("hosts") {
            diag.error(f.at("hosts"), f.p("hosts"), "give `host` (every copy packed on one host) or `hosts` (one per copy), not both")
        } else if let h = hostReference(f) {
            inst.hostNames = Array(repeating: h, count: inst.count)
        } else if let list = f.names("hosts") {
            if list.count != inst.count {
                diag.error(f.at("hosts"), f.p("hosts"),
                           "`hosts` lists \(list.count) host\(list.count == 1 ? "" : "s") for \(inst.count) instance\(inst.count == 1 ? "" : "s"): give one per copy (a name may repeat), or `host` to pack them all on one")
            } else if list.allSatisfy({ reference($0, hostNames, "host", f.at("hosts"), f.p("hosts")) }) {
                inst.hostNames = list
            }
        }
        if f.has("cfs_period") && !f.has("cpu_limit") {
            diag.error(f.at("cfs_period"), f.p("cfs_period"), "`cfs_period` is the period of a CPU limit: give `cpu_limit` too")
        }
        if let limit = f.number("cpu_limit", max: Double(Limits.cores), positive: true) {
            var l = CPULimit(cores: limit)
            if let p = f.duration("cfs_period", positive: true, min: 1e-3, max: 1) { l.periodSeconds = p }
            if f.has("host") || f.has("hosts") {
                diag.error(f.at("cpu_limit"), f.p("cpu_limit"),
                           "a CPU limit on instances placed on a host is not supported yet: the limit applies to instances on cores of their own")
            }
            inst.cpuLimit = l
        }
    }

    /// `client: {host: loadgen, cpu_per_request: 30us, threads: 1}`.
    func decodeClient(_ node: YNode) -> LoadClient? {
        guard let f = r.fields(node, "client", ["host", "cpu_per_request", "threads"],
                               aliases: ["cpu": "cpu_per_request", "jobs": "threads"]) else { return nil }
        var client = LoadClient()
        client.host = hostReference(f)
        client.cpuPerRequest = f.distribution("cpu_per_request")
        if let n = f.int("threads", max: Limits.workers) { client.threads = n }
        if client.cpuPerRequest == nil && !f.has("cpu_per_request") {
            diag.error(node.origin, "client.cpu_per_request", "`client` needs `cpu_per_request`, the load generator's CPU per request, e.g. 40us")
        }
        return client
    }
}
