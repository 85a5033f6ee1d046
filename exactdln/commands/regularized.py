"""Classify a point of the regularized loss (lambda > 0) and test the error bound there.

Prints the verdict with how it was decided (closed form of Theorem R1 for whitened data,
exact Hessian inertia with the orbit directions factored out), the error-bound test
(Hessian nullity versus orbit dimension, kappa = 1/mu_+ bracketed), the data condition of
Theorem R2 and, with --critical-values, every critical value (regularized.md §3-§4).
Exit 0 ok, 1 when the error bound fails, 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..problem import InputError

HELP = "regularized loss: verdict, error-bound test, Theorem R2 data condition, critical values"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="point file with lambda > 0")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--critical-values", action="store_true", help="enumerate all critical values (whitened data)")


def run(args: argparse.Namespace) -> int:
    from ..problem import load_point
    from ..theory import regularized as R

    try:
        problem, weights = load_point(args.file)
        if any(l <= 0 for l in problem.layer_lambdas(len(weights))):
            raise InputError("every lambda_h must be > 0 for this command", "lambda", args.file)
        result = R.classify_regularized(problem, weights)
    except InputError as err:
        print(f"exactdln regularized: {err}", file=sys.stderr)
        return 2
    out = result.to_json()
    if R.whitening_constant(problem) is not None:
        holds, bad = R.error_bound_data_condition(problem, len(weights))
        out["theorem_R2"] = {"error_bound_everywhere": holds, "offending_y_squared": [b.to_json() for b in bad]}
        if args.critical_values:
            widths = (weights[0].ncols,) + tuple(w.nrows for w in weights)
            try:
                form = R.closed_form_spectrum(problem, widths)
                out["critical_values"] = [v.to_json() for v in R.critical_values(form)]
            except NotImplementedError as err:
                out["critical_values"] = str(err)
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(result)
        if "theorem_R2" in out:
            print(f"Theorem R2: error bound near every critical point: {out['theorem_R2']['error_bound_everywhere']}")
        for v in out.get("critical_values", []) if isinstance(out.get("critical_values"), list) else []:
            print(f"  critical value {v['value']} (rank {v['rank']})")
    eb = result.error_bound
    return 1 if eb is not None and not eb.holds else 0
