"""Snap float weights to the exact critical point they approximate and classify it exactly.

FILE is ``.npz`` (arrays X, Y and W1..WH or weights; lambda optional) or JSON
{"X", "Y", "weights", "lambda"?} where the weights may be binary floats (X, Y exact).
Answers "my optimizer stopped here: what is this point, exactly?". --json: one object per file
and line, with the exact weights.
Exit status: 0 every file snapped; 1 no exact critical point was identified for some file;
2 bad input; 4 internal error.
"""

from __future__ import annotations

import argparse

from exactdln.cli.commands._contract import EXIT_NEGATIVE, EXIT_OK, add_json_flag, each_file, emit

HELP = "snap float weights (.npz or JSON) to the exact critical point they approximate"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help=".npz or JSON with X, Y and float weights")
    add_json_flag(parser, "one JSON object per file and line (with the exact weights)")


def run(args: argparse.Namespace) -> int:
    shown = []

    def one(path: str) -> int:
        from exactdln.tools.snap import load_float_point, snap

        problem, weights = load_float_point(path)
        result = snap(problem, weights)
        if args.json:
            emit({"file": path, **result.to_json()})
        else:
            if shown:
                print()
            print(f"{path}\n{result}", flush=True)
        shown.append(path)
        return EXIT_OK if result.snapped else EXIT_NEGATIVE

    return each_file(args, args.files, one)
