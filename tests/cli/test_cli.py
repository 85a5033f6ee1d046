"""Tests of the ``exactdln classify`` command, run as ``python -m exactdln`` in a subprocess.

Expected values: the exit codes of the command line contract (README.md: 0 ok, 2 bad input, 3 routes disagree),
the JSON keys it lists, and the verdicts and losses of the worked cases (docs/maths/classification.md §8 TC1a:
global, L = 1/2; TC2a: non-strict, L = 1/2; docs/maths/global_optimality.md §4 T4: strict, L = 5/2, S = {1, 3}).
tests/test_cli_contract.py checks the contract on every command.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import exactdln
from exactdln.cli import main
from tests.support import ROOT as _ROOT

ROOT = _ROOT

TC1A = {"X": [[1, 0], [0, 1]], "Y": [[2, 0], [0, 1]], "weights": [[[1, 0]], [[2], [0]]]}
TC2A = {"X": [[1, 0], [0, 1]], "Y": [[3, 0], [0, 1]],
        "weights": [[[3, 0], [0, 0]], [[1, 0], [0, 0]], [[1, 0], [0, 0]]]}
T4 = {"X": [[0, -1, 1, 1], [0, -1, 1, 0], [1, 2, -1, 1]], "Y": [[1, -1, 1, -1], [-1, 0, 1, 1], [0, 2, 0, 1]],
      "weights": [[[-1, 2, 0], [0, "2/3", "1/3"]], [[1, 0], [0, 1]], [[1, 1], [0, 1], [-1, 1]]]}

KEYS = {"file", "critical", "kind", "inertia", "loss", "rank", "fitted", "partial_ranks", "assumptions", "methods",
        "agree"}


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "exactdln", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)


def write(tmp_path: Path, name: str, data) -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def test_version():
    out = run_cli("--version")
    assert out.returncode == 0
    assert exactdln.__version__ in out.stdout


def test_readable_report(tmp_path):
    path = write(tmp_path, "tc1a.json", TC1A)
    out = run_cli("classify", path)
    assert out.returncode == 0, out.stderr
    assert "global_minimizer" in out.stdout
    assert "loss: 1/2 (0.5)" in out.stdout        # the fraction and its decimal
    assert "Traceback" not in out.stderr


def test_json_one_line_per_file(tmp_path):
    a = write(tmp_path, "tc1a.json", TC1A)
    b = write(tmp_path, "t4.json", T4)
    out = run_cli("classify", "--json", a, b)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert KEYS <= set(first) and KEYS <= set(second)
    assert first["file"] == a and second["file"] == b
    assert first["kind"] == "global_minimizer" and first["loss"] == "1/2" and first["critical"] is True
    assert second["kind"] == "strict_saddle" and second["loss"] == "5/2" and second["fitted"] == [1, 3]
    assert second["inertia"][1] == 1              # T4 has exactly one negative eigenvalue (docs/maths/global_optimality.md §4)
    assert first["agree"] is True and second["agree"] is True
    assert first["assumptions"]["sigma_xx_invertible"] is True


def test_json_method_theorem_has_no_inertia(tmp_path):
    path = write(tmp_path, "tc2a.json", TC2A)
    out = run_cli("classify", "--json", "--method", "theorem", path)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["kind"] == "non_strict_saddle"
    assert result["inertia"] is None
    assert "theorem" in {m["method"] for m in result["methods"]}


def test_json_method_hessian_has_inertia(tmp_path):
    path = write(tmp_path, "tc2a.json", TC2A)
    out = run_cli("classify", "--json", "--method", "hessian", path)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["kind"] == "non_strict_saddle"
    n_plus, n_minus, n_zero = result["inertia"]
    assert n_minus == 0 and n_plus + n_minus + n_zero == 12


@pytest.mark.parametrize("content, field", [
    ({**TC1A, "X": [[1, 0], [0]]}, "X"),
    ({**TC1A, "Y": [[2, 0], [0, "abc"]]}, "Y[1][1]"),
    ({**TC1A, "weights": [[[1, 0]], [[2, 0], [0, 1]]]}, "weights[1]"),
    ({**TC1A, "lambda": "-1"}, "lambda"),
    ({"X": [[1]], "Y": [[1]]}, "weights"),
])
def test_bad_input_exit_2_names_file_and_field(tmp_path, content, field):
    path = write(tmp_path, "bad.json", content)
    out = run_cli("classify", path)
    assert out.returncode == 2
    assert path in out.stderr
    assert field in out.stderr
    assert "Traceback" not in out.stderr
    assert out.stderr.startswith(f"exactdln classify: {path}: ") and len(out.stderr.strip().splitlines()) == 1
    out = run_cli("classify", "--json", path)
    assert out.returncode == 2 and "Traceback" not in out.stderr and out.stdout.strip() == ""


NOT_UTF8 = b"\xff\xfe\x00"


@pytest.mark.parametrize("content", ["{not json", "[" * 100000, NOT_UTF8])
def test_unreadable_files_exit_2(tmp_path, content):
    path = tmp_path / "bad.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    out = run_cli("classify", str(path))
    assert out.returncode == 2
    assert str(path) in out.stderr
    assert "Traceback" not in out.stderr


def test_missing_file_exit_2(tmp_path):
    out = run_cli("classify", str(tmp_path / "absent.json"))
    assert out.returncode == 2
    assert "absent.json" in out.stderr and "Traceback" not in out.stderr


def test_good_and_bad_file_together(tmp_path):
    good = write(tmp_path, "good.json", TC1A)
    bad = write(tmp_path, "bad.json", {**TC1A, "X": "oops"})
    out = run_cli("classify", "--json", good, bad)
    assert out.returncode == 2
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["file"] == good
    assert bad in out.stderr


def test_disagreement_exits_3(tmp_path, monkeypatch, capsys):
    # the plumbing: a Classification with agree=False must give exit status 3 (README.md, the contract)
    import dataclasses
    import importlib

    # the package re-exports the function under this name; imported here so that the test runs on its own too
    classify_module = importlib.import_module("exactdln.theory.classify")

    real = classify_module.classify

    def disagreeing(*args, **kwargs):
        return dataclasses.replace(real(*args, **kwargs), agree=False)

    monkeypatch.setattr(classify_module, "classify", disagreeing)
    path = write(tmp_path, "tc1a.json", TC1A)
    assert main(["classify", "--json", path]) == 3
    assert json.loads(capsys.readouterr().out)["agree"] is False


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "classify" in capsys.readouterr().out


def test_readable_report_has_verdict_s_value_ranks_and_inertia(tmp_path):
    # the report shows verdict, S, critical value, ranks table, inertia; T4 (docs/maths/global_optimality.md §4):
    # strict, S = {1, 3}, loss 5/2
    path = write(tmp_path, "t4.json", T4)
    out = run_cli("classify", path)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "strict_saddle" in text
    assert "S = {1, 3}" in text
    assert "5/2" in text
    assert "ranks" in text.lower()
    assert "inertia" in text.lower()
    assert path in text


def test_classify_max_file_mb_raises_the_size_cap(tmp_path, capsys):
    # an 81-byte point file: refused under a 0.00005 MiB (52-byte) cap, accepted under the default
    from exactdln.cli import main

    path = tmp_path / "p.json"
    path.write_text(json.dumps({"X": [[1, 0], [0, 1]], "Y": [[2, 0], [0, 1]],
                                "weights": [[[1, 0]], [[2], [0]]]}), encoding="utf-8")
    assert path.stat().st_size > 53
    assert main(["classify", "--json", "--max-file-mb", "0.00005", str(path)]) == 2
    assert "more than" in capsys.readouterr().err
    assert main(["classify", "--json", str(path)]) == 0
    assert main(["classify", "--max-file-mb", "0", str(path)]) == 2


def test_workers_below_one_exit_2_and_one_or_two_give_the_same_verdict(tmp_path):
    path = write(tmp_path, "tc2a.json", TC2A)
    out = run_cli("classify", "--workers", "0", path)
    assert out.returncode == 2 and "--workers" in out.stderr and "Traceback" not in out.stderr
    one, two = run_cli("classify", "--json", "--workers", "1", path), run_cli("classify", "--json", "--workers", "2", path)
    assert one.returncode == two.returncode == 0
    assert json.loads(one.stdout)["kind"] == json.loads(two.stdout)["kind"] == "non_strict_saddle"   # TC2a: N1
