"""The float path's orbit pivots chosen layer by layer (exactdln.numeric.float64.layer_orbit_pivots).

Facts used (none computed by the code under test):

- the orbit directions of hidden layer h at W are T_h = E W_h, T_(h+1) = -W_(h+1) E (E = e_a e_b^T), built here
  over Q from the float weights read as exact rationals; P may be split off when the generator matrix K
  restricted to the columns P has full column rank |P| (docs/maths/hessian_inertia.md §3), checked by FLINT's
  exact rank;
- rank K = sum_h d_h^2 - dim of the E with E W_h = 0 and W_(h+1) E = 0 for every h, so the most P can hold is
  rank K (FLINT's exact rank of K);
- sum_k t_k w_k of floats, correctly rounded, is the float nearest the exact rational sum (Fractions).
"""

import random
from fractions import Fraction

import numpy as np
import pytest
from flint import fmpq, fmpq_mat

from exactdln.numeric.float64 import _exact_products, layer_orbit_pivots


def _generators(weights, widths):
    """K over Q: one row per hidden layer h and E = e_a e_b^T, one column per parameter (row-major W_h)."""
    H = len(weights)
    sizes = [widths[h + 1] * widths[h] for h in range(H)]
    offsets = [sum(sizes[:h]) for h in range(H)]
    n = sum(sizes)
    exact = [[[Fraction(float(x)) for x in row] for row in w] for w in weights]
    rows = []
    for h in range(1, H):
        d, before, after = widths[h], widths[h - 1], widths[h + 1]
        Wh, Wn = exact[h - 1], exact[h]
        for a in range(d):
            for b in range(d):
                row = [Fraction(0)] * n
                for c in range(before):          # E W_h: row a gets row b of W_h
                    row[offsets[h - 1] + a * before + c] = Wh[b][c]
                for r in range(after):           # -W_(h+1) E: column b gets -(column a of W_(h+1))
                    row[offsets[h] + r * d + b] = -Wn[r][a]
                rows.append(row)
    return fmpq_mat([[fmpq(x.numerator, x.denominator) for x in row] for row in rows]) if rows else fmpq_mat(0, n)


def _random_weights(rng, widths, ranks, scale_digits=0):
    gen = np.random.default_rng(rng.randrange(2**32))
    out = []
    for h in range(1, len(widths)):
        d, e, r = widths[h], widths[h - 1], ranks[h - 1]
        W = gen.integers(-5, 6, size=(d, r)).astype(float) @ gen.integers(-5, 6, size=(r, e)).astype(float)
        if scale_digits:       # rows and columns of very different sizes (balanced layers of long-entry points)
            W = W * 10.0 ** gen.integers(-scale_digits, scale_digits + 1, size=(d, 1))
        out.append(W)
    return out


CASES = [((3, 3, 3, 3), (3, 3, 3)), ((4, 4, 4, 4), (4, 3, 4)), ((4, 4, 4, 4), (3, 3, 3)), ((3, 5, 4, 2), (3, 3, 2)),
         ((4, 3, 5, 3), (3, 2, 3)), ((4, 4, 4, 4, 4), (3, 4, 2, 3)), ((2, 4, 3, 2), (2, 2, 2)), ((5, 5, 5), (5, 3))]


@pytest.mark.parametrize("widths, ranks", CASES)
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("scale_digits", [0, 12])
def test_layer_pivots_split_off_independent_orbit_directions(widths, ranks, seed, scale_digits):
    rng = random.Random(1000 * seed + sum(widths))
    weights = _random_weights(rng, widths, ranks, scale_digits)
    K = _generators(weights, widths)
    chosen = layer_orbit_pivots(weights, widths)
    if chosen is None:          # allowed (the caller falls back on the global QR), never a wrong choice
        return
    P, F = chosen
    n = K.ncols()
    assert sorted(P + F) == list(range(n)) and not set(P) & set(F)
    columns = fmpq_mat([[K[i, j] for j in P] for i in range(K.nrows())]) if P else fmpq_mat(K.nrows(), 0)
    assert columns.rank() == len(P)               # K[:, P] of full column rank: the split is a congruence
    if scale_digits == 0:
        assert len(P) == K.rank()                 # unscaled small integers: every orbit direction is taken


def test_exact_products_are_correctly_rounded():
    rng = random.Random(7)
    for _ in range(30):
        k, m, e = rng.randint(1, 4), rng.randint(1, 5), rng.randint(1, 4)
        T = np.array([[rng.choice([1, -1]) * rng.random() * 10.0 ** rng.randint(-30, 30) for _ in range(m)]
                      for _ in range(k)])
        W = np.array([[rng.choice([1, -1]) * rng.random() * 10.0 ** rng.randint(-30, 30) for _ in range(e)]
                      for _ in range(m)])
        W[0, 0] = -float(T[0, 1:] @ W[1:, 0]) / T[0, 0] if m > 1 else W[0, 0]     # a cancelling sum
        got = _exact_products(T, W)
        for i in range(k):
            for j in range(e):
                exact = sum((Fraction(float(T[i, b])) * Fraction(float(W[b, j])) for b in range(m)), Fraction(0))
                assert got[i, j] == float(exact)
