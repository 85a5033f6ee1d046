"""Engine-produced certificates (exactdln/certify/point.py, exactdln/certify/escape.py).

Expected kinds come from the worked cases (docs/maths/classification.md §8, docs/maths/global_optimality.md §4) and the
family theorems of docs/maths/classification.md §3.6 (construct instances), never from the certifier. Each certificate must pass the standalone checker, and engine
certificates altered in a way that breaks the mathematics must be refused (the mutation list itself is tested in
test_checker.py on hand-built certificates; here only the engine's evidence is altered).
"""

from __future__ import annotations

import copy
import json
import os
import random
import subprocess
import sys
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings

from tests.support.strategies import instances  # noqa: E402

from exactdln.trusted import checker  # noqa: E402
from exactdln.certify.point import certify, write_certificate, CertificateError  # noqa: E402
from exactdln.instances.construct import random_instance, worked_instances  # noqa: E402
from exactdln.certify.escape import find_escape_curve, loss_polynomial  # noqa: E402
from exactdln.model.problem import Problem, RationalMatrix  # noqa: E402
from tests.support import ROOT as _ROOT

ROOT = str(_ROOT)
GALLERY = dict(worked_instances())
CERTIFIABLE = list(GALLERY)


def checks(data) -> bool:
    results = checker.check_certificate(json.loads(json.dumps(data)))
    return all(ok for _, ok, _ in results)


@pytest.mark.parametrize("name", CERTIFIABLE)
def test_gallery_case_certified_with_the_stated_kind(name):
    inst = GALLERY[name]
    cert = certify(inst.problem, inst.weights)
    assert cert.kind == inst.expected_kind
    assert cert.ok and checks(cert.data)


def test_t8_rank_deficient_global_minimizer_certified_by_ky_fan():
    """docs/maths/global_optimality.md §4 (T8): global (loss 0) with rank 1 < r_max = 2, because Sigma vanishes off the product's range."""
    inst = GALLERY["T8"]
    cert = certify(inst.problem, inst.weights)
    assert cert.kind == "global_minimizer" and cert.ok
    top = next(c for c in cert.data["claims"] if c["type"] == "top_eigenspace")
    assert top["rank"] == 1


def test_rank_deficient_top_eigenspace_refused_when_sigma_is_nonzero_off_range():
    """TC2c (W = 0 is not global): a forged rank-0-style claim must fail; use TC1b's data with a rank-1 saddle."""
    inst = GALLERY["TC2a"]          # rank 1 < r_max = 2 and lambda_2 = 1 > 0: not global
    data = certify(inst.problem, inst.weights).data
    P = [["3", "0"], ["0", "0"]]   # W_{H:1} of TC2a
    forged = {"type": "top_eigenspace", "rank": 1, "Q": [["1"], ["0"]], "Z": [["1/3"], ["0"]],
              "N": [["0"], ["1"]], "c": "0"}
    data["claims"] = [c for c in data["claims"] if c["type"] not in ("kind", "top_eigenspace")] + [forged]
    results = checker.check_certificate(json.loads(json.dumps(data)))
    assert not dict((t, ok) for t, ok, _ in results)["top_eigenspace"]
    assert P


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_depth=4, max_width=3))
def test_random_family_points_certified(inst):
    cert = certify(inst.problem, inst.weights, escape_time_limit=10)
    if cert.kind is None:
        # the only allowed gap: the escape search (incomplete on rare N1 points) found nothing; no kind is claimed
        assert inst.expected_kind == "non_strict_saddle"
        assert find_escape_curve(inst.problem, inst.weights) is None
    else:
        assert cert.kind == inst.expected_kind
    assert checks(cert.data)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(kind="non_strict_saddle", max_depth=4, max_width=3))
def test_non_strict_saddles_escape_at_order_at_least_three(inst):
    """At a critical point with PSD Hessian the t^2 coefficient is >= 0, so an escape has order >= 3 (docs/maths/escape_curves.md §2).

    The search is known to be incomplete on rare N1 points (see the xfail tests below); there the
    certificate must claim no kind rather than a wrong one."""
    curve = find_escape_curve(inst.problem, inst.weights)
    if curve is None:
        cert = certify(inst.problem, inst.weights)
        assert cert.kind is None and cert.ok
        return
    assert curve.order >= 3 and curve.polynomial[curve.order] < 0


@pytest.mark.xfail(reason="search incompleteness (found by hypothesis): no escape found at this N1 point", strict=True)
def test_escape_found_at_random_n1_seed_217():
    inst = random_instance(random.Random(217), kind="non_strict_saddle", max_depth=4, max_width=3)
    assert find_escape_curve(inst.problem, inst.weights) is not None


def test_tc2a_escape_polynomial_matches_the_worked_case():
    """docs/maths/classification.md §8 TC2a (halved): along C = (E22, E22, E22), L(W + tC) - L(W) = -t^3 + t^6/2."""
    inst = GALLERY["TC2a"]
    from flint import fmpq_mat
    E22 = fmpq_mat(2, 2, [0, 0, 0, 1])
    poly = loss_polynomial(inst.problem, inst.weights, [[E22, E22, E22]])
    assert [Fraction(int(c.p), int(c.q)) for c in poly] == [0, 0, 0, -1, 0, 0, Fraction(1, 2)]


def test_tc6_escape_has_order_four():
    """TC6 (docs/maths/classification.md §8) (H = 4): every escape has order 4; the cubic term vanishes on ker Hess."""
    inst = GALLERY["TC6"]
    curve = find_escape_curve(inst.problem, inst.weights)
    assert curve is not None and curve.order == 4


def test_tc1a_separator_between_fitted_and_unfitted_eigenvalues():
    """TC1a: Sigma = diag(4, 1); the separator must lie strictly between 1 and 4."""
    cert = certify(GALLERY["TC1a"].problem, GALLERY["TC1a"].weights)
    top = next(c for c in cert.data["claims"] if c["type"] == "top_eigenspace")
    assert 1 < Fraction(top["c"]) < 4


def test_regularized_strict_saddle_certified():
    """W = 0, X = I, Y = diag(2, 1), lambda = 1/2: t^2 coefficient along (e_1^T, e_1) is 1/2 - 2 < 0 (by hand)."""
    I2 = RationalMatrix(((Fraction(1), Fraction(0)), (Fraction(0), Fraction(1))))
    Y = RationalMatrix(((Fraction(2), Fraction(0)), (Fraction(0), Fraction(1))))
    problem = Problem.create(I2, Y, Fraction(1, 2))
    cert = certify(problem, (RationalMatrix.zeros(1, 2), RationalMatrix.zeros(2, 1)))
    assert cert.kind == "strict_saddle" and checks(cert.data)


def test_regularized_minimum_is_a_certified_local_minimizer():
    """lambda large enough that 0 is a local minimum (lambda > s_1 = 2): at W = 0 the Hessian is [[lambda I, -Y^T],
    [-Y, lambda I]] up to order, eigenvalues lambda +- s_i = 3 +- 2, 3 +- 1 > 0, so the point is a local minimizer
    (docs/maths/hessian_inertia.md §10 with no orbit: the widths-1 hidden layer has no skew generator)."""
    I2 = RationalMatrix(((Fraction(1), Fraction(0)), (Fraction(0), Fraction(1))))
    Y = RationalMatrix(((Fraction(2), Fraction(0)), (Fraction(0), Fraction(1))))
    problem = Problem.create(I2, Y, Fraction(3))
    cert = certify(problem, (RationalMatrix.zeros(1, 2), RationalMatrix.zeros(2, 1)))
    assert cert.kind == "local_minimizer" and cert.ok


def _perturbed_first_weight(data):
    out = copy.deepcopy(data)
    row = out["point"]["weights"][0][0]
    row[0] = str(Fraction(row[0]) + Fraction(1, 7))
    return out


@pytest.mark.parametrize("name", ["TC1a", "TC1b", "TC2a", "T3", "TC4b"])
def test_engine_certificate_with_moved_point_is_refused(name):
    inst = GALLERY[name]
    cert = certify(inst.problem, inst.weights)
    assert not checks(_perturbed_first_weight(cert.data))


@pytest.mark.parametrize("name", ["TC1b", "T4", "TC3b"])
def test_engine_direction_negated_keeps_curvature_but_scaled_zero_is_refused(name):
    """The t^2 coefficient is even in D: -D still certifies; D = 0 (t^2 coefficient 0) must be refused."""
    cert = certify(GALLERY[name].problem, GALLERY[name].weights)
    claim = next(c for c in cert.data["claims"] if c["type"] == "strict_saddle")
    neg = copy.deepcopy(cert.data)
    zero = copy.deepcopy(cert.data)
    for data, f in ((neg, lambda x: str(-Fraction(x))), (zero, lambda x: "0")):
        c = next(c for c in data["claims"] if c["type"] == "strict_saddle")
        c["direction"] = [[[f(x) for x in row] for row in M] for M in claim["direction"]]
    assert checks(neg)
    assert not checks(zero)


@pytest.mark.parametrize("name", ["TC2a", "T2", "TC3a"])
def test_engine_escape_curve_reversed_is_refused(name):
    """An odd-order escape reversed (t -> -t) ascends: the first nonzero coefficient flips sign."""
    cert = certify(GALLERY[name].problem, GALLERY[name].weights)
    data = copy.deepcopy(cert.data)
    claim = next(c for c in data["claims"] if c["type"] == "escape_curve")
    claim["coefficients"] = [[[[str(-Fraction(x)) for x in row] for row in M] for M in C] for C in claim["coefficients"]]
    assert not checks(data)


@pytest.mark.parametrize("name", ["TC2a", "T2"])
def test_engine_psd_evidence_tampered_is_refused(name):
    cert = certify(GALLERY[name].problem, GALLERY[name].weights)
    data = copy.deepcopy(cert.data)
    claim = next(c for c in data["claims"] if c["type"] == "psd_hessian")
    claim["ldl"]["D"][0] = str(Fraction(claim["ldl"]["D"][0]) + 1)
    assert not checks(data)


def test_kind_swapped_to_global_is_refused():
    cert = certify(GALLERY["TC2a"].problem, GALLERY["TC2a"].weights)
    data = copy.deepcopy(cert.data)
    data["claims"][-1]["kind"] = "global_minimizer"
    assert not checks(data)


def test_write_is_atomic_and_refuses_unchecked(tmp_path):
    inst = GALLERY["TC1b"]
    cert = certify(inst.problem, inst.weights)
    target = tmp_path / "c.json"
    write_certificate(cert, target)
    assert checker.main([str(target)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["c.json"]
    bad = type(cert)(cert.data, cert.kind, cert.notes, cert.check_lines, False)
    with pytest.raises(CertificateError):
        write_certificate(bad, tmp_path / "d.json")
    assert not (tmp_path / "d.json").exists()


def _point_file(tmp_path, name):
    inst = GALLERY[name]
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({"X": inst.problem.X.to_json(), "Y": inst.problem.Y.to_json(),
                                "weights": [w.to_json() for w in inst.weights]}))
    return path


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "exactdln", *args], capture_output=True, text=True, cwd=ROOT)


def test_cli_certify_then_check(tmp_path):
    point = _point_file(tmp_path, "T2")
    cert = tmp_path / "T2.cert.json"
    done = _cli("certify", str(point), "-o", str(cert))
    assert done.returncode == 0, done.stderr
    assert _cli("check", str(cert)).returncode == 0
    bare = subprocess.run([sys.executable, "-I", "-S", os.path.join(ROOT, "exactdln", "trusted", "checker.py"), str(cert)],
                          capture_output=True, text=True)
    assert bare.returncode == 0
    assert json.loads(cert.read_text())["claims"][-1] == {"type": "kind", "kind": "non_strict_saddle"}


def test_cli_bad_input_exit_2_and_check_passes_exit_codes(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"X": [[1]], "Y": [[1]], "weights": [[["x"]]]}')
    done = _cli("certify", str(bad))
    assert done.returncode == 2 and "Traceback" not in done.stderr and "bad.json" in done.stderr
    truncated = tmp_path / "t.json"
    truncated.write_text('{"format": "exactdln-certificate", "version": 1, "problem": {')
    assert _cli("check", str(truncated)).returncode == 2


@pytest.mark.parametrize("name", ["TC2a", "T2"])
def test_engine_gives_kernel_as_orbit_generators_and_duplicates_are_refused(name):
    """Non-strict saddles (lambda = 0): most of ker H is given as GL-orbit generators (FORMAT.md orbit_kernel)."""
    cert = certify(GALLERY[name].problem, GALLERY[name].weights)
    claim = next(c for c in cert.data["claims"] if c["type"] == "psd_hessian")
    assert cert.ok and claim.get("orbit_kernel")
    assert len(claim["orbit_kernel"]) + len(claim["kernel"]) == len(claim["kernel_pivots"])
    data = copy.deepcopy(cert.data)
    gens = next(c for c in data["claims"] if c["type"] == "psd_hessian")["orbit_kernel"]
    gens[-1] = gens[0]
    assert not checks(data)


# docs/maths/classification.md §8: t^2 coefficients along the certificate directions, written as Hess[T, T] for the loss
# without 1/2 divided by 4.
THEOREM_DIRECTIONS = {
    "TC1b": ("docs/maths/classification.md §6.1", Fraction(-4, 4)),    # rotation, -4 s_j (s_i - s_j) = -4 * 1 * (2 - 1)
    "TC2d": ("docs/maths/classification.md §6.1", Fraction(-8, 4)),    # -4 * 1 * (3 - 1)
    "TC5b": ("docs/maths/classification.md §6.1", Fraction(-8, 4)),    # non-white data, R = X
    "TC1c": ("docs/maths/classification.md §6.2", Fraction(-8, 4)),    # H = 2, pivot (1, 2)
    "TC2b": ("docs/maths/classification.md §6.2", Fraction(-4, 4)),    # pivot (2, 3), T = (0, E22, E22)
    "TC3b": ("docs/maths/classification.md §6.2", Fraction(-8, 4)),
    "TC4a": ("docs/maths/classification.md §6.2", Fraction(-4, 4)),
}


@pytest.mark.parametrize("name", sorted(THEOREM_DIRECTIONS))
def test_strict_saddle_direction_comes_from_the_theorem_with_the_stated_curvature(name):
    source, t2 = THEOREM_DIRECTIONS[name]
    inst = GALLERY[name]
    cert = certify(inst.problem, inst.weights)
    assert cert.kind == "strict_saddle" and cert.ok
    claim = next(c for c in cert.data["claims"] if c["type"] == "strict_saddle")
    assert source in claim["source"]
    from flint import fmpq_mat
    from flint import fmpq
    D = [fmpq_mat([[fmpq(Fraction(x).numerator, Fraction(x).denominator) for x in row] for row in M])
         for M in claim["direction"]]
    poly = loss_polynomial(inst.problem, inst.weights, [D])
    assert poly[1] == 0 and Fraction(int(poly[2].p), int(poly[2].q)) == t2


def test_rotation_scale_is_rational_approximation_when_sqrt_is_irrational():
    """T4 (docs/maths/global_optimality.md §4): S = {1, 3} != [2]; the rotation needs 1/(s_i s_j) irrational, a rational scale still works."""
    inst = GALLERY["T4"]
    cert = certify(inst.problem, inst.weights)
    claim = next(c for c in cert.data["claims"] if c["type"] == "strict_saddle")
    assert cert.kind == "strict_saddle" and cert.ok and "§6.1" in claim["source"]


def test_regularized_strict_saddle_falls_back_to_the_hessian_direction():
    """With lambda > 0 the theorems' constructions do not apply: the Hessian direction is used (and checked)."""
    from exactdln.model.problem import as_weights
    problem = Problem.create([[1, 0], [0, 1]], [[2, 0], [0, 1]], "1/10")
    weights = as_weights([[[0, 0]], [[0], [0]]])
    cert = certify(problem, weights)
    assert cert.kind == "strict_saddle" and cert.ok
    claim = next(c for c in cert.data["claims"] if c["type"] == "strict_saddle")
    assert "Hessian" in claim["source"]


# Random N1 points (docs/maths/classification.md §3 family N1: non-strict saddles by the theorem), found by /tmp search over
# conjugated n1_point instances with widths 2..5, H = 3..5 (seed 2).
N1_NEEDS_CURVE = {"X": [["1/2", "0", "0"], ["0", "3/2", "3/2"], ["0", "0", "-1/2"]], "Y": [["-13/3", "-13/3", "-14/3"], ["13/3", "41/6", "-1/3"], ["14/3", "-1/3", "7/3"]], "weights": [[["-47/6", "-22/9", "-14/3"], ["-50", "-44/3", "-34"]], [["6", "-1/2"], ["0", "0"], ["0", "0"]], [["-1", "-3", "3/2"], ["0", "0", "0"], ["0", "0", "0"], ["0", "0", "0"]], [["-2/3", "2", "0", "1"], ["2/3", "-2", "0", "-1"]], [["1", "1/3"], ["-1", "-1/3"], ["-1", "-2/3"]]]}
N1_NO_ESCAPE_FOUND = {"X": [["1", "0", "0"], ["0", "1", "0"], ["0", "0", "1"]], "Y": [["0", "19/2", "0"], ["0", "0", "7/2"]], "weights": [[["0", "57/2", "0"], ["-1/2", "15/4", "0"]], [["1/2", "0"], ["1", "0"]], [["-2/3", "0"], ["2/3", "0"], ["0", "0"], ["0", "0"]], [["-2", "-1", "0", "0"], ["0", "0", "0", "0"]]]}


def _load(doc):
    from exactdln.model.problem import as_weights
    return Problem.create(doc["X"], doc["Y"]), as_weights(doc["weights"])


def test_quadratic_curve_certifies_an_n1_point_where_no_straight_cut_chain_line_does():
    """docs/maths/escape_curves.md §2 says the relaxed form may need a curve: every straight cut-chain candidate fails here, while
    W + t T_a + t^2 T_b has a negative leading coefficient; the checker verifies the non-strict saddle."""
    problem, weights = _load(N1_NEEDS_CURVE)
    assert find_escape_curve(problem, weights, max_candidates=10**5, time_limit=60, curve_pool=0) is None
    curve = find_escape_curve(problem, weights)
    assert curve is not None and len(curve.coefficients) == 2 and curve.order >= 3
    cert = certify(problem, weights)
    assert cert.kind == "non_strict_saddle" and cert.ok


@pytest.mark.xfail(reason="search incompleteness: a non-strict saddle of family N1 (theorem route) for which neither "
                          "the cut-chain lines nor the quadratic-curve pairs give an escape; no kind is claimed",
                   strict=True)
def test_n1_point_without_found_escape_is_certified():
    problem, weights = _load(N1_NO_ESCAPE_FOUND)
    cert = certify(problem, weights)
    assert cert.kind == "non_strict_saddle"
