"""The negative-direction search on the orbit-complement block of the Hessian.

Expected values: the kinds of the worked cases (docs/maths/classification.md §8 and
docs/maths/global_optimality.md §4, copied in tests/theory/test_classify.py): at a critical point a strict
saddle has a Hessian with a negative eigenvalue, a global minimizer or non-strict saddle a positive
semidefinite one. Each direction found is checked against the full Hessian built separately.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from flint import fmpq, fmpq_mat

from exactdln.instances.construct import worked_instances
from exactdln.landscape.derivatives import hessian_matrix
from exactdln.landscape.point import ExactPoint
from exactdln.landscape.reduced_hessian import orbit_pivots, reduced_negative_direction

# name -> has a negative Hessian direction (strict saddle) or not (global minimizer / non-strict saddle)
STRICT = {"TC1b": True, "TC1c": True, "TC2b": True, "TC2d": True, "TC3b": True, "TC4a": True, "TC5b": True,
          "T4": True, "T5b": True,
          "TC1a": False, "TC2a": False, "TC2c": False, "TC2e": False, "TC3a": False, "TC4b": False, "TC5a": False,
          "TC6": False, "T1": False, "T2": False, "T3": False, "T5": False, "T5c": False}
CASES = dict(worked_instances())


@pytest.mark.parametrize("name", sorted(STRICT))
def test_direction_exists_exactly_at_strict_saddles(name):
    case = CASES[name]
    point = ExactPoint.of(case.problem, case.weights)
    v = reduced_negative_direction(point)
    assert (v is not None) == STRICT[name]
    if v is None:
        return
    assert all(v[i] == 0 for i in orbit_pivots(point))         # supported on the complement F
    hess = hessian_matrix(case.problem, point)
    column = fmpq_mat(len(v), 1, [fmpq(x.numerator, x.denominator) for x in map(Fraction, v)])
    assert (column.transpose() * hess * column)[0, 0] < 0
