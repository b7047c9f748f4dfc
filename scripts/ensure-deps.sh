#!/usr/bin/env bash
# Installs the system packages the build and tests need (libzstd-dev, zlib1g-dev, pkg-config, curl, util-linux, chromium,
# prometheus, time, systemd, openssl; iproute2, slurm-wlm, munge, sshfs, openssh, podman, runc and debootstrap when
# root) when they are missing.
# Sourced or run by the other scripts; safe to run again.
set -euo pipefail

missing=()
pkg-config --exists libzstd 2>/dev/null || missing+=(libzstd-dev)
pkg-config --exists zlib 2>/dev/null || missing+=(zlib1g-dev)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
# The network-partition test puts a worker in its own network namespace (it is skipped where that is impossible).
[[ $(id -u) -ne 0 ]] || command -v ip >/dev/null 2>&1 || missing+=(iproute2)
# The fuzzing campaign registers with the coordinator through curl; a failure-model test gives a worker its own
# mount namespace with unshare(1) (skipped, saying so, where that is impossible).
command -v curl >/dev/null 2>&1 || missing+=(curl)
# The fuzzing campaign installs schemathesis from PyPI into a virtual environment.
command -v python3 >/dev/null 2>&1 || missing+=(python3 python3-venv)
command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
# The status page is checked in a headless Chromium, and /metrics with promtool (from Prometheus); each test is
# skipped, saying so, where its tool cannot run.
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
# The systemd units are checked with systemd-analyze, and run over TLS with a certificate made by openssl.
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# The sales-join memory test reads a run's peak resident memory from GNU time.
[[ -x /usr/bin/time ]] || missing+=(time)
# The Slurm recipe is tested on a one-host cluster (scripts/test-slurm.sh, as root).
# Workers in network namespaces mount the shared directory with sshfs from an sshd of the test's own (as root).
[[ $(id -u) -ne 0 ]] || command -v sshfs >/dev/null 2>&1 || missing+=(sshfs)
[[ $(id -u) -ne 0 ]] || [[ -x /usr/sbin/sshd ]] || missing+=(openssh-server)
[[ $(id -u) -ne 0 ]] || command -v ssh-keygen >/dev/null 2>&1 || missing+=(openssh-client)
[[ $(id -u) -ne 0 ]] || command -v slurmctld >/dev/null 2>&1 || missing+=(slurm-wlm munge)
# The container image is built and run with podman (runc), on a base made with debootstrap (as root).
[[ $(id -u) -ne 0 ]] || command -v podman >/dev/null 2>&1 || missing+=(podman)
[[ $(id -u) -ne 0 ]] || command -v runc >/dev/null 2>&1 || missing+=(runc)
[[ $(id -u) -ne 0 ]] || command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)

if ((${#missing[@]} > 0)); then
    echo "ensure-deps: installing ${missing[*]} (needed to build against libzstd and zlib, and for the network tests)" >&2
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -qq >&2
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
