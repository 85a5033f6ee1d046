"""Products of a long integer matrix with a short one, by slices of the long entries.

FLINT's fmpz_mat product slows down per bit as one factor's entries grow past a few thousand bits against a short
other factor: at n = 128 with 489-bit entries on the short side, 1,024-bit entries on the long side cost 0.086 s,
8,178-bit ones 1.97 s (nearly 3x the 0.70 s of eight 1,024-bit products; bench/bench_speed_theorem.py --stages
shows where this product sits). So the long factor L is written in base 2^s,

    L = sum_{i < k} L_i 2^(i s),   0 <= L_i < 2^s for i < k - 1, L_{k-1} signed,

and L S = sum_i (L_i S) 2^(i s) is k balanced products recombined pairwise with FLINT scalar products and sums.
Exact: the slices add up to L entry by entry (the top slice takes the sign: for any integer x,
x = sum_{i < k-1} ((x >> i s) mod 2^s) 2^(i s) + (x >> (k-1) s) 2^((k-1) s), with >> the floor shift).
"""

from __future__ import annotations

from flint import fmpz, fmpz_mat

__all__ = ["DigitSlices", "slice_bits_for", "worth_slicing", "max_entry_bits"]

#: below this many bits on the long side a single FLINT product is as fast (measured at n = 128 against 489 bits)
MIN_LONG_BITS = 3072


def slice_bits_for(short_bits: int) -> int:
    """The slice width s for a short factor of ``short_bits`` bits: about three times its entries, at least 512.
    The per-bit cost of FLINT's product at n = 128 against 489 bits is flat from 700 to 1,300 bits and rises
    slowly beyond, while cutting and adding up fewer slices saves time: B^T V at width 128 (8,178 against 489
    bits) took 1.16 s with 1,024-bit slices, 1.08 s with 1,536 or 2,048, 1.17 s with 3,072."""
    return max(512, -(-3 * max(short_bits, 1) // 64) * 64)


def max_entry_bits(matrix: fmpz_mat) -> int:
    """Bits of the longest entry of an integer matrix (0 when empty or zero)."""
    return max(map(_bits, matrix.entries()), default=0)


def _python_bits(x: fmpz) -> int:
    return abs(int(x)).bit_length()


#: bits of |x| for a FLINT integer: its own method where python-flint has it (ten times faster at 8,000 bits)
_bits = getattr(fmpz, "bit_length", _python_bits)


class DigitSlices:
    """A long integer matrix L kept as its base-2^s slices L_i (L = sum_i L_i 2^(i s)), cut once and reused."""

    def __init__(self, matrix: fmpz_mat, slice_bits: int) -> None:
        self.nrows, self.ncols = matrix.nrows(), matrix.ncols()
        self.slice_bits = slice_bits
        values = matrix.entries()       # FLINT integers: shifts and masks in C (half the time of Python ints here)
        top = max_entry_bits(matrix)
        count = max(1, -(-(top + 1) // slice_bits))
        mask = fmpz((1 << slice_bits) - 1)
        self.slices: list[fmpz_mat] = []
        for i in range(count):
            shift = i * slice_bits
            if i == count - 1:
                digits = [x >> shift for x in values]
            else:
                digits = [(x >> shift) & mask for x in values]
            self.slices.append(fmpz_mat(self.nrows, self.ncols, digits))

    def _recombine(self, products: list[fmpz_mat]) -> fmpz_mat:
        """sum_i P_i 2^(i s), pairwise: (P_0 + P_1 2^s) + (P_2 + P_3 2^s) 2^(2 s) + ... (a tree moves fewer bits
        than Horner's rule: 0.16 s against 0.20 s for eight 1,600-bit 128 x 128 products)."""
        items, shift = list(products), self.slice_bits
        while len(items) > 1:
            radix = fmpz(1) << shift
            merged = [items[i] + items[i + 1] * radix for i in range(0, len(items) - 1, 2)]
            if len(items) % 2:
                merged.append(items[-1])
            items, shift = merged, 2 * shift
        return items[0]

    def times(self, short: fmpz_mat) -> fmpz_mat:
        """L S, as sum_i (L_i S) 2^(i s)."""
        return self._recombine([piece * short for piece in self.slices])


def worth_slicing(long_bits: int, short_bits: int) -> bool:
    """Whether slicing the long factor pays (a cost guess: it never changes a result)."""
    return long_bits >= MIN_LONG_BITS and long_bits >= 3 * slice_bits_for(short_bits)
