"""A --timeout alarm that lands where Python cannot propagate an exception is raised again.

Python drops an exception raised inside a finalizer, a weakref callback or an import-lock callback and prints
"Exception ignored in ...". A fuzz input whose torch import outlasted the budget under load took that path: the
budget was lost and a traceback reached stderr. The alarm re-arms itself, so the budget is raised once more
shortly after, and the dropped copy is not printed.
"""

from __future__ import annotations

import time

import pytest

from exactdln.cli.commands._contract import TimeBudgetExceeded, time_budget


class _SlowFinalizer:
    def __del__(self):
        start = time.monotonic()
        while time.monotonic() - start < 0.4:     # the first alarm fires in here and is dropped by Python
            pass


def test_a_budget_dropped_in_a_finalizer_is_raised_again(capsys):
    started = time.monotonic()
    with pytest.raises(TimeBudgetExceeded):
        with time_budget(0.1):
            _SlowFinalizer()
            while time.monotonic() - started < 5:
                pass
    assert time.monotonic() - started < 2
    assert "Exception ignored" not in capsys.readouterr().err


def test_no_alarm_is_left_armed_after_the_block():
    import signal

    with time_budget(5):
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
