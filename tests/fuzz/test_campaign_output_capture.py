"""bench/fuzz.py counts what a command writes to the process's stdout or stderr outside Python.

A C library writes to file descriptors 1 and 2 directly, past the in-process capture of tests/fuzz/harness.py
``run``: OpenBLAS printed "** On entry to DLASCL parameter number 4 had an illegal value" on the stdout of `snap`
(seed 5011, input 90073), and the campaign saw it only in its own log. Each forked child now points those
descriptors at a file, and anything found there is a finding of that input."""

from __future__ import annotations

import importlib.util
import json
import os

from tests.support import ROOT


def _campaign_module():
    spec = importlib.util.spec_from_file_location("fuzz_campaign", ROOT / "bench" / "fuzz.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _record(module, tmp_path, write: bytes) -> dict:
    def child(seed, i, honest, budget, folder, out, as_process, field_only=False):
        if write:
            os.write(1, write)                  # as a C library would: not through sys.stdout
        return {"i": i, "findings": []}

    module._child = child
    pid, fd = module._fork(1, 7, {}, 20.0, str(tmp_path), str(tmp_path), False)
    data = b""
    while chunk := os.read(fd, 65536):
        data += chunk
    os.close(fd)
    os.waitpid(pid, 0)
    return json.loads(data)


def test_a_write_to_the_process_stdout_is_a_finding(tmp_path):
    module = _campaign_module()
    record = _record(module, tmp_path, b" ** On entry to DLASCL parameter number  4 had an illegal value\n")
    assert len(record["findings"]) == 1 and "DLASCL" in record["findings"][0]
    assert not [p for p in os.listdir(tmp_path) if p.startswith("fd-")]        # the capture file is removed


def test_a_quiet_child_has_no_finding(tmp_path):
    assert _record(_campaign_module(), tmp_path, b"")["findings"] == []
