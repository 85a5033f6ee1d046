"""The checker's local_minimizer kind (exactdln/trusted/FORMAT.md; docs/maths/hessian_inertia.md §10).

A critical point whose Hessian is positive definite across the tangent space of a symmetry orbit of L (the
orthogonal group O(d_1) x ... x O(d_(H-1)) keeps W_{H:1} and every ||W_h||, so it keeps the regularized loss) is a
local minimizer. The certificates are worked by hand or with the independent Fraction toolkit of
tests/support/certificate_cases.py:

- scalar, H = 2: L = 1/2 (w_2 w_1 - 2)^2 + 1/2 (w_1^2 + w_2^2) at w = (1, 1): gradient (w_1 w_2 - 2) w_2 + w_1 = 0,
  Hessian [[w_2^2 + 1, 2 w_1 w_2 - 2], [2 w_1 w_2 - 2, w_1^2 + 1]] = 2 I: no orbit (d_1 = 1), D = (2, 2);
- X = I_2, Y = diag(5, 2), lambda = 1, W_1 = W_2 = diag(2, 1): the closed form of the regularized minimizer
  (w_i^2 = s_i - lambda, docs/maths/regularized.md), with one orthogonal tangent (S = E_01 - E_10 on the hidden
  layer: D_1 = S W_1 = [[0, 1], [-2, 0]], D_2 = -W_2 S = [[0, -2], [1, 0]]) and the rest of the Hessian positive
  definite.
"""

from __future__ import annotations

import copy
from fractions import Fraction as F

import pytest

from exactdln.trusted import checker
from tests.support import certificate_cases as cc
from tests.trusted.test_checker import outcome


def _scalar():
    X, Y, W = [[F(1)]], [[F(2)]], [[[F(1)]], [[F(1)]]]
    psd = {"type": "psd_hessian", "kernel": [], "kernel_pivots": [],
           "ldl": {"free": [0, 1], "perm": [0, 1], "L": [["1", "0"], ["0", "1"]], "D": ["2", "2"]}}
    return cc.certificate(X, Y, W, [{"type": "critical"}, psd, {"type": "kind", "kind": "local_minimizer"}], lam="1")


def _two_by_two():
    cert = cc.t4_local_minimizer()
    H = cc.hessian_by_polarization(cc.I2, cc.diag(5, 2), [cc.diag(2, 1), cc.diag(2, 1)], lam=F(1))
    tangent = [F(0), F(1), F(-2), F(0), F(0), F(-2), F(1), F(0)]
    assert all(sum(h * t for h, t in zip(row, tangent)) == 0 for row in H)      # the lemma, checked independently
    return cert


def test_a_positive_definite_hessian_makes_a_local_minimizer():
    results = checker.check_certificate(_scalar())
    assert [r[:2] for r in results] == [("critical", True), ("psd_hessian", True), ("kind", True)]


def test_the_regularized_minimizer_is_a_local_minimizer_modulo_its_orthogonal_orbit():
    cert = _two_by_two()
    assert all(F(d) > 0 for d in cert["claims"][1]["ldl"]["D"])            # B positive definite (toolkit's L D L^T)
    results = checker.check_certificate(cert)
    assert all(ok for _, ok, _ in results), results
    assert "orthogonal orbit" in results[1][2]


def test_a_zero_pivot_or_an_explicit_kernel_vector_is_no_local_minimizer():
    cert = _scalar()
    cert["claims"][1]["ldl"]["D"] = ["2", "0"]                 # PSD claim false here (H = 2 I), so it fails
    assert outcome(cert) is False
    moved = copy.deepcopy(_two_by_two())
    psd = moved["claims"][1]
    # the same kernel written as an explicit vector: psd_hessian holds, but the kernel is not shown to be the orbit
    psd.pop("orthogonal_orbit_kernel")
    psd["kernel"] = [[cc.fr(x) for x in [F(0), F(1), F(-2), F(0), F(0), F(-2), F(1), F(0)]]]
    results = checker.check_certificate(moved)
    assert results[1][:2] == ("psd_hessian", True) and results[2][:2] == ("kind", False)


def test_orthogonal_tangents_need_a_critical_point_and_the_right_kind_rules():
    cert = _two_by_two()
    cert["point"]["weights"][0][0][0] = "3"                    # not critical any more
    assert outcome(cert) is False
    cert = _two_by_two()
    cert["claims"] = [c for c in cert["claims"] if c["type"] != "psd_hessian"]
    assert outcome(cert) is False                              # local_minimizer needs the psd_hessian claim
    cert = _two_by_two()
    cert["claims"][-1]["kind"] = "global_minimizer"
    assert outcome(cert) is False


@pytest.mark.parametrize("generator", [[1, 1, 0], [1, 0, 0], [2, 0, 1], [0, 0, 1], [1, 0, 2], [1, 0]])
def test_malformed_orthogonal_generators(generator):
    cert = _two_by_two()
    cert["claims"][1]["orthogonal_orbit_kernel"] = [generator]
    assert outcome(cert) == "malformed"


def test_orthogonal_generators_with_a_congruence():
    # the same kernel with a congruence instead of L D L^T (FORMAT.md): T = I does not show B = Hess[F, F] positive
    # definite (B is not diagonally dominant), T = the rows of L^-1 cleared of denominators does (T B T^T = c D c,
    # diagonal with D > 0), and the kind follows as with the L D L^T
    from fractions import Fraction
    from math import lcm

    cert = _two_by_two()
    psd = cert["claims"][1]
    ldl = psd.pop("ldl")
    q = len(ldl["free"])
    psd["congruence"] = {"free": ldl["free"], "T": [[str(int(i == j)) for j in range(q)] for i in range(q)]}
    assert outcome(cert) is False
    L = [[Fraction(x) for x in row] for row in ldl["L"]]
    inverse = [[Fraction(int(i == j)) for j in range(q)] for i in range(q)]
    for i in range(q):                      # forward substitution: row i of L^-1 from the rows above (L unit lower)
        for k in range(i):
            inverse[i] = [a - L[i][k] * b for a, b in zip(inverse[i], inverse[k])]
    T = []
    for row in inverse:
        scale = lcm(*(x.denominator for x in row))
        T.append([str(int(x * scale)) for x in row])
    psd["congruence"]["T"] = T
    assert outcome(cert) is True
