"""The fast pieces of the theorem route state identities checked against the plain definitions.

- chain_product(W_1, ..., W_H) and ordered_product(W_1, ..., W_H) are the product W_H ... W_1 of the fmpq_mat
  factors (associativity: any order of the products gives the same matrix).
- K_hh = W_{H:h+1}^T G W_{h-1:1}^T is -dL/dW_h (Yun et al. 2018, Lemma 3.2), so the first layer with K_hh != 0 is the
  first nonzero block of the gradient; K_hk for h < k is the block the pivots are read from
  (docs/maths/classification.md §3.1), formed here directly from the prefix and suffix products.
- L(W) = 1/2 (tr Sigma_YY - <P, Sigma_YX + G>) equals 1/2 ||W_{H:1} X - Y||_F^2 (docs/maths/classification.md §3.7).
- Partial ranks when every layer but the first is divisible by the primes that screen them: the ranks are those
  of the nonzero scalars, 1.
- CrtMatrix reproduces the residues it was given, modulo each prime.
"""

from __future__ import annotations

import random

from flint import fmpq, fmpq_mat, nmod_mat
from hypothesis import given, settings
from hypothesis import strategies as st

from exactdln.arith.exact import CrtMatrix, chain_product, frobenius_squared, ordered_product, word_primes
from exactdln.landscape.derivatives import gradient_at
from exactdln.landscape.point import ExactPoint
from exactdln.landscape.products import SCREENING_PRIMES, partial_ranks
from exactdln.model.problem import Problem, as_matrix

small = st.fractions(min_value=-4, max_value=4, max_denominator=5)


@st.composite
def chains(draw):
    depth = draw(st.integers(1, 5))
    widths = [draw(st.integers(1, 4)) for _ in range(depth + 1)]
    layers = []
    for h in range(depth):
        n, m = widths[h + 1], widths[h]
        layers.append([[draw(small) for _ in range(m)] for _ in range(n)])
    if depth >= 2 and draw(st.booleans()):
        # hidden change of basis with short per-column denominators: W_1 -> D W_1, W_2 -> W_2 D^-1
        d = [draw(st.integers(1, 9)) for _ in range(widths[1])]
        layers[0] = [[x * d[i] for x in row] for i, row in enumerate(layers[0])]
        layers[1] = [[x / d[j] for j, x in enumerate(row)] for row in layers[1]]
    return layers


def _fmpq(rows) -> fmpq_mat:
    return fmpq_mat(len(rows), len(rows[0]), [fmpq(x.numerator, x.denominator) for row in rows for x in row])


@given(chains())
@settings(max_examples=150)
def test_chain_product_is_the_product(layers):
    mats = [_fmpq(w) for w in layers]
    expected = mats[0]
    for a in mats[1:]:
        expected = a * expected
    assert chain_product(mats) == expected


@given(chains(), st.integers(0, 3))
@settings(max_examples=150)
def test_ordered_product_is_the_product(layers, long_outer):
    mats = [_fmpq(w) for w in layers]
    if long_outer:       # long outer layers, short middle ones: the order then differs from a chain
        big = fmpq(10**40 + 7, 10**30 + 3)
        mats[0] = mats[0] * big
        mats[-1] = mats[-1] * (big if long_outer > 1 else 1)
    expected = mats[0]
    for a in mats[1:]:
        expected = a * expected
    assert ordered_product(mats) == expected


@st.composite
def points(draw):
    layers = draw(chains())
    d_x, d_y = len(layers[0][0]), len(layers[-1])
    m = draw(st.integers(1, 4))
    X = [[draw(small) for _ in range(m)] for _ in range(d_x)]
    Y = [[draw(small) for _ in range(m)] for _ in range(d_y)]
    return Problem(as_matrix(X), as_matrix(Y)), layers


@given(points())
@settings(max_examples=150)
def test_gradient_blocks_pivot_blocks_and_loss(case):
    problem, weights = case
    point = ExactPoint.of(problem, weights)
    gradient = gradient_at(ExactPoint.of(problem, weights))
    nonzero = [h for h, g in enumerate(gradient, 1) if any(x != 0 for x in g.entries())]
    assert point.first_nonzero_gradient_layer() == (nonzero[0] if nonzero else None)
    H = point.depth
    G = point.residual
    for h in range(1, H + 1):
        zero = point.residual_block_zero(h)
        for k in range(h, H + 1):
            K = point.suffix[k].transpose() * G * point.prefix[h - 1].transpose()
            assert zero[k] == all(x == 0 for x in K.entries())
    direct = frobenius_squared(point.prefix[H] * point.X - point.Y) / 2
    assert point.loss_value == direct


def test_partial_ranks_when_the_screening_primes_divide_a_layer():
    q = 1
    for p in SCREENING_PRIMES:
        q *= p
    depth = 40
    weights = [[[2]]] + [[[1]]] * (depth - 1)
    weights[depth // 2] = [[q]]
    problem = Problem(as_matrix([[1]]), as_matrix([[2 * q]]))
    ranks = partial_ranks(problem, weights)
    assert len(ranks) == depth * (depth + 1) // 2
    assert set(ranks.values()) == {1}


def test_crt_matrix_reproduces_its_residues():
    rng = random.Random(3)
    primes = word_primes(5)
    values = [rng.randrange(-10**80, 10**80) for _ in range(12)]
    crt = CrtMatrix()
    for k, p in enumerate(primes):
        crt.add(nmod_mat(3, 4, [v % p for v in values], p), p)
        if k == 2:
            assert all((a - v) % p == 0 for a, v in zip(crt.values, values) for p in primes[:3])
    modulus = crt.modulus
    assert modulus == primes[0] * primes[1] * primes[2] * primes[3] * primes[4]
    assert [v - modulus if 2 * v > modulus else v for v in crt.values] == values
