"""A small recursive-descent parser for parametric matrix entries.

Grammar (whitespace ignored)::

    expr   := term (("+" | "-") term)*
    term   := unary (("*" | "/") unary)*
    unary  := ("+" | "-") unary | power
    power  := atom ("^" exponent)?          exponent := ["+" | "-"] INTEGER | "(" ["+"|"-"] INTEGER ")"
    atom   := NUMBER | NAME | "(" expr ")"
    NUMBER := digits ["." digits] [("e"|"E") ["+"|"-"] digits]   (read as the exact decimal it spells)
    NAME   := [A-Za-z_][A-Za-z0-9_]*         (must be a declared parameter)

The text is evaluated directly into an element of the rational function field
QQ(p_1, ..., p_n) (sympy's ``FractionField`` domain), never through ``eval``,
``sympify`` or ``parse_expr``. Caps on length, nesting depth, exponent size and
number length keep hostile input from exhausting the machine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exactdln.model.problem import InputError

__all__ = ["ParserLimits", "DEFAULT_PARSER_LIMITS", "NAME_PATTERN", "parse_entry", "tokenize"]

NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TOKEN = re.compile(
    r"\s*(?:(?P<num>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[-+*/^()]))"
)


@dataclass(frozen=True)
class ParserLimits:
    """Caps on one entry's text."""

    max_length: int = 2000
    max_depth: int = 40
    max_exponent: int = 64
    max_digits: int = 200


DEFAULT_PARSER_LIMITS = ParserLimits()


def tokenize(text: str, field: str = "entry", limits: ParserLimits = DEFAULT_PARSER_LIMITS) -> list[tuple[str, str]]:
    """Split ``text`` into (kind, value) tokens; kind is "num", "name" or "op"."""
    if len(text) > limits.max_length:
        raise InputError(f"expression longer than {limits.max_length} characters", field)
    tokens: list[tuple[str, str]] = []
    pos = 0
    stripped_end = len(text.rstrip())
    while pos < stripped_end:
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise InputError(f"unexpected character {text[pos:pos + 1]!r} at position {pos} in {text!r:.60}", field)
        kind = m.lastgroup
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    if not tokens:
        raise InputError("empty expression", field)
    return tokens


def _exact_decimal(text: str, field: str, limits: ParserLimits) -> Fraction:
    mantissa, _, exp = text.lower().partition("e")
    whole, _, frac = mantissa.partition(".")
    if len(whole) + len(frac) > limits.max_digits:
        raise InputError(f"number with more than {limits.max_digits} digits", field)
    e = int(exp) if exp else 0
    if abs(e) > limits.max_digits:
        raise InputError(f"decimal exponent beyond +-{limits.max_digits}", field)
    value = Fraction(int((whole + frac) or "0"))
    e -= len(frac)
    return value * 10**e if e >= 0 else value / 10**-e


class _Parser:
    def __init__(self, tokens, field_domain, generators, field, limits):
        self.tokens = tokens
        self.i = 0
        self.K = field_domain
        self.gens = generators
        self.field = field
        self.limits = limits
        self.depth = 0

    def error(self, message: str):
        return InputError(message, self.field)

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise self.error("expression ends too early")
        self.i += 1
        return tok

    def expect(self, op: str) -> None:
        tok = self.take()
        if tok != ("op", op):
            raise self.error(f"expected {op!r}, found {tok[1]!r}")

    def nest(self):
        self.depth += 1
        if self.depth > self.limits.max_depth:
            raise self.error(f"expression nested deeper than {self.limits.max_depth}")

    def expr(self):
        self.nest()
        value = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            rhs = self.term()
            value = value + rhs if op == "+" else value - rhs
        self.depth -= 1
        return value

    def term(self):
        value = self.unary()
        while self.peek() in (("op", "*"), ("op", "/")):
            op = self.take()[1]
            rhs = self.unary()
            if op == "*":
                value = value * rhs
            else:
                if not rhs:
                    raise self.error("division by an expression that is identically zero")
                value = value / rhs
        return value

    def unary(self):
        tok = self.peek()
        if tok in (("op", "+"), ("op", "-")):
            self.take()
            self.nest()
            value = self.unary()
            self.depth -= 1
            return -value if tok[1] == "-" else value
        return self.power()

    def exponent(self) -> int:
        paren = self.peek() == ("op", "(")
        if paren:
            self.take()
        sign = 1
        if self.peek() in (("op", "+"), ("op", "-")):
            sign = -1 if self.take()[1] == "-" else 1
        kind, text = self.take()
        if kind != "num" or not text.isdigit():
            raise self.error(f"exponent must be an integer, found {text!r}")
        if len(text) > 6 or int(text) > self.limits.max_exponent:
            raise self.error(f"exponent larger than {self.limits.max_exponent}")
        if paren:
            self.expect(")")
        return sign * int(text)

    def power(self):
        base = self.atom()
        if self.peek() == ("op", "^"):
            self.take()
            n = self.exponent()
            if n < 0:
                if not base:
                    raise self.error("zero raised to a negative power")
                return (self.K.one / base) ** (-n)
            return base**n
        return base

    def atom(self):
        kind, text = self.take()
        if kind == "num":
            q = _exact_decimal(text, self.field, self.limits)
            return self.K(int(q.numerator)) / self.K(int(q.denominator))
        if kind == "name":
            if text not in self.gens:
                raise self.error(f"unknown name {text!r}; declare it under \"parameters\"")
            return self.gens[text]
        if text == "(":
            value = self.expr()
            self.expect(")")
            return value
        raise self.error(f"unexpected {text!r}")


def parse_entry(text: str, field_domain: Any, generators: dict[str, Any], field: str = "entry",
                limits: ParserLimits = DEFAULT_PARSER_LIMITS) -> Any:
    """Evaluate one entry's text into the rational function field ``field_domain``.

    ``generators`` maps each declared parameter name to its generator in the field.
    Raises :class:`~exactdln.model.problem.InputError` naming ``field`` on any malformed text.
    """
    if not isinstance(text, str):
        raise InputError(f"expected a string expression, got {type(text).__name__}", field)
    tokens = tokenize(text, field, limits)
    parser = _Parser(tokens, field_domain, generators, field, limits)
    value = parser.expr()
    if parser.peek() is not None:
        raise InputError(f"unexpected {parser.peek()[1]!r} after a complete expression in {text!r:.60}", field)
    return value
