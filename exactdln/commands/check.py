"""Check a certificate with the standalone checker (exactdln/checker.py, standard library only).

Runs the same code as ``python -I -S exactdln/checker.py CERT`` (``exactdln/checker_family.py`` for a
file whose "format" is "exactdln-family-certificate") and passes its exit status
through: 0 every claim holds, 1 a claim fails (named), 2 the file is malformed.
"""

from __future__ import annotations

import argparse

HELP = "check certificates with the standalone checker (exit 0 ok, 1 a claim fails, 2 malformed)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("certificates", nargs="+", metavar="CERT", help="certificate files (JSON)")


def run(args: argparse.Namespace) -> int:
    from .. import checker, checker_family

    worst = 0
    for path in args.certificates:
        if len(args.certificates) > 1:
            print(f"== {path}")
        main = checker_family.main if _format(path) == "exactdln-family-certificate" else checker.main
        worst = max(worst, main([path]))
    return worst


def _format(path: str) -> str | None:
    """The certificate's "format" field (family certificates go to checker_family.py)."""
    import json

    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError, RecursionError):
        return None
    return data.get("format") if isinstance(data, dict) else None
