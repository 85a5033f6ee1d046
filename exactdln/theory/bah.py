"""Gradient dynamics of deep linear networks: exact identities and numerical flows.

Reference: Bah, Rauhut, Terstiege, Westdickenberg (BRTW), "Learning deep linear neural
networks: Riemannian gradient flows and convergence to global minimizers", Inf. Inference
11(1) 2022; Arora, Cohen, Hazan (ACH, ICML 2018) Thm 1; Saxe, McClelland, Ganguli (2014).
Statements as proved or reconstructed in docs/maths/gradient_flow.md, cited below by its section numbers.

Exact part (flint rationals; certificates via the checker's ``flow_identities_random`` claim):
- §1.2 conservation: C_j = W_(j+1)^T W_(j+1) - W_j W_j^T is constant under gradient flow,
  because W_(j+1)^T Gh_(j+1) = Gh_j W_j^T (Gh = gradient of the data term);
- §2 GD defect: C_j(W+) - C_j(W) = eta^2 (Gh_(j+1)^T Gh_(j+1) - Gh_j Gh_j^T) (lambda = 0), and
  with weight decay (1 - eta lambda)^2 C_j + eta^2 (...) (per-layer lambda: see the checker);
- §1.4 balanced product flow, integer-power form: d/dt W_{H:1} = -A_W(E) - (sum lambda_j) W,
  A_W(Z) = sum_j (W_H W_H^T)^(H-j) Z (W_1^T W_1)^(j-1), E = (W X - Y) X^T;
- §1.5 energy identity: sum_j ||Gh_j||^2 = <E, A_W(E)> at balanced factors.

Numerical part (numpy float64): gradient descent and an RK4 gradient flow on the factors.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Sequence

import numpy as np
from flint import fmpq, fmpq_mat

from exactdln.arith.exact import from_fmpq_mat, identity, to_fmpq_mat, to_fraction
from exactdln.landscape.point import ExactPoint, exact_point
from exactdln.model.problem import Problem, RationalMatrix
from exactdln.model.results import fraction_text

__all__ = [
    "balance_matrices",
    "data_gradients",
    "conservation_derivative",
    "gd_step",
    "gd_balance_defect",
    "product_flow_operator",
    "balanced_product_flow_defect",
    "energy_identity_defect",
    "flow_certificate",
    "rank_restricted_global",
    "Trajectory",
    "gradient_descent",
    "gradient_flow",
    "saxe_scalar_solution",
    "fit_linear_rate",
]


# ---------------------------------------------------------------------------------------------------------------
# exact identities


def _q(x: Fraction | int) -> fmpq:
    x = Fraction(x)
    return fmpq(x.numerator, x.denominator)


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


def flow_certificate(problem: Problem, weights: Sequence[RationalMatrix], eta: Fraction, *,
                     random_points: int = 8) -> dict[str, Any]:
    """A certificate (exactdln/trusted/FORMAT.md) with one ``flow_identities_random`` claim.

    The checker verifies the conservation law and the GD defect exactly at the point and at
    ``random_points`` points it draws itself (Schwartz-Zippel, degree <= 4H - 2), and, when
    the point is balanced, the integer-power product flow and the energy identity exactly.
    """
    balanced = all(c.is_zero() for c in balance_matrices(weights))
    return {
        "format": "exactdln-certificate", "version": 1,
        "problem": problem.to_json(),
        "point": {"weights": [w.to_json() for w in weights]},
        "claims": [{"type": "flow_identities_random", "eta": fraction_text(Fraction(eta)),
                    "random_points": random_points, "balanced": balanced}],
    }


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
    from exactdln.arith.exact import rank as exact_rank
    from exactdln.theory.regularized import real_roots

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


# ---------------------------------------------------------------------------------------------------------------
# numerics


@dataclass(frozen=True)
class Trajectory:
    """A numerical run: loss and gradient norm per recorded step, the final weights.

    ``linear_rate`` in the JSON is the contraction of ||grad L|| per GD step, or per unit of time for the flow.
    """

    method: str
    steps: np.ndarray               # iteration numbers (GD) or times (flow)
    loss: np.ndarray
    grad_norm: np.ndarray
    balance_drift: np.ndarray       # max_j ||C_j(t) - C_j(0)||_F
    weights: tuple[np.ndarray, ...]
    converged: bool
    eta: float

    def to_json(self) -> dict[str, Any]:
        return {"method": self.method, "eta": self.eta, "recorded": int(len(self.steps)),
                "final_step": float(self.steps[-1]), "final_loss": float(self.loss[-1]),
                "final_grad_norm": float(self.grad_norm[-1]),
                "max_balance_drift": float(np.max(self.balance_drift)), "converged": self.converged,
                "linear_rate": _rate_or_none(self)}

    def __str__(self) -> str:
        d = self.to_json()
        return "\n".join(f"{k}: {v}" for k, v in d.items())


def _rate_or_none(t: Trajectory) -> float | None:
    try:
        return fit_linear_rate(t.steps, t.grad_norm)
    except ValueError:
        return None


def _floats(problem: Problem, weights: Sequence[Any]) -> tuple[np.ndarray, np.ndarray, list[np.ndarray], np.ndarray]:
    X = np.array([[float(x) for x in r] for r in problem.X.rows])
    Y = np.array([[float(x) for x in r] for r in problem.Y.rows])
    Ws = [np.array(w.tolist() if isinstance(w, RationalMatrix) else w, dtype=float) for w in weights]
    lam = np.array([float(l) for l in problem.layer_lambdas(len(Ws))])
    return X, Y, Ws, lam


def _loss_and_grads(Sxx, Syx, yy, Ws, lam):
    """Loss and dL/dW_h in float64 via Sigma_XX, Sigma_YX (cost independent of m)."""
    H = len(Ws)
    prefix = [np.eye(Ws[0].shape[1])]
    for w in Ws:
        prefix.append(w @ prefix[-1])
    P = prefix[-1]
    PS = P @ Sxx
    loss = 0.5 * (np.sum(PS * P) - 2 * np.sum(P * Syx) + yy) + sum(0.5 * l * np.sum(w * w) for l, w in zip(lam, Ws))
    G = Syx - PS
    grads = [None] * H
    suffix = np.eye(Ws[-1].shape[0])
    for h in range(H - 1, -1, -1):
        grads[h] = -(suffix.T @ G @ prefix[h].T) + lam[h] * Ws[h]
        suffix = suffix @ Ws[h]
    return loss, grads


def _balances(Ws):
    return [Ws[j].T @ Ws[j] - Ws[j - 1] @ Ws[j - 1].T for j in range(1, len(Ws))]


def _progress(k: int, total: int, enabled: bool) -> None:
    if enabled and total >= 50 and (k % max(1, total // 50) == 0 or k == total):
        done = int(40 * k / total)
        sys.stderr.write(f"\r[{'#' * done}{'.' * (40 - done)}] {k}/{total}")
        if k == total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def gradient_descent(problem: Problem, weights: Sequence[Any], *, eta: float, steps: int,
                     tol: float = 1e-12, record_every: int = 1, progress: bool = False) -> Trajectory:
    """W_h <- W_h - eta dL/dW_h in float64 (docs/maths/gradient_flow.md §2; Nguegnang, Rauhut, Terstiege 2024),
    stopping when ||grad|| < tol."""
    X, Y, Ws, lam = _floats(problem, weights)
    Sxx, Syx, yy = X @ X.T, Y @ X.T, float(np.sum(Y * Y))
    C0 = _balances(Ws)
    ks, losses, norms, drift = [], [], [], []
    converged = False
    for k in range(steps + 1):
        loss, grads = _loss_and_grads(Sxx, Syx, yy, Ws, lam)
        gn = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
        if k % record_every == 0 or gn < tol or k == steps or not math.isfinite(gn):
            ks.append(k); losses.append(loss); norms.append(gn)
            drift.append(max((float(np.linalg.norm(c - c0)) for c, c0 in zip(_balances(Ws), C0)), default=0.0))
        if gn < tol:
            converged = True
            break
        if not math.isfinite(gn):
            break
        for w, g in zip(Ws, grads):
            w -= eta * g
        _progress(k + 1, steps, progress)
    return Trajectory("gd", np.array(ks, float), np.array(losses), np.array(norms), np.array(drift),
                      tuple(Ws), converged, eta)


def gradient_flow(problem: Problem, weights: Sequence[Any], *, t_end: float, dt: float = 1e-2,
                  tol: float = 1e-12, record_every: int = 10, progress: bool = False) -> Trajectory:
    """dW_h/dt = -dL/dW_h integrated by classical RK4 with step dt (docs/maths/gradient_flow.md §3.2)."""
    X, Y, Ws, lam = _floats(problem, weights)
    Sxx, Syx, yy = X @ X.T, Y @ X.T, float(np.sum(Y * Y))
    C0 = _balances(Ws)
    n = int(math.ceil(t_end / dt))

    def field_(V):
        return [-g for g in _loss_and_grads(Sxx, Syx, yy, V, lam)[1]]

    ts, losses, norms, drift = [], [], [], []
    converged = False
    for k in range(n + 1):
        loss, grads = _loss_and_grads(Sxx, Syx, yy, Ws, lam)
        gn = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
        if k % record_every == 0 or gn < tol or k == n:
            ts.append(k * dt); losses.append(loss); norms.append(gn)
            drift.append(max((float(np.linalg.norm(c - c0)) for c, c0 in zip(_balances(Ws), C0)), default=0.0))
        if gn < tol:
            converged = True
            break
        if k == n or not math.isfinite(gn):
            break
        k1 = [-g for g in grads]
        k2 = field_([w + dt / 2 * a for w, a in zip(Ws, k1)])
        k3 = field_([w + dt / 2 * a for w, a in zip(Ws, k2)])
        k4 = field_([w + dt * a for w, a in zip(Ws, k3)])
        Ws = [w + dt / 6 * (a + 2 * b + 2 * c + d) for w, a, b, c, d in zip(Ws, k1, k2, k3, k4)]
        _progress(k + 1, n, progress)
    return Trajectory("flow", np.array(ts), np.array(losses), np.array(norms), np.array(drift),
                      tuple(Ws), converged, dt)


def saxe_scalar_solution(y: float, w0: float, t: float) -> float:
    """Saxe et al. (2014) eq. (10), depth 2, balanced scalar: w(t) = y / (1 + (y/w0 - 1) e^(-2 y t)) (T1 of §3.4)."""
    return y / (1 + (y / w0 - 1) * math.exp(-2 * y * t))


def fit_linear_rate(steps: np.ndarray, values: np.ndarray, *, window: tuple[float, float] = (1e-11, 1e-4)) -> float:
    """Per-step contraction factor exp(slope) of log(values) on the window (docs/maths/regularized.md §8 step 4)."""
    mask = (values > window[0]) & (values < window[1])
    if mask.sum() < 3:
        raise ValueError("fewer than 3 points in the fitting window")
    slope = np.polyfit(steps[mask], np.log(values[mask]), 1)[0]
    return float(math.exp(slope))


def trajectory_figure(trajectories: Sequence[tuple[str, Trajectory]]) -> Any:
    """A matplotlib Figure: loss gap and gradient norm against iteration (log scale), one line per run.

    Needs the ``plot`` extra (matplotlib). Built with the object-oriented API (no pyplot state), so that
    tests can read the lines back from ``fig.axes``.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4))
    axes = fig.subplots(1, 2)
    for label, t in trajectories:
        gap = t.loss - t.loss[-1]
        axes[0].semilogy(t.steps[:-1], np.maximum(gap[:-1], 1e-300), label=label)
        axes[1].semilogy(t.steps, t.grad_norm, label=label)
    axes[0].set_ylabel("L_k - L_final"); axes[1].set_ylabel("||grad L_k||")
    for ax in axes:
        ax.set_xlabel("iteration" if trajectories[0][1].method == "gd" else "time"); ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def plot_trajectory(trajectories: Sequence[tuple[str, Trajectory]], path: str) -> None:
    """Write :func:`trajectory_figure` to ``path`` (PNG at 100 dpi); needs the ``plot`` extra."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = trajectory_figure(trajectories)
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=100)
