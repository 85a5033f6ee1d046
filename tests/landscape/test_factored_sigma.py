"""The theorem route's long-entry shortcuts (exactdln/landscape/spectral.py, exactdln/arith/exact.py):

- Sigma = B C B^T / e kept as its factors (GramNumerator): residues, trace and products agree with the formed matrix,
  and its eigenbasis check accepts exactly the true eigenpairs;
- the row space of an integer matrix from residues, proven by its kernel (reduced_row_space_by_residues);
- the last product of W_{H:1} through per-column and per-row denominators (scaled_integer_product);
- the loss of white data (X = I) as 1/2 ||G||^2.

Expected values come from plain Fraction arithmetic written here (products, a Gaussian elimination), from the
construction of the data (eigenvalues s_i^2 of Sigma = U diag(s^2) U^T, exactdln/instances/construct.py), or from
the definition L = 1/2 ||W_{H:1} X - Y||^2; never from the code under test.
"""

from __future__ import annotations

import random
from fractions import Fraction

from flint import fmpq, fmpq_mat, fmpz_mat
from hypothesis import assume, given, settings, strategies as st

from exactdln.arith.exact import scaled_integer_product, integer_product_scaled, to_fraction, word_primes
from exactdln.instances.construct import random_singular_values, spectral_data
from exactdln.landscape.point import ExactPoint
from exactdln.landscape.spectral import (DenseNumerator, GramNumerator, _guess_rational_eigenvalues_padic,
                                         reduced_row_space_by_residues, sigma_factors, split_eigenvalues)
from exactdln.model.problem import Problem, as_matrix
from tests.landscape.fraction_oracle import mul as _mul, rank as _rank, transpose as _transpose




def _ints(m):
    return [[int(m[i, j]) for j in range(m.ncols())] for i in range(m.nrows())]


def _random_int_matrix(rng, n, m, size):
    return [[rng.randint(-size, size) for _ in range(m)] for _ in range(n)]


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**9), st.integers(1, 5), st.integers(1, 5), st.booleans())
def test_gram_numerator_is_the_formed_matrix(seed, n, m, with_c):
    rng = random.Random(seed)
    B = _random_int_matrix(rng, n, m, 10**30)
    C = None
    if with_c:
        half = _random_int_matrix(rng, m, m, 50)
        C = [[int(x) for x in row] for row in _mul(half, _transpose(half))]   # symmetric, like Sigma_XX^-1's numerator
    N = _mul(_mul(B, C) if C else B, _transpose(B))
    gram = GramNumerator(fmpz_mat(B), fmpz_mat(C) if C else None)
    assert gram.trace() == sum(N[i][i] for i in range(n))
    M = _random_int_matrix(rng, n, 2, 10**5)
    assert _ints(gram.times(fmpz_mat(M))) == _mul(N, M)
    p = word_primes(1)[0]
    assert [[int(x) for x in row] for row in gram.modulo(p).tolist()] == [[int(x) % p for x in row] for row in N]


def _eigen_data(width, seed, white):
    rng = random.Random(seed)
    s = random_singular_values(width, rng, digits=6)
    data = spectral_data(s, width, rng, white=white)
    point = ExactPoint.of(data.problem, [[[0] * width] * width, [[0] * width] * width])
    return data, point, sorted(fmpq(x.numerator, x.denominator) ** 2 for x in s)


def test_factored_sigma_has_the_constructed_eigenvalues():
    for white in (True, False):
        data, point, lam = _eigen_data(6, 7 + white, white)
        gram, e = sigma_factors(point)
        assert split_eigenvalues(gram, e) == lam
        # the same numbers as from the formed matrix
        N = fmpq_mat(gram.dense()) / e
        assert split_eigenvalues(DenseNumerator(N.numer_denom()[0]), int(N.numer_denom()[1])) == lam


def test_padic_guess_finds_the_constructed_eigenvalues():
    data, point, lam = _eigen_data(7, 11, True)
    gram, e = sigma_factors(point)
    assert _guess_rational_eigenvalues_padic(gram, e, 5) == lam
    # irrational eigenvalues (3 +- sqrt 5) / 2 and (7 +- 3 sqrt 5) / 2: whatever is guessed, nothing is proven
    irrational = fmpz_mat([[2, 1, 0, 0], [1, 1, 0, 0], [0, 0, 5, 3], [0, 0, 3, 2]])
    assert split_eigenvalues(irrational, 1) is None


def test_factored_eigenbasis_check_rejects_wrong_pairs():
    data, point, lam = _eigen_data(5, 3, True)
    gram, e = sigma_factors(point)
    U = data.U      # columns: eigenvectors of Sigma for lambda = s^2, in decreasing order of s
    n = U.nrows
    columns = [[U[i, j] for i in range(n)] for j in range(n)][::-1]      # increasing eigenvalues, like lam
    scaled = []
    for col in columns:
        den = 1
        for x in col:
            den = den * x.denominator // __import__("math").gcd(den, x.denominator)
        scaled.append([int(x * den) for x in col])
    V = fmpz_mat([[scaled[j][i] for j in range(n)] for i in range(n)])
    targets = [l * e for l in lam]
    assert gram.is_eigenbasis(V, targets)
    assert not gram.is_eigenbasis(V, targets[:-1] + [targets[-1] + 1])
    swapped = targets[:]
    swapped[0], swapped[1] = swapped[1], swapped[0]
    assert not gram.is_eigenbasis(V, swapped)
    bent = fmpz_mat([[scaled[j][i] + (i == 0 and j == 2) for j in range(n)] for i in range(n)])
    assert not gram.is_eigenbasis(bent, targets)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**9), st.integers(1, 6), st.integers(1, 7), st.integers(0, 4), st.booleans())
def test_row_space_from_residues_is_proven(seed, n, m, rank, hostile):
    rng = random.Random(seed)
    rank = min(rank, n, m)
    left = _random_int_matrix(rng, n, rank, 10**20) if rank else [[0] * 0 for _ in range(n)]
    right = _random_int_matrix(rng, rank, m, 10**20)
    M = _mul(left, right) if rank else [[Fraction(0)] * m for _ in range(n)]
    if hostile:      # every entry divisible by the first word primes: their residues see the zero matrix
        q = 1
        for p in word_primes(3):
            q *= p
        M = [[x * q for x in row] for row in M]
    found = reduced_row_space_by_residues(fmpz_mat([[int(x) for x in row] for row in M]), max_primes=12)
    true_rank = _rank(M)
    if found is None:
        return        # the caller falls back to the rref over Z
    (R, den), pivots = found
    rows = [[Fraction(int(R[i, j]), den) for j in range(m)] for i in range(R.nrows())]
    assert len(pivots) == true_rank == len(rows)
    assert all(rows[i][p] == (i == j) for i in range(len(rows)) for j, p in enumerate(pivots))
    if true_rank:
        assert _rank(rows) == true_rank == _rank(rows + [list(map(Fraction, r)) for r in M])    # same row space


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**9), st.integers(1, 5), st.integers(1, 5), st.integers(1, 5))
def test_scaled_product_is_the_product(seed, n, m, k):
    rng = random.Random(seed)
    # c with one denominator per column, a whose rows carry those denominators (W_2 = A_2 W A_1^-1 against W_1 = A_1 W')
    column_den = [rng.randint(1, 10**12) for _ in range(m)]
    c = [[Fraction(rng.randint(-10**6, 10**6), column_den[j] * rng.randint(1, 9)) for j in range(m)] for _ in range(n)]
    a = [[Fraction(rng.randint(-10**6, 10**6) * column_den[i], rng.randint(1, 10**8)) for _ in range(k)]
         for i in range(m)]
    (C, A, rho), _ = scaled_integer_product(fmpq_mat(n, m, [fmpq(x.numerator, x.denominator) for r in c for x in r]),
                                            fmpq_mat(m, k, [fmpq(x.numerator, x.denominator) for r in a for x in r]))
    N, den = integer_product_scaled(C, A, rho)
    assert [[Fraction(int(N[i, j]), den) for j in range(k)] for i in range(n)] == _mul(c, a)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10**9), st.integers(1, 3), st.sampled_from([2, 3]))
def test_white_loss_is_half_the_squared_error(seed, depth, width):
    rng = random.Random(seed)
    X = [[int(i == j) for j in range(width)] for i in range(width)]
    Y = [[Fraction(rng.randint(-10**9, 10**9), rng.randint(1, 10**6)) for _ in range(width)] for _ in range(width)]
    weights = [[[Fraction(rng.randint(-9, 9), rng.randint(1, 9)) for _ in range(width)] for _ in range(width)]
               for _ in range(depth)]
    product = [[Fraction(int(i == j)) for j in range(width)] for i in range(width)]
    for w in weights:
        product = _mul(w, product)
    expected = sum(((p - y) ** 2 for pr, yr in zip(product, Y) for p, y in zip(pr, yr)), Fraction(0)) / 2
    problem = Problem(as_matrix(X), as_matrix([[str(y) for y in row] for row in Y]))
    point = ExactPoint.of(problem, [[[str(x) for x in row] for row in w] for w in weights])
    assert to_fraction(point.loss_value) == expected
    assert to_fraction(point.sigma_yy_trace) == sum((y * y for row in Y for y in row), Fraction(0))



@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10**6), st.integers(2, 4), st.integers(8, 12), st.sampled_from(["strict", "minimal"]))
def test_loss_read_from_the_factors_of_a_low_rank_residual_is_the_critical_value(seed, depth, width, kind):
    """Saddles of docs/maths/classification.md §7 with one unfitted eigenvalue: G has rank 1, the gradient chains
    factor it (residual_factors), and the loss read from those factors afterwards is the critical value of the
    construction, 1/2 (||Y||^2 - sum_{i in S} lambda_i)."""
    from exactdln.instances.construct import minimal_critical_point

    rng = random.Random(seed)
    data = spectral_data(random_singular_values(width, rng, digits=4), width, rng)
    S = tuple(range(2, width + 1)) if kind == "strict" else tuple(range(1, width))
    assume(kind == "strict" or depth >= 3)
    point = ExactPoint.of(data.problem, minimal_critical_point(data, (width,) * (depth + 1), S))
    assert point.first_nonzero_gradient_layer() is None               # critical
    assert point.__dict__.get("residual_factors") is not None          # rank-1 G, factored
    assert to_fraction(point.loss_value) == data.critical_loss(S)
