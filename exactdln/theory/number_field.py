"""Classify a point whose entries lie in a real number field K = Q(theta) (docs/maths/algebraic.md §7).

What is decided over K today, exactly, at the embedding the point file names:

- criticality: every gradient block (Yun et al. 2018, Lemma 3.2) is zero in K, or one is not;
- the exact loss, an element of K, and the ranks of the partial products over K;
- the Hessian inertia (LDL^T over K, signs at the embedding; docs/maths/algebraic.md §5): a negative
  eigenvalue makes a critical point a strict saddle;
- a global test that needs no eigenvalues: for lambda = 0, G = Sigma_YX - W_{H:1} Sigma_XX = 0 says
  that W_{H:1} X solves the least-squares normal equations, the smallest loss of any matrix, so W is
  a global minimizer; when the network has no bottleneck (min_h d_h = min(d_x, d_y)) the
  least-squares solution is reachable, so G != 0 means not global (docs/maths/algebraic.md §7).
  With a PSD Hessian and not global, X and Y of full row rank exclude spurious local minima
  (Lu, Kawaguchi 2017, Thm 2.3): a non-strict saddle.

Not yet over K (said in ``notes``): the classification theorem route (Achour, Malgouyres,
Gerchinovitz 2024) and the spectral global test of Yun et al. (2018, Thm 2.2) for bottleneck
networks, the reduced Hessian, the regularized theory (Chen, Jiang, Wang), certificates and the
standalone checker. Where they would be needed the verdict is ``undecided``, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from exactdln.arith.number_field import FieldElement
from exactdln.landscape.number_field_point import (
    FieldPoint,
    field_gradient,
    field_hessian_inertia,
    field_loss,
    field_partial_ranks,
    is_field_critical,
)
from exactdln.model.field_format import AlgebraicProblem
from exactdln.model.results import (
    GLOBAL_MINIMIZER,
    NON_STRICT_SADDLE,
    NOT_CRITICAL,
    STRICT_SADDLE,
    UNDECIDED,
    Inertia,
    RouteVerdict,
    Verdict,
    fraction_text,
)
from exactdln.theory.routes import AUTO_HESSIAN_LIMIT, METHODS

__all__ = ["FieldClassification", "classify_over_field"]

NOT_GLOBAL = "saddle"

LATER = ("over a number field the classification-theorem route, the spectral global test for bottleneck "
         "networks, certificates and the standalone checker are not implemented yet")


@dataclass(frozen=True)
class FieldClassification(Verdict):
    """The verdict on a point over K = Q(theta). ``loss`` is a Fraction when L(W) is rational, otherwise
    the coefficients [a_0, ..., a_(D-1)] (strings) of L(W) = a_0 + a_1 theta + ...; ``loss_text`` reads it."""

    critical: bool
    kind: str
    loss: Any
    loss_text: str
    field: dict[str, Any]
    field_text: str
    rank: int
    r_max: int
    widths: tuple[int, ...]
    partial_ranks: dict[tuple[int, int], int]
    methods: tuple[RouteVerdict, ...]
    agree: bool = True
    inertia: Inertia | None = None
    fitted: tuple[int, ...] | None = None
    notes: tuple[str, ...] = ()
    source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, Any]:
        H = len(self.widths) - 1
        ranks = [[self.partial_ranks.get((i, j)) for j in range(1, H + 1)] for i in range(1, H + 1)]
        out = {
            "file": self.source,
            "field": self.field,
            "critical": self.critical,
            "kind": self.kind,
            "inertia": self.inertia.to_json() if self.inertia is not None else None,
            "loss": fraction_text(self.loss) if isinstance(self.loss, Fraction) else self.loss,
            "loss_text": self.loss_text,
            "rank": self.rank,
            "r_max": self.r_max,
            "widths": list(self.widths),
            "fitted": None,
            "partial_ranks": ranks,
            "methods": [m.to_json() for m in self.methods],
            "agree": self.agree,
            "notes": list(self.notes),
        }
        out.update(self.extra)
        return out

    def __str__(self) -> str:
        lines = [self.source] if self.source else []
        lines.append(f"verdict: {self.kind}" + ("" if self.agree else "   ROUTES DISAGREE"))
        lines.append(f"field: {self.field_text}")
        lines.append(f"loss: {self.loss_text}   critical: {'yes' if self.critical else 'no'}")
        lines.append(f"widths d_0..d_H: {list(self.widths)}   r_max = {self.r_max}   rank W_H...W_1 = {self.rank}")
        if self.inertia is not None:
            lines.append(f"Hessian inertia: {self.inertia}")
        for m in self.methods:
            lines.append(f"  [{m.method}] {m.kind}: {m.reason}")
        for note in self.notes:
            lines.append(f"note: {note}")
        return "\n".join(lines)


def _loss_value(loss: FieldElement) -> Any:
    return loss.rational() if loss.is_rational else [fraction_text(c) for c in loss.coefficients()]


def classify_over_field(problem: AlgebraicProblem, weights: Any, *, method: str = "auto",
                        source: str | None = None, hessian_limit: int = AUTO_HESSIAN_LIMIT) -> FieldClassification:
    """Decide what W is, exactly over K, as far as the routes of the module docstring reach
    (docs/maths/algebraic.md §7). ``method`` as in :func:`exactdln.theory.classify.classify`; the theorem
    route is not available over K, so ``"theorem"`` decides criticality and, at most, global optimality."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    point = FieldPoint(problem, tuple(weights))
    K = point.K
    loss = field_loss(point)
    gradient = field_gradient(point)
    critical = is_field_critical(gradient)
    ranks = field_partial_ranks(point)
    rank = ranks[(1, point.depth)]
    notes: list[str] = []
    if K.declared_degree != K.degree:
        notes.append(f"the declared polynomial is reducible over Q: theta's minimal polynomial is the factor of "
                     f"degree {K.degree} with a root in the interval; entries are reduced modulo it")
    methods: list[RouteVerdict] = []
    n = point.n_parameters
    want_hessian = method == "hessian" or (method == "auto" and n <= hessian_limit)
    if method == "auto" and not want_hessian:
        notes.append(f"{n} parameters > {hessian_limit}: Hessian route skipped (auto threshold)")

    def result(kind: str, inertia: Inertia | None, agree: bool = True) -> FieldClassification:
        return FieldClassification(
            critical=critical, kind=kind, loss=_loss_value(loss), loss_text=str(loss), field=K.to_json(),
            field_text=str(K), rank=rank, r_max=point.r_max, widths=point.widths, partial_ranks=ranks,
            methods=tuple(methods), agree=agree, inertia=inertia, notes=tuple(notes + [LATER]), source=source,
            extra={"field_degree": K.degree},
        )

    if not critical:
        layer = next(h for h, g in enumerate(gradient, 1) if not g.is_zero())
        methods.append(RouteVerdict("gradient", NOT_CRITICAL, f"dL/dW_{layer} != 0 in K"))
        return result(NOT_CRITICAL, field_hessian_inertia(point) if want_hessian else None)

    global_kind = None
    if problem.regularized:
        notes.append("lambda > 0: the regularized theory is not available over K; only a negative Hessian "
                     "eigenvalue decides (strict saddle)")
    else:
        d_x, d_y = point.widths[0], point.widths[-1]
        if point.residual.is_zero():
            global_kind = GLOBAL_MINIMIZER
            methods.append(RouteVerdict("global_test", GLOBAL_MINIMIZER,
                                        "G = Sigma_YX - W_{H:1} Sigma_XX = 0: W_{H:1} X is the least-squares fit"))
        elif point.r_max >= min(d_x, d_y):
            global_kind = NOT_GLOBAL
            methods.append(RouteVerdict("global_test", NOT_GLOBAL,
                                        "no bottleneck and G != 0: the least-squares fit is reachable and smaller"))
        else:
            notes.append("bottleneck network with G != 0: the spectral global test (Yun et al. 2018, Thm 2.2) "
                         "over K is not implemented yet")

    inertia = None
    kind = global_kind if global_kind == GLOBAL_MINIMIZER else UNDECIDED
    if want_hessian:
        inertia = field_hessian_inertia(point)
        if inertia.n_minus > 0:
            kind = STRICT_SADDLE
            methods.append(RouteVerdict("hessian", STRICT_SADDLE, f"{inertia.n_minus} negative eigenvalue(s)"))
        elif global_kind == GLOBAL_MINIMIZER:
            methods.append(RouteVerdict("hessian", GLOBAL_MINIMIZER, "PSD Hessian and the global test holds"))
        elif global_kind == NOT_GLOBAL and point.X.rank() == d_x and point.Y.rank() == d_y:
            kind = NON_STRICT_SADDLE
            methods.append(RouteVerdict("hessian", NON_STRICT_SADDLE,
                                        "PSD Hessian, not global; X and Y of full row rank, so no spurious local "
                                        "minima (Lu-Kawaguchi 2017, Thm 2.3)"))
        else:
            methods.append(RouteVerdict("hessian", UNDECIDED, "PSD Hessian; not decided over K without the "
                                                               "theorem route"))
    agree = not (global_kind == GLOBAL_MINIMIZER and kind == STRICT_SADDLE)
    return result(kind, inertia, agree)
