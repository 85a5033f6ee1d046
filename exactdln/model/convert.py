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
rules. Arrays are read by duck typing (numpy, torch and jax arrays, nested lists):
``tensor.detach().cpu()`` for torch. A finite float array is converted with numpy as a whole
(imported when one is met): the binary rule from ``np.frexp``'s integer mantissas and
exponents, the decimal rule by a place-by-place search in binary64 for short decimals and exact
128-bit integer arithmetic for the 16- and 17-digit ones (``repr`` only for what these leave);
the results equal the per-entry rules' (tests/model/test_convert_arrays.py).
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

__all__ = ["FLOAT_RULES", "CheckedRows", "FloatRuleError", "check_rule", "float_to_fraction", "exact_rows",
           "float_dtype_name", "host_array"]

FLOAT_RULES = ("binary", "decimal")

# dtype name -> struct format of the float's own precision (for the shortest round-trip decimal)
_STRUCT_FORMAT = {"float64": "d", "float32": "f", "float16": "e", "half": "e", "float": "f", "double": "d"}
_MAX_DIGITS = {"d": 17, "f": 9, "e": 5}


@dataclass(frozen=True)
class CheckedRows:
    """Rows of Fractions in lowest terms read from a float array and checked against the caller's
    limits, so that the matrix reader takes them as they are instead of entry by entry."""

    rows: tuple[tuple[Fraction, ...], ...]
    ncols: int


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
        try:
            if struct.unpack(fmt, struct.pack(fmt, float(text)))[0] == x:
                return Fraction(text)
        except OverflowError:         # 7e+04 for float16's largest 65504: beyond the type, not x
            continue
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


def exact_rows(value: Any, field: str, exact: str | None, limits: Any = None) -> Any:
    """Rows of exact numbers for an array or nested list holding floats, read by the rule ``exact``.

    Returns None when ``value`` holds no float (the caller reads it as before: integers,
    strings, Fractions), and for a nested list without a rule (the caller's number parser refuses
    its floats entry by entry, naming each). Raises :class:`FloatRuleError` for a float without a rule, a float
    type without a rule of its own (bfloat16, longdouble) and NaN or infinity. A torch tensor
    is detached and moved to the CPU first. A finite float array within ``limits`` (a
    :class:`~exactdln.model.problem.Limits`: its dimensions and digits; every binary64 value has at most
    1,075 bits in its numerator or denominator) is converted with numpy and returned as
    :class:`CheckedRows`.
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
    if limits is not None and 0 not in shape and max(shape) <= limits.max_dimension and \
            limits.max_digits * 3.33 >= _MAX_FLOAT_BITS:
        fast = _vectorized_rows(value, exact, fmt)
        if fast is not None:
            return CheckedRows(fast, shape[1])
    rows = value.tolist()
    if exact == "binary" or fmt == "d":
        convert = (lambda x: Fraction(*x.as_integer_ratio())) if exact == "binary" else _shortest_decimal
        try:
            return [[convert(x) for x in row] for row in rows]
        except (ValueError, OverflowError):
            pass                              # NaN or infinity: find and name the entry below
    return [[float_to_fraction(x, exact, fmt, f"{field}[{i}][{j}]") for j, x in enumerate(row)]
            for i, row in enumerate(rows)]


# Powers of two and ten below these bounds are exact in binary64 and in int64.
_EXACT_INT = 2.0 ** 53
# x * 10^k is trusted to locate the k-place decimals near x only while |x| 10^k < 2^44: then
# rint(fl(x 10^k)) is the nearest integer to x 10^k (error at most 2^-10 + 2^-8 < 1/2), the
# round-trip interval of x (width at most ulp(x) <= |x| 2^-52) holds at most one k-place decimal
# and no (k+1)-place one with as few significant digits.
_SCALED_BOUND = 2.0 ** 44
_MAX_PLACES = 17                 # 10^17 < 2^63: denominators stay int64
_MAX_FLOAT_BITS = 1075           # 2^-1074, the smallest subnormal, has the longest denominator


def _vectorized_rows(value: Any, exact: str, fmt: str) -> list | None:
    """Rows of Fractions for a finite float array, computed with numpy, or None to use the per-entry rule.

    binary: x = m 2^e with an odd integer m (np.frexp), exact for every float type (float32 and
    float16 values are binary64 values). decimal (float64 only): integers are their own shortest
    decimal below 2^53 (every integer there is a float, so no other integer rounds to x and a
    shorter decimal would be an integer); otherwise the first k = 1, 2, ... with
    d = rint(x 10^k), d / 10^k == x in binary64 (a correctly rounded division of exact operands,
    the same rounding as reading the decimal) gives the decimal d 10^-k, which is the shortest
    (``repr``'s) while |x| 10^k < 2^44 (see ``_SCALED_BOUND``); only entries near a decimal of that
    many places are scanned. The longer decimals (14 to 17 digits: most trained weights) come from
    exact integer arithmetic (:func:`_shortest_by_integers`); what neither settles (values below
    1e-9 or from 2^44 on, exact ties) goes through ``repr`` entry by entry, in C (map).
    """
    import numpy as np

    a = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(a)):
        return None                   # the per-entry rule names the first NaN or infinity
    shape = a.shape
    flat = a.ravel()
    if exact == "binary":
        return _rows(_binary_fractions(flat, np), shape)
    if fmt != "d":
        return _rows(_fewest_digits(flat, fmt, np), shape)
    out: list = [None] * flat.size
    integral = (flat == np.rint(flat)) & (np.abs(flat) < _EXACT_INT)
    index = np.flatnonzero(integral)
    # integer weights repeat (0, 1, -1, ...): one Fraction per value, shared (Fractions are immutable)
    values, which = np.unique(flat[index].astype(np.int64), return_inverse=True)
    shared = [_fraction_lowest_terms(n, 1) for n in values.tolist()]
    integers = list(map(shared.__getitem__, which.ravel().tolist()))
    if index.size == flat.size:
        return _rows(integers, shape)
    for i, f in zip(index.tolist(), integers):
        out[i] = f
    settled = integral.copy()
    pending = np.flatnonzero(~integral)
    x = np.abs(flat[pending])
    pow10 = np.array([10.0 ** k for k in range(23)])           # exact binary64 values
    # k_max: the most places with |x| 10^k < 2^44 (the float scan's reach), from log10, then corrected
    with np.errstate(divide="ignore", over="ignore"):
        k_max = np.clip(np.floor(np.log10(_SCALED_BOUND / x)), 0, 22).astype(np.int64)
        k_max -= (k_max > 0) & (x * pow10[k_max] >= _SCALED_BOUND)
        k_max += (k_max < 22) & (x * pow10[np.minimum(k_max + 1, 22)] < _SCALED_BOUND)
        scaled = x * pow10[k_max]
    # a decimal with k <= k_max places puts x 10^k_max within 2^-8 of an integer (ulp(x) 10^k_max
    # < 2^-8, rounding of the product <= 2^-10); only such entries are scanned place by place
    near = (k_max > 0) & (np.abs(scaled - np.rint(scaled)) < 2.0 ** -6)
    scan = pending[near]
    for k in range(1, int(k_max[near].max(initial=0)) + 1):
        if scan.size == 0:
            break
        x = flat[scan]
        scaled = x * 10.0 ** k
        small = np.abs(scaled) < _SCALED_BOUND
        digits = np.rint(scaled)
        found = small & (digits / 10.0 ** k == x)
        if found.any():
            numerators, denominators = _reduce_decimal(digits[found].astype(np.int64), k, np)
            for i, n, d in zip(scan[found].tolist(), numerators.tolist(), denominators):
                out[i] = _fraction_lowest_terms(n, d)
            settled[scan[found]] = True
        scan = scan[small & ~found]
    first_places = np.zeros(flat.size, dtype=np.int64)
    first_places[pending] = k_max + 1
    hard = np.flatnonzero(~settled)
    hard_left: list = []
    if hard.size:
        done, numerators, places = _shortest_by_integers(flat[hard], first_places[hard], np)
        numerators, denominators = _reduce_decimal(numerators[done], places[done], np)
        fractions = map(_fraction_lowest_terms, numerators.tolist(), denominators)
        if hard.size == flat.size and done.all():        # the usual trained weights: every entry here, in order
            return _rows(list(fractions), shape)
        for i, f in zip(hard[done].tolist(), fractions):
            out[i] = f
        hard_left = hard[~done].tolist()
    if hard_left:
        values = flat[hard_left].tolist()
        ratios = map(Decimal.as_integer_ratio, map(Decimal, map(repr, values)))
        for i, (n, d) in zip(hard_left, ratios):
            out[i] = _fraction_lowest_terms(n, d)
    return _rows(out, shape)


_POW2 = [2 ** k for k in range(40)]
_POW10 = [10 ** k for k in range(40)]
_POW5 = [5 ** k for k in range(40)]
_MASK32 = 0xFFFFFFFF


def _shortest_by_integers(x: Any, first_places: Any, np: Any) -> tuple[Any, Any, Any]:
    """The shortest round-trip decimal d 10^-k of binary64 values 10^-9 <= |x| < 2^44 (not integers)
    that have none with fewer than ``first_places`` places, by exact 128-bit integer arithmetic on
    numpy uint64 pairs; returns (done, d, k) with d signed.

    x = M 2^E (M a 53-bit integer); the decimals that read back as x fill the interval
    [x - 2^(E-1), x + 2^(E-1)] (the lower half-width is 2^(E-2) when M = 2^52), closed when M is
    even (round half to even). Scaled by 10^k = 5^k 2^k, its ends are N 5^k / 2^s with N = 4M -+ 2
    and s = 2 - E - k: at most 55 + 63 bits. The first k whose scaled interval holds an integer gives
    the fewest places, hence the fewest significant digits (an interval this narrow holds no power of
    ten unless that power is the answer); among its integers the one nearest to x 10^k is ``repr``'s
    choice. An exact tie between two nearest ones is left to ``repr`` (done is False there), as is
    anything not settled within four places of ``first_places`` (the caller's guarantee |x| 10^first_places
    >= 2^44 makes four enough).
    """
    mantissa, exponent = np.frexp(np.abs(x))
    m = (mantissa * _EXACT_INT).astype(np.uint64)
    e = exponent.astype(np.int64) - 53
    negative = x < 0
    inside = (np.abs(x) >= 1e-9) & (np.abs(x) < _SCALED_BOUND)
    k = np.where(inside, np.maximum(first_places, 1), 1)
    done = np.zeros(x.shape, dtype=bool)
    result = np.zeros(x.shape, dtype=np.int64)
    places = np.zeros(x.shape, dtype=np.int64)
    pow5 = np.array([5 ** j for j in range(28)], dtype=np.uint64)
    even = (m & np.uint64(1)) == 0
    lower_step = np.where(m == np.uint64(1 << 52), np.uint64(1), np.uint64(2))
    # |x| 10^first_places >= 2^44, so three places later x 10^k >= 10^16: 17 significant digits, which always
    # round-trip; four rounds settle every entry but exact ties, and keep x 10^k below 2^58 (no overflow)
    for _ in range(4):
        todo = inside & ~done & (k <= 27)
        if not todo.any():
            break
        five = pow5[np.where(todo, k, 0)]
        shift = np.where(todo, 2 - e - k, 1)
        four_m = m << np.uint64(2)
        lo_q, lo_exact = _shift_right(*_mul_128(four_m - lower_step, five, np), shift, np)
        hi_q, hi_exact = _shift_right(*_mul_128(four_m + np.uint64(2), five, np), shift, np)
        twice_q, twice_exact = _shift_right(*_mul_128(four_m, five, np), shift - 1, np)
        low = lo_q + np.where(lo_exact & even, np.uint64(0), np.uint64(1))        # ceil, or past an open end
        high = hi_q - np.where(hi_exact & ~even, np.uint64(1), np.uint64(0))
        found = todo & (low <= high)
        half = (twice_q & np.uint64(1)) == 1
        tie = half & twice_exact
        nearest = (twice_q >> np.uint64(1)) + np.where(half & ~twice_exact, np.uint64(1), np.uint64(0))
        nearest = np.minimum(np.maximum(nearest, low), high)
        settled = found & ~tie
        result = np.where(settled, nearest.astype(np.int64), result)
        places = np.where(settled, k, places)
        done |= settled
        inside &= ~(found & tie)
        k = k + 1
    return done, np.where(negative, -result, result), places


# float32 and float16: (bits of the mantissa, smallest normal value, numpy type)
_SMALL_FLOATS = {"f": (24, 2.0 ** -126, "float32"), "e": (11, 2.0 ** -14, "float16")}


def _fewest_digits(flat: Any, fmt: str, np: Any) -> list[Fraction]:
    """The decimal rule for float32 and float16 entries (``float_to_fraction`` with ``fmt`` "f" or "e"), for a
    whole array: the first n = 1, 2, ... whose n-significant-digit rounding (round half to even, as
    ``format(x, ".ng")``) reads back as the same float in its own precision.

    x = M 2^E with M an integer of ``bits`` bits; e = floor(log10 |x|), found from log10 and checked exactly;
    the n-digit candidate is d 10^-k with k = n - 1 - e and d = round(x 10^k). For k >= 0 the candidate reads
    back as x when it lies in x's rounding interval, decided by the integer interval arithmetic of
    :func:`_shortest_by_integers` (E + k >= 0: x 10^k is an integer and d = x); for k < 0 the candidate is
    an integer below 2^53, and casting it from binary64 to the small type is one correctly rounded step.
    Entries outside 10^-9 <= |x| < 10^9, or subnormal, go through the per-entry rule.
    """
    bits, tiny, type_name = _SMALL_FLOATS[fmt]
    small_type = getattr(np, type_name)
    out: list = [None] * flat.size
    ax = np.abs(flat)
    inside = (ax >= max(1e-9, tiny)) & (ax < 1e9)
    index = np.flatnonzero(inside)
    zero = np.flatnonzero(flat == 0)
    for i in zero.tolist():
        out[i] = Fraction(0)
    ax, x = ax[index], flat[index]
    mantissa, exponent = np.frexp(ax)
    m = (mantissa * 2.0 ** bits).astype(np.int64)
    E = exponent.astype(np.int64) - bits
    e = np.floor(np.log10(ax)).astype(np.int64)
    pow10 = np.array([10.0 ** j for j in range(23)])
    # exact checks (|x| 10^9 and 10^e for e <= 9 are exact binary64 products and values)
    at_least = np.where(e >= 0, ax >= pow10[np.clip(e, 0, 22)], ax * pow10[np.clip(-e, 0, 22)] >= 1)
    e = e - ~at_least
    below_next = np.where(e + 1 >= 0, ax < pow10[np.clip(e + 1, 0, 22)], ax * pow10[np.clip(-e - 1, 0, 22)] < 1)
    e = e + ~below_next
    m_u = m.astype(np.uint64)
    even = (m_u & np.uint64(1)) == 0
    lower_step = np.where(m_u == np.uint64(1 << (bits - 1)), np.uint64(1), np.uint64(2))
    pow5 = np.array([5 ** j for j in range(28)], dtype=np.uint64)
    done = np.zeros(index.size, dtype=bool)
    digits = np.zeros(index.size, dtype=np.int64)
    places = np.zeros(index.size, dtype=np.int64)
    for n in range(1, _MAX_DIGITS[fmt] + 1):
        todo = ~done
        if not todo.any():
            break
        k = n - 1 - e
        # k >= 0 and x 10^k an integer: d = x 10^k, which is x itself
        whole = todo & (k >= 0) & (E + k >= 0)
        if whole.any():
            kk = np.where(whole, k, 0)
            value = (m * pow5[kk].astype(np.int64)) << np.where(whole, E + kk, 0)
            digits = np.where(whole, value, digits)
            places = np.where(whole, k, places)
            done |= whole
        part = todo & (k >= 0) & (E + k < 0)
        if part.any():
            kk = np.where(part, k, 0)
            five = pow5[kk]
            shift = np.where(part, 2 - E - kk, 2)
            four_m = m_u << np.uint64(2)
            lo_q, lo_exact = _shift_right(*_mul_128(four_m - lower_step, five, np), shift, np)
            hi_q, hi_exact = _shift_right(*_mul_128(four_m + np.uint64(2), five, np), shift, np)
            twice_q, twice_exact = _shift_right(*_mul_128(four_m, five, np), shift - 1, np)
            low = lo_q + np.where(lo_exact & even, np.uint64(0), np.uint64(1))
            high = hi_q - np.where(hi_exact & ~even, np.uint64(1), np.uint64(0))
            floor = twice_q >> np.uint64(1)
            half = (twice_q & np.uint64(1)) == 1
            up = half & (~twice_exact | ((floor & np.uint64(1)) == 1))         # round half to even
            d = floor + up.astype(np.uint64)
            ok = part & (low <= d) & (d <= high)
            digits = np.where(ok, d.astype(np.int64), digits)
            places = np.where(ok, k, places)
            done |= ok
        negative = todo & (k < 0)
        if negative.any():
            q = np.where(negative, 10 ** np.clip(-k, 0, 18), 1).astype(np.int64)
            num = m << np.clip(E, 0, 62)
            den = q << np.clip(-E, 0, 62)
            d, r = num // den, num % den
            d = d + ((2 * r > den) | ((2 * r == den) & (d % 2 == 1)))
            candidate = (d * q).astype(np.float64)
            with np.errstate(over="ignore"):             # a candidate beyond the type's range reads back as inf
                ok = negative & (candidate.astype(small_type).astype(np.float64) == ax)
            digits = np.where(ok, d, digits)
            places = np.where(ok, k, places)
            done |= ok
    settled = index[done]
    d_signed = np.where(x < 0, -digits, digits)[done]
    k_done = places[done]
    positive_k = k_done >= 0
    numerators, denominators = _reduce_decimal(d_signed[positive_k], k_done[positive_k], np)
    for i, f in zip(settled[positive_k].tolist(), map(_fraction_lowest_terms, numerators.tolist(), denominators)):
        out[i] = f
    for i, d, k in zip(settled[~positive_k].tolist(), d_signed[~positive_k].tolist(), k_done[~positive_k].tolist()):
        out[i] = _fraction_lowest_terms(d * 10 ** -k, 1)
    for i, f in enumerate(out):
        if f is None:
            out[i] = float_to_fraction(float(flat[i]), "decimal", fmt)
    return out


def _mul_128(a: Any, b: Any, np: Any) -> tuple[Any, Any]:
    """(hi, lo) with a b = hi 2^64 + lo, for uint64 arrays a < 2^56 and b < 2^63."""
    mask = np.uint64(_MASK32)
    a0, a1 = a & mask, a >> np.uint64(32)
    b0, b1 = b & mask, b >> np.uint64(32)
    low = a0 * b0
    middle = a0 * b1 + a1 * b0                       # < 2^32 2^31 + 2^24 2^32 < 2^64
    lo = low + ((middle & mask) << np.uint64(32))
    carry = (lo < low).astype(np.uint64)
    hi = a1 * b1 + (middle >> np.uint64(32)) + carry
    return hi, lo


def _shift_right(hi: Any, lo: Any, shift: Any, np: Any) -> tuple[Any, Any]:
    """(floor((hi 2^64 + lo) / 2^shift), whether that division is exact), for 1 <= shift <= 127 and a
    quotient below 2^64."""
    s = shift.astype(np.uint64)
    small = shift < 64
    one = np.uint64(1)
    if small.all():                  # the usual case: binary64 values between 10^-9 and 2^44 shift by < 60
        return (lo >> s) | (hi << (np.uint64(64) - s)), (lo & ((one << s) - one)) == 0
    s_small = np.where(small, s, np.uint64(1))
    s_big = np.where(small, np.uint64(0), s - np.uint64(64))
    q_small = (lo >> s_small) | (hi << (np.uint64(64) - s_small))
    q_big = hi >> s_big
    exact_small = (lo & ((one << s_small) - one)) == 0
    exact_big = (lo == 0) & ((hi & ((one << s_big) - one)) == 0)
    return np.where(small, q_small, q_big), np.where(small, exact_small, exact_big)


def _binary_fractions(flat: Any, np: Any) -> list[Fraction]:
    """The exact values m 2^e of binary64 entries, m odd (np.frexp gives a 53-bit integer mantissa)."""
    mantissa, exponent = np.frexp(flat)
    m = (mantissa * _EXACT_INT).astype(np.int64)
    e = exponent.astype(np.int64) - 53
    nonzero = m != 0
    low_bit = np.where(nonzero, m & -m, 1)            # 2^(trailing zeros of m)
    shift = np.frexp(low_bit.astype(np.float64))[1].astype(np.int64) - 1
    m = m >> shift
    e = np.where(nonzero, e + shift, 0)
    out = []
    new = _fraction_lowest_terms
    for n, p in zip(m.tolist(), e.tolist()):
        out.append(new(n << p, 1) if p >= 0 else new(n, 1 << -p))
    return out


def _reduce_decimal(digits: Any, places: Any, np: Any) -> tuple[Any, list[int]]:
    """digits / 10^places in lowest terms, for places <= 27: (numerators as int64, denominators as
    Python ints); ``places`` is one int or an array of them."""
    places = np.broadcast_to(np.asarray(places, dtype=np.int64), digits.shape)
    magnitude = np.abs(digits)
    twos = np.frexp((magnitude & -magnitude).astype(np.float64))[1] - 1     # trailing zero bits
    twos = np.minimum(np.where(magnitude == 0, places, twos), places)
    n = digits >> twos
    fives = np.zeros(digits.shape, dtype=np.int64)
    divisible = np.flatnonzero((n % 5 == 0) & (n != 0) & (places > 0))
    while divisible.size:                  # each pass divides the entries still divisible by 5
        n[divisible] //= 5
        fives[divisible] += 1
        divisible = divisible[(n[divisible] % 5 == 0) & (fives[divisible] < places[divisible])]
    pow2 = np.array(_POW2[:19], dtype=np.int64)
    pow5 = np.array(_POW5[:19], dtype=np.int64)
    two_left, five_left = places - twos, places - fives
    big = np.flatnonzero((two_left > 18) | (five_left > 18))      # 2^18 5^18 = 10^18 < 2^63
    denominators = (pow2[np.minimum(two_left, 18)] * pow5[np.minimum(five_left, 18)]).tolist()
    for i, a, b in zip(big.tolist(), two_left[big].tolist(), five_left[big].tolist()):
        denominators[i] = _POW2[a] * _POW5[b]
    return n, denominators


def _fraction_lowest_terms(numerator: int, denominator: int) -> Fraction:
    """Fraction(numerator, denominator) for coprime integers, denominator > 0, without the gcd
    and the argument checks of ``Fraction.__new__`` (three times faster; 16,384 entries of a
    width-64 depth-4 model are built here)."""
    f = object.__new__(Fraction)
    f._numerator = numerator
    f._denominator = denominator
    return f


def _rows(entries: list, shape: tuple[int, ...]) -> list:
    ncols = shape[1]
    return tuple(tuple(entries[i:i + ncols]) for i in range(0, len(entries), ncols))


def _shortest_decimal(x: float) -> Fraction:
    """The decimal ``repr(x)`` spells, exactly (through C ``decimal``: twice as fast as ``Fraction(str)``)."""
    return Fraction(*Decimal(repr(x)).as_integer_ratio())


def _entry(x: Any, exact: str | None, fmt: str, field: str) -> Any:
    return float_to_fraction(x, exact, fmt, field) if isinstance(x, float) else x
