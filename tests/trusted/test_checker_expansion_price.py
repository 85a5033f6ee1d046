"""The price an expansion is given before it starts (exactdln/trusted/checker.py ``expansion_units``; FORMAT.md,
Caps): one product of entries per pair of factors that may both be nonzero, the pattern of written zeros followed
through the products, so that a mostly-zero point (the aligned point of a transport) is not priced as a dense one.
The expected counts are worked by hand below."""

from __future__ import annotations

from fractions import Fraction

from exactdln.trusted import checker


def F(rows):
    return [[Fraction(x) for x in r] for r in rows]


def test_a_single_entry_chain_is_priced_by_its_one_product_per_layer():
    # X = I_2 (m = 2), W_1 = W_2 = E_11, Y = E_11, over Q (no field: a product of entries costs F(x) F(y) = 1).
    # Layer 1: E_11 X has one product (entry (1, 1) times row 1 of X, one nonzero entry), plus rows * m + 8 = 12 of
    # bookkeeping: 13; its pattern is E_11. Layer 2 likewise: 13. The inner product <R, R> of R = W_2 W_1 X - Y
    # (pattern E_11): one product, + 8: 9. In all 35; a dense count would price 2 x 2 x 2 products per layer.
    pb = {"X": F([[1, 0], [0, 1]]), "Y": F([[1, 0], [0, 0]]), "dims": [2, 2, 2]}
    curve = [[F([[1, 0], [0, 0]])], [F([[1, 0], [0, 0]])]]
    assert checker.expansion_units(pb, curve) == 35


def test_zero_rows_and_columns_add_no_products():
    # The same chain with W_2 = [[0, 0], [0, 0]] + t E_12: the constant term of layer 2 is all zeros (skipped),
    # the t term E_12 meets row 2 of W_1 X, which is zero: no product, only the bookkeeping 2 * 2 + 8 = 12.
    # R then has R_0 = -Y (pattern E_11, from Y alone) and R_1 with no nonzero entry: <R_0, R_0> one product + 8,
    # <R_0, R_1>, <R_1, R_0>, <R_1, R_1> no product, 8 each. 13 + 12 + 9 + 24 = 58.
    pb = {"X": F([[1, 0], [0, 1]]), "Y": F([[1, 0], [0, 0]]), "dims": [2, 2, 2]}
    curve = [[F([[1, 0], [0, 0]])], [F([[0, 0], [0, 0]]), F([[0, 1], [0, 0]])]]
    assert checker.expansion_units(pb, curve) == 58
