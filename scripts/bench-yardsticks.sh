#!/usr/bin/env bash
# Every per-core yardstick in one invocation, alternating, with ratios (run through `scripts/bench.sh --yardsticks`):
# each round runs our word count (one process with --parallel 1 and 2, and a coordinator with two workers) beside
# the C word counter (one process and two, ../shared/bench/wc_limit.c), then our sort (one process, --parallel 2,
# and distributed, with its output fsynced, with --no-sync, and with --compression-level 0) beside `LC_ALL=C sort -S 4G --parallel=2` on the
# same records (which does not fsync), checking that the distributed sort's output is exactly GNU sort's. The table at the end holds each figure's median over the rounds and the
# ratio ours ÷ yardstick (below 1: ours is faster).
#   scripts/bench.sh --yardsticks [--mib 1024] [--rounds 3]
set -euo pipefail
cd "$(dirname "$0")/.."
mib=1024
rounds=3
while (($#)); do
    case $1 in
        --mib) mib=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        *) echo "bench-yardsticks: unknown argument '$1' (use --mib N, --rounds N)" >&2; exit 64 ;;
    esac
done
yardstick=../shared/bench/wc_limit.c
counter_2p=../shared/bench/wc_limit_2p.sh
if [[ ! -f $yardstick || ! -f $counter_2p ]]; then
    echo "bench-yardsticks: the C word counter is not at $yardstick (the workplace's shared/bench beside the checkout)" >&2
    exit 66
fi
cc -O2 -o /tmp/mr-bench-wc_limit "$yardstick"
words=/tmp/mr-bench-corpus-$mib
records=/tmp/mr-bench-records-$mib
log=$(mktemp -d /tmp/mr-bench-yardsticks.XXXXXX)
trap 'rm -rf "$log" /tmp/mr-bench-sorted' EXIT

# Runs mr-bench with "$@" and appends the seconds it reports for the run named $1 to $log/$1.
ours() {
    local name=$1
    shift
    local out
    out=$(.build/release/mr-bench --mib "$mib" --reducers 2 "$@")
    echo "$out" | sed 's/^/  /'
    echo "$out" | sed -n 's/^\(local\|distributed\) .* in \([0-9.]*\) s.*/\2/p' | head -n 1 >>"$log/$name"
}

# Times the command "$@" and appends its wall seconds to $log/$1.
yard() {
    local name=$1
    shift
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f\n", b - a }' | tee -a "$log/$name" | sed "s/^/  $name: /;s/$/ s/"
}

for ((round = 1; round <= rounds; round++)); do
    echo "round $round of $rounds ($mib MiB)"
    ours wc-local-1 --corpus "$words" --mode local --parallel 1
    ours wc-local-2 --corpus "$words" --mode local --parallel 2
    ours wc-distributed --corpus "$words" --mode distributed
    yard c-1p /tmp/mr-bench-wc_limit "$words"/*.txt
    yard c-2p env WC_LIMIT=/tmp/mr-bench-wc_limit bash "$counter_2p" "$words"/*.txt
    ours sort-local-2 --job sort --corpus "$records" --mode local --parallel 2
    ours sort-distributed --job sort --corpus "$records" --mode distributed
    ours sort-distributed-no-sync --job sort --corpus "$records" --mode distributed --no-sync
    ours sort-distributed-stored --job sort --corpus "$records" --mode distributed --compression-level 0
    yard gnu-sort env LC_ALL=C sort -S 4G --parallel=2 -o /tmp/mr-bench-sorted "$records"/*.dat
    cat /tmp/mr-bench-output-distributed/output/part-* | cmp - /tmp/mr-bench-sorted
    echo "  the distributed sort's output equals LC_ALL=C sort's"
done

median() { sort -n "$log/$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
row() { # label, ours, yardstick label, yardstick
    awk -v label="$1" -v ours="$(median "$2")" -v name="$3" -v theirs="$(median "$4")" \
        'BEGIN { printf "| %s | %.2f s | %s | %.2f s | %.2f× |\n", label, ours, name, theirs, ours / theirs }'
}
echo
echo "Medians of $rounds rounds, $mib MiB, this build ($(git rev-parse --short HEAD)):"
echo
echo "| ours | time | yardstick | time | ratio |"
echo "|---|---|---|---|---|"
row "word count, one process (--parallel 1)" wc-local-1 "C counter, 1 process" c-1p
row "word count, one process (--parallel 2)" wc-local-2 "C counter, 2 processes" c-2p
row "word count, coordinator + 2 workers" wc-distributed "C counter, 2 processes" c-2p
row "sort, one process (--parallel 2)" sort-local-2 "GNU sort --parallel=2" gnu-sort
row "sort, coordinator + 2 workers" sort-distributed "GNU sort --parallel=2" gnu-sort
row "sort, coordinator + 2 workers, --no-sync (GNU sort does not fsync)" sort-distributed-no-sync "GNU sort --parallel=2" gnu-sort
row "sort, coordinator + 2 workers, --compression-level 0 (intermediate files stored)" sort-distributed-stored "GNU sort --parallel=2" gnu-sort
