"""Factoring the symbolic layer's polynomials (exactdln/symbolic/factoring.py): the factors multiply back to the
polynomial, agree with sympy's factor_list on small inputs, and hundreds-of-digit coefficients stay cheap."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import QQ, ZZ
from sympy.polys.rings import ring

from exactdln.cli import main
from exactdln.symbolic.factoring import factor_list

R, a, b, c = ring("a,b,c", ZZ)
Rq, aq, bq = ring("a,b", QQ)
_MONOMIALS = [R.one, a, b, c, a * b, a * a, b * c]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.lists(st.integers(-3, 3), min_size=7, max_size=7), st.integers(1, 2)),
                min_size=1, max_size=3), st.integers(-6, 6).filter(bool))
def test_factors_multiply_back_and_agree_with_sympy(parts, constant):
    poly = R(constant)
    for coefficients, power in parts:
        poly *= sum((k * m for k, m in zip(coefficients, _MONOMIALS)), R.zero) ** power
    if not poly:
        return
    content, factors = factor_list(poly)
    product = R(content)
    for f, e in factors:
        product *= f ** e
    assert product == poly
    assert (content, factors) == poly.factor_list()


def test_rational_coefficients():
    # (a/3 - b)^2 (a + 1/2) = (1/18) (a - 3b)^2 (2a + 1)
    content, factors = factor_list((aq / 3 - bq) ** 2 * (aq + QQ(1, 2)))
    assert content == QQ(1, 18)
    assert sorted((str(f), e) for f, e in factors) == [("2*a + 1", 1), ("a - 3*b", 2)]


def test_huge_coefficients():
    # (10^200 a + b)(a - b)^2 (3 a^2 + 10^400 b + 7): sympy's Wang algorithm searched primes of this size for minutes
    big = 10**200
    f1, f2, f3 = big * a + b, a - b, 3 * a**2 + big**2 * b + 7
    content, factors = factor_list(-2 * f1 * f2**2 * f3)
    assert content == -2
    assert sorted(factors, key=str) == sorted([(f1, 1), (f2, 2), (f3, 1)], key=str)


def test_factors_of_equal_shape_with_big_coefficients():
    # (2^70 a + 1)(2^70 a + 3): python-flint 0.9 raised OverflowError sorting these fmpz_mpoly factors (a sort key
    # through a C long; fuzz input 9238 gave exit 4); the fmpq_mpoly route factors them
    f1, f2 = 2**70 * a + 1, 2**70 * a + 3
    content, factors = factor_list(-5 * f1 * f2**2)
    assert content == -5
    assert sorted(factors, key=str) == sorted([(f1, 1), (f2, 2)], key=str)


def test_certify_a_family_with_a_1e200_entry(tmp_path):
    # fuzz input (bench/fuzz.py seed 3001, input 715): W_2 has the entry 1e200*a; the certificate is re-checked by
    # the standalone family checker, which factors nothing (exactdln/trusted/checker_family.py)
    family = {"X": [["2", "0"], ["0", "2"]], "Y": [["-1", "1"], ["-1", "-2"]],
              "weights": [[["1/2", "1/2"], ["2", "b"]], [["1/a", "1e200*a"], ["0", "-1"]], [["b^2", "b"], ["b", "b"]]],
              "parameters": {"a": "positive", "b": "negative"}}
    path = tmp_path / "family.json"
    path.write_text(json.dumps(family))
    out = tmp_path / "family.cert.json"
    assert main(["certify", str(path), "-o", str(out)]) == 0
    assert json.loads(out.read_text())["format"] == "exactdln-family-certificate"
