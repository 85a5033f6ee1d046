"""exactdln/numeric/stiff_flow.py: the stiff gradient flow follows the flow's own laws.

Expected values from elsewhere: dL/dt = -||grad L||^2 along the flow, so the loss never rises; the balancedness
C_1 = W_2^T W_2 - W_1 W_1^T is conserved by the unregularized flow (Arora, Cohen, Hazan 2018, Thm 1; Bah, Rauhut,
Terstiege, Westdickenberg 2022); the scalar two-layer flow from a balanced start w_1 = w_2 = w_0 has the closed form of
Saxe, McClelland, Ganguli (2014) (product -> y); and the limit of X = I, Y = diag(3, 1) is a global minimizer,
W_2 W_1 = Y.
"""

from __future__ import annotations

import numpy as np
import pytest

from exactdln.model.problem import InputError, Problem
from exactdln.numeric.flows import saxe_scalar_solution
from exactdln.numeric.stiff_flow import stiff_gradient_flow


def test_the_scalar_flow_is_saxes_closed_form():
    problem = Problem.create([[1]], [[2]])
    w0 = 1e-3
    run = stiff_gradient_flow(problem, [[[w0]], [[w0]]], t_end=20.0, rtol=1e-11, atol=1e-14)
    product = run.weights[1][:, 0, 0] * run.weights[0][:, 0, 0]
    expected = np.array([saxe_scalar_solution(2.0, w0 * w0, t) for t in run.times])   # its w is the product
    assert np.all(np.diff(run.times) > 0) and run.records == len(product)
    assert np.max(np.abs(product - expected)) < 1e-6


def test_the_loss_never_rises_the_balance_is_kept_and_the_limit_fits_y():
    problem = Problem.create([[1, 0], [0, 1]], [[3, 0], [0, 1]])
    rng = np.random.default_rng(0)
    start = [1e-4 * rng.standard_normal((2, 2)), 1e-4 * rng.standard_normal((2, 2))]
    run = stiff_gradient_flow(problem, start, t_end=2e4)
    W1, W2 = run.weights
    P = W2 @ W1
    loss = 0.5 * np.sum((P - np.diag([3.0, 1.0])) ** 2, axis=(1, 2))
    assert np.all(np.diff(loss) <= 1e-9 * loss[:-1] + 1e-15)
    balance = np.swapaxes(W2, 1, 2) @ W2 - W1 @ np.swapaxes(W1, 1, 2)
    assert np.max(np.abs(balance - balance[0])) < 1e-6
    assert np.allclose(P[-1], np.diag([3.0, 1.0]), atol=1e-6)


def test_bad_weights_are_refused():
    with pytest.raises(InputError):
        stiff_gradient_flow(Problem.create([[1]], [[1]]), [np.ones(3)], t_end=1.0)


def test_the_records_are_a_thinned_subsequence_of_the_same_flow():
    """Thinning only chooses which accepted steps are kept: with record_rtol = record_gap = 0 every step is kept,
    and the default records are a subsequence of those (same times, same weights), start and end included, with no
    gap longer than record_gap x t_end between two records."""
    problem = Problem.create([[1, 0], [0, 1]], [[3, 0], [0, 1]])
    rng = np.random.default_rng(1)
    start = [1e-4 * rng.standard_normal((2, 2)), 1e-4 * rng.standard_normal((2, 2))]
    t_end = 2e4
    every = stiff_gradient_flow(problem, start, t_end=t_end, record_rtol=0, record_gap=0)
    thin = stiff_gradient_flow(problem, start, t_end=t_end, record_rtol=0.05, record_gap=0.01)
    assert every.records == every.steps + 1 and thin.steps == every.steps
    assert thin.records < every.records
    index = np.searchsorted(every.times, thin.times)
    assert np.array_equal(every.times[index], thin.times)
    for full, kept in zip(every.weights, thin.weights):
        assert np.array_equal(full[index], kept)
    assert thin.times[0] == 0.0 and thin.times[-1] == every.times[-1]
    # between two records either the gap rule fired or the last accepted step before the next record was kept
    assert np.all(np.diff(thin.times) <= 0.01 * t_end + np.max(np.diff(every.times)))


def test_record_options_must_be_finite_and_non_negative():
    problem = Problem.create([[1]], [[1]])
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="record_rtol"):
            stiff_gradient_flow(problem, [[[0.1]], [[0.1]]], t_end=1.0, record_rtol=bad)
