#!/usr/bin/env bash
# Release-mode benchmarks. Extra arguments go to mr-bench (see --help), e.g.
#   scripts/bench.sh --mib 1024 --reducers 2                 # word count, local and distributed
#   scripts/bench.sh --job sort --mib 1024 --reducers 2 --mode distributed
#   scripts/bench.sh --corpus /tmp/mr-bench-64 --mib 64 --files 4 --shapes 8x16,256x16,1024x16,8x256,256x256
#                                                            # task shapes over one input, side by side; add
#                                                            # --compare-with DIR to alternate with another build,
#                                                            # --with-local to run each shape in one process too
#   scripts/bench.sh --yardsticks --mib 1024 --rounds 3      # every yardstick (C counter, GNU sort) beside ours,
#                                                            # alternating, with a table of ratios (bench-yardsticks.sh)
# Word count: if ../shared/bench/ exists beside the checkout, its C word counter runs on the same corpus (one
# process and two), alternating with ours. Sort: `LC_ALL=C sort -S 4G --parallel=2` runs on the same records,
# alternating with ours, and the distributed output is checked to be exactly its output.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
for product in mr-bench mr-coordinator mr-worker; do swift build -c release --product "$product" >&2; done
if [[ ${1:-} == --yardsticks ]]; then
    shift
    exec scripts/bench-yardsticks.sh "$@"
fi
job=word-count
corpus=
output=/tmp/mr-bench-output
rounds=2
shapes=false
args=()
while (($#)); do
    case $1 in
        --rounds) rounds=$2; shift 2; continue ;;
        --job) job=$2 ;;
        --corpus) corpus=$2 ;;
        --output) output=$2 ;;
        --shapes) shapes=true ;;
    esac
    args+=("$1")
    shift
done
if [[ $job == sort ]]; then corpus=${corpus:-/tmp/mr-bench-records}; else corpus=${corpus:-/tmp/mr-bench-corpus}; fi
yardstick=../shared/bench/wc_limit.c
for ((round = 1; round <= rounds; round++)); do
    .build/release/mr-bench "${args[@]}"
    if $shapes; then
        continue
    elif [[ $job == sort ]]; then
        TIMEFORMAT="LC_ALL=C sort -S 4G --parallel=2 (round $round): %R s"
        time LC_ALL=C sort -S 4G --parallel=2 "$corpus"/*.dat >/tmp/mr-bench-sorted
        if [[ -d $output-distributed/output ]]; then
            cat "$output-distributed"/output/part-* | cmp - /tmp/mr-bench-sorted && echo "distributed output equals LC_ALL=C sort's"
        fi
        rm -f /tmp/mr-bench-sorted
    elif [[ -f $yardstick ]]; then
        cc -O2 -o /tmp/mr-bench-wc_limit "$yardstick"
        TIMEFORMAT="C yardstick, 1 process (round $round): %R s"
        time /tmp/mr-bench-wc_limit "$corpus"/*.txt >/dev/null
        TIMEFORMAT="C yardstick, 2 processes (round $round): %R s"
        time WC_LIMIT=/tmp/mr-bench-wc_limit bash ../shared/bench/wc_limit_2p.sh "$corpus"/*.txt >/dev/null
    fi
done
