"""Cross-check a point over a real number field K = Q(theta): the exact path over K against float64 and mpmath.

The numeric paths read rationals, so they receive the point's values at the embedding: every entry
a_0 + a_1 theta + ... is evaluated with theta refined inside its isolating interval
(:meth:`exactdln.arith.number_field.NumberField.approximate`, exact rationals within the stated width).
float64 gets values within 2^-60 (it rounds them to float64 anyway and says so); mpmath gets values
within 10^-(2 p), p its precision cap, and decides criticality with at most p digits. The rounded point
is not the point: its gradient is nonzero, but below 10^-(2 p) in size, so neither numeric path can prove
it nonzero, and a numeric path that finds the point within tolerance compares its conditional kind and
inertia with the exact path as usual (:func:`exactdln.tools.crosscheck.contradictions`).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Sequence

from exactdln.landscape.number_field_point import FieldPoint, field_gradient
from exactdln.model.field_format import AlgebraicProblem
from exactdln.model.problem import Problem, RationalMatrix
from exactdln.numeric.float64 import classify_float
from exactdln.numeric.mp import DEFAULT_MAX_DIGITS, classify_mp
from exactdln.theory.number_field import classify_over_field
from exactdln.tools.crosscheck_verdicts import SNAP_NOTE, CrosscheckResult, PathVerdict, contradictions

__all__ = ["rational_values", "crosscheck_field"]


def rational_values(point: FieldPoint, width: Fraction) -> tuple[Problem, tuple[RationalMatrix, ...]]:
    """The point's values at the embedding, each entry a rational within ``width`` of the exact value."""
    def values(m) -> RationalMatrix:
        return RationalMatrix(tuple(tuple(x.approximate(width) if not x.is_rational else x.rational()
                                          for x in row) for row in m.tolist()))

    return Problem(values(point.X), values(point.Y), tuple(point.problem.lambdas)), tuple(values(w) for w in point.W)


def _gradient_norm(point: FieldPoint) -> float:
    squared = sum((x * x for g in field_gradient(point) for x in g.entries()), point.K.element(0))
    return float(squared) ** 0.5 if not squared.is_zero() else 0.0


def crosscheck_field(problem: AlgebraicProblem, weights: Sequence[Any], *, source: str | None = None,
                     exact: bool = True, max_digits: int = DEFAULT_MAX_DIGITS) -> CrosscheckResult:
    """The exact verdict over K (:func:`exactdln.theory.number_field.classify_over_field`) and the float64 and
    mpmath verdicts on the point's rational values (module docstring); contradictions as for rational points."""
    point = FieldPoint(problem, tuple(weights))
    ex = classify_over_field(problem, weights, source=source) if exact else None
    gnorm = _gradient_norm(point) if ex is not None else None
    float_problem, float_weights = rational_values(point, Fraction(1, 2**60))
    fl = classify_float(float_problem, float_weights)
    mp_problem, mp_weights = rational_values(point, Fraction(1, 10 ** (2 * max_digits)))
    hp = classify_mp(mp_problem, mp_weights, max_digits=max_digits, max_gradient_digits=max_digits)
    numeric = [("float64", fl), ("mpmath", hp)]
    exact_critical = ex.critical if ex is not None else None
    verdicts = [PathVerdict(name, r.kind, r.inertia, r.conditional_kind,
                            exact_critical is True and r.critical == "within_tolerance") for name, r in numeric]
    if ex is not None:
        verdicts.insert(0, PathVerdict("exact", ex.kind, ex.inertia, None, ex.critical))
    notes = [f"over Q(theta) of degree {point.K.degree}, theta ~ {float(point.K.theta):.12g}: float64 analysed the "
             f"values within 2^-60, mpmath within 10^-{2 * max_digits} "
             f"(criticality decided with at most {max_digits} digits)"]
    within = [name for name, r in numeric if r.critical == "within_tolerance"]
    if exact_critical is False and within:
        notes.append(SNAP_NOTE.format(file=source or "FILE") + f" ({' and '.join(within)} within tolerance)")
    return CrosscheckResult(source, ex, fl, hp, None if exact else "exact path skipped", contradictions(verdicts),
                            gnorm, tuple(notes))
