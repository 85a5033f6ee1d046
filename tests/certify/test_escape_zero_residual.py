"""The escape-curve search on a loss that is constant: it must end (and find nothing).

With X = 0 and Y = 0, L(W) = 1/2 ||W_H ... W_1 X - Y||^2 = 0 for every W: every point is a global minimizer,
so no curve decreases L. The cut-chain search (docs/maths/escape_curves.md §4) has no cut set with a nonzero
K = W_{H:b+1}^T G W_{a-1:1}^T (G = 0), and must return instead of enumerating the 2^H cut sets.
"""

from __future__ import annotations

from exactdln.certify.escape import find_escape_curve
from exactdln.model.problem import Problem


def test_constant_loss_deep_network_has_no_escape_curve():
    problem = Problem.create([[0]], [[0]])
    weights = [[["-1/2"]], [["3"]]] + [[["1"]]] * 62
    assert find_escape_curve(problem, weights, time_limit=600.0) is None
