"""Speed of `exactdln trace`: a 20,000-step gradient-descent run with 4 plateaus, goal < 30 s in all.

The run (X 3 x 20, Y = A X + noise with 3-decimal entries, widths [3, 4, 4, 3], a start of scale 10^-3,
every step recorded) is made first and not timed: it is the user's training. Timed: reading the
trajectory file, the batched float loss and gradient norms, the plateau rule, and for each plateau the
nearest exact critical point (over Q or a cubic field) with its exact classification, as
`exactdln trace RUN.npz` does. Prints the measured times against the goal; no assertion (timings on a
shared machine are noisy: compare ratios within one run).

    python bench/bench_trace.py [--steps 20000] [--certify]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np

GOAL_SECONDS = 30.0


def make_run(path: str, steps: int, seed: int = 7) -> int:
    from exactdln.model.problem import Problem
    from exactdln.numeric.flows import gradient_descent
    from exactdln.tools.trace import save_trajectory

    rng = np.random.default_rng(seed)
    X = np.round(rng.standard_normal((3, 20)), 3)
    U, _, V = np.linalg.svd(rng.standard_normal((3, 3)))
    A = np.round(U @ np.diag([1.0, 0.85, 0.7]) @ V, 3)
    Y = np.round(A @ X + 0.01 * rng.standard_normal((3, 20)), 3)
    problem = Problem.create([[repr(float(v)) for v in r] for r in X], [[repr(float(v)) for v in r] for r in Y])
    widths = [3, 4, 4, 3]
    ws = [1e-3 * rng.standard_normal((widths[i + 1], widths[i])) for i in range(3)]
    run = gradient_descent(problem, ws, eta=0.025, steps=steps, tol=1e-300, weights_every=1)
    save_trajectory(path, problem, run.weight_steps, run.weight_history, run.weight_loss)
    return len(run.weight_steps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--certify", action="store_true", help="also time --certify (not part of the goal)")
    args = parser.parse_args()
    from exactdln.tools.trace import certify_plateaus, find_plateaus, load_trajectory, run_losses, trace

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "run.npz")
        t0 = time.perf_counter()
        records = make_run(path, args.steps)
        made = time.perf_counter() - t0
        print(f"run: {records} records of a {args.steps}-step gradient descent (made in {made:.1f} s, not timed)")
        t0 = time.perf_counter()
        trajectory = load_trajectory(path)
        t_read = time.perf_counter() - t0
        t0 = time.perf_counter()
        loss, norms = run_losses(trajectory.problem, trajectory.weights)
        plateaus = find_plateaus(trajectory.steps, loss, norms)
        t_rule = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = trace(trajectory)
        t_trace = time.perf_counter() - t0
        total = t_read + t_trace
        print(result)
        print(f"read the .npz: {t_read:.2f} s; float loss + plateau rule: {t_rule:.2f} s ({len(plateaus)} plateaus)")
        print(f"trace (loss, rule, exact points, classification): {t_trace:.2f} s")
        print(f"in all: {total:.2f} s measured vs goal < {GOAL_SECONDS:.0f} s -> "
              f"{'MET' if total < GOAL_SECONDS else 'NOT MET'} (ratio {total / GOAL_SECONDS:.2f})")
        if args.certify:
            t0 = time.perf_counter()
            certified = certify_plateaus(result, os.path.join(folder, "certs"))
            print(f"--certify: {time.perf_counter() - t0:.2f} s, "
                  f"{sum(r.certificate is not None for r in certified.rows)} of {len(certified.rows)} certificates")


if __name__ == "__main__":
    main()
