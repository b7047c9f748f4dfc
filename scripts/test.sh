#!/usr/bin/env bash
# Runs the whole test suite: every Swift test; then (when run without arguments) the bounded fuzzing campaign that
# checks a live coordinator's answers against Docs/openapi.yaml (scripts/fuzz-control-plane.sh), the example
# package Examples/LogDigest (its own Package.swift, depending on this checkout by path: built and tested as a
# user's package would be), the DocC catalog (scripts/docs.sh, warnings are errors), the Kubernetes manifests
# against the API schemas (scripts/validate-deploy.sh), the systemd units (scripts/test-systemd-units.sh), and, as
# root, the release binaries in a chroot without the Swift toolchain (scripts/test-release-binaries.sh), the
# container image (scripts/test-container-image.sh) and the Slurm recipe on a one-host cluster
# (scripts/test-slurm.sh). Arguments go to `swift test` (for example `--filter FailureModelTests`) and skip the
# rest. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
if (($# > 0)); then
    swift test "$@"
    exit
fi
# Three runs of the one test binary. Swift Testing runs tests on the cooperative thread pool, one thread per core
# (two here). The tests that serve HTTP in this process against a deadline (the routes, the fake coordinators) need
# a thread of it for their handlers; beside them, the integration tests block theirs while real processes work,
# and the other tests hold theirs computing, for tens of seconds on a loaded machine. So: the core and runtime
# tests, then the in-process servers alone, then the integration tests.
in_process_servers='CoordinatorRouterTests|FakeCoordinatorTests'
swift test --skip IntegrationTests --skip "$in_process_servers"
swift test --skip-build --filter "$in_process_servers"
swift test --skip-build --filter IntegrationTests
scripts/fuzz-control-plane.sh
swift test --package-path Examples/LogDigest
scripts/docs.sh
scripts/validate-deploy.sh
scripts/test-systemd-units.sh
if [[ $(id -u) -eq 0 ]]; then
    scripts/test-release-binaries.sh
    scripts/test-container-image.sh
    scripts/test-slurm.sh
else
    echo "test: skipping scripts/test-release-binaries.sh, scripts/test-container-image.sh and scripts/test-slurm.sh (they need root)" >&2
fi
