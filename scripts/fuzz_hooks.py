"""Schemathesis hooks for scripts/fuzz-control-plane.sh: a check that a refused request changes nothing."""
import json
import os
import urllib.request

import schemathesis

URL = os.environ["MR_FUZZ_URL"]
_last = {}


def _status():
    with urllib.request.urlopen(URL + "/v1/status", timeout=10) as answer:
        return json.load(answer)


@schemathesis.check
def refused_requests_change_nothing(ctx, response, case):
    """After a 4xx, the job's status is what it was after the last accepted request."""
    before = _last.get("status")
    now = _status()
    if before is not None and response.status_code >= 400 and now != before:
        raise AssertionError(f"a refused request ({response.status_code}) changed the job's state: {before} -> {now}")
    _last["status"] = now
