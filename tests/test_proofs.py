"""Each proofs/ script runs with a small budget, exits 0, and leaves only certificates that the standalone checker
accepts in a bare interpreter."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS = ["achour_classification.py", "achour_global_minimizers.py", "yun_global_optimality.py"]


@pytest.mark.parametrize("script", SCRIPTS)
def test_proof_script_passes_and_certificates_check(script, tmp_path):
    env = dict(os.environ, EXACTDLN_CERT_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, os.path.join(ROOT, "proofs", script), "--budget", "6", "--seed", "3"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 failed" in done.stdout
    files = sorted(tmp_path.rglob("*.json"))
    assert files
    checker = os.path.join(ROOT, "exactdln", "trusted", "checker.py")
    for path in files[:12]:
        assert subprocess.run([sys.executable, "-I", "-S", checker, str(path)], capture_output=True).returncode == 0
