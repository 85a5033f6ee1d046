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


# ---- damaged archives found by tests/fuzz/hostile_npz.py (each was an internal error, exit 4)

def _deflated(path, flip_at: int):
    """An honest compressed archive with one byte of X's deflate stream changed."""
    _honest_compressed = io.BytesIO()
    np.savez_compressed(_honest_compressed, X=np.arange(64.0).reshape(8, 8), Y=np.eye(8), W1=np.eye(8))
    data = bytearray(_honest_compressed.getvalue())
    start = 30 + int.from_bytes(data[26:28], "little") + int.from_bytes(data[28:30], "little")  # first member's data
    data[start + flip_at] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("flip_at", [0, 3, 10, 20])
def test_damaged_deflate_stream(tmp_path, capsys, flip_at):
    # zlib.error ("invalid distance too far back", ...) or zipfile.BadZipFile ("Bad CRC-32") while reading X
    path = tmp_path / "flipped.npz"
    _deflated(path, flip_at)
    code = main(["snap", "--floats", "binary", str(path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code in (1, 2) and all(line.startswith("exactdln snap: ") for line in err)
    if code == 2:
        assert len(err) == 1 and str(path) in err[0]


def test_npy_header_cut_inside_its_dict(tmp_path, capsys):
    # the header "{'descr': '<f8'" ends inside the dict literal: numpy's parser raised tokenize.TokenError
    body = b"{'descr': '<f8'"
    body += b" " * ((-(10 + len(body) + 1)) % 64) + b"\n"
    npy = b"\x93NUMPY\x01\x00" + len(body).to_bytes(2, "little") + body + np.zeros(4).tobytes()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("X.npy", npy)
    path = tmp_path / "header.npz"
    path.write_bytes(buf.getvalue())
    assert main(["gd", "--floats", "binary", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("exactdln gd: ") and str(path) in err[0]


def test_pickle_file_refused_without_warnings(tmp_path, capsys):
    # a raw pickle (protocol 4) is read as a legacy torch file; torch's weights-only loader refuses it and its
    # UserWarning about the protocol must not reach stderr (every stderr line starts with "exactdln snap: ")
    pytest.importorskip("torch")
    import pickle

    path = tmp_path / "point.pkl"
    path.write_bytes(pickle.dumps({"X": [[1.0]], "Y": [[1.0]], "weights": [[[1.0]]]}, protocol=4))
    assert main(["snap", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("exactdln snap: ") and str(path) in err[0]


def test_complex_weights_are_refused(tmp_path, capsys):
    """numpy casts complex to float64 by dropping the imaginary parts (with a ComplexWarning on stderr): a
    complex layer must be refused instead (fuzz input 4001/220)."""
    path = tmp_path / "complex.npz"
    np.savez(path, X=np.eye(2), Y=np.eye(2), W1=np.zeros((1, 2)), W2=np.array([[1.0 + 2.0j], [0.0]]))
    _refused(path, ["complex"])
    assert main(["gd", str(path), "--steps", "1", "--floats", "binary"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("exactdln gd: ") and "Warning" not in err


def test_complex_weights_are_refused_by_load_float_point(tmp_path):
    """The public reader of float points (exactdln.load_float_point) refuses them too, naming the array."""
    import warnings

    from exactdln.tools.snap import load_float_point

    path = tmp_path / "complex.npz"
    np.savez(path, X=np.eye(2), Y=np.eye(2), W1=np.zeros((1, 2)), W2=np.array([[1.0 + 2.0j], [0.0]]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InputError) as err:
            load_float_point(path)
    assert "complex" in str(err.value) and "W2" in str(err.value)


def _encrypted_flag(path):
    """Set bit 0 of the general-purpose flags (APPNOTE.TXT 4.4.4: the member is encrypted) in every local header
    and central-directory record: zipfile then asks for a password (fuzz seed 5008, input 74912, one flipped bit)."""
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at >= 0:
            data[at + offset] |= 0x1
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("command", ["snap", "gd", "trace"])
def test_an_encrypted_member_is_refused_naming_the_file(tmp_path, capsys, command):
    path = tmp_path / "locked.npz"
    if command == "trace":
        np.savez(path, X=np.array([["1"]]), Y=np.array([["2"]]), W1=np.zeros((3, 1, 1)), W2=np.zeros((3, 1, 1)))
    else:
        _honest(path)
    _encrypted_flag(path)
    with zipfile.ZipFile(path) as z:                       # the premise: zipfile itself refuses to read it
        with pytest.raises(RuntimeError, match="encrypted"):
            z.read(z.infolist()[0])
    code = main([command, str(path)] + (["--floats", "binary"] if command != "snap" else []))
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith(f"exactdln {command}: {path}") and "encrypted" in err and "Traceback" not in err
