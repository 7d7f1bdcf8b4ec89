#!/bin/bash
# A Headroom sweep as a Slurm job array: one array task per shard.
#
#   export OUT=$PWD/sweep-out                             # a directory every node sees
#   jobid=$(sbatch --parsable docs/batch/slurm-array.sh)  # 16 shards
#   sbatch --dependency=afterok:$jobid --kill-on-invalid-dep=yes \
#     --wrap 'headroom merge "$OUT/all" "$OUT"/shard-*'  # then merge, once every shard is done
#
# Every task writes its own shard directory under a shared file system; --resume makes a
# requeued or preempted task finish its shard instead of starting over. The number of shards is
# the size of the array: `sbatch --array=1-4 docs/batch/slurm-array.sh` runs 4 shards.
# The grid and the settings come from the variables below (override them in the environment
# of `sbatch`, which passes it to every task); they must be the same in every task.
# scripts/slurm-test.sh runs this script on a real single-node cluster.
#SBATCH --job-name=headroom-sweep
#SBATCH --array=1-16
#SBATCH --cpus-per-task=8
#SBATCH --time=02:00:00
#SBATCH --requeue
#SBATCH --output=sweep-%A_%a.log

set -euo pipefail

MODEL=${MODEL:-models/examples/two-tier.yaml}
OUT=${OUT:-$PWD/sweep-out}
INSTANCES=${INSTANCES:-1...16}
POOL_SIZES=${POOL_SIZES:-5...100:5}
REPLICATIONS=${REPLICATIONS:-10}
HORIZON=${HORIZON:-10min}
WARMUP=${WARMUP:-1min}

# --shard is 1-based; the array may start anywhere (--array=0-15 works too).
SHARDS=${SLURM_ARRAY_TASK_COUNT}
SHARD=$((SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN + 1))

resume=()
[ -f "$OUT/shard-$SHARD/sweep.json" ] && resume=(--resume)

headroom sweep "$MODEL" \
  --vary instances="$INSTANCES" \
  --vary pools.prisma.size="$POOL_SIZES" \
  --replications "$REPLICATIONS" --horizon "$HORIZON" --warmup "$WARMUP" \
  --threads "${SLURM_CPUS_PER_TASK:-1}" \
  --shard "$SHARD/$SHARDS" \
  --output-dir "$OUT/shard-$SHARD" "${resume[@]}"
