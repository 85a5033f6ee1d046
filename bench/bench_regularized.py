"""Benchmark and GD-rate experiment for the regularized loss and the dynamics. Prints measurements of one run.

    python bench/bench_regularized.py [--plots DIR] [--seed 0]

1. Speed of the exact checks at depth 4, width 8 (target < 5 s): classify_regularized
   (exact Hessian, orbit generators, inertia, closed form) at a designed critical point with
   non-trivial rational orthogonal frames, and the dynamics identities (conservation, GD
   defect, balanced product flow, energy) at a balanced Cayley point.
2. Speed of 10,000 float64 GD steps at width 32 (depth 3; target < 10 s).
3. The CJW experiment (docs/maths/regularized.md §8): GD on whitened data for a few (L, lambda); the
   measured contraction of ||grad|| against the prediction max_{mu != 0} |1 - eta mu| from
   the Hessian at the limit (float eigenvalues, numerically), and the degenerate controls
   T2 and T5 with their log-log slope (sublinear: predicted -3/2). Plots go to DIR.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from fractions import Fraction as F
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exactdln.arith.exact import from_fmpq_mat, to_fmpq_mat  # noqa: E402
from exactdln.instances.construct import random_rational_orthogonal  # noqa: E402
from exactdln.model.problem import Problem, RationalMatrix  # noqa: E402
from exactdln.numeric.flows import fit_linear_rate, gradient_descent  # noqa: E402
from exactdln.numeric.plots import plot_trajectory  # noqa: E402
from exactdln.theory.bah import (balanced_product_flow_defect, conservation_derivative,  # noqa: E402
                                 energy_identity_defect, gd_balance_defect)
from exactdln.theory import regularized as R  # noqa: E402


def float_hessian_eigs(problem, weights):
    from exactdln.landscape.derivatives import hessian_matrix
    from exactdln.tools.snap import rationalize
    H = hessian_matrix(problem, rationalize(weights, 10**12))
    M = np.array([[float(H[i, j]) for j in range(H.ncols())] for i in range(H.nrows())])
    return np.linalg.eigvalsh(M)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plots", default=None, help="folder for the experiment's plots")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    print("1. exact checks, depth 4, width 8")
    H, d = 4, 8
    widths = (d,) * (H + 1)
    sig = [[F(k + 1, 2)] * H for k in range(4)]
    orth = [random_rational_orthogonal(d, rng) for _ in widths]
    pb, W = R.design_critical_point(sig, [F(1, 3)] * H, inactive=[F(1, 5), F(2, 7), F(3, 11), F(1, 13)],
                                    widths=widths, orthogonals=orth)
    t0 = time.perf_counter()
    c = R.classify_regularized(pb, W, with_constant=False)
    t1 = time.perf_counter()
    print(f"   classify_regularized (256 parameters): {t1 - t0:.2f} s, verdict {c.kind}, {c.error_bound}")
    t0 = time.perf_counter()
    c = R.classify_regularized(pb, W, with_constant=True)
    t1 = time.perf_counter()
    print(f"   ... with kappa = 1/mu_+ (float-guided, verified by exact inertia of H -+ tI): {t1 - t0:.2f} s, {c.error_bound}")
    S = to_fmpq_mat(RationalMatrix(tuple(tuple(F(k + 1, 3) if i == j == k else F(0) for j in range(d))
                                         for i in range(d) for k in [i])))
    Us = [to_fmpq_mat(random_rational_orthogonal(d, rng)) for _ in range(H + 1)]
    Wb = tuple(from_fmpq_mat(Us[j] * S * Us[j - 1].transpose()) for j in range(1, H + 1))
    pb2 = Problem.create([[rng.randint(-2, 2) for _ in range(12)] for _ in range(d)],
                         [[rng.randint(-2, 2) for _ in range(12)] for _ in range(d)], F(1, 4))
    t0 = time.perf_counter()
    ok = (all(x.is_zero() for x in conservation_derivative(pb2, Wb))
          and all(x.is_zero() for x in gd_balance_defect(pb2, Wb, F(1, 10)))
          and balanced_product_flow_defect(pb2, Wb).is_zero() and energy_identity_defect(pb2, Wb) == 0)
    t1 = time.perf_counter()
    print(f"   dynamics identities at a balanced Cayley point: {t1 - t0:.2f} s, all hold: {ok}")

    print("2. 10,000 GD steps, width 32, depth 3 (float64)")
    g = np.random.default_rng(args.seed)
    X = np.linalg.qr(g.standard_normal((64, 32)))[0].T
    Xq = [[str(round(x * 2**20)) + "/1048576" for x in r] for r in X]
    Yq = [[str(int(v)) for v in r] for r in np.round(3 * g.standard_normal((32, 64)))]
    pb3 = Problem.create(Xq, Yq, "1/100")
    W0 = [0.3 * g.standard_normal((32, 32)) for _ in range(3)]
    t0 = time.perf_counter()
    tr = gradient_descent(pb3, W0, eta=1e-3, steps=10000, tol=0.0, record_every=100)
    t1 = time.perf_counter()
    print(f"   {t1 - t0:.2f} s ({(t1 - t0) / 10:.3f} ms per step), final loss {tr.loss[-1]:.6g}")

    print("3. CJW experiment: GD rates on whitened data")
    runs = []
    for L, lam, eta in [(2, 0.1, 0.05), (3, 0.1, 0.02), (3, 0.01, 0.02), (4, 0.1, 0.01)]:
        pbx = Problem.create(np.eye(3, dtype=int), [[3, 0, 0], [0, 2, 0], [0, 0, 1]], str(lam))
        W0 = [0.5 * g.standard_normal((3, 3)) for _ in range(L)]
        tr = gradient_descent(pbx, W0, eta=eta, steps=60000, record_every=10)
        eig = float_hessian_eigs(pbx, tr.weights)
        nz = eig[np.abs(eig) > 1e-6]
        pred = float(np.max(np.abs(1 - eta * nz)))
        meas = fit_linear_rate(tr.steps, tr.grad_norm)
        print(f"   L={L} lambda={lam} eta={eta}: converged {tr.converged} at k={int(tr.steps[-1])}, "
              f"rate measured {meas:.8f} predicted {pred:.8f} (ratio of log-rates {np.log(meas) / np.log(pred):.5f}), "
              f"Hessian nullity (float, |mu|<1e-6) {int(np.sum(np.abs(eig) <= 1e-6))}")
        runs.append((f"L={L} lam={lam}", tr))
    for name, pbx, W0 in [("T2 y=lambda=1", Problem.create([[1]], [[1]], 1), [np.array([[0.5]])] * 2),
                          ("T5 diag(5,1) lambda=1", Problem.create(np.eye(2, dtype=int), [[5, 0], [0, 1]], 1),
                           [np.array([[2.2, 0.1], [0.1, 0.5]])] * 2)]:
        tr = gradient_descent(pbx, W0, eta=0.05, steps=100000, record_every=100)
        k, gn = tr.steps[100:], tr.grad_norm[100:]
        slope = np.polyfit(np.log(k), np.log(gn), 1)[0]
        print(f"   control {name}: ||grad|| ~ k^{slope:.3f} (predicted -1.5), final ||grad|| {gn[-1]:.3g}: sublinear")
        runs.append((name, tr))
    if args.plots:
        Path(args.plots).mkdir(parents=True, exist_ok=True)
        try:
            plot_trajectory(runs[:4], str(Path(args.plots) / "gd_linear.png"))
            plot_trajectory(runs[4:], str(Path(args.plots) / "gd_degenerate.png"))
            print(f"   plots in {args.plots}")
        except ImportError:
            print("   (matplotlib missing: no plots)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
