"""The bench scenarios written for Ciw, with its network objects.

``ciw.create_network`` with Ciw's distributions, routing and reneging; one
``ciw.Simulation`` per run; statistics from ``get_all_records()`` afterwards (Ciw keeps every
record in memory, which is how it is meant to be used, so its memory grows with customers).

Ciw has no closed population. The seed model is written as Ciw users do for a closed loop:
a think node with infinitely many servers, 300 customers arriving there in one batch at time
zero, routing think -> pool -> think, and reneging customers sent back to the think node.

Usage: python ciw_models.py SCENARIO CUSTOMERS [SEED]  -> one JSON line on stdout.
"""
import json
import sys
import time

import ciw

from scenarios import SCENARIOS, peak_rss_mib


def mmc(p):
    return ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=p["arrival_rate"])],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / p["mean_service"])],
        number_of_servers=[p["servers"]],
    )


def tandem(p):
    k = p["stations"]
    return ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=p["arrival_rate"])] + [None] * (k - 1),
        service_distributions=[ciw.dists.Exponential(rate=1.0 / p["mean_service"])] * k,
        number_of_servers=[1] * k,
        routing=[[1.0 if j == i + 1 else 0.0 for j in range(k)] for i in range(k)],
    )


def pool(p):
    return ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=p["arrival_rate"])],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / p["mean_service"])],
        number_of_servers=[p["servers"]],
        reneging_time_distributions=[ciw.dists.Deterministic(p["patience"])],
    )


class OnceAtZero(ciw.dists.Distribution):
    """Inter-arrival times 0, then never again: one batch of customers at time zero."""

    def __init__(self):
        self.fired = False

    def sample(self, t=None, ind=None):
        if self.fired:
            return float("inf")
        self.fired = True
        return 0.0


class BackToThink(ciw.routing.Direct):
    """Pool -> think node after service, and after giving up too (Ciw's default is to leave)."""

    def next_node_for_jockeying(self, ind):
        return self.next_node(ind)


def seed_pool(p):
    return ciw.create_network(
        arrival_distributions=[OnceAtZero(), None],
        batching_distributions=[ciw.dists.Deterministic(p["users"]), ciw.dists.Deterministic(1)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / p["mean_think"]),
                               ciw.dists.Uniform(p["hold_low"], p["hold_high"])],
        number_of_servers=[float("inf"), p["servers"]],
        routing=ciw.routing.NetworkRouting(routers=[ciw.routing.Direct(to=2), BackToThink(to=1)]),
        reneging_time_distributions=[None, ciw.dists.Deterministic(p["patience"])],
    )


def run(name, customers, seed):
    p = SCENARIOS[name]
    warmup = p["warmup"]
    ciw.seed(seed)
    if name == "seed":
        sim = ciw.Simulation(seed_pool(p))
        # A closed loop never exits: run for the warm-up plus the simulated time that
        # `customers` requests take at the pool's throughput (about users / (think + hold)).
        rate = p["users"] / (p["mean_think"] + (p["hold_low"] + p["hold_high"]) / 2)
        start, cpu = time.perf_counter(), time.process_time()
        sim.simulate_until_max_time(warmup + customers / rate)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        pool_node = 2
    else:
        sim = ciw.Simulation({"mm10": mmc, "tandem": tandem, "pool": pool}[name](p))
        start, cpu = time.perf_counter(), time.process_time()
        # Customers arriving during the warm-up are simulated but not counted.
        sim.simulate_until_max_customers(customers + round(p["arrival_rate"] * warmup), method="Finish")
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        pool_node = 1
    records = sim.get_all_records()
    if name == "tandem":
        last = p["stations"]
        entered = {r.id_number: r.arrival_date for r in records if r.node == 1 and r.arrival_date >= warmup}
        done = {r.id_number: r.exit_date for r in records if r.node == last and r.id_number in entered}
        n = len(done)
        mean_wait = sum(r.waiting_time for r in records if r.id_number in done) / n
        mean_sojourn = sum(done[i] - entered[i] for i in done) / n
        gave_up = 0
    else:
        mine = [r for r in records if r.node == pool_node and r.arrival_date >= warmup]
        served = [r for r in mine if r.record_type == "service"]
        gave_up = sum(1 for r in mine if r.record_type == "renege")
        n = len(served) + gave_up
        mean_wait = sum(r.waiting_time for r in served) / len(served)
        mean_sojourn = sum(r.exit_date - r.arrival_date for r in served) / len(served)
    return {
        "tool": "ciw", "scenario": name, "customers": n, "wall_seconds": wall,
        "cpu_seconds": cpu, "events": None,
        "peak_rss_mib": peak_rss_mib(),
        "mean_wait": mean_wait, "mean_sojourn": mean_sojourn,
        "gave_up_fraction": gave_up / n if n else 0.0,
        "simulated_seconds": sim.current_time,
    }


def main():
    name, customers = sys.argv[1], int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    print(json.dumps(run(name, customers, seed)))


if __name__ == "__main__":
    main()
