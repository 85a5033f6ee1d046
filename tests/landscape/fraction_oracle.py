"""Plain Fraction linear algebra for the landscape tests: the independent oracle their expected values come from
(schoolbook products and Gauss-Jordan rank, nothing of exactdln)."""

from __future__ import annotations

from fractions import Fraction


def mul(a, b):
    return [[sum((a[i][t] * b[t][j] for t in range(len(b))), Fraction(0)) for j in range(len(b[0]))]
            for i in range(len(a))]


def transpose(a):
    return [list(col) for col in zip(*a)]


def rank(a) -> int:
    rows = [list(r) for r in a]
    r, col, n = 0, 0, len(rows[0]) if rows else 0
    while r < len(rows) and col < n:
        pivot = next((i for i in range(r, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            col += 1
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        for i in range(len(rows)):
            if i != r and rows[i][col] != 0:
                f = rows[i][col] / rows[r][col]
                rows[i] = [x - f * y for x, y in zip(rows[i], rows[r])]
        r += 1
        col += 1
    return r
