#!/usr/bin/env bash
# Runs the Swift test suite (the three runs of scripts/test.sh) N times in a row (default 20), stopping at the first
# failure, to prove it stable; run it with another build beside it (for example `scripts/build-release.sh` in a
# second clone) to prove it under load. Prints one line per round and, on a failure, the failing round's log.
#   scripts/repeat-tests.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-20}
if ! [[ $rounds =~ ^[1-9][0-9]*$ ]]; then
    echo "repeat-tests: ROUNDS must be a positive whole number, not '$rounds'" >&2
    exit 64
fi
scripts/ensure-deps.sh
swift build --build-tests
log=$(mktemp -t repeat-tests.XXXXXX)
trap 'rm -f "$log"' EXIT
in_process_servers='CoordinatorRouterTests|FakeCoordinatorTests'
for ((round = 1; round <= rounds; round++)); do
    started=$SECONDS
    if swift test --skip-build --skip IntegrationTests --skip "$in_process_servers" >"$log" 2>&1 &&
        swift test --skip-build --filter "$in_process_servers" >>"$log" 2>&1 &&
        swift test --skip-build --filter IntegrationTests >>"$log" 2>&1; then
        echo "round $round of $rounds: passed in $((SECONDS - started)) s"
    else
        echo "round $round of $rounds: FAILED after $((SECONDS - started)) s; its log:" >&2
        grep -E 'failed|error|✘|recorded an issue' "$log" | head -40 >&2 || true
        kept="${TMPDIR:-/tmp}/repeat-tests-round-$round.log"
        cp "$log" "$kept"
        echo "repeat-tests: the whole log is in $kept" >&2
        exit 1
    fi
done
echo "repeat-tests: $rounds rounds passed"
