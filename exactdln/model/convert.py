"""Floats into exact rationals, by a rule the user names.

A binary float is not a rational the user meant: 0.1 is stored as
3602879701896397/2^55. So exactdln never reads a float silently; it converts one only by
one of two rules named by the caller (``exact=`` in the Python API, ``--floats`` on the
command line):

- ``"binary"``: the exact value of the float, ``Fraction(x)`` (for a float32 or float16
  array, the exact value of each float32 or float16 entry, which binary64 holds exactly);
- ``"decimal"``: the shortest decimal that reads back as the same float (``repr`` for
  binary64; the shortest for the array's own precision for float32 and float16), so 0.1
  is 1/10. This is the number a JSON file written from these floats spells, so a JSON
  point file and a ``.npz`` or ``.pt`` file of the same floats give the same exact point.

Without a rule (``exact=None``, the default everywhere) a float is an error that names both
rules. Arrays are read by duck typing (numpy, torch and jax arrays, nested lists), so this
module imports no third-party package: ``tensor.detach().cpu()`` for torch, ``.tolist()``
for everything.
"""

from __future__ import annotations

import math
import struct
from decimal import Decimal
from fractions import Fraction
from typing import Any

__all__ = ["FLOAT_RULES", "FloatRuleError", "check_rule", "float_to_fraction", "exact_rows",
           "float_dtype_name", "host_array"]

FLOAT_RULES = ("binary", "decimal")

# dtype name -> struct format of the float's own precision (for the shortest round-trip decimal)
_STRUCT_FORMAT = {"float64": "d", "float32": "f", "float16": "e", "half": "e", "float": "f", "double": "d"}
_MAX_DIGITS = {"d": 17, "f": 9, "e": 5}


class FloatRuleError(ValueError):
    """A float met without a rule, under an unknown rule, or not finite. ``field`` names where."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(f"{field}: {message}" if field else message)
        self.message = message
        self.field = field


def check_rule(exact: str | None) -> str | None:
    """``exact`` itself when it is None, ``"binary"`` or ``"decimal"``; otherwise FloatRuleError."""
    if exact is not None and exact not in FLOAT_RULES:
        raise FloatRuleError(f"exact={exact!r}: expected 'binary' (the exact binary64 value) or "
                             "'decimal' (the shortest decimal that round-trips)")
    return exact


def no_rule_message(what: str) -> str:
    """The refusal for a float met without a rule, naming both rules (the same text everywhere)."""
    return (f"{what} is not exact; say how to read floats: exact='decimal' (the shortest decimal that "
            "round-trips: 0.1 -> 1/10) or exact='binary' (the exact binary64 value); on the command line "
            "--floats decimal|binary; or pass strings or Fractions")


def float_to_fraction(x: float, exact: str, fmt: str = "d", field: str | None = None) -> Fraction:
    """The rational that float ``x`` stands for under the rule ``exact``.

    ``fmt`` is the struct format of the float's own precision ("d", "f" or "e"): the decimal
    rule gives the shortest decimal that rounds back to the same value in that precision.
    """
    if not math.isfinite(x):
        raise FloatRuleError(f"{x!r} is not a finite number", field)
    if exact == "binary":
        return Fraction(*x.as_integer_ratio())
    if exact != "decimal":
        raise FloatRuleError(no_rule_message(f"binary float {x!r}") if exact is None else
                             f"unknown rule exact={exact!r}", field)
    if fmt == "d":
        return _shortest_decimal(x)
    for digits in range(1, _MAX_DIGITS[fmt] + 1):
        text = f"{x:.{digits}g}"
        if struct.unpack(fmt, struct.pack(fmt, float(text)))[0] == x:
            return Fraction(text)
    return Fraction(repr(x))  # pragma: no cover - _MAX_DIGITS digits always round-trip


def float_dtype_name(value: Any) -> str | None:
    """``"float64"``, ``"float32"``, ... for a float array (numpy, torch, jax), else None."""
    dtype = getattr(value, "dtype", None)
    if dtype is None:
        return None
    name = str(dtype).removeprefix("torch.")
    kind = getattr(dtype, "kind", None)
    if kind == "f" or name in ("float64", "float32", "float16", "bfloat16", "half", "double", "float"):
        return name
    return None


def host_array(value: Any) -> Any:
    """A torch tensor detached and on the CPU (so that ``requires_grad`` or a GPU is no obstacle); else ``value``."""
    if type(value).__module__.split(".")[0] == "torch" and hasattr(value, "detach"):
        return value.detach().cpu()
    return value


def exact_rows(value: Any, field: str, exact: str | None) -> list | None:
    """Rows of exact numbers for an array or nested list holding floats, read by the rule ``exact``.

    Returns None when ``value`` holds no float (the caller reads it as before: integers,
    strings, Fractions), and for a nested list without a rule (the caller's number parser refuses
    its floats entry by entry, naming each). Raises :class:`FloatRuleError` for a float without a rule, a float
    type without a rule of its own (bfloat16, longdouble) and NaN or infinity. A torch tensor
    is detached and moved to the CPU first.
    """
    check_rule(exact)
    value = host_array(value)
    dtype = float_dtype_name(value)
    if dtype is None:
        if hasattr(value, "dtype") and hasattr(value, "tolist") and hasattr(value, "shape"):
            if len(value.shape) != 2:
                raise FloatRuleError(f"expected a 2-d array, got {len(value.shape)}-d", field)
            name = str(value.dtype).removeprefix("torch.")
            if name.startswith(("int", "uint")) or name in ("long", "short"):
                return value.tolist()         # integers are exact; tolist() gives Python ints
            if getattr(value.dtype, "kind", None) is None:     # a torch dtype: bool, complex
                raise FloatRuleError(f"a tensor of dtype {name} does not hold real numbers", field)
            return None                       # numpy object or other arrays: read entry by entry
        if exact is not None and isinstance(value, (list, tuple)) and any(
                isinstance(x, float) for row in value if isinstance(row, (list, tuple)) for x in row):
            return [[_entry(x, exact, "d", f"{field}[{i}][{j}]") for j, x in enumerate(row)]
                    if isinstance(row, (list, tuple)) else row for i, row in enumerate(value)]
        return None
    shape = tuple(value.shape)
    if len(shape) != 2:
        raise FloatRuleError(f"expected a 2-d array, got {len(shape)}-d", field)
    fmt = _STRUCT_FORMAT.get(dtype)
    if fmt is None:
        raise FloatRuleError(f"{dtype} values have no exact rule here; convert the array to float64 "
                             "(or float32) first", field)
    if exact is None:
        raise FloatRuleError(no_rule_message(f"an array of dtype {dtype}"), field)
    rows = value.tolist()
    if exact == "binary" or fmt == "d":
        convert = (lambda x: Fraction(*x.as_integer_ratio())) if exact == "binary" else _shortest_decimal
        try:
            return [[convert(x) for x in row] for row in rows]
        except (ValueError, OverflowError):
            pass                              # NaN or infinity: find and name the entry below
    return [[float_to_fraction(x, exact, fmt, f"{field}[{i}][{j}]") for j, x in enumerate(row)]
            for i, row in enumerate(rows)]


def _shortest_decimal(x: float) -> Fraction:
    """The decimal ``repr(x)`` spells, exactly (through C ``decimal``: twice as fast as ``Fraction(str)``)."""
    return Fraction(*Decimal(repr(x)).as_integer_ratio())


def _entry(x: Any, exact: str | None, fmt: str, field: str) -> Any:
    return float_to_fraction(x, exact, fmt, field) if isinstance(x, float) else x
