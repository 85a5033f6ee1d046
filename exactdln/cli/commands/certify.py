"""Write a certificate for each point's class, re-checked by the standalone checker before it is written.

FILE is a point {X, Y, weights, lambda?} (or a family with "parameters"). The certificate (format:
exactdln/trusted/FORMAT.md) holds the evidence for the point's kind: a nonzero gradient entry,
a top-eigenspace separator, a negative-curvature direction, or a PSD Hessian factorization plus an
escape curve. It goes to FILE with .cert.json, or to -o CERT (one FILE only).
Exit status: 0 written and checked, with a kind; 1 the checker refused it (nothing written) or no
kind could be certified (the proven facts are written); 2 bad input; 4 internal error.
"""

from __future__ import annotations

import argparse
import json

from exactdln.model.problem import InputError, load_point
from exactdln.cli.commands._contract import (
    EXIT_BAD_INPUT,
    EXIT_NEGATIVE,
    EXIT_OK,
    CommandError,
    add_json_flag,
    each_file,
    emit,
    say,
)

HELP = "write a checked certificate (JSON) for the class of each point"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="point files {X, Y, weights, lambda?} or families")
    parser.add_argument("-o", "--output", metavar="CERT", help="certificate path (one FILE only; default: FILE with .cert.json)")
    parser.add_argument("--escape-time", type=float, default=None, metavar="SECONDS",
                        help="time budget of the escape-curve search at non-strict saddles (default 20, and at "
                             "most a quarter of --timeout, so that the certificate is still built and checked in "
                             "time)")
    parser.add_argument("--quiet", action="store_true", help="print only the verdict line")
    add_json_flag(parser, "one JSON object per file and line (file, kind, certificate, checked, claims, notes)")


def run(args: argparse.Namespace) -> int:
    if args.output and len(args.files) > 1:
        raise CommandError("-o/--output takes one FILE; without it each certificate goes to FILE.cert.json")
    if args.escape_time is None:
        budget = getattr(args, "timeout", None)
        args.escape_time = 20.0 if budget is None else min(20.0, budget / 4)
    if not args.escape_time >= 0:
        raise CommandError("--escape-time must be >= 0")

    def one(path: str) -> int:
        output = args.output or _default_output(path)
        if _has_parameters(path):
            certificate, write = _family(path)
        else:
            from exactdln.certify.point import certify, write_certificate
            from exactdln.model.field_format import algebraic_point_from_mapping

            problem, weights = load_point(path, fields=algebraic_point_from_mapping)   # over Q or a number field
            certificate = certify(problem, weights, escape_time_limit=args.escape_time)
            write = write_certificate
        checked = bool(certificate.ok)
        if checked:
            checked = _write(write, certificate, output)
        kind = certificate.kind if checked else None
        if args.json:
            emit({"file": path, "kind": kind, "certificate": output if checked else None, "checked": checked,
                  "claims": _claim_types(certificate), "notes": list(getattr(certificate, "notes", ()) or ())})
        elif not checked:
            print(f"{path}: (refused)")
            print(certificate)
        else:
            print(f"{path}: {kind or 'no kind certified'} -> {output}")
            if not args.quiet:
                print(certificate)
        if not checked:
            say(args, f"{path}: the checker refused the certificate; nothing written")
            return EXIT_NEGATIVE
        return EXIT_OK if kind is not None else EXIT_NEGATIVE

    return each_file(args, args.files, one)


def _write(write, certificate, output: str) -> bool:
    """Write through the engine's writer; False when its checker gate refuses the file."""
    from exactdln.certify.point import CertificateError

    try:
        write(certificate, output)
    except CertificateError:
        return False
    except OSError as err:
        raise CommandError(f"cannot write {output}: {err.strerror or err}", EXIT_BAD_INPUT) from None
    return True


def _family(path: str):
    """Family certificate (exactdln/trusted/FAMILY_FORMAT.md), checked by checker_family.py."""
    from exactdln.certify.family import family_certificate, write_family_certificate
    from exactdln.symbolic import load_family

    try:
        family = load_family(path)
    except InputError:
        raise
    except ValueError as err:   # parse errors of the family's expressions (a pole, a bad term)
        raise InputError(str(err), None, path) from None
    return family_certificate(family), write_family_certificate


def _claim_types(certificate) -> list[str]:
    data = getattr(certificate, "data", None) or {}
    return [c.get("type") for c in data.get("claims", []) if isinstance(c, dict)]


def _default_output(path: str) -> str:
    base = path[:-5] if path.endswith(".json") else path
    return base + ".cert.json"


def _has_parameters(path: str) -> bool:
    """A family file declares "parameters"; anything unreadable goes the point way (which reports it)."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(data, dict) and "parameters" in data
