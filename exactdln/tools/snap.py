"""Snap float weights (the end of an optimizer run) to the exact critical point they approximate.

Contract: a result is "snapped" only when the exact point is exactly critical *and* lies within the relative
tolerance (default 1e-6; relative to max(||W_float||_F, sqrt(H) ||Sigma_YX Sigma_XX^-1||_F^(1/H))) of the float
weights. Otherwise it is "not snapped", with the nearest candidate found, its distance and why.

Routes, tried in order:

1. **Rationalize**: every entry x -> Fraction(x).limit_denominator(D) for D = 10, 100, ...,
   10^12; the first (simplest) candidate within the tolerance that is *exactly* critical wins. When the
   float weights are a perturbation (say 1e-8) of a rational critical point with small
   denominators, this recovers that point itself.
2. **Aligned** (:func:`_aligned_point`; docs/maths/classification.md §2.1, §2.3) when span U_S has a rational basis:
   the float point's hidden layers rounded to rationals at their numerical ranks, W_H = Q L with L fitted by least
   squares, and W_1 = F G with the float column factor F kept and G projected exactly onto the linear criticality
   conditions. It keeps the hidden rank structure (hence the pivots of docs/maths/classification.md §3.3 (c)).
3. **Algebraic** (exactdln/tools/snap_algebraic.py; docs/maths/algebraic.md §10-§12): the same construction over
   the number field of the fitted set S when U_S has no rational basis (generic data), with several hidden
   structures; every candidate within the tolerance is classified (``kinds_near``) and the simplest one is kept.

The unaligned minimal construction (:func:`_structure_point`) is only a basis for route 2; it is never reported
as snapped (it may lie far from the float weights). Regularized problems (lambda > 0) are tried by
rationalization, then snapped to the closed-form critical set of Theorem R1 over its number field when X X^T = c I
(exactdln/tools/snap_regularized.py, docs/maths/regularized.md §9); otherwise the notes say why.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from exactdln.model.problem import (
    InputError,
    JsonDecimal,
    Limits,
    Problem,
    RationalMatrix,
    as_matrix,
    parse_lambda,
    parse_number,
    read_json_file,
    DEFAULT_LIMITS,
)
from exactdln.model.results import Verdict
from exactdln.tools.float_arrays import float_matrix

__all__ = ["SnapResult", "snap", "load_float_point", "rationalize"]

DENOMINATORS = tuple(10**k for k in range(1, 13))


@dataclass(frozen=True)
class SnapResult(Verdict):
    """The exact point a float point was snapped to, its exact verdict and the distance."""

    snapped: bool
    route: str                                   # "rationalize", "structure" or "none"
    weights: tuple[RationalMatrix, ...] | None
    kind: str | None
    classified_by: str | None
    distance: float | None                       # Frobenius distance over all layers
    relative_distance: float | None
    fitted: tuple[int, ...] | None
    denominator: int | None
    notes: tuple[str, ...] = ()
    inertia: Any = None
    point: Any = None                            # AlgebraicCriticalPoint (over Q or K) of the algebraic route
    tolerance: float | None = None
    kinds_near: tuple[str, ...] = ()             # kinds of the exact candidates within the tolerance
    nearest: Any = None                          # the NearestCritical report (algebraic route), snapped or not

    @property
    def field_degree(self) -> int | None:
        """[K : Q] of the snapped point (1 over Q), None when nothing snapped."""
        if not self.snapped:
            return None
        return self.point.degree if self.point is not None else 1

    @property
    def critical(self) -> bool | None:
        """True when snapped (every route keeps only an exactly critical point), else None (no point)."""
        return True if self.snapped else None

    @property
    def loss(self) -> None:
        """None: snap does not compute it (``exactdln.loss(problem, result.weights)`` does)."""
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "snapped": self.snapped,
            "route": self.route,
            "kind": self.kind,
            "classified_by": self.classified_by,
            "inertia": self.inertia.to_json() if self.inertia is not None else None,
            "distance": self.distance,
            "relative_distance": self.relative_distance,
            "fitted": list(self.fitted) if self.fitted is not None else None,
            "denominator": self.denominator,
            "weights": ([w.to_json() for w in self.weights] if self.weights else
                        [w.to_json() for w in self.point.weights] if self.point is not None and self.snapped else None),
            "field": self.point.field.to_json() if self.point is not None and self.point.field is not None else None,
            "field_degree": self.field_degree,
            "critical_value": self.point.to_json()["critical_value"] if self.point is not None else None,
            "critical_value_text": self.point.critical_value_text if self.point is not None else None,
            "tolerance": self.tolerance,
            "kinds_near": list(self.kinds_near),
            "nearest": self.nearest.to_json() if self.nearest is not None and not self.snapped else None,
            "notes": list(self.notes),
        }

    def __str__(self) -> str:
        if not self.snapped:
            lines = ["not snapped" + (f" (tolerance {self.tolerance:g})" if self.tolerance is not None else "")]
            near = self.nearest
            if near is not None and near.point is not None:
                active = getattr(near.point, "active", None)          # the regularized closed form
                which = (f"active singular pairs {list(active)}" if active is not None else
                         f"fitted S = {set(near.fitted) or '{}'}")
                lines.append(f"nearest exact critical point found: {near.kind or 'not classified'}, {which}, field degree {near.point.degree}, critical value "
                             f"{near.point.critical_value_text}, distance {near.distance:.3g} "
                             f"(relative {near.relative_distance:.3g})")
            return "\n".join(lines + [f"  - {n}" for n in self.notes])
        lines = [
            f"snapped by {self.route}" + (f" (denominators <= {self.denominator})" if self.denominator else ""),
            f"exact verdict: {self.kind} (by {self.classified_by})" + (f", Hessian inertia {self.inertia}" if self.inertia else ""),
            f"distance from the float weights: {self.distance:.3g} (relative {self.relative_distance:.3g})",
        ]
        if self.fitted is not None:
            lines.append(f"fitted eigenvalues S = {set(self.fitted) or '{}'}")
        if self.point is not None:
            lines.append(str(self.point))
        if len(self.kinds_near) > 1:
            lines.append(f"kinds of exact critical points within the tolerance: {', '.join(self.kinds_near)}")
        lines += [f"  - {n}" for n in self.notes]
        return "\n".join(lines)


def rationalize(weights: Sequence[np.ndarray], denominator: int) -> tuple[RationalMatrix, ...]:
    """Entry-wise best rational approximation with denominator <= ``denominator``."""
    out = []
    for w in weights:
        w = np.asarray(w, dtype=np.float64)
        rows = tuple(tuple(Fraction(float(x)).limit_denominator(denominator) for x in row) for row in w)
        out.append(RationalMatrix(rows, w.shape[1]))
    return tuple(out)


def _distance(exact: Sequence[RationalMatrix], floats: Sequence[np.ndarray], scale: float = 0.0
              ) -> tuple[float, float]:
    """(Frobenius distance over all layers, relative distance): divided by max(||W_float||_F, ``scale``), see
    :func:`exactdln.tools.snap_algebraic.weight_scale` (near the origin ||W_float|| is no scale at all)."""
    from exactdln.tools.snap_algebraic import relative_frobenius_distance

    return relative_frobenius_distance([np.array([[float(x) for x in row] for row in e.rows]).reshape(e.shape)
                                        for e in exact], floats, scale)


def _exact_verdict(problem: Problem, weights: Sequence[RationalMatrix]) -> tuple[str, str, Any]:
    """The exact classification when the exact core's classify is present, else mpmath."""
    try:
        from exactdln.theory.classify import classify
    except ImportError:
        from exactdln.numeric.mp import classify_mp

        r = classify_mp(problem, weights)
        return r.conditional_kind or r.kind, f"mpmath at {r.digits} digits, kind if critical (exact classify unavailable)", r.inertia
    c = classify(problem, weights)
    return c.kind, "exact", c.inertia


def _fitted_numeric(problem: Problem, weights: Sequence[np.ndarray]) -> tuple[tuple[int, ...] | None, str]:
    """S from c_i = u_i^T W_{H:1} Sigma_XY u_i / lambda_i (docs/maths/classification.md §2.1), threshold 1/2."""
    try:
        with np.errstate(over="raise", invalid="raise"):
            X = np.array([[float(x) for x in r] for r in problem.X.rows])
            Y = np.array([[float(x) for x in r] for r in problem.Y.rows])
            Sxx, Syx = X @ X.T, Y @ X.T
            M = np.linalg.solve(Sxx, Syx.T).T
    except (OverflowError, FloatingPointError):
        return None, "the data are beyond float64's range: S cannot be identified numerically"
    except np.linalg.LinAlgError:
        return None, "Sigma_XX is singular in float64: assumption (H) fails numerically"
    Sigma = M @ Syx.T
    lam, U = np.linalg.eigh((Sigma + Sigma.T) / 2)
    order = np.argsort(lam)[::-1]
    lam, U = lam[order], U[:, order]
    if lam[-1] <= 0:
        return None, "Sigma is singular: assumption (H) fails"
    P = np.eye(weights[0].shape[1])
    for w in weights:
        P = w @ P
    c = np.diag(U.T @ P @ Syx.T @ U) / lam
    if np.any(np.minimum(np.abs(c), np.abs(c - 1)) > 0.25):
        return None, f"c_i = {np.round(c, 3).tolist()} are not all near 0 or 1: the weights are not near a critical point"
    return tuple(int(i + 1) for i in np.nonzero(c > 0.5)[0]), ""


def _structure_point(problem: Problem, widths: Sequence[int], S: tuple[int, ...], *,
                     basis_only: bool = False) -> tuple[Any, str]:
    """Minimal construction (docs/maths/classification.md §2.3) with a rational basis Q of span U_S, if one exists."""
    from flint import fmpq_mat

    from exactdln.arith.exact import from_fmpq_mat, identity, nullspace, to_fmpq_mat

    r = len(S)
    if r > min(widths):
        return None, f"|S| = {r} exceeds the bottleneck {min(widths)}"
    X, Y = to_fmpq_mat(problem.X), to_fmpq_mat(problem.Y)
    Sxx, Syx = X * X.transpose(), Y * X.transpose()
    if Sxx.rank() < Sxx.nrows():
        return None, "X X^T is singular: the construction of docs/maths/classification.md §2.3 needs it invertible"
    M = Syx * Sxx.inv()
    Sigma = M * Syx.transpose()
    d_y = Sigma.nrows()
    lam = sorted(np.linalg.eigvalsh(np.array([[float(Sigma[i, j]) for j in range(d_y)] for i in range(d_y)])), reverse=True)
    f_S = None

    for factor, _ in Sigma.charpoly().factor()[1]:
        coeffs = [float(c) for c in factor.coeffs()][::-1]
        roots = np.roots(coeffs) if len(coeffs) > 1 else []
        idx = [int(np.argmin([abs(l - z) for l in lam])) + 1 for z in roots]
        inside = [i in S for i in idx]
        if all(inside) and idx:
            f_S = factor if f_S is None else f_S * factor
        elif any(inside):
            return None, (f"the eigenvalues {idx} are conjugate roots of one Q-irreducible factor of charpoly(Sigma), "
                          "split by S: span U_S has no rational basis (docs/maths/global_optimality.md §3)")
    if r == 0:
        Q = fmpq_mat(d_y, 0)
    else:
        # f_S(Sigma) by Horner
        F = fmpq_mat(d_y, d_y)
        for c in reversed(f_S.coeffs()):
            F = F * Sigma + identity(d_y) * c
        Q = nullspace(F)
    if Q.ncols() != r:
        return None, f"ker f_S(Sigma) has dimension {Q.ncols()}, expected {r}"
    if basis_only:
        return (Q, M, Syx, Sigma), ""
    H = len(widths) - 1
    d_x = widths[0]
    Ws = []
    B = (Q.transpose() * Q).inv() * Q.transpose() * M if r else fmpq_mat(0, d_x)
    for h in range(1, H + 1):
        W = fmpq_mat(widths[h], widths[h - 1])
        for t in range(r):
            for j in range(widths[h - 1]):
                if h == 1:
                    W[t, j] = B[t, j]
            if h == H:
                for i in range(widths[h]):
                    W[i, t] = Q[i, t]
            elif h != 1:
                W[t, t] = 1
        if H == 1:
            W = Q * B
        Ws.append(from_fmpq_mat(W))
    return tuple(Ws), ""


def _rational_low_rank(w: np.ndarray, denominator: int = 10**12) -> Any:
    """A rational matrix of the float matrix's numerical rank rho near ``w``: F G, F = U_rho Sigma_rho, G = V_rho^T rounded."""
    F, G = _rational_factors(w, denominator)
    return F * G


def _rational_factors(w: np.ndarray, denominator: int = 10**12) -> tuple[Any, Any]:
    """Rational F (d x rho), G (rho x n) with F G near ``w`` and rho its numerical rank (SVD, relative 1e-6)."""
    from flint import fmpq, fmpq_mat

    from exactdln.arith.exact import identity

    def q(a: np.ndarray) -> Any:
        out = fmpq_mat(a.shape[0], a.shape[1])
        for i in range(a.shape[0]):
            for j in range(a.shape[1]):
                f = Fraction(float(a[i, j])).limit_denominator(denominator)
                out[i, j] = fmpq(f.numerator, f.denominator)
        return out

    if w.size == 0:
        return identity(w.shape[0]), q(w)
    U, s, Vt = np.linalg.svd(w)
    tol = 1e-6 * max(1.0, float(s[0]))
    rho = int(np.sum(s > tol))
    if rho == w.shape[0]:
        return identity(w.shape[0]), q(w)
    return q(U[:, :rho] * s[:rho]), q(Vt[:rho, :])


def _aligned_point(problem: Problem, fw: Sequence[np.ndarray], widths: Sequence[int],
                   S: tuple[int, ...]) -> tuple[tuple[RationalMatrix, ...] | None, str]:
    """An exact critical point with the float point's hidden layers (docs/maths/classification.md §2.1, §2.2 (F1)-(F3)).

    With Q a rational basis of span U_S, P_S = Q (Q^T Q)^-1 Q^T, M = Sigma_YX Sigma_XX^-1 and
    N = (Q^T Q)^-1 Q^T M: every W with W_H = Q L, W_{H-1:1} = B W_1 (B = W_{H-1:2}),
    L B W_1 = N and B W_1 Sigma_XY (I - P_S) = 0 is critical with product P_S M:
    G = (I - P_S) Sigma_YX, so W_{H:h+1}^T G = L^T... Q^T (I - P_S) Sigma_YX = 0 for h < H,
    and G W_{H-1:1}^T = 0 by the second condition. The hidden layers are the float ones,
    rounded to rationals of the same numerical rank; L is the least-squares fit of
    W_H = Q L; W_1 is the exact orthogonal projection of the rounded float W_1 onto the
    affine space of the two linear conditions. So the rank structure (and the pivots of
    docs/maths/classification.md §3.3 (c)) of the float point is kept, not only S.
    """
    from flint import fmpq, fmpq_mat

    from exactdln.arith.exact import from_fmpq_mat, identity, rref_pivots

    H = len(widths) - 1
    r = len(S)
    if H < 2:
        return None, "the aligned route needs H >= 2"
    basis, why = _structure_point(problem, widths, S, basis_only=True)
    if basis is None:
        return None, why
    Q, M, Syx, _ = basis
    if r == 0:                                                      # S empty: W_H = 0, product 0
        N = fmpq_mat(0, widths[0])
        P_S = fmpq_mat(Q.nrows(), Q.nrows())
    else:
        QtQ_inv = (Q.transpose() * Q).inv()
        N = QtQ_inv * Q.transpose() * M
        P_S = Q * QtQ_inv * Q.transpose()
    hidden = [_rational_low_rank(fw[h]) for h in range(1, H - 1)]
    B = identity(widths[1])
    for Wh in hidden:
        B = Wh * B
    Qf = np.array([[float(Q[i, j]) for j in range(r)] for i in range(Q.nrows())])
    if r:
        Lf = np.linalg.lstsq(Qf.reshape(Q.nrows(), r), fw[-1], rcond=None)[0]
        L = _rational_low_rank(Lf)
    else:
        L = fmpq_mat(0, widths[H - 1])
    R = Syx.transpose() * (identity(P_S.nrows()) - P_S)            # Sigma_XY (I - P_S), d_x x d_y
    # W_1 = F1 G1 with the float column factor F1 kept (so rank and column space are the float
    # point's) and G1 the exact projection of the rounded float row factor onto the conditions.
    F1, G1 = _rational_factors(fw[0])
    BF = B * F1
    LB = L * BF
    rho, dx = F1.ncols(), widths[0]
    rows = []
    rhs = []
    for a in range(r):                                             # (L B F1 G1)[a, j] = N[a, j]
        for j in range(dx):
            row = [fmpq(0)] * (rho * dx)
            for k in range(rho):
                row[k * dx + j] = LB[a, k]
            rows.append(row)
            rhs.append(N[a, j])
    for c in range(BF.nrows()):                                    # (B F1 G1 R)[c, e] = 0
        for e in range(R.ncols()):
            row = [fmpq(0)] * (rho * dx)
            for k in range(rho):
                if BF[c, k] != 0:
                    for j in range(dx):
                        row[k * dx + j] += BF[c, k] * R[j, e]
            rows.append(row)
            rhs.append(fmpq(0))
    if rho == 0 or not rows:
        W1 = F1 * G1
        layers = [W1] + hidden + [Q * L]
        return tuple(from_fmpq_mat(x) for x in layers), ""
    A = fmpq_mat(len(rows), rho * dx, [x for row in rows for x in row])
    b = fmpq_mat(len(rhs), 1, rhs)
    _, pivots = rref_pivots(A.transpose())                         # independent constraints
    A = fmpq_mat(len(pivots), rho * dx, [A[i, j] for i in pivots for j in range(rho * dx)])
    b = fmpq_mat(len(pivots), 1, [b[i, 0] for i in pivots])
    w = fmpq_mat(rho * dx, 1, [G1[k, j] for k in range(rho) for j in range(dx)])
    if A.nrows():
        y = (A * A.transpose()).solve(A * w - b)
        w = w - A.transpose() * y
    W1 = F1 * fmpq_mat(rho, dx, [w[i, 0] for i in range(rho * dx)])
    layers = [W1] + hidden + [Q * L]
    return tuple(from_fmpq_mat(x) for x in layers), ""


DEFAULT_TOLERANCE = 1e-6


def snap(problem: Problem, float_weights: Sequence[Any], tolerance: float = DEFAULT_TOLERANCE, *,
         radius: float | None = None, align_radius: float | None = None, degree_cap: int = 64) -> SnapResult:
    """Find the exact critical point that float weights approximate, and classify it exactly.

    Contract: ``snapped`` only when the exact point is exactly critical (gradient formula of
    docs/maths/README.md §2 checked in exact arithmetic, over Q or over a number field) *and* within
    relative Frobenius distance ``tolerance`` of the float weights; otherwise the result says why, with the
    nearest candidate found and its distance. Routes, in order: rationalization at denominators 10..10^12,
    the aligned rational construction, then the exact critical point over the field of the fitted set
    (:func:`exactdln.tools.snap_algebraic.nearest_critical_point`, docs/maths/algebraic.md §12), whose
    candidates within the tolerance are all classified (``kinds_near``: strict and non-strict saddles can lie
    within the tolerance of each other). ``radius``/``align_radius`` (older names) replace the tolerance. The
    float64 guides fail gracefully on data beyond float64's range ("not snapped" with that reason).
    """
    older = [x for x in (radius, align_radius) if x is not None]
    tol = min(older) if older else tolerance
    fw = [np.asarray(w, dtype=np.float64) for w in float_weights]
    if not fw or any(w.ndim != 2 for w in fw):
        raise InputError("expected a list of 2-d weight matrices", "weights")
    if not all(np.all(np.isfinite(w)) for w in fw):
        raise InputError("weights contain NaN or infinity", "weights")
    try:
        with np.errstate(all="ignore"):        # overflow shows up as inf/nan below, or as an exception
            return _snap(problem, fw, tol, degree_cap)
    except (OverflowError, ValueError, np.linalg.LinAlgError, FloatingPointError) as err:
        if isinstance(err, InputError):
            raise
        note = (f"the float64 guides of the routes failed ({type(err).__name__}: {' '.join(str(err).split())[:120]}): "
                "the data or the weights are out of float64's reach")
        return SnapResult(False, "none", None, None, None, None, None, None, None, (note,), tolerance=tol)


def _not_snapped(notes: list[str], tol: float, fitted: Any = None, nearest: Any = None) -> SnapResult:
    return SnapResult(False, "none", None, None, None, None, None, fitted, None, tuple(notes), tolerance=tol,
                      nearest=nearest)


def _snap(problem: Problem, fw: list, tol: float, degree_cap: int) -> SnapResult:
    from exactdln.landscape.derivatives import is_critical
    from exactdln.tools.snap_algebraic import weight_scale

    scale = weight_scale(problem, len(fw))

    widths = (fw[0].shape[1],) + tuple(w.shape[0] for w in fw)
    problem.check_weights(rationalize(fw, 1))
    notes = []
    # The smallest denominator whose rounding is within the tolerance and exactly critical wins.
    # Neither "first exactly critical" nor "nearest exactly critical" is right: a coarse
    # rounding can land on a far critical point (2e-2 away for 1e-8 noise), and a fine one
    # can land on a different critical point 1e-8 away of a *different class* (strict
    # saddles accumulate at non-strict ones), both found by the hypothesis test.
    best = None
    for D in DENOMINATORS:
        cand = rationalize(fw, D)
        d, rel = _distance(cand, fw, scale)
        if rel <= tol and is_critical(problem, cand):
            best = (D, cand, d, rel)
            break
    if best is not None:
        D, cand, d, rel = best
        if rel > 1e-9 and not problem.regularized:
            # A coarse rounding can land on another critical point; the aligned construction keeps the
            # float point's hidden structure, so prefer it when it is 100 times closer.
            S, _ = _fitted_numeric(problem, fw)
            if S is not None:
                aligned, _ = _aligned_point(problem, fw, widths, S)
                if aligned is not None and is_critical(problem, aligned):
                    da, rela = _distance(aligned, fw, scale)
                    if da * 100 < d:
                        kind, by, inertia = _exact_verdict(problem, aligned)
                        return SnapResult(True, "aligned", aligned, kind, by, da, rela, S, None,
                                          (f"preferred to the rationalization at denominator {D}, {d:.2g} away",),
                                          inertia, tolerance=tol, kinds_near=(kind,))
        kind, by, inertia = _exact_verdict(problem, cand)
        return SnapResult(True, "rationalize", cand, kind, by, d, rel, None, D, (), inertia, tolerance=tol,
                          kinds_near=(kind,))
    notes.append(f"no rationalization with denominators <= {DENOMINATORS[-1]} within relative distance {tol:g} "
                 "is exactly critical")
    if problem.regularized:
        return _regularized(problem, fw, tol, degree_cap, notes)
    S, why = _fitted_numeric(problem, fw)
    if S is not None:
        aligned, why_aligned = _aligned_point(problem, fw, widths, S)
        if aligned is not None and is_critical(problem, aligned):
            d, rel = _distance(aligned, fw, scale)
            if rel <= tol:
                kind, by, inertia = _exact_verdict(problem, aligned)
                notes.append("aligned route: the float point's hidden layers (rounded at their numerical ranks), "
                             "W_H = Q L fitted, W_1 projected exactly onto the criticality conditions")
                return SnapResult(True, "aligned", aligned, kind, by, d, rel, S, None, tuple(notes), inertia,
                                  tolerance=tol, kinds_near=(kind,))
            notes.append(f"aligned rational candidate at relative distance {rel:.2g} > {tol:g}")
        elif aligned is None:
            notes.append(f"aligned rational route unavailable: {why_aligned}")
    return _algebraic(problem, fw, tol, degree_cap, notes)


def _algebraic(problem: Problem, fw: list, tol: float, degree_cap: int, notes: list[str]) -> SnapResult:
    """The route over the field of S (exactdln/tools/snap_algebraic.py); snapped only within ``tol``."""
    from exactdln.instances.algebraic_critical import verify_critical_point
    from exactdln.tools.snap_algebraic import classify_candidate, nearest_critical_point, numerical_rank

    near = nearest_critical_point(problem, fw, degree_cap=degree_cap)
    if near.point is None:
        return _not_snapped(notes + list(near.notes), tol, near.fitted, near)
    if not near.relative_distance <= tol:      # NaN is never within the tolerance
        notes.append(f"the nearest exact critical point found ({near.kind}, fitted S = {set(near.fitted) or '{}'}, "
                     f"field degree {near.point.degree}) is at relative distance {near.relative_distance:.3g} > "
                     f"tolerance {tol:g}: the float weights are not that close to a critical point (polish them, "
                     "or raise --tolerance)")
        return _not_snapped(notes + list(near.notes), tol, near.fitted, near)
    # Every candidate within the tolerance is classified (strict and non-strict saddles accumulate at each
    # other); the snap is the simplest of them (smallest total numerical rank of the layers, then nearest):
    # noise only raises numerical ranks, as the smallest denominator wins among rationalizations.
    within = []
    for (label, rel, _), point in zip(near.candidates, near.candidate_points):
        if rel <= tol:
            if point is not near.point:
                try:
                    point = verify_critical_point(point)
                except ArithmeticError as err:
                    notes.append(f"candidate '{label}' failed its exact check: {err}")
                    continue
            verdict = near.classification if point is near.point else classify_candidate(point)
            complexity = sum(numerical_rank(np.array(w, dtype=np.float64))
                             for w in point.float_weights())
            within.append((complexity, rel, label, point, verdict))
    within.sort(key=lambda t: (t[0], t[1]))
    _, rel, label, point, verdict = within[0]
    kinds = {w[4].kind for w in within}
    for w in within:
        if w[3] is not point:
            notes.append(f"another exact critical point within the tolerance: {w[2]}, relative distance {w[1]:.3g}, "
                         f"{w[4].kind}")
    if len(kinds) > 1:
        notes.append(f"critical points of different kinds ({', '.join(sorted(kinds))}) lie within the tolerance "
                     "of the float weights: the float point alone does not decide which one it approximates")
    distance = rel * (near.distance / near.relative_distance) if near.relative_distance else 0.0
    weights = point.rational_weights() if point.field is None else None
    route = "algebraic" if point.field is not None else "aligned"
    return SnapResult(True, route, weights, verdict.kind, "exact" if point.field is None else "exact over K",
                      distance, rel, near.fitted, None, tuple(notes + [f"structure: {label}"]),
                      getattr(verdict, "inertia", None), point=point, tolerance=tol,
                      kinds_near=tuple(sorted(k for k in kinds if k)), nearest=near)


def _regularized(problem: Problem, fw: list, tol: float, degree_cap: int, notes: list[str]) -> SnapResult:
    """lambda > 0: the closed-form critical point of Theorem R1 over its field (exactdln/tools/snap_regularized.py,
    docs/maths/regularized.md §9); snapped only within ``tol``, else the nearest one and why."""
    from exactdln.tools.snap_regularized import nearest_regularized_point

    near = nearest_regularized_point(problem, fw, degree_cap=degree_cap)
    if near.point is None:
        return _not_snapped(notes + list(near.notes), tol, None, near)
    point = near.point
    if not near.relative_distance <= tol:
        notes.append(f"the nearest closed-form critical point ({near.kind}, active singular pairs "
                     f"{list(point.active)}, field degree {point.degree}) is at relative distance "
                     f"{near.relative_distance:.3g} > tolerance {tol:g}: the float weights are not that close to a "
                     "critical point (run the optimizer longer, or raise --tolerance)")
        return _not_snapped(notes + list(near.notes), tol, None, near)
    weights = point.rational_weights() if point.field is None else None
    verdict = near.classification
    return SnapResult(True, "closed form", weights, near.kind, "exact" if point.field is None else "exact over K",
                      near.distance, near.relative_distance, None, None, tuple(notes + list(near.notes)),
                      getattr(verdict, "inertia", None), point=point, tolerance=tol, kinds_near=(near.kind,),
                      nearest=near)


def load_float_point(path: str | os.PathLike, limits: Limits = DEFAULT_LIMITS) -> tuple[Problem, list[np.ndarray]]:
    """Read data and float weights: ``.npz`` (X, Y, W1..WH or weights, lambda?) or JSON.

    In JSON, X, Y and lambda are read exactly (as written); weights may be binary floats.
    In ``.npz``, integer X/Y are exact and float X/Y are taken as the exact binary value.
    Both are read under the caps of ``limits`` (exactdln/model/problem.py :class:`Limits`), checked
    before the work: the file size, then (JSON) nesting and number counts on the raw text, (.npz)
    the uncompressed size of every array before it is decompressed. A weight beyond the float64
    range is refused, never rounded to infinity.
    """
    source = os.fspath(path)
    try:
        size = os.path.getsize(source)
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", None, source) from None
    if size > limits.max_file_bytes:
        raise InputError(f"file is {size} bytes, more than {limits.max_file_bytes}", None, source)
    try:
        if source.endswith(".npz"):
            return _load_npz(source, limits)
        return _load_json(source, limits)
    except InputError as err:
        raise (err if err.source else err.with_source(source)) from None
    except (OSError, ValueError, KeyError, EOFError) as err:
        raise InputError(f"cannot read: {' '.join(str(err).split())[:200]}", None, source) from None


def _load_npz(source: str, limits: Limits) -> tuple[Problem, list[np.ndarray]]:
    import zipfile

    from exactdln.tools.interop import refuse_encrypted

    try:
        archive = np.load(source, allow_pickle=False)
    except zipfile.BadZipFile as err:
        raise InputError(f"not an .npz archive ({err})") from None
    with archive as z:
        budget = limits.max_entries * 16 + 64 * 1024           # float64/complex entries plus headers
        unpacked = sum(info.file_size for info in z.zip.infolist())
        for info in z.zip.infolist():
            refuse_encrypted(info, info.filename)
        if unpacked > budget:
            raise InputError(f"the arrays unpack to {unpacked} bytes, more than {budget} "
                             f"({limits.max_entries} entries)")
        keys = set(z.files)
        for k in ("X", "Y"):
            if k not in keys:
                raise InputError("missing", k)

        def exact(a: np.ndarray, name: str) -> RationalMatrix:
            if a.ndim != 2:
                raise InputError(f"expected a 2-d array, got {a.ndim}-d", name)
            if a.dtype.kind == "f":
                if not np.all(np.isfinite(a)):
                    raise InputError("not finite", name)
                return RationalMatrix(tuple(tuple(Fraction(float(x)) for x in row) for row in a), a.shape[1])
            return as_matrix(a, name, limits)
        X, Y = exact(z["X"], "X"), exact(z["Y"], "Y")
        if "weights" in keys:
            arr = z["weights"]
            weights = [float_matrix(w, f"weights[{h}]") for h, w in enumerate(arr)]
        else:
            names = sorted((k for k in keys if k.startswith("W") and k[1:].isdigit()), key=lambda k: int(k[1:]))
            if not names:
                raise InputError("no W1..WH arrays and no 'weights'", "weights")
            weights = [float_matrix(z[k], k) for k in names]
        if len(weights) > limits.max_layers:
            raise InputError(f"more than {limits.max_layers} layers", "weights")
        lam = z["lambda"].tolist() if "lambda" in keys else 0
        return Problem(X, Y, parse_lambda(lam, limits)), weights


def _load_json(source: str, limits: Limits) -> tuple[Problem, list[np.ndarray]]:
    data = read_json_file(source, limits)
    if not isinstance(data, dict):
        raise InputError("expected a JSON object with keys X, Y, weights")
    for k in ("X", "Y", "weights"):
        if k not in data:
            raise InputError("missing", k)
    problem = Problem.create(data["X"], data["Y"], data.get("lambda", 0), limits=limits)
    ws = data["weights"]
    if not isinstance(ws, list) or not ws:
        raise InputError("expected a non-empty list of matrices", "weights")
    if len(ws) > limits.max_layers:
        raise InputError(f"more than {limits.max_layers} layers", "weights")
    weights = []
    for h, w in enumerate(ws):
        field = f"weights[{h}]"
        if not isinstance(w, list) or not w or not all(isinstance(row, list) for row in w):
            raise InputError("expected a matrix (a non-empty list of rows)", field)
        if len(w) > limits.max_dimension or any(len(row) > limits.max_dimension for row in w):
            raise InputError(f"more than {limits.max_dimension} rows or columns", field)
        ncols = len(w[0])
        if ncols == 0 or any(len(row) != ncols for row in w):
            raise InputError("rows of different lengths (or empty)", field)
        weights.append(np.array([[_float_entry(x, f"{field}[{i}][{j}]", limits) for j, x in enumerate(row)]
                                 for i, row in enumerate(w)], dtype=np.float64).reshape(len(w), ncols))
    return problem, weights


def _float_entry(x: Any, field: str, limits: Limits) -> float:
    """A float weight: a JSON number (as the float it spells) or an exact number string (rounded once)."""
    if isinstance(x, JsonDecimal):
        value = float(x)            # the literal's nearest float, as json would have read it
    elif isinstance(x, (int, str)) and not isinstance(x, bool):
        q = parse_number(x, field, limits)
        try:
            value = float(q)
        except OverflowError:
            raise InputError("beyond the float64 range", field) from None
    else:
        raise InputError(f"expected a number, got {'null' if x is None else type(x).__name__}", field)
    if not np.isfinite(value):
        raise InputError("not finite (or beyond the float64 range)", field)
    return value
