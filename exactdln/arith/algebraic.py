"""Real algebraic numbers: a squarefree rational polynomial and a rational isolating interval.

A real algebraic number alpha is held as (p, [lower, upper]) with p in Q[x] squarefree,
lower <= alpha <= upper, and alpha the only root of p in the interval; a rational number has
lower == upper and a linear p. Nothing is ever rounded: the interval comes from FLINT's
certified arb balls (``fmpq_poly.complex_roots``) and is accepted only after the sign change
of p at its rational endpoints has been verified exactly, so each interval holds exactly one
root (intermediate value theorem; uniqueness from the disjointness of the certified balls).
Refinement is exact bisection. The construction is the one of docs/maths/regularized.md §5.1
step 3, where the roots of Theorem R1 are isolated this way.

:mod:`exactdln.arith.realroots` isolates the roots of real-rooted polynomials (characteristic
polynomials of symmetric matrices) with multiplicity-free intervals and compares roots of
different polynomials; this module factors over Q first and keeps each root with its
irreducible factor and multiplicity, which is what a number field built on it needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

from flint import arb, fmpq, fmpq_poly

from exactdln.arith.exact import to_fmpq as _q, to_fraction
from exactdln.model.results import decimal_text, fraction_text

__all__ = ["AlgebraicReal", "real_roots", "rational_enclosure"]


def rational_enclosure(x: arb) -> tuple[Fraction, Fraction]:
    """Rational endpoints [mid - 2 rad, mid + 2 rad] enclosing the arb ball x (outward, exact).

    The radius is doubled (and a zero radius replaced by 2^-200) so that a root at the edge
    of FLINT's ball still lies strictly inside, where the sign test at the endpoints can see it.
    """
    m, e = x.mid().man_exp()
    r, f = x.rad().man_exp()
    mid = Fraction(int(m)) * (Fraction(2) ** int(e))
    rad = Fraction(int(r)) * (Fraction(2) ** int(f))
    rad = rad * 2 if rad else Fraction(1, 2**200)
    return mid - rad, mid + rad


def _sign(x: fmpq) -> int:
    return (x > 0) - (x < 0)


def _poly_text(coefficients: Sequence[Fraction]) -> str:
    terms = [f"{fraction_text(c)}*x^{k}" for k, c in enumerate(coefficients) if c != 0]
    return " + ".join(reversed(terms)) or "0"


@dataclass(frozen=True)
class AlgebraicReal:
    """A real algebraic number: the unique root of ``polynomial`` in [lower, upper].

    ``polynomial`` holds the coefficients (constant first) of a squarefree rational
    polynomial with a verified sign change on [lower, upper] and exactly one root there.
    A rational number has lower == upper and a linear polynomial.
    """

    polynomial: tuple[Fraction, ...]
    lower: Fraction
    upper: Fraction

    @classmethod
    def rational(cls, x: Fraction | int) -> "AlgebraicReal":
        """The rational number x as the root of x - t in [x, x]."""
        x = Fraction(x)
        return cls((-x, Fraction(1)), x, x)

    @property
    def is_rational(self) -> bool:
        return self.lower == self.upper

    @property
    def value(self) -> Fraction:
        """The exact value of a rational number; ValueError for an irrational one."""
        if not self.is_rational:
            raise ValueError("irrational algebraic number has no exact Fraction value")
        return self.lower

    def _poly(self) -> fmpq_poly:
        return fmpq_poly([_q(c) for c in self.polynomial])

    def refine(self, width: Fraction) -> "AlgebraicReal":
        """Bisect (with exact sign evaluation) until upper - lower <= width.

        A midpoint where the polynomial vanishes is the number itself, returned as a rational.
        """
        if self.is_rational:
            return self
        p = self._poly()
        # the bisection runs in FLINT rationals: with Python Fractions each step's gcd dominated (20,000 steps of a
        # hostile lambda took 9 s)
        lo, hi, target = _q(self.lower), _q(self.upper), _q(width)
        s_lo = _sign(p(lo))
        while hi - lo > target:
            mid = (lo + hi) / 2
            s_mid = _sign(p(mid))
            if s_mid == 0:
                return AlgebraicReal.rational(Fraction(int(mid.p), int(mid.q)))
            if s_mid == s_lo:
                lo = mid
            else:
                hi = mid
        return AlgebraicReal(self.polynomial, Fraction(int(lo.p), int(lo.q)), Fraction(int(hi.p), int(hi.q)))

    def ball(self) -> arb:
        """An arb ball containing the number: the isolating interval as midpoint and radius (exact)."""
        if self.is_rational:
            return arb(_q(self.lower))
        lo, hi = _q(self.lower), _q(self.upper)
        return arb((lo + hi) / 2, (hi - lo) / 2)

    def __float__(self) -> float:
        return float((self.lower + self.upper) / 2)

    def to_json(self) -> Any:
        if self.is_rational:
            return fraction_text(self.lower)
        return {"polynomial": [fraction_text(c) for c in self.polynomial],
                "interval": [fraction_text(self.lower), fraction_text(self.upper)],
                "approx": _float_or_none((self.lower + self.upper) / 2)}

    def __str__(self) -> str:
        if self.is_rational:
            return fraction_text(self.lower)
        # decimal_text, not float(): a root of a polynomial with 4,000-digit coefficients can lie beyond 1e308
        return (f"root of {_poly_text(self.polynomial)} in [{decimal_text(self.lower, 12)[0]}, "
                f"{decimal_text(self.upper, 12)[0]}]")


def _float_or_none(x: Fraction) -> float | None:
    """float(x), or None (JSON null) when x is beyond the float range."""
    try:
        return float(x)
    except OverflowError:
        return None


def real_roots(polynomial: fmpq_poly) -> list[tuple[AlgebraicReal, int]]:
    """All real roots of a nonzero rational polynomial with multiplicities, in increasing order.

    The polynomial is factored over Q (FLINT); a linear factor gives an exact rational
    root. For an irreducible factor of higher degree (hence squarefree), FLINT's
    ``complex_roots`` returns certified disjoint balls with real roots carrying an exact
    zero imaginary part; each real ball is widened to a rational interval on which the
    sign change is verified exactly, so each interval holds exactly one root
    (docs/maths/regularized.md §5.1 step 5). It is one uninterruptible FLINT call, so callers with hostile
    coefficients use structure first (docs/maths/regularized.md §5.1 step 3).
    """
    if polynomial == 0:
        raise ValueError("the zero polynomial has every number as a root")
    out: list[tuple[AlgebraicReal, int]] = []
    _, factors = polynomial.factor()
    for factor, multiplicity in factors:
        coefficients = [to_fraction(fmpq(c)) for c in factor.coeffs()]
        if factor.degree() == 1:
            out.append((AlgebraicReal.rational(-coefficients[0] / coefficients[1]), multiplicity))
            continue
        if factor.degree() < 1:
            continue
        roots = [z for z, _ in factor.complex_roots() if z.imag == 0]
        intervals = sorted(rational_enclosure(z.real) for z in roots)
        for (lo, hi), nxt in zip(intervals, intervals[1:] + [None]):
            if nxt is not None and hi >= nxt[0]:
                raise ArithmeticError("arb balls of distinct real roots overlap after widening")
            if _sign(factor(_q(lo))) * _sign(factor(_q(hi))) >= 0:
                raise ArithmeticError("no verified sign change on an isolating interval")
            out.append((AlgebraicReal(tuple(coefficients), lo, hi), multiplicity))
    return sorted(out, key=lambda rm: (rm[0].lower, rm[0].upper))
