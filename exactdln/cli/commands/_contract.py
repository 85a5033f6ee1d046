"""The contract every ``exactdln`` subcommand keeps (README.md, "The command line contract").

- Output: readable text by default; ``--json`` prints JSON Lines, one compact object per input file
  (per gallery point for ``demo``), with the same key names for the same things: ``file``, ``kind``,
  ``critical``, ``inertia`` ([n_plus, n_minus, n_zero]), ``loss`` ("p/q", every digit), ``fitted``, ``rank``.
- Exit status (one meaning per code, for every command): the constants below.
- Errors: one line on stderr, ``exactdln <command>: FILE: field: message``. With several files a
  command reports each error, goes on with the next file and exits with the most severe code
  (:data:`SEVERITY`). An unexpected exception is one line naming its type; ``--debug`` adds the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import sys
import traceback
from typing import Any, Callable, Iterable

from exactdln.model.problem import InputError

EXIT_OK = 0            # success
EXIT_NEGATIVE = 1      # the answer to the question asked is "no": a certificate fails, a run did not converge, ...
EXIT_BAD_INPUT = 2     # bad input or usage (argparse exits 2 on usage errors too)
EXIT_DISAGREE = 3      # the exact routes disagree: a finding, every route's verdict is printed
EXIT_INTERNAL = 4      # an unexpected exception: a bug, please report it
EXIT_TIME_BUDGET = 5   # reserved: stopped by a time budget
EXIT_INTERRUPTED = 130 # Ctrl-C (128 + SIGINT)

# With several files, the exit status is the most severe of the per-file codes, in this order.
SEVERITY = (EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_DISAGREE, EXIT_TIME_BUDGET, EXIT_NEGATIVE, EXIT_OK)

EXTRAS = {"matplotlib": "plot"}   # optional import -> the pip extra that installs it


class CommandError(Exception):
    """A failure a command reports in one line (``exactdln <command>: <message>``) with its exit code."""

    def __init__(self, message: str, code: int = EXIT_BAD_INPUT):
        super().__init__(message)
        self.code = code


def most_severe(*codes: int) -> int:
    """The code that wins when files end differently: 4 > 2 > 3 > 5 > 1 > 0 (unknown codes count as 4)."""
    def rank(code: int) -> int:
        return SEVERITY.index(code) if code in SEVERITY else 0
    return min(codes, key=rank, default=EXIT_OK)


def say(args: argparse.Namespace, message: str) -> None:
    """One error line on stderr, prefixed with the command."""
    text = " ".join(str(message).split()) if "\n" in str(message) else str(message)
    print(f"exactdln {args._command}: {text}", file=sys.stderr, flush=True)


def input_error_text(err: InputError, path: str | None) -> str:
    """``FILE: field: message``; the file is added when the error does not carry it."""
    if err.source or not path:
        return str(err)
    return f"{path}: {err}"


def internal_error(args: argparse.Namespace, err: BaseException) -> int:
    """Report an unexpected exception in one line (the traceback first with --debug); exit 4."""
    if getattr(args, "debug", False):
        traceback.print_exception(err, file=sys.stderr)
    message = " ".join(str(err).split())
    if len(message) > 300:
        message = message[:300] + "..."
    say(args, f"internal error: {type(err).__name__}: {message} "
              f"(run with --debug for the traceback; please report it)")
    return EXIT_INTERNAL


def guarded(args: argparse.Namespace, path: str | None, work: Callable[[], int]) -> int:
    """Run one unit of work (usually one file) and turn what it raises into the contract's exit code."""
    try:
        return int(work() or EXIT_OK)
    except (KeyboardInterrupt, BrokenPipeError):
        raise
    except InputError as err:
        say(args, input_error_text(err, path))
        return EXIT_BAD_INPUT
    except CommandError as err:
        say(args, f"{path}: {err}" if path else str(err))
        return err.code
    except Exception as err:   # the contract: one line and exit 4, never a bare traceback
        return internal_error(args, err)


def each_file(args: argparse.Namespace, paths: Iterable[str], handle: Callable[[str], int]) -> int:
    """``handle(path)`` for every file, going on after errors; the most severe exit code."""
    return most_severe(EXIT_OK, *(guarded(args, path, lambda p=path: handle(p)) for path in paths))


def emit(obj: dict[str, Any]) -> None:
    """One JSON Lines record on stdout (strict JSON: a non-finite float becomes "inf", "-inf" or "nan")."""
    print(json.dumps(_finite(obj), allow_nan=False), flush=True)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def require_module(option: str, module: str) -> None:
    """Fail at once (exit 2, before any computation) when an optional dependency is missing."""
    try:
        importlib.import_module(module)
    except ImportError:
        extra = EXTRAS.get(module)
        hint = f"pip install 'exactdln[{extra}]'" if extra else f"pip install {module}"
        raise CommandError(f"{option} needs {module}: {hint}") from None


def add_json_flag(parser: argparse.ArgumentParser, what: str = "one JSON object per file and line") -> None:
    parser.add_argument("--json", action="store_true", help=f"JSON Lines: {what}")
