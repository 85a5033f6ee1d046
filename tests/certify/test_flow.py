"""The flow_identities_random certificate (exactdln.certify.flow) against the standalone checker: honest
certificates pass, a false balanced claim and a mutated checker formula are refused, a malformed claim is
rejected (exactdln/trusted/FORMAT.md; docs/maths/gradient_flow.md §1.2-§1.5, §2).
"""

from __future__ import annotations

import copy
import random
from fractions import Fraction as F

import pytest

from exactdln.certify.flow import flow_certificate
from exactdln.trusted import checker
from tests.support.flow_points import T6_point, random_point as _random_point


def _run(cert):
    return checker.check_certificate(copy.deepcopy(cert))


def test_checker_accepts_honest_flow_certificate():
    pb, W = T6_point()
    results = _run(flow_certificate(pb, W, F(1, 10), random_points=4))
    assert all(ok for _, ok, _ in results)


def test_checker_refuses_false_balanced_claim():
    pb, W = T6_point()
    cert = flow_certificate(pb, W, F(1, 10), random_points=2)
    cert["point"]["weights"][1][0][0] = "7"          # no longer balanced
    results = _run(cert)
    assert not all(ok for _, ok, _ in results)


def test_checker_flow_claim_is_about_identities_not_points():
    """Unbalanced point without the balanced flag: conservation/GD defect still verified."""
    pb, W = _random_point(random.Random(5), [2, 3, 2], F(1, 3))
    cert = flow_certificate(pb, W, F(1, 9), random_points=3)
    assert cert["claims"][0]["balanced"] is False
    assert all(ok for _, ok, _ in _run(cert))


def test_checker_mutated_formula_detected(monkeypatch):
    """A wrong defect formula (eta^2 -> 2 eta^2) must be refused: mutate the checker's own helper."""
    pb, W = _random_point(random.Random(6), [2, 2, 2], 0)
    cert = flow_certificate(pb, W, F(1, 3), random_points=2)
    real = checker._lin

    def wrong(*terms):
        return real(*[(c * 2 if c == F(1, 9) else c, M) for c, M in terms])
    monkeypatch.setattr(checker, "_lin", wrong)
    assert not all(ok for _, ok, _ in _run(cert))


def test_checker_malformed_flow_claim():
    pb, W = T6_point()
    cert = flow_certificate(pb, W, F(1, 10))
    cert["claims"][0]["random_points"] = 10**6
    with pytest.raises(checker.Malformed):
        _run(cert)
