"""Guesses of an eigenbasis of an integer symmetric matrix N with distinct rational eigenvalues, as residues and then
rational vectors. Only guesses: exactdln/landscape/spectral.py verifies the eigenbasis exactly (N V = V diag(t), V
invertible) before anything is concluded from it.

- :func:`eigenvectors_modulo`: all eigenvectors modulo a prime from one Krylov matrix.
- :func:`column_denominator`, :func:`reconstruct_column`: a rational vector from its residues.
"""

from __future__ import annotations

import random

from flint import fmpz_mat, nmod_mat, nmod_poly

from exactdln.arith.exact import rational_reconstruction

__all__ = ["eigenvectors_modulo", "column_denominator", "reconstruct_column"]


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

