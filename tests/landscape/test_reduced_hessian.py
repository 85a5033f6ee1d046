"""The reduced Hessian route: expected values come from other constructions of the same objects.

- Hess L[F, F] must equal the F x F block of the full Hessian matrix (built by a separate loop in
  derivatives.py) and must reproduce the quadratic form Hess[T, T] of hessian_form (a third formula,
  the t^2 coefficient of L(W + tT)) on directions supported on F.
- The orbit pivots P must be independent coordinates of the orbit span (exact rank of the orbit
  generator matrix restricted to P equals |P|) and, by the block elimination argument, |P| = rank K.
- The inertia must equal Descartes' count on the characteristic polynomial of the full Hessian
  (a different algorithm on a different matrix), and the gallery's Hessian facts.
"""

from __future__ import annotations

import random

import pytest
from flint import fmpq, fmpq_mat
from hypothesis import HealthCheck, given, settings

from exactdln.arith.exact import rank as exact_rank
from exactdln.theory.classify import hessian_inertia
from exactdln.instances.construct import Instance, large_instance, worked_instances
from exactdln.arith.inertia import symmetric_inertia
from exactdln.landscape.derivatives import hessian_form, hessian_matrix, is_critical
from exactdln.landscape.point import ExactPoint
from exactdln.landscape.reduced_hessian import (
    hessian_principal_submatrix,
    orbit_pivots,
    reduced_hessian_inertia,
)
from exactdln.landscape.symmetry import orbit_directions
from exactdln.model.problem import Problem
from exactdln.model.results import STRICT_SADDLE, Inertia

from tests.support.strategies import instances


def _columns(matrix: fmpq_mat, cols: list[int]) -> fmpq_mat:
    return fmpq_mat(matrix.nrows(), len(cols), [matrix[i, j] for i in range(matrix.nrows()) for j in cols])


def _free(point: ExactPoint) -> list[int]:
    chosen = set(orbit_pivots(point))
    return [i for i in range(point.n_parameters) if i not in chosen]


def _direction_on(point: ExactPoint, free: list[int], rng: random.Random) -> tuple[list[fmpq_mat], list[fmpq]]:
    """A random direction T supported on F, as layer matrices and as the coordinate vector on F."""
    values = [fmpq(rng.randint(-5, 5), rng.randint(1, 3)) for _ in free]
    flat = [fmpq(0)] * point.n_parameters
    for i, v in zip(free, values):
        flat[i] = v
    layers, offset = [], 0
    for w in point.W:
        size = w.nrows() * w.ncols()
        layers.append(fmpq_mat(w.nrows(), w.ncols(), flat[offset:offset + size]))
        offset += size
    return layers, values


def _check_point(inst: Instance) -> None:
    point = ExactPoint.of(inst.problem, inst.weights)
    free = _free(point)
    block = hessian_principal_submatrix(point, free)
    full = hessian_matrix(inst.problem, inst.weights)
    assert block == fmpq_mat(len(free), len(free), [full[i, j] for i in free for j in free])
    layers, values = _direction_on(point, free, random.Random(len(free)))
    form = sum((values[a] * block[a, b] * values[b] for a in range(len(free)) for b in range(len(free))), fmpq(0))
    assert form == hessian_form(inst.problem, inst.weights, layers)
    # pivots: independent coordinates of the orbit span, as many as its dimension
    pivots = orbit_pivots(point)
    generators = orbit_directions(point)
    if generators.nrows():
        assert exact_rank(_columns(generators, pivots)) == len(pivots) == exact_rank(generators)
    else:
        assert pivots == []
    # inertia: Descartes on the full Hessian's characteristic polynomial
    assert reduced_hessian_inertia(point) == symmetric_inertia(full, method="charpoly")


@pytest.mark.parametrize("name,inst", [(name, inst) for name, inst in worked_instances() if is_critical(inst.problem, inst.weights)
                                       and inst.problem.lambdas == ()],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_gallery_points(name: str, inst: Instance) -> None:
    _check_point(inst)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_depth=4, max_width=3))
def test_random_family_points(inst: Instance) -> None:
    _check_point(inst)


@pytest.mark.parametrize("kind", ["global_minimizer", "strict_saddle", "non_strict_saddle"])
def test_large_hidden_changes_of_basis(kind: str) -> None:
    # 40-digit hidden changes of basis: the Hessian is congruent to the one at the unscrambled point, so the
    # inertia must equal the unscrambled one (conjugate_hidden preserves it by Sylvester's law)
    rng = random.Random(7)
    inst = large_instance(rng, 3, 4, digits=40, kind=kind)
    plain = large_instance(random.Random(7), 3, 4, digits=1, kind=kind)
    assert hessian_inertia(inst.problem, inst.weights) == symmetric_inertia(
        hessian_matrix(plain.problem, plain.weights), method="charpoly")
    _check_point(inst)


def test_regularized_orbit_pivots_are_independent() -> None:
    # lambda > 0: only the orthogonal (skew) generators; their pivots must be independent coordinates
    inst = large_instance(random.Random(3), 3, 3, digits=1, kind=STRICT_SADDLE)
    point = ExactPoint.of(Problem.create(inst.problem.X, inst.problem.Y, "1"), inst.weights)
    pivots = orbit_pivots(point, orthogonal_only=True)
    generators = orbit_directions(point, orthogonal_only=True)
    assert exact_rank(_columns(generators, pivots)) == len(pivots) == exact_rank(generators)


def test_orbit_check_rejects_a_non_critical_point() -> None:
    # away from a critical point the orbit directions need not be in the kernel; the randomized check says so
    problem = Problem.create([[1, 0], [0, 1]], [[2, 0], [0, 1]])
    weights = [[[1, 2], [0, 1]], [[1, 0], [3, 1]]]
    assert not is_critical(problem, weights)
    with pytest.raises(ValueError, match="orbit"):
        reduced_hessian_inertia(ExactPoint.of(problem, weights))


def test_zero_weights_keep_the_kernel_in_the_block() -> None:
    # W = 0 (TC1c (docs/maths/classification.md §8)-like): no orbit pivots at all; the whole Hessian is the block, and at the zero point
    # of a depth-2 scalar network Hess = [[0, -y], [-y, 0]] has inertia (1, 1, 0) for y = 1 (hand-worked)
    problem = Problem.create([[1]], [[1]])
    point = ExactPoint.of(problem, [[[0]], [[0]]])
    assert orbit_pivots(point) == []
    assert reduced_hessian_inertia(point) == Inertia(1, 1, 0)
