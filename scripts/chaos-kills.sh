#!/usr/bin/env bash
# Chaos with kills, as issue 23 measured it: word count over 256 MiB (8 MiB splits: 32 map tasks; 4 reducers;
# --max-attempts 100) with three workers, a random one SIGKILLed every 0.2–1 s and replaced at once, until the job
# ends. Each seed's output is compared with mr-local's over the same input; prints the time and the kills.
#
#   scripts/chaos-kills.sh [SEED...]        # default: seeds 1 2 3
#
# Release build. A dead worker is noticed when its connection closes, so each run should end, exactly, within 60 s
# (before, each kill cost a whole 10 s lease, and the run did not end in 120 s). Exits 1 if a run fails, differs
# or takes over 120 s.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
for product in mr-bench mr-coordinator mr-worker mr-local; do swift build -c release --product "$product" >&2; done
bin=$PWD/.build/release
seeds=("$@")
((${#seeds[@]} > 0)) || seeds=(1 2 3)

corpus=/tmp/mr-chaos-corpus
if ! compgen -G "$corpus/*.txt" >/dev/null; then
    "$bin/mr-bench" --corpus "$corpus" --mib 256 --files 4 --mode local --output /tmp/mr-chaos-bench >/dev/null
    rm -rf /tmp/mr-chaos-bench
fi
work=$(mktemp -d /tmp/mr-chaos.XXXXXX)
coordinator=
workers=()
cleanup() {
    for pid in ${coordinator:+"$coordinator"} "${workers[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

"$bin/mr-local" --job word-count --reducers 4 --quiet --output "$work/reference" "$corpus"/*.txt

failed=0
for seed in "${seeds[@]}"; do
    RANDOM=$seed
    run=$work/seed-$seed
    mkdir -p "$run/shared"
    "$bin/mr-coordinator" --job word-count --reducers 4 --split-size 8MiB --max-attempts 100 --quiet --shared-dir "$run/shared" \
        --output "$run/output" --address-file "$run/address" "$corpus"/*.txt 2>"$run/coordinator.log" &
    coordinator=$!
    for _ in $(seq 100); do [[ -s $run/address ]] && break; sleep 0.1; done
    url=$(cat "$run/address")
    start_worker() { "$bin/mr-worker" --coordinator "$url" --shared-dir "$run/shared" 2>>"$run/workers.log" & workers[$1]=$!; }
    for index in 0 1 2; do start_worker $index; done
    started=$(date +%s.%N)
    kills=0
    while kill -0 "$coordinator" 2>/dev/null; do
        # The fault schedule (this sleep is the chaos, not a wait for an event).
        sleep "0.$((200 + RANDOM % 800))"
        [[ $(awk -v s="$started" -v n="$(date +%s.%N)" 'BEGIN { print (n - s > 120) }') == 1 ]] && kill -KILL "$coordinator" && break
        kill -0 "$coordinator" 2>/dev/null || break
        index=$((RANDOM % 3))
        kill -KILL "${workers[$index]}" 2>/dev/null || true
        wait "${workers[$index]}" 2>/dev/null || true
        kills=$((kills + 1))
        start_worker "$index"
    done
    status=0
    wait "$coordinator" || status=$?
    coordinator=
    elapsed=$(awk -v s="$started" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - s }')
    for pid in "${workers[@]}"; do kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    workers=()
    verdict="output exact"
    if ((status != 0)); then
        verdict="FAILED: coordinator exited $status: $(tail -n 3 "$run/coordinator.log")"
    elif ! cmp -s <(cat "$work/reference"/part-*) <(cat "$run/output"/part-*); then
        verdict="FAILED: output differs from mr-local's"
    fi
    lost=$(grep -c '"kind":"attempt-lost"' "$run/output/_events.jsonl" 2>/dev/null || true)
    echo "seed $seed: $elapsed s, $kills workers killed, ${lost:-0} attempts lost; $verdict"
    [[ $verdict == "output exact" ]] || failed=1
    rm -rf "$run"
done
exit $failed
