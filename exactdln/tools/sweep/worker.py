"""The work of one chunk, run in a worker process: build each instance, run the routes, return the rows.

An instance that raises becomes an error row (``error`` set, the verdict fields None) and the chunk goes on.
Functions here are module-level so that spawn/forkserver pools and dask workers can import them.
"""

from __future__ import annotations

import os
import signal
import time
from typing import Any, Sequence

from exactdln.model.results import NOT_CRITICAL, UNDECIDED
from exactdln.tools.sweep.instances import build_instance, instance_seed
from exactdln.tools.sweep.spec import RandomSource, SweepSpec

__all__ = ["ROW_FIELDS", "run_chunk", "classify_instance", "error_row"]

# every row has these keys (the --find language checks names against them)
ROW_FIELDS = ("id", "seed", "source", "family", "expected", "widths", "depth", "max_width", "n_params", "kind",
              "critical", "inertia", "fitted", "rank", "r_max", "partial_ranks", "loss", "routes", "agree",
              "expected_agree", "disagree", "numeric_conflict", "certified", "time", "error")

NUMERIC_ROUTES = ("float", "mp")


def _blank(index: int, seed: int | None, source: str) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(ROW_FIELDS)
    row.update(id=index, seed=seed, source=source, routes={}, time={}, disagree=False, numeric_conflict=False)
    return row


def error_row(index: int, seed: int | None, source: str, error: str) -> dict[str, Any]:
    """The row of an instance whose work raised (or whose worker died every time it was tried)."""
    row = _blank(index, seed, source)
    row["error"] = error
    return row


def _hooks(spec: SweepSpec, index: int) -> None:
    """Faults on demand, for the fault tests only (``test_hooks`` in the spec, docs/howto/sweep.md)."""
    hooks = spec.test_hooks
    if not hooks:
        return
    if index in hooks.get("raise_at", ()):
        raise RuntimeError(f"test hook: instance {index} raises")
    marker = hooks.get("kill_marker")
    if index == hooks.get("kill_at") and marker and os.path.exists(marker):
        os.remove(marker)            # once: the retried chunk runs through
        os.kill(os.getpid(), signal.SIGKILL)


def _exact_method(routes: Sequence[str]) -> str | None:
    theorem, hessian = "theorem" in routes, "hessian" in routes
    if theorem and hessian:
        return "auto"
    return "theorem" if theorem else ("hessian" if hessian else None)


def classify_instance(spec: SweepSpec, index: int, payload: Any = None) -> dict[str, Any]:
    """One row: the instance's shape and known facts, the exact verdict (classify, docs/maths/classification.md
    §3 and docs/maths/hessian_inertia.md), each requested route's kind, and timings in seconds.

    ``agree`` is the exact routes' agreement (Classification.agree); ``expected_agree`` whether the exact
    verdict is the kind the family's theorem gives (None for points read from files); ``disagree`` is True
    when either fails: a finding, always kept. ``numeric_conflict``: a numeric route gave a definite kind
    (only not_critical can be definite) that the exact verdict contradicts.
    """
    start = time.perf_counter()
    _hooks(spec, index)
    instance = build_instance(spec, index, payload)
    row = _blank(index, instance.seed, instance.source)
    timings = row["time"]
    timings["build"] = time.perf_counter() - start
    widths = (instance.weights[0].ncols,) + tuple(w.nrows for w in instance.weights)
    row.update(family=instance.family, expected=instance.expected, widths=list(widths), depth=len(widths) - 1,
               max_width=max(widths),
               n_params=sum(a * b for a, b in zip(widths, widths[1:])))
    routes: dict[str, Any] = row["routes"]
    method = _exact_method(spec.routes)
    if method is not None:
        from exactdln.theory.classify import classify

        t = time.perf_counter()
        result = classify(instance.problem, instance.weights, method=method, hessian_limit=10**9)
        timings["exact"] = time.perf_counter() - t
        H = result.depth
        row.update(kind=result.kind, critical=result.critical,
                   inertia=result.inertia.to_json() if result.inertia is not None else None,
                   fitted=list(result.fitted) if result.fitted is not None else None,
                   rank=result.rank, r_max=result.r_max, loss=str(result.loss), agree=result.agree,
                   partial_ranks=[[result.partial_ranks.get((i, j)) for j in range(1, H + 1)]
                                  for i in range(1, H + 1)])
        for verdict in result.methods:
            routes[verdict.method] = verdict.kind
        if instance.expected is not None:
            row["expected_agree"] = result.kind == instance.expected
        row["disagree"] = (not result.agree) or row["expected_agree"] is False
    for name in NUMERIC_ROUTES:
        if name not in spec.routes:
            continue
        if name == "float":
            from exactdln.numeric.float64 import classify_float as run
        else:
            from exactdln.numeric.mp import classify_mp as run
        t = time.perf_counter()
        numeric = run(instance.problem, instance.weights)
        timings[name] = time.perf_counter() - t
        routes[name] = numeric.kind
        if numeric.conditional_kind is not None:
            routes[f"{name}_if_critical"] = numeric.conditional_kind
        # finite precision proves only "not critical" (exactdln/numeric/float64.py): that is the one
        # numeric verdict an exact verdict can contradict
        if numeric.kind == NOT_CRITICAL and row["kind"] not in (None, NOT_CRITICAL, UNDECIDED):
            row["numeric_conflict"] = True
    if "certify" in spec.routes:
        from exactdln.certify.point import certify

        t = time.perf_counter()
        certificate = certify(instance.problem, instance.weights)
        timings["certify"] = time.perf_counter() - t
        routes["certify"] = certificate.kind
        row["certified"] = bool(certificate.ok and certificate.kind is not None)
        if row["kind"] is not None and certificate.kind is not None and certificate.kind != row["kind"]:
            row["disagree"] = True
    timings["total"] = time.perf_counter() - start
    return row


def run_chunk(spec: SweepSpec, items: Sequence[tuple[int, Any]]) -> list[dict[str, Any]]:
    """The rows of one chunk, ``items`` = [(index, payload)]; an instance that raises becomes an error row."""
    rows = []
    for index, payload in items:
        start = time.perf_counter()
        try:
            rows.append(classify_instance(spec, index, payload))
        except Exception as err:   # noqa: BLE001 -- one bad instance must not end the sweep
            seed = instance_seed(spec.seed, index) if isinstance(spec.source, RandomSource) else None
            message = " ".join(f"{type(err).__name__}: {err}".split())[:500]
            row = error_row(index, seed, str(payload) if isinstance(payload, str) and len(payload) < 300
                            else f"#{index}", message)
            row["time"]["total"] = time.perf_counter() - start
            rows.append(row)
    return rows
