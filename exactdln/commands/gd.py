"""Run gradient descent on the factors from the weights in FILE and summarize the run.

FILE is a point file {"X", "Y", "weights", "lambda"?}; its weights are the start (or only
give the shapes with --init-scale, which draws Gaussian weights from --seed). Prints a
JSON summary (final loss, gradient norm, balance drift, fitted linear rate) and, with
--snap, hands the limit to `snap` for its exact class (gradient_flow.md §3.2). Exit 0 when
the run converged, 1 when it did not, 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..problem import InputError

HELP = "gradient descent on the factors (float64): JSON summary, optional plot and exact snap of the limit"


def add_common(parser: argparse.ArgumentParser) -> None:
    """Options shared by `gd` and `flow`."""
    parser.add_argument("file", metavar="FILE", help="point file: X, Y, lambda and the starting weights")
    parser.add_argument("--seed", type=int, default=0, help="seed for --init-scale (default 0)")
    parser.add_argument("--init-scale", type=float, default=None,
                        help="ignore the file's weight values: Gaussian start of this scale with the same shapes")
    parser.add_argument("--tol", type=float, default=1e-12, help="stop when ||grad L|| < TOL")
    parser.add_argument("--plot", metavar="OUT.png", help="save loss and gradient norm (log scale); needs matplotlib")
    parser.add_argument("--snap", action="store_true", help="snap the limit to an exact critical point")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)
    parser.add_argument("--eta", type=float, default=0.01, help="step size (default 0.01)")
    parser.add_argument("--steps", type=int, default=10000, help="maximal number of steps (default 10000)")


def start(args: argparse.Namespace):
    """(problem, float starting weights) from the file and options."""
    import numpy as np

    from ..problem import load_point

    problem, weights = load_point(args.file)
    ws = [np.array([[float(x) for x in r] for r in w.rows]) for w in weights]
    if args.init_scale is not None:
        rng = np.random.default_rng(args.seed)
        ws = [args.init_scale * rng.standard_normal(w.shape) for w in ws]
    return problem, ws


def finish(args: argparse.Namespace, problem, trajectory) -> int:
    """Print the summary, plot and snap; the exit status."""
    summary = trajectory.to_json()
    if args.snap:
        from ..snap import snap
        try:
            summary["snap"] = snap(problem, list(trajectory.weights)).to_json()
        except InputError as err:
            summary["snap"] = {"snapped": False, "notes": [str(err)]}
    if args.plot:
        try:
            from ..dynamics import plot_trajectory
            plot_trajectory([(args.file, trajectory)], args.plot)
            summary["plot"] = args.plot
        except ImportError:
            print("exactdln: --plot needs matplotlib (pip install matplotlib)", file=sys.stderr)
            return 2
    print(json.dumps(summary, indent=2))
    return 0 if trajectory.converged else 1


def run(args: argparse.Namespace) -> int:
    from ..dynamics import gradient_descent

    try:
        problem, ws = start(args)
    except InputError as err:
        print(f"exactdln gd: {err}", file=sys.stderr)
        return 2
    if args.eta <= 0 or args.steps < 0:
        print("exactdln gd: --eta must be > 0 and --steps >= 0", file=sys.stderr)
        return 2
    t = gradient_descent(problem, ws, eta=args.eta, steps=args.steps, tol=args.tol,
                         record_every=max(1, args.steps // 2000), progress=not args.no_progress)
    return finish(args, problem, t)
