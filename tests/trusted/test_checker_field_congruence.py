"""psd_hessian by an integer congruence {free, T} (exactdln/trusted/checker.py psd_by_congruence, FORMAT.md).

The accepted points and their kinds come from constructions, not from the code under test: the golden-ratio
depth-3 saddle and the degree-3 plateau point of tests/trusted/test_checker_field_non_strict.py (family N1 of
docs/maths/classification.md §3.6, non-strict saddles), and, marked slow, the degree-10 point S = {1, 2} of
bench/bench_field.py (exactdln/instances/algebraic_critical.py; its kind from expected_kind_for_index_set).
There the claim replaces the L D L^T over K, whose entries reach 25,000 bits.

Mutants are refused (exit 1) or malformed (exit 2): two equal rows of T (T B T^T singular, so never strictly
diagonally dominant), a zero on the diagonal of the lower-triangular T (T singular), the claim moved to the strict
saddle u = (1, -phi), the conjugate embedding, T of the wrong shape or not integer, ldl and congruence together.
"""

from __future__ import annotations

import copy
import json
import random
from fractions import Fraction

import pytest

from exactdln.certify.field import field_psd_congruence_evidence
from exactdln.certify.point import certify
from exactdln.instances.algebraic_critical import critical_point_for_fitted_set
from exactdln.instances.construct import expected_kind_for_index_set
from exactdln.landscape.number_field_point import FieldPoint
from exactdln.model.field_format import algebraic_point_from_mapping
from exactdln.model.results import NON_STRICT_SADDLE
from exactdln.trusted import checker
from tests.theory.test_number_field_classify import LOW, TOP
from tests.trusted.test_checker_field import verdict
from tests.trusted.test_checker_field_non_strict import claim, depth_three, plateau_point


def with_congruence(mapping: dict) -> dict:
    """The engine's certificate with its psd_hessian claim replaced by the congruence claim."""
    problem, weights = algebraic_point_from_mapping(mapping)
    cert = certify(problem, weights)
    assert cert.ok and cert.kind == NON_STRICT_SADDLE, cert.check_lines
    psd = field_psd_congruence_evidence(FieldPoint(problem, tuple(weights)))
    assert psd is not None
    data = copy.deepcopy(cert.data)
    data["claims"] = [psd if c["type"] == "psd_hessian" else c for c in data["claims"]]
    return data


@pytest.fixture(scope="module")
def golden():
    return with_congruence(depth_three(TOP))


@pytest.fixture(scope="module")
def plateau():
    return with_congruence(plateau_point())


def test_congruence_claims_are_accepted(golden, plateau):
    assert expected_kind_for_index_set((1,), [3, 3, 3, 3]) == NON_STRICT_SADDLE
    for data in (golden, plateau):
        psd = claim(data, "psd_hessian")
        assert "congruence" in psd and "ldl" not in psd
        assert verdict(data) == "ok"
        assert claim(data, "kind")["kind"] == NON_STRICT_SADDLE


def test_lower_triangular_integer_t(plateau):
    T = claim(plateau, "psd_hessian")["congruence"]["T"]
    assert all(T[i][j] == "0" for i in range(len(T)) for j in range(i + 1, len(T)))
    assert all(T[i][i] != "0" for i in range(len(T)))


def test_equal_rows_of_t_are_refused(plateau):
    bad = copy.deepcopy(plateau)
    T = claim(bad, "psd_hessian")["congruence"]["T"]
    assert len(T) >= 2
    T[1] = list(T[0])
    assert verdict(bad) == "refused"


def test_zero_on_the_diagonal_of_t_is_refused(plateau):
    bad = copy.deepcopy(plateau)
    T = claim(bad, "psd_hessian")["congruence"]["T"]
    T[-1][-1] = "0"
    assert verdict(bad) == "refused"


def test_congruence_at_a_strict_saddle_is_refused(golden):
    """At u = (1, -phi) (S = {2}, a strict saddle) the Hessian has a negative eigenvalue: no T can work."""
    problem, weights = algebraic_point_from_mapping(depth_three(LOW))
    strict = certify(problem, weights)
    assert strict.ok and strict.kind == "strict_saddle"
    assert field_psd_congruence_evidence(FieldPoint(problem, tuple(weights))) is None
    bad = copy.deepcopy(strict.data)
    bad["claims"] = [{"type": "critical"}, claim(golden, "psd_hessian"), claim(golden, "escape_curve"),
                     {"type": "kind", "kind": NON_STRICT_SADDLE}]
    assert verdict(bad) == "refused"


def test_conjugate_embedding_is_refused(golden):
    bad = copy.deepcopy(golden)
    bad["field"]["interval"] = ["-1", "0"]
    results = dict((t, ok) for t, ok, _ in checker.check_certificate(json.loads(json.dumps(bad))))
    assert results["kind"] is False


@pytest.mark.parametrize("change", ["short", "fraction", "both"])
def test_wrong_shapes_are_malformed(plateau, change):
    bad = copy.deepcopy(plateau)
    psd = claim(bad, "psd_hessian")
    if change == "short":
        psd["congruence"]["T"] = psd["congruence"]["T"][:-1]
    elif change == "fraction":
        psd["congruence"]["T"][0][0] = "1/2"
    else:
        psd["ldl"] = {"free": [], "perm": [], "L": [], "D": []}
    assert verdict(bad) == "malformed"


def test_rational_congruence_on_a_hand_worked_entry():
    """Over Q: X = I_2, Y = diag(2, 1), W_1 = [1 0], W_2 = [2; 0]. With a = (W_1)_11, W_2 W_1 moves by t W_2 e_1^T
    along a, so d^2 L / da^2 = ||W_2 e_1^T X||^2 = ||W_2||^2 = 4: B = [4] on free = [0]. T = [1] gives M = [4] > 0;
    T = [0] gives M = [0], not strictly dominant with a positive diagonal."""
    pb = checker.read_problem({"format": "exactdln-certificate", "version": 1,
                               "problem": {"X": [["1", "0"], ["0", "1"]], "Y": [["2", "0"], ["0", "1"]], "lambda": "0"},
                               "point": {"weights": [[["1", "0"]], [["2"], ["0"]]]}, "claims": []})
    assert checker.psd_by_congruence(pb, [], [], [0], [[Fraction(1)]], [], {})[0]
    assert not checker.psd_by_congruence(pb, [], [], [0], [[Fraction(0)]], [], {})[0]


def test_schema_admits_the_congruence_and_not_both(golden, plateau):
    jsonschema = pytest.importorskip("jsonschema")
    from tests.support import ROOT

    with open(f"{ROOT}/exactdln/trusted/schema.json") as fh:
        validator = jsonschema.Draft202012Validator(json.load(fh))
    for data in (golden, plateau):
        validator.validate(data)
    both = copy.deepcopy(plateau)
    claim(both, "psd_hessian")["ldl"] = {"free": [], "perm": [], "L": [], "D": []}
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(both)


@pytest.mark.slow
def test_degree_ten_point_is_certified():
    rng = random.Random(1)
    X = [[Fraction(rng.randint(-9, 9), rng.randint(1, 3)) for _ in range(8)] for _ in range(5)]
    Y = [[Fraction(rng.randint(-9, 9), rng.randint(1, 3)) for _ in range(8)] for _ in range(5)]
    point = critical_point_for_fitted_set(X, Y, (1, 2), [5, 5, 5, 5])
    assert point.degree == 10
    assert expected_kind_for_index_set((1, 2), [5, 5, 5, 5]) == NON_STRICT_SADDLE
    cert = certify(*algebraic_point_from_mapping(point.to_point_json()), escape_time_limit=200.0)
    assert cert.ok and cert.kind == NON_STRICT_SADDLE, cert.check_lines
    assert "congruence" in claim(cert.data, "psd_hessian")
