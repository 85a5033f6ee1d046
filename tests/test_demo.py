"""`exactdln demo`: every gallery certificate checks in a bare interpreter, the rank-only pairs have opposite classes,
and the whole run stays well under the 30 s budget of certify.md (the time bound is asserted loosely, not benchmarked)."""

from __future__ import annotations

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_demo_runs_and_every_certificate_checks(tmp_path):
    out = tmp_path / "certs"
    done = subprocess.run([sys.executable, "-m", "exactdln", "demo", "--out", str(out)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    files = sorted(p.name for p in out.iterdir())
    for name in ("TC1a.json", "TC2a.json", "TC3a.json", "TC3b.json", "TC4a.json", "TC4b.json", "T7.json", "REG1.json"):
        assert name in files
    checker = os.path.join(ROOT, "exactdln", "checker.py")
    for name in files:
        rc = subprocess.run([sys.executable, "-I", "-S", checker, str(out / name)], capture_output=True).returncode
        assert rc == 0, name
    # achour.md §8: TC3a non-strict / TC3b strict, TC4a strict / TC4b non-strict, with equal rank profiles
    assert "TC3a and TC3b have the same partial ranks" in done.stdout
    assert "TC4a and TC4b have the same partial ranks" in done.stdout
    rows = {line.split()[0]: line.split()[1] for line in done.stdout.splitlines() if line[:2] in ("TC", "T1", "T2")}
    assert rows["TC3a"] == "non_strict_saddle" and rows["TC3b"] == "strict_saddle"
    assert rows["TC4a"] == "strict_saddle" and rows["TC4b"] == "non_strict_saddle"
