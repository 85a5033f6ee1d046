"""Orbit directions of the symmetry group: a known part of the Hessian kernel.

Unregularized loss: for an invertible A_h (d_h x d_h), the map W_h -> A_h W_h,
W_{h+1} -> W_{h+1} A_h^-1 leaves W_{H:1} and hence L unchanged. Its tangent at
A_h = I in the direction E is D_h = E W_h, D_{h+1} = -W_{h+1} E. At a critical point
these directions lie in the kernel of the Hessian (differentiate grad L(g.W) = g.grad L(W)
along the orbit; docs/maths/hessian_inertia.md §2). With weight decay only the orthogonal group survives
(docs/maths/regularized.md §4.2): E ranges over the skew matrices E_ab - E_ba.
"""

from __future__ import annotations

from flint import fmpq, fmpq_mat

from exactdln.landscape.point import ExactPoint

__all__ = ["orbit_tangents", "orbit_directions"]


def orbit_tangents(point: ExactPoint, *, orthogonal_only: bool = False
                   ) -> list[tuple[tuple[int, int, int], dict[int, fmpq]]]:
    """The orbit tangents as ((h, a, b), sparse vector {parameter index: value}), in the order h, a, b.

    E = E_ab on hidden layer h (1 <= h < H), or E_ab - E_ba with a < b if ``orthogonal_only``:
    D_h = E W_h, D_(h+1) = -W_(h+1) E, every other layer 0; parameter order layer-major, row-major
    (the Hessian's). A tangent may be the zero vector (an empty dict). This is the one exact source of
    the orbit directions (the certifier's orbit_kernel, the regularized orbit of
    exactdln/theory/regularized.py and :func:`orbit_directions` read it); exactdln/numeric/ and the
    checker keep their own copies on purpose, to stay independent of the engine.
    """
    H, widths = point.depth, point.widths
    offsets = [0]
    for h in range(1, H + 1):
        offsets.append(offsets[-1] + widths[h] * widths[h - 1])
    out: list[tuple[tuple[int, int, int], dict[int, fmpq]]] = []
    for h in range(1, H):                       # hidden layer h, between W_h and W_{h+1}
        d = widths[h]
        Wh, Wnext = point.W[h - 1], point.W[h]
        pairs = [(a, b) for a in range(d) for b in range(d) if (a < b or not orthogonal_only)]
        for a, b in pairs:
            v: dict[int, fmpq] = {}

            def add(index: int, x: fmpq) -> None:
                if x != 0:
                    v[index] = v.get(index, fmpq(0)) + x

            # D_h = E W_h: row a of D_h is row b of W_h (minus row a of W_h into row b if skew)
            for c in range(widths[h - 1]):
                add(offsets[h - 1] + a * widths[h - 1] + c, Wh[b, c])
                if orthogonal_only:
                    add(offsets[h - 1] + b * widths[h - 1] + c, -Wh[a, c])
            # D_{h+1} = -W_{h+1} E: column b of D_{h+1} is -(column a of W_{h+1})
            for c in range(widths[h + 1]):
                add(offsets[h] + c * d + b, -Wnext[c, a])
                if orthogonal_only:
                    add(offsets[h] + c * d + a, Wnext[c, b])
            out.append(((h, a, b), {i: x for i, x in v.items() if x != 0}))
    return out


def orbit_directions(point: ExactPoint, *, orthogonal_only: bool = False) -> fmpq_mat:
    """Rows: the orbit tangent directions of :func:`orbit_tangents`, each a vector in the Hessian's parameter order."""
    n = point.n_parameters
    tangents = orbit_tangents(point, orthogonal_only=orthogonal_only)
    if not tangents:
        return fmpq_mat(0, n)
    out = fmpq_mat(len(tangents), n)
    for row, (_, v) in enumerate(tangents):
        for col, x in v.items():
            out[row, col] = x
    return out
