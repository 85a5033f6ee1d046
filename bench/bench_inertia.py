"""Exact inertia vs float64 numpy.linalg.eigvalsh, measured in one run (speed target: within 10x).

Prints, per matrix, the exact time of each method divided by the eigvalsh time on the same
matrix (as floats). Matrices: random integer B D B^T (full rank and rank 2n/3, n = 100, 200, 300)
and the exact Hessian of a deep linear network of depth 3 and width 10 (n = 300 parameters) at a
global minimizer and at a saddle (exactdln.instances.construct + exactdln.landscape); for those also
kernel_complement_inertia with the GL(d_h) orbit directions as the known kernel ("kernel").

    python bench/bench_inertia.py          # auto everywhere, ldl and charpoly up to n = 200
    python bench/bench_inertia.py --full   # every method at every size (slow: minutes)
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np
from flint import fmpq_mat, fmpz_mat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exactdln.arith.inertia import kernel_complement_inertia, symmetric_inertia  # noqa: E402


def low_rank_symmetric(n: int, rank: int, seed: int) -> fmpq_mat:
    rng = np.random.default_rng(seed)
    b = rng.integers(-5, 6, size=(n, rank))
    d = rng.choice([-3, -2, -1, 1, 2, 3], size=rank)
    m = (b * d) @ b.T
    return fmpq_mat(fmpz_mat([[int(x) for x in row] for row in m]))


def dln_hessians() -> list[tuple[str, fmpq_mat, fmpq_mat | None]]:
    try:
        from exactdln.instances import construct
        from exactdln.landscape.derivatives import hessian_matrix
    except ImportError as error:  # the landscape modules belong to other engineers
        print(f"(skipping DLN Hessians: {error})")
        return []
    rng = random.Random(3)
    data = construct.spectral_data(list(range(20, 10, -1)), 10, rng)
    widths = (10, 10, 10, 10)
    out = []
    weights = construct.global_minimizer(data, widths, rng)
    out.append(("DLN H=3 w=10 global min", hessian_matrix(data.problem, weights), orbit_kernel(weights)))
    weights = construct.segmented_critical_point(data, widths, (1, 2, 4), rng)
    out.append(("DLN H=3 w=10 saddle S={1,2,4}", hessian_matrix(data.problem, weights), orbit_kernel(weights)))
    return out


def orbit_kernel(weights) -> fmpq_mat:
    """Rows: the tangent directions T_h = A W_h, T_(h+1) = -W_(h+1) A (A = E_ab) of the GL(d_h) symmetry.

    At a critical point of the unregularized loss they lie in the Hessian's kernel (the loss is
    constant along the orbit), which kernel_complement_inertia re-verifies exactly.
    """
    from exactdln.arith.exact import to_fmpq_mat

    mats = [to_fmpq_mat(w) for w in weights]
    sizes = [m.nrows() * m.ncols() for m in mats]
    offsets = [sum(sizes[:h]) for h in range(len(mats))]
    n = sum(sizes)
    rows = []
    for h in range(len(mats) - 1):
        w_h, w_next = mats[h], mats[h + 1]
        d = w_h.nrows()
        for a in range(d):
            for b in range(d):
                row = [0] * n
                for j in range(w_h.ncols()):            # (E_ab W_h)[a, j] = W_h[b, j]
                    row[offsets[h] + a * w_h.ncols() + j] = w_h[b, j]
                for i in range(w_next.nrows()):         # -(W_(h+1) E_ab)[i, b] = -W_(h+1)[i, a]
                    row[offsets[h + 1] + i * d + b] = -w_next[i, a]
                rows.append(row)
    return fmpq_mat(len(rows), n, [x for row in rows for x in row])


def best_time(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="run ldl and charpoly at every size")
    args = parser.parse_args()
    np.linalg.eigvalsh(np.eye(300) + 1.0)  # BLAS warm-up, not measured
    cases: list[tuple[str, fmpq_mat, fmpq_mat | None]] = []
    for n in (100, 200, 300):
        cases.append((f"B D B^T n={n} full rank", low_rank_symmetric(n, n, n), None))
        cases.append((f"B D B^T n={n} rank {2 * n // 3}", low_rank_symmetric(n, 2 * n // 3, n + 1), None))
    cases += dln_hessians()
    print(f"{'matrix':34} {'n':>4} {'eigvalsh ms':>11} {'method':>8} {'exact ms':>9} {'ratio':>8}  inertia")
    for name, matrix, kernel in cases:
        n = matrix.nrows()
        floats = np.array([float(x) for x in matrix.entries()]).reshape(n, n)
        t_float = best_time(lambda: np.linalg.eigvalsh(floats), 5)
        methods = ["auto"] + (["ldl", "charpoly"] if args.full or n <= 200 else ["charpoly"])
        results = set()
        for method in methods:
            start = time.perf_counter()
            inertia = symmetric_inertia(matrix, method=method)
            t_exact = time.perf_counter() - start
            results.add(inertia)
            print(f"{name:34} {n:>4} {t_float * 1e3:>11.2f} {method:>8} {t_exact * 1e3:>9.1f} "
                  f"{t_exact / t_float:>8.1f}  {inertia}")
        if kernel is not None:
            start = time.perf_counter()
            inertia, _ = kernel_complement_inertia(matrix, kernel)
            t_exact = time.perf_counter() - start
            results.add(inertia)
            print(f"{name:34} {n:>4} {t_float * 1e3:>11.2f} {'kernel':>8} {t_exact * 1e3:>9.1f} "
                  f"{t_exact / t_float:>8.1f}  {inertia}  (kernel_complement_inertia, orbit kernel)")
        if len(results) != 1:
            print(f"METHODS DISAGREE on {name}: {results}")
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
