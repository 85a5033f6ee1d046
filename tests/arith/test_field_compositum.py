"""The compositum of real algebraic numbers (exactdln/arith/field_compositum.py): degrees and values known by hand."""

from __future__ import annotations

from fractions import Fraction

import pytest
from flint import fmpq_poly

from exactdln.arith.algebraic import real_roots
from exactdln.arith.field_compositum import CompositumDegreeError, compositum, square_root_in


def _root(coefficients, index):
    return [r for r, _ in real_roots(fmpq_poly(coefficients))][index]


def test_sqrt2_sqrt3_give_degree_4_with_the_named_signs():
    sqrt2 = _root([-2, 0, 1], 1)              # +sqrt 2
    minus_sqrt3 = _root([-3, 0, 1], 0)        # -sqrt 3
    C = compositum([sqrt2, minus_sqrt3])
    a, b = C.elements
    assert C.degree == 4                      # [Q(sqrt 2, sqrt 3) : Q] = 4
    assert a * a == 2 and b * b == 3
    assert a.sign() > 0 and b.sign() < 0
    assert (a * b * a * b) == 6 and abs(float(a * b) + 6 ** 0.5) < 1e-12


def test_a_number_already_in_the_field_keeps_the_degree():
    sqrt2 = _root([-2, 0, 1], 1)
    sqrt8 = _root([-8, 0, 1], 1)              # 2 sqrt 2
    C = compositum([sqrt2, sqrt8])
    assert C.degree == 2
    assert C.elements[1] == C.elements[0] * 2


def test_cube_root_and_square_root_give_degree_6():
    C = compositum([_root([-2, 0, 0, 1], 0), _root([-2, 0, 1], 1)])
    c, s = C.elements
    assert C.degree == 6 and c ** 3 == 2 and s * s == 2


def test_degree_cap_names_the_degree():
    with pytest.raises(CompositumDegreeError) as err:
        compositum([_root([-2, 0, 1], 1), _root([-3, 0, 1], 1), _root([-5, 0, 1], 1)], degree_cap=4)
    assert err.value.degree == 8 and "degree 8" in str(err.value)


def test_square_root_in_a_field():
    C = compositum([_root([-2, 0, 1], 1)])
    t = C.elements[0]
    assert square_root_in(t * 0 + Fraction(9, 4)) == Fraction(3, 2)
    root = square_root_in(t + 3)              # sqrt(3 + sqrt 2): root of (x^2 - 3)^2 - 2
    assert not isinstance(root, Fraction)
    assert abs(float(root) - (3 + 2 ** 0.5) ** 0.5) < 1e-12
    assert [int(c) for c in root.polynomial] == [7, 0, -6, 0, 1]
