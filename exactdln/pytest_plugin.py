"""pytest plugin for exactdln (registered through the ``pytest11`` entry point).

Assertion helpers for people who test numeric deep-linear-network code, with failure
messages that show the exact facts and the float64 facts side by side:

- :func:`assert_critical` (exact gradient = 0, gradient formula of docs/maths/README.md §2);
- :func:`assert_kind` (exact classification, docs/maths/classification.md §3.3);
- :func:`assert_inertia_matches` (a user's numeric Hessian spectrum against the exact
  Sylvester inertia of the exact Hessian);
- the fixture ``exact_critical_point``: rational critical points of each kind
  (global_minimizer, strict_saddle, non_strict_saddle) built by :mod:`exactdln.instances.construct`.

Heavy modules are imported lazily so the plugin stays cheap for every pytest run.
"""

from __future__ import annotations

import random
from typing import Any, Sequence

import pytest

__all__ = ["assert_critical", "assert_kind", "assert_inertia_matches", "exact_critical_point", "CRITICAL_KINDS"]

CRITICAL_KINDS = ("global_minimizer", "strict_saddle", "non_strict_saddle")


def _float_summary(problem: Any, weights: Any) -> str:
    from exactdln.numeric.float64 import classify_float

    f = classify_float(problem, weights)
    lines = [f"  float64: kind={f.kind} if_critical={f.conditional_kind} critical={f.critical} |grad|={f.gradient_norm:.3g} "
             f"inertia={f.inertia} min_eig={f.min_eigenvalue}"]
    lines += [f"           {r}" for r in (f.reasons + f.undecided)[:6]]
    return "\n".join(lines)


def assert_critical(problem: Any, weights: Any) -> None:
    """Assert that W is an exact critical point: dL/dW_h = -W_{H:h+1}^T G W_{h-1:1}^T + lambda_h W_h = 0 for all h."""
    from exactdln.landscape.derivatives import gradient
    from exactdln.model.problem import normalize_point

    ws = normalize_point(problem, weights)
    grads = gradient(problem, ws)
    nonzero = [(h + 1, g) for h, g in enumerate(grads) if not g.is_zero()]
    if nonzero:
        h, g = nonzero[0]
        entries = sum(1 for x in g.entries() if x != 0)
        raise AssertionError(
            "point is not critical\n"
            f"  exact:   gradient block W_{h} has {entries} nonzero entries, e.g. {next(x for x in g.entries() if x != 0)}; "
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
    from exactdln.model.problem import normalize_point

    ws = normalize_point(problem, weights)
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


def assert_inertia_matches(numeric_eigenvalues: Sequence[float], problem: Any, weights: Any) -> None:
    """Assert that a numeric Hessian spectrum is consistent with the exact inertia of the exact Hessian.

    The Sylvester inertia of the exact Hessian comes from the exact core
    (:func:`exactdln.theory.classify.hessian_inertia`, the reduced route at a critical point); each
    numeric eigenvalue is read with the band rule of :func:`exactdln.numeric.float64.separate`, so
    eigenvalues near 0 may count as zero or signed.
    """
    from exactdln.theory.classify import hessian_inertia
    from exactdln.model.problem import normalize_point

    ws = normalize_point(problem, weights)
    exact = hessian_inertia(problem, ws)
    ev = list(numeric_eigenvalues)
    (p_lo, p_hi), (m_lo, m_hi), gray = _numeric_inertia_range(ev)
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
