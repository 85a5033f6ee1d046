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
