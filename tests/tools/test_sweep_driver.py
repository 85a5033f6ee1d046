"""The sweep driver's edges: --stop-after N keeps exactly N matches, a caller's executor that breaks ends the
sweep with a message naming what is done, Parquet shards cover every row after --resume, and the progress
output (a tqdm bar on a terminal, plain lines elsewhere, nothing with --quiet).

Which rows match is decided from the rows themselves (their ``kind``), never from the code under test.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from exactdln.cli import main
from exactdln.tools.sweep import (
    ROW_FIELDS,
    InlineExecutor,
    Progress,
    SweepExecutorBroken,
    parse_expression,
    process_pool,
    run_sweep,
    spec_from_mapping,
)

SMALL = {"seed": 11, "count": 12, "routes": ["theorem", "hessian"], "random": {"depth": [2, 3], "width": [1, 3]}}


def _rows(path) -> list[dict]:
    return sorted((json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()),
                  key=lambda r: r["id"])


def test_stop_after_keeps_exactly_n_matches_from_one_chunk(tmp_path):
    spec = spec_from_mapping({**SMALL, "count": 30, "chunk_size": 30})       # one chunk holds every match
    all_rows = run_sweep(spec, InlineExecutor(), output=str(tmp_path / "all.jsonl"))
    assert all_rows.summary.instances == 30
    kinds = [r["kind"] for r in _rows(tmp_path / "all.jsonl")]
    target = max(set(kinds), key=kinds.count)
    assert kinds.count(target) >= 3
    find = parse_expression(f'kind == "{target}"', ROW_FIELDS)
    report = run_sweep(spec, InlineExecutor(), output=str(tmp_path / "r.jsonl"), find=find,
                       matches_output=str(tmp_path / "found.jsonl"), stop_after=2)
    found = _rows(tmp_path / "found.jsonl")
    first_two = [i for i, k in enumerate(kinds) if k == target][:2]
    assert [r["id"] for r in found] == first_two
    assert report.summary.matches == 2 and report.stopped_early and len(report.found) == 2
    assert len(_rows(tmp_path / "r.jsonl")) == 30          # the whole chunk of the second match is in the results


def test_a_callers_executor_that_breaks_names_what_is_done(tmp_path):
    marker = tmp_path / "kill-once"
    marker.write_text("")
    spec = spec_from_mapping({**SMALL, "chunk_size": 2, "test_hooks": {"kill_at": 9, "kill_marker": str(marker)}})
    out = tmp_path / "rows.jsonl"
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("forkserver"))
    try:
        with pytest.raises(SweepExecutorBroken) as caught:
            run_sweep(spec, pool, output=str(out))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    message = str(caught.value)
    done = [r["id"] for r in _rows(out)]
    assert 8 not in done and 9 not in done and done == sorted(done)
    assert f"{len(done)} of 12 instances are done" in message and "--resume" in message
    if done:
        assert re.search(rf"ids 0-{done[-1]}\b", message) or f"ids {done[0]}" in message
    report = run_sweep(spec, process_pool(1), output=str(out), resume=True)     # a factory: completes it
    assert [r["id"] for r in _rows(out)] == list(range(12))
    assert report.summary.resumed == len(done)


def test_cli_reports_a_broken_executor_in_one_line(tmp_path, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise SweepExecutorBroken("the executor given to run_sweep broke (a worker process died) ...")

    monkeypatch.setattr("exactdln.tools.sweep.run.run_sweep", broken)
    spec = tmp_path / "s.json"
    spec.write_text(json.dumps(SMALL))
    assert main(["sweep", str(spec), "-o", str(tmp_path / "o.jsonl"), "--quiet", "--executor", "inline"]) == 4
    err = capsys.readouterr().err
    assert err.startswith("exactdln sweep: the executor given to run_sweep broke") and len(err.splitlines()) == 1


def test_parquet_shards_cover_every_row_after_a_resume(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    spec = spec_from_mapping({**SMALL, "chunk_size": 3})
    whole = tmp_path / "whole.jsonl"
    run_sweep(spec, InlineExecutor(), output=str(whole))
    lines = whole.read_text().splitlines(keepends=True)
    out, shards = tmp_path / "cut.jsonl", tmp_path / "pq"
    out.write_text("".join(lines[:7]))                       # an earlier run without --parquet, cut after 7 rows
    run_sweep(spec, InlineExecutor(), output=str(out), resume=True, parquet=str(shards))
    ids = pq.read_table(str(shards)).column("id").to_pylist()
    assert sorted(ids) == list(range(12))                     # each row once: the earlier 7 and the new 5
    # a second resume of the complete file adds nothing
    run_sweep(spec, InlineExecutor(), output=str(out), resume=True, parquet=str(shards))
    assert sorted(pq.read_table(str(shards)).column("id").to_pylist()) == list(range(12))
    kinds = dict(zip(pq.read_table(str(shards)).column("id").to_pylist(),
                     pq.read_table(str(shards)).column("kind").to_pylist()))
    assert kinds == {r["id"]: r["kind"] for r in _rows(whole)}


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_bar_on_a_terminal_and_lines_elsewhere(tmp_path):
    pytest.importorskip("tqdm")
    spec = spec_from_mapping(SMALL)
    terminal = _Terminal()
    run_sweep(spec, InlineExecutor(), progress=Progress(12, terminal))
    text = terminal.getvalue()
    assert "\r" in text and "12/12" in text and "matches 0, disagreements 0, errors 0" in text
    log = io.StringIO()
    run_sweep(spec, InlineExecutor(), progress=Progress(12, log, every=3600))
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue() and len(lines) <= 2
    assert lines[-1].startswith("sweep: 12/12 (100%)") and "matches 0, disagreements 0, errors 0" in lines[-1]


def test_progress_after_a_resume_counts_the_earlier_rows(tmp_path):
    spec = spec_from_mapping(SMALL)
    whole = tmp_path / "whole.jsonl"
    run_sweep(spec, InlineExecutor(), output=str(whole))
    out = tmp_path / "cut.jsonl"
    out.write_text("".join(whole.read_text().splitlines(keepends=True)[:4]))
    log = io.StringIO()
    run_sweep(spec, InlineExecutor(), output=str(out), resume=True, progress=Progress(12, log, every=3600))
    assert log.getvalue().splitlines()[-1].startswith("sweep: 12/12 (100%)")


def test_quiet_prints_no_progress(tmp_path, capsys):
    spec = tmp_path / "s.json"
    spec.write_text(json.dumps(SMALL))
    assert main(["sweep", str(spec), "-o", str(tmp_path / "o.jsonl"), "--quiet", "--executor", "inline"]) == 0
    assert capsys.readouterr().err == ""
    assert main(["sweep", str(spec), "-o", str(tmp_path / "p.jsonl"), "--executor", "inline"]) == 0
    assert "sweep: 12/12" in capsys.readouterr().err


def test_a_missing_tqdm_is_one_line(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "tqdm", None)
    with pytest.raises(ImportError, match=r"needs tqdm: pip install 'exactdln\[sweep\]'"):
        Progress(5, _Terminal())
