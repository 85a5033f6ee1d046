"""Write a certificate for a point's class, re-checked by the standalone checker before it is written.

FILE is a point {X, Y, weights, lambda?}. The certificate (format: exactdln/certificates/FORMAT.md)
holds the evidence for the point's kind: a nonzero gradient entry, a top-eigenspace separator,
a negative-curvature direction, or a PSD Hessian factorization plus an escape curve.
Exit status: 0 written and checked; 1 the checker refused it or no kind could be certified
(nothing is written in the first case, the proven facts are written in the second); 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..problem import InputError, load_point

HELP = "write a checked certificate (JSON) for the class of a point"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="point file {X, Y, weights, lambda?}")
    parser.add_argument("-o", "--output", metavar="CERT", help="certificate path (default: FILE with .cert.json)")
    parser.add_argument("--escape-time", type=float, default=20.0, metavar="SECONDS",
                        help="time budget of the escape-curve search at non-strict saddles (default 20)")
    parser.add_argument("--quiet", action="store_true", help="print only the verdict line")


def run(args: argparse.Namespace) -> int:
    from ..certificates.certify import certify, write_certificate

    if _has_parameters(args.file):
        return _run_family(args)
    try:
        problem, weights = load_point(args.file)
    except InputError as err:
        print(f"exactdln certify: {err}", file=sys.stderr)
        return 2
    except (OSError, json.JSONDecodeError) as err:
        print(f"exactdln certify: {args.file}: {err}", file=sys.stderr)
        return 2
    certificate = certify(problem, weights, escape_time_limit=args.escape_time)
    output = args.output or _default_output(args.file)
    if not certificate.ok:
        print(f"exactdln certify: the checker refused the certificate for {args.file}; nothing written",
              file=sys.stderr)
        print(certificate, file=sys.stderr)
        return 1
    write_certificate(certificate, output)
    if args.quiet:
        print(f"{args.file}: {certificate.kind or 'no kind certified'} -> {output}")
    else:
        print(f"{args.file} -> {output}")
        print(certificate)
    return 0 if certificate.kind is not None else 1


def _default_output(path: str) -> str:
    base = path[:-5] if path.endswith(".json") else path
    return base + ".cert.json"


def _has_parameters(path: str) -> bool:
    """A family file (issue 6) declares "parameters"; anything unreadable goes the point way."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(data, dict) and "parameters" in data


def _run_family(args: argparse.Namespace) -> int:
    """Family certificate (exactdln/certificates/FAMILY_FORMAT.md), checked by checker_family.py."""
    from ..certificates.family_certify import family_certificate, write_family_certificate
    from ..symbolic import load_family

    try:
        certificate = family_certificate(load_family(args.file))
    except InputError as err:
        print(f"exactdln certify: {err}", file=sys.stderr)
        return 2
    except ValueError as err:
        print(f"exactdln certify: {args.file}: {err}", file=sys.stderr)
        return 2
    if not certificate.ok:
        print(f"exactdln certify: the family checker refused the certificate for {args.file}; nothing written",
              file=sys.stderr)
        print(certificate, file=sys.stderr)
        return 1
    output = args.output or _default_output(args.file)
    write_family_certificate(certificate, output)
    print(f"{args.file}: {certificate.kind or 'no kind certified'} -> {output}")
    if not args.quiet:
        print(certificate)
    return 0 if certificate.kind is not None else 1
