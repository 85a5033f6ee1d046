"""Sweep overhead and parallel throughput, measured in one run (ratios printed).

1. Overhead: the time per instance of ``run_sweep`` on one worker process (chunked, JSON Lines written) against
   a plain loop ``build_instance`` + ``classify`` in this process, on small random critical points (depth 3-4,
   widths <= 4, theorem and Hessian routes). Pool start-up is excluded (a warm-up sweep runs first).
2. Parallelism: throughput with 2 workers against 1, for the local process pool and for a dask LocalCluster.
   Beside the wall time, the CPU seconds the pool's worker processes used (from /proc) and the load average:
   on a machine that other jobs load, the wall-time speed-up says little, while CPU seconds per instance
   that stay the same with 2 workers say that the sweep itself adds no parallel overhead.
3. Breakdown of one instance's time in the worker (in this process, from the rows' own timings): building the
   instance (instances/construct.py), the exact routes (classify), assembling the row, and JSON encoding
   (in the driver); and the driver's CPU per row when rows come back at once (what one driver can serve).
Usage: python bench/bench_sweep.py [--count N] [--no-dask]
"""

from __future__ import annotations

import argparse
import json
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


def _cpu_seconds(pids) -> float:
    """User + system CPU seconds of these processes so far (Linux /proc), 0 where unreadable."""
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stream:
                fields = stream.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return total


def _measured(executor, pids) -> tuple[float, float, float]:
    """(wall seconds, worker CPU seconds, driver CPU seconds) of the timed sweep."""
    before, driver = _cpu_seconds(pids), time.process_time()
    wall = _timed_sweep(executor, ARGS.count)
    return wall, _cpu_seconds(pids) - before, time.process_time() - driver


def _pool(workers: int) -> tuple[float, float, float]:
    ctx = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        run_sweep(_spec(8, seed=98), pool)                     # start the workers
        return _measured(pool, list(pool._processes))


def _driver(n: int) -> None:
    """The driver's CPU per row with an executor that hands back finished rows at once (pickled, as from a
    worker): what one driver can serve, whatever the number of workers."""
    import pickle
    from concurrent.futures import Executor, Future

    from exactdln.tools.sweep.expr import parse_expression
    from exactdln.tools.sweep.worker import ROW_FIELDS, run_chunk

    spec = _spec(100)
    done = run_chunk(spec, [(i, None) for i in range(100)])

    class Canned(Executor):
        _max_workers = 2

        def submit(self, fn, spec, items):
            future: Future = Future()
            future.set_result(pickle.loads(pickle.dumps([dict(done[i % 100], id=i) for i, _ in items])))
            return future

    find = parse_expression('kind == "non_strict_saddle" and rank < r_max - 3', ROW_FIELDS)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.process_time()
        run_sweep(_spec(n), Canned(), output=os.path.join(tmp, "rows.jsonl"), find=find, chunk_size=500,
                  matches_output=os.path.join(tmp, "found.jsonl"))
        cpu = time.process_time() - start
    print(f"driver alone ({n} rows handed back at once, --find on): {1e6 * cpu / n:.1f} us of CPU per row, "
          f"{n / cpu:.0f} rows/s")


def _breakdown(n: int) -> None:
    from exactdln.tools.sweep.worker import run_chunk

    spec = _spec(n)
    run_chunk(spec, [(i, None) for i in range(5)])
    start = time.perf_counter()
    rows = run_chunk(spec, [(i, None) for i in range(n)])
    wall = time.perf_counter() - start
    start = time.perf_counter()
    "".join(json.dumps(row, separators=(",", ":")) + "\n" for row in rows)
    encode = time.perf_counter() - start
    mean = {k: sum(r["time"][k] for r in rows) / n for k in ("build", "exact", "total")}
    row_part = mean["total"] - mean["build"] - mean["exact"]
    print(f"per instance, in one worker ({n} instances, {1e3 * wall / n:.2f} ms each): "
          f"build {1e3 * mean['build']:.2f} ms, classify {1e3 * mean['exact']:.2f} ms, "
          f"row {1e3 * row_part:.3f} ms, JSON {1e3 * encode / n:.3f} ms; the sweep's own part "
          f"(row + JSON + chunk loop) {(wall / n - mean['build'] - mean['exact'] + encode / n) / (wall / n):.1%}")


def _dask(workers: int) -> tuple[float, float, float]:
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        executor = client.get_executor(pure=False)
        run_sweep(_spec(8, seed=98), executor)
        return _measured(executor, list(client.run(os.getpid).values()))


def _line(name: str, measured: tuple[float, float, float], n: int, base: tuple[float, float, float] | None) -> str:
    wall, cpu, driver = measured
    text = (f"{name}: {wall:6.2f} s wall ({1e3 * wall / n:.2f} ms/instance); CPU per instance: workers "
            f"{1e3 * cpu / n:.2f} ms, driver {1e3 * driver / n:.2f} ms")
    if base is not None:
        text += f"; wall speed-up {base[0] / wall:.2f}x, worker CPU {cpu / base[1]:.2f}x the 1-worker run's"
    return text


def main() -> int:
    n = ARGS.count
    spec = _spec(n)
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(n):
        instance = build_instance(spec, i)
        classify(instance.problem, instance.weights, method="auto", hessian_limit=10**9)
    loop, loop_cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{n} instances (depth 3-4, widths <= 4, theorem + Hessian); load average before: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"build + classify loop, one process: {loop:6.2f} s wall, CPU {1e3 * loop_cpu / n:.2f} ms/instance")
    one = _pool(1)
    print(_line("sweep, process pool, 1 worker ", one, n, None))
    print(f"  overhead: wall {one[0] / loop:.2f}x the loop's; CPU (workers + driver) "
          f"{(one[1] + one[2]) / loop_cpu:.2f}x the loop's")
    two = _pool(2)
    print(_line("sweep, process pool, 2 workers", two, n, one))
    # on an idle machine each process has its core: the wall time is the busier of (worker CPU / 2, driver CPU)
    idle_two = max(two[1] / 2, two[2])
    print(f"  projected from CPU seconds for an idle 2-core machine: 2 workers {one[1] / idle_two:.2f}x the "
          f"throughput of 1; 10^5 such instances in {1e5 / n * idle_two / 60:.1f} min")
    if not ARGS.no_dask:
        d1 = _dask(1)
        print(_line("sweep, dask LocalCluster, 1 worker ", d1, n, None))
        d2 = _dask(2)
        print(_line("sweep, dask LocalCluster, 2 workers", d2, n, d1))
    _breakdown(min(n, 300))
    _driver(20_000)
    print(f"(cpu count {os.cpu_count()}; load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          "ratios from this one run)")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--no-dask", action="store_true")
    ARGS = parser.parse_args()
    sys.exit(main())
