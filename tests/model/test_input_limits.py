"""Caps on point files checked before the work (README, "Input limits"): bounded JSON reading.

Expected values come from the files' construction: a number of k digits is 10^(k-1) exactly, a
duplicate key or a null is refused naming it, nesting and counts are refused before json parses.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exactdln.model.problem import (
    InputError,
    Limits,
    int_from_digits,
    int_text,
    load_point,
    load_point_text,
    read_json_text,
)

GOOD = {"X": [["1", "0"], ["0", "1"]], "Y": [["2", "0"], ["0", "1"]], "weights": [[["0", "1"]], [["0"], ["1"]]]}


def _with_x00(value_json: str) -> str:
    return json.dumps(GOOD).replace('"X": [["1"', f'"X": [[{value_json}', 1)


@pytest.mark.parametrize("digits", [4300, 4301, 4999, 5000])
def test_integers_up_to_the_cap_are_exact_beyond_pythons_digit_limit(digits):
    text = "1" + "0" * (digits - 1)
    for raw in (json.dumps(text), text):                         # a string and a JSON integer literal
        problem, _ = load_point_text(_with_x00(raw))
        assert problem.X[0, 0] == Fraction(10) ** (digits - 1)


@pytest.mark.parametrize("text, value", [("1e4300", Fraction(10) ** 4300), ("1e-5000", Fraction(1, 10**5000)),
                                         ("2.5e4999", Fraction(25) * Fraction(10) ** 4998)])
def test_exponents_at_the_edge_are_exact(text, value):
    for raw in (json.dumps(text), text):
        problem, _ = load_point_text(_with_x00(raw))
        assert problem.X[0, 0] == value


def test_long_integers_round_trip_through_text():
    for n in (0, -7, 10**4299, 10**4300, -(3**20000), 7**9000):
        assert int_from_digits(int_text(n)) == n


@pytest.mark.parametrize("key", ["X", "Y", "weights"])
def test_duplicate_key_is_refused(key):
    text = json.dumps(GOOD).replace(f'"{key}"', f'"{key}": {json.dumps(GOOD[key])}, "{key}"', 1)
    with pytest.raises(InputError, match="duplicate key"):
        load_point_text(text, "p.json")


def test_duplicate_key_inside_a_nested_object_is_refused():
    with pytest.raises(InputError, match="duplicate key 'a'"):
        read_json_text('{"x": [{"a": 1, "a": 2}]}')


def test_null_lambda_is_refused_missing_lambda_is_zero():
    with pytest.raises(InputError) as err:
        load_point_text(json.dumps(dict(GOOD, **{"lambda": None})), "p.json")
    assert err.value.field == "lambda" and "null" in str(err.value)
    problem, _ = load_point_text(json.dumps(GOOD))
    assert not problem.regularized


def test_nesting_is_refused_before_parsing():
    limits = Limits(max_nesting=6)
    read_json_text("[" * 6 + "]" * 6, None, limits)
    with pytest.raises(InputError, match="nested deeper than 6"):
        read_json_text("[" * 7 + "]" * 7, None, limits)
    with pytest.raises(InputError, match="nested deeper than 32"):
        load_point_text(_with_x00("[" * 1000 + "]" * 1000), "p.json")


def test_brackets_inside_strings_do_not_count():
    read_json_text(json.dumps({"a": "[" * 100, "b": "\\\"[[[[" * 40}), None, Limits(max_nesting=3))


def test_number_count_is_refused_before_parsing():
    limits = Limits(max_entries=10)
    read_json_text("[" + ",".join(["0"] * 10) + "]", None, limits)
    with pytest.raises(InputError, match="more than 10 numbers"):
        read_json_text("[" + ",".join(["0"] * 13) + "]", None, limits)     # 12 commas - 1 container > 10


def test_a_family_file_given_as_a_point_names_parameters(tmp_path):
    path = tmp_path / "f.json"
    path.write_text(json.dumps(dict(GOOD, parameters={"a": "real"})))
    with pytest.raises(InputError) as err:
        load_point(path)
    assert err.value.field == "parameters"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='ab"[],:\\ 0123456789' + "x" * 5, max_size=400))
def test_strings_are_blanked_as_by_splitting_on_quotes(text):
    """The skeleton the caps are counted on: the pieces outside quotes joined by "" (the definition, with str.split),
    whichever of the two ways (long strings: a loop of finds; many short ones: the split itself) computes it."""
    from exactdln.model.problem import _without_strings

    expected = '""'.join(text.split('"')[0::2])
    assert _without_strings(text) == expected
    padded = text.replace('"', '"' + "y" * 100)          # few quotes per character: the loop
    assert _without_strings(padded) == '""'.join(padded.split('"')[0::2])
