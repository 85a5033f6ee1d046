"""Benchmark: classify, certify and check points over a number field (docs/maths/algebraic.md §7, §9, §14).

Random data X (5 x 8), Y (5 x 8) with small rational entries; critical points of a depth-3, width-5 network
fitting S = {1, 2} (a non-strict saddle) and S = {1, 3} (a strict saddle), built exactly over the field of S
(degree up to C(5, 2) = 10) by exactdln/instances/algebraic_critical.py. Printed: the field degree, and for
each point the CPU and wall times of its construction, of classify (method auto and theorem), of certify (engine and the checker
subprocess) and of the standalone checker alone; and, in the same run, classify on a rational point of the
same shape (the rational path is not touched by the field code) for the ratio. Targets from the issue:
classify < 10 s, certificate checked < 10 s.

    python bench/bench_field.py [seed]
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from fractions import Fraction

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from exactdln.certify.point import certify  # noqa: E402
from exactdln.instances.algebraic_critical import critical_point_for_fitted_set  # noqa: E402
from exactdln.model.field_format import algebraic_point_from_mapping  # noqa: E402
from exactdln.theory.classify import classify  # noqa: E402
from exactdln.model.problem import Problem  # noqa: E402

CHECKER = os.path.join(ROOT, "exactdln", "trusted", "checker.py")


def timed(f):
    c, w = time.process_time(), time.perf_counter()
    out = f()
    return out, time.process_time() - c, time.perf_counter() - w


def main(seed: int = 1) -> None:
    rng = random.Random(seed)
    X = [[Fraction(rng.randint(-9, 9), rng.randint(1, 3)) for _ in range(8)] for _ in range(5)]
    Y = [[Fraction(rng.randint(-9, 9), rng.randint(1, 3)) for _ in range(8)] for _ in range(5)]
    widths = [5, 5, 5, 5]
    for S in ((1, 2), (1, 3)):
        point, cpu, wall = timed(lambda: critical_point_for_fitted_set(X, Y, S, widths))
        problem, weights = algebraic_point_from_mapping(point.to_point_json())
        print(f"S = {set(S)}: field degree {point.degree}")
        print(f"  construct (field, point, exact check) cpu {cpu:6.2f} s  wall {wall:6.2f} s")
        for method in ("auto", "theorem"):
            result, cpu, wall = timed(lambda: classify(problem, weights, method=method))
            print(f"  classify --method {method:8s} {result.kind:18s} cpu {cpu:6.2f} s  wall {wall:6.2f} s")
        cert, cpu, wall = timed(lambda: certify(problem, weights))
        print(f"  certify (with the checker)   kind {cert.kind}  checked {cert.ok}  cpu {cpu:6.2f} s  wall {wall:6.2f} s")
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "cert.json")
            with open(path, "w") as fh:
                fh.write(cert.text)
            start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
            run = subprocess.run([sys.executable, "-I", "-S", CHECKER, path], capture_output=True, text=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            print(f"  checker alone                exit {run.returncode}  cpu {cpu:6.2f} s  "
                  f"wall {time.perf_counter() - start:6.2f} s")
    rational = [[[Fraction(rng.randint(-3, 3)) for _ in range(5)] for _ in range(5)] for _ in range(3)]
    result, cpu, wall = timed(lambda: classify(Problem.create(X, Y), rational))
    print(f"rational point, same shape: classify {result.kind}  cpu {cpu:6.2f} s  wall {wall:6.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
