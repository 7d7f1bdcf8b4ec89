#!/usr/bin/env bash
# Runs docs/batch/slurm-array.sh on a real single-node Slurm cluster and checks what it promises:
#
#   1. installs slurm-wlm and munge from Debian's packages if they are missing (needs root);
#   2. starts munged, slurmctld and slurmd (2 CPUs) with private keys, sockets, ports, state and
#      logs in a temporary directory, on loopback;
#   3. submits the documented array script for a small sweep (3 shards of 12 cells) and, as the
#      script's header says, `headroom merge` as a job that depends on the array;
#   4. requeues one task (`scontrol requeue`) once it has written some of its cells, so it is
#      killed mid-run and restarted by Slurm with --resume;
#   5. checks that the requeued shard resumed (cells already done were kept, not rerun), holds
#      every one of its cells exactly once, and that the merged files equal an unsharded sweep's
#      byte for byte.
#
# Every daemon it started is stopped by its PID on exit, failure included; jobs are cancelled
# first. Usage: scripts/slurm-test.sh   (HEADROOM=path/to/headroom to test another binary;
# the default is the debug build, built if missing). Output of a run: docs/batch/slurm-test.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
START=$(date +%s)
say() { printf '[slurm-test %3ds] %s\n' $(( $(date +%s) - START )) "$*"; }
fail() { say "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || fail "needs root (slurmd runs jobs as any user; apt-get installs Slurm)"

if [ -z "${HEADROOM:-}" ]; then
    swift build --product headroom >/dev/null
    HEADROOM=$(swift build --show-bin-path)/headroom
fi
[ -x "$HEADROOM" ] || fail "no headroom binary at $HEADROOM"

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
    say "installing Slurm (slurmctld, slurmd, slurm-client: slurm-wlm's daemons and commands) and munge from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 \
        slurmctld slurmd slurm-client munge >/dev/null
fi
say "$(slurmctld -V), $(munged --version | cut -d' ' -f1)"

WORK=$(mktemp -d /tmp/headroom-slurm.XXXXXX)
chmod 755 "$WORK"
PIDS=()
export SLURM_CONF=$WORK/slurm.conf

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ -f "$SLURM_CONF" ] && [ ${#PIDS[@]} -gt 1 ]; then
        # Jobs run under slurmstepd, which outlives slurmd: let Slurm end them first.
        scancel --full --quiet --user=root 2>/dev/null || true
        for _ in $(seq 1 50); do
            [ -z "$(squeue -h 2>/dev/null)" ] && break
            sleep 0.2
        done
    fi
    local i pid
    for (( i = ${#PIDS[@]} - 1; i >= 0; i-- )); do
        pid=${PIDS[$i]}
        kill "$pid" 2>/dev/null || continue
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ "$status" != 0 ]; then
        say "logs kept in $WORK"
        tail -n 20 "$WORK"/*.log "$WORK"/logs/* 2>/dev/null || true
    else
        rm -rf "$WORK"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Each daemon runs in the foreground (its PID is $!) in a session of its own (setsid execs it: a
# background job is no process group leader), so a Ctrl-C reaches this script, whose trap cancels
# the jobs while slurmctld still runs, and not the daemons.

# --- munge: a private key and socket (munged checks that the socket's directory is searchable
# by everyone and that the key is the munge user's alone).
mkdir -p "$WORK/munge"
head -c 1024 /dev/urandom > "$WORK/munge/munge.key"
chown -R munge:munge "$WORK/munge"
chmod 755 "$WORK/munge"
chmod 400 "$WORK/munge/munge.key"
setsid setpriv --reuid munge --regid munge --init-groups \
    munged --foreground --socket="$WORK/munge/munge.socket" --key-file="$WORK/munge/munge.key" \
    --pid-file="$WORK/munge/munged.pid" --log-file="$WORK/munge/munged.log" \
    --seed-file="$WORK/munge/munged.seed" >"$WORK/munged.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do [ -S "$WORK/munge/munge.socket" ] && break; sleep 0.1; done
munge -n -S "$WORK/munge/munge.socket" | unmunge -S "$WORK/munge/munge.socket" >/dev/null \
    || fail "munged does not answer"

# --- Slurm: one node with 2 CPUs, everything private. cred_expire is also how long a requeued
# job waits before it may start again (default 120 s).
NODE=$(hostname -s)
PORT=${SLURM_TEST_PORT:-16817}
mkdir -p "$WORK/state" "$WORK/spool" "$WORK/logs" "$WORK/out"
cat >"$SLURM_CONF" <<EOF
ClusterName=headroom-test
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$WORK/munge/munge.socket,cred_expire=5
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1,bf_interval=1
ReturnToService=2
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
setsid slurmctld -D -f "$SLURM_CONF" >"$WORK/slurmctld.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do scontrol ping >/dev/null 2>&1 && break; sleep 0.1; done
setsid slurmd -D -f "$SLURM_CONF" >"$WORK/slurmd.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do
    sinfo -h -o %t 2>/dev/null | grep -q idle && break
    sleep 0.2
done
sinfo -h -o %t | grep -q idle || fail "the node did not come up: $(sinfo 2>&1)"
for pid in "${PIDS[@]}"; do
    case $(cat /proc/$pid/comm 2>/dev/null) in munged|slurmctld|slurmd) ;; *) fail "PID $pid is not a daemon of ours";; esac
done
say "cluster up: munged, slurmctld, slurmd (PIDs ${PIDS[*]}), node $NODE with $(sinfo -h -o %c) CPUs"

# --- the sweep: the documented script, a small grid. 3 shards of 4 cells; two tasks run at a
# time (one CPU each), the third waits for a free CPU.
export PATH=$(dirname "$HEADROOM"):$PATH
export MODEL=$ROOT/models/examples/two-tier.yaml
export OUT=$WORK/out
export INSTANCES=2...4 POOL_SIZES=5,10,20,40 REPLICATIONS=2 HORIZON=${SLURM_TEST_HORIZON:-2min} WARMUP=10s
SHARDS=3
ARRAY=$(sbatch --parsable --array=1-$SHARDS --cpus-per-task=1 --time=10:00 --chdir="$WORK" \
    --output="$WORK/logs/sweep-%A_%a.log" "$ROOT/docs/batch/slurm-array.sh")
MERGE=$(sbatch --parsable --dependency=afterok:$ARRAY --kill-on-invalid-dep=yes --chdir="$WORK" \
    --output="$WORK/logs/merge.log" --wrap 'headroom merge "$OUT/all" "$OUT"/shard-*')
say "submitted array job $ARRAY (tasks 1-$SHARDS) and merge job $MERGE (afterok)"

# Requeue task 1 once some, not all, of its 4 cells are on disk.
REQUEUED=1
JSONL=$OUT/shard-$REQUEUED/cells.jsonl
for _ in $(seq 1 1200); do
    n=0
    [ -f "$JSONL" ] && n=$(wc -l <"$JSONL")
    [ "$n" -ge 1 ] && break
    [ -n "$(squeue -h -j "${ARRAY}_$REQUEUED" 2>/dev/null)" ] || fail "task $REQUEUED ended without writing a cell: $(cat "$WORK"/logs/sweep-* 2>&1)"
    sleep 0.1
done
[ "$n" -ge 1 ] || fail "task $REQUEUED wrote no cell in 120 s"
[ "$n" -lt 4 ] || fail "task $REQUEUED finished its 4 cells before it could be requeued (make the cells longer: SLURM_TEST_HORIZON)"
scontrol requeue "${ARRAY}_$REQUEUED"
say "requeued task ${ARRAY}_$REQUEUED with $n of its 4 cells written"

# Meanwhile, the same sweep unsharded, on this machine.
(cd "$WORK" && "$HEADROOM" sweep "$MODEL" --vary instances="$INSTANCES" --vary pools.prisma.size="$POOL_SIZES" \
    --replications "$REPLICATIONS" --horizon "$HORIZON" --warmup "$WARMUP" --threads 1 --output-dir "$WORK/unsharded" \
    >"$WORK/logs/unsharded.log" 2>"$WORK/logs/unsharded.err")
say "unsharded sweep done: $(cat "$WORK/logs/unsharded.log")"

for _ in $(seq 1 1800); do
    [ -z "$(squeue -h)" ] && break
    sleep 0.2
done
[ -z "$(squeue -h)" ] || fail "jobs still queued after 6 minutes: $(squeue)"
[ -f "$OUT/all/cells.csv" ] || fail "the merge job did not run (a task failed?): $(cat "$WORK"/logs/* 2>&1)"
say "all jobs done; merge: $(cat "$WORK/logs/merge.log")"

# --- checks
resumed=$(grep ' cells (shard ' "$WORK/logs/sweep-${ARRAY}_$REQUEUED.log" || true)
say "requeued task's log: $resumed"
echo "$resumed" | grep -Eq "ran [0-9]+, [1-9][0-9]* already done" \
    || fail "the requeued task did not resume (no cells kept): $resumed"
for k in $(seq 1 $SHARDS); do
    expected=$(seq $((k - 1)) $SHARDS 11 | tr '\n' ' ')
    for f in cells.jsonl cells.csv; do
        got=$(grep -o '^{"cell":[0-9]*\|^[0-9]*,' "$OUT/shard-$k/$f" | tr -dc '0-9\n' | tr '\n' ' ')
        [ "$got" = "$expected" ] || fail "shard $k's $f holds cells [$got], expected [$expected] exactly once each"
    done
done
say "every shard holds each of its cells exactly once"
for f in sweep.json cells.csv cells.jsonl; do
    cmp "$OUT/all/$f" "$WORK/unsharded/$f" || fail "merged $f differs from the unsharded sweep's"
done
say "merged sweep.json, cells.csv and cells.jsonl equal the unsharded sweep's byte for byte ($(($(wc -l <"$OUT/all/cells.csv") - 1)) cells)"
say "PASS"
