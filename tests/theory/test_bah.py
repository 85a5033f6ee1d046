"""Gradient dynamics: exact identities (docs/maths/gradient_flow.md §1.2-§1.5, §2), the checker's
flow_identities_random claim (a probabilistic check; honest and mutated), and numerical runs against closed forms
(Saxe's scalar solution, T1/T3 of docs/maths/gradient_flow.md §3.4) and the GD rate of docs/maths/regularized.md §4.4/§8.
"""

from __future__ import annotations

import copy
import math
import random
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from exactdln.trusted import checker
from exactdln.arith.exact import from_fmpq_mat, to_fmpq_mat
from exactdln.dynamics import (
    balance_matrices, balanced_product_flow_defect, conservation_derivative, energy_identity_defect,
    fit_linear_rate, flow_certificate, gd_balance_defect, gd_step, gradient_descent, gradient_flow,
    product_flow_operator, saxe_scalar_solution,
)
from exactdln.model.problem import Problem, RationalMatrix

U = RationalMatrix(((F(3, 5), F(-4, 5)), (F(4, 5), F(3, 5))))


def rm(rows):
    return RationalMatrix(tuple(tuple(F(x) for x in r) for r in rows))


def T6_point():
    W1 = rm([[1, 0], [0, 2]])
    W2 = from_fmpq_mat(to_fmpq_mat(U) * to_fmpq_mat(W1))
    return Problem.create([[1, 0], [0, 1]], [[1, 0], [0, 1]]), (W1, W2)


def test_T5_gd_defect_scalar():
    pb = Problem.create([[1]], [[3]])
    W = (rm([[1]]), rm([[2]]))
    after = gd_step(pb, W, F(1, 10))
    assert after == (rm([[F(6, 5)]]), rm([[F(21, 10)]]))
    assert balance_matrices(after)[0] == rm([[F(297, 100)]])       # 3 - 3/100
    assert gd_balance_defect(pb, W, F(1, 10))[0].is_zero()


def test_T6_product_flow_nondiagonal():
    pb, W = T6_point()
    assert all(c.is_zero() for c in balance_matrices(W))
    E = to_fmpq_mat(rm([[F(3, 5) - 1, F(-16, 5)], [F(4, 5), F(12, 5) - 1]]))
    assert from_fmpq_mat(-product_flow_operator(W, E)) == rm([[F(68, 25), F(604, 25)], [F(-76, 25), F(-328, 25)]])
    assert balanced_product_flow_defect(pb, W).is_zero()
    assert energy_identity_defect(pb, W) == 0


def _random_point(rng, dims, lam=0):
    X = [[rng.randint(-3, 3) for _ in range(5)] for _ in range(dims[0])]
    Y = [[rng.randint(-3, 3) for _ in range(5)] for _ in range(dims[-1])]
    Ws = tuple(rm([[F(rng.randint(-4, 4), rng.randint(1, 3)) for _ in range(dims[h])] for _ in range(dims[h + 1])])
               for h in range(len(dims) - 1))
    return Problem.create(X, Y, lam), Ws


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10**6), st.lists(st.integers(1, 3), min_size=3, max_size=5),
       st.sampled_from([0, F(1, 3), [F(1, 2), F(1, 5), 2, 1][:1]]))
def test_conservation_and_gd_defect_are_identities(seed, dims, lam):
    """§1.2 and §2 hold at every point (they are polynomial identities)."""
    pb, W = _random_point(random.Random(seed), dims, lam)
    assert all(c.is_zero() for c in conservation_derivative(pb, W))
    assert all(c.is_zero() for c in gd_balance_defect(pb, W, F(1, 7)))


def test_gd_defect_per_layer_lambda():
    pb, W = _random_point(random.Random(3), [2, 3, 2, 2], [F(1, 2), F(1, 5), 2])
    assert all(c.is_zero() for c in gd_balance_defect(pb, W, F(2, 9)))


def test_product_flow_fails_off_balance():
    """Control: at depth 3 the formula needs balance, so an unbalanced point must fail it.

    (At depth 2 the integer-power form W_2 W_2^T E + E W_1^T W_1 is the chain rule itself,
    for every point, so a depth-2 control would prove nothing.)
    """
    pb, W = _random_point(random.Random(11), [2, 2, 2, 2])
    assert not all(c.is_zero() for c in balance_matrices(W))
    assert not balanced_product_flow_defect(pb, W).is_zero()
    pb, W = T6_point()
    W = (W[0], from_fmpq_mat(to_fmpq_mat(W[1]) * 2))
    assert balanced_product_flow_defect(pb, W).is_zero()


def test_balanced_cayley_depth3_with_weight_decay():
    """W_j = U_j Sigma U_(j-1)^T is balanced; the product flow and energy identity hold (docs/maths/gradient_flow.md §1.4)."""
    V = rm([[F(5, 13), F(-12, 13)], [F(12, 13), F(5, 13)]])
    S = to_fmpq_mat(rm([[2, 0], [0, F(1, 2)]]))
    Us = [to_fmpq_mat(x) for x in (RationalMatrix.identity(2), U, V, U)]
    W = tuple(from_fmpq_mat(Us[j] * S * Us[j - 1].transpose()) for j in range(1, 4))
    pb = Problem.create([[1, 2, 0], [0, 1, 1]], [[1, 0, 3], [2, 1, 1]], F(1, 4))
    assert all(c.is_zero() for c in balance_matrices(W))
    assert balanced_product_flow_defect(pb, W).is_zero()
    assert energy_identity_defect(pb, W) == 0


# ---------------------------------------------------------------- the checker claim

def _run(cert):
    return checker.check_certificate(copy.deepcopy(cert))


def test_checker_accepts_honest_flow_certificate():
    pb, W = T6_point()
    results = _run(flow_certificate(pb, W, F(1, 10), random_points=4))
    assert all(ok for _, ok, _ in results)


def test_checker_refuses_false_balanced_claim():
    pb, W = T6_point()
    cert = flow_certificate(pb, W, F(1, 10), random_points=2)
    cert["point"]["weights"][1][0][0] = "7"          # no longer balanced
    results = _run(cert)
    assert not all(ok for _, ok, _ in results)


def test_checker_flow_claim_is_about_identities_not_points():
    """Unbalanced point without the balanced flag: conservation/GD defect still verified."""
    pb, W = _random_point(random.Random(5), [2, 3, 2], F(1, 3))
    cert = flow_certificate(pb, W, F(1, 9), random_points=3)
    assert cert["claims"][0]["balanced"] is False
    assert all(ok for _, ok, _ in _run(cert))


def test_checker_mutated_formula_detected(monkeypatch):
    """A wrong defect formula (eta^2 -> 2 eta^2) must be refused: mutate the checker's own helper."""
    pb, W = _random_point(random.Random(6), [2, 2, 2], 0)
    cert = flow_certificate(pb, W, F(1, 3), random_points=2)
    real = checker._lin

    def wrong(*terms):
        return real(*[(c * 2 if c == F(1, 9) else c, M) for c, M in terms])
    monkeypatch.setattr(checker, "_lin", wrong)
    assert not all(ok for _, ok, _ in _run(cert))


def test_checker_malformed_flow_claim():
    pb, W = T6_point()
    cert = flow_certificate(pb, W, F(1, 10))
    cert["claims"][0]["random_points"] = 10**6
    with pytest.raises(checker.Malformed):
        _run(cert)


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


def test_plot_shows_the_run(tmp_path):
    """The figure holds the run's own numbers: loss gap and gradient norm per step, on log axes."""
    from exactdln.dynamics import plot_trajectory, trajectory_figure
    pb = Problem.create([[1]], [[3]], 1)
    t = gradient_descent(pb, [np.array([[1.2]]), np.array([[1.5]])], eta=0.1, steps=100)
    fig = trajectory_figure([("T1", t)])
    gap_ax, grad_ax = fig.axes[:2]
    assert gap_ax.get_yscale() == grad_ax.get_yscale() == "log"
    assert gap_ax.get_xlabel() == grad_ax.get_xlabel() == "iteration"
    assert [line.get_label() for line in gap_ax.get_lines()] == ["T1"]
    x, y = gap_ax.get_lines()[0].get_data()
    np.testing.assert_array_equal(x, t.steps[:-1])
    gap = t.loss[:-1] - t.loss[-1]
    np.testing.assert_allclose(y[gap > 0], gap[gap > 0])
    x, y = grad_ax.get_lines()[0].get_data()
    np.testing.assert_allclose(y, t.grad_norm)
    # T1 (Chen, Jiang, Wang 2025 setting, y = 3, lambda = 1): GD contracts, so both curves fall
    assert y[-1] < y[0] / 100
    plot_trajectory([("T1", t)], str(tmp_path / "p.png"))
    assert (tmp_path / "p.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


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
    assert out["linear_rate"] == pytest.approx(0.8, abs=2e-3)
    assert main(["flow", "--json", f, "--time", "30", "--dt", "0.01", "--no-progress"]) == 0
    assert json.loads(capsys.readouterr().out)["final_loss"] == pytest.approx(2.5, abs=1e-10)


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


def test_rank_restricted_global_eckart_young():
    """docs/maths/gradient_flow.md §1.6 (c): on M_k the global minimizers fit the top-k singular values (Y = diag(4, 1), X = I)."""
    from exactdln.dynamics import rank_restricted_global
    pb = Problem.create([[1, 0], [0, 1]], [[4, 0], [0, 1]])
    assert rank_restricted_global(pb, [[[2, 0], [0, 0]], [[2, 0], [0, 0]]])[0] is True     # J = {1}
    assert rank_restricted_global(pb, [[[0, 0], [0, 1]], [[0, 0], [0, 1]]])[0] is False    # J = {2}
    assert rank_restricted_global(pb, [[[2, 0], [0, 1]], [[2, 0], [0, 1]]])[0] is True     # J = {1, 2}
    assert rank_restricted_global(pb, [[[1, 0], [0, 1]], [[2, 0], [0, 1]]])[0] is False    # not critical on M_2
    # balanced start with w0 > 0 > y converges to 0 (T2): 0 is the optimum on M_0
    assert rank_restricted_global(Problem.create([[1]], [[-1]]), [[[0]], [[0]]])[0] is True
