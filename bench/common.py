"""Shared helpers for the solver benchmarks: instance generation, the text
matrix format, and running the solver command."""

import json
import shlex
import subprocess

import numpy as np

# Float scores live on a grid of 1e-6 so the text file holds them exactly:
# the decimal string of k/10^6 parses (in Rust and Python alike) to the same
# double that k / 1e6 gives in numpy.
FLOAT_SCALE = 10**6


def gen_scores(rng, rows, cols, kind, lo=0, hi=100):
    """Returns (scores as float64, integer numerators) for kind 'int'
    (integers lo..=hi) or 'float' (uniform on [lo, hi) in steps of 1e-6)."""
    if kind == "int":
        k = rng.integers(lo, hi + 1, size=(rows, cols), dtype=np.int64)
        return k.astype(np.float64), k
    if kind == "float":
        k = rng.integers(lo * FLOAT_SCALE, hi * FLOAT_SCALE, size=(rows, cols), dtype=np.int64)
        return k / float(FLOAT_SCALE), k
    raise ValueError(f"unknown kind {kind!r}")


def _fmt_float(k):
    sign = "-" if k < 0 else ""
    a, b = divmod(abs(k), FLOAT_SCALE)
    return f"{sign}{a}.{b:06d}"


def matrix_text(k, kind, forbidden=None):
    """Renders numerators `k` (see gen_scores) in the `ROWS COLS` text format;
    `forbidden` is an optional boolean mask written as `x`."""
    rows, cols = k.shape
    out = [f"{rows} {cols}"]
    fmt = str if kind == "int" else _fmt_float
    for r in range(rows):
        vals = k[r].tolist()
        if forbidden is None:
            out.append(" ".join(map(fmt, vals)))
        else:
            mask = forbidden[r].tolist()
            out.append(" ".join("x" if f else fmt(v) for v, f in zip(vals, mask)))
    return "\n".join(out) + "\n"


def run_solver(cmd, path, objective):
    """Runs `cmd FILE --objective OBJ` and returns the parsed JSON object."""
    argv = shlex.split(cmd) + [path, "--objective", objective]
    p = subprocess.run(argv, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {p.returncode}: {p.stderr.strip()}")
    return json.loads(p.stdout)


def solver_cmd(args):
    """The solver command from --cmd, else from --bin (+ ' solve')."""
    if args.cmd:
        return args.cmd
    return shlex.quote(args.bin) + " solve"
