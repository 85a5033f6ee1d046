"""Classify a point whose entries lie in a real number field K = Q(theta) (docs/maths/algebraic.md §7, §9).

The three routes of the rational path (exactdln/theory/classify.py), run over K at the embedding the
point file names, exactly:

- criticality: every gradient block (Yun et al. 2018, Lemma 3.2) is zero in K, or one is not; the exact
  loss (an element of K) and the ranks of the partial products over K;
- ``global_test``: G = Sigma_YX - W_{H:1} Sigma_XX = 0 (the least-squares fit), otherwise the test of Yun,
  Sra, Jadbabaie (2018, Thm 2.1/2.2) in its Ky Fan form: the fitted eigenvalues of Sigma are the r_max
  largest, decided by counting eigenvalues with inertias over K (exactdln/landscape/field_spectral.py);
- ``theorem``: the classification of Achour, Malgouyres, Gerchinovitz (2024; docs/maths/classification.md
  §3.3) from the fitted index set S and the pivots, under assumption (H) checked over K
  (exactdln/theory/achour.py, the same code as over Q);
- ``hessian``: the Hessian inertia over K; a negative eigenvalue is a strict saddle, a PSD Hessian is global
  or (no spurious local minima: Kawaguchi 2016, Thm 2.3 under (H); Lu, Kawaguchi 2017, Thm 2.3 with X, Y of
  full row rank) a non-strict saddle.

With every lambda_h > 0 (weight decay; Chen, Jiang, Wang 2025, as reconstructed in docs/maths/regularized.md),
the routes of :func:`exactdln.theory.regularized.classify_regularized`, over K: the Hessian inertia with the
O(d_h) orbit tangents split off and the Morse-Bott test nullity = orbit dimension (§4.3), and for whitened
rational data the least critical value of Theorem R1 (§3, with algebraic singular values:
:mod:`exactdln.theory.regularized_field`). Where a route cannot decide, it says ``undecided``, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from exactdln.arith.number_field import FieldElement
from exactdln.landscape.field_spectral import FieldSpectralFacts
from exactdln.landscape.number_field_point import (
    FieldPoint,
    field_orthogonal_orbit_inertia,
    field_gradient,
    field_hessian_inertia,
    field_loss,
    field_partial_ranks,
    field_reduced_hessian_inertia,
    is_field_critical,
)
from exactdln.model.field_format import AlgebraicProblem
from exactdln.model.results import (
    GLOBAL_MINIMIZER,
    LOCAL_MINIMIZER,
    NON_STRICT_SADDLE,
    NOT_CRITICAL,
    STRICT_SADDLE,
    UNDECIDED,
    Inertia,
    RouteVerdict,
    Verdict,
    fraction_text,
)
from exactdln.theory.achour import classify_by_theorem
from exactdln.theory.routes import AUTO_HESSIAN_LIMIT, METHODS, combine_routes

__all__ = ["FieldClassification", "classify_over_field"]

NOT_GLOBAL = "saddle"


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
            "fitted": list(self.fitted) if self.fitted is not None else None,
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
        if self.fitted is not None:
            lines.append(f"fitted eigenvalues of Sigma S = {set(self.fitted) or '{}'}")
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
    # The Hessian over K has n^2 entries of D coefficients each, built in Python: the auto threshold bounds
    # n^2 D by the rational case's n^2 (600 parameters over Q, about 350 over a cubic field)
    D = K.degree
    want_hessian = method == "hessian" or (method == "auto" and n <= hessian_limit and n * n * D <= hessian_limit ** 2)
    if method == "auto" and not want_hessian:
        notes.append(f"{n} parameters > {hessian_limit}: Hessian route skipped (auto threshold)" if n > hessian_limit
                     else f"{n} parameters over a field of degree {D}: n^2 D = {n * n * D} > {hessian_limit}^2, "
                          f"Hessian route skipped (auto threshold)")

    def result(kind: str, inertia: Inertia | None, agree: bool = True) -> FieldClassification:
        return FieldClassification(
            critical=critical, kind=kind, loss=_loss_value(loss), loss_text=str(loss), field=K.to_json(),
            field_text=str(K), rank=rank, r_max=point.r_max, widths=point.widths, partial_ranks=ranks,
            methods=tuple(methods), agree=agree, inertia=inertia, notes=tuple(notes), source=source,
            extra={"field_degree": K.degree},
        )

    if not critical:
        layer = next(h for h, g in enumerate(gradient, 1) if not g.is_zero())
        methods.append(RouteVerdict("gradient", NOT_CRITICAL, f"dL/dW_{layer} != 0 in K"))
        return result(NOT_CRITICAL, field_hessian_inertia(point) if want_hessian else None)

    if problem.regularized:
        kind, inertia, extra = _classify_regularized(point, loss, want_hessian, methods, notes)
        out = result(kind, inertia)
        return replace(out, extra={**out.extra, **extra})

    facts = FieldSpectralFacts(point)
    assumptions = facts.assumptions
    d_x, d_y = point.widths[0], point.widths[-1]
    global_verdict = None
    fitted = None
    if point.residual.is_zero():
        global_verdict = RouteVerdict("global_test", GLOBAL_MINIMIZER,
                                      "G = Sigma_YX - W_{H:1} Sigma_XX = 0: W_{H:1} X is the least-squares fit")
    elif not facts.sigma_xx_invertible:
        notes.append("Sigma_XX is singular: neither theorem applies")
    else:
        k = point.r_max
        regime = ("no bottleneck (Yun et al. 2018, Thm 2.1)" if k >= min(d_x, d_y)
                  else "bottleneck (Yun et al. 2018, Thm 2.2)")
        is_global, why = facts.top_eigenspace_test(k)
        if is_global is None:
            notes.append(f"global test undecided: {why}")
        else:
            global_verdict = RouteVerdict("global_test", GLOBAL_MINIMIZER if is_global else NOT_GLOBAL,
                                          f"{regime}; rank {rank}, k = {k}; {why}")
    if global_verdict is not None:
        methods.append(global_verdict)
    if facts.sigma_xx_invertible:
        fitted = facts.fitted_eigen_indices()

    theorem = None
    if method in ("auto", "theorem"):
        if assumptions.holds and fitted is not None:
            theorem, _ = classify_by_theorem(point, ranks, fitted)
            methods.insert(0, theorem)
        else:
            notes.append("assumption (H) fails: the classification theorem does not apply")

    inertia = None
    hessian = None
    if want_hessian:
        inertia = field_reduced_hessian_inertia(point)     # critical, lambda = 0 (lambda > 0 returned above)
        says_global = global_verdict is not None and global_verdict.kind == GLOBAL_MINIMIZER
        if inertia.n_minus > 0:
            hessian = RouteVerdict("hessian", STRICT_SADDLE, f"{inertia.n_minus} negative eigenvalue(s)")
        elif says_global:
            hessian = RouteVerdict("hessian", GLOBAL_MINIMIZER, "PSD Hessian and the global test holds")
        elif global_verdict is None:
            hessian = RouteVerdict("hessian", UNDECIDED, "PSD Hessian; global optimality not decided over K")
        elif assumptions.holds:
            hessian = RouteVerdict("hessian", NON_STRICT_SADDLE,
                                   "PSD Hessian, not global, no spurious local minima under (H)")
        elif facts.sigma_xx_invertible and point.Y.rank() == d_y:
            hessian = RouteVerdict("hessian", NON_STRICT_SADDLE,
                                   "PSD Hessian, not global; X and Y of full row rank, so no spurious local "
                                   "minima (Lu-Kawaguchi 2017, Thm 2.3)")
        else:
            hessian = RouteVerdict("hessian", UNDECIDED, "PSD Hessian and not global; without (H) a spurious "
                                                         "local minimum is not excluded")
        methods.append(hessian)
    kind, agree = combine_routes(theorem, global_verdict, hessian)
    out = result(kind, inertia, agree)
    return replace(out, fitted=fitted, extra={**out.extra, "assumptions": assumptions.to_json()})


def _classify_regularized(point: FieldPoint, loss: FieldElement, want_hessian: bool, methods: list[RouteVerdict],
                          notes: list[str]) -> tuple[str, Inertia | None, dict[str, Any]]:
    """lambda > 0 at a critical point over K: the decision of :func:`exactdln.theory.regularized.classify_regularized`
    (docs/maths/regularized.md §3-§4) with K in place of Q. Appends to ``methods`` and ``notes``; returns
    (kind, inertia, extra JSON)."""
    from exactdln.theory.regularized_field import decide_global, regularized_spectrum

    problem = point.problem
    lambdas = problem.layer_lambdas(point.depth)
    extra: dict[str, Any] = {}
    if any(l <= 0 for l in lambdas):
        notes.append("some lambda_h = 0: the regularized theory needs every lambda_h > 0; only a negative Hessian "
                     "eigenvalue decides (strict saddle)")
        inertia = field_hessian_inertia(point) if want_hessian else None
        kind = STRICT_SADDLE if inertia is not None and inertia.n_minus > 0 else UNDECIDED
        if inertia is not None:
            methods.append(RouteVerdict("hessian", kind, f"{inertia.n_minus} negative eigenvalue(s)"
                                        if inertia.n_minus else "PSD Hessian; not decided with a lambda_h = 0"))
        return kind, inertia, extra
    closed = None
    if point.depth == 1:
        closed = RouteVerdict("convexity", GLOBAL_MINIMIZER, "depth 1, lambda > 0: the loss is strongly convex, "
                                                             "its critical point is the global minimizer")
    elif problem.X.is_rational() and problem.Y.is_rational():
        from exactdln.arith.exact import to_fmpq_mat
        from exactdln.model.problem import RationalMatrix

        def rational(m: Any) -> Any:
            return to_fmpq_mat(RationalMatrix(tuple(tuple(e[0] for e in row) for row in m.rows), m.ncols))

        try:
            spectrum = regularized_spectrum(rational(problem.X), rational(problem.Y), lambdas, point.widths)
        except ArithmeticError as err:
            spectrum = None
            notes.append(f"Theorem R1 closed form not evaluated: {err}")
        if spectrum is None:
            notes.append("X X^T is not c I: no closed form of the critical values (docs/maths/regularized.md §1); "
                         "global optimality is not decided")
        else:
            decision = decide_global(spectrum, loss.rational() if loss.is_rational else loss)
            if decision.global_value is not None:
                extra["global_value_bracket"] = [fraction_text(x) for x in decision.global_value]
            if decision.is_global is None:
                notes.append(f"global test undecided: {decision.reason}")
            else:
                closed = RouteVerdict("closed_form", GLOBAL_MINIMIZER if decision.is_global else NOT_GLOBAL,
                                      decision.reason)
    else:
        notes.append("X or Y has irrational entries: the closed form of Theorem R1 is only evaluated for rational "
                      "data")
    if closed is not None:
        methods.append(closed)
    inertia = None
    hessian = None
    if want_hessian:
        orbit = field_orthogonal_orbit_inertia(point)
        inertia = orbit.inertia
        extra["orbit_dimension"] = orbit.orbit_dimension
        extra["error_bound"] = orbit.morse_bott
        if inertia.n_minus > 0:
            hessian = RouteVerdict("hessian", STRICT_SADDLE, f"exact inertia {inertia} over K: a negative eigenvalue")
        elif orbit.morse_bott:
            hessian = RouteVerdict("hessian", "local_minimum",
                                   f"PSD Hessian, nullity {orbit.nullity} = orbit dimension (Morse-Bott, "
                                   "docs/maths/regularized.md §4.3)")
        else:
            hessian = RouteVerdict("hessian", UNDECIDED, f"PSD Hessian, nullity {orbit.nullity} > orbit dimension "
                                                         f"{orbit.orbit_dimension}: second order cannot decide")
        methods.append(hessian)
    cf = closed.kind if closed is not None else None
    hv = hessian.kind if hessian is not None else None
    if cf == GLOBAL_MINIMIZER:
        if hv == STRICT_SADDLE:
            notes.append("FINDING: closed form says global minimum but the Hessian has a negative eigenvalue")
            return UNDECIDED, inertia, extra
        return GLOBAL_MINIMIZER, inertia, extra
    if hv == STRICT_SADDLE:
        return STRICT_SADDLE, inertia, extra
    if hv == "local_minimum":
        if cf == NOT_GLOBAL:
            return LOCAL_MINIMIZER, inertia, extra
        notes.append("a local minimum; no closed form to decide whether it is global")
    return UNDECIDED, inertia, extra
