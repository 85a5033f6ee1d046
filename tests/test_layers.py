"""The layers of exactdln and which may import which, checked on every import of the package.

Every ``import`` and ``from ... import`` in exactdln/ is read with ``ast`` (inside functions too), plus the
module names a file hands to ``importlib.import_module`` as string constants (the lazy public API and the
deprecation shims). A module may import its own layer and the layers listed for it, nothing else:

    layer          may import (besides itself)
    -------------  ----------------------------------------------------------------------------------
    model          -
    arith          model
    landscape      model, arith
    theory         model, arith, landscape
    symbolic       model, arith, landscape, theory
    instances      model, arith, landscape, theory
    certify        model, arith, landscape, theory, symbolic
    numeric        model
    tools          model, arith, landscape, theory, symbolic, instances, certify, numeric
    pytest_plugin  model, arith, landscape, theory, symbolic, instances, certify, numeric, tools
    cli            model, arith, landscape, theory, symbolic, instances, certify, numeric, tools, __init__
    trusted        -

and trusted/ only from cli/commands/check.py (``exactdln check`` runs the checkers). Third-party packages:
model, trusted and _deprecated use the standard library only (but model/convert.py may import numpy inside
its functions, for the float arrays that numpy, torch or jax hand it); arith, landscape and theory flint and numpy
(numpy for float guesses that are then verified exactly); symbolic sympy and flint; instances flint;
certify flint, numpy and sympy; numeric numpy, scipy, mpmath and matplotlib (numeric/plots.py only, inside
functions: the ``plot`` extra).

Top-level modules: ``exactdln/__init__.py`` (the public API, loaded lazily) may name any layer but cli and
trusted; ``__main__`` runs cli; ``_deprecated`` (stdlib only) may be imported by anyone; the deprecation shims
``dynamics``, ``construct`` and ``highprec`` import only what they re-export.

Why: the exact core (model, arith, landscape, theory, symbolic, certify) must not lean on the numeric paths,
which are independent cross-checks (they import only model); the trusted checkers share no code with the
engine in either direction (the engine runs them as processes); certify builds evidence from the exact core
and never imports the checker it is judged by. Each paper's theorems live in one module of theory/
(achour.py, yun.py, regularized.py, bah.py). There are no import cycles between modules.
"""

from __future__ import annotations

import ast
import sys
import warnings
from functools import lru_cache
from pathlib import Path

import pytest

from tests.support import ROOT

PACKAGE = ROOT / "exactdln"

LAYERS = ("model", "arith", "landscape", "theory", "symbolic", "instances", "certify", "numeric", "tools",
          "cli", "trusted", "pytest_plugin")

EXACT_CORE = ("model", "arith", "landscape", "theory", "symbolic", "certify")

ALLOWED: dict[str, set[str]] = {
    "model": set(),
    "arith": {"model"},
    "landscape": {"model", "arith"},
    "theory": {"model", "arith", "landscape"},
    "symbolic": {"model", "arith", "landscape", "theory"},
    "instances": {"model", "arith", "landscape", "theory"},
    "certify": {"model", "arith", "landscape", "theory", "symbolic"},
    "numeric": {"model"},
    "tools": {"model", "arith", "landscape", "theory", "symbolic", "instances", "certify", "numeric"},
    "pytest_plugin": {"model", "arith", "landscape", "theory", "symbolic", "instances", "certify", "numeric",
                      "tools"},
    "cli": {"model", "arith", "landscape", "theory", "symbolic", "instances", "certify", "numeric", "tools",
            "__init__"},
    "trusted": set(),
    # top-level modules
    "__init__": {"model", "arith", "landscape", "theory", "symbolic", "instances", "certify", "numeric", "tools"},
    "__main__": {"cli"},
    "_deprecated": set(),
    "dynamics": {"theory", "certify", "numeric"},
    "construct": {"instances"},
    "highprec": {"numeric"},
}

# the one module allowed to import trusted/: the `exactdln check` command runs the checkers
TRUSTED_USERS = {"exactdln.cli.commands.check"}

ANYONE_MAY_IMPORT = {"_deprecated"}

THIRD_PARTY: dict[str, set[str] | None] = {      # None: not restricted
    "model": set(),
    "arith": {"flint", "numpy"},
    "landscape": {"flint", "numpy"},
    "theory": {"flint", "numpy"},
    "symbolic": {"sympy", "flint"},
    "instances": {"flint"},
    "certify": {"flint", "numpy", "sympy"},
    "numeric": {"numpy", "scipy", "mpmath", "matplotlib"},
    "trusted": set(),
    "_deprecated": set(),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str:
    """exactdln.<layer>... -> layer; the package itself is its public API, ``__init__``."""
    parts = module.split(".")
    return "__init__" if len(parts) == 1 else parts[1]


@lru_cache(maxsize=None)
def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


@lru_cache(maxsize=None)
def imports_of(path: Path) -> tuple[tuple[str, int, bool], ...]:
    """(imported module, line, at module level) for every import in the file, submodules resolved.

    ``from P import name`` counts as P.name when that is a module of the package, else as P. String
    constants naming a module of the package count too when the file calls ``import_module`` (lazy imports).
    """
    source = path.read_text()
    tree = ast.parse(source)
    modules = all_modules()
    top_level = {id(node) for node in tree.body}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((alias.name, node.lineno, id(node) in top_level) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: relative import (imports in the package are absolute)"
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                out.append((full if full in modules else node.module, node.lineno, id(node) in top_level))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "import_module" in source:
            if node.value in modules and node.value != module_name(path):
                out.append((node.value, node.lineno, False))
    return tuple(out)


def internal_imports(path: Path) -> list[tuple[str, int]]:
    return [(m, line) for m, line, _ in imports_of(path) if m == "exactdln" or m.startswith("exactdln.")]


def _docstring_table() -> dict[str, set[str]]:
    import re

    rows = re.findall(r"^    (\w+) +(-|[\w, ]+)$", __doc__, flags=re.MULTILINE)
    return {layer: set() if allowed == "-" else {x.strip() for x in allowed.split(",")} for layer, allowed in rows
            if layer in LAYERS}


def test_the_docstring_table_is_the_rule():
    """The table printed above is the one the tests enforce (it cannot drift from ALLOWED)."""
    assert _docstring_table() == {layer: ALLOWED[layer] for layer in LAYERS}


def test_readme_layout_names_every_layer():
    """README.md "Project layout" shows every folder of the package and the import rule."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Project layout"):]
    section = section[:section.index("\n## ", 1)]
    folders = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    missing = [f"{name}/" for name in folders if f"{name}/" not in section]
    assert not missing, f"README.md Project layout does not show {missing}"
    for layer in LAYERS:
        assert layer in section


def test_every_module_belongs_to_a_layer():
    """A new top-level module or folder must be placed in the table (and in README's layout) first."""
    unknown = sorted({layer_of(m) for m in all_modules()} - set(ALLOWED))
    assert not unknown, f"modules outside every layer: {unknown}: add them to ALLOWED in tests/test_layers.py"


def test_imports_point_down_the_layers():
    wrong = []
    for module, path in all_modules().items():
        here = layer_of(module)
        for target, line in internal_imports(path):
            there = layer_of(target)
            if there == here or there in ANYONE_MAY_IMPORT:
                continue
            if there == "trusted" and module in TRUSTED_USERS:
                continue
            if there not in ALLOWED[here]:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {here} imports {target} ({there})")
    assert not wrong, "imports against the layering (tests/test_layers.py docstring):\n" + "\n".join(wrong)


def test_the_exact_core_does_not_import_the_numeric_paths():
    """numeric/ is an independent cross-check: nothing the exact verdicts depend on may use it."""
    wrong = [f"{path.relative_to(ROOT)}:{line}: {target}"
             for module, path in all_modules().items() if layer_of(module) in EXACT_CORE
             for target, line in internal_imports(path) if layer_of(target) in ("numeric", "tools", "cli")]
    assert not wrong, "\n".join(wrong)


def test_numeric_paths_import_only_the_model():
    """The float64 and mpmath paths (and the float integrators) share no arithmetic with the exact core."""
    wrong = [f"{path.relative_to(ROOT)}:{line}: {target}"
             for module, path in all_modules().items() if layer_of(module) == "numeric"
             for target, line in internal_imports(path)
             if layer_of(target) not in ("numeric", "model") and layer_of(target) not in ANYONE_MAY_IMPORT]
    assert not wrong, "\n".join(wrong)


def test_certify_never_imports_the_checker_it_is_judged_by():
    wrong = [f"{path.relative_to(ROOT)}:{line}: {target}"
             for module, path in all_modules().items() if layer_of(module) != "cli"
             for target, line in internal_imports(path) if layer_of(target) == "trusted"]
    assert not wrong, "\n".join(wrong)


def test_third_party_imports_per_layer():
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    wrong = []
    for module, path in all_modules().items():
        allowed = THIRD_PARTY.get(layer_of(module))
        if allowed is None:
            continue
        for target, line, top_level in imports_of(path):
            top = target.split(".")[0]
            if top in stdlib or top == "exactdln":
                continue
            if (module, top, top_level) == ("exactdln.model.convert", "numpy", False):
                continue
            if top not in allowed:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {layer_of(module)} imports {top}")
    assert not wrong, "\n".join(wrong)


def test_matplotlib_only_in_the_plots_module_and_only_when_plotting():
    """matplotlib is the ``plot`` extra: imported inside functions of numeric/plots.py and nowhere else."""
    wrong = []
    for module, path in all_modules().items():
        for target, line, top_level in imports_of(path):
            if target.split(".")[0] != "matplotlib":
                continue
            if module != "exactdln.numeric.plots" or top_level:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {target}" + (" at module level" if top_level else ""))
    assert not wrong, "\n".join(wrong)


def _cycle() -> list[str] | None:
    modules = all_modules()
    graph = {m: sorted({t for t, _ in internal_imports(p) if t in modules and t != m}) for m, p in modules.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for t in graph[m]:
            if state.get(t) == 1:
                return stack[stack.index(t):] + [t]
            if t not in state:
                found = visit(t)
                if found:
                    return found
        state[m] = 2
        stack.pop()
        return None

    for m in graph:
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def test_no_import_cycles():
    """No module imports (even inside a function) a module that imports it back, directly or not."""
    cycle = _cycle()
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_rule_catches_a_wrong_import(tmp_path, monkeypatch):
    """Control: the reader sees an in-function import that points up a layer."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from exactdln.numeric.float64 import classify_float\n    return classify_float\n")
    assert ("exactdln.numeric.float64", 2, False) in imports_of(bad)


# ----------------------------------------------------------------------------- deprecated paths

@pytest.mark.parametrize("name, home", [
    ("gd_step", "exactdln.theory.bah"),
    ("rank_restricted_global", "exactdln.theory.bah"),
    ("flow_certificate", "exactdln.certify.flow"),
    ("gradient_descent", "exactdln.numeric.flows"),
    ("Trajectory", "exactdln.numeric.flows"),
    ("plot_trajectory", "exactdln.numeric.plots"),
])
def test_dynamics_shim_warns_and_re_exports(name, home):
    import importlib

    import exactdln.dynamics as dynamics

    with pytest.warns(DeprecationWarning, match=rf"exactdln\.dynamics\.{name}.*{home}\.{name}") as record:
        value = getattr(dynamics, name)
    assert value is getattr(importlib.import_module(home), name)
    assert record[0].filename == __file__          # attributed to the caller's line
    with pytest.raises(AttributeError):
        dynamics.no_such_name


def test_construct_gallery_is_a_deprecated_alias():
    from exactdln.instances import construct

    with pytest.warns(DeprecationWarning, match="worked_instances"):
        old = construct.gallery()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        new = construct.worked_instances()
    assert [name for name, _ in old] == [name for name, _ in new]
