"""The untrusted engine and the trusted checkers are independent (the de Bruijn criterion).

- No module of exactdln imports exactdln/trusted/checker.py or exactdln/trusted/checker_family.py except the
  ``check`` command (exactdln/cli/commands/check.py); the certifiers run the checkers as separate
  processes (exactdln/certify/gate.py). Imports are read with ast from every .py file,
  inside functions too, relative imports resolved.
- The checkers import the standard library only, and their shared block of reading and
  command-line code is byte-identical in both files.
- Every claim type a checker accepts is documented (FORMAT.md / FAMILY_FORMAT.md) and in schema.json.
- Where the engine and a checker compute the same mathematical object with their own code (the sign
  rule of FAMILY_FORMAT.md, M = Delta^2 Hess, the loss along a curve), they agree; signs the engine
  decides are checked against evaluations at admissible points.
"""

from __future__ import annotations

import ast
import json
import random
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support import ROOT as _ROOT

ROOT = _ROOT
PACKAGE = ROOT / "exactdln"
TRUSTED = PACKAGE / "trusted"
CHECKERS = {"exactdln.trusted.checker", "exactdln.trusted.checker_family"}
ALLOWED_IMPORTERS = {"exactdln.cli.commands.check"}
BEGIN = "# ---- shared block begin (kept identical in checker.py and checker_family.py; tests/test_independence.py) ----"
END = "# ---- shared block end ----"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports (absolute names), anywhere in the file, plus ``from P import name`` as P.name."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            out.add(source)
            out.update(f"{source}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call):
            # importlib.import_module("exactdln.trusted.checker") / __import__(...) with a literal name
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
                out.add(str(node.args[0].value))
    return out


def test_import_walker_resolves_relative_and_nested_imports(tmp_path, monkeypatch):
    """The walker itself, on a fake package: relative imports at two levels, inside a function."""
    pkg = tmp_path / "exactdln" / "cli" / "commands"
    pkg.mkdir(parents=True)
    (pkg / "x.py").write_text("def f():\n    from ...trusted import checker\n    from ...trusted.checker_family import main\n"
                              "    import importlib\n    importlib.import_module('exactdln.trusted.checker')\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    found = imported_modules(pkg / "x.py")
    assert {"exactdln.trusted.checker", "exactdln.trusted.checker_family", "exactdln.trusted.checker_family.main"} <= found


def test_only_the_check_command_imports_the_checkers():
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        if module in CHECKERS or module in ALLOWED_IMPORTERS:
            continue
        hits = {m for m in imported_modules(path) if m in CHECKERS or any(m.startswith(c + ".") for c in CHECKERS)}
        if hits:
            offenders[module] = sorted(hits)
    assert offenders == {}


@pytest.mark.parametrize("name", ["checker.py", "checker_family.py"])
def test_checkers_import_only_the_standard_library(name):
    tree = ast.parse((TRUSTED / name).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{name}: relative import"
            top = (node.module or "").split(".")[0]
            assert top == "__future__" or top in sys.stdlib_module_names, f"{name}: imports {node.module}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name.split(".")[0] in sys.stdlib_module_names, f"{name}: imports {alias.name}"
    source = (TRUSTED / name).read_text(encoding="utf-8")
    assert "exactdln" not in {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    for forbidden in ("eval(", "exec(", "__import__", "import_module"):
        assert forbidden not in source


def _shared_block(name: str) -> str:
    text = (TRUSTED / name).read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1 and text.count(END) == 1, f"{name}: one shared block between the markers"
    return text[text.index(BEGIN):text.index(END) + len(END)]


def test_shared_block_is_identical_in_both_checkers():
    a, b = _shared_block("checker.py"), _shared_block("checker_family.py")
    assert a == b
    # the block is the reading and command-line code: both files use it, neither redefines it
    defined = {n.name for n in ast.parse(a).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    assert {"Malformed", "number", "parse_text", "main", "matmul", "transpose", "positive_definite"} <= defined
    for name in ("checker.py", "checker_family.py"):
        rest = (TRUSTED / name).read_text(encoding="utf-8").replace(_shared_block(name), "")
        top = {n.name for n in ast.parse(rest).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        assert not defined & top, f"{name} redefines {sorted(defined & top)}"


# ---------------------------------------------------------------- the final gate is a separate process

def test_certify_runs_the_checker_file_in_a_separate_bare_process(monkeypatch):
    """certify's ok and lines come from `python -I -S exactdln/trusted/checker.py FILE`, nothing in process."""
    from exactdln.certify import gate
    from exactdln.certify.point import certify
    from exactdln.model.problem import Problem, as_weights

    calls = []
    real = subprocess.run

    def spy(argv, *args, **kwargs):
        calls.append(list(argv))
        return real(argv, *args, **kwargs)

    monkeypatch.setattr(gate.subprocess, "run", spy)
    # the strict saddle of FORMAT.md's example: X = I_2, Y = diag(2, 1), W_1 = [0 1], W_2 = [0; 1]
    problem = Problem.create([[1, 0], [0, 1]], [[2, 0], [0, 1]])
    cert = certify(problem, as_weights([[[0, 1]], [[0], [1]]]))
    assert cert.ok and cert.kind == "strict_saddle"
    assert len(calls) == 1
    argv = calls[0]
    assert argv[:3] == [sys.executable, "-I", "-S"] and Path(argv[3]) == TRUSTED / "checker.py"
    assert len(cert.check_lines) == len(cert.data["claims"])
    assert all(line.startswith("ok   ") for line in cert.check_lines)


def test_a_refused_certificate_is_never_written(tmp_path):
    """A certificate the checker refuses leaves no file and no temporary file behind."""
    from exactdln.certify.point import Certificate, CertificateError, write_certificate

    data = {"format": "exactdln-certificate", "version": 1,
            "problem": {"X": [["1"]], "Y": [["1"]]}, "point": {"weights": [[["2"]]]},
            "claims": [{"type": "critical"}, {"type": "kind", "kind": "global_minimizer"}]}
    # claims "ok" without a checked text: the gate checks the temporary file and refuses (dL/dW = 2 - 1 != 0)
    forged = Certificate(data, "global_minimizer", ok=True)
    target = tmp_path / "out" / "forged.json"
    with pytest.raises(CertificateError):
        write_certificate(forged, target)
    assert not target.exists() and list((tmp_path / "out").iterdir()) == []


def test_the_written_file_is_the_checked_text(tmp_path):
    from exactdln.certify.point import certify, write_certificate
    from exactdln.model.problem import Problem, as_weights

    # W_2 W_1 = diag(2, 0) is the best rank-1 fit of Y = diag(2, 1): a global minimizer
    problem = Problem.create([[1, 0], [0, 1]], [[2, 0], [0, 1]])
    cert = certify(problem, as_weights([[[1, 0]], [[2], [0]]]))
    assert cert.ok and cert.kind == "global_minimizer"
    target = tmp_path / "c.json"
    write_certificate(cert, target)
    assert target.read_text(encoding="utf-8") == cert.text
    assert [p.name for p in tmp_path.iterdir()] == ["c.json"]


# ---------------------------------------------------------------- claim types are documented

def _claim_types(name: str) -> tuple[str, ...]:
    tree = ast.parse((TRUSTED / name).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "CLAIM_TYPES" for t in node.targets):
            return tuple(ast.literal_eval(node.value))
    raise AssertionError(f"{name}: no CLAIM_TYPES")


def _schema_types(claim_def: str) -> set[str]:
    schema = json.loads((TRUSTED / "schema.json").read_text(encoding="utf-8"))
    return {branch["properties"]["type"]["const"] for branch in schema["$defs"][claim_def]["oneOf"]}


@pytest.mark.parametrize("checker,doc,claim_def", [("checker.py", "FORMAT.md", "claim"),
                                                   ("checker_family.py", "FAMILY_FORMAT.md", "family_claim")])
def test_every_claim_type_is_documented_and_in_the_schema(checker, doc, claim_def):
    types = set(_claim_types(checker))
    table = set(re.findall(r"^\| `([a-z_]+)` \|", (TRUSTED / doc).read_text(encoding="utf-8"), re.M))
    assert types == table
    assert types == _schema_types(claim_def)


def test_random_evaluation_says_so_in_its_name():
    """Only a claim named *_random draws random numbers: no other function of either checker mentions random."""
    for name, expected in (("checker.py", {"check_flow_identities_random"}), ("checker_family.py", set())):
        tree = ast.parse((TRUSTED / name).read_text(encoding="utf-8"))
        drawing = set()
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef):
                names = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)}
                names |= {a.name for n in ast.walk(fn) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
                if any("random" in x.lower() for x in names):
                    drawing.add(fn.name)
        assert drawing == expected
        assert all(f"check_{t}" not in drawing or t.endswith("_random") for t in _claim_types(name))


def _stated_lines(text: str, name: str) -> int:
    match = re.search(rf"{re.escape(name)}`? \((?:about )?([0-9,]+) lines\)", text)
    assert match, f"no line count stated for {name}"
    return int(match.group(1).replace(",", ""))


@pytest.mark.parametrize("doc", ["README.md", "exactdln/trusted/FORMAT.md"])
def test_stated_checker_sizes_are_true(doc):
    """The documents state each checker's size (wc -l); within 10 % of the files as they are."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    for name in ("checker.py", "checker_family.py"):
        actual = len((TRUSTED / name).read_text(encoding="utf-8").splitlines())
        assert abs(_stated_lines(text, name) - actual) <= actual // 10, (doc, name, actual)


# ---------------------------------------------------------------- same mathematics, two implementations

KINDS = ("real", "nonzero", "positive", "negative", "nonnegative")
ADMISSIBLE = {"real": [-3, -1, 0, 1, 2], "nonzero": [-2, -1, 1, 3], "positive": [1, 2, 5],
              "negative": [-4, -1], "nonnegative": [0, 1, 3]}


@st.composite
def signed_polynomials(draw):
    n = draw(st.integers(1, 3))
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=n, max_size=n))
    terms = draw(st.dictionaries(st.tuples(*[st.integers(0, 3)] * n), st.integers(-3, 3).filter(bool),
                                 min_size=1, max_size=4))
    return n, kinds, terms


@settings(max_examples=300, deadline=None)
@given(signed_polynomials())
def test_engine_sign_algebra_agrees_with_the_checker_and_with_evaluation(case):
    """The engine's sign algebra (exactdln/symbolic/signs.py) and the checker's term-sign rule are two
    implementations of the rule in FAMILY_FORMAT.md: they agree, and a sign either one asserts holds at
    every admissible point tried."""
    import itertools

    from sympy import QQ
    from sympy.polys.rings import ring

    from exactdln.trusted import checker_family
    from exactdln.symbolic.signs import cannot_vanish, definite_sign

    n, kinds, terms = case
    R, *_ = ring(",".join(f"x{i}" for i in range(n)), QQ)
    p = R.from_dict({m: QQ(c) for m, c in terms.items()})
    as_dict = {m + (0,): Fraction(c) for m, c in terms.items()}
    sign = definite_sign(p, kinds)
    assert sign == checker_family.definite_sign(as_dict, list(kinds) + ["real"])
    nonzero = cannot_vanish(p, kinds)
    assert nonzero == checker_family.cannot_vanish(as_dict, list(kinds) + ["real"])
    for point in itertools.product(*[ADMISSIBLE[k] for k in kinds]):
        value = sum(c * _power_product(point, m) for m, c in terms.items())
        if sign:
            assert (value > 0) if sign > 0 else (value < 0)
        if nonzero:
            assert value != 0


def _power_product(point, monomial) -> int:
    out = 1
    for x, e in zip(point, monomial):
        out *= x ** e
    return out


def _checker_view(data: dict) -> dict:
    from exactdln.trusted import checker_family

    return checker_family.read_family(json.loads(json.dumps(data)))


def test_hessian_numerators_agree_with_the_checker():
    """M = Delta^2 Hess: the engine's closed form (polarized Hessian over QQ(params)) and the checker's
    second differences of the loss expansion are the same polynomials."""
    from tests.certify import test_family_certificates as fams

    from exactdln.trusted import checker_family
    from exactdln.certify.family import family_certificate
    from exactdln.certify.family_evidence import hessian_numerators
    from exactdln.symbolic import load_family

    for fam in (fams.N1, fams.FAMILIES["TC2b"][0], fams.FAMILIES["bottleneck"][0]):
        family = load_family(fam)
        data = family_certificate(family).data
        engine = hessian_numerators(family)
        checker = checker_family.hessian_numerators(_checker_view(data))
        as_dicts = [[{tuple(m) + (0,): Fraction(int(c.numerator), int(c.denominator)) for m, c in e.terms()}
                     for e in row] for row in engine]
        assert as_dicts == checker


def _as_dict(p) -> dict:
    return {tuple(m) + (0,): Fraction(int(c.numerator), int(c.denominator)) for m, c in p.terms()}


def test_loss_along_a_curve_agrees_with_the_checker():
    """The t^k coefficients of L(W + t C_1 + t^2 C_2) over QQ(params) (engine: DomainMatrix products) equal the
    checker's cleared expansion divided by Delta^2, for random curves with rational-function entries."""
    from tests.certify import test_family_certificates as fams

    from exactdln.trusted import checker_family
    from exactdln.certify.family import _Writer, family_certificate
    from exactdln.certify.family_evidence import loss_coefficients
    from exactdln.symbolic import load_family

    family = load_family(fams.N1)
    fam = _checker_view(family_certificate(family).data)
    K, widths = family.field, family.widths
    gens = [K.new(g) for g in K.one.numer.ring.gens]
    rng = random.Random(5)

    def entry():
        e = K.one * Fraction(rng.randint(-3, 3), rng.randint(1, 3))
        for g in gens:
            e += g * rng.randint(-1, 1)
        return e / (gens[1] if rng.random() < 0.3 else K.one)      # b is declared nonzero

    for _ in range(3):
        curve = [[[[entry() for _ in range(widths[h])] for _ in range(widths[h + 1])] for h in range(family.depth)]
                 for _ in range(2)]
        engine = loss_coefficients(family, curve)
        writer = _Writer(family)
        written = json.loads(json.dumps([[writer.matrix(M) for M in C] for C in curve]))
        fam["den_evidence"] = fam.get("den_evidence", [])
        coeffs, den = checker_family.loss_numerator(
            fam, [checker_family.directions(fam, C, "C") for C in written])
        assert len(coeffs) >= len(engine)
        for k, c in enumerate(coeffs):
            e = engine[k] if k < len(engine) else K.zero
            # c / Delta^2 == e  <=>  c * denom(e) == Delta^2 * numer(e)
            assert checker_family.pmul(c, _as_dict(e.denom)) == checker_family.pmul(den, _as_dict(e.numer)), k
