"""Integrate the factor gradient flow dW_h/dt = -dL/dW_h (RK4) from the weights in FILE.

Same file, start, --plot and --snap options as `gd`; --time is the horizon and --dt the
RK4 step. The JSON summary reports the final loss, gradient norm and the drift of the
conserved quantities W_(h+1)^T W_(h+1) - W_h W_h^T (gradient_flow.md §1.2; zero up to
integration error when lambda = 0). Exit 0 when converged, 1 when not, 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys

from ..problem import InputError
from .gd import add_common, finish, start

HELP = "integrate the factor gradient flow (RK4): JSON summary, conserved-quantity drift, optional plot and snap"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)
    parser.add_argument("--time", type=float, default=50.0, help="time horizon (default 50)")
    parser.add_argument("--dt", type=float, default=0.01, help="RK4 step (default 0.01)")


def run(args: argparse.Namespace) -> int:
    from ..dynamics import gradient_flow

    try:
        problem, ws = start(args)
    except InputError as err:
        print(f"exactdln flow: {err}", file=sys.stderr)
        return 2
    if args.dt <= 0 or args.time < 0:
        print("exactdln flow: --dt must be > 0 and --time >= 0", file=sys.stderr)
        return 2
    n = int(args.time / args.dt)
    t = gradient_flow(problem, ws, t_end=args.time, dt=args.dt, tol=args.tol,
                      record_every=max(1, n // 2000), progress=not args.no_progress)
    return finish(args, problem, t)
