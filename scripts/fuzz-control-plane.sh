#!/usr/bin/env bash
# Fuzzes a live coordinator's control API with schemathesis (from PyPI), driven by Docs/openapi.yaml, on a bounded
# budget (FUZZ_EXAMPLES per operation and phase, default 30; at most 10 minutes). Passes only if the server never
# answered 5xx or outside the document, every response matched its schema, invalid requests were refused, no
# refused request changed the job's state (scripts/fuzz_hooks.py compares /v1/status after each), the coordinator
# logged no failed request, and afterwards a real worker finishes the job with exactly the SequentialRunner's output.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
examples=${FUZZ_EXAMPLES:-30}

venv=.build/fuzz-venv
if [[ ! -x $venv/bin/schemathesis ]]; then
    if ! python3 -m venv "$venv" 2>/dev/null; then
        echo "fuzz: installing python3-venv (to install schemathesis)" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >&2
        python3 -m venv "$venv"
    fi
    "$venv/bin/pip" install -q "schemathesis==4.32.5" >&2
fi

swift build >&2
bin=$(swift build --show-bin-path)
work=$(mktemp -d)
source scripts/background-processes.sh
cleanup() { rm -rf "$work"; }

# A job that cannot finish while the fuzzer runs (no worker yet), with attempts the fuzzer might take never
# failing it.
"$bin/mr-coordinator" --job word-count --reducers 2 --max-attempts 100000 --shared-dir "$work/shared" --output "$work/output" \
    --address-file "$work/address" Examples/WordCount/input >"$work/coordinator.out" 2>"$work/coordinator.log" &
coordinator=$!
pids+=("$coordinator")
for _ in $(seq 1 300); do [[ -s $work/address ]] && break; sleep 0.1; done
url=$(head -n 1 "$work/address")
credential=$(curl -s -X POST -H 'Content-Type: application/json' -d '{"name":"fuzzer"}' "$url/v1/register" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["credential"])')

# Every operation but `attach`, whose answer streams until the job is over (its refusals are tested in
# CoordinatorRouterTests).
MR_FUZZ_URL="$url" PYTHONPATH=scripts SCHEMATHESIS_HOOKS=fuzz_hooks \
    timeout 600 "$venv/bin/schemathesis" run Docs/openapi.yaml --url "$url" -H "Authorization: Bearer $credential" --exclude-operation-id attach \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection,refused_requests_change_nothing \
    --phases examples,coverage,fuzzing --max-examples "$examples" --request-timeout 15 --seed 2026 --no-color

kill -0 "$coordinator" || { echo "fuzz: the coordinator died" >&2; exit 1; }
if grep -q "request failed" "$work/coordinator.log"; then
    echo "fuzz: the coordinator failed requests:" >&2
    grep "request failed" "$work/coordinator.log" >&2
    exit 1
fi

# The job still runs to exactly the oracle's output.
"$bin/mr-worker" --coordinator "$url" --shared-dir "$work/shared" --log-level warning &
pids+=($!)
status=0
wait "$coordinator" || status=$?
[[ $status -eq 0 ]] || { echo "fuzz: the job failed after fuzzing (exit $status)" >&2; tail -20 "$work/coordinator.log" >&2; exit 1; }
"$bin/mr-local" --job word-count --reducers 2 --output "$work/oracle" Examples/WordCount/input 2>/dev/null
scripts/same-output.sh "$work/oracle" "$work/output" || { echo "fuzz: the output differs from the oracle's" >&2; exit 1; }
echo "fuzz: the coordinator survived the campaign with no 5xx and the job's output equals the oracle's"
