#!/usr/bin/env python3
"""Checks the solver's optimum against scipy on random instances.

Instances: square and rectangular, dense and partly forbidden, float and
integer scores (negative ones too), both objectives. Each is written in the
`ROWS COLS` text format (`x` = forbidden), solved by the command under test
(`--cmd "target/release/samenhier solve"`, default `--bin
target/release/samenhier` + ` solve`), and compared with a reference built on
scipy's linear_sum_assignment(maximize=True):

* MAX_TOTAL_SCORE: scipy on max(score, 0) with forbidden cells at 0; the
  optimum is the sum of the chosen positive pairs.
* MAX_MATCHES_THEN_SCORE: scipy on score + M for allowed cells, 0 for
  forbidden ones, with M large enough that one more pair always outweighs
  any score difference; the pairs scipy picks, minus forbidden cells, give
  the reference count and score (recomputed from the original scores).

The reference itself is first validated against brute force on small cases.
The solver's output is checked for feasibility (distinct rows/columns,
allowed cells, reported total = sum of its pairs) and optimality (same pair
count for MAX_MATCHES_THEN_SCORE, same total: exact for integers, 1e-9
relative for floats). Exits non-zero on any mismatch.
"""

import argparse
import itertools
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import gen_scores, matrix_text, run_solver, solver_cmd  # noqa: E402

OBJECTIVES = ("MAX_MATCHES_THEN_SCORE", "MAX_TOTAL_SCORE")


def reference(scores, forbidden, objective):
    """(pair count, total score) of an optimal assignment via scipy."""
    from scipy.optimize import linear_sum_assignment

    rows, cols = scores.shape
    if rows == 0 or cols == 0:
        return 0, 0.0
    allowed = ~forbidden
    if objective == "MAX_TOTAL_SCORE":
        w = np.where(allowed, np.maximum(scores, 0.0), 0.0)
        r, c = linear_sum_assignment(w, maximize=True)
        keep = allowed[r, c] & (scores[r, c] > 0)
    else:
        k = min(rows, cols)
        span = float(np.abs(scores[allowed]).max()) if allowed.any() else 0.0
        big = 2.0 * (k + 1) * span + 1.0
        w = np.where(allowed, scores + big, 0.0)
        r, c = linear_sum_assignment(w, maximize=True)
        keep = allowed[r, c]
    r, c = r[keep], c[keep]
    return len(r), float(sum(scores[r, c].tolist()))


def brute(scores, forbidden, objective):
    """(pair count, total score) by enumerating all partial assignments."""
    rows, cols = scores.shape
    best = (0, 0.0)
    for k in range(min(rows, cols) + 1):
        for rs in itertools.combinations(range(rows), k):
            for cs in itertools.permutations(range(cols), k):
                if any(forbidden[r, c] for r, c in zip(rs, cs)):
                    continue
                val = (k, float(sum(scores[r, c] for r, c in zip(rs, cs))))
                if objective == "MAX_TOTAL_SCORE":
                    better = val[1] > best[1]
                else:
                    better = val > best
                if better:
                    best = val
    return best


def close(a, b, integer):
    return a == b if integer else abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def random_instance(rng, rows, cols, kind, p_forbid):
    lo, hi = (-50, 100) if rng.random() < 0.5 else (0, 100)
    scores, k = gen_scores(rng, rows, cols, kind, lo, hi)
    forbidden = rng.random((rows, cols)) < p_forbid
    return scores, k, forbidden


def self_test(rng, cases):
    """Validates `reference` against brute force on tiny instances."""
    bad = 0
    for _ in range(cases):
        rows, cols = int(rng.integers(0, 6)), int(rng.integers(0, 6))
        kind = "int" if rng.random() < 0.6 else "float"
        scores, _, forbidden = random_instance(rng, rows, cols, kind, float(rng.choice([0.0, 0.3, 0.7])))
        for obj in OBJECTIVES:
            ref, bf = reference(scores, forbidden, obj), brute(scores, forbidden, obj)
            ok = close(ref[1], bf[1], kind == "int") and (obj == "MAX_TOTAL_SCORE" or ref[0] == bf[0])
            if not ok:
                bad += 1
                print(f"REFERENCE MISMATCH {obj} {rows}x{cols}: scipy {ref} brute {bf}", file=sys.stderr)
    return bad


def check_output(out, scores, forbidden, objective, ref, integer):
    """Returns an error string or None."""
    rows, cols = scores.shape
    pairs = [tuple(p) for p in out["pairs"]]
    rs = [p[0] for p in pairs]
    cs = [p[1] for p in pairs]
    if len(set(rs)) != len(rs) or len(set(cs)) != len(cs):
        return "a row or column is used twice"
    if rs != sorted(rs):
        return "pairs not sorted by row"
    for r, c in pairs:
        if not (0 <= r < rows and 0 <= c < cols) or forbidden[r, c]:
            return f"pair ({r}, {c}) is out of range or forbidden"
    total = float(sum(scores[r, c] for r, c in pairs))
    if out["total"] is None or not close(total, out["total"], integer):
        return f"reported total {out['total']} != sum of pairs {total}"
    if objective == "MAX_MATCHES_THEN_SCORE" and len(pairs) != ref[0]:
        return f"{len(pairs)} pairs, reference has {ref[0]}"
    if not close(total, ref[1], integer):
        return f"total {total} != reference {ref[1]}"
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/samenhier")
    ap.add_argument("--cmd", help='solver command, e.g. "target/release/samenhier solve" (overrides --bin)')
    ap.add_argument("--sizes", default="1,2,3,5,8,13,30,64,150,400", help="comma-separated base sizes")
    ap.add_argument("--cases", type=int, default=2, help="random cases per size/shape/kind/density")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--self-test", type=int, default=200, help="reference-vs-brute-force cases (0 = skip)")
    ap.add_argument("--small", action="store_true", help="quick CI mode (small sizes, well under a minute)")
    args = ap.parse_args()
    if args.small:
        args.sizes, args.cases, args.self_test = "1,2,4,7,12,25,60", 1, min(args.self_test, 60)

    rng = np.random.default_rng(args.seed)
    cmd = solver_cmd(args)
    ref_bad = self_test(rng, args.self_test) if args.self_test else 0
    if ref_bad:
        print(f"reference self-test: {ref_bad} mismatches against brute force", file=sys.stderr)
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.txt")
        for n in [int(s) for s in args.sizes.split(",")]:
            shapes = {(n, n), (n, max(1, n * 3 // 2)), (max(1, n * 3 // 2), n), (max(1, n // 3), n)}
            for (rows, cols), kind, p in itertools.product(sorted(shapes), ("int", "float"), (0.0, 0.3, 0.8)):
                for _ in range(args.cases):
                    scores, k, forbidden = random_instance(rng, rows, cols, kind, p)
                    with open(path, "w") as fh:
                        fh.write(matrix_text(k, kind, forbidden if p > 0 else None))
                    for obj in OBJECTIVES:
                        ref = reference(scores, forbidden, obj)
                        try:
                            err = check_output(run_solver(cmd, path, obj), scores, forbidden, obj, ref, kind == "int")
                        except Exception as e:  # noqa: BLE001 - report any failure as a mismatch
                            err = str(e)
                        if err:
                            failed += 1
                            print(f"FAIL {rows}x{cols} {kind} p_forbid={p} {obj}: {err}", file=sys.stderr)
                        else:
                            passed += 1
    print(f"exactness: {passed} passed, {failed} failed")
    return 1 if failed or ref_bad else 0


if __name__ == "__main__":
    sys.exit(main())
