"""The verdicts of the cross-check: one path's verdict, the contradiction rule, and the result on one point.

Shared by :mod:`exactdln.tools.crosscheck` (rational points) and :mod:`exactdln.tools.field_crosscheck` (points over
a number field); the rule is stated in :mod:`exactdln.tools.crosscheck`'s docstring.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

from exactdln.model.results import (
    GLOBAL_MINIMIZER,
    KINDS,
    LOCAL_MINIMIZER,
    NON_STRICT_SADDLE,
    STRICT_SADDLE,
    UNDECIDED,
    Classification,
    Inertia,
    Verdict,
)
from exactdln.numeric.float64 import NumericClassification

__all__ = ["CrosscheckResult", "PathVerdict", "contradictions", "SNAP_NOTE"]

_DEFINITE = tuple(k for k in KINDS if k != UNDECIDED)
_CRITICAL_KINDS = (GLOBAL_MINIMIZER, LOCAL_MINIMIZER, STRICT_SADDLE, NON_STRICT_SADDLE)

SNAP_NOTE = ("the point is not critical; it is within float tolerance of criticality: run `exactdln snap {file}` "
             "to find the exact critical point it approximates")


@dataclass(frozen=True)
class PathVerdict:
    """One path's verdict as the contradiction rule reads it.

    ``kind`` is definite (a kind of :data:`exactdln.model.results.KINDS` other than ``undecided``) or
    not (``inconclusive``, ``undecided``, ``unavailable``); ``conditional_kind`` holds only if the
    point is critical; ``inertia`` is compared only when ``at_critical_point`` (the path analysed
    the point as a critical point and the point is critical).
    """

    name: str
    kind: str
    inertia: Inertia | None = None
    conditional_kind: str | None = None
    at_critical_point: bool = False

    @property
    def definite(self) -> bool:
        return self.kind in _DEFINITE


def _as_verdict(v: PathVerdict | tuple) -> PathVerdict:
    if isinstance(v, PathVerdict):
        return v
    name, kind, inertia = v
    return PathVerdict(name, kind, inertia, None, kind in _CRITICAL_KINDS)


def contradictions(verdicts: Sequence[PathVerdict | tuple[str, str | None, Inertia | None]]) -> tuple[str, ...]:
    """The pairs of paths that contradict each other (rule in the module docstring).

    A plain ``(name, kind, inertia)`` tuple is a path with a definite or inconclusive kind whose
    inertia is that of a critical point when its kind is a critical kind.
    """
    vs = [_as_verdict(v) for v in verdicts]
    out = []
    for i in range(len(vs)):
        for j in range(i + 1, len(vs)):
            a, b = vs[i], vs[j]
            if a.definite and b.definite and a.kind != b.kind:
                out.append(f"{a.name} says {a.kind}, {b.name} says {b.kind}")
            for x, y in ((a, b), (b, a)):
                if (x.conditional_kind is not None and y.definite and y.kind in _CRITICAL_KINDS
                        and x.conditional_kind != y.kind):
                    out.append(f"{x.name} says {x.conditional_kind} if critical, {y.name} says the point is critical "
                               f"and {y.kind}")
            if (a.inertia is not None and b.inertia is not None and a.at_critical_point and b.at_critical_point
                    and a.inertia != b.inertia):
                out.append(f"{a.name} inertia {a.inertia} != {b.name} inertia {b.inertia}")
    return tuple(out)


@dataclass(frozen=True)
class CrosscheckResult(Verdict):
    """The three paths on one point, whether any two contradict each other, and notes.

    ``exact_gradient_norm`` is ||grad L||_F of the exact gradient, as a float (0.0 exactly at a
    critical point; a nonzero norm below the float range shows as 0.0 with ``critical`` False).
    """

    source: str | None
    exact: Classification | None
    float64: NumericClassification
    mp: NumericClassification | None
    exact_error: str | None
    conflicts: tuple[str, ...]
    exact_gradient_norm: float | None = None
    notes: tuple[str, ...] = ()

    @property
    def agree(self) -> bool:
        return not self.conflicts

    @property
    def exact_kind(self) -> str:
        return self.exact.kind if self.exact is not None else "unavailable"

    @property
    def exact_critical(self) -> bool | None:
        return self.exact.critical if self.exact is not None else None

    # The shared names of Verdict are the exact path's (the arbiter); float64 and mp hold the others.
    @property
    def kind(self) -> str:
        return self.exact_kind

    @property
    def critical(self) -> bool | None:
        return self.exact_critical

    @property
    def inertia(self) -> Inertia | None:
        return self.exact.inertia if self.exact is not None else None

    @property
    def loss(self) -> Fraction | None:
        return self.exact.loss if self.exact is not None else None

    @property
    def fitted(self) -> tuple[int, ...] | None:
        return self.exact.fitted if self.exact is not None else None

    def row(self) -> dict[str, Any]:
        """One line of the text table: the verdicts and inertias of the three paths."""
        def inertia(i: Inertia | None) -> str:
            return "-" if i is None else str(i)

        return {
            "file": self.source or "-",
            "exact_kind": self.exact_kind,
            "exact_critical": _yes_no(self.exact_critical),
            "float_kind": self.float64.verdict_text(),
            "float_critical": self.float64.critical,
            "mp_kind": self.mp.verdict_text() if self.mp else "-",
            "mp_critical": self.mp.critical if self.mp else "-",
            "exact_inertia": inertia(self.exact.inertia if self.exact else None),
            "float_inertia": inertia(self.float64.inertia),
            "mp_inertia": inertia(self.mp.inertia if self.mp else None),
            "mp_digits": self.mp.digits if self.mp else None,
            "agree": self.agree,
        }

    def to_json(self) -> dict[str, Any]:
        """``file``, the exact ``critical``/``kind``/``inertia``/``gradient_norm``, ``float``, ``mp``,
        ``conflicts``, ``agree``, ``notes``, ``exact_error``."""
        return {
            "file": self.source,
            "critical": self.exact_critical,
            "kind": self.exact_kind,
            "inertia": self.exact.inertia.to_json() if self.exact and self.exact.inertia else None,
            "gradient_norm": self.exact_gradient_norm,
            "float": self.float64.to_json(),
            "mp": self.mp.to_json() if self.mp else None,
            "conflicts": list(self.conflicts),
            "agree": self.agree,
            "notes": list(self.notes),
            "exact_error": self.exact_error,
        }

    def __str__(self) -> str:
        lines = [f"{self.source or '<point>'}: " + ("paths agree" if self.agree else "CONTRADICTION")]
        if self.exact is not None:
            grad = "" if self.exact_gradient_norm is None else f", |grad| = {self.exact_gradient_norm:.3g}"
            if self.exact_gradient_norm == 0 and self.exact.critical is False:
                grad = ", |grad| > 0, below the float64 range"           # an exact nonzero that underflows
            lines.append(f"  exact:   {self.exact.kind} (critical: {_yes_no(self.exact.critical)}{grad})"
                         + (f"; Hessian inertia {self.exact.inertia}" if self.exact.inertia is not None else ""))
        else:
            lines.append(f"  exact:   unavailable ({self.exact_error})")
        for label, r in (("float64", self.float64), ("mpmath", self.mp)):
            if r is None:
                continue
            lines.append(f"  {label + ':':8} {r.verdict_text()}; critical: {r.critical_text()}"
                         + ("; input rounded" if r.rounded_input else "")
                         + (f"; Hessian inertia{' if critical' if r.critical == 'within_tolerance' else ''} {r.inertia}"
                            if r.inertia is not None else "")
                         + (f" ({r.digits} digits)" if label == "mpmath" else ""))
        lines += [f"  conflict: {c}" for c in self.conflicts]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def _yes_no(v: bool | None) -> str:
    return "-" if v is None else ("yes" if v else "no")
