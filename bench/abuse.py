#!/usr/bin/env python3
"""Abusive requests against a real server: how much server CPU each costs and whether memory
stays flat (issue #7, item 2). Standard library only.

Starts `samenhier serve` (release binary when built) on a fresh SQLite database and a free
loopback port, adds an ADMIN with the CLI, logs in, then sends each abusive request --reps
times and reads the server's CPU time (utime + stime from /proc/PID/stat) and resident memory
(VmRSS, VmHWM from /proc/PID/status) before and after.

Usage: python3 bench/abuse.py [--bin target/release/samenhier] [--reps 200]
"""

import argparse
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time

TICK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def memory_kb(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out


def post(port, body, token=None, declared=None):
    """POSTs `body` (bytes); with `declared`, sends only the headers claiming that length."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if declared is not None:
        conn.putrequest("POST", "/graphql")
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.putheader("Content-Length", str(declared))
        conn.endheaders()
    else:
        conn.request("POST", "/graphql", body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data


def code_of(data):
    try:
        v = json.loads(data)
        return v["errors"][0]["extensions"].get("code", "?")
    except Exception:
        return "not JSON"


def main():
    ap = argparse.ArgumentParser()
    release = "target/release/samenhier"
    ap.add_argument("--bin", default=release if os.path.exists(release) else "target/debug/samenhier")
    ap.add_argument("--reps", type=int, default=200)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="samenhier-abuse-")
    env = dict(os.environ, DATABASE_URL=f"sqlite://{work}/abuse.db?mode=rwc", SAMENHIER_JWT_SECRET=secrets.token_urlsafe(48),
               SAMENHIER_EXPORT_KEY=secrets.token_urlsafe(48),
               SAMENHIER_DATA_KEY=secrets.token_urlsafe(48), RUST_LOG="error")
    password = secrets.token_urlsafe(18)
    subprocess.run([args.bin, "user", "add", "--email", "abuse@example.org", "--role", "ADMIN"], input=password + "\n",
                   text=True, env=env, check=True, capture_output=True, timeout=120)
    port = free_port()
    server = subprocess.Popen(["timeout", "900", args.bin, "serve", "--bind", f"127.0.0.1:{port}"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.05)
        pid = int(subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()[0])
        status, data = post(port, json.dumps({"query": "mutation($e:String!,$p:String!){ login(email:$e, password:$p){ token } }",
                                              "variables": {"e": "abuse@example.org", "p": password}}).encode())
        token = json.loads(data)["data"]["login"]["token"]
        q = lambda s: json.dumps({"query": s}).encode()
        cases = [
            ("12 MB body (declared, refused before reading)", None, 12 * 1024 * 1024),
            ("query nested 1,000 deep", q("{ " + "me { group { " * 500 + "__typename" + " } }" * 500 + " }"), None),
            ("300 aliases of welcomeGroups(first: 100)", q("{ " + " ".join(f"a{i}: welcomeGroups(first: 100) {{ edges {{ node {{ members {{ name }} }} }} }}" for i in range(300)) + " }"), None),
            ("welcomeGroups(first: 1000000)", q("{ welcomeGroups(first: 1000000) { totalCount } }"), None),
            ("batch of 1,000 operations", json.dumps([{"query": "{ __typename }"}] * 1000).encode(), None),
            ("baseline: { me { id } }", q("{ me { id } }"), None),
        ]
        rows = []
        for name, body, declared in cases:
            mem0 = memory_kb(pid)
            cpu0 = cpu_seconds(pid)
            t0 = time.perf_counter()
            status, data = None, b""
            for _ in range(args.reps):
                status, data = post(port, body, token, declared)
            wall = (time.perf_counter() - t0) / args.reps
            cpu = (cpu_seconds(pid) - cpu0) / args.reps
            mem1 = memory_kb(pid)
            rows.append((name, len(body) if body else declared, status, code_of(data) if status != 200 or b"errors" in data else "-",
                         cpu * 1000, wall * 1000, mem0["VmRSS"] / 1024, mem1["VmRSS"] / 1024, mem1["VmHWM"] / 1024))
            print(f"[abuse] {name}: HTTP {status} {rows[-1][3]}, {cpu * 1000:.3f} ms server CPU, {wall * 1000:.2f} ms wall, "
                  f"RSS {mem0['VmRSS'] / 1024:.1f} -> {mem1['VmRSS'] / 1024:.1f} MB", file=sys.stderr)
        print(f"Command: `python3 bench/abuse.py --bin {args.bin} --reps {args.reps}`; {args.reps} requests per case, one at a time, loopback.\n")
        print("| request | body bytes | HTTP | code | server CPU ms per request | wall ms per request | RSS before → after (MB) | peak RSS (MB) |")
        print("|---|---|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r[0]} | {r[1]:,} | {r[2]} | {r[3]} | {r[4]:.3f} | {r[5]:.2f} | {r[6]:.1f} → {r[7]:.1f} | {r[8]:.1f} |")
    finally:
        server.terminate()
        server.wait(timeout=60)


if __name__ == "__main__":
    main()
