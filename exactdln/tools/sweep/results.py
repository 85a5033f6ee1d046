"""The sweep's result files: JSON Lines appended chunk by chunk (flush + fsync), resume, Parquet shards, and the
summary of a finished (or resumed) sweep."""

from __future__ import annotations

import json
import os
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

__all__ = ["JsonlWriter", "read_done", "Summary", "ParquetWriter"]


# one encoder for every row: json.dumps with options builds a new JSONEncoder per call
_ENCODER = json.JSONEncoder(separators=(",", ":"))


class JsonlWriter:
    """Append-only JSON Lines; each :meth:`write` is one ``write`` call, then flush and fsync, so a crash or
    Ctrl-C leaves whole chunks (and at most one truncated last line, which :func:`read_done` repairs)."""

    def __init__(self, path: str):
        self.path = path
        self.stream = open(path, "a", encoding="utf-8")

    def write(self, rows: Iterable[dict[str, Any]]) -> None:
        encode = _ENCODER.encode
        text = "".join([encode(row) + "\n" for row in rows])
        if text:
            self.stream.write(text)
            self.stream.flush()
            os.fsync(self.stream.fileno())

    def close(self) -> None:
        self.stream.close()


def read_done(path: str) -> list[dict[str, Any]]:
    """The rows of an existing results file. A truncated or unreadable last line (an interrupted write) is cut
    off the file so that appending continues cleanly; a bad line elsewhere is an error."""
    rows: list[dict[str, Any]] = []
    if not os.path.exists(path):
        return rows
    with open(path, "rb") as stream:
        data = stream.read()
    good_end = 0
    lines = data.split(b"\n")
    for k, line in enumerate(lines):
        last = k == len(lines) - 1
        if not line.strip():
            good_end += len(line) + (0 if last else 1)
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not isinstance(row.get("id"), int):
                raise ValueError("no integer id")
        except ValueError:
            if last or all(not rest.strip() for rest in lines[k + 1:]):
                break
            raise ValueError(f"{path}: line {k + 1} is not a sweep row") from None
        if last:           # complete JSON without its newline: keep it, and end it
            with open(path, "ab") as out:
                out.write(b"\n")
            rows.append(row)
            good_end = len(data) + 1
            break
        rows.append(row)
        good_end += len(line) + 1
    if good_end < len(data):
        with open(path, "r+b") as out:
            out.truncate(good_end)
    return rows


@dataclass
class Summary:
    """Counts per kind and per size, route agreement and time per instance, updated row by row."""

    instances: int = 0
    kinds: Counter = field(default_factory=Counter)
    sizes: Counter = field(default_factory=Counter)          # "H=3, max width 4"
    families: Counter = field(default_factory=Counter)
    disagreements: int = 0
    expected_mismatch: int = 0
    numeric_conflicts: int = 0
    errors: int = 0
    matches: int = 0
    times: list[float] = field(default_factory=list)
    route_kinds: dict[str, Counter] = field(default_factory=dict)
    wall: float = 0.0
    resumed: int = 0

    def add(self, row: dict[str, Any]) -> None:
        self.instances += 1
        if row.get("error"):
            self.errors += 1
            self.kinds["error"] += 1
        else:
            self.kinds[row.get("kind") or "none"] += 1
            self.sizes[f"H={row.get('depth')}, max width {row.get('max_width')}"] += 1
            if row.get("family"):
                self.families[row["family"]] += 1
        self.disagreements += bool(row.get("disagree"))
        self.expected_mismatch += row.get("expected_agree") is False
        self.numeric_conflicts += bool(row.get("numeric_conflict"))
        for route, kind in (row.get("routes") or {}).items():
            counts = self.route_kinds.get(route)
            if counts is None:
                counts = self.route_kinds[route] = Counter()
            counts[str(kind)] += 1
        total = (row.get("time") or {}).get("total")
        if isinstance(total, (int, float)):
            self.times.append(float(total))

    def to_json(self) -> dict[str, Any]:
        t = self.times
        return {
            "instances": self.instances, "resumed": self.resumed, "kinds": dict(self.kinds),
            "sizes": dict(sorted(self.sizes.items())), "families": dict(self.families),
            "routes": {k: dict(v) for k, v in self.route_kinds.items()},
            "agree": self.instances - self.disagreements - self.errors, "disagreements": self.disagreements,
            "expected_mismatch": self.expected_mismatch, "numeric_conflicts": self.numeric_conflicts,
            "errors": self.errors, "matches": self.matches,
            "time_per_instance": {"mean": statistics.fmean(t) if t else None,
                                  "median": statistics.median(t) if t else None, "max": max(t) if t else None},
            "wall_seconds": self.wall,
            "throughput": (self.instances - self.resumed) / self.wall if self.wall > 0 else None,
        }

    def __str__(self) -> str:
        j = self.to_json()
        lines = [f"instances: {self.instances}" + (f" ({self.resumed} from an earlier run)" if self.resumed else "")]
        lines.append("kinds: " + ", ".join(f"{k} {v}" for k, v in sorted(self.kinds.items())))
        if self.families:
            lines.append("families: " + ", ".join(f"{k} {v}" for k, v in sorted(self.families.items())))
        lines.append("sizes:")
        lines += [f"  {k}: {v}" for k, v in sorted(self.sizes.items())]
        lines.append(f"routes agree on {j['agree']}; exact disagreements {self.disagreements} "
                     f"(of which the family's theorem contradicted {self.expected_mismatch}); numeric conflicts "
                     f"{self.numeric_conflicts}; errors {self.errors}; --find matches {self.matches}")
        for route, counts in sorted(self.route_kinds.items()):
            lines.append(f"  {route}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        tp = j["time_per_instance"]
        if tp["mean"] is not None:
            lines.append(f"time per instance: mean {tp['mean'] * 1e3:.1f} ms, median {tp['median'] * 1e3:.1f} ms, "
                         f"max {tp['max'] * 1e3:.1f} ms (in the worker)")
        if self.wall > 0:
            lines.append(f"wall time {self.wall:.1f} s, {j['throughput']:.1f} instances/s")
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------- Parquet

def _parquet_schema():
    import pyarrow as pa

    ints = pa.list_(pa.int64())
    return pa.schema([
        ("id", pa.int64()), ("seed", pa.int64()), ("source", pa.string()), ("family", pa.string()),
        ("expected", pa.string()), ("widths", ints), ("depth", pa.int64()), ("max_width", pa.int64()),
        ("n_params", pa.int64()), ("kind", pa.string()), ("critical", pa.bool_()), ("inertia", ints),
        ("fitted", ints), ("rank", pa.int64()), ("r_max", pa.int64()), ("loss", pa.string()),
        ("agree", pa.bool_()), ("expected_agree", pa.bool_()), ("disagree", pa.bool_()),
        ("numeric_conflict", pa.bool_()), ("certified", pa.bool_()), ("error", pa.string()),
        ("routes", pa.string()), ("partial_ranks", pa.string()), ("time_total", pa.float64()),
        ("time", pa.string()),
    ])


class ParquetWriter:
    """One Parquet file per chunk in a folder (``part-<n>-<first id>.parquet``): nested fields (routes,
    partial_ranks, time) as JSON text, ``time_total`` as a column. Needs pyarrow (the ``sweep`` extra).
    :meth:`cover` adds the rows of an earlier run that no shard holds (a resumed sweep)."""

    def __init__(self, folder: str):
        import pyarrow  # noqa: F401  -- fail before the sweep starts

        os.makedirs(folder, exist_ok=True)
        self.folder = folder
        self.schema = _parquet_schema()
        self.count = len([n for n in os.listdir(folder) if n.endswith(".parquet")])

    def ids(self) -> set[int]:
        """The instance ids that the shards in the folder hold."""
        import pyarrow.parquet as pq

        held: set[int] = set()
        for name in sorted(os.listdir(self.folder)):
            if name.endswith(".parquet"):
                held.update(pq.read_table(os.path.join(self.folder, name), columns=["id"]).column("id").to_pylist())
        return held

    def cover(self, rows: list[dict[str, Any]], shard_rows: int = 20_000) -> int:
        """Add shards for the rows (of an earlier run, --resume) that no shard holds; returns how many."""
        held = self.ids()
        missing = [row for row in rows if row["id"] not in held]
        for k in range(0, len(missing), shard_rows):
            self.write(missing[k:k + shard_rows])
        return len(missing)

    def write(self, rows: list[dict[str, Any]]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not rows:
            return
        flat = []
        for row in rows:
            r = {name: row.get(name) for name in self.schema.names}
            r["routes"] = json.dumps(row.get("routes") or {}, sort_keys=True)
            r["partial_ranks"] = json.dumps(row.get("partial_ranks"))
            r["time"] = json.dumps(row.get("time") or {}, sort_keys=True)
            r["time_total"] = (row.get("time") or {}).get("total")
            flat.append(r)
        table = pa.Table.from_pylist(flat, schema=self.schema)
        self.count += 1
        name = f"part-{self.count:06d}-{rows[0]['id']}.parquet"
        tmp = os.path.join(self.folder, "." + name + ".tmp")
        pq.write_table(table, tmp)
        os.replace(tmp, os.path.join(self.folder, name))
