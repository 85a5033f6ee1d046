"""certify under --timeout: the escape-curve search gets at most a quarter of the budget (`exactdln certify
--help`), so that a deep non-strict saddle still gets a checked certificate instead of exit 5: at depth 64 the
classification and the checker took up to 9 s beside a 10 s search in a 20 s budget (found by bench/fuzz.py)."""

from __future__ import annotations

import importlib
import shutil

import pytest

from exactdln.cli import main
from tests.support import ROOT


@pytest.mark.parametrize("argv, expected", [([], 20.0), (["--timeout", "8"], 2.0), (["--timeout", "100"], 20.0),
                                            (["--timeout", "8", "--escape-time", "7"], 7.0)])
def test_escape_search_budget(tmp_path, monkeypatch, argv, expected):
    point = importlib.import_module("exactdln.certify.point")   # exactdln.certify is also the public function

    seen = []
    real = point.certify

    def spy(problem, weights, *, escape_time_limit):
        seen.append(escape_time_limit)
        return real(problem, weights, escape_time_limit=escape_time_limit)

    monkeypatch.setattr(point, "certify", spy)
    source = tmp_path / "tc1a.json"
    shutil.copy(ROOT / "exactdln" / "examples" / "tc1a.json", source)
    timeout = argv[:2] if argv[:1] == ["--timeout"] else []
    rest = argv[2:] if timeout else argv
    assert main([*timeout, "certify", *rest, str(source), "-o", str(tmp_path / "c.json")]) == 0
    assert seen == [expected]
