"""The mpmath path's precision schedule: zero pivots are confirmed by one run at the precision that can confirm them.

exactdln/numeric/mp.py confirms an inertia with zero pivots only by a run at confirm_digits or more (the input's
spread of magnitudes times the 2(H + 1) factors of a Hessian entry, plus the start digits). Runs between the
start and that precision can confirm nothing, so the schedule goes there at once.
"""

from __future__ import annotations

from exactdln.model.problem import Problem
from exactdln.model.results import Inertia
import exactdln.numeric.mp as mp_path


def test_zero_hessian_confirmed_by_one_run_at_the_spread_precision(monkeypatch):
    # depth 4, width 1, W = 0: L = 1/2 (w4 w3 w2 w1 x - y)^2, and every second derivative at 0 keeps two factors
    # w_k = 0, so the Hessian is 0 (inertia (0, 0, 4)); the gradient keeps three. x = 2^20 and y = 1 are 20 bits
    # apart: a spread of ceil(22 log10 2) = 7 digits, so zero pivots are confirmed at 30 + 2 (4 + 1) 7 = 100 digits
    runs = []
    real = mp_path.analyse

    def spy(problem, ws, ar, **kw):
        runs.append(ar.digits)
        return real(problem, ws, ar, **kw)

    monkeypatch.setattr(mp_path, "analyse", spy)
    problem = Problem.create([[2**20]], [[1]])
    result = mp_path.classify_mp(problem, [[[0]]] * 4)
    assert result.inertia == Inertia(0, 0, 4)
    assert runs[0] == 30 and len(runs) == 2 and runs[1] >= 100       # not 30, 60, 120
    assert result.kind != "strict_saddle"
