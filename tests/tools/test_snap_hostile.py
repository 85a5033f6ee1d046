"""Hostile inputs for `exactdln snap` found by fuzzing: out-of-reach input gives "not snapped" (exit 1) with the
reason, never an internal error (exit 4). Exit codes: exactdln/cli/commands/_contract.py."""
import json
from fractions import Fraction

import numpy as np
import pytest

from exactdln.cli import main
from exactdln.cli.commands._contract import EXIT_NEGATIVE
from exactdln.model.problem import Problem
from exactdln.tools.snap_algebraic import nearest_critical_point, relative_frobenius_distance

# A weight entry 1e246: summing squares overflowed to inf, inf / inf made the relative distance NaN, and NaN
# passed the "> tolerance" test with no candidate within it.
HUGE_WEIGHT = {
    "X": [["-2", "0", "2", "1"], ["-3", "0", "-1", "-1"], ["0", "12.812023", "-2", "4/3"]],
    "Y": [["-1", "3/2", "0", "0"], ["0", "0", "0", "4"], ["1", "0", "-2", "-3/2"]],
    "weights": [[["1", "1e246", "-3"], ["1", "-3", "-4"], ["4", "1", "0"]], [["3", "-4", "0"], ["0", "2/3", "0"]],
                [["2", "0"], ["3", "0"], ["-2", "-4"]], [["2", "0", "0"], ["-4/3", "2/3", "-1"], ["1/3", "0", "2"]]],
}

# Y has an entry 8.36e-4538 (read exactly: a denominator of ~15000 bits), so the numeric guess of the field of
# the fitted set needs more than the precision cap.
TINY_DATA = {
    "X": [["1", "2", "0"], ["-2/3", "0", "3/2"]],
    "Y": [["-3", "-3/2", "8.36e-4538"], ["-1", "-4", "1"]],
    "weights": [[["-2", "-2/3"], ["0", "0"]], [["0", "-4/3"], ["2", "0"]]],
}


def _write(tmp_path, point):
    path = tmp_path / "point.json"
    path.write_text(json.dumps(point))
    return str(path)


@pytest.mark.parametrize("command", [["snap"], ["classify", "--snap"]])
def test_huge_weight_is_not_snapped(tmp_path, capsys, command):
    # ||W|| >= 1e246 while every critical point of this data has weights of moderate size: far from critical.
    assert main(command + [_write(tmp_path, HUGE_WEIGHT)]) == EXIT_NEGATIVE
    out = capsys.readouterr().out
    assert "not snapped" in out
    assert "not that close to a critical point" in out


@pytest.mark.parametrize("command", [["snap"], ["classify", "--snap"]])
def test_field_guess_beyond_precision_cap_is_not_snapped(tmp_path, capsys, command):
    assert main(command + [_write(tmp_path, TINY_DATA)]) == EXIT_NEGATIVE
    out = capsys.readouterr().out
    assert "not snapped" in out
    assert "did not converge" in out


def test_nearest_critical_point_reports_the_precision_cap():
    # The path of `exactdln trace` (exactdln/tools/trace.py): no point, the reason in the notes.
    problem = Problem.create(TINY_DATA["X"], TINY_DATA["Y"], 0)
    weights = [np.array([[float(Fraction(x)) for x in row] for row in w]) for w in TINY_DATA["weights"]]
    near = nearest_critical_point(problem, weights)
    assert near.point is None
    assert any("did not converge" in note for note in near.notes)


def test_relative_distance_never_nan_for_huge_entries():
    # ||(1e300, 1e300) - (0, 0)|| = sqrt(2) * 1e300 over ||(0, 0)|| with scale 1e300: sqrt(2), by hand.
    d, rel = relative_frobenius_distance([np.array([[1e300, 1e300]])], [np.zeros((1, 2))], 1e300)
    assert d == pytest.approx(2 ** 0.5 * 1e300)
    assert rel == pytest.approx(2 ** 0.5)
    # Entries 1e246: the distance 1e246 relative to ||W_float|| = 1e246 is 1, not NaN.
    d, rel = relative_frobenius_distance([np.zeros((1, 2))], [np.array([[1e246, 0.0]])])
    assert rel == pytest.approx(1.0)
    # A difference beyond float64's range is an infinite distance, never NaN.
    d, rel = relative_frobenius_distance([np.array([[-1.7e308]])], [np.array([[1.7e308]])])
    assert d == float("inf") and rel == float("inf")


def test_a_subnormal_weight_is_snapped_or_refused_without_an_internal_error(tmp_path, capsys):
    """Fuzz input 44608 (an .npz, `classify --snap --floats binary`): W_1 = [[5e-324]], the smallest subnormal. The
    rounding step 10^(e - digits) underflowed to 0.0 and divided by zero (exit 4). With the step an exact rational the
    answer is a documented exit code."""
    path = tmp_path / "subnormal.npz"
    np.savez(path, X=np.array([[2.0, -1.0, -2.0, -6.0]]), Y=np.array([[-5 / 3, 1.0, -4.0, -0.25]]),
             W1=np.array([[5e-324]]), W2=np.array([[2.0]]), **{"lambda": np.array(0.0)})
    code = main(["classify", "--snap", "--floats", "binary", str(path)])
    assert code in (0, EXIT_NEGATIVE), capsys.readouterr().err
    assert "internal error" not in capsys.readouterr().err


def test_snap_json_over_a_field_with_a_lambda_of_thousands_of_digits(tmp_path):
    """Fuzz seed 5003, input 7049: lambda = 3.45e-4787 over a number field. `snap --json` wrote the point's lambda
    with str(), which Python refuses beyond 4,300 digits (exit 4 in a real process). A real process, because the
    limit is the interpreter's default there."""
    import subprocess
    import sys

    point = {"X": [["-3/2", "0", "1"]], "Y": [["1/2", "-4", "-2/3"], ["-2", "0", "0"]],
             "weights": [[["3"], ["0"], ["-2/3"]], [["0", "4", "-1"], ["1", "-3", "2"]]], "lambda": "3.45e-4787"}
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(point))
    done = subprocess.run([sys.executable, "-m", "exactdln", "--timeout", "60", "snap", "--json", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, EXIT_NEGATIVE), done.stderr
    assert "internal error" not in done.stderr
