"""Result types shared by the exact, float and high-precision paths.

Small frozen dataclasses with ``to_json()`` and a readable ``__str__``. They hold
plain Python values (ints, Fractions, strings), never backend objects.

Every ``classify*`` function returns a :class:`Verdict`: :class:`Classification` (exact,
:func:`exactdln.classify`), ``NumericClassification`` (float64 and mpmath,
exactdln/numeric/float64.py), ``FamilyVerdict`` (families over QQ(params),
exactdln/symbolic/analysis.py), ``RegularizedClassification`` (lambda > 0,
exactdln/theory/regularized.py), and the two tools' results ``CrosscheckResult`` (the exact
path's verdict, with the numeric paths beside it) and ``SnapResult`` (the exact verdict at the
snapped point), exactdln/tools/. They share six attribute names, a field or a property in each:
``kind``, ``critical``, ``inertia``, ``loss``, ``fitted``, ``notes``. The unification is of names,
not of meanings that differ: ``critical`` keeps each path's vocabulary (an exact path decides
True/False, a numeric path can only prove "no", a family is critical "identically", "on_variety"
or "nowhere"), and :attr:`Verdict.proven_critical` reads all of them as True, False or None (not
decided). Each type keeps its own ``to_json()`` (the command line's JSON records);
:meth:`Verdict.common_json` gives the six shared keys in one form for every type.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

__all__ = [
    "GLOBAL_MINIMIZER",
    "LOCAL_MINIMIZER",
    "STRICT_SADDLE",
    "NON_STRICT_SADDLE",
    "NOT_CRITICAL",
    "UNDECIDED",
    "INCONCLUSIVE",
    "KINDS",
    "Verdict",
    "Inertia",
    "Assumptions",
    "RouteVerdict",
    "Classification",
    "fraction_text",
    "number_text",
    "decimal_text",
]

GLOBAL_MINIMIZER = "global_minimizer"
LOCAL_MINIMIZER = "local_minimizer"      # regularized loss only: local, not global
STRICT_SADDLE = "strict_saddle"
NON_STRICT_SADDLE = "non_strict_saddle"
NOT_CRITICAL = "not_critical"
UNDECIDED = "undecided"                  # exact facts known, but no theorem decides
INCONCLUSIVE = "inconclusive"            # a numeric path could not separate a quantity from 0

KINDS = (GLOBAL_MINIMIZER, LOCAL_MINIMIZER, STRICT_SADDLE, NON_STRICT_SADDLE, NOT_CRITICAL, UNDECIDED)


def fraction_text(x: Fraction | int) -> str:
    """``"3"`` or ``"-3/4"``, always in full (JSON and certificates), however many digits."""
    x = Fraction(x)
    if x.denominator == 1:
        return _int_text(x.numerator)
    return f"{_int_text(x.numerator)}/{_int_text(x.denominator)}"


# Python refuses str(n) beyond 4,300 digits (sys.get_int_max_str_digits); an exact loss can be longer.
_STR_SAFE_BITS = 13_000          # 13,000 bits < 3,914 decimal digits


def _int_text(n: int) -> str:
    """Decimal digits of n at any size: split n = hi * 10^k + lo until each half is below the str() cap."""
    if n < 0:
        return "-" + _int_text(-n)
    if n.bit_length() <= _STR_SAFE_BITS:
        return str(n)
    k = _digit_count(n) // 2
    hi, lo = divmod(n, 10**k)
    return _int_text(hi) + _int_text(lo).rjust(k, "0")


def _digit_count(n: int) -> int:
    """Number of decimal digits of n > 0, by comparison with powers of 10 (no str())."""
    d = max(1, int(n.bit_length() * 0.30102999566398120))   # log10(2); off by at most one
    while 10**d <= n:
        d += 1
    while d > 1 and 10 ** (d - 1) > n:
        d -= 1
    return d


def _int_from_text(text: str) -> int:
    """int(text) for a string of digits of any length (the inverse of :func:`_int_text`)."""
    text = text.strip()
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    if not digits.isdigit():
        raise ValueError(f"not an integer: {text[:40]!r}")
    if len(digits) <= 3_000:
        return sign * int(digits)
    k = len(digits) // 2
    return sign * (_int_from_text(digits[:-k]) * 10**k + _int_from_text(digits[-k:]))


TEXT_NUMBER_LIMIT = 60       # longer fractions are abbreviated in text output (never in JSON)
_SIGNIFICANT = 6             # significant digits of the decimal shown beside a fraction
_KEEP = 10                   # leading and trailing digits kept of an abbreviated integer


def _as_fraction(x: Any) -> Fraction:
    if isinstance(x, str):
        num, _, den = x.partition("/")
        return Fraction(_int_from_text(num), _int_from_text(den) if den else 1)
    if hasattr(x, "p") and hasattr(x, "q") and not isinstance(x, Fraction):   # flint fmpq / fmpz
        return Fraction(int(x.p), int(x.q))
    return Fraction(x)


def _abbreviated(n: int) -> str:
    """``1234567890...0987654321`` for an integer of more than 2 * _KEEP + 4 digits, else its digits."""
    digits = _digit_count(n) if n else 1
    if digits <= 2 * _KEEP + 4:
        return _int_text(n)
    head = n // 10 ** (digits - _KEEP)
    tail = n % 10**_KEEP
    return f"{head}...{tail:0{_KEEP}d}"


def decimal_text(x: Fraction, significant: int = _SIGNIFICANT) -> tuple[str, bool]:
    """(the decimal of x rounded to ``significant`` digits, whether it equals x exactly).

    Integer arithmetic only: 10^e <= |x| < 10^(e+1) is found by comparing integers, then
    m = round(|x| 10^(significant-1-e)) by one integer division. Safe for numerators of any size
    (no float(), no str() of a long int).
    """
    x = Fraction(x)
    if x == 0:
        return "0", True
    a, b = abs(x.numerator), x.denominator
    e = _digit_count(a) - _digit_count(b)
    while (a * 10 ** max(0, -e)) < (b * 10 ** max(0, e)):          # |x| < 10^e
        e -= 1
    while (a * 10 ** max(0, -e - 1)) >= (b * 10 ** max(0, e + 1)):  # |x| >= 10^(e+1)
        e += 1
    shift = significant - 1 - e
    num = a * 10 ** max(0, shift)
    den = b * 10 ** max(0, -shift)
    m, r = divmod(num, den)
    exact = r == 0
    if 2 * r >= den:
        m += 1
    if m == 10**significant:
        m //= 10
        e += 1
    ds = str(m).rstrip("0") or "0"
    if -5 <= e < significant:
        if e >= 0:
            ds = ds.ljust(e + 1, "0")
            text = ds[: e + 1] + ("." + ds[e + 1:] if len(ds) > e + 1 else "")
        else:
            text = "0." + "0" * (-e - 1) + ds
    else:
        text = ds[0] + ("." + ds[1:] if len(ds) > 1 else "") + f"e{e:+d}"
    return ("-" if x < 0 else "") + text, exact


def number_text(x: Any) -> str:
    """An exact number for text output: ``3``, ``9/40 (0.225)``, ``1/3 (~0.333333)``.

    A fraction whose digits exceed TEXT_NUMBER_LIMIT characters is abbreviated to its first and
    last digits with the digit count: ``1234567890...0987654321/99...01 (~0.225, 312 digits)``.
    JSON output keeps every digit (:func:`fraction_text`). ``~`` marks a rounded decimal.
    Accepts a Fraction, an int, a flint fmpq or a ``"p/q"`` string.
    """
    x = _as_fraction(x)
    p, q = x.numerator, x.denominator
    digits = (_digit_count(abs(p)) if p else 1) + (_digit_count(q) if q != 1 else 0)
    long = digits + (q != 1) + (p < 0) > TEXT_NUMBER_LIMIT
    if not long:
        if q == 1:
            return _int_text(p)
        dec, exact = decimal_text(x)
        return f"{p}/{q} ({'' if exact else '~'}{dec})"
    dec, exact = decimal_text(x)
    body = ("-" if p < 0 else "") + _abbreviated(abs(p)) + ("" if q == 1 else "/" + _abbreviated(q))
    return f"{body} ({'' if exact else '~'}{dec}, {digits} digits)"


@dataclass(frozen=True)
class Inertia:
    """Sylvester inertia of a symmetric matrix: counts of positive, negative, zero eigenvalues."""

    n_plus: int
    n_minus: int
    n_zero: int

    @property
    def size(self) -> int:
        return self.n_plus + self.n_minus + self.n_zero

    @property
    def rank(self) -> int:
        return self.n_plus + self.n_minus

    def __add__(self, other: "Inertia") -> "Inertia":
        return Inertia(self.n_plus + other.n_plus, self.n_minus + other.n_minus, self.n_zero + other.n_zero)

    def to_json(self) -> list[int]:
        return [self.n_plus, self.n_minus, self.n_zero]

    def __str__(self) -> str:
        """The one inertia notation of every text output: ``n_plus=3 n_minus=0 n_zero=9``."""
        return f"n_plus={self.n_plus} n_minus={self.n_minus} n_zero={self.n_zero}"


@dataclass(frozen=True)
class Assumptions:
    """Assumption (H) of the papers, each part decided exactly.

    - Sigma_XX = X X^T invertible;
    - rank Sigma_YX = d_y (Y X^T of full row rank);
    - Sigma = Sigma_YX Sigma_XX^-1 Sigma_XY has distinct eigenvalues (squarefree
      characteristic polynomial).

    Parts that could not be decided (because an earlier part failed) are ``None``.
    """

    sigma_xx_invertible: bool
    sigma_yx_full_rank: bool | None
    distinct_eigenvalues: bool | None

    @property
    def holds(self) -> bool:
        return bool(self.sigma_xx_invertible and self.sigma_yx_full_rank and self.distinct_eigenvalues)

    def to_json(self) -> dict[str, Any]:
        return {
            "sigma_xx_invertible": self.sigma_xx_invertible,
            "sigma_yx_full_rank": self.sigma_yx_full_rank,
            "distinct_eigenvalues": self.distinct_eigenvalues,
            "H_holds": self.holds,
        }

    def __str__(self) -> str:
        def mark(v: bool | None) -> str:
            return "undecided" if v is None else ("yes" if v else "NO")
        return (
            f"Sigma_XX invertible: {mark(self.sigma_xx_invertible)}; "
            f"rank Sigma_YX = d_y: {mark(self.sigma_yx_full_rank)}; "
            f"distinct eigenvalues of Sigma: {mark(self.distinct_eigenvalues)}"
        )


class Verdict(abc.ABC):
    """What a classify function concluded about a point (or a family of points).

    Every verdict has these attributes (a dataclass field or a property):

    - ``kind``: one of :data:`KINDS`; ``inconclusive`` from a numeric path that could not decide;
      ``None`` when there is no verdict (a snap that found no exact point).
    - ``critical``: whether grad L = 0, in the vocabulary of the path that decided it: ``True`` /
      ``False`` for the exact paths (``None`` when the exact path was unavailable); ``"no"``,
      ``"within_tolerance"`` or ``"undecided"`` for a numeric path (finite precision proves a
      gradient nonzero, never zero); ``"identically"``, ``"on_variety"`` or ``"nowhere"`` for a
      family over QQ(params). :attr:`proven_critical` reads them all as True, False or None.
    - ``inertia``: the :class:`Inertia` of the Hessian (Sylvester; docs/maths/hessian_inertia.md
      §3), or ``None`` when not computed or not decided.
    - ``loss``: L(W), a Fraction (exact paths), a float (numeric paths) or ``None`` (a family, whose
      loss is a rational function; snap, which does not compute it).
    - ``fitted``: the index set S of fitted eigenvalues of Sigma (Achour et al. 2024;
      docs/maths/classification.md §2.1), 1-based, or ``None`` where it is not defined or decided.
    - ``notes``: remarks and reasons, a tuple of strings.
    """

    __slots__ = ()

    @property
    def proven_critical(self) -> bool | None:
        """True when grad L = 0 is proven, False when grad L != 0 is proven, None when not decided."""
        critical = self.critical
        if isinstance(critical, bool) or critical is None:
            return critical
        return {"identically": True, "no": False, "nowhere": False}.get(critical)

    def common_json(self) -> dict[str, Any]:
        """The six shared attributes as JSON values: ``kind``, ``critical`` (as it is), ``proven_critical``,
        ``inertia`` ([n_plus, n_minus, n_zero]), ``loss`` ("p/q" when exact, a float when numeric),
        ``fitted`` (a list) and ``notes``."""
        inertia, loss, fitted = self.inertia, self.loss, self.fitted
        return {
            "kind": self.kind,
            "critical": self.critical,
            "proven_critical": self.proven_critical,
            "inertia": inertia.to_json() if inertia is not None else None,
            "loss": fraction_text(loss) if isinstance(loss, (Fraction, int)) else loss,
            "fitted": list(fitted) if fitted is not None else None,
            "notes": list(self.notes),
        }

    @abc.abstractmethod
    def to_json(self) -> dict[str, Any]:
        """The result as a JSON object (the command line's ``--json`` record)."""

    @abc.abstractmethod
    def __str__(self) -> str:
        """The result as readable text (the command line's text output)."""


@dataclass(frozen=True)
class RouteVerdict:
    """What one route (theorem, global test, Hessian, float, mpmath) concluded, and why."""

    method: str
    kind: str
    reason: str = ""

    def to_json(self) -> dict[str, str]:
        return {"method": self.method, "kind": self.kind, "reason": self.reason}


@dataclass(frozen=True)
class Classification(Verdict):
    """The full verdict on one point.

    ``partial_ranks[(i, j)]`` is rank W_j ... W_i for 1 <= i <= j <= H (1-based, as
    in the papers). ``fitted`` is the index set S of fitted eigenvalues of Sigma,
    1-based positions in decreasing order (Achour et al. 2024, first-order characterization;
    docs/maths/classification.md §2.1), or ``None``.
    """

    critical: bool
    kind: str
    loss: Fraction
    rank: int
    r_max: int
    widths: tuple[int, ...]
    partial_ranks: dict[tuple[int, int], int]
    assumptions: Assumptions
    methods: tuple[RouteVerdict, ...]
    agree: bool
    inertia: Inertia | None = None
    fitted: tuple[int, ...] | None = None
    global_value: str | None = None
    notes: tuple[str, ...] = ()
    source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def depth(self) -> int:
        return len(self.widths) - 1

    def to_json(self) -> dict[str, Any]:
        H = self.depth
        ranks = [[self.partial_ranks.get((i, j)) for j in range(1, H + 1)] for i in range(1, H + 1)]
        out: dict[str, Any] = {
            "file": self.source,
            "critical": self.critical,
            "kind": self.kind,
            "inertia": self.inertia.to_json() if self.inertia is not None else None,
            "loss": fraction_text(self.loss),
            "rank": self.rank,
            "r_max": self.r_max,
            "widths": list(self.widths),
            "fitted": list(self.fitted) if self.fitted is not None else None,
            "partial_ranks": ranks,
            "assumptions": self.assumptions.to_json(),
            "methods": [m.to_json() for m in self.methods],
            "agree": self.agree,
            "global_value": self.global_value,
            "notes": list(self.notes),
        }
        out.update(self.extra)
        return out

    def __str__(self) -> str:
        H = self.depth
        lines = []
        if self.source:
            lines.append(f"{self.source}")
        lines.append(f"verdict: {self.kind}" + ("" if self.agree else "   ROUTES DISAGREE"))
        lines.append(f"loss: {number_text(self.loss)}   critical: {'yes' if self.critical else 'no'}")
        lines.append(f"widths d_0..d_H: {list(self.widths)}   r_max = {self.r_max}   rank W_H...W_1 = {self.rank}")
        if self.fitted is not None:
            lines.append(f"fitted eigenvalues S = {{{', '.join(map(str, self.fitted))}}}")
        if self.global_value is not None:
            lines.append(f"global minimum value: {_value_text(self.global_value)}")
        if self.inertia is not None:
            lines.append(f"Hessian inertia: {self.inertia}")
        lines.append(f"assumption (H): {self.assumptions}")
        lines.append("ranks of W_j...W_i (row i, column j):")
        width = max(3, max((len(str(v)) for v in self.partial_ranks.values()), default=1) + 1)
        lines.append("      " + "".join(f"{'j=' + str(j):>{width + 2}}" for j in range(1, H + 1)))
        for i in range(1, H + 1):
            cells = "".join(
                f"{(str(self.partial_ranks[(i, j)]) if j >= i else '.'):>{width + 2}}" for j in range(1, H + 1)
            )
            lines.append(f"  i={i:<3}" + cells)
        lines.append("routes:")
        for m in self.methods:
            lines.append(f"  {m.method:>10}: {m.kind}" + (f"  ({m.reason})" if m.reason else ""))
        for n in self.notes:
            lines.append(f"note: {n}")
        return "\n".join(lines)


def _value_text(value: str) -> str:
    """A "p/q" string as :func:`number_text`; any other text (an algebraic number's description) as it is."""
    try:
        return number_text(value)
    except (ValueError, ZeroDivisionError):
        return value
