"""Parametric families of weights: the model and its loading.

A family file is a point file whose entries may be rational functions of declared
parameters::

    {"X": ..., "Y": ..., "weights": [[["a", "0"], ["0", "0"]], [["1", "b"]]],
     "lambda": "0",
     "parameters": {"a": "nonzero", "b": "positive", "c": "real"}}

Every entry is read into the field of rational functions QQ(p_1, ..., p_n) (sympy's
``FractionField`` domain over QQ, with flint ground types) by the parser of
:mod:`exactdln.symbolic.parser`, never by ``eval``/``sympify``. Python callers may
also pass sympy expressions or matrices whose free symbols are declared parameters.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Mapping, Sequence

import sympy
from sympy import QQ
from sympy.polys.matrices import DomainMatrix

from exactdln.model.problem import DEFAULT_LIMITS, InputError, Problem, RationalMatrix, read_json_file
from exactdln.symbolic.parser import DEFAULT_PARSER_LIMITS, NAME_PATTERN, parse_entry, poly_size
from exactdln.symbolic.signs import term_signs

__all__ = ["ASSUMPTION_KINDS", "Family", "family_from_mapping", "load_family", "PoleError"]

#: what a parameter may be declared to be; every parameter is real.
ASSUMPTION_KINDS = ("real", "nonzero", "positive", "negative", "nonnegative")
MAX_PARAMETERS = 16
#: sum over the layers of the largest degree (numerator plus denominator) of an entry: bounds the
#: degree of the products W_{j:i} the analysis expands (an entry alone is capped by ParserLimits).
MAX_CHAIN_DEGREE = 64


class PoleError(ValueError):
    """A specialization hit a pole of the family (a denominator vanished)."""


@dataclass(frozen=True)
class Family:
    """A deep linear network problem whose entries are rational functions of parameters.

    ``field`` is QQ(p_1..p_n); ``X``, ``Y`` and the ``weights`` are DomainMatrices over
    it and ``lambdas`` holds lambda_h for h = 1..H (field elements). ``assumptions``
    maps every parameter to one of :data:`ASSUMPTION_KINDS`.
    """

    parameters: tuple[str, ...]
    assumptions: tuple[tuple[str, str], ...]
    field: Any
    X: DomainMatrix
    Y: DomainMatrix
    weights: tuple[DomainMatrix, ...]
    lambdas: tuple[Any, ...]
    source: str | None = None

    @property
    def depth(self) -> int:
        return len(self.weights)

    @property
    def widths(self) -> tuple[int, ...]:
        return (self.weights[0].shape[1],) + tuple(w.shape[0] for w in self.weights)

    @property
    def symbols(self) -> tuple[sympy.Symbol, ...]:
        return tuple(self.field.symbols)

    def assumption(self, name: str) -> str:
        return dict(self.assumptions)[name]

    @property
    def regularized(self) -> bool:
        return any(lam for lam in self.lambdas)

    @property
    def data_is_numeric(self) -> bool:
        """True when X, Y and lambda hold no parameter (the usual case)."""
        entries = list(_entries(self.X)) + list(_entries(self.Y)) + list(self.lambdas)
        return all(e.numer.is_ground and e.denom.is_ground for e in entries)

    def specialize(self, values: Mapping[str, Fraction | int]) -> tuple[Problem, tuple[RationalMatrix, ...]]:
        """The point obtained by substituting rational values for the parameters.

        Raises :class:`PoleError` when a denominator vanishes there.
        """
        point = [QQ(Fraction(values[name]).numerator, Fraction(values[name]).denominator) for name in self.parameters]

        def value(e) -> Fraction:
            if not self.parameters:
                q = QQ.convert(e.numer.LC) / QQ.convert(e.denom.LC) if e else QQ(0)
                return Fraction(int(q.numerator), int(q.denominator))
            den = e.denom(*point)
            if den == 0:
                raise PoleError(f"a denominator {e.denom.as_expr()} vanishes at {dict(values)}")
            q = e.numer(*point) / den
            return Fraction(int(q.numerator), int(q.denominator))

        def matrix(M: DomainMatrix) -> RationalMatrix:
            return RationalMatrix(tuple(tuple(value(e) for e in row) for row in M.to_list()), M.shape[1])

        lams = tuple(value(l) for l in self.lambdas)
        problem = Problem(matrix(self.X), matrix(self.Y), () if all(l == 0 for l in lams) else lams)
        return problem, tuple(matrix(w) for w in self.weights)

    def to_json(self) -> dict[str, Any]:
        def text(e) -> str:
            return str(e.as_expr()).replace("**", "^")

        def matrix(M):
            return [[text(e) for e in row] for row in M.to_list()]

        return {
            "parameters": dict(self.assumptions),
            "X": matrix(self.X),
            "Y": matrix(self.Y),
            "weights": [matrix(w) for w in self.weights],
            "lambda": [text(l) for l in self.lambdas],
        }


def _entries(M: DomainMatrix):
    for row in M.to_list():
        yield from row


def _read_entry(value: Any, K, gens: dict[str, Any], field: str):
    if isinstance(value, bool):
        raise InputError("a boolean is not a number", field)
    if value is None:
        raise InputError("null is not a number", field)
    if isinstance(value, int):
        if value.bit_length() > DEFAULT_PARSER_LIMITS.max_digits * 3.33:
            raise InputError(f"number with more than {DEFAULT_PARSER_LIMITS.max_digits} digits", field)
        return K(value)
    if isinstance(value, Fraction):
        return K(value.numerator) / K(value.denominator)
    if isinstance(value, str):
        return parse_entry(value, K, gens, field)
    if isinstance(value, float):
        raise InputError(f"binary float {value!r} is not exact; write it as a string", field)
    if isinstance(value, sympy.Basic):
        # Python callers only: a sympy expression built from declared symbols.
        unknown = {str(s) for s in value.free_symbols} - set(gens)
        if unknown:
            raise InputError(f"undeclared symbols {sorted(unknown)}", field)
        try:
            return K.from_sympy(value)
        except Exception as err:  # sympy raises CoercionFailed and others
            raise InputError(f"not a rational function of the parameters: {value}", field) from err
    if getattr(value, "is_Rational", False) or type(value).__name__ in ("fmpq", "fmpz", "mpq", "mpz"):
        f = Fraction(str(value))
        return K(f.numerator) / K(f.denominator)
    raise InputError(f"cannot read an entry from {type(value).__name__}", field)


def _read_matrix(value: Any, K, gens, field: str) -> DomainMatrix:
    if hasattr(value, "tolist") and hasattr(value, "shape") and not isinstance(value, (list, tuple)):
        value = value.tolist()
    if not isinstance(value, (list, tuple)) or not value:
        raise InputError("expected a non-empty list of rows", field)
    if len(value) > DEFAULT_LIMITS.max_dimension:
        raise InputError("too many rows", field)
    rows = []
    ncols = None
    for i, row in enumerate(value):
        if not isinstance(row, (list, tuple)) or not row:
            raise InputError(f"row {i} is not a non-empty list", f"{field}[{i}]")
        if ncols is None:
            ncols = len(row)
        elif len(row) != ncols:
            raise InputError(f"ragged rows: row {i} has {len(row)} entries, row 0 has {ncols}", field)
        rows.append([_read_entry(x, K, gens, f"{field}[{i}][{j}]") for j, x in enumerate(row)])
    return DomainMatrix(rows, (len(rows), ncols), K)


def family_from_mapping(data: Mapping[str, Any], source: str | None = None) -> Family:
    """Read ``{"X", "Y", "weights", "lambda"?, "parameters"}`` into a :class:`Family`."""
    try:
        if not isinstance(data, Mapping):
            raise InputError("expected a JSON object with keys X, Y, weights, parameters")
        for key in ("X", "Y", "weights", "parameters"):
            if key not in data:
                raise InputError("missing", key)
        declared = data["parameters"]
        if isinstance(declared, (list, tuple)):
            for i, name in enumerate(declared):
                if not isinstance(name, str):
                    raise InputError('expected a parameter name (a string); with assumptions write an object '
                                     'such as {"a": "nonzero"}', f"parameters[{i}]")
            if len(set(declared)) != len(declared):
                raise InputError("a parameter is declared twice", "parameters")
            declared = {name: "real" for name in declared}
        if not isinstance(declared, Mapping):
            raise InputError('expected an object such as {"a": "nonzero"}', "parameters")
        if len(declared) > MAX_PARAMETERS:
            raise InputError(f"more than {MAX_PARAMETERS} parameters", "parameters")
        for name, kind in declared.items():
            if not isinstance(name, str) or not NAME_PATTERN.match(name):
                raise InputError(f"{str(name)[:40]!r} is not a valid name ([A-Za-z_][A-Za-z0-9_]*)", "parameters")
            if not isinstance(kind, str) or kind not in ASSUMPTION_KINDS:
                raise InputError(f"unknown assumption {str(kind)[:40]!r}; use one of {', '.join(ASSUMPTION_KINDS)}",
                                 f"parameters.{name}")
        names = tuple(declared)
        symbols = [sympy.Symbol(n, real=True) for n in names]
        K = QQ.frac_field(*symbols) if symbols else QQ.frac_field(sympy.Symbol("_none"))
        gens = dict(zip(names, K.gens)) if names else {}
        X = _read_matrix(data["X"], K, gens, "X")
        Y = _read_matrix(data["Y"], K, gens, "Y")
        ws = data["weights"]
        if not isinstance(ws, (list, tuple)) or not ws:
            raise InputError("expected a list of matrices [W_1, ..., W_H]", "weights")
        if len(ws) > DEFAULT_LIMITS.max_layers:
            raise InputError("too many layers", "weights")
        weights = tuple(_read_matrix(w, K, gens, f"weights[{h}]") for h, w in enumerate(ws))
        if X.shape[1] != Y.shape[1]:
            raise InputError(f"X has {X.shape[1]} samples (columns) but Y has {Y.shape[1]}", "Y")
        if weights[0].shape[1] != X.shape[0]:
            raise InputError(f"W_1 has {weights[0].shape[1]} columns but X has {X.shape[0]} rows", "weights[0]")
        for h in range(1, len(weights)):
            if weights[h].shape[1] != weights[h - 1].shape[0]:
                raise InputError(f"W_{h + 1} has {weights[h].shape[1]} columns but W_{h} has "
                                 f"{weights[h - 1].shape[0]} rows", f"weights[{h}]")
        if weights[-1].shape[0] != Y.shape[0]:
            raise InputError(f"W_{len(weights)} has {weights[-1].shape[0]} rows but Y has {Y.shape[0]}",
                             f"weights[{len(weights) - 1}]")
        _check_chain_degree(weights)
        if "lambda" in data and data["lambda"] is None:
            raise InputError("null is not a number (leave the key out for lambda = 0)", "lambda")
        lam = data.get("lambda", 0)
        H = len(weights)
        kinds = [declared[n] for n in names]
        if isinstance(lam, (list, tuple)):
            if len(lam) != H:
                raise InputError(f"{len(lam)} regularization values for {H} layers", "lambda")
            lams = tuple(_nonnegative(_read_entry(l, K, gens, f"lambda[{i}]"), kinds, f"lambda[{i}]")
                         for i, l in enumerate(lam))
        else:
            lams = (_nonnegative(_read_entry(lam, K, gens, "lambda"), kinds, "lambda"),) * H
        return Family(names, tuple((n, declared[n]) for n in names), K, X, Y, weights, lams, source)
    except InputError as err:
        if source and not err.source:
            raise err.with_source(source) from None
        raise


def _check_chain_degree(weights: Sequence[DomainMatrix]) -> None:
    """Refuse weights whose products would pass :data:`MAX_CHAIN_DEGREE` (before any product is formed)."""
    total = 0
    for h, W in enumerate(weights):
        total += max((poly_size(e.numer).total + poly_size(e.denom).total for e in _entries(W)), default=0)
        if total > MAX_CHAIN_DEGREE:
            raise InputError(f"the layers' entries have degrees summing to more than {MAX_CHAIN_DEGREE} "
                             f"(largest degree of an entry, numerator plus denominator, added over W_1..W_{h + 1})",
                             "weights")


def _nonnegative(lam: Any, kinds: Sequence[str], field: str) -> Any:
    """lambda_h, refused unless it is >= 0 at every admissible parameter value.

    Decided by the sign rule of :mod:`exactdln.symbolic.signs`: every term of the numerator and of
    the denominator has a sign set inside {0, s} (numerator) and {s} (denominator) for one s.
    """
    if not lam:
        return lam
    if lam.numer.is_ground and lam.denom.is_ground:
        if (lam.numer.LC < 0) != (lam.denom.LC < 0):
            raise InputError("regularization must be nonnegative", field)
        return lam

    def signs(p) -> frozenset[int]:
        out: frozenset[int] = frozenset()
        for monomial, coefficient in p.terms():
            out |= term_signs(monomial, coefficient, kinds)
        return out

    num, den = signs(lam.numer), signs(lam.denom)
    if not (num <= {0, 1} and den == {1} or num <= {0, -1} and den == {-1}):
        raise InputError("regularization must be nonnegative for every admissible parameter value; "
                         "the assumptions do not show it for this expression", field)
    return lam


def load_family(path_or_mapping: str | os.PathLike | Mapping[str, Any]) -> Family:
    """Read a family from a JSON file or an already-parsed mapping."""
    if isinstance(path_or_mapping, Mapping):
        return family_from_mapping(path_or_mapping)
    source = str(path_or_mapping)
    return family_from_mapping(read_json_file(source, DEFAULT_LIMITS), source)
