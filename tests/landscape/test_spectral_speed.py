"""Tests of the fast exact spectral routines (the theorem route at depth 8, width 128).

Expected values come from elsewhere:
- data built by exactdln.instances.construct.spectral_data have Sigma = U diag(s_i^2) U^T (docs/maths/classification.md §7), so chi_Sigma is
  prod (x - s_i^2) and, for the minimal construction with index set S, chi on range W_{H:1} is prod_{i in S}(x - s_i^2);
- otherwise the characteristic polynomial of the explicitly formed rational Sigma (FLINT's fmpq_mat.charpoly, a
  different routine from the integer one used in exactdln.landscape.spectral), and FLINT's rational product and rank;
- hand-worked values for the rational reconstruction and the Chinese remaindering.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from flint import fmpq, fmpq_mat, fmpz_mat

from exactdln.arith.exact import (
    from_fmpq_mat,
    CrtVector,
    multiply,
    rank,
    rational_reconstruction,
    scaled_integer_matrix,
    word_primes,
)
from exactdln.instances.construct import (
    conjugate_hidden,
    minimal_critical_point,
    random_singular_values,
    spectral_data,
)
from exactdln.landscape.point import ExactPoint
from exactdln.landscape.products import partial_ranks_at
from exactdln.model.problem import Problem
from exactdln.landscape.spectral import SpectralFacts, integer_charpoly, sigma_over_integers, split_charpoly

from tests.arith.test_realroots import poly_from_roots


def problem_of(X: fmpq_mat, Y: fmpq_mat) -> Problem:
    return Problem(from_fmpq_mat(X), from_fmpq_mat(Y))


def random_rational_matrix(rng: random.Random, n: int, m: int, size: int = 30) -> fmpq_mat:
    return fmpq_mat(n, m, [fmpq(rng.randint(-size, size), rng.randint(1, size)) for _ in range(n * m)])


# --- arithmetic helpers -----------------------------------------------------------------------------------------


def test_rational_reconstruction_hand_worked():
    m = 10**9 + 7
    assert rational_reconstruction(3 * pow(7, -1, m) % m, m) == (3, 7)
    assert rational_reconstruction(-22 * pow(15, -1, m) % m, m) == (-22, 15)
    assert rational_reconstruction(5, m) == (5, 1)


def test_crt_vector_recovers_signed_integers():
    values = [-5, 0, 12345678901234567890123456789, -(10**40) + 3]
    crt = CrtVector(len(values))
    for p in word_primes(3):
        crt.add([v % p for v in values], p)
    assert [crt.symmetric(k) for k in range(len(values))] == values


@pytest.mark.parametrize("seed", range(5))
def test_scaled_integer_matrix_rank_and_product(seed):
    rng = random.Random(seed)
    a = random_rational_matrix(rng, 5, 4)
    b = random_rational_matrix(rng, 4, 6)
    # column denominators: the shape multiply() is built for
    cols = fmpq_mat(4, 4, [fmpq(1, rng.randint(1, 10**12)) if i == j else 0 for i in range(4) for j in range(4)])
    a2 = a * cols
    for m in (a, a2):
        integer, rows, columns = scaled_integer_matrix(m)
        back = fmpq_mat(integer)
        if rows is not None:
            back = fmpq_mat(m.nrows(), m.ncols(), [back[i, j] / rows[i] for i in range(m.nrows()) for j in range(m.ncols())])
        else:
            back = fmpq_mat(m.nrows(), m.ncols(), [back[i, j] / columns[j] for i in range(m.nrows()) for j in range(m.ncols())])
        assert back == m
        assert rank(m) == m.rank()
        assert multiply(m, b) == m * b
    low = fmpq_mat(5, 2, [a[i, j] for i in range(5) for j in range(2)])
    deficient = low * fmpq_mat(2, 4, [fmpq(rng.randint(-9, 9), rng.randint(1, 9)) for _ in range(8)])
    assert rank(deficient) == deficient.rank() <= 2


# --- Sigma and its characteristic polynomial ----------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_sigma_over_integers_matches_the_rational_formula(seed):
    rng = random.Random(seed)
    X = random_rational_matrix(rng, 3, 5)
    Y = random_rational_matrix(rng, 2, 5)
    N, d = sigma_over_integers(ExactPoint.of(problem_of(X, Y), [[[0, 0, 0]], [[0], [0]]]))
    sxx, syx = X * X.transpose(), Y * X.transpose()
    assert fmpq_mat(N) / d == syx * sxx.inv() * syx.transpose()


@pytest.mark.parametrize("seed,white", [(0, True), (1, False), (2, True), (3, False)])
def test_split_charpoly_has_the_constructed_eigenvalues(seed, white):
    rng = random.Random(seed)
    s = random_singular_values(7, rng, digits=8)
    data = spectral_data(s, 9, rng, white=white)
    N, d = sigma_over_integers(ExactPoint.of(data.problem, [[[0] * 9], [[0]] * 7]))
    expected = poly_from_roots([x * x for x in s])
    assert split_charpoly(N, d) == expected
    assert integer_charpoly(N, d) == expected


def test_split_charpoly_declines_what_does_not_split_into_distinct_rationals():
    golden = fmpz_mat([[1, 1], [1, 0]])                 # x^2 - x - 1, irreducible over Q
    assert split_charpoly(golden, 1) is None
    assert split_charpoly(fmpz_mat([[2, 0], [0, 2]]), 3) is None   # (x - 2/3)^2: a repeated root


@pytest.mark.parametrize("seed", range(6))
def test_chi_sigma_equals_the_charpoly_of_the_formed_sigma(seed):
    # generic data: chi_Sigma does not split, the FLINT fallback decides
    rng = random.Random(100 + seed)
    X = random_rational_matrix(rng, 4, 6)
    Y = random_rational_matrix(rng, 3, 6)
    point = ExactPoint.of(problem_of(X, Y), [[[0] * 4], [[0]] * 3])
    facts = SpectralFacts(point)
    sxx, syx = X * X.transpose(), Y * X.transpose()
    sigma = syx * sxx.inv() * syx.transpose()
    assert facts.chi_sigma == sigma.charpoly()
    assert facts.sigma == sigma


@pytest.mark.parametrize("fitted", [(1, 2, 3, 4, 5), (2, 3, 4, 5, 6), (1,), (2, 5), (), (1, 2, 3, 4, 5, 6)])
def test_fitted_and_unfitted_factors_from_either_side(fitted):
    # r = |S| <= d_y - r: charpoly on range P; r > d_y - r: on its orthogonal complement. Both give chi_S known
    # from the construction, and S itself.
    rng = random.Random(len(fitted) * 7 + sum(fitted))
    s = random_singular_values(6, rng, digits=6)
    data = spectral_data(s, 6, rng, white=bool(len(fitted) % 2))
    widths = (6, 6, 6, 6)
    weights = conjugate_hidden(minimal_critical_point(data, widths, fitted), rng, digits=10)
    facts = SpectralFacts(ExactPoint.of(data.problem, weights))
    lam = [x * x for x in s]
    assert facts.chi_fitted == poly_from_roots([lam[i - 1] for i in fitted])
    assert facts.chi_unfitted == poly_from_roots([lam[i - 1] for i in range(1, 7) if i not in fitted])
    assert facts.fitted_eigen_indices() == tuple(fitted)


# --- partial-product ranks ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(8))
def test_partial_ranks_agree_with_flint_rational_ranks(seed):
    rng = random.Random(seed)
    widths = [rng.randint(1, 4) for _ in range(5)]
    weights = []
    for h in range(4):
        r = rng.randint(0, min(widths[h], widths[h + 1]))
        left = random_rational_matrix(rng, widths[h + 1], r, 5) if r else fmpq_mat(widths[h + 1], 0)
        right = random_rational_matrix(rng, r, widths[h], 5) if r else fmpq_mat(0, widths[h])
        weights.append([[Fraction(int(x.p), int(x.q)) for x in row] for row in (left * right).tolist()] if r
                       else [[0] * widths[h] for _ in range(widths[h + 1])])
    X = random_rational_matrix(rng, widths[0], widths[0] + 1)
    Y = random_rational_matrix(rng, widths[-1], widths[0] + 1)
    point = ExactPoint.of(problem_of(X, Y), weights)
    ranks = partial_ranks_at(point)
    for i in range(1, 5):
        product = point.W[i - 1]
        for j in range(i, 5):
            if j > i:
                product = point.W[j - 1] * product
            assert ranks[(i, j)] == product.rank()


def test_partial_ranks_of_the_minimal_construction_are_r():
    # docs/maths/classification.md §2: every layer of the minimal construction has rank r = |S|, so every product too
    rng = random.Random(5)
    data = spectral_data(random_singular_values(5, rng), 5, rng)
    weights = conjugate_hidden(minimal_critical_point(data, (5,) * 5, (1, 2, 3)), rng, digits=20)
    ranks = partial_ranks_at(ExactPoint.of(data.problem, weights))
    assert set(ranks.values()) == {3}


def test_sigma_trace_is_the_sum_of_the_eigenvalues():
    # spectral_data builds Sigma = U diag(s_i^2) U^T: its trace is sum s_i^2 (an identity, not a computation)
    import random as _random

    from exactdln.instances.construct import random_singular_values, spectral_data
    from exactdln.landscape.point import ExactPoint
    from exactdln.landscape.spectral import SpectralFacts

    rng = _random.Random(11)
    s = random_singular_values(3, rng)
    data = spectral_data(s, 4, rng)
    weights = [[[0] * 4] * 2, [[0] * 2] * 3]
    facts = SpectralFacts(ExactPoint.of(data.problem, weights))
    expected = sum(x * x for x in s)
    assert facts.sigma_trace == fmpq(expected.numerator, expected.denominator)


@pytest.mark.parametrize("seed", range(6))
def test_frobenius_squared_matches_the_sum_of_squares(seed):
    # identity: ||M||_F^2 = sum of the squares of the entries, here summed with Fractions one by one
    from exactdln.arith.exact import frobenius_squared

    rng = random.Random(seed)
    n, m = rng.randint(1, 5), rng.randint(1, 5)
    entries = [Fraction(rng.randint(-50, 50), rng.randint(1, 10 ** rng.randint(1, 30))) for _ in range(n * m)]
    expected = sum((x * x for x in entries), Fraction(0))
    matrix = fmpq_mat(n, m, [fmpq(x.numerator, x.denominator) for x in entries])
    assert frobenius_squared(matrix) == fmpq(expected.numerator, expected.denominator)
    assert frobenius_squared(fmpq_mat(0, 3)) == 0
