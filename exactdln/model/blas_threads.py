"""Run small dense linear algebra on one BLAS thread.

OpenBLAS (the BLAS of the numpy and scipy wheels) splits even small products and eigensolvers over all
cores, and its threads spin while they wait. On a machine whose cores are busy with other work, a
100 x 100 ``numpy.linalg.eigh`` then takes 50-200 ms instead of about 1.5 ms (measured on a loaded 2-core
machine: bench/bench_speed_hessian.py). The numeric paths and the float guides of the exact core work on
matrices of at most a few thousand rows, where one thread is as fast as several on an idle machine, so
they run inside :func:`single_blas_thread`.

The OpenBLAS libraries already loaded into the process are found in /proc/self/maps and called through
ctypes (``openblas_set_num_threads`` under its plain or scipy-prefixed names); the previous thread counts
are restored on exit. Where this is not available (another BLAS, another OS) it does nothing. Standard
library only, so that every layer may use it; it changes speed, never a result.
"""

from __future__ import annotations

import ctypes
import sys
import threading
from contextlib import contextmanager
from typing import Iterator

__all__ = ["single_blas_thread"]

_SETTERS = ("openblas_set_num_threads", "scipy_openblas_set_num_threads", "scipy_openblas_set_num_threads64_",
            "openblas_set_num_threads64_")
_lock = threading.Lock()
_depth = 0
_controls: list[tuple[object, object]] | None = None
_saved: list[int] = []
_scanned_with: tuple[bool, bool] | None = None


def _find_controls() -> list[tuple[object, object]]:
    """(get, set) pairs of every loaded OpenBLAS."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as fh:
            paths = sorted({line.split()[-1] for line in fh if "openblas" in line.lower() and "/" in line})
    except OSError:
        return []
    controls = []
    for path in paths:
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _SETTERS:
            setter = getattr(library, name, None)
            getter = getattr(library, name.replace("set_num_threads", "get_num_threads"), None)
            if setter is not None and getter is not None:
                setter.argtypes = [ctypes.c_int]
                getter.restype = ctypes.c_int
                controls.append((getter, setter))
                break
    return controls


@contextmanager
def single_blas_thread() -> Iterator[None]:
    """Inside the block, every loaded OpenBLAS uses one thread (re-entrant; restored on exit)."""
    global _depth, _controls, _saved, _scanned_with
    with _lock:
        if _depth == 0:
            loaded = ("numpy" in sys.modules, "scipy.linalg" in sys.modules)
            if _controls is None or loaded != _scanned_with:
                _controls = _find_controls()      # numpy / scipy (each with its own OpenBLAS) loaded since the last look
                _scanned_with = loaded
            _saved = []
            for getter, setter in _controls:
                try:
                    _saved.append(getter())
                    setter(1)
                except (OSError, ValueError):
                    _saved.append(0)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                for (getter, setter), count in zip(_controls or [], _saved):
                    if count > 1:
                        try:
                            setter(count)
                        except (OSError, ValueError):
                            pass
