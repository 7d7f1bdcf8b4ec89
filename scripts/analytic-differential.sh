#!/usr/bin/env bash
# The differential test of the analytic figures against the simulation on many random models
# (docs/analytic-accuracy.md): scripts/analytic-differential.sh [MODELS [FIRST_SEED [TABLE]]]
# (defaults 3000, 1, .build/analytic-differential.md; a TSV of every comparison beside it).
# About 0.5 s of CPU per model in a debug build. Exit status 1 when an exact figure or a bound
# disagrees or an approximation's documented band is not met.
set -euo pipefail
cd "$(dirname "$0")/.."
export HEADROOM_DIFFERENTIAL_MODELS=${1:-3000}
export HEADROOM_DIFFERENTIAL_FIRST_SEED=${2:-1}
export HEADROOM_DIFFERENTIAL_TABLE=${3:-$PWD/.build/analytic-differential.md}
swift build --build-tests
swift test --skip-build --filter AnalyticDifferentialTests
