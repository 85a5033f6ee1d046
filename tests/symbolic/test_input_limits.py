"""Family files under caps checked before the work (README, "Input limits"; exactdln/symbolic/parser.py).

Sizes are predicted from the operands before an operation runs: the expected refusals follow from
the binomial term counts, C(n+2, 2) monomials of degree n in three symbols, and from the degree caps.
"""

from __future__ import annotations

import json
import re

import pytest
import sympy
from sympy import QQ

from exactdln.model.problem import InputError
from exactdln.symbolic.family import family_from_mapping, load_family
from exactdln.symbolic.parser import ParserLimits, parse_entry, poly_size, predicted_size

a, b, c = sympy.symbols("a b c")
K = QQ.frac_field(a, b, c)
GENS = dict(zip("abc", K.gens))
BASE = {"X": [["1", "0"], ["0", "1"]], "Y": [["3", "0"], ["0", "1"]],
        "weights": [[["a", "0"], ["0", "0"]], [["1", "0"], ["0", "b"]]], "parameters": {"a": "nonzero", "b": "positive"}}


def parse(text: str, limits: ParserLimits = ParserLimits()):
    return parse_entry(text, K, GENS, "w", limits)


@pytest.mark.parametrize("text, cap", [("(a+b+c)^64", "degree"), ("a^64*b^64*a^64", "degree"),
                                       ("(a+b)^32*(a-b)^32", "degree"), ("(1e200*a+1)^20", "digits"),
                                       ("(a+b+c+1)^30", "terms")])
def test_expansions_beyond_the_caps_are_refused_before_expanding(text, cap):
    with pytest.raises(InputError, match=cap):
        parse(text)


def test_term_cap_uses_the_monomial_count():
    # (a+b+c)^n has C(n+2, 2) terms: 496 for n = 30, 528 for n = 31 (cap 500)
    assert len(parse("(a+b+c)^30").numer) == 496
    with pytest.raises(InputError, match="terms"):
        parse("(a+b+c)^31")


def test_predicted_size_bounds_the_actual_size():
    for x, y in [("(a+b)^3", "(a-c)^2"), ("a^2+b", "1/(a+1)"), ("3/4*a*b", "(b+c)^4")]:
        p, q = parse(x).numer, parse(y).numer
        actual, bound = poly_size(p * q), predicted_size("*", poly_size(p), poly_size(q))
        assert actual.total <= bound.total and actual.terms <= bound.terms and actual.bits <= bound.bits
        actual, bound = poly_size(p + q), predicted_size("+", poly_size(p), poly_size(q))
        assert actual.total <= bound.total and actual.terms <= bound.terms


@pytest.mark.parametrize("text, message", [("0^0", "0^0"), ("0^(-1)", "negative power"), ("a/(b-b)", "identically zero")])
def test_undefined_expressions(text, message):
    with pytest.raises(InputError, match=re.escape(message)):
        parse(text)


def test_negative_lambda_is_refused():
    with pytest.raises(InputError, match="nonnegative"):
        family_from_mapping(dict(BASE, **{"lambda": "-1/2"}))
    with pytest.raises(InputError, match="nonnegative"):
        family_from_mapping(dict(BASE, **{"lambda": "a"}))            # a nonzero: may be negative
    assert family_from_mapping(dict(BASE, **{"lambda": "a^2 + b"})).regularized   # >= 0 for every a, b > 0


def test_null_lambda_is_refused():
    with pytest.raises(InputError, match="null"):
        family_from_mapping(dict(BASE, **{"lambda": None}))


@pytest.mark.parametrize("declared, field", [([["a", "nonzero"], ["b", "real"]], "parameters[0]"),
                                             (["a", "a"], "parameters"), ({"a": None}, "parameters.a")])
def test_malformed_parameters_name_the_field(declared, field):
    with pytest.raises(InputError) as err:
        family_from_mapping(dict(BASE, parameters=declared))
    assert err.value.field == field


def test_duplicate_keys_in_a_family_file(tmp_path):
    path = tmp_path / "f.json"
    path.write_text(json.dumps(BASE).replace('"parameters": {"a"', '"parameters": {"a": "real", "a"', 1))
    with pytest.raises(InputError, match="duplicate key 'a'"):
        load_family(path)


def test_chain_degree_cap():
    # four layers of degree-20 entries: 80 > 64
    fam = {"X": [["1"]], "Y": [["1"]], "weights": [[["a^20"]]] * 4, "parameters": {"a": "real"}}
    with pytest.raises(InputError, match="64"):
        family_from_mapping(fam)
