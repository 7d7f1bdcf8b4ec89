"""The bench scenarios written for SimPy, the way its documentation teaches.

Each customer is a process; servers and connections are a ``simpy.Resource``; an acquire timeout
is ``yield req | env.timeout(patience)`` (the "bank renege" idiom of SimPy's examples).
Statistics are running sums, so memory stays flat in the number of customers. Variates come
from one ``random.Random``. Customers who arrive before the scenario's warm-up are simulated
but not counted; the run stops when ``CUSTOMERS`` counted customers have finished.

Usage: python simpy_models.py SCENARIO CUSTOMERS [SEED]  -> one JSON line on stdout.
The scenario parameters live in scenarios.py, shared with the Ciw models.
"""
import json
import random
import sys
import time

import simpy

from scenarios import SCENARIOS, Tally, peak_rss_mib


def open_source(env, rate, expo, customer):
    while True:
        yield env.timeout(expo(rate))
        env.process(customer())


def mmc(env, p, tally, rng):
    expo, mu, warmup = rng.expovariate, 1.0 / p["mean_service"], p["warmup"]
    servers = simpy.Resource(env, capacity=p["servers"])

    def customer():
        arrived = env.now
        with servers.request() as req:
            yield req
            started = env.now
            yield env.timeout(expo(mu))
        if arrived >= warmup:
            tally.served_one(started - arrived, env.now - arrived)

    env.process(open_source(env, p["arrival_rate"], expo, customer))


def tandem(env, p, tally, rng):
    expo, mu, warmup = rng.expovariate, 1.0 / p["mean_service"], p["warmup"]
    stations = [simpy.Resource(env, capacity=1) for _ in range(p["stations"])]

    def customer():
        arrived = env.now
        waited = 0.0
        for station in stations:
            queued = env.now
            with station.request() as req:
                yield req
                waited += env.now - queued
                yield env.timeout(expo(mu))
        if arrived >= warmup:
            tally.served_one(waited, env.now - arrived)

    env.process(open_source(env, p["arrival_rate"], expo, customer))


def pool(env, p, tally, rng):
    expo, mu, warmup, patience = rng.expovariate, 1.0 / p["mean_service"], p["warmup"], p["patience"]
    connections = simpy.Resource(env, capacity=p["servers"])

    def customer():
        arrived = env.now
        with connections.request() as req:
            yield req | env.timeout(patience)
            if req.triggered:
                started = env.now
                yield env.timeout(expo(mu))
                if arrived >= warmup:
                    tally.served_one(started - arrived, env.now - arrived)
            elif arrived >= warmup:
                tally.gave_up_one()  # leaving the with-block cancels the request

    env.process(open_source(env, p["arrival_rate"], expo, customer))


def seed_pool(env, p, tally, rng):
    expo, uniform = rng.expovariate, rng.uniform
    think_rate, warmup, patience = 1.0 / p["mean_think"], p["warmup"], p["patience"]
    low, high = p["hold_low"], p["hold_high"]
    connections = simpy.Resource(env, capacity=p["servers"])

    def user():
        while True:
            yield env.timeout(expo(think_rate))
            asked = env.now
            with connections.request() as req:
                yield req | env.timeout(patience)
                if req.triggered:
                    started = env.now
                    yield env.timeout(uniform(low, high))
                    if asked >= warmup:
                        tally.served_one(started - asked, env.now - asked)
                elif asked >= warmup:
                    tally.gave_up_one()

    for _ in range(p["users"]):
        env.process(user())


class ProcessorSharing:
    """A c-core processor-sharing server: n jobs present each progress at min(1, c/n).

    SimPy has no such resource; this is the usual event-driven way: remaining work per job,
    brought up to date whenever a job arrives or leaves, and one pending timeout for the next
    completion (a stale one, superseded by an arrival or departure, is ignored when it fires).
    """

    def __init__(self, env, cores):
        self.env, self.cores = env, cores
        self.jobs = []  # [remaining work, completion event]
        self.updated = 0.0
        self.timer = 0

    def _rate(self):
        return min(1.0, self.cores / len(self.jobs))

    def _bring_up_to_date(self):
        if self.jobs:
            done = (self.env.now - self.updated) * self._rate()
            for job in self.jobs:
                job[0] -= done
        self.updated = self.env.now

    def _schedule_next(self):
        self.timer += 1
        if self.jobs:
            timer = self.timer
            delay = max(0.0, min(job[0] for job in self.jobs)) / self._rate()
            self.env.timeout(delay).callbacks.append(lambda _, timer=timer: self._complete(timer))

    def _complete(self, timer):
        if timer != self.timer:
            return
        self._bring_up_to_date()
        first = min(self.jobs, key=lambda job: job[0])
        self.jobs.remove(first)
        first[1].succeed()
        self._schedule_next()

    def serve(self, work):
        """An event that fires when `work` seconds of one core's work are done."""
        self._bring_up_to_date()
        done = self.env.event()
        self.jobs.append([work, done])
        self._schedule_next()
        return done


def two_tier(env, p, tally, rng):
    expo, uniform, warmup = rng.expovariate, rng.random, p["warmup"]
    cpu_rate, query_rate, lookup, hit_ratio = 1.0 / p["mean_cpu"], 1.0 / p["mean_query"], p["lookup"], p["hit_ratio"]
    patience = p["patience"]
    instances = [simpy.Resource(env, capacity=p["workers"]) for _ in range(p["instances"])]
    connections = simpy.Resource(env, capacity=p["pool"])
    database = ProcessorSharing(env, p["db_cores"])
    next_instance = [0]

    def request():
        arrived = env.now
        next_instance[0] += 1
        workers = instances[next_instance[0] % len(instances)]
        with workers.request() as req:
            yield req
            yield env.timeout(expo(cpu_rate))
        yield env.timeout(lookup)
        waited = 0.0
        if uniform() >= hit_ratio:
            asked = env.now
            with connections.request() as req:
                yield req | env.timeout(patience)
                if not req.triggered:
                    if arrived >= warmup:
                        tally.gave_up_one()
                    return
                waited = env.now - asked
                yield database.serve(expo(query_rate))
        if arrived >= warmup:
            tally.served_one(waited, env.now - arrived)

    env.process(open_source(env, p["arrival_rate"], expo, request))


BUILDERS = {"mm10": mmc, "tandem": tandem, "pool": pool, "seed": seed_pool, "two_tier": two_tier}


def main():
    name, customers = sys.argv[1], int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    env = simpy.Environment()
    done = env.event()
    tally = Tally(customers, done.succeed)
    BUILDERS[name](env, SCENARIOS[name], tally, random.Random(seed))
    start, cpu = time.perf_counter(), time.process_time()
    env.run(until=done)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    served = tally.served
    print(json.dumps({
        "tool": "simpy", "scenario": name, "customers": tally.finished,
        "wall_seconds": wall, "cpu_seconds": cpu,
        # SimPy's own event-id counter: every event it scheduled (timeouts, requests, process
        # starts, conditions), so not the same unit as Headroom's event count.
        "events": next(env._eid),
        "peak_rss_mib": peak_rss_mib(),
        "mean_wait": tally.wait / served if served else None,
        "mean_sojourn": tally.sojourn / served if served else None,
        "gave_up_fraction": tally.gave_up / tally.finished,
        "simulated_seconds": env.now,
    }))


if __name__ == "__main__":
    main()
