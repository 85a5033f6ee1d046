"""snap for regularized runs (lambda > 0, X X^T = c I): the closed-form critical set of Theorem R1 over a number
field (exactdln/tools/snap_regularized.py; docs/maths/regularized.md §3, §9). Expected values come from the
theorem's formulas worked by hand, from mpmath at 50 digits, and from gradient descent runs."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
from mpmath import mp, mpf, matrix as mpmatrix, polyroots

from exactdln.cli import main
from exactdln.model.problem import Problem
from exactdln.numeric.flows import gradient_descent
from exactdln.tools.snap import snap
from exactdln.tools.snap_regularized import nearest_regularized_point, rational_orthogonal


def _run(X, Y, lam, widths, *, eta, steps, seed=1, scale=0.5):
    problem = Problem.create(X, Y, lam)
    rng = np.random.default_rng(seed)
    start = [scale * rng.standard_normal((widths[h + 1], widths[h])) for h in range(len(widths) - 1)]
    run = gradient_descent(problem, start, eta=eta, steps=steps, tol=1e-13)
    return problem, [np.array(w) for w in run.weights], float(run.loss[-1])


def _conjugate_gradients(point):
    """The gradient at every real embedding of K, by mpmath at 50 digits from the coefficient lists alone: the
    data are rational, so a point that is critical over K is critical at each conjugate embedding."""
    mp.dps = 50
    K = point.number_field
    coeffs = [mpf(c.numerator) / c.denominator for c in K.minpoly]
    roots = [r.real for r in polyroots(coeffs[::-1], maxsteps=200, extraprec=200) if abs(r.imag) < mpf(10) ** -40]
    lam = point.problem.layer_lambdas(len(point.weights))
    norms = []
    for t in roots:
        def value(e):
            return sum(mpf(c.numerator) / c.denominator * t ** k for k, c in enumerate(e))
        W = [mpmatrix([[value(e) for e in row] for row in w.rows]) for w in point.weights]
        X = mpmatrix([[value(e) for e in row] for row in point.problem.X.rows])
        Y = mpmatrix([[value(e) for e in row] for row in point.problem.Y.rows])
        H = len(W)
        prefix = [mp.eye(X.rows)]
        for w in W:
            prefix.append(w * prefix[-1])
        E = (prefix[-1] * X - Y) * X.T
        worst = mpf(0)
        for h in range(H):
            suffix = mp.eye(W[-1].rows)
            for g in range(H - 1, h, -1):
                suffix = suffix * W[g]
            grad = suffix.T * E * prefix[h].T + W[h] * (mpf(lam[h].numerator) / lam[h].denominator)
            worst = max(worst, max(abs(x) for x in grad))
        norms.append(worst)
    return roots, norms


def test_depth2_unequal_lambdas_quadratic_field_worked_by_hand():
    # H = 2, X = [1], Y = [3], lambda = (1, 2): Lambda = 2 and (y - s)^2 = Lambda, so s = 3 - sqrt 2; the layers
    # carry lambda_h sigma_h^2 = tau = s (y - s) = 3 sqrt 2 - 2, and the loss is (y - s)^2/2 + tau = 3 sqrt 2 - 1.
    problem = Problem.create([[1]], [[3]], ["1", "2"])
    tau = 3 * 2 ** 0.5 - 2
    floats = [np.array([[tau ** 0.5 + 1e-9]]), np.array([[(tau / 2) ** 0.5]])]
    near = nearest_regularized_point(problem, floats)
    point = near.point
    assert near.kind == "global_minimizer" and near.relative_distance < 1e-8
    K = point.number_field
    loss = point.critical_value
    # loss + 1 = 3 sqrt 2: its square is 18 and it is positive
    assert ((loss + 1) * (loss + 1)) == 18 and (loss + 1).sign() > 0
    w1 = K.element(list(point.weights[0].rows[0][0]))
    w2 = K.element(list(point.weights[1].rows[0][0]))
    assert w1 * w1 == (w2 * w2) * 2                         # weighted balancedness lambda_1 w1^2 = lambda_2 w2^2
    assert (w2 * w1 - 3) * (w2 * w1 - 3) == 2               # (s - y)^2 = Lambda


def test_depth3_irreducible_layer_polynomial_gradient_zero_at_every_embedding():
    # H = 3, y = 3, lambda = 1: sigma^4 - 3 sigma + 1 = 0 (irreducible); the larger root is the global minimizer
    problem = Problem.create([[1]], [[3]], 1)
    mp.dps = 50
    sigma = max(float(r.real) for r in polyroots([1, 0, 0, -3, 1]) if abs(r.imag) < 1e-30)
    floats = [np.array([[sigma]]), np.array([[-sigma]]), np.array([[-sigma]])]
    near = nearest_regularized_point(problem, floats)
    point = near.point
    assert point.degree == 4 and near.kind == "global_minimizer" and near.relative_distance < 1e-9
    roots, norms = _conjugate_gradients(point)
    assert len(roots) == 2 and all(n < mpf(10) ** -40 for n in norms)     # sigma^4 - 3 sigma + 1 has 2 real roots


def test_gd_with_weight_decay_depth3_whitened_snaps_to_the_global_minimizer():
    # X X^T = 2 I; M/c = diag(3, 2) with lambda/c = 1/10: both y above the threshold of §3, top pairs active
    X = [[1, 1], [1, -1]]
    Y = [[3, 3], [2, -2]]                     # Y = diag(3, 2) X
    problem, weights, float_loss = _run(X, Y, "1/5", (2, 2, 2, 2), eta=0.01, steps=60000)
    result = snap(problem, weights)
    assert result.snapped and result.relative_distance <= 1e-6
    assert result.kind == "global_minimizer"
    assert result.point.active == (1, 2)
    assert abs(float(result.point.critical_value) - float_loss) < 1e-9 * max(1.0, float_loss)
    roots, norms = _conjugate_gradients(result.point)
    assert all(n < mpf(10) ** -40 for n in norms)


def test_gd_depth2_general_rational_target_value_is_lambda_times_nuclear_norm():
    # H = 2, equal lambda: the global minimum is sum_i (lambda y_i - lambda^2 / 2) over y_i > lambda
    # (soft thresholding, docs/maths/regularized.md §3); Y = [[3,1,0],[1,2,1],[0,1,1]] is positive definite, so
    # sum y_i = trace = 6 and the value is 6/10 - 3/200 = 117/200
    X = np.eye(3, dtype=int).tolist()
    Y = [[3, 1, 0], [1, 2, 1], [0, 1, 1]]
    problem, weights, _ = _run(X, Y, "1/10", (3, 3, 3), eta=0.02, steps=40000)
    result = snap(problem, weights)
    assert result.snapped and result.kind == "global_minimizer"
    assert result.point.critical_value == Fraction(117, 200)


def test_far_point_is_not_snapped_and_reasons_are_precise():
    X, Y = [[1, 0], [0, 1]], [[3, 1], [1, 2]]
    problem, weights, _ = _run(X, Y, "1/10", (2, 3, 2), eta=0.02, steps=40000)
    far = snap(problem, [w + 1e-3 for w in weights])
    assert not far.snapped and far.nearest.point is not None and far.nearest.relative_distance > 1e-6
    assert "not snapped" in str(far)
    capped = snap(problem, weights, degree_cap=4)
    assert not capped.snapped and any("degree 8" in n and "cap 4" in n for n in capped.notes)
    unwhitened = Problem.create([[1, 0], [0, 2]], Y, "1/10")
    result = snap(unwhitened, weights)
    assert not result.snapped and any("not c I" in n for n in result.notes)
    # y = 2 twice but a bottleneck of width 1: only one copy of the block can be active
    repeated, narrow, _ = _run(X, [[2, 0], [0, 2]], "1/10", (2, 1, 2), eta=0.02, steps=20000)
    result = snap(repeated, narrow)
    assert not result.snapped and any("multiplicity 2" in n and "whole block" in n for n in result.notes)


@pytest.mark.parametrize("widths", [(2, 2, 2), (2, 3, 2, 2)])
def test_repeated_singular_value_with_its_whole_block_active(widths):
    # M = 2 I: the singular bases are free inside the block (Theorem R1). H = 2: s = y - lambda = 19/10 on both
    # copies, the value 2 (lambda y - lambda^2 / 2) = 39/100 (soft thresholding, docs/maths/regularized.md §3)
    X, Y = [[1, 0], [0, 1]], [[2, 0], [0, 2]]
    problem, weights, float_loss = _run(X, Y, "1/10", widths, eta=0.02, steps=40000, seed=2)
    result = snap(problem, weights)
    assert result.snapped and result.kind == "global_minimizer" and result.relative_distance <= 1e-6
    assert abs(float(result.point.critical_value) - float_loss) < 1e-9
    if len(widths) == 3:
        assert result.point.critical_value == Fraction(39, 100)


def test_cli_snap_writes_a_point_that_classify_reads_with_the_same_kind(tmp_path, capsys):
    X, Y = [[1, 0], [0, 1]], [[3, 1], [1, 2]]
    _, weights, _ = _run(X, Y, "1/10", (2, 3, 2), eta=0.02, steps=40000)
    src = tmp_path / "run.json"
    src.write_text(json.dumps({"X": X, "Y": Y, "lambda": "1/10", "weights": [w.tolist() for w in weights]}))
    out = tmp_path / "point.json"
    assert main(["snap", "--json", str(src), "-o", str(out)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["snapped"] and record["route"] == "closed form" and record["field_degree"] == 8
    assert record["critical_value"] == "49/100"           # lambda (y_1 + y_2) - lambda^2 = 5/10 - 1/100
    written = json.loads(out.read_text())
    assert written["lambda"] == "1/10" and written["field"]["minpoly"]
    assert main(["classify", "--json", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == record["kind"] == "global_minimizer"


@pytest.mark.parametrize("n", [2, 3, 5])
def test_rational_orthogonal_is_exactly_orthogonal_and_close(n):
    rng = np.random.default_rng(n)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    R = rational_orthogonal(Q, 8)
    Rf = np.array([[float(R[i, j]) for j in range(n)] for i in range(n)])
    assert R.transpose() * R == R.transpose() * R * 0 + _identity(n)
    assert np.max(np.abs(Rf - Q)) < 1e-6


def _identity(n):
    from flint import fmpq_mat

    return fmpq_mat([[int(i == j) for j in range(n)] for i in range(n)])


def test_local_minimizer_that_is_not_global_and_a_strict_saddle():
    # M = diag(3, 2), lambda = 1/10, H = 3. GD from a diagonal start with the second direction at 0 keeps it at 0
    # and converges to pair 1 on its larger root, pair 2 at s = 0. For H >= 3 a pair at s = 0 is a local minimum
    # in its block (docs/maths/regularized.md §3: the Hessian there is diag(lambda_h)); it is not global because
    # pair 2's larger root has a positive gain y^2/2 - phi(y, s) (computed here by mpmath).
    X, Y = [[1, 0], [0, 1]], [[3, 0], [0, 2]]
    problem = Problem.create(X, Y, "1/10")
    start = [np.diag([0.9, 0.0])] * 3
    run = gradient_descent(problem, start, eta=0.02, steps=20000, tol=1e-13)
    result = snap(problem, [np.array(w) for w in run.weights])
    mp.dps = 50
    sigma = max(r.real for r in polyroots([1, 0, 0, -2, mpf(1) / 10]) if abs(r.imag) < mpf(10) ** -40)
    s = sigma ** 3
    assert 2 ** 2 / mpf(2) - (2 - s) * (2 + 2 * s) / 2 > 0
    assert result.snapped and result.point.active == (1,) and result.kind == "local_minimizer"
    # the saddle branch: y = 3, lambda = 1, the smaller root of sigma^4 - 3 sigma + 1 (§4.4: sigma p'(sigma) < 0)
    small = min(float(r.real) for r in polyroots([1, 0, 0, -3, 1]) if abs(r.imag) < 1e-30 and r.real > 0)
    result = snap(Problem.create([[1]], [[3]], 1), [np.array([[small]])] * 3)
    assert result.snapped and result.kind == "strict_saddle"



def test_a_point_near_zero_that_does_not_resolve_the_saddle_branch_is_given_the_pair_at_zero():
    # y = 3, lambda = 10^-4, H = 3: the saddle branch has s (3 - s)^3 = Lambda = 10^-12, s ~ 10^-12 / 27, layers of
    # size s^(1/3) ~ 3.3e-5 (docs/maths/regularized.md §3). Float layers of 10^-2 (product 10^-6, nearer to s than
    # to 0) lie as far from those layers as from 0 (~1.7e-2 either way), so the closed form nearest to them (the
    # one exactdln trace reports) has the pair inactive: W = 0, over Q, at depth 3 a local minimizer (the Hessian
    # at W = 0 is lambda I: every second derivative of the data term there has a factor W_j = 0)
    problem = Problem.create([[1]], [[3]], "1/10000")
    found = nearest_regularized_point(problem, [np.array([[1e-2]])] * 3)
    assert found.point.active == () and found.point.degree == 1
    assert all(float(x) == 0 for w in found.point.float_weights() for row in w for x in row)
    assert found.kind == "local_minimizer" and any("does not resolve" in n for n in found.notes)
    # a float point on the saddle branch itself is given that branch
    mp.dps = 50
    s = mp.findroot(lambda t: t * (3 - t) ** 3 - mpf(10) ** -12, mpf(10) ** -12 / 27)    # the root near 0
    sigma = float(s ** (mpf(1) / 3))
    found = nearest_regularized_point(problem, [np.array([[sigma]])] * 3)
    assert found.point.active == (1,) and found.kind == "strict_saddle"
    assert float(found.point.product_values[0]) == pytest.approx(float(s), rel=1e-9)
