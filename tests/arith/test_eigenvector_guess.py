"""p-adic lifting of eigenpairs (exactdln/arith/eigenvector_guess.py) checked against the definition and a
construction: Sigma = U diag(s^2) U^T from exactdln/instances/construct.py (spectral_data), whose eigenvalues are
the squares of the chosen s_i.

- lifted modulo p^K, the pairs satisfy N V = V diag(mu) modulo p^K and the mu_j are the constructed eigenvalues
  (times the denominator) modulo p^K;
- the Newton step's solve is the Sylvester equation it is meant to solve;
- batch inversion gives inverses.
"""

from __future__ import annotations

import random

from flint import fmpz_mod_ctx, fmpz_mod_mat
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from exactdln.arith.eigenvector_guess import _inverses, _sylvester_solution, lift_eigenpairs
from exactdln.arith.exact import word_primes
from exactdln.instances.construct import random_singular_values, spectral_data
from exactdln.landscape.point import ExactPoint
from exactdln.landscape.spectral import DenseNumerator, sigma_factors


def _sigma_numerator(width: int, seed: int, white: bool):
    rng = random.Random(seed)
    s = random_singular_values(width, rng, digits=5)
    data = spectral_data(s, width, rng, white=white)
    point = ExactPoint.of(data.problem, [[[0] * width] * width, [[0] * width] * width])
    gram, e = sigma_factors(point)
    return gram, e, [x * x for x in s]


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 8), st.integers(0, 10**6), st.booleans(), st.booleans(), st.integers(2, 9))
def test_lifted_pairs_are_eigenpairs_modulo_p_to_the_k(width, seed, white, dense, exponent):
    gram, e, eigenvalues = _sigma_numerator(width, seed, white)
    numerator = DenseNumerator(gram.dense()) if dense else gram
    p = word_primes(1)[0]
    assume(e % p != 0)
    pairs = lift_eigenpairs(numerator.modulo(p), p, numerator.times_modulo, random.Random(seed))
    assume(pairs is not None)                       # chi_N split into distinct factors modulo p (almost always)
    assume(pairs.lift_to(exponent))
    M = p ** exponent
    assert pairs.modulus == M
    ctx = fmpz_mod_ctx(M)
    V = fmpz_mod_mat(pairs.vectors, ctx)
    N = fmpz_mod_mat(gram.dense(), ctx)
    D = fmpz_mod_mat(width, width, [pairs.values[j] if i == j else 0 for i in range(width) for j in range(width)], ctx)
    assert N * V == V * D                                         # the definition, modulo p^K
    assert all(any(int(V[i, j]) % p for i in range(width)) for j in range(width))     # no column vanishes mod p
    expected = sorted(int(x.numerator) * e * pow(int(x.denominator), -1, M) % M for x in eigenvalues)
    assert sorted(pairs.values) == expected


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6), st.data())
def test_the_newton_solve_is_the_sylvester_equation(n, data):
    m = 10007 ** 2
    values = data.draw(st.lists(st.integers(0, m - 1), min_size=n, max_size=n, unique=True))
    assume(all((a - b) % 10007 for i, a in enumerate(values) for b in values[i + 1:]))
    norms = data.draw(st.lists(st.integers(1, m - 1).filter(lambda x: x % 10007), min_size=n, max_size=n))
    F = data.draw(st.lists(st.integers(0, m - 1), min_size=n * n, max_size=n * n))
    X = _sylvester_solution(F, norms, values, m, n)
    for i in range(n):
        for j in range(n):
            if i == j:
                assert X[i * n + j] == 0
            else:      # (mu_i - mu_j) X_ij = -F_ij / n_i
                assert (values[i] - values[j]) * X[i * n + j] * norms[i] % m == -F[i * n + j] % m


@given(st.lists(st.integers(1, 10**6).filter(lambda x: x % 7919), min_size=1, max_size=20))
def test_batch_inverses_are_inverses(values):
    m = 7919 ** 3
    assert all(x * y % m == 1 for x, y in zip(values, _inverses(values, m)))
