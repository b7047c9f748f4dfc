#!/usr/bin/env bash
# Runs the whole test suite. Installs libzstd-dev first if it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift test "$@"
