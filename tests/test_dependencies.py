"""Every module exactdln imports is the standard library, exactdln itself, or declared in pyproject.toml.

A fresh ``pip install .`` must be able to run everything the core imports; an optional integration
(an extra) is imported only inside the function that needs it, so that the package imports without it.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path
from tests.support import ROOT as _ROOT

ROOT = _ROOT
PACKAGE = ROOT / "exactdln"
IMPORT_NAME = {"python-flint": "flint", "pyyaml": "yaml", "scikit-learn": "sklearn", "pillow": "PIL"}


def _module_of(requirement: str) -> str:
    name = re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0].lower()
    return IMPORT_NAME.get(name, name.replace("-", "_"))


def _declared() -> tuple[set[str], dict[str, set[str]]]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    core = {_module_of(r) for r in meta["dependencies"]}
    extras = {k: {_module_of(r) for r in v} for k, v in meta.get("optional-dependencies", {}).items()}
    return core, extras


def _imports(tree: ast.AST):
    """(top-level module name, line, imported at module level?) for every absolute import."""
    top_level = {id(n) for n in tree.body}
    for parent in [tree, *ast.walk(tree)]:
        for node in ast.iter_child_nodes(parent):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                yield name.split(".")[0], node.lineno, id(node) in top_level


def test_every_import_is_declared():
    core, extras = _declared()
    optional = set().union(*extras.values()) - core
    std = set(sys.stdlib_module_names)
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT)
        for top, line, at_module_level in _imports(ast.parse(path.read_text(), str(path))):
            if top in std or top == "exactdln" or top in core:
                continue
            if top in optional:
                if at_module_level:
                    problems.append(f"{rel}:{line}: optional {top} imported at module level")
                continue
            problems.append(f"{rel}:{line}: imports {top}, declared nowhere in pyproject.toml")
    assert not problems, "\n".join(problems)


def test_scipy_and_flint_are_core_dependencies():
    """The float path uses scipy's LAPACK wrappers; the exact engine is python-flint."""
    core, _ = _declared()
    assert {"scipy", "flint", "sympy", "mpmath", "numpy"} <= core


def test_the_test_extra_installs_what_the_tests_import():
    """Tests that need matplotlib (plots) and jsonschema (the certificate schema) run in CI."""
    _, extras = _declared()
    assert {"pytest", "hypothesis", "matplotlib", "jsonschema"} <= extras["test"]
