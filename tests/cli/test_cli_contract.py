"""The command line contract (README.md, "The command line contract"), checked on every subcommand.

The commands are discovered from exactdln/cli.py's parser, so a new command without a case here fails
the suite. Each runs in process through ``exactdln.cli.main`` on the small inputs of exactdln/examples/
(copied to tmp_path). Expected values are hand facts of the worked cases: TC1a is a global minimizer
with loss 1/2 and TC2a a non-strict saddle with loss 1/2 (docs/maths/classification.md §8); T4 is a
strict saddle with exactly one negative Hessian eigenvalue and loss 5/2 (docs/maths/global_optimality.md
§4); at W = 0 the loss is 1/2 ||Y||_F^2 (5/2 for REG1, Y = diag(2, 1)).
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import re
import shutil
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from exactdln.cli import build_parser, command_names, main
from exactdln.cli.commands import _contract as contract
from exactdln.model.results import Inertia, decimal_text, fraction_text, number_text
from tests.support import ROOT as _ROOT

ROOT = _ROOT
EXAMPLES = ROOT / "exactdln" / "examples"

NOTATION = re.compile(r"n_plus=\d+ n_minus=\d+ n_zero=\d+")
OLD_NOTATIONS = re.compile(r"\(\+\d+, -\d+, 0x\d+\)|n\+, n-, n0")   # the notations used before

# command -> (input files, options); every command of the parser must have a row
GOOD = {
    "certify": (["tc1a", "tc2a"], []),
    "check": (["tc1a.cert", "tc2a.cert"], []),
    "classify": (["tc1a", "t4"], []),
    "crosscheck": (["tc1a", "tc2a"], []),
    "demo": ([], ["--random", "0", "--out", "{tmp}/demo"]),
    "flow": (["tc1a", "tc2a"], ["--no-progress", "--time", "1"]),
    "gd": (["tc1a", "tc2a"], ["--no-progress", "--steps", "20"]),
    "regularized": (["reg1", "reg1-copy"], []),
    "snap": (["tc2a", "tc1a"], []),
    "sweep": ([], [str(EXAMPLES / "sweep.toml"), "--count", "3", "--executor", "inline", "--quiet",
                   "-o", "{tmp}/sweep.jsonl"]),
    "trace": (["staircase"], []),
}

# the keys every --json record of the command carries (common names for common things)
KEYS = {
    "certify": {"file", "kind", "certificate", "checked", "claims"},
    "check": {"file", "ok", "claims"},
    "classify": {"file", "kind", "critical", "inertia", "loss", "rank", "fitted", "agree"},
    "crosscheck": {"file", "kind", "critical", "inertia", "conflicts", "agree"},
    "demo": {"file", "name", "kind", "critical", "inertia", "loss", "rank", "fitted", "ok"},
    "flow": {"file", "converged", "final_loss", "final_grad_norm"},
    "gd": {"file", "converged", "final_loss", "final_grad_norm"},
    "regularized": {"file", "kind", "critical", "inertia", "loss"},
    "snap": {"file", "kind", "inertia", "snapped"},
    "sweep": {"file", "instances", "kinds", "agree", "disagreements", "errors", "matches"},
    "trace": {"file", "records", "plateau"},
}

# a function each command calls while working: made to raise, it must give exit 4 and one line
INTERNAL = {
    "certify": ("exactdln.certify.point", "certify"),
    "check": ("exactdln.cli.commands.check", "_run_checker"),
    "classify": ("exactdln.theory.classify", "classify"),
    "crosscheck": ("exactdln.tools.crosscheck", "crosscheck"),
    "demo": ("exactdln.instances.gallery", "demo_gallery"),
    "flow": ("exactdln.numeric.flows", "gradient_flow"),
    "gd": ("exactdln.numeric.flows", "gradient_descent"),
    "regularized": ("exactdln.theory.regularized", "classify_regularized"),
    "snap": ("exactdln.tools.snap", "snap"),
    "sweep": ("exactdln.tools.sweep.run", "run_sweep"),
    "trace": ("exactdln.tools.trace", "trace"),
}

BAD_POINT = '{"X": [[1, 0], [0]], "Y": [[1]], "weights": [[[1]]]}'   # ragged X


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _takes_files(command: str) -> bool:
    return any(not a.option_strings and a.nargs == "+" for a in _subparsers()[command]._actions)


FILE_COMMANDS = [c for c in command_names() if _takes_files(c)]


@pytest.fixture
def inputs(tmp_path):
    """The examples in tmp_path (certify writes next to its input), a bad point and two certificates."""
    from exactdln.certify.point import certify, write_certificate
    from exactdln.model.problem import load_point

    files = {}
    for src in EXAMPLES.glob("*.json"):
        shutil.copy(src, tmp_path / src.name)
        files[src.stem] = str(tmp_path / src.name)
    shutil.copy(EXAMPLES / "reg1.json", tmp_path / "reg1-copy.json")
    files["reg1-copy"] = str(tmp_path / "reg1-copy.json")
    for name in ("tc1a", "tc2a"):
        cert = certify(*load_point(files[name]))
        path = tmp_path / f"{name}.checked.json"
        write_certificate(cert, str(path))
        files[f"{name}.cert"] = str(path)
    (tmp_path / "bad.json").write_text(BAD_POINT, encoding="utf-8")
    files["bad"] = str(tmp_path / "bad.json")
    files["tmp"] = str(tmp_path)
    return files


def _argv(command: str, inputs: dict, *, json_flag: bool, files=None) -> list[str]:
    names, options = GOOD[command]
    paths = [inputs[n] for n in names] if files is None else files
    options = [o.replace("{tmp}", inputs["tmp"]) for o in options]
    return [command] + (["--json"] if json_flag else []) + options + paths


def _records(out: str) -> list[dict]:
    lines = [line for line in out.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]
    assert all(isinstance(r, dict) for r in records)
    return records


def _gallery_size() -> int:
    from exactdln.instances.gallery import demo_gallery

    return len(demo_gallery(random_points_per_kind=0))


# ------------------------------------------------------------------------------------------------ discovery


def test_every_command_has_a_contract_case():
    commands = set(command_names())
    assert commands == set(GOOD) == set(KEYS) == set(INTERNAL)
    assert "demo" not in FILE_COMMANDS and "classify" in FILE_COMMANDS


@pytest.mark.parametrize("command", command_names())
def test_every_command_has_json_and_documents_its_exit_status(command):
    sub = _subparsers()[command]
    assert any("--json" in a.option_strings for a in sub._actions)
    assert "Exit status" in (sub.description or "")


def test_exit_codes_and_their_order():
    assert (contract.EXIT_OK, contract.EXIT_NEGATIVE, contract.EXIT_BAD_INPUT, contract.EXIT_DISAGREE,
            contract.EXIT_INTERNAL, contract.EXIT_TIME_BUDGET, contract.EXIT_INTERRUPTED) == (0, 1, 2, 3, 4, 5, 130)
    assert contract.most_severe() == 0
    assert contract.most_severe(0, 1) == 1
    assert contract.most_severe(1, 3) == 3
    assert contract.most_severe(3, 2, 1) == 2
    assert contract.most_severe(2, 4, 0) == 4
    assert contract.most_severe(1, 5) == 5 and contract.most_severe(3, 5) == 3


# ------------------------------------------------------------------------------------------------ JSON Lines


@pytest.mark.parametrize("command", command_names())
def test_json_lines_one_record_per_input_with_the_common_keys(command, inputs, capsys):
    assert main(_argv(command, inputs, json_flag=True)) == 0
    captured = capsys.readouterr()
    records = _records(captured.out)
    names = GOOD[command][0]
    files = [r["file"] for r in records]
    if command == "trace":         # JSON Lines per plateau: one or more lines per input, each naming its file
        files = list(dict.fromkeys(files))
    assert len(files) == (len(names) if names else 1 if command == "sweep" else _gallery_size())
    for record in records:
        assert KEYS[command] <= set(record), (command, set(record))
    if names:
        assert files == [inputs[n] for n in names]
    for record in records:     # exact numbers are "p/q" strings, inertias [n_plus, n_minus, n_zero]
        if record.get("loss") is not None:
            Fraction(record["loss"])
            assert isinstance(record["loss"], str)
        if record.get("inertia") is not None:
            assert len(record["inertia"]) == 3 and all(isinstance(n, int) for n in record["inertia"])


def test_json_values_are_the_hand_facts(inputs, capsys):
    assert main(_argv("classify", inputs, json_flag=True)) == 0
    tc1a, t4 = _records(capsys.readouterr().out)
    assert tc1a["kind"] == "global_minimizer" and tc1a["loss"] == "1/2" and tc1a["critical"] is True
    assert t4["kind"] == "strict_saddle" and t4["loss"] == "5/2" and t4["inertia"][1] == 1
    assert main(_argv("regularized", inputs, json_flag=True)) == 0
    reg = _records(capsys.readouterr().out)[0]
    assert reg["kind"] == "strict_saddle" and reg["loss"] == "5/2"
    assert main(_argv("certify", inputs, json_flag=True)) == 0
    kinds = [r["kind"] for r in _records(capsys.readouterr().out)]
    assert kinds == ["global_minimizer", "non_strict_saddle"]
    assert main(_argv("gd", inputs, json_flag=True)) == 0      # both starts are critical: converged at once
    runs = _records(capsys.readouterr().out)
    assert all(r["converged"] for r in runs)
    assert [r["final_loss"] for r in runs] == pytest.approx([0.5, 0.5], abs=1e-12)


def test_json_is_strict_even_for_a_diverging_run(inputs, capsys):
    # eta = 10 on TC2a's data from a scale-1 start overflows float64 within a few steps: not converged (exit 1)
    argv = ["gd", "--json", "--no-progress", "--init-scale", "1", "--eta", "10", "--steps", "200", inputs["tc2a"]]
    assert main(argv) == 1
    captured = capsys.readouterr()

    def refuse(name):
        raise AssertionError(f"non-standard JSON constant {name}")

    record = json.loads(captured.out, parse_constant=refuse)
    assert record["converged"] is False
    # stderr holds only the run's warnings (diverged, suggested step size), one contract line each
    assert record["warnings"] and record["suggested_step_size"] > 0
    assert captured.err.splitlines() == [f"exactdln gd: {inputs['tc2a']}: warning: {w}" for w in record["warnings"]]


def test_family_json_with_latex_stays_json_lines(inputs, capsys):
    assert main(["classify", "--json", "--latex", inputs["family"], inputs["tc1a"]]) == 0
    family, point = _records(capsys.readouterr().out)
    assert family["file"] == inputs["family"] and "latex" in family
    assert point["file"] == inputs["tc1a"]


# ------------------------------------------------------------------------------------------------ errors


@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_bad_file_among_good_ones(command, inputs, capsys):
    good = inputs[GOOD[command][0][0]]
    code = main(_argv(command, inputs, json_flag=True, files=[inputs["bad"], good]))
    captured = capsys.readouterr()
    assert code == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"exactdln {command}: {inputs['bad']}: ")
    assert "Traceback" not in captured.err
    if command != "check":            # a point file: the field is named too
        assert lines[0].startswith(f"exactdln {command}: {inputs['bad']}: X: ")
    records = _records(captured.out)   # the good file was still done
    assert [r["file"] for r in records] == [good]


@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_missing_file_is_bad_input(command, inputs, capsys):
    missing = str(Path(inputs["tmp"]) / "absent.json")
    assert main(_argv(command, inputs, json_flag=False, files=[missing])) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"exactdln {command}: {missing}") and len(err.strip().splitlines()) == 1


def test_usage_errors_exit_2(inputs, capsys):
    assert main(["demo", "--random", "-1"]) == 2
    assert capsys.readouterr().err.strip() == "exactdln demo: --random must be >= 0"
    assert main(["gd", "--eta", "0", inputs["tc1a"]]) == 2
    assert main(["certify", "-o", "x.json", inputs["tc1a"], inputs["tc2a"]]) == 2
    assert main(["classify", "--no-such-option", inputs["tc1a"]]) == 2     # argparse
    capsys.readouterr()


@pytest.mark.parametrize("command", command_names())
def test_internal_error_is_one_line_and_exit_4(command, inputs, capsys, monkeypatch):
    module, name = INTERNAL[command]

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure\nwith a second line")

    monkeypatch.setattr(importlib.import_module(module), name, broken)
    names, _ = GOOD[command]
    files = [inputs[names[0]]] if names else None
    assert main(_argv(command, inputs, json_flag=False, files=files)) == 4
    err = capsys.readouterr().err
    assert err.splitlines() == [f"exactdln {command}: internal error: RuntimeError: simulated failure with a second "
                                f"line (run with --debug for the traceback; please report it)"]
    assert main(["--debug"] + _argv(command, inputs, json_flag=False, files=files)) == 4
    err = capsys.readouterr().err
    assert "Traceback" in err and err.strip().splitlines()[-1].startswith(f"exactdln {command}: internal error:")


def test_debug_after_the_command_and_ctrl_c(inputs, capsys, monkeypatch):
    classify_module = sys.modules["exactdln.theory.classify"]

    def broken(*args, **kwargs):
        raise ZeroDivisionError("simulated")

    monkeypatch.setattr(classify_module, "classify", broken)
    assert main(["classify", "--debug", inputs["tc1a"]]) == 4
    assert "Traceback" in capsys.readouterr().err

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(classify_module, "classify", interrupted)
    assert main(["classify", inputs["tc1a"], inputs["t4"]]) == 130
    assert capsys.readouterr().err.strip() == "exactdln classify: interrupted"


# ------------------------------------------------------------------------------------------------ text output


@pytest.mark.parametrize("command", command_names())
def test_text_output_uses_the_one_inertia_notation(command, inputs, capsys):
    argv = _argv(command, inputs, json_flag=False)
    if command in ("gd", "flow"):
        argv.append("--snap")
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert not OLD_NOTATIONS.search(out)
    if command in ("classify", "crosscheck", "demo", "regularized", "snap", "gd", "flow"):
        assert NOTATION.search(out), out


def test_inertia_notation_and_exact_numbers_in_text(inputs, capsys):
    assert str(Inertia(3, 0, 9)) == "n_plus=3 n_minus=0 n_zero=9"
    assert main(["classify", inputs["tc2a"]]) == 0
    out = capsys.readouterr().out
    assert "Hessian inertia: n_plus=3 n_minus=0 n_zero=9" in out    # TC2a: 3 positive, 9 zero (12 parameters)
    assert "loss: 1/2 (0.5)" in out
    assert main(["regularized", inputs["reg1"]]) == 0
    assert "loss: 5/2 (2.5)" in capsys.readouterr().out


def test_check_names_the_file_on_every_line(inputs, capsys):
    for files in ([inputs["tc1a.cert"]], [inputs["tc1a.cert"], inputs["tc2a.cert"]]):
        assert main(["check", *files]) == 0
        lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
        assert lines and all(any(line.startswith(f"{f}: ") for f in files) for line in lines)
        for f in files:
            assert f"{f}: ok (" in lines[-1] or any(line.startswith(f"{f}: ok (") for line in lines)


def test_check_failing_claim_exits_1_and_names_it(inputs, capsys, tmp_path):
    data = json.loads(Path(inputs["tc2a.cert"]).read_text())
    data["problem"]["Y"][0][0] = "4"          # other data: the gradient at the point is no longer zero
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(data))
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}: FAIL critical" in out
    assert main(["check", "--json", str(path)]) == 1
    record = _records(capsys.readouterr().out)[0]
    assert record["ok"] is False and any(c["claim"] == "critical" and not c["ok"] for c in record["claims"])


# ------------------------------------------------------------------------------------------------ numbers


def test_number_text_small_values():
    assert number_text(Fraction(9, 40)) == "9/40 (0.225)"
    assert number_text(Fraction(1, 3)) == "1/3 (~0.333333)"
    assert number_text(Fraction(-5, 2)) == "-5/2 (-2.5)"
    assert number_text(3) == "3" and number_text(0) == "0"
    assert number_text("17/40") == "17/40 (0.425)"
    assert number_text(Fraction(1, 10**7)) == "1/10000000 (1e-7)"


def test_number_text_long_and_huge_fractions():
    # (10^5000 + 1) / (3 10^4999) = 10/3 + 1/(3 10^4999): 5001 + 5000 digits, str() of either part is refused
    x = Fraction(10**5000 + 1, 3 * 10**4999)
    text = number_text(x)
    assert "..." in text and "(~3.33333, 10001 digits)" in text and len(text) < 120
    assert decimal_text(x) == ("3.33333", False)
    assert decimal_text(Fraction(-(10**6000))) == ("-1e+6000", True)
    # fraction_text keeps every digit: 7^6000 has floor(6000 log10 7) + 1 digits and ends in 7^6000 mod 10^12
    n = 7**6000
    full = fraction_text(Fraction(n, 2))
    numerator, denominator = full.split("/")
    assert len(numerator) == math.floor(6000 * math.log10(7)) + 1 and denominator == "2"
    assert numerator.endswith(f"{pow(7, 6000, 10**12):012d}")


def test_long_loss_abbreviated_in_text_full_in_json(tmp_path, capsys):
    # W = 0 (H = 2, widths 1-1-1) is critical and L(0) = 1/2 y^2 for X = [[1]], Y = [[y]]
    p, q = 10**45 + 7, 3**90
    y = Fraction(p, q)
    path = tmp_path / "long.json"
    path.write_text(json.dumps({"X": [[1]], "Y": [[f"{p}/{q}"]], "weights": [[[0]], [[0]]]}))
    assert main(["classify", str(path)]) == 0
    loss_line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("loss:"))
    assert "..." in loss_line and "digits" in loss_line and len(loss_line) < 120
    assert main(["classify", "--json", str(path)]) == 0
    assert Fraction(_records(capsys.readouterr().out)[0]["loss"]) == y * y / 2


# ------------------------------------------------------------------------------------------------ optional imports


@pytest.mark.parametrize("command, runner", [("gd", "gradient_descent"), ("flow", "gradient_flow")])
def test_plot_without_matplotlib_fails_before_computing(command, runner, inputs, capsys, monkeypatch, tmp_path):
    import exactdln.numeric.flows as flows

    def never(*args, **kwargs):
        raise AssertionError("the run started although --plot cannot be honoured")

    monkeypatch.setattr(flows, runner, never)
    monkeypatch.setitem(sys.modules, "matplotlib", None)        # import matplotlib -> ImportError
    budget = ["--steps", "100000000"] if command == "gd" else ["--time", "1e9"]
    assert main([command, inputs["tc1a"], "--plot", str(tmp_path / "out.png"), "--no-progress", *budget]) == 2
    err = capsys.readouterr().err
    assert err == f"exactdln {command}: --plot needs matplotlib: pip install 'exactdln[plot]'\n"


# ------------------------------------------------------------------------------------------------ documentation


def test_readme_documents_the_contract_for_every_command():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## The command line contract")
    section = text[start: text.find("\n## ", start + 1)]
    for command in command_names():
        assert f"`{command}`" in section, command
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |", "| 4 |", "| 5 |", "| 130 |"):
        assert code in section
    assert "n_plus=3 n_minus=0 n_zero=9" in section


@pytest.mark.parametrize("name", ["bad\x1ename.json", "bad\u2028name.json", "bad\x0bname.json"])
def test_a_control_character_in_a_file_name_stays_on_the_one_line(name, tmp_path, capsys):
    """str.splitlines breaks at \\x1e, \\u2028 and \\x0b as at a newline; a bit-flipped .npz member name held one
    (bench/fuzz.py). The error is still one line, with the character written as its Python escape."""
    path = tmp_path / name
    path.write_text('{"X": [["1", "x"]], "Y": [["1", "1"]], "weights": [[["1"]]]}')
    assert main(["classify", str(path)]) == 2
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("exactdln classify: ") and repr(name)[1:-1] in lines[0]


def test_regularized_text_with_a_critical_value_beyond_the_float_range(tmp_path, capsys):
    """Y with an entry 4e4760 puts Theorem R1's critical values near 1e9519, beyond float64; the text output prints
    them as decimals, not through float() (fuzz seed 5005, input 56682 exited 4)."""
    path = tmp_path / "huge_y.json"
    path.write_text(json.dumps({"X": [["2", "-1/3"]], "Y": [["-1", "-3/2"], ["4e4760", "0"], ["0", "-2"]],
                                "weights": [[["0"]], [["0"], ["0"], ["0"]]], "lambda": "2"}))
    assert main(["regularized", str(path)]) == 0
    out = capsys.readouterr().out
    assert "global minimum value" in out and "e+95" in out
