"""Signs of polynomials under the declared parameter assumptions, by a small sign algebra.

Each assumption is the set of signs a parameter may take: real {-, 0, +}, nonzero {-, +},
positive {+}, negative {-}, nonnegative {0, +}. The signs a term c x_1^e_1 ... x_n^e_n can take
are the products sign(c) s_1^e_1 ... s_n^e_n over all choices s_i in the parameters' sets. A sum
of terms is then

- of definite sign s (nonzero, sign s at every admissible point) when every term's set lies in
  {0, s} and one term's set is {s} (a sum of terms of sign s or 0 with one term never 0);
- nonzero when it has a definite sign, or is a single term whose set does not contain 0.

These are the sufficient tests that exactdln/trusted/FAMILY_FORMAT.md states for family
certificates ("nonzero outside the exceptional set", "known sign"); the family checker
(exactdln/trusted/checker_family.py) implements the same rule independently, so a sign the engine
decides here is a sign the checker accepts. A polynomial is any object with ``terms()``
returning (exponent tuple, coefficient) pairs, such as a sympy PolyElement.
"""

from __future__ import annotations

from functools import reduce
from typing import Any, Sequence

__all__ = ["ASSUMPTION_SIGNS", "term_signs", "definite_sign", "cannot_vanish", "zero_set_key"]

ASSUMPTION_SIGNS: dict[str, frozenset[int]] = {
    "real": frozenset({-1, 0, 1}),
    "nonzero": frozenset({-1, 1}),
    "positive": frozenset({1}),
    "negative": frozenset({-1}),
    "nonnegative": frozenset({0, 1}),
}


def _times(a: frozenset[int], b: frozenset[int]) -> frozenset[int]:
    return frozenset(x * y for x in a for y in b)


def term_signs(monomial: Sequence[int], coefficient: Any, kinds: Sequence[str]) -> frozenset[int]:
    """The set of signs of c prod x_i^e_i when each x_i ranges over its assumption's sign set."""
    start = frozenset({1 if coefficient > 0 else -1})
    powers = (frozenset(s ** e for s in ASSUMPTION_SIGNS[kind]) for e, kind in zip(monomial, kinds) if e)
    return reduce(_times, powers, start)


def definite_sign(poly: Any, kinds: Sequence[str]) -> int:
    """+1 / -1 when ``poly`` has that strict sign at every point satisfying the assumptions, 0 when
    the sign algebra cannot tell (the zero polynomial included)."""
    sets = [term_signs(m, c, kinds) for m, c in poly.terms() if c]
    for s in (1, -1):
        if sets and all(t <= {0, s} for t in sets) and any(t == {s} for t in sets):
            return s
    return 0


def cannot_vanish(poly: Any, kinds: Sequence[str]) -> bool:
    """``poly`` is nonzero at every point satisfying the assumptions: a definite sign, or one term
    whose sign set excludes 0 (a monomial in parameters declared nonzero, positive or negative)."""
    if definite_sign(poly, kinds):
        return True
    terms = [(m, c) for m, c in poly.terms() if c]
    return len(terms) == 1 and 0 not in term_signs(terms[0][0], terms[0][1], kinds)


def zero_set_key(poly: Any) -> Any:
    """A canonical generator of the polynomial's zero set among its nonzero constant multiples (the
    monic multiple in the ring's monomial order): two factors are the same exceptional polynomial iff
    their keys are equal."""
    return poly.monic()
