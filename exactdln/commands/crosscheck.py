"""Run the exact, float64 and mpmath paths on point files and report contradictions.

Columns: file, exact_kind, float_kind, mp_kind, the three Hessian inertias, mp_digits
and agree. ``inconclusive`` (numeric) and ``undecided`` (exact) contradict nothing.
Exit status: 0 when no path contradicts another, 1 when one does (a bug to report),
2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..problem import InputError, load_point

HELP = "run the exact, float64 and mpmath paths and check that none contradicts another"

_COLUMNS = ("file", "exact_kind", "float_kind", "mp_kind", "exact_inertia", "float_inertia", "mp_inertia", "mp_digits", "agree")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="point files {X, Y, weights, lambda?}")
    parser.add_argument("--json", action="store_true", help="one JSON object per file, in a list")
    parser.add_argument("--max-digits", type=int, default=480, help="precision cap of the mpmath path (default 480)")
    parser.add_argument("--no-exact", action="store_true", help="skip the exact path (numeric paths only)")


def run(args: argparse.Namespace) -> int:
    from ..crosscheck import crosscheck

    points = []
    for path in args.files:
        try:
            points.append((path, *load_point(path)))
        except InputError as err:
            print(f"exactdln crosscheck: {err}", file=sys.stderr)
            return 2
    results = [crosscheck(problem, weights, source=path, exact=not args.no_exact, max_digits=args.max_digits)
               for path, problem, weights in points]
    if args.json:
        print(json.dumps([r.to_json() for r in results], indent=2))
    else:
        rows = [[str(r.row()[c]) for c in _COLUMNS] for r in results]
        widths = [max(len(c), *(len(row[i]) for row in rows)) for i, c in enumerate(_COLUMNS)]
        print("  ".join(c.ljust(w) for c, w in zip(_COLUMNS, widths)))
        for row in rows:
            print("  ".join(v.ljust(w) for v, w in zip(row, widths)))
        for r in results:
            for c in r.conflicts:
                print(f"CONTRADICTION {r.source}: {c}")
            if r.exact_error:
                print(f"note {r.source}: {r.exact_error}")
    return 1 if any(not r.agree for r in results) else 0
