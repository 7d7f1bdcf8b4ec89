// Hosts (machines whose cores the components placed on them share), the load generator as a
// client that can sit on one, and container CPU limits. See docs/hosts.md.

/// A machine: `cores` cores that every thread placed on it shares by processor sharing (each
/// runnable thread gets min(1, cores / n) of a core with n runnable, Linux CFS's fair share
/// for threads of equal weight), running work `speed` times as fast as the machine its times
/// were measured on.
public struct Host: Sendable, Hashable {
    public var name: String
    public var cores: Int
    /// Work of w seconds (measured on a reference machine) takes w / speed of a core here.
    /// Default 1.
    public var speed: Double

    public init(name: String, cores: Int, speed: Double = 1) {
        self.name = name; self.cores = cores; self.speed = speed
    }
}

/// The load generator (pgbench, wrk, k6) as a component: its own CPU per request, on a host
/// it may share with the system it measures. Without a `client` section the client costs
/// nothing and runs nowhere (today's behaviour).
public struct LoadClient: Sendable, Hashable {
    /// The host the client runs on; nil: on cores of its own (its cost is then only a delay).
    public var host: String?
    /// The client's CPU per request (building and sending it, reading and timing the answer),
    /// spent before the request is sent.
    public var cpuPerRequest: DistributionSpec?
    /// Threads of the client (pgbench `-j`): requests beyond them wait for one, FCFS.
    public var threads: Int

    public init(host: String? = nil, cpuPerRequest: DistributionSpec? = nil, threads: Int = 1) {
        self.host = host; self.cpuPerRequest = cpuPerRequest; self.threads = threads
    }
}

/// A container's CPU limit (Kubernetes `resources.limits.cpu`, cgroup CFS bandwidth control):
/// in each period of `periodSeconds` the instance's threads together may use `cores` x
/// `periodSeconds` of CPU; once they have, every one of them waits for the next period.
public struct CPULimit: Sendable, Hashable {
    /// `cpu_limit` (cores: 1.5 = a quota of 150 ms per 100 ms period).
    public var cores: Double
    /// `cfs_period` (default 100 ms, the kernel's `cpu.cfs_period_us`).
    public var periodSeconds: Double

    public init(cores: Double, periodSeconds: Double = 0.1) { self.cores = cores; self.periodSeconds = periodSeconds }

    /// CPU the instance may use per period.
    public var quotaSeconds: Double { cores * periodSeconds }
}

extension Model {
    public func host(named name: String) -> Host? { hosts.first { $0.name == name } }
    /// Index of a host in `hosts`, -1 for nil (not placed on a host).
    public func hostIndex(_ name: String?) -> Int {
        guard let name else { return -1 }
        return hosts.firstIndex { $0.name == name } ?? -1
    }
}
