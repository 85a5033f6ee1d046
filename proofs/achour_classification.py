"""Achour, Malgouyres, Gerchinovitz (JMLR 2024), second-order classification (as reconstructed in
docs/maths/classification.md §3.3): classification of critical points.

Statement checked (unregularized, assumption (H)): a critical point with fitted index set S is
- a global minimizer iff S = [r_max];
- a strict saddle if S != [|S|] (rotation direction, docs/maths/classification.md §6.1), or S = [r] with a non-tightened
  pivot;
- a non-strict saddle otherwise (S = [r], r < r_max, all pivots tightened; needs H >= 3).

Exact checks:
1. the worked cases TC1a..TC6 of docs/maths/classification.md §8 get the class stated there, with a checked certificate;
2. rank-only counterexamples: TC3a/TC3b and TC4a/TC4b have equal ranks of every partial product W_{j:i}
   yet opposite classes (non-strict vs strict), so no rule reading only ranks classifies critical points;
3. the rotation value of §6.1 on random instances with S != [r]: for i not in S, j in S, i < j,
   Hess[T, T] = -2 s_j (s_i - s_j) (in our 1/2 convention), exactly;
4. a random sweep over the families of docs/maths/classification.md §3.6 (global, S1, S2, S3, N1, minimal; scrambled by
   the symmetries): the family theorem's class equals the certified class and the certificate checks.
"""

from __future__ import annotations

import random
import sys
from fractions import Fraction

from _common import Ledger, arguments

from flint import fmpq, fmpq_mat

from exactdln.arith.exact import to_fmpq_mat
from exactdln.instances.construct import (
    worked_instances,
    minimal_critical_point,
    random_instance,
    random_singular_values,
    spectral_data,
)
from exactdln.landscape.derivatives import hessian_form, is_critical
from exactdln.landscape.products import partial_ranks


def rotation_direction(data, weights, i: int, j: int) -> list[fmpq_mat]:
    """docs/maths/classification.md §6.1: T_1 = W_1 N / (s_i s_j), N = Sigma_XY (u_j u_i^T - u_i u_j^T) Sigma_YX Sigma_XX^-1,
    T_H = (u_i u_j^T - u_j u_i^T) W_H, other T_h = 0 (i, j 1-based)."""
    X, Y = to_fmpq_mat(data.problem.X), to_fmpq_mat(data.problem.Y)
    sxx, syx = X * X.transpose(), Y * X.transpose()
    U = to_fmpq_mat(data.U)
    ui = fmpq_mat(U.nrows(), 1, [U[a, i - 1] for a in range(U.nrows())])
    uj = fmpq_mat(U.nrows(), 1, [U[a, j - 1] for a in range(U.nrows())])
    s = data.singular_values
    si, sj = fmpq(s[i - 1].numerator, s[i - 1].denominator), fmpq(s[j - 1].numerator, s[j - 1].denominator)
    N = syx.transpose() * (uj * ui.transpose() - ui * uj.transpose()) * syx * sxx.inv()
    W = [to_fmpq_mat(w) for w in weights]
    T = [fmpq_mat(w.nrows(), w.ncols()) for w in W]
    T[0] = W[0] * N / (si * sj)
    T[-1] = (ui * uj.transpose() - uj * ui.transpose()) * W[-1]
    return T


def main() -> int:
    args = arguments(__doc__.splitlines()[0], default_budget=40)
    ledger = Ledger("achour_classification")
    cases = dict(worked_instances())
    for name in ("TC1a", "TC1b", "TC1c", "TC2a", "TC2b", "TC2c", "TC2d", "TC2e", "TC3a", "TC3b", "TC4a", "TC4b",
                 "TC5a", "TC5b", "TC6"):
        inst = cases[name]
        ledger.certify(name, inst.problem, inst.weights, inst.expected_kind)
    for a, b in (("TC3a", "TC3b"), ("TC4a", "TC4b")):
        ra = partial_ranks(cases[a].problem, cases[a].weights)
        rb = partial_ranks(cases[b].problem, cases[b].weights)
        ledger.expect(sorted(ra.items()) == sorted(rb.items()), f"{a}/{b}: same ranks of every W_(j:i)")
        ledger.expect(cases[a].expected_kind != cases[b].expected_kind, f"{a}/{b}: opposite classes in docs/maths/classification.md §3.5")
    # 3. rotation value, exact, on random data (white and non-white) and random non-initial S
    rng = random.Random(args.seed)
    done = 0
    while done < max(4, args.budget // 4):
        d_y = rng.randint(2, 4)
        d_x = rng.randint(d_y, 4)
        H = rng.randint(2, 4)
        widths = (d_x,) + tuple(rng.randint(1, 4) for _ in range(H - 1)) + (d_y,)
        r = rng.randint(1, min(widths))
        if r >= d_y:
            continue
        S = tuple(sorted(rng.sample(range(1, d_y + 1), r)))
        if S == tuple(range(1, r + 1)):
            continue
        data = spectral_data(random_singular_values(d_y, rng), d_x, rng, white=rng.random() < 0.5)
        weights = minimal_critical_point(data, widths, S)
        i = next(k for k in range(1, d_y + 1) if k not in S)
        j = next(k for k in S if k > i)
        T = rotation_direction(data, weights, i, j)
        value = hessian_form(data.problem, weights, T)
        si, sj = data.singular_values[i - 1], data.singular_values[j - 1]
        expected = -2 * sj * (si - sj)
        ledger.expect(is_critical(data.problem, weights), f"rotation #{done}: point is critical")
        ledger.expect(Fraction(int(value.p), int(value.q)) == expected,
                      f"rotation #{done} (widths {widths}, S {S}, i={i}, j={j}): Hess[T,T] = {value}, "
                      f"expected -2 s_j (s_i - s_j) = {expected}")
        done += 1
    # 4. random sweep over the families
    for k in range(args.budget):
        seed = args.seed + k
        inst = random_instance(random.Random(seed), max_depth=4, max_width=4)
        ledger.certify(f"sweep-{seed}-{inst.family}", inst.problem, inst.weights, inst.expected_kind)
    return ledger.finish()


if __name__ == "__main__":
    sys.exit(main())
