"""The certificate of the gradient-dynamics identities of Bah, Rauhut, Terstiege, Westdickenberg (2022).

One ``flow_identities_random`` claim (exactdln/trusted/FORMAT.md): the conservation law and the
gradient-descent defect of docs/maths/gradient_flow.md §1.2 and §2 (computed exactly by
:mod:`exactdln.theory.bah`), checked by the standalone checker at the point and at points it
draws itself. It is a probabilistic check of polynomial identities (Schwartz 1980, Zippel 1979),
not a proof, and it implies no kind.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Sequence

from exactdln.model.problem import Problem, RationalMatrix
from exactdln.model.results import fraction_text
from exactdln.theory.bah import balance_matrices

__all__ = ["flow_certificate"]


def flow_certificate(problem: Problem, weights: Sequence[RationalMatrix], eta: Fraction, *,
                     random_points: int = 8) -> dict[str, Any]:
    """A certificate (exactdln/trusted/FORMAT.md) with one ``flow_identities_random`` claim.

    The checker verifies the conservation law and the GD defect exactly at the point and at
    ``random_points`` points it draws itself (Schwartz-Zippel, degree <= 4H - 2), and, when
    the point is balanced (every C_j = W_(j+1)^T W_(j+1) - W_j W_j^T = 0), the integer-power
    product flow and the energy identity exactly (docs/maths/gradient_flow.md §1.2-§1.5, §2).
    """
    balanced = all(c.is_zero() for c in balance_matrices(weights))
    return {
        "format": "exactdln-certificate", "version": 1,
        "problem": problem.to_json(),
        "point": {"weights": [w.to_json() for w in weights]},
        "claims": [{"type": "flow_identities_random", "eta": fraction_text(Fraction(eta)),
                    "random_points": random_points, "balanced": balanced}],
    }
