"""Figures of float runs of the gradient dynamics (the ``plot`` extra: matplotlib).

matplotlib is imported inside the functions, so that the package works without it; the
command line checks for it before any run starts (exactdln/cli/commands/gd.py).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from exactdln.numeric.flows import Trajectory

__all__ = ["trajectory_figure", "plot_trajectory", "plot_sweep_summary"]


def trajectory_figure(trajectories: Sequence[tuple[str, Trajectory]]) -> Any:
    """A matplotlib Figure: loss gap and gradient norm against iteration (log scale), one line per run.

    Needs the ``plot`` extra (matplotlib). Built with the object-oriented API (no pyplot state), so that
    tests can read the lines back from ``fig.axes``.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4))
    axes = fig.subplots(1, 2)
    for label, t in trajectories:
        gap = t.loss - t.loss[-1]
        axes[0].semilogy(t.steps[:-1], np.maximum(gap[:-1], 1e-300), label=label)
        axes[1].semilogy(t.steps, t.grad_norm, label=label)
    axes[0].set_ylabel("L_k - L_final"); axes[1].set_ylabel("||grad L_k||")
    for ax in axes:
        ax.set_xlabel("iteration" if trajectories[0][1].method == "gd" else "time"); ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def plot_trajectory(trajectories: Sequence[tuple[str, Trajectory]], path: str) -> None:
    """Write :func:`trajectory_figure` to ``path`` (PNG at 100 dpi); needs the ``plot`` extra."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = trajectory_figure(trajectories)
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=100)


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
