"""The error-bound test on block-diagonal Hessians (exactdln/theory/regularized.py error_bound).

Facts worked by hand: at the origin of a network of depth H >= 3 every second derivative of the data term
contains a zero factor, so the Hessian of the regularized loss is diag(lambda_h I); its inertia is
(n, 0, 0) and mu_+ = min lambda_h. At depth 2 the origin couples W_1 and W_2 through -Sigma_YX (scalar case:
[[lambda_1, -y], [-y, lambda_2]], eigenvalues (l1 + l2)/2 +- sqrt(((l1 - l2)/2)^2 + y^2)).
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from exactdln.model.problem import Problem
from exactdln.theory.regularized import error_bound


def _origin(widths):
    return [[[0] * widths[h] for _ in range(widths[h + 1])] for h in range(len(widths) - 1)]


@pytest.mark.parametrize("depth", [3, 5, 12])
def test_deep_origin_is_diagonal(depth):
    lams = [F(k + 2, 3) for k in range(depth)]               # 2/3, 1, 4/3, ...: the least is 2/3
    pb = Problem.create([[1, 0], [0, 2]], [[3, 1], [0, -1]], lams)
    eb = error_bound(pb, _origin([2] * (depth + 1)))
    n = 4 * depth
    assert (eb.inertia.n_plus, eb.inertia.n_minus, eb.inertia.n_zero) == (n, 0, 0)
    assert eb.holds and eb.mu_plus == (F(2, 3), F(2, 3))


def test_depth2_origin_scalar_block():
    # X = 1, Y = 3, lambda = (1, 4): eigenvalues 5/2 +- sqrt(9/4 + 9) = 5/2 +- 3 sqrt(5)/2; one negative
    eb = error_bound(Problem.create([[1]], [[3]], [1, 4]), [[[0]], [[0]]])
    assert (eb.inertia.n_plus, eb.inertia.n_minus, eb.inertia.n_zero) == (1, 1, 0)
    lo, hi = eb.mu_plus                                    # min |eig| = 3 sqrt(5)/2 - 5/2 = 0.8541...
    assert lo <= hi and lo * 2 + 5 > 0 and (2 * lo + 5) ** 2 <= 45 <= (2 * hi + 5) ** 2
