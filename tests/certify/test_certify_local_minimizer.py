"""Certificates of local minimizers of the regularized loss (exactdln/certify/point.py; docs/maths/hessian_inertia.md
§10), on the worked cases of docs/maths/regularized.md §7:

- T3 (scalar, H = 3, y = 15/8, lambda = 7/8): the origin is a spurious local minimum (Hessian eigenvalues
  7/8, 7/8, 7/8) and (1, 1, 1) a global one (7/4, 7/4, 17/8): both positive definite, no orbit (width 1);
- T4 (H = 2, widths 2-2-2, M = diag(5, 2), lambda = 1): sqrt s = (2, 1) is the global minimum with Hessian index 0
  and nullity 1 = the dimension of the orthogonal orbit; (2, 0) has index 1 (a strict saddle);
- T2 (scalar, H = 2, y = lambda = 1): the origin has eigenvalues {0, 2}, nullity 1 > orbit dimension 0: degenerate,
  no kind from second order.
The certificates are those the standalone checker accepted; the kinds come from the worked cases."""

from __future__ import annotations

import json

import pytest

from exactdln.certify.point import certify
from exactdln.model.problem import point_from_mapping


def _certify(data):
    problem, weights = point_from_mapping(data)
    return certify(problem, weights)


T3 = {"X": [[1]], "Y": [["15/8"]], "lambda": "7/8"}
T4 = {"X": [[1, 0], [0, 1]], "Y": [[5, 0], [0, 2]], "lambda": "1"}


@pytest.mark.parametrize("w", ["0", "1"])
def test_t3_origin_and_global_minimum_are_certified_local_minimizers(w):
    cert = _certify(dict(T3, weights=[[[w]]] * 3))
    assert cert.ok and cert.kind == "local_minimizer"
    psd = next(c for c in cert.data["claims"] if c["type"] == "psd_hessian")
    assert psd["kernel"] == [] and "orthogonal_orbit_kernel" not in psd     # positive definite, no orbit
    assert len(psd["ldl"]["D"]) == 3


def test_t4_global_minimum_is_a_local_minimizer_modulo_its_one_dimensional_orbit():
    cert = _certify(dict(T4, weights=[[[2, 0], [0, 1]], [[2, 0], [0, 1]]]))
    assert cert.ok and cert.kind == "local_minimizer"
    psd = next(c for c in cert.data["claims"] if c["type"] == "psd_hessian")
    assert psd["orthogonal_orbit_kernel"] == [[1, 0, 1]] and psd["kernel"] == []     # nullity 1 = orbit dimension
    assert any("local minimizer" in n for n in cert.notes)


def test_t4_index_one_point_is_a_strict_saddle():
    cert = _certify(dict(T4, weights=[[[2, 0], [0, 0]], [[2, 0], [0, 0]]]))
    assert cert.ok and cert.kind == "strict_saddle"


def test_t2_degenerate_origin_gets_no_kind():
    cert = _certify({"X": [[1]], "Y": [[1]], "lambda": "1", "weights": [[[0]], [[0]]]})
    assert cert.ok and cert.kind is None
    assert any("degenerate" in n for n in cert.notes)
    assert "psd_hessian" not in [c["type"] for c in json.loads(cert.text)["claims"]]
