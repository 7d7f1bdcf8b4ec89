// Where a failed attempt failed. Every attempt that does not succeed is counted once, by the
// cause the client saw: its own timeout (split by what the request was doing when it fired), a
// refusal before the request ran, an error the server returned (split by the component that
// failed it), or a rate limiter's 429. The endpoint's timeout, error, refusal and 429 counts are
// the sums of these (docs/output-schema.md, "failures").

/// Why an attempt failed, and where. The raw values index `EndpointResult.failures`; `key` is
/// the name the report writes (the `failures` section's items).
public enum FailureCause: Int, CaseIterable, Sendable {
    // The client's timeout fired while the request was ...
    /// ... still with the client, spending the client's own CPU (`client:`) before it left.
    case timeoutClientCPU
    /// ... in its instance's accept queue, waiting for a request thread (`instances.threads`).
    case timeoutThreadWait
    /// ... waiting for one of its instance's workers (a `cpu` step's queue).
    case timeoutWorkerWait
    /// ... computing (a `cpu` step holding a worker).
    case timeoutCPU
    /// ... queued for a connection of its pool (`pools`).
    case timeoutPoolWait
    /// ... opening a new pool connection (`connection_setup`).
    case timeoutConnectionSetup
    /// ... queued for a pooler's server connection, or for the pooler's thread.
    case timeoutPoolerWait
    /// ... at the database: crossing the network to it, or executing.
    case timeoutDatabase
    /// ... at a cache (its lookup, its client connection or its server).
    case timeoutCache
    /// ... at an HTTP upstream (its client connection, the wire, its servers).
    case timeoutUpstream
    /// ... in a `call` step (an external dependency without a model of its own).
    case timeoutCall
    /// ... in a `sleep` step.
    case timeoutSleep
    /// ... waiting for the branches of a `parallel` step.
    case timeoutParallel
    /// ... between steps, or no longer running at the server.
    case timeoutOther
    // Refused before it ran.
    /// No instance in rotation, or a dead one still in rotation (connection refused).
    case refusedNoInstance
    /// Every request thread busy and the accept queue full (`instances.threads`).
    case refusedAcceptQueue
    /// The instance already held the memory cap of requests in flight (OverloadCaps).
    case refusedOverloadCap
    /// A rate limiter's 429.
    case rateLimited
    // Errors the server returned.
    /// The instance died while it held the request (its connection reset).
    case errorInstanceDied
    /// The pool's `acquire_timeout` ran out before a connection was free.
    case errorPoolAcquireTimeout
    /// A pooler's `query_wait_timeout` ran out before a server connection was free.
    case errorPoolerWaitTimeout
    /// A new connection refused: the pooler's `max_client_conn` or the database's `max_connections`.
    case errorConnectionRefused
    /// A query failed (`failure_rate` of a `query` step).
    case errorQuery
    /// An external `call` failed or outlasted its timeout.
    case errorCall
    /// An HTTP upstream's error, its timeout, or its client pool's acquire timeout.
    case errorUpstream
    /// A cache's client connection was not free within its `acquire_timeout` (without `on_timeout: miss`).
    case errorCacheConnection
    /// A failure with no cause recorded (a parallel branch's failure is recorded by the branch).
    case errorOther

    /// The item name in the report's `failures` section.
    public var key: String {
        switch self {
        case .timeoutClientCPU: "timeout_client_cpu"
        case .timeoutThreadWait: "timeout_thread_wait"
        case .timeoutWorkerWait: "timeout_worker_wait"
        case .timeoutCPU: "timeout_cpu"
        case .timeoutPoolWait: "timeout_pool_wait"
        case .timeoutConnectionSetup: "timeout_connection_setup"
        case .timeoutPoolerWait: "timeout_pooler_wait"
        case .timeoutDatabase: "timeout_database"
        case .timeoutCache: "timeout_cache"
        case .timeoutUpstream: "timeout_upstream"
        case .timeoutCall: "timeout_call"
        case .timeoutSleep: "timeout_sleep"
        case .timeoutParallel: "timeout_parallel"
        case .timeoutOther: "timeout_other"
        case .refusedNoInstance: "refused_no_instance"
        case .refusedAcceptQueue: "refused_accept_queue"
        case .refusedOverloadCap: "refused_overload_cap"
        case .rateLimited: "rate_limited"
        case .errorInstanceDied: "error_instance_died"
        case .errorPoolAcquireTimeout: "error_pool_acquire_timeout"
        case .errorPoolerWaitTimeout: "error_pooler_wait_timeout"
        case .errorConnectionRefused: "error_connection_refused"
        case .errorQuery: "error_query"
        case .errorCall: "error_call"
        case .errorUpstream: "error_upstream"
        case .errorCacheConnection: "error_cache_connection"
        case .errorOther: "error_other"
        }
    }

    /// The cause whose report item is named `key`.
    public init?(key: String) {
        guard let c = FailureCause.allCases.first(where: { $0.key == key }) else { return nil }
        self = c
    }

    /// Whether the client's own timeout ended the attempt (counted in `timeouts`).
    public var isTimeout: Bool { rawValue <= FailureCause.timeoutOther.rawValue }
}

extension WebEngine {
    /// Records where attempt `a`'s failure happened, unless an earlier failure of the same
    /// attempt (a parallel branch's) already did.
    @inline(__always)
    mutating func recordFailure(_ e: Int32, _ cause: FailureCause) {
        let a = entities[Int(e)].attempt
        guard a >= 0, entities[Int(e)].job < 0, attempts[Int(a)].failure == Attempt.noFailure else { return }
        attempts[Int(a)].failure = UInt8(cause.rawValue)
    }

    /// Entity `e` fails, at `cause`: recorded on its attempt, then the entity ends.
    @inline(__always)
    mutating func fail(_ e: Int32, _ cause: FailureCause) {
        recordFailure(e, cause)
        terminate(e, failed: true)
    }

    /// What the client's timeout caught attempt `a` doing: its root entity's step and what it
    /// is queued for.
    func timeoutCause(of a: Int32) -> FailureCause {
        let ai = Int(a)
        guard attempts[ai].serverRunning else {
            return attempts[ai].rootEntity < 0 && hosts.clientCost >= 0 ? .timeoutClientCPU : .timeoutOther
        }
        let e = attempts[ai].rootEntity
        guard e >= 0, entities[Int(e)].live, entities[Int(e)].attempt == a else { return .timeoutOther }
        let entity = entities[Int(e)]
        switch entity.queuedOn {
        case .pool: return .timeoutPoolWait
        case .pooler: return .timeoutPoolerWait
        case .thread: return .timeoutThreadWait
        case .upstreamConnection: return .timeoutUpstream
        case .nothing: break
        }
        switch entity.state {
        case .start: return .timeoutOther
        case .waitingForWorker: return .timeoutWorkerWait
        case .computing: return .timeoutCPU
        case .delayed, .callTimedOut:
            if case .sleep = ops[Int(entity.pc)] { return .timeoutSleep }
            return .timeoutCall
        case .poolGranted: return .timeoutPoolWait
        case .poolConnectionOpen: return .timeoutConnectionSetup
        case .poolerGranted, .waitingForPoolerThread, .atPoolerThread: return .timeoutPoolerWait
        case .connectionReady, .onTheWire, .atDatabase: return .timeoutDatabase
        case .lookupDue, .waitingForFill, .servedByFill, .waitingForCacheConnection, .waitingForCacheServer, .atCacheServer:
            return .timeoutCache
        case .waitingForUpstreamConnection, .onUpstreamWire, .waitingForUpstream, .atUpstream, .upstreamTimedOut:
            return .timeoutUpstream
        case .waitingForBranches: return .timeoutParallel
        }
    }
}
