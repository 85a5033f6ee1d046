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
import struct
import threading
import weakref
from typing import BinaryIO, Callable

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


#: a frame on the pipe: its kind (b"m" a message sent on the way, b"r" the result) and the payload's length
_FRAME = struct.Struct("<cQ")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class Forked:
    """``compute(send)`` (returning bytes) run in a forked child. ``send(bytes)`` hands the parent a message on the
    way (:meth:`receive`, in order); the value returned is the result (:meth:`result`, which waits for the child
    and returns None when it did not finish normally). Build it only where :func:`can_fork` holds."""

    def __init__(self, compute: Callable[[Callable[[bytes], None]], bytes]) -> None:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:                                          # the child: compute, write, leave without cleanup
            status = 1
            try:
                os.close(read_end)
                data = compute(lambda message: _write_all(write_end, _FRAME.pack(b"m", len(message)) + message))
                _write_all(write_end, _FRAME.pack(b"r", len(data)) + data)
                status = 0
            except BaseException:                             # any failure: the parent computes the value itself
                pass
            finally:
                os._exit(status)
        os.close(write_end)
        self._pid: int | None = pid
        self._reader: BinaryIO | None = os.fdopen(read_end, "rb")
        self._result: bytes | None = None           # the result frame, once read
        # a Forked dropped without result() or cancel() still stops and reaps its child (no zombie left behind)
        self._finalizer = weakref.finalize(self, _stop_child, pid)

    def _frame(self) -> tuple[bytes, bytes] | None:
        """The next (kind, payload) from the child, or None at the end of the pipe (interrupted: the child is
        stopped, and the exception goes on)."""
        if self._reader is None:
            return None
        try:
            header = self._reader.read(_FRAME.size)
            if len(header) < _FRAME.size:
                return None
            kind, length = _FRAME.unpack(header)
            payload = self._reader.read(length)
        except BaseException:              # interrupted (a time budget, Ctrl-C): stop the child, then go on raising
            self.cancel()
            raise
        return (kind, payload) if len(payload) == length else None

    def receive(self) -> bytes | None:
        """The next message the child sent with ``send`` (waits for it), or None when it sends no more (it has
        returned its result, failed or been stopped)."""
        if self._result is not None:
            return None
        frame = self._frame()
        if frame is None:
            return None
        kind, payload = frame
        if kind == b"r":
            self._result = payload
            return None
        return payload

    def result(self) -> bytes | None:
        """The child's result once it has exited with status 0, else None (waits for the child; messages not
        received are skipped)."""
        if self._pid is None:
            return self._result
        while self._result is None:
            frame = self._frame()
            if frame is None:
                break
            if frame[0] == b"r":
                self._result = frame[1]
        if self._pid is None:              # stopped while reading
            return None
        self._close()
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        self._finalizer.detach()
        if os.waitstatus_to_exitcode(status) != 0:
            self._result = None
        return self._result

    def _close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def cancel(self) -> None:
        """Stop the child if it still runs and reap it (nothing when its result was collected)."""
        if self._pid is None:
            self._close()
            return
        self._close()
        self._finalizer()                  # kills and reaps the child, once
        self._pid = None
        self._result = None


def _stop_child(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
