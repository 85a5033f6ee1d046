"""`exactdln classify --snap FILE`: a float point snapped and classified in one command
(exactdln/cli/commands/classify.py). The point: every layer holds the float nearest to 3^(1/3) in its (1, 1)
entry, X = I, Y = diag(3, 1): the product fits the singular value 3 only, the saddle of loss 1/2 * 1^2 = 1/2
whose Hessian is positive semidefinite at depth 3 (docs/maths/classification.md §3.3 (c), §8)."""

from __future__ import annotations

import json

import numpy as np

from exactdln.cli import main

CUBE_ROOT_3 = 3 ** (1 / 3)


def _weights():
    return [[[CUBE_ROOT_3, 0.0], [0.0, 0.0]]] * 3


def test_classify_snap_json_file(tmp_path, capsys):
    f = tmp_path / "limit.json"
    f.write_text(json.dumps({"X": [[1, 0], [0, 1]], "Y": [[3, 0], [0, 1]], "weights": _weights()}))
    assert main(["classify", "--snap", "--json", str(f)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["file"] == str(f)
    assert record["kind"] == "non_strict_saddle" and record["loss"] == "1/2" and record["critical"] is True
    assert record["snap"]["snapped"] is True and record["snap"]["distance"] < 1e-12
    assert "weights" not in record["snap"]
    # without --snap the float point itself is read exactly: its gradient is not exactly zero
    assert main(["classify", "--json", str(f)]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "not_critical"


def test_classify_snap_npz_needs_a_float_rule(tmp_path, capsys):
    f = tmp_path / "limit.npz"
    W = np.array(_weights()[0])
    np.savez(f, X=np.eye(2), Y=np.diag([3.0, 1.0]), W1=W, W2=W, W3=W)
    assert main(["classify", "--snap", str(f)]) == 2                  # float X and Y: no rule given
    assert "--floats" in capsys.readouterr().err
    assert main(["classify", "--snap", "--floats", "decimal", str(f)]) == 0
    out = capsys.readouterr().out
    assert "snapped by" in out and "verdict: non_strict_saddle" in out
