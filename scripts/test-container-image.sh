#!/usr/bin/env bash
# Builds the container image of Deploy/Containerfile with podman and runs a job in it: a coordinator container and
# two worker containers (host network, on loopback; the shared directory a volume) must write exactly mr-local's
# word count, as the image's user 65532, and a worker container stopped with `podman stop` (SIGTERM) must exit 2,
# which shows the signal reaches the program itself. No registry is reachable here, so the base image,
# debian:bookworm-slim, is made from Debian's own packages with debootstrap and imported once into podman's
# storage. Needs root (podman, debootstrap); says so and fails otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) -eq 0 ]] || { echo "test-container-image: needs root (podman, debootstrap)" >&2; exit 1; }
scripts/ensure-deps.sh
scripts/build-release.sh mr-coordinator mr-worker mr-local
swift build --product mr-local >&2
oracle=$(swift build --show-bin-path)/mr-local

base=docker.io/library/debian:bookworm-slim
image=localhost/swift-mapreduce:test-$$
# runc with cgroupfs: crun refuses this machine's hybrid cgroup hierarchy. The open-files limit is the machine's
# own and the processes 4096: podman's defaults are more than this machine lets a container have.
podman=(podman --runtime runc --cgroup-manager cgroupfs)
limits=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=4096:4096)
work=$(mktemp -d)
containers=()
cleanup() {
    for container in "${containers[@]}"; do "${podman[@]}" rm -f -t 0 "$container" >/dev/null 2>&1 || true; done
    "${podman[@]}" rmi -f "$image" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "test-container-image: $*" >&2
    exit 1
}

if ! "${podman[@]}" image exists "$base"; then
    echo "test-container-image: making $base with debootstrap (once)" >&2
    debootstrap --variant=minbase bookworm "$work/base" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
        fail "debootstrap failed: $(tail -3 "$work/debootstrap.log")"
    tar -C "$work/base" -c . | "${podman[@]}" import - "$base" >/dev/null
    rm -rf "$work/base"
fi
"${podman[@]}" build --isolation=chroot --pull=never --network host -f Deploy/Containerfile -t "$image" . >"$work/build.log" 2>&1 ||
    fail "podman build failed: $(tail -5 "$work/build.log")"

mkdir -p "$work/shared"
chmod 0777 "$work/shared"
input=$(realpath Examples/WordCount/input)
run() {
    local name=$1
    shift
    containers+=("$name")
    "${podman[@]}" run -d --name "$name" "${limits[@]}" --network host -v "$work/shared:/shared" -v "$input:/input:ro" "$image" "$@" >/dev/null
}
exit_status() { "${podman[@]}" wait "$1"; }

# A worker stopped with `podman stop` sends SIGTERM to the image's program, which exits 2. This one has no
# coordinator to reach (port 9); it retries, logging at debug level once its signal handling is in place.
run stopped-$$ mr-worker --coordinator http://127.0.0.1:9 --shared-dir /shared --grace-period 600 --log-level debug
for _ in $(seq 1 300); do "${podman[@]}" logs stopped-$$ 2>&1 | grep -q "retrying" && break; sleep 0.1; done
"${podman[@]}" stop -t 10 stopped-$$ >/dev/null
status=$(exit_status stopped-$$)
[[ $status == 2 ]] || fail "the stopped worker container exited $status, not 2: $("${podman[@]}" logs stopped-$$ 2>&1 | tail -3)"

# --linger: a worker that starts after the (small) job is over is still told so, and exits 0.
run coordinator-$$ mr-coordinator --job word-count --reducers 2 --quiet --linger 10 --shared-dir /shared --output /shared/output \
    --address-file /shared/address /input
for _ in $(seq 1 300); do [[ -s $work/shared/address ]] && break; sleep 0.1; done
[[ -s $work/shared/address ]] || fail "the coordinator container did not start: $("${podman[@]}" logs coordinator-$$ 2>&1 | tail -3)"
url=$(head -n 1 "$work/shared/address")
for worker in 1 2; do run worker-$worker-$$ mr-worker --coordinator "$url" --shared-dir /shared; done
status=$(timeout 120 "${podman[@]}" wait coordinator-$$) || fail "the job did not end within 120 s"
[[ $status == 0 ]] || fail "the coordinator container exited $status: $("${podman[@]}" logs coordinator-$$ 2>&1 | tail -3)"
for worker in 1 2; do
    status=$(timeout 60 "${podman[@]}" wait worker-$worker-$$) || fail "worker $worker did not exit"
    [[ $status == 0 ]] || fail "worker container $worker exited $status"
done
[[ $(stat -c %u "$work/shared/output/_SUCCESS") == 65532 ]] || fail "the output was not written as the image's user 65532"
"$oracle" --job word-count --reducers 2 --quiet --output "$work/expected" "$input" 2>/dev/null
scripts/same-output.sh "$work/expected" "$work/shared/output" || fail "the output differs from mr-local's"
echo "test-container-image: Deploy/Containerfile built; a coordinator and two workers in containers wrote word count exactly, and a stopped worker exited 2"
