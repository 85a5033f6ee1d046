"""Benchmark: time the standalone checker on a 300-parameter non-strict saddle certificate.

Point: X = I_10, Y = diag(s_1..s_10), H = 3, all widths 10, the minimal construction with
S = [5] (docs/maths/classification.md §2.3 and §3.6, N1 family: non-strict saddle), conjugated by unit lower-triangular
integer matrices so the entries are not diagonal. Escape curve: C_1 = E_66 in every layer
(conjugated alike), giving L(t) - L = -s_6 t^3 + t^6 / 2.
Evidence (kernel in RREF form and LDL^T of the complement block) is built here with
python-flint; only the checking is timed. Target: under 10 s.

    python bench/bench_checker.py [width]
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from fractions import Fraction as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import flint  # noqa: E402

from exactdln.trusted import checker  # noqa: E402


def fr(x: F) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def js(M):
    return [[fr(F(v)) for v in row] for row in M]


def mm(A, B):
    return [[sum((a * b for a, b in zip(r, c)), F(0)) for c in zip(*B)] for r in A]


def unit_lower(n, rng):
    A = [[F(int(i == j)) for j in range(n)] for i in range(n)]
    for i in range(n):
        for j in range(i):
            A[i][j] = F(rng.randint(-1, 1))
    return A


def inverse(A):
    n = len(A)
    inv = flint.fmpq_mat([[int(x) for x in row] for row in A]).inv()
    return [[F(int(inv[i, j].p), int(inv[i, j].q)) for j in range(n)] for i in range(n)]


def sparse_ldl(B):
    """B = L diag(D) L^T for positive definite B, skipping zeros (B here is sparse-ish)."""
    q = len(B)
    M = [dict((j, v) for j, v in enumerate(row) if v) for row in B]
    L = [[F(0)] * q for _ in range(q)]
    D = []
    for k in range(q):
        L[k][k] = F(1)
        p = M[k].get(k, F(0))
        assert p > 0
        D.append(p)
        col = [(i, M[i][k] / p) for i in range(k + 1, q) if M[i].get(k)]
        for i, f in col:
            L[i][k] = f
            for j, v in M[k].items():
                if j > k:
                    nv = M[i].get(j, F(0)) - f * v
                    if nv:
                        M[i][j] = nv
                    else:
                        M[i].pop(j, None)
    return L, D


def build(width=10, r=5, seed=1):
    rng = random.Random(seed)
    s = [F(2 * width - 2 * i + 1) for i in range(width)]   # distinct singular values
    X = [[F(int(i == j)) for j in range(width)] for i in range(width)]
    Y = [[s[i] if i == j else F(0) for j in range(width)] for i in range(width)]
    cut = [[F(int(i == j and i < r)) for j in range(width)] for i in range(width)]
    W = [[[s[i] * cut[i][j] for j in range(width)] for i in range(width)], cut, cut]
    E = [[F(int(i == j == r)) for j in range(width)] for i in range(width)]
    A1, A2 = unit_lower(width, rng), unit_lower(width, rng)
    A1i, A2i = inverse(A1), inverse(A2)
    conj = lambda M: [mm(A1, M[0]), mm(mm(A2, M[1]), A1i), mm(M[2], A2i)]  # noqa: E731
    W, C = conj(W), conj([E, E, E])
    pb = {"X": X, "Y": Y, "W": W, "dims": [width] * 4, "lambda": [F(0)] * 3}
    Hm = checker.hessian(pb)
    n = len(Hm)
    R, rank = flint.fmpq_mat([[flint.fmpq(x.numerator, x.denominator) for x in row] for row in Hm]).rref()
    pivots, row = [], 0
    for c in range(n):
        if row < rank and R[row, c] != 0:
            pivots.append(c)
            row += 1
    free_cols = [c for c in range(n) if c not in set(pivots)]
    kernel = []
    for f in free_cols:
        v = [F(0)] * n
        v[f] = F(1)
        for t, p in enumerate(pivots):
            x = R[t, f]
            v[p] = -F(int(x.p), int(x.q))
        kernel.append(v)
    B = [[Hm[i][j] for j in pivots] for i in pivots]
    L, D = sparse_ldl(B)
    claims = [{"type": "critical"},
              {"type": "psd_hessian", "kernel": [[fr(x) for x in v] for v in kernel], "kernel_pivots": free_cols,
               "ldl": {"free": pivots, "perm": list(range(len(pivots))), "L": js(L), "D": [fr(d) for d in D]}},
              {"type": "escape_curve", "coefficients": [[js(c) for c in C]]},
              {"type": "kind", "kind": "non_strict_saddle"}]
    return {"format": "exactdln-certificate", "version": 1,
            "problem": {"X": js(X), "Y": js(Y), "lambda": "0"},
            "point": {"weights": [js(w) for w in W]}, "claims": claims}, n, len(kernel)


def main():
    width = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    t0 = time.perf_counter()
    cert, n, s = build(width)
    t1 = time.perf_counter()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(cert, fh)
        path = fh.name
    t2 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-I", "-S", os.path.join(ROOT, "exactdln", "trusted", "checker.py"), path],
                          capture_output=True, text=True)
    t3 = time.perf_counter()
    pb = checker.read_problem(cert)
    t4 = time.perf_counter()
    checker.hessian(pb)
    t5 = time.perf_counter()
    print(proc.stdout.strip())
    print(f"parameters n = {n}, kernel dimension s = {s}, file {os.path.getsize(path) / 1e6:.2f} MB")
    print(f"build evidence: {t1 - t0:.2f} s; check (python -I -S, exit {proc.returncode}): {t3 - t2:.2f} s; "
          f"of which Hessian assembly ~{t5 - t4:.2f} s; target 10 s -> ratio {(t3 - t2) / 10:.2f}")
    os.unlink(path)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
