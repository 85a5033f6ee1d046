"""Snap float weights to the exact critical point they approximate and classify it exactly.

FILE is ``.npz`` (arrays X, Y and W1..WH or weights; lambda optional) or JSON
{"X", "Y", "weights", "lambda"?} where the weights may be binary floats (X, Y exact).
Answers "my optimizer stopped here: what is this point, exactly?". Exit status: 0 when
snapped, 1 when no exact critical point could be identified, 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..problem import InputError

HELP = "snap float weights (.npz or JSON) to the exact critical point they approximate"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help=".npz or JSON with X, Y and float weights")
    parser.add_argument("--json", action="store_true", help="print the result as JSON (with the exact weights)")


def run(args: argparse.Namespace) -> int:
    from ..snap import load_float_point, snap

    try:
        problem, weights = load_float_point(args.file)
        result = snap(problem, weights)
    except InputError as err:
        print(f"exactdln snap: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(result)
    return 0 if result.snapped else 1
