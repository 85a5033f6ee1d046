"""exactdln/arith/matrix_bytes.py: an integer matrix over a denominator written as bytes reads back as the same
integers (the definition of a lossless encoding), and bytes of another shape are refused."""

from __future__ import annotations

import pytest
from flint import fmpz_mat
from hypothesis import given, settings
from hypothesis import strategies as st

from exactdln.arith.matrix_bytes import integer_matrix_from_bytes, integer_matrix_to_bytes


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 5), st.integers(0, 5), st.integers(1, 2**300), st.data())
def test_round_trip_keeps_every_integer(rows, cols, denominator, data):
    bits = data.draw(st.integers(1, 2000))
    values = data.draw(st.lists(st.integers(-2**bits, 2**bits), min_size=rows * cols, max_size=rows * cols))
    matrix = fmpz_mat(rows, cols, values)
    back, d = integer_matrix_from_bytes(integer_matrix_to_bytes(matrix, denominator))
    assert (back.nrows(), back.ncols()) == (rows, cols)
    assert [int(x) for x in back.entries()] == values and d == denominator


def test_truncated_bytes_are_refused():
    data = integer_matrix_to_bytes(fmpz_mat([[1, -2], [3, 2**100]]), 7)
    with pytest.raises(ValueError):
        integer_matrix_from_bytes(data[:-1])
    with pytest.raises(ValueError):
        integer_matrix_from_bytes(b"no header")
