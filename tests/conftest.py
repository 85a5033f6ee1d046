"""Shared fixtures and hypothesis profiles for the whole suite.

Strategies live in :mod:`tests.support.strategies`, worked cases with their known answers in
:mod:`tests.support.worked_cases`, certificate builders in :mod:`tests.support.certificate_cases`.
Profiles: ``default`` (random examples, for development), ``ci`` (the same examples every run: loaded when the
environment has ``CI`` set, so that a landing decision never depends on the draw; random exploration stays the
developers' job) and ``thorough`` (``--hypothesis-profile=thorough``: 10x the examples).
"""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", parent=settings.get_profile("default"), max_examples=1000)
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture
def rng() -> random.Random:
    """A seeded generator, the same in every run, for tests that draw their own instances."""
    return random.Random(20241130)


@pytest.fixture(scope="session")
def demo_cases():
    """The demo gallery (worked examples of the papers and random points of every family), built once."""
    from exactdln.instances.gallery import demo_gallery

    return tuple(demo_gallery(random_points_per_kind=2, seed=2024))
