"""DeprecationWarnings for the module paths of earlier releases (exactdln/highprec.py, exactdln/construct.py,
the names of the former exactdln/numeric.py in exactdln/numeric/__init__.py).

Standard library only, so that a shim costs nothing before it is used.
"""

from __future__ import annotations

import sys
import warnings
from types import FrameType

__all__ = ["warn_moved", "SHIM_MODULES"]

SHIM_MODULES = frozenset({"exactdln._deprecated", "exactdln.highprec", "exactdln.construct", "exactdln.numeric"})


def warn_moved(old: str, new: str) -> None:
    """Warn that ``old`` is deprecated in favour of ``new``, attributed to the user's line.

    The warning points past the shims and the import machinery to the first frame of the code that
    used the old path, so that Python's default filter (DeprecationWarning shown when triggered in
    ``__main__``) shows it to a script's author.
    """
    level, frame = 2, sys._getframe(1)
    while frame is not None and _machinery(frame):
        frame, level = _next_counted(frame), level + 1
    warnings.warn(f"{old} is deprecated and will be removed in the next release; use {new}",
                  DeprecationWarning, stacklevel=level)


def _machinery(frame: FrameType) -> bool:
    """A shim, importlib, or a loader executing a module (importlib's or another import hook's)."""
    module = frame.f_globals.get("__name__", "")
    return module in SHIM_MODULES or module.split(".")[0] == "importlib" or frame.f_code.co_name == "exec_module"


def _next_counted(frame: FrameType) -> FrameType | None:
    """The next frame out that ``warnings.warn`` counts in ``stacklevel``: it skips importlib's bootstrap
    frames itself (Python 3.11, warnings._is_internal_frame)."""
    frame = frame.f_back
    while frame is not None and "importlib" in frame.f_code.co_filename and "_bootstrap" in frame.f_code.co_filename:
        frame = frame.f_back
    return frame
