#!/usr/bin/env bash
# Builds the MapReduce library's DocC catalog (Sources/MapReduce/MapReduce.docc) with swift-docc-plugin, treating
# every warning (a broken symbol or article link) as an error. Extra arguments go to generate-documentation, e.g.
#   scripts/docs.sh --output-path /tmp/docs --transform-for-static-hosting
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
mkdir -p .build/docs
swift package --allow-writing-to-directory .build/docs generate-documentation --target MapReduce --warnings-as-errors \
    --output-path .build/docs/MapReduce.doccarchive "$@"
