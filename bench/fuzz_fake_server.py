#!/usr/bin/env python3
"""A stand-in for `samenhier serve --demo --bind HOST:PORT` that fails on purpose, to check
that bench/fuzz.py notices server errors (it must exit 1 against it):

    bench/.venv-fuzz/bin/python bench/fuzz.py --bin bench/fuzz_fake_server.py --requests 100 \\
        --request-timeout 2            # expect: exit code 1, with the three FAIL lines below

  * `cityStatistics`          answers a GraphQL error with extensions.code INTERNAL (HTTP 200)
  * `checkInsDue`             answers HTTP 500
  * `matchesDueForCompletion` takes 5 s (a hang with --request-timeout 2)
  * `FAKE_CRASH=1`            makes `checkInsDue` print a panic line and exit instead
  * anything else             answers NOT_FOUND with HTTP 200, which is not a failure

Loopback only; it runs until fuzz.py stops it (fuzz.py also wraps it in `timeout`).
"""

import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

host, port = sys.argv[sys.argv.index("--bind") + 1].rsplit(":", 1)
if host not in ("127.0.0.1", "localhost", "::1"):
    raise SystemExit("loopback only")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("content-type", "application/json")
        self.send_header("x-request-id", "fake-request-1")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def do_POST(self):
        query = json.loads(self.rfile.read(int(self.headers["content-length"]))).get("query") or ""
        if query.strip() == "{ __typename }":
            return self.send(200, {"data": {"__typename": "Query"}})
        if "login(email: $e" in query:
            return self.send(200, {"data": {"login": {"token": "fake-token"}}})
        if "cityStatistics" in query:
            print('{"level":"ERROR","message":"fake failure","request_id":"fake-request-1"}', flush=True)
            return self.send(200, {"data": None, "errors": [
                {"message": "internal error", "extensions": {"code": "INTERNAL", "requestId": "fake-request-1"}}]})
        if "checkInsDue" in query:
            if os.environ.get("FAKE_CRASH"):
                print("thread 'actix-rt|system:0|arbiter:0' panicked at src/fake.rs:1:1", flush=True)
                os._exit(101)
            return self.send(500, {"errors": [{"message": "fake 500"}]})
        if "matchesDueForCompletion" in query:
            time.sleep(5)
        return self.send(200, {"data": None, "errors": [{"message": "not found", "extensions": {"code": "NOT_FOUND"}}]})


print("Demo users (fake):", flush=True)
print("  ADMIN        admin@demo.samenhier.nl                fake-password", flush=True)
ThreadingHTTPServer((host, int(port)), Handler).serve_forever()
