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
builds Hess L[F, F] entry by entry from the block formula of
:mod:`exactdln.landscape.derivatives` (docs/maths/hessian_inertia.md §1), over the integers after
clearing one common denominator.
"""

from __future__ import annotations

import random
from functools import partial
from math import lcm
from typing import Sequence

import numpy as np
from flint import fmpq, fmpq_mat, fmpz_mat, nmod, nmod_mat

from exactdln.arith.exact import modular_image, modular_pivot_columns
from exactdln.arith.guided import PRIMES, IntegerSymmetric, integer_symmetric_inertia
from exactdln.arith.inertia import symmetric_inertia
from exactdln.model.results import Inertia
from exactdln.landscape.derivatives import hessian_quadratic
from exactdln.landscape.point import ExactPoint

__all__ = [
    "orbit_pivots",
    "hessian_principal_submatrix",
    "integer_hessian_principal_submatrix",
    "reduced_hessian_inertia",
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


def _nmod(rows: list[list[int]], nrows: int, ncols: int, prime: int) -> nmod_mat:
    return nmod_mat(nrows, ncols, [x for row in rows for x in row], prime)


def _layerwise_pivots(point: ExactPoint, residues: list[list[list[int]]], prime: int) -> list[int]:
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
    so the leading columns are the column rank profile of K mod p.
    """
    H, widths = point.depth, point.widths
    pivots: list[int] = []
    offset = 0
    carried: list[list[list[int]]] = []      # d_g x d_{g-1} matrices on block g, zero before
    for g in range(1, H + 1):
        d, e = widths[g], widths[g - 1]
        size = d * e
        stack: list[list[int]] = []          # rows on (block g | block g + 1) to reduce together
        nxt = widths[g + 1] if g < H else 0
        if g < H:
            Wnext = residues[g]
            identity = [[1 if i == j else 0 for j in range(d)] for i in range(d)]
            augmented = _nmod([row + extra for row, extra in zip(residues[g - 1], identity)], d, e + d, prime)
            reduced, _ = augmented.rref()
            columns: list[int] = []
            for k in range(d):
                lead = next((c for c in range(e) if int(reduced[k, c])), None)
                if lead is None:
                    break
                columns.append(lead)
            rho = len(columns)
            T = [[int(reduced[k, e + j]) for j in range(d)] for k in range(d)]
            pivots.extend(offset + a * e + c for a in range(d) for c in columns)
            for k in range(rho, d):          # e_a t_k^T: -W_{g+1} e_a t_k^T on block g + 1
                for a in range(d):
                    stack.append([0] * size + [(-Wnext[r][a] * T[k][j]) % prime for r in range(nxt) for j in range(d)])
            if carried and rho:
                R = _nmod([[int(reduced[k, c]) for c in range(e)] for k in range(rho)], rho, e, prime)
                T_low = _nmod(T[:rho], rho, d, prime)
                W_next = _nmod(Wnext, nxt, d, prime)
                for V in carried:
                    U = _nmod([[row[c] for c in columns] for row in V], d, rho, prime)
                    rest = _nmod(V, d, e, prime) - U * R
                    onward = W_next * U * T_low
                    stack.append([int(x) for x in rest.entries()] + [int(x) for x in onward.entries()])
            else:
                stack.extend([x for row in V for x in row] + [0] * (nxt * d) for V in carried)
        else:
            stack.extend([x for row in V for x in row] for V in carried)
        carried = []
        if stack:
            width = len(stack[0])
            reduced, rank = _nmod(stack, len(stack), width, prime).rref()
            col = 0
            for i in range(rank):
                while int(reduced[i, col]) == 0:
                    col += 1
                if col < size:
                    pivots.append(offset + col)
                else:
                    tail = [int(reduced[i, j]) for j in range(size, width)]
                    carried.append([tail[r * d:(r + 1) * d] for r in range(nxt)])
                col += 1
        offset += size
    return sorted(pivots)


def orbit_pivots(point: ExactPoint, *, orthogonal_only: bool = False) -> list[int]:
    """Parameter indices P on which the orbit generators are independent over Q.

    The fact used: if some kernel vectors, restricted to the coordinates P, form an
    invertible |P| x |P| matrix, P will do (:func:`exactdln.arith.inertia.kernel_complement_inertia`).
    A matrix of rational vectors whose reduction mod a prime p is invertible is invertible
    over Q, so P may be found mod p, as long as the vectors are rational kernel vectors.

    P is the set of pivot columns of a row echelon form of the generator matrix K mod a
    large prime p (the column rank profile of K mod p): the columns K[:, P] are independent
    mod p, so some |P| x |P| minor of K[:, P] is nonzero mod p and hence over Q, and the
    rows of K are rational kernel vectors. For a lucky prime |P| = rank K.

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
    for prime in _PRIMES:
        residues = []
        for w in point.W:
            r = _residues(w, prime)
            if r is None:
                break
            residues.append(r)
        else:
            if not orthogonal_only:
                return _layerwise_pivots(point, residues, prime)
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


def integer_hessian_principal_submatrix(point: ExactPoint, parameters: Sequence[int]) -> tuple[np.ndarray, int]:
    """(N, D) with N = D * Hess L[F, F] an integer matrix (numpy object array of Python ints)
    and D > 0, F = ``parameters``.

    Entry at W_k[a, b], W_h[c, d] (k >= h), from :mod:`exactdln.landscape.derivatives`:
    [A_k^T A_h]_{ac} [C_k Sigma_XX C_h^T]_{bd} - [A_k^T G C_h^T]_{ad} [W_{k-1:h+1}]_{bc} (k > h),
    plus lambda_k on the diagonal, A_h = W_{H:h+1}, C_h = W_{h-1:1}, G the residual.
    A positive multiple has the same inertia (a congruence by sqrt(D) I).
    """
    size = len(parameters)
    groups = _layer_coordinates(point.widths, parameters)
    A = point.suffix
    C = point.prefix
    terms = []  # (k-group, h-group, [(factor grid rows x cols, denominator)])
    denominators = []
    for gi, (k, rows_k, a_k, b_k) in enumerate(groups):
        Ak_t = A[k].transpose()
        CS = C[k - 1] * point.sigma_xx
        for gj, (h, rows_h, c_h, d_h) in enumerate(groups[: gi + 1]):
            left, dl = _integer_grid(Ak_t * A[h])
            right, dr = _integer_grid(CS * C[h - 1].transpose())
            block_terms = [(left[np.ix_(a_k, c_h)], right[np.ix_(b_k, d_h)], dl * dr, 1)]
            if h < k:
                curvature, dc = _integer_grid(Ak_t * point.residual * C[h - 1].transpose())
                middle, dm = _integer_grid(point.product(h + 1, k - 1))
                block_terms.append((curvature[np.ix_(a_k, d_h)], middle[np.ix_(b_k, c_h)], dc * dm, -1))
            for *_, den, _sign in block_terms:
                denominators.append(den)
            lam = point.lambdas[k - 1] if h == k else fmpq(0)
            if lam != 0:
                denominators.append(int(lam.q))
            terms.append((gi, gj, block_terms, lam))
    D = lcm(*denominators) if denominators else 1
    out = np.zeros((size, size), dtype=object)
    for gi, gj, block_terms, lam in terms:
        rows_k = groups[gi][1]
        rows_h = groups[gj][1]
        block = None
        for first, second, den, sign in block_terms:
            factor = sign * (D // den)
            term = first * second * factor if factor != 1 else first * second
            block = term if block is None else block + term
        if lam != 0:
            block = block + np.eye(len(rows_k), dtype=np.int64).astype(object) * (int(lam.p) * (D // int(lam.q)))
        out[np.ix_(rows_k, rows_h)] = block
        if gi != gj:
            out[np.ix_(rows_h, rows_k)] = block.T
    return out, D


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
        reduced = [_residues(m, prime) for m in (*point.W, point.X, point.Y)]
        lambdas = [(int(l.p) * pow(int(l.q), -1, prime)) % prime if int(l.q) % prime else None
                   for l in point.lambdas]
        if all(r is not None for r in reduced) and None not in lambdas:
            break
    else:
        return   # every prime divides a denominator: nothing checked (the theorem stands)
    shapes = [(w.nrows(), w.ncols()) for w in point.W]
    W = [_nmod(r, rows, cols, prime) for r, (rows, cols) in zip(reduced, shapes)]
    X = _nmod(reduced[-2], point.X.nrows(), point.X.ncols(), prime)
    Y = _nmod(reduced[-1], point.Y.nrows(), point.Y.ncols(), prime)
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
    rng = random.Random(0x0B17)

    def draw(rows: int, cols: int) -> nmod_mat:
        return nmod_mat(rows, cols, [rng.randrange(prime) for _ in range(rows * cols)], prime)

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


def reduced_hessian_inertia(point: ExactPoint, *, orthogonal_only: bool = False) -> Inertia:
    """Exact inertia of Hess L at a critical point, from the principal submatrix on F only.

    inertia(Hess L) = inertia(Hess L[F, F]) + (0, 0, |P|), P = :func:`orbit_pivots`, F its
    complement (module docstring; Sylvester's law of inertia). The caller vouches that the
    point is critical and that the orbit directions lie in the kernel: lambda = 0, or
    ``orthogonal_only`` for the regularized loss (docs/maths/regularized.md §4.2); a randomized check
    (:func:`_check_orbit_kernel`) raises ValueError if they do not.
    """
    _check_orbit_kernel(point, orthogonal_only)
    pivots = orbit_pivots(point, orthogonal_only=orthogonal_only)
    chosen = set(pivots)
    free = [i for i in range(point.n_parameters) if i not in chosen]
    grid, D = integer_hessian_principal_submatrix(point, free)
    found = integer_symmetric_inertia(IntegerSymmetric(grid=grid).primitive()) if free else Inertia(0, 0, 0)
    if found is None:   # an unlucky prime: the general block recursion
        found = symmetric_inertia(hessian_principal_submatrix(point, free))
    return found + Inertia(0, 0, len(pivots))
