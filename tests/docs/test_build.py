"""The documentation site builds with warnings as errors (skipped where the ``docs`` extra is not installed).

The same build as README's "Development" command and .ci/run, into a temporary folder: every cross-reference
resolves, every docstring of a public name renders, the command reference is generated from the parser.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT


def test_docs_build_without_warnings(tmp_path: Path) -> None:
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_parser")
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(tmp_path / "doctrees"), str(ROOT / "docs"), str(tmp_path / "html")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    assert done.returncode == 0, done.stdout
    for page in ("index", "tutorial/classify", "reference/api", "reference/cli", "maths/classification"):
        assert (tmp_path / "html" / f"{page}.html").is_file(), page
    import exactdln

    api = (tmp_path / "html" / "reference" / "api.html").read_text(encoding="utf-8")
    missing = [name for name in exactdln.__all__ if name != "__version__" and f'id="exactdln.{name}"' not in api]
    assert not missing, f"public names without an entry in the API reference: {missing}"
