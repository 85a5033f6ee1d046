"""Matrices read from decimal texts (exactdln/model/problem.py, RationalMatrix.from_decimal_texts): the texts are kept
as read and every view of the matrix has the values Python's Fraction gives the same texts (the definition).
The exact backend reads long texts with FLINT (exactdln/arith/exact.py, model_flint_entries): the same integers."""

from __future__ import annotations

import random
import re
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flint import fmpq

from exactdln.arith.exact import FLINT_TEXT_DIGITS, model_flint_entries, model_integer_matrix, to_fmpq_mat
from exactdln.model.problem import InputError, RationalMatrix, _text_row, as_matrix


def _texts(rng: random.Random, digits: int, count: int) -> list[str]:
    out = []
    for _ in range(count):
        numerator = rng.randrange(-10**digits, 10**digits)
        denominator = rng.randrange(1, 10**digits)
        out.append(str(numerator) if rng.random() < 0.3 else f"{numerator}/{denominator}")
    return out


def test_texts_are_kept_and_every_view_has_the_fraction_values():
    rng = random.Random(1)
    texts = _texts(rng, 30, 12) + ["-0007/0010", "0", "-5"]
    rows = [texts[0:5], texts[5:10], texts[10:15]]
    matrix = as_matrix(rows, "Y")
    expected = [Fraction(t) for t in texts]
    numerators, denominators = matrix.decimal_entries()
    assert len(numerators) == 15 and numerators[-3:] == ["-0007", "0", "-5"] and denominators[-3:] == ["0010", "1", "1"]
    assert [Fraction(a, b) for a, b in zip(*matrix.integer_entries())] == expected
    assert list(matrix.entries()) == expected
    assert matrix.shape == (3, 5)


def test_long_texts_read_by_flint_give_the_same_integers_and_matrices():
    rng = random.Random(2)
    texts = _texts(rng, FLINT_TEXT_DIGITS + 100, 6)
    matrix = as_matrix([texts[:3], texts[3:]], "Y")
    numerators, denominators = model_flint_entries(matrix)
    expected = [Fraction(t) for t in texts]
    assert [Fraction(int(a), int(b)) for a, b in zip(numerators, denominators)] == expected
    assert to_fmpq_mat(matrix).entries() == [fmpq(x.numerator, x.denominator) for x in expected]
    N, d = model_integer_matrix(matrix)
    assert [Fraction(int(x), d) for x in N.entries()] == expected


def test_a_row_with_other_entries_is_read_as_fractions():
    matrix = as_matrix([["1/2", 3], ["0.25", "-4"]], "X")
    assert matrix.decimal_entries() is None
    assert list(matrix.entries()) == [Fraction(1, 2), 3, Fraction(1, 4), -4]
    assert RationalMatrix.from_decimal_texts(1, 2, ["3", "-4"]).integer_entries() == ([3, -4], None)


# --- the whole-row check of the fast path (exactdln/model/problem.py, _text_row) ------------------------------------

_ACCEPTED = re.compile(r"-?[0-9]{1,40}(?:/[0-9]{0,40}[1-9][0-9]{0,40})?")     # the texts the fast path keeps


def _text_strategy():
    pieces = st.sampled_from(["0", "00", "7", "-", "/", "+", " ", "1e3", "0.5", "\u0663", "\uff11", "--", "/0", "12",
                              "-3", "/4", "/000", "9" * 41, "\x00"])
    return st.lists(pieces, min_size=1, max_size=4).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_text_strategy(), st.integers(-10, 10).map(str)), min_size=1, max_size=6))
def test_the_row_check_keeps_exactly_the_integer_and_fraction_texts(row):
    """A row is kept as texts iff every entry is -?digits or -?digits/digits with a nonzero denominator, in ASCII,
    each part at most 40 digits here (the definition, as a regular expression); its values are then Fraction's."""
    kept = _text_row(row, 40)
    valid = all(_ACCEPTED.fullmatch(x) and len(x.lstrip("-").partition("/")[0]) <= 40
                and len(x.partition("/")[2]) <= 40 for x in row)
    assert (kept is not None) == valid
    if kept is not None:
        assert kept.fractions() == tuple(Fraction(x) for x in row)


def test_rows_the_check_refuses_still_get_the_per_entry_errors():
    with pytest.raises(InputError) as caught:
        as_matrix([["1", "2"], ["3/0", "4"]], "W1")
    assert "W1[1][0]" in str(caught.value)
    assert list(as_matrix([["-1/2", "3"], ["4", "5/6"]], "Y").entries()) == [Fraction(-1, 2), 3, 4, Fraction(5, 6)]


def test_repeated_long_denominators_read_once_give_the_same_values():
    rng = random.Random(4)
    digits = FLINT_TEXT_DIGITS + 50
    shared = [str(rng.randrange(1, 10**digits)) for _ in range(2)]
    texts = [f"{rng.randrange(-10**digits, 10**digits)}/{shared[k % 2]}" for k in range(6)] + ["7"] * 2
    matrix = as_matrix([texts[:4], texts[4:]], "Y")
    numerators, denominators = model_flint_entries(matrix)
    assert [Fraction(int(a), int(b)) for a, b in zip(numerators, denominators)] == [Fraction(t) for t in texts]
