"""Theorem R1's admissible values when lambda is tiny: the root sits within sqrt(Lambda) of y.

Depth 2 (docs/maths/regularized.md §3): S(y) \\ {0} = {s in (0, y) : (y - s)^2 = Lambda}, so the only admissible value
is s = y - sqrt(Lambda), worked by hand. With y = sqrt(2) (irrational: the eliminated-polynomial path) and
Lambda = 10^-600 it lies 10^-300 below y; 53-bit balls and a fixed refinement could not tell it from y, and a hostile
point file with such a lambda made `exactdln snap` exit 4.
"""

from __future__ import annotations

import json
from fractions import Fraction

from hypothesis import given, settings, strategies as st

from exactdln.theory.regularized import admissible_product_values


def test_the_root_just_below_an_irrational_y_is_found():
    eps = Fraction(1, 10**300)
    values = admissible_product_values(Fraction(2), 2, eps * eps)
    assert len(values) == 1
    root, multiplicity = values[0]
    assert multiplicity == 1
    root = root.refine(eps / 10**10)
    # lower + eps <= sqrt(2) <= upper + eps, compared exactly through squares (all terms positive)
    assert (root.lower + eps) ** 2 <= 2 <= (root.upper + eps) ** 2


def test_snap_with_a_tiny_lambda_answers(tmp_path):
    """The fuzz input that exited 4 (its lambda of about 10^-4948 replaced by 10^-600): snap answers with a documented code."""
    from tests.fuzz.harness import run

    point = {"X": [["2", "1/2"]], "Y": [["-4/3", "3"], ["4/3", "1"], ["-1", "0"]],
             "weights": [[["-1"], ["0"], ["0"]], [["2/3", "0", "0"], ["0", "0", "0"], ["0", "-1", "-4"]]],
             "lambda": "1e-600"}
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(point))
    outcome = run("snap", str(path), 60)
    assert outcome.code in (0, 1), outcome.stderr


def test_snap_with_singular_x_answers(tmp_path):
    """X X^T singular with lambda = 0 (fuzz input 4200): the structure route says why instead of dividing by zero."""
    from tests.fuzz.harness import run

    point = {"X": [["0", "1", "0"], ["4", "-3", "0"], ["-1", "0", "0"]], "Y": [["0", "4", "-1"]],
             "weights": [[["0", "-2", "-4/3"]], [["1/2"]]], "lambda": "0"}
    path = tmp_path / "singular.json"
    path.write_text(json.dumps(point))
    outcome = run("snap", str(path), 60)
    assert outcome.code in (0, 1), outcome.stderr


def test_a_lambda_above_the_bound_admits_no_layer_value():
    """Depth 2, y = 1, lambdas (2, 2): (y - s)^2 = Lambda = 4 gives s = -1 or 3, neither in (0, 1), so S(1) = {0}
    (worked by hand); with y^2 = 2 irrational and Lambda = 10^600 the same holds, decided without root finding."""
    from exactdln.arith.algebraic import AlgebraicReal
    from exactdln.theory.regularized_field import _admissible_sigmas

    assert _admissible_sigmas(AlgebraicReal.rational(Fraction(1)), (Fraction(2), Fraction(2))) == ()
    assert admissible_product_values(Fraction(1), 2, Fraction(4)) == []
    sqrt_two = AlgebraicReal((Fraction(-2), Fraction(0), Fraction(1)), Fraction(1), Fraction(2))
    assert _admissible_sigmas(sqrt_two, (Fraction(10**300), Fraction(10**300))) == ()



@settings(max_examples=60, deadline=None)
@given(st.integers(2, 5), st.fractions(min_value=Fraction(1, 4), max_value=4, max_denominator=9),
       st.fractions(min_value=Fraction(1, 50), max_value=3, max_denominator=50))
def test_the_admissible_roots_of_a_rational_y_are_those_mpmath_finds(depth, y, Lambda):
    """Against mpmath's polynomial roots (60 digits) of s^(H-2) (y - s)^H - Lambda, the real ones in (0, y)."""
    import mpmath

    mpmath.mp.dps = 60
    if Lambda >= y ** (2 * depth - 2):
        return
    # coefficients of s^(H-2) (y - s)^H - Lambda, highest degree first, from the binomial theorem
    from math import comb

    coefficients = [mpmath.mpf(0)] * (2 * depth - 1)
    for k in range(depth + 1):                     # (y - s)^H = sum_k C(H, k) y^(H-k) (-s)^k
        coefficients[(2 * depth - 2) - (depth - 2 + k)] += comb(depth, k) * mpmath.mpf(y.numerator) ** (depth - k) \
            / mpmath.mpf(y.denominator) ** (depth - k) * (-1) ** k
    coefficients[-1] -= mpmath.mpf(Lambda.numerator) / Lambda.denominator
    found = sorted(float(r.real) for r in mpmath.polyroots(coefficients, maxsteps=200, extraprec=200)
                   if abs(r.imag) < mpmath.mpf(10) ** -30 and 1e-12 < r.real < float(y) - 1e-12)
    ours = admissible_product_values(Fraction(y) ** 2, depth, Lambda)
    got = sorted(float(s) for s, m in ours for _ in range(m))
    assert len(got) == len(found) and all(abs(a - b) < 1e-9 for a, b in zip(got, found)), (got, found)
