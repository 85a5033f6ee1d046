"""The Hessian on a complement of the orbit directions, built without the full matrix.

At a critical point of the unregularized loss the orbit directions of the symmetry
W_h -> A W_h, W_{h+1} -> W_{h+1} A^-1 lie in the kernel of the Hessian (docs/maths/hessian_inertia.md §2)
(:mod:`exactdln.landscape.symmetry`; with weight decay, the orthogonal A only). Let K be
the matrix whose rows are the orbit generators and P a set of pivot columns of K (columns
independent over Q), F the complement of P. The congruence of
:func:`exactdln.arith.inertia.kernel_complement_inertia` gives, by Sylvester's law of inertia
(docs/maths/hessian_inertia.md §3),

    inertia(Hess L) = inertia(Hess L[F, F]) + (0, 0, |P|).

So only the principal submatrix on F is needed. For a depth-H network whose hidden layers
are full rank, |P| = sum_{h<H} d_h^2 and F is about one layer's worth of parameters: at
depth 3, width 10, the 100 x 100 block of a 300 x 300 Hessian. This module finds P with a
modular row reduction of K (independence mod a prime implies independence over Q) and
builds Hess L[F, F] from the block formula of :mod:`exactdln.landscape.derivatives`
(docs/maths/hessian_inertia.md §1) over the integers, after a positive diagonal rescaling that keeps
the entries short (a congruence). The coordinates of F in the last layer W_H are split off by a
Schur complement (their block is I (x) (C_H Sigma_XX C_H^T + lambda_H I), positive definite on the
columns kept), so only a small complement needs an inertia computation
(docs/maths/hessian_inertia.md §7).
"""

from __future__ import annotations

from functools import cached_property, partial
from math import lcm
from fractions import Fraction
from typing import Sequence

import numpy as np
from flint import fmpq_mat, fmpz_mat, nmod, nmod_mat

from exactdln.arith.exact import identity, integer_content, modular_image, modular_pivot_columns, multiply
from exactdln.arith.guided import PRIMES, IntegerSymmetric, integer_symmetric_inertia
from exactdln.arith.inertia import negative_direction, symmetric_inertia
from exactdln.arith.small_prime import SMALL_PRIMES, matmul_mod, rref_mod, residues as small_prime_residues
from exactdln.model.results import Inertia
from exactdln.landscape.derivatives import hessian_quadratic
from exactdln.landscape.point import ExactPoint

__all__ = [
    "orbit_pivots",
    "hessian_principal_submatrix",
    "integer_hessian_principal_submatrix",
    "reduced_hessian_inertia",
    "reduced_negative_direction",
    "last_layer_schur_inertia",
]

# Word-size primes for the modular row reduction (a prime dividing a denominator is skipped).
_PRIMES = PRIMES[:3]


def _residues(matrix: fmpq_mat, prime: int) -> list[list[int]] | None:
    """Entries mod ``prime`` as rows of ints (None if the prime divides a denominator)."""
    image = modular_image(matrix, prime)
    if image is None:
        return None
    m = matrix.ncols()
    values = [int(x) for x in image.entries()]
    return [values[i * m:(i + 1) * m] for i in range(matrix.nrows())]


def _skew_orbit_generators_mod(point: ExactPoint, residues: list[list[list[int]]], prime: int) -> nmod_mat:
    """The orthogonal-group generators of :func:`exactdln.landscape.symmetry.orbit_directions`
    (E = E_ab - E_ba, a < b), mod ``prime``."""
    H, widths = point.depth, point.widths
    sizes = [widths[h] * widths[h - 1] for h in range(1, H + 1)]
    offsets = [sum(sizes[:h]) for h in range(H)]
    pairs = [(h, a, b) for h in range(1, H) for a in range(widths[h]) for b in range(a + 1, widths[h])]
    generators = nmod_mat(len(pairs), sum(sizes), prime)
    for row, (h, a, b) in enumerate(pairs):
        d, before, after = widths[h], widths[h - 1], widths[h + 1]
        Wh, Wnext = residues[h - 1], residues[h]
        entries: dict[int, int] = {}
        base = offsets[h - 1]
        for c in range(before):   # D_h = E W_h: row a gets row b of W_h, row b gets -(row a)
            entries[base + a * before + c] = entries.get(base + a * before + c, 0) + Wh[b][c]
            entries[base + b * before + c] = entries.get(base + b * before + c, 0) - Wh[a][c]
        base = offsets[h]
        for c in range(after):    # D_{h+1} = -W_{h+1} E: column b gets -(column a), column a gets column b
            entries[base + c * d + b] = entries.get(base + c * d + b, 0) - Wnext[c][a]
            entries[base + c * d + a] = entries.get(base + c * d + a, 0) + Wnext[c][b]
        for col, value in entries.items():
            if value % prime:
                generators[row, col] = value % prime
    return generators


def _layerwise_pivots(point: ExactPoint, residues: list[np.ndarray], prime: int) -> list[int]:
    """P block by block, for the orbit generators of the unregularized loss (see :func:`orbit_pivots`).

    At block g (coordinates of W_g, d x e with d = d_g, e = d_{g-1}), row-reduce W_g once:
    [W_g | I] -> [R | T] mod p, so T W_g = R (the rref, rank rho, pivot columns c_1..c_rho)
    and the rows t_k (k >= rho) of T span the left kernel of W_g. Mixing the generators
    E_ab of layer g by T gives, for each a, rows with block-g part e_a R_k (leading entry
    (a, c_k)) for k < rho, and rows e_a t_k^T with block-g part 0 and block-(g+1) part
    -W_{g+1} e_a t_k^T for k >= rho (carried). A row carried into block g (a d x e matrix V,
    zero on earlier blocks and on block g + 1) is reduced by the rows e_a R_k: it becomes
    V - U R on block g (zero in the pivot columns) and W_{g+1} U T_{<rho} on block g + 1,
    with U = V[:, (c_k)]. These few rows are then reduced together: leading entries in
    block g are further pivots, the others are carried on. Only row operations are used,
    so the leading columns are the column rank profile of K mod p. The residues are numpy
    int64 arrays modulo a prime below 2^31 (:mod:`exactdln.arith.small_prime`).
    """
    H, widths = point.depth, point.widths
    pivots: list[int] = []
    offset = 0
    carried: list[np.ndarray] = []           # d_g x d_{g-1} matrices on block g, zero before
    for g in range(1, H + 1):
        d, e = widths[g], widths[g - 1]
        size = d * e
        nxt = widths[g + 1] if g < H else 0
        pieces: list[np.ndarray] = []        # rows on (block g | block g + 1) to reduce together
        if g < H:
            Wnext = residues[g]
            reduced, leads = rref_mod(np.hstack([residues[g - 1], np.eye(d, dtype=np.int64)]), prime)
            columns = [c for c in leads if c < e]
            rho = len(columns)
            T = reduced[:, e:]
            pivots.extend(offset + a * e + c for a in range(d) for c in columns)
            if rho < d:
                # e_a t_k^T for k >= rho: -W_{g+1} e_a t_k^T on block g + 1, entry (r, j) = -W_{g+1}[r, a] T[k, j]
                onward = (-(Wnext.T[None, :, :, None] * T[rho:, None, None, :])) % prime
                onward = onward.reshape((d - rho) * d, nxt * d)
                pieces.append(np.hstack([np.zeros((onward.shape[0], size), dtype=np.int64), onward]))
            if carried and rho:
                R = reduced[:rho, :e]
                T_low = T[:rho]
                for V in carried:
                    U = V[:, columns]
                    rest = (V - matmul_mod(U, R, prime)) % prime
                    onward = matmul_mod(matmul_mod(Wnext, U, prime), T_low, prime)
                    pieces.append(np.concatenate([rest.ravel(), onward.ravel()])[None, :])
            else:
                pieces.extend(np.concatenate([V.ravel(), np.zeros(nxt * d, dtype=np.int64)])[None, :]
                              for V in carried)
        else:
            pieces.extend(V.ravel()[None, :] for V in carried)
        carried = []
        if pieces:
            reduced, leads = rref_mod(np.vstack(pieces), prime)
            for i, col in enumerate(leads):
                if col < size:
                    pivots.append(offset + col)
                else:
                    carried.append(reduced[i, size:].reshape(nxt, d))
        offset += size
    return sorted(pivots)


def orbit_pivots(point: ExactPoint, *, orthogonal_only: bool = False) -> list[int]:
    """Parameter indices P on which the orbit generators are independent over Q.

    The fact used: if some kernel vectors, restricted to the coordinates P, form an
    invertible |P| x |P| matrix, P will do (:func:`exactdln.arith.inertia.kernel_complement_inertia`).
    A matrix of rational vectors whose reduction mod a prime p is invertible is invertible
    over Q, so P may be found mod p, as long as the vectors are rational kernel vectors.

    P is the set of pivot columns of a row echelon form of the generator matrix K mod a
    prime p (the column rank profile of K mod p; p < 2^31 in numpy for the unregularized loss,
    docs/maths/hessian_inertia.md §9): the columns K[:, P] are independent mod p, so some
    |P| x |P| minor of K[:, P] is nonzero mod p and hence over Q, and the rows of K are
    rational kernel vectors. For a lucky prime |P| = rank K.

    Unregularized loss: K is block bidiagonal (the generators E_ab of hidden layer g live
    on W_g and W_{g+1} only), so the echelon form is computed block by block: at block g
    the generators of layer g, stacked with the rows carried from block g - 1 (combinations
    that vanish on every earlier block), are reduced on the coordinates of W_g and W_{g+1};
    rows with a leading entry in W_g give P_g, the others are carried to block g + 1. The
    structure of block g (the generators act as I (x) W_g) lets one small reduction of W_g
    do most of the work (:func:`_layerwise_pivots`); when every hidden W_g has full row rank
    nothing is carried and P_g = {(a, c) : c a column pivot of W_g mod p}.
    Regularized loss (``orthogonal_only``, generators E_ab - E_ba): the whole K is reduced.
    Pivots come leftmost first: they fill the early layers, and F, their complement, sits
    in the late layers.
    """
    if not orthogonal_only:
        for prime in SMALL_PRIMES:
            layers = [small_prime_residues(w, prime) for w in point.W]
            if all(r is not None for r in layers):
                return _layerwise_pivots(point, layers, prime)
        return []  # every prime divides a denominator: no pivots claimed (still exact, just slower)
    for prime in _PRIMES:
        residues = []
        for w in point.W:
            r = _residues(w, prime)
            if r is None:
                break
            residues.append(r)
        else:
            generators = _skew_orbit_generators_mod(point, residues, prime)
            if generators.nrows() == 0:
                return []
            return modular_pivot_columns(generators)
    return []  # every prime divides a denominator: no pivots claimed (still exact, just slower)


def _integer_grid(matrix: fmpq_mat) -> tuple[np.ndarray, int]:
    """(N, d) with matrix = N / d, N as a numpy object array of Python ints."""
    numerator, denominator = matrix.numer_denom()
    grid = np.empty(numerator.nrows() * numerator.ncols(), dtype=object)
    grid[:] = [int(x) for x in numerator.entries()]
    return grid.reshape(numerator.nrows(), numerator.ncols()), int(denominator)


def _layer_coordinates(widths: Sequence[int], parameters: Sequence[int]) -> list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
    """Group parameter indices by layer: (layer, positions in ``parameters``, rows, cols) in W_layer."""
    H = len(widths) - 1
    offsets = [0]
    for h in range(1, H + 1):
        offsets.append(offsets[-1] + widths[h] * widths[h - 1])
    index = np.asarray(parameters, dtype=np.int64)
    layers = np.searchsorted(np.asarray(offsets[1:]), index, side="right") + 1
    out = []
    for h in range(1, H + 1):
        where = np.nonzero(layers == h)[0]
        if where.size:
            local = index[where] - offsets[h - 1]
            out.append((h, where, local // widths[h - 1], local % widths[h - 1]))
    return out


class _HessianFactors:
    """The factors of the Hessian's block formula, each product formed once, optionally rescaled.

    Block (k, h), k >= h, at rows (a, b) of W_k and columns (c, d) of W_h
    (:mod:`exactdln.landscape.derivatives`, docs/maths/hessian_inertia.md §1):

        [A_k^T A_h]_{ac} [C_k Sigma_XX C_h^T]_{bd} - [A_k^T G C_h^T]_{ad} [W_{k-1:h+1}]_{bc}   (the second if k > h)

    plus lambda_k on the diagonal, A_h = W_{H:h+1}, C_h = W_{h-1:1}, G the residual. With ``scaled``, the
    parameter (k, a, b) is multiplied by s_(k,a,b) = r_k[a] t_k[b], r_k[a] the lcm of the denominators
    of column a of A_k and t_k[b] that of row b of C_k: the matrix is then S Hess S with S = diag(s) > 0,
    congruent to Hess (the same inertia, Sylvester), and every factor above becomes an integer matrix
    except Sigma_XX, G and the middle products (docs/maths/hessian_inertia.md §7). After hidden changes of
    basis with long entries, the denominators differ from row to row and one common denominator for the
    whole block would be about as long as all of them together.
    Every factor is held as an integer matrix (``fmpz_mat``) over one denominator (1 for the rescaled A_k, C_k),
    so the products are FLINT integer products, without the gcds of rational ones. The middle products
    W_{k-1:h+1} are formed one factor at a time and kept (depth H: O(H^2) products of single layers, not O(H^3)),
    and so are the suffix products A_k: only those asked for (A_H = I; the classification's W_{H:1} comes from the
    prefix products).
    """

    def __init__(self, point: ExactPoint, *, scaled: bool):
        self.point = point
        self.scaled = scaled
        self._layers: dict[int, tuple] = {}
        self.A = _PerLayer(self, 0)          # A_hat_k = A_k diag(r_k) (times dA_k: an integer matrix), k = 1..H
        self.C = _PerLayer(self, 1)          # C_hat_k = diag(t_k) C_k (times dC_k)
        self.r = _PerLayer(self, 2)
        self.t = _PerLayer(self, 3)
        self.dA = _PerLayer(self, 4)
        self.dC = _PerLayer(self, 5)
        self._suffix: dict[int, fmpq_mat] = {}
        self._products: dict[tuple, tuple] = {}
        self._raw: dict[tuple[int, int], fmpq_mat] = {}    # W_{k-1:h+1}, unscaled

    def suffix(self, k: int) -> fmpq_mat:
        """A_k = W_{H:k+1}, from the point's suffix products when they are formed, else only those needed."""
        if "suffix" in self.point.__dict__:
            return self.point.suffix[k]
        H = self.point.depth
        if k == H:
            return identity(self.point.widths[H])
        if k not in self._suffix:
            self._suffix[k] = self.point.W[k] if k == H - 1 else multiply(self.suffix(k + 1), self.point.W[k])
        return self._suffix[k]

    def layer(self, k: int) -> tuple:
        """(A_hat_k numerator, C_hat_k numerator, r_k, t_k, dA_k, dC_k)."""
        if k not in self._layers:
            A, C = self.suffix(k), self.point.prefix[k - 1]
            if self.scaled:
                A_int, r = _cleared(A, by_column=True)
                C_int, t = _cleared(C, by_column=False)
                dA = dC = 1
            else:
                A_int, dA = A.numer_denom()
                C_int, dC = C.numer_denom()
                r, t, dA, dC = [1] * A.ncols(), [1] * C.nrows(), int(dA), int(dC)
            self._layers[k] = (A_int, C_int, r, t, dA, dC)
        return self._layers[k]

    def _cached(self, key: tuple, make):
        if key not in self._products:
            self._products[key] = make()
        return self._products[key]

    @cached_property
    def sigma_xx(self) -> tuple[fmpz_mat, int]:
        numerator, denominator = self.point.sigma_xx.numer_denom()
        return numerator, int(denominator)

    @cached_property
    def residual(self) -> tuple[fmpz_mat, int]:
        point = self.point
        if "residual" not in point.__dict__ and "residual_integer" in point.__dict__:
            return point.residual_integer     # formed by the classification: G = Z / z, not in lowest terms (not needed)
        numerator, denominator = point.residual.numer_denom()
        return numerator, int(denominator)

    def CS(self, k: int) -> tuple[fmpz_mat, int]:
        """C_hat_k Sigma_XX as (integer matrix, denominator)."""
        def make():
            S, dS = self.sigma_xx
            return self.C[k] * S, self.dC[k] * dS
        return self._cached(("CS", k), make)

    def AG(self, k: int) -> tuple[fmpz_mat, int]:
        """A_hat_k^T G as (integer matrix, denominator)."""
        def make():
            G, dG = self.residual
            return (G if k == self.point.depth and not self.scaled_A(k) else self.A[k].transpose() * G), self.dA[k] * dG
        return self._cached(("AG", k), make)

    def scaled_A(self, k: int) -> bool:
        """A_hat_k differs from the identity (only A_H = I can be the identity)."""
        return k != self.point.depth or any(x != 1 for x in self.r[k]) or self.dA[k] != 1

    def gauss(self, k: int, h: int) -> tuple[np.ndarray, int]:
        """C_hat_k Sigma_XX C_hat_h^T as (integer grid, denominator)."""
        def make():
            CS, den = self.CS(k)
            return _grid(CS * self.C[h].transpose()), den * self.dC[h]
        return self._cached(("gauss", k, h), make)

    def left(self, k: int, h: int) -> tuple[np.ndarray, int]:
        """A_hat_k^T A_hat_h as (integer grid, denominator)."""
        return self._cached(("left", k, h), lambda: (_grid(self.A[k].transpose() * self.A[h]), self.dA[k] * self.dA[h]))

    def curvature(self, k: int, h: int) -> tuple[np.ndarray, int]:
        """A_hat_k^T G C_hat_h^T as (integer grid, denominator)."""
        def make():
            AG, den = self.AG(k)
            return _grid(AG * self.C[h].transpose()), den * self.dC[h]
        return self._cached(("curvature", k, h), make)

    def middle(self, h: int, k: int) -> tuple[np.ndarray, int]:
        """diag(t_k) W_{k-1:h+1} diag(r_h) for h < k (W_{h:h+1} = I), as (integer grid, denominator), from the
        longest product already formed."""
        def make():
            raw = self._raw
            if k == h + 1:
                return _scaled_grid(None, self.t[k], self.r[h])
            j = k
            while j > h + 2 and (h, j) not in raw:
                j -= 1
            if (h, j) not in raw:
                raw[(h, j)] = self.point.W[h]                 # W_{h+1:h+1}
            for m in range(j + 1, k + 1):
                raw[(h, m)] = self.point.W[m - 2] * raw[(h, m - 1)]
            return _scaled_grid(raw[(h, k)], self.t[k], self.r[h])
        return self._cached(("middle", h, k), make)

    def scale(self, k: int, a: np.ndarray, b: np.ndarray) -> list[int]:
        """s_(k,a,b) for the coordinates (a, b) of W_k."""
        r, t = self.r[k], self.t[k]
        return [r[x] * t[y] for x, y in zip(a.tolist(), b.tolist())]

    def block_terms(self, k: int, a: np.ndarray, b: np.ndarray, h: int, c: np.ndarray, d: np.ndarray
                    ) -> list[tuple[np.ndarray, np.ndarray, int, int]]:
        """Block (k, h), k >= h, at rows (a, b) and columns (c, d), as terms (first, second, den, sign):
        the block is sum sign * first * second / den, entrywise, over Python integers (lambda apart)."""
        terms = []
        if not (self.A[k].is_zero() or self.A[h].is_zero() or self.C[k].is_zero() or self.C[h].is_zero()):
            left, dl = self.left(k, h)
            right, dr = self.gauss(k, h)
            terms.append((left[np.ix_(a, c)], right[np.ix_(b, d)], dl * dr, 1))
        if h < k and not self.C[h].is_zero():
            AG = self.AG(k)[0]
            middle, dm = self.middle(h, k)
            if not (AG.is_zero() or not middle.any()):
                curvature, dc = self.curvature(k, h)
                terms.append((curvature[np.ix_(a, d)], middle[np.ix_(b, c)], dc * dm, -1))
        return terms


class _PerLayer:
    """factors.A[k] and the like: one part of :meth:`_HessianFactors.layer`."""

    def __init__(self, factors: "_HessianFactors", part: int):
        self.factors, self.part = factors, part

    def __getitem__(self, k: int):
        return self.factors.layer(k)[self.part]


def _cleared(matrix: fmpq_mat, *, by_column: bool) -> tuple[fmpz_mat, list[int]]:
    """(N, l): N = matrix diag(l) (``by_column``) or diag(l) matrix, l the lcms of the denominators of each column
    (row): an integer matrix, without a rational product.

    With matrix = M / d (M integer, one denominator d), the lcm of the denominators of column j is d / g_j,
    g_j = gcd(d, M[:, j]), and column j of N is M[:, j] / g_j."""
    rows, cols = matrix.nrows(), matrix.ncols()
    numerator, denominator = matrix.numer_denom()
    d = int(denominator)
    if d == 1:
        return numerator, [1] * (cols if by_column else rows)
    grid = _grid(numerator)
    lines = grid.T if by_column else grid
    contents = [int(integer_content(line.tolist(), d)) for line in lines]
    divided = np.array([line // g for line, g in zip(lines, contents)], dtype=object).reshape(lines.shape)
    out = divided.T if by_column else divided
    return fmpz_mat(out.tolist()) if rows and cols else fmpz_mat(rows, cols), [d // g for g in contents]


def _scaled_grid(matrix: fmpq_mat | None, left: Sequence[int], right: Sequence[int]) -> tuple[np.ndarray, int]:
    """diag(left) matrix diag(right) as (integer grid, denominator); ``matrix`` None stands for the identity."""
    if matrix is None:
        n = len(left)
        grid = np.zeros((n, n), dtype=object)
        for i in range(n):
            grid[i, i] = left[i] * right[i]
        return grid, 1
    numerator, denominator = matrix.numer_denom()
    grid = _grid(numerator)
    d = int(denominator)
    if any(x != 1 for x in left) or any(x != 1 for x in right):
        grid = grid * np.array(left, dtype=object)[:, None] * np.array(right, dtype=object)[None, :]
        if d != 1:
            g = int(integer_content(grid.ravel().tolist(), d))
            if g > 1:
                grid, d = grid // g, d // g
    return grid, d


def _integer_block(factors: _HessianFactors, rows: Sequence[int], cols: Sequence[int] | None = None
                   ) -> tuple[np.ndarray, int]:
    """(N, D), N = D * S Hess[rows, cols] S over the integers (S the scaling of ``factors``; the identity
    unless scaled). ``cols`` None: the principal block, computed on and below the diagonal and mirrored."""
    point = factors.point
    symmetric = cols is None
    row_groups = _layer_coordinates(point.widths, rows)
    col_groups = row_groups if symmetric else _layer_coordinates(point.widths, cols)
    row_index = np.asarray(rows, dtype=np.int64)
    col_index = row_index if symmetric else np.asarray(cols, dtype=np.int64)
    pieces = []   # (row positions, col positions, terms, lambda term or None, transpose)
    denominators = []
    for gi, (k, pos_k, a_k, b_k) in enumerate(row_groups):
        for gj, (h, pos_h, c_h, d_h) in enumerate(col_groups):
            if symmetric and gj > gi:
                break
            if k >= h:
                terms = factors.block_terms(k, a_k, b_k, h, c_h, d_h)
                flip = False
            else:
                terms = factors.block_terms(h, c_h, d_h, k, a_k, b_k)
                flip = True
            lam_term = None
            lam = point.lambdas[k - 1]
            if h == k and lam != 0:
                same = row_index[pos_k][:, None] == col_index[pos_h][None, :]
                if same.any():
                    scales = factors.scale(k, a_k, b_k)
                    lam_term = (same, [s * s for s in scales], lam)
                    denominators.append(int(lam.q))
            denominators.extend(den for _, _, den, _ in terms)
            pieces.append((gi, gj, pos_k, pos_h, terms, lam_term, flip))
    D = lcm(*denominators) if denominators else 1
    out = np.zeros((len(row_index), len(col_index)), dtype=object)
    for gi, gj, pos_k, pos_h, terms, lam_term, flip in pieces:
        block = None
        for first, second, den, sign in terms:
            factor = sign * (D // den)
            term = first * second * factor if factor != 1 else first * second
            block = term if block is None else block + term
        if block is not None and flip:
            block = block.T
        if lam_term is not None:
            same, squares, lam = lam_term
            diagonal = np.zeros(same.shape, dtype=object)
            rows_of = np.nonzero(same)[0]
            diagonal[same] = [squares[i] * int(lam.p) * (D // int(lam.q)) for i in rows_of.tolist()]
            block = diagonal if block is None else block + diagonal
        if block is None:
            continue
        out[np.ix_(pos_k, pos_h)] = block
        if symmetric and gi != gj:
            out[np.ix_(pos_h, pos_k)] = block.T
    return out, D


def integer_hessian_principal_submatrix(point: ExactPoint, parameters: Sequence[int]) -> tuple[np.ndarray, int]:
    """(N, D) with N = D * Hess L[F, F] an integer matrix (numpy object array of Python ints)
    and D > 0, F = ``parameters``.

    Entry at W_k[a, b], W_h[c, d] (k >= h), from :mod:`exactdln.landscape.derivatives`:
    [A_k^T A_h]_{ac} [C_k Sigma_XX C_h^T]_{bd} - [A_k^T G C_h^T]_{ad} [W_{k-1:h+1}]_{bc} (k > h),
    plus lambda_k on the diagonal, A_h = W_{H:h+1}, C_h = W_{h-1:1}, G the residual.
    A positive multiple has the same inertia (a congruence by sqrt(D) I).
    """
    grid, D = _integer_block(_HessianFactors(point, scaled=False), list(parameters))
    return _python_ints(grid), int(D)


def hessian_principal_submatrix(point: ExactPoint, parameters: Sequence[int]) -> fmpq_mat:
    """Hess L[F, F] for F = ``parameters`` (indices in the parameter order of
    :func:`exactdln.landscape.derivatives.hessian_matrix`), without building the full Hessian."""
    grid, D = integer_hessian_principal_submatrix(point, parameters)
    size = len(parameters)
    return fmpq_mat(fmpz_mat(size, size, grid.ravel().tolist())) / D if size else fmpq_mat(0, 0)


def _check_orbit_kernel(point: ExactPoint, orthogonal_only: bool) -> None:
    """A randomized check of the orbit theorem at this point, in GF(p) (Schwartz-Zippel).

    With k a combination of orbit generators (random E_h in GF(p)) and u a random direction,
    the test is Hess[k + u, k + u] = Hess[u, u] mod p, the forms evaluated by
    :func:`exactdln.landscape.derivatives.hessian_quadratic` on the point reduced mod p (a
    prime dividing no denominator). The difference 2 u^T H k + k^T H k is a polynomial of
    degree <= 2 in the draws; if H k != 0 for some generator its part linear in u is a
    nonzero polynomial over Q, and unless p divides all its coefficients it vanishes for at
    most a fraction 2 / p of the draws. A fixed seed keeps runs reproducible. The theorem is
    proven (module docstring); the check guards its implementation and the caller's claim
    that the point is critical. Arithmetic mod p keeps it cheap when the entries are long.
    """
    for prime in _PRIMES:
        reduced = [modular_image(m, prime) for m in (*point.W, point.X, point.Y)]
        lambdas = [(int(l.p) * pow(int(l.q), -1, prime)) % prime if int(l.q) % prime else None
                   for l in point.lambdas]
        if all(r is not None for r in reduced) and None not in lambdas:
            break
    else:
        return   # every prime divides a denominator: nothing checked (the theorem stands)
    shapes = [(w.nrows(), w.ncols()) for w in point.W]
    W, X, Y = reduced[:-2], reduced[-2], reduced[-1]
    prefix = [nmod_mat(point.widths[0], point.widths[0], [int(i == j) for i in range(point.widths[0])
                                                         for j in range(point.widths[0])], prime)]
    for w in W:
        prefix.append(w * prefix[-1])
    suffix = [None] * (point.depth + 1)
    size = point.widths[-1]
    suffix[point.depth] = nmod_mat(size, size, [int(i == j) for i in range(size) for j in range(size)], prime)
    for h in range(point.depth - 1, -1, -1):
        suffix[h] = suffix[h + 1] * W[h]
    residual = Y * X.transpose() - prefix[-1] * X * X.transpose()
    rng = np.random.default_rng(0x0B17)     # a fixed seed: reproducible runs; numpy draws a whole matrix at once

    def draw(rows: int, cols: int) -> nmod_mat:
        return nmod_mat(rows, cols, rng.integers(0, prime, size=rows * cols, dtype=np.int64).tolist(), prime)

    k = [nmod_mat(rows, cols, prime) for rows, cols in shapes]
    for h in range(1, point.depth):
        E = draw(point.widths[h], point.widths[h])
        if orthogonal_only:
            E = E - E.transpose()
        k[h - 1] = k[h - 1] + E * W[h - 1]
        k[h] = k[h] - W[h] * E
    u = [draw(rows, cols) for rows, cols in shapes]
    lam = [nmod(x, prime) for x in lambdas]
    form = partial(hessian_quadratic, W, prefix, suffix, X, residual, lam, zero=nmod(0, prime))
    if form(T=[a + b for a, b in zip(k, u)]) != form(T=u):
        raise ValueError("an orbit direction is not in the kernel of the Hessian at this critical point "
                         "(a finding: the orbit theorem failed here)")


def _symmetric_integer_inertia(grid: np.ndarray) -> Inertia | None:
    if not grid.shape[0]:
        return Inertia(0, 0, 0)
    content = integer_content(grid.ravel().tolist())
    return integer_symmetric_inertia(IntegerSymmetric(grid=_python_ints(grid // content if content > 1 else grid)))


def _independent_columns(matrix: fmpz_mat) -> list[int]:
    """Columns of an integer matrix independent mod a word-size prime (so independent over Q)."""
    return modular_pivot_columns(nmod_mat(matrix, _PRIMES[0]))


def last_layer_schur_inertia(point: ExactPoint, parameters: Sequence[int]) -> Inertia | None:
    """Inertia of Hess L[F, F] (F = ``parameters``) by a Schur complement on the coordinates of W_H,
    or None when the last-layer block is singular (then nothing is claimed).

    Let F_H be the coordinates of F in W_H and F' the others. A_H = W_{H:H+1} = I, so the block
    Hess[F_H, F_H] has the entries delta_ac (M_bd + lambda_H delta_bd) at (a, b), (c, d), with
    M = C_H Sigma_XX C_H^T, C_H = W_{H-1:1}: it is block diagonal, one block
    K_a = (M + lambda_H I)[B_a, B_a] per row a of W_H (B_a the columns b with (a, b) in F_H).
    M is a Gram matrix and lambda_H >= 0, so each K_a is positive semidefinite, and positive definite
    when nonsingular. Then, by Haynsworth's inertia additivity (Haynsworth 1968; a congruence by
    [[I, -K^-1 E], [0, I]], Sylvester's law of inertia),

        inertia(Hess[F, F]) = (|F_H|, 0, 0) + inertia(B - E^T K^-1 E),

    B = Hess[F', F'], E = Hess[F_H, F'] (docs/maths/hessian_inertia.md §7). Everything is exact (FLINT
    rationals); only the |F'| x |F'| complement needs an inertia computation. It is computed on the
    rescaled matrix S Hess S of :class:`_HessianFactors` (S positive diagonal: a congruence).
    At depth H with full-rank hidden layers of equal width, F' is empty and the route costs the
    inverses of the d_(H-1) x d_(H-1) blocks K_a only.
    """
    H = point.depth
    widths = point.widths
    e = widths[H - 1]
    start = point.n_parameters - widths[H] * e
    last = [i for i in parameters if i >= start]
    rest = [i for i in parameters if i < start]
    lam = point.lambdas[H - 1]
    if not last or lam < 0:
        return None
    factors = _HessianFactors(point, scaled=True)
    gram_int, d_gram = _last_layer_gram(factors)              # diag(t) (M + lambda_H I) diag(t) = gram_int / d_gram
    columns: dict[int, list[int]] = {}
    for i in last:
        a, b = divmod(i - start, e)
        columns.setdefault(a, []).append(b)
    # K_a is PSD; when M has dependent columns keep in F_H only columns J of K_a independent mod a prime
    # (then independent over Q, and K_a[J, J] = L_J L_J^T is nonsingular for a Gram factor L); the other
    # coordinates join F'. A set J already kept for other rows is preferred when it fits and is as large: rows
    # sharing J share one solve below.
    kept: dict[tuple[int, ...], list[int]] = {}
    for cols in sorted(columns.values(), key=len):
        key = tuple(cols)
        if key not in kept:
            block = fmpz_mat(gram_int[np.ix_(cols, cols)].tolist())
            if _nonsingular_mod_p(block):
                kept[key] = cols
                continue
            independent = [cols[j] for j in _independent_columns(block)]
            inside = set(cols)
            kept[key] = max((J for J in kept.values() if len(J) >= len(independent) and inside.issuperset(J)),
                            key=len, default=independent)
    columns = {a: kept[tuple(cols)] for a, cols in columns.items()}
    last = [start + a * e + b for a in sorted(columns) for b in columns[a]]
    if not last:
        return None
    chosen = set(last)
    rest = sorted(set(rest) | {i for i in parameters if i >= start and i not in chosen})
    found = Inertia(len(last), 0, 0)
    if not rest:
        return found if all(_nonsingular(gram_int, cols) for cols in set(map(tuple, columns.values()))) else None
    grid_b, d_b = _integer_block(factors, rest)               # B = grid_b / d_b
    # Column j of E on row a of W_H is alpha[a, j] U[:, j] - beta[a, j] V[:, j] (the block formula with
    # A_H = I), so for the rows R of W_H sharing the kept columns J:
    #   sum_{a in R} E_a^T K_J^-1 E_a = (alpha_R^T alpha_R) o (U_J^T K_J^-1 U_J) - (alpha_R^T beta_R) o (U_J^T K_J^-1 V_J)
    #                                  - (beta_R^T alpha_R) o (V_J^T K_J^-1 U_J) + (beta_R^T beta_R) o (V_J^T K_J^-1 V_J)
    # (o entrywise): K_J^-1 is applied to 2 m vectors, not to d_H m.
    (alpha, d_alpha), (beta, d_beta), (U, d_u), (V, d_v) = _last_layer_columns(factors, rest, (gram_int, d_gram))
    groups: dict[tuple[int, ...], list[int]] = {}
    for a in sorted(columns):
        if columns[a]:
            groups.setdefault(tuple(columns[a]), []).append(a)
    corrections: list[tuple[np.ndarray, int]] = []          # (numerator, denominator > 0), summed below
    for cols, rows in groups.items():
        system = fmpz_mat(gram_int[np.ix_(cols, cols)].tolist())
        try:
            inverse_numerator, den = system.inv().numer_denom()
        except ZeroDivisionError:
            return None                                        # not claimed: the whole block decides
        den = int(den)
        U_J = fmpz_mat(U[list(cols)].tolist())
        V_J = fmpz_mat(V[list(cols)].tolist())
        KU, KV = inverse_numerator * U_J, inverse_numerator * V_J
        UU = _grid(U_J.transpose() * KU)
        UV = _grid(U_J.transpose() * KV)
        VV = _grid(V_J.transpose() * KV)
        a_R = fmpz_mat(alpha[rows].tolist())
        b_R = fmpz_mat(beta[rows].tolist())
        aa = _grid(a_R.transpose() * a_R)
        ab = _grid(a_R.transpose() * b_R)
        bb = _grid(b_R.transpose() * b_R)
        # common denominator d_alpha^2 d_beta^2 d_u^2 d_v^2 (times den)
        total = (aa * UU * (d_beta * d_v) ** 2 - (ab * UV + (ab * UV).T) * (d_alpha * d_beta * d_u * d_v)
                 + bb * VV * (d_alpha * d_u) ** 2)
        corrections.append((total, den * (d_alpha * d_beta * d_u * d_v) ** 2))
    # B - d_gram * sum_i total_i / den_i over one denominator d_b * D (D = lcm den_i > 0): a positive multiple of
    # the complement, so the same inertia; dividing by the content of its entries keeps it so (FLINT integers)
    D = lcm(*(den for _, den in corrections)) if corrections else 1
    numerator = grid_b * D
    for total, den in corrections:
        numerator = numerator - total * (d_b * d_gram * (D // den))
    content = integer_content(numerator.ravel().tolist())
    if content > 1:
        numerator = numerator // content
    integer_complement = IntegerSymmetric(grid=_python_ints(numerator))     # primitive already
    inner = integer_symmetric_inertia(integer_complement)
    if inner is None:
        inner = symmetric_inertia(fmpq_mat(integer_complement.matrix))
    return found + inner


def _grid(matrix: fmpz_mat) -> np.ndarray:
    """The entries as a numpy object array of FLINT integers (``fmpz``).

    Not Python ints: the entries run to thousands of bits, where FLINT's products, divisions and gcds are 4-5 times
    faster than CPython's and the conversion to int costs about a microsecond an entry (docs/maths/hessian_inertia.md
    §9). Python ints leave this module only (:func:`_python_ints`)."""
    out = np.empty(matrix.nrows() * matrix.ncols(), dtype=object)
    out[:] = matrix.entries()
    return out.reshape(matrix.nrows(), matrix.ncols())


def _python_ints(grid: np.ndarray) -> np.ndarray:
    """The same integers as Python ints (for callers outside this module and the inertia of
    :mod:`exactdln.arith.guided`, which shifts and divides them as ints)."""
    out = np.empty(grid.shape, dtype=object)
    out.ravel()[:] = [int(x) for x in grid.ravel().tolist()]
    return out


def _last_layer_gram(factors: _HessianFactors) -> tuple[np.ndarray, int]:
    """diag(t_H) (C_H Sigma_XX C_H^T + lambda_H I) diag(t_H) as (integer grid, denominator)."""
    point = factors.point
    H = point.depth
    grid, den = factors.gauss(H, H)
    lam = point.lambdas[H - 1]
    if lam == 0:
        return grid, den
    t = factors.t[H]
    grid = grid * int(lam.q)
    for b in range(grid.shape[0]):
        grid[b, b] += int(lam.p) * t[b] * t[b] * den
    return grid, den * int(lam.q)


def _last_layer_columns(factors: _HessianFactors, rest: Sequence[int], gram: tuple[np.ndarray, int]):
    """alpha, beta (d_H x m) and U, V (d_(H-1) x m), each as (integer grid, denominator), with
    (S Hess S)[(H, a, b), j] = alpha[a, j] U[b, j] - beta[a, j] V[b, j] for the coordinates j of ``rest``.

    j = (h, c, d) with h < H: alpha = A_hat_h[:, c], U = (C_hat_H Sigma C_hat_h^T)[:, d], beta = (G C_hat_h^T)[:, d],
    V = (diag(t_H) W_{H-1:h+1} diag(r_h))[:, c] (the block formula with A_H = I); j in W_H itself, (c, d):
    alpha = e_c, U = the column d of the last-layer block ``gram`` (with lambda_H), beta = V = 0.
    """
    point = factors.point
    H = point.depth
    d_H = point.widths[H]
    m = len(rest)
    parts: dict[str, list[tuple[list[int], np.ndarray, int]]] = {"alpha": [], "beta": [], "U": [], "V": []}
    for h, positions, c, d in _layer_coordinates(point.widths, rest):
        positions = positions.tolist()
        if h == H:
            grid, den = gram
            unit = np.zeros((d_H, len(positions)), dtype=object)
            unit[c, np.arange(len(positions))] = 1
            parts["alpha"].append((positions, unit, 1))
            parts["U"].append((positions, grid[:, d], den))
            continue
        parts["alpha"].append((positions, _grid(factors.A[h])[:, c], factors.dA[h]))
        grid, den = factors.gauss(H, h)
        parts["U"].append((positions, grid[:, d], den))
        grid, den = factors.curvature(H, h)
        parts["beta"].append((positions, grid[:, d], den))
        grid, den = factors.middle(h, H)
        parts["V"].append((positions, grid[:, c], den))
    out = []
    for name, rows in (("alpha", d_H), ("beta", d_H), ("U", point.widths[H - 1]), ("V", point.widths[H - 1])):
        matrix = np.zeros((rows, m), dtype=object)
        D = lcm(*(den for _, _, den in parts[name])) if parts[name] else 1
        for positions, block, den in parts[name]:
            matrix[:, positions] = block * (D // den) if D != den else block
        out.append((matrix, D))
    return tuple(out)


def _nonsingular_mod_p(matrix: fmpz_mat) -> bool:
    n = matrix.nrows()
    return n == 0 or nmod_mat(matrix, _PRIMES[0]).rank() == n


def _nonsingular(gram: np.ndarray, cols: tuple[int, ...]) -> bool:
    """gram[cols, cols] nonsingular over Q: mod a prime, else by FLINT's exact rank."""
    block = fmpz_mat(gram[np.ix_(cols, cols)].tolist())
    return _nonsingular_mod_p(block) or block.rank() == len(cols)


def reduced_hessian_inertia(point: ExactPoint, *, orthogonal_only: bool = False) -> Inertia:
    """Exact inertia of Hess L at a critical point, from the principal submatrix on F only.

    inertia(Hess L) = inertia(Hess L[F, F]) + (0, 0, |P|), P = :func:`orbit_pivots`, F its
    complement (module docstring; Sylvester's law of inertia). The caller vouches that the
    point is critical and that the orbit directions lie in the kernel: lambda = 0, or
    ``orthogonal_only`` for the regularized loss (docs/maths/regularized.md §4.2); a randomized check
    (:func:`_check_orbit_kernel`) raises ValueError if they do not. inertia(Hess L[F, F]) comes from
    the Schur complement on the last layer (:func:`last_layer_schur_inertia`) when its block is
    nonsingular, else from the whole block, rescaled by the positive diagonal congruence of
    :class:`_HessianFactors` (shorter integers, the same inertia).
    """
    _check_orbit_kernel(point, orthogonal_only)
    pivots = orbit_pivots(point, orthogonal_only=orthogonal_only)
    chosen = set(pivots)
    free = [i for i in range(point.n_parameters) if i not in chosen]
    found = last_layer_schur_inertia(point, free) if free else Inertia(0, 0, 0)
    if found is None:
        grid, _ = _integer_block(_HessianFactors(point, scaled=True), free)
        found = _symmetric_integer_inertia(grid)
    if found is None:   # an unlucky prime: the general block recursion
        found = symmetric_inertia(hessian_principal_submatrix(point, free))
    return found + Inertia(0, 0, len(pivots))


def reduced_negative_direction(point: ExactPoint, *, orthogonal_only: bool = False) -> list[Fraction] | None:
    """A rational v with v^T (Hess L) v < 0, supported on F, or None if Hess L is positive semidefinite.

    F is the complement of :func:`orbit_pivots` P, as in :func:`reduced_hessian_inertia`. With v zero on P,
    v^T (Hess L) v = v_F^T Hess L[F, F] v_F, so a negative direction of the principal submatrix (found and
    checked exactly by :func:`exactdln.arith.inertia.negative_direction`) is one of Hess L whatever P is.
    None is a statement about Hess L only through inertia(Hess L) = inertia(Hess L[F, F]) + (0, 0, |P|)
    (Sylvester's law, docs/maths/hessian_inertia.md §2-§3), so the caller vouches, as for
    :func:`reduced_hessian_inertia`, that the point is critical and the orbit directions lie in the kernel
    (lambda = 0, or ``orthogonal_only`` for the regularized loss); the randomized check
    :func:`_check_orbit_kernel` raises ValueError if they do not. On a depth-256, width-3 point the search ran
    on a 287 x 287 block of the 2304 x 2304 Hessian.
    """
    _check_orbit_kernel(point, orthogonal_only)
    chosen = set(orbit_pivots(point, orthogonal_only=orthogonal_only))
    free = [i for i in range(point.n_parameters) if i not in chosen]
    if not free:
        return None
    found = negative_direction(hessian_principal_submatrix(point, free))
    if found is None:
        return None
    direction = [Fraction(0)] * point.n_parameters
    for index, value in zip(free, found):
        direction[index] = value
    return direction
