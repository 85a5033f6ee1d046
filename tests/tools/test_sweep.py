"""exactdln sweep: the specification, reproducible instances, the --find language, the driver on an inline
executor, a local process pool (a worker killed mid-sweep) and a real dask LocalCluster, resume and the CLI.

Expected kinds come from the family theorems (docs/maths/classification.md §3.6: the instance's ``expected``,
never a classifier's output); the worked examples TC1a (global minimizer) and TC2a (non-strict saddle) are the
hand facts of docs/maths/classification.md §8.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from exactdln.cli import main
from exactdln.model.problem import InputError
from exactdln.tools.sweep import (
    ROW_FIELDS,
    InlineExecutor,
    parse_expression,
    process_pool,
    run_sweep,
    spec_from_mapping,
)
from exactdln.tools.sweep.expr import ExpressionError
from exactdln.tools.sweep.instances import build_instance, instance_seed
from exactdln.tools.sweep.results import read_done
from tests.support import ROOT

EXAMPLES = ROOT / "exactdln" / "examples"
SMALL = {"seed": 11, "count": 12, "routes": ["theorem", "hessian"], "random": {"depth": [2, 3], "width": [1, 3]}}


def _stable(row: dict) -> dict:
    """A row without its timings (the only field that depends on the run)."""
    return {k: v for k, v in row.items() if k != "time"}


def _rows(path) -> list[dict]:
    return sorted((json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()),
                  key=lambda r: r["id"])


# ------------------------------------------------------------------------------------------------ specification


@pytest.mark.parametrize("change, field", [
    ({"routes": ["theorem", "magic"]}, "routes[1]"),
    ({"random": {"depth": [4, 2]}}, "random.depth"),
    ({"random": {"width": [0, 3]}}, "random.width[0]"),
    ({"random": {"families": ["S9"]}}, "random.families[0]"),
    ({"random": {"scramble": 2}}, "random.scramble"),
    ({"colour": "red"}, "colour"),
    ({"count": -1}, "count"),
    ({"seed": "x"}, "seed"),
    ({"random": {"families": ["S2"], "depth": [3, 4]}}, "random.families"),
])
def test_a_bad_specification_names_the_field(change, field):
    data = {**SMALL, **change}
    with pytest.raises(InputError) as err:
        spec_from_mapping(data, "spec.toml")
    assert err.value.field == field
    assert str(err.value).startswith(f"spec.toml: {field}: ")


def test_toml_file_and_the_shipped_example(tmp_path):
    from exactdln.tools.sweep import load_spec

    spec = load_spec(EXAMPLES / "sweep.toml")
    assert spec.count >= 10**4 and spec.routes == ("theorem", "hessian")
    (tmp_path / "bad.toml").write_text("seed = \n")
    with pytest.raises(InputError, match="not valid TOML"):
        load_spec(tmp_path / "bad.toml")


def test_instance_i_depends_on_seed_and_i_alone():
    spec = spec_from_mapping(SMALL)
    assert instance_seed(11, 5) == instance_seed(11, 5) != instance_seed(11, 6) != instance_seed(12, 5)
    a = build_instance(spec, 5)
    for i in (9, 0, 3):           # building others in between changes nothing
        build_instance(spec, i)
    b = build_instance(spec, 5)
    assert a.weights == b.weights and a.problem == b.problem and a.seed == instance_seed(11, 5)
    assert build_instance(spec, 6).weights != a.weights


def test_random_instances_stay_in_the_ranges():
    spec = spec_from_mapping({"seed": 3, "count": 30, "random": {"depth": [3, 3], "width": [2, 3], "digits": 5}})
    for i in range(30):
        inst = build_instance(spec, i)
        widths = (inst.weights[0].ncols,) + tuple(w.nrows for w in inst.weights)
        assert len(widths) == 4 and all(2 <= w <= 3 for w in widths)
        assert inst.family != "S2"          # S2 needs H = 2


# ------------------------------------------------------------------------------------------------ --find language


def test_expressions_evaluate_as_written():
    row = {"kind": "strict_saddle", "rank": 1, "r_max": 2, "agree": True, "routes": {"hessian": "strict_saddle"},
           "inertia": [3, 1, 2], "depth": 4, "loss": None}
    cases = {
        'kind == "strict_saddle" and rank < r_max': True,
        "not agree": False,
        "not (agree and depth > 4)": True,
        "depth >= 4 and kind in ['non_strict_saddle', 'strict_saddle']": True,
        "kind not in ['strict_saddle']": False,
        'routes.hessian == "strict_saddle" or false': True,
        "routes.float == null": True,
        "1 in inertia and 5 not in inertia": True,
        "loss < 3": False,                     # None cannot be ordered: false, not an error
        "rank == true": False,
        "depth > 2 and depth < 5 or rank > 9": True,
        "rank == r_max - 1 and depth - 2 == 2": True,
        "rank < r_max-1": False,
        "-rank == -1 and rank + 1 == r_max": True,
        "kind - 1 == null": True,
    }
    for text, value in cases.items():
        assert parse_expression(text, ROW_FIELDS)(row) is value, text


@pytest.mark.parametrize("text, column", [
    ("kind ==", 8), ("kind = 1", 6), ("(depth > 1", 11), ("depth 4", 7), ("depth > 1 $", 11),
    ('__import__("os")', 1), ("rnak < 2", 1), ("rank * 2 > 1", 6), ("rank -", 7),
])
def test_bad_expressions_name_the_column(text, column):
    with pytest.raises(ExpressionError, match=f"column {column}\\b"):
        parse_expression(text, ROW_FIELDS)


# ------------------------------------------------------------------------------------------------ driver


def test_inline_sweep_matches_the_family_theorems(tmp_path):
    out = tmp_path / "rows.jsonl"
    spec = spec_from_mapping({**SMALL, "count": 40})
    report = run_sweep(spec, InlineExecutor(), output=str(out))
    rows = _rows(out)
    assert [r["id"] for r in rows] == list(range(40))
    for row in rows:
        assert set(ROW_FIELDS) <= set(row)
        assert row["kind"] == row["expected"], row
        assert row["routes"]["theorem"] == row["routes"]["hessian"] == row["expected"]
        assert row["agree"] and not row["disagree"] and row["error"] is None
        n_plus, n_minus, n_zero = row["inertia"]
        assert n_plus + n_minus + n_zero == row["n_params"]
        assert (n_minus > 0) == (row["kind"] == "strict_saddle")
    assert report.summary.instances == 40 and report.summary.disagreements == 0


def test_error_rows_and_the_find_file(tmp_path):
    spec = spec_from_mapping({**SMALL, "test_hooks": {"raise_at": [2, 7]}})
    find = parse_expression('kind == "global_minimizer"', ROW_FIELDS)
    report = run_sweep(spec, InlineExecutor(), output=str(tmp_path / "r.jsonl"), find=find,
                       matches_output=str(tmp_path / "found.jsonl"))
    rows = _rows(tmp_path / "r.jsonl")
    assert len(rows) == 12
    errors = [r["id"] for r in rows if r["error"]]
    assert errors == [2, 7] and "test hook" in rows[2]["error"]
    found = _rows(tmp_path / "found.jsonl")
    assert [r["id"] for r in found] == [r["id"] for r in rows if r["kind"] == "global_minimizer"]
    assert report.summary.matches == len(found) and report.summary.errors == 2


def test_resume_completes_a_cut_file_with_the_same_rows(tmp_path):
    spec = spec_from_mapping(SMALL)
    whole = tmp_path / "whole.jsonl"
    run_sweep(spec, InlineExecutor(), output=str(whole))
    lines = whole.read_text().splitlines(keepends=True)
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(lines[:5]) + lines[5][: len(lines[5]) // 2])      # an interrupted write
    with pytest.raises(FileExistsError):
        run_sweep(spec, InlineExecutor(), output=str(cut))
    report = run_sweep(spec, InlineExecutor(), output=str(cut), resume=True)
    assert report.summary.resumed == 5 and report.summary.instances == 12
    assert [_stable(r) for r in _rows(cut)] == [_stable(r) for r in _rows(whole)]
    assert len(read_done(str(cut))) == 12


def test_a_killed_worker_loses_nothing_and_its_chunk_is_retried(tmp_path):
    marker = tmp_path / "kill-once"
    marker.write_text("")
    spec = spec_from_mapping({**SMALL, "chunk_size": 2,
                              "test_hooks": {"kill_at": 5, "kill_marker": str(marker)}})
    out = tmp_path / "rows.jsonl"
    report = run_sweep(spec, process_pool(2), output=str(out))
    rows = _rows(out)
    assert not marker.exists()                  # the worker did die at instance 5
    assert [r["id"] for r in rows] == list(range(12))
    assert report.retried_chunks >= 1 and not any(r["error"] for r in rows)
    reference = run_sweep(spec_from_mapping(SMALL), InlineExecutor())
    assert reference.summary.kinds == report.summary.kinds


def test_dask_local_cluster_gives_the_same_rows(tmp_path):
    distributed = pytest.importorskip("distributed")
    spec = spec_from_mapping(SMALL)
    inline = tmp_path / "inline.jsonl"
    run_sweep(spec, InlineExecutor(), output=str(inline))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        out = tmp_path / "dask.jsonl"
        report = run_sweep(spec, client.get_executor(pure=False), output=str(out), chunk_size=3)
        assert report.summary.instances == 12
    assert [_stable(r) for r in _rows(out)] == [_stable(r) for r in _rows(inline)]


def test_point_files_by_glob_and_jsonl(tmp_path):
    for name in ("tc1a", "tc2a", "t4"):
        shutil.copy(EXAMPLES / f"{name}.json", tmp_path / f"{name}.json")
    spec = spec_from_mapping({"routes": ["theorem", "hessian"], "files": {"glob": "*.json"}}, base=str(tmp_path))
    report = run_sweep(spec, InlineExecutor())
    assert spec.count == 3 and report.summary.kinds == {"global_minimizer": 1, "non_strict_saddle": 1,
                                                        "strict_saddle": 1}
    stream = tmp_path / "points.jsonl"
    stream.write_text("".join(json.dumps(json.loads((tmp_path / f"{n}.json").read_text())) + "\n"
                              for n in ("tc2a", "tc1a")))
    spec = spec_from_mapping({"files": {"jsonl": "points.jsonl"}}, base=str(tmp_path))
    out = tmp_path / "rows.jsonl"
    run_sweep(spec, InlineExecutor(), output=str(out))
    assert [r["kind"] for r in _rows(out)] == ["non_strict_saddle", "global_minimizer"]


# ------------------------------------------------------------------------------------------------ command line


def _spec_file(tmp_path, **change) -> str:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({**SMALL, **change}))
    return str(path)


def test_cli_find_certifies_and_exits_1(tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    code = main(["sweep", _spec_file(tmp_path), "-o", str(out), "--executor", "inline", "--quiet",
                 "--find", 'kind == "non_strict_saddle"', "--stop-after", "1", "--json"])
    assert code == 1
    summary = json.loads(capsys.readouterr().out)
    # it stops after exactly one match (the rest of that chunk is in the results, not among the matches)
    assert summary["matches"] == 1 and summary["stopped_early"] is True and summary["instances"] < 12
    found = _rows(tmp_path / "out.found.jsonl")
    assert len(found) == summary["matches"] and all(r["kind"] == "non_strict_saddle" for r in found)
    i = found[0]["id"]
    assert (tmp_path / "out.found" / f"instance-{i}.json").exists()
    assert main(["check", str(tmp_path / "out.found" / f"instance-{i}.cert.json")]) == 0
    capsys.readouterr()


def test_cli_errors_are_one_line_with_exit_2(tmp_path, capsys):
    bad = _spec_file(tmp_path, routes=["nope"])
    assert main(["sweep", bad, "-o", str(tmp_path / "o.jsonl")]) == 2
    assert capsys.readouterr().err.strip() == (f"exactdln sweep: {bad}: routes[0]: unknown route 'nope' "
                                               "(expected one of theorem, hessian, float, mp, certify)")
    good = _spec_file(tmp_path)
    blocked = tmp_path / "no-such-dir" / "o.jsonl"
    assert main(["sweep", good, "-o", str(blocked), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"exactdln sweep: {blocked}: cannot write the results") and len(err.splitlines()) == 1
    assert main(["sweep", good, "-o", str(tmp_path / "o.jsonl"), "--find", "kind =="]) == 2
    assert "column 8" in capsys.readouterr().err
    existing = tmp_path / "full.jsonl"
    existing.write_text('{"id": 0}\n')
    assert main(["sweep", good, "-o", str(existing)]) == 2
    assert "--resume" in capsys.readouterr().err


def test_cli_plot_and_parquet(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    pq = pytest.importorskip("pyarrow.parquet")
    out, png, shards = tmp_path / "o.jsonl", tmp_path / "s.png", tmp_path / "pq"
    assert main(["sweep", _spec_file(tmp_path), "-o", str(out), "--executor", "inline", "--quiet",
                 "--plot", str(png), "--parquet", str(shards)]) == 0
    text = capsys.readouterr().out
    assert "instances: 12" in text and "kinds:" in text
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pq.read_table(str(shards))
    assert sorted(table.column("id").to_pylist()) == list(range(12))
    assert table.column("kind").to_pylist().count(None) == 0


def test_dask_without_the_extra_fails_before_any_work(tmp_path, capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)          # import distributed -> ImportError
    out = tmp_path / "o.jsonl"
    assert main(["sweep", _spec_file(tmp_path), "-o", str(out), "--executor", "dask"]) == 2
    assert capsys.readouterr().err == ("exactdln sweep: --executor dask needs distributed: "
                                       "pip install 'exactdln[sweep]'\n")
    assert not out.exists()
