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
number length keep hostile input from exhausting the machine, and the size of every product,
quotient, sum and power (total degree, number of terms, coefficient digits) is bounded from the
sizes of its operands *before* it is expanded (:func:`predicted_size`), so ``(a+b+c)^64`` is
refused in microseconds instead of being expanded.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, NamedTuple

from exactdln.model.problem import InputError

__all__ = ["ParserLimits", "DEFAULT_PARSER_LIMITS", "NAME_PATTERN", "PolySize", "parse_entry", "poly_size",
           "predicted_size", "tokenize"]

NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TOKEN = re.compile(
    r"\s*(?:(?P<num>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[-+*/^()]))"
)


@dataclass(frozen=True)
class ParserLimits:
    """Caps on one entry: its text, and the size of the rational function it spells.

    ``max_degree``, ``max_terms`` and ``max_coefficient_digits`` bound the numerator and the
    denominator of the entry and of every intermediate result (checked before each operation
    from the operands' sizes). ``max_coefficient_digits`` is the family checker's MAX_DIGITS
    (exactdln/trusted/checker_family.py), so an entry the parser accepts fits a certificate.
    """

    max_length: int = 2000
    max_depth: int = 40
    max_exponent: int = 64
    max_digits: int = 200
    max_degree: int = 32
    max_terms: int = 500
    max_coefficient_digits: int = 2000


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


class PolySize(NamedTuple):
    """An upper bound on a polynomial's size: degree in each variable, total degree, terms, coefficient bits."""

    degrees: tuple[int, ...]
    total: int
    terms: int
    bits: int


def poly_size(p: Any) -> PolySize:
    """The size of a sympy ``PolyElement`` (coefficient bits: numerator plus denominator)."""
    if not p:
        return PolySize((0,) * p.ring.ngens, 0, 0, 0)
    bits = 0
    for c in p.coeffs():
        bits = max(bits, _bits(c))
    return PolySize(tuple(p.degrees()), max(sum(m) for m in p.itermonoms()), len(p), bits)


def _bits(c: Any) -> int:
    num, den = getattr(c, "numerator", c), getattr(c, "denominator", 1)
    return int(num).bit_length() + int(den).bit_length()


def _box(degrees: tuple[int, ...], total: int) -> int:
    """Monomials of at most these degrees per variable and this total degree: a bound on any term count."""
    box = math.prod(d + 1 for d in degrees)
    return min(box, math.comb(total + len(degrees), len(degrees)))


def predicted_size(op: str, a: PolySize, b: PolySize | int) -> PolySize:
    """An upper bound on the size of ``a * b``, ``a + b`` (polynomials) or ``a ** b`` (b an integer >= 0).

    Product: degrees and total degree add, terms at most the product of the term counts and at
    most the monomials that fit the degrees, coefficient bits at most the sum plus log2 of the
    shorter term count (a coefficient is a sum of that many products). Sum: degrees are the larger
    ones, terms add. Power n: n times the degrees and bits (plus n log2 t), terms at most C(t+n-1, n)
    (the monomials of degree n in t symbols).
    """
    if op == "*":
        degrees = tuple(x + y for x, y in zip(a.degrees, b.degrees))
        total = a.total + b.total
        terms = min(a.terms * b.terms, _box(degrees, total))
        return PolySize(degrees, total, terms, a.bits + b.bits + max(1, min(a.terms, b.terms)).bit_length() + 1)
    if op == "+":
        degrees = tuple(max(x, y) for x, y in zip(a.degrees, b.degrees))
        total = max(a.total, b.total)
        return PolySize(degrees, total, min(a.terms + b.terms, _box(degrees, total)), 2 * max(a.bits, b.bits) + 1)
    n = int(b)
    if n == 0 or a.terms == 0:
        return PolySize((0,) * len(a.degrees), 0, 1, 2)
    degrees = tuple(n * x for x in a.degrees)
    total = n * a.total
    terms = min(math.comb(a.terms + n - 1, n), _box(degrees, total))
    return PolySize(degrees, total, terms, n * (a.bits + max(1, a.terms).bit_length()))


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

    def check(self, size: PolySize, what: str) -> None:
        """Refuse a result before it is computed when its predicted size is beyond the caps."""
        lim = self.limits
        if size.total > lim.max_degree:
            raise self.error(f"{what} would have degree up to {size.total}, more than {lim.max_degree}")
        if size.terms > lim.max_terms:
            raise self.error(f"{what} would have up to {size.terms} terms, more than {lim.max_terms}")
        if size.bits > lim.max_coefficient_digits * 3.33:
            raise self.error(f"{what} would have coefficients of up to about {int(size.bits / 3.33)} digits, "
                             f"more than {lim.max_coefficient_digits}")

    def sizes(self, value) -> tuple[PolySize, PolySize]:
        return poly_size(value.numer), poly_size(value.denom)

    def combine(self, op: str, lhs, rhs):
        """lhs op rhs for op in + - * /, after checking the predicted numerator and denominator sizes."""
        (ln, ld), (rn, rd) = self.sizes(lhs), self.sizes(rhs)
        if op in "+-":
            if lhs.denom == rhs.denom:
                num, den = predicted_size("+", ln, rn), ld
            else:
                num = predicted_size("+", predicted_size("*", ln, rd), predicted_size("*", rn, ld))
                den = predicted_size("*", ld, rd)
        elif op == "*":
            num, den = predicted_size("*", ln, rn), predicted_size("*", ld, rd)
        else:
            num, den = predicted_size("*", ln, rd), predicted_size("*", ld, rn)
        what = {"+": "a sum", "-": "a difference", "*": "a product", "/": "a quotient"}[op]
        self.check(num, f"the numerator of {what}")
        self.check(den, f"the denominator of {what}")
        if op == "+":
            return lhs + rhs
        if op == "-":
            return lhs - rhs
        if op == "*":
            return lhs * rhs
        return lhs / rhs

    def expr(self):
        self.nest()
        value = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            rhs = self.term()
            value = self.combine(op, value, rhs)
        self.depth -= 1
        return value

    def term(self):
        value = self.unary()
        while self.peek() in (("op", "*"), ("op", "/")):
            op = self.take()[1]
            rhs = self.unary()
            if op == "/" and not rhs:
                raise self.error("division by an expression that is identically zero")
            value = self.combine(op, value, rhs)
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
            if not base and n <= 0:
                raise self.error("0^0 is undefined" if n == 0 else "zero raised to a negative power")
            num, den = self.sizes(base)
            self.check(predicted_size("^", num, abs(n)), f"a power ^{n}")
            self.check(predicted_size("^", den, abs(n)), f"a power ^{n}")
            return (self.K.one / base) ** (-n) if n < 0 else base**n
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
