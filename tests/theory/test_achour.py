"""The classification theorem as one decision from the facts (exactdln.theory.achour.theorem_verdict):
the cases (a)-(c) of docs/maths/classification.md §3.3 on hand-chosen S, r_max and pivots, the tightened rank
condition of §3.2, and the point route and the family route (exactdln/symbolic/analysis.py) reaching the
same kind through it."""

from __future__ import annotations

from fractions import Fraction

import pytest

from exactdln.model.results import GLOBAL_MINIMIZER, NON_STRICT_SADDLE, STRICT_SADDLE
from exactdln.theory.achour import Pivot, is_tightened, theorem_verdict
from exactdln.theory.classify import classify


def never():
    raise AssertionError("pivots are needed only in case (c)")


@pytest.mark.parametrize("fitted, r_max, kind", [
    ((1, 2), 2, GLOBAL_MINIMIZER),        # (a) S = [r_max]
    ((1,), 1, GLOBAL_MINIMIZER),          # (a) with a bottleneck of width 1
    ((2,), 2, STRICT_SADDLE),             # (b) S = {2} != [1]
    ((1, 3), 2, STRICT_SADDLE),           # (b) also when r = r_max
])
def test_cases_a_and_b_need_no_pivots(fitted, r_max, kind):
    verdict, found = theorem_verdict(fitted, r_max, never)
    assert verdict.kind == kind and verdict.method == "theorem" and found == []


def test_case_c_strict_iff_some_pivot_is_not_tightened():
    verdict, found = theorem_verdict((1,), 2, lambda: [Pivot(1, 3, True), Pivot(2, 3, False)])
    assert verdict.kind == STRICT_SADDLE and "(2,3) not tightened" in verdict.reason
    assert found == [Pivot(1, 3, True), Pivot(2, 3, False)]
    verdict, _ = theorem_verdict((1,), 2, lambda: [Pivot(1, 3, True)])
    assert verdict.kind == NON_STRICT_SADDLE
    verdict, _ = theorem_verdict((), 2, lambda: [])          # S = [0]: W_{H:1} = 0, no pivot
    assert verdict.kind == NON_STRICT_SADDLE


def test_tightened_rank_condition():
    """rk W_{k-1:1} = rk W_{k-1:h+1} = rk W_{H:h+1}; the empty product W_{h:h+1} is I_(d_h)."""
    widths = (2, 2, 2, 2)
    ranks = {(1, 1): 1, (1, 2): 1, (2, 2): 1, (2, 3): 1, (3, 3): 1, (1, 3): 1}

    def rank(i, j):
        return widths[i - 1] if j == i - 1 else ranks[(i, j)]

    assert is_tightened(rank, 1, 3, 3)                       # rk W_{2:1} = rk W_{2:2} = rk W_{3:2} = 1
    assert not is_tightened(rank, 1, 2, 3)                   # middle block I_2 has rank 2 > rk W_{1:1} = 1


FAMILY = {"X": [[1, 0], [0, 1]], "Y": [[3, 0], [0, 1]],
          "weights": [[["3*a", "0"], ["0", "0"]], [["1/a", "0"], ["0", "b"]], [["1", "0"], ["0", "0"]]],
          "parameters": {"a": "nonzero", "b": "real"}}


@pytest.mark.parametrize("a, b", [(1, 1), (2, Fraction(-1, 3)), (-5, 7)])
def test_point_route_and_family_route_agree(a, b):
    """Outside the family's exceptional set (b = 0) the point at (a, b) gets the family's kind and reason."""
    from exactdln.symbolic import classify_family, load_family

    verdict = classify_family(FAMILY)
    assert verdict.applies_at({"a": a, "b": b})
    problem, weights = load_family(FAMILY).specialize({"a": a, "b": b})
    point = classify(problem, weights, method="theorem")
    theorem = next(m for m in point.methods if m.method == "theorem")
    assert theorem.kind == verdict.kind == STRICT_SADDLE
    assert theorem.reason == verdict.reason
