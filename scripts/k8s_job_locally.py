"""Runs the pod command of docs/batch/k8s-indexed-job.yaml for every completion index on this
machine, as the Job controller would (one process per index, JOB_COMPLETION_INDEX set, the
container's env), retries one pod that is killed mid-run, merges the shards with the command
the manifest's header documents and checks the result against an unsharded sweep byte for byte.

    python k8s_job_locally.py MANIFEST HEADROOM_BINARY MODEL WORKDIR

Called by `scripts/k8s-validate.sh --run-locally`, which supplies the venv (PyYAML). The grid is
made small through the pod's own env variables; everything else is the manifest's.
"""
import filecmp
import os
import re
import subprocess
import sys
import time

import yaml

SHARDS = 3
SMALL = {"INSTANCES": "2...4", "POOL_SIZES": "5,10,20,40", "REPLICATIONS": "2",
         "HORIZON": "1min", "WARMUP": "5s", "THREADS": "1"}
CELLS = 12


def fail(message):
    print(f"k8s-job-locally: FAIL: {message}", flush=True)
    sys.exit(1)


def main(manifest, headroom, model, workdir):
    with open(manifest) as f:
        job = yaml.safe_load(f)
    spec = job["spec"]
    if spec.get("completionMode") != "Indexed":
        fail("the Job is not Indexed")
    container = spec["template"]["spec"]["containers"][0]
    env = dict(os.environ)
    env.update({e["name"]: str(e["value"]) for e in container.get("env", [])})
    if env.get("SHARDS") != str(spec["completions"]):
        fail(f"env SHARDS={env.get('SHARDS')} but completions={spec['completions']}")
    out = os.path.join(workdir, "sweep")
    env.update(SMALL, SHARDS=str(SHARDS), MODEL=model, OUT=out)
    env["PATH"] = os.path.dirname(headroom) + os.pathsep + env["PATH"]
    command = container["command"] + container["args"]

    def pod(index):
        return subprocess.Popen(command, env=dict(env, JOB_COMPLETION_INDEX=str(index)),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    # Index 0 is killed once it has written a cell (a node lost, a pod evicted), then retried.
    first = pod(0)
    jsonl = os.path.join(out, "shard-1", "cells.jsonl")
    deadline = time.time() + 120
    while time.time() < deadline and first.poll() is None:
        if os.path.exists(jsonl) and os.path.getsize(jsonl) > 0:
            break
        time.sleep(0.05)
    if first.poll() is not None:
        fail(f"pod 0 ended before it could be killed: {first.communicate()[0]}")
    first.kill()
    first.wait()
    with open(jsonl) as f:
        written = sum(1 for line in f if line.endswith("\n"))
    print(f"k8s-job-locally: killed pod 0 with {written} of its 4 cells written", flush=True)

    logs = {}
    for index in range(SHARDS):
        p = pod(index)
        logs[index] = p.communicate()[0]
        if p.returncode != 0:
            fail(f"pod {index} exited {p.returncode}: {logs[index]}")
        # The sweep's summary line ("N cells (shard K/M of ...): ran ..."), not the table after it.
        lines = logs[index].strip().splitlines() or [""]
        summary = next((line for line in lines if ": ran " in line), lines[-1])
        print(f"k8s-job-locally: pod {index}: {summary}", flush=True)
    if not re.search(r"ran \d+, [1-9]\d* already done", logs[0]):
        fail(f"the retried pod did not resume: {logs[0]}")

    # The merge documented in the manifest's header.
    header = open(manifest).read()
    merge = re.search(r"^#\s+(headroom merge .*)$", header, re.M)
    if not merge:
        fail("the manifest's header documents no `headroom merge` command")
    documented = merge.group(1).replace("/data/sweep", out)
    subprocess.run(["/bin/sh", "-c", documented], env=env, check=True, stdout=subprocess.DEVNULL)

    whole = os.path.join(workdir, "unsharded")
    subprocess.run([headroom, "sweep", model, "--set", f"instances={SMALL['INSTANCES']}",
                    "--set", f"pools.prisma.size={SMALL['POOL_SIZES']}", "--replications", SMALL["REPLICATIONS"],
                    "--horizon", SMALL["HORIZON"], "--warmup", SMALL["WARMUP"], "--threads", "2", "--output-dir", whole],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for name in ["sweep.json", "cells.csv", "cells.jsonl"]:
        if not filecmp.cmp(os.path.join(out, "all", name), os.path.join(whole, name), shallow=False):
            fail(f"the merged {name} differs from the unsharded sweep's")
    print(f"k8s-job-locally: merged files equal the unsharded sweep's byte for byte ({CELLS} cells, {SHARDS} pods)")
    print("k8s-job-locally: PASS")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
