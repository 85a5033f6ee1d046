"""Bah, Rauhut, Terstiege, Westdickenberg (Inf. Inference 2022): conservation laws and the balanced product flow.

Statements checked (docs/maths/gradient_flow.md, cited below by section; reconstructed where the paper's body was
unavailable):
1. §1.2 the conserved quantities C_j = W_(j+1)^T W_(j+1) - W_j W_j^T: d/dt C_j = 0 along the
   flow, and §2 the GD defect eta^2 (Gh_(j+1)^T Gh_(j+1) - Gh_j Gh_j^T) with its weight-decay
   variant. HOW: these are polynomial identities in the weights of degree <= 4H - 2 (data
   fixed); each certificate's `flow_identities_random` claim makes the standalone checker verify
   them exactly at the point and at random integer points IT draws: a probabilistic check, not
   a proof (Schwartz-Zippel: a false identity survives k points with probability
   <= ((4H-2)/(2^21+1))^k). Here k = 8.
2. §1.4/§1.5 for balanced factors (W_j = U_j Sigma U_(j-1)^T, Cayley-rational U_j): the
   chain-rule derivative of W_{H:1} equals the integer-power product flow
   -sum_j (W_H W_H^T)^(H-j) E (W_1^T W_1)^(j-1) - (sum lambda_j) W, and the energy identity
   sum_j ||Gh_j||^2 = <E, A_W(E)>. HOW: exact evaluation at the balanced point (a check of
   these instances, not a proof of the theorem).
3. worked cases T5 (GD defect -3/100) and T6 (non-diagonal product flow) of §3.4;
4. controls: a certificate with a broken balanced point is refused by the checker;
5. §1.6 numerically: GD from small random starts on whitened data (distinct singular values)
   converges, and `snap` classifies the limit exactly as a global minimizer.
"""

from __future__ import annotations

import copy
import json
import os
import random
import sys
from fractions import Fraction as F

import numpy as np
from _common import Ledger, arguments, certificate_dir

from exactdln.trusted import checker
from exactdln.arith.exact import from_fmpq_mat, to_fmpq_mat
from exactdln.instances.construct import random_rational_orthogonal
from exactdln.certify.flow import flow_certificate
from exactdln.model.problem import Problem, RationalMatrix
from exactdln.numeric.flows import gradient_descent
from exactdln.theory.bah import (balance_matrices, balanced_product_flow_defect, energy_identity_defect,
                                 gd_balance_defect, gd_step, rank_restricted_global)
from exactdln.tools.snap import snap


def rm(rows):
    return RationalMatrix(tuple(tuple(F(x) for x in r) for r in rows))


def balanced_point(rng: random.Random, H: int, d: int):
    S = to_fmpq_mat(rm([[F(rng.randint(1, 5), rng.randint(1, 3)) if i == j else 0 for j in range(d)] for i in range(d)]))
    Us = [to_fmpq_mat(random_rational_orthogonal(d, rng)) for _ in range(H + 1)]
    return tuple(from_fmpq_mat(Us[j] * S * Us[j - 1].transpose()) for j in range(1, H + 1))


def main() -> int:
    args = arguments(__doc__.splitlines()[0], default_budget=6)
    led = Ledger("bah_gradient_flow")
    rng = random.Random(args.seed)
    folder = certificate_dir("bah_gradient_flow")

    def check_and_write(name, pb, W, eta, expect_balanced):
        cert = flow_certificate(pb, W, eta, random_points=8)
        led.expect(cert["claims"][0]["balanced"] == expect_balanced, f"{name}: balanced flag {expect_balanced}")
        results = checker.check_certificate(copy.deepcopy(cert))
        ok = led.expect(all(r[1] for r in results), f"{name}: checker accepts flow_identities_random")
        if ok:
            with open(os.path.join(folder, f"{name}.json"), "w") as fh:
                json.dump(cert, fh)
            led.written += 1
        return cert

    # 1. random (unbalanced) points, with and without weight decay
    for t in range(args.budget):
        H = rng.choice([2, 3, 4])
        dims = [rng.randint(1, 3) for _ in range(H + 1)]
        m = 4
        X = [[rng.randint(-3, 3) for _ in range(m)] for _ in range(dims[0])]
        Y = [[rng.randint(-3, 3) for _ in range(m)] for _ in range(dims[-1])]
        lam = rng.choice([0, F(1, 3), [F(rng.randint(0, 3), 2) for _ in range(H)]])
        pb = Problem.create(X, Y, lam)
        W = tuple(rm([[F(rng.randint(-3, 3), rng.randint(1, 2)) for _ in range(dims[h])] for _ in range(dims[h + 1])])
                  for h in range(H))
        check_and_write(f"random_{t}", pb, W, F(1, rng.randint(2, 20)), all(c.is_zero() for c in balance_matrices(W)))
    # 2. balanced Cayley points
    for t in range(max(2, args.budget // 2)):
        H, d = rng.choice([2, 3, 4]), rng.choice([2, 3])
        W = balanced_point(rng, H, d)
        pb = Problem.create([[rng.randint(-2, 2) for _ in range(5)] for _ in range(d)],
                            [[rng.randint(-2, 2) for _ in range(5)] for _ in range(d)], rng.choice([0, F(1, 4)]))
        led.expect(balanced_product_flow_defect(pb, W).is_zero(), f"balanced_{t}: product flow (integer powers)")
        led.expect(energy_identity_defect(pb, W) == 0, f"balanced_{t}: energy identity")
        cert = check_and_write(f"balanced_{t}", pb, W, F(1, 10), True)
        # 4. control: break the balance, keep the flag
        bad = copy.deepcopy(cert)
        bad["point"]["weights"][0][0][0] = str(F(bad["point"]["weights"][0][0][0]) + 1)
        led.expect(not all(r[1] for r in checker.check_certificate(bad)), f"balanced_{t}: checker refuses a broken point")
    # 3. worked cases
    pb = Problem.create([[1]], [[3]])
    W = (rm([[1]]), rm([[2]]))
    after = gd_step(pb, W, F(1, 10))
    led.expect(balance_matrices(after)[0] == rm([["297/100"]]), "T5: C goes 3 -> 297/100")
    led.expect(gd_balance_defect(pb, W, F(1, 10))[0].is_zero(), "T5: defect equals eta^2 (G_2^2 - G_1^2) = -3/100")
    U = rm([["3/5", "-4/5"], ["4/5", "3/5"]])
    W1 = rm([[1, 0], [0, 2]])
    W6 = (W1, from_fmpq_mat(to_fmpq_mat(U) * to_fmpq_mat(W1)))
    pb6 = Problem.create([[1, 0], [0, 1]], [[1, 0], [0, 1]])
    led.expect(balanced_product_flow_defect(pb6, W6).is_zero(), "T6: non-diagonal product flow")
    check_and_write("T6", pb6, W6, F(1, 20), True)
    # 5. numerical convergence to a global minimizer, snapped exactly
    Yd = [[5, 0, 0], [0, 3, 0], [0, 0, 1]]
    pb = Problem.create([[1, 0, 0], [0, 1, 0], [0, 0, 1]], Yd)
    for seed in range(2):
        g = np.random.default_rng(seed)
        W0 = [0.3 * g.standard_normal((3, 3)) for _ in range(3)]
        t = gradient_descent(pb, W0, eta=0.02, steps=20000, tol=1e-13)
        led.expect(t.converged, f"GD seed {seed}: converged")
        s = snap(pb, list(t.weights))
        led.expect(s.snapped and s.kind == "global_minimizer",
                   f"GD seed {seed}: snapped limit is a global minimizer (got {s.kind})")
        if s.snapped:
            ok, why = rank_restricted_global(pb, s.weights)
            led.expect(ok, f"GD seed {seed}: BRTW §1.6: limit is a global minimizer of L^1 on M_k ({why})")
    # a rank-1 balanced start stays rank 1 and reaches the best rank-1 approximation (§3.3 (d))
    W0 = [np.diag([0.01, 0, 0])] * 3
    t = gradient_descent(pb, W0, eta=0.02, steps=20000, tol=1e-13)
    s = snap(pb, list(t.weights))
    led.expect(s.snapped, "rank-1 start: snapped")
    if s.snapped:
        ok, why = rank_restricted_global(pb, s.weights)
        led.expect(ok and "rank 1" in why, f"rank-1 start: global on M_1 ({why})")
    return led.finish()


if __name__ == "__main__":
    sys.exit(main())
