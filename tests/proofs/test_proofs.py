"""Every proofs/ script runs with a small budget, exits 0, and leaves only certificates that the standalone
checkers accept in a bare interpreter (``python -I -S``), as a user would re-check them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.support import ROOT

PROOFS = ROOT / "proofs"
SCRIPTS = sorted(p.name for p in PROOFS.glob("*.py") if not p.name.startswith("_"))
TAKES_BUDGET = {"families.py": False}
CHECKERS = {"exactdln-certificate": ROOT / "exactdln" / "trusted" / "checker.py",
            "exactdln-family-certificate": ROOT / "exactdln" / "trusted" / "checker_family.py"}


def test_every_script_is_listed_in_the_proofs_readme():
    readme = (PROOFS / "README.md").read_text(encoding="utf-8")
    assert [s for s in SCRIPTS if f"`{s}`" not in readme] == []


@pytest.mark.parametrize("script", SCRIPTS)
def test_proof_script_passes_and_certificates_check(script, tmp_path):
    env = dict(os.environ, EXACTDLN_CERT_DIR=str(tmp_path))
    options = ["--budget", "6", "--seed", "3"] if TAKES_BUDGET.get(script, True) else []
    done = subprocess.run([sys.executable, str(PROOFS / script), *options],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    files = sorted(tmp_path.rglob("*.json"))
    assert files, "the script wrote no certificate"
    for path in files[:12]:
        fmt = json.loads(path.read_text(encoding="utf-8"))["format"]
        checked = subprocess.run([sys.executable, "-I", "-S", str(CHECKERS[fmt]), str(path)], capture_output=True)
        assert checked.returncode == 0, (path.name, checked.stdout[-2000:])
