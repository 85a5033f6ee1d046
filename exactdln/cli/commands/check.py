"""Check certificates with the standalone checker (exactdln/trusted/checker.py, standard library only).

Runs the same code as ``python -I -S exactdln/trusted/checker.py CERT`` (``exactdln/trusted/checker_family.py`` for a
file whose "format" is "exactdln-family-certificate"), in process, and names the file on every line:
``CERT: ok   zero_gradient: ...`` / ``CERT: FAIL strict_saddle: ...``, then ``CERT: ok (n claims)`` or
``CERT: FAIL (k of n claims fail)``. This command is the one place exactdln imports the checkers.
Exit status: 0 every claim of every file holds; 1 a claim fails; 2 a file is malformed or unreadable.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re

from exactdln.cli.commands._contract import (
    EXIT_BAD_INPUT,
    EXIT_NEGATIVE,
    EXIT_OK,
    CommandError,
    add_json_flag,
    each_file,
    emit,
)

HELP = "check certificates with the standalone checker (exit 0 ok, 1 a claim fails, 2 malformed)"

_CLAIM_LINE = re.compile(r"^(ok  |FAIL) ([^:]+): ?(.*)$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("certificates", nargs="+", metavar="CERT", help="certificate files (JSON)")
    add_json_flag(parser, "one JSON object per certificate and line (file, format, ok, claims)")


def run(args: argparse.Namespace) -> int:
    def one(path: str) -> int:
        fmt = _format(path)
        code, out, err = _run_checker(path, fmt)
        claims = []
        for line in out.splitlines():
            match = _CLAIM_LINE.match(line)
            if match:
                claims.append({"claim": match.group(2), "ok": match.group(1).strip() == "ok",
                               "message": match.group(3)})
        if code not in (EXIT_OK, EXIT_NEGATIVE):
            # the checker's own line already starts with the path ("CERT: malformed: ...")
            reason = " ".join(err.split()) or "malformed"
            if reason.startswith(f"{path}: "):
                reason = reason[len(path) + 2:]
            raise CommandError(reason, EXIT_BAD_INPUT)
        failed = sum(1 for c in claims if not c["ok"])
        if args.json:
            emit({"file": path, "format": fmt, "ok": code == EXIT_OK, "claims": claims})
        else:
            for line in out.splitlines():
                print(f"{path}: {line}")
            summary = f"ok ({len(claims)} claims)" if code == EXIT_OK else f"FAIL ({failed} of {len(claims)} claims fail)"
            print(f"{path}: {summary}", flush=True)
        return code

    return each_file(args, args.certificates, one)


def _run_checker(path: str, fmt: str | None) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of the standalone checker's main() on one file, captured."""
    from exactdln.trusted import checker

    main = checker.main
    if fmt == "exactdln-family-certificate":
        try:
            from exactdln.trusted import checker_family
            main = checker_family.main
        except ImportError:       # the family checks may live in checker.py
            pass
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([path])
    return int(code), out.getvalue(), err.getvalue()


def _format(path: str) -> str:
    """The certificate's "format" field (family certificates go to checker_family.py).

    Found by a scan after the size cap (exactdln/certify/gate.py certificate_format), never by parsing the
    file: the checker that reads it applies its own caps before it builds anything."""
    from exactdln.certify.gate import certificate_format

    return certificate_format(path)
