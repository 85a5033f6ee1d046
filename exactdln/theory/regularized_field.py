"""Theorem R1 with algebraic singular values: the layer singular values of the regularized critical set as
algebraic numbers, and the global minimum value as certified balls (docs/maths/regularized.md §3, §9).

Whitened data X X^T = c I, every lambda_h > 0, depth H >= 2; after the reduction of docs/maths/regularized.md §1
the target is M/c and the parameters lambda_h/c. On a singular pair (u, v, y) of M/c with y > 0 and y^2 = mu,
a critical point has product singular value s in S(y) and layer singular values sigma_h with
lambda_h sigma_h^2 = tau = s (y - s) (weighted balancedness, §2) and prod_h sigma_h = s. With
r_h = sqrt(lambda_1 / lambda_h), R = prod_h r_h and R^2 = lambda_1^H / Lambda (Lambda = prod lambda_h):
sigma_h = r_h sigma_1, s = R sigma_1^H, and lambda_1 sigma_1^2 = s (y - s) reads

    R y sigma_1^(H-2) = lambda_1 + R^2 sigma_1^(2H-2)                       (*)

(equal lambda_h = lambda: R = 1 and sigma^(2H-2) - y sigma^(H-2) + lambda = 0, the polynomial p of §4.4).
Squaring, mu = (lambda_1 + R^2 sigma^(2H-2))^2 / (R^2 sigma^(2H-4)), so with g the minimal polynomial of mu
over Q, every layer value sigma_1 is a root of the rational polynomial

    G(sigma) = D(sigma)^deg g * g(N(sigma) / D(sigma)),  N = (lambda_1 + R^2 sigma^(2H-2))^2, D = R^2 sigma^(2H-4).

Conversely a positive root sigma of G with N/D equal to this mu (not a conjugate) satisfies (*) with the
positive square root y (both sides of (*) are positive), hence gives s = R sigma^H in S(y) \\ {0}
(y - s = lambda_1 sigma^2 / s > 0). So the admissible values of one singular pair are exactly the positive
roots of G that map to mu, isolated exactly (:func:`exactdln.arith.algebraic.real_roots`).

Critical values are c0 + c sum_i phi(y_i, s_i), phi(y, 0) = mu/2, phi(y, s) = (y - s)(y + (H-1) s)/2 (§3), at
most r = min(widths) of the s_i nonzero. F is coercive, so the least critical value is the global minimum.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

from flint import arb, ctx, fmpq_mat, fmpq_poly

from exactdln.arith.algebraic import AlgebraicReal, real_roots
from exactdln.arith.exact import to_fmpq as _q, to_fraction
from exactdln.arith.number_field import FieldElement

__all__ = ["layer_value_polynomial", "RegularizedMode", "RegularizedSpectrum", "regularized_spectrum",
           "GlobalDecision", "decide_global"]

BALL_BITS = 256             # width of the isolating intervals behind the value balls (2^-BALL_BITS)
MAX_COMBINATIONS = 100_000


def _prod(values: Sequence[Fraction]) -> Fraction:
    out = Fraction(1)
    for v in values:
        out *= v
    return out


def layer_value_polynomial(mu_polynomial: fmpq_poly, lambdas: Sequence[Fraction]) -> fmpq_poly:
    """G(sigma) of the module docstring, for the scaled lambdas (lambda_h / c) and g the minimal polynomial of
    mu = y^2 over Q (constant first): every layer-1 singular value sigma_1 of a critical point on a singular pair
    with y^2 = mu is a root (docs/maths/regularized.md §3, §9)."""
    H = len(lambdas)
    if H < 2:
        raise ValueError("Theorem R1 needs depth H >= 2")
    lam1 = _q(Fraction(lambdas[0]))
    Lambda = _prod([Fraction(l) for l in lambdas])
    R2 = _q(Fraction(lambdas[0]) ** H / Lambda)
    x = fmpq_poly([0, 1])
    N = (fmpq_poly([lam1]) + R2 * x ** (2 * H - 2)) ** 2
    D = R2 * x ** (2 * H - 4)
    g = mu_polynomial.coeffs()
    k = len(g) - 1
    out = fmpq_poly([0])
    for j, gj in enumerate(g):
        if gj != 0:
            out += gj * N ** j * D ** (k - j)
    return out


@dataclass(frozen=True)
class RegularizedMode:
    """One positive eigenvalue mu = y^2 of (M/c)^T (M/c) (simple or repeated ``multiplicity`` times), and the
    layer-1 values sigma_1 > 0 of its admissible s (increasing)."""

    mu: AlgebraicReal
    multiplicity: int
    sigmas: tuple[AlgebraicReal, ...]


@dataclass(frozen=True)
class RegularizedSpectrum:
    """Theorem R1 data after the reduction of §1: scale c, scaled lambdas, c0, r = min(widths), the modes."""

    c: Fraction
    lambdas: tuple[Fraction, ...]
    c0: Fraction
    r_max: int
    modes: tuple[RegularizedMode, ...]
    target: fmpq_mat                         # M / c

    @property
    def depth(self) -> int:
        return len(self.lambdas)

    @property
    def R_squared(self) -> Fraction:
        return self.lambdas[0] ** self.depth / _prod(self.lambdas)


def _mu_of_sigma(sigma: arb, lambdas: Sequence[Fraction]) -> arb:
    H = len(lambdas)
    lam1 = arb(_q(lambdas[0]))
    R2 = arb(_q(lambdas[0] ** H / _prod(lambdas)))
    return (lam1 + R2 * sigma ** (2 * H - 2)) ** 2 / (R2 * sigma ** (2 * H - 4))


def _admissible_sigmas(mu: AlgebraicReal, lambdas: Sequence[Fraction]) -> tuple[AlgebraicReal, ...]:
    # for 0 < s < y, s^(H-2) (y - s)^H < y^(2H-2) = mu^(H-1): when Lambda >= that bound no s is admissible (Theorem R1),
    # decided before G's roots are isolated (a hostile lambda of 10^4300 kept FLINT's root finder busy past the
    # time budget, in one C call the --timeout alarm cannot interrupt)
    if _prod([Fraction(l) for l in lambdas]) >= mu.upper ** (len(lambdas) - 1):
        return ()
    G = layer_value_polynomial(fmpq_poly([_q(c) for c in mu.polynomial]), lambdas)
    conjugates = [r for r, _ in real_roots(fmpq_poly([_q(c) for c in mu.polynomial]))]
    mine = [i for i, r in enumerate(conjugates) if r.lower == mu.lower and r.upper == mu.upper]
    out = []
    for root, mult in real_roots(G):
        if root.upper <= 0:
            continue
        if mult != 1:
            raise ArithmeticError("a repeated layer value (the degenerate double root of Theorem R2)")
        root = root if root.is_rational else root.refine(Fraction(1, 2**64))
        for _ in range(12):
            ball = _mu_of_sigma(root.ball(), lambdas)
            hits = [i for i, r in enumerate(conjugates) if ball.overlaps(r.ball())]
            if len(hits) == 1 and root.lower > 0:
                break
            if root.is_rational:
                break
            root = root.refine((root.upper - root.lower) / 2**32)
            conjugates = [r if r.is_rational else r.refine((r.upper - r.lower) / 2**32) for r in conjugates]
        else:
            raise ArithmeticError("could not tell which conjugate of y^2 a layer value belongs to")
        if root.lower >= 0 and hits == mine:
            out.append(root)
    return tuple(out)


def regularized_spectrum(X: fmpq_mat, Y: fmpq_mat, lambdas: Sequence[Fraction], widths: Sequence[int]
                         ) -> RegularizedSpectrum | None:
    """The data of Theorem R1 for rational X, Y, or None when X X^T is not c I, a lambda_h <= 0 or H < 2.

    Every positive eigenvalue mu of (M/c)^T (M/c), rational or not, is isolated exactly with its multiplicity,
    and its admissible layer values are the positive roots of G that map to mu (module docstring)."""
    H = len(widths) - 1
    lams = [Fraction(l) for l in lambdas]
    if H < 2 or len(lams) != H or any(l <= 0 for l in lams):
        return None
    S = X * X.transpose()
    c = S[0, 0]
    n = S.nrows()
    if c == 0 or any(S[i, j] != (c if i == j else 0) for i in range(n) for j in range(n)):
        return None
    c = to_fraction(c)
    scaled = tuple(l / c for l in lams)
    M = Y * X.transpose() / _q(c)
    gram = M.transpose() * M
    modes = []
    for mu, mult in real_roots(gram.charpoly()):
        if mu.upper <= 0:
            continue
        if not mu.is_rational:
            mu = mu.refine(Fraction(1, 2**64))
        modes.append(RegularizedMode(mu, mult, _admissible_sigmas(mu, scaled)))
    modes.sort(key=lambda m: -float(m.mu))
    normY = sum((to_fraction(x) ** 2 for x in Y.entries()), Fraction(0))
    normM = sum((to_fraction(x) ** 2 for x in M.entries()), Fraction(0))
    c0 = (normY - c * normM) / 2
    return RegularizedSpectrum(c, scaled, c0, min(widths), tuple(modes), M)


def _phi_ball(mode: RegularizedMode, sigma: AlgebraicReal | None, spectrum: RegularizedSpectrum) -> arb:
    """phi(y, s) as a ball: mu/2 for s = 0, else (y - s)(y + (H-1) s)/2 with y, s from sigma through (*)."""
    mu = mode.mu if mode.mu.is_rational else mode.mu.refine(Fraction(1, 2**BALL_BITS))
    if sigma is None:
        return mu.ball() / 2
    H = spectrum.depth
    sig = sigma.ball() if sigma.is_rational else sigma.refine(Fraction(1, 2**BALL_BITS)).ball()
    lam1 = arb(_q(spectrum.lambdas[0]))
    R2 = arb(_q(spectrum.R_squared))
    R = R2.sqrt()
    y = (lam1 + R2 * sig ** (2 * H - 2)) / (R * sig ** (H - 2))
    s = R * sig ** H
    return (y - s) * (y + (H - 1) * s) / 2


@dataclass(frozen=True)
class GlobalDecision:
    """Whether a critical value is the global minimum: True, False, or None (undecided), and why."""

    is_global: bool | None
    reason: str
    global_value: tuple[Fraction, Fraction] | None = None      # a rational bracket of the global minimum


def _bracket(ball: arb) -> tuple[Fraction, Fraction]:
    from exactdln.arith.algebraic import rational_enclosure

    return rational_enclosure(ball)


def decide_global(spectrum: RegularizedSpectrum, loss: FieldElement | Fraction) -> GlobalDecision:
    """Is ``loss``, the exact value of a critical point, the least critical value of Theorem R1 (the global
    minimum: F is coercive)? Every critical value is enclosed in a ball at 2^-BALL_BITS; with v* the least and
    v2 the least value whose ball is disjoint from v*'s: loss > upper(v*) (exact sign test) means not global;
    loss <= upper(v*) < lower(v2) means global, because loss is one of the critical values (Theorem R1) and only
    values equal to v* lie below lower(v2). When another choice's ball overlaps v*'s the answer is undecided
    (two critical values closer than the balls can tell)."""
    old = ctx.prec
    ctx.prec = BALL_BITS + 64
    try:
        options = []
        for mode in spectrum.modes:
            per_copy = [_phi_ball(mode, None, spectrum)] + [_phi_ball(mode, s, spectrum) for s in mode.sigmas]
            options.append([(picks, per_copy) for picks in
                            itertools.combinations_with_replacement(range(len(per_copy)), mode.multiplicity)])
        balls = []
        count = 0
        for combo in itertools.product(*options):
            rank = sum(1 for picks, _ in combo for k in picks if k != 0)
            if rank > spectrum.r_max:
                continue
            count += 1
            if count > MAX_COMBINATIONS:
                return GlobalDecision(None, f"more than {MAX_COMBINATIONS} combinations of admissible values")
            total = arb(_q(spectrum.c0))
            for picks, per_copy in combo:
                for k in picks:
                    total += arb(_q(spectrum.c)) * per_copy[k]
            balls.append(total)
    finally:
        ctx.prec = old
    bounds = sorted((_bracket(b) for b in balls), key=lambda t: (t[0], t[1]))
    lo, hi = bounds[0]
    for a, b in bounds[1:]:                 # every ball overlapping the least one widens it (cannot be told apart)
        if a <= hi:
            hi = max(hi, b)
    overlapping = sum(1 for a, _ in bounds if a <= hi)
    above = [a for a, _ in bounds if a > hi]
    if isinstance(loss, Fraction):
        exceeds = loss > hi
        within = loss <= hi
    else:
        exceeds = (loss - hi).sign() > 0
        within = not exceeds
    if exceeds:
        return GlobalDecision(False, "the loss exceeds the least critical value of Theorem R1 "
                                     "(docs/maths/regularized.md §3)", (lo, hi))
    if within and overlapping == 1:
        return GlobalDecision(True, "the loss equals the least critical value of Theorem R1 "
                                    "(docs/maths/regularized.md §3; F coercive): it is below every other critical "
                                    "value" + (f" (the next one is above {float(min(above)):.6g})" if above else ""),
                              (lo, hi))
    return GlobalDecision(None, "two critical values of Theorem R1 lie within 2^-%d of the least one; the balls "
                                "cannot tell them apart" % BALL_BITS, (lo, hi))
