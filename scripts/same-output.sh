#!/usr/bin/env bash
# same-output.sh EXPECTED ACTUAL: succeeds when every part-* file of the output directory EXPECTED is in ACTUAL
# with the same bytes; otherwise names the first part that differs (or is missing) on stderr and exits 1.
set -euo pipefail
for part in "$1"/part-*; do
    cmp -s "$part" "$2/$(basename "$part")" || { echo "$(basename "$part") differs" >&2; exit 1; }
done
