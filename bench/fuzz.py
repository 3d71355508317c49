#!/usr/bin/env python3
"""Fuzz the GraphQL API with schemathesis and fail on any server error.

    python3 -m venv bench/.venv-fuzz
    bench/.venv-fuzz/bin/pip install -r bench/requirements-fuzz.txt
    bench/.venv-fuzz/bin/python bench/fuzz.py --requests 1000 [--bin target/release/samenhier]

What it does:
  1. starts BIN `serve --demo` on a fresh SQLite database in a temporary directory, on a free
     loopback port, with introspection on, bounded by `timeout`;
  2. reads the ADMIN demo password from the server's output and logs in (`login` mutation);
  3. runs `schemathesis run` in GraphQL mode against the committed schema.graphql (or the
     server's introspection with --schema introspection), every request with
     `Authorization: Bearer <ADMIN token>`, mutations included, with the check
     `samenhier_no_server_error` from bench/fuzz_hooks.py and the value dictionaries of
     bench/fuzz.toml;
  4. fails (exit code 1) on any server error:
       - an HTTP status of 500 or above,
       - a GraphQL error with extensions.code INTERNAL or INTERNAL_SERVER_ERROR,
       - a body that is not JSON,
       - a crash (the server process exits, or its log shows a panic),
       - a hang (a request takes longer than --request-timeout, the whole run longer than
         --timeout, or the server no longer answers /healthz and `{ __typename }` afterwards).
     GraphQL errors such as BAD_USER_INPUT, NOT_FOUND, FORBIDDEN, CONFLICT, SCRIPT_ERROR, and
     validation errors, answered with HTTP 200 as application/json, are the server doing its
     job and are not failures.

Arguments after `--` go to `schemathesis run` unchanged, e.g.
`-- --include-name Mutation.registerNewcomer` to fuzz one operation.

Exit codes: 0 no server error; 1 a server error, crash or hang; 2 the run could not be set up
(binary missing, server did not start, login failed, schemathesis failed to start).

`--requests N` sets schemathesis' --max-examples to ceil(N / operations) (Query and Mutation
fields: 44 in the schema on 2026-11-29); the fuzzing phase then generates about N requests and the stateful phase adds
some more. The number actually sent is counted and printed.
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SERVER_ERROR_CODES = {"INTERNAL", "INTERNAL_SERVER_ERROR"}


def log(msg: str) -> None:
    print(f"[fuzz] {msg}", flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_post_json(url: str, body: dict, token: str | None = None, timeout: float = 30.0):
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw or b"null")
        except ValueError:
            return e.code, raw.decode("utf-8", "replace")


def healthy(base: str, timeout: float = 10.0) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=timeout) as r:
            if r.status != 200:
                return False
        status, body = http_post_json(f"{base}/graphql", {"query": "{ __typename }"}, timeout=timeout)
        return status == 200 and isinstance(body, dict) and body.get("data", {}).get("__typename") == "Query"
    except (OSError, ValueError):
        return False


def count_operations(schema_path: Path) -> int:
    """Query + Mutation fields of the SDL (what schemathesis tests as operations)."""
    try:
        import graphql  # graphql-core, a dependency of schemathesis

        schema = graphql.build_schema(schema_path.read_text())
        return sum(len(t.fields) for t in (schema.query_type, schema.mutation_type) if t is not None)
    except Exception:  # noqa: BLE001 - an estimate only
        text = schema_path.read_text()
        n = 0
        for block in re.findall(r"^type (?:Query|Mutation) \{(.*?)^\}", text, re.S | re.M):
            n += len(re.findall(r"^\t[a-zA-Z_]\w*[(:]", block, re.M))
        return max(n, 1)


class Server:
    def __init__(self, binary: Path, workdir: Path, port: int, lifetime: int, extra_env: dict[str, str]):
        self.binary = binary
        self.workdir = workdir
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = workdir / "server.log"
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": f"sqlite://{workdir}/fuzz.db?mode=rwc",
                "SAMENHIER_INTROSPECTION": "true",
            }
        )
        env.update(extra_env)
        self._log = open(self.log_path, "wb")
        # `timeout` bounds the server even if this script is killed before its cleanup runs.
        argv = ["timeout", "--signal=TERM", "--kill-after=10", str(lifetime), str(binary), "serve", "--demo",
                "--bind", f"127.0.0.1:{port}"]
        self.proc = subprocess.Popen(argv, cwd=workdir, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def wait_ready(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as r:
                    if r.status == 200 and "ADMIN" in self.log_text():
                        return True
            except OSError:
                pass
            time.sleep(0.3)
        return False

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def admin_password(self) -> tuple[str, str] | None:
        m = re.search(r"^\s*ADMIN\s+(\S+@\S+)\s+(\S+)\s*$", self.log_text(), re.M)
        return (m.group(1), m.group(2)) if m else None

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> int | None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self._log.close()
        return self.proc.returncode


SEED_QUERIES = {
    "groups": "{ welcomeGroups(first: 100) { pageInfo { endCursor } edges { cursor node { id members { id } } } } }",
    "newcomers": "{ newcomers(first: 100) { pageInfo { endCursor } edges { cursor node { id } } } }",
    "matches": "{ matches(first: 100) { pageInfo { endCursor } edges { cursor node { id "
               "activities(first: 3) { edges { node { id } } } } } } }",
    "me": "{ me { id } }",
}


def collect_ids(base: str, token: str) -> dict[str, list[str]]:
    """Real ids and cursors of the demo data, for the fuzzer's dictionaries."""
    ids: dict[str, list[str]] = collections.defaultdict(list)
    for name, query in SEED_QUERIES.items():
        status, body = http_post_json(f"{base}/graphql", {"query": query}, token=token)
        data = body.get("data") if isinstance(body, dict) else None
        if status != 200 or not data or body.get("errors"):
            log(f"seed query {name} failed: HTTP {status} {str(body)[:300]}")
            continue
        if name == "me":
            ids["users"].append(data["me"]["id"])
            continue
        conn = next(iter(data.values()))
        if conn["pageInfo"]["endCursor"]:
            ids["cursors"].append(conn["pageInfo"]["endCursor"])
        for i, edge in enumerate(conn["edges"]):
            node = edge["node"]
            ids[name].append(node["id"])
            if i % 10 == 3:
                ids["cursors"].append(edge["cursor"])
            for m in node.get("members") or []:
                ids["members"].append(m["id"])
            for a in ((node.get("activities") or {}).get("edges") or []):
                ids["activities"].append(a["node"]["id"])
    return {k: v for k, v in ids.items() if v}


# Which arguments take which kind of id (`<Type>.<field>.<argument path>`, `*` = any).
ID_BINDINGS = {
    "*.*.groupId": "groups",
    "*.*.newcomerId": "newcomers",
    "*.*.matchId": "matches",
    "*.*.input.lockedPairs[*].newcomerId": "newcomers",
    "*.*.input.lockedPairs[*].groupId": "groups",
    "*.*.input.excludedPairs[*].newcomerId": "newcomers",
    "*.*.input.excludedPairs[*].groupId": "groups",
    "Query.welcomeGroup.id": "groups",
    "Mutation.updateWelcomeGroup.id": "groups",
    "Mutation.markGroupReady.id": "groups",
    "Mutation.withdrawWelcomeGroup.id": "groups",
    "Query.newcomer.id": "newcomers",
    "Mutation.updateNewcomer.id": "newcomers",
    "Mutation.withdrawNewcomer.id": "newcomers",
    "Mutation.eraseNewcomer.id": "newcomers",
    "Query.match.id": "matches",
    "Mutation.acceptMatch.id": "matches",
    "Mutation.rejectMatch.id": "matches",
    "Mutation.endMatch.id": "matches",
    "Mutation.completeMatch.id": "matches",
    "Mutation.removeGroupMember.id": "members",
    "Mutation.eraseGroupMember.id": "members",
    "Mutation.updateActivity.id": "activities",
    "*.*.after": "cursors",
    "*.*.filter.entityId": "groups",
    "*.*.filter.actorId": "users",
}


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)  # a JSON string is a TOML basic string
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(type(v))


def _toml_dump(cfg: dict) -> str:
    """TOML for a config whose top-level values are tables; deeper levels become inline tables."""
    out = [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in cfg.items() if not isinstance(v, dict)]
    for name, table in cfg.items():
        if isinstance(table, dict):
            out.append(f"\n[{json.dumps(name)}]")
            out += [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(out) + "\n"


def write_config(base_config: Path, ids: dict[str, list[str]], dest: Path, probability: float) -> None:
    """bench/fuzz.toml plus one dictionary per kind of id, bound to the arguments that take it."""
    import tomllib

    cfg = tomllib.loads(base_config.read_text())
    dicts = cfg.setdefault("dictionaries", {})
    params = cfg.setdefault("parameters", {})
    for kind, values in ids.items():
        dicts[f"ids_{kind}"] = {"values": values}
    for key, kind in ID_BINDINGS.items():
        if kind in ids:
            params[key] = {"dictionary": f"ids_{kind}", "probability": probability}
    # schemathesis keeps crash files for `schemathesis replay`; keep them with this run's
    # logs, never in the work tree.
    cfg["cache"] = {"directory": str(dest.parent / ".schemathesis")}
    text = _toml_dump(cfg)
    tomllib.loads(text)  # fail here, not inside schemathesis, if the dump is wrong
    dest.write_text(text)


def introspect_to_sdl(base: str, dest: Path) -> list[str]:
    """Writes the server's schema, read by introspection, as SDL to `dest`; returns notes.

    The standard introspection query of graphql-core 3.3 and graphql-js 16 (type depth 9) is
    refused by the server's depth limits, so this falls back to shallower ones (enough for
    every type of this schema) and says so.
    """
    import graphql

    notes = []
    for depth in (9, 8, 7, 6, 5, 4):
        status, body = http_post_json(f"{base}/graphql", {"query": graphql.get_introspection_query(type_depth=depth)})
        if status == 200 and isinstance(body, dict) and body.get("data") and not body.get("errors"):
            schema = graphql.build_client_schema(body["data"])
            dest.write_text(graphql.print_schema(schema) + "\n")
            return notes
        msg = body["errors"][0].get("message") if isinstance(body, dict) and body.get("errors") else str(body)[:200]
        notes.append(f"introspection with type depth {depth} refused: HTTP {status} {msg!r}")
    raise RuntimeError("introspection failed: " + "; ".join(notes))


def find_schemathesis(arg: str | None) -> str:
    if arg:
        return arg
    beside = Path(sys.executable).parent / "schemathesis"
    if beside.exists():
        return str(beside)
    found = shutil.which("schemathesis")
    if found:
        return found
    raise SystemExit("schemathesis not found: install bench/requirements-fuzz.txt into a venv and run "
                     "this script with that venv's python (see the docstring)")


def read_records(path: Path) -> list[dict]:
    out = []
    if not path.exists():
        return out
    for line in path.read_text(errors="replace").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def server_log_lines_for(log_text: str, request_id: str | None, limit: int = 20) -> list[str]:
    if not request_id:
        return []
    return [line for line in log_text.splitlines() if request_id in line][:limit]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(ROOT / "target/debug/samenhier"),
                    help="server binary (default: target/debug/samenhier)")
    ap.add_argument("--requests", type=int, default=1000,
                    help="about how many requests the fuzzing phase generates (default 1000)")
    ap.add_argument("--max-examples", type=int, default=None,
                    help="schemathesis --max-examples (per operation); overrides --requests")
    ap.add_argument("--schema", default="file", choices=["file", "introspection"],
                    help="fuzz against the committed schema.graphql (default) or the server's introspection")
    ap.add_argument("--schema-file", default=str(ROOT / "schema.graphql"))
    ap.add_argument("--workers", default="2", help="schemathesis --workers (default 2)")
    ap.add_argument("--mode", default="all", choices=["positive", "negative", "all"],
                    help="schemathesis --mode: valid queries, invalid ones, or both (default)")
    ap.add_argument("--phases", default="fuzzing,stateful", help="schemathesis --phases (default fuzzing,stateful)")
    ap.add_argument("--seed", type=int, default=None, help="schemathesis --seed, for a reproducible run")
    ap.add_argument("--request-timeout", type=float, default=60.0,
                    help="seconds one request may take before it counts as a hang (default 60; the server's own limit is 30)")
    ap.add_argument("--timeout", type=int, default=1800,
                    help="seconds the whole schemathesis run may take before it counts as a hang (default 1800)")
    ap.add_argument("--id-probability", type=float, default=0.7,
                    help="how often an id argument gets a real id of the demo data instead of a generated string (default 0.7)")
    ap.add_argument("--schemathesis", default=None, help="schemathesis executable (default: beside this python)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (database, logs)")
    ap.add_argument("--summary-json", default=None, help="also write the figures as JSON to this file")
    args, st_extra = ap.parse_known_args()
    if st_extra and st_extra[0] == "--":
        st_extra = st_extra[1:]

    binary = Path(args.bin).resolve()
    if not binary.exists():
        log(f"binary {binary} does not exist")
        return 2
    schema_file = Path(args.schema_file).resolve()
    st_exe = find_schemathesis(args.schemathesis)
    n_ops = count_operations(schema_file)
    max_examples = args.max_examples or max(1, math.ceil(args.requests / n_ops))

    work = Path(tempfile.mkdtemp(prefix="samenhier-fuzz-"))
    port = free_port()
    log(f"binary {binary}; work dir {work}; port {port}")
    server = Server(binary, work, port, lifetime=args.timeout + 300, extra_env={"RUST_LOG": os.environ.get("RUST_LOG", "info")})
    failures: list[str] = []
    figures: dict = {}
    try:
        if not server.wait_ready(120):
            log("server did not start; its output:")
            print(server.log_text()[-4000:])
            return 2
        creds = server.admin_password()
        if not creds:
            log("no ADMIN line in the server's output")
            print(server.log_text()[-4000:])
            return 2
        status, body = http_post_json(
            f"{server.base}/graphql",
            {"query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
             "variables": {"e": creds[0], "p": creds[1]}},
        )
        try:
            token = body["data"]["login"]["token"]
        except (TypeError, KeyError):
            log(f"login failed: HTTP {status} {body}")
            return 2
        log(f"logged in as {creds[0]} (ADMIN)")

        ids = collect_ids(server.base, token)
        log("ids from the demo data: " + ", ".join(f"{k} {len(v)}" for k, v in sorted(ids.items())))
        config_path = work / "schemathesis.toml"
        write_config(HERE / "fuzz.toml", ids, config_path, args.id_probability)

        fuzz_log = work / "responses.jsonl"
        if args.schema == "file":
            location = str(schema_file)
        else:
            # schemathesis' own loader sends graphql-core's standard introspection query, which
            # the server refuses (see introspect_to_sdl); fetch the schema here instead.
            location = str(work / "introspected.graphql")
            try:
                notes = introspect_to_sdl(server.base, Path(location))
            except RuntimeError as e:
                log(str(e))
                return 2
            for note in notes:
                log(f"note: {note}")
            n_ops = count_operations(Path(location))
            max_examples = args.max_examples or max(1, math.ceil(args.requests / n_ops))
        cmd = [
            st_exe, "--no-color", "--config-file", str(config_path),
            "run", location,
            "--url", f"{server.base}/graphql",
            "--header", f"Authorization: Bearer {token}",
            "--checks", "samenhier_no_server_error",
            "--max-examples", str(max_examples),
            "--mode", args.mode,
            "--phases", args.phases,
            "--workers", str(args.workers),
            "--request-timeout", str(args.request_timeout),
            "--suppress-health-check", "all",
            "--generation-database", "none",
            "--continue-on-failure",
            "--report", "junit",
            "--report-junit-path", str(work / "junit.xml"),
        ]
        if args.seed is not None:
            cmd += ["--seed", str(args.seed)]
        cmd += st_extra  # anything after `--` goes to `schemathesis run` as it is
        env = dict(os.environ)
        env["SCHEMATHESIS_HOOKS"] = str(HERE / "fuzz_hooks.py")
        env["SAMENHIER_FUZZ_LOG"] = str(fuzz_log)
        shown = [c if not c.startswith("Authorization") else "Authorization: Bearer <ADMIN token>" for c in cmd]
        log(f"{n_ops} operations, --max-examples {max_examples}")
        log("running: " + " ".join(shown))
        t0 = time.monotonic()
        st_out_path = work / "schemathesis.out"
        with open(st_out_path, "wb") as st_out:
            st = subprocess.Popen(cmd, env=env, stdout=st_out, stderr=subprocess.STDOUT, cwd=work,
                                  start_new_session=True)
            hung = False
            crashed_at = None
            while True:
                try:
                    st.wait(timeout=1.0)
                    break
                except subprocess.TimeoutExpired:
                    pass
                if crashed_at is None and not server.alive():
                    crashed_at = time.monotonic() - t0
                if time.monotonic() - t0 > args.timeout:
                    hung = True
                    os.killpg(st.pid, signal.SIGTERM)
                    try:
                        st.wait(timeout=15)
                    except subprocess.TimeoutExpired:
                        os.killpg(st.pid, signal.SIGKILL)
                        st.wait()
                    break
        duration = time.monotonic() - t0
        st_text = st_out_path.read_text(errors="replace")
        tail = "\n".join(st_text.splitlines()[-40:])
        print(tail)

        records = read_records(fuzz_log)
        by_status = collections.Counter(r.get("status") for r in records)
        by_code = collections.Counter(c if c is not None else "(no code: parse/validation)"
                                      for r in records for c in (r.get("codes") or []))
        by_phase = collections.Counter(r.get("phase") for r in records)
        problems = [r for r in records if r.get("problem")]
        m = re.search(r"(\d+) generated", st_text)
        figures = {
            "binary": str(binary),
            "operations": n_ops,
            "max_examples": max_examples,
            "requests": len(records),
            "schemathesis_generated": int(m.group(1)) if m else None,
            "duration_s": round(duration, 1),
            "requests_per_s": round(len(records) / duration, 1) if duration > 0 else None,
            "server_errors": len(problems),
            "http_status": dict(sorted((str(k), v) for k, v in by_status.items())),
            "graphql_error_codes": dict(by_code.most_common()),
            "phases": {str(k): v for k, v in by_phase.items()},
            "schemathesis_exit_code": st.returncode,
        }

        if problems:
            log_text = server.log_text()
            seen = set()
            for r in problems:
                key = (r.get("operation"), r.get("problem"))
                failures.append(f"{r.get('problem')} in {r.get('operation')}")
                if key in seen:
                    continue
                seen.add(key)
                print("=" * 78)
                print(f"SERVER ERROR: {r.get('problem')} in {r.get('operation')} (x-request-id {r.get('request_id')})")
                print("request body:")
                print(json.dumps(r.get("request"), ensure_ascii=False))
                print("response:")
                print(json.dumps(r.get("response"), ensure_ascii=False)[:3000])
                lines = server_log_lines_for(log_text, r.get("request_id"))
                if lines:
                    print("server log:")
                    print("\n".join(lines))
        if hung:
            failures.append(f"hang: schemathesis still running after {args.timeout} s")
        if crashed_at is not None or not server.alive():
            failures.append(f"crash: the server exited (code {server.proc.returncode}) "
                            f"{'after %.0f s' % crashed_at if crashed_at is not None else 'during the run'}")
        elif not healthy(server.base):
            failures.append("hang: the server no longer answers /healthz and { __typename } within 10 s")
        panics = [line for line in server.log_text().splitlines() if "panicked" in line]
        if panics:
            failures.append(f"crash: {len(panics)} panic line(s) in the server log")
            print("server log, panic lines:")
            print("\n".join(panics[:20]))
        # Requests that got no response at all (timeouts, resets) are schemathesis "errors".
        m_err = re.search(r"^=+ ERRORS =+$(.*?)^=+ [A-Z ]+ =+$", st_text, re.S | re.M)
        if m_err:
            section = m_err.group(1)
            print("=" * 78)
            print("schemathesis ERRORS section:")
            print(section.strip()[:6000])
            n_timeouts = len(re.findall(r"(?i)timed out", section))
            if n_timeouts:
                failures.append(f"hang: {n_timeouts} request(s) got no answer within {args.request_timeout} s")
            else:
                failures.append("schemathesis reports errors (requests without a usable response), see above")
        if st.returncode not in (0, None) and not failures and not hung:
            # Something else schemathesis counts as an error (e.g. a connection reset).
            failures.append(f"schemathesis exited {st.returncode}: see {st_out_path}")
        figures["failures"] = failures
        if not records and st.returncode == 2 and server.alive() and not hung:
            log(f"schemathesis did not start (exit code 2): see {st_out_path}")
            print(st_text[-3000:])
            args.keep = True
            return 2

        print("=" * 78)
        log(f"requests sent: {figures['requests']} (schemathesis: {figures['schemathesis_generated']} test cases) "
            f"in {figures['duration_s']} s, {figures['requests_per_s']} req/s")
        log(f"HTTP status: {figures['http_status']}")
        log(f"GraphQL error codes: {figures['graphql_error_codes']}")
        log(f"server errors (5xx / INTERNAL / not JSON): {figures['server_errors']}")
        if args.summary_json:
            Path(args.summary_json).write_text(json.dumps(figures, indent=2) + "\n")
        if failures:
            for f in sorted(set(failures)):
                log(f"FAIL: {f}")
            log(f"logs kept in {work}")
            args.keep = True
            return 1
        log(f"PASS: {figures['requests']} requests, no server error, no crash, no hang")
        return 0
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
