"""A Hessian whose eigenvalue ratio overflows float64 (an entry of X of 1e315) gives no numpy warning on stderr:
the float guide of the exact inertia treats the ratio as an infinite condition number and steps aside
(fuzz input 4002/9222, whose stderr carried 'RuntimeWarning: overflow encountered in scalar divide')."""

from __future__ import annotations

import json
import warnings

from exactdln.cli import main

POINT = {"X": [["0", "1e315"]], "Y": [["1/2", "-1/3"], ["1/2", "-2"], ["2", "-1"]],
         "weights": [[["0"], ["0"]], [["-3", "0"], ["-2/3", "1"], ["0", "0"]]]}


def test_no_warning_reaches_stderr(tmp_path, capsys):
    path = tmp_path / "p.json"
    path.write_text(json.dumps(POINT))
    with warnings.catch_warnings():
        warnings.simplefilter("error")             # a numpy warning would turn into an internal error (exit 4)
        assert main(["crosscheck", "--json", str(path)]) in (0, 1)
    assert capsys.readouterr().err == ""
