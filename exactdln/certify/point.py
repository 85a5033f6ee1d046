"""The certifier: search for the evidence of a point's class and write it as a certificate.

The certifier is large and untrusted; the standalone checker (exactdln/trusted/checker.py, stdlib
only) re-verifies every claim by multiplying and comparing (the format is
exactdln/trusted/FORMAT.md). Evidence per kind (docs/maths/classification.md §6,
docs/maths/escape_curves.md):

- not critical: one nonzero gradient entry dL/dW_h = -W_{H:h+1}^T G W_{h-1:1}^T + lambda_h W_h;
- global minimizer (lambda = 0): ``top_eigenspace``: range W_{H:1} = range Q is the top-r_max
  eigenspace of Sigma = Sigma_YX Sigma_XX^-1 Sigma_XY, strictly separated at a rational c
  (Achour et al. (JMLR 2024), first-order characterization and classification (a),
  docs/maths/classification.md §2.1 and §3.3; Yun et al. (ICLR 2018) Thm. 2.1-2.2), plus
  a ``rank`` claim for W_{H:1};
- strict saddle: first the theorems' directions (docs/maths/classification.md §6.1 rotation when S != [r], §6.2
  non-tightened pivot when S = [r]; :func:`strict_saddle_from_theorems`), else a Hessian vector v with
  v^T H v < 0 (``inertia.negative_direction``) reshaped into layers: the t^2 coefficient of L(W + tD) is
  v^T H v / 2 < 0. The claim's ``source`` says which;
- non-strict saddle (lambda = 0): ``psd_hessian`` (rref kernel of the Hessian and an LDL^T of
  the Hessian on the rref pivot columns, ``inertia.psd_ldl``) plus an ``escape_curve`` from
  the cut-chain search of docs/maths/escape_curves.md §2-§4 (:mod:`exactdln.certify.escape`), straight lines first, then
  quadratic curves W + t T_a + t^2 T_b;
- regularized (lambda > 0): critical + strict_saddle where a negative direction exists;
  otherwise no kind claim (format version 1 cannot certify a regularized local minimum).

Every certificate is re-checked by the standalone checker, run as a separate process on the
certificate file (``python -I -S exactdln/trusted/checker.py``, exactdln/certify/gate.py; the engine
never imports the checker), before it is returned as ``ok``; :func:`write_certificate` writes the
exact text the checker accepted through a temporary file and a rename.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
from flint import fmpq, fmpq_mat

from exactdln.arith.exact import nullspace, rank, rref_pivots, submatrix
from exactdln.certify.field import field_evidence
from exactdln.certify.escape import StrictDirection, find_escape_curve, pivot_direction, rotation_direction
from exactdln.arith.inertia import negative_direction, psd_ldl, symmetric_inertia
from exactdln.landscape.derivatives import gradient, hessian_matrix
from exactdln.landscape.point import ExactPoint, exact_point
from exactdln.landscape.symmetry import orbit_tangents
from exactdln.model.field_format import AlgebraicProblem
from exactdln.model.problem import Problem, RationalMatrix, int_text
from exactdln.certify.caps import check_certificate_text, check_point_caps, psd_hessian_fits
from exactdln.model.results import GLOBAL_MINIMIZER, LOCAL_MINIMIZER, NON_STRICT_SADDLE, NOT_CRITICAL, STRICT_SADDLE
from exactdln.certify.gate import (
    CHECKER_FILES,
    CertificateError,
    certificate_text,
    run_checker,
    write_checked_text,
)

__all__ = ["Certificate", "CertificateError", "certify", "check_certificate_data", "write_certificate",
           "top_eigenspace_evidence", "rank_evidence", "psd_hessian_evidence"]


@dataclass(frozen=True)
class Certificate:
    """A certificate (the JSON document of FORMAT.md), the kind it claims (or None) and notes on the search.

    ``text`` is the JSON text the standalone checker ran on, ``check_lines`` its per-claim output and
    ``ok`` whether it exited 0; :func:`write_certificate` writes ``text``, never a re-serialization."""

    data: dict[str, Any]
    kind: str | None
    notes: tuple[str, ...] = ()
    check_lines: tuple[str, ...] = field(default=(), compare=False)
    ok: bool = False
    text: str = field(default="", compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        return self.data

    def __str__(self) -> str:
        lines = [f"certificate: kind {self.kind or '(none)'}, {len(self.data['claims'])} claims, "
                 f"checker {'ok' if self.ok else 'REFUSED'}"]
        lines += list(self.check_lines)
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


# ------------------------------------------------------------------------------------------------ JSON helpers

def _text(x: fmpq | Fraction | int) -> str:
    if isinstance(x, fmpq):
        p, q = int(x.p), int(x.q)
    else:
        x = Fraction(x)
        p, q = x.numerator, x.denominator
    return int_text(p) if q == 1 else f"{int_text(p)}/{int_text(q)}"     # any length (str() stops at 4,300 digits)


def _matrix_json(M: fmpq_mat | RationalMatrix) -> list[list[str]]:
    if isinstance(M, RationalMatrix):
        return M.to_json()
    return [[_text(M[i, j]) for j in range(M.ncols())] for i in range(M.nrows())]


def _skeleton(problem: Problem, p: ExactPoint) -> dict[str, Any]:
    lambdas = problem.layer_lambdas(p.depth)
    lam: Any = _text(lambdas[0]) if len(set(lambdas)) <= 1 else [_text(l) for l in lambdas]
    return {"format": "exactdln-certificate", "version": 1,
            "problem": {"X": problem.X.to_json(), "Y": problem.Y.to_json(), "lambda": lam},
            "point": {"weights": [w.to_json() for w in p.weights_model]},
            "claims": []}


# ------------------------------------------------------------------------------------------------ evidence

def _rref_kernel(M: fmpq_mat) -> tuple[list[list[fmpq]], list[int], list[int]]:
    """(kernel basis, its pivot coordinates (= free columns), rref pivot columns) of M v = 0.

    The basis vector for free column f has 1 at f, 0 at the other free columns and -R[k, f] at pivot p_k,
    so the vectors restricted to the free columns form the identity (FORMAT.md ``kernel_pivots``).
    """
    n = M.ncols()
    R, pivots = rref_pivots(M) if M.nrows() else (M, [])
    piv = set(pivots)
    free = [c for c in range(n) if c not in piv]
    basis = []
    for f in free:
        v = [fmpq(0)] * n
        v[f] = fmpq(1)
        for k, pc in enumerate(pivots):
            v[pc] = -R[k, f]
        basis.append(v)
    return basis, free, pivots


def rank_evidence(p: ExactPoint, i: int, j: int) -> dict[str, Any]:
    """``rank`` claim for W_{j:i}: an r x r nonzero minor (rref pivots of P and P^T) and the rref kernel basis."""
    P = p.product(i, j)
    kernel, free, col_piv = _rref_kernel(P)
    _, row_piv = rref_pivots(P.transpose())
    return {"type": "rank", "i": i, "j": j, "rank": len(col_piv), "minor": {"rows": row_piv, "cols": col_piv},
            "kernel": [[_text(x) for x in v] for v in kernel], "kernel_pivots": free}


def _is_positive_definite(M: fmpq_mat) -> bool:
    return M.nrows() == 0 or symmetric_inertia(M).n_plus == M.nrows()


def _pencil_eigenvalues(A: fmpq_mat, B: fmpq_mat) -> np.ndarray | None:
    """Float eigenvalues of the symmetric pencil A - x B (B positive definite): only a guide for the separator;
    None when the entries are beyond float64 (the certified root isolation then decides alone)."""
    if A.nrows() == 0:
        return np.zeros(0)
    try:
        with np.errstate(all="raise"):
            a = np.array([[float(A[i, j]) for j in range(A.ncols())] for i in range(A.nrows())])
            b = np.array([[float(B[i, j]) for j in range(B.ncols())] for i in range(B.nrows())])
            values = np.sort(np.real(np.linalg.eigvals(np.linalg.solve(b, a))))
    except (OverflowError, FloatingPointError, np.linalg.LinAlgError):
        return None
    return values if np.all(np.isfinite(values)) else None


def _pencil_roots(A: fmpq_mat, B: fmpq_mat) -> list[tuple[Fraction, Fraction]]:
    """Certified enclosures [lo, hi] of the real roots of det(x B - A) (flint arb root isolation)."""
    from flint import ctx, fmpz_poly

    poly = (B.inv() * A).charpoly()
    den = poly.denom()
    integer = fmpz_poly([int(c * den) for c in poly.coeffs()])
    out = []
    old = ctx.prec
    try:
        ctx.prec = 256
        for root in integer.complex_roots():
            z = root[0] if isinstance(root, tuple) else root
            re = z.real
            mid, rad = Fraction(re.mid().str(60, radius=False)), Fraction(re.rad().str(10, radius=False))
            out.append((mid - rad - Fraction(1, 10**50), mid + rad + Fraction(1, 10**50)))
    finally:
        ctx.prec = old
    return out


def _separator(top: tuple[fmpq_mat, fmpq_mat], rest: tuple[fmpq_mat, fmpq_mat]) -> fmpq | None:
    """A rational c with top[0] - c top[1] > 0 and c rest[1] - rest[0] > 0, checked exactly; None if none found."""
    A, MA = top
    B, MB = rest

    def works(c: Fraction) -> bool:
        cq = fmpq(c.numerator, c.denominator)
        return _is_positive_definite(A - MA * cq) and _is_positive_definite(MB * cq - B)

    ea, eb = _pencil_eigenvalues(A, MA), _pencil_eigenvalues(B, MB)
    guesses = []
    if ea is not None and eb is not None:
        lo = float(eb[-1]) if len(eb) else float(ea[0]) - 2.0
        hi = float(ea[0]) if len(ea) else lo + 2.0
    else:
        lo = hi = 0.0
    if hi > lo:
        for den in (1, 2, 4, 10, 100, 10**4, 10**8):
            guesses.append(Fraction(round((lo + hi) / 2 * den), den))
        guesses.append(Fraction((lo + hi) / 2))
    for c in guesses:
        if works(c):
            return fmpq(c.numerator, c.denominator)
    # certified root isolation when the float gap is too small to trust
    try:
        ra = _pencil_roots(A, MA) if A.nrows() else []
        rb = _pencil_roots(B, MB) if B.nrows() else []
    except Exception:       # pragma: no cover - root isolation failed; no separator claimed
        return None
    lo_q = max((r[1] for r in rb), default=None)
    hi_q = min((r[0] for r in ra), default=None)
    if lo_q is None and hi_q is None:
        return None
    if lo_q is None:
        lo_q = hi_q - 2
    if hi_q is None:
        hi_q = lo_q + 2
    if hi_q <= lo_q:
        return None
    c = (lo_q + hi_q) / 2
    return fmpq(c.numerator, c.denominator) if works(c) else None


def top_eigenspace_evidence(p: ExactPoint) -> dict[str, Any] | None:
    """``top_eigenspace`` claim at an unregularized point, or None.

    r = r_max = min(d_0..d_H) and rank W_{H:1} = r; Q = the rref pivot columns of P = W_{H:1} (so Z = the
    matching unit vectors, P Z = Q), N = a basis of ker Q^T = range(Q)-perp, and c strictly between the
    eigenvalues of Sigma on range Q and on its complement (Achour et al. (JMLR 2024), classification (a) as in
    docs/maths/classification.md §3.3: a critical point is a global minimizer iff rank = r_max and S = [r_max];
    Yun et al. (ICLR 2018) Thm. 2.1-2.2). Sigma = Sigma_YX
    Sigma_XX^-1 Sigma_XY; needs Sigma_XX invertible. None when any step fails (no global claim).
    """
    if any(l != 0 for l in p.lambdas):
        return None
    if rank(p.sigma_xx) != p.sigma_xx.nrows():
        return None
    P = p.end_to_end
    _, pivots = rref_pivots(P)
    r = len(pivots)
    if r == 0 or r > p.r_max:
        return None
    d_x, d_y = p.widths[0], p.widths[-1]
    Q = submatrix(P, range(d_y), pivots)
    Z = fmpq_mat(d_x, r)
    for k, col in enumerate(pivots):
        Z[col, k] = 1
    N = nullspace(Q.transpose()) if r < d_y else fmpq_mat(d_y, 0)
    Sigma = p.sigma_yx * p.sigma_xx.solve(p.sigma_yx.transpose())
    # range Q must be Sigma-invariant for the eigenvalues to separate; the checker tests N^T Sigma Q = 0
    if N.ncols():
        cross = N.transpose() * Sigma * Q
        if any(x != 0 for x in cross.entries()):
            return None
    if r < p.r_max:
        # rank < r_max is global only if Sigma vanishes off range Q (Ky Fan; docs/maths/global_optimality.md
        # §2.1 (e), worked case T8 of §4)
        if any(x != 0 for x in (N.transpose() * Sigma * N).entries()):
            return None
        return {"type": "top_eigenspace", "rank": r, "Q": _matrix_json(Q), "Z": _matrix_json(Z),
                "N": _matrix_json(N) if N.ncols() else [], "c": "0"}
    c = _separator((Q.transpose() * Sigma * Q, Q.transpose() * Q), (N.transpose() * Sigma * N, N.transpose() * N))
    if c is None:
        return None
    return {"type": "top_eigenspace", "Q": _matrix_json(Q), "Z": _matrix_json(Z),
            "N": _matrix_json(N) if N.ncols() else [], "c": _text(c)}


_ORBIT_PRIME = 2**61 - 1     # the checker's prime (checker.ORBIT_PRIME)


def orbit_directions(p: ExactPoint, *, orthogonal_only: bool = False
                     ) -> list[tuple[tuple[int, int, int], dict[int, fmpq]]]:
    """The GL-orbit tangents ((h, a, b), sparse parameter vector): D_h = E_ab W_h, D_(h+1) = -W_(h+1) E_ab.

    W_h -> (I + s E_ab) W_h, W_(h+1) -> W_(h+1)(I - s E_ab) leaves W_{H:1}, hence the unregularized loss,
    unchanged; so at a critical point with lambda = 0 every tangent lies in the Hessian's kernel
    (differentiate L(W(s)) = L(W) twice). With ``orthogonal_only`` E_ab is replaced by the skew E_ab - E_ba, a < b,
    whose orbit keeps every ||W_h|| too, so its tangents lie in the kernel for any lambda. Parameter order:
    layer-major, row-major (FORMAT.md). The nonzero tangents of :func:`exactdln.landscape.symmetry.orbit_tangents`.
    """
    return [(label, v) for label, v in orbit_tangents(p, orthogonal_only=orthogonal_only) if v]


def _mod_p(x: fmpq) -> int | None:
    q = int(x.q)
    return None if q % _ORBIT_PRIME == 0 else int(x.p) * pow(q, -1, _ORBIT_PRIME) % _ORBIT_PRIME


def _orbit_kernel_basis(p: ExactPoint, kernel: list[list[fmpq]], kernel_pivots: list[int], *,
                        orthogonal: bool = False) -> tuple[list[list[int]], list[int]] | None:
    """(orbit generators, indices of the rref kernel vectors) that together form a basis of ker H.

    A kernel vector o equals V o[kernel_pivots] (the rref basis V is the identity on kernel_pivots), so a set of
    kernel vectors is a basis iff its restriction to kernel_pivots is nonsingular. Orbit tangents are taken
    greedily (rref of [O | I] mod p; independent mod p implies independent over Q, which the checker re-tests),
    then rref vectors complete the basis. None when no orbit direction helps or a denominator is divisible by p.
    """
    from flint import nmod_mat

    k = len(kernel_pivots)
    if k == 0:
        return None
    orbit = orbit_directions(p, orthogonal_only=orthogonal)
    index = {c: i for i, c in enumerate(kernel_pivots)}
    M = nmod_mat(k, len(orbit) + k, _ORBIT_PRIME)
    for j, (_, v) in enumerate(orbit):
        for c, x in v.items():
            if c in index:
                r = _mod_p(x)
                if r is None:
                    return None
                M[index[c], j] = r
    for i in range(k):
        M[i, len(orbit) + i] = 1
    R, rk = M.rref()
    cols = []
    for i in range(rk):
        j = next(j for j in range(R.ncols()) if int(R[i, j]) != 0)
        cols.append(j)
    gens = [list(orbit[j][0]) for j in cols if j < len(orbit)]
    extra = [j - len(orbit) for j in cols if j >= len(orbit)]
    return (gens, extra) if gens else None


def psd_hessian_evidence(hessian: fmpq_mat, point: ExactPoint | None = None) -> dict[str, Any] | None:
    """``psd_hessian`` claim: a kernel basis of H, and B = H[free, free] = L diag(D) L^T (perm'd) with D >= 0.

    H is congruent to diag(0, B) (docs/maths/hessian_inertia.md §3 and §6), so PSD iff B is; None if B is not PSD.
    With a critical ``point`` of an unregularized loss, the kernel is given mostly as GL-orbit generators (small, sparse, and in
    ker H by the symmetry W_h -> A W_h, W_(h+1) -> W_(h+1) A^-1; FORMAT.md ``orbit_kernel``) and only the rest as
    explicit rref vectors, which the checker multiplies by H.
    """
    kernel, free_kernel, pivots = _rref_kernel(hessian)
    B = submatrix(hessian, pivots, pivots)
    found = psd_ldl(B) if pivots else ([], [], [])
    if found is None:
        return None
    perm, L, D = found
    claim: dict[str, Any] = {"type": "psd_hessian"}
    basis = None
    regularized = point is not None and any(l != 0 for l in point.lambdas)
    if point is not None:
        # with a regularizer only the orthogonal group keeps L (FORMAT.md orthogonal_orbit_kernel)
        basis = _orbit_kernel_basis(point, kernel, free_kernel, orthogonal=regularized)
    if basis is not None:
        gens, extra = basis
        claim["orthogonal_orbit_kernel" if regularized else "orbit_kernel"] = gens
        kernel = [kernel[j] for j in extra]
    claim.update({"kernel": [[_text(x) for x in v] for v in kernel], "kernel_pivots": free_kernel,
                  "ldl": {"free": pivots, "perm": list(perm), "L": [[_text(x) for x in row] for row in L],
                          "D": [_text(x) for x in D]}})
    return claim


def _local_minimizer_evidence(problem: Problem, p: ExactPoint, notes: list[str]) -> dict[str, Any] | None:
    """A psd_hessian claim whose kernel is spanned by orthogonal-orbit tangents and whose L D L^T has D > 0, which
    makes a critical point of the regularized loss a local minimizer (docs/maths/hessian_inertia.md §10: the orbit
    of O(d_1) x ... x O(d_(H-1)) is a manifold of critical points of equal loss, and the Hessian is positive definite
    across it); None with the reason in ``notes`` (a larger kernel: a degenerate point, not decided here)."""
    too_big = psd_hessian_fits(p.n_parameters, point=p)
    if too_big is not None:
        notes.append(f"{too_big}: no psd_hessian claim, no kind claimed")
        return None
    psd = psd_hessian_evidence(hessian_matrix(problem, p), p)
    if psd is None:   # pragma: no cover - the negative-direction search said PSD
        raise CertificateError("Hessian has no negative direction but no PSD LDL^T was found")
    # D entries are written "p/q" with q > 0 (read as text: they may have more digits than int(str) takes)
    if psd["kernel"] or any(d.startswith("-") or d == "0" for d in psd["ldl"]["D"]):
        notes.append("regularized loss with a PSD Hessian whose kernel is larger than the span of the hidden "
                     "layers' orthogonal orbit tangents (a degenerate critical point, or a symmetry of the data, such "
                     "as rotations of input and output together when Y X^T = c I, for which the format has no "
                     "generator): no kind claimed")
        return None
    return psd


def strict_saddle_from_theorems(problem: Problem, p: ExactPoint) -> StrictDirection | None:
    """A small, explainable negative-curvature direction from the classification theorem, or None.

    The classification theorem (Achour et al. (JMLR 2024)) as reconstructed in docs/maths/classification.md
    §3.3 (b)/(c), with the constructions of §6.1 there (S != [r]: rotation of a fitted
    eigen-direction u_j toward an unfitted u_i, i < j; needs rational u_i, u_j) and §6.2 (S = [r]: a non-tightened
    pivot, in-case or out-case with a rational eps). Only for lambda = 0 and Sigma_XX invertible; every direction is
    accepted only after the exact expansion of L(W + tT). None sends the certifier to the Hessian direction.
    """
    if problem.regularized:
        return None
    from exactdln.landscape.spectral import SpectralFacts

    try:
        fitted = SpectralFacts(p).fitted_eigen_indices()
    except (ArithmeticError, ValueError, ZeroDivisionError):
        fitted = None
    if fitted is not None and tuple(fitted) != tuple(range(1, len(fitted) + 1)):
        found = rotation_direction(problem, p, fitted)
        if found is not None:
            return found
    return pivot_direction(problem, p)


def _critical_negative_direction(problem: Problem, p: ExactPoint) -> list[Fraction] | None:
    # at a critical point the orbit directions lie in ker H: the search runs on the principal block on the
    # complement of their pivots (exactdln/landscape/reduced_hessian.py), not on the full Hessian
    from exactdln.landscape.reduced_hessian import reduced_negative_direction

    try:
        return reduced_negative_direction(p, orthogonal_only=problem.regularized)
    except ValueError:      # the orbit check failed (never expected at a critical point): the full Hessian
        return negative_direction(hessian_matrix(problem, p))


# ------------------------------------------------------------------------------------------------ the engine

def certify(problem: Problem, weights: Any, *, escape_time_limit: float = 20.0) -> Certificate:
    """Search the evidence for the class of W and return the certificate, already re-checked by the checker.

    Order (module docstring, "Evidence per kind"): gradient (not critical); for lambda = 0 the top-eigenspace test
    (global minimizer); the exact Hessian: a negative direction (strict saddle), else psd_hessian and the
    cut-chain escape search (non-strict saddle). When no evidence suffices for a kind, the certificate holds the
    facts that were proved and no ``kind`` claim, and ``notes`` says why. The evidence is that of
    docs/maths/classification.md §4 and §6 (Achour, Malgouyres, Gerchinovitz 2024), docs/maths/hessian_inertia.md §6
    and docs/maths/escape_curves.md §1. A point over a number field (an ``AlgebraicProblem``) gets the evidence
    of :func:`exactdln.certify.field.field_evidence` (docs/maths/algebraic.md §14).
    """
    if isinstance(problem, AlgebraicProblem):      # entries in a number field: exactdln/certify/field.py
        data, kind, notes = field_evidence(problem, weights, escape_time_limit=escape_time_limit)
        text = certificate_text(data)
        check_certificate_text(text, data)
        run = run_checker(text, "exactdln-certificate")
        refused = next((line for line in run.lines() if "MAX_WORK" in line), None) if not run.ok else None
        if refused is not None and kind == NON_STRICT_SADDLE:
            # the certifier's estimates of the checker's work are estimates: when the evidence of the kind does not
            # fit after all, the point is still certified critical (the first claim of every field certificate is
            # about the gradient, and this one was found zero), without a kind
            data, kind = {**data, "claims": [{"type": "critical"}]}, None
            notes = notes + [f"the checker refused the non-strict saddle's evidence for its work ({refused.strip()}); "
                             "written again without it, no kind claimed"]
            text = certificate_text(data)
            check_certificate_text(text, data)
            run = run_checker(text, "exactdln-certificate")
        return Certificate(data, kind, tuple(notes), tuple(run.lines()), run.ok, text)
    p = exact_point(problem, weights)
    check_point_caps(p.widths, problem.m)           # the checker's caps, before any search (exactdln/certify/caps.py)
    data = _skeleton(problem, p)
    claims: list[dict[str, Any]] = data["claims"]
    notes: list[str] = []
    kind: str | None = None
    grad = gradient(problem, p)
    entry = next(((h, a, b) for h, g in enumerate(grad, 1) for a, row in enumerate(g.rows)
                  for b, v in enumerate(row) if v != 0), None)
    if entry is not None:
        h, a, b = entry
        claims.append({"type": "not_critical", "layer": h, "entry": [a, b]})
        kind = NOT_CRITICAL
    else:
        claims.append({"type": "critical"})
        top = top_eigenspace_evidence(p)
        if top is not None:
            claims.append(top)
            claims.append(rank_evidence(p, 1, p.depth))
            kind = GLOBAL_MINIMIZER
        else:
            theorem = strict_saddle_from_theorems(problem, p)
            v = _critical_negative_direction(problem, p) if theorem is None else None
            if theorem is not None:
                claims.append({"type": "strict_saddle", "direction": [_matrix_json(T) for T in theorem.direction],
                               "source": theorem.source})
                kind = STRICT_SADDLE
                notes.append(str(theorem))
            elif v is not None:
                direction = [[[_text(x) for x in row] for row in block] for block in p.layer_blocks(v)]
                claims.append({"type": "strict_saddle", "direction": direction,
                               "source": "negative eigen-direction of the exact Hessian (float-guided, verified)"})
                kind = STRICT_SADDLE
            elif problem.regularized:
                local = _local_minimizer_evidence(problem, p, notes)
                if local is not None:
                    claims.append(local)
                    kind = LOCAL_MINIMIZER
                    notes.append("the certificate proves a local minimizer (format version 1 has no claim for the "
                                 "global minimum of the regularized loss; exactdln classify gives the closed form's "
                                 "verdict, docs/maths/regularized.md)")
            elif psd_hessian_fits(p.n_parameters, point=p) is not None:
                notes.append(f"{psd_hessian_fits(p.n_parameters, point=p)}: no psd_hessian claim, no kind claimed")
            else:
                psd = psd_hessian_evidence(hessian_matrix(problem, p), p)
                if psd is None:   # pragma: no cover - negative_direction said PSD
                    raise CertificateError("Hessian has no negative direction but no PSD LDL^T was found")
                claims.append(psd)
                curve = find_escape_curve(problem, p, time_limit=escape_time_limit)
                if curve is not None:
                    claims.append({"type": "escape_curve",
                                   "coefficients": [[_matrix_json(C) for C in Cs] for Cs in curve.coefficients]})
                    kind = NON_STRICT_SADDLE
                    notes.append(str(curve))
                else:
                    notes.append("PSD Hessian, not a certified global minimizer, and no escape curve found by the "
                                 "cut-chain search (docs/maths/escape_curves.md §4); no kind claimed")
    if kind is not None:
        claims.append({"type": "kind", "kind": kind})
    text = certificate_text(data)
    check_certificate_text(text, data)              # size caps of the finished text, before the checker runs
    run = run_checker(text, "exactdln-certificate")
    return Certificate(data, kind, tuple(notes), tuple(run.lines()), run.ok, text)


def check_certificate_data(data: dict[str, Any]) -> tuple[bool, list[str]]:
    """Run the standalone checker, as a separate process, on a certificate document: (exit 0, report lines)."""
    fmt = data.get("format")
    run = run_checker(certificate_text(data), fmt if fmt in CHECKER_FILES else "exactdln-certificate")
    return run.ok, run.lines()


def write_certificate(certificate: Certificate, path: str | os.PathLike) -> None:
    """Write a checked certificate atomically: its checked text to a temporary file in the target's folder,
    then a rename. A certificate built without text (not by :func:`certify`) is checked on that temporary
    file by the checker subprocess first and renamed only on exit 0.

    Raises CertificateError if the checker refused it: nothing is written then.
    """
    if not certificate.ok:
        raise CertificateError("the checker refused the certificate:\n" + "\n".join(certificate.check_lines))
    if certificate.text:
        write_checked_text(certificate.text, path)
        return
    run = write_checked_text(certificate_text(certificate.data), path, "exactdln-certificate")
    if run is not None and not run.ok:
        raise CertificateError("the checker refused the certificate:\n" + "\n".join(run.lines()))
