"""How close does a training run pass to its saddles? Distance of each plateau's best record to its exact saddle,
against the initialization scale, for gradient descent and for the gradient flow (a stiff integrator).

For each run: random data (X d x 20 with 3-decimal entries, Y = A X + noise, as in tests/tools/test_trace.py),
a Gaussian start of scale ``eps``, the run recorded, then ``exactdln.tools.trace.trace`` (without the exact kind)
finds the plateaus and, for each, the record of least gradient norm and the exact critical point nearest to it
(exactdln/tools/snap_algebraic.py). Printed per plateau: S, the float loss against the theorem's value
(||Y||^2 - sum of the top-k eigenvalues of Sigma)/2 from numpy (independent of the code under test), and the
run's relative distance to the exact point (the run's own record: nothing is polished).

Why the distance scales with eps (Saxe, McClelland, Ganguli 2014): near the saddle fitting S, the directions not yet
fitted keep the size they had at the start (their growth rate is a power s^(2H-2) of their size s ~ eps); the fitted
directions converge exponentially. So the best record is about eps away, and the time to leave the saddle is about
1/(lambda eps^(H-2)) (s' = lambda s^(2H-3) for a balanced mode, blow-up time ~ s^(-(2H-4)) / lambda). Gradient descent
needs eta < ~2/(curvature at the fitted saddles), so it needs ~1/(eta lambda eps^(H-2)) steps: 10^7 steps for
eps = 1e-6 at depth 3 and 10^13 at depth 4. The gradient flow integrated by a stiff method (LSODA/BDF) takes long steps
on the plateaus, so small starts are in reach.

    python bench/study_plateau_distance.py gd    [--depth 3] [--dy 3] [--eps 1e-2,1e-3,1e-4] [--eta 0.025]
    python bench/study_plateau_distance.py flow  [--depth 3] [--dy 3] [--eps 1e-2,1e-4,1e-6,1e-8,1e-10]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np


def random_data(seed: int = 7, d: int = 3, n: int = 20):
    """X d x n and Y = A X + noise with 3-decimal entries (A with singular values 1 ... 0.6), as exact decimals."""
    from exactdln.model.problem import Problem

    rng = np.random.default_rng(seed)
    X = np.round(rng.standard_normal((d, n)), 3)
    U, _, V = np.linalg.svd(rng.standard_normal((d, d)))
    A = np.round(U @ np.diag(np.linspace(1.0, 0.6, d)) @ V, 3)
    Y = np.round(A @ X + 0.01 * rng.standard_normal((d, n)), 3)
    problem = Problem.create([[repr(float(v)) for v in r] for r in X], [[repr(float(v)) for v in r] for r in Y])
    return X, Y, problem


def theorem_values(X: np.ndarray, Y: np.ndarray) -> list[float]:
    """(||Y||^2 - sum of the k largest eigenvalues of Sigma)/2, k = 0..d_y, from numpy's eigvalsh."""
    sigma = Y @ X.T @ np.linalg.solve(X @ X.T, X @ Y.T)
    lam = np.sort(np.linalg.eigvalsh(sigma))[::-1]
    return [(float(np.sum(Y * Y)) - float(np.sum(lam[:k]))) / 2 for k in range(len(lam) + 1)]


def start(widths, eps: float, seed: int = 1) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [eps * rng.standard_normal((widths[i + 1], widths[i])) for i in range(len(widths) - 1)]


def escape_time(X: np.ndarray, Y: np.ndarray, depth: int, eps: float) -> float:
    """A generous end time for the whole staircase: 3 / (lambda_min eps^(H-2)) (module docstring)."""
    sigma = Y @ X.T @ np.linalg.solve(X @ X.T, X @ Y.T)
    return 3.0 / (float(np.min(np.linalg.eigvalsh(sigma))) * eps ** max(depth - 2, 1))


def gd_run(problem, X, Y, widths, eps: float, eta: float, steps: int, records: int = 20_000):
    """Plain gradient descent (exactdln.numeric.flows.gradient_descent), weights kept at ~``records`` steps."""
    from exactdln.numeric.flows import gradient_descent
    from exactdln.tools.trace import Trajectory

    run = gradient_descent(problem, start(widths, eps), eta=eta, steps=steps, tol=1e-300,
                           weights_every=max(1, steps // records))
    return Trajectory(problem, run.weight_steps.astype(float), run.weight_history, run.weight_loss)


def flow_run(problem, X, Y, widths, eps: float, t_end: float):
    """The gradient flow by a stiff integrator (exactdln/numeric/stiff_flow.py), every accepted step recorded."""
    from exactdln.numeric.stiff_flow import stiff_gradient_flow
    from exactdln.tools.trace import Trajectory

    run = stiff_gradient_flow(problem, start(widths, eps), t_end=t_end)
    return Trajectory(problem, run.times, run.weights, None)


def report(label: str, trajectory, X, Y, seconds: float) -> list[tuple]:
    from exactdln.tools.trace import trace

    values = theorem_values(X, Y)
    result = trace(trajectory, classify=False)
    rows = []
    for row in result.rows:
        k = len(row.fitted) if row.fitted is not None else None
        theorem = values[k] if k is not None else float("nan")
        exact = row.critical_value.approx if row.critical_value else float("nan")
        rows.append((label, row.index, row.fitted, row.float_loss, abs(exact - theorem) / abs(theorem),
                     row.relative_distance))
        rel = row.relative_distance
        print(f"{label:28s} plateau {row.index}  S={row.fitted}  loss {row.float_loss:.12g}  "
              f"|exact - theorem|/theorem {abs(exact - theorem) / abs(theorem):.1e}  "
              f"run's relative distance {rel if rel is None else f'{rel:.2e}'}  ({seconds:.1f} s run)", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("method", choices=("gd", "flow"))
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--dy", type=int, default=3)
    parser.add_argument("--eps", default=None, help="comma-separated start scales")
    parser.add_argument("--eta", type=float, default=0.025)
    parser.add_argument("--max-steps", type=int, default=2_000_000)
    args = parser.parse_args()
    d, H = args.dy, args.depth
    X, Y, problem = random_data(d=d)
    widths = [d] + [d + 1] * (H - 1) + [d]
    default = "1e-2,1e-3,1e-4" if args.method == "gd" else "1e-2,1e-4,1e-6,1e-8,1e-10"
    for eps in (float(e) for e in (args.eps or default).split(",")):
        t_end = escape_time(X, Y, H, eps)
        t0 = time.perf_counter()
        if args.method == "gd":
            steps = int(t_end / args.eta)
            if steps > args.max_steps:
                print(f"gd eps={eps:g} eta={args.eta:g}: needs ~{steps:.2g} steps (> --max-steps), skipped", flush=True)
                continue
            trajectory = gd_run(problem, X, Y, widths, eps, args.eta, steps)
            label = f"gd H={H} dy={d} eps={eps:g} eta={args.eta:g}"
        else:
            trajectory = flow_run(problem, X, Y, widths, eps, t_end)
            label = f"flow H={H} dy={d} eps={eps:g}"
        report(label, trajectory, X, Y, time.perf_counter() - t0)


if __name__ == "__main__":
    sys.exit(main())
