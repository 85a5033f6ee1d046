"""Classify points: a readable verdict, or one JSON object per file and line (--json).

Exit status: 0 all classified and every route agrees; 2 bad input; 3 routes disagree
(a finding: each route's verdict is printed).
"""

from __future__ import annotations

import json
import sys

from dataclasses import replace

from ..problem import DEFAULT_LIMITS, InputError, load_point

HELP = "decide exactly what each point is (global minimizer, strict or non-strict saddle, not critical)"


def add_arguments(parser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="point files {X, Y, weights, lambda?}")
    parser.add_argument("--json", action="store_true", help="one JSON object per file and line")
    parser.add_argument("--method", choices=("auto", "theorem", "hessian"), default="auto",
                        help="theorem: never build the Hessian; hessian: always compute the exact inertia; "
                             "auto: both up to %(limit)s parameters" % {"limit": _limit()})
    parser.add_argument("--latex", action="store_true", help="(families) exceptional set as LaTeX")
    parser.add_argument("--max-file-mb", type=float, default=DEFAULT_LIMITS.max_file_bytes / 2**20, metavar="MB",
                        help="refuse point files larger than this many MiB (default %(default)g)")


def _limit() -> int:
    from ..classify import AUTO_HESSIAN_LIMIT

    return AUTO_HESSIAN_LIMIT


def _is_family(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 20)
        return b'"parameters"' in head
    except OSError:
        return False


def run(args) -> int:
    from ..classify import classify

    status = 0
    if not args.max_file_mb > 0:
        print("exactdln: --max-file-mb must be positive", file=sys.stderr)
        return 2
    limits = replace(DEFAULT_LIMITS, max_file_bytes=int(args.max_file_mb * 2**20))
    for i, path in enumerate(args.files):
        try:
            if _is_family(path):
                result = _classify_family(path, args)
            else:
                problem, weights = load_point(path, limits)
                result = classify(problem, weights, method=args.method, source=path)
        except InputError as err:
            print(f"exactdln: {err}", file=sys.stderr)
            status = max(status, 2)
            continue
        if args.json:
            print(json.dumps(result.to_json()), flush=True)
        else:
            if i:
                print()
            print(result)
        if not getattr(result, "agree", True):
            status = max(status, 3) if status != 2 else 2
    return status


def _classify_family(path: str, args):
    try:
        from ..symbolic import classify_family  # type: ignore[attr-defined]
    except ImportError as err:
        raise InputError(f"parametric families are not supported in this build ({err})", "parameters", path)
    verdict = classify_family(path)
    if args.latex and hasattr(verdict, "latex"):
        print(verdict.latex())
    return verdict
