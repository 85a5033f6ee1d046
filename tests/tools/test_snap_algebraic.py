"""snap for real data: exact critical points over the field of the fitted set, snapped only within the tolerance.

Float points are exact critical points (built by exactdln/instances/algebraic_critical.py) perturbed by 1e-9, or
points of a gradient-descent run in numpy (module _gd below). Expected values: the fitted set and the class of the
point that was perturbed (classified exactly on its own), the critical value (||Y||^2 - sum_S lambda_i)/2 against the
plateau's float loss, and the contract "never snapped farther than the tolerance".
"""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from exactdln.cli import main
from exactdln.instances.algebraic_critical import critical_point_for_fitted_set
from exactdln.model.problem import InputError, Problem
from exactdln.theory.number_field import classify_over_field
from exactdln.tools.snap import snap
from exactdln.tools.snap_algebraic import nearest_critical_point


def _data(seed=0, d_x=3, d_y=3, n=20):
    rng = np.random.default_rng(seed)
    X = np.round(rng.standard_normal((d_x, n)), 3)
    A = rng.standard_normal((d_y, d_x))
    Y = np.round(A @ X + 0.1 * rng.standard_normal((d_y, n)), 3)
    Xq = [[Fraction(str(x)) for x in r] for r in X]
    Yq = [[Fraction(str(y)) for y in r] for r in Y]
    return X, Y, Xq, Yq


def _gd(X, Y, widths, steps, scale=1e-3, seed=1, every=500):
    """Plain gradient descent on 1/2 ||W_H...W_1 X - Y||^2 from a small start; (step, loss, weights) every ``every``."""
    rng = np.random.default_rng(seed)
    Ws = [scale * rng.standard_normal((widths[h + 1], widths[h])) for h in range(len(widths) - 1)]
    lr = 0.05 / np.linalg.norm(X @ X.T, 2)
    out = []
    for t in range(steps + 1):
        prefix = [np.eye(widths[0])]
        for w in Ws:
            prefix.append(w @ prefix[-1])
        R = prefix[-1] @ X - Y
        E = R @ X.T
        if t % every == 0:
            out.append((t, 0.5 * float(np.sum(R ** 2)), [w.copy() for w in Ws]))
        grads = []
        for h in range(len(Ws)):
            suffix = np.eye(widths[-1])
            for w in reversed(Ws[h + 1:]):
                suffix = suffix @ w
            grads.append(suffix.T @ E @ prefix[h].T)
        for h in range(len(Ws)):
            Ws[h] -= lr * grads[h]
    return out


@pytest.mark.parametrize("S", [(1,), (2,), (1, 2), (1, 3)])
def test_perturbed_algebraic_point_snaps_back(S):
    X, Y, Xq, Yq = _data()
    exact = critical_point_for_fitted_set(Xq, Yq, S, (3, 4, 4, 3))
    assert exact.degree == 3
    expected = classify_over_field(exact.problem, exact.weights)
    rng = np.random.default_rng(3)
    floats = [np.array(w) + 1e-9 * rng.standard_normal(np.array(w).shape) for w in exact.float_weights()]
    result = snap(Problem.create(Xq, Yq, 0), floats)
    assert result.snapped and result.route == "algebraic", str(result)
    assert result.fitted == S and result.kind == expected.kind
    assert result.relative_distance < 1e-6
    assert result.point.critical_value == exact.critical_value        # same field element, same value
    assert expected.kind in result.kinds_near


def test_far_point_is_not_snapped_but_reported():
    X, Y, Xq, Yq = _data()
    exact = critical_point_for_fitted_set(Xq, Yq, (1,), (3, 4, 4, 3))
    rng = np.random.default_rng(4)
    floats = [np.array(w) + 1e-3 * rng.standard_normal(np.array(w).shape) for w in exact.float_weights()]
    result = snap(Problem.create(Xq, Yq, 0), floats)
    assert not result.snapped and result.nearest.point is not None
    assert result.nearest.relative_distance > 1e-6
    assert "tolerance" in str(result)
    loose = snap(Problem.create(Xq, Yq, 0), floats, 1e-2)
    assert loose.snapped and loose.relative_distance <= 1e-2 and loose.fitted == (1,)


def test_degree_cap_is_reported_not_bypassed():
    X, Y, Xq, Yq = _data(seed=2, d_x=5, d_y=5, n=30)
    exact = critical_point_for_fitted_set(Xq, Yq, (1, 2), (5, 5, 5))
    assert exact.degree == 10                               # C(5, 2): the Galois group of a generic quintic is S_5
    floats = [np.array(w) for w in exact.float_weights()]
    result = snap(Problem.create(Xq, Yq, 0), floats, degree_cap=5)
    assert not result.snapped and any("degree up to 10" in n for n in result.notes)


def test_staircase_of_a_gradient_descent_run():
    # Each plateau of a small-start run is near a saddle, at a distance that shrinks with the start's scale: the
    # nearest exact critical point's value matches the plateau's float loss, and nothing is snapped at 1e-6.
    X, Y, Xq, Yq = _data()
    problem = Problem.create(Xq, Yq, 0)
    run = _gd(X, Y, (3, 4, 4, 3), 6000)
    norm2 = float(np.sum(Y ** 2))
    Sxx, Syx = X @ X.T, Y @ X.T
    lam = np.sort(np.linalg.eigvalsh(Syx @ np.linalg.solve(Sxx, Syx.T)))[::-1]
    levels = {(): norm2 / 2, (1,): (norm2 - lam[0]) / 2, (1, 2): (norm2 - lam[0] - lam[1]) / 2}
    seen = set()
    for t, loss, Ws in run[1:]:
        S = min(levels, key=lambda k: abs(levels[k] - loss))
        if abs(levels[S] - loss) > 1e-3 * max(1.0, loss) or S in seen:
            continue                                         # between plateaus, or already checked
        seen.add(S)
        near = nearest_critical_point(problem, Ws, classify=False)
        assert near.fitted == S and abs(float(near.point.critical_value_text) - loss) < 1e-3 * max(1.0, loss)
        result = snap(problem, Ws)
        assert not result.snapped or result.relative_distance <= 1e-6
    assert {(), (1,)} <= seen


def test_regularized_is_refused_with_the_reason():
    X, Y, Xq, Yq = _data()
    exact = critical_point_for_fitted_set(Xq, Yq, (1,), (3, 4, 4, 3))
    floats = [np.array(w) for w in exact.float_weights()]
    result = snap(Problem.create(Xq, Yq, Fraction(1, 10)), floats)
    assert not result.snapped and any("X X^T is not c I" in n for n in result.notes)


def test_cli_snap_writes_a_point_file_over_k(tmp_path, capsys):
    X, Y, Xq, Yq = _data()
    exact = critical_point_for_fitted_set(Xq, Yq, (2,), (3, 4, 4, 3))
    rng = np.random.default_rng(5)
    floats = [np.array(w) + 1e-9 * rng.standard_normal(np.array(w).shape) for w in exact.float_weights()]
    src = tmp_path / "run.json"
    src.write_text(json.dumps({"X": [[str(x) for x in r] for r in Xq], "Y": [[str(y) for y in r] for r in Yq],
                               "weights": [w.tolist() for w in floats]}))
    out = tmp_path / "point.json"
    assert main(["snap", "--json", str(src), "-o", str(out)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["snapped"] and record["field_degree"] == 3 and record["fitted"] == [2]
    assert json.loads(out.read_text())["field"]["minpoly"]
    assert main(["classify", "--json", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == record["kind"]
    assert main(["snap", str(src), "--tolerance", "1e-12"]) == 1
    assert "not snapped" in capsys.readouterr().out
    assert main(["snap", str(src), "--tolerance", "-1"]) == 2


def test_classify_snap_classifies_over_k(tmp_path, capsys):
    # classify --snap hands an algebraic snap to classify over K (the point's own problem and weights)
    phi = (1 + 5 ** 0.5) / 2
    u = np.array([phi, 1.0]) / np.linalg.norm([phi, 1.0])
    src = tmp_path / "golden.json"
    src.write_text(json.dumps({"X": [[1, 0], [0, 1]], "Y": [[1, 1], [1, 0]],
                               "weights": [[list(u @ np.array([[1, 1], [1, 0]]))], [[u[0]], [u[1]]]]}))
    assert main(["classify", "--snap", "--json", str(src)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["kind"] == "global_minimizer" and record["snap"]["field_degree"] == 2   # Baldi-Hornik: top fit


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from([(1,), (2,), (1, 2), (2, 3), (1, 3)]), st.integers(3, 4),
       st.booleans())
def test_snap_under_a_float_generic_hidden_change_of_basis(seed, S, depth, minimal):
    # W_h -> A_h W_h A_(h-1)^-1 on the hidden layers maps critical points to critical points of the same class
    # (docs/maths/classification.md §7). The snap must recover S and the exact critical value; its kind is the
    # exact point's unless critical points of several kinds lie within the tolerance (then it says so).
    rng = np.random.default_rng(seed)
    X = np.round(rng.standard_normal((3, 8)), 2)
    Y = np.round(rng.standard_normal((3, 8)), 2)
    Xq = [[Fraction(str(x)) for x in r] for r in X]
    Yq = [[Fraction(str(y)) for y in r] for r in Y]
    widths = (3,) + (3,) * (depth - 1) + (3,)
    hidden = None if minimal else [[[Fraction(int(v), 4) for v in row] for row in rng.integers(-4, 5, (3, 3))]
                                   for _ in range(depth - 2)]
    try:
        exact = critical_point_for_fitted_set(Xq, Yq, S, widths, hidden=hidden)
    except (InputError, ArithmeticError):
        assume(False)
    expected = classify_over_field(exact.problem, exact.weights).kind if exact.field is not None else None
    f = [np.array(w, dtype=float) for w in exact.float_weights()]
    A = [np.eye(3)] + [np.eye(3) + 0.3 * rng.standard_normal((3, 3)) for _ in range(depth - 1)] + [np.eye(3)]
    moved = [A[h + 1] @ f[h] @ np.linalg.inv(A[h]) + 1e-10 * rng.standard_normal(f[h].shape) for h in range(depth)]
    result = snap(Problem.create(Xq, Yq, 0), moved)
    assert result.snapped and result.relative_distance <= 1e-6, str(result)
    assert result.fitted is None or tuple(result.fitted) == S
    if result.point is not None:
        assert result.point.critical_value == exact.critical_value
    if expected is not None:
        assert result.kind == expected or len(result.kinds_near) > 1, str(result)


def test_kinds_within_the_tolerance_are_all_reported():
    # A hidden layer diag(1, e, e, e) with e = 1e-5: the exact point (classified on its own) and its rank-1
    # truncation are both within a tolerance of 1e-4; snap must report every kind found there, not one guess,
    # and at the default 1e-6 only the point itself is near.
    X, Y, Xq, Yq = _data()
    e = Fraction(1, 10**5)
    hidden = [[[1 if i == j == 0 else (e if i == j else 0) for j in range(4)] for i in range(4)]]
    exact = critical_point_for_fitted_set(Xq, Yq, (1,), (3, 4, 4, 3), hidden=hidden)
    own = classify_over_field(exact.problem, exact.weights).kind
    rng = np.random.default_rng(0)
    floats = [np.array(w) + 1e-10 * rng.standard_normal(np.array(w).shape) for w in exact.float_weights()]
    loose = snap(Problem.create(Xq, Yq, 0), floats, 1e-4)
    assert loose.snapped and own in loose.kinds_near
    if len(loose.kinds_near) > 1:
        assert any("different kinds" in n for n in loose.notes)
    strict = snap(Problem.create(Xq, Yq, 0), floats)
    assert strict.snapped and strict.kind == own and strict.kinds_near == (own,)
