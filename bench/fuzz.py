"""The hostile-input campaign: mutated point files, family files and certificates through the CLI, at scale.

    python bench/fuzz.py --inputs 100000 --workers 2 [--seed 1] [--budget 20] [--subprocess-every 50] [--out fuzz-out]

Inputs come from tests/fuzz/hostile.py, .npz point files for snap, gd and classify --snap from
tests/fuzz/hostile_npz.py, and certificates over a number field for check from tests/fuzz/hostile_field.py
(about 5% of the inputs, all of them with --field-only; the classes are listed there); input i is a pure function of
(seed, i). A warm fork server runs them: this process imports exactdln, numpy, flint and the commands'
modules once and builds the honest certificates the mutants start from, then forks one child per input
(at most --workers at a time). The child writes the input to a file, calls ``exactdln.cli.main`` with
``--timeout BUDGET`` on it, stdout and stderr captured (tests/fuzz/harness.py ``run``), judges the outcome
(``findings``: tracebacks, exit codes the contract does not document for the command, error lines without
the command prefix or the file, runs past the budget) and, for a certificate the checker accepts,
recomputes its claims independently (``certificate_findings``: false accepts); it sends one JSON record
back through a pipe and ends with ``os._exit``. One input in --subprocess-every runs instead as a real
``python -m exactdln`` process, so the process-level contract (exit status, nothing on stdout but the
answer) stays tested. The parent kills a child that gives no answer within BUDGET + 60 s (a hang the
in-process --timeout could not stop) and records it; each child's peak memory comes from ``os.wait4``.

OUT/results.jsonl holds one record per input; OUT/summary.json the counts per command and the findings;
OUT/finding-I.json the inputs with a finding; OUT/over_budget/I.json (and I.cmd, the command line) every
input that stopped at the budget (exit 5) or ran past it, to profile.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import select
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

KINDS = (("points", 55), ("families", 20), ("certificates", 25))
NPZ_SHARE = 0.06         # inputs that are .npz point files, drawn apart so that the other inputs of a seed stay as they were
FIELD_SHARE = 0.05       # certificates over a number field (tests/fuzz/hostile_field.py), drawn apart the same way
#: the commands that read .npz point files (exactdln/tools/interop.py), with the options they need: float
#: arrays are read only by a named rule (--floats), and classify reads float weights only with --snap
NPZ_COMMANDS = (("snap",), ("gd",), ("classify", "--snap"))
POINT_COMMANDS = ("classify", "crosscheck", "certify", "snap", "regularized") * 2 + ("gd", "flow")
FAMILY_COMMANDS = ("classify", "certify")
KILL_AFTER = 60.0        # seconds past the budget before the parent kills a child
ORACLE_BUDGET = 30.0     # seconds for the independent recomputation of an accepted certificate


class _OracleTimeout(Exception):
    pass


def _case(seed: int, i: int, honest: dict, field_only: bool = False) -> tuple[str, str, str, str]:
    """(kind, command, mutation, text) of input i: a pure function of (seed, i). For an .npz point the command
    carries its options ("classify --snap --floats binary"; :func:`_split`). Field certificates come from their
    own stream, drawn after the .npz one, so that every other input of a seed is the one earlier campaigns ran
    (the inputs that become field certificates are replaced); ``field_only``: every input is one."""
    from tests.fuzz.hostile import hostile_certificate, hostile_family, hostile_point
    from tests.fuzz.hostile_field import hostile_field_certificate
    from tests.fuzz.hostile_npz import hostile_npz

    field = random.Random(f"field {seed} {i}")
    if field_only or (field.random() < FIELD_SHARE and random.Random(f"npz {seed} {i}").random() >= NPZ_SHARE):
        mutation, text = hostile_field_certificate(field, honest["field"])
        return "certificates", "check", f"field:{mutation}", text
    npz = random.Random(f"npz {seed} {i}")
    if npz.random() < NPZ_SHARE:
        mutation, text = hostile_npz(npz)
        command = npz.choice(NPZ_COMMANDS) + npz.choice([("--floats", "decimal"), ("--floats", "binary"), ()])
        return "npz", " ".join(command), mutation, text
    rng = random.Random(seed * 1_000_003 + i)
    kind = rng.choice([k for k, w in KINDS for _ in range(w)])
    if kind == "points":
        mutation, text = hostile_point(rng, heavy=True)
        return kind, rng.choice(POINT_COMMANDS), mutation, text
    if kind == "families":
        mutation, text = hostile_family(rng)
        return kind, rng.choice(FAMILY_COMMANDS), mutation, text
    which = rng.choice(["point", "point", "family"])
    mutation, text = hostile_certificate(rng, honest[which])
    return kind, "check", f"{which}:{mutation}", text


def _warm() -> dict:
    """Import what the commands import, once, before any fork; the honest certificates for the mutants."""
    import numpy  # noqa: F401
    import flint  # noqa: F401
    import exactdln.cli  # noqa: F401
    from exactdln.cli import commands  # noqa: F401
    import importlib

    for name in ("classify", "crosscheck", "certify", "snap", "regularized", "gd", "flow", "check"):
        importlib.import_module(f"exactdln.cli.commands.{name}")
    for name in ("exactdln.theory.classify", "exactdln.theory.regularized", "exactdln.tools.snap",
                 "exactdln.tools.crosscheck", "exactdln.tools.interop", "exactdln.certify.point",
                 "exactdln.certify.family", "exactdln.symbolic", "exactdln.numeric.float64", "exactdln.numeric.mp",
                 "exactdln.numeric.flows", "exactdln.trusted.checker", "exactdln.trusted.checker_family"):
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    from tests.fuzz.harness import honest_family_certificates, honest_point_certificates
    from tests.fuzz.hostile_field import honest_field_certificates

    return {"point": honest_point_certificates(), "family": honest_family_certificates(),
            "field": honest_field_certificates()}


def _subprocess_run(command: str, path: str, budget: float, extra: tuple[str, ...], json_output: bool):
    """The same call as harness.run, as a real process: ``python -m exactdln --timeout BUDGET ...``."""
    from tests.fuzz.harness import EXTRA_OPTIONS, Outcome

    argv = [sys.executable, "-m", "exactdln", "--timeout", f"{budget:g}", command] + \
        (["--json"] if json_output else []) + [path, *extra, *EXTRA_OPTIONS.get(command, ())]
    start = time.monotonic()
    try:
        done = subprocess.run(argv, capture_output=True, text=True, errors="replace", cwd=ROOT,
                              timeout=budget + KILL_AFTER)
        code, out, err = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as e:
        code, out, err = -9, str(e.stdout or ""), str(e.stderr or "")
    return Outcome(command, path, code, out, err, time.monotonic() - start, tuple(extra))


def _child(seed: int, i: int, honest: dict, budget: float, folder: str, out: str, as_process: bool,
           field_only: bool = False) -> dict:
    """Run input i and judge it (in the forked child)."""
    from tests.fuzz.harness import certificate_findings, findings, run

    kind, command, mutation, text = _case(seed, i, honest, field_only)
    command, options = _split(command)
    suffix = _suffix(kind)
    path = os.path.join(folder, f"in-{i}{suffix}")
    with open(path, "wb") as fh:
        fh.write(text.encode("utf-8", "surrogateescape"))
    cert = os.path.join(folder, f"in-{i}.cert.json")
    extra = ("-o", cert) if command == "certify" else options
    runner = _subprocess_run if as_process else run
    outcome = runner(command, path, budget, extra, json_output=command != "check")
    bad = findings(outcome, budget)
    if as_process and outcome.code < 0:
        bad.append(f"killed by signal {-outcome.code}")
    false_accept = []
    oracle_timeout = False
    if command == "check" and outcome.code == 0 and not bad:
        def stop(signum, frame):
            raise _OracleTimeout

        previous = signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, ORACLE_BUDGET)
        try:
            false_accept = certificate_findings(text, True)
        except _OracleTimeout:      # not recomputed in time: counted apart, never as confirmed
            oracle_timeout = True
        except Exception as err:    # the oracle itself failed on this input: report, do not hide
            false_accept = [f"oracle error {type(err).__name__}: {err}"[:300]]
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    record = {"i": i, "kind": kind, "command": command, "mutation": mutation, "code": outcome.code,
              "seconds": round(outcome.seconds, 3), "findings": bad, "false_accept": false_accept,
              "process": as_process, "bytes": len(text), "oracle_timeout": oracle_timeout}
    if options:
        record["options"] = " ".join(options)
    if bad or false_accept:
        keep = os.path.join(out, f"finding-{i}{suffix}")
        with open(keep, "wb") as fh:
            fh.write(text.encode("utf-8", "surrogateescape"))
        record["kept"] = keep
        record["stderr"] = outcome.stderr[-500:]
    if outcome.code == 5 or outcome.seconds > budget:
        _keep_over_budget(out, i, " ".join((command,) + options), text, outcome.stderr, suffix)
        record["over_budget_kept"] = True
    for p in (path, cert):
        if os.path.exists(p):
            os.unlink(p)
    return record


def _split(command: str) -> tuple[str, tuple[str, ...]]:
    """("classify", ("--snap", "--floats", "binary")) from "classify --snap --floats binary"."""
    name, *options = command.split()
    return name, tuple(options)


def _suffix(kind: str) -> str:
    return ".npz" if kind == "npz" else ".json"


def _keep_over_budget(out: str, i: int, command: str, text: str, stderr: str = "", suffix: str = ".json") -> None:
    from tests.fuzz.harness import EXTRA_OPTIONS

    command, options = _split(command)
    folder = os.path.join(out, "over_budget")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"{i}{suffix}"), "wb") as fh:
        fh.write(text.encode("utf-8", "surrogateescape"))
    extra = " -o /tmp/fuzz-cert.json" if command == "certify" else "".join(" " + o for o in options)
    with open(os.path.join(folder, f"{i}.cmd"), "w") as fh:
        fh.write(f"exactdln {command}{' --json' if command != 'check' else ''} {folder}/{i}{suffix}{extra} "
                 f"{' '.join(EXTRA_OPTIONS.get(command, ()))}\n# {stderr.strip()[-300:]}\n")


def _fork(seed: int, i: int, honest: dict, budget: float, folder: str, out: str, as_process: bool,
          field_only: bool = False):
    """Fork a child for input i: (pid, read end of its pipe)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:                                          # the child: never returns
        code = 0
        try:
            os.close(r)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            # the process's own stdout and stderr (file descriptors 1 and 2) go to a file: what a C library writes
            # there bypasses the in-process capture of ``run`` and would corrupt a real command's answer (OpenBLAS
            # printed "On entry to DLASCL ..." on stdout for seed 5011, input 90073); it is a finding
            raw = os.path.join(folder, f"fd-{i}.txt")
            sink = os.open(raw, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(sink, 1)
            os.dup2(sink, 2)
            os.close(sink)
            record = _child(seed, i, honest, budget, folder, out, as_process, field_only)
            with open(raw, "rb") as fh:
                leaked = fh.read(2000)
            os.unlink(raw)
            if leaked and not as_process:
                record.setdefault("findings", []).append(
                    "written to the process's stdout/stderr outside Python: " + leaked[:300].decode(errors="replace"))
        except BaseException as err:                     # the harness itself failed: report it as a finding
            record = {"i": i, "harness_error": f"{type(err).__name__}: {err}"[:500]}
            code = 1
        try:
            data = (json.dumps(record) + "\n").encode()
            while data:
                data = data[os.write(w, data):]
        finally:
            os._exit(code)
    os.close(w)
    return pid, r


def campaign(args) -> int:
    os.makedirs(args.out, exist_ok=True)
    honest = _warm()
    log = open(os.path.join(args.out, "results.jsonl"), "w")
    started = time.monotonic()
    records: list[dict] = []
    hangs: list[dict] = []
    running: dict[int, dict] = {}                          # read fd -> {pid, i, start, buf}
    next_i = 0
    peak_kb = 0
    with tempfile.TemporaryDirectory(prefix="exactdln-fuzz-") as folder:
        stop_at = started + args.max_seconds if args.max_seconds else float("inf")
        while (next_i < args.inputs and time.monotonic() < stop_at) or running:
            while next_i < args.inputs and len(running) < args.workers and time.monotonic() < stop_at:
                as_process = args.subprocess_every > 0 and next_i % args.subprocess_every == args.subprocess_every - 1
                pid, fd = _fork(args.seed, next_i, honest, args.budget, folder, args.out, as_process, args.field_only)
                running[fd] = {"pid": pid, "i": next_i, "start": time.monotonic(), "buf": b""}
                next_i += 1
            ready, _, _ = select.select(list(running), [], [], 1.0)
            now = time.monotonic()
            for fd in ready:
                chunk = os.read(fd, 1 << 16)
                if chunk:
                    running[fd]["buf"] += chunk
                    continue
                job = running.pop(fd)
                os.close(fd)
                _, status, usage = os.wait4(job["pid"], 0)
                peak_kb = max(peak_kb, usage.ru_maxrss)
                try:
                    rec = json.loads(job["buf"].decode())
                except ValueError:
                    rec = {"i": job["i"], "worker_died": status}
                    hangs.append(rec)
                    _keep_case(args, honest, job["i"], "child ended without a record")
                else:
                    rec["maxrss_kb"] = usage.ru_maxrss
                    # CPU of the whole child (case, run, judging, oracle): on a loaded machine the wall-clock
                    # --timeout can stop a run that needed far less CPU than its budget
                    rec["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 3)
                    records.append(rec)
                log.write(json.dumps(rec) + "\n")
                if (len(records) + len(hangs)) % 1000 == 0:
                    log.flush()
                    print(f"{len(records) + len(hangs)} inputs, {now - started:.0f} s", file=sys.stderr, flush=True)
            for fd, job in list(running.items()):
                if now - job["start"] > args.budget + KILL_AFTER:   # no answer: a hang --timeout missed
                    os.kill(job["pid"], signal.SIGKILL)
                    os.waitpid(job["pid"], 0)
                    os.close(fd)
                    del running[fd]
                    rec = {"i": job["i"], "hang": True, "seconds": round(now - job["start"], 1)}
                    hangs.append(rec)
                    log.write(json.dumps(rec) + "\n")
                    _keep_case(args, honest, job["i"], "killed: no answer within the budget + 60 s")
    log.close()
    summary = _summary(records, hangs, time.monotonic() - started, peak_kb, args)
    with open(os.path.join(args.out, "summary.json"), "w") as fh:
        json.dump(summary, fh, indent=1)
    print(json.dumps(summary, indent=1))
    bad = ("tracebacks", "hangs", "wrong_exit", "false_accepts", "other_findings", "harness_errors", "over_budget")
    return 0 if not any(summary[k] for k in bad) else 1


def _keep_case(args, honest: dict, i: int, why: str) -> None:
    kind, command, _, text = _case(args.seed, i, honest, args.field_only)
    _keep_over_budget(args.out, i, command, text, why, _suffix(kind))


def _revision() -> str:
    """The git commit of the code under test (``git archive`` snapshots carry it in REVISION)."""
    marker = os.path.join(ROOT, "REVISION")
    if os.path.exists(marker):
        return open(marker).read().strip()
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "unknown"


def _summary(records: list[dict], hangs: list, seconds: float, peak_kb: int, args) -> dict:
    by_command = collections.defaultdict(collections.Counter)
    ok = [r for r in records if "harness_error" not in r]
    harness = [r for r in records if "harness_error" in r]
    tb = [r for r in ok if any(f.startswith("traceback") for f in r["findings"])]
    wrong = [r for r in ok if any(f.startswith(("exit ", "internal error", "killed")) for f in r["findings"])]
    over = [r for r in ok if r["code"] == 5 or any(f.startswith("ran ") for f in r["findings"])]
    over_cpu = [r for r in over if r.get("cpu_seconds", 0) >= args.budget]
    fa = [r for r in ok if r["false_accept"]]
    other = [r for r in ok if r["findings"] and r not in tb and r not in wrong and r not in over]
    for r in ok:
        by_command[r["command"]][r["code"]] += 1
    slow = sorted(ok, key=lambda r: -r["seconds"])[:10]
    return {
        "command": f"python bench/fuzz.py --inputs {args.inputs} --seed {args.seed} --budget {args.budget:g} "
                   f"--workers {args.workers} --subprocess-every {args.subprocess_every}"
                   + (f" --max-seconds {args.max_seconds:g}" if args.max_seconds else "")
                   + (" --field-only" if args.field_only else ""),
        "inputs": len(records) + len(hangs), "inputs_requested": args.inputs, "seconds": round(seconds),
        "budget_per_input": args.budget, "revision": _revision(),
        "inputs_per_second": round((len(records) + len(hangs)) / max(seconds, 1e-9), 2),
        "as_subprocess": sum(1 for r in ok if r.get("process")),
        "tracebacks": len(tb), "wrong_exit": len(wrong), "hangs": len(hangs), "over_budget": len(over),
        "false_accepts": len(fa), "other_findings": len(other), "harness_errors": len(harness),
        "accepted_certificates": sum(1 for r in ok if r["command"] == "check" and r["code"] == 0),
        "field_certificates": sum(1 for r in ok if r["mutation"].startswith("field:")),
        "accepted_field_certificates": sum(1 for r in ok if r["mutation"].startswith("field:") and r["code"] == 0),
        "oracle_timeouts": sum(1 for r in ok if r.get("oracle_timeout")),
        "exit_codes": {c: dict(sorted(v.items())) for c, v in sorted(by_command.items())},
        "over_budget_with_cpu_past_budget": len(over_cpu),
        "over_budget_inputs": [{k: r.get(k) for k in ("i", "command", "mutation", "code", "seconds", "cpu_seconds")}
                               for r in over[:50]],
        "slowest": [{k: r.get(k) for k in ("i", "command", "mutation", "code", "seconds", "cpu_seconds")}
                    for r in slow],
        "peak_rss_mb_of_a_child": round(peak_kb / 1024),
        "examples": [{k: r.get(k) for k in ("i", "command", "mutation", "code", "findings", "false_accept", "kept")}
                     for r in (tb + wrong + fa + other)[:20]] + harness[:5],
        "hung_inputs": hangs[:20],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=float, default=20.0, help="--timeout per input (seconds)")
    parser.add_argument("--workers", type=int, default=1, help="children running at the same time")
    parser.add_argument("--subprocess-every", type=int, default=50,
                        help="run one input in N as a real process (0: never)")
    parser.add_argument("--max-seconds", type=float, default=0,
                        help="start no input after this many seconds (0: no limit); the summary counts those run")
    parser.add_argument("--out", default="fuzz-out")
    parser.add_argument("--field-only", action="store_true",
                        help="every input a mutated certificate over a number field (tests/fuzz/hostile_field.py)")
    args = parser.parse_args()
    return campaign(args)


if __name__ == "__main__":
    sys.exit(main())
