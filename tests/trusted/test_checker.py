"""Tests of the standalone certificate checker (exactdln/trusted/checker.py).

Honest certificates for the hand-worked cases of docs/maths/classification.md §8 and
docs/maths/global_optimality.md §4 pass; every mutation is refused; hostile input never raises. Expected
values come from those worked cases (in our 1/2 convention) or from identities, never from the checker's
own output.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from fractions import Fraction as F

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import certificate_cases as cc

from exactdln.trusted import checker  # noqa: E402
from tests.support import ROOT as _ROOT

ROOT = str(_ROOT)
CHECKER = os.path.join(ROOT, "exactdln", "trusted", "checker.py")


@pytest.fixture(scope="module")
def honest():
    return {name: build() for name, build in cc.HONEST.items()}


def run(cert, tmp_path, name="cert.json"):
    path = tmp_path / name
    path.write_text(json.dumps(cert) if not isinstance(cert, str) else cert)
    return checker.main([str(path)])


def outcome(cert):
    """True if every claim holds, False if one fails; 'malformed' on format errors."""
    try:
        results = checker.check_certificate(copy.deepcopy(cert))
    except checker.Malformed:
        return "malformed"
    return all(ok for _, ok, _ in results)


# ---------------------------------------------------------------- honest certificates pass


@pytest.mark.parametrize("name", sorted(cc.HONEST))
def test_honest_certificate_passes(honest, name, tmp_path, capsys):
    assert run(honest[name], tmp_path) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(honest[name]["claims"]) and all(line.startswith("ok") for line in out)


def test_subprocess_bare_interpreter(honest, tmp_path):
    """python -I -S: no site-packages, no exactdln import, only the standard library."""
    path = tmp_path / "tc1b.json"
    path.write_text(json.dumps(honest["tc1b"]))
    proc = subprocess.run([sys.executable, "-I", "-S", CHECKER, str(path)], capture_output=True, text=True,
                          timeout=60, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("ok") == 4
    proc = subprocess.run([sys.executable, "-I", "-S", CHECKER, str(tmp_path / "missing.json")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_checker_imports_only_stdlib():
    source = open(CHECKER).read()
    imports = {line.split()[1].split(".")[0] for line in source.splitlines()
               if line.startswith(("import ", "from "))}
    assert imports <= {"__future__", "json", "os", "sys", "fractions", "math", "operator"}
    assert "eval(" not in source and "exec(" not in source


# ---------------------------------------------------------------- facts from the worked cases


def _curve(cert, coefficients):
    pb = checker.read_problem(cert)
    Cs = [[checker.matrix(m, "C", len(w), len(w[0])) for m, w in zip(C, pb["W"])] for C in coefficients]
    return pb, [[pb["W"][h]] + [C[h] for C in Cs] for h in range(len(pb["W"]))]


def test_tc1b_t2_coefficient_is_minus_one(honest):
    """TC1b (docs/maths/classification.md §8): Hess = -4 without the 1/2, so t^2 coefficient -1 with ours; L = 2."""
    cert = honest["tc1b"]
    pb, curve = _curve(cert, [cert["claims"][1]["direction"]])
    c = checker.loss_polynomial(pb, curve)
    assert c[:5] == [2, 0, -1, 0, F(1, 2)]   # by hand: ||[[t^2-2, t],[t, 0]]||^2 / 2


def test_tc2a_and_tc6_escape_polynomials(honest):
    """TC2a: L(t) - L = -t^3 + t^6/2; TC6: -t^4 + t^8/2 (docs/maths/classification.md §8, halved); L = 1/2."""
    for name, m in (("tc2a", 3), ("tc6", 4)):
        cert = honest[name]
        pb, curve = _curve(cert, cert["claims"][2]["coefficients"])
        c = checker.loss_polynomial(pb, curve)
        expected = [F(0)] * (2 * m + 1)
        expected[0], expected[m], expected[2 * m] = F(1, 2), F(-1), F(1, 2)
        assert c[:2 * m + 1] == expected and not any(c[2 * m + 1:])


def test_yun_t7_loss_is_13_over_2(honest):
    pb = checker.read_problem(honest["yun_t7"])
    assert checker.loss_polynomial(pb, [[w] for w in pb["W"]])[0] == F(13, 2)


def test_hessian_matches_polarized_quadratic_form(honest):
    """Kronecker assembly == entrywise polarization of the Hessian form."""
    for name in ("tc1b", "tc2a"):
        cert = honest[name]
        pb = checker.read_problem(cert)
        assert checker.hessian(pb) == cc.hessian_by_polarization(pb["X"], pb["Y"], pb["W"])


small = st.integers(-3, 3).map(F)


@st.composite
def random_point(draw):
    H = draw(st.integers(1, 3))
    d = [draw(st.integers(1, 3)) for _ in range(H + 1)]
    m = draw(st.integers(1, 3))
    mat = lambda r, c: [[draw(small) for _ in range(c)] for _ in range(r)]  # noqa: E731
    X, Y = mat(d[0], m), mat(d[H], m)
    W = [mat(d[h + 1], d[h]) for h in range(H)]
    T = [mat(d[h + 1], d[h]) for h in range(H)]
    lam = draw(st.sampled_from([F(0), F(1, 2), F(2)]))
    return X, Y, W, T, lam


@settings(max_examples=40, deadline=None)
@given(random_point())
def test_hessian_identities_at_any_point(point):
    """At any W: T^T Hess T = 2 [t^2] L(W + tT) = hess_form(T), and grad . T = [t^1] L(W + tT)."""
    X, Y, W, T, lam = point
    pb = {"X": X, "Y": Y, "W": W, "dims": [len(X)] + [len(w) for w in W], "lambda": [lam] * len(W)}
    Hm = checker.hessian(pb)
    t = [x for Th in T for row in Th for x in row]
    quad = sum(t[p] * Hm[p][q] * t[q] for p in range(len(t)) for q in range(len(t)))
    c = checker.loss_polynomial(pb, [[w, d] for w, d in zip(W, T)])
    assert quad == 2 * c[2] == cc.hess_form(X, Y, W, T, lam)
    g = checker.gradient(pb)
    assert sum(x * y for G, D in zip(g, T) for gr, dr in zip(G, D) for x, y in zip(gr, dr)) == c[1]
    assert all(Hm[p][q] == Hm[q][p] for p in range(len(t)) for q in range(len(t)))


# ---------------------------------------------------------------- mutations are refused


def test_changed_weight_is_refused(honest):
    for name in sorted(cc.HONEST):
        if name == "yun_t7":
            continue   # not critical stays true near T7; see test_not_critical_at_critical_point
        cert = honest[name]
        W0 = cert["point"]["weights"][0]
        bad = cc.mutated(cert, ["point", "weights", 0, 0, 0], str(F(W0[0][0]) + F(1, 7)))
        assert outcome(bad) is False, name


def test_changed_data_entry_is_refused(honest):
    # Y[0][0] + 1 leaves TC1b critical and strict (channel 1 is the unfitted one, s_1 = 3 > s_2 still):
    # that honest invariance is asserted too, and the fitted channel's entry is changed instead.
    assert outcome(cc.mutated(honest["tc1b"], ["problem", "Y", 0, 0], "3")) is True
    entry = {"tc1a": (0, 0), "tc1b": (1, 1), "tc2a": (0, 0), "tc6": (0, 0), "yun_t3": (0, 0)}
    for name, (a, b) in entry.items():
        cert = honest[name]
        bad = cc.mutated(cert, ["problem", "Y", a, b], str(F(cert["problem"]["Y"][a][b]) + 1))
        assert outcome(bad) is False, name
    bad = cc.mutated(honest["tc2a"], ["problem", "X", 1, 0], "1")
    assert outcome(bad) is False


def test_swapped_kind_is_refused(honest):
    kinds = ["global_minimizer", "strict_saddle", "non_strict_saddle", "not_critical", "local_minimizer", "undecided"]
    for name in sorted(cc.HONEST):
        cert = honest[name]
        own = cert["claims"][-1]["kind"]
        for kind in kinds:
            if kind != own:
                bad = cc.mutated(cert, ["claims", len(cert["claims"]) - 1], {"type": "kind", "kind": kind})
                assert outcome(bad) is False, (name, kind)


def test_dropped_claim_is_refused(honest):
    for name in sorted(cc.HONEST):
        cert = honest[name]
        for t, claim in enumerate(cert["claims"][:-1]):
            if claim["type"] == "rank":
                continue   # rank is supporting evidence, no kind depends on it
            if claim["type"] == "critical" and name.endswith("_transported"):
                continue   # W is critical because W' = phi(W) is (docs/maths/algebraic.md §17), checked inside
            bad = copy.deepcopy(cert)
            del bad["claims"][t]
            assert outcome(bad) is False, (name, claim["type"])


def test_unhashable_or_unknown_kind_is_refused(honest):
    for kind in (["strict_saddle"], {"a": 1}, None, 3, "local_minimizer", "undecided"):
        assert outcome(cc.mutated(honest["tc1b"], ["claims", 3, "kind"], kind)) is False


def test_not_critical_at_critical_point_is_refused(honest):
    for name in ("tc1a", "tc1b", "tc2a"):
        claims = [{"type": "not_critical", "layer": 1, "entry": [0, 0]}, {"type": "kind", "kind": "not_critical"}]
        assert outcome(cc.mutated(honest[name], ["claims"], claims)) is False
    bad = cc.mutated(honest["yun_t7"], ["claims"], [{"type": "critical"}, {"type": "kind", "kind": "not_critical"}])
    assert outcome(bad) is False


def test_wrong_direction_is_refused(honest):
    bad = cc.mutated(honest["tc1b"], ["claims", 1, "direction"], [[["0", "1"]], [["0"], ["1"]]])
    assert outcome(bad) is False
    # escape curve pointing the other way along channel 2 of TC2a: -E22 in W_1 flips the t^3 sign
    e = cc.js(cc.E22)
    neg = [["0", "0"], ["0", "-1"]]
    bad = cc.mutated(honest["tc2a"], ["claims", 2, "coefficients"], [[neg, e, e]])
    assert outcome(bad) is False


def test_tampered_evidence_is_refused(honest):
    c = honest["tc2a"]["claims"][1]
    bad = cc.mutated(honest["tc2a"], ["claims", 1, "ldl", "D", 0], str(F(c["ldl"]["D"][0]) + 1))
    assert outcome(bad) is False
    bad = cc.mutated(honest["tc2a"], ["claims", 1, "kernel", 0, c["ldl"]["free"][0]], "5")
    assert outcome(bad) is False
    bad = cc.mutated(honest["tc1a"], ["claims", 1, "c"], "5")   # 5 is above both eigenvalues 4, 1
    assert outcome(bad) is False
    bad = cc.mutated(honest["tc1a"], ["claims", 2, "rank"], 2)
    assert outcome(bad) in (False, "malformed")
    bad = cc.mutated(honest["tc1a"], ["claims", 2, "minor"], {"rows": [1], "cols": [1]})   # zero minor
    assert outcome(bad) is False


def test_wrong_point_with_honest_shape_is_refused(honest):
    """TC2a's evidence at TC2b's weights (a strict saddle) must fail."""
    bad = copy.deepcopy(honest["tc2a"])
    bad["point"]["weights"] = [cc.js(cc.diag(1, 1)), cc.js(cc.diag(3, 0)), cc.js(cc.diag(1, 0))]
    assert outcome(bad) is False


# ---------------------------------------------------------------- malformed files


def test_truncated_file_exits_2(honest, tmp_path, capsys):
    text = json.dumps(honest["tc2a"])
    for cut in (1, len(text) // 3, len(text) - 1):
        assert run(text[:cut], tmp_path) == 2
    assert "malformed" in capsys.readouterr().err


@pytest.mark.parametrize("mutation", [
    lambda c: c.update(format="other"),
    lambda c: c.update(version=2),
    lambda c: c.update(version=True),
    lambda c: c["claims"].append({"type": "telepathy"}),
    lambda c: c["claims"].append({"type": "kind", "kind": "strict_saddle"}),
    lambda c: c["problem"].update(X=[["0.5", "1"], ["0", "1"]]),
    lambda c: c["problem"].update(lam=None, **{"lambda": ["0"]}),
    lambda c: c["point"]["weights"].pop(),
    lambda c: c.update(claims=[]),
    lambda c: c["problem"].update(Y=[["1" * 10001, "0"], ["0", "1"]]),
    lambda c: c["claims"][1].update(direction=[[["1"]], [["1"], ["0"]]]),
    lambda c: c["claims"].append({"type": "escape_curve", "coefficients": [c["claims"][1]["direction"]] * 65}),
    lambda c: c["problem"].update(X=[["--3", "0"], ["0", "1"]]),
    lambda c: c["problem"].update(X=[["\u0663", "0"], ["0", "1"]]),
])
def test_malformed_variants_exit_2(honest, tmp_path, mutation):
    cert = copy.deepcopy(honest["tc1b"])
    mutation(cert)
    assert run(cert, tmp_path) == 2


@pytest.mark.parametrize("text", ['{"format": "exactdln-certificate", "version": 1.0}', "[" * 100000,
                                  '{"a": NaN}', '{"a": Infinity}', '{"a": 1, "a": 2}', "", "\xff",
                                  '{"format": "exactdln-certificate", "version": 1, "problem": {"X": [["1/0"]]}}'])
def test_hostile_text_exits_2(text, tmp_path):
    assert run(text, tmp_path) == 2


def test_not_utf8_and_missing_file(tmp_path):
    p = tmp_path / "bin.json"
    p.write_bytes(b"\xff\xfe{")
    assert checker.main([str(p)]) == 2
    assert checker.main([str(tmp_path / "nope.json")]) == 2
    assert checker.main([]) == 2


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8)
    | st.sampled_from(["1/2", "-3", "0", "1/0", "9" * 12000, "exactdln-certificate", "critical", "kind"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["format", "version", "problem", "point", "claims", "X", "Y", "weights", "type",
                         "lambda", "direction", "kind", "layer", "entry"]), inner, max_size=5),
    max_leaves=30)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(json_values)
def test_fuzz_random_json_never_raises(tmp_path, value):
    assert run(value, tmp_path) in (0, 1, 2)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fuzz_mutated_honest_certificates(tmp_path, data):
    """Replace one leaf of an honest certificate by junk or a huge number: exit code stays in {0, 1, 2}."""
    cert = copy.deepcopy(cc.HONEST[data.draw(st.sampled_from(["tc1a", "tc1b", "yun_t7"]))]())
    node, path = cert, []
    while isinstance(node, (dict, list)) and node:
        key = data.draw(st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node))))
        path.append(key)
        node = node[key]
    junk = data.draw(st.sampled_from([None, True, 1.5, "1" * 9999, "-" + "7" * 9999 + "/3", [], {}, "x", 2 ** 70,
                                      [["1"]], "1/0", -1, 10 ** 6]))
    assert run(cc.mutated(cert, path, junk), tmp_path) in (0, 1, 2)


def test_schema_accepts_honest_and_rejects_broken(honest):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.load(open(os.path.join(ROOT, "exactdln", "trusted", "schema.json")))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for name, cert in honest.items():
        validator.validate(cert)
    for bad in (cc.mutated(honest["tc1b"], ["version"], 2),
                cc.mutated(honest["tc1b"], ["point", "weights", 0, 0, 0], 0.5),
                cc.mutated(honest["tc1b"], ["claims", 0], {"type": "telepathy"})):
        assert not validator.is_valid(bad)


def test_format_md_example_passes(tmp_path, capsys):
    text = open(os.path.join(ROOT, "exactdln", "trusted", "FORMAT.md")).read()
    block = text.split("```json\n", 1)[1].split("```", 1)[0]
    assert run(block, tmp_path) == 0
    out = capsys.readouterr().out
    assert out.strip() == text.split("Output:\n\n```\n", 1)[1].split("```", 1)[0].strip()


# ---------------------------------------------------------------- psd_hessian with orbit_kernel (GL-orbit generators)

def _tc2a_parts():
    X, Y = cc.I2, cc.diag(3, 1)
    W = [cc.diag(3, 0), cc.diag(1, 0), cc.diag(1, 0)]
    return X, Y, W


def _tc2a_orbit_certificate():
    X, Y, W = _tc2a_parts()
    return cc.certificate(X, Y, W, [{"type": "critical"}, cc.psd_evidence_with_orbits(X, Y, W),
                                    {"type": "escape_curve", "coefficients": [[cc.js(cc.E22)] * 3]},
                                    {"type": "kind", "kind": "non_strict_saddle"}])


def test_orbit_directions_lie_in_the_hessian_kernel_at_critical_points():
    """The symmetry W_h -> A W_h, W_(h+1) -> W_(h+1) A^-1 (lambda = 0) puts every orbit tangent in ker H at a
    critical point: checked against the Hessian built by polarization of the quadratic form of
    docs/maths/classification.md §5."""
    for X, Y, W in [_tc2a_parts(), (cc.I2, cc.diag(2, 1), [cc.Fm([[0, 1]]), cc.Fm([[0], [1]])])]:
        d = cc.widths(X, W)
        Hm = cc.hessian_by_polarization(X, Y, W)
        for h in range(1, len(W)):
            for a in range(d[h]):
                for b in range(d[h]):
                    v = cc.orbit_vector(W, d, h, a, b)
                    assert all(sum(r * x for r, x in zip(row, v)) == 0 for row in Hm)


def test_orbit_kernel_certificate_passes_and_checker_agrees_on_orbit_vectors():
    cert = _tc2a_orbit_certificate()
    claim = cert["claims"][1]
    assert claim["orbit_kernel"], "TC2a has nonzero orbit directions"
    results = checker.check_certificate(json.loads(json.dumps(cert)))
    assert all(ok for _, ok, _ in results), results
    pb = checker.read_problem(cert)
    X, Y, W = _tc2a_parts()
    for h, a, b in claim["orbit_kernel"]:
        assert checker.orbit_direction(pb, h, a, b) == cc.orbit_vector(W, cc.widths(X, W), h, a, b)


def _psd_ok(cert):
    results = checker.check_certificate(json.loads(json.dumps(cert)))
    return next(ok for t, ok, _ in results if t == "psd_hessian")


def test_orbit_kernel_mutations_are_refused():
    cert = _tc2a_orbit_certificate()
    claim = cert["claims"][1]
    gens = claim["orbit_kernel"]
    # a repeated generator in place of another: dependent vectors, rank argument fails
    dup = copy.deepcopy(cert)
    dup["claims"][1]["orbit_kernel"] = [gens[0]] + gens[:-1]
    assert not _psd_ok(dup)
    # a regularized loss: the orbit is no longer a symmetry
    reg = copy.deepcopy(cert)
    reg["problem"]["lambda"] = "1/10"
    assert not _psd_ok(reg)
    # a moved weight (not critical any more): orbit tangents need not be in the kernel
    moved = cc.mutated(cert, ["point", "weights", 0, 1, 1], "1/3")
    assert not _psd_ok(moved)
    # a dropped generator: one pivot too many
    with pytest.raises(checker.Malformed):
        checker.check_certificate(cc.mutated(cert, ["claims", 1, "orbit_kernel"], gens[1:]))
    with pytest.raises(checker.Malformed):
        checker.check_certificate(cc.mutated(cert, ["claims", 1, "orbit_kernel"], [[3, 0, 0]] + gens[1:]))


def test_independence_mod_p_is_exact_rank_on_small_cases():
    """GF(p) independence agrees with exact rank on small integer vectors (no entry near p)."""
    vecs = [[F(1), F(2), F(0)], [F(2), F(4), F(0)], [F(0), F(1), F(1)]]
    assert not checker.independent_mod_p(vecs[:2], [0, 1, 2])
    assert checker.independent_mod_p([vecs[0], vecs[2]], [0, 1, 2])
    assert not checker.independent_mod_p([vecs[0], vecs[2]], [1])


# ---------------------------------------------------------------- flow_identities_random (checked by random draws)

def _flow_certificate(random_points=4):
    from exactdln.certify.flow import flow_certificate
    from exactdln.model.problem import Problem, as_weights

    problem = Problem.create([[1, 2, 0], [0, 1, 1]], [[1, 0, 3], [2, 1, 1]], F(1, 4))
    weights = as_weights([[["1", "2"], ["0", "1/2"]], [["3", "-1"], ["1", "1"]]])
    return json.loads(json.dumps(flow_certificate(problem, weights, F(1, 10), random_points=random_points)))


def test_flow_claim_says_it_is_random_and_states_its_bound():
    """H = 2: degree D = 4H - 2 = 6, samples from 2^21 + 1 integers; k = 4 draws give (6/2097153)^4."""
    cert = _flow_certificate(4)
    assert [c["type"] for c in cert["claims"]] == ["flow_identities_random"]
    [(ctype, ok, msg)] = checker.check_certificate(cert)
    assert ctype == "flow_identities_random" and ok
    assert "random" in msg and "probabilistic" in msg and "(6/2097153)^4" in msg


def test_flow_claim_old_name_and_zero_draws_are_malformed():
    cert = _flow_certificate()
    assert outcome(cc.mutated(cert, ["claims", 0, "type"], "flow_identities")) == "malformed"
    assert outcome(cc.mutated(cert, ["claims", 0, "random_points"], 0)) == "malformed"
