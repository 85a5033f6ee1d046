"""The charpoly price cap: a non-critical point's inertia is not bought with an uninterruptible FLINT call.

Expected values: Sylvester's law of inertia on hand-built congruent matrices, and the classification of a
point whose gradient is visibly nonzero (dL/dW_1 = W_2^T (W_2 W_1 X - Y) X^T, worked by hand below).
"""

from __future__ import annotations

import pytest
from flint import fmpq_mat, fmpz_mat

from exactdln.arith.guided import CharpolyTooCostly, charpoly_price, charpoly_price_cap, integer_charpoly_inertia
from exactdln.arith.inertia import symmetric_inertia, symmetric_inertia_within
from exactdln.model.problem import Problem
from exactdln.model.results import Inertia
from exactdln.theory.classify import classify


def _congruent(diagonal: list[int], t: list[list[int]]) -> fmpq_mat:
    n = len(diagonal)
    d = fmpq_mat(n, n)
    for i, x in enumerate(diagonal):
        d[i, i] = x
    tt = fmpq_mat(t)
    return tt.transpose() * d * tt


def test_price_grows_with_size_and_length():
    assert charpoly_price(33, 48_000) > charpoly_price(33, 8_000) > charpoly_price(16, 8_000)
    assert charpoly_price(150, 64) < charpoly_price(33, 48_000)


def test_cap_raises_instead_of_running_the_charpoly():
    big = 10 ** 3000
    matrix = fmpz_mat([[big, 1], [1, -big]])
    with charpoly_price_cap(0):
        with pytest.raises(CharpolyTooCostly):
            integer_charpoly_inertia(matrix)
    # without a cap, det = -big^2 - 1 < 0: one eigenvalue of each sign
    assert integer_charpoly_inertia(matrix) == Inertia(1, 1, 0)


def test_within_cap_answer_is_the_exact_inertia():
    # T^T diag(3, -2, 0, 5) T with T unit upper triangular: inertia (2, 1, 1) by Sylvester
    t = [[1, 2, -1, 3], [0, 1, 4, -2], [0, 0, 1, 7], [0, 0, 0, 1]]
    matrix = _congruent([3, -2, 0, 5], t)
    assert symmetric_inertia_within(matrix) == Inertia(2, 1, 1)
    assert symmetric_inertia_within(matrix, price_cap=0) is None      # the small case is a charpoly
    assert symmetric_inertia(matrix) == Inertia(2, 1, 1)              # no cap outside the call


def test_long_entries_small_matrix_tries_the_congruence_before_the_charpoly():
    # diag(10^400, -1, 10^-400 scaled up) congruence: a 3 x 3 with 1,300-bit entries, whose inertia the
    # verified congruence settles without the charpoly (so even a zero cap answers)
    big = 10 ** 400
    matrix = _congruent([big, -1, 1, -big, 2], [[1, 1, 0, 0, 0], [0, 1, 1, 0, 0], [0, 0, 1, 1, 0],
                                                [0, 0, 0, 1, 1], [0, 0, 0, 0, 1]])
    assert symmetric_inertia(matrix) == Inertia(3, 2, 0)
    found = symmetric_inertia_within(matrix, price_cap=0)
    assert found in (None, Inertia(3, 2, 0))


def test_noncritical_point_with_long_entries_reports_no_inertia_with_a_note():
    # X = Y = I_4, depth 3, lambda = 7 10^2999, one entry 10^3000 in W_1 and in W_2: a point built
    # to be far from critical (the fuzz-found shape: a few 3,000-digit entries and a 3,000-digit lambda),
    # whose Hessian has 20,000-bit entries next to one-digit ones.
    big = 10 ** 3000
    width = 4
    x = [[1 if i == j else 0 for j in range(width)] for i in range(width)]
    w1 = [[big if (i, j) == (0, 1) else (i + 2 * j) % 3 - 1 for j in range(width)] for i in range(width)]
    w2 = [[big if (i, j) == (2, 3) else (2 * i + j) % 3 - 1 for j in range(width)] for i in range(width)]
    w3 = [[(i * j) % 3 - 1 for j in range(width)] for i in range(width)]
    problem = Problem.create(x, x, lam=7 * 10 ** 2999)
    result = classify(problem, [w1, w2, w3], method="hessian")
    assert result.kind == "not_critical"
    assert result.inertia is None
    assert any("inertia not computed" in note for note in result.notes)


def test_cap_also_stops_the_exact_rank_of_a_singular_matrix_with_long_entries(monkeypatch):
    """Fuzz input 84256: a report-only inertia ran FLINT's exact rank (one uninterruptible call) 6 s past the
    budget. A singular congruent matrix T^T diag(10^2000, -3, 0, 0, 7, -10^2000, 1, 2) T, inertia (4, 2, 2) by
    Sylvester, with entries of thousands of bits: under a zero cap the rank is refused before it starts."""
    from exactdln.arith import guided

    big = 10 ** 2000
    t = [[1 if i == j else (2 if j == i + 1 else 0) for j in range(8)] for i in range(8)]
    matrix = _congruent([big, -3, 0, 0, 7, -big, 1, 2], t)
    assert symmetric_inertia(matrix) == Inertia(4, 2, 2)
    assert symmetric_inertia_within(matrix) == Inertia(4, 2, 2)          # priced below the default cap
    refused = []
    original = guided._refuse_above_price_cap

    def spy(n, bits, what):
        try:
            original(n, bits, what)
        except CharpolyTooCostly:
            refused.append(what)
            raise
    monkeypatch.setattr(guided, "_refuse_above_price_cap", spy)
    assert symmetric_inertia_within(matrix, price_cap=0) is None
    assert refused[0] == "exact rank"
