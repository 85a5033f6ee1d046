"""snap on float weights near the top of float64 (fuzz seed 5011, input 90073: an .npz with W_2 = [4, 1e308]).

The product W_3 W_2 W_1 overflows to inf, and the SVD of a matrix with an infinite norm made OpenBLAS print
"** On entry to DLASCL parameter number 4 had an illegal value" on the process's stdout, where only the answer may
go (README, the command contract). The weights are finite and valid input; the float guides now refuse the
overflowing product (FloatingPointError, reported as a note) and take the SVD of each weight scaled by a power of
two (exactdln/tools/snap_algebraic.py ``_unit_scaled``). Run as a process: the message came from C, not Python."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np

from exactdln.tools.snap_algebraic import numerical_rank
from tests.support import ROOT


def test_a_weight_near_1e308_prints_nothing_but_the_answer(tmp_path):
    path = tmp_path / "run.npz"
    np.savez(path, X=np.array([[0.0, -1.75], [-2.0, -1.0], [5 / 3, 8.0]]),
             Y=np.array([[-2 / 3, -2.0], [0.25, 5 / 3], [-1.0, 5.0]]),
             W1=np.array([[1.25, -0.75, -0.75], [-1.5, -5.0, 4.0]]), W2=np.array([[4.0, 1e308]]),
             W3=np.array([[2.0], [8 / 3], [-5.0]]))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "exactdln", "snap", str(path), "--floats", "decimal"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert "DLASCL" not in done.stdout + done.stderr
    assert done.returncode == 1                      # valid input, not near a critical point: "not snapped"
    assert done.stdout.startswith(str(path)) and "not snapped" in done.stdout


def test_the_rank_of_a_matrix_is_that_of_its_power_of_two_multiple():
    # rank is invariant under scaling; at 1e308 the unscaled SVD's norm overflows
    w = np.array([[1.0, 2.0], [2.0, 4.0], [0.0, 0.0]])
    for scale in (1.0, 2.0 ** 1000, 2.0 ** -1000):
        assert numerical_rank(w * scale) == 1
    assert numerical_rank(np.array([[4.0, 1e308]])) == 1
    assert numerical_rank(np.array([[1e308, 0.0], [0.0, 1e308]])) == 2
