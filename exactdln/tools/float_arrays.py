"""One reader of float weight matrices, shared by ``snap`` (exactdln/tools/snap.py) and the point-file reader of
exactdln/tools/interop.py.

Float weights are a measurement, not exact input: they are read into float64 as they stand, and refused (an
:class:`~exactdln.model.problem.InputError` naming the field) when numpy would change them silently or they are
not a finite real matrix. numpy casts a complex array to float64 by dropping its imaginary parts (with a
ComplexWarning on stderr), so complex arrays are refused before the cast.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exactdln.model.convert import host_array
from exactdln.model.problem import InputError

__all__ = ["float_matrix", "host_numpy"]


def float_matrix(value: Any, field: str) -> np.ndarray:
    """``value`` (a numpy array, a torch tensor, or a nested list of JSON numbers and exact strings such as
    "3/2") as a finite 2-d float64 array; :class:`InputError` on ``field`` (or on ``field[i][j]`` for a bad list
    entry) for complex entries, entries that are not numbers, a shape that is not 2-d, and NaN, infinity or a
    number beyond the float64 range."""
    value = host_numpy(value)
    if getattr(getattr(value, "dtype", None), "kind", "") == "c":
        raise InputError("complex entries: weights and data are real", field)
    if isinstance(value, (list, tuple)):
        value = [[_entry(x, f"{field}[{i}][{j}]") for j, x in enumerate(row)] if isinstance(row, (list, tuple))
                 else row for i, row in enumerate(value)]
    try:
        out = np.array(value, dtype=np.float64)
    except (ValueError, TypeError, OverflowError):
        raise InputError("not a matrix of numbers", field) from None
    if out.ndim != 2:
        raise InputError(f"expected a 2-d matrix, got {out.ndim}-d", field)
    if not np.all(np.isfinite(out)):
        raise InputError("NaN or infinity (or a number beyond the float64 range)", field)
    return out


def host_numpy(value: Any) -> Any:
    """A torch tensor as a numpy array on the CPU (bfloat16, which numpy lacks, widened to float32); else
    ``value``."""
    value = host_array(value)
    if hasattr(value, "numpy") and type(value).__module__.split(".")[0] == "torch":
        value = value.float().numpy() if str(value.dtype) == "torch.bfloat16" else value.numpy()
    return value


def _entry(x: Any, field: str) -> float:
    """A float weight from a JSON entry: a number, or a string "p/q" or decimal (read by the exact parser)."""
    from exactdln.model.problem import parse_number

    if isinstance(x, bool) or not isinstance(x, (int, float, str)):
        raise InputError(f"not a number: {x!r:.40}", field)
    try:
        return float(parse_number(x, field)) if isinstance(x, str) else float(x)
    except OverflowError:
        raise InputError("a number beyond the float64 range", field) from None
