"""Recorded training runs on file: the trajectory format read by ``exactdln trace`` and written by
``exactdln gd --trajectory`` (exactdln/tools/trace.py finds the run's plateaus and their saddles).

The format (:func:`load_trajectory`, :func:`save_trajectory`):

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
"""

from __future__ import annotations

import math
import os
import re
import zipfile
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from exactdln.model.problem import InputError, Problem

__all__ = ["Trajectory", "load_trajectory", "save_trajectory"]

_LAYER = re.compile(r"^(?:W(\d+)|layer(\d+))$")


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
        first, last = (int(s) if float(s).is_integer() else float(s) for s in (self.steps[0], self.steps[-1]))
        return f"{self.source or 'trajectory'}: {self.records} records, steps {first}..{last}, widths {widths}"


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


# A trajectory is larger than a point (interop's caps): T records of every weight. These bound what an .npz
# may declare before anything is decompressed.
MAX_TRAJECTORY_BYTES = 2**31
MAX_TRAJECTORY_MEMBERS = 1024


def _check_archive(path: str) -> None:
    """Refuse an .npz whose members are not .npy arrays, are too many, or declare more than
    MAX_TRAJECTORY_BYTES uncompressed in all (reading stops at the declared sizes, so a small file cannot
    decompress into more), or are encrypted."""
    from exactdln.tools.interop import refuse_encrypted

    try:
        if os.path.getsize(path) > MAX_TRAJECTORY_BYTES:
            raise InputError(f"file larger than {MAX_TRAJECTORY_BYTES} bytes", None, path)
        with zipfile.ZipFile(path) as z:
            members = z.infolist()
    except (OSError, zipfile.BadZipFile) as err:
        raise InputError(f"cannot read the .npz: {err}", None, path) from None
    if len(members) > MAX_TRAJECTORY_MEMBERS:
        raise InputError(f"{len(members)} arrays: a trajectory holds at most {MAX_TRAJECTORY_MEMBERS}", None, path)
    declared = 0
    for info in members:
        if not info.filename.endswith(".npy"):
            raise InputError("not an .npy array", info.filename, path)
        refuse_encrypted(info, info.filename, path)
        declared += info.file_size
    if declared > MAX_TRAJECTORY_BYTES:
        raise InputError(f"the arrays declare {declared} bytes uncompressed, more than {MAX_TRAJECTORY_BYTES}",
                         None, path)


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
    _check_archive(source)
    try:
        with np.load(source, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
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


def save_trajectory(path: str | os.PathLike, problem: Problem, steps: Sequence[float],
                    weights: Sequence[np.ndarray], loss: Sequence[float] | None = None) -> None:
    """Write a run in the trajectory format (module docstring): ``W1``..``WH`` stacked (T, d_h, d_(h-1)),
    ``steps``, ``loss`` (when given) and the exact data ``X``, ``Y``, ``lambda`` as string arrays of exact
    numbers ("p/q"), so that reading it back needs no float rule. Written to a temporary file in the
    target's folder and renamed, so that an interrupted write leaves nothing half-written."""
    import tempfile

    data = problem.to_json()
    arrays: dict[str, Any] = {f"W{h}": np.asarray(w, dtype=np.float64) for h, w in enumerate(weights, 1)}
    clock = np.asarray(steps, dtype=np.float64)
    # iteration numbers stay integers; the times of a gradient flow (any float clock) are kept as floats
    arrays["steps"] = clock.astype(np.int64) if np.all(clock == np.round(clock)) else clock
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

