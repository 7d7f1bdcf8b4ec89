// The hosts' table: each host's cores (a kernel processor-sharing station whose jobs are the
// runnable threads placed on it), its speed, where each component runs, the single thread of
// each pooler and the client's threads, the CPU-limited instances' groups, and the counters.
// The behaviour is in WebEngine+Hosts. A model without `hosts`, `client`, pooler CPU costs or
// CPU limits builds an empty table that the hot path never reads beyond one comparison.

import HeadroomKernel
import HeadroomModel

/// What a thread on a host belongs to (for the per-component share of a host's cores).
enum HostTenant: Int {
    case instances = 0, database, pooler, client
    static let count = 4
    var label: String {
        switch self {
        case .instances: "instances"
        case .database: "database"
        case .pooler: "pooler"
        case .client: "client"
        }
    }
}

struct HostTable {
    /// Hosts, each a processor-sharing station of its cores (a job is one runnable thread).
    var stations: Slab<ProcessorSharingStation>
    let speed: Slab<Double>
    /// The host of each instance copy, -1 on cores of its own.
    let instanceHost: Slab<Int32>
    /// The primary's host, -1 on cores of its own.
    let primaryHost: Int
    /// Each pooler's host (-1: a core of its own) and its one thread (a FIFO of transactions).
    let poolerHost: Slab<Int32>
    var poolerThread: Slab<TokenPool>
    /// Each pooler's CPU per transaction and per connection opened, as distribution indices
    /// into `costs` (-1: free), and whether it has any CPU cost at all.
    let poolerTransactionCost: Slab<Int32>
    let poolerConnectionCost: Slab<Int32>
    let poolerHasCPU: Slab<Bool>
    /// The client: its host (-1: cores of its own), its threads, its cost per request (-1: none).
    let clientHost: Int
    var clientThreads: TokenPool
    let clientCost: Int32
    /// Distributions of the CPU costs above, each with its own named stream.
    let costs: Slab<Distribution>
    let costStreams: Slab<RandomStreamHandle>
    /// CPU-limited instances (cgroup CFS bandwidth), one group per copy; empty without a limit.
    var limited: Slab<ThrottledGroup>
    let hasLimit: Bool

    // Counters since the warm-up: CPU demand (core-seconds at this host's speed) per host and
    // tenant, and threads of each tenant present.
    var demandSeconds: Slab<Double>
    var tenantPresent: Slab<TimeWeightedAverage>

    init(model: Model, instances: Int, stream: (String) -> RandomStreamHandle) {
        let hosts = model.hosts
        stations = Slab(hosts.map { ProcessorSharingStation(cores: $0.cores) })
        speed = Slab(hosts.map(\.speed))
        let names = model.instances.hostNames
        instanceHost = Slab((0..<instances).map { i in Int32(i < names.count ? model.hostIndex(names[i]) : -1) })
        primaryHost = model.hostIndex(model.database?.host)
        poolerHost = Slab(model.poolers.map { Int32(model.hostIndex($0.host)) })
        poolerThread = Slab(model.poolers.map { _ in TokenPool(size: 1) })
        var specs: [DistributionSpec] = []
        var streams: [RandomStreamHandle] = []
        func cost(_ spec: DistributionSpec?, _ name: String) -> Int32 {
            guard let spec else { return -1 }
            specs.append(spec)
            streams.append(stream(name))
            return Int32(specs.count - 1)
        }
        poolerTransactionCost = Slab(model.poolers.map { cost($0.cpuPerTransaction, "pooler.\($0.name).cpu-per-transaction") })
        poolerConnectionCost = Slab(model.poolers.map { cost($0.cpuPerConnection, "pooler.\($0.name).cpu-per-connection") })
        poolerHasCPU = Slab(model.poolers.map { $0.cpuPerTransaction != nil || $0.cpuPerConnection != nil })
        clientHost = model.hostIndex(model.client?.host)
        clientThreads = TokenPool(size: max(1, model.client?.threads ?? 1))
        clientCost = cost(model.client?.cpuPerRequest, "client.cpu-per-request")
        costs = Slab(specs.map { Distribution($0) })
        costStreams = Slab(streams)
        if let limit = model.instances.cpuLimit {
            limited = Slab((0..<instances).map { _ in ThrottledGroup(limit: limit) })
            hasLimit = true
        } else {
            limited = Slab()
            hasLimit = false
        }
        demandSeconds = Slab(repeating: 0, count: hosts.count * HostTenant.count)
        tenantPresent = Slab(repeating: TimeWeightedAverage(), count: hosts.count * HostTenant.count)
    }

    mutating func restartStatistics(atSeconds now: Double) {
        for i in stations.indices { stations[i].restartStatistics(atSeconds: now) }
        for i in poolerThread.indices { poolerThread[i].restartStatistics(atSeconds: now) }
        clientThreads.restartStatistics(atSeconds: now)
        for i in limited.indices { limited[i].restartStatistics(atSeconds: now) }
        demandSeconds = Slab(repeating: 0, count: demandSeconds.count)
        for i in tenantPresent.indices { tenantPresent[i].restart(atSeconds: now) }
    }

    func results(model: Model, atSeconds now: Double, observedSeconds: Double) -> [HostResult] {
        model.hosts.enumerated().map { h, host in
            let tenants: [HostTenantResult] = (0..<HostTenant.count).compactMap { k in
                let i = h * HostTenant.count + k
                guard demandSeconds[i] > 0 || tenantPresent[i].peak > 0 else { return nil }
                return HostTenantResult(component: HostTenant(rawValue: k)!.label,
                                        utilization: demandSeconds[i] / (observedSeconds * Double(host.cores)),
                                        meanThreads: tenantPresent[i].mean(atSeconds: now))
            }
            return HostResult(name: host.name, cores: host.cores, speed: host.speed,
                              utilization: stations[h].busyCores.mean(atSeconds: now) / Double(host.cores),
                              meanRunnableThreads: stations[h].jobsPresent.mean(atSeconds: now),
                              components: tenants)
        }
    }

    /// Each pooler's thread: the share of time it was busy, and transactions waiting for it.
    func poolerThreadUtilization(_ p: Int, atSeconds now: Double) -> Double { poolerThread[p].inUse.mean(atSeconds: now) }
}

/// The threads of one CPU-limited instance (cgroup CFS bandwidth control): while it has quota
/// left in the current period each thread runs at full speed on a core of its own, and the
/// group spends quota at the rate of its threads running; when the quota is spent, every
/// thread waits until the period ends, when the quota is refilled (the kernel's throttling).
/// Virtual time V is the CPU each thread present has received (all receive it alike), so a
/// thread with w seconds of work finishes when V passes its tag V0 + w: as in the kernel's
/// processor-sharing station, but V stands still while the group is throttled.
struct ThrottledGroup {
    let quotaSeconds: Double
    let periodSeconds: Double
    var virtualTime = 0.0
    var lastUpdateSeconds = 0.0
    var jobs = EventCalendar<Int32>(reservingCapacity: 8)
    var quotaLeftSeconds: Double
    /// The end of the current period (periods start at 0, every `periodSeconds`).
    var periodEndSeconds: Double
    var throttled = false
    /// Bumped whenever the group's next event moves (stale events are ignored).
    var generation: UInt32 = 0

    // Counters since the warm-up: periods in which the group was throttled, and time throttled
    // with threads waiting.
    var throttledPeriods = 0
    var throttledSeconds = 0.0
    var throttledSince = 0.0

    init(limit: CPULimit) {
        quotaSeconds = limit.quotaSeconds
        periodSeconds = limit.periodSeconds
        quotaLeftSeconds = limit.quotaSeconds
        periodEndSeconds = limit.periodSeconds
    }

    /// Tolerance for "quota spent" and "work done": a nanosecond of CPU.
    static let epsilon = 1e-9

    /// Brings V and the quota up to `now` (within the current period), then starts the period
    /// `now` is in if the current one has ended.
    mutating func advance(to now: Double) {
        let n = jobs.count
        if n > 0 && !throttled {
            let dt = now - lastUpdateSeconds
            virtualTime += dt
            quotaLeftSeconds -= Double(n) * dt
        }
        lastUpdateSeconds = now
        if now >= periodEndSeconds - ThrottledGroup.epsilon * 1e-3 {
            if throttled { throttledSeconds += periodEndSeconds - throttledSince }
            let k = (now / periodSeconds + 1e-12).rounded(.down)
            periodEndSeconds = (k + 1) * periodSeconds
            quotaLeftSeconds = quotaSeconds
            throttled = false
        }
        if !throttled && n > 0 && quotaLeftSeconds <= ThrottledGroup.epsilon {
            throttled = true
            throttledPeriods += 1
            throttledSince = now
        }
    }

    mutating func arrive(_ e: Int32, workSeconds: Double, atSeconds now: Double) {
        advance(to: now)
        jobs.schedule(e, atSeconds: virtualTime + workSeconds)
        generation &+= 1
        if !throttled && quotaLeftSeconds <= ThrottledGroup.epsilon {
            throttled = true
            throttledPeriods += 1
            throttledSince = now
        }
    }

    /// The next time something happens (a thread finishes, the quota runs out, the period
    /// ends), nil when no thread is present.
    var nextEventSeconds: Double? {
        guard let tag = jobs.nextTimeSeconds else { return nil }
        if throttled { return periodEndSeconds }
        let n = Double(jobs.count)
        let finish = lastUpdateSeconds + max(0, tag - virtualTime)
        let exhausted = lastUpdateSeconds + max(0, quotaLeftSeconds) / n
        return min(finish, exhausted, periodEndSeconds)
    }

    /// The thread whose work is done at `now`, if one is.
    mutating func completeDue() -> Int32? {
        guard let tag = jobs.nextTimeSeconds, tag <= virtualTime + ThrottledGroup.epsilon else { return nil }
        let job = jobs.popNext()!
        if job.timeSeconds > virtualTime { virtualTime = job.timeSeconds }
        generation &+= 1
        return job.payload
    }

    mutating func restartStatistics(atSeconds now: Double) {
        throttledPeriods = 0
        throttledSeconds = 0
        if throttled { throttledSince = now }
    }
}
