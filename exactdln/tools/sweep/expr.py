"""``--find EXPR``: a small expression language over the fields of a sweep row, parsed here, never eval'd.

Grammar (``and`` binds tighter than ``or``; ``not`` tighter than both)::

    expr     := and ("or" and)*
    and      := not ("and" not)*
    not      := "not" not | compare
    compare  := sum (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in") sum)?
    sum      := operand (("+" | "-") operand)*
    operand  := ["-"] (NUMBER | NAME | "(" expr ")") | STRING | true | false | null | "[" [sum ("," sum)*] "]"

NAME is a row field, with dots into nested fields (``routes.hessian``, ``time.total``); STRING is quoted with
"..." or '...'. true and false equal no number (JSON, not Python). A comparison whose operands cannot be ordered (a missing value, a string against a number) is
false, never an error. ``+`` and ``-`` work on numbers (anything else gives null). Examples:
``kind == "strict_saddle" and rank < r_max - 1``, ``not agree``,
``depth >= 4 and kind in ["non_strict_saddle", "global_minimizer"]``.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from exactdln.model.problem import InputError

__all__ = ["ExpressionError", "Expression", "parse_expression"]


class ExpressionError(InputError):
    """A --find expression that does not parse; the message gives the column (1-based) of the bad token."""


_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,|\+|-)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
""", re.VERBOSE)

_KEYWORDS = {"and", "or", "not", "in", "true", "false", "null", "True", "False", "None"}
_LITERALS = {"true": True, "false": False, "null": None, "True": True, "False": False, "None": None}
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


@dataclass(frozen=True)
class _Token:
    kind: str        # number, string, op, name, keyword, end
    text: str
    column: int      # 1-based
    value: Any = None


def _unquote(text: str) -> str:
    body = text[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def _tokens(text: str) -> list[_Token]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ExpressionError(f"unexpected character {text[pos]!r} at column {pos + 1}", "--find")
        kind, piece = m.lastgroup, m.group()
        if kind == "number":
            value = float(piece) if any(c in piece for c in ".eE") else int(piece)
            out.append(_Token("number", piece, pos + 1, value))
        elif kind == "string":
            out.append(_Token("string", piece, pos + 1, _unquote(piece)))
        elif kind == "name":
            out.append(_Token("keyword" if piece in _KEYWORDS else "name", piece, pos + 1))
        elif kind == "op":
            out.append(_Token("op", piece, pos + 1))
        pos = m.end()
    out.append(_Token("end", "", len(text) + 1))
    return out


# The parsed expression is a tree of closures over a row.
Node = Callable[[dict], Any]


class _Parser:
    def __init__(self, text: str, fields: Iterable[str] | None):
        self.text = text
        self.tokens = _tokens(text)
        self.pos = 0
        self.fields = set(fields) if fields is not None else None
        self.names: list[str] = []

    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def error(self, token: _Token, expected: str) -> ExpressionError:
        found = "the end" if token.kind == "end" else repr(token.text)
        return ExpressionError(f"expected {expected} at column {token.column}, found {found}", "--find")

    def is_(self, text: str) -> bool:
        token = self.peek()
        return token.kind in ("op", "keyword") and token.text == text

    def parse(self) -> Node:
        node = self.parse_or()
        if self.peek().kind != "end":
            raise self.error(self.peek(), "and, or or the end of the expression")
        return node

    def parse_or(self) -> Node:
        parts = [self.parse_and()]
        while self.is_("or"):
            self.take()
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else (lambda row, ps=tuple(parts): any(_truth(p(row)) for p in ps))

    def parse_and(self) -> Node:
        parts = [self.parse_not()]
        while self.is_("and"):
            self.take()
            parts.append(self.parse_not())
        return parts[0] if len(parts) == 1 else (lambda row, ps=tuple(parts): all(_truth(p(row)) for p in ps))

    def parse_not(self) -> Node:
        if self.is_("not"):
            self.take()
            inner = self.parse_not()
            return lambda row: not _truth(inner(row))
        return self.parse_compare()

    def parse_compare(self) -> Node:
        left = self.parse_sum()
        token = self.peek()
        if token.kind == "op" and token.text in _COMPARE:
            self.take()
            right = self.parse_sum()
            compare = _COMPARE[token.text]
            return lambda row: _safe(compare, left(row), right(row))
        if self.is_("in") or (self.is_("not") and self.tokens[self.pos + 1].text == "in"):
            negate = self.take().text == "not"
            if negate:
                self.take()
            right = self.parse_sum()
            return lambda row: _contains(right(row), left(row)) != negate
        return left

    def parse_sum(self) -> Node:
        node = self.parse_operand()
        while self.is_("+") or self.is_("-"):
            sign = 1 if self.take().text == "+" else -1
            right = self.parse_operand()
            node = (lambda row, a=node, b=right, s=sign: _add(a(row), b(row), s))
        return node

    def parse_operand(self) -> Node:
        token = self.take()
        if token.kind == "op" and token.text == "-":
            inner = self.parse_operand()
            return lambda row: _add(0, inner(row), -1)
        if token.kind in ("number", "string"):
            return lambda row, v=token.value: v
        if token.kind == "keyword" and token.text in _LITERALS:
            return lambda row, v=_LITERALS[token.text]: v
        if token.kind == "name":
            path = token.text.split(".")
            if self.fields is not None and path[0] not in self.fields:
                raise ExpressionError(f"unknown field {path[0]!r} at column {token.column} (fields: "
                                      f"{', '.join(sorted(self.fields))})", "--find")
            self.names.append(token.text)
            return lambda row, p=tuple(path): _lookup(row, p)
        if token.kind == "op" and token.text == "(":
            inner = self.parse_or()
            if not self.is_(")"):
                raise self.error(self.peek(), "')'")
            self.take()
            return inner
        if token.kind == "op" and token.text == "[":
            items: list[Node] = []
            if not self.is_("]"):
                items.append(self.parse_sum())
                while self.is_(","):
                    self.take()
                    items.append(self.parse_sum())
            if not self.is_("]"):
                raise self.error(self.peek(), "',' or ']'")
            self.take()
            return lambda row, its=tuple(items): [i(row) for i in its]
        raise self.error(token, "a field name, a number, a string, true, false, null, '(' or '['")


def _lookup(row: Any, path: tuple[str, ...]) -> Any:
    value = row
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _add(a: Any, b: Any, sign: int) -> Any:
    """a + sign * b for numbers (not booleans); None (so every comparison with it is false) otherwise."""
    numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, b))
    return a + sign * b if numbers else None


def _truth(value: Any) -> bool:
    return bool(value)


def _safe(compare: Callable[[Any, Any], bool], a: Any, b: Any) -> bool:
    if isinstance(a, bool) != isinstance(b, bool):      # JSON's true is not the number 1
        return compare is operator.ne
    try:
        return bool(compare(a, b))
    except TypeError:
        return False


def _contains(container: Any, item: Any) -> bool:
    try:
        return item in container
    except TypeError:
        return False


@dataclass(frozen=True)
class Expression:
    """A parsed --find expression: ``expression(row)`` is True when the row matches."""

    text: str
    names: tuple[str, ...]
    node: Node

    def __call__(self, row: dict) -> bool:
        return _truth(self.node(row))

    def __str__(self) -> str:
        return self.text


def parse_expression(text: str, fields: Iterable[str] | None = None) -> Expression:
    """Parse ``text`` (module docstring's grammar); with ``fields``, unknown field names are errors too."""
    parser = _Parser(text, fields)
    node = parser.parse()
    return Expression(text, tuple(parser.names), node)
