"""Weights and data from training code: PyTorch models, JAX pytrees, numpy arrays and files.

Conventions (the maths of docs/maths/README.md §1): W_h is d_h x d_(h-1) and a sample is a
*column* of X (d_x x m). ``nn.Linear(f_in, f_out, bias=False).weight`` is f_out x f_in, so it is
W_h as it stands; training code that keeps samples as rows (m x d_x) passes ``X.T`` and ``Y.T``.
A flax ``kernel`` is f_in x f_out (``y = x @ kernel``) and is transposed.

Floats are converted only by a rule the caller names (``exact="binary"`` or ``"decimal"``,
exactdln/model/convert.py); with ``exact=None`` the weights come back as float64 numpy arrays, for
:func:`exactdln.snap` or :func:`exactdln.classify_float`, and nothing is claimed exact.

Files (:func:`load_point_file`): JSON point files, ``.npz`` (arrays X, Y, W1..WH or weights,
lambda), and torch files (``torch.save`` of a dict with X, Y, weights or state_dict, lambda),
recognised by their content whatever their name (a zip archive holding ``data.pkl``, or a
legacy torch pickle) and read with ``torch.load(..., weights_only=True)``, which runs no code
from the file. A ``.npy`` file holds one array, not a point, and is refused with that reason.
"""

from __future__ import annotations

import os
import tokenize
import warnings
import zipfile
import zlib
from typing import Any, Mapping, Sequence

import numpy as np

from exactdln.model.convert import check_rule, host_array, FloatRuleError
from exactdln.model.problem import (
    DEFAULT_LIMITS,
    InputError,
    Limits,
    Problem,
    RationalMatrix,
    as_weights,
    parse_lambda,
    read_json_file,
)
from exactdln.tools.float_arrays import float_matrix, host_numpy

__all__ = ["from_torch", "from_jax", "load_point_file", "file_format", "PointFile"]

# what zipfile, zlib and numpy's .npy header parser raise on a damaged or hostile archive, besides the
# ValueError, OSError and EOFError of any reader (found by tests/fuzz/hostile_npz.py: a flipped byte in a
# deflate stream, a header cut inside a dict literal, a member stored with an unknown compression method)
_ARCHIVE_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, SyntaxError, tokenize.TokenError,
                   EOFError, RecursionError, NotImplementedError)

# layers that compute the identity and may sit between the Linear layers
_IDENTITY_LAYERS = ("Identity",)


def _weights(layers: list[tuple[str, Any]], exact: str | None) -> tuple[RationalMatrix, ...] | list[np.ndarray]:
    """Check shapes (naming the layers) and convert: exact weights by the rule, or float64 arrays."""
    try:
        check_rule(exact)
    except FloatRuleError as err:
        raise InputError(err.message, "exact") from None
    if not layers:
        raise InputError("no weight matrices found (expected bias-free Linear layers)", "weights")
    shapes = []
    for name, w in layers:
        shape = tuple(getattr(w, "shape", ()))
        if len(shape) != 2:
            raise InputError(f"layer {name!r}: expected a 2-d weight matrix, got shape {shape}", "weights")
        shapes.append(shape)
    for h in range(1, len(layers)):
        if shapes[h][1] != shapes[h - 1][0]:
            raise InputError(f"layer {layers[h][0]!r} takes {shapes[h][1]} inputs but layer {layers[h - 1][0]!r} "
                             f"gives {shapes[h - 1][0]} outputs (shapes {shapes[h - 1]} then {shapes[h]})", "weights")
    if exact is None:
        return [_float_array(w, name) for name, w in layers]
    return as_weights([w for _, w in layers], exact=exact)


def _float_array(w: Any, name: str) -> np.ndarray:
    a = np.asarray(host_numpy(w), dtype=np.float64)
    if not np.all(np.isfinite(a)):
        raise InputError(f"layer {name!r} holds NaN or infinity", "weights")
    return a


def from_torch(model_or_state_dict: Any, exact: str | None = None) -> tuple[RationalMatrix, ...] | list[np.ndarray]:
    """The weights (W_1, ..., W_H) of a bias-free stack of ``torch.nn.Linear`` layers.

    Accepts an ``nn.Sequential``, any module whose Linear layers are registered in forward order
    (``named_modules`` order: the order of assignment in ``__init__``), or a ``state_dict``
    (keys ``<layer>.weight``, in the dict's order). ``nn.Linear.weight`` is d_out x d_in, which
    is W_h of L(W) = 1/2 ||W_H ... W_1 X - Y||_F^2 (docs/maths/README.md §1) as it stands.
    A bias, a layer other than Linear (an activation makes the network non-linear) or shapes
    that do not chain raise :class:`InputError` naming the layer. With ``exact="binary"`` or
    ``"decimal"`` the result is exact (exactdln/model/convert.py), with ``exact=None`` float64
    arrays (detached, on the CPU).
    """
    return _weights(_torch_layers(model_or_state_dict), exact)


def _torch_layers(obj: Any) -> list[tuple[str, Any]]:
    """(layer name, weight tensor) of a bias-free Linear stack, in forward order (see :func:`from_torch`)."""
    layers: list[tuple[str, Any]] = []
    if isinstance(obj, Mapping):
        for key, value in obj.items():
            layer, _, leaf = str(key).rpartition(".")
            if leaf == "bias":
                raise InputError(f"layer {layer!r} has a bias: exactdln models bias-free linear networks "
                                 "(nn.Linear(..., bias=False))", "weights")
            if leaf != "weight":
                raise InputError(f"state_dict entry {key!r} is not the weight of a Linear layer", "weights")
            layers.append((layer or str(key), value))
        return layers
    if not hasattr(obj, "named_modules"):
        raise InputError(f"expected a torch.nn.Module or a state_dict, got {type(obj).__name__}", "weights")
    for name, module in obj.named_modules():
        if any(True for _ in module.children()):
            continue                                    # containers: their leaves are visited
        kind = type(module).__name__
        label = name or kind
        if kind == "Linear":
            if getattr(module, "bias", None) is not None:
                raise InputError(f"layer {label!r} (Linear) has a bias: exactdln models bias-free linear "
                                 "networks (nn.Linear(..., bias=False))", "weights")
            layers.append((label, module.weight))
        elif kind in _IDENTITY_LAYERS:
            continue
        else:
            raise InputError(f"layer {label!r} is a {kind}, not a bias-free nn.Linear: exactdln models deep "
                             "*linear* networks", "weights")
    return layers


def from_jax(pytree: Any, exact: str | None = None) -> tuple[RationalMatrix, ...] | list[np.ndarray]:
    """The weights (W_1, ..., W_H) in a JAX (or numpy) pytree: a list or tuple of 2-d arrays, or dicts of them.

    Lists and tuples are read in order, dicts in their insertion order (name layers so that the
    order is the forward order: jax.tree_util sorts keys, so ``layer10`` would come before
    ``layer2`` after a tree_map). An array is W_h (d_h x d_(h-1), docs/maths/README.md §1); a
    leaf named ``kernel`` (flax ``Dense``, x @ kernel) is f_in x f_out and is transposed; a leaf
    named ``bias`` is refused, naming its path. ``exact`` as in :func:`from_torch`.
    """
    layers: list[tuple[str, Any]] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                if str(key) == "bias":
                    raise InputError(f"layer {path or '<root>'!r} has a bias: exactdln models bias-free linear "
                                     "networks", "weights")
                walk(value, f"{path}/{key}" if path else str(key))
        elif isinstance(node, (list, tuple)) and not _is_matrix_list(node):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")
        else:
            leaf = path.rsplit("/", 1)[-1]
            layers.append((path, node.T if leaf == "kernel" and hasattr(node, "T") else node))

    walk(pytree, "")
    return _weights(layers, exact)


def _is_matrix_list(node: Sequence) -> bool:
    """A nested list of numbers (one matrix), as opposed to a list of layers."""
    return bool(node) and isinstance(node[0], (list, tuple)) and bool(node[0]) and not hasattr(node[0][0], "shape") \
        and not isinstance(node[0][0], (list, tuple, Mapping))


# ----------------------------------------------------------------------------------------------- files

#: members of a point archive: X, Y, lambda, weights or W1..WH (max_layers), and a few more
_MAX_MEMBERS = DEFAULT_LIMITS.max_layers + 16
#: bytes per array entry allowed for the caps (complex128 is 16; float64, the usual, is 8)
_MAX_ITEMSIZE = 16


def _check_zip_directory(path: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a zip archive whose central directory would be large to read, from its last bytes alone.

    ``zipfile`` builds one ZipInfo per directory record (the directory size bounds that work, not the
    count it declares); a point has at most ``_MAX_MEMBERS`` arrays. The end-of-directory record
    (APPNOTE.TXT 4.3.16: signature, then the entry count at offset 10 and the directory size at 12) sits
    in the last 65,557 bytes; a zip64 archive (count 0xFFFF or size 0xFFFFFFFF) holds no point's arrays.
    """
    size = os.path.getsize(path)
    if size > limits.max_file_bytes:
        raise InputError(f"file is {size} bytes, more than {limits.max_file_bytes}")
    with open(path, "rb") as fh:
        fh.seek(max(0, size - 65_557))
        tail = fh.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        raise InputError("a damaged zip archive (no end of central directory)")
    count = int.from_bytes(tail[at + 10:at + 12], "little")
    directory = int.from_bytes(tail[at + 12:at + 16], "little")
    if count > _MAX_MEMBERS or directory > _MAX_MEMBERS * 1024:
        raise InputError(f"a zip archive of {count} members ({directory} bytes of directory): a point file holds "
                         f"at most {_MAX_MEMBERS} arrays")


def refuse_encrypted(info: zipfile.ZipInfo, field: str, source: str | None = None) -> None:
    """Refuse a zip member whose "encrypted" flag is set (APPNOTE.TXT 4.4.4, bit 0 of the general-purpose flags):
    zipfile would ask for a password (a RuntimeError), numpy writes no such member, and none can be read. Every
    .npz reader calls it for each member before opening any (this module, exactdln/tools/snap.py,
    exactdln/tools/trace_format.py)."""
    if info.flag_bits & 0x1:
        raise InputError("an encrypted member: numpy writes none, and none can be read", field, source)


def _check_npz(path: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse an .npz archive beyond the caps from what it declares, before anything is decompressed.

    For each member: its declared uncompressed size (``ZipInfo.file_size``; reading stops there, so it
    bounds the decompressed bytes) and, for an .npy member, the shape and dtype of its header (a few
    hundred bytes): at most ``max_dimension`` rows or columns, 2 dimensions, and over all members at
    most ``max_entries`` entries of at most 16 bytes. A member that is not an .npy array would be read
    whole as bytes, so it is refused.
    """
    cap_bytes = limits.max_entries * _MAX_ITEMSIZE
    entries = declared = 0
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            name = info.filename
            declared += info.file_size
            if declared > cap_bytes + 4096 * _MAX_MEMBERS:
                raise InputError(f"the archive declares {declared} bytes uncompressed, more than the caps allow "
                                 f"({limits.max_entries} entries)", name)
            if not name.endswith(".npy"):
                raise InputError("not an .npy array (an .npz point holds arrays X, Y, W1..WH, weights, lambda)",
                                 name)
            refuse_encrypted(info, name[:-4])
            with z.open(info) as fh:
                try:
                    version = np.lib.format.read_magic(fh)
                    if version == (1, 0):
                        shape, _, dtype = np.lib.format.read_array_header_1_0(fh)
                    elif version == (2, 0):
                        shape, _, dtype = np.lib.format.read_array_header_2_0(fh)
                    else:
                        raise ValueError(f".npy format version {version}")
                except (ValueError, TypeError, OSError) + _ARCHIVE_ERRORS as err:
                    raise InputError(f"not a readable .npy array: {str(err)[:120]}", name[:-4]) from None
            field = name[:-4]
            if len(shape) > 2 or any(d > limits.max_dimension for d in shape):
                raise InputError(f"an array of shape {shape}: at most 2 dimensions of at most "
                                 f"{limits.max_dimension}", field)
            count = 1
            for d in shape:
                count *= d
            entries += count
            if entries > limits.max_entries:
                raise InputError(f"more than {limits.max_entries} entries in the archive", field)
            if dtype.itemsize > _MAX_ITEMSIZE and count:
                raise InputError(f"entries of {dtype.itemsize} bytes ({dtype}): at most {_MAX_ITEMSIZE}", field)


def file_format(path: str) -> str:
    """``"json"``, ``"npz"``, ``"npy"`` or ``"torch"``, from the file's first bytes (not its name)."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK"):
        _check_zip_directory(path)
        try:
            with zipfile.ZipFile(path) as z:
                names = z.namelist()
        except zipfile.BadZipFile:
            raise InputError("a damaged zip archive (neither .npz nor a torch file)") from None
        if any(n.endswith("/data.pkl") or n == "data.pkl" for n in names):
            return "torch"
        return "npz"
    if head.startswith(b"\x93NUMPY"):
        return "npy"
    if head.startswith(b"\x80"):
        return "torch"                                   # legacy torch.save: a pickle stream
    return "json"


class PointFile:
    """What a point file holds before it is read exactly: X, Y, lambda and the weights (or None), as stored."""

    def __init__(self, X: Any, Y: Any, lam: Any, weights: list | None, fmt: str):
        self.X, self.Y, self.lam, self.weights, self.format = X, Y, lam, weights, fmt


def _read_raw(path: str) -> PointFile:
    fmt = file_format(path)
    if fmt == "npy":
        raise InputError("a .npy file holds one array, not a point: save X, Y and W1..WH together with "
                         "numpy.savez (.npz) or torch.save")
    if fmt == "npz":
        _check_npz(path)
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        return _from_mapping(arrays, fmt)
    if fmt == "torch":
        try:
            import torch
        except ImportError:
            raise InputError("a torch file: install the torch extra (pip install 'exactdln[torch]')") from None
        try:
            with warnings.catch_warnings():      # torch warns on stderr about the pickle protocol of a hostile file
                warnings.simplefilter("ignore")
                data = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as err:   # torch raises UnpicklingError, RuntimeError, ... for what it refuses
            raise InputError(f"torch.load(weights_only=True) refused the file: {str(err).splitlines()[0][:200]} "
                             "(save tensors and dicts of tensors, for example model.state_dict(), not modules)") from None
        if isinstance(data, Mapping) and "X" not in data and all(str(k).rpartition(".")[2] in ("weight", "bias") for k in data):
            raise InputError("a bare state_dict has no data: save {'X': X, 'Y': Y, 'state_dict': model.state_dict()}")
        return _from_mapping(data, fmt)
    data = read_json_file(path)
    return _from_mapping(data, fmt)


def _from_mapping(data: Any, fmt: str) -> PointFile:
    if not isinstance(data, Mapping):
        raise InputError(f"expected a mapping with keys X, Y and weights, got {type(data).__name__}")
    for key in ("X", "Y"):
        if key not in data:
            raise InputError("missing", key)
    if "weights" in data:
        weights = list(data["weights"])
        if fmt == "torch" or any(hasattr(w, "shape") for w in weights):
            weights = list(_layer_list(weights))
    elif "state_dict" in data:
        layers = _torch_layers(data["state_dict"])
        _weights(layers, None)                                  # shapes chain, layers named
        weights = [w for _, w in layers]
    else:
        names = sorted((k for k in data if str(k).startswith("W") and str(k)[1:].isdigit()), key=lambda k: int(k[1:]))
        weights = [data[k] for k in names] or None
    lam = data.get("lambda", 0)
    if hasattr(lam, "tolist"):
        lam = host_array(lam).tolist()
    return PointFile(data["X"], data["Y"], lam, weights, fmt)


def _layer_list(weights: list) -> list:
    return [host_array(w) for w in weights]


def load_point_file(path: str | os.PathLike, floats: str | None = None, *, exact_weights: bool = True,
                    need_weights: bool = True) -> tuple[Problem, Any]:
    """(problem, weights) from a JSON, ``.npz`` or torch file (format from the content, :func:`file_format`).

    X, Y and lambda are read exactly: JSON numbers as the decimals written, float arrays by the
    rule ``floats`` (exactdln/model/convert.py; None refuses them). The weights are exact (by the
    same rule) when ``exact_weights``, else float64 arrays (JSON decimals read as floats), for
    snap, gd and flow; None when the file has none and ``need_weights`` is False.
    """
    source = os.fspath(path)
    try:
        raw = _read_raw(source)
        problem = Problem.create(_host(raw.X), _host(raw.Y), _lambda(raw.lam, floats), exact=floats)
        if raw.weights is None:
            if need_weights:
                raise InputError("missing (no 'weights', 'state_dict' or W1..WH)", "weights")
            return problem, None
        if exact_weights:
            weights = as_weights([_host(w) for w in raw.weights], exact=floats)
        else:
            weights = [float_matrix(w, f"weights[{h}]") for h, w in enumerate(raw.weights)]
            if not weights:
                raise InputError("no weight matrices", "weights")
        return problem, weights
    except InputError as err:
        raise (err if err.source else err.with_source(source)) from None
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", None, source) from None
    except (ValueError, KeyError, TypeError, OverflowError) as err:
        raise InputError(f"cannot read: {err}", None, source) from None
    except _ARCHIVE_ERRORS as err:
        raise InputError(f"a damaged archive: {type(err).__name__}: {str(err)[:200]}", None, source) from None


def _host(value: Any) -> Any:
    return host_array(value)


def _lambda(lam: Any, floats: str | None) -> Any:
    if isinstance(lam, float) or (isinstance(lam, list) and any(isinstance(x, float) for x in lam)):
        from exactdln.model.convert import float_to_fraction

        try:
            if isinstance(lam, list):
                return [float_to_fraction(x, floats, field="lambda") if isinstance(x, float) else x for x in lam]
            return float_to_fraction(lam, floats, field="lambda")
        except FloatRuleError as err:
            raise InputError(err.message, "lambda") from None
    parse_lambda(lam, DEFAULT_LIMITS)
    return lam
