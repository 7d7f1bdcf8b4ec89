import Foundation

extension RandomWebModel {
    /// A random small web model with a shared host (family `hosts`, docs/hosts.md), for the
    /// differential test of the analytic figures of hosts, a pooler's thread and CPU limits. Kept
    /// apart from `families` so the other families' seeds draw the same models as before.
    ///
    /// One host of 1-4 cores (speed 1 or 1.5) holds the primary and, by draw, the instances, a
    /// transaction-mode PgBouncer with a CPU cost per transaction, and the client; instances not
    /// on the host may have a CPU limit instead. The load is 20-85 % of the smallest capacity,
    /// the host's (summed demand / cores) included.
    public init(hostedSeed seed: UInt64, requestsPerReplication: Double = 1000, replications: Int = 6) {
        var g = Generator(state: seed &* 0x9E37_79B9_7F4A_7C15 &+ 101)
        func ms(_ x: Double) -> String { String(format: "%.3fms", x) }
        func pick<T>(_ xs: [T]) -> T { xs.randomElement(using: &g)! }
        let cores = pick([1, 2, 4])
        let speed = pick([1.0, 1.5])
        let instances = Int.random(in: 1...3, using: &g)
        let workers = Int.random(in: 1...4, using: &g)
        let size = pick([2, 4, 8, 16, 30])
        let cpu = Double.random(in: 0.5...5, using: &g)
        let query = Double.random(in: 1...10, using: &g)
        let instancesOnHost = Bool.random(using: &g)
        let pooler = Bool.random(using: &g)
        let poolerCPU = Double.random(in: 0.05...0.5, using: &g)
        let client = Bool.random(using: &g)
        let clientCPU = Double.random(in: 0.05...0.5, using: &g)
        let limit: Double? = !instancesOnHost && Bool.random(using: &g) ? pick([0.5, 1, 2]) : nil

        var hostDemand = query + (instancesOnHost ? cpu : 0) + (pooler ? poolerCPU : 0) + (client ? clientCPU : 0)
        hostDemand /= speed
        var capacity = Double(cores) / (hostDemand / 1000)
        capacity = min(capacity, Double(instances * workers) / (cpu / 1000))
        capacity = min(capacity, Double(instances * size) / (query / 1000))
        if pooler { capacity = min(capacity, 1 / (poolerCPU / 1000)) }
        if let limit { capacity = min(capacity, Double(instances) * limit / (cpu / 1000)) }
        let rate = max(1, (capacity * Double.random(in: 0.2...0.85, using: &g) * 100).rounded() / 100)
        let horizon = min(120, max(4, (requestsPerReplication / rate).rounded(.up)))
        let warmup = max(1, (horizon / 5).rounded())

        self.seed = seed
        family = "hosts"
        var lines = [
            "name: differential hosts \(seed)",
            "simulation: {horizon: \(Int(horizon))s, warmup: \(Int(warmup))s, replications: \(replications), seed: \(seed % 100_000 + 1)}",
            "workload:",
            "  open: {rate: \(String(format: "%.2f", rate))/s}",
            "  endpoint: api",
            "hosts:",
            "  box: {cores: \(cores), speed: \(speed)}",
            "instances: {count: \(instances), workers: \(workers)\(instancesOnHost ? ", host: box" : "")\(limit.map { ", cpu_limit: \($0)" } ?? "")}",
        ]
        if client { lines.append("client: {host: box, cpu_per_request: exp(\(ms(clientCPU))), threads: 1000}") }
        if pooler {
            lines.append("poolers:")
            lines.append("  bouncer: {server_connections: \(size * instances), max_client_connections: 10000, query_wait_timeout: none, host: box, cpu_per_transaction: exp(\(ms(poolerCPU)))}")
        }
        lines += [
            "pools:",
            "  db: {size: \(size), acquire_timeout: none\(pooler ? ", via: bouncer" : "")}",
            "database: {max_connections: 10000, host: box}",
            "endpoints:",
            "  api:",
            "    steps:",
            "      - cpu: exp(\(ms(cpu)))",
            "      - query: {pool: db, time: exp(\(ms(query)))}",
        ]
        yaml = lines.joined(separator: "\n") + "\n"
    }
}
