"""`exactdln trace` and `exactdln gd --trajectory`: record a run, find its staircase, certify and draw it.

The data are X = I, Y = diag(3, 1) (widths [2, 2, 2]): Sigma = Y Y^T = diag(9, 1), so the critical values are,
by hand, ||Y||^2 / 2 = 5 at W = 0 (S = {}), (10 - 9) / 2 = 1/2 fitting the top direction (S = {1}) and 0 at the
global minimum (S = {1, 2}) (docs/maths/classification.md §2). A start of scale 10^-6 makes gradient descent
sit near each (Saxe, McClelland, Ganguli 2014). W = 0 and the S = {1} point are strict saddles (a negative
curvature along the unfitted direction, no bottleneck), the last point a global minimizer.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from exactdln.cli import main
from tests.support import ROOT

STAIRCASE = [(Fraction(5), (), "strict_saddle"), (Fraction(1, 2), (1,), "strict_saddle"),
             (Fraction(0), (1, 2), "global_minimizer")]


@pytest.fixture
def run(tmp_path, capsys):
    data = tmp_path / "data.json"
    data.write_text(json.dumps({"X": [[1, 0], [0, 1]], "Y": [[3, 0], [0, 1]]}))
    path = tmp_path / "run.npz"
    argv = ["gd", str(data), "--init-scale", "1e-6", "--hidden", "2", "--eta", "0.05", "--steps", "600",
            "--tol", "1e-10", "--trajectory", str(path), "--every", "6", "--no-progress"]
    assert main(argv) == 0
    assert f"trajectory: {path}" in capsys.readouterr().out
    return path


def _lines(text):
    """The JSON Lines of `trace --json`: one object per plateau."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _check_rows(plateaus):
    assert len(plateaus) == len(STAIRCASE)
    for row, (value, fitted, kind) in zip(plateaus, STAIRCASE):
        assert Fraction(row["critical_value"]["exact"]) == value
        assert tuple(row["fitted"]) == fitted and row["kind"] == kind and row["rank"] == len(fitted)
        assert abs(row["float_loss"] - float(value)) < 1e-3
        assert row["distance"] is not None and row["distance"] >= 0
        assert row["tolerance"] == 1e-6 and row["snapped"] == (row["relative_distance"] <= 1e-6)


def test_gd_records_a_trajectory_that_trace_reads(run, capsys):
    with np.load(run) as z:
        assert {"W1", "W2", "steps", "loss", "X", "Y", "lambda"} <= set(z.files)
        assert z["W1"].shape[1:] == (2, 2) and z["W1"].shape[0] == len(z["steps"]) == len(z["loss"])
        assert z["steps"][0] == 0 and np.all(np.diff(z["steps"]) > 0)
    assert main(["trace", "--json", str(run)]) == 0
    lines = _lines(capsys.readouterr().out)
    assert [line["plateau"] for line in lines] == [1, 2, 3]          # one line per plateau, numbered
    assert all(line["file"] == str(run) and line["records"] == lines[0]["records"] for line in lines)
    _check_rows(lines)


def test_json_lines_of_two_runs_and_of_a_run_without_a_plateau(run, tmp_path, capsys):
    # a steady decay without a small gradient at its end: no plateau (the rule of exactdln/tools/plateaus.py),
    # so one line naming the file with plateau null; then the run of the fixture, three lines
    flat = tmp_path / "none.json"
    flat.write_text(json.dumps({"X": [[1]], "Y": [[1]], "steps": [0, 1, 2, 3],
                                "trajectory": [[[[0.5]], [[0.5]]], [[[0.6]], [[0.6]]], [[[0.7]], [[0.7]]],
                                               [[[0.8]], [[0.8]]]]}))
    assert main(["trace", "--json", str(flat)]) == 1
    (line,) = _lines(capsys.readouterr().out)
    assert line["file"] == str(flat) and line["plateau"] is None and line["run_notes"]
    assert main(["trace", "--json", str(run)]) == 0
    lines = _lines(capsys.readouterr().out)
    assert len(lines) == 3 and {"steps", "float_loss", "critical_value", "fitted", "rank", "kind", "distance",
                                "relative_distance", "field_degree", "certificate", "notes"} <= set(lines[0])


def test_tolerance_decides_snapped_and_nothing_else(run, capsys):
    assert main(["trace", "--json", "--tolerance", "1e-15", str(run)]) == 0
    strict = _lines(capsys.readouterr().out)
    assert main(["trace", "--json", "--tolerance", "0.5", str(run)]) == 0
    loose = _lines(capsys.readouterr().out)
    for a, b in zip(strict, loose):          # the same rows and distances; only the verdict on them moves
        assert a["distance"] == b["distance"] and a["critical_value"] == b["critical_value"]
        assert a["snapped"] == (a["relative_distance"] <= 1e-15) and b["snapped"] == (b["relative_distance"] <= 0.5)
    assert main(["trace", "--tolerance", "0", str(run)]) == 2
    capsys.readouterr()


def test_text_output_one_row_per_plateau(run, capsys):
    assert main(["trace", str(run)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "3 plateaus" in out[0]
    assert out[1].split()[:4] == ["#", "steps", "float", "loss"]
    rows = out[2:5]
    assert [r.split()[0] for r in rows] == ["1", "2", "3"]
    assert "strict saddle" in rows[0] and "global minimizer" in rows[2]
    assert "{1, 2}" in rows[2]


def test_the_example_trajectory(capsys):
    assert main(["trace", "--json", str(ROOT / "exactdln" / "examples" / "staircase.json")]) == 0
    _check_rows(_lines(capsys.readouterr().out))


def test_certify_writes_checked_certificates(run, tmp_path, capsys):
    folder = tmp_path / "certs"
    assert main(["trace", "--json", str(run), "--certify", str(folder)]) == 0
    plateaus = _lines(capsys.readouterr().out)
    for row in plateaus:
        point = folder / f"plateau_{row['plateau']}.json"
        assert point.exists()
        assert row["certificate"] == str(folder / f"plateau_{row['plateau']}.cert.json")
        assert main(["check", row["certificate"]]) == 0          # the standalone checker, once more
        capsys.readouterr()
        assert main(["classify", "--json", str(point)]) == 0
        assert json.loads(capsys.readouterr().out)["kind"] == row["kind"]


def test_plot_draws_the_exact_values(run, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out = tmp_path / "staircase.png"
    assert main(["trace", str(run), "--plot", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"plot: {out}" in capsys.readouterr().out


def test_staircase_figure_has_a_line_per_positive_value_and_names_the_rest():
    pytest.importorskip("matplotlib")
    from exactdln.numeric.plots import staircase_figure

    s = np.arange(100.0)
    fig = staircase_figure(s, 5 - 4.5 * (s > 50), [("L = 5", 5.0), ("L = 1/2", 0.5), ("L = 0", 0.0)],
                           grad_norm=np.ones(100), spans=[(0, 40), (60, 99)])
    loss_ax = fig.axes[0]
    heights = sorted(line.get_ydata()[0] for line in loss_ax.get_lines()[1:])
    assert heights == [0.5, 5.0]
    assert any("not on the log axis: L = 0" in t.get_text() for t in loss_ax.texts)
    assert loss_ax.get_yscale() == "log" and len(fig.axes) == 2


@pytest.mark.parametrize("argv", [
    ["gd", "--every", "5", "{data}"],                                   # --every without --trajectory
    ["gd", "--trajectory", "{tmp}/r.npz", "{data}", "{data}"],           # one run only
    ["trace", "{tmp}/absent.npz"],
    ["trace", "--window", "2", "{run}"],
    ["trace", "{data}"],                                                 # a point file, not a run
])
def test_usage_and_input_errors_exit_2(argv, run, tmp_path, capsys):
    data = tmp_path / "data.json"
    argv = [a.format(data=data, tmp=tmp_path, run=run) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"exactdln {argv[0]}: ") and len(err.strip().splitlines()) == 1


def test_a_plateau_without_an_exact_point_is_exit_1(run, capsys, monkeypatch):
    import exactdln.tools.trace as trace_module

    def refuse(problem, ws, degree_cap, classify=True):
        raise ValueError("degree 70 > --degree-cap 64")

    monkeypatch.setattr(trace_module, "_nearest", refuse)
    assert main(["trace", "--json", str(run)]) == 1
    rows = _lines(capsys.readouterr().out)
    assert rows and all(r["critical_value"] is None for r in rows)
    assert "degree 70" in rows[0]["notes"][0]


def test_a_regularized_run_gets_w_zero_on_its_first_plateau(tmp_path, capsys):
    # lambda = 1/10: L(0) = ||Y||^2 / 2 = 5 still, and W = 0 is critical at depth 2; the Hessian there has the
    # eigenvalues lambda -+ sigma_i(Y) (sigma = 3, 1), so 1/10 - 3 < 0: a strict saddle. The other plateaus sit
    # at the closed-form critical points of docs/maths/regularized.md §3 (X X^T = I, depth 2: s_i = y_i - 1/10,
    # value sum of phi(y, s) = (y - s)(y + s)/2 over active pairs and y^2/2 over the others): 159/200 with pair 1
    # active (0.295 + 0.5), 39/100 with both (0.295 + 0.095), the global minimizer.
    data = tmp_path / "reg.json"
    data.write_text(json.dumps({"X": [[1, 0], [0, 1]], "Y": [[3, 0], [0, 1]], "lambda": "1/10"}))
    run = tmp_path / "reg.npz"
    assert main(["gd", str(data), "--init-scale", "1e-6", "--hidden", "2", "--eta", "0.05", "--steps", "600",
                 "--trajectory", str(run), "--every", "6", "--no-progress"]) in (0, 1)
    capsys.readouterr()
    assert main(["trace", "--json", str(run)]) == 0
    rows = _lines(capsys.readouterr().out)
    first = rows[0]
    assert Fraction(first["critical_value"]["exact"]) == 5 and first["fitted"] == []
    assert first["kind"] == "strict_saddle"
    assert [(Fraction(r["critical_value"]["exact"]), r["active_pairs"]) for r in rows[1:]] == [
        (Fraction(159, 200), [1]), (Fraction(39, 100), [1, 2])]
    assert rows[-1]["kind"] == "global_minimizer"


def test_a_saddle_over_a_quadratic_field_is_certified(tmp_path, capsys):
    # generic 2 x 6 data: the eigenvalues of Sigma are conjugate roots of an irreducible quadratic, so the saddle
    # that fits the top direction lies over a quadratic field; its critical value is (||Y||^2 - lambda_1)/2,
    # lambda_1 from numpy's eigvalsh, and a root of the printed minimal polynomial
    X = [[2.0, -2.6, 0.4, -0.6, -0.5, -0.2], [-2.0, -0.2, -0.9, 3.3, 0.2, -0.4]]
    Y = [[1.8, -3.2, 0.2, 0.3, -0.5, -0.4], [-1.8, 0.4, -0.7, 2.5, 0.3, -0.3]]
    data = tmp_path / "data.json"
    data.write_text(json.dumps({"X": X, "Y": Y}))
    run = tmp_path / "run.npz"
    assert main(["gd", str(data), "--init-scale", "0.01", "--hidden", "2,2", "--eta", "0.015", "--steps", "3000",
                 "--trajectory", str(run), "--every", "2", "--no-progress"]) == 0
    capsys.readouterr()
    folder = tmp_path / "certs"
    assert main(["trace", "--json", str(run), "--certify", str(folder)]) == 0
    rows = _lines(capsys.readouterr().out)
    Xa, Ya = np.array(X), np.array(Y)
    top = max(np.linalg.eigvalsh(Ya @ Xa.T @ np.linalg.solve(Xa @ Xa.T, Xa @ Ya.T)))
    saddle = next(r for r in rows if r["fitted"] == [1])
    assert saddle["field_degree"] == 2 and saddle["kind"] == "strict_saddle"
    value = (float(np.sum(Ya * Ya)) - top) / 2
    minpoly = [float(Fraction(c)) for c in saddle["critical_value"]["minpoly"]]
    assert len(minpoly) == 3 and abs(np.polyval(minpoly[::-1], value)) < 1e-9 * max(map(abs, minpoly))
    lo, hi = (Fraction(x) for x in saddle["critical_value"]["interval"])
    assert lo <= Fraction(value) <= hi
    assert saddle["certificate"] and main(["check", saddle["certificate"]]) == 0
