"""Parameters of the bench scenarios, shared by the SimPy, Ciw and salabim models.

headroom-bench defines the same scenarios in Swift (Sources/headroom-bench/Scenarios.swift) and
prints its parameters with `headroom-bench theory`; bench/harness.py checks that they agree.
Times are in seconds. Every tool keeps statistics only for customers who arrive after
`warmup` seconds (the pool needs ~100 s to fill its queue from empty).
"""

SCENARIOS = {
    # M/M/10 at rho = 0.9: lambda = 1/s, mean service 9 s.
    "mm10": {"warmup": 1000.0, "arrival_rate": 1.0, "servers": 10, "mean_service": 9.0},
    # Three M/M/1 stations in tandem at rho = 0.8.
    "tandem": {"warmup": 1000.0, "arrival_rate": 1.0, "stations": 3, "mean_service": 0.8},
    # A pool of 20 connections, exponential holds of mean 1 s, 22 acquires/s (rho = 1.1),
    # every waiter gives up after exactly 10 s (an acquire timeout): M/M/20+D.
    "pool": {"warmup": 200.0, "arrival_rate": 22.0, "servers": 20, "mean_service": 1.0, "patience": 10.0},
    # Seed 002, simplified: 300 users think exp(mean 2 s), then take one of 10 connections for
    # uniform(30 ms, 80 ms) (the seed's "PostGIS 20-50 ms + relations 10-30 ms"), giving up
    # after a 10 s acquire timeout (the seed's pool_timeout=10).
    "seed": {"warmup": 20.0, "users": 300, "mean_think": 2.0, "servers": 10, "hold_low": 0.030,
             "hold_high": 0.080, "patience": 10.0},
    # A two-tier web app (bench/models/two-tier.yaml, run only through `headroom run` and
    # SimPy): 200 req/s round robin over 2 instances of 2 workers, exp(4 ms) of CPU on a
    # worker, a 1 ms cache lookup hitting 60 %; a miss takes one of 20 pool connections (10 s
    # acquire timeout) for an exp(30 ms) query at a 4-core processor-sharing database
    # (ρ = 200 · 0.4 · 0.03 / 4 = 0.6).
    "two_tier": {"warmup": 20.0, "arrival_rate": 200.0, "instances": 2, "workers": 2, "mean_cpu": 0.004,
                 "lookup": 0.001, "hit_ratio": 0.6, "pool": 20, "patience": 10.0, "mean_query": 0.030,
                 "db_cores": 4},
}


class Tally:
    """Running sums over counted customers; calls `on_target` when the target count finishes
    (how the run ends is the library's: a SimPy event succeeds, salabim's main resumes)."""

    def __init__(self, customers, on_target):
        self.target, self.on_target = customers, on_target
        self.finished = self.served = self.gave_up = 0
        self.wait = self.sojourn = 0.0

    def served_one(self, wait, sojourn):
        self.served += 1
        self.wait += wait
        self.sojourn += sojourn
        self.finish_one()

    def gave_up_one(self):
        self.gave_up += 1
        self.finish_one()

    def finish_one(self):
        self.finished += 1
        if self.finished == self.target:
            self.on_target()


def peak_rss_mib():
    """VmHWM of this process in MiB: the high-water mark of its own address space.

    `resource.getrusage(...).ru_maxrss` would also count the parent's resident set at the
    moment it spawned this process (Linux carries it across fork and exec).
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
