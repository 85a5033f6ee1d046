"""Every test of the checker starts with its work budget unspent (exactdln/trusted/checker.py ``reset_work``): a
test that calls the checker's functions directly, without check_certificate (which resets it), must not be charged
for what the tests before it spent, nor leave a spent budget to the next."""

from __future__ import annotations

import pytest

from exactdln.trusted import checker


@pytest.fixture(autouse=True)
def _unspent_budget():
    checker.reset_work()
    yield
    checker.reset_work()
