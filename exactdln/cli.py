"""The ``exactdln`` command.

Subcommands live in :mod:`exactdln.commands`, one module each, exposing
``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``. They are
found by name, so adding a command means adding a module.

Exit status: 0 success, 1 a check failed (or paths contradict), 2 bad input,
3 routes disagree (a finding, not a crash).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from . import __version__

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_DISAGREE = 0, 1, 2, 3


def _command_modules():
    from . import commands

    names = sorted(m.name for m in pkgutil.iter_modules(commands.__path__) if not m.name.startswith("_"))
    return [(name, importlib.import_module(f"{commands.__name__}.{name}")) for name in names]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="exactdln",
        description="Decide exactly what a point is on the loss landscape of a deep linear network, and prove it.",
    )
    parser.add_argument("--version", action="version", version=f"exactdln {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in _command_modules():
        p = sub.add_parser(name.replace("_", "-"), help=module.HELP, description=module.__doc__)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
