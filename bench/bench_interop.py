"""Input formats from training code: snap on the same float point read from JSON, .npz and a torch file, and the
cost of from_torch next to classify.

1. A 3-layer bias-free linear network (widths 4, 4, 4, 3; 12 samples of integer data) trained by gradient
   descent in float64 to its global minimizer; its end point saved as JSON (floats written by ``json``, i.e.
   their shortest decimals), ``.npz`` and ``torch.save``; each read by ``load_point_file(path, "decimal")``
   and snapped (``exactdln snap --floats decimal FILE`` in-process). Prints the best of --repeat times
   and the ratios to JSON (the goal: within 2x).
2. ``from_torch(model, exact="decimal")`` of a depth-4, width-64 model next to ``classify`` of the point
   it gives (the goal: the conversion under 10% of classify): random float64 weights (a point that is not
   critical), then the identity in every layer with X = Y = I (integer values, a global minimizer).
Usage: python bench/bench_interop.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from exactdln import Problem, classify, from_torch, load_point_file, snap  # noqa: E402


def best(f, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def trained_point():
    rng = np.random.default_rng(0)
    X = rng.integers(-3, 4, size=(4, 12)).astype(float)
    Y = rng.integers(-3, 4, size=(3, 12)).astype(float)
    Ws = [0.3 * rng.standard_normal(s) for s in ((4, 4), (4, 4), (3, 4))]
    eta = 0.2 / np.linalg.norm(X, 2) ** 2
    for _ in range(20000):
        P = Ws[2] @ Ws[1] @ Ws[0]
        G = (P @ X - Y) @ X.T
        grads = [(Ws[2] @ Ws[1]).T @ G, Ws[2].T @ G @ Ws[0].T, G @ (Ws[1] @ Ws[0]).T]
        Ws = [w - eta * g for w, g in zip(Ws, grads)]
    return X, Y, Ws


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    X, Y, Ws = trained_point()
    with tempfile.TemporaryDirectory() as tmp:
        paths = {"json": os.path.join(tmp, "p.json"), "npz": os.path.join(tmp, "p.npz"), "pt": os.path.join(tmp, "p.pt")}
        with open(paths["json"], "w") as fh:
            json.dump({"X": X.tolist(), "Y": Y.tolist(), "weights": [w.tolist() for w in Ws]}, fh)
        np.savez(paths["npz"], X=X, Y=Y, **{f"W{h + 1}": w for h, w in enumerate(Ws)})
        torch.save({"X": torch.tensor(X), "Y": torch.tensor(Y), "weights": [torch.tensor(w) for w in Ws]}, paths["pt"])
        kinds, times = {}, {}
        for name, path in paths.items():
            def run(path=path, name=name):
                problem, weights = load_point_file(path, "decimal", exact_weights=False)
                kinds[name] = snap(problem, weights).kind
            times[name] = best(run, args.repeat)
        for name in paths:
            print(f"snap {name:5s} {times[name]:8.3f} s  ratio to JSON {times[name] / times['json']:5.2f}  kind {kinds[name]}")
    torch.manual_seed(0)
    model = torch.nn.Sequential(*[torch.nn.Linear(64, 64, bias=False) for _ in range(4)]).double()
    t_convert = best(lambda: from_torch(model, exact="decimal"), args.repeat)
    weights = from_torch(model, exact="decimal")
    problem = Problem.create(np.eye(64, dtype=np.int64), np.eye(64, dtype=np.int64))
    t_classify = best(lambda: classify(problem, weights), args.repeat)
    print(f"from_torch depth 4 width 64: {t_convert:.3f} s; classify {t_classify:.3f} s; "
          f"conversion / classify {t_convert / t_classify:.1%}")
    with torch.no_grad():                  # integer-valued weights at a global minimizer: W_h = I, X = Y = I
        for layer in model:
            layer.weight.copy_(torch.eye(64, dtype=torch.float64))
    t_convert = best(lambda: from_torch(model, exact="decimal"), args.repeat)
    weights = from_torch(model, exact="decimal")
    kind = []
    t_classify = best(lambda: kind.append(classify(problem, weights).kind), args.repeat)
    print(f"from_torch of W_h = I (a {kind[0]}): {t_convert:.3f} s; classify {t_classify:.3f} s; "
          f"conversion / classify {t_convert / t_classify:.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
