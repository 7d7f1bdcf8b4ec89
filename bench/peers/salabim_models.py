"""The bench scenarios written for salabim, the way its documentation teaches.

Every customer is a ``sim.Component`` whose ``process()`` runs in salabim's default yieldless
mode (no ``yield``: ``hold()`` and ``request()`` suspend the component's greenlet); servers and
connections are a ``sim.Resource``; an acquire timeout is ``request(resource,
fail_delay=patience)`` followed by ``failed()`` (the "reneging" idiom of salabim's bank
examples); an arrival stream is a generator component that creates a customer and holds for an
inter-arrival time. Variates come from salabim's distributions (``sim.Exponential``,
``sim.Uniform``) drawing on the random stream that ``sim.Environment(random_seed=...)`` seeds.

Statistics are running sums, as in the SimPy models, so memory stays flat in the number of
customers; the resources' own monitors (length and length-of-stay of their queues, claimed
quantity, occupancy: salabim records every change) are switched off with ``monitor=False``,
since nothing here reads them and with them on memory grows with every customer. Animation and
trace are off (salabim's defaults; the environment says so explicitly). Customers who arrive
before the scenario's warm-up are simulated but not counted; when ``CUSTOMERS`` counted customers
have finished, the tally hands control back to ``main`` (``env.main().activate()``, salabim's way
to end a run on a condition).

Usage: python salabim_models.py SCENARIO CUSTOMERS [SEED]  -> one JSON line on stdout, with the
same fields as simpy_models.py. The scenario parameters live in scenarios.py.
"""
import json
import sys
import time

import salabim as sim

from scenarios import SCENARIOS, Tally, peak_rss_mib


class Source(sim.Component):
    """An open arrival stream: a new `customer` component every exp(1/rate)."""

    def setup(self, customer, rate):
        self.customer, self.interarrival = customer, sim.Exponential(rate=rate)

    def process(self):
        while True:
            self.hold(self.interarrival.sample())
            self.customer()


def mmc(env, p, tally):
    warmup, service = p["warmup"], sim.Exponential(p["mean_service"])
    servers = sim.Resource("servers", capacity=p["servers"], monitor=False)

    class Customer(sim.Component):
        def process(self):
            arrived = env.now()
            self.request(servers)
            started = env.now()
            self.hold(service.sample())
            self.release(servers)
            if arrived >= warmup:
                tally.served_one(started - arrived, env.now() - arrived)

    Source(customer=Customer, rate=p["arrival_rate"])


def tandem(env, p, tally):
    warmup, service = p["warmup"], sim.Exponential(p["mean_service"])
    stations = [sim.Resource("station.", capacity=1, monitor=False) for _ in range(p["stations"])]

    class Customer(sim.Component):
        def process(self):
            arrived = env.now()
            waited = 0.0
            for station in stations:
                queued = env.now()
                self.request(station)
                waited += env.now() - queued
                self.hold(service.sample())
                self.release(station)
            if arrived >= warmup:
                tally.served_one(waited, env.now() - arrived)

    Source(customer=Customer, rate=p["arrival_rate"])


def pool(env, p, tally):
    warmup, patience, hold = p["warmup"], p["patience"], sim.Exponential(p["mean_service"])
    connections = sim.Resource("connections", capacity=p["servers"], monitor=False)

    class Customer(sim.Component):
        def process(self):
            arrived = env.now()
            self.request(connections, fail_delay=patience)
            if self.failed():
                if arrived >= warmup:
                    tally.gave_up_one()
                return
            started = env.now()
            self.hold(hold.sample())
            self.release(connections)
            if arrived >= warmup:
                tally.served_one(started - arrived, env.now() - arrived)

    Source(customer=Customer, rate=p["arrival_rate"])


def seed_pool(env, p, tally):
    warmup, patience = p["warmup"], p["patience"]
    think, hold = sim.Exponential(p["mean_think"]), sim.Uniform(p["hold_low"], p["hold_high"])
    connections = sim.Resource("connections", capacity=p["servers"], monitor=False)

    class User(sim.Component):
        def process(self):
            while True:
                self.hold(think.sample())
                asked = env.now()
                self.request(connections, fail_delay=patience)
                if self.failed():
                    if asked >= warmup:
                        tally.gave_up_one()
                    continue
                started = env.now()
                self.hold(hold.sample())
                self.release(connections)
                if asked >= warmup:
                    tally.served_one(started - asked, env.now() - asked)

    for _ in range(p["users"]):
        User()


class ProcessorSharing(sim.Component):
    """A c-core processor-sharing server: n jobs present each progress at min(1, c/n).

    salabim has no such resource; this is the usual way with components: the server holds until
    the next completion and is re-activated (its hold cut short) whenever a job arrives, which
    changes every job's rate. Remaining work per job is brought up to date at each such moment.
    A job component calls ``serve(work)`` and is passive until the server activates it.
    """

    def setup(self, cores):
        self.cores = cores
        self.jobs = []  # [remaining work, job component]
        self.updated = 0.0
        self.next_completion = sim.inf

    def _rate(self):
        return min(1.0, self.cores / len(self.jobs))

    def _bring_up_to_date(self):
        now = self.env.now()
        if self.jobs:
            done = (now - self.updated) * self._rate()
            for job in self.jobs:
                job[0] -= done
        self.updated = now

    def serve(self, job, work):
        """Called by `job` (the current component): returns when `work` seconds of one core are done."""
        self._bring_up_to_date()
        self.jobs.append([work, job])
        self.activate()  # the rates changed: recompute the next completion
        job.passivate()

    def process(self):
        while True:
            if not self.jobs:
                self.next_completion = sim.inf
                self.passivate()
                continue
            first = min(self.jobs, key=lambda job: job[0])
            self.next_completion = self.env.now() + max(0.0, first[0]) / self._rate()
            self.hold(till=self.next_completion)
            if self.env.now() < self.next_completion:
                continue  # re-activated by an arrival: bring_up_to_date already ran in serve()
            self._bring_up_to_date()
            self.jobs.remove(first)
            first[1].activate()


def two_tier(env, p, tally):
    warmup, patience, lookup, hit_ratio = p["warmup"], p["patience"], p["lookup"], p["hit_ratio"]
    cpu, query, hit = sim.Exponential(p["mean_cpu"]), sim.Exponential(p["mean_query"]), sim.Uniform(0.0, 1.0)
    instances = [sim.Resource("instance.", capacity=p["workers"], monitor=False) for _ in range(p["instances"])]
    connections = sim.Resource("connections", capacity=p["pool"], monitor=False)
    database = ProcessorSharing(cores=p["db_cores"])
    next_instance = [0]

    class Request(sim.Component):
        def process(self):
            arrived = env.now()
            next_instance[0] += 1
            workers = instances[next_instance[0] % len(instances)]
            self.request(workers)
            self.hold(cpu.sample())
            self.release(workers)
            self.hold(lookup)
            waited = 0.0
            if hit.sample() >= hit_ratio:
                asked = env.now()
                self.request(connections, fail_delay=patience)
                if self.failed():
                    if arrived >= warmup:
                        tally.gave_up_one()
                    return
                waited = env.now() - asked
                database.serve(self, query.sample())
                self.release(connections)
            if arrived >= warmup:
                tally.served_one(waited, env.now() - arrived)

    Source(customer=Request, rate=p["arrival_rate"])


BUILDERS = {"mm10": mmc, "tandem": tandem, "pool": pool, "seed": seed_pool, "two_tier": two_tier}


def main():
    name, customers = sys.argv[1], int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    env = sim.Environment(random_seed=seed, trace=False)
    env.animate(False)
    tally = Tally(customers, lambda: env.main().activate())
    BUILDERS[name](env, SCENARIOS[name], tally)
    start, cpu = time.perf_counter(), time.process_time()
    env.run()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    if tally.finished < customers:
        raise SystemExit(f"salabim {name}: the run ended after {tally.finished} of {customers} customers")
    served = tally.served
    print(json.dumps({
        "tool": "salabim", "scenario": name, "customers": tally.finished,
        "wall_seconds": wall, "cpu_seconds": cpu,
        # salabim's own sequence counter: every push onto its event list (each hold, request
        # with a timeout, activation), so not the same unit as Headroom's or SimPy's count.
        "events": env._seq,
        "peak_rss_mib": peak_rss_mib(),
        "mean_wait": tally.wait / served if served else None,
        "mean_sojourn": tally.sojourn / served if served else None,
        "gave_up_fraction": tally.gave_up / tally.finished,
        "simulated_seconds": env.now(),
    }))


if __name__ == "__main__":
    main()
