"""Run the exact, float64 and mpmath paths on point files and report contradictions.

The numeric paths are independent cross-checks of the exact one. A *contradiction* is two definite
verdicts that differ (or two decided inertias of the same critical point); a numeric path that is
inconclusive, a numeric verdict that is only conditional ("this kind if the point is critical"),
and an exact "undecided" contradict nothing. Text: one block per file; --json: one object per file
and line (file, critical, kind, inertia of the exact path; float, mp; conflicts, agree, notes).
Exit status: 0 no contradiction; 1 two definite verdicts contradict each other (then one path is
wrong: the output names both); 2 bad input; 4 internal error.
"""

from __future__ import annotations

import argparse

from exactdln.model.problem import load_point
from exactdln.cli.commands._contract import (
    EXIT_NEGATIVE,
    EXIT_OK,
    CommandError,
    add_json_flag,
    each_file,
    emit,
)

HELP = "run the exact, float64 and mpmath paths and check that no definite verdicts contradict each other"

_COLUMNS = ("file", "exact_kind", "float_kind", "mp_kind", "exact_inertia", "float_inertia", "mp_inertia",
            "mp_digits", "agree")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="point files {X, Y, weights, lambda?}")
    add_json_flag(parser)
    parser.add_argument("--max-digits", type=int, default=480, help="precision cap of the mpmath path (default 480)")
    parser.add_argument("--no-exact", action="store_true", help="skip the exact path (numeric paths only)")


def run(args: argparse.Namespace) -> int:
    from exactdln.tools.crosscheck import crosscheck

    if args.max_digits < 1:
        raise CommandError("--max-digits must be >= 1")
    shown = []

    def one(path: str) -> int:
        from exactdln.model.field_format import AlgebraicProblem, algebraic_point_from_mapping

        problem, weights = load_point(path, fields=algebraic_point_from_mapping)
        if isinstance(problem, AlgebraicProblem):     # entries in a number field: exactdln/tools/field_crosscheck.py
            from exactdln.tools.field_crosscheck import crosscheck_field

            result = crosscheck_field(problem, weights, source=path, exact=not args.no_exact,
                                      max_digits=args.max_digits)
        else:
            result = crosscheck(problem, weights, source=path, exact=not args.no_exact, max_digits=args.max_digits)
        if args.json:
            record = dict(result.to_json())
            record["file"] = path
            exact = getattr(result, "exact", None)      # the exact verdict's keys, also from an older to_json()
            record.setdefault("critical", exact.critical if exact is not None else None)
            record.setdefault("kind", exact.kind if exact is not None else None)
            record.setdefault("inertia", exact.inertia.to_json() if exact is not None and exact.inertia else None)
            emit(record)
        else:
            if shown:
                print()
            print(_text(result), flush=True)
        shown.append(path)
        return EXIT_OK if result.agree else EXIT_NEGATIVE

    return each_file(args, args.files, one)


def _text(result) -> str:
    """The result's own __str__; a two-line table of its row() if it has none."""
    if type(result).__str__ is not object.__str__:
        return str(result)
    row = {c: str(v) for c, v in result.row().items()}
    columns = [c for c in _COLUMNS if c in row] + [c for c in row if c not in _COLUMNS]
    widths = [max(len(c), len(row[c])) for c in columns]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)),
             "  ".join(row[c].ljust(w) for c, w in zip(columns, widths))]
    lines += [f"CONTRADICTION {row.get('file', '')}: {c}" for c in result.conflicts]
    lines += [f"note: {n}" for n in (getattr(result, "notes", None) or ()) if isinstance(n, str)]
    if getattr(result, "exact_error", None):
        lines.append(f"note: {result.exact_error}")
    return "\n".join(lines)
