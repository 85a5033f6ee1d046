"""One computation in a forked child process, its result collected later: a second core for independent work.

On the theorem route at scale two long computations do not depend on each other: the proof of Sigma's eigenvalues
(exactdln/landscape/spectral.py) and the products W_{H:1}, the residual and the ranks (exactdln/landscape/point.py).
:class:`Forked` runs the first in a child made by ``os.fork`` (it inherits the point already read, copy on write)
while the parent goes on with the second; the child hands back bytes through a pipe and exits. The child runs the
same code on the same data, so the result is the one the parent would have computed; when the child fails in any
way (an exception, a signal, no fork on this system) :meth:`Forked.result` returns None and the caller computes
the value itself. Standard library only, so that every layer may use it; it changes wall time, never a result.
"""

from __future__ import annotations

import os
import signal
import threading
from typing import Callable

__all__ = ["Forked", "can_fork"]


def _native_threads() -> int | None:
    """Threads of this process as the kernel counts them (Linux), or None where /proc is not there."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def can_fork() -> bool:
    """Whether a child may be forked here: ``os.fork`` exists (POSIX) and the process runs a single thread. A fork
    of a multi-threaded process can deadlock the child (a lock another thread holds stays held in the copy), so
    with Python threads or native ones (a BLAS pool) nothing is forked."""
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return False
    native = _native_threads()
    return native is None or native == 1


class Forked:
    """``compute()`` (returning bytes) run in a forked child; :meth:`result` waits for it and returns its bytes, or
    None when the child did not finish normally. Build it only where :func:`can_fork` holds."""

    def __init__(self, compute: Callable[[], bytes]) -> None:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:                                          # the child: compute, write, leave without cleanup
            status = 1
            try:
                os.close(read_end)
                data = compute()
                view = memoryview(data)
                while view:
                    view = view[os.write(write_end, view):]
                status = 0
            except BaseException:                             # any failure: the parent computes the value itself
                pass
            finally:
                os._exit(status)
        os.close(write_end)
        self._pid: int | None = pid
        self._read: int | None = read_end
        self._result: bytes | None = None

    def result(self) -> bytes | None:
        """The child's bytes once it has exited with status 0, else None (waits for the child)."""
        if self._pid is None:
            return self._result
        chunks = []
        try:
            with os.fdopen(self._read, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    chunks.append(chunk)
        except BaseException:              # interrupted (a time budget, Ctrl-C): stop the child, then go on raising
            self._read = None
            self.cancel()
            raise
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        self._result = b"".join(chunks) if os.waitstatus_to_exitcode(status) == 0 else None
        return self._result

    def cancel(self) -> None:
        """Stop the child if it still runs and reap it (nothing when its result was collected)."""
        if self._pid is None:
            return
        try:
            os.kill(self._pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self._read is not None:
            os.close(self._read)
            self._read = None
        os.waitpid(self._pid, 0)
        self._pid = None
