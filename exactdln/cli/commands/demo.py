"""Run the built-in gallery: classify, certify and independently check points of every kind.

The gallery (exactdln/instances/gallery.py) holds the worked examples of Achour, Malgouyres, Gerchinovitz (2024)
and Yun, Sra, Jadbabaie (2018), random points of every family of the classification, the rank-only
counterexample pairs TC3a/TC3b and TC4a/TC4b (same ranks of every partial product, opposite classes)
and a regularized saddle. For each point it prints name, kind, fitted set S, rank, Hessian inertia and
whether the standalone checker, run as a separate process ``python -I -S checker.py CERT``, accepted
the certificate written into DIR. --json: one object per gallery point and line.
Exit status: 0 every certificate checks and claims the expected kind; 1 otherwise; 4 internal error.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from exactdln.model.results import fraction_text
from exactdln.cli.commands._contract import EXIT_NEGATIVE, EXIT_OK, CommandError, add_json_flag, emit

HELP = "certify and check a gallery of points of every kind (the README's first command)"

# The checker is run as a user would run it, never imported: it shares no code with the engine.
CHECKER = Path(__file__).resolve().parents[2] / "trusted" / "checker.py"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default="demo-certificates", metavar="DIR",
                        help="folder for the certificates (default ./demo-certificates)")
    parser.add_argument("--random", type=int, default=3, metavar="K", help="random family points per kind (default 3)")
    parser.add_argument("--seed", type=int, default=2024, help="seed of the random family points")
    add_json_flag(parser, "one JSON object per gallery point and line")


def _set_text(S) -> str:
    if S is None:
        return "-"
    return "{" + ",".join(map(str, S)) + "}"


def run(args: argparse.Namespace) -> int:
    from exactdln.certify.point import certify, write_certificate
    from exactdln.theory.classify import classify
    from exactdln.instances.gallery import RANK_ONLY_PAIRS, demo_gallery

    if args.random < 0:
        raise CommandError("--random must be >= 0")
    start = time.monotonic()
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as err:
        raise CommandError(f"cannot create {args.out}: {err.strerror or err}") from None
    header = f"{'name':<9} {'kind (certified)':<19} {'S':<9} {'rank':>4}  {'inertia':<29} {'checker':<8} remark"
    if not args.json:
        print(header)
        print("-" * len(header))
    failures = []
    ranks = {}
    kinds = {}
    partner = {**{a: b for a, b in RANK_ONLY_PAIRS}, **{b: a for a, b in RANK_ONLY_PAIRS}}
    pairs_seen = set()
    for case in demo_gallery(random_points_per_kind=args.random, seed=args.seed):
        problem, weights = case.instance.problem, case.instance.weights
        try:
            verdict = classify(problem, weights)
        except Exception as err:   # the classifier is another module; its failure must not hide the certificate
            verdict = None
            print(f"exactdln demo: note: classify failed on {case.name}: {type(err).__name__}: {err}",
                  file=sys.stderr)
        certificate = certify(problem, weights)
        path = os.path.join(args.out, f"{case.name}.json")
        status = "REFUSED"
        if certificate.ok and _written(write_certificate, certificate, path):
            done = subprocess.run([sys.executable, "-I", "-S", str(CHECKER), path], capture_output=True, text=True)
            status = "ok" if done.returncode == 0 else f"exit {done.returncode}"
        good = status == "ok" and certificate.kind == case.certifiable_kind
        if not good:
            failures.append(case.name)
        ranks[case.name] = verdict.partial_ranks if verdict else None
        kinds[case.name] = certificate.kind
        pair = None
        if partner.get(case.name) in kinds:      # both members of a rank-only pair are done
            a, b = partner[case.name], case.name
            same = ranks.get(a) == ranks.get(b)
            pair = {"with": a, "same_partial_ranks": same, "kinds": [kinds.get(a), kinds.get(b)]}
            pairs_seen.add(frozenset((a, b)))
            if not same or kinds.get(a) == kinds.get(b):
                failures.append(f"{a}/{b}")
        if args.json:
            emit({"file": path if status != "REFUSED" else None, "name": case.name, "kind": certificate.kind,
                  "expected_kind": case.certifiable_kind,
                  "critical": verdict.critical if verdict else None,
                  "loss": fraction_text(verdict.loss) if verdict else None,
                  "inertia": verdict.inertia.to_json() if verdict and verdict.inertia is not None else None,
                  "fitted": list(verdict.fitted) if verdict and verdict.fitted is not None else None,
                  "rank": verdict.rank if verdict else None,
                  "checker": status, "ok": good, "remark": case.remark, "rank_only_pair": pair})
            continue
        shown = certificate.kind or "(none)"
        inertia = str(verdict.inertia) if verdict and verdict.inertia is not None else "-"
        fitted = _set_text(verdict.fitted) if verdict else "?"
        rank = str(verdict.rank) if verdict else "?"
        print(f"{case.name:<9} {shown:<19} {fitted:<9} {rank:>4}  {inertia:<29} "
              f"{status:<8} {case.remark}" + ("" if good else "   <-- FAILED"), flush=True)
    failures += [f"{a}/{b}" for a, b in RANK_ONLY_PAIRS if frozenset((a, b)) not in pairs_seen]
    if not args.json:
        print()
        for a, b in RANK_ONLY_PAIRS:
            same = ranks.get(a) == ranks.get(b)
            print(f"rank-only rule refuted: {a} and {b} have {'the same' if same else 'DIFFERENT'} partial ranks "
                  f"W_(j:i), yet {a} is a {kinds.get(a)} and {b} a {kinds.get(b)}")
        elapsed = time.monotonic() - start
        print(f"\ncertificates in {args.out}/; each re-checked by python -I -S {os.path.relpath(CHECKER)}; "
              f"{elapsed:.1f} s")
    if failures:
        print(f"exactdln demo: FAILED: {', '.join(failures)}", file=sys.stderr)
        return EXIT_NEGATIVE
    return EXIT_OK


def _written(write, certificate, path: str) -> bool:
    """Write the certificate; False when the engine's own checker gate refuses it."""
    from exactdln.certify.point import CertificateError

    try:
        write(certificate, path)
    except CertificateError:
        return False
    return True
