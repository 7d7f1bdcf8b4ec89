import Foundation

/// A random small web model for the differential test of the analytic figures against the
/// simulation (issue 19, item 2): drawn from a seed, the same on every run and machine.
///
/// Families, one per model (the table of agreement in docs/analytic-accuracy.md is by family):
///
/// - `open-1`: one instance, exponential queries, no timeouts (where M/M/c and the joint
///   pool+database solution are exact);
/// - `open-n`: 2-8 instances behind round robin, exponential or lognormal queries; half of these
///   models (drawn last, so the others are unchanged) have random balancing instead, in a family
///   of their own, `open-n-random` (each copy sees a Poisson stream there);
/// - `contention`: 1-4 instances on a database with contention and coherency;
/// - `timeouts`: 1-4 instances, a constant acquire timeout;
/// - `cache`: a per-instance cache with a given hit ratio, queries on a miss;
/// - `transaction`: one connection held across a query, CPU work and another query;
/// - `closed`: a closed population with think time, 1-8 instances.
///
/// Pools of 1-30 connections per instance, 1-16 cores, 1-4 workers per instance. The load is
/// drawn as a fraction (20-95 %) of the smallest uncontended capacity, so most models are stable;
/// the contention family can overload (its capacity falls with concurrency).
public struct RandomWebModel: Sendable {
    /// The families a seed is drawn from (`seed % 7`).
    public static let families = ["open-1", "open-n", "contention", "timeouts", "cache", "transaction", "closed"]
    /// The families of the table: `open-n` split by its balancer.
    public static let tableFamilies = ["open-1", "open-n", "open-n-random", "contention", "timeouts", "cache", "transaction", "closed"]

    public var seed: UInt64
    public var family: String
    public var yaml: String

    /// SplitMix64.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// `requestsPerReplication`: the horizon is set so that a replication sees about this many
    /// requests (between 4 s and 120 s); replications: `replications`.
    public init(seed: UInt64, requestsPerReplication: Double = 1000, replications: Int = 6) {
        var g = Generator(state: seed &* 0x2545_F491_4F6C_DD1D &+ 17)
        self.seed = seed
        let family = Self.families[Int(seed % UInt64(Self.families.count))]
        func ms(_ x: Double) -> String { String(format: "%.3fms", x) }
        func pick<T>(_ xs: [T]) -> T { xs.randomElement(using: &g)! }

        let instances: Int
        switch family {
        case "open-1": instances = 1
        case "open-n": instances = Int.random(in: 2...8, using: &g)
        case "closed": instances = Int.random(in: 1...8, using: &g)
        default: instances = Int.random(in: 1...4, using: &g)
        }
        let workers = Int.random(in: 1...4, using: &g)
        let size = pick([1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30])
        let cores = pick([1, 2, 4, 8, 16])
        let cpu = Double.random(in: 0.5...5, using: &g)
        let query = Double.random(in: 1...20, using: &g)
        let queries = Int.random(in: 1...3, using: &g)
        let exponential = family == "open-1" || Bool.random(using: &g)
        let queryTime = exponential ? "exp(\(ms(query)))" : "lognormal(mean: \(ms(query)), cv: \(String(format: "%.2f", Double.random(in: 0.3...1.5, using: &g))))"
        var contention = 0.0, coherency = 0.0
        if family == "contention" {
            contention = pick([0.0, 0.01, 0.03, 0.05])
            coherency = pick([0.0001, 0.0005, 0.001, 0.002])
        }
        let hit = family == "cache" ? Double.random(in: 0.3...0.9, using: &g) : 0
        let misses = family == "cache" ? 1 - hit : 1
        let inside = family == "transaction" ? Double.random(in: 0.2...3, using: &g) : 0

        // Uncontended capacities per request: workers (CPU, and in a transaction the CPU inside it),
        // the database (its cores), the pools (their holds).
        let cpuPerRequest = cpu + inside
        let dbPerRequest = Double(queries) * query * misses
        let holdPerRequest = dbPerRequest + inside
        var capacity = Double(instances * workers) / (cpuPerRequest / 1000)
        capacity = min(capacity, Double(cores) / (dbPerRequest / 1000))
        capacity = min(capacity, Double(instances * size) / (holdPerRequest / 1000))
        let target = Double.random(in: 0.2...0.95, using: &g)

        var workload: String
        var expectedRate: Double
        if family == "closed" {
            let think = pick([0.0, 5, 20, 100, 300])
            let users = Int.random(in: 1...60, using: &g)
            workload = "closed: {users: \(users), think_time: \(think > 0 ? "exp(\(ms(think)))" : "0s")}"
            let minimum = cpuPerRequest + holdPerRequest
            expectedRate = min(Double(users) / ((minimum + think) / 1000), capacity)
        } else {
            let rate = max(1, (capacity * target * 100).rounded() / 100)
            workload = "open: {rate: \(String(format: "%.2f", rate))/s}"
            expectedRate = rate
        }
        let timeout = family == "timeouts" ? pick([5.0, 10, 20, 50, 200]) : nil
        let horizon = min(120, max(4, (requestsPerReplication / max(1, expectedRate)).rounded(.up)))
        let warmup = max(1, (horizon / 5).rounded())

        var steps: [String] = []
        steps.append("      - cpu: exp(\(ms(cpu)))")
        let queryStep = "query: {pool: db, time: \(queryTime)}"
        switch family {
        case "cache":
            steps.append("      - cache: c")
            steps.append("        miss:")
            for _ in 0..<queries { steps.append("          - \(queryStep)") }
        case "transaction":
            steps.append("      - transaction: db")
            steps.append("        steps:")
            for q in 0..<queries {
                steps.append("          - \(queryStep)")
                if q == 0 { steps.append("          - cpu: exp(\(ms(inside)))") }
            }
        default:
            for _ in 0..<queries { steps.append("      - \(queryStep)") }
        }
        let random = family == "open-n" && Bool.random(using: &g)
        self.family = random ? "open-n-random" : family
        yaml = """
            name: differential \(self.family) \(seed)
            simulation: {horizon: \(Int(horizon))s, warmup: \(Int(warmup))s, replications: \(replications), seed: \(seed % 100_000 + 1)}
            workload:
              \(workload)
              endpoint: api
            instances: {count: \(instances), workers: \(workers)\(random ? ", balancer: random" : "")}
            pools:
              db: {size: \(size), acquire_timeout: \(timeout.map { ms($0) } ?? "none")}
            database: {cores: \(cores), max_connections: 10000\(contention > 0 ? ", contention: \(contention)" : "")\(coherency > 0 ? ", coherency: \(coherency)" : "")}
            \(family == "cache" ? "caches:\n  c: {scope: per_instance, hit_ratio: \(String(format: "%.3f", hit))}\n" : "")endpoints:
              api:
                steps:
            \(steps.joined(separator: "\n"))
            """
    }
}
