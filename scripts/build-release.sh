#!/usr/bin/env bash
# Builds release binaries that run on a machine without a Swift toolchain, into dist/ (or $DIST_DIR).
#
#   scripts/build-release.sh                                   # mr-coordinator, mr-worker and mr-local
#   scripts/build-release.sh --package-path Examples/LogDigest log-digest     # your own program, from its package
#
# The Swift standard library, Foundation and every Swift package are linked statically (--static-swift-stdlib).
# What stays dynamic is the C runtime, libzstd and zlib; the script writes the list to dist/DEPENDENCIES (from ldd) and
# fails if any library of the toolchain is still needed. On the target machine: glibc (the build machine's version
# or newer), libstdc++, libzstd and zlib (Debian: libzstd1, zlib1g), nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh

package=.
if [[ ${1:-} == --package-path ]]; then
    package=$2
    shift 2
fi
products=("$@")
((${#products[@]} > 0)) || products=(mr-coordinator mr-worker mr-local)
dist=$(realpath -m "${DIST_DIR:-dist}")
mkdir -p "$dist/debug"

for product in "${products[@]}"; do
    swift build --package-path "$package" -c release --static-swift-stdlib --product "$product" >&2
done
bin=$(swift build --package-path "$package" -c release --static-swift-stdlib --show-bin-path)

toolchain=$(dirname "$(dirname "$(realpath "$(command -v swift)")")")
: >"$dist/DEPENDENCIES"
for product in "${products[@]}"; do
    install -m 0755 "$bin/$product" "$dist/$product"
    # The debug information (about 50 MB of each) goes to debug/PRODUCT.debug: put it beside the binary (or in
    # /usr/lib/debug) and gdb and lldb find it through the binary's debug link to show a crash's file and line. The
    # binary keeps its symbols, so a backtrace still names every function.
    objcopy --only-keep-debug "$dist/$product" "$dist/debug/$product.debug"
    strip --strip-debug "$dist/$product"
    (cd "$dist/debug" && objcopy --add-gnu-debuglink="$product.debug" "$dist/$product")
    libraries=$(ldd "$dist/$product" | awk '/=>/ { print $3 } !/=>/ && /^[[:space:]]*\// { print $1 }' | sort)
    if grep -q "^$toolchain/" <<<"$libraries"; then
        echo "build-release: $product still needs the toolchain's libraries:" >&2
        grep "^$toolchain/" <<<"$libraries" >&2
        exit 1
    fi
    { echo "$product:"; sed 's/^/  /' <<<"$libraries"; } >>"$dist/DEPENDENCIES"
done
echo "build-release: ${products[*]} in $dist (their debug information in $dist/debug); dynamic libraries listed in $dist/DEPENDENCIES" >&2
