"""The independence of kernel vectors over a field in the standalone checker (exactdln/trusted/checker.py,
independent_at_theta): a division-free elimination whose pivots are tested for zero at theta.

Expected answers are worked by hand: phi = (1 + sqrt 5)/2 is the root of x^2 - x - 1 in (1, 2), so phi^2 = phi + 1
and (1, phi), (phi, phi + 1) are dependent (the second is phi times the first), while (1, phi), (1, 1 - phi) have
determinant 1 - 2 phi = -sqrt 5 != 0. For the squarefree but reducible p = (x - 3)(x^2 - 2) = x^3 - 3x^2 - 2x + 6
with the interval (1, 2), theta = sqrt 2: theta^2 - 2 is 0 at theta although it is not 0 modulo p, so a residue map
Z_(q)[x]/(p) -> F_q could call the pair (1, 0), (0, theta^2 - 2) independent; at theta it is dependent.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from exactdln.trusted import checker


def _field(minpoly, interval):
    # the work counter is shared by the whole process: reset it before building the field, whose own checks are
    # charged too (after a test that spent most of MAX_WORK, the construction was refused)
    checker.reset_work()
    K = checker.Field({"minpoly": [str(c) for c in minpoly], "interval": [str(x) for x in interval]})
    assert K.failure is None
    checker._FIELD[0] = K
    checker.reset_work()
    return K


def _vectors(K, rows):
    return [[checker.Alg.of(K, [Fraction(c) for c in x]) for x in row] for row in rows]


@pytest.fixture(autouse=True)
def _no_field_afterwards():
    yield
    checker._FIELD[0] = None


def test_phi_times_a_vector_is_dependent():
    K = _field([-1, -1, 1], [1, 2])
    assert not checker.independent_at_theta(_vectors(K, [[[1, 0], [0, 1]], [[0, 1], [1, 1]]]), [0, 1])


def test_a_pair_with_determinant_minus_sqrt5_is_independent():
    K = _field([-1, -1, 1], [1, 2])
    assert checker.independent_at_theta(_vectors(K, [[[1, 0], [0, 1]], [[1, 0], [1, -1]]]), [0, 1])


def test_the_conjugate_embedding_does_not_change_a_rational_determinant():
    # at 1 - phi, the root in (-1, 0), the determinant is 1 - 2(1 - phi) = 2 phi - 1 = sqrt 5 != 0
    K = _field([-1, -1, 1], [-1, 0])
    assert checker.independent_at_theta(_vectors(K, [[[1, 0], [0, 1]], [[1, 0], [1, -1]]]), [0, 1])


def test_zero_at_theta_but_not_modulo_a_reducible_polynomial_is_dependent():
    K = _field([6, -2, -3, 1], [1, 2])
    v = _vectors(K, [[[1, 0, 0], [0, 0, 0]], [[0, 0, 0], [-2, 0, 1]]])
    assert not checker.independent_at_theta(v, [0, 1])
    assert checker.independent_at_theta(_vectors(K, [[[1, 0, 0], [0, 0, 0]], [[0, 0, 0], [-3, 0, 1]]]), [0, 1])


def test_three_vectors_with_a_rank_two_span_are_dependent_on_any_coordinates():
    # w = v1 + phi v2 over Q(phi): the elimination must reach a zero row through two pivots
    K = _field([-1, -1, 1], [1, 2])
    v1, v2 = [[1, 0], [0, 0], [2, 0]], [[0, 0], [1, 0], [0, 1]]
    w = [[1, 0], [0, 1], [3, 1]]          # (1, phi, 2 + phi^2) = (1, phi, 3 + phi)
    assert not checker.independent_at_theta(_vectors(K, [v1, v2, w]), [0, 1, 2])
    assert checker.independent_at_theta(_vectors(K, [v1, v2]), [0, 2])
