"""Point files over a real number field: the ``"field"`` key and entries given by coefficients.

Format (docs/maths/algebraic.md §6)::

    {"field": {"minpoly": [c_0, c_1, ..., c_d], "interval": [lo, hi]},
     "X": ..., "Y": ..., "weights": [...], "lambda": ...}

The polynomial c_0 + c_1 t + ... + c_d t^d (constant term first, c_d != 0) and the rational
interval [lo, hi] name one real root theta. Every entry of X, Y or a weight is either a number as
in any point file (a rational, theta-free) or a JSON list [a_0, ..., a_(d-1)] of d numbers meaning
a_0 + a_1 theta + ... + a_(d-1) theta^(d-1), or a string polynomial in t = theta such as
"3/2*t^2 - t + 1" (read by a small parser, never evaluated; reduced modulo the declared polynomial).
lambda stays rational.

This module only *reads*: standard library, plain Fractions and tuples. That the polynomial is
squarefree and that [lo, hi] isolates exactly one real root is verified with FLINT when the field
is built (:meth:`exactdln.arith.number_field.NumberField.from_polynomial`), with errors that name
``field.minpoly`` or ``field.interval``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exactdln.model.problem import (
    DEFAULT_LIMITS,
    InputError,
    Limits,
    layer_lambdas,
    parse_lambda,
    parse_number,
    read_rows,
)
from exactdln.model.results import fraction_text

__all__ = [
    "MAX_FIELD_DEGREE",
    "FieldSpec",
    "FieldMatrixData",
    "AlgebraicProblem",
    "parse_field",
    "parse_entry",
    "parse_polynomial_text",
    "field_matrix",
    "algebraic_point_from_mapping",
]

MAX_FIELD_DEGREE = 256      # a polynomial of higher degree in a point file is refused

Entry = tuple[Fraction, ...]


@dataclass(frozen=True)
class FieldSpec:
    """The declared field: polynomial coefficients (constant first) and the interval [lo, hi]."""

    minpoly: tuple[Fraction, ...]
    interval: tuple[Fraction, Fraction]

    @property
    def degree(self) -> int:
        return len(self.minpoly) - 1

    def to_json(self) -> dict[str, Any]:
        return {"minpoly": [_text(c) for c in self.minpoly], "interval": [_text(x) for x in self.interval]}


@dataclass(frozen=True)
class FieldMatrixData:
    """A matrix whose entries are coefficient tuples (a_0, ..., a_(d-1)) of a_0 + a_1 theta + ..."""

    rows: tuple[tuple[Entry, ...], ...]
    ncols: int

    @property
    def nrows(self) -> int:
        return len(self.rows)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.nrows, self.ncols)

    def is_rational(self) -> bool:
        return all(not any(e[1:]) for row in self.rows for e in row)

    def to_json(self) -> list[list[Any]]:
        return [[_entry_json(e) for e in row] for row in self.rows]


@dataclass(frozen=True)
class AlgebraicProblem:
    """Data and regularization of a point over a number field: X, Y over K, lambda rational."""

    field: FieldSpec
    X: FieldMatrixData
    Y: FieldMatrixData
    lambdas: tuple[Fraction, ...] = ()

    @property
    def regularized(self) -> bool:
        return any(l != 0 for l in self.lambdas)

    def layer_lambdas(self, depth: int) -> tuple[Fraction, ...]:
        """lambda_h for h = 1..depth (zeros when unregularized): exactdln.model.problem.layer_lambdas."""
        return layer_lambdas(self.lambdas, depth)

    def to_json(self) -> dict[str, Any]:
        lam: Any = [_text(l) for l in self.lambdas] if len(self.lambdas) > 1 else (
            _text(self.lambdas[0]) if self.lambdas else "0")
        return {"field": self.field.to_json(), "X": self.X.to_json(), "Y": self.Y.to_json(), "lambda": lam}


def _text(x: Fraction) -> str:
    # fraction_text writes integers beyond Python's 4,300-digit str limit in full (a lambda of 10^-4787 made
    # `snap --json` exit 4 here, fuzz seed 5003 input 7049)
    return fraction_text(x)


def _entry_json(e: Entry) -> Any:
    return _text(e[0]) if not any(e[1:]) else [_text(c) for c in e]


def parse_field(value: Any, limits: Limits = DEFAULT_LIMITS) -> FieldSpec:
    """Read ``{"minpoly": [c_0, ..., c_d], "interval": [lo, hi]}`` (degree 1..MAX_FIELD_DEGREE, lo <= hi)."""
    if not isinstance(value, dict):
        raise InputError('expected {"minpoly": [c_0, ..., c_d], "interval": [lo, hi]}', "field")
    unknown = sorted(set(value) - {"minpoly", "interval"})
    if unknown:
        raise InputError(f"unknown key {unknown[0][:40]!r} (expected minpoly and interval)", "field")
    for key in ("minpoly", "interval"):
        if key not in value:
            raise InputError("missing", f"field.{key}")
    poly = value["minpoly"]
    if not isinstance(poly, (list, tuple)) or len(poly) < 2:
        raise InputError("expected the coefficients [c_0, ..., c_d] of a polynomial of degree d >= 1, "
                         "constant term first", "field.minpoly")
    if len(poly) - 1 > MAX_FIELD_DEGREE:
        raise InputError(f"degree {len(poly) - 1} is above {MAX_FIELD_DEGREE}", "field.minpoly")
    coeffs = tuple(parse_number(c, f"field.minpoly[{k}]", limits) for k, c in enumerate(poly))
    if coeffs[-1] == 0:
        raise InputError("the last coefficient (of t^d) is 0: give the polynomial without leading zeros",
                         "field.minpoly")
    interval = value["interval"]
    if not isinstance(interval, (list, tuple)) or len(interval) != 2:
        raise InputError("expected [lo, hi], two rationals", "field.interval")
    lo, hi = (parse_number(x, f"field.interval[{k}]", limits) for k, x in enumerate(interval))
    if lo > hi:
        raise InputError(f"lo = {_text(lo)} > hi = {_text(hi)}", "field.interval")
    return FieldSpec(coeffs, (lo, hi))


MAX_TEXT_EXPONENT = 1024   # t^k in a string entry: k at most this (reduced modulo the declared polynomial)

_NUMBER_CHARS = set("0123456789.eE")


def _tokens(text: str, where: str) -> list[str]:
    """Split ``3/2*t^2 - t + 1`` into numbers, ``t`` and the operators + - * / ^ (spaces ignored)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "+-*/^":
            out.append(ch)
            i += 1
        elif ch in ("t", "T"):
            out.append("t")
            i += 1
        elif ch.isdigit() or ch == ".":
            j = i
            while j < n and (text[j] in _NUMBER_CHARS or (text[j] in "+-" and text[j - 1] in "eE")):
                j += 1
            out.append(text[i:j])
            i = j
        else:
            raise InputError(f"unexpected character {ch!r} at position {i} of {text[:60]!r}; a polynomial in t "
                             f"such as '3/2*t^2 - t + 1' is expected", where)
    return out


def _reduce(poly: list[Fraction], minpoly: tuple[Fraction, ...]) -> list[Fraction]:
    """poly modulo the declared polynomial (theta is a root of it), coefficients constant first."""
    d = len(minpoly) - 1
    lead = minpoly[-1]
    poly = list(poly)
    for k in range(len(poly) - 1, d - 1, -1):
        c = poly[k]
        if c:
            q = c / lead
            for j in range(d + 1):
                poly[k - d + j] -= q * minpoly[j]
    return (poly + [Fraction(0)] * d)[:d]


def parse_polynomial_text(text: str, minpoly: tuple[Fraction, ...], where: str,
                          limits: Limits = DEFAULT_LIMITS) -> Entry:
    """The coefficients (a_0, ..., a_(d-1)) of a string entry such as ``"3/2*t^2 - t + 1"`` (t = theta),
    reduced modulo the declared polynomial. Grammar: a sum of terms, each an optional sign and a product of
    factors joined by * or /, a factor a number (integer, decimal, p/q through /) or t or t^k (k an
    integer, 0 <= k <= MAX_TEXT_EXPONENT); only numbers divide. Read by hand, never evaluated."""
    if len(text) > 3 * limits.max_digits + 2000:
        raise InputError(f"string entry longer than {3 * limits.max_digits + 2000} characters", where)
    tokens = _tokens(text, where)
    if not tokens:
        raise InputError("empty string is not a number", where)
    total: dict[int, Fraction] = {}
    pos = 0

    def fail(message: str) -> InputError:
        return InputError(f"{message} in {text[:60]!r}; a polynomial in t such as '3/2*t^2 - t + 1' is expected",
                          where)

    def number(tok: str) -> Fraction:
        return parse_number(tok, where, limits)

    while pos < len(tokens):
        sign = 1
        while pos < len(tokens) and tokens[pos] in "+-":
            sign = -sign if tokens[pos] == "-" else sign
            pos += 1
        coefficient, power = Fraction(sign), 0
        op = "*"
        while True:
            if pos >= len(tokens):
                raise fail("a term ends early")
            tok = tokens[pos]
            pos += 1
            if tok == "t":
                if op == "/":
                    raise fail("division by t")
                k = 1
                if pos < len(tokens) and tokens[pos] == "^":
                    if pos + 1 >= len(tokens) or not tokens[pos + 1].isdigit():
                        raise fail("t^ must be followed by a nonnegative integer")
                    if len(tokens[pos + 1]) > 5 or int(tokens[pos + 1]) > MAX_TEXT_EXPONENT:
                        raise fail(f"exponent above {MAX_TEXT_EXPONENT}")
                    k = int(tokens[pos + 1])
                    pos += 2
                power += k
                if power > MAX_TEXT_EXPONENT:
                    raise fail(f"exponent above {MAX_TEXT_EXPONENT}")
            elif tok[0].isdigit() or tok[0] == ".":
                value = number(tok)
                if op == "/":
                    if value == 0:
                        raise fail("division by zero")
                    coefficient /= value
                else:
                    coefficient *= value
            else:
                raise fail(f"unexpected {tok!r}")
            if pos < len(tokens) and tokens[pos] in "*/":
                op = tokens[pos]
                pos += 1
                continue
            break
        if pos < len(tokens) and tokens[pos] not in "+-":
            raise fail(f"unexpected {tokens[pos]!r}")
        total[power] = total.get(power, Fraction(0)) + coefficient
    top = max(total)
    poly = [total.get(k, Fraction(0)) for k in range(top + 1)]
    return tuple(_reduce(poly, minpoly))


def parse_entry(value: Any, degree: int, where: str, limits: Limits = DEFAULT_LIMITS,
                minpoly: tuple[Fraction, ...] | None = None) -> Entry:
    """A number (a rational), a list [a_0, ..., a_(degree-1)] of exactly ``degree`` numbers, or (with the
    declared ``minpoly``) a string polynomial in t such as ``"3/2*t^2 - t + 1"``
    (:func:`parse_polynomial_text`)."""
    if isinstance(value, str) and minpoly is not None and ("t" in value or "T" in value):
        return parse_polynomial_text(value, minpoly, where, limits)
    if isinstance(value, (list, tuple)):
        if len(value) != degree:
            raise InputError(f"expected a number or a list of {degree} coefficients [a_0, ..., a_{degree - 1}] "
                             f"of a_0 + a_1 theta + ..., got a list of {len(value)}", where)
        return tuple(parse_number(a, f"{where}[{k}]", limits) for k, a in enumerate(value))
    return (parse_number(value, where, limits),) + (Fraction(0),) * (degree - 1)


def field_matrix(value: Any, degree: int, where: str, limits: Limits = DEFAULT_LIMITS,
                 minpoly: tuple[Fraction, ...] | None = None) -> FieldMatrixData:
    """A matrix (list of rows) of entries read by :func:`parse_entry`."""
    if not isinstance(value, (list, tuple)) or not value:
        raise InputError("expected a matrix (a non-empty list of rows)", where)
    rows, ncols = read_rows(value, where, limits, lambda x, at, lim: parse_entry(x, degree, at, lim, minpoly))
    return FieldMatrixData(rows, ncols)


def algebraic_point_from_mapping(data: dict, limits: Limits = DEFAULT_LIMITS
                                 ) -> tuple[AlgebraicProblem, tuple[FieldMatrixData, ...]]:
    """Read ``{"field", "X", "Y", "weights", "lambda"?}``: the problem over K and its weights (shapes checked)."""
    spec = parse_field(data["field"], limits)
    d = spec.degree
    X = field_matrix(data["X"], d, "X", limits, spec.minpoly)
    Y = field_matrix(data["Y"], d, "Y", limits, spec.minpoly)
    ws = data["weights"]
    if not isinstance(ws, (list, tuple)) or not ws:
        raise InputError("expected a list of matrices [W_1, ..., W_H]", "weights")
    if len(ws) > limits.max_layers:
        raise InputError(f"more than {limits.max_layers} layers", "weights")
    weights = tuple(field_matrix(w, d, f"weights[{h}]", limits, spec.minpoly) for h, w in enumerate(ws))
    total = d * (X.nrows * X.ncols + Y.nrows * Y.ncols + sum(w.nrows * w.ncols for w in weights))
    if total > limits.max_entries:
        raise InputError(f"{total} coefficients in all, more than {limits.max_entries}")
    if X.ncols != Y.ncols:
        raise InputError(f"X has {X.ncols} samples (columns) but Y has {Y.ncols}", "Y")
    for h in range(1, len(weights)):
        if weights[h].ncols != weights[h - 1].nrows:
            raise InputError(f"W_{h + 1} has {weights[h].ncols} columns but W_{h} has {weights[h - 1].nrows} rows",
                             f"weights[{h}]")
    if weights[0].ncols != X.nrows:
        raise InputError(f"W_1 has {weights[0].ncols} columns but X has {X.nrows} rows", "weights[0]")
    if weights[-1].nrows != Y.nrows:
        raise InputError(f"W_{len(weights)} has {weights[-1].nrows} rows but Y has {Y.nrows} rows",
                         f"weights[{len(weights) - 1}]")
    problem = AlgebraicProblem(spec, X, Y, parse_lambda(data.get("lambda", 0), limits))
    problem.layer_lambdas(len(weights))
    return problem, weights
