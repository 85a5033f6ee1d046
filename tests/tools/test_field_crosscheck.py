"""crosscheck on points over a number field (exactdln/tools/field_crosscheck.py): the float64 and mpmath paths
read the point's values at the embedding and never contradict the exact verdict over K. The points are the
golden-ratio instance of tests/theory/test_number_field_classify.py (kinds worked by hand there) and a
perturbation of it that is not critical."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from exactdln.model.field_format import algebraic_point_from_mapping
from exactdln.model.results import GLOBAL_MINIMIZER, NOT_CRITICAL, STRICT_SADDLE
from exactdln.tools.field_crosscheck import crosscheck_field
from tests.theory.test_number_field_classify import LOW, TOP, fitted_point


@pytest.mark.parametrize("u, hidden, kind", [(TOP, 1, GLOBAL_MINIMIZER), (LOW, 1, STRICT_SADDLE),
                                             (TOP, 2, STRICT_SADDLE)])
def test_numeric_paths_see_the_exact_kind_if_critical(u, hidden, kind):
    problem, weights = algebraic_point_from_mapping(fitted_point(u, hidden))
    result = crosscheck_field(problem, weights, max_digits=60)
    assert result.agree and result.kind == kind
    for path in (result.float64, result.mp):
        assert path.kind != NOT_CRITICAL            # the rounded point's gradient is below what they resolve
        assert path.conditional_kind in (None, kind)


def test_a_point_that_is_not_critical():
    data = fitted_point(LOW, 1)
    data["weights"][1][0] = [["1", "1/1000"]]
    problem, weights = algebraic_point_from_mapping(data)
    result = crosscheck_field(problem, weights, max_digits=60)
    assert result.agree and result.kind == NOT_CRITICAL and result.exact_gradient_norm > 0


def test_the_public_crosscheck_takes_points_over_a_field():
    # exactdln.crosscheck is the one entry point: a point over Q(phi) gets the exact kind of its construction
    import exactdln

    problem, weights = algebraic_point_from_mapping(fitted_point(TOP, 1))
    result = exactdln.crosscheck(problem, weights, max_digits=60)
    assert result.agree and result.kind == GLOBAL_MINIMIZER


def test_command_line(tmp_path):
    path = tmp_path / "top.json"
    path.write_text(json.dumps(fitted_point(TOP, 1)))
    out = subprocess.run([sys.executable, "-m", "exactdln", "crosscheck", "--json", "--max-digits", "60", str(path)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)
    assert record["kind"] == GLOBAL_MINIMIZER and record["agree"] and not record["conflicts"]
