"""Exact arithmetic over a real number field K = Q(theta) at one chosen real embedding.

theta is a real algebraic number given by a rational polynomial p and a rational interval
[lower, upper] holding exactly one real root of p (docs/maths/algebraic.md §3). On
construction (:meth:`NumberField.from_polynomial`) p is checked squarefree (gcd(p, p') = 1),
its real roots are isolated by :func:`exactdln.arith.algebraic.real_roots` (FLINT's
factorisation over Q, certified arb balls widened to rational intervals with a verified sign
change), and the roots inside [lower, upper] are counted by exact comparisons: exactly one is
accepted. theta's minimal polynomial m is the irreducible factor of p that has that root, so K
is a field even when p is reducible; ``degree`` = deg m.

- Elements are ``fmpq_poly`` of degree < deg m (reduced mod m); equality and zero tests are
  exact. Inverses come from the extended gcd with m (m irreducible, so gcd(a, m) = 1 for a != 0).
- Matrices over K (:class:`FieldMatrix`) are held as D rational matrices, A = sum_k A_k theta^k,
  so products are D^2 FLINT products followed by one reduction of theta^D .. theta^(2D-2).
- The rank over K is the rank over Q of the regular representation divided by D (each entry a
  replaced by the D x D matrix of multiplication by a): rank_Q = D rank_K because the
  Q-linear map x -> A x on K^m is K-linear (docs/maths/algebraic.md §4). A rank mod a prime
  screens first: it can only be lower than the rank over Q.
- Signs at the embedding (:meth:`NumberField.sign`) are decided with exact rationals: on an
  interval [c - r, c + r] containing theta, |a(x) - a(c)| <= sum_{k>=1} |b_k| r^k where
  a(c + t) = sum_k b_k t^k, so |b_0| > that sum proves sign a(theta) = sign b_0; otherwise the
  interval is narrowed, by a Newton step verified by a sign change of m where it lands (so an
  element of size 2^-N costs O(log N) refinements), else by bisection. a != 0 in K gives
  a(theta) != 0, hence termination (docs/maths/algebraic.md §5).
- The inertia of a symmetric matrix over K (:func:`field_symmetric_inertia`) comes from a
  symmetric LDL^T with 1x1 and 2x2 pivots (Sylvester's law of inertia); its zero count is
  checked against n - rank_K. Cost: O(n^3) operations in K, each O(D^2) rational
  operations on coefficients that may grow (no modular or float guidance yet).

Nothing here is rounded; the arb balls of :mod:`exactdln.arith.algebraic` only propose the
isolating intervals, which are verified exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any, Sequence

from flint import fmpq, fmpq_mat, fmpq_poly, fmpz, fmpz_mat, nmod, nmod_mat, nmod_poly

from exactdln.arith.algebraic import AlgebraicReal, real_roots
from exactdln.arith.exact import iter_word_primes, modular_image, rank as rational_rank, to_fmpq as _q, to_fraction
from exactdln.model.problem import InputError
from exactdln.model.results import Inertia, fraction_text, number_text

__all__ = [
    "NumberField",
    "FieldElement",
    "FieldMatrix",
    "field_symmetric_inertia",
    "field_inverse",
    "field_charpoly",
    "reduced_row_echelon",
    "kernel_vectors",
    "column_basis",
    "has_distinct_roots",
    "polynomial_text",
]


_LONG_ELEMENT_BITS = 4096     # above this many coefficient bits, NumberField.inverse solves M_a x = e_1


def _sign(x: fmpq) -> int:
    return (x > 0) - (x < 0)


def _locate(root: AlgebraicReal, lower: Fraction, upper: Fraction) -> tuple[bool, AlgebraicReal]:
    """(lower <= root <= upper, the root refined far enough to tell), by exact bisection.

    An irrational root is never equal to a rational endpoint (its isolating interval has a
    strict sign change), so refinement separates it from both endpoints after finitely many steps.
    """
    if root.is_rational:
        return lower <= root.value <= upper, root
    while True:
        if root.upper < lower or root.lower > upper:
            return False, root
        if lower < root.lower and root.upper < upper:
            return True, root
        root = root.refine((root.upper - root.lower) / 2)
        if root.is_rational:
            return lower <= root.value <= upper, root


def _monomial(c: Fraction, k: int, variable: str) -> str:
    power = "" if k == 0 else (variable if k == 1 else f"{variable}^{k}")
    if not power:
        return fraction_text(c)
    if c == 1:
        return power
    if c == -1:
        return "-" + power
    return f"{fraction_text(c)}*{power}"


def polynomial_text(coefficients: Sequence[Fraction], variable: str = "t", ascending: bool = False) -> str:
    """``t^2 - t - 1`` from [-1, -1, 1] (constant first), or ``-1 - t + t^2`` with ascending=True."""
    terms = [_monomial(Fraction(c), k, variable) for k, c in enumerate(coefficients) if c]
    if not ascending:
        terms.reverse()
    return " + ".join(terms).replace("+ -", "- ") if terms else "0"


@dataclass(frozen=True)
class NumberField:
    """K = Q(theta), theta the unique root of ``minpoly`` in [lower, upper] (verified).

    ``minpoly``: the monic irreducible polynomial of theta over Q, constant term first.
    ``declared_degree``: the degree of the polynomial the field was given by (entries of a
    point file have that many coefficients; they are reduced modulo ``minpoly``).
    Build with :meth:`from_polynomial`; the isolating interval only shrinks afterwards
    (cached refinements), which never changes the embedding.
    """

    minpoly: tuple[Fraction, ...]
    lower: Fraction
    upper: Fraction
    declared_degree: int
    _interval: list = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def from_polynomial(cls, coefficients: Sequence[Any], interval: Sequence[Any],
                        where: str = "field") -> "NumberField":
        """Verify (p, [lower, upper]) and return Q(theta) for the unique root theta of p there.

        Raises :class:`InputError` (field ``where``.minpoly or ``where``.interval) when p is
        constant or not squarefree, or when the interval holds no real root of p or several.
        """
        coeffs = [Fraction(c) for c in coefficients]
        while coeffs and coeffs[-1] == 0:
            coeffs.pop()
        if len(coeffs) < 2:
            raise InputError("the polynomial must have degree >= 1", f"{where}.minpoly")
        lower, upper = (Fraction(x) for x in interval)
        if lower > upper:
            raise InputError(f"empty interval: {fraction_text(lower)} > {fraction_text(upper)}",
                             f"{where}.interval")
        p = fmpq_poly([_q(c) for c in coeffs])
        if p.gcd(p.derivative()).degree() > 0:
            raise InputError("the polynomial is not squarefree (it shares a factor with its derivative)",
                             f"{where}.minpoly")
        inside = []
        for root, _ in real_roots(p):
            found, refined = _locate(root, lower, upper)
            if found:
                inside.append(refined)
        if len(inside) != 1:
            what = "no real root" if not inside else f"{len(inside)} real roots"
            raise InputError(f"the interval [{fraction_text(lower)}, {fraction_text(upper)}] holds {what} "
                             f"of the polynomial; it must isolate exactly one", f"{where}.interval")
        theta = inside[0]
        m = [c / theta.polynomial[-1] for c in theta.polynomial]
        if theta.is_rational:
            return cls(tuple(m), theta.value, theta.value, len(coeffs) - 1)
        # [lower, upper] holds exactly one root of p, so exactly one of its factor m, a simple one
        return cls(tuple(m), lower, upper, len(coeffs) - 1)

    # --- the polynomial ring modulo m --------------------------------------------------------------
    @cached_property
    def modulus(self) -> fmpq_poly:
        return fmpq_poly([_q(c) for c in self.minpoly])

    @property
    def degree(self) -> int:
        """[K : Q] = deg m."""
        return len(self.minpoly) - 1

    @property
    def is_rational(self) -> bool:
        return self.degree == 1

    def reduce(self, a: fmpq_poly) -> fmpq_poly:
        return a % self.modulus if a.degree() >= self.degree else a

    def element(self, coefficients: Sequence[Any] | Any) -> "FieldElement":
        """a_0 + a_1 theta + ... from its coefficients (any number of them), or a rational."""
        if isinstance(coefficients, FieldElement):
            return coefficients
        if isinstance(coefficients, fmpq_poly):
            return FieldElement(self, self.reduce(coefficients))
        if isinstance(coefficients, (list, tuple)):
            return FieldElement(self, self.reduce(fmpq_poly([_q(c) for c in coefficients])))
        return FieldElement(self, fmpq_poly([_q(to_fraction(coefficients) if isinstance(coefficients, fmpq)
                                                else coefficients)]))

    @property
    def theta(self) -> "FieldElement":
        return self.element([0, 1])

    def inverse(self, a: fmpq_poly) -> fmpq_poly:
        """1/a in K: from the extended gcd g = s m + t a (g a nonzero constant, m irreducible), or, for
        long coefficients, as the solution x of M_a x = e_1, M_a the matrix of y -> a y on 1, theta, ...,
        theta^(D-1) (invertible for a != 0). The gcd's remainders grow quadratically in the coefficient
        length; FLINT's rational solve does not (20x faster on 190,000-bit coefficients at degree 8)."""
        if a == 0:
            raise ZeroDivisionError("division by zero in a number field")
        D = self.degree
        if D > 1 and sum(c.p.bit_length() + c.q.bit_length() for c in a.coeffs()) > _LONG_ELEMENT_BITS:
            x, column, columns = fmpq_poly([0, 1]), a, []
            for _ in range(D):
                columns.append([column[i] for i in range(D)])
                column = self.reduce(column * x)
            M = fmpq_mat(D, D, [columns[j][i] for i in range(D) for j in range(D)])
            solution = M.solve(fmpq_mat(D, 1, [1] + [0] * (D - 1)))
            return fmpq_poly([solution[i, 0] for i in range(D)])
        g, _, t = self.modulus.xgcd(a)          # g = s m + t a, g a nonzero constant (m irreducible)
        return self.reduce(t / g[0])

    @cached_property
    def _power_table(self) -> list[list[fmpq]]:
        """Rows k = 0 .. 2D-2: the coefficients of theta^k reduced mod m."""
        D = self.degree
        out = []
        x = fmpq_poly([0, 1])
        power = fmpq_poly([1])
        for _ in range(max(1, 2 * D - 1)):
            r = self.reduce(power)
            out.append([r[j] for j in range(D)])
            power = self.reduce(power * x)
        return out

    @cached_property
    def _integer_power_table(self) -> tuple[list[list[fmpz]], fmpz]:
        """(rows, T): theta^k mod m = (sum_j rows[k - D][j] theta^j) / T for k = D .. 2D-2, integers over one common
        denominator T (the rows of :attr:`_power_table`, for integer matrix products)."""
        D = self.degree
        rows = self._power_table[D:]
        T = fmpz(1)
        for row in rows:
            for c in row:
                T = T * c.q // T.gcd(c.q)
        return [[c.p * (T // c.q) for c in row] for row in rows], T

    @cached_property
    def _integer_multiplication_powers(self) -> tuple[list[list[list[tuple[int, int]]]], int]:
        """(P, T): C^k = P_k / T for k = 0 .. D-1 (:attr:`_multiplication_powers` over one common denominator T),
        each row of P_k as its nonzero (column, integer) pairs."""
        mats = self._multiplication_powers
        T = fmpz(1)
        for M in mats:
            for row in M:
                for c in row:
                    T = T * c.q // T.gcd(c.q)
        out = [[[(s, int(c.p * (T // c.q))) for s, c in enumerate(row) if c != 0] for row in M] for M in mats]
        return out, int(T)

    @cached_property
    def _multiplication_powers(self) -> list[list[list[fmpq]]]:
        """C^k for k = 0 .. D-1, C the matrix of x -> theta x on the basis 1, theta, ..., theta^(D-1)."""
        D = self.degree
        mats = []
        for k in range(D):
            # column j of C^k is the coefficient vector of theta^(j + k)
            table = self._power_table
            mats.append([[table[j + k][i] for j in range(D)] for i in range(D)])
        return mats

    @cached_property
    def residue_maps(self) -> tuple[tuple[int, int], ...]:
        """Two pairs (p, rho): p a word prime not dividing a denominator of m, rho a simple root of m mod p.

        x -> rho defines a ring homomorphism Z_(p)[theta] = Z_(p)[x]/(m) -> F_p (m is monic with p-integral
        coefficients and m(rho) = 0 mod p), so a matrix over K with p-integral coefficients has a rank over K
        at least the rank of its image, and a minor that is nonzero mod p is nonzero in K
        (docs/maths/algebraic.md §4)."""
        found = []
        for prime in iter_word_primes():
            if len(found) == 2:
                break
            if any(to_fraction(c).denominator % prime == 0 for c in self.modulus.coeffs()):
                continue
            image = nmod_poly([int(nmod(to_fraction(c).numerator, prime) / to_fraction(c).denominator)
                               for c in self.modulus.coeffs()], prime)
            simple = [int(r) for r, mult in image.roots() if mult == 1]
            if simple:
                found.append((prime, simple[0]))
        return tuple(found)

    # --- the embedding -------------------------------------------------------------------------------
    def isolating_interval(self) -> tuple[Fraction, Fraction]:
        """The current (possibly refined) rational interval containing theta and no other root of m."""
        if not self._interval:
            self._interval.extend((self.lower, self.upper))
        return self._interval[0], self._interval[1]

    def _bisect(self) -> None:
        lo, hi = self.isolating_interval()
        mid = (lo + hi) / 2
        s_mid = _sign(self.modulus(_q(mid)))
        if s_mid == 0:                          # only for a linear m: theta = mid
            lo = hi = mid
        elif s_mid == _sign(self.modulus(_q(lo))):
            lo = mid
        else:
            hi = mid
        self._interval[:] = [lo, hi]

    def _refine(self) -> None:
        """Narrow the isolating interval: a verified Newton step where it lands, else one bisection.

        From the midpoint t of [lo, hi], rational Newton steps t <- t - m(t)/m'(t) (each rounded to
        a dyadic of about twice the interval's bits plus 32) propose theta to that precision; the
        proposal is accepted only if m changes sign (exactly) on [t - 2^-b, t + 2^-b] inside
        [lo, hi], where theta is the only root of m. Near a simple root Newton doubles the number of
        correct bits, so an element of size 2^-N needs O(log N) refinements instead of N
        bisections (docs/maths/algebraic.md §5)."""
        lo, hi = self.isolating_interval()
        if lo == hi or not self._newton_refine(lo, hi):
            self._bisect()

    def _newton_refine(self, lo: Fraction, hi: Fraction) -> bool:
        m = self.modulus
        if m.degree() < 2:
            return False
        dm = m.derivative()
        width = hi - lo
        bits = 2 * max(width.denominator.bit_length() - width.numerator.bit_length(), 1) + 32
        scale = fmpz(2) ** bits
        q_lo, q_hi = _q(lo), _q(hi)
        t = (q_lo + q_hi) / 2
        for _ in range(4):
            slope = dm(t)
            if slope == 0:
                return False
            t = t - m(t) / slope
            t = fmpq((t * scale).floor(), scale)
            if not q_lo <= t <= q_hi:
                return False
        step = fmpq(1, scale)
        a, b = max(t - step, q_lo), min(t + step, q_hi)
        s_a, s_b = _sign(m(a)), _sign(m(b))
        if s_a == 0 or s_b == 0:                 # theta is the rational root a or b
            root = to_fraction(a if s_a == 0 else b)
            self._interval[:] = [root, root]
            return True
        if s_a == s_b or (b - a) * 2 > _q(width):
            return False
        self._interval[:] = [to_fraction(a), to_fraction(b)]
        return True

    def sign(self, a: fmpq_poly) -> int:
        """sign a(theta) at the chosen embedding, exactly (module docstring; docs/maths/algebraic.md §5)."""
        a = self.reduce(a)
        if a == 0:
            return 0
        if a.degree() == 0:
            return _sign(a[0])
        while True:
            lo, hi = self.isolating_interval()
            c, r = (lo + hi) / 2, (hi - lo) / 2
            shifted = a(fmpq_poly([_q(c), 1]))     # a(c + t) = sum b_k t^k
            b = shifted.coeffs()
            b0 = b[0] if b else fmpq(0)
            rq = _q(r)
            bound, rk = fmpq(0), fmpq(1)
            for bk in b[1:]:
                rk *= rq
                bound += abs(bk) * rk
            if abs(b0) > bound:
                return _sign(b0)
            if lo == hi:                       # theta rational and a(theta) = b0 = 0: excluded above
                raise ArithmeticError("sign refinement stalled at a rational point")
            self._refine()

    def approximate(self, a: fmpq_poly, width: Fraction = Fraction(1, 2**60)) -> Fraction:
        """A rational within ``width`` of a(theta) (for display only), by refining the interval."""
        a = self.reduce(a)
        while True:
            lo, hi = self.isolating_interval()
            c, r = (lo + hi) / 2, (hi - lo) / 2
            b = a(fmpq_poly([_q(c), 1])).coeffs() or [fmpq(0)]
            bound = sum((abs(bk) * _q(r) ** k for k, bk in enumerate(b) if k), fmpq(0))
            if bound <= _q(width) or lo == hi:
                return to_fraction(b[0])
            self._refine()

    def conjugate_roots(self) -> list[AlgebraicReal]:
        """Every real root of m (the real embeddings of K), increasing; theta is one of them."""
        return [r for r, _ in real_roots(self.modulus)]

    def to_json(self) -> dict[str, Any]:
        lo, hi = self.lower, self.upper
        return {"minpoly": [fraction_text(c) for c in self.minpoly],
                "interval": [fraction_text(lo), fraction_text(hi)]}

    def __str__(self) -> str:
        return (f"Q(t), t the root of {polynomial_text(self.minpoly)} in "
                f"[{fraction_text(self.lower)}, {fraction_text(self.upper)}] (t ~ {float(self.theta):.12g})")


@dataclass(frozen=True, eq=False)
class FieldElement:
    """a = a_0 + a_1 theta + ... + a_(D-1) theta^(D-1) in K, ``poly`` reduced mod m."""

    field: NumberField
    poly: fmpq_poly

    def _other(self, other: Any) -> fmpq_poly | None:
        if isinstance(other, FieldElement):
            if other.field is not self.field and other.field != self.field:
                raise ValueError("elements of different number fields")
            return other.poly
        if isinstance(other, (int, Fraction, fmpq)):
            return fmpq_poly([_q(to_fraction(other) if isinstance(other, fmpq) else other)])
        return None

    def __add__(self, other: Any) -> "FieldElement":
        o = self._other(other)
        return NotImplemented if o is None else FieldElement(self.field, self.poly + o)

    __radd__ = __add__

    def __sub__(self, other: Any) -> "FieldElement":
        o = self._other(other)
        return NotImplemented if o is None else FieldElement(self.field, self.poly - o)

    def __rsub__(self, other: Any) -> "FieldElement":
        o = self._other(other)
        return NotImplemented if o is None else FieldElement(self.field, o - self.poly)

    def __neg__(self) -> "FieldElement":
        return FieldElement(self.field, -self.poly)

    def __mul__(self, other: Any) -> "FieldElement":
        o = self._other(other)
        return NotImplemented if o is None else FieldElement(self.field, self.field.reduce(self.poly * o))

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> "FieldElement":
        o = self._other(other)
        if o is None:
            return NotImplemented
        return FieldElement(self.field, self.field.reduce(self.poly * self.field.inverse(o)))

    def __rtruediv__(self, other: Any) -> "FieldElement":
        o = self._other(other)
        return NotImplemented if o is None else FieldElement(self.field, self.field.reduce(o * self.field.inverse(self.poly)))

    def __pow__(self, n: int) -> "FieldElement":
        if n < 0:
            return (1 / self) ** (-n)
        out = self.field.element(1)
        base = self
        while n:
            if n & 1:
                out = out * base
            base = base * base
            n >>= 1
        return out

    def __eq__(self, other: Any) -> bool:
        o = self._other(other)
        return NotImplemented if o is None else self.poly == o

    def __hash__(self) -> int:
        return hash(tuple(self.coefficients()))

    def __bool__(self) -> bool:
        return self.poly != 0

    def is_zero(self) -> bool:
        return self.poly == 0

    def sign(self) -> int:
        """sign of the element at the field's embedding (exact)."""
        return self.field.sign(self.poly)

    def coefficients(self) -> list[Fraction]:
        """[a_0, ..., a_(D-1)], padded with zeros to D = [K : Q]."""
        D = self.field.degree
        return [to_fraction(self.poly[k]) for k in range(D)]

    @property
    def is_rational(self) -> bool:
        return self.poly.degree() <= 0

    def rational(self) -> Fraction:
        """The value of an element of Q (ValueError otherwise)."""
        if not self.is_rational:
            raise ValueError("element is not rational")
        return to_fraction(self.poly[0])

    def approximate(self, width: Fraction = Fraction(1, 2**60)) -> Fraction:
        return self.field.approximate(self.poly, width)

    def __float__(self) -> float:
        return float(self.approximate())

    def to_json(self) -> Any:
        """A rational as "p/q"; otherwise the point-file form [a_0, ..., a_(D-1)] of strings."""
        if self.is_rational:
            return fraction_text(self.rational())
        return [fraction_text(c) for c in self.coefficients()]

    def __str__(self) -> str:
        if self.is_rational:
            return number_text(self.rational())
        return f"{polynomial_text(self.coefficients(), ascending=True)} (~{float(self):.10g})"

    __repr__ = __str__


def _integer_coefficients(coeffs: Sequence[fmpq_mat]) -> tuple[list[fmpz_mat | None], fmpz]:
    """(N_k, d) with coeffs[k] = N_k / d, one common denominator d; N_k None for a zero coefficient matrix."""
    parts = []
    d = fmpz(1)
    for c in coeffs:
        N, den = c.numer_denom()
        if N.is_zero():
            parts.append(None)
            continue
        parts.append((N, den))
        d = d * den // d.gcd(den)
    return [None if p is None else (p[0] if p[1] == d else p[0] * (d // p[1])) for p in parts], d


class FieldMatrix:
    """A matrix over K stored as its D rational coefficient matrices, A = sum_k A_k theta^k."""

    __slots__ = ("field", "coeffs", "_rank")

    def __init__(self, field: NumberField, coeffs: Sequence[fmpq_mat]):
        self.field = field
        self.coeffs = list(coeffs)
        self._rank: int | None = None

    # --- construction ----------------------------------------------------------------------------------
    @classmethod
    def from_rows(cls, field: NumberField, rows: Sequence[Sequence[Any]]) -> "FieldMatrix":
        """From rows of elements, coefficient lists or rationals."""
        n = len(rows)
        m = len(rows[0]) if n else 0
        D = field.degree
        coeffs = [fmpq_mat(n, m) for _ in range(D)]
        for i, row in enumerate(rows):
            for j, x in enumerate(row):
                e = field.element(x)
                for k in range(D):
                    c = e.poly[k]
                    if c != 0:
                        coeffs[k][i, j] = c
        return cls(field, coeffs)

    @classmethod
    def rational(cls, field: NumberField, matrix: fmpq_mat) -> "FieldMatrix":
        zero = fmpq_mat(matrix.nrows(), matrix.ncols())
        return cls(field, [matrix] + [zero] * (field.degree - 1))

    @classmethod
    def identity(cls, field: NumberField, n: int) -> "FieldMatrix":
        eye = fmpq_mat(n, n)
        for i in range(n):
            eye[i, i] = 1
        return cls.rational(field, eye)

    @classmethod
    def assemble(cls, field: NumberField):
        """A constructor (n, m, entries row-major) -> FieldMatrix, the signature of ``fmpq_mat(n, m, entries)``."""
        def build(n: int, m: int, entries: Sequence[Any]) -> "FieldMatrix":
            return cls.from_rows(field, [list(entries[i * m:(i + 1) * m]) for i in range(n)])
        return build

    # --- shape and entries --------------------------------------------------------------------------------
    def nrows(self) -> int:
        return self.coeffs[0].nrows()

    def ncols(self) -> int:
        return self.coeffs[0].ncols()

    def __getitem__(self, index: tuple[int, int]) -> FieldElement:
        i, j = index
        return FieldElement(self.field, fmpq_poly([a[i, j] for a in self.coeffs]))

    def tolist(self) -> list[list[FieldElement]]:
        return [[self[i, j] for j in range(self.ncols())] for i in range(self.nrows())]

    def entries(self) -> list[FieldElement]:
        return [x for row in self.tolist() for x in row]

    def is_zero(self) -> bool:
        return all(all(x == 0 for x in a.entries()) for a in self.coeffs)

    def transpose(self) -> "FieldMatrix":
        return FieldMatrix(self.field, [a.transpose() for a in self.coeffs])

    def to_json(self) -> list[list[Any]]:
        return [[x.to_json() for x in row] for row in self.tolist()]

    def __str__(self) -> str:
        return "[" + "; ".join(", ".join(str(x) for x in row) for row in self.tolist()) + "]"

    # --- arithmetic -----------------------------------------------------------------------------------------
    def __add__(self, other: "FieldMatrix") -> "FieldMatrix":
        return FieldMatrix(self.field, [a + b for a, b in zip(self.coeffs, other.coeffs)])

    def __sub__(self, other: "FieldMatrix") -> "FieldMatrix":
        return FieldMatrix(self.field, [a - b for a, b in zip(self.coeffs, other.coeffs)])

    def __neg__(self) -> "FieldMatrix":
        return FieldMatrix(self.field, [-a for a in self.coeffs])

    def __mul__(self, other: Any) -> "FieldMatrix":
        if isinstance(other, FieldMatrix):
            return self._matmul(other)
        return self._scale(other)

    def __rmul__(self, other: Any) -> "FieldMatrix":
        return self._scale(other)

    def _scale(self, c: Any) -> "FieldMatrix":
        e = self.field.element(c)
        D = self.field.degree
        prods = [None] * (2 * D - 1)
        for i, a in enumerate(self.coeffs):
            for j in range(D):
                cj = e.poly[j]
                if cj != 0:
                    t = a * cj
                    prods[i + j] = t if prods[i + j] is None else prods[i + j] + t
        return self._reduced(prods, self.nrows(), self.ncols())

    def _matmul(self, other: "FieldMatrix") -> "FieldMatrix":
        """(sum_i A_i theta^i)(sum_j B_j theta^j) = sum_(i,j) A_i B_j theta^(i+j), reduced mod m.

        The products are taken over Z: each side is N / d with one integer matrix per coefficient and one common
        denominator d (fmpq_mat.numer_denom), so the D^2 products and their sums are integer matrix products
        (FLINT's fmpz_mat) with no gcd per entry, and theta^k (k >= D) is rewritten through the power table over
        one common denominator too (:meth:`NumberField._integer_power_table`); the result is divided once at the
        end. Exactly the same matrix as the product over Q (same value, canonical fmpq entries)."""
        D = self.field.degree
        n, m = self.nrows(), other.ncols()
        left, a = _integer_coefficients(self.coeffs)
        right, b = _integer_coefficients(other.coeffs)
        prods: list[fmpz_mat | None] = [None] * (2 * D - 1)
        nonzero_b = [(j, B) for j, B in enumerate(right) if B is not None]
        for i, A in enumerate(left):
            if A is None:
                continue
            for j, B in nonzero_b:
                t = A * B
                prods[i + j] = t if prods[i + j] is None else prods[i + j] + t
        table, T = self.field._integer_power_table
        out: list[fmpz_mat | None] = [None] * D
        for k, P in enumerate(prods):
            if P is None:
                continue
            if k < D:
                t = P * T
                out[k] = t if out[k] is None else out[k] + t
                continue
            for j, c in enumerate(table[k - D]):
                if c != 0:
                    t = P * c
                    out[j] = t if out[j] is None else out[j] + t
        scale = fmpq(1, a * b * T)
        return FieldMatrix(self.field, [fmpq_mat(n, m) if Z is None else fmpq_mat(Z) * scale for Z in out])

    def _reduced(self, prods: list, n: int, m: int) -> "FieldMatrix":
        """sum_k prods[k] theta^k with theta^k (k >= D) rewritten through the power table."""
        D = self.field.degree
        table = self.field._power_table
        out = [fmpq_mat(n, m) for _ in range(D)]
        for k, p in enumerate(prods):
            if p is None:
                continue
            if k < D:
                out[k] = out[k] + p
                continue
            for j, c in enumerate(table[k]):
                if c != 0:
                    out[j] = out[j] + p * c
        return FieldMatrix(self.field, out)

    def image_mod(self, prime: int, root: int) -> nmod_mat | None:
        """The image sum_k A_k rho^k mod p under x -> rho (None when p divides a denominator)."""
        out = nmod_mat(self.nrows(), self.ncols(), prime)
        power = 1
        for a in self.coeffs:
            image = modular_image(a, prime)
            if image is None:
                return None
            out = out + image * power
            power = power * root % prime
        return out

    def modular_rank(self) -> int:
        """A lower bound of rank_K: the largest rank of an image mod p (:attr:`NumberField.residue_maps`)."""
        best = 0
        for prime, root in self.field.residue_maps:
            image = self.image_mod(prime, root)
            if image is not None:
                best = max(best, image.rank())
        return best

    def _modular_pivots(self) -> tuple[int, tuple[list[int], list[int]] | None]:
        """(rank of the image mod p, (rows I, columns J)) with the image of M[I, J] nonsingular mod p, hence
        M[I, J] nonsingular over K (:attr:`NumberField.residue_maps`); (0, None) when no image exists."""
        for prime, root in self.field.residue_maps:
            image = self.image_mod(prime, root)
            if image is None:
                continue
            reduced, r = image.rref()
            cols, c = [], 0
            for i in range(r):
                while int(reduced[i, c]) == 0:
                    c += 1
                cols.append(c)
                c += 1
            sub = nmod_mat(len(cols), self.nrows(), [int(image[i, j]) for j in cols for i in range(self.nrows())],
                           prime)
            reduced_t, _ = sub.rref()
            rows, c = [], 0
            for i in range(r):
                while int(reduced_t[i, c]) == 0:
                    c += 1
                rows.append(c)
                c += 1
            return r, (rows, cols)
        return 0, None

    def _schur_vanishes(self, pivots: tuple[list[int], list[int]]) -> bool:
        """With M[I, J] nonsingular (r x r), rank M = r iff every row outside I is, after eliminating the
        columns J with the rows I, zero (the Schur complement vanishes). Exact elimination over K."""
        K = self.field
        rows_I, cols_J = pivots
        table = [[x.poly for x in row] for row in self.tolist()]
        pivot_rows = [list(table[i]) for i in rows_I]
        # Gauss-Jordan on the r x m block of rows I, pivoting inside the columns J (M[I, J] is nonsingular)
        used: list[tuple[int, int]] = []
        remaining = list(range(len(rows_I)))
        for j in cols_J:
            k = next((k for k in remaining if pivot_rows[k][j] != 0), None)
            if k is None:
                raise ArithmeticError("a minor nonzero mod p is singular over K")
            remaining.remove(k)
            inv = K.inverse(pivot_rows[k][j])
            pivot_rows[k] = [K.reduce(x * inv) for x in pivot_rows[k]]
            for other in range(len(pivot_rows)):
                if other != k and pivot_rows[other][j] != 0:
                    f = pivot_rows[other][j]
                    pivot_rows[other] = [K.reduce(x - f * y) for x, y in zip(pivot_rows[other], pivot_rows[k])]
            used.append((k, j))
        chosen = set(rows_I)
        for i, row in enumerate(table):
            if i in chosen:
                continue
            row = list(row)
            for k, j in used:
                f = row[j]
                if f != 0:
                    row = [K.reduce(x - f * y) for x, y in zip(row, pivot_rows[k])]
            if any(x != 0 for x in row):
                return False
        return True

    # --- rank over K -----------------------------------------------------------------------------------------
    def regular_representation(self) -> fmpq_mat:
        """The (D n) x (D m) rational matrix of x -> A x on K^m = Q^(D m): entry a becomes the matrix of
        multiplication by a, sum_k a_k C^k (C the companion matrix of m). Built over Z: A = sum_k N_k theta^k / d
        and C^k = P_k / T (one common denominator each), so the matrix is (sum_k N_k (x) P_k) / (d T), integer
        products summed entry by entry and divided once."""
        D = self.field.degree
        n, m = self.nrows(), self.ncols()
        powers, T = self.field._integer_multiplication_powers
        parts, d = _integer_coefficients(self.coeffs)
        out = [[0] * (D * m) for _ in range(D * n)]
        for k, N in enumerate(parts):
            if N is None:
                continue
            Ck = powers[k]
            entries = N.tolist()
            for i in range(n):
                for j in range(m):
                    x = int(entries[i][j])
                    if x == 0:
                        continue
                    for r in range(D):
                        row, target = Ck[r], out[D * i + r]
                        for s_, c in row:
                            target[D * j + s_] += x * c
        if not n or not m:
            return fmpq_mat(D * n, D * m)
        return fmpq_mat(fmpz_mat(out)) * fmpq(1, d * T)

    def columns(self, indices: Sequence[int]) -> "FieldMatrix":
        """The submatrix of the listed columns."""
        n = self.nrows()
        return FieldMatrix(self.field, [fmpq_mat(n, len(indices), [a[i, j] for i in range(n) for j in indices])
                                        for a in self.coeffs])

    def hstack(self, other: "FieldMatrix") -> "FieldMatrix":
        n, m1, m2 = self.nrows(), self.ncols(), other.ncols()
        return FieldMatrix(self.field, [
            fmpq_mat(n, m1 + m2, [(a[i, j] if j < m1 else b[i, j - m1]) for i in range(n) for j in range(m1 + m2)])
            for a, b in zip(self.coeffs, other.coeffs)])

    def trace(self) -> FieldElement:
        return FieldElement(self.field, fmpq_poly([sum((a[i, i] for i in range(self.nrows())), fmpq(0))
                                                   for a in self.coeffs]))

    def rank(self) -> int:
        """rank over K = rank_Q(regular representation) / D (docs/maths/algebraic.md §4). A rank mod a
        word prime is a lower bound; when it is already min(n, m) it is the answer."""
        if self._rank is not None:
            return self._rank
        n, m = self.nrows(), self.ncols()
        if n == 0 or m == 0 or self.is_zero():
            self._rank = 0
            return 0
        lower, pivots = self._modular_pivots()
        if lower == min(n, m) or (pivots is not None and self._schur_vanishes(pivots)):
            self._rank = lower
            return self._rank
        R = self.regular_representation()
        D = self.field.degree
        q = rational_rank(R)
        if q % D:
            raise ArithmeticError(f"rank over Q {q} of the regular representation is not a multiple of {D}")
        self._rank = q // D
        return self._rank


def field_symmetric_inertia(matrix: FieldMatrix) -> Inertia:
    """Inertia (n_plus, n_minus, n_zero) of a symmetric matrix over K at the field's real embedding.

    A symmetric LDL^T by exact congruences (Sylvester's law of inertia): a nonzero diagonal pivot
    d splits off [d] (its sign decided exactly at the embedding) and leaves the Schur complement
    S - s s^T / d; when the whole diagonal is zero but some S_ij = b != 0, the 2x2 pivot
    [[0, b], [b, 0]] (determinant -b^2 < 0: one positive, one negative eigenvalue, no sign to
    decide) leaves S - B^T P^-1 B. When what remains is zero, its size is n_zero; the elimination is
    exact, and n - n_zero is checked to be at least the rank of an image mod p
    (:meth:`FieldMatrix.modular_rank`). Raises ValueError for a non-symmetric matrix.
    """
    K = matrix.field
    n = matrix.nrows()
    if n != matrix.ncols():
        raise ValueError("inertia of a non-square matrix")
    rows = [[x.poly for x in row] for row in matrix.tolist()]
    for i in range(n):
        for j in range(i):
            if rows[i][j] != rows[j][i]:
                raise ValueError("inertia of a non-symmetric matrix")
    reduce = K.reduce
    active = list(range(n))
    plus = minus = 0
    while active:
        pivot = next((i for i in active if rows[i][i] != 0), None)
        if pivot is not None:
            d = rows[pivot][pivot]
            if K.sign(d) > 0:
                plus += 1
            else:
                minus += 1
            active.remove(pivot)
            inv = K.inverse(d)
            col = {i: rows[i][pivot] for i in active}
            scaled = {i: reduce(col[i] * inv) for i in active if col[i] != 0}
            for i, si in scaled.items():
                ri = rows[i]
                for j in active:
                    if j < i or col[j] == 0:
                        continue
                    v = reduce(ri[j] - si * col[j])
                    ri[j] = v
                    rows[j][i] = v
            continue
        pair = next(((i, j) for i in active for j in active if j > i and rows[i][j] != 0), None)
        if pair is None:
            break
        i0, j0 = pair
        b_inv = K.inverse(rows[i0][j0])
        plus += 1
        minus += 1
        active.remove(i0)
        active.remove(j0)
        ci = {r: rows[r][i0] for r in active}
        cj = {r: rows[r][j0] for r in active}
        # S_rl -= (S_ri S_jl + S_rj S_il) / b  (P^-1 = [[0, 1/b], [1/b, 0]])
        for r in active:
            for l in active:
                if l < r:
                    continue
                t = ci[r] * cj[l] + cj[r] * ci[l]
                if t == 0:
                    continue
                v = reduce(rows[r][l] - reduce(t * b_inv))
                rows[r][l] = v
                rows[l][r] = v
    zero = len(active)
    # The elimination is exact over K, so n - zero is rank_K; an image mod p can only have a lower rank.
    lower = matrix.modular_rank()
    if lower > n - zero:
        raise ArithmeticError(f"LDL^T left {zero} zero directions but a residue image has rank {lower} of {n}")
    return Inertia(plus, minus, zero)


def field_inverse(matrix: FieldMatrix) -> FieldMatrix:
    """A^-1 over K from the inverse of the regular representation R(A) over Q (FLINT): R(A^-1) = R(A)^-1,
    and column 0 of the D x D block (i, j) of R(B) holds the coefficients of b_ij (multiplication by b_ij
    applied to 1). Raises ZeroDivisionError when A is singular."""
    K = matrix.field
    D, n = K.degree, matrix.nrows()
    if n != matrix.ncols():
        raise ValueError("inverse of a non-square matrix")
    R = matrix.regular_representation()
    try:
        inv = R.inv()
    except ZeroDivisionError:
        raise ZeroDivisionError("singular matrix over the number field") from None
    coeffs = [fmpq_mat(n, n, [inv[D * i + k, D * j] for i in range(n) for j in range(n)]) for k in range(D)]
    return FieldMatrix(K, coeffs)


def field_charpoly(matrix: FieldMatrix) -> list[FieldElement]:
    """det(x I - A) over K, coefficients constant term first, by Faddeev-LeVerrier
    (M_1 = I, c_(n-k) = -tr(A M_k)/k, M_(k+1) = A M_k + c_(n-k) I; exact in characteristic 0)."""
    K = matrix.field
    n = matrix.nrows()
    coefficients = [K.element(0)] * n + [K.element(1)]
    M = FieldMatrix.identity(K, n)
    for k in range(1, n + 1):
        AM = matrix * M
        c = -AM.trace() / k
        coefficients[n - k] = c
        M = AM + FieldMatrix.identity(K, n) * c
    return coefficients


def has_distinct_roots(coefficients: Sequence[FieldElement]) -> bool:
    """p (over K, constant first) has no repeated root in C: the resultant Res(p, p') != 0, i.e. the
    Sylvester matrix of p and p' has full rank over K (rank through the regular representation)."""
    p = list(coefficients)
    while len(p) > 1 and p[-1].is_zero():
        p.pop()
    n = len(p) - 1
    if n <= 1:
        return True
    K = p[0].field
    dp = [p[k] * k for k in range(1, n + 1)]
    size = 2 * n - 1
    zero = K.element(0)
    rows = []
    for i in range(n - 1):                   # n - 1 shifted copies of p (degree n)
        rows.append([zero] * i + list(reversed(p)) + [zero] * (size - n - 1 - i))
    for i in range(n):                       # n shifted copies of p' (degree n - 1)
        rows.append([zero] * i + list(reversed(dp)) + [zero] * (size - n - i))
    return FieldMatrix.from_rows(K, rows).rank() == size


def column_basis(matrix: FieldMatrix) -> list[int]:
    """Indices of columns that form a basis of the column space over K (greedy, rank through the
    regular representation)."""
    chosen: list[int] = []
    r = matrix.rank()
    for j in range(matrix.ncols()):
        if len(chosen) == r:
            break
        trial = chosen + [j]
        if matrix.columns(trial).rank() == len(trial):
            chosen = trial
    return chosen


def reduced_row_echelon(rows: list[list[FieldElement]]) -> tuple[list[list[FieldElement]], list[int]]:
    """The reduced row echelon form over K of a small matrix (its nonzero rows) and its pivot columns: unique, so
    rational whenever the row space is defined over Q."""
    rows = [list(r) for r in rows]
    if not rows:
        return [], []
    m, n = len(rows), len(rows[0])
    pivots: list[int] = []
    i = 0
    for col in range(n):
        k = next((k for k in range(i, m) if not rows[k][col].is_zero()), None)
        if k is None:
            continue
        rows[i], rows[k] = rows[k], rows[i]
        inverse = 1 / rows[i][col]
        rows[i] = [x * inverse for x in rows[i]]
        for k in range(m):
            if k != i and not rows[k][col].is_zero():
                f = rows[k][col]
                rows[k] = [a - f * b for a, b in zip(rows[k], rows[i])]
        pivots.append(col)
        i += 1
        if i == m:
            break
    return rows[:i], pivots


def kernel_vectors(M: FieldMatrix) -> list[list[FieldElement]]:
    """A basis of ker M (vectors) from the reduced echelon form of M, one vector per free column."""
    K, n = M.field, M.ncols()
    rows, pivots = reduced_row_echelon(M.tolist())
    out = []
    for f in (c for c in range(n) if c not in pivots):
        v = [K.element(0)] * n
        v[f] = K.element(1)
        for row, p in zip(rows, pivots):
            v[p] = -row[f]
        out.append(v)
    return out
