"""Read the runnable examples of a documentation page, in the order a reader meets them.

A page (docs/**/*.md, MyST Markdown) holds three kinds of runnable fenced blocks:

- **files**: ```` ```{code-block} LANG ```` with ``:caption: NAME`` where NAME is a file name
  (``point.json``): the reader saves the block under that name, so the runner writes it;
- **Python sessions**: ```` ```pycon ````, ```` ```{doctest} ```` or ```` ```{code-block} pycon ````
  (``>>>`` prompts, run by :mod:`doctest` with ELLIPSIS and NORMALIZE_WHITESPACE, one namespace per page);
- **shell sessions**: ```` ```console ```` (or ```` ```{code-block} console ````): ``$ exactdln ...`` lines
  run through :func:`exactdln.cli.main`, ``$ python -m pytest ...`` lines in a subprocess; the lines below a
  command up to the next ``$`` are its expected output (``...`` elides), none means "not compared"; a
  trailing ``# exit N`` states the exit status (0 when absent).

Any other block (```` ```bash ````, ```` ```json ```` without a caption, ...) is prose to the runner.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")
FILE_NAME = re.compile(r"^[\w.-]+\.\w+$")
EXIT = re.compile(r"#\s*exit(?:\s+status)?\s+(\d+)\s*$")

PYTHON_SESSION = {"pycon", "{doctest}"}
SHELL_SESSION = {"console"}


@dataclass
class Block:
    kind: str                 # "file", "python", "shell"
    line: int                 # 1-based line of the first content line in the page
    lines: list[str]
    name: str = ""            # the file name of a "file" block
    options: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)


@dataclass
class Command:
    line: int
    argv: list[str]
    expected: str
    exit_status: int


def _language(info: str) -> tuple[str, bool]:
    """(language, is a directive) of a fence's info string."""
    info = info.strip()
    match = re.match(r"^\{([\w-]+)\}\s*(.*)$", info)
    if match:
        directive, argument = match.groups()
        if directive in ("code-block", "code", "sourcecode"):
            return argument.split()[0] if argument else "", True
        return "{" + directive + "}", True
    return (info.split()[0] if info else ""), False


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= len(fence) and set(stripped) == {fence[0]}


def blocks(path: Path) -> list[Block]:
    """The runnable blocks of a page, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        fence = opening.group("fence")
        language, directive = _language(opening.group("info"))
        j = i + 1
        body: list[str] = []
        while j < len(lines) and not _closes(lines[j], fence):
            body.append(lines[j])
            j += 1
        start = i + 2
        options: dict[str, str] = {}
        if directive:
            while body and OPTION.match(body[0]):
                key, value = OPTION.match(body[0]).groups()
                options[key] = value.strip()
                body.pop(0)
                start += 1
            if body and not body[0].strip():
                body.pop(0)
                start += 1
        caption = options.get("caption", "")
        if language in PYTHON_SESSION or (language == "python" and any(b.lstrip().startswith(">>>") for b in body)):
            out.append(Block("python", start, body, options=options))
        elif language in SHELL_SESSION:
            out.append(Block("shell", start, body, options=options))
        elif FILE_NAME.match(caption):
            out.append(Block("file", start, body, name=caption, options=options))
        i = j + 1
    return out


def commands(block: Block) -> list[Command]:
    """The commands of a shell session with their expected output and exit status."""
    out: list[Command] = []
    current: list[str] | None = None
    for offset, raw in enumerate(block.lines):
        if raw.startswith("$ "):
            text = raw[2:]
            status = 0
            match = EXIT.search(text)
            if match:
                status = int(match.group(1))
                text = text[:match.start()]
            out.append(Command(block.line + offset, shlex.split(text), "", status))
            current = []
        elif current is not None:
            current.append(raw)
            out[-1].expected = "".join(line + "\n" for line in current).rstrip("\n") + "\n" if any(
                line.strip() for line in current) else ""
    return out
