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


def test_a_gradient_bound_far_below_the_float_range_is_reported_not_raised(tmp_path, capsys):
    """X = (2.69e-4745, 4)^T, Y = 4, W = (-1, 1): the product W X = 4 - 2.69e-4745 misses Y by 2.69e-4745, so the
    point is not critical, and the mpmath path's numbers (about 1e-9490 at ~20,000 bits) must still print
    (fuzz seed 5009, input 65733: nstr of such a number passed Python's 4,300-digit int/str limit, exit 4)."""
    import json

    from exactdln.cli import main

    path = tmp_path / "tiny.json"
    path.write_text(json.dumps({"X": [["2.69e-4745"], ["4"]], "Y": [["4"]], "weights": [[["-1", "1"]]]}))
    code = main(["crosscheck", str(path)])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    assert "internal error" not in err and "not_critical" in out
    # the exact gradient norm (about 2.69e-4745 times |W|) underflows as a float: the text must not say 0 > 0
    assert "|grad| 0 >" not in out and "|grad| = 0" not in out and "below the float64 range" in out
    from decimal import Decimal, localcontext

    with localcontext() as ctx:                                  # 2^-51455 to 3 digits by the decimal module
        ctx.prec = 30
        expected = f"{Decimal(2) ** -51455:.2e}"
    assert mp_path._short(mp_path.mpmath.mpf((0, 1, -51455, 1)), 3) == expected
