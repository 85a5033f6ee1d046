"""The float path's one-pass conversion of the input matrices (exactdln.numeric.float64._FloatImage).

Facts used (none computed by the code under test):

- CPython's float(Fraction(n, d)) is the float nearest n / d (correct rounding), and Fraction(float) is that
  float's exact value, so "x is a float64 exactly" means Fraction(float(x)) == x;
- n / d is the same rational whether or not the pair is in lowest terms, so a matrix given by integer pairs not in
  lowest terms (RationalMatrix.from_integers) has the same image as its Fractions.
"""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exactdln.model.problem import RationalMatrix
from exactdln.numeric.float64 import FloatArithmetic, _FloatImage

numerators = st.integers(min_value=-(2**80), max_value=2**80)
denominators = st.integers(min_value=1, max_value=2**70)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(numerators, denominators, st.integers(min_value=1, max_value=2**20)), min_size=1, max_size=6))
def test_image_and_exactness_match_fractions(pairs):
    values = [Fraction(n, d) for n, d, _ in pairs]
    reference = [float(x) for x in values]
    exact = all(Fraction(v) == x for v, x in zip(reference, values))
    # the same entries as Fractions and as integer pairs scaled by a common factor k (not in lowest terms)
    as_fractions = RationalMatrix((tuple(values),))
    as_integers = RationalMatrix.from_integers(1, len(pairs), [n * k for n, _, k in pairs], [d * k for _, d, k in pairs])
    for m in (as_fractions, as_integers):
        image = _FloatImage(m)
        assert image.array.tolist() == [reference]
        assert image.exact == exact
        assert not image.underflow


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=-(2**70), max_value=2**70), min_size=1, max_size=6))
def test_integer_entries(values):
    image = _FloatImage(RationalMatrix.from_integers(1, len(values), values))
    assert image.array.tolist() == [[float(v) for v in values]]
    assert image.exact == all(int(float(v)) == v for v in values)


def test_dyadic_entries_are_exact_and_thirds_are_not():
    assert _FloatImage(RationalMatrix(((Fraction(3, 4), Fraction(-5, 1024)),))).exact
    assert not _FloatImage(RationalMatrix(((Fraction(1, 3),),))).exact


def test_a_nonzero_entry_below_the_float_range_underflows():
    tiny = Fraction(1, 2**1100)              # below the least subnormal 2^-1074: rounds to 0.0
    image = _FloatImage(RationalMatrix(((tiny, Fraction(1)),)))
    assert image.underflow and not image.exact
    assert image.array.tolist() == [[0.0, 1.0]]


def test_beyond_the_float_range_raises_overflow():
    with pytest.raises(OverflowError):
        _FloatImage(RationalMatrix(((Fraction(2**1100),),)))


def test_each_matrix_is_converted_once_and_copies_are_handed_out():
    ar = FloatArithmetic()
    m = RationalMatrix(((Fraction(1, 3), Fraction(2)),))
    assert ar.image(m) is ar.image(m)
    first = ar.matrix(m)
    first[0, 0] = 7.0                        # a caller's copy: the stored image is unchanged
    assert ar.matrix(m)[0, 0] == float(Fraction(1, 3))
