#!/usr/bin/env bash
# Validates the Kubernetes manifests in Deploy/kubernetes against the Kubernetes API schemas with kubernetes-validate
# (from PyPI), strictly (an unknown or misspelt field is an error), for the oldest Kubernetes these manifests support
# (1.30: podFailurePolicy and backoffLimitPerIndex) and the newest the validator knows. No cluster is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh

venv=.build/deploy-venv
if [[ ! -x $venv/bin/kubernetes-validate ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "kubernetes-validate==1.37.0" >&2
fi
for version in 1.30.0 1.37.0; do
    "$venv/bin/kubernetes-validate" --strict --quiet --kubernetes-version "$version" Deploy/kubernetes/*.yaml
done
echo "validate-deploy: Deploy/kubernetes/*.yaml valid for Kubernetes 1.30 and 1.37"
