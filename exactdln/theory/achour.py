"""Achour, Malgouyres, Gerchinovitz (JMLR 2024): the second-order classification.

Statements as reconstructed in docs/maths/classification.md §2-§3; the paper's body was
not available, so the pivot and "tightened" definitions are this project's reconstruction,
machine-checked on about 12,000 points and cross-checked here against the exact Hessian.

Assume (H) and H >= 2, and let W be critical with fitted index set S, r = |S| = rk W_{H:1}:

(a) W is a global minimizer  <=>  S = [r_max];
(b) S != [r]  =>  strict saddle (rotation direction, docs/maths/classification.md §6.1);
(c) S = [r], r < r_max: strict saddle <=> some pivot (h, k) is not tightened; else a
    non-strict saddle.

Pivot (h, k), 1 <= h < k <= H: K_hk = W_{H:k+1}^T G W_{h-1:1}^T != 0, with the residual
G = Sigma_YX - W_{H:1} Sigma_XX. Tightened: rk W_{k-1:1} = rk W_{k-1:h+1} = rk W_{H:h+1}.
A rule built from partial-product ranks alone cannot classify every critical point
(docs/maths/classification.md §3.5, cases TC3 and TC4): the residual enters through K_hk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from exactdln.landscape.point import ExactPoint
from exactdln.model.results import GLOBAL_MINIMIZER, NON_STRICT_SADDLE, STRICT_SADDLE, RouteVerdict

__all__ = ["Pivot", "is_tightened", "theorem_verdict", "pivots", "classify_by_theorem"]


@dataclass(frozen=True)
class Pivot:
    """A pivot (h, k) and whether it is tightened (docs/maths/classification.md §3.1-§3.2)."""

    h: int
    k: int
    tightened: bool

    def to_json(self) -> dict:
        return {"h": self.h, "k": self.k, "tightened": self.tightened}


def is_tightened(rank: Callable[[int, int], int], h: int, k: int, depth: int) -> bool:
    """The pivot (h, k) is tightened: rk W_{k-1:1} = rk W_{k-1:h+1} = rk W_{H:h+1} (docs/maths/classification.md §3.2).

    ``rank(i, j)`` is rk W_{j:i}, with rank(i, i - 1) = d_(i-1) for the empty product (an identity); it may
    be the rank at a point or the generic rank of a family: the condition is the same.
    """
    return rank(1, k - 1) == rank(h + 1, k - 1) == rank(h + 1, depth)


def theorem_verdict(fitted: tuple[int, ...], r_max: int,
                    find_pivots: Callable[[], Iterable[Pivot]]) -> tuple[RouteVerdict, list[Pivot]]:
    """The classification theorem of Achour et al. (2024) from the facts, as reconstructed in
    docs/maths/classification.md §3.3 (a)-(c).

    At a critical point under (H), with S = ``fitted`` (1-based positions among the decreasing eigenvalues
    of Sigma), r = |S| = rk W_{H:1} and r_max = min_h d_h:
    (a) S = [r_max]: global minimizer; (b) S != [r]: strict saddle; (c) S = [r], r < r_max: strict saddle
    iff some pivot (h, k) (K_hk != 0) is not tightened, else a non-strict saddle.
    ``find_pivots`` returns the pivots with their tightened flags; it is called only in case (c). This is the
    one place the decision is written: the exact point route (:func:`classify_by_theorem`) and the family
    route (exactdln/symbolic/analysis.py) both call it with their own facts.
    """
    r = len(fitted)
    top = tuple(range(1, r + 1))
    if fitted == tuple(range(1, r_max + 1)):
        return RouteVerdict("theorem", GLOBAL_MINIMIZER, f"S = [{r_max}] = [r_max] (docs/maths/classification.md §3.3 (a))"), []
    if fitted != top:
        return RouteVerdict("theorem", STRICT_SADDLE, f"S = {set(fitted) or '{}'} != [{r}] (docs/maths/classification.md §3.3 (b))"), []
    found = list(find_pivots())
    loose = [p for p in found if not p.tightened]
    if loose:
        p = loose[0]
        return RouteVerdict("theorem", STRICT_SADDLE, f"S = [{r}], r < r_max, pivot ({p.h},{p.k}) not tightened (docs/maths/classification.md §3.3 (c))"), found
    names = ", ".join(f"({p.h},{p.k})" for p in found) or "none"
    return RouteVerdict("theorem", NON_STRICT_SADDLE, f"S = [{r}], r < r_max, every pivot tightened: {names} (docs/maths/classification.md §3.3 (c))"), found


def pivots(point: ExactPoint, ranks: dict[tuple[int, int], int]) -> list[Pivot]:
    """All pivots (h, k) of a point: K_hk = W_{H:k+1}^T G W_{h-1:1}^T != 0, with their tightened flag."""
    H = point.depth

    def rank(i: int, j: int) -> int:
        return point.widths[i - 1] if j == i - 1 else ranks[(i, j)]

    out = []
    if not hasattr(point, "residual_block_zero"):     # a point over a number field: blocks from the products
        G = point.residual
        for h in range(1, H + 1):
            right = G * point.prefix[h - 1].transpose()          # G W_{h-1:1}^T
            if all(x == 0 for x in right.entries()):
                continue
            for k in range(h + 1, H + 1):
                K = point.suffix[k].transpose() * right          # W_{H:k+1}^T G W_{h-1:1}^T
                if any(x != 0 for x in K.entries()):
                    out.append(Pivot(h, k, is_tightened(rank, h, k, H)))
        return out
    for h in range(1, H + 1):
        zero = point.residual_block_zero(h)      # K_hk by single-layer chains (exactdln/landscape/point.py)
        for k in range(h + 1, H + 1):
            if not zero[k]:
                out.append(Pivot(h, k, is_tightened(rank, h, k, H)))
    return out


def classify_by_theorem(
    point: ExactPoint, ranks: dict[tuple[int, int], int], fitted: tuple[int, ...]
) -> tuple[RouteVerdict, list[Pivot]]:
    """The classification theorem (docs/maths/classification.md §3.3 (a)-(c)) at a critical point under (H):
    :func:`theorem_verdict` with the point's r_max and pivots."""
    return theorem_verdict(fitted, point.r_max, lambda: pivots(point, ranks))
