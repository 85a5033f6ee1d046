"""Certificates are written with the user's umask (exactdln/certify/gate.py), not with mkstemp's 0600."""

from __future__ import annotations

import os
import stat

import pytest

from exactdln.certify.gate import write_checked_text


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_file_has_the_mode_the_umask_gives(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        write_checked_text('{"format": "exactdln-certificate"}\n', tmp_path / "cert.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "cert.json").st_mode) == mode
    assert os.umask(old) == old            # the umask the caller had is back
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".cert-")]
