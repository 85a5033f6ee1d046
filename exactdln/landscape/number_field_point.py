"""A point over a real number field K = Q(theta): the products, loss, gradient and Hessian over K.

:class:`FieldPoint` offers the attributes of :class:`exactdln.landscape.point.ExactPoint`
(``W``, ``prefix``, ``suffix``, ``product``, ``sigma_xx``, ``residual``, ``lambdas``, ``widths``,
``depth``) with :class:`~exactdln.arith.number_field.FieldMatrix` in place of ``fmpq_mat``, so
the formulas of :mod:`exactdln.landscape.derivatives` (gradient of Yun et al. 2018, Lemma 3.2;
the Hessian blocks of docs/maths/hessian_inertia.md §1) run over K unchanged: ``gradient_at``
and ``hessian_matrix_at(point, assemble=...)`` are the same code for Q and K. It is a separate
class rather than a parameter of ExactPoint because ExactPoint's products use the rational
shortcuts of :mod:`exactdln.arith.exact` (column denominators, integer Frobenius norms) that
have no meaning over K, and the rational path must not get slower.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Sequence

from flint import fmpq_mat, nmod_mat

from exactdln.arith.exact import modular_pivot_columns
from exactdln.arith.number_field import FieldElement, FieldMatrix, NumberField, field_symmetric_inertia
from exactdln.landscape.derivatives import gradient_at, hessian_matrix_at
from exactdln.landscape.point import PointShape
from exactdln.model.field_format import AlgebraicProblem, FieldMatrixData
from exactdln.model.results import Inertia

__all__ = ["FieldPoint", "field_of", "field_loss", "field_gradient", "field_hessian", "field_hessian_inertia",
           "field_reduced_hessian_inertia", "field_partial_ranks", "orbit_generator_rows_mod_p", "OrthogonalOrbitInertia",
           "field_orthogonal_orbit_inertia"]


def field_of(problem: AlgebraicProblem) -> NumberField:
    """The verified field of a point file (InputError naming field.minpoly / field.interval otherwise)."""
    return NumberField.from_polynomial(problem.field.minpoly, problem.field.interval)


def _matrix(K: NumberField, data: FieldMatrixData) -> FieldMatrix:
    return FieldMatrix.from_rows(K, [[list(e) for e in row] for row in data.rows])


@dataclass
class FieldPoint(PointShape):
    """Matrices over K of one point, built once and shared (the products as in ExactPoint)."""

    problem: AlgebraicProblem
    weights_data: tuple[FieldMatrixData, ...]
    K: NumberField = None          # built from problem.field when not given
    W: list[FieldMatrix] = field(init=False)

    def __post_init__(self) -> None:
        if self.K is None:
            self.K = field_of(self.problem)
        self.W = [_matrix(self.K, w) for w in self.weights_data]

    @cached_property
    def X(self) -> FieldMatrix:
        return _matrix(self.K, self.problem.X)

    @cached_property
    def Y(self) -> FieldMatrix:
        return _matrix(self.K, self.problem.Y)

    @cached_property
    def sigma_xx(self) -> FieldMatrix:
        return self.X * self.X.transpose()

    @cached_property
    def sigma_yx(self) -> FieldMatrix:
        return self.Y * self.X.transpose()

    def identity(self, n: int) -> FieldMatrix:
        return FieldMatrix.identity(self.K, n)

    @cached_property
    def prefix(self) -> list[FieldMatrix]:
        """prefix[h] = W_{h:1} for h = 0..H (prefix[0] = I)."""
        out = [self.identity(self.widths[0])]
        for w in self.W:
            out.append(w * out[-1])
        return out

    @cached_property
    def suffix(self) -> list[FieldMatrix]:
        """suffix[h] = W_{H:h+1} for h = 0..H (suffix[H] = I)."""
        H = self.depth
        out = [self.identity(self.widths[H])] * (H + 1)
        for h in range(H - 1, -1, -1):
            out[h] = out[h + 1] * self.W[h]
        return out

    def product(self, i: int, j: int) -> FieldMatrix:
        """W_{j:i} = W_j ... W_i (1-based; the identity of size d_{i-1} when j = i - 1)."""
        if j == i - 1:
            return self.identity(self.widths[i - 1])
        if i == 1:
            return self.prefix[j]
        if j == self.depth:
            return self.suffix[i - 1]
        out = self.W[i - 1]
        for h in range(i, j):
            out = self.W[h] * out
        return out

    @cached_property
    def end_to_end(self) -> FieldMatrix:
        return self.prefix[self.depth]

    @cached_property
    def residual(self) -> FieldMatrix:
        """G = Sigma_YX - W_{H:1} Sigma_XX."""
        return self.sigma_yx - self.end_to_end * self.sigma_xx


def _squared_norm(m: FieldMatrix) -> FieldElement:
    return sum((x * x for x in m.entries()), m.field.element(0))


def field_loss(p: FieldPoint) -> FieldElement:
    """L(W) = 1/2 ||W_{H:1} X - Y||_F^2 + sum_h lambda_h/2 ||W_h||_F^2, an element of K (docs/maths/README.md §2)."""
    value = _squared_norm(p.end_to_end * p.X - p.Y) / 2
    for lam, w in zip(p.lambdas, p.W):
        if lam != 0:
            value = value + _squared_norm(w) * lam / 2
    return value


def field_gradient(p: FieldPoint) -> list[FieldMatrix]:
    """dL/dW_h = -W_{H:h+1}^T G W_{h-1:1}^T + lambda_h W_h over K (Yun et al. 2018, Lemma 3.2): the code of
    :func:`exactdln.landscape.derivatives.gradient_at`, run on FieldMatrix."""
    return gradient_at(p)


def field_hessian(p: FieldPoint) -> FieldMatrix:
    """The n x n Hessian over K (docs/maths/hessian_inertia.md §1), by
    :func:`exactdln.landscape.derivatives.hessian_matrix_at` with FieldMatrix entries."""
    return hessian_matrix_at(p, assemble=FieldMatrix.assemble(p.K))


def field_hessian_inertia(p: FieldPoint) -> Inertia:
    """Inertia of the full Hessian at the embedding of K: LDL^T over K, zero count checked against the rank
    (:func:`exactdln.arith.number_field.field_symmetric_inertia`; docs/maths/algebraic.md §5)."""
    return field_symmetric_inertia(field_hessian(p))


def _orbit_rows(p: FieldPoint, images: Sequence[Any] | None, skew: bool, n: int,
                offsets: Sequence[int]) -> list[list[Any]]:
    """Generator rows (parameter vectors) of the orbit tangents: for E = E_ab (``skew`` False, every a, b; the
    GL(d_h) action of the unregularized loss) or E = E_ab - E_ba (``skew`` True, a < b; the O(d_h) action, the
    symmetry left by weight decay), D_h = E W_h, D_(h+1) = -W_(h+1) E (docs/maths/hessian_inertia.md §2,
    docs/maths/regularized.md §4.2). ``images``: the weights mod p (entries ints), or None for the weights over
    K (entries FieldElements)."""
    H, widths = p.depth, p.widths
    zero = 0 if images is not None else p.K.element(0)
    rows = []
    for h in range(1, H):
        d, before, after = widths[h], widths[h - 1], widths[h + 1]
        if images is not None:
            Wh, Wnext = images[h - 1], images[h]
            get_h = lambda i, j: int(Wh[i, j])                          # noqa: E731
            get_n = lambda i, j: int(Wnext[i, j])                       # noqa: E731
        else:
            get_h = lambda i, j, W=p.W[h - 1]: W[i, j]                  # noqa: E731
            get_n = lambda i, j, W=p.W[h]: W[i, j]                      # noqa: E731
        pairs = [(a, b) for a in range(d) for b in range(d) if (a < b if skew else True)]
        for a, b in pairs:
            row = [zero] * n
            for c in range(before):                     # row a of E_ab W_h is row b of W_h
                row[offsets[h - 1] + a * before + c] = get_h(b, c)
                if skew:                                # row b of -E_ba W_h is -(row a of W_h)
                    row[offsets[h - 1] + b * before + c] = -get_h(a, c)
            for c in range(after):                      # column b of -W_(h+1) E_ab is -(column a)
                row[offsets[h] + c * d + b] = -get_n(c, a)
                if skew:                                # column a of W_(h+1) E_ba is column b
                    row[offsets[h] + c * d + a] = get_n(c, b)
            rows.append(row)
    return rows


@dataclass(frozen=True)
class OrthogonalOrbitInertia:
    """Hessian inertia at a critical point of the regularized loss over K, the orbit dimension of the O(d_h)
    symmetry, and whether they meet the Morse-Bott test nullity = orbit dimension (docs/maths/regularized.md §4.3)."""

    inertia: Inertia
    orbit_dimension: int

    @property
    def nullity(self) -> int:
        return self.inertia.n_zero

    @property
    def morse_bott(self) -> bool:
        return self.inertia.n_zero == self.orbit_dimension


def field_orthogonal_orbit_inertia(p: FieldPoint) -> OrthogonalOrbitInertia:
    """Inertia of the Hessian at a critical point of the regularized loss (lambda > 0) over K, with the tangents
    of the O(d_h) orbits (A W_h, -W_(h+1) A for skew A; docs/maths/regularized.md §4.2) split off as known kernel
    vectors: the loss is invariant under W_h -> O W_h, W_(h+1) -> W_(h+1) O^T, so at a critical point the Hessian
    annihilates the orbit tangents, and for P a set of coordinates on which they are independent (found mod p,
    :attr:`NumberField.residue_maps`) inertia(Hess) = inertia(Hess[F, F]) + (0, 0, |P|) (Sylvester's law of
    inertia). The orbit dimension is |P| when that already equals the nullity (|P| <= orbit dimension <=
    nullity), else the exact rank over K of the tangents, those of Stab(M) included for rational whitened data
    (docs/maths/regularized.md §4.2; they are nonzero only inside blocks of a repeated singular value)."""
    hessian = field_hessian(p)
    H, widths = p.depth, p.widths
    sizes = [widths[h] * widths[h - 1] for h in range(1, H + 1)]
    offsets = [sum(sizes[:h]) for h in range(H)]
    n = sum(sizes)
    P = None
    if H >= 2:
        for prime, root in p.K.residue_maps:
            images = [w.image_mod(prime, root) for w in p.W]
            if any(image is None for image in images):
                continue
            rows = [[x % prime for x in row[::-1]] for row in _orbit_rows(p, images, True, n, offsets)]
            if not rows:
                P = []
                break
            generators = nmod_mat(len(rows), n, [x for row in rows for x in row], prime)
            P = sorted(n - 1 - j for j in modular_pivot_columns(generators))
            break
    if not P:
        inertia = field_symmetric_inertia(hessian)
    else:
        chosen = set(P)
        F = [i for i in range(n) if i not in chosen]
        part = field_symmetric_inertia(_principal_submatrix(hessian, F))
        inertia = Inertia(part.n_plus, part.n_minus, part.n_zero + len(P))
    orbit = len(P or [])
    if inertia.n_zero != orbit and H >= 2:
        rows = _orbit_rows(p, None, True, n, offsets) + _stabilizer_rows(p, n, offsets)
        orbit = FieldMatrix.from_rows(p.K, rows).rank() if rows else 0
    return OrthogonalOrbitInertia(inertia, orbit)


def _stabilizer_rows(p: FieldPoint, n: int, offsets: Sequence[int]) -> list[list[Any]]:
    """Tangents (delta W_H, delta W_1) = (B W_H, -W_1 C) of the symmetry W_H -> U W_H, W_1 -> W_1 V^T with
    U M V^T = M (docs/maths/regularized.md §4.2), for skew B, C with B M = M C: a basis of those pairs is the
    rational nullspace of the linear map (B, C) -> B M - M C. Only for rational whitened data X X^T = c I, where it
    is a symmetry of the loss (M = Y X^T); otherwise no rows."""
    from exactdln.arith.exact import nullspace

    problem = p.problem
    if p.depth < 2 or not (problem.X.is_rational() and problem.Y.is_rational()):
        return []
    X = fmpq_mat([[e[0] for e in row] for row in problem.X.rows]) if problem.X.nrows else None
    Y = fmpq_mat([[e[0] for e in row] for row in problem.Y.rows])
    S = X * X.transpose()
    c = S[0, 0]
    if c == 0 or any(S[i, j] != (c if i == j else 0) for i in range(S.nrows()) for j in range(S.ncols())):
        return []
    M = Y * X.transpose()
    dy, dx = M.nrows(), M.ncols()
    pairs_y = [(i, j) for i in range(dy) for j in range(i + 1, dy)]
    pairs_x = [(i, j) for i in range(dx) for j in range(i + 1, dx)]
    unknowns = len(pairs_y) + len(pairs_x)
    if not unknowns:
        return []
    A = fmpq_mat(dy * dx, unknowns)
    for k, (i, j) in enumerate(pairs_y):               # B = E_ij - E_ji: (B M)[a, b] = [a=i] M[j, b] - [a=j] M[i, b]
        for b in range(dx):
            A[i * dx + b, k] += M[j, b]
            A[j * dx + b, k] -= M[i, b]
    for k, (i, j) in enumerate(pairs_x, len(pairs_y)):  # -(M C)[a, b] = -(M[a, i] [b=j] - M[a, j] [b=i])
        for a in range(dy):
            A[a * dx + j, k] -= M[a, i]
            A[a * dx + i, k] += M[a, j]
    basis = nullspace(A)
    K = p.K
    H, widths = p.depth, p.widths
    WH, W1 = p.W[H - 1], p.W[0]
    rows = []
    for col in range(basis.ncols()):
        B = fmpq_mat(dy, dy)
        C = fmpq_mat(dx, dx)
        for k, (i, j) in enumerate(pairs_y):
            B[i, j], B[j, i] = basis[k, col], -basis[k, col]
        for k, (i, j) in enumerate(pairs_x, len(pairs_y)):
            C[i, j], C[j, i] = basis[k, col], -basis[k, col]
        dWH = FieldMatrix.rational(K, B) * WH
        dW1 = (W1 * FieldMatrix.rational(K, C)) * -1
        row = [K.element(0)] * n
        for a in range(widths[H]):
            for b in range(widths[H - 1]):
                row[offsets[H - 1] + a * widths[H - 1] + b] = dWH[a, b]
        for a in range(widths[1]):
            for b in range(widths[0]):
                row[offsets[0] + a * widths[0] + b] = row[offsets[0] + a * widths[0] + b] + dW1[a, b]
        rows.append(row)
    return rows


def orbit_generator_rows_mod_p(p: FieldPoint) -> tuple[int, list[tuple[int, int, int]], list[list[int]]] | None:
    """(prime, generators, rows): the orbit generators (h, a, b) of W_h -> (I + s E_ab) W_h,
    W_(h+1) -> W_(h+1) (I + s E_ab)^-1 (tangent D_h = E_ab W_h, D_(h+1) = -W_(h+1) E_ab; docs/maths/hessian_inertia.md
    §2) as rows over F_p, the image of the weights under a homomorphism Z_(p)[theta] -> F_p
    (:attr:`NumberField.residue_maps`): a minor of these rows that is nonzero mod p is nonzero in K. None when no
    residue map applies to every layer."""
    H, widths = p.depth, p.widths
    sizes = [widths[h] * widths[h - 1] for h in range(1, H + 1)]
    offsets = [sum(sizes[:h]) for h in range(H)]
    n = sum(sizes)
    for prime, root in p.K.residue_maps:
        images = [w.image_mod(prime, root) for w in p.W]
        if any(image is None for image in images):
            continue
        generators, rows = [], []
        for h in range(1, H):                                   # hidden layer h: W_h (d_h x d_(h-1)), W_(h+1)
            d, before, after = widths[h], widths[h - 1], widths[h + 1]
            Wh, Wnext = images[h - 1], images[h]
            for a in range(d):
                for b in range(d):
                    row = [0] * n
                    for c in range(before):                     # row a of E_ab W_h is row b of W_h
                        row[offsets[h - 1] + a * before + c] = int(Wh[b, c])
                    for c in range(after):                      # column b of -W_(h+1) E_ab is -(column a)
                        row[offsets[h] + c * d + b] = (-int(Wnext[c, a])) % prime
                    generators.append((h, a, b))
                    rows.append(row)
        return prime, generators, rows
    return None


def _orbit_pivots_over_field(p: FieldPoint) -> list[int] | None:
    """Parameter indices P on which the orbit generators (:func:`orbit_generator_rows_mod_p`) are independent
    over K, found mod p. The columns are reduced from the last parameter to the first, so P fills the late layers
    and F, the complement that is factored, sits in the early ones, where the LDL^T over K meets smaller
    coefficients (the blocks of W_1 carry the rational Sigma_XX). None when no image exists."""
    found = orbit_generator_rows_mod_p(p)
    if found is None:
        return None
    prime, _, rows = found
    if not rows:
        return []
    n = len(rows[0])
    generators = nmod_mat(len(rows), n, [x for row in rows for x in row[::-1]], prime)   # reversed columns
    return sorted(n - 1 - j for j in modular_pivot_columns(generators))


def _principal_submatrix(m: FieldMatrix, keep: Sequence[int]) -> FieldMatrix:
    return FieldMatrix(m.field, [fmpq_mat(len(keep), len(keep), [a[i, j] for i in keep for j in keep])
                                 for a in m.coeffs])


def field_reduced_hessian_inertia(p: FieldPoint) -> Inertia:
    """Inertia of the Hessian at a critical point of the unregularized loss over K, with the orbit directions
    of W_h -> A W_h, W_{h+1} -> W_{h+1} A^-1 split off: they lie in the kernel of the Hessian
    (docs/maths/hessian_inertia.md §2), so for P a set of coordinates on which they are independent and F its
    complement, inertia(Hess) = inertia(Hess[F, F]) + (0, 0, |P|) (Sylvester's law of inertia; the congruence
    of :func:`exactdln.arith.inertia.kernel_complement_inertia`, over K). Only Hess[F, F] is factored."""
    hessian = field_hessian(p)
    P = _orbit_pivots_over_field(p) if p.depth >= 2 else None
    if not P:
        return field_symmetric_inertia(hessian)
    chosen = set(P)
    F = [i for i in range(hessian.nrows()) if i not in chosen]
    inertia = field_symmetric_inertia(_principal_submatrix(hessian, F))
    return Inertia(inertia.n_plus, inertia.n_minus, inertia.n_zero + len(P))


def field_partial_ranks(p: FieldPoint) -> dict[tuple[int, int], int]:
    """rank_K W_{j:i} for 1 <= i <= j <= H, exactly, without forming the products over K where bounds suffice.

    The rational route's method (docs/maths/classification.md §3.7) carried over to K (docs/maths/algebraic.md §4):
    the single layers' ranks are exact (:meth:`FieldMatrix.rank`); for a longer product, rk W_{j:i} <=
    min(rk W_{j-1:i}, rk W_{j:i+1}) (a product has at most the rank of each factor) is a proven upper bound, and the
    rank of its image under a residue map x -> rho mod p is a proven lower bound (the map is a ring homomorphism on
    p-integral elements, so a minor nonzero mod p is nonzero in K). The images of all H(H+1)/2 products cost one
    word-size matrix product each; where the bounds meet, that is the rank. Only where they differ is W_{j:i}
    formed over K and its rank computed exactly.
    """
    H = p.depth
    ranks: dict[tuple[int, int], int] = {(h, h): p.W[h - 1].rank() for h in range(1, H + 1)}
    lower: dict[tuple[int, int], int] = {}
    if H > 1:
        for prime, root in p.K.residue_maps:
            images = [w.image_mod(prime, root) for w in p.W]
            for i in range(1, H):
                running = images[i - 1]
                for j in range(i + 1, H + 1):
                    if running is None or images[j - 1] is None:
                        break
                    running = images[j - 1] * running
                    r = running.rank()
                    if r > lower.get((i, j), -1):
                        lower[(i, j)] = r
    for length in range(2, H + 1):
        for i in range(1, H - length + 2):
            j = i + length - 1
            upper = min(ranks[(i, j - 1)], ranks[(i + 1, j)])
            if lower.get((i, j), -1) == upper:
                ranks[(i, j)] = upper
            else:
                ranks[(i, j)] = p.product(i, j).rank()
    return {(i, j): ranks[(i, j)] for i in range(1, H + 1) for j in range(i, H + 1)}


def is_field_critical(gradient: Sequence[FieldMatrix]) -> bool:
    return all(g.is_zero() for g in gradient)
