"""Hostile .npz archives are refused from their declared sizes, before anything is decompressed.

Each archive is built here with numpy.savez / zipfile; the caps are those of exactdln/model/problem.py Limits
(4,000,000 entries, 4,096 rows or columns) and a point's member count. Exit 2 naming the file is the
command-line contract (README, "The command line contract").
"""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from exactdln.cli import main
from exactdln.model.problem import InputError
from exactdln.tools.interop import load_point_file


def _honest(path):
    np.savez(path, X=np.eye(2), Y=np.array([[2.0, 0.0], [0.0, 1.0]]), W1=np.zeros((1, 2)), W2=np.zeros((2, 1)))


def test_honest_archive_reads(tmp_path):
    path = tmp_path / "ok.npz"
    _honest(path)
    problem, weights = load_point_file(path, "binary", exact_weights=False)
    assert problem.d_x == 2 and [w.shape for w in weights] == [(1, 2), (2, 1)]


def _refused(path, words):
    with pytest.raises(InputError) as err:
        load_point_file(path, "binary", exact_weights=False)
    text = str(err.value)
    assert str(path) in text and all(w in text for w in words), text


def test_entries_beyond_the_cap(tmp_path):
    # 2,050 x 2,050 = 4,202,500 zeros: 34 MB declared, a few tens of kB compressed (a small zip bomb)
    path = tmp_path / "bomb.npz"
    np.savez_compressed(path, X=np.eye(2), Y=np.eye(2), W1=np.zeros((2050, 2050)))
    _refused(path, ["4000000 entries"])


def test_dimension_beyond_the_cap(tmp_path):
    path = tmp_path / "wide.npz"
    np.savez_compressed(path, X=np.zeros((1, 4097)), Y=np.eye(1), W1=np.eye(1))
    _refused(path, ["4097", "4096"])


def test_three_dimensional_array(tmp_path):
    path = tmp_path / "cube.npz"
    np.savez(path, X=np.zeros((2, 2, 2)), Y=np.eye(2), W1=np.eye(2))
    _refused(path, ["2 dimensions"])


def test_member_that_is_not_an_array(tmp_path):
    path = tmp_path / "junk.npz"
    _honest(path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("notes.txt", b"\0" * 100_000)
    _refused(path, ["not an .npy array"])


def test_too_many_members(tmp_path):
    path = tmp_path / "many.npz"
    np.savez(path, **{f"A{i}": np.zeros(1) for i in range(400)})
    _refused(path, ["400 members"])


def test_wide_strings(tmp_path):
    # one entry of 1 MB (a unicode string dtype): the bytes per entry are capped too
    path = tmp_path / "strings.npz"
    buf = io.BytesIO()
    np.save(buf, np.array(["x" * 250_000]))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("X.npy", buf.getvalue())
    _refused(path, ["bytes"])


def test_cli_exit_2_names_the_file(tmp_path, capsys):
    path = tmp_path / "bomb.npz"
    np.savez_compressed(path, X=np.eye(2), Y=np.eye(2), W1=np.zeros((2050, 2050)))
    assert main(["snap", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("exactdln snap: ") and str(path) in err[0]
