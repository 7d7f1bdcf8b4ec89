#!/usr/bin/env bash
# The whole test suite (unit, validation against closed forms, CLI).
set -euo pipefail
cd "$(dirname "$0")/.."
# The notebooks run on small data too (a broken notebook fails the suite); the first run installs
# their pinned Python packages from PyPI into notebooks/.venv. HEADROOM_NOTEBOOK_TESTS=0 skips them.
export HEADROOM_NOTEBOOK_TESTS=${HEADROOM_NOTEBOOK_TESTS:-1}
# docs/batch/k8s-indexed-job.yaml is validated against the Kubernetes schema; the first run
# installs the pinned validator into .venv/k8s-validate (about a minute). HEADROOM_K8S_TESTS=0 skips it.
export HEADROOM_K8S_TESTS=${HEADROOM_K8S_TESTS:-1}
swift build --build-tests
swift test --skip-build
# docs/batch/slurm-array.sh on a real single-node Slurm cluster (installs slurm-wlm and munge
# if missing; needs root; about a minute, plus the install). HEADROOM_SLURM_TESTS=0 skips it.
if [ "${HEADROOM_SLURM_TESTS:-1}" = 1 ]; then
    HEADROOM="$(swift build --show-bin-path)/headroom" ./scripts/slurm-test.sh
fi
