#!/usr/bin/env bash
# Runs the word-count example end to end over Examples/WordCount/input and prints the most frequent words.
# Installs libzstd-dev first if it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build --product word-count-example >&2
output=$(mktemp -d)/word-count
swift run --skip-build word-count-example Examples/WordCount/input "$output"
