"""Factoring the polynomials of a family's analysis over Q, by FLINT.

sympy's factor_list (Wang's algorithm) looks for primes near the size of the coefficients: a family entry
such as ``1e200*a`` gives polynomials with coefficients of hundreds of digits, and sympy then spends
minutes in ``nextprime``. FLINT's multivariate factoring (fmpz_mpoly.factor) returns the same factors of
the same polynomials in milliseconds, so every factorization of the symbolic layer goes through here.
"""

from __future__ import annotations

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
    from flint import fmpz_mpoly_ctx

    domain = ring.domain
    denominator, integral = poly.clear_denoms()
    ctx = fmpz_mpoly_ctx.get(tuple(str(x) for x in ring.symbols), "lex")
    flint_poly = ctx.from_dict({monomial: int(getattr(c, "numerator", c)) for monomial, c in integral.items()})
    content, factors = flint_poly.factor()
    if domain == QQ:
        c = domain(int(content)) / domain(int(getattr(denominator, "numerator", denominator)))
    else:
        c = domain(int(content))
    out = [(ring.from_dict({monomial: domain(int(x)) for monomial, x in f.to_dict().items()}).to_dense(), int(e))
           for f, e in factors]
    return c, [(ring.from_dense(f), e) for f, e in _sort_factors(out)]      # sympy's order of the factors
