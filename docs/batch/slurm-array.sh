#!/bin/bash
# A Headroom sweep as a Slurm job array: one array task per shard.
#
#   sbatch docs/batch/slurm-array.sh                     # 16 shards
#   sbatch --dependency=afterok:<jobid> --wrap \
#     'headroom merge $OUT/all $OUT/shard-*'              # then merge
#
# Every task writes its own shard directory under a shared file system; --resume makes a
# requeued or preempted task finish its shard instead of starting over.
#SBATCH --job-name=headroom-sweep
#SBATCH --array=1-16
#SBATCH --cpus-per-task=8
#SBATCH --time=02:00:00
#SBATCH --requeue
#SBATCH --output=sweep-%A_%a.log

set -euo pipefail

SHARDS=${SLURM_ARRAY_TASK_COUNT:-16}
SHARD=${SLURM_ARRAY_TASK_ID}          # 1..16 (the array above starts at 1, like --shard)
MODEL=${MODEL:-models/examples/two-tier.yaml}
OUT=${OUT:-$PWD/sweep-out}

resume=()
[ -f "$OUT/shard-$SHARD/sweep.json" ] && resume=(--resume)

headroom sweep "$MODEL" \
  --set instances=1...16 \
  --set pools.prisma.size=5...100:5 \
  --replications 10 --horizon 10min \
  --threads "${SLURM_CPUS_PER_TASK:-1}" \
  --shard "$SHARD/$SHARDS" \
  --output-dir "$OUT/shard-$SHARD" "${resume[@]}"
