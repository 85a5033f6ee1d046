"""The sweep driver: send chunks of instances to an executor, write each chunk's rows as it arrives, keep the
matches of ``--find`` and every exact disagreement, and recover from lost workers.

Any ``concurrent.futures.Executor``-like object works (``submit`` returning a concurrent.futures.Future):
a ProcessPoolExecutor, a dask.distributed ``Client.get_executor()``, or :class:`InlineExecutor`. Pass a
zero-argument *factory* instead of an executor to let the driver replace a pool whose worker died
(ProcessPoolExecutor's BrokenProcessPool): the unfinished chunks are sent again to the new pool.

Chunk size: the first chunks are small probes; from the per-instance time they report, later chunks are
sized to take about ``target_seconds`` each (between 1 and ``max_chunk`` instances), and never so large that
fewer than two chunks per worker remain, so that the workers end together.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, TextIO

from exactdln.tools.sweep.expr import Expression
from exactdln.tools.sweep.instances import payload_of
from exactdln.tools.sweep.results import JsonlWriter, ParquetWriter, Summary, read_done
from exactdln.tools.sweep.spec import FileSource, SweepSpec
from exactdln.tools.sweep.worker import error_row, run_chunk

__all__ = ["InlineExecutor", "process_pool", "SweepReport", "SweepExecutorBroken", "Progress", "run_sweep"]

MAX_ATTEMPTS = 3           # a chunk whose worker died this often is split; a single instance becomes an error row


class InlineExecutor(Executor):
    """Runs each task at once in the calling process (for debugging, tests and one-core runs)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:   # noqa: BLE001 -- handed to the caller through the future
            if isinstance(err, KeyboardInterrupt):
                raise
            future.set_exception(err)
        return future


def process_pool(workers: int | None = None, context: str | None = None) -> Callable[[], Executor]:
    """A factory of local process pools with ``workers`` processes (default: the CPU count) started with
    ``context`` (default forkserver where available, else spawn: never fork, which would copy the driver's
    threads and FLINT state)."""
    if context is None:
        context = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(context)
    n = workers or os.cpu_count() or 1
    return lambda: ProcessPoolExecutor(max_workers=n, mp_context=ctx)


class SweepExecutorBroken(RuntimeError):
    """The executor given to :func:`run_sweep` broke (a worker process died) and, being the caller's, cannot be
    replaced; the message says which instances are in the output and that ``--resume`` completes it."""


def _id_ranges(ids: list[int]) -> str:
    """'0-99, 150, 200-349' for a list of instance ids."""
    parts: list[str] = []
    ordered = sorted(set(ids))
    k = 0
    while k < len(ordered):
        j = k
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[k]) if j == k else f"{ordered[k]}-{ordered[j]}")
        k = j + 1
    if len(parts) > 12:
        parts = parts[:6] + [f"... ({len(parts) - 12} more ranges) ..."] + parts[-6:]
    return ", ".join(parts) or "none"


def _broken_message(output: str | None, finished: list[int], earlier: list[dict[str, Any]], count: int) -> str:
    done = sorted(set(finished) | {row["id"] for row in earlier})
    where = f"in {output}" if output else "returned (no output file)"
    text = (f"the executor given to run_sweep broke (a worker process died) and cannot be replaced: "
            f"{len(done)} of {count} instances are done and {where} (ids {_id_ranges(done)}); ")
    if output:
        text += ("run again with resume=True (exactdln sweep --resume) to complete it, passing a factory of "
                 "executors or None, which a sweep replaces when a worker dies")
    else:
        text += "pass a factory of executors or None, which a sweep replaces when a worker dies"
    return text


@dataclass
class SweepReport:
    """What a sweep did: the summary over every row in the output (including a resumed run's), the rows
    that matched --find or disagreed (``found``), and whether it stopped early."""

    summary: Summary
    found: list[dict[str, Any]] = field(default_factory=list)
    stopped_early: bool = False
    retried_chunks: int = 0
    output: str | None = None

    @property
    def disagreements(self) -> int:
        return self.summary.disagreements

    def to_json(self) -> dict[str, Any]:
        out = self.summary.to_json()
        out.update(file=self.output, stopped_early=self.stopped_early, retried_chunks=self.retried_chunks)
        return out

    def __str__(self) -> str:
        text = str(self.summary)
        if self.retried_chunks:
            text += f"\nchunks sent again after a worker died: {self.retried_chunks}"
        if self.stopped_early:
            text += "\nstopped early (--stop-after)"
        return text


class Progress:
    """Progress of a sweep on ``stream`` (stderr): instances done, rate, ETA, matches, disagreements and errors
    so far. On a terminal a tqdm bar (the ``sweep`` extra), redrawn at most 5 times a second; otherwise (a log
    file, a pipe) a plain line every ``every`` seconds and one at the end, never a carriage return."""

    def __init__(self, total: int, stream: TextIO | None = None, every: float = 10.0):
        self.total, self.stream, self.every = total, stream or sys.stderr, every
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.monotonic()
        self.last = 0.0
        self.already = 0              # rows of an earlier run (--resume): counted as done, not in the rate
        self.bar = None
        if self.tty:
            try:
                from tqdm import tqdm
            except ImportError:
                raise ImportError("the sweep's progress bar needs tqdm: pip install 'exactdln[sweep]' "
                                  "(or run with --quiet)") from None
            self.bar = tqdm(total=total, file=self.stream, unit="inst", mininterval=0.2, dynamic_ncols=True,
                            desc="sweep", leave=True)

    def begin(self, already: int) -> None:
        """Rows already in the output before this run (--resume)."""
        self.already = already
        self.start = time.monotonic()
        if self.bar is not None:
            self.bar.initial = self.bar.n = already
            self.bar.refresh()

    def close(self) -> None:
        """End the bar where it stands (an interrupted sweep); plain lines need nothing."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def line(self, done: int, matches: int, disagreements: int, errors: int) -> str:
        elapsed = time.monotonic() - self.start
        rate = (done - self.already) / elapsed if elapsed > 0 else 0.0
        eta = (self.total - done) / rate if rate > 0 else float("inf")
        eta_text = "?" if math.isinf(eta) else f"{eta:.0f} s"
        return (f"sweep: {done}/{self.total} ({100 * done / max(1, self.total):.0f}%), {rate:.1f}/s, ETA {eta_text}, "
                f"matches {matches}, disagreements {disagreements}, errors {errors}")

    def update(self, done: int, matches: int, disagreements: int, errors: int, final: bool = False) -> None:
        """``done``: rows in the output so far, an earlier run's included."""
        if self.bar is not None:
            self.bar.set_postfix_str(f"matches {matches}, disagreements {disagreements}, errors {errors}",
                                     refresh=False)
            self.bar.update(done - self.bar.n)
            if final:
                self.close()
            return
        now = time.monotonic()
        if not final and now - self.last < self.every:
            return
        self.last = now
        self.stream.write(self.line(done, matches, disagreements, errors) + "\n")
        self.stream.flush()


def _items(spec: SweepSpec, skip: set[int]) -> Iterator[tuple[int, Any]]:
    """(index, payload) of every instance still to do, in index order (a JSON Lines source read once)."""
    if isinstance(spec.source, FileSource) and spec.source.jsonl:
        index = 0
        with open(spec.source.jsonl, encoding="utf-8") as stream:
            for line in stream:
                if not line.strip():
                    continue
                if index >= spec.count:
                    return
                if index not in skip:
                    yield index, line
                index += 1
        return
    for index in range(spec.count):
        if index not in skip:
            yield index, payload_of(spec, index)


def _workers_of(executor: Any) -> int:
    n = getattr(executor, "_max_workers", None)
    if isinstance(n, int) and n > 0:
        return n
    client = getattr(executor, "_client", None)
    if client is not None:
        try:
            return max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()))
        except Exception:   # noqa: BLE001 -- only a sizing hint
            return 1
    return 1


def run_sweep(
    spec: SweepSpec,
    executor: Executor | Callable[[], Executor] | None = None,
    *,
    output: str | None = None,
    resume: bool = False,
    find: Expression | None = None,
    matches_output: str | None = None,
    stop_after: int | None = None,
    parquet: str | None = None,
    chunk_size: int | None = None,
    target_seconds: float = 1.5,
    max_chunk: int = 2000,
    progress: Progress | None = None,
    on_match: Callable[[dict[str, Any]], None] | None = None,
) -> SweepReport:
    """Run the sweep ``spec`` on ``executor`` and return its :class:`SweepReport`.

    ``executor``: an Executor, a factory of one (recreated when a process pool breaks), or None for a local
    process pool (:func:`process_pool`). Rows go to ``output`` (JSON Lines, appended chunk by chunk; with
    ``resume`` the ids already there are skipped, else an existing non-empty file is refused). ``find``: rows
    it matches, and every row whose exact routes disagree, go to ``matches_output`` and ``report.found``;
    ``stop_after``: stop after exactly that many rows matched ``find`` (the output holds the whole chunk of
    the last match, and rows after it count in the summary but not as matches). ``on_match(row)`` is called in
    the driver for each kept row (the command line certifies them there). ``parquet``: a folder of Parquet
    shards, one per chunk; on ``resume`` the rows of the earlier run that no shard holds are added as shards too.

    A caller's executor that breaks (a worker process died: BrokenProcessPool) raises
    :class:`SweepExecutorBroken`, naming the instances done; a factory or None is replaced and the lost chunks
    are sent again.
    """
    if output is not None and not resume and os.path.exists(output) and os.path.getsize(output) > 0:
        raise FileExistsError(f"{output} exists and is not empty (--resume completes it)")
    done_rows = read_done(output) if (output is not None and resume) else []
    summary = Summary()
    for row in done_rows:
        summary.add(row)
    summary.resumed = len(done_rows)
    skip = {row["id"] for row in done_rows}
    writer = JsonlWriter(output) if output is not None else None
    matches_writer = JsonlWriter(matches_output) if matches_output is not None else None
    shards = ParquetWriter(parquet) if parquet else None
    if shards is not None and done_rows:
        shards.cover(done_rows)         # the shards hold every row: an earlier run's too
    report = SweepReport(summary, output=output)
    if progress is not None:
        progress.begin(len(done_rows))

    factory: Callable[[], Executor] | None
    if executor is None:
        factory = process_pool()
    elif callable(executor) and not hasattr(executor, "submit"):
        factory = executor
    else:
        factory = None
    pool: Executor = factory() if factory is not None else executor   # type: ignore[assignment]
    workers = _workers_of(pool)

    pending = _items(spec, skip)
    retry: list[tuple[list[tuple[int, Any]], int]] = []        # (items, attempts so far)
    in_flight: dict[Future, tuple[list[tuple[int, Any]], int]] = {}
    remaining = spec.count - len(skip)
    per_instance: float | None = None
    fixed = chunk_size or spec.chunk_size
    start = time.monotonic()
    done = 0
    finished_ids: list[int] = []

    def next_size() -> int:
        if fixed:
            return fixed
        if per_instance is None:
            return 2
        size = max(1, min(max_chunk, int(target_seconds / max(per_instance, 1e-6))))
        left = remaining - sum(len(c) for c, _ in in_flight.values())
        return max(1, min(size, math.ceil(left / (2 * workers)))) if left > 0 else size

    submit_broken = False

    def fill() -> None:
        nonlocal submit_broken
        while len(in_flight) < 2 * workers + 1:
            if retry:
                items, attempts = retry.pop()
            else:
                items = []
                size = next_size()
                for item in pending:
                    items.append(item)
                    if len(items) >= size:
                        break
                if not items:
                    return
                attempts = 0
            try:
                future = pool.submit(run_chunk, spec, items)
            except BrokenProcessPool:
                # a worker died between two submissions: the pool refuses new work before its
                # in-flight futures have failed; keep the chunk and replace the pool (refill)
                retry.append((items, attempts))
                submit_broken = True
                return
            in_flight[future] = (items, attempts)

    def renew() -> None:
        """Send every unfinished chunk of a broken pool again, to a new pool from the factory."""
        nonlocal pool, submit_broken
        for future, (items, attempts) in list(in_flight.items()):
            in_flight.pop(future)
            retry.append((items, attempts))
            report.retried_chunks += 1
        if submit_broken:
            report.retried_chunks += 1      # the chunk the broken pool refused
        pool.shutdown(wait=False, cancel_futures=True)
        pool = factory()
        submit_broken = False

    def refill() -> None:
        fill()
        while submit_broken:
            if factory is None:
                raise SweepExecutorBroken(_broken_message(output, finished_ids, done_rows, spec.count))
            renew()
            fill()

    def stopped() -> bool:
        return stop_after is not None and summary.matches >= stop_after

    def lost(items: list[tuple[int, Any]], attempts: int, why: str) -> list[dict[str, Any]]:
        """A chunk whose worker died: retried, split into single instances, finally error rows."""
        report.retried_chunks += 1
        if attempts + 1 < MAX_ATTEMPTS:
            retry.append((items, attempts + 1))
            return []
        if len(items) > 1:
            retry.extend(([item], attempts + 1) for item in items)
            return []
        index, payload = items[0]
        return [error_row(index, None, str(payload) if isinstance(payload, str) else f"#{index}",
                          f"worker lost {MAX_ATTEMPTS} times: {why}")]

    try:
        refill()
        while in_flight:
            finished, _ = wait(list(in_flight), timeout=1.0, return_when=FIRST_COMPLETED)
            broken = False
            for future in finished:
                items, attempts = in_flight.pop(future)
                try:
                    rows = future.result()
                except BrokenProcessPool as err:
                    broken = True
                    rows = lost(items, attempts, f"{type(err).__name__}")
                except Exception as err:   # noqa: BLE001 -- an executor failure (dask KilledWorker, ...)
                    rows = lost(items, attempts, f"{type(err).__name__}: {err}")
                if not rows:
                    continue
                times = [r["time"].get("total") for r in rows if r.get("time", {}).get("total") is not None]
                if times:
                    measured = sum(times) / len(times)
                    per_instance = measured if per_instance is None else 0.7 * per_instance + 0.3 * measured
                kept = []
                for row in rows:
                    summary.add(row)
                    # past the N-th match (--stop-after N) a row still goes to the results, not to the matches
                    hit = find is not None and not stopped() and find(row)
                    summary.matches += bool(hit)
                    if hit or row.get("disagree"):
                        kept.append(row)
                if writer is not None:
                    writer.write(rows)
                if shards is not None:
                    shards.write(rows)
                if kept:
                    report.found.extend(kept)
                    if matches_writer is not None:
                        matches_writer.write(kept)
                    if on_match is not None:
                        for row in kept:
                            on_match(row)
                done += len(rows)
                remaining -= len(rows)
                finished_ids.extend(index for index, _ in items)
                if progress is not None:
                    progress.update(summary.resumed + done, summary.matches, summary.disagreements, summary.errors)
                if stopped():
                    break          # the other finished chunks are dropped: --resume would redo them
            if stopped():
                report.stopped_early = True
                break
            if broken:
                if factory is None:
                    raise SweepExecutorBroken(_broken_message(output, finished_ids, done_rows, spec.count))
                renew()            # every future of a broken pool fails
            refill()
    finally:
        summary.wall = time.monotonic() - start
        if progress is not None and sys.exc_info()[0] is not None:
            progress.close()
        for future in in_flight:
            future.cancel()
        if factory is not None:
            pool.shutdown(wait=not report.stopped_early, cancel_futures=True)
        for w in (writer, matches_writer):
            if w is not None:
                w.close()
    if progress is not None:
        progress.update(summary.resumed + done, summary.matches, summary.disagreements, summary.errors, final=True)
    return report
