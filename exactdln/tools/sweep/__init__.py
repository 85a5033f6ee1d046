"""Sweeps: classify many instances (random critical points of known class, or point files) on an executor,
with resumable JSON Lines results and a counterexample search (docs/howto/sweep.md).

- :mod:`~exactdln.tools.sweep.spec`: the specification file (TOML or JSON) and its validation;
- :mod:`~exactdln.tools.sweep.instances`: instance i rebuilt from (seed, i) alone;
- :mod:`~exactdln.tools.sweep.worker`: the rows of one chunk (runs in the workers);
- :mod:`~exactdln.tools.sweep.run`: the driver (chunks, retries, output, progress);
- :mod:`~exactdln.tools.sweep.expr`: the ``--find`` expression language (own parser, no eval);
- :mod:`~exactdln.tools.sweep.results`: JSON Lines, resume, Parquet shards, the summary;
- :mod:`~exactdln.tools.sweep.cluster`: the dask.distributed executor (``sweep`` extra).
"""

from __future__ import annotations

from typing import Any

from exactdln.tools.sweep.expr import Expression, ExpressionError, parse_expression
from exactdln.tools.sweep.run import InlineExecutor, Progress, SweepExecutorBroken, SweepReport, process_pool, run_sweep
from exactdln.tools.sweep.spec import SweepSpec, load_spec, spec_from_mapping
from exactdln.tools.sweep.worker import ROW_FIELDS

__all__ = ["sweep", "run_sweep", "load_spec", "spec_from_mapping", "SweepSpec", "SweepReport", "parse_expression",
           "Expression", "ExpressionError", "InlineExecutor", "process_pool", "Progress", "ROW_FIELDS",
           "SweepExecutorBroken"]


def sweep(spec: SweepSpec | str | dict, executor: Any = None, **options: Any) -> SweepReport:
    """Run a sweep: ``spec`` a :class:`SweepSpec`, a path to a TOML/JSON specification or a mapping;
    ``executor`` any concurrent.futures Executor (or a factory of one; None: a local process pool);
    ``options`` those of :func:`run_sweep` (``output``, ``resume``, ``find`` as text or Expression, ...).

    Each row is an exact verdict (classify: Achour, Malgouyres, Gerchinovitz 2024, docs/maths/classification.md
    §3; exact Hessian inertia, docs/maths/hessian_inertia.md) next to the kind the family's theorem gives."""
    if isinstance(spec, str):
        spec = load_spec(spec)
    elif isinstance(spec, dict):
        spec = spec_from_mapping(spec)
    if isinstance(options.get("find"), str):
        options["find"] = parse_expression(options["find"], ROW_FIELDS)
    return run_sweep(spec, executor, **options)
