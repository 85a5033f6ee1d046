"""Exact critical points over the field of a fitted set (exactdln/instances/algebraic_critical.py).

Expected values come from elsewhere: the golden-ratio example worked by hand, eigenvalues computed by mpmath at
50 digits (an independent path), the critical value (||Y||^2 - sum_S lambda_i)/2 of Achour, Malgouyres,
Gerchinovitz (2024, Prop. 1), a gradient recomputed here from Yun et al. (2018, Lemma 3.2) with the field's
matrix product only, and Galois conjugation (the same coefficients at another root are again a critical point).
"""

from __future__ import annotations

import random
from fractions import Fraction
from itertools import combinations
from math import comb

import mpmath
import pytest
from hypothesis import assume, given, settings, strategies as st

from exactdln.arith.number_field import FieldMatrix, NumberField
from exactdln.instances.algebraic_critical import FieldDegreeError, critical_point_for_fitted_set
from exactdln.model.problem import InputError

GOLDEN_X = [[1, 0], [0, 1]]
GOLDEN_Y = [[1, 1], [1, 0]]        # Sigma = Y Y^T = [[2, 1], [1, 1]], charpoly x^2 - 3x + 1


def _field_and_weights(point, interval=None):
    spec = point.problem.field
    K = NumberField.from_polynomial(spec.minpoly, interval or spec.interval)
    Ws = [FieldMatrix.from_rows(K, [[list(e) for e in row] for row in w.rows]) for w in point.weights]
    X = FieldMatrix.from_rows(K, [[list(e) for e in row] for row in point.problem.X.rows])
    Y = FieldMatrix.from_rows(K, [[list(e) for e in row] for row in point.problem.Y.rows])
    return K, Ws, X, Y


def _gradient_and_loss(K, Ws, X, Y):
    """dL/dW_h = (W_{H:h+1})^T (W_{H:1} X - Y) X^T (W_{h-1:1})^T and L = 1/2 ||W_{H:1} X - Y||^2, over K."""
    H = len(Ws)
    prefix = [FieldMatrix.identity(K, X.nrows())]
    for w in Ws:
        prefix.append(w * prefix[-1])
    R = prefix[-1] * X - Y
    E = R * X.transpose()
    grads = []
    for h in range(H):
        suffix = FieldMatrix.identity(K, Y.nrows())
        for w in reversed(Ws[h + 1:]):
            suffix = suffix * w
        grads.append(suffix.transpose() * E * prefix[h].transpose())
    loss = sum((x * x for x in R.entries()), K.element(0)) / 2
    return grads, loss


def _mp_eigenvalues(X, Y, digits=50):
    mpmath.mp.dps = digits
    Xm = mpmath.matrix([[mpmath.mpf(Fraction(x).numerator) / Fraction(x).denominator for x in r] for r in X])
    Ym = mpmath.matrix([[mpmath.mpf(Fraction(y).numerator) / Fraction(y).denominator for y in r] for r in Y])
    Syx = Ym * Xm.T
    Sigma = Syx * mpmath.inverse(Xm * Xm.T) * Syx.T
    Sigma = (Sigma + Sigma.T) / 2
    values = mpmath.eigsy(Sigma, eigvals_only=True)
    return sorted((values[i] for i in range(len(values))), reverse=True)


def _norm2(Y):
    return sum(Fraction(y) ** 2 for r in Y for y in r)


# --- the golden ratio, by hand -------------------------------------------------------------------------------


@pytest.mark.parametrize("widths", [(2, 1, 2), (2, 2, 2), (2, 3, 1, 2), (2, 2, 2, 2)])
def test_golden_ratio_top_fit(widths):
    # lambda_1 = phi^2 = (3 + sqrt 5)/2, eigenvector (phi, 1); the field of S = {1} is Q(sqrt 5), degree 2.
    p = critical_point_for_fitted_set(GOLDEN_X, GOLDEN_Y, (1,), widths)
    assert p.degree == 2 and p.fitted == (1,)
    assert p.field.minpoly == (1, -3, 1)                 # theta = lambda_1, a root of x^2 - 3x + 1
    K, Ws, X, Y = _field_and_weights(p)
    theta = K.theta
    assert theta * theta - 3 * theta + 1 == 0 and theta.sign() > 0 and (theta - 2).sign() > 0
    phi = theta - 1                                      # phi^2 = phi + 1 = theta
    assert phi * phi == theta
    product = Ws[0]
    for w in Ws[1:]:
        product = w * product
    # range W_{H:1} = span (phi, 1): the row vector (1, -phi) annihilates it, exactly
    left = FieldMatrix.from_rows(K, [[1, -phi]])
    assert (left * product).is_zero() and not product.is_zero()
    grads, loss = _gradient_and_loss(K, Ws, X, Y)
    assert all(g.is_zero() for g in grads)
    # L = (||Y||^2 - lambda_1)/2 = (3 - phi^2)/2 = (3 - sqrt 5)/4
    assert loss == (3 - theta) / 2 == p.critical_value
    sqrt5 = 2 * theta - 3
    assert sqrt5 * sqrt5 == 5 and sqrt5.sign() > 0
    assert loss == (3 - sqrt5) / 4


def test_golden_ratio_conjugate_is_the_lower_fit():
    # The same coefficients at the other root (3 - sqrt 5)/2 of x^2 - 3x + 1: a critical point fitting lambda_2.
    p = critical_point_for_fitted_set(GOLDEN_X, GOLDEN_Y, (1,), (2, 2, 2))
    K, Ws, X, Y = _field_and_weights(p, interval=(0, 1))
    assert (K.theta * 2 - 3).sign() < 0
    grads, loss = _gradient_and_loss(K, Ws, X, Y)
    assert all(g.is_zero() for g in grads)
    assert loss == (3 - K.theta) / 2                     # (||Y||^2 - lambda_2)/2
    q = critical_point_for_fitted_set(GOLDEN_X, GOLDEN_Y, (2,), (2, 2, 2))
    assert abs(float(q.critical_value) - float(loss)) < 1e-12


def test_rational_fitted_sets_stay_over_q():
    p = critical_point_for_fitted_set(GOLDEN_X, GOLDEN_Y, (1, 2), (2, 2, 2))
    assert p.field is None and p.critical_value == 0    # the least-squares fit Y X^+ = Y is exact
    q = critical_point_for_fitted_set(GOLDEN_X, GOLDEN_Y, (), (2, 2, 2))
    assert q.field is None and q.critical_value == Fraction(3, 2)
    assert "field" not in q.to_point_json()


def test_bad_fitted_sets_are_refused():
    with pytest.raises(InputError):
        critical_point_for_fitted_set(GOLDEN_X, GOLDEN_Y, (3,), (2, 2, 2))
    with pytest.raises(InputError):
        critical_point_for_fitted_set(GOLDEN_X, GOLDEN_Y, (1, 2), (2, 1, 2))    # |S| > bottleneck
    with pytest.raises(InputError):
        critical_point_for_fitted_set(GOLDEN_X, GOLDEN_Y, (1,), (2, 2))         # one layer: convex


# --- generic data -------------------------------------------------------------------------------------------------


def _random_data(rng, d_x, d_y, n, scale=1000):
    X = [[Fraction(rng.randint(-2 * scale, 2 * scale), scale) for _ in range(n)] for _ in range(d_x)]
    Y = [[Fraction(rng.randint(-2 * scale, 2 * scale), scale) for _ in range(n)] for _ in range(d_y)]
    return X, Y


def test_degree_cap_names_the_degree():
    X, Y = _random_data(random.Random(1), 3, 3, 8)
    with pytest.raises(FieldDegreeError, match="degree up to 3") as info:
        critical_point_for_fitted_set(X, Y, (2,), (3, 3, 3), degree_cap=2)
    assert info.value.degree == 3 and info.value.cap == 2


def test_generic_3x3_every_fitted_set():
    # 3-decimal data: charpoly(Sigma) irreducible; every proper nonempty S gives a cubic field (C(3,1) = C(3,2) = 3)
    X, Y = _random_data(random.Random(7), 3, 3, 12)
    lam = _mp_eigenvalues(X, Y)
    for r in range(4):
        for S in combinations((1, 2, 3), r):
            p = critical_point_for_fitted_set(X, Y, S, (3, 4, 4, 3))
            assert p.degree == (1 if r in (0, 3) else 3)
            expected = (mpmath.mpf(_norm2(Y).numerator) / _norm2(Y).denominator - sum(lam[i - 1] for i in S)) / 2
            value = p.critical_value
            got = (value if isinstance(value, Fraction) else value.approximate(Fraction(1, 10**45)))
            assert abs(mpmath.mpf(got.numerator) / got.denominator - expected) < mpmath.mpf(10) ** -40
            if p.field is not None:
                K, Ws, Xk, Yk = _field_and_weights(p)
                grads, loss = _gradient_and_loss(K, Ws, Xk, Yk)
                assert all(g.is_zero() for g in grads) and loss == value


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10**6), st.integers(2, 3), st.integers(0, 1), st.integers(2, 3), st.data())
def test_random_data_and_fitted_sets(seed, d_y, extra_x, depth, data):
    rng = random.Random(seed)
    d_x = d_y + extra_x
    X, Y = _random_data(rng, d_x, d_y, d_x + 3, scale=10)
    r = data.draw(st.integers(0, d_y))
    S = tuple(sorted(data.draw(st.permutations(range(1, d_y + 1)))[:r]))
    widths = (d_x,) + tuple(data.draw(st.integers(max(r, 1), 3)) for _ in range(depth - 1)) + (d_y,)
    try:
        p = critical_point_for_fitted_set(X, Y, S, widths)
    except InputError as err:
        assume("repeated eigenvalue" not in str(err) and "singular" not in str(err))
        raise
    assert p.degree <= comb(d_y, r)
    lam = _mp_eigenvalues(X, Y, 40)
    expected = (mpmath.mpf(_norm2(Y).numerator) / _norm2(Y).denominator - sum(lam[i - 1] for i in S)) / 2
    value = p.critical_value
    got = value if isinstance(value, Fraction) else value.approximate(Fraction(1, 10**35))
    assert abs(mpmath.mpf(got.numerator) / got.denominator - expected) < mpmath.mpf(10) ** -30
    if p.field is None:
        return
    # Galois conjugates: the same coefficients at every real root of the minimal polynomial are critical points
    # whose value is (||Y||^2 - sum_T lambda_i)/2 for some |T| = |S| (lambda from mpmath).
    K0 = NumberField.from_polynomial(p.field.minpoly, p.field.interval)
    values = {T: (mpmath.mpf(_norm2(Y).numerator) / _norm2(Y).denominator - sum(lam[i - 1] for i in T)) / 2
              for T in combinations(range(1, d_y + 1), r)}
    for root in K0.conjugate_roots():
        root = root.refine(Fraction(1, 2**80))
        K, Ws, Xk, Yk = _field_and_weights(p, interval=(root.lower, root.upper))
        grads, loss = _gradient_and_loss(K, Ws, Xk, Yk)
        assert all(g.is_zero() for g in grads)
        f = loss.approximate(Fraction(1, 10**35))
        assert min(abs(mpmath.mpf(f.numerator) / f.denominator - v) for v in values.values()) < mpmath.mpf(10) ** -25


def test_point_file_round_trip_classify(tmp_path):
    import json

    from exactdln.cli import main

    p = critical_point_for_fitted_set(GOLDEN_X, GOLDEN_Y, (2,), (2, 2, 2))
    path = tmp_path / "p.json"
    path.write_text(json.dumps(p.to_point_json()))
    assert main(["classify", str(path)]) == 0
