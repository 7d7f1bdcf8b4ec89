import Foundation
import HeadroomModel
import Testing
@testable import HeadroomStudy

/// `plan` never prunes a configuration that passes (issue 19, item 3): on random small grids,
/// plan's answer is the cheapest configuration that passes when every configuration of the grid
/// is simulated with the same seeds.
@Suite("plan against an exhaustive simulation", .serialized)
struct PlanExhaustiveTests {
    /// SplitMix64: the grids are random but the same on every run.
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

    /// A small web model whose load, service times, database and timeouts are drawn from `seed`;
    /// with and without timeouts, so both the pruning and the simulating paths of the screen run.
    static func randomCase(seed: UInt64) -> (yaml: String, instances: [Int], sizes: [Int], slos: [String]) {
        var g = Generator(state: seed)
        let rate = Int.random(in: 20...90, using: &g)
        let cpu = Int.random(in: 5...25, using: &g)
        let query = Int.random(in: 5...30, using: &g)
        let cores = Int.random(in: 1...4, using: &g)
        let coherency = [0, 0.001, 0.01].randomElement(using: &g)!
        let timeouts = Bool.random(using: &g)
        let instances = Array(Set((0..<3).map { _ in Int.random(in: 1...4, using: &g) })).sorted()
        let sizes = Array(Set((0..<3).map { _ in Int.random(in: 1...6, using: &g) })).sorted()
        let p95 = [80, 150, 300].randomElement(using: &g)!
        var slos = ["p95<\(p95)ms"]
        if Bool.random(using: &g) { slos.append("mean<\([30, 50, 80].randomElement(using: &g)!)ms") }
        if timeouts { slos.append("timeouts<1%") }
        if Bool.random(using: &g) { slos.append("pools.db.utilization<\([50, 70, 90].randomElement(using: &g)!)%") }
        let yaml = """
            name: random plan case \(seed)
            simulation: {horizon: 8s, warmup: 2s, replications: 2, seed: \(seed % 1000 + 1)}
            workload:
              open: {rate: \(rate)/s}
              endpoint: api
            instances: {count: 1, workers: 1}
            pools:
              db: {size: 2, acquire_timeout: \(timeouts ? "300ms" : "none")}
            database: {cores: \(cores), coherency: \(coherency)}
            endpoints:
              api:
                timeout: \(timeouts ? "1s" : "none")
                steps:
                  - cpu: exp(\(cpu)ms)
                  - query: {pool: db, time: exp(\(query)ms)}
            """
        return (yaml, instances, sizes, slos)
    }

    @Test("plan's answer is the exhaustive cheapest passing configuration", arguments: Array(1...12) as [UInt64])
    func planEqualsExhaustive(seed: UInt64) throws {
        let c = Self.randomCase(seed: seed)
        let w = try sweepWorkspace(c.yaml)
        let grid = try SweepGrid(axes: [SweepAxis.parse("instances=" + c.instances.map(String.init).joined(separator: ",")),
                                        SweepAxis.parse("pools.db.size=" + c.sizes.map(String.init).joined(separator: ","))])
        let cost = "instances*100 + pools.db.size*10"
        let result = try Planner(modelPath: w.model, grid: grid, slos: c.slos, cost: cost, alternatives: 0, threads: 2).run()
        // Every configuration simulated, in grid order, with the model's seed (as plan does).
        var cheapest: (index: Int, cost: Double)? = nil
        for (i, configuration) in result.configurations.enumerated() {
            let loaded = try ModelLoader.load(path: w.model, overrides: result.overrides(i))
            let report = ReplicationStudy(model: loaded.model, workers: 2).run()
            let passes = result.slos.allSatisfy { $0.check(report).holds }
            if [.prunedOverload, .prunedBound].contains(configuration.status) {
                #expect(!passes, "seed \(seed): \(result.label(i)) was pruned (\(configuration.reason ?? "")) but passes")
            }
            if passes && (cheapest == nil || configuration.cost < cheapest!.cost) { cheapest = (i, configuration.cost) }
        }
        #expect(result.cheapest == cheapest?.index,
                "seed \(seed), SLOs \(c.slos): plan \(result.cheapest.map(result.label) ?? "none"), exhaustive \(cheapest.map { result.label($0.index) } ?? "none")")
    }
}
