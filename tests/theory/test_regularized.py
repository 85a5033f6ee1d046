"""Regularized loss: the hand-worked cases T1-T7 of docs/maths/regularized.md §7 (values include the 1/2).

Expected values come from docs/maths/regularized.md §7 (worked by hand and checked there with sympy), from
Theorem R1/R2 and from identities; never from the code under test.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given, settings, strategies as st

from exactdln.landscape.derivatives import is_critical
from exactdln.model.problem import Problem, RationalMatrix
from exactdln.model.results import GLOBAL_MINIMIZER, LOCAL_MINIMIZER, NOT_CRITICAL, STRICT_SADDLE, UNDECIDED
from exactdln.arith.algebraic import real_roots
from exactdln.theory.regularized import (
    classify_regularized, closed_form_spectrum, critical_values, design_critical_point,
    error_bound, error_bound_data_condition, global_minimum_value, is_weighted_balanced,
    weighted_balance_defects,
)
from flint import fmpq_poly

Q = RationalMatrix(((F(3, 5), F(-4, 5)), (F(4, 5), F(3, 5))))
Qp = RationalMatrix(((F(5, 13), F(-12, 13)), (F(12, 13), F(5, 13))))
I2 = RationalMatrix.identity(2)


def scalar(y, lam):
    return Problem.create([[1]], [[y]], lam)


def w(*entries):
    return [[[e]] for e in entries]


# ---------------------------------------------------------------- T1, T2 (scalar, depth 2)

def test_T1_origin_saddle_and_minima():
    pb = scalar(3, 1)
    origin = classify_regularized(pb, w(0, 0))
    assert origin.kind == STRICT_SADDLE and origin.loss == F(9, 2)
    # sqrt(2) is irrational: the minima are not rational points, but the closed form gives their value 5/2
    values = critical_values(closed_form_spectrum(pb, (1, 1, 1)))
    assert [(v.lower, v.upper) for v in values] == [(F(5, 2), F(5, 2)), (F(9, 2), F(9, 2))]
    eb = origin.error_bound
    assert eb.holds and eb.kappa == (F(1, 2), F(1, 2))     # 1/|y - lambda|


def test_T2_degenerate_origin():
    pb = scalar(1, 1)
    c = classify_regularized(pb, w(0, 0))
    assert c.error_bound.nullity == 1 and c.error_bound.orbit_dimension == 0 and not c.error_bound.holds
    assert c.kind == GLOBAL_MINIMIZER          # the only critical point of a coercive loss
    assert error_bound_data_condition(pb, 2)[0] is False
    # lambda = (1, 4): degenerate value y = 2 = sqrt(lambda_1 lambda_2), eig {0, 5}
    pb = scalar(2, [1, 4])
    eb = error_bound(pb, w(0, 0))
    assert eb.nullity == 1 and eb.mu_plus == (F(5), F(5))
    assert error_bound_data_condition(pb, 2)[0] is False
    assert error_bound_data_condition(scalar(3, [1, 4]), 2)[0] is True


# ---------------------------------------------------------------- T3 (scalar, depth 3)

@pytest.mark.parametrize("point, kind, loss, kappa", [
    (w(1, 1, 1), GLOBAL_MINIMIZER, F(217, 128), F(4, 7)),             # eig {7/4, 7/4, 17/8}
    (w(1, -1, -1), GLOBAL_MINIMIZER, F(217, 128), F(4, 7)),
    (w(F(1, 2), F(1, 2), F(1, 2)), STRICT_SADDLE, F(119, 64), F(16, 11)),  # eig {-11/16, 7/4, 7/4}
    (w(0, 0, 0), LOCAL_MINIMIZER, F(225, 128), F(8, 7)),              # spurious local minimum
])
def test_T3(point, kind, loss, kappa):
    c = classify_regularized(scalar(F(15, 8), F(7, 8)), point)
    assert (c.kind, c.loss) == (kind, loss)
    assert c.error_bound.holds and c.error_bound.kappa == (kappa, kappa)


def test_T3_critical_values_and_roots():
    form = closed_form_spectrum(scalar(F(15, 8), F(7, 8)), (1, 1, 1, 1))
    assert [v.lower for v in critical_values(form)] == [F(217, 128), F(225, 128), F(119, 64)]
    # s = sigma^3 for the real roots sigma = 1, 1/2 of p(sigma) = sigma^4 - y sigma + lambda
    assert sorted(s.value for s, _ in form.modes[0].values) == [F(1, 8), F(1)]


def test_T3_degenerate_partners():
    assert error_bound_data_condition(scalar(4, 3), 3)[0] is False
    c = classify_regularized(scalar(4, 3), w(1, 1, 1))                  # double root: eig {0, 6, 6}
    assert c.error_bound.nullity == 1 and c.error_bound.orbit_dimension == 0
    assert c.error_bound.mu_plus == (F(6), F(6))
    form = closed_form_spectrum(scalar(4, 3), (1, 1, 1, 1))
    assert [m for _, m in form.modes[0].values] == [2]
    assert error_bound_data_condition(scalar(3, 2), 4)[0] is False      # L = 4, y = 3, lambda = 2


# ---------------------------------------------------------------- T4, T5 (depth 2, widths 2-2-2)

@pytest.mark.parametrize("sigmas, inactive, loss, kind, nullity, mu", [
    ([[2, 2], [1, 1]], [], F(6), GLOBAL_MINIMIZER, 1, 2),
    ([[2, 2]], [2], F(13, 2), STRICT_SADDLE, 1, 1),
    ([[1, 1]], [5], F(14), STRICT_SADDLE, 1, 2),
])
def test_T4(sigmas, inactive, loss, kind, nullity, mu):
    pb, W = design_critical_point(sigmas, [1, 1], inactive=inactive, widths=(2, 2, 2), orthogonals=[I2, Q, I2])
    c = classify_regularized(pb, W)
    assert (c.loss, c.kind) == (loss, kind)
    assert c.error_bound.nullity == c.error_bound.orbit_dimension == nullity
    assert c.error_bound.mu_plus == (F(mu), F(mu))


def test_T4_origin_index_4():
    pb = Problem.create([[1, 0], [0, 1]], [[5, 0], [0, 2]], 1)
    c = classify_regularized(pb, [[[0, 0], [0, 0]]] * 2)
    assert c.loss == F(29, 2) and c.inertia.n_minus == 4 and c.error_bound.holds


def test_T5_error_bound_fails_at_global_minimizers():
    pb, W = design_critical_point([[2, 2]], [1, 1], inactive=[1], widths=(2, 2, 2), orthogonals=[I2, Q, I2])
    c = classify_regularized(pb, W)
    assert c.kind == GLOBAL_MINIMIZER and c.loss == 5
    assert (c.error_bound.nullity, c.error_bound.orbit_dimension) == (2, 1)
    assert error_bound_data_condition(pb, 2) [0] is False


# ---------------------------------------------------------------- T6 (depth 3, widths 2-2-2-2)

@pytest.mark.parametrize("sigmas, inactive, loss, kind, orbit", [
    ([[1, 1, 1]], [F(1, 2)], F(233, 128), GLOBAL_MINIMIZER, 2),
    ([[F(1, 2)] * 3], [F(1, 2)], F(127, 64), STRICT_SADDLE, 2),
    ([[1, 1, 1], [1, 1, 1]], [], F(217, 64), GLOBAL_MINIMIZER, None),
    ([[1, 1, 1]], [F(15, 8)], F(221, 64), LOCAL_MINIMIZER, None),
    ([[1, 1, 1], [F(1, 2)] * 3], [], F(455, 128), STRICT_SADDLE, None),
])
def test_T6(sigmas, inactive, loss, kind, orbit):
    pb, W = design_critical_point(sigmas, [F(7, 8)] * 3, inactive=inactive, widths=(2, 2, 2, 2),
                                  orthogonals=[I2, Q, Qp, I2])
    c = classify_regularized(pb, W)
    assert (c.loss, c.kind) == (loss, kind)
    assert c.error_bound.holds
    if orbit is not None:
        assert c.error_bound.orbit_dimension == orbit
    if kind == STRICT_SADDLE:
        assert c.inertia.n_minus == 1


def test_T6_origin_and_degenerate_control():
    pb = Problem.create([[1, 0], [0, 1]], [[F(15, 8), 0], [0, F(1, 2)]], F(7, 8))
    c = classify_regularized(pb, [[[0, 0], [0, 0]]] * 3)
    assert c.loss == F(241, 128) and c.inertia.n_minus == 0 and c.error_bound.nullity == 0
    pb, W = design_critical_point([[1, 1, 1]], [3] * 3, inactive=[1], widths=(2, 2, 2, 2), orthogonals=[I2, Q, Qp, I2])
    c = classify_regularized(pb, W)
    assert (c.error_bound.nullity, c.error_bound.orbit_dimension) == (3, 2)
    assert c.kind == UNDECIDED


# ---------------------------------------------------------------- T7 (unequal lambda)

def test_T7_unequal_lambda():
    pb = scalar(3, [2, F(1, 2), 8])
    c = classify_regularized(pb, w(1, 2, F(1, 2)))
    assert c.loss == 5 and c.kind == LOCAL_MINIMIZER and c.weighted_balanced
    lo, hi = c.error_bound.mu_plus
    assert lo <= F(4570, 10000) + F(1, 10000) and hi >= F(4570, 10000) - F(1, 10000)
    origin = classify_regularized(pb, w(0, 0, 0))
    assert origin.kind == GLOBAL_MINIMIZER and origin.loss == F(9, 2)
    form = closed_form_spectrum(pb, (1, 1, 1, 1))
    roots = [s for s, _ in form.modes[0].values]
    assert roots[1].value == 1
    assert roots[0].polynomial == (-8, 19, -8, 1)
    assert abs(roots[0].lower - F(5324961429, 10**10)) < F(1, 10**10) and roots[0].upper - roots[0].lower < F(1, 10**20)
    saddle = [v for v in critical_values(form) if not v.exact][0]
    assert saddle.lower < F(50151921, 10**7) + F(1, 10**7) and saddle.upper > F(50151921, 10**7) - F(1, 10**7)
    assert error_bound_data_condition(scalar(4, [1, 3, 9]), 3)[0] is False


def test_T7_degenerate_partner_has_nullity_one():
    # +-(sqrt 3, 1, 1/sqrt 3) is irrational; check the R2 count instead: double root s = s* = 1 of s(4-s)^3 = 27
    form = closed_form_spectrum(scalar(4, [1, 3, 9]), (1, 1, 1, 1))
    assert [(s.value, m) for s, m in form.modes[0].values] == [(1, 2)]


# ---------------------------------------------------------------- identities and properties

def test_not_critical_reported():
    c = classify_regularized(scalar(3, 1), w(1, 1))
    assert c.kind == NOT_CRITICAL


def test_weighted_balance_fails_off_critical():
    pb = scalar(3, [1, 4])
    assert not is_weighted_balanced(pb, w(1, 1))
    assert weighted_balance_defects(pb, w(2, 1))[0].rows == ((F(0),),)   # 1*4 = 4*1


def test_irrational_singular_value():
    # y = sqrt 2, L = 2, lambda = 1: s = sqrt 2 - 1 (the soft threshold), value (sqrt2 - s)(sqrt2 + s)/2 = (2 - (sqrt2-1)^2)/2
    pb = Problem.create([[1]], [[1]], 1)
    pb = Problem.create([[1, 0], [0, 1]], [[1, 1], [1, -1]], 1)    # M M^T = 2 I: y = sqrt 2 twice
    form = closed_form_spectrum(pb, (2, 2, 2))
    (s, m), = form.modes[0].values
    assert (s.lower + 1) ** 2 < 2 < (s.upper + 1) ** 2
    gv = global_minimum_value(form)
    target = 2 * (2 - (F(141421356237, 10**11) - 1) ** 2) / 2
    assert abs(gv.lower - target) < F(1, 10**9)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.fractions(min_value=F(1, 4), max_value=3, max_denominator=4), min_size=2, max_size=3),
       st.fractions(min_value=F(1, 4), max_value=2, max_denominator=4))
def test_designed_points_are_critical_and_balanced(sigmas, lam):
    """Theorem R1 sufficiency: the constructive form is critical for every rational choice."""
    H = len(sigmas)
    # equal lambda: a mode needs equal layer sigmas
    pb, W = design_critical_point([[sigmas[0]] * H, [sigmas[1]] * H], [lam] * H, inactive=[F(1, 3)],
                                  widths=(3,) + (2,) * (H - 1) + (3,))
    assert is_critical(pb, W) and is_weighted_balanced(pb, W)


def test_mu_plus_bracket_contains_charpoly_root_T7():
    """The inertia-verified bracket of mu_+ contains the smallest positive root of the charpoly (an independent path)."""
    from exactdln.landscape.derivatives import hessian_matrix
    pb = scalar(3, [2, F(1, 2), 8])
    W = w(1, 2, F(1, 2))
    lo, hi = error_bound(pb, W).mu_plus
    roots = [r.refine(F(1, 10**30)) for r, _ in real_roots(hessian_matrix(pb, W).charpoly())]
    smallest = min(roots, key=lambda r: abs(r.lower))
    assert lo <= smallest.lower and smallest.upper <= hi and hi - lo < F(1, 10**6)


@pytest.mark.parametrize("sigmas,inactive", [
    ([[F(1, 2)] * 3], [F(1, 2)]),
    ([[1, 1, 1], [1, 1, 1]], []),
    ([[1, 1, 1]], [F(15, 8)]),
    ([[1, 1, 1], [F(1, 2)] * 3], []),
])
def test_reduced_hessian_inertia_with_weight_decay(sigmas, inactive):
    # lambda > 0: only the orthogonal (skew) orbit directions are split off; the inertia must equal Descartes'
    # count on the characteristic polynomial of the full Hessian (an independent algorithm on the full matrix)
    from exactdln.theory.classify import hessian_inertia
    from exactdln.arith.inertia import symmetric_inertia
    from exactdln.landscape.derivatives import hessian_matrix

    pb, W = design_critical_point(sigmas, [F(7, 8)] * 3, inactive=inactive, widths=(2, 2, 2, 2),
                                  orthogonals=[I2, Q, Qp, I2])
    assert is_critical(pb, W)
    assert hessian_inertia(pb, W) == symmetric_inertia(hessian_matrix(pb, W), method="charpoly")
