#!/usr/bin/env bash
# Installs what is missing (GSL), builds in release, and runs the main job on the default model.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! pkg-config --exists gsl 2>/dev/null; then
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq libgsl-dev pkg-config
    else sudo apt-get update -qq && sudo apt-get install -y -qq libgsl-dev pkg-config; fi
fi
swift build -c release --product headroom
exec .build/release/headroom run models/default.yaml "$@"
