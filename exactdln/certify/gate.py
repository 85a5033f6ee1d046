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
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["CertificateError", "CHECKER_FILES", "checker_path", "certificate_text", "CheckerRun", "run_checker",
           "write_checked_text", "certificate_format", "check"]

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


def certificate_format(path: str | os.PathLike) -> str:
    """The ``"format"`` field of a certificate file, which names its checker; a file that cannot be read as a
    JSON object, or names no known format, goes to the point checker, which reports it malformed (exit 2)."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError, RecursionError):
        return "exactdln-certificate"
    fmt = data.get("format") if isinstance(data, dict) else None
    return fmt if fmt in CHECKER_FILES else "exactdln-certificate"


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
