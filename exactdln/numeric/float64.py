"""The float64 path: the exact core's quantities from numpy/LAPACK, with honest margins.

Independent of the exact core by design: it reads the model (:mod:`exactdln.model.problem`),
converts every Fraction with ``float``, and computes loss, gradient, criticality, the
ranks of all partial products W_{j:i}, the index set S of fitted eigenvalues, the
Hessian (its own assembly, same parameter order as the exact core) and its inertia,
then decides the kind with the logic of Achour, Malgouyres, Gerchinovitz (2024) (the
first-order form of critical points (docs/maths/classification.md §2.1), and the classification theorem with its
pivots) and the global-optimality test of Yun, Sra, Jadbabaie (2018, Theorem 2.1).

Every decision goes through one rule, :func:`separate`: a computed quantity v with a
rounding-error bound ``noise`` (derived from the unit roundoff, the matrix sizes and the
norms of the factors that produced v) and a scale is

- zero when v <= noise,
- nonzero when v >= :func:`nonzero_threshold` = max(noise, min(MARGIN * noise, sqrt(noise * scale)))
  (MARGIN = 1024),
- undecided in between; the verdict is then ``inconclusive`` and names the quantity.

Finite precision proves inequalities, never equalities. A gradient block beyond its threshold
proves the point is not critical; a gradient inside its band is only *within tolerance* of
zero. So the only definite kind a numeric path reports is ``not_critical``; for a point within
tolerance the kind found is *conditional* ("strict_saddle if critical",
``NumericClassification.conditional_kind``) and the definite ``kind`` is ``inconclusive``.

The algorithm (:func:`analyse`) is written against a small arithmetic interface
(:class:`FloatArithmetic` here, ``MpArithmetic`` in :mod:`exactdln.numeric.mp`), so the
float and mpmath paths run the same decisions in different arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from exactdln.model.blas_threads import single_blas_thread
from exactdln.model.problem import Problem, RationalMatrix, normalize_point
from exactdln.model.results import (
    GLOBAL_MINIMIZER,
    INCONCLUSIVE,
    NON_STRICT_SADDLE,
    NOT_CRITICAL,
    STRICT_SADDLE,
    Inertia,
    Verdict,
)

__all__ = [
    "NumericClassification",
    "GradientCheck",
    "FloatArithmetic",
    "separate",
    "nonzero_threshold",
    "analyse",
    "classify_float",
    "out_of_range",
    "hessian_matrix_float",
    "balance_hidden",
    "layer_orbit_pivots",
    "DEFINITE_KINDS",
    "CRITICAL_STATES",
]

DEFINITE_KINDS = (NOT_CRITICAL,)
"""The only definite kind a numeric path reports: finite precision can prove a gradient nonzero, never zero."""

CRITICAL_STATES = ("no", "within_tolerance", "undecided")
"""``no``: some gradient entry is proven nonzero; ``within_tolerance``: every gradient block is inside its
rounding-error bound (zero is possible, not proven); ``undecided``: some block sits between the two bands."""

_AMG = "Achour, Malgouyres, Gerchinovitz 2024"


@dataclass(frozen=True)
class GradientCheck:
    """A criticality decision with the numbers it compared.

    ``critical`` is one of :data:`CRITICAL_STATES`; ``norm`` the computed ||grad L||_F;
    ``bound`` the threshold it was compared with (for ``no``: a gradient part exceeded it, so
    norm > bound; for ``within_tolerance`` and ``undecided``: the rounding-error band of the whole
    gradient, sqrt(sum_h noise_h^2), which norm does not exceed for ``within_tolerance``).
    ``reasons`` state each comparison (value, threshold, direction); ``undecided`` those in the band.
    """

    critical: str
    norm: float
    bound: float | None
    reasons: tuple[str, ...] = ()
    undecided: tuple[str, ...] = ()


@dataclass(frozen=True)
class NumericClassification(Verdict):
    """What a numeric path concluded about one point, with the margins it used.

    Finite precision can prove that a gradient is nonzero, never that it is zero. So:

    - ``critical`` is ``"no"`` (a gradient part is proven nonzero), ``"within_tolerance"`` (every
      gradient block is inside its rounding-error bound) or ``"undecided"`` (between the bands);
      ``gradient_norm`` is the computed ||grad L||_F and ``gradient_bound`` the threshold it was
      compared with (see :class:`GradientCheck`);
    - ``kind`` is the *definite* verdict: ``"not_critical"`` (proven) or ``"inconclusive"``;
    - ``conditional_kind`` is the kind the point has *if it is critical* (found for a point within
      tolerance by the theorem route of Achour, Malgouyres, Gerchinovitz (2024) and the Hessian), or
      ``None``. ``inertia``, ``fitted``, ``rank`` describe the Hessian and the products at the
      analysed point; the orbit reduction of the Hessian assumes the point is critical, so they are
      conditional facts as well.

    ``rounded_input`` is True when some input number is not exactly representable in the working
    arithmetic (the analysis is then of the rounded point, with the rounding inside its error
    bands). ``reasons`` name the decisive comparisons, ``undecided`` every quantity that was too
    close to call. ``inertia`` is ``None`` when an eigenvalue (or pivot) fell in the undecided band.
    ``digits`` is the working precision in decimal digits (about 16 for float64).
    """

    method: str
    kind: str
    critical: str
    inertia: Inertia | None
    rank: int | None
    r_max: int
    fitted: tuple[int, ...] | None
    partial_ranks: dict[tuple[int, int], int | None]
    loss: float
    gradient_norm: float
    min_eigenvalue: float | None
    digits: int
    n_parameters: int
    reasons: tuple[str, ...] = ()
    undecided: tuple[str, ...] = ()
    structural_zeros: int = 0            # zero eigenvalues certified by the orbit congruence, not by a band
    conditional_kind: str | None = None
    gradient_bound: float | None = None
    rounded_input: bool = False

    @property
    def notes(self) -> tuple[str, ...]:
        """The reasons, then each quantity too close to call (the shared name of :class:`Verdict`)."""
        return self.reasons + tuple(f"undecided: {u}" for u in self.undecided)

    @property
    def separated(self) -> bool:
        """True when no computed quantity fell in its undecided band (more digits would not help)."""
        return not self.undecided

    @property
    def definite(self) -> bool:
        """True when ``kind`` is a definite verdict (only ``not_critical`` can be)."""
        return self.kind in DEFINITE_KINDS

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "kind": self.kind,
            "conditional_kind": self.conditional_kind,
            "critical": self.critical,
            "gradient_norm": self.gradient_norm,
            "gradient_bound": self.gradient_bound,
            "rounded_input": self.rounded_input,
            "inertia": self.inertia.to_json() if self.inertia is not None else None,
            "rank": self.rank,
            "r_max": self.r_max,
            "fitted": list(self.fitted) if self.fitted is not None else None,
            "partial_ranks": {f"{i},{j}": r for (i, j), r in sorted(self.partial_ranks.items())},
            "loss": self.loss,
            "min_eigenvalue": self.min_eigenvalue,
            "digits": self.digits,
            "n_parameters": self.n_parameters,
            "reasons": list(self.reasons),
            "undecided": list(self.undecided),
            "structural_zeros": self.structural_zeros,
        }

    def verdict_text(self) -> str:
        """``not_critical``, ``inconclusive (strict_saddle if critical)`` or ``inconclusive``."""
        if self.conditional_kind is not None:
            return f"{self.kind} ({self.conditional_kind} if critical)"
        return self.kind

    def critical_text(self) -> str:
        """The criticality status with the comparison it rests on."""
        g, b = self.gradient_norm, self.gradient_bound
        if b is None:
            return f"{self.critical} (|grad| {g:.3g})"
        relation = {"no": ">", "within_tolerance": "<="}.get(self.critical, "vs")
        word = "nonzero threshold" if self.critical == "no" else "rounding-error band"
        if self.critical == "no" and g == 0:
            # the comparison was made at higher precision; as floats both ends underflow (the reasons give them)
            return f"no (|grad| {relation} {word}, both below the float64 range: see the reasons)"
        return f"{self.critical} (|grad| {g:.3g} {relation} {word} {b:.3g})"

    def __str__(self) -> str:
        lines = [
            f"{self.method} ({self.digits} digits): {self.verdict_text()}",
            f"  critical: {self.critical_text()}" + ("; input rounded" if self.rounded_input else ""),
            f"  loss {self.loss:.6g}  rank W_H..W_1 = {self.rank}  r_max = {self.r_max}  S = {self.fitted}",
            f"  Hessian inertia{' (if critical)' if self.critical == 'within_tolerance' else ''}: "
            f"{'undecided' if self.inertia is None else self.inertia}  min eigenvalue: {self.min_eigenvalue}",
        ]
        lines += [f"  - {r}" for r in self.reasons]
        lines += [f"  ? {r}" for r in self.undecided]
        return "\n".join(lines)


MARGIN = 1024
"""A magnitude above MARGIN times its rounding-error bound is nonzero (about three digits of safety)."""

FLOAT_ORBIT_LIMIT = 1200

RANK_TABLE_LIMIT = 32
"""Depth up to which every partial product W_{j:i} gets its rank (H(H+1)/2 SVDs); deeper networks get
the ranks the decisions use, the rest of the table is None (the table grows as H^2, its bounds as H^3)."""

FLOAT_HESSIAN_LIMIT = 2000
"""Largest n for which the float path forms the n x n Hessian (32 MB, an O(n^3) eigensolver); beyond it
the inertia is not computed and the verdict says so."""
"""float64 tries the orbit reduction to certify a zero count up to this many parameters."""


def separate(value: Any, noise: Any, scale: Any) -> bool | None:
    """Decide whether a computed nonnegative magnitude is zero.

    Returns False (zero) when value <= noise, True (nonzero) when value >=
    :func:`nonzero_threshold` (noise, scale), None (undecided) otherwise. ``noise`` is a
    (first-order) rounding-error bound for the computation that produced ``value``; ``scale``
    bounds its size. A value MARGIN times above a valid error bound cannot come from an exact
    zero; the square-root threshold (half of the digits) applies only when it is lower, for
    quantities whose noise is a large fraction of their scale.
    """
    if value <= noise:
        return False
    return True if value >= nonzero_threshold(noise, scale) else None


def nonzero_threshold(noise: Any, scale: Any) -> Any:
    """max(noise, min(sqrt(noise * scale), MARGIN * noise)): the value :func:`separate` calls nonzero at or above."""
    hi = _sqrt(noise * scale)
    alt = MARGIN * noise
    if alt < hi:
        hi = alt
    return hi if hi > noise else noise


def _sqrt(x: Any) -> Any:
    return x ** 0.5


class _FloatImage:
    """A rational matrix's float64 image, converted once: each entry n / d correctly rounded (CPython's int / int),
    whether every entry is represented exactly, and whether a nonzero entry underflowed to 0.0.

    From the matrix's integers (:meth:`RationalMatrix.integer_entries`, not necessarily in lowest terms): the float
    v = a / b (its exact ratio) equals n / d exactly when a d = n b. Raises OverflowError beyond the float range.
    """

    __slots__ = ("array", "exact", "underflow")

    def __init__(self, m: RationalMatrix):
        numerators, denominators = m.integer_entries()
        if denominators is None:
            values = [float(n) for n in numerators]
            self.exact = all(int(v) == n for v, n in zip(values, numerators))
            self.underflow = False
        else:
            values = [n / d for n, d in zip(numerators, denominators)]
            exact = True
            for v, n, d in zip(values, numerators, denominators):
                a, b = v.as_integer_ratio()
                if a * d != n * b:
                    exact = False
                    break
            self.exact = exact
            self.underflow = any(v == 0 and n != 0 for v, n in zip(values, numerators))
        self.array = np.array(values, dtype=np.float64).reshape(m.shape)


class FloatArithmetic:
    """float64 arithmetic on numpy arrays; SVD, eigh and eigvalsh from LAPACK."""

    name = "float64"
    digits = 16
    eps = float(np.finfo(np.float64).eps)

    def __init__(self):
        self._images: dict[int, tuple[RationalMatrix, _FloatImage]] = {}   # id -> (matrix kept alive, image)

    def image(self, m: RationalMatrix) -> _FloatImage:
        """The float64 image of ``m``, converted on first use (each input matrix is read several times)."""
        found = self._images.get(id(m))
        if found is None or found[0] is not m:
            found = (m, _FloatImage(m))
            self._images[id(m)] = found
        return found[1]

    def matrix(self, m: RationalMatrix) -> np.ndarray:
        return self.image(m).array.copy()

    def inputs_exact(self, problem: Problem, ws: Sequence[RationalMatrix]) -> bool:
        """Every input number (X, Y, the weights, the lambdas) is a float64 exactly (:meth:`represents`)."""
        return (all(self.image(m).exact for m in (problem.X, problem.Y, *ws))
                and all(self.represents(x) for x in problem.layer_lambdas(len(ws))))

    def scalar(self, x: Fraction) -> float:
        return float(x)

    def identity(self, n: int) -> np.ndarray:
        return np.eye(n)

    def zero(self) -> float:
        return 0.0

    def fro(self, A: np.ndarray) -> float:
        return float(np.linalg.norm(A)) if A.size else 0.0

    def singular_values(self, A: np.ndarray) -> list[float]:
        if A.size == 0:
            return []
        return [float(s) for s in np.linalg.svd(A, compute_uv=False)]

    def eigh_descending(self, A: np.ndarray) -> tuple[list[float], np.ndarray]:
        vals, vecs = np.linalg.eigh((A + A.T) / 2)
        order = np.argsort(vals)[::-1]
        return [float(v) for v in vals[order]], vecs[:, order]

    def solve(self, A: np.ndarray, B: np.ndarray) -> np.ndarray:
        return np.linalg.solve(A, B)

    def to_float(self, x: Any) -> float:
        return float(x)

    def represents(self, x: Fraction) -> bool:
        """True when float(x) is exactly x: the float's exact ratio (lowest terms, positive denominator) is x's."""
        try:
            value = float(x)
        except OverflowError:
            return False
        if isinstance(x, Fraction):       # cheaper than Fraction == float, which builds a Fraction from the float
            return value.as_integer_ratio() == (x.numerator, x.denominator)
        return value == x

    def hessian_inertia(self, Hm: np.ndarray, noise: float, scale: float) -> tuple[Inertia | None, int, float | None, list[str]]:
        """Inertia from eigvalsh with the band [-noise, noise] for zero.

        Returns (inertia or None, number of eigenvalues that are negative beyond the
        margin, the smallest eigenvalue, reasons for any undecided eigenvalue).
        """
        n = Hm.shape[0]
        if n == 0:
            return Inertia(0, 0, 0), 0, None, []
        vals = np.linalg.eigvalsh((Hm + Hm.T) / 2)
        # :func:`separate` on every |eigenvalue| at once (the same comparisons, vectorized)
        threshold = nonzero_threshold(noise, scale)
        magnitudes = np.abs(vals)
        is_zero = magnitudes <= noise
        is_nonzero = ~is_zero & (magnitudes >= threshold)
        reasons = [
            f"Hessian eigenvalue {idx + 1} of {n} is {vals[idx]:.3g}: {noise:.2g} < |{vals[idx]:.3g}| < "
            f"{threshold:.2g} (zero band < |value| < nonzero threshold): undecided"
            for idx in np.flatnonzero(~is_zero & ~is_nonzero).tolist()
        ]
        zero = int(np.count_nonzero(is_zero))
        plus = int(np.count_nonzero(is_nonzero & (vals > 0)))
        minus = int(np.count_nonzero(is_nonzero)) - plus
        if not reasons and zero:
            # float64 resolves eigenvalues only to about eps * max|eigenvalue| in absolute
            # terms: an exact nonzero eigenvalue below that is indistinguishable from 0
            # (found on the badly scaled stress corpus). Signs beyond the band stay
            # certain; the zero count is not, so the inertia is left undecided.
            reasons.append(f"{zero} eigenvalue(s) with |value| <= zero band {noise:.2g}: float64 cannot tell 0 from a "
                           "tiny nonzero eigenvalue; inertia not certified (clearly negative ones: "
                           f"{minus})")
        inertia = Inertia(plus, minus, zero) if not reasons else None
        return inertia, minus, float(vals[0]), reasons


# --------------------------------------------------------------------------------------
# The algorithm, over any arithmetic with the interface above.
# --------------------------------------------------------------------------------------


@dataclass
class _Point:
    """Matrices of one point in some arithmetic, with the products the formulas need."""

    ar: Any
    W: list
    X: Any
    Y: Any
    lambdas: list
    widths: tuple[int, ...]
    norms: list = field(default_factory=list)

    @property
    def depth(self) -> int:
        return len(self.W)

    _products: dict = field(default_factory=dict)
    _bounds: dict = field(default_factory=dict)

    def product(self, j: int, i: int) -> Any:
        """W_{j:i} = W_j ... W_i (1-based), computed as W_j (W_{j-1} (... W_i)); the identity when j = i - 1."""
        if j < i:
            return self.ar.identity(self.widths[i - 1])
        key = (j, i)
        if key not in self._products:
            self._products[key] = self.W[i - 1] if j == i else self.W[j - 1] @ self.product(j - 1, i)
        return self._products[key]

    _norms: dict = field(default_factory=dict)

    def _pnorm(self, j: int, i: int) -> Any:
        """||fl(W_{j:i})||_F, and 1 for the empty product (it enters only as a factor); computed once."""
        if j < i:
            return self.ar.scalar(Fraction(1))
        key = (j, i)
        if key not in self._norms:
            self._norms[key] = self.ar.fro(self.product(j, i))
        return self._norms[key]

    def product_norm_bound(self, j: int, i: int) -> Any:
        """B_{j:i}: bounds ||W_{j:i}|| and, times c eps, the rounding error of the computed W_{j:i}.

        First-order forward error analysis of W_j (W_{j-1} (... W_i)): the product formed at
        stage t carries an error <= gamma ||W_t|| ||W_{t-1:i}||, which the later factors
        multiply by W_{j:t+1}; so error <= gamma sum_t ||W_{j:t+1}|| ||W_t|| ||W_{t-1:i}||,
        with the *computed* partial-product norms. This is tighter than prod_t ||W_t|| (also
        a bound, kept as a cap) by the cancellation a hidden change of basis creates.
        """
        if j < i:
            return self.ar.scalar(Fraction(1))
        key = (j, i)
        if key not in self._bounds:
            crude = self.ar.scalar(Fraction(1))
            for h in range(i, j + 1):
                crude = crude * self.norms[h - 1]
            fine = self._pnorm(j, i)
            for t in range(i, j + 1):
                fine = fine + self._pnorm(j, t + 1) * self.norms[t - 1] * self._pnorm(t - 1, i)
            self._bounds[key] = fine if fine < crude else crude
        return self._bounds[key]


    def precompute_bounds(self) -> None:
        """Every B_{j:i} at once, at depth > RANK_TABLE_LIMIT (the same bound, vectorized in float64).

        With N[j, i] = ||fl(W_{j:i})|| (1 for an empty product) and w_t = ||W_t||, the sum of
        :meth:`product_norm_bound` over t = i..j is the (j, i) entry of U V with U[j, t] = N[j, t+1] w_t
        (t <= j) and V[t, i] = N[t-1, i] (t >= i): one matrix product instead of H^3/6 scalar steps.

        In another arithmetic (mpmath) the sums are formed the same way in float64 when every nonzero N and
        w lies in [2^-300, 2^300] (no term of three factors then overflows or leaves the normal range, so
        each float operation has relative error <= 2^-53); the float results are then raised by the factor
        1 + (2H + 16) 2^-52, which covers the rounding of the inputs, of the H-term sums and of the product
        of up to H norms in the crude bound (Higham, Accuracy and Stability of Numerical Algorithms, 2002,
        §3.1), so each stored B_{j:i} is at least the value the scalar recursion gives. Out of that range
        nothing is precomputed and :meth:`product_norm_bound` runs as before.
        """
        H = self.depth
        floating = isinstance(self.ar, FloatArithmetic)
        N = np.ones((H + 2, H + 2))
        for i in range(1, H + 1):
            for j in range(i, H + 1):
                N[j, i] = float(self._pnorm(j, i))
        w = np.array([0.0] + [float(x) for x in self.norms] + [0.0])
        if not floating:
            values = np.concatenate([N.ravel(), w])
            nonzero = np.abs(values[values != 0])
            if nonzero.size and not (np.all(np.isfinite(nonzero)) and nonzero.min() >= 2.0 ** -300
                                     and nonzero.max() <= 2.0 ** 300):
                return
        t = np.arange(H + 2)
        U = np.where(t[None, :] <= t[:, None], N[:, np.minimum(t + 1, H + 1)] * w[None, :], 0.0)
        V = np.where(t[:, None] >= t[None, :], N[np.maximum(t - 1, 0), :], 0.0)
        U[:, 0] = 0.0
        V[0, :] = 0.0
        fine = N + U @ V
        raise_by = 1.0 + (2 * H + 16) * 2.0 ** -52
        for i in range(1, H + 1):
            crude = 1.0
            zero_factor = False
            for j in range(i, H + 1):
                crude *= w[j]
                zero_factor = zero_factor or w[j] == 0
                if (j, i) in self._bounds:
                    continue
                if floating:
                    self._bounds[(j, i)] = min(float(fine[j, i]), crude)
                    continue
                # a crude product that left the normal range is no longer within its relative error
                usable = crude if zero_factor or 2.0 ** -1000 <= crude < math.inf else math.inf
                bound = min(float(fine[j, i]), usable) * raise_by
                self._bounds[(j, i)] = self.ar.scalar(Fraction(bound))


def balance_hidden(weights: Sequence[RationalMatrix], *, sweeps: int = 8) -> tuple[tuple[RationalMatrix, ...], tuple[tuple[int, ...], ...]]:
    """Exact power-of-two hidden rescaling W_h -> D_h W_h D_{h-1}^-1 that balances the layers.

    D_0 = D_H = I and D_h = diag(2^e) on hidden layer h. Hidden changes of basis leave
    W_{H:1} and the unregularized loss unchanged, so criticality, every
    partial-product rank, S, the kind and (Sylvester, the map is a linear isomorphism of
    parameter space) the Hessian inertia are those of the input point. Powers of two are
    exact in rationals and in binary floating point, so nothing is rounded; only the
    conditioning changes: the rounding-error bounds of the float path grow with
    prod ||W_h|| (not with ||W_{j:i}||), which a hidden change of basis can inflate by
    many decades. The exponent of unit i of layer h moves row i of W_h and column i of
    W_{h+1} towards equal norm (an Osborne-style sweep). Only valid for lambda = 0.
    Returns the rescaled weights and the exponents per hidden layer.
    """
    H = len(weights)
    widths = (weights[0].ncols,) + tuple(w.nrows for w in weights)
    try:       # the float copy only guides the exponents; entries beyond float64 leave the point as it is
        F = [np.array([[float(x) for x in row] for row in w.rows], dtype=np.float64).reshape(w.shape) for w in weights]
    except OverflowError:
        return tuple(weights), tuple((0,) * widths[h] for h in range(1, H))
    _, exps = _balance_exponents(F, widths, sweeps)
    if not any(np.any(e) for e in exps):
        return tuple(weights), tuple(tuple(int(x) for x in e) for e in exps[1:H])

    def two(k: int) -> Fraction:
        return Fraction(2) ** int(k)

    out = []
    for h in range(1, H + 1):
        left = [two(x) for x in exps[h]] if h < H else [Fraction(1)] * widths[h]
        right = [two(-x) for x in exps[h - 1]] if h > 1 else [Fraction(1)] * widths[h - 1]
        rows = tuple(tuple(left[a] * x * right[b] for b, x in enumerate(row)) for a, row in enumerate(weights[h - 1].rows))
        out.append(RationalMatrix(rows, widths[h - 1]))
    return tuple(out), tuple(tuple(int(x) for x in e) for e in exps[1:H])


def _balance_exponents(F: list[np.ndarray], widths: Sequence[int], sweeps: int = 8
                       ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The exponents of :func:`balance_hidden` from float copies F of the weights, and the rescaled copies.

    Returns (F rescaled, exps) with exps[h] the exponents of layer h (h = 0..H; exps[0] = exps[H] = 0).
    """
    H = len(F)
    F = list(F)
    exps = [np.zeros(widths[h], dtype=np.int64) for h in range(H + 1)]
    for _ in range(sweeps):
        moved = False
        for h in range(1, H):
            with np.errstate(all="ignore"):                     # an overflowing norm is inf: excluded by `ok`
                row = np.linalg.norm(F[h - 1], axis=1)          # outgoing from layer h-1 into unit i of layer h
                col = np.linalg.norm(F[h], axis=0)              # from unit i of layer h into layer h+1
            ok = (row > 0) & (col > 0) & np.isfinite(row) & np.isfinite(col)
            e = np.zeros(widths[h], dtype=np.int64)
            e[ok] = np.clip(np.round(0.5 * (np.log2(col[ok]) - np.log2(row[ok]))), -60, 60).astype(np.int64)
            if np.any(e):
                moved = True
                scale = np.ldexp(1.0, e)
                F[h - 1] = F[h - 1] * scale[:, None]
                F[h] = F[h] / scale[None, :]
                exps[h] += e
        if not moved:
            break
    return F, exps


def _balanced_floats(weights: Sequence[RationalMatrix], ar: "FloatArithmetic | None" = None
                     ) -> tuple[list[np.ndarray], tuple[tuple[int, ...], ...]] | None:
    """float64 copies of the weights of :func:`balance_hidden`, without forming the rescaled rationals.

    Multiplying a float by a power of two is exact while the result stays a normal float, and float()
    rounds 2^e x to 2^e float(x) there; so when no rescaled entry overflows or falls below the smallest
    normal float, these arrays are exactly the float64 images of the rescaled rational weights.
    None otherwise (the caller then rescales the rationals).
    """
    H = len(weights)
    widths = (weights[0].ncols,) + tuple(w.nrows for w in weights)
    ar = ar if ar is not None else FloatArithmetic()
    try:
        images = [ar.image(w) for w in weights]
    except OverflowError:
        return None
    F = [image.array for image in images]
    _, exps = _balance_exponents(F, widths)
    tiny = np.finfo(np.float64).tiny
    out = []
    with np.errstate(all="ignore"):
        for h in range(1, H + 1):    # one ldexp per entry from the input floats: exact unless it over/underflows
            left = exps[h] if h < H else np.zeros(widths[h], dtype=np.int64)
            right = exps[h - 1] if h > 1 else np.zeros(widths[h - 1], dtype=np.int64)
            m = np.ldexp(F[h - 1], left[:, None] - right[None, :])
            magnitudes = np.abs(m)
            if not np.all(np.isfinite(m)) or np.any((magnitudes < tiny) & (magnitudes > 0)):
                return None
            if np.any((np.abs(F[h - 1]) < tiny) & (F[h - 1] != 0)):
                return None          # a subnormal input float: its rescaling may not be its image
            if images[h - 1].underflow:
                return None          # a nonzero input that underflowed to 0.0
            out.append(m)
    return out, tuple(tuple(int(x) for x in e) for e in exps[1:H])


def hessian_matrix_float(problem: Problem, weights: Any) -> np.ndarray:
    """The Hessian of L at W in float64, same parameter order as the exact core.

    docs/maths/hessian_inertia.md §1: Hess[T,T] = ||D1(T) X||^2 - 2 <G, D2(T)> + sum lambda_h ||T_h||^2.
    """
    ws = normalize_point(problem, weights)
    ar = FloatArithmetic()
    p = _make_point(ar, problem, ws)
    G = _residual(p)
    Hm, _ = _assemble_hessian(p, G, [p.product(p.depth, h + 1) for h in range(1, p.depth + 1)],
                              [p.product(h - 1, 1) for h in range(1, p.depth + 1)])
    return Hm


def _well_conditioned_minor(W: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Rows I and columns J, |I| = |J| = rho, with cond(W[I, J]) < 1e8 (float SVD), rho as large as a QR with
    column pivoting of W and one of W[:, J]^T allow (the numerical rank, reduced until the minor passes), and
    whether rho had to be reduced below the numerical rank."""
    import scipy.linalg

    empty = np.zeros(0, dtype=np.int64)
    if W.size == 0 or not np.any(W):
        return empty, empty, False
    # rows scaled by powers of two first (exact, and a minor of D W is invertible exactly when that of W is):
    # balanced layers of rank-deficient points can have rows 10^50 apart. Not the columns: the pivoting should
    # prefer the large entries of a row, as the global QR does
    top = np.abs(W).max(axis=1, keepdims=True)
    W = np.ldexp(W, -np.frexp(np.where(top > 0, top, 1.0))[1])
    _, R, columns = scipy.linalg.qr(W, mode="economic", pivoting=True, check_finite=False)
    d = np.abs(np.diag(R))
    rank = rho = int(np.sum(d > 1e-7 * d[0])) if d.size else 0
    while rho > 0:
        J = columns[:rho]
        if rho == W.shape[0]:          # every row is in I: no second QR needed to choose them
            I = np.arange(rho)
        else:
            _, _, rows = scipy.linalg.qr(W[:, J].T, mode="economic", pivoting=True, check_finite=False)
            I = rows[:rho]
        sv = np.linalg.svd(W[np.ix_(I, J)], compute_uv=False)
        if sv[-1] > 1e-8 * sv[0]:
            return np.sort(I), np.sort(J), rho < rank
        rho -= max(1, rho // 10)
    return empty, empty, rank > 0


def _exact_products(T: np.ndarray, W: np.ndarray) -> np.ndarray:
    """T @ W correctly rounded to float64 (each entry the float nearest the exact sum of exact products).

    Every finite float is an integer multiple of 2^(e - 53), e its exponent; with e_min the least over a
    matrix, the matrix is 2^(e_min - 53) times a matrix of integers. The sums are then exact in Python integers
    (a numpy object product) and the conversion back rounds once (:func:`_scaled_float`).
    """
    def integers(M: np.ndarray) -> tuple[np.ndarray, int]:
        nonzero = np.abs(M[M != 0])
        shift = int(np.frexp(nonzero.min())[1]) - 53 if nonzero.size else 0
        scaled = np.ldexp(M, -shift)                  # integers, exact while they stay finite
        if not np.all(np.isfinite(scaled)):          # a range beyond 2^1024: each float's exact ratio instead
            out = np.empty(M.shape, dtype=object)
            for index, x in np.ndenumerate(M):
                numerator, denominator = float(x).as_integer_ratio()          # denominator a power of two
                out[index] = numerator << (1074 - denominator.bit_length() + 1)
            return out, -1074
        return np.array([int(x) for x in scaled.ravel().tolist()], dtype=object).reshape(M.shape), shift

    if not (T.size and W.size):
        return np.zeros((T.shape[0], W.shape[1]))
    (ints_T, shift_T), (ints_W, shift_W) = integers(T), integers(W)
    exact = ints_T.dot(ints_W)
    out = np.empty(exact.shape)
    for index, value in np.ndenumerate(exact):
        out[index] = _scaled_float(int(value), shift_T + shift_W)
    return out


def _scaled_float(value: int, exponent: int) -> float:
    """value * 2^exponent correctly rounded to float64 (CPython's int -> float and int / int round correctly;
    +-inf beyond the range)."""
    try:
        return float(value << exponent) if exponent >= 0 else value / (1 << -exponent)
    except OverflowError:
        return float("inf") if value > 0 else float("-inf")


def _direction_rows(weights: Sequence[np.ndarray], offsets: Sequence[int], n: int, h: int, A: np.ndarray,
                    T: np.ndarray, tw: np.ndarray | None = None) -> np.ndarray:
    """The orbit directions of hidden layer h with E = e_a t^T (a in A, t a row of T) as rows of length n, a-major.

    T_h = E W_h = e_a (t^T W_h) on W_h and T_(h+1) = -W_(h+1) E = -(column a of W_(h+1)) t^T on W_(h+1).
    ``tw``: T @ W_h when already formed (correctly rounded, :func:`_exact_products`).
    """
    Wh, Wn = weights[h - 1], weights[h]
    d, before, after = Wh.shape[0], Wh.shape[1], Wn.shape[0]
    k = T.shape[0]
    rows = np.zeros((len(A), k, n))
    if tw is None:
        tw = T @ Wh                                                      # k x d_(h-1)
    at = np.arange(len(A))
    rows[at[:, None, None], np.arange(k)[None, :, None],
         (offsets[h - 1] + A[:, None] * before + np.arange(before))[:, None, :]] = tw[None, :, :]
    # block h+1, entry (r, j) at offsets[h] + r d + j: -W_(h+1)[r, a] t[j] (one product: correctly rounded)
    rows[:, :, offsets[h]:offsets[h] + after * d] = -np.einsum("ra,kj->akrj", Wn[:, A], T).reshape(len(A), k, after * d)
    return rows.reshape(len(A) * k, n)


def _certified_invertible(square: np.ndarray, bound: np.ndarray, d: int, k: int) -> bool:
    """The exact matrix M, within ``bound`` (entrywise) of the float ``square``, is invertible (a proof, or False).

    The first k rows and columns (k = d rho: the directions of W_1 on their own pivots) form D, block diagonal
    with d blocks (a copy of W_1[I, J], scaled), and they are exact; below D only the combined directions of
    W_1 have entries (Delta, nearly zero). With M = [[D, N], [Delta, E]], M is invertible when D and
    E - Delta D^-1 N are, and by Weyl sigma_min(E - Delta D^-1 N) >= sigma_min(E) - ||Delta|| ||N|| / sigma_min(D).
    So the SVD is of E only (about half the size), plus d small ones. Every sigma is taken with the SVD's
    backward error (10 m eps sigma_max) against it, and the float entries with their rounding bound.
    """
    eps = np.finfo(float).eps

    def singular_values(A: np.ndarray) -> tuple[float, float]:
        sv = np.linalg.svd(A, compute_uv=False)
        return float(sv[-1]) - 10 * A.shape[0] * eps * float(sv[0]), float(sv[0])

    if k:
        rho = k // d
        # the d diagonal blocks in one batched SVD (the same LAPACK call per block)
        blocks = np.stack([square[a * rho:(a + 1) * rho, a * rho:(a + 1) * rho] for a in range(d)])
        sv = np.linalg.svd(blocks, compute_uv=False)
        lows = (sv[:, -1] - 10 * rho * eps * sv[:, 0]).tolist()
        off_diagonal = square[:k, :k].copy()
        for a in range(d):
            off_diagonal[a * rho:(a + 1) * rho, a * rho:(a + 1) * rho] = 0
        if min(lows) <= 0 or np.any(off_diagonal) or np.any(bound[:k]):
            return False
        delta = float(np.linalg.norm(square[k:, :k])) + float(np.linalg.norm(bound[k:, :k]))
        coupling = delta * float(np.linalg.norm(square[:k, k:])) / min(lows)
    else:
        coupling = 0.0
    E, rounding = square[k:, k:], float(np.linalg.norm(bound[k:, k:]))
    if not E.size:
        return True
    low, high = singular_values(E)
    return low > 1e-8 * high and low > 2 * (rounding + coupling)


def layer_orbit_pivots(weights: Sequence[np.ndarray], widths: Sequence[int]) -> tuple[list[int], list[int]] | None:
    """Coordinates P (split off) and F (kept) for the orbit reduction, chosen layer by layer.

    The same directions as :func:`orbit_pivots` (T_h = E W_h, T_{h+1} = -W_{h+1} E on hidden layer h) and the
    same use (K[:, P] of full column rank |P| gives inertia(H) = inertia(H[F, F]) + (0, 0, |P|) at a critical
    point), but P is found from small matrices, layer by layer (docs/maths/hessian_inertia.md §8):

    - on W_h (h < H), a well-conditioned minor W_h[I_h, J_h] (:func:`_well_conditioned_minor`, rank rho_h):
      P gets {(a, c) : c in J_h}, the directions E = e_a e_b^T, b in I_h, pivot there (the diagonal block
      I (x) W_h[I_h, J_h]);
    - when rho_h < d_h, the directions E = e_a t_b^T with t_b = e_b - x_b (b not in I_h, x_b on I_h with
      x_b^T W_h[I_h, J_h] = W_h[b, J_h]) are nearly zero on W_h[:, J_h] and pivot on W_(h+1) instead: on
      {(r, c) : r in I_(h+1), c in C} with a in J_(h+1), C a set of columns off J_(h+1) on which the t_b, reduced
      by the rows of W_(h+1)[I_(h+1), :], are independent (a well-conditioned minor again).

    Without rank-deficient layers the square matrix of the chosen directions on P is block bidiagonal with
    invertible diagonal blocks, exactly. Otherwise it is only nearly block triangular, and it is proven
    invertible by :func:`_certified_invertible` (float SVDs with the rounding of the combined directions, whose
    entries t^T W_h are correctly rounded, and the SVDs' backward errors against them). None when that fails,
    or when some direction would have to be carried past the next layer (the caller then uses
    :func:`orbit_pivots`). The cost is a few QRs and SVDs of d_h x d_(h-1) matrices, and in the rank-deficient
    case one SVD of about half the |P| x |P| matrix, against pivoted QRs of the whole (sum d_h^2) x n
    generator matrix for :func:`orbit_pivots`.
    """
    H = len(weights)
    W = [np.asarray(w, dtype=np.float64) for w in weights]
    sizes = [widths[h + 1] * widths[h] for h in range(H)]
    offsets = [sum(sizes[:h]) for h in range(H + 1)]
    n = offsets[H]
    if H < 2:
        return None
    minors = [_well_conditioned_minor(W[h - 1]) for h in range(1, H + 1)]
    if any(reduced for *_, reduced in minors):
        return None        # a minor smaller than the numerical rank: the global QR may take more directions
    P: list[np.ndarray] = []
    row_sets: list[tuple[int, np.ndarray, np.ndarray, bool]] = []        # (layer, A, T, combined)
    carried: np.ndarray | None = None                                   # rows t (k x d_(g-1)) from layer g - 1
    for g in range(1, H + 1):
        d, e = widths[g], widths[g - 1]
        I, J, _ = minors[g - 1]
        if carried is not None:
            if not I.size:
                return None    # W_g = 0: the carried directions continue on W_(g+1); the caller's global QR takes them
            S = carried
            if g < H:          # reduce by the rows W_g[I, :] so that the columns J are free for the layer's own pivots
                coefficients = np.linalg.solve(W[g - 1][np.ix_(I, J)].T, S[:, J].T).T
                S = S - coefficients @ W[g - 1][I, :]
                candidates = np.setdiff1d(np.arange(e), J)
            else:
                candidates = np.arange(e)
            K_rows, C_local, reduced = _well_conditioned_minor(S[:, candidates]) if candidates.size else ([], [], True)
            if reduced or len(K_rows) < S.shape[0]:
                return None    # some carried directions do not pivot here but continue on W_(g+1): the global QR
            C = candidates[C_local]
            P.append((offsets[g - 1] + I[:, None] * e + C[None, :]).ravel())
            row_sets.append((g - 1, J, carried[K_rows], True))
        carried = None
        if g < H:
            if I.size:
                P.append((offsets[g - 1] + np.arange(d)[:, None] * e + J[None, :]).ravel())
                row_sets.append((g, np.arange(d), np.eye(d)[I], False))
            if I.size < d:             # the directions e_a t_b^T, b not in I, continue on W_(g+1)
                rest = np.setdiff1d(np.arange(d), I)
                T = np.eye(d)[rest]
                if I.size:
                    x = np.linalg.solve(W[g - 1][np.ix_(I, J)].T, W[g - 1][np.ix_(rest, J)].T).T   # len(rest) x rho
                    T[:, I] = -x
                carried = T
    if not P:
        return None
    chosen_index = np.concatenate(P)
    if any(combined for *_, combined in row_sets):
        # the combined directions: t^T W_h correctly rounded (exact integer sums), so every entry of the float
        # matrix is within eps/2 of the exact one (relative; the directions E = e_a e_b^T copy entries exactly)
        pieces, combined_rows = [], []
        for h, A, T, combined in row_sets:
            rows = _direction_rows(W, offsets, n, h, A, T, _exact_products(T, W[h - 1]) if combined else None)
            pieces.append(rows[:, chosen_index])
            combined_rows.append(np.full(rows.shape[0], combined))
        square = np.concatenate(pieces)
        if square.shape[0] != square.shape[1] or not np.all(np.isfinite(square)):
            return None
        # rows, then columns, scaled by powers of two (exact; the layers' scales may differ by 10^80); D1 M D2 is
        # invertible exactly when M is
        still = 0                      # consecutive passes that moved nothing: the scaling has settled
        for axis in (1, 0) * 3:
            top = np.abs(square).max(axis=axis, keepdims=True)
            exponents = np.frexp(np.where(top > 0, top, 1.0))[1]
            if not exponents.any():
                still += 1
                if still == 2:
                    break
                continue
            still = 0
            square = np.ldexp(square, -exponents)
        # the bound eps |entry| on the rows of combined directions (eps a power of two: the same bound scales with
        # its entry), 0 on the copied entries
        bound = np.abs(square) * np.where(np.concatenate(combined_rows), np.finfo(float).eps, 0.0)[:, None]
        if not _certified_invertible(square, bound, widths[1], len(P[0]) if row_sets[0][0] == 1 else 0):
            return None
    chosen = np.zeros(n, dtype=bool)
    chosen[chosen_index] = True
    return np.nonzero(chosen)[0].tolist(), np.nonzero(~chosen)[0].tolist()


def _orbit_generator_matrix(weights: Sequence[np.ndarray], widths: Sequence[int]) -> tuple[np.ndarray, int]:
    """The nonzero orbit directions of :func:`orbit_pivots` as rows, each scaled to max |entry| = 1, and n."""
    H = len(weights)
    sizes = [widths[h + 1] * widths[h] for h in range(H)]
    offsets = [sum(sizes[:h]) for h in range(H)]
    n = sum(sizes)
    blocks = []
    for h in range(1, H):                                   # hidden layer h between W_h and W_{h+1}
        Wh, Wn = np.asarray(weights[h - 1], dtype=np.float64), np.asarray(weights[h], dtype=np.float64)
        d = widths[h]
        rows = np.zeros((d * d, n))
        # direction (a, b): T_h = E_ab W_h puts row b of W_h in row a: kron(I, W_h)[(a, b), (a, c)] = W_h[b, c];
        # T_{h+1} = -W_{h+1} E_ab puts -(column a of W_{h+1}) in column b: -kron(W_{h+1}^T, I)[(a, b), (r, b)]
        rows[:, offsets[h - 1]:offsets[h - 1] + sizes[h - 1]] = np.kron(np.eye(d), Wh)
        rows[:, offsets[h]:offsets[h] + sizes[h]] = -np.kron(Wn.T, np.eye(d))
        blocks.append(rows)
    K = np.concatenate(blocks) if blocks else np.zeros((0, n))
    K = K[np.any(K != 0, axis=1)]
    if K.shape[0]:
        K = K / np.maximum(np.abs(K).max(axis=1, keepdims=True), np.finfo(float).tiny)
    return K, n


def orbit_pivots(weights: Sequence[np.ndarray], widths: Sequence[int]) -> tuple[list[int], list[int]]:
    """Coordinates P (split off) and F (kept) for the orbit reduction of the Hessian.

    The directions T_h = E W_h, T_{h+1} = -W_{h+1} E (E = e_a e_b^T on hidden layer h) are
    tangent to the orbit W_h -> A W_h, W_{h+1} -> W_{h+1} A^-1, along which L (lambda = 0)
    is constant; differentiating twice, H v = 0 at a critical point. If K (rows: some such
    directions) has K[:, P] invertible, the congruence by the rows of K and the unit vectors
    e_f (f in F) gives inertia(H) = inertia(H[F, F]) + (0, 0, |P|) (Sylvester; the same
    argument as exactdln.arith.inertia.kernel_complement_inertia). P is chosen by QR with column
    pivoting in float64, keeping only pivots whose K[:, P] has condition number < 1e8, so the
    exact K[:, P] is invertible as well (its smallest singular value moves by at most
    eps ||K||); choosing too few is safe, H[F, F] then keeps the rest of the kernel. The directions are a
    deliberate float copy of exactdln/landscape/symmetry.py (the numeric paths stay independent of the exact core).
    """
    import scipy.linalg

    K, n = _orbit_generator_matrix(weights, widths)
    if not K.shape[0]:
        return [], list(range(n))
    _, R, piv = scipy.linalg.qr(K, mode="economic", pivoting=True)
    d = np.abs(np.diag(R))
    s = int(np.sum(d > 1e-7 * d[0])) if d.size else 0
    while s > 0:
        P = list(piv[:s])
        _, R2, rpiv = scipy.linalg.qr(K[:, P].T, mode="economic", pivoting=True)
        I = list(rpiv[:s])
        sv = np.linalg.svd(K[np.ix_(I, P)], compute_uv=False)
        if sv[-1] > 1e-8 * sv[0]:
            break
        s -= max(1, s // 10)
    P = sorted(int(x) for x in piv[:s])
    Pset = set(P)
    return P, [f for f in range(n) if f not in Pset]


def _make_point(ar: Any, problem: Problem, ws: Sequence[RationalMatrix], floats: list | None = None) -> _Point:
    W = list(floats) if floats is not None else [ar.matrix(w) for w in ws]
    widths = (ws[0].ncols,) + tuple(w.nrows for w in ws)
    lambdas = [ar.scalar(l) for l in problem.layer_lambdas(len(ws))]
    p = _Point(ar, W, ar.matrix(problem.X), ar.matrix(problem.Y), lambdas, widths)
    p.norms = [ar.fro(w) for w in W]
    return p


def _residual(p: _Point) -> Any:
    Sxx = p.X @ p.X.T
    Syx = p.Y @ p.X.T
    return Syx - p.product(p.depth, 1) @ Sxx


def _assemble_hessian(p: _Point, G: Any, A: list, C: list) -> tuple[Any, Any]:
    """Hessian matrix blocks (derivatives.py docstring formula, derived independently).

    A deliberate copy of exactdln/landscape/derivatives.py in float arithmetic: the numeric paths share no
    code with the exact core, so that they can contradict it.

    Gauss-Newton block (k,h): kron(A_k^T A_h, C_k X X^T C_h^T) in row-major order;
    curvature block k > h at ((a,b),(c,d)): -[A_k^T G C_h^T]_{ad} [W_{k-1:h+1}]_{bc}.
    Returns the matrix and the list of K_{hk} = A_k^T G C_h^T (the pivot matrices).
    """
    H = p.depth
    CX = [C[h] @ p.X for h in range(H)]
    sizes = [p.widths[h + 1] * p.widths[h] for h in range(H)]
    offsets = [sum(sizes[:h]) for h in range(H)]
    n = sum(sizes)
    Hm = np.zeros((n, n), dtype=_dtype(p.ar))
    if _dtype(p.ar) is object:
        Hm[:, :] = p.ar.zero()
    K = {}
    for k in range(H):
        for h in range(k + 1):
            block = np.kron(A[k].T @ A[h], CX[k] @ CX[h].T)
            if h < k:
                Khk = A[k].T @ G @ C[h].T                  # d_k x d_{h-1}  (layers are 0-based here)
                K[(h + 1, k + 1)] = Khk
                B = p.product(k, h + 2)                    # W_{k-1:h+1} in 1-based, d_{k-1} x d_h
                dk, dk1, dh, dh1 = p.widths[k + 1], p.widths[k], p.widths[h + 1], p.widths[h]
                curv = Khk[:, None, None, :] * B[None, :, :, None]   # [a, b, c, d]
                block = block - curv.reshape(dk * dk1, dh * dh1)
            else:
                if p.lambdas[k] != 0:
                    block = block + p.lambdas[k] * np.eye(sizes[k], dtype=_dtype(p.ar))
            r0, c0 = offsets[k], offsets[h]
            Hm[r0:r0 + sizes[k], c0:c0 + sizes[h]] = block
            if h < k:
                Hm[c0:c0 + sizes[h], r0:r0 + sizes[k]] = block.T
    return Hm, K


def _dtype(ar: Any) -> Any:
    return np.float64 if isinstance(ar, FloatArithmetic) else object


def analyse(problem: Problem, weights: Any, ar: Any, *, gradient: GradientCheck | None = None) -> NumericClassification:
    """Classify a point in the arithmetic ``ar`` with margins (the shared algorithm).

    Steps: gradient blocks dL/dW_h = -W_{H:h+1}^T G W_{h-1:1}^T + lambda_h W_h with
    G = Sigma_YX - W_{H:1} Sigma_XX -> criticality ``no`` / ``within_tolerance`` / ``undecided``
    (:func:`_gradient_check`, or the caller's ``gradient`` decision, e.g. the mpmath path's
    exact-height escalation); SVD ranks of every W_{j:i}; at a point within tolerance, if
    unregularized and assumption (H) separates numerically: S from
    c_i = u_i^T W_{H:1} Sigma_XY u_i / lambda_i (1 on S, 0 off S; Achour, Malgouyres,
    Gerchinovitz (2024), first-order characterization, docs/maths/classification.md §2.1), then global iff S = [r_max] (classification theorem (a)),
    strict if S != [r] (b), else the pivot rule (c); the Hessian inertia (eigenvalues with
    bands) cross-checks the theorem and decides alone when the theorem route cannot (a clearly
    negative eigenvalue means strict saddle). The kind found there is conditional on
    criticality (``conditional_kind``); the definite ``kind`` is ``not_critical`` or
    ``inconclusive``.
    """
    ws = normalize_point(problem, weights)
    reasons: list[str] = []
    inputs_exact = getattr(ar, "inputs_exact", None)      # float64: from the images it converts once
    rounded = not (inputs_exact(problem, ws) if inputs_exact is not None
                   else all(ar.represents(x) for x in _input_numbers(problem, ws)))
    if rounded:
        reasons.append(f"input rounded: some input numbers are not exactly representable in {ar.name} "
                       f"({ar.digits} digits); the analysis is of the rounded point, its error bands include the rounding")
    floats = None
    if not problem.regularized and len(ws) >= 2:
        balanced = _balanced_floats(ws, ar) if isinstance(ar, FloatArithmetic) else None
        if balanced is not None:
            floats, exps = balanced
        else:
            ws, exps = balance_hidden(ws)
        spread = max((max(e) - min(e) for e in exps if e), default=0)
        if any(any(e) for e in exps):
            reasons.append(f"analysed after an exact power-of-two hidden rescaling (exponents spread {spread}; "
                           f"same kind, ranks, S and Hessian inertia: a hidden change of basis, {_AMG}); "
                           "eigenvalues are those of the rescaled point")
    p = _make_point(ar, problem, ws, floats)
    H = p.depth
    widths = p.widths
    r_max = min(widths)
    eps = ar.eps
    undecided: list[str] = []     # quantities inside their undecided band: more digits may help
    dmax = max(widths + (problem.m,))
    c_round = ar.scalar(Fraction(4 * (H + dmax + problem.m)))     # rounding-error growth factor

    Sxx = p.X @ p.X.T
    Syx = p.Y @ p.X.T
    A = [p.product(H, h + 1) for h in range(1, H + 1)]           # A_h = W_{H:h+1}
    C = [p.product(h - 1, 1) for h in range(1, H + 1)]           # C_h = W_{h-1:1}
    P = p.product(H, 1)
    G = Syx - P @ Sxx
    nP_bound = p.product_norm_bound(H, 1)
    # bounds ||G|| and, times c eps, the rounding error of the computed G
    G_bound = ar.fro(G) + ar.fro(Syx) + nP_bound * ar.fro(Sxx)

    # loss
    R = P @ p.X - p.Y
    loss = ar.fro(R) ** 2 / 2
    for lam, nw in zip(p.lambdas, p.norms):
        loss = loss + lam * nw * nw / 2

    if gradient is None:
        gradient = _gradient_check(ar, p, A, C, G, G_bound, c_round)
    critical = gradient.critical
    reasons.extend(gradient.reasons)
    undecided.extend(gradient.undecided)

    # ranks of the partial products: all of them up to RANK_TABLE_LIMIT layers, else those the decisions use
    ranks: dict[tuple[int, int], int | None] = {}

    def rank_of(i: int, j: int) -> int | None:
        if (i, j) not in ranks:
            ranks[(i, j)] = _rank(ar, p.product(j, i), p.product_norm_bound(j, i), c_round, undecided,
                                  f"W_{{{j}:{i}}}")
        return ranks[(i, j)]

    if H <= RANK_TABLE_LIMIT:
        for i in range(1, H + 1):
            for j in range(i, H + 1):
                rank_of(i, j)
    else:
        reasons.append(f"depth {H} > {RANK_TABLE_LIMIT}: ranks of W_{{j:i}} computed only where a decision uses them "
                       "(the rest of the table is not computed)")
    rank = rank_of(1, H)

    def rk(j: int, i: int) -> int | None:
        return widths[i - 1] if j == i - 1 else rank_of(i, j)

    base = dict(method=ar.name, r_max=r_max, partial_ranks=ranks, rank=rank, loss=ar.to_float(loss),
                gradient_norm=gradient.norm, gradient_bound=gradient.bound, rounded_input=rounded,
                critical=critical, digits=ar.digits, n_parameters=sum(widths[h] * widths[h + 1] for h in range(H)))

    if critical == "no":
        return NumericClassification(kind=NOT_CRITICAL, inertia=None, fitted=None,
                                     min_eigenvalue=None, reasons=tuple(reasons), undecided=tuple(undecided), **base)

    n = base["n_parameters"]
    limit = getattr(ar, "hessian_limit", FLOAT_HESSIAN_LIMIT)
    if n > limit:
        return _without_hessian(ar, p, problem, Syx, Sxx, P, G, A, C, rk, rank, r_max, c_round, G_bound,
                                critical, reasons, undecided, base, n, limit)

    # Hessian and its inertia
    if H > RANK_TABLE_LIMIT:
        p.precompute_bounds()
    Hm, K = _assemble_hessian(p, G, A, C)
    # Frobenius bound of ||fl(H) - H|| (so, by Weyl, of every eigenvalue's shift), block by
    # block from the factors' norm-and-error bounds; plus the eigensolver's backward error.
    nXb = ar.fro(p.X)
    h_scale = ar.zero()
    for k in range(1, H + 1):
        for h in range(1, k + 1):
            gn = p.product_norm_bound(H, k + 1) * p.product_norm_bound(H, h + 1) * p.product_norm_bound(k - 1, 1) \
                * p.product_norm_bound(h - 1, 1) * nXb * nXb
            if h < k:
                gn = gn + G_bound * p.product_norm_bound(H, k + 1) * p.product_norm_bound(k - 1, h + 1) * p.product_norm_bound(h - 1, 1)
                gn = 2 * gn
            else:
                gn = gn + abs(p.lambdas[k - 1])
            h_scale = h_scale + gn
    h_noise = c_round * eps * (h_scale + ar.fro(Hm))
    split = 0
    Hr = Hm
    # mpmath only: its LDL^T costs O(n^3) pure-Python operations, so removing the orbit part of
    # the kernel first pays; float64 keeps the full spectrum (min_eigenvalue is an eigenvalue of H).
    # Both orbit reductions assume the point is critical (the orbit directions lie in ker H only
    # there); at a point within tolerance the inertia is therefore conditional, like the kind.
    if getattr(ar, "orbit_reduction", False) and critical == "within_tolerance" and not problem.regularized and H >= 2:
        # the orbit directions lie in ker H at a critical point: split them off exactly
        P_off, F_keep = orbit_pivots([np.array([[float(x) for x in row] for row in w.rows], dtype=np.float64).reshape(w.shape)
                                      for w in ws], widths)
        if P_off:
            split = len(P_off)
            Hr = Hm[np.ix_(F_keep, F_keep)]
    inertia, n_minus, min_eig, h_reasons = ar.hessian_inertia(Hr, h_noise, h_scale)
    if split and inertia is not None:
        inertia = Inertia(inertia.n_plus, inertia.n_minus, inertia.n_zero + split)
    if split:
        reasons.append(f"{split} orbit directions split off the Hessian by an exact congruence (Sylvester); "
                       f"inertia from the {n - split} x {n - split} complement")
    h_reasons = [s.replace(f"of {n - split} is", f"of {n - split} (orbit-reduced) is") for s in h_reasons] if split else h_reasons
    if (inertia is None and not split and critical == "within_tolerance" and not problem.regularized and H >= 2
            and n <= FLOAT_ORBIT_LIMIT):
        # float64: the full spectrum gave the signs; the zero count is certified only if, after
        # splitting off the orbit directions exactly, no eigenvalue of H[F, F] is in the zero band.
        # First the pivots layer by layer (small QRs and SVDs); the pivoted QRs of all orbit generators only when
        # the layered choice returns nothing. The layered choice takes as many directions as the generators' rank,
        # and every valid P of one size leaves a complement with the same inertia, so the global QR would not
        # empty the zero band either (docs/maths/hessian_inertia.md §8).
        for choose in (layer_orbit_pivots, orbit_pivots):
            chosen = choose(p.W, widths)
            if chosen is None or not chosen[0]:
                continue
            P_off, F_keep = chosen
            red, _, _, red_reasons = ar.hessian_inertia(Hm[np.ix_(F_keep, F_keep)], h_noise, h_scale)
            if red is not None:
                split = len(P_off)
                inertia = Inertia(red.n_plus, red.n_minus, red.n_zero + split)
                h_reasons = []
                reasons.append(f"inertia certified after splitting {split} orbit directions off the Hessian by an exact "
                               f"congruence (Sylvester): the {n - split} x {n - split} complement has no eigenvalue in the zero band")
            break
    min_eig = None if min_eig is None else ar.to_float(min_eig)
    hess_strict = n_minus > 0
    hess_psd = inertia is not None and inertia.n_minus == 0

    if critical != "within_tolerance":
        reasons.append("criticality undecided: no kind, not even a conditional one")
        return NumericClassification(kind=INCONCLUSIVE, inertia=inertia, fitted=None,
                                     min_eigenvalue=min_eig, reasons=tuple(reasons), undecided=tuple(undecided + h_reasons), **base)

    theorem_kind, fitted = None, None
    if problem.regularized:
        reasons.append("regularized loss: the numeric paths have no theorem route; Hessian only")
    else:
        theorem_kind, fitted = _theorem_route(ar, p, Syx, Sxx, P, K, rk, rank, r_max, c_round, G_bound, reasons, undecided)

    conditional = None
    if theorem_kind is not None:
        if theorem_kind != STRICT_SADDLE and hess_strict:
            reasons.append(f"theorem route says {theorem_kind} but the Hessian has {n_minus} eigenvalue(s) below "
                           f"minus the nonzero threshold {ar.to_float(nonzero_threshold(h_noise, h_scale)):.2g}: no conditional kind")
        elif theorem_kind == STRICT_SADDLE and hess_psd:
            reasons.append(f"theorem route says strict_saddle but no Hessian eigenvalue is below minus the zero band "
                           f"{ar.to_float(h_noise):.2g}: no conditional kind")
        else:
            conditional = theorem_kind
    elif hess_strict:
        conditional = STRICT_SADDLE
        reasons.append(f"the Hessian has {n_minus} eigenvalue(s) below minus the nonzero threshold "
                       f"{ar.to_float(nonzero_threshold(h_noise, h_scale)):.2g} (min {min_eig:.3g}): strict saddle if critical")
    else:
        reasons.append("no Hessian eigenvalue is below minus the nonzero threshold "
                       f"{ar.to_float(nonzero_threshold(h_noise, h_scale)):.2g} and no theorem route decides: no conditional kind")
    if conditional is not None:
        reasons.append(f"conditional verdict: {conditional} if the point is critical; definite verdict inconclusive "
                       "(a numeric path does not claim a gradient is exactly zero)")
    return NumericClassification(kind=INCONCLUSIVE, conditional_kind=conditional, inertia=inertia, fitted=fitted,
                                 min_eigenvalue=min_eig, reasons=tuple(reasons),
                                 undecided=tuple(undecided + h_reasons), structural_zeros=split, **base)


class _LazyPivots:
    """K_(h,k) = A_k^T G C_h^T for 1 <= h < k <= H, each formed when the pivot rule reaches it."""

    def __init__(self, A: list, G: Any, C: list, H: int):
        self.A, self.G, self.C, self.H = A, G, C, H

    def items(self):
        for h in range(1, self.H + 1):
            for k in range(h + 1, self.H + 1):
                yield (h, k), self.A[k - 1].T @ self.G @ self.C[h - 1].T


def _without_hessian(ar: Any, p: _Point, problem: Problem, Syx: Any, Sxx: Any, P: Any, G: Any, A: list, C: list,
                     rk: Any, rank: int | None, r_max: int, c_round: Any, G_bound: Any, critical: str,
                     reasons: list[str], undecided: list[str], base: dict, n: int, limit: int) -> NumericClassification:
    """The verdict at a point within tolerance when the Hessian is too large to form: the theorem route only.

    Without the inertia a conditional kind comes from the theorem route alone (Achour, Malgouyres,
    Gerchinovitz (2024), classification theorem); the pivots K_(h,k) = A_k^T G C_h^T it needs are
    computed directly (without the Hessian around them).
    """
    reasons.append(f"Hessian not formed: n = {n} parameters > {limit} ({ar.name} limit); inertia not computed")
    if critical != "within_tolerance":
        reasons.append("criticality undecided: no kind, not even a conditional one")
        return NumericClassification(kind=INCONCLUSIVE, inertia=None, fitted=None, min_eigenvalue=None,
                                     reasons=tuple(reasons), undecided=tuple(undecided), **base)
    theorem_kind, fitted = None, None
    if problem.regularized:
        reasons.append("regularized loss: the numeric paths have no theorem route; no conditional kind without the Hessian")
    else:
        H = p.depth
        K = _LazyPivots(A, G, C, H) if rank is not None and rank < r_max else {}
        theorem_kind, fitted = _theorem_route(ar, p, Syx, Sxx, P, K, rk, rank, r_max, c_round, G_bound, reasons, undecided)
    if theorem_kind is not None:
        reasons.append(f"conditional verdict: {theorem_kind} if the point is critical (theorem route); definite verdict "
                       "inconclusive (a numeric path does not claim a gradient is exactly zero)")
    return NumericClassification(kind=INCONCLUSIVE, conditional_kind=theorem_kind, inertia=None, fitted=fitted,
                                 min_eigenvalue=None, reasons=tuple(reasons), undecided=tuple(undecided), **base)


def _input_numbers(problem: Problem, ws: Sequence[RationalMatrix]) -> Any:
    """Every number of the input: X, Y, the lambdas and the weights."""
    for m in (problem.X, problem.Y, *ws):
        for row in m.rows:
            yield from row
    yield from problem.layer_lambdas(len(ws))


def _gradient_check(ar: Any, p: _Point, A: list, C: list, G: Any, G_bound: Any, c_round: Any) -> GradientCheck:
    """Criticality from the gradient blocks dL/dW_h = -A_h^T G C_h^T + lambda_h W_h, each against its band.

    First-order rounding-error bound of block h: noise_h = c eps scale_h with
    scale_h = B_{H:h+1} ||G||~ B_{h-1:1} + lambda_h ||W_h|| (B the product bounds of
    :meth:`_Point.product_norm_bound`, ||G||~ the bound of the computed G) and
    c = 4 (H + d_max + m); the rounding of the input (relative eps per entry) propagates
    through the same products and is covered by the same bound. ``no`` when some block has
    ||g_h|| >= nonzero_threshold(noise_h, scale_h); ``within_tolerance`` when every
    ||g_h|| <= noise_h; ``undecided`` otherwise.
    """
    eps = ar.eps
    H = p.depth
    gnorm2 = ar.zero()
    noise2 = ar.zero()
    proven: tuple[int, Any, Any, Any] | None = None
    inside: list[str] = []
    between: list[str] = []
    for h in range(1, H + 1):
        g = -(A[h - 1].T @ G @ C[h - 1].T) + p.lambdas[h - 1] * p.W[h - 1]
        gn = ar.fro(g)
        gnorm2 = gnorm2 + gn * gn
        scale = p.product_norm_bound(H, h + 1) * G_bound * p.product_norm_bound(h - 1, 1) + p.lambdas[h - 1] * p.norms[h - 1]
        noise = c_round * eps * scale
        noise2 = noise2 + noise * noise
        hi = nonzero_threshold(noise, scale)
        s = separate(gn, noise, scale)
        v, n_, t = ar.to_float(gn), ar.to_float(noise), ar.to_float(hi)
        if s is None:
            between.append(f"gradient block W_{h}: rounding-error bound {n_:.2g} < ||dL/dW_{h}||_F = {v:.3g} < "
                           f"nonzero threshold {t:.2g}: undecided")
        elif s:
            if proven is None:
                proven = (h, v, n_, t)
        else:
            inside.append(f"W_{h}: {v:.3g} <= {n_:.2g}")
    norm = ar.to_float(_sqrt(gnorm2))
    band = ar.to_float(_sqrt(noise2))
    if proven is not None:
        h, v, n_, t = proven
        return GradientCheck("no", norm, t, (
            f"gradient block W_{h}: ||dL/dW_{h}||_F = {v:.3g} >= nonzero threshold {t:.2g} "
            f"(rounding-error bound {n_:.2g}): not critical",), tuple(between))
    if between:
        return GradientCheck("undecided", norm, band, (), tuple(between))
    return GradientCheck("within_tolerance", norm, band, (
        f"gradient within tolerance: every block norm <= its rounding-error bound ({'; '.join(inside)}); "
        f"||grad||_F = {norm:.3g} <= {band:.3g}; {ar.name} cannot prove it is exactly zero",))


def _rank(ar: Any, M: Any, bound: Any, c_round: Any, reasons: list[str], label: str) -> int | None:
    """Numerical rank with the band rule: singular values <= noise are zero."""
    sv = ar.singular_values(M)
    noise = c_round * ar.eps * bound
    # The margin scale is the computed sigma_max (the product-of-norms bound, which sets
    # the noise, can exceed it by many decades after changes of basis).
    top = max(sv[0], noise) if sv else noise
    r = 0
    for idx, s in enumerate(sv):
        d = separate(s, noise, top)
        if d is None:
            reasons.append(f"singular value {idx + 1} of {label}: zero band {ar.to_float(noise):.2g} < {ar.to_float(s):.3g} < "
                           f"nonzero threshold {ar.to_float(nonzero_threshold(noise, top)):.2g}: undecided")
            return None
        r += int(d)
    return r


def _theorem_route(ar: Any, p: _Point, Syx: Any, Sxx: Any, P: Any, K: dict, rk: Any, rank: int | None,
                   r_max: int, c_round: Any, G_bound: Any, reasons: list[str],
                   undecided: list[str]) -> tuple[str | None, tuple[int, ...] | None]:
    """Assumption (H), S and the pivot rule (Achour, Malgouyres, Gerchinovitz (2024), first-order characterization (docs/maths/classification.md §2.1) and the
    classification theorem); the kind returned holds *if the point is critical*. A deliberate float copy of
    exactdln/theory/achour.py theorem_verdict: the numeric paths stay independent of the exact core."""
    eps = ar.eps
    d_y = p.widths[-1]
    nxx = ar.fro(Sxx)
    sv_xx = ar.singular_values(Sxx)
    xx_noise = c_round * eps * nxx
    inv = separate(sv_xx[-1], xx_noise, nxx)
    if not inv:
        v, b, t = ar.to_float(sv_xx[-1]), ar.to_float(xx_noise), ar.to_float(nonzero_threshold(xx_noise, nxx))
        if inv is False:
            reasons.append(f"Sigma_XX is singular: smallest singular value {v:.3g} <= zero band {b:.2g}; "
                           "assumption (H) not established")
        else:
            undecided.append(f"Sigma_XX: zero band {b:.2g} < smallest singular value {v:.3g} < nonzero threshold {t:.2g}; "
                             "assumption (H) not established")
        return None, None
    nyx = ar.fro(Syx)
    # The band of Sigma_YX = Y X^T is set by ||Y|| ||X||, not by ||Sigma_YX||: rounding Y and X (or their product)
    # moves Y X^T by about eps ||Y|| ||X||, so a Sigma_YX of that size may be an exact zero (data with Y X^T = 0).
    r_yx = _rank(ar, Syx, ar.fro(p.Y) * ar.fro(p.X), c_round, undecided, "Sigma_YX")
    if r_yx != d_y:
        if r_yx is not None:
            reasons.append(f"rank Sigma_YX = {r_yx} < d_y = {d_y} (singular values {r_yx + 1}.. <= their zero band); "
                           "assumption (H) fails")
        return None, None
    M = ar.solve(Sxx, Syx.T).T                                       # Sigma_YX Sigma_XX^-1
    Sigma = M @ Syx.T
    lam, U = ar.eigh_descending(Sigma)
    kappa = nxx / sv_xx[-1]
    s_noise = c_round * eps * kappa * ar.fro(Sigma)
    s_scale = ar.fro(Sigma)
    for i in range(d_y - 1):
        d = separate(lam[i] - lam[i + 1], s_noise, s_scale)
        if d is not True:
            gap, b = ar.to_float(lam[i] - lam[i + 1]), ar.to_float(s_noise)
            head = f"eigenvalues {i + 1}, {i + 2} of Sigma are {ar.to_float(lam[i]):.6g}, {ar.to_float(lam[i + 1]):.6g}: "
            if d is False:
                reasons.append(head + f"gap {gap:.3g} <= zero band {b:.2g} (equal); assumption (H) not established")
            else:
                undecided.append(head + f"zero band {b:.2g} < gap {gap:.3g} < nonzero threshold "
                                 f"{ar.to_float(nonzero_threshold(s_noise, s_scale)):.2g}; assumption (H) not established")
            return None, None
    # c_i = u_i^T P Sigma_XY u_i / lambda_i is 1 for i in S and 0 otherwise (docs/maths/classification.md §2.1).
    D = U.T @ P @ Syx.T @ U
    gaps = [lam[i] - lam[i + 1] for i in range(d_y - 1)]
    fitted = []
    nPc = ar.fro(P)
    for i in range(d_y):
        ci = D[i, i] / lam[i]
        # error of c_i: from the computed P (its bound B_{H:1}), from u_i (Sigma's error
        # c eps kappa ||Sigma|| over the gap next to lambda_i, Davis-Kahan), from lambda_i
        gap_i = min([g for g in (gaps[i - 1] if i > 0 else None, gaps[i] if i < d_y - 1 else None, lam[-1])
                     if g is not None])
        noise_i = (c_round * eps * (p.product_norm_bound(p.depth, 1) * nyx
                                    + 2 * nPc * nyx * kappa * s_scale / gap_i) + s_noise * abs(ci)) / lam[i]
        if noise_i >= ar.scalar(Fraction(1, 4)):
            undecided.append(f"fitted-eigenvalue test for u_{i + 1} has error bound {ar.to_float(noise_i):.2g} >= 1/4")
            return None, None
        t = min(_sqrt(noise_i), ar.scalar(Fraction(1, 4)))
        if abs(ci - 1) <= t:
            fitted.append(i + 1)
        elif abs(ci) > t:
            undecided.append(f"c_{i + 1} = u^T W Sigma_XY u / lambda = {ar.to_float(ci):.3g}: |c - 1| = {ar.to_float(abs(ci - 1)):.3g} "
                             f"> {ar.to_float(t):.2g} and |c| = {ar.to_float(abs(ci)):.3g} > {ar.to_float(t):.2g} (neither 1 nor 0)")
            return None, None
    S = tuple(fitted)
    within = f"c_i within {ar.to_float(t):.2g} of 1 on S and of 0 off S"
    if rank is None or len(S) != rank:
        undecided.append(f"|S| = {len(S)} does not match the numerical rank {rank} of W_H...W_1")
        return None, S
    r = rank
    if S == tuple(range(1, r_max + 1)):
        reasons.append(f"S = [r_max] = [{r_max}] ({within}): global minimizer if critical ({_AMG}, classification theorem (a))")
        return GLOBAL_MINIMIZER, S
    if S != tuple(range(1, r + 1)):
        reasons.append(f"S = {set(S)} != [{r}] ({within}): strict saddle if critical ({_AMG}, classification theorem (b))")
        return STRICT_SADDLE, S
    # S = [r], r < r_max: pivot rule (c)
    H = p.depth
    pairs = H * (H - 1) // 2
    limit = getattr(ar, "pivot_limit", None)
    if limit is not None and pairs > limit:
        reasons.append(f"S = [{r}], r < r_max: the pivot rule needs {pairs} pivots K_(h,k), more than the "
                       f"{ar.name} limit {limit}: no conditional kind from the theorem route")
        return None, S
    pending = []
    for (h, k), Khk in (K.items() if isinstance(K, _LazyPivots) else sorted(K.items())):   # (h, k) order
        scale = p.product_norm_bound(H, k + 1) * G_bound * p.product_norm_bound(h - 1, 1)
        k_noise = c_round * eps * scale
        piv = separate(ar.fro(Khk), k_noise, scale)
        if piv is False:          # a zero pivot needs no ranks (they cost an SVD each at depth > RANK_TABLE_LIMIT)
            continue
        tight_ranks = (rk(k - 1, 1), rk(k - 1, h + 1), rk(H, h + 1))
        if any(x is None for x in tight_ranks):
            pending.append(f"ranks for pivot ({h},{k}) undecided")
            continue
        tightened = tight_ranks[0] == tight_ranks[1] == tight_ranks[2]
        if piv is None:
            if not tightened:
                pending.append(f"pivot K_({h},{k}): zero band {ar.to_float(k_noise):.2g} < ||K|| = {ar.to_float(ar.fro(Khk)):.3g} "
                               f"< nonzero threshold {ar.to_float(nonzero_threshold(k_noise, scale)):.2g}: undecided")
            continue
        if not tightened:
            reasons.append(f"S = [{r}], r < r_max, pivot K_({h},{k}) nonzero (||K|| = {ar.to_float(ar.fro(Khk)):.3g} >= "
                           f"{ar.to_float(nonzero_threshold(k_noise, scale)):.2g}) and not tightened (ranks {tight_ranks}): "
                           f"strict saddle if critical ({_AMG}, classification theorem (c))")
            return STRICT_SADDLE, S
    if pending:
        undecided.extend(pending)
        return None, S
    reasons.append(f"S = [{r}], r < r_max = {r_max}, every pivot zero or tightened: non-strict saddle if critical "
                   f"({_AMG}, classification theorem (c))")
    return NON_STRICT_SADDLE, S


def classify_float(problem: Problem, weights: Any) -> NumericClassification:
    """Classify a point in float64 with stated margins: ``not_critical`` (proven) or ``inconclusive``.

    Same decisions as the theory (Achour, Malgouyres, Gerchinovitz (2024), first-order characterization (docs/maths/classification.md §2.1) and the
    classification theorem), made with bands derived from the unit roundoff, the sizes and the
    factor norms; never a fixed tolerance. float64 cannot prove a gradient is zero: at a point
    within tolerance the kind found is returned as ``conditional_kind`` ("strict_saddle if
    critical") and ``kind`` is ``inconclusive``. When some input number is not a float64
    (``float(x) != x``), ``rounded_input`` is True and a reason says the rounded point is analysed.
    An input number beyond the float64 range, or an overflow anywhere in the analysis, makes the
    verdict ``inconclusive`` with that reason (never an exception, never a verdict computed from inf).
    Contract: a definite kind (only ``not_critical``) is never contradicted by the exact path,
    and a conditional kind never differs from the exact kind of a critical point.
    """
    ws = normalize_point(problem, weights)
    ar = FloatArithmetic()
    beyond = _beyond_float_range(problem, ws, ar)
    if beyond:
        return out_of_range(problem, ws, f"input number {beyond} is beyond the float64 range (about 1.8e308): "
                                         "float64 cannot analyse this point")
    try:
        # one BLAS thread: the matrices are small, and spinning threads on busy cores cost 10-100x
        # (exactdln/model/blas_threads.py)
        with np.errstate(over="raise", invalid="raise", divide="raise"), single_blas_thread():
            result = analyse(problem, ws, ar)
    except (OverflowError, FloatingPointError, ZeroDivisionError, np.linalg.LinAlgError) as err:
        return out_of_range(problem, ws, f"float64 arithmetic failed ({type(err).__name__}: {err}): "
                                         "the point's numbers are out of float64's reach")
    numbers = (result.loss, result.gradient_norm, result.gradient_bound, result.min_eigenvalue)
    if not all(x is None or np.isfinite(x) for x in numbers):
        return out_of_range(problem, ws, "float64 arithmetic overflowed (a computed quantity is inf or nan)")
    return result


_FLOAT_LIMIT = Fraction(2) ** 1000          # leaves headroom: products of a few such numbers still overflow-check
_FLOAT_SAFE = 2.0 ** 999                    # a correctly rounded float at most this is an exact value below 2^1000


def _beyond_float_range(problem: Problem, ws: Sequence[RationalMatrix], ar: "FloatArithmetic | None" = None
                        ) -> str | None:
    """The first input number whose magnitude exceeds 2^1000 (or whose float() would overflow), as text.

    With ``ar``, the matrices within 2^1000 are converted to floats on the way (:meth:`FloatArithmetic.image`)."""
    names = [("X", problem.X), ("Y", problem.Y)] + [(f"W_{h + 1}", w) for h, w in enumerate(ws)]
    for name, m in names:
        if ar is not None:
            try:
                if np.all(np.abs(ar.image(m).array) <= _FLOAT_SAFE):
                    continue
            except OverflowError:
                pass
        for i, row in enumerate(m.rows):
            for j, x in enumerate(row):
                if abs(x.numerator) > x.denominator << 1000:     # |x| > 2^1000 in integers (no Fraction arithmetic)
                    return f"{name}[{i}][{j}] (about 2^{x.numerator.bit_length() - x.denominator.bit_length()})"
    for h, lam in enumerate(problem.layer_lambdas(len(ws))):
        if lam > _FLOAT_LIMIT:
            return f"lambda_{h + 1} (about 2^{lam.numerator.bit_length() - lam.denominator.bit_length()})"
    return None


def out_of_range(problem: Problem, ws: Sequence[RationalMatrix], reason: str, *, method: str = "float64",
                 digits: int = 16) -> NumericClassification:
    """The verdict of a numeric path that could not compute: ``inconclusive``, criticality undecided."""
    widths = (ws[0].ncols,) + tuple(w.nrows for w in ws)
    return NumericClassification(
        method=method, kind=INCONCLUSIVE, critical="undecided", inertia=None, rank=None, r_max=min(widths),
        fitted=None, partial_ranks={}, loss=float("nan"), gradient_norm=float("nan"), min_eigenvalue=None,
        digits=digits, n_parameters=sum(widths[h] * widths[h + 1] for h in range(len(ws))),
        reasons=(reason,), undecided=(reason,))
