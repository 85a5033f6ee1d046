"""The exact backend: rational matrices in python-flint.

Conversions between the model's :class:`~exactdln.problem.RationalMatrix` and flint's
``fmpq_mat``, and the exact linear algebra the core needs (rank, column bases,
nullspaces, solves). Ranks and nullspaces go through ``fmpz_mat`` after clearing
denominators, which FLINT computes with fraction-free or multimodular elimination
in C; sympy's ``Matrix.rank`` is never used.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterable, Sequence

from flint import fmpq, fmpq_mat, fmpz_mat

from ..problem import RationalMatrix

__all__ = [
    "to_fmpq_mat",
    "from_fmpq_mat",
    "to_fraction",
    "identity",
    "zeros",
    "rank",
    "nullspace",
    "column_basis",
    "rref_pivots",
    "is_zero",
    "transpose",
    "submatrix",
    "hstack",
    "vstack",
    "trace",
    "frobenius_squared",
    "inner",
]


def to_fmpq_mat(matrix: RationalMatrix) -> fmpq_mat:
    """The flint matrix of a model matrix (cached on the instance, which is immutable)."""
    cached = matrix.__dict__.get("_fmpq")
    if cached is not None:
        return cached
    entries = [fmpq(x.numerator, x.denominator) for x in matrix.entries()]
    result = fmpq_mat(matrix.nrows, matrix.ncols, entries)
    object.__setattr__(matrix, "_fmpq", result)
    return result


def to_fraction(x: fmpq) -> Fraction:
    return Fraction(int(x.p), int(x.q))


def from_fmpq_mat(matrix: fmpq_mat) -> RationalMatrix:
    rows = tuple(
        tuple(to_fraction(matrix[i, j]) for j in range(matrix.ncols())) for i in range(matrix.nrows())
    )
    return RationalMatrix(rows, matrix.ncols())


def identity(n: int) -> fmpq_mat:
    m = fmpq_mat(n, n)
    for i in range(n):
        m[i, i] = 1
    return m


def zeros(nrows: int, ncols: int) -> fmpq_mat:
    return fmpq_mat(nrows, ncols)


def _integer_matrix(matrix: fmpq_mat) -> fmpz_mat:
    # Row-scaling does not change rank or right nullspace; numer_denom clears one common denominator.
    numerator, _ = matrix.numer_denom()
    return numerator


def rank(matrix: fmpq_mat) -> int:
    """Exact rank over Q (FLINT, via the integer matrix with denominators cleared)."""
    if matrix.nrows() == 0 or matrix.ncols() == 0:
        return 0
    return _integer_matrix(matrix).rank()


def nullspace(matrix: fmpq_mat) -> fmpq_mat:
    """A basis of the right nullspace {v : M v = 0}, as the columns of an n x k matrix."""
    n = matrix.ncols()
    if matrix.nrows() == 0:
        return identity(n)
    basis, nullity = _integer_matrix(matrix).nullspace()
    out = fmpq_mat(n, nullity)
    for i in range(n):
        for j in range(nullity):
            out[i, j] = basis[i, j]
    return out


def rref_pivots(matrix: fmpq_mat) -> tuple[fmpq_mat, list[int]]:
    """Reduced row echelon form and its pivot columns."""
    reduced, r = matrix.rref()
    pivots = []
    col = 0
    for i in range(r):
        while reduced[i, col] == 0:
            col += 1
        pivots.append(col)
        col += 1
    return reduced, pivots


def column_basis(matrix: fmpq_mat) -> fmpq_mat:
    """Columns of ``matrix`` that form a basis of its range (pivot columns of the rref)."""
    _, pivots = rref_pivots(matrix)
    return submatrix(matrix, range(matrix.nrows()), pivots)


def submatrix(matrix: fmpq_mat, rows: Iterable[int], cols: Iterable[int]) -> fmpq_mat:
    rows, cols = list(rows), list(cols)
    out = fmpq_mat(len(rows), len(cols))
    for a, i in enumerate(rows):
        for b, j in enumerate(cols):
            out[a, b] = matrix[i, j]
    return out


def hstack(blocks: Sequence[fmpq_mat]) -> fmpq_mat:
    nrows = blocks[0].nrows()
    out = fmpq_mat(nrows, sum(b.ncols() for b in blocks))
    offset = 0
    for b in blocks:
        for i in range(nrows):
            for j in range(b.ncols()):
                out[i, offset + j] = b[i, j]
        offset += b.ncols()
    return out


def vstack(blocks: Sequence[fmpq_mat]) -> fmpq_mat:
    return transpose(hstack([transpose(b) for b in blocks]))


def transpose(matrix: fmpq_mat) -> fmpq_mat:
    return matrix.transpose()


def is_zero(matrix: fmpq_mat) -> bool:
    return all(x == 0 for x in matrix.entries())


def trace(matrix: fmpq_mat) -> fmpq:
    return sum((matrix[i, i] for i in range(min(matrix.nrows(), matrix.ncols()))), fmpq(0))


def inner(a: fmpq_mat, b: fmpq_mat) -> fmpq:
    """Frobenius inner product <A, B> = tr(A^T B)."""
    return sum((x * y for x, y in zip(a.entries(), b.entries())), fmpq(0))


def frobenius_squared(matrix: fmpq_mat) -> fmpq:
    return inner(matrix, matrix)
