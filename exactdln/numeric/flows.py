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

from exactdln.model.problem import InputError, Problem, RationalMatrix

__all__ = [
    "Trajectory",
    "gradient_descent",
    "gradient_flow",
    "saxe_scalar_solution",
    "fit_linear_rate",
    "curvature_estimate",
]



@dataclass(frozen=True)
class Trajectory:
    """A numerical run: loss and gradient norm per recorded step, the final weights.

    ``steps`` is the run's clock: iteration numbers for gradient descent (``method == "gd"``), times for the
    flow (``"flow"``); ``step_size`` is eta for gradient descent and dt for the flow. The fitted linear
    rate is defined once for both (:func:`fit_linear_rate`): the factor by which ||grad L|| shrinks per
    unit of the clock, so per step for gradient descent (``rate_per_step`` in the JSON) and per unit of
    time for the flow (``rate_per_unit_time``). ``warnings`` are sentences about a run that diverged or
    oscillated (:func:`gradient_descent`); ``suggested_step_size`` comes with them when a curvature
    estimate gives one.
    """

    method: str
    steps: np.ndarray               # iteration numbers (GD) or times (flow)
    loss: np.ndarray
    grad_norm: np.ndarray
    balance_drift: np.ndarray       # max_j ||C_j(t) - C_j(0)||_F
    weights: tuple[np.ndarray, ...]
    converged: bool
    step_size: float                # eta (GD) or dt (flow)
    warnings: tuple[str, ...] = ()
    suggested_step_size: float | None = None
    # the recorded weights (gradient_descent(..., weights_every=K)): one array per layer, shape (T, d_h, d_(h-1)),
    # at the iterations ``weight_steps`` with the losses ``weight_loss`` (the format of exactdln/tools/trace_format.py)
    weight_steps: np.ndarray | None = None
    weight_history: tuple[np.ndarray, ...] | None = None
    weight_loss: np.ndarray | None = None

    @property
    def clock(self) -> str:
        """The unit of the x axis: ``"iteration"`` for gradient descent, ``"time"`` for the flow."""
        return "iteration" if self.method == "gd" else "time"

    def to_json(self) -> dict[str, Any]:
        gd = self.method == "gd"
        out: dict[str, Any] = {"method": self.method}
        if gd:
            out["step_size"] = self.step_size
            out["final_step"] = int(self.steps[-1])
        else:
            out["dt"] = self.step_size
            out["final_time"] = float(self.steps[-1])
        out.update({"recorded": int(len(self.steps)), "final_loss": float(self.loss[-1]),
                    "final_grad_norm": float(self.grad_norm[-1]),
                    "max_balance_drift": float(np.max(self.balance_drift)),
                    "converged": self.converged,
                    ("rate_per_step" if gd else "rate_per_unit_time"): _rate_or_none(self),
                    "warnings": list(self.warnings)})
        if self.suggested_step_size is not None:
            out["suggested_step_size"] = self.suggested_step_size
        return out

    def __str__(self) -> str:
        d = self.to_json()
        return "\n".join(f"{k}: {v}" for k, v in d.items())


def _rate_or_none(t: Trajectory) -> float | None:
    try:
        return fit_linear_rate(t.steps, t.grad_norm)
    except ValueError:
        return None


def _floats(problem: Problem, weights: Sequence[Any]) -> tuple[np.ndarray, np.ndarray, list[np.ndarray], np.ndarray]:
    """The run's float64 copy of the data, weights and lambdas; a number beyond float64 is bad input here
    (the runs are float64 simulations), named by its field."""
    def floats(rows, field: str) -> np.ndarray:
        try:
            return np.array([[float(x) for x in r] for r in rows], dtype=float)
        except OverflowError:
            raise InputError("a number beyond the float64 range (about 1.8e308): gradient descent and the "
                             "flow run in float64", field) from None

    X, Y = floats(problem.X.rows, "X"), floats(problem.Y.rows, "Y")
    Ws = [floats(w.rows, f"weights[{h}]") if isinstance(w, RationalMatrix) else np.array(w, dtype=float)
          for h, w in enumerate(weights)]
    columns = X.shape[0]                         # the shapes chain: W_h is d_h x d_(h-1), d_0 = rows of X
    for h, W in enumerate(Ws):
        if W.ndim != 2 or W.shape[1] != columns:
            raise InputError(f"W_{h + 1} has shape {W.shape}, expected {columns} columns", f"weights[{h}]")
        columns = W.shape[0]
    if columns != Y.shape[0]:
        raise InputError(f"W_{len(Ws)} has {columns} rows but Y has {Y.shape[0]}", f"weights[{len(Ws) - 1}]")
    lam = floats([problem.layer_lambdas(len(Ws))], "lambda")[0]
    return X, Y, Ws, lam


@dataclass(frozen=True)
class _Data:
    """X and Y compressed once: X^T = Q R (thin QR), A = R^T, B = Y Q, c = ||Y - B Q^T||_F^2, so that
    ||P X - Y||_F^2 = ||P A - B||_F^2 + c (Pythagoras: the rows of P X - B Q^T lie in the row space of
    X, those of B Q^T - Y are orthogonal to it). The cost per step is independent of the number of samples,
    and unlike the expansion tr(P Sxx P^T) - 2 tr(P Syx^T) + ||Y||^2 the loss is a sum of squares: it keeps
    its relative accuracy as it falls to 0 (no cancellation against ||Y||^2)."""

    A: np.ndarray
    B: np.ndarray
    c: float


def _data(X: np.ndarray, Y: np.ndarray) -> _Data:
    Q, R = np.linalg.qr(X.T)
    B = Y @ Q
    return _Data(R.T, B, float(np.sum((Y - B @ Q.T) ** 2)))


def _loss_and_grads(data: _Data, Ws, lam):
    """Loss and dL/dW_h in float64: with E = P A - B, L = 1/2 (||E||^2 + c) + sum lambda_h/2 ||W_h||^2 and
    dL/dP = E A^T (docs/maths/gradient_flow.md §1.1)."""
    H = len(Ws)
    prefix = [np.eye(Ws[0].shape[1])]
    for w in Ws:
        prefix.append(w @ prefix[-1])
    E = prefix[-1] @ data.A - data.B
    loss = 0.5 * (float(np.sum(E * E)) + data.c) + sum(0.5 * l * float(np.sum(w * w)) for l, w in zip(lam, Ws))
    G = E @ data.A.T
    grads = [None] * H
    suffix = np.eye(Ws[-1].shape[0])
    for h in range(H - 1, -1, -1):
        grads[h] = suffix.T @ G @ prefix[h].T + lam[h] * Ws[h]
        suffix = suffix @ Ws[h]
    return loss, grads


def _balances(Ws):
    return [Ws[j].T @ Ws[j] - Ws[j - 1] @ Ws[j - 1].T for j in range(1, len(Ws))]


class _Progress:
    """Progress on stderr: a bar redrawn with carriage returns on a terminal; elsewhere (a log file, a pipe)
    at most ten plain lines, so that logs are not flooded."""

    def __init__(self, label: str, total: int, enabled: bool):
        self.label, self.total = label, total
        self.enabled = enabled and total >= 50
        self.tty = self.enabled and bool(getattr(sys.stderr, "isatty", lambda: False)())
        self.every = max(1, total // (50 if self.tty else 10))

    def __call__(self, k: int) -> None:
        if not self.enabled or not (k % self.every == 0 or k == self.total):
            return
        if self.tty:
            done = int(40 * k / self.total)
            sys.stderr.write(f"\r[{'#' * done}{'.' * (40 - done)}] {k}/{self.total}")
            if k == self.total:
                sys.stderr.write("\n")
        else:
            sys.stderr.write(f"{self.label}: {k}/{self.total}\n")
        sys.stderr.flush()

    def stop(self) -> None:
        """End a bar left unfinished (a run that converged early) with a newline."""
        if self.tty:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self.tty = False


def curvature_estimate(problem: Problem, weights: Sequence[Any], *, iterations: int = 30, seed: int = 0) -> float:
    """An estimate of the largest |eigenvalue| of the Hessian of L at ``weights`` (the local Lipschitz
    constant of grad L): power iteration on Hessian-vector products taken by central finite differences of
    the float64 gradient, Hv ~ (grad L(W + h v) - grad L(W - h v)) / (2 h), h = 1e-6 max(1, ||W||_F).

    Gradient descent with step eta is stable near a point only if eta < 2 / |lambda_max| (the linearised
    map is I - eta H); 1 / |lambda_max| is a safe margin. A float estimate, not a bound: the command line
    reports it as a suggestion. Returns 0.0 where the Hessian vanishes (e.g. W = 0 at depth >= 3)."""
    X, Y, Ws, lam = _floats(problem, weights)
    data = _data(X, Y)
    if not all(np.all(np.isfinite(w)) for w in Ws):
        return math.nan
    h = 1e-6 * max(1.0, math.sqrt(sum(float(np.sum(w * w)) for w in Ws)))
    rng = np.random.default_rng(seed)
    v = [rng.standard_normal(w.shape) for w in Ws]
    estimate = 0.0
    for _ in range(iterations):
        norm = math.sqrt(sum(float(np.sum(a * a)) for a in v))
        if not norm > 0 or not math.isfinite(norm):
            return estimate
        v = [a / norm for a in v]
        plus = _loss_and_grads(data, [w + h * a for w, a in zip(Ws, v)], lam)[1]
        minus = _loss_and_grads(data, [w - h * a for w, a in zip(Ws, v)], lam)[1]
        v = [(p - m) / (2 * h) for p, m in zip(plus, minus)]
        estimate = math.sqrt(sum(float(np.sum(a * a)) for a in v))
    return estimate


# A loss increase smaller than this fraction of max(L_k, ||Y||^2 / 2) is rounding, not an oscillation.
_INCREASE_RTOL = 1e-9


def _step_advice(problem: Problem, points: Sequence[Sequence[np.ndarray]], eta: float) -> tuple[str, float | None]:
    """A suggested step size 1 / max |lambda_max(Hessian)| over the given points (the start and, if finite,
    where the loss first rose), with the sentence that says how it was computed."""
    estimates = [curvature_estimate(problem, p) for p in points]
    estimates = [e for e in estimates if math.isfinite(e)]
    top = max(estimates, default=0.0)
    if not top > 0:
        return "no step size suggested (the Hessian estimate is zero or not finite)", None
    suggestion = float(f"{1 / top:.2g}")
    where = "the start" + (" and at the step that first raised the loss" if len(points) > 1 else "")
    return (f"try step size {suggestion:g} (= 1/L with L ~ {top:.3g}, the largest |eigenvalue| of the Hessian at "
            f"{where}, by power iteration on finite-difference Hessian-vector products; the step size "
            f"{eta:g} is {'above' if eta * top > 2 else 'below'} 2/L)"), suggestion


def gradient_descent(problem: Problem, weights: Sequence[Any], *, eta: float, steps: int,
                     tol: float = 1e-12, record_every: int = 1, progress: bool = False,
                     weights_every: int | None = None) -> Trajectory:
    """W_h <- W_h - eta dL/dW_h in float64 (docs/maths/gradient_flow.md §2; Nguegnang, Rauhut, Terstiege 2024),
    stopping when ||grad|| < tol.

    Every step's loss is compared with the previous one: gradient descent with eta below 2 / (the Lipschitz
    constant of grad L on the sublevel set) decreases the loss at every step (the descent lemma), so a rise
    beyond rounding, or a non-finite loss, means the step size is too large there. The run then carries
    ``warnings`` and a ``suggested_step_size`` (:func:`curvature_estimate` at the start and at the point
    whose step first raised the loss). With ``weights_every`` = K the weights themselves are kept every K
    steps and at the last one (``weight_history``: the trajectory format of exactdln/tools/trace_format.py)."""
    X, Y, Ws, lam = _floats(problem, weights)
    kept_steps, kept, kept_loss = [], [], []
    data = _data(X, Y)
    scale = 0.5 * float(np.sum(Y * Y))
    start = [w.copy() for w in Ws]
    C0 = _balances(Ws)
    ks, losses, norms, drift = [], [], [], []
    converged = False
    bar = _Progress("gd", steps, progress)
    previous = math.inf
    rises, first_rise, rise_point, diverged_at, before = 0, None, None, None, start
    for k in range(steps + 1):
        loss, grads = _loss_and_grads(data, Ws, lam)
        gn = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
        finite = math.isfinite(gn) and math.isfinite(loss)
        if k % record_every == 0 or gn < tol or k == steps or not finite:
            ks.append(k); losses.append(loss); norms.append(gn)
            drift.append(max((float(np.linalg.norm(c - c0)) for c, c0 in zip(_balances(Ws), C0)), default=0.0))
        if weights_every and (k % weights_every == 0 or gn < tol or k == steps) and finite:
            kept_steps.append(k); kept.append([w.copy() for w in Ws]); kept_loss.append(loss)
        if finite and loss - previous > _INCREASE_RTOL * max(previous, scale):
            rises += 1
            if first_rise is None:      # the step from W_(k-1) raised the loss: the curvature there matters
                first_rise, rise_point = (k, previous, loss), before
        previous = loss
        if first_rise is None:
            before = [w.copy() for w in Ws]
        if gn < tol:
            converged = True
            break
        if not finite:
            diverged_at = k
            break
        for w, g in zip(Ws, grads):
            w -= eta * g
        bar(k + 1)
    bar.stop()
    notes: list[str] = []
    suggestion = None
    if diverged_at is not None or rises:
        if diverged_at is not None:
            notes.append(f"gradient descent diverged: the loss or the gradient became non-finite at step {diverged_at}")
        if rises:
            k, before, after = first_rise
            notes.append(f"the loss rose at {rises} step{'s' if rises > 1 else ''} (first at step {k}: "
                         f"{before:.6g} -> {after:.6g}): gradient descent oscillates or diverges")
        advice, suggestion = _step_advice(problem, [start] + ([rise_point] if rise_point is not None else []), eta)
        notes.append(advice)
    history = tuple(np.stack([r[h] for r in kept]) for h in range(len(Ws))) if kept else None
    return Trajectory("gd", np.array(ks, float), np.array(losses), np.array(norms), np.array(drift),
                      tuple(Ws), converged, eta, tuple(notes), suggestion,
                      np.array(kept_steps, dtype=np.int64) if kept else None, history,
                      np.array(kept_loss) if kept else None)


def gradient_flow(problem: Problem, weights: Sequence[Any], *, t_end: float, dt: float = 1e-2,
                  tol: float = 1e-12, record_every: int = 10, progress: bool = False) -> Trajectory:
    """dW_h/dt = -dL/dW_h integrated by classical RK4 with step dt (docs/maths/gradient_flow.md §3.2).

    The exact flow never increases the loss (dL/dt = -||grad L||^2); a non-finite loss means dt is far too
    large for RK4 and is reported in ``warnings``."""
    X, Y, Ws, lam = _floats(problem, weights)
    data = _data(X, Y)
    C0 = _balances(Ws)
    n = int(math.ceil(t_end / dt))

    def field_(V):
        return [-g for g in _loss_and_grads(data, V, lam)[1]]

    ts, losses, norms, drift = [], [], [], []
    converged = False
    bar = _Progress("flow", n, progress)
    notes: list[str] = []
    for k in range(n + 1):
        loss, grads = _loss_and_grads(data, Ws, lam)
        gn = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
        finite = math.isfinite(gn) and math.isfinite(loss)
        if k % record_every == 0 or gn < tol or k == n or not finite:
            ts.append(k * dt); losses.append(loss); norms.append(gn)
            drift.append(max((float(np.linalg.norm(c - c0)) for c, c0 in zip(_balances(Ws), C0)), default=0.0))
        if gn < tol:
            converged = True
            break
        if not finite:
            notes.append(f"the RK4 integration diverged: the loss or the gradient became non-finite at time "
                         f"{k * dt:g} (try a smaller dt)")
            break
        if k == n:
            break
        k1 = [-g for g in grads]
        k2 = field_([w + dt / 2 * a for w, a in zip(Ws, k1)])
        k3 = field_([w + dt / 2 * a for w, a in zip(Ws, k2)])
        k4 = field_([w + dt * a for w, a in zip(Ws, k3)])
        Ws = [w + dt / 6 * (a + 2 * b + 2 * c + d) for w, a, b, c, d in zip(Ws, k1, k2, k3, k4)]
        bar(k + 1)
    bar.stop()
    return Trajectory("flow", np.array(ts), np.array(losses), np.array(norms), np.array(drift),
                      tuple(Ws), converged, dt, tuple(notes))


def saxe_scalar_solution(y: float, w0: float, t: float) -> float:
    """Saxe et al. (2014) eq. (10), depth 2, balanced scalar: w(t) = y / (1 + (y/w0 - 1) e^(-2 y t)) (T1 of §3.4)."""
    return y / (1 + (y / w0 - 1) * math.exp(-2 * y * t))


def fit_linear_rate(steps: np.ndarray, values: np.ndarray, *, window: tuple[float, float] = (1e-11, 1e-4)) -> float:
    """The contraction factor exp(slope) of log(values) against ``steps`` on the window (docs/maths/regularized.md
    §8 step 4): the factor per unit of ``steps``, so per iteration for gradient descent and per unit of time
    for the flow (``rate_per_step`` / ``rate_per_unit_time`` of :class:`Trajectory`).

    Only the last stretch of consecutive recorded points inside the window is fitted: a saddle-to-saddle run
    passes through the window on its way into each plateau, and those passages say nothing about the rate
    at the limit."""
    inside = (values > window[0]) & (values < window[1])
    end = len(inside)
    while end > 0 and not inside[end - 1]:
        end -= 1
    begin = end
    while begin > 0 and inside[begin - 1]:
        begin -= 1
    if end - begin < 3:
        raise ValueError("fewer than 3 consecutive points in the fitting window")
    slope = np.polyfit(steps[begin:end], np.log(values[begin:end]), 1)[0]
    return float(math.exp(slope))
