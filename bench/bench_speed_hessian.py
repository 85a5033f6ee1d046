"""Speed of the exact Hessian route and of the float64 path, as ratios measured in one run ("what | measured | goal").

Rows (every ratio is against a float64 reference timed in the same run, best of several):

1. ``exactdln classify --method hessian`` on points with 300 parameters (depth 3, width 10), the whole command
   in process (reading the point file, every exact route, printing the verdict; imports and process start
   excluded: the command is run once on another file first), against numpy.linalg.eigvalsh on a random
   300 x 300 symmetric matrix. Points: exactdln.instances.construct.large_instance of each kind (global minimizer,
   strict saddle, non-strict saddle) with hidden changes of basis of 1, 6 and 40 digits. Goal <= 10x.
2. The same at depth 3, width 18 (972 parameters) against eigvalsh on 1000 x 1000. Goal <= 10x.
3. exactdln.numeric.float64.classify_float at 300 parameters against building the float Hessian in numpy
   (exactdln.numeric.float64.hessian_matrix_float) plus eigvalsh on it. Goal <= 3x.
4. ``exactdln classify`` (auto, which takes the Hessian route at 256 parameters) on depth-256, width-1 critical
   points (a global minimizer with weights 2, 1/2, 2, ...; a strict saddle with two zero weights; a non-strict
   saddle with about half the weights zero). Goal well under 5 s.

LAPACK's times are the least of runs with OpenBLAS's default threads and with one thread (a busy machine slows the
default several times); each exact or float time is the least of a few runs.

    python bench/bench_speed_hessian.py [--quick] [--cpu] [--rows 1,3] [--rounds 3]
        # --quick: 1- and 40-digit points only; --cpu: CPU time of this process (time.process_time) instead of
        # wall time (a loaded machine); --rows: only these rows; --rounds: measure rows 1-3 that many times in this
        # run and report, per point, the largest ratio over the rounds (the spread a loaded machine gives)
    OPENBLAS_NUM_THREADS=1 python bench/bench_speed_hessian.py   # everything on one thread (no contention)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from exactdln.cli import main as cli_main  # noqa: E402
from exactdln.instances.construct import large_instance  # noqa: E402
try:
    from exactdln.model.blas_threads import single_blas_thread  # noqa: E402
except ImportError:     # an older tree (to measure "before"): the reference then runs with the default threads only
    single_blas_thread = contextlib.nullcontext
from exactdln.model.problem import Problem, RationalMatrix  # noqa: E402
from exactdln.model.results import GLOBAL_MINIMIZER, NON_STRICT_SADDLE, STRICT_SADDLE  # noqa: E402
from exactdln.numeric.float64 import classify_float, hessian_matrix_float  # noqa: E402

KINDS = (GLOBAL_MINIMIZER, STRICT_SADDLE, NON_STRICT_SADDLE)


CLOCK = time.perf_counter     # --cpu: time.process_time


def best(fn, repeats: int) -> float:
    """Least disturbed of ``repeats`` runs (the machine is shared)."""
    times = []
    for _ in range(repeats):
        t = CLOCK()
        fn()
        times.append(CLOCK() - t)
    return min(times)


def eigvalsh_time(n: int, repeats: int = 15) -> float:
    """LAPACK's best: the least of eigvalsh with OpenBLAS's default threads and with one thread (on a busy
    machine spinning threads slow the default several times; the reference must not be handicapped)."""
    gen = np.random.default_rng(n)
    A = gen.standard_normal((n, n))
    A = A + A.T
    # CPU time sums over BLAS threads: with --cpu only the one-thread run is fair
    t_default = best(lambda: np.linalg.eigvalsh(A), repeats) if CLOCK is time.perf_counter else float("inf")
    with single_blas_thread():
        t_single = best(lambda: np.linalg.eigvalsh(A), repeats)
    return min(t_default, t_single)


def write_point(path: Path, problem: Problem, weights) -> None:
    data = problem.to_json()
    data["weights"] = [w.to_json() for w in weights]
    path.write_text(json.dumps(data), encoding="utf-8")


def run_cli(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli_main(argv)
    return code, out.getvalue()


def classify_command(path: Path, method: str | None = "hessian") -> tuple[int, str]:
    argv = ["classify", "--json", "--max-file-mb", "1024", str(path)]
    if method:
        argv[1:1] = ["--method", method]
    return run_cli(argv)


def hessian_rows(tmp: Path, depth: int, width: int, digit_sizes: list[int], repeats: int) -> tuple[list[float], list[str]]:
    n = depth * width * width
    t_eig = eigvalsh_time(n)
    ratios, lines = [], []
    rng = random.Random(1000 * width + depth)
    for digits in digit_sizes:
        for kind in KINDS:
            inst = large_instance(rng, depth, width, digits=digits, kind=kind)
            path = tmp / f"h{depth}w{width}d{digits}{kind}.json"
            write_point(path, inst.problem, inst.weights)
            code, text = classify_command(path)
            answer = json.loads(text)
            ok = answer["kind"] == inst.expected_kind and answer.get("agree", True) and code == 0
            t = best(lambda: classify_command(path), repeats)
            ratios.append(t / t_eig)
            lines.append(f"    {kind:>18} {digits:>3} digits: {t * 1e3:8.1f} ms = {t / t_eig:5.1f} x eigvalsh "
                         f"({t_eig * 1e3:.1f} ms), inertia {answer.get('inertia')}, {'ok' if ok else 'WRONG ANSWER'}")
    return ratios, lines


def float_row(digit_sizes: list[int], repeats: int) -> tuple[list[float], list[str]]:
    ratios, lines = [], []
    rng = random.Random(303)
    for digits in digit_sizes:
        for kind in KINDS:
            inst = large_instance(rng, 3, 10, digits=digits, kind=kind)
            reference = lambda: np.linalg.eigvalsh(hessian_matrix_float(inst.problem, inst.weights))  # noqa: E731
            t_ref = best(reference, repeats) if CLOCK is time.perf_counter else float("inf")
            with single_blas_thread():
                t_ref = min(t_ref, best(reference, repeats))
            result = classify_float(inst.problem, inst.weights)
            t = best(lambda: classify_float(inst.problem, inst.weights), repeats)
            ratios.append(t / t_ref)
            honest = result.kind != "not_critical" and result.conditional_kind in (None, inst.expected_kind)
            lines.append(f"    {kind:>18} {digits:>3} digits: {t * 1e3:7.1f} ms = {t / t_ref:5.2f} x "
                         f"(float Hessian + eigvalsh {t_ref * 1e3:.1f} ms), conditional kind "
                         f"{result.conditional_kind}, {'ok' if honest else 'WRONG ANSWER'}")
    return ratios, lines


def worst_over_rounds(measure, rounds: int) -> tuple[list[float], list[str]]:
    """Run ``measure`` (one row: per-point ratios and lines) ``rounds`` times; each point's ratio is its largest
    over the rounds, and every round's lines are kept (labelled) when there is more than one."""
    worst: list[float] = []
    lines: list[str] = []
    for k in range(rounds):
        ratios, round_lines = measure()
        worst = ratios if not worst else [max(a, b) for a, b in zip(worst, ratios)]
        lines += [f"{line}  [round {k + 1}]" for line in round_lines] if rounds > 1 else round_lines
    return worst, lines


def deep_points() -> list[tuple[str, Problem, tuple[RationalMatrix, ...], str]]:
    H = 256
    X = RationalMatrix(((Fraction(1), Fraction(2), Fraction(-1, 3)),))
    one = lambda x: RationalMatrix(((Fraction(x),),))  # noqa: E731
    alternating = tuple(one(Fraction(2) if h % 2 == 0 else Fraction(1, 2)) for h in range(H))
    global_min = (Problem(X, X), alternating, GLOBAL_MINIMIZER)
    rng = random.Random(256)
    values = [Fraction(rng.choice([1, -1, 2, -2, 3]), rng.choice([1, 2, 3])) for _ in range(H)]
    values[7] = values[100] = Fraction(0)
    Y = RationalMatrix(((Fraction(3), Fraction(-1), Fraction(2)),))
    # two zero weights: the only nonzero Hessian entries are Hess[W_101, W_8] and its mirror: inertia (1, 1, 254)
    strict = (Problem(X, Y), tuple(one(v) for v in values), STRICT_SADDLE)
    # about half the weights zero: Hess = 0 (every entry keeps a zero factor), not global: a non-strict saddle
    # (X, Y of full row rank: Lu-Kawaguchi 2017, Thm 2.3); before, 7.8 s in the Hessian route (O(H^3) products)
    halves = [Fraction(rng.choice([0, 0, 1, -1, 2]), rng.choice([1, 2, 3])) for _ in range(H)]
    halves[0] = halves[1] = halves[2] = Fraction(0)
    sparse = (Problem(X, Y), tuple(one(v) for v in halves), NON_STRICT_SADDLE)
    return [("global minimizer 2, 1/2, ...", *global_min), ("two zero weights", *strict),
            ("half the weights zero", *sparse)]


def deep_row(tmp: Path) -> tuple[list[float], list[str]]:
    times, lines = [], []
    for name, problem, weights, expected in deep_points():
        path = tmp / f"deep{len(times)}.json"
        write_point(path, problem, weights)
        t = CLOCK()
        code, text = classify_command(path, method=None)
        t = CLOCK() - t
        answer = json.loads(text)
        times.append(t)
        ok = answer["kind"] == expected and code == 0
        lines.append(f"    {name:>30}: {t:6.2f} s, {answer['kind']}, inertia {answer.get('inertia')}, "
                     f"{'ok' if ok else 'WRONG ANSWER'}")
    return times, lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1- and 40-digit points only, fewer repeats")
    parser.add_argument("--cpu", action="store_true", help="CPU time of this process instead of wall time")
    parser.add_argument("--rows", default="1,2,3,4", help="the rows to run, e.g. 1,3 (default: all)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure rows 1-3 this many times; each point's ratio is its largest over the rounds")
    args = parser.parse_args()
    global CLOCK
    if args.cpu:
        CLOCK = time.process_time
    wanted = {int(x) for x in args.rows.split(",")}
    digit_sizes = [1, 40] if args.quick else [1, 6, 40]
    repeats = 2 if args.quick else 3
    np.linalg.eigvalsh(np.eye(300) + 1.0)   # BLAS warm-up, not measured
    rows = []
    details = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        # warm-up: the imports of the exact core happen on the first call, not measured
        rng = random.Random(1)
        warm = large_instance(rng, 3, 3, digits=2, kind=GLOBAL_MINIMIZER)
        write_point(tmp / "warm.json", warm.problem, warm.weights)
        classify_command(tmp / "warm.json")
        classify_float(warm.problem, warm.weights)

        for row, label, depth, width in (
                (1, "1. classify --method hessian, n = 300 (depth 3, width 10) / eigvalsh 300", 3, 10),
                (2, "2. classify --method hessian, n = 972 (depth 3, width 18) / eigvalsh 1000", 3, 18)):
            if row not in wanted:
                continue
            ratios, lines = worst_over_rounds(lambda: hessian_rows(tmp, depth, width, digit_sizes, repeats),
                                              args.rounds)
            rows.append((label, f"{min(ratios):.1f}-{max(ratios):.1f}x", "<= 10x"))
            details.append((label, lines))
        if 3 in wanted:
            ratios, lines = worst_over_rounds(lambda: float_row(digit_sizes, repeats + 2), args.rounds)
            label = "3. classify_float, n = 300 / (float Hessian + eigvalsh)"
            rows.append((label, f"{min(ratios):.2f}-{max(ratios):.2f}x", "<= 3x"))
            details.append((label, lines))
        if 4 in wanted:
            times, lines = deep_row(tmp)
            label = "4. classify, depth 256, width 1 (256 parameters)"
            rows.append((label, f"{min(times):.2f}-{max(times):.2f} s", "well under 5 s"))
            details.append((label, lines))
    for label, lines in details:
        print(label)
        for line in lines:
            print(line)
    print()
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}} | {'measured':>12} | goal")
    for what, measured, goal in rows:
        print(f"{what:<{width}} | {measured:>12} | {goal}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
