"""The regularized loss: critical set, error bound and classification for lambda_h > 0.

L(W) = 1/2 ||W_H ... W_1 X - Y||_F^2 + sum_h lambda_h/2 ||W_h||_F^2, all lambda_h > 0.
Reference: Chen, Jiang, Wang, "Error bound analysis for the regularized loss of deep
linear neural networks", arXiv 2502.11152 (CJW). Their body text was not available; the
statements used here are the reconstructed and machine-checked ones of docs/maths/regularized.md,
cited below by its section numbers ("Theorem R1" and "Theorem R2" are this project's labels, not
the paper's numbering):

- §2 weighted balancedness: lambda_h W_h W_h^T = lambda_(h+1) W_(h+1)^T W_(h+1) at every
  critical point, for any data (the data terms of W_(h+1)^T dL/dW_(h+1) and
  (dL/dW_h) W_h^T cancel).
- §3 Theorem R1 (whitened data X X^T = c I): the product singular values are
  s in S(y) = {0} u {s in (0, y): s^(H-2) (y - s)^H = Lambda}, Lambda = prod lambda_h, one
  per singular value y of the target M = Y X^T / c (with lambda/c); critical values
  c0 + c sum_i phi(y_i, s_i), phi(y, 0) = y^2/2, phi(y, s) = (y - s)(y + (H-1)s)/2.
- §4 error bound: holds near W* iff Hessian nullity = orbit dimension (Morse-Bott), with
  constant kappa -> 1/mu_+, mu_+ the smallest nonzero |eigenvalue|; Theorem R2 gives the
  data condition (H-2)^(H-2) H^H y^(2H-2) != (2H-2)^(2H-2) Lambda for every y > 0.

Roots are algebraic numbers held as (irreducible polynomial, rational isolating interval),
never as floats (:mod:`exactdln.arith.algebraic`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from math import comb, isqrt
from typing import Any, Sequence

from flint import arb, ctx, fmpq, fmpq_mat, fmpq_poly

from exactdln.arith.algebraic import AlgebraicReal, rational_enclosure, real_roots
from exactdln.arith.exact import from_fmpq_mat, nullspace, rank as exact_rank, to_fmpq as _q, to_fmpq_mat, to_fraction
from exactdln.arith.inertia import kernel_complement_inertia, symmetric_inertia
from exactdln.landscape.derivatives import gradient_at, hessian_matrix_at, loss_at
from exactdln.landscape.point import exact_point
from exactdln.landscape.symmetry import orbit_directions
from exactdln.model.problem import Problem, RationalMatrix
from exactdln.model.results import (
    GLOBAL_MINIMIZER,
    LOCAL_MINIMIZER,
    NOT_CRITICAL,
    STRICT_SADDLE,
    UNDECIDED,
    Inertia,
    RouteVerdict,
    Verdict,
    decimal_text,
    fraction_text,
    number_text,
)

__all__ = [
    "weighted_balance_defects",
    "is_weighted_balanced",
    "whitening_constant",
    "admissible_polynomial",
    "admissible_product_values",
    "ModeSpectrum",
    "closed_form_spectrum",
    "CriticalValue",
    "critical_values",
    "global_minimum_value",
    "error_bound_data_condition",
    "orbit_generators",
    "ErrorBound",
    "error_bound",
    "RegularizedClassification",
    "classify_regularized",
    "design_critical_point",
]


# ---------------------------------------------------------------------------------------------------------------
# §2: weighted balancedness


def weighted_balance_defects(problem: Problem, weights: Any) -> list[RationalMatrix]:
    """D_h = lambda_h W_h W_h^T - lambda_(h+1) W_(h+1)^T W_(h+1), h = 1..H-1 (docs/maths/regularized.md §2).

    Zero at every critical point of the regularized loss, for any data: the identity
    W_(h+1)^T dL/dW_(h+1) - (dL/dW_h) W_h^T = -D_h holds for every W.
    """
    p = exact_point(problem, weights)
    lam = p.lambdas
    return [from_fmpq_mat(p.W[h] * p.W[h].transpose() * lam[h] - p.W[h + 1].transpose() * p.W[h + 1] * lam[h + 1])
            for h in range(p.depth - 1)]


def is_weighted_balanced(problem: Problem, weights: Any) -> bool:
    """True iff every weighted balance defect D_h is exactly zero (docs/maths/regularized.md §2)."""
    return all(d.is_zero() for d in weighted_balance_defects(problem, weights))


# ---------------------------------------------------------------------------------------------------------------
# §3: the closed form for whitened data


def whitening_constant(problem: Problem) -> Fraction | None:
    """c if X X^T = c I with c > 0 exactly, else None (docs/maths/regularized.md §1 and §5.1 step 1)."""
    S = to_fmpq_mat(problem.X) * to_fmpq_mat(problem.X).transpose()
    c = S[0, 0]
    n = S.nrows()
    if c == 0 or any(S[i, j] != (c if i == j else 0) for i in range(n) for j in range(n)):
        return None
    return to_fraction(c)


def _prod(values: Sequence[Fraction]) -> Fraction:
    out = Fraction(1)
    for v in values:
        out *= v
    return out


def admissible_polynomial(y: Fraction, depth: int, Lambda: Fraction) -> fmpq_poly:
    """P_y(s) = s^(H-2) (y - s)^H - Lambda in Q[s], for a rational singular value y (Theorem R1).

    Depth H = 1 is not covered by the theorem and refused.
    """
    if depth < 2:
        raise ValueError("Theorem R1 (docs/maths/regularized.md §3) needs depth H >= 2")
    s = fmpq_poly([0, 1])
    return s ** (depth - 2) * (fmpq_poly([_q(y)]) - s) ** depth - _q(Lambda)


def _eliminated_polynomial(mu: Fraction, depth: int, Lambda: Fraction) -> tuple[fmpq_poly, fmpq_poly, fmpq_poly]:
    """For y = sqrt(mu) irrational: P_y = A + y B with A, B in Q[s]; returns (A, B, A^2 - mu B^2).

    A^2 - mu B^2 = P_y P_(-y) is the resultant-free elimination of y (docs/maths/regularized.md §5.1 step 2).
    """
    H = depth
    A, B = fmpq_poly([-_q(Lambda)]), fmpq_poly([0])
    s = fmpq_poly([0, 1])
    for k in range(H + 1):
        # term C(H,k) y^k (-s)^(H-k) s^(H-2)
        term = s ** (H - k + H - 2) * (comb(H, k) * (-1) ** (H - k))
        if k % 2 == 0:
            A += term * _q(mu ** (k // 2))
        else:
            B += term * _q(mu ** (k // 2))
    return A, B, A * A - B * B * _q(mu)


def _rational_sqrt(x: Fraction) -> Fraction | None:
    if x < 0:
        return None
    a, b = isqrt(x.numerator), isqrt(x.denominator)
    return Fraction(a, b) if a * a == x.numerator and b * b == x.denominator else None


def admissible_product_values(mu: Fraction, depth: int, Lambda: Fraction) -> list[tuple[AlgebraicReal, int]]:
    """The nonzero elements of S(y), y = sqrt(mu) > 0, each with its multiplicity as a root (Theorem R1).

    S(y) \\ {0} = {s in (0, y): s^(H-2)(y - s)^H = Lambda}. A multiplicity 2 is the double root
    of Theorem R2 (degenerate critical points). Each root is isolated on its monotone branch of
    s^(H-2) (y - s)^H by exact signs, for rational and irrational y alike (docs/maths/regularized.md §5.1 step 3).

    For 0 < s < y, s^(H-2) (y - s)^H < y^(2H-2), so when Lambda >= y^(2H-2), i.e. Lambda^2 >= mu^(2H-2), the set is
    empty without any root finding (a hostile lambda of 10^4300 otherwise spent the whole time budget here).
    """
    if depth >= 1 and Lambda > 0 and Lambda**2 >= mu ** (2 * depth - 2):
        return []
    y = _rational_sqrt(mu)
    if y is not None:
        return _rational_branch_roots(y, depth, Lambda)
    return _irrational_branch_roots(mu, depth, Lambda)


def _sign_with_root(a: fmpq, b: fmpq, mu: fmpq) -> int:
    """The exact sign of a + sqrt(mu) b for rationals a, b and mu > 0 (compare a^2 with mu b^2 when signs differ)."""
    sa, sb = (a > 0) - (a < 0), (b > 0) - (b < 0)
    if sb == 0 or sa == sb:
        return sa if sa else sb
    if sa == 0:
        return sb
    d = a * a - mu * b * b
    return sa if d > 0 else (-sa if d < 0 else 0)


def _sqrt_bracket(mu: fmpq, bits: int) -> tuple[fmpq, fmpq]:
    """Rationals lo < sqrt(mu) < hi with hi - lo = 2^-bits, for a positive rational mu that is not a square."""
    scaled = int(mu.p) * 4**bits // int(mu.q)
    root = isqrt(scaled)
    return fmpq(root, 2**bits), fmpq(root + 1, 2**bits)


def _irrational_branch_roots(mu: Fraction, depth: int, Lambda: Fraction) -> list[tuple[AlgebraicReal, int]]:
    """The roots of s^(H-2) (y - s)^H = Lambda in (0, y) for y = sqrt(mu) irrational, isolated by exact signs.

    The same monotone branches as for a rational y (see ``_rational_branch_roots``): f(s) = s^(H-2) (y - s)^H rises
    on (0, s*) and falls on (s*, y), s* = c y with c = (H-2)/(2H-2), and its peak f(s*) = c^(H-2) (1-c)^H mu^(H-1) is
    rational. With P_y = A + y B (A, B in Q[s]), the sign of P_y at a rational point is decided exactly by
    ``_sign_with_root``. Each branch's root is guessed by ``_newton_on_branch`` at doubling precision, and the
    bracket [x - d, x + d] is accepted only if it lies inside its branch (compared through squares), P_y changes
    sign on it, and, for even H, P_(-y) = A - y B, which increases on (0, oo) and has no common root with P_y there,
    does not (for odd H, P_(-y) < 0 on (0, oo)). Then R = A^2 - mu B^2 = P_y P_(-y) has exactly one
    root in the bracket, a root of exactly one irreducible factor of R, the one that changes sign there.
    This replaces isolating every root of R with FLINT's complex root finder, one uninterruptible call that took
    more than the whole time budget for a tiny lambda (roots within Lambda^(1/H) of y) or coefficients of
    thousands of digits.
    """
    H = depth
    A, B, R = _eliminated_polynomial(mu, depth, Lambda)
    q_mu, q_lam = _q(mu), _q(Lambda)
    c = fmpq(H - 2, 2 * H - 2)
    top = c ** (H - 2) * (1 - c) ** H * q_mu ** (H - 1)
    if q_lam > top:
        return []
    _, factors = R.factor()
    if q_lam == top:                              # the double root s* = c sqrt(mu) of Theorem R2 (H >= 3 here)
        lo, hi = _sqrt_bracket(q_mu, 64)
        lo, hi = c * lo, c * hi
        minimal = (-to_fraction(c * c * q_mu), Fraction(0), Fraction(1))
        return [(AlgebraicReal(minimal, to_fraction(lo), to_fraction(hi)), 2)]

    def p_plus(s: fmpq) -> int:
        return _sign_with_root(A(s), B(s), q_mu)

    def p_minus(s: fmpq) -> int:
        return _sign_with_root(A(s), -B(s), q_mu)

    height = max((int(x.p).bit_length() + int(x.q).bit_length() for x in R.coeffs()), default=0)
    limit = 4 * (R.degree() + 2) * (height + 64)   # a Liouville-type bound on how close the roots can lie
    c_mu = c * c * q_mu

    def isolates(lo: fmpq, hi: fmpq, rising: bool) -> bool:
        # [lo, hi] inside one monotone branch of f, a sign change of P_y on it, and none of P_(-y) (monotone on (0, oo))
        inside = lo > 0 and (hi * hi < c_mu if rising else (lo * lo > c_mu and hi * hi < q_mu))
        return (lo < hi and inside and p_plus(lo) * p_plus(hi) < 0
                and (H % 2 == 1 or p_minus(lo) * p_minus(hi) > 0))

    out = []
    for rising in ((True, False) if H >= 3 else (False,)):
        prec = _starting_precision(q_mu, q_lam, H, rising)
        while True:
            if prec > limit + 256:
                raise ArithmeticError("could not bracket a root of s^(H-2) (y - s)^H = Lambda")
            guess = _newton_on_branch(q_mu, q_lam, H, rising, prec)
            if guess is not None:
                x, distance = guess
                delta = distance * fmpq(1, 2 ** (prec // 2))
                lo, hi = x - delta, x + delta
                if isolates(lo, hi, rising):
                    break
            prec *= 2
        out.append(_root_of_the_factor_changing_sign(factors, lo, hi))
    return out


def _starting_precision(mu: fmpq, Lambda: fmpq, depth: int, rising: bool) -> int:
    """Bits for the first Newton attempt: twice the binary orders of magnitude between y and the root's scale.

    On the rising branch the root is about (Lambda / y^H)^(1/(H-2)) and lies that close to the root of P_(-y); on
    the falling branch it is about (Lambda / y^(H-2))^(1/H) from y. A bracket of relative width 2^(-prec/2) must
    resolve that scale, so starting at 128 bits and doubling spent most of the time on attempts bound to fail.
    """
    H = depth
    saved = ctx.prec
    try:
        ctx.prec = 64
        y, lam = arb(mu).sqrt(), arb(Lambda)
        if rising:
            scale = ((lam.log() - y.log() * H) / (H - 2)).exp()
        else:
            scale = ((lam.log() - y.log() * (H - 2)) / H).exp()
        ratio = (y / scale).log() / arb(2).log()
        bits = int(ratio.mid().floor().unique_fmpz()) if ratio.is_finite() and ratio > 0 else 0
    finally:
        ctx.prec = saved
    return 128 + 2 * bits


def _exact_midpoint(x: arb) -> fmpq:
    """The midpoint of an arb ball as an exact rational."""
    mantissa, exponent = x.mid().man_exp()
    return fmpq(mantissa) * fmpq(2) ** int(exponent)


def _newton_on_branch(mu: fmpq, Lambda: fmpq, depth: int, rising: bool, prec: int) -> tuple[fmpq, fmpq] | None:
    """A rational approximation x of the root of f(s) = Lambda on one branch, and its distance scale.

    Newton's method at ``prec`` bits on g(s) = (H-2) log s + H log(y - s) - log Lambda, which is concave on (0, y):
    from a start where g < 0 it moves monotonically to the root on either branch (the tangent lies above g). The
    starts: s0 = (Lambda / y^H)^(1/(H-2)) on the rising branch (f(s0) < Lambda since (y - s0)^H < y^H), and on the
    falling branch y - (Lambda / y^(H-2))^(1/H), moved towards y while it is not right of s* with g < 0. Only a guess:
    the caller verifies the bracket [x - d, x + d] by exact signs, with d the returned scale (x on the rising branch,
    y - x on the falling one) times 2^(-prec/2).
    """
    H = depth
    saved = ctx.prec
    try:
        ctx.prec = prec + 32
        y, lam = arb(mu).sqrt(), arb(Lambda)
        peak = y * (H - 2) / (2 * H - 2)

        def g(s: arb) -> arb:
            return (s.log() * (H - 2) if H > 2 else arb(0)) + (y - s).log() * H - lam.log()

        if rising:
            x = ((lam.log() - y.log() * H) / (H - 2)).exp()
        else:
            # f(y - d) = (y - d)^(H-2) Lambda / y^(H-2) < Lambda: right of the root whenever y - d > s*, which holds
            # up to rounding (y - root >= d, so d >= y - s* would put the root left of s*)
            # (for H = 2 it is the root itself, so rounding may leave g(x) >= 0: halving d keeps f < Lambda)
            d = ((lam.log() - y.log() * (H - 2)) / H).exp()
            for _ in range(64):
                x = y - d
                if not x < y:
                    return None                       # y - d rounds to y: not enough bits for this root
                if x > peak and g(x) < 0:
                    break
                d = d / 2
            else:
                return None
        for _ in range(4 * prec.bit_length() + 64):
            derivative = ((H - 2) / x if H > 2 else arb(0)) - H / (y - x)
            step = g(x) / derivative
            x = arb((x - step).mid())
            if abs(step.mid()) <= abs(x.mid()) * arb(2) ** (-prec):
                break
        if not (x.is_finite() and y.is_finite()):
            return None                               # Newton left the domain at this precision: try more bits
        x_q, y_q = _exact_midpoint(x), _exact_midpoint(y)
        distance = x_q if rising else abs(y_q - x_q)
        return x_q, distance if distance > 0 else fmpq(1, 2 ** prec)
    finally:
        ctx.prec = saved


def _sign(v: fmpq) -> int:
    return (v > 0) - (v < 0)


def _root_of_the_factor_changing_sign(factors: Sequence[tuple[fmpq_poly, int]], lo: fmpq,
                                      hi: fmpq) -> tuple[AlgebraicReal, int]:
    """The one root in [lo, hi], as a root of the irreducible factor that changes sign there, with its multiplicity.

    The caller has proven that the factored polynomial has exactly one root in [lo, hi], a simple root of its
    factor; a factor without a root there has no sign change, so the first that changes sign is the one.
    """
    for g, mult in factors:
        if g.degree() < 1 or _sign(g(lo)) * _sign(g(hi)) >= 0:
            continue
        coefficients = [to_fraction(fmpq(c)) for c in g.coeffs()]
        if g.degree() == 1:
            return AlgebraicReal.rational(-coefficients[0] / coefficients[1]), int(mult)
        root = AlgebraicReal(tuple(coefficients), to_fraction(lo), to_fraction(hi))
        return root.refine(Fraction(1, 10**30)), int(mult)
    raise ArithmeticError("no factor changes sign on the bracket of a root of s^(H-2) (y - s)^H = Lambda")


def _rational_branch_roots(y: Fraction, depth: int, Lambda: Fraction) -> list[tuple[AlgebraicReal, int]]:
    """The roots of s^(H-2) (y - s)^H = Lambda in (0, y) for rational y > 0, isolated without a root finder.

    f(s) = s^(H-2) (y - s)^H has f' = s^(H-3) (y - s)^(H-1) ((H-2) y - (2H-2) s) on (0, y): it rises to its peak at
    s* = (H-2) y / (2H-2) and falls after it (for H = 2, s* = 0: it only falls). So f = Lambda has at most one root
    in (0, s*) and one in (s*, y), none when Lambda > f(s*), the double root s* when Lambda = f(s*), and otherwise
    exactly one simple root on each branch, where f - Lambda changes sign; the endpoints are not roots (f(0) =
    f(y) = 0 < Lambda, f(s*) > Lambda). Each root belongs to exactly one irreducible factor of P_y, the one that
    changes sign on its branch. A root finder on P_y is not needed, and a tiny lambda (roots within
    Lambda^(1/H) of y, coefficients of thousands of digits) kept FLINT's one in a single long call.
    """
    H = depth
    peak = Fraction(H - 2, 2 * H - 2) * y
    top = peak ** (H - 2) * (y - peak) ** H
    if Lambda > top:
        return []
    if Lambda == top:
        return [(AlgebraicReal.rational(peak), 2)]
    branches = [(peak, y)] if H == 2 else [(Fraction(0), peak), (peak, y)]
    _, factors = admissible_polynomial(y, H, Lambda).factor()
    return [_root_of_the_factor_changing_sign(factors, _q(lo), _q(hi)) for lo, hi in branches]


@dataclass(frozen=True)
class ModeSpectrum:
    """One positive singular value y = sqrt(mu) of the scaled target with its admissible s-values."""

    mu: Fraction
    multiplicity: int
    values: tuple[tuple[AlgebraicReal, int], ...]   # nonzero s in S(y), with root multiplicity

    def to_json(self) -> dict[str, Any]:
        return {"y_squared": fraction_text(self.mu), "multiplicity": self.multiplicity,
                "s_values": [{"s": s.to_json(), "root_multiplicity": m} for s, m in self.values]}


@dataclass(frozen=True)
class ClosedForm:
    """Data of Theorem R1 after the reduction of §1: scale c, target M/c, lambdas/c, constant c0."""

    c: Fraction
    depth: int
    Lambda: Fraction            # prod (lambda_h / c)
    c0: Fraction                # 1/2 (||Y||^2 - ||M||^2 / c)
    modes: tuple[ModeSpectrum, ...]
    r_max: int

    def to_json(self) -> dict[str, Any]:
        return {"c": fraction_text(self.c), "depth": self.depth, "Lambda": fraction_text(self.Lambda),
                "c0": fraction_text(self.c0), "r_max": self.r_max, "modes": [m.to_json() for m in self.modes]}


def closed_form_spectrum(problem: Problem, widths: Sequence[int]) -> ClosedForm | None:
    """The per-singular-value equations of Theorem R1 and their exactly isolated roots.

    Needs X X^T = c I and lambda_h > 0 (else None). The eigenvalues mu of (M/c)(M/c)^T,
    M = Y X^T, are read from the factored characteristic polynomial; an irrational mu
    raises NotImplementedError (the closed form then needs a number field:
    docs/maths/regularized.md §5.1 step 2).
    """
    c = whitening_constant(problem)
    depth = len(widths) - 1
    lams = problem.layer_lambdas(depth)
    if c is None or depth < 2 or any(l <= 0 for l in lams):
        return None
    M = to_fmpq_mat(problem.Y) * to_fmpq_mat(problem.X).transpose() / _q(c)
    gram = M * M.transpose() if M.nrows() <= M.ncols() else M.transpose() * M
    Lambda = _prod([l / c for l in lams])
    modes = []
    for root, mult in real_roots(gram.charpoly()):
        if not root.is_rational:
            raise NotImplementedError("an eigenvalue of M M^T is irrational; the closed form needs a number field")
        if root.value > 0:
            modes.append(ModeSpectrum(root.value, mult, tuple(admissible_product_values(root.value, depth, Lambda))))
    modes.sort(key=lambda m: -m.mu)
    Yf = to_fmpq_mat(problem.Y)
    normY = sum((x * x for x in Yf.entries()), fmpq(0))
    normM = sum((x * x for x in M.entries()), fmpq(0)) * _q(c) * _q(c)
    c0 = to_fraction(normY - normM / _q(c)) / 2
    return ClosedForm(c, depth, Lambda, c0, tuple(modes), min(widths))


@dataclass(frozen=True)
class CriticalValue:
    """One critical value c0 + c sum_i phi(y_i, s_i): exact if rational, else a rational bracket."""

    lower: Fraction
    upper: Fraction
    choice: tuple[tuple[str, ...], ...]   # per mode, the chosen s-values (text), one per copy
    rank: int

    @property
    def exact(self) -> bool:
        return self.lower == self.upper

    def to_json(self) -> dict[str, Any]:
        v = fraction_text(self.lower) if self.exact else [fraction_text(self.lower), fraction_text(self.upper)]
        return {"value": v, "rank": self.rank, "s": [list(c) for c in self.choice]}

    def __str__(self) -> str:
        v = (number_text(self.lower) if self.exact
             else f"in [{decimal_text(self.lower, 12)[0]}, {decimal_text(self.upper, 12)[0]}]")
        return f"{v} (rank {self.rank})"


def _phi_bounds(mu: Fraction, s: AlgebraicReal | None, depth: int) -> tuple[Fraction, Fraction]:
    """phi(y, s) = (y - s)(y + (H-1)s)/2 = (mu + (H-2) y s - (H-1) s^2)/2, phi(y, 0) = mu/2 (§3)."""
    if s is None:
        return mu / 2, mu / 2
    y = _rational_sqrt(mu)
    if y is not None and s.is_rational:
        v = (y - s.value) * (y + (depth - 1) * s.value) / 2
        return v, v
    s = s.refine(Fraction(1, 10**40))
    ys = arb(_q(mu)).sqrt() * s.ball()
    ball = (arb(_q(mu)) + ys * (depth - 2) - s.ball() ** 2 * (depth - 1)) / 2
    return rational_enclosure(ball)


def critical_values(form: ClosedForm, *, limit: int = 100_000) -> list[CriticalValue]:
    """Every critical value of the regularized loss, sorted (Theorem R1, §3 critical values).

    Each copy of a singular value y picks s in S(y) (0 or a root); at most r_max of the s
    are nonzero. Value = c0 + c * sum phi(y_i, s_i). Values are merged when exactly equal.
    """
    options = []
    for mode in form.modes:
        per_copy = [None] + [s for s, _ in mode.values]
        # copies of a repeated y: choose a multiset (order does not change the value)
        options.append(list(itertools.combinations_with_replacement(range(len(per_copy)), mode.multiplicity)))
    out: dict[tuple, CriticalValue] = {}
    count = 0
    for combo in itertools.product(*options):
        rank = sum(1 for picks in combo for k in picks if k != 0)
        if rank > form.r_max:
            continue
        count += 1
        if count > limit:
            raise ValueError(f"more than {limit} combinations of admissible values")
        lo = hi = form.c0
        texts = []
        for mode, picks in zip(form.modes, combo):
            per_copy = [None] + [s for s, _ in mode.values]
            texts.append(tuple("0" if k == 0 else str(per_copy[k]) for k in picks))
            for k in picks:
                a, b = _phi_bounds(mode.mu, per_copy[k], form.depth)
                lo += form.c * a
                hi += form.c * b
        key = (lo, hi, rank)
        out.setdefault(key, CriticalValue(lo, hi, tuple(texts), rank))
    return sorted(out.values(), key=lambda v: (v.lower, v.upper))


def global_minimum_value(form: ClosedForm) -> CriticalValue:
    """The smallest critical value; F is coercive (lambda > 0), so it is the global minimum (§3).

    Brackets that overlap the smallest one are refined by construction at 10^-40; if two
    irrational brackets still overlap the smallest is reported with the union bracket.
    """
    values = critical_values(form)
    best = values[0]
    for v in values[1:]:
        if v.lower < best.upper:
            best = CriticalValue(min(best.lower, v.lower), min(best.upper, v.upper), best.choice, best.rank)
    return best


def error_bound_data_condition(problem: Problem, depth: int) -> tuple[bool, list[AlgebraicReal]]:
    """Theorem R2 (docs/maths/regularized.md §4.4): the error bound holds near every critical point iff no
    positive singular value y of M/c satisfies (H-2)^(H-2) H^H y^(2H-2) = (2H-2)^(2H-2) Lambda.

    Decided exactly: gcd of charpoly((M/c)(M/c)^T)(mu) and (H-2)^(H-2) H^H mu^(H-1) - (2H-2)^(2H-2) Lambda,
    then its positive rational roots (0^0 = 1). Returns (holds, offending mu values). Needs X X^T = c I.
    Depth H = 1 is outside the theorem: L = 1/2 ||W X - Y||^2 + lambda/2 ||W||^2 has the Hessian
    (X X^T + lambda I) (x) I, positive definite for lambda > 0, so the loss is strongly convex and the error
    bound holds everywhere (the formula's (-1)^(-1) = -1 = Lambda has no solution either).
    """
    c = whitening_constant(problem)
    if c is None:
        raise ValueError("Theorem R2 (docs/maths/regularized.md §4.4) needs whitened data X X^T = c I")
    H = depth
    if H < 2:
        return True, []
    lams = problem.layer_lambdas(H)
    Lambda = _prod([l / c for l in lams])
    M = to_fmpq_mat(problem.Y) * to_fmpq_mat(problem.X).transpose() / _q(c)
    gram = M * M.transpose() if M.nrows() <= M.ncols() else M.transpose() * M
    lead = (H - 2) ** (H - 2) * H ** H          # Python's 0 ** 0 == 1 is the convention of R2
    cond = fmpq_poly([0] * (H - 1) + [lead]) - _q((2 * H - 2) ** (2 * H - 2) * Lambda)
    g = gram.charpoly().gcd(cond)
    bad = [r for r, _ in real_roots(g) if r.lower > 0] if g.degree() > 0 else []
    return (not bad), bad


# ---------------------------------------------------------------------------------------------------------------
# §4: orbits, Hessian nullity and the error bound


def _skew_basis(n: int) -> list[fmpq_mat]:
    out = []
    for a in range(n):
        for b in range(a + 1, n):
            A = fmpq_mat(n, n)
            A[a, b], A[b, a] = 1, -1
            out.append(A)
    return out


def _flatten(blocks: Sequence[fmpq_mat]) -> list[fmpq]:
    return [x for b in blocks for x in b.entries()]


def orbit_generators(problem: Problem, weights: Any) -> fmpq_mat:
    """Rows spanning the tangent space of the orthogonal symmetry orbit at W (docs/maths/regularized.md §4.2).

    Hidden layers: for skew A in so(d_h), (dW_h, dW_(h+1)) = (A W_h, -W_(h+1) A)
    (:func:`exactdln.landscape.symmetry.orbit_directions` with ``orthogonal_only``). Ends: skew
    (B, C) with B Sigma_YX = Sigma_YX C and C Sigma_XX = Sigma_XX C (then W -> e^{tB} W e^{-tC}
    leaves the loss invariant; for X X^T = cI the second condition is void and the first is
    B M = M C), giving (dW_H, dW_1) = (B W_H, -W_1 C). The weight-decay penalty is orthogonally
    invariant, so these are symmetries for every lambda.
    """
    p = exact_point(problem, weights)
    H, d = p.depth, p.widths
    zero = [fmpq_mat(w.nrows(), w.ncols()) for w in p.W]
    hidden = orbit_directions(p, orthogonal_only=True)      # skew A on every hidden layer
    rows: list[list[fmpq]] = [[hidden[i, j] for j in range(hidden.ncols())] for i in range(hidden.nrows())]
    # end symmetries: solve the linear conditions on (B, C) exactly
    Bs, Cs = _skew_basis(d[H]), _skew_basis(d[0])
    if Bs or Cs:
        Syx, Sxx = p.sigma_yx, p.sigma_xx
        cols = [_flatten([B * Syx, fmpq_mat(d[0], d[0])]) for B in Bs] + \
               [_flatten([-(Syx * C), C * Sxx - Sxx * C]) for C in Cs]
        n_rows = len(cols[0])
        system = fmpq_mat(n_rows, len(cols), [cols[j][i] for i in range(n_rows) for j in range(len(cols))])
        null = nullspace(system)
        for k in range(null.ncols()):
            coeff = [null[i, k] for i in range(null.nrows())]
            B = sum((Bs[i] * coeff[i] for i in range(len(Bs))), fmpq_mat(d[H], d[H]))
            C = sum((Cs[i] * coeff[len(Bs) + i] for i in range(len(Cs))), fmpq_mat(d[0], d[0]))
            blocks = list(zero)
            blocks[H - 1] = blocks[H - 1] + B * p.W[H - 1]
            blocks[0] = blocks[0] - p.W[0] * C
            rows.append(_flatten(blocks))
    n = p.n_parameters
    if not rows:
        return fmpq_mat(0, n)
    return fmpq_mat(len(rows), n, [x for r in rows for x in r])


@dataclass(frozen=True)
class ErrorBound:
    """The error-bound test at a critical point (docs/maths/regularized.md §4.3).

    holds iff Hessian nullity == orbit dimension; then every kappa > 1/mu_plus works
    (sharp as the neighbourhood shrinks), mu_plus = min nonzero |eigenvalue|, given as a
    rational bracket [mu_lower, mu_upper] (exact when lower == upper).
    """

    nullity: int
    orbit_dimension: int
    inertia: Inertia
    mu_plus: tuple[Fraction, Fraction] | None

    @property
    def holds(self) -> bool:
        return self.nullity == self.orbit_dimension

    @property
    def kappa(self) -> tuple[Fraction, Fraction] | None:
        """1/mu_plus as a bracket [1/mu_upper, 1/mu_lower]."""
        if self.mu_plus is None or not self.holds:
            return None
        return (1 / self.mu_plus[1], 1 / self.mu_plus[0])

    def to_json(self) -> dict[str, Any]:
        def br(b):
            return None if b is None else [fraction_text(b[0]), fraction_text(b[1])]
        return {"holds": self.holds, "nullity": self.nullity, "orbit_dimension": self.orbit_dimension,
                "inertia": self.inertia.to_json(), "mu_plus": br(self.mu_plus), "kappa": br(self.kappa)}

    def __str__(self) -> str:
        s = f"error bound {'holds' if self.holds else 'FAILS'}: Hessian nullity {self.nullity}, orbit dimension {self.orbit_dimension}"
        if self.kappa is not None:
            s += f"; kappa = 1/mu_+ in [{float(self.kappa[0]):.10g}, {float(self.kappa[1]):.10g}]"
        return s


def _shifted_inertia(hessian: fmpq_mat, t: Fraction) -> Inertia:
    """Inertia of H - tI: n_minus counts eigenvalues < t, n_zero those equal to t (Sylvester, exact)."""
    n = hessian.ncols()
    return symmetric_inertia(hessian - fmpq_mat([[_q(t) if i == j else 0 for j in range(n)] for i in range(n)]))


def _verified_gap(hessian: fmpq_mat, nullity: int, a: Fraction, b: Fraction) -> bool:
    """True iff every nonzero eigenvalue has |mu| >= a and some nonzero eigenvalue has |mu| <= b (0 < a <= b).

    Exact: #eig in (-a, a) = #(< a) - #(<= -a) must equal the nullity; #eig in [-b, b] must exceed it.
    """
    plus_a, minus_a = _shifted_inertia(hessian, a), _shifted_inertia(hessian, -a)
    if plus_a.n_minus - (minus_a.n_minus + minus_a.n_zero) != nullity:
        return False
    plus_b, minus_b = (plus_a, minus_a) if b == a else (_shifted_inertia(hessian, b), _shifted_inertia(hessian, -b))
    return plus_b.n_minus + plus_b.n_zero - minus_b.n_minus > nullity


def _smallest_nonzero_abs_eigenvalue(hessian: fmpq_mat, nullity: int) -> tuple[Fraction, Fraction] | None:
    """Bracket [a, b] of mu_+ = min |mu| over nonzero eigenvalues of the Hessian (§4.3, §5.1 step 5).

    A float eigenvalue guides; the bracket is then verified exactly by inertia counts of H -+ tI
    (Sylvester's law). If a nearby small-denominator rational q has H -+ qI singular and the
    counts hold for a = b = q, the value is exact. Fallback: real roots of charpoly / x^nullity.
    """
    n = hessian.nrows()
    if nullity >= n:
        return None
    try:
        import numpy as np
        # the float guess is taken of H / 2^k with 2^k about the largest entry, so that a huge lambda (10^4000: entries
        # beyond the float range) still gives a guess instead of infinities
        k = max((int(e.p).bit_length() - int(e.q).bit_length() for e in hessian.entries() if e != 0), default=0)
        scale = Fraction(2) ** k
        M = np.array([[float(hessian[i, j] / _q(scale)) for j in range(n)] for i in range(n)])
        eig = np.sort(np.abs(np.linalg.eigvalsh(M)))
        guess = Fraction(float(eig[nullity])) * scale if np.isfinite(eig[nullity]) else Fraction(0)
        if guess > 0:
            q = guess.limit_denominator(10**4)
            if q > 0 and _verified_gap(hessian, nullity, q, q):
                return (q, q)
            for rel in (Fraction(1, 10**9), Fraction(1, 10**6), Fraction(1, 10**3)):
                a = _round_to_bits(guess * (1 - rel), 50)
                b = _round_to_bits(guess * (1 + rel), 50)
                if 0 < a <= b and _verified_gap(hessian, nullity, a, b):
                    return (a, b)
    except (ValueError, OverflowError, ArithmeticError):
        pass
    chi = hessian.charpoly()
    q = fmpq_poly(chi.coeffs()[nullity:])
    if q.degree() < 1:
        return None
    height = sum(int(c.p).bit_length() + int(c.q).bit_length() for c in q.coeffs())
    if height > 4000:
        # FLINT's complex root finder on a polynomial of this height is one long uninterruptible call (a lambda of
        # 10^4600 took the whole time budget): bisect instead with exact inertia counts, each a short step
        return _bisected_gap(hessian, nullity, q)
    best: tuple[Fraction, Fraction] | None = None
    for root, _ in real_roots(q):
        root = root.refine(Fraction(1, 10**30))
        lo, hi = (root.lower, root.upper) if root.lower > 0 else (-root.upper, -root.lower)
        if best is None or lo < best[0]:
            best = (lo, hi)
    return best


def _round_to_bits(x: Fraction, bits: int) -> Fraction:
    """x rounded to a dyadic rational with about ``bits`` significant bits (a short guess, checked exactly later)."""
    if x == 0:
        return x
    shift = bits - (x.numerator.bit_length() - x.denominator.bit_length())
    return Fraction(round(x * Fraction(2) ** shift)) / Fraction(2) ** shift


def _bisected_gap(hessian: fmpq_mat, nullity: int, q: fmpq_poly) -> tuple[Fraction, Fraction] | None:
    """Bracket [a, b], b <= a (1 + 2^-40), of the smallest nonzero |eigenvalue| by exact counts alone.

    q is charpoly / x^nullity, so q(0) != 0. Every root r of q satisfies |q(0)| / (|q(0)| + max_i |q_i|) <= |r| <= 1 +
    max_i |q_i| (Cauchy's bounds, q monic), which brackets mu_+ by powers of two; ``_verified_gap`` (Sylvester counts of
    H -+ tI) decides each bisection step, first on the exponent, then on the value.
    """
    coefficients = [abs(to_fraction(fmpq(c))) for c in q.coeffs()]
    lead = coefficients[-1]
    coefficients = [c / lead for c in coefficients]
    biggest = max(coefficients[1:-1], default=Fraction(0))
    lower = coefficients[0] / (coefficients[0] + max(biggest, Fraction(1)))
    upper = 1 + max(coefficients[:-1])
    lo_exp = lower.numerator.bit_length() - lower.denominator.bit_length() - 1
    hi_exp = upper.numerator.bit_length() - upper.denominator.bit_length() + 1

    def none_below(t: Fraction) -> bool:
        return _count_below(hessian, nullity, t)

    two = Fraction(2)
    while hi_exp - lo_exp > 1:                    # invariant: none below 2^lo_exp, some at or below 2^hi_exp
        mid = (lo_exp + hi_exp) // 2
        if none_below(two ** mid):
            lo_exp = mid
        else:
            hi_exp = mid
    a, b = two ** lo_exp, two ** hi_exp
    while b - a > a / 2**40:
        mid = (a + b) / 2
        if none_below(mid):
            a = mid
        else:
            b = mid
    return (a, b)


def _count_below(hessian: fmpq_mat, nullity: int, t: Fraction) -> bool:
    """True iff no nonzero eigenvalue has |mu| < t: #eig in (-t, t) equals the nullity (Sylvester, exact)."""
    plus, minus = _shifted_inertia(hessian, t), _shifted_inertia(hessian, -t)
    return plus.n_minus - (minus.n_minus + minus.n_zero) == nullity


def error_bound(problem: Problem, weights: Any, *, hessian: fmpq_mat | None = None,
                with_constant: bool = True) -> ErrorBound:
    """Decide the error bound at a critical point: nullity(Hess) == dim(orbit) (§4.3 Lemma).

    Nullity and inertia come from ``kernel_complement_inertia`` with the orbit generators
    as known kernel vectors (their membership in ker H is checked exactly); the orbit
    dimension is their exact rank. mu_plus (and kappa = 1/mu_plus) from the charpoly.

    The Hessian is first split into the diagonal blocks of its sparsity pattern
    (:func:`_independent_blocks`): the inertia is the sum of the blocks' inertias (Sylvester, a
    permutation is a congruence), the spectrum the union of theirs, so mu_plus is bracketed by the
    least lower and the least upper end of the blocks' brackets. Equal blocks are decided once. At the
    origin of a deep network (H >= 3) every block is 1 x 1 (the data term's second derivatives all
    contain a zero factor), so the work is linear in the number of parameters after the Hessian.
    """
    p = exact_point(problem, weights)
    H = hessian_matrix_at(p) if hessian is None else hessian
    gens = orbit_generators(problem, p)
    orbit = exact_rank(gens) if gens.nrows() else 0
    n = H.nrows()
    entries = H.entries()
    flat = gens.entries()
    gen_rows = [flat[k * n:(k + 1) * n] for k in range(gens.nrows())]
    total = Inertia(0, 0, 0)
    lows: list[Fraction] = []
    highs: list[Fraction] = []
    seen: dict[tuple, tuple[Inertia, tuple[Fraction, Fraction] | None]] = {}
    for idx in _independent_blocks(entries, n):
        block = [entries[i * n + j] for i in idx for j in idx]
        kernel = [r for r in ([row[j] for j in idx] for row in gen_rows) if any(x != 0 for x in r)]
        key = (len(idx), tuple(block), tuple(tuple(r) for r in kernel))
        if key not in seen:
            seen[key] = _block_error_bound(fmpq_mat(len(idx), len(idx), block), kernel, with_constant)
        inertia, mu = seen[key]
        total = total + inertia
        if mu is not None:
            lows.append(mu[0])
            highs.append(mu[1])
    mu_plus = (min(lows), min(highs)) if with_constant and lows else None
    return ErrorBound(total.n_zero, orbit, total, mu_plus)


def _independent_blocks(entries: Sequence[fmpq], n: int) -> list[list[int]]:
    """Index sets of the connected components of the graph i ~ j iff H[i, j] != 0 (H symmetric, row-major).

    After permuting to these index sets H is block diagonal.
    """
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        row = entries[i * n:(i + 1) * n]
        for j in range(i + 1, n):
            if row[j] != 0:
                a, b = root(i), root(j)
                if a != b:
                    parent[b] = a
    blocks: dict[int, list[int]] = {}
    for i in range(n):
        blocks.setdefault(root(i), []).append(i)
    return list(blocks.values())


def _block_error_bound(block: fmpq_mat, kernel: list[list[fmpq]],
                       with_constant: bool) -> tuple[Inertia, tuple[Fraction, Fraction] | None]:
    """(inertia, bracket of the least nonzero |eigenvalue| or None) of one diagonal block of the Hessian.

    ``kernel``: the orbit generators restricted to the block (each still in its kernel, checked exactly by
    :func:`exactdln.arith.inertia.kernel_complement_inertia`).
    """
    size = block.nrows()
    if size == 1 and not kernel:
        x = to_fraction(block[0, 0])
        inertia = Inertia(int(x > 0), int(x < 0), int(x == 0))
        return inertia, ((abs(x), abs(x)) if x != 0 and with_constant else None)
    gens = fmpq_mat(len(kernel), size, [x for r in kernel for x in r]) if kernel else fmpq_mat(0, size)
    inertia, _ = kernel_complement_inertia(block, gens)
    mu = _smallest_nonzero_abs_eigenvalue(block, inertia.n_zero) if with_constant else None
    return inertia, mu


# ---------------------------------------------------------------------------------------------------------------
# classification for lambda > 0


@dataclass(frozen=True)
class RegularizedClassification(Verdict):
    """Verdict for a point of the regularized loss, and how it was decided."""

    kind: str
    critical: bool
    loss: Fraction
    weighted_balanced: bool
    methods: tuple[RouteVerdict, ...]
    error_bound: ErrorBound | None = None
    global_value: CriticalValue | None = None
    notes: tuple[str, ...] = ()

    @property
    def inertia(self) -> Inertia | None:
        return None if self.error_bound is None else self.error_bound.inertia

    @property
    def fitted(self) -> None:
        """None: the index set S of fitted eigenvalues belongs to the unregularized loss
        (docs/maths/classification.md §2.1)."""
        return None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "critical": self.critical, "loss": fraction_text(self.loss),
                "weighted_balanced": self.weighted_balanced,
                "inertia": None if self.inertia is None else self.inertia.to_json(),
                "error_bound": None if self.error_bound is None else self.error_bound.to_json(),
                "global_value": None if self.global_value is None else self.global_value.to_json(),
                "methods": [m.to_json() for m in self.methods], "notes": list(self.notes)}

    def __str__(self) -> str:
        lines = [f"verdict: {self.kind}", f"loss: {number_text(self.loss)}   critical: {'yes' if self.critical else 'no'}"
                 f"   weighted balanced: {'yes' if self.weighted_balanced else 'no'}"]
        if self.inertia is not None:
            lines.append(f"Hessian inertia: {self.inertia}")
        if self.error_bound is not None:
            lines.append(str(self.error_bound))
        if self.global_value is not None:
            lines.append(f"global minimum value (Theorem R1, docs/maths/regularized.md §3): {self.global_value}")
        lines += [f"  {m.method}: {m.kind} ({m.reason})" for m in self.methods]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def classify_regularized(problem: Problem, weights: Any, *, with_constant: bool = True) -> RegularizedClassification:
    """Classify W for the loss with all lambda_h > 0 (docs/maths/regularized.md §3-§4).

    1. Not critical if the exact gradient is nonzero.
    2. Whitened data: the global minimum value is the smallest critical value of Theorem R1
       (F is coercive); loss == it decides global_minimizer even at degenerate points.
    3. Exact Hessian inertia with the orbit directions factored out: a negative eigenvalue
       means strict_saddle.
    4. PSD Hessian with nullity == orbit dimension (Morse-Bott): a local minimizer (the
       Hessian is positive definite on the normal space of the orbit of critical points);
       local_minimizer if its loss exceeds the global value, undecided if no global value is known.
    5. PSD with nullity > orbit dimension: second order cannot decide: undecided.
    """
    p = exact_point(problem, weights)
    if any(l <= 0 for l in p.problem.layer_lambdas(p.depth)):
        raise ValueError("classify_regularized needs every lambda_h > 0")
    value = to_fraction(loss_at(p))
    balanced = is_weighted_balanced(problem, p)
    grads = gradient_at(p)
    if any(x != 0 for g in grads for x in g.entries()):
        why = "exact gradient is nonzero" + ("" if balanced else "; weights are not weighted-balanced "
                                             "(docs/maths/regularized.md §2)")
        return RegularizedClassification(NOT_CRITICAL, False, value, balanced,
                                         (RouteVerdict("gradient", NOT_CRITICAL, why),))
    methods: list[RouteVerdict] = []
    notes: list[str] = []
    gv: CriticalValue | None = None
    try:
        form = closed_form_spectrum(problem, p.widths)
    except NotImplementedError as err:
        form = None
        notes.append(str(err))
    if p.depth == 1:
        # closed_form_spectrum covers H >= 2; at H = 1 the loss is strongly convex (Hessian
        # (X X^T + lambda I) (x) I > 0), so its one critical point is the global minimizer
        methods.append(RouteVerdict("convexity", GLOBAL_MINIMIZER,
                                    "depth 1, lambda > 0: the loss is strongly convex, its critical point is the "
                                    "global minimizer"))
    if form is not None:
        gv = global_minimum_value(form)
        if gv.exact and value == gv.lower:
            methods.append(RouteVerdict("closed_form", GLOBAL_MINIMIZER,
                                        "Theorem R1 (docs/maths/regularized.md §3): loss equals the smallest "
                                        "critical value (F coercive)"))
        elif value > gv.upper:
            methods.append(RouteVerdict("closed_form", "not_global",
                                        "Theorem R1 (docs/maths/regularized.md §3): loss exceeds the smallest "
                                        "critical value"))
    eb = error_bound(problem, p, with_constant=with_constant)
    if eb.inertia.n_minus > 0:
        methods.append(RouteVerdict("hessian", STRICT_SADDLE, f"exact inertia {eb.inertia}: a negative eigenvalue"))
    elif eb.holds:
        methods.append(RouteVerdict("hessian", "local_minimum",
                                    f"PSD Hessian, nullity {eb.nullity} = orbit dimension (Morse-Bott, docs/maths/regularized.md §4.3)"))
    else:
        methods.append(RouteVerdict("hessian", UNDECIDED,
                                    f"PSD Hessian, nullity {eb.nullity} > orbit dimension {eb.orbit_dimension}: "
                                    "second order cannot decide"))
    cf = methods[0].kind if methods and methods[0].method in ("closed_form", "convexity") else None
    hv = methods[-1].kind
    if cf == GLOBAL_MINIMIZER:
        if hv == STRICT_SADDLE:
            kind = UNDECIDED
            notes.append("FINDING: closed form says global minimum but the Hessian has a negative eigenvalue")
        else:
            kind = GLOBAL_MINIMIZER
    elif hv == STRICT_SADDLE:
        kind = STRICT_SADDLE
    elif hv == "local_minimum":
        kind = LOCAL_MINIMIZER if cf == "not_global" else UNDECIDED
        if kind == UNDECIDED:
            notes.append("a local minimum; no closed form to decide whether it is global")
    else:
        kind = UNDECIDED
    return RegularizedClassification(kind, True, value, balanced, tuple(methods), eb, gv, tuple(notes))


# ---------------------------------------------------------------------------------------------------------------
# data design (§5.1 step 4 (iii))


def design_critical_point(layer_sigmas: Sequence[Sequence[Any]], lambdas: Sequence[Any], *,
                          inactive: Sequence[Any] = (), widths: Sequence[int] | None = None,
                          orthogonals: Sequence[RationalMatrix] | None = None) -> tuple[Problem, tuple[RationalMatrix, ...]]:
    """Rational data X = I, Y = M and a rational critical point of the regularized loss (§5.1 (iii)).

    ``layer_sigmas[i]`` = (sigma_(1,i), ..., sigma_(H,i)) > 0 for each active mode i, with
    lambda_h sigma_(h,i)^2 = tau_i the same for every h (weighted balance, §2). Then
    s_i = prod_h sigma_(h,i) and y_i := s_i + tau_i / s_i (from tau = s (y - s), Theorem R1).
    ``inactive`` lists further singular values y of M with s = 0. Widths default to
    (p, a, ..., a, p) with p = #modes, a = #active. ``orthogonals`` (Q_0 = V, Q_1, ..., Q_H = U)
    are rational orthogonal matrices of sizes widths; identity by default. Then
    W_h = Q_h Sigma_h Q_(h-1)^T, M = U diag(y) V^T.
    """
    lam = [Fraction(l) for l in lambdas]
    H = len(lam)
    active = [[Fraction(x) for x in s] for s in layer_sigmas]
    ys = []
    for sig in active:
        if len(sig) != H or any(x <= 0 for x in sig):
            raise ValueError("each active mode needs H positive layer singular values")
        taus = {l * x * x for l, x in zip(lam, sig)}
        if len(taus) != 1:
            raise ValueError(f"lambda_h sigma_h^2 must be equal across layers (weighted balance), got {sorted(taus)}")
        tau, s = taus.pop(), _prod(sig)
        ys.append(s + tau / s)
    ys += [Fraction(y) for y in inactive]
    p = len(ys)
    a = len(active)
    widths = tuple(widths) if widths is not None else (p,) + (max(a, 1),) * (H - 1) + (p,)
    if len(widths) != H + 1 or widths[0] < p or widths[-1] < p or min(widths) < a:
        raise ValueError("widths must be (d_0..d_H) with d_0, d_H >= #modes and all >= #active modes")
    Qs = [to_fmpq_mat(q) for q in orthogonals] if orthogonals is not None else \
        [fmpq_mat([[int(i == j) for j in range(n)] for i in range(n)]) for n in widths]
    weights = []
    for h in range(1, H + 1):
        S = fmpq_mat(widths[h], widths[h - 1])
        for i, sig in enumerate(active):
            S[i, i] = _q(sig[h - 1])
        weights.append(from_fmpq_mat(Qs[h] * S * Qs[h - 1].transpose()))
    D = fmpq_mat(widths[H], widths[0])
    for i, y in enumerate(ys):
        D[i, i] = _q(y)
    M = from_fmpq_mat(Qs[H] * D * Qs[0].transpose())
    X = RationalMatrix.identity(widths[0])
    problem = Problem(X, M, tuple(lam))
    return problem, tuple(weights)
