"""The saddles of a training run: find its plateaus and the exact critical point nearest to each.

RUN is a recorded trajectory: an .npz with one float array per layer stacked over the recorded steps,
shape (T, d_h, d_(h-1)), named W1..WH (or layer0..), with optional `steps` (T,), `loss` (T,) and the
exact data X, Y, lambda (string arrays of exact numbers, as `exactdln gd --trajectory` writes, or float
arrays read by the rule of --floats); or a JSON trajectory {"X", "Y", "steps"?, "loss"?,
"trajectory": [[W_1, ..., W_H], ...]}; or a directory of point files, one per step (the step is the last
number in the file name). --data FILE gives the data instead (a point file; its weights are ignored).

A record is on a plateau when the loss changes by at most --flat-rtol (relative) over a window of
--window x the run's span of steps and ||grad L|| <= --grad-rtol x its largest value in the run; a
plateau spans at least --min-length x the run's span. For each plateau, its record of smallest gradient
is snapped to the nearest exact critical point (over Q or a real number field), which is classified
exactly. One row per plateau: steps, float loss, exact critical value (a decimal, and exactly: p/q or
its minimal polynomial and isolating interval), the fitted set S, rank, kind and the distance from the
run's weights (reported either way; the row says "snapped" when the run's own record is within --tolerance,
default 1e-6, relative: a run from a small initialization passes near each saddle at a distance about the
initialization scale, so a start of 1e-8 snaps every plateau; docs/howto/trace.md).
With weight decay (every lambda_h > 0) and whitened data (X X^T = c I) the exact point is the closed form of
Theorem R1 (docs/maths/regularized.md §3, as `snap` builds it) and S is its set of active singular pairs of
M = Y X^T / c, each with its product value s_i (JSON: `active_pairs`, `product_values`, `branches`); for other
data the row says why no exact point is built.
--json: JSON Lines, one object per plateau and line (the input `file`, the `plateau` index, and the row's
fields: `steps`, `at_step`, `float_loss`, `grad_norm`, `critical_value`, `fitted`, `rank`, `kind`, `distance`,
`relative_distance`, `snapped`, `tolerance`, `field_degree`, `certificate`, `notes`; with the run's `records` and `run_notes`); a run
without a plateau gives one line with `plateau` null. --certify DIR writes each plateau's
exact point and its checked certificate. --plot FILE draws the loss (log scale) with the exact critical
values as labelled lines (--plot-steps: the step axis, log for a flow's run by default). --no-kind skips the exact classification (fields of high degree).
Exit status: 0 every plateau has its exact point; 1 a plateau without one, or no plateau; 2 bad input
or usage (also --plot without matplotlib); 4 internal error.
"""

from __future__ import annotations

import argparse

from exactdln.cli.commands._contract import (
    EXIT_NEGATIVE,
    EXIT_OK,
    CommandError,
    add_json_flag,
    each_file,
    emit,
    require_module,
)
from exactdln.cli.commands.snap import add_floats_option

HELP = "the plateaus of a training run (.npz, JSON or a folder of point files) and the exact saddle of each"


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError("must be a number > 0")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", metavar="RUN", help="trajectory: .npz of stacked layers, a JSON trajectory or a directory of point files")
    parser.add_argument("--data", metavar="FILE", help="the run's data X, Y, lambda from this point file")
    add_floats_option(parser)
    add_json_flag(parser, "one JSON object per plateau and line")
    parser.add_argument("--certify", metavar="DIR", help="write each plateau's exact point and checked certificate into DIR")
    parser.add_argument("--plot", metavar="FILE.png", help="draw the loss with the exact critical values (needs matplotlib)")
    parser.add_argument("--plot-steps", choices=("auto", "linear", "log"), default="auto",
                        help="the plot's step axis; auto: log when a plateau spans less than 2%% of the run and the "
                             "steps cover more than 3 decades (a gradient flow), else linear")
    parser.add_argument("--flat-rtol", type=_positive, default=1e-3,
                        help="relative change of the loss allowed over the window on a plateau (default 1e-3)")
    parser.add_argument("--grad-rtol", type=_positive, default=1e-2,
                        help="||grad L|| on a plateau at most this fraction of its largest value (default 1e-2)")
    parser.add_argument("--window", type=_positive, default=0.01,
                        help="the flatness window, a fraction of the run's span of steps (default 0.01)")
    parser.add_argument("--min-length", type=_positive, default=0.02,
                        help="the shortest plateau, a fraction of the run's span of steps (default 0.02)")
    parser.add_argument("--tolerance", type=_positive, default=1e-6, metavar="REL",
                        help="a row is 'snapped' when the run's record is within REL (relative) of its exact point "
                             "(default 1e-6, as snap; the distance is reported either way)")
    parser.add_argument("--degree-cap", type=int, default=64,
                        help="largest degree of a number field for an exact point (default 64)")
    parser.add_argument("--no-kind", action="store_true",
                        help="do not classify the exact points (faster over fields of high degree; kind '-')")


def run(args: argparse.Namespace) -> int:
    if args.plot:
        require_module("--plot", "matplotlib")
    if args.degree_cap < 1:
        raise CommandError("--degree-cap must be >= 1")
    if args.window >= 1 or args.min_length >= 1:
        raise CommandError("--window and --min-length are fractions of the run's span: below 1")

    def one(path: str) -> int:
        from exactdln.tools.trace import PlateauRule, certify_plateaus, load_trajectory, trace

        trajectory = load_trajectory(path, data=args.data, floats=args.floats)
        rule = PlateauRule(args.flat_rtol, args.grad_rtol, args.window, args.min_length)
        result = trace(trajectory, rule=rule, degree_cap=args.degree_cap, classify=not args.no_kind,
                       tolerance=args.tolerance)
        if args.certify:
            try:
                result = certify_plateaus(result, args.certify)
            except OSError as err:
                raise CommandError(f"cannot write into {args.certify}: {err.strerror or err}") from None
        if args.plot:
            _plot(result, args.plot, args.plot_steps)
        if args.json:
            for line in result.json_lines(path):
                emit(line)
        else:
            print(result, flush=True)
            if args.plot:
                print(f"plot: {args.plot}")
        ok = bool(result.rows) and all(r.critical_value is not None for r in result.rows)
        return EXIT_OK if ok else EXIT_NEGATIVE

    return each_file(args, [args.run], one)


def step_axis(steps, spans, choice: str = "auto") -> tuple[str, str]:
    """The plot's step axis (scale, label): ``choice`` unless "auto"; auto is "log" when the positive steps cover
    more than 3 decades and some plateau spans less than 2% of the run (the plateaus of a gradient flow from a
    small start grow geometrically in length, so on a linear axis the first ones are slivers), else "linear".
    The label is "iteration" when every step is an integer, "time" otherwise (a flow's records)."""
    import numpy as np

    s = np.asarray(steps, dtype=float)
    label = "iteration" if len(s) and np.all(s == np.round(s)) else "time"
    if choice != "auto":
        return choice, label
    positive = s[s > 0]
    if len(positive) < 2 or positive[-1] / positive[0] <= 1e3 or not spans:
        return "linear", label
    run = float(s[-1] - s[0])
    return ("log" if min(b - a for a, b in spans) < 0.02 * run else "linear"), label


def _plot(result, path: str, steps_axis: str = "auto") -> None:
    from exactdln.numeric.plots import plot_staircase

    levels = []
    for r in result.rows:
        if r.critical_value is None:
            continue
        S = "{" + ", ".join(map(str, r.fitted)) + "}" if r.fitted is not None else "?"
        kind = (r.kind or "").replace("_", " ").replace("non strict", "non-strict").replace("global minimizer",
                                                                                           "global min.")
        cv = r.critical_value
        if cv.fraction is not None:
            value = cv.fraction if len(cv.fraction) <= 16 else f"{cv.decimal}..."
        else:
            value = f"{cv.decimal}... (algebraic, degree {len(cv.minpoly or ()) - 1})"
        fitted = f"active pairs {S}" if r.regularized else f"S = {S}"     # lambda > 0: singular pairs of M / c
        label = f"L = {value}   {fitted}" + (f", {kind}" if kind else "")
        levels.append((label, r.critical_value.approx))
    spans = [(r.plateau.start_step, r.plateau.end_step) for r in result.rows]
    try:
        xscale, xlabel = step_axis(result.steps, spans, steps_axis)
        plot_staircase(result.steps, result.loss, levels, path, grad_norm=result.grad_norm, spans=spans,
                       xscale=xscale, xlabel=xlabel)
    except OSError as err:
        raise CommandError(f"cannot write {path}: {err.strerror or err}") from None
