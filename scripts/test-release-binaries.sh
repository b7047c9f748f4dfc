#!/usr/bin/env bash
# Checks that the release binaries of scripts/build-release.sh run without a Swift toolchain: it builds them, then
# runs them in a chroot that holds only those binaries, the libraries dist/DEPENDENCIES lists, the dynamic loader,
# /dev/null and /proc (the Swift runtime reads its arguments there) — no /opt/swift, no /usr/lib/swift, an empty
# environment. There, mr-local and a coordinator with
# two workers must each write word count's exact output (compared with the SequentialRunner of the ordinary debug
# build), and mr-testbed (a program built on MapReduceCommand, as a user's own is) must run its local subcommand.
# Needs root (chroot); says so and fails otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) -eq 0 ]] || { echo "test-release-binaries: needs root (for chroot)" >&2; exit 1; }

dist=$(mktemp -d)
root=$(mktemp -d)
source scripts/background-processes.sh
cleanup() {
    umount "$root/proc" 2>/dev/null || true
    rm -rf "$dist" "$root"
}

DIST_DIR=$dist scripts/build-release.sh mr-coordinator mr-worker mr-local mr-testbed
swift build --product mr-local >&2
oracle=$(swift build --show-bin-path)/mr-local

mkdir -p "$root/bin" "$root/work" "$root/tmp" "$root/dev" "$root/proc"
mount -t proc proc "$root/proc"
chmod 1777 "$root/tmp"
mknod -m 666 "$root/dev/null" c 1 3
cp "$dist"/mr-* "$root/bin/"
for library in $(grep '^  /' "$dist/DEPENDENCIES" | sort -u); do
    mkdir -p "$root$(dirname "$library")"
    cp -L "$library" "$root$library"
done
cp -r Examples/WordCount/input "$root/work/input"
if find "$root" -path "$root/proc" -prune -o -path '*swift*' -print | grep -q .; then
    echo "test-release-binaries: the chroot holds Swift files" >&2
    exit 1
fi
chroot=$(command -v chroot)
run() { env -i "$chroot" "$root" "$@"; }

"$oracle" --job word-count --reducers 2 --quiet --output "$dist/expected" Examples/WordCount/input
run /bin/mr-local --job word-count --reducers 2 --quiet --output /work/local /work/input
cmp <(cat "$dist"/expected/part-*) <(cat "$root"/work/local/part-*)

run /bin/mr-coordinator --job word-count --reducers 2 --quiet --shared-dir /work/shared --output /work/distributed \
    --address-file /work/address /work/input >"$dist/coordinator.out" 2>"$dist/coordinator.log" &
coordinator=$!
pids+=("$coordinator")
for _ in $(seq 1 300); do [[ -s $root/work/address ]] && break; sleep 0.1; done
[[ -s $root/work/address ]] || { echo "test-release-binaries: the coordinator did not start:" >&2; cat "$dist/coordinator.log" >&2; exit 1; }
url=$(head -n 1 "$root/work/address")
for worker in 1 2; do
    run /bin/mr-worker --coordinator "$url" --shared-dir /work/shared 2>"$dist/worker-$worker.log" &
    pids+=($!)
done
status=0
timeout 120 tail --pid="$coordinator" -f /dev/null || status=$?
wait "$coordinator" || { echo "test-release-binaries: the coordinator failed:" >&2; tail -20 "$dist/coordinator.log" >&2; exit 1; }
((status == 0)) || { echo "test-release-binaries: the coordinator did not finish in 120 s" >&2; exit 1; }
cmp <(cat "$dist"/expected/part-*) <(cat "$root"/work/distributed/part-*)

run /bin/mr-testbed local --job word-count --reducers 2 --quiet --output /work/testbed /work/input
cmp <(cat "$dist"/expected/part-*) <(cat "$root"/work/testbed/part-*)
echo "test-release-binaries: mr-local, mr-coordinator with two mr-workers, and mr-testbed ran in a chroot without the Swift toolchain; output exact"
