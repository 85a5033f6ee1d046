"""Before/after timings of classify, crosscheck and certify, measured in one run.

Builds the demo gallery and three n = 300 points (depth 3, width 10: a global minimizer, a strict saddle and
a non-strict saddle, 6-digit hidden changes of basis) once, writes them as point files, then times the same
files with this checkout and with a base revision (a temporary `git worktree`), alternating the two trees
``--rounds`` times and keeping the best time of each. Prints seconds and the ratio after/before; asserts
nothing. Each tree is timed in its own fresh interpreter, with only that tree on sys.path.

    python bench/bench_regression.py [--base REV] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs inside each tree. Module paths moved between revisions, so each import tries the new place first.
CHILD = r'''
import importlib, json, sys, time
def first(*names):
    for mod, attr in names:
        try:
            return getattr(importlib.import_module(mod), attr)
        except (ImportError, AttributeError):
            continue
    raise ImportError(names)
load_point = first(("exactdln", "load_point"))
classify = first(("exactdln", "classify"))
OLD = "exactdln."     # module paths before the layer folders (README "Project layout")
crosscheck = first(("exactdln.tools.crosscheck", "crosscheck"), (OLD + "crosscheck", "crosscheck"))
certify = first(("exactdln.certify.point", "certify"), (OLD + "certificates.certify", "certify"))
import os, exactdln
assert os.path.realpath(exactdln.__file__).startswith(os.path.realpath(os.getcwd())), exactdln.__file__
groups = json.loads(sys.argv[1])
out = {}
for group, paths in groups.items():
    points = [load_point(p) for p in paths]
    for name, fn in (("classify", classify), ("crosscheck", crosscheck), ("certify", certify)):
        t = time.perf_counter()
        for problem, weights in points:
            fn(problem, weights)
        out[f"{group}/{name}"] = time.perf_counter() - t
print(json.dumps(out))
'''


def write_points(folder: Path) -> dict[str, list[str]]:
    sys.path.insert(0, str(ROOT))
    import exactdln
    from exactdln.instances.construct import large_instance
    from exactdln.instances.gallery import demo_gallery

    def save(path: Path, problem, weights) -> str:
        data = problem.to_json()
        data["weights"] = [w.to_json() for w in weights]
        path.write_text(json.dumps(data), encoding="utf-8")
        return str(path)

    del exactdln
    groups: dict[str, list[str]] = {"gallery": [], "n300": []}
    for case in demo_gallery(random_points_per_kind=3, seed=2024):
        groups["gallery"].append(save(folder / f"g-{case.name}.json", case.instance.problem, case.instance.weights))
    rng = random.Random(300)
    for kind in ("global_minimizer", "strict_saddle", "non_strict_saddle"):
        inst = large_instance(rng, 3, 10, digits=6, kind=kind)
        groups["n300"].append(save(folder / f"n300-{kind}.json", inst.problem, inst.weights))
    return groups


def run_tree(tree: Path, groups: dict[str, list[str]]) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(groups)], cwd=tree, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"timing failed in {tree}:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD~1", help="revision to compare with (default HEAD~1)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(base), args.base], check=True)
        try:
            groups = write_points(Path(tmp))
            best: dict[str, dict[str, float]] = {"before": {}, "after": {}}
            for _ in range(args.rounds):
                for label, tree in (("before", base), ("after", ROOT)):
                    for key, value in run_tree(tree, groups).items():
                        best[label][key] = min(value, best[label].get(key, value))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], check=False)
    base_rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", args.base],
                              capture_output=True, text=True).stdout.strip()
    print(f"gallery: {len(groups['gallery'])} points; n300: 3 points (depth 3, width 10); best of {args.rounds}")
    print(f"{'what':<22} {'before s':>9} {'after s':>9} {'after/before':>13}   (before = {base_rev})")
    for key in sorted(best["after"]):
        b, a = best["before"].get(key), best["after"][key]
        ratio = f"{a / b:13.2f}" if b else f"{'-':>13}"
        print(f"{key:<22} {b if b is not None else float('nan'):9.3f} {a:9.3f} {ratio}")


if __name__ == "__main__":
    main()
