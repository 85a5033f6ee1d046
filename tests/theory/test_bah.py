"""Exact identities of the gradient dynamics (exactdln.theory.bah; Bah, Rauhut, Terstiege, Westdickenberg 2022):
conservation, the GD defect, the balanced product flow and the energy identity (docs/maths/gradient_flow.md
§1.2-§1.5, §2), and the rank-restricted global test of §1.6 (c). Expected values are hand-worked (T5, T6 of §3.4)
or the identities themselves, which hold at every point.
"""

from __future__ import annotations

import random
from fractions import Fraction as F

from hypothesis import given, settings, strategies as st

from exactdln.arith.exact import from_fmpq_mat, to_fmpq_mat
from exactdln.model.problem import Problem, RationalMatrix
from exactdln.theory.bah import (
    balance_matrices, balanced_product_flow_defect, conservation_derivative, energy_identity_defect,
    gd_balance_defect, gd_step, product_flow_operator, rank_restricted_global,
)
from tests.support.flow_points import T6_point, U, random_point as _random_point, rm


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


def test_rank_restricted_global_eckart_young():
    """docs/maths/gradient_flow.md §1.6 (c): on M_k the global minimizers fit the top-k singular values (Y = diag(4, 1), X = I)."""
    pb = Problem.create([[1, 0], [0, 1]], [[4, 0], [0, 1]])
    assert rank_restricted_global(pb, [[[2, 0], [0, 0]], [[2, 0], [0, 0]]])[0] is True     # J = {1}
    assert rank_restricted_global(pb, [[[0, 0], [0, 1]], [[0, 0], [0, 1]]])[0] is False    # J = {2}
    assert rank_restricted_global(pb, [[[2, 0], [0, 1]], [[2, 0], [0, 1]]])[0] is True     # J = {1, 2}
    assert rank_restricted_global(pb, [[[1, 0], [0, 1]], [[2, 0], [0, 1]]])[0] is False    # not critical on M_2
    # balanced start with w0 > 0 > y converges to 0 (T2): 0 is the optimum on M_0
    assert rank_restricted_global(Problem.create([[1]], [[-1]]), [[[0]], [[0]]])[0] is True
