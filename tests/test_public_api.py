"""The public API: ``exactdln.__all__``, loaded lazily, documented, light to import; the old module paths
with their DeprecationWarning; no private name imported across modules; one family of result types.

Expected values are worked by hand in the comments (X = I, Y = diag(3, 1) is the data of the worked cases
TC2a-TC2e of docs/maths/classification.md §8), never taken from the code under test.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import json
import pkgutil
import subprocess
import sys
import warnings
from fractions import Fraction

import pytest

import exactdln
from exactdln.model.results import fraction_text
from tests.support import ROOT

HEAVY = ("flint", "numpy", "sympy", "mpmath", "scipy")

# public functions whose docstring must name the maths: a docs/maths section or a paper (a year)
MATHEMATICAL = (
    "classify", "hessian_inertia", "loss", "gradient", "is_critical", "hessian_form", "hessian_matrix",
    "partial_product", "partial_ranks", "certify", "check", "classify_regularized", "classify_family",
    "classify_float", "classify_mp", "crosscheck", "snap", "random_instance", "worked_instances",
)

RESULT_TYPES = ("Classification", "NumericClassification", "FamilyVerdict", "RegularizedClassification",
                "CrosscheckResult", "SnapResult")
SHARED = ("kind", "critical", "inertia", "loss", "fitted", "notes")


def _d(*values):
    return [[values[i] if i == j else 0 for j in range(len(values))] for i in range(len(values))]


def _tc2a():
    """TC2a: W_3 W_2 W_1 = diag(3, 0), so G = Sigma_YX - W Sigma_XX = diag(0, 1) and every block
    -W_{H:h+1}^T G W_{h-1:1}^T has a factor diag(., 0) diag(0, 1) = 0: critical; L = 1/2 (1 - 0)^2 = 1/2."""
    problem = exactdln.Problem.create(_d(1, 1), _d(3, 1))
    return problem, [_d(3, 0), _d(1, 0), _d(1, 0)]


def _not_critical():
    """TC2a with W_1 = diag(2, 0): G = diag(1, 1), dL/dW_1 = -(W_3 W_2)^T G = -diag(1, 0) != 0; L = 1/2 (1 + 1) = 1."""
    problem, weights = _tc2a()
    return problem, [_d(2, 0)] + weights[1:]


def _run(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT)


# ------------------------------------------------------------------------------------------------ __all__


def test_all_is_exactly_the_lazily_resolvable_names():
    assert len(exactdln.__all__) == len(set(exactdln.__all__))
    assert set(exactdln.__all__) == set(exactdln._EXPORTS)


@pytest.mark.parametrize("name", exactdln.__all__)
def test_each_public_name_resolves_with_a_docstring(name):
    obj = getattr(exactdln, name)
    assert obj.__module__.startswith("exactdln."), (name, obj.__module__)
    assert (obj.__doc__ or "").strip(), f"{name} has no docstring"


@pytest.mark.parametrize("name", MATHEMATICAL)
def test_mathematical_functions_name_their_maths(name):
    import re

    doc = getattr(exactdln, name).__doc__
    assert re.search(r"docs/maths/\w+\.md|\b(19|20)\d\d\b", doc), f"{name}: no docs/maths section or paper cited"


def test_dir_shows_the_public_names():
    assert set(exactdln.__all__) <= set(dir(exactdln))
    assert "__version__" in dir(exactdln)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        exactdln.no_such_name  # noqa: B018


def test_star_import_gives_the_public_names():
    namespace: dict = {}
    exec("from exactdln import *", namespace)   # the statement itself, not user text
    assert set(exactdln.__all__) <= set(namespace)


def test_import_exactdln_imports_no_backend():
    code = ("import exactdln, sys; exactdln.Problem; exactdln.InputError; exactdln.check; exactdln.Verdict; "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))")
    done = _run(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_parser_of_every_command_imports_no_backend():
    code = ("import sys; from exactdln.cli import build_parser; build_parser(); "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))")
    done = _run(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.fixture
def certificate_file(tmp_path):
    problem, weights = _tc2a()
    path = tmp_path / "tc2a.cert.json"
    exactdln.write_certificate(exactdln.certify(problem, weights), path)
    return path


def test_exactdln_check_imports_no_backend(certificate_file):
    """`python -m exactdln check CERT` with a hook that lists the backends loaded when the process exits."""
    code = ("import atexit, runpy, sys\n"
            f"atexit.register(lambda: print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))\n"
            "sys.argv = ['exactdln', 'check', sys.argv[1]]\n"
            "runpy.run_module('exactdln', run_name='__main__')\n")
    done = _run(code, str(certificate_file))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "LOADED []" in done.stdout


def test_a_public_function_keeps_its_name_when_a_subpackage_of_that_name_is_imported():
    """``exactdln.certify`` is the function although exactdln/certify/ is a subpackage (imported by check)."""
    subpackages = {m.name for m in pkgutil.iter_modules(exactdln.__path__)}
    for name in sorted(set(exactdln.__all__) & subpackages):
        for module in pkgutil.walk_packages(importlib.import_module(f"exactdln.{name}").__path__, f"exactdln.{name}."):
            importlib.import_module(module.name)
        defined_in = importlib.import_module(exactdln._EXPORTS[name])
        assert getattr(exactdln, name) is getattr(defined_in, name), name
        assert callable(getattr(exactdln, name))
        assert not isinstance(getattr(exactdln, name), type(exactdln))


# ------------------------------------------------------------------------------------------------ check


def test_check_accepts_an_honest_certificate(certificate_file):
    run = exactdln.check(certificate_file)
    assert run.ok and run.returncode == 0
    claims = {claim for claim, _, _ in run.results}
    assert "critical" in claims and all(holds for _, holds, _ in run.results)
    assert len(run.lines()) == len(run.results)


def test_check_refuses_a_certificate_whose_point_was_changed(certificate_file, tmp_path):
    """W_1 = diag(2, 0) is not critical (see _not_critical): the zero-gradient claim must fail (exit 1)."""
    data = json.loads(certificate_file.read_text())
    data["point"]["weights"][0] = [["2", "0"], ["0", "0"]]
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data))
    run = exactdln.check(changed)
    assert not run.ok and run.returncode == 1
    assert ("critical", False) in {(claim, holds) for claim, holds, _ in run.results}


def test_check_reports_a_malformed_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    run = exactdln.check(bad)
    assert not run.ok and run.returncode == 2 and run.errors


def test_check_runs_the_checker_as_a_process_without_importing_it(certificate_file):
    code = ("import sys, exactdln; run = exactdln.check(sys.argv[1]); "
            "print(run.ok, sorted(m for m in sys.modules if m.startswith('exactdln.trusted') "
            f"or m.split('.')[0] in {HEAVY!r}))")
    done = _run(code, str(certificate_file))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True []"


# ------------------------------------------------------------------------------------------------ old paths


def _fresh_import(name: str):
    sys.modules.pop(name, None)
    parent, _, child = name.rpartition(".")
    if hasattr(sys.modules[parent], child):
        delattr(sys.modules[parent], child)
    return importlib.import_module(name)


def test_highprec_module_warns_and_re_exports_classify_mp():
    with pytest.warns(DeprecationWarning, match=r"exactdln\.highprec.*exactdln\.classify_mp") as record:
        highprec = _fresh_import("exactdln.highprec")
    assert highprec.classify_mp is exactdln.classify_mp
    assert record[0].filename == __file__      # attributed to the importing line, not to importlib


def test_construct_module_warns_and_re_exports_the_constructions():
    with pytest.warns(DeprecationWarning, match=r"exactdln\.construct"):
        construct = _fresh_import("exactdln.construct")
    from exactdln.instances import construct as new

    assert construct.minimal_critical_point is new.minimal_critical_point
    assert construct.worked_instances is exactdln.worked_instances


@pytest.mark.parametrize("name", ["classify_float", "NumericClassification"])
def test_numeric_names_warn_and_point_to_the_top_level(name):
    import exactdln.numeric

    with pytest.warns(DeprecationWarning, match=rf"exactdln\.numeric\.{name}.*exactdln\.{name}") as record:
        obj = getattr(exactdln.numeric, name)
    assert obj is getattr(exactdln, name)
    assert record[0].filename == __file__


def test_from_numeric_import_warns_at_the_importing_line():
    with pytest.warns(DeprecationWarning) as record:
        from exactdln.numeric import analyse  # noqa: F401
    assert {r.filename for r in record} == {__file__}


def test_numeric_subpackage_without_old_names_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from exactdln.numeric import float64, mp  # noqa: F401
        with pytest.raises(AttributeError):
            exactdln.numeric.no_such_name  # noqa: B018


def test_classify_is_the_function_not_a_module():
    """Documented in exactdln/__init__.py: the old module exactdln/classify.py is exactdln/theory/classify.py."""
    assert callable(exactdln.classify)
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("exactdln.classify")


# ------------------------------------------------------------------------------------------------ private names


def test_no_private_name_is_imported_across_modules():
    offences = []
    for path in sorted((ROOT / "exactdln").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    offences.append(f"{path.relative_to(ROOT)}:{node.lineno}: relative import")
                    continue
                if not (node.module or "").startswith("exactdln"):
                    continue
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        offences.append(f"{path.relative_to(ROOT)}:{node.lineno}: {alias.name} from {node.module}")
    assert not offences, "\n".join(offences)


# ------------------------------------------------------------------------------------------------ results


@pytest.mark.parametrize("name", RESULT_TYPES)
def test_result_types_are_verdicts_with_the_shared_names(name):
    cls = getattr(exactdln, name)
    assert issubclass(cls, exactdln.Verdict)
    fields = {f.name for f in dataclasses.fields(cls)}
    for attribute in SHARED:
        assert attribute in fields or isinstance(getattr(cls, attribute, None), property), (name, attribute)


def _shared_keys(verdict) -> set[str]:
    return set(verdict.common_json())


def test_exact_verdicts_at_a_critical_and_a_non_critical_point():
    problem, weights = _tc2a()
    at = exactdln.classify(problem, weights)
    assert (at.kind, at.critical, at.proven_critical) == ("non_strict_saddle", True, True)   # §8: TC2a
    common = at.common_json()
    assert _shared_keys(at) == set(SHARED) | {"proven_critical"}
    assert common["loss"] == fraction_text(Fraction(1, 2)) and common["fitted"] == [1]

    off = exactdln.classify(*_not_critical())
    assert (off.kind, off.critical, off.proven_critical) == ("not_critical", False, False)
    assert off.common_json()["loss"] == "1"


def test_numeric_verdicts_never_prove_a_zero_gradient():
    problem, weights = _tc2a()
    at = exactdln.classify_float(problem, weights)
    assert at.proven_critical is None and at.kind == "inconclusive"
    assert isinstance(at.notes, tuple) and all(isinstance(n, str) for n in at.notes)
    off = exactdln.classify_float(*_not_critical())
    # |dL/dW_1| = 1, far above float64's rounding: proven nonzero
    assert (off.critical, off.proven_critical, off.kind) == ("no", False, "not_critical")
    assert _shared_keys(off) == set(SHARED) | {"proven_critical"}


def test_a_family_verdict_reads_its_criticality_as_proven():
    """W_1 = diag(3a, 0), W_2 = diag(1/a, b), W_3 = diag(1, 0): W_3 W_2 W_1 = diag(3, 0) for all a, b and every
    gradient block has the factor diag(., 0) diag(0, 1) = 0, as for TC2a: critical identically."""
    verdict = exactdln.classify_family({"X": _d(1, 1), "Y": _d(3, 1),
                                        "weights": [[["3*a", "0"], ["0", "0"]], [["1/a", "0"], ["0", "b"]],
                                                    [["1", "0"], ["0", "0"]]],
                                        "parameters": {"a": "nonzero", "b": "real"}})
    assert (verdict.critical, verdict.proven_critical) == ("identically", True)
    assert verdict.loss is None
    assert _shared_keys(verdict) == set(SHARED) | {"proven_critical"}


def test_a_regularized_verdict_has_no_index_set():
    """X = I, Y = diag(2, 1), W = 0, lambda = 1/2: every gradient block has a factor W = 0, so W is critical,
    and L = 1/2 ||Y||^2 = 5/2."""
    problem = exactdln.Problem.create(_d(1, 1), _d(2, 1), "1/2")
    verdict = exactdln.classify_regularized(problem, [[[0, 0]], [[0], [0]]])
    assert (verdict.critical, verdict.proven_critical, verdict.fitted) == (True, True, None)
    assert verdict.common_json()["loss"] == "5/2"


def test_crosscheck_and_snap_speak_for_the_exact_path():
    import numpy as np

    problem, weights = _tc2a()
    cross = exactdln.crosscheck(problem, weights, mp=False)
    assert (cross.kind, cross.critical, cross.fitted) == ("non_strict_saddle", True, (1,))
    assert cross.loss == Fraction(1, 2)
    snapped = exactdln.snap(problem, [np.array(w, dtype=float) for w in weights])
    assert snapped.snapped and (snapped.kind, snapped.critical, snapped.proven_critical) == \
        ("non_strict_saddle", True, True)
    assert snapped.loss is None
    assert _shared_keys(snapped) == set(SHARED) | {"proven_critical"}
