"""Cost of building random sweep instances (exactdln/instances/construct.py), and a digest of what is built.

Builds instances exactly as a sweep does (exactdln/tools/sweep/instances.py ``build_instance`` on the spec
exactdln/examples/sweep.toml: its families, depth and width ranges, scramble probability and master seed) for
ids 0..count-1, plus the demo gallery (exactdln/instances/gallery.py) and ``random_instance`` /
``large_instance`` from fixed seeds. Each instance gets a sha256 of a canonical JSON (X, Y, lambdas, weights,
family, expected kind, fitted S, and whether every entry is a ``Fraction``); the lines go to ``--out``.

    python bench/bench_construct.py [--count 2000] [--out FILE] [--profile]
        this tree: CPU time per instance, digests written to FILE, --profile: the time split by function (cProfile)
    python bench/bench_construct.py --base REV [--rounds 3] [--count 2000]
        this tree against REV (a temporary `git worktree`), alternating, best of --rounds, each tree in a fresh
        interpreter with only that tree on sys.path: the speed-up before/after measured in one run, and whether
        every digest is identical.
Asserts nothing; prints seconds, ratios and the digest comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = "exactdln/examples/sweep.toml"

# Runs inside one tree (cwd = the tree, PYTHONPATH = the tree). argv: count, digest file, "profile" or "".
CHILD = r'''
import hashlib, json, os, random, sys, time
from fractions import Fraction
import exactdln
assert os.path.realpath(exactdln.__file__).startswith(os.path.realpath(os.getcwd())), exactdln.__file__
from exactdln.tools.sweep.instances import build_instance
from exactdln.tools.sweep.spec import load_spec
from exactdln.instances.construct import large_instance, random_instance
from exactdln.instances.gallery import demo_gallery

count, out, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
spec = load_spec(os.path.join(os.getcwd(), "exactdln/examples/sweep.toml"))

def matrix(M):
    return {"shape": [M.nrows, M.ncols], "rows": M.to_json(),
            "fractions": all(type(x) is Fraction for x in M.entries())}

def digest(problem, weights, **extra):
    data = {"X": matrix(problem.X), "Y": matrix(problem.Y), "lambdas": [str(l) for l in problem.lambdas],
            "weights": [matrix(W) for W in weights], **extra}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()

def build_all():
    return [build_instance(spec, i) for i in range(count)]

if mode == "profile":
    import cProfile, pstats
    profiler = cProfile.Profile()
    profiler.enable()
    build_all()
    profiler.disable()
    stats = pstats.Stats(profiler)
    rows = []
    for (path, line, name), (cc, nc, tt, ct, callers) in stats.stats.items():
        rows.append((ct, tt, nc, f"{os.path.basename(path)}:{name}"))
    print(f"cProfile of {count} sweep instances (seconds per instance; profiler overhead included)")
    print(f"{'function':<52} {'calls/inst':>10} {'own ms':>8} {'cum ms':>8}")
    keep = [r for r in rows if r[0] / count > 2e-5]
    for ct, tt, nc, name in sorted(keep, key=lambda r: -r[0])[:45]:
        print(f"{name[:52]:<52} {nc / count:10.1f} {1e3 * tt / count:8.3f} {1e3 * ct / count:8.3f}")

cpu, wall = time.process_time(), time.perf_counter()
instances = build_all()
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
lines = [f"sweep:{inst.index} " + digest(inst.problem, inst.weights, family=inst.family, expected=inst.expected,
                                         fitted=inst.fitted, seed=inst.seed, source=inst.source)
         for inst in instances]
for case in demo_gallery():
    inst = case.instance
    lines.append(f"gallery:{case.name} " + digest(inst.problem, inst.weights, family=inst.family,
                 expected=inst.expected_kind, fitted=inst.fitted, loss=str(inst.loss), note=inst.note,
                 certifiable=case.certifiable_kind, remark=case.remark))
for seed in range(200):
    inst = random_instance(random.Random(seed))
    lines.append(f"random_instance:{seed} " + digest(inst.problem, inst.weights, family=inst.family,
                 expected=inst.expected_kind, fitted=inst.fitted, loss=str(inst.loss)))
for seed, kind in enumerate(("global_minimizer", "strict_saddle", "non_strict_saddle")):
    inst = large_instance(random.Random(seed), 3, 6, digits=8, kind=kind)
    lines.append(f"large_instance:{kind} " + digest(inst.problem, inst.weights, family=inst.family,
                 expected=inst.expected_kind, fitted=inst.fitted, loss=str(inst.loss)))
with open(out, "w") as stream:
    stream.write("\n".join(lines) + "\n")
print(json.dumps({"cpu": cpu, "wall": wall, "count": count}))
'''


def run_tree(tree: Path, count: int, out: str, mode: str = "") -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run([sys.executable, "-c", CHILD, str(count), out, mode], cwd=tree, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"building failed in {tree}:\n{done.stderr[-3000:]}")
    lines = done.stdout.strip().splitlines()
    if mode == "profile":
        print("\n".join(lines[:-1]))
    return json.loads(lines[-1])


def compare(before: str, after: str) -> None:
    a = Path(before).read_text().splitlines()
    b = Path(after).read_text().splitlines()
    keys = [line.split()[0] for line in a]
    differ = [x.split()[0] for x, y in zip(a, b) if x != y]
    groups: dict[str, int] = {}
    for key in keys:
        groups[key.split(":")[0]] = groups.get(key.split(":")[0], 0) + 1
    summary = ", ".join(f"{n} {g}" for g, n in groups.items())
    if len(a) == len(b) and not differ:
        print(f"digests: all {len(a)} identical ({summary})")
    else:
        print(f"digests: {len(differ)} of {len(a)} differ ({len(b)} lines after), first: {differ[:10]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--out", default="/tmp/construct_digest.txt", help="digest file of this tree")
    parser.add_argument("--profile", action="store_true", help="print the time split by function (cProfile)")
    parser.add_argument("--compare", help="a digest file to compare this tree's digests with")
    parser.add_argument("--base", help="revision to time and compare against (a temporary git worktree)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"{args.count} sweep instances of {SPEC} (ids 0..{args.count - 1}), the gallery, 200 random_instance, "
          f"3 large_instance")
    if args.profile:
        run_tree(ROOT, args.count, args.out, "profile")
    if not args.base:
        result = run_tree(ROOT, args.count, args.out)
        print(f"this tree: {1e3 * result['cpu'] / args.count:.3f} ms CPU per instance "
              f"({1e3 * result['wall'] / args.count:.3f} ms wall); digests in {args.out}")
        if args.compare:
            compare(args.compare, args.out)
        return
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(base), args.base],
                       check=True)
        try:
            best: dict[str, float] = {}
            outs = {"before": os.path.join(tmp, "before.txt"), "after": args.out}
            for _ in range(args.rounds):
                for label, tree in (("before", base), ("after", ROOT)):
                    cpu = run_tree(tree, args.count, outs[label])["cpu"]
                    best[label] = min(cpu, best.get(label, cpu))
            rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", args.base],
                                 capture_output=True, text=True).stdout.strip()
            before, after = 1e3 * best["before"] / args.count, 1e3 * best["after"] / args.count
            print(f"CPU per sweep instance, best of {args.rounds}: before ({rev}) {before:.3f} ms, "
                  f"after {after:.3f} ms; before/after = {before / after:.2f}x")
            compare(outs["before"], outs["after"])
            if args.compare:
                compare(args.compare, args.out)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], check=False)


if __name__ == "__main__":
    main()
