"""Bench (parametric families): classify a 2-parameter, depth-3, width-3 family once, symbolically,
and compare with classifying 20 random specializations as points. Prints times and ratios
measured in this run.

Family: docs/maths/classification.md §3.6 S3 (two cuts, strict) and N1 (minimal construction, non-strict),
Y = diag(3,2,1), X = I_3, mixed by unimodular A_1, A_2 with parameters a, b.

    python bench/bench_symbolic.py
"""

from __future__ import annotations

import random
import time
from fractions import Fraction

import sympy

from exactdln.theory.classify import classify
from exactdln.symbolic import classify_family, load_family


def family(two_cuts: bool) -> dict:
    a, b = sympy.symbols("a b")
    A1 = sympy.Matrix([[1, 0, 0], [a, 1, 0], [0, b, 1]])
    A2 = sympy.Matrix([[1, b, 0], [0, 1, 0], [a, 0, 1]])
    W = [A1 * sympy.diag(3, 2 if two_cuts else 0, 0), A2 * sympy.diag(1, 0, 0) * A1.inv(),
         sympy.diag(1, 0, 0) * A2.inv()]
    text = lambda M: [[str(sympy.expand(e)).replace("**", "^") for e in row] for row in M.tolist()]  # noqa: E731
    return {"X": sympy.eye(3).tolist(), "Y": sympy.diag(3, 2, 1).tolist(), "weights": [text(M) for M in W],
            "parameters": {"a": "real", "b": "real"}}


def main() -> None:
    rng = random.Random(0)
    for two_cuts in (False, True):
        data = family(two_cuts)
        data["X"] = [[int(x) for x in row] for row in data["X"]]
        data["Y"] = [[int(x) for x in row] for row in data["Y"]]
        t0 = time.perf_counter()
        fam = load_family(data)
        verdict = classify_family(fam)
        t_family = time.perf_counter() - t0
        t0 = time.perf_counter()
        agree = 0
        for _ in range(20):
            values = {"a": Fraction(rng.randint(-20, 20), rng.randint(1, 9)),
                      "b": Fraction(rng.randint(-20, 20), rng.randint(1, 9))}
            problem, weights = fam.specialize(values)
            agree += classify(problem, weights).kind == verdict.kind or not verdict.applies_at(values)
        t_points = time.perf_counter() - t0
        name = "S3 two cuts" if two_cuts else "N1 minimal"
        print(f"{name}: family verdict {verdict.kind} in {t_family:.3f} s (target < 10 s); "
              f"20 specializations classified as points in {t_points:.3f} s ({agree}/20 agree); "
              f"family / 20 points = {t_family / t_points:.2f}")


if __name__ == "__main__":
    main()
