"""Regularized loss at depth 1, worked by hand (outside Theorems R1/R2, which need H >= 2).

L(W) = 1/2 ||W X - Y||^2 + lambda/2 ||W||^2 has gradient (W X - Y) X^T + lambda W and Hessian
(X X^T + lambda I) (x) I: strongly convex for lambda > 0, so its one critical point
W* = Y X^T (X X^T + lambda I)^(-1) is the global minimizer and the error bound holds everywhere.
"""

from __future__ import annotations

import json
from fractions import Fraction as F

from hypothesis import given, settings, strategies as st

from exactdln.cli import main
from exactdln.model.problem import Problem
from exactdln.model.results import GLOBAL_MINIMIZER, NOT_CRITICAL
from exactdln.theory.regularized import classify_regularized, error_bound, error_bound_data_condition

# X = I, Y = diag(2, 1), lambda = 1: W* = diag(2, 1) / 2 = diag(1, 1/2);
# L(W*) = 1/2 (1 + 1/4) + 1/2 (1 + 1/4) = 5/4; Hessian 2 I_4, so mu_+ = 2, kappa = 1/2
PROBLEM = Problem.create([[1, 0], [0, 1]], [[2, 0], [0, 1]], 1)
MINIMIZER = [[[1, 0], [0, F(1, 2)]]]


def test_depth1_theorem_R2_condition_holds():
    assert error_bound_data_condition(PROBLEM, 1) == (True, [])


def test_depth1_minimizer_by_hand():
    c = classify_regularized(PROBLEM, MINIMIZER)
    assert c.kind == GLOBAL_MINIMIZER and c.critical and c.loss == F(5, 4)
    eb = c.error_bound
    assert eb.holds and eb.nullity == 0 and eb.orbit_dimension == 0
    assert eb.mu_plus == (F(2), F(2)) and eb.kappa == (F(1, 2), F(1, 2))


def test_depth1_identity_is_not_critical():
    # gradient at W = I: (I - Y) + I = diag(0, 1) != 0
    assert classify_regularized(PROBLEM, [[[1, 0], [0, 1]]]).kind == NOT_CRITICAL


def test_depth1_non_whitened_hessian():
    # X = diag(1, 2), Y = diag(2, 2), lambda = 1: W* = Y X (X X + I)^(-1) = diag(2/2, 4/5);
    # Hessian eigenvalues 1 + 1 (twice) and 4 + 1 (twice): mu_+ = 2
    pb = Problem.create([[1, 0], [0, 2]], [[2, 0], [0, 2]], 1)
    eb = error_bound(pb, [[[1, 0], [0, F(4, 5)]]])
    assert eb.holds and eb.inertia.n_plus == 4 and eb.mu_plus == (F(2), F(2))


@settings(max_examples=25, deadline=None)
@given(y=st.fractions(min_value=-20, max_value=20), lam=st.fractions(min_value=F(1, 100), max_value=20))
def test_depth1_scalar_minimizer(y, lam):
    # scalar X = 1: w* = y / (1 + lambda), a global minimizer whatever y and lambda > 0
    pb = Problem.create([[1]], [[y]], lam)
    assert error_bound_data_condition(pb, 1)[0] is True
    assert classify_regularized(pb, [[[y / (1 + lam)]]]).kind == GLOBAL_MINIMIZER


def test_depth1_cli_exit_0(tmp_path, capsys):
    path = tmp_path / "d1.json"
    path.write_text(json.dumps({"X": [[1, 0], [0, 1]], "Y": [[2, 0], [0, 1]],
                                "weights": [[["1", "0"], ["0", "1/2"]]], "lambda": "1"}))
    assert main(["regularized", "--json", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == GLOBAL_MINIMIZER and out["theorem_R2"]["error_bound_everywhere"] is True
