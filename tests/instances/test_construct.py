"""Tests of exactdln.instances.construct: every constructed point is what its theorem says it is.

Expected values come from elsewhere: the gradient formula of docs/maths/README.md §2 (recomputed here with a small
flint routine of our own), the first-order characterization of Achour et al. (JMLR 2024) (product =
P_S Sigma_YX Sigma_XX^-1, docs/maths/classification.md §2.1), docs/maths/global_optimality.md §2.1 (d)
(loss = 1/2 (||Y||^2 - sum_{i in S} lambda_i)), and the loss values printed in docs/maths/classification.md §8 and
docs/maths/global_optimality.md §4.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from flint import fmpq, fmpq_mat
from hypothesis import HealthCheck, given, settings

from exactdln.instances.construct import (
    cayley_orthogonal,
    conjugate_hidden,
    worked_instances,
    global_minimizer,
    large_instance,
    minimal_critical_point,
    n1_point,
    random_instance,
    random_invertible,
    random_rational_orthogonal,
    scramble,
    scramble_spectral,
    segmented_critical_point,
    spectral_data,
    two_cut_point,
)
from exactdln.model.problem import RationalMatrix
from exactdln.model.results import GLOBAL_MINIMIZER, NON_STRICT_SADDLE, NOT_CRITICAL, STRICT_SADDLE

try:
    from tests.support.strategies import instances, spectral_datas
except ImportError:  # tests/ became a package
    from tests.support.strategies import instances, spectral_datas

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- an independent little toolkit (flint), from the formulas of docs/maths/README.md §2 --------------------------------

def mat(m: RationalMatrix) -> fmpq_mat:
    return fmpq_mat(m.nrows, m.ncols, [fmpq(x.numerator, x.denominator) for x in m.entries()])


def eye(n: int) -> fmpq_mat:
    out = fmpq_mat(n, n)
    for i in range(n):
        out[i, i] = 1
    return out


def partial(ws: list[fmpq_mat], j: int, i: int) -> fmpq_mat:
    """W_{j:i} = W_j ... W_i (1-based), identity when j = i - 1."""
    out = eye(ws[i - 2].nrows() if i >= 2 else ws[0].ncols())
    for h in range(i, j + 1):
        out = ws[h - 1] * out
    return out


def gradient_blocks(problem, weights) -> list[fmpq_mat]:
    """dL/dW_h = -W_{H:h+1}^T G W_{h-1:1}^T with G = Sigma_YX - W_{H:1} Sigma_XX (docs/maths/README.md §2, lambda = 0)."""
    X, Y = mat(problem.X), mat(problem.Y)
    ws = [mat(w) for w in weights]
    H = len(ws)
    G = Y * X.transpose() - partial(ws, H, 1) * X * X.transpose()
    return [-(partial(ws, H, h + 1).transpose() * G * partial(ws, h - 1, 1).transpose()) for h in range(1, H + 1)]


def is_critical(problem, weights) -> bool:
    return all(all(x == 0 for x in g.entries()) for g in gradient_blocks(problem, weights))


def loss(problem, weights) -> Fraction:
    """1/2 ||W_{H:1} X - Y||_F^2."""
    ws = [mat(w) for w in weights]
    E = partial(ws, len(ws), 1) * mat(problem.X) - mat(problem.Y)
    total = sum((x * x for x in E.entries()), fmpq(0))
    return Fraction(int(total.p), int(total.q)) / 2


def frob2(m: RationalMatrix) -> Fraction:
    return sum((x * x for x in m.entries()), Fraction(0))


def sigma_and_regression(problem) -> tuple[fmpq_mat, fmpq_mat]:
    X, Y = mat(problem.X), mat(problem.Y)
    sxx_inv = (X * X.transpose()).inv()
    syx = Y * X.transpose()
    reg = syx * sxx_inv
    return reg * syx.transpose(), reg


def rank_of(m: fmpq_mat) -> int:
    return m.rref()[1]


def projector(U: fmpq_mat, S) -> fmpq_mat:
    US = fmpq_mat(U.nrows(), len(S), [U[a, i - 1] for a in range(U.nrows()) for i in S])
    return US * US.transpose()


# --- orthogonal and invertible building blocks ------------------------------------------------------------------

def test_cayley_of_a_hand_skew_matrix():
    # K = [[0, 1], [-1, 0]]: (I - K)(I + K)^-1 = [[0, -1], [1, 0]] (a hand computation).
    Q = cayley_orthogonal(RationalMatrix(((Fraction(0), Fraction(1)), (Fraction(-1), Fraction(0)))))
    assert Q.tolist() == [[0, -1], [1, 0]]


def test_cayley_rejects_non_skew():
    with pytest.raises(ValueError):
        cayley_orthogonal(RationalMatrix.identity(2))


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("axis_aligned", [False, True])
def test_random_orthogonal_is_orthogonal(n, axis_aligned):
    Q = mat(random_rational_orthogonal(n, random.Random(n), axis_aligned=axis_aligned))
    assert Q.transpose() * Q == eye(n)


def test_random_invertible_is_invertible_and_has_big_entries_on_request():
    A = mat(random_invertible(6, random.Random(3), digits=40))
    assert A.det() != 0
    assert max(abs(int(x.p)) for x in A.entries()) >= 10**39


# --- data with a designed spectrum (docs/maths/classification.md §7) ----------------------------------------------------------------

@FAST
@given(spectral_datas(max_width=4))
def test_designed_spectrum(data):
    # Sigma U = U diag(s^2) exactly, U orthogonal, and the regression matrix is Sigma_YX Sigma_XX^-1.
    sigma, reg = sigma_and_regression(data.problem)
    U = mat(data.U)
    D = fmpq_mat(len(data.singular_values), len(data.singular_values))
    for i, s in enumerate(data.singular_values):
        D[i, i] = fmpq(s.numerator, s.denominator) ** 2
    assert sigma * U == U * D
    assert U.transpose() * U == eye(data.d_y)
    assert reg == mat(data.regression)
    s = data.singular_values
    assert all(a > b for a, b in zip(s, s[1:])) and s[-1] > 0


def test_white_data_has_identity_covariance():
    data = spectral_data([3, 2, 1], 4, random.Random(0), white=True, m=6)
    X = mat(data.problem.X)
    assert X * X.transpose() == eye(4)


def test_spectral_data_refuses_d_y_above_d_x():
    with pytest.raises(ValueError):
        spectral_data([3, 2, 1], 2, random.Random(0))


# --- critical points: Prop. 1 product, criticality, loss (docs/maths/global_optimality.md §2.1(d)) -----------------------------------------

def check_critical_point(data, weights, S):
    """The three facts every construction must satisfy, from the theorems, not from the code."""
    assert is_critical(data.problem, weights)
    ws = [mat(w) for w in weights]
    # docs/maths/classification.md §2.1: W_{H:1} = P_S Sigma_YX Sigma_XX^-1, with Sigma_YX Sigma_XX^-1 recomputed from data
    _, reg = sigma_and_regression(data.problem)
    assert partial(ws, len(ws), 1) == projector(mat(data.U), S) * reg
    # docs/maths/global_optimality.md §2.1(d): L = 1/2 (||Y||^2 - sum_{i in S} s_i^2)
    expected = (frob2(data.problem.Y) - sum(data.singular_values[i - 1] ** 2 for i in S)) / 2
    assert loss(data.problem, weights) == expected


@pytest.mark.parametrize("white", [True, False])
def test_minimal_construction_every_index_set(white):
    rng = random.Random(11)
    data = spectral_data([5, 3, 2], 4, rng, white=white, m=5)
    widths = (4, 3, 2, 3)       # r_max = 2
    for S in [(), (1,), (2,), (3,), (1, 2), (1, 3), (2, 3)]:
        check_critical_point(data, minimal_critical_point(data, widths, S), S)


def test_minimal_construction_refuses_too_large_index_set():
    data = spectral_data([5, 3, 2], 3, random.Random(1))
    with pytest.raises(ValueError):
        minimal_critical_point(data, (3, 2, 3), (1, 2, 3))


def test_segmented_point_has_three_rank_r_segments():
    # family N1 (docs/maths/classification.md §3): rk W_{a:1} = rk W_{b-1:a+1} = rk W_{H:b} = r for the chosen cuts
    rng = random.Random(5)
    data = spectral_data([7, 4, 2, 1], 4, rng, white=False)
    widths = (4, 4, 4, 4, 4, 4)
    S = (1, 2)
    for a, b in [(1, 3), (2, 5), (1, 5), (3, 5)]:
        ws = segmented_critical_point(data, widths, S, rng, cuts=(a, b))
        check_critical_point(data, ws, S)
        fm = [mat(w) for w in ws]
        assert rank_of(partial(fm, a, 1)) == 2
        assert rank_of(partial(fm, b - 1, a + 1)) == 2
        assert rank_of(partial(fm, 5, b)) == 2


def test_n1_and_two_cut_points():
    rng = random.Random(9)
    data = spectral_data([6, 5, 3], 3, rng, white=False, m=4)
    for widths in [(3, 3, 3, 3), (3, 4, 3, 5, 3), (3, 3, 4, 4, 3, 3)]:
        for r in range(3):
            check_critical_point(data, n1_point(data, widths, r, rng), tuple(range(1, r + 1)))
            ws = two_cut_point(data, widths, r)
            check_critical_point(data, ws, tuple(range(1, r + 1)))
            # two cuts: index r+1 passes layers 1..H-2, so rk W_{H-2:1} = r + 1 > r (docs/maths/classification.md §3 S3)
            fm = [mat(w) for w in ws]
            H = len(fm)
            assert rank_of(partial(fm, H - 2, 1)) == r + 1


@pytest.mark.parametrize("seed", range(6))
def test_global_minimizer_parameterization(seed):
    # docs/maths/classification.md §4: W_{H:1} = P_[r_max] Sigma_YX Sigma_XX^-1 and the point is critical
    rng = random.Random(seed)
    d_y = rng.randint(1, 3)
    d_x = rng.randint(d_y, 4)
    data = spectral_data([9, 4, 1][:d_y], d_x, rng, white=seed % 2 == 0)
    H = rng.randint(2, 4)
    widths = (d_x,) + tuple(rng.randint(1, 4) for _ in range(H - 1)) + (d_y,)
    check_critical_point(data, global_minimizer(data, widths, rng), tuple(range(1, min(widths) + 1)))


def test_global_minimizer_with_bottleneck_at_every_end():
    rng = random.Random(2)
    data = spectral_data([9, 4], 3, rng, white=False)
    for widths in [(3, 2, 4, 2), (3, 4, 4, 2), (3, 1, 2), (3, 3, 1, 2)]:
        check_critical_point(data, global_minimizer(data, widths, rng), tuple(range(1, min(widths) + 1)))
    data = spectral_data([9, 4], 2, rng)
    check_critical_point(data, global_minimizer(data, (2, 3, 3, 2), rng), (1, 2))   # h* = 0 and h* = H


# --- symmetries ------------------------------------------------------------------------------------------------

@FAST
@given(instances(max_depth=4, max_width=3, scrambled=False))
def test_scramble_preserves_loss_criticality_and_product_form(instance):
    rng = random.Random(0)
    problem, weights = scramble(instance.problem, instance.weights, rng)
    assert is_critical(problem, weights)
    assert loss(problem, weights) == loss(instance.problem, instance.weights)


def test_scramble_spectral_tracks_the_eigenvectors():
    rng = random.Random(4)
    data = spectral_data([5, 3, 1], 4, rng, white=False, m=6)
    ws = segmented_critical_point(data, (4, 3, 3, 3, 3), (1, 3), rng)
    new, new_ws = scramble_spectral(data, ws, rng)
    check_critical_point(new, new_ws, (1, 3))
    sigma, _ = sigma_and_regression(new.problem)
    U = mat(new.U)
    assert U.transpose() * U == eye(3)
    D = U.transpose() * sigma * U
    assert all(D[i, j] == 0 for i in range(3) for j in range(3) if i != j)
    assert [D[i, i] for i in range(3)] == [25, 9, 1]


def test_conjugate_hidden_keeps_the_product():
    rng = random.Random(8)
    data = spectral_data([3, 1], 2, rng)
    ws = minimal_critical_point(data, (2, 3, 3, 2), (1,))
    cs = conjugate_hidden(ws, rng)
    assert partial([mat(w) for w in cs], 3, 1) == partial([mat(w) for w in ws], 3, 1)
    assert cs != ws


# --- random instances ------------------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(instances(max_depth=5, max_width=4))
def test_random_instances_are_critical_with_the_stated_loss(instance):
    from exactdln.landscape.derivatives import is_critical as package_is_critical

    assert is_critical(instance.problem, instance.weights)
    assert package_is_critical(instance.problem, instance.weights)   # the package's gradient agrees
    assert loss(instance.problem, instance.weights) == instance.loss
    assert instance.expected_kind in (GLOBAL_MINIMIZER, STRICT_SADDLE, NON_STRICT_SADDLE)
    r_max = min(instance.widths)
    S = instance.fitted
    # the kind is the one docs/maths/classification.md §3 assigns to the family
    if S == tuple(range(1, r_max + 1)):
        assert instance.expected_kind == GLOBAL_MINIMIZER
    elif S != tuple(range(1, len(S) + 1)) or len(instance.weights) == 2:
        assert instance.expected_kind == STRICT_SADDLE
    elif instance.family == "S3":
        assert instance.expected_kind == STRICT_SADDLE
    else:
        assert instance.expected_kind == NON_STRICT_SADDLE


@pytest.mark.parametrize("kind", [GLOBAL_MINIMIZER, STRICT_SADDLE, NON_STRICT_SADDLE])
def test_random_instance_kind_filter(kind):
    rng = random.Random(kind)
    for _ in range(15):
        inst = random_instance(rng, kind=kind, max_depth=4, max_width=3)
        assert inst.expected_kind == kind
        assert is_critical(inst.problem, inst.weights)


def test_random_instance_refuses_non_strict_at_depth_two():
    with pytest.raises(ValueError):
        random_instance(random.Random(0), kind=NON_STRICT_SADDLE, max_depth=2)


@pytest.mark.parametrize("kind", [GLOBAL_MINIMIZER, STRICT_SADDLE, NON_STRICT_SADDLE])
def test_random_instance_with_width_one(kind):
    inst = random_instance(random.Random(1), kind=kind, max_depth=3, max_width=1)
    assert is_critical(inst.problem, inst.weights)


def test_random_instance_is_reproducible_from_a_seed():
    assert random_instance(random.Random(123)) == random_instance(random.Random(123))


def test_large_instance_is_critical():
    inst = large_instance(random.Random(0), depth=4, width=6, digits=40)
    assert is_critical(inst.problem, inst.weights)
    assert loss(inst.problem, inst.weights) == inst.loss
    assert max(len(str(abs(x.numerator))) for w in inst.weights for x in w.entries()) >= 30


# --- the worked cases (docs/maths/classification.md §8, docs/maths/global_optimality.md §4) ------------------------

# Loss values as printed in docs/maths/classification.md §8 (no 1/2 there: halved here) and docs/maths/global_optimality.md §4 (already with 1/2).
WORKED_LOSSES = {
    "TC1a": Fraction(1, 2), "TC1b": Fraction(4, 2), "TC1c": Fraction(5, 2),
    "TC2a": Fraction(1, 2), "TC2b": Fraction(1, 2), "TC2c": Fraction(10, 2), "TC2d": Fraction(9, 2), "TC2e": 0,
    "TC3a": Fraction(5, 2), "TC3b": Fraction(5, 2), "TC4a": Fraction(1, 2), "TC4b": Fraction(1, 2),
    "TC5a": Fraction(1, 2), "TC5b": Fraction(9, 2), "TC6": Fraction(1, 2),
    "T1": Fraction(3, 2), "T2": 2, "T3": 2, "T4": Fraction(5, 2), "T5": 6, "T5b": 6, "T5c": 6,
    "T6a": 1, "T6b": 3, "T7": Fraction(13, 2), "T8": 0,
}
WORKED_KINDS = {
    "TC1a": GLOBAL_MINIMIZER, "TC1b": STRICT_SADDLE, "TC1c": STRICT_SADDLE, "TC2a": NON_STRICT_SADDLE,
    "TC2b": STRICT_SADDLE, "TC2c": NON_STRICT_SADDLE, "TC2d": STRICT_SADDLE, "TC2e": GLOBAL_MINIMIZER,
    "TC3a": NON_STRICT_SADDLE, "TC3b": STRICT_SADDLE, "TC4a": STRICT_SADDLE, "TC4b": NON_STRICT_SADDLE,
    "TC5a": NON_STRICT_SADDLE, "TC5b": STRICT_SADDLE, "TC6": NON_STRICT_SADDLE,
    "T1": GLOBAL_MINIMIZER, "T2": NON_STRICT_SADDLE, "T3": GLOBAL_MINIMIZER, "T4": STRICT_SADDLE,
    "T5": NON_STRICT_SADDLE, "T5b": STRICT_SADDLE, "T5c": NON_STRICT_SADDLE, "T6a": GLOBAL_MINIMIZER,
    "T6b": NON_STRICT_SADDLE, "T7": NOT_CRITICAL, "T8": GLOBAL_MINIMIZER,
}


def test_gallery_has_every_named_case():
    assert [name for name, _ in worked_instances()] == list(WORKED_LOSSES)


@pytest.mark.parametrize("name,instance", worked_instances(), ids=[n for n, _ in worked_instances()])
def test_gallery_case(name, instance):
    assert loss(instance.problem, instance.weights) == WORKED_LOSSES[name]
    assert instance.expected_kind == WORKED_KINDS[name]
    assert is_critical(instance.problem, instance.weights) == (name != "T7")


def test_gallery_d3_spectrum():
    # docs/maths/global_optimality.md §4: chi_Sigma = (t-6)(t-2)(t-1) with eigenvectors (1,0,-1), (1,-2,1), (1,1,1)
    problem = dict(worked_instances())["T1"].problem
    sigma, _ = sigma_and_regression(problem)
    for lam, u in [(6, (1, 0, -1)), (2, (1, -2, 1)), (1, (1, 1, 1))]:
        v = fmpq_mat(3, 1, list(u))
        assert sigma * v == v * fmpq(lam)


# --- the family theorems against the exact Hessian (docs/maths/classification.md §3; a disagreement is a finding) ------------------

def hessian_negative_count(problem, weights) -> int:
    """n_minus of the exact Hessian: Descartes' rule on chi(-x), exact since chi has only real roots."""
    from exactdln.landscape.derivatives import hessian_matrix

    coeffs = [c for c in hessian_matrix(problem, weights).charpoly().coeffs()]   # lowest degree first
    signs = [(-1) ** k * (1 if c > 0 else -1) for k, c in enumerate(coeffs) if c != 0]
    return sum(1 for a, b in zip(signs, signs[1:]) if a != b)


def check_family_kinds_against_hessian(seed: int, count: int, max_depth: int, max_width: int) -> None:
    # global minimizers and non-strict saddles have a PSD Hessian; strict saddles a negative eigenvalue
    rng = random.Random(seed)
    for _ in range(count):
        inst = random_instance(rng, max_depth=max_depth, max_width=max_width)
        negatives = hessian_negative_count(inst.problem, inst.weights)
        assert (negatives > 0) == (inst.expected_kind == STRICT_SADDLE), str(inst)


def test_family_kinds_agree_with_exact_hessian_sign():
    check_family_kinds_against_hessian(2024, 200, 5, 4)


@pytest.mark.slow
def test_family_kinds_agree_with_exact_hessian_sign_many():
    check_family_kinds_against_hessian(7, 3000, 6, 5)


@pytest.mark.parametrize("name,instance", [c for c in worked_instances() if c[0] != "T7"], ids=[n for n, _ in worked_instances() if n != "T7"])
def test_gallery_kinds_agree_with_exact_hessian_sign(name, instance):
    assert (hessian_negative_count(instance.problem, instance.weights) > 0) == (WORKED_KINDS[name] == STRICT_SADDLE)


def test_too_few_distinct_singular_values_is_an_error_not_a_hang():
    # 1-digit numerators and denominators give fewer than 81 distinct fractions, so 128 distinct values do not exist
    from exactdln.instances.construct import random_singular_values

    with pytest.raises(ValueError, match="more digits"):
        random_singular_values(128, random.Random(0), digits=1)
