"""Guesses of an eigenbasis of an integer symmetric matrix N with distinct rational eigenvalues, as residues and then
rational vectors. Only guesses: exactdln/landscape/spectral.py verifies the eigenbasis exactly (N V = V diag(t), V
invertible) before anything is concluded from it.

- :func:`eigenvectors_modulo`: all eigenvectors modulo a prime from one Krylov matrix.
- :func:`lift_eigenpairs`: eigenvalues and eigenvectors modulo p^K from those modulo p, by Newton's iteration.
- :func:`column_denominator`, :func:`reconstruct_column`: a rational vector from its residues.
"""

from __future__ import annotations

import random
from typing import Callable

from flint import fmpz, fmpz_mat, fmpz_mod_ctx, fmpz_mod_mat, nmod_mat, nmod_poly

from exactdln.arith.exact import rational_reconstruction

__all__ = ["eigenvectors_modulo", "lift_eigenpairs", "column_denominator", "reconstruct_column", "LiftedEigenpairs"]


def eigenvectors_modulo(reduced: nmod_mat, prime: int, shifts: list[int], rng: random.Random) -> nmod_mat:
    """U mod p whose column i is L_i(N) w, L_i(x) = prod_{j != i} (x - mu_j), for a random w: eigenvectors of N for mu_i.

    ``reduced`` is N mod p. With chi_N = prod (x - mu_j) and N = sum mu_j E_j (distinct mu_j),
    L_i(N) w = L_i(mu_i) E_i w. The Krylov matrix K = [w, N w, ..., N^{n-1} w] and the coefficient matrix of
    the L_i (exact divisions chi / (x - mu_i) of polynomials over GF(p), in FLINT) give all of them with one
    product, O(n^3) per prime. A column may vanish (w with no component along that eigenvector): the caller
    then skips the prime. Only a guess: the caller verifies over Z.
    """
    n = reduced.nrows()
    v = nmod_mat(n, 1, [rng.randrange(prime) for _ in range(n)], prime)
    krylov_rows = []
    for _ in range(n):
        krylov_rows.append(v.entries())
        v = reduced * v
    K = nmod_mat(krylov_rows, prime).transpose()
    chi = nmod_poly([1], prime)
    for mu in shifts:
        chi *= nmod_poly([-mu % prime, 1], prime)
    quotients = [(chi // nmod_poly([-mu % prime, 1], prime)).coeffs() for mu in shifts]
    return K * nmod_mat(quotients, prime).transpose()


_LATTICE_ENTRIES = 4     # residues combined by LLL per column (see column_denominator): 10 primes at width 128, where
                         # 8 residues save one prime but cost three times as much LLL (0.46 s against 0.17 s for 128 columns)


def column_denominator(values: list[int], modulus: int) -> int:
    """A guess at the common denominator L of a rational vector known modulo M, from a few of its residues x_j.

    If x_j = t_j / L (mod M) with |t_j|, L <= B, then (L, t_1, ..., t_k) lies in the lattice spanned by
    (1, x_1, ..., x_k) and M e_1, ..., M e_k, and is much shorter than its other vectors once M^k exceeds about
    B^(k+1): LLL (FLINT) finds it from about (1 + 1/k) log2 B bits of M, where reconstructing one entry at a
    time (Wang) needs 2 log2 B. Only a guess (1 when none is found): every entry is then checked for a small
    numerator, and the eigenbasis built from them is verified exactly (exactdln/landscape/spectral.py, the eigenbasis check).
    """
    chosen = [x for x in values if 1 < x < modulus - 1][:_LATTICE_ENTRIES]
    k = len(chosen)
    if k == 0:
        return 1
    basis = fmpz_mat(k + 1, k + 1)
    basis[0, 0] = 1
    for j, x in enumerate(chosen):
        basis[0, j + 1] = x
        basis[j + 1, j + 1] = modulus
    reduced = basis.lll()
    for i in range(k + 1):
        L = abs(int(reduced[i, 0]))
        if L:
            return L
    return 1


def reconstruct_column(values: list[int], modulus: int, start: int, n: int) -> list[int] | None:
    """Integers t_j (one column, common denominator dropped) with t_j / L = the CRT residues, or None (a guess).

    L starts from :func:`column_denominator`; an entry whose x_j L (mod M) is not small has a denominator
    that L misses, found by Wang's reconstruction of x_j L (its denominator is the missing factor), and L grows
    by it. Each t_j must satisfy |t_j| < M / 2^65: a wrong L or wrong residues pass that for one entry with
    probability about 2^-64.
    """
    margin = modulus >> 64
    column = values[start:start + n]
    denominator = column_denominator(column, modulus)
    out = []
    for x in column:
        t = x * denominator % modulus
        t = t - modulus if 2 * t > modulus else t
        if 2 * abs(t) + 1 >= margin:
            # x_j L = t_j / e with a short missing factor e (<= 2^62) and a long t_j: unique as 2 (M / 2^66) 2^62 < M
            pair = rational_reconstruction(t, modulus, bound=margin >> 2, denominator_bound=1 << 62)
            if pair is None:
                return None
            extra = pair[1]
            denominator *= extra
            out = [value * extra for value in out]
            t = x * denominator % modulus
            t = t - modulus if 2 * t > modulus else t
            if 2 * abs(t) + 1 >= margin:
                return None
        out.append(t)
    return out


def _integers(matrix: fmpz_mod_mat) -> fmpz_mat:
    """The representatives in [0, m) of a matrix modulo m, as an integer matrix."""
    return fmpz_mat(matrix.nrows(), matrix.ncols(), [int(x) for x in matrix.entries()])


def _inverses(values: list[int], modulus: int) -> list[int]:
    """x^-1 mod m for every x (units), with one modular inversion (Montgomery's trick: the prefix products are
    inverted once and the inverses peeled off backwards)."""
    prefix, running = [], 1
    for x in values:
        prefix.append(running)
        running = running * x % modulus
    inverse = pow(running, -1, modulus)          # ValueError when some x is not a unit
    out = [0] * len(values)
    for k in range(len(values) - 1, -1, -1):
        out[k] = inverse * prefix[k] % modulus
        inverse = inverse * values[k] % modulus
    return out


def _sylvester_solution(F: list[int], norms: list[int], values: list[int], modulus: int, n: int) -> list[int]:
    """X (row-major) with X_ij = -F_ij / (n_i (mu_i - mu_j)) for i != j and X_jj = 0, modulo m: the Newton step of
    :meth:`LiftedEigenpairs.lift_to` (with F here V^T E', before the division by n_i). One modular inversion for
    all n (n - 1) / 2 gaps and the n norms (Montgomery's trick), the pair (i, j), (j, i) sharing one inverse.
    Raises ValueError when some gap or norm is not a unit."""
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    gaps = [(values[i] - values[j]) % modulus for i, j in pairs] + [x % modulus for x in norms]
    inverse = _inverses(gaps, modulus)
    inverse_norms = inverse[len(pairs):]
    X = [0] * (n * n)
    for (i, j), g in zip(pairs, inverse):
        X[i * n + j] = -F[i * n + j] * inverse_norms[i] * g % modulus
        X[j * n + i] = F[j * n + i] * inverse_norms[j] * g % modulus       # 1 / (mu_j - mu_i) = -g
    return X


class LiftedEigenpairs:
    """Eigenvalues mu_j and eigenvectors v_j (columns of V) of a symmetric integer N modulo p^k, lifted in place
    by :meth:`lift_to` (see :func:`lift_eigenpairs`)."""

    def __init__(self, prime: int, values: list[int], vectors: fmpz_mat,
                 times: Callable[[fmpz_mod_mat, fmpz_mod_ctx], fmpz_mod_mat]) -> None:
        self.prime = prime
        self.exponent = 1
        self.values = values            # mu_j mod p^exponent
        self.vectors = vectors          # V mod p^exponent (entries in [0, p^exponent))
        self._times = times

    @property
    def modulus(self) -> int:
        return self.prime ** self.exponent

    def lift_to(self, exponent: int) -> bool:
        """Newton steps (each at most doubling the precision, along exponent, ceil(exponent / 2), ... read
        upwards: 1, 2, 3, 5, 10 for p^10) until the pairs are known modulo p^exponent; False when a step needs an
        inverse that does not exist modulo p (then nothing is claimed).

        With N V = V diag(mu) + E, E = 0 mod p^k, the pair V (I + X), mu + delta is exact modulo p^(2k) when
        diag(mu) X - X diag(mu) - diag(delta) = -F, F = V^-1 E (the terms E X and V X diag(delta) vanish modulo
        p^(2k), as X = 0 and delta = 0 mod p^k): delta_j = F_jj, X_ij = -F_ij / (mu_i - mu_j) for i != j,
        X_jj = 0. Only F modulo p^k is needed (E = p^k E'), and V^-1 = diag(1 / n) V^T modulo p^k with
        n_j = v_j^T v_j: eigenvectors of a symmetric matrix for eigenvalues that differ by a unit are orthogonal
        modulo p^k ((mu_i - mu_j) v_i^T v_j = v_i^T N v_j - v_i^T N v_j = 0). One step costs N V modulo p^(2k)
        and two products modulo p^k; at width 128 the lift from p to p^10 (620 bits) took about 0.5 s.
        """
        p, n = self.prime, self.vectors.nrows()
        ladder = []                   # exponent, ceil(exponent / 2), ...: the steps at high precision stay few
        while exponent > self.exponent:
            ladder.append(exponent)
            exponent = -(-exponent // 2)
        for k2 in reversed(ladder):
            k = self.exponent
            k2 = min(k2, 2 * k)
            high, low, step = p ** k2, p ** (k2 - k), p ** k
            high_ctx, low_ctx = fmpz_mod_ctx(high), fmpz_mod_ctx(low)
            V, values = self.vectors, self.values
            NV = self._times(fmpz_mod_mat(V, high_ctx), high_ctx).entries()
            # E' = (N V - V diag(mu)) / p^k: the two sides agree modulo p^k, so the difference of representatives
            # is divisible by p^k as an integer
            V_entries = V.entries()
            shifted = fmpz_mat(n, n, [(int(NV[t]) - int(V_entries[t]) * values[t % n]) // step % low
                                      for t in range(n * n)])
            V_low = fmpz_mod_mat(V, low_ctx)
            V_low_t = V_low.transpose()
            gram = V_low_t * V_low
            F = [int(x) for x in (V_low_t * fmpz_mod_mat(shifted, low_ctx)).entries()]
            norms = [int(gram[j, j]) for j in range(n)]
            try:
                X = _sylvester_solution(F, norms, values, low, n)
            except ValueError:               # a norm or an eigenvalue gap divisible by p: no unique lift
                return False
            inverse_norms = _inverses(norms, low)
            correction = _integers(V_low * fmpz_mod_mat(n, n, X, low_ctx))
            self.vectors = V + correction * fmpz(step)
            self.values = [(values[j] + step * F[j * n + j] * inverse_norms[j]) % high for j in range(n)]
            self.exponent = k2
        return True


def lift_eigenpairs(reduced: nmod_mat, prime: int, times: Callable[[fmpz_mod_mat, fmpz_mod_ctx], fmpz_mod_mat],
                    rng: random.Random) -> LiftedEigenpairs | None:
    """Eigenpairs of a symmetric integer N modulo ``prime`` (N mod p = ``reduced``), ready to be lifted to p^K by
    :meth:`LiftedEigenpairs.lift_to`, or None when chi_N does not split modulo p into distinct linear factors or
    an eigenvector vanishes. ``times(V, ctx)`` is N V modulo ctx's modulus.

    The eigenvalues modulo p are the roots of chi_N mod p (FLINT), the eigenvectors those of
    :func:`eigenvectors_modulo`. Newton's iteration then lifts the pairs together (Hensel: a simple eigenvalue
    and its eigenvector lift uniquely up to the eigenvector's scale), so the eigenvalues of N and their
    eigenvectors are known modulo p^K without a characteristic polynomial modulo p^K and without matching the
    residues of different primes. Only a guess: the caller reconstructs rationals and verifies them exactly.
    """
    n = reduced.nrows()
    roots = reduced.charpoly().roots()
    if len(roots) != n or any(m != 1 for _, m in roots):
        return None
    shifts = [int(r) for r, _ in roots]
    U = eigenvectors_modulo(reduced, prime, shifts, rng)
    columns = U.transpose().tolist()
    if any(not any(int(x) for x in column) for column in columns):
        return None
    return LiftedEigenpairs(prime, shifts, fmpz_mat(n, n, [int(x) for x in U.entries()]), times)
