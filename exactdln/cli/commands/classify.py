"""Classify points: a readable verdict per file, or one JSON object per file and line (--json).

A point file {X, Y, weights, lambda?} gets the exact verdict of three routes (the classification
of Achour, Malgouyres, Gerchinovitz 2024; the global-optimality test of Yun, Sra, Jadbabaie 2018,
Theorems 2.1/2.2; the exact Hessian inertia); a family file (with "parameters") gets a verdict that
holds outside an exceptional set. With --snap, FILE holds float weights (JSON, .npz or torch file, float
data read by the rule of --floats, as for `snap`): they are snapped to an exact critical point
(exactdln/tools/snap.py) and that point is classified, the snap's route and distance printed beside it.
Exit status: 0 every file classified and every route agrees; 1 (--snap) a float point did not snap;
2 bad input; 3 the exact routes disagree (a finding: each route's verdict is printed); 4 internal error.
"""

from __future__ import annotations

from dataclasses import replace

from exactdln.model.field_format import algebraic_point_from_mapping
from exactdln.model.problem import DEFAULT_LIMITS, InputError, load_point
from exactdln.cli.commands._contract import (
    EXIT_BAD_INPUT,
    EXIT_DISAGREE,
    EXIT_NEGATIVE,
    EXIT_OK,
    CommandError,
    add_json_flag,
    each_file,
    emit,
)

HELP = "decide exactly what each point is (global minimizer, strict or non-strict saddle, not critical)"


def add_arguments(parser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="point files {X, Y, weights, lambda?}")
    add_json_flag(parser)
    parser.add_argument("--method", choices=("auto", "theorem", "hessian"), default="auto",
                        help="theorem: never build the Hessian; hessian: always compute the exact inertia; "
                             "auto: both up to %(limit)s parameters" % {"limit": _limit()})
    parser.add_argument("--latex", action="store_true",
                        help="(families) exceptional set as LaTeX (the key \"latex\" with --json)")
    parser.add_argument("--snap", action="store_true",
                        help="FILE holds float weights: snap them to an exact critical point, then classify that")
    from exactdln.cli.commands.snap import add_floats_option

    add_floats_option(parser)
    parser.add_argument("--max-file-mb", type=float, default=DEFAULT_LIMITS.max_file_bytes / 2**20, metavar="MB",
                        help="refuse point files larger than this many MiB (default %(default)g)")
    parser.add_argument("--workers", type=int, default=2, metavar="N",
                        help="processes per point: with 2 (the default) a large point's eigenvalues of Sigma are "
                             "proven in a second process beside the products; 1 keeps one process (same answers)")


def _limit() -> int:
    from exactdln.theory.routes import AUTO_HESSIAN_LIMIT   # not theory.classify: the parser imports no FLINT

    return AUTO_HESSIAN_LIMIT


def _is_family(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 20)
        return b'"parameters"' in head
    except OSError:
        return False


def run(args) -> int:
    if not args.max_file_mb > 0:
        raise CommandError("--max-file-mb must be positive", EXIT_BAD_INPUT)
    if args.workers < 1:
        raise CommandError("--workers must be at least 1", EXIT_BAD_INPUT)
    limits = replace(DEFAULT_LIMITS, max_file_bytes=int(args.max_file_mb * 2**20))
    printed = []

    def one(path: str) -> int:
        from exactdln.theory.classify import classify

        latex = None
        if args.snap:
            return _snap_then_classify(path, args, printed)
        if _is_family(path):
            result, latex = _classify_family(path, args)
        else:
            problem, weights = load_point(path, limits, fields=algebraic_point_from_mapping)
            result = classify(problem, weights, method=args.method, source=path, workers=args.workers)
        if args.json:
            record = {"file": path, **result.to_json()}
            record["file"] = path
            if latex is not None:
                record["latex"] = latex
            emit(record)
        else:
            if printed:
                print()
            print(result)
            if latex is not None:
                print(latex)
        printed.append(path)
        return EXIT_OK if getattr(result, "agree", True) else EXIT_DISAGREE

    return each_file(args, args.files, one)


def _snap_then_classify(path: str, args, printed: list) -> int:
    """Snap the float point of ``path`` (exactdln/tools/snap.py) and classify the exact point it snaps to."""
    from exactdln.theory.classify import classify
    from exactdln.tools.interop import load_point_file
    from exactdln.tools.snap import snap

    problem, weights = load_point_file(path, args.floats, exact_weights=False)
    snapped = snap(problem, weights)
    if snapped.snapped and snapped.weights is None:          # snapped over a number field (snap's algebraic route)
        problem, exact_weights = snapped.point.problem, snapped.point.weights
    else:
        exact_weights = snapped.weights
    result = classify(problem, list(exact_weights), method=args.method, source=path) if snapped.snapped else None
    if args.json:
        snap_record = {k: v for k, v in snapped.to_json().items() if k != "weights"}
        record = {"file": path, **(result.to_json() if result is not None else {"kind": None}),
                  "snap": snap_record}
        record["file"] = path
        emit(record)
    else:
        if printed:
            print()
        if result is None:
            print(f"{path}: not snapped, nothing classified\n" + "\n".join(f"  - {n}" for n in snapped.notes))
        else:
            print(f"{path}: snapped by {snapped.route}, distance {snapped.distance:.3g} "
                  f"(relative {snapped.relative_distance:.3g}) from the float weights")
            print(result)
    printed.append(path)
    if result is None:
        return EXIT_NEGATIVE
    return EXIT_OK if getattr(result, "agree", True) else EXIT_DISAGREE


def _classify_family(path: str, args):
    try:
        from exactdln.symbolic import classify_family
    except ImportError as err:
        raise InputError(f"parametric families are not supported in this build ({err})", "parameters", path)
    verdict = classify_family(path)
    latex = verdict.latex() if args.latex and hasattr(verdict, "latex") else None
    return verdict, latex
