"""The float64 path: worked cases, the stress corpus (never wrong), random points, speed-free.

float64 cannot prove a gradient is zero: at a critical point its definite kind is
``inconclusive``, criticality ``within_tolerance`` and the kind found is ``conditional_kind``.
"""

import random

import numpy as np
import pytest
from hypothesis import given, settings

from exactdln.tools.crosscheck import scale_hidden, stress_corpus
from exactdln.numeric.float64 import classify_float, hessian_matrix_float, nonzero_threshold, separate
from exactdln.model.problem import Problem

from tests.support.worked_cases import BRIEF_CASES
from tests.support.strategies import instances


@pytest.mark.parametrize("name", sorted(BRIEF_CASES))
def test_worked_cases_classified_as_stated(name):
    problem, weights, kind = BRIEF_CASES[name]
    r = classify_float(problem, weights)
    if kind == "not_critical":
        assert (r.kind, r.critical, r.conditional_kind) == ("not_critical", "no", None)
        assert r.gradient_norm > r.gradient_bound
    else:
        assert (r.kind, r.critical, r.conditional_kind) == ("inconclusive", "within_tolerance", kind)
        assert r.gradient_norm <= r.gradient_bound


def test_tc5b_minimum_eigenvalue_is_minus_3_sqrt2():
    # docs/maths/classification.md §8 TC5b: minEig ~ -6 sqrt 2 for L without 1/2; halved: -3 sqrt 2.
    problem, weights, _ = BRIEF_CASES["TC5b"]
    assert classify_float(problem, weights).min_eigenvalue == pytest.approx(-3 * 2 ** 0.5, rel=1e-12)


def test_yun_t5_hessian_is_zero_and_t5b_has_four_negative_eigenvalues():
    # docs/maths/global_optimality.md §4: T5 (all zero, widths 3,2,2,3 on D3) has Hessian == 0; T5b has 4 negative eigenvalues.
    X = [[0, -1, 1, 1], [0, -1, 1, 0], [1, 2, -1, 1]]
    Y = [[1, -1, 1, -1], [-1, 0, 1, 1], [0, 2, 0, 1]]
    p = Problem.create(X, Y)
    z = lambda a, b: [[0] * b for _ in range(a)]
    assert np.all(hessian_matrix_float(p, [z(2, 3), z(2, 2), z(3, 2)]) == 0)
    ws = [z(2, 3), z(2, 2), [[1, 0], [0, 1], [1, 1]]]
    r = classify_float(p, ws)
    assert (r.kind, r.conditional_kind) == ("inconclusive", "strict_saddle")
    assert int(np.sum(np.linalg.eigvalsh(hessian_matrix_float(p, ws)) < -1e-6)) == 4


def test_hessian_is_symmetric_and_matches_the_quadratic_form_by_finite_differences():
    # Hess[T,T] = d^2/dt^2 L(W + tT) at t = 0 (definition); central differences on a random point.
    rng = np.random.default_rng(1)
    p = Problem.create([[1, 2, 0], [0, 1, 1]], [[1, 0, 2], [2, 1, 1]], "1/3")
    Ws = [rng.integers(-2, 3, (2, 2)), rng.integers(-2, 3, (3, 2)), rng.integers(-2, 3, (2, 3))]
    Hm = hessian_matrix_float(p, [w.tolist() for w in Ws])
    assert np.allclose(Hm, Hm.T)
    X = np.array([[1, 2, 0], [0, 1, 1.0]]); Y = np.array([[1, 0, 2], [2, 1, 1.0]])

    def L(ws):
        P = ws[2] @ ws[1] @ ws[0]
        return 0.5 * np.sum((P @ X - Y) ** 2) + sum(np.sum(w * w) for w in ws) / 6

    T = rng.standard_normal(Hm.shape[0])
    parts, o = [], 0
    for w in Ws:
        parts.append(T[o:o + w.size].reshape(w.shape)); o += w.size
    t = 1e-4
    f = lambda s: L([w + s * d for w, d in zip(Ws, parts)])
    second = (f(t) - 2 * f(0) + f(-t)) / t ** 2
    assert T @ Hm @ T == pytest.approx(second, rel=1e-5)


def test_separate_has_three_outcomes():
    assert separate(1e-20, 1e-16, 1.0) is False
    assert separate(0.5, 1e-16, 1.0) is True
    assert separate(1e-14, 1e-16, 1.0) is None           # 100x the error bound: below the margin
    assert separate(1e-12, 1e-16, 1.0) is True           # 10^4 x the bound: above MARGIN = 1024
    assert nonzero_threshold(1e-16, 1.0) == pytest.approx(1024e-16)    # min(sqrt(1e-16), 1024e-16)
    assert nonzero_threshold(1e-4, 1e-3) == pytest.approx(1e-7 ** 0.5)     # min(sqrt(1e-7), 0.1024)


def test_printed_threshold_is_the_one_compared():
    # The nonzero threshold is min(sqrt(noise * scale), MARGIN * noise); a reason must print the
    # threshold the value was compared with, and the printed comparison must hold. Points: T7 and a
    # gradient of size ~1e-9 (TC2b with one entry moved by 1e-9), near the MARGIN threshold.
    import re
    from fractions import Fraction
    from exactdln.model.problem import RationalMatrix, as_weights
    noise, scale = 1e-16, 1.0
    assert nonzero_threshold(noise, scale) < (noise * scale) ** 0.5
    problem, weights, _ = BRIEF_CASES["TC2b"]
    ws = list(as_weights(weights))
    rows = [list(r) for r in ws[0].rows]
    rows[0][0] += Fraction(1, 10**9)
    ws[0] = RationalMatrix(tuple(map(tuple, rows)), ws[0].ncols)
    checked = 0
    for p, w in (BRIEF_CASES["T7"][:2], (problem, ws)):
        r = classify_float(p, w)
        assert r.critical == "no" and r.gradient_norm > r.gradient_bound
        for line in r.reasons:
            m = re.search(r"= ([0-9.e+-]+) >= nonzero threshold ([0-9.e+-]+) \(rounding-error bound ([0-9.e+-]+)\)", line)
            if m:
                v, t, n = map(float, m.groups())
                assert v >= 0.95 * t and t >= n
                assert t == pytest.approx(r.gradient_bound, rel=0.05)
                checked += 1
    assert checked == 2


def test_float_path_is_never_wrong_on_the_stress_corpus():
    from exactdln.arith.inertia import symmetric_inertia
    from exactdln.landscape.derivatives import hessian_matrix
    for case in stress_corpus(seed=1, size=45):
        r = classify_float(case.problem, case.weights)
        assert r.kind == "inconclusive" and r.critical != "no", (case.label, str(r))
        assert r.conditional_kind in (case.expected_kind, None), (case.label, str(r))
        if r.inertia is not None:
            assert r.inertia == symmetric_inertia(hessian_matrix(case.problem, case.weights))


def test_extreme_scaling_gives_inconclusive_not_wrong():
    problem, weights, kind = BRIEF_CASES["TC2a"]
    from exactdln.model.problem import as_weights
    r = classify_float(problem, scale_hidden(as_weights(weights), 9))
    assert r.kind == "inconclusive" and r.conditional_kind in (kind, None)
    assert r.rounded_input                   # 10^-9 is not a float64
    if r.conditional_kind is None:
        assert r.undecided or r.reasons          # it names the quantity


@settings(max_examples=40, deadline=None)
@given(instances())
def test_random_critical_points_never_contradict_the_theorem(inst):
    r = classify_float(inst.problem, inst.weights)
    assert r.kind == "inconclusive" and r.conditional_kind in (inst.expected_kind, None)
    assert r.critical in ("within_tolerance", "undecided")


def test_balance_hidden_keeps_the_product_and_undoes_power_of_two_scaling():
    # docs/maths/classification.md §7: a hidden change of basis keeps W_{H:1}; a diag(2^k, 2^-k) one is undone up to powers of two.
    from exactdln.numeric.float64 import balance_hidden
    from exactdln.model.problem import as_weights
    from exactdln.landscape.derivatives import loss
    problem, weights, _ = BRIEF_CASES["TC3a"]
    ws = as_weights(weights)
    scaled = scale_hidden(ws, 6)
    balanced, exps = balance_hidden(scaled)
    assert loss(problem, balanced) == loss(problem, ws)
    assert any(any(e) for e in exps)
    assert max(abs(float(x)) for w in balanced for x in w.entries()) < 1e3


def test_speed_point_n2000_is_decided():
    # the numeric paths' speed point: depth 5, width 20 (2000 parameters), minimal construction with S = [19]
    # under 6-digit hidden changes of basis: a non-strict saddle (docs/maths/classification.md §3 (c)).
    from exactdln.instances.construct import large_instance
    inst = large_instance(random.Random(0), depth=5, width=20, digits=6)
    r = classify_float(inst.problem, inst.weights)
    assert r.n_parameters == 2000 and r.conditional_kind == inst.expected_kind == "non_strict_saddle"
    assert r.kind == "inconclusive" and r.critical == "within_tolerance"
