"""The spectral facts of Sigma when chi_Sigma splits over Q (d_y above exactdln.landscape.spectral.SMALL_SIGMA).

Expected values come from the construction (exactdln.instances.construct.spectral_data): Sigma = U diag(s_i^2) U^T,
so its eigenvalues are the s_i^2; the minimal critical point with index set S (docs/maths/classification.md §2.3) fits
exactly the eigenvalues of S; the global value is 1/2 (||Y||^2 - the sum of the r_max largest eigenvalues)
(docs/maths/global_optimality.md §2.1 (d)); and the global test holds iff S = [r_max] (Yun et al. 2018, Thm 2.2).
The roots found from the proven eigenvalues are compared with exact root isolation of the same polynomials.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from flint import fmpq

from exactdln.arith.realroots import isolate_real_roots
from exactdln.instances.construct import conjugate_hidden, minimal_critical_point, random_singular_values, spectral_data
from exactdln.landscape.point import ExactPoint
from exactdln.landscape.spectral import SMALL_SIGMA, SpectralFacts
from exactdln.theory.classify import _global_value

WIDTH = SMALL_SIGMA + 3


@pytest.mark.parametrize("fitted", [tuple(range(1, WIDTH + 1)), tuple(range(1, WIDTH)), tuple(range(2, WIDTH + 1)),
                                    (1, 3), ()])
def test_split_spectrum_gives_the_constructed_facts(fitted):
    rng = random.Random(len(fitted) * 31 + sum(fitted))
    s = random_singular_values(WIDTH, rng, digits=4)
    data = spectral_data(s, WIDTH, rng, white=bool(len(fitted) % 2))
    widths = (WIDTH,) * 4
    weights = conjugate_hidden(minimal_critical_point(data, widths, fitted), rng, digits=4)
    point = ExactPoint.of(data.problem, weights)
    facts = SpectralFacts(point)
    lam = sorted(x * x for x in s)
    assert facts.rational_eigenvalues == [fmpq(v.numerator, v.denominator) for v in lam]
    assert facts.assumptions.distinct_eigenvalues
    assert facts.fitted_eigen_indices() == tuple(fitted)
    is_global, _ = facts.top_eigenspace_test(point.r_max)
    assert is_global == (tuple(fitted) == tuple(range(1, WIDTH + 1)))
    norm_y = sum((y * y for y in data.problem.Y.entries()), Fraction(0))
    assert _global_value(point, facts) == str((norm_y - sum(lam[-point.r_max:])) / 2)
    # the same roots as isolation of the same polynomials finds
    for poly in (facts.chi_sigma, facts.chi_fitted, facts.chi_unfitted):
        mine = facts._real_roots(poly)
        isolated = isolate_real_roots(poly)
        assert len(mine) == len(isolated)
        assert all(r.lo == r.hi and i.lo <= r.lo <= i.hi for r, i in zip(mine, isolated))
    # the partition of the eigenvalues by the smaller block alone: the roots that isolating chi_S and chi_perp finds
    assert [len(v) for v in facts._rational_split] == [len(fitted), WIDTH - len(fitted)]
    for values, poly in zip(facts._rational_split, (facts.chi_fitted, facts.chi_unfitted)):
        isolated = isolate_real_roots(poly)
        assert len(values) == len(isolated)
        assert all(i.lo <= Fraction(int(v.p), int(v.q)) <= i.hi for v, i in zip(values, isolated))


@pytest.mark.parametrize("fitted", [(1, 2, 3, 4), (2, 3, 4, 5), (1, 2)])
def test_global_value_with_a_bottleneck_sums_the_top_eigenvalues(fitted):
    rng = random.Random(sum(fitted))
    s = random_singular_values(WIDTH, rng, digits=4)
    data = spectral_data(s, WIDTH, rng)
    widths = (WIDTH, 4, 4, WIDTH)
    point = ExactPoint.of(data.problem, minimal_critical_point(data, widths, fitted))
    facts = SpectralFacts(point)
    lam = sorted(x * x for x in s)
    norm_y = sum((y * y for y in data.problem.Y.entries()), Fraction(0))
    assert _global_value(point, facts) == str((norm_y - sum(lam[-4:])) / 2)
    assert facts.fitted_eigen_indices() == tuple(fitted)
    assert facts.top_eigenspace_test(4)[0] == (tuple(fitted) == (1, 2, 3, 4))
