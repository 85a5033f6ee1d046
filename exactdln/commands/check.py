"""Check a certificate with the standalone checker (exactdln/checker.py, standard library only).

Runs the same code as ``python -I -S exactdln/checker.py CERT`` and passes its exit status
through: 0 every claim holds, 1 a claim fails (named), 2 the file is malformed.
"""

from __future__ import annotations

import argparse

HELP = "check certificates with the standalone checker (exit 0 ok, 1 a claim fails, 2 malformed)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("certificates", nargs="+", metavar="CERT", help="certificate files (JSON)")


def run(args: argparse.Namespace) -> int:
    from .. import checker

    worst = 0
    for path in args.certificates:
        if len(args.certificates) > 1:
            print(f"== {path}")
        worst = max(worst, checker.main([path]))
    return worst
