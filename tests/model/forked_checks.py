"""Checks of exactdln/model/forked.py, each run by tests/model/test_forked.py in a fresh interpreter: forking is only
safe in a single-threaded process, and the test process has numpy's (and possibly JAX's) threads running."""

from __future__ import annotations

import os
import signal
import threading
import time

from exactdln.model.forked import Forked, can_fork


def _reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def check_single_threaded_here() -> None:
    assert can_fork()


def check_the_parent_gets_the_childs_bytes_beyond_a_pipe_buffer() -> None:
    payload = bytes(range(256)) * 40_000          # 10 MB: many times the pipe's buffer
    job = Forked(lambda send: payload)
    assert job.result() == payload
    assert job.result() == payload                # asked again: the same bytes, no second wait


def check_the_child_computes_in_its_own_process() -> None:
    parent = os.getpid()
    job = Forked(lambda send: str(os.getpid()).encode())
    assert int(job.result()) != parent


def check_a_child_that_raises_gives_none() -> None:
    def fails(send) -> bytes:
        raise ValueError("no")

    assert Forked(fails).result() is None


def check_cancel_stops_a_running_child_and_reaps_it() -> None:
    job = Forked(lambda send: (time.sleep(60), b"late")[1])
    pid = job._pid
    started = time.monotonic()
    job.cancel()
    assert time.monotonic() - started < 10
    assert _reaped(pid)                          # no zombie left
    assert job.result() is None


def check_an_interrupted_wait_stops_the_child() -> None:
    class Interrupted(BaseException):
        pass

    def ring(signum, frame):
        raise Interrupted

    job = Forked(lambda send: (time.sleep(60), b"late")[1])
    pid = job._pid
    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        job.result()
    except Interrupted:
        pass
    else:
        raise AssertionError("the wait was not interrupted")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert _reaped(pid)                          # killed and reaped
    job.cancel()                                 # nothing left to do


def check_messages_arrive_in_order_before_the_result() -> None:
    def compute(send) -> bytes:
        send(b"first")
        send(b"x" * 3_000_000)              # beyond the pipe's buffer: the child waits until it is read
        send(b"")
        return b"done"

    job = Forked(compute)
    assert job.receive() == b"first"
    assert job.receive() == b"x" * 3_000_000
    assert job.receive() == b""
    assert job.receive() is None                 # the next frame is the result
    assert job.result() == b"done"


def check_the_result_skips_messages_not_received() -> None:
    def compute(send) -> bytes:
        send(b"unread")
        return b"done"

    job = Forked(compute)
    assert job.result() == b"done"
    assert job.receive() is None


def check_a_child_that_fails_after_a_message_gives_the_message_then_none() -> None:
    def compute(send) -> bytes:
        send(b"early")
        raise RuntimeError("later")

    job = Forked(compute)
    assert job.receive() == b"early"
    assert job.receive() is None
    assert job.result() is None


def check_a_dropped_job_stops_and_reaps_its_child() -> None:
    import gc

    job = Forked(lambda send: (time.sleep(60), b"late")[1])
    pid = job._pid
    del job
    gc.collect()
    assert _reaped(pid)


def check_no_fork_while_another_thread_runs() -> None:
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        assert not can_fork()
    finally:
        stop.set()
        worker.join()


CHECKS = sorted(name for name in globals() if name.startswith("check_"))
