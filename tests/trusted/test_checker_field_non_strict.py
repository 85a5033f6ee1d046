"""psd_hessian and escape_curve over a number field (exactdln/trusted/checker.py, FORMAT.md "Number fields").

The accepted points and their kinds come from constructions, not from the code under test:

- the depth-3 golden-ratio point of tests/theory/test_number_field_classify.py: X = I, Y = [[1, 1], [0, 1]],
  Sigma = [[2, 1], [1, 1]] (eigenvalues phi^2 and 2 - phi, phi = (1 + sqrt 5)/2), widths [2, 2, 2, 2], three
  rank-1 layers fitting the top eigenvector u = (1, phi - 1): S = [1] with r = 1 < r_max = 2 at depth 3, family
  N1 of docs/maths/classification.md §3.6, a non-strict saddle. With u = (1, -phi), the eigenvector of the
  lower eigenvalue, S = {2} is not initial: a strict saddle (§3.3 (b)), so its Hessian has a negative
  eigenvalue and no PSD claim can hold;
- a degree-3 plateau point of exactdln/instances/algebraic_critical.py: S = {1} at widths [3, 3, 3, 3] (the
  minimal construction, every layer of rank 1), again N1.

Mutants state something false and must be refused (exit 1: "refused") or do not follow the format (exit 2:
"malformed"). The conjugate embedding (the same minimal polynomial, the interval of the root 1 - phi) moves
u = (1, theta - 1) to (1, -phi): the fitted eigenvalue, hence the kind, changes.
"""

from __future__ import annotations

import copy
import json
import random
from fractions import Fraction

import pytest

from exactdln.certify.point import certify
from exactdln.instances.algebraic_critical import critical_point_for_fitted_set
from exactdln.instances.construct import expected_kind_for_index_set
from exactdln.model.field_format import algebraic_point_from_mapping
from exactdln.model.results import NON_STRICT_SADDLE
from exactdln.trusted import checker
from tests.trusted.test_checker_field import verdict
from tests.theory.test_number_field_classify import LOW, TOP, Y


def depth_three(u, interval=(1, 2)) -> dict:
    """W_3 W_2 W_1 = P_u Y through three rank-1 layers (W_2 = E_11)."""
    uu = u[0] * u[0] + u[1] * u[1]
    row = [(u[0] * Y[0][j] + u[1] * Y[1][j]) / uu for j in range(2)]
    return {"field": {"minpoly": [-1, -1, 1], "interval": list(interval)}, "X": [[1, 0], [0, 1]], "Y": Y,
            "weights": [[[x.to_json() for x in row], ["0", "0"]], [["1", "0"], ["0", "0"]],
                        [[u[0].to_json(), "0"], [u[1].to_json(), "0"]]]}


def plateau_point() -> dict:
    rng = random.Random(3)
    X = [[Fraction(rng.randint(-5, 5), rng.randint(1, 2)) for _ in range(4)] for _ in range(3)]
    Yq = [[Fraction(rng.randint(-5, 5), rng.randint(1, 2)) for _ in range(4)] for _ in range(3)]
    point = critical_point_for_fitted_set(X, Yq, (1,), [3, 3, 3, 3])
    assert point.degree == 3
    return point.to_point_json()


def claim(data, kind):
    return next(c for c in data["claims"] if c["type"] == kind)


@pytest.fixture(scope="module")
def golden():
    cert = certify(*algebraic_point_from_mapping(depth_three(TOP)))
    assert cert.ok, cert.check_lines
    return cert.data


@pytest.fixture(scope="module")
def plateau():
    cert = certify(*algebraic_point_from_mapping(plateau_point()))
    assert cert.ok, cert.check_lines
    return cert.data


def test_golden_ratio_non_strict_saddle_is_certified(golden):
    assert claim(golden, "kind")["kind"] == NON_STRICT_SADDLE
    assert [c["type"] for c in golden["claims"]] == ["critical", "psd_hessian", "escape_curve", "kind"]
    assert verdict(golden) == "ok"
    # the cut-chain curve through the unused hidden units is rational here (preferred: a cheap check)
    curve = claim(golden, "escape_curve")["coefficients"]
    assert all(isinstance(x, str) for C in curve for M in C for row in M for x in row)


def test_degree_three_plateau_point_is_certified(plateau):
    assert expected_kind_for_index_set((1,), [3, 3, 3, 3]) == NON_STRICT_SADDLE
    assert claim(plateau, "kind")["kind"] == NON_STRICT_SADDLE
    assert len(plateau["field"]["minpoly"]) == 4 and verdict(plateau) == "ok"


def test_negative_pivot_is_refused(golden):
    bad = copy.deepcopy(golden)
    D = claim(bad, "psd_hessian")["ldl"]["D"]
    D[0] = [str(-Fraction(x)) for x in D[0]] if isinstance(D[0], list) else str(-Fraction(D[0]))
    assert verdict(bad) == "refused"


def test_escape_curve_that_does_not_descend_is_refused(golden, plateau):
    """The curves are straight lines of odd order 3: W - tT has the opposite t^3 coefficient, so L increases."""
    for data in (golden, plateau):
        bad = copy.deepcopy(data)
        c = claim(bad, "escape_curve")
        c["coefficients"] = [[[[_negated(x) for x in row] for row in M] for M in C] for C in c["coefficients"]]
        assert verdict(bad) == "refused"
        results = checker.check_certificate(json.loads(json.dumps(bad)))
        assert ("escape_curve", False) in [r[:2] for r in results]


def _negated(x):
    return [str(-Fraction(a)) for a in x] if isinstance(x, list) else str(-Fraction(x))


def test_psd_claim_at_a_strict_saddle_is_refused(golden):
    """At u = (1, -phi) the Hessian has a negative eigenvalue (S = {2}, a strict saddle): the golden point's
    PSD evidence, moved there, and the escape curve are refused; and so is every rearrangement of the kernel
    that the checker could be offered (its L D L^T would need a negative pivot)."""
    problem, weights = algebraic_point_from_mapping(depth_three(LOW))
    strict = certify(problem, weights)
    assert strict.ok and strict.kind == "strict_saddle"
    bad = copy.deepcopy(strict.data)
    bad["claims"] = [{"type": "critical"}, claim(golden, "psd_hessian"), claim(golden, "escape_curve"),
                     {"type": "kind", "kind": NON_STRICT_SADDLE}]
    assert verdict(bad) == "refused"


def test_psd_factorization_of_an_indefinite_hessian_is_refused():
    """The exact L D L^T of the strict saddle's Hessian over K (built here by hand from the engine's Hessian)
    has a negative pivot; written with that pivot it is refused for D < 0, and with the pivot's sign flipped
    for L D L^T != B."""
    from exactdln.certify.escape import field_rref
    from exactdln.certify.field import _entry, _orbit_generators
    from exactdln.landscape.number_field_point import FieldPoint, field_hessian

    problem, weights = algebraic_point_from_mapping(depth_three(LOW))
    point = FieldPoint(problem, tuple(weights))
    H = field_hessian(point).tolist()
    n = len(H)
    gens, P = _orbit_generators(point)
    F = [i for i in range(n) if i not in set(P)]
    R, piv = field_rref([[H[i][j] for j in F] for i in F])
    free = [F[j] for j in piv]
    kernel, pivots = [], list(P)
    for c in (c for c in range(len(F)) if c not in piv):
        v = [point.K.element(0)] * n
        v[F[c]] = point.K.element(1)
        for i, p in enumerate(piv):
            v[F[p]] = -R[i][c]
        kernel.append(v)
        pivots.append(F[c])
    B = [[H[i][j] for j in free] for i in free]
    q = len(B)
    L = [[point.K.element(int(i == j)) for j in range(q)] for i in range(q)]
    D = []
    for j in range(q):
        d = B[j][j] - sum((L[j][k] * L[j][k] * D[k] for k in range(j)), point.K.element(0))
        D.append(d)
        for i in range(j + 1, q):
            L[i][j] = (B[i][j] - sum((L[i][k] * L[j][k] * D[k] for k in range(j)), point.K.element(0))) / d
    assert any(d.sign() < 0 for d in D)
    base = certify(problem, weights).data
    psd = {"type": "psd_hessian", "orbit_kernel": [list(g) for g in gens],
           "kernel": [[_entry(x) for x in v] for v in kernel], "kernel_pivots": pivots,
           "ldl": {"free": free, "perm": list(range(q)), "L": [[_entry(x) for x in r] for r in L],
                   "D": [_entry(d) for d in D]}}
    honest_signs = copy.deepcopy(base)
    honest_signs["claims"] = [{"type": "critical"}, psd]
    results = checker.check_certificate(json.loads(json.dumps(honest_signs)))
    assert results[1][:2] == ("psd_hessian", False) and "negative" in results[1][2]
    flipped = copy.deepcopy(honest_signs)
    flipped["claims"][1]["ldl"]["D"] = [_entry(-d) if d.sign() < 0 else _entry(d) for d in D]
    results = checker.check_certificate(json.loads(json.dumps(flipped)))
    assert results[1][:2] == ("psd_hessian", False) and "L D L^T" in results[1][2]


def test_conjugate_embedding_is_refused(golden):
    """At theta = 1 - phi the same entries fit the lower eigenvector (a strict saddle): a pivot of D, or the
    escape curve's leading coefficient, changes sign, and the kind is not certified."""
    bad = copy.deepcopy(golden)
    bad["field"]["interval"] = ["-1", "0"]
    results = checker.check_certificate(json.loads(json.dumps(bad)))
    assert dict((t, ok) for t, ok, _ in results)["kind"] is False
    assert not dict((t, ok) for t, ok, _ in results)["psd_hessian"]


def test_wrong_factor_is_refused(plateau):
    """L[1][0] changed by 1: the (1, 0) entry of L D L^T moves by D_0 > 0, away from the Hessian's."""
    bad = copy.deepcopy(plateau)
    L = claim(bad, "psd_hessian")["ldl"]["L"]
    x = L[1][0]
    L[1][0] = [str(Fraction(x[0]) + 1)] + x[1:] if isinstance(x, list) else str(Fraction(x) + 1)
    assert verdict(bad) == "refused"


def test_explicit_kernel_vector_outside_the_kernel_is_refused(plateau):
    """A unit vector on a coordinate whose Hessian column is not 0 (D_0 > 0 there), declared as a kernel vector:
    H v != 0. The coordinate moves from the factored block to the kernel pivots, the factorization of the smaller
    block is left as it was (the check of H v comes first and refuses)."""
    bad = copy.deepcopy(plateau)
    c = claim(bad, "psd_hessian")
    ldl = c["ldl"]
    j = ldl["free"][ldl["perm"][0]]
    n = sum(len(M) * len(M[0]) for M in bad["point"]["weights"])
    c["kernel"] = [["1" if i == j else "0" for i in range(n)]]
    c["kernel_pivots"] = c["kernel_pivots"] + [j]
    keep = [k for k, p in enumerate(ldl["perm"]) if ldl["free"][p] != j]
    free = [f for f in ldl["free"] if f != j]
    ldl["perm"] = [free.index(ldl["free"][ldl["perm"][k]]) for k in keep]
    ldl["free"] = free
    ldl["L"] = [[ldl["L"][a][b] for b in keep] for a in keep]
    ldl["D"] = [ldl["D"][k] for k in keep]
    results = checker.check_certificate(json.loads(json.dumps(bad)))
    assert results[1][:2] == ("psd_hessian", False) and "H v != 0" in results[1][2]


def test_dependent_orbit_generators_are_refused(golden):
    bad = copy.deepcopy(golden)
    c = claim(bad, "psd_hessian")
    c["orbit_kernel"][1] = c["orbit_kernel"][0]
    assert verdict(bad) == "refused"


@pytest.mark.parametrize("where", ["D", "L", "curve"])
def test_wrong_entry_length_is_malformed(golden, where):
    bad = copy.deepcopy(golden)
    c = claim(bad, "psd_hessian")
    if where == "D":
        c["ldl"]["D"][0] = ["1", "2", "3"]
    elif where == "L":
        c["ldl"]["L"][1][0] = ["1"]
    else:
        claim(bad, "escape_curve")["coefficients"][0][0][0][0] = ["0", "1", "0"]
    assert verdict(bad) == "malformed"


def test_high_degree_curve_is_refused_before_the_expansion(golden):
    """A degree-64 curve at depth 3 over K with 2000-digit coefficients is priced from its shapes and refused
    (malformed, naming MAX_WORK) before any of its products is computed."""
    bad = copy.deepcopy(golden)
    step = claim(golden, "escape_curve")["coefficients"][0]
    big = "7" * 2000
    dense = [[[[big, big] for _ in row] for row in M] for M in step]
    bad["claims"] = [{"type": "escape_curve", "coefficients": [dense] * 64}]
    with pytest.raises(checker.Malformed, match="predicted from its shapes"):
        checker.check_certificate(json.loads(json.dumps(bad)))
    assert checker._spent[0] < checker.MAX_WORK // 100


def test_high_degree_rational_curve_is_refused_before_the_expansion():
    """The same over Q: depth 8, width 4, a degree-64 curve of one-digit integers (H x degree = 512, at the
    MAX_EXPANSION cap) needs more than MAX_WORK; it is refused before the expansion starts."""
    rng = random.Random(5)

    def mat(r, c):
        return [[str(rng.randint(-9, 9)) for _ in range(c)] for _ in range(r)]
    cert = {"format": "exactdln-certificate", "version": 1, "problem": {"X": mat(4, 6), "Y": mat(4, 6)},
            "point": {"weights": [mat(4, 4) for _ in range(8)]},
            "claims": [{"type": "escape_curve", "coefficients": [[mat(4, 4) for _ in range(8)] for _ in range(64)]}]}
    with pytest.raises(checker.Malformed, match="predicted from its shapes"):
        checker.check_certificate(cert)
    assert checker._spent[0] < checker.MAX_WORK // 100


def test_schema_admits_the_certificates(golden, plateau):
    jsonschema = pytest.importorskip("jsonschema")
    from tests.support import ROOT

    with open(f"{ROOT}/exactdln/trusted/schema.json") as fh:
        validator = jsonschema.Draft202012Validator(json.load(fh))
    for data in (golden, plateau):
        validator.validate(data)
