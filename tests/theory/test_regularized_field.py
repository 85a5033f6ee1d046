"""Classification over a number field with lambda > 0 (exactdln/theory/number_field.py, regularized branch;
exactdln/theory/regularized_field.py). Expected values are worked by hand from docs/maths/regularized.md §3-§4."""

from __future__ import annotations

from fractions import Fraction

from mpmath import mp
from flint import fmpq, fmpq_mat, fmpq_poly

from exactdln.model.field_format import algebraic_point_from_mapping
from exactdln.theory.number_field import classify_over_field
from exactdln.theory.regularized_field import decide_global, layer_value_polynomial, regularized_spectrum


def _classify(field, X, Y, lam, weights):
    problem, w = algebraic_point_from_mapping({"field": field, "X": X, "Y": Y, "lambda": lam, "weights": weights})[:2]
    return classify_over_field(problem, w)


SQRT2 = {"minpoly": ["-2", "0", "1"], "interval": ["1", "2"]}
SQRT3 = {"minpoly": ["-3", "0", "1"], "interval": ["1", "2"]}
T = ["0", "1"]          # the element t


def test_scalar_depth2_global_minimum_over_q_sqrt2():
    # f = (w1 w2 - 3)^2 / 2 + (w1^2 + w2^2) / 2: w1 = w2 = sqrt 2 is critical (s = y - lambda = 2), f = 5/2,
    # Hessian eigenvalues {2 lambda, 2 (y - lambda)} = {2, 4} (docs/maths/regularized.md §7, T1)
    c = _classify(SQRT2, [["1"]], [["3"]], "1", [[[T]], [[T]]])
    assert c.critical and c.kind == "global_minimizer"
    assert c.loss == Fraction(5, 2)
    assert (c.inertia.n_plus, c.inertia.n_minus, c.inertia.n_zero) == (2, 0, 0)


def test_scalar_depth2_not_critical_off_the_balanced_point():
    c = _classify(SQRT2, [["1"]], [["3"]], "1", [[[T]], [[["1", "1"]]]])
    assert not c.critical and c.kind == "not_critical"


def test_two_pairs_global_and_strict_saddle_over_q_sqrt3():
    # M = diag(4, 2), lambda = 1, H = 2: s = y - 1 = (3, 1), W_1 = W_2 = diag(sqrt 3, 1).
    # Both active: F = phi(4, 3) + phi(2, 1) = 7/2 + 3/2 = 5 (global). Second pair off: 7/2 + 2 = 11/2, and
    # the Hessian block of the dropped pair [[lambda, -y], [-y, lambda]] = [[1, -2], [-2, 1]] has eigenvalue -1.
    X, Y = [["1", "0"], ["0", "1"]], [["4", "0"], ["0", "2"]]
    full = [[T, "0"], ["0", "1"]]
    c = _classify(SQRT3, X, Y, "1", [full, full])
    assert c.kind == "global_minimizer" and c.loss == 5
    # nullity = orbit dimension = dim so(2) = 1 (docs/maths/regularized.md §7, T4: (2,1) has nullity = orbit = 1)
    assert c.inertia.n_minus == 0 and c.inertia.n_zero == 1 and c.extra["error_bound"] is True
    half = [[T, "0"], ["0", "0"]]
    c = _classify(SQRT3, X, Y, "1", [half, half])
    assert c.kind == "strict_saddle" and c.loss == Fraction(11, 2)
    assert c.inertia.n_minus == 1


def test_depth3_layer_polynomial_and_both_branches():
    # H = 3, y = 3, lambda = 1: p(sigma) = sigma^4 - 3 sigma + 1 (docs/maths/regularized.md §4.4), irreducible
    # (no rational root +-1, and no factorization (s^2 + a s + b)(s^2 - a s + c) with b c = 1 over Z).
    G = layer_value_polynomial(fmpq_poly([-9, 1]), [Fraction(1)] * 3)
    # (sigma^4 + 1)^2 - 9 sigma^2 = (sigma^4 - 3 sigma + 1)(sigma^4 + 3 sigma + 1)
    assert G == fmpq_poly([1, -3, 0, 0, 1]) * fmpq_poly([1, 3, 0, 0, 1])
    spectrum = regularized_spectrum(fmpq_mat([[1]]), fmpq_mat([[3]]), [1, 1, 1], (1, 1, 1, 1))
    (mode,) = spectrum.modes
    mp.dps = 50
    positive = sorted(float(r.real) for r in mp.polyroots([1, 0, 0, -3, 1]) if abs(r.imag) < 1e-30 and r.real > 0)
    assert [round(float(s), 9) for s in mode.sigmas] == [round(r, 9) for r in positive]
    for index, root in ((0, [Fraction(1, 3), Fraction(1, 2)]), (1, [Fraction(13, 10), Fraction(3, 2)])):
        field = {"minpoly": ["1", "-3", "0", "0", "1"], "interval": [str(x) for x in root]}
        t = "t"
        c = _classify(field, [["1"]], [["3"]], "1", [[[t]], [[t]], [[t]]])
        assert c.critical
        # §4.4 scalar check: eigenvalues 2 lambda (twice) and sigma p'(sigma), p' = 4 sigma^3 - 3
        sigma = float(mode.sigmas[index])
        expected_negative = int(sigma * (4 * sigma ** 3 - 3) < 0)
        assert c.inertia.n_minus == expected_negative
        # critical values: phi(3, s) = (3 - s)(3 + 2 s)/2 with s = sigma^3 against the origin's 9/2
        s = sigma ** 3
        phi = (3 - s) * (3 + 2 * s) / 2
        assert abs(float(c.loss_text.split("~")[1].rstrip(")")) - phi) < 1e-8
        assert c.kind == ("strict_saddle" if expected_negative else "global_minimizer" if phi < 4.5 else "local_minimizer")


def test_decide_global_on_rational_worked_cases():
    # docs/maths/regularized.md §7 T6: H = 3, M = diag(15/8, 1/2), lambda = 7/8: sigma = 1 gives 233/128 (global),
    # sigma = 1/2 gives 127/64 (a saddle value)
    X = fmpq_mat([[1, 0], [0, 1]])
    Y = fmpq_mat(2, 2, [fmpq(15, 8), 0, 0, fmpq(1, 2)])
    spectrum = regularized_spectrum(X, Y, [Fraction(7, 8)] * 3, (2, 2, 2, 2))
    assert decide_global(spectrum, Fraction(233, 128)).is_global is True
    assert decide_global(spectrum, Fraction(127, 64)).is_global is False


def test_not_whitened_data_have_no_closed_form():
    assert regularized_spectrum(fmpq_mat([[1, 0], [0, 2]]), fmpq_mat([[1, 0], [0, 1]]), [1, 1], (2, 2, 2)) is None
