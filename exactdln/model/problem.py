"""The problem model: data, weights and regularization, read exactly.

A deep linear network with weights W = (W_1, ..., W_H), W_h of shape d_h x d_(h-1),
maps x to W_H ... W_1 x. With data X (d_x by m) and Y (d_y by m) the loss is

    L(W) = 1/2 ||W_H ... W_1 X - Y||_F^2 + sum_h lambda_h/2 ||W_h||_F^2.

This module holds the model and nothing else: matrices of exact rationals
(:class:`RationalMatrix`, a tuple of rows of :class:`fractions.Fraction`), the
:class:`Problem` (X, Y, lambda) and the parsing and validation of every kind of
input. It imports no arithmetic backend, so the exact core, the float path and the
high-precision path all read the same model.

Never evaluated: numbers are parsed by a small grammar of our own (integers,
fractions ``p/q`` and decimals ``-1.25e-3``), never by ``eval`` or ``sympify``.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Iterable, Sequence

from exactdln.model.convert import CheckedRows, FloatRuleError, exact_rows, float_to_fraction

__all__ = [
    "InputError",
    "RationalMatrix",
    "Problem",
    "Limits",
    "DEFAULT_LIMITS",
    "parse_number",
    "parse_lambda",
    "layer_lambdas",
    "as_matrix",
    "as_weights",
    "load_point",
    "load_point_text",
    "read_json_text",
    "read_json_file",
    "JsonDecimal",
    "int_from_digits",
    "int_text",
    "point_from_mapping",
]


class InputError(ValueError):
    """Bad input. ``field`` names where it is (for example ``weights[2][0][1]``)."""

    def __init__(self, message: str, field: str | None = None, source: str | None = None):
        self.field = field
        self.source = source
        where = ""
        if source:
            where += f"{source}: "
        if field:
            where += f"{field}: "
        super().__init__(where + message)
        self.message = message

    def with_source(self, source: str) -> "InputError":
        """The same error, attributed to a file."""
        return InputError(self.message, self.field, source)


@dataclass(frozen=True)
class Limits:
    """Caps that keep hostile or mistaken input from exhausting the machine."""

    max_file_bytes: int = 64 * 1024 * 1024
    max_digits: int = 5000          # digits in one numerator, denominator or mantissa
    max_exponent: int = 5000        # |e| in a decimal such as 1e-3
    max_dimension: int = 4096       # rows or columns of one matrix
    max_entries: int = 4_000_000    # entries over all matrices of one point (and numbers in one file)
    max_layers: int = 256
    max_nesting: int = 32           # JSON arrays and objects inside each other (a point file needs 4)


DEFAULT_LIMITS = Limits()

_INT = re.compile(r"[+-]?[0-9]+\Z")
_FRACTION = re.compile(r"([+-]?[0-9]+)\s*/\s*([0-9]+)\Z")
_DECIMAL = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?\Z")


def parse_number(value: Any, field: str = "value", limits: Limits = DEFAULT_LIMITS) -> Fraction:
    """Read one exact rational number.

    Accepted: Python ``int`` (not ``bool``), :class:`~fractions.Fraction`, sympy
    ``Rational``, flint ``fmpz``/``fmpq``, numpy integers, and strings holding an
    integer ``"12"``, a fraction ``"-3/4"`` or a decimal ``"0.125"``, ``"1e-3"``
    (the exact decimal it spells). Binary floats are refused: ``0.1`` is not 1/10.
    """
    if isinstance(value, bool):
        raise InputError("a boolean is not a number", field)
    if isinstance(value, _RejectedNumber):
        raise InputError(value.reason, field)
    if isinstance(value, int):
        _check_digits(abs(value), field, limits)
        return Fraction(value)
    if isinstance(value, Fraction):
        _check_digits(max(abs(value.numerator), value.denominator), field, limits)
        return value
    if isinstance(value, str):
        return _parse_text(value, field, limits)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(f"{value!r} is not a finite number", field)
        raise InputError(
            f"binary float {value!r} is not exact; pass a string such as '{value!r}' "
            "(read as the decimal it spells) or a Fraction",
            field,
        )
    # sympy Rational / Integer (duck-typed so that this module does not import sympy)
    if getattr(value, "is_Rational", False) is True:
        return parse_number(Fraction(int(value.p), int(value.q)), field, limits)
    if getattr(value, "is_number", False) is True:
        raise InputError(f"{value!r} is not a rational number", field)
    type_name = type(value).__name__
    if type_name in ("fmpz",):
        return parse_number(int(value), field, limits)
    if type_name in ("fmpq",):
        return parse_number(Fraction(int(value.p), int(value.q)), field, limits)
    # numpy scalars
    kind = getattr(getattr(value, "dtype", None), "kind", None)
    if kind in ("i", "u") and getattr(value, "ndim", None) == 0:
        return parse_number(int(value), field, limits)
    if kind == "f" and getattr(value, "ndim", None) == 0:
        return parse_number(float(value), field, limits)
    raise InputError(f"cannot read a number from {type_name} {value!r:.60}", field)


def int_from_digits(text: str) -> int:
    """``int(text)`` for an optionally signed run of ASCII digits of any length.

    Python refuses ``int(str)`` beyond 4,300 digits (``sys.get_int_max_str_digits``, a guard
    against quadratic conversion); our own caps (:class:`Limits`) bound the length instead, so
    long texts are converted in chunks of 4,000 digits, well inside the interpreter's limit.
    """
    digits = text.lstrip("+-")
    if len(digits) <= 4000:
        return int(text)
    value = 0
    for k in range(0, len(digits), 4000):
        chunk = digits[k:k + 4000]
        value = value * 10 ** len(chunk) + int(chunk)
    return -value if text.startswith("-") else value


def _check_digits(n: int, field: str, limits: Limits) -> None:
    # bit_length is O(1); 3.33 bits per decimal digit
    if n.bit_length() > limits.max_digits * 3.33:
        raise InputError(f"number has more than {limits.max_digits} digits", field)


def _parse_text(text: str, field: str, limits: Limits) -> Fraction:
    s = text.strip()
    if len(s) > 3 * limits.max_digits + 20:
        raise InputError(f"number has more than {limits.max_digits} digits", field)
    if not s:
        raise InputError("empty string is not a number", field)
    low = s.lower().lstrip("+-")
    if low in ("nan", "inf", "infinity"):
        raise InputError(f"{text!r} is not a finite number", field)
    if _INT.match(s):
        if len(s.lstrip("+-")) > limits.max_digits:
            raise InputError(f"number has more than {limits.max_digits} digits", field)
        return Fraction(int_from_digits(s))
    m = _FRACTION.match(s)
    if m:
        p, q = m.group(1), m.group(2)
        if max(len(p.lstrip("+-")), len(q)) > limits.max_digits:
            raise InputError(f"number has more than {limits.max_digits} digits", field)
        if not q.strip("0"):
            raise InputError(f"{text!r} has a zero denominator", field)
        return Fraction(int_from_digits(p), int_from_digits(q))
    m = _DECIMAL.match(s)
    if m and (m.group(2) or m.group(3)):
        sign, whole, frac, exp = m.group(1), m.group(2) or "", m.group(3) or "", m.group(4)
        if len(whole) + len(frac) > limits.max_digits:
            raise InputError(f"number has more than {limits.max_digits} digits", field)
        e = int(exp) if exp is not None else 0
        if exp is not None and len(exp.lstrip("+-")) > 8 or abs(e) > limits.max_exponent:
            raise InputError(f"exponent of {text!r:.40} is beyond +-{limits.max_exponent}", field)
        mantissa = int_from_digits(whole + frac or "0")
        e -= len(frac)
        value = Fraction(mantissa * 10**e) if e >= 0 else Fraction(mantissa, 10**-e)
        return -value if sign == "-" else value
    raise InputError(
        f"malformed number {text!r:.60}; expected an integer, a fraction 'p/q' or a decimal",
        field,
    )


@dataclass(frozen=True, eq=True)
class RationalMatrix:
    """An immutable matrix of exact rationals, stored as a tuple of rows.

    It is the exchange type between the backends; each backend converts it once into
    its own representation (flint ``fmpq_mat``, numpy ``float64``, mpmath ``matrix``).
    """

    rows: tuple[tuple[Fraction, ...], ...]
    ncols: int = field(default=-1, compare=False)

    def __post_init__(self) -> None:
        if self.ncols < 0:
            object.__setattr__(self, "ncols", len(self.rows[0]) if self.rows else 0)

    @classmethod
    def from_integers(cls, nrows: int, ncols: int, numerators: list[int],
                      denominators: list[int] | None = None) -> "RationalMatrix":
        """The matrix with entry (i, j) = numerators[k] / denominators[k], k = i ncols + j (row-major; no
        denominators: integers). Denominators must be positive; the fractions need not be in lowest terms.

        The Fractions of :attr:`rows` are built only when someone reads them: a large point file read for the
        exact backend, which takes the integers as they are (:meth:`integer_entries`), never pays for one
        Python Fraction (and its gcd) per entry. The value is the same either way.
        """
        return cls._deferred("_integers", nrows, ncols, numerators, denominators)

    @classmethod
    def from_decimal_texts(cls, nrows: int, ncols: int, numerators: list[str],
                           denominators: list[str] | None = None) -> "RationalMatrix":
        """:meth:`from_integers` with each integer given as its decimal text, row-major: ASCII digits with an optional
        leading ``-`` (numerators) or ASCII digits of a positive value (denominators), at most 4,000 digits, as
        :func:`_parse_row` checks them. The texts are kept as read: CPython's ``int`` of a 2,500-digit text costs
        about 25 us (quadratic in the length), so the integers are formed only on first use
        (:meth:`integer_entries`), and a backend with a faster decimal reader takes the texts themselves
        (:meth:`decimal_entries`; FLINT reads them in about 7 us)."""
        return cls._deferred("_texts", nrows, ncols, numerators, denominators)

    @classmethod
    def _deferred(cls, slot: str, nrows: int, ncols: int, numerators: list, denominators: list | None):
        """A matrix whose rows are formed on first use, from ``numerators`` and ``denominators`` kept in ``slot``."""
        if len(numerators) != nrows * ncols or (denominators is not None and len(denominators) != len(numerators)):
            raise ValueError("nrows * ncols numerators (and as many denominators) expected")
        out = object.__new__(cls)
        object.__setattr__(out, "ncols", ncols)
        object.__setattr__(out, slot, (nrows, numerators, denominators))
        return out

    def __getattr__(self, name: str):
        # called only when ``name`` is not set: the rows of a matrix built by from_integers or from_decimal_texts,
        # formed on first use
        if name != "rows" or ("_integers" not in self.__dict__ and "_texts" not in self.__dict__):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        numerators, denominators = self.integer_entries()
        nrows, m = self.nrows, self.ncols
        if denominators is None:
            rows = tuple(tuple(map(Fraction, numerators[i * m:(i + 1) * m])) for i in range(nrows))
        else:
            rows = tuple(tuple(map(Fraction, numerators[i * m:(i + 1) * m], denominators[i * m:(i + 1) * m]))
                         for i in range(nrows))
        object.__setattr__(self, "rows", rows)
        return rows

    def integer_entries(self) -> tuple[list[int], list[int] | None]:
        """(numerators, denominators) of the entries in row-major order, denominators positive (None: all 1);
        not necessarily in lowest terms. For a matrix from :meth:`from_integers` these are its own lists (no
        Fraction is formed); treat them as read-only."""
        integers = self.__dict__.get("_integers")
        if integers is not None:
            return integers[1], integers[2]
        texts = self.__dict__.get("_texts")
        if texts is not None:
            nrows, numerator_texts, denominator_texts = texts
            integers = (nrows, list(map(int, numerator_texts)),
                        None if denominator_texts is None else list(map(int, denominator_texts)))
            object.__setattr__(self, "_integers", integers)
            return integers[1], integers[2]
        numerators = [x.numerator for row in self.rows for x in row]
        denominators = [x.denominator for row in self.rows for x in row]
        return numerators, (None if all(q == 1 for q in denominators) else denominators)

    def decimal_entries(self) -> tuple[list[str], list[str] | None] | None:
        """(numerator texts, denominator texts or None) in row-major order for a matrix read by
        :meth:`from_decimal_texts`, as :meth:`integer_entries` but unconverted (treat as read-only); None for any
        other matrix. ``int`` of each text is the integer of :meth:`integer_entries`."""
        texts = self.__dict__.get("_texts")
        return None if texts is None else (texts[1], texts[2])

    @property
    def shape(self) -> tuple[int, int]:
        return (self.nrows, self.ncols)

    @property
    def nrows(self) -> int:
        if "rows" in self.__dict__:
            return len(self.rows)
        stored = self.__dict__.get("_integers") or self.__dict__.get("_texts")
        return stored[0] if stored is not None else len(self.rows)

    def __getitem__(self, index):
        """``M[i, j]`` is an entry, ``M[i]`` a row."""
        if isinstance(index, tuple):
            i, j = index
            return self.rows[i][j]
        return self.rows[index]

    def entries(self) -> Iterable[Fraction]:
        for row in self.rows:
            yield from row

    def tolist(self) -> list[list[Fraction]]:
        return [list(row) for row in self.rows]

    def to_json(self) -> list[list[str]]:
        """Every entry as a string: an integer ``"3"`` or a fraction ``"-3/4"``."""
        return [[_fraction_text(x) for x in row] for row in self.rows]

    def is_zero(self) -> bool:
        return all(x == 0 for x in self.entries())

    def transpose(self) -> "RationalMatrix":
        return RationalMatrix(tuple(zip(*self.rows)) if self.rows else (), self.nrows)

    @classmethod
    def zeros(cls, nrows: int, ncols: int) -> "RationalMatrix":
        return cls(tuple((Fraction(0),) * ncols for _ in range(nrows)), ncols)

    @classmethod
    def identity(cls, n: int) -> "RationalMatrix":
        return cls(tuple(tuple(Fraction(int(i == j)) for j in range(n)) for i in range(n)), n)

    def __str__(self) -> str:
        return "[" + "; ".join(" ".join(_fraction_text(x) for x in row) for row in self.rows) + "]"


def _fraction_text(x: Fraction) -> str:
    if x.denominator == 1:
        return int_text(x.numerator)
    return f"{int_text(x.numerator)}/{int_text(x.denominator)}"


def int_text(n: int) -> str:
    """``str(n)`` at any size: Python refuses str() beyond 4,300 digits, so long integers are split as
    n = hi 10^k + lo (k half the digits) until each part is short; the inverse of :func:`int_from_digits`."""
    if n < 0:
        return "-" + int_text(-n)
    if n.bit_length() <= 13_000:                 # < 3,914 digits
        return str(n)
    k = int(n.bit_length() * 0.30103) // 2
    hi, lo = divmod(n, 10**k)
    return int_text(hi) + int_text(lo).rjust(k, "0")


def as_matrix(value: Any, field: str = "matrix", limits: Limits = DEFAULT_LIMITS, *,
              exact: str | None = None) -> RationalMatrix:
    """Read a matrix: a list of rows, a numpy, torch or jax array, a flint or sympy matrix.

    Floats (float arrays, float entries) are read only by the rule ``exact`` ("binary" or
    "decimal", exactdln/model/convert.py); without one they are refused. Raises
    :class:`InputError` naming ``field`` for ragged rows, empty matrices and bad entries.
    """
    try:                      # floats and torch/jax arrays: exactdln/model/convert.py
        rows = exact_rows(value, field, exact, limits)
    except FloatRuleError as err:
        raise InputError(err.message, err.field) from None
    if isinstance(rows, CheckedRows):         # a float array read as a whole, within limits
        return RationalMatrix(rows.rows, rows.ncols)
    if rows is not None:
        value = rows
    if isinstance(value, RationalMatrix):
        if value.nrows == 0 or value.ncols == 0:
            raise InputError("empty matrix", field)
        return value
    type_name = type(value).__name__
    if type_name in ("fmpq_mat", "fmpz_mat"):
        rows = [[value[i, j] for j in range(value.ncols())] for i in range(value.nrows())]
        if not rows or not rows[0]:
            raise InputError("empty matrix", field)
        return as_matrix(rows, field, limits)
    if hasattr(value, "dtype") and hasattr(value, "ndim"):   # numpy array
        if value.ndim != 2:
            raise InputError(f"expected a 2-d array, got {value.ndim}-d", field)
        if value.dtype.kind not in ("i", "u", "O"):
            raise InputError(
                f"numpy array of dtype {value.dtype} is not exact; use an integer or object "
                "array of Fractions, or strings",
                field,
            )
        value = value.tolist()
    elif hasattr(value, "tolist") and hasattr(value, "shape") and not isinstance(value, (list, tuple)):
        shape = value.shape
        if len(shape) != 2:
            raise InputError("expected a matrix", field)
        value = value.tolist()   # sympy Matrix
    if not isinstance(value, (list, tuple)):
        raise InputError(f"expected a matrix (a list of rows), got {type_name}", field)
    rows, ncols = read_rows(value, field, limits, _parse_integer_pairs)
    if all(type(row) is _TextRow for row in rows):
        numerators = [a for row in rows for a in row.numerators]
        if all(row.denominators is None for row in rows):
            return RationalMatrix.from_decimal_texts(len(rows), ncols, numerators)
        denominators = [b for row in rows for b in (row.denominators or ("1",) * ncols)]
        return RationalMatrix.from_decimal_texts(len(rows), ncols, numerators, denominators)
    return RationalMatrix(tuple(row.fractions() if type(row) is _TextRow else row for row in rows), ncols)


def read_rows(value: Sequence[Any], field: str, limits: Limits,
              parse_entry: Callable[[Any, str, Limits], Any]) -> tuple[tuple[tuple[Any, ...], ...], int]:
    """The rows of a matrix given as a list of rows, each entry read by ``parse_entry(x, where, limits)``.

    The one reader of matrix shapes for every entry type (rationals here, number-field entries in
    exactdln/model/field_format.py): refuses an empty matrix, ragged rows and sizes beyond
    ``limits.max_dimension``, naming ``field`` and the row. Returns (rows, number of columns).
    """
    if len(value) == 0:
        raise InputError("empty matrix", field)
    if len(value) > limits.max_dimension:
        raise InputError(f"more than {limits.max_dimension} rows", field)
    rows = []
    ncols = None
    for i, row in enumerate(value):
        if not isinstance(row, (list, tuple)):
            raise InputError(f"row {i} is not a list", f"{field}[{i}]")
        if ncols is None:
            ncols = len(row)
            if ncols == 0:
                raise InputError("empty matrix (row 0 has no entries)", field)
            if ncols > limits.max_dimension:
                raise InputError(f"more than {limits.max_dimension} columns", field)
        elif len(row) != ncols:
            raise InputError(f"ragged rows: row {i} has {len(row)} entries, row 0 has {ncols}", field)
        if parse_entry is parse_number:
            parsed = _parse_row(row, field, i, limits)
            rows.append(parsed.fractions() if type(parsed) is _TextRow else parsed)
        elif parse_entry is _parse_integer_pairs:     # as_matrix: rows of integer texts kept as texts
            rows.append(_parse_row(row, field, i, limits))
        else:
            rows.append(tuple(parse_entry(x, f"{field}[{i}][{j}]", limits) for j, x in enumerate(row)))
    return tuple(rows), ncols


class _TextRow:
    """One row read by the fast path of :func:`_parse_row`: the decimal texts of integer numerators (ASCII digits,
    optional leading ``-``) and of positive denominators (None: all 1), checked but not converted."""

    __slots__ = ("numerators", "denominators")

    def __init__(self, numerators: list[str], denominators: list[str] | None):
        self.numerators = numerators
        self.denominators = denominators

    def fractions(self) -> tuple[Fraction, ...]:
        if self.denominators is None:
            return tuple(Fraction(int(a)) for a in self.numerators)
        return tuple(Fraction(int(a), int(b)) for a, b in zip(self.numerators, self.denominators))


def _parse_integer_pairs(value: Any, field: str = "value", limits: Limits = DEFAULT_LIMITS) -> Fraction:
    """:func:`parse_number`; as the ``parse_entry`` of :func:`read_rows` it asks for rows kept as integers (as_matrix)."""
    return parse_number(value, field, limits)


def _parse_row(row: Sequence[Any], field: str, i: int, limits: Limits) -> "tuple[Fraction, ...] | _TextRow":
    """:func:`parse_number` on every entry of a row, with a fast path for the texts a point file holds.

    A string that is exactly an ASCII integer ``-?[0-9]+`` or fraction ``-?[0-9]+/[0-9]+`` (no blanks, no ``+``)
    of at most min(max_digits, 4,000) digits per part, with a nonzero denominator, is checked and kept as its
    texts (the same value :func:`parse_number` gives, without its regular expressions and field names; converted
    later, :meth:`RationalMatrix.from_decimal_texts`); so is a JSON integer of at most 13,000 bits (its decimal
    text). Anything else, every error included, goes through :func:`parse_number`, so the caps and messages are
    unchanged. A row read wholly by the fast path is returned as a :class:`_TextRow` (no integer, no Fraction
    formed); any other row as a tuple of Fractions.
    """
    short = min(limits.max_digits, 4000)
    whole = _text_row(row, short)
    if whole is not None:
        return whole
    numerators: list[str] = []
    denominators: list[str] = []
    fractional = False
    slow: list[tuple[int, Fraction]] = []
    for j, x in enumerate(row):
        if type(x) is str:
            negative = x[:1] == "-"
            body = x[1:] if negative else x
            numerator, slash, denominator = body.partition("/")
            if (numerator.isascii() and numerator.isdigit() and len(numerator) <= short
                    and (not slash or (denominator.isascii() and denominator.isdigit() and len(denominator) <= short
                                       and denominator.strip("0")))):
                numerators.append(x[:len(numerator) + 1] if negative else numerator)
                if slash:
                    denominators.append(denominator)
                    fractional = True
                else:
                    denominators.append("1")
                continue
        elif type(x) is int and x.bit_length() <= min(13000, limits.max_digits * 3.33):    # the bound of _check_digits
            numerators.append(str(x))
            denominators.append("1")
            continue
        slow.append((j, parse_number(x, f"{field}[{i}][{j}]", limits)))
        numerators.append("0")
        denominators.append("1")
    if not slow:
        return _TextRow(numerators, denominators if fractional else None)
    out = list(_TextRow(numerators, denominators).fractions())
    for j, value in slow:
        out[j] = value
    return tuple(out)


def _ascii_digits(text: str) -> bool:
    """Is ``text`` a nonempty string of ASCII digits 0-9? (bytes.isdigit: ASCII only, ten times faster than
    str.isdigit, which also takes other scripts' digits.)"""
    try:
        return text.encode("ascii").isdigit()
    except UnicodeEncodeError:
        return False


def _text_row(row: Sequence[Any], short: int) -> "_TextRow | None":
    """The fast path of :func:`_parse_row` for a whole row of strings at once, or None (then entry by entry).

    The same texts pass as there (``-?[0-9]+`` or ``-?[0-9]+/[0-9]+``, ASCII, at most ``short`` digits per part,
    nonzero denominator), checked on the parts of the row joined together, as ASCII bytes (:func:`_ascii_digits`),
    instead of several string tests per entry: at depth 8, width 128 with 40-digit entries 164,000 texts in
    about 0.2 s against 0.55 s. The checks: the numerators without their one leading ``-`` are nonempty and,
    joined, only ASCII digits (so no other sign, slash or blank anywhere); the denominators (the part after the
    first ``/``, ``1`` where there is none) likewise, and none is all zeros; no part longer than ``short``. Any row
    that fails, or holds a non-string, returns None, so the caps and error messages stay those of the per-entry
    path.
    """
    if not row or not all(type(x) is str for x in row):
        return None                                   # a JSON number or another type: per entry
    if any("/" in x for x in row):
        parts = [x.partition("/") for x in row]
        numerators = [a for a, _, _ in parts]
        denominators = [b if slash else "1" for _, slash, b in parts]
        if (not _ascii_digits("".join(denominators)) or max(map(len, denominators)) > short
                or "" in [b.lstrip("0") for b in denominators]):
            return None
    else:
        numerators, denominators = list(row), None
    bodies = [a[1:] if a[:1] == "-" else a for a in numerators]
    if "" in bodies or max(map(len, bodies)) > short or not _ascii_digits("".join(bodies)):
        return None
    return _TextRow(numerators, denominators)


def as_weights(value: Any, field: str = "weights", limits: Limits = DEFAULT_LIMITS, *,
               exact: str | None = None) -> tuple[RationalMatrix, ...]:
    """Read a list of weight matrices [W_1, ..., W_H] and check that consecutive shapes chain (floats: ``exact``, see :func:`as_matrix`)."""
    if not isinstance(value, (list, tuple)):
        raise InputError("expected a list of matrices [W_1, ..., W_H]", field)
    if len(value) == 0:
        raise InputError("no weight matrices", field)
    if len(value) > limits.max_layers:
        raise InputError(f"more than {limits.max_layers} layers", field)
    weights = tuple(as_matrix(w, f"{field}[{h}]", limits, exact=exact) for h, w in enumerate(value))
    for h in range(1, len(weights)):
        if weights[h].ncols != weights[h - 1].nrows:
            raise InputError(
                f"W_{h + 1} has {weights[h].ncols} columns but W_{h} has {weights[h - 1].nrows} rows",
                f"{field}[{h}]",
            )
    return weights


def layer_lambdas(lambdas: tuple[Fraction, ...], depth: int) -> tuple[Fraction, ...]:
    """lambda_h for h = 1..depth from the declared values: none (zeros), one for every layer, or one per layer.

    Shared by :class:`Problem` and the points over a number field (exactdln/model/field_format.py)."""
    if not lambdas:
        return (Fraction(0),) * depth
    if len(lambdas) == 1:
        return lambdas * depth
    if len(lambdas) != depth:
        raise InputError(f"{len(lambdas)} regularization values for {depth} layers", "lambda")
    return lambdas


@dataclass(frozen=True)
class Problem:
    """Data and regularization of a deep linear network problem.

    ``X`` is d_x by m, ``Y`` is d_y by m. ``lambdas`` is either empty (no
    regularization), a single value applied to every layer, or one value per layer.
    """

    X: RationalMatrix
    Y: RationalMatrix
    lambdas: tuple[Fraction, ...] = ()

    def __post_init__(self) -> None:
        if self.X.ncols != self.Y.ncols:
            raise InputError(
                f"X has {self.X.ncols} samples (columns) but Y has {self.Y.ncols}", "Y"
            )
        if any(l < 0 for l in self.lambdas):
            raise InputError("regularization must be nonnegative", "lambda")

    @classmethod
    def create(cls, X: Any, Y: Any, lam: Any = 0, *, limits: Limits = DEFAULT_LIMITS,
               exact: str | None = None) -> "Problem":
        """Build a problem from any accepted matrix and number forms (floats by the rule ``exact``, see :func:`as_matrix`)."""
        Xm = as_matrix(X, "X", limits, exact=exact)
        Ym = as_matrix(Y, "Y", limits, exact=exact)
        if isinstance(lam, float) and exact is not None:
            try:
                lam = float_to_fraction(lam, exact, field="lambda")
            except FloatRuleError as err:
                raise InputError(err.message, "lambda") from None
        return cls(Xm, Ym, parse_lambda(lam, limits))

    @property
    def d_x(self) -> int:
        return self.X.nrows

    @property
    def d_y(self) -> int:
        return self.Y.nrows

    @property
    def m(self) -> int:
        return self.X.ncols

    def layer_lambdas(self, depth: int) -> tuple[Fraction, ...]:
        """lambda_h for h = 1..depth (zeros when unregularized): :func:`layer_lambdas`."""
        return layer_lambdas(self.lambdas, depth)

    @property
    def regularized(self) -> bool:
        return any(l != 0 for l in self.lambdas)

    def check_weights(self, weights: Sequence[RationalMatrix], field: str = "weights") -> None:
        """Check that the weights fit the data: W_1 has d_x columns and W_H has d_y rows."""
        if weights[0].ncols != self.d_x:
            raise InputError(f"W_1 has {weights[0].ncols} columns but X has {self.d_x} rows", f"{field}[0]")
        if weights[-1].nrows != self.d_y:
            raise InputError(
                f"W_{len(weights)} has {weights[-1].nrows} rows but Y has {self.d_y} rows",
                f"{field}[{len(weights) - 1}]",
            )
        self.layer_lambdas(len(weights))

    def to_json(self) -> dict:
        lam: Any
        if not self.lambdas:
            lam = "0"
        elif len(self.lambdas) == 1:
            lam = _fraction_text(self.lambdas[0])
        else:
            lam = [_fraction_text(l) for l in self.lambdas]
        return {"X": self.X.to_json(), "Y": self.Y.to_json(), "lambda": lam}


def parse_lambda(value: Any, limits: Limits) -> tuple[Fraction, ...]:
    """The ``"lambda"`` field: one lambda >= 0 for every layer, one per layer, or () when all are 0.

    ``None`` (JSON ``null``) is refused rather than read as 0: a missing key means 0, a null is a mistake.
    """
    if value is None:
        raise InputError("null is not a number (leave the key out for lambda = 0)", "lambda")
    if isinstance(value, (list, tuple)):
        if not value:
            raise InputError("empty list", "lambda")
        lams = tuple(parse_number(v, f"lambda[{i}]", limits) for i, v in enumerate(value))
    else:
        lams = (parse_number(value, "lambda", limits),)
    for i, l in enumerate(lams):
        if l < 0:
            raise InputError("regularization must be nonnegative", "lambda" if len(lams) == 1 else f"lambda[{i}]")
    if all(l == 0 for l in lams):
        return ()
    return lams


def normalize_point(problem: Problem, weights: Any) -> tuple[RationalMatrix, ...]:
    """Weights in any accepted form, checked against the problem's shapes."""
    ws = as_weights(weights)
    problem.check_weights(ws)
    return ws


def point_from_mapping(data: Any, source: str | None = None, limits: Limits = DEFAULT_LIMITS, *,
                       fields: Any = None) -> tuple[Problem, tuple[RationalMatrix, ...]]:
    """Read ``{"X", "Y", "weights", "lambda"?}`` into a problem and its weights.

    A file with a ``"field"`` key (a point over a number field) is read by ``fields(data, limits)``
    when given (exactdln.model.field_format.algebraic_point_from_mapping: an AlgebraicProblem and its
    weights); otherwise it is refused.
    """
    try:
        if not isinstance(data, dict):
            raise InputError("expected a JSON object with keys X, Y, weights")
        for key in ("X", "Y", "weights"):
            if key not in data:
                raise InputError("missing", key)
        if "parameters" in data:
            raise InputError("a family (a file with \"parameters\") is read by classify and certify only",
                             "parameters")
        if "field" in data:
            if fields is None:
                raise InputError("a point over a number field is read by classify only, for now", "field")
            return fields(data, limits)
        X = as_matrix(data["X"], "X", limits)
        Y = as_matrix(data["Y"], "Y", limits)
        weights = as_weights(data["weights"], "weights", limits)
        total = X.nrows * X.ncols + Y.nrows * Y.ncols + sum(w.nrows * w.ncols for w in weights)
        if total > limits.max_entries:
            raise InputError(f"{total} entries in all, more than {limits.max_entries}")
        problem = Problem(X, Y, parse_lambda(data.get("lambda", 0), limits))
        problem.check_weights(weights)
        return problem, weights
    except InputError as err:
        if source and not err.source:
            raise err.with_source(source) from None
        raise


class _RejectedNumber:
    """A JSON literal refused by the reader; reported with its field by :func:`parse_number`."""

    def __init__(self, reason: str):
        self.reason = reason


class JsonDecimal(str):
    """The text of a JSON number literal with a fraction or exponent (``0.1``, ``1e-3``), kept as written.

    It is read as the exact decimal it spells (:func:`parse_number`), never through a binary float;
    readers that want the float (``snap``'s float weights) see that it was a literal.
    """

    __slots__ = ()


def _reject_constant(name: str) -> _RejectedNumber:
    return _RejectedNumber(f"{name} is not a finite number")


def _unique_keys(pairs: list) -> dict:
    out = {}
    for key, value in pairs:
        if key in out:
            raise InputError(f"duplicate key {key[:40]!r}: a JSON object may name each key once", None)
        out[key] = value
    return out


_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST = re.compile(r"\[\]|\{\}")


def _without_strings(text: str) -> str:
    """The pieces of ``text`` outside double quotes, each string replaced by ``""``; what follows an unmatched last
    quote is dropped. The same as ``'""'.join(text.split('"')[0::2])``, without copying the strings: at depth 8,
    width 128 with 40-digit entries (93 MB, almost all of it inside strings) 0.07 s against 0.14 s. A text of many
    short strings (more than one quote per 64 characters) takes the split, whose loop runs in C."""
    if text.count('"') * 64 > len(text):
        return '""'.join(text.split('"')[0::2])
    pieces = []
    append, find = pieces.append, text.find
    position = 0
    while True:
        opening = find('"', position)
        if opening < 0:
            append(text[position:])
            break
        append(text[position:opening])
        closing = find('"', opening + 1)
        if closing < 0:
            break
        append('""')
        position = closing + 1
    return "".join(pieces)


def _prescan(text: str, limits: Limits) -> None:
    """Refuse deep nesting and too many numbers before ``json`` builds anything.

    The strings are blanked first (at C speed), so brackets and commas inside them do not count.
    Each round of deleting the innermost ``[]``/``{}`` pairs lowers the nesting depth by one, so
    brackets left after ``max_nesting`` rounds that all made progress mean a deeper text (a round
    without progress means unbalanced brackets, which ``json`` reports with their place). Numbers:
    in JSON, commas <= elements of arrays + members of objects, members = colons and elements <=
    scalars + containers, so commas - colons - containers is a lower bound on the scalar elements
    of arrays.
    """
    # escaped backslashes, then escaped quotes deleted (only when the text has a backslash: each pass copies the
    # whole text, 0.08 s at 93 MB): every other piece between quotes is then a string
    if "\\" in text:
        text = text.replace("\\\\", "").replace('\\"', "")
    skeleton = _without_strings(text)
    brackets = _NOT_BRACKET.sub("", skeleton)
    for _ in range(limits.max_nesting):
        reduced = _INNERMOST.sub("", brackets)
        if reduced == brackets:
            break
        brackets = reduced
    else:
        if brackets:
            raise InputError(f"JSON nested deeper than {limits.max_nesting} levels")
    containers = skeleton.count("[") + skeleton.count("{")
    scalars = skeleton.count(",") - skeleton.count(":") - containers
    if scalars > limits.max_entries:
        raise InputError(f"more than {limits.max_entries} numbers in the file (at least {scalars})")


def read_json_text(text: str, source: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Parse JSON text under the caps of ``limits``, before and while parsing, never after.

    The size, the nesting depth and the number of array elements are checked on the raw text
    (:func:`_prescan`); integers are refused beyond ``max_digits`` digits when ``json`` meets
    them, non-integer literals are kept as :class:`JsonDecimal` text (exact), ``NaN`` and
    ``Infinity`` become refusals reported with their field, and a duplicate key anywhere is an
    error (``json`` would keep the last value silently). Raises :class:`InputError`.
    """
    try:
        if len(text) > limits.max_file_bytes:
            raise InputError(f"larger than {limits.max_file_bytes} bytes")
        _prescan(text, limits)
        return json.loads(text, parse_float=JsonDecimal, parse_int=_safe_int(limits),
                          parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except InputError as err:
        raise (err.with_source(source) if source and not err.source else err) from None
    except RecursionError:
        raise InputError("JSON nested too deeply", None, source) from None
    except ValueError as err:
        raise InputError(f"not valid JSON: {err}", None, source) from None


def read_json_file(path: str | os.PathLike, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Read a JSON file under the caps of ``limits``; the size is checked before reading a byte."""
    source = os.fspath(path)
    try:
        size = os.path.getsize(source)
        if size > limits.max_file_bytes:
            raise InputError(f"file is {size} bytes, more than {limits.max_file_bytes}", None, source)
        with open(source, "rb") as fh:
            raw = fh.read(limits.max_file_bytes + 1)
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", None, source) from None
    if len(raw) > limits.max_file_bytes:      # the file grew after the size check
        raise InputError(f"larger than {limits.max_file_bytes} bytes", None, source)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", None, source) from None
    return read_json_text(text, source, limits)


def load_point_text(text: str, source: str = "<string>", limits: Limits = DEFAULT_LIMITS) -> tuple[Problem, tuple[RationalMatrix, ...]]:
    """Parse a point file's text. JSON non-integer numbers are read as the exact decimal written."""
    return point_from_mapping(read_json_text(text, source, limits), source, limits)


def _safe_int(limits: Limits):
    def parse(s: str) -> int | _RejectedNumber:
        if len(s.lstrip("-")) > limits.max_digits:
            return _RejectedNumber(f"number has more than {limits.max_digits} digits")
        return int_from_digits(s)
    return parse


def load_point(path: str | os.PathLike, limits: Limits = DEFAULT_LIMITS, *,
               fields: Any = None) -> tuple[Problem, tuple[RationalMatrix, ...]]:
    """Read a point file ``{"X", "Y", "weights", "lambda"?}`` from disk, under the caps of ``limits``
    (``fields``: see :func:`point_from_mapping`)."""
    source = os.fspath(path)
    return point_from_mapping(read_json_file(source, limits), source, limits, fields=fields)
