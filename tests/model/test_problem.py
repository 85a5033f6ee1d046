"""Tests of exactdln.model.problem: exact parsing of every accepted form, and a clear InputError for every bad input.

Expected values are the numbers the inputs spell (0.1 is 1/10, "1e-3" is 1/1000) and the issue's requirement that
each error names the file and the field.
"""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
import sympy
from flint import fmpq, fmpq_mat, fmpz_mat

from exactdln.model.problem import (
    InputError,
    Limits,
    Problem,
    RationalMatrix,
    as_matrix,
    as_weights,
    load_point,
    load_point_text,
    parse_number,
    point_from_mapping,
)

GOOD = {"X": [[1, 0], [0, 1]], "Y": [[3, 0], [0, 1]], "weights": [[[1, 0], [0, 1]], [[1, 0], [0, 1]]]}


def point(**changes):
    data = json.loads(json.dumps(GOOD))
    data.update(changes)
    return data


def write(tmp_path, text, name="point.json"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text if isinstance(text, str) else json.dumps(text), encoding="utf-8")
    return path


def expect_error(tmp_path, content, field, *, limits=None, message=None):
    """Load ``content`` from a file; the InputError must name the file and (when given) the field."""
    path = write(tmp_path, content)
    with pytest.raises(InputError) as info:
        load_point(path, limits) if limits else load_point(path)
    err = info.value
    assert err.source == str(path)
    assert str(path) in str(err)
    if field is not None:
        assert err.field == field, str(err)
        assert field in str(err)
    if message is not None:
        assert message in str(err).lower()
    return err


# --- bad input, each naming the file and the field -------------------------------------------------------------

def test_ragged_rows(tmp_path):
    expect_error(tmp_path, point(X=[[1, 0], [0]]), "X", message="ragged")


def test_shape_mismatch_between_layers(tmp_path):
    # W_2 has 3 columns but W_1 has 2 rows
    expect_error(tmp_path, point(weights=[[[1, 0], [0, 1]], [[1, 0, 0], [0, 1, 0]]]), "weights[1]")


def test_w1_against_x(tmp_path):
    expect_error(tmp_path, point(weights=[[[1, 0, 0], [0, 1, 0]], [[1, 0], [0, 1]]]), "weights[0]")


def test_wh_against_y(tmp_path):
    expect_error(tmp_path, point(weights=[[[1, 0], [0, 1]], [[1, 0], [0, 1], [1, 1]]]), "weights[1]")


def test_x_against_y_samples(tmp_path):
    expect_error(tmp_path, point(Y=[[3, 0, 1], [0, 1, 1]]), "Y", message="samples")


@pytest.mark.parametrize("text", ["NaN", "nan", "Infinity", "-Infinity", "inf", "-inf", "+INF"])
def test_non_finite_strings(tmp_path, text):
    expect_error(tmp_path, point(X=[[1, text], [0, 1]]), "X[0][1]", message="finite")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_json_literals_name_the_field(tmp_path, literal):
    text = '{"X": [[1, %s], [0, 1]], "Y": [[3, 0], [0, 1]], "weights": [[[1, 0], [0, 1]]]}' % literal
    expect_error(tmp_path, text, "X[0][1]")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_json_literals_are_refused(tmp_path, literal):
    text = '{"X": [[1, %s], [0, 1]], "Y": [[3, 0], [0, 1]], "weights": [[[1, 0], [0, 1]]]}' % literal
    expect_error(tmp_path, text, None, message="finite")


@pytest.mark.parametrize("text", ["1/0", "abc", "1e", "--1", "0x10", "1/2/3", "1.2.3", "", " ", "1_000", "½", "e5",
                                  "1 2", "3/-4", "1/2.5", "."])
def test_malformed_numbers(tmp_path, text):
    expect_error(tmp_path, point(Y=[[3, 0], [0, text]]), "Y[1][1]")


@pytest.mark.parametrize("value", [True, False, None, {"a": 1}])
def test_non_numbers_in_a_matrix(tmp_path, value):
    expect_error(tmp_path, point(weights=[[[1, 0], [0, value]], [[1, 0], [0, 1]]]), "weights[0][1][1]")


def test_booleans_from_python():
    with pytest.raises(InputError) as info:
        Problem.create([[True]], [[1]])
    assert info.value.field == "X[0][0]"


@pytest.mark.parametrize("value", [0.1, 0.5, 1.0, float("nan"), float("inf")])
def test_binary_floats_from_python_are_refused(value):
    with pytest.raises(InputError) as info:
        Problem.create([[1, value]], [[1, 1]])
    assert info.value.field == "X[0][1]"


def test_float_numpy_array_refused():
    with pytest.raises(InputError) as info:
        as_matrix(np.array([[0.5, 1.0]]), "X")
    assert info.value.field == "X"


@pytest.mark.parametrize("matrix, field", [([], "X"), ([[]], "X"), ([[], []], "X")])
def test_empty_matrix(tmp_path, matrix, field):
    expect_error(tmp_path, point(X=matrix), field, message="empty")


def test_no_weights(tmp_path):
    expect_error(tmp_path, point(weights=[]), "weights")


def test_weights_not_a_list(tmp_path):
    expect_error(tmp_path, point(weights="W"), "weights")


def test_file_too_large(tmp_path):
    err = expect_error(tmp_path, GOOD, None, limits=Limits(max_file_bytes=20))
    assert "20" in str(err)


def test_text_too_large():
    with pytest.raises(InputError):
        load_point_text(json.dumps(GOOD), "s.json", Limits(max_file_bytes=20))


@pytest.mark.parametrize("text", ["1" * 6000, "1/" + "7" * 6000, "0." + "1" * 6000, "1" * 6000 + "e2"])
def test_absurd_digit_counts_in_strings(tmp_path, text):
    expect_error(tmp_path, point(X=[[text, 0], [0, 1]]), "X[0][0]", message="digits")


@pytest.mark.parametrize("text", ["1e999999999", "1e-999999999", "1e5001", "2.5E-99999999999999999999"])
def test_absurd_exponents(tmp_path, text):
    expect_error(tmp_path, point(X=[[text, 0], [0, 1]]), "X[0][0]", message="exponent")


def test_absurd_json_float_exponent(tmp_path):
    text = '{"X": [[1e999999999, 0], [0, 1]], "Y": [[3, 0], [0, 1]], "weights": [[[1, 0], [0, 1]]]}'
    expect_error(tmp_path, text, "X[0][0]")


def test_absurd_json_integer_is_refused(tmp_path):
    text = '{"X": [[1%s, 0], [0, 1]], "Y": [[3, 0], [0, 1]], "weights": [[[1, 0], [0, 1]]]}' % ("0" * 6000)
    expect_error(tmp_path, text, None, message="digits")


def test_absurd_json_integer_names_the_field(tmp_path):
    text = '{"X": [[1%s, 0], [0, 1]], "Y": [[3, 0], [0, 1]], "weights": [[[1, 0], [0, 1]]]}' % ("0" * 6000)
    expect_error(tmp_path, text, "X[0][0]")


def test_deep_nesting(tmp_path):
    expect_error(tmp_path, "[" * 200000 + "]" * 200000, None)


def test_nested_too_deep_inside_a_matrix(tmp_path):
    expect_error(tmp_path, point(X=[[[1], 0], [0, 1]]), "X[0][0]")


def test_not_utf8(tmp_path):
    expect_error(tmp_path, b'{"X": [[1]], "Y": [[1]], "weights": [[[\xff\xfe]]]}', None, message="utf-8")


def test_not_json(tmp_path):
    expect_error(tmp_path, '{"X": [[1, 2]', None, message="json")


def test_not_an_object(tmp_path):
    expect_error(tmp_path, [1, 2, 3], None)


@pytest.mark.parametrize("key", ["X", "Y", "weights"])
def test_missing_keys(tmp_path, key):
    data = point()
    del data[key]
    expect_error(tmp_path, data, key, message="missing")


@pytest.mark.parametrize("lam, field", [("-1", "lambda"), (-1, "lambda"), ("-1/3", "lambda"),
                                        (["1", "-2"], "lambda[1]")])
def test_negative_lambda(tmp_path, lam, field):
    expect_error(tmp_path, point(**{"lambda": lam}), field, message="nonnegative")


@pytest.mark.parametrize("lam", [["1", "2", "3"], ["1"] * 5])
def test_lambda_list_of_wrong_length(tmp_path, lam):
    expect_error(tmp_path, point(**{"lambda": lam}), "lambda")


def test_empty_lambda_list(tmp_path):
    expect_error(tmp_path, point(**{"lambda": []}), "lambda")


def test_missing_file(tmp_path):
    with pytest.raises(InputError) as info:
        load_point(tmp_path / "nope.json")
    assert str(tmp_path / "nope.json") in str(info.value)


# --- accepted forms, read exactly --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("12", Fraction(12)), ("-3/4", Fraction(-3, 4)), (" 6/8 ", Fraction(3, 4)), ("0.125", Fraction(1, 8)),
    ("1e-3", Fraction(1, 1000)), ("-2.5E+2", Fraction(-250)), (".5", Fraction(1, 2)), ("5.", Fraction(5)),
    ("+7", Fraction(7)), ("0.1", Fraction(1, 10)), ("1e3", Fraction(1000)), ("-0", Fraction(0)),
])
def test_number_strings(text, value):
    assert parse_number(text) == value


def test_json_non_integer_numbers_read_exactly(tmp_path):
    text = ('{"X": [[0.1, 0], [0, 1e-3]], "Y": [[3.25, 0], [0, 1E2]], '
            '"weights": [[[0.3, 0], [0, 1]]], "lambda": 0.2}')
    problem, weights = load_point(write(tmp_path, text))
    assert problem.X[0, 0] == Fraction(1, 10)          # not the binary float 0.1000000000000000055...
    assert problem.X[1, 1] == Fraction(1, 1000)
    assert problem.Y[0, 0] == Fraction(13, 4)
    assert problem.Y[1, 1] == 100
    assert weights[0][0, 0] == Fraction(3, 10)
    assert problem.lambdas == (Fraction(1, 5),)


def test_json_integers_and_strings(tmp_path):
    problem, weights = load_point(write(tmp_path, point(X=[["1/3", 2], ["-0.5", "7"]], **{"lambda": "1/2"})))
    assert problem.X.rows == ((Fraction(1, 3), Fraction(2)), (Fraction(-1, 2), Fraction(7)))
    assert problem.lambdas == (Fraction(1, 2),)
    assert len(weights) == 2


def test_lambda_defaults_to_zero_and_per_layer_list(tmp_path):
    problem, _ = load_point(write(tmp_path, GOOD))
    assert not problem.regularized and problem.layer_lambdas(2) == (0, 0)
    problem, _ = load_point(write(tmp_path, point(**{"lambda": ["1", "1/2"]})))
    assert problem.layer_lambdas(2) == (1, Fraction(1, 2))


def test_large_but_allowed_numbers(tmp_path):
    big = "9" * 4000
    problem, _ = load_point(write(tmp_path, point(X=[[big + "/7", 0], [0, "1e4000"]])))
    assert problem.X[0, 0] == Fraction(int(big), 7)
    assert problem.X[1, 1] == 10**4000


EXPECTED = RationalMatrix(((Fraction(1), Fraction(-1, 2)), (Fraction(3), Fraction(0))))


@pytest.mark.parametrize("value", [
    [[1, Fraction(-1, 2)], [3, 0]],
    [["1", "-1/2"], ["3", "0"]],
    [["1.0", "-0.5"], ["3e0", "0/5"]],
    [[sympy.Integer(1), sympy.Rational(-1, 2)], [sympy.Integer(3), sympy.Integer(0)]],
    sympy.Matrix([[1, sympy.Rational(-1, 2)], [3, 0]]),
    fmpq_mat(2, 2, [1, fmpq(-1, 2), 3, 0]),
    ((1, Fraction(-1, 2)), (3, 0)),
    np.array([[1, Fraction(-1, 2)], [3, 0]], dtype=object),
    [[np.int64(1), Fraction(-1, 2)], [np.int32(3), np.uint8(0)]],
])
def test_accepted_matrix_forms(value):
    assert as_matrix(value) == EXPECTED


def test_numpy_integer_array_and_fmpz_mat():
    expected = RationalMatrix(((Fraction(1), Fraction(2)), (Fraction(-3), Fraction(4))))
    assert as_matrix(np.array([[1, 2], [-3, 4]], dtype=np.int64)) == expected
    assert as_matrix(fmpz_mat(2, 2, [1, 2, -3, 4])) == expected


def test_sympy_irrational_refused():
    with pytest.raises(InputError):
        parse_number(sympy.sqrt(2), "x")


def test_problem_create_and_point_from_mapping_agree(tmp_path):
    p1 = Problem.create(GOOD["X"], GOOD["Y"], "1/3")
    p2, ws = point_from_mapping(point(**{"lambda": "1/3"}))
    assert p1 == p2
    assert ws == as_weights(GOOD["weights"])


def test_python_strings_never_evaluated():
    for text in ["__import__('os').getcwd()", "2**10", "1+1", "sqrt(2)", "Rational(1,2)"]:
        with pytest.raises(InputError):
            parse_number(text, "x")
