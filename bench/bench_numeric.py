"""Benchmark and evidence for the numeric paths (float64 and mpmath cross-checks). Prints counts and ratios from one run.

    python bench/bench_numeric.py [--size 90] [--seed 0]

1. On the stress corpus (exactdln.crosscheck.stress_corpus: hidden diag(10^k, 10^-k)
   rescalings, near-degenerate data, widths up to 7): how often a naive float64 check
   with a fixed relative tolerance gets the inertia or the kind wrong; how often the
   float path says inconclusive and how often it is wrong; mpmath digits needed.
   Reference inertia: the exact Hessian's Sylvester inertia (exactdln.inertia); reference
   kind: the family theorem the point was built from (docs/maths/classification.md §3.6).
2. Speed: the float path at n ~ 2000 parameters; mpmath at n = 300 with 50 digits against
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

from exactdln.construct import large_instance  # noqa: E402
from exactdln.crosscheck import stress_corpus  # noqa: E402
from exactdln.highprec import classify_mp  # noqa: E402
from exactdln.inertia import symmetric_inertia  # noqa: E402
from exactdln.landscape.derivatives import hessian_matrix  # noqa: E402
from exactdln.numeric import classify_float, hessian_matrix_float  # noqa: E402
from exactdln.classify import classify  # noqa: E402

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
        c["float inconclusive"] += f.kind == "inconclusive"
        by_label[(label, f.kind == "inconclusive")] += 1
        c["float wrong kind"] += f.definite and f.kind != case.expected_kind
        c["float inertia decided"] += f.inertia is not None
        c["float inertia wrong"] += f.inertia is not None and (f.inertia.n_plus, f.inertia.n_minus, f.inertia.n_zero) != exact_tuple
        m, t = timed(lambda: classify_mp(case.problem, case.weights))
        t_mp += t
        digits[m.digits] += 1
        c["mpmath wrong kind"] += m.kind != case.expected_kind
        c["mpmath inertia wrong or undecided"] += m.inertia is None or (m.inertia.n_plus, m.inertia.n_minus, m.inertia.n_zero) != exact_tuple
    n = len(cases)
    print(f"stress corpus: {n} points (seed {seed})")
    for k in ("naive inertia wrong", "naive kind wrong (strict vs not)", "float inconclusive", "float wrong kind",
              "float inertia decided", "float inertia wrong", "mpmath wrong kind", "mpmath inertia wrong or undecided"):
        print(f"  {k:36s} {c[k]:4d} / {n}  ({c[k] / n:.0%})")
    print("  float inconclusive by variant:", {k: by_label[(k, True)] for k in sorted({l for l, _ in by_label})},
          "of", {k: by_label[(k, True)] + by_label[(k, False)] for k in sorted({l for l, _ in by_label})})
    print("  mpmath digits used:", dict(sorted(digits.items())))
    print(f"  time: float path {t_float:.2f} s, mpmath path {t_mp:.2f} s (whole corpus)")


def timed(f):
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


def speed_report() -> None:
    rng = random.Random(0)
    inst = large_instance(rng, depth=5, width=20, digits=6)
    n = sum(w.nrows * w.ncols for w in inst.weights)
    r, t = timed(lambda: classify_float(inst.problem, inst.weights))
    print(f"float path, n = {n} parameters (depth 5, width 20): {t:.2f} s, kind {r.kind} (expected {inst.expected_kind})")

    for digits in (6, 40):
        inst = large_instance(random.Random(1), depth=3, width=10, digits=digits)
        n = sum(w.nrows * w.ncols for w in inst.weights)
        r, t_mp = timed(lambda: classify_mp(inst.problem, inst.weights, start_digits=50))
        print(f"{digits}-digit entries, n = {n}: mpmath (start 50 digits, confirmed at {r.digits}) {t_mp:.2f} s, "
              f"kind {r.kind} (expected {inst.expected_kind}), inertia {r.inertia}")
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
    if not args.no_speed:
        speed_report()


if __name__ == "__main__":
    main()
