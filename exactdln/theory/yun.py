"""Yun, Sra, Jadbabaie (ICLR 2018): the efficiently checkable global-optimality test.

Yun et al. 2018, Theorems 2.1 and 2.2; docs/maths/global_optimality.md §1.2 and §3. Let k = min(d_0, ..., d_H)
(widths of all layers, d_x and d_y included) and W a critical point.

- Thm 2.1 (no bottleneck, k = min(d_x, d_y)): global <=> rank W_{H:1} = k.
- Thm 2.2 (bottleneck): global <=> rank W_{H:1} = k and col(W_{H:1}) is the top-k
  eigenspace of Sigma.

Implemented in the form that needs only Sigma_XX invertible (Ky Fan; docs/maths/global_optimality.md
§2.1 (e)): global <=> tr(P Sigma) is the sum of the k largest eigenvalues, decided by splitting
chi_Sigma = chi_S chi_perp and comparing roots exactly (docs/maths/global_optimality.md §3, step 4,
method A). Without the rank condition on Sigma_YX the "rank < k => saddle" half can fail (worked
case T8, docs/maths/global_optimality.md §4); the Ky Fan form stays correct there.
"""

from __future__ import annotations

from exactdln.model.results import GLOBAL_MINIMIZER, RouteVerdict
from exactdln.landscape.spectral import SpectralFacts

__all__ = ["NOT_GLOBAL", "global_optimality_test"]

NOT_GLOBAL = "saddle"   # Yun et al.: a critical point that is not a global minimum is a saddle


def global_optimality_test(facts: SpectralFacts) -> RouteVerdict:
    """Global-or-not at a critical point (Yun et al. Thm 2.1/2.2, exact)."""
    point = facts.point
    k = point.r_max
    r = facts.product_rank
    d_x, d_y = point.widths[0], point.widths[-1]
    regime = "no bottleneck (Yun et al. 2018, Thm 2.1)" if k == min(d_x, d_y) else "bottleneck (Yun et al. 2018, Thm 2.2)"
    is_global, why = facts.top_eigenspace_test(k)
    return RouteVerdict("global_test", GLOBAL_MINIMIZER if is_global else NOT_GLOBAL, f"{regime}; rank {r}, k = {k}; {why}")
