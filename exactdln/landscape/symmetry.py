"""Orbit directions of the symmetry group: a known part of the Hessian kernel.

Unregularized loss: for an invertible A_h (d_h x d_h), the map W_h -> A_h W_h,
W_{h+1} -> W_{h+1} A_h^-1 leaves W_{H:1} and hence L unchanged. Its tangent at
A_h = I in the direction E is D_h = E W_h, D_{h+1} = -W_{h+1} E. At a critical point
these directions lie in the kernel of the Hessian (differentiate grad L(g.W) = g.grad L(W)
along the orbit; docs/maths/hessian_inertia.md §2). With weight decay only the orthogonal group survives
(docs/maths/regularized.md §4.2): E ranges over the skew matrices E_ab - E_ba.
"""

from __future__ import annotations

from flint import fmpq_mat

from exactdln.landscape.point import ExactPoint

__all__ = ["orbit_directions"]


def orbit_directions(point: ExactPoint, *, orthogonal_only: bool = False) -> fmpq_mat:
    """Rows: the orbit tangent directions, each a vector in the Hessian's parameter order."""
    H, widths = point.depth, point.widths
    sizes = [widths[h] * widths[h - 1] for h in range(1, H + 1)]
    offsets = [sum(sizes[:h]) for h in range(H)]
    n = sum(sizes)
    rows: list[list] = []
    for h in range(1, H):                       # hidden layer h, between W_h and W_{h+1}
        d = widths[h]
        Wh, Wnext = point.W[h - 1].tolist(), point.W[h].tolist()
        pairs = [(a, b) for a in range(d) for b in range(d) if (a < b or not orthogonal_only)]
        for a, b in pairs:
            v = [0] * n
            # D_h = E W_h: row a of D_h is row b of W_h (minus row a of W_h into row b if skew)
            for c in range(widths[h - 1]):
                v[offsets[h - 1] + a * widths[h - 1] + c] += Wh[b][c]
                if orthogonal_only:
                    v[offsets[h - 1] + b * widths[h - 1] + c] -= Wh[a][c]
            # D_{h+1} = -W_{h+1} E: column b of D_{h+1} is -(column a of W_{h+1})
            for c in range(widths[h + 1]):
                v[offsets[h] + c * d + b] -= Wnext[c][a]
                if orthogonal_only:
                    v[offsets[h] + c * d + a] += Wnext[c][b]
            rows.append(v)
    if not rows:
        return fmpq_mat(0, n)
    return fmpq_mat(len(rows), n, [x for row in rows for x in row])
