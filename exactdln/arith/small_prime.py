"""Linear algebra modulo a prime below 2^31, on numpy int64 arrays.

FLINT's nmod_mat is fast in C, but every entry crosses between Python and FLINT one at a time (about a
microsecond each): for the small, many modular reductions of the orbit pivots
(:func:`exactdln.landscape.reduced_hessian.orbit_pivots`) the crossings cost more than the arithmetic. With
p < 2^31 every residue and every product of two residues fits in an int64, so numpy does the row operations and
products whole. Only the pivots are ever used, and a pivot found modulo p is a pivot over Q (a nonzero minor
mod p is nonzero over Q): a small prime can only be unlucky more often (fewer pivots found, never wrong ones).
"""

from __future__ import annotations

import numpy as np
from flint import fmpq_mat, nmod_mat

__all__ = ["SMALL_PRIMES", "residues", "matmul_mod", "rref_mod"]

# Primes below 2^31 (a prime dividing a denominator is skipped by the caller).
SMALL_PRIMES = (2147483647, 2147483629, 2147483587)

_HALF = 1 << 16

# Up to this many entries the elimination runs on Python lists: each numpy call costs about a microsecond, more
# than the arithmetic of a tiny matrix (the demo gallery's points have widths 1-4).
_SMALL = 256


def residues(matrix: fmpq_mat, prime: int) -> np.ndarray | None:
    """The entries of a rational matrix mod ``prime`` (a / b -> a b^-1) as an int64 array, or None if ``prime``
    divides a denominator."""
    n, m = matrix.nrows(), matrix.ncols()
    numerator, denominator = matrix.numer_denom()
    d = int(denominator) % prime
    if d == 0:
        return None
    if not (n and m):
        return np.zeros((n, m), dtype=np.int64)
    values = np.array([int(x) for x in nmod_mat(numerator, prime).entries()], dtype=np.int64).reshape(n, m)
    if d != 1:
        values = values * pow(d, -1, prime) % prime
    return values


def matmul_mod(a: np.ndarray, b: np.ndarray, prime: int) -> np.ndarray:
    """a b mod ``prime`` for residues in [0, prime), prime < 2^31, inner dimension below 2^16.

    b is split into 16-bit halves, b = 2^16 b_hi + b_lo: each product of a residue and a half is below 2^47, so a
    sum of fewer than 2^16 of them stays below 2^63."""
    if a.shape[1] >= _HALF:
        raise ValueError("inner dimension too large for the int64 products")
    high, low = np.divmod(b, _HALF)
    return ((a @ high) % prime * _HALF + a @ low) % prime


def rref_mod(matrix: np.ndarray, prime: int) -> tuple[np.ndarray, list[int]]:
    """(R, pivots): the reduced row echelon form of ``matrix`` mod ``prime`` and its pivot columns (the column
    rank profile of the matrix mod ``prime``; rows of R past len(pivots) are zero)."""
    R = np.array(matrix, dtype=np.int64) % prime
    rows, cols = R.shape
    if rows * cols <= _SMALL:
        return _rref_small(R, prime)
    pivots: list[int] = []
    r = 0
    col = 0
    while r < rows and col < cols:
        nonzero = R[r:, col:] != 0
        live = nonzero.any(axis=0)
        if not live.any():
            break
        offset = int(live.argmax())
        col += offset
        k = r + int(nonzero[:, offset].argmax())
        if k != r:
            R[[r, k]] = R[[k, r]]
        R[r] = R[r] * pow(int(R[r, col]), -1, prime) % prime
        factors = R[:, col].copy()
        factors[r] = 0
        R = (R - np.outer(factors, R[r])) % prime
        pivots.append(col)
        r += 1
        col += 1
    return R, pivots


def _rref_small(matrix: np.ndarray, prime: int) -> tuple[np.ndarray, list[int]]:
    """:func:`rref_mod` on Python lists of ints (the same steps: first nonzero column among the remaining rows,
    its first nonzero row as pivot, scaled to 1, eliminated from every other row)."""
    R = matrix.tolist()
    rows, cols = matrix.shape
    pivots: list[int] = []
    r = 0
    for col in range(cols):
        if r == rows:
            break
        k = next((i for i in range(r, rows) if R[i][col]), None)
        if k is None:
            continue
        R[r], R[k] = R[k], R[r]
        inverse = pow(R[r][col], -1, prime)
        pivot = [x * inverse % prime for x in R[r]]
        R[r] = pivot
        for i in range(rows):
            if i != r and R[i][col]:
                f = R[i][col]
                R[i] = [(x - f * y) % prime for x, y in zip(R[i], pivot)]
        pivots.append(col)
        r += 1
    return np.array(R, dtype=np.int64).reshape(rows, cols), pivots
