"""The landscape's matrices over the field QQ(params) of a parametric family.

The same formulas as the exact point path (exactdln/landscape/products.py,
exactdln/landscape/derivatives.py), over sympy's DomainMatrix on QQ(p_1, ..., p_n) instead of
FLINT rationals; conventions of docs/maths/README.md §2 (loss with the 1/2, W_{j:i} = W_j ... W_i).
Both the theorem route (exactdln/symbolic/analysis.py) and the Hessian route
(exactdln/symbolic/hessian.py) build on them.
"""

from __future__ import annotations

from sympy.polys.matrices import DomainMatrix

from exactdln.symbolic.family import Family

__all__ = ["family_partial_product", "family_covariances", "family_residual", "family_gradient"]


def family_partial_product(family: Family, i: int, j: int) -> DomainMatrix:
    """W_{j:i} = W_j ... W_i over QQ(params) (1-based; W_{i-1:i} = identity; docs/maths/README.md §2)."""
    if j == i - 1:
        return DomainMatrix.eye(family.widths[i - 1], family.field)
    result = family.weights[i - 1]
    for h in range(i + 1, j + 1):
        result = family.weights[h - 1] * result
    return result


def family_covariances(family: Family) -> tuple[DomainMatrix, DomainMatrix]:
    """(Sigma_XX, Sigma_YX) = (X X^T, Y X^T) over QQ(params) (docs/maths/README.md §2)."""
    X, Y = family.X, family.Y
    return X * X.transpose(), Y * X.transpose()


def family_residual(family: Family) -> DomainMatrix:
    """G = Sigma_YX - W_{H:1} Sigma_XX over QQ(params)."""
    sxx, syx = family_covariances(family)
    return syx - family_partial_product(family, 1, family.depth) * sxx


def family_gradient(family: Family) -> list[DomainMatrix]:
    """dL/dW_h = -W_{H:h+1}^T G W_{h-1:1}^T + lambda_h W_h for h = 1..H, over QQ(params)."""
    G = family_residual(family)
    H = family.depth
    grads = []
    for h in range(1, H + 1):
        left = family_partial_product(family, h + 1, H).transpose()
        right = family_partial_product(family, 1, h - 1).transpose()
        g = -(left * G * right)
        lam = family.lambdas[h - 1]
        if lam:
            g = g + family.weights[h - 1] * lam
        grads.append(g)
    return grads
