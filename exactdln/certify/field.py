"""Certificates for points over a real number field K = Q(theta) (format: exactdln/trusted/FORMAT.md, "field").

The certificate carries the field as the point file does ("field": {"minpoly", "interval"}) and every
entry as a number or a coefficient list [a_0, ..., a_(d-1)]; the standalone checker
(exactdln/trusted/checker.py) verifies the polynomial and its interval and every claim with polynomial
arithmetic modulo the minimal polynomial over Fractions, signs by a Taylor bound on a bisected interval.
:func:`exactdln.certify.point.certify` builds the document with :func:`field_evidence`, then runs the
checker on it as for any point. Evidence per kind, found over K by the engine and re-checked there:

- not critical: one gradient entry (Yun et al. 2018, Lemma 3.2) nonzero at theta;
- global minimizer (lambda = 0): ``top_eigenspace`` (Yun et al. 2018, Thm 2.1/2.2; Achour, Malgouyres,
  Gerchinovitz 2024, classification (a); docs/maths/classification.md §3.3): Q = W_{H:1} Z spans the range,
  N spans its orthogonal complement, and a rational c separates the fitted eigenvalues of Sigma from the
  others (the separators of exactdln/landscape/field_spectral.py); or, for rank < r_max, N^T Sigma N = 0;
- strict saddle: a rational direction D with a negative t^2 coefficient of L(W + tD) (v^T Hess v / 2 < 0),
  proposed by floats (the eigenvector of the smallest eigenvalue of the float Hessian, rationalized) and
  verified over K before it is written.

Not yet: non-strict saddles (the psd_hessian and escape_curve claims are rational only); the certificate
then holds the facts proved (critical) and no kind claim, and ``notes`` says so.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
from flint import fmpq_mat

from exactdln.arith.exact import to_fmpq
from exactdln.arith.number_field import FieldElement, FieldMatrix, column_basis
from exactdln.certify.caps import check_field_caps, check_point_caps
from exactdln.landscape.field_spectral import FieldSpectralFacts
from exactdln.landscape.number_field_point import FieldPoint, field_gradient, field_hessian
from exactdln.model.field_format import AlgebraicProblem
from exactdln.model.results import GLOBAL_MINIMIZER, NOT_CRITICAL, STRICT_SADDLE

__all__ = ["field_evidence"]


def _text(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def _entry(x: FieldElement) -> Any:
    if x.is_rational:
        return _text(x.rational())
    return [_text(c) for c in x.coefficients()]


def _matrix(M: FieldMatrix) -> list[list[Any]]:
    return [[_entry(x) for x in row] for row in M.tolist()]


def _rational_matrix(rows: list[list[Fraction]]) -> list[list[str]]:
    return [[_text(x) for x in row] for row in rows]


def _skeleton(problem: AlgebraicProblem, point: FieldPoint) -> dict[str, Any]:
    lambdas = problem.layer_lambdas(point.depth)
    lam: Any = _text(lambdas[0]) if len(set(lambdas)) <= 1 else [_text(l) for l in lambdas]
    lo, hi = point.K.isolating_interval()
    if lo == hi:                  # theta rational (a linear minimal polynomial): any interval around it
        lo, hi = lo - 1, hi + 1
    return {"format": "exactdln-certificate", "version": 1,
            "field": {"minpoly": [_text(c) for c in point.K.minpoly], "interval": [_text(lo), _text(hi)]},
            "problem": {"X": _matrix(point.X), "Y": _matrix(point.Y), "lambda": lam},
            "point": {"weights": [_matrix(w) for w in point.W]},
            "claims": []}


def _null_basis_of_transpose(Q: FieldMatrix) -> FieldMatrix:
    """N (d x (d - r)) with Q^T N = 0 and columns independent: the rref of Q^T over K (small: d = d_y)."""
    K = Q.field
    rows = [[x for x in row] for row in Q.transpose().tolist()]
    r, d = len(rows), Q.nrows()
    pivots: list[int] = []
    lead = 0
    for i in range(r):
        while lead < d and all(rows[k][lead].is_zero() for k in range(i, r)):
            lead += 1
        if lead == d:
            break
        k = next(k for k in range(i, r) if not rows[k][lead].is_zero())
        rows[i], rows[k] = rows[k], rows[i]
        inv = 1 / rows[i][lead]
        rows[i] = [x * inv for x in rows[i]]
        for k in range(r):
            if k != i and not rows[k][lead].is_zero():
                f = rows[k][lead]
                rows[k] = [a - f * b for a, b in zip(rows[k], rows[i])]
        pivots.append(lead)
        lead += 1
    free = [f for f in range(d) if f not in pivots]
    columns = []
    for f in free:
        v = [K.element(0)] * d
        v[f] = K.element(1)
        for i, p in enumerate(pivots):
            v[p] = -rows[i][f]
        columns.append(v)
    return FieldMatrix.from_rows(K, [[columns[j][i] for j in range(len(free))] for i in range(d)])


def _top_eigenspace(point: FieldPoint) -> dict[str, Any] | None:
    """The top_eigenspace claim (module docstring), or None when the point is not shown global this way."""
    facts = FieldSpectralFacts(point)
    if not facts.sigma_xx_invertible:
        return None
    k = point.r_max
    is_global, _ = facts.top_eigenspace_test(k)
    if not is_global:
        return None
    P = point.end_to_end
    cols = column_basis(P)
    r = len(cols)
    if r == 0:
        return None
    d_x, d_y = point.widths[0], point.widths[-1]
    Z = [[Fraction(int(i == c)) for c in cols] for i in range(d_x)]
    Q = P.columns(cols)
    N = _null_basis_of_transpose(Q) if r < d_y else None
    if r == k and r < d_y:
        S = facts.fitted_eigen_indices()
        if S != tuple(range(1, k + 1)):
            return None
        c = facts.separators[k - 1]
    else:
        c = Fraction(-1)          # every eigenvalue on range Q exceeds -1 (Sigma is PSD); unused for r < k
    claim = {"type": "top_eigenspace", "Q": _matrix(Q), "Z": _rational_matrix(Z),
             "N": _matrix(N) if N is not None else [], "c": _text(c)}
    if r < k:
        claim["rank"] = r
    return claim


def _negative_direction(point: FieldPoint) -> list[list[list[str]]] | None:
    """A rational direction D with v^T Hess v < 0 over K (checked here exactly), from the float eigenvector of
    the smallest eigenvalue of the Hessian evaluated at theta; None when floats see no negative eigenvalue or
    the rationalized vector does not verify."""
    hessian = field_hessian(point)
    n = hessian.nrows()
    approx = np.array([[float(x) for x in row] for row in hessian.tolist()])
    if not np.all(np.isfinite(approx)):
        return None
    values, vectors = np.linalg.eigh(approx)
    if values[0] >= -1e-9 * max(1.0, float(np.max(np.abs(values)))):
        return None
    v = vectors[:, 0] / np.max(np.abs(vectors[:, 0]))
    rational = [Fraction(float(x)).limit_denominator(10**6) for x in v]
    column = fmpq_mat(n, 1, [to_fmpq(x) for x in rational])
    quadratic = (FieldMatrix.rational(point.K, column.transpose()) * hessian
                 * FieldMatrix.rational(point.K, column))[0, 0]
    if quadratic.sign() >= 0:
        return None
    return [[[_text(x) for x in row] for row in block] for block in point.layer_blocks(rational)]


def field_evidence(problem: AlgebraicProblem, weights: Any) -> tuple[dict[str, Any], str | None, list[str]]:
    """(certificate document, kind or None, notes) for a point over K (module docstring). The caller
    (:func:`exactdln.certify.point.certify`) checks the text against the caps and runs the standalone checker."""
    point = FieldPoint(problem, tuple(weights))
    check_point_caps(point.widths, problem.X.ncols)
    check_field_caps(point.K.degree)
    data = _skeleton(problem, point)
    claims: list[dict[str, Any]] = data["claims"]
    notes: list[str] = []
    kind = None
    gradient = field_gradient(point)
    entry = next(((h, a, b) for h, g in enumerate(gradient, 1) for a, row in enumerate(g.tolist())
                  for b, v in enumerate(row) if not v.is_zero()), None)
    if entry is not None:
        h, a, b = entry
        claims.append({"type": "not_critical", "layer": h, "entry": [a, b]})
        kind = NOT_CRITICAL
    else:
        claims.append({"type": "critical"})
        top = _top_eigenspace(point) if not problem.regularized else None
        if top is not None:
            claims.append(top)
            kind = GLOBAL_MINIMIZER
        else:
            direction = _negative_direction(point)
            if direction is not None:
                claims.append({"type": "strict_saddle", "direction": direction,
                               "source": "negative eigen-direction of the Hessian over K (float-guided, verified)"})
                kind = STRICT_SADDLE
            else:
                notes.append("no negative direction and not certified global: over a number field the psd_hessian "
                             "and escape_curve claims (non-strict saddles) are not available yet; no kind claimed")
    if kind is not None:
        claims.append({"type": "kind", "kind": kind})
    return data, kind, notes
