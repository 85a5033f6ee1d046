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

What is recorded (:class:`_Recorder`): a flow of many plateaus takes ~10^5 accepted steps (depth 4, d_y = 5 from
3 x 10^-7: 151,650 steps, an .npz of 123 MB, above the 64 MB cap of ``exactdln trace``'s reader), most of them in the
drops, where the integrator resolves fast transients the plateau rule does not need. An accepted step is kept when
the weights or the loss moved by ``record_rtol`` (relative) since the last kept one, or ``record_gap`` x t_end of
time has passed since it, so that every plateau keeps records spaced at most ``record_gap`` of the run apart (the
plateau rule measures its window and length in fractions of the run's span, exactdln/tools/plateaus.py); the start
and the last accepted step are always kept.

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
    layer, the accepted steps of the integrator that were kept (module docstring; the input of
    exactdln/tools/trace.py's Trajectory); ``steps`` the number of accepted steps, kept or not."""

    times: np.ndarray
    weights: tuple[np.ndarray, ...]
    evaluations: int
    steps: int = 0

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


class _Recorder:
    """The accepted steps kept (module docstring). A step (t, v) is kept when ||v - v_k|| >= record_rtol ||v_k||
    (Euclidean norm of all the weights), or |L(v) - L(v_k)| >= record_rtol |L(v_k)|, or t - t_k >= gap, where
    (t_k, v_k) is the last kept step. The decision reads only the kept step and the offered one, so the records are
    a subsequence of the accepted steps, and record_rtol = gap = 0 keeps every one. :meth:`finish` keeps the last
    accepted step."""

    def __init__(self, loss: Any, rtol: float, gap: float, t0: float, v0: np.ndarray) -> None:
        self.loss, self.rtol, self.gap = loss, rtol, gap
        self.times, self.states = [t0], [v0]
        self.kept_loss = loss(v0)
        self.pending: tuple[float, np.ndarray] | None = None

    def offer(self, t: float, v: np.ndarray) -> None:
        t_k, v_k = self.times[-1], self.states[-1]
        if not t > t_k:
            return
        L = self.loss(v)
        if (t - t_k >= self.gap or abs(L - self.kept_loss) >= self.rtol * abs(self.kept_loss)
                or np.linalg.norm(v - v_k) >= self.rtol * np.linalg.norm(v_k)):
            self.times.append(t)
            self.states.append(v)
            self.kept_loss, self.pending = L, None
        else:
            self.pending = (t, v)

    def finish(self) -> None:
        if self.pending is not None:
            self.times.append(self.pending[0])
            self.states.append(self.pending[1])
            self.pending = None


def stiff_gradient_flow(problem: Problem, weights: Sequence[Any], *, t_end: float, rtol: float = 1e-9,
                        atol: float | None = None, record_rtol: float = 1e-3, record_gap: float = 1e-4) -> StiffRun:
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
    small modes of a small start are integrated to about six digits; ``rtol`` the relative error. The accepted
    steps recorded: those where the weights or the loss moved by ``record_rtol`` (relative) since the last
    record, or ``record_gap`` x ``t_end`` of time passed, with the start and the last step (module docstring);
    ``record_rtol = record_gap = 0`` records every accepted step. Raises ValueError when the integrator fails."""
    from scipy.integrate import LSODA

    X, Y = _floats(problem.X.rows, "X"), _floats(problem.Y.rows, "Y")
    start = [np.asarray(w, dtype=np.float64) for w in weights]
    if not start or any(w.ndim != 2 for w in start):
        raise InputError("expected a list of 2-d weight matrices", "weights")
    for name, value in (("record_rtol", record_rtol), ("record_gap", record_gap)):
        if not (isinstance(value, (int, float)) and 0 <= value < float("inf")):
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
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

    def loss(v: np.ndarray) -> float:
        W = unpack(v)
        P = W[0]
        for w in W[1:]:
            P = w @ P
        return 0.5 * float(np.sum((P @ X - Y) ** 2)) + sum(0.5 * l * float(np.sum(w * w)) for l, w in zip(lam, W))

    v0 = np.concatenate([w.ravel() for w in start])
    scale = float(np.max(np.abs(v0))) if v0.size else 0.0
    tol = atol if atol is not None else 1e-6 * (scale if scale > 0 else 1.0)
    recorder = _Recorder(loss, float(record_rtol), float(record_gap) * float(t_end), 0.0, v0)
    state, offset, first, accepted = v0, 0.0, None, 0
    while offset < t_end:
        solver = LSODA(rhs, 0.0, state, float(t_end) - offset, rtol=rtol, atol=tol, jac=jacobian,
                       first_step=first)
        restart = False
        while solver.status == "running":
            message = solver.step()
            if solver.status == "failed":
                raise ValueError(f"the stiff integration failed at time {offset + solver.t:.6g}: {message}")
            accepted += 1
            recorder.offer(offset + float(solver.t), np.array(solver.y))
            upcoming = float(solver._lsoda_solver._integrator.rwork[11])      # LSODA's next step (RWORK(12))
            if solver.status == "running" and solver.t > 1e3 and 0 < upcoming < RESTART * solver.t:
                restart = True
                break
        # the next leg starts from the last accepted step, recorded or not, so the recording never changes the flow
        state = np.array(solver.y)
        offset += float(solver.t)
        first = min(upcoming, float(t_end) - offset) if restart and t_end > offset else None
        if not restart:
            break
    recorder.finish()
    stacked = tuple(np.stack([unpack(v)[h] for v in recorder.states]) for h in range(len(shapes)))
    return StiffRun(np.asarray(recorder.times, dtype=np.float64), stacked, count[0], accepted)
