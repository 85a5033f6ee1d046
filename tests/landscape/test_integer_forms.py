"""Integer forms of the theorem route (docs/maths/classification.md §3.9): the data and the residual as an integer
matrix over one denominator, the proven low-rank factorization G = C R / s of the residual and the zero pattern of
the blocks K_hk = W_{H:k+1}^T G W_{h-1:1}^T computed from it, the loss from integers, and the bases of range P and
of its orthogonal complement from FLINT's fraction-free rref.

Expected values come from plain Fraction arithmetic written here (products, a Gaussian elimination), not from the
code under test.
"""

from __future__ import annotations

import random
from fractions import Fraction

from hypothesis import given, settings, strategies as st

from exactdln.arith.exact import model_integer_matrix, to_fraction
from exactdln.landscape.point import ExactPoint
from exactdln.landscape.spectral import SpectralFacts
from exactdln.model.problem import Problem, as_matrix
from tests.landscape.fraction_oracle import mul as _mul, rank as _rank, transpose as _transpose




def _fractions(m):
    return [[to_fraction(m[i, j]) for j in range(m.ncols())] for i in range(m.nrows())]


def _identity(n):
    return [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]


def _random_point(rng: random.Random, depth: int, width: int, residual_rank: int, sparsity: float):
    """Layers with random small entries (some zero rows and columns), X random or the identity, and
    Y = W_{H:1} X + E with E of rank <= residual_rank, so that G = E X^T has rank <= residual_rank."""
    def entry():
        return Fraction(rng.randint(-5, 5), rng.randint(1, 4))

    layers = []
    for _ in range(depth):
        w = [[entry() for _ in range(width)] for _ in range(width)]
        for i in range(width):
            if rng.random() < sparsity:
                w[i] = [Fraction(0)] * width
        layers.append(w)
    X = _identity(width) if rng.random() < 0.5 else [[entry() for _ in range(width)] for _ in range(width)]
    product = _identity(width)
    for w in layers:
        product = _mul(w, product)
    E = [[Fraction(0)] * width for _ in range(width)]
    for _ in range(residual_rank):
        u = [entry() for _ in range(width)]
        v = [entry() for _ in range(width)]
        E = [[E[i][j] + u[i] * v[j] for j in range(width)] for i in range(width)]
    Y = [[a + b for a, b in zip(r, s)] for r, s in zip(_mul(product, X), E)]
    return Problem(as_matrix(X), as_matrix(Y)), [as_matrix(w) for w in layers], layers, X, Y, product


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**9), st.integers(2, 4), st.sampled_from([4, 8, 9]), st.integers(0, 3),
       st.sampled_from([0.0, 0.3, 0.6]))
def test_residual_factors_and_block_zeros_match_fraction_products(seed, depth, width, residual_rank, sparsity):
    rng = random.Random(seed)
    problem, weights, layers, X, Y, product = _random_point(rng, depth, width, residual_rank, sparsity)
    point = ExactPoint.of(problem, weights)
    G = [[a - b for a, b in zip(r, s)] for r, s in zip(_mul(Y, _transpose(X)), _mul(_mul(product, X), _transpose(X)))]
    assert _fractions(point.residual) == G
    Z, z = point.residual_integer
    assert [[Fraction(int(Z[i, j]), z) for j in range(width)] for i in range(width)] == G
    factors = point.residual_factors
    k = _rank(G)
    if factors is not None:
        C, R = _fractions(factors[0]), _fractions(factors[1])
        assert 1 <= k and len(C[0]) == k == _rank(C)
        CR = _mul(C, R)
        i, j = next((i, j) for i in range(width) for j in range(width) if G[i][j] != 0)
        s = CR[i][j] / G[i][j]
        assert s != 0 and all(CR[a][b] == s * G[a][b] for a in range(width) for b in range(width))
    else:
        assert k == 0 or 4 * k > width
    H = depth
    for h in range(1, H + 1):
        prefix = _identity(width)
        for w in layers[:h - 1]:
            prefix = _mul(w, prefix)
        flags = point.residual_block_zero(h)
        for kk in range(h, H + 1):
            suffix = _identity(width)
            for w in layers[kk:]:
                suffix = _mul(w, suffix)
            K = _mul(_mul(_transpose(suffix), G), _transpose(prefix))
            assert flags[kk] == all(x == 0 for row in K for x in row), (h, kk)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**9), st.integers(1, 3), st.sampled_from([3, 5]), st.integers(0, 2))
def test_loss_from_integers_is_half_the_squared_error(seed, depth, width, residual_rank):
    rng = random.Random(seed)
    problem, weights, _, X, Y, product = _random_point(rng, depth, width, residual_rank, 0.2)
    diff = [[a - b for a, b in zip(r, s)] for r, s in zip(_mul(product, X), Y)]
    expected = sum((x * x for row in diff for x in row), Fraction(0)) / 2
    assert to_fraction(ExactPoint.of(problem, weights).loss_value) == expected


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.fractions(min_value=-10**12, max_value=10**12, max_denominator=10**9), min_size=3,
                         max_size=3), min_size=1, max_size=4), st.integers(1, 9))
def test_model_integer_matrix_is_the_matrix(rows, scale):
    text = [[f"{x.numerator * scale}/{x.denominator * scale}" for x in row] for row in rows]
    N, d = model_integer_matrix(as_matrix(text))
    assert d > 0
    assert [[Fraction(int(N[i, j]), d) for j in range(3)] for i in range(len(rows))] == rows


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**9), st.integers(1, 3), st.sampled_from([3, 5, 6]))
def test_range_and_complement_bases_from_the_integer_rref(seed, depth, width):
    rng = random.Random(seed)
    problem, weights, _, _, _, product = _random_point(rng, depth, width, 0, 0.4)
    facts = SpectralFacts(ExactPoint.of(problem, weights))
    r = _rank(product)
    assert facts.product_rank == r
    Q = _fractions(facts.range_basis)
    basis, free = facts._complement_basis
    N = _fractions(basis)
    assert len(free) == width - r
    if r:
        assert _rank(Q) == r == _rank([a + b for a, b in zip(product, Q)])        # Q spans range P
    if width - r:
        assert _rank(N) == width - r
        assert all(x == 0 for row in _mul(_transpose(product), N) for x in row)  # N spans (range P)^perp
