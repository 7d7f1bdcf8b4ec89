#!/usr/bin/env bash
# Makes the notebooks' data with the headroom CLI and executes the notebooks headless, writing
# PNGs to notebooks/out/ (and the executed notebooks to notebooks/out/executed/).
#
#   scripts/notebooks.sh            # the data of the charts in notebooks/README.md (several minutes)
#   scripts/notebooks.sh --small    # tiny grids and horizons: checks that every notebook runs
#
# Environment:
#   HEADROOM=path/to/headroom   use this binary (default: swift build -c release, .build/release/headroom)
#   NOTEBOOK_VENV=dir           the virtual environment (default: notebooks/.venv, created on first use)
#   HEADROOM_NOTEBOOK_DATA=dir  where the data goes (default: notebooks/data/generated)
#   HEADROOM_NOTEBOOK_OUT=dir   where the PNGs go (default: notebooks/out)
#   PYTHON=python3              the interpreter that creates the venv
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NB="$ROOT/notebooks"
VENV=${NOTEBOOK_VENV:-$NB/.venv}
DATA=${HEADROOM_NOTEBOOK_DATA:-$NB/data/generated}
OUT=${HEADROOM_NOTEBOOK_OUT:-$NB/out}
PYTHON=${PYTHON:-python3}
SMALL=0
for arg in "$@"; do
  case "$arg" in
    --small) SMALL=1 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "notebooks.sh: unknown argument $arg (try --help)" >&2; exit 64 ;;
  esac
done
say() { echo "notebooks.sh: $*" >&2; }

# 1. The CLI.
if [ -z "${HEADROOM:-}" ]; then
  say "building headroom (release)"
  (cd "$ROOT" && swift build -c release --product headroom >&2)
  HEADROOM="$ROOT/.build/release/headroom"
fi
[ -x "$HEADROOM" ] || { say "no headroom binary at $HEADROOM"; exit 69; }

# 2. The Python environment (pinned versions, installed once per requirements file).
REQ="$NB/requirements.txt"
STAMP="$VENV/.requirements.sha256"
WANT=$(sha256sum "$REQ" | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  say "installing $REQ into $VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ"
  echo "$WANT" > "$STAMP"
fi

# 3. The models: the seeds' when they exist, else the notebooks' own copies.
TAILORS="$ROOT/models/seeds/tailors-before.yaml"
[ -f "$TAILORS" ] || TAILORS="$NB/data/tailors-before.yaml"
PHASED="$NB/data/phased-load-test.yaml"

if [ "$SMALL" = 1 ]; then
  SIM=(--replications 2 --horizon 20s --warmup 5s)
  USERS="users=50,150,300"; POOLS="pool.size=5,20"
  INSTANCES="instances=1...3"; HEATPOOLS="pool.size=5,10,20"
  TIMELINE_SIM=(--replications 2)
else
  SIM=(--replications 3 --horizon 90s --warmup 15s)
  USERS="users=50...500:50"; POOLS="pool.size=5,10,20,40"
  INSTANCES="instances=1...8"; HEATPOOLS="pool.size=5...40:5"
  TIMELINE_SIM=(--replications 5)
fi
SLOS=(--slo 'p95<800ms' --slo 'timeouts<1%' --slo 'errors<1%')
COST='instances*120 + pool.size*2'

rm -rf "$DATA"
mkdir -p "$DATA" "$OUT"
say "data in $DATA (models: $TAILORS, $PHASED)"

# (a) p95 versus concurrent users, several pool sizes.
"$HEADROOM" sweep "$TAILORS" --vary "$USERS" --vary "$POOLS" "${SIM[@]}" --output-dir "$DATA/users-pool" >&2
# (b) the heat map over instances x pool size at 300 users, and the plan over the same grid.
"$HEADROOM" sweep "$TAILORS" --vary users=300 --vary "$INSTANCES" --vary "$HEATPOOLS" "${SIM[@]}" \
  --output-dir "$DATA/heatmap" >&2
echo "${SLOS[1]}, ${SLOS[3]}, ${SLOS[5]}; cost $COST" > "$DATA/plan-slos.txt"
status=0
"$HEADROOM" plan "$TAILORS" --set users=300 --vary "$INSTANCES" --vary "$HEATPOOLS" "${SLOS[@]}" \
  --cost "$COST" "${SIM[@]}" --alternatives 20 --format csv --output "$DATA/plan.csv" 2>/dev/null || status=$?
# Exit 1: no configuration passes (the file is still written).
[ "$status" = 0 ] || [ "$status" = 1 ] || { say "plan failed ($status)"; exit "$status"; }
# (c) a phased load test, second by second.
"$HEADROOM" run "$PHASED" "${TIMELINE_SIM[@]}" --timeline 1s --timeline-output "$DATA/timeline.json" \
  --format json --output "$DATA/timeline-report.json"
# (d) before/after bars of the five audits, when this headroom has `reproduce`.
if "$HEADROOM" reproduce --help >/dev/null 2>&1; then
  if [ "$SMALL" = 1 ]; then REPRO=(--replications 2 --horizon 10s --points 2); else REPRO=(--replications 3 --horizon 1min); fi
  "$HEADROOM" reproduce all --format csv "${REPRO[@]}" --models "$ROOT/models/seeds" --output "$DATA/reproduce.csv"
else
  say "this headroom has no \`reproduce\` command: audits.ipynb draws nothing"
fi

# 4. Execute the notebooks headless.
mkdir -p "$OUT/executed"
export HEADROOM_NOTEBOOK_DATA="$DATA" HEADROOM_NOTEBOOK_OUT="$OUT" MPLBACKEND=Agg
for notebook in "$NB"/*.ipynb; do
  say "executing $(basename "$notebook")"
  "$VENV/bin/jupyter" nbconvert --to notebook --execute --ExecutePreprocessor.timeout=600 \
    --output-dir "$OUT/executed" "$notebook" >&2
done
ls "$OUT"/*.png
