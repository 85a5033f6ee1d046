"""Factoring the polynomials of a family's analysis over Q, by FLINT.

sympy's factor_list (Wang's algorithm) looks for primes near the size of the coefficients: a family entry
such as ``1e200*a`` gives polynomials with coefficients of hundreds of digits, and sympy then spends
minutes in ``nextprime``. FLINT's multivariate factoring (fmpz_mpoly.factor) returns the same factors of
the same polynomials in milliseconds, so every factorization of the symbolic layer goes through here.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from sympy import QQ, ZZ
from sympy.polys.polyutils import _sort_factors

__all__ = ["factor_list"]


def factor_list(poly: Any) -> tuple[Any, list[tuple[Any, int]]]:
    """(c, [(f_i, e_i)]) with poly = c prod f_i^e_i, the f_i distinct irreducible primitive integer polynomials.

    ``poly`` is a sympy PolyElement over ZZ or QQ (the result is in the same ring, as sympy's
    ``PolyElement.factor_list`` returns it: c in the ground domain, each f_i primitive with a positive leading
    coefficient in the ring's order); rings over other domains or orders are left to sympy.
    """
    ring = poly.ring
    if ring.domain not in (ZZ, QQ) or ring.ngens == 0 or str(ring.order) not in ("lex", "LexOrder()") or not poly:
        return poly.factor_list()
    from flint import fmpq_mpoly_ctx, fmpz_mpoly_ctx

    domain = ring.domain
    names = tuple(str(x) for x in ring.symbols)
    _, integral = poly.clear_denoms()
    coefficients = {monomial: int(getattr(c, "numerator", c)) for monomial, c in integral.items()}
    try:
        _, factors = fmpz_mpoly_ctx.get(names, "lex").from_dict(coefficients).factor()
    except OverflowError:
        # python-flint 0.9 sorts the factors of an fmpz_mpoly by a key that converts coefficients to a C long
        # (fuzz input 9238: 659-bit coefficients); its fmpq_mpoly factors the same polynomial without that sort
        _, factors = fmpq_mpoly_ctx.get(names, "lex").from_dict(coefficients).factor()
    out = []
    lead = Fraction(1)
    for f, e in factors:
        terms = {monomial: Fraction(int(c.p), int(c.q)) if hasattr(c, "q") else Fraction(int(c))
                 for monomial, c in f.to_dict().items()}
        scale = math.lcm(*(x.denominator for x in terms.values()))
        integers = {monomial: int(x * scale) for monomial, x in terms.items()}
        g = math.gcd(*integers.values())
        sign = 1 if integers[max(integers)] > 0 else -1           # positive leading coefficient in lex order
        integers = {monomial: sign * x // g for monomial, x in integers.items()}
        lead *= Fraction(integers[max(integers)]) ** int(e)
        out.append((ring.from_dict({monomial: domain(x) for monomial, x in integers.items()}).to_dense(), int(e)))
    # poly = c prod f_i^e_i, so c = LC(poly) / prod LC(f_i)^e_i (lex order: the largest exponent tuple)
    top = poly.LC
    top = Fraction(int(getattr(top, "numerator", top)), int(getattr(top, "denominator", 1))) / lead
    c = domain(top.numerator) / domain(top.denominator) if domain == QQ else domain(int(top))
    return c, [(ring.from_dense(f), e) for f, e in _sort_factors(out)]      # sympy's order of the factors
