"""Exact inertia: expected values come from Sylvester's law of inertia (M = Q^T diag(d) Q with
Q invertible has the inertia of the signs of d), from hand-worked small matrices, and from
identities (L diag(D) L^T multiplies back, v^T M v < 0)."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from flint import fmpq, fmpq_mat
from hypothesis import given, settings
from hypothesis import strategies as st

from exactdln.arith.inertia import (
    inertia_from_charpoly_coefficients,
    kernel_complement_inertia,
    negative_direction,
    psd_ldl,
    symmetric_inertia,
)
from exactdln.model.results import Inertia

EXACT_METHODS = ("auto", "ldl", "charpoly")


def unimodular(n: int, rng: random.Random, density: float = 1.0) -> fmpq_mat:
    """U^T-free random invertible integer matrix: (unit lower) x (unit upper), det = 1."""
    lower = fmpq_mat(n, n, [1 if i == j else (rng.choice((-1, 0, 1, 2)) if j < i and rng.random() < density else 0)
                            for i in range(n) for j in range(n)])
    upper = fmpq_mat(n, n, [1 if i == j else (rng.choice((-1, 0, 1)) if j > i and rng.random() < density else 0)
                            for i in range(n) for j in range(n)])
    return lower * upper


def diagonal(values: list) -> fmpq_mat:
    n = len(values)
    m = fmpq_mat(n, n)
    for i, v in enumerate(values):
        m[i, i] = fmpq(Fraction(v).numerator, Fraction(v).denominator)
    return m


def sylvester_case(d: list, rng: random.Random, density: float = 1.0) -> tuple[fmpq_mat, Inertia, fmpq_mat]:
    """M = Q^T diag(d) Q and the inertia Sylvester's law predicts; also Q."""
    q = unimodular(len(d), rng, density)
    m = q.transpose() * diagonal(d) * q
    expected = Inertia(sum(1 for x in d if x > 0), sum(1 for x in d if x < 0), sum(1 for x in d if x == 0))
    return m, expected, q


def from_rows(rows: list[list]) -> fmpq_mat:
    n, k = len(rows), len(rows[0]) if rows else 0
    return fmpq_mat(n, k, [fmpq(Fraction(x).numerator, Fraction(x).denominator) for row in rows for x in row])


def quadratic_form(m: fmpq_mat, v: list[Fraction]) -> Fraction:
    n = m.nrows()
    return sum(v[i] * Fraction(int(m[i, j].p), int(m[i, j].q)) * v[j] for i in range(n) for j in range(n))


# --- hand-worked cases -------------------------------------------------------------------


@pytest.mark.parametrize("method", EXACT_METHODS)
def test_hand_worked_cases(method: str) -> None:
    # [[0, a], [a, 0]] has eigenvalues +-a
    assert symmetric_inertia(from_rows([[0, 3], [3, 0]]), method=method) == Inertia(1, 1, 0)
    assert symmetric_inertia(from_rows([[0, Fraction(-2, 7)], [Fraction(-2, 7), 0]]), method=method) == Inertia(1, 1, 0)
    # zero matrix
    assert symmetric_inertia(fmpq_mat(4, 4), method=method) == Inertia(0, 0, 4)
    assert symmetric_inertia(fmpq_mat(0, 0), method=method) == Inertia(0, 0, 0)
    # [[2, 1], [1, 2]]: eigenvalues 1, 3;  [[1, 2], [2, 1]]: eigenvalues 3, -1
    assert symmetric_inertia(from_rows([[2, 1], [1, 2]]), method=method) == Inertia(2, 0, 0)
    assert symmetric_inertia(from_rows([[1, 2], [2, 1]]), method=method) == Inertia(1, 1, 0)
    # all-zero diagonal: J - I (3x3 all ones minus identity) has eigenvalues 2, -1, -1
    assert symmetric_inertia(from_rows([[0, 1, 1], [1, 0, 1], [1, 1, 0]]), method=method) == Inertia(1, 2, 0)
    # all-ones 3x3: eigenvalues 3, 0, 0
    assert symmetric_inertia(from_rows([[1, 1, 1]] * 3), method=method) == Inertia(1, 0, 2)
    # block diagonal: diag([[0,1],[1,0]], [[1,1],[1,1]], -5) -> (1,1,0) + (1,0,1) + (0,1,0)
    block = from_rows([[0, 1, 0, 0, 0], [1, 0, 0, 0, 0], [0, 0, 1, 1, 0], [0, 0, 1, 1, 0], [0, 0, 0, 0, -5]])
    assert symmetric_inertia(block, method=method) == Inertia(2, 2, 1)


def test_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        symmetric_inertia(from_rows([[1, 2], [3, 4]]))
    with pytest.raises(ValueError):
        symmetric_inertia(fmpq_mat(2, 3))
    with pytest.raises(ValueError):
        symmetric_inertia(from_rows([[1]]), method="eig")


def test_descartes_on_known_polynomials() -> None:
    # (x - 1)(x - 2)(x + 3) x^2 = x^5 - 7x^3 + 6x^2  ->  roots 1, 2, -3, 0, 0
    assert inertia_from_charpoly_coefficients([0, 0, 6, -7, 0, 1]) == Inertia(2, 1, 2)
    # (x + 1)^3 = x^3 + 3x^2 + 3x + 1
    assert inertia_from_charpoly_coefficients([1, 3, 3, 1]) == Inertia(0, 3, 0)


# --- Sylvester's law (property tests) -------------------------------------------------------

small_diagonals = st.lists(
    st.fractions(min_value=-5, max_value=5, max_denominator=4) | st.just(Fraction(0)), min_size=1, max_size=8
)


@settings(max_examples=60, deadline=None)
@given(d=small_diagonals, seed=st.integers(0, 10**6))
def test_sylvester_law_all_methods_agree(d: list[Fraction], seed: int) -> None:
    m, expected, _ = sylvester_case(d, random.Random(seed))
    for method in EXACT_METHODS:
        assert symmetric_inertia(m, method=method) == expected


@pytest.mark.parametrize("n, zeros, seed", [(60, 0, 1), (70, 25, 2), (90, 0, 3), (64, 40, 4)])
def test_sylvester_law_block_recursion(n: int, zeros: int, seed: int) -> None:
    # sizes above the scalar-elimination threshold exercise the modular split and Schur complements
    rng = random.Random(seed)
    d = [rng.choice((-3, -1, 1, 2, Fraction(1, 3))) for _ in range(n - zeros)] + [0] * zeros
    rng.shuffle(d)
    m, expected, _ = sylvester_case(d, rng)
    for method in EXACT_METHODS:
        assert symmetric_inertia(m, method=method) == expected


def test_zero_leading_block_needs_scrambling() -> None:
    # [[0, B], [B^T, 0]] with B invertible (n = 120): leading half block is zero;
    # eigenvalues are +-singular values of B, so inertia (60, 60, 0)
    rng = random.Random(5)
    b = unimodular(60, rng)
    n = 120
    m = fmpq_mat(n, n)
    for i in range(60):
        for j in range(60):
            m[i, 60 + j] = b[i, j]
            m[60 + j, i] = b[i, j]
    for method in ("auto", "ldl"):
        assert symmetric_inertia(m, method=method) == Inertia(60, 60, 0)


def test_rank_deficient_psd() -> None:
    # B B^T with B 80 x 30 of full column rank (B = first 30 columns of a unimodular matrix): PSD, rank 30
    rng = random.Random(7)
    q = unimodular(80, rng)
    b = fmpq_mat(80, 30, [q[i, j] for i in range(80) for j in range(30)])
    m = b * b.transpose()
    for method in EXACT_METHODS:
        assert symmetric_inertia(m, method=method) == Inertia(30, 0, 50)


def test_n300_finishes_and_matches_sylvester() -> None:
    rng = random.Random(300)
    d = [rng.choice((-2, -1, 1, 3)) for _ in range(200)] + [0] * 100
    rng.shuffle(d)
    m, expected, _ = sylvester_case(d, rng, density=0.05)
    assert symmetric_inertia(m) == expected


# --- certificates ---------------------------------------------------------------------------


def check_psd_ldl(m: fmpq_mat, perm: list[int], L: list[list[Fraction]], D: list[Fraction]) -> None:
    n = m.nrows()
    assert sorted(perm) == list(range(n))
    assert all(x >= 0 for x in D)
    for i in range(n):
        assert L[i][i] == 1 and all(L[i][j] == 0 for j in range(i + 1, n))
    for i in range(n):
        for j in range(n):
            product = sum(L[i][k] * D[k] * L[j][k] for k in range(n))
            entry = m[perm[i], perm[j]]
            assert product == Fraction(int(entry.p), int(entry.q))


@settings(max_examples=40, deadline=None)
@given(d=small_diagonals, seed=st.integers(0, 10**6))
def test_psd_ldl_and_negative_direction(d: list[Fraction], seed: int) -> None:
    m, expected, _ = sylvester_case(d, random.Random(seed))
    factors = psd_ldl(m)
    direction = negative_direction(m)
    if expected.n_minus == 0:
        assert factors is not None and direction is None
        check_psd_ldl(m, *factors)
    else:
        assert factors is None and direction is not None
        assert quadratic_form(m, direction) < 0


def test_psd_ldl_zero_diagonal_and_rank_deficient() -> None:
    m = from_rows([[0, 0, 0], [0, 2, 2], [0, 2, 2]])
    factors = psd_ldl(m)
    assert factors is not None
    check_psd_ldl(m, *factors)
    assert psd_ldl(from_rows([[0, 1], [1, 0]])) is None
    v = negative_direction(from_rows([[0, 1], [1, 0]]))
    assert v is not None and quadratic_form(from_rows([[0, 1], [1, 0]]), v) < 0


def test_negative_direction_large() -> None:
    # n = 60 (float-guided guess, checked exactly) with a single negative eigenvalue
    rng = random.Random(11)
    d = [1] * 50 + [0] * 9 + [-1]
    m, _, _ = sylvester_case(d, rng, density=0.2)
    v = negative_direction(m)
    assert v is not None and quadratic_form(m, v) < 0
    assert negative_direction(m * m) is None  # M^2 is PSD


# --- kernel complement ------------------------------------------------------------------------


@pytest.mark.parametrize("n, zeros, seed", [(6, 2, 1), (10, 5, 2), (70, 20, 3)])
def test_kernel_complement_matches(n: int, zeros: int, seed: int) -> None:
    rng = random.Random(seed)
    d = [rng.choice((-2, 1, 3)) for _ in range(n - zeros)] + [0] * zeros
    m, expected, q = sylvester_case(d, rng)
    # M v = Q^T diag(d) Q v = 0 for v = Q^-1 e_k with d_k = 0: rows of the basis are those columns
    q_inv = q.inv()
    zero_positions = [k for k in range(n) if d[k] == 0]
    rows = [[q_inv[i, k] for i in range(n)] for k in zero_positions]
    rows.append([a + b for a, b in zip(rows[0], rows[-1])])  # a dependent row is allowed
    basis = fmpq_mat(len(rows), n, [x for row in rows for x in row])
    inertia, free = kernel_complement_inertia(m, basis)
    assert inertia == expected == symmetric_inertia(m)
    assert len(free) == n - zeros


def test_kernel_complement_rejects_non_kernel_vector() -> None:
    m = from_rows([[1, 0], [0, 0]])
    with pytest.raises(ValueError):
        kernel_complement_inertia(m, from_rows([[1, 1]]))
    inertia, free = kernel_complement_inertia(m, from_rows([[0, 3]]))
    assert inertia == Inertia(1, 0, 1) and free == [0]


def test_unlucky_primes_are_caught() -> None:
    # entries divisible by the modular primes make the rank mod p too small; the exact rank
    # check must notice and fall back to the Schur complement (expected: signs of the diagonal)
    from exactdln.arith.inertia import _PRIMES

    n = 60
    p = _PRIMES[0]
    d = [1] * 40 + [-p, p, -2 * p] + [0] * (n - 43)
    for method in ("auto", "ldl"):
        assert symmetric_inertia(diagonal(d), method=method) == Inertia(41, 2, n - 43)
    product = 1
    for q in _PRIMES:
        product *= q
    d = [0] * (n - 2) + [-product, product]
    for method in ("auto", "ldl"):
        assert symmetric_inertia(diagonal(d), method=method) == Inertia(1, 1, n - 2)


def test_psd_ldl_large_rank_deficient() -> None:
    # n = 70 > 48 takes the block form (rank check + triangular solve); B B^T is PSD of rank 25
    rng = random.Random(13)
    q = unimodular(70, rng, density=0.3)
    b = fmpq_mat(70, 25, [q[i, j] for i in range(70) for j in range(25)])
    m = b * b.transpose()
    factors = psd_ldl(m)
    assert factors is not None
    check_psd_ldl(m, *factors)
    assert sum(1 for x in factors[2] if x > 0) == 25
    # M - eps I is not PSD: v^T (M - eps I) v = -eps |v|^2 < 0 for v in ker M (dimension 45)
    assert psd_ldl(m - diagonal([Fraction(1, 10**6)] * 70)) is None


@pytest.mark.parametrize("spread_bits,seed", [(0, 1), (60, 2), (400, 3), (1500, 4)])
def test_badly_scaled_sylvester_cases_take_the_verified_congruence(spread_bits: int, seed: int) -> None:
    # M = S Q^T diag(d) Q S with S = diag(2^k_i), k_i up to spread_bits: congruent to diag(d), so Sylvester's law
    # gives the inertia. Equilibration undoes S, so the guided congruence must decide (not fall back), including
    # entries beyond the float range (spread 1500 bits) and the truncated product (spread 400 and 1500 bits).
    from exactdln.arith.guided import IntegerSymmetric, guided_congruence_inertia

    rng = random.Random(seed)
    d = [rng.choice((-3, -1, 1, 2, 5)) for _ in range(60)]
    m, expected, _ = sylvester_case(d, rng, density=0.2)
    scale = diagonal([2 ** rng.randint(0, spread_bits) for _ in range(60)])
    m = scale * m * scale
    integer, _ = m.numer_denom()
    assert guided_congruence_inertia(IntegerSymmetric(matrix=integer)) == expected
    assert symmetric_inertia(m) == expected


def test_guided_congruence_on_a_principal_block() -> None:
    # M = diag(A, 0) scrambled by a permutation: the block on `keep` is A, whose inertia Sylvester's law gives
    from exactdln.arith.guided import IntegerSymmetric, guided_congruence_inertia, integer_symmetric_inertia

    rng = random.Random(5)
    d = [rng.choice((-2, 1, 3)) for _ in range(55)]
    a, expected, _ = sylvester_case(d, rng, density=0.3)
    n = 70
    keep = sorted(rng.sample(range(n), 55))
    rows = [[0] * n for _ in range(n)]
    for i, ki in enumerate(keep):
        for j, kj in enumerate(keep):
            rows[ki][kj] = Fraction(int(a[i, j].p), int(a[i, j].q))
    m = from_rows(rows)
    integer, _ = m.numer_denom()
    matrix = IntegerSymmetric(matrix=integer)
    assert guided_congruence_inertia(matrix, keep) == expected
    assert integer_symmetric_inertia(matrix) == expected + Inertia(0, 0, n - 55)
