"""Regularized critical points over a number field certified as local minimizers (exactdln/certify/field.py
``_local_minimizer_evidence``; the checker's psd_hessian with ``orthogonal_orbit_kernel`` and a congruence,
exactdln/trusted/FORMAT.md; the lemma of docs/maths/hessian_inertia.md §10).

Points: the closed-form critical points that snap finds for weight decay on whitened data (docs/maths/regularized.md
§9). Expected facts come from elsewhere: the depth-2 point worked by hand in tests/tools/test_snap_regularized.py
(s = 3 - sqrt 2, a global minimizer of that scalar problem, hence a local one); at depth 3 with hidden widths 2 the
orthogonal group O(2) x O(2) of the hidden layers keeps the loss for any lambda, so the Hessian's kernel holds its
two tangents (so(2) has dimension 1 per hidden layer), and a global minimizer (the closed form of Chen, Jiang,
Wang, docs/maths/regularized.md) is in particular a local one."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from exactdln.certify.point import certify
from exactdln.model.field_format import algebraic_point_from_mapping
from exactdln.model.problem import Problem
from exactdln.numeric.flows import gradient_descent
from exactdln.theory.classify import classify
from exactdln.tools.snap_regularized import nearest_regularized_point
from exactdln.trusted import checker


def _snapped(problem, floats):
    near = nearest_regularized_point(problem, floats)
    assert near.point is not None
    return near.point.to_point_json()


@pytest.fixture(scope="module")
def depth_two():
    problem = Problem.create([[1]], [[3]], ["1", "2"])
    tau = 3 * 2 ** 0.5 - 2
    return _snapped(problem, [np.array([[tau ** 0.5 + 1e-9]]), np.array([[(tau / 2) ** 0.5]])])


@pytest.fixture(scope="module")
def depth_three():
    # the run of tests/tools/test_snap_regularized.py: X X^T = 2 I, Y = diag(3, 2) X, lambda = 1/5, widths (2, 2, 2, 2)
    problem = Problem.create([[1, 1], [1, -1]], [[3, 3], [2, -2]], "1/5")
    rng = np.random.default_rng(1)
    widths = (2, 2, 2, 2)
    start = [0.5 * rng.standard_normal((widths[h + 1], widths[h])) for h in range(3)]
    run = gradient_descent(problem, start, eta=0.01, steps=60000, tol=1e-13)
    return _snapped(problem, [np.array(w) for w in run.weights])


@pytest.mark.parametrize("name", ["depth_two", "depth_three"])
def test_the_regularized_minimizers_over_a_field_are_certified_local_minimizers(name, request):
    mapping = request.getfixturevalue(name)
    assert "field" in mapping
    problem, weights = algebraic_point_from_mapping(mapping)
    assert classify(problem, weights).kind == "global_minimizer"          # the engine's closed-form verdict
    cert = certify(problem, weights)
    assert cert.ok and cert.kind == "local_minimizer", cert.notes
    psd = next(c for c in cert.data["claims"] if c["type"] == "psd_hessian")
    assert psd["kernel"] == [] and "congruence" in psd
    # depth 3, hidden widths 2: one skew generator per hidden layer, and the kernel is exactly their span
    assert len(psd.get("orthogonal_orbit_kernel", [])) == (2 if name == "depth_three" else 0)
    assert len(psd["kernel_pivots"]) == (2 if name == "depth_three" else 0)


def test_the_checker_refuses_a_kernel_short_of_the_orbit_and_ldl_over_a_field(depth_three):
    problem, weights = algebraic_point_from_mapping(depth_three)
    document = certify(problem, weights).data
    psd = next(c for c in document["claims"] if c["type"] == "psd_hessian")
    # one orthogonal tangent fewer: its direction is left in B, which is then singular; the congruence cannot show
    # it positive definite (or the pivots no longer match), and local_minimizer is not implied
    short = copy.deepcopy(document)
    claim = next(c for c in short["claims"] if c["type"] == "psd_hessian")
    dropped = claim["kernel_pivots"].pop()
    claim["orthogonal_orbit_kernel"].pop()
    claim["congruence"]["free"] = sorted(claim["congruence"]["free"] + [dropped])
    q = len(claim["congruence"]["free"])
    claim["congruence"]["T"] = [[str(int(i == j)) for j in range(q)] for i in range(q)]
    try:
        results = checker.check_certificate(short)
    except checker.Malformed:
        results = [("psd_hessian", False, "malformed")]
    assert not all(ok for _, ok, _ in results)
    # the L D L^T form with orthogonal tangents is for the rationals only
    mixed = copy.deepcopy(document)
    claim = next(c for c in mixed["claims"] if c["type"] == "psd_hessian")
    free = claim.pop("congruence")["free"]
    claim["ldl"] = {"free": free, "perm": list(range(len(free))),
                    "L": [[str(int(i == j)) for j in range(len(free))] for i in range(len(free))],
                    "D": ["1"] * len(free)}
    with pytest.raises(checker.Malformed, match="orthogonal_orbit_kernel"):
        checker.check_certificate(mixed)
    assert psd["orthogonal_orbit_kernel"]


def test_an_explicit_kernel_vector_takes_the_local_minimizer_away(depth_two):
    # the same certificate with a (true) kernel vector added would not show the kernel to be the orbit's: here H is
    # positive definite, so any added vector fails H v = 0; either way local_minimizer is not accepted
    problem, weights = algebraic_point_from_mapping(depth_two)
    document = copy.deepcopy(certify(problem, weights).data)
    claim = next(c for c in document["claims"] if c["type"] == "psd_hessian")
    claim["kernel"] = [["1", "0"]]
    claim["kernel_pivots"] = [0]
    claim["congruence"] = {"free": [1], "T": [["1"]]}
    try:
        results = checker.check_certificate(document)
    except checker.Malformed:
        return
    assert not all(ok for _, ok, _ in results)
