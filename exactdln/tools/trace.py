"""The saddles of a training run: its plateaus, and the exact critical point nearest to each.

Gradient descent on a deep linear network from a small initialization runs a staircase: the loss sits on
a plateau near a saddle, drops, sits on the next plateau, and so on (Saxe, McClelland, Ganguli 2014;
Jacot, Ged, Simsek, Hongler, Gabriel 2021, "saddle-to-saddle dynamics"). With full-rank X X^T the critical
point that fits the eigen-directions S of Sigma = Y X^T (X X^T)^-1 X Y^T has the critical value
(||Y||_F^2 - sum_{i in S} lambda_i) / 2 (docs/maths/classification.md §2), so the steps of the staircase
are exact algebraic numbers. :func:`trace` finds the plateaus of a recorded run, snaps a point of each to
the exact critical point nearest to it (exactdln/tools/snap_algebraic.py), classifies that point exactly,
and reports how far the run passed from it. The distance shrinks with the initialization scale; it is
reported, never held to a tolerance (that is ``snap``'s contract, not this one's).

With weight decay (every lambda_h > 0) and whitened data X X^T = c I the critical set is known in closed form
(Theorem R1, docs/maths/regularized.md §3): on the i-th singular pair (u_i, v_i, y_i) of M = Y X^T / c the product
W_H...W_1 has the value s_i = 0 or a root of s^(H-2) (y_i - s)^H = Lambda (Lambda = prod_h (lambda_h / c)), and the
critical value is c_0 + c sum_i phi(y_i, s_i). Each plateau's point is then the one ``snap`` builds
(exactdln/tools/snap_regularized.py, over the field of its layer singular values, §9) and the row lists its
active pairs; for other data the row gives the reason no closed form applies
(:func:`exactdln.tools.snap_algebraic.regularized_reason`).

The trajectory format is that of exactdln/tools/trace_format.py, the plateau rule that of
exactdln/tools/plateaus.py (both re-exported here).
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from exactdln.model.problem import InputError, Problem
from exactdln.model.results import decimal_text
from exactdln.tools.plateaus import Plateau, PlateauRule, find_plateaus, run_losses, step_json
from exactdln.tools.trace_format import Trajectory, load_trajectory, save_trajectory

__all__ = ["Trajectory", "PlateauRule", "Plateau", "PlateauPoint", "Trace", "ExactValue", "load_trajectory",
           "save_trajectory", "find_plateaus", "run_losses", "exact_value", "plateau_point", "trace",
           "certify_plateaus"]


# ------------------------------------------------------------------------------------------------ exact values

@dataclass(frozen=True)
class ExactValue:
    """A real algebraic number as a row shows it: ``decimal`` (12 significant digits, for reading) and
    exactly, either ``fraction`` ("p/q") or the minimal polynomial over Q (``minpoly``, coefficients
    constant term first, as strings) with a rational isolating ``interval``."""

    decimal: str
    fraction: str | None = None
    minpoly: tuple[str, ...] | None = None
    interval: tuple[str, str] | None = None
    approx: float = math.nan

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"decimal": self.decimal}
        if self.fraction is not None:
            out["exact"] = self.fraction
        else:
            out["minpoly"] = list(self.minpoly or ())
            out["interval"] = list(self.interval or ())
        return out

    @property
    def exact_text(self) -> str:
        if self.fraction is not None:
            return self.fraction
        from exactdln.arith.number_field import polynomial_text

        lo, hi = self.interval or ("?", "?")
        return f"root of {polynomial_text([Fraction(c) for c in self.minpoly or ()], 'x')} in [{lo}, {hi}]"

    def __str__(self) -> str:
        return self.decimal if self.fraction is not None and self.fraction == self.decimal else \
            f"{self.decimal} = {self.exact_text}"


def _decimal(x: Fraction) -> str:
    return decimal_text(x, 12)[0]


def exact_value(value: Any) -> ExactValue:
    """:class:`ExactValue` of a Fraction, int, fmpq or an element of a number field K = Q(theta).

    For an irrational element a of K the minimal polynomial is the irreducible factor of the characteristic
    polynomial of x -> a x on K (a Q-linear map of the D-dimensional space K; its characteristic polynomial is
    minpoly(a)^(D / deg a)) that vanishes at a, checked exactly in K; the interval is the isolating interval
    of that factor's real root that a is (the regular representation of docs/maths/algebraic.md §4)."""
    from exactdln.arith.number_field import FieldElement
    from exactdln.model.results import fraction_text

    if isinstance(value, FieldElement) and value.is_rational:
        value = value.rational()
    if not isinstance(value, FieldElement):
        q = Fraction(int(value.p), int(value.q)) if hasattr(value, "p") and hasattr(value, "q") else Fraction(value)
        return ExactValue(_decimal(q), fraction_text(q), approx=float(q))
    return _algebraic_value(value, fraction_text)


def _algebraic_value(a: Any, fraction_text) -> ExactValue:
    from flint import fmpq_mat, fmpq_poly

    from exactdln.arith.algebraic import real_roots
    from exactdln.arith.exact import to_fmpq, to_fraction

    K = a.field
    D = K.degree
    theta = K.theta
    columns, power = [], a
    for _ in range(D):
        columns.append(power.coefficients())
        power = power * theta
    M = fmpq_mat(D, D, [to_fmpq(columns[j][i]) for i in range(D) for j in range(D)])
    _, factors = M.charpoly().factor()
    for f, _ in factors:
        coefficients = [to_fraction(c) for c in f.coeffs()]
        image = K.element(0)
        for c in reversed(coefficients):          # Horner in K: f(a) = 0 exactly for the right factor
            image = image * a + c
        if not image.is_zero():
            continue
        roots = [r for r, _ in real_roots(fmpq_poly(f.coeffs()))]
        width = Fraction(1, 2**40)
        while True:
            centre = a.approximate(width)
            near = [r for r in roots if r.lower - width <= centre <= r.upper + width]
            if len(near) == 1:
                root = near[0]
                break
            roots = [r.refine(width) for r in roots]
            width /= 2**20
        lead = coefficients[-1]
        monic = tuple(fraction_text(c / lead) for c in coefficients)
        approx = a.approximate(Fraction(1, 2**80))
        lo, hi = _short_interval(root, [r for r in roots if r is not root])
        return ExactValue(_decimal(approx), None, monic, (fraction_text(lo), fraction_text(hi)), float(approx))
    raise ArithmeticError("no factor of the characteristic polynomial vanishes at the element")  # pragma: no cover


def _short_interval(root: Any, others: Sequence[Any]) -> tuple[Fraction, Fraction]:
    """Decimal endpoints with as few digits as keep ``root`` inside and every other root of its polynomial
    outside: [lo, hi] contains the root's isolating interval and is disjoint from the others' (exact
    comparisons of rationals), so it isolates the root too."""
    k = 0
    while True:
        step = Fraction(1, 10**k)
        r = root.refine(step / 4)
        lo = math.floor(r.lower / step) * step
        hi = math.ceil(r.upper / step) * step
        if lo == hi:
            hi = lo + step
        if all(o.upper < lo or o.lower > hi for o in (o.refine(step / 4) for o in others)):
            return lo, hi
        k += 1


# ------------------------------------------------------------------------------------------------ one plateau

@dataclass(frozen=True)
class PlateauPoint:
    """One row of :func:`trace`: a plateau, the exact critical point nearest to its record (fitted set S,
    ``rank`` of W_H...W_1, ``kind`` by the exact classification), its exact ``critical_value``, and the
    Frobenius ``distance`` from the run's float weights to it (``relative_distance`` divides by
    max(||W||_F, the problem's weight scale), as ``snap`` does: exactdln/tools/snap_algebraic.py). ``snapped``: the
    relative distance is at most ``tolerance`` (the run's own record, never a polished point, is measured).
    ``point`` is the exact point as a point file (dict), ``certificate`` where its certificate was written.

    ``regularized``: the run has every lambda_h > 0 and the point is the closed form of Theorem R1
    (docs/maths/regularized.md §3): ``fitted`` are then its *active singular pairs* i of M = Y X^T / c (decreasing
    y_i; with X X^T = c I they are the eigen-directions of Sigma in the same order), each only partly fitted, with
    W_H...W_1 = sum_i s_i u_i v_i^T: ``product_values`` the s_i (decimal), ``branches`` the root of
    s^(H-2) (y_i - s)^H = Lambda each one is on."""

    index: int
    plateau: Plateau
    float_loss: float
    critical_value: ExactValue | None
    fitted: tuple[int, ...] | None
    rank: int | None
    kind: str | None
    distance: float | None
    relative_distance: float | None
    field_degree: int | None = None
    notes: tuple[str, ...] = ()
    point: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    certificate: str | None = None
    tolerance: float | None = None
    regularized: bool = False
    product_values: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()

    @property
    def snapped(self) -> bool:
        """The run's record is within ``tolerance`` (relative) of the exact point."""
        return (self.tolerance is not None and self.relative_distance is not None
                and self.relative_distance <= self.tolerance)

    def to_json(self) -> dict[str, Any]:
        return {"plateau": self.index, **self.plateau.to_json(), "float_loss": self.float_loss,
                "critical_value": self.critical_value.to_json() if self.critical_value else None,
                "fitted": list(self.fitted) if self.fitted is not None else None, "rank": self.rank,
                "kind": self.kind, "distance": self.distance, "relative_distance": self.relative_distance,
                "snapped": self.snapped, "tolerance": self.tolerance, "field_degree": self.field_degree,
                "certificate": self.certificate, "notes": list(self.notes),
                **({"active_pairs": list(self.fitted or ()), "product_values": list(self.product_values),
                    "branches": list(self.branches)} if self.regularized else {})}

    def __str__(self) -> str:
        p = self.plateau
        cv = self.critical_value
        lines = [f"plateau {self.index}: steps {step_json(p.start_step)}-{step_json(p.end_step)}"
                 + (" (the run's limit)" if p.limit else "") + f", closest record at step {step_json(p.step)}",
                 f"  float loss {self.float_loss:.12g}   ||grad L|| {p.grad_norm:.3g}",
                 f"  exact critical value {cv.decimal if cv else '-'}" + (f" = {cv.exact_text}" if cv else ""),
                 f"  {'active pairs' if self.regularized else 'S ='} {_fitted_text(self.fitted)}   "
                 f"rank {self.rank if self.rank is not None else '-'}   "
                 f"kind {_kind_text(self.kind)}   distance {_distance_text(self.distance, self.relative_distance, self.snapped)}"]
        lines += [f"  {_pair_text(i, s, b)}" for i, s, b in self._pairs()]
        if self.certificate:
            lines.append(f"  certificate: {self.certificate}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


    def _pairs(self) -> list[tuple[int, str, str]]:
        """(pair, s_i, branch) of each active singular pair of a regularized row (none otherwise)."""
        if not self.regularized or self.fitted is None:
            return []
        return list(zip(self.fitted, self.product_values, self.branches))


def _pair_text(i: int, s: str, branch: str) -> str:
    return f"pair {i}: s = {s} ({branch})"


def _fitted_text(fitted: tuple[int, ...] | None) -> str:
    if fitted is None:
        return "-"
    return "{" + ", ".join(str(i) for i in fitted) + "}"


def _kind_text(kind: str | None) -> str:
    return (kind or "-").replace("_", " ").replace("non strict", "non-strict")


def _distance_text(d: float | None, rel: float | None, snapped: bool = False) -> str:
    if d is None:
        return "-"
    return f"{d:.3g}" + (f" ({rel:.2g} relative{', snapped' if snapped else ''})" if rel is not None else "")


def _frobenius(ws: Sequence[np.ndarray]) -> float:
    """||(W_1, ..., W_H)||_F, scaled by the largest entry so that no square overflows (inf only beyond float64)."""
    top = max((float(np.max(np.abs(w))) for w in ws if w.size), default=0.0)
    if top == 0.0 or not math.isfinite(top):
        return top
    return top * math.sqrt(sum(float(np.sum((w / top) ** 2)) for w in ws))


def _nearest(problem: Problem, ws: list[np.ndarray], degree_cap: int, classify: bool = True) -> Any:
    """The nearest exact critical point: with every lambda_h > 0 the closed form of Theorem R1
    (docs/maths/regularized.md §3, §9; exactdln/tools/snap_regularized.py, the candidate ``snap`` reports), with
    the reason it does not apply when the data are not whitened; otherwise the aligned construction over the field
    of the fitted set (exactdln/tools/snap_algebraic.py)."""
    if _closed_form(problem, len(ws)):
        from exactdln.tools.snap_regularized import nearest_regularized_point

        return nearest_regularized_point(problem, ws, degree_cap=degree_cap, classify=classify)
    from exactdln.tools.snap_algebraic import nearest_critical_point

    return nearest_critical_point(problem, ws, degree_cap=degree_cap, classify=classify)


def _closed_form(problem: Problem, depth: int) -> bool:
    """Every lambda_h > 0 (the regularized critical set of docs/maths/regularized.md §3 is then what the rows
    report: active singular pairs of M = Y X^T / c, not fitted eigen-directions of Sigma)."""
    return bool(problem.regularized) and all(l > 0 for l in problem.layer_lambdas(depth))


def plateau_point(problem: Problem, ws: list[np.ndarray], plateau: Plateau, index: int, *,
                  degree_cap: int = 64, classify: bool = True) -> PlateauPoint:
    """The row of one plateau: the nearest exact critical point to the float weights ``ws``
    (exactdln/tools/snap_algebraic.py; with every lambda_h > 0 the closed form of Theorem R1,
    docs/maths/regularized.md §3, built by exactdln/tools/snap_regularized.py, or the reason it does not apply),
    its exact critical value and, with ``classify``, its exact kind."""
    float_loss = float(run_losses(problem, [w[None] for w in ws])[0][0])
    notes: list[str] = []
    try:
        found = _nearest(problem, ws, degree_cap, classify)
    except ImportError:
        return PlateauPoint(index, plateau, float_loss, None, None, None, None, None, None,
                            notes=("the exact nearest critical point needs exactdln/tools/snap_algebraic.py, "
                                   "not available in this installation",))
    except (InputError, ValueError, ArithmeticError) as err:
        return PlateauPoint(index, plateau, float_loss, None, None, None, None, None, None,
                            notes=(f"no exact critical point: {err}",))
    notes += [str(n) for n in getattr(found, "notes", ())]
    found_kind = getattr(found, "kind", None)
    point = getattr(found, "point", None)
    regularized = _closed_form(problem, len(ws))
    fitted = getattr(found, "fitted", None)
    if regularized and point is None:
        fitted = None            # no closed-form point, no active pairs (RegularizedNearest.fitted is () then)
    fitted = tuple(int(i) for i in fitted) if fitted is not None else None
    distance = _float_or_none(getattr(found, "distance", None))
    relative = _float_or_none(getattr(found, "relative_distance", None))
    if relative is None and distance is not None:
        norm = _frobenius(ws)
        relative = distance / norm if norm > 0 else None
    if point is None:
        origin = _origin_row(problem, ws, plateau, index, float_loss, classify, notes)
        if origin is not None:
            return origin
        return PlateauPoint(index, plateau, float_loss, None, fitted, None, None, distance, relative,
                            notes=tuple(notes))
    if regularized and distance is not None and _frobenius(ws) < distance:
        # W = 0 is an exact critical point too (_origin_row), and nearer: the closed-form choice compares product
        # values, and near W = 0 a saddle branch with a tiny s can win that comparison while lying farther away
        origin = _origin_row(problem, ws, plateau, index, float_loss, classify, notes + [
            f"the closed-form point with active pairs {_fitted_text(fitted)} lies farther (distance {distance:.3g}) "
            f"than W = 0 ({_frobenius(ws):.3g})"])
        if origin is not None:
            return origin
    value, degree, point_json, kind, rank = _point_facts(problem, point, classify and found_kind is None, notes)
    verdict = getattr(found, "classification", None)
    kind = found_kind or kind
    if verdict is not None and getattr(verdict, "rank", None) is not None:
        rank = verdict.rank
    if rank is None and regularized:
        rank = _product_rank(point)
    if rank is None and fitted is not None:
        rank = len(fitted)     # a critical point fitting S has rank W_H...W_1 = |S| (docs/maths/classification.md §2.1)
    if regularized:
        return PlateauPoint(index, plateau, float_loss, value, fitted, rank, kind, distance, relative, degree,
                            tuple(notes), point_json, regularized=True,
                            product_values=tuple(getattr(point, "product_values", ())),
                            branches=tuple(getattr(point, "branches", ())))
    near = [c for c in getattr(found, "candidates", ())[1:] if len(c) > 2 and c[2] and c[2] != kind]
    if near:
        notes.append("other kinds among the candidates built: " + "; ".join(
            f"{c[0]}: {_kind_text(c[2])} at relative distance {float(c[1]):.2g}" for c in near))
    return PlateauPoint(index, plateau, float_loss, value, fitted, rank, kind, distance, relative, degree,
                        tuple(notes), point_json)


def _origin_row(problem: Problem, ws: list[np.ndarray], plateau: Plateau, index: int, float_loss: float,
                classify: bool, notes: list[str]) -> PlateauPoint | None:
    """The row of W = 0 when the nearest-point construction gave nothing (a regularized run, for instance) and
    the plateau sits at L(0) = ||Y||_F^2 / 2: for depth H >= 2 every gradient block dL/dW_h has a factor W_j,
    j != h, so W = 0 is an exact critical point, with or without lambda (Yun, Sra, Jadbabaie 2018, Lemma 3.2)."""
    if len(ws) < 2:
        return None
    from exactdln.landscape.derivatives import loss as exact_loss
    from exactdln.model.problem import RationalMatrix

    zeros = [RationalMatrix.zeros(*w.shape) for w in ws]
    value = exact_value(exact_loss(problem, zeros))
    if not abs(float_loss - value.approx) <= 1e-3 * abs(value.approx):
        return None
    point_json = {**problem.to_json(), "weights": [z.to_json() for z in zeros]}
    kind = rank = None
    if classify:
        kind, rank = _classify_json(point_json, notes)
    distance = _frobenius(ws)
    notes.append("W = 0, an exact critical point at the plateau's loss ||Y||^2/2 (depth >= 2), taken instead")
    return PlateauPoint(index, plateau, float_loss, value, (), rank if rank is not None else 0, kind, distance,
                        1.0 if distance > 0 else None, 1, tuple(notes), point_json)


def _product_rank(point: Any) -> int | None:
    """rank W_H...W_1 over K of a closed-form regularized point (a repeated singular value of M counts with its
    multiplicity, so the number of active pairs is not enough)."""
    try:
        from exactdln.landscape.number_field_point import FieldPoint

        return FieldPoint(point.problem, point.weights, point.number_field).end_to_end.rank()
    except (AttributeError, TypeError, ValueError, ArithmeticError):
        return None


def _float_or_none(x: Any) -> float | None:
    try:
        return None if x is None else float(x)
    except (TypeError, ValueError):
        return None


def _point_facts(problem: Problem, point: Any, classify: bool, notes: list[str]):
    """(exact critical value, field degree, point file dict, kind, rank) of the nearest point, an
    AlgebraicCriticalPoint (over K, or over Q with field None) or a sequence of rational weight matrices."""
    if hasattr(point, "to_point_json"):
        point_json = point.to_point_json()
        spec = getattr(point, "field", None)
        degree = spec.degree if spec is not None else 1
        value = exact_value(point.critical_value) if getattr(point, "critical_value", None) is not None else None
        kind = rank = None
        if classify:
            kind, rank = _classify_json(point_json, notes)
        return value, degree, point_json, kind, rank
    from exactdln.landscape.derivatives import loss as exact_loss

    weights = list(point)
    point_json = {**problem.to_json(), "weights": [w.to_json() for w in weights]}
    value = exact_value(exact_loss(problem, weights))
    kind = rank = None
    if classify:
        kind, rank = _classify_json(point_json, notes)
    return value, 1, point_json, kind, rank


def _classify_json(point_json: dict[str, Any], notes: list[str]) -> tuple[str | None, int | None]:
    """Classify a point file dict as ``exactdln classify`` would: over Q, or over K when it names a field."""
    if "field" in point_json:
        from exactdln.model.field_format import algebraic_point_from_mapping
        from exactdln.theory.number_field import classify_over_field

        problem, weights = algebraic_point_from_mapping(point_json)
        verdict = classify_over_field(problem, weights)
    else:
        from exactdln.theory.classify import classify

        problem, weights = _rational_point(point_json)
        verdict = classify(problem, weights)
    if not getattr(verdict, "critical", True):
        notes.append("the exact point is not critical: the nearest-point construction failed its exact check")
    for n in getattr(verdict, "notes", ()):
        if "not implemented yet" not in str(n):
            notes.append(f"classify: {n}")
    return verdict.kind, getattr(verdict, "rank", None)


def _rational_point(point_json: dict[str, Any]):
    from exactdln.model.problem import Problem as P, as_weights

    problem = P.create(point_json["X"], point_json["Y"], point_json.get("lambda", 0))
    return problem, as_weights(point_json["weights"])


# ------------------------------------------------------------------------------------------------ the trace

@dataclass(frozen=True)
class Trace:
    """The plateaus of a run and the exact critical point of each (:func:`trace`); ``steps``, ``loss`` and
    ``grad_norm`` are the whole run's float curve (for the plot)."""

    source: str | None
    rows: tuple[PlateauPoint, ...]
    rule: PlateauRule
    records: int
    steps: np.ndarray = field(compare=False, repr=False)
    loss: np.ndarray = field(compare=False, repr=False)
    grad_norm: np.ndarray = field(compare=False, repr=False)
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"file": self.source, "records": self.records, "rule": self.rule.to_json(),
                "plateaus": [r.to_json() for r in self.rows], "notes": list(self.notes)}

    def json_lines(self, file: str | None = None) -> list[dict[str, Any]]:
        """One JSON object per plateau (``trace --json`` prints each on its own line): the input ``file`` (default
        the trajectory's source), the plateau's index, every field of its row, and the run's ``records`` and
        ``run_notes``. A run without a plateau gives one object with ``plateau`` null, so that every input file
        has at least one line."""
        head = {"file": self.source if file is None else file, "records": self.records}
        tail = {"run_notes": list(self.notes)}
        if not self.rows:
            return [{**head, "plateau": None, "notes": [], **tail}]
        return [{**head, **r.to_json(), **tail} for r in self.rows]

    def table(self) -> str:
        """One row per plateau (the exact forms of irrational values below the table). For a regularized run
        (every lambda_h > 0) the column S is "pairs": the active singular pairs of M = Y X^T / c, their product
        values s_i listed below the table."""
        pairs = any(r.regularized for r in self.rows)
        head = ("#", "steps", "float loss", "critical value", "pairs" if pairs else "S", "rank", "kind", "distance")
        body = []
        for r in self.rows:
            p = r.plateau
            cv = r.critical_value
            body.append((str(r.index), f"{step_json(p.start_step)}-{step_json(p.end_step)}",
                         f"{r.float_loss:.10g}", cv.decimal if cv else "-", _fitted_text(r.fitted),
                         str(r.rank) if r.rank is not None else "-", _kind_text(r.kind),
                         _distance_text(r.distance, r.relative_distance, r.snapped)))
        widths = [max(len(row[i]) for row in [head] + body) for i in range(len(head))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in [head] + body]
        exact = [line for r in self.rows if r.critical_value is not None for line in
                 [f"  {r.index}: critical value = {r.critical_value.exact_text}"
                  + (f" (field degree {r.field_degree})" if r.field_degree and r.field_degree > 1 else "")]
                 + [f"     {_pair_text(i, s, b)}" for i, s, b in r._pairs()]]
        extra = [f"  {r.index}: {n}" for r in self.rows for n in r.notes]
        extra += [f"  {r.index}: certificate {r.certificate}" for r in self.rows if r.certificate]
        return "\n".join(lines + (["exactly:"] + exact if exact else []) + (["notes:"] + extra if extra else []))

    def __str__(self) -> str:
        head = (f"{self.source or 'trajectory'}: {self.records} records, {len(self.rows)} "
                f"plateau{'s' if len(self.rows) != 1 else ''}")
        return "\n".join([head, self.table()] + [f"note: {n}" for n in self.notes])


def trace(trajectory: Trajectory, *, rule: PlateauRule | None = None, degree_cap: int = 64,
          classify: bool = True, tolerance: float = 1e-6) -> Trace:
    """The saddles of a training run: its plateaus (:func:`find_plateaus`) and, for each, the exact critical
    point nearest to the run's closest record, with its exact critical value, fitted set S, rank, kind and
    distance (module docstring). With full-rank X X^T the critical value is (||Y||_F^2 - sum_{i in S}
    lambda_i(Sigma)) / 2 (docs/maths/classification.md §2; Achour, Malgouyres, Gerchinovitz 2024), so the
    rows are the exact steps of the staircase of Saxe, McClelland, Ganguli (2014). ``classify=False`` skips the
    exact classification (kind None), the costly part over number fields of high degree. A row is ``snapped`` when
    the run's own record is within ``tolerance`` (relative, as ``snap``) of its exact point; the distance is always
    reported. How close a run comes is set by its start (docs/howto/trace.md, "How close a run comes").
    With every lambda_h > 0 and X X^T = c I the rows are the closed-form critical points of Theorem R1
    (docs/maths/regularized.md §3; module docstring), S their active singular pairs of M = Y X^T / c."""
    rule = rule or PlateauRule()
    problem = trajectory.problem
    computed, norms = run_losses(problem, trajectory.weights)
    notes: list[str] = []
    loss = computed
    if trajectory.loss is not None:
        loss = trajectory.loss
        scale = np.maximum(np.abs(computed), 1e-300)
        worst = float(np.max(np.abs(trajectory.loss - computed) / scale))
        if worst > 1e-6:
            notes.append(f"the recorded loss differs from L(W) = 1/2 ||W_H...W_1 X - Y||_F^2 (+ lambda/2 sum ||W_h||^2) "
                         f"by up to a relative {worst:.2g}: the plateaus are found on the recorded loss, the rows "
                         "show L(W)")
    plateaus = find_plateaus(trajectory.steps, loss, norms, rule)
    rows = tuple(dataclasses.replace(plateau_point(problem, trajectory.at(p.at), p, i, degree_cap=degree_cap,
                                                   classify=classify), tolerance=tolerance)
                 for i, p in enumerate(plateaus, 1))
    if not plateaus:
        notes.append("no plateau found by the rule " + ", ".join(f"{k} = {v:g}" for k, v in rule.to_json().items()))
    return Trace(trajectory.source, rows, rule, trajectory.records, trajectory.steps, loss, norms, tuple(notes))


def certify_plateaus(result: Trace, directory: str | os.PathLike) -> Trace:
    """Write, for every row with an exact point, the point file ``plateau_<i>.json`` and its certificate
    ``plateau_<i>.cert.json`` into ``directory`` (made if missing), through :func:`exactdln.certify` (over Q,
    or over a number field through exactdln/certify/field.py), which runs the standalone checker
    before a certificate is kept. A certificate that cannot be made or is refused is not written; the row's
    notes say why. Returns the trace with each row's ``certificate`` (or a note)."""
    import json

    folder = os.fspath(directory)
    os.makedirs(folder, exist_ok=True)
    rows = []
    for row in result.rows:
        if row.point is None:
            rows.append(row)
            continue
        point_path = os.path.join(folder, f"plateau_{row.index}.json")
        with open(point_path, "w", encoding="utf-8") as fh:
            json.dump(row.point, fh)
            fh.write("\n")
        cert_path = os.path.join(folder, f"plateau_{row.index}.cert.json")
        try:
            written, note = _certify_point(row.point, cert_path)
        except (InputError, ValueError, ArithmeticError) as err:
            written, note = False, f"not certified: {err}"
        notes = row.notes + ((note,) if note else ())
        rows.append(dataclasses.replace(row, certificate=cert_path if written else None, notes=notes))
    return dataclasses.replace(result, rows=tuple(rows))


def _certify_point(point_json: dict[str, Any], path: str) -> tuple[bool, str | None]:
    from exactdln.certify.point import certify, write_certificate

    if "field" in point_json:
        from exactdln.model.field_format import algebraic_point_from_mapping

        problem, weights = algebraic_point_from_mapping(point_json)
        try:
            certificate = certify(problem, weights)      # dispatches to exactdln/certify/field.py
        except (TypeError, AttributeError, NotImplementedError):
            return False, ("certification over a number field is not available in this installation: the "
                           "point file is written, classify reads it")
    else:
        problem, weights = _rational_point(point_json)
        certificate = certify(problem, weights)
    if not certificate.ok:
        return False, "the standalone checker did not accept the certificate: not written"
    write_certificate(certificate, path)
    return True, (None if certificate.kind else "certificate written without a kind claim: "
                  + "; ".join(certificate.notes))
