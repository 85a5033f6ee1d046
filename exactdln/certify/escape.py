"""Escape curves at non-strict saddles: the cut-chain construction (docs/maths/escape_curves.md §2), verified exactly.

At a critical point W with a positive semidefinite Hessian, W is still not a local minimum
if some rational curve W(t) = W + t C_1 + t^2 C_2 + ... makes L(W(t)) - L(W) a polynomial
in t whose first nonzero coefficient is negative. The certificate checker only expands that
polynomial; this module searches for the curve.

Cut-chain construction (reconstructed in docs/maths/escape_curves.md §2-§3): for cut layers
c_1 < ... < c_m, pick x_j in ker W_{c_(j+1):c_j+1} with xi_j = W_{c_(j+1)-1:c_j+1} x_j, and
y_(j+1) with y_(j+1)^T xi_j = 1 (strict form: y_(j+1) orthogonal to range W_{c_(j+1)-1:1};
relaxed form: y_(j+1) = xi_j / |xi_j|^2), end vectors y_1 and x_m chosen so that
x_m^T K y_1 > 0 with K = W_{H:c_m+1}^T G W_{c_1-1:1}^T. With T_{c_j} = x_j y_j^T (other T_h = 0)
the strict form gives exactly (lambda = 0)
    L(W + tT) = L(W) - t^m u^T G w + 1/2 t^(2m) |u|^2 |X^T w|^2,   u = W_{H:c_m+1} x_m, w = W_{c_1-1:1}^T y_1.
The search runs over cut sets, kernel basis vectors, both forms and the transposed network
(W'_h = W_(H+1-h)^T, G' = G^T), and accepts a candidate only after the exact expansion of
L(W + tT) - L(W) (:func:`loss_polynomial`) has a negative first nonzero coefficient.

Over a real number field K = Q(theta) (:func:`find_field_escape_curve`) the same straight-line search runs on
the matrices over K of :class:`exactdln.landscape.number_field_point.FieldPoint`: kernels are reduced row
echelon bases over K (rational whenever the kernel is defined over Q, so the curve is rational when it can be),
end vectors are signed rational unit vectors, and L(W + tT) - L(W) is a polynomial in t with coefficients in K
(:func:`field_loss_polynomial`) whose first nonzero coefficient is negative at the embedding of K.
"""

from __future__ import annotations

import itertools
import time
from fractions import Fraction
from dataclasses import dataclass
from typing import Any, Sequence

from flint import fmpq, fmpq_mat

from exactdln.arith.exact import column_basis, identity, is_zero, nullspace, rank, transpose, zeros
from exactdln.landscape.point import ExactPoint, exact_point
from exactdln.model.problem import Problem
from exactdln.model.results import decimal_text

__all__ = ["EscapeCurve", "loss_polynomial", "find_escape_curve", "cut_chain_direction", "StrictDirection",
           "rotation_direction", "pivot_direction", "field_loss_polynomial", "find_field_escape_curve", "field_rref"]


@dataclass(frozen=True)
class EscapeCurve:
    """A curve W(t) = W + sum_k t^k C_k (``coefficients[k-1][h-1]`` = C_k for layer h) and its exact polynomial.

    ``polynomial[k]`` is the t^k coefficient of L(W(t)) - L(W); ``order`` the first nonzero one (negative).
    """

    coefficients: tuple[tuple[fmpq_mat, ...], ...]
    polynomial: tuple[fmpq, ...]
    order: int
    cuts: tuple[int, ...]
    form: str
    transposed: bool

    def __str__(self) -> str:
        side = ", transposed network" if self.transposed else ""
        c = self.polynomial[self.order]
        text = str(c)
        if len(text) > 80:          # over a field of degree 10 the exact coefficient runs to thousands of digits
            text = f"~{_approximate(c)}; {len(text)} characters exactly"
        return (f"escape curve of order {self.order} (coefficient {text}), "
                f"cut layers {list(self.cuts)}, {self.form} form{side}")


def _approximate(c: Any) -> str:
    """6 significant digits of a rational or field element for a note: by integer arithmetic for a rational (its
    value may lie beyond the float range: a fuzzed point with 4,860-digit data gave one), else the element's float."""
    if isinstance(c, fmpq):
        return decimal_text(Fraction(int(c.p), int(c.q)), 6)[0]
    try:
        return f"{float(c):.6g}"
    except (OverflowError, ValueError):
        return "(beyond the float range)"


def _polymat_mul(A: list[Any], B: list[Any]) -> list[Any]:
    """Product of two matrix polynomials given by coefficient lists (None = zero coefficient); the coefficients
    are fmpq_mat or FieldMatrix (anything with * and +)."""
    out: list[Any] = [None] * (len(A) + len(B) - 1)
    for a, Aa in enumerate(A):
        if Aa is None:
            continue
        for b, Bb in enumerate(B):
            if Bb is None:
                continue
            prod = Aa * Bb
            out[a + b] = prod if out[a + b] is None else out[a + b] + prod
    return out


def _inner(A: fmpq_mat, B: fmpq_mat) -> fmpq:
    return sum((x * y for x, y in zip(A.entries(), B.entries())), fmpq(0))


def loss_polynomial(problem: Problem, weights: Any, coefficients: Sequence[Sequence[fmpq_mat]]) -> list[fmpq]:
    """Coefficients (t^0, t^1, ...) of L(W(t)) - L(W) for W_h(t) = W_h + sum_k t^k C_k[h], exactly.

    L(W(t)) = 1/2 |W_{H:1}(t) X - Y|^2 + sum_h lambda_h/2 |W_h(t)|^2 (docs/maths/README.md §2); the product of the
    layer polynomials is expanded coefficient by coefficient (docs/maths/escape_curves.md §1: only the polynomial
    decides).
    """
    p = exact_point(problem, weights)
    H = p.depth
    layers = [[p.W[h]] + [c[h] if not is_zero(c[h]) else None for c in coefficients] for h in range(H)]
    R: list[fmpq_mat | None] = [p.X]
    for layer in layers:
        R = _polymat_mul(layer, R)
    R[0] = R[0] - p.Y
    out = [fmpq(0)] * (2 * len(R) - 1)
    for a, Ra in enumerate(R):
        if Ra is None:
            continue
        for b in range(a, len(R)):
            Rb = R[b]
            if Rb is None:
                continue
            value = _inner(Ra, Rb)
            out[a + b] += value if a == b else 2 * value
    out = [x / 2 for x in out]
    for lam, layer in zip(p.lambdas, layers):
        if lam == 0:
            continue
        need = 2 * len(layer) - 1
        if len(out) < need:
            out += [fmpq(0)] * (need - len(out))
        for a, Ca in enumerate(layer):
            for b, Cb in enumerate(layer):
                if Ca is not None and Cb is not None:
                    out[a + b] += lam * _inner(Ca, Cb) / 2
    out[0] = fmpq(0)
    while len(out) > 1 and out[-1] == 0:
        out.pop()
    return out


def _first_nonzero(poly: Sequence[fmpq]) -> int | None:
    return next((k for k in range(1, len(poly)) if poly[k] != 0), None)


def _orthogonal_component(vector: fmpq_mat, space: fmpq_mat | None) -> fmpq_mat:
    """The component of ``vector`` orthogonal to the column span of ``space`` (None or no columns = {0})."""
    if space is None or space.ncols() == 0:
        return vector
    gram = space.transpose() * space
    return vector - space * gram.solve(space.transpose() * vector)


def _column(M: fmpq_mat, j: int) -> fmpq_mat:
    return fmpq_mat(M.nrows(), 1, [M[i, j] for i in range(M.nrows())])


def _unit(n: int, i: int, sign: int = 1) -> fmpq_mat:
    v = fmpq_mat(n, 1)
    v[i, 0] = sign
    return v


def cut_chain_direction(
    W: Sequence[fmpq_mat], cuts: Sequence[int], links: Sequence[fmpq_mat], x_end: fmpq_mat, y_start: fmpq_mat,
    *, strict: bool,
) -> list[fmpq_mat] | None:
    """The cut-chain direction T (docs/maths/escape_curves.md §2-§3) for cut layers c_1 < ... < c_m (1-based) and
    chosen link vectors.

    ``links[j]`` is x_(j+1) in ker W_{c_(j+2):c_(j+1)+1} (0-based j); ``x_end`` = x_m, ``y_start`` = y_1.
    Strict form: y_(j+1) = rho / |rho|^2 with rho the part of xi_j orthogonal to range W_{c_(j+1)-1:1} (None if
    rho = 0); relaxed form: y_(j+1) = xi_j / |xi_j|^2. Returns T (T_{c_j} = x_j y_j^T, other layers zero).
    """
    H = len(W)
    widths = [W[0].ncols()] + [w.nrows() for w in W]
    xs = list(links) + [x_end]
    ys = [y_start]
    prefix = [identity(widths[0])]
    for w in W:
        prefix.append(w * prefix[-1])
    for j, x in enumerate(links):
        lo, hi = cuts[j], cuts[j + 1]
        xi = x
        for h in range(lo + 1, hi):        # W_{hi-1:lo+1} x
            xi = W[h - 1] * xi
        if strict:
            rng = prefix[hi - 1]
            space = column_basis(rng) if rank(rng) > 0 else None
            rho = _orthogonal_component(xi, space)
        else:
            rho = xi
        norm = (rho.transpose() * rho)[0, 0]
        if norm == 0:
            return None
        ys.append(rho / norm)
    T = [zeros(widths[h], widths[h - 1]) for h in range(1, H + 1)]
    for c, x, y in zip(cuts, xs, ys):
        T[c - 1] = x * y.transpose()
    return T


def _end_choices(K: fmpq_mat, limit: int) -> list[tuple[fmpq_mat, fmpq_mat]]:
    """(x_m, y_1) pairs with x_m^T K y_1 > 0: signed unit vectors at the largest entries of K."""
    entries = [(abs(K[a, b]), a, b) for a in range(K.nrows()) for b in range(K.ncols()) if K[a, b] != 0]
    entries.sort(key=lambda e: -e[0])
    return [(_unit(K.nrows(), a, 1 if K[a, b] > 0 else -1), _unit(K.ncols(), b)) for _, a, b in entries[:limit]]


def _candidates(W: list[fmpq_mat], G: fmpq_mat, min_order: int, max_links: int, max_ends: int,
                deadline: float = float("inf")):
    """Yield (cuts, form, T) from the cut-chain construction on the network W with residual G.

    Stops at ``deadline`` (time.monotonic()): most cut sets yield nothing, so the caller's own time check
    between candidates may not be reached for a long time."""
    H = len(W)
    widths = [W[0].ncols()] + [w.nrows() for w in W]
    prefix = [identity(widths[0])]
    for w in W:
        prefix.append(w * prefix[-1])
    suffix = [identity(widths[H])] * (H + 1)
    for h in range(H - 1, -1, -1):
        suffix[h] = suffix[h + 1] * W[h]
    kernels: dict[tuple[int, int], list[fmpq_mat]] = {}

    def link_kernel(lo: int, hi: int) -> list[fmpq_mat]:
        if (lo, hi) not in kernels:
            M = identity(widths[lo])
            for h in range(lo + 1, hi + 1):
                M = W[h - 1] * M
            basis = nullspace(M)
            kernels[lo, hi] = [_column(basis, j) for j in range(basis.ncols())]
        return kernels[lo, hi]

    # K depends on the first and last cut only; when it vanishes for every pair no cut set yields, and the
    # combinations below (2^H of them) would run without returning to the caller's time check
    spans = [b - a + 1 for a in range(1, H + 1) for b in range(a + 1, H + 1)
             if not is_zero(suffix[b].transpose() * G * prefix[a - 1].transpose())]
    for m in range(max(min_order, 2), max(spans, default=0) + 1):
        for cuts in itertools.combinations(range(1, H + 1), m):
            if time.monotonic() > deadline:
                return
            K = suffix[cuts[-1]].transpose() * G * prefix[cuts[0] - 1].transpose()
            if is_zero(K):
                continue
            link_options = [link_kernel(cuts[j], cuts[j + 1]) for j in range(m - 1)]
            if any(not opts for opts in link_options):
                continue
            ends = _end_choices(K, max_ends)
            for links in itertools.islice(itertools.product(*link_options), max_links):
                for strict in (True, False):
                    for x_end, y_start in ends:
                        T = cut_chain_direction(W, cuts, links, x_end, y_start, strict=strict)
                        if T is None:
                            break
                        yield cuts, ("strict" if strict else "relaxed"), T


def find_escape_curve(
    problem: Problem, weights: Any, *, min_order: int = 3, max_candidates: int = 2000, time_limit: float = 20.0,
    max_links: int = 16, max_ends: int = 3, straight: bool = True, curve_pool: int = 12,
) -> EscapeCurve | None:
    """Search the cut-chain construction (docs/maths/escape_curves.md §4: strict and relaxed forms, all cut sets of
    size >= min_order, the network and its transpose) for a straight line W + tT along which L decreases; verified
    exactly.

    If no straight line works (or ``straight`` is False), a quadratic curve W + t T_a + t^2 T_b is tried for pairs of
    the first ``curve_pool`` cut-chain directions and both signs of T_b (docs/maths/escape_curves.md §3: in the
    relaxed form only the polynomial decides; a second-order term can cancel the lower-order product terms a straight
    line leaves).
    Returns None when no candidate within the budget has a negative first nonzero coefficient of L(W(t)) - L(W).
    """
    p = exact_point(problem, weights)
    H = p.depth
    start = time.monotonic()
    G = p.residual
    sources = [
        (False, list(p.W), G),
        (True, [transpose(p.W[H - 1 - h]) for h in range(H)], transpose(G)),
    ]
    tried = 0
    pool: list[tuple[tuple[int, ...], str, bool, list[fmpq_mat]]] = []
    generators = [(flag, _candidates(Ws, Gs, min_order, max_links, max_ends, start + time_limit))
                  for flag, Ws, Gs in sources]
    for cuts, form, flag, T in _alternating_candidates(generators, H, transpose):
        if tried >= max_candidates or time.monotonic() - start > time_limit:
            break
        if len(pool) < curve_pool:
            pool.append((tuple(cuts), form, flag, T))
        tried += 1
        if not straight:
            if len(pool) >= curve_pool:
                break
            continue
        poly = loss_polynomial(problem, p, [T])
        order = _first_nonzero(poly)
        if order is not None and poly[order] < 0:
            return EscapeCurve((tuple(T),), tuple(poly), order, tuple(cuts), form, flag)
    return _quadratic_curve(problem, p, pool, start, time_limit)


def _alternating_candidates(generators: list[tuple[bool, Any]], H: int, transpose_matrix: Any) -> Any:
    """(cuts, form, flag, T) from the network's and its transpose's candidate generators in turn, so that neither
    starves the other; a candidate of the transposed network is mapped back: T_h = T'_(H+1-h)^T, cuts mirrored."""
    active = list(generators)
    while active:
        for item in list(active):
            flag, gen = item
            candidate = next(gen, None)
            if candidate is None:
                active.remove(item)
                continue
            cuts, form, T = candidate
            if flag:
                T = [transpose_matrix(T[H - 1 - h]) for h in range(H)]
                cuts = tuple(H + 1 - c for c in reversed(cuts))
            yield cuts, form, flag, T


def _quadratic_curve(problem: Problem, p: ExactPoint, pool: list, start: float, time_limit: float
                     ) -> EscapeCurve | None:
    """W + t T_a + t^2 (+-T_b) over pairs of pooled directions; the first with a negative leading coefficient."""
    for (cuts, form, flag, Ta), (_, _, _, Tb) in itertools.permutations(pool, 2):
        for sign in (1, -1):
            if time.monotonic() - start > time_limit:
                return None
            coefficients = [Ta, [x * sign for x in Tb]]
            poly = loss_polynomial(problem, p, coefficients)
            order = _first_nonzero(poly)
            if order is not None and poly[order] < 0:
                return EscapeCurve((tuple(Ta), tuple(coefficients[1])), tuple(poly), order, cuts,
                                   form + " + quadratic term", flag)
    return None


# ------------------------------------------------------------------------------------------------ strict saddles

@dataclass(frozen=True)
class StrictDirection:
    """A direction T with t^1 coefficient 0 and t^2 coefficient ``curvature`` < 0 of L(W + tT) - L(W).

    ``source`` names the construction (informational: the checker only expands the polynomial).
    """

    direction: tuple[fmpq_mat, ...]
    curvature: fmpq
    source: str

    def __str__(self) -> str:
        return f"strict-saddle direction from {self.source}: t^2 coefficient {self.curvature}"


def _accept(problem: Problem, p: ExactPoint, T: list[fmpq_mat], source: str) -> StrictDirection | None:
    """T if L(W + tT) - L(W) = c t^2 + O(t^3) with c < 0 exactly, else None."""
    if all(is_zero(t) for t in T):
        return None
    poly = loss_polynomial(problem, p, [T]) + [fmpq(0)] * 3
    if poly[1] == 0 and poly[2] < 0:
        return StrictDirection(tuple(T), poly[2], source)
    return None


def _rational_eigenvalues_decreasing(sigma: fmpq_mat) -> list[fmpq | None]:
    """Eigenvalues of Sigma in decreasing order (real, distinct under assumption (H)); None where irrational.

    The positions come from the float spectrum; the rational ones are the roots of the linear factors of the
    characteristic polynomial, matched to the nearest float eigenvalue.
    """
    import numpy as np

    chi = sigma.charpoly()
    rational = []
    for factor, _ in chi.factor()[1]:
        if factor.degree() == 1:
            rational.append(-factor[0] / factor[1])
    floats = sorted(np.linalg.eigvalsh(np.array([[float(sigma[i, j]) for j in range(sigma.ncols())]
                                                   for i in range(sigma.nrows())])), reverse=True)
    out: list[fmpq | None] = [None] * len(floats)
    for lam in rational:
        k = min(range(len(floats)), key=lambda t: abs(floats[t] - float(lam)))
        out[k] = lam
    return out


def _rational_sqrt(x: fmpq) -> fmpq | None:
    from math import isqrt

    p, q = int(x.p), int(x.q)
    if p < 0:
        return None
    a, b = isqrt(p), isqrt(q)
    return fmpq(a, b) if a * a == p and b * b == q else None


def rotation_direction(problem: Problem, weights: Any, fitted: Sequence[int]) -> StrictDirection | None:
    """The rotation direction of docs/maths/classification.md §6.1, which proves part (b) of the classification
    theorem (§3.3): at a critical point with S != [r], pick i not in S, j in S, i < j, and set T_1 = W_1 N / (s_i s_j)
    with N = Sigma_XY (u_j u_i^T - u_i u_j^T) Sigma_YX Sigma_XX^-1,
    T_H = (u_i u_j^T - u_j u_i^T) W_H, other T_h = 0; then Hess[T, T] = -2 s_j (s_i - s_j) (our 1/2 convention).

    Needs rational eigenvectors u_i, u_j (rational eigenvalues lambda_i, lambda_j). When s_i s_j is irrational the
    factor 1/(s_i s_j) is replaced by a rational approximation (the curvature is continuous in it); the result is
    accepted only after the exact expansion. None when no pair qualifies.
    """
    p = exact_point(problem, weights)
    if p.depth < 2 or any(l != 0 for l in p.lambdas) or p.sigma_xx.rank() != p.widths[0]:
        return None
    regression = p.sigma_xx.solve(p.sigma_yx.transpose()).transpose()        # Sigma_YX Sigma_XX^-1
    sigma = regression * p.sigma_yx.transpose()
    eig = _rational_eigenvalues_decreasing(sigma)
    S = set(fitted)
    d_y = sigma.nrows()
    for i in range(1, d_y + 1):
        if i in S or eig[i - 1] is None:
            continue
        for j in sorted(S):
            if j <= i or eig[j - 1] is None:
                continue
            vectors = []
            for lam in (eig[i - 1], eig[j - 1]):
                basis = nullspace(sigma - identity(d_y) * lam)
                if basis.ncols() != 1:
                    break
                u = _column(basis, 0)
                norm = _rational_sqrt((u.transpose() * u)[0, 0])
                # a unit vector when |u| is rational (then the curvature is exactly -s_j (s_i - s_j))
                vectors.append(u / norm if norm is not None else u)
            if len(vectors) != 2:
                continue
            ui, uj = vectors
            # unnormalized eigenvectors scale T_1 and T_H by the same |u_i| |u_j|: the sign is unchanged
            rotation = uj * ui.transpose() - ui * uj.transpose()
            N = p.sigma_yx.transpose() * rotation * regression
            exact = _rational_sqrt(eig[i - 1] * eig[j - 1])
            guess = float(eig[i - 1] * eig[j - 1]) ** 0.5
            scales = [1 / exact] if exact is not None else []
            scales += [fmpq(round(1e6 / guess), 10**6), fmpq(round(1e12 / guess), 10**12)] if guess > 0 else []
            for alpha in scales:
                T = [zeros(w.nrows(), w.ncols()) for w in p.W]
                T[0] = p.W[0] * N * alpha
                T[-1] = -rotation * p.W[-1]
                found = _accept(problem, p, T, f"rotation u_{j} -> u_{i} (docs/maths/classification.md §6.1)")
                if found is not None:
                    return found
    return None


def pivot_direction(problem: Problem, weights: Any) -> StrictDirection | None:
    """The pivot direction of docs/maths/classification.md §6.2, which proves the "<=" half of part (c) of the
    classification theorem (§3.3): at a critical point with a non-tightened pivot (h, k),
    K_hk = W_{H:k+1}^T G W_{h-1:1}^T != 0, take a, d with g = a^T K_hk d > 0 (a signed unit pair) and
    - in-case, rk W_{k-1:h+1} > rk W_{k-1:1}: b^T W_{k-1:1} = 0, b^T B != 0, b^T B c = 1; T_k = a b^T / eps,
      T_h = eps c d^T;
    - out-case, rk W_{k-1:h+1} > rk W_{H:h+1}: W_{H:h+1} c = 0, B c != 0, b^T B c = 1; T_h = c d^T / eps,
      T_k = eps a b^T;
    with B = W_{k-1:h+1}. Hess[T, T] = eps^2 |..|^2 - 2 g (our 1/2 convention), negative for a small rational eps
    (tried: 1, 1/2, 1/4, ... 2^-30). Accepted only after the exact expansion; None if no pivot gives one.
    """
    p = exact_point(problem, weights)
    if p.depth < 2 or any(l != 0 for l in p.lambdas):
        return None
    H = p.depth
    G = p.residual
    for h in range(1, H + 1):
        right = G * p.prefix[h - 1].transpose()
        if is_zero(right):
            continue
        for k in range(h + 1, H + 1):
            K = p.suffix[k].transpose() * right
            if is_zero(K):
                continue
            B = p.product(h + 1, k - 1)
            rb, rin, rout = rank(B), rank(p.product(1, k - 1)), rank(p.product(h + 1, H))
            if rb == rin == rout:
                continue     # tightened
            ai, di = max(((ai, di) for ai in range(K.nrows()) for di in range(K.ncols())),
                         key=lambda e: abs(K[e[0], e[1]]))
            a = _unit(K.nrows(), ai, 1 if K[ai, di] > 0 else -1)
            d = _unit(K.ncols(), di)
            cases = []
            if rb > rin:
                left = nullspace(p.product(1, k - 1).transpose())
                for col in range(left.ncols()):
                    b = _column(left, col)
                    Btb = B.transpose() * b
                    norm = (Btb.transpose() * Btb)[0, 0]
                    if norm != 0:
                        cases.append(("in", b, Btb / norm))
                        break
            if rb > rout:
                kern = nullspace(p.product(h + 1, H))
                for col in range(kern.ncols()):
                    c = _column(kern, col)
                    Bc = B * c
                    norm = (Bc.transpose() * Bc)[0, 0]
                    if norm != 0:
                        cases.append(("out", Bc / norm, c))
                        break
            for case, b, c in cases:
                for e in range(31):
                    eps = fmpq(1, 2**e)
                    T = [zeros(w.nrows(), w.ncols()) for w in p.W]
                    if case == "in":
                        T[k - 1], T[h - 1] = a * b.transpose() / eps, c * d.transpose() * eps
                    else:
                        T[h - 1], T[k - 1] = c * d.transpose() / eps, a * b.transpose() * eps
                    found = _accept(problem, p, T, f"non-tightened pivot ({h}, {k}), {case}-case, "
                                                   f"eps = {eps} (docs/maths/classification.md §6.2)")
                    if found is not None:
                        return found
    return None


# ------------------------------------------------------------------------------------------ over a number field

def field_rref(rows: list[list[Any]]) -> tuple[list[list[Any]], list[int]]:
    """Reduced row echelon form over K of rows of FieldElements, and the pivot columns (Gauss-Jordan; exact)."""
    rows = [list(r) for r in rows]
    pivots: list[int] = []
    ncols = len(rows[0]) if rows else 0
    rank = 0
    for col in range(ncols):
        k = next((k for k in range(rank, len(rows)) if not rows[k][col].is_zero()), None)
        if k is None:
            continue
        rows[rank], rows[k] = rows[k], rows[rank]
        inv = 1 / rows[rank][col]
        rows[rank] = [x * inv for x in rows[rank]]
        for i in range(len(rows)):
            if i != rank and not rows[i][col].is_zero():
                f = rows[i][col]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[rank])]
        pivots.append(col)
        rank += 1
    return rows[:rank], pivots


def _field_nullspace(M: Any) -> list[Any]:
    """A basis of ker M over K as column FieldMatrices: the reduced row echelon basis, which is rational when the
    kernel is defined over Q (the reduced echelon basis of a subspace is unique)."""
    from exactdln.arith.number_field import FieldMatrix

    K, n = M.field, M.ncols()
    R, pivots = field_rref(M.tolist()) if M.nrows() else ([], [])
    out = []
    for free in (c for c in range(n) if c not in pivots):
        v = [K.element(0)] * n
        v[free] = K.element(1)
        for i, p in enumerate(pivots):
            v[p] = -R[i][free]
        out.append(FieldMatrix.from_rows(K, [[x] for x in v]))
    return out


def _field_zeros(K: Any, rows: int, cols: int) -> Any:
    from exactdln.arith.number_field import FieldMatrix

    return FieldMatrix.rational(K, fmpq_mat(rows, cols))


def field_loss_polynomial(point: Any, coefficients: Sequence[Sequence[Any]]) -> list[Any]:
    """Coefficients (t^0, t^1, ...) of L(W(t)) - L(W) in K for W_h(t) = W_h + sum_k t^k C_k[h] at a point over K
    (:class:`exactdln.landscape.number_field_point.FieldPoint`, C_k[h] FieldMatrices): the expansion of
    :func:`loss_polynomial` with the arithmetic of K (docs/maths/escape_curves.md §1)."""
    K = point.K
    layers = [[point.W[h]] + [c[h] if not c[h].is_zero() else None for c in coefficients]
              for h in range(point.depth)]
    R: list[Any] = [point.X]
    for layer in layers:
        R = _polymat_mul(layer, R)          # matrices over K multiply and add as fmpq_mat do
    R[0] = R[0] - point.Y
    zero = K.element(0)
    poly = [zero] * (2 * len(R) - 1)

    def inner(A: Any, B: Any) -> Any:
        return sum((x * y for x, y in zip(A.entries(), B.entries())), zero)
    for a, Ra in enumerate(R):
        for b in range(a, len(R)):
            if Ra is not None and R[b] is not None:
                value = inner(Ra, R[b])
                poly[a + b] = poly[a + b] + (value if a == b else value * 2)
    poly = [x / 2 for x in poly]
    for lam, layer in zip(point.lambdas, layers):
        if lam == 0:
            continue
        need = 2 * len(layer) - 1
        poly += [zero] * max(0, need - len(poly))
        for a, Ca in enumerate(layer):
            for b, Cb in enumerate(layer):
                if Ca is not None and Cb is not None:
                    poly[a + b] = poly[a + b] + inner(Ca, Cb) * lam / 2
    poly[0] = zero
    while len(poly) > 1 and poly[-1].is_zero():
        poly.pop()
    return poly


def _field_orthogonal_component(vector: Any, space: Any) -> Any:
    """The component of a column over K orthogonal to the column span of ``space`` (independent columns)."""
    from exactdln.arith.number_field import FieldMatrix

    if space is None or space.ncols() == 0:
        return vector
    gram = space.transpose() * space
    rhs = space.transpose() * vector
    R, pivots = field_rref([g + r for g, r in zip(gram.tolist(), rhs.tolist())])
    coefficients = FieldMatrix.from_rows(vector.field, [[row[-1]] for row in R])
    return vector - space * coefficients


def _field_chain(W: list, widths: list[int], prefix: list, cuts: Sequence[int], links: Sequence[Any], x_end: Any,
                 y_start: Any, strict: bool) -> list[Any] | None:
    """:func:`cut_chain_direction` over K (the same construction, docs/maths/escape_curves.md §2-§3)."""
    from exactdln.arith.number_field import column_basis as field_column_basis

    K = W[0].field
    xs = list(links) + [x_end]
    ys = [y_start]
    for j, x in enumerate(links):
        lo, hi = cuts[j], cuts[j + 1]
        xi = x
        for h in range(lo + 1, hi):
            xi = W[h - 1] * xi
        rho = xi
        if strict:
            rng = prefix[hi - 1]
            cols = field_column_basis(rng)
            rho = _field_orthogonal_component(xi, rng.columns(cols) if cols else None)
        norm = (rho.transpose() * rho)[0, 0]
        if norm.is_zero():
            return None
        ys.append(rho * (1 / norm))
    T = [_field_zeros(K, widths[h], widths[h - 1]) for h in range(1, len(W) + 1)]
    for c, x, y in zip(cuts, xs, ys):
        T[c - 1] = x * y.transpose()
    return T


def _field_candidates(W: list, G: Any, min_order: int, max_links: int, max_ends: int, deadline: float):
    """:func:`_candidates` over K: (cuts, form, T) from the cut-chain construction on the network W (FieldMatrix)."""
    from exactdln.arith.number_field import FieldMatrix

    K = W[0].field
    H = len(W)
    widths = [W[0].ncols()] + [w.nrows() for w in W]
    prefix = [FieldMatrix.identity(K, widths[0])]
    for w in W:
        prefix.append(w * prefix[-1])
    suffix = [FieldMatrix.identity(K, widths[H])] * (H + 1)
    for h in range(H - 1, -1, -1):
        suffix[h] = suffix[h + 1] * W[h]
    kernels: dict[tuple[int, int], list[Any]] = {}

    def link_kernel(lo: int, hi: int) -> list[Any]:
        if (lo, hi) not in kernels:
            M = FieldMatrix.identity(K, widths[lo])
            for h in range(lo + 1, hi + 1):
                M = W[h - 1] * M
            kernels[lo, hi] = _field_nullspace(M)
        return kernels[lo, hi]

    spans = [b - a + 1 for a in range(1, H + 1) for b in range(a + 1, H + 1)
             if not (suffix[b].transpose() * G * prefix[a - 1].transpose()).is_zero()]
    for m in range(max(min_order, 2), max(spans, default=0) + 1):
        for cuts in itertools.combinations(range(1, H + 1), m):
            if time.monotonic() > deadline:
                return
            Km = suffix[cuts[-1]].transpose() * G * prefix[cuts[0] - 1].transpose()
            if Km.is_zero():
                continue
            link_options = [link_kernel(cuts[j], cuts[j + 1]) for j in range(m - 1)]
            if any(not opts for opts in link_options):
                continue
            entries = [(abs(float(x)), a, b, x.sign()) for a, row in enumerate(Km.tolist())
                       for b, x in enumerate(row) if not x.is_zero()]
            entries.sort(key=lambda e: -e[0])
            ends = [(FieldMatrix.rational(K, _unit(Km.nrows(), a, s)), FieldMatrix.rational(K, _unit(Km.ncols(), b)))
                    for _, a, b, s in entries[:max_ends]]
            for links in itertools.islice(itertools.product(*link_options), max_links):
                for strict in (True, False):
                    for x_end, y_start in ends:
                        T = _field_chain(W, widths, prefix, cuts, links, x_end, y_start, strict)
                        if T is None:
                            break
                        yield cuts, ("strict" if strict else "relaxed"), T


def find_field_escape_curve(point: Any, *, min_order: int = 3, max_candidates: int = 500, time_limit: float = 20.0,
                            max_links: int = 16, max_ends: int = 3, curve_pool: int = 8, straight: bool = True
                            ) -> EscapeCurve | None:
    """The cut-chain search of :func:`find_escape_curve` at a point over a real number field K
    (:class:`exactdln.landscape.number_field_point.FieldPoint`; docs/maths/escape_curves.md §2-§4): straight lines
    from the network and its transpose, alternately, then quadratic curves W + t T_a + t^2 (+-T_b) over pairs of
    the first ``curve_pool`` directions (§3; straight lines are skipped when ``straight`` is False), each accepted
    only when the exact expansion
    :func:`field_loss_polynomial` has a negative first nonzero coefficient at the embedding of K. The returned
    curve's ``coefficients`` are FieldMatrices (rational ones when every kernel and end vector is rational),
    its ``polynomial`` FieldElements. None when no candidate within the budget descends."""
    H = point.depth
    start = time.monotonic()
    G = point.residual
    sources = [(False, list(point.W), G),
               (True, [point.W[H - 1 - h].transpose() for h in range(H)], G.transpose())]
    active = [(flag, _field_candidates(Ws, Gs, min_order, max_links, max_ends, start + time_limit))
              for flag, Ws, Gs in sources]
    tried = 0
    pool: list[tuple[tuple[int, ...], str, bool, list[Any]]] = []

    def descends(coefficients: list[list[Any]]) -> tuple[list[Any], int] | None:
        poly = field_loss_polynomial(point, coefficients)
        order = next((k for k in range(1, len(poly)) if not poly[k].is_zero()), None)
        return (poly, order) if order is not None and poly[order].sign() < 0 else None
    for cuts, form, flag, T in _alternating_candidates(active, H, lambda M: M.transpose()):
        if tried >= max_candidates or time.monotonic() - start > time_limit:
            break
        tried += 1
        if len(pool) < curve_pool:
            pool.append((tuple(cuts), form, flag, T))
        if not straight:
            if len(pool) >= curve_pool:
                break
            continue
        found = descends([T])
        if found is not None:
            return EscapeCurve((tuple(T),), tuple(found[0]), found[1], tuple(cuts), form, flag)
    for (cuts, form, flag, Ta), (_, _, _, Tb) in itertools.permutations(pool, 2):
        for sign in (1, -1):
            if time.monotonic() - start > time_limit:
                return None
            Tc = [x * sign for x in Tb]
            found = descends([Ta, Tc])
            if found is not None:
                return EscapeCurve((tuple(Ta), tuple(Tc)), tuple(found[0]), found[1], cuts,
                                   form + " + quadratic term", flag)
    return None
