"""The last-layer Schur complement and the rescaled block of exactdln/landscape/reduced_hessian.py.

Expected values come from elsewhere:
- Haynsworth's inertia additivity holds for every principal submatrix of every Hessian, critical or not: on random
  points (any weights, lambda >= 0) and random coordinate sets F, last_layer_schur_inertia must equal Descartes' count
  on the characteristic polynomial of the F x F block of the full Hessian (derivatives.hessian_matrix, a separate loop),
  whenever it claims anything.
- The rescaled block S Hess[F, F] S is congruent to Hess[F, F]: the same charpoly inertia.
- Depth 256, width 1, hand-worked: with two zero weights W_i = W_j = 0 (i < j) every Hessian entry vanishes except
  Hess[W_j, W_i] = -[A_j^T G C_i^T] W_{j-1:i+1} (each other term keeps a zero factor), so the inertia is (1, 1, 254);
  with three zero weights every entry vanishes: (0, 0, 256).
"""

from __future__ import annotations

import random
from fractions import Fraction

from flint import fmpq_mat, fmpz_mat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactdln.arith.inertia import symmetric_inertia
from exactdln.instances.construct import large_instance
from exactdln.landscape.derivatives import hessian_matrix
from exactdln.landscape.point import ExactPoint
from exactdln.landscape.reduced_hessian import (
    _HessianFactors,
    _integer_block,
    last_layer_schur_inertia,
    reduced_hessian_inertia,
)
from exactdln.model.problem import Problem, RationalMatrix
from exactdln.model.results import Inertia

from tests.support.strategies import instances


def _random_matrix(rng: random.Random, rows: int, cols: int) -> list[list[Fraction]]:
    return [[Fraction(rng.randint(-3, 3), rng.choice([1, 1, 2, 3])) for _ in range(cols)] for _ in range(rows)]


def _block(full: fmpq_mat, F: list[int]) -> fmpq_mat:
    return fmpq_mat(len(F), len(F), [full[i, j] for i in F for j in F])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1))
def test_schur_matches_the_charpoly_on_random_points_and_sets(seed: int) -> None:
    rng = random.Random(seed)
    H = rng.randint(1, 4)
    widths = [rng.randint(1, 3) for _ in range(H + 1)]
    m = rng.randint(1, 4)
    lam = rng.choice(["0", "0", "1/2", "3"])
    problem = Problem.create(_random_matrix(rng, widths[0], m), _random_matrix(rng, widths[-1], m), lam)
    weights = [_random_matrix(rng, widths[h + 1], widths[h]) for h in range(H)]
    if rng.random() < 0.3:     # a zero layer makes some last-layer blocks singular
        k = rng.randrange(H)
        weights[k] = [[Fraction(0)] * widths[k] for _ in range(widths[k + 1])]
    point = ExactPoint.of(problem, weights)
    n = point.n_parameters
    F = sorted(rng.sample(range(n), rng.randint(1, n)))
    full = hessian_matrix(problem, weights)
    expected = symmetric_inertia(_block(full, F), method="charpoly")
    found = last_layer_schur_inertia(point, F)
    assert found is None or found == expected
    grid, _ = _integer_block(_HessianFactors(point, scaled=True), F)
    scaled = fmpq_mat(fmpz_mat(len(F), len(F), grid.ravel().tolist()))
    assert symmetric_inertia(scaled, method="charpoly") == expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_depth=4, max_width=3))
def test_reduced_inertia_matches_the_full_charpoly(inst) -> None:
    point = ExactPoint.of(inst.problem, inst.weights)
    assert reduced_hessian_inertia(point) == symmetric_inertia(hessian_matrix(inst.problem, inst.weights),
                                                               method="charpoly")


def test_schur_at_long_entries_matches_the_unscrambled_point() -> None:
    # 40-digit hidden changes of basis leave the inertia unchanged (Sylvester); the last-layer blocks are then
    # 4 x 4 with long entries and, at the saddles, singular (columns moved to F')
    for kind in ("global_minimizer", "strict_saddle", "non_strict_saddle"):
        inst = large_instance(random.Random(11), 3, 4, digits=40, kind=kind)
        plain = large_instance(random.Random(11), 3, 4, digits=1, kind=kind)
        expected = symmetric_inertia(hessian_matrix(plain.problem, plain.weights), method="charpoly")
        assert reduced_hessian_inertia(ExactPoint.of(inst.problem, inst.weights)) == expected


def _scalar_chain(values: list[Fraction]) -> tuple[Problem, tuple[RationalMatrix, ...]]:
    X = RationalMatrix(((Fraction(1), Fraction(2), Fraction(-1, 3)),))
    Y = RationalMatrix(((Fraction(3), Fraction(-1), Fraction(2)),))
    return Problem(X, Y), tuple(RationalMatrix(((v,),)) for v in values)


def test_depth_256_width_1_two_zero_weights() -> None:
    rng = random.Random(256)
    values = [Fraction(rng.choice([1, -1, 2, 3]), rng.choice([1, 2, 3])) for _ in range(256)]
    values[7] = values[100] = Fraction(0)
    problem, weights = _scalar_chain(values)
    assert reduced_hessian_inertia(ExactPoint.of(problem, weights)) == Inertia(1, 1, 254)
    values[200] = Fraction(0)
    problem, weights = _scalar_chain(values)
    assert reduced_hessian_inertia(ExactPoint.of(problem, weights)) == Inertia(0, 0, 256)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1))
def test_rectangular_rescaled_block_is_the_rescaled_hessian_block(seed: int) -> None:
    # S Hess[R, C] S entry by entry against the full Hessian (a separate loop), with S read off the factors
    rng = random.Random(seed)
    H = rng.randint(1, 3)
    widths = [rng.randint(1, 3) for _ in range(H + 1)]
    m = rng.randint(1, 3)
    problem = Problem.create(_random_matrix(rng, widths[0], m), _random_matrix(rng, widths[-1], m),
                             rng.choice(["0", "2/3"]))
    weights = [_random_matrix(rng, widths[h + 1], widths[h]) for h in range(H)]
    point = ExactPoint.of(problem, weights)
    n = point.n_parameters
    rows = sorted(rng.sample(range(n), rng.randint(1, n)))
    cols = sorted(rng.sample(range(n), rng.randint(1, n)))
    factors = _HessianFactors(point, scaled=True)
    grid, D = _integer_block(factors, rows, cols)
    full = hessian_matrix(problem, weights)
    offsets = [0]
    for h in range(1, H + 1):
        offsets.append(offsets[-1] + widths[h] * widths[h - 1])

    def scale(i: int) -> int:
        k = next(h for h in range(1, H + 1) if i < offsets[h])
        a, b = divmod(i - offsets[k - 1], widths[k - 1])
        return factors.r[k][a] * factors.t[k][b]

    for x, i in enumerate(rows):
        for y, j in enumerate(cols):
            assert Fraction(int(grid[x, y]), D) == Fraction(int(full[i, j].p), int(full[i, j].q)) * scale(i) * scale(j)
