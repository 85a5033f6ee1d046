"""Float64 runs of the gradient dynamics (exactdln.numeric.flows) against closed forms: Saxe's scalar
solution, T1/T3 of docs/maths/gradient_flow.md §3.4, the GD rate of docs/maths/regularized.md §4.4/§8, sublinear
rates where the error bound fails, saddle-to-saddle plateaus, the divergence warning; and the gd, flow and
regularized commands (the figure: tests/numeric/test_plots.py).
"""

from __future__ import annotations

import math
from fractions import Fraction as F

import numpy as np
import pytest

from exactdln.model.problem import Problem
from exactdln.numeric.flows import fit_linear_rate, gradient_descent, gradient_flow, saxe_scalar_solution


# ---------------------------------------------------------------- numerics

def test_saxe_T1_closed_form_values():
    assert saxe_scalar_solution(1.0, 1e-3, 4.0) == pytest.approx(0.7489923252324206, rel=1e-12)
    assert saxe_scalar_solution(1.0, 1e-3, math.log(999) / 2) == pytest.approx(0.5, rel=1e-12)


def test_flow_matches_saxe_scalar():
    """Balanced scalar depth-2 flow from w0 = 1e-3 (w_i = sqrt w0) against Saxe's solution (T1)."""
    pb = Problem.create([[1]], [[1]])
    a = math.sqrt(1e-3)
    t = gradient_flow(pb, [np.array([[a]]), np.array([[a]])], t_end=4.0, dt=1e-3, record_every=1000)
    w = float(t.weights[1][0, 0] * t.weights[0][0, 0])
    assert w == pytest.approx(0.7489923252324206, rel=1e-8)
    assert t.balance_drift.max() < 1e-10


def test_flow_T3_zero_target():
    """y = 0, N = 3, w0 = 1: w(1) = 5^(-3/4) (docs/maths/gradient_flow.md §3.4 T3)."""
    pb = Problem.create([[1]], [[0]])
    t = gradient_flow(pb, [np.array([[1.0]])] * 3, t_end=1.0, dt=1e-3, record_every=1000)
    w = float(t.weights[2][0, 0] * t.weights[1][0, 0] * t.weights[0][0, 0])
    assert w == pytest.approx(0.2990697562442441, rel=1e-8)


def test_gd_rate_matches_hessian_prediction_T1():
    """T1 (y = 3, lambda = 1, eta = 1/10): contraction max(|1 - 2 eta lambda|, |1 - 2 eta (y - lambda)|) = 0.8."""
    pb = Problem.create([[1]], [[3]], 1)
    t = gradient_descent(pb, [np.array([[1.2]]), np.array([[1.5]])], eta=0.1, steps=400)
    assert t.converged
    assert fit_linear_rate(t.steps, t.grad_norm) == pytest.approx(0.8, abs=2e-3)


def test_gd_rate_regularized_depth3():
    """docs/maths/regularized.md §8: L = 3, M = diag(3,2,1), lambda = 0.1, eta = 0.02: rate 1 - 2 eta lambda = 0.996."""
    rng = np.random.default_rng(0)
    pb = Problem.create([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[3, 0, 0], [0, 2, 0], [0, 0, 1]], "0.1")
    W0 = [0.5 * rng.standard_normal((3, 3)) for _ in range(3)]
    t = gradient_descent(pb, W0, eta=0.02, steps=12000, record_every=10)
    assert t.converged
    assert fit_linear_rate(t.steps, t.grad_norm) == pytest.approx(0.996, abs=2e-4)


def test_gd_sublinear_on_degenerate_T2():
    """T2 (y = lambda = 1): grad f = t^3 (1, 1) along the diagonal: no linear rate, ||grad|| ~ k^-3/2."""
    pb = Problem.create([[1]], [[1]], 1)
    t = gradient_descent(pb, [np.array([[0.5]]), np.array([[0.5]])], eta=0.1, steps=20000, record_every=100)
    k, g = t.steps[50:], t.grad_norm[50:]
    slope = np.polyfit(np.log(k), np.log(g), 1)[0]
    assert slope == pytest.approx(-1.5, abs=0.05)


# ---------------------------------------------------------------- commands

def _write(tmp_path, text):
    p = tmp_path / "point.json"
    p.write_text(text)
    return str(p)


def test_gd_and_flow_commands(tmp_path, capsys):
    import json
    from exactdln.cli import main
    f = _write(tmp_path, '{"X": [[1]], "Y": [[3]], "lambda": 1, "weights": [[["1.2"]], [["1.5"]]]}')
    assert main(["gd", "--json", f, "--eta", "0.1", "--steps", "500", "--no-progress"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["final_loss"] == pytest.approx(2.5, abs=1e-10)          # T1 minimum value 5/2
    assert out["rate_per_step"] == pytest.approx(0.8, abs=2e-3)
    assert out["step_size"] == 0.1 and out["final_step"] == int(out["final_step"]) and out["warnings"] == []
    assert main(["flow", "--json", f, "--time", "30", "--dt", "0.01", "--no-progress"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["final_loss"] == pytest.approx(2.5, abs=1e-10)
    # T1's Hessian at the minimizer has eigenvalues 2 lambda = 2 and 2 (y - lambda) = 4 (docs/maths/regularized.md
    # §7): ||grad L|| decays like e^(-2t), a factor e^-2 per unit of time
    assert out["rate_per_unit_time"] == pytest.approx(math.exp(-2), rel=2e-3)
    assert out["dt"] == 0.01 and isinstance(out["final_time"], float)
    assert "linear_rate" not in out and "eta" not in out and "final_step" not in out


def test_commands_bad_input(tmp_path, capsys):
    from exactdln.cli import main
    f = _write(tmp_path, '{"X": [[1]], "Y": [[3]], "weights": [[["x"]], [[1]]]}')
    assert main(["gd", f, "--no-progress"]) == 2
    assert "weights[0][0][0]" in capsys.readouterr().err
    assert main(["regularized", f]) == 2


def test_regularized_command_exit_codes(tmp_path, capsys):
    from exactdln.cli import main
    ok = _write(tmp_path, '{"X": [[1]], "Y": [["15/8"]], "lambda": "7/8", "weights": [[[1]], [[1]], [[1]]]}')
    assert main(["regularized", ok, "--critical-values"]) == 0
    assert "global_minimizer" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text('{"X": [[1]], "Y": [[1]], "lambda": 1, "weights": [[[0]], [[0]]]}')   # T2: EB fails
    assert main(["regularized", str(bad)]) == 1


def test_gd_sublinear_on_degenerate_T5():
    """T5 (M = diag(5,1), lambda = 1, y_2 = lambda): EB fails at the global minimizers; ||grad|| ~ k^-3/2."""
    pb = Problem.create([[1, 0], [0, 1]], [[5, 0], [0, 1]], 1)
    t = gradient_descent(pb, [np.array([[2.2, 0.1], [0.1, 0.5]])] * 2, eta=0.05, steps=60000, record_every=100)
    assert t.loss[-1] == pytest.approx(5.0, abs=1e-6)                  # global value 5 (docs/maths/regularized.md §7 T5)
    slope = np.polyfit(np.log(t.steps[100:]), np.log(t.grad_norm[100:]), 1)[0]
    assert slope == pytest.approx(-1.5, abs=0.05)


def test_saddle_to_saddle_plateaus():
    """Small initialization: the loss pauses at the critical values 1/2 sum_{i > k} s_i^2 of S = [0], [1], [2]
    (docs/maths/gradient_flow.md §2 Saxe, §3.3), here 273/8, 17/8, 1/8 for Y = diag(8, 2, 1/2), X = I, depth 2."""
    pb = Problem.create([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[8, 0, 0], [0, 2, 0], [0, 0, "1/2"]])
    g = np.random.default_rng(0)
    t = gradient_descent(pb, [1e-3 * g.standard_normal((3, 3)) for _ in range(2)], eta=0.01, steps=8000)
    gn, L = t.grad_norm, t.loss
    dips = [L[i] for i in range(1, len(gn) - 1) if gn[i] < gn[i - 1] and gn[i] <= gn[i + 1]]
    expected = [float(F(273, 8)), float(F(17, 8)), float(F(1, 8))]
    assert len(dips) == 3
    for got, want in zip(dips, expected):
        assert got == pytest.approx(want, abs=2e-3)
    assert t.converged and L[-1] == pytest.approx(0.0, abs=1e-12)


def test_gd_warns_when_the_step_size_is_too_large_and_suggests_one():
    """T1 (y = 3, lambda = 1) near its minimizer w_1 = w_2 = sqrt(2): Hessian eigenvalues 2 and 4
    (docs/maths/regularized.md §7), so GD is unstable for eta > 2/4 and the suggestion 1/L is 1/4, at which
    the contraction is max(|1 - 2 eta|, |1 - 4 eta|) = 1/2."""
    pb = Problem.create([[1]], [[3]], 1)
    start = [np.array([[1.45]]), np.array([[1.4]])]
    with np.errstate(over="ignore", invalid="ignore"):
        t = gradient_descent(pb, start, eta=0.6, steps=2000)
    assert not t.converged
    assert any("the loss rose" in w and "oscillates" in w for w in t.warnings)
    assert t.suggested_step_size == pytest.approx(0.25, rel=0.1)
    assert t.to_json()["suggested_step_size"] == t.suggested_step_size
    again = gradient_descent(pb, start, eta=t.suggested_step_size, steps=2000)
    assert again.converged and again.warnings == ()
    assert fit_linear_rate(again.steps, again.grad_norm) == pytest.approx(
        max(abs(1 - 2 * again.step_size), abs(1 - 4 * again.step_size)), abs=2e-2)


def test_gd_warns_when_it_diverges():
    """From (2, 2) on T1 the Hessian has eigenvalues 0 and 10 (d^2f/dw_1^2 = w_2^2 + 1 = 5, d^2f/dw_1 dw_2
    = 2 w_1 w_2 - y = 5): eta = 2 > 2/10 overflows float64; the suggestion is 1/L at the start, 1/10."""
    pb = Problem.create([[1]], [[3]], 1)
    with np.errstate(over="ignore", invalid="ignore"):
        t = gradient_descent(pb, [np.array([[2.0]]), np.array([[2.0]])], eta=2, steps=100)
    assert not t.converged and not math.isfinite(t.loss[-1] + t.grad_norm[-1])
    assert any("diverged" in w and "non-finite" in w for w in t.warnings)
    assert t.suggested_step_size == pytest.approx(0.1, rel=0.1)


def test_curvature_estimate_is_the_largest_hessian_eigenvalue():
    """At the T1 minimizer (sqrt 2, sqrt 2) the Hessian has eigenvalues 2 and 4; at W = 0 with depth 3 it is 0."""
    from exactdln.numeric.flows import curvature_estimate

    pb = Problem.create([[1]], [[3]], 1)
    r = math.sqrt(2)
    assert curvature_estimate(pb, [np.array([[r]]), np.array([[r]])]) == pytest.approx(4, rel=1e-5)
    zero = Problem.create([[1]], [[3]])
    assert curvature_estimate(zero, [np.zeros((1, 1))] * 3) == pytest.approx(0, abs=1e-6)


def test_gd_command_warns_on_stderr(tmp_path, capsys):
    import json
    from exactdln.cli import main
    f = _write(tmp_path, '{"X": [[1]], "Y": [[3]], "lambda": 1, "weights": [[["1.45"]], [["1.4"]]]}')
    assert main(["gd", "--json", f, "--eta", "0.6", "--steps", "200", "--no-progress"]) == 1
    captured = capsys.readouterr()
    record = json.loads(captured.out)
    assert record["warnings"] and record["suggested_step_size"] == pytest.approx(0.25, rel=0.1)
    lines = captured.err.splitlines()
    assert lines and all(line.startswith(f"exactdln gd: {f}: warning: ") for line in lines)
    assert "try step size" in captured.err


def test_progress_is_plain_lines_off_a_terminal(capsys):
    """stderr is not a terminal under pytest: at most ten plain lines and no carriage return."""
    pb = Problem.create([[1]], [[3]], 1)
    gradient_descent(pb, [np.array([[1.2]]), np.array([[1.5]])], eta=0.001, steps=1000, progress=True)
    err = capsys.readouterr().err
    assert "\r" not in err
    assert 1 <= len(err.splitlines()) <= 10 and err.splitlines()[-1] == "gd: 1000/1000"
