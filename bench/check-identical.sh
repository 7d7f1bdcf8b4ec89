#!/usr/bin/env bash
# Records, or checks, the outputs of every bundled model, so a change meant to leave the engine's
# behaviour alone (a restructuring, a speed-up, a new feature at its default) can prove it did.
#
#   bench/check-identical.sh record DIR [HEADROOM]   # write the outputs of HEADROOM into DIR
#   bench/check-identical.sh check  DIR [HEADROOM]   # compare HEADROOM's outputs with DIR, byte for byte
#
# HEADROOM defaults to .build/release/headroom (build it first: swift build -c release).
# Every model in models/default.yaml, models/examples/*.yaml and models/seeds/*.yaml runs with
# `--seed 7 --replications 2 --threads 1` and a short horizon (60 s, 10 s warm-up), as JSON, CSV
# and the table; web models also write a 5 s timeline, and run once more for 10 minutes (1 min
# warm-up, one replication), long enough for late events (an instance failing at 3 min, phases,
# idle reaping). About a minute in all on a quiet machine. Exit status 1 on the first difference of any kind (with a diff), 0 when identical.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-}; dir=${2:-}; headroom=${3:-.build/release/headroom}
if [[ "$mode" != record && "$mode" != check ]] || [[ -z "$dir" ]]; then
    echo "usage: $0 record|check DIR [HEADROOM]" >&2; exit 64
fi
[[ -x "$headroom" ]] || { echo "$0: no executable at $headroom (swift build -c release)" >&2; exit 66; }
headroom=$(realpath "$headroom")

out=$dir
if [[ $mode == check ]]; then
    [[ -d "$dir" ]] || { echo "$0: nothing recorded in $dir" >&2; exit 66; }
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"

models=(models/default.yaml models/examples/*.yaml models/seeds/*.yaml)
common=(--seed 7 --replications 2 --horizon 60s --warmup 10s --threads 1)
for model in "${models[@]}"; do
    [[ $model == *.claims.yaml ]] && continue  # claims files (headroom verify), not models
    name=$(echo "${model#models/}" | tr / _)
    name=${name%.yaml}
    "$headroom" run "$model" "${common[@]}" --format json >"$out/$name.json" 2>"$out/$name.stderr" || echo "exit $?" >>"$out/$name.stderr"
    "$headroom" run "$model" "${common[@]}" --format csv >"$out/$name.csv" 2>/dev/null || true
    "$headroom" run "$model" "${common[@]}" >"$out/$name.table" 2>/dev/null || true
    if ! grep -q '^network:' "$model"; then
        "$headroom" run "$model" "${common[@]}" --format json --timeline 5s \
            --timeline-output "$out/$name.timeline.csv" >/dev/null 2>&1 || true
        "$headroom" run "$model" --seed 7 --replications 1 --horizon 10min --warmup 1min --threads 1 \
            --format json >"$out/$name.long.json" 2>/dev/null || true
    fi
done
echo "$mode: $(ls "$out"/*.json | grep -vc long.json) models ($(ls "$out" | wc -l) files) in $out"

if [[ $mode == check ]]; then
    if diff -r "$dir" "$out"; then
        echo "identical: every output equals the record in $dir"
    else
        echo "DIFFERENT: outputs differ from the record in $dir (diff above)" >&2
        exit 1
    fi
fi
