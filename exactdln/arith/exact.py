"""The exact backend: rational matrices in python-flint.

Conversions between the model's :class:`~exactdln.model.problem.RationalMatrix` and flint's
``fmpq_mat``, and the exact linear algebra the core needs (rank, column bases,
nullspaces, solves). Ranks and nullspaces go through ``fmpz_mat`` after clearing
denominators, which FLINT computes with fraction-free or multimodular elimination
in C; sympy's ``Matrix.rank`` is never used.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from itertools import islice
from typing import Iterable, Iterator, Sequence

from math import gcd, isqrt, lcm
from operator import mul

from flint import fmpq, fmpq_mat, fmpz, fmpz_mat, nmod, nmod_mat

from exactdln.arith.long_products import max_entry_bits
from exactdln.model.problem import RationalMatrix

__all__ = [
    "to_fmpq",
    "to_fmpq_mat",
    "from_fmpq_mat",
    "to_fraction",
    "identity",
    "zeros",
    "rank",
    "scaled_integer_matrix",
    "multiply",
    "modular_image",
    "nullspace",
    "column_basis",
    "rref_pivots",
    "pivot_columns",
    "is_zero",
    "transpose",
    "submatrix",
    "hstack",
    "vstack",
    "trace",
    "frobenius_squared",
    "inner",
    "word_primes",
    "iter_word_primes",
    "modular_pivot_columns",
    "big_probable_prime",
    "rational_reconstruction",
    "CrtVector",
    "CrtMatrix",
    "is_zero_matrix",
    "chain_product",
    "ordered_product",
    "ordered_product_integer",
    "integer_product",
    "scaled_integer_product",
    "integer_product_scaled",
    "integer_content",
    "divide_out_content",
    "frobenius_inner",
    "integer_frobenius_inner",
    "model_frobenius_squared",
    "model_integer_matrix",
    "model_flint_entries",
    "is_identity_model",
]


#: texts at least this long are read by FLINT (shorter ones by CPython's int, faster there: 128 x 128 texts of about
#: 40 digits took 2.4 ms with int and 11 ms with FLINT)
FLINT_TEXT_DIGITS = 400


def model_flint_entries(matrix: RationalMatrix) -> tuple[list, list | None]:
    """:meth:`RationalMatrix.integer_entries` as FLINT integers read from the decimal texts when the matrix keeps
    them (:meth:`RationalMatrix.decimal_entries`: FLINT reads a 2,500-digit text in about 7 us, CPython's ``int`` in
    about 25 us; at depth 8, width 128 with 40-digit entries Y holds 32,768 such texts); else the model's own
    Python integers. Either way entries that support ``*``, ``//``, ``==``, hashing and ``bit_length``."""
    texts = matrix.decimal_entries()
    n, m = matrix.nrows, matrix.ncols
    if texts is None or n == 0 or m == 0 or max(map(len, texts[0])) < FLINT_TEXT_DIGITS:
        return matrix.integer_entries()
    numerators, denominators = texts
    if denominators is None:
        return fmpz_mat(n, m, numerators).entries(), None
    # equal denominators are read once (Y at width 128 with 40-digit data: 6,417 distinct among 16,384 texts)
    distinct = list(dict.fromkeys(denominators))
    value = dict(zip(distinct, fmpz_mat(1, len(distinct), distinct).entries()))
    return fmpz_mat(n, m, numerators).entries(), [value[t] for t in denominators]


def to_fmpq_mat(matrix: RationalMatrix) -> fmpq_mat:
    """The flint matrix of a model matrix (cached on the instance, which is immutable), from its integer numerators
    and denominators (:meth:`RationalMatrix.integer_entries`: no Python Fraction is formed for a matrix read from a
    file)."""
    cached = matrix.__dict__.get("_fmpq")
    if cached is not None:
        return cached
    numerators, denominators = model_flint_entries(matrix)
    if denominators is None:
        result = fmpq_mat(fmpz_mat(matrix.nrows, matrix.ncols, numerators))
    else:
        # FLINT reduces each a / b to lowest terms in C; integers (b = 1) need no fmpq of their own
        result = fmpq_mat(matrix.nrows, matrix.ncols,
                          [a if b == 1 else fmpq(a, b) for a, b in zip(numerators, denominators)])
    object.__setattr__(matrix, "_fmpq", result)
    return result


def model_integer_matrix(matrix: RationalMatrix) -> tuple[fmpz_mat, int]:
    """(N, d) with matrix = N / d, N integer and d > 0, from the model's integer numerators and denominators: d is
    the lcm of the denominators, so no entry is reduced to lowest terms (no gcd per entry, where building the
    fmpq_mat costs one gcd of two long integers per entry). N and d may share a factor. When that lcm is much
    longer than the denominators themselves (unrelated denominators) the flint matrix's numer_denom is used."""
    numerators, denominators = model_flint_entries(matrix)
    n, m = matrix.nrows, matrix.ncols
    if n == 0 or m == 0:
        return fmpz_mat(n, m), 1
    if denominators is None:
        return fmpz_mat(n, m, numerators), 1
    distinct = set(denominators)
    common = lcm(*distinct)
    if common.bit_length() > 2 * max(b.bit_length() for b in distinct) + 64:
        numerator, d = to_fmpq_mat(matrix).numer_denom()
        return numerator, int(d)
    factor = {b: common // b for b in distinct}
    return fmpz_mat(n, m, [a * factor[b] for a, b in zip(numerators, denominators)]), common


def is_identity_model(matrix: RationalMatrix) -> bool:
    """Is the model matrix the identity? From its integers (no flint matrix, no Fraction)."""
    numerators, denominators = matrix.integer_entries()
    n = matrix.nrows
    if n != matrix.ncols or (denominators is not None and any(b != 1 for b in denominators)):
        return False
    return all(a == (k % (n + 1) == 0) for k, a in enumerate(numerators))


def to_fraction(x: fmpq) -> Fraction:
    return Fraction(int(x.p), int(x.q))


def to_fmpq(x: Fraction | int) -> fmpq:
    """A Fraction (or int) as a FLINT rational; the inverse of :func:`to_fraction`."""
    x = Fraction(x)
    return fmpq(x.numerator, x.denominator)


def from_fmpq_mat(matrix: fmpq_mat) -> RationalMatrix:
    rows = tuple(
        tuple(to_fraction(matrix[i, j]) for j in range(matrix.ncols())) for i in range(matrix.nrows())
    )
    return RationalMatrix(rows, matrix.ncols())


def identity(n: int) -> fmpq_mat:
    m = fmpq_mat(n, n)
    for i in range(n):
        m[i, i] = 1
    return m


def zeros(nrows: int, ncols: int) -> fmpq_mat:
    return fmpq_mat(nrows, ncols)


def _integer_matrix(matrix: fmpq_mat) -> fmpz_mat:
    # Row-scaling does not change rank or right nullspace; numer_denom clears one common denominator.
    numerator, _ = matrix.numer_denom()
    return numerator


def scaled_integer_matrix(matrix: fmpq_mat) -> tuple[fmpz_mat, list[int] | None, list[int] | None]:
    """(A, rows, cols) with matrix = diag(rows)^-1 A diag(cols)^-1, A integer: the cheaper of two clearings.

    Either every row is multiplied by the lcm of its denominators (cols None) or every column
    (rows None). Which one is shorter depends on the matrix: W_h = A_h W A_{h-1}^-1 has one
    denominator per column, and one common denominator (numer_denom) would make every entry as
    long as the product of all of them. Scaling rows or columns by nonzero numbers keeps the rank.
    """
    n, m = matrix.nrows(), matrix.ncols()
    entries = matrix.entries()
    denominators = [int(x.q) for x in entries]
    row_lcm = [lcm(*denominators[i * m:(i + 1) * m]) if m else 1 for i in range(n)]
    col_lcm = [lcm(*denominators[j::m]) if n else 1 for j in range(m)]
    if sum(x.bit_length() for x in row_lcm) * m <= sum(x.bit_length() for x in col_lcm) * n:
        values = [int(x.p) * (row_lcm[k // m] // int(x.q)) for k, x in enumerate(entries)]
        return fmpz_mat(n, m, values), row_lcm, None
    values = [int(x.p) * (col_lcm[k % m] // int(x.q)) for k, x in enumerate(entries)]
    return fmpz_mat(n, m, values), None, col_lcm


def modular_image(matrix: fmpq_mat, prime: int) -> nmod_mat | None:
    """The matrix modulo ``prime`` (entry a / b -> a b^-1), or None if ``prime`` divides a denominator.

    Over one common denominator (FLINT's numer_denom, all in C) when that is short; else entry by entry, with one
    modular inversion for all denominators (Montgomery's trick: the prefix products b_1 ... b_k are inverted once
    and the inverses peeled off backwards). The common denominator makes every entry as long as the lcm of all
    denominators: for W_H at depth 8, width 128 with 40-digit changes of basis (lcm 16,700 bits) that took 0.21 s,
    entry by entry 0.05 s; with 4-digit changes of basis (about 1,400 bits) 0.015 s against 0.04 s. The route is
    chosen by a sampled guess of the cleared size (:func:`_matwise_bits`); both give the same matrix."""
    n, m = matrix.nrows(), matrix.ncols()
    if n == 0 or m == 0:
        return nmod_mat(n, m, prime)
    if _matwise_bits(matrix) <= 4096:
        numerator, denominator = matrix.numer_denom()
        d = int(denominator) % prime
        if d == 0:
            return None
        reduced = nmod_mat(numerator, prime)
        return reduced * nmod(pow(d, -1, prime), prime) if d != 1 else reduced
    entries = matrix.entries()
    denominators = [int(x.q) % prime for x in entries]
    prefix = []
    running = 1
    for b in denominators:
        if b == 0:
            return None
        prefix.append(running)
        running = running * b % prime
    inverse = pow(running, -1, prime)         # (b_1 ... b_k)^-1
    values = [0] * len(entries)
    for k in range(len(entries) - 1, -1, -1):
        # inverse = (b_1 ... b_{k+1})^-1 here, so inverse * prefix[k] = b_{k+1}^-1 (0-based: entry k)
        values[k] = int(entries[k].p) % prime * (inverse * prefix[k] % prime) % prime
        inverse = inverse * denominators[k] % prime
    return nmod_mat(n, m, values, prime)


def multiply(a: fmpq_mat, b: fmpq_mat) -> fmpq_mat:
    """a b, exactly; faster than FLINT's product when a has one short denominator per column.

    FLINT clears the denominators of a row by row and those of b column by column. When the
    columns of a have short common denominators c_k (as in W_h = A_h W A_{h-1}^-1, whose
    column k carries A_{h-1}^-1's k-th denominator) we use a b = (a diag(c)) (diag(c)^-1 b),
    where both factors are short: a diag(c) is integer, and diag(c)^-1 b often cancels (b = W_{h-1:1}
    starts with A_{h-1}). Same product, same entries.
    """
    if a.nrows() == 0 or a.ncols() == 0 or b.ncols() == 0:
        return a * b
    if _is_identity(b):
        return a
    if _is_identity(a):
        return b
    # one lcm per column of a; worth it only when they are much shorter than a's common denominator
    n, m = a.nrows(), a.ncols()
    entries = a.entries()
    columns = [lcm(*(int(entries[i * m + j].q) for i in range(n))) for j in range(m)]
    common_bits = lcm(*columns).bit_length()      # a's common denominator, without numer_denom's 16,384 products
    if 4 * max(c.bit_length() for c in columns) > common_bits:
        return a * b
    a_int = fmpz_mat(n, m, [int(x.p) * (columns[k % m] // int(x.q)) for k, x in enumerate(entries)])
    k_cols = b.ncols()
    scaled = fmpq_mat(b.nrows(), k_cols, [x / columns[k // k_cols] for k, x in enumerate(b.entries())])
    return fmpq_mat(a_int) * scaled


def _row_cleared(matrix: fmpq_mat) -> tuple[list[int], list[int]]:
    """(row-major integers N, row denominators rho) with matrix = diag(rho)^-1 N, rho_i the lcm of row i's denominators."""
    n, m = matrix.nrows(), matrix.ncols()
    entries = matrix.entries()
    values: list[int] = []
    rho: list[int] = []
    for i in range(n):
        row = entries[i * m:(i + 1) * m]
        d = lcm(*(int(x.q) for x in row))
        rho.append(d)
        values.extend(int(x.p) * (d // int(x.q)) for x in row)
    return values, rho


def chain_product(layers: Sequence[fmpq_mat]) -> fmpq_mat:
    """layers[-1] ... layers[1] layers[0], exactly, over the integers with one canonicalization at the end.

    The running product is kept as diag(rho)^-1 N (N integer, one denominator per row: the rows of
    W_{h:1} = A_h W_{h:1}' mix few rows when A_h is banded, so the row denominators stay short where one
    common denominator would be their lcm). Multiplying by a: first row k of N gives up
    r_k = gcd(c_k, content of row k), c_k the lcm of the denominators of column k of a (it cancels against
    the per-column denominators of W_h = A_h W A_{h-1}^-1); then C = a diag(r / rho), cleared by rows as
    diag(rho')^-1 C', and the new N is C' N (one integer product). Same rational matrix as the product
    of the fmpq_mat factors, without the per-entry gcds of every intermediate product.
    """
    if any(a.nrows() == 0 or a.ncols() == 0 for a in layers):
        out = layers[0]
        for a in layers[1:]:
            out = a * out
        return out
    values, rho = _row_cleared(layers[0])
    width = layers[0].ncols()
    for a in layers[1:]:
        n, m = a.nrows(), a.ncols()
        entries = a.entries()
        columns = [lcm(*(int(entries[i * m + k].q) for i in range(n))) for k in range(m)]
        for k, c in enumerate(columns):
            r = c
            for x in values[k * width:(k + 1) * width]:
                if r == 1:
                    break
                r = gcd(r, x)
            if r != 1:
                values[k * width:(k + 1) * width] = [x // r for x in values[k * width:(k + 1) * width]]
                columns[k] = r          # the factor taken out of row k
            else:
                columns[k] = 1
        coefficients = [fmpq(int(x.p) * columns[k % m], int(x.q) * rho[k % m]) if x != 0 else fmpq(0)
                        for k, x in enumerate(entries)]
        cleared, rho = _row_cleared(fmpq_mat(n, m, coefficients))
        product = fmpz_mat(n, m, cleared) * fmpz_mat(m, width, values)
        values = [int(x) for x in product.entries()]
    out = fmpq_mat(fmpz_mat(len(rho), width, values))
    if all(d == 1 for d in rho):
        return out
    scaling = fmpq_mat(len(rho), len(rho))
    for i, d in enumerate(rho):
        scaling[i, i] = fmpq(1, d)
    return scaling * out           # diag(rho)^-1 N: FLINT clears and canonicalizes each entry in C


def _cleared_bits(matrix: fmpq_mat) -> tuple[int, int]:
    """(as a left factor, as a right factor): a guess at the entry size FLINT's product works with, from row 0 and
    column 0 only. FLINT clears the denominators of the left factor row by row and of the right one column by
    column, so a left factor costs the lcm of a row's denominators plus its longest numerator, and a right
    factor the same for a column (W_h = A_h W A_(h-1)^-1 has one denominator per column: short as a right factor,
    long as a left one). Orders products only; never decides anything."""
    n, m = matrix.nrows(), matrix.ncols()
    if n == 0 or m == 0:
        return 1, 1
    row = [matrix[0, j] for j in range(m)]
    column = [matrix[i, 0] for i in range(n)]
    left = lcm(*(int(x.q) for x in row)).bit_length() + max(int(x.p).bit_length() for x in row)
    right = lcm(*(int(x.q) for x in column)).bit_length() + max(int(x.p).bit_length() for x in column)
    return max(1, left), max(1, right)


def _sampled_bits(matrix: fmpq_mat, samples: int = 48) -> int:
    """A guess at the entry size of a matrix: max bits of numerator plus denominator over a few entries spread
    over it (only orders products, never decides anything)."""
    n, m = matrix.nrows(), matrix.ncols()
    total = n * m
    step = max(1, total // samples)
    best = 1
    for k in range(0, total, step):
        x = matrix[k // m, k % m]
        best = max(best, int(x.p).bit_length() + int(x.q).bit_length())
    return best


def integer_product(c: fmpq_mat, a: fmpq_mat) -> tuple[fmpz_mat, int]:
    """(N, n) with c a = N / n, N integer: one integer product of the numerators over one common denominator each
    (c = N_c / n_c, a = N_a / n_a: c a = N_c N_a / (n_c n_a)), then the content gcd(n_c n_a, entries) divided out.

    No entry is reduced to lowest terms on its own: where FLINT's rational product ends with one gcd of two long
    integers per entry, this takes one running gcd, which stops shrinking after a few entries. N / n need not be in
    lowest terms entrywise; it is the same matrix.
    """
    N_c, n_c = c.numer_denom()
    N_a, n_a = a.numer_denom()
    return divide_out_content(N_c * N_a, n_c * n_a)


def integer_content(values: Iterable[fmpz], start: int | fmpz = 0) -> fmpz:
    """gcd(start, values) in FLINT integers (CPython's gcd of 5,000-bit ints is about 5 times slower), stopping as
    soon as it reaches 1."""
    g = fmpz(start)
    for x in values:
        if g == 1:
            break
        if x != 0:
            g = g.gcd(x)
    return g


def divide_out_content(N: fmpz_mat, d: int | fmpz) -> tuple[fmpz_mat, int]:
    """(N / g, d / g) for g = gcd(d, entries of N): the same matrix N / d with the common content removed."""
    g = integer_content(N.entries(), d)
    if g != 1:
        N = fmpz_mat(N.nrows(), N.ncols(), [x // g for x in N.entries()])
    return N, int(fmpz(d) // g)


def _matwise_bits(matrix: fmpq_mat, samples: int = 48) -> int:
    """A guess at the entry size of numer_denom's integer matrix: the bits of the common denominator (the lcm of
    the sampled denominators) plus the longest sampled numerator. Orders work only; never decides anything."""
    n, m = matrix.nrows(), matrix.ncols()
    step = max(1, (n * m) // samples)
    picked = [matrix[k // m, k % m] for k in range(0, n * m, step)]
    return lcm(*(int(x.q) for x in picked)).bit_length() + max(int(x.p).bit_length() for x in picked)


def scaled_integer_product(c: fmpq_mat, a: fmpq_mat) -> tuple[tuple[fmpz_mat, fmpz_mat, list[int]], int]:
    """The product c a as C diag(rho)^-1 A with C, A integer and rho_k > 0 short, and a cost guess in bits.

    gamma_k = lcm of the denominators of column k of c, so C = c diag(gamma) is integer; a' = diag(gamma)^-1 a
    (row k of a divided by gamma_k: it cancels when a's rows carry the factors that c's columns divide by, as for
    W_2 = A_2 W A_1^-1 against W_1 = A_1 W'), rho_k = lcm of the denominators of row k of a', A = diag(rho) a'.
    Then c a = C diag(gamma) diag(gamma)^-1 a = C diag(rho)^-1 A (exact, any rational c and a). The guess
    (only chooses a route, never decides anything): bits of the longest entry of C and of A plus those of
    lcm(rho), the entry size of the integer product of :func:`integer_product_scaled`."""
    n, m, k = c.nrows(), c.ncols(), a.ncols()
    c_entries = c.entries()
    c_num = [int(x.p) for x in c_entries]
    c_den = [int(x.q) for x in c_entries]
    gamma = [lcm(*c_den[j::m]) for j in range(m)]
    C = [p * (gamma[t % m] // q) for t, (p, q) in enumerate(zip(c_num, c_den))]
    a_entries = a.entries()
    A: list[int] = []
    rho: list[int] = []
    for i in range(m):
        row = [x / gamma[i] for x in a_entries[i * k:(i + 1) * k]] if gamma[i] != 1 else a_entries[i * k:(i + 1) * k]
        denominators = [int(x.q) for x in row]
        r = lcm(*denominators)
        rho.append(r)
        A.extend(int(x.p) * (r // q) for x, q in zip(row, denominators))
    bits = (max(abs(x) for x in C).bit_length() + max(abs(x) for x in A).bit_length()
            + lcm(*rho).bit_length())
    return (fmpz_mat(n, m, C), fmpz_mat(m, k, A), rho), bits


def integer_product_scaled(C: fmpz_mat, A: fmpz_mat, rho: list[int]) -> tuple[fmpz_mat, int]:
    """(N, n) with C diag(rho)^-1 A = N / n, N integer, n = lcm(rho) up to a common content divided out at the end
    (:func:`divide_out_content`).

    Over one denominator, C (diag(n / rho) A) has entries as long as n: when the rho_k are unrelated (one 60-bit
    denominator per singular value of the data) n is their product and every entry of the long factor carries it.
    So the inner index k is cut into g groups G, each with its own D_G = lcm(rho_k : k in G), about 1/g of n:
    C diag(rho)^-1 A = sum_G C[:, G] diag(D_G / rho_G) A[G, :] / D_G, g products whose long factor is about
    bits(n) / g long, and the g quotients are added over common denominators in a binary tree (FLINT scalar
    products and sums). g is chosen so that D_G has about as many bits as the entries of C and A together.
    At depth 8, width 128, 40-digit entries (C 490 bits, A 674 bits, n 8,173 bits) one product took 1.65 s CPU.
    """
    m, k = A.nrows(), A.ncols()
    common = lcm(*rho) if rho else 1
    if common == 1 or m < 2:
        if common != 1:
            A = fmpz_mat(m, k, [x * (common // rho[t // k]) for t, x in enumerate(A.entries())])
        return divide_out_content(C * A, common)
    short = max(1, max_entry_bits(C) + max_entry_bits(A))
    groups = max(1, min(m, (common.bit_length() + short - 1) // short))
    size = -(-m // groups)
    C_entries, A_entries = C.entries(), A.entries()
    n_rows = C.nrows()
    parts: list[tuple[fmpz_mat, int]] = []
    for start in range(0, m, size):
        members = range(start, min(m, start + size))
        D = lcm(*(rho[t] for t in members))
        C_G = fmpz_mat(n_rows, len(members), [C_entries[i * m + t] for i in range(n_rows) for t in members])
        A_G = fmpz_mat(len(members), k, [A_entries[t * k + j] * (D // rho[t]) for t in members for j in range(k)])
        parts.append((C_G * A_G, D))
    while len(parts) > 1:          # N_a / D_a + N_b / D_b = (N_a (L / D_a) + N_b (L / D_b)) / L, L = lcm(D_a, D_b)
        merged = []
        for t in range(0, len(parts) - 1, 2):
            (N_a, D_a), (N_b, D_b) = parts[t], parts[t + 1]
            L = lcm(D_a, D_b)
            merged.append((N_a * fmpz(L // D_a) + N_b * fmpz(L // D_b), L))
        if len(parts) % 2:
            merged.append(parts[-1])
        parts = merged
    N, D = parts[0]
    return divide_out_content(N, D)


def ordered_product_integer(layers: Sequence[fmpq_mat]) -> tuple[fmpz_mat, int]:
    """(N, n) with layers[-1] ... layers[0] = N / n, N integer: the order of :func:`ordered_product`, and the last
    product over the integers: through per-column denominators of the left factor and per-row denominators of the
    right one (:func:`scaled_integer_product`) or over one common denominator each (:func:`integer_product`),
    whichever has the shorter integer entries (guessed), when that is shorter than the rows and columns FLINT's
    rational product clears to. At depth 8, width 128 with 4-digit entries the last product W_H W_{H-1:1} takes
    0.17 s so, against 0.33 s over Q. With 40-digit entries (depth 8, width 64) the common denominators have about
    8,300 and 3,900 bits and the product's content 8,100 of its 12,300 bits: the scaled factors take 0.16 s CPU
    where the common denominators took 0.90 s (the same product, its lowest common denominator 4,068 bits)."""
    if len(layers) < 2 or any(a.nrows() == 0 or a.ncols() == 0 for a in layers):
        N, n = ordered_product(layers).numer_denom()
        return N, int(n)
    (a, c) = ordered_product(layers, stop_at_pair=True)
    a_right, c_left = _cleared_bits(a)[1], _cleared_bits(c)[0]
    common_bits = _matwise_bits(c) + _matwise_bits(a)
    if c.ncols() * a.ncols() >= 4096 and min(common_bits, c_left + a_right) >= 4096:
        # the scaled factors cost a pass over both in Python: only at scale and with long entries (depth 8, width 128,
        # 4-digit entries: guessed 1,968 bits against 2,392, measured 0.43 s against 0.30 s CPU for W_{H:1})
        factors, scaled_bits = scaled_integer_product(c, a)
        if scaled_bits <= min(common_bits, c_left + a_right):
            return integer_product_scaled(*factors)
    if common_bits <= c_left + a_right:
        return integer_product(c, a)
    N, n = (c * a).numer_denom()
    return N, int(n)


def ordered_product(layers: Sequence[fmpq_mat], *, stop_at_pair: bool = False):
    """layers[-1] ... layers[0], exactly, multiplying the cheapest adjacent pair first (FLINT's fmpq_mat product).

    Any order gives the same matrix (associativity); the order only changes the cost. Cost of the pair c a
    (c: n x m, a: m x k): n m k (bits of c as a left factor + bits of a as a right factor), the sizes FLINT's
    product clears to (:func:`_cleared_bits`, measured again on every product formed), or, when some factor
    clears to more than 4,096 bits, n m k (b + c) with b, c the sampled entry sizes. Short layers are
    multiplied among themselves first, so in W_H (W_{H-1} ... W_2) W_1 with long outer layers and hidden layers
    A_h W A_{h-1}^-1 (whose changes of basis cancel in the middle product) only two products involve long
    entries, where a chain from W_1 makes every product long (docs/maths/classification.md §3.8); and of those
    two the one whose long factor clears short (W_1 on the right, per-row denominators) goes first.
    """
    items = [(a, _cleared_bits(a), _sampled_bits(a) if a.nrows() and a.ncols() else 1) for a in layers]
    # Measured at depth 8, width 128: with entries of about 1,000 bits the cleared sizes order the two long
    # products well (0.89 -> 0.52 s); with 8,000-bit layers (40-digit changes of basis) the plain entry sizes do
    # (4.7 s against 6.5 s), since multiply() then clears the left factor by columns, not rows.
    cleared = max(max(bits) for _, bits, _ in items) <= 4096
    while len(items) > (2 if stop_at_pair else 1):
        best, best_cost = 0, None
        for k in range(len(items) - 1):
            (a, (_, a_right), b), (c, (c_left, _), e) = items[k], items[k + 1]
            cost = c.nrows() * c.ncols() * a.ncols() * ((c_left + a_right) if cleared else (b + e))
            if best_cost is None or cost < best_cost:
                best, best_cost = k, cost
        (a, _, b), (c, _, e) = items[best], items[best + 1]
        # FLINT's product (rows of c and columns of a cleared, in C) is what the cleared sizes price, and at 4 digits
        # it beats multiply() on both long products (0.095 against 0.18 s and 0.35 against 0.43 s); with longer
        # factors multiply (per-column denominators of c) does better
        product = c * a if cleared or max(b, e) <= 512 else multiply(c, a)
        items[best:best + 2] = [(product, _cleared_bits(product),
                                 _sampled_bits(product) if product.nrows() and product.ncols() else 1)]
    if stop_at_pair:          # the two factors of the last product, right one first (ordered_product_integer)
        return items[0][0], items[1][0]
    return items[0][0]


def modular_pivot_columns(matrix: nmod_mat) -> list[int]:
    """Pivot columns of the rref of a matrix over GF(p). They are independent mod p, so for the
    image of a rational matrix they are independent over Q as well (a nonzero minor mod p)."""
    reduced, rank = matrix.rref()
    pivots: list[int] = []
    col = 0
    for i in range(rank):
        while int(reduced[i, col]) == 0:
            col += 1
        pivots.append(col)
        col += 1
    return pivots


def _is_identity(matrix: fmpq_mat) -> bool:
    n = matrix.nrows()
    return n == matrix.ncols() and matrix == identity(n)


def rank(matrix: fmpq_mat) -> int:
    """Exact rank over Q: FLINT's rank of M or of M^T (the same number), whichever clears shorter denominators.

    FLINT clears the denominators of each row (in C) before a fraction-free elimination. For a layer
    W_h = A_h W A_{h-1}^-1 the denominators sit in columns, and clearing rows would multiply each row by the lcm
    of all of them; the transpose then has them in rows. The orientation is chosen from the lcm of the
    denominators of the first row and of the first column (a cost guess only).
    """
    n, m = matrix.nrows(), matrix.ncols()
    if n == 0 or m == 0:
        return 0
    row_bits = lcm(*(int(matrix[0, j].q) for j in range(m))).bit_length()
    column_bits = lcm(*(int(matrix[i, 0].q) for i in range(n))).bit_length()
    return (matrix if row_bits <= column_bits else matrix.transpose()).rank()


def nullspace(matrix: fmpq_mat) -> fmpq_mat:
    """A basis of the right nullspace {v : M v = 0}, as the columns of an n x k matrix."""
    n = matrix.ncols()
    if matrix.nrows() == 0:
        return identity(n)
    basis, nullity = _integer_matrix(matrix).nullspace()
    out = fmpq_mat(n, nullity)
    for i in range(n):
        for j in range(nullity):
            out[i, j] = basis[i, j]
    return out


def pivot_columns(reduced: fmpq_mat | fmpz_mat, rank: int) -> list[int]:
    """The pivot columns of a matrix in row echelon form (rational or fraction-free) of the given rank."""
    pivots = []
    col = 0
    for i in range(rank):
        while reduced[i, col] == 0:
            col += 1
        pivots.append(col)
        col += 1
    return pivots


def rref_pivots(matrix: fmpq_mat) -> tuple[fmpq_mat, list[int]]:
    """Reduced row echelon form and its pivot columns."""
    reduced, r = matrix.rref()
    return reduced, pivot_columns(reduced, r)


def column_basis(matrix: fmpq_mat) -> fmpq_mat:
    """Columns of ``matrix`` that form a basis of its range (pivot columns of the rref)."""
    _, pivots = rref_pivots(matrix)
    return submatrix(matrix, range(matrix.nrows()), pivots)


def submatrix(matrix: fmpq_mat, rows: Iterable[int], cols: Iterable[int]) -> fmpq_mat:
    rows, cols = list(rows), list(cols)
    out = fmpq_mat(len(rows), len(cols))
    for a, i in enumerate(rows):
        for b, j in enumerate(cols):
            out[a, b] = matrix[i, j]
    return out


def hstack(blocks: Sequence[fmpq_mat]) -> fmpq_mat:
    nrows = blocks[0].nrows()
    out = fmpq_mat(nrows, sum(b.ncols() for b in blocks))
    offset = 0
    for b in blocks:
        for i in range(nrows):
            for j in range(b.ncols()):
                out[i, offset + j] = b[i, j]
        offset += b.ncols()
    return out


def vstack(blocks: Sequence[fmpq_mat]) -> fmpq_mat:
    return transpose(hstack([transpose(b) for b in blocks]))


def transpose(matrix: fmpq_mat) -> fmpq_mat:
    return matrix.transpose()


def is_zero(matrix: fmpq_mat) -> bool:
    return all(x == 0 for x in matrix.entries())


def is_zero_matrix(matrix: fmpq_mat) -> bool:
    """M == 0, compared in C (FLINT) rather than entry by entry in Python."""
    return matrix == fmpq_mat(matrix.nrows(), matrix.ncols())


def frobenius_inner(a: fmpq_mat, b: fmpq_mat) -> fmpq:
    """<A, B> = sum_ij A_ij B_ij over integers: with A = N / n and B = M / m (one denominator each,
    FLINT's numer_denom), (sum_ij N_ij M_ij) / (n m), one fraction instead of one per entry."""
    if a.nrows() == 0 or a.ncols() == 0:
        return fmpq(0)
    N, n = a.numer_denom()
    M, m = b.numer_denom()
    # products and sum of FLINT integers (in C), not of Python ints: no conversion of 2 x 16,384 long entries
    return fmpq(integer_frobenius_inner(N, M), n * m)


def integer_frobenius_inner(a: fmpz_mat, b: fmpz_mat) -> fmpz:
    """sum_ij A_ij B_ij of two integer matrices of one shape (products and sum in FLINT integers)."""
    return sum(map(mul, a.entries(), b.entries()), fmpz(0))


def trace(matrix: fmpq_mat) -> fmpq:
    return sum((matrix[i, i] for i in range(min(matrix.nrows(), matrix.ncols()))), fmpq(0))


def inner(a: fmpq_mat, b: fmpq_mat) -> fmpq:
    """Frobenius inner product <A, B> = tr(A^T B)."""
    return sum((x * y for x, y in zip(a.entries(), b.entries())), fmpq(0))


def frobenius_squared(matrix: fmpq_mat) -> fmpq:
    """||M||_F^2 = sum_ij M_ij^2, over integers: with M = diag(r)^-1 A diag(c)^-1
    (:func:`scaled_integer_matrix`, one side scaled), sum_j (sum_i A_ij^2) / c_j^2 (or by rows),
    one fraction per column instead of one rational square per entry."""
    if matrix.nrows() == 0 or matrix.ncols() == 0:
        return fmpq(0)
    A, rows, cols = scaled_integer_matrix(matrix)
    m = A.ncols()
    values = [int(x) for x in A.entries()]
    if cols is not None:
        total = sum((Fraction(sum(v * v for v in values[j::m]), c * c) for j, c in enumerate(cols)), Fraction(0))
    else:
        total = sum((Fraction(sum(v * v for v in values[i * m:(i + 1) * m]), r * r) for i, r in enumerate(rows)),
                    Fraction(0))
    return fmpq(total.numerator, total.denominator)


def model_frobenius_squared(matrix: RationalMatrix) -> fmpq:
    """||M||_F^2 of a model matrix from its integer numerators and denominators (:meth:`RationalMatrix.integer_entries`),
    without forming its flint matrix: with D the lcm of the denominators b_ij, sum_ij (a_ij D / b_ij)^2 / D^2, one
    fraction for the whole matrix. Exact; when D is much longer than the denominators themselves (unrelated
    denominators) the per-column sums of :func:`frobenius_squared` are used instead."""
    numerators, denominators = model_flint_entries(matrix)
    if denominators is None:
        return fmpq(sum((a * a for a in numerators), 0))
    distinct = set(denominators)
    common = lcm(*distinct)
    if common.bit_length() > 2 * max(b.bit_length() for b in distinct) + 64:
        return frobenius_squared(to_fmpq_mat(matrix))
    factor = {b: common // b for b in distinct}
    total = sum((a * factor[b]) ** 2 for a, b in zip(numerators, denominators) if a)
    return fmpq(total, common * common)


# --- multimodular helpers ---------------------------------------------------------------------------------------
# They only *guess*: every value reconstructed from residues is verified exactly by its caller before it is used.


_WORD_PRIMES: list[int] = []


def iter_word_primes() -> Iterator[int]:
    """The primes below 2^62 in decreasing order, found on demand and remembered (deterministic;
    FLINT's primality test is proven at 64 bits). Callers that stop early pay only for what they use."""
    index = 0
    while True:
        if index == len(_WORD_PRIMES):
            candidate = _WORD_PRIMES[-1] - 2 if _WORD_PRIMES else 2**62 - 1
            while not fmpz(candidate).is_prime():
                candidate -= 2
            _WORD_PRIMES.append(candidate)
        yield _WORD_PRIMES[index]
        index += 1


def word_primes(count: int) -> list[int]:
    """The ``count`` largest primes below 2^62 (see :func:`iter_word_primes`)."""
    return list(islice(iter_word_primes(), count))


@lru_cache(maxsize=None)
def big_probable_prime(bits: int) -> int:
    """The least probable prime >= 2^bits (remembered: callers ask for the same few sizes on every point).
    Used only to guess: a composite would make the guess fail, not lie."""
    candidate = fmpz(2) ** bits + 1
    while not candidate.is_probable_prime():
        candidate += 2
    return int(candidate)


def rational_reconstruction(a: int, modulus: int, *, bound: int | None = None,
                            denominator_bound: int | None = None) -> tuple[int, int] | None:
    """(n, d) with n / d = a mod modulus, |n| <= bound, 0 < d <= denominator_bound (Wang's algorithm), or None.

    bound defaults to isqrt(modulus // 2) and denominator_bound to bound; the answer is unique when
    2 bound denominator_bound < modulus (a long numerator over a short denominator: a large bound and a small
    denominator_bound).
    """
    bound = isqrt(modulus // 2) if bound is None else bound
    denominator_bound = bound if denominator_bound is None else denominator_bound
    r0, r1 = modulus, a % modulus
    s0, s1 = 0, 1
    while r1 > bound:
        q = r0 // r1
        r0, r1 = r1, r0 - q * r1
        s0, s1 = s1, s0 - q * s1
    if s1 == 0 or abs(s1) > denominator_bound or gcd(r1, abs(s1)) != 1:
        return None
    return (r1, s1) if s1 > 0 else (-r1, -s1)


class CrtVector:
    """Residues of a vector of integers modulo a growing product of primes (Chinese remaindering)."""

    def __init__(self, length: int) -> None:
        self.values = [0] * length
        self.modulus = 1

    def add(self, residues: Sequence[int], prime: int) -> None:
        m = self.modulus
        inverse = pow(m % prime, -1, prime)
        values = self.values
        for k, a in enumerate(residues):
            v = values[k]
            values[k] = v + m * (((a - v % prime) * inverse) % prime)
        self.modulus = m * prime

    def symmetric(self, k: int) -> int:
        v, m = self.values[k], self.modulus
        return v - m if 2 * v > m else v


class CrtMatrix:
    """Residues of an integer matrix modulo several primes, combined by Chinese remaindering as they arrive.

    Same ``values`` (row-major entries in [0, modulus)) and ``modulus`` as :class:`CrtVector`. Garner's
    mixed-radix step, in FLINT matrix arithmetic: with X the matrix known modulo M and R its residues
    modulo a new prime p, X' = X + M T, T = (R - X) M^-1 mod p, is the matrix modulo M p with entries in
    [0, M p) (X < M and T <= p - 1). Only the word-size T is converted in Python; the reduction X mod p,
    the scaling and the sum run in C, so no Python big-integer operation runs per entry and prime.
    """

    def __init__(self) -> None:
        self._matrix: fmpz_mat | None = None
        self._values: list[int] | None = []
        self._modulus = 1

    def add(self, residues: nmod_mat, prime: int) -> None:
        n, m = residues.nrows(), residues.ncols()
        if self._matrix is None:
            step = residues
        else:
            inverse = pow(self._modulus % prime, -1, prime)
            step = (residues - nmod_mat(self._matrix, prime)) * nmod(inverse, prime)
        lifted = fmpz_mat(n, m, list(map(int, step.entries())))
        self._matrix = lifted if self._matrix is None else self._matrix + lifted * self._modulus
        self._modulus *= prime
        self._values = None

    @property
    def modulus(self) -> int:
        return self._modulus

    def row(self, i: int) -> list[int]:
        """Row i of ``values`` alone (no conversion of the other entries)."""
        if self._values is not None:
            m = self._matrix.ncols()
            return self._values[i * m:(i + 1) * m]
        return [int(self._matrix[i, j]) for j in range(self._matrix.ncols())]

    @property
    def values(self) -> list[int]:
        if self._values is None:
            self._values = [int(x) for x in self._matrix.entries()]
        return self._values
