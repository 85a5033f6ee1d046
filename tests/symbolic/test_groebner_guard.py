"""The optional Groebner simplification is skipped on huge coefficients (it is pure Python and they grow).

A family entry 1e200*a kept sympy's Buchberger loop busy for the whole 20 s budget of `exactdln certify`
(fuzz input 4002/1837). Skipping the basis is always allowed (the variety is then split by gcds only).
"""

from __future__ import annotations

import json

import numpy as np

from exactdln.cli import main

FAMILY = {"X": [["3", "0"], ["0", "2"]], "Y": [["-1", "-2"], ["-2", "0"]],
          "weights": [[["b^2", "1e200*a"], ["1/a", "b^2"]], [["-1", "1/2"], ["-1", "2"]], [["1/a", "b"], ["a^2", "1/2"]]],
          "parameters": {"a": "negative", "b": "real"}}


def test_the_basis_is_skipped_for_huge_coefficients():
    from sympy import QQ
    from sympy.polys.rings import ring

    from exactdln.symbolic.analysis import MAX_GROEBNER_COEFFICIENT_BITS, _small_groebner_basis

    R, a, b = ring("a,b", QQ)
    assert 10**200 > 2**MAX_GROEBNER_COEFFICIENT_BITS
    assert _small_groebner_basis([10**200 * a + b, a * b - 1]) is None
    assert _small_groebner_basis([a + b, a * b - 1]) is not None


def test_the_family_is_not_critical_and_certified(tmp_path, capsys):
    """At a = -1, b = 1/2 the gradient, computed here with numpy, is not zero, so the family is not critical
    there; certify must say not_critical with a checked certificate."""
    def weights(a, b):
        return [np.array([[b * b, 1e200 * a], [1 / a, b * b]]), np.array([[-1, 0.5], [-1, 2]]),
                np.array([[1 / a, b], [a * a, 0.5]])]

    W1, W2, W3 = weights(-1.0, 0.5)
    X, Y = np.array([[3.0, 0], [0, 2]]), np.array([[-1.0, -2], [-2, 0]])
    G = W3 @ W2 @ W1 @ X - Y
    assert np.abs((W3 @ W2).T @ G @ X.T).max() > 0          # dL/dW_1 != 0
    path = tmp_path / "family.json"
    path.write_text(json.dumps(FAMILY))
    assert main(["certify", "--json", str(path), "-o", str(tmp_path / "c.json")]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["kind"] == "not_critical" and record["checked"]
