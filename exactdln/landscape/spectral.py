"""Sigma, assumption (H) and the index set S of fitted eigenvalues, all exact.

Sigma = Sigma_YX Sigma_XX^-1 Sigma_XY (Baldi, Hornik 1989; docs/maths/README.md §2), with
eigenvalues lambda_1 > ... > lambda_{d_y}.

Achour et al. (JMLR 2024), first-order characterization (docs/maths/classification.md §2.1): at a
critical point the range of the product P = W_{H:1} is a Sigma-invariant subspace span(u_i : i in S)
with |S| = rank P, and L(W) = 1/2 (||Y||_F^2 - sum_{i in S} lambda_i) (our 1/2 convention;
docs/maths/global_optimality.md §2.1 (d)).

No irrational number is ever formed: a rational basis Q of range P gives the
restriction M = (Q^T Q)^-1 Q^T Sigma Q, whose characteristic polynomial chi_S divides
chi_Sigma; exact real-root isolation of chi_Sigma tells which eigenvalues are fitted.

Speed (the README's theorem-route target: depth 8, width 128). Sigma = N / e is kept as the factors of
N = B C B^T (B / b = Sigma_YX, C / c = Sigma_XX^-1, e = b^2 c; :class:`GramNumerator`), never formed on the theorem
route: with 40-digit data N's entries are twice as long as B's. Its characteristic polynomial is found by a certificate when
it splits over Q into distinct linear factors (always so for the rational instances of
docs/maths/classification.md §7): rational eigenvalues guessed modulo one large modulus, an eigenbasis
V guessed by multimodular Krylov vectors (exactdln/arith/eigenvector_guess.py), and then verified exactly,
N V = V diag(e lambda)
with V invertible (as V^T N V = (B^T V)^T C (B^T V) = V^T V diag(e lambda): one long product), so
chi_Sigma = prod (x - lambda_i). Otherwise FLINT's multimodular
charpoly of N decides. Of the two invariant subspaces range P and its orthogonal
complement, only the smaller gets a characteristic polynomial; the other factor is an
exact quotient of chi_Sigma. The bases of range P = W_{H:1} and of its complement come from residues, proven by
the kernel (:func:`reduced_row_space_by_residues`).
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import weakref
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from itertools import islice
from math import lcm

from flint import fmpq, fmpq_mat, fmpq_poly, fmpz, fmpz_mat, fmpz_mod_ctx, fmpz_mod_mat, nmod_mat, nmod_poly

from exactdln.arith.exact import (
    CrtMatrix,
    is_identity_model,
    big_probable_prime,
    divide_out_content,
    identity,
    integer_content,
    integer_frobenius_inner,
    pivot_columns,
    rational_reconstruction,
    iter_word_primes,
    word_primes,
)
from exactdln.arith.eigenvector_guess import eigenvectors_modulo, reconstruct_column
from exactdln.arith.matrix_bytes import integer_matrix_from_bytes, integer_matrix_to_bytes
from exactdln.arith.long_products import DigitSlices, max_entry_bits, slice_bits_for, worth_slicing
from exactdln.arith.realroots import RealRoot, compare_roots, isolate_real_roots, rational_roots_among, sign_at
from exactdln.landscape.point import ExactPoint
from exactdln.landscape.products import SCREENING_PRIMES, partial_product_rank
from exactdln.model.forked import Forked, can_fork
from exactdln.model.results import Assumptions, decimal_text


def _approximate(root: RealRoot) -> str:
    """6 significant digits of a real root for a reason text, by integer arithmetic (an eigenvalue of Sigma can lie
    beyond the float range when the data have 4,000-digit entries)."""
    return decimal_text((root.lo + root.hi) / 2, 6)[0]


__all__ = ["SpectralFacts", "spectral_facts", "charpoly", "integer_charpoly", "split_charpoly", "split_eigenvalues",
           "sigma_over_integers", "sigma_factors", "DenseNumerator", "GramNumerator"]


SMALL_SIGMA = 16     # up to this d_y, chi_Sigma by FLINT's charpoly directly (SpectralFacts.chi_sigma)


def charpoly(matrix: fmpq_mat) -> fmpq_poly:
    """det(x I - M) over Q.

    With M = N / d (N integer), chi_M(x) = d^-n chi_N(d x); FLINT's integer charpoly is
    multimodular and much faster than the rational one.
    """
    numerator, d = matrix.numer_denom()
    return integer_charpoly(numerator, int(d))


def integer_charpoly(numerator: fmpz_mat, d: int) -> fmpq_poly:
    """det(x I - N / d) = d^-n det(d x I - N), from FLINT's multimodular charpoly of the integer matrix N."""
    n = numerator.nrows()
    coefficients = [int(c) for c in numerator.charpoly().coeffs()]   # lowest degree first
    return fmpq_poly([fmpq(c, d ** (n - k)) for k, c in enumerate(coefficients)])


def sigma_over_integers(point: ExactPoint) -> tuple[fmpz_mat, int]:
    """(N, d) with Sigma = Sigma_YX Sigma_XX^-1 Sigma_XY = N / d, N integer (Sigma_XX must be invertible).

    With Sigma_YX = B / b and Sigma_XX^-1 = C / c (B, C integer): Sigma = B C B^T / (b^2 c), with the common
    content of numerator and denominator divided out. Only integer products; no rational solve with the
    (possibly long) entries of Sigma_YX.
    """
    B, b = point.sigma_yx_integer        # from the model's integers: no fmpq matrix of Y is formed
    C, c = point.sigma_xx.inv().numer_denom()
    n = C.nrows()
    BC = B if C == fmpz_mat(n, n, [int(i == j) for i in range(n) for j in range(n)]) else B * C   # white data: C = I
    # the content gcd(d, entries of N) divided out: at depth 8, width 128, 4-digit entries it has 969 of N's
    # 1976 bits, and every later product with N (the eigenbasis check, the restrictions) is priced by N's length
    return divide_out_content(BC * B.transpose(), int(b) ** 2 * int(c))


class DenseNumerator:
    """An integer matrix N, with the few operations the eigenbasis certificate needs (see :class:`GramNumerator`)."""

    def __init__(self, matrix: fmpz_mat) -> None:
        self.matrix = matrix

    def nrows(self) -> int:
        return self.matrix.nrows()

    def modulo(self, prime: int) -> nmod_mat:
        return nmod_mat(self.matrix, prime)

    def modulo_big(self, ctx: fmpz_mod_ctx) -> fmpz_mod_mat:
        return fmpz_mod_mat(self.matrix, ctx)

    def trace(self) -> int:
        return sum((int(self.matrix[i, i]) for i in range(self.matrix.nrows())), 0)

    def times(self, M: fmpz_mat) -> fmpz_mat:
        return self.matrix * M

    def is_eigenbasis(self, V: fmpz_mat, targets: list[fmpq]) -> bool:
        """N V = V diag(t) exactly: with t_i = a_i / b_i, N (V diag(b)) = V diag(a), one integer product and one
        matrix comparison in FLINT (column scalings are exact integer multiplications)."""
        rows = V.tolist()
        b = [int(t.q) for t in targets]
        a = [int(t.p) for t in targets]
        scaled_b = fmpz_mat([[x * b[i] for i, x in enumerate(row)] for row in rows])
        scaled_a = fmpz_mat([[x * a[i] for i, x in enumerate(row)] for row in rows])
        return self.matrix * scaled_b == scaled_a


#: B^T M for M with fewer columns than this is one FLINT product unless B^T's slices are already cut: cutting them
#: (0.15 s at width 128, 8,178 bits) costs more than a product with a few columns (a 128 x 1 M: 0.02 s)
NARROW_COLUMNS = 8


class GramNumerator:
    """N = B C B^T (C = None: the identity) kept as its factors, never formed: Sigma = N / e with B / b = Sigma_YX and
    C / c = Sigma_XX^-1, e = b^2 c (docs/maths/README.md §2).

    N's entries are about twice as long as B's (at depth 8, width 128 with 40-digit entries about 16,000 bits against
    8,000), and forming it is one long product; every use here needs N only through products with short matrices,
    residues modulo primes and the trace: N M = B (C (B^T M)), N mod p = (B mod p)(C mod p)(B mod p)^T,
    tr N = <B C, B>.
    """

    def __init__(self, B: fmpz_mat, C: fmpz_mat | None) -> None:
        self.B, self.C = B, C
        self._trace: int | None = None
        self._B_bits: int | None = None
        self._transpose_slices: DigitSlices | None = None

    def nrows(self) -> int:
        return self.B.nrows()

    def modulo(self, prime: int) -> nmod_mat:
        Bp = nmod_mat(self.B, prime)
        left = Bp if self.C is None else Bp * nmod_mat(self.C, prime)
        return left * Bp.transpose()

    def modulo_big(self, ctx: fmpz_mod_ctx) -> fmpz_mod_mat:
        Bp = fmpz_mod_mat(self.B, ctx)
        left = Bp if self.C is None else Bp * fmpz_mod_mat(self.C, ctx)
        return left * Bp.transpose()

    def trace(self) -> int:
        """tr N = <B C, B> (remembered: the eigenvalue guess and tr Sigma both ask; 0.12 s at width 128, 8,000 bits)."""
        if self._trace is None:
            left = self.B if self.C is None else self.B * self.C
            self._trace = int(integer_frobenius_inner(left, self.B))
        return self._trace

    def dense(self) -> fmpz_mat:
        left = self.B if self.C is None else self.B * self.C
        return left * self.B.transpose()

    def _transpose_times(self, M: fmpz_mat) -> fmpz_mat:
        """B^T M; by base-2^s slices of B^T (exactdln/arith/long_products.py, cut once and kept) when B's entries are
        several times longer than M's: at depth 8, width 128 with 40-digit entries (B 8,178 bits, M 489 bits)
        1.1 s against 2.0 s CPU for one FLINT product."""
        if self._transpose_slices is None and M.ncols() < NARROW_COLUMNS:
            return self.B.transpose() * M         # a few columns (a small invariant block): cutting B costs more
        if self._B_bits is None:
            self._B_bits = max_entry_bits(self.B)
        short_bits = max_entry_bits(M)
        if not worth_slicing(self._B_bits, short_bits):
            return self.B.transpose() * M
        width = slice_bits_for(short_bits)
        if self._transpose_slices is None or self._transpose_slices.slice_bits != width:
            self._transpose_slices = DigitSlices(self.B.transpose(), width)
        return self._transpose_slices.times(M)

    def _right_factor(self, M: fmpz_mat) -> fmpz_mat:
        T = self._transpose_times(M)
        return T if self.C is None else self.C * T

    def times(self, M: fmpz_mat) -> fmpz_mat:
        return self.B * self._right_factor(M)

    def is_eigenbasis(self, V: fmpz_mat, targets: list[fmpq]) -> bool:
        """N V = V diag(t) exactly, for an invertible V (the caller checks that), with one long product.

        Because V is invertible, N V = V diag(t) iff V^T N V = V^T V diag(t) (multiply by V^T, or by V^-T back).
        With T = B^T V: V^T N V = T^T C T. T carries long column contents (at an eigenvector v of Sigma, B^T v has
        most of the common denominator b of Sigma_YX as a factor), so T = T' diag(g) with g_j a common divisor of
        column j (the gcd of a few of its entries when it divides all the others, else the gcd of all), and the
        check is g_i g_j (T'^T C T')_ij = (V^T V)_ij t_j, entry by entry in integers: one product with B (long
        times short) and short products; N V (twice as long as B) is never formed. At an eigenbasis of a
        symmetric matrix both sides are diagonal, so most entries compare zeros."""
        n = V.ncols()
        T = self._transpose_times(V)
        entries = T.entries()
        divisors = []
        for j in range(n):
            column = entries[j::n]
            g = fmpz(0)
            for x in column[:4]:
                g = g.gcd(x)
            if g != 0 and any(x % g != 0 for x in column[4:]):
                g = integer_content(column)
            divisors.append(g if g != 0 else fmpz(1))
        reduced = fmpz_mat(T.nrows(), n, [x // divisors[t % n] for t, x in enumerate(entries)])
        left = (reduced.transpose() * reduced if self.C is None else reduced.transpose() * (self.C * reduced)).entries()
        right = (V.transpose() * V).entries()
        for j in range(n):
            a, b = fmpz(targets[j].p), fmpz(targets[j].q)
            for i in range(n):
                l, r = left[i * n + j], right[i * n + j]
                if l == 0 or r == 0 or a == 0:
                    if (l == 0) != (r == 0 or a == 0):
                        return False
                elif l * divisors[i] * divisors[j] * b != r * a:
                    return False
        return True


def _numerator(numerator: fmpz_mat | DenseNumerator | GramNumerator) -> DenseNumerator | GramNumerator:
    return DenseNumerator(numerator) if isinstance(numerator, fmpz_mat) else numerator


def sigma_factors(point: ExactPoint) -> tuple["GramNumerator", int]:
    """(N, e) with Sigma = N / e and N = B C B^T kept as its factors (:class:`GramNumerator`; C = None for white
    data, Sigma_XX = I): B / b = Sigma_YX and C / c = Sigma_XX^-1 as integer matrices over one denominator each,
    e = b^2 c (Sigma_XX must be invertible). Nothing is multiplied."""
    B, b = point.sigma_yx_integer
    if is_identity_model(point.problem.X):
        # white data, X = I: B / b = Y, so tr N = <B, B> = b^2 ||Y||^2, which the point computes for the loss
        # anyway (one pass over 16,384 products of 8,000-bit integers at width 128: 0.11 s, not paid twice)
        numerator = GramNumerator(B, None)
        trace = point.sigma_yy_trace * b * b
        if trace.q == 1:           # always, as B / b = Y exactly; else tr N is computed from B below
            numerator._trace = int(trace.p)
        return numerator, int(b) ** 2
    C, c = point.sigma_xx.inv().numer_denom()
    n = C.nrows()
    white = C == fmpz_mat(n, n, [int(i == j) for i in range(n) for j in range(n)])
    return GramNumerator(B, None if white else C), int(b) ** 2 * int(c)


# --- characteristic polynomials that split over Q, certified by an eigenbasis -------------------------------------


def _guess_rational_eigenvalues(numerator: DenseNumerator | GramNumerator, d: int) -> list[fmpq] | None:
    """Distinct rationals that are *probably* the eigenvalues of N / d, or None (a guess: verified by the caller).

    Roots of chi_N modulo one large prime P, divided by d, then rational reconstruction. A root of
    chi_N that is a rational number a / b reduces to a root modulo P, and Wang's reconstruction
    recovers it when 2 |a| b < P.
    """
    n = numerator.nrows()
    trace = numerator.trace()
    cheap = _guess_rational_eigenvalues_word(numerator, d)
    if cheap is not None and _same_trace(cheap, trace, d):
        return cheap
    for exponent in (5, 21):         # about 310 and 1,300 bits, like the primes below
        lifted = _guess_rational_eigenvalues_padic(numerator, d, exponent)
        if lifted is not None and _same_trace(lifted, trace, d):
            return lifted
    for bits in (320, 1280):
        P = big_probable_prime(bits)
        if d % P == 0:
            continue
        ctx = fmpz_mod_ctx(P)
        roots = numerator.modulo_big(ctx).charpoly().roots()
        if len(roots) != n or any(m != 1 for _, m in roots):
            return None          # chi_N does not split into distinct linear factors modulo P
        d_inverse = pow(d, -1, P)
        values = []
        for root, _ in roots:
            pair = rational_reconstruction(int(root) * d_inverse % P, P)
            if pair is None:
                break
            values.append(fmpq(*pair))
        else:
            if len(set(values)) == n and _same_trace(values, trace, d):
                return sorted(values)
    return None


def _guess_rational_eigenvalues_padic(numerator: DenseNumerator | GramNumerator, d: int,
                                      exponent: int) -> list[fmpq] | None:
    """The guess of :func:`_guess_rational_eigenvalues` modulo p^exponent for a word prime p (a guess, verified by the
    caller), or None.

    The roots of chi_N modulo p (FLINT, a word prime: cheap) are lifted to roots modulo p^k by Newton's iteration
    r <- r - chi(r) / chi'(r) (Hensel: a simple root modulo p lifts uniquely, and the precision doubles at each step),
    with chi_N modulo p^k from FLINT's charpoly over Z / p^k Z; then Wang's reconstruction as modulo a prime. Finding
    the roots of a degree-n polynomial modulo a 320-bit prime took 0.79 s at n = 128 (and the charpoly 0.29 s);
    the lifting costs a few evaluations per root.
    """
    n = numerator.nrows()
    prime = word_primes(1)[0]
    if d % prime == 0:
        return None
    roots = numerator.modulo(prime).charpoly().roots()
    if len(roots) != n or any(m != 1 for _, m in roots):
        return None
    modulus = prime ** exponent
    chi = numerator.modulo_big(fmpz_mod_ctx(modulus)).charpoly()
    slope = chi.derivative()
    d_inverse = pow(d, -1, modulus)
    values = []
    for root, _ in roots:
        r, precision = int(root), 1
        while precision < exponent:
            derivative = int(slope(r))
            if derivative % prime == 0:
                return None
            r = (r - int(chi(r)) * pow(derivative, -1, modulus)) % modulus
            precision *= 2
        if int(chi(r)) != 0:
            return None
        pair = rational_reconstruction(r * d_inverse % modulus, modulus)
        if pair is None:
            return None
        values.append(fmpq(*pair))
    return sorted(values) if len(set(values)) == n else None


def _same_trace(values: list[fmpq], trace: int, d: int) -> bool:
    """sum lambda_i = tr N / d: an exact necessary condition that throws out most wrong guesses (for example the
    all-zero guess of an N divisible by the primes used) before the eigenbasis search spends its primes."""
    return sum(values, fmpq(0)) * d == trace


def _guess_rational_eigenvalues_word(numerator: DenseNumerator | GramNumerator, d: int) -> list[fmpq] | None:
    """The guess of :func:`_guess_rational_eigenvalues` modulo one word-size prime (a guess, verified by the caller).

    When the eigenvalues a / b of N / d are short (2 |a| b < p ~ 2^62) the roots of chi_N modulo p already
    reconstruct them, and FLINT's charpoly modulo a word prime costs a fraction of one modulo a 320-bit
    prime. The candidates must also be roots of chi_N modulo a second word prime; otherwise None
    (the caller then tries long primes).
    """
    n = numerator.nrows()
    first, second = word_primes(2)
    if d % first == 0 or d % second == 0:
        return None
    roots = numerator.modulo(first).charpoly().roots()
    if len(roots) != n or any(m != 1 for _, m in roots):
        return None
    d_inverse = pow(d, -1, first)
    values = []
    for root, _ in roots:
        pair = rational_reconstruction(int(root) * d_inverse % first, first)
        if pair is None:
            return None
        values.append(fmpq(*pair))
    if len(set(values)) != n:
        return None
    chi_second = numerator.modulo(second).charpoly()
    for value in values:
        q = int(value.q)
        if q % second == 0 or int(chi_second(d % second * int(value.p) * pow(q, -1, second) % second)) != 0:
            return None
    return sorted(values)


def _verified_eigenbasis(numerator: DenseNumerator | GramNumerator, d: int, eigenvalues: list[fmpq], *,
                         max_primes: int = 4096) -> fmpz_mat | None:
    """An integer V with N V = V diag(d lambda_i) and V invertible, or None. Proven when returned.

    Guessed column by column from multimodular eigenvectors (each normalized to 1 at a fixed
    coordinate, so the residues of different primes describe the same rational vector), then
    verified exactly. From 8 primes on, after each prime, the first column alone is reconstructed (from
    its own residues, no conversion of the whole matrix); only when it succeeds are all columns
    reconstructed and the basis verified (a failed attempt costs about 1 ms). The common denominator of
    each column is guessed by a small lattice reduction (:func:`exactdln.arith.eigenvector_guess.column_denominator`), so about half as
    many primes are needed as for reconstructing each entry alone.
    """
    n = numerator.nrows()
    rng = random.Random(n)
    crt = CrtMatrix()
    anchors: list[int] | None = None
    used = 0
    for prime in islice(iter_word_primes(), max_primes + 64):
        if d % prime == 0 or any(int(l.q) % prime == 0 for l in eigenvalues):
            continue
        shifts = [d % prime * int(l.p) * pow(int(l.q), -1, prime) % prime for l in eigenvalues]
        if len(set(shifts)) < n:
            continue
        U = eigenvectors_modulo(numerator.modulo(prime), prime, shifts, rng)
        if anchors is None:
            rows = U.transpose().tolist()
            if any(not any(int(x) for x in row) for row in rows):
                continue                              # a vanishing column: no anchor from this prime
            anchors = [next(j for j in range(n) if int(rows[i][j])) for i in range(n)]
        pivots = [int(U[j, i]) for i, j in enumerate(anchors)]      # nonzero: the column does not vanish
        if any(x == 0 for x in pivots):
            continue
        scale = nmod_mat(n, n, prime)
        for i, x in enumerate(pivots):
            scale[i, i] = pow(x, -1, prime)
        crt.add((U * scale).transpose(), prime)     # row i: eigenvector i, 1 at its anchor
        used += 1
        if used < 8 and used < max_primes:
            continue
        if reconstruct_column(crt.row(0), crt.modulus, 0, n) is None and used < max_primes:
            continue
        values, modulus = crt.values, crt.modulus
        columns_q = []
        for i in range(n):
            col = reconstruct_column(values, modulus, i * n, n)
            if col is None:
                break
            columns_q.append(col)
        else:
            V = fmpz_mat(n, n, [columns_q[i][j] for j in range(n) for i in range(n)])
            if _is_eigenbasis(numerator, d, eigenvalues, V):
                return V
        if used >= max_primes:
            return None
    return None


def _is_eigenbasis(numerator: DenseNumerator | GramNumerator, d: int, eigenvalues: list[fmpq], V: fmpz_mat) -> bool:
    """Exact check: N V = V diag(d lambda) and V invertible (rank n modulo a prime is rank n over Q); the products
    with N are :meth:`DenseNumerator.is_eigenbasis` or, N never formed, :meth:`GramNumerator.is_eigenbasis`."""
    n = numerator.nrows()
    if nmod_mat(V, word_primes(1)[0]).rank() != n:
        return False
    return numerator.is_eigenbasis(V, [l * d for l in eigenvalues])


def split_eigenvalues(numerator: fmpz_mat | DenseNumerator | GramNumerator, d: int) -> list[fmpq] | None:
    """The n distinct rational eigenvalues of N / d, increasing, when it has them (proven), else None.

    Proof when returned: an exactly verified eigenbasis V (N V = V diag(d lambda), V invertible)
    gives N / d = V diag(lambda) V^-1, so its characteristic polynomial is prod (x - lambda_i), and the
    lambda_i are distinct by construction of the guess. N is an integer matrix or a :class:`GramNumerator`
    (N = B C B^T by its factors, never formed).
    """
    numerator = _numerator(numerator)
    if numerator.nrows() == 0:
        return []
    eigenvalues = _guess_rational_eigenvalues(numerator, d)
    if eigenvalues is None or _verified_eigenbasis(numerator, d, eigenvalues) is None:
        return None
    return sorted(eigenvalues)


def _poly_from_roots(roots: list[fmpq]) -> fmpq_poly:
    poly = fmpq_poly([1])
    for l in roots:
        poly *= fmpq_poly([-l, 1])
    return poly


def split_charpoly(numerator: fmpz_mat | DenseNumerator | GramNumerator, d: int) -> fmpq_poly | None:
    """chi of N / d = prod (x - lambda_i) when N / d has n distinct rational eigenvalues, else None
    (proof: :func:`split_eigenvalues`)."""
    eigenvalues = split_eigenvalues(numerator, d)
    return None if eigenvalues is None else _poly_from_roots(eigenvalues)


def reduced_row_space_by_residues(M: fmpz_mat, *, max_primes: int = 64) -> tuple[tuple[fmpz_mat, int], list[int]] | None:
    """((R, den), pivots): a basis R / den of the row space of the integer matrix M, reduced at the columns
    ``pivots`` (R[i, pivots[j]] = den if i = j, else 0), proven; or None when the guess fails.

    Guess: the rref of M modulo word primes (rank r_p <= rank M, pivots), and for each free column f the kernel
    vector k_f = e_f - sum_i R[i, f] e_{pivot_i} of M, its residues combined by Chinese remaindering and rebuilt
    as a rational vector (:func:`exactdln.arith.eigenvector_guess.reconstruct_column`). Proof: M k_f = 0 exactly for every free f (one integer
    product with the short k_f). The d - r_p vectors k_f are independent (k_f[free] is a unit vector), so
    rank M <= r_p, hence rank M = r_p and null(M) = span(k_f); the row space is null(M)^perp, which is spanned by
    the rows of R: row i has den at pivots[i], den R_Q[i, f] = -den k_f[pivots[i]] at the free columns, so it is
    orthogonal to every k_f. The pivots need not be those of M's rref over Q (a prime may pick others of the same
    rank); every use needs only a basis with the identity at some rows (:meth:`SpectralFacts._restricted`).
    Costs one rref modulo a word prime per prime, no elimination over Z (whose fraction-free entries grow to
    minors of M, thousands of bits when M has long entries).
    """
    d = M.ncols()
    crt = CrtMatrix()
    pivots: list[int] | None = None
    used = 0
    for prime in islice(iter_word_primes(), max_primes):
        reduced, rank = nmod_mat(M, prime).rref()
        found = pivot_columns(reduced, rank)
        if pivots is None or rank > len(pivots):
            pivots, crt, used = found, CrtMatrix(), 0       # a larger rank: the earlier primes were unlucky
        elif found != pivots:
            continue
        free = [f for f in range(d) if f not in set(pivots)]
        if not free:
            return None              # full column rank: the caller's case, nothing to rebuild here
        rows = nmod_mat(len(free), d, prime)       # row b: the kernel vector k_f of the b-th free column f
        for b, f in enumerate(free):
            rows[b, f] = 1
            for i, pivot in enumerate(pivots):
                rows[b, pivot] = -int(reduced[i, f]) % prime
        crt.add(rows, prime)
        used += 1
        if used < 2:
            continue
        # an attempt after every prime from the second on: rebuilding the first vector costs about 1 ms, a prime
        # about 17 ms (M mod p at width 128 with 8,000-bit entries), so stopping at the first prime that suffices
        # pays (the schedule 2, 3, 4, 6, 9, 13 used 13 primes where 10 or 11 do)
        if reconstruct_column(crt.row(0), crt.modulus, 0, d) is None:
            continue
        vectors = []
        for b in range(len(free)):
            vector = reconstruct_column(crt.row(b), crt.modulus, 0, d)
            if vector is None:
                break
            vectors.append(vector)
        else:
            # t_f = L_f k_f: L_f > 0 at f and 0 at the other free columns (the independence the proof needs)
            if any(vectors[b][g] != (vectors[b][f] if g == f else 0) or vectors[b][f] <= 0
                   for b, f in enumerate(free) for g in free):
                continue
            K = fmpz_mat(d, len(free), [vectors[b][i] for i in range(d) for b in range(len(free))])
            if not (M * K).is_zero():
                continue
            den = lcm(*(vectors[b][f] for b, f in enumerate(free)))
            R = fmpz_mat(len(pivots), d)
            for i, pivot in enumerate(pivots):
                R[i, pivot] = den
            for b, f in enumerate(free):
                scale = den // vectors[b][f]
                for i, pivot in enumerate(pivots):
                    R[i, f] = -vectors[b][pivot] * scale          # den R_Q[i, f] = -den k_f[pivot_i]
            return (R, den), list(pivots)
    return None


@dataclass
class SpectralFacts:
    """Exact spectral facts about the data and the product of one point."""

    point: ExactPoint

    # --- data -----------------------------------------------------------------
    @cached_property
    def sigma_xx_invertible(self) -> bool:
        return partial_product_rank(self.point.sigma_xx) == self.point.widths[0]    # full rank screened modulo p

    @cached_property
    def _sigma_integer(self) -> tuple[fmpz_mat, int]:
        """(N, d) with Sigma = N / d (see :func:`sigma_over_integers`); formed only where a dense Sigma is needed
        (chi_Sigma by FLINT's charpoly, the matrix ``sigma``)."""
        return sigma_over_integers(self.point)

    @cached_property
    def _sigma_factors(self) -> tuple[GramNumerator, int]:
        """(N, e) with Sigma = N / e, N = B C B^T never formed (:func:`sigma_factors`)."""
        return sigma_factors(self.point)

    def _sigma_times(self, M: fmpz_mat) -> tuple[fmpz_mat, int]:
        """(S, s) with Sigma M = S / s for an integer M: with the dense Sigma when it is formed, else by its factors."""
        if "_sigma_integer" in self.__dict__:
            N, d = self._sigma_integer
            return N * M, d
        N, e = self._sigma_factors
        return N.times(M), e

    @cached_property
    def regression(self) -> fmpq_mat:
        """R = Sigma_YX Sigma_XX^-1 (least-squares regression matrix)."""
        p = self.point
        return p.sigma_yx * p.sigma_xx.inv()

    @cached_property
    def sigma(self) -> fmpq_mat:
        """Sigma = Sigma_YX Sigma_XX^-1 Sigma_XY."""
        N, d = self._sigma_integer
        return fmpq_mat(N) / d

    @cached_property
    def sigma_trace(self) -> fmpq:
        """tr Sigma = tr N / d, without forming Sigma's rational entries (nor N, when it is not formed:
        tr B C B^T = <B C, B>)."""
        if "_sigma_integer" in self.__dict__:
            N, d = self._sigma_integer
            return fmpq(sum((int(N[i, i]) for i in range(N.nrows())), 0), d)
        N, e = self._sigma_factors
        return fmpq(N.trace(), e)

    @cached_property
    def rational_eigenvalues(self) -> list[fmpq] | None:
        """The eigenvalues of Sigma, increasing, when d_y > SMALL_SIGMA and they are d_y distinct rationals
        (proven by a verified eigenbasis, :func:`split_eigenvalues`; docs/maths/classification.md §3.8); None otherwise
        (small, not split, repeated, or not proven)."""
        # up to 16 x 16 FLINT's exact multimodular charpoly costs less than guessing and proving an eigenbasis
        # (d_y = 10, 1300-bit entries: 4 ms against 75 ms, most of it roots modulo a 320-bit prime)
        if self.point.widths[-1] <= SMALL_SIGMA:
            return None
        forked = self.__dict__.get("_forked_eigenvalues")
        if forked is not None:                    # started by prove_eigenvalues_in_background: its result, if any
            text = forked.result()                # (interrupted, it stops the child itself)
            del self._forked_eigenvalues
            if text is not None:
                return _eigenvalues_from_text(text)
        return self._proven_rational_eigenvalues()

    def _proven_rational_eigenvalues(self) -> list[fmpq] | None:
        # by the factors of Sigma (never formed): at depth 8, width 64 with 40-digit entries forming N and the
        # check N V took 0.42 + 0.39 s CPU, the factored check 0.14 s
        N, e = self._sigma_factors
        return split_eigenvalues(N, e)

    def prove_eigenvalues_in_background(self) -> bool:
        """Start the proof of :attr:`rational_eigenvalues` in a forked child process (exactdln/model/forked.py), so
        that a second core proves them while this process forms W_{H:1}, the residual and the ranks; True when a
        child was started. The child first forms Sigma_YX = B / b, which both need, and hands it over (a file in
        a private temporary directory, written with exactdln/arith/matrix_bytes.py, then a message on the pipe):
        this process takes it when the residual needs it, after W_{H:1}, and forms it itself if the child fails
        before. Then the child runs the same proof on the same point and hands back the eigenvalues as exact texts
        (p/q); if it fails, :attr:`rational_eigenvalues` proves them here. Nothing is started when the value is
        known, d_y <= SMALL_SIGMA (FLINT's charpoly decides, in milliseconds) or this process may not fork
        (:func:`exactdln.model.forked.can_fork`). :meth:`stop_background` ends a child whose result is not wanted
        and removes the directory.
        """
        if ("rational_eigenvalues" in self.__dict__ or "_forked_eigenvalues" in self.__dict__
                or self.point.widths[-1] <= SMALL_SIGMA or not can_fork()):
            return False
        point = self.point
        directory = None
        if "sigma_yx_integer" not in point.__dict__:
            try:
                directory = tempfile.mkdtemp(prefix="exactdln-")
            except OSError:
                directory = None
        if directory is None:
            # no place to hand it over: Sigma's factors here, before the fork, formed once for both processes
            self._sigma_factors
        path = None if directory is None else os.path.join(directory, "sigma_yx")

        def child(send) -> bytes:
            if path is not None:     # Sigma_YX first, handed to the parent, which needs it later (the residual)
                B, b = point.sigma_yx_integer
                with open(path, "wb") as fh:
                    fh.write(integer_matrix_to_bytes(B, b))
                send(b"sigma_yx")
            return _eigenvalues_to_text(self._proven_rational_eigenvalues())

        forked = Forked(child)
        self._forked_eigenvalues = forked
        if path is not None:
            # removed once read, by stop_background, or when these facts are dropped (or at exit) otherwise
            remove = weakref.finalize(self, shutil.rmtree, directory, True)
            self._handover_removal = remove

            def from_child() -> tuple[fmpz_mat, int] | None:
                try:
                    if forked.receive() != b"sigma_yx":
                        return None
                    with open(path, "rb") as fh:
                        return integer_matrix_from_bytes(fh.read())
                except (OSError, ValueError):
                    return None
                finally:
                    remove()

            point._sigma_yx_source = from_child
        return True

    def prepare_split(self) -> None:
        """Form what the split of chi_Sigma needs besides the eigenvalues: the range of P = W_{H:1} and Sigma on the
        smaller invariant block (:attr:`_smaller_block`). Called while a child proves the eigenvalues
        (:meth:`prove_eigenvalues_in_background`), so that this process does not wait idle and then do it."""
        if self.sigma_xx_invertible:
            self._smaller_block

    def stop_background(self) -> None:
        """End the child of :meth:`prove_eigenvalues_in_background` if its result was never asked for."""
        forked = self.__dict__.pop("_forked_eigenvalues", None)
        if forked is not None:
            forked.cancel()
        remove = self.__dict__.pop("_handover_removal", None)
        if remove is not None:
            remove()
        self.point.__dict__.pop("_sigma_yx_source", None)

    @cached_property
    def chi_sigma(self) -> fmpq_poly:
        """det(x I - Sigma): for d_y > SMALL_SIGMA by a verified eigenbasis when it splits over Q with simple roots,
        else (and always for small d_y) by FLINT's exact multimodular charpoly."""
        eigenvalues = self.rational_eigenvalues
        if eigenvalues is not None:
            return _poly_from_roots(eigenvalues)
        N, d = self._sigma_integer
        return integer_charpoly(N, d)

    @cached_property
    def assumptions(self) -> Assumptions:
        """Assumption (H): Sigma_XX invertible, rank Sigma_YX = d_y, Sigma with distinct eigenvalues."""
        p = self.point
        if not self.sigma_xx_invertible:
            return Assumptions(False, None, None)
        full = partial_product_rank(p.sigma_yx_integer[0]) == p.widths[-1]    # rank Sigma_YX = rank of b Sigma_YX
        if self.rational_eigenvalues is not None:
            distinct = True              # d_y distinct roots of chi_Sigma, of degree d_y
        else:
            chi = self.chi_sigma
            distinct = chi.gcd(chi.derivative()).degree() == 0
        return Assumptions(True, full, distinct)

    def _real_roots(self, poly: fmpq_poly) -> list[RealRoot]:
        """The distinct real roots of ``poly`` (a divisor of chi_Sigma), increasing.

        When chi_Sigma splits over Q its proven eigenvalues are all the candidates: the roots of ``poly``
        are the eigenvalues where it vanishes (exact evaluation, :func:`rational_roots_among`), and no
        isolation is needed.
        """
        eigenvalues = self.rational_eigenvalues
        if eigenvalues is not None:
            roots = rational_roots_among(poly, eigenvalues)
            if roots is not None:
                return roots
        return isolate_real_roots(poly)

    @cached_property
    def sigma_roots(self) -> list[RealRoot]:
        """Distinct eigenvalues of Sigma, increasing, as isolated real roots (exact points when chi splits)."""
        return self._real_roots(self.chi_sigma)

    # --- the product's range ------------------------------------------------------
    @cached_property
    def _rref_of_product_transpose(self) -> tuple[tuple[fmpz_mat, int] | None, list[int]]:
        """((R, den), pivots) with R / den a reduced row echelon basis of the row space of P^T (R[i, pivots[j]] =
        den if i = j, else 0; rows beyond the rank are zero or absent), and its pivot columns ((None, []) when P = 0).

        When P has full row rank modulo a prime the basis is [I; 0]; otherwise it is guessed from residues and
        proven by its kernel (:func:`reduced_row_space_by_residues`: at depth 8, width 64, 40-digit entries, rank 63,
        0.016 s against 0.097 s CPU), and only when that fails is it FLINT's fraction-free rref of the integer N^T,
        P = N / n (scaling by n keeps the rref); the rational entries are formed only where a basis needs them, not
        all d_y^2 of them (at width 128 0.10 s against 0.16 s for the rref over Q).
        """
        N = self.point.end_to_end_integer[0]
        d_y, d_x = N.nrows(), N.ncols()
        if d_y == 0 or d_x == 0 or N.is_zero():
            return None, []
        if d_y <= d_x and nmod_mat(N, random.SystemRandom().choice(SCREENING_PRIMES)).rank() == d_y:
            # rank d_y modulo a prime is rank d_y over Q: rref(P^T) = [I; 0] (no elimination over Z, whose
            # fraction-free form would carry the determinant of a d_y x d_y minor)
            return (fmpz_mat(d_x, d_y, [int(i == j) for i in range(d_x) for j in range(d_y)]), 1), list(range(d_y))
        found = reduced_row_space_by_residues(N.transpose())
        if found is not None:
            return found
        R, den, r = N.transpose().rref()
        return (R, int(den)), pivot_columns(R, r)

    @cached_property
    def _range_rref(self) -> tuple[fmpq_mat, list[int]]:
        """Q (d_y x r) with Q[pivots, :] = I_r: the transposed nonzero rows of rref(P^T)."""
        d_y = self.point.widths[-1]
        reduced, pivots = self._rref_of_product_transpose
        r = len(pivots)
        if r == 0:
            return fmpq_mat(d_y, 0), []
        if r == d_y:
            return identity(d_y), list(range(d_y))
        R, den = reduced
        return fmpq_mat(fmpz_mat(d_y, r, [R[j, i] for i in range(d_y) for j in range(r)])) / den, pivots

    @property
    def range_basis(self) -> fmpq_mat:
        """Q: a rational basis of range W_{H:1} (columns), in reduced form (small entries)."""
        return self._range_rref[0]

    @property
    def product_rank(self) -> int:
        return len(self._rref_of_product_transpose[1])     # without building Q (only the smaller block needs a basis)

    @cached_property
    def _complement_basis(self) -> tuple[fmpq_mat, list[int]]:
        """N_perp (d_y x (d_y - r)) spanning (range P)^perp = null(P^T), with N_perp[free, :] = I.

        From the rref of P^T: the free column f gives e_f - sum_i rref[i, f] e_{pivot_i}.
        """
        pivots = self._rref_of_product_transpose[1]
        d_y = self.point.widths[-1]
        free = [f for f in range(d_y) if f not in set(pivots)]
        if not pivots:
            return identity(d_y), free
        R, den = self._rref_of_product_transpose[0]
        basis = fmpq_mat(d_y, len(free))
        for b, f in enumerate(free):
            basis[f, b] = 1
            for i, pivot in enumerate(pivots):
                basis[pivot, b] = fmpq(-R[i, f], den)
        return basis, free

    def _restricted(self, basis: fmpq_mat, unit_rows: list[int]) -> fmpq_mat | None:
        """M with Sigma B = B M, B[unit_rows, :] = I (so M is those rows of Sigma B), or None if span B is not invariant."""
        k = basis.ncols()
        if k == 0:
            return fmpq_mat(0, 0)
        basis_numerator, basis_denominator = basis.numer_denom()
        product, d = self._sigma_times(basis_numerator)
        SB = fmpq_mat(product) / (d * int(basis_denominator))
        M = fmpq_mat(k, k, [SB[i, j] for i in unit_rows for j in range(k)])
        if SB != basis * M:
            return None
        return M

    @cached_property
    def restriction(self) -> fmpq_mat | None:
        """M with Sigma Q = Q M (the matrix of Sigma on range P), or None if range P is not Sigma-invariant.

        Q restricted to its pivot rows is the identity, so M can only be the pivot rows of
        Sigma Q; invariance is then one exact product check. No linear solve is needed.
        """
        Q, pivots = self._range_rref
        return self._restricted(Q, pivots)

    @cached_property
    def complement_restriction(self) -> fmpq_mat | None:
        """M_perp with Sigma N_perp = N_perp M_perp (Sigma on (range P)^perp), or None if not invariant.

        Sigma is symmetric, so range P is invariant iff its orthogonal complement is: if
        Sigma Q c lies in range P for all c, then q^T Sigma n = (Sigma q)^T n = 0 for n in
        the complement, i.e. Sigma n is in the complement too.
        """
        basis, free = self._complement_basis
        return self._restricted(basis, free)

    @cached_property
    def _smaller_block(self) -> tuple[fmpq_poly, bool] | None:
        """(chi of the smaller invariant block, whether that block is range P): Sigma on range P when r <= d_y - r,
        else on (range P)^perp; None if range P is not Sigma-invariant."""
        r, d_y = self.product_rank, self.point.widths[-1]
        fitted = r <= d_y - r
        M = self.restriction if fitted else self.complement_restriction
        if M is None:
            return None
        return (charpoly(M) if M.nrows() else fmpq_poly([1])), fitted

    @cached_property
    def _split_factors(self) -> tuple[fmpq_poly, fmpq_poly] | None:
        """(chi_S, chi_perp): Sigma on range P and on its orthogonal complement; None if not invariant.

        In the basis [Q, N_perp] Sigma is block diagonal (both blocks invariant, see
        :attr:`complement_restriction`), so chi_Sigma = chi_S chi_perp. Only the smaller block's
        characteristic polynomial is computed; the other is the exact quotient (remainder checked).
        """
        block = self._smaller_block
        if block is None:
            return None
        small, fitted = block
        other, remainder = divmod(self.chi_sigma, small)
        if remainder != 0:
            raise ArithmeticError("the characteristic polynomial of an invariant block does not divide chi_Sigma")
        return (small, other) if fitted else (other, small)

    @cached_property
    def _rational_split(self) -> tuple[list[fmpq], list[fmpq]] | None:
        """(fitted, unfitted): the eigenvalues of Sigma on range P and off it, increasing, when chi_Sigma splits over
        Q with distinct roots (:attr:`rational_eigenvalues`, proven) and range P is Sigma-invariant; else None.

        chi_Sigma = chi_S chi_perp has distinct roots, so each eigenvalue is a root of exactly one factor: only the
        smaller block's characteristic polynomial f (degree k) is evaluated, at the eigenvalues, and exactly k of
        them must be its roots. No polynomial of degree d_y is formed, divided or evaluated (at width 128 with
        40-digit entries evaluating chi_S and chi_Sigma at the 128 eigenvalues took 0.37 s). A value f(lambda) that
        is nonzero modulo a prime dividing no denominator is nonzero (:func:`_roots_among`)."""
        eigenvalues = self.rational_eigenvalues
        block = self._smaller_block if eigenvalues is not None else None
        if block is None:
            return None
        small, fitted_block = block
        roots = _roots_among(small, eigenvalues)
        if len(roots) != small.degree():
            raise ArithmeticError("the characteristic polynomial of an invariant block does not divide chi_Sigma")
        chosen = set(roots)
        rest = [l for l in eigenvalues if l not in chosen]
        return (roots, rest) if fitted_block else (rest, roots)

    @cached_property
    def chi_fitted(self) -> fmpq_poly | None:
        """chi_S = charpoly of Sigma restricted to range P."""
        factors = self._split_factors
        return None if factors is None else factors[0]

    @cached_property
    def chi_unfitted(self) -> fmpq_poly | None:
        """chi_perp = chi_Sigma / chi_S (exact division): Sigma on (range P)^perp."""
        factors = self._split_factors
        return None if factors is None else factors[1]

    def fitted_eigen_indices(self) -> tuple[int, ...] | None:
        """S: 1-based positions, in decreasing order of eigenvalue, of the eigenvalues of Sigma on range P.

        docs/maths/classification.md §2.1. Needs distinct eigenvalues (else S is not unique: None).
        """
        if not self.sigma_xx_invertible or not self.assumptions.distinct_eigenvalues:
            return None
        split = self._rational_split
        if split is not None:
            eigenvalues = self.rational_eigenvalues      # increasing; position from the top is d - k
            position = {l: len(eigenvalues) - k for k, l in enumerate(eigenvalues)}
            return tuple(sorted(position[l] for l in split[0]))
        chi_s = self.chi_fitted
        if chi_s is None:
            return None
        roots = self.sigma_roots
        d = len(roots)
        fitted = []
        for k, root in enumerate(roots):     # increasing; position from the top is d - k
            if root.lo == root.hi:
                inside = sign_at(chi_s, root.lo) == 0
            else:
                inside = sign_at(chi_s, root.lo) * sign_at(chi_s, root.hi) < 0
            if inside:
                fitted.append(d - k)
        if len(fitted) != chi_s.degree():
            raise ArithmeticError("fitted eigenvalues do not match the rank of the product")
        return tuple(sorted(fitted))

    # --- the global-optimality test (Yun et al. 2018, Thm 2.1/2.2, with Ky Fan) ---------
    def top_eigenspace_test(self, k: int) -> tuple[bool, str]:
        """Is tr(P_range Sigma) the sum of the k largest eigenvalues of Sigma (k = r_max)?

        docs/maths/global_optimality.md §3, step 4, method A, in the Ky Fan form of §2.1 (e), which needs only
        Sigma_XX invertible: with chi_S (roots on range P, r of them) and chi_perp (the rest),
        global <=> min root(chi_S) >= max root(chi_perp), and r = k or every unfitted
        eigenvalue is 0. Decided by exact root isolation, ties by the gcd.
        """
        split = self._rational_split
        if split is not None:
            return _top_eigenspace_by_values(*split, k)
        chi_s, chi_perp = self.chi_fitted, self.chi_unfitted
        if chi_s is None or chi_perp is None:
            return False, "range of the product is not Sigma-invariant"
        r = chi_s.degree()
        if r > k:
            return False, f"rank {r} exceeds r_max = {k}"
        perp_roots = self._real_roots(chi_perp)
        if r < k:
            # the remaining top k - r eigenvalues must all be 0: chi_perp = x^(d_y - r)
            if perp_roots and not (len(perp_roots) == 1 and perp_roots[0].lo == perp_roots[0].hi == 0):
                return False, f"rank {r} < r_max = {k} and an unfitted eigenvalue is positive"
            return True, f"rank {r} < r_max = {k} but every unfitted eigenvalue is 0"
        if not perp_roots or r == 0:
            return True, "range of the product is all of the fitted space"
        fitted_roots = self._real_roots(chi_s)
        smallest_fitted, largest_unfitted = fitted_roots[0], perp_roots[-1]
        order = compare_roots(smallest_fitted, largest_unfitted)
        if order > 0:
            return True, (
                f"min eigenvalue on range P (~{_approximate(smallest_fitted)}) > max eigenvalue off it "
                f"(~{_approximate(largest_unfitted)})"
            )
        if order == 0:
            return True, "tie lambda_k = lambda_(k+1): top eigenspace ambiguous, value still optimal"
        return False, (
            f"an unfitted eigenvalue (~{_approximate(largest_unfitted)}) exceeds a fitted one "
            f"(~{_approximate(smallest_fitted)})"
        )


def _roots_among(poly: fmpq_poly, values: list[fmpq]) -> list[fmpq]:
    """The values v with poly(v) == 0, exactly, in their order; each screened modulo a word prime first (a value
    nonzero modulo a prime that divides no denominator of poly or v is nonzero; poly is reduced once), evaluated
    over Q only when the screen cannot tell."""
    prime = SCREENING_PRIMES[0]
    denominator = int(poly.denom())
    reduced = (nmod_poly([int(c) % prime for c in (poly * denominator).coeffs()], prime)
               if denominator % prime else None)
    roots = []
    for v in values:
        if reduced is not None and int(v.q) % prime:
            if reduced(int(v.p) % prime * pow(int(v.q), -1, prime) % prime) != 0:
                continue
        if poly(v) == 0:
            roots.append(v)
    return roots


def _top_eigenspace_by_values(fitted: list[fmpq], unfitted: list[fmpq], k: int) -> tuple[bool, str]:
    """:meth:`SpectralFacts.top_eigenspace_test` from the distinct rational eigenvalues on range P and off it."""
    r = len(fitted)
    if r > k:
        return False, f"rank {r} exceeds r_max = {k}"
    if r < k:
        if unfitted and unfitted != [0]:
            return False, f"rank {r} < r_max = {k} and an unfitted eigenvalue is positive"
        return True, f"rank {r} < r_max = {k} but every unfitted eigenvalue is 0"
    if not unfitted or r == 0:
        return True, "range of the product is all of the fitted space"
    smallest_fitted, largest_unfitted = fitted[0], unfitted[-1]
    low, high = (decimal_text(Fraction(int(x.p), int(x.q)), 6)[0] for x in (smallest_fitted, largest_unfitted))
    if smallest_fitted > largest_unfitted:
        return True, f"min eigenvalue on range P (~{low}) > max eigenvalue off it (~{high})"
    return False, f"an unfitted eigenvalue (~{high}) exceeds a fitted one (~{low})"


def _eigenvalues_to_text(values: list[fmpq] | None) -> bytes:
    """Eigenvalues as ASCII ``p/q`` texts separated by commas (``-`` for None): exact, and read back by
    :func:`_eigenvalues_from_text`."""
    if values is None:
        return b"-"
    return ",".join(f"{int(x.p)}/{int(x.q)}" for x in values).encode("ascii")


def _eigenvalues_from_text(text: bytes) -> list[fmpq] | None:
    if text == b"-":
        return None
    if not text:
        return []
    return [fmpq(int(p), int(q)) for p, q in (item.split(b"/") for item in text.split(b","))]


def spectral_facts(point: ExactPoint) -> SpectralFacts:
    return SpectralFacts(point)
