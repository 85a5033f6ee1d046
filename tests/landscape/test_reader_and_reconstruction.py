"""The integer form of matrices read from text, ||M||_F^2 over one common denominator, Wang's reconstruction with
asymmetric bounds and the lattice-guessed column denominators of the eigenbasis (docs/maths/classification.md §3.9).

Expected values come from Python's Fractions and from vectors built with a known common denominator.
"""

from __future__ import annotations

import pickle
import random
from fractions import Fraction
from math import gcd, prod

from hypothesis import given, settings, strategies as st

from exactdln.arith.exact import (model_frobenius_squared, rational_reconstruction, to_fmpq_mat, to_fraction,
                                  word_primes)
from exactdln.arith.eigenvector_guess import reconstruct_column as _reconstruct_column
from exactdln.model.problem import RationalMatrix, as_matrix

fractions = st.fractions(min_value=-10**30, max_value=10**30, max_denominator=10**20)


def _text(x: Fraction, reduced: bool, scale: int) -> str:
    if x.denominator == 1 and reduced:
        return str(x.numerator)
    return f"{x.numerator * scale}/{x.denominator * scale}"      # a fraction that is not in lowest terms


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(fractions, min_size=3, max_size=3), min_size=1, max_size=4), st.booleans(),
       st.integers(1, 12))
def test_matrix_read_as_integers_is_the_matrix_of_fractions(rows, reduced, scale):
    expected = RationalMatrix(tuple(tuple(row) for row in rows))
    read = as_matrix([[_text(x, reduced, scale) for x in row] for row in rows])
    assert read.shape == expected.shape
    assert to_fmpq_mat(read).tolist() == to_fmpq_mat(expected).tolist()          # before the rows are formed
    numerators, denominators = read.integer_entries()
    flat = [x for row in rows for x in row]
    assert [Fraction(a, b) for a, b in zip(numerators, denominators or [1] * len(flat))] == flat
    assert model_frobenius_squared(read) == model_frobenius_squared(expected)
    assert to_fraction(model_frobenius_squared(read)) == sum(x * x for x in flat)
    assert read == expected and hash(read) == hash(expected)
    assert pickle.loads(pickle.dumps(as_matrix([[_text(x, reduced, scale) for x in row] for row in rows]))) == expected


def test_rows_with_other_entries_are_read_as_before():
    m = as_matrix([["1/2", " 3 ", "0.25"], [4, "-6/8", "1e1"]])
    assert m.rows == ((Fraction(1, 2), Fraction(3), Fraction(1, 4)), (Fraction(4), Fraction(-3, 4), Fraction(10)))


@given(st.integers(-2**300, 2**300), st.integers(1, 2**60))
def test_wang_with_a_long_numerator_and_a_short_denominator(n, d):
    modulus = prod(word_primes(6))               # 372 bits: a 300-bit numerator is beyond the symmetric bound (185 bits)
    if gcd(n, d) != 1 or gcd(d, modulus) != 1:
        return
    a = n * pow(d, -1, modulus) % modulus
    assert rational_reconstruction(a, modulus, bound=modulus >> 64, denominator_bound=1 << 62) == (n, d)


def test_eigenbasis_column_with_a_long_common_denominator():
    rng = random.Random(7)
    primes = word_primes(12)
    modulus = prod(primes)                       # 744 bits: Wang entry by entry would need 2 * 480 + 64
    for _ in range(20):
        L = rng.getrandbits(480) | 1
        t = [rng.randrange(-2**480, 2**480) for _ in range(16)]
        t[3] = L                                  # the anchor: the entry equal to 1
        if gcd(L, gcd(*t)) != 1:
            continue
        residues = [x * pow(L, -1, modulus) % modulus for x in t]
        column = _reconstruct_column(residues, modulus, 0, len(t))
        assert column is not None
        scale = Fraction(column[3], t[3])
        assert [Fraction(c) for c in column] == [scale * x for x in t]
