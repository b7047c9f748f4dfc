#!/usr/bin/env bash
# Tests the systemd units in Deploy/systemd without a running systemd:
# 1. `systemd-analyze verify` in a scratch root (the host's own units, ours, stub programs): an unknown directive, a
#    value systemd cannot parse or a missing program is an error.
# 2. Their command lines, expanded as systemd would (`%i`, `%d` the credentials directory, `${VAR}` one word,
#    `$VAR` split on spaces, from example environment files), run the built mr-coordinator and mr-worker over TLS
#    with the shared secret and certificates as credentials: the job's output must equal mr-local's.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build >&2
bin=$(swift build --show-bin-path)
work=$(mktemp -d)
source scripts/background-processes.sh
cleanup() { rm -rf "$work"; }
fail() {
    echo "test-systemd-units: $*" >&2
    exit 1
}

# 1. Static verification.
root=$work/root
mkdir -p "$root/usr/lib/systemd" "$root/etc/systemd/system" "$root/usr/local/bin"
cp -r /usr/lib/systemd/system "$root/usr/lib/systemd/"
cp Deploy/systemd/*.service "$root/etc/systemd/system/"
for program in mr-coordinator mr-worker; do printf '#!/bin/sh\n' >"$root/usr/local/bin/$program" && chmod 0755 "$root/usr/local/bin/$program"; done
findings=$(systemd-analyze verify --root="$root" /etc/systemd/system/mapreduce-coordinator@word-count.service \
    /etc/systemd/system/mapreduce-worker@1.service 2>&1) || fail "systemd-analyze verify failed: $findings"
[[ -z $findings ]] || fail "systemd-analyze verify: $findings"

# 2. The command lines, run. expand UNIT INSTANCE CREDENTIALS ENVIRONMENT-FILE prints ExecStart's words, NUL-separated.
expand() {
    python3 - "$@" <<'EOF'
import re, sys
unit, instance, credentials, environment_file = sys.argv[1:]
environment = dict(line.rstrip("\n").split("=", 1) for line in open(environment_file) if "=" in line and not line.startswith("#"))
command = next(line.split("=", 1)[1].strip() for line in open(unit) if line.startswith("ExecStart="))
words = []
for word in command.split():
    word = word.replace("%d", credentials).replace("%i", instance)
    split = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", word)
    if split:
        words += environment.get(split.group(1), "").split()
    else:
        words.append(re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda match: environment[match.group(1)], word))
sys.stdout.write("\0".join(words))
EOF
}

credentials=$work/credentials
mkdir -p "$credentials" "$work/shared"
head -c 32 /dev/urandom | base64 >"$credentials/secret"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=mr-coordinator \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$credentials/coordinator-key.pem" -out "$credentials/coordinator.pem" 2>/dev/null
cp "$credentials/coordinator.pem" "$credentials/ca.pem"
input=$(realpath Examples/WordCount/input)

cat >"$work/word-count.env" <<EOF
# As /etc/mapreduce/word-count.env would be, on loopback.
MR_HOST=127.0.0.1
MR_PORT=0
MR_JOB_ARGUMENTS=--job word-count --reducers 2 --shared-dir $work/shared --output $work/output $input
EOF
mapfile -d '' coordinator < <(expand Deploy/systemd/mapreduce-coordinator@.service word-count "$credentials" "$work/word-count.env")
[[ ${coordinator[0]} == /usr/local/bin/mr-coordinator ]] || fail "the coordinator unit runs ${coordinator[0]}"
"$bin/mr-coordinator" "${coordinator[@]:1}" >"$work/coordinator.out" 2>"$work/coordinator.log" &
pids+=($!)
coordinator_pid=$!
url=""
for _ in $(seq 1 300); do
    url=$(grep -o 'https://127.0.0.1:[0-9]*' "$work/coordinator.out" || true)
    [[ -n $url ]] && break
    kill -0 "$coordinator_pid" 2>/dev/null || break
    sleep 0.1
done
[[ -n $url ]] || fail "the coordinator unit's command did not start: $(cat "$work/coordinator.log")"

cat >"$work/worker.env" <<EOF
MR_COORDINATOR_URL=$url
MR_SHARED_DIR=$work/shared
MR_WORKER_OPTIONS=--grace-period 10 --log-level warning
EOF
mapfile -d '' worker < <(expand Deploy/systemd/mapreduce-worker@.service 1 "$credentials" "$work/worker.env")
[[ ${worker[0]} == /usr/local/bin/mr-worker ]] || fail "the worker unit runs ${worker[0]}"
"$bin/mr-worker" "${worker[@]:1}" 2>"$work/worker.log" &
pids+=($!)
worker_pid=$!

# The job ends with both exiting 0; a worker that exits first (refused, bad arguments) fails the test at once.
for _ in $(seq 1 1200); do
    kill -0 "$coordinator_pid" 2>/dev/null && kill -0 "$worker_pid" 2>/dev/null || break
    sleep 0.1
done
kill -0 "$coordinator_pid" 2>/dev/null && kill -0 "$worker_pid" 2>/dev/null && fail "the job did not end within 120 s"
status=0
timeout 30 tail --pid="$worker_pid" -f /dev/null || fail "the worker did not exit within 30 s of the coordinator"
wait "$worker_pid" || status=$?
((status == 0)) || fail "the worker unit's command exited $status: $(tail -5 "$work/worker.log")"
timeout 30 tail --pid="$coordinator_pid" -f /dev/null || fail "the coordinator did not exit within 30 s of the worker"
wait "$coordinator_pid" || status=$?
((status == 0)) || fail "the coordinator unit's command exited $status: $(tail -5 "$work/coordinator.log")"
"$bin/mr-local" --job word-count --reducers 2 --quiet --output "$work/expected" "$input" 2>/dev/null
scripts/same-output.sh "$work/expected" "$work/output" || fail "the output differs from mr-local's"
echo "test-systemd-units: Deploy/systemd verified; their command lines ran word count over TLS with exactly mr-local's output"
