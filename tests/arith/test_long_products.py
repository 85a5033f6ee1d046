"""Products by slices of the long factor (exactdln/arith/long_products.py).

Expected values: the identity L = sum_i L_i 2^(i s) entry by entry (rebuilt here with Python integers), and FLINT's
own product of the unsliced matrices (associativity: sum_i (L_i S) 2^(i s) = (sum_i L_i 2^(i s)) S).
"""

from __future__ import annotations

import random

from flint import fmpz_mat
from hypothesis import given, settings
from hypothesis import strategies as st

from exactdln.arith.long_products import DigitSlices, max_entry_bits, slice_bits_for, worth_slicing


def _matrix(rng: random.Random, rows: int, cols: int, bits: int) -> fmpz_mat:
    return fmpz_mat(rows, cols, [rng.randrange(-(1 << bits), 1 << bits) for _ in range(rows * cols)])


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32), st.integers(1, 5), st.integers(1, 5), st.integers(1, 5),
       st.integers(1, 3000), st.sampled_from([64, 512, 1024]))
def test_slices_add_up_to_the_matrix_and_their_products_to_the_product(seed, rows, inner, cols, bits, width):
    rng = random.Random(seed)
    long = _matrix(rng, rows, inner, bits)
    sliced = DigitSlices(long, width)
    rebuilt = [sum(int(piece.entries()[t]) << (i * width) for i, piece in enumerate(sliced.slices))
               for t in range(rows * inner)]
    assert rebuilt == [int(x) for x in long.entries()]
    assert all(0 <= int(x) < 1 << width for piece in sliced.slices[:-1] for x in piece.entries())
    right = _matrix(rng, inner, cols, 40)
    assert sliced.times(right) == long * right


def test_slicing_is_chosen_beyond_the_threshold_and_keeps_the_product():
    rng = random.Random(5)
    long, short = _matrix(rng, 6, 7, 8000), _matrix(rng, 7, 5, 300)
    assert worth_slicing(8000, 300) and not worth_slicing(1000, 300)
    assert slice_bits_for(300) == 960 and slice_bits_for(1) == 512
    assert DigitSlices(long, slice_bits_for(300)).times(short) == long * short


def test_zero_and_empty_matrices():
    assert DigitSlices(fmpz_mat(3, 2), 64).times(fmpz_mat(2, 4)) == fmpz_mat(3, 4)
    assert DigitSlices(fmpz_mat(0, 2), 64).times(fmpz_mat(2, 4)) == fmpz_mat(0, 4)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=-2**3000, max_value=2**3000), min_size=1, max_size=12))
def test_max_entry_bits_is_the_longest_absolute_value(values):
    """The definition: max |x|.bit_length() over the entries (Python's own integers)."""
    assert max_entry_bits(fmpz_mat(1, len(values), values)) == max(abs(x).bit_length() for x in values)
