"""Classify a point of the regularized loss (lambda > 0) and test the error bound there.

Prints, per file, the verdict with how it was decided (the closed-form critical values for whitened
data, "Theorem R1" of this project's reconstruction of Chen, Jiang, Wang 2025, docs/maths/regularized.md
§3; the exact Hessian inertia with the orbit directions factored out), the error-bound test (Hessian
nullity versus orbit dimension, kappa = 1/mu_+ bracketed), the data condition "Theorem R2"
(docs/maths/regularized.md §4.4) and, with --critical-values, every critical value. --json: one JSON object per file and line.
Exit status: 0 the error bound holds (or is not tested); 1 the error bound fails at the point;
2 bad input (lambda_h <= 0 included); 4 internal error.
"""

from __future__ import annotations

import argparse

from exactdln.model.problem import InputError
from exactdln.model.results import number_text
from exactdln.cli.commands._contract import EXIT_NEGATIVE, EXIT_OK, add_json_flag, each_file, emit

HELP = "regularized loss: verdict, error-bound test, Theorem R2 data condition, critical values"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="point files with lambda > 0")
    add_json_flag(parser)
    parser.add_argument("--critical-values", action="store_true", help="enumerate all critical values (whitened data)")


def run(args: argparse.Namespace) -> int:
    shown = []

    def one(path: str) -> int:
        out, result = _analyse(path, args.critical_values)
        if args.json:
            emit(out)
        else:
            if shown:
                print()
            print(_text(path, out, result), flush=True)
        shown.append(path)
        eb = result.error_bound
        return EXIT_NEGATIVE if eb is not None and not eb.holds else EXIT_OK

    return each_file(args, args.files, one)


def _analyse(path: str, critical_values: bool):
    from exactdln.model.problem import load_point
    from exactdln.theory import regularized as R

    problem, weights = load_point(path)
    if any(l <= 0 for l in problem.layer_lambdas(len(weights))):
        raise InputError("every lambda_h must be > 0 for this command", "lambda", path)
    result = R.classify_regularized(problem, weights)
    out = {"file": path, **result.to_json()}
    if R.whitening_constant(problem) is not None:
        holds, bad = R.error_bound_data_condition(problem, len(weights))
        out["theorem_R2"] = {"error_bound_everywhere": holds, "offending_y_squared": [b.to_json() for b in bad]}
        if critical_values:
            widths = (weights[0].ncols,) + tuple(w.nrows for w in weights)
            try:
                form = R.closed_form_spectrum(problem, widths)
                out["critical_values"] = [v.to_json() for v in R.critical_values(form)]
            except NotImplementedError as err:
                out["critical_values"] = str(err)
    return out, result


def _text(path: str, out: dict, result) -> str:
    lines = [path, str(result)]
    if "theorem_R2" in out:
        lines.append("Theorem R2 (docs/maths/regularized.md §4.4): "
                     f"error bound near every critical point: {out['theorem_R2']['error_bound_everywhere']}")
    values = out.get("critical_values")
    if isinstance(values, str):
        lines.append(f"critical values: {values}")
    for v in values if isinstance(values, list) else []:
        value = v["value"]
        shown = number_text(value) if isinstance(value, str) else "in [" + ", ".join(map(number_text, value)) + "]"
        lines.append(f"  critical value {shown} (rank {v['rank']})")
    return "\n".join(lines)
