"""Cross-check the exact, float64 and mpmath paths on one point, and the stress corpus.

A *contradiction* is two definite kinds that differ, or two inertias that were both
decided and differ. ``inconclusive`` (numeric) and ``undecided`` (exact) contradict
nothing. The numeric paths' contract (issue 3) is that they never contradict the exact
path; :func:`crosscheck` is how that contract is checked.

The stress corpus (:func:`stress_corpus`) holds badly scaled, near-degenerate and wide
variants of critical points whose class is known from achour.md §3 families
(:mod:`exactdln.construct`): hidden changes of basis W_h -> D_h W_h D_{h-1}^-1 with
D_h = diag(10^k, 10^-k, ...) keep criticality, the class and (Sylvester) the inertia,
but spread the float spectrum over many decades.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

from .highprec import DEFAULT_MAX_DIGITS, classify_mp
from .numeric import NumericClassification, classify_float
from .problem import Problem, RationalMatrix, normalize_point
from .results import KINDS, UNDECIDED, Classification, Inertia

__all__ = ["CrosscheckResult", "crosscheck", "contradictions", "scale_hidden", "stress_corpus", "StressCase"]

_DEFINITE = tuple(k for k in KINDS if k != UNDECIDED)


@dataclass(frozen=True)
class CrosscheckResult:
    """The three paths on one point and whether any two contradict each other."""

    source: str | None
    exact: Classification | None
    float64: NumericClassification
    mp: NumericClassification | None
    exact_error: str | None
    conflicts: tuple[str, ...]

    @property
    def agree(self) -> bool:
        return not self.conflicts

    @property
    def exact_kind(self) -> str:
        return self.exact.kind if self.exact is not None else "unavailable"

    def row(self) -> dict[str, Any]:
        def inertia(i: Inertia | None) -> str:
            return "-" if i is None else str(i)

        return {
            "file": self.source or "-",
            "exact_kind": self.exact_kind,
            "float_kind": self.float64.kind,
            "mp_kind": self.mp.kind if self.mp else "-",
            "exact_inertia": inertia(self.exact.inertia if self.exact else None),
            "float_inertia": inertia(self.float64.inertia),
            "mp_inertia": inertia(self.mp.inertia if self.mp else None),
            "mp_digits": self.mp.digits if self.mp else None,
            "agree": self.agree,
        }

    def to_json(self) -> dict[str, Any]:
        out = self.row()
        out["exact_inertia"] = self.exact.inertia.to_json() if self.exact and self.exact.inertia else None
        out["float_inertia"] = self.float64.inertia.to_json() if self.float64.inertia else None
        out["mp_inertia"] = self.mp.inertia.to_json() if self.mp and self.mp.inertia else None
        out["conflicts"] = list(self.conflicts)
        out["exact_error"] = self.exact_error
        out["float"] = self.float64.to_json()
        out["mp"] = self.mp.to_json() if self.mp else None
        return out


def contradictions(named: Sequence[tuple[str, str | None, Inertia | None]]) -> tuple[str, ...]:
    """Pairs of paths whose definite kinds differ or whose decided inertias differ."""
    out = []
    for a in range(len(named)):
        for b in range(a + 1, len(named)):
            (na, ka, ia), (nb, kb, ib) = named[a], named[b]
            if ka in _DEFINITE and kb in _DEFINITE and ka != kb:
                out.append(f"{na} says {ka}, {nb} says {kb}")
            if ia is not None and ib is not None and ia != ib:
                out.append(f"{na} inertia {ia} != {nb} inertia {ib}")
    return tuple(out)


def _exact_classification(problem: Problem, weights: Any) -> tuple[Classification | None, str | None]:
    try:
        from .classify import classify  # the exact core (lead's module)
    except ImportError as err:
        return None, f"exact path unavailable: {err}"
    return classify(problem, weights), None


def crosscheck(problem: Problem, weights: Any, *, source: str | None = None, exact: bool = True,
               mp: bool = True, max_digits: int = DEFAULT_MAX_DIGITS) -> CrosscheckResult:
    """Run the exact, float64 and mpmath paths on one point and list contradictions."""
    ws = normalize_point(problem, weights)
    ex, err = _exact_classification(problem, ws) if exact else (None, "exact path skipped")
    fl = classify_float(problem, ws)
    hp = classify_mp(problem, ws, max_digits=max_digits) if mp else None
    named = [("float64", fl.kind, fl.inertia)]
    if hp is not None:
        named.append(("mpmath", hp.kind, hp.inertia))
    if ex is not None:
        named.insert(0, ("exact", ex.kind, ex.inertia))
    return CrosscheckResult(source, ex, fl, hp, err, contradictions(named))


# --------------------------------------------------------------------------------------
# stress corpus
# --------------------------------------------------------------------------------------


def scale_hidden(weights: Sequence[RationalMatrix], k: int) -> tuple[RationalMatrix, ...]:
    """W_h -> D_h W_h D_{h-1}^-1 with D_h = diag(10^k, 10^-k, 10^k, ...) on hidden layers, D_0 = D_H = I.

    A linear isomorphism of parameter space that leaves W_{H:1} and L unchanged, so it
    preserves criticality, the class and the Hessian inertia (achour.md §7).
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
    """One corpus point and its class from a family theorem (achour.md §3)."""

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
    from . import construct

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
