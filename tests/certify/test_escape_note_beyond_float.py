"""The note of an escape curve whose leading coefficient lies beyond the float range (found by bench/fuzz.py, seed
5015, input 28220: `certify` of a point with 4,860-digit data ended with an internal error, float() of that
coefficient overflowing). The note now rounds it by integer arithmetic; the expected text is worked by hand:
-(2 10^4860 + 3 10^4855) has 4,862 characters (the sign and 4,861 digits) and rounds to -2.00003e+4860."""

from __future__ import annotations

from flint import fmpq

from exactdln.certify.escape import EscapeCurve


def test_a_coefficient_beyond_the_float_range_is_rounded_in_the_note():
    c = fmpq(-(2 * 10 ** 4860 + 3 * 10 ** 4855))
    curve = EscapeCurve(coefficients=(), polynomial=(fmpq(0), fmpq(0), fmpq(0), c), order=3, cuts=(1, 2, 3),
                        form="strict", transposed=False)
    assert "coefficient ~-2.00003e+4860; 4862 characters exactly" in str(curve)


def test_a_short_coefficient_is_written_exactly():
    curve = EscapeCurve(coefficients=(), polynomial=(fmpq(0), fmpq(0), fmpq(0), fmpq(-1, 2)), order=3, cuts=(1, 2),
                        form="strict", transposed=False)
    assert "coefficient -1/2" in str(curve)
