"""The saddles of a training run: its plateaus, and the exact critical point nearest to each.

Gradient descent on a deep linear network from a small initialization runs a staircase: the loss sits on
a plateau near a saddle, drops, sits on the next plateau, and so on (Saxe, McClelland, Ganguli 2014;
Jacot, Ged, Simsek, Hongler, Gabriel 2021, "saddle-to-saddle dynamics"). With full-rank X X^T the critical
point that fits the eigen-directions S of Sigma = Y X^T (X X^T)^-1 X Y^T has the critical value
(||Y||_F^2 - sum_{i in S} lambda_i) / 2 (docs/maths/classification.md §2), so the steps of the staircase
are exact algebraic numbers. :func:`trace` finds the plateaus of a recorded run, snaps a point of each to
the exact critical point nearest to it (exactdln/tools/snap_algebraic.py), classifies that point exactly,
and reports how far the run passed from it. The distance shrinks with the initialization scale; it is
reported, never held to a tolerance (that is ``snap``'s contract, not this one's).

The trajectory format (:func:`load_trajectory`):

- an ``.npz`` with one float array per layer stacked over the recorded steps, shape (T, d_h, d_(h-1)),
  named ``W1`` ... ``WH`` or ``layer0`` ... ``layer(H-1)``; optionally ``steps`` (T,) (the iteration of
  each record, default 0 .. T-1), ``loss`` (T,) (computed from the weights when absent) and the exact data
  ``X``, ``Y``, ``lambda``: string arrays of exact numbers (``"3/2"``, ``"0.125"``; this is what
  ``exactdln gd --trajectory`` writes) or float arrays read by the float rule ``floats``
  (exactdln/model/convert.py: ``"decimal"`` the shortest decimal that round-trips, ``"binary"`` the exact
  binary64 value; without a rule float data are refused);
- or a JSON file ``{"X", "Y", "lambda"?, "steps"?, "loss"?, "trajectory": [[W_1, ..., W_H], ...]}``, one list of
  weight matrices per record (numbers as in point files: X, Y, lambda exact as written, weights as floats);
- or a directory of point files (JSON, ``.npz`` or torch, as for ``snap``), one per recorded step, the step
  being the last integer in the file name (``step_000100.json``), sorted by it;
- the data may instead come from a separate point file without weights (``data=``, ``--data``), which
  then wins over data inside the trajectory.

The plateau rule (:class:`PlateauRule`, :func:`find_plateaus`): a recorded point is *on a plateau* when

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
import os
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from exactdln.model.problem import InputError, Problem

__all__ = ["Trajectory", "PlateauRule", "Plateau", "PlateauPoint", "Trace", "ExactValue", "load_trajectory",
           "save_trajectory", "find_plateaus", "run_losses", "exact_value", "plateau_point", "trace",
           "certify_plateaus"]

_LAYER = re.compile(r"^(?:W(\d+)|layer(\d+))$")


# ------------------------------------------------------------------------------------------------ the run

@dataclass(frozen=True)
class Trajectory:
    """A recorded training run with its exact data: ``weights[h]`` has shape (T, d_(h+1), d_h), one record
    per entry of ``steps``; ``loss`` is the float loss per record (None: compute it, :func:`run_losses`)."""

    problem: Problem
    steps: np.ndarray
    weights: tuple[np.ndarray, ...]
    loss: np.ndarray | None = None
    source: str | None = None

    @property
    def records(self) -> int:
        return int(len(self.steps))

    def at(self, index: int) -> list[np.ndarray]:
        """The float weights W_1..W_H of record ``index``."""
        return [w[index] for w in self.weights]

    def __str__(self) -> str:
        widths = [self.weights[0].shape[2]] + [w.shape[1] for w in self.weights]
        return (f"{self.source or 'trajectory'}: {self.records} records, steps {int(self.steps[0])}.."
                f"{int(self.steps[-1])}, widths {widths}")


def _data_rows(value: Any) -> Any:
    """A string array (exact numbers as text) as nested lists for the exact reader; anything else as is."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "US":
        return value.astype(str).tolist()
    return value


def _problem_from(arrays: dict[str, Any], floats: str | None, source: str) -> Problem:
    from exactdln.model.convert import FloatRuleError

    for key in ("X", "Y"):
        if key not in arrays:
            raise InputError("missing: give the data in the trajectory or with --data", key, source)
    lam = arrays.get("lambda", 0)
    if isinstance(lam, np.ndarray):
        lam = lam.astype(str).tolist() if lam.dtype.kind in "US" else lam.tolist()
        if isinstance(lam, float):
            from exactdln.model.convert import float_to_fraction
            try:
                lam = float_to_fraction(lam, floats, field="lambda")
            except FloatRuleError as err:
                raise InputError(err.message, "lambda", source) from None
    try:
        return Problem.create(_data_rows(arrays["X"]), _data_rows(arrays["Y"]), lam, exact=floats)
    except InputError as err:
        raise (err if err.source else err.with_source(source)) from None


def _stacked_layers(arrays: dict[str, Any], source: str) -> list[np.ndarray]:
    named = []
    for key in arrays:
        match = _LAYER.match(key)
        if match:
            named.append((int(match.group(1)) if match.group(1) else int(match.group(2)) + 1, key))
    if not named:
        raise InputError("no layers: expected arrays W1..WH or layer0..layer(H-1) of shape (T, out, in)",
                         "weights", source)
    named.sort()
    if [i for i, _ in named] != list(range(1, len(named) + 1)):
        raise InputError(f"layers {[k for _, k in named]} are not numbered consecutively from the first",
                         "weights", source)
    layers = []
    for _, key in named:
        a = arrays[key]
        if a.ndim != 3 or a.dtype.kind not in "fiu":
            raise InputError(f"expected a float array of shape (T, out, in), got shape {a.shape} of dtype "
                             f"{a.dtype}", key, source)
        layers.append(np.asarray(a, dtype=np.float64))
    T = layers[0].shape[0]
    for (_, key), a in zip(named, layers):
        if a.shape[0] != T:
            raise InputError(f"{a.shape[0]} records, but {named[0][1]} has {T}", key, source)
        if not np.all(np.isfinite(a)):
            raise InputError("NaN or infinity", key, source)
    if T == 0:
        raise InputError("no records (T = 0)", named[0][1], source)
    return layers


def _check_shapes(problem: Problem, layers: Sequence[np.ndarray], source: str) -> None:
    columns = problem.d_x
    for h, a in enumerate(layers):
        if a.shape[2] != columns:
            raise InputError(f"W_{h + 1} has shape {a.shape[1:]}, expected {columns} columns", f"W{h + 1}", source)
        columns = a.shape[1]
    if columns != problem.d_y:
        raise InputError(f"W_{len(layers)} has {columns} rows but Y has {problem.d_y}", f"W{len(layers)}", source)


def _vector(arrays: dict[str, Any], key: str, T: int, source: str) -> np.ndarray | None:
    if key not in arrays:
        return None
    a = np.asarray(arrays[key])
    if a.shape != (T,) or a.dtype.kind not in "fiu":
        raise InputError(f"expected {T} numbers (one per record), got shape {a.shape} of dtype {a.dtype}",
                         key, source)
    a = a.astype(np.float64)
    if not np.all(np.isfinite(a)):
        raise InputError("NaN or infinity", key, source)
    return a


def _step_of(name: str) -> int | None:
    numbers = re.findall(r"\d+", os.path.splitext(name)[0])
    return int(numbers[-1]) if numbers else None


def _load_directory(path: str, floats: str | None, problem: Problem | None) -> Trajectory:
    from exactdln.tools.interop import load_point_file

    entries = []
    for name in os.listdir(path):
        full = os.path.join(path, name)
        if not os.path.isfile(full) or name.startswith("."):
            continue
        step = _step_of(name)
        if step is None:
            raise InputError("a point file of a trajectory directory names its step (a number in the file name, "
                             "e.g. step_000100.json)", None, full)
        entries.append((step, full))
    if not entries:
        raise InputError("an empty directory: expected one point file per recorded step", None, path)
    entries.sort()
    steps = [s for s, _ in entries]
    if len(set(steps)) != len(steps):
        raise InputError("two files name the same step", None, path)
    records, first = [], None
    for _, full in entries:
        data, ws = load_point_file(full, floats, exact_weights=False)
        if problem is None:
            if first is None:
                first = data
            elif data.to_json() != first.to_json():
                raise InputError(f"its data X, Y, lambda differ from those of {entries[0][1]}: one run has one "
                                 "data set", None, full)
        if records and [w.shape for w in ws] != [w.shape for w in records[0]]:
            raise InputError("its weight shapes differ from the first file's", "weights", full)
        records.append(ws)
    problem = problem or first
    layers = [np.stack([r[h] for r in records]) for h in range(len(records[0]))]
    _check_shapes(problem, layers, path)
    return Trajectory(problem, np.array(steps, dtype=np.float64), tuple(layers), None, path)


def _float_entry(x: Any, field: str, source: str) -> float:
    from exactdln.model.problem import parse_number

    if isinstance(x, bool) or not isinstance(x, (int, float, str)):
        raise InputError(f"not a number: {x!r:.40}", field, source)
    value = float(parse_number(x, field)) if isinstance(x, str) else float(x)
    if not math.isfinite(value):
        raise InputError("beyond the float64 range", field, source)
    return value


def _load_json(source: str, floats: str | None, problem: Problem | None) -> Trajectory:
    from exactdln.model.problem import read_json_file

    try:
        data = read_json_file(source)
    except InputError as err:
        raise (err if err.source else err.with_source(source)) from None
    if not isinstance(data, dict) or "trajectory" not in data:
        raise InputError("a JSON trajectory is an object with X, Y and 'trajectory': [[W_1, ..., W_H], ...] "
                         "(one list of weight matrices per record)", "trajectory", source)
    records = data["trajectory"]
    if not isinstance(records, list) or not records or not all(isinstance(r, list) and r for r in records):
        raise InputError("expected a non-empty list of records, each a list [W_1, ..., W_H]", "trajectory", source)
    H = len(records[0])
    layers: list[list[np.ndarray]] = [[] for _ in range(H)]
    for t, record in enumerate(records):
        if len(record) != H:
            raise InputError(f"{len(record)} matrices, but the first record has {H}", f"trajectory[{t}]", source)
        for h, w in enumerate(record):
            where = f"trajectory[{t}][{h}]"
            if not isinstance(w, list) or not w or not all(isinstance(row, list) for row in w):
                raise InputError("expected a matrix (a list of rows)", where, source)
            a = np.array([[_float_entry(x, f"{where}[{i}][{j}]", source) for j, x in enumerate(row)]
                          for i, row in enumerate(w)] if len({len(row) for row in w}) == 1 else [], dtype=np.float64)
            if a.ndim != 2 or a.size == 0:
                raise InputError("rows of different lengths", where, source)
            if t and a.shape != layers[h][0].shape:
                raise InputError(f"shape {a.shape}, but the first record's W_{h + 1} is {layers[h][0].shape}",
                                 where, source)
            layers[h].append(a)
    stacked = [np.stack(ws) for ws in layers]
    if problem is None:
        problem = _problem_from(data, floats, source)
    _check_shapes(problem, stacked, source)
    T = len(records)
    arrays = {k: np.asarray(data[k]) for k in ("steps", "loss") if k in data}
    steps = _vector(arrays, "steps", T, source) if "steps" in arrays else np.arange(T, dtype=np.float64)
    if np.any(np.diff(steps) <= 0):
        raise InputError("the steps must increase", "steps", source)
    return Trajectory(problem, steps, tuple(stacked), _vector(arrays, "loss", T, source), source)


def load_trajectory(path: str | os.PathLike, *, data: str | os.PathLike | None = None,
                    floats: str | None = None) -> Trajectory:
    """A recorded training run (the format of the module docstring) with its exact data.

    ``path`` is an ``.npz`` of stacked layers, a JSON trajectory or a directory of point files; ``data`` a point file whose
    X, Y and lambda are the run's data (its weights, if any, are ignored); ``floats`` the rule for float
    data (exactdln/model/convert.py). Errors are :class:`InputError` naming the file and the field."""
    from exactdln.tools.interop import file_format, load_point_file

    source = os.fspath(path)
    problem = None
    if data is not None:
        problem, _ = load_point_file(data, floats, exact_weights=False, need_weights=False)
    if os.path.isdir(source):
        return _load_directory(source, floats, problem)
    try:
        fmt = file_format(source)
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", None, source) from None
    if fmt == "json":
        return _load_json(source, floats, problem)
    if fmt != "npz":
        raise InputError(f"a trajectory is an .npz of stacked layers, a JSON trajectory or a directory of point "
                         f"files, not a {fmt} file (for one point, use snap)", None, source)
    try:
        with np.load(source, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (OSError, ValueError) as err:
        raise InputError(f"cannot read the .npz: {err}", None, source) from None
    layers = _stacked_layers(arrays, source)
    if problem is None:
        problem = _problem_from(arrays, floats, source)
    _check_shapes(problem, layers, source)
    T = layers[0].shape[0]
    steps = _vector(arrays, "steps", T, source)
    if steps is None:
        steps = np.arange(T, dtype=np.float64)
    elif np.any(np.diff(steps) <= 0):
        raise InputError("the steps must increase", "steps", source)
    return Trajectory(problem, steps, tuple(layers), _vector(arrays, "loss", T, source), source)


def save_trajectory(path: str | os.PathLike, problem: Problem, steps: Sequence[int],
                    weights: Sequence[np.ndarray], loss: Sequence[float] | None = None) -> None:
    """Write a run in the trajectory format (module docstring): ``W1``..``WH`` stacked (T, d_h, d_(h-1)),
    ``steps``, ``loss`` (when given) and the exact data ``X``, ``Y``, ``lambda`` as string arrays of exact
    numbers ("p/q"), so that reading it back needs no float rule. Written to a temporary file in the
    target's folder and renamed, so that an interrupted write leaves nothing half-written."""
    import tempfile

    data = problem.to_json()
    arrays: dict[str, Any] = {f"W{h}": np.asarray(w, dtype=np.float64) for h, w in enumerate(weights, 1)}
    arrays["steps"] = np.asarray(steps, dtype=np.int64)
    if loss is not None:
        arrays["loss"] = np.asarray(loss, dtype=np.float64)
    arrays["X"] = np.array(data["X"], dtype=str)
    arrays["Y"] = np.array(data["Y"], dtype=str)
    arrays["lambda"] = np.array(data["lambda"], dtype=str)
    target = os.fspath(path)
    handle, temporary = tempfile.mkstemp(suffix=".npz", dir=os.path.dirname(os.path.abspath(target)))
    try:
        with os.fdopen(handle, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


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
    return losses, norms


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
        return {"steps": [_step_json(self.start_step), _step_json(self.end_step)], "at_step": _step_json(self.step),
                "float_loss": self.loss, "grad_norm": self.grad_norm, "limit": self.limit}

    def __str__(self) -> str:
        return (f"steps {_step_json(self.start_step)}-{_step_json(self.end_step)}: loss {self.loss:.8g}, "
                f"||grad L|| {self.grad_norm:.2g} at step {_step_json(self.step)}")


def _step_json(s: float) -> int | float:
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


# ------------------------------------------------------------------------------------------------ exact values

@dataclass(frozen=True)
class ExactValue:
    """A real algebraic number as a row shows it: ``decimal`` (12 significant digits, for reading) and
    exactly, either ``fraction`` ("p/q") or the minimal polynomial over Q (``minpoly``, coefficients
    constant term first, as strings) with a rational isolating ``interval``."""

    decimal: str
    fraction: str | None = None
    minpoly: tuple[str, ...] | None = None
    interval: tuple[str, str] | None = None
    approx: float = math.nan

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"decimal": self.decimal}
        if self.fraction is not None:
            out["exact"] = self.fraction
        else:
            out["minpoly"] = list(self.minpoly or ())
            out["interval"] = list(self.interval or ())
        return out

    @property
    def exact_text(self) -> str:
        if self.fraction is not None:
            return self.fraction
        from exactdln.arith.number_field import polynomial_text

        lo, hi = self.interval or ("?", "?")
        return f"root of {polynomial_text([Fraction(c) for c in self.minpoly or ()], 'x')} in [{lo}, {hi}]"

    def __str__(self) -> str:
        return self.decimal if self.fraction is not None and self.fraction == self.decimal else \
            f"{self.decimal} = {self.exact_text}"


def _decimal(x: Fraction) -> str:
    return f"{float(x):.12g}"


def exact_value(value: Any) -> ExactValue:
    """:class:`ExactValue` of a Fraction, int, fmpq or an element of a number field K = Q(theta).

    For an irrational element a of K the minimal polynomial is the irreducible factor of the characteristic
    polynomial of x -> a x on K (a Q-linear map of the D-dimensional space K; its characteristic polynomial is
    minpoly(a)^(D / deg a)) that vanishes at a, checked exactly in K; the interval is the isolating interval
    of that factor's real root that a is (docs/maths/algebraic.md §2)."""
    from exactdln.arith.number_field import FieldElement
    from exactdln.model.results import fraction_text

    if isinstance(value, FieldElement) and value.is_rational:
        value = value.rational()
    if not isinstance(value, FieldElement):
        q = Fraction(int(value.p), int(value.q)) if hasattr(value, "p") and hasattr(value, "q") else Fraction(value)
        return ExactValue(_decimal(q), fraction_text(q), approx=float(q))
    return _algebraic_value(value, fraction_text)


def _algebraic_value(a: Any, fraction_text) -> ExactValue:
    from flint import fmpq_mat, fmpq_poly

    from exactdln.arith.algebraic import real_roots
    from exactdln.arith.exact import to_fmpq, to_fraction

    K = a.field
    D = K.degree
    theta = K.theta
    columns, power = [], a
    for _ in range(D):
        columns.append(power.coefficients())
        power = power * theta
    M = fmpq_mat(D, D, [to_fmpq(columns[j][i]) for i in range(D) for j in range(D)])
    _, factors = M.charpoly().factor()
    for f, _ in factors:
        coefficients = [to_fraction(c) for c in f.coeffs()]
        image = K.element(0)
        for c in reversed(coefficients):          # Horner in K: f(a) = 0 exactly for the right factor
            image = image * a + c
        if not image.is_zero():
            continue
        roots = [r for r, _ in real_roots(fmpq_poly(f.coeffs()))]
        width = Fraction(1, 2**40)
        while True:
            centre = a.approximate(width)
            near = [r for r in roots if r.lower - width <= centre <= r.upper + width]
            if len(near) == 1:
                root = near[0]
                break
            roots = [r.refine(width) for r in roots]
            width /= 2**20
        lead = coefficients[-1]
        monic = tuple(fraction_text(c / lead) for c in coefficients)
        approx = a.approximate(Fraction(1, 2**80))
        lo, hi = _short_interval(root, [r for r in roots if r is not root])
        return ExactValue(_decimal(approx), None, monic, (fraction_text(lo), fraction_text(hi)), float(approx))
    raise ArithmeticError("no factor of the characteristic polynomial vanishes at the element")  # pragma: no cover


def _short_interval(root: Any, others: Sequence[Any]) -> tuple[Fraction, Fraction]:
    """Decimal endpoints with as few digits as keep ``root`` inside and every other root of its polynomial
    outside: [lo, hi] contains the root's isolating interval and is disjoint from the others' (exact
    comparisons of rationals), so it isolates the root too."""
    k = 0
    while True:
        step = Fraction(1, 10**k)
        r = root.refine(step / 4)
        lo = math.floor(r.lower / step) * step
        hi = math.ceil(r.upper / step) * step
        if lo == hi:
            hi = lo + step
        if all(o.upper < lo or o.lower > hi for o in (o.refine(step / 4) for o in others)):
            return lo, hi
        k += 1


# ------------------------------------------------------------------------------------------------ one plateau

@dataclass(frozen=True)
class PlateauPoint:
    """One row of :func:`trace`: a plateau, the exact critical point nearest to its record (fitted set S,
    ``rank`` of W_H...W_1, ``kind`` by the exact classification), its exact ``critical_value``, and the
    Frobenius ``distance`` from the run's float weights to it (``relative_distance`` divides by ||W||_F).
    ``point`` is the exact point as a point file (dict), ``certificate`` where its certificate was written."""

    index: int
    plateau: Plateau
    float_loss: float
    critical_value: ExactValue | None
    fitted: tuple[int, ...] | None
    rank: int | None
    kind: str | None
    distance: float | None
    relative_distance: float | None
    field_degree: int | None = None
    notes: tuple[str, ...] = ()
    point: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    certificate: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"plateau": self.index, **self.plateau.to_json(), "float_loss": self.float_loss,
                "critical_value": self.critical_value.to_json() if self.critical_value else None,
                "fitted": list(self.fitted) if self.fitted is not None else None, "rank": self.rank,
                "kind": self.kind, "distance": self.distance, "relative_distance": self.relative_distance,
                "field_degree": self.field_degree, "certificate": self.certificate, "notes": list(self.notes)}

    def __str__(self) -> str:
        p = self.plateau
        cv = self.critical_value
        lines = [f"plateau {self.index}: steps {_step_json(p.start_step)}-{_step_json(p.end_step)}"
                 + (" (the run's limit)" if p.limit else "") + f", closest record at step {_step_json(p.step)}",
                 f"  float loss {self.float_loss:.12g}   ||grad L|| {p.grad_norm:.3g}",
                 f"  exact critical value {cv.decimal if cv else '-'}" + (f" = {cv.exact_text}" if cv else ""),
                 f"  S = {_fitted_text(self.fitted)}   rank {self.rank if self.rank is not None else '-'}   "
                 f"kind {_kind_text(self.kind)}   distance {_distance_text(self.distance, self.relative_distance)}"]
        if self.certificate:
            lines.append(f"  certificate: {self.certificate}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def _fitted_text(fitted: tuple[int, ...] | None) -> str:
    if fitted is None:
        return "-"
    return "{" + ", ".join(str(i) for i in fitted) + "}"


def _kind_text(kind: str | None) -> str:
    return (kind or "-").replace("_", " ").replace("non strict", "non-strict")


def _distance_text(d: float | None, rel: float | None) -> str:
    if d is None:
        return "-"
    return f"{d:.3g}" + (f" ({rel:.2g} relative)" if rel is not None else "")


def _frobenius(ws: Sequence[np.ndarray]) -> float:
    return math.sqrt(sum(float(np.sum(w * w)) for w in ws))


def _nearest(problem: Problem, ws: list[np.ndarray], degree_cap: int, classify: bool = True) -> Any:
    from exactdln.tools.snap_algebraic import nearest_critical_point

    return nearest_critical_point(problem, ws, degree_cap=degree_cap, classify=classify)


def plateau_point(problem: Problem, ws: list[np.ndarray], plateau: Plateau, index: int, *,
                  degree_cap: int = 64, classify: bool = True) -> PlateauPoint:
    """The row of one plateau: the nearest exact critical point to the float weights ``ws``
    (exactdln/tools/snap_algebraic.py), its exact critical value and, with ``classify``, its exact kind."""
    float_loss = float(run_losses(problem, [w[None] for w in ws])[0][0])
    notes: list[str] = []
    try:
        found = _nearest(problem, ws, degree_cap, classify)
    except ImportError:
        return PlateauPoint(index, plateau, float_loss, None, None, None, None, None, None,
                            notes=("the exact nearest critical point needs exactdln/tools/snap_algebraic.py, "
                                   "not available in this installation",))
    except (InputError, ValueError, ArithmeticError) as err:
        return PlateauPoint(index, plateau, float_loss, None, None, None, None, None, None,
                            notes=(f"no exact critical point: {err}",))
    notes += [str(n) for n in getattr(found, "notes", ())]
    found_kind = getattr(found, "kind", None)
    point = getattr(found, "point", None)
    fitted = getattr(found, "fitted", None)
    fitted = tuple(int(i) for i in fitted) if fitted is not None else None
    distance = _float_or_none(getattr(found, "distance", None))
    relative = _float_or_none(getattr(found, "relative_distance", None))
    if relative is None and distance is not None:
        norm = _frobenius(ws)
        relative = distance / norm if norm > 0 else None
    if point is None:
        origin = _origin_row(problem, ws, plateau, index, float_loss, classify, notes)
        if origin is not None:
            return origin
        return PlateauPoint(index, plateau, float_loss, None, fitted, None, None, distance, relative,
                            notes=tuple(notes))
    value, degree, point_json, kind, rank = _point_facts(problem, point, classify and found_kind is None, notes)
    verdict = getattr(found, "classification", None)
    kind = found_kind or kind
    if verdict is not None and getattr(verdict, "rank", None) is not None:
        rank = verdict.rank
    if rank is None and fitted is not None:
        rank = len(fitted)     # a critical point fitting S has rank W_H...W_1 = |S| (Achour et al. 2024, Prop. 1)
    near = [c for c in getattr(found, "candidates", ())[1:] if len(c) > 2 and c[2] and c[2] != kind]
    if near:
        notes.append("other kinds among the candidates built: " + "; ".join(
            f"{c[0]}: {_kind_text(c[2])} at relative distance {float(c[1]):.2g}" for c in near))
    return PlateauPoint(index, plateau, float_loss, value, fitted, rank, kind, distance, relative, degree,
                        tuple(notes), point_json)


def _origin_row(problem: Problem, ws: list[np.ndarray], plateau: Plateau, index: int, float_loss: float,
                classify: bool, notes: list[str]) -> PlateauPoint | None:
    """The row of W = 0 when the nearest-point construction gave nothing (a regularized run, for instance) and
    the plateau sits at L(0) = ||Y||_F^2 / 2: for depth H >= 2 every gradient block dL/dW_h has a factor W_j,
    j != h, so W = 0 is an exact critical point, with or without lambda (Yun, Sra, Jadbabaie 2018, Lemma 3.2)."""
    if len(ws) < 2:
        return None
    from exactdln.landscape.derivatives import loss as exact_loss
    from exactdln.model.problem import RationalMatrix

    zeros = [RationalMatrix.zeros(*w.shape) for w in ws]
    value = exact_value(exact_loss(problem, zeros))
    if not abs(float_loss - value.approx) <= 1e-3 * abs(value.approx):
        return None
    point_json = {**problem.to_json(), "weights": [z.to_json() for z in zeros]}
    kind = rank = None
    if classify:
        kind, rank = _classify_json(point_json, notes)
    distance = _frobenius(ws)
    notes.append("W = 0, an exact critical point at the plateau's loss ||Y||^2/2 (depth >= 2), taken instead")
    return PlateauPoint(index, plateau, float_loss, value, (), rank if rank is not None else 0, kind, distance,
                        1.0 if distance > 0 else None, 1, tuple(notes), point_json)


def _float_or_none(x: Any) -> float | None:
    try:
        return None if x is None else float(x)
    except (TypeError, ValueError):
        return None


def _point_facts(problem: Problem, point: Any, classify: bool, notes: list[str]):
    """(exact critical value, field degree, point file dict, kind, rank) of the nearest point, an
    AlgebraicCriticalPoint (over K, or over Q with field None) or a sequence of rational weight matrices."""
    if hasattr(point, "to_point_json"):
        point_json = point.to_point_json()
        spec = getattr(point, "field", None)
        degree = spec.degree if spec is not None else 1
        value = exact_value(point.critical_value) if getattr(point, "critical_value", None) is not None else None
        kind = rank = None
        if classify:
            kind, rank = _classify_json(point_json, notes)
        return value, degree, point_json, kind, rank
    from exactdln.landscape.derivatives import loss as exact_loss

    weights = list(point)
    point_json = {**problem.to_json(), "weights": [w.to_json() for w in weights]}
    value = exact_value(exact_loss(problem, weights))
    kind = rank = None
    if classify:
        kind, rank = _classify_json(point_json, notes)
    return value, 1, point_json, kind, rank


def _classify_json(point_json: dict[str, Any], notes: list[str]) -> tuple[str | None, int | None]:
    """Classify a point file dict as ``exactdln classify`` would: over Q, or over K when it names a field."""
    if "field" in point_json:
        from exactdln.model.field_format import algebraic_point_from_mapping
        from exactdln.theory.number_field import classify_over_field

        problem, weights = algebraic_point_from_mapping(point_json)
        verdict = classify_over_field(problem, weights)
    else:
        from exactdln.model.problem import load_point
        from exactdln.theory.classify import classify

        problem, weights = _rational_point(point_json)
        verdict = classify(problem, weights)
    if not getattr(verdict, "critical", True):
        notes.append("the exact point is not critical: the nearest-point construction failed its exact check")
    for n in getattr(verdict, "notes", ()):
        if "not implemented yet" not in str(n):
            notes.append(f"classify: {n}")
    return verdict.kind, getattr(verdict, "rank", None)


def _rational_point(point_json: dict[str, Any]):
    from exactdln.model.problem import Problem as P, as_weights

    problem = P.create(point_json["X"], point_json["Y"], point_json.get("lambda", 0))
    return problem, as_weights(point_json["weights"])


# ------------------------------------------------------------------------------------------------ the trace

@dataclass(frozen=True)
class Trace:
    """The plateaus of a run and the exact critical point of each (:func:`trace`); ``steps``, ``loss`` and
    ``grad_norm`` are the whole run's float curve (for the plot)."""

    source: str | None
    rows: tuple[PlateauPoint, ...]
    rule: PlateauRule
    records: int
    steps: np.ndarray = field(compare=False, repr=False)
    loss: np.ndarray = field(compare=False, repr=False)
    grad_norm: np.ndarray = field(compare=False, repr=False)
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"file": self.source, "records": self.records, "rule": self.rule.to_json(),
                "plateaus": [r.to_json() for r in self.rows], "notes": list(self.notes)}

    def table(self) -> str:
        """One row per plateau (the exact forms of irrational values below the table)."""
        head = ("#", "steps", "float loss", "critical value", "S", "rank", "kind", "distance")
        body = []
        for r in self.rows:
            p = r.plateau
            cv = r.critical_value
            body.append((str(r.index), f"{_step_json(p.start_step)}-{_step_json(p.end_step)}",
                         f"{r.float_loss:.10g}", cv.decimal if cv else "-", _fitted_text(r.fitted),
                         str(r.rank) if r.rank is not None else "-", _kind_text(r.kind),
                         _distance_text(r.distance, r.relative_distance)))
        widths = [max(len(row[i]) for row in [head] + body) for i in range(len(head))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in [head] + body]
        exact = [f"  {r.index}: critical value = {r.critical_value.exact_text}"
                 + (f" (field degree {r.field_degree})" if r.field_degree and r.field_degree > 1 else "")
                 for r in self.rows if r.critical_value is not None]
        extra = [f"  {r.index}: {n}" for r in self.rows for n in r.notes]
        extra += [f"  {r.index}: certificate {r.certificate}" for r in self.rows if r.certificate]
        return "\n".join(lines + (["exactly:"] + exact if exact else []) + (["notes:"] + extra if extra else []))

    def __str__(self) -> str:
        head = (f"{self.source or 'trajectory'}: {self.records} records, {len(self.rows)} "
                f"plateau{'s' if len(self.rows) != 1 else ''}")
        return "\n".join([head, self.table()] + [f"note: {n}" for n in self.notes])


def trace(trajectory: Trajectory, *, rule: PlateauRule | None = None, degree_cap: int = 64,
          classify: bool = True) -> Trace:
    """The saddles of a training run: its plateaus (:func:`find_plateaus`) and, for each, the exact critical
    point nearest to the run's closest record, with its exact critical value, fitted set S, rank, kind and
    distance (module docstring). With full-rank X X^T the critical value is (||Y||_F^2 - sum_{i in S}
    lambda_i(Sigma)) / 2 (docs/maths/classification.md §2; Achour, Malgouyres, Gerchinovitz 2024), so the
    rows are the exact steps of the staircase of Saxe, McClelland, Ganguli (2014). ``classify=False`` skips the
    exact classification (kind None), the costly part over number fields of high degree."""
    rule = rule or PlateauRule()
    problem = trajectory.problem
    computed, norms = run_losses(problem, trajectory.weights)
    notes: list[str] = []
    loss = computed
    if trajectory.loss is not None:
        loss = trajectory.loss
        scale = np.maximum(np.abs(computed), 1e-300)
        worst = float(np.max(np.abs(trajectory.loss - computed) / scale))
        if worst > 1e-6:
            notes.append(f"the recorded loss differs from L(W) = 1/2 ||W_H...W_1 X - Y||_F^2 (+ lambda/2 sum ||W_h||^2) "
                         f"by up to a relative {worst:.2g}: the plateaus are found on the recorded loss, the rows "
                         "show L(W)")
    plateaus = find_plateaus(trajectory.steps, loss, norms, rule)
    rows = tuple(plateau_point(problem, trajectory.at(p.at), p, i, degree_cap=degree_cap, classify=classify)
                 for i, p in enumerate(plateaus, 1))
    if not plateaus:
        notes.append("no plateau found by the rule " + ", ".join(f"{k} = {v:g}" for k, v in rule.to_json().items()))
    return Trace(trajectory.source, rows, rule, trajectory.records, trajectory.steps, loss, norms, tuple(notes))


def certify_plateaus(result: Trace, directory: str | os.PathLike) -> Trace:
    """Write, for every row with an exact point, the point file ``plateau_<i>.json`` and its certificate
    ``plateau_<i>.cert.json`` into ``directory`` (made if missing), through :func:`exactdln.certify`, which
    runs the standalone checker before a certificate is kept. A point over a number field is certified when
    the installed certify accepts such points; otherwise the row says so and only the point file is written.
    Returns the trace with each row's ``certificate`` (or a note)."""
    import dataclasses
    import json

    folder = os.fspath(directory)
    os.makedirs(folder, exist_ok=True)
    rows = []
    for row in result.rows:
        if row.point is None:
            rows.append(row)
            continue
        point_path = os.path.join(folder, f"plateau_{row.index}.json")
        with open(point_path, "w", encoding="utf-8") as fh:
            json.dump(row.point, fh)
            fh.write("\n")
        cert_path = os.path.join(folder, f"plateau_{row.index}.cert.json")
        try:
            written, note = _certify_point(row.point, cert_path)
        except (InputError, ValueError, ArithmeticError) as err:
            written, note = False, f"not certified: {err}"
        notes = row.notes + ((note,) if note else ())
        rows.append(dataclasses.replace(row, certificate=cert_path if written else None, notes=notes))
    return dataclasses.replace(result, rows=tuple(rows))


def _certify_point(point_json: dict[str, Any], path: str) -> tuple[bool, str | None]:
    from exactdln.certify.point import certify, write_certificate

    if "field" in point_json:
        try:
            from exactdln.model.field_format import algebraic_point_from_mapping

            problem, weights = algebraic_point_from_mapping(point_json)
            certificate = certify(problem, weights)
        except (TypeError, AttributeError, NotImplementedError, InputError):
            return False, ("certification over a number field is not available in this installation yet: the "
                           "point file is written, classify reads it")
    else:
        problem, weights = _rational_point(point_json)
        certificate = certify(problem, weights)
    if not certificate.ok:
        return False, "the standalone checker did not accept the certificate: not written"
    write_certificate(certificate, path)
    return True, (None if certificate.kind else "certificate written without a kind claim: "
                  + "; ".join(certificate.notes))
