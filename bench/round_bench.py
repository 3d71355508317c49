#!/usr/bin/env python3
"""Matching-round benchmark through the real API.

For each size N it starts `samenhier serve` (release build) on a fresh database, loads N
waiting newcomers and N ready groups with `samenhier seed --bulk`, logs in as ADMIN and runs
one real round (`runMatching`, not a dry run: score, solve, store). While the round runs, a
second client keeps sending a small query and records its latency, to show the server keeps
answering. Prints a markdown table: wall time of the request, the run's own durationMs,
scoreMs and solveMs, the server's peak memory (VmHWM), and the probe latencies.

Usage: python3 bench/round_bench.py [--sizes 1000 5000] [--db sqlite|postgres]
Only loopback addresses are used; every loop is bounded in time.
"""

import argparse
import json
import os
import secrets
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "samenhier")


def post(url, query, token=None, variables=None, timeout=300):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(url, data=body, headers={"content-type": "application/json"})
    if token:
        req.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read())


def peak_rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def run_size(n, db, port):
    tmp = tempfile.mkdtemp(prefix="samenhier-bench-")
    env = dict(os.environ)
    if db == "postgres":
        name = f"samenhier_bench_{secrets.token_hex(4)}"
        subprocess.run(["psql", "postgres://postgres@127.0.0.1:5432/postgres", "-qc", f"create database {name}"], check=True)
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        env["DATABASE_URL"] = f"sqlite://{tmp}/bench.db?mode=rwc"
    env["SAMENHIER_JWT_SECRET"] = secrets.token_urlsafe(48)
    env["SAMENHIER_EXPORT_KEY"] = secrets.token_urlsafe(48)
    env["SAMENHIER_DATA_KEY"] = secrets.token_urlsafe(48)
    env["SAMENHIER_LOG_FORMAT"] = "json"
    env["RUST_LOG"] = "warn"
    subprocess.run([BIN, "seed", "--bulk", "almere", "--newcomers", str(n), "--groups", str(n)], env=env, check=True, stdout=subprocess.DEVNULL)
    password = "benchmark password " + secrets.token_hex(4)
    subprocess.run([BIN, "user", "add", "--email", "bench@example.org", "--role", "ADMIN"], input=password + "\n", text=True, env=env, check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen([BIN, "serve", "--bind", f"127.0.0.1:{port}"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        token = post(url, "mutation($e:String!,$p:String!){ login(email:$e,password:$p){ token } }", variables={"e": "bench@example.org", "p": password})["data"]["login"]["token"]
        latencies = []
        stop = threading.Event()

        def probe():
            end = time.time() + 120
            while not stop.is_set() and time.time() < end:
                t = time.perf_counter()
                post(url, "{ cities { slug } }", token, timeout=30)
                latencies.append((time.perf_counter() - t) * 1000)
                time.sleep(0.05)

        prober = threading.Thread(target=probe)
        prober.start()
        t0 = time.perf_counter()
        res = post(url, "mutation{ runMatching(input:{citySlug:\"almere\"}){ matchedCount totalScore durationMs scoreMs solveMs eligiblePairs } }", token, timeout=600)
        wall = (time.perf_counter() - t0) * 1000
        stop.set()
        prober.join()
        if "errors" in res:
            raise SystemExit(f"round failed: {res['errors']}")
        r = res["data"]["runMatching"]
        return {
            "n": n, "db": db, "wall_ms": wall, "duration_ms": r["durationMs"], "score_ms": r["scoreMs"], "solve_ms": r["solveMs"],
            "matched": r["matchedCount"], "eligible": r["eligiblePairs"], "rss_mb": peak_rss_mb(server.pid),
            "probe_n": len(latencies), "probe_p50": statistics.median(latencies) if latencies else float("nan"),
            "probe_max": max(latencies) if latencies else float("nan"),
        }
    finally:
        stop.set() if 'stop' in locals() else None
        server.terminate()
        server.wait(timeout=30)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--port", type=int, default=18190)
    args = ap.parse_args()
    print("| N × N | db | request wall ms | run durationMs | scoreMs | solveMs | matched | eligible pairs | server peak RSS MB | probe requests | probe p50 ms | probe max ms |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        r = run_size(n, args.db, args.port)
        print(f"| {n} × {n} | {r['db']} | {r['wall_ms']:.0f} | {r['duration_ms']} | {r['score_ms']} | {r['solve_ms']} | {r['matched']} | {r['eligible']} | {r['rss_mb']:.0f} | {r['probe_n']} | {r['probe_p50']:.1f} | {r['probe_max']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
