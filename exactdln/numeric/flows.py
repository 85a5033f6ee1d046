"""Float64 integrators of the gradient dynamics: gradient descent and an RK4 gradient flow on the factors.

An experiment, not a proof: the runs are in numpy float64, and their numbers (final loss,
gradient norm, drift of the conserved quantities C_j = W_(j+1)^T W_(j+1) - W_j W_j^T, a fitted
linear rate) are measurements. The exact identities they are compared with are in
:mod:`exactdln.theory.bah` (Bah, Rauhut, Terstiege, Westdickenberg 2022); the closed form of
Saxe, McClelland, Ganguli (2014) is :func:`saxe_scalar_solution`. Like the other numeric paths
this module imports only :mod:`exactdln.model` from the package. Plots: :mod:`exactdln.numeric.plots`.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from exactdln.model.problem import Problem, RationalMatrix

__all__ = [
    "Trajectory",
    "gradient_descent",
    "gradient_flow",
    "saxe_scalar_solution",
    "fit_linear_rate",
]



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
