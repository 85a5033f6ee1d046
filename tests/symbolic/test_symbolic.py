"""Parametric families: parser, criticality variety, generic ranks, family verdicts.

Expected verdicts come from docs/maths/classification.md (§2.3 minimal construction, §3.6 N1/S1/S3, §8 TC2a-TC2e,
orbits under the symmetry W_h -> A_h W_h A_{h-1}^-1 which preserves every class, §7) and
from hand-worked gradients; the sanity checks compare against point verdicts of the exact
core (exactdln.theory.classify) and the exact Hessian inertia at random specializations.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings, strategies as st
from sympy import QQ

from exactdln.model.problem import InputError
from exactdln.symbolic import classify_family, load_family
from exactdln.symbolic.analysis import cannot_vanish, criticality_variety, generic_partial_ranks
from exactdln.symbolic.parser import parse_entry

I2 = [[1, 0], [0, 1]]
I3 = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]

# TC2b orbit (docs/maths/classification.md §8): strict for b != 0; at b = 0 it is the TC2a orbit (non-strict).
TC2B_FAMILY = {"X": I2, "Y": [[3, 0], [0, 1]],
               "weights": [[["3*a", "0"], ["0", "0"]], [["1/a", "0"], ["0", "b"]], [["1", "0"], ["0", "0"]]],
               "parameters": {"a": "nonzero", "b": "real"}}
# Minimal construction S = [1], H = 3 (N1: non-strict), mixed by A_1 = [[1,0],[a,1]], A_2 = diag(b,1).
N1_FAMILY = {"X": I2, "Y": [[3, 0], [0, 1]],
             "weights": [[["3", "0"], ["3*a", "0"]], [["b", "0"], ["0", "0"]], [["1/b", "0"], ["0", "0"]]],
             "parameters": {"a": "real", "b": "nonzero"}}
# TC2e orbit: global minimizer for all a and b != 0.
GLOBAL_FAMILY = {"X": I2, "Y": [[3, 0], [0, 1]],
                 "weights": [[["3", "0"], ["3*a", "1"]], [["b", "0"], ["-a", "1"]], [["1/b", "0"], ["0", "1"]]],
                 "parameters": {"a": "real", "b": "nonzero"}}
# TC2d orbit (A_1 = [[1,a],[0,1]], A_2 = diag(1,b)): S = {2} != [1], strict (S1).
S1_FAMILY = {"X": I2, "Y": [[3, 0], [0, 1]],
             "weights": [[["0", "a"], ["0", "1"]], [["0", "0"], ["0", "b"]], [["0", "0"], ["0", "1/b"]]],
             "parameters": {"a": "real", "b": "positive"}}
# The issue's example: W_1 = [[a,0],[0,0]], W_2 = [[1,b]], Y = [[3,0]]: the gradient is
# -(3-a)*[[1,0],[b,0]] and -(3-a)*a*[1, 0] (by hand), so critical exactly on a = 3.
ISSUE_FAMILY = {"X": I2, "Y": [[3, 0]],
                "weights": [[["a", "0"], ["0", "0"]], [["1", "b"]]],
                "parameters": {"a": "nonzero", "b": "real"}}


def _mixers(a: str, b: str):
    """Unimodular A_1 = [[1,0,0],[a,1,0],[0,b,1]], A_2 = [[1,b,0],[0,1,0],[a,0,1]] as text, with inverses."""
    A1 = sympy.Matrix([[1, 0, 0], [sympy.Symbol(a), 1, 0], [0, sympy.Symbol(b), 1]])
    A2 = sympy.Matrix([[1, sympy.Symbol(b), 0], [0, 1, 0], [sympy.Symbol(a), 0, 1]])
    return A1, A2


def depth3_width3_family(two_cuts: bool):
    """Depth 3, width 3, Y = diag(3,2,1): minimal construction S = [1] (N1, non-strict) or
    with index 2 passed through layer 1 (S3, strict), mixed by two parametric unimodular maps."""
    A1, A2 = _mixers("a", "b")
    W1 = sympy.diag(3, 2 if two_cuts else 0, 0)
    W2 = sympy.diag(1, 0, 0)
    W3 = sympy.diag(1, 0, 0)
    weights = [A1 * W1, A2 * W2 * A1.inv(), W3 * A2.inv()]
    return {"X": I3, "Y": [[3, 0, 0], [0, 2, 0], [0, 0, 1]],
            "weights": [[[str(sympy.expand(e)).replace("**", "^") for e in W.tolist()[i]] for i in range(3)]
                        for W in weights],
            "parameters": {"a": "real", "b": "real"}}


# ------------------------------------------------------------------- parser
K = QQ.frac_field(*sympy.symbols("a b"))
GENS = dict(zip(("a", "b"), K.gens))


def test_parser_arithmetic_matches_field_arithmetic():
    a, b = K.gens
    assert parse_entry("2*a - 1/3", K, GENS) == 2 * a - K(1) / 3
    assert parse_entry("a^2*b", K, GENS) == a**2 * b
    assert parse_entry("(a+1)/(b-2)", K, GENS) == (a + 1) / (b - 2)
    assert parse_entry("-a^2", K, GENS) == -(a**2)          # unary minus binds looser than ^
    assert parse_entry("a^-2", K, GENS) == 1 / a**2
    assert parse_entry("0.125e1", K, GENS) == K(5) / 4       # exact decimal
    assert parse_entry("2 - 3 - 4", K, GENS) == K(-5)       # left associative
    assert parse_entry("12/3/2", K, GENS) == K(2)


@pytest.mark.parametrize("text", [
    "__import__('os')", "a**2", "a^1000", "(" * 100 + "a" + ")" * 100, "a/(a-a)", "2 3", "", "a^b",
    "c", "a^1.5", "1" * 3000, "a;b", "lambda: 1",
])
def test_parser_refuses_hostile_or_malformed_text(text):
    with pytest.raises(InputError):
        parse_entry(text, K, GENS)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(-9, 9), st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=6),
       st.integers(1, 9))
def test_parser_reads_any_polynomial_text(terms, denominator):
    text = " + ".join(f"({c})*a^{i}*b^{j}" for c, i, j in terms) + f" / {denominator}"
    a, b = K.gens
    expected = sum((K(c) * a**i * b**j for c, i, j in terms[:-1]), K(0))
    c, i, j = terms[-1]
    expected += K(c) * a**i * b**j / denominator
    assert parse_entry(text, K, GENS) == expected


def test_family_file_errors_name_the_field(tmp_path):
    bad = dict(ISSUE_FAMILY, weights=[[["a", "0"], ["0", "zz"]], [["1", "b"]]])
    with pytest.raises(InputError) as err:
        load_family(bad)
    assert err.value.field == "weights[0][1][1]"
    with pytest.raises(InputError):
        load_family(dict(ISSUE_FAMILY, parameters={"a": "complex"}))
    with pytest.raises(InputError):
        load_family(dict(ISSUE_FAMILY, parameters={"1a": "real"}))
    path = tmp_path / "f.json"
    path.write_text("{not json")
    with pytest.raises(InputError) as err:
        load_family(str(path))
    assert err.value.source == str(path)


# ------------------------------------------------------------------- facts
def test_cannot_vanish_uses_the_assumptions():
    R = K.get_ring()
    a, b = (K.gens[0].numer, K.gens[1].numer)
    assert cannot_vanish(a**2 + 1, ["real", "real"])
    assert cannot_vanish(a * b, ["nonzero", "negative"])
    assert cannot_vanish(a + b**2, ["positive", "real"])
    assert not cannot_vanish(a + b, ["positive", "real"])
    assert not cannot_vanish(a**2 + b**2, ["real", "real"])   # vanishes at 0


def test_issue_example_is_critical_exactly_on_a_equals_3():
    variety = criticality_variety(load_family(ISSUE_FAMILY))
    assert not variety.everywhere
    assert [tuple(str(p.as_expr()) for p in comp) for comp in variety.components] == [("a - 3",)]
    verdict = classify_family(ISSUE_FAMILY)
    assert verdict.kind == "not_critical" and verdict.critical == "on_variety"


def test_generic_ranks_and_drop_loci_of_tc2b_orbit():
    facts = generic_partial_ranks(load_family(TC2B_FAMILY))
    # W_2 = diag(1/a, b): rank 2 over QQ(a, b), dropping exactly where b = 0 (a != 0 assumed)
    assert facts[(2, 2)].rank == 2
    assert [tuple(str(p.as_expr()) for p in c) for c in facts[(2, 2)].drop.components] == [("b",)]
    assert facts[(1, 3)].rank == 1 and facts[(1, 3)].drop.empty


# ------------------------------------------------------------------- verdicts
@pytest.mark.parametrize("family, kind", [
    (TC2B_FAMILY, "strict_saddle"),        # TC2b (docs/maths/classification.md §8) (pivot (1,3) with middle rank 2 > 1)
    (N1_FAMILY, "non_strict_saddle"),      # docs/maths/classification.md §3 N1, minimal construction
    (GLOBAL_FAMILY, "global_minimizer"),   # TC2e (docs/maths/classification.md §8) orbit
    (S1_FAMILY, "strict_saddle"),          # docs/maths/classification.md §3 S1, TC2d orbit
])
def test_family_verdicts_match_achour(family, kind):
    verdict = classify_family(family)
    assert verdict.kind == kind
    assert verdict.critical == "identically"


def test_tc2b_family_exceptional_set_is_b_equals_zero_and_verdict_differs_there():
    verdict = classify_family(TC2B_FAMILY)
    assert [c.equations for c in verdict.exceptional] == [("b",)]
    assert not verdict.applies_at({"a": 2, "b": 0})
    from exactdln.theory.classify import classify
    problem, weights = load_family(TC2B_FAMILY).specialize({"a": 2, "b": 0})
    assert classify(problem, weights).kind == "non_strict_saddle"     # TC2a orbit (docs/maths/classification.md §8)
    assert "exceptional" in str(verdict)


def _random_values(rng: random.Random, parameters):
    values = {}
    for name, kind in parameters:
        v = Fraction(rng.randint(-12, 12), rng.randint(1, 7))
        if kind == "positive":
            v = abs(v) + Fraction(1, 3)
        elif kind == "negative":
            v = -abs(v) - Fraction(1, 3)
        elif kind == "nonnegative":
            v = abs(v)
        values[name] = v
    return values


def _sanity(family_mapping, samples: int, seed: int):
    """Sanity check: outside the exceptional set, point verdicts equal the family verdict."""
    from exactdln.theory.classify import classify, hessian_inertia

    family = load_family(family_mapping)
    verdict = classify_family(family)
    rng = random.Random(seed)
    checked = 0
    for _ in range(samples * 3):
        values = _random_values(rng, verdict.parameters)
        if not verdict.applies_at(values):
            continue
        problem, weights = family.specialize(values)
        point = classify(problem, weights, method="theorem")
        assert point.kind == verdict.kind, (values, point.kind, verdict.kind)
        if checked < 2 and sum(w.nrows * w.ncols for w in weights) <= 30:
            inertia = hessian_inertia(problem, weights)     # independent of both theorem routes
            assert (inertia.n_minus > 0) == (verdict.kind == "strict_saddle")
        checked += 1
        if checked == samples:
            break
    assert checked == samples


@pytest.mark.parametrize("family", [TC2B_FAMILY, N1_FAMILY, GLOBAL_FAMILY, S1_FAMILY])
def test_specializations_agree_with_family_verdict(family):
    _sanity(family, samples=5, seed=6)


@pytest.mark.parametrize("two_cuts, kind", [(False, "non_strict_saddle"), (True, "strict_saddle")])
def test_depth3_width3_two_parameter_family(two_cuts, kind):
    family = depth3_width3_family(two_cuts)     # docs/maths/classification.md §3 N1 / S3
    verdict = classify_family(family)
    assert verdict.kind == kind
    _sanity(family, samples=3, seed=1)


def test_issue_family_points_not_critical_off_the_variety():
    from exactdln.landscape.derivatives import is_critical

    family = load_family(ISSUE_FAMILY)
    assert is_critical(*family.specialize({"a": 3, "b": Fraction(-2, 7)}))
    assert not is_critical(*family.specialize({"a": 2, "b": Fraction(-2, 7)}))


def test_json_and_latex_render():
    verdict = classify_family(TC2B_FAMILY)
    data = verdict.to_json()
    assert data["kind"] == "strict_saddle" and data["exceptional_set"][0]["equations"] == ["b"]
    assert "b = 0" in verdict.latex()


def test_cli_classify_family(tmp_path, capsys):
    import json

    from exactdln.cli import main
    path = tmp_path / "family.json"
    path.write_text(json.dumps(N1_FAMILY))
    assert main(["classify", "--json", str(path)]) == 0
    out = capsys.readouterr().out
    assert json.loads(out.strip().splitlines()[-1])["kind"] == "non_strict_saddle"


def test_issue_family_on_its_variety_a_equals_3_is_a_global_minimizer():
    # at a = 3 the product is [3, 0] = Sigma_YX Sigma_XX^-1 with r_max = 1: docs/maths/classification.md §3.3 (a) by hand
    verdict = classify_family(ISSUE_FAMILY)
    assert [(sub, v.kind) for sub, v in verdict.on_variety] == [("a = 3", "global_minimizer")]
