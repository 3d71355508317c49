#!/usr/bin/env python3
"""Times scipy, lapjv, lap and our solver on the same square matrices.

For each size and score kind one random score matrix is generated, written
in the solver's text format, and solved (maximising) by every contender a
few times; the median time of the solve call alone is reported (our solver
reports its own `solve_ms`, which excludes parsing). All contenders must
agree on the optimal total. Prints a markdown table.

Run with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset, e.g.
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE nice -n 10 \
      .venv/bin/python bench/compare_speed.py
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import gen_scores, matrix_text, run_solver, solver_cmd  # noqa: E402


def time_call(fn, reps):
    times, result = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times), result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/samenhier")
    ap.add_argument("--cmd", help='solver command, e.g. "target/release/samenhier solve" (overrides --bin)')
    ap.add_argument("--sizes", default="1000,2000,5000")
    ap.add_argument("--kinds", default="float,int,int10000",
                    help="comma list of float, int (0..=--int-hi) and intN (0..=N)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--float-hi", type=int, default=100, help="float scores uniform in [0, HI)")
    ap.add_argument("--int-hi", type=int, default=100, help="integer scores in 0..=HI")
    args = ap.parse_args()

    from scipy.optimize import linear_sum_assignment
    import lap
    import lapjv

    cmd = solver_cmd(args)
    rng = np.random.default_rng(args.seed)
    rows_out = []
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for n in [int(s) for s in args.sizes.split(",")]:
            for kind in args.kinds.split(","):
                hi = args.float_hi if kind == "float" else int(kind[3:] or args.int_hi)
                base = "float" if kind == "float" else "int"
                scores, k = gen_scores(rng, n, n, base, 0, hi)
                path = os.path.join(tmp, f"m{n}{kind}.txt")
                with open(path, "w") as fh:
                    fh.write(matrix_text(k, base))
                # Maximise score == minimise its negation; done outside the timing.
                cost = np.ascontiguousarray(-scores)
                idx = np.arange(n)
                res = {}
                ms, (r, c) = time_call(lambda: linear_sum_assignment(cost), args.reps)
                res["scipy"] = (ms, scores[r, c].sum())
                ms, out = time_call(lambda: lapjv.lapjv(cost), args.reps)
                res["lapjv"] = (ms, scores[idx, out[0]].sum())
                # Informational only (not a "fastest lib" candidate): lapjv
                # by default solves float64 input in float32 (AVX2 kernels),
                # which is exact for small integers but not for general
                # floats; force_doubles=True is its exact double mode.
                ms, out = time_call(lambda: lapjv.lapjv(cost, force_doubles=True), args.reps)
                lapjv64 = (ms, scores[idx, out[0]].sum())
                ms, out = time_call(lambda: lap.lapjv(cost), args.reps)
                res["lap"] = (ms, scores[idx, out[1]].sum())
                ours = []
                for _ in range(args.reps):
                    o = run_solver(cmd, path, "MAX_MATCHES_THEN_SCORE")
                    ours.append(o["solve_ms"])
                pairs = np.array(o["pairs"], dtype=np.int64).reshape(-1, 2)
                ok_shape = len(pairs) == n and len(set(pairs[:, 0])) == n and len(set(pairs[:, 1])) == n
                res["ours"] = (statistics.median(ours), scores[pairs[:, 0], pairs[:, 1]].sum() if ok_shape else float("nan"))
                ref = res["scipy"][1]
                tol = 0.0 if base == "int" else 1e-9 * max(1.0, abs(ref))
                agree = ok_shape and all(abs(t - ref) <= tol for _, t in res.values())
                failed |= not agree
                best_lib = min(("scipy", "lapjv", "lap"), key=lambda name: res[name][0])
                ratio = res[best_lib][0] / res["ours"][0]
                rows_out.append((n, kind, hi, res, best_lib, ratio, agree, ref, lapjv64[0]))
                print(f"# n={n} {kind}: " + ", ".join(f"{name} {ms:.1f} ms" for name, (ms, _) in res.items())
                      + f", agree={agree}", file=sys.stderr, flush=True)

    print("| n | scores | scipy ms | lapjv ms | lap ms | ours ms | fastest lib / ours | optimum agrees "
          "| lapjv force_doubles ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n, kind, hi, res, best_lib, ratio, agree, ref, lj64 in rows_out:
        label = f"float [0,{hi})" if kind == "float" else f"int 0..={hi}"
        print(f"| {n} | {label} | {res['scipy'][0]:.1f} | {res['lapjv'][0]:.1f} | {res['lap'][0]:.1f} | "
              f"{res['ours'][0]:.1f} | {ratio:.2f}x ({best_lib}) | {'yes' if agree else 'NO'} | {lj64:.1f} |")
    print(f"reps={args.reps} (median), seed={args.seed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
