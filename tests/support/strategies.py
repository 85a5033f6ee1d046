"""Hypothesis strategies for exactdln property tests.

Every strategy draws a seed and builds its value with :mod:`exactdln.instances.construct` from ``random.Random(seed)``, so a
failing example shrinks to a seed and is reproducible outside hypothesis. The class of each instance comes from the
family theorems of docs/maths/classification.md §3, never from a classifier.

Usage (from a test module in tests/)::

    from strategies import instances
    @given(instances(kind="non_strict_saddle", max_depth=4, max_width=3))
    def test_something(instance): ...
"""

from __future__ import annotations

import random

from hypothesis import strategies as st

from exactdln.instances.construct import (
    Instance,
    SpectralData,
    random_instance,
    random_singular_values,
    spectral_data,
)

__all__ = ["rngs", "instances", "spectral_datas", "gallery_cases"]

SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


def rngs() -> st.SearchStrategy[random.Random]:
    """A seeded ``random.Random`` (shrinks towards seed 0)."""
    return SEEDS.map(random.Random)


def instances(
    kind: str | None = None,
    max_depth: int = 4,
    max_width: int = 4,
    scrambled: bool | None = None,
) -> st.SearchStrategy[Instance]:
    """Random critical points with known class (:func:`exactdln.instances.construct.random_instance`).

    ``kind``: None, "global_minimizer", "strict_saddle" or "non_strict_saddle" (the last needs max_depth >= 3).
    """
    return SEEDS.map(
        lambda seed: random_instance(
            random.Random(seed), kind=kind, max_depth=max_depth, max_width=max_width, scrambled=scrambled
        )
    )


def spectral_datas(max_width: int = 4, white: bool | None = None) -> st.SearchStrategy[SpectralData]:
    """Data with Sigma = U diag(s^2) U^T for rational orthogonal U (docs/maths/classification.md §7), d_y <= d_x <= max_width."""

    def build(seed: int) -> SpectralData:
        rng = random.Random(seed)
        d_y = rng.randint(1, max_width)
        d_x = rng.randint(d_y, max_width)
        m = d_x + (rng.randint(1, 2) if rng.random() < 0.3 else 0)
        is_white = rng.random() < 0.5 if white is None else white
        return spectral_data(random_singular_values(d_y, rng), d_x, rng, white=is_white, m=m)

    return SEEDS.map(build)


def gallery_cases() -> st.SearchStrategy[tuple[str, Instance]]:
    """One of the named worked cases (TC1a..TC6, T1..T8) of docs/maths/classification.md §8 and docs/maths/global_optimality.md §4."""
    from exactdln.instances.construct import worked_instances

    return st.sampled_from(worked_instances())
