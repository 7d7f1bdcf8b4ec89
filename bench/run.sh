#!/usr/bin/env bash
# The peer bench (issue 6): the same scenarios in Headroom, SimPy, Ciw and salabim, alternating, in one
# run; writes bench/RESULTS.md and bench/results.json. See bench/README.md.
#
#   bench/run.sh                    # the full bench (under 10 minutes on 2 cores)
#   bench/run.sh --peer-customers 20000 --ciw-customers 20000 --flat-customers 1000000
#                                   # a quick look; any harness.py option passes through
#   bench/run.sh --web [--customers N --repeats R]
#                                   # only the web engine beside SimPy and salabim (bench/web.py): seed 002's
#                                   # pool, a pool under overload, a two-tier model
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=bench/.venv
SCRATCH=.build-bench

start=$(date +%s)
if [ ! -x "$VENV/bin/python" ]; then
  echo "bench: creating $VENV" >&2
  python3 -m venv "$VENV"
fi
# SimPy 4.1.2, Ciw 3.2.7 and salabim 26.0.9 with their dependencies, pinned.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt

echo "bench: building headroom-bench and headroom (release, --scratch-path $SCRATCH)" >&2
mkdir -p "$SCRATCH"
log="$SCRATCH/bench-build.log"
if ! swift build -c release --scratch-path "$SCRATCH" --product headroom-bench >"$log" 2>&1; then
  tail -30 "$log" >&2
  exit 1
fi
# The CLI runs the seed model through the web-backend engine; the bench goes on without it.
if ! swift build -c release --scratch-path "$SCRATCH" --product headroom >>"$log" 2>&1; then
  echo "bench: the headroom CLI did not build (see $log); its row is skipped" >&2
  rm -f "$SCRATCH/release/headroom"
fi
echo "bench: built in $(( $(date +%s) - start )) s" >&2

if [ "${1:-}" = "--web" ]; then
  shift
  "$VENV/bin/python" bench/web.py --headroom-cli "$SCRATCH/release/headroom" "$@"
else
  "$VENV/bin/python" bench/harness.py \
    --bench "$SCRATCH/release/headroom-bench" --headroom-cli "$SCRATCH/release/headroom" "$@"
  "$VENV/bin/python" bench/web.py --headroom-cli "$SCRATCH/release/headroom"
fi
echo "bench: done in $(( $(date +%s) - start )) s" >&2
