#!/usr/bin/env bash
# Release-mode benchmark of word count, local and distributed. Extra arguments go to mr-bench (see --help), e.g.
#   scripts/bench.sh --mib 1024 --corpus /tmp/mr-bench-corpus --reducers 2
# If ../shared/bench/ exists beside the checkout, its C word counter runs on the same corpus (one process and
# two), alternating with ours.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
for product in mr-bench mr-coordinator mr-worker; do swift build -c release --product "$product" >&2; done
corpus=/tmp/mr-bench-corpus
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do [[ ${args[i]} == --corpus ]] && corpus=${args[i + 1]}; done
yardstick=../shared/bench/wc_limit.c
for round in 1 2; do
    .build/release/mr-bench "$@"
    if [[ -f $yardstick ]]; then
        cc -O2 -o /tmp/mr-bench-wc_limit "$yardstick"
        TIMEFORMAT="C yardstick, 1 process (round $round): %R s"
        time /tmp/mr-bench-wc_limit "$corpus"/*.txt >/dev/null
        TIMEFORMAT="C yardstick, 2 processes (round $round): %R s"
        time WC_LIMIT=/tmp/mr-bench-wc_limit bash ../shared/bench/wc_limit_2p.sh "$corpus"/*.txt >/dev/null
    fi
done
