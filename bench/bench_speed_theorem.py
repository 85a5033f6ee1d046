"""The theorem route at scale, as rows "what | measured | goal" (one run; prints times and ratios, asserts nothing).

Rows (every time measured in this run, on whatever the machine is doing):

1. `exactdln classify --json --method theorem` on one depth-8, width-128 point (131,072 parameters) with small entries
   (construct.large_instance(..., digits=4): 4-digit hidden changes of basis), whole command: process start, parsing,
   classification. Goal <= 3 s per point, on the clock of the command as a user runs it (its default --workers 2:
   Sigma's eigenvalues proven in a second process); the same command with --workers 1 is printed beside it.
2. The same with 40-digit entries (the instances of bench/bench_core.py --big). Goal <= 5 s per point.
3. With --row3: depth 10, width 256 (655,360 parameters), 4-digit entries; wall time and the peak resident memory of
   the command (ru_maxrss of the child). Goal < 60 s and < 4 GB. Building the instance alone takes minutes.
4. In process: classify(..., method="theorem") on depth-256, width-1 critical points, against depth 128 (a ratio of
   about 2 is linear, 4 quadratic, 8 cubic): a global minimizer, and a hostile one whose middle layer is divisible by
   the primes that screen the partial-product ranks (exactdln/landscape/products.py).

--stages also prints, for the first kind of rows 1 and 2, the CPU time of each step in process (where the time goes).
--base-tree DIR also runs rows 1-3 with the package found in DIR (for example a `git worktree` of an older commit)
and prints the ratio base / this tree from the same run. --cache-dir keeps the generated point files between runs.

    python bench/bench_speed_theorem.py [--kinds non_strict_saddle ...] [--row3] [--stages] [--base-tree DIR] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from exactdln.instances.construct import large_instance  # noqa: E402
from exactdln.landscape.products import SCREENING_PRIMES  # noqa: E402
from exactdln.model.problem import Problem, as_matrix  # noqa: E402
from exactdln.model.results import GLOBAL_MINIMIZER, NON_STRICT_SADDLE, STRICT_SADDLE  # noqa: E402
from exactdln.theory.classify import classify  # noqa: E402

KINDS = (GLOBAL_MINIMIZER, STRICT_SADDLE, NON_STRICT_SADDLE)


def point_file(directory: Path, depth: int, width: int, digits: int, kind: str) -> Path:
    """A large_instance point as a JSON file (reused when it is already in ``directory``)."""
    path = directory / f"theorem_d{depth}_w{width}_g{digits}_{kind}.json"
    if not path.exists():
        rng = random.Random(depth * 1000 + width + digits)
        inst = large_instance(rng, depth, width, digits=digits, kind=kind)
        data = inst.problem.to_json()
        data["weights"] = [w.to_json() for w in inst.weights]
        path.write_text(json.dumps(data), encoding="utf-8")
        path.with_suffix(".expected").write_text(inst.expected_kind, encoding="utf-8")
    return path


def run_cli(path: Path, tree: Path, workers: int | None = None) -> tuple[float, float, str, int, float]:
    """(wall seconds, peak child memory in GB, kind, exit code, CPU seconds) of one
    `exactdln classify --method theorem` (CPU: user + system time of the command and of the process it forks, less
    sensitive to the load of a shared machine than the wall time; memory: the larger of the two processes).
    ``workers``: the command's --workers (None: not passed, the command's default; a base tree older than the
    option must be run so)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree) + os.pathsep + env.get("PYTHONPATH", "")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    t = time.perf_counter()
    extra = [] if workers is None else ["--workers", str(workers)]
    proc = subprocess.run([sys.executable, "-m", "exactdln", "classify", "--json", "--method", "theorem",
                           "--max-file-mb", "2048", *extra, str(path)], capture_output=True, text=True, env=env,
                          cwd=str(tree))
    wall = time.perf_counter() - t
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    peak = max(before, usage.ru_maxrss) / 1024 ** 2   # kB -> GB (Linux)
    try:
        kind = json.loads(proc.stdout.splitlines()[0])["kind"]
    except (IndexError, ValueError, KeyError):
        kind = "?"
        print(proc.stderr[-1500:], file=sys.stderr)
    return wall, peak, kind, proc.returncode, cpu


def row(what: str, measured: str, goal: str) -> None:
    print(f"| {what} | {measured} | {goal} |", flush=True)


def cli_rows(directory: Path, depth: int, width: int, digits: int, kinds, goal_s: float, base: Path | None,
             memory_goal_gb: float | None = None) -> None:
    for kind in kinds:
        path = point_file(directory, depth, width, digits, kind)
        expected = path.with_suffix(".expected").read_text(encoding="utf-8")
        wall, peak, got, code, cpu = run_cli(path, ROOT)
        ok = "ok" if got == expected else f"MISMATCH: expected {expected}"
        measured = (f"{wall:.1f} s wall, {cpu:.1f} s CPU in both processes ({wall / goal_s:.2f} of the goal), {got} "
                    f"({ok}), exit {code}")
        if memory_goal_gb is not None:
            measured += f", peak {peak:.2f} GB"
        one_wall, _, one_kind, _, one_cpu = run_cli(path, ROOT, workers=1)
        measured += f"; --workers 1: {one_wall:.1f} s wall, {one_cpu:.1f} s CPU ({one_kind})"
        if base is not None:
            base_wall, _, base_kind, _, base_cpu = run_cli(path, base)
            measured += (f"; base tree {base_wall:.1f} s wall, {base_cpu:.1f} s CPU ({base_kind}): base / now "
                         f"{base_wall / wall:.2f}x on the clock, {base_cpu / one_cpu:.2f}x in CPU with --workers 1")
        goal = f"<= {goal_s:g} s" + (f", < {memory_goal_gb:g} GB" if memory_goal_gb is not None else "")
        row(f"CLI classify --method theorem, depth {depth}, width {width}, {digits}-digit entries, {kind}",
            measured, goal)


def stage_rows(path: Path) -> None:
    """CPU seconds of each step of the theorem route on one point file, in this process (where the time goes).

    Each step is a cached property of the point or of its spectral facts, so a step's time excludes the steps
    before it; classify() at the end reuses the cached point, facts and partial ranks and times what is left (the
    range of P, the global test, S, the pivots). With a base tree older than the integer forms of
    exactdln/landscape/point.py this function does not run (it names their properties). Sigma is timed as its factors
    when the tree keeps it factored (exactdln/landscape/spectral.py GramNumerator), else as the formed matrix."""
    from exactdln.landscape.point import ExactPoint
    from exactdln.landscape.products import partial_ranks_at
    from exactdln.landscape.spectral import SpectralFacts
    from exactdln.model.problem import Limits, point_from_mapping, read_json_file

    clock = time.process_time
    limits = Limits(max_file_bytes=2048 * 1024 * 1024)
    times: list[tuple[str, float]] = []

    def step(name, thunk):
        t = clock()
        value = thunk()
        times.append((name, clock() - t))
        return value

    data = step("read JSON", lambda: read_json_file(path, limits))
    problem, weights = step("read matrices (model)", lambda: point_from_mapping(data, str(path), limits))
    point = step("weights as flint matrices", lambda: ExactPoint.of(problem, weights))
    step("Sigma_YX over the integers", lambda: point.sigma_yx_integer)
    step("||Y||^2", lambda: point.sigma_yy_trace)
    step("W_{H:1} over the integers", lambda: point.end_to_end_integer)
    step("residual G over the integers", lambda: point.residual_integer)
    step("loss", lambda: point.loss_value)
    step("gradient chains (G = C R / s when of low rank)", point.first_nonzero_gradient_layer)
    ranks = step("partial ranks", lambda: partial_ranks_at(point))
    facts = SpectralFacts(point)
    if hasattr(SpectralFacts, "_sigma_factors"):      # Sigma = B C B^T / e by its factors, never formed
        step("Sigma's factors (Sigma_YX, Sigma_XX^-1 over the integers)", lambda: facts._sigma_factors)
    else:                                              # a base tree that forms Sigma
        step("Sigma over the integers", lambda: facts._sigma_integer)
    step("chi_Sigma (proven eigenvalues)", lambda: facts.rational_eigenvalues)
    step("range of W_{H:1} (reduced basis, rank)", lambda: facts._rref_of_product_transpose)
    import exactdln.theory.classify as route
    original, original_ranks = route.SpectralFacts, route.partial_ranks_at
    route.SpectralFacts = lambda p: facts if p is point else original(p)      # reuse the facts computed above
    route.partial_ranks_at = lambda p: ranks if p is point else original_ranks(p)    # and the ranks
    try:
        kind = step("the rest of classify", lambda: classify(problem, point, method="theorem").kind)
    finally:
        route.SpectralFacts, route.partial_ranks_at = original, original_ranks
    total = sum(t for _, t in times)
    for name, t in times:
        row(f"in process, {path.name}: {name}", f"{t:.2f} s CPU ({100 * t / total:.0f}%)", "")
    row(f"in process, {path.name}: total", f"{total:.2f} s CPU ({kind}; process start not included)", "")


def deep_points(depth: int) -> dict[str, tuple[Problem, list]]:
    q = 1
    for p in SCREENING_PRIMES:
        q *= p
    hostile = [[[2]]] + [[[1]]] * (depth - 1)
    hostile[depth // 2] = [[q]]
    return {
        "global minimizer": (Problem(as_matrix([[1]]), as_matrix([[2]])), [[[2]]] + [[[1]]] * (depth - 1)),
        "hostile (middle layer divisible by the screening primes)": (Problem(as_matrix([[1]]), as_matrix([[2 * q]])),
                                                                     hostile),
    }


def deep_rows() -> None:
    for name in deep_points(2):
        times = {}
        for depth in (128, 256):
            problem, weights = deep_points(depth)[name]
            t = time.perf_counter()
            c = classify(problem, weights, method="theorem")
            times[depth] = time.perf_counter() - t
        row(f"in process, classify --method theorem, width 1, {name}",
            f"depth 256: {times[256]:.2f} s, depth 128: {times[128]:.2f} s, ratio {times[256] / times[128]:.1f} ({c.kind})",
            "linear-ish in depth (ratio ~2; the H(H+1)/2 partial ranks reported make ~4 the floor of this output)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    parser.add_argument("--row3", action="store_true", help="also depth 10, width 256 (minutes to build)")
    parser.add_argument("--skip-40", action="store_true", help="skip row 2")
    parser.add_argument("--base-tree", type=Path, help="also run the CLI rows with the package in this directory")
    parser.add_argument("--cache-dir", type=Path, help="keep the generated point files here")
    parser.add_argument("--stages", action="store_true",
                        help="also the CPU time of each step in process, on the first kind of row 1 (and row 2)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = args.cache_dir or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        print("| what | measured | goal |")
        print("|---|---|---|")
        cli_rows(directory, 8, 128, 4, args.kinds, 3.0, args.base_tree)
        if not args.skip_40:
            cli_rows(directory, 8, 128, 40, args.kinds, 5.0, args.base_tree)
        if args.stages:
            stage_rows(point_file(directory, 8, 128, 4, args.kinds[0]))
            if not args.skip_40:
                stage_rows(point_file(directory, 8, 128, 40, args.kinds[0]))
        if args.row3:
            cli_rows(directory, 10, 256, 4, args.kinds[:1], 60.0, args.base_tree, memory_goal_gb=4.0)
        deep_rows()


if __name__ == "__main__":
    main()
