"""Partial products W_{j:i} = W_j ... W_i and their exact ranks.

Achour et al. (JMLR 2024) state the classification through the ranks of the partial
products rk W_{j:i}, 1 <= i <= j <= H, with W_{i-1:i} = I_{d_{i-1}} (the empty
product). Ranks are computed with FLINT. A rank computed modulo a random word-size
prime is a lower bound for the rank over Q; when it reaches a proven upper bound it is
exact (docs/maths/classification.md §3.7), so most products are never formed over Q.
"""

from __future__ import annotations

import random
from typing import Any

from flint import fmpq_mat, fmpz, fmpz_mat, nmod_mat

from exactdln.arith.exact import from_fmpq_mat, modular_image, multiply, rank, to_fmpq_mat
from exactdln.model.problem import Problem, RationalMatrix, as_weights
from exactdln.landscape.point import ExactPoint, exact_point

__all__ = ["partial_product", "partial_ranks", "partial_ranks_at", "partial_product_rank"]

# Primes just below 2^62; one is drawn per call so that no fixed input defeats the screen.
SCREENING_PRIMES = (4611686018427387847, 4611686018427387817, 4611686018427387787, 4611686018427387733)


def partial_product(weights: Any, i: int, j: int) -> RationalMatrix:
    """W_{j:i} = W_j W_{j-1} ... W_i (1-based, docs/maths/README.md §2); the identity I_{d_{i-1}} when j = i - 1."""
    ws = weights.weights_model if isinstance(weights, ExactPoint) else as_weights(weights)
    H = len(ws)
    if not (1 <= i <= j + 1 and j <= H):
        raise ValueError(f"need 1 <= i <= j + 1 <= H + 1, got i={i}, j={j}, H={H}")
    if j == i - 1:
        return RationalMatrix.identity(ws[i - 1].ncols)
    product = to_fmpq_mat(ws[i - 1])
    for h in range(i, j):
        product = to_fmpq_mat(ws[h]) * product
    return from_fmpq_mat(product)


def partial_product_rank(matrix: fmpq_mat | fmpz_mat, *, prime: int | None = None) -> int:
    """Exact rank of a rational or integer matrix, with a modular screen for the full-rank case (a minor nonzero
    modulo a prime is nonzero)."""
    full = min(matrix.nrows(), matrix.ncols())
    if full == 0:
        return 0
    prime = prime or random.SystemRandom().choice(SCREENING_PRIMES)
    if isinstance(matrix, fmpz_mat):
        return full if nmod_mat(matrix, prime).rank() == full else matrix.rank()
    reduced = modular_image(matrix, prime)
    if reduced is not None and reduced.rank() == full:
        return full
    return rank(matrix)


def partial_ranks(problem: Problem, weights: Any) -> dict[tuple[int, int], int]:
    """{(i, j): rk W_{j:i}} for all 1 <= i <= j <= H (the classification uses these: docs/maths/classification.md §3)."""
    p = exact_point(problem, weights)
    return partial_ranks_at(p)


def _modular_lower_bounds(p: ExactPoint, prime: int) -> dict[tuple[int, int], int] | None:
    """{(i, j): rk (W_{j:i} mod prime)} for all 1 <= i <= j <= H, or None if ``prime`` divides a denominator."""
    layers = [modular_image(w, prime) for w in p.W]
    if any(m is None for m in layers):
        return None
    H = p.depth
    lower: dict[tuple[int, int], int] = {}
    for i in range(1, H + 1):
        product = None
        for j in range(i, H + 1):
            product = layers[j - 1] if product is None else layers[j - 1] * product
            lower[(i, j)] = product.rank() if product.nrows() and product.ncols() else 0
    return lower


def _random_word_prime() -> int:
    """A prime drawn at random from [2^61, 2^62): no fixed input is divisible by it except by chance."""
    rng = random.SystemRandom()
    while True:
        candidate = rng.randrange(2**61, 2**62) | 1
        if fmpz(candidate).is_prime():
            return candidate


def partial_ranks_at(p: ExactPoint) -> dict[tuple[int, int], int]:
    """All rk W_{j:i}, squeezed between a modular lower bound and a product upper bound.

    - Lower: rk (W_{j:i} mod p) <= rk W_{j:i} for a prime p dividing no denominator (a nonzero
      minor modulo p is a nonzero integer minor of the cleared matrix); the products modulo p cost
      almost nothing.
    - Upper: rk W_{j:i} <= min(rk W_{j-1:i}, rk W_{j:i+1}) (a product has at most the rank of
      each factor), starting from min(rows, cols) and the exact ranks of the single layers.
    Where the two meet the rank is exact (docs/maths/classification.md §3.7). A single layer below its
    bound gets its exact rank at once (no product to save; a rank-deficient layer then no longer
    costs a second modular pass). For a product below its bound the lower bounds are recomputed once
    modulo a prime drawn at random (an input divisible by the screening primes then costs one more
    pass, not exact products); only where they still differ is the product formed and its rank
    computed exactly (FLINT), the products W_{j:i} for one i by one chain of single-layer products
    (at most H (H - 1) / 2 products in all, never cubic in H).
    """
    H = p.depth
    lower = _modular_lower_bounds(p, random.SystemRandom().choice(SCREENING_PRIMES))
    if lower is None:
        return _partial_ranks_exact(p)
    second: dict[tuple[int, int], int] | None = None
    chains: dict[int, tuple[int, fmpq_mat]] = {}

    def exact_product(i: int, j: int) -> fmpq_mat:
        last, product = chains.get(i, (i, p.W[i - 1]))
        for k in range(last + 1, j + 1):
            product = multiply(p.W[k - 1], product)
        chains[i] = (j, product)
        return product

    out: dict[tuple[int, int], int] = {}
    for length in range(H):
        for i in range(1, H + 1 - length):
            j = i + length
            bound = min(p.widths[j], p.widths[i - 1])
            if length:
                bound = min(bound, out[(i, j - 1)], out[(i + 1, j)])
            if lower[(i, j)] == bound:
                out[(i, j)] = bound
            elif length == 0:
                out[(i, j)] = rank(p.W[i - 1])     # one layer: exact rank at once, no product to save
            else:
                if second is None:
                    second = _modular_lower_bounds(p, _random_word_prime()) or {}
                if second and second[(i, j)] == bound:
                    out[(i, j)] = bound
                else:
                    out[(i, j)] = rank(exact_product(i, j))
    return out


def _partial_ranks_exact(p: ExactPoint) -> dict[tuple[int, int], int]:
    H = p.depth
    out: dict[tuple[int, int], int] = {}
    prime = random.SystemRandom().choice(SCREENING_PRIMES)
    for i in range(1, H + 1):
        product = None
        known_zero = False
        for j in range(i, H + 1):
            product = p.W[j - 1] if product is None else p.W[j - 1] * product
            if known_zero:
                out[(i, j)] = 0
                continue
            # rk W_{j:i} <= rk W_{j-1:i}: once zero, always zero
            out[(i, j)] = partial_product_rank(product, prime=prime)
            known_zero = out[(i, j)] == 0
    return out
