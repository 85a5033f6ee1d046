"""Snap over the field of S: times of nearest_critical_point (build) and of the exact classification, one run.

Data: X (d x 20, 3-decimal entries), Y = A X + noise (3 decimals); plateau points: exact critical points over F_S
perturbed by 1e-9 (the float points snap is for: near-critical), and raw gradient-descent plateau points (reported,
not snapped). Prints wall and CPU seconds per step; the machine is shared, so read ratios within one run.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exactdln.instances.algebraic_critical import critical_point_for_fitted_set  # noqa: E402
from exactdln.model.problem import Problem  # noqa: E402
from exactdln.tools.snap import snap  # noqa: E402
from exactdln.tools.snap_algebraic import nearest_critical_point  # noqa: E402
from tests.tools.test_snap_algebraic import _data, _gd  # noqa: E402


def timed(f):
    w, c = time.perf_counter(), time.process_time()
    out = f()
    return out, time.perf_counter() - w, time.process_time() - c


def main() -> None:
    cases = [(3, (3, 4, 4, 3), (1,)), (3, (3, 4, 4, 3), (1, 2)), (3, (3, 4, 4, 3), (2,)),
             (3, (3, 4, 4, 4, 3), (1,)), (5, (5, 5, 5, 5), (1, 2)), (5, (5, 6, 6, 6, 5), (1,))]
    print(f"{'d_y':>3} {'widths':>18} {'S':>8} {'deg':>3} {'build s':>8} {'snap+classify s (wall/cpu)':>28} kind")
    for d, widths, S in cases:
        X, Y, Xq, Yq = _data(seed=0 if d == 3 else 2, d_x=d, d_y=d, n=20 if d == 3 else 30)
        exact, w_build, _ = timed(lambda: critical_point_for_fitted_set(Xq, Yq, S, widths))
        rng = np.random.default_rng(1)
        floats = [np.array(w) + 1e-9 * rng.standard_normal(np.array(w).shape) for w in exact.float_weights()]
        result, wall, cpu = timed(lambda: snap(Problem.create(Xq, Yq, 0), floats))
        print(f"{d:>3} {str(list(widths)):>18} {str(set(S)):>8} {exact.degree:>3} {w_build:>8.2f} "
              f"{wall:>13.2f} / {cpu:<12.2f} {result.kind if result.snapped else 'not snapped'}", flush=True)

    print()
    print("raw gradient-descent plateau points, [3, 4, 4, 3] (nearest exact critical point, classified; not snapped)")
    X, Y, Xq, Yq = _data()
    problem = Problem.create(Xq, Yq, 0)
    run = _gd(X, Y, (3, 4, 4, 3), 16000, every=250)
    seen = set()
    for (t0, l0, _), (t, loss, Ws) in zip(run, run[1:]):
        if abs(l0 - loss) > 1e-6 * max(1.0, loss):
            continue
        near, wall, cpu = timed(lambda: nearest_critical_point(problem, Ws))
        if near.fitted in seen:
            continue
        seen.add(near.fitted)
        print(f"  step {t}: loss {loss:.10g}, exact critical value {near.point.critical_value_text}, S = "
              f"{set(near.fitted) or '{}'}, degree {near.point.degree}, {near.kind}, relative distance "
              f"{near.relative_distance:.2g}: {wall:.2f} s wall / {cpu:.2f} s cpu")


if __name__ == "__main__":
    main()
