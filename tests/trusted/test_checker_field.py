"""The standalone checker on certificates over a number field (exactdln/trusted/checker.py, FORMAT.md "field").

The points are the golden-ratio instance of tests/theory/test_number_field_classify.py: X = I, Y = [[1, 1],
[0, 1]], Sigma = [[2, 1], [1, 1]] with eigenvalues phi^2 and 2 - phi (phi = (1 + sqrt 5)/2). Fitting the top
eigenvalue with one hidden unit is the global minimizer (Baldi, Hornik 1989), fitting the other one a strict
saddle. Certificates are written by the engine (exactdln/certify/field.py) and then mutated by hand: a mutant
states something false, and the checker must refuse it (exit 1 for a false claim, 2 for a malformed file)."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys

import pytest

from exactdln.certify.point import certify as certify_field_point
from exactdln.model.field_format import algebraic_point_from_mapping
from exactdln.model.results import GLOBAL_MINIMIZER, STRICT_SADDLE
from exactdln.trusted import checker
from tests.support import ROOT
from tests.theory.test_number_field_classify import LOW, TOP, fitted_point

CHECKER = os.path.join(ROOT, "exactdln", "trusted", "checker.py")


def _certificate(u, hidden=1):
    problem, weights = algebraic_point_from_mapping(fitted_point(u, hidden))
    cert = certify_field_point(problem, weights)
    assert cert.ok, cert.check_lines
    return cert


@pytest.fixture(scope="module")
def top():
    cert = _certificate(TOP)
    assert cert.kind == GLOBAL_MINIMIZER
    return cert.data


@pytest.fixture(scope="module")
def low():
    cert = _certificate(LOW)
    assert cert.kind == STRICT_SADDLE
    return cert.data


def verdict(data) -> str:
    """"ok", "refused" (a claim fails) or "malformed"."""
    try:
        results = checker.check_certificate(json.loads(json.dumps(data)))
    except checker.Malformed:
        return "malformed"
    return "ok" if all(ok for _, ok, _ in results) else "refused"


def test_engine_certificates_are_accepted(top, low):
    assert verdict(top) == "ok" and verdict(low) == "ok"
    assert isinstance(top["field"], dict) and any(isinstance(x, list) for row in top["point"]["weights"][1] for x in row)


def test_command_line_check(tmp_path, top):
    path = tmp_path / "top.cert.json"
    path.write_text(json.dumps(top))
    out = subprocess.run([sys.executable, "-I", "-S", CHECKER, str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    out = subprocess.run([sys.executable, "-m", "exactdln", "check", str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_wrong_separator_sign(top):
    """c = 3 lies above both eigenvalues (phi^2 ~ 2.618): Q^T (Sigma - c I) Q is negative, not positive."""
    bad = copy.deepcopy(top)
    claim = next(c for c in bad["claims"] if c["type"] == "top_eigenspace")
    claim["c"] = "3"
    assert verdict(bad) == "refused"


def test_wrong_kind(low):
    bad = copy.deepcopy(low)
    next(c for c in bad["claims"] if c["type"] == "kind")["kind"] = GLOBAL_MINIMIZER
    assert verdict(bad) == "refused"


def test_no_negative_curvature_at_the_global_minimizer(top, low):
    """The strict saddle's direction has t^2 coefficient >= 0 at the global minimizer (PSD Hessian): a claim of
    negative curvature (a wrong inertia) is refused."""
    bad = copy.deepcopy(top)
    direction = next(c for c in low["claims"] if c["type"] == "strict_saddle")["direction"]
    bad["claims"].insert(1, {"type": "strict_saddle", "direction": direction})
    assert verdict(bad) == "refused"


def test_wrong_minimal_polynomial(top):
    """theta = sqrt 2 instead of phi (t^2 - 2 in [1, 2]): the same coefficients are another point, not critical."""
    bad = copy.deepcopy(top)
    bad["field"]["minpoly"] = ["-2", "0", "1"]
    assert verdict(bad) == "refused"


@pytest.mark.parametrize("field", [
    {"minpoly": ["-1", "-1", "1"], "interval": ["-1", "2"]},      # both roots 1 - phi and phi
    {"minpoly": ["-1", "-1", "1"], "interval": ["2", "3"]},       # no root
    {"minpoly": ["1", "-2", "1"], "interval": ["0", "2"]},        # (t - 1)^2, not squarefree
    {"minpoly": ["-1", "-1", "1"], "interval": ["2", "1"]},       # lo > hi
    {"minpoly": ["-1", "-1", "1"]},                               # no interval
])
def test_bad_fields_are_refused(top, field):
    bad = copy.deepcopy(top)
    bad["field"] = field
    assert verdict(bad) == "malformed"


def test_conjugate_embedding_is_not_the_global_minimizer(top):
    """The same entries at the other root 1 - phi fit the lower eigenvalue (a strict saddle)."""
    bad = copy.deepcopy(top)
    bad["field"]["interval"] = ["-1", "0"]
    assert verdict(bad) == "refused"


def test_entry_of_the_wrong_length_and_rational_only_claims(top):
    bad = copy.deepcopy(top)
    bad["point"]["weights"][1][1][0] = ["1", "2", "3"]
    assert verdict(bad) == "malformed"
    bad = copy.deepcopy(top)
    bad["claims"].insert(1, {"type": "psd_hessian", "kernel": [], "kernel_pivots": [], "ldl": {}})
    assert verdict(bad) == "malformed"


def test_field_arithmetic_facts():
    """phi^2 = phi + 1, 1/phi = phi - 1, signs of phi - 8/5 (> 0) and phi - 13/8 (< 0) from the convergents."""
    K = checker.Field({"minpoly": ["-1", "-1", "1"], "interval": ["1", "2"]})
    assert K.failure is None
    phi = checker.Alg(K, [0, 1])
    assert phi * phi == phi + 1 and 1 / phi == phi - 1
    assert phi - checker.Fraction(8, 5) > 0 and phi - checker.Fraction(13, 8) < 0
    # a reducible but squarefree polynomial: (t^2 - t - 1)(t - 3); theta = phi in [1, 2]
    K = checker.Field({"minpoly": ["3", "2", "-4", "1"], "interval": ["1", "2"]})
    assert K.failure is None
    t = checker.Alg(K, [0, 1])
    assert not (t * t - t - 1) and (t - 3) != 0 and (t - 3) < 0
