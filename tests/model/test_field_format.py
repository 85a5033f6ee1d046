"""Point files over a number field (exactdln/model/field_format.py and the loader's "field" hook): the
format is read into plain Fractions; errors name the field. Expected values are the file's own numbers."""

from __future__ import annotations

import json
from fractions import Fraction as F

import pytest

from exactdln.model.field_format import AlgebraicProblem, algebraic_point_from_mapping, parse_entry, parse_field
from exactdln.model.problem import InputError, load_point, point_from_mapping

GOLDEN_POINT = {
    "field": {"minpoly": [-1, -1, 1], "interval": [1, 2]},
    "X": [[1, 0], [0, 1]],
    "Y": [[1, 1], [0, 1]],
    "weights": [[["2/5", "1/5"]], [["1"], [["-1", "1"]]]],
}


def test_reads_entries_as_coefficient_tuples():
    problem, weights = algebraic_point_from_mapping(GOLDEN_POINT)
    assert isinstance(problem, AlgebraicProblem)
    assert problem.field.minpoly == (F(-1), F(-1), F(1)) and problem.field.interval == (F(1), F(2))
    assert problem.X.rows[0] == ((F(1), F(0)), (F(0), F(0)))
    assert weights[0].rows[0] == ((F(2, 5), F(0)), (F(1, 5), F(0)))
    assert weights[1].rows[1] == ((F(-1), F(1)),)                 # -1 + theta
    assert problem.X.is_rational() and not weights[1].is_rational()
    assert not problem.regularized
    assert problem.to_json()["field"] == {"minpoly": ["-1", "-1", "1"], "interval": ["1", "2"]}


def test_loader_reads_fields_only_when_asked(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps(GOLDEN_POINT))
    problem, weights = load_point(path, fields=algebraic_point_from_mapping)
    assert isinstance(problem, AlgebraicProblem) and len(weights) == 2
    with pytest.raises(InputError) as err:
        load_point(path)
    assert err.value.field == "field"
    with pytest.raises(InputError):
        point_from_mapping(GOLDEN_POINT)


@pytest.mark.parametrize("field, where", [
    ({"minpoly": [-1, -1, 1]}, "field.interval"),
    ({"minpoly": [1], "interval": [0, 1]}, "field.minpoly"),
    ({"minpoly": [-1, 1, 0], "interval": [0, 1]}, "field.minpoly"),     # leading zero
    ({"minpoly": [-1, -1, 1], "interval": [2, 1]}, "field.interval"),
    ({"minpoly": [-1, -1, 1], "interval": [1]}, "field.interval"),
    ({"minpoly": [-1, -1, 1], "interval": [1, 2], "other": 1}, "field"),
    ({"minpoly": [-1, 0.5, 1], "interval": [1, 2]}, "field.minpoly[1]"),  # a binary float is not exact
    ([1, 2], "field"),
])
def test_bad_field_declarations(field, where):
    with pytest.raises(InputError) as err:
        parse_field(field)
    assert err.value.field == where


def test_entry_of_the_wrong_length_is_named():
    with pytest.raises(InputError) as err:
        parse_entry(["1", "2", "3"], 2, "weights[0][0][1]")
    assert err.value.field == "weights[0][0][1]"
    bad = dict(GOLDEN_POINT, Y=[[1, [1, 2, 3]], [0, 1]])
    with pytest.raises(InputError) as err:
        algebraic_point_from_mapping(bad)
    assert err.value.field == "Y[0][1]"
    assert parse_entry("3/4", 3, "x") == (F(3, 4), F(0), F(0))


def test_shapes_are_checked():
    bad = dict(GOLDEN_POINT, weights=[[["1", "0"]], [["1", "0"]]])
    with pytest.raises(InputError) as err:
        algebraic_point_from_mapping(bad)
    assert err.value.field == "weights[1]"


# --- the string form of entries ----------------------------------------------------------------------------

PHI2 = (F(-1), F(-1), F(1))        # t^2 = t + 1


@pytest.mark.parametrize("text, coefficients", [
    ("3/2*t^2 - t + 1", (F(5, 2), F(1, 2))),      # 3/2 (t + 1) - t + 1
    ("t", (F(0), F(1))), ("-t", (F(0), F(-1))), ("7/3", (F(7, 3), F(0))),
    ("t^3", (F(1), F(2))),                        # t^3 = t t^2 = t^2 + t = 2t + 1
    ("t*t/2", (F(1, 2), F(1, 2))), ("1.5*t - 0.25", (F(-1, 4), F(3, 2))), ("- -t", (F(0), F(1))),
    ("t^0 + 2*t^1", (F(1), F(2))), ("t^2 - t - 1", (F(0), F(0))),
])
def test_string_entries_are_polynomials_in_theta(text, coefficients):
    from exactdln.model.field_format import parse_polynomial_text

    assert parse_polynomial_text(text, PHI2, "X[0][0]") == coefficients


@pytest.mark.parametrize("text", ["3 t", "t/t", "t^-1", "t^", "2**t", "t + ", "exp(t)", "t^99999", "1/0*t",
                                  "__import__('os')*t"])
def test_malformed_string_entries_name_the_entry(text):
    data = json.loads(json.dumps(GOLDEN_POINT))
    data["weights"][1][1][0] = text
    with pytest.raises(InputError) as err:
        algebraic_point_from_mapping(data)
    assert err.value.field == "weights[1][1][0]"


def test_string_entries_in_a_point_file(tmp_path):
    """The golden point with W_2 = (1, -1 + t) written as strings reads as the coefficient form."""
    import subprocess
    import sys

    data = json.loads(json.dumps(GOLDEN_POINT))
    data["weights"][1] = [["1"], ["t - 1"]]
    problem, weights = algebraic_point_from_mapping(data)
    assert weights[1].rows[1] == ((F(-1), F(1)),)
    data["weights"][1] = [["1"], ["t -- 1)"]]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    out = subprocess.run([sys.executable, "-m", "exactdln", "classify", str(path)], capture_output=True, text=True)
    assert out.returncode == 2 and "weights[1][1][0]" in out.stderr
