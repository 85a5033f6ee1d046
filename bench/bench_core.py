"""Benchmarks of the exact core (the speed targets of README.md), measured in one run; prints times and ratios, asserts nothing.

1. Exact Hessian inertia at n = 300 parameters (depth 3, width 10) against float64 numpy.linalg.eigvalsh on a
   float matrix of the same size. Target: within 10x. Baseline: eigvalsh on a random symmetric
   300 x 300 float64 matrix (best of 15). Printed per point: exact (exactdln.theory.classify.hessian_inertia, from the
   point to the inertia, best of 3) and its ratio to the baseline; full (the earlier route: build the full Hessian,
   split the orbit kernel off it) for comparison; eig(H) (eigvalsh on the rounded Hessian, for reference).
2. The theorem route, classify(..., method="theorem"), at depth 6, width 32 (6144 parameters), 40-digit entries,
   three points of different kinds (construct.large_instance): in-process times, then the wall time of one
   subprocess `python -m exactdln classify --json --method theorem` on the three files (process start counts).
   Target: < 30 s.
3. With --big: the same at depth 8, width 128 (131072 parameters); --width W measures width W instead (e.g. 64
   first), --only-big skips sections 1 and 2.

    python bench/bench_core.py [--big [--only-big] [--width W]] [--digits-300 D ...]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from exactdln.theory.classify import classify, hessian_inertia  # noqa: E402
from exactdln.instances.construct import large_instance  # noqa: E402
from exactdln.arith.inertia import kernel_complement_inertia  # noqa: E402
from exactdln.landscape.derivatives import hessian_matrix  # noqa: E402
from exactdln.landscape.point import ExactPoint  # noqa: E402
from exactdln.landscape.reduced_hessian import orbit_pivots  # noqa: E402
from exactdln.landscape.symmetry import orbit_directions  # noqa: E402
from exactdln.model.results import GLOBAL_MINIMIZER, NON_STRICT_SADDLE, STRICT_SADDLE  # noqa: E402

KINDS = (GLOBAL_MINIMIZER, STRICT_SADDLE, NON_STRICT_SADDLE)


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def eigvalsh_time(matrix: np.ndarray, repeats: int = 15) -> float:
    """Best of ``repeats``: the machine is shared, and the minimum is the least disturbed measurement."""
    times = []
    for _ in range(repeats):
        _, t = timed(np.linalg.eigvalsh, matrix)
        times.append(t)
    return min(times)


def bench_inertia(digits: int) -> None:
    print(f"== 1. exact Hessian inertia, depth 3, width 10 (n = 300), hidden-basis entries ~{digits} digits")
    # the baseline: eigvalsh on a random standard-normal symmetric float matrix of the same size. (The rounded
    # Hessian itself can hold subnormal floats, which make LAPACK hundreds of times slower; printed for reference.)
    gen = np.random.default_rng(0)
    A = gen.standard_normal((300, 300))
    t_eig = eigvalsh_time(A + A.T)
    print(f"eigvalsh on a random 300 x 300 symmetric float64 matrix: {t_eig * 1e3:.2f} ms (best of 15)")
    print("  exact = exactdln.theory.classify.hessian_inertia(problem, weights): from the point to the inertia, with the")
    print("          reduced Hessian (orbit pivots, principal block on F, verified congruence); best of 3")
    print("  full  = the previous route: build the full n x n Hessian, split the orbit kernel off it")
    print(f"{'kind':>18} {'|F|':>4} {'exact s':>8} {'exact/eig':>9} {'full s':>7} {'full/eig':>8} "
          f"{'eig(H) s':>9}  inertia")
    rng = random.Random(300)
    for kind in KINDS:
        inst = large_instance(rng, 3, 10, digits=digits, kind=kind)
        times = []
        for _ in range(3):
            inertia, t = timed(hessian_inertia, inst.problem, inst.weights)
            times.append(t)
        t_exact = min(times)
        point = ExactPoint.of(inst.problem, inst.weights)
        free = point.n_parameters - len(orbit_pivots(point))
        H, t_build = timed(hessian_matrix, inst.problem, inst.weights)
        kernel = orbit_directions(point)
        (full_inertia, _), t_full = timed(kernel_complement_inertia, H, kernel)
        floats = np.array([[float(H[i, j]) for j in range(H.ncols())] for i in range(H.nrows())])
        t_eig_h = eigvalsh_time(floats, repeats=3)
        assert inertia == full_inertia
        t_full += t_build
        print(f"{kind:>18} {free:4d} {t_exact:8.4f} {t_exact / t_eig:9.1f} {t_full:7.3f} {t_full / t_eig:8.1f} "
              f"{t_eig_h:9.4f}  {inertia}")


def write_point(path: Path, inst) -> None:
    data = inst.problem.to_json()
    data["weights"] = [w.to_json() for w in inst.weights]
    path.write_text(json.dumps(data), encoding="utf-8")


def bench_theorem(depth: int, width: int, digits: int) -> None:
    n = depth * width * width
    print(f"\n== theorem route, depth {depth}, width {width} ({n} parameters), {digits}-digit entries, three points")
    rng = random.Random(depth * 1000 + width)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        t_all = 0.0
        for kind in KINDS:
            inst, t_make = timed(large_instance, rng, depth, width, digits=digits, kind=kind)
            path = Path(tmp) / f"{kind}.json"
            write_point(path, inst)
            paths.append(str(path))
            size = os.path.getsize(path) / 1e6
            print(f"  {kind:>18}: built in {t_make:.1f} s, file {size:.1f} MB", end="", flush=True)
            c, t = timed(classify, inst.problem, inst.weights, method="theorem")
            t_all += t
            ok = "ok" if c.kind == inst.expected_kind and c.agree else "MISMATCH"
            print(f"; classify {t:7.2f} s -> {c.kind} ({ok})", flush=True)
        print(f"  in-process total: {t_all:.2f} s")
        env = dict(os.environ)
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "exactdln", "classify", "--json", "--method", "theorem",
                               "--max-file-mb", "1024", *paths],
                              capture_output=True, text=True, env=env)
        wall = time.perf_counter() - t
        kinds = [json.loads(line)["kind"] for line in proc.stdout.splitlines() if line.strip()]
        print(f"  subprocess `exactdln classify --method theorem` on 3 files: {wall:.2f} s wall "
              f"(target < 30 s: {wall / 30:.2f} of budget), exit {proc.returncode}, kinds {kinds}")
        if proc.returncode not in (0, 3):
            print(proc.stderr[-2000:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", action="store_true", help="also depth 8, width 128")
    parser.add_argument("--only-big", action="store_true", help="with --big: skip sections 1 and 2")
    parser.add_argument("--width", type=int, default=128, help="width of the depth-8 case of --big (default 128)")
    parser.add_argument("--skip-theorem", action="store_true", help="only the n = 300 inertia benchmark")
    parser.add_argument("--digits-300", type=int, nargs="+", default=[1, 6, 40],
                        help="digit sizes of the hidden changes of basis for the n = 300 points")
    args = parser.parse_args()
    if args.only_big and not args.big:
        parser.error("--only-big needs --big")
    if not args.only_big:
        for digits in args.digits_300:
            bench_inertia(digits)
        if args.skip_theorem:
            return
        bench_theorem(6, 32, 40)
    if args.big:
        bench_theorem(8, args.width, 40)


if __name__ == "__main__":
    main()
