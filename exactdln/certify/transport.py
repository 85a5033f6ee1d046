"""The transport of a critical point along the symmetry of the loss, for certificates over a number field.

With lambda = 0 the loss depends on the weights only through W_{H:1}, so for invertible A_1, ..., A_(H-1) the
linear bijection

    phi(W) = (A_1 W_1, A_2 W_2 A_1^-1, ..., A_(H-1) W_(H-1) A_(H-2)^-1, W_H A_(H-1)^-1)

has L o phi = L. Hence grad L(W) = J^T grad L(phi(W)) and Hess L(W) = J^T Hess L(phi(W)) J with J the (constant,
invertible) matrix of phi: W and phi(W) are critical together, their Hessians have the same inertia (Sylvester),
and phi maps a neighbourhood of W onto one of phi(W), so one is a local minimizer, a strict or a non-strict saddle
exactly when the other is (docs/maths/algebraic.md §17). The certificate claim ``transport``
(exactdln/trusted/FORMAT.md) carries W' = phi(W), the A_h and their inverses, and the claims that give W' its kind.

The points ``exactdln trace`` snaps on the plateaus of a run keep the run's orientation of the hidden layers, so
their Hessian's kernel holds directions u v^T on a layer (u in ker W_(h+1), v orthogonal to the range of W_(h-1))
that are neither zero rows nor orbit tangents, and the congruence claim of exactdln/certify/field.py cannot be
built there. When every layer has the rank k of W_{H:1}, each hidden space splits as V_h = R_h + U_h with
R_h = range W_{h:1} (dimension k) and U_h = ker W_{H:h+1} (the rank of W_{H:1} through V_h is k, so the two meet
only in 0 and their dimensions add up to d_h). A_h maps R_h onto the first k unit vectors and U_h onto the others,
so phi(W) has the aligned shape of exactdln/instances/algebraic_critical.py: W'_h = [[M_h, 0], [0, 0]] for
1 < h < H, W'_1 = [C; 0] and W'_H = [F | 0], and there those kernel directions are zero rows of the Hessian.
:func:`aligning_transport` takes the skeleton factorization of W_{H:1} for C, F and the M_h.
"""

from __future__ import annotations

from dataclasses import dataclass

from exactdln.arith.exact import to_fraction
from exactdln.arith.number_field import (FieldElement, FieldMatrix, NumberField, field_inverse, kernel_vectors,
                                         reduced_row_echelon)
from exactdln.landscape.number_field_point import FieldPoint
from exactdln.model.field_format import FieldMatrixData

__all__ = ["Transport", "aligning_transport"]


@dataclass(frozen=True)
class Transport:
    """phi(W) = (A_1 W_1, ..., A_h W_h A_(h-1)^-1, ..., W_H A_(H-1)^-1) (module docstring): ``A`` and ``inverse``
    hold A_1..A_(H-1) and their inverses, ``point`` the transported point phi(W)."""

    A: tuple[FieldMatrix, ...]
    inverse: tuple[FieldMatrix, ...]
    point: FieldPoint


def _data(K: NumberField, M: FieldMatrix) -> FieldMatrixData:
    rows = tuple(tuple(tuple(to_fraction(M.coeffs[k][i, j]) for k in range(K.degree)) for j in range(M.ncols()))
                 for i in range(M.nrows()))
    return FieldMatrixData(rows, M.ncols())


def _target_prefix(K: NumberField, P: FieldMatrix, rows: list[int], cols: list[int], widths: tuple[int, ...]
                   ) -> list[list[list[FieldElement]]]:
    """The columns ``cols`` of W'_{h:1}, h = 1..H-1, at the aligned point of the module docstring: [P[rows, cols]; 0]
    below the layer that carries M^-1 (M = P[rows, cols]) and [I_k; 0] from it on."""
    H, k = len(widths) - 1, len(cols)
    M = [[P[i, j] for j in cols] for i in rows]
    identity = [[K.element(int(i == j)) for j in range(k)] for i in range(k)]
    out = []
    for h in range(1, H):
        top = identity if h >= max(H - 1, 1) else M
        out.append([top[i] if i < k else [K.element(0)] * k for i in range(widths[h])])
    return out


def _images(K: NumberField, M: FieldMatrix, vectors: list[list[FieldElement]]) -> list[list[FieldElement]]:
    """M v for each vector v, by one product of M with the matrix of the vectors as columns."""
    if not vectors:
        return []
    columns = FieldMatrix.from_rows(K, [[v[i] for v in vectors] for i in range(len(vectors[0]))])
    rows = (M * columns).tolist()
    return [[row[j] for row in rows] for j in range(len(vectors))]


def _rank(K: NumberField, vectors: list[list[FieldElement]]) -> int:
    return FieldMatrix.from_rows(K, vectors).rank() if vectors else 0


def _kernel_chain(K: NumberField, point: FieldPoint) -> list[list[list[FieldElement]]] | None:
    """Bases of U_h = ker W_{H:h+1}, h = 1..H-1, in which every map W_h: U_(h-1) -> U_h (1 < h < H; W_h maps
    ker W_{H:h} into ker W_{H:h+1}) sends each basis vector to a basis vector or to 0, distinct vectors to distinct
    ones: the chain U_1 -> ... -> U_(H-1) -> 0 written as a sum of intervals (a representation of a quiver of type
    A; in these bases each map is a partial permutation matrix of 0s and 1s). None when a dimension does not match.

    Hidden space h, from the first on: the basis starts with the images W_h b of the vectors b of the basis of
    U_(h-1) that W_h does not send to 0, and is completed level by level along the flag
    ker W_{h+1:h+1} <= ker W_{h+2:h+1} <= ... <= ker W_{H:h+1} = U_h, by vectors of each level independent of the
    basis vectors already in it. The images are adapted to that flag (b lies in ker W_{l:h} exactly when W_h b lies
    in ker W_{l:h+1}, and the basis of U_(h-1) was adapted to its own flag), so each level is spanned by the basis
    vectors in it; the basis vectors outside ker W_(h+1) then have independent images, which begin the next basis.
    When every layer has the rank of W_{H:1} every map is 0 and the bases are echelon bases of the kernels."""
    H = point.depth
    bases: list[list[list[FieldElement]]] = []
    incoming: list[list[FieldElement]] = []
    for h in range(1, H):
        d = point.widths[h]
        basis = list(incoming)
        for level in range(h + 1, H + 1):
            M = point.product(h + 1, level)                    # W_{level:h+1}: V_h -> V_level
            kernel = kernel_vectors(M)
            members = [x for x, y in zip(basis, _images(K, M, basis)) if all(e.is_zero() for e in y)]
            rank = _rank(K, members)
            for v in kernel:
                if rank == len(kernel):
                    break
                if _rank(K, members + [v]) > rank:
                    members.append(v)
                    basis.append(v)
                    rank += 1
            if rank != len(kernel):
                return None
        if len(basis) != d - point.suffix[h].rank():
            return None
        bases.append(basis)
        if h + 1 < H:
            incoming = [y for y in _images(K, point.W[h], basis) if any(not x.is_zero() for x in y)]
    return bases


def aligning_transport(point: FieldPoint) -> Transport | None:
    """The transport of the module docstring to the aligned point, or None when it does not apply: depth 1, a
    regularized loss, W_{H:1} = 0, or V_h not the sum of R_h and U_h.

    The aligned point is the skeleton factorization of P = W_{H:1}: with rows r and columns c of a nonsingular
    k x k block M = P[r, c] (pivots of echelon forms of P^T and P), P = P[:, c] M^-1 P[r, :], and
    W'_1 = [P[r, :]; 0], W'_h = [[I_k, 0], [0, 0]] for 1 < h < H - 1, W'_(H-1) = [[M^-1, 0], [0, 0]],
    W'_H = [P[:, c] | 0] (for H = 2, W'_1 = [M^-1 P[r, :]; 0]). A_h maps the basis W_{h:1}[:, c] of R_h to
    W'_{h:1}[:, c] and a basis of U_h to the last d_h - k unit vectors: A_h = T'_h T_h^-1. Its entries are those of P
    (and of M^-1 in one layer), not the minors of the run's weights: at the degree-5 plateau points of
    docs/howto/trace.md the checker's work on the congruence at W' fell from 5.8 to 2.1 million units (depth 3) and
    from 10.7 to 3.5 million (depth 4) against the bases of reduced echelon forms (measured by
    :func:`exactdln.certify.field.psd_congruence_units`).

    A hidden layer of rank above k (the depth-4 plateau fitting {1, 2} of docs/howto/trace.md, layer ranks
    [2, 3, 2, 2]) maps part of U_(h-1) onto part of U_h; the bases of the U_h are then chosen so that these maps are
    partial permutations (:func:`_kernel_chain`), and W'_h = [[M_h, 0], [0, Pi_h]]: still 0s and 1s outside the
    first k rows and columns."""
    H, K = point.depth, point.K
    if H < 2 or point.problem.regularized:
        return None
    P = point.end_to_end
    k = P.rank()
    if k == 0:
        return None
    _, cols = reduced_row_echelon(P.tolist())
    _, rows = reduced_row_echelon(P.transpose().tolist())
    targets = _target_prefix(K, P, rows, cols, point.widths)
    U = _kernel_chain(K, point)
    if U is None:
        return None
    R = []
    for h in range(1, H):
        d = point.widths[h]
        prefix = point.prefix[h].tolist()
        R.append([[prefix[i][j] for i in range(d)] for j in cols])
        if len(R[-1]) + len(U[h - 1]) != d:
            return None
    A, inverse = [], []
    for h in range(1, H):
        d = point.widths[h]
        T = FieldMatrix.from_rows(K, [[v[i] for v in R[h - 1] + U[h - 1]] for i in range(d)])
        target = FieldMatrix.from_rows(K, [targets[h - 1][i] + [K.element(int(i == k + j)) for j in range(d - k)]
                                           for i in range(d)])
        try:
            A.append(target * field_inverse(T))
            inverse.append(T * field_inverse(target))
        except ZeroDivisionError:
            return None
    moved = []
    for h in range(H):
        w = point.W[h]
        if h < H - 1:
            w = A[h] * w
        if h > 0:
            w = w * inverse[h - 1]
        moved.append(_data(K, w))
    return Transport(tuple(A), tuple(inverse), FieldPoint(point.problem, tuple(moved), K=K))
