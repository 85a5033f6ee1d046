"""Cross-check the exact, float64 and mpmath paths on one point, and the stress corpus.

The numeric paths decide criticality only one way: they can prove a point is *not*
critical, never that it is. Their definite kind is ``not_critical`` or ``inconclusive``;
at a point within tolerance of criticality they give a *conditional* kind ("strict_saddle
if critical"). So two paths contradict each other only when

- both give definite kinds and the kinds differ;
- one gives a conditional kind, the other says the point is critical with a definite kind,
  and the two kinds differ (a conditional kind says nothing about a non-critical point);
- both decided a Hessian inertia at the same critical point (the exact path says it is
  critical, the numeric path analysed it within tolerance) and the inertias differ.

``inconclusive`` (numeric) and ``undecided`` (exact) contradict nothing. The numeric paths'
contract is that they never contradict the exact path; :func:`crosscheck` is how that
contract is checked.

The stress corpus (:func:`stress_corpus`) holds badly scaled, near-degenerate and wide
variants of critical points whose class is known from the families of Achour, Malgouyres,
Gerchinovitz (2024) (:mod:`exactdln.instances.construct`): hidden changes of basis
W_h -> D_h W_h D_{h-1}^-1 with D_h = diag(10^k, 10^-k, ...) keep criticality, the class and
(Sylvester) the inertia, but spread the float spectrum over many decades.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

from exactdln.numeric.mp import DEFAULT_MAX_DIGITS, DEFAULT_MAX_GRADIENT_DIGITS, classify_mp
from exactdln.numeric.float64 import classify_float
from exactdln.model.field_format import AlgebraicProblem
from exactdln.model.problem import Problem, RationalMatrix, normalize_point
from exactdln.model.results import Classification
from exactdln.tools.crosscheck_verdicts import SNAP_NOTE, CrosscheckResult, PathVerdict, contradictions

__all__ = ["CrosscheckResult", "PathVerdict", "crosscheck", "contradictions", "exact_gradient_norm", "scale_hidden",
           "stress_corpus", "StressCase", "SNAP_NOTE"]

def _exact_classification(problem: Problem, weights: Any) -> tuple[Classification | None, str | None]:
    try:
        from exactdln.theory.classify import classify  # the exact core
    except ImportError as err:
        return None, f"exact path unavailable: {err}"
    return classify(problem, weights), None


def _sqrt_float(q: Fraction) -> float:
    """sqrt(q) as a float for a nonnegative rational of any size (scaled by 4^k, so float() never overflows)."""
    if q == 0:
        return 0.0
    k = (q.numerator.bit_length() - q.denominator.bit_length()) // 2
    r = q / Fraction(4) ** k
    try:
        return math.ldexp(math.sqrt(float(r)), k)
    except OverflowError:
        return math.inf


def exact_gradient_norm(problem: Problem, weights: Any) -> float:
    """||grad L(W)||_F of the exact gradient dL/dW_h = -W_{H:h+1}^T G W_{h-1:1}^T + lambda_h W_h, as a float.

    The squared norm is summed in rationals (:func:`exactdln.landscape.derivatives.gradient`) and
    converted once at the end.
    """
    from exactdln.landscape.derivatives import gradient

    sq = sum((x * x for g in gradient(problem, weights) for x in g.entries()), Fraction(0))
    return _sqrt_float(Fraction(sq))


def crosscheck(problem: Problem, weights: Any, *, source: str | None = None, exact: bool = True,
               mp: bool = True, max_digits: int = DEFAULT_MAX_DIGITS,
               max_gradient_digits: int = DEFAULT_MAX_GRADIENT_DIGITS) -> CrosscheckResult:
    """Run the exact, float64 and mpmath paths on one point and list contradictions (module docstring).

    All three decide with the classification of Achour, Malgouyres, Gerchinovitz (2024)
    (docs/maths/classification.md §2.1, §3.3) and the Hessian inertia; the exact path is the arbiter.

    A numeric inertia is compared with another only when the exact path says the point is
    critical and the numeric path found it within tolerance (both analysed the same critical
    point). When the exact path says the point is not critical but a numeric path finds it
    within tolerance (weights trained in floating point), the result carries a note pointing to
    ``exactdln snap``. ``max_digits`` caps the mpmath analysis, ``max_gradient_digits`` its
    criticality decision (:func:`exactdln.numeric.mp.gradient_to_height`).
    """
    if isinstance(problem, AlgebraicProblem):    # entries in a number field: exactdln/tools/field_crosscheck.py
        from exactdln.tools.field_crosscheck import crosscheck_field
        return crosscheck_field(problem, weights, source=source, exact=exact, max_digits=max_digits)
    ws = normalize_point(problem, weights)
    ex, err = _exact_classification(problem, ws) if exact else (None, "exact path skipped")
    gnorm = exact_gradient_norm(problem, ws) if ex is not None else None
    fl = classify_float(problem, ws)
    hp = classify_mp(problem, ws, max_digits=max_digits, max_gradient_digits=max_gradient_digits) if mp else None
    numeric = [("float64", fl)] + ([("mpmath", hp)] if hp is not None else [])
    exact_critical = ex.critical if ex is not None else None
    verdicts = [PathVerdict(name, r.kind, r.inertia, r.conditional_kind,
                            exact_critical is True and r.critical == "within_tolerance") for name, r in numeric]
    if ex is not None:
        verdicts.insert(0, PathVerdict("exact", ex.kind, ex.inertia, None, ex.critical))
    notes = []
    within = [name for name, r in numeric if r.critical == "within_tolerance"]
    if exact_critical is False and within:
        notes.append(SNAP_NOTE.format(file=source or "FILE") + f" ({' and '.join(within)} within tolerance, "
                     f"exact ||grad|| = {gnorm:.3g})")
    conditional = {name: r.conditional_kind for name, r in numeric if r.conditional_kind is not None}
    if exact_critical is not True and len(set(conditional.values())) > 1:
        notes.append("the numeric conditional kinds differ (" + ", ".join(f"{n}: {k}" for n, k in conditional.items())
                     + "); they contradict nothing unless the point is critical")
    if exact_critical is not True and hp is not None and fl.inertia is not None and hp.inertia is not None \
            and fl.inertia != hp.inertia:
        notes.append(f"float64 inertia {fl.inertia} != mpmath inertia {hp.inertia}, not compared: the point is not "
                     "known to be critical")
    if fl.rounded_input:
        notes.append("float64 analysed the input rounded to float64")
    return CrosscheckResult(source, ex, fl, hp, err, contradictions(verdicts), gnorm, tuple(notes))


# --------------------------------------------------------------------------------------
# stress corpus
# --------------------------------------------------------------------------------------


def scale_hidden(weights: Sequence[RationalMatrix], k: int) -> tuple[RationalMatrix, ...]:
    """W_h -> D_h W_h D_{h-1}^-1 with D_h = diag(10^k, 10^-k, 10^k, ...) on hidden layers, D_0 = D_H = I.

    A linear isomorphism of parameter space that leaves W_{H:1} and L unchanged, so it
    preserves criticality, the class and (Sylvester) the Hessian inertia.
    """
    H = len(weights)
    widths = (weights[0].ncols,) + tuple(w.nrows for w in weights)

    def diag(h: int) -> list[Fraction]:
        if h == 0 or h == H:
            return [Fraction(1)] * widths[h]
        return [Fraction(10) ** (k if i % 2 == 0 else -k) for i in range(widths[h])]

    out = []
    for h in range(1, H + 1):
        left, right = diag(h), diag(h - 1)
        rows = tuple(tuple(left[a] * x / right[b] for b, x in enumerate(row)) for a, row in enumerate(weights[h - 1].rows))
        out.append(RationalMatrix(rows, widths[h - 1]))
    return tuple(out)


@dataclass(frozen=True)
class StressCase:
    """One corpus point and its class from a family of Achour, Malgouyres, Gerchinovitz (2024)."""

    label: str
    problem: Problem
    weights: tuple[RationalMatrix, ...]
    expected_kind: str


def stress_corpus(seed: int = 0, size: int = 40, *, scales: Sequence[int] = (2, 4, 6)) -> list[StressCase]:
    """Badly scaled, near-degenerate and wide critical points with known class.

    - ``scaled-k``: a random instance under :func:`scale_hidden` with 10^k;
    - ``near-degenerate``: data whose singular values differ by 10^-5 relatively;
    - ``wide``: widths up to 7.
    """
    from exactdln.instances import construct

    rng = random.Random(seed)
    cases = []
    for t in range(size):
        variant = t % 3
        if variant == 0:
            inst = construct.random_instance(rng, max_depth=4, max_width=4)
            k = scales[(t // 3) % len(scales)]
            cases.append(StressCase(f"scaled-{k}:{inst.family}", inst.problem, scale_hidden(inst.weights, k), inst.expected_kind))
        elif variant == 1:
            d_y = rng.randint(2, 3)
            d_x = d_y + rng.randint(0, 1)
            base = Fraction(rng.randint(2, 9))
            s = tuple(base - i * base / 10**5 for i in range(d_y))
            data = construct.spectral_data(s, d_x, rng, white=rng.random() < 0.5)
            H = rng.randint(2, 4)
            widths = (d_x,) + tuple(rng.randint(1, 3) for _ in range(H - 1)) + (d_y,)
            r_max = min(widths)
            r = rng.randint(0, r_max)
            S = tuple(sorted(rng.sample(range(1, d_y + 1), r)))
            ws = construct.conjugate_hidden(construct.minimal_critical_point(data, widths, S), rng)
            cases.append(StressCase("near-degenerate", data.problem, ws, construct.expected_kind_for_index_set(S, widths)))
        else:
            inst = construct.random_instance(rng, max_depth=4, max_width=7)
            cases.append(StressCase(f"wide:{inst.family}", inst.problem, inst.weights, inst.expected_kind))
    return cases
