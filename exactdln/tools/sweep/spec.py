"""The sweep specification: what to generate, how many, from which master seed, and which routes to run.

A specification is a TOML or JSON file (docs/howto/sweep.md) or a mapping with the same keys::

    seed = 2024                       # master seed: instance i is rebuilt from (seed, i) alone
    count = 10000                     # number of instances (files: at most the number of points found)
    routes = ["theorem", "hessian"]   # any of theorem, hessian, float, mp, certify

    [random]                          # random critical points of known class (exactdln/instances/construct.py)
    families = ["global", "minimal", "N1", "S1", "S2", "S3"]
    depth = [2, 4]                    # H, inclusive range
    width = [1, 4]                    # every d_h, inclusive range (d_y <= d_x)
    digits = 0                        # > 0: hidden changes of basis with entries of about this many digits
    scramble = 0.7                    # probability of the symmetries of the loss (orthogonal data, hidden bases)

or, instead of ``[random]``, ``[files]`` with ``glob = "points/*.json"`` or ``jsonl = "points.jsonl"``
(paths relative to the specification's folder). Every error names the field: ``random.depth: ...``.
"""

from __future__ import annotations

import glob as globmod
import json
import os
import tomllib
from dataclasses import dataclass, field
from typing import Any, Mapping

from exactdln.model.problem import InputError

__all__ = ["ROUTES", "FAMILIES", "RandomSource", "FileSource", "SweepSpec", "load_spec", "spec_from_mapping"]

ROUTES = ("theorem", "hessian", "float", "mp", "certify")
FAMILIES = ("global", "minimal", "N1", "S1", "S2", "S3")
MAX_COUNT = 10**9
MAX_WIDTH = 64
MAX_DEPTH = 32


@dataclass(frozen=True)
class RandomSource:
    """Random critical points of the families of docs/maths/classification.md §3.6, drawn per instance."""

    families: tuple[str, ...] = FAMILIES
    depth: tuple[int, int] = (2, 4)
    width: tuple[int, int] = (1, 4)
    digits: int = 0
    scramble: float = 0.7

    def to_json(self) -> dict[str, Any]:
        return {"families": list(self.families), "depth": list(self.depth), "width": list(self.width),
                "digits": self.digits, "scramble": self.scramble}


@dataclass(frozen=True)
class FileSource:
    """Existing points: the files of a glob (sorted by name) or the lines of a JSON Lines stream."""

    paths: tuple[str, ...] = ()
    jsonl: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"paths": list(self.paths), "jsonl": self.jsonl}


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep specification. ``test_hooks`` exists for the fault tests only (docs/howto/sweep.md)."""

    seed: int
    count: int
    routes: tuple[str, ...]
    source: RandomSource | FileSource
    chunk_size: int | None = None
    path: str | None = None
    test_hooks: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        kind = "random" if isinstance(self.source, RandomSource) else "files"
        return {"seed": self.seed, "count": self.count, "routes": list(self.routes), kind: self.source.to_json(),
                "chunk_size": self.chunk_size, "path": self.path}

    def with_count(self, count: int) -> "SweepSpec":
        """The same sweep with another ``count`` (the command line's ``--count``)."""
        _check_int(count, "count", 1, MAX_COUNT, self.path)
        if isinstance(self.source, FileSource) and self.source.paths:
            count = min(count, len(self.source.paths))
        return SweepSpec(self.seed, count, self.routes, self.source, self.chunk_size, self.path, self.test_hooks)

    def __str__(self) -> str:
        what = (f"random {', '.join(self.source.families)}; depth {self.source.depth[0]}..{self.source.depth[1]}, "
                f"widths {self.source.width[0]}..{self.source.width[1]}"
                if isinstance(self.source, RandomSource) else
                (f"{len(self.source.paths)} point files" if self.source.paths else f"lines of {self.source.jsonl}"))
        return f"sweep of {self.count} instances (seed {self.seed}): {what}; routes {', '.join(self.routes)}"


def _fail(message: str, field_name: str, source: str | None) -> InputError:
    return InputError(message, field_name, source)


def _check_int(value: Any, name: str, lo: int, hi: int, source: str | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(f"must be an integer, got {value!r}", name, source)
    if not lo <= value <= hi:
        raise _fail(f"must be between {lo} and {hi}, got {value}", name, source)
    return value


def _check_range(value: Any, name: str, lo: int, hi: int, source: str | None) -> tuple[int, int]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value, value]
    if not isinstance(value, list) or len(value) != 2:
        raise _fail(f"must be [min, max] (or one integer), got {value!r}", name, source)
    a = _check_int(value[0], f"{name}[0]", lo, hi, source)
    b = _check_int(value[1], f"{name}[1]", lo, hi, source)
    if a > b:
        raise _fail(f"min {a} > max {b}", name, source)
    return a, b


def _unknown(data: Mapping[str, Any], allowed: set[str], prefix: str, source: str | None) -> None:
    for key in data:
        if key not in allowed:
            raise _fail(f"unknown field (expected one of {', '.join(sorted(allowed))})", prefix + str(key), source)


def spec_from_mapping(data: Any, source: str | None = None, base: str | None = None) -> SweepSpec:
    """Validate a parsed specification; ``base`` is the folder relative paths are read from."""
    if not isinstance(data, dict):
        raise _fail("a sweep specification is a table (TOML) or an object (JSON)", "", source)
    _unknown(data, {"seed", "count", "routes", "random", "files", "chunk_size", "test_hooks"}, "", source)
    seed = _check_int(data.get("seed", 0), "seed", 0, 2**63 - 1, source)
    routes_value = data.get("routes", ["theorem", "hessian"])
    if not isinstance(routes_value, list) or not routes_value:
        raise _fail(f"must be a non-empty list of {', '.join(ROUTES)}", "routes", source)
    for k, route in enumerate(routes_value):
        if route not in ROUTES:
            raise _fail(f"unknown route {route!r} (expected one of {', '.join(ROUTES)})", f"routes[{k}]", source)
    routes = tuple(r for r in ROUTES if r in routes_value)
    chunk = data.get("chunk_size")
    if chunk is not None:
        chunk = _check_int(chunk, "chunk_size", 1, 100_000, source)
    hooks = data.get("test_hooks", {})
    if not isinstance(hooks, dict):
        raise _fail("must be a table", "test_hooks", source)
    if ("random" in data) == ("files" in data):
        raise _fail("give exactly one of [random] and [files]", "random", source)
    count_value = data.get("count")
    if "random" in data:
        src = _random_source(data["random"], source)
        if count_value is None:
            raise _fail("missing (how many random instances)", "count", source)
        count = _check_int(count_value, "count", 1, MAX_COUNT, source)
    else:
        src = _file_source(data["files"], source, base or os.getcwd())
        if src.paths:
            n = len(src.paths)
        else:
            with open(src.jsonl, "rb") as stream:
                n = sum(1 for line in stream if line.strip())
        count = n if count_value is None else min(n, _check_int(count_value, "count", 1, MAX_COUNT, source))
        if count == 0:
            raise _fail("no points found", "files", source)
    return SweepSpec(seed, count, routes, src, chunk, source, dict(hooks))


def _random_source(value: Any, source: str | None) -> RandomSource:
    if not isinstance(value, dict):
        raise _fail("must be a table", "random", source)
    _unknown(value, {"families", "depth", "width", "digits", "scramble"}, "random.", source)
    families = value.get("families", list(FAMILIES))
    if not isinstance(families, list) or not families:
        raise _fail(f"must be a non-empty list of {', '.join(FAMILIES)}", "random.families", source)
    for k, fam in enumerate(families):
        if fam not in FAMILIES:
            raise _fail(f"unknown family {fam!r} (expected one of {', '.join(FAMILIES)})",
                        f"random.families[{k}]", source)
    depth = _check_range(value.get("depth", [2, 4]), "random.depth", 2, MAX_DEPTH, source)
    width = _check_range(value.get("width", [1, 4]), "random.width", 1, MAX_WIDTH, source)
    digits = _check_int(value.get("digits", 0), "random.digits", 0, 200, source)
    scramble = value.get("scramble", 0.7)
    if isinstance(scramble, bool) or not isinstance(scramble, (int, float)) or not 0 <= scramble <= 1:
        raise _fail(f"must be a probability between 0 and 1, got {scramble!r}", "random.scramble", source)
    fams = tuple(dict.fromkeys(families))
    # families that cannot be drawn in the depth range (S2 needs H = 2, N1 and S3 need H >= 3)
    possible = [f for f in fams if not (f == "S2" and depth[0] > 2) and not (f in ("N1", "S3") and depth[1] < 3)]
    if not possible:
        raise _fail(f"no family of {list(fams)} exists at depths {depth[0]}..{depth[1]}", "random.families", source)
    if set(fams) <= {"S1"} and width[1] < 2:
        raise _fail("S1 needs d_y >= 2: raise the maximum width", "random.width", source)
    return RandomSource(tuple(possible), depth, width, digits, float(scramble))


def _file_source(value: Any, source: str | None, base: str) -> FileSource:
    if not isinstance(value, dict):
        raise _fail("must be a table", "files", source)
    _unknown(value, {"glob", "jsonl"}, "files.", source)
    if ("glob" in value) == ("jsonl" in value):
        raise _fail("give exactly one of glob and jsonl", "files", source)
    if "glob" in value:
        pattern = value["glob"]
        if not isinstance(pattern, str):
            raise _fail("must be a string", "files.glob", source)
        full = pattern if os.path.isabs(pattern) else os.path.join(base, pattern)
        paths = tuple(sorted(globmod.glob(full, recursive=True)))
        if not paths:
            raise _fail(f"no file matches {pattern!r}", "files.glob", source)
        return FileSource(paths=paths)
    path = value["jsonl"]
    if not isinstance(path, str):
        raise _fail("must be a string", "files.jsonl", source)
    full = path if os.path.isabs(path) else os.path.join(base, path)
    if not os.path.isfile(full):
        raise _fail(f"no such file: {path}", "files.jsonl", source)
    return FileSource(jsonl=full)


def load_spec(path: str | os.PathLike) -> SweepSpec:
    """Read and validate a specification file (``.toml``, else JSON). Errors are :class:`InputError` naming
    the file and the field."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as stream:
            raw = stream.read()
    except OSError as err:
        raise InputError(err.strerror or str(err), None, path) from None
    try:
        if path.endswith(".toml"):
            data = tomllib.loads(raw.decode("utf-8"))
        else:
            data = json.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"not valid {'TOML' if path.endswith('.toml') else 'JSON'}: {err}", None, path) from None
    return spec_from_mapping(data, path, os.path.dirname(os.path.abspath(path)))

