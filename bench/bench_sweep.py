"""Sweep overhead and parallel throughput, measured in one run (ratios printed).

1. Overhead: the time per instance of ``run_sweep`` on one worker process (chunked, JSON Lines written) against
   a plain loop ``build_instance`` + ``classify`` in this process, on small random critical points (depth 3-4,
   widths <= 4, theorem and Hessian routes). Pool start-up is excluded (a warm-up sweep runs first).
2. Parallelism: throughput with 2 workers against 1, for the local process pool and for a dask LocalCluster.
Usage: python bench/bench_sweep.py [--count N] [--no-dask]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from exactdln.theory.classify import classify  # noqa: E402
from exactdln.tools.sweep.instances import build_instance  # noqa: E402
from exactdln.tools.sweep.run import run_sweep  # noqa: E402
from exactdln.tools.sweep.spec import spec_from_mapping  # noqa: E402


def _spec(count: int, seed: int = 1):
    return spec_from_mapping({"seed": seed, "count": count, "routes": ["theorem", "hessian"],
                              "random": {"depth": [3, 4], "width": [1, 4]}})


def _timed_sweep(executor, count: int) -> float:
    run_sweep(_spec(8, seed=99), executor)                     # warm-up: workers started and imported
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        run_sweep(_spec(count), executor, output=os.path.join(tmp, "rows.jsonl"))
        return time.perf_counter() - start


def _pool(workers: int) -> float:
    ctx = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        return _timed_sweep(pool, ARGS.count)


def _dask(workers: int) -> float:
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        return _timed_sweep(client.get_executor(pure=False), ARGS.count)


def main() -> int:
    n = ARGS.count
    spec = _spec(n)
    start = time.perf_counter()
    for i in range(n):
        instance = build_instance(spec, i)
        classify(instance.problem, instance.weights, method="auto", hessian_limit=10**9)
    loop = time.perf_counter() - start
    print(f"{n} instances (depth 3-4, widths <= 4, theorem + Hessian)")
    print(f"classify loop, one process:   {loop:7.2f} s   {1e3 * loop / n:6.2f} ms/instance")
    one = _pool(1)
    print(f"sweep, process pool, 1 worker: {one:7.2f} s   {1e3 * one / n:6.2f} ms/instance   "
          f"overhead ratio {one / loop:.2f}x")
    two = _pool(2)
    print(f"sweep, process pool, 2 workers: {two:6.2f} s   speed-up {one / two:.2f}x")
    if not ARGS.no_dask:
        d1 = _dask(1)
        d2 = _dask(2)
        print(f"sweep, dask LocalCluster, 1 worker: {d1:6.2f} s   ratio to the loop {d1 / loop:.2f}x")
        print(f"sweep, dask LocalCluster, 2 workers: {d2:5.2f} s   speed-up {d1 / d2:.2f}x")
    print(f"(cpu count {os.cpu_count()}; ratios from this one run)")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--no-dask", action="store_true")
    ARGS = parser.parse_args()
    sys.exit(main())
