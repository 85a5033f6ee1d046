"""The gradient flow dW/dt = -grad L(W) integrated by a stiff method, for runs from very small starts.

An experiment in float64, not a proof. Near a saddle of a deep linear network the flow has two time scales: the
fitted directions converge at rates of the order of the eigenvalues of Sigma, while the directions not yet fitted
grow like s' ~ lambda s^(2H-3) from their size s ~ eps at the start (Saxe, McClelland, Ganguli 2014), so the run
stays on the plateau for a time of the order 1 / (lambda eps^(H-2)) (depth H >= 3). An explicit method (gradient
descent, RK4) must keep its step below ~2 / (the largest curvature) and so needs ~1 / (eta lambda eps^(H-2))
steps: 10^7 for eps = 10^-6 at depth 3, 10^13 at depth 4. A stiff method (scipy's LSODA, which switches to BDF
where the flow is stiff) with the exact Jacobian takes long steps on the plateaus, so runs from starts of 10^-8 at
depth 3 and 3 x 10^-7 at depth 4 take seconds, and their plateau points lie about eps from the saddles
(docs/howto/trace.md, "How close a run comes").

Like the other numeric paths this module imports only :mod:`exactdln.model` from the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from exactdln.model.problem import InputError, Problem

__all__ = ["StiffRun", "stiff_gradient_flow"]

RESTART = 1e-8              # the clock restarts when the next step is below this fraction of the time reached


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


def _hessian(W: Sequence[np.ndarray], Sxx: np.ndarray, Syx: np.ndarray, lam: Sequence[float]) -> np.ndarray:
    """Hess L at the layers W (row-major vec of each W_h in turn), by blocks: with A_h = W_(H:h+1),
    B_h = W_(h-1:1) and G = W_(H:1) Sigma_XX - Sigma_YX,
    d grad_h / d W_k = A_h^T A_k (x) B_h Sigma_XX B_k^T  (the Gauss-Newton part)
    plus, for k > h, the derivative of A_h^T in G B_h^T, for k < h that of B_h^T in A_h^T G, and lambda_h I for k = h
    (the derivative of dL/dW_h = A_h^T G B_h^T + lambda_h W_h, docs/maths/gradient_flow.md §1.1)."""
    H = len(W)
    shapes = [w.shape for w in W]
    dims = [shapes[0][1]] + [a for a, _ in shapes]
    cache: dict[tuple[int, int], np.ndarray] = {}

    def prod(a: int, b: int) -> np.ndarray:             # W_a ... W_(b+1) (1-based layers), I when a == b
        if (a, b) not in cache:
            cache[(a, b)] = np.eye(dims[a]) if a == b else W[a - 1] @ prod(a - 1, b)
        return cache[(a, b)]

    G = prod(H, 0) @ Sxx - Syx
    A = [prod(H, h + 1) for h in range(H)]
    B = [prod(h, 0) for h in range(H)]
    offsets = np.cumsum([0] + [a * b for a, b in shapes])
    out = np.zeros((offsets[-1], offsets[-1]))
    for h in range(H):
        for k in range(H):
            (a, b), (c, d) = shapes[h], shapes[k]
            block = np.kron(A[h].T @ A[k], B[h] @ Sxx @ B[k].T)
            if k > h:
                block += np.einsum("bi,aj->ijab", prod(k, h + 1), A[k].T @ G @ B[h].T).reshape(a * b, c * d)
            elif k < h:
                block += np.einsum("ib,ja->ijab", A[h].T @ G @ B[k].T, prod(h, k + 1)).reshape(a * b, c * d)
            else:
                block += lam[h] * np.eye(a * b)
            out[offsets[h]:offsets[h + 1], offsets[k]:offsets[k + 1]] = block
    return out


def _gradient(W: Sequence[np.ndarray], Sxx: np.ndarray, Syx: np.ndarray, lam: Sequence[float]) -> np.ndarray:
    """dL/dW_h = W_(H:h+1)^T (W_(H:1) Sigma_XX - Sigma_YX) W_(h-1:1)^T + lambda_h W_h, all h, concatenated."""
    d_x, d_y = W[0].shape[1], W[-1].shape[0]
    prefix = [np.eye(d_x, dtype=Sxx.dtype)]
    for w in W:
        prefix.append(w @ prefix[-1])
    G = prefix[-1] @ Sxx - Syx
    grads: list[Any] = [None] * len(W)
    suffix = np.eye(d_y, dtype=Sxx.dtype)
    for h in range(len(W) - 1, -1, -1):
        grads[h] = suffix.T @ G @ prefix[h].T + lam[h] * W[h]
        suffix = suffix @ W[h]
    return np.concatenate([g.ravel() for g in grads])


def stiff_gradient_flow(problem: Problem, weights: Sequence[Any], *, t_end: float, rtol: float = 1e-9,
                        atol: float | None = None) -> StiffRun:
    """dW_h/dt = -dL/dW_h, L = 1/2 ||W_H...W_1 X - Y||_F^2 + sum lambda_h/2 ||W_h||^2, from ``weights`` to ``t_end``
    by scipy's LSODA with the exact Jacobian -Hess L (:func:`_hessian`; docs/maths/gradient_flow.md §1.1).

    Two float64 limits are worked around (docs/howto/trace.md, "How close a run comes"):

    - the gradient is evaluated in extended precision (numpy's longdouble, 64-bit mantissa on x86): on a plateau
      the directions not yet fitted move at ~lambda s^(2H-3) (10^-29 per unit time at depth 4 from s = 10^-6),
      far below the float64 rounding of a gradient of O(1) terms (10^-16), and that rounding noise, not the
      flow, would limit the steps to ~atol / 10^-16 time units;
    - the clock is restarted (the flow is autonomous) whenever the next step falls below 10^-8 of the time
      reached, so that the fast drops between plateaus, at times near 10^12, are resolved.

    ``atol`` (default 10^-6 times the largest entry of the start): the absolute error allowed per step, so the
    small modes of a small start are integrated to about six digits; ``rtol`` the relative error. Raises
    ValueError when the integrator fails."""
    from scipy.integrate import LSODA

    X, Y = _floats(problem.X.rows, "X"), _floats(problem.Y.rows, "Y")
    start = [np.asarray(w, dtype=np.float64) for w in weights]
    if not start or any(w.ndim != 2 for w in start):
        raise InputError("expected a list of 2-d weight matrices", "weights")
    lam = [float(x) for x in problem.layer_lambdas(len(start))]
    shapes = [w.shape for w in start]
    Sxx, Syx = X @ X.T, Y @ X.T
    Xl, Yl = X.astype(np.longdouble), Y.astype(np.longdouble)
    Sxx_l, Syx_l = Xl @ Xl.T, Yl @ Xl.T
    lam_l = [np.longdouble(x) for x in lam]
    count = [0]

    def unpack(v: np.ndarray) -> list[np.ndarray]:
        out, k = [], 0
        for a, b in shapes:
            out.append(v[k:k + a * b].reshape(a, b))
            k += a * b
        return out

    def rhs(t: float, v: np.ndarray) -> np.ndarray:
        count[0] += 1
        return -_gradient(unpack(v.astype(np.longdouble)), Sxx_l, Syx_l, lam_l).astype(np.float64)

    def jacobian(t: float, v: np.ndarray) -> np.ndarray:
        return -_hessian(unpack(v), Sxx, Syx, lam)

    v0 = np.concatenate([w.ravel() for w in start])
    scale = float(np.max(np.abs(v0))) if v0.size else 0.0
    tol = atol if atol is not None else 1e-6 * (scale if scale > 0 else 1.0)
    times, states, offset, first = [0.0], [v0], 0.0, None
    while offset < t_end:
        solver = LSODA(rhs, 0.0, states[-1], float(t_end) - offset, rtol=rtol, atol=tol, jac=jacobian,
                       first_step=first)
        restart = False
        while solver.status == "running":
            message = solver.step()
            if solver.status == "failed":
                raise ValueError(f"the stiff integration failed at time {offset + solver.t:.6g}: {message}")
            if offset + solver.t > times[-1]:
                times.append(offset + float(solver.t))
                states.append(np.array(solver.y))
            upcoming = float(solver._lsoda_solver._integrator.rwork[11])      # LSODA's next step (RWORK(12))
            if solver.status == "running" and solver.t > 1e3 and 0 < upcoming < RESTART * solver.t:
                restart = True
                break
        offset += float(solver.t)
        first = min(upcoming, float(t_end) - offset) if restart and t_end > offset else None
        if not restart:
            break
    stacked = tuple(np.stack([unpack(v)[h] for v in states]) for h in range(len(shapes)))
    return StiffRun(np.asarray(times, dtype=np.float64), stacked, count[0])
