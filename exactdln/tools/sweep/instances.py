"""Instance i of a sweep, rebuilt from (master seed, i) alone.

Each instance has its own ``random.Random`` seeded by a hash of the master seed and its index (BLAKE2b),
never a position in a shared stream: a worker builds instance i without building 0..i-1, any chunking gives
the same instances, and a resumed sweep continues with exactly the instances it skipped.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Any

from exactdln.instances.construct import (
    conjugate_hidden,
    expected_kind_for_index_set,
    global_minimizer,
    index_set_is_initial,
    random_singular_values,
    scramble_spectral,
    segmented_critical_point,
    spectral_data,
    two_cut_point,
)
from exactdln.model.problem import Problem, load_point, load_point_text
from exactdln.model.results import GLOBAL_MINIMIZER, STRICT_SADDLE
from exactdln.tools.sweep.spec import FileSource, RandomSource, SweepSpec

__all__ = ["instance_seed", "SweepInstance", "random_point", "build_instance", "payload_of"]


def instance_seed(master: int, index: int) -> int:
    """The seed of instance ``index``: the first 7 bytes of BLAKE2b("exactdln-sweep", master, index) (< 2^56,
    so it fits every integer column)."""
    digest = hashlib.blake2b(f"{master}:{index}".encode(), digest_size=7, person=b"exactdln-sweep").digest()
    return int.from_bytes(digest, "big")


@dataclass(frozen=True)
class SweepInstance:
    """One point of a sweep and what is known about it before any classifier runs."""

    index: int
    seed: int | None
    source: str
    problem: Problem
    weights: tuple
    family: str | None = None
    expected: str | None = None
    fitted: tuple[int, ...] | None = None


def _draw_index_set(rng: random.Random, family: str, widths: tuple[int, ...]) -> tuple[int, ...] | None:
    """The index set S of the family (docs/maths/classification.md §3.6), or None when this shape has none."""
    r_max, d_y = min(widths), widths[-1]
    if family == "global":
        return tuple(range(1, r_max + 1))
    if family in ("N1", "S3"):
        return None if r_max == 0 else tuple(range(1, rng.randint(0, r_max - 1) + 1))
    if family == "S1":            # S != [r] needs an index above |S|: d_y >= 2 and r < d_y
        r = rng.randint(1, r_max)
        if r >= d_y:
            return None
        S = tuple(sorted(rng.sample(range(1, d_y + 1), r)))
        return None if index_set_is_initial(S) else S
    S = tuple(sorted(rng.sample(range(1, d_y + 1), rng.randint(0, r_max))))
    if family == "S2" and S == tuple(range(1, r_max + 1)):
        return None
    return S


def random_point(source: RandomSource, rng: random.Random) -> tuple[Problem, tuple, str, str, tuple[int, ...]]:
    """(problem, weights, family, expected kind, S): a critical point of a family of
    docs/maths/classification.md §3.6, its kind from the classification theorem of Achour, Malgouyres,
    Gerchinovitz (2024) as stated there (§3.3), never from a classifier.

    The constructions are those of exactdln/instances/construct.py (random_instance draws the same families);
    here depth and widths are drawn from the given ranges, ``digits`` > 0 adds hidden changes of basis
    W_h -> A_h W_h A_{h-1}^-1 with ``digits``-digit entries (§7, loss and inertia preserved), and
    ``scramble`` is the probability of the data symmetries of scramble_spectral.
    """
    (h_lo, h_hi), (w_lo, w_hi) = source.depth, source.width
    for _ in range(10_000):
        family = rng.choice(source.families)
        lo = max(h_lo, 3 if family in ("N1", "S3") else 2)
        hi = 2 if family == "S2" else h_hi
        if lo > hi:
            continue
        H = rng.randint(lo, hi)
        d_y = rng.randint(w_lo, w_hi)
        d_x = rng.randint(d_y, w_hi)
        widths = (d_x,) + tuple(rng.randint(w_lo, w_hi) for _ in range(H - 1)) + (d_y,)
        S = _draw_index_set(rng, family, widths)
        if S is None:
            continue
        white = rng.random() < 0.5
        m = d_x + (rng.randint(1, 2) if rng.random() < 0.3 else 0)
        data = spectral_data(random_singular_values(d_y, rng), d_x, rng, white=white, m=m,
                             axis_aligned=rng.random() < 0.2)
        if family == "global":
            weights, expected = global_minimizer(data, widths, rng), GLOBAL_MINIMIZER
        elif family == "S3":
            weights, expected = two_cut_point(data, widths, len(S)), STRICT_SADDLE
        else:
            weights = segmented_critical_point(data, widths, S, rng if family != "minimal" else None)
            expected = expected_kind_for_index_set(S, widths)
        if source.digits:
            weights = conjugate_hidden(weights, rng, digits=source.digits)
        if rng.random() < source.scramble:
            data, weights = scramble_spectral(data, weights, rng)
        return data.problem, tuple(weights), family, expected, S
    raise ValueError("no instance of the requested families fits the depth and width ranges")


def payload_of(spec: SweepSpec, index: int) -> Any:
    """What a worker needs besides the spec to build instance ``index``: nothing for random instances, the
    path of a point file, or the text of line ``index`` of a JSON Lines stream (read by the driver, which
    reads the stream once)."""
    if isinstance(spec.source, FileSource) and spec.source.paths:
        return spec.source.paths[index]
    return None


def build_instance(spec: SweepSpec, index: int, payload: Any = None) -> SweepInstance:
    """Instance ``index`` of the sweep (``payload``: see :func:`payload_of`)."""
    if isinstance(spec.source, RandomSource):
        seed = instance_seed(spec.seed, index)
        problem, weights, family, expected, S = random_point(spec.source, random.Random(seed))
        return SweepInstance(index, seed, f"random:{spec.seed}:{index}", problem, weights, family, expected, S)
    if spec.source.paths:
        path = payload if payload is not None else spec.source.paths[index]
        problem, weights = load_point(path)
        return SweepInstance(index, None, path, problem, weights)
    text = payload if payload is not None else jsonl_line(spec.source.jsonl, index)
    where = f"{spec.source.jsonl}:{index + 1}"
    problem, weights = load_point_text(text, where)
    return SweepInstance(index, None, where, problem, weights)


def jsonl_line(path: str, index: int) -> str:
    """Line ``index`` (0-based, blank lines skipped) of a JSON Lines stream."""
    k = 0
    with open(path, encoding="utf-8") as stream:
        for line in stream:
            if line.strip():
                if k == index:
                    return line
                k += 1
    raise IndexError(f"{path} has no point {index}")
