"""Real algebraic numbers (exactdln.arith.algebraic): roots of rational polynomials with exact
isolating intervals. Expected values are hand-worked: sqrt 2, the golden ratio, roots chosen in advance."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from flint import fmpq_poly
from hypothesis import given, strategies as st

from exactdln.arith.algebraic import AlgebraicReal, rational_enclosure, real_roots


def poly_from_roots(values):
    out = fmpq_poly([1])
    for v in values:
        v = F(v)
        out *= fmpq_poly([-v.numerator, v.denominator])
    return out


def test_real_roots_rational_and_irrational():
    """(x^2 - 2)(x - 1)^2: -sqrt 2 (simple), 1 (double), sqrt 2 (simple)."""
    roots = real_roots(fmpq_poly([-2, 0, 1]) * fmpq_poly([-1, 1]) ** 2)
    assert [(r.is_rational, m) for r, m in roots] == [(False, 1), (True, 2), (False, 1)]
    assert roots[1][0].value == 1
    assert roots[2][0].lower ** 2 < 2 < roots[2][0].upper ** 2
    assert roots[0][0].upper < 0
    assert AlgebraicReal.rational(3).value == 3


def test_complex_roots_are_not_real():
    """x^2 + 1 has no real root; (x^2 + 1)(x - 1/3) has exactly 1/3."""
    assert real_roots(fmpq_poly([1, 0, 1])) == []
    roots = real_roots(fmpq_poly([1, 0, 1]) * fmpq_poly([-1, 3]))
    assert [(r.value, m) for r, m in roots] == [(F(1, 3), 1)]


def test_refine_golden_ratio():
    """x^2 - x - 1: the positive root is (1 + sqrt 5)/2; refinement keeps it inside and shrinks the interval."""
    phi = max((r for r, _ in real_roots(fmpq_poly([-1, -1, 1]))), key=lambda r: r.lower)
    fine = phi.refine(F(1, 10**30))
    assert fine.upper - fine.lower <= F(1, 10**30)
    # (2 lo - 1)^2 < 5 < (2 hi - 1)^2 for an interval around (1 + sqrt 5)/2
    assert (2 * fine.lower - 1) ** 2 < 5 < (2 * fine.upper - 1) ** 2
    assert phi.lower <= fine.lower <= fine.upper <= phi.upper
    assert not fine.is_rational
    with pytest.raises(ValueError):
        fine.value


def test_ball_contains_the_root():
    root = max((r for r, _ in real_roots(fmpq_poly([-2, 0, 1]))), key=lambda r: r.lower)
    ball = root.ball()
    assert (ball * ball).contains(2)


def test_zero_polynomial_refused():
    with pytest.raises(ValueError):
        real_roots(fmpq_poly([0]))


def test_rational_enclosure_contains_the_ball():
    from flint import arb

    lo, hi = rational_enclosure(arb(F(1, 3).numerator) / 3)
    assert lo < F(1, 3) < hi


@given(st.lists(st.fractions(min_value=-20, max_value=20, max_denominator=12), min_size=1, max_size=6))
def test_rational_roots_found_exactly_with_multiplicity(values):
    """A product of linear factors: its real roots are exactly the chosen values, counted with multiplicity."""
    roots = real_roots(poly_from_roots(values))
    assert all(r.is_rational for r, _ in roots)
    got = {r.value: m for r, m in roots}
    want = {v: values.count(v) for v in set(F(x) for x in values)}
    assert got == want
    assert [r.value for r, _ in roots] == sorted(want)


def test_roots_beyond_the_float_range_print_and_serialize():
    """x^2 - 2 * 10^700 has the roots +-sqrt(2) * 10^350 = +-1.41421356237...e+350, beyond float64: the text
    gives their decimals by integer arithmetic, the JSON's float approximation is null (fuzz seed 5005, input 56682,
    made `exactdln regularized` exit 4 on float(bound))."""
    roots = [r for r, _ in real_roots(fmpq_poly([-2 * 10**700, 0, 1]))]
    assert str(roots[0]).endswith("in [-1.41421356237e+350, -1.41421356237e+350]")
    assert str(roots[1]).endswith("in [1.41421356237e+350, 1.41421356237e+350]")
    assert roots[1].to_json()["approx"] is None
