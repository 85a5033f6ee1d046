"""Achour, Malgouyres, Gerchinovitz (JMLR 2024), parameterization of the global minimizers (as reconstructed in
docs/maths/classification.md §4): the global minimizers.

Statement checked (unregularized, assumption (H)): with q = r_max and P* = P_[q] Sigma_YX Sigma_XX^-1 (P_[q] the
projector onto the top-q eigenvectors of Sigma = Sigma_YX Sigma_XX^-1 Sigma_XY),
    {global minimizers} = {W : W_{H:1} = P*},
and the explicit parameterization of docs/maths/classification.md §4 (Z in GL_q, input side
W_1 = W_{h*:2}^+ B + (I - W_{h*:2}^+ W_{h*:2}) F_1,
output side W_H = A W_{H-1:h*+1}^+ + F_H (I - ...)) produces such points. The global value is
1/2 (|Y|^2 - sum_{i <= q} lambda_i) (docs/maths/global_optimality.md §2.1 (d)-(e)).

Exact checks, on a random sweep over widths, white and non-white data and the parameterization's free choices:
- W_{H:1} = P* entry by entry; the gradient is 0; the loss equals the global value;
- the certifier proves "global_minimizer" (top_eigenspace separator + rank = q), and the standalone checker accepts;
- the converse direction on the same data: critical points with another index set (minimal construction,
  S != [q]) have W_{H:1} != P* and are certified saddles.
"""

from __future__ import annotations

import random
import sys
from fractions import Fraction

from _common import Ledger, arguments

from flint import fmpq_mat

from exactdln.arith.exact import to_fmpq_mat
from exactdln.instances.construct import (
    expected_kind_for_index_set,
    global_minimizer,
    minimal_critical_point,
    random_singular_values,
    spectral_data,
)
from exactdln.landscape.derivatives import is_critical, loss
from exactdln.landscape.products import partial_product


def p_star(data, q: int) -> fmpq_mat:
    """P* = U_[q] U_[q]^T Sigma_YX Sigma_XX^-1 (docs/maths/classification.md §4), from the data's rational eigenvectors."""
    U = to_fmpq_mat(data.U)
    Uq = fmpq_mat(U.nrows(), q, [U[i, j] for i in range(U.nrows()) for j in range(q)])
    return Uq * Uq.transpose() * to_fmpq_mat(data.regression)


def main() -> int:
    args = arguments(__doc__.splitlines()[0], default_budget=30)
    ledger = Ledger("achour_global_minimizers")
    rng = random.Random(args.seed)
    for k in range(args.budget):
        d_y = rng.randint(1, 4)
        d_x = rng.randint(d_y, 4)
        H = rng.randint(2, 4)
        widths = (d_x,) + tuple(rng.randint(1, 4) for _ in range(H - 1)) + (d_y,)
        q = min(widths)
        data = spectral_data(random_singular_values(d_y, rng), d_x, rng, white=rng.random() < 0.5,
                             m=d_x + rng.randint(0, 1))
        weights = global_minimizer(data, widths, rng)
        problem = data.problem
        target = p_star(data, q)
        product = to_fmpq_mat(partial_product(weights, 1, H))
        ledger.expect(product == target, f"#{k} widths {widths}: W_(H:1) = P*")
        ledger.expect(is_critical(problem, weights), f"#{k}: gradient is 0")
        value = loss(problem, weights)
        ledger.expect(Fraction(int(value.p), int(value.q)) == data.critical_loss(range(1, q + 1)),
                      f"#{k}: loss = 1/2 (|Y|^2 - sum_(i<=q) lambda_i)")
        ledger.certify(f"global-{k}", problem, weights, "global_minimizer")
        # converse: another index set on the same data is a saddle with a different product
        if q >= 1 and d_y >= 2:
            S = tuple(sorted(rng.sample(range(1, d_y + 1), rng.randint(0, q))))
            if S != tuple(range(1, q + 1)):
                other = minimal_critical_point(data, widths, S)
                ledger.expect(to_fmpq_mat(partial_product(other, 1, H)) != target, f"#{k}: S = {S} gives W_(H:1) != P*")
                ledger.certify(f"other-{k}", problem, other, expected_kind_for_index_set(S, widths))
    return ledger.finish()


if __name__ == "__main__":
    sys.exit(main())
