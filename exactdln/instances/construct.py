"""Rational instances with known answers: data with a designed spectrum, and critical points of every class.

Generic rational data give irrational eigenvectors of Sigma = Sigma_YX Sigma_XX^-1 Sigma_XY, so the data are
*built* instead (docs/maths/classification.md §7): rational orthogonal U, V (Cayley transforms), rational singular
values s_1 > ... > s_{d_y} > 0 and

    white:     X X^T = I,          Y = U [diag(s) 0] V^T X,
    non-white: X = R (or R Q_X),   Y = U [diag(s) 0] V^T R^-1 X,

so that Sigma_YX Sigma_XX^-1 = U [diag(s) 0] V^T R^-1 and Sigma = U diag(s^2) U^T exactly.

On such data every critical point is known in closed form (Achour, Malgouyres, Gerchinovitz (JMLR 2024), first-order
characterization, docs/maths/classification.md §2.1: W_H...W_1 = P_S Sigma_YX Sigma_XX^-1 for an index set S), and the
class of the families below follows from the classification theorem as reconstructed in docs/maths/classification.md
§3.3: S = [r_max] gives a global minimizer, S != [r] a strict saddle (S1), H = 2 and S != [r_max] a strict saddle (S2), the two-cut point a strict saddle (S3), and S = [r], r < r_max, H >= 3
with three rank-r segments a non-strict saddle (N1). The expected kind of an :class:`Instance` comes from that
theorem, never from running a classifier.

Randomness always goes through an explicit ``random.Random`` so that every instance is reproducible from a seed.
Arithmetic is python-flint ``fmpq_mat``; inputs and outputs are :class:`~exactdln.model.problem.RationalMatrix`.
"""

from __future__ import annotations

import random
import warnings
from dataclasses import dataclass
from fractions import Fraction
from math import gcd
from typing import Sequence

from flint import fmpq, fmpq_mat

from exactdln.arith.exact import identity, rank, to_fmpq_mat
from exactdln.model.problem import Problem, RationalMatrix
from exactdln.model.results import GLOBAL_MINIMIZER, NON_STRICT_SADDLE, NOT_CRITICAL, STRICT_SADDLE

__all__ = [
    "SpectralData",
    "Instance",
    "cayley_orthogonal",
    "random_rational_orthogonal",
    "random_invertible",
    "random_singular_values",
    "spectral_data",
    "index_set_is_initial",
    "expected_kind_for_index_set",
    "minimal_critical_point",
    "segmented_critical_point",
    "two_cut_point",
    "n1_point",
    "global_minimizer",
    "conjugate_hidden",
    "scramble",
    "scramble_spectral",
    "random_instance",
    "large_instance",
    "worked_instances",
    "gallery",
]

Weights = tuple[RationalMatrix, ...]


# ---------------------------------------------------------------------------------------------------------------
# small flint helpers


# The flint matrix of each RationalMatrix built here, keyed by id (the entry keeps the matrix alive, so the id is
# not reused while it is stored): the constructions hand their results to one another (spectral data to the
# critical points, weights to the symmetries) and would otherwise convert every entry back to flint. A small
# dictionary emptied when full (64 matrices or 2^15 entries, so that a large instance is not kept alive for long)
# rather than a cached attribute, so that the RationalMatrix values returned stay plain (picklable, copyable).
# The flint matrices stored here are never mutated after _rm.
_FLINT_OF: dict[int, tuple[RationalMatrix, fmpq_mat]] = {}
_FLINT_OF_SIZE = 64
_FLINT_OF_ENTRIES = 1 << 15
_flint_of_entries = [0]           # entries stored in _FLINT_OF (approximate under threads: only a bound)


def _mat(x: RationalMatrix | fmpq_mat) -> fmpq_mat:
    if isinstance(x, fmpq_mat):
        return x
    known = _FLINT_OF.get(id(x))
    if known is not None and known[0] is x:
        return known[1]
    return to_fmpq_mat(x)


def _fraction(numerator: int, denominator: int) -> Fraction:
    """Fraction(numerator, denominator) for coprime integers, denominator > 0 (FLINT keeps fmpq canonical), without
    the gcd and argument checks of ``Fraction.__new__`` (as exactdln/model/convert.py does)."""
    f = object.__new__(Fraction)
    f._numerator = numerator
    f._denominator = denominator
    return f


def _rm(x: fmpq_mat) -> RationalMatrix:
    """The RationalMatrix of a flint matrix (as exactdln/arith/exact.py from_fmpq_mat), remembered for :func:`_mat`."""
    ncols = x.ncols()
    entries = None
    if x.nrows() * ncols <= 64:
        # small matrices with a short common denominator d: entry = n / d reduced by one word-sized gcd, cheaper
        # than reading numerator and denominator of each fmpq (the lcm of long denominators would be long)
        numerators, denominator = x.numer_denom()
        d = int(denominator)
        if d.bit_length() <= 64:
            entries = [_fraction(n // g, d // g) for n in map(int, numerators.entries()) for g in (gcd(n, d),)]
    if entries is None:
        entries = [_fraction(int(e.p), int(e.q)) for e in x.entries()]
    out = RationalMatrix(tuple(tuple(entries[i * ncols:(i + 1) * ncols]) for i in range(x.nrows())), ncols)
    if len(_FLINT_OF) >= _FLINT_OF_SIZE or _flint_of_entries[0] + len(entries) > _FLINT_OF_ENTRIES:
        _FLINT_OF.clear()
        _flint_of_entries[0] = 0
    if len(entries) <= _FLINT_OF_ENTRIES:
        _FLINT_OF[id(out)] = (out, x)
        _flint_of_entries[0] += len(entries)
    return out


def _rational(rows: Sequence[Sequence[object]]) -> RationalMatrix:
    return RationalMatrix(tuple(tuple(Fraction(x) for x in row) for row in rows))


def _product(mats: Sequence[fmpq_mat], n: int) -> fmpq_mat:
    """mats[-1] ... mats[0] (the layer order of W_{j:i}); the identity I_n when mats is empty."""
    out = identity(n)
    for m in mats:
        out = m * out
    return out


def _random_matrix(rng: random.Random, nrows: int, ncols: int, bound: int = 2) -> fmpq_mat:
    return fmpq_mat(nrows, ncols, [rng.randint(-bound, bound) for _ in range(nrows * ncols)])


def _random_integer(rng: random.Random, digits: int) -> int:
    """A random positive integer with exactly ``digits`` decimal digits."""
    return rng.randrange(10 ** (digits - 1), 10**digits)


# ---------------------------------------------------------------------------------------------------------------
# rational orthogonal and invertible matrices


def cayley_orthogonal(skew: RationalMatrix | fmpq_mat) -> RationalMatrix:
    """The Cayley transform Q = (I - K)(I + K)^-1 of a rational skew-symmetric K (docs/maths/classification.md §7).

    Q is rational and orthogonal (Q^T Q = I) with det Q = 1; I + K is always invertible because the eigenvalues of a
    real skew matrix are imaginary.
    """
    K = _mat(skew)
    n = K.nrows()
    if K.ncols() != n or K.transpose() != -K:
        raise ValueError("cayley_orthogonal needs a square skew-symmetric matrix (K^T = -K)")
    return _rm(_cayley(K))


def _cayley(K: fmpq_mat) -> fmpq_mat:
    eye = identity(K.nrows())
    return (eye - K) * (eye + K).inv()


def random_rational_orthogonal(n: int, rng: random.Random, *, axis_aligned: bool = False) -> RationalMatrix:
    """A random rational orthogonal n x n matrix.

    ``axis_aligned``: a random signed permutation matrix (eigenvectors of Sigma are then signed basis vectors).
    Otherwise a signed permutation times the Cayley transform of a random skew K with small integer or half-integer
    entries (docs/maths/classification.md §7), so the entries are genuinely non-trivial rationals.
    """
    return _rm(_random_orthogonal(n, rng, axis_aligned))


def _random_orthogonal(n: int, rng: random.Random, axis_aligned: bool) -> fmpq_mat:
    """random_rational_orthogonal as a flint matrix (the same draws in the same order)."""
    perm = list(range(n))
    rng.shuffle(perm)
    P = [0] * (n * n)
    for i, j in enumerate(perm):
        P[i * n + j] = rng.choice((-1, 1))
    if axis_aligned:
        return fmpq_mat(n, n, P)
    K = [fmpq()] * (n * n)
    for i in range(n):
        for j in range(i + 1, n):
            if rng.random() < 0.7:
                numerator = rng.randint(-2, 2)                # numerator drawn before denominator
                x = fmpq(numerator, rng.randint(1, 2))
                K[i * n + j], K[j * n + i] = x, -x
    return fmpq_mat(n, n, P) * _cayley(fmpq_mat(n, n, K))


def random_invertible(n: int, rng: random.Random, *, digits: int | None = None) -> RationalMatrix:
    """A random rational invertible n x n matrix D (I + N)(I + M).

    N (M) is strictly lower (upper) bidiagonal with entries in {-1, 0, 1}, so (I + N)^-1 and (I + M)^-1 have entries
    in {-1, 0, 1} and the inverse stays small; D is diagonal with nonzero entries: small rationals, or random
    integers of ``digits`` decimal digits (for entries of about that size, e.g. the 40-digit benchmark instances).
    """
    return _rm(_random_invertible(n, rng, digits))


def _random_invertible(n: int, rng: random.Random, digits: int | None) -> fmpq_mat:
    """random_invertible as a flint matrix (the same draws in the same order)."""
    A = identity(n)
    B = identity(n)
    for i in range(1, n):
        A[i, i - 1] = rng.choice((-1, 0, 1))
        B[i - 1, i] = rng.choice((-1, 0, 1))
    D = [0] * (n * n)
    for i in range(n):
        if digits:
            D[i * n + i] = rng.choice((-1, 1)) * _random_integer(rng, digits)
        else:
            numerator = rng.choice((-1, 1)) * rng.randint(1, 3)
            D[i * n + i] = fmpq(numerator, rng.randint(1, 2))
    return fmpq_mat(n, n, D) * A * B


def random_singular_values(count: int, rng: random.Random, *, digits: int | None = None) -> tuple[Fraction, ...]:
    """Distinct positive rationals s_1 > ... > s_count > 0 (the singular values of Sigma_YX R^-T,
    docs/maths/classification.md §7).

    Drawn so that subset sums of lambda_i = s_i^2 rarely coincide (docs/maths/classification.md §2.4: different S
    can otherwise share a critical value).
    """
    values: set[Fraction] = set()
    draws = 0
    while len(values) < count:
        draws += 1
        if draws > 1000 * count:          # e.g. digits=1 has fewer than 100 distinct values to offer
            raise ValueError(f"{count} distinct singular values of {digits}-digit numerators and denominators "
                             "were not found: ask for more digits")
        if digits:
            values.add(Fraction(_random_integer(rng, digits), _random_integer(rng, max(1, digits - 1))))
        else:
            values.add(Fraction(rng.randint(1, 12 * count), rng.choice((1, 1, 2, 3))))
    return tuple(sorted(values, reverse=True))


# ---------------------------------------------------------------------------------------------------------------
# data with a known eigenstructure


@dataclass(frozen=True)
class SpectralData:
    """Data with a known rational eigenstructure (docs/maths/classification.md §7).

    ``Sigma = Sigma_YX Sigma_XX^-1 Sigma_XY = U diag(s_1^2, ..., s_{d_y}^2) U^T`` with ``s_1 > ... > s_{d_y} > 0``;
    u_i = U e_i is the eigenvector of lambda_i = s_i^2. ``regression`` is Sigma_YX Sigma_XX^-1 (d_y x d_x).
    """

    problem: Problem
    singular_values: tuple[Fraction, ...]
    U: RationalMatrix
    regression: RationalMatrix

    @property
    def eigenvalues(self) -> tuple[Fraction, ...]:
        """lambda_i = s_i^2, decreasing."""
        return tuple(s * s for s in self.singular_values)

    @property
    def d_x(self) -> int:
        return self.problem.d_x

    @property
    def d_y(self) -> int:
        return self.problem.d_y

    def critical_loss(self, fitted: Sequence[int]) -> Fraction:
        """1/2 (||Y||_F^2 - sum_{i in S} lambda_i), the loss of every critical point with index set S
        (docs/maths/global_optimality.md §2.1 (d))."""
        norm_y = sum((y * y for y in self.problem.Y.entries()), Fraction(0))
        return (norm_y - sum(self.eigenvalues[i - 1] for i in fitted)) / 2


def spectral_data(
    singular_values: Sequence[Fraction | int],
    d_x: int,
    rng: random.Random,
    *,
    white: bool = True,
    m: int | None = None,
    axis_aligned: bool = False,
) -> SpectralData:
    """Data (X, Y) with Sigma = U diag(s^2) U^T for rational orthogonal U (docs/maths/classification.md §7).

    - white: X = I_{d_x} (m = d_x) or the first d_x rows of a rational orthogonal m x m matrix, so X X^T = I;
      Y = U [diag(s) 0] V^T X.
    - non-white: X = R (m = d_x) or R Q_X with Q_X orthonormal rows, R random rational invertible;
      Y = U [diag(s) 0] V^T R^-1 X, so Sigma_XX = R R^T and Sigma_YX Sigma_XX^-1 = U [diag(s) 0] V^T R^-1.
    Requires assumption (H): d_y = len(s) <= d_x, s strictly decreasing and positive; m >= d_x.
    """
    s = tuple(Fraction(x) for x in singular_values)
    d_y = len(s)
    if d_y == 0 or d_y > d_x:
        raise ValueError(f"need 1 <= d_y <= d_x (assumption (H)); got d_y = {d_y}, d_x = {d_x}")
    if any(a <= b for a, b in zip(s, s[1:])) or s[-1] <= 0:
        raise ValueError("singular values must be strictly decreasing and positive")
    m = d_x if m is None else m
    if m < d_x:
        raise ValueError(f"need m >= d_x samples for Sigma_XX invertible; got m = {m}, d_x = {d_x}")
    U = _random_orthogonal(d_y, rng, axis_aligned)
    V = _random_orthogonal(d_x, rng, axis_aligned)
    M = [0] * (d_y * d_x)
    for i, x in enumerate(s):
        M[i * d_x + i] = fmpq(x.numerator, x.denominator)
    if m == d_x:
        rows = identity(d_x)
    else:
        Q = _random_orthogonal(m, rng, axis_aligned)
        rows = fmpq_mat(d_x, m, Q.entries()[:d_x * m])            # the first d_x rows of Q
    T = U * fmpq_mat(d_y, d_x, M) * V.transpose()                   # U [diag(s) 0] V^T
    if white:
        X, regression, Y = rows, T, T * rows
    else:
        R = _random_invertible(d_x, rng, None)
        X, regression, Y = R * rows, T * R.inv(), T * rows         # Y = (T R^-1)(R rows)
    return SpectralData(Problem(_rm(X), _rm(Y)), s, _rm(U), _rm(regression))


# ---------------------------------------------------------------------------------------------------------------
# critical points


def _check_widths(data: SpectralData, widths: Sequence[int]) -> tuple[int, ...]:
    widths = tuple(int(w) for w in widths)
    if len(widths) < 2:
        raise ValueError("widths d_0..d_H need at least two entries")
    if widths[0] != data.d_x or widths[-1] != data.d_y:
        raise ValueError(f"widths must start with d_x = {data.d_x} and end with d_y = {data.d_y}; got {widths}")
    if min(widths) < 1:
        raise ValueError("every width must be positive")
    return widths


def _check_index_set(data: SpectralData, widths: Sequence[int], S: Sequence[int]) -> tuple[int, ...]:
    S = tuple(sorted(int(i) for i in S))
    if len(set(S)) != len(S) or any(i < 1 or i > data.d_y for i in S):
        raise ValueError(f"S must be distinct indices in 1..d_y = {data.d_y}; got {S}")
    if len(S) > min(widths):
        raise ValueError(f"|S| = {len(S)} exceeds r_max = {min(widths)}")
    return S


def index_set_is_initial(S: Sequence[int]) -> bool:
    """Whether S = [r] = {1, ..., r} for r = |S| (docs/maths/README.md §2 notation)."""
    return tuple(sorted(S)) == tuple(range(1, len(S) + 1))


def expected_kind_for_index_set(S: Sequence[int], widths: Sequence[int], *, segmented: bool = True) -> str:
    """The class that docs/maths/classification.md §3.3 and §3.6 assign to the (segmented) critical points built here
    with index set S.

    (a) S = [r_max]: global minimizer. (b) S != [r]: strict saddle (S1). H = 2 and S != [r_max]: strict (S2).
    S = [r], r < r_max, H >= 3 and three rank-r segments (the minimal and segmented constructions): non-strict (N1).
    """
    r_max = min(widths)
    H = len(widths) - 1
    if tuple(sorted(S)) == tuple(range(1, r_max + 1)):
        return GLOBAL_MINIMIZER
    if not index_set_is_initial(S) or H == 2:
        return STRICT_SADDLE
    if not segmented:
        raise ValueError("no family theorem decides this point")
    return NON_STRICT_SADDLE


def minimal_critical_point(data: SpectralData, widths: Sequence[int], S: Sequence[int]) -> Weights:
    """The minimal construction of docs/maths/classification.md §2.3 for index set S (|S| = r <= r_max), i_1 < ... < i_r
    enumerating S:

    W_1 = sum_t e_t u_{i_t}^T Sigma_YX Sigma_XX^-1, W_h = sum_{t<=r} e_t e_t^T (2 <= h <= H-1), W_H = sum_t u_{i_t} e_t^T.
    Critical with W_H...W_1 = P_S Sigma_YX Sigma_XX^-1 (docs/maths/classification.md §2.1 and §2.3;
    docs/maths/global_optimality.md §2.1 (f)).
    For H = 1 it returns W_1 = P_S Sigma_YX Sigma_XX^-1.
    """
    return segmented_critical_point(data, widths, S)


def _chain_layers(data: SpectralData, widths: tuple[int, ...], S: tuple[int, ...]) -> list[fmpq_mat]:
    U = _mat(data.U)
    reg = _mat(data.regression)
    H = len(widths) - 1
    r = len(S)
    if H == 1:
        US = fmpq_mat(data.d_y, r, [U[i, s - 1] for i in range(data.d_y) for s in S])
        return [US * US.transpose() * reg]
    # selector E (d_y x r) with columns e_{i_t}: U E = U_S, and E^T U^T reg has rows u_{i_t}^T reg
    E = fmpq_mat(data.d_y, r)
    for t, i in enumerate(S):
        E[i - 1, t] = 1
    US = U * E
    first = US.transpose() * reg
    layers = []
    for h in range(1, H + 1):
        W = fmpq_mat(widths[h], widths[h - 1])
        for t in range(r):
            if h == 1:
                for j in range(data.d_x):
                    W[t, j] = first[t, j]
            elif h == H:
                for a in range(data.d_y):
                    W[a, t] = US[a, t]
            else:
                W[t, t] = 1
        layers.append(W)
    return layers


def segmented_critical_point(
    data: SpectralData,
    widths: Sequence[int],
    S: Sequence[int],
    rng: random.Random | None = None,
    *,
    cuts: tuple[int, int] | None = None,
) -> Weights:
    """The minimal construction for S plus random "dead" weights on the spare channels r+1..d_h.

    Every layer is block diagonal: the r chain channels carry u_{i_t} (docs/maths/classification.md §2.3), and a junk
    block J_h acts on the spare channels. With cut layers 1 <= a < b <= H, b - a >= 2, we set J_a = 0, J_b = 0 and J_c = 0 for one
    random c in a+1..b-1, the other junk blocks random. Then rk W_{a:1} = rk W_{b-1:a+1} = rk W_{H:b} = r, and the
    point is still critical: range W_{H:h+1} lies in span U_S for h < b (so G^T W_{H:h+1} = 0), and G W_{h-1:1}^T =
    (I - P_S) Sigma U_S (...) = 0 for h > a (docs/maths/classification.md §3.6, family N1, and §2.2, facts F1-F3).
    Without ``rng`` (or for H < 3) it is exactly the minimal construction.
    """
    widths = _check_widths(data, widths)
    S = _check_index_set(data, widths, S)
    layers = _chain_layers(data, widths, S)
    H = len(widths) - 1
    r = len(S)
    if rng is None or H < 3:
        return tuple(_rm(W) for W in layers)
    if cuts is None:
        a = rng.randint(1, H - 2)
        b = rng.randint(a + 2, H)
    else:
        a, b = cuts
        if not (1 <= a and a + 2 <= b <= H):
            raise ValueError(f"cuts (a, b) need 1 <= a, a + 2 <= b <= H; got {cuts}")
    c = rng.randint(a + 1, b - 1)
    killed = {a, b, c}
    for h in range(1, H + 1):
        if h in killed:
            continue
        W = layers[h - 1]
        rows = range(r, widths[h]) if h < H else range(widths[h])
        cols = range(r, widths[h - 1]) if h > 1 else range(widths[h - 1])
        for i in rows:
            for j in cols:
                W[i, j] = rng.randint(-2, 2)
    return tuple(_rm(W) for W in layers)


def n1_point(data: SpectralData, widths: Sequence[int], r: int, rng: random.Random) -> Weights:
    """A non-strict saddle of family N1 (docs/maths/classification.md §3.6): S = [r], r < r_max, H >= 3, with three rank-r segments
    W_{a:1}, W_{b-1:a+1}, W_{H:b} and random dead weights around them (see :func:`segmented_critical_point`)."""
    widths = _check_widths(data, widths)
    if len(widths) - 1 < 3 or not 0 <= r < min(widths):
        raise ValueError("family N1 needs H >= 3 and 0 <= r < r_max")
    return segmented_critical_point(data, widths, range(1, r + 1), rng)


def two_cut_point(data: SpectralData, widths: Sequence[int], r: int) -> Weights:
    """The two-cut strict saddle of docs/maths/classification.md §3.6 (family S3, H >= 3, r < r_max).

    Start from the minimal construction with S = [r]; let index r+1 pass through layers 1..H-2: row r+1 of W_1 is
    u_{r+1}^T Sigma_YX Sigma_XX^-1 and e_{r+1} e_{r+1}^T is added to W_2..W_{H-2}; W_{H-1} and W_H still kill it.
    The point is critical with S = [r], and (H-1, H) is a non-tightened pivot, so it is a strict saddle.
    """
    widths = _check_widths(data, widths)
    H = len(widths) - 1
    if H < 3 or not 0 <= r < min(widths):
        raise ValueError("the two-cut family S3 needs H >= 3 and 0 <= r < r_max")
    layers = _chain_layers(data, widths, tuple(range(1, r + 1)))
    U = _mat(data.U)
    reg = _mat(data.regression)
    row = fmpq_mat(1, data.d_y, [U[a, r] for a in range(data.d_y)]) * reg    # u_{r+1}^T Sigma_YX Sigma_XX^-1
    for j in range(data.d_x):
        layers[0][r, j] = row[0, j]
    for h in range(2, H - 1):
        layers[h - 1][r, r] = 1
    return tuple(_rm(W) for W in layers)


def _right_inverse(M: fmpq_mat) -> fmpq_mat:
    """M^+ = M^T (M M^T)^-1 for M of full row rank (the Moore-Penrose inverse, rational)."""
    return M.transpose() * (M * M.transpose()).inv()


def _left_inverse(M: fmpq_mat) -> fmpq_mat:
    """M^+ = (M^T M)^-1 M^T for M of full column rank."""
    return (M.transpose() * M).inv() * M.transpose()


def _random_full_rank_chain(
    rng: random.Random, widths: Sequence[int], first: int, last: int, q: int
) -> list[fmpq_mat]:
    """Random W_first..W_last (shapes widths[h] x widths[h-1]) whose product has rank q; retried until it does."""
    while True:
        mats = [_random_matrix(rng, widths[h], widths[h - 1]) for h in range(first, last + 1)]
        product = _product(mats, widths[first - 1])
        if rank(product) == q:
            return mats


def global_minimizer(data: SpectralData, widths: Sequence[int], rng: random.Random) -> Weights:
    """A random global minimizer from the parameterization of docs/maths/classification.md §4.

    q = r_max, P* = P_[q] Sigma_YX Sigma_XX^-1 = A B with A = U_[q] Z, B = Z^-1 U_[q]^T Sigma_YX Sigma_XX^-1
    (Z random in GL_q). For a random layer h* with d_{h*} = q: input side W_2..W_{h*} random with rk W_{h*:2} = q and
    W_1 = W_{h*:2}^+ B + (I - W_{h*:2}^+ W_{h*:2}) F_1; output side W_{h*+1}..W_{H-1} random with rk W_{H-1:h*+1} = q
    and W_H = A W_{H-1:h*+1}^+ + F_H (I - W_{H-1:h*+1} W_{H-1:h*+1}^+). If h* = H then B = P*, if h* = 0 then A = P*.
    Every such W has W_{H:1} = P*, so it is a global minimizer (docs/maths/classification.md §3.3 (a), §4).
    """
    widths = _check_widths(data, widths)
    H = len(widths) - 1
    q = min(widths)
    U = _mat(data.U)
    reg = _mat(data.regression)
    Uq = fmpq_mat(data.d_y, q, [U[i, j] for i in range(data.d_y) for j in range(q)])
    p_star = Uq * Uq.transpose() * reg
    h_star = rng.choice([h for h in range(H + 1) if widths[h] == q])
    Z = _mat(random_invertible(q, rng))
    A = Uq * Z
    B = Z.inv() * Uq.transpose() * reg
    if h_star == H:
        B = p_star
    if h_star == 0:
        A = p_star
    weights: list[fmpq_mat] = []
    if h_star >= 1:
        inner = _random_full_rank_chain(rng, widths, 2, h_star, q) if h_star >= 2 else []
        M = _product(inner, widths[1])                    # W_{h*:2}, q x d_1, full row rank
        M_plus = _right_inverse(M)
        F1 = _random_matrix(rng, widths[1], widths[0])
        W1 = M_plus * B + (identity(widths[1]) - M_plus * M) * F1
        weights = [W1] + inner
    if h_star <= H - 1:
        first = h_star + 1
        outer = _random_full_rank_chain(rng, widths, first, H - 1, q) if first <= H - 1 else []
        N = _product(outer, widths[h_star])               # W_{H-1:h*+1}, d_{H-1} x q, full column rank
        N_plus = _left_inverse(N)
        FH = _random_matrix(rng, widths[H], widths[H - 1])
        WH = A * N_plus + FH * (identity(widths[H - 1]) - N * N_plus)
        weights = weights + outer + [WH]
    return tuple(_rm(W) for W in weights)


# ---------------------------------------------------------------------------------------------------------------
# symmetries


def conjugate_hidden(weights: Sequence[RationalMatrix], rng: random.Random, *, digits: int | None = None) -> Weights:
    """W_h -> A_h W_h A_{h-1}^-1 with A_0 = A_H = I and random rational invertible A_h
    (docs/maths/classification.md §7).

    The product W_H...W_1 is unchanged and the map is a linear isomorphism of parameter space that preserves L,
    so criticality, the loss and the Hessian inertia (Sylvester) are preserved.
    """
    return tuple(_rm(W) for W in _conjugate_hidden(weights, rng, digits))


def _conjugate_hidden(weights: Sequence[RationalMatrix], rng: random.Random, digits: int | None) -> list[fmpq_mat]:
    """conjugate_hidden as flint matrices (the same draws in the same order)."""
    out = [_mat(W) for W in weights]
    for h in range(1, len(out)):
        A = _random_invertible(out[h - 1].nrows(), rng, digits)
        out[h - 1] = A * out[h - 1]
        out[h] = out[h] * A.inv()
    return out


def scramble_spectral(
    data: SpectralData, weights: Sequence[RationalMatrix], rng: random.Random
) -> tuple[SpectralData, Weights]:
    """Apply class- and inertia-preserving symmetries to data and weights, tracking the eigenstructure:

    hidden changes of basis (:func:`conjugate_hidden`); input change X -> A X, W_1 -> W_1 A^-1 (regression -> reg A^-1);
    rotation of outputs Y -> O Y, W_H -> O W_H (U -> O U, regression -> O reg); rotation of samples X -> X Q, Y -> Y Q.
    Each is a linear isomorphism of parameter space under which the loss is unchanged, so every exact fact
    (criticality, loss, S, Hessian inertia) is preserved.
    """
    problem = data.problem
    ws = _conjugate_hidden(weights, rng, None)
    A = _random_invertible(problem.d_x, rng, None)
    O = _random_orthogonal(problem.d_y, rng, False)
    Q = _random_orthogonal(problem.m, rng, False)
    A_inv = A.inv()
    X = A * _mat(problem.X) * Q
    Y = O * _mat(problem.Y) * Q
    ws[0] = ws[0] * A_inv
    ws[-1] = O * ws[-1]
    new = SpectralData(
        Problem(_rm(X), _rm(Y), problem.lambdas),
        data.singular_values,
        _rm(O * _mat(data.U)),
        _rm(O * _mat(data.regression) * A_inv),
    )
    return new, tuple(_rm(W) for W in ws)


def scramble(
    data_or_problem: SpectralData | Problem, weights: Sequence[RationalMatrix], rng: random.Random
) -> tuple[Problem, Weights]:
    """The symmetries of :func:`scramble_spectral` applied to a problem (or spectral data) and its weights."""
    if isinstance(data_or_problem, SpectralData):
        data, ws = scramble_spectral(data_or_problem, weights, rng)
        return data.problem, ws
    stub = SpectralData(
        data_or_problem, (), RationalMatrix.identity(data_or_problem.d_y), RationalMatrix.zeros(data_or_problem.d_y, data_or_problem.d_x)
    )
    data, ws = scramble_spectral(stub, weights, rng)
    return data.problem, ws


# ---------------------------------------------------------------------------------------------------------------
# instances


@dataclass(frozen=True)
class Instance:
    """A problem and weights whose class is known from a family theorem (docs/maths/classification.md §3.6) or a
    worked case (docs/maths/classification.md §8, docs/maths/global_optimality.md §4).

    ``fitted`` is the index set S (1-based) the point was built with, ``None`` when not applicable;
    ``loss`` the exact loss the worked case or theorem states (our 1/2 convention), when known; ``note`` a remark, e.g.
    that assumption (H) fails.
    """

    problem: Problem
    weights: Weights
    expected_kind: str
    family: str
    fitted: tuple[int, ...] | None = None
    loss: Fraction | None = None
    note: str = ""

    @property
    def widths(self) -> tuple[int, ...]:
        return (self.weights[0].ncols,) + tuple(w.nrows for w in self.weights)

    def __str__(self) -> str:
        S = "" if self.fitted is None else f" S={set(self.fitted) or '{}'}"
        return f"{self.family}: {self.expected_kind}, widths {list(self.widths)}{S}" + (f" ({self.note})" if self.note else "")


_FAMILIES_BY_KIND = {
    GLOBAL_MINIMIZER: ("global", "minimal"),
    STRICT_SADDLE: ("S1", "S2", "S3"),
    NON_STRICT_SADDLE: ("N1", "minimal"),
}


def _draw_sizes(rng: random.Random, family: str, max_depth: int, max_width: int) -> tuple[int, ...] | None:
    lo_depth = 3 if family in ("N1", "S3") else 2
    hi_depth = 2 if family == "S2" else max_depth
    if lo_depth > hi_depth:
        return None
    H = rng.randint(lo_depth, hi_depth)
    d_y = rng.randint(1, max_width)
    d_x = rng.randint(d_y, max_width)
    return (d_x,) + tuple(rng.randint(1, max_width) for _ in range(H - 1)) + (d_y,)


def _draw_index_set(rng: random.Random, family: str, widths: tuple[int, ...], kind: str | None) -> tuple[int, ...] | None:
    r_max = min(widths)
    d_y = widths[-1]
    H = len(widths) - 1
    if family == "global":
        return tuple(range(1, r_max + 1))
    if family in ("N1", "S3"):
        if r_max == 0:
            return None
        return tuple(range(1, rng.randint(0, r_max - 1) + 1))
    if family == "S1":
        # S != [r]: some index in S above r = |S|; needs d_y >= 2 and r >= 1
        for _ in range(20):
            r = rng.randint(1, r_max)
            if r >= d_y:
                continue
            S = tuple(sorted(rng.sample(range(1, d_y + 1), r)))
            if not index_set_is_initial(S):
                return S
        return None
    if family == "S2":
        for _ in range(20):
            r = rng.randint(0, r_max)
            S = tuple(sorted(rng.sample(range(1, d_y + 1), r)))
            if S != tuple(range(1, r_max + 1)):
                return S
        return None
    # minimal: any S, filtered by kind
    for _ in range(20):
        r = rng.randint(0, r_max)
        S = tuple(sorted(rng.sample(range(1, d_y + 1), r)))
        if kind is None or expected_kind_for_index_set(S, widths) == kind:
            return S
    return None


def random_instance(
    rng: random.Random,
    *,
    kind: str | None = None,
    max_depth: int = 4,
    max_width: int = 4,
    scrambled: bool | None = None,
) -> Instance:
    """A random critical point with its class known from docs/maths/classification.md §3.

    Draws a family (global: §4 parameterization; minimal: §2.3 construction with random S; N1: segmented S = [r],
    r < r_max, H >= 3; S1: S != [r]; S2: H = 2, S != [r_max]; S3: two cuts), sizes (depth 2..max_depth, widths
    1..max_width, d_y <= d_x), data (white or not, sometimes m > d_x samples) and, unless ``scrambled`` is False,
    the symmetries of :func:`scramble_spectral`. ``kind`` restricts to one of global_minimizer, strict_saddle,
    non_strict_saddle.
    """
    if kind is not None and kind not in _FAMILIES_BY_KIND:
        raise ValueError(f"kind must be one of {sorted(_FAMILIES_BY_KIND)} or None; got {kind!r}")
    if max_depth < 2 or max_width < 1:
        raise ValueError("need max_depth >= 2 and max_width >= 1")
    if kind == NON_STRICT_SADDLE and max_depth < 3:
        raise ValueError("non-strict saddles need depth H >= 3 (docs/maths/classification.md §1: none for H = 2); "
                         "raise max_depth")
    families = _FAMILIES_BY_KIND[kind] if kind else ("global", "minimal", "N1", "S1", "S2", "S3")
    while True:
        family = rng.choice(families)
        widths = _draw_sizes(rng, family, max_depth, max_width)
        if widths is None:
            continue
        S = _draw_index_set(rng, family, widths, kind)
        if S is None:
            continue
        white = rng.random() < 0.5
        m = widths[0] + (rng.randint(1, 2) if rng.random() < 0.3 else 0)
        data = spectral_data(random_singular_values(widths[-1], rng), widths[0], rng, white=white, m=m,
                             axis_aligned=rng.random() < 0.2)
        if family == "global":
            weights = global_minimizer(data, widths, rng)
            expected = GLOBAL_MINIMIZER
        elif family == "S3":
            weights = two_cut_point(data, widths, len(S))
            expected = STRICT_SADDLE
        else:
            weights = segmented_critical_point(data, widths, S, rng if family != "minimal" else None)
            expected = expected_kind_for_index_set(S, widths)
        if kind is not None and expected != kind:
            continue
        loss = data.critical_loss(S)
        if scrambled is None:
            do_scramble = rng.random() < 0.7
        else:
            do_scramble = scrambled
        if do_scramble:
            data, weights = scramble_spectral(data, weights, rng)
        return Instance(data.problem, weights, expected, family, S, loss)


def large_instance(
    rng: random.Random, depth: int, width: int, *, digits: int = 40, kind: str = NON_STRICT_SADDLE
) -> Instance:
    """A critical point with all widths ``width``, ``depth`` layers and entries of roughly ``digits`` digits.

    White data with singular values p/q of about ``digits``/2 digits, the minimal (non-strict, S = [width - 1]),
    global (S = [width]) or S1 (strict, S = {2..width}) construction, then hidden changes of basis by random invertible
    matrices with ``digits``-digit diagonal scalings (docs/maths/classification.md §7). Hidden-layer entries then have
    numerators and denominators of about ``digits`` digits, W_1 and W_H up to about twice that. For the benchmark "theorem route at
    depth 6, width 32, 40-digit entries".
    """
    widths = (width,) * (depth + 1)
    data = spectral_data(random_singular_values(width, rng, digits=max(1, digits // 2)), width, rng)
    if kind == GLOBAL_MINIMIZER:
        S = tuple(range(1, width + 1))
    elif kind == NON_STRICT_SADDLE:
        if depth < 3 or width < 1:
            raise ValueError("a non-strict saddle needs depth >= 3")
        S = tuple(range(1, width))
    elif kind == STRICT_SADDLE:
        if width < 2:
            raise ValueError("a strict saddle with S != [r] needs width >= 2")
        S = tuple(range(2, width + 1))
    else:
        raise ValueError(f"unsupported kind {kind!r}")
    weights = conjugate_hidden(minimal_critical_point(data, widths, S), rng, digits=digits)
    family = {GLOBAL_MINIMIZER: "global", NON_STRICT_SADDLE: "minimal", STRICT_SADDLE: "S1"}[kind]
    return Instance(data.problem, weights, expected_kind_for_index_set(S, widths), family, S, data.critical_loss(S))


# ---------------------------------------------------------------------------------------------------------------
# worked cases (docs/maths/classification.md §8, docs/maths/global_optimality.md §4)


def _diag(*values: object) -> list[list[object]]:
    n = len(values)
    return [[values[i] if i == j else 0 for j in range(n)] for i in range(n)]


def _case(X, Y, weights, kind, family, loss, fitted=None, note="") -> Instance:
    problem = Problem(_rational(X), _rational(Y))
    return Instance(problem, tuple(_rational(w) for w in weights), kind, family,
                    None if fitted is None else tuple(fitted), Fraction(loss), note)


def worked_instances() -> list[tuple[str, Instance]]:
    """The worked cases TC1a..TC6 of docs/maths/classification.md §8 and T1..T8 of docs/maths/global_optimality.md §4,
    with the kinds stated there.

    Losses are in our 1/2 convention (Achour et al. write the loss without the 1/2; Yun et al. with it).
    Cases outside assumption (H) (T6a, T6b, T8) keep the class stated there and say so in ``note``.
    """
    I2, I3 = _diag(1, 1), _diag(1, 1, 1)
    G, S, N, X_ = GLOBAL_MINIMIZER, STRICT_SADDLE, NON_STRICT_SADDLE, NOT_CRITICAL
    half = Fraction(1, 2)
    cases: list[tuple[str, Instance]] = []
    # docs/maths/classification.md §8 (values halved from a loss without the 1/2)
    Y21 = _diag(2, 1)
    cases.append(("TC1a", _case(I2, Y21, [[[1, 0]], [[2], [0]]], G, "global", 1 * half, (1,))))
    cases.append(("TC1b", _case(I2, Y21, [[[0, 1]], [[0], [1]]], S, "S1", 4 * half, (2,))))
    cases.append(("TC1c", _case(I2, Y21, [[[0, 0]], [[0], [0]]], S, "S2", 5 * half, ())))
    Y31 = _diag(3, 1)
    cases.append(("TC2a", _case(I2, Y31, [_diag(3, 0), _diag(1, 0), _diag(1, 0)], N, "N1", 1 * half, (1,))))
    cases.append(("TC2b", _case(I2, Y31, [I2, _diag(3, 0), _diag(1, 0)], S, "pivot", 1 * half, (1,))))
    cases.append(("TC2c", _case(I2, Y31, [_diag(0, 0)] * 3, N, "N1", 10 * half, ())))
    cases.append(("TC2d", _case(I2, Y31, [_diag(0, 1)] * 3, S, "S1", 9 * half, (2,))))
    cases.append(("TC2e", _case(I2, Y31, [_diag(3, 1), I2, I2], G, "global", 0, (1, 2))))
    Y321 = _diag(3, 2, 1)
    tc3a = [_diag(1, 1, 0), _diag(Fraction(3, 2), 0, 0), _diag(1, 0, 0), _diag(2, 0, 1)]
    cases.append(("TC3a", _case(I3, Y321, tc3a, N, "pivot", 5 * half, (1,))))
    cases.append(("TC3b", _case(I3, Y321, tc3a[:3] + [_diag(2, 1, 0)], S, "pivot", 5 * half, (1,))))
    cases.append(("TC4a", _case(I2, Y31, [I2, _diag(3, 0), _diag(1, 0)], S, "pivot", 1 * half, (1,))))
    cases.append(("TC4b", _case(I3, [[3, 0, 0], [0, 1, 0]], [[[1, 0, 0], [0, 0, 1]], _diag(3, 0), _diag(1, 0)],
                                N, "pivot", 1 * half, (1,))))
    X5 = [[1, 0], [1, 2]]
    cases.append(("TC5a", _case(X5, Y31, [[[3, 0], [0, 0]], _diag(1, 0), _diag(1, 0)], N, "N1", 1 * half, (1,),
                                "Sigma_XX != I")))
    cases.append(("TC5b", _case(X5, Y31, [[[0, 0], [Fraction(-1, 2), Fraction(1, 2)]], _diag(0, 1)], S, "S1",
                                9 * half, (2,), "Sigma_XX != I")))
    cases.append(("TC6", _case(I2, Y31, [_diag(3, 0), _diag(1, 0), _diag(1, 0), _diag(1, 0)], N, "N1", 1 * half,
                               (1,), "order-4 escape")))
    # docs/maths/global_optimality.md §4 (already with the 1/2); data D3 unless stated
    XD = [[0, -1, 1, 1], [0, -1, 1, 0], [1, 2, -1, 1]]
    YD = [[1, -1, 1, -1], [-1, 0, 1, 1], [0, 2, 0, 1]]
    R = [[Fraction(-5, 3), Fraction(11, 3), Fraction(2, 3)], [Fraction(4, 3), Fraction(-4, 3), Fraction(-1, 3)],
         [Fraction(1, 3), Fraction(-1, 3), Fraction(2, 3)]]
    t2_w1 = [[-1, 2, 0], [Fraction(-2, 3), 1, Fraction(1, 3)], [0, 0, 0]]
    t3_w1 = [[-1, 2, 0], [Fraction(-2, 3), 1, Fraction(1, 3)]]
    z23, z22, z32 = [[0] * 3] * 2, [[0] * 2] * 2, [[0] * 2] * 3
    cases.append(("T1", _case(XD, YD, [R, I3, I3], G, "global", Fraction(3, 2), (1, 2, 3))))
    cases.append(("T2", _case(XD, YD, [t2_w1, _diag(1, 1, 0), [[1, 1, 0], [0, -2, 0], [-1, 1, 0]]], N, "N1", 2,
                              (1, 2), "rank test says saddle; Hessian PSD")))
    cases.append(("T3", _case(XD, YD, [t3_w1, I2, [[1, 1], [0, -2], [-1, 1]]], G, "global", 2, (1, 2))))
    cases.append(("T4", _case(XD, YD, [[[-1, 2, 0], [0, Fraction(2, 3), Fraction(1, 3)]], I2, [[1, 1], [0, 1], [-1, 1]]],
                              S, "S1", Fraction(5, 2), (1, 3))))
    cases.append(("T5", _case(XD, YD, [z23, z22, z32], N, "N1", 6, (), "Hessian identically 0")))
    cases.append(("T5b", _case(XD, YD, [z23, z22, [[1, 0], [0, 1], [1, 1]]], S, "pivot", 6, (),
                               "Kawaguchi caveat: 4 negative Hessian eigenvalues")))
    cases.append(("T5c", _case(XD, YD, [z23, z22, z22, [[1, 0], [0, 1], [1, 1]]], N, "N1", 6, (),
                               "Hessian identically 0")))
    X6, Y6 = [[1, 1]], [[1, 1], [2, 0]]
    cases.append(("T6a", _case(X6, Y6, [[[1], [2]], [[1, 0]], [[1], [1]]], G, "global", 1, None,
                               "assumption (H) fails: d_x = 1 < d_y = 2 (rank Sigma_YX = 1)")))
    cases.append(("T6b", _case(X6, Y6, [[[0], [0]], [[0, 0]], [[0], [0]]], N, "zero", 3, None,
                               "assumption (H) fails; Hessian identically 0 and a cubic descent")))
    cases.append(("T7", _case(XD, YD, [[[1, 0, 0], [0, 1, 0]], I2, [[1, 0], [0, 1], [0, 0]]], X_, "not critical",
                              Fraction(13, 2), None)))
    cases.append(("T8", _case(I2, [[1, 0], [1, 0]], [I2, [[1, 0], [1, 0]]], G, "global", 0, None,
                              "assumption (H) fails: rank Sigma_YX = 1 < d_y, outside Yun et al.'s assumptions "
                              "(docs/maths/global_optimality.md §4)")))
    return cases


def gallery() -> list[tuple[str, Instance]]:
    """Deprecated name of :func:`worked_instances` (it read like the demo gallery of exactdln/instances/gallery.py)."""
    warnings.warn("exactdln.instances.construct.gallery() is deprecated and will be removed in the next release; "
                  "use worked_instances()", DeprecationWarning, stacklevel=2)
    return worked_instances()
