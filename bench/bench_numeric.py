"""Benchmark and evidence for the numeric paths (float64 and mpmath cross-checks). Prints counts and ratios from one run.

    python bench/bench_numeric.py [--size 90] [--seed 0]

1. On the stress corpus (exactdln.tools.crosscheck.stress_corpus: hidden diag(10^k, 10^-k)
   rescalings, near-degenerate data, widths up to 7; all critical points): how often a naive
   float64 check with a fixed relative tolerance gets the inertia or the kind wrong; how often
   the float path finds no conditional kind ("inconclusive if critical") and how often its
   conditional kind is wrong; whether a numeric path ever gives a definite kind at a critical
   point (it must not: floating point cannot prove a gradient is zero); mpmath digits needed.
   Reference inertia: the exact Hessian's Sylvester inertia (exactdln.arith.inertia); reference
   kind: the family theorem the point was built from (docs/maths/classification.md §3.6).
2. Near-critical points that are not critical: the gallery points (exactdln.instances.gallery) with one
   weight entry moved by 10^-k, k = 8..60 (exactly not critical, checked with is_critical):
   how often each numeric path says a critical kind (must be 0), proves "not critical", or
   stays within tolerance; time per point.
3. Speed: the float path at n ~ 2000 parameters; mpmath at n = 300 with 50 digits against
   the exact path (exact Hessian + exact inertia, and classify when present).
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exactdln.instances.construct import large_instance  # noqa: E402
from exactdln.tools.crosscheck import stress_corpus  # noqa: E402
from exactdln.numeric.mp import classify_mp  # noqa: E402
from exactdln.arith.inertia import symmetric_inertia  # noqa: E402
from exactdln.landscape.derivatives import hessian_matrix  # noqa: E402
from exactdln.numeric.float64 import classify_float, hessian_matrix_float  # noqa: E402
from exactdln.theory.classify import classify  # noqa: E402

NAIVE_RTOL = 1e-10


def naive(problem, weights):
    """Fixed relative tolerance: eigenvalues with |l| <= 1e-10 max|l| are zero; strict iff one is negative."""
    ev = np.linalg.eigvalsh(hessian_matrix_float(problem, weights))
    tol = NAIVE_RTOL * max(1.0, float(np.max(np.abs(ev))) if ev.size else 1.0)
    plus, minus = int(np.sum(ev > tol)), int(np.sum(ev < -tol))
    return (plus, minus, len(ev) - plus - minus), ("strict_saddle" if minus else "not_strict")


def corpus_report(seed: int, size: int) -> None:
    cases = stress_corpus(seed=seed, size=size)
    c = collections.Counter()
    t_float = t_mp = 0.0
    digits = collections.Counter()
    by_label = collections.Counter()
    for case in cases:
        exact_inertia = symmetric_inertia(hessian_matrix(case.problem, case.weights))
        exact_tuple = (exact_inertia.n_plus, exact_inertia.n_minus, exact_inertia.n_zero)
        n_inertia, n_kind = naive(case.problem, case.weights)
        expected_strict = case.expected_kind == "strict_saddle"
        c["naive inertia wrong"] += n_inertia != exact_tuple
        c["naive kind wrong (strict vs not)"] += (n_kind == "strict_saddle") != expected_strict
        f, t = timed(lambda: classify_float(case.problem, case.weights))
        t_float += t
        label = case.label.split(":")[0]
        c["float definite kind (must be 0)"] += f.definite
        c["float no conditional kind"] += f.conditional_kind is None
        by_label[(label, f.conditional_kind is None)] += 1
        c["float wrong conditional kind"] += f.conditional_kind is not None and f.conditional_kind != case.expected_kind
        c["float inertia decided"] += f.inertia is not None
        c["float inertia wrong"] += f.inertia is not None and (f.inertia.n_plus, f.inertia.n_minus, f.inertia.n_zero) != exact_tuple
        m, t = timed(lambda: classify_mp(case.problem, case.weights))
        t_mp += t
        digits[m.digits] += 1
        c["mpmath definite kind (must be 0)"] += m.definite
        c["mpmath conditional kind wrong or missing"] += m.conditional_kind != case.expected_kind
        c["mpmath inertia wrong or undecided"] += m.inertia is None or (m.inertia.n_plus, m.inertia.n_minus, m.inertia.n_zero) != exact_tuple
    n = len(cases)
    print(f"stress corpus: {n} points (seed {seed})")
    for k in ("naive inertia wrong", "naive kind wrong (strict vs not)", "float definite kind (must be 0)",
              "float no conditional kind", "float wrong conditional kind", "float inertia decided", "float inertia wrong",
              "mpmath definite kind (must be 0)", "mpmath conditional kind wrong or missing",
              "mpmath inertia wrong or undecided"):
        print(f"  {k:42s} {c[k]:4d} / {n}  ({c[k] / n:.0%})")
    print("  float without a conditional kind, by variant:", {k: by_label[(k, True)] for k in sorted({l for l, _ in by_label})},
          "of", {k: by_label[(k, True)] + by_label[(k, False)] for k in sorted({l for l, _ in by_label})})
    print("  mpmath digits used:", dict(sorted(digits.items())))
    print(f"  time: float path {t_float:.2f} s, mpmath path {t_mp:.2f} s (whole corpus)")


def _moved(weights, layer, i, j, delta):
    from exactdln.model.problem import RationalMatrix
    out = list(weights)
    rows = [list(r) for r in weights[layer].rows]
    rows[i][j] += delta
    out[layer] = RationalMatrix(tuple(map(tuple, rows)), weights[layer].ncols)
    return tuple(out)


def near_critical_report(ks=(8, 12, 16, 20, 30, 40, 50, 60)) -> None:
    from fractions import Fraction
    from exactdln.instances.gallery import demo_gallery
    from exactdln.landscape.derivatives import is_critical
    critical_kinds = ("global_minimizer", "local_minimizer", "strict_saddle", "non_strict_saddle")
    rng = random.Random(0)
    c = collections.Counter()
    t_float = t_mp = 0.0
    points = 0
    for case in demo_gallery():
        problem, weights = case.instance.problem, case.instance.weights
        entries = [(h, i, j) for h, w in enumerate(weights) for i in range(w.nrows) for j in range(w.ncols)]
        for k in ks:
            rng.shuffle(entries)
            moved = next((m for m in (_moved(weights, h, i, j, Fraction(1, 10**k)) for h, i, j in entries)
                          if not is_critical(problem, m)), None)
            if moved is None:
                break
            points += 1
            f, t = timed(lambda: classify_float(problem, moved))
            t_float += t
            m, t = timed(lambda: classify_mp(problem, moved))
            t_mp += t
            for name, r in (("float", f), ("mpmath", m)):
                c[f"{name} critical kind (must be 0)"] += r.kind in critical_kinds
                c[f"{name} proves not critical"] += r.critical == "no"
                c[f"{name} within tolerance"] += r.critical == "within_tolerance"
    print(f"near-critical, not critical: {points} points (gallery points moved by 10^-k, k in {list(ks)})")
    for key in sorted(c):
        print(f"  {key:36s} {c[key]:4d} / {points}")
    print(f"  time: float path {t_float:.2f} s, mpmath path {t_mp:.2f} s ({1000 * t_mp / max(points, 1):.0f} ms per point)")


def timed(f):
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


def speed_report() -> None:
    rng = random.Random(0)
    inst = large_instance(rng, depth=5, width=20, digits=6)
    n = sum(w.nrows * w.ncols for w in inst.weights)
    r, t = timed(lambda: classify_float(inst.problem, inst.weights))
    print(f"float path, n = {n} parameters (depth 5, width 20): {t:.2f} s, {r.verdict_text()} (expected {inst.expected_kind})")

    for digits in (6, 40):
        inst = large_instance(random.Random(1), depth=3, width=10, digits=digits)
        n = sum(w.nrows * w.ncols for w in inst.weights)
        r, t_mp = timed(lambda: classify_mp(inst.problem, inst.weights, start_digits=50))
        print(f"{digits}-digit entries, n = {n}: mpmath (start 50 digits, confirmed at {r.digits}) {t_mp:.2f} s, "
              f"{r.verdict_text()} (expected {inst.expected_kind}), inertia {r.inertia}")
        c, t_c = timed(lambda: classify(inst.problem, inst.weights))
        print(f"  exact classify {t_c:.2f} s, kind {c.kind}, inertia {c.inertia}; ratio mpmath / exact: {t_mp / t_c:.2f}"
              f" ({'mpmath' if t_mp < t_c else 'exact'} wins)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=90)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-speed", action="store_true")
    args = ap.parse_args()
    corpus_report(args.seed, args.size)
    near_critical_report()
    if not args.no_speed:
        speed_report()


if __name__ == "__main__":
    main()
