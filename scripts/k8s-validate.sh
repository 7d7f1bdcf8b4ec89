#!/usr/bin/env bash
# Validates Kubernetes manifests against the Kubernetes API schema (kubernetes-validate from
# PyPI, pinned in docs/batch/requirements.txt; --strict: unknown fields are errors too).
#
#   scripts/k8s-validate.sh                     # docs/batch/k8s-indexed-job.yaml
#   scripts/k8s-validate.sh FILE.yaml ...       # other manifests
#
# Environment:
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

[ $# -gt 0 ] || set -- "$ROOT/docs/batch/k8s-indexed-job.yaml"
version=()
[ -n "${KUBERNETES_VERSION:-}" ] && version=(--kubernetes-version "$KUBERNETES_VERSION")
exec "$VENV/bin/kubernetes-validate" --strict "${version[@]}" "$@"
