"""Run the built-in gallery: classify, certify and independently check points of every kind.

The gallery (exactdln/gallery.py) holds the worked examples of achour.md §8 and yun.md §4, random
points of every family of achour.md §3, the rank-only counterexample pairs TC3a/TC3b and
TC4a/TC4b (same ranks of every partial product, opposite classes) and a regularized saddle.
For each point it prints name, kind, fitted set S, rank, Hessian inertia and whether the
standalone checker, run as a separate process ``python -I -S checker.py CERT``, accepted the
certificate written into DIR. Exit status 0 when every certificate checks and claims the
expected kind, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

HELP = "certify and check a gallery of points of every kind (the README's first command)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default="demo-certificates", metavar="DIR",
                        help="folder for the certificates (default ./demo-certificates)")
    parser.add_argument("--random", type=int, default=3, metavar="K", help="random family points per kind (default 3)")
    parser.add_argument("--seed", type=int, default=2024, help="seed of the random family points")


def _set_text(S) -> str:
    if S is None:
        return "-"
    return "{" + ",".join(map(str, S)) + "}"


def run(args: argparse.Namespace) -> int:
    from .. import checker
    from ..certificates.certify import certify, write_certificate
    from ..classify import classify
    from ..gallery import RANK_ONLY_PAIRS, demo_gallery

    start = time.monotonic()
    os.makedirs(args.out, exist_ok=True)
    checker_path = os.path.abspath(checker.__file__)
    header = f"{'name':<9} {'kind (certified)':<19} {'S':<9} {'rank':>4}  {'inertia':<16} {'checker':<8} remark"
    print(header)
    print("-" * len(header))
    failures = []
    ranks = {}
    kinds = {}
    for case in demo_gallery(random_points_per_kind=args.random, seed=args.seed):
        problem, weights = case.instance.problem, case.instance.weights
        try:
            verdict = classify(problem, weights)
        except Exception as err:   # the classifier is another module; its failure must not hide the certificate
            verdict = None
            print(f"note: classify failed on {case.name}: {type(err).__name__}: {err}", file=sys.stderr)
        certificate = certify(problem, weights)
        path = os.path.join(args.out, f"{case.name}.json")
        status = "REFUSED"
        if certificate.ok:
            write_certificate(certificate, path)
            done = subprocess.run([sys.executable, "-I", "-S", checker_path, path], capture_output=True, text=True)
            status = "ok" if done.returncode == 0 else f"exit {done.returncode}"
        good = status == "ok" and certificate.kind == case.certifiable_kind
        if not good:
            failures.append(case.name)
        ranks[case.name] = verdict.partial_ranks if verdict else None
        kinds[case.name] = certificate.kind
        shown = certificate.kind or "(none)"
        inertia = str(verdict.inertia) if verdict and verdict.inertia is not None else "-"
        fitted = _set_text(verdict.fitted) if verdict else "?"
        rank = str(verdict.rank) if verdict else "?"
        print(f"{case.name:<9} {shown:<19} {fitted:<9} {rank:>4}  {inertia:<16} "
              f"{status:<8} {case.remark}" + ("" if good else "   <-- FAILED"))
    print()
    for a, b in RANK_ONLY_PAIRS:
        same = ranks.get(a) == ranks.get(b)
        print(f"rank-only rule refuted: {a} and {b} have {'the same' if same else 'DIFFERENT'} partial ranks "
              f"W_(j:i), yet {a} is a {kinds.get(a)} and {b} a {kinds.get(b)}")
        if not same or kinds.get(a) == kinds.get(b):
            failures.append(f"{a}/{b}")
    elapsed = time.monotonic() - start
    print(f"\ncertificates in {args.out}/; each re-checked by python -I -S {os.path.relpath(checker_path)}; "
          f"{elapsed:.1f} s")
    if failures:
        print(f"FAILED: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0
