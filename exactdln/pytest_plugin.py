"""pytest plugin for exactdln (registered through the ``pytest11`` entry point).

Assertion helpers for people who test numeric deep-linear-network code, with failure
messages that show the exact facts and the float64 facts side by side:

- :func:`assert_critical` (exact gradient = 0, gradient formula of docs/maths/README.md §2);
- :func:`assert_kind` (exact classification, docs/maths/classification.md §3.3);
- :func:`assert_inertia_matches` (a user's numeric Hessian spectrum against the exact
  Sylvester inertia of the exact Hessian; ``tol`` for finite-difference or autograd Hessians);
- :func:`assert_near_critical` (float weights from training, a torch model or a JAX pytree:
  snapped to the exact critical point they approximate, whose exact class is asserted);
- the fixture ``exact_critical_point``: rational critical points of each kind
  (global_minimizer, strict_saddle, non_strict_saddle) built by :mod:`exactdln.instances.construct`.

Heavy modules are imported lazily so the plugin stays cheap for every pytest run.
"""

from __future__ import annotations

import random
from typing import Any, Sequence

import pytest

__all__ = ["assert_critical", "assert_kind", "assert_inertia_matches", "assert_near_critical", "exact_critical_point",
           "CRITICAL_KINDS"]

CRITICAL_KINDS = ("global_minimizer", "strict_saddle", "non_strict_saddle")


def _float_summary(problem: Any, weights: Any) -> str:
    from exactdln.numeric.float64 import classify_float

    f = classify_float(problem, weights)
    lines = [f"  float64: kind={f.kind} if_critical={f.conditional_kind} critical={f.critical} |grad|={f.gradient_norm:.3g} "
             f"inertia={f.inertia} min_eig={f.min_eigenvalue}"]
    lines += [f"           {r}" for r in (f.reasons + f.undecided)[:6]]
    return "\n".join(lines)


def _exact_point(problem: Any, weights: Any) -> tuple:
    """The exact weights, or an AssertionError that explains a float or malformed input (never a raw InputError)."""
    from exactdln.model.problem import InputError, normalize_point

    try:
        return normalize_point(problem, weights)
    except InputError as err:
        hint = ("\n  float weights are not an exact point: use assert_near_critical (snap to the exact critical "
                "point they approximate), or convert them by a rule (exactdln.from_torch(model, exact='decimal'))"
                if "float" in str(err) or "not exact" in str(err) else "")
        raise AssertionError(f"cannot read the point: {err}{hint}") from None


def assert_critical(problem: Any, weights: Any) -> None:
    """Assert that W is an exact critical point: dL/dW_h = -W_{H:h+1}^T G W_{h-1:1}^T + lambda_h W_h = 0 for all h."""
    from exactdln.landscape.derivatives import gradient
    from exactdln.model.results import number_text

    ws = _exact_point(problem, weights)
    grads = gradient(problem, ws)
    nonzero = [(h + 1, g) for h, g in enumerate(grads) if not g.is_zero()]
    if nonzero:
        h, g = nonzero[0]
        entries = sum(1 for x in g.entries() if x != 0)
        raise AssertionError(
            "point is not critical\n"
            f"  exact:   gradient block W_{h} has {entries} nonzero entries, e.g. {number_text(next(x for x in g.entries() if x != 0))}; "
            f"{len(nonzero)} of {len(grads)} blocks are nonzero\n" + _float_summary(problem, ws)
        )


def _exact_classification(problem: Any, weights: Any) -> tuple[str, Any, str]:
    try:
        from exactdln.theory.classify import classify
    except ImportError:  # the exact core's classify is not installed: mpmath, labelled
        from exactdln.numeric.mp import classify_mp

        r = classify_mp(problem, weights)
        return r.conditional_kind or r.kind, r.inertia, f"mpmath ({r.digits} digits, kind if critical; exact classify unavailable)"
    c = classify(problem, weights)
    return c.kind, c.inertia, "exact"


def assert_kind(problem: Any, weights: Any, kind: str) -> None:
    """Assert the exact class of W (docs/maths/classification.md §3.3: global minimizer / strict / non-strict saddle / not critical)."""
    ws = _exact_point(problem, weights)
    got, inertia, by = _exact_classification(problem, ws)
    if got != kind:
        raise AssertionError(
            f"expected {kind}, got {got}\n"
            f"  {by}: kind={got} inertia={inertia}\n" + _float_summary(problem, ws)
        )


def _numeric_inertia_range(eigenvalues: Sequence[float]) -> tuple[tuple[int, int], tuple[int, int], list[str]]:
    """Counts of positive and negative eigenvalues, as ranges allowed by rounding.

    Band rule of :func:`exactdln.numeric.float64.separate` with noise n * eps * max|lambda|:
    an eigenvalue below the noise is zero, above sqrt(noise * max|lambda|) keeps its sign,
    in between it may be zero or keep its sign.
    """
    import numpy as np

    from exactdln.numeric.float64 import separate

    ev = [float(x) for x in eigenvalues]
    n = len(ev)
    scale = max((abs(x) for x in ev), default=0.0)
    noise = n * float(np.finfo(np.float64).eps) * scale
    p = m = gp = gm = 0
    gray = []
    for i, x in enumerate(ev):
        s = separate(abs(x), noise, scale) if scale > 0 else False
        if s is None:
            gray.append(f"eigenvalue {i + 1} of {n} is {x:.3g}, inside the band ({noise:.2g}, {(noise * scale) ** 0.5:.2g})")
            gp += x > 0
            gm += x < 0
        elif s:
            p += x > 0
            m += x < 0
    return (p, p + gp), (m, m + gm), gray


def assert_inertia_matches(numeric_eigenvalues: Sequence[float], problem: Any, weights: Any, *,
                           tol: float | None = None) -> None:
    """Assert that a numeric Hessian spectrum is consistent with the exact inertia of the exact Hessian.

    The Sylvester inertia of the exact Hessian comes from the exact core
    (:func:`exactdln.theory.classify.hessian_inertia`, the reduced route at a critical point); each
    numeric eigenvalue is read with the band rule of :func:`exactdln.numeric.float64.separate`, so
    eigenvalues near 0 may count as zero or signed. ``tol`` is the accuracy of *your* Hessian (a
    finite-difference Hessian is good to about sqrt(eps) ||H||, an autograd one to a few eps
    ||H||): an eigenvalue with |lambda| <= tol may be zero or signed, one beyond it keeps its sign.
    """
    from exactdln.theory.classify import hessian_inertia

    ws = _exact_point(problem, weights)
    exact = hessian_inertia(problem, ws)
    ev = [float(x) for x in numeric_eigenvalues]
    if tol is None:
        (p_lo, p_hi), (m_lo, m_hi), gray = _numeric_inertia_range(ev)
    else:
        sure = [x for x in ev if abs(x) > tol]
        near = [x for x in ev if abs(x) <= tol]
        p_lo, m_lo = sum(x > 0 for x in sure), sum(x < 0 for x in sure)
        p_hi, m_hi = p_lo + sum(x > 0 for x in near), m_lo + sum(x < 0 for x in near)
        gray = [f"{len(near)} eigenvalue(s) within tol = {tol:.3g} of 0 may be zero or signed"] if near else []
    ok = len(ev) == exact.size and p_lo <= exact.n_plus <= p_hi and m_lo <= exact.n_minus <= m_hi
    if not ok:
        raise AssertionError(
            "numeric Hessian spectrum does not match the exact inertia\n"
            f"  exact:   inertia {exact} (n = {exact.size})\n"
            f"  yours:   {len(ev)} eigenvalues; positive {p_lo}..{p_hi}, negative {m_lo}..{m_hi}, "
            f"min {min(ev, default=float('nan')):.3g}, max {max(ev, default=float('nan')):.3g}\n"
            + "".join(f"           {g}\n" for g in gray[:5])
            + _float_summary(problem, ws)
        )


def assert_near_critical(model_or_weights: Any, X: Any, Y: Any, *, kind: str | None = None, tol: float = 1e-4,
                         lam: Any = 0, exact: str | None = None) -> Any:
    """Assert that float weights lie within ``tol`` (relative Frobenius distance) of an exact critical point of ``kind``.

    ``model_or_weights``: a bias-free torch ``nn.Linear`` stack or state_dict, a JAX pytree or a list of float
    arrays (W_h is d_h x d_(h-1)); X (d_x x m) and Y (d_y x m) are read by the rule ``exact`` (float data
    without a rule fails, naming the rules;
    exactdln/model/convert.py). The weights are snapped (:func:`exactdln.snap`: rationalization, the aligned
    and the minimal constructions of docs/maths/classification.md §2.1-§2.3) and the snapped point's exact
    class (docs/maths/classification.md §3.3) compared with ``kind`` (any critical kind when None). Returns the
    :class:`~exactdln.tools.snap.SnapResult`. Failures say the kind found, the distance and the exact
    critical value L(W*) as a decimal.
    """
    from exactdln.landscape.derivatives import loss
    from exactdln.model.problem import InputError, Problem
    from exactdln.model.results import number_text
    from exactdln.tools.interop import from_jax, from_torch
    from exactdln.tools.snap import snap

    try:
        problem = Problem.create(X, Y, lam, exact=exact)
        if hasattr(model_or_weights, "named_modules") or (
                hasattr(model_or_weights, "items") and type(next(iter(model_or_weights.values()), None)).__module__
                .startswith("torch")):
            floats = from_torch(model_or_weights)
        else:
            floats = from_jax(model_or_weights)
        result = snap(problem, floats, radius=tol, align_radius=tol)
    except InputError as err:
        raise AssertionError(f"cannot read the point: {err}") from None
    if not result.snapped:
        raise AssertionError(f"no exact critical point within relative distance {tol:g} of the weights\n"
                             + "\n".join(f"  - {n}" for n in result.notes))
    value = (number_text(loss(problem, result.weights)) if result.weights is not None
             else result.point.critical_value_text)          # snapped over a number field
    where = f"distance {result.distance:.3g} (relative {result.relative_distance:.3g}), critical value L = {value}"
    if result.relative_distance > tol:
        raise AssertionError(f"the nearest exact critical point found ({result.kind}) is too far: {where}, tol {tol:g}")
    if kind is not None and result.kind != kind:
        raise AssertionError(f"expected {kind}, found {result.kind} (exact, by snap's {result.route} route): {where}")
    return result


class ExactCriticalPoint:
    """A rational critical point with its class known from docs/maths/classification.md §3.3 (``problem``, ``weights``, ``kind``)."""

    def __init__(self, problem: Any, weights: Any, kind: str, family: str):
        self.problem, self.weights, self.kind, self.family = problem, weights, kind, family

    def float_weights(self) -> list:
        """The weights as float64 numpy arrays (for the code under test)."""
        import numpy as np

        return [np.array([[float(x) for x in row] for row in w.rows], dtype=float).reshape(w.shape) for w in self.weights]

    def __repr__(self) -> str:
        return f"ExactCriticalPoint({self.family}: {self.kind}, widths {[self.weights[0].ncols] + [w.nrows for w in self.weights]})"


@pytest.fixture(params=CRITICAL_KINDS)
def exact_critical_point(request: Any) -> ExactCriticalPoint:
    """One rational critical point of each kind (global minimizer, strict saddle, non-strict saddle), seeded."""
    from exactdln.instances.construct import random_instance

    kind = request.param
    inst = random_instance(random.Random(CRITICAL_KINDS.index(kind) + 7), kind=kind,
                           max_depth=3, max_width=3)
    return ExactCriticalPoint(inst.problem, inst.weights, inst.expected_kind, inst.family)
