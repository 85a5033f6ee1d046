"""certify on points over a number field (exactdln/certify/field.py): the kind written is the one the
construction assigns (docs/maths/classification.md §3.3, §3.6; exactdln/instances/construct.py), the standalone
checker accepts it; a non-strict saddle is certified by psd_hessian over K and an escape curve. Points:
constructed critical points moved to algebraic coordinates over Q(phi), as in
tests/theory/test_number_field_classify.py."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from fractions import Fraction

import pytest

from exactdln.certify.point import certify as certify_field_point
from exactdln.instances.construct import expected_kind_for_index_set, segmented_critical_point, spectral_data
from exactdln.model.field_format import algebraic_point_from_mapping
from exactdln.model.results import NON_STRICT_SADDLE, NOT_CRITICAL, STRICT_SADDLE
from tests.theory.test_number_field_classify import LOW, _algebraic_copy, fitted_point


def _point(seed, widths, S):
    rng = random.Random(seed)
    d_y = widths[-1]
    data = spectral_data([d_y + 2 - i for i in range(d_y)], widths[0], rng, white=seed % 2 == 0, m=widths[0] + 1)
    return _algebraic_copy(data.problem, segmented_critical_point(data, widths, S, rng))


@pytest.mark.parametrize("seed, widths, S", [(1, [3, 2, 2, 2], (2,)), (4, [3, 2, 2, 2], (1, 2)),
                                             (7, [3, 3, 2, 3], (1, 3)), (8, [3, 3, 2, 3], (1, 2)),
                                             (2, [3, 2, 2, 2], (1,)), (9, [2, 1, 2], (1,))])
def test_certified_kind_is_the_constructed_kind(seed, widths, S):
    problem, weights = algebraic_point_from_mapping(_point(seed, widths, S))
    cert = certify_field_point(problem, weights)
    assert cert.ok, cert.check_lines
    expected = expected_kind_for_index_set(S, widths)
    assert cert.kind == expected
    if expected == NON_STRICT_SADDLE:
        assert [c["type"] for c in cert.data["claims"]] == ["critical", "psd_hessian", "escape_curve", "kind"]
    assert "field" in cert.data and cert.data["field"]["minpoly"] == ["-1", "-1", "1"]


def test_not_critical_point():
    data = fitted_point(LOW, 1)
    data["weights"][1][0] = [["1", "1/1000"]]
    problem, weights = algebraic_point_from_mapping(data)
    cert = certify_field_point(problem, weights)
    assert cert.ok and cert.kind == NOT_CRITICAL


def test_command_line_certify_and_check(tmp_path):
    path = tmp_path / "low.json"
    path.write_text(json.dumps(fitted_point(LOW, 1)))
    out = subprocess.run([sys.executable, "-m", "exactdln", "certify", "--json", str(path)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)
    assert record["kind"] == STRICT_SADDLE and record["checked"]
    out = subprocess.run([sys.executable, "-m", "exactdln", "check", record["certificate"]],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_field_loss_polynomial_of_a_hand_worked_line():
    """Worked case TC1b (exactdln/trusted/FORMAT.md): X = I, Y = diag(2, 1), W_1 = [0 1], W_2 = [0; 1] and
    T = ([1 0], [1; 0]) give L(W + tT) - L(W) = -t^2 + t^4/2. With Y, W_2 and T_2 multiplied by phi the residual is
    phi times the old one along the whole line, so the polynomial is phi^2 (-t^2 + t^4/2), phi^2 = phi + 1."""
    from exactdln.arith.number_field import FieldMatrix
    from exactdln.certify.escape import field_loss_polynomial
    from exactdln.landscape.number_field_point import FieldPoint

    data = {"field": {"minpoly": [-1, -1, 1], "interval": [1, 2]}, "X": [[1, 0], [0, 1]],
            "Y": [[["0", "2"], "0"], ["0", ["0", "1"]]], "weights": [[["0", "1"]], [["0"], [["0", "1"]]]]}
    problem, weights = algebraic_point_from_mapping(data)
    point = FieldPoint(problem, tuple(weights))
    K = point.K
    T = [FieldMatrix.from_rows(K, [[1, 0]]), FieldMatrix.from_rows(K, [[K.theta], [0]])]
    poly = field_loss_polynomial(point, [T])
    assert [p.coefficients() for p in poly] == [[0, 0], [0, 0], [-1, -1], [0, 0], [Fraction(1, 2), Fraction(1, 2)]]


def test_quadratic_curve_over_the_field_is_checked():
    """With straight lines skipped, the search over K tries W + t T_a + t^2 (+-T_b); whatever it returns descends
    at the depth-3 golden-ratio saddle (family N1, docs/maths/classification.md §3.6), and the standalone checker
    agrees on the expansion."""
    from exactdln.certify.escape import find_field_escape_curve
    from exactdln.certify.field import _matrix
    from exactdln.landscape.number_field_point import FieldPoint
    from exactdln.trusted import checker
    from tests.trusted.test_checker_field_non_strict import TOP, depth_three

    problem, weights = algebraic_point_from_mapping(depth_three(TOP))
    point = FieldPoint(problem, tuple(weights))
    curve = find_field_escape_curve(point, straight=False)
    assert curve is not None and len(curve.coefficients) == 2 and curve.order >= 3
    cert = certify_field_point(problem, weights).data
    cert["claims"] = [{"type": "escape_curve", "coefficients": [[_matrix(C) for C in Cs] for Cs in curve.coefficients]}]
    results = checker.check_certificate(json.loads(json.dumps(cert)))
    assert results[0][1] and f"order {curve.order}" in results[0][2]


def test_command_line_certifies_a_non_strict_saddle_over_the_field(tmp_path):
    """The depth-3 golden-ratio point of family N1 (docs/maths/classification.md §3.6): `exactdln certify` writes a
    checked certificate of kind non_strict_saddle, and `exactdln check` re-verifies it."""
    from tests.trusted.test_checker_field_non_strict import TOP, depth_three

    path = tmp_path / "n1.json"
    path.write_text(json.dumps(depth_three(TOP)))
    out = subprocess.run([sys.executable, "-m", "exactdln", "certify", "--json", str(path)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)
    assert record["kind"] == NON_STRICT_SADDLE and record["checked"]
    out = subprocess.run([sys.executable, "-m", "exactdln", "check", record["certificate"]],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
