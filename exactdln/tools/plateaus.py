"""The plateaus of a recorded run, measured in float64: the batched loss and gradient norms of every record
(:func:`run_losses`) and the plateau rule (:class:`PlateauRule`, :func:`find_plateaus`) of ``exactdln trace``
(exactdln/tools/trace.py).

The rule: a recorded point is *on a plateau* when

- the loss is flat around it: over the window of ``window`` x (the run's span of steps) centred on it,
  max L - min L <= ``flat_rtol`` x L (a relative change, so plateaus at 50 and at 0.002 are found alike);
- the gradient is small relative to its scale: ||grad L|| <= ``grad_rtol`` x max_k ||grad L(W_k)||;

and a plateau is a maximal stretch of consecutive such points spanning at least ``min_length`` x (the
run's span) steps. A run whose last recorded point has a small gradient but whose loss still falls (a
linear convergence to a loss of 0 is never flat in relative terms) ends with one more plateau: the
trailing stretch of small gradients, the run's limit. The point reported for a plateau is its recorded
point of smallest gradient norm, the run's closest recorded approach to the critical point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from exactdln.model.problem import InputError, Problem

__all__ = ["PlateauRule", "Plateau", "find_plateaus", "run_losses", "step_json"]


def run_losses(problem: Problem, weights: Sequence[np.ndarray], *, chunk: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """(loss, ||grad L||) in float64 at every record of stacked weights (T, d_h, d_(h-1)), batched.

    The data are compressed once, X^T = Q R, A = R^T, B = Y Q, c = ||Y - B Q^T||^2, so that
    ||P X - Y||^2 = ||P A - B||^2 + c (exactdln/numeric/flows.py, the same identity), and
    dL/dW_h = W_(H:h+1)^T (P A - B) A^T W_(h-1:1)^T + lambda_h W_h (docs/maths/gradient_flow.md §1.1)."""
    def floats(rows: Any, field: str) -> np.ndarray:
        try:
            return np.array([[float(x) for x in row] for row in rows])
        except OverflowError:
            raise InputError("a number beyond the float64 range (about 1.8e308): the run's loss curve is "
                             "measured in float64", field) from None

    X, Y = floats(problem.X.rows, "X"), floats(problem.Y.rows, "Y")
    lam = list(floats([problem.layer_lambdas(len(weights))], "lambda")[0])
    Q, R = np.linalg.qr(X.T)
    A, B = R.T, Y @ Q
    c = float(np.sum((Y - B @ Q.T) ** 2))
    T = weights[0].shape[0]
    losses, norms = np.empty(T), np.empty(T)
    with np.errstate(over="ignore", invalid="ignore"):     # weights beyond float64's reach give inf: no warning
        _batched(weights, A, B, c, lam, chunk, losses, norms)
    return losses, norms


def _batched(weights: Sequence[np.ndarray], A: np.ndarray, B: np.ndarray, c: float, lam: list, chunk: int,
             losses: np.ndarray, norms: np.ndarray) -> None:
    """Fill ``losses`` and ``norms`` chunk by chunk (the formulas of :func:`run_losses`)."""
    T = weights[0].shape[0]
    for lo in range(0, T, chunk):
        Ws = [w[lo:lo + chunk] for w in weights]
        prefix = [np.broadcast_to(np.eye(Ws[0].shape[2]), (Ws[0].shape[0],) + (Ws[0].shape[2],) * 2)]
        for w in Ws:
            prefix.append(w @ prefix[-1])
        E = prefix[-1] @ A - B
        loss = 0.5 * (np.sum(E * E, axis=(1, 2)) + c)
        G = E @ A.T
        sq = np.zeros(Ws[0].shape[0])
        suffix = np.broadcast_to(np.eye(Ws[-1].shape[1]), (Ws[-1].shape[0],) + (Ws[-1].shape[1],) * 2)
        for h in range(len(Ws) - 1, -1, -1):
            g = np.swapaxes(suffix, 1, 2) @ G @ np.swapaxes(prefix[h], 1, 2) + lam[h] * Ws[h]
            sq += np.sum(g * g, axis=(1, 2))
            loss = loss + 0.5 * lam[h] * np.sum(Ws[h] * Ws[h], axis=(1, 2))
            suffix = suffix @ Ws[h]
        losses[lo:lo + chunk], norms[lo:lo + chunk] = loss, np.sqrt(sq)


# ------------------------------------------------------------------------------------------------ plateaus

@dataclass(frozen=True)
class PlateauRule:
    """The parameters of the plateau rule of the module docstring: a point is on a plateau when the loss
    changes by at most ``flat_rtol`` (relative) over a window of ``window`` x the run's span of steps and
    ||grad L|| <= ``grad_rtol`` x its maximum over the run; a plateau spans >= ``min_length`` x the span."""

    flat_rtol: float = 1e-3
    grad_rtol: float = 1e-2
    window: float = 0.01
    min_length: float = 0.02

    def __post_init__(self) -> None:
        for name in ("flat_rtol", "grad_rtol", "window", "min_length"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a number > 0, got {value!r}")
        if self.window >= 1 or self.min_length >= 1:
            raise ValueError("window and min_length are fractions of the run's span: below 1")

    def to_json(self) -> dict[str, float]:
        return {"flat_rtol": self.flat_rtol, "grad_rtol": self.grad_rtol, "window": self.window,
                "min_length": self.min_length}


@dataclass(frozen=True)
class Plateau:
    """A stretch of records [first, last] (indices) on a plateau; ``at`` is the record of smallest gradient
    norm in it, whose step, float loss and gradient norm are ``step``, ``loss`` and ``grad_norm``.
    ``limit`` marks the trailing stretch of a run that converges without a flat loss (module docstring)."""

    first: int
    last: int
    at: int
    start_step: float
    end_step: float
    step: float
    loss: float
    grad_norm: float
    limit: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"steps": [step_json(self.start_step), step_json(self.end_step)], "at_step": step_json(self.step),
                "float_loss": self.loss, "grad_norm": self.grad_norm, "limit": self.limit}

    def __str__(self) -> str:
        return (f"steps {step_json(self.start_step)}-{step_json(self.end_step)}: loss {self.loss:.8g}, "
                f"||grad L|| {self.grad_norm:.2g} at step {step_json(self.step)}")


def step_json(s: float) -> int | float:
    return int(s) if float(s).is_integer() else float(s)


def _window_spread(steps: np.ndarray, loss: np.ndarray, half: float) -> np.ndarray:
    """max - min of the loss over the records within ``half`` steps of each record (sliding window)."""
    # at least the neighbouring records, so that a sparse recording never makes a window of one point
    index = np.arange(len(steps))
    lo = np.minimum(np.searchsorted(steps, steps - half, side="left"), np.maximum(index - 1, 0))
    hi = np.maximum(np.searchsorted(steps, steps + half, side="right"), np.minimum(index + 2, len(steps)))
    spread = np.empty(len(steps))
    # a sparse table of maxima and minima: O(T log T), fast for 10^5 records
    mx, mn = [loss], [loss]
    k = 1
    while 2 * k <= len(loss):
        mx.append(np.maximum(mx[-1][:-k], mx[-1][k:]))
        mn.append(np.minimum(mn[-1][:-k], mn[-1][k:]))
        k *= 2
    length = hi - lo
    level = np.floor(np.log2(np.maximum(length, 1))).astype(int)
    for j in np.unique(level):
        idx = np.nonzero(level == j)[0]
        a, b = lo[idx], hi[idx] - (1 << j)
        spread[idx] = np.maximum(mx[j][a], mx[j][b]) - np.minimum(mn[j][a], mn[j][b])
    return spread


def find_plateaus(steps: Sequence[float], loss: Sequence[float], grad_norm: Sequence[float],
                  rule: PlateauRule | None = None) -> list[Plateau]:
    """The plateaus of a run by the rule of the module docstring (:class:`PlateauRule`), in order.

    A float measurement, not a theorem: a plateau is where the run *looks* stuck near a critical point
    (Saxe, McClelland, Ganguli 2014). Records with a non-finite loss or gradient are never on a plateau."""
    rule = rule or PlateauRule()
    s = np.asarray(steps, dtype=np.float64)
    L = np.asarray(loss, dtype=np.float64)
    g = np.asarray(grad_norm, dtype=np.float64)
    if not (s.shape == L.shape == g.shape) or s.ndim != 1:
        raise ValueError("steps, loss and grad_norm must be 1-d of one length")
    if len(s) < 2:
        return []
    finite = np.isfinite(L) & np.isfinite(g)
    span = float(s[-1] - s[0])
    if not span > 0 or not finite.any():
        return []
    g_scale = float(np.max(g[finite]))
    small = finite & (g <= rule.grad_rtol * g_scale)
    Lf = np.where(finite, L, np.inf)
    spread = _window_spread(s, Lf, rule.window * span / 2)
    flat = finite & (spread <= rule.flat_rtol * np.abs(L))
    on = flat & small
    plateaus = [p for p in _stretches(s, L, g, on) if p.end_step - p.start_step >= rule.min_length * span]
    if small[-1] and not (plateaus and plateaus[-1].last == len(s) - 1):
        first = len(s) - 1
        while first > 0 and small[first - 1]:
            first -= 1
        if plateaus and first <= plateaus[-1].last + 1:      # the last plateau runs into the limit: one plateau
            first = plateaus.pop().first
        plateaus.append(_stretch(s, L, g, first, len(s) - 1, limit=True))
    return plateaus


def _stretches(s: np.ndarray, L: np.ndarray, g: np.ndarray, on: np.ndarray) -> list[Plateau]:
    out = []
    edges = np.diff(np.concatenate([[0], on.astype(np.int8), [0]]))
    for first, end in zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]):
        out.append(_stretch(s, L, g, int(first), int(end) - 1))
    return out


def _stretch(s: np.ndarray, L: np.ndarray, g: np.ndarray, first: int, last: int, limit: bool = False) -> Plateau:
    at = first + int(np.argmin(g[first:last + 1]))
    return Plateau(first, last, at, float(s[first]), float(s[last]), float(s[at]), float(L[at]), float(g[at]), limit)

