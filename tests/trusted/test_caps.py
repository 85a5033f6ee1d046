"""The checkers' caps are checked before the work they bound (exactdln/trusted/FORMAT.md, "Caps").

Nesting and number counts on the raw text, before json parses it; the arithmetic budget MAX_WORK
before each product, so a certificate within the size caps that would take hours is refused.
Expected unit counts follow from the documented cost of a product (r k c units for small numbers,
plus r c + 8 bookkeeping).
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from exactdln.trusted import checker, checker_family
from tests.support import certificate_cases as cc


@pytest.mark.parametrize("module", [checker, checker_family])
def test_nesting_refused_before_parsing(module):
    with pytest.raises(module.Malformed, match=f"nested deeper than {module.MAX_NESTING}"):
        module.parse_text("[" * (module.MAX_NESTING + 1) + "]" * (module.MAX_NESTING + 1))
    module.parse_text("[" * module.MAX_NESTING + "]" * module.MAX_NESTING)
    module.parse_text(json.dumps({"s": "[" * 100, "t": '\\"[[' * 50}))          # brackets in strings do not count


@pytest.mark.parametrize("module", [checker, checker_family])
def test_number_count_refused_before_parsing(module, monkeypatch):
    monkeypatch.setattr(module, "MAX_VALUES", 100)
    module.parse_text("[" + ",".join(["1"] * 100) + "]")
    with pytest.raises(module.Malformed, match="more than 100 numbers"):
        module.parse_text("[" + ",".join(["1"] * 110) + "]")


def test_matrix_product_units():
    checker.reset_work()
    A = [[Fraction(1)] * 3 for _ in range(2)]           # 2 x 3 times 3 x 4: 24 products, 8 entries
    B = [[Fraction(1)] * 4 for _ in range(3)]
    checker.matmul(A, B)
    assert checker._spent[0] == 2 * 3 * 4 + 2 * 4 + 8


def test_large_data_with_a_critical_claim_is_refused_before_multiplying():
    # X is 300 x 300: X X^T alone is 300^3 = 2.7 * 10^7 products > MAX_WORK = 10^7
    m = 300
    cert = {"format": "exactdln-certificate", "version": 1,
            "problem": {"X": [["1" if i == j else "0" for j in range(m)] for i in range(m)], "Y": [["0"] * m]},
            "point": {"weights": [[["0"] * m]]}, "claims": [{"type": "critical"}]}
    with pytest.raises(checker.Malformed, match="MAX_WORK"):
        checker.check_certificate(checker.parse_text(json.dumps(cert)))


def test_long_numbers_along_a_deep_curve_are_refused():
    # depth 20, 2,000-digit entries, a degree-25 escape curve: the products' operands grow to 40,000
    # digits; each costs (1 + bits // 512)^2 > 10^4 units, so the budget runs out long before the end
    big = "7" * 2000
    H = 20
    cert = {"format": "exactdln-certificate", "version": 1, "problem": {"X": [[big]], "Y": [[big]]},
            "point": {"weights": [[[big]]] * H},
            "claims": [{"type": "escape_curve", "coefficients": [[[[big]]] * H] * 25}]}
    with pytest.raises(checker.Malformed, match="MAX_WORK"):
        checker.check_certificate(checker.parse_text(json.dumps(cert)))


def test_honest_certificates_stay_far_below_the_budget():
    for name, build in cc.HONEST.items():
        results = checker.check_certificate(build())
        assert all(ok for _, ok, _ in results), name
        assert checker._spent[0] < checker.MAX_WORK // 100, name
