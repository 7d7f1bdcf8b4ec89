"""Runs the peer bench: the same scenarios in Headroom, SimPy, Ciw and salabim, alternating, in one run.

Called by bench/run.sh with the bench's virtual environment; writes bench/RESULTS.md (tables)
and bench/results.json (every measurement). Each run is its own process: the tool times its
simulation loop itself (wall and CPU seconds), and this harness reads the process's peak
resident memory and total CPU through GNU time, the same way for every tool.
"""
import argparse
import datetime
import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "peers"))
from scenarios import SCENARIOS  # noqa: E402

ORDER = ["mm10", "tandem", "pool", "seed"]


def log(message):
    print(message, file=sys.stderr, flush=True)


TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


class Usage:
    """What a finished child process used: CPU seconds and peak resident set in MiB."""

    def __init__(self, cpu_seconds, peak_rss_mib, source):
        self.cpu_seconds, self.peak_rss_mib, self.source = cpu_seconds, peak_rss_mib, source


def run_process(argv, cwd=ROOT):
    """Runs argv; returns (stdout lines, wall seconds, Usage).

    The peak resident set is read by GNU time (`/usr/bin/time -f %M`), which forks the program
    from its own small process. `os.wait4` on a child of this harness would not do: Linux carries
    the spawning process's resident set into the child's `ru_maxrss`, so every tool would seem to
    use at least this harness's ~20 MiB. Without /usr/bin/time, the tools' own VmHWM is used.
    """
    report = None
    if TIME:
        fd, report = tempfile.mkstemp(prefix="bench-time-")
        os.close(fd)
        argv = [TIME, "-f", "%M %U %S", "-o", report] + list(argv)
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    usage = None
    if report:
        with open(report) as f:
            fields = f.read().split()[-3:]
        os.unlink(report)
        if len(fields) == 3 and proc.returncode == 0:
            usage = Usage(float(fields[1]) + float(fields[2]), int(fields[0]) / 1024.0, "GNU time")
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(argv)}")
    return [line for line in proc.stdout.splitlines() if line.strip()], wall, usage


def measured(argv, label):
    lines, wall, usage = run_process(argv)
    row = json.loads(lines[-1])
    row["process_wall_seconds"] = wall
    row["process_cpu_seconds"] = usage.cpu_seconds if usage else None
    # The process's peak memory, measured outside it the same way for every tool (the tool's own
    # VmHWM, `peak_rss_mib`, is the fallback and agrees to within a page or two).
    row["process_peak_rss_mib"] = usage.peak_rss_mib if usage else row["peak_rss_mib"]
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
        "salabim": importlib.metadata.version("salabim"),
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
    lines, wall, usage = run_process(argv)
    report = json.loads("\n".join(lines))
    return report, wall, usage, horizon


def cli_row(report, wall, usage):
    """Reads `headroom run --format json` (docs/output-schema.md)."""
    endpoint, pool = report["endpoints"][0], report["pools"][0]
    count = endpoint["merged"]["count"]
    figure = lambda section, key: section["figures"][key]["mean"]
    cpu = usage.cpu_seconds if usage else float("nan")
    events = report.get("events_processed")
    row = {
        "tool": "headroom run (web engine)", "scenario": "seed", "customers": count,
        "wall_seconds": wall, "cpu_seconds": cpu, "events": events,
        "process_wall_seconds": wall, "process_cpu_seconds": cpu,
        "process_peak_rss_mib": usage.peak_rss_mib if usage else None,
        "peak_rss_mib": usage.peak_rss_mib if usage else None,
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


def best_of(repeats, measure):
    """Runs measure() `repeats` times; keeps the attempt with the most cells/s (the least disturbed
    by other processes) and the cells/s of every attempt."""
    attempts = [measure() for _ in range(repeats)]
    best = dict(max(attempts, key=lambda r: r["cells_per_second"]))
    best["attempts_cells_per_second"] = [r["cells_per_second"] for r in attempts]
    return best


def sweep(bench, cells, customers, repeats=1):
    base = [bench, "sweep", "--cells", str(cells), "--customers", str(customers)]
    out = {"load_average_before": os.getloadavg()}
    for threads in (1, 2):
        row = best_of(repeats, lambda: json.loads(run_process(base + ["--threads", str(threads)])[0][-1]))
        out[f"threads_{threads}"] = row
        log(f"  sweep {cells} cells, {threads} thread(s): {row['cells_per_second']:.2f} cells/s "
            f"({row['wall_seconds']:.2f} s wall, {row['cpu_seconds']:.2f} s CPU)")

    # Two shards as two concurrent processes, the way `--shard` runs would split a sweep.
    def shards():
        start = time.perf_counter()
        procs = [subprocess.Popen(base + ["--threads", "1", "--shard", f"{i}/2"], cwd=ROOT,
                                  stdout=subprocess.PIPE, text=True) for i in range(2)]
        rows = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
        wall = time.perf_counter() - start
        return {"wall_seconds": wall, "cells": sum(r["cells"] for r in rows),
                "cpu_seconds": sum(r["cpu_seconds"] for r in rows),
                "cells_per_second": sum(r["cells"] for r in rows) / wall,
                "checksum": sum(r["checksum"] for r in rows), "shards": rows}
    out["shards_2"] = best_of(repeats, shards)
    log(f"  sweep {cells} cells, 2 shard processes: {out['shards_2']['cells_per_second']:.2f} cells/s "
        f"({out['shards_2']['wall_seconds']:.2f} s wall)")
    out["load_average_after"] = os.getloadavg()
    return out


def file_digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def cli_sweep(headroom_cli, cells, horizon_seconds, workdir, repeats=1):
    """`headroom sweep` of the seed model over users = 50, 55, ...: 1 thread, 2 threads, and two
    `--shard K/2` processes at once joined by `headroom merge`."""
    model = os.path.join(HERE, "models", "seed-002-pool.yaml")
    users = f"workload.closed.users=50...{50 + 5 * (cells - 1)}:5"
    base = [headroom_cli, "sweep", model, "--set", users, "--replications", "1",
            "--horizon", f"{horizon_seconds}s", "--warmup", f"{int(SCENARIOS['seed']['warmup'])}s"]
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    out = {"cells": cells, "horizon_seconds": horizon_seconds, "load_average_before": os.getloadavg(),
           "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    quiet = dict(cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start_and_wait(argvs):
        """Starts every argv at once; returns (wall seconds, CPU seconds of all of them)."""
        start = time.perf_counter()
        procs = [subprocess.Popen(argv, **quiet) for argv in argvs]
        cpu = 0.0
        for p in procs:
            _, status, usage = os.wait4(p.pid, 0)
            p.returncode = os.waitstatus_to_exitcode(status)
            if p.returncode != 0:
                raise SystemExit(f"headroom sweep failed ({p.returncode})")
            cpu += usage.ru_utime + usage.ru_stime
        return time.perf_counter() - start, cpu

    for threads in (1, 2):
        d = os.path.join(workdir, f"threads-{threads}")

        def once():
            shutil.rmtree(d, ignore_errors=True)
            wall, cpu = start_and_wait([base + ["--threads", str(threads), "--output-dir", d]])
            return {"wall_seconds": wall, "cpu_seconds": cpu, "cells_per_second": cells / wall,
                    "digest": file_digest(os.path.join(d, "cells.jsonl"))}
        out[f"threads_{threads}"] = r = best_of(repeats, once)
        log(f"  headroom sweep, {cells} cells, {threads} thread(s): {r['cells_per_second']:.2f} cells/s "
            f"({r['wall_seconds']:.2f} s wall, {r['cpu_seconds']:.2f} s CPU; best of {repeats})")
    dirs = [os.path.join(workdir, f"shard-{k}") for k in (1, 2)]

    def shard_once():
        for d in dirs:
            shutil.rmtree(d, ignore_errors=True)
        wall, cpu = start_and_wait(
            [base + ["--threads", "1", "--shard", f"{k}/2", "--output-dir", d] for k, d in zip((1, 2), dirs)])
        return {"wall_seconds": wall, "cpu_seconds": cpu, "cells_per_second": cells / wall}
    shard_best = best_of(repeats, shard_once)
    shards_wall, shards_cpu = shard_best["wall_seconds"], shard_best["cpu_seconds"]
    merged = os.path.join(workdir, "merged")
    start = time.perf_counter()
    subprocess.run([headroom_cli, "merge", merged] + dirs, check=True, **quiet)
    merge_wall = time.perf_counter() - start
    out["shards_2"] = {"wall_seconds": shards_wall, "cpu_seconds": shards_cpu, "merge_seconds": merge_wall,
                       "attempts_cells_per_second": shard_best["attempts_cells_per_second"],
                       "cells_per_second": cells / shards_wall,
                       "digest": file_digest(os.path.join(merged, "cells.jsonl"))}
    log(f"  headroom sweep, {cells} cells, 2 shard processes: {cells / shards_wall:.2f} cells/s "
        f"({shards_wall:.2f} s, merge {merge_wall:.2f} s)")
    out["load_average_after"] = os.getloadavg()
    return out


def fmt(x, digits=4):
    if x is None:
        return "—"
    if isinstance(x, int) or (isinstance(x, float) and abs(x) >= 1000):
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def write_markdown(path, info, theory, runs, flat, cli, sweep_result, cli_sweep_result, args):
    L = []
    L.append("# Headroom beside SimPy, Ciw and salabim")
    L.append("")
    L.append(f"Generated by `bench/run.sh` on {info['date']}. Machine: {info['nproc']} cores, {info['cpu']}, "
             f"Linux {info['kernel']}; load average at start {', '.join(f'{x:.2f}' for x in info['load_average_start'])} "
             "(a shared machine: other builds ran alongside, so the rates below are per **CPU-second** of the "
             "simulating process, which such load disturbs far less than wall time; wall figures are in the full table).")
    L.append("")
    L.append(f"Versions: Headroom {info['headroom_commit']}, {info['swift']}; Python {info['python']}, "
             f"SimPy {info['simpy']}, Ciw {info['ciw']}" + (f", salabim {info['salabim']}" if info.get("salabim") else "") + ".")
    L.append("")
    L.append(f"Customers per run: Headroom {args.headroom_customers:,} (rate) and {args.flat_customers:,} "
             f"(memory), SimPy {args.peer_customers:,}, Ciw {args.ciw_customers:,}, salabim {args.salabim_customers:,} "
             "(a new salabim component per arriving customer costs far more CPU than a SimPy process, so fewer "
             "customers keep the bench short; its rate hardly depends on the count, see README); each tool deletes the same warm-up "
             "and counts customers who arrive after it. Order per scenario: Headroom, SimPy, Ciw, salabim, Headroom (large run).")
    L.append("")
    L.append(f"## Speed: Headroom / peer, customers per CPU-second")
    L.append("")
    L.append(f"Headroom's rate is its {args.flat_customers:,}-customer run (seconds long, so the steadiest figure on a "
             f"shared machine; its {args.headroom_customers:,}-customer run is in the full table). Peer rates vary by "
             "about ±20 % between runs here.")
    L.append("")
    L.append("| scenario | Headroom | SimPy | Ciw | salabim | Headroom / SimPy | Headroom / Ciw | Headroom / salabim | "
             "target ≥ 100× SimPy |")
    L.append("|---|---:|---:|---:|---:|---:|---:|---:|---|")

    def per_cpu(row):
        return f"{fmt(row['customers_per_cpu_second'])}/s" if row else "—"

    def ratio(rate, row, bold=True):
        if not row:
            return "—"
        text = f"{rate / row['customers_per_cpu_second']:.0f}×"
        return f"**{text}**" if bold else text

    for name in ORDER:
        h, s, c, sb = flat[name]["large"], runs[name]["simpy"], runs[name]["ciw"], runs[name].get("salabim")
        rate = h["customers_per_cpu_second"]
        rs = rate / s["customers_per_cpu_second"]
        L.append(f"| {theory[name]['summary']} | {fmt(rate)}/s | {per_cpu(s)} | {per_cpu(c)} | {per_cpu(sb)} | "
                 f"**{rs:.0f}×** | {ratio(rate, c)} | {ratio(rate, sb)} | {'met' if rs >= 100 else 'not met'} |")
    if cli:
        s, c, sb = runs["seed"]["simpy"], runs["seed"]["ciw"], runs["seed"].get("salabim")
        rate = cli["customers_per_cpu_second"]
        L.append(f"| seed 002 through `headroom run` (web engine, whole process) | {fmt(rate)}/s | {per_cpu(s)} | "
                 f"{per_cpu(c)} | {per_cpu(sb)} | {ratio(rate, s, False)} | {ratio(rate, c, False)} | "
                 f"{ratio(rate, sb, False)} | — |")
    L.append("")

    def wall_ratio(name, tool, label):
        peer = runs[name].get(tool)
        if not peer:
            return None
        return f"{flat[name]['large']['customers_per_wall_second'] / peer['customers_per_wall_second']:.0f}× {label}"
    L.append("Wall-clock ratios of the same runs (noisier): " + "; ".join(
        f"{name} " + ", ".join(r for r in (wall_ratio(name, "simpy", "SimPy"), wall_ratio(name, "ciw", "Ciw"),
                                           wall_ratio(name, "salabim", "salabim")) if r)
        for name in ORDER) + ".")
    L.append("")
    L.append("## Answers beside the closed form")
    L.append("")
    L.append("Mean wait in queue of served customers (summed over the three stations for the tandem), "
             "mean time in system, and the fraction that gave up. The last column is the standard deviation of "
             f"Headroom's figure over {args.spread_seeds} seeds at the peers' customer count: the yardstick for "
             "the SimPy and Ciw columns (M/M/10 at ρ = 0.9 is strongly autocorrelated, so its mean wait scatters "
             f"by several percent at that length); the next is the same at salabim's {args.salabim_customers:,} "
             "customers, and the last says how far salabim's figure lies from the reference (the closed form where "
             "it is exact: mm10, tandem, pool; Headroom's 10M-customer run for seed, whose MVA figure is only "
             "approximate) in those standard deviations.")
    L.append("")
    L.append(f"| scenario | figure | closed form | Headroom ({args.headroom_customers:,}) | Headroom ({args.flat_customers:,}) | "
             f"SimPy | Ciw | salabim | spread at {args.peer_customers:,} customers (1 SD) | "
             f"spread at {args.salabim_customers:,} (1 SD) | salabim − reference, in SDs |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in ORDER:
        t, r = theory[name], runs[name]
        big = flat[name]["large"]
        figures = [("mean wait s", "mean_wait"), ("mean sojourn s", "mean_sojourn")]
        if name in ("pool", "seed"):
            figures.append(("gave up", "gave_up_fraction"))
        for label, key in figures:
            spread = flat[name].get("spread", {}).get(key)
            spread_salabim = flat[name].get("spread_salabim", flat[name].get("spread", {})).get(key)
            sb = r.get("salabim")
            off = "—"
            if sb and spread_salabim:
                reference = big[key] if name == "seed" else t[key]
                off = f"{(sb[key] - reference) / spread_salabim:+.1f}"
            L.append(f"| {name} | {label} | {fmt(t[key])} | {fmt(r['headroom_large'][key])} | {fmt(big[key])} | "
                     f"{fmt(r['simpy'][key])} | {fmt(r['ciw'][key])} | {fmt(sb[key]) if sb else '—'} | "
                     f"{'±' + fmt(spread, 2) if spread else '—'} | "
                     f"{'±' + fmt(spread_salabim, 2) if spread_salabim else '—'} | {off} |")
    if cli:
        L.append(f"| seed via `headroom run` | mean wait s / sojourn s / gave up | {fmt(theory['seed']['mean_wait'])} / "
                 f"{fmt(theory['seed']['mean_sojourn'])} / 0 | {fmt(cli['mean_wait'])} / {fmt(cli['mean_sojourn'])} / "
                 f"{fmt(cli['gave_up_fraction'])} | | | | | | | |")
    same_path = [n for n in ORDER if runs[n].get("salabim") and runs[n].get("simpy_at_salabim_count")]
    if same_path:
        identical = [n for n in same_path if all(
            runs[n]["salabim"][k] == runs[n]["simpy_at_salabim_count"][k]
            for k in ("customers", "mean_wait", "mean_sojourn", "gave_up_fraction", "simulated_seconds"))]
        L.append("")
        L.append(f"Same seed, same count: SimPy was also run at salabim's {args.salabim_customers:,} customers. Both draw "
                 "from Python's Mersenne Twister seeded with 1; where they draw in the same order they simulate the "
                 "same sample path. "
                 + (f"Identical answers, to the last bit, and the same simulated end time: {', '.join(identical)}. "
                    if identical else "No scenario gave identical answers. ")
                 + ("Different sample paths: " + "; ".join(
                     f"{n} (SimPy mean wait {fmt(runs[n]['simpy_at_salabim_count']['mean_wait'])}, "
                     f"salabim {fmt(runs[n]['salabim']['mean_wait'])})" for n in same_path if n not in identical)
                    + " (README: why)." if len(identical) < len(same_path) else ""))
    L.append("")
    L.append("Closed forms: " + "; ".join(f"{name}: {theory[name]['theory_source']}" for name in ORDER) + ".")
    pe = dict(theory["pool"]["extra"])
    se = dict(theory["seed"]["extra"])
    L.append("")
    L.append(f"- pool: Queueing's Erlang-A assumes *exponential* patience (mean 10 s) and would predict "
             f"{pe['erlang_a_exponential_patience_gave_up']:.4f} giving up and a mean wait of served "
             f"{pe['erlang_a_exponential_patience_wait_of_served']:.3f} s; with the deterministic 10 s acquire timeout every "
             "tool simulates, the M/M/c+D formula (Sources/Queueing/MMcD.swift, checked against simulation at "
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
             "timeout, request, condition and process start it scheduled), a different unit; salabim's is its "
             "event-list sequence counter (every hold, activation and request it scheduled), another unit; Ciw has no event "
             "count. Peak memory is the process's maximum resident set as GNU time reports it (`/usr/bin/time -f %M`), "
             "interpreter included.")
    L.append("")
    L.append("| scenario | tool | customers | wall s | CPU s | customers/CPU-s | events | events/CPU-s | peak MiB |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in ORDER:
        for key in ("headroom_small", "simpy", "ciw", "salabim", "simpy_at_salabim_count", "headroom_large"):
            r = runs[name].get(key)
            if not r:
                continue
            tool = r["tool"] + (" (salabim's count)" if key == "simpy_at_salabim_count" else "")
            L.append(f"| {name} | {tool} | {r['customers']:,} | {r['wall_seconds']:.3f} | {r['cpu_seconds']:.3f} | "
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
             + f"; SimPy with running sums stays near {max(runs[n]['simpy']['process_peak_rss_mib'] for n in ORDER):.0f} MiB"
             + ("; salabim, with running sums and its resources' monitors off, peaked at "
                + ", ".join(f"{runs[n]['salabim']['process_peak_rss_mib']:.0f} MiB ({n})" for n in ORDER)
                + " (importing salabim, which imports numpy when it is installed, and creating its environment take "
                  "about 43 MiB before the first event)" if all(runs[n].get("salabim") for n in ORDER) else "")
             + ".")
    L.append("")
    if cli_sweep_result or sweep_result:
        L.append("## Sweep scaling")
        L.append("")
    if cli_sweep_result:
        c = cli_sweep_result
        c1, c2, csh = c["threads_1"], c["threads_2"], c["shards_2"]
        # Only a `--sweep-only` run is apart from the rest (older JSON files lack the flag: the dates tell).
        if c.get("sweep_only", c.get("date") and c["date"] != info["date"]):
            L.append(f"Measured at {c['date']} (`--sweep-only`), apart from the rest of this page.")
            L.append("")
        L.append(f"`headroom sweep bench/models/seed-002-pool.yaml --set workload.closed.users=50...{50 + 5 * (c['cells'] - 1)}:5 "
                 f"--replications 1 --horizon {c['horizon_seconds']}s` ({c['cells']} cells, each a one-replication study "
                 "of the web-backend engine), timed as whole processes:")
        L.append("")
        L.append("| mode | cells/s | wall s | CPU s | cores used (CPU / wall) | speed-up vs 1 thread | cells.jsonl sha256 |")
        L.append("|---|---:|---:|---:|---:|---:|---|")
        for label, r in (("`--threads 1`", c1), ("`--threads 2`", c2),
                         ("`--shard 1/2` and `--shard 2/2` at once", csh)):
            L.append(f"| {label} | {r['cells_per_second']:.2f} | {r['wall_seconds']:.2f} | {r['cpu_seconds']:.2f} | "
                     f"{r['cpu_seconds'] / r['wall_seconds']:.2f} | **{r['cells_per_second'] / c1['cells_per_second']:.2f}×** | "
                     f"`{r['digest']}` |")
        L.append("")
        L.append(f"`headroom merge` of the two shards took {csh['merge_seconds']:.2f} s more. CPU seconds per cell: "
                 f"{c1['cpu_seconds'] / c['cells']:.4f} (1 thread), {c2['cpu_seconds'] / c['cells']:.4f} (2 threads), "
                 f"{csh['cpu_seconds'] / c['cells']:.4f} (2 shards): when the work per cell stays the same, a speed-up "
                 "below 2× means the second core was busy with other processes (\"cores used\" below 2), not that the "
                 "sweep serializes.")
        L.append("")
        L.append(f"Each mode ran {args.sweep_repeats} time(s) and the fastest is shown (the least disturbed by other "
                 "processes); cells/s of every attempt: " + "; ".join(
                     f"{label} {', '.join(f'{x:.2f}' for x in r['attempts_cells_per_second'])}"
                     for label, r in (("1 thread", c1), ("2 threads", c2), ("2 shards", csh))) + ".")
        L.append("")
        same = c1["digest"] == c2["digest"] == csh["digest"]
        L.append(("The three `cells.jsonl` files are byte for byte identical. " if same else
                  "**The three `cells.jsonl` files differ.** ") +
                 f"Load average before/after: {', '.join(f'{x:.2f}' for x in c['load_average_before'])} / "
                 f"{', '.join(f'{x:.2f}' for x in c['load_average_after'])}; target ≥ 1.8× with 2 threads.")
        L.append("")
    if sweep_result:
        s1, s2, sh = sweep_result["threads_1"], sweep_result["threads_2"], sweep_result["shards_2"]
        L.append(f"The kernel alone (`headroom-bench sweep`): {s1['cells']} independent `QueueingNetworkSimulation` runs "
                 f"(the seed scenario at 50, 55, ... users, {args.sweep_customers:,} requests each) pulled from a shared "
                 "counter by worker threads (`DispatchQueue.concurrentPerform`), and the same cells split into two "
                 "`--shard I/2` processes run at once.")
        L.append("")
        L.append("| mode | cells/s | wall s | CPU s | cores used (CPU / wall) | speed-up vs 1 thread | checksum |")
        L.append("|---|---:|---:|---:|---:|---:|---:|")
        for label, r in (("1 thread", s1), ("2 threads", s2), ("2 shard processes", sh)):
            L.append(f"| {label} | {r['cells_per_second']:.2f} | {r['wall_seconds']:.2f} | {r['cpu_seconds']:.2f} | "
                     f"{r['cpu_seconds'] / r['wall_seconds']:.2f} | {r['cells_per_second'] / s1['cells_per_second']:.2f}× | "
                     f"{r['checksum']:.9f} |")
        L.append("")
        L.append("Fastest of the attempts; cells/s of every attempt: " + "; ".join(
            f"{label} {', '.join(f'{x:.2f}' for x in r['attempts_cells_per_second'])}"
            for label, r in (("1 thread", s1), ("2 threads", s2), ("2 shards", sh))) + ". "
                 f"Load average before/after: {', '.join(f'{x:.2f}' for x in sweep_result['load_average_before'])} / "
                 f"{', '.join(f'{x:.2f}' for x in sweep_result['load_average_after'])}. On two cores shared with other "
                 "processes the second thread competes for a core, so speed-ups are lower bounds; the checksum (sum of "
                 "the cells' mean responses) is the same in every mode, so the cells did the same work.")
        L.append("")
    L.append("## Where a peer wins, or Headroom falls short")
    L.append("")
    simpy_mem = max(runs[n]["simpy"]["process_peak_rss_mib"] for n in ORDER)
    headroom_mem = max(flat[n]["large"]["process_peak_rss_mib"] for n in ORDER)
    missed = [n for n in ORDER
              if flat[n]["large"]["customers_per_cpu_second"] / runs[n]["simpy"]["customers_per_cpu_second"] < 100]
    if missed:
        L.append(f"- The 100× SimPy target is not met on {', '.join(missed)} in this run. [PROFILE.md](PROFILE.md) "
                 "says where the kernel's time goes and what was tried.")
    if cli:
        L.append(f"- The web-backend engine (`headroom run`, the path users run) simulates the seed model at "
                 f"{cli['customers_per_cpu_second'] / runs['seed']['simpy']['customers_per_cpu_second']:.0f}× SimPy's rate, "
                 f"{flat['seed']['large']['customers_per_cpu_second'] / cli['customers_per_cpu_second']:.1f}× slower than the "
                 "kernel on the same model (whole process, model loading and report included): its requests carry a "
                 "program, a pool, a database node and a client timeout the kernel's customers do not; PROFILE.md lists "
                 "what its profile still shows.")
    if simpy_mem < headroom_mem:
        L.append(f"- Peak memory: SimPy's whole process (interpreter included) peaked at {simpy_mem:.1f} MiB, below "
                 f"Headroom's {headroom_mem:.1f} MiB; both are flat in the number of customers. Headroom's floor is the "
                 "Swift runtime and Foundation plus its preallocated latency histograms; Ciw, which keeps every record, "
                 "grows instead.")
    L.append("- Start-up and model building: SimPy and Ciw models are a few lines of Python run as-is; Headroom needs "
             "a Swift release build (1–3 minutes from clean on this machine) before the first run.")
    L.append("- Expressiveness: a SimPy process can do anything Python can (the seed's two queries, retries, any "
             "logic); Headroom's kernel network has a fixed vocabulary of stations (its web models cover the seed's "
             "pools, timeouts and queries), and Ciw has no closed population (the seed model needs a batch-arrival "
             "trick there). salabim's components run any Python too, and it brings animation and per-resource "
             "monitors (queue lengths, occupancy) that SimPy leaves to the user; neither has a processor-sharing "
             "resource (the two-tier web model builds one in each).")
    L.append("")
    # bench/web.py's section and any notes after it are not this harness's: keep them as they are
    # (web.py replaces its own section in place).
    kept = ""
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
        if "<!-- web-engine:" in old:
            kept = old[old.index("<!-- web-engine:"):]
    with open(path, "w") as f:
        f.write("\n".join(L) + ("\n" + kept if kept else ""))


def measure_tools(args, theory):
    """Every scenario in every tool, alternating; then Headroom's large runs and the CLI."""
    python = sys.executable
    simpy_py = os.path.join(HERE, "peers", "simpy_models.py")
    ciw_py = os.path.join(HERE, "peers", "ciw_models.py")
    salabim_py = os.path.join(HERE, "peers", "salabim_models.py")
    runs, flat = {}, {}
    for name in ORDER:
        log(f"{name}: {theory[name]['summary']}")
        runs[name] = {
            "headroom_small": measured([args.bench, "run", name, "--customers", str(args.peer_customers)], "Headroom"),
            "simpy": measured([python, simpy_py, name, str(args.peer_customers)], "SimPy"),
            "ciw": measured([python, ciw_py, name, str(args.ciw_customers)], "Ciw"),
            "salabim": measured([python, salabim_py, name, str(args.salabim_customers)], "salabim"),
            "headroom_large": measured([args.bench, "run", name, "--customers", str(args.headroom_customers)], "Headroom"),
        }
        # SimPy at salabim's count and seed: where both draw in the same order, the same sample path.
        runs[name]["simpy_at_salabim_count"] = (
            runs[name]["simpy"] if args.salabim_customers == args.peer_customers else
            measured([python, simpy_py, name, str(args.salabim_customers)], "SimPy (salabim's count)"))
    log("memory flatness")
    for name in ORDER:
        flat[name] = {"large": measured([args.bench, "run", name, "--customers", str(args.flat_customers)],
                                        f"Headroom {name}")}
    def spread(name, customers):
        """Standard deviation of Headroom's answers over `--spread-seeds` seeds at `customers`."""
        rows = [json.loads(run_process([args.bench, "run", name, "--customers", str(customers),
                                        "--seed", str(seed)])[0][-1]) for seed in range(1, args.spread_seeds + 1)]
        return {key: statistics.stdev([r[key] for r in rows]) if len(rows) > 1 else None
                for key in ("mean_wait", "mean_sojourn", "gave_up_fraction")}

    log(f"spread of the answers at {args.peer_customers:,} customers over {args.spread_seeds} Headroom seeds")
    for name in ORDER:
        flat[name]["spread"] = spread(name, args.peer_customers)
    if args.salabim_customers != args.peer_customers:
        log(f"spread of the answers at salabim's {args.salabim_customers:,} customers")
        for name in ORDER:
            flat[name]["spread_salabim"] = spread(name, args.salabim_customers)
    cli = None
    if "seed" in ORDER and os.path.exists(args.headroom_cli):
        log("seed model through `headroom run`")
        try:
            report, wall, usage, _ = run_cli_seed(args.headroom_cli, args.peer_customers)
            cli = cli_row(report, wall, usage)
        except (SystemExit, KeyError, StopIteration, json.JSONDecodeError, IndexError) as error:
            log(f"  skipped: {error}")
    return runs, flat, cli


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bench", default=os.path.join(ROOT, ".build-bench", "release", "headroom-bench"))
    ap.add_argument("--headroom-cli", default=os.path.join(ROOT, ".build-bench", "release", "headroom"))
    ap.add_argument("--peer-customers", type=int, default=200_000)
    ap.add_argument("--ciw-customers", type=int, default=200_000)
    ap.add_argument("--salabim-customers", type=int, default=50_000,
                    help="customers per salabim run (far slower than SimPy where each customer is a new component; see README)")
    ap.add_argument("--headroom-customers", type=int, default=1_000_000)
    ap.add_argument("--flat-customers", type=int, default=10_000_000)
    ap.add_argument("--spread-seeds", type=int, default=20,
                    help="Headroom runs at the peers' customer count, for the spread of each answer")
    ap.add_argument("--sweep-cells", type=int, default=64)
    ap.add_argument("--sweep-customers", type=int, default=100_000)
    ap.add_argument("--sweep-horizon", type=int, default=300, help="simulated seconds per `headroom sweep` cell")
    ap.add_argument("--sweep-repeats", type=int, default=2, help="runs per sweep mode; the fastest is kept")
    ap.add_argument("--sweep-only", action="store_true",
                    help="re-measure only the sweep scaling, reusing the other figures of --json")
    ap.add_argument("--scenarios", default=",".join(ORDER))
    ap.add_argument("--markdown", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--json", default=os.path.join(HERE, "results.json"))
    args = ap.parse_args()
    ORDER[:] = [s for s in args.scenarios.split(",") if s]

    if args.sweep_only:
        with open(args.json) as f:
            saved = json.load(f)
        info, theory, runs, flat, cli = (saved[k] for k in ("machine", "theory", "runs", "flat", "cli"))
        for key in ("peer_customers", "ciw_customers", "salabim_customers", "headroom_customers", "flat_customers"):
            if key in saved["arguments"]:
                setattr(args, key, saved["arguments"][key])
    else:
        info = machine_info(args.bench)
        lines, _, _ = run_process([args.bench, "theory"])
        theory = {row["scenario"]: row for row in map(json.loads, lines)}
        check_parameters(theory)
        runs, flat, cli = measure_tools(args, theory)
    log("sweep scaling")
    sweep_result = (sweep(args.bench, args.sweep_cells, args.sweep_customers, args.sweep_repeats)
                    if args.sweep_cells > 0 else None)
    cli_sweep_result = None
    if args.sweep_cells > 0 and os.path.exists(args.headroom_cli):
        try:
            cli_sweep_result = cli_sweep(args.headroom_cli, args.sweep_cells, args.sweep_horizon,
                                         os.path.join(ROOT, ".build-bench", "bench-sweep"), args.sweep_repeats)
            cli_sweep_result["sweep_only"] = args.sweep_only
        except (SystemExit, subprocess.CalledProcessError, OSError) as error:
            log(f"  headroom sweep skipped: {error}")
    info["load_average_end"] = os.getloadavg()

    with open(args.json, "w") as f:
        json.dump({"machine": info, "theory": theory, "runs": runs, "flat": flat, "cli": cli,
                   "sweep": sweep_result, "cli_sweep": cli_sweep_result, "arguments": vars(args)}, f, indent=1)
    write_markdown(args.markdown, info, theory, runs, flat, cli, sweep_result, cli_sweep_result, args)
    log(f"wrote {os.path.relpath(args.markdown, ROOT)} and {os.path.relpath(args.json, ROOT)}")


if __name__ == "__main__":
    main()
