"""Snap float weights to the exact critical point they approximate and classify it exactly.

FILE is a JSON point file {"X", "Y", "weights", "lambda"?} whose weights may be binary floats (X, Y
and lambda read as the decimals written), a ``.npz`` (arrays X, Y and W1..WH or weights; lambda
optional) or a torch file (``torch.save`` of a dict with X, Y and weights or state_dict), whatever
its name: the format is read from the content. Float X, Y or lambda in ``.npz`` and torch files
are read exactly by the rule of --floats (decimal: the shortest decimal that round-trips; binary:
the exact binary64 value); without it they are refused. Answers "my optimizer stopped here: what
is this point, exactly?". The exact point lies over Q or, for generic data, over the number field of
its fitted eigenvalues (docs/maths/algebraic.md §2, §10-§12). "Snapped" only within relative distance
--tolerance (default 1e-6) of the float weights; otherwise exit 1 with the nearest exact critical point
found, its distance and why. -o POINT.json writes the exact point (X, Y, lambda, snapped weights, and the
"field" when it is not Q), a file that classify reads. --json: one object per file and line, with the exact
weights. Exit status: 0 every file snapped; 1 no exact critical point within the tolerance for some file;
2 bad input; 4 internal error.
"""

from __future__ import annotations

import argparse
import json

from exactdln.cli.commands._contract import EXIT_NEGATIVE, EXIT_OK, CommandError, add_json_flag, each_file, emit

HELP = "snap float weights (JSON, .npz or torch file) to the exact critical point they approximate"


def add_floats_option(parser: argparse.ArgumentParser) -> None:
    """``--floats binary|decimal``: the rule for float data (exactdln/model/convert.py); no default."""
    parser.add_argument("--floats", choices=("binary", "decimal"), default=None,
                        help="read float X, Y, lambda (.npz, torch files) exactly as the shortest decimal that "
                             "round-trips (decimal: 0.1 -> 1/10) or as the exact binary64 value (binary); "
                             "default: refuse floats")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="JSON, .npz or torch file with X, Y and float weights")
    add_json_flag(parser, "one JSON object per file and line (with the exact weights)")
    add_floats_option(parser)
    parser.add_argument("-o", "--output", metavar="POINT.json",
                        help="write the snapped exact point (X, Y, lambda, weights, field) as a point file (one FILE only)")
    parser.add_argument("--tolerance", type=_positive_float, default=1e-6, metavar="REL",
                        help="largest relative distance at which a point counts as snapped (default 1e-6)")
    parser.add_argument("--degree-cap", type=int, default=64, metavar="D",
                        help="largest degree of the number field of the fitted eigenvalues (default 64)")


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive finite number, got {text!r}")
    return value


def run(args: argparse.Namespace) -> int:
    if args.output and len(args.files) != 1:
        raise CommandError("-o writes one point: give one FILE")
    shown = []

    def one(path: str) -> int:
        from exactdln.tools.interop import load_point_file
        from exactdln.tools.snap import snap

        problem, weights = load_point_file(path, args.floats, exact_weights=False)
        result = snap(problem, weights, args.tolerance, degree_cap=args.degree_cap)
        if args.output and result.snapped:
            if result.weights is not None:
                write_point(args.output, problem, result.weights)
            else:
                write_json(args.output, result.point.to_point_json())
        if args.json:
            emit({"file": path, **result.to_json(), **({"output": args.output} if args.output and result.snapped else {})})
        else:
            if shown:
                print()
            print(f"{path}\n{result}", flush=True)
            if args.output:
                print(f"point: {args.output}" if result.snapped else f"point: not written ({args.output})")
        shown.append(path)
        return EXIT_OK if result.snapped else EXIT_NEGATIVE

    return each_file(args, args.files, one)


def write_point(path: str, problem, weights) -> None:
    """The point file {"X", "Y", "lambda", "weights"} of exact numbers (strings "p/q"), read by load_point."""
    write_json(path, {**problem.to_json(), "weights": [w.to_json() for w in weights]})


def write_json(path: str, data: dict) -> None:
    try:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
            fh.write("\n")
    except OSError as err:
        raise CommandError(f"cannot write {path}: {err.strerror or err}") from None
