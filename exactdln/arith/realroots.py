"""Exact real-root isolation for real-rooted rational polynomials.

The characteristic polynomial of a rational symmetric matrix has only real roots.
FLINT's ``complex_roots`` returns rigorous balls; we turn each into a rational interval
and then *verify* it exactly: the intervals are disjoint and the squarefree part
changes sign across each (or vanishes at a degenerate one), so each contains exactly
one distinct root. Comparisons between roots of different polynomials refine the
intervals by exact bisection and settle ties with the gcd.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from flint import arb, ctx, fmpq, fmpq_poly

__all__ = ["RealRoot", "squarefree_part", "isolate_real_roots", "rational_roots_among", "compare_roots", "sign_at"]


def squarefree_part(poly: fmpq_poly) -> fmpq_poly:
    """p / gcd(p, p'): same roots, all simple."""
    g = poly.gcd(poly.derivative())
    return poly if g.degree() <= 0 else poly // g


def sign_at(poly: fmpq_poly, x: Fraction) -> int:
    value = poly(fmpq(x.numerator, x.denominator))
    return (value > 0) - (value < 0)


def _exact(a: arb) -> Fraction:
    mantissa, exponent = a.man_exp()
    mantissa, exponent = int(mantissa), int(exponent)
    return Fraction(mantissa * 2**exponent) if exponent >= 0 else Fraction(mantissa, 2**-exponent)


@dataclass(frozen=True)
class RealRoot:
    """The unique root of the squarefree polynomial ``poly`` in [lo, hi] (lo == hi: a rational root)."""

    poly: fmpq_poly
    lo: Fraction
    hi: Fraction

    def bisect(self) -> "RealRoot":
        if self.lo == self.hi:
            return self
        mid = (self.lo + self.hi) / 2
        s_mid = sign_at(self.poly, mid)
        if s_mid == 0:
            return RealRoot(self.poly, mid, mid)
        if s_mid == sign_at(self.poly, self.lo):
            return RealRoot(self.poly, mid, self.hi)
        return RealRoot(self.poly, self.lo, mid)

    def __float__(self) -> float:
        mid = (self.lo + self.hi) / 2
        try:
            return float(mid)
        except OverflowError:       # a root beyond float64 (entries near 10^4300): shown as +-inf in messages
            return float("inf") if mid > 0 else float("-inf")


def isolate_real_roots(poly: fmpq_poly) -> list[RealRoot]:
    """Distinct real roots of a real-rooted polynomial, increasing, as verified rational intervals."""
    sqf = squarefree_part(poly)
    n = sqf.degree()
    if n <= 0:
        return []
    old = ctx.prec
    try:
        for prec in (64, 128, 256, 512, 1024, 4096):
            ctx.prec = prec
            intervals = []
            for z, _ in sqf.complex_roots():
                re = z.real
                lo, hi = _exact(re.lower()), _exact(re.upper())
                intervals.append((lo, hi))
            intervals.sort()
            roots = _verify(sqf, intervals)
            if roots is not None:
                return roots
    finally:
        ctx.prec = old
    raise ArithmeticError("real-root isolation failed: is the polynomial real-rooted?")


def rational_roots_among(poly: fmpq_poly, candidates: list[fmpq]) -> list[RealRoot] | None:
    """The roots of ``poly`` as exact points, increasing, when they are all among the distinct rationals
    ``candidates``; None when fewer than deg(poly) candidates are roots (then isolate instead).

    Exact: each candidate kept has poly(c) = 0; deg(poly) distinct roots of a polynomial of that degree are
    all of its roots, each simple, so ``poly`` is squarefree and each RealRoot(poly, c, c) is the unique
    root in its (one-point) interval. Used when a characteristic polynomial is known to split over Q
    (exactdln/landscape/spectral.py; docs/maths/classification.md §3.8), where root isolation would only
    rediscover its rational roots.
    """
    n = poly.degree()
    if n < 0:
        return None
    roots = sorted(c for c in set(candidates) if poly(c) == 0)
    if len(roots) != n:
        return None
    return [RealRoot(poly, Fraction(int(c.p), int(c.q)), Fraction(int(c.p), int(c.q))) for c in roots]


def _verify(sqf: fmpq_poly, intervals: list[tuple[Fraction, Fraction]]) -> list[RealRoot] | None:
    if len(intervals) != sqf.degree():
        return None
    roots = []
    for k, (lo, hi) in enumerate(intervals):
        if k and intervals[k - 1][1] >= lo:
            return None
        s_lo, s_hi = sign_at(sqf, lo), sign_at(sqf, hi)
        if s_lo == 0 and s_hi == 0 and lo != hi:
            return None
        if s_lo == 0:
            roots.append(RealRoot(sqf, lo, lo))
        elif s_hi == 0:
            roots.append(RealRoot(sqf, hi, hi))
        elif s_lo * s_hi < 0:
            roots.append(RealRoot(sqf, lo, hi))
        else:
            return None
    return roots


def compare_roots(a: RealRoot, b: RealRoot, max_steps: int = 4000) -> int:
    """Sign of a - b, exactly: refine by bisection; a tie is confirmed by a common root of the gcd."""
    g = a.poly.gcd(b.poly)
    for _ in range(max_steps):
        if a.hi < b.lo:
            return -1
        if b.hi < a.lo:
            return 1
        if a.lo == a.hi == b.lo == b.hi:
            return 0
        if g.degree() > 0:
            lo, hi = max(a.lo, b.lo), min(a.hi, b.hi)
            # a root of g in [lo, hi] is a root of a.poly in a's interval and of b.poly in b's: both are it
            s_lo, s_hi = sign_at(g, lo), sign_at(g, hi)
            if s_lo == 0 and lo in (a.lo, a.hi) and lo in (b.lo, b.hi) and a.lo == a.hi and b.lo == b.hi:
                return 0
            if s_lo * s_hi < 0 or (s_lo == 0 and _root_at(a, lo) and _root_at(b, lo)) or (
                s_hi == 0 and _root_at(a, hi) and _root_at(b, hi)
            ):
                return 0
        a, b = a.bisect(), b.bisect()
    raise ArithmeticError("could not separate two real roots")


def _root_at(r: RealRoot, x: Fraction) -> bool:
    return r.lo <= x <= r.hi and sign_at(r.poly, x) == 0
