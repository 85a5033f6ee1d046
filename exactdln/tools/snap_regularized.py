"""Snap a float point of the regularized loss (every lambda_h > 0) to the closed-form critical set, exactly.

For whitened data X X^T = c I the critical points are known in closed form (Theorem R1 of
docs/maths/regularized.md §3; the construction over a number field is §9): on the i-th singular pair (u_i, v_i,
y_i) of M/c, M = Y X^T, the layers carry singular values sigma_(h,i) = r_h sigma_i (r_h = sqrt(lambda_1 /
lambda_h)), sigma_i a positive root of the layer-value polynomial of :mod:`exactdln.theory.regularized_field`,
and

    W_1 = Q_1 Sigma_1 V^T,   W_h = Q_h Sigma_h Q_(h-1)^T,   W_H = U Sigma_H Q_(H-1)^T,

with Q_h orthogonal and free (the O(d_h) symmetry of the regularized loss). Floats only guide:

1. Which pairs are active, and on which root: the float product's s_i^f = u_i^T W_{H:1} v_i against the admissible
   values {0} u {s(sigma) : sigma a root} of each pair (the nearest one); at most r = min(widths) active.
2. The field: K = Q(r_h, sigma_i : i active), built as one field by a verified primitive element
   (:mod:`exactdln.arith.field_compositum`), capped by ``degree_cap``. The singular vectors need no square roots:
   each layer is written in a frame (the right singular vectors when d_h >= d_0, the left ones when d_h >= d_y),
   and the outer products v_i v_i^T = w_i w_i^T / (w_i^T w_i), u_i v_i^T = M v_i v_i^T / y_i, u_i u_i^T lie in K
   (w_i an exact eigenvector of (M/c)^T (M/c) over Q(mu_i), a column of q_i((M/c)^T (M/c)), q_i = chi / (x - mu_i)).
   Only a bottleneck narrower than d_0 and d_y uses coordinates, and then the norms n_i = ||w_i|| join K.
3. The free rotations: W_h = O_h J_h (sum_i sigma_(h,i) a_i b_i^T) J_(h-1)^T O_(h-1)^T (J_h = [I; 0], a_i, b_i the
   frame vectors); each O_h is aligned to the float layers, one after the other, by orthogonal Procrustes, then
   replaced by a *rational* orthogonal matrix near it: the Cayley transform (I - A)(I + A)^-1 of a rational
   skew-symmetric A (times a diagonal of signs), with A rounded to as few digits as keep the distance to the
   float point within 1% of what the float O_h give.
4. Verified exactly over K: the gradient is zero and the loss equals c0 + c sum_i phi(y_i, s_i) (Theorem R1).
   The point is exactly critical whatever the rounding of step 3; only its distance to the float point depends
   on it.

A repeated positive singular value of M enters through the projector onto its singular subspace, so it is built
when its whole block is on one root; a block split between roots (or partly inactive) and data that are not
whitened are refused with the reason (:func:`exactdln.tools.snap_algebraic.regularized_reason`).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import numpy as np
from flint import fmpq, fmpq_mat

from exactdln.arith.algebraic import AlgebraicReal
from exactdln.arith.exact import to_fmpq as _q, to_fmpq_mat, to_fraction
from exactdln.arith.field_compositum import Compositum, CompositumDegreeError, compositum, square_root_in
from exactdln.arith.number_field import FieldElement, FieldMatrix, NumberField, polynomial_text
from exactdln.instances.algebraic_critical import element_float
from exactdln.landscape.number_field_point import FieldPoint, field_gradient, field_loss, is_field_critical
from exactdln.model.field_format import AlgebraicProblem, FieldMatrixData, FieldSpec
from exactdln.model.problem import Problem, RationalMatrix
from exactdln.model.results import fraction_text
from exactdln.theory.regularized_field import RegularizedSpectrum, regularized_spectrum

__all__ = ["RegularizedCriticalPoint", "RegularizedNearest", "nearest_regularized_point", "rational_orthogonal"]


# --- the exact point ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegularizedCriticalPoint:
    """An exact critical point of the regularized loss over K (``field`` None: over Q), with the data of its
    construction: ``active`` singular pairs (1-based, decreasing y), ``product_values`` s_i (decimal text) and the
    layer values. Same interface as :class:`exactdln.instances.algebraic_critical.AlgebraicCriticalPoint`."""

    field: FieldSpec | None
    problem: AlgebraicProblem
    weights: tuple[FieldMatrixData, ...]
    critical_value: Any
    critical_value_text: str
    number_field: NumberField
    active: tuple[int, ...]
    product_values: tuple[str, ...]
    branches: tuple[str, ...]

    @property
    def degree(self) -> int:
        return 1 if self.field is None else self.field.degree

    @property
    def fitted(self) -> tuple[int, ...]:
        """The active singular pairs (the analogue of the fitted set S of the unregularized loss)."""
        return self.active

    @property
    def widths(self) -> tuple[int, ...]:
        return (self.weights[0].ncols,) + tuple(w.nrows for w in self.weights)

    def float_weights(self) -> list[list[list[float]]]:
        K = self.number_field
        return [[[element_float(K.element(list(e))) for e in row] for row in w.rows] for w in self.weights]

    def rational_weights(self) -> tuple[RationalMatrix, ...]:
        if self.field is not None:
            raise ValueError("the point is not rational")
        return tuple(RationalMatrix(tuple(tuple(e[0] for e in row) for row in w.rows), w.ncols) for w in self.weights)

    def to_point_json(self) -> dict[str, Any]:
        """The point file (X, Y, lambda, weights; "field" when not over Q) that ``exactdln classify`` reads."""
        if self.field is None:
            def mat(m: FieldMatrixData) -> list[list[str]]:
                return [[fraction_text(e[0]) for e in row] for row in m.rows]
            lam = self.problem.to_json()["lambda"]
            return {"X": mat(self.problem.X), "Y": mat(self.problem.Y), "lambda": lam,
                    "weights": [mat(w) for w in self.weights]}
        return {**self.problem.to_json(), "weights": [w.to_json() for w in self.weights]}

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field.to_json() if self.field is not None else None,
            "degree": self.degree,
            "active_pairs": list(self.active),
            "product_values": list(self.product_values),
            "branches": list(self.branches),
            "critical_value": (fraction_text(self.critical_value) if isinstance(self.critical_value, Fraction)
                               else self.critical_value.to_json()),
            "critical_value_text": self.critical_value_text,
            "weights": [w.to_json() for w in self.weights],
        }

    def __str__(self) -> str:
        where = "Q" if self.field is None else (
            f"Q(t), t the root of {polynomial_text(self.field.minpoly)} in "
            f"[{fraction_text(self.field.interval[0])}, {fraction_text(self.field.interval[1])}] (degree {self.degree})")
        pairs = ", ".join(f"pair {i}: s = {s} ({b})" for i, s, b in zip(self.active, self.product_values, self.branches))
        return (f"critical point of the regularized loss over {where} (Theorem R1, docs/maths/regularized.md §3)\n"
                f"active singular pairs of M: {pairs or 'none (the origin)'}; widths {list(self.widths)}\n"
                f"critical value = {self.critical_value_text}")


@dataclass(frozen=True)
class RegularizedNearest:
    """The closed-form critical point built for float weights, its distance and exact kind (or why none)."""

    point: RegularizedCriticalPoint | None
    distance: float | None
    relative_distance: float | None
    kind: str | None = None
    classification: Any = None
    notes: tuple[str, ...] = ()

    @property
    def fitted(self) -> tuple[int, ...]:
        return self.point.active if self.point is not None else ()

    def to_json(self) -> dict[str, Any]:
        return {"found": self.point is not None, "distance": self.distance,
                "relative_distance": self.relative_distance, "kind": self.kind,
                "field_degree": self.point.degree if self.point else None,
                "point": self.point.to_json() if self.point else None, "notes": list(self.notes)}


# --- rational orthogonal matrices ---------------------------------------------------------------------------------


def _to_fmpq_rounded(a: np.ndarray, digits: int) -> fmpq_mat:
    out = fmpq_mat(a.shape[0], a.shape[1])
    scale = 10 ** digits
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[i, j] = fmpq(int(round(float(a[i, j]) * scale)), scale)
    return out


def _sign_pattern(Q: np.ndarray) -> np.ndarray:
    """Signs d_j with R = Q diag(d) in SO(n) and I + R as far from singular as the tries find (Cayley needs
    no eigenvalue -1)."""
    n = Q.shape[0]
    d = np.where(np.diag(Q) < 0, -1.0, 1.0)
    best, best_gap = d, -1.0
    rng = np.random.default_rng(0)
    for trial in range(64):
        if trial:
            d = rng.choice([-1.0, 1.0], size=n)
        if np.linalg.det(Q * d) < 0:
            j = int(np.argmin(np.abs(np.diag(Q))))
            d = d.copy()
            d[j] = -d[j]
        gap = float(np.linalg.svd(np.eye(n) + Q * d, compute_uv=False)[-1])
        if gap > best_gap:
            best, best_gap = d, gap
        if gap > 0.5:
            break
    return best


def rational_orthogonal(Q: np.ndarray, digits: int) -> fmpq_mat:
    """A rational orthogonal matrix near the float orthogonal Q: (I - A)(I + A)^-1 D with A = the Cayley
    parameter of Q D rounded to ``digits`` decimals and made exactly skew-symmetric, D a diagonal of signs.
    Exactly orthogonal for every rounding ((I - A)(I + A)^-1 is orthogonal for every real skew A, and I + A is
    invertible); rational orthogonal matrices are dense in O(n) (docs/maths/regularized.md §9)."""
    n = Q.shape[0]
    if n == 0:
        return fmpq_mat(0, 0)
    d = _sign_pattern(Q)
    R = Q * d
    I = np.eye(n)
    A = (I - R) @ np.linalg.inv(I + R)
    A = (A - A.T) / 2
    Aq = _to_fmpq_rounded(A, digits)
    for i in range(n):
        Aq[i, i] = 0
        for j in range(i):
            Aq[i, j] = -Aq[j, i]
    Iq = fmpq_mat([[int(i == j) for j in range(n)] for i in range(n)])
    Rq = (Iq - Aq) * (Iq + Aq).inv()
    D = fmpq_mat(n, n)
    for i in range(n):
        D[i, i] = int(d[i])
    out = Rq * D
    if out.transpose() * out != Iq:
        raise ArithmeticError("the Cayley transform is not orthogonal (a bug)")
    return out


def _polar(B: np.ndarray) -> np.ndarray:
    """The orthogonal polar factor of a square B (orthogonal Procrustes: argmax_Q tr(Q^T B))."""
    P, _, Vt = np.linalg.svd(B)
    return P @ Vt


def _floats(m: Any) -> np.ndarray:
    return np.array([[float(m[i, j]) for j in range(m.ncols())] for i in range(m.nrows())]).reshape(m.nrows(), m.ncols())


# --- the construction ---------------------------------------------------------------------------------------------


@dataclass
class _Pair:
    """An active singular value of M/c: its mode (0-based, decreasing y), layer-1 value and branch; ``count`` copies
    (the multiplicity of y: a repeated singular value with its whole block active), float columns from ``offset``."""

    index: int
    mode: Any
    sigma: AlgebraicReal
    branch: str
    count: int = 1
    offset: int = 0


class _Refused(ValueError):
    """The float point lies near a part of the critical set the construction does not build (the message says which)."""


def _product_value(sigma: float, spectrum: RegularizedSpectrum) -> float:
    H = spectrum.depth
    return float(spectrum.R_squared) ** 0.5 * sigma ** H


def _layer_scale(s: float, depth: int) -> float:
    """sign(s) |s|^(1/H): the size of each of H balanced layers whose product is s (the scale of the weights)."""
    return float(np.sign(s)) * abs(s) ** (1.0 / depth)


def _unresolved_to_zero(pick: tuple, zero: tuple, s_float: float, depth: int, pair: int, notes: list[str]) -> tuple:
    """The option ``pick`` (nearest to the float product value), or s = 0 when the float point does not resolve
    the two: when pick's value lies nearer to 0 than to the float value, in layer scale (:func:`_layer_scale`).
    Near W = 0 at depth H >= 3 the saddle branch has s ~ (Lambda / y^H)^(1/(H-2)) (docs/maths/regularized.md §3),
    10^-14 at lambda = 10^-4: a run from a start of 10^-2 is nearer to that value than to 0 in product terms, but
    its layers (~10^-2) are as far from the saddle branch's (~10^-5) as from 0, and the point with the pair at
    s = 0 needs no field for it."""
    if pick[1] is None:
        return pick
    exact = _layer_scale(pick[0], depth)
    if abs(exact) < abs(_layer_scale(s_float, depth) - exact):
        notes.append(f"pair {pair}: the float product {s_float:.3g} does not resolve the {pick[2]} s = {pick[0]:.3g} "
                     f"from s = 0 (layer scale {abs(exact):.3g} against a distance "
                     f"{abs(_layer_scale(s_float, depth) - exact):.3g}): s = 0 taken")
        return zero
    return pick


def _choose(spectrum: RegularizedSpectrum, fw: Sequence[np.ndarray], notes: list[str]) -> list[_Pair]:
    """Step 1 of the module docstring: the active pairs and the root each uses, from the float product. For a
    repeated y the float values are the singular values of U_E^T W_{H:1} V_E on its block."""
    M = _floats(spectrum.target)
    U, y, Vt = np.linalg.svd(M)
    P = fw[0]
    for w in fw[1:]:
        P = w @ P
    P = P * 1.0
    chosen = []
    offset = 0
    for i, mode in enumerate(spectrum.modes):
        m = mode.multiplicity
        block = U[:, offset:offset + m].T @ P @ Vt[offset:offset + m].T
        values = np.linalg.svd(block, compute_uv=False) if m > 1 else [float(block[0, 0])]
        options = [(0.0, None, "s = 0")]
        n = len(mode.sigmas)
        for k, sigma in enumerate(mode.sigmas):
            label = ("the only root" if n == 1 else "larger root (local-minimum branch)" if k == n - 1
                     else "smaller root (saddle branch)" if k == 0 else f"root {k + 1} of {n}")
            options.append((_product_value(float(sigma), spectrum), sigma, label))
        picks = [_unresolved_to_zero(min(options, key=lambda o: abs(o[0] - float(s_f))), options[0], float(s_f),
                                     spectrum.depth, i + 1, notes) for s_f in values]
        if len({id(p[1]) for p in picks}) > 1:
            raise _Refused(f"the singular value y = {float(mode.mu) ** 0.5:.6g} of M/c has multiplicity {m} and the "
                           f"float product uses different values on its block ({', '.join(p[2] for p in picks)}): the "
                           "closed-form snap builds a repeated singular value only with its whole block on one root")
        _, sigma, label = picks[0]
        if sigma is not None:
            chosen.append((float(np.min(np.abs(values))), _Pair(i, mode, sigma, label, m, offset)))
        offset += m
    if sum(p.count for _, p in chosen) > spectrum.r_max:
        notes.append(f"{sum(p.count for _, p in chosen)} singular pairs look active but at most r = "
                     f"{spectrum.r_max} can be; kept those with the largest float product values")
        chosen.sort(key=lambda t: -t[0])
        kept, total = [], 0
        for t in chosen:
            if total + t[1].count <= spectrum.r_max:
                kept.append(t)
                total += t[1].count
        chosen = kept
    return sorted((p for _, p in chosen), key=lambda p: p.index)


def _projector(K: NumberField, gram: fmpq_mat, mu: FieldElement) -> FieldMatrix:
    """The orthogonal projector onto ker(gram - mu I) over K: q(gram) / q(mu), q = m / (x - mu) with m the squarefree
    part of charpoly(gram) (the minimal polynomial of the symmetric gram), by synthetic division."""
    chi = gram.charpoly()
    sqfree = chi / chi.gcd(chi.derivative())
    coeffs = [to_fraction(c) for c in sqfree.coeffs()]
    n = gram.nrows()
    q: list[FieldElement] = []
    acc = K.element(0)
    for c in reversed(coeffs[1:]):          # m = sum c_k x^k; q_(k-1) = c_k + mu q_k
        acc = acc * mu + c
        q.append(acc)
    if not (acc * mu + coeffs[0]).is_zero():
        raise ArithmeticError("y^2 is not a root of charpoly(M^T M) over K (a bug)")
    q.reverse()                              # q[0] constant term
    G = FieldMatrix.rational(K, gram)
    out = FieldMatrix.identity(K, n) * q[-1]
    value = q[-1]
    for c in reversed(q[:-1]):
        out = G * out + FieldMatrix.identity(K, n) * c
        value = value * mu + c
    return out * (1 / value)


def _is_square(q: Fraction) -> bool:
    import math

    return q >= 0 and math.isqrt(q.numerator) ** 2 == q.numerator and math.isqrt(q.denominator) ** 2 == q.denominator


def _in(K: NumberField, x: Fraction | FieldElement) -> FieldElement:
    return x if isinstance(x, FieldElement) else K.element(x)


def _field(spectrum: RegularizedSpectrum, pairs: list[_Pair], degree_cap: int, need_norms: bool
           ) -> tuple[NumberField, list[FieldElement], list[FieldElement], list[FieldElement] | None,
                      list[list[FieldElement]], list[FieldMatrix]]:
    """Step 2: K, then r_h (h = 1..H), sigma_i, the norms n_i (only when ``need_norms``: a bottleneck layer uses the
    coordinate frame), eigenvectors w_i and the projectors P_i onto the singular subspaces of the active pairs,
    over K."""
    from flint import fmpq_poly

    from exactdln.arith.field_compositum import algebraic_from_polynomial

    lam = spectrum.lambdas
    H = spectrum.depth
    ratios: list[AlgebraicReal | Fraction] = [Fraction(1)]
    for h in range(1, H):
        q = lam[0] / lam[h]
        poly = fmpq_poly([-_q(q), 0, 1])
        ratios.append(algebraic_from_polynomial(poly, float(q) ** 0.5, lower=Fraction(0)))
    numbers = [r if isinstance(r, AlgebraicReal) else AlgebraicReal.rational(r) for r in ratios]
    numbers += [p.sigma for p in pairs]
    C = compositum(numbers, degree_cap=degree_cap)
    gram = spectrum.target.transpose() * spectrum.target

    def vectors(C: Compositum) -> tuple[list[FieldElement], list[FieldElement], list[list[FieldElement]],
                                        list[FieldElement]]:
        K = C.K
        r = list(C.elements[:H])
        sig = list(C.elements[H:H + len(pairs)])
        R2 = spectrum.R_squared
        ws, norms2, projectors = [], [], []
        for s in sig:
            mu = (s ** (2 * H - 2) * R2 + lam[0]) ** 2 / (s ** (2 * H - 4) * R2)
            P = _projector(K, gram, mu)
            cols = [[P[i, j] for i in range(P.nrows())] for j in range(P.ncols())]
            w = cols[int(np.argmax([sum(element_float(x) ** 2 for x in col) for col in cols]))]
            projectors.append(P)
            ws.append(w)
            norms2.append(sum((x * x for x in w), K.element(0)))
        return r, sig, ws, norms2, projectors

    r, sig, ws, norms2, projectors = vectors(C)
    if not need_norms:
        return C.K, r, sig, None, ws, projectors
    roots = [square_root_in(n2) for n2 in norms2]
    extra = [x for x in roots if isinstance(x, AlgebraicReal)]
    if extra:
        C = compositum(extra, degree_cap=degree_cap, base=C)
        r, sig, ws, norms2, projectors = vectors(C)
    K = C.K
    norms = []
    it = iter(C.elements[H + len(pairs):])
    for x, n2 in zip(roots, norms2):
        n = next(it) if isinstance(x, AlgebraicReal) else K.element(x)
        if not (n * n - n2).is_zero() or n.sign() <= 0:
            raise ArithmeticError("the norm of an eigenvector is not the square root it should be (a bug)")
        norms.append(n)
    return K, r, sig, norms, ws, projectors


def _field_data(K: NumberField, M: FieldMatrix) -> FieldMatrixData:
    D = K.degree
    return FieldMatrixData(tuple(tuple(tuple(to_fraction(M.coeffs[k][i, j]) for k in range(D))
                                       for j in range(M.ncols())) for i in range(M.nrows())), M.ncols())


def _diag(K: NumberField, values: Sequence[FieldElement]) -> FieldMatrix:
    k = len(values)
    return FieldMatrix.from_rows(K, [[values[i] if i == j else K.element(0) for j in range(k)] for i in range(k)])


def nearest_regularized_point(problem: Problem, float_weights: Sequence[Any], *, degree_cap: int = 64,
                              classify: bool = True) -> RegularizedNearest:
    """The closed-form critical point of the regularized loss nearest to ``float_weights`` (module docstring),
    exactly critical over K, with its distance (relative to max(||W_float||, the weight scale of
    :func:`exactdln.tools.snap_algebraic.weight_scale`)) and, with ``classify``, its exact kind over K."""
    from exactdln.tools.snap_algebraic import regularized_reason, relative_frobenius_distance, weight_scale

    fw = [np.asarray(w, dtype=np.float64) for w in float_weights]
    widths = (fw[0].shape[1],) + tuple(w.shape[0] for w in fw)
    H = len(fw)
    X, Y = to_fmpq_mat(problem.X), to_fmpq_mat(problem.Y)
    lambdas = problem.layer_lambdas(H)
    notes: list[str] = []
    try:
        spectrum = regularized_spectrum(X, Y, lambdas, widths) if H >= 2 else None
    except ArithmeticError as err:
        return RegularizedNearest(None, None, None, notes=(f"the closed form could not be isolated: {err}",))
    if spectrum is None:
        return RegularizedNearest(None, None, None, notes=(regularized_reason(problem, widths),))
    try:
        pairs = _choose(spectrum, fw, notes)
    except _Refused as err:
        return RegularizedNearest(None, None, None, notes=tuple(notes + [str(err)]))
    k = sum(p.count for p in pairs)
    d0, dy = widths[0], widths[-1]
    # the frame of each layer (module docstring, step 3): v (the right singular vectors), u (the left ones) or
    # e (coordinates, for a bottleneck narrower than both; it needs the norms n_i in K)
    sides = ["v"] + ["v" if widths[h] >= d0 else "u" if widths[h] >= dy else "e" for h in range(1, H)] + ["u"]
    need_norms = "e" in sides
    if need_norms and any(p.count > 1 for p in pairs):
        return RegularizedNearest(None, None, None, notes=tuple(notes + [
            "a hidden layer is narrower than both d_0 and d_H and a repeated singular value of M/c is active: the "
            "closed-form snap builds a bottleneck only with simple active singular values"]))
    try:
        K, r, sig1, norms, ws, projectors = _field(spectrum, pairs, degree_cap, need_norms)
    except CompositumDegreeError as err:
        # the compositum stops at the first intermediate field above the cap, so err.degree is a lower bound of the
        # whole field's degree; the product of the degrees of the numbers adjoined is an upper bound
        bound = 1
        for p in pairs:
            bound *= max(1, len(p.sigma.polynomial) - 1)      # its polynomial is squarefree, perhaps reducible
        for h in range(1, H):
            q = Fraction(spectrum.lambdas[0] / spectrum.lambdas[h])
            bound *= 1 if _is_square(q) else 2                # sqrt(lambda_1 / lambda_h)
        return RegularizedNearest(None, None, None, notes=tuple(notes + [
            f"the field of the active pairs {[p.index + 1 for p in pairs]} (their layer singular values"
            f"{' and singular-vector norms' if need_norms else ''}) has degree above the degree cap {err.cap}: "
            f"the construction stopped at an intermediate field of degree {err.degree}; the whole field has degree "
            f"at least {err.degree} and at most {bound}{' (before the norms)' if need_norms else ''} (raise it with "
            "degree_cap / --degree-cap)"]))
    lam = spectrum.lambdas
    R2 = spectrum.R_squared
    Rk = K.element(1)
    for x in r:
        Rk = Rk * x
    M = FieldMatrix.rational(K, spectrum.target)
    zero = K.element(0)
    ys, ss, mus, n2s = [], [], [], []
    w_cols, Mw_cols = [], []
    for s, w in zip(sig1, ws):
        y = (s ** (2 * H - 2) * R2 + lam[0]) / (Rk * s ** (H - 2))
        Mw = M * FieldMatrix.from_rows(K, [[x] for x in w])
        ys.append(y)
        mus.append(y * y)
        ss.append(Rk * s ** H)
        n2s.append(sum((x * x for x in w), zero))
        w_cols.append(w)
        Mw_cols.append([Mw[i, 0] for i in range(Mw.nrows())])
    layer_sig = [[r[h] * s for s in sig1] for h in range(H)]
    columns = [sum(p.count for p in pairs[:g]) for g in range(len(pairs))]       # first float column of each

    def frame_vector(side: str, g: int) -> tuple[list[FieldElement], FieldElement | None]:
        """(unnormalized vector, its squared norm) of a simple pair g in a frame: v = w / n, u = M w / (n y), e."""
        if side == "v":
            return w_cols[g], n2s[g]
        if side == "u":
            return Mw_cols[g], n2s[g] * mus[g]
        return [K.element(int(j == columns[g])) for j in range(k)], K.element(1)

    def outer_scale(a: str, b: str, g: int) -> FieldElement:
        """1 / sqrt(N_a N_b): a b^T = a~ b~^T times this, in K (the norms n_g enter only with frame e)."""
        if a == b:
            return 1 / frame_vector(a, g)[1]
        other = ({a, b} - {"e"}).pop()
        return 1 / (norms[g] * (ys[g] if other == "u" else 1))

    Mt = M.transpose()

    def outer(a: str, b: str, g: int) -> FieldMatrix:
        """sum over the copies of pair g of a_i b_i^T: from the projector P_g onto its right singular subspace,
        v v^T = P_g, u v^T = M P_g / y, v u^T = P_g M^T / y, u u^T = M P_g M^T / mu (no square roots)."""
        P = projectors[g]
        if (a, b) == ("v", "v"):
            return P
        if (a, b) == ("u", "v"):
            return M * P * (1 / ys[g])
        if (a, b) == ("v", "u"):
            return P * Mt * (1 / ys[g])
        if (a, b) == ("u", "u"):
            return M * P * Mt * (1 / mus[g])
        x, _ = frame_vector(a, g)
        z, _ = frame_vector(b, g)
        c = outer_scale(a, b, g)
        return FieldMatrix.from_rows(K, [[xi * c * zj for zj in z] for xi in x])

    def core(h: int) -> FieldMatrix:
        """C_h = sum_i sigma_(h,i) a_i b_i^T, a in the frame of layer h, b in that of layer h - 1 (h = 1..H)."""
        a, b = sides[h], sides[h - 1]
        rows = {"v": d0, "u": dy, "e": k}
        out = FieldMatrix.rational(K, fmpq_mat(rows[a], rows[b]))
        for g in range(len(pairs)):
            out = out + outer(a, b, g) * layer_sig[h - 1][g]
        return out

    # step 3: Procrustes on floats, one hidden layer after the other: Q_h[:, :k] = O_h J_h F_h
    Mf = _floats(spectrum.target)
    bases = []
    for g, p in enumerate(pairs):                   # an orthonormal basis of each right singular subspace
        Pf = np.array([[element_float(x) for x in row] for row in projectors[g].tolist()])
        values, vectors = np.linalg.eigh((Pf + Pf.T) / 2)
        bases.append(vectors[:, np.argsort(values)[::-1][:p.count]])

    def float_frame(side: str, rows: int) -> np.ndarray:
        out = np.zeros((rows, k))
        for g, p in enumerate(pairs):
            cols = slice(columns[g], columns[g] + p.count)
            if side == "v":
                out[:d0, cols] = bases[g]
            elif side == "u":
                out[:dy, cols] = Mf @ bases[g] / element_float(ys[g])
            else:
                out[columns[g], columns[g]] = 1.0
        return out

    frames = [float_frame(sides[h], widths[h]) for h in range(H + 1)]      # J_h F_h, d_h x k
    sf = np.array([[element_float(x) for g, x in enumerate(row) for _ in range(pairs[g].count)]
                   for row in layer_sig]).reshape(H, k)
    scale = weight_scale(problem, H)

    def aligned(digits: int | None) -> tuple[list[np.ndarray], list[Any]]:
        Os, Or, G = [], [], frames[0]
        for h in range(1, H):
            B = fw[h - 1] @ G @ np.diag(sf[h - 1]) @ frames[h].T
            O = _polar(B)
            if digits is not None:
                q = rational_orthogonal(O, digits)
                Or.append(q)
                O = _floats(q)
            Os.append(O)
            G = O @ frames[h]
        return Os, Or

    def float_layers(Os: Sequence[np.ndarray]) -> list[np.ndarray]:
        Gs = [frames[0]] + [O @ frames[h] for h, O in enumerate(Os, 1)] + [frames[H]]
        return [Gs[h] @ np.diag(sf[h - 1]) @ Gs[h - 1].T for h in range(1, H + 1)]

    Os, _ = aligned(None)
    ideal = relative_frobenius_distance(float_layers(Os), fw, scale)[1]
    chosen = None
    for digits in (3, 5, 7, 9, 11, 13, 15):
        Os, Or = aligned(digits)
        rel = relative_frobenius_distance(float_layers(Os), fw, scale)[1]
        chosen = (digits, Or)
        if rel <= ideal + max(0.01 * ideal, 1e-10):
            break
    digits, Or = chosen

    def embed(h: int) -> FieldMatrix:
        """O_h J_h (d_h x frame dimension), rational."""
        rows = {"v": d0, "u": dy, "e": k}[sides[h]]
        J = fmpq_mat(widths[h], rows)
        for j in range(rows):
            J[j, j] = 1
        return FieldMatrix.rational(K, Or[h - 1] * J)

    layers = []
    for h in range(1, H + 1):
        W = core(h)
        if h < H:
            W = embed(h) * W
        if h > 1:
            W = W * embed(h - 1).transpose()
        layers.append(W)
    rational_K = K.degree == 1
    spec = FieldSpec(tuple(K.minpoly), (K.lower, K.upper)) if not rational_K else None
    D = K.degree
    zeros = (Fraction(0),) * (D - 1)
    data = lambda m: FieldMatrixData(tuple(tuple((to_fraction(m[i, j]),) + zeros for j in range(m.ncols()))  # noqa: E731
                                           for i in range(m.nrows())), m.ncols())
    aproblem = AlgebraicProblem(spec if spec is not None else FieldSpec((Fraction(0), Fraction(1)),
                                                                        (Fraction(-1), Fraction(1))),
                                data(X), data(Y), tuple(problem.lambdas))
    weights = tuple(_field_data(K, w) for w in layers)
    point = FieldPoint(aproblem, weights, K)
    # step 4: exact checks
    if not is_field_critical(field_gradient(point)):
        raise ArithmeticError("the closed-form point is not critical over K (a bug)")
    loss = field_loss(point)
    gram = spectrum.target.transpose() * spectrum.target
    trace = sum((to_fraction(gram[i, i]) for i in range(gram.nrows())), Fraction(0))
    expected = K.element(spectrum.c0 + spectrum.c * trace / 2)          # every pair at s = 0: mu_i / 2 each
    for y, s, p in zip(ys, ss, pairs):                                  # active pairs: phi(y, s) instead
        expected = expected + ((y - s) * (y + s * (H - 1)) - y * y) * spectrum.c * p.count / 2
    if not (loss - expected).is_zero():
        raise ArithmeticError("the loss differs from the critical value of Theorem R1 (a bug)")
    value: Any = loss.rational() if loss.is_rational else loss
    text = fraction_text(value) + f" ({float(value):.12g})" if isinstance(value, Fraction) else str(loss)
    cpoint = RegularizedCriticalPoint(spec, aproblem, weights, value, text, K,
                                      tuple(p.index + 1 for p in pairs),
                                      tuple(f"{element_float(s):.12g}" for s in ss), tuple(p.branch for p in pairs))
    exact_floats = [np.array(w) for w in cpoint.float_weights()]
    d, rel = relative_frobenius_distance(exact_floats, fw, scale)
    notes.append(f"Q_h rational orthogonal (Cayley transform, {digits} decimals); field degree {K.degree}")
    kind = verdict = None
    if classify:
        verdict = _classify(cpoint)
        kind = verdict.kind
    return RegularizedNearest(cpoint, d, rel, kind, verdict, tuple(notes))


def _classify(point: RegularizedCriticalPoint) -> Any:
    if point.field is None:
        from exactdln.theory.classify import classify

        problem = Problem(RationalMatrix(tuple(tuple(e[0] for e in row) for row in point.problem.X.rows),
                                         point.problem.X.ncols),
                          RationalMatrix(tuple(tuple(e[0] for e in row) for row in point.problem.Y.rows),
                                         point.problem.Y.ncols), point.problem.lambdas)
        return classify(problem, point.rational_weights())
    from exactdln.theory.number_field import classify_over_field

    return classify_over_field(point.problem, point.weights)
