"""The high-precision path: the float path's algorithm in mpmath, at adaptive precision.

Arithmetic is mpmath only (numpy object arrays serve as containers of ``mpf``; every
operation on them is an mpmath operation at the working precision). Precision never
leaks: every computation runs inside ``mp.workdps``/``mp.workprec``. No import from the
exact core.

Criticality is decided first, by :func:`gradient_to_height`: the gradient of the input
scaled to integers, computed with a rigorous rounding-error bound at rising precision
until some entry is proven nonzero (``not_critical``) or the bound falls below the
smallest nonzero value an entry of that height can take (then no entry is nonzero, but the
path still reports only ``within_tolerance``: a numeric path never claims criticality).

The rest of the decisions are those of :func:`exactdln.numeric.float64.analyse`: each computed
magnitude is zero below its rounding-error band, nonzero above its threshold, undecided in
between. :func:`classify_mp` starts at 30 digits and doubles until no quantity is
undecided, up to a cap, and reports the digits used.

The Hessian inertia uses a symmetric indefinite LDL^T factorization with Bunch-Kaufman
pivoting (Sylvester's law of inertia: inertia(H) = inertia(D)), O(n^3/3) operations,
instead of an O(n^3) eigen-solver with a large constant: ``mp.eigsy`` takes about 10 s
at n = 120 with 50 digits in pure Python.
"""

from __future__ import annotations

import math
from dataclasses import replace
from fractions import Fraction
from typing import Any, Sequence

import mpmath
import numpy as np
from mpmath import mp

from exactdln.numeric.float64 import GradientCheck, NumericClassification, analyse, nonzero_threshold, out_of_range
from exactdln.model.problem import Problem, RationalMatrix, normalize_point
from exactdln.model.results import NOT_CRITICAL, Inertia

__all__ = ["MpArithmetic", "classify_mp", "gradient_to_height", "DEFAULT_START_DIGITS", "DEFAULT_MAX_DIGITS",
           "DEFAULT_MAX_GRADIENT_DIGITS", "MP_HESSIAN_LIMIT", "MP_PIVOT_LIMIT",
           "MP_WORK_LIMIT", "chain_work"]

DEFAULT_START_DIGITS = 30
DEFAULT_MAX_DIGITS = 480
DEFAULT_MAX_GRADIENT_DIGITS = 6000
"""Precision cap of the criticality decision (decimal digits); enough for the height of 40-digit points of depth 3."""

MP_HESSIAN_LIMIT = 200
"""Largest n for which the mpmath path forms the Hessian: its LDL^T is n^3/3 pure-Python mpf steps per
precision level (n = 200 at 30 digits: a few seconds); beyond it the inertia is not computed and the
verdict says so (numeric paths may always be inconclusive)."""

MP_PIVOT_LIMIT = 2016
"""Most pivots K_(h,k) (H(H-1)/2, depth 64) the mpmath path's theorem route examines; deeper networks
at S = [r], r < r_max get no conditional kind from it (the float path still examines them all)."""

MP_WORK_LIMIT = 500_000
"""Most multiply-adds one evaluation of the gradient chain may take in the mpmath path (pure-Python
``fdot``, about 10^5 per second): beyond it (width 60 at depth 8 needs 7 * 10^6) the path does not run
and says so; the float64 path still does."""

# Bunch-Kaufman constant (1 + sqrt 17) / 8: bounds element growth of the LDL^T factors.
_BK_ALPHA = (1 + 17 ** 0.5) / 8


def _short(x: Any, digits: int) -> str:
    """``mpmath.nstr(x, digits)`` of x rounded to 64 bits first: nstr of a value with a mantissa of thousands of
    bits and a large exponent converts an integer of as many digits to text, past Python's 4,300-digit limit (fuzz
    seed 5009, input 65733: an X entry 2.69e-4745 made a gradient bound of about 1e-9490 at 19,933 bits)."""
    with mpmath.workprec(64):
        y = +mpmath.mpf(x)
    return mpmath.nstr(y, digits)


class MpArithmetic:
    """mpmath arithmetic at the current ``mp.dps`` (call inside ``mp.workdps``)."""

    name = "mpmath"
    orbit_reduction = True
    hessian_limit = MP_HESSIAN_LIMIT
    pivot_limit = MP_PIVOT_LIMIT

    def __init__(self) -> None:
        self.digits = mp.dps
        self.eps = mp.eps

    def matrix(self, m: RationalMatrix) -> np.ndarray:
        out = np.empty(m.shape, dtype=object)
        for i, row in enumerate(m.rows):
            for j, x in enumerate(row):
                out[i, j] = self.scalar(x)
        return out

    def scalar(self, x: Fraction) -> Any:
        x = Fraction(x)
        return mpmath.mpf(x.numerator) / x.denominator

    def identity(self, n: int) -> np.ndarray:
        out = np.empty((n, n), dtype=object)
        out[:, :] = mpmath.mpf(0)
        for i in range(n):
            out[i, i] = mpmath.mpf(1)
        return out

    def zero(self) -> Any:
        return mpmath.mpf(0)

    def fro(self, A: np.ndarray) -> Any:
        if A.size == 0:
            return mpmath.mpf(0)
        return mpmath.sqrt(mpmath.fsum(x * x for x in A.flat))

    def _mp(self, A: np.ndarray) -> Any:
        return mpmath.matrix(A.tolist())

    def singular_values(self, A: np.ndarray) -> list:
        if A.size == 0:
            return []
        sv = mpmath.svd_r(self._mp(A), compute_uv=False)
        return sorted((sv[i] for i in range(min(A.shape))), reverse=True)

    def eigh_descending(self, A: np.ndarray) -> tuple[list, np.ndarray]:
        S = (A + A.T) / 2
        E, Q = mpmath.eigsy(self._mp(S))
        n = A.shape[0]
        order = sorted(range(n), key=lambda i: E[i], reverse=True)
        vecs = np.empty((n, n), dtype=object)
        for c, i in enumerate(order):
            for r in range(n):
                vecs[r, c] = Q[r, i]
        return [E[i] for i in order], vecs

    def solve(self, A: np.ndarray, B: np.ndarray) -> np.ndarray:
        inv = mpmath.inverse(self._mp(A))
        n = A.shape[0]
        invA = np.empty((n, n), dtype=object)
        for i in range(n):
            for j in range(n):
                invA[i, j] = inv[i, j]
        return invA @ B

    def to_float(self, x: Any) -> float:
        return float(x)

    def represents(self, x: Fraction) -> bool:
        """True when x is exactly an mpf at the working precision (mantissa * 2^exponent equals x)."""
        sign, man, exp, _ = self.scalar(x)._mpf_
        return (-1) ** sign * Fraction(man) * Fraction(2) ** exp == x if man else x == 0

    def hessian_inertia(self, Hm: np.ndarray, noise: Any, scale: Any) -> tuple[Inertia | None, int, Any, list[str]]:
        """Inertia by LDL^T with Bunch-Kaufman pivoting, each pivot against its own forward-error bound.

        Sylvester: inertia(H) = inertia(D) for H = P L D L^T P^T in the pivot order chosen. The error
        of every Schur-complement entry is tracked to first order, entry by entry, in units of
        ``noise`` (a bound of ||fl(H) - H||): a 1x1 step S' = R - c c^T / a adds
        (|dc| |c|^T + |c| |dc|^T) / |a| + |c| |c|^T |da| / a^2, a 2x2 step S' = R - C E^-1 C^T adds
        |dC| |E^-1| |C|^T + |C| |E^-1| |dC|^T + |C| |E^-1| |dE| |E^-1| |C|^T (the first-order
        perturbation of a Schur complement, with |a| and E's eigenvalues lowered by their own error),
        and each step its rounding 3 eps (|R| + |c| |c|^T / |a|). A pivot is zero when |pivot| <= its
        bound, nonzero at or beyond nonzero_threshold(bound, scale), undecided in between; a pivot
        too close to its bound to divide by stops the factorization (inertia undecided). Without
        this, a pivot computed after ill-conditioned steps was called nonzero against the input's
        noise alone (found: a 10^8-conditioned dense hidden change of basis of a strict saddle gave
        two pivots 7,000 times that noise where the exact Hessian has zero eigenvalues).

        Returns (inertia or None, number of pivots negative beyond their threshold, the most
        negative 1x1 pivot value or None, reasons for undecided pivots). Negative pivots found
        before a stop are still negative eigenvalues of a leading block, so the count stays a
        lower bound for n_minus(H).
        """
        from exactdln.numeric.float64 import separate

        S = (Hm + Hm.T) / 2
        n = S.shape[0]
        plus = minus = zero = 0
        reasons: list[str] = []
        most_negative = None
        if n == 0:
            return Inertia(0, 0, 0), 0, None, []
        sc = scale if scale > 0 else mpmath.mpf(1)
        exact = not noise > 0                      # an exactly zero band only for an exactly zero matrix
        unit = noise if not exact else mpmath.mpf(1)
        nsc = float(unit / sc)                     # noise in units of scale
        rnd = 0.0 if exact else float(3 * self.eps * sc / noise)
        M = np.array([[float(abs(x) / sc) for x in row] for row in S], dtype=float).reshape(n, n)   # >= |S| / scale
        Er = np.zeros((n, n)) if exact else np.ones((n, n))      # error bound of each entry, in units of noise

        def bound(e: float) -> Any:
            return unit * mpmath.mpf(float(e) * (1 + 1e-9)) if not exact else mpmath.mpf(0)

        def count(v: Any, err: Any, label: str) -> bool | None:
            nonlocal plus, minus, zero, most_negative
            d = separate(abs(v), err, scale)
            if d is None:
                reasons.append(f"LDL^T pivot {label} of {n} is {_short(v, 3)}: its error bound {_short(err, 2)} "
                               f"< |pivot| < nonzero threshold {_short(nonzero_threshold(err, scale), 2)}: undecided")
            elif not d:
                zero += 1
            elif v > 0:
                plus += 1
            else:
                minus += 1
                most_negative = v if most_negative is None or v < most_negative else most_negative
            return d

        def stop(label: str, value: Any, err: Any) -> tuple[Inertia | None, int, Any, list[str]]:
            reasons.append(f"LDL^T step {label}: pivot {_short(value, 3)} is within twice its error bound "
                           f"{_short(err, 2)}; the remaining {S.shape[0]} pivots are not decided")
            return None, minus, most_negative, reasons

        step = 0
        while S.shape[0] > 0:
            k = S.shape[0]
            step += 1
            if not np.all(np.isfinite(Er)) or not np.all(np.isfinite(M)):
                return stop(str(step), S[0, 0], mpmath.inf)
            col = [abs(x) for x in S[1:, 0]]
            a11 = abs(S[0, 0])
            if all(x <= bound(e) for x, e in zip(col, Er[1:, 0])):
                # column 0 is zero off the diagonal within its errors: a 1x1 pivot, dropped when zero
                if count(S[0, 0], bound(Er[0, 0]), str(step)) is False:
                    S, M, Er = S[1:, 1:], M[1:, 1:], Er[1:, 1:]
                    continue
                piv, counted = [0], True
            else:
                lam = max(col)
                r = 1 + col.index(lam)
                counted = False
                if a11 >= _BK_ALPHA * lam:
                    piv = [0]
                else:
                    others = [abs(S[i, r]) for i in range(k) if i != r]
                    sigma = max(others)
                    if a11 * sigma >= _BK_ALPHA * lam * lam:
                        piv = [0]
                    elif abs(S[r, r]) >= _BK_ALPHA * sigma:
                        piv = [r]
                    else:
                        piv = [0, r]
            rest = [i for i in range(k) if i not in piv]
            R, MR, ER = S[np.ix_(rest, rest)], M[np.ix_(rest, rest)], Er[np.ix_(rest, rest)]
            Cm = S[np.ix_(rest, piv)]
            mC = np.array([[float(abs(x) / sc) for x in row] for row in Cm], dtype=float).reshape(len(rest), len(piv))
            eC = Er[np.ix_(rest, piv)]
            if len(piv) == 1:
                p = piv[0]
                a, ea = S[p, p], Er[p, p]
                if not counted:
                    count(a, bound(ea), str(step))
                den = float(abs(a) / sc) - 2 * ea * nsc          # |a| lowered by (twice) its error, in units of scale
                if not den > 0:
                    return stop(str(step), a, bound(ea))
                c, mc, ec = Cm[:, 0], mC[:, 0], eC[:, 0]
                S = R - np.multiply.outer(c / a, c)
                Er = ER + (np.outer(ec, mc) + np.outer(mc, ec)) / den + np.outer(mc, mc) * (ea / den ** 2) \
                    + rnd * (MR + np.outer(mc, mc) / den)
                M = MR + np.outer(mc, mc) / den
            else:
                E = S[np.ix_(piv, piv)]
                eE = Er[np.ix_(piv, piv)]
                a, b, c = E[0, 0], E[0, 1], E[1, 1]
                det = a * c - b * b
                # eigenvalues of the 2x2 pivot: (a+c)/2 +- sqrt(((a-c)/2)^2 + b^2), each within ||dE||_F (Weyl)
                mid, rad = (a + c) / 2, mpmath.sqrt(((a - c) / 2) ** 2 + b * b)
                eF = float(np.sqrt(np.sum(eE ** 2)))
                count(mid + rad, bound(eF), f"{step}a")
                count(mid - rad, bound(eF), f"{step}b")
                small = min(abs(mid + rad), abs(mid - rad))
                if not small > 2 * bound(eF):
                    return stop(str(step), small, bound(eF))
                Einv = np.array([[c / det, -b / det], [-b / det, a / det]], dtype=object)
                # |E^-1| <= 1 / (smallest |eigenvalue| - its error), entrywise, in units of 1 / scale
                ai = np.full((2, 2), float(sc / (small - bound(eF))))
                S = R - Cm @ Einv @ Cm.T
                G = mC @ ai
                Er = ER + eC @ ai @ mC.T + G @ eC.T + G @ eE @ G.T + rnd * (MR + G @ mC.T)
                M = MR + G @ mC.T
        inertia = Inertia(plus, minus, zero) if not reasons else None
        return inertia, minus, most_negative, reasons


# --------------------------------------------------------------------------------------
# criticality at the input's height
# --------------------------------------------------------------------------------------


def _integer_matrix(m: RationalMatrix) -> tuple[list[list[int]], int]:
    """(M~, D) with M = M~ / D, D the lcm of the entries' denominators."""
    D = math.lcm(*(x.denominator for row in m.rows for x in row)) if m.nrows * m.ncols else 1
    return [[x.numerator * (D // x.denominator) for x in row] for row in m.rows], D


def _to_mp(M: list[list[int]], absolute: bool) -> list[list[Any]]:
    return [[mpmath.mpf(abs(x) if absolute else x) for x in row] for row in M]


def _mul(A: list[list[Any]], B: list[list[Any]]) -> list[list[Any]]:
    """A B with every entry one mpmath ``fdot`` (exact products and sum, one rounding)."""
    cols = list(zip(*B))
    return [[mpmath.fdot(row, col) for col in cols] for row in A]


def _transpose(A: list[list[Any]]) -> list[list[Any]]:
    return [list(c) for c in zip(*A)]


def _chain(mats: list[list[list[Any]]], n: int) -> list[list[Any]]:
    """mats[-1] ... mats[0] (applied right to left); the n x n identity for an empty chain."""
    if not mats:
        return [[mpmath.mpf(int(i == j)) for j in range(n)] for i in range(n)]
    out = mats[0]
    for M in mats[1:]:
        out = _mul(M, out)
    return out


def _scaled_gradient(Wt: list, Xt: list, Yt: list, widths: tuple[int, ...], consts: dict, absolute: bool) -> list[list[list[Any]]]:
    """N_h dL/dW_h for h = 1..H in mpmath at the working precision (see :func:`gradient_to_height`).

    With ``absolute`` every input is replaced by its absolute value and the subtraction by an
    addition: the result then bounds the sum of |monomials| that the rounding-error bound needs.
    """
    H = len(Wt)
    sign = 1 if absolute else -1
    W = [_to_mp(w, absolute) for w in Wt]
    X = _to_mp(Xt, absolute)
    Y = _to_mp(Yt, absolute)
    XT = _transpose(X)
    Syx = _mul(Y, XT)
    Sxx = _mul(X, XT)
    P = _chain(W, widths[0])
    c1, c2 = mpmath.mpf(consts["c1"]), mpmath.mpf(consts["c2"])
    PS = _mul(P, Sxx)
    # G~ = c1 Sigma~_YX - c2 P~ Sigma~_XX (an integer matrix; G = G~ / (D_X^2 D_Y prod D_k))
    Gt = [[c1 * a + sign * (c2 * b) for a, b in zip(ra, rb)] for ra, rb in zip(Syx, PS)]
    # prefix and suffix products, one fdot per entry and step as before (the bound counts fdots
    # along a monomial, not the order of association): O(H) products instead of O(H^2)
    Cs = [_chain([], widths[0])]                       # C~_h = W~_{h-1} ... W~_1
    for h in range(1, H):
        Cs.append(_mul(W[h - 1], Cs[-1]))
    As = [_chain([], widths[H])]                       # A~_h = W~_H ... W~_{h+1}, built from h = H down
    for h in range(H - 1, 0, -1):
        As.append(_mul(As[-1], W[h]))
    As.reverse()
    out = []
    for h in range(1, H + 1):
        A, C = As[h - 1], Cs[h - 1]
        core = _mul(_mul(_transpose(A), Gt), _transpose(C))
        b = mpmath.mpf(consts["b"][h - 1])
        c3 = mpmath.mpf(abs(consts["c3"][h - 1]) if absolute else consts["c3"][h - 1])
        g = [[sign * (b * x) + c3 * w for x, w in zip(rc, rw)] for rc, rw in zip(core, W[h - 1])]
        out.append(g)
    return out


def _digit_count(n: int) -> int:
    """About the number of decimal digits of n (no str(): it refuses ints beyond 4,300 digits)."""
    return int(abs(n).bit_length() * math.log10(2)) + 1


def _bits(digits: int) -> int:
    return int(math.ceil(digits * math.log2(10))) + 1


def _digits(bits: int) -> int:
    return int(bits / math.log2(10))


def gradient_to_height(problem: Problem, weights: Any, *, start_digits: int = DEFAULT_START_DIGITS,
                       max_digits: int = DEFAULT_MAX_GRADIENT_DIGITS) -> GradientCheck:
    """Decide criticality in mpmath, raising the precision until the input's height is reached.

    Integer scaling. Write W_h = W~_h / D_h, X = X~ / D_X, Y = Y~ / D_Y with D the lcm of a
    matrix's denominators and W~, X~, Y~ integer matrices, lambda_h = a_h / b_h. With
    G = Sigma_YX - W_{H:1} Sigma_XX = G~ / (D_X^2 D_Y prod_k D_k),
    G~ = c1 Y~ X~^T - c2 P~ X~ X~^T (c1 = D_X prod_k D_k, c2 = D_Y, P~ = W~_H ... W~_1), the
    gradient dL/dW_h = -W_{H:h+1}^T G W_{h-1:1}^T + lambda_h W_h (Achour, Malgouyres,
    Gerchinovitz (2024); Yun, Sra, Jadbabaie (2018)) satisfies

        N_h dL/dW_h = -b_h A~_h^T G~ C~_h^T + c3_h W~_h,
        N_h = b_h D_X^2 D_Y D_h prod_{k != h} D_k^2,   c3_h = a_h D_X^2 D_Y prod_{k != h} D_k^2,

    A~_h = W~_H ... W~_{h+1}, C~_h = W~_{h-1} ... W~_1: an *integer* matrix. So an entry of the
    gradient is either 0 or at least 1/N_h in absolute value.

    Rounding-error bound. At p bits (u = 2^-p, round to nearest) every integer input is stored
    with relative error <= u; every matrix entry is one ``mpmath.fdot`` (exact products, an exact
    sum apart from terms 2p bits below the partial sum, one rounding: error <= 2u sum |a_i b_i|);
    every scalar product and sum rounds once (<= u). Carrying |computed - exact| <= eps_M |M|~
    through each operation (|M|~ the same expression in absolute values, without cancellation)
    gives 1 + eps <= (1 + 2u)^K with K the number of roundings along one monomial of the
    expression: the longest monomial meets 2H + 3 conversions of inputs and constants, at most 2H
    fdots, two scalar products, one subtraction and one addition, K <= 4H + 7; we use K = 4H + 16. With
    2Ku <= 1/4, (1 + 2u)^K - 1 <= 2Ku / (1 - 2Ku) <= (8/3) Ku (Higham, Accuracy and Stability of
    Numerical Algorithms, 2002, Lemma 3.1 and §3.5). |N_h g|~ is computed once at 64 bits; being a
    sum of nonnegative terms its computed value is at least the exact one times
    (1 - 2^-63)^K > 0.9999. So E = 4Ku * computed(|N_h g|~) bounds |computed - exact| entry by entry.

    Decision at each precision: an entry with |computed| > E is nonzero (``no``: not critical).
    If every entry has |computed| <= E and E < 1/2, every exact entry is an integer of absolute
    value < 1, i.e. 0: the gradient has no nonzero entry at the input's height; the result is
    still reported as ``within_tolerance`` (a numeric path never claims criticality; the reason
    states the bound). Otherwise the precision doubles (or jumps to the bits at which E < 1/2,
    log2(8 K max |N_h g|~) + 2, when that is sooner), up to ``max_digits`` decimal digits; at
    the cap the result is ``within_tolerance`` with a reason naming the cap and the digits the
    height needs. Only a gradient within tolerance at the current precision escalates, so a
    point that is clearly not critical costs one evaluation at ``start_digits``.
    """
    ws = normalize_point(problem, weights)
    H = len(ws)
    widths = (ws[0].ncols,) + tuple(w.nrows for w in ws)
    scaled = [_integer_matrix(w) for w in ws]
    Wt, D = [m for m, _ in scaled], [d for _, d in scaled]
    Xt, DX = _integer_matrix(problem.X)
    Yt, DY = _integer_matrix(problem.Y)
    lams = [Fraction(x) for x in problem.layer_lambdas(H)]
    prodD = math.prod(D)
    others = [(prodD // D[h]) ** 2 for h in range(H)]
    consts = {
        "c1": DX * prodD,
        "c2": DY,
        "b": [l.denominator for l in lams],
        "c3": [l.numerator * DX * DX * DY * others[h] for h, l in enumerate(lams)],
    }
    N = [lams[h].denominator * DX * DX * DY * D[h] * others[h] for h in range(H)]
    K = 4 * H + 16
    with mp.workprec(64):
        # |N_h g|~ once, at 64 bits: it is a sum of nonnegative terms, so its computed value is at
        # least the exact one times (1 - 2^-63)^K > 0.9999 (the 4Ku factor below has that slack)
        gabs = _scaled_gradient(Wt, Xt, Yt, widths, consts, absolute=True)
    cap_bits = _bits(max(max_digits, start_digits))
    bits = min(_bits(start_digits), cap_bits)
    first_bits = bits
    while True:
        with mp.workprec(bits):
            u = mpmath.ldexp(1, -bits)
            g = _scaled_gradient(Wt, Xt, Yt, widths, consts, absolute=False)
            factor = 4 * K * u
            half = mpmath.mpf(1) / 2
            proven = None
            unresolved = False
            norm2 = mpmath.mpf(0)
            band2 = mpmath.mpf(0)
            top = mpmath.mpf(0)
            for h in range(H):
                Nh = mpmath.mpf(N[h])
                for a, (rg, ra) in enumerate(zip(g[h], gabs[h])):
                    for b, (x, y) in enumerate(zip(rg, ra)):
                        e = factor * y
                        v = abs(x)
                        norm2 += (x / Nh) ** 2
                        band2 += (e / Nh) ** 2
                        top = max(top, y)
                        if v > e:
                            if proven is None or v * proven[5] > proven[4] * e:     # the widest margin v / e
                                proven = (h + 1, a, b, Nh, v, e)
                        elif e >= half:
                            unresolved = True
            norm = float(mpmath.sqrt(norm2))
            band = float(mpmath.sqrt(band2))
            digits = _digits(bits)
            climb = f" (precision raised from {_digits(first_bits)} digits)" if bits > first_bits else ""
            if proven is not None:
                h, a, b, Nh, v, e = proven
                return GradientCheck("no", norm, float(e / Nh), (
                    f"gradient entry [{a},{b}] of dL/dW_{h} is nonzero: in the integer scaling N_{h} dL/dW_{h} "
                    f"(N_{h} has about {_digit_count(N[h - 1])} digits) |computed| = {_short(v, 3)} > rigorous rounding-error "
                    f"bound {_short(e, 3)} at {digits} digits{climb}, so |dL/dW_{h}[{a},{b}]| >= "
                    f"{_short((v - e) / Nh, 3)} > 0: not critical",))
            if not unresolved:
                return GradientCheck("within_tolerance", norm, band, (
                    f"gradient within tolerance at the input's height: every entry of the integer matrices N_h dL/dW_h "
                    f"is within its rigorous rounding-error bound of 0 at {digits} digits{climb}, and every bound is < 1/2 "
                    f"while a nonzero entry of these integer matrices has |entry| >= 1: no gradient entry is nonzero at "
                    f"the input's height (computed ||grad||_F = {_short(mpmath.sqrt(norm2), 3)} <= "
                    f"{_short(mpmath.sqrt(band2), 3)}); reported as within tolerance, as a numeric path never "
                    "claims criticality",))
            need = int(mpmath.ceil(mpmath.log(8 * K * top, 2))) + 2
        if bits >= cap_bits:
            return GradientCheck("within_tolerance", norm, band, (
                f"gradient within tolerance at the precision cap: every entry of N_h dL/dW_h is within its rigorous "
                f"rounding-error bound of 0 at {digits} digits (||grad||_F = {norm:.3g} <= {band:.3g}), but the bound is "
                f"not below 1/2; deciding at the input's height needs about {_digits(need) + 1} digits > cap "
                f"{max_digits} (raise max_gradient_digits)",))
        bits = min(max(min(2 * bits, need), bits + 1), cap_bits)


def chain_work(problem: Problem, ws: Sequence[RationalMatrix]) -> int:
    """Multiply-adds of one gradient evaluation (:func:`_scaled_gradient`): X X^T, Y X^T, the prefix and
    suffix products of the layers, and A_h^T G C_h^T for every h."""
    widths = (ws[0].ncols,) + tuple(w.nrows for w in ws)
    d0, dH, m = widths[0], widths[-1], problem.m
    total = m * d0 * (d0 + dH) + dH * d0 * d0
    for h in range(1, len(ws) + 1):
        total += widths[h] * widths[h - 1] * (d0 + dH)                 # C_(h+1) and A_(h-1)
        total += widths[h] * dH * d0 + widths[h] * d0 * widths[h - 1]  # A_h^T G, then times C_h^T
    return total


def _widths_text(ws: Sequence[RationalMatrix]) -> str:
    widths = (ws[0].ncols,) + tuple(w.nrows for w in ws)
    return str(list(widths)) if len(widths) <= 8 else f"of {len(ws)} layers up to {max(widths)}"


def _magnitude_spread_digits(problem: Problem, ws: Sequence[RationalMatrix]) -> int:
    """log10(max |x| / min |x|) over the nonzero input numbers (X, Y, weights, lambdas), rounded up."""
    lo = hi = None
    numbers = [x for m in (problem.X, problem.Y, *ws) for row in m.rows for x in row]
    for x in numbers + list(problem.layer_lambdas(len(ws))):
        if x:
            e = abs(x.numerator).bit_length() - x.denominator.bit_length()
            lo = e if lo is None else min(lo, e)
            hi = e if hi is None else max(hi, e)
    return 0 if lo is None else math.ceil((hi - lo + 2) * math.log10(2))


def classify_mp(problem: Problem, weights: Any, *, start_digits: int = DEFAULT_START_DIGITS,
                max_digits: int = DEFAULT_MAX_DIGITS,
                max_gradient_digits: int = DEFAULT_MAX_GRADIENT_DIGITS) -> NumericClassification:
    """Classify a point in mpmath: criticality at the input's height, the rest at doubling precision.

    Criticality comes from :func:`gradient_to_height` (``no`` when a gradient entry is proven
    nonzero, else ``within_tolerance``; precision capped at ``max_gradient_digits``). The other
    decisions are those of :func:`exactdln.numeric.float64.classify_float` (Achour, Malgouyres,
    Gerchinovitz (2024), first-order characterization (docs/maths/classification.md §2.1) and the classification theorem): starts at ``start_digits``
    decimal digits and doubles while some quantity is inside its undecided band, up to
    ``max_digits``; a Hessian inertia with zero eigenvalues must repeat at twice the digits.
    ``digits`` is the lowest precision whose answer was confirmed. The kind at a point within
    tolerance is conditional (``conditional_kind``), the definite ``kind`` is then
    ``inconclusive``. ``min_eigenvalue`` here is the most negative LDL^T pivot (same sign
    information; not an eigenvalue).
    """
    ws = normalize_point(problem, weights)
    work = chain_work(problem, ws)
    if work > MP_WORK_LIMIT:
        return out_of_range(problem, ws, f"mpmath path not run: one evaluation of the gradient chain takes about "
                                         f"{work} multiply-adds (widths {_widths_text(ws)}), more than its limit "
                                         f"{MP_WORK_LIMIT}", method="mpmath", digits=start_digits)
    gradient = gradient_to_height(problem, ws, start_digits=start_digits, max_digits=max_gradient_digits)
    # A zero pivot is confirmed at a precision that also resolves the input's spread of magnitudes:
    # Hessian entries are products of up to 2(H + 1) input numbers, so a pivot built from the
    # smallest ones sits about 2(H + 1) * spread digits below the largest entries, inside the zero
    # band of any lower precision (found: X = diag(10^40, 1) at 30 and 60 digits gave three false zeros).
    confirm_digits = start_digits + 2 * (len(ws) + 1) * _magnitude_spread_digits(problem, ws)
    digits = start_digits
    previous = None
    while True:
        try:
            with mp.workdps(digits):
                result = analyse(problem, ws, MpArithmetic(), gradient=gradient)
        except (OverflowError, np.linalg.LinAlgError) as err:   # a float64 guide (orbit pivots) out of range
            stopped = out_of_range(problem, ws, f"mpmath analysis stopped: a float64 guide failed "
                                                f"({type(err).__name__}: {err})", method="mpmath", digits=digits)
            if gradient.critical != "no":
                return stopped
            return replace(stopped, kind=NOT_CRITICAL, critical="no", gradient_norm=gradient.norm,   # proven before
                           gradient_bound=gradient.bound, reasons=gradient.reasons + stopped.reasons)
        banded_zeros = 0 if result.inertia is None else result.inertia.n_zero - result.structural_zeros
        confirmed = (previous is not None and previous.inertia == result.inertia and previous.kind == result.kind
                     and previous.conditional_kind == result.conditional_kind and digits >= confirm_digits)
        if result.separated and (banded_zeros == 0 or confirmed):
            if confirmed:
                result = replace(result, digits=previous.digits)
            break
        if digits >= max_digits:
            if result.inertia is not None and banded_zeros and not confirmed:
                # a pivot inside the zero band may be a tiny nonzero one (found: 40-digit entries at
                # 50 digits gave 90 false zeros); unconfirmed at the cap, the inertia is not certified
                spread = f"; the input's magnitudes need {confirm_digits}" if confirm_digits > max_digits else ""
                result = replace(result, inertia=None, undecided=result.undecided + (
                    f"{banded_zeros} LDL^T pivot(s) inside the zero band not confirmed at a higher precision "
                    f"(cap {max_digits} digits{spread}); inertia not certified",))
            break
        # Zero pivot counts are confirmed at twice the digits: an exact tiny nonzero eigenvalue below
        # this precision's band (found on the 10^6-rescaled corpus at 30 digits) rises above it.
        # Only a run at confirm_digits or more can confirm them, so a separated result with zero pivots
        # goes there at once (or to the cap) instead of doubling through precisions that cannot confirm:
        # depth 128 with confirm_digits 288 ran 30, 60, 120, 240 and 480 digits, now 30 and 288.
        previous = result if result.separated else None
        if previous is not None and banded_zeros:
            digits = min(max(2 * digits, confirm_digits), max_digits)
        else:
            digits = min(2 * digits, max_digits)
    return result
