"""Classify many instances from a sweep specification (TOML or JSON; docs/howto/sweep.md) on a local process
pool or a dask cluster, writing one JSON Lines row per instance to OUT, chunk by chunk.

The rows hold the instance's id, seed, shape, family and expected kind, the exact verdict (kind, inertia,
fitted set, ranks), each route's kind, agree, timings and errors. --resume skips the ids already in OUT.
--find EXPR keeps the rows it matches (expression language: docs/howto/sweep.md), together with every row
whose exact routes disagree (or contradict the family's theorem), in OUT's .found.jsonl, and writes a point
file and a checked certificate for each into OUT's .found/ folder (--no-certify: not). Text: a summary at the
end; --json: the summary as one JSON object. Progress goes to stderr (--quiet: none): a tqdm bar on a terminal
(instances done, rate, ETA, matches, disagreements and errors so far), plain lines every --progress-every
seconds otherwise.

Exit status: 0 every instance classified, no exact disagreement and no --find match; 1 --find matched some
instance (the conjecture it encodes has a counterexample); 2 bad specification, usage or unwritable output;
3 the exact routes disagree on some instance (or contradict the family's theorem); 4 an internal error, or
some instance raised (its row has "error"); 130 interrupted (OUT holds whole chunks: --resume completes it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from exactdln.cli.commands._contract import (
    EXIT_DISAGREE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_NEGATIVE,
    EXIT_OK,
    CommandError,
    add_json_flag,
    emit,
    most_severe,
    require_module,
    say,
)

HELP = "classify many random or given instances on a process pool or a dask cluster, resumably"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", metavar="SPEC", help="sweep specification (.toml, else JSON)")
    parser.add_argument("-o", "--output", required=True, metavar="OUT", help="results, JSON Lines (appended)")
    parser.add_argument("--resume", action="store_true", help="complete OUT: skip the instance ids already there")
    parser.add_argument("--count", type=int, default=None, metavar="N", help="override the spec's count")
    parser.add_argument("--executor", choices=("process", "dask", "inline"), default="process",
                        help="process (default): a local pool (forkserver or spawn); dask: dask.distributed "
                             "(the sweep extra); inline: in this process")
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="worker processes (default: the CPU count)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="with --executor dask: a running scheduler (tcp://HOST:PORT); default a LocalCluster")
    parser.add_argument("--chunk-size", type=int, default=None, metavar="N",
                        help="instances per task (default: sized to about 1.5 s per task)")
    parser.add_argument("--find", default=None, metavar="EXPR", help="keep (and certify) the rows EXPR matches")
    parser.add_argument("--stop-after", type=int, default=None, metavar="N",
                        help="stop after exactly N --find matches (OUT holds the whole chunk of the N-th)")
    parser.add_argument("--no-certify", action="store_true", help="no point files or certificates for found rows")
    parser.add_argument("--plot", default=None, metavar="FILE", help="summary figure (PNG; the plot extra)")
    parser.add_argument("--parquet", default=None, metavar="DIR", help="also write Parquet shards (pyarrow)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument("--progress-every", type=float, default=10.0, metavar="SECONDS",
                        help="seconds between progress lines when stderr is not a terminal (default 10)")
    add_json_flag(parser, "the summary as one JSON object")


def _found_paths(output: str) -> tuple[str, str]:
    stem = output[:-6] if output.endswith(".jsonl") else output
    return stem + ".found.jsonl", stem + ".found"


def _check_writable(path: str, what: str) -> None:
    try:
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as err:
        raise CommandError(f"{path}: cannot write {what}: {err.strerror or err}") from None


def run(args: argparse.Namespace) -> int:
    from exactdln.tools.sweep.expr import parse_expression
    from exactdln.tools.sweep.run import InlineExecutor, Progress, SweepExecutorBroken, process_pool, run_sweep
    from exactdln.tools.sweep.spec import load_spec
    from exactdln.tools.sweep.worker import ROW_FIELDS

    for option, value in (("--count", args.count), ("--workers", args.workers), ("--chunk-size", args.chunk_size),
                          ("--stop-after", args.stop_after)):
        if value is not None and value < 1:
            raise CommandError(f"{option} must be >= 1")
    if args.scheduler and args.executor != "dask":
        raise CommandError("--scheduler needs --executor dask")
    find = parse_expression(args.find, ROW_FIELDS) if args.find else None
    if args.plot:
        require_module("--plot", "matplotlib")
    if args.parquet:
        require_module("--parquet", "pyarrow")
    if args.executor == "dask":
        require_module("--executor dask", "distributed")
    spec = load_spec(args.spec)
    if args.count is not None:
        spec = spec.with_count(args.count)
    output = args.output
    if os.path.exists(output) and os.path.getsize(output) > 0 and not args.resume:
        raise CommandError(f"{output}: exists and is not empty (--resume completes it; or remove it)")
    _check_writable(output, "the results")
    matches_output, found_dir = _found_paths(output)
    _check_writable(matches_output, "the found rows")     # disagreements are kept even without --find
    certify_found = find is not None and not args.no_certify

    def certify_row(row: dict) -> None:
        if certify_found and not row.get("error"):
            _certify(spec, row, found_dir)

    try:
        progress = None if args.quiet else Progress(spec.count, sys.stderr, every=args.progress_every)
    except ImportError as err:          # tqdm, for the bar on a terminal
        raise CommandError(str(err)) from None
    options = dict(output=output, resume=args.resume, find=find, matches_output=matches_output,
                   stop_after=args.stop_after, parquet=args.parquet, chunk_size=args.chunk_size,
                   progress=progress, on_match=certify_row)
    try:
        if args.executor == "dask":
            from exactdln.tools.sweep.cluster import dask_executor

            with dask_executor(args.workers or os.cpu_count() or 1, args.scheduler) as executor:
                report = run_sweep(spec, executor, **options)
        else:
            executor = InlineExecutor() if args.executor == "inline" else process_pool(args.workers)
            report = run_sweep(spec, executor, **options)
    except KeyboardInterrupt:
        say(args, f"interrupted: {output} holds whole rows; the same command with --resume completes it")
        return EXIT_INTERRUPTED
    except SweepExecutorBroken as err:
        raise CommandError(str(err), EXIT_INTERNAL) from None
    if os.path.exists(matches_output) and os.path.getsize(matches_output) == 0:
        os.remove(matches_output)
    if args.plot:
        _plot(output, args.plot)
    if args.json:
        record = report.to_json()
        record["file"] = args.spec
        record["output"] = output
        emit(record)
    else:
        print(f"{spec}\nresults: {output}", flush=True)
        print(report, flush=True)
        if report.found:
            print(f"found: {len(report.found)} row(s) in {matches_output}"
                  + (f", points and certificates in {found_dir}/" if certify_found else ""), flush=True)
    codes = [EXIT_OK]
    if report.summary.errors:
        say(args, f"{report.summary.errors} instance(s) raised: their rows in {output} have \"error\"")
        codes.append(EXIT_INTERNAL)
    if report.summary.disagreements:
        codes.append(EXIT_DISAGREE)
    if find is not None and report.summary.matches:
        codes.append(EXIT_NEGATIVE)
    return most_severe(*codes)


def _plot(output: str, path: str) -> None:
    from exactdln.numeric.plots import plot_sweep_summary
    from exactdln.tools.sweep.results import read_done

    kinds: dict[str, int] = {}
    times = []
    for row in read_done(output):
        kind = "error" if row.get("error") else str(row.get("kind"))
        kinds[kind] = kinds.get(kind, 0) + 1
        total = (row.get("time") or {}).get("total")
        if isinstance(total, (int, float)):
            times.append(float(total))
    plot_sweep_summary(kinds, times, path)


def _certify(spec, row: dict, folder: str) -> None:
    """The point file and a checked certificate of a found row, rebuilt in this process from (seed, id)."""
    from exactdln.certify.point import certify, write_certificate
    from exactdln.tools.sweep.instances import build_instance

    os.makedirs(folder, exist_ok=True)
    instance = build_instance(spec, row["id"])
    point = instance.problem.to_json() | {"weights": [w.to_json() for w in instance.weights]}
    name = os.path.join(folder, f"instance-{row['id']}")
    with open(name + ".json", "w", encoding="utf-8") as out:
        json.dump(point, out)
    certificate = certify(instance.problem, instance.weights)
    if certificate.ok:
        write_certificate(certificate, name + ".cert.json")
