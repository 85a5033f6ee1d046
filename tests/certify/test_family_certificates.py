"""Family certificates: honest ones for the families of docs/maths/classification.md §3.6 are accepted by the
standalone family checker, mutated ones are refused, fuzzed ones never give a traceback; the
symbolic Hessian agrees with the point Hessian at specializations and with the theorem route.

Expected kinds come from the classification theorem as reconstructed in docs/maths/classification.md §3.3 (the
families are the worked points TC2b, TC2d (S1), TC2e, N1 of §8 mixed by parametric symmetries W_h -> A_h W_h A_{h-1}^-1,
which preserve the class, docs/maths/classification.md §7), not from the code under test.
"""

from __future__ import annotations

import copy
import json
import random
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactdln.trusted import checker, checker_family
from exactdln.certify.family import family_certificate
from exactdln.landscape.derivatives import hessian_matrix
from exactdln.symbolic import load_family
from exactdln.symbolic.hessian import descartes_inertia, family_hessian, hessian_route
from tests.support import ROOT as _ROOT

ROOT = _ROOT
a, b = sympy.symbols("a b")
I2, Y2 = [[1, 0], [0, 1]], [[3, 0], [0, 1]]


def _text(M: sympy.Matrix) -> list[list[str]]:
    return [[str(sympy.factor(e)).replace("**", "^") for e in row] for row in M.tolist()]


def _mixed(weights, mixers):
    A = [sympy.eye(weights[0].shape[1])] + mixers + [sympy.eye(weights[-1].shape[0])]
    return [_text(A[h + 1] * w * A[h].inv()) for h, w in enumerate(weights)]


A1, A2 = sympy.Matrix([[1, 0], [a, 1]]), sympy.Matrix([[b, 0], [0, 1]])
PARAMS = {"a": "real", "b": "nonzero"}
FAMILIES = {
    # TC2b (docs/maths/classification.md §8): S = [1], r = 1 < r_max = 2, pivot (2,3) not tightened -> strict saddle
    "TC2b": ({"X": I2, "Y": Y2, "weights": _mixed([sympy.diag(1, 1), sympy.diag(3, 0), sympy.diag(1, 0)], [A1, A2]),
              "parameters": PARAMS}, "strict_saddle"),
    # family S1 (docs/maths/classification.md §3.6) (TC2d orbit): S = {2} != [1] -> strict saddle (rotation direction, §6.1)
    "S1": ({"X": I2, "Y": Y2, "weights": _mixed([sympy.diag(0, 1)] * 3, [sympy.Matrix([[1, a], [0, 1]]),
                                                                      sympy.Matrix([[1, 0], [0, b]])]),
            "parameters": PARAMS}, "strict_saddle"),
    # TC2e (docs/maths/classification.md §8): S = [r_max] -> global minimizer (§3 Thm (a))
    "TC2e": ({"X": I2, "Y": Y2, "weights": _mixed([sympy.diag(3, 1), sympy.eye(2), sympy.eye(2)], [A1, A2]),
              "parameters": PARAMS}, "global_minimizer"),
    # docs/maths/classification.md §4 parameterization with a bottleneck (2,1,2): W_2 W_1 = diag(3, 0), best rank-1 fit
    "bottleneck": ({"X": I2, "Y": Y2, "weights": [[["3/z", "0"]], [["z"], ["0"]]], "parameters": {"z": "nonzero"}},
                   "global_minimizer"),
    # gradient dL/dW_1[0][0] = a - 3 (hand computation): not critical outside a = 3
    "a_minus_3": ({"X": I2, "Y": Y2, "weights": [[["a", "0"], ["0", "0"]], [["1", "0"], ["0", "b"]],
                                                  [["1", "0"], ["0", "0"]]],
                   "parameters": {"a": "real", "b": "real"}}, "not_critical"),
}
# family N1 (docs/maths/classification.md §3.6) (minimal construction, S = [1], every pivot tightened): non-strict saddle
N1 = {"X": I2, "Y": Y2, "weights": _mixed([sympy.diag(3, 0), sympy.diag(1, 0), sympy.diag(1, 0)], [A1, A2]),
      "parameters": PARAMS}

_CACHE: dict[str, dict] = {}


def certificate(name: str) -> dict:
    if name not in _CACHE:
        fam, _ = FAMILIES[name]
        _CACHE[name] = family_certificate(load_family(fam)).data
    return copy.deepcopy(_CACHE[name])


def verdict_of(data: dict) -> bool:
    """True when the family checker accepts every claim."""
    try:
        return all(ok for _, ok, _ in checker_family.check_certificate(data))
    except checker_family.Malformed:
        return False


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_honest_family_certificate_is_accepted(name):
    data = certificate(name)
    kinds = [c["kind"] for c in data["claims"] if c["type"] == "kind"]
    assert kinds == [FAMILIES[name][1]]
    assert verdict_of(data)


def test_checker_runs_isolated_from_the_package(tmp_path):
    path = tmp_path / "s1.cert.json"
    path.write_text(json.dumps(certificate("S1")))
    run = subprocess.run([sys.executable, "-I", "-S", str(ROOT / "exactdln" / "trusted" / "checker_family.py"), str(path)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "kind: strict_saddle" in run.stdout
    cli = subprocess.run([sys.executable, "-m", "exactdln", "check", str(path)], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert cli.returncode == 0, cli.stderr


def test_certify_command_writes_a_family_certificate(tmp_path):
    src = tmp_path / "fam.json"
    src.write_text(json.dumps(FAMILIES["TC2b"][0]))
    out = tmp_path / "fam.cert.json"
    run = subprocess.run([sys.executable, "-m", "exactdln", "certify", str(src), "-o", str(out), "--quiet"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert json.loads(out.read_text())["format"] == "exactdln-family-certificate"


def test_non_strict_family_is_certified():
    """N1 (docs/maths/classification.md §3.6): psd_hessian (positive pivots, rest eliminates to 0) + a cut-chain escape curve of
    order 3 (docs/maths/escape_curves.md §2: the chain through all H = 3 layers gives order m = 3)."""
    data = family_certificate(load_family(N1)).data
    assert [c["kind"] for c in data["claims"] if c["type"] == "kind"] == ["non_strict_saddle"]
    assert next(c for c in data["claims"] if c["type"] == "escape_curve")["order"] == 3
    assert verdict_of(data)
    _CACHE["N1"] = data


def _n1() -> dict:
    if "N1" not in _CACHE:
        _CACHE["N1"] = family_certificate(load_family(N1)).data
    return copy.deepcopy(_CACHE["N1"])


def test_non_strict_mutations_are_refused():
    data = _n1()
    psd = next(c for c in data["claims"] if c["type"] == "psd_hessian")
    psd["pivots"][0]["constant"] = str(-Fraction(psd["pivots"][0]["constant"]))
    assert not verdict_of(data)
    data = _n1()
    next(c for c in data["claims"] if c["type"] == "psd_hessian")["order"].pop()
    next(c for c in data["claims"] if c["type"] == "psd_hessian")["pivots"].pop()
    assert not verdict_of(data)          # the matrix left is not 0
    data = _n1()
    esc = next(c for c in data["claims"] if c["type"] == "escape_curve")
    esc["coefficient"]["constant"] = str(-Fraction(esc["coefficient"]["constant"]))
    assert not verdict_of(data)
    data = _n1()
    data["claims"] = [c for c in data["claims"] if c["type"] != "escape_curve"]
    assert not verdict_of(data)          # psd alone does not make a saddle


# ---------------------------------------------------------------- mutations are refused

def _first_nonzero_weight(data):
    for h, W in enumerate(data["weights"]):
        for i, row in enumerate(W):
            for j, e in enumerate(row):
                if e["num"]:
                    return h, i, j
    raise AssertionError


@pytest.mark.parametrize("name", ["TC2b", "S1", "TC2e", "a_minus_3"])
def test_changed_entry_is_refused(name):
    data = certificate(name)
    h, i, j = _first_nonzero_weight(data)
    term = data["weights"][h][i][j]["num"][0]
    term[0] = str(Fraction(term[0]) + 1)
    assert not verdict_of(data)


def test_dropped_exceptional_polynomial_is_refused():
    data = certificate("a_minus_3")
    assert data["exceptional"]
    data["exceptional"] = []
    assert not verdict_of(data)


@pytest.mark.parametrize("name", ["TC2b", "S1"])
def test_wrong_sign_evidence_is_refused(name):
    data = certificate(name)
    claim = next(c for c in data["claims"] if c["type"] == "strict_saddle")
    claim["t2_coefficient"]["constant"] = str(-Fraction(claim["t2_coefficient"]["constant"]))
    assert not verdict_of(data)


def test_sign_needs_an_even_power_of_an_exceptional_factor():
    """c = -a^2 is negative for a != 0; claiming -a (a real, in the exceptional set) must fail."""
    data = certificate("a_minus_3")
    fam = checker_family.read_family(data)
    fact = (Fraction(-1), [({(1, 0, 0): Fraction(1)}, 1)])
    fam["exceptional"].append({(1, 0, 0): Fraction(1)})
    assert checker_family.factor_sign(fact, fam)[0] == 0
    assert checker_family.factor_sign((Fraction(-1), [({(1, 0, 0): Fraction(1)}, 2)]), fam)[0] == -1


@pytest.mark.parametrize("name,swap", [("S1", "global_minimizer"), ("TC2e", "strict_saddle"), ("S1", "non_strict_saddle"),
                                       ("a_minus_3", "strict_saddle"), ("TC2b", "not_critical")])
def test_swapped_kind_is_refused(name, swap):
    data = certificate(name)
    next(c for c in data["claims"] if c["type"] == "kind")["kind"] = swap
    assert not verdict_of(data)


def test_missing_denominator_evidence_is_refused():
    data = certificate("bottleneck")
    assert data["denominators"]
    data["denominators"] = []
    assert not verdict_of(data)


# ---------------------------------------------------------------- specializations and routes

def _at(rf: dict, values: list[Fraction]) -> Fraction:
    def ev(p):
        total = Fraction(0)
        for c, e in p:
            term = Fraction(c)
            for v, k in zip(values, e):
                term *= v ** k
            total += term
        return total
    return ev(rf["num"]) / ev(rf.get("den", [["1", [0] * len(values)]]))


@pytest.mark.parametrize("name", ["TC2b", "S1"])
def test_specialized_direction_passes_the_point_checker(name):
    """At random admissible points outside the exceptional set, the family direction is a point
    strict-saddle certificate for the independent point checker (exactdln/trusted/checker.py)."""
    data = certificate(name)
    rng = random.Random(7)
    done = 0
    while done < 3:
        values = [Fraction(rng.randint(-9, 9), rng.randint(1, 4)) for _ in data["parameters"]]
        if 0 in values:
            continue
        mat = lambda M: [[str(_at(e, values)) for e in row] for row in M]   # noqa: E731
        claim = next(c for c in data["claims"] if c["type"] == "strict_saddle")
        point = {"format": "exactdln-certificate", "version": 1,
                 "problem": {"X": data["X"], "Y": data["Y"]},
                 "point": {"weights": [mat(W) for W in data["weights"]]},
                 "claims": [{"type": "critical"},
                            {"type": "strict_saddle", "direction": [mat(D) for D in claim["direction"]]},
                            {"type": "kind", "kind": "strict_saddle"}]}
        assert all(ok for _, ok, _ in checker.check_certificate(point))
        done += 1


def test_symbolic_hessian_specializes_to_the_point_hessian():
    family = load_family(FAMILIES["TC2b"][0])
    H = family_hessian(family)
    rng = random.Random(3)
    for _ in range(3):
        values = {"a": Fraction(rng.randint(-7, 7), 3), "b": Fraction(rng.randint(1, 7), 2)}
        problem, weights = family.specialize(values)
        Hp = hessian_matrix(problem, weights)
        subs = {s: sympy.Rational(values[str(s)]) for s in family.symbols}
        for i, row in enumerate(H.to_list()):
            for j, e in enumerate(row):
                assert sympy.Rational(str(family.field.to_sympy(e).subs(subs))) == sympy.Rational(str(Hp[i, j]))


def test_descartes_inertia_of_known_polynomials():
    # diag(1, -1, 0): chi = x^3 - x -> (n+, n-, n0) = (1, 1, 1)
    assert descartes_inertia([0, -1, 0, 1]) == (1, 1, 1)
    # diag(2, 3): chi = x^2 - 5x + 6 -> (2, 0, 0)
    assert descartes_inertia([6, -5, 1]) == (2, 0, 0)


@pytest.mark.parametrize("fam,kind", [FAMILIES["TC2b"], FAMILIES["S1"], FAMILIES["TC2e"], (N1, "non_strict_saddle")])
def test_hessian_route_agrees_with_the_theorem(fam, kind):
    family = load_family(fam)
    route = hessian_route(family)
    assert route.decided
    assert route.implies == ("strict_saddle" if kind == "strict_saddle" else "psd")


# ---------------------------------------------------------------- hostile input

_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=12),
                    st.just("1/0"), st.just([]), st.just({}), st.just([["1", [99, 0]]]), st.just(["x"]))


def _leaf(data) -> object:
    """A fresh copy of a drawn leaf: st.just hands out the same list object every time, and a later
    mutation that walks into an inserted leaf would change it for every following example (data
    generation depending on external state: hypothesis FlakyStrategyDefinition, e.g. --hypothesis-seed=16)."""
    return copy.deepcopy(data.draw(_LEAVES))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzzed_certificates_never_traceback(data):
    cert = certificate(data.draw(st.sampled_from(["TC2b", "bottleneck", "a_minus_3"])))
    for _ in range(data.draw(st.integers(1, 3))):
        node, key = cert, None
        for _ in range(data.draw(st.integers(1, 8))):
            if isinstance(node, dict) and node:
                key = data.draw(st.sampled_from(sorted(node)))
            elif isinstance(node, list) and node:
                key = data.draw(st.integers(0, len(node) - 1))
            else:
                break
            parent, node = node, node[key]
        if key is not None:
            parent[key] = _leaf(data)
    try:
        results = checker_family.check_certificate(cert)
    except checker_family.Malformed:
        return
    assert all(isinstance(ok, bool) for _, ok, _ in results)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_exit_2(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("fuzz") / "c.json"
    path.write_bytes(raw)
    assert checker_family.main([str(path)]) == 2


def test_regularized_family_is_decided_by_the_hessian_route():
    """Scalar depth 2, y = 3, lambda = 1, W = 0 (a parameter that does not enter): by hand,
    L(tD) for D = (1, 1) is 1/2 (t^2 - 3)^2 + t^2, so the t^2 coefficient is -3 + 1 = -2 < 0 and the
    Hessian [[1, -3], [-3, 1]] has eigenvalues -2 and 4: a strict saddle, which the theorem route
    (unregularized only) leaves undecided."""
    from exactdln.symbolic import classify_family

    fam = {"X": [[1]], "Y": [[3]], "lambda": "1", "weights": [[["0*a"]], [["0"]]], "parameters": {"a": "real"}}
    verdict = classify_family(fam)
    assert verdict.kind == "strict_saddle"
    routes = verdict.to_json()["routes"]
    assert routes["theorem"] == "undecided"
    assert routes["hessian"]["inertia"] == [1, 1, 0]
    cert = family_certificate(load_family(fam))
    assert cert.kind == "strict_saddle" and cert.ok
    data = copy.deepcopy(cert.data)
    data["lambda"] = ["4", "4"]      # lambda = 4 > y: W = 0 is a local minimum, no negative curvature
    assert not verdict_of(data)


@pytest.mark.parametrize("fam,kind", [FAMILIES["TC2b"], FAMILIES["TC2e"]])
def test_verdict_lists_both_routes(fam, kind):
    from exactdln.symbolic import classify_family

    out = classify_family(fam).to_json()
    assert out["routes"]["theorem"] == kind
    assert out["routes"]["hessian"]["implies"] == ("strict_saddle" if kind == "strict_saddle" else "psd")
    assert out["agree"] is True


def test_specialized_escape_curve_passes_the_point_checker():
    """The N1 family's escape curve, specialized at random admissible points, is an escape curve of
    order 3 for the independent point checker."""
    data = _n1()
    claim = next(c for c in data["claims"] if c["type"] == "escape_curve")
    rng = random.Random(11)
    for _ in range(3):
        values = [Fraction(rng.randint(-9, 9), rng.randint(1, 4)), Fraction(rng.choice([-1, 1]) * rng.randint(1, 9), 2)]
        mat = lambda M: [[str(_at(e, values)) for e in row] for row in M]   # noqa: E731
        point = {"format": "exactdln-certificate", "version": 1,
                 "problem": {"X": data["X"], "Y": data["Y"]},
                 "point": {"weights": [mat(W) for W in data["weights"]]},
                 "claims": [{"type": "critical"},
                            {"type": "escape_curve", "coefficients": [[mat(C) for C in claim["coefficients"][0]]]}]}
        results = checker.check_certificate(point)
        assert all(ok for _, ok, _ in results)
        assert "t^3" in results[-1][2]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzzed_non_strict_certificates_never_traceback(data):
    cert = _n1()
    claim = data.draw(st.sampled_from([c for c in cert["claims"] if c["type"] in ("psd_hessian", "escape_curve")]))
    node, key = claim, None
    for _ in range(data.draw(st.integers(1, 6))):
        if isinstance(node, dict) and node:
            key = data.draw(st.sampled_from(sorted(node)))
        elif isinstance(node, list) and node:
            key = data.draw(st.integers(0, len(node) - 1))
        else:
            break
        parent, node = node, node[key]
    if key is not None:
        parent[key] = _leaf(data)
    try:
        results = checker_family.check_certificate(cert)
    except checker_family.Malformed:
        return
    assert all(isinstance(ok, bool) for _, ok, _ in results)


# ---------------------------------------------------------------- regressions: hostile input found by hand

BIG = "1" + "0" * 1999          # c = 10^1999: 2000 digits, the largest the format allows


def _big_a_minus_3() -> dict:
    """a_minus_3 with every nonzero weight coefficient and X scaled to c = 10^1999. By hand:
    W_3 W_2 = diag(c^2, 0), G = Y X^T - W_{3:1} X X^T = diag(3c - c^5 a, c), so
    dL/dW_1[0][0] = -(W_3 W_2)^T G = c^7 a - 3 c^3: not identically 0, and c^7 has 13994 digits,
    past the 4300-digit limit of Python's int -> str."""
    data = certificate("a_minus_3")
    for W in data["weights"]:
        for row in W:
            for e in row:
                for term in e["num"]:
                    term[0] = BIG
    data["X"] = [[BIG, "0"], ["0", BIG]]
    data["claims"] = [{"type": "critical"}]
    return data


def test_huge_gradient_coefficient_fails_the_claim_without_traceback(tmp_path):
    """Before the fix the failure message printed the coefficient: ValueError (int -> str limit), and
    the command line answered 2 (malformed) for a well-formed certificate whose claim is false."""
    results = checker_family.check_certificate(_big_a_minus_3())
    assert [(name, ok) for name, ok, _ in results] == [("denominators", True), ("critical", False)]
    assert "digits" in results[1][2]
    path = tmp_path / "big.cert.json"
    path.write_text(json.dumps(_big_a_minus_3()))
    assert checker_family.main([str(path)]) == 1


def test_python_objects_beyond_the_json_caps():
    """check_certificate also takes Python objects, which json.loads with the checker's hooks would
    refuse: a kind nested 10^5 deep (repr raised RecursionError), a kind and a number with 5001 digits
    (int -> str raised ValueError; numbers are capped at MAX_DIGITS digits as in the JSON path)."""
    nested: list = []
    for _ in range(10**5):
        nested = [nested]
    for kind in (nested, 10**5000):
        data = certificate("a_minus_3")
        next(c for c in data["claims"] if c["type"] == "kind")["kind"] = kind
        assert [(name, ok) for name, ok, _ in checker_family.check_certificate(data)][-1] == ("kind", False)
    data = certificate("a_minus_3")
    data["X"][0][0] = 10**5000
    with pytest.raises(checker_family.Malformed):
        checker_family.check_certificate(data)
    data = certificate("TC2b")
    next(c for c in data["claims"] if c["type"] == "rank")["minor"]["rows"] = [nested, 0]
    with pytest.raises(checker_family.Malformed):
        checker_family.check_certificate(data)


# ---------------------------------------------------------------- the final gate (a separate checker process)

def test_family_certificate_results_come_from_the_checker_process_and_refusals_are_not_written(tmp_path):
    """family_certificate's results are the lines of `python -I -S exactdln/trusted/checker_family.py`; the file written
    is that checked text; a certificate the checker refuses is never written, not even half."""
    from exactdln.certify.family import CertificateError, FamilyCertificate, write_family_certificate

    cert = family_certificate(load_family(FAMILIES["a_minus_3"][0]))
    assert cert.ok and cert.returncode == 0
    (tmp_path / "copy.json").write_text(cert.text, encoding="utf-8")
    run = subprocess.run([sys.executable, "-I", "-S", str(ROOT / "exactdln" / "trusted" / "checker_family.py"),
                          str(tmp_path / "copy.json")], capture_output=True, text=True, timeout=60)
    assert run.stdout.splitlines() == [f"{'ok  ' if ok else 'FAIL'} {t}: {m}" for t, ok, m in cert.results]
    target = tmp_path / "fam.cert.json"
    write_family_certificate(cert, target)
    assert target.read_text(encoding="utf-8") == cert.text
    forged = copy.deepcopy(cert.data)
    next(c for c in forged["claims"] if c["type"] == "kind")["kind"] = "strict_saddle"
    refused = FamilyCertificate(forged, [("kind", True, "forged")], "strict_saddle", "not_critical")
    with pytest.raises(CertificateError):
        write_family_certificate(refused, tmp_path / "out" / "forged.json")
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
