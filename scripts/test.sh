#!/usr/bin/env bash
# The whole test suite (unit, validation against closed forms, CLI).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build
