"""The contract every ``exactdln`` subcommand keeps (README.md, "The command line contract").

- Output: readable text by default; ``--json`` prints JSON Lines, one compact object per input file
  (per gallery point for ``demo``), with the same key names for the same things: ``file``, ``kind``,
  ``critical``, ``inertia`` ([n_plus, n_minus, n_zero]), ``loss`` ("p/q", every digit), ``fitted``, ``rank``.
- Exit status (one meaning per code, for every command): the constants below.
- Errors: one line on stderr, ``exactdln <command>: FILE: field: message``. With several files a
  command reports each error, goes on with the next file and exits with the most severe code
  (:data:`SEVERITY`). An unexpected exception is one line naming its type; ``--debug`` adds the traceback.
- Time budget: ``--timeout SECONDS`` bounds the work on each file (on the whole command when it reads
  no files): ``SIGALRM`` raises :class:`TimeBudgetExceeded` in the main thread, and the file is reported
  as ``exactdln <command>: FILE: stopped after N s (--timeout)`` with exit 5. Certificates are written
  to a temporary file and renamed, so a stopped command leaves nothing half-written.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import signal
import sys
import threading
import traceback
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator

from exactdln.model.problem import InputError

EXIT_OK = 0            # success
EXIT_NEGATIVE = 1      # the answer to the question asked is "no": a certificate fails, a run did not converge, ...
EXIT_BAD_INPUT = 2     # bad input or usage (argparse exits 2 on usage errors too)
EXIT_DISAGREE = 3      # the exact routes disagree: a finding, every route's verdict is printed
EXIT_INTERNAL = 4      # an unexpected exception: a bug, please report it
EXIT_TIME_BUDGET = 5   # stopped by a time budget (--timeout)
EXIT_INTERRUPTED = 130 # Ctrl-C (128 + SIGINT)

# With several files, the exit status is the most severe of the per-file codes, in this order.
SEVERITY = (EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_DISAGREE, EXIT_TIME_BUDGET, EXIT_NEGATIVE, EXIT_OK)

# optional import -> the pip extra that installs it
EXTRAS = {"matplotlib": "plot", "distributed": "sweep", "pyarrow": "sweep"}


class CommandError(Exception):
    """A failure a command reports in one line (``exactdln <command>: <message>``) with its exit code."""

    def __init__(self, message: str, code: int = EXIT_BAD_INPUT):
        super().__init__(message)
        self.code = code


class TimeBudgetExceeded(BaseException):
    """The --timeout budget ran out. A BaseException, so that no ``except Exception`` in the engine
    (a numeric fallback, the checker's own catch-all) mistakes it for a failure of the computation."""


def _alarm(signum, frame) -> None:
    # Python drops an exception raised where it cannot propagate (in a weakref or import-lock callback it only
    # prints "Exception ignored in ..."; fuzz input 3101/8523, a torch import past the budget): arm the timer again,
    # so a swallowed budget is raised once more a quarter second later; time_budget clears the timer on the way out
    signal.setitimer(signal.ITIMER_REAL, 0.25)
    raise TimeBudgetExceeded()


def _quiet_unraisable(previous):
    """An unraisablehook that drops a swallowed :class:`TimeBudgetExceeded` (re-raised by :func:`_alarm`) and
    passes everything else to ``previous``."""
    def hook(unraisable) -> None:
        if isinstance(unraisable.exc_value, TimeBudgetExceeded):
            return
        previous(unraisable)
    return hook


_SUPERVISOR_FD: int | None = None    # set in the worker process of :func:`supervised`


def _tell_supervisor(message: str) -> None:
    if _SUPERVISOR_FD is not None:
        try:
            os.write(_SUPERVISOR_FD, (message.replace("\n", " ") + "\n").encode("utf-8", "replace"))
        except OSError:
            pass


@contextmanager
def time_budget(seconds: float | None, hang_message: str | None = None) -> Iterator[None]:
    """Raise :class:`TimeBudgetExceeded` in the block once ``seconds`` of wall-clock time have passed.

    Uses ``signal.setitimer(ITIMER_REAL)``, so it works in the main thread only (elsewhere, and for
    ``seconds`` None, the block runs unbounded). Nested budgets: the outer timer is paused while an
    inner one runs and resumes with the time it had left, so each file gets its own full budget.
    A long call into C (a flint or LAPACK routine holding the interpreter lock) is interrupted only
    when it returns to Python; inside :func:`supervised` the supervising process is told the budget
    and ``hang_message``, and ends the worker if the block is still running 5 s + 10% after it.
    """
    if not seconds or threading.current_thread() is not threading.main_thread() \
            or not hasattr(signal, "setitimer"):
        yield
        return
    outer_left, _ = signal.setitimer(signal.ITIMER_REAL, 0)
    previous = signal.signal(signal.SIGALRM, _alarm)
    previous_hook = sys.unraisablehook
    sys.unraisablehook = _quiet_unraisable(previous_hook)
    if hang_message:
        _tell_supervisor(f"start {seconds * 1.1 + 5!r} {hang_message}")
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        try:           # the alarm may fire before the timer is cleared: still restore what was there
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            if hang_message:
                _tell_supervisor("end")
            signal.signal(signal.SIGALRM, previous)
            sys.unraisablehook = previous_hook
            if outer_left > 0:
                signal.setitimer(signal.ITIMER_REAL, outer_left)


def supervised(work: Callable[[], int]) -> int:
    """``work()`` in a forked worker process, watched by this one (``exactdln --timeout`` only).

    The signal-based budget cannot stop a call into C that holds the interpreter lock (no thread of
    the same process runs meanwhile). So the ``exactdln`` process forks: the worker runs the command
    and reports each budget it starts (:func:`time_budget`); this process waits on a pipe, and if a
    budget is overrun by 5 s + 10% it kills the worker, prints the worker's "stopped after" line and
    returns 5. Otherwise it returns the worker's exit status (128 + signal if the worker was killed).
    """
    global _SUPERVISOR_FD
    if not hasattr(os, "fork"):
        return work()
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:                                          # the worker
        os.close(read_end)
        _SUPERVISOR_FD = write_end
        code = EXIT_INTERNAL
        try:
            code = work()
        except KeyboardInterrupt:
            code = EXIT_INTERRUPTED
        except BaseException as err:   # noqa: BLE001 -- the worker must always reach os._exit
            code = internal_error(argparse.Namespace(_command="", debug=False), err)
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code if isinstance(code, int) else EXIT_INTERNAL)
    os.close(write_end)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C reaches the worker, which reports it
    try:
        return _watch(pid, read_end)
    finally:
        signal.signal(signal.SIGINT, previous)
        os.close(read_end)


def _watch(pid: int, read_end: int) -> int:
    import select
    import time

    deadline, message, pending = None, "", b""
    while True:
        wait = None if deadline is None else max(0.0, deadline - time.monotonic())
        ready, _, _ = select.select([read_end], [], [], wait)
        if ready:
            chunk = os.read(read_end, 4096)
            if not chunk:                                 # the worker closed the pipe: it is ending
                break
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                text = line.decode("utf-8", "replace")
                if text.startswith("start "):
                    _, budget, message = text.split(" ", 2)
                    deadline = time.monotonic() + float(budget)
                elif text == "end":
                    deadline = None
        elif deadline is not None and time.monotonic() >= deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            print(message, file=sys.stderr, flush=True)
            return EXIT_TIME_BUDGET
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def timeout_text(args: argparse.Namespace) -> str:
    """``stopped after N s (--timeout)``, N as the user wrote it."""
    return f"stopped after {getattr(args, 'timeout', None) or 0:g} s (--timeout)"


def most_severe(*codes: int) -> int:
    """The code that wins when files end differently: 4 > 2 > 3 > 5 > 1 > 0 (unknown codes count as 4)."""
    def rank(code: int) -> int:
        return SEVERITY.index(code) if code in SEVERITY else 0
    return min(codes, key=rank, default=EXIT_OK)


def one_line(message: str) -> str:
    """``message`` as one printable line: a multi-line text joined with single spaces, and every other
    character that is not printable (controls such as \\x1e, which str.splitlines also breaks at; a file
    name or an .npz member name can hold them) written as its Python escape."""
    text = str(message)
    if "\n" in text or "\r" in text:
        text = " ".join(text.replace("\r", "\n").replace("\t", " ").split("\n"))
        text = " ".join(part for part in text.split(" ") if part)
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text


def say(args: argparse.Namespace, message: str) -> None:
    """One error line on stderr, prefixed with the command."""
    print(f"exactdln {args._command}: {one_line(message)}", file=sys.stderr, flush=True)


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
    """Run one unit of work (usually one file) within its time budget and turn what it raises into the
    contract's exit code."""
    stopped = f"{path}: {timeout_text(args)}" if path else timeout_text(args)
    hang = (f"exactdln {getattr(args, '_command', '')}: {one_line(stopped)}" if getattr(args, "_hard_timeout", False)
            else None)
    try:
        with time_budget(getattr(args, "timeout", None), hang):
            return int(work() or EXIT_OK)
    except (KeyboardInterrupt, BrokenPipeError):
        raise
    except TimeBudgetExceeded:
        say(args, stopped)
        return EXIT_TIME_BUDGET
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
