"""Tests of exactdln.theory.classify: the three routes on the worked cases and on random critical points.

Expected values are written out here from the worked cases, never taken from the code under test:
- docs/maths/classification.md §8 (TC1a..TC6): class, loss (in our 1/2 convention), S where stated;
- docs/maths/global_optimality.md §4 (T1..T8): verdict, loss, Hessian facts (T5/T5c identically zero, T5b has
  4 negative eigenvalues from the exact characteristic polynomial t^8 (t^4 - 22 t^2 + 8)^2, T4 exactly one);
- the family theorems of docs/maths/classification.md §3.6 for random instances (their expected kind comes from construct, which builds
  it from the theorem, not from a classifier), and Sylvester's law of inertia for scrambled copies.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings

from exactdln.theory.classify import classify, hessian_inertia
from exactdln.instances.construct import random_instance, scramble, worked_instances
from exactdln.landscape.products import partial_ranks
from exactdln.model.problem import Problem
from exactdln.model.results import (
    GLOBAL_MINIMIZER,
    NON_STRICT_SADDLE,
    NOT_CRITICAL,
    STRICT_SADDLE,
    UNDECIDED,
    Inertia,
)

try:
    from tests.support.strategies import instances
except ImportError:  # tests/ became a package
    from tests.support.strategies import instances

G, S, N, X_ = GLOBAL_MINIMIZER, STRICT_SADDLE, NON_STRICT_SADDLE, NOT_CRITICAL
half = Fraction(1, 2)

# name -> (kind, loss in our 1/2 convention, S or None when none is stated), copied from the worked cases.
WORKED = {
    # docs/maths/classification.md §8: losses halved
    "TC1a": (G, 1 * half, (1,)),
    "TC1b": (S, 4 * half, (2,)),
    "TC1c": (S, 5 * half, ()),
    "TC2a": (N, 1 * half, (1,)),
    "TC2b": (S, 1 * half, None),
    "TC2c": (N, 10 * half, ()),
    "TC2d": (S, 9 * half, (2,)),
    "TC2e": (G, Fraction(0), (1, 2)),
    "TC3a": (N, 5 * half, None),
    "TC3b": (S, 5 * half, None),
    "TC4a": (S, 1 * half, None),
    "TC4b": (N, 1 * half, None),
    "TC5a": (N, 1 * half, None),
    "TC5b": (S, 9 * half, (2,)),
    "TC6": (N, 1 * half, None),
    # docs/maths/global_optimality.md §4: already halved; S from the product column (P_{u1,u2} R, P_{u1,u3} R, ...)
    "T1": (G, Fraction(3, 2), (1, 2, 3)),
    "T2": (N, Fraction(2), (1, 2)),
    "T3": (G, Fraction(2), (1, 2)),
    "T4": (S, Fraction(5, 2), (1, 3)),
    "T5": (N, Fraction(6), ()),
    "T5b": (S, Fraction(6), ()),
    "T5c": (N, Fraction(6), ()),
    "T6a": (G, Fraction(1), None),
    "T6b": (N, Fraction(3), None),
    "T7": (X_, Fraction(13, 2), None),
    "T8": (G, Fraction(0), None),
}

CASES = dict(worked_instances())
RUNNABLE = list(WORKED)
IN_H = [name for name in RUNNABLE if name not in ("T6a", "T6b", "T8")]


@pytest.fixture(scope="module")
def results():
    return {name: classify(CASES[name].problem, CASES[name].weights, method="auto") for name in RUNNABLE}


def test_gallery_holds_every_worked_case():
    assert set(CASES) == set(WORKED)
    for name, (kind, loss, _) in WORKED.items():
        assert CASES[name].expected_kind == kind, name
        assert CASES[name].loss == loss, name


@pytest.mark.parametrize("name", RUNNABLE)
def test_gallery_kind_loss_and_agreement(results, name):
    kind, loss, fitted = WORKED[name]
    c = results[name]
    assert c.kind == kind
    assert c.agree is True
    assert c.loss == loss
    if fitted is not None:
        assert tuple(c.fitted) == fitted
    assert c.critical is (kind != NOT_CRITICAL)


@pytest.mark.parametrize("name", IN_H)
def test_gallery_cases_under_H_run_all_three_routes(results, name):
    c = results[name]
    assert c.assumptions.holds
    methods = {m.method: m.kind for m in c.methods}
    if WORKED[name][0] == NOT_CRITICAL:
        return
    assert {"theorem", "global_test", "hessian"} <= set(methods)
    assert methods["theorem"] == methods["hessian"] == WORKED[name][0]
    assert (methods["global_test"] == GLOBAL_MINIMIZER) == (WORKED[name][0] == GLOBAL_MINIMIZER)


def n_params(name):
    w = CASES[name].weights
    return sum(m.nrows * m.ncols for m in w)


@pytest.mark.parametrize("name", ["T5", "T5c"])
def test_hessian_identically_zero(results, name):
    # docs/maths/global_optimality.md §4: Hessian == 0 at T5 and T5c
    assert results[name].inertia == Inertia(0, 0, n_params(name))


def test_t5b_kawaguchi_caveat_four_negative_eigenvalues(results):
    # docs/maths/global_optimality.md §2.3: exact charpoly t^8 (t^4 - 22 t^2 + 8)^2; t^4 - 22t^2 + 8 has roots t^2 = 11 +- sqrt(113) > 0,
    # i.e. two positive and two negative roots, each double: inertia (4, 4, 8)
    assert results["T5b"].inertia == Inertia(4, 4, 8)


def test_t4_exactly_one_negative_eigenvalue(results):
    assert results["T4"].inertia.n_minus == 1


@pytest.mark.parametrize("name", ["TC2a", "TC3a", "TC4b", "TC5a", "TC6", "T2", "T1", "T3", "TC1a", "TC2e"])
def test_psd_hessian_at_non_strict_saddles_and_minimizers(results, name):
    assert results[name].inertia.n_minus == 0


@pytest.mark.parametrize("name", ["TC1b", "TC1c", "TC2b", "TC2d", "TC3b", "TC4a", "TC5b"])
def test_negative_eigenvalue_at_certified_strict_saddles(results, name):
    # docs/maths/classification.md §8 gives each an explicit direction with Hess < 0
    assert results[name].inertia.n_minus >= 1


@pytest.mark.parametrize("a, b", [("TC3a", "TC3b"), ("TC4a", "TC4b")])
def test_rank_only_counterexamples(results, a, b):
    # docs/maths/classification.md §3: identical rk W_{j:i} for every j >= i, opposite classes
    pa = partial_ranks(CASES[a].problem, CASES[a].weights)
    pb = partial_ranks(CASES[b].problem, CASES[b].weights)
    assert pa == pb
    assert {results[a].kind, results[b].kind} == {S, N}


def test_t2_vs_t3_same_product_opposite_verdicts(results):
    # docs/maths/global_optimality.md §4: same product P_{u1,u2} R and loss 2; architecture (k) decides
    assert results["T2"].loss == results["T3"].loss == 2
    assert results["T2"].kind == N and results["T3"].kind == G


def test_t8_assumption_reporting(results):
    c = results["T8"]
    assert c.assumptions.sigma_xx_invertible is True
    assert c.assumptions.sigma_yx_full_rank is False
    assert not c.assumptions.holds
    assert "theorem" not in {m.method for m in c.methods}


def test_t6a_assumption_reporting(results):
    # d_x = 1 < d_y = 2: rank Sigma_YX = 1 < d_y
    c = results["T6a"]
    assert c.assumptions.sigma_yx_full_rank is False
    assert "theorem" not in {m.method for m in c.methods}


def test_t6b_hessian_route_outside_H():
    inst = CASES["T6b"]
    c = classify(inst.problem, inst.weights, method="hessian")
    # all three matrices zero: every second-order term has a factor W_h = 0, Hessian == 0 (docs/maths/global_optimality.md §4)
    assert c.inertia == Inertia(0, 0, 6)
    assert c.loss == 3
    # X, Y of full row rank: Lu-Kawaguchi 2017 Thm 2.3, no spurious local minima -> non-strict saddle
    assert c.kind == N


def test_t6b_theorem_route_outside_H():
    inst = CASES["T6b"]
    c = classify(inst.problem, inst.weights, method="theorem")
    assert c.loss == 3 and c.critical
    assert not c.assumptions.holds
    assert c.kind in (N, UNDECIDED)
    assert c.inertia is None


def test_singular_sigma_xx_is_reported():
    # X has rank 1, so Sigma_XX = X X^T is singular; W = 0 is critical (H >= 2, every gradient has a zero factor)
    problem = Problem.create([[1, 0], [1, 0]], [[1, 2]])
    weights = [[[0, 0]], [[0]]]
    c = classify(problem, weights, method="auto")
    assert c.critical
    assert c.assumptions.sigma_xx_invertible is False
    assert not c.assumptions.holds
    assert "theorem" not in {m.method for m in c.methods}
    assert c.loss == Fraction(5, 2)


@pytest.mark.parametrize("name", RUNNABLE)
def test_method_theorem_builds_no_hessian(name):
    c = classify(CASES[name].problem, CASES[name].weights, method="theorem")
    assert c.inertia is None
    assert "hessian" not in {m.method for m in c.methods}
    assert c.kind == WORKED[name][0] or (not c.assumptions.holds and c.kind in (WORKED[name][0], UNDECIDED))


@pytest.mark.parametrize("name", RUNNABLE)
def test_method_hessian_always_has_inertia(name):
    c = classify(CASES[name].problem, CASES[name].weights, method="hessian")
    assert c.inertia is not None
    assert c.inertia.size == n_params(name)
    assert c.kind == WORKED[name][0]


def test_auto_skips_hessian_above_the_limit_and_says_so():
    inst = CASES["T1"]
    c = classify(inst.problem, inst.weights, method="auto", hessian_limit=5)
    assert c.inertia is None
    assert any("skipped" in n for n in c.notes)
    assert c.kind == G


def test_unknown_method_refused():
    inst = CASES["T1"]
    with pytest.raises(ValueError):
        classify(inst.problem, inst.weights, method="magic")


def test_hessian_inertia_size_and_not_critical_point():
    inst = CASES["T7"]
    i = hessian_inertia(inst.problem, inst.weights)
    assert i.size == n_params("T7")


# --- property tests --------------------------------------------------------------------------------------------

PROP = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _routes(c):
    return {m.method: m.kind for m in c.methods}


def _check_routes_agree(c, expected):
    assert c.agree is True
    r = _routes(c)
    assert r["theorem"] == expected
    assert r["hessian"] == expected
    assert (r["global_test"] == GLOBAL_MINIMIZER) == (expected == GLOBAL_MINIMIZER)


@pytest.mark.parametrize("kind", [G, S, N])
def test_random_family_points_by_kind(kind):
    @PROP
    @given(instances(kind=kind, max_depth=4, max_width=3))
    def check(instance):
        c = classify(instance.problem, instance.weights, method="hessian")
        c_theorem = classify(instance.problem, instance.weights, method="theorem")
        assert c.kind == instance.expected_kind == kind
        assert c_theorem.kind == kind
        assert c.loss == instance.loss
        assert tuple(c.fitted) == tuple(instance.fitted)
        # hessian method still runs the theorem route when (H) holds (constructed data satisfy it)
        assert c.assumptions.holds
        c_auto = classify(instance.problem, instance.weights, method="auto")
        _check_routes_agree(c_auto, kind)
        if kind != S:
            assert c.inertia.n_minus == 0
        else:
            assert c.inertia.n_minus >= 1

    check()


@PROP
@given(instances(max_depth=4, max_width=3))
def test_scrambled_copies_keep_kind_and_inertia(instance):
    # Sylvester: a linear change of parameters that preserves L is a congruence of the Hessian
    rng = random.Random(repr(instance.weights[0].rows))
    problem2, weights2 = scramble(instance.problem, instance.weights, rng)
    a = classify(instance.problem, instance.weights, method="auto")
    b = classify(problem2, weights2, method="auto")
    assert a.kind == b.kind == instance.expected_kind
    assert a.inertia == b.inertia
    assert a.loss == b.loss
    assert a.fitted == b.fitted
    assert a.partial_ranks == b.partial_ranks


@pytest.mark.slow
def test_many_random_critical_points_theorem_vs_hessian():
    rng = random.Random(20240242)
    seen = {G: 0, S: 0, N: 0}
    for _ in range(2000):
        inst = random_instance(rng, max_depth=5, max_width=4)
        c = classify(inst.problem, inst.weights, method="auto", hessian_limit=10**6)
        r = _routes(c)
        assert c.agree, (inst, c.methods)
        assert r["theorem"] == r["hessian"] == inst.expected_kind, inst
        seen[inst.expected_kind] += 1
    assert min(seen.values()) > 100


# --- lambda > 0: exact inertia from a hand derivation -----------------------------------------------------------

@pytest.mark.parametrize("lam, expected", [
    # H = 2 at W = 0: Hess[T,T] = lam (||T_1||^2 + ||T_2||^2) - 2 <G, T_2 T_1>, G = Sigma_YX = diag(3, 1).
    # It splits over the d_1 hidden units into d_1 copies of [[lam I, -G^T], [-G, lam I]], whose eigenvalues are
    # lam +- sigma_i(G): n_minus = d_1 #{sigma_i > lam}, n_zero = d_1 #{sigma_i = lam}.
    (2, Inertia(6, 2, 0)),
    (1, Inertia(4, 2, 2)),
    (4, Inertia(8, 0, 0)),
    (Fraction(1, 2), Inertia(4, 4, 0)),
])
def test_regularized_inertia_at_zero_depth_two(lam, expected):
    problem = Problem.create([[1, 0], [0, 1]], [[3, 0], [0, 1]], str(lam))
    weights = [[[0, 0], [0, 0]], [[0, 0], [0, 0]]]
    assert hessian_inertia(problem, weights) == expected


def test_regularized_zero_hessian_is_lambda_identity_at_depth_three():
    # H = 3 at W = 0: every second-order term of the data part has a factor W_h = 0, so Hess = lam I (positive
    # definite): W = 0 is a strict local minimizer of the regularized loss.
    problem = Problem.create([[1, 0], [0, 1]], [[3, 0], [0, 1]], "1/3")
    weights = [[[0, 0], [0, 0]]] * 3
    assert hessian_inertia(problem, weights) == Inertia(12, 0, 0)



def test_classify_regularized_strict_saddle_at_zero():
    # lam = 2 < sigma_1(G) = 3: two negative eigenvalues (derivation above), so a strict saddle
    problem = Problem.create([[1, 0], [0, 1]], [[3, 0], [0, 1]], "2")
    weights = [[[0, 0], [0, 0]], [[0, 0], [0, 0]]]
    c = classify(problem, weights, method="hessian", source="p.json")
    assert c.critical and c.kind == S
    assert c.loss == 5                      # 1/2 ||Y||^2 = 1/2 (9 + 1)


def test_classify_regularized_zero_at_depth_three_is_a_minimizer():
    problem = Problem.create([[1, 0], [0, 1]], [[3, 0], [0, 1]], "1/3")
    weights = [[[0, 0], [0, 0]]] * 3
    c = classify(problem, weights, method="hessian")
    assert c.critical
    assert c.kind in (GLOBAL_MINIMIZER, "local_minimizer")


@pytest.mark.parametrize("name, value", [
    # docs/maths/global_optimality.md §4, data D3: global values 3/2 (k = 3), 2 (k = 2); T2 has k = 3, T3/T4 have k = 2
    ("T1", "3/2"), ("T2", "3/2"), ("T3", "2"), ("T4", "2"), ("T5", "2"),
    # docs/maths/classification.md §8 halved: TC1 (r_max = 1) 1/2 (loss of TC1a); TC2 (r_max = 2) 0 (loss of TC2e); TC3 r_max = 3: 0
    ("TC1b", "1/2"), ("TC2a", "0"), ("TC3a", "0"), ("TC6", "0"),
])
def test_global_minimum_value(results, name, value):
    assert results[name].global_value == value
