#!/usr/bin/env bash
# Validates Kubernetes manifests against the Kubernetes API schema (kubernetes-validate from
# PyPI, pinned in docs/batch/requirements.txt; --strict: unknown fields are errors too).
#
#   scripts/k8s-validate.sh                     # docs/batch/k8s-indexed-job.yaml
#   scripts/k8s-validate.sh FILE.yaml ...       # other manifests
#   scripts/k8s-validate.sh --run-locally       # and run the indexed Job's pod command for every
#                                               # index here (scripts/k8s_job_locally.py): a small
#                                               # grid, one pod killed and retried, the documented
#                                               # merge, compared with an unsharded sweep
#
# Environment:
#   HEADROOM=path/to/headroom  the binary for --run-locally (default: the debug build)
#   K8S_VALIDATE_VENV=dir   the virtual environment (default: .venv/k8s-validate, created on first use)
#   KUBERNETES_VERSION=1.37 the API version to validate against (default: the validator's newest)
#   PYTHON=python3          the interpreter that creates the venv
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${K8S_VALIDATE_VENV:-$ROOT/.venv/k8s-validate}
REQ=$ROOT/docs/batch/requirements.txt
PYTHON=${PYTHON:-python3}

STAMP=$VENV/.requirements.sha256
WANT=$(sha256sum "$REQ" | cut -d' ' -f1)
if [ ! -x "$VENV/bin/kubernetes-validate" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  echo "k8s-validate.sh: installing $REQ into $VENV" >&2
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ"
  echo "$WANT" > "$STAMP"
fi

RUN_LOCALLY=0
if [ "${1:-}" = --run-locally ]; then RUN_LOCALLY=1; shift; fi
[ $# -gt 0 ] || set -- "$ROOT/docs/batch/k8s-indexed-job.yaml"
version=()
[ -n "${KUBERNETES_VERSION:-}" ] && version=(--kubernetes-version "$KUBERNETES_VERSION")
"$VENV/bin/kubernetes-validate" --strict "${version[@]}" "$@"
[ "$RUN_LOCALLY" = 1 ] || exit 0

if [ -z "${HEADROOM:-}" ]; then
  (cd "$ROOT" && swift build --product headroom >&2)
  HEADROOM=$(cd "$ROOT" && swift build --show-bin-path)/headroom
fi
WORK=$(mktemp -d /tmp/headroom-k8s.XXXXXX)
for manifest in "$@"; do
  "$VENV/bin/python" "$ROOT/scripts/k8s_job_locally.py" "$manifest" "$HEADROOM" \
    "$ROOT/models/examples/two-tier.yaml" "$WORK" || { echo "k8s-validate.sh: files kept in $WORK" >&2; exit 1; }
done
rm -rf "$WORK"
