"""Regressions found by fuzzing the standalone checker over number fields (tests/fuzz/hostile_field.py).

Worked case TC1b of exactdln/trusted/FORMAT.md: X = I, Y = diag(2, 1), W_1 = [0 1], W_2 = [0; 1] and the line
T = ([1 0], [1; 0]) give L(W + tT) - L(W) = -t^2 + t^4/2; along s T it is -s^2 t^2 + s^4 t^4 / 2."""

from __future__ import annotations

import json

from exactdln.trusted import checker

GOLDEN = {"minpoly": ["-1", "-1", "1"], "interval": ["1", "2"]}       # phi = (1 + sqrt 5)/2


def _tc1b_escape(s: list[str]) -> dict:
    """TC1b over Q(phi) with the escape curve W + t s T, s = s_0 + s_1 phi."""
    return {"format": "exactdln-certificate", "version": 1, "field": GOLDEN,
            "problem": {"X": [["1", "0"], ["0", "1"]], "Y": [["2", "0"], ["0", "1"]], "lambda": "0"},
            "point": {"weights": [[["0", "1"]], [["0"], ["1"]]]},
            "claims": [{"type": "escape_curve", "coefficients": [[[[s, "0"]], [[s], ["0"]]]]}]}


def test_escape_coefficient_beyond_python_digit_limit_is_reported_not_refused(tmp_path, capsys):
    """s = 10^2200 phi: the t^2 coefficient is -s^2 = -10^4400 (phi + 1), whose integers have 4,401 digits, past
    Python's 4,300-digit int -> str limit. The claim holds (order 2, negative), so the checker says ok and exits
    0; it used to raise ValueError in the message (exit 2, "malformed (unexpected ValueError)")."""
    path = tmp_path / "c.json"
    path.write_text(json.dumps(_tc1b_escape(["0", "1" + "0" * 2200])))
    assert checker.main([str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok   escape_curve:") and "order 2" in out


def test_bisection_of_a_huge_interval_is_priced_before_it_runs():
    """The interval (1, 10^4999) isolates phi (the other root of t^2 - t - 1 is 1 - phi < 0), so the field is
    valid; the t^2 coefficient of the curve W + t s T, s = 2 - phi, is -s^2 = 3 phi - 5 (phi^2 = phi + 1), which
    changes sign at 5/3 inside the interval, so its sign at phi needs ~16,600 bisections
    whose midpoints have ~16,600 bits, and Fraction's gcds make each evaluation cost the square of that size.
    The check is refused by MAX_WORK (malformed) instead of running for tens of seconds within the caps."""
    cert = _tc1b_escape(["2", "-1"])
    cert["field"] = {"minpoly": GOLDEN["minpoly"], "interval": ["1", "1" + "0" * 4999]}
    try:
        checker.check_certificate(json.loads(json.dumps(cert)))
    except checker.Malformed as err:
        assert "MAX_WORK" in str(err)
    else:
        raise AssertionError("the check ran past its price")
