"""Theorem R1's admissible values when lambda is tiny: the root sits within sqrt(Lambda) of y.

Depth 2 (docs/maths/regularized.md §3): S(y) \\ {0} = {s in (0, y) : (y - s)^2 = Lambda}, so the only admissible value
is s = y - sqrt(Lambda), worked by hand. With y = sqrt(2) (irrational: the eliminated-polynomial path) and
Lambda = 10^-600 it lies 10^-300 below y; 53-bit balls and a fixed refinement could not tell it from y, and a hostile
point file with such a lambda made `exactdln snap` exit 4.
"""

from __future__ import annotations

import json
import sys
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
    _snap_answers(tmp_path, {"X": [["2", "1/2"]], "Y": [["-4/3", "3"], ["4/3", "1"], ["-1", "0"]],
                             "weights": [[["-1"], ["0"], ["0"]], [["2/3", "0", "0"], ["0", "0", "0"], ["0", "-1", "-4"]]],
                             "lambda": "1e-600"})


def _snap_answers(tmp_path, point: dict) -> None:
    """`exactdln snap` on the point answers with a documented code: 0 (snapped) or 1 (not snapped), never 4 or 5."""
    from tests.fuzz.harness import run

    path = tmp_path / "point.json"
    path.write_text(json.dumps(point))
    outcome = run("snap", str(path), 60)
    assert outcome.code in (0, 1), outcome.stderr


def test_snap_with_singular_x_answers(tmp_path):
    """X X^T singular with lambda = 0 (fuzz input 4200): the structure route says why instead of dividing by zero."""
    _snap_answers(tmp_path, {"X": [["0", "1", "0"], ["4", "-3", "0"], ["-1", "0", "0"]], "Y": [["0", "4", "-1"]],
                             "weights": [[["0", "-2", "-4/3"]], [["1/2"]]], "lambda": "0"})


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


def _mp_f_minus_lambda(s, y, depth, Lambda):
    import mpmath
    return s ** (depth - 2) * (y - s) ** depth - mpmath.mpf(Lambda.numerator) / Lambda.denominator


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 5), st.sampled_from([2, 3, 5, Fraction(1, 2), Fraction(7, 3), Fraction(11, 5)]),
       st.fractions(min_value=Fraction(1, 50), max_value=3, max_denominator=50))
def test_the_admissible_roots_of_an_irrational_y_are_those_mpmath_finds(depth, mu, Lambda):
    """y = sqrt(mu) irrational: the roots in (0, y) of s^(H-2) (y - s)^H = Lambda against mpmath's polyroots."""
    import mpmath

    mpmath.mp.dps = 60
    mu = Fraction(mu)
    if Lambda ** 2 >= mu ** (2 * depth - 2):
        return
    y = mpmath.sqrt(mpmath.mpf(mu.numerator) / mu.denominator)
    from math import comb

    coefficients = [mpmath.mpf(0)] * (2 * depth - 1)
    for k in range(depth + 1):
        coefficients[(2 * depth - 2) - (depth - 2 + k)] += comb(depth, k) * y ** (depth - k) * (-1) ** k
    coefficients[-1] -= mpmath.mpf(Lambda.numerator) / Lambda.denominator
    found = sorted(float(r.real) for r in mpmath.polyroots(coefficients, maxsteps=200, extraprec=200)
                   if abs(r.imag) < mpmath.mpf(10) ** -30 and 1e-12 < r.real < y - 1e-12)
    ours = admissible_product_values(mu, depth, Lambda)
    got = sorted(float(s) for s, m in ours for _ in range(m))
    assert len(got) == len(found) and all(abs(a - b) < 1e-9 for a, b in zip(got, found)), (got, found)


def test_the_double_root_of_an_irrational_y_is_exact():
    """H = 3, y = sqrt(2): f(s) = s (y - s)^3 peaks at s* = y/4 with f(s*) = (1/4)(3/4)^3 y^4 = 27/64 (by hand), so
    Lambda = 27/64 gives the double root s* = sqrt(2)/4, the positive root of s^2 - 1/8 (Theorem R2)."""
    values = admissible_product_values(Fraction(2), 3, Fraction(27, 64))
    assert len(values) == 1
    root, multiplicity = values[0]
    assert multiplicity == 2
    assert root.polynomial == (Fraction(-1, 8), Fraction(0), Fraction(1))
    assert 0 < root.lower <= root.upper and root.lower ** 2 <= Fraction(1, 8) <= root.upper ** 2


def test_tiny_lambda_with_an_irrational_y_at_depth_three_and_four():
    """Lambda = 10^-3000: on the rising branch s ~ (Lambda / y^H)^(1/(H-2)) and on the falling one y - s ~
    (Lambda / y^(H-2))^(1/H) (first order in Lambda). For even H the root of P_(-y) = s^(H-2) (y + s)^H - Lambda lies
    within a relative 10^-750 of the rising root, and must not be taken for it. Both roots of each depth are checked
    at 3,200 digits by mpmath: f(s) - Lambda changes sign across each interval, and P_(-y) does not."""
    import mpmath

    Lambda = Fraction(1, 10**3000)
    for depth, mu in ((3, Fraction(2)), (4, Fraction(3))):
        values = admissible_product_values(mu, depth, Lambda)
        assert [m for _, m in values] == [1, 1]
        with mpmath.workdps(3200):
            y = mpmath.sqrt(mpmath.mpf(mu.numerator) / mu.denominator)
            for root, _ in values:
                lo, hi = (mpmath.mpf(v.numerator) / v.denominator for v in (root.lower, root.upper))
                assert 0 < lo < hi < y
                assert _mp_f_minus_lambda(lo, y, depth, Lambda) * _mp_f_minus_lambda(hi, y, depth, Lambda) < 0
                if depth % 2 == 0:
                    minus = [_mp_f_minus_lambda(v, -y, depth, Lambda) for v in (lo, hi)]
                    assert minus[0] * minus[1] > 0


def test_snap_with_a_tiny_lambda_and_an_irrational_y_answers(tmp_path):
    """Fuzz input 8936 (X = [10^4999, 2/3], lambda 2): y is irrational and about 10^-4320, the scaled lambda about
    10^-34550. FLINT's complex root finder spent more than the 20 s budget in one call; the branch bracketing answers."""
    _snap_answers(tmp_path, {"X": [["1e4999", "2/3"]], "Y": [["1", "-4"], ["0", "-1"], ["-3", "2"]],
                             "weights": [[["0"], ["1"], ["0"]], [["3", "0", "2"], ["-2", "4", "2"]],
                                         [["-4", "0"], ["1", "0"], ["3", "3"]]],
                             "lambda": "2"})


def test_error_bound_with_a_huge_lambda_answers(tmp_path):
    """Fuzz input 159 (a lambda of 4,653 digits) with lambda = 10^4600: at W = 0 (depth 2, d_x = 1, d_1 = 1, d_y = 3)
    the Hessian is [[lambda, -v^T], [-v, lambda I_3]] with v = Y X^T = (0, 2, -8) (by hand), so its eigenvalues are
    lambda (twice) and lambda +- sqrt(68), all positive: mu_+ = lambda - sqrt(68). The bracket must contain it (exact
    comparison through squares). Entries beyond the float range sent mu_+ to a charpoly root isolation that spent
    the whole budget in one call."""
    from tests.fuzz.harness import run

    point = {"X": [["0", "2"]], "Y": [["0", "0"], ["2", "1"], ["0", "-4"]],
             "weights": [[["0"]], [["0"], ["0"], ["0"]]], "lambda": "1e4600"}
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(point))
    outcome = run("regularized", str(path), 60)
    assert outcome.code == 0, outcome.stderr
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        answer = json.loads(outcome.stdout)
        a, b = (Fraction(v) for v in answer["error_bound"]["mu_plus"])
    finally:
        sys.set_int_max_str_digits(limit)
    lam = Fraction(10) ** 4600
    assert answer["kind"] == "global_minimizer" and answer["error_bound"]["nullity"] == 0
    assert 0 < a <= b and a <= lam and (lam - a) ** 2 >= 68
    assert lam - b <= 0 or (lam - b) ** 2 <= 68


def test_the_smallest_nonzero_eigenvalue_far_below_the_largest_is_bracketed():
    """Eigenvalues 10^5000, -3 and 0 (a symmetric matrix built by hand as Q D Q^T with the rational orthogonal
    Q = [[3/5, 4/5, 0], [-4/5, 3/5, 0], [0, 0, 1]]): mu_+ = 3. In floats the 3 vanishes beside 10^5000, so the exact
    counts decide it alone."""
    from flint import fmpq, fmpq_mat

    from exactdln.theory import regularized

    Q = [[Fraction(3, 5), Fraction(4, 5), 0], [Fraction(-4, 5), Fraction(3, 5), 0], [0, 0, 1]]
    D = [10**5000, -3, 0]
    M = [[sum(Q[i][k] * D[k] * Q[j][k] for k in range(3)) for j in range(3)] for i in range(3)]
    bisections = []
    original = regularized._bisected_gap
    regularized._bisected_gap = lambda *args: bisections.append(1) or original(*args)
    try:
        a, b = regularized._smallest_nonzero_abs_eigenvalue(
            fmpq_mat([[fmpq(Fraction(x).numerator, Fraction(x).denominator) for x in row] for row in M]), 1)
    finally:
        regularized._bisected_gap = original
    assert bisections == [1]                        # the float guess could not see the 3
    assert 0 < a <= 3 <= b and b - a <= a / 2**39
