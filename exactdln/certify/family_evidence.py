"""The engine's own computations behind family-certificate evidence (exactdln/trusted/FAMILY_FORMAT.md).

The prover (exactdln/certify/family.py) must write numbers that the family checker
(exactdln/trusted/checker_family.py) recomputes; it computes them here, over sympy's QQ(params) and
QQ[params], from the closed-form Hessian of exactdln/symbolic/hessian.py and matrix products of
polynomial curves, and never calls the checker's code, so that a mistake in one is not repeated
by the other (the de Bruijn criterion: the trusted checker is independent of the untrusted engine).

- ``clearing_denominator``: Delta = prod_h d_h, d_h the product of the distinct denominators of
  layer h as the certificate writes them (numerator and denominator of each sympy field element).
  The checker's psd_hessian claim eliminates M = Delta^2 Hess, so the pivots are polynomials only
  with this exact Delta.
- ``hessian_numerators``: M = Delta^2 Hess, Hess the Hessian of L over QQ(params)
  (:func:`exactdln.symbolic.hessian.family_hessian`, the polarized second-order form).
- ``schur_step``: one fraction-free symmetric elimination step M <- a M - M[:, p] M[p, :] on the
  remaining indices, a = M[p][p] (for a > 0, [[a, b^T], [b, C]] is PSD iff a C - b b^T is).
- ``loss_coefficients``: the coefficients in t of L(W + t C_1 + ... + t^p C_p) over QQ(params), by
  expanding the residual W_H(t)...W_1(t) X - Y as a polynomial in t with matrix coefficients.
"""

from __future__ import annotations

from typing import Any, Sequence

from sympy.polys.matrices import DomainMatrix

from exactdln.symbolic.family import Family
from exactdln.symbolic.hessian import family_hessian

__all__ = ["MAX_MINOR", "MAX_HESSIAN", "clearing_denominator", "as_polynomial", "hessian_numerators",
           "schur_step", "loss_coefficients"]

MAX_MINOR = 6          # FAMILY_FORMAT.md caps: rank minors of size <= 6 ...
MAX_HESSIAN = 40       # ... and psd_hessian for at most 40 parameters


def clearing_denominator(family: Family) -> Any:
    """Delta = prod_h (product of the distinct denominators of W_h's entries), a polynomial of QQ[params].

    Distinct as written: two entries share a factor of Delta only when their denominators are the same
    polynomial (FAMILY_FORMAT.md, "The checker clears denominators")."""
    ring = family.field.one.numer.ring
    delta = ring.one
    for W in family.weights:
        distinct = {e.denom for row in W.to_list() for e in row}
        for d in distinct:
            delta *= d
    return delta


def as_polynomial(e: Any) -> Any:
    """A field element with a constant denominator as a polynomial of QQ[params]; ValueError otherwise."""
    if not e.denom.is_ground:
        raise ValueError("not a polynomial: the denominator is not a constant")
    return e.numer.quo_ground(e.denom.LC)


def hessian_numerators(family: Family) -> list[list[Any]] | None:
    """M = Delta^2 Hess as polynomials, or None beyond MAX_HESSIAN parameters.

    Delta^2 clears every denominator of the Hessian: its entries are sums of products of two layer
    entries' derivatives, each layer's entries having denominators dividing d_h (the polarized form
    of exactdln/symbolic/hessian.py is quadratic in the layers)."""
    n = sum(a * b for a, b in zip(family.widths, family.widths[1:]))
    if n > MAX_HESSIAN:
        return None
    K = family.field
    square = K.new(clearing_denominator(family) ** 2)
    return [[as_polynomial(e * square) for e in row] for row in family_hessian(family).to_list()]


def schur_step(M: dict[int, dict[int, Any]], p: int, rest: Sequence[int]) -> dict[int, dict[int, Any]]:
    """a M[i][j] - M[i][p] M[p][j] for i, j in rest (p removed), a = M[p][p]: the fraction-free Schur
    complement, a times the ordinary one, so its PSD-ness is that of the ordinary one when a > 0."""
    a, row = M[p][p], M[p]
    keep = [i for i in rest if i != p]
    return {i: {j: M[i][j] * a - M[i][p] * row[j] for j in keep} for i in keep}


def _poly_matmul(A: list[DomainMatrix], B: list[DomainMatrix]) -> list[DomainMatrix]:
    """(sum_a t^a A_a)(sum_b t^b B_b) as its coefficient list."""
    out: list[DomainMatrix | None] = [None] * (len(A) + len(B) - 1)
    for a, Aa in enumerate(A):
        for b, Bb in enumerate(B):
            term = Aa * Bb
            out[a + b] = term if out[a + b] is None else out[a + b] + term
    return out  # type: ignore[return-value]


def _inner(A: DomainMatrix, B: DomainMatrix, K: Any) -> Any:
    """<A, B> = sum of the entrywise products."""
    total = K.zero
    for ra, rb in zip(A.to_list(), B.to_list()):
        for x, y in zip(ra, rb):
            if x and y:
                total += x * y
    return total


def loss_coefficients(family: Family, coefficients: Sequence[Sequence[Any]]) -> list[Any]:
    """[c_0, c_1, ...] with L(W + t C_1 + ... + t^p C_p) = sum_k c_k t^k over QQ(params).

    ``coefficients[k][h]`` is C_(k+1) in layer h + 1, a DomainMatrix or a list of rows of field
    elements. L = 1/2 ||R(t)||_F^2 + sum_h lambda_h/2 ||W_h(t)||_F^2 with R(t) = W_H(t)...W_1(t) X - Y:
    c_k = 1/2 sum_{a+b=k} <R_a, R_b> + sum_h lambda_h/2 sum_{a+b=k} <W_h,a, W_h,b>."""
    K, widths = family.field, family.widths

    def matrix(M: Any, h: int) -> DomainMatrix:
        if isinstance(M, DomainMatrix):
            return M.convert_to(K)
        return DomainMatrix([list(r) for r in M], (widths[h + 1], widths[h]), K)

    layers = [[family.weights[h]] + [matrix(C[h], h) for C in coefficients] for h in range(family.depth)]
    residual = [family.X.convert_to(K)]
    for layer in layers:
        residual = _poly_matmul(layer, residual)
    residual[0] = residual[0] - family.Y.convert_to(K)
    degree = 2 * max(len(residual), max(len(l) for l in layers)) - 1
    c = [K.zero] * degree
    half = K.one / 2
    for a, Ra in enumerate(residual):
        for b, Rb in enumerate(residual):
            c[a + b] += half * _inner(Ra, Rb, K)
    for lam, layer in zip(family.lambdas, layers):
        if lam:
            for a, Ca in enumerate(layer):
                for b, Cb in enumerate(layer):
                    c[a + b] += half * lam * _inner(Ca, Cb, K)
    while len(c) > 1 and not c[-1]:
        c.pop()
    return c
