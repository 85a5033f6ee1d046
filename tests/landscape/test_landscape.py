"""Tests of exactdln.landscape: loss, gradient, Hessian form and matrix, partial products, orbit directions.

The reference values are computed here from first principles with plain Fractions: L(W + tT) is an exact polynomial
in t of degree <= 2H; interpolating it at 2H + 1 points gives its coefficients, and by Taylor's theorem the t^1
coefficient is <grad L, T> and the t^2 coefficient is Hess[T, T] / 2. Escape polynomials and Hessian values along the
certificate directions are those printed in docs/maths/classification.md §8 (halved: their L has no 1/2) and docs/maths/global_optimality.md §4.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from flint import fmpq, fmpq_mat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactdln.instances.construct import worked_instances
from exactdln.landscape.derivatives import (
    gradient,
    hessian_form,
    hessian_matrix,
    is_critical,
    loss,
    parameter_index,
)
from exactdln.landscape.point import ExactPoint
from exactdln.landscape.products import partial_product, partial_ranks
from exactdln.landscape.symmetry import orbit_directions
from exactdln.model.problem import Problem, RationalMatrix

try:
    from tests.support.strategies import instances
except ImportError:  # tests/ became a package
    from tests.support.strategies import instances

CASES = dict(worked_instances())
PROP = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- an independent Fraction toolkit ---------------------------------------------------------------------------

def Q(x) -> Fraction:
    """flint fmpq (or int/Fraction) -> Fraction."""
    if isinstance(x, (int, Fraction)):
        return Fraction(x)
    return Fraction(int(x.p), int(x.q))


def F(m) -> list[list[Fraction]]:
    if isinstance(m, RationalMatrix):
        return [list(r) for r in m.rows]
    return [[Fraction(x) for x in r] for r in m]


def mul(a, b):
    return [[sum((a[i][k] * b[k][j] for k in range(len(b))), Fraction(0)) for j in range(len(b[0]))]
            for i in range(len(a))]


def add(a, b, t=Fraction(1)):
    return [[x + t * y for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]


def eye(n):
    return [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]


def sq(a):
    return sum((x * x for r in a for x in r), Fraction(0))


def ref_loss(problem: Problem, ws) -> Fraction:
    """1/2 ||W_H...W_1 X - Y||^2 + sum_h lambda_h/2 ||W_h||^2 (docs/maths/README.md §2)."""
    P = F(problem.X)
    for w in ws:
        P = mul(w, P)
    value = sq(add(P, F(problem.Y), Fraction(-1))) / 2
    for lam, w in zip(problem.layer_lambdas(len(ws)), ws):
        value += lam * sq(w) / 2
    return value


def line_coefficients(problem, ws, T) -> list[Fraction]:
    """Coefficients c_0..c_{2H} of L(W + tT), by exact Lagrange interpolation at t = 0..2H."""
    H = len(ws)
    pts = list(range(2 * H + 1))
    vals = [ref_loss(problem, [add(w, d, Fraction(t)) for w, d in zip(ws, T)]) for t in pts]
    n = len(pts)
    coeffs = [Fraction(0)] * n
    for i, (xi, yi) in enumerate(zip(pts, vals)):
        basis = [Fraction(1)]      # polynomial prod_{j != i} (t - x_j) / (x_i - x_j), low degree first
        denom = Fraction(1)
        for j, xj in enumerate(pts):
            if j == i:
                continue
            basis = [Fraction(0)] + basis
            for k in range(len(basis) - 1):
                basis[k] -= xj * basis[k + 1]
            denom *= xi - xj
        for k in range(n):
            coeffs[k] += yi * basis[k] / denom
    return coeffs


def random_direction(rng, ws):
    return [[[Fraction(rng.randint(-3, 3), rng.randint(1, 3)) for _ in r] for r in w] for w in ws]


def flatten(T):
    return [x for w in T for r in w for x in r]


def random_point(rng, depth, width, lam=None):
    d = [rng.randint(1, width) for _ in range(depth + 1)]
    m = rng.randint(1, width + 1)
    X = [[rng.randint(-2, 2) for _ in range(m)] for _ in range(d[0])]
    Y = [[rng.randint(-2, 2) for _ in range(m)] for _ in range(d[-1])]
    ws = [[[Fraction(rng.randint(-3, 3), rng.randint(1, 2)) for _ in range(d[h - 1])] for _ in range(d[h])]
          for h in range(1, depth + 1)]
    if lam is None:
        lam = rng.choice([0, 0, "1/3", [str(rng.randint(0, 3)) for _ in range(depth)]])
    return Problem.create(X, Y, lam), ws


# --- loss along lines, gradient and Hessian identities ---------------------------------------------------------

def _check_identities(problem, ws, T):
    c = line_coefficients(problem, ws, T)
    assert Q(loss(problem, ws)) == c[0]
    grad = gradient(problem, ws)
    assert sum((g * t for gm, tm in zip(grad, T) for g, t in zip(gm.entries(), [x for r in tm for x in r])),
               Fraction(0)) == c[1]
    form = Q(hessian_form(problem, ws, T))
    assert form == 2 * c[2]
    Hm = hessian_matrix(problem, ws)
    assert Hm == Hm.transpose()
    v = flatten(T)
    n = len(v)
    assert Hm.nrows() == n
    vt = fmpq_mat(1, n, [fmpq(x.numerator, x.denominator) for x in v])
    assert Q((vt * Hm * vt.transpose())[0, 0]) == form
    assert is_critical(problem, ws) == all(x == 0 for g in grad for x in g.entries())


@PROP
@given(st.integers(0, 2**32 - 1), st.integers(1, 4))
def test_identities_at_random_points(seed, depth):
    rng = random.Random(seed)
    problem, ws = random_point(rng, depth, 3)
    _check_identities(problem, [F(w) for w in ws], random_direction(rng, ws))


@PROP
@given(instances(max_depth=4, max_width=3))
def test_identities_at_critical_points(instance):
    rng = random.Random(len(instance.weights))
    ws = [F(w) for w in instance.weights]
    T = random_direction(rng, ws)
    c = line_coefficients(instance.problem, ws, T)
    assert c[1] == 0                          # critical: no t^1 term
    assert is_critical(instance.problem, instance.weights)
    _check_identities(instance.problem, ws, T)


def test_parameter_order_is_layer_then_row_major():
    # docs/maths/README.md §2: layer h = 1..H in turn, entries of W_h row-major
    widths = (3, 2, 4)
    assert parameter_index(widths, 1, 0, 0) == 0
    assert parameter_index(widths, 1, 1, 2) == 5
    assert parameter_index(widths, 2, 0, 0) == 6
    assert parameter_index(widths, 2, 3, 1) == 6 + 3 * 2 + 1


def test_hessian_entries_follow_the_parameter_order():
    rng = random.Random(7)
    problem, ws = random_point(rng, 3, 3, lam=0)
    widths = (len(ws[0][0]),) + tuple(len(w) for w in ws)
    Hm = hessian_matrix(problem, ws)
    # e_a^T H e_b = (Hess[e_a + e_b] - Hess[e_a] - Hess[e_b]) / 2, with unit directions built by layer/row/col
    def unit(layer, row, col):
        return [[[Fraction(int(h == layer and i == row and j == col)) for j in range(len(w[0]))]
                 for i in range(len(w))] for h, w in enumerate(ws, 1)]
    a, b = (1, 0, min(1, widths[0] - 1)), (3, widths[3] - 1, 0)
    Ta, Tb = unit(*a), unit(*b)
    both = [add(x, y) for x, y in zip(Ta, Tb)]
    off = (Q(hessian_form(problem, ws, both)) - Q(hessian_form(problem, ws, Ta))
           - Q(hessian_form(problem, ws, Tb))) / 2
    assert Q(Hm[parameter_index(widths, *a), parameter_index(widths, *b)]) == off


# --- escape polynomials and certificate directions of the worked cases ------------------------------------------

def E(i, j, n=2, m=None):
    m = n if m is None else m
    return [[Fraction(int((r, c) == (i - 1, j - 1))) for c in range(m)] for r in range(n)]


def Z(n, m):
    return [[Fraction(0)] * m for _ in range(n)]


@pytest.mark.parametrize("name, T, poly", [
    # docs/maths/classification.md §8, halved: coefficient lists low degree first
    ("TC2a", [E(2, 2)] * 3, {0: Fraction(1, 2), 3: -1, 6: Fraction(1, 2)}),
    ("TC2c", [E(1, 1)] * 3, {0: 5, 3: -3, 6: Fraction(1, 2)}),
    ("TC5a", [E(2, 2)] * 3, {0: Fraction(1, 2), 3: -2, 6: Fraction(5, 2)}),
    ("TC6", [E(2, 2)] * 4, {0: Fraction(1, 2), 4: -1, 8: Fraction(1, 2)}),
    # docs/maths/global_optimality.md §4 (already with 1/2): T5 along D1 = [[1,0,-1],[0,0,0]], D2 = E11, D3 = [[1,0],[0,0],[-1,0]]
    ("T5", [[[1, 0, -1], [0, 0, 0]], E(1, 1), [[1, 0], [0, 0], [-1, 0]]], {0: 6, 3: -10, 6: 14}),
    # docs/maths/global_optimality.md §4 T2: row 3 of W1 += s (R^T u3)^T = s (0, 2, 1), (W2)_33 += s, column 3 of W3 += s u3, u3 = (1,1,1)
    ("T2", [[[0, 0, 0], [0, 0, 0], [0, 2, 1]], E(3, 3, 3), [[0, 0, 1], [0, 0, 1], [0, 0, 1]]],
     {0: 2, 3: -3, 6: Fraction(9, 2)}),
])
def test_escape_polynomials_of_the_worked_cases(name, T, poly):
    inst = CASES[name]
    ws = [F(w) for w in inst.weights]
    T = [F(t) for t in T]
    c = line_coefficients(inst.problem, ws, T)
    assert c == [Fraction(poly.get(k, 0)) for k in range(len(c))]
    # the package's loss on the same line agrees at a few points
    for t in (Fraction(1, 3), Fraction(-2)):
        moved = [add(w, d, t) for w, d in zip(ws, T)]
        assert Q(loss(inst.problem, moved)) == sum(ck * t**k for k, ck in enumerate(c))


@pytest.mark.parametrize("name, T, value", [
    # docs/maths/classification.md §8 Hessian values along the certificates, halved
    ("TC1b", [[[1, 0]], [[1], [0]]], -2),
    ("TC1c", [[[1, 0]], [[1], [0]]], -4),
    ("TC2b", [Z(2, 2), E(2, 2), E(2, 2)], -2),
    ("TC2d", [[[0, 0], [1, 0]], Z(2, 2), [[0, 1], [0, 0]]], -4),   # W_1(E21 - E12), (E12 - E21) W_3, W = diag(0,1)
    ("TC3b", [Z(3, 3), E(2, 2, 3), E(2, 2, 3), Z(3, 3)], -4),
    ("TC4a", [Z(2, 2), E(2, 2), E(2, 2)], -2),
])
def test_hessian_values_along_the_worked_certificates(name, T, value):
    inst = CASES[name]
    T = [F(t) for t in T]
    assert Q(hessian_form(inst.problem, inst.weights, T)) == value
    assert 2 * line_coefficients(inst.problem, [F(w) for w in inst.weights], T)[2] == value


def test_tc2d_direction_is_the_rotation_formula():
    # recompute T_1 = W_1 (E21 - E12), T_3 = (E12 - E21) W_3 and compare with the literal used above
    W = F(CASES["TC2d"].weights[0])
    K = add(E(2, 1), E(1, 2), Fraction(-1))
    assert mul(W, K) == [[0, 0], [1, 0]]
    assert mul([[-x for x in r] for r in K], W) == [[0, 1], [0, 0]]


# --- partial products ------------------------------------------------------------------------------------------

@PROP
@given(st.integers(0, 2**32 - 1))
def test_partial_product_identities(seed):
    rng = random.Random(seed)
    _, ws = random_point(rng, rng.randint(1, 5), 3, lam=0)
    H = len(ws)
    for i in range(1, H + 1):
        # empty product W_{i-1:i} = I_{d_{i-1}}
        assert F(partial_product(ws, i, i - 1)) == eye(len(ws[i - 1][0]))
        for j in range(i, H + 1):
            # W_{j:i} = W_j W_{j-1:i}
            assert F(partial_product(ws, i, j)) == mul(F(ws[j - 1]), F(partial_product(ws, i, j - 1)))


def _fraction_rank(a) -> int:
    a = [list(r) for r in a]
    rank, rows, cols = 0, len(a), len(a[0])
    for c in range(cols):
        p = next((r for r in range(rank, rows) if a[r][c] != 0), None)
        if p is None:
            continue
        a[rank], a[p] = a[p], a[rank]
        for r in range(rows):
            if r != rank and a[r][c] != 0:
                f = a[r][c] / a[rank][c]
                a[r] = [x - f * y for x, y in zip(a[r], a[rank])]
        rank += 1
    return rank


@PROP
@given(st.integers(0, 2**32 - 1))
def test_partial_ranks_match_gaussian_elimination(seed):
    rng = random.Random(seed)
    problem, ws = random_point(rng, rng.randint(1, 4), 3, lam=0)
    problem = Problem.create([[1] * 1] * len(ws[0][0]), [[1]] * len(ws[-1]))
    ranks = partial_ranks(problem, ws)
    H = len(ws)
    assert set(ranks) == {(i, j) for i in range(1, H + 1) for j in range(i, H + 1)}
    for (i, j), r in ranks.items():
        assert r == _fraction_rank(F(partial_product(ws, i, j)))


def test_partial_ranks_of_tc3a_from_the_diagonals():
    # TC3a: W = diag(1,1,0), diag(3/2,0,0), diag(1,0,0), diag(2,0,1); diagonal products, rank = # nonzero entries
    ranks = partial_ranks(CASES["TC3a"].problem, CASES["TC3a"].weights)
    assert ranks[(1, 1)] == 2 and ranks[(4, 4)] == 2 and ranks[(2, 2)] == 1 and ranks[(1, 4)] == 1
    assert ranks[(3, 4)] == 1


# --- orbit directions ------------------------------------------------------------------------------------------

@PROP
@given(instances(max_depth=4, max_width=3))
def test_orbit_directions_lie_in_the_hessian_kernel_at_critical_points(instance):
    point = ExactPoint.of(instance.problem, instance.weights)
    D = orbit_directions(point)
    Hm = hessian_matrix(instance.problem, instance.weights)
    widths = instance.widths
    assert D.nrows() == sum(d * d for d in widths[1:-1])
    if D.nrows():
        assert all(x == 0 for x in (D * Hm).entries())


def test_orbit_direction_is_the_tangent_of_the_symmetry():
    # W_h -> (I + tE) W_h, W_{h+1} -> W_{h+1} (I + tE)^-1 leaves the product unchanged to first order:
    # D_h = E W_h, D_{h+1} = -W_{h+1} E; check the first orbit row against that formula at T4
    inst = CASES["T4"]
    point = ExactPoint.of(inst.problem, inst.weights)
    D = orbit_directions(point)
    ws = [F(w) for w in inst.weights]
    Eab = E(1, 1, 2)
    expected = [Z(2, 3), Z(2, 2), Z(3, 2)]
    expected[0] = mul(Eab, ws[0])
    expected[1] = [[-x for x in r] for r in mul(ws[1], Eab)]
    assert [Q(D[0, k]) for k in range(D.ncols())] == flatten(expected)


def test_t5b_hessian_characteristic_polynomial():
    # docs/maths/global_optimality.md §2.3 (Kawaguchi caveat): the exact characteristic polynomial at T5b is t^8 (t^4 - 22 t^2 + 8)^2
    from flint import fmpq_poly

    inst = CASES["T5b"]
    chi = hessian_matrix(inst.problem, inst.weights).charpoly()
    quartic = fmpq_poly([8, 0, -22, 0, 1])
    assert chi == fmpq_poly([0] * 8 + [1]) * quartic * quartic


# --- docs/maths/global_optimality.md §4 invariants at critical points (and their failure at T7) -------------------------------------------

def _yun_invariants(problem, ws) -> tuple[bool, bool, bool]:
    """(i) W^T (W - R) = 0, (ii) (W - R) Sigma_XX W^T = 0, (iv) L = 1/2 (||Y||^2 - tr(P Sigma)) with W = P R."""
    X, Y = F(problem.X), F(problem.Y)
    Xt = [list(r) for r in zip(*X)]
    sxx = mul(X, Xt)
    syx = mul(Y, Xt)
    W = F(ws[0])
    for w in ws[1:]:
        W = mul(F(w), W)
    # R = Sigma_YX Sigma_XX^-1 via flint (the data are fixed; only the invariants are under test)
    Sxx = fmpq_mat(len(sxx), len(sxx), [fmpq(x.numerator, x.denominator) for r in sxx for x in r])
    R = [[Q(x) for x in r] for r in (fmpq_mat(len(syx), len(syx[0]),
                                               [fmpq(x.numerator, x.denominator) for r in syx for x in r])
                                      * Sxx.inv()).tolist()]
    Wt = [list(r) for r in zip(*W)]
    D = add(W, R, Fraction(-1))
    i = all(x == 0 for r in mul(Wt, D) for x in r)
    ii = all(x == 0 for r in mul(mul(D, sxx), Wt) for x in r)
    # tr(P Sigma) = tr(W Sigma_XX R^T) when W = P R (P the projector onto range W)
    Rt = [list(r) for r in zip(*R)]
    tr = sum(mul(mul(W, sxx), Rt)[k][k] for k in range(len(W)))
    iv = ref_loss(problem, [F(w) for w in ws]) == (sq(Y) - tr) / 2
    return i, ii, iv


@pytest.mark.parametrize("name", ["T1", "T2", "T3", "T4", "T5", "T5b", "T5c"])
def test_yun_invariants_hold_at_critical_points(name):
    inst = CASES[name]
    assert is_critical(inst.problem, inst.weights)
    assert _yun_invariants(inst.problem, inst.weights) == (True, True, True)


def test_yun_invariants_fail_at_t7():
    inst = CASES["T7"]
    assert not is_critical(inst.problem, inst.weights)
    assert _yun_invariants(inst.problem, inst.weights) == (False, False, False)
