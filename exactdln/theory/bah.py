"""Bah, Rauhut, Terstiege, Westdickenberg (2022): exact identities of the gradient dynamics.

Reference: Bah, Rauhut, Terstiege, Westdickenberg (BRTW), "Learning deep linear neural
networks: Riemannian gradient flows and convergence to global minimizers", Inf. Inference
11(1) 2022; Arora, Cohen, Hazan (ACH, ICML 2018) Thm 1 for the product flow. Statements as
proved or reconstructed in docs/maths/gradient_flow.md, cited below by its section numbers.
Everything here is exact (FLINT rationals); the float integrators are in
:mod:`exactdln.numeric.flows`, the certificate with the checker's ``flow_identities_random``
claim in :mod:`exactdln.certify.flow`.

- §1.2 conservation: C_j = W_(j+1)^T W_(j+1) - W_j W_j^T is constant under gradient flow,
  because W_(j+1)^T Gh_(j+1) = Gh_j W_j^T (Gh = gradient of the data term);
- §2 GD defect: C_j(W+) - C_j(W) = eta^2 (Gh_(j+1)^T Gh_(j+1) - Gh_j Gh_j^T) (lambda = 0), and
  with weight decay (1 - eta lambda)^2 C_j + eta^2 (...) (per-layer lambda: see gd_balance_defect);
- §1.4 balanced product flow, integer-power form: d/dt W_{H:1} = -A_W(E) - (sum lambda_j) W,
  A_W(Z) = sum_j (W_H W_H^T)^(H-j) Z (W_1^T W_1)^(j-1), E = (W X - Y) X^T;
- §1.5 energy identity: sum_j ||Gh_j||^2 = <E, A_W(E)> at balanced factors;
- §1.6 (c) the limit of the flow: a global minimizer of the loss restricted to the matrices
  of its rank (rank_restricted_global).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Sequence

from flint import fmpq, fmpq_mat

from exactdln.arith.algebraic import real_roots
from exactdln.arith.exact import from_fmpq_mat, identity, rank as exact_rank, to_fmpq as _q, to_fmpq_mat, to_fraction
from exactdln.landscape.point import ExactPoint, exact_point
from exactdln.model.problem import Problem, RationalMatrix

__all__ = [
    "balance_matrices",
    "data_gradients",
    "conservation_derivative",
    "gd_step",
    "gd_balance_defect",
    "product_flow_operator",
    "balanced_product_flow_defect",
    "energy_identity_defect",
    "rank_restricted_global",
]


# ---------------------------------------------------------------------------------------------------------------
# exact identities


def balance_matrices(weights: Sequence[RationalMatrix]) -> list[RationalMatrix]:
    """C_j = W_(j+1)^T W_(j+1) - W_j W_j^T for j = 1..H-1 (docs/maths/gradient_flow.md §1.2)."""
    W = [to_fmpq_mat(w) for w in weights]
    return [from_fmpq_mat(W[j].transpose() * W[j] - W[j - 1] * W[j - 1].transpose()) for j in range(1, len(W))]


def _data_gradients(p: ExactPoint) -> list[fmpq_mat]:
    G = p.residual
    return [-(p.suffix[h].transpose() * G * p.prefix[h - 1].transpose()) for h in range(1, p.depth + 1)]


def data_gradients(problem: Problem, weights: Any) -> list[RationalMatrix]:
    """Gh_j = W_{H:j+1}^T E W_{j-1:1}^T, E = (W X - Y) X^T: the gradient of the data term (§1.1)."""
    return [from_fmpq_mat(g) for g in _data_gradients(exact_point(problem, weights))]


def conservation_derivative(problem: Problem, weights: Any) -> list[RationalMatrix]:
    """d/dt C_j along dW/dt = -Gh: -(Gh_(j+1)^T W_(j+1) + W_(j+1)^T Gh_(j+1)) + Gh_j W_j^T + W_j Gh_j^T.

    Identically zero (docs/maths/gradient_flow.md §1.2, key identity W_(j+1)^T Gh_(j+1) = Gh_j W_j^T).
    """
    p = exact_point(problem, weights)
    Gh, W = _data_gradients(p), p.W
    out = []
    for j in range(1, p.depth):
        a = Gh[j].transpose() * W[j]
        b = Gh[j - 1] * W[j - 1].transpose()
        out.append(from_fmpq_mat(-(a + a.transpose()) + b + b.transpose()))
    return out


def gd_step(problem: Problem, weights: Any, eta: Fraction) -> tuple[RationalMatrix, ...]:
    """One exact gradient-descent step W_h+ = W_h - eta dL/dW_h (with the problem's weight decay)."""
    p = exact_point(problem, weights)
    Gh = _data_gradients(p)
    e = _q(eta)
    return tuple(from_fmpq_mat(w * (1 - e * lam) - g * e) for w, g, lam in zip(p.W, Gh, p.lambdas))


def gd_balance_defect(problem: Problem, weights: Any, eta: Fraction) -> list[RationalMatrix]:
    """C_j(W+) minus its predicted value (docs/maths/gradient_flow.md §2, weight-decay variant); zero for every W.

    Prediction: (1 - eta l_(j+1))^2 W_(j+1)^T W_(j+1) - (1 - eta l_j)^2 W_j W_j^T
    + eta^2 (l_(j+1) - l_j)(W_j Gh_j^T + Gh_j W_j^T) + eta^2 (Gh_(j+1)^T Gh_(j+1) - Gh_j Gh_j^T);
    for equal lambda it is (1 - eta lambda)^2 C_j + eta^2 (Gh_(j+1)^T Gh_(j+1) - Gh_j Gh_j^T).
    """
    p = exact_point(problem, weights)
    Gh, W, lam, e = _data_gradients(p), p.W, p.lambdas, _q(eta)
    after = [to_fmpq_mat(w) for w in gd_step(problem, p, eta)]
    out = []
    for j in range(1, p.depth):
        a, b = lam[j], lam[j - 1]
        cross = W[j - 1] * Gh[j - 1].transpose()
        pred = (W[j].transpose() * W[j]) * (1 - e * a) ** 2 - (W[j - 1] * W[j - 1].transpose()) * (1 - e * b) ** 2 \
            + (cross + cross.transpose()) * (e * e * (a - b)) \
            + (Gh[j].transpose() * Gh[j] - Gh[j - 1] * Gh[j - 1].transpose()) * (e * e)
        lhs = after[j].transpose() * after[j] - after[j - 1] * after[j - 1].transpose()
        out.append(from_fmpq_mat(lhs - pred))
    return out


def _power(A: fmpq_mat, k: int) -> fmpq_mat:
    out = identity(A.nrows())
    for _ in range(k):
        out = A * out
    return out


def product_flow_operator(weights: Sequence[RationalMatrix], Z: fmpq_mat) -> fmpq_mat:
    """A_W(Z) = sum_{j=1}^H (W_H W_H^T)^(H-j) Z (W_1^T W_1)^(j-1) (ACH Thm 1, integer-power form, §1.4)."""
    W = [to_fmpq_mat(w) for w in weights]
    H = len(W)
    left, right = W[-1] * W[-1].transpose(), W[0].transpose() * W[0]
    out = fmpq_mat(Z.nrows(), Z.ncols())
    for j in range(1, H + 1):
        out += _power(left, H - j) * Z * _power(right, j - 1)
    return out


def balanced_product_flow_defect(problem: Problem, weights: Any) -> RationalMatrix:
    """d/dt W_{H:1} by the chain rule minus (-A_W(E) - (sum_j lambda_j) W_{H:1}); zero at balanced factors (§1.4)."""
    p = exact_point(problem, weights)
    grads = [g + w * lam for g, w, lam in zip(_data_gradients(p), p.W, p.lambdas)]
    chain = fmpq_mat(p.widths[-1], p.widths[0])
    for h in range(1, p.depth + 1):
        chain -= p.suffix[h] * grads[h - 1] * p.prefix[h - 1]
    E = -p.residual
    pred = -product_flow_operator(p.weights_model, E) - p.end_to_end * sum(p.lambdas, fmpq(0))
    return from_fmpq_mat(chain - pred)


def energy_identity_defect(problem: Problem, weights: Any) -> Fraction:
    """sum_j ||Gh_j||^2 - <E, A_W(E)>; zero at balanced factors (docs/maths/gradient_flow.md §1.5)."""
    p = exact_point(problem, weights)
    E = -p.residual
    AE = product_flow_operator(p.weights_model, E)
    lhs = sum((x * x for g in _data_gradients(p) for x in g.entries()), fmpq(0))
    rhs = sum((a * b for a, b in zip(E.entries(), AE.entries())), fmpq(0))
    return to_fraction(lhs - rhs)


def rank_restricted_global(problem: Problem, weights: Any) -> tuple[bool, str]:
    """Is W = W_{H:1} a global minimizer of L^1(W) = 1/2 ||W X - Y||^2 on M_k, k = rank W?
    (docs/maths/gradient_flow.md §3.1 item 7).

    The almost-everywhere convergence theorem of BRTW (§1.6 (b)) says the limit of the flow is such a point for
    some k <= r. Exact test (unregularized, Sigma_XX invertible): W is critical for L^1|M_k iff
    W^T E = 0 and E W^T = 0, E = (W X - Y) X^T (§1.5), and then global on M_k iff
    lambda_min^+(W Sigma_XX W^T) >= lambda_max(Q Q^T - W Sigma_XX W^T), Q Q^T = Sigma_YX Sigma_XX^-1 Sigma_XY
    (Eckart-Young after Z = W Sigma_XX^(1/2), §1.6 (c)). Eigenvalues are compared as exactly isolated
    algebraic numbers (roots of characteristic polynomials).
    """
    p = exact_point(problem, weights)
    if problem.regularized:
        raise ValueError("rank_restricted_global is about the unregularized loss")
    W, S = p.end_to_end, p.sigma_xx
    if exact_rank(S) < S.nrows():
        raise ValueError("needs Sigma_XX = X X^T invertible")
    E = -p.residual
    if any(x != 0 for x in (W.transpose() * E).entries()) or any(x != 0 for x in (E * W.transpose()).entries()):
        return False, "not critical for L^1 on M_k: W^T E or E W^T is nonzero"
    k = exact_rank(W)
    A = W * S * W.transpose()
    B = p.sigma_yx * S.inv() * p.sigma_yx.transpose() - A
    if k == 0:
        return True, "W = 0 is the only point of M_0"
    pos = [r for r, _ in real_roots(A.charpoly()) if r.lower > 0 or (r.is_rational and r.value > 0)]
    top = max((r for r, _ in real_roots(B.charpoly())), key=lambda r: r.upper)
    low = min(pos, key=lambda r: r.lower)
    for _ in range(8):
        if low.lower >= top.upper:
            return True, f"rank {k}: smallest fitted eigenvalue >= largest unfitted one (exact)"
        if low.is_rational and top.is_rational and low.value >= top.value:
            return True, f"rank {k}: smallest fitted eigenvalue >= largest unfitted one (exact, tie allowed)"
        if low.upper < top.lower:
            return False, f"rank {k}: an unfitted eigenvalue exceeds a fitted one: a non-optimal critical point of L^1|M_{k}"
        low, top = low.refine((low.upper - low.lower) / 2**40), top.refine((top.upper - top.lower) / 2**40)
    raise ArithmeticError("could not separate the fitted and unfitted eigenvalues (equal irrational values)")
