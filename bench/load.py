#!/usr/bin/env python3
"""Load test of POST /graphql with wrk: requests per second, p50/p99 latency, errors.

    python3 bench/load.py                    # 60 s per scenario, release binary if built
    python3 bench/load.py --duration 10      # shorter
    python3 bench/load.py --bin target/debug/samenhier --out bench/last_load.md

Needs only the Python standard library and wrk (Debian: `apt-get install -y wrk`; the script
installs it with apt-get when it is missing and it runs as root, unless --no-install).

It starts BIN `serve --demo` on a fresh SQLite database in a temporary directory on a free
loopback port (bounded by `timeout`), logs in as the demo ADMIN, and runs, one after the other
with the same server, connections and duration:

  trivial  `{ __typename }`
  read     welcomeGroups(first: 20) with each group's city, coordinator and members, the
           members' contact details (email, phone) included
  read_nocontact  the same without email and phone: every contact-detail read writes an
           audit entry (`contact.read`), so this shows what that costs; answered from the
           response cache after the first request (nothing is written in between)
  read_uncached  read_nocontact with a counter in a comment at the end of the query text, so
           every request is a different query and none is answered from the response cache
  mixed    the read, plus --write-percent % writes (default 10): registerNewcomer with valid
           data and logActivity (today, on one of the demo's ACTIVE matches), half each

Each scenario gets a short warm-up (not counted) and then --duration seconds. For every
response bench/load.lua checks the HTTP status and whether the body carries GraphQL "errors";
wrk counts socket errors and timeouts. The binary is the release one when
target/release/samenhier exists, else the debug one (say which when you quote figures).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
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
LUA = HERE / "load.lua"
SCENARIOS = ("trivial", "read", "read_nocontact", "read_uncached", "mixed")
READ_CHECK = (
    "{ welcomeGroups(first: 20) { totalCount edges { node { id name members { id name isCoordinator } } } } }"
)


def log(msg: str) -> None:
    print(f"[load] {msg}", flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gql(base: str, query: str, variables: dict | None = None, token: str | None = None):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(f"{base}/graphql", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def ensure_wrk(install: bool) -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if install and os.geteuid() == 0 and shutil.which("apt-get"):
        log("wrk is missing: apt-get install -y wrk")
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit("wrk not found: install it (Debian: apt-get install -y wrk) and run again")


def default_binary() -> Path:
    rel = ROOT / "target/release/samenhier"
    return rel if rel.exists() else ROOT / "target/debug/samenhier"


def run_wrk(wrk: str, url: str, scenario: str, seconds: float, args, env_extra: dict) -> dict | None:
    env = dict(os.environ)
    env.update(env_extra)
    env["LOAD_SCENARIO"] = scenario
    cmd = [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{max(1, int(round(seconds)))}s",
           f"--timeout", f"{args.request_timeout}s", "-s", str(LUA), url]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=seconds + 60)
    m = re.search(r"^LOADJSON (\{.*\})$", p.stdout, re.M)
    if p.returncode != 0 or not m:
        log(f"wrk failed ({p.returncode}): {p.stdout[-2000:]} {p.stderr[-2000:]}")
        return None
    return json.loads(m.group(1))


CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def machine_busy_s() -> float | None:
    """CPU seconds all cores spent busy since boot (/proc/stat), or None off Linux."""
    try:
        f = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    v = [int(x) for x in f]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return (sum(v[:8]) - idle) / CLK_TCK


def proc_cpu_s(pid: int | None) -> float:
    """utime + stime of one process, in seconds (0 when it is gone)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return 0.0


def server_pid(timeout_pid: int) -> int | None:
    """The samenhier process under `timeout`."""
    try:
        kids = Path(f"/proc/{timeout_pid}/task/{timeout_pid}/children").read_text().split()
        return int(kids[0]) if kids else None
    except (OSError, ValueError):
        return None


def fmt_ms(us: float) -> str:
    return f"{us / 1000:.1f}" if us >= 1000 else f"{us / 1000:.2f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=None, help="server binary (default: target/release/samenhier if built, "
                                                "else target/debug/samenhier)")
    ap.add_argument("--duration", type=float, default=60, help="measured seconds per scenario (default 60)")
    ap.add_argument("--warmup", type=float, default=5, help="warm-up seconds per scenario, not counted (default 5)")
    ap.add_argument("--connections", type=int, default=16, help="wrk -c (default 16)")
    ap.add_argument("--threads", type=int, default=1, help="wrk -t (default 1: the machine has 2 cores and "
                                                           "the server needs them)")
    ap.add_argument("--write-percent", type=int, default=10, help="writes in the mixed scenario (default 10)")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS))
    ap.add_argument("--request-timeout", type=int, default=35, help="wrk --timeout in seconds (default 35)")
    ap.add_argument("--rust-log", default="warn", help="RUST_LOG for the server (default warn: no log "
                                                       "line per request)")
    ap.add_argument("--out", default=None, help="also write the results as Markdown to this file")
    ap.add_argument("--no-install", action="store_true", help="do not apt-get install wrk when missing")
    args = ap.parse_args()

    scenarios = [s for s in args.scenarios.split(",") if s]
    for s in scenarios:
        if s not in SCENARIOS:
            raise SystemExit(f"unknown scenario {s!r}; known: {', '.join(SCENARIOS)}")
    wrk = ensure_wrk(not args.no_install)
    wrk_version = subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout.splitlines()[0:1]
    binary = Path(args.bin).resolve() if args.bin else default_binary()
    if not binary.exists():
        raise SystemExit(f"binary {binary} does not exist (cargo build --release)")
    profile = "release" if "/release/" in str(binary) else ("debug" if "/debug/" in str(binary) else "?")

    work = Path(tempfile.mkdtemp(prefix="samenhier-load-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    lifetime = int((args.duration + args.warmup + 70) * len(scenarios) + 180)
    env = dict(os.environ)
    env.update({"DATABASE_URL": f"sqlite://{work}/load.db?mode=rwc", "RUST_LOG": args.rust_log})
    log(f"binary {binary} ({profile}); port {port}; work dir {work}")
    server_log = open(work / "server.log", "wb")
    server = subprocess.Popen(
        ["timeout", "--signal=TERM", "--kill-after=10", str(lifetime), str(binary), "serve", "--demo",
         "--bind", f"127.0.0.1:{port}"],
        cwd=work, env=env, stdout=server_log, stderr=subprocess.STDOUT, start_new_session=True)
    results = []
    problems = []
    audit_rows = None
    try:
        creds = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and server.poll() is None:
            text = (work / "server.log").read_text(errors="replace")
            m = re.search(r"^\s*ADMIN\s+(\S+@\S+)\s+(\S+)\s*$", text, re.M)
            if m:
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=2) as r:
                        if r.status == 200:
                            creds = (m.group(1), m.group(2))
                            break
                except OSError:
                    pass
            time.sleep(0.3)
        if not creds:
            print((work / "server.log").read_text(errors="replace")[-3000:])
            raise SystemExit("server did not start")
        status, body = gql(base, "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
                           {"e": creds[0], "p": creds[1]})
        token = body["data"]["login"]["token"]
        status, body = gql(base, "{ matches(status: ACTIVE, first: 100) { edges { node { id } } } }", token=token)
        match_ids = [e["node"]["id"] for e in body["data"]["matches"]["edges"]]
        status, body = gql(base, READ_CHECK, token=token)
        groups = body["data"]["welcomeGroups"]["edges"]
        members = sum(len(g["node"]["members"]) for g in groups)
        log(f"logged in as ADMIN; {len(match_ids)} ACTIVE matches for logActivity; the read returns "
            f"{len(groups)} of {body['data']['welcomeGroups']['totalCount']} groups with {members} members")
        today = dt.datetime.now(dt.timezone.utc)
        try:
            from zoneinfo import ZoneInfo

            today = dt.datetime.now(ZoneInfo(os.environ.get("SAMENHIER_TIME_ZONE", "Europe/Amsterdam")))
        except Exception:  # noqa: BLE001 - no tz database: UTC is right most of the day
            pass
        env_extra = {
            "LOAD_TOKEN": token,
            "LOAD_MATCH_IDS": ",".join(match_ids),
            "LOAD_TODAY": today.date().isoformat(),
            "LOAD_WRITE_PERCENT": str(args.write_percent),
        }
        url = f"{base}/graphql"
        for sc in scenarios:
            if args.warmup > 0:
                run_wrk(wrk, url, sc, args.warmup, args, env_extra)
            log(f"{sc}: {args.duration:g} s, {args.connections} connections, {args.threads} wrk thread(s)")
            spid = server_pid(server.pid)
            busy0, srv0, kids0, t0 = machine_busy_s(), proc_cpu_s(spid), os.times(), time.monotonic()
            r = run_wrk(wrk, url, sc, args.duration, args, env_extra)
            busy1, srv1, kids1, wall = machine_busy_s(), proc_cpu_s(spid), os.times(), time.monotonic() - t0
            if r is not None:
                wrk_cpu = (kids1.children_user - kids0.children_user) + (kids1.children_system - kids0.children_system)
                r["server_cores"] = (srv1 - srv0) / wall
                r["wrk_cores"] = wrk_cpu / wall
                if busy0 is not None and busy1 is not None:
                    # what the rest of the machine (other builds, tests) took meanwhile
                    r["other_cores"] = max(0.0, (busy1 - busy0 - (srv1 - srv0) - wrk_cpu) / wall)
            if r is None:
                problems.append(f"{sc}: wrk failed")
                continue
            r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
            results.append(r)
            sock = sum(r["socket_errors"].values())
            log(f"{sc}: {r['rps']:.1f} req/s, p50 {fmt_ms(r['p50_us'])} ms, p99 {fmt_ms(r['p99_us'])} ms, "
                f"{r['requests']} requests, non-2xx {r['non2xx']}, socket errors {sock}, "
                f"GraphQL errors {r['gql_errors']}" + (f" (writes {r['writes']}, write errors {r['write_errors']})"
                                                       if sc == "mixed" else "")
                + f"; CPU cores busy: server {r['server_cores']:.2f}, wrk {r['wrk_cores']:.2f}, "
                  f"other processes {r.get('other_cores', float('nan')):.2f}")
            if server.poll() is not None:
                problems.append(f"the server exited during {sc}")
                break
        status, body = gql(base, '{ auditLog(filter: { action: "contact.read" }, first: 1) { totalCount } }',
                           token=token)
        try:
            audit_rows = body["data"]["auditLog"]["totalCount"]
            log(f"audit entries `contact.read` written during the run: {audit_rows}")
        except (TypeError, KeyError):
            audit_rows = None
        panics = [ln for ln in (work / "server.log").read_text(errors="replace").splitlines() if "panicked" in ln]
        if panics:
            problems.append(f"{len(panics)} panic line(s) in the server log: {panics[:3]}")
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        server_log.close()

    cmd_line = "python3 bench/load.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    lines = [
        f"Command: `{cmd_line.strip()}`  ",
        f"Binary: `{binary.relative_to(ROOT) if binary.is_relative_to(ROOT) else binary}` ({profile} build), "
        f"SQLite (`serve --demo`, fresh database), RUST_LOG={args.rust_log}  ",
        f"Load: {(wrk_version or ['wrk'])[0].split(' Copyright')[0].strip()}, {args.threads} thread(s), "
        f"{args.connections} connections, {args.duration:g} s per scenario after {args.warmup:g} s warm-up, "
        f"on the same machine ({os.cpu_count()} cores, {platform.machine()}); "
        f"{dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        "",
        "| scenario | req/s | p50 ms | p90 ms | p99 ms | max ms | requests | non-2xx | socket errors/timeouts "
        "| bodies with GraphQL errors | CPU cores: server / wrk / other processes |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    names = {"trivial": "`{ __typename }`", "read": "read: 20 groups + members, with email/phone",
             "read_nocontact": "read: 20 groups + members, no email/phone",
             "read_uncached": "the same read, never from the response cache",
             "mixed": f"mixed {100 - args.write_percent}% read / {args.write_percent}% write"}
    for r in results:
        sock = sum(r["socket_errors"].values())
        gq = str(r["gql_errors"])
        if r["scenario"] == "mixed":
            gq += f" (of {r['writes']} writes: {r['write_errors']})"
        lines.append(f"| {names[r['scenario']]} | {r['rps']:.1f} | {fmt_ms(r['p50_us'])} | {fmt_ms(r['p90_us'])} | "
                     f"{fmt_ms(r['p99_us'])} | {fmt_ms(r['max_us'])} | {r['requests']} | {r['non2xx']} | {sock} | {gq} | "
                     f"{r['server_cores']:.2f} / {r['wrk_cores']:.2f} / {r.get('other_cores', float('nan')):.2f} |")
    lines += ["", "CPU cores: average busy cores during the measured seconds (the machine has "
                  f"{os.cpu_count()}); \"other processes\" above about 0.1 means something else (a build, "
                  "tests) competed for the CPU and the figures are low."]
    if audit_rows is not None:
        lines += ["", f"Audit entries `contact.read` written during the run (one per member whose e-mail "
                      f"or phone a request read): {audit_rows}"]
    table = "\n".join(lines) + "\n"
    print()
    print(table)
    if args.out:
        Path(args.out).write_text(table)
        log(f"wrote {args.out}")
    bad = [r for r in results if r["non2xx"] or sum(r["socket_errors"].values()) or r["gql_errors"]]
    for r in bad:
        problems.append(f"{r['scenario']}: non-2xx {r['non2xx']}, socket errors {r['socket_errors']}, "
                        f"GraphQL errors {r['gql_errors']}")
    if problems:
        for p in problems:
            log(f"PROBLEM: {p}")
        log(f"server log kept in {work}")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
