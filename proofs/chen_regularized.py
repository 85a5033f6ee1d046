"""Chen, Jiang, Wang (arXiv 2502.11152): the regularized critical set and the error-bound condition.

Statements checked (reconstructed in docs/maths/regularized.md, cited below by section; "Theorem R1" and "Theorem R2"
are this project's labels; the paper's body was not available):
1. Theorem R1 (§3): for whitened data every designed point W_h = Q_h Sigma_h Q_(h-1)^T with
   lambda_h sigma_(h,i)^2 = tau_i and y_i = s_i + tau_i/s_i is critical and weighted-balanced
   (§2), and its exact loss equals the closed-form critical value c0 + sum phi(y_i, s_i);
2. the worked cases T1-T7 of §7 get the verdicts stated there (global / local / strict saddle /
   degenerate) and error-bound outcomes (nullity vs orbit dimension, mu_+);
3. Theorem R2 (§4.4): on a random sweep of designed points, whenever the data condition says
   "no double root", the Hessian nullity equals the orbit dimension; at the designed double
   roots (y = 4, lambda = 3, L = 3) it does not;
4. certificates: every critical point gets a `critical` claim, strict saddles a negative-direction certificate,
   and the minimizers (global or local) whose Hessian nullity is the orbit dimension a `local_minimizer`
   certificate (docs/maths/hessian_inertia.md §10), written by the certifier and re-checked by the checker; except
   T6_local, whose data M = (15/8) I are kept by rotating input and output together: that third orbit direction is
   not a hidden layer's, the format has no generator for it, and the certificate claims no kind.
"""

from __future__ import annotations

import random
import sys
from fractions import Fraction as F

from _common import Ledger, arguments

from exactdln.instances.construct import random_rational_orthogonal
from exactdln.landscape.derivatives import is_critical, loss
from exactdln.model.problem import Problem, RationalMatrix
from exactdln.model.results import GLOBAL_MINIMIZER, LOCAL_MINIMIZER, STRICT_SADDLE, UNDECIDED
from exactdln.theory import regularized as R

Q = RationalMatrix(((F(3, 5), F(-4, 5)), (F(4, 5), F(3, 5))))
Qp = RationalMatrix(((F(5, 13), F(-12, 13)), (F(12, 13), F(5, 13))))
I2 = RationalMatrix.identity(2)


def scalar(y, lam, *ws):
    return Problem.create([[1]], [[y]], lam), [[[w]] for w in ws]


def worked_cases():
    """(name, problem, weights, kind, error bound holds) from docs/maths/regularized.md §7."""
    out = [("T1_origin",) + tuple(scalar(3, 1, 0, 0)) + (STRICT_SADDLE, True),
           ("T2_origin",) + tuple(scalar(1, 1, 0, 0)) + (GLOBAL_MINIMIZER, False),
           ("T3_min",) + tuple(scalar(F(15, 8), F(7, 8), 1, 1, 1)) + (GLOBAL_MINIMIZER, True),
           ("T3_saddle",) + tuple(scalar(F(15, 8), F(7, 8), F(1, 2), F(1, 2), F(1, 2))) + (STRICT_SADDLE, True),
           ("T3_origin",) + tuple(scalar(F(15, 8), F(7, 8), 0, 0, 0)) + (LOCAL_MINIMIZER, True),
           ("T3_double_root",) + tuple(scalar(4, 3, 1, 1, 1)) + (UNDECIDED, False),
           ("T7_local",) + tuple(scalar(3, [2, F(1, 2), 8], 1, 2, F(1, 2))) + (LOCAL_MINIMIZER, True),
           ("T7_origin",) + tuple(scalar(3, [2, F(1, 2), 8], 0, 0, 0)) + (GLOBAL_MINIMIZER, True)]
    for name, sig, inact, kind, holds in [("T4_21", [[2, 2], [1, 1]], [], GLOBAL_MINIMIZER, True),
                                          ("T4_20", [[2, 2]], [2], STRICT_SADDLE, True),
                                          ("T5_global", [[2, 2]], [1], GLOBAL_MINIMIZER, False)]:
        pb, W = R.design_critical_point(sig, [1, 1], inactive=inact, widths=(2, 2, 2), orthogonals=[I2, Q, I2])
        out.append((name, pb, W, kind, holds))
    for name, sig, inact, lam, kind, holds in [
            ("T6_min", [[1, 1, 1]], [F(1, 2)], F(7, 8), GLOBAL_MINIMIZER, True),
            ("T6_saddle", [[F(1, 2)] * 3], [F(1, 2)], F(7, 8), STRICT_SADDLE, True),
            ("T6_local", [[1, 1, 1]], [F(15, 8)], F(7, 8), LOCAL_MINIMIZER, True),
            ("T6_control", [[1, 1, 1]], [1], 3, UNDECIDED, False)]:
        pb, W = R.design_critical_point(sig, [lam] * 3, inactive=inact, widths=(2, 2, 2, 2),
                                        orthogonals=[I2, Q, Qp, I2])
        out.append((name, pb, W, kind, holds))
    return out


DATA_STABILIZER = {"T6_local"}     # orbit directions beyond the hidden layers' (docstring, item 4)


def main() -> int:
    args = arguments(__doc__.splitlines()[0], default_budget=12)
    led = Ledger("chen_regularized")
    for name, pb, W, kind, holds in worked_cases():
        c = R.classify_regularized(pb, W)
        led.expect(c.kind == kind, f"{name}: verdict {c.kind} == {kind}")
        led.expect(c.error_bound.holds == holds, f"{name}: error bound holds == {holds}")
        led.expect(R.is_weighted_balanced(pb, W), f"{name}: weighted balanced (§2)")
        minimizer = kind in (GLOBAL_MINIMIZER, LOCAL_MINIMIZER) and holds and name not in DATA_STABILIZER
        led.certify(name, pb, W, STRICT_SADDLE if kind == STRICT_SADDLE else LOCAL_MINIMIZER if minimizer else None)
    rng = random.Random(args.seed)
    for t in range(args.budget):
        H = rng.choice([2, 3, 4])
        lam = F(rng.randint(1, 4), rng.randint(1, 4))
        n_active = rng.randint(1, 2)
        sig = [[F(rng.randint(1, 6), rng.randint(1, 3))] * H for _ in range(n_active)]
        inactive = [F(rng.randint(1, 9), rng.randint(1, 4))] if rng.random() < 0.6 else []
        p = n_active + len(inactive)
        widths = (p,) + (max(n_active, rng.randint(1, 3)),) * (H - 1) + (p,)
        orth = [random_rational_orthogonal(n, rng) for n in widths]
        pb, W = R.design_critical_point(sig, [lam] * H, inactive=inactive, widths=widths, orthogonals=orth)
        name = f"sweep_{t}"
        led.expect(is_critical(pb, W), f"{name}: designed point is critical (Theorem R1 sufficiency)")
        led.expect(R.is_weighted_balanced(pb, W), f"{name}: weighted balanced")
        form = R.closed_form_spectrum(pb, widths)
        exact = loss(pb, W)
        led.expect(any(v.exact and v.lower == F(int(exact.p), int(exact.q)) for v in R.critical_values(form)),
                   f"{name}: loss {exact} is a closed-form critical value")
        holds, _ = R.error_bound_data_condition(pb, H)
        eb = R.error_bound(pb, W, with_constant=False)
        if holds:
            led.expect(eb.holds, f"{name}: R2 data condition holds, so nullity {eb.nullity} == orbit {eb.orbit_dimension}")
    return led.finish()


if __name__ == "__main__":
    sys.exit(main())
