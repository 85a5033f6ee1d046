"""The certifiers know the checkers' caps (exactdln/certify/caps.py) and never write what a checker cannot read.

The caps are duplicated constants (the engine never imports a checker); their values here are read from
the checker files with ``ast``, so a cap changed in a checker and not in the engine fails this test.
"""

from __future__ import annotations

import ast
import json
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exactdln.certify.caps import (
    FAMILY_CHECKER_CAPS,
    POINT_CHECKER_CAPS,
    CapError,
    check_certificate_text,
    check_family_caps,
    check_point_caps,
    gradient_work_floor,
    hessian_work_floor,
)
from exactdln.cli import main
from tests.support import ROOT

TRUSTED = ROOT / "exactdln" / "trusted"


def _module_constants(path) -> dict[str, int]:
    """NAME = <int expression> at the top level of a file, evaluated from literals only (no import)."""
    out = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                value = _literal(node.value)
            except ValueError:
                continue
            out[node.targets[0].id] = value
    return out


def _literal(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Pow, ast.Add)):
        a, b = _literal(node.left), _literal(node.right)
        return a * b if isinstance(node.op, ast.Mult) else a ** b if isinstance(node.op, ast.Pow) else a + b
    raise ValueError("not an integer literal expression")


@pytest.mark.parametrize("checker, caps", [("checker.py", POINT_CHECKER_CAPS),
                                           ("checker_family.py", FAMILY_CHECKER_CAPS)])
def test_engine_caps_equal_the_checkers_own(checker, caps):
    constants = _module_constants(TRUSTED / checker)
    assert {name: constants.get(name) for name in caps} == caps


def test_engine_does_not_import_the_checkers():
    source = (ROOT / "exactdln" / "certify" / "caps.py").read_text()
    assert "trusted import" not in source and "import checker" not in source


def test_point_caps_name_the_cap():
    with pytest.raises(CapError, match="MAX_PARAMETERS = 100000"):
        check_point_caps((400, 400, 400), 1)          # 2 * 160000 weight entries
    with pytest.raises(CapError, match="MAX_DATA_ENTRIES"):
        check_point_caps((1000, 1, 1000), 600)        # (1000 + 1000) * 600 data entries
    check_point_caps((3, 3, 3), 5)
    # 200 x 200 layers: the checker's prefix product W_1 I alone is 200^3 = 8,000,000 units, the suffix as much
    with pytest.raises(CapError, match="MAX_WORK = 10000000"):
        check_point_caps((200, 200, 200), 1)


def test_gradient_work_floor_by_hand():
    # widths (1, 1), one sample: W_{H:1}, Sigma_XX, Sigma_YX, W_{H:1} Sigma_XX and the two products of the
    # layer's gradient, each a 1 x 1 x 1 product charged 1 + 1 + 8 units by checker.py matmul
    assert gradient_work_floor((1, 1), 1) == 6 * 10


def _checker_work(widths, m, entries, what):
    """MAX_WORK units checker.py spends on its gradient or Hessian at a point with these widths and entries."""
    import exactdln.trusted.checker as checker      # a test may import the checker; the engine never does

    draw = iter(entries)

    def mat(r, c):
        return [[str(next(draw)) for _ in range(c)] for _ in range(r)]

    H = len(widths) - 1
    obj = {"format": "exactdln-certificate", "version": 1,
           "problem": {"X": mat(widths[0], m), "Y": mat(widths[-1], m), "lambda": "0"},
           "point": {"weights": [mat(widths[h + 1], widths[h]) for h in range(H)]}, "claims": [{"type": "critical"}]}
    pb = checker.read_problem(obj)
    checker.reset_work()
    (checker.gradient if what == "gradient" else checker.hessian)(pb)
    spent = checker._spent[0]
    weight_bits = checker.bits(x for M in pb["W"] for r in M for x in r)
    sxx_bits = checker.bits(x for r in checker.matmul(pb["X"], checker.transpose(pb["X"], m)) for x in r)
    checker.reset_work()
    return spent, weight_bits, sxx_bits


@settings(max_examples=30, deadline=None)
@given(widths=st.lists(st.integers(1, 3), min_size=2, max_size=6), m=st.integers(1, 3),
       numerators=st.lists(st.integers(-2**600, 2**600), min_size=80, max_size=80), denominator=st.integers(1, 2**40))
def test_work_floors_never_exceed_the_checkers_charge(widths, m, numerators, denominator):
    widths = tuple(widths)
    entries = [Fraction(a, denominator) for a in numerators]
    spent, _, _ = _checker_work(widths, m, entries, "gradient")
    assert gradient_work_floor(widths, m) <= spent
    spent, weight_bits, sxx_bits = _checker_work(widths, m, entries, "hessian")
    assert hessian_work_floor(widths, m, weight_bits, sxx_bits) <= spent


def test_certify_leaves_out_a_psd_hessian_claim_beyond_max_work():
    # depth 256, width 1, X = Y = W = 0: critical, Hessian 0 (PSD, no negative direction) and Sigma_XX singular (not
    # certified global). The checker's Hessian needs the partial products W_{k-1:h+1} for all h < k: about
    # 256^3 / 6 products of at least 10 units each, beyond MAX_WORK; so no psd_hessian claim is written (the
    # checker would refuse it after the certifier built it) and the escape search is not run.
    from exactdln.certify.point import certify
    from exactdln.model.problem import Problem

    certificate = certify(Problem.create([[0]], [[0]]), [[[0]]] * 256)
    assert certificate.ok and certificate.kind is None
    assert [c["type"] for c in certificate.data["claims"]] == ["critical"]
    assert any("MAX_WORK" in note for note in certificate.notes)


def test_family_caps_name_the_cap():
    with pytest.raises(CapError, match="MAX_DIM = 12"):
        check_family_caps((13, 2, 2), 2, 1)
    with pytest.raises(CapError, match="MAX_LAYERS = 8"):
        check_family_caps((2,) * 10, 2, 1)
    check_family_caps((12,) * 9, 2, 16)


def test_text_caps():
    digits = POINT_CHECKER_CAPS["MAX_DIGITS"]
    data = {"point": {"weights": [[["1"]]]}, "claims": []}
    check_certificate_text(json.dumps({"x": "9" * digits}), data)
    with pytest.raises(CapError, match="MAX_DIGITS"):
        check_certificate_text(json.dumps({"x": "9" * (digits + 1)}), data)
    curve = {"point": {"weights": [[["1"]]] * 9}, "claims": [{"type": "escape_curve", "coefficients": [0] * 60}]}
    with pytest.raises(CapError, match="MAX_EXPANSION"):       # 9 layers x degree 60 = 540 > 512
        check_certificate_text("{}", curve)


def test_certify_refuses_a_family_wider_than_the_checker_reads(tmp_path, capsys):
    # W_1 = [a 0 ... 0] (1 x 13): a width-13 input layer; the family checker reads widths <= 12
    fam = {"X": [[str(int(i == j)) for j in range(13)] for i in range(13)], "Y": [["1"] * 13],
           "weights": [[["a"] + ["0"] * 12]], "parameters": {"a": "real"}}
    path = tmp_path / "wide.json"
    path.write_text(json.dumps(fam))
    assert main(["certify", str(path), "-o", str(tmp_path / "wide.cert.json")]) == 2
    err = capsys.readouterr().err
    assert "MAX_DIM = 12" in err and err.count("\n") == 1
    assert not (tmp_path / "wide.cert.json").exists()


def test_certify_writes_long_numbers_in_full(tmp_path):
    # X = Y = [[10^4400]], W = [[1]]: W X = Y, the loss is 0, so the point is a global minimizer; the
    # certificate spells X's 4,401 digits (Python's str() of an int stops at 4,300)
    big = "1" + "0" * 4400
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"X": [[big]], "Y": [[big]], "weights": [[["1"]]]}))
    out = tmp_path / "big.cert.json"
    assert main(["certify", str(path), "-o", str(out)]) == 0
    assert json.loads(out.read_text())["problem"]["X"] == [[big]]


def test_family_certificate_with_an_exponent_beyond_the_checker_cap_is_refused_first(tmp_path, capsys):
    """W_2 W_1 with entries a^2, 1/a and a^2, a^(-31) has a gradient whose factored numerator holds a^66, beyond the
    family checker's MAX_EXPONENT = 64: certify refuses it with exit 2 naming the cap, and writes nothing
    (bench/fuzz.py seed 5006, input 4569, had exit 1 from the checker's refusal)."""
    import json

    from exactdln.cli import main

    path = tmp_path / "family.json"
    path.write_text(json.dumps({"X": [["1", "0"], ["0", "2"]], "Y": [["-1", "-2"], ["-1", "3"]],
                                "weights": [[["a^2", "1/a"]], [["a^2"], ["a^(-31)"]]], "parameters": {"a": "positive"}}))
    assert main(["certify", str(path), "-o", str(tmp_path / "out.json")]) == 2
    err = capsys.readouterr().err
    assert "MAX_EXPONENT = 64" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "out.json").exists()
