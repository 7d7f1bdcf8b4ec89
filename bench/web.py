"""The web engine beside SimPy and salabim: `headroom run` (the whole process) on three web models,
and the same models written for SimPy (bench/peers/simpy_models.py) and salabim
(bench/peers/salabim_models.py).

- seed: seed 002's pool (bench/models/seed-002-pool.yaml; SimPy `seed`): closed, 300 users;
- pool: a pool of 20 under overload with a constant 10 s acquire timeout
  (bench/models/pool-timeout.yaml; SimPy `pool`);
- two_tier: workers, a cache and a processor-sharing database behind a pool
  (bench/models/two-tier.yaml; SimPy `two_tier`).

SimPy runs `--customers` (default 100,000), salabim `--salabim-customers` (default 20,000: where every
request is a new component it runs more than 10 times slower than SimPy; bench/README.md says why), Headroom
`--headroom-customers` (default 2,000,000: its process start-up, ~0.03 s, would otherwise dominate). Each tool runs `--repeats` times
(default 3), alternating, and the run with the most customers
per CPU-second is kept: the machine is shared, and CPU seconds (not wall) are what is compared.
Headroom's CPU seconds are the whole process's (model loading, report, CLI: GNU time's user +
system); SimPy's and salabim's are their simulation loop's (`time.process_time()` around
`env.run`), which favours them. A customer is a request whose client finished (served or gave up), counted
after the warm-up. Mean time in system and the fraction that gave up are printed beside each
other, so speed is never bought with wrong answers.

Usage (from bench/run.sh --web, or directly with the bench's virtual environment):
    python bench/web.py --headroom-cli .build-bench/release/headroom [--customers 200000]
Writes bench/web-results.json and the "Web engine" section of bench/RESULTS.md.
"""
import argparse
import json
import os
import re
import sys

from harness import HERE, ROOT, SCENARIOS, log, measured, run_process

SIMPY = os.path.join(HERE, "peers", "simpy_models.py")
SALABIM = os.path.join(HERE, "peers", "salabim_models.py")
MODELS = {
    "seed": ("seed-002-pool.yaml", "seed"),
    "pool": ("pool-timeout.yaml", "pool"),
    "two_tier": ("two-tier.yaml", "two_tier"),
}


def customers_per_second(scenario):
    """Requests finished per simulated second, to size the horizon for a customer count."""
    p = SCENARIOS[scenario]
    if scenario == "seed":
        return p["users"] / (p["mean_think"] + 0.055)
    return p["arrival_rate"]


def run_headroom(cli, scenario, customers):
    model = os.path.join(HERE, "models", MODELS[scenario][0])
    warmup = SCENARIOS[scenario]["warmup"]
    horizon = int(warmup + customers / customers_per_second(scenario)) + 1
    argv = [cli, "run", model, "--replications", "1", "--threads", "1", "--horizon", f"{horizon}s",
            "--warmup", f"{int(warmup)}s", "--format", "json"]
    lines, wall, usage = run_process(argv)
    report = json.loads("\n".join(lines))
    endpoint = report["endpoints"][0]
    figure = lambda key: endpoint["figures"][key]["mean"]
    # Requests the client finished after the warm-up (served, or gave up at the acquire timeout).
    count = round(figure("attempts_per_second") * (horizon - int(warmup)))
    cpu = usage.cpu_seconds
    row = {"tool": "headroom run", "scenario": scenario, "customers": count, "horizon_seconds": horizon,
           "process_wall_seconds": wall, "process_cpu_seconds": cpu, "process_peak_rss_mib": usage.peak_rss_mib,
           "customers_per_cpu_second": count / cpu, "events": report.get("events_processed"),
           "mean_sojourn": figure("mean_seconds"),
           "gave_up_fraction": figure("error_rate")}
    log(f"  {'headroom run':<14} {scenario:<9} {count:>10,} customers {cpu:7.2f} s CPU "
        f"{count / cpu:12,.0f}/CPU-s {usage.peak_rss_mib:7.1f} MiB")
    return row


def run_simpy(python, scenario, customers):
    row = measured([python, SIMPY, scenario, str(customers)], f"SimPy {scenario}")
    row["tool"] = "simpy"
    return row


def run_salabim(python, scenario, customers):
    return measured([python, SALABIM, scenario, str(customers)], f"salabim {scenario}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--headroom-cli", default=os.path.join(ROOT, ".build-bench", "release", "headroom"))
    ap.add_argument("--customers", type=int, default=100_000, help="counted customers per SimPy run")
    ap.add_argument("--salabim-customers", type=int, default=20_000, help="counted customers per salabim run")
    ap.add_argument("--headroom-customers", type=int, default=2_000_000,
                    help="counted customers per headroom run (its rate includes process start-up, ~0.03 s)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per tool and scenario; the best CPU rate is kept")
    ap.add_argument("--scenarios", default="seed,pool,two_tier")
    ap.add_argument("--json", default=os.path.join(HERE, "web-results.json"))
    ap.add_argument("--markdown", default=os.path.join(HERE, "RESULTS.md"))
    args = ap.parse_args()

    results = {"load_average_start": os.getloadavg(), "customers": args.customers,
               "headroom_customers": args.headroom_customers, "salabim_customers": args.salabim_customers,
               "repeats": args.repeats,
               "scenarios": {}}
    for scenario in args.scenarios.split(","):
        log(f"web scenario {scenario}")
        runs = {"headroom": [], "simpy": [], "salabim": []}
        for _ in range(args.repeats):
            runs["headroom"].append(run_headroom(args.headroom_cli, scenario, args.headroom_customers))
            runs["simpy"].append(run_simpy(sys.executable, scenario, args.customers))
            runs["salabim"].append(run_salabim(sys.executable, scenario, args.salabim_customers))
        best = {tool: max(rows, key=lambda r: r["customers_per_cpu_second"]) for tool, rows in runs.items()}
        ratio = best["headroom"]["customers_per_cpu_second"] / best["simpy"]["customers_per_cpu_second"]
        ratio_salabim = best["headroom"]["customers_per_cpu_second"] / best["salabim"]["customers_per_cpu_second"]
        log(f"  headroom run / SimPy per CPU-second: {ratio:.0f}x; / salabim: {ratio_salabim:.0f}x")
        results["scenarios"][scenario] = {"best": best, "ratio": ratio, "ratio_salabim": ratio_salabim,
                                          "attempts_customers_per_cpu_second": {
                                              t: [r["customers_per_cpu_second"] for r in rows] for t, rows in runs.items()}}
    results["load_average_end"] = os.getloadavg()
    with open(args.json, "w") as f:
        json.dump(results, f, indent=1)

    lines = ["<!-- web-engine: written by bench/web.py -->",
             "## Web engine: `headroom run` beside SimPy and salabim",
             "",
             f"`bench/run.sh --web` ({args.headroom_customers:,} counted customers per `headroom run`, "
             f"{args.customers:,} per SimPy run and {args.salabim_customers:,} per salabim run (their rates do not "
             f"depend on the count), best of {args.repeats} runs per tool, alternating; load average {results['load_average_start'][0]:.1f} at the start and "
             f"{results['load_average_end'][0]:.1f} at the end: the machine was shared, so CPU seconds, not wall). "
             "Headroom: the whole `headroom run` process (model loading, report, CLI). SimPy, salabim: their "
             "simulation loop only. Answers from runs of different lengths: salabim's short runs scatter more "
             "(the kernel bench above gives the spread at its count).",
             "",
             "| scenario | headroom run /CPU-s | SimPy /CPU-s | salabim /CPU-s | ratio to SimPy | ratio to salabim | "
             "mean time in system (Headroom / SimPy / salabim) | gave up (Headroom / SimPy / salabim) | Headroom peak RSS |",
             "|---|---|---|---|---|---|---|---|---|"]
    for scenario, r in results["scenarios"].items():
        h, s, sb = r["best"]["headroom"], r["best"]["simpy"], r["best"]["salabim"]
        lines.append(f"| {scenario} (`bench/models/{MODELS[scenario][0]}`) | {h['customers_per_cpu_second']:,.0f} | "
                     f"{s['customers_per_cpu_second']:,.0f} | {sb['customers_per_cpu_second']:,.0f} | {r['ratio']:.0f}x | "
                     f"{r['ratio_salabim']:.0f}x | {h['mean_sojourn']:.4f} s / {s['mean_sojourn']:.4f} s / "
                     f"{sb['mean_sojourn']:.4f} s | {h['gave_up_fraction']:.4f} / {s['gave_up_fraction']:.4f} / "
                     f"{sb['gave_up_fraction']:.4f} | {h['process_peak_rss_mib']:.1f} MiB |")
    lines.append("<!-- /web-engine -->")
    section = "\n".join(lines) + "\n"
    text = open(args.markdown).read() if os.path.exists(args.markdown) else ""
    pattern = re.compile(r"<!-- web-engine: .*?<!-- /web-engine -->\n", re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    with open(args.markdown, "w") as f:
        f.write(text)
    log(f"wrote {os.path.relpath(args.json, ROOT)} and the web section of {os.path.relpath(args.markdown, ROOT)}")


if __name__ == "__main__":
    main()
