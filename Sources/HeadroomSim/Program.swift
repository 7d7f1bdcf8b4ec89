import HeadroomKernel
import HeadroomModel

/// One instruction of a compiled endpoint or job. Endpoints' nested steps (repeat, parallel,
/// cache hit/miss, transaction) are flattened into jumps, so an in-flight request is a program
/// counter plus a few counters: a plain struct, no closures, no per-step allocation.
enum Op {
    case cpu(distribution: Int32)
    case sleep(distribution: Int32)
    /// An external call; it fails if it errors or outlasts its own timeout.
    case call(distribution: Int32, failureProbability: Double, timeoutSeconds: Double)
    /// `invalidations` indexes `Programs.invalidations`.
    /// `roundTrip` is a distribution index, or -1 for none.
    case query(pool: Int32, isWrite: Bool, distribution: Int32, failureProbability: Double, invalidations: Int32,
               roundTrip: Int32, readFromPrimary: Bool)
    case beginTransaction(pool: Int32)
    case commitTransaction
    /// Look up `cache` (its key kept in `slot`); on a hit go on, on a miss jump to `missTarget`.
    case cacheLookup(cache: Int32, slot: Int32, missTarget: Int32)
    /// The miss path succeeded: fill the key kept in `slot`.
    case cacheFill(cache: Int32, slot: Int32)
    case jump(target: Int32)
    /// Draw the repeat count into `slot`; if zero, jump to `exitTarget`.
    case repeatBegin(count: Int32, slot: Int32, exitTarget: Int32)
    /// Count down `slot`; while positive, jump back to `bodyStart`.
    case repeatEnd(slot: Int32, bodyStart: Int32)
    /// Start the branches listed in `Programs.branchStarts[first ..< first + count]` and wait.
    case fork(first: Int32, count: Int32)
    /// End of a parallel branch.
    case branchEnd
    case enqueue(queue: Int32)
    /// Call upstream `upstream` over HTTP (WebEngine+Upstreams).
    case http(upstream: Int32)
    case end
}

/// Every endpoint's and job queue's program, compiled once per model, with the tables the
/// instructions index.
struct Programs {
    var ops: [Op] = []
    /// Entry point of endpoint i.
    var endpointStart: [Int32] = []
    /// Entry point of job queue i.
    var jobStart: [Int32] = []
    var distributions: [Distribution] = []
    var counts: [CountSpec] = []
    var branchStarts: [Int32] = []
    /// Lists of cache indices a write invalidates; `invalidations[i]` for a query's index.
    var invalidations: [[Int32]] = [[]]
    /// Deepest slot used (loops and cache keys each take one per nesting level).
    var slotsUsed = 0
    /// Upstream indices by name, for `http` steps.
    private var upstreamIndex: [String: Int32] = [:]

    init(model: Model) {
        let poolIndex = Dictionary(uniqueKeysWithValues: model.pools.enumerated().map { ($1.name, Int32($0)) })
        let cacheIndex = Dictionary(uniqueKeysWithValues: model.caches.enumerated().map { ($1.name, Int32($0)) })
        let queueIndex = Dictionary(uniqueKeysWithValues: model.jobQueues.enumerated().map { ($1.name, Int32($0)) })
        upstreamIndex = Dictionary(uniqueKeysWithValues: model.upstreams.enumerated().map { ($1.name, Int32($0)) })
        for endpoint in model.endpoints {
            endpointStart.append(Int32(ops.count))
            emit(endpoint.steps, depth: 0, pools: poolIndex, caches: cacheIndex, queues: queueIndex)
            ops.append(.end)
        }
        for queue in model.jobQueues {
            jobStart.append(Int32(ops.count))
            emit(queue.steps, depth: 0, pools: poolIndex, caches: cacheIndex, queues: queueIndex)
            ops.append(.end)
        }
    }

    /// A component's index by name. The model is checked before it is compiled (the decoder
    /// refuses a step naming a pool, cache or queue that does not exist), so a missing name is
    /// a bug here, not bad input: it stops, rather than quietly using component 0.
    private func index(_ name: String, in indices: [String: Int32]) -> Int32 {
        guard let i = indices[name] else { preconditionFailure("step names `\(name)`, which the checked model does not declare") }
        return i
    }

    private mutating func distribution(_ spec: DistributionSpec) -> Int32 {
        distributions.append(Distribution(spec))
        return Int32(distributions.count - 1)
    }

    private mutating func emit(_ steps: [Step], depth: Int, pools: [String: Int32],
                               caches: [String: Int32], queues: [String: Int32]) {
        for step in steps {
            switch step {
            case .cpu(let d):
                ops.append(.cpu(distribution: distribution(d)))
            case .sleep(let d):
                ops.append(.sleep(distribution: distribution(d)))
            case .call(let call):
                ops.append(.call(distribution: distribution(call.latency), failureProbability: call.failureProbability,
                                 timeoutSeconds: call.timeoutSeconds ?? .infinity))
            case .query(let q):
                var invalidationIndex: Int32 = 0
                if q.kind == .write && !q.invalidates.isEmpty {
                    invalidations.append(q.invalidates.map { index($0, in: caches) })
                    invalidationIndex = Int32(invalidations.count - 1)
                }
                ops.append(.query(pool: index(q.pool, in: pools), isWrite: q.kind == .write,
                                  distribution: distribution(q.time), failureProbability: q.failureProbability,
                                  invalidations: invalidationIndex,
                                  roundTrip: q.roundTrip.map { distribution($0) } ?? -1,
                                  readFromPrimary: q.readFromPrimary))
            case .transaction(let tx):
                ops.append(.beginTransaction(pool: index(tx.pool, in: pools)))
                emit(tx.steps, depth: depth, pools: pools, caches: caches, queues: queues)
                ops.append(.commitTransaction)
            case .cache(let c):
                slotsUsed = max(slotsUsed, depth + 1)
                let lookup = ops.count
                ops.append(.end)  // patched below
                emit(c.hit, depth: depth + 1, pools: pools, caches: caches, queues: queues)
                let jumpOverMiss = ops.count
                ops.append(.end)  // patched below
                let missStart = ops.count
                emit(c.miss, depth: depth + 1, pools: pools, caches: caches, queues: queues)
                let cache = index(c.cache, in: caches)
                ops.append(.cacheFill(cache: cache, slot: Int32(depth)))
                ops[lookup] = .cacheLookup(cache: cache, slot: Int32(depth), missTarget: Int32(missStart))
                ops[jumpOverMiss] = .jump(target: Int32(ops.count))
            case .repeat(let count, let body):
                slotsUsed = max(slotsUsed, depth + 1)
                counts.append(count)
                let begin = ops.count
                ops.append(.end)  // patched below
                emit(body, depth: depth + 1, pools: pools, caches: caches, queues: queues)
                ops.append(.repeatEnd(slot: Int32(depth), bodyStart: Int32(begin + 1)))
                ops[begin] = .repeatBegin(count: Int32(counts.count - 1), slot: Int32(depth), exitTarget: Int32(ops.count))
            case .parallel(let branches):
                let fork = ops.count
                ops.append(.end)  // patched below
                let joinJump = ops.count
                ops.append(.end)  // patched below: the parent resumes here and skips the branches
                var starts: [Int32] = []
                for branch in branches {
                    starts.append(Int32(ops.count))
                    emit(branch, depth: depth, pools: pools, caches: caches, queues: queues)
                    ops.append(.branchEnd)
                }
                ops[fork] = .fork(first: Int32(branchStarts.count), count: Int32(starts.count))
                branchStarts.append(contentsOf: starts)
                ops[joinJump] = .jump(target: Int32(ops.count))
            case .enqueue(let name):
                ops.append(.enqueue(queue: index(name, in: queues)))
            case .http(let name):
                ops.append(.http(upstream: index(name, in: upstreamIndex)))
            }
        }
    }
}
