"""`exactdln demo`: every gallery certificate checks in a bare interpreter, the rank-only pairs have opposite classes,
and the command never imports the checker it runs (the checker shares no code with the engine)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from tests.support import ROOT as _ROOT

ROOT = str(_ROOT)


def test_demo_runs_and_every_certificate_checks(tmp_path):
    out = tmp_path / "certs"
    done = subprocess.run([sys.executable, "-m", "exactdln", "demo", "--out", str(out)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    files = sorted(p.name for p in out.iterdir())
    for name in ("TC1a.json", "TC2a.json", "TC3a.json", "TC3b.json", "TC4a.json", "TC4b.json", "T7.json", "REG1.json"):
        assert name in files
    checker = os.path.join(ROOT, "exactdln", "trusted", "checker.py")
    for name in files:
        rc = subprocess.run([sys.executable, "-I", "-S", checker, str(out / name)], capture_output=True).returncode
        assert rc == 0, name
    # docs/maths/classification.md §3.5, §8: TC3a non-strict / TC3b strict, TC4a strict / TC4b non-strict, with equal
    # rank profiles
    assert "TC3a and TC3b have the same partial ranks" in done.stdout
    assert "TC4a and TC4b have the same partial ranks" in done.stdout
    rows = {line.split()[0]: line.split()[1] for line in done.stdout.splitlines() if line[:2] in ("TC", "T1", "T2")}
    assert rows["TC3a"] == "non_strict_saddle" and rows["TC3b"] == "strict_saddle"
    assert rows["TC4a"] == "strict_saddle" and rows["TC4b"] == "non_strict_saddle"


def test_demo_json_lines_one_record_per_gallery_point(tmp_path, capsys):
    from exactdln.cli import main
    from exactdln.instances.gallery import demo_gallery

    assert main(["demo", "--json", "--random", "0", "--out", str(tmp_path / "certs")]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    cases = demo_gallery(random_points_per_kind=0)
    assert [r["name"] for r in records] == [c.name for c in cases]
    assert all(r["ok"] and r["checker"] == "ok" and r["kind"] == r["expected_kind"] for r in records)
    by_name = {r["name"]: r for r in records}
    # docs/maths/classification.md §8: TC2a is a non-strict saddle of loss 1/2 with a PSD Hessian
    assert by_name["TC2a"]["kind"] == "non_strict_saddle" and by_name["TC2a"]["loss"] == "1/2"
    assert by_name["TC2a"]["inertia"][1] == 0
    pair = by_name["TC3b"]["rank_only_pair"]
    assert pair["with"] == "TC3a" and pair["same_partial_ranks"] and pair["kinds"] == ["non_strict_saddle",
                                                                                        "strict_saddle"]


def test_demo_does_not_import_the_checker():
    import ast

    tree = ast.parse(Path(ROOT, "exactdln", "cli", "commands", "demo.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported |= {node.module or ""} | {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
    assert not any("checker" in name for name in imported)
