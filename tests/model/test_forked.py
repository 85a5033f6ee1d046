"""exactdln/model/forked.py: a computation in a forked child hands back exactly its bytes, and a failing, unwanted
or interrupted child leaves nothing behind (the caller then computes the value itself). Each check of
tests/model/forked_checks.py runs in a fresh interpreter, which has a single thread, as a fork needs."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.model.forked_checks import CHECKS
from tests.support import ROOT

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork: POSIX only")


@pytest.mark.parametrize("check", CHECKS)
def test_forked(check):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    code = f"import tests.model.forked_checks as c; c.{check}(); print('ok')"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr
