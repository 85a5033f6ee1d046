"""--timeout SECONDS: exit 5 with one line naming the file, every command, nothing half-written.

A depth-3 family whose analysis needs about 5 s (entries of degree 12 and 5 in three parameters;
measured 5.2-5.5 s on the development machine, in-process, with no cache effect between runs)
stands for legitimately large work. The budget, 0.3 s, is 17 times below it, so the verdict
"stopped" does not depend on the machine's speed. (The family used before, a single entry
(a+b+c)^16, fell to 0.25 s once the exact core got faster and passed its 0.3 s budget on a
faster CI machine.)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from exactdln.cli import build_parser, command_names, main
from tests.support import ROOT

SLOW_FAMILY = {"X": [["1", "0"], ["0", "1"]], "Y": [["3", "0"], ["0", "1"]],
               "weights": [[["(a+b+c)^12", "b"], ["c", "(a-b)^5"]], [["1", "a"], ["c", "b"]],
                           [["a", "1"], ["0", "c"]]],
               "parameters": {"a": "nonzero", "b": "real", "c": "real"}}
GOOD = ROOT / "exactdln" / "examples" / "tc1a.json"


@pytest.fixture
def slow(tmp_path):
    path = tmp_path / "slow.json"
    path.write_text(json.dumps(SLOW_FAMILY))
    return path


def test_every_command_accepts_timeout():
    parser = build_parser()
    assert "--timeout" in parser._option_string_actions
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name in command_names():
        assert "--timeout" in sub.choices[name]._option_string_actions, name
    assert main(["--timeout", "0", "classify", str(GOOD)]) == 2          # not a positive number
    assert main(["--timeout", "x", "classify", str(GOOD)]) == 2


def test_classify_stops_with_exit_5_and_goes_on(slow, capsys):
    assert main(["--timeout", "0.3", "classify", str(slow), str(GOOD)]) == 5
    out, err = capsys.readouterr()
    assert err == f"exactdln classify: {slow}: stopped after 0.3 s (--timeout)\n"
    assert "global_minimizer" in out                                     # the next file had its own budget


def test_certify_stopped_writes_nothing(slow, tmp_path, capsys):
    target = tmp_path / "slow.cert.json"
    assert main(["certify", "--timeout", "0.3", str(slow), "-o", str(target)]) == 5
    assert "stopped after 0.3 s (--timeout)" in capsys.readouterr().err
    assert not target.exists() and not list(tmp_path.glob(".cert-*"))


def test_timeout_in_a_process(slow):
    done = subprocess.run([sys.executable, "-m", "exactdln", "--timeout", "0.5", "classify", str(slow)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 5
    assert done.stderr == f"exactdln classify: {slow}: stopped after 0.5 s (--timeout)\n"


def test_supervisor_ends_a_call_that_ignores_the_signal():
    # sum(range(10^11)) is one call into C: SIGALRM's handler cannot run until it returns, so the
    # supervising process ends the worker 5 s + 10% after the 0.2 s budget and exits 5 with the line
    code = ("import sys\nfrom exactdln.cli.commands._contract import supervised, time_budget\n"
            "def work():\n    with time_budget(0.2, 'exactdln x: f: stopped after 0.2 s (--timeout)'):\n"
            "        sum(range(10**11))\n    return 0\nsys.exit(supervised(work))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 5
    assert done.stderr.strip() == "exactdln x: f: stopped after 0.2 s (--timeout)"
