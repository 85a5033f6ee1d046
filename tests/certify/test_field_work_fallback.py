"""A certificate over a number field that the standalone checker refuses for its work (MAX_WORK) is written again
without the evidence of a non-strict saddle (exactdln/certify/point.py, exactdln/certify/field.py): the point is
still certified critical, with no kind, and the notes say why.

The point is the golden-ratio depth-3 saddle of tests/trusted/test_checker_field_non_strict.py, a non-strict
saddle (its kind there comes from the hand-checked claims of that file). The checker's refusal is simulated: the
first checker run answers with the checker's own MAX_WORK message; every later run is the real checker."""

from __future__ import annotations

import sys

from exactdln.certify.gate import CheckerRun, run_checker
from exactdln.certify.point import certify
from exactdln.model.field_format import algebraic_point_from_mapping
from tests.theory.test_number_field_classify import TOP
from tests.trusted.test_checker_field_non_strict import depth_three


def test_a_refusal_for_work_is_written_again_without_the_kind(monkeypatch):
    point_module = sys.modules["exactdln.certify.point"]
    texts: list[str] = []

    def refuse_first(text: str, certificate_format: str) -> CheckerRun:
        texts.append(text)
        real = run_checker(text, certificate_format)
        if len(texts) == 1:
            assert real.ok                 # the real checker accepts the full certificate: only the budget is simulated
            return CheckerRun(2, (), ("certificate: malformed: checking escape_curve (the expansion of a degree-1 "
                                      "curve) needs about 123 units of arithmetic (predicted from its shapes before "
                                      "any of it is done), more than is left of MAX_WORK = 10000000",))
        return real

    monkeypatch.setattr(point_module, "run_checker", refuse_first)
    problem, weights = algebraic_point_from_mapping(depth_three(TOP))
    certificate = certify(problem, weights)
    assert len(texts) == 2
    assert '"kind"' in texts[0] and '"kind"' not in texts[1]
    assert certificate.ok and certificate.kind is None
    assert [c["type"] for c in certificate.data["claims"]] == ["critical"]
    assert any("refused the non-strict saddle's evidence for its work" in n for n in certificate.notes)


def test_without_a_refusal_the_kind_is_kept():
    problem, weights = algebraic_point_from_mapping(depth_three(TOP))
    certificate = certify(problem, weights)
    assert certificate.ok and certificate.kind == "non_strict_saddle"
