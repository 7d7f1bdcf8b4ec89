import Dispatch
import Foundation
import HeadroomKernel
import Synchronization

/// Cells of a sweep run on `threads` worker threads (or one shard of them in this process).
///
/// `headroom sweep` does not exist yet, so this measures what it would rest on: independent
/// kernel runs, one per cell, pulled from a shared counter by each worker thread. A cell is the
/// seed scenario at one population (`users` = 50, 55, ...), run for `customersPerCell` completed
/// requests after the scenario's warm-up. Each cell owns its simulation and streams (seeded by
/// cell index), so the figures are the same for any thread count or sharding.
struct SweepRun {
    var cells: Int
    var customersPerCell: Int
    var threads: Int
    /// Run only cells with `index % shardCount == shardIndex`.
    var shardIndex = 0
    var shardCount = 1
    /// How the worker threads are made: `DispatchQueue.concurrentPerform` (what HeadroomStudy
    /// uses) or one `Thread` per worker, to tell the work apart from the thread pool.
    var useDispatch = true

    struct Outcome {
        var cellsRun: Int
        var customers: Int
        var events: Int
        var wallSeconds: Double
        var cpuSeconds: Double
        /// Sum over cells of the mean response, a checksum that must not depend on threads.
        var checksum: Double
    }

    func cellSpec(_ index: Int, base: BenchScenario) -> QueueingNetworkSpec {
        var spec = base.spec
        spec.closedPopulation?.customers = 50 + 5 * index
        return spec
    }

    func run(base: BenchScenario) -> Outcome {
        let mine = (0..<cells).filter { $0 % shardCount == shardIndex }
        let next = Atomic<Int>(0)
        let results = Mutex<[(Int, Int, Int, Double)]>([])
        let start = wallSeconds(), cpu = processCPUSeconds()
        let worker: @Sendable () -> Void = {
            while true {
                let k = next.add(1, ordering: .relaxed).oldValue
                if k >= mine.count { break }
                let cell = mine[k]
                let sim = QueueingNetworkSimulation(spec: cellSpec(cell, base: base), seed: 7, replication: cell)
                let r = sim.run(horizonSeconds: .infinity, warmupSeconds: base.warmupSeconds,
                                customerLimit: customersPerCell)
                results.withLock { $0.append((cell, r.completedCustomers, r.eventsProcessed, r.networkSojourn.meanSeconds)) }
            }
        }
        if useDispatch {
            DispatchQueue.concurrentPerform(iterations: threads) { _ in worker() }
        } else {
            let done = DispatchGroup()
            for _ in 0..<threads {
                done.enter()
                Thread { worker(); done.leave() }.start()
            }
            done.wait()
        }
        let wall = wallSeconds() - start, cpuUsed = processCPUSeconds() - cpu
        let all = results.withLock { $0 }.sorted { $0.0 < $1.0 }
        return Outcome(cellsRun: all.count, customers: all.reduce(0) { $0 + $1.1 },
                       events: all.reduce(0) { $0 + $1.2 }, wallSeconds: wall, cpuSeconds: cpuUsed,
                       checksum: all.reduce(0) { $0 + $1.3 })
    }
}
