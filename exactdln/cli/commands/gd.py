"""Run gradient descent on the factors from the weights in each FILE and summarize the run.

FILE is a point file {"X", "Y", "weights", "lambda"?} (JSON, .npz or torch file, as for `snap`; float
data read by the rule of --floats); its weights are the start. With --init-scale the start is Gaussian
of that scale (--seed) with the file's shapes, or with the hidden widths of --hidden, and the file
may hold data only (X, Y, lambda). Prints a text summary per
file (final loss, gradient norm, balance drift, fitted rate per step; --json: one JSON object per
file and line, with `step_size`, `final_step`, `rate_per_step` and `warnings`) and, with --snap, hands
the limit to `snap` for its exact class. A run whose loss rises or becomes non-finite is reported on
stderr (`exactdln gd: FILE: warning: ...`) with a suggested step size. --plot draws every run into one
PNG (needs matplotlib, checked before anything runs): the loss on a log scale with the exact critical
value of each snapped limit as a labelled line, the gradient norm below. --trajectory RUN.npz records
the weights every --every K steps (the trajectory format of exactdln/tools/trace_format.py, with the exact data)
for `exactdln trace RUN.npz`, which finds the run's plateaus and the exact saddle of each.
Exit status: 0 every run converged (and, with --snap, snapped); 1 a run did not converge or its
limit did not snap; 2 bad input or usage (also --plot without matplotlib); 4 internal error.
"""

from __future__ import annotations

import argparse

from exactdln.model.problem import InputError
from exactdln.cli.commands.snap import add_floats_option
from exactdln.cli.commands._contract import (
    EXIT_NEGATIVE,
    EXIT_OK,
    CommandError,
    add_json_flag,
    each_file,
    emit,
    require_module,
    say,
)

def _widths(text: str) -> list[int]:
    try:
        widths = [int(x) for x in text.split(",")] if text.strip() else []
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated positive widths, got {text!r}") from None
    if any(w <= 0 for w in widths):
        raise argparse.ArgumentTypeError("widths must be positive")
    return widths


HELP = "gradient descent on the factors (float64): summary, optional plot and exact snap of the limit"


def add_common(parser: argparse.ArgumentParser) -> None:
    """Options shared by `gd` and `flow`."""
    parser.add_argument("files", nargs="+", metavar="FILE", help="point files: X, Y, lambda and the starting weights")
    add_json_flag(parser, "one JSON summary per file and line")
    parser.add_argument("--seed", type=int, default=0, help="seed for --init-scale (default 0)")
    parser.add_argument("--init-scale", type=float, default=None,
                        help="Gaussian start of this scale with the file's shapes (or --hidden): the file's "
                             "weight values are ignored and may be absent")
    parser.add_argument("--hidden", type=_widths, default=None, metavar="D1,...",
                        help="with --init-scale: hidden widths d_1,...,d_(H-1) (the file's shapes otherwise)")
    add_floats_option(parser)
    parser.add_argument("--tol", type=float, default=1e-12, help="stop when ||grad L|| < TOL")
    parser.add_argument("--plot", metavar="OUT.png", help="save loss and gradient norm (log scale); needs matplotlib")
    parser.add_argument("--snap", action="store_true", help="snap the limit to an exact critical point")
    parser.add_argument("--no-progress", action="store_true",
                        help="no progress on stderr (a bar on a terminal; elsewhere at most ten plain lines)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)
    parser.add_argument("--eta", type=float, default=0.01,
                        help="step size eta (default 0.01; `step_size` in the JSON)")
    parser.add_argument("--steps", type=int, default=10000, help="maximal number of steps (default 10000)")
    parser.add_argument("--trajectory", metavar="RUN.npz",
                        help="record the weights every --every steps into RUN.npz (one FILE only), the input of "
                             "`exactdln trace`")
    parser.add_argument("--every", type=int, default=None, metavar="K",
                        help="with --trajectory: keep the weights every K steps and at the last one (default: "
                             "every step up to 10000 steps, else steps/10000)")


def check_common(args: argparse.Namespace) -> None:
    """Usage checks that must fail before any computation (the optional matplotlib import included)."""
    if not args.tol > 0:
        raise CommandError("--tol must be > 0")
    if args.init_scale is not None and not args.init_scale > 0:
        raise CommandError("--init-scale must be > 0")
    if args.plot:
        require_module("--plot", "matplotlib")


def start(args: argparse.Namespace, path: str):
    """(problem, float starting weights) from the file and options."""
    import numpy as np

    from exactdln.tools.interop import load_point_file

    problem, ws = load_point_file(path, args.floats, exact_weights=False, need_weights=args.init_scale is None)
    if args.init_scale is not None:
        if args.hidden is not None:
            widths = [problem.d_x, *args.hidden, problem.d_y]
            shapes = [(widths[h + 1], widths[h]) for h in range(len(widths) - 1)]
        elif ws is not None:
            shapes = [w.shape for w in ws]
        else:
            raise InputError("the file has no weights: give the hidden widths with --hidden (for example "
                             "--hidden 3,3 for three layers)", "weights", path)
        rng = np.random.default_rng(args.seed)
        ws = [args.init_scale * rng.standard_normal(shape) for shape in shapes]
    return problem, ws


def run_files(args: argparse.Namespace, integrate) -> int:
    """``integrate(problem, ws) -> Trajectory`` on every file; print, snap, plot; the exit status."""
    check_common(args)
    runs = []
    critical_values = []    # (label, exact value) of every snapped limit, drawn by --plot

    def one(path: str) -> int:
        import numpy as np

        problem, ws = start(args, path)
        with np.errstate(over="ignore", invalid="ignore"):   # a diverging run is reported, not warned about
            trajectory = integrate(problem, ws)
        runs.append((path, trajectory))
        return _finish(args, path, problem, trajectory, critical_values)

    status = each_file(args, args.files, one)
    if args.plot and runs:
        from exactdln.numeric.plots import plot_trajectory

        try:
            plot_trajectory(runs, args.plot, critical_values=critical_values)
        except OSError as err:
            raise CommandError(f"cannot write {args.plot}: {err.strerror or err}") from None
        if not args.json:
            print(f"plot: {args.plot}")
    return status


def _finish(args: argparse.Namespace, path: str, problem, trajectory, critical_values: list) -> int:
    """Print one file's summary (text or one JSON line) and its warnings (stderr), snap its limit and
    note the snapped point's exact loss for the plot; the file's exit code."""
    summary = {"file": path, **trajectory.to_json()}
    snapped = None
    if args.snap:
        from exactdln.tools.snap import snap
        try:
            snapped = snap(problem, list(trajectory.weights))
            summary["snap"] = snapped.to_json()
        except InputError as err:
            summary["snap"] = {"snapped": False, "notes": [str(err)]}
        if snapped is not None and snapped.snapped and args.plot:
            critical_values.append(_critical_value(problem, snapped, path, several=len(args.files) > 1))
    if args.plot:
        summary["plot"] = args.plot
    if getattr(args, "trajectory", None):
        summary["trajectory"] = args.trajectory
    for warning in trajectory.warnings:
        say(args, f"{path}: warning: {warning}")
    if args.json:
        emit(summary)
    else:
        print(_summary_text(summary, snapped), flush=True)
        if "trajectory" in summary:
            print(f"trajectory: {summary['trajectory']}")
    ok = trajectory.converged and (not args.snap or summary["snap"].get("snapped", False))
    return EXIT_OK if ok else EXIT_NEGATIVE


def _critical_value(problem, snapped, path: str, several: bool):
    """(label, value) for the plot: the exact loss of the snapped critical point, a Fraction."""
    from fractions import Fraction

    from exactdln.landscape.derivatives import loss
    from exactdln.model.results import number_text

    value = loss(problem, list(snapped.weights))
    value = Fraction(int(value.p), int(value.q))
    label = f"L = {number_text(value)}, {snapped.kind.replace('_', ' ').replace('non strict', 'non-strict')}" + (f" ({path})" if several else "")
    return label, value


def _summary_text(s: dict, snapped) -> str:
    gd = s["method"] == "gd"
    where = f"step {s['final_step']}" if gd else f"time {s['final_time']:.6g}"
    head = (f"{s['file']}: {'gradient descent' if gd else 'gradient flow (RK4)'}, "
            + (f"step size {s['step_size']:g}" if gd else f"dt {s['dt']:g}") + ": "
            + (f"converged at {where}" if s["converged"] else f"NOT converged (stopped at {where})"))
    rate = s.get("rate_per_step" if gd else "rate_per_unit_time")
    lines = [head,
             f"  final loss {s['final_loss']:.12g} (float64)   ||grad L|| {s['final_grad_norm']:.3g}   "
             + (f"rate {rate:.6g} per {'step' if gd else 'unit of time'}" if rate is not None
                else "rate: not fitted"),
             f"  max balance drift {s['max_balance_drift']:.3g}"]
    if "snap" in s:
        text = str(snapped) if snapped is not None else "not snapped: " + "; ".join(s["snap"].get("notes", []))
        lines.append("  snap: " + text.replace("\n", "\n    "))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if not args.eta > 0 or args.steps < 0:
        raise CommandError("--eta must be > 0 and --steps >= 0")
    if args.every is not None and (args.every < 1 or not args.trajectory):
        raise CommandError("--every K needs --trajectory and K >= 1")
    if args.trajectory and len(args.files) != 1:
        raise CommandError("--trajectory records one run: give one FILE")
    every = (args.every or max(1, -(-args.steps // 10000))) if args.trajectory else None

    def integrate(problem, ws):
        from exactdln.numeric.flows import gradient_descent

        run = gradient_descent(problem, ws, eta=args.eta, steps=args.steps, tol=args.tol,
                               record_every=max(1, args.steps // 2000), progress=not args.no_progress,
                               weights_every=every)
        if args.trajectory:
            from exactdln.tools.trace import save_trajectory

            if run.weight_history is None:
                raise CommandError("--trajectory: the run has no finite record to write")
            try:
                save_trajectory(args.trajectory, problem, run.weight_steps, run.weight_history, run.weight_loss)
            except OSError as err:
                raise CommandError(f"cannot write {args.trajectory}: {err.strerror or err}") from None
        return run

    return run_files(args, integrate)
