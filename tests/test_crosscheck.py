"""crosscheck: the contradiction rule, scale_hidden preserves the class, and the command's exit codes."""

import json

from exactdln.cli import main
from exactdln.crosscheck import contradictions, crosscheck, scale_hidden
from exactdln.landscape.derivatives import is_critical, loss
from exactdln.problem import as_weights
from exactdln.results import Inertia

from _numeric_cases import BRIEF_CASES


def test_inconclusive_and_undecided_contradict_nothing():
    assert contradictions([("exact", "strict_saddle", None), ("float64", "inconclusive", None),
                           ("mpmath", "strict_saddle", Inertia(1, 1, 0))]) == ()
    assert contradictions([("exact", "undecided", None), ("float64", "global_minimizer", None)]) == ()


def test_different_definite_kinds_or_inertias_contradict():
    assert contradictions([("a", "strict_saddle", None), ("b", "non_strict_saddle", None)])
    assert contradictions([("a", "strict_saddle", Inertia(1, 1, 0)), ("b", "strict_saddle", Inertia(2, 0, 0))])


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
        assert r.float64.kind == kind and r.mp.kind == kind


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
    assert "float_kind" in out and "strict_saddle" in out
    assert main(["crosscheck", "--json", good]) == 0
    data = [json.loads(line) for line in capsys.readouterr().out.splitlines()]   # JSON Lines
    assert data[0]["float_kind"] == "strict_saddle" and data[0]["agree"] is True
    bad = tmp_path / "bad.json"
    bad.write_text('{"X": [[1]], "Y": [[1, 2]], "weights": [[[1]]]}')
    assert main(["crosscheck", str(bad)]) == 2
    assert "bad.json" in capsys.readouterr().err


def test_stress_corpus_against_the_exact_classifier():
    # the numeric paths' contract: on every corpus point no path contradicts another, the exact classifier
    # (exactdln.classify) and mpmath give the family theorem's class (docs/maths/classification.md §3), and the
    # float path gives it or says inconclusive.
    from exactdln.crosscheck import stress_corpus
    for case in stress_corpus(seed=3, size=30):
        r = crosscheck(case.problem, case.weights, source=case.label)
        assert r.agree, (case.label, r.conflicts)
        assert r.exact_kind == case.expected_kind and r.mp.kind == case.expected_kind, case.label
        assert r.float64.kind in (case.expected_kind, "inconclusive"), case.label
