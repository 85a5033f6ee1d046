"""Exact inertia of integer symmetric matrices by float-guided, exactly verified congruences.

This is the engine of ``symmetric_inertia(..., method="auto")`` and of the reduced Hessian
route of :func:`exactdln.theory.classify.hessian_inertia`. Floats only *propose* a congruence;
every fact the answer rests on is checked in integer arithmetic: FLINT for the matrix
products and ranks, Python integers for the final comparisons
(see :func:`guided_congruence_inertia`).

Facts used (the module docstring of :mod:`exactdln.arith.inertia` states and proves them):

(F2) For symmetric M of rank r and J a set of r columns independent mod a prime p,
     M[J, J] is nonsingular, and M is congruent to diag(M[J, J], 0).
(F3) Sylvester: inertia is invariant under congruence with an invertible matrix.

The matrix is held once in each representation it needs (Python integers in a numpy
object array, an ``fmpz_mat``, floats): moving n^2 entries between Python and FLINT costs
about a microsecond each, as much as the O(n^3) arithmetic at n ~ 100, so each
representation is built at most once and sub-blocks are cut by numpy indexing.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from fractions import Fraction
from functools import cached_property
from math import gcd

import numpy as np
from flint import fmpz_mat, nmod_mat

from exactdln.arith.exact import modular_pivot_columns
from exactdln.model.blas_threads import single_blas_thread
from exactdln.model.results import Inertia

__all__ = [
    "CharpolyTooCostly",
    "IntegerSymmetric",
    "charpoly_price",
    "charpoly_price_cap",
    "guided_congruence_inertia",
    "guided_nonsingular_inertia",
    "inertia_from_charpoly_coefficients",
    "integer_charpoly_inertia",
    "integer_symmetric_inertia",
]

# Word-size primes for modular ranks (a bad prime only costs a retry, never correctness).
PRIMES = (
    4611686018427387847,
    4611686018427387817,
    4611686018427387787,
    4611686018427387761,
    4611686018427387751,
    4611686018427387737,
)

# Most bits of the integer approximation of the float eigenvectors in the guided congruence
# (fewer for well-conditioned matrices: shorter integers, cheaper exact products).
GUIDE_BITS = 30

# Bits kept below the diagonal scale when the equilibrated matrix is truncated, beyond
# 2 log2 n + log2 cond: the truncation error is then at most ~2^-GUARD_BITS of the smallest
# diagonal entry of the congruent matrix (a crude bound; short entries make FLINT's products
# several times faster).
GUARD_BITS = 6

# Matrices up to this size are finished by FLINT's characteristic polynomial directly, unless their entries are
# long: above LONG_ENTRY_WORK = n * (bits of the largest entry) the charpoly needs about n * bits / 60 primes, and the
# verified congruence is cheaper (a 12 x 12 Schur complement with 1,270-bit entries: 4 ms against about 1.4 ms).
SMALL = 48
LONG_ENTRY_WORK = 4096

# The cap that :func:`charpoly_price_cap` installs (None: no cap, every charpoly runs).
_PRICE_CAP: ContextVar[int | None] = ContextVar("charpoly_price_cap", default=None)


class CharpolyTooCostly(Exception):
    """Raised instead of starting a FLINT characteristic polynomial priced above the installed cap."""

    def __init__(self, n: int, bits: int, price: int, cap: int, what: str = "characteristic polynomial"):
        super().__init__(f"{what} of a {n} x {n} matrix with {bits}-bit entries: price {price} > cap {cap}")
        self.n, self.bits, self.price, self.cap = n, bits, price, cap


def _refuse_above_price_cap(n: int, bits: int, what: str) -> None:
    """Raise :class:`CharpolyTooCostly` if a price cap is installed and one uninterruptible FLINT call on an n x n
    integer matrix with b-bit entries would cost more (priced by :func:`charpoly_price`)."""
    cap = _PRICE_CAP.get()
    if cap is not None:
        price = charpoly_price(n, bits)
        if price > cap:
            raise CharpolyTooCostly(n, bits, price, cap, what)


def charpoly_price(n: int, bits: int) -> int:
    """A price proportional to the CPU time of FLINT's charpoly of an n x n integer matrix with b-bit entries.

    Its coefficients have up to about n (b + log2 n) bits, found prime by prime (about n b / 60 word-size
    primes, each an O(n^3) elimination after reducing n^2 long entries) and recombined by the Chinese
    remainder theorem, whose cost grows faster than linearly in the length: measured here about
    n^3 b ceil(b / 4096) nanoseconds to within a factor 3 (n = 16..150, b = 64..48,000). One uninterruptible
    C call: at n = 33, b = 48,000 it runs for 20-45 s.
    """
    return n ** 3 * bits * -(-bits // 4096)


@contextmanager
def charpoly_price_cap(cap: int | None):
    """Within the block, :func:`integer_charpoly_inertia` raises :class:`CharpolyTooCostly` instead of
    starting a charpoly whose :func:`charpoly_price` exceeds ``cap`` (the other, cheap methods still run)."""
    token = _PRICE_CAP.set(cap)
    try:
        yield
    finally:
        _PRICE_CAP.reset(token)


class IntegerSymmetric:
    """An integer symmetric matrix, each representation built on first use.

    Construct from a numpy object array of Python ints (``grid``) or from an ``fmpz_mat``.
    The caller vouches for symmetry.
    """

    def __init__(self, *, grid: np.ndarray | None = None, matrix: fmpz_mat | None = None):
        if grid is None and matrix is None:
            raise ValueError("need a grid or a matrix")
        if grid is not None:
            self.__dict__["grid"] = grid
        if matrix is not None:
            self.__dict__["matrix"] = matrix
        self.n = grid.shape[0] if grid is not None else matrix.nrows()

    @cached_property
    def grid(self) -> np.ndarray:
        out = np.empty(self.n * self.n, dtype=object)
        out[:] = [int(x) for x in self.matrix.entries()]
        return out.reshape(self.n, self.n)

    @cached_property
    def matrix(self) -> fmpz_mat:
        return fmpz_mat(self.grid.tolist()) if self.n else fmpz_mat(0, 0)

    def primitive(self) -> "IntegerSymmetric":
        """M / gcd(entries of M): a positive multiple, so the same inertia, with shorter entries."""
        content = gcd(*self.grid.ravel().tolist()) if self.n else 0
        if content <= 1:
            return self
        return IntegerSymmetric(grid=self.grid // content)

    def block(self, indices: list[int]) -> "IntegerSymmetric":
        return IntegerSymmetric(grid=self.grid[np.ix_(indices, indices)])

    @cached_property
    def bits(self) -> int:
        """Bit length of the largest |entry|."""
        flat = self.grid.ravel()
        return max(max(flat), -min(flat)).bit_length() if self.n else 0

    def is_zero(self) -> bool:
        return self.bits == 0

    def modular_pivots(self) -> list[int]:
        """Pivot columns of the rref mod the first prime that gives any (independent over Q too)."""
        for prime in PRIMES:
            pivots = modular_pivot_columns(nmod_mat(self.matrix, prime))
            if pivots:
                return pivots
        return []


def inertia_from_charpoly_coefficients(coefficients: list[int] | list[Fraction]) -> Inertia:
    """Inertia from chi(x) = sum_k c_k x^k (lowest degree first) of a real symmetric matrix.

    All roots of chi are real, so Descartes' rule of signs is exact (docs/maths/hessian_inertia.md §4):
    n_plus = sign changes of (c_k), n_minus = sign changes of ((-1)^k c_k), n_zero = the
    lowest k with c_k != 0.
    """
    coefficients = list(coefficients)
    n_zero = next(k for k, c in enumerate(coefficients) if c != 0)

    def sign_changes(values: list) -> int:
        signs = [1 if v > 0 else -1 for v in values if v != 0]
        return sum(1 for s, t in zip(signs, signs[1:]) if s != t)

    n_plus = sign_changes(coefficients)
    n_minus = sign_changes([c if k % 2 == 0 else -c for k, c in enumerate(coefficients)])
    return Inertia(n_plus, n_minus, n_zero)


def integer_charpoly_inertia(matrix: fmpz_mat) -> Inertia:
    """Inertia of an integer symmetric matrix by Descartes' rule on FLINT's characteristic polynomial.

    Raises :class:`CharpolyTooCostly` when a :func:`charpoly_price_cap` is installed and the price exceeds it.
    """
    if _PRICE_CAP.get() is not None:
        bits = max((abs(int(x)).bit_length() for x in matrix.entries()), default=0)
        _refuse_above_price_cap(matrix.nrows(), bits, "characteristic polynomial")
    return inertia_from_charpoly_coefficients([int(c) for c in matrix.charpoly().coeffs()])


def _equilibrating_exponents(block: np.ndarray) -> list[int]:
    """e_i with M_ii / 4^e_i in [1, 4) (from the row's largest |entry| when M_ii = 0)."""
    exponents = []
    for i in range(block.shape[0]):
        d = abs(block[i, i])
        if d == 0:
            row = block[i]
            d = max(max(row), -min(row))
        exponents.append(max(int(d).bit_length() - 1, 0) // 2)
    return exponents


def guided_congruence_inertia(matrix: IntegerSymmetric, keep: list[int] | None = None) -> Inertia | None:
    """Inertia of a nonsingular integer symmetric A = M[keep, keep] (default: all of M) via an
    exactly verified congruence, or None if the check fails.

    1. Equilibrate: t_i = e_max - e_i with A_ii / 4^e_i in [1, 4), so that
       A' = diag(2^t) A diag(2^t) has its diagonal in [4^e_max, 4^(e_max + 1)) (Jacobi
       scaling; it removes the bad scaling that hidden changes of basis put into DLN
       Hessians).
    2. Guess: G = round(2^b V D) with V the float eigenvectors of diag(2^-e) A diag(2^-e)
       and D a column scaling (integer entries, |G| <= 2^b; b from the float condition).
       Truncate: A'_hi = floor(A' / 2^s) entrywise with 2^s about 2^-g times the diagonal
       scale (g = guard bits from n and the float condition; s = 0, no truncation, when A'
       is already short), so A' = 2^s A'_hi + R with 0 <= R_kl < 2^s.
    3. Verify, exactly: B_hi = G^T A'_hi G in FLINT (when s = 0, as Q^T A Q). With Q = diag(2^t) G,
       B = Q^T A Q = G^T A' G = 2^s B_hi + G^T R G, and |(G^T R G)_ij| < 2^s c_i c_j
       with c_i = sum_k |G_ki| (0 when s = 0). If for every i
           |B_hi,ii| - c_i^2 > sum_{j != i} (|B_hi,ij| + c_i c_j)          (Gershgorin)
       or  min_i (|B_hi,ii| - c_i^2)^2 > sum_{i != j} (|B_hi,ij| + c_i c_j)^2   (Weyl),
       then B is strictly diagonally dominant (resp. ||B - diag B||_2 < min |B_ii|), so
       every diag(B) + t (B - diag B), t in [0, 1], is nonsingular and inertia(B) = the
       signs of diag(B) = the signs of diag(B_hi). B nonsingular forces det Q != 0, so
       inertia(A) = inertia(B) by (F3). Every comparison is between Python integers.
    """
    block = matrix.grid if keep is None else matrix.grid[np.ix_(keep, keep)]
    n = block.shape[0]
    exponents = _equilibrating_exponents(block)
    top = max(exponents)
    shifts = [top - e for e in exponents]
    try:
        e = np.array(exponents, dtype=np.int64)
        if matrix.bits < 1000:
            floats = np.ldexp(np.array(block, dtype=float), -(e[:, None] + e[None, :]))
        else:
            floats = np.array([[x / (1 << (exponents[i] + exponents[j])) for j, x in enumerate(row)]
                               for i, row in enumerate(block.tolist())], dtype=float)
        if not np.all(np.isfinite(floats)):
            return None
        with single_blas_thread():    # small matrices: spinning BLAS threads on busy cores cost 10-100x
            values, vectors = np.linalg.eigh(floats)
        magnitudes = np.abs(values)
        if magnitudes.min() == 0:
            return None
        with np.errstate(over="ignore"):          # a ratio beyond the float range is an infinite condition number
            ratio = magnitudes.max() / magnitudes.min()
        if not np.isfinite(ratio):
            return None
        condition_bits = int(np.ceil(np.log2(ratio)))
        # b bits of G resolve the eigenvectors up to cond ~ 2^(2b) / n. Truncation error: |R| < 2^s and
        # c_i <= sqrt(n) 2^b give row sums <= n^2 2^(2b) 2^s, against |B_ii| ~ 2^(2b) min|lambda| 4^e_max
        # (diag of the equilibrated matrix in [1, 4), so 1 / min|lambda| <= cond): guard = 2 log2 n + log2 cond
        # + GUARD_BITS leaves a factor 2^GUARD_BITS of room. (The check below is exact whatever the guard:
        # a guard too small only makes it fail, and the caller falls back.)
        bits = min(GUIDE_BITS, max(16, (condition_bits + 1) // 2 + n.bit_length() + 8))
        guard = 2 * n.bit_length() + condition_bits + GUARD_BITS
        # columns scaled by sqrt(min|lambda| / |lambda_i|): B ~ 2^(2b) min|lambda| sign(Lambda), so the
        # rounding error of G is measured against sqrt(|lambda_i|)
        columns = vectors * np.sqrt(magnitudes.min() / magnitudes)
        guide = np.rint(columns * 2.0 ** bits).astype(np.int64)
    except (OverflowError, np.linalg.LinAlgError, ValueError):
        return None
    s = 2 * top - guard
    if s <= 0:       # A' is already short: use it exactly
        s = 0
    else:
        hi = [[x << k if k >= 0 else x >> -k for x, k in zip(row, [ti + tj - s for tj in shifts])]
              for row, ti in zip(block.tolist(), shifts)]
    if s == 0:
        # Q = diag(2^t) G, with zero rows outside ``keep``: Q^T M Q = G^T A' G = B exactly
        if max(shifts) < 62 - bits:
            rows = np.left_shift(guide, np.array(shifts, dtype=np.int64)[:, None]).tolist()
        else:
            rows = [[int(x) << t for x in row] for row, t in zip(guide.tolist(), shifts)]
        if keep is not None:
            full = [[0] * n for _ in range(matrix.n)]
            for i, row in zip(keep, rows):
                full[i] = row
            rows = full
        q = fmpz_mat(rows)
        congruent = (q.transpose() * matrix.matrix * q).tolist()
        c = [0] * n
    else:
        g = fmpz_mat(guide.tolist())
        congruent = (g.transpose() * fmpz_mat(hi) * g).tolist()
        c = np.abs(guide).sum(axis=0).tolist()
    # the exact test, on FLINT integers (fmpz) and Python integers
    c_total = sum(c)
    diagonal = [abs(congruent[i][i]) for i in range(n)]
    lower = [diagonal[i] - c[i] * c[i] for i in range(n)]
    if min(lower) <= 0:
        return None
    gershgorin = all(lower[i] > sum(map(abs, congruent[i])) - diagonal[i] + c[i] * (c_total - c[i])
                     for i in range(n))
    if not gershgorin:
        off = sum((abs(congruent[i][j]) + c[i] * c[j]) ** 2 for i in range(n) for j in range(n) if i != j)
        if not min(lower) ** 2 > off:
            return None
    n_plus = sum(1 for i in range(n) if congruent[i][i] > 0)
    return Inertia(n_plus, n - n_plus, 0)


def _charpoly_first(matrix: IntegerSymmetric) -> bool:
    """Small with short entries: FLINT's charpoly costs less than guessing and verifying a congruence."""
    return matrix.n <= SMALL and matrix.n * matrix.bits < LONG_ENTRY_WORK


def guided_nonsingular_inertia(matrix: IntegerSymmetric) -> Inertia:
    """Exact inertia of a nonsingular integer symmetric matrix: the verified congruence, else the charpoly."""
    if _charpoly_first(matrix):
        return integer_charpoly_inertia(matrix.matrix)
    found = guided_congruence_inertia(matrix)
    if found is not None:
        return found
    # the congruence could not be verified (ill-conditioned even after equilibration): FLINT's
    # charpoly is the fastest exact fallback measured at n <= 300 (bench/bench_inertia.py)
    return integer_charpoly_inertia(matrix.matrix)


def integer_symmetric_inertia(matrix: IntegerSymmetric) -> Inertia | None:
    """Exact inertia of an integer symmetric matrix, or None if an unlucky prime calls for
    the general block recursion of :mod:`exactdln.arith.inertia` (never a wrong answer).

    A maximal set J of columns independent mod p; if FLINT's exact rank equals |J|, (F2)
    reduces M to the nonsingular M[J, J] plus n - |J| zeros.
    """
    n = matrix.n
    if n == 0:
        return Inertia(0, 0, 0)
    if _charpoly_first(matrix):
        return integer_charpoly_inertia(matrix.matrix)
    if matrix.is_zero():
        return Inertia(0, 0, n)
    keep = matrix.modular_pivots()
    if not keep:
        return None
    if len(keep) == n:
        return guided_nonsingular_inertia(matrix)
    # FLINT's exact rank is a fraction-free elimination, one uninterruptible call at least as long as the
    # charpoly (a 23 x 23 Hessian with 16,000-bit entries ran 6 s past a --timeout in a report-only inertia)
    _refuse_above_price_cap(n, matrix.bits, "exact rank")
    if matrix.matrix.rank() != len(keep):
        return None
    zeros = Inertia(0, 0, n - len(keep))
    if len(keep) > SMALL or len(keep) * matrix.bits >= LONG_ENTRY_WORK:
        found = guided_congruence_inertia(matrix, keep)
        if found is not None:
            return found + zeros
    return guided_nonsingular_inertia(matrix.block(keep)) + zeros
