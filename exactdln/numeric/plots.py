"""Figures of float runs of the gradient dynamics (the ``plot`` extra: matplotlib).

matplotlib is imported inside the functions, so that the package works without it; the
command line checks for it before any run starts (exactdln/cli/commands/gd.py).
"""

from __future__ import annotations

import math
import warnings
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from exactdln.numeric.flows import Trajectory

__all__ = ["trajectory_figure", "plot_trajectory", "plot_sweep_summary", "staircase_figure", "plot_staircase"]


def trajectory_figure(trajectories: Sequence[tuple[str, Trajectory]],
                      critical_values: Sequence[tuple[str, Any]] = ()) -> Any:
    """A matplotlib Figure of float runs: the loss L(W_k) on a log scale above, ||grad L(W_k)|| on a log
    scale below, against the iteration (gradient descent) or the time (flow), one line per run.

    The loss is drawn as recorded, not as L - L_final: the plateaus of a saddle-to-saddle run sit at the
    critical values of the saddles it passes (docs/maths/gradient_flow.md §3.3). ``critical_values`` are
    ``(label, value)`` pairs (exact Fractions, ints or floats, e.g. the exact loss of a snapped limit), drawn
    as labelled dashed horizontal lines at ``float(value)``. When the losses span more than
    LINEAR_INSET_DECADES decades (a run converging to 1e-25 squeezes its plateaus into the top band), an
    inset shows the same losses on a linear axis, with every critical value (0 included) labelled there;
    otherwise a value <= 0, which has no place on a log axis, is named in a note on the axes. Recorded
    losses that are exactly 0 (or not finite) are not drawn by a log axis; the run's legend entry says how
    many, so that nothing is hidden or invented.

    Needs the ``plot`` extra (matplotlib). Built with the object-oriented API (no pyplot state), so that
    tests can read the lines back from ``fig.axes`` (loss axes first, gradient-norm axes second).
    """
    from matplotlib.figure import Figure

    if not trajectories:
        raise ValueError("no trajectory to draw")
    clocks = {t.clock for _, t in trajectories}
    if len(clocks) > 1:
        raise ValueError("gradient descent and flow runs have different x axes (iteration, time): draw them apart")
    clock = clocks.pop()
    fig = Figure(figsize=(7, 6.5))
    loss_ax, grad_ax = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    for label, t in trajectories:
        hidden = int(np.sum(~(t.loss > 0) | ~np.isfinite(t.loss)))
        note = f" (loss 0 or not finite at {hidden} of {len(t.loss)} recorded points, not drawn)" if hidden else ""
        line, = loss_ax.plot(t.steps, t.loss, label=label + note, lw=1.5)
        grad_ax.plot(t.steps, t.grad_norm, label=label, lw=1.5, color=line.get_color())
    with warnings.catch_warnings():     # an all-zero run: said in its legend entry, no need to warn too
        warnings.filterwarnings("ignore", message="Data has no positive values")
        loss_ax.set_yscale("log")
        grad_ax.set_yscale("log")
    values = [(label, float(Fraction(value)) if isinstance(value, str) else float(value))
              for label, value in critical_values]
    inset = _linear_inset(loss_ax, trajectories) if _decades(trajectories) > LINEAR_INSET_DECADES else None
    off_axis = []
    last_labelled = -math.inf
    for label, y in sorted(values, key=lambda item: item[1]):
        if not math.isfinite(y):
            continue
        if inset is not None:     # labelled in the inset, where the lines are apart
            inset.axhline(y, ls="--", lw=0.8, color="0.35", label=label, zorder=1)
            inset.annotate(label, xy=(1, y), xycoords=("axes fraction", "data"), xytext=(-3, 2),
                           textcoords="offset points", ha="right", va="bottom", fontsize=6, color="0.25")
        if y > 0:
            loss_ax.axhline(y, ls="--", lw=0.9, color="0.35", label=label, zorder=1)
            if inset is None:
                # a label closer than 0.06 of the axis height to the one below goes to the other side
                crowded = math.log10(y) - last_labelled < 0.06 * max(_decades(trajectories), 1.0)
                loss_ax.annotate(label, xy=(0 if crowded else 1, y), xycoords=("axes fraction", "data"),
                                 xytext=(4 if crowded else -4, 3), textcoords="offset points",
                                 ha="left" if crowded else "right", va="bottom", fontsize=8, color="0.25")
                last_labelled = -math.inf if crowded else math.log10(y)
        elif inset is None:
            off_axis.append(label)
    if off_axis:
        loss_ax.text(0.01, 0.02, "not on the log axis: " + "; ".join(off_axis),
                     transform=loss_ax.transAxes, ha="left", va="bottom", fontsize=8, color="0.25")
    low, high = loss_ax.get_ylim()
    loss_ax.set_ylim(low / 1.3, high * 1.4)      # room above the top line for its label, below for the note
    if _decades(trajectories) < 3:
        from matplotlib.ticker import FormatStrFormatter

        loss_ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        loss_ax.yaxis.set_minor_formatter(FormatStrFormatter("%g"))
        loss_ax.tick_params(axis="y", which="minor", labelsize=7)
    loss_ax.set_ylabel("loss L (float64)")
    grad_ax.set_ylabel("||grad L||")
    grad_ax.set_xlabel(clock)
    loss_ax.set_title("gradient descent" if clock == "iteration" else "gradient flow (RK4)", fontsize=10)
    for ax in (loss_ax, grad_ax):
        ax.grid(True, which="major", lw=0.4, alpha=0.5)
    if len(trajectories) > 1:
        grad_ax.legend(fontsize=7, loc="best")
    if len(trajectories) > 1 or any("(loss 0" in ln.get_label() for ln in loss_ax.get_lines()):
        loss_ax.legend(handles=loss_ax.get_lines()[:len(trajectories)], fontsize=7, loc="best")
    fig.tight_layout()
    return fig


# When the recorded losses span more decades than this (a run that converges to a loss of 1e-25 after
# plateaus between 1 and 10), the plateaus are squeezed at the top of the log axis: a linear inset shows them.
LINEAR_INSET_DECADES = 6


def _decades(trajectories: Sequence[tuple[str, Trajectory]]) -> float:
    positive = np.concatenate([t.loss[np.isfinite(t.loss) & (t.loss > 0)] for _, t in trajectories])
    if positive.size == 0:
        return 0.0
    return float(np.log10(positive.max() / positive.min()))


def _linear_inset(loss_ax: Any, trajectories: Sequence[tuple[str, Trajectory]]) -> Any:
    """The same losses on a linear axis, in an inset at the lower left of the log axes (a staircase lives
    there: the curve keeps to the top band and the right edge)."""
    inset = loss_ax.inset_axes([0.09, 0.1, 0.5, 0.5])
    for line, (_, t) in zip(loss_ax.get_lines(), trajectories):
        inset.plot(t.steps, t.loss, lw=1.2, color=line.get_color())
    top = max(float(np.nanmax(np.where(np.isfinite(t.loss), t.loss, np.nan))) for _, t in trajectories)
    inset.set_ylim(-0.04 * top, 1.06 * top)     # room for a critical value 0 drawn as a dashed line
    inset.set_title("same, linear scale", fontsize=7, pad=2)
    inset.tick_params(labelsize=7)
    inset.grid(True, lw=0.3, alpha=0.5)
    return inset


def plot_trajectory(trajectories: Sequence[tuple[str, Trajectory]], path: str,
                    critical_values: Sequence[tuple[str, Any]] = ()) -> None:
    """Write :func:`trajectory_figure` to ``path`` (PNG at 150 dpi); needs the ``plot`` extra."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = trajectory_figure(trajectories, critical_values)
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=150)


def plot_sweep_summary(kinds: dict[str, int], times: Sequence[float], path: str) -> None:
    """A sweep's summary as a PNG (``exactdln sweep --plot``): a bar chart of the instances per kind and a
    histogram of the time per instance (log scale); needs the ``plot`` extra."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4))
    bars, hist = fig.subplots(1, 2)
    names = sorted(kinds)
    bars.bar(range(len(names)), [kinds[n] for n in names], color="tab:blue")
    bars.set_xticks(range(len(names)), [n.replace("_", " ") for n in names], rotation=20, fontsize=8)
    bars.set_ylabel("instances")
    bars.set_title("kinds")
    ms = np.asarray([t * 1e3 for t in times if t > 0])
    if ms.size:
        edges = np.logspace(np.log10(ms.min()), np.log10(ms.max()) + 1e-9, 30)
        hist.hist(ms, bins=edges, color="tab:orange")
        hist.set_xscale("log")
    hist.set_xlabel("time per instance (ms)")
    hist.set_ylabel("instances")
    hist.set_title("time per instance")
    fig.tight_layout()
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=100)


def staircase_figure(steps: Sequence[float], loss: Sequence[float], levels: Sequence[tuple[str, float]],
                     *, grad_norm: Sequence[float] | None = None,
                     spans: Sequence[tuple[float, float]] = (), title: str | None = None,
                     xscale: str = "linear", xlabel: str = "iteration") -> Any:
    """A matplotlib Figure of a saddle-to-saddle run (``exactdln trace --plot``): the float loss on a log
    scale against the iteration, each plateau's exact critical value a labelled dashed horizontal line
    (``levels``: (label, value) pairs), the plateaus' step ranges (``spans``) shaded, and ||grad L|| on a log
    scale in a narrow panel below when ``grad_norm`` is given (the spans are numbered 1, 2, ... at the top). The staircase of Saxe, McClelland, Ganguli
    (2014): the loss rests on each step at a critical value of the landscape.

    ``xscale="log"`` puts the steps on a log axis too (a gradient flow's plateaus, whose lengths grow
    geometrically, are then all visible); steps <= 0 are left out and the spans start at the first positive step.
    ``xlabel`` names the steps ("iteration"; "time" for a flow).
    Values <= 0 or not finite have no place on a log axis and are named in a note on the axes instead.
    Needs the ``plot`` extra (matplotlib); the object-oriented API, so that tests can read the lines back."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import LogLocator, NullFormatter

    if xscale not in ("linear", "log"):
        raise ValueError(f"xscale must be 'linear' or 'log', got {xscale!r}")
    s = np.asarray(steps, dtype=float)
    L = np.asarray(loss, dtype=float)
    g_all = None if grad_norm is None else np.asarray(grad_norm, dtype=float)
    if xscale == "log":
        keep = s > 0
        s, L = s[keep], L[keep]
        g_all = None if g_all is None else g_all[keep]
        first = float(s[0]) if len(s) else 1.0
        spans = [(max(a, first), b) for a, b in spans if b > 0]
    fig = Figure(figsize=(7.2, 5.0) if grad_norm is not None else (7.2, 4.0))
    if grad_norm is not None:
        loss_ax, grad_ax = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1], "hspace": 0.08})
    else:
        loss_ax, grad_ax = fig.subplots(1, 1), None
    for number, (a, b) in enumerate(spans, 1):
        loss_ax.axvspan(a, b, color="0.95", lw=0, zorder=0)
        # numbered in the gradient panel (or at the foot of the loss axes), clear of the value labels
        where = grad_ax if grad_ax is not None else loss_ax
        middle = math.sqrt(a * b) if xscale == "log" else (a + b) / 2
        where.annotate(str(number), xy=(middle, 1 if grad_ax is not None else 0),
                       xycoords=("data", "axes fraction"), xytext=(0, -2 if grad_ax is not None else 2),
                       textcoords="offset points", ha="center", va="top" if grad_ax is not None else "bottom",
                       fontsize=8, color="0.45")
        if grad_ax is not None:
            grad_ax.axvspan(a, b, color="0.95", lw=0, zorder=0)
    shown = np.isfinite(L) & (L > 0)
    loss_ax.plot(s[shown], L[shown], color="#1f4e99", lw=1.6, zorder=3, label=r"loss $L(W_k)$ (float64 run)")
    loss_ax.set_yscale("log")
    values = sorted(((label, float(v)) for label, v in levels), key=lambda item: item[1])
    positive = [v for _, v in values if math.isfinite(v) and v > 0]
    low = min([*L[shown].tolist(), *positive]) if shown.any() or positive else 1.0
    high = max([*L[shown].tolist(), *positive]) if shown.any() or positive else 10.0
    notes = []
    if positive and low < min(positive) / 10**STAIRCASE_DECADES_BELOW:
        # a run converging to a loss of 0 would squeeze the staircase into the top band: the axis stops
        # STAIRCASE_DECADES_BELOW decades below the lowest step, and the note says where the loss goes
        k = int(np.argmin(np.where(shown, L, np.inf)))
        notes.append(f"the loss falls below the axis, to {L[k]:.2g} at iteration {s[k]:g}")
        low = min(positive) / 10**STAIRCASE_DECADES_BELOW
    loss_ax.set_ylim(low / 2.5, high * 2.5)
    decades = math.log10(high * 2.5) - math.log10(low / 2.5)
    last = math.inf
    for label, v in reversed(values):      # from the top: a label crowding the one above goes below its line
        if not (math.isfinite(v) and v > 0):
            notes.append("not on the log axis: " + label)
            continue
        loss_ax.axhline(v, ls=(0, (5, 3)), lw=0.9, color="#b03a2e", zorder=2)
        crowded = last - math.log10(v) < 0.07 * decades
        loss_ax.annotate(label, xy=(1, v), xycoords=("axes fraction", "data"), xytext=(-4, -3 if crowded else 2),
                         textcoords="offset points", ha="right", va="top" if crowded else "bottom", fontsize=8,
                         color="#7b241c", zorder=2.5,      # under the loss curve, which stays visible
                         bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75})
        last = math.log10(v) - (0.07 * decades if crowded else 0)
    if notes:
        loss_ax.text(0.01, 0.02, "; ".join(notes), transform=loss_ax.transAxes, ha="left", va="bottom", fontsize=8,
                     color="#7b241c", zorder=5, bbox={"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none",
                                                      "alpha": 0.85})
    loss_ax.yaxis.set_minor_locator(LogLocator(subs=range(2, 10)))
    loss_ax.yaxis.set_minor_formatter(NullFormatter())
    loss_ax.set_ylabel("loss")
    loss_ax.grid(True, which="major", lw=0.4, alpha=0.4)
    loss_ax.spines[["top", "right"]].set_visible(False)
    if values:
        from matplotlib.lines import Line2D

        handles = [loss_ax.get_lines()[0],
                   Line2D([], [], ls=(0, (5, 3)), lw=0.9, color="#b03a2e", label="exact critical value")]
        loss_ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, fontsize=8, frameon=False,
                       borderaxespad=0.2)
    if title:
        loss_ax.set_title(title, fontsize=10, pad=18)
    bottom = loss_ax
    if grad_ax is not None:
        g = g_all
        ok = np.isfinite(g) & (g > 0)
        grad_ax.plot(s[ok], g[ok], color="0.3", lw=1.0)
        grad_ax.set_yscale("log")
        grad_ax.set_ylabel(r"$\|\nabla L(W_k)\|$", fontsize=9)
        grad_ax.grid(True, which="major", lw=0.4, alpha=0.4)
        grad_ax.spines[["top", "right"]].set_visible(False)
        grad_ax.tick_params(labelsize=8)
        bottom = grad_ax
    bottom.set_xlabel(xlabel)
    if xscale == "log":
        bottom.set_xscale("log")
    if len(s):
        bottom.set_xlim(s[0], s[-1])
    fig.subplots_adjust(left=0.11, right=0.97, top=0.88 if title else 0.93, bottom=0.1)
    return fig


# The staircase figure's loss axis reaches this many decades below its lowest positive step, no further.
STAIRCASE_DECADES_BELOW = 3


def plot_staircase(steps: Sequence[float], loss: Sequence[float], levels: Sequence[tuple[str, float]], path: str,
                   **options: Any) -> None:
    """Write :func:`staircase_figure` to ``path`` (PNG at 200 dpi, or the format of its suffix)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = staircase_figure(steps, loss, levels, **options)
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=200)
