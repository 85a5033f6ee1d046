"""One real number field holding several real algebraic numbers: the compositum, by a primitive element.

Given real algebraic numbers alpha_1, ..., alpha_k (each the unique root of an irreducible rational polynomial in a
rational interval, :class:`exactdln.arith.algebraic.AlgebraicReal`), build K = Q(theta) = Q(alpha_1, ..., alpha_k)
at the real embedding where every alpha_j takes its named value, and each alpha_j as an element of K.

One step adjoins alpha (minimal polynomial p) to K = Q(theta) (minimal polynomial m):

1. theta' = theta + c alpha for c = 1, -1, 2, -2, ...: its conjugates are among theta_i + c alpha_j, the
   eigenvalues of the Kronecker sum C = A (x) I + c I (x) B (A, B the companion matrices of m and p), so theta'
   is a root of chi_C, a rational polynomial computed exactly (FLINT). The Q-irreducible factor of chi_C
   vanishing at theta' (located by a certified ball, then its rational interval verified to hold exactly one
   root by :meth:`NumberField.from_polynomial`) is the minimal polynomial of theta'.
2. Over K' = Q(theta'), alpha is a common root of p(x) and m(theta' - c x). When their gcd over K' is linear,
   x - a, then alpha = a lies in K' (and theta = theta' - c a): the classical primitive element argument
   (van der Waerden, Algebra I, §46; Cohen 1993, Algorithm 3.6.2 uses the same resultant). Otherwise the next c.
3. Verified exactly: p(a) = 0 in K' and a lies in alpha's isolating interval at the embedding of K' (exact sign
   tests), so a is alpha and not a conjugate of it.

Nothing numeric is trusted: floats only choose the factor and the interval, which are then verified.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

from flint import arb, ctx, fmpq, fmpq_mat, fmpq_poly

from exactdln.arith.algebraic import AlgebraicReal, real_roots
from exactdln.arith.exact import to_fmpq as _q, to_fraction
from exactdln.arith.number_field import FieldElement, NumberField
from exactdln.model.problem import InputError

__all__ = ["Compositum", "CompositumDegreeError", "compositum", "square_root_in", "algebraic_from_polynomial",
           "polynomial_gcd_over_field"]

SHIFTS = (1, -1, 2, -2, 3, -3, 5, -5, 7, -7)


class CompositumDegreeError(ValueError):
    """The compositum has degree above the cap (``degree``: the degree reached, ``cap``)."""

    def __init__(self, degree: int, cap: int, what: str = "the compositum"):
        self.degree, self.cap = degree, cap
        super().__init__(f"{what} has degree {degree}, above the degree cap {cap} (raise it with degree_cap / "
                         "--degree-cap)")


@dataclass(frozen=True)
class Compositum:
    """K = Q(theta) and the given numbers as elements of K (same order; rationals as constants)."""

    K: NumberField
    elements: tuple[FieldElement, ...]

    @property
    def degree(self) -> int:
        return self.K.degree


def _rational_field() -> NumberField:
    return NumberField.from_polynomial([0, 1], [-1, 1])


def _monic(poly: fmpq_poly) -> fmpq_poly:
    return poly / poly.coeffs()[-1]


def _companion(poly: fmpq_poly) -> fmpq_mat:
    """Companion matrix of a monic polynomial (its characteristic polynomial is the polynomial)."""
    c = _monic(poly).coeffs()
    n = len(c) - 1
    C = fmpq_mat(n, n)
    for i in range(1, n):
        C[i, i - 1] = 1
    for i in range(n):
        C[i, n - 1] = -c[i]
    return C


def _kronecker_sum(A: fmpq_mat, B: fmpq_mat, c: int) -> fmpq_mat:
    a, b = A.nrows(), B.nrows()
    C = fmpq_mat(a * b, a * b)
    for i in range(a):
        for j in range(a):
            if A[i, j] != 0:
                for k in range(b):
                    C[i * b + k, j * b + k] += A[i, j]
    for i in range(a):
        for k in range(b):
            for l in range(b):
                if B[k, l] != 0:
                    C[i * b + k, i * b + l] += c * B[k, l]
    return C


def _horner(coefficients: Sequence[FieldElement], x: FieldElement) -> FieldElement:
    out = x.field.element(0)
    for a in reversed(list(coefficients)):
        out = out * x + a
    return out


def _rational_poly_at(poly: fmpq_poly, x: FieldElement) -> FieldElement:
    return _horner([x.field.element(to_fraction(c)) for c in poly.coeffs()], x)


def _trim(p: list[FieldElement]) -> list[FieldElement]:
    while p and p[-1].is_zero():
        p.pop()
    return p


def polynomial_gcd_over_field(p: Sequence[FieldElement], q: Sequence[FieldElement]) -> list[FieldElement]:
    """The monic gcd over K of two polynomials given by coefficients in K (constant first): Euclid's algorithm,
    exact (every division is by a nonzero element of the field)."""
    a, b = _trim(list(p)), _trim(list(q))
    while b:
        lead = b[-1]
        while len(a) >= len(b):                       # a <- a mod b
            factor = a[-1] / lead
            shift = len(a) - len(b)
            for k, bk in enumerate(b):
                a[shift + k] = a[shift + k] - factor * bk
            a.pop()
            a = _trim(a)
            if not a:
                break
        a, b = b, a
    if not a:
        return []
    lead = a[-1]
    return [x / lead for x in a]


def _theta_value(K: NumberField, width: Fraction) -> tuple[Fraction, Fraction]:
    t = K.theta.approximate(width)
    return t - width, t + width


def _locate_factor(chi: fmpq_poly, lo: Fraction, hi: Fraction) -> NumberField | None:
    """The field Q(t), t the unique root of a Q-irreducible factor of chi in [lo, hi]; None if not unique."""
    found = None
    mid, rad = _q((lo + hi) / 2), _q((hi - lo) / 2)
    old = ctx.prec
    width_bits = max(64, -(hi - lo).numerator.bit_length() + (hi - lo).denominator.bit_length())
    try:
        ctx.prec = width_bits + 64 + max(int(c.p).bit_length() + int(c.q).bit_length() for c in chi.coeffs())
        ball = arb(mid, rad)
        candidates = []
        for factor, _ in chi.factor()[1]:
            if factor.degree() < 1:
                continue
            value = arb(0)
            for c in reversed(factor.coeffs()):
                value = value * ball + arb(c)
            if value.contains(0):
                candidates.append(factor)
    finally:
        ctx.prec = old
    for factor in candidates:
        try:
            field = NumberField.from_polynomial([to_fraction(c) for c in factor.coeffs()], [lo, hi])
        except InputError:
            return None
        if found is not None:
            return None
        found = field
    return found


def _adjoin(K: NumberField, alpha: AlgebraicReal, degree_cap: int) -> tuple[NumberField, FieldElement, FieldElement]:
    """(K', theta as an element of K', alpha as an element of K') with K' = Q(theta, alpha) (module docstring)."""
    p = _monic(fmpq_poly([_q(c) for c in alpha.polynomial]))
    if K.degree == 1:
        lo, hi = alpha.lower, alpha.upper
        K2 = NumberField.from_polynomial([to_fraction(c) for c in p.coeffs()], [lo, hi])
        if K2.degree > degree_cap:
            raise CompositumDegreeError(K2.degree, degree_cap)
        return K2, K2.element(K.theta.rational()), K2.theta
    m = K.modulus
    A, B = _companion(m), _companion(p)
    for c in SHIFTS:
        chi = _kronecker_sum(A, B, c).charpoly()
        for bits in (80, 200, 600):
            width = Fraction(1, 2**bits)
            t_lo, t_hi = _theta_value(K, width)
            a = alpha.refine(width / 4)
            lo = t_lo + (c * a.lower if c > 0 else c * a.upper)
            hi = t_hi + (c * a.upper if c > 0 else c * a.lower)
            K2 = _locate_factor(chi, lo, hi)
            if K2 is not None:
                break
        else:
            continue
        if K2.degree > degree_cap:
            raise CompositumDegreeError(K2.degree, degree_cap)
        t2 = K2.theta
        # m(theta' - c x) as a polynomial in x over K'
        base = [t2, K2.element(-c)]                       # theta' - c x
        q = [K2.element(0)]
        power = [K2.element(1)]
        for k, mk in enumerate(m.coeffs()):
            if k:
                nxt = [K2.element(0)] * (len(power) + 1)
                for i, x in enumerate(power):
                    nxt[i] = nxt[i] + x * base[0]
                    nxt[i + 1] = nxt[i + 1] + x * base[1]
                power = nxt
            mk = to_fraction(mk)
            if mk:
                q = q + [K2.element(0)] * (len(power) - len(q))
                for i, x in enumerate(power):
                    q[i] = q[i] + x * mk
        g = polynomial_gcd_over_field([K2.element(to_fraction(x)) for x in p.coeffs()], q)
        if len(g) != 2:
            continue
        a_elem = -g[0]
        if not _rational_poly_at(p, a_elem).is_zero():
            raise ArithmeticError("the adjoined number fails its minimal polynomial over the compositum")
        if (a_elem - alpha.lower).sign() < 0 or (a_elem - alpha.upper).sign() > 0:
            raise ArithmeticError("the adjoined number is a conjugate, not the named root")
        theta_old = t2 - a_elem * c
        if not _rational_poly_at(m, theta_old).is_zero():
            raise ArithmeticError("the old primitive element fails its minimal polynomial over the compositum")
        return K2, theta_old, a_elem
    raise ArithmeticError(f"no primitive element theta + c alpha with c in {SHIFTS} was found")


def _in_field(K: NumberField, poly: fmpq_poly, x: FieldElement) -> FieldElement:
    """An element of the old field (a polynomial in the old theta) re-expressed in K through x = old theta."""
    return _rational_poly_at(poly, x)


def compositum(numbers: Sequence[AlgebraicReal], *, degree_cap: int = 64,
               base: Compositum | None = None) -> Compositum:
    """K = Q(numbers) at the embedding where each number has its named value; ``base``: extend an existing
    compositum (its elements are kept, re-expressed in the new field). Raises :class:`CompositumDegreeError`
    above ``degree_cap`` (module docstring for the method and its exact checks)."""
    K = base.K if base is not None else _rational_field()
    elements: list[fmpq_poly] = [e.poly for e in base.elements] if base is not None else []
    for alpha in numbers:
        if alpha.is_rational:
            elements.append(fmpq_poly([_q(alpha.value)]))
            continue
        K2, theta_old, a = _adjoin(K, alpha, degree_cap)
        elements = [_in_field(K2, e, theta_old).poly for e in elements] + [a.poly]
        K = K2
    K = _short_interval(K)
    return Compositum(K, tuple(FieldElement(K, K.reduce(e)) for e in elements))


def _short_interval(K: NumberField) -> NumberField:
    """The same field and embedding, theta isolated by an interval with short dyadic ends (the refinements of
    the construction leave ends of hundreds of digits, which every later sign test would carry)."""
    if K.degree == 1:
        return K
    lo, hi = K.isolating_interval()
    for bits in (8, 16, 32, 64, 128, 256):
        scale = 2 ** bits
        a = Fraction(int(lo * scale) - 1, scale)
        b = Fraction(int(hi * scale) + 2, scale)
        if a > lo or b < hi:
            continue
        try:
            return NumberField.from_polynomial(list(K.minpoly), [a, b])
        except InputError:
            continue
    return K


def algebraic_from_polynomial(poly: fmpq_poly, approx: float, *, lower: Fraction | None = None,
                              upper: Fraction | None = None) -> AlgebraicReal:
    """The real root of ``poly`` nearest to ``approx`` (within [lower, upper] when given), as an AlgebraicReal on
    its Q-irreducible factor."""
    best = None
    for root, _ in real_roots(poly):
        if lower is not None and root.upper < lower:
            continue
        if upper is not None and root.lower > upper:
            continue
        root = root.refine(Fraction(1, 2**60)) if not root.is_rational else root
        d = abs(float(root) - approx)
        if best is None or d < best[0]:
            best = (d, root)
    if best is None:
        raise ArithmeticError("no real root in the requested range")
    return best[1]


def square_root_in(a: FieldElement) -> AlgebraicReal | Fraction:
    """sqrt(a) for a > 0 at the embedding: a Fraction when a is the square of a rational, else the algebraic
    number on a Q-irreducible factor of c(x^2), c the characteristic polynomial of multiplication by a."""
    if a.sign() <= 0:
        raise ValueError("square root of a non-positive element")
    if a.is_rational:
        v = a.rational()
        from math import isqrt
        n, d = isqrt(v.numerator), isqrt(v.denominator)
        if n * n == v.numerator and d * d == v.denominator:
            return Fraction(n, d)
    K = a.field
    D = K.degree
    # multiplication by a on the basis 1, theta, ..., theta^(D-1)
    R = fmpq_mat(D, D)
    x = fmpq_poly([0, 1])
    for j in range(D):
        col = K.reduce(a.poly * x ** j)
        for i in range(D):
            R[i, j] = col[i]
    c = R.charpoly()
    cc = c.coeffs()
    c2 = fmpq_poly([cc[k // 2] if k % 2 == 0 else fmpq(0) for k in range(2 * c.degree() + 1)])
    value = a.approximate(Fraction(1, 2**120))
    root = algebraic_from_polynomial(c2, float(value) ** 0.5, lower=Fraction(0))
    root = root.refine(Fraction(1, 2**80)) if not root.is_rational else root
    if root.is_rational:
        return root.value
    return root
