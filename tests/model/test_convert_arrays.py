"""Float arrays converted with numpy (exactdln/model/convert.py) give the same exact numbers as the per-entry rules.

The expected values come from the standard library, independently of the code under test: the binary rule is
``Fraction(x)`` (the exact binary64 value), the decimal rule ``Fraction(repr(x))`` (Python's shortest decimal that
reads back as x). Hand-picked floats sit where a vectorized shortcut could slip: exact ties between two shortest
decimals (2^50 + 1/4 lies halfway between ...624.2 and ...624.3: ``repr`` keeps the even digit), float32 values
widened to float64 (their 17-digit decimals are exact and halfway cases are common), powers of two (their
round-trip interval is narrower below), subnormals, the largest float, negative zero, integers up to 2^53 and beyond.
"""

from __future__ import annotations

import math
import struct
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from exactdln.model.convert import float_to_fraction
from exactdln.model.problem import InputError, Limits, RationalMatrix, as_matrix

EDGES = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, 1.7976931348623157e308,
         -1.7976931348623157e308, 1125899906842624.25, 1125899906842624.75, 2.0**44, 2.0**44 - 0.5, 2.0**44 + 0.5,
         2.0**53 - 1, 2.0**53, 2.0**53 + 2, 1e23, 1e22, 1e-9, 1e-10, 0.1, 0.2, 0.3, 1 / 3, 2 / 3, -0.5, 123.456,
         9007199254740993.0, 0.028963088989257812, 0.1 + 0.2, 1e16, 1e17 + 8, 4.35, 2.675, 5e-5, 1.5e-7]


def decimal_rule(x: float) -> Fraction:
    return Fraction(repr(x))


def entries(matrix) -> list[Fraction]:
    return [x for row in matrix.rows for x in row] if isinstance(matrix, RationalMatrix) else \
        [x for row in matrix for x in row]


def convert(values, exact, dtype=np.float64, ncols=None):
    a = np.array(values, dtype=dtype)
    return entries(as_matrix(a.reshape(-1, ncols) if ncols else a.reshape(1, -1), "W", exact=exact))


def assert_lowest_terms(fractions):
    for f in fractions:
        assert type(f) is Fraction and f.denominator > 0 and math.gcd(f.numerator, f.denominator) == 1


@pytest.mark.parametrize("exact, rule", [("decimal", decimal_rule), ("binary", Fraction)])
def test_edge_floats_give_the_standard_library_values(exact, rule):
    got = convert(EDGES, exact)
    assert got == [rule(x) for x in EDGES]
    assert_lowest_terms(got)


def test_a_halfway_case_keeps_reprs_even_digit():
    assert convert([1125899906842624.25, 1125899906842624.75], "decimal") == [
        Fraction("1125899906842624.2"), Fraction("1125899906842624.8")]


@settings(max_examples=300)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=True), min_size=1, max_size=40))
def test_random_floats_match_the_per_entry_rules(values):
    got = convert(values, "decimal")
    assert got == [decimal_rule(x) for x in values] == [float_to_fraction(x, "decimal") for x in values]
    assert_lowest_terms(got)
    got = convert(values, "binary")
    assert got == [Fraction(x) for x in values]
    assert_lowest_terms(got)


@settings(max_examples=300)
@given(st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=40))
def test_random_bit_patterns_match_the_per_entry_rules(patterns):
    values = [struct.unpack("<d", struct.pack("<Q", p))[0] for p in patterns]
    values = [x for x in values if math.isfinite(x)] or [0.0]
    assert convert(values, "decimal") == [decimal_rule(x) for x in values]
    assert convert(values, "binary") == [Fraction(x) for x in values]


@settings(max_examples=200)
@given(st.lists(st.integers(-10**6, 10**6), min_size=1, max_size=30), st.integers(0, 17))
def test_short_decimals_come_back_as_written(numerators, places):
    # d / 10^places printed by repr is the shortest decimal: the float nearest to it reads back as it
    values = [n / 10**places for n in numerators]
    assert convert(values, "decimal") == [decimal_rule(x) for x in values]


@settings(max_examples=100)
@given(st.lists(st.floats(width=32, allow_nan=False, allow_infinity=False), min_size=1, max_size=30))
def test_float32_arrays_keep_their_own_rules(values):
    # binary: the float32 value itself; decimal: the shortest decimal in float32's own precision
    got = convert(values, "binary", np.float32)
    assert got == [Fraction(float(np.float32(x))) for x in values]
    decimal = convert(values, "decimal", np.float32)
    assert [struct.unpack("f", struct.pack("f", float(d)))[0] for d in decimal] == \
        [float(np.float32(x)) for x in values]
    assert decimal == [fewest_digits(float(np.float32(x)), "f") for x in values]
    assert_lowest_terms(decimal)


def fewest_digits(x: float, fmt: str) -> Fraction:
    """The decimal rule in float32 ("f") or float16 ("e") precision, from its definition: the first
    n-significant-digit rounding of x that reads back as x in that precision (one beyond its range does not)."""
    for n in range(1, 18):
        text = f"{x:.{n}g}"
        try:
            if struct.unpack(fmt, struct.pack(fmt, float(text)))[0] == x:
                return Fraction(text)
        except OverflowError:
            continue
    raise AssertionError(x)


@settings(max_examples=200)
@given(st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=40))
def test_float32_bit_patterns_match_the_per_entry_rule(patterns):
    values = [struct.unpack("<f", struct.pack("<I", p))[0] for p in patterns]
    values = [x for x in values if math.isfinite(x)] or [0.0]
    got = convert(values, "decimal", np.float32)
    assert got == [fewest_digits(x, "f") for x in values] == [float_to_fraction(x, "decimal", "f") for x in values]


def test_every_float16_matches_the_per_entry_rule():
    values = np.arange(2**16, dtype=np.uint16).view(np.float16)
    values = values[np.isfinite(values)].astype(np.float64).tolist()          # all 63,488: 62 rows of 1,024
    got = convert(values, "decimal", np.float16, ncols=1024)
    assert got == [fewest_digits(x, "e") for x in values]
    assert fewest_digits(65504.0, "e") == 65500 == float_to_fraction(65504.0, "decimal", "e")
    assert got == [float_to_fraction(x, "decimal", "e") for x in values]


def test_a_matrix_keeps_its_shape_and_its_order():
    a = np.arange(12, dtype=np.float64).reshape(3, 4) / 8
    m = as_matrix(a, "W", exact="decimal")
    assert m.shape == (3, 4)
    assert m.rows == tuple(tuple(Fraction(int(8 * x), 8) for x in row) for row in a.tolist())


def test_limits_still_apply_to_float_arrays():
    with pytest.raises(InputError, match="more than 2 rows"):
        as_matrix(np.zeros((3, 2)), "W", Limits(max_dimension=2), exact="binary")
    with pytest.raises(InputError, match="digits"):
        as_matrix(np.array([[5e-324]]), "W", Limits(max_digits=100), exact="binary")


def test_nan_and_infinity_are_still_named():
    with pytest.raises(InputError, match=r"W\[1\]\[0\]"):
        as_matrix(np.array([[1.0], [np.nan]]), "W", exact="decimal")
    with pytest.raises(InputError, match=r"W\[0\]\[1\]"):
        as_matrix(np.array([[1.0, -np.inf]]), "W", exact="binary")


@pytest.mark.parametrize("exact, big", [("decimal", 1152921504606847000), ("binary", 2**60)])
def test_an_integer_valued_array_gives_its_integers(exact, big):
    # below 2^53 every integer is a float, so both rules give it; 2^60 prints as 1.152921504606847e+18
    a = np.array([[1.0, 0.0, -0.0], [-3.0, 2.0**52 + 1, 2.0**60]])
    m = as_matrix(a, "W", exact=exact)
    assert m.rows == ((1, 0, 0), (-3, 2**52 + 1, big))
    assert_lowest_terms(entries(m))
