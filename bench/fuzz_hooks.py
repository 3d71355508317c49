"""Schemathesis hooks for bench/fuzz.py (loaded through SCHEMATHESIS_HOOKS).

Registers the check `samenhier_no_server_error`. Schemathesis' own `not_a_server_error`
treats every GraphQL error that carries a `path` and no code it knows (NOT_FOUND, FORBIDDEN,
CONFLICT, SCRIPT_ERROR, UNAUTHENTICATED) as a server error; for this server those are ordinary
answers to nonsense input. A server error here is only:

  * an HTTP status of 500 or above, or
  * a GraphQL error whose extensions.code is INTERNAL or INTERNAL_SERVER_ERROR, or
  * a body that is not JSON (the server always answers JSON on /graphql).

Every response the check sees is appended as one JSON line to $SAMENHIER_FUZZ_LOG (operation,
status, error codes, the request body, and for failures the response), so that fuzz.py can
count requests and print exact reproductions.
"""

from __future__ import annotations

import json
import os
import threading

import schemathesis

SERVER_ERROR_CODES = {"INTERNAL", "INTERNAL_SERVER_ERROR"}

_LOG_PATH = os.environ.get("SAMENHIER_FUZZ_LOG")
_lock = threading.Lock()


def _request_body(response, case):
    """The exact body that went over the wire, else the case's body."""
    req = getattr(response, "request", None)
    body = getattr(req, "body", None)
    if isinstance(body, bytes):
        try:
            return json.loads(body)
        except ValueError:
            return body.decode("utf-8", "replace")
    if isinstance(body, str):
        try:
            return json.loads(body)
        except ValueError:
            return body
    return case.body


def _log(record):
    if not _LOG_PATH:
        return
    line = json.dumps(record, ensure_ascii=False, default=str)
    with _lock:
        with open(_LOG_PATH, "a", encoding="utf-8") as f:
            f.write(line + "\n")


@schemathesis.check
def samenhier_no_server_error(ctx, response, case):
    status = response.status_code
    problem = None
    codes = []
    fields = []
    payload = None
    try:
        payload = json.loads(response.content or b"null")
    except ValueError:
        payload = None
        if status < 500:
            problem = f"body is not JSON (HTTP {status})"
    if isinstance(payload, dict):
        for err in payload.get("errors") or []:
            ext = err.get("extensions") if isinstance(err, dict) else None
            code = ext.get("code") if isinstance(ext, dict) else None
            codes.append(code)
            if isinstance(ext, dict) and ext.get("field") is not None:
                fields.append(ext.get("field"))
    if status >= 500:
        problem = f"HTTP {status}"
    elif any(c in SERVER_ERROR_CODES for c in codes):
        problem = "GraphQL error with extensions.code INTERNAL"

    record = {
        "operation": case.operation.label,
        "status": status,
        "codes": codes,
        "fields": fields,
        "elapsed": round(float(getattr(response, "elapsed", 0.0) or 0.0), 4),
        "phase": getattr(ctx, "phase", None),
        "request": _request_body(response, case),
    }
    if problem:
        record["problem"] = problem
        rid = (response.headers or {}).get("x-request-id")
        record["request_id"] = rid[0] if isinstance(rid, list) and rid else rid
        record["response"] = payload if payload is not None else (response.content or b"")[:4000].decode("utf-8", "replace")
    _log(record)
    if problem:
        raise AssertionError(
            f"{problem}: {json.dumps(record.get('response'), ensure_ascii=False, default=str)[:2000]}"
        )
    return None
