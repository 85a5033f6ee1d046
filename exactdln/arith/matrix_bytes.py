"""An integer matrix over one denominator as bytes and back: how a child process hands Sigma_YX = B / b to its
parent (exactdln/landscape/spectral.py, prove_eigenvalues_in_background). Exact: every entry is written as a
fixed-width two's-complement little-endian integer, wide enough for the longest one, and read back as the same
integer.
"""

from __future__ import annotations

from flint import fmpz_mat

from exactdln.arith.long_products import max_entry_bits

__all__ = ["integer_matrix_to_bytes", "integer_matrix_from_bytes"]


def integer_matrix_to_bytes(matrix: fmpz_mat, denominator: int) -> bytes:
    """``rows cols width denominator`` (decimal, one line), then rows * cols entries of ``width`` bytes."""
    rows, cols = matrix.nrows(), matrix.ncols()
    width = max_entry_bits(matrix) // 8 + 1            # room for the sign bit
    header = f"{rows} {cols} {width} {int(denominator)}\n".encode("ascii")
    return header + b"".join(int(x).to_bytes(width, "little", signed=True) for x in matrix.entries())


def integer_matrix_from_bytes(data: bytes) -> tuple[fmpz_mat, int]:
    """(matrix, denominator) from :func:`integer_matrix_to_bytes`; ValueError when the bytes are not that."""
    end = data.index(b"\n")
    rows, cols, width, denominator = (int(x) for x in data[:end].split())
    body = memoryview(data)[end + 1:]
    if rows < 0 or cols < 0 or width < 1 or len(body) != rows * cols * width:
        raise ValueError("not an integer matrix written by integer_matrix_to_bytes")
    values = [int.from_bytes(body[k:k + width], "little", signed=True) for k in range(0, len(body), width)]
    return fmpz_mat(rows, cols, values), denominator
