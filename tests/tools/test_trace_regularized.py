"""exactdln trace on weight-decay runs: every plateau's exact point is the closed-form critical point of the
regularized loss (exactdln/tools/snap_regularized.py), with whitened data X X^T = 2 I.

Expected values come from elsewhere: Theorem R1 of docs/maths/regularized.md §3, evaluated here with mpmath and
nothing from the package. With X X^T = c I, F(W) = c F~(W) + (||Y||^2 - ||M||^2 / c) / 2 (§1: expand
||W X - Y||^2 = c ||W||^2 - 2 tr(W M^T) + ||Y||^2, M = Y X^T), where F~ has target M / c and weight decays
lambda_h / c. On the singular values y_i of M / c the product has s_i = 0 or a root in (0, y_i) of
s^(H-2) (y_i - s)^H = Lambda = prod_h (lambda_h / c), and F~ = sum_i phi(y_i, s_i), phi(y, 0) = y^2 / 2,
phi(y, s) = (y - s)(y + (H - 1) s) / 2. The y_i are the square roots of mpmath's eigenvalues of (M/c)^T (M/c), the
roots mpmath's polyroots. At depth 2 the root is s = y - sqrt(Lambda) (soft thresholding), the global minimizer
activates every pair with y_i > sqrt(Lambda) (at most r = min width), and a critical point with fewer than r active
pairs that leaves such a pair inactive is a strict saddle (§3, "Global minimum").
"""

from __future__ import annotations

import json
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from exactdln.model.problem import Problem
from exactdln.tools.trace import Trajectory, certify_plateaus, trace

# X X^T = 2 I (rows orthogonal, of squared norm 2); Y = T X + a part orthogonal to the rows of X, with
# T = [[2, 1/2, 0], [1/2, 1, 0], [0, 0, 3/10]]: singular values of M / c = T are (3 +- sqrt 2) / 2 and 3/10
X = [[1, 1, 0, 0], [1, -1, 0, 0], [0, 0, 1, 1]]
Y = [["2.5", "1.5", "0.2", "-0.2"], ["1.5", "-0.5", "-0.1", "0.1"], ["0", "0", "0.7", "-0.1"]]
LAMBDA = "1/10"


def _mp(rows):
    return mpmath.matrix([[mpmath.mpf(Fraction(v).numerator) / Fraction(v).denominator for v in row] for row in rows])


def _theorem_r1(depth, active):
    """(critical value, product values s_i) of the closed-form point with the given active pairs (1-based, the
    larger root where there are two), from mpmath alone (module docstring)."""
    mpmath.mp.dps = 40
    Xm, Ym = _mp(X), _mp(Y)
    XXt = Xm * Xm.T
    c = XXt[0, 0]
    assert all(XXt[i, j] == (c if i == j else 0) for i in range(3) for j in range(3))
    M = Ym * Xm.T
    target = M / c
    mu, _ = mpmath.eigsy(target.T * target)
    ys = sorted((mpmath.sqrt(max(m, 0)) for m in mu), reverse=True)
    Lam = (mpmath.mpf(Fraction(LAMBDA).numerator) / Fraction(LAMBDA).denominator / c) ** depth
    H = depth
    value, products = mpmath.mpf(0), []
    for i, y in enumerate(ys, 1):
        if i not in active:
            value += y * y / 2
            continue
        # s^(H-2) (y - s)^H - Lambda as a polynomial in s: sum_k C(H, k) y^(H-k) (-s)^k s^(H-2)
        coefficients = [mpmath.mpf(0)] * (2 * H - 1)             # index = power of s
        for k in range(H + 1):
            coefficients[k + H - 2] += mpmath.binomial(H, k) * y ** (H - k) * (-1) ** k
        coefficients[0] -= Lam
        roots = [r.real for r in mpmath.polyroots(coefficients[::-1], maxsteps=200, extraprec=200)
                 if abs(r.imag) < mpmath.mpf(10) ** -30 and 0 < r.real < y]
        s = max(roots)
        products.append(s)
        value += (y - s) * (y + (H - 1) * s) / 2
    norm_y = sum(Ym[i, j] ** 2 for i in range(Ym.rows) for j in range(Ym.cols))
    norm_m = sum(M[i, j] ** 2 for i in range(M.rows) for j in range(M.cols))
    return c * value + (norm_y - norm_m / c) / 2, products


def _run(depth=2, init=1e-6, eta=0.05, steps=1500, data=(X, Y)):
    from exactdln.numeric.flows import gradient_descent

    problem = Problem.create(data[0], data[1], LAMBDA)
    rng = np.random.default_rng(0)
    ws = [init * rng.standard_normal((3, 3)) for _ in range(depth)]
    run = gradient_descent(problem, ws, eta=eta, steps=steps, tol=1e-13, weights_every=2)
    return problem, Trajectory(problem, run.weight_steps.astype(float), run.weight_history, run.weight_loss)


@pytest.fixture(scope="module")
def staircase():
    _, trajectory = _run()
    return trace(trajectory)


def test_each_plateau_of_a_weight_decay_run_is_its_closed_form_critical_point(staircase):
    rows = staircase.rows
    assert [r.fitted for r in rows] == [(), (1,), (1, 2), (1, 2, 3)]      # one singular pair more per drop
    for row in rows:
        expected, products = _theorem_r1(2, row.fitted)
        assert row.regularized and row.rank == len(row.fitted)           # simple singular values: rank = #pairs
        assert row.critical_value.approx == pytest.approx(float(expected), rel=1e-12)
        assert row.float_loss == pytest.approx(float(expected), rel=1e-6)   # the run sits on the step
        assert [float(s) for s in row.product_values] == pytest.approx([float(s) for s in products], rel=1e-10)
        assert row.distance is not None and row.relative_distance < 1e-3
    assert [r.kind for r in rows] == ["strict_saddle"] * 3 + ["global_minimizer"]
    assert rows[-1].snapped                                              # the limit: converged to 1e-13


def test_the_exact_forms_of_the_critical_values(staircase):
    # ||Y||^2 / 2 = 29/5 at W = 0; with {1, 2} active the conjugate values (3 +- sqrt 2)/2 enter symmetrically
    # and the value is rational (phi(y, y - 1/20) = (y^2 - (y - 1/20)^2) / 2 is linear in y); with {1} alone it
    # is irrational: its minimal polynomial has the mpmath value as a root inside the printed interval
    rows = staircase.rows
    assert rows[0].critical_value.fraction == "29/5"
    for row in rows[2:]:
        expected, _ = _theorem_r1(2, row.fitted)
        assert Fraction(row.critical_value.fraction) == Fraction(mpmath.nstr(expected, 30))
    value = rows[1].critical_value
    assert value.fraction is None and len(value.minpoly) == 3                 # quadratic over Q
    expected, _ = _theorem_r1(2, (1,))
    poly = [Fraction(c) for c in value.minpoly]
    assert abs(sum(mpmath.mpf(c.numerator) / c.denominator * expected ** k for k, c in enumerate(poly))) < 1e-30
    lo, hi = (Fraction(x) for x in value.interval)
    assert lo <= Fraction(mpmath.nstr(expected, 30)) <= hi


def test_json_lines_name_the_active_pairs(staircase):
    lines = staircase.json_lines("run.npz")
    json.dumps(lines)
    second = lines[1]
    assert second["active_pairs"] == second["fitted"] == [1]
    assert len(second["product_values"]) == len(second["branches"]) == 1
    assert "pairs" in staircase.table().splitlines()[0].split() and "pair 1: s = " in str(staircase)


def test_certificates_of_the_plateaus(staircase, tmp_path):
    # strict saddles over K have a negative direction to certify; the regularized global minimizer (the closed form of
    # docs/maths/regularized.md) has none, and is certified a local minimizer, which a global one is: its Hessian's
    # kernel is the tangent space of the orbit of O(3) on the hidden layer (docs/maths/hessian_inertia.md §10)
    rows = certify_plateaus(staircase, tmp_path).rows
    for row in rows:
        certificate = json.loads(open(row.certificate, encoding="utf-8").read())
        kinds = [c.get("kind") for c in certificate["claims"] if c.get("type") == "kind"]
        if row.kind == "strict_saddle":
            assert kinds == ["strict_saddle"]
        else:
            assert row.kind == "global_minimizer" and kinds == ["local_minimizer"], row.notes
        point = json.loads(open(tmp_path / f"plateau_{row.index}.json", encoding="utf-8").read())
        assert point["lambda"] == LAMBDA


def test_data_that_are_not_whitened_say_why():
    from exactdln.tools.snap_algebraic import regularized_reason

    # X X^T = diag(2, 4, 1): no closed form (docs/maths/regularized.md §1)
    problem, trajectory = _run(data=([[1, 0, 0, 1], [0, 2, 0, 0], [0, 0, 1, 0]], Y), eta=0.03, steps=800)
    rows = trace(trajectory).rows
    reason = regularized_reason(problem, (3, 3, 3))
    assert "X X^T is not c I" in reason
    assert rows and all(reason in r.notes for r in rows)
    for row in rows:
        if row.critical_value is None:
            assert row.fitted is None and row.kind is None and not row.regularized
        else:                                    # only W = 0, at L(0) = ||Y||^2 / 2 = 29/5
            assert row.critical_value.fraction == "29/5" and row.fitted == ()


def test_each_row_is_the_candidate_snap_reports():
    from exactdln.tools.snap import snap

    problem, trajectory = _run()
    for row in trace(trajectory, classify=False).rows[1:3]:
        result = snap(problem, trajectory.at(row.plateau.at), tolerance=1e-2)
        assert result.snapped and result.point.active == row.fitted
        assert row.rank == len(row.fitted) and row.kind is None      # rank over K without the classification
        assert float(result.point.critical_value) == pytest.approx(row.critical_value.approx, rel=1e-14)
        assert result.distance == pytest.approx(row.distance, rel=1e-9)


def test_the_command_line_json_lines_certificates_and_plot(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    from exactdln.cli import main
    from exactdln.tools.trace import save_trajectory

    problem, trajectory = _run()
    path = tmp_path / "decay.npz"
    save_trajectory(path, problem, trajectory.steps, trajectory.weights)
    code = main(["trace", str(path), "--json", "--certify", str(tmp_path / "certs"), "--plot", str(tmp_path / "p.png")])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert code == 0 and [line["active_pairs"] for line in lines] == [[], [1], [1, 2], [1, 2, 3]]
    assert all(line["certificate"] for line in lines) and (tmp_path / "p.png").stat().st_size > 0


def test_the_degree_cap_refuses_with_the_degree():
    # pair 1 alone needs sigma_1 = sqrt(s_1) (depth 2, equal lambdas: sigma^2 = s (y - s) / (lambda / c) = s),
    # s_1 = 29/20 + sqrt(2)/2: (sigma^2 - 29/20)^2 = 1/2, a quartic; W = 0 stays over Q
    _, trajectory = _run()
    rows = trace(trajectory, degree_cap=2, classify=False).rows
    assert rows[0].critical_value.fraction == "29/5"
    assert rows[1].critical_value is None and rows[1].fitted is None
    assert any("above the degree cap 2" in n and "at least 4 and at most" in n for n in rows[1].notes)
