"""Classify a point exactly, by three independent routes that must agree.

For lambda = 0 and a critical point W (Achour et al. JMLR 2024; Yun et al. ICLR 2018):

1. ``theorem``: the second-order classification theorem (as reconstructed in
   docs/maths/classification.md §3.3) from the index set S and the pivots / tightened condition.
   Needs assumption (H).
2. ``global_test``: the global-optimality test of Yun et al. (2018, Thm 2.1/2.2;
   docs/maths/global_optimality.md §3), which decides global-or-not only; it needs only
   Sigma_XX invertible.
3. ``hessian``: the exact Hessian inertia together with the global test. A negative
   eigenvalue means a strict saddle (always). With none: a global minimizer if the global
   test says so, otherwise a non-strict saddle, because there are no spurious local
   minima under (H) (Kawaguchi 2016, Thm 2.3) or, without the eigenvalue conditions,
   when X and Y have full row rank (Lu-Kawaguchi 2017, Thm 2.3).

When the routes disagree, that is a finding: ``agree`` is False and each route's verdict
is kept. When (H) fails the theorems do not apply; the Hessian facts are still reported,
with what they alone decide.
"""

from __future__ import annotations

from typing import Any

from flint import fmpq

from exactdln.landscape.derivatives import gradient_at, hessian_matrix_at
from exactdln.landscape.point import ExactPoint
from exactdln.landscape.products import partial_ranks_at
from exactdln.model.field_format import AlgebraicProblem
from exactdln.model.problem import Problem
from exactdln.arith.exact import rank as exact_rank, to_fraction
from exactdln.model.results import (
    GLOBAL_MINIMIZER,
    NON_STRICT_SADDLE,
    NOT_CRITICAL,
    STRICT_SADDLE,
    UNDECIDED,
    Classification,
    Inertia,
    RouteVerdict,
    fraction_text,
)
from exactdln.landscape.spectral import SpectralFacts
from exactdln.theory.achour import classify_by_theorem
from exactdln.theory.routes import AUTO_HESSIAN_LIMIT, METHODS, combine_routes
from exactdln.theory.yun import global_optimality_test

__all__ = ["classify", "hessian_inertia", "AUTO_HESSIAN_LIMIT", "METHODS", "BACKGROUND_PARAMETERS"]

#: points with at least this many parameters prove Sigma's eigenvalues in a child process when ``workers`` >= 2 (a
#: fork costs milliseconds; below this the whole classification does)
BACKGROUND_PARAMETERS = 16384


def hessian_inertia(problem: Problem, weights: Any) -> Inertia:
    """Exact inertia (n_plus, n_minus, n_zero) of the Hessian of L at W.

    At a critical point the orbit directions of the symmetry group lie in the kernel
    (:mod:`exactdln.landscape.symmetry`; docs/maths/hessian_inertia.md §2); a congruence (Sylvester's
    law of inertia, docs/maths/hessian_inertia.md §3) splits them off, and only the
    principal submatrix Hess[F, F] on the complementary coordinates is built and needs an
    inertia computation (:func:`exactdln.landscape.reduced_hessian.reduced_hessian_inertia`;
    at depth 3, width 10 a 100 x 100 block of the 300 x 300 Hessian). Away from critical
    points the full matrix is used (:func:`exactdln.arith.inertia.symmetric_inertia`).
    """
    return _hessian_inertia(ExactPoint.of(problem, weights), critical=None)


def _hessian_inertia(point: ExactPoint, critical: bool | None) -> Inertia:
    # imported here: they load numpy (float guesses verified exactly), which the theorem route never needs,
    # and process start counts for `exactdln classify --method theorem`
    from exactdln.arith.inertia import symmetric_inertia
    from exactdln.landscape.reduced_hessian import reduced_hessian_inertia

    if critical is None:
        critical = all(all(x == 0 for x in g.entries()) for g in gradient_at(point))
    if critical and point.depth >= 2:
        return reduced_hessian_inertia(point, orthogonal_only=point.problem.regularized)
    return symmetric_inertia(hessian_matrix_at(point))


def _noncritical_inertia(point: ExactPoint, notes: list[str]) -> Inertia | None:
    # the verdict is already decided by the gradient: the inertia is a report, so it is not bought with
    # an uninterruptible FLINT charpoly above exactdln/arith/inertia.py's CHARPOLY_PRICE_CAP
    from exactdln.arith.inertia import symmetric_inertia_within

    inertia = symmetric_inertia_within(hessian_matrix_at(point))
    if inertia is None:
        notes.append("Hessian inertia not computed: the point is not critical, and its exact inertia needs a "
                     "characteristic polynomial or an exact rank above the price cap (long entries)")
    return inertia


def classify(problem: Problem, weights: Any, *, method: str = "auto", source: str | None = None,
             hessian_limit: int = AUTO_HESSIAN_LIMIT, workers: int = 1) -> Classification:
    """Decide what W is on the loss landscape, exactly, by the routes ``method`` selects.

    The routes: the classification theorem of Achour, Malgouyres, Gerchinovitz (2024) through the
    index set S and the pivots (docs/maths/classification.md §2.1, §3.3), the global-optimality test of
    Yun, Sra, Jadbabaie (2018, Theorems 2.1 and 2.2; docs/maths/global_optimality.md §3), and the
    exact Hessian inertia (docs/maths/hessian_inertia.md). ``method``: ``"theorem"`` never builds the Hessian; ``"hessian"`` always computes the
    exact inertia; ``"auto"`` does both while the parameter count is at most
    ``hessian_limit`` (default :data:`AUTO_HESSIAN_LIMIT`), else only the theorem route.

    ``workers``: with 2 or more, at scale (at least :data:`BACKGROUND_PARAMETERS` parameters, no regularization)
    the eigenvalues of Sigma are proven in a forked child process while this one forms the products
    (:meth:`SpectralFacts.prove_eigenvalues_in_background`): the same answer, in less wall time on two cores.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if isinstance(problem, AlgebraicProblem):    # entries in a number field: exactdln/theory/number_field.py
        from exactdln.theory.number_field import classify_over_field

        return classify_over_field(problem, weights, method=method, source=source, hessian_limit=hessian_limit)
    point = ExactPoint.of(problem, weights)
    facts = SpectralFacts(point)
    if workers >= 2 and not problem.regularized and point.n_parameters >= BACKGROUND_PARAMETERS:
        facts.prove_eigenvalues_in_background()
    try:
        return _classify_point(point, facts, method, source, hessian_limit)
    finally:
        facts.stop_background()


def _classify_point(point: ExactPoint, facts: SpectralFacts, method: str, source: str | None,
                    hessian_limit: int) -> Classification:
    problem = point.problem
    n = point.n_parameters
    if problem.regularized:
        gradient = gradient_at(point)
        nonzero_layer = next((h for h, g in enumerate(gradient, 1) if any(x != 0 for x in g.entries())), None)
    else:
        # dL/dW_h = -K_hh by chains of single-layer products (exactdln/landscape/point.py), shared with the pivots;
        # before the loss, which then reads ||G||^2 from the factors of G the chains found
        nonzero_layer = point.first_nonzero_gradient_layer()
    loss = to_fraction(point.loss_value)
    critical = nonzero_layer is None
    ranks = partial_ranks_at(point)
    if critical and not problem.regularized and "_forked_eigenvalues" in facts.__dict__:
        facts.prepare_split()          # while the child proves the eigenvalues
    assumptions = facts.assumptions
    rank = ranks[(1, point.depth)]
    notes: list[str] = []
    methods: list[RouteVerdict] = []
    want_hessian = method == "hessian" or (method == "auto" and n <= hessian_limit)
    if method == "auto" and not want_hessian:
        notes.append(f"{n} parameters > {hessian_limit}: Hessian route skipped (auto threshold)")
    fitted = None
    global_value = None

    if not critical:
        methods.append(RouteVerdict("gradient", NOT_CRITICAL, f"dL/dW_{nonzero_layer} != 0"))
        kind = NOT_CRITICAL
        inertia = _noncritical_inertia(point, notes) if want_hessian else None
        return _result(point, critical, kind, loss, rank, ranks, assumptions, methods, True, inertia,
                       None, None, notes, source)

    if problem.regularized:
        # Chen, Jiang, Wang: the theory of the regularized loss; it computes the exact inertia itself
        return _classify_regularized(point, loss, rank, ranks, assumptions, notes, source)

    global_verdict = None
    if facts.sigma_xx_invertible:
        global_verdict = global_optimality_test(facts)
        methods.append(global_verdict)
        fitted = facts.fitted_eigen_indices()
        global_value = _global_value(point, facts)
    else:
        notes.append("Sigma_XX is singular: neither theorem applies")

    theorem_verdict = None
    if method in ("auto", "theorem"):
        if assumptions.holds and fitted is not None:
            theorem_verdict, found = classify_by_theorem(point, ranks, fitted)
            methods.insert(0, theorem_verdict)
        else:
            notes.append("assumption (H) fails: the classification theorem does not apply")

    inertia = None
    hessian_verdict = None
    if want_hessian:
        inertia = _hessian_inertia(point, critical=True)
        if inertia.n_minus > 0:
            hessian_verdict = RouteVerdict("hessian", STRICT_SADDLE, f"{inertia.n_minus} negative eigenvalue(s)")
        elif global_verdict is not None and global_verdict.kind == GLOBAL_MINIMIZER:
            hessian_verdict = RouteVerdict("hessian", GLOBAL_MINIMIZER, "PSD Hessian and the global test holds")
        elif assumptions.holds:
            hessian_verdict = RouteVerdict(
                "hessian", NON_STRICT_SADDLE, "PSD Hessian, not global, no spurious local minima under (H)"
            )
        elif facts.sigma_xx_invertible and exact_rank(point.Y) == point.widths[-1]:
            hessian_verdict = RouteVerdict(
                "hessian", NON_STRICT_SADDLE,
                "PSD Hessian, not global; X and Y of full row rank, so no spurious local minima "
                "(Lu-Kawaguchi 2017, Thm 2.3)",
            )
        else:
            hessian_verdict = RouteVerdict(
                "hessian", UNDECIDED, "PSD Hessian and not global; without (H) a spurious local minimum is not excluded"
            )
        methods.append(hessian_verdict)

    kind, agree = combine_routes(theorem_verdict, global_verdict, hessian_verdict)
    return _result(point, critical, kind, loss, rank, ranks, assumptions, methods, agree, inertia,
                   fitted, global_value, notes, source)


def _global_value(point: ExactPoint, facts: SpectralFacts) -> str | None:
    """1/2 (||Y||^2 - sum of the r_max largest eigenvalues of Sigma), when it is rational.

    When r_max >= d_y every eigenvalue is summed and the sum is tr Sigma (no factoring).
    """
    if point.r_max >= point.widths[-1]:
        return fraction_text(to_fraction((point.sigma_yy_trace - facts.sigma_trace) / 2))
    if facts.rational_eigenvalues is not None:        # proven distinct rational eigenvalues: no factoring
        top = sum(facts.rational_eigenvalues[-point.r_max:], fmpq(0))
        return fraction_text(to_fraction((point.sigma_yy_trace - top) / 2))
    chi = facts.chi_sigma
    # The top-k sum is rational when the k largest roots come from whole rational factors of chi;
    # report it only in the easy case where every eigenvalue is used or chi splits over Q.
    factors = chi.factor()[1]
    if all(f.degree() == 1 for f, _ in factors):
        eigenvalues = []
        for f, mult in factors:
            c = f.coeffs()
            eigenvalues += [-(c[0] / c[1])] * mult
        eigenvalues.sort(reverse=True)
        top = sum(eigenvalues[: point.r_max], 0)
        value = (point.sigma_yy_trace - top) / 2
        return fraction_text(to_fraction(value))
    return None


def _classify_regularized(point, loss, rank, ranks, assumptions, notes, source) -> Classification:
    """lambda > 0: Chen, Jiang, Wang (:mod:`exactdln.theory.regularized`) decides, with the exact Hessian.

    Its routes (closed-form critical values for whitened data, exact inertia with the
    orbit of O(d_h) factored out, the Morse-Bott test) are reported as the methods.
    ``with_constant=False``: the error-bound constant is not needed for the verdict.
    """
    from exactdln.theory.regularized import classify_regularized

    verdict = classify_regularized(point.problem, point.weights_model, with_constant=False)
    extra = {"weighted_balanced": verdict.weighted_balanced}
    if verdict.error_bound is not None:
        extra["error_bound"] = verdict.error_bound.to_json()
    global_value = None
    if verdict.global_value is not None:
        global_value = str(verdict.global_value)
    result = _result(point, True, verdict.kind, loss, rank, ranks, assumptions, verdict.methods, True,
                     verdict.inertia, None, global_value, notes + list(verdict.notes), source)
    result.extra.update(extra)
    return result


def _result(point, critical, kind, loss, rank, ranks, assumptions, methods, agree, inertia, fitted,
            global_value, notes, source) -> Classification:
    return Classification(
        critical=critical,
        kind=kind,
        loss=loss,
        rank=rank,
        r_max=point.r_max,
        widths=point.widths,
        partial_ranks=ranks,
        assumptions=assumptions,
        methods=tuple(methods),
        agree=agree,
        inertia=inertia,
        fitted=fitted,
        global_value=global_value,
        notes=tuple(notes),
        source=source,
    )
