"""The hostile-input campaign: mutated point files, family files and certificates through the CLI, at scale.

    python bench/fuzz.py --inputs 10000 [--seed 1] [--budget 20] [--out fuzz-out]
    /usr/bin/time -v python bench/fuzz.py --inputs 100000      # plus the peak memory of the whole run

Inputs come from tests/fuzz/hostile.py (the classes are listed there); each runs in process through
``exactdln.cli.main --timeout BUDGET`` in one worker process (one core), judged by
tests/fuzz/harness.py: tracebacks, exit codes the contract does not document for the command (4 is
an internal error), error lines without the command prefix or the file, runs past the budget, and,
for a certificate the checker accepts, an independent recomputation of its claims (false accepts).
The supervising process restarts the worker when an input gives no answer within BUDGET + 60 s
(a hang the signal could not stop) and records it. The summary (also ``OUT/summary.json``) counts
every outcome per command and mutation; the inputs with a finding are kept in OUT/ to reproduce.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import resource
import select
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

KINDS = (("points", 55), ("families", 20), ("certificates", 25))
POINT_COMMANDS = ("classify", "crosscheck", "certify", "snap", "classify", "crosscheck", "certify", "snap",
                  "regularized", "gd", "flow")
FAMILY_COMMANDS = ("classify", "certify")


def _case(seed: int, i: int, honest: dict) -> tuple[str, str, str, str]:
    """(kind, command, mutation, text) of input i: a pure function of (seed, i)."""
    from tests.fuzz.hostile import hostile_certificate, hostile_family, hostile_point

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


def worker(seed: int, start: int, stop: int, budget: float, out: str) -> None:
    """Run inputs start..stop-1, one JSON line each (a "start" line first, so a hang is attributed)."""
    from tests.fuzz.harness import certificate_findings, findings, honest_family_certificates, \
        honest_point_certificates, run

    honest = {"point": honest_point_certificates(), "family": honest_family_certificates()}
    with tempfile.TemporaryDirectory(prefix="exactdln-fuzz-") as folder:
        for i in range(start, stop):
            print(json.dumps({"start": i}), flush=True)
            kind, command, mutation, text = _case(seed, i, honest)
            path = os.path.join(folder, f"in-{i}.json")
            with open(path, "wb") as fh:
                fh.write(text.encode("utf-8", "surrogateescape"))
            extra = ("-o", os.path.join(folder, f"in-{i}.cert.json")) if command == "certify" else ()
            outcome = run(command, path, budget, extra, json_output=command != "check")
            bad = findings(outcome, budget)
            false_accept = []
            if command == "check" and outcome.code == 0 and not bad:
                try:
                    false_accept = certificate_findings(text, True)
                except Exception as err:    # the oracle itself failed on this input: report, do not hide
                    false_accept = [f"oracle error {type(err).__name__}: {err}"[:300]]
            record = {"i": i, "kind": kind, "command": command, "mutation": mutation, "code": outcome.code,
                      "seconds": round(outcome.seconds, 3), "findings": bad, "false_accept": false_accept,
                      "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
            if bad or false_accept:
                keep = os.path.join(out, f"finding-{i}.json")
                with open(keep, "wb") as fh:
                    fh.write(text.encode("utf-8", "surrogateescape"))
                record["kept"] = keep
                record["stderr"] = outcome.stderr[-500:]
            print(json.dumps(record), flush=True)
            for p in (path, path[:-5] + ".cert.json"):
                if os.path.exists(p):
                    os.unlink(p)


def campaign(args) -> int:
    os.makedirs(args.out, exist_ok=True)
    log = open(os.path.join(args.out, "results.jsonl"), "w")
    i, started = 0, time.monotonic()
    hangs = []
    records = []
    while i < args.inputs:
        proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker", "--seed", str(args.seed),
                                 "--start", str(i), "--stop", str(args.inputs), "--budget", str(args.budget),
                                 "--out", args.out], stdout=subprocess.PIPE, text=True, cwd=ROOT)
        current = None
        while True:
            ready, _, _ = select.select([proc.stdout], [], [], args.budget + 60)
            if not ready:                                  # no answer: a hang the in-process budget missed
                proc.kill()
                proc.wait()
                hangs.append(current)
                log.write(json.dumps({"i": current, "hang": True}) + "\n")
                i = (current if current is not None else i) + 1
                break
            line = proc.stdout.readline()
            if not line:                                   # the worker ended: done, or died on `current`
                proc.wait()
                if current is not None and not (records and records[-1]["i"] == current):
                    hangs.append(current)
                    log.write(json.dumps({"i": current, "worker_died": proc.returncode}) + "\n")
                    i = current + 1
                else:
                    i = args.inputs
                break
            rec = json.loads(line)
            if "start" in rec:
                current = rec["start"]
                continue
            records.append(rec)
            log.write(line)
            if len(records) % 500 == 0:
                log.flush()
                print(f"{len(records)} inputs, {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    log.close()
    summary = _summary(records, hangs, time.monotonic() - started, args)
    with open(os.path.join(args.out, "summary.json"), "w") as fh:
        json.dump(summary, fh, indent=1)
    print(json.dumps(summary, indent=1))
    return 0 if not (summary["tracebacks"] or summary["hangs"] or summary["wrong_exit"] or summary["false_accepts"]
                     or summary["other_findings"]) else 1


def _summary(records: list[dict], hangs: list, seconds: float, args) -> dict:
    by_command = collections.defaultdict(collections.Counter)
    slow = sorted(records, key=lambda r: -r["seconds"])[:5]
    tb = [r for r in records if any(f.startswith("traceback") for f in r["findings"])]
    wrong = [r for r in records if any(f.startswith(("exit ", "internal error")) for f in r["findings"])]
    over = [r for r in records if any(f.startswith("ran ") for f in r["findings"])]
    fa = [r for r in records if r["false_accept"]]
    other = [r for r in records if r["findings"] and r not in tb and r not in wrong and r not in over]
    for r in records:
        by_command[r["command"]][r["code"]] += 1
    return {
        "command": f"python bench/fuzz.py --inputs {args.inputs} --seed {args.seed} --budget {args.budget:g}",
        "inputs": len(records) + len(hangs), "seconds": round(seconds), "budget_per_input": args.budget,
        "tracebacks": len(tb), "wrong_exit": len(wrong), "hangs": len(hangs), "over_budget": len(over),
        "false_accepts": len(fa), "other_findings": len(other),
        "exit_codes": {c: dict(sorted(v.items())) for c, v in sorted(by_command.items())},
        "timeouts_exit5": sum(1 for r in records if r["code"] == 5),
        "slowest": [{k: r[k] for k in ("i", "command", "mutation", "code", "seconds")} for r in slow],
        "worker_peak_rss_mb": round(max((r["maxrss_kb"] for r in records), default=0) / 1024),
        "examples": [{k: r.get(k) for k in ("i", "command", "mutation", "code", "findings", "false_accept", "kept")}
                     for r in (tb + wrong + fa + other)[:20]],
        "hung_inputs": hangs[:20],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=float, default=20.0, help="--timeout per input (seconds)")
    parser.add_argument("--out", default="fuzz-out")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--start", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--stop", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.seed, args.start, args.stop, args.budget, args.out)
        return 0
    return campaign(args)


if __name__ == "__main__":
    sys.exit(main())
