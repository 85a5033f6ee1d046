"""Every example in the documentation runs, and prints what the documentation says it prints.

Each page of docs/ is followed the way a reader follows it, in one empty folder: the files it shows are
saved (``{code-block}`` with a file name as caption), its Python sessions run through :mod:`doctest`
(ELLIPSIS, NORMALIZE_WHITESPACE; one namespace per page, so later sessions see earlier names), and its shell
sessions run (``$ exactdln ...`` through :func:`exactdln.cli.main`, ``$ python -m pytest ...`` in a
subprocess) with their output and exit status compared to the page (tests/docs/pages.py has the format).
The docstrings of the modules behind the public names run through :func:`doctest.testmod` too.
"""

from __future__ import annotations

import contextlib
import doctest
import importlib
import io
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs.pages import blocks, commands
from tests.support import ROOT

DOCS = ROOT / "docs"
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
PAGES = sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.relative_to(DOCS).parts)
RUNNABLE = [p for p in PAGES if any(b.kind != "file" for b in blocks(p))]


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _run_exactdln(argv: list[str]) -> tuple[int, str]:
    from exactdln.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        status = main(argv)
    return status, out.getvalue()


def _run_pytest(argv: list[str], cwd: Path) -> tuple[int, str]:
    done = subprocess.run([sys.executable, *argv], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=600)
    return done.returncode, done.stdout


def _run_command(argv: list[str], cwd: Path) -> tuple[int, str]:
    if argv[:1] == ["exactdln"]:
        return _run_exactdln(argv[1:])
    if argv[:3] == ["python", "-m", "pytest"]:
        return _run_pytest(argv[1:], cwd)
    raise AssertionError(f"a console block may run `exactdln ...` or `python -m pytest ...`, not {argv}: "
                         "show other commands in a ```bash block")


def run_page(path: Path, folder: Path) -> list[str]:
    """Follow one page in ``folder``; the failures, as readable reports."""
    failures: list[str] = []
    globs: dict = {"__name__": "__docs__"}
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    checker = doctest.OutputChecker()
    for block in blocks(path):
        where = f"{_name(path)}:{block.line}"
        if block.kind == "file":
            (folder / block.name).write_text(block.text, encoding="utf-8")
        elif block.kind == "python":
            # padded so that doctest reports the page's own line numbers
            test = parser.get_doctest("\n" * (block.line - 1) + block.text, globs, where, str(path), 0)
            report = io.StringIO()
            runner.run(test, out=report.write, clear_globs=False)
            globs.update(test.globs)
            if report.getvalue():
                failures.append(report.getvalue())
        else:
            for command in commands(block):
                status, got = _run_command(command.argv, folder)
                line = f"{_name(path)}:{command.line}: $ {' '.join(command.argv)}"
                if status != command.exit_status:
                    failures.append(f"{line}\nexit status {status}, the page says {command.exit_status}\n{got}")
                elif command.expected and not checker.check_output(command.expected, got, FLAGS):
                    example = doctest.Example(" ".join(command.argv), command.expected)
                    failures.append(f"{line}\n" + checker.output_difference(example, got, FLAGS))
    return failures


@pytest.mark.parametrize("page", RUNNABLE, ids=[_name(p) for p in RUNNABLE])
def test_page_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's files, Python sessions and shell sessions, in order, in an empty folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "100")
    failures = run_page(page, tmp_path)
    assert not failures, "\n\n".join(failures)


def test_tutorials_and_how_tos_have_examples() -> None:
    """Every tutorial and how-to page shows something that runs (so this test has something to check)."""
    pages = [p for p in PAGES if p.parent.name in ("tutorial", "howto") and p.name != "index.md"]
    assert pages, "no tutorial or how-to page found"
    assert not [p for p in pages if p not in RUNNABLE], "pages without a runnable example"


def _public_modules() -> list[str]:
    import exactdln

    modules = set()
    for name in exactdln.__all__:
        try:
            modules.add(getattr(getattr(exactdln, name), "__module__", None))
        except ImportError:       # a name behind a missing optional dependency (tests/test_public_api.py's concern)
            continue
    return sorted(m for m in modules if m and m.startswith("exactdln"))


@pytest.mark.parametrize("module", _public_modules())
def test_public_docstring_examples(module: str) -> None:
    """doctest.testmod over each module that defines a public name."""
    result = doctest.testmod(importlib.import_module(module), optionflags=FLAGS, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} docstring examples of {module} fail"
