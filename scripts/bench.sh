#!/usr/bin/env bash
# Release-mode benchmark of the local word count. Extra arguments go to mr-bench (see --help), e.g.
#   scripts/bench.sh --mib 1024 --corpus /tmp/mr-bench-corpus
# If ../shared/bench/wc_limit.c exists beside the checkout, the C yardstick runs on the same corpus, alternating
# with ours, and the ratio is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build -c release --product mr-bench >&2
corpus=/tmp/mr-bench-corpus
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do [[ ${args[i]} == --corpus ]] && corpus=${args[i + 1]}; done
yardstick=../shared/bench/wc_limit.c
for round in 1 2; do
    .build/release/mr-bench "$@"
    if [[ -f $yardstick ]]; then
        cc -O2 -o /tmp/mr-bench-wc_limit "$yardstick"
        start=$(date +%s.%N)
        /tmp/mr-bench-wc_limit "$corpus"/*.txt >/dev/null
        end=$(date +%s.%N)
        echo "C yardstick (round $round): $(echo "$end - $start" | bc) s"
    fi
done
