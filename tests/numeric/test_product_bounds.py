"""The vectorized product-norm bounds B_{j:i} of the numeric paths against the scalar recursion.

:meth:`exactdln.numeric.float64._Point.product_norm_bound` defines B_{j:i} =
min(||fl(W_{j:i})|| + sum_t ||fl(W_{j:t+1})|| ||W_t|| ||fl(W_{t-1:i})||, prod_t ||W_t||) (forward error
analysis of the left-to-right product; Higham, Accuracy and Stability of Numerical Algorithms, 2002, §3.5).
Deep points use ``precompute_bounds`` (one float64 matrix product); in mpmath its value must never be
below the scalar recursion's (a rigorous bound stays a bound), and it is the same number up to the
float64 rounding it pays for.
"""

from __future__ import annotations

import random
from fractions import Fraction

import mpmath
import pytest

from exactdln.model.problem import Problem, RationalMatrix
from exactdln.numeric.float64 import FloatArithmetic, _make_point
from exactdln.numeric.mp import MpArithmetic


def _deep_point(depth: int, width: int, seed: int) -> tuple[Problem, list[RationalMatrix]]:
    rng = random.Random(seed)
    ws = [RationalMatrix(tuple(tuple(Fraction(rng.randint(-9, 9), rng.randint(1, 7)) for _ in range(width))
                               for _ in range(width)), width) for _ in range(depth)]
    eye = [[int(i == j) for j in range(width)] for i in range(width)]
    return Problem.create(eye, eye), ws


@pytest.mark.parametrize("arithmetic", ["mpmath", "float64"])
def test_precomputed_bounds_are_the_scalar_bounds_from_above(arithmetic):
    problem, ws = _deep_point(depth=12, width=2, seed=7)
    with mpmath.workdps(30):
        ar = MpArithmetic() if arithmetic == "mpmath" else FloatArithmetic()
        scalar = _make_point(ar, problem, ws)
        vector = _make_point(ar, problem, ws)
        vector.precompute_bounds()
        assert len(vector._bounds) == 12 * 13 // 2          # every pair precomputed
        for (j, i), bound in vector._bounds.items():
            exact = scalar.product_norm_bound(j, i)
            if arithmetic == "mpmath":
                assert bound >= exact
                assert bound <= exact * (1 + mpmath.mpf(2) ** -40)
            else:
                assert abs(bound - float(exact)) <= 1e-12 * float(exact)


def test_out_of_float_range_mpmath_keeps_the_scalar_recursion():
    # one layer of norm about 10^400: nothing is precomputed, product_norm_bound recurses in mpmath
    problem, ws = _deep_point(depth=6, width=2, seed=3)
    big = Fraction(10) ** 400
    ws[2] = RationalMatrix(tuple(tuple(x * big for x in row) for row in ws[2].rows), 2)
    with mpmath.workdps(30):
        p = _make_point(MpArithmetic(), problem, ws)
        p.precompute_bounds()
        assert p._bounds == {}
        assert p.product_norm_bound(6, 1) > 0
