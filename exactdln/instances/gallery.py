"""The demo gallery: points of every kind, certified and checked (``exactdln demo``).

Cases:
- the worked examples of docs/maths/classification.md §8 (TC1a..TC6) and docs/maths/global_optimality.md §4
  (T1..T8), from :func:`exactdln.instances.construct.worked_instances`;
- the rank-only counterexample pairs TC3a/TC3b and TC4a/TC4b (docs/maths/classification.md §3.5): the same rank
  profile of the partial products W_{j:i}, opposite classes (non-strict vs strict saddle),
  so no rule that reads only ranks can classify critical points;
- random points of each family of docs/maths/classification.md §3.6 (global, S1/S2/S3 strict, N1/minimal
  non-strict) from fixed seeds, scrambled by the symmetries of construct.scramble_spectral;
- a regularized strict saddle: W = 0 with lambda = 1/2 (the gradient vanishes at 0 for any
  lambda, and the t^2 coefficient of L along (e_1^T, e_1) is lambda - 2 < 0).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

from exactdln.instances.construct import Instance, random_instance, worked_instances as worked_cases
from exactdln.model.problem import Problem, RationalMatrix
from exactdln.model.results import GLOBAL_MINIMIZER, NON_STRICT_SADDLE, STRICT_SADDLE

__all__ = ["GalleryCase", "demo_gallery", "RANK_ONLY_PAIRS"]

RANK_ONLY_PAIRS = (("TC3a", "TC3b"), ("TC4a", "TC4b"))

# Worked case T8 (docs/maths/global_optimality.md §4) is a global minimizer of rank 1 < r_max = 2 outside assumption
# (H): Sigma vanishes off the product's range, which the top_eigenspace claim (with "rank") proves by Ky Fan.
_REMARKS = {"T8": "global minimizer of rank 1 < r_max = 2 (assumption (H) fails); Sigma = 0 off range W_(H:1)"}


@dataclass(frozen=True)
class GalleryCase:
    """One demo point: its name, instance (problem, weights, expected class) and the kind a certificate can claim."""

    name: str
    instance: Instance
    certifiable_kind: str | None
    remark: str = ""


def _regularized_saddle() -> Instance:
    """W = 0, X = I_2, Y = diag(2, 1), H = 2, lambda = 1/2: grad = 0; along T = (e_1^T, e_1) the t^2 coefficient
    of L is lambda - Y_11 = 1/2 - 2 < 0 (expand 1/2 |t^2 E_11 - Y|^2 + lambda t^2 by hand)."""
    I2 = RationalMatrix(((Fraction(1), Fraction(0)), (Fraction(0), Fraction(1))))
    Y = RationalMatrix(((Fraction(2), Fraction(0)), (Fraction(0), Fraction(1))))
    problem = Problem.create(I2, Y, Fraction(1, 2))
    weights = (RationalMatrix.zeros(1, 2), RationalMatrix.zeros(2, 1))
    return Instance(problem, weights, STRICT_SADDLE, "regularized zero", None, Fraction(5, 2), "lambda = 1/2")


def demo_gallery(*, random_points_per_kind: int = 3, seed: int = 2024) -> list[GalleryCase]:
    """The gallery in display order: worked cases, then random family points, then the regularized example."""
    cases = []
    for name, inst in worked_cases():
        remark = _REMARKS.get(name, "")
        pair = next((f"rank-only pair with {b if name == a else a}" for a, b in RANK_ONLY_PAIRS if name in (a, b)), "")
        cases.append(GalleryCase(name, inst, inst.expected_kind, remark or pair))
    rng = random.Random(seed)
    for kind, tag in ((GLOBAL_MINIMIZER, "G"), (STRICT_SADDLE, "S"), (NON_STRICT_SADDLE, "N")):
        for k in range(random_points_per_kind):
            inst = random_instance(rng, kind=kind, max_depth=4, max_width=3)
            cases.append(GalleryCase(f"rand-{tag}{k + 1}", inst, inst.expected_kind, f"family {inst.family}"))
    cases.append(GalleryCase("REG1", _regularized_saddle(), STRICT_SADDLE, "regularized, lambda = 1/2"))
    return cases
