"""crosscheck: the contradiction rule, scale_hidden preserves the class, and the command's exit codes."""

import json

from exactdln.cli import main
from exactdln.tools.crosscheck import PathVerdict, contradictions, crosscheck, scale_hidden
from exactdln.landscape.derivatives import is_critical, loss
from exactdln.model.problem import as_weights
from exactdln.model.results import Inertia

from tests.support.worked_cases import BRIEF_CASES


def test_inconclusive_and_undecided_contradict_nothing():
    assert contradictions([("exact", "strict_saddle", None), ("float64", "inconclusive", None),
                           ("mpmath", "strict_saddle", Inertia(1, 1, 0))]) == ()
    assert contradictions([("exact", "undecided", None), ("float64", "global_minimizer", None)]) == ()


def test_different_definite_kinds_or_inertias_contradict():
    assert contradictions([("a", "strict_saddle", None), ("b", "non_strict_saddle", None)])
    assert contradictions([("a", "strict_saddle", Inertia(1, 1, 0)), ("b", "strict_saddle", Inertia(2, 0, 0))])


def test_a_conditional_kind_contradicts_only_a_critical_exact_kind():
    # "strict_saddle if critical" says nothing about a point that is not critical
    exact_nc = PathVerdict("exact", "not_critical", Inertia(7, 1, 0), None, False)
    fl = PathVerdict("float64", "inconclusive", Inertia(4, 0, 4), "global_minimizer", False)
    assert contradictions([exact_nc, fl]) == ()
    exact_s = PathVerdict("exact", "strict_saddle", Inertia(4, 1, 7), None, True)
    assert contradictions([exact_s, PathVerdict("float64", "inconclusive", None, "strict_saddle", True)]) == ()
    assert contradictions([exact_s, PathVerdict("float64", "inconclusive", None, "global_minimizer", True)])
    # an exact "undecided" (critical, no theorem decides) contradicts no conditional kind
    assert contradictions([PathVerdict("exact", "undecided", None, None, True),
                           PathVerdict("float64", "inconclusive", None, "global_minimizer", True)]) == ()
    # inertias are compared only at a critical point both analysed
    assert contradictions([exact_s, PathVerdict("mpmath", "inconclusive", Inertia(5, 0, 7), "strict_saddle", False)]) == ()
    assert contradictions([exact_s, PathVerdict("mpmath", "inconclusive", Inertia(5, 0, 7), "strict_saddle", True)])
    # a proven not_critical against a critical exact kind is a contradiction
    assert contradictions([exact_s, PathVerdict("float64", "not_critical")])


def test_scale_hidden_keeps_criticality_and_loss():
    # docs/maths/classification.md §7: hidden changes of basis preserve criticality and L.
    problem, weights, _ = BRIEF_CASES["TC3a"]
    ws = as_weights(weights)
    scaled = scale_hidden(ws, 5)
    assert is_critical(problem, scaled) and loss(problem, scaled) == loss(problem, ws)


def test_worked_cases_do_not_contradict():
    for name, (problem, weights, kind) in BRIEF_CASES.items():
        r = crosscheck(problem, weights, source=name)
        assert r.agree, (name, r.conflicts)
        if kind == "not_critical":
            assert r.float64.kind == r.mp.kind == kind and r.exact_gradient_norm > 0
        else:
            assert r.float64.conditional_kind == r.mp.conditional_kind == kind
            assert r.float64.kind == r.mp.kind == "inconclusive" and r.exact_gradient_norm == 0
        data = r.to_json()
        assert {"file", "critical", "kind", "inertia", "float", "mp", "conflicts", "agree", "notes"} <= set(data)
        assert data["kind"] == kind and data["critical"] == (kind != "not_critical")
        for sub in (data["float"], data["mp"]):
            assert {"kind", "conditional_kind", "critical", "gradient_norm", "gradient_bound", "inertia"} <= set(sub)


def _write(tmp_path, name, problem, weights):
    path = tmp_path / name
    path.write_text(json.dumps({"X": problem.X.to_json(), "Y": problem.Y.to_json(),
                                "weights": [w.to_json() for w in as_weights(weights)]}))
    return str(path)


def test_command_exit_codes(tmp_path, capsys):
    problem, weights, _ = BRIEF_CASES["TC2b"]
    good = _write(tmp_path, "tc2b.json", problem, weights)
    assert main(["crosscheck", good]) == 0
    out = capsys.readouterr().out
    assert "strict_saddle" in out
    assert main(["crosscheck", "--json", good]) == 0
    data = [json.loads(line) for line in capsys.readouterr().out.splitlines()]   # JSON Lines
    assert data[0]["kind"] == "strict_saddle" and data[0]["agree"] is True
    assert data[0]["float"]["conditional_kind"] == "strict_saddle" and data[0]["float"]["kind"] == "inconclusive"
    bad = tmp_path / "bad.json"
    bad.write_text('{"X": [[1]], "Y": [[1, 2]], "weights": [[[1]]]}')
    assert main(["crosscheck", str(bad)]) == 2
    assert "bad.json" in capsys.readouterr().err


def test_stress_corpus_against_the_exact_classifier():
    # the numeric paths' contract: on every corpus point no path contradicts another, the exact classifier
    # (exactdln.theory.classify) and mpmath give the family theorem's class (docs/maths/classification.md §3), and the
    # float path gives it or says inconclusive.
    from exactdln.tools.crosscheck import stress_corpus
    for case in stress_corpus(seed=3, size=30):
        r = crosscheck(case.problem, case.weights, source=case.label)
        assert r.agree, (case.label, r.conflicts)
        assert r.exact_kind == case.expected_kind and r.mp.conditional_kind == case.expected_kind, case.label
        assert r.float64.conditional_kind in (case.expected_kind, None), case.label
        assert r.float64.kind == r.mp.kind == "inconclusive", case.label


def _float_trained_point():
    """Plain float64 gradient descent (exactdln.numeric.flows.gradient_descent) to ||grad|| < 1e-13 on
    small data, final weights converted exactly (Fraction(float) is exact)."""
    from fractions import Fraction
    import numpy as np
    from exactdln.numeric.flows import gradient_descent
    from exactdln.model.problem import Problem
    problem = Problem.create([[1, 0, 1], [0, 1, 1]], [[2, 1, 0], [1, 3, 1]])
    rng = np.random.default_rng(0)
    start = [(0.5 * rng.standard_normal((2, 2))).tolist() for _ in range(2)]
    run = gradient_descent(problem, start, eta=0.05, steps=20000, tol=1e-13)
    assert run.converged
    return problem, [[[Fraction(float(x)) for x in row] for row in w] for w in run.weights]


def test_float_trained_weights_are_not_critical_and_contradict_nothing(tmp_path, capsys):
    # A float64 run stops near a critical point, not on it: the exact gradient of the rational
    # point is nonzero (is_critical), the numeric paths may find it within tolerance, and that is
    # no contradiction; the result points to `exactdln snap`.
    problem, ws = _float_trained_point()
    assert not is_critical(problem, ws)
    r = crosscheck(problem, ws, source="trained.json")
    assert r.exact_kind == "not_critical" and r.exact_critical is False
    assert 0 < r.exact_gradient_norm < 1e-12
    assert r.conflicts == () and r.agree
    assert r.float64.kind in ("not_critical", "inconclusive") and r.mp.kind in ("not_critical", "inconclusive")
    assert r.float64.critical == "within_tolerance"
    assert any("exactdln snap trained.json" in n for n in r.notes)
    data = r.to_json()
    assert data["critical"] is False and data["kind"] == "not_critical" and data["agree"] is True
    assert any("exactdln snap" in n for n in data["notes"]) and data["gradient_norm"] == r.exact_gradient_norm
    text = str(r)
    assert "not_critical" in text and "exactdln snap" in text and "CONTRADICTION" not in text
    path = _write(tmp_path, "trained.json", problem, ws)
    assert main(["crosscheck", path]) == 0
    assert "CONTRADICTION" not in capsys.readouterr().out
