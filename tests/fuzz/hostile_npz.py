"""Hostile .npz point files (numpy archives X, Y, W1..WH, lambda), read by ``snap``, ``gd`` and ``classify --snap``.

The reader (exactdln/tools/interop.py ``load_point_file``) must refuse with exit 2, before it decompresses
or allocates much, every archive it cannot read as a point: zip bombs (members whose declared size, or
whose .npy header's shape x itemsize, is beyond the caps), members that are not .npy arrays (a pickle),
object arrays (``np.load(allow_pickle=False)`` must refuse them), truncated or damaged archives, lying
.npy headers, too many members; and it must read or refuse, never crash, on NaN and infinities, wrong
dtypes (complex, strings, bool, structured, datetime, big-endian), wrong shapes (0-d, 1-d, 3-d, empty,
chains that do not fit) and missing arrays. Each generator takes the chooser of tests/fuzz/hostile.py
and returns ``(name, text)``, the archive's bytes as text with ``surrogateescape`` (written back with
``text.encode("utf-8", "surrogateescape")``, byte for byte).
"""

from __future__ import annotations

import io
import pickle
import struct
import warnings
import zipfile
import zlib
from typing import Any, Callable

import numpy as np

__all__ = ["hostile_npz", "NPZ_MUTATIONS", "npz_bytes"]


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def _npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=True)
    return buf.getvalue()


def npz_bytes(arrays: dict[str, Any], compressed: bool = False) -> bytes:
    """An .npz archive of the arrays, as numpy.savez writes it (object arrays pickled, as numpy does)."""
    buf = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED
    with zipfile.ZipFile(buf, "w", method) as z, warnings.catch_warnings():
        warnings.simplefilter("ignore")                   # a duplicate member name is one of the mutations
        for name, value in arrays.items():
            z.writestr(name if name.endswith(".npy") or "." in name else name + ".npy",
                       value if isinstance(value, bytes) else _npy(np.asarray(value)))
    return buf.getvalue()


def _point(rng, *, depth: int | None = None) -> dict[str, np.ndarray]:
    """A small valid float point: X (d0 x m), Y (dH x m), W1..WH (widths 1-3, depth 1-3)."""
    H = depth or rng.randint(1, 3)
    widths = [rng.randint(1, 3) for _ in range(H + 1)]
    m = rng.randint(1, 4)

    def mat(r: int, c: int) -> np.ndarray:
        return np.array([[rng.randint(-8, 8) / rng.choice([1, 2, 4, 3]) for _ in range(c)] for _ in range(r)])

    point = {"X": mat(widths[0], m), "Y": mat(widths[-1], m)}
    for h in range(H):
        point[f"W{h + 1}"] = mat(widths[h + 1], widths[h])
    if rng.random() < 0.3:
        point["lambda"] = np.array(rng.choice([0.0, 0.5, 2.0]))
    return point


NPZ_MUTATIONS: dict[str, Callable] = {}


def _npz_mutation(fn: Callable) -> Callable:
    NPZ_MUTATIONS[fn.__name__] = fn
    return fn


@_npz_mutation
def npz_valid(point, rng):
    return npz_bytes(point, compressed=rng.random() < 0.5)


@_npz_mutation
def npz_bomb(point, rng):
    """A member of zeros whose decompressed size is far beyond the caps (a few hundred KB compressed)."""
    shape = rng.choice([(4096, 4096), (20000, 1000), (1, 30_000_000), (3000, 3000)])
    key = rng.choice(["X", "W1", "Y", "extra"])
    big = np.zeros(shape, dtype=rng.choice(["f8", "f4", "u1"]))
    return npz_bytes({**point, key: big}, compressed=True)


@_npz_mutation
def npz_lying_size(point, rng):
    """A member whose zip directory declares a size other than its data (small or huge)."""
    data = bytearray(npz_bytes(point))
    at = data.rfind(b"PK\x01\x02")                      # the last central directory record
    if at >= 0:
        size = rng.choice([0, 1, 2**31 - 1, 2**32 - 1, 10**9])
        data[at + 24:at + 28] = struct.pack("<I", size)
    return bytes(data)


@_npz_mutation
def npz_lying_header(point, rng):
    """An .npy member whose header declares a shape its data does not hold."""
    arr = point["X"]
    header = rng.choice(["{'descr': '<f8', 'fortran_order': False, 'shape': (4096, 4096), }",
                         "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }",
                         "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999, 1), }",
                         "{'descr': '<f8', 'fortran_order': False, 'shape': (-1, 2), }",
                         "{'descr': '|O', 'fortran_order': False, 'shape': (1, 1), }",
                         "{'descr': '<f8', 'fortran_order': 'yes', 'shape': (1, 1), }",
                         "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1, 1), }",
                         "__import__('os').system('true')",
                         "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), 'x': " + "[" * 500 + "]" * 500 + "}",
                         "{'descr': '<f8'"])
    body = header.encode("latin1")
    body += b" " * ((-(10 + len(body) + 1)) % 64) + b"\n"
    npy = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(body)) + body + arr.tobytes()
    return npz_bytes({**point, "X": npy})


@_npz_mutation
def npz_object(point, rng):
    """An object array (pickled by numpy.save): np.load(allow_pickle=False) must refuse it."""
    key = rng.choice(["X", "W1", "lambda", "Y"])
    value = rng.choice([np.array([[1, 2]], dtype=object), np.array([None], dtype=object),
                        np.array([[{"a": 1}]], dtype=object)])
    return npz_bytes({**point, key: value})


@_npz_mutation
def npz_pickle_member(point, rng):
    """A member that is a raw pickle, not an .npy array (named X.npy or X.pkl), or the whole file a pickle."""
    blob = pickle.dumps({"X": [[1.0]], "Y": [[1.0]], "weights": [[[1.0]]]}, protocol=rng.choice([2, 4, 5]))
    r = rng.randint(0, 2)
    if r == 0:
        return npz_bytes({**point, "X.npy": blob})
    if r == 1:
        return npz_bytes({**point, "X.pkl": blob})
    return blob


@_npz_mutation
def npz_nonfinite(point, rng):
    key = rng.choice([k for k in point if k != "lambda"] + ["lambda"])
    value = np.array(point.get(key, np.array(0.0)), dtype=float)
    bad = rng.choice([np.nan, np.inf, -np.inf, 1e308, 5e-324, -0.0])
    if value.ndim == 0:
        value = np.array(bad)
    else:
        value.flat[rng.randint(0, value.size - 1)] = bad
    return npz_bytes({**point, key: value})


@_npz_mutation
def npz_dtype(point, rng):
    key = rng.choice([k for k in point if k != "lambda"])
    value = point[key]
    dtype = rng.choice(["c16", "c8", "U5", "S5", "?", "i1", "u8", "f2", "f16" if hasattr(np, "float128") else "f8",
                        ">f8", "M8[s]", "m8[s]", "V8", [("a", "<f8")], "i8"])
    try:
        converted = value.astype(dtype)
    except (TypeError, ValueError):
        converted = np.zeros(value.shape, dtype=dtype)
    if rng.random() < 0.3:
        converted = np.asfortranarray(converted)
    return npz_bytes({**point, key: converted})


@_npz_mutation
def npz_shape(point, rng):
    key = rng.choice([k for k in point if k != "lambda"] + ["lambda"])
    value = rng.choice([np.zeros(()), np.zeros(3), np.zeros((2, 2, 2)), np.zeros((0, 3)), np.zeros((3, 0)),
                        np.zeros((0, 0)), np.zeros((5, 7)), np.zeros((1, 4097)), np.zeros((2, 2, 2, 2, 2))])
    return npz_bytes({**point, key: value})


@_npz_mutation
def npz_missing(point, rng):
    drop = rng.choice(["X", "Y", "W1", "all_W", "everything"])
    if drop == "everything":
        return npz_bytes({})
    if drop == "all_W":
        return npz_bytes({k: v for k, v in point.items() if not k.startswith("W")})
    out = {k: v for k, v in point.items() if k != drop}
    if drop == "W1" and "W2" in out:                    # a gap: W2.. without W1, or W1 renamed
        out["W0"] = np.zeros((1, 1))
    return npz_bytes(out)


@_npz_mutation
def npz_names(point, rng):
    """Odd member names: weights as a 3-d stack, W01, w1, W1 twice, paths, very long names, empty name."""
    r = rng.randint(0, 5)
    if r == 0:
        return npz_bytes({"X": point["X"], "Y": point["Y"], "weights": np.zeros((3, 2, 2))})
    if r == 1:
        return npz_bytes({k.replace("W", "W0"): v for k, v in point.items()})
    if r == 2:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z, warnings.catch_warnings():
            warnings.simplefilter("ignore")               # zipfile warns of the duplicate name it writes
            for k, v in point.items():
                z.writestr(k + ".npy", _npy(v))
            z.writestr("W1.npy", _npy(np.zeros((7, 7))))  # a duplicate member name
        return buf.getvalue()
    if r == 3:
        return npz_bytes({**point, "../../etc/X": np.zeros(1), "a/b/Y": np.zeros(1)})
    if r == 4:
        return npz_bytes({**point, "W" + "9" * 5000: np.zeros((1, 1))})
    return npz_bytes({**point, "W999999999999999999999": np.zeros((1, 1))})


@_npz_mutation
def npz_many_members(point, rng):
    n = rng.choice([300, 2000, 70000])
    buf = io.BytesIO()
    empty = _npy(np.zeros((1, 1)))
    with zipfile.ZipFile(buf, "w") as z:
        for k, v in point.items():
            z.writestr(k + ".npy", _npy(v))
        for i in range(n if n < 5000 else 5000):
            z.writestr(f"Z{i}.npy", empty)
    data = buf.getvalue()
    if n > 5000:                                        # declare more members than are there
        at = data.rfind(b"PK\x05\x06")
        data = data[:at + 8] + struct.pack("<HH", 65535, 65535) + data[at + 12:]
    return data


@_npz_mutation
def npz_truncated(point, rng):
    data = npz_bytes(point, compressed=rng.random() < 0.5)
    return data[:rng.randint(0, len(data) - 1)]


@_npz_mutation
def npz_byte_flip(point, rng):
    data = bytearray(npz_bytes(point, compressed=rng.random() < 0.5))
    for _ in range(rng.randint(1, 6)):
        data[rng.randint(0, len(data) - 1)] = rng.randint(0, 255)
    return bytes(data)


@_npz_mutation
def npz_deflate_bomb(point, rng):
    """A member whose directory declares a small size but whose deflate stream expands to gigabytes."""
    stream = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b"\0" * (1 << 20)
    body = b"".join(stream.compress(chunk) for _ in range(rng.choice([64, 512]))) + stream.flush()
    # the point's members, then a hand-made member W1.npy (local header, stream, and its directory record)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in point.items():
            z.writestr(k + ".npy", _npy(v))
    head = buf.getvalue()
    at = head.find(b"PK\x01\x02")
    name = b"W1.npy"
    crc = 0
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(body), 1000, len(name), 0) + name
    central = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(body), 1000, len(name),
                          0, 0, 0, 0, 0, at) + name
    rest = head[at:]
    end = rest.rfind(b"PK\x05\x06")
    directory = rest[:end] + central
    count = struct.unpack("<H", rest[end + 10:end + 12])[0] + 1
    eocd = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, len(directory), at + len(local) + len(body), 0)
    return head[:at] + local + body + directory + eocd


NPZ_WEIGHTS = {"npz_valid": 3, "npz_bomb": 2, "npz_lying_size": 2, "npz_lying_header": 3, "npz_object": 2,
               "npz_pickle_member": 2, "npz_nonfinite": 3, "npz_dtype": 4, "npz_shape": 3, "npz_missing": 2,
               "npz_names": 2, "npz_many_members": 1, "npz_truncated": 2, "npz_byte_flip": 3, "npz_deflate_bomb": 1}


def hostile_npz(rng) -> tuple[str, str]:
    """One hostile .npz point file: (mutation name, the archive's bytes as surrogateescape text)."""
    names = [n for n, w in NPZ_WEIGHTS.items() for _ in range(w)]
    name = rng.choice(names)
    return name, _text(NPZ_MUTATIONS[name](_point(rng), rng))
