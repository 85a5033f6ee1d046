"""The figure of a float run (exactdln.numeric.plots): read back from the matplotlib objects. The lines must
hold the run's own numbers (the raw loss, not L - L_final; the gradient norm), on log axes, with the exact
critical values drawn where they are given; the values come from the worked cases of
docs/maths/regularized.md §7 and docs/maths/gradient_flow.md §3.3.
"""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

from exactdln.model.problem import Problem
from exactdln.numeric.flows import gradient_descent, gradient_flow

pytest.importorskip("matplotlib")

from exactdln.numeric.plots import plot_trajectory, trajectory_figure  # noqa: E402

T1 = Problem.create([[1]], [[3]], 1)          # minimum value 5/2 (docs/maths/regularized.md §7 T1)


def _t1_gd():
    return gradient_descent(T1, [np.array([[1.2]]), np.array([[1.5]])], eta=0.1, steps=400)


def _lines(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def test_the_figure_holds_the_raw_loss_and_the_gradient_norm():
    t = _t1_gd()
    fig = trajectory_figure([("T1", t)])
    loss_ax, grad_ax = fig.axes[:2]
    assert loss_ax.get_yscale() == grad_ax.get_yscale() == "log"
    assert grad_ax.get_xlabel() == "iteration"
    assert "loss" in loss_ax.get_ylabel() and "grad" in grad_ax.get_ylabel()
    x, y = _lines(loss_ax)["T1"].get_data()
    np.testing.assert_array_equal(x, t.steps)
    np.testing.assert_array_equal(y, t.loss)                   # the loss itself: it ends at 5/2, not at 0
    assert y[-1] == pytest.approx(2.5, abs=1e-10)
    x, y = _lines(grad_ax)["T1"].get_data()
    np.testing.assert_array_equal(y, t.grad_norm)
    assert loss_ax.get_position().y0 > grad_ax.get_position().y1 - 1e-9     # gradient norm in the row below


def test_critical_values_are_labelled_horizontal_lines():
    t = _t1_gd()
    fig = trajectory_figure([("T1", t)], critical_values=[("minimum 5/2", Fraction(5, 2)), ("W = 0: 9/2", "9/2")])
    loss_ax = fig.axes[0]
    lines = _lines(loss_ax)
    for label, value in (("minimum 5/2", 2.5), ("W = 0: 9/2", 4.5)):
        assert list(lines[label].get_ydata()) == [value, value]
        assert list(lines[label].get_xdata()) == [0, 1]            # axhline: the full width of the axes
    texts = [a.get_text() for a in loss_ax.texts]
    assert "minimum 5/2" in texts and "W = 0: 9/2" in texts
    low, high = loss_ax.get_ylim()
    assert low < 2.5 and 4.5 < high


def test_a_zero_critical_value_is_named_not_drawn_on_the_log_axis():
    t = _t1_gd()
    fig = trajectory_figure([("T1", t)], critical_values=[("L = 0", 0)])
    loss_ax = fig.axes[0]
    assert "L = 0" not in _lines(loss_ax)
    assert any("not on the log axis" in a.get_text() and "L = 0" in a.get_text() for a in loss_ax.texts)


def test_a_loss_that_is_exactly_zero_is_said_in_the_legend():
    """W_2 W_1 = 1 = Y fits X = 1 exactly: the loss is exactly 0 and the start is critical."""
    pb = Problem.create([[1]], [[1]])
    t = gradient_descent(pb, [np.array([[1.0]]), np.array([[1.0]])], eta=0.1, steps=10)
    assert t.loss[0] == 0.0
    fig = trajectory_figure([("fit", t)])
    (line,) = fig.axes[0].get_lines()
    assert list(line.get_ydata()) == [0.0]                       # the value, not a clamped 1e-300
    assert line.get_label() == "fit (loss 0 or not finite at 1 of 1 recorded points, not drawn)"
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [line.get_label()]


def test_a_staircase_gets_a_linear_inset_with_every_critical_value():
    """Y = diag(8, 2, 1/2), X = I, depth 2, small start: plateaus at 273/8, 17/8, 1/8 and the limit 0
    (docs/maths/gradient_flow.md §3.3); the final loss is tiny, so the log axis spans many decades."""
    pb = Problem.create([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[8, 0, 0], [0, 2, 0], [0, 0, "1/2"]])
    g = np.random.default_rng(0)
    t = gradient_descent(pb, [1e-3 * g.standard_normal((3, 3)) for _ in range(2)], eta=0.01, steps=8000)
    values = [("S = {}", Fraction(273, 8)), ("S = {1}", Fraction(17, 8)), ("S = {1, 2}", Fraction(1, 8)),
              ("S = {1, 2, 3}", 0)]
    fig = trajectory_figure([("gd", t)], critical_values=values)
    loss_ax = fig.axes[0]
    (inset,) = loss_ax.child_axes
    assert inset.get_yscale() == "linear"
    np.testing.assert_array_equal(inset.get_lines()[0].get_ydata(), t.loss)
    drawn = _lines(inset)
    for label, value in values:
        assert list(drawn[label].get_ydata()) == [float(value)] * 2
    assert inset.get_ylim()[0] < 0 < inset.get_ylim()[1]        # the line at 0 is visible
    assert set(_lines(loss_ax)) >= {"S = {}", "S = {1}", "S = {1, 2}"}   # the positive ones on the log axis too


def test_flow_figure_uses_time():
    t = gradient_flow(T1, [np.array([[1.2]]), np.array([[1.5]])], t_end=5, dt=0.01)
    fig = trajectory_figure([("flow", t)])
    assert fig.axes[1].get_xlabel() == "time"
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_xdata(), t.steps)
    with pytest.raises(ValueError, match="different x axes"):
        trajectory_figure([("flow", t), ("gd", _t1_gd())])


def test_png_is_written(tmp_path):
    plot_trajectory([("T1", _t1_gd())], str(tmp_path / "p.png"), critical_values=[("5/2", Fraction(5, 2))])
    assert (tmp_path / "p.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_gd_snap_plot_draws_the_exact_critical_value_of_the_limit(tmp_path, capsys, monkeypatch):
    """A start in the invariant subspace of diag(., 0) matrices stalls at the saddle that fits the singular
    value 3 of Y = diag(3, 1): loss 1/2 * 1^2 = 1/2 (docs/maths/classification.md §2.4)."""
    import exactdln.numeric.plots as plots
    from exactdln.cli import main

    seen = {}
    real = plots.plot_trajectory

    def spy(runs, path, critical_values=()):
        seen["values"] = list(critical_values)
        real(runs, path, critical_values=critical_values)

    monkeypatch.setattr(plots, "plot_trajectory", spy)
    f = tmp_path / "saddle.json"
    f.write_text('{"X": [[1, 0], [0, 1]], "Y": [[3, 0], [0, 1]], '
                 '"weights": [[["0.1", "0"], ["0", "0"]], [["0.1", "0"], ["0", "0"]]]}')
    out = tmp_path / "run.png"
    assert main(["gd", "--json", "--no-progress", "--eta", "0.05", "--steps", "5000", "--snap", "--plot", str(out),
                 str(f)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["snap"]["snapped"] and record["plot"] == str(out)
    ((label, value),) = seen["values"]
    assert value == Fraction(1, 2) and label.startswith("L = 1/2")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_flows_staircase_on_a_log_step_axis():
    """The plateaus of a gradient flow from a small start grow geometrically in length (docs/howto/trace.md,
    "How close a run comes"): on a log step axis each one gets room; step 0 has no place there and is left out."""
    from exactdln.cli.commands.trace import step_axis
    from exactdln.numeric.plots import staircase_figure

    t = np.concatenate([[0.0], np.geomspace(1.0, 1e6, 400)])
    loss = np.where(t < 1e3, 10.0, np.where(t < 1e5, 1.0, 0.1))
    spans = [(0.0, 900.0), (1100.0, 9e4), (1.1e5, 1e6)]
    assert step_axis(t, spans) == ("log", "time")                   # the first plateau is 0.09% of the run
    assert step_axis(np.arange(0, 10_000), [(0, 3000), (5000, 9999)]) == ("linear", "iteration")
    assert step_axis(t, spans, "linear") == ("linear", "time")
    fig = staircase_figure(t, loss, [("S = {}", 10.0), ("S = {1}", 1.0)], grad_norm=np.ones_like(t), spans=spans,
                           xscale="log", xlabel="time")
    loss_ax, grad_ax = fig.axes[:2]
    assert loss_ax.get_xscale() == grad_ax.get_xscale() == "log" and grad_ax.get_xlabel() == "time"
    x, y = loss_ax.get_lines()[0].get_data()
    np.testing.assert_array_equal(x, t[1:])
    np.testing.assert_array_equal(y, loss[1:])
    assert grad_ax.get_xlim() == pytest.approx((1.0, 1e6))
    with pytest.raises(ValueError, match="xscale"):
        staircase_figure(t, loss, [], xscale="symlog")
