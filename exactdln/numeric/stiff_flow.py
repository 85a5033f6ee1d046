"""The gradient flow dW/dt = -grad L(W) integrated by a stiff method, for runs from very small starts.

An experiment in float64, not a proof. Near a saddle of a deep linear network the flow has two time scales: the
fitted directions converge at rates of the order of the eigenvalues of Sigma, while the directions not yet fitted
grow like s' ~ lambda s^(2H-3) from their size s ~ eps at the start (Saxe, McClelland, Ganguli 2014), so the run
stays on the plateau for a time of the order 1 / (lambda eps^(H-2)) (depth H >= 3). An explicit method (gradient
descent, RK4) must keep its step below ~2 / (the largest curvature) and so needs ~1 / (eta lambda eps^(H-2))
steps: 10^7 for eps = 10^-6 at depth 3, 10^13 at depth 4. A stiff method (scipy's LSODA, which switches to BDF
where the flow is stiff) takes long steps on the plateaus, so runs from starts of 10^-8 take seconds, and their
plateau points lie about eps from the saddles (docs/howto/trace.md, "How close a run comes").

Like the other numeric paths this module imports only :mod:`exactdln.model` from the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from exactdln.model.problem import InputError, Problem

__all__ = ["StiffRun", "stiff_gradient_flow"]

CHUNK = 1e9                 # time units per restart of the integrator's clock (see stiff_gradient_flow)


@dataclass(frozen=True)
class StiffRun:
    """A recorded flow: ``times`` (T,), strictly increasing, and ``weights``, one array (T, d_h, d_(h-1)) per
    layer, every accepted step of the integrator (the input of exactdln/tools/trace.py's Trajectory)."""

    times: np.ndarray
    weights: tuple[np.ndarray, ...]
    evaluations: int

    @property
    def records(self) -> int:
        return int(len(self.times))


def _floats(rows: Any, field: str) -> np.ndarray:
    try:
        return np.array([[float(x) for x in row] for row in rows], dtype=np.float64)
    except OverflowError:
        raise InputError("a number beyond the float64 range", field) from None


def stiff_gradient_flow(problem: Problem, weights: Sequence[Any], *, t_end: float, rtol: float = 1e-9,
                        atol: float | None = None) -> StiffRun:
    """dW_h/dt = -dL/dW_h, L = 1/2 ||W_H...W_1 X - Y||_F^2 + sum lambda_h/2 ||W_h||^2, from ``weights`` to ``t_end``
    by scipy's LSODA with the Jacobian -Hess L from central differences of the exact gradient formula
    dL/dW_h = W_(H:h+1)^T (W_(H:1) Sigma_XX - Sigma_YX) W_(h-1:1)^T + lambda_h W_h (docs/maths/gradient_flow.md §1.1).

    ``atol`` (default 10^-6 times the largest entry of the start): the absolute error allowed per step, so the
    small modes of a small start are integrated to about six digits; ``rtol`` the relative error. Raises
    ValueError when the integrator fails (its message)."""
    from scipy.integrate import solve_ivp

    X, Y = _floats(problem.X.rows, "X"), _floats(problem.Y.rows, "Y")
    start = [np.asarray(w, dtype=np.float64) for w in weights]
    if not start or any(w.ndim != 2 for w in start):
        raise InputError("expected a list of 2-d weight matrices", "weights")
    lam = [float(x) for x in problem.layer_lambdas(len(start))]
    shapes = [w.shape for w in start]
    Sxx, Syx = X @ X.T, Y @ X.T
    d_x, d_y = shapes[0][1], shapes[-1][0]
    count = [0]

    def unpack(v: np.ndarray) -> list[np.ndarray]:
        out, k = [], 0
        for a, b in shapes:
            out.append(v[k:k + a * b].reshape(a, b))
            k += a * b
        return out

    def gradient(v: np.ndarray) -> np.ndarray:
        count[0] += 1
        W = unpack(v)
        prefix = [np.eye(d_x)]
        for w in W:
            prefix.append(w @ prefix[-1])
        G = prefix[-1] @ Sxx - Syx
        grads, suffix = [None] * len(W), np.eye(d_y)
        for h in range(len(W) - 1, -1, -1):
            grads[h] = suffix.T @ G @ prefix[h].T + lam[h] * W[h]
            suffix = suffix @ W[h]
        return np.concatenate([g.ravel() for g in grads])

    def jacobian(t: float, v: np.ndarray) -> np.ndarray:
        n = len(v)
        J = np.empty((n, n))
        h = 1e-7 * max(1.0, float(np.max(np.abs(v))))
        for i in range(n):
            e = np.zeros(n)
            e[i] = h
            J[:, i] = -(gradient(v + e) - gradient(v - e)) / (2 * h)
        return J

    v0 = np.concatenate([w.ravel() for w in start])
    scale = float(np.max(np.abs(v0))) if v0.size else 0.0
    tol = atol if atol is not None else 1e-6 * (scale if scale > 0 else 1.0)
    # The clock is restarted every CHUNK time units: a float64 time near 10^12 is resolved only to 10^-4, coarser
    # than the steps the fast drops between plateaus need (the integrator stops: "step size less than spacing").
    times, states, offset, first = [0.0], [v0], 0.0, None
    while offset < t_end:
        span = min(CHUNK, float(t_end) - offset)
        sol = solve_ivp(lambda t, v: -gradient(v), (0.0, span), states[-1], method="LSODA", rtol=rtol, atol=tol,
                        jac=jacobian, **({"first_step": min(first, span)} if first else {}))
        if sol.status != 0:
            raise ValueError(f"the stiff integration failed at time {offset:.6g}: {sol.message}")
        for t, k in zip(sol.t[1:], range(1, len(sol.t))):
            if offset + t > times[-1]:
                times.append(offset + float(t))
                states.append(sol.y[:, k])
        if len(sol.t) >= 2:
            first = float(sol.t[-1] - sol.t[-2])
        offset += span
    stacked = tuple(np.stack([unpack(v)[h] for v in states]) for h in range(len(shapes)))
    return StiffRun(np.asarray(times, dtype=np.float64), stacked, count[0])
