"""Result types shared by the exact, float and high-precision paths.

Small frozen dataclasses with ``to_json()`` and a readable ``__str__``. They hold
plain Python values (ints, Fractions, strings), never backend objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

__all__ = [
    "GLOBAL_MINIMIZER",
    "LOCAL_MINIMIZER",
    "STRICT_SADDLE",
    "NON_STRICT_SADDLE",
    "NOT_CRITICAL",
    "UNDECIDED",
    "INCONCLUSIVE",
    "KINDS",
    "Inertia",
    "Assumptions",
    "RouteVerdict",
    "Classification",
    "fraction_text",
]

GLOBAL_MINIMIZER = "global_minimizer"
LOCAL_MINIMIZER = "local_minimizer"      # regularized loss only: local, not global
STRICT_SADDLE = "strict_saddle"
NON_STRICT_SADDLE = "non_strict_saddle"
NOT_CRITICAL = "not_critical"
UNDECIDED = "undecided"                  # exact facts known, but no theorem decides
INCONCLUSIVE = "inconclusive"            # a numeric path could not separate a quantity from 0

KINDS = (GLOBAL_MINIMIZER, LOCAL_MINIMIZER, STRICT_SADDLE, NON_STRICT_SADDLE, NOT_CRITICAL, UNDECIDED)


def fraction_text(x: Fraction | int) -> str:
    """``"3"`` or ``"-3/4"``."""
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


@dataclass(frozen=True)
class Inertia:
    """Sylvester inertia of a symmetric matrix: counts of positive, negative, zero eigenvalues."""

    n_plus: int
    n_minus: int
    n_zero: int

    @property
    def size(self) -> int:
        return self.n_plus + self.n_minus + self.n_zero

    @property
    def rank(self) -> int:
        return self.n_plus + self.n_minus

    def __add__(self, other: "Inertia") -> "Inertia":
        return Inertia(self.n_plus + other.n_plus, self.n_minus + other.n_minus, self.n_zero + other.n_zero)

    def to_json(self) -> list[int]:
        return [self.n_plus, self.n_minus, self.n_zero]

    def __str__(self) -> str:
        return f"(+{self.n_plus}, -{self.n_minus}, 0x{self.n_zero})"


@dataclass(frozen=True)
class Assumptions:
    """Assumption (H) of the papers, each part decided exactly.

    - Sigma_XX = X X^T invertible;
    - rank Sigma_YX = d_y (Y X^T of full row rank);
    - Sigma = Sigma_YX Sigma_XX^-1 Sigma_XY has distinct eigenvalues (squarefree
      characteristic polynomial).
    Parts that could not be decided (because an earlier part failed) are ``None``.
    """

    sigma_xx_invertible: bool
    sigma_yx_full_rank: bool | None
    distinct_eigenvalues: bool | None

    @property
    def holds(self) -> bool:
        return bool(self.sigma_xx_invertible and self.sigma_yx_full_rank and self.distinct_eigenvalues)

    def to_json(self) -> dict[str, Any]:
        return {
            "sigma_xx_invertible": self.sigma_xx_invertible,
            "sigma_yx_full_rank": self.sigma_yx_full_rank,
            "distinct_eigenvalues": self.distinct_eigenvalues,
            "H_holds": self.holds,
        }

    def __str__(self) -> str:
        def mark(v: bool | None) -> str:
            return "undecided" if v is None else ("yes" if v else "NO")
        return (
            f"Sigma_XX invertible: {mark(self.sigma_xx_invertible)}; "
            f"rank Sigma_YX = d_y: {mark(self.sigma_yx_full_rank)}; "
            f"distinct eigenvalues of Sigma: {mark(self.distinct_eigenvalues)}"
        )


@dataclass(frozen=True)
class RouteVerdict:
    """What one route (theorem, global test, Hessian, float, mpmath) concluded, and why."""

    method: str
    kind: str
    reason: str = ""

    def to_json(self) -> dict[str, str]:
        return {"method": self.method, "kind": self.kind, "reason": self.reason}


@dataclass(frozen=True)
class Classification:
    """The full verdict on one point.

    ``partial_ranks[(i, j)]`` is rank W_j ... W_i for 1 <= i <= j <= H (1-based, as
    in the papers). ``fitted`` is the index set S of fitted eigenvalues of Sigma,
    1-based positions in decreasing order (Achour et al. Prop. 1), or ``None``.
    """

    critical: bool
    kind: str
    loss: Fraction
    rank: int
    r_max: int
    widths: tuple[int, ...]
    partial_ranks: dict[tuple[int, int], int]
    assumptions: Assumptions
    methods: tuple[RouteVerdict, ...]
    agree: bool
    inertia: Inertia | None = None
    fitted: tuple[int, ...] | None = None
    global_value: str | None = None
    notes: tuple[str, ...] = ()
    source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def depth(self) -> int:
        return len(self.widths) - 1

    def to_json(self) -> dict[str, Any]:
        H = self.depth
        ranks = [[self.partial_ranks.get((i, j)) for j in range(1, H + 1)] for i in range(1, H + 1)]
        out: dict[str, Any] = {
            "file": self.source,
            "critical": self.critical,
            "kind": self.kind,
            "inertia": self.inertia.to_json() if self.inertia is not None else None,
            "loss": fraction_text(self.loss),
            "rank": self.rank,
            "r_max": self.r_max,
            "widths": list(self.widths),
            "fitted": list(self.fitted) if self.fitted is not None else None,
            "partial_ranks": ranks,
            "assumptions": self.assumptions.to_json(),
            "methods": [m.to_json() for m in self.methods],
            "agree": self.agree,
            "global_value": self.global_value,
            "notes": list(self.notes),
        }
        out.update(self.extra)
        return out

    def __str__(self) -> str:
        H = self.depth
        lines = []
        if self.source:
            lines.append(f"{self.source}")
        lines.append(f"verdict: {self.kind}" + ("" if self.agree else "   ROUTES DISAGREE"))
        lines.append(f"loss: {fraction_text(self.loss)}   critical: {'yes' if self.critical else 'no'}")
        lines.append(f"widths d_0..d_H: {list(self.widths)}   r_max = {self.r_max}   rank W_H...W_1 = {self.rank}")
        if self.fitted is not None:
            lines.append(f"fitted eigenvalues S = {{{', '.join(map(str, self.fitted))}}}")
        if self.global_value is not None:
            lines.append(f"global minimum value: {self.global_value}")
        if self.inertia is not None:
            i = self.inertia
            lines.append(f"Hessian inertia: n_plus={i.n_plus} n_minus={i.n_minus} n_zero={i.n_zero}")
        lines.append(f"assumption (H): {self.assumptions}")
        lines.append("ranks of W_j...W_i (row i, column j):")
        width = max(3, max((len(str(v)) for v in self.partial_ranks.values()), default=1) + 1)
        lines.append("      " + "".join(f"{'j=' + str(j):>{width + 2}}" for j in range(1, H + 1)))
        for i in range(1, H + 1):
            cells = "".join(
                f"{(str(self.partial_ranks[(i, j)]) if j >= i else '.'):>{width + 2}}" for j in range(1, H + 1)
            )
            lines.append(f"  i={i:<3}" + cells)
        lines.append("routes:")
        for m in self.methods:
            lines.append(f"  {m.method:>10}: {m.kind}" + (f"  ({m.reason})" if m.reason else ""))
        for n in self.notes:
            lines.append(f"note: {n}")
        return "\n".join(lines)
