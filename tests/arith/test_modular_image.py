"""exactdln.arith.exact.modular_image: entry a / b of a rational matrix goes to a b^-1 modulo p (the definition,
computed here entry by entry with Python's pow), and None when p divides a denominator."""

from __future__ import annotations

from flint import fmpq, fmpq_mat
from hypothesis import given, settings
from hypothesis import strategies as st

from exactdln.arith.exact import modular_image

PRIMES = [7, 101, 2**61 - 1]


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.sampled_from(PRIMES), st.data())
def test_each_entry_is_numerator_times_inverse_denominator(rows, cols, prime, data):
    values = data.draw(st.lists(st.fractions(max_denominator=10**30).filter(lambda x: x.denominator % prime),
                                min_size=rows * cols, max_size=rows * cols))
    matrix = fmpq_mat(rows, cols, [fmpq(x.numerator, x.denominator) for x in values])
    image = modular_image(matrix, prime)
    expected = [x.numerator % prime * pow(x.denominator, -1, prime) % prime for x in values]
    assert [int(image[k // cols, k % cols]) for k in range(rows * cols)] == expected


def test_a_denominator_divisible_by_the_prime_gives_none():
    matrix = fmpq_mat(2, 2, [1, fmpq(1, 3), fmpq(2, 21), 5])
    assert modular_image(matrix, 7) is None
    assert modular_image(matrix, 5) is not None
    assert modular_image(fmpq_mat(0, 3), 7).nrows() == 0
    assert [int(x) for x in modular_image(fmpq_mat([[fmpq(1, 2)]]), 7).entries()] == [4]    # 2 * 4 = 1 mod 7


def test_long_unrelated_denominators_take_the_entrywise_route_and_agree():
    # 36 distinct ~200-bit denominators: their lcm (about 7,000 bits) is beyond the 4,096-bit guess, so the image is
    # formed entry by entry (Montgomery's trick); the expected residues are the definition, entry by entry
    rows = cols = 6
    values = [fmpq((-1) ** k * (3 * k + 1), 2**200 + 2 * k + 1) for k in range(rows * cols)]
    matrix = fmpq_mat(rows, cols, values)
    prime = 2**61 - 1
    image = modular_image(matrix, prime)
    expected = [int(x.p) % prime * pow(int(x.q), -1, prime) % prime for x in values]
    assert [int(image[k // cols, k % cols]) for k in range(rows * cols)] == expected
    divisible = 2**200 + 2 * 5 + 1
    small_prime = next(q for q in (3, 5, 7, 11, 13, 17, 19, 23) if divisible % q == 0)
    assert modular_image(matrix, small_prime) is None
