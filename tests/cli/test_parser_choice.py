"""build_parser(argv) builds only the named command's parser: it must parse every command line as the whole tree does."""

from __future__ import annotations

import argparse

import pytest

from exactdln.cli import build_parser, command_names


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices


def _options(parser: argparse.ArgumentParser) -> list[tuple]:
    return [(tuple(a.option_strings), a.dest, a.nargs, a.default, a.help) for a in parser._actions]


@pytest.mark.parametrize("command", command_names())
def test_the_chosen_command_has_the_same_arguments_as_in_the_whole_tree(command):
    whole = _subparsers(build_parser())[command]
    for argv in ([command], ["--debug", command], ["--timeout", "3", command], ["--timeout=3", command],
                 ["--t", "3", command]):
        chosen = _subparsers(build_parser(argv))
        assert list(chosen) == [command]
        assert _options(chosen[command]) == _options(whole)


@pytest.mark.parametrize("argv", [[], ["--help"], ["-h", "classify"], ["--he", "classify"], ["--", "classify"],
                                  ["no-such-command"], ["--timeout", "classify"]])
def test_a_help_request_or_an_unknown_command_builds_every_command(argv):
    assert sorted(_subparsers(build_parser(argv))) == command_names()


def test_parsing_agrees_with_the_whole_tree():
    argv = ["--timeout", "7", "classify", "--json", "--method", "hessian", "a.json", "b.json"]
    ours, whole = build_parser(argv).parse_args(argv), build_parser().parse_args(argv)
    assert {k: v for k, v in vars(ours).items() if k != "_run"} == {k: v for k, v in vars(whole).items() if k != "_run"}
    assert ours.timeout == 7 and ours.method == "hessian" and ours.files == ["a.json", "b.json"]
