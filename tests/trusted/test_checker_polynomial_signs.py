"""The checker's signs of polynomials at rationals (exactdln/trusted/checker.py ``_psign``, ``Field._taylor_sign``),
computed in integers, against plain Fraction evaluation (the definition), and their work caps: a long interval
endpoint with a high-degree polynomial is refused by MAX_WORK at once (fuzz seed 5008, inputs 8301 and 68395: a
degree-64 minpoly with 20,000-digit endpoints kept a Fraction Horner's rule busy for minutes)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exactdln.trusted import checker

fractions = st.fractions(min_value=-50, max_value=50, max_denominator=10**6)


def _value(a, x):
    return sum((c * x ** k for k, c in enumerate(a)), Fraction(0))


@settings(max_examples=300, deadline=None)
@given(st.lists(fractions, min_size=1, max_size=12), fractions)
def test_the_sign_is_the_sign_of_the_value(a, x):
    checker.reset_work()                 # per example: tests/trusted/conftest.py resets per test
    v = _value(a, x)
    assert checker._psign(a, x) == (v > 0) - (v < 0)


@settings(max_examples=200, deadline=None)
@given(st.lists(fractions, min_size=2, max_size=8), fractions, st.fractions(min_value=Fraction(1, 10**6),
                                                                            max_value=1, max_denominator=10**6))
def test_a_taylor_sign_is_never_wrong(a, c, r):
    """_taylor_sign returns 0 (undecided) or the sign a takes on the whole interval [c - r, c + r]: it must agree
    with the values at both ends and at the centre."""
    checker.reset_work()
    K = checker.Field({"minpoly": ["-2", "0", "1"], "interval": ["1", "2"]})     # any valid field; lo, hi set below
    K.lo, K.hi = c - r, c + r
    s = K._taylor_sign(a)
    if s:
        for x in (c - r, c, c + r):
            v = _value(a, x)
            assert (v > 0) - (v < 0) == s


def test_the_golden_ratio_is_located_and_signs_in_its_field_hold():
    """x^2 - x - 1 has the root phi = (1 + sqrt 5) / 2 in (1, 2); phi - 8/5 > 0 > phi - 13/8 (Fibonacci ratios
    straddle phi)."""
    K = checker.Field({"minpoly": ["-1", "-1", "1"], "interval": ["1", "2"]})
    assert K.failure is None
    assert not K.is_zero([Fraction(-8, 5), Fraction(1)])
    assert not K.is_zero([Fraction(-13, 8), Fraction(1)])
    assert K.lo < Fraction(13, 8) and K.hi > Fraction(8, 5)
    assert K.is_zero([Fraction(-1), Fraction(-1), Fraction(1)])      # phi^2 - phi - 1 = 0


def test_a_long_endpoint_with_a_high_degree_is_refused_at_once():
    minpoly = ["3", "3", "-3"] + ["0"] * 59 + ["-1", "-1", "1"]              # degree 64, as in the fuzz inputs
    digits = "1" + "0" * 8_999                                             # within MAX_DIGITS
    spec = {"minpoly": minpoly, "interval": [f"1/{digits}", f"2/{digits}"]}
    with pytest.raises(checker.Malformed, match="MAX_WORK"):              # priced before any of it is done
        checker.Field(spec)
