"""Integrate the factor gradient flow dW_h/dt = -dL/dW_h (RK4) from the weights in each FILE.

Same files, start, --json, --plot and --snap options as `gd`; --time is the horizon and --dt the
RK4 step. The summary reports the final loss, gradient norm and the drift of the conserved
quantities W_(h+1)^T W_(h+1) - W_h W_h^T (conserved by the flow when lambda = 0; Bah, Rauhut,
Terstiege, Westdickenberg 2022; zero up to integration error); the JSON names the step `dt`, the end
`final_time` (a float) and the fitted factor of ||grad L|| per unit of time `rate_per_unit_time`.
A run that overflows is reported on stderr (`exactdln flow: FILE: warning: ...`).
Exit status: 0 every run converged (and, with --snap, snapped); 1 a run did not converge or its
limit did not snap; 2 bad input or usage (also --plot without matplotlib); 4 internal error.
"""

from __future__ import annotations

import argparse

from exactdln.cli.commands._contract import CommandError
from exactdln.cli.commands.gd import add_common, run_files

HELP = "integrate the factor gradient flow (RK4): summary, conserved-quantity drift, optional plot and snap"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)
    parser.add_argument("--time", type=float, default=50.0, help="time horizon (default 50)")
    parser.add_argument("--dt", type=float, default=0.01, help="RK4 time step dt (default 0.01; `dt` in the JSON)")


def run(args: argparse.Namespace) -> int:
    if not args.dt > 0 or not args.time >= 0:
        raise CommandError("--dt must be > 0 and --time >= 0")
    n = int(args.time / args.dt)

    def integrate(problem, ws):
        from exactdln.numeric.flows import gradient_flow

        return gradient_flow(problem, ws, t_end=args.time, dt=args.dt, tol=args.tol,
                             record_every=max(1, n // 2000), progress=not args.no_progress)

    return run_files(args, integrate)
