#!/usr/bin/env bash
# Runs the word-count job over Examples/WordCount/input with a coordinator and two worker processes, then
# prints the most frequent words and the job's one-line summary. Installs libzstd-dev first if it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
echo "building mr-coordinator and mr-worker (the first build takes several minutes)…" >&2
swift build --product mr-coordinator >&2
swift build --product mr-worker >&2
bin=$(swift build --show-bin-path)

work=$(mktemp -d)
source scripts/background-processes.sh

"$bin/mr-coordinator" --job word-count --reducers 4 --shared-dir "$work/shared" --output "$work/output" \
    --address-file "$work/address" --log-level warning --quiet Examples/WordCount/input >"$work/coordinator.out" &
coordinator=$!
pids+=("$coordinator")
for _ in $(seq 1 300); do [[ -s $work/address ]] && break; sleep 0.1; done
[[ -s $work/address ]] || { echo "quickstart: the coordinator did not start; see $work/coordinator.out" >&2; exit 1; }
url=$(head -n 1 "$work/address")
for _ in 1 2; do
    "$bin/mr-worker" --coordinator "$url" --shared-dir "$work/shared" --log-level warning &
    pids+=($!)
done
wait "$coordinator"

echo "most frequent words:"
cat "$work/output"/part-* | sort -k2,2nr -k1,1 | head -n 10 | awk '{ printf "%8d  %s\n", $2, $1 }'
tail -n 1 "$work/coordinator.out"
echo "output: $work/output"
