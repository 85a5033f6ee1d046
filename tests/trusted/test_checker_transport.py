"""The checker's `transport` claim (exactdln/trusted/FORMAT.md, Claims; docs/maths/algebraic.md §17).

phi(V) = (A_1 V_1, A_2 V_2 A_1^-1, ..., V_H A_(H-1)^-1) is linear and invertible and, with lambda = 0, L o phi = L, so
a point and its image have the same kind. The honest certificates here move the hand-worked cases of
docs/maths/classification.md §8 by rational A_h: TC1b (a strict saddle, L(W + tT) = 2 - t^2 + t^4/2) and TC2a (a
non-strict saddle with the cubic escape curve W + t(E_22, E_22, E_22)); the evidence at W' is the hand-worked
evidence of tests/support/certificate_cases.py at the case's own point, and the certificate is about the moved
point W = phi^-1(W'). Every mutation of the transport is refused.
"""

from __future__ import annotations

import copy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exactdln.trusted import checker
from tests.support import certificate_cases as cc
from tests.trusted.test_checker import outcome


_tc1b = cc.tc1b_transported
_tc2a = cc.tc2a_transported


def test_a_moved_strict_saddle_keeps_its_kind():
    cert = _tc1b()
    W = cert["point"]["weights"]
    assert W == [[["0", "1/2"]], [["0"], ["2"]]]        # phi^-1 with A_1 = 2: W_1 = W'_1 / 2, W_2 = 2 W'_2
    results = checker.check_certificate(cert)
    assert [r[:2] for r in results] == [("critical", True), ("transport", True), ("kind", True)]
    assert "strict_saddle" in results[1][2] and "follows from transport" in results[2][2]


def test_a_moved_non_strict_saddle_keeps_its_kind():
    cert = _tc2a()
    assert all(ok for _, ok, _ in checker.check_certificate(cert))
    # the moved point has no zero row of the Hessian where W' has them: the reason for the transport
    assert cert["point"]["weights"] != cert["claims"][1]["weights"]


@settings(max_examples=8, deadline=None)
@given(st.lists(st.integers(-3, 3), min_size=8, max_size=8).filter(
    lambda v: v[0] * v[3] != v[1] * v[2] and v[4] * v[7] != v[5] * v[6]))
def test_any_invertible_rational_transport_of_tc2a_is_accepted(v):
    A = (((v[0], v[1]), (v[2], v[3])), ((v[4], v[5]), (v[6], v[7])))
    assert outcome(_tc2a(A)) is True


def _transport(cert):
    return next(c for c in cert["claims"] if c["type"] == "transport")


def test_a_wrong_inverse_is_refused():
    cert = _tc2a()
    _transport(cert)["A_inverse"][0][0][0] = "2"
    results = checker.check_certificate(cert)
    assert results[1][:2] == ("transport", False) and "not the identity" in results[1][2]
    assert results[2][:2] == ("kind", False)


def test_weights_that_are_not_the_image_are_refused():
    cert = _tc2a()
    _transport(cert)["weights"][1][0][0] = "2"
    results = checker.check_certificate(cert)
    assert results[1][:2] == ("transport", False) and "layer 2" in results[1][2]


def test_a_regularized_loss_is_refused():
    cert = _tc2a()
    cert["problem"]["lambda"] = "1/10"
    results = checker.check_certificate(cert)
    assert results[1][:2] == ("transport", False) and "lambda" in results[1][2]


def test_the_kinds_must_agree_and_the_inner_evidence_must_hold():
    cert = _tc2a()
    cert["claims"][-1]["kind"] = "strict_saddle"
    assert outcome(cert) is False
    cert = _tc2a()
    _transport(cert)["claims"][2]["coefficients"][0][0] = cc.js(cc.zeros(2, 2))     # the curve no longer escapes
    results = checker.check_certificate(cert)
    assert results[1][:2] == ("transport", False) and results[1][2].startswith("at W'")
    cert = _tc1b()
    _transport(cert)["claims"][1]["direction"][0][0] = ["0", "1"]
    assert outcome(cert) is False


@pytest.mark.parametrize("mutate", [
    lambda c: _transport(c)["claims"].append(copy.deepcopy(_transport(c))),                  # nested transport
    lambda c: _transport(c)["claims"].pop(),                                                # no inner kind
    lambda c: _transport(c)["claims"].append({"type": "kind", "kind": "non_strict_saddle"}),  # two inner kinds
    lambda c: c["claims"].insert(1, copy.deepcopy(_transport(c))),                          # two transports
    lambda c: _transport(c).pop("A_inverse"),
    lambda c: _transport(c)["A"].pop(),
    lambda c: _transport(c)["weights"].pop(),
    lambda c: _transport(c).__setitem__("claims", []),
    lambda c: _transport(c)["A"][0].append(["1", "0"]),                                     # A_1 not square
    lambda c: _transport(c)["claims"].insert(0, {"type": "flow_identities_random", "eta": "1", "random_points": 1}),
])
def test_malformed_transports(mutate):
    cert = _tc2a()
    mutate(cert)
    assert outcome(cert) == "malformed"


def test_one_layer_has_nothing_to_transport():
    cert = cc.certificate(cc.I2, cc.I2, [cc.I2], [{"type": "critical"},
                                                  {"type": "transport", "weights": [cc.js(cc.I2)], "A": [],
                                                   "A_inverse": [], "claims": [{"type": "kind", "kind": "global_minimizer"}]}])
    assert outcome(cert) == "malformed"
