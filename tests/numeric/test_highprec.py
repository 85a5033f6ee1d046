"""The mpmath path: worked cases, the stress corpus (always matches the theorem), no precision leak.

At a critical point the mpmath path reports ``critical == "within_tolerance"``, the definite kind
``inconclusive`` and the kind found as ``conditional_kind``; criticality is decided at the input's
height (exactdln.numeric.mp.gradient_to_height).
"""

import mpmath
import pytest
from hypothesis import given, settings

from exactdln.tools.crosscheck import stress_corpus
from exactdln.numeric.mp import classify_mp

from tests.support.worked_cases import BRIEF_CASES
from tests.support.strategies import instances


@pytest.mark.parametrize("name", sorted(BRIEF_CASES))
def test_worked_cases(name):
    problem, weights, kind = BRIEF_CASES[name]
    r = classify_mp(problem, weights)
    if kind == "not_critical":
        assert (r.kind, r.critical, r.conditional_kind) == ("not_critical", "no", None)
    else:
        assert (r.kind, r.critical, r.conditional_kind) == ("inconclusive", "within_tolerance", kind)
        assert any("input's height" in x for x in r.reasons)


def test_precision_does_not_leak():
    before = mpmath.mp.dps
    problem, weights, _ = BRIEF_CASES["TC3b"]
    classify_mp(problem, weights, start_digits=40)
    assert mpmath.mp.dps == before


def test_inertia_of_tc2c_is_zero_hessian():
    # docs/maths/classification.md §8 TC2c: W = 0 with H = 3, the Hessian is identically 0 (12 parameters).
    problem, weights, _ = BRIEF_CASES["TC2c"]
    r = classify_mp(problem, weights)
    assert (r.inertia.n_plus, r.inertia.n_minus, r.inertia.n_zero) == (0, 0, 12)


def test_mpmath_matches_the_theorem_on_every_stress_case():
    for case in stress_corpus(seed=2, size=30):
        r = classify_mp(case.problem, case.weights)
        assert r.kind == "inconclusive" and r.conditional_kind == case.expected_kind, (case.label, str(r))


def test_ldl_inertia_of_a_known_matrix():
    # Sylvester: diag(2, -3, 0) conjugated by a unimodular matrix has inertia (1, 1, 1).
    import numpy as np
    from exactdln.numeric.mp import MpArithmetic
    with mpmath.mp.workdps(30):
        ar = MpArithmetic()
        B = np.array([[1, 2, 0], [0, 1, 3], [0, 0, 1]], dtype=object)
        D = np.array([[2, 0, 0], [0, -3, 0], [0, 0, 0]], dtype=object)
        Hm = B.T @ D @ B
        Hm = np.vectorize(mpmath.mpf, otypes=[object])(Hm)
        inertia, n_minus, _, reasons = ar.hessian_inertia(Hm, mpmath.mpf(10) ** -25, mpmath.mpf(100))
    assert (inertia.n_plus, inertia.n_minus, inertia.n_zero) == (1, 1, 1) and not reasons


@settings(max_examples=15, deadline=None)
@given(instances(max_width=3))
def test_random_points_match_the_theorem(inst):
    r = classify_mp(inst.problem, inst.weights)
    assert (r.kind, r.critical, r.conditional_kind) == ("inconclusive", "within_tolerance", inst.expected_kind)


def test_orbit_reduced_inertia_equals_the_exact_inertia():
    # Sylvester: splitting off the orbit directions (in ker H at a critical point, docs/maths/classification.md §7)
    # keeps the inertia; compare with the exact core's inertia (exactdln.theory.classify.hessian_inertia).
    from exactdln.theory.classify import hessian_inertia
    from exactdln.instances.construct import random_instance
    import random
    rng = random.Random(7)
    reduced = 0
    for _ in range(8):
        inst = random_instance(rng, max_depth=4, max_width=3)
        r = classify_mp(inst.problem, inst.weights)
        assert r.inertia == hessian_inertia(inst.problem, inst.weights), str(inst)
        reduced += any("orbit directions split off" in s for s in r.reasons)
    assert reduced >= 4


def test_unconfirmed_zero_pivots_at_the_cap_leave_the_inertia_undecided():
    # Finding: 40-digit entries at a 50-digit cap put ~90 nonzero pivots in the zero band
    # (exact inertia (+99, -0, 0x201), docs/maths/classification.md §3 (c) minimal construction, depth 3 width 10).
    # Small version: depth 3, width 4, 40-digit entries, capped at 30 digits. Whatever the cap
    # gives, a certified inertia must equal the exact one.
    import random
    from exactdln.theory.classify import hessian_inertia
    from exactdln.instances.construct import large_instance
    inst = large_instance(random.Random(1), depth=3, width=4, digits=40)
    r = classify_mp(inst.problem, inst.weights, start_digits=30, max_digits=30)
    assert r.inertia is None or r.inertia == hessian_inertia(inst.problem, inst.weights)
    assert r.kind == "inconclusive" and r.conditional_kind in (inst.expected_kind, None)


def _moved(weights, delta):
    """The weights with entry [0][0] of W_1 moved by delta."""
    from exactdln.model.problem import RationalMatrix, as_weights
    ws = list(as_weights(weights))
    rows = [list(r) for r in ws[0].rows]
    rows[0][0] += delta
    ws[0] = RationalMatrix(tuple(map(tuple, rows)), ws[0].ncols)
    return ws


def test_height_escalation_proves_a_tiny_gradient_nonzero():
    # TC2b with W_1[0,0] moved by 10^-50: the gradient is of order 10^-50, far below the 30-digit
    # band; the integer scaling makes it a nonzero integer (>= 1), which a rigorous bound below 1/2 exposes.
    from fractions import Fraction
    from exactdln.numeric.mp import gradient_to_height
    from exactdln.landscape.derivatives import is_critical
    problem, weights, _ = BRIEF_CASES["TC2b"]
    ws = _moved(weights, Fraction(1, 10**50))
    assert not is_critical(problem, ws)
    g = gradient_to_height(problem, ws)
    assert g.critical == "no" and 0 < g.bound < g.norm < 1e-45
    assert "precision raised from 30 digits" in g.reasons[0]
    r = classify_mp(problem, ws)
    assert (r.kind, r.critical, r.conditional_kind) == ("not_critical", "no", None)


def test_height_cap_is_reported():
    # capped below the 10^-50 move's size, the gradient stays within tolerance and the reason says
    # the cap was hit; the definite kind is then inconclusive, never a critical kind.
    from fractions import Fraction
    problem, weights, kind = BRIEF_CASES["TC2b"]
    r = classify_mp(problem, _moved(weights, Fraction(1, 10**50)), max_gradient_digits=30)
    assert r.critical == "within_tolerance" and r.kind == "inconclusive"
    assert any("precision cap" in x and "raise max_gradient_digits" in x for x in r.reasons)


def test_integer_scaled_gradient_has_the_exact_norm():
    # N_h dL/dW_h / N_h is the gradient: its norm at a non-critical point (a random critical point of a
    # construct family with one entry moved by 1/7, regularized too) equals the exact gradient's norm
    # (exactdln.landscape.derivatives.gradient, summed in rationals by crosscheck.exact_gradient_norm).
    import random
    from fractions import Fraction
    from exactdln.instances.construct import random_instance
    from exactdln.tools.crosscheck import exact_gradient_norm
    from exactdln.numeric.mp import gradient_to_height
    from exactdln.model.problem import Problem
    rng = random.Random(3)
    for t in range(4):
        inst = random_instance(rng, max_depth=4, max_width=3)
        problem = inst.problem if t % 2 == 0 else Problem.create(inst.problem.X, inst.problem.Y, "1/3")
        ws = _moved(inst.weights, Fraction(1, 7))
        g = gradient_to_height(problem, ws)
        assert g.critical == "no"
        assert g.norm == pytest.approx(exact_gradient_norm(problem, ws), rel=1e-12)
