"""Numeric paths on numbers out of their range: inconclusive with a reason, never an exception or a
false claim (the exact path is the arbiter; README, "Input limits").

TC1b (docs/maths/classification.md §8) scaled: X = diag(s, 1), Y = diag(2s, 1), W_1 = [0 1], W_2 = [0; 1]
is a strict saddle for every s > 0 (the fit of the second direction is kept, the first is missed).
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from exactdln.model.problem import Problem, RationalMatrix
from exactdln.numeric.float64 import classify_float
from exactdln.numeric.mp import classify_mp
from exactdln.theory.classify import classify
from exactdln.tools.crosscheck import crosscheck


def _m(rows):
    return RationalMatrix(tuple(tuple(Fraction(x) for x in r) for r in rows), len(rows[0]))


def tc1b_scaled(s: Fraction):
    problem = Problem(_m([[s, 0], [0, 1]]), _m([[2 * s, 0], [0, 1]]))
    return problem, (_m([[0, 1]]), _m([[0], [1]]))


@pytest.mark.parametrize("s", [Fraction(10) ** 4300, Fraction(10) ** 400, Fraction(1, 10**5000)])
def test_float_path_is_inconclusive_beyond_float64(s):
    problem, ws = tc1b_scaled(s)
    result = classify_float(problem, ws)
    assert result.kind == "inconclusive" and result.conditional_kind in (None, "strict_saddle")
    if s > 1:
        assert result.critical == "undecided" and "float64" in " ".join(result.reasons)


@pytest.mark.parametrize("s", [Fraction(10) ** 40, Fraction(10) ** 4300])
def test_no_numeric_inertia_contradicts_the_exact_one(s):
    problem, ws = tc1b_scaled(s)
    exact = classify(problem, ws)
    assert exact.kind == "strict_saddle"
    mp = classify_mp(problem, ws)
    assert mp.inertia is None or mp.inertia == exact.inertia          # X = diag(10^40, 1) once gave 3 false zeros
    assert crosscheck(problem, ws).agree


def test_deep_network_is_analysed_without_the_full_rank_table():
    # depth 64, width 1, all weights 1, X = Y = 1: W_{H:1} X = Y, the loss is 0: a global minimizer
    H = 64
    problem = Problem(_m([[1]]), _m([[1]]))
    ws = tuple(_m([[1]]) for _ in range(H))
    for result in (classify_float(problem, ws), classify_mp(problem, ws)):
        assert result.kind == "inconclusive" and result.conditional_kind in (None, "global_minimizer")
        assert result.rank == 1
    assert crosscheck(problem, ws).agree
