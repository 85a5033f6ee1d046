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
  verified over K before it is written;
- non-strict saddle (lambda = 0): ``psd_hessian`` over K and an ``escape_curve`` (docs/maths/escape_curves.md
  §1-§4). The Hessian's kernel is given as orbit tangents of W_h -> A W_h, W_(h+1) -> W_(h+1) A^-1
  (docs/maths/hessian_inertia.md §2) independent on coordinates P (a minor nonzero mod p under a residue map
  Z_(p)[theta] -> F_p), F the complement of P: with T = [orbit | E_F] invertible and Hess T = [0 | Hess E_F],
  T^T Hess T = diag(0, Hess[F, F]) (Sylvester's law of inertia, as in docs/maths/hessian_inertia.md §6), and
  Hess[F, F] is factored as L diag(D) L^T with D >= 0 at theta (zeros for the rest of the kernel, so no explicit
  kernel vector is written). The curve comes from the cut-chain search over K
  (:func:`exactdln.certify.escape.find_field_escape_curve`), rational when the kernels it uses are.
  The claim is built only when :func:`psd_check_units` estimates the checker's work on it below half of
  MAX_WORK. Otherwise (at degree 10 the L D L^T has entries of 25,000 bits) the claim takes the congruence form
  (:func:`field_psd_congruence_evidence`, docs/maths/algebraic.md §16): the kernel is the unit vectors of the
  Hessian's zero rows and orbit tangents, and an integer T with T B T^T strictly diagonally dominant shows
  B = Hess[F, F] positive definite, when :func:`psd_congruence_units` is at most twice MAX_WORK (it was 2.4-2.6
  times the checker's charge at the degree-10 plateaus); otherwise ``notes`` says so and no kind is claimed. A
  certificate the checker then refuses for its work is written again without this evidence
  (:func:`exactdln.certify.point.certify`). When the floats see kernel directions that are neither zero rows nor
  orbit tangents (at the plateaus that ``exactdln trace`` snaps: weights not aligned with the unit vectors), no
  congruence is tried at W and the note gives the split of the kernel (docs/maths/algebraic.md §16); the same
  evidence is then sought at the aligned point W' = phi(W) of the orbit of W and written inside a ``transport``
  claim (:func:`exactdln.certify.transport.aligning_transport`, docs/maths/algebraic.md §17).
"""

from __future__ import annotations

from fractions import Fraction
from math import gcd
from typing import Any

import numpy as np
from flint import fmpq_mat

from exactdln.arith.exact import to_fmpq
from exactdln.arith.number_field import FieldElement, FieldMatrix, column_basis, kernel_vectors
from exactdln.certify.caps import POINT_CHECKER_CAPS, check_field_caps, check_point_caps, psd_hessian_fits
from exactdln.certify.escape import find_field_escape_curve
from exactdln.landscape.field_spectral import FieldSpectralFacts
from exactdln.landscape.number_field_point import FieldPoint, field_gradient, field_hessian
from exactdln.model.field_format import AlgebraicProblem
from exactdln.model.results import (GLOBAL_MINIMIZER, LOCAL_MINIMIZER, NON_STRICT_SADDLE, NOT_CRITICAL, STRICT_SADDLE,
                                    fraction_text)

__all__ = ["field_evidence", "field_psd_congruence_evidence", "field_psd_hessian_evidence", "psd_check_units",
           "psd_congruence_units"]


def _text(x: Fraction) -> str:
    return fraction_text(x)      # in full beyond Python's 4,300-digit str limit


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
    """N (d x (d - r)) with Q^T N = 0 and columns independent: the echelon kernel of Q^T over K (d = d_y, small)."""
    columns = kernel_vectors(Q.transpose())
    return FieldMatrix.from_rows(Q.field, [[v[i] for v in columns] for i in range(Q.nrows())])


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


def _orbit_generators(point: FieldPoint, skip: frozenset[int] = frozenset(), *, orthogonal: bool = False
                      ) -> tuple[list[tuple[int, int, int]], list[int]]:
    """Orbit generators (h, a, b) (tangent D_h = E_ab W_h, D_(h+1) = -W_(h+1) E_ab) and as many coordinates P, none
    in ``skip``, with the minor [generators, P] nonzero mod p under a residue map Z_(p)[theta] -> F_p
    (:attr:`exactdln.arith.number_field.NumberField.residue_maps`), hence nonzero over K. ([], []) when the
    depth is 1 or no residue map applies. ``orthogonal``: the skew generators (h, a, b), a < b, of E_ab - E_ba
    instead (tangents of the orthogonal group, in the Hessian's kernel at any lambda; the checker's
    ``orthogonal_orbit_kernel``)."""
    from flint import nmod_mat

    from exactdln.arith.exact import modular_pivot_columns
    from exactdln.landscape.number_field_point import orbit_generator_rows_mod_p

    found = orbit_generator_rows_mod_p(point)
    if found is None:
        return [], []
    prime, gens, rows = found
    if orthogonal:
        index = {g: i for i, g in enumerate(gens)}
        skew = [(h, a, b) for h, a, b in gens if a < b]
        rows = [[(x - y) % prime for x, y in zip(rows[index[(h, a, b)]], rows[index[(h, b, a)]])] for h, a, b in skew]
        gens = skew
    if not rows:
        return [], []
    columns = [c for c in range(len(rows[0])) if c not in skip]
    M = nmod_mat(len(rows), len(columns), [row[c] for row in rows for c in columns], prime)
    P = modular_pivot_columns(M)
    if not P:
        return [], []
    restricted = nmod_mat(len(P), len(rows), [int(M[i, j]) for j in P for i in range(len(rows))], prime)
    chosen = modular_pivot_columns(restricted)          # rows of M independent on the columns P
    return [gens[i] for i in chosen], [columns[j] for j in P]


def _semidefinite_ldl(rows: list[list[Any]]) -> tuple[list[int], list[list[Any]], list[Any]] | None:
    """(perm, L, D) with B[perm][:, perm] = L diag(D) L^T over K, L unit lower-triangular and D >= 0 at theta,
    for a symmetric B; None when B is not PSD. Symmetric elimination with diagonal pivots: a pivot d > 0 leaves
    the Schur complement S - s s^T / d; a negative diagonal entry, or a zero diagonal whose row is not zero, means
    B is not PSD (a 2 x 2 principal minor [[0, b], [b, c]] has determinant -b^2 < 0); when the whole diagonal of
    what remains is zero, the rest is zero, its D entries are 0 and its columns of L are unit vectors."""
    q = len(rows)
    if q == 0:
        return [], [], []
    K = rows[0][0].field
    S = [list(r) for r in rows]
    remaining = list(range(q))
    order: list[int] = []
    columns: dict[int, dict[int, Any]] = {}
    D: list[Any] = []
    while remaining:
        pivot = next((i for i in remaining if not S[i][i].is_zero()), None)
        if pivot is None:
            if any(not S[i][j].is_zero() for i in remaining for j in remaining):
                return None
            break
        d = S[pivot][pivot]
        if d.sign() < 0:
            return None
        remaining.remove(pivot)
        inverse = 1 / d
        column = {i: S[i][pivot] * inverse for i in remaining}
        row = S[pivot]
        for i in remaining:
            if column[i].is_zero():
                continue
            ci, Si = column[i], S[i]
            for j in remaining:
                if not row[j].is_zero():
                    Si[j] = Si[j] - ci * row[j]
        order.append(pivot)
        D.append(d)
        columns[pivot] = column
    perm = order + remaining
    position = {p: k for k, p in enumerate(perm)}
    L = [[K.element(int(i == j)) for j in range(q)] for i in range(q)]
    for k, p in enumerate(order):
        for i, value in columns[p].items():
            L[position[i]][k] = value
    return perm, L, D + [K.element(0)] * len(remaining)


def psd_check_units(point: FieldPoint, orbit_count: int) -> int:
    """An estimate, before any of the evidence is built, of the units of arithmetic the checker spends on a
    psd_hessian claim over K: the Hessian (about n^2 / 2 products of weight-sized entries) and the exact
    elimination over K that tests the independence of the orbit kernel vectors (k^3 / 3 products for k orbit
    generators, fill-in included); a product of two entries of K costs about D^2 c^2 units, c = 1 + (largest
    integer coefficient bits of the weights over their common denominator) // 512 (exactdln/trusted/FORMAT.md,
    "Number fields"). Measured at the degree-10 point of bench/bench_field.py (75 parameters, 32 orbit
    generators): estimate 34 million units, checker 15.5 million (6-7 s CPU) on the claim built anyway, of which the
    elimination is now 0.06 million (division-free, exactdln/trusted/FORMAT.md "Number fields"): the k^3 / 3 term
    over-prices it, but it also stands for the engine's own L D L^T over K, which at the d_y = 5 plateau points of
    bench/study_plateau_distance.py did not finish in 250 s (degrees 5 and 10), so it is kept."""
    D, n = point.K.degree, point.n_parameters
    bits = 0
    for w in point.W:
        for x in w.entries():
            coefficients = x.coefficients()
            den = 1
            for c in coefficients:
                den = den * c.denominator // gcd(den, c.denominator)
            top = max(abs(c.numerator * (den // c.denominator)).bit_length() for c in coefficients)
            bits = max(bits, top + 1)
    c = 1 + bits // 512
    unit = 2 + D * D * c * c
    return 3 * n * n + (n * n // 2 + orbit_count ** 3 // 3) * unit


def field_psd_hessian_evidence(point: FieldPoint, orbit: tuple[list, list] | None = None) -> dict[str, Any] | None:
    """The psd_hessian claim over K (module docstring): orbit generators with coordinates P, no explicit kernel
    vector, and B = Hess[F, F] = L diag(D) L^T (perm'd) on the complement F of P, with D >= 0 at theta (zeros for
    the rest of the kernel: Hess is congruent to diag(0_P, B), so it is PSD iff B is). None when B is not PSD."""
    hessian = field_hessian(point).tolist()
    n = len(hessian)
    if orbit is None:
        orbit = _orbit_generators(point) if point.depth >= 2 and not point.problem.regularized else ([], [])
    gens, P = orbit
    in_P = set(P)
    F = [i for i in range(n) if i not in in_P]
    found = _semidefinite_ldl([[hessian[i][j] for j in F] for i in F])
    if found is None:
        return None
    perm, L, D = found
    claim: dict[str, Any] = {"type": "psd_hessian"}
    if gens:
        claim["orbit_kernel"] = [list(g) for g in gens]
    claim.update({"kernel": [], "kernel_pivots": list(P),
                  "ldl": {"free": F, "perm": perm, "L": [[_entry(x) for x in row] for row in L],
                          "D": [_entry(x) for x in D]}})
    return claim


def field_psd_congruence_evidence(point: FieldPoint, notes: list[str] | None = None,
                                  gaps: list[int] | None = None, *, orthogonal: bool = False) -> dict[str, Any] | None:
    """The psd_hessian claim with a congruence {free, T} (exactdln/trusted/FORMAT.md, "Number fields"): no inverse in
    K, for the points where the L D L^T over K has entries far longer than the Hessian's.

    Kernel: the unit vectors of the Hessian's zero rows Z (explicit) and orbit generators independent on
    coordinates P outside Z; F is the rest and B = Hess[F, F]. When these span the kernel, Hess is congruent to
    diag(0, B) with B positive definite (Sylvester's law of inertia, docs/maths/hessian_inertia.md §6). Floats
    propose the congruence, as in :func:`exactdln.arith.guided.guided_congruence_inertia`: with S = diag(2^-e_i),
    B_ii / 4^e_i in [1, 4), a float Cholesky S B S = L L^T and G = L^-1, the integer T = round(2^(b + E) G S)
    (E = max e_i) gives T B T^T = 4^(b + E) (I + R), where the rounding contributes |R_ij| <= 2^-b q max|L| and the
    floats about 2^-52 q cond(S B S). T B T^T is then computed over K and its strict diagonal dominance with a
    positive diagonal (which makes it, hence B, positive definite: Gershgorin) verified from rational
    approximations of its entries within a known width. None when that kernel is not the whole kernel (B is
    singular), the floats fail, or the test does not pass; then ``notes`` (when given) gets the reason, with the
    split of the kernel when the floats see directions that are neither zero rows nor orbit tangents (at the
    plateau points that exactdln trace snaps, whose weights are not aligned with the unit vectors, every row of
    the Hessian is nonzero and most of its kernel is of that kind: docs/maths/algebraic.md §16). ``orthogonal``:
    the orbit tangents are those of the orthogonal group (``orthogonal_orbit_kernel``; a regularized point)."""
    rows = field_hessian(point).tolist()
    n = len(rows)
    zero = [i for i in range(n) if all(x.is_zero() for x in rows[i])]
    gens, P = (_orbit_generators(point, frozenset(zero), orthogonal=orthogonal) if point.depth >= 2 else ([], []))
    taken = set(zero) | set(P)
    free = [i for i in range(n) if i not in taken]
    q = len(free)
    T: list[list[int]] = []
    if q:
        approx = np.array([[float(rows[i][j]) for j in free] for i in free])
        gap = _kernel_gap(approx)
        if gap and notes is not None:
            notes.append(f"the Hessian's kernel has about {n - q + gap} directions (floats): {len(zero)} zero rows and "
                         f"{len(P)} independent orbit tangents, and {gap} others, for which the congruence claim "
                         "would need explicit kernel vectors over K (docs/maths/algebraic.md §16)")
        if gap:
            if gaps is not None:
                gaps.append(gap)
            return None
        diagonal = np.diag(approx)
        if not np.all(np.isfinite(approx)) or np.any(diagonal <= 0):
            return None
        e = (np.floor(np.log2(diagonal)).astype(int) // 2).tolist()
        top, b = max(e), 2 * q.bit_length() + 16
        scale = np.array([2.0 ** -x for x in e])
        try:
            chol = np.linalg.cholesky(approx * scale[:, None] * scale[None, :])
        except np.linalg.LinAlgError:
            return None
        G = np.tril(np.linalg.inv(chol)) * np.array([2.0 ** (b + top - x) for x in e])[None, :]
        if not np.all(np.isfinite(G)):
            return None
        T = [[int(x) for x in row] for row in np.rint(G)]
        K = point.K
        B = FieldMatrix.from_rows(K, [[rows[i][j] for j in free] for i in free])
        Tf = FieldMatrix.rational(K, fmpq_mat(q, q, [x for row in T for x in row]))
        M = (Tf * B * Tf.transpose()).tolist()
        width = Fraction(2) ** (2 * (b + top)) / (64 * q)
        a = [[M[i][j].approximate(width) for j in range(q)] for i in range(q)]
        if not all(a[i][i] - width > sum(abs(a[i][j]) + width for j in range(q) if j != i) for i in range(q)):
            return None
    claim: dict[str, Any] = {"type": "psd_hessian"}
    if gens:
        claim["orthogonal_orbit_kernel" if orthogonal else "orbit_kernel"] = [list(g) for g in gens]
    claim.update({"kernel": [[str(int(i == z)) for i in range(n)] for z in zero], "kernel_pivots": zero + list(P),
                  "congruence": {"free": free, "T": [[str(x) for x in row] for row in T]}})
    return claim


def _kernel_gap(approx: np.ndarray) -> int:
    """The number of eigenvalues of the float matrix B below 10^-9 of its largest (0 when finite and none is):
    the kernel directions of the Hessian that B still holds."""
    if not np.all(np.isfinite(approx)) or approx.size == 0:
        return 0
    values = np.linalg.eigvalsh(approx)
    return int(np.sum(np.abs(values) <= 1e-9 * max(1.0, float(np.max(np.abs(values))))))


def psd_congruence_units(point: FieldPoint, claim: dict[str, Any]) -> int:
    """An estimate of the checker's units on the gradient of ``critical`` and a psd_hessian claim by congruence
    (exactdln/trusted/FORMAT.md, "Number fields"): the sum over the nonzero Hessian entries of D^2 c^2 (c = 1 +
    bits // 1024 of the entry's integer coefficients over their common denominator: the checker prices the
    coefficients of field elements in blocks of 1024 bits), which stands for the gradient and the small matrices of
    the entries' formula (checker.py ``HessianEntries``: A_h^T A_k, C_h Sxx C_k^T, A_k^T G C_h^T, W_{k-1:h+1}), plus
    q^2 D^2 (c + 1) for the enclosures of B = Hess[F, F] at theta (c the largest over B). The checker reads only B
    and the columns of H on the explicit kernel vectors' supports, not all of H. At the degree-10 point of
    bench/bench_field.py (S = {1, 2}) this estimate, in blocks of 512 bits then, was 1.59 million units where the
    checker spent 1.31 million (gradient 0.40, the small matrices 0.46, the entries read 0.09, enclosures 0.25,
    independence 0.02); at the aligned points of the degree-10 plateaus of a d_y = 5 run (tests/tools/test_trace.py)
    it was 2.6 times what the checker then charged."""
    D = point.K.degree
    blocks = [[_blocks(x) for x in row] for row in field_hessian(point).tolist()]
    free = claim["congruence"]["free"]
    widest = max((blocks[i][j] for i in free for j in free), default=0)
    return sum(D * D * c * c for row in blocks for c in row) + len(free) ** 2 * D * D * (widest + 1)


def _blocks(x: FieldElement) -> int:
    """1 + bits // 1024 of the integer coefficients of x over their common denominator (0 for x = 0)."""
    if x.is_zero():
        return 0
    coefficients = x.coefficients()
    den = 1
    for c in coefficients:
        den = den * c.denominator // gcd(den, c.denominator)
    return 1 + max(abs(c.numerator * (den // c.denominator)).bit_length() for c in coefficients) // 1024


def _non_strict_evidence(point: FieldPoint, notes: list[str], escape_time_limit: float,
                         gaps: list[int] | None = None) -> list[dict[str, Any]]:
    """psd_hessian and escape_curve claims over K (module docstring), or [] with the reason in ``notes``; ``gaps``
    gets the number of kernel directions the congruence could not take (neither zero rows nor orbit tangents)
    when that was the reason. For lambda = 0 (a regularized point goes to :func:`_local_minimizer_evidence`)."""
    too_big = psd_hessian_fits(point.n_parameters)
    if too_big is not None:
        notes.append(f"{too_big}: no psd_hessian claim, no kind claimed")
        return []
    orbit = _orbit_generators(point) if point.depth >= 2 else ([], [])
    units, budget = psd_check_units(point, len(orbit[0])), POINT_CHECKER_CAPS["MAX_WORK"] // 2
    if units <= budget:
        psd = field_psd_hessian_evidence(point, orbit)
        if psd is None:
            notes.append("the L D L^T over K met a pivot <= 0 although floats saw no negative eigenvalue; no kind "
                         "claimed")
            return []
    else:
        why: list[str] = []
        psd = field_psd_congruence_evidence(point, why, gaps)
        if psd is None:
            notes.append(f"a psd_hessian claim with L D L^T over K would cost the checker about {units} units of "
                         f"arithmetic, more than half of its MAX_WORK = {POINT_CHECKER_CAPS['MAX_WORK']}, and "
                         + (why[0] if why else "the congruence did not verify") + "; no kind claimed")
            return []
        units = psd_congruence_units(point, psd)
        # the estimate was 2.4-2.6 times what the checker then charged at the aligned points of the degree-10
        # plateaus (tests/tools/test_trace.py); a certificate the checker still refuses is written again without
        # its kind (exactdln/certify/point.py)
        if units > 2 * budget:
            notes.append(f"a psd_hessian claim by a congruence would cost the checker about {units} units of "
                         f"arithmetic, more than its MAX_WORK = {POINT_CHECKER_CAPS['MAX_WORK']}; no kind claimed")
            return []
    curve = find_field_escape_curve(point, time_limit=escape_time_limit)
    if curve is None:
        notes.append("PSD Hessian over K, not certified global, and no escape curve found by the cut-chain search "
                     "over K (docs/maths/escape_curves.md §4); no kind claimed")
        return []
    notes.append(str(curve))
    return [psd, {"type": "escape_curve", "coefficients": [[_matrix(C) for C in Cs] for Cs in curve.coefficients]}]


def _local_minimizer_evidence(point: FieldPoint, notes: list[str]) -> dict[str, Any] | None:
    """psd_hessian by a congruence whose kernel is spanned by the tangents of the orthogonal group alone (no explicit
    kernel vector), at a regularized critical point over K: then the checker's kind local_minimizer holds (the kernel
    is the orbit's tangent space and the Hessian is positive definite across it; docs/maths/hessian_inertia.md §10).
    None, with the reason in ``notes``, when the Hessian has zero rows, when its kernel has other directions (a
    degenerate point, or a symmetry of the data that is not a hidden layer's; docs/maths/regularized.md §7), or when
    the congruence does not verify."""
    why: list[str] = []
    claim = field_psd_congruence_evidence(point, why, orthogonal=True)
    if claim is None or claim["kernel"]:
        notes.append("regularized critical point with no negative direction: "
                     + (why[0] if why else "the congruence with the orthogonal orbit's tangents as kernel did not "
                                           "verify") + "; no kind claimed")
        return None
    return claim


def _aligned(point: FieldPoint):
    """The transport to the aligned point of the orbit of W (exactdln/certify/transport.py), computed once."""
    from exactdln.certify.transport import aligning_transport

    if "_aligned" not in point.__dict__:
        point.__dict__["_aligned"] = aligning_transport(point)
    return point.__dict__["_aligned"]


def _transport_claim(transport, claims: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "transport", "weights": [_matrix(w) for w in transport.point.W],
            "A": [_matrix(a) for a in transport.A], "A_inverse": [_matrix(b) for b in transport.inverse],
            "claims": claims}


def _transported_strict_evidence(point: FieldPoint) -> dict[str, Any] | None:
    """A transport claim with a strict_saddle direction at the aligned point W', when floats see no negative
    eigenvalue of the Hessian at W itself, or None. At the plateaus of a run whose hidden layers keep directions of
    tiny singular values (~1e-6: "hidden layers at their numerical ranks"), the negative curvature at W is of the
    order of their product (about -3e-11 against 84 at the depth-4 plateaus fitting {1} and {1, 2} of a d_y = 5 run
    from seed 2), below what floats can tell from 0; the transport puts those directions on unit vectors (its A_h
    carry the small singular values), and at W' the same negative directions have curvature about -15."""
    transport = _aligned(point)
    if transport is None:
        return None
    direction = _negative_direction(transport.point)
    if direction is None:
        return None
    return _transport_claim(transport, [
        {"type": "critical"},
        {"type": "strict_saddle", "direction": direction,
         "source": "negative eigen-direction of the Hessian over K at the aligned point (float-guided, verified)"},
        {"type": "kind", "kind": STRICT_SADDLE}])


def _transported_evidence(point: FieldPoint, notes: list[str], escape_time_limit: float) -> dict[str, Any] | None:
    """A transport claim (exactdln/certify/transport.py) to the aligned point W' of the orbit of W, with the
    non-strict saddle evidence at W' (critical, psd_hessian, escape_curve, kind), or None with the reason in
    ``notes``."""
    transport = _aligned(point)
    if transport is None:
        if point.depth >= 2 and not point.problem.regularized:
            k = point.end_to_end.rank()
            tails = [point.suffix[h].rank() for h in range(1, point.depth)]
            why = ("W_(H:1) = 0" if k == 0 else
                   f"it needs rank W_(H:h+1) = rank W_(H:1) = {k} for every hidden h (so that range W_(h:1) and "
                   f"ker W_(H:h+1) split the hidden space), and these ranks are {tails}"
                   if any(r != k for r in tails) else "a change of basis was singular")
            notes.append(f"no transport to an aligned point: {why} (docs/maths/algebraic.md §17)")
        return None
    there: list[str] = []
    evidence = _non_strict_evidence(transport.point, there, escape_time_limit)
    notes.extend(f"at the aligned point of its orbit (transport): {n}" for n in there)
    if not evidence:
        return None
    return _transport_claim(transport, [{"type": "critical"}, *evidence, {"type": "kind", "kind": NON_STRICT_SADDLE}])


def field_evidence(problem: AlgebraicProblem, weights: Any, *, escape_time_limit: float = 20.0
                   ) -> tuple[dict[str, Any], str | None, list[str]]:
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
            strict_moved = _transported_strict_evidence(point) if direction is None else None
            if direction is not None:
                claims.append({"type": "strict_saddle", "direction": direction,
                               "source": "negative eigen-direction of the Hessian over K (float-guided, verified)"})
                kind = STRICT_SADDLE
            elif strict_moved is not None:
                claims.remove({"type": "critical"})          # W is critical because W' is (docs/maths/algebraic.md §17)
                claims.append(strict_moved)
                kind = STRICT_SADDLE
                notes.append("floats see no negative eigenvalue of the Hessian at W itself; the strict saddle is "
                             "certified at the aligned point W' = phi(W) of its orbit (a transport claim)")
            elif problem.regularized:
                local = _local_minimizer_evidence(point, notes)
                if local is not None:
                    claims.append(local)
                    kind = LOCAL_MINIMIZER
            else:
                here: list[str] = []
                gaps: list[int] = []
                evidence = _non_strict_evidence(point, here, escape_time_limit, gaps)
                # the transport helps only where the kernel had directions besides zero rows and orbit tangents; after
                # a failed escape search it would only repeat that search
                moved = None if evidence or not gaps else _transported_evidence(point, here, escape_time_limit)
                if evidence:
                    claims.extend(evidence)
                    kind = NON_STRICT_SADDLE
                elif moved is not None:
                    # W is critical because W' is (docs/maths/algebraic.md §17): the gradient at W, whose entries are
                    # the longer ones, is not recomputed (at the degree-10 plateau {1, 2}: 7.1 of 17.5 M units)
                    claims.remove({"type": "critical"})
                    claims.append(moved)
                    kind = NON_STRICT_SADDLE
                    here[0] = ("at W itself: " + here[0].replace("; no kind claimed", "") + "; the kind is certified at "
                               "the aligned point W' = phi(W) of its orbit instead (a transport claim)")
                notes.extend(here)
    if kind is not None:
        claims.append({"type": "kind", "kind": kind})
    return data, kind, notes
