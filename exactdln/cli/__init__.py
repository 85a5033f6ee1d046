"""The ``exactdln`` command.

Subcommands live in :mod:`exactdln.cli.commands`, one module each, exposing ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> int``. They are found by name, so adding a command
means adding a module. Every command keeps one contract (exactdln/cli/commands/_contract.py and
README.md, "The command line contract"): ``--json`` for JSON Lines, the same exit codes
(0 success, 1 a negative answer, 2 bad input or usage, 3 the exact routes disagree, 4 internal
error, 5 stopped by the time budget ``--timeout``, 130 interrupted), errors as ``exactdln <command>: ...``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

from exactdln import __version__
from exactdln.cli.commands._contract import (
    EXIT_BAD_INPUT,
    EXIT_DISAGREE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_NEGATIVE,
    EXIT_OK,
    EXIT_TIME_BUDGET,
    TimeBudgetExceeded,
    guarded,
    say,
    supervised,
    timeout_text,
)

__all__ = ["main", "build_parser", "command_names", "EXIT_OK", "EXIT_NEGATIVE", "EXIT_BAD_INPUT", "EXIT_DISAGREE",
           "EXIT_INTERNAL", "EXIT_TIME_BUDGET", "EXIT_INTERRUPTED"]

EXIT_FAILED = EXIT_NEGATIVE   # the former name


def _command_module_names() -> list[str]:
    from exactdln.cli import commands

    return sorted(m.name for m in pkgutil.iter_modules(commands.__path__) if not m.name.startswith("_"))


def _command_modules(only: str | None = None):
    """(module name, module) of every subcommand, or of the one named ``only`` (as its module is named)."""
    from exactdln.cli import commands

    names = [only] if only is not None else _command_module_names()
    return [(name, importlib.import_module(f"{commands.__name__}.{name}")) for name in names]


def _chosen_command(argv: list[str]) -> str | None:
    """The module name of the subcommand ``argv`` runs, when that is certain without parsing; else None.

    The first word that is neither a global option nor the value of ``--timeout`` names the command. A help
    request before it, ``--``, or a word that names no command give None (the whole parser is then built, so
    ``exactdln --help`` lists every command and a wrong name gets argparse's own message).
    """
    takes_value = False
    for word in argv:
        if takes_value:
            takes_value = False
            continue
        if word == "--" or word == "-h" or (len(word) > 2 and "--help".startswith(word)):
            return None
        if word.startswith("-"):
            option = word.split("=", 1)[0]
            # --timeout SECONDS and its unambiguous prefixes (argparse accepts --t, --ti, ...)
            takes_value = "=" not in word and len(option) > 2 and "--timeout".startswith(option)
            continue
        return {name.replace("_", "-"): name for name in _command_module_names()}.get(word)
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The ``exactdln`` parser. Given ``argv`` that names a command, only that command's parser is built
    (argparse builds about a hundred formatters for the full tree: tens of milliseconds per command run)."""
    only = _chosen_command(argv) if argv is not None else None
    parser = argparse.ArgumentParser(
        prog="exactdln",
        description="Decide exactly what a point is on the loss landscape of a deep linear network, and prove it.",
        epilog="exit status: 0 success; 1 a negative answer (a certificate fails, a run did not converge, ...); "
               "2 bad input or usage; 3 the exact routes disagree; 4 internal error; 5 stopped by a time budget; "
               "130 interrupted",
    )
    parser.add_argument("--version", action="version", version=f"exactdln {__version__}")
    parser.add_argument("--debug", action="store_true", help="print the traceback of an internal error")
    parser.add_argument("--timeout", type=_seconds, default=None, metavar="SECONDS",
                        help="stop the work on a file (or on the whole command) after SECONDS: exit 5")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in _command_modules(only):
        command = name.replace("_", "-")
        p = sub.add_parser(command, help=module.HELP, description=module.__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(p)
        # after the command too (exactdln gd --debug ...); SUPPRESS keeps the global flag's value otherwise
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        p.add_argument("--timeout", type=_seconds, default=argparse.SUPPRESS, metavar="SECONDS",
                       help="stop the work on a file after SECONDS (exit 5)")
        p.set_defaults(_run=module.run, _command=command)
    return parser


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value < 10**7:      # setitimer takes a float; a week is more than any budget means
        raise argparse.ArgumentTypeError("must be a number of seconds > 0 (and below 10^7)")
    return value


def command_names() -> list[str]:
    """Every subcommand, as the parser knows it (tests iterate over this so no command escapes the contract)."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(sub.choices)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(sys.argv[1:] if argv is None else list(argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:        # argparse: --help, --version (0) and usage errors (2)
        return done.code if isinstance(done.code, int) else EXIT_BAD_INPUT
    if not getattr(args, "_run", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    # The exactdln process itself (never an in-process caller) is supervised by a parent that can end a
    # call into C the signal cannot interrupt (_contract.supervised).
    args._hard_timeout = argv is None and getattr(args, "timeout", None) is not None
    if args._hard_timeout:
        return supervised(lambda: _run_guarded(args))
    return _run_guarded(args)


def _run_guarded(args: argparse.Namespace) -> int:
    try:
        return guarded(args, None, lambda: args._run(args))
    except KeyboardInterrupt:
        say(args, "interrupted")
        return EXIT_INTERRUPTED
    except TimeBudgetExceeded:        # fired between two files, outside any one file's guard
        say(args, timeout_text(args))
        return EXIT_TIME_BUDGET
    except BrokenPipeError:           # `exactdln ... | head`: the reader left; not an error of ours
        try:   # Python's advice: point stdout at devnull so the flush at exit does not raise again
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
