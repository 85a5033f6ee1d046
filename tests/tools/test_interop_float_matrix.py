"""exactdln/tools/float_arrays.py: the one reader of float weight matrices behind ``snap``'s ``.npz`` reader
(exactdln.tools.snap.load_float_point) and the point-file reader (exactdln.tools.interop.load_point_file).

Expected behaviour comes from the rule, not from the code: a finite real 2-d matrix is kept as the float64 values
written; a complex matrix (whose imaginary parts numpy would drop with a warning), a matrix that is not 2-d, a
non-number entry and a NaN, infinity or number beyond the float64 range are refused, naming the field they came from,
by both readers with the same sentence.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from exactdln.model.problem import InputError
from exactdln.tools.float_arrays import float_matrix
from exactdln.tools.interop import load_point_file
from exactdln.tools.snap import load_float_point


def test_a_finite_real_matrix_is_kept_as_written():
    assert float_matrix([[1, "3/2"], ["0.25", -2.0]], "weights[0]").tolist() == [[1.0, 1.5], [0.25, -2.0]]
    a = np.array([[0.1, 2.0]], dtype=np.float32)
    assert float_matrix(a, "W1").tolist() == [[float(np.float32(0.1)), 2.0]]


@pytest.mark.parametrize("value, words", [
    (np.array([[1.0 + 2.0j]]), "complex entries"),
    (np.zeros(3), "expected a 2-d matrix, got 1-d"),
    (np.zeros((2, 2, 2)), "expected a 2-d matrix, got 3-d"),
    (np.array([[1.0, np.nan]]), "NaN or infinity"),
    (np.array([[np.inf]]), "NaN or infinity"),
    ([[1, 2], [3]], "not a matrix of numbers"),
])
def test_what_is_refused_and_the_field_named(value, words):
    with warnings.catch_warnings():
        warnings.simplefilter("error")                # nothing is cast with a warning on the way to the refusal
        with pytest.raises(InputError) as err:
            float_matrix(value, "weights[1]")
    assert words in str(err.value) and err.value.field == "weights[1]"


@pytest.mark.parametrize("entry, words", [("1e999", "beyond the float64 range"), (10 ** 400, "beyond the float64"),
                                          (True, "not a number"), (None, "not a number")])
def test_a_bad_list_entry_is_named_by_its_position(entry, words):
    with pytest.raises(InputError) as err:
        float_matrix([[0.0, entry]], "weights[0]")
    assert words in str(err.value) and err.value.field == "weights[0][0][1]"


@pytest.mark.parametrize("bad, words", [(np.array([[1.0 + 2.0j], [0.0]]), "complex entries"),
                                        (np.array([[np.nan], [0.0]]), "NaN or infinity")])
def test_both_readers_refuse_alike_each_with_its_own_field_name(tmp_path, bad, words):
    path = tmp_path / "point.npz"
    np.savez(path, X=np.eye(2), Y=np.eye(2), W1=np.zeros((1, 2)), W2=bad)
    with pytest.raises(InputError) as snap_err:
        load_float_point(path)                        # snap names the array of the archive
    with pytest.raises(InputError) as interop_err:
        load_point_file(path, floats="binary", exact_weights=False)   # the point reader names the layer's index
    assert words in str(snap_err.value) and snap_err.value.field == "W2"
    assert words in str(interop_err.value) and interop_err.value.field == "weights[1]"
