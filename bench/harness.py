"""Runs the peer bench: the same scenarios in Headroom, SimPy and Ciw, alternating, in one run.

Called by bench/run.sh with the bench's virtual environment; writes bench/RESULTS.md (tables)
and bench/results.json (every measurement). Each run is its own process: the tool times its
simulation loop itself (wall and CPU seconds), and this harness reads the process's peak
resident memory and total CPU from os.wait4, the same way for every tool.
"""
import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "peers"))
from scenarios import SCENARIOS  # noqa: E402

ORDER = ["mm10", "tandem", "pool", "seed"]


def log(message):
    print(message, file=sys.stderr, flush=True)


def run_process(argv, cwd=ROOT):
    """Runs argv; returns (stdout lines, wall seconds, rusage of that child)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(argv)}")
    return [line for line in out.splitlines() if line.strip()], wall, usage


def measured(argv, label):
    lines, wall, usage = run_process(argv)
    row = json.loads(lines[-1])
    row["process_wall_seconds"] = wall
    row["process_cpu_seconds"] = usage.ru_utime + usage.ru_stime
    row["process_peak_rss_mib"] = usage.ru_maxrss / 1024.0
    rate = row["customers"] / row["cpu_seconds"] if row.get("cpu_seconds") else None
    row["customers_per_cpu_second"] = rate
    row["customers_per_wall_second"] = row["customers"] / row["wall_seconds"]
    if row.get("events"):
        row["events_per_cpu_second"] = row["events"] / row["cpu_seconds"]
    log(f"  {label:<22} {row['customers']:>10,} customers  {row['wall_seconds']:8.2f} s wall "
        f"{row['cpu_seconds']:8.2f} s CPU  {rate:14,.0f}/CPU-s  {row['process_peak_rss_mib']:7.1f} MiB")
    return row


def machine_info(bench):
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.strip().splitlines()
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "Sources"], capture_output=True, text=True).stdout.strip()
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(), "cpu": cpu, "kernel": platform.release(),
        "swift": swift[0] if swift else "unknown",
        "python": platform.python_version(),
        "simpy": importlib.metadata.version("simpy"), "ciw": importlib.metadata.version("ciw"),
        "headroom_commit": commit + (" (Sources modified)" if dirty else ""),
        "load_average_start": os.getloadavg(),
    }


def check_parameters(theory):
    """headroom-bench's scenarios and scenarios.py must describe the same models."""
    for name in ORDER:
        swift, py = theory[name], SCENARIOS[name]
        if abs(swift["warmup_seconds"] - py["warmup"]) > 1e-12:
            raise SystemExit(f"{name}: warm-up differs: Swift {swift['warmup_seconds']}, Python {py['warmup']}")
        for key, value in swift["parameters"].items():
            if abs(float(py[key]) - value) > 1e-12:
                raise SystemExit(f"{name}: parameter {key} differs: Swift {value}, Python {py[key]}")


def run_cli_seed(headroom_cli, customers):
    """The seed model through the web-backend engine: `headroom run` on bench/models/."""
    model = os.path.join(HERE, "models", "seed-002-pool.yaml")
    rate = SCENARIOS["seed"]["users"] / (SCENARIOS["seed"]["mean_think"] + 0.055)
    horizon = int(SCENARIOS["seed"]["warmup"] + customers / rate) + 1
    argv = [headroom_cli, "run", model, "--replications", "1", "--threads", "1",
            "--horizon", f"{horizon}s", "--warmup", f"{int(SCENARIOS['seed']['warmup'])}s", "--format", "json"]
    start = time.perf_counter()
    lines, wall, usage = run_process(argv)
    report = json.loads("\n".join(lines))
    return report, wall, usage, horizon


def cli_row(report, wall, usage):
    """Reads `headroom run --format json` (docs/output-schema.md)."""
    endpoint, pool = report["endpoints"][0], report["pools"][0]
    count = endpoint["merged"]["count"]
    figure = lambda section, key: section["figures"][key]["mean"]
    cpu = usage.ru_utime + usage.ru_stime
    events = report.get("events_processed")
    row = {
        "tool": "headroom run (web engine)", "scenario": "seed", "customers": count,
        "wall_seconds": wall, "cpu_seconds": cpu, "events": events,
        "process_wall_seconds": wall, "process_cpu_seconds": cpu,
        "process_peak_rss_mib": usage.ru_maxrss / 1024.0,
        "mean_wait": pool["merged"]["mean_seconds"],
        "mean_sojourn": figure(endpoint, "mean_seconds"),
        "gave_up_fraction": figure(endpoint, "timeout_rate"),
        "acquire_timeouts": figure(pool, "acquire_timeouts"),
        "customers_per_cpu_second": count / cpu, "customers_per_wall_second": count / wall,
        "events_per_cpu_second": events / cpu if events else None,
        "note": "whole process: model loading, report and CLI included",
    }
    log(f"  {'headroom run (CLI)':<22} {count:>10,} customers  {wall:8.2f} s wall {cpu:8.2f} s CPU  "
        f"{count / cpu:14,.0f}/CPU-s  {row['process_peak_rss_mib']:7.1f} MiB")
    return row


def sweep(bench, cells, customers):
    base = [bench, "sweep", "--cells", str(cells), "--customers", str(customers)]
    out = {"load_average_before": os.getloadavg()}
    for threads in (1, 2):
        lines, wall, usage = run_process(base + ["--threads", str(threads)])
        row = json.loads(lines[-1])
        out[f"threads_{threads}"] = row
        log(f"  sweep {cells} cells, {threads} thread(s): {row['cells_per_second']:.2f} cells/s "
            f"({row['wall_seconds']:.2f} s wall, {row['cpu_seconds']:.2f} s CPU)")
    # Two shards as two concurrent processes, the way `--shard` runs would split a sweep.
    start = time.perf_counter()
    procs = [subprocess.Popen(base + ["--threads", "1", "--shard", f"{i}/2"], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True) for i in range(2)]
    rows = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    wall = time.perf_counter() - start
    out["shards_2"] = {"wall_seconds": wall, "cells": sum(r["cells"] for r in rows),
                       "cells_per_second": sum(r["cells"] for r in rows) / wall,
                       "checksum": sum(r["checksum"] for r in rows), "shards": rows}
    log(f"  sweep {cells} cells, 2 shard processes: {out['shards_2']['cells_per_second']:.2f} cells/s ({wall:.2f} s wall)")
    out["load_average_after"] = os.getloadavg()
    return out


def fmt(x, digits=4):
    if x is None:
        return "—"
    if isinstance(x, int) or (isinstance(x, float) and abs(x) >= 1000):
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def write_markdown(path, info, theory, runs, flat, cli, sweep_result, args):
    L = []
    L.append("# Headroom beside SimPy and Ciw")
    L.append("")
    L.append(f"Generated by `bench/run.sh` on {info['date']}. Machine: {info['nproc']} cores, {info['cpu']}, "
             f"Linux {info['kernel']}; load average at start {', '.join(f'{x:.2f}' for x in info['load_average_start'])} "
             "(a shared machine: other builds ran alongside, so the rates below are per **CPU-second** of the "
             "simulating process, which such load disturbs far less than wall time; wall figures are in the full table).")
    L.append("")
    L.append(f"Versions: Headroom {info['headroom_commit']}, {info['swift']}; Python {info['python']}, "
             f"SimPy {info['simpy']}, Ciw {info['ciw']}.")
    L.append("")
    L.append(f"Customers per run: Headroom {args.headroom_customers:,} (rate) and {args.flat_customers:,} "
             f"(memory), SimPy {args.peer_customers:,}, Ciw {args.ciw_customers:,}; each tool deletes the same warm-up "
             "and counts customers who arrive after it. Order per scenario: Headroom, SimPy, Ciw, Headroom (large run).")
    L.append("")
    L.append("## Speed: Headroom / peer, customers per CPU-second")
    L.append("")
    L.append("| scenario | Headroom | SimPy | Ciw | Headroom / SimPy | Headroom / Ciw | target ≥ 100× SimPy |")
    L.append("|---|---:|---:|---:|---:|---:|---|")
    for name in ORDER:
        h, s, c = runs[name]["headroom_large"], runs[name]["simpy"], runs[name]["ciw"]
        rs = h["customers_per_cpu_second"] / s["customers_per_cpu_second"]
        rc = h["customers_per_cpu_second"] / c["customers_per_cpu_second"]
        L.append(f"| {theory[name]['summary']} | {fmt(h['customers_per_cpu_second'])}/s | "
                 f"{fmt(s['customers_per_cpu_second'])}/s | {fmt(c['customers_per_cpu_second'])}/s | "
                 f"**{rs:.0f}×** | **{rc:.0f}×** | {'met' if rs >= 100 else 'not met'} |")
    if cli:
        s = runs["seed"]["simpy"]
        L.append(f"| seed 002 through `headroom run` (web engine, whole process) | {fmt(cli['customers_per_cpu_second'])}/s | "
                 f"{fmt(s['customers_per_cpu_second'])}/s | {fmt(runs['seed']['ciw']['customers_per_cpu_second'])}/s | "
                 f"{cli['customers_per_cpu_second'] / s['customers_per_cpu_second']:.0f}× | "
                 f"{cli['customers_per_cpu_second'] / runs['seed']['ciw']['customers_per_cpu_second']:.0f}× | — |")
    L.append("")
    L.append("Wall-clock ratios of the same runs (noisier): " + "; ".join(
        f"{name} {runs[name]['headroom_large']['customers_per_wall_second'] / runs[name]['simpy']['customers_per_wall_second']:.0f}× SimPy, "
        f"{runs[name]['headroom_large']['customers_per_wall_second'] / runs[name]['ciw']['customers_per_wall_second']:.0f}× Ciw"
        for name in ORDER) + ".")
    L.append("")
    L.append("## Answers beside the closed form")
    L.append("")
    L.append("Mean wait in queue of served customers (summed over the three stations for the tandem), "
             "mean time in system, and the fraction that gave up.")
    L.append("")
    L.append("| scenario | figure | closed form | Headroom (large run) | Headroom (10M) | SimPy | Ciw |")
    L.append("|---|---|---:|---:|---:|---:|---:|")
    for name in ORDER:
        t, r = theory[name], runs[name]
        big = flat[name]["large"]
        figures = [("mean wait s", "mean_wait"), ("mean sojourn s", "mean_sojourn")]
        if name in ("pool", "seed"):
            figures.append(("gave up", "gave_up_fraction"))
        for label, key in figures:
            L.append(f"| {name} | {label} | {fmt(t[key])} | {fmt(r['headroom_large'][key])} | {fmt(big[key])} | "
                     f"{fmt(r['simpy'][key])} | {fmt(r['ciw'][key])} |")
    if cli:
        L.append(f"| seed via `headroom run` | mean wait s / sojourn s / gave up | {fmt(theory['seed']['mean_wait'])} / "
                 f"{fmt(theory['seed']['mean_sojourn'])} / 0 | {fmt(cli['mean_wait'])} / {fmt(cli['mean_sojourn'])} / "
                 f"{fmt(cli['gave_up_fraction'])} | | | |")
    L.append("")
    L.append("Closed forms: " + "; ".join(f"{name}: {theory[name]['theory_source']}" for name in ORDER) + ".")
    pe = dict(theory["pool"]["extra"])
    se = dict(theory["seed"]["extra"])
    L.append("")
    L.append(f"- pool: Queueing's Erlang-A assumes *exponential* patience (mean 10 s) and would predict "
             f"{pe['erlang_a_exponential_patience_gave_up']:.4f} giving up and a mean wait of served "
             f"{pe['erlang_a_exponential_patience_wait_of_served']:.3f} s; with the deterministic 10 s acquire timeout every "
             "tool simulates, the M/M/c+D formula (Sources/headroom-bench/MMcD.swift, checked against simulation at "
             "four small cases including ρ < 1, ρ = 1 and ρ > 1) gives the column above. At ρ = 1.1 the gave-up "
             "fraction is noisy: arrivals and services are both Poisson-like, so its standard error is about "
             "0.0025 at 200,000 customers and 0.0004 at 10M.")
    L.append(f"- seed: exact MVA treats the 10-connection pool as an M/M/10 station (exponential holds); the holds "
             f"are uniform(30, 80) ms (squared CV 0.069), so queueing is lower than MVA says. MVA throughput "
             f"{se['mva_throughput_per_second']:.1f}/s, pool utilization {se['mva_pool_utilization']:.3f}. The "
             "Headroom 10M-customer run is the long reference run for this scenario; SimPy and Ciw agree with it.")
    L.append("")
    L.append("## All runs")
    L.append("")
    L.append("`events`: Headroom counts processed events; SimPy's figure is its own event-id counter (every "
             "timeout, request, condition and process start it scheduled), a different unit; Ciw has no event "
             "count. Peak memory is the process's maximum resident set (from `wait4`), interpreter included.")
    L.append("")
    L.append("| scenario | tool | customers | wall s | CPU s | customers/CPU-s | events | events/CPU-s | peak MiB |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in ORDER:
        for key in ("headroom_small", "simpy", "ciw", "headroom_large"):
            r = runs[name][key]
            L.append(f"| {name} | {r['tool']} | {r['customers']:,} | {r['wall_seconds']:.3f} | {r['cpu_seconds']:.3f} | "
                     f"{fmt(r['customers_per_cpu_second'])} | {fmt(r.get('events'))} | {fmt(r.get('events_per_cpu_second'))} | "
                     f"{r['process_peak_rss_mib']:.1f} |")
    if cli:
        L.append(f"| seed | `headroom run` (web engine) | {cli['customers']:,} | {cli['wall_seconds']:.3f} | "
                 f"{cli['cpu_seconds']:.3f} | {fmt(cli['customers_per_cpu_second'])} | {fmt(cli.get('events'))} | "
                 f"{fmt(cli.get('events_per_cpu_second'))} | {cli['process_peak_rss_mib']:.1f} |")
    L.append("")
    L.append("## Memory flat in the number of customers (Headroom)")
    L.append("")
    L.append(f"| scenario | peak MiB at {args.headroom_customers:,} | peak MiB at {args.flat_customers:,} | "
             f"customers/CPU-s at {args.flat_customers:,} | events/CPU-s |")
    L.append("|---|---:|---:|---:|---:|")
    for name in ORDER:
        a, b = runs[name]["headroom_large"], flat[name]["large"]
        L.append(f"| {name} | {a['process_peak_rss_mib']:.1f} | {b['process_peak_rss_mib']:.1f} | "
                 f"{fmt(b['customers_per_cpu_second'])} | {fmt(b.get('events_per_cpu_second'))} |")
    L.append("")
    L.append(f"For contrast, Ciw keeps a record of every customer: its peak at {args.ciw_customers:,} customers was "
             + ", ".join(f"{runs[n]['ciw']['process_peak_rss_mib']:.0f} MiB ({n})" for n in ORDER)
             + f"; SimPy with running sums stays near {max(runs[n]['simpy']['process_peak_rss_mib'] for n in ORDER):.0f} MiB.")
    L.append("")
    if sweep_result:
        s1, s2, sh = sweep_result["threads_1"], sweep_result["threads_2"], sweep_result["shards_2"]
        L.append("## Sweep scaling")
        L.append("")
        L.append("`headroom sweep` did not exist when this bench was written, so `headroom-bench sweep` measures what "
                 f"it rests on: {s1['cells']} independent kernel runs (the seed scenario at 50, 55, ... users, "
                 f"{args.sweep_customers:,} requests each), pulled from a shared counter by worker threads "
                 "(`DispatchQueue.concurrentPerform`), and the same cells split into two `--shard I/2` processes "
                 "run at once.")
        L.append("")
        L.append("| mode | cells/s | wall s | CPU s | speed-up vs 1 thread | checksum |")
        L.append("|---|---:|---:|---:|---:|---:|")
        L.append(f"| 1 thread | {s1['cells_per_second']:.2f} | {s1['wall_seconds']:.2f} | {s1['cpu_seconds']:.2f} | 1.00× | {s1['checksum']:.9f} |")
        L.append(f"| 2 threads | {s2['cells_per_second']:.2f} | {s2['wall_seconds']:.2f} | {s2['cpu_seconds']:.2f} | "
                 f"{s2['cells_per_second'] / s1['cells_per_second']:.2f}× | {s2['checksum']:.9f} |")
        L.append(f"| 2 shard processes | {sh['cells_per_second']:.2f} | {sh['wall_seconds']:.2f} | "
                 f"{sum(r['cpu_seconds'] for r in sh['shards']):.2f} | {sh['cells_per_second'] / s1['cells_per_second']:.2f}× | {sh['checksum']:.9f} |")
        L.append("")
        L.append(f"Load average before/after the sweep: {', '.join(f'{x:.2f}' for x in sweep_result['load_average_before'])} / "
                 f"{', '.join(f'{x:.2f}' for x in sweep_result['load_average_after'])}. With other processes on the two "
                 "cores the second thread competes for a core, so the speed-up is a lower bound; the checksum (sum of "
                 "the cells' mean responses) is identical in every mode, so the cells did the same work.")
        L.append("")
    L.append("## Where a peer wins")
    L.append("")
    L.append("- Start-up and model building: SimPy and Ciw models are a few lines of Python run as-is; Headroom's "
             "kernel needs a Swift release build (about 70 s from clean here) before the first run.")
    L.append("- Expressiveness: a SimPy process can do anything Python can (the seed's two queries, retries, "
             "arbitrary logic); Headroom's kernel network has a fixed vocabulary of stations, and Ciw has no "
             "closed population (the seed model needs a batch-arrival trick there).")
    L.append("")
    with open(path, "w") as f:
        f.write("\n".join(L))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bench", default=os.path.join(ROOT, ".build-bench", "release", "headroom-bench"))
    ap.add_argument("--headroom-cli", default=os.path.join(ROOT, ".build-bench", "release", "headroom"))
    ap.add_argument("--peer-customers", type=int, default=200_000)
    ap.add_argument("--ciw-customers", type=int, default=200_000)
    ap.add_argument("--headroom-customers", type=int, default=1_000_000)
    ap.add_argument("--flat-customers", type=int, default=10_000_000)
    ap.add_argument("--sweep-cells", type=int, default=64)
    ap.add_argument("--sweep-customers", type=int, default=100_000)
    ap.add_argument("--scenarios", default=",".join(ORDER))
    ap.add_argument("--markdown", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--json", default=os.path.join(HERE, "results.json"))
    args = ap.parse_args()
    ORDER[:] = [s for s in args.scenarios.split(",") if s]

    info = machine_info(args.bench)
    lines, _, _ = run_process([args.bench, "theory"])
    theory = {row["scenario"]: row for row in map(json.loads, lines)}
    check_parameters(theory)
    python = sys.executable
    simpy_py = os.path.join(HERE, "peers", "simpy_models.py")
    ciw_py = os.path.join(HERE, "peers", "ciw_models.py")

    runs, flat = {}, {}
    for name in ORDER:
        log(f"{name}: {theory[name]['summary']}")
        runs[name] = {
            "headroom_small": measured([args.bench, "run", name, "--customers", str(args.peer_customers)], "Headroom"),
            "simpy": measured([python, simpy_py, name, str(args.peer_customers)], "SimPy"),
            "ciw": measured([python, ciw_py, name, str(args.ciw_customers)], "Ciw"),
            "headroom_large": measured([args.bench, "run", name, "--customers", str(args.headroom_customers)], "Headroom"),
        }
    log("memory flatness")
    for name in ORDER:
        flat[name] = {"large": measured([args.bench, "run", name, "--customers", str(args.flat_customers)],
                                        f"Headroom {name}")}
    cli = None
    if "seed" in ORDER and os.path.exists(args.headroom_cli):
        log("seed model through `headroom run`")
        try:
            report, wall, usage, _ = run_cli_seed(args.headroom_cli, args.peer_customers)
            cli = cli_row(report, wall, usage)
        except (SystemExit, KeyError, StopIteration, json.JSONDecodeError, IndexError) as error:
            log(f"  skipped: {error}")
    log("sweep scaling")
    sweep_result = sweep(args.bench, args.sweep_cells, args.sweep_customers) if args.sweep_cells > 0 else None
    info["load_average_end"] = os.getloadavg()

    with open(args.json, "w") as f:
        json.dump({"machine": info, "theory": theory, "runs": runs, "flat": flat, "cli": cli,
                   "sweep": sweep_result, "arguments": vars(args)}, f, indent=1)
    write_markdown(args.markdown, info, theory, runs, flat, cli, sweep_result, args)
    log(f"wrote {os.path.relpath(args.markdown, ROOT)} and {os.path.relpath(args.json, ROOT)}")


if __name__ == "__main__":
    main()
