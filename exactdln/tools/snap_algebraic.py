"""The exact critical point nearest to float weights, over Q or over the field of its fitted set.

Floats only *guide* (docs/maths/algebraic.md §12); the point itself is built and verified exactly by
:mod:`exactdln.instances.algebraic_critical`:

1. S, the fitted eigenvalues: c_i = u_i^T W_{H:1} Sigma_XY u_i / lambda_i (near 1 on S, near 0 off S;
   docs/maths/classification.md §2.1), cross-checked with the principal angles between range W_{H:1} (its
   numerical rank from the largest singular-value gap) and the eigenvectors u_i of Sigma.
2. The hidden rank structure: each hidden layer W_2..W_{H-1} rounded to rationals at its numerical rank (the
   largest relative singular-value gap above 10^-6, else full), and a second candidate with every hidden layer
   truncated to rank |S| (the minimal structure, Achour, Malgouyres, Gerchinovitz 2024, Prop. 1).
3. Alignment (the symmetry W_h -> A_h W_h A_{h-1}^-1 is fitted, not ignored): the basis of U_S is
   g(Sigma) Z with Z the rationalized float eigenvectors divided by g(lambda_i), so that it is close to
   orthonormal; W_H = Q L with L = U_S^T W_H rounded; W_1 = F1 G1 with the float column factor F1 kept and G1
   projected orthogonally (at the real embedding) onto the linear criticality conditions over K.

Each candidate is exactly critical (gradient zero over K) with loss (||Y||^2 - sum_S lambda_i)/2; the nearest
one (Frobenius distance over all layers) is classified exactly. Regularized problems are refused with the
reason (the unregularized fitted-set structure does not apply).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from exactdln.instances.algebraic_critical import (
    DEFAULT_DEGREE_CAP,
    AlgebraicCriticalPoint,
    Alignment,
    FieldDegreeError,
    PrecisionCapError,
    construct_critical_point,
    fitted_field,
    sigma_of,
    verify_critical_point,
)
from exactdln.model.problem import InputError, Problem, RationalMatrix

__all__ = ["NearestCritical", "nearest_critical_point", "classify_candidate", "float_guides"]

RANK_GAP = 1e-6            # a relative singular value below this is a numerical zero


@dataclass(frozen=True)
class NearestCritical:
    """The exact critical point nearest to float weights among the candidates built, and how far it is.

    ``point``: an :class:`AlgebraicCriticalPoint` (over Q when ``point.field`` is None) or None when no
    candidate could be built (``notes`` say why); ``ranks``: numerical ranks of W_1..W_H and of the product;
    ``candidates``: (label, relative distance, kind or None) for every candidate built, nearest first;
    ``candidate_points`` the points themselves (only the first, ``point``, is verified exactly here; pass the
    others to :func:`exactdln.instances.algebraic_critical.verify_critical_point` before use).
    """

    point: AlgebraicCriticalPoint | None
    fitted: tuple[int, ...] | None
    ranks: tuple[int, ...]
    distance: float | None
    relative_distance: float | None
    notes: tuple[str, ...] = ()
    kind: str | None = None
    classification: Any = None
    candidates: tuple[tuple[str, float, str | None], ...] = ()
    candidate_points: tuple[AlgebraicCriticalPoint, ...] = field(default=(), compare=False, repr=False)

    @property
    def field_degree(self) -> int | None:
        return None if self.point is None else self.point.degree

    def to_json(self) -> dict[str, Any]:
        return {
            "found": self.point is not None,
            "fitted": list(self.fitted) if self.fitted is not None else None,
            "ranks": list(self.ranks),
            "distance": self.distance,
            "relative_distance": self.relative_distance,
            "kind": self.kind,
            "field_degree": self.field_degree,
            "critical_value": self.point.to_json()["critical_value"] if self.point else None,
            "critical_value_text": self.point.critical_value_text if self.point else None,
            "candidates": [{"structure": c[0], "relative_distance": c[1], "kind": c[2]} for c in self.candidates],
            "point": self.point.to_point_json() if self.point else None,
            "notes": list(self.notes),
        }

    def __str__(self) -> str:
        if self.point is None:
            return "no exact critical point found\n" + "\n".join(f"  - {n}" for n in self.notes)
        lines = [str(self.point),
                 f"kind: {self.kind}" if self.kind else "kind: not classified",
                 f"distance from the float weights: {self.distance:.3g} (relative {self.relative_distance:.3g})",
                 f"numerical ranks of W_1..W_H, product: {list(self.ranks)}"]
        lines += [f"  candidate {c[0]}: relative distance {c[1]:.3g}" + (f", {c[2]}" if c[2] else "")
                  for c in self.candidates[1:]]
        lines += [f"  - {n}" for n in self.notes]
        return "\n".join(lines)


# --- float guides -----------------------------------------------------------------------------------------------


def _floats(m: RationalMatrix) -> np.ndarray:
    return np.array([[float(x) for x in row] for row in m.rows], dtype=np.float64).reshape(m.shape)


def _unit_scaled(w: np.ndarray) -> tuple[np.ndarray, int]:
    """(w 2^-e, e) with the largest |entry| of w 2^-e in [1/2, 1) (exact: a power of two), so that LAPACK's norms
    of it cannot overflow: with entries near 1e308 its SVD met an infinite norm and OpenBLAS printed "On entry to
    DLASCL parameter number 4 had an illegal value" on stdout (fuzz seed 5011, input 90073). FloatingPointError
    when w is not finite (a float product of the run that overflowed)."""
    if not np.all(np.isfinite(w)):
        raise FloatingPointError("a float matrix of the point is not finite (float64 overflow)")
    top = float(np.max(np.abs(w))) if w.size else 0.0
    if top == 0.0:
        return w, 0
    e = int(np.frexp(top)[1])
    return np.ldexp(w, -e), e


def _svd(w: np.ndarray, **options: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """np.linalg.svd of w computed on w 2^-e (:func:`_unit_scaled`), singular values scaled back (they may then
    overflow to inf, which the callers' float checks catch)."""
    scaled, e = _unit_scaled(w)
    U, s, Vt = np.linalg.svd(scaled, **options)
    return U, np.ldexp(s, e), Vt


def numerical_rank(w: np.ndarray, gap: float = RANK_GAP) -> int:
    """The number of singular values above ``gap`` times the largest (0 for a zero matrix); the SVD of w scaled by
    a power of two (:func:`_unit_scaled`), which leaves the ratios of singular values as they are."""
    if w.size == 0:
        return 0
    s = np.linalg.svd(_unit_scaled(w)[0], compute_uv=False)
    if s[0] == 0:
        return 0
    return int(np.sum(s > gap * s[0]))


def _rationalize(a: np.ndarray, digits: int) -> Any:
    """Entries rounded to multiples of 10^(e - digits), 10^e the magnitude of the largest entry (decimal rationals:
    short, exact, relative precision 10^-digits for the matrix)."""
    from flint import fmpq, fmpq_mat

    out = fmpq_mat(a.shape[0], a.shape[1])
    scale = float(np.max(np.abs(a))) if a.size else 0.0
    if scale == 0.0 or not np.isfinite(scale):
        return out
    e = int(np.floor(np.log10(scale))) - digits
    # the quotient is formed exactly: 10.0 ** e underflows to 0 for a subnormal scale (5e-324 gave e = -330 and a
    # division by zero) and overflows beyond 1e308
    step = Fraction(10) ** e
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            k = round(Fraction(float(a[i, j])) / step)
            if k:
                out[i, j] = fmpq(k * 10 ** e, 1) if e >= 0 else fmpq(k, 10 ** (-e))
    return out


def _truncate(w: np.ndarray, rank: int) -> np.ndarray:
    U, s, Vt = _svd(w, full_matrices=False)
    return (U[:, :rank] * s[:rank]) @ Vt[:rank, :]


def _low_rank(w: np.ndarray, rank: int, digits: int) -> Any:
    """A rational matrix of rank exactly ``rank`` near the best rank-``rank`` approximation of w: (U_k s_k) V_k^T,
    each factor rounded (rounding the product instead would give full rank with tiny singular values)."""
    if rank >= min(w.shape):
        return _rationalize(w, digits)
    U, s, Vt = _svd(w)
    return _rationalize(U[:, :rank] * s[:rank], digits) * _rationalize(Vt[:rank, :], digits)


def _factors(w: np.ndarray, digits: int) -> tuple[Any, Any]:
    """Rational F (d x rho), G (rho x n), F G near w, rho the numerical rank (F = I at full row rank)."""
    rho = numerical_rank(w)
    if rho == w.shape[0]:
        return _rationalize(np.eye(w.shape[0]), 1), _rationalize(w, digits)
    U, s, Vt = _svd(w)
    return _rationalize(U[:, :rho] * s[:rho], digits), _rationalize(Vt[:rho, :], digits)


@dataclass(frozen=True)
class FloatGuides:
    eigenvalues: np.ndarray          # decreasing
    eigenvectors: np.ndarray         # columns u_1..u_{d_y}
    c: np.ndarray                    # c_i
    fitted: tuple[int, ...]
    ranks: tuple[int, ...]
    notes: tuple[str, ...]


def float_guides(problem: Problem, fw: Sequence[np.ndarray]) -> FloatGuides:
    """S and the ranks from the float point (module docstring, steps 1-2). Raises ValueError when the data are
    beyond float64 or Sigma_XX is numerically singular."""
    with np.errstate(all="raise"):
        X, Y = _floats(problem.X), _floats(problem.Y)
        Sxx, Syx = X @ X.T, Y @ X.T
        M = np.linalg.solve(Sxx, Syx.T).T
        Sigma = M @ Syx.T
    lam, U = np.linalg.eigh((Sigma + Sigma.T) / 2)
    order = np.argsort(lam)[::-1]
    lam, U = lam[order], U[:, order]
    P = fw[0]
    with np.errstate(all="raise"):           # an overflowing product is no guide (FloatingPointError, caught)
        for w in fw[1:]:
            P = w @ P
    notes = []
    c = np.diag(U.T @ P @ Syx.T @ U) / np.where(lam > 0, lam, 1.0)
    fitted = tuple(int(i + 1) for i in np.nonzero(c > 0.5)[0])
    off = float(np.max(np.minimum(np.abs(c), np.abs(c - 1)))) if c.size else 0.0
    if off > 0.05:
        notes.append(f"c_i = {np.round(c, 3).tolist()} are not all near 0 or 1 (largest defect {off:.2g}): the weights "
                     "are far from a critical point, S is a guess")
    ranks = tuple(numerical_rank(w) for w in fw) + (numerical_rank(P),)
    r = ranks[-1]
    if r != len(fitted):
        # principal angles: the weight of u_i in range P
        Uq, _, _ = _svd(P)
        weight = np.sum((U.T @ Uq[:, :r]) ** 2, axis=1)
        notes.append(f"numerical rank of W_H...W_1 is {r} but c_i select {len(fitted)}; the principal angles give "
                     f"weights {np.round(weight, 3).tolist()}")
    return FloatGuides(lam, U, c, fitted, ranks, tuple(notes))


def weight_scale(problem: Problem, depth: int) -> float:
    """sqrt(H) ||Sigma_YX Sigma_XX^-1||_F^(1/H): the norm of a balanced factorization of the least-squares map, the
    weight scale of the problem (0.0 when float64 cannot compute it). Relative distances are taken against
    max(||W_float||_F, this): at a float point near the origin ||W_float|| alone would call 10^-8 noise "100% away"."""
    try:
        with np.errstate(all="raise"):
            X, Y = _floats(problem.X), _floats(problem.Y)
            M = np.linalg.solve(X @ X.T, (Y @ X.T).T).T
            return float(np.sqrt(depth) * np.linalg.norm(M) ** (1.0 / depth))
    except (FloatingPointError, OverflowError, ValueError, np.linalg.LinAlgError):
        return 0.0


def _frobenius(mats: Sequence[np.ndarray]) -> float:
    """Frobenius norm of all layers together, scaled by the largest entry first: summing squares directly
    overflows to inf for entries beyond 1e154, and inf / inf made the relative distance NaN."""
    m = max((float(np.max(np.abs(a))) for a in mats if a.size), default=0.0)
    if m == 0.0 or not np.isfinite(m):
        return m
    return m * float(np.sqrt(sum(float(np.sum((a / m) ** 2)) for a in mats)))


def relative_frobenius_distance(exact: Sequence[np.ndarray], fw: Sequence[np.ndarray], scale: float = 0.0
                                ) -> tuple[float, float]:
    """(||E - W_float||_F, that divided by max(||W_float||_F, ``scale``)) over all layers, never NaN: a distance
    beyond float64's range is inf, and so is its relative distance."""
    with np.errstate(over="ignore", invalid="ignore"):
        d = _frobenius([np.asarray(e, dtype=np.float64).reshape(f.shape) - f for e, f in zip(exact, fw)])
        n = _frobenius(list(fw))
    if not np.isfinite(d):
        return float("inf"), float("inf")
    return d, d / max(n, scale, np.finfo(float).tiny)


def _distance(point: AlgebraicCriticalPoint, fw: Sequence[np.ndarray], scale: float = 0.0) -> tuple[float, float]:
    return relative_frobenius_distance(point.float_weights(), fw, scale)


def classify_candidate(point: AlgebraicCriticalPoint) -> Any:
    """The exact verdict (classify over Q, or over K for algebraic points)."""
    if point.field is None:
        from exactdln.theory.classify import classify

        problem = Problem.create([[e[0] for e in row] for row in point.problem.X.rows],
                                 [[e[0] for e in row] for row in point.problem.Y.rows], 0)
        return classify(problem, point.rational_weights())
    from exactdln.theory.number_field import classify_over_field

    return classify_over_field(point.problem, point.weights)


def _alignments(guides: FloatGuides, ff: Any, fw: Sequence[np.ndarray], widths: Sequence[int], digits: int
                ) -> list[tuple[str, Alignment]]:
    S = ff.fitted
    r = len(S)
    H = len(widths) - 1
    lam = guides.eigenvalues
    idx = [i - 1 for i in S]
    US = guides.eigenvectors[:, idx]
    # g(lambda_i) = prod_{j not in S} (lambda_i - lambda_j): Q = g(Sigma) Z ~ U_S
    others = [j for j in range(len(lam)) if j not in idx]
    g = np.array([np.prod([lam[i] - lam[j] for j in others]) for i in idx]) if r else np.zeros(0)
    Z = _rationalize(US / g, digits) if r else None
    head = _rationalize(US.T @ fw[-1], digits) if r else None
    first = _factors(fw[0], digits)
    out = []
    if H >= 2:
        hidden = tuple(_low_rank(fw[h], numerical_rank(fw[h]), digits) for h in range(1, H - 1))
        out.append(("hidden layers at their numerical ranks" if H > 2 else "aligned (W_2 = Q L, W_1 fitted)",
                    Alignment(Z, hidden, head, first)))
        if any(numerical_rank(fw[h]) > r for h in range(1, H - 1)):
            minimal = tuple(_low_rank(fw[h], r, digits) for h in range(1, H - 1))
            out.append((f"hidden layers truncated to rank {r}", Alignment(Z, minimal, head, first)))
    out.append(("minimal construction (not aligned)", Alignment(Z)))
    return out


def _build(X: Any, Y: Any, ff: Any, fw: Sequence[np.ndarray], widths: Sequence[int], guides: FloatGuides,
           digits: int, scale: float, verify: bool) -> tuple[list, list[str]]:
    built, failures = [], []
    for label, alignment in _alignments(guides, ff, fw, widths, digits):
        try:
            point = construct_critical_point(X, Y, ff, widths, alignment, verify=verify)
        except (ArithmeticError, ZeroDivisionError, InputError) as err:
            failures.append(f"candidate '{label}' not built: {err}")
            continue
        d, rel = _distance(point, fw, scale)
        built.append((rel, d, label, point))
    return built, failures


def nearest_critical_point(problem: Problem, float_weights: Sequence[Any], *,
                           degree_cap: int = DEFAULT_DEGREE_CAP, classify: bool = True) -> NearestCritical:
    """The exact critical point nearest to ``float_weights`` among the aligned candidates of the module docstring.

    The point lies over Q or over the field F_S of the float point's fitted set S (degree <= C(d_y, r = #S);
    exactdln/instances/algebraic_critical.py), has an exactly zero gradient and the critical value
    (norm(Y)^2 - sum_{i in S} lambda_i)/2 (Achour, Malgouyres, Gerchinovitz 2024, Prop. 1). The distance is reported,
    not held to a tolerance (:func:`exactdln.tools.snap.snap` does that). ``degree_cap``: above it the result has
    no point and says the degree (never a silent fallback).
    """
    fw = [np.asarray(w, dtype=np.float64) for w in float_weights]
    if not fw or any(w.ndim != 2 for w in fw):
        raise InputError("expected a list of 2-d weight matrices", "weights")
    widths = (fw[0].shape[1],) + tuple(w.shape[0] for w in fw)
    ranks = tuple(numerical_rank(w) for w in fw)
    if problem.regularized:
        return NearestCritical(None, None, ranks, None, None, (regularized_reason(problem, widths),))
    try:
        guides = float_guides(problem, fw)
    except (FloatingPointError, OverflowError, np.linalg.LinAlgError, ValueError) as err:
        return NearestCritical(None, None, ranks, None, None,
                               (f"the float64 guides failed ({type(err).__name__}): the data are out of float64's "
                                "reach or X X^T is singular",))
    notes = list(guides.notes)
    S = guides.fitted
    scale = weight_scale(problem, len(fw))
    from exactdln.arith.exact import to_fmpq_mat

    X, Y = to_fmpq_mat(problem.X), to_fmpq_mat(problem.Y)
    try:
        sigma, _, _ = sigma_of(X, Y)
        ff = fitted_field(sigma, S, degree_cap=degree_cap)
    except (FieldDegreeError, PrecisionCapError) as err:
        return NearestCritical(None, S, guides.ranks, None, None, tuple(notes + [str(err)]))
    except InputError as err:
        return NearestCritical(None, S, guides.ranks, None, None, tuple(notes + [err.message if hasattr(err, "message")
                                                                                  else str(err)]))
    # Guides rounded to as few digits as the distance allows (short entries keep the exact classification fast):
    # start at 4 significant digits, refine until the rounding is below 1% of the distance.
    # Trial builds are not verified (distances only); the final ones are (gradient 0 and loss over K).
    digits = 4
    for _ in range(4):
        trial, _ = _build(X, Y, ff, fw, widths, guides, digits, scale, False)
        if not trial:
            break
        want = min(15, max(4, int(np.ceil(-np.log10(max(min(b[0] for b in trial), 1e-300)))) + 2))
        if want <= digits:
            break
        digits = want
    built, failures = _build(X, Y, ff, fw, widths, guides, digits, scale, False)
    notes += failures
    built.sort(key=lambda b: b[0])
    # only the nearest candidate is verified here (gradient 0 and loss over K); the others on demand
    # (verify_critical_point), e.g. by snap before it classifies them
    while built:
        try:
            built[0] = built[0][:3] + (verify_critical_point(built[0][3]),)
            break
        except ArithmeticError as err:
            notes.append(f"candidate '{built[0][2]}' failed its exact check: {err}")
            built.pop(0)
    if not built:
        return NearestCritical(None, S, guides.ranks, None, None, tuple(notes))
    rel, d, label, point = built[0]
    kind = verdict = None
    if classify:
        verdict = classify_candidate(point)
        kind = verdict.kind
    notes.append(f"structure: {label}; field degree {point.degree}")
    candidates = tuple((b[2], b[0], kind if b is built[0] else None) for b in built)
    return NearestCritical(point, S, guides.ranks, d, rel, tuple(notes), kind, verdict, candidates,
                           tuple(b[3] for b in built))


def regularized_reason(problem: Problem, widths: Sequence[int]) -> str:
    """Why a regularized float point is not snapped to the closed-form critical set (docs/maths/regularized.md §3,
    §9), or, when the data allow it, what :mod:`exactdln.tools.snap_regularized` does instead."""
    from exactdln.theory.regularized import whitening_constant

    H = len(widths) - 1
    lambdas = problem.layer_lambdas(H)
    if any(l <= 0 for l in lambdas):
        return ("some lambda_h = 0 while others are > 0: the closed form of docs/maths/regularized.md §3 needs every "
                "lambda_h > 0, so only a rational critical point found by rationalization can be snapped")
    if whitening_constant(problem) is None:
        return ("lambda > 0 and X X^T is not c I: the regularized critical set has no closed form "
                "(docs/maths/regularized.md §1: whitening W_1 turns its penalty into a weighted norm), so only a "
                "rational critical point found by rationalization can be snapped")
    if H < 2:
        return ("depth 1 with lambda > 0: the loss is strongly convex and its one critical point "
                "W = Y X^T (X X^T + lambda I)^-1 is rational, found by rationalization when its denominators are at "
                "most 10^12")
    from exactdln.arith.exact import to_fmpq_mat
    from exactdln.theory.regularized_field import regularized_spectrum

    try:
        regularized_spectrum(to_fmpq_mat(problem.X), to_fmpq_mat(problem.Y), lambdas, widths)
    except ArithmeticError as err:
        return (f"lambda > 0 with X X^T = c I, but the closed form of docs/maths/regularized.md §3 could not be "
                f"isolated: {err}")
    return ("lambda > 0 with X X^T = c I: the critical set is the closed form of docs/maths/regularized.md §3, built "
            "over the field of its layer singular values (§9; exactdln/tools/snap_regularized.py); a repeated "
            "singular value of M is built when its whole block uses one root, and a bottleneck narrower than "
            "d_0 and d_H only with simple active singular values")
