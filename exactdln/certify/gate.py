"""The final gate of the certifiers: the standalone checker, run as a separate process on the file.

The engine never imports the checker (exactdln/trusted/checker.py, exactdln/trusted/checker_family.py): it writes
the candidate certificate to a file and runs

    python -I -S <package>/checker.py CERT.json          (checker_family.py for family certificates)

exactly as a user would, then reads the exit status (0 every claim holds, 1 a claim fails,
2 malformed) and the checker's per-claim lines. So a mistake the engine makes cannot be repeated
by the checker through shared code (the de Bruijn criterion), and the certificate that is written
is, byte for byte, the text the checker accepted: :func:`write_checked_text` writes it to a
temporary file next to the target and renames it into place, never leaving half a file behind.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exactdln.certify.caps import FAMILY_CHECKER_CAPS, POINT_CHECKER_CAPS

__all__ = ["CertificateError", "CHECKER_FILES", "checker_path", "certificate_text", "CheckerRun", "run_checker",
           "write_checked_text", "certificate_format", "certificate_format_of_bytes", "check"]

class CertificateError(RuntimeError):
    """The standalone checker refused a certificate the engine produced (an engine bug or a finding)."""


CHECKER_FILES = {"exactdln-certificate": "checker.py", "exactdln-family-certificate": "checker_family.py"}


def checker_path(certificate_format: str) -> Path:
    """The checker file for a certificate format, located next to the package's modules (not imported)."""
    return Path(__file__).resolve().parent.parent / "trusted" / CHECKER_FILES[certificate_format]


def certificate_text(data: dict[str, Any]) -> str:
    """The JSON text of a certificate as it is checked and written (family certificates indented)."""
    if data.get("format") == "exactdln-family-certificate":
        return json.dumps(data, indent=1) + "\n"
    return json.dumps(data) + "\n"


@dataclass(frozen=True)
class CheckerRun:
    """One run of the standalone checker: exit status, its per-claim results and its error lines."""

    returncode: int
    results: tuple[tuple[str, bool, str], ...]
    errors: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and bool(self.results) and all(ok for _, ok, _ in self.results)

    def lines(self) -> list[str]:
        """The checker's report: one line per claim, then any error."""
        out = [f"{'ok  ' if ok else 'FAIL'} {claim}: {message}" for claim, ok, message in self.results]
        return out + [f"checker exit {self.returncode}: {e}" for e in self.errors]

    def to_json(self) -> dict[str, Any]:
        return {"returncode": self.returncode, "results": [list(r) for r in self.results],
                "errors": list(self.errors)}

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _parse(stdout: str) -> list[tuple[str, bool, str]]:
    results = []
    for line in stdout.splitlines():
        head, rest = line[:4], line[5:]
        if head in ("ok  ", "FAIL") and ": " in rest:
            claim, _, message = rest.partition(": ")
            results.append((claim, head == "ok  ", message))
    return results


def _run_on_file(path: str, certificate_format: str) -> CheckerRun:
    done = subprocess.run([sys.executable, "-I", "-S", str(checker_path(certificate_format)), path],
                          capture_output=True, text=True)
    errors = tuple(line.replace(path, "certificate") for line in done.stderr.splitlines() if line.strip())
    return CheckerRun(done.returncode, tuple(_parse(done.stdout)), errors)


_NOT_QUOTES_OR_BRACKETS = bytes(sorted(set(range(256)) - set(b'"[]{}')))
_RUNS = re.compile(rb'"+|[\[\]{}]+')
_FORMAT_MEMBER = re.compile(rb'"format"\s*:\s*"([^"]*)"')
_CANDIDATES = 16


def certificate_format_of_bytes(raw: bytes) -> str:
    """The top-level ``"format"`` string of a certificate's JSON text, found without parsing the JSON.

    A file can be as large as the checker's MAX_FILE_BYTES (exactdln/certify/caps.py); building its tree
    only to learn which checker reads it would cost several times its size, before any cap. Point
    certificates are the default, so a text that does not contain the family format's name is settled by
    one substring search. Otherwise, with escaped backslashes and then escaped quotes deleted (so every
    remaining quote pair is a whole string), each of the first few ``"format": "..."`` members is taken
    if it starts outside a string (an even number of quotes before it) at nesting depth 1 (the brackets
    outside strings before it, counted at C speed). A text this misreads (a key written with \\u escapes, a
    format member after many decoys, invalid JSON) goes to the point checker, which refuses what is not
    its format (exit 2): the choice of checker never makes a claim hold.
    """
    if b'"exactdln-family-certificate"' not in raw:
        return "exactdln-certificate"
    clean = raw.replace(b"\\\\", b"").replace(b'\\"', b"") if b"\\" in raw else raw
    reduced = None
    for k, member in enumerate(_FORMAT_MEMBER.finditer(clean)):
        if k == _CANDIDATES:
            break
        start = member.start()
        quotes = clean.count(b'"', 0, start)
        if quotes % 2:
            continue                                      # an odd number of quotes before: not a key
        if reduced is None:
            reduced = clean.translate(None, _NOT_QUOTES_OR_BRACKETS)
        end = quotes + sum(clean.count(c, 0, start) for c in (b"[", b"]", b"{", b"}"))
        if _depth_before(reduced, end) == 1:
            fmt = member.group(1).decode("ascii", "replace")
            return fmt if fmt in CHECKER_FILES else "exactdln-certificate"
    return "exactdln-certificate"


def _depth_before(reduced: bytes, end: int) -> int:
    """Nesting depth at ``reduced[end]``, ``reduced`` being the text's quotes and brackets only.

    Every quote opens or closes a string, so a run of k quotes flips "inside a string" k times; brackets
    count only outside. Runs are single matches of a character class: the Python loop runs once per
    change between quotes and brackets, not once per string."""
    depth, inside = 0, False
    for run in _RUNS.finditer(reduced, 0, end):
        a, b = run.span()
        if reduced[a] == 0x22:
            inside ^= (b - a) % 2 == 1
        elif not inside:
            depth += reduced.count(b"{", a, b) + reduced.count(b"[", a, b) - reduced.count(b"}", a, b) \
                - reduced.count(b"]", a, b)
    return depth


def certificate_format(path: str | os.PathLike) -> str:
    """The ``"format"`` field of a certificate file, which names its checker; a file that cannot be read as a
    JSON object, or names no known format, goes to the point checker, which reports it malformed (exit 2).

    The file size is compared with the checkers' MAX_FILE_BYTES before a byte is read (a larger file goes
    to the point checker, which refuses it by its size), and the text is scanned, never parsed
    (:func:`certificate_format_of_bytes`)."""
    cap = max(POINT_CHECKER_CAPS["MAX_FILE_BYTES"], FAMILY_CHECKER_CAPS["MAX_FILE_BYTES"])
    try:
        if os.path.getsize(path) > cap:
            return "exactdln-certificate"
        with open(path, "rb") as handle:
            raw = handle.read(cap + 1)
    except OSError:
        return "exactdln-certificate"
    return certificate_format_of_bytes(raw)


def check(path: str | os.PathLike) -> CheckerRun:
    """Re-verify a certificate file with the standalone checker, run as a separate process.

    Runs ``python -I -S exactdln/trusted/checker.py PATH`` (``checker_family.py`` for a family
    certificate) exactly as a user would, without importing the checker: the verdict rests on the
    checker's Fraction arithmetic alone (docs/maths/hessian_inertia.md §6 for the positive
    semidefinite claims, docs/maths/escape_curves.md §1 for escape curves). ``ok`` is True when every
    claim holds (exit 0); ``results`` holds (claim, holds, message) per claim; ``returncode`` is 1 when
    a claim fails and 2 when the file is malformed or unreadable (``errors`` says why).
    """
    path = os.fspath(path)
    return _run_on_file(path, certificate_format(path))


def _temporary_file(text: str, folder: str) -> str:
    fd, tmp = tempfile.mkstemp(prefix=".cert-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def _umask() -> int:
    """The process umask (os.umask can only be read by setting it: set 0, then put the old value back)."""
    old = os.umask(0)
    os.umask(old)
    return old


def run_checker(text: str, certificate_format: str) -> CheckerRun:
    """Write ``text`` to a file in a fresh temporary folder, run the checker subprocess on it, delete it."""
    with tempfile.TemporaryDirectory(prefix="exactdln-check-") as folder:
        return _run_on_file(_temporary_file(text, folder), certificate_format)


def write_checked_text(text: str, target: str | os.PathLike, certificate_format: str | None = None) -> CheckerRun | None:
    """Write ``text`` to ``target`` through a temporary file in the target's folder and a rename.

    With ``certificate_format``, the checker subprocess runs on the temporary file first and the rename
    happens only on exit 0 (the refused file is deleted and the run returned); without it, ``text`` must
    be a text the checker has already accepted (:func:`run_checker`) and is written as is."""
    target = os.fspath(target)
    folder = os.path.dirname(os.path.abspath(target))
    os.makedirs(folder, exist_ok=True)
    tmp = _temporary_file(text, folder)
    try:
        run = _run_on_file(tmp, certificate_format) if certificate_format else None
        if run is None or run.ok:
            os.chmod(tmp, 0o666 & ~_umask())   # mkstemp made it 0600; a certificate is for others to read
            os.replace(tmp, target)
        return run
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
