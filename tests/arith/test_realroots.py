"""Tests of exactdln.arith.realroots: exact isolation and comparison of real roots.

Expected values are known polynomials: (x-1)(x-2)(x-3) has roots 1, 2, 3; x^2 - 2 has roots +-sqrt 2, and
sqrt 2 < 3/2 because 2 < 9/4; equal roots of different polynomials are ties certified by their gcd.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from flint import fmpq, fmpq_poly
from hypothesis import given, settings
from hypothesis import strategies as st

from exactdln.arith.realroots import (
    RealRoot,
    compare_roots,
    isolate_real_roots,
    rational_roots_among,
    sign_at,
    squarefree_part,
)


def poly_from_roots(roots) -> fmpq_poly:
    p = fmpq_poly([1])
    for r in roots:
        r = Fraction(r)
        p *= fmpq_poly([fmpq(-r.numerator, r.denominator), 1])
    return p


def contains(root: RealRoot, x: Fraction) -> bool:
    return root.lo <= x <= root.hi


def test_three_rational_roots():
    roots = isolate_real_roots(poly_from_roots([1, 2, 3]))
    assert len(roots) == 3
    for root, value in zip(roots, (1, 2, 3)):
        assert contains(root, Fraction(value))
    # intervals are disjoint and increasing
    assert roots[0].hi < roots[1].lo and roots[1].hi < roots[2].lo


def test_repeated_roots_are_reported_once():
    roots = isolate_real_roots(poly_from_roots([1, 1, 2, 2, 2, -5]))
    assert len(roots) == 3
    assert [contains(r, Fraction(v)) for r, v in zip(roots, (-5, 1, 2))] == [True] * 3


def test_squarefree_part():
    p = poly_from_roots([1, 1, 3])
    s = squarefree_part(p)
    assert s.degree() == 2
    assert s(1) == 0 and s(3) == 0


def test_sqrt2_against_three_halves():
    x2m2 = fmpq_poly([-2, 0, 1])
    neg, pos = isolate_real_roots(x2m2)
    three_halves = isolate_real_roots(fmpq_poly([-3, 2]))[0]
    assert compare_roots(pos, three_halves) == -1      # sqrt 2 < 3/2 since 2 < 9/4
    assert compare_roots(three_halves, pos) == 1
    assert compare_roots(neg, three_halves) == -1
    # 7/5 < sqrt 2 since 49/25 < 2
    seven_fifths = isolate_real_roots(fmpq_poly([-7, 5]))[0]
    assert compare_roots(seven_fifths, pos) == -1


def test_sqrt2_interval_refines_around_sqrt2():
    pos = isolate_real_roots(fmpq_poly([-2, 0, 1]))[1]
    for _ in range(60):
        pos = pos.bisect()
    assert pos.lo * pos.lo <= 2 <= pos.hi * pos.hi
    assert pos.hi - pos.lo < Fraction(1, 10**12)


def test_ties_between_different_polynomials_via_gcd():
    # sqrt 2 is a root of x^2 - 2 and of (x^2 - 2)(x - 5): a tie
    a = isolate_real_roots(fmpq_poly([-2, 0, 1]))[1]
    b_all = isolate_real_roots(fmpq_poly([-2, 0, 1]) * fmpq_poly([-5, 1]))
    b = next(r for r in b_all if float(r) > 0 and float(r) < 3)
    assert compare_roots(a, b) == 0
    # a rational tie: 2 as a root of (x-2)(x-7) and of (x-2)(x+1)
    c = isolate_real_roots(poly_from_roots([2, 7]))[0]
    d = isolate_real_roots(poly_from_roots([2, -1]))[1]
    assert compare_roots(c, d) == 0


def test_close_but_distinct_roots_are_separated():
    # sqrt 2 and 1414213562373095/10^15 differ by about 5e-17
    a = isolate_real_roots(fmpq_poly([-2, 0, 1]))[1]
    q = Fraction(1414213562373095, 10**15)
    b = isolate_real_roots(poly_from_roots([q]))[0]
    assert compare_roots(a, b) == 1      # q < sqrt 2 since q^2 < 2
    assert q * q < 2


def test_charpoly_of_symmetric_matrix_is_fully_isolated():
    # Sigma of data D3 (docs/maths/global_optimality.md §4): chi = (t-6)(t-2)(t-1)
    from flint import fmpq_mat
    S = fmpq_mat(3, 3, [fmpq(11, 3), fmpq(-1, 3), fmpq(-7, 3), fmpq(-1, 3), fmpq(5, 3), fmpq(-1, 3),
                        fmpq(-7, 3), fmpq(-1, 3), fmpq(11, 3)])
    roots = isolate_real_roots(S.charpoly())
    assert [contains(r, Fraction(v)) for r, v in zip(roots, (1, 2, 6))] == [True] * 3


def test_sign_at():
    p = poly_from_roots([1, 2])
    assert sign_at(p, Fraction(3, 2)) == -1
    assert sign_at(p, Fraction(0)) == 1
    assert sign_at(p, Fraction(2)) == 0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.fractions(min_value=-20, max_value=20, max_denominator=50), min_size=1, max_size=7))
def test_random_rational_roots(values):
    roots = isolate_real_roots(poly_from_roots(values))
    distinct = sorted(set(values))
    assert len(roots) == len(distinct)
    for r, v in zip(roots, distinct):
        assert contains(r, v)
    for i in range(len(roots) - 1):
        assert compare_roots(roots[i], roots[i + 1]) == -1


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 200).filter(lambda n: int(n**0.5) ** 2 != n), st.fractions(0, 15, max_denominator=30))
def test_square_roots_against_rationals(n, q):
    root = isolate_real_roots(fmpq_poly([-n, 0, 1]))[1]
    rational = isolate_real_roots(poly_from_roots([q]))[0]
    expected = (q * q < n) - (q * q > n)          # sign(sqrt n - q) for q >= 0
    assert compare_roots(root, rational) == expected


@settings(max_examples=40, deadline=None)
@given(st.sets(st.fractions(min_value=-20, max_value=20, max_denominator=50), min_size=1, max_size=7),
       st.sets(st.fractions(min_value=-20, max_value=20, max_denominator=50), max_size=4))
def test_rational_roots_among_candidates_are_the_roots(roots, others):
    # a product of distinct linear factors: its roots are exactly the given rationals, whatever other candidates
    poly = poly_from_roots(roots)
    candidates = [fmpq(v.numerator, v.denominator) for v in roots | others]
    found = rational_roots_among(poly, candidates)
    assert found is not None
    assert [(r.lo, r.hi) for r in found] == [(v, v) for v in sorted(roots)]


def test_rational_roots_among_declines_when_a_root_is_missing():
    # x^2 - 2 has no rational root; (x - 1)(x - 2) has a root (2) outside the candidates
    assert rational_roots_among(fmpq_poly([-2, 0, 1]), [fmpq(1), fmpq(2)]) is None
    assert rational_roots_among(poly_from_roots([1, 2]), [fmpq(1), fmpq(3)]) is None
    assert rational_roots_among(fmpq_poly([5]), [fmpq(1)]) == []
