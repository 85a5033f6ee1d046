"""The integers of exactdln/landscape/reduced_hessian.py held as FLINT integers (fmpz) inside the module.

Expected values come from elsewhere:
- gcd(start, v_1, ..., v_k) is Python's math.gcd of the same integers;
- integer_hessian_principal_submatrix(point, F) = (N, D) with N / D the F x F block of the full Hessian
  (derivatives.hessian_matrix, a separate loop), and its entries Python ints (its documented contract).
The inertias computed on the FLINT integers are checked in tests/landscape/test_hessian_schur.py.
"""

from __future__ import annotations

import random
from fractions import Fraction
from math import gcd

from flint import fmpz
from hypothesis import given, settings
from hypothesis import strategies as st

from exactdln.arith.exact import integer_content
from exactdln.landscape.derivatives import hessian_matrix
from exactdln.landscape.point import ExactPoint
from exactdln.landscape.reduced_hessian import integer_hessian_principal_submatrix
from exactdln.model.problem import Problem

big = st.integers(min_value=-(2**3000), max_value=2**3000)


@settings(max_examples=200, deadline=None)
@given(st.lists(big, max_size=12), st.integers(min_value=0, max_value=2**200), big)
def test_content_is_the_gcd(values, start, factor):
    scaled = [v * factor for v in values]       # a large common factor, as in the Schur complement's entries
    for vals in (values, scaled):
        assert int(integer_content([fmpz(v) for v in vals], start)) == gcd(start, *vals)
        assert int(integer_content(vals, start)) == gcd(start, *vals)


def _random_matrix(rng: random.Random, rows: int, cols: int) -> list[list[Fraction]]:
    return [[Fraction(rng.randint(-3, 3), rng.choice([1, 1, 2, 3])) for _ in range(cols)] for _ in range(rows)]


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_integer_principal_submatrix_is_the_hessian_block_in_python_ints(seed):
    rng = random.Random(seed)
    H = rng.randint(1, 3)
    widths = [rng.randint(1, 3) for _ in range(H + 1)]
    m = rng.randint(1, 3)
    problem = Problem.create(_random_matrix(rng, widths[0], m), _random_matrix(rng, widths[-1], m),
                             rng.choice(["0", "1/2"]))
    weights = [_random_matrix(rng, widths[h + 1], widths[h]) for h in range(H)]
    point = ExactPoint.of(problem, weights)
    F = sorted(rng.sample(range(point.n_parameters), rng.randint(1, point.n_parameters)))
    grid, D = integer_hessian_principal_submatrix(point, F)
    full = hessian_matrix(problem, weights)
    assert type(D) is int and D > 0
    for x, i in enumerate(F):
        for y, j in enumerate(F):
            assert type(grid[x, y]) is int
            assert Fraction(grid[x, y], D) == Fraction(int(full[i, j].p), int(full[i, j].q))
