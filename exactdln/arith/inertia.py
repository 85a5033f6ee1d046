"""Exact inertia of rational symmetric matrices.

The inertia (n_plus, n_minus, n_zero) of a symmetric M is invariant under congruence
M -> T^T M T with T invertible (Sylvester's law of inertia). Every method here is a
chain of exact congruences and block decompositions; floats are only ever used to
*guess* a congruence, whose effect is then checked exactly (docs/maths/hessian_inertia.md §3-§5).

Methods of :func:`symmetric_inertia`:

- ``"charpoly"``: chi(x) = det(xI - M) has only real roots, so Descartes' rule of
  signs is exact: n_plus = sign changes of chi(x), n_minus = sign changes of chi(-x),
  n_zero = index of the lowest nonzero coefficient (docs/maths/hessian_inertia.md §4).
- ``"ldl"``: symmetric block elimination (Haynsworth inertia additivity), all O(n^3)
  work in FLINT: a modular rank gives a nonsingular principal block, the Schur
  complement is formed exactly with ``fmpq_mat.solve``; blocks of size <= 16 are
  finished by a scalar LDL^T with 1x1 / 2x2 pivots (Bunch-Parlett style, exact).
- ``"auto"``: charpoly for n <= 48; otherwise reduce to a nonsingular principal block
  (modular pivots + FLINT's exact rank), then a float-guided congruence Q^T A Q
  (Q = rounded, rescaled float eigenvectors of the Jacobi-equilibrated block, integer)
  that is verified in integer arithmetic to be strictly diagonally dominant (Gershgorin)
  or to have off-diagonal Frobenius norm below its smallest diagonal magnitude (Weyl);
  see :mod:`exactdln.arith.guided`. Falls back to the charpoly of the block when the check
  fails (ill-conditioned block). Exact in every case: the floats only propose Q.

Facts used (each is checked in the code where it is relied on):

(F1) Haynsworth: if A = M[K, K] is nonsingular, inertia(M) = inertia(A) +
     inertia(M[R, R] - M[R, K] A^-1 M[K, R]) (R the complement of K), because the
     block-triangular congruence [[I, -A^-1 B], [0, I]] maps M to diag(A, S).
(F2) For symmetric M (over any field) of rank r, and J a set of r independent
     columns, M[J, J] is nonsingular: M = M[:, J] C with C[:, J] = I, hence
     M[J, :] = M[J, J] C, and rank M[J, :] = r (rows J are columns J transposed).
     Over F_p this applies to M mod p, and det M[J, J] != 0 mod p implies != 0 over Q.
(F3) Sylvester: inertia is invariant under congruence with an invertible matrix.
"""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
from flint import fmpq, fmpq_mat, fmpz_mat, nmod_mat

from exactdln.arith.exact import modular_pivot_columns
from exactdln.arith.guided import PRIMES as _PRIMES
from exactdln.arith.guided import SMALL as _SMALL
from exactdln.arith.guided import (
    CharpolyTooCostly,
    IntegerSymmetric,
    charpoly_price_cap,
    guided_nonsingular_inertia,
    inertia_from_charpoly_coefficients,
    integer_charpoly_inertia,
    integer_symmetric_inertia,
)
from exactdln.model.results import Inertia

__all__ = [
    "symmetric_inertia",
    "symmetric_inertia_within",
    "CHARPOLY_PRICE_CAP",
    "psd_ldl",
    "negative_direction",
    "kernel_complement_inertia",
    "inertia_from_charpoly_coefficients",
]

METHODS = ("auto", "ldl", "charpoly")

# Blocks of size <= this are finished by the scalar elimination in "ldl" (smaller leaves keep
# more of the work in FLINT; measured best at 8-16 for n = 150). "auto" finishes at _SMALL.
_SMALL_LDL = 16

# Default cap of :func:`symmetric_inertia_within` on :func:`exactdln.arith.guided.charpoly_price`: about 1-5 s
# of CPU time in one FLINT call (e.g. 150 x 150 with 64-bit entries, 33 x 33 with 8,000-bit entries).
CHARPOLY_PRICE_CAP = 2 ** 29


# ---------------------------------------------------------------------------
# small helpers


def _check_symmetric(matrix: fmpq_mat) -> None:
    if not isinstance(matrix, fmpq_mat):
        raise TypeError(f"expected flint.fmpq_mat, got {type(matrix).__name__}")
    if matrix.nrows() != matrix.ncols():
        raise ValueError(f"matrix is {matrix.nrows()} x {matrix.ncols()}, not square")
    if matrix != matrix.transpose():
        raise ValueError("matrix is not symmetric")


def _integer_matrix(matrix: fmpq_mat) -> fmpz_mat:
    """d * M with d > 0 the common denominator: same inertia (positive scaling is a congruence)."""
    numerator, _ = matrix.numer_denom()
    return numerator


def _entries_grid(matrix: fmpq_mat | fmpz_mat) -> np.ndarray:
    """The entries as an n x m numpy object array (one O(nm) pass, then fancy indexing is C-speed)."""
    grid = np.empty(matrix.nrows() * matrix.ncols(), dtype=object)
    grid[:] = matrix.entries()
    return grid.reshape(matrix.nrows(), matrix.ncols())


def _block(grid: np.ndarray, rows: list[int], cols: list[int], kind: type) -> fmpq_mat | fmpz_mat:
    if not rows or not cols:
        return kind(len(rows), len(cols))
    return kind(len(rows), len(cols), grid[np.ix_(rows, cols)].ravel().tolist())


def _modular_pivots(matrix: fmpz_mat, prime: int) -> list[int]:
    """Pivot columns of the rref of ``matrix`` mod ``prime``: independent over Q as well."""
    return modular_pivot_columns(nmod_mat(matrix, prime))


def _complement(indices: list[int], n: int) -> list[int]:
    chosen = set(indices)
    return [i for i in range(n) if i not in chosen]


def _schur_complement(grid: np.ndarray, keep: list[int], rest: list[int]) -> fmpq_mat:
    """S = M[R, R] - M[R, K] M[K, K]^-1 M[K, R]  (exact; M[K, K] must be nonsingular)."""
    a = _block(grid, keep, keep, fmpq_mat)
    b = _block(grid, keep, rest, fmpq_mat)
    c = _block(grid, rest, rest, fmpq_mat)
    return c - b.transpose() * a.solve(b)


# ---------------------------------------------------------------------------
# scalar elimination with 1x1 / 2x2 pivots (exact, Python level)


class _Elimination:
    """Symmetric elimination of a list-of-rows matrix of fmpq, 1x1 pivots first, else 2x2.

    Bunch-Parlett in exact arithmetic: any nonzero pivot will do. If some remaining
    diagonal entry d != 0, pivot on it (sign(d) counts). Otherwise, if some a = S_ij != 0,
    the pivot [[0, a], [a, 0]] has determinant -a^2 < 0 and contributes (1, 1, 0).
    Otherwise the remaining Schur complement is zero. By (F1) and (F3) the pivot signs
    give the inertia.
    """

    def __init__(self, rows: list[list[fmpq]]):
        self.S = rows
        self.n = len(rows)
        self.active = list(range(self.n))
        self.eliminated: list[int] = []     # original indices in pivot order
        self.plus = self.minus = 0
        self.columns: list[dict[int, fmpq]] = []   # L multipliers per 1x1 pivot
        self.diagonal: list[fmpq] = []

    def diagonal_pivot(self) -> int | None:
        S = self.S
        return next((i for i in self.active if S[i][i] != 0), None)

    def off_diagonal_pivot(self) -> tuple[int, int] | None:
        S = self.S
        for a, i in enumerate(self.active):
            row = S[i]
            for j in self.active[a + 1:]:
                if row[j] != 0:
                    return i, j
        return None

    def eliminate_one(self, p: int) -> None:
        S = self.S
        d = S[p][p]
        if d > 0:
            self.plus += 1
        else:
            self.minus += 1
        self.active.remove(p)
        self.eliminated.append(p)
        column = {j: S[j][p] for j in self.active if S[j][p] != 0}
        multipliers = {j: c / d for j, c in column.items()}
        for j, m in multipliers.items():
            row = S[j]
            for k, c in column.items():
                row[k] -= m * c
        self.columns.append(multipliers)
        self.diagonal.append(d)

    def eliminate_two(self, i: int, j: int) -> None:
        S = self.S
        a = S[i][j]
        self.plus += 1
        self.minus += 1
        self.active.remove(i)
        self.active.remove(j)
        self.eliminated += [i, j]
        u = {k: S[k][i] for k in self.active}
        v = {k: S[k][j] for k in self.active}
        # S_kl -= [u_k v_k] [[0, a], [a, 0]]^-1 [u_l v_l]^T = (u_k v_l + v_k u_l) / a
        nz = [k for k in self.active if u[k] != 0 or v[k] != 0]
        for k in nz:
            row = S[k]
            uk, vk = u[k] / a, v[k] / a
            for l in nz:
                row[l] -= uk * v[l] + vk * u[l]

    def run(self) -> Inertia:
        while self.active:
            p = self.diagonal_pivot()
            if p is not None:
                self.eliminate_one(p)
                continue
            pair = self.off_diagonal_pivot()
            if pair is None:
                break
            self.eliminate_two(*pair)
        return Inertia(self.plus, self.minus, len(self.active))


def _rows(matrix: fmpq_mat) -> list[list[fmpq]]:
    n = matrix.ncols()
    entries = matrix.entries()
    return [list(entries[i * n:(i + 1) * n]) for i in range(matrix.nrows())]


def _small_inertia(matrix: fmpq_mat) -> Inertia:
    return _Elimination(_rows(matrix)).run()


# ---------------------------------------------------------------------------
# characteristic polynomial + Descartes


def _charpoly_inertia(matrix: fmpq_mat) -> Inertia:
    return integer_charpoly_inertia(_integer_matrix(matrix))


# ---------------------------------------------------------------------------
# block recursion (Haynsworth), all O(n^3) work in FLINT


def _random_congruence(matrix: fmpq_mat, rng: random.Random) -> fmpq_mat:
    """R^T M R with R unit lower triangular (det R = 1): same inertia by (F3)."""
    n = matrix.nrows()
    entries = [0] * (n * n)
    for i in range(n):
        entries[i * n + i] = 1
        for j in range(i):
            entries[i * n + j] = rng.choice((-1, 0, 1))
    r = fmpq_mat(n, n, entries)
    return r.transpose() * matrix * r


def _leaf_inertia(matrix: fmpq_mat, guided: bool) -> Inertia:
    # "auto" finishes small blocks with the charpoly (C), "ldl" with the scalar elimination
    return _charpoly_inertia(matrix) if guided else _small_inertia(matrix)


def _nonsingular_inertia(matrix: fmpq_mat, guided: bool, rng: random.Random) -> Inertia:
    """Inertia of a symmetric matrix known to be nonsingular (n_zero = 0)."""
    n = matrix.nrows()
    if not guided and n <= _SMALL_LDL:
        return _leaf_inertia(matrix, guided)
    integer = _integer_matrix(matrix)
    if guided:    # small with short entries: the charpoly; otherwise the verified congruence first
        return guided_nonsingular_inertia(IntegerSymmetric(matrix=integer))
    k = n // 2
    lead = _block(_entries_grid(integer), list(range(k)), list(range(k)), fmpz_mat)
    for prime in _PRIMES:
        keep = _modular_pivots(lead, prime)
        if keep:
            break
    else:
        # the leading block vanishes (mod every prime tried): scramble by a congruence
        return _nonsingular_inertia(_random_congruence(matrix, rng), guided, rng)
    # (F2) on the leading block: M[keep, keep] is nonsingular. (F1) splits off the rest.
    grid = _entries_grid(matrix)
    rest = _complement(keep, n)
    head = _nonsingular_inertia(_block(grid, keep, keep, fmpq_mat), guided, rng)
    # the Schur complement of a nonsingular block in a nonsingular matrix is nonsingular
    tail = _nonsingular_inertia(_schur_complement(grid, keep, rest), guided, rng)
    return head + tail


def _block_inertia(matrix: fmpq_mat, guided: bool, rng: random.Random) -> Inertia:
    """Inertia of any symmetric matrix: split off a maximal nonsingular principal block."""
    n = matrix.nrows()
    if n == 0:
        return Inertia(0, 0, 0)
    if not guided and n <= _SMALL_LDL:
        return _leaf_inertia(matrix, guided)
    integer = _integer_matrix(matrix)
    if integer.is_zero():
        return Inertia(0, 0, n)
    if guided:    # small with short entries: the charpoly; otherwise the verified congruence first
        found = integer_symmetric_inertia(IntegerSymmetric(matrix=integer))
        if found is not None:
            return found
    for prime in _PRIMES:
        keep = _modular_pivots(integer, prime)
        if keep:
            break
    else:
        return _leaf_inertia(matrix, guided)  # nonzero yet zero mod six large primes
    if len(keep) == n:
        return _nonsingular_inertia(matrix, guided, rng)
    # The columns `keep` are independent over Q (a nonzero minor mod p). If the exact rank
    # (FLINT, deterministic) equals |keep| they are a basis of the column space, and by (F2)
    # M = C^T M[keep, keep] C with C[:, keep] = I, a congruence to diag(M[keep, keep], 0).
    if integer.rank() == len(keep):
        head = _block(_entries_grid(integer), keep, keep, fmpz_mat)
        return _nonsingular_inertia(fmpq_mat(head), guided, rng) + Inertia(0, 0, n - len(keep))
    # unlucky prime: (F1) with the nonsingular block M[keep, keep] and its Schur complement
    grid = _entries_grid(matrix)
    rest = _complement(keep, n)
    head = _nonsingular_inertia(_block(grid, keep, keep, fmpq_mat), guided, rng)
    return head + _block_inertia(_schur_complement(grid, keep, rest), guided, rng)


# ---------------------------------------------------------------------------
# public API


def symmetric_inertia(matrix: fmpq_mat, *, method: str = "auto") -> Inertia:
    """Exact Sylvester inertia (n_plus, n_minus, n_zero) of a rational symmetric matrix.

    ``method``: ``"charpoly"`` (characteristic polynomial + Descartes' rule of signs, exact
    because a symmetric matrix has only real eigenvalues), ``"ldl"`` (block LDL^T with
    Haynsworth inertia additivity, exact), or ``"auto"`` (rank reduction plus an exactly
    verified float-guided congruence, charpoly as fallback; the fastest, and still exact). See the module
    docstring and docs/maths/hessian_inertia.md §3-§5 for the facts (F1)-(F3) each method relies on.
    """
    _check_symmetric(matrix)
    if method not in METHODS:
        raise ValueError(f"unknown inertia method {method!r}; expected one of {METHODS}")
    if matrix.nrows() == 0:
        return Inertia(0, 0, 0)
    if method == "charpoly":
        return _charpoly_inertia(matrix)
    rng = random.Random(20240601)  # only steers the rare scrambling congruence; results are exact
    return _block_inertia(matrix, method == "auto", rng)


def symmetric_inertia_within(matrix: fmpq_mat, price_cap: int = CHARPOLY_PRICE_CAP) -> Inertia | None:
    """The exact inertia of ``symmetric_inertia(matrix)``, or None if it would need a FLINT characteristic
    polynomial whose :func:`exactdln.arith.guided.charpoly_price` exceeds ``price_cap``.

    That polynomial is one C call that a Python signal handler (``--timeout``) cannot interrupt: on a
    33 x 33 matrix with 48,000-bit entries it runs for 20 s or more. Callers that do not need the inertia
    for their answer (a point already proven not critical) use this and say that it was not computed.
    An answer that is returned is exact: the cap only decides whether one is attempted.
    """
    try:
        with charpoly_price_cap(price_cap):
            return symmetric_inertia(matrix)
    except CharpolyTooCostly:
        return None


def psd_ldl(matrix: fmpq_mat) -> tuple[list[int], list[list[Fraction]], list[Fraction]] | None:
    """An LDL^T certificate that M is positive semidefinite, or None if it is not.

    Returns (perm, L, D) with L unit lower triangular, D >= 0 and
    M[perm][:, perm] == L diag(D) L^T exactly. Only 1x1 pivots: a PSD matrix with a zero
    diagonal entry has that row and column zero (a 2x2 principal minor m_ii m_jj - m_ij^2
    would otherwise be negative), so the first zero remaining diagonal entry means the
    remaining Schur complement is zero or M is not PSD (docs/maths/hessian_inertia.md §6).
    """
    _check_symmetric(matrix)
    n = matrix.nrows()
    if n > _SMALL:
        if symmetric_inertia(matrix).n_minus > 0:
            return None  # fast rejection; the elimination below would also reject
        found = _psd_ldl_by_rank(matrix)
        if found is not None:
            return found
    return _psd_ldl_eliminated(matrix)


def _fraction(x: fmpq) -> Fraction:
    return Fraction(int(x.p), int(x.q))


def _psd_ldl_by_rank(matrix: fmpq_mat) -> tuple[list[int], list[list[Fraction]], list[Fraction]] | None:
    """Block form for a PSD M of rank r: J = r independent columns (mod p, exact rank checked).

    A = M[J, J] is positive definite (F2), so its elimination without pivoting gives
    A = L_J diag(D_J) L_J^T with D_J > 0. With X = L_J^-1 M[J, F] and L_F = X^T diag(D_J)^-1,
    L_F D_J L_J^T = M[F, J] and L_F D_J L_F^T = M[F, J] A^-1 M[J, F] = M[F, F] (the Schur
    complement vanishes because rank M = r). None if the exact rank does not match |J|.
    """
    n = matrix.nrows()
    integer = _integer_matrix(matrix)
    keep = _modular_pivots(integer, _PRIMES[0])
    if not keep or integer.rank() != len(keep):
        return None
    r = len(keep)
    grid = _entries_grid(matrix)
    elimination = _Elimination(_rows(_block(grid, keep, keep, fmpq_mat)))
    while elimination.active:
        p = elimination.active[0]
        if not elimination.S[p][p] > 0:
            return None  # cannot happen for PSD input (A is positive definite)
        elimination.eliminate_one(p)
    lower = fmpq_mat(r, r)
    for k in range(r):
        lower[k, k] = 1
        for j, m in elimination.columns[k].items():
            lower[j, k] = m
    free = _complement(keep, n)
    x = lower.solve(_block(grid, keep, free, fmpq_mat)) if free else fmpq_mat(r, 0)
    D = [_fraction(d) for d in elimination.diagonal] + [Fraction(0)] * len(free)
    L = [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]
    for i in range(r):
        for k in range(i):
            L[i][k] = _fraction(lower[i, k])
    for a in range(len(free)):
        row = L[r + a]
        for k in range(r):
            value = x[k, a]
            if value != 0:
                row[k] = _fraction(value) / D[k]
    return keep + free, L, D


def _psd_ldl_eliminated(matrix: fmpq_mat) -> tuple[list[int], list[list[Fraction]], list[Fraction]] | None:
    n = matrix.nrows()
    elimination = _Elimination(_rows(matrix))
    while elimination.active:
        p = elimination.diagonal_pivot()
        if p is None:
            if elimination.off_diagonal_pivot() is not None:
                return None
            break
        if elimination.S[p][p] < 0:
            return None
        elimination.eliminate_one(p)
    perm = elimination.eliminated + elimination.active
    position = {index: k for k, index in enumerate(perm)}
    L = [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]
    for k, multipliers in enumerate(elimination.columns):
        for j, m in multipliers.items():
            L[position[j]][k] = Fraction(int(m.p), int(m.q))
    D = [Fraction(int(d.p), int(d.q)) for d in elimination.diagonal]
    D += [Fraction(0)] * (n - len(D))
    return perm, L, D


def _quadratic_form(matrix: fmpq_mat, vector: list[fmpq]) -> fmpq:
    v = fmpq_mat(len(vector), 1, vector)
    return (v.transpose() * matrix * v)[0, 0]


def _float_negative_direction(matrix: fmpq_mat) -> list[fmpq] | None:
    """Guess: the float eigenvector of the smallest eigenvalue, rounded; checked exactly."""
    n = matrix.nrows()
    try:
        grid = np.array([float(x) for x in matrix.entries()], dtype=float).reshape(n, n)
        scale = np.max(np.abs(grid))
        if not np.isfinite(scale) or scale == 0:
            return None
        values, vectors = np.linalg.eigh(grid / scale)
    except (OverflowError, np.linalg.LinAlgError):
        return None
    if values[0] >= 0:
        return None
    guess = [fmpq(int(x)) for x in np.rint(vectors[:, 0] * 2.0 ** 30)]
    return guess if _quadratic_form(matrix, guess) < 0 else None


def negative_direction(matrix: fmpq_mat) -> list[Fraction] | None:
    """A rational v with v^T M v < 0, or None if M is positive semidefinite.

    Found by exact elimination: at a negative 1x1 pivot (index i, remaining set R) take
    w = e_i on R; at a 2x2 pivot [[0, a], [a, 0]] take w = e_i - sign(a) e_j, so
    w^T S w = -2|a| < 0. The Schur complement identity (F1) carries w back:
    v_R = w, v_P = -M[P, P]^-1 M[P, R] w gives v^T M v = w^T S w (P = eliminated indices).
    A rounded float eigenvector is tried first; every returned v is checked exactly.
    """
    _check_symmetric(matrix)
    n = matrix.nrows()
    if n == 0:
        return None
    guess = _float_negative_direction(matrix) if n > _SMALL else None
    if guess is None:
        guess = _eliminated_negative_direction(matrix)
    if guess is None:
        return None
    if not _quadratic_form(matrix, guess) < 0:  # pragma: no cover - a bug, never expected
        raise AssertionError("negative_direction: constructed vector is not a negative direction")
    return [Fraction(int(x.p), int(x.q)) for x in guess]


def _eliminated_negative_direction(matrix: fmpq_mat) -> list[fmpq] | None:
    n = matrix.nrows()
    elimination = _Elimination(_rows(matrix))
    S = elimination.S
    w: dict[int, fmpq] = {}
    while elimination.active:
        p = elimination.diagonal_pivot()
        if p is not None:
            if S[p][p] < 0:
                w = {p: fmpq(1)}
                break
            elimination.eliminate_one(p)
            continue
        pair = elimination.off_diagonal_pivot()
        if pair is None:
            return None
        i, j = pair
        w = {i: fmpq(1), j: fmpq(-1) if S[i][j] > 0 else fmpq(1)}
        break
    else:
        return None
    if not w:
        return None
    eliminated = elimination.eliminated
    remaining = elimination.active
    v = [fmpq(0)] * n
    for index, value in w.items():
        v[index] = value
    if eliminated:
        grid = _entries_grid(matrix)
        a = _block(grid, eliminated, eliminated, fmpq_mat)
        b = _block(grid, eliminated, remaining, fmpq_mat)
        w_column = fmpq_mat(len(remaining), 1, [w.get(r, fmpq(0)) for r in remaining])
        back = a.solve(b * w_column)
        for k, index in enumerate(eliminated):
            v[index] = -back[k, 0]
    return v


def kernel_complement_inertia(matrix: fmpq_mat, kernel_basis: fmpq_mat) -> tuple[Inertia, list[int]]:
    """Inertia of M using s vectors known to lie in ker M (the rows of ``kernel_basis``).

    Let P be the pivot columns of K mod a large prime p (|P| = s'; for a lucky prime
    s' = rank K, the rref pivots). The columns K[:, P] are independent mod p, so some s'
    rows I have det K[I, P] != 0 mod p, hence != 0 over Q. Let F be the complement of P.
    The n x n matrix T whose rows are K[I, :] and the unit vectors e_f (f in F) is
    invertible: with the columns ordered (P, F) it is [[K[I, P], K[I, F]], [0, I]]. The rows
    K[I, :] lie in ker M (checked exactly for all rows: M K^T = 0), so
    T M T^T = diag(0_{s'}, M[F, F]) and, by Sylvester's law (F3),
    inertia(M) = inertia(M[F, F]) + (0, 0, s'). If p was unlucky, s' < rank K and M[F, F]
    simply keeps the rest of the kernel: the result is exact either way. Used on DLN
    Hessians whose kernel contains the orbit directions of W_h -> A W_h,
    W_{h+1} -> W_{h+1} A^-1 (docs/maths/hessian_inertia.md §2).

    Raises ValueError if some row is not in ker M (the caller's theorem was wrong: a finding).
    Returns the inertia and F.
    """
    _check_symmetric(matrix)
    n = matrix.nrows()
    if kernel_basis.ncols() != n:
        raise ValueError(f"kernel basis has {kernel_basis.ncols()} columns, matrix is {n} x {n}")
    if kernel_basis.nrows() == 0 or n == 0:
        return symmetric_inertia(matrix), list(range(n))
    integer_kernel = _integer_matrix(kernel_basis)     # row scaling keeps every row in ker M
    product = _integer_matrix(matrix) * integer_kernel.transpose()
    if not product.is_zero():
        bad = next(j for j in range(product.ncols()) if any(product[i, j] != 0 for i in range(n)))
        raise ValueError(f"kernel basis row {bad} is not in the kernel of the matrix (M v != 0)")
    if integer_kernel.is_zero():
        return symmetric_inertia(matrix), list(range(n))
    pivots: list[int] = []
    for prime in _PRIMES:
        pivots = _modular_pivots(integer_kernel, prime)
        if pivots:
            break
    free = _complement(pivots, n)
    reduced_matrix = _block(_entries_grid(matrix), free, free, fmpq_mat)
    return symmetric_inertia(reduced_matrix) + Inertia(0, 0, len(pivots)), free
