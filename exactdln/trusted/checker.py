"""Standalone checker for exactdln certificates (format version 1).

Small, boring and trusted, in the spirit of drat-trim/LRAT: the engine that wrote the
certificate did all the searching; this file only multiplies and compares exact
rationals. It uses the standard library alone and imports nothing from exactdln, so

    python -I -S exactdln/trusted/checker.py CERT.json

re-verifies a certificate on a bare interpreter. Exit codes: 0 every claim holds,
1 a claim fails, 2 the file is malformed. The format is documented in
exactdln/trusted/FORMAT.md. The engine never imports this file: it runs it as a
separate process (exactdln/certify/gate.py). The block between the "shared block"
markers is kept byte-identical in exactdln/trusted/checker_family.py (tests/test_independence.py).

Conventions (exactdln/trusted/FORMAT.md): L(W) = 1/2 ||W_H...W_1 X - Y||_F^2 + sum_h lambda_h/2 ||W_h||_F^2,
W_{j:i} = W_j...W_i, G = Sigma_YX - W_{H:1} Sigma_XX, Hessian parameters layer-major,
row-major inside a layer.
"""

from __future__ import annotations

import json
import os
import sys
from fractions import Fraction
from math import gcd, log2
from operator import mul

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DIGITS = 10000
MAX_DIM = 4096
MAX_LAYERS = 256
MAX_PARAMETERS = 100_000        # weight entries of the point
MAX_DATA_ENTRIES = 1_000_000    # entries of X and Y together
MAX_HESSIAN = 1200              # n for the psd_hessian claim (the checker builds an n x n matrix)
MAX_CURVE_DEGREE = 64
MAX_EXPANSION = 512             # H * (curve degree): bounds the polynomial expansion
MAX_NESTING = 32                # JSON arrays and objects inside each other (checked on the raw text)
MAX_VALUES = 4_000_000          # numbers in arrays over the whole file (checked on the raw text)
MAX_WORK = 10_000_000           # units of arithmetic for the whole check (charge(), in the shared block)
CLAIM_TYPES = ("critical", "not_critical", "rank", "strict_saddle", "psd_hessian",
               "escape_curve", "top_eigenspace", "flow_identities_random", "transport", "kind")
FIELD_CLAIM_TYPES = ("critical", "not_critical", "rank", "strict_saddle", "psd_hessian", "escape_curve",
                     "top_eigenspace", "transport", "kind")
TRANSPORTED_CLAIM_TYPES = ("critical", "strict_saddle", "psd_hessian", "escape_curve", "top_eigenspace", "kind")


# ---- shared block begin (kept identical in checker.py and checker_family.py; tests/test_independence.py) ----
# Reading, messages, Fraction linear algebra, the work budget and the command line. The block uses the
# file's own MAX_DIGITS, MAX_FILE_BYTES, MAX_NESTING, MAX_VALUES, MAX_WORK and check_certificate, defined
# outside it.

class Malformed(ValueError):
    """The certificate does not follow the format (exit code 2)."""


_DIGIT_BOUND = 10 ** MAX_DIGITS


def _int_text(s: str, where: str) -> int:
    """An optionally signed run of ASCII digits, at most MAX_DIGITS of them."""
    digits = s.lstrip("+-")
    if len(s) - len(digits) > 1 or not digits or not digits.isdigit() or not digits.isascii():
        raise Malformed(f"{where}: malformed integer {s[:40]!r}")
    if len(digits) > MAX_DIGITS:
        raise Malformed(f"{where}: number has more than {MAX_DIGITS} digits")
    value = 0
    for k in range(0, len(digits), 4000):   # chunks dodge the interpreter's int/str digit limit
        chunk = digits[k:k + 4000]
        value = value * 10 ** len(chunk) + int(chunk)
    return -value if s.startswith("-") else value


def number(x: object, where: str) -> Fraction:
    """An exact rational from a string "p/q" or "-3", or an integer (at most MAX_DIGITS digits either way)."""
    if isinstance(x, bool):
        raise Malformed(f"{where}: a boolean is not a number")
    if isinstance(x, int):
        if abs(x) >= _DIGIT_BOUND:       # the cap of the JSON path, for objects passed in directly
            raise Malformed(f"{where}: number has more than {MAX_DIGITS} digits")
        return Fraction(x)
    if not isinstance(x, str):
        raise Malformed(f"{where}: expected a number as a string \"p/q\", got {type(x).__name__}")
    if len(x) > 2 * MAX_DIGITS + 3:
        raise Malformed(f"{where}: number has more than {MAX_DIGITS} digits")
    p, slash, q = x.strip().partition("/")
    num = _int_text(p.strip(), where)
    if not slash:
        return Fraction(num)
    den = _int_text(q.strip(), where)
    if den <= 0 or q.strip().startswith("+"):
        raise Malformed(f"{where}: denominator must be a positive integer")
    return Fraction(num, den)


def integer(x: object, where: str, lo: int, hi: int) -> int:
    if isinstance(x, bool) or not isinstance(x, int) or not lo <= x <= hi:
        raise Malformed(f"{where}: expected an integer in {lo}..{hi}")
    return x


def index_list(x: object, where: str, bound: int) -> list[int]:
    """Distinct integers in range(bound)."""
    if not isinstance(x, list) or len(x) > bound:
        raise Malformed(f"{where}: expected a list of at most {bound} indices")
    if any(isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < bound for v in x):
        raise Malformed(f"{where}: indices must be integers in 0..{bound - 1}")
    if len(set(x)) != len(x):
        raise Malformed(f"{where}: repeated index")
    return list(x)


def _no_duplicates(pairs: list) -> dict:
    out = {}
    for k, v in pairs:
        if k in out:
            raise Malformed(f"duplicate key {k[:40]!r}")
        out[k] = v
    return out


def _refuse_float(s: str) -> None:
    raise Malformed(f"non-integer JSON number {s[:40]!r}: write exact numbers as strings \"p/q\"")


def _json_int(s: str) -> int:
    return _int_text(s, "JSON integer")


_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))


def _prescan(text: str) -> None:
    """Nesting depth and the number of array elements, on the raw text, before json builds anything.

    Strings are blanked first, at C speed: escaped backslashes, then escaped quotes are deleted, so every
    other piece between quotes is outside the strings. Each round of deleting the innermost [] / {} pairs
    lowers the nesting depth by one, so brackets left after MAX_NESTING rounds that all made progress
    mean a depth beyond MAX_NESTING (a round without progress means unbalanced brackets: json says where).
    Commas <= array elements + object members, members = colons and elements <= scalars + containers,
    so commas - colons - containers is a lower bound on the scalar elements of arrays (MAX_VALUES)."""
    skeleton = '""'.join(text.replace("\\\\", "").replace('\\"', "").split('"')[0::2])
    brackets = skeleton.encode("utf-8", "replace").translate(None, _NOT_BRACKETS)
    for _ in range(MAX_NESTING):
        reduced = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if reduced == brackets:
            break
        brackets = reduced
    else:
        if brackets:
            raise Malformed(f"JSON nested deeper than {MAX_NESTING} levels")
    values = skeleton.count(",") - skeleton.count(":") - skeleton.count("[") - skeleton.count("{")
    if values > MAX_VALUES:
        raise Malformed(f"more than {MAX_VALUES} numbers in the file (at least {values})")


def parse_text(text: str) -> object:
    """JSON text -> Python value, refusing deep nesting, too many numbers (both before parsing), floats,
    NaN/Infinity, huge integers and duplicate keys."""
    _prescan(text)
    try:
        return json.loads(text, parse_float=_refuse_float, parse_int=_json_int,
                          parse_constant=_refuse_float, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise Malformed("JSON nested too deeply") from None
    except ValueError as err:   # includes json.JSONDecodeError; Malformed passes through
        if isinstance(err, Malformed):
            raise
        raise Malformed(f"not valid JSON: {err}") from None


def number_text(c: Fraction) -> str:
    """c as "p/q" for messages, shortened; a long number is only described (products of input numbers
    can pass the 4300-digit limit of int -> str, which would raise ValueError inside a message)."""
    bits = max(abs(c.numerator).bit_length(), c.denominator.bit_length())
    if bits > 1000:
        return f"<a number of about {bits * 3 // 10} digits>"
    s = str(c)
    return s if len(s) <= 60 else s[:28] + "..." + s[-28:]


_spent = [0]


def reset_work() -> None:
    _spent[0] = 0


def charge(units: int, what: str) -> None:
    """Count arithmetic before it is done: one check may spend at most MAX_WORK units in all, a unit
    being about one multiplication of numbers of up to 512 bits (larger ones count bits // 512 + 1 on
    each side, see cost; a matrix product adds one unit per entry and 8 per call for its bookkeeping).
    A certificate that needs more is refused as malformed, never left to run."""
    _spent[0] += units
    if _spent[0] > MAX_WORK:
        raise Malformed(f"checking {what} needs more than MAX_WORK = {MAX_WORK} units of arithmetic "
                        "(a unit: one product of numbers of up to 512 bits)")


def bits(values) -> int:
    """The largest numerator plus denominator bit length among values (Fractions or ints)."""
    out = 0
    for x in values:
        b = abs(getattr(x, "numerator", x)).bit_length() + getattr(x, "denominator", 1).bit_length()
        if b > out:
            out = b
    return out


def cost(values) -> int:
    """Units of one product with a factor from values: 1 + bits(values) // 512."""
    return 1 + bits(values) // 512


def charge_elimination(n: int, cols: int, M: list, what: str) -> None:
    """Gaussian elimination on n rows of cols entries: n^2 cols / 3 products whose operands grow to
    about n times the entries' bits (Fraction pivots are ratios of minors)."""
    grow = 1 + n * bits(x for r in M for x in r) // 512
    charge((n * n * cols // 3 + 1) * grow * grow, what)


def matmul(A: list, B: list) -> list[list[Fraction]]:
    """A B for Fraction matrices, B with at least one row (charged before it is computed)."""
    cols = list(zip(*B))
    charge(len(A) * len(B) * len(cols) * cost(x for r in A for x in r) * cost(x for r in B for x in r)
           + len(A) * len(cols) + 8, "a matrix product")      # + the bookkeeping of each entry and call
    return [[sum(map(mul, row, col), Fraction(0)) if any(row) else Fraction(0) for col in cols] for row in A]


def transpose(A: list, ncols: int) -> list[list]:
    """A^T for a matrix with ncols columns (also when A has no rows)."""
    return [list(c) for c in zip(*A)] if A else [[] for _ in range(ncols)]


def identity(n: int) -> list[list[Fraction]]:
    return [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]


def positive_definite(A: list) -> bool:
    """Sylvester: a symmetric matrix is positive definite iff Gaussian elimination meets only pivots > 0.
    An empty or non-symmetric matrix is refused."""
    n = len(A)
    M = [list(r) for r in A]
    if n == 0 or any(len(r) != n for r in M) or any(M[i][j] != M[j][i] for i in range(n) for j in range(i)):
        return False
    charge_elimination(n, n, M, "an elimination")
    for k in range(n):
        p = M[k][k]
        if p <= 0:
            return False
        for i in range(k + 1, n):
            f = M[i][k] / p
            if f:
                M[i] = [a - f * b for a, b in zip(M[i], M[k])]
    return True


def solve(A: list, B: list) -> list[list[Fraction]] | None:
    """A^-1 B by Gauss-Jordan, or None if A is singular."""
    n = len(A)
    M = [list(a) + list(b) for a, b in zip(A, B)]
    charge_elimination(n, len(M[0]) if M else 0, M, "a linear solve")
    for k in range(n):
        piv = next((i for i in range(k, n) if M[i][k] != 0), None)
        if piv is None:
            return None
        M[k], M[piv] = M[piv], M[k]
        inv = 1 / M[k][k]
        M[k] = [v * inv for v in M[k]]
        for i in range(n):
            if i != k and M[i][k]:
                f = M[i][k]
                M[i] = [a - f * b for a, b in zip(M[i], M[k])]
    return [row[n:] for row in M]


def sigma_from_data(X: list, Y: list) -> list[list[Fraction]] | None:
    """Sigma = Sigma_YX Sigma_XX^-1 Sigma_XY for data X (d_x x m) and Y (d_y x m), or None when
    Sigma_XX = X X^T is singular."""
    m, dy = len(X[0]), len(Y)
    Sxx, Sxy = matmul(X, transpose(X, m)), matmul(X, transpose(Y, m))
    M = solve(Sxx, Sxy)                                    # Sigma_XX^-1 Sigma_XY
    return None if M is None else matmul(transpose(Sxy, dy), M)


def eigenspace_split_failure(Sigma: list, Q: list, N: list, c: Fraction) -> str | None:
    """None when range Q is the top-r eigenspace of the symmetric Sigma, strictly separated at c, else what fails.

    Q is d_y x r, N is d_y x (d_y - r) ([] when r = d_y). With Q^T Q > 0 (rank Q = r), Q^T (Sigma - cI) Q > 0,
    and for N: Q^T N = 0 and N^T N > 0 (N spans range(Q)-perp), N^T Sigma Q = 0 (range Q is invariant) and
    N^T (cI - Sigma) N > 0, the eigenvalues of Sigma on range Q all exceed c and those on its complement
    are all below c (Sylvester's pivots decide every "> 0")."""
    r = len(Q[0])
    QT = transpose(Q, r)
    QQ = matmul(QT, Q)
    if not positive_definite(QQ):
        return "Q^T Q is not positive definite (rank Q < r)"
    SQ = matmul(Sigma, Q)
    if not positive_definite([[x - c * y for x, y in zip(u, v)] for u, v in zip(matmul(QT, SQ), QQ)]):
        return "Q^T (Sigma - cI) Q is not positive definite"
    if N:
        NT = transpose(N, len(N[0]))
        if any(any(row) for row in matmul(QT, N)):
            return "Q^T N != 0"
        NN = matmul(NT, N)
        if not positive_definite(NN):
            return "N^T N is not positive definite"
        if any(any(row) for row in matmul(NT, SQ)):
            return "N^T Sigma Q != 0 (range Q is not invariant)"
        if not positive_definite([[c * y - x for x, y in zip(u, v)] for u, v in zip(matmul(NT, matmul(Sigma, N)), NN)]):
            return "N^T (cI - Sigma) N is not positive definite"
    return None


def main(argv: list[str] | None = None) -> int:
    """Command line: check one certificate file; exit 0 every claim holds, 1 a claim fails, 2 malformed."""
    args = sys.argv[1:] if argv is None else list(argv)
    if len(args) != 1:
        print(f"usage: python -I -S {os.path.basename(__file__)} CERTIFICATE.json", file=sys.stderr)
        return 2
    path = args[0]
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            raise Malformed(f"file is {size} bytes, more than {MAX_FILE_BYTES}")
        with open(path, "rb") as fh:
            text = fh.read(MAX_FILE_BYTES + 1).decode("utf-8")
        results = check_certificate(parse_text(text))
    except OSError as err:
        print(f"{path}: cannot read: {err.strerror}", file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print(f"{path}: malformed: not UTF-8 text", file=sys.stderr)
        return 2
    except Malformed as err:
        print(f"{path}: malformed: {err}", file=sys.stderr)
        return 2
    except Exception as err:   # never a traceback: anything unforeseen refuses the file
        print(f"{path}: malformed (unexpected {type(err).__name__}): {str(err)[:200]}", file=sys.stderr)
        return 2
    for ctype, ok, msg in results:
        print(f"{'ok  ' if ok else 'FAIL'} {ctype}: {msg}")
    return 0 if all(ok for _, ok, _ in results) else 1
# ---- shared block end ----


# ---------------------------------------------------------------- numbers of a real number field
# A certificate may declare "field": {"minpoly": [c_0, ..., c_d], "interval": [lo, hi]}: theta is the unique
# real root of p(t) = c_0 + ... + c_d t^d in (lo, hi). Entries are then numbers or lists [a_0, ..., a_(d-1)]
# meaning a_0 + a_1 theta + ... (class Alg: integer coefficients over one denominator, reduced modulo p), and every
# test is about the value at theta: zero by the gcd with p, signs by a Taylor bound on a bisected interval.

MAX_FIELD_DEGREE = 64
MAX_BISECTIONS = 20_000          # refinements of the interval of theta in one check

_FIELD: list = [None]            # the field of the certificate being checked (None: rationals only)


def _ptrim(a: list) -> list:
    a = list(a)
    while a and a[-1] == 0:
        a.pop()
    return a


def _pcost(a: list, b: list) -> int:
    return len(a) * len(b) * cost(a) * cost(b) + 1


def mul_units(x: int, y: int) -> int:
    """Units of one product of integers of x and y blocks of 512 bits (x, y >= 1), as CPython multiplies them,
    counted in blocks of 1024 bits (x' = ceil(x / 2), y' likewise): x' y' while the smaller has at most 4 such
    blocks (schoolbook, beyond CPython's Karatsuba cutoff of 70 digits of 30 bits); beyond, the larger is cut into
    y' / x' pieces of the smaller's size, each a Karatsuba product of x'^(log2 3) blocks: y' x'^0.585, scaled by
    4^0.415 to meet x' y' at x' = 4. A product of two 1024-bit integers takes about 0.85 microseconds in CPython, of
    two 6,000-bit ones 20 (36 units), of two 25,000-bit ones 200 (225 units): 0.55-0.9 microseconds per unit, inside
    the range every other unit is measured at (FORMAT.md, MAX_WORK). In blocks of 512 bits a unit took only 0.21
    microseconds, so field arithmetic was priced about three times dearer than the rest. Fraction arithmetic is not
    priced this way (its gcds are quadratic): only the integer coefficients of field elements (class Alg)."""
    x, y = (min(x, y) + 1) // 2, (max(x, y) + 1) // 2
    return x * y if x <= 4 else y * int(1.78 * x ** 0.585 + 1)


def _kcost(a: list, b: list) -> int:
    """Units of the product of two integer coefficient lists (class Alg): one mul_units per pair of coefficients."""
    return len(a) * len(b) * mul_units(cost(a), cost(b)) + 1


def _pmul(a: list, b: list) -> list:
    if not a or not b:
        return []
    charge(_pcost(a, b), "a polynomial product")
    out = [Fraction(0)] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        if x:
            for j, y in enumerate(b):
                out[i + j] += x * y
    return _ptrim(out)


def _prem(a: list, b: list) -> list:
    return _pdivmod(a, b)[1]


def _pgcd(a: list, b: list) -> list:
    a, b = _ptrim(a), _ptrim(b)
    while b:
        a, b = b, _prem(a, b)
    return [x / a[-1] for x in a]


def _integer_coefficients(a: list) -> list:
    """The coefficients times their common denominator D > 0 (the sign of a polynomial's values is unchanged)."""
    charge(len(a) * mul_units(cost(a), cost(a)) + 1, "a common denominator")
    D = _lcm(c.denominator for c in a)
    return [c.numerator * (D // c.denominator) for c in a]


def _psign(a: list, x: Fraction) -> int:
    """The sign of a(x), in integers: with x = n/q (q > 0) and A_k = D a_k (D > 0 the common denominator),
    D q^d a(x) = sum_k A_k n^k q^(d-k), d = len(a) - 1, summed by Horner's rule with the powers of q carried along.
    A Horner's rule over Fractions reduces by a gcd at every step, on numerators that grow to d times the size of
    x: a degree-64 polynomial at a 20,000-digit endpoint took minutes where this takes a second. Charged as
    schoolbook products of numbers of up to bits(a) + d bits(x) (what the sum grows to) by numbers of bits(x)."""
    d, cx = len(a) - 1, cost([x])
    charge(d * (1 + (bits(a) + d * bits([x])) // 512) * cx + 1, "a polynomial's sign")
    n, q = x.numerator, x.denominator
    s, qk = 0, 1
    for c in reversed(_integer_coefficients(a)):
        s = s * n + c * qk
        qk *= q
    return (s > 0) - (s < 0)


def _sign(x: Fraction) -> int:
    return (x > 0) - (x < 0)


def _sturm_count(p: list, lo: Fraction, hi: Fraction) -> int:
    """Distinct real roots of p in (lo, hi] (Sturm's theorem), p(lo) != 0."""
    seq = [_ptrim(p), _ptrim([k * c for k, c in enumerate(p)][1:])]
    while seq[-1] and len(seq[-1]) > 1:
        r = _prem(seq[-2], seq[-1])
        if not r:
            break
        seq.append([-x for x in r])

    def changes(x: Fraction) -> int:
        signs = [s for s in (_psign(q, x) for q in seq if q) if s]
        return sum(1 for u, v in zip(signs, signs[1:]) if u != v)
    return changes(lo) - changes(hi)


class Field:
    """Q(theta) for the certificate's (p, (lo, hi)), verified: p squarefree, p(lo) p(hi) != 0, lo < hi, and
    exactly one root of p in (lo, hi) (Sturm). ``m`` is a factor of p with theta among its roots; it only
    shrinks (to gcd(a, m) or m / gcd(a, m)) when an element shares a factor with it."""

    def __init__(self, spec: object):
        if not isinstance(spec, dict) or set(spec) != {"minpoly", "interval"}:
            raise Malformed('field: expected {"minpoly": [c_0, ..., c_d], "interval": [lo, hi]}')
        coeffs, interval = spec["minpoly"], spec["interval"]
        if not isinstance(coeffs, list) or not 2 <= len(coeffs) <= MAX_FIELD_DEGREE + 1:
            raise Malformed(f"field.minpoly: expected 2..{MAX_FIELD_DEGREE + 1} coefficients, constant term first")
        p = [number(c, f"field.minpoly[{k}]") for k, c in enumerate(coeffs)]
        if p[-1] == 0:
            raise Malformed("field.minpoly: the leading coefficient is 0")
        if not isinstance(interval, list) or len(interval) != 2:
            raise Malformed("field.interval: expected [lo, hi]")
        lo, hi = (number(x, f"field.interval[{k}]") for k, x in enumerate(interval))
        self.degree = len(p) - 1
        self.m = [c / p[-1] for c in p]
        self.lo, self.hi = lo, hi
        self.bisections = 0
        self.failure = None
        if not lo < hi:
            self.failure = "field.interval: lo < hi is needed"
        elif len(_pgcd(self.m, [k * c for k, c in enumerate(self.m)][1:])) > 1:
            self.failure = "field.minpoly is not squarefree"
        elif _psign(self.m, lo) == 0 or _psign(self.m, hi) == 0:
            self.failure = "field.interval: an endpoint is a root of the polynomial"
        else:
            roots = _sturm_count(self.m, lo, hi)
            if roots != 1:
                self.failure = f"field.interval holds {roots} roots of the polynomial, not exactly one"

    def power_table(self) -> tuple[list, int]:
        """(rows, T): theta^k mod m = rows[k - D] / T for k = D .. 2D - 2 (D = deg m), integers over one T."""
        if getattr(self, "_table_of", None) is not self.m:
            D = len(self.m) - 1
            rows, power = [], [Fraction(0)] * D + [Fraction(1)]
            for _ in range(max(D - 1, 1)):
                power = self.reduce(power)
                rows.append((power + [Fraction(0)] * D)[:D])
                power = [Fraction(0)] + power
            T = _lcm(x.denominator for r in rows for x in r)
            self._table = ([[x.numerator * (T // x.denominator) for x in r] for r in rows], T)
            self._table_of = self.m
        return self._table

    def reduce(self, a: list) -> list:
        return _prem(a, self.m) if len(_ptrim(a)) > len(self.m) - 1 else _ptrim(a)

    def _changes_sign(self, g: list) -> bool:
        """g divides m, so it has at most one root in (lo, hi), a simple one: it is theta iff g changes sign."""
        return _psign(g, self.lo) != _psign(g, self.hi)

    def _taylor_sign(self, a: list) -> int:
        """sign a(theta) if |a(c)| exceeds the bound sum_k>=1 |b_k| r^k of a(c + t) - a(c) on |t| <= r, else 0.
        In integers: lo = p1/q1, hi = p2/q2, Q = 2 q1 q2, c = N/Q, r = M/Q; with A_k = D a_k,
        P(u) = D Q^d a((N + u)/Q) = sum_k A_k Q^(d-k) (N + u)^k = sum_j B_j u^j (a Taylor shift by the integer N,
        Horner's synthetic division), and a(c + t) = P(Q t) / (D Q^d) with |Q t| <= M: the test is
        |B_0| > sum_j>=1 |B_j| M^j. No Fraction arithmetic (see _psign)."""
        if self.lo == self.hi:
            return _psign(a, self.lo)
        p1, q1, p2, q2 = self.lo.numerator, self.lo.denominator, self.hi.numerator, self.hi.denominator
        N, M, Q = p1 * q2 + p2 * q1, p2 * q1 - p1 * q2, 2 * q1 * q2
        n, d = len(a), len(a) - 1
        bq, bn = Q.bit_length(), max(N.bit_length(), M.bit_length())
        grown = 1 + (bits(a) + d * (bq + bn)) // 512      # units of the B_j, which grow to about this size
        # n^2 / 2 products by N, and n each by powers of Q and of M
        charge(n * n * mul_units(grown, 1 + bn // 512) + 2 * n * mul_units(grown, 2 + (bq + bn) // 512) + 1,
               "a Taylor shift")
        b, qk = _integer_coefficients(a), 1
        for k in range(d, -1, -1):                     # A_k Q^(d-k)
            b[k] *= qk
            qk *= Q
        for i in range(n):
            for j in range(n - 2, i - 1, -1):
                b[j] += N * b[j + 1]
        bound, mk = 0, 1
        for bk in b[1:]:
            mk *= M
            bound += abs(bk) * mk
        return _sign(b[0]) if abs(b[0]) > bound else 0

    def _bisect(self) -> None:
        self.bisections += 1
        if self.bisections > MAX_BISECTIONS:
            raise Malformed(f"field: more than MAX_BISECTIONS = {MAX_BISECTIONS} refinements of the interval")
        mid = (self.lo + self.hi) / 2
        s = _psign(self.m, mid)
        if s == 0:
            self.lo = self.hi = mid
        elif s == _psign(self.m, self.lo):
            self.lo = mid
        else:
            self.hi = mid

    def is_zero(self, a: list) -> bool:
        a = self.reduce(a)
        if not a:
            return True
        if self.lo == self.hi:
            return _psign(a, self.lo) == 0
        if len(a) == 1:
            return False
        for _ in range(24):                            # a sign seen on a refined interval proves a(theta) != 0
            if self._taylor_sign(a):
                return False
            self._bisect()
            if self.lo == self.hi:
                return _psign(a, self.lo) == 0
        g = _pgcd(a, self.m)
        if len(g) == 1:
            return False
        if self._changes_sign(g):
            self.m = g
            return True
        self.m = _pdivmod(self.m, g)[0]
        return self.is_zero(a)

    def sign(self, a: list) -> int:
        if self.is_zero(a):
            return 0
        a = self.reduce(a)
        while True:
            s = self._taylor_sign(a)
            if s:
                return s
            self._bisect()

    def inverse(self, a: list) -> list:
        """1/a mod m by the extended Euclidean algorithm (r_i = s_i a mod m); a(theta) != 0 is checked first, so a
        common factor g of a and m does not vanish at theta and m shrinks to m / g."""
        if self.is_zero(a):
            raise Malformed("division by an element that is 0 at theta")
        r0, r1, s0, s1 = list(self.m), self.reduce(a), [], [Fraction(1)]
        while len(r1) > 1:
            q, rem = _pdivmod(r0, r1)
            r0, r1 = r1, rem
            s0, s1 = s1, _psub(s0, _pmul(q, s1))
        if not r1:
            self.m = _pdivmod(self.m, r0)[0]
            return self.inverse(a)
        return self.reduce([x / r1[0] for x in s1])


def _psub(a: list, b: list) -> list:
    n = max(len(a), len(b))
    return _ptrim([(a[k] if k < len(a) else 0) - (b[k] if k < len(b) else 0) for k in range(n)])


def _pdivmod(a: list, b: list) -> tuple[list, list]:
    """(q, r) with a = q b + r, deg r < deg b, over Fractions."""
    a, b = _ptrim(a), _ptrim(b)
    charge(_pcost(a, b), "a polynomial division")
    n = len(b) - 1
    q = [Fraction(0)] * max(1, len(a) - n)
    while len(a) > n:
        c = a[-1] / b[-1]
        shift = len(a) - 1 - n
        q[shift] = c
        for j in range(n + 1):
            a[shift + j] -= c * b[j]
        a = _ptrim(a)
    return _ptrim(q), a


class Alg:
    """An element (n_0 + n_1 theta + ...) / d of the certificate's field: integer coefficients over one positive
    denominator, reduced modulo m (through the table of theta^k mod m) before it is multiplied; sums stay
    unreduced, so a matrix entry is reduced once, not once per product. ==, bool and order are decided at
    theta, exactly (class Field). ``numerator`` and ``denominator`` are 1 so that the Fraction cost model leaves
    the charging to the polynomial products."""

    __slots__ = ("K", "n", "d")
    numerator = 1
    denominator = 1

    def __init__(self, K: Field, n: list, d: int = 1):
        while n and n[-1] == 0:
            n = n[:-1]
        self.K, self.n, self.d = K, n, d

    @classmethod
    def of(cls, K: Field, coeffs: list) -> "Alg":
        n, d = integer_scaled(coeffs) if coeffs else ([], 1)
        return cls(K, n, d)

    def reduced(self) -> list:
        K = self.K
        D = len(K.m) - 1
        if len(self.n) > D:
            if len(self.n) > 2 * D - 1:             # only after m shrank: the Fraction route
                n, d = integer_scaled(K.reduce(self.fractions(False)) or [Fraction(0)])
            else:
                table, T = K.power_table()
                charge((len(self.n) - D) * D * mul_units(cost(self.n), cost([T])) + D, "a reduction modulo m")
                n = [x * T for x in self.n[:D]]
                for k in range(D, len(self.n)):
                    c = self.n[k]
                    if c:
                        for j, t in enumerate(table[k - D]):
                            n[j] += c * t
                d = self.d * T
            g = gcd(d, *n)
            self.n, self.d = ([x // g for x in n], d // g) if g > 1 else (n, d)
            while self.n and self.n[-1] == 0:
                self.n = self.n[:-1]
        return self.n

    def fractions(self, reduce: bool = True) -> list:
        return [Fraction(x, self.d) for x in (self.reduced() if reduce else self.n)]

    @staticmethod
    def _parts(other: object) -> tuple[list, int] | None:
        if isinstance(other, Alg):
            return other.n, other.d
        if isinstance(other, (int, Fraction)) and not isinstance(other, bool):
            f = Fraction(other)
            return ([f.numerator] if f else []), f.denominator
        return None

    def _combine(self, other: object, sign: int):
        o = self._parts(other)
        if o is None:
            return NotImplemented
        on, od = o
        if not on:
            return self if sign > 0 or not self.n else Alg(self.K, list(self.n), self.d)
        if not self.n and od == 1:
            return Alg(self.K, [sign * x for x in on], 1)
        g = gcd(self.d, od)
        a, b = od // g, self.d // g
        m = max(len(self.n), len(on))
        if a != 1 or b != 1:             # the sum's scaling to the common denominator self.d * a
            charge(len(self.n) * mul_units(cost(self.n), cost([a])) + len(on) * mul_units(cost(on), cost([b])) + 1,
                   "a sum of field elements")
        n = [(self.n[k] * a if k < len(self.n) else 0) + sign * (on[k] * b if k < len(on) else 0) for k in range(m)]
        return Alg(self.K, n, self.d * a)

    def __add__(self, other):
        return self._combine(other, 1)
    __radd__ = __add__

    def __sub__(self, other):
        return self._combine(other, -1)

    def __rsub__(self, other):
        out = self._combine(other, -1)
        return out if out is NotImplemented else -out

    def __neg__(self):
        return Alg(self.K, [-x for x in self.n], self.d)

    def __mul__(self, other):
        if isinstance(other, Alg):
            a, b = self.reduced(), other.reduced()
            if not a or not b:
                return Alg(self.K, [], 1)
            charge(_kcost(a, b), "a polynomial product")
            n = [0] * (len(a) + len(b) - 1)
            for i, x in enumerate(a):
                if x:
                    for j, y in enumerate(b):
                        n[i + j] += x * y
            return Alg(self.K, n, self.d * other.d)
        o = self._parts(other)
        if o is None:
            return NotImplemented
        if not o[0]:                     # a product with 0: no arithmetic
            return Alg(self.K, [], 1)
        (c,), q = o
        charge(len(self.n) * mul_units(cost(self.n), cost([c])) + 1, "a polynomial product")
        return Alg(self.K, [x * c for x in self.n], self.d * q)
    __rmul__ = __mul__

    def __truediv__(self, other):
        o = other.fractions() if isinstance(other, Alg) else None
        if o is None:
            o = self._parts(other)
            if o is None:
                return NotImplemented
            o = [Fraction(x, o[1]) for x in o[0]]
        return self * Alg.of(self.K, self.K.inverse(o))

    def __rtruediv__(self, other):
        if self._parts(other) is None:
            return NotImplemented
        return Alg.of(self.K, self.K.inverse(self.fractions())) * other

    def __bool__(self) -> bool:
        return not self.K.is_zero(self.fractions())

    def __eq__(self, other):
        diff = self._combine(other, -1)
        return diff if diff is NotImplemented else self.K.is_zero(diff.fractions())

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = None

    def _cmp(self, other) -> int:
        diff = self._combine(other, -1)
        if diff is NotImplemented:
            raise Malformed("comparison of a field element with a non-number")
        return self.K.sign(diff.fractions())

    def __lt__(self, other):
        return self._cmp(other) < 0

    def __le__(self, other):
        return self._cmp(other) <= 0

    def __gt__(self, other):
        return self._cmp(other) > 0

    def __ge__(self, other):
        return self._cmp(other) >= 0

    def __str__(self) -> str:
        return " + ".join(f"({number_text(x)})*t^{k}" for k, x in enumerate(self.fractions()) if x) or "0"


def element(x: object, where: str):
    """A number, or with a declared field a list [a_0, ..., a_(d-1)] of exactly d numbers (an Alg)."""
    K = _FIELD[0]
    if K is None or not isinstance(x, list):
        return number(x, where)
    if len(x) != K.degree:
        raise Malformed(f"{where}: expected a number or a list of {K.degree} coefficients")
    return Alg.of(K, [number(a, f"{where}[{k}]") for k, a in enumerate(x)])


# ---------------------------------------------------------------- reading the point format

def matrix(x: object, where: str, rows: int | None = None, cols: int | None = None) -> list[list[Fraction]]:
    """A list of rows of numbers, optionally of a required shape (0 rows allowed only if required)."""
    if not isinstance(x, list) or len(x) > MAX_DIM:
        raise Malformed(f"{where}: expected a matrix (a list of at most {MAX_DIM} rows)")
    if rows is not None and len(x) != rows:
        raise Malformed(f"{where}: expected {rows} rows, got {len(x)}")
    if not x and rows is None:
        raise Malformed(f"{where}: empty matrix")
    out = []
    for i, row in enumerate(x):
        if not isinstance(row, list) or len(row) > MAX_DIM or not isinstance(x[0], list):
            raise Malformed(f"{where}[{i}]: expected a row (a list of numbers)")
        want = cols if cols is not None else len(x[0])
        if len(row) != want:
            raise Malformed(f"{where}[{i}]: expected {want} entries, got {len(row)}")
        if want == 0 and cols is None:
            raise Malformed(f"{where}: empty matrix")
        out.append([element(v, f"{where}[{i}][{j}]") for j, v in enumerate(row)])
    return out


def vector(x: object, where: str, n: int) -> list[Fraction]:
    if not isinstance(x, list) or len(x) != n:
        raise Malformed(f"{where}: expected a list of {n} numbers")
    return [element(v, f"{where}[{i}]") for i, v in enumerate(x)]

# ---------------------------------------------------------------- exact linear algebra

def frob(A: list, B: list) -> Fraction:
    """<A, B> = tr A^T B."""
    charge(sum(map(len, A)) * cost(x for r in A for x in r) * cost(x for r in B for x in r) + 8, "an inner product")
    return sum((sum(map(mul, a, b)) for a, b in zip(A, B)), Fraction(0))


def partial_product(W: list, i: int, j: int, dims: list[int]) -> list[list[Fraction]]:
    """W_{j:i} = W_j ... W_i (1-based); identity of size d_(i-1) when j = i - 1."""
    P = identity(dims[i - 1])
    for h in range(i, j + 1):
        P = matmul(W[h - 1], P)
    return P


def determinant_nonzero(A: list) -> bool:
    """Fraction Gaussian elimination with row pivoting (small minors only)."""
    M = [list(r) for r in A]
    n = len(M)
    charge_elimination(n, n, M, "a minor")
    for k in range(n):
        piv = next((i for i in range(k, n) if M[i][k] != 0), None)
        if piv is None:
            return False
        M[k], M[piv] = M[piv], M[k]
        for i in range(k + 1, n):
            f = M[i][k] / M[k][k]
            if f:
                M[i] = [a - f * b for a, b in zip(M[i], M[k])]
    return True


def _lcm(values) -> int:
    out = 1
    for v in values:
        out = out * v // gcd(out, v)
    return out


def integer_scaled(row: list[Fraction]) -> tuple[list[int], int]:
    """(integers z, denominator d) with row = z / d exactly."""
    d = _lcm({x.denominator for x in row})
    return [x.numerator * (d // x.denominator) for x in row], d


# ---------------------------------------------------------------- the loss along a polynomial curve

def polymat_mul(A: list, B: list) -> list:
    """Product of matrices whose entries are polynomials in t, each given as a list of coefficient matrices."""
    out: list = []
    for a_deg, Ak in enumerate(A):
        for b_deg, Bk in enumerate(B):
            if not any(any(r) for r in Ak) or not any(any(r) for r in Bk):
                continue
            prod = matmul(Ak, Bk)
            deg = a_deg + b_deg
            while len(out) <= deg:
                out.append(None)
            out[deg] = prod if out[deg] is None else [[x + y for x, y in zip(r, s)] for r, s in zip(out[deg], prod)]
    rows, cols = len(A[0]), len(B[0][0]) if B[0] else 0
    return [m if m is not None else [[Fraction(0)] * cols for _ in range(rows)] for m in out] or [[[Fraction(0)] * cols for _ in range(rows)]]


def loss_polynomial(pb: dict, curve: list) -> list[Fraction]:
    """Coefficients (t^0, t^1, ...) of L(W(t)) for W_h(t) = sum_k t^k curve[h][k], expanded exactly."""
    R = [pb["X"]]
    for layer in curve:
        R = polymat_mul(layer, R)
    R[0] = [[p - y for p, y in zip(r, s)] for r, s in zip(R[0], pb["Y"])]
    coeffs = [Fraction(0)] * (2 * max(len(R), max(len(c) for c in curve)) - 1)
    for a, Ra in enumerate(R):
        for b, Rb in enumerate(R):
            coeffs[a + b] += frob(Ra, Rb) / 2
    for lam, layer in zip(pb["lambda"], curve):
        if lam:
            for a, Ca in enumerate(layer):
                for b, Cb in enumerate(layer):
                    coeffs[a + b] += lam * frob(Ca, Cb) / 2
    return coeffs


# ---------------------------------------------------------------- work predicted from the shapes
# An expansion, a gradient or a psd_hessian over a field is priced from the shapes, the written-nonzero
# pattern and the bit sizes of its inputs before it starts, and refused at once when the price exceeds what
# is left of MAX_WORK (the work itself is still charged as it happens). Growth of the entries is not priced,
# so the price is of the order of the charges the work then makes (FORMAT.md, Caps).

def _written(M: list) -> bool:
    """Some entry of M is written as nonzero (structural: no arithmetic, no sign test at theta)."""
    return any(getattr(x, "n", x) for r in M for x in r)


def require(units: int, what: str) -> None:
    """Refuse now (malformed) when the predicted units do not fit in what is left of MAX_WORK."""
    if _spent[0] + units > MAX_WORK:
        raise Malformed(f"checking {what} needs about {units} units of arithmetic (predicted from its shapes "
                        f"before any of it is done), more than is left of MAX_WORK = {MAX_WORK}")


PATTERN_STEPS = 200_000     # operations expansion_units may spend following the zero pattern (then: dense)


def _pattern(M: list) -> list[int]:
    """The rows of M as bit masks of the entries written nonzero (structural, as _written)."""
    return [sum(1 << j for j, x in enumerate(r) if getattr(x, "n", x)) for r in M]


def expansion_units(pb: dict, curve: list) -> int:
    """The price of loss_polynomial(pb, curve): in polymat_mul, layer by layer, one product of entries per entry
    C_ik written nonzero and entry of row k of the other factor that may be nonzero, and in the |R|^2 inner
    products one per position where both factors may be nonzero. Where entries may be nonzero is followed
    structurally (bit masks of the written zeros: a product's entry may be nonzero when some term's factors both
    may be; the aligned points of a transport are mostly zeros). A product of entries costs F(x) F(y), + 2 over a
    field (product_weight, at the mean F of each matrix; F of an entry of a product is taken as the larger F of
    its factors: the growth of the entries is not priced)."""
    X, dims = pb["X"], pb["dims"]
    m = len(X[0])
    R = {0: (_mean_weight(x for r in X for x in r), _pattern(X))} if _written(X) else {}
    extra = 0 if _FIELD[0] is None else 2        # an element's own charge and its matrix product's unit
    units = 0
    steps = 0                # work of following the patterns; past PATTERN_STEPS every pattern is taken as dense
    full = (1 << m) - 1
    for h, layer in enumerate(curve):
        rows = dims[h + 1]
        out: dict = {}
        for a, C in enumerate(layer):
            fa = _mean_weight(x for r in C for x in r)
            if not fa:
                continue
            support = [[k for k, x in enumerate(r) if getattr(x, "n", x)] for r in C]
            written = sum(map(len, support))
            seen: dict = {}              # the product's pattern and count for each pattern of R_b (often all alike)
            for b, (fb, rb) in R.items():
                key = tuple(rb)
                if key not in seen:
                    steps += written + len(rb)
                    if steps > PATTERN_STEPS:
                        seen[key] = ([full if ks else 0 for ks in support], written * m)
                    else:
                        counts = [x.bit_count() for x in rb]
                        pattern = []
                        for ks in support:
                            mask = 0
                            for k in ks:
                                mask |= rb[k]
                            pattern.append(mask)
                        seen[key] = (pattern, sum(counts[k] for ks in support for k in ks))
                pattern, pairs = seen[key]
                units += pairs * (fa * fb + extra) + rows * m + 8
                f_old, p_old = out.get(a + b, (0, [0] * rows))
                out[a + b] = (max(f_old, fa, fb), [x | y for x, y in zip(p_old, pattern)])
        R = out
    f0, p0 = R.get(0, (0, [0] * dims[-1]))
    R[0] = (max(f0, _mean_weight(x for r in pb["Y"] for x in r)), [x | y for x, y in zip(p0, _pattern(pb["Y"]))])
    groups: dict = {}                    # pattern -> (sum of F, count): the inner products by pairs of patterns
    for f, pattern in R.values():
        total, count = groups.get(tuple(pattern), (0, 0))
        groups[tuple(pattern)] = (total + f, count + 1)
    if len(groups) ** 2 * dims[-1] > PATTERN_STEPS:      # many patterns: one group, their union (a larger count)
        union = [0] * dims[-1]
        for pattern in groups:
            union = [x | y for x, y in zip(union, pattern)]
        groups = {tuple(union): (sum(f for f, _ in groups.values()), sum(c for _, c in groups.values()))}
    for pa, (fa, na) in groups.items():
        for pb_, (fb, nb) in groups.items():
            both = sum((x & y).bit_count() for x, y in zip(pa, pb_))
            units += both * (fa * fb + extra * na * nb) + 8 * na * nb
    return units


# ---------------------------------------------------------------- gradient and Hessian

_PRODUCTS: list = [(), None]        # (the W, X, Y lists they were computed from, (A, C, G)): read-only, reused


def _products(pb: dict) -> tuple[list, list, list]:
    """A_h = W_{H:h+1}, C_h = W_{h-1:1} for h = 1..H (lists indexed h-1), and G; computed once for the same
    W, X and Y objects (the gradient of `critical` and the Hessian of `psd_hessian` share them)."""
    key = (pb["W"], pb["X"], pb["Y"])
    if len(_PRODUCTS[0]) != 3 or any(a is not b for a, b in zip(_PRODUCTS[0], key)):
        _PRODUCTS[:] = [key, _compute_products(pb)]
    return _PRODUCTS[1]


def _compute_products(pb: dict) -> tuple[list, list, list]:
    W, dims, H = pb["W"], pb["dims"], len(pb["W"])
    C = [identity(dims[0])]
    for h in range(1, H):
        C.append(matmul(W[h - 1], C[-1]))
    A = [identity(dims[H])]
    for h in range(H - 1, 0, -1):
        A.insert(0, matmul(A[0], W[h]))
    P = matmul(W[H - 1], C[H - 1])
    Sxx = matmul(pb["X"], transpose(pb["X"], pb["dims"][0]))
    Syx = matmul(pb["Y"], transpose(pb["X"], pb["dims"][0]))
    G = [[s - p for s, p in zip(r, q)] for r, q in zip(Syx, matmul(P, Sxx))]
    return A, C, G


def gradient_units(pb: dict) -> int:
    """The price of gradient(pb) over a field: the matrix products of _products and of the gradient blocks, at
    the mean product_weight of the weights and data (the growth along the chains is not priced)."""
    W, dims, H, m = pb["W"], pb["dims"], len(pb["W"]), len(pb["X"][0])
    f = max(_mean_weight(x for M in W + [pb["X"], pb["Y"]] for r in M for x in r), 1)
    shapes = ([(dims[h], dims[h - 1], dims[0]) for h in range(1, H)] + [(dims[H], dims[h + 1], dims[h]) for h in range(1, H)]
              + [(dims[H], dims[H - 1], dims[0]), (dims[0], m, dims[0]), (dims[H], m, dims[0]), (dims[H], dims[0], dims[0])]
              + [s for h in range(1, H + 1) for s in ((dims[h], dims[H], dims[0]), (dims[h], dims[0], dims[h - 1]))])
    return sum(r * k * c * (f * f + 2) + r * c + 8 for r, k, c in shapes)


def gradient(pb: dict) -> list:
    """dL/dW_h = -W_{H:h+1}^T G W_{h-1:1}^T + lambda_h W_h (docs/maths/README.md §2)."""
    if _FIELD[0] is not None:
        require(gradient_units(pb), "the gradient over the field")
    A, C, G = _products(pb)
    dims, out = pb["dims"], []
    for h, (Ah, Ch, Wh, lam) in enumerate(zip(A, C, pb["W"], pb["lambda"])):
        g = matmul(matmul(transpose(Ah, dims[h + 1]), G), transpose(Ch, dims[0]))
        out.append([[lam * w - x for w, x in zip(wr, gr)] for wr, gr in zip(Wh, g)])
    return out


def hessian(pb: dict) -> list[list[Fraction]]:
    """The n x n Hessian of L in layer-major, row-major order (docs/maths/hessian_inertia.md §1, loss with the 1/2):
    Gauss-Newton block (h,k) = (A_h^T A_k) kron (C_h Sxx C_k^T); for h < k the entry between
    (W_k)_{ab} and (W_h)_{cd} gains -(A_k^T G C_h^T)_{ad} (W_{k-1:h+1})_{bc}; plus lambda_h on the diagonal.
    Deliberately not exactdln/landscape/derivatives.py: the checker shares no code with the engine."""
    W, dims, H = pb["W"], pb["dims"], len(pb["W"])
    A, C, G = _products(pb)
    Sxx = matmul(pb["X"], transpose(pb["X"], dims[0]))
    CX = [matmul(Ch, Sxx) for Ch in C]
    offset = [0]
    for h in range(H):
        offset.append(offset[-1] + dims[h] * dims[h + 1])
    n = offset[-1]
    # the block loops below: about n^2 products (Gauss-Newton) plus n^2 (curvature terms) and the mirror,
    # of entries of products of up to 2H weights and Sigma_XX
    grow = 1 + (2 * H * bits(x for M in W for r in M for x in r) + bits(x for r in Sxx for x in r)) // 512
    charge(3 * n * n * grow * grow, "the Hessian")
    Hm = [[Fraction(0)] * n for _ in range(n)]
    for h in range(H):
        AhT = transpose(A[h], dims[h + 1])
        for k in range(h, H):
            M1 = matmul(AhT, A[k])                                  # d_h x d_k (0-based h: rows of W_h)
            M2 = matmul(CX[h], transpose(C[k], dims[0]))            # d_(h-1) x d_(k-1)
            for a, m1row in enumerate(M1):
                for b, m2row in enumerate(M2):
                    row = Hm[offset[h] + a * dims[h] + b]
                    base = offset[k]
                    for c, m1 in enumerate(m1row):
                        if m1:
                            start = base + c * dims[k]
                            for d, m2 in enumerate(m2row):
                                row[start + d] += m1 * m2
            if k > h:
                K = matmul(matmul(transpose(A[k], dims[k + 1]), G), transpose(C[h], dims[0]))   # d_k x d_(h-1)
                B = partial_product(W, h + 2, k, dims)                                         # W_{k-1:h+1}, d_(k-1) x d_h
                for a, krow in enumerate(K):
                    for b, brow in enumerate(B):
                        row = Hm[offset[k] + a * dims[k] + b]
                        for c, bv in enumerate(brow):
                            if bv:
                                start = offset[h] + c * dims[h]
                                for d, kv in enumerate(krow):
                                    row[start + d] -= kv * bv
        lam = pb["lambda"][h]
        for p in range(offset[h], offset[h + 1]):
            Hm[p][p] += lam
    # Gauss-Newton blocks sit above the diagonal, the extra term below it: add them and mirror.
    for h in range(H):
        for k in range(h + 1, H):
            for p in range(offset[h], offset[h + 1]):
                row = Hm[p]
                for q in range(offset[k], offset[k + 1]):
                    total = row[q] + Hm[q][p]
                    row[q] = Hm[q][p] = total
    return Hm


# ---------------------------------------------------------------- claims

def check_critical(pb: dict, claim: dict, facts: dict) -> tuple[bool, str]:
    for h, g in enumerate(gradient(pb), start=1):
        for a, row in enumerate(g):
            for b, v in enumerate(row):
                if v:
                    return False, f"gradient entry (layer {h}, [{a}, {b}]) is nonzero"
    facts["critical"] = True
    return True, "the gradient of L is exactly 0"


def check_not_critical(pb: dict, claim: dict, facts: dict) -> tuple[bool, str]:
    H, dims = len(pb["W"]), pb["dims"]
    h = integer(claim.get("layer"), "not_critical.layer", 1, H)
    e = claim.get("entry")
    if not isinstance(e, list) or len(e) != 2:
        raise Malformed("not_critical.entry: expected [a, b]")
    a = integer(e[0], "not_critical.entry[0]", 0, dims[h] - 1)
    b = integer(e[1], "not_critical.entry[1]", 0, dims[h - 1] - 1)
    v = gradient(pb)[h - 1][a][b]
    return (v != 0), f"dL/dW_{h}[{a}][{b}] " + ("is nonzero" if v else "is 0")


def check_rank(pb: dict, claim: dict, facts: dict) -> tuple[bool, str]:
    H, dims = len(pb["W"]), pb["dims"]
    i = integer(claim.get("i"), "rank.i", 1, H)
    j = integer(claim.get("j"), "rank.j", i, H)
    rows_n, cols_n = dims[j], dims[i - 1]
    r = integer(claim.get("rank"), "rank.rank", 0, min(rows_n, cols_n))
    minor = claim.get("minor")
    if not isinstance(minor, dict):
        raise Malformed("rank.minor: expected {\"rows\": [...], \"cols\": [...]}")
    rows = index_list(minor.get("rows"), "rank.minor.rows", rows_n)
    cols = index_list(minor.get("cols"), "rank.minor.cols", cols_n)
    pivots = index_list(claim.get("kernel_pivots"), "rank.kernel_pivots", cols_n)
    kernel = claim.get("kernel")
    if len(rows) != r or len(cols) != r or not isinstance(kernel, list) or len(kernel) != cols_n - r \
            or len(pivots) != cols_n - r:
        raise Malformed(f"rank: need {r} minor rows and cols, {cols_n - r} kernel vectors and pivots")
    V = [vector(v, f"rank.kernel[{t}]", cols_n) for t, v in enumerate(kernel)]
    P = partial_product(pb["W"], i, j, dims)
    name = f"rank W_{{{j}:{i}}} = {r}"
    if not determinant_nonzero([[P[a][b] for b in cols] for a in rows]):
        return False, f"{name}: the given {r} x {r} minor is zero"
    for t, v in enumerate(V):
        if any(x != int(s == t) for s, x in enumerate(v[p] for p in pivots)):
            return False, f"{name}: kernel vectors restricted to kernel_pivots are not the identity"
        if any(sum(map(mul, row, v)) for row in P):
            return False, f"{name}: kernel vector {t} is not in the kernel"
    return True, f"{name} (nonzero minor, {cols_n - r} independent kernel vectors)"


def _direction(pb: dict, x: object, where: str) -> list:
    dims, H = pb["dims"], len(pb["W"])
    if not isinstance(x, list) or len(x) != H:
        raise Malformed(f"{where}: expected a list of {H} matrices")
    return [matrix(m, f"{where}[{h}]", dims[h + 1], dims[h]) for h, m in enumerate(x)]


def check_strict_saddle(pb: dict, claim: dict, facts: dict) -> tuple[bool, str]:
    D = _direction(pb, claim.get("direction"), "strict_saddle.direction")
    curve = [[w, d] for w, d in zip(pb["W"], D)]
    require(expansion_units(pb, curve), "strict_saddle (the expansion of L(W + tD))")
    c = loss_polynomial(pb, curve)
    if c[1] != 0:
        return False, "t^1 coefficient of L(W + tD) is not 0"
    if c[2] >= 0:
        return False, f"t^2 coefficient of L(W + tD) is {number_text(c[2])}, not negative"
    return True, f"L(W + tD) = L(W) + ({number_text(c[2])}) t^2 + O(t^3)"


def check_escape_curve(pb: dict, claim: dict, facts: dict) -> tuple[bool, str]:
    coeffs = claim.get("coefficients")
    if not isinstance(coeffs, list) or not 1 <= len(coeffs) <= MAX_CURVE_DEGREE:
        raise Malformed(f"escape_curve.coefficients: expected a list of 1..{MAX_CURVE_DEGREE} directions")
    if len(coeffs) * len(pb["W"]) > MAX_EXPANSION:
        raise Malformed(f"escape_curve: depth x degree is more than {MAX_EXPANSION}")
    Cs = [_direction(pb, x, f"escape_curve.coefficients[{k}]") for k, x in enumerate(coeffs)]
    curve = [[pb["W"][h]] + [C[h] for C in Cs] for h in range(len(pb["W"]))]
    require(expansion_units(pb, curve), f"escape_curve (the expansion of a degree-{len(Cs)} curve)")
    c = loss_polynomial(pb, curve)
    order = next((k for k in range(1, len(c)) if c[k] != 0), None)
    if order is None:
        return False, "L(W(t)) - L(W) is identically 0"
    if c[order] > 0:
        return False, f"first nonzero coefficient of L(W(t)) - L(W) (t^{order}) is positive"
    facts.setdefault("escape_orders", []).append(order)
    return True, f"L(W(t)) - L(W) = ({number_text(c[order])}) t^{order} + O(t^{order + 1}), order {order}"


ORBIT_PRIME = 2**61 - 1          # a Mersenne prime: independence of kernel vectors is tested in GF(p)


def orbit_direction(pb: dict, h: int, a: int, b: int) -> list[Fraction]:
    """The tangent at s = 0 of W_h -> (I + s E_ab) W_h, W_(h+1) -> W_(h+1) (I - s E_ab) as a parameter vector.

    D_h = E_ab W_h (row a is row b of W_h), D_(h+1) = -W_(h+1) E_ab (column b is minus column a of W_(h+1)).
    With lambda = 0 the loss is constant on this orbit, so at a critical point H v = 0 (differentiate
    L(W(s)) = L(W) twice: H v + (dv/dW)^T grad L = 0). Deliberately not exactdln/landscape/symmetry.py: the
    checker shares no code with the engine."""
    W, dims = pb["W"], pb["dims"]
    offset = [0]
    for k in range(len(W)):
        offset.append(offset[-1] + dims[k] * dims[k + 1])
    v = [Fraction(0)] * offset[-1]
    cols = dims[h - 1]
    for c, x in enumerate(W[h - 1][b]):
        v[offset[h - 1] + a * cols + c] = x
    cols = dims[h]
    for r, row in enumerate(W[h]):
        v[offset[h] + r * cols + b] = -row[a]
    return v


def independent_mod_p(vectors: list[list[Fraction]], coords: list[int]) -> bool:
    """The vectors restricted to coords are linearly independent over GF(p), hence over Q.

    Reduction mod p is a ring map on p-integral rationals, so a nonzero minor mod p is a nonzero minor over Q.
    Sparse incremental elimination: each vector is reduced by the stored rows at its smallest coordinate."""
    p = ORBIT_PRIME
    rows: dict[int, dict[int, int]] = {}
    for v in vectors:
        row = {}
        for i, c in enumerate(coords):
            x = v[c]
            if x:
                if x.denominator % p == 0:
                    return False
                row[i] = x.numerator * pow(x.denominator, -1, p) % p
        row = {i: x for i, x in row.items() if x}
        while row:
            lead = min(row)
            piv = rows.get(lead)
            if piv is None:
                inv = pow(row[lead], -1, p)
                rows[lead] = {i: x * inv % p for i, x in row.items()}
                break
            f = row[lead]
            for i, x in piv.items():
                y = (row.get(i, 0) - f * x) % p
                if y:
                    row[i] = y
                else:
                    row.pop(i, None)
        else:
            return False
    return True


def orbit_generators(claim: dict, key: str, dims: list[int], n: int) -> list[tuple[int, int, int]]:
    """The [h, a, b] of claim[key] (1 <= h <= H-1; 0 <= a, b < d_h, and a < b for the skew E_ab - E_ba of
    orthogonal_orbit_kernel)."""
    H, skew = len(dims) - 1, key == "orthogonal_orbit_kernel"
    given = claim.get(key, [])
    if not isinstance(given, list) or len(given) > n:
        raise Malformed(f"psd_hessian.{key}: expected a list of [h, a, b]")
    out = []
    for t, g in enumerate(given):
        if not isinstance(g, list) or len(g) != 3:
            raise Malformed(f"psd_hessian.{key}[{t}]: expected [h, a, b]")
        h = integer(g[0], f"psd_hessian.{key}[{t}][0]", 1, H - 1)
        a = integer(g[1], f"psd_hessian.{key}[{t}][1]", 0, dims[h] - 1 - skew)
        out.append((h, a, integer(g[2], f"psd_hessian.{key}[{t}][2]", a + 1 if skew else 0, dims[h] - 1)))
    return out


def check_psd_hessian(pb: dict, claim: dict, facts: dict) -> tuple[bool, str]:
    dims = pb["dims"]
    n = sum(dims[h] * dims[h + 1] for h in range(len(dims) - 1))
    if n > MAX_HESSIAN:
        raise Malformed(f"psd_hessian: {n} parameters, more than {MAX_HESSIAN}")
    kernel = claim.get("kernel")
    if not isinstance(kernel, list) or len(kernel) > n:
        raise Malformed("psd_hessian.kernel: expected a list of vectors")
    V = [vector(v, f"psd_hessian.kernel[{t}]", n) for t, v in enumerate(kernel)]
    gens = orbit_generators(claim, "orbit_kernel", dims, n)
    skews = orbit_generators(claim, "orthogonal_orbit_kernel", dims, n)
    pivots = index_list(claim.get("kernel_pivots"), "psd_hessian.kernel_pivots", n)
    key = "congruence" if "congruence" in claim else "ldl"
    ldl = claim.get(key)
    if not isinstance(ldl, dict) or len(pivots) != len(V) + len(gens) + len(skews) or "ldl" in claim and key != "ldl":
        raise Malformed("psd_hessian: need ldl {free, perm, L, D} or congruence {free, T}, one pivot per kernel vector")
    free = index_list(ldl.get("free"), f"psd_hessian.{key}.free", n)
    q = len(free)
    if key == "congruence":
        Tm = matrix(ldl.get("T"), "psd_hessian.congruence.T", q, q)
        perm, Lm, Dv = list(range(q)), identity(q), []
    else:
        perm = index_list(ldl.get("perm"), "psd_hessian.ldl.perm", q)
        Lm = matrix(ldl.get("L"), "psd_hessian.ldl.L", q, q)
        Dv = vector(ldl.get("D"), "psd_hessian.ldl.D", q)
    if len(perm) != q:
        raise Malformed("psd_hessian.ldl.perm: not a permutation of 0..q-1")
    if set(free) | set(pivots) != set(range(n)) or set(free) & set(pivots):
        return False, "free is not the complement of kernel_pivots"
    O = [orbit_direction(pb, h, a, b) for h, a, b in gens]
    # E_ab - E_ba: the orthogonal group keeps W_{H:1} and every ||W_h||, so any lambda (module docstring of FORMAT.md)
    O += [[x - y for x, y in zip(orbit_direction(pb, h, a, b), orbit_direction(pb, h, b, a))] for h, a, b in skews]
    if _FIELD[0] is not None and key == "ldl":    # a congruence is charged as it goes (its Hessian costs far less)
        require(psd_field_units(pb, n, V, O), f"psd_hessian over the field ({n} parameters)")
    if gens or skews:
        # orbit directions are in ker H only at a critical point (symmetry); GL ones only without regularizer
        if gens and any(pb["lambda"]):
            return False, "orbit_kernel needs lambda = 0 (the regularizer is not GL-invariant)"
        if not facts.get("critical") and any(x for g in gradient(pb) for row in g for x in row):
            return False, "orbit_kernel needs a critical point (the gradient is nonzero)"
        if _FIELD[0] is not None:
            if not independent_at_theta(O + V, sorted(pivots)):
                return False, "kernel vectors (orbit and explicit) restricted to kernel_pivots are not independent"
        elif not independent_mod_p(O + V, sorted(pivots)):
            return False, "kernel vectors (orbit and explicit) restricted to kernel_pivots are not independent mod p"
    else:
        for t, v in enumerate(V):
            if any(v[p] != int(s == t) for s, p in enumerate(pivots)):
                return False, "kernel vectors restricted to kernel_pivots are not the identity"
    for i, row in enumerate(Lm):
        if row[i] != 1 or any(row[i + 1:]):
            return False, f"L is not unit lower-triangular (row {i})"
    if any(d < 0 for d in Dv):
        return False, "D has a negative entry"
    if skews and key == "ldl" and _FIELD[0] is not None:
        raise Malformed("psd_hessian.orthogonal_orbit_kernel: with ldl over the rationals, or with a congruence")
    if key == "congruence":
        return psd_by_congruence(pb, V, gens, free, Tm, skews, facts)
    if _FIELD[0] is not None:
        return psd_over_field(pb, V, gens, free, perm, Lm, Dv)
    # Exact integer arithmetic: H = Hint / hden, v = z / dv. Each loop is charged before it runs: H v
    # over the support of each kernel vector, and the q(q+1)(q+2)/6 products of L D L^T.
    Hm = hessian(pb)
    hden = _lcm({x.denominator for row in Hm for x in row})
    Hint = [[x.numerator * (hden // x.denominator) for x in row] for row in Hm]
    del Hm
    size_H = cost(x for row in Hint for x in row)
    for t, v in enumerate(V):
        z, _ = integer_scaled(v)
        support = [p for p in range(n) if z[p]]
        zs = [z[p] for p in support]
        charge(len(support) * n * size_H * cost(zs) + n, "psd_hessian (H v)")
        for row in Hint:
            if sum(map(mul, [row[p] for p in support], zs)):
                return False, f"kernel vector {t}: H v != 0"
    # B[perm][:, perm] == L diag(D) L^T with B = H[free, free]; rows of L as integers over den_i.
    Dden = _lcm({d.denominator for d in Dv})
    Dint = [d.numerator * (Dden // d.denominator) for d in Dv]
    rows = [integer_scaled(r[:i + 1]) for i, r in enumerate(Lm)]
    LD = [[x * y for x, y in zip(z, Dint)] for z, _ in rows]
    idx = [free[p] for p in perm]
    charge((q * (q + 1) * (q + 2) // 6 + 1) * cost(x for r in LD for x in r) * cost(x for z, _ in rows for x in z)
           + q * q * size_H, "psd_hessian (L D L^T)")
    for i in range(q):
        zi, di = rows[i]
        Hrow = Hint[idx[i]]
        for k in range(i + 1):
            zk, dk = rows[k]
            s = sum(map(mul, LD[i][:k + 1], zk))
            # (L D L^T)_ik = s / (di dk Dden) must equal Hint[idx i][idx k] / hden
            if s * hden != Hrow[idx[k]] * di * dk * Dden:
                return False, f"B[perm][:, perm] != L D L^T at ({i}, {k})"
    how = _kernel_text(V, gens, skews)
    if not V and all(d > 0 for d in Dv):
        # the kernel is exactly the orbit's tangent space and H is positive definite across it (local_minimizer)
        facts["kernel_is_orbit"] = True
    return True, (f"Hessian ({n} x {n}) is congruent to diag(0_{len(V) + len(gens) + len(skews)}, L D L^T) with "
                  f"D >= 0{how}: no negative eigenvalue"
                  + ("; D > 0 and the kernel is spanned by orbit tangents" if facts.get("kernel_is_orbit") else ""))


def product_weight(x) -> int:
    """F(x) with F(x) F(y) + 1 about the units of the product x * y as Alg.__mul__ charges them (coefficients
    times 1 + bits // 1024, the blocks of mul_units; a rational counts one coefficient of 1 + bits // 512, the
    blocks of cost); 0 for an entry written as 0."""
    if isinstance(x, Alg):
        if not x.n:
            return 0
        return min(len(x.n), len(x.K.m) - 1) * (1 + max(abs(c).bit_length() for c in x.n) // 1024)
    if not x:
        return 0
    return 1 + (abs(x.numerator).bit_length() + x.denominator.bit_length()) // 512


def _mean_weight(values) -> int:
    ws = [w for w in map(product_weight, values) if w]
    return sum(ws) // len(ws) if ws else 0


def psd_field_units(pb: dict, n: int, V: list, orbit: list) -> int:
    """The price, from the shapes, of what psd_hessian over the field does before psd_over_field prices its own
    loops exactly: the Hessian (one product per Gauss-Newton entry of the blocks h <= k, of weight-sized
    factors; the growth of the products of weights is not priced) and the elimination that tests the
    independence of the kernel vectors (one product per written-nonzero entry of their restriction)."""
    dims = pb["dims"]
    sizes = [dims[h] * dims[h + 1] for h in range(len(dims) - 1)]
    w = _mean_weight(x for M in pb["W"] for r in M for x in r)
    blocks = sum(a * b for i, a in enumerate(sizes) for b in sizes[i:])
    entries = sum(1 for v in V + orbit for x in v if product_weight(x))
    return 3 * n * n + blocks * (w * w + 1) + entries * (w * w + 1)


def independent_at_theta(vectors: list, coords: list[int]) -> bool:
    """The vectors restricted to coords are linearly independent over the field: Gaussian elimination without
    division (row_i <- p row_i - f row_pivot, which scales a row by the pivot p, nonzero at theta, and so keeps the
    rank), every pivot tested for zero at theta exactly (Field.is_zero), so neither an inverse modulo m nor a
    residue map nor the irreducibility of the polynomial is needed. The pivot of a column is its smallest
    candidate (product_weight), which keeps the growth of the rows down."""
    rows = [[v[c] for c in coords] for v in vectors]
    rank = 0
    for col in range(len(coords)):
        candidates = sorted((product_weight(rows[i][col]), i) for i in range(rank, len(rows))
                            if getattr(rows[i][col], "n", rows[i][col]))
        piv = next((i for _, i in candidates if rows[i][col]), None)
        if piv is None:
            continue
        rows[rank], rows[piv] = rows[piv], rows[rank]
        top = rows[rank]
        p = top[col]
        for i in range(rank + 1, len(rows)):
            f = rows[i][col]
            if getattr(f, "n", f):
                row = rows[i]
                rows[i] = row[:col] + [Fraction(0)] + [p * a - f * b if getattr(b, "n", b) else p * a
                                                         for a, b in zip(row[col + 1:], top[col + 1:])]
        rank += 1
        if rank == len(rows):
            return True
    return rank == len(rows)


def psd_over_field(pb: dict, V: list, gens: list, free: list, perm: list, Lm: list, Dv: list) -> tuple[bool, str]:
    """The rest of psd_hessian with entries in the field (priced by psd_field_units before anything was done):
    H v = 0 for the explicit kernel vectors and B[perm][:, perm] = L diag(D) L^T, each entry compared at theta
    exactly (the congruence of the rational case, the same argument over the real field K)."""
    entry, q = HessianEntries(pb), len(free)
    n = entry.n
    bad = kernel_failure(entry, n, V)
    if bad:
        return False, bad
    idx = [free[p] for p in perm]
    LD = [[x * d for x, d in zip(row, Dv)] for row in Lm]
    for i in range(q):
        for k in range(i + 1):
            s = sum((LD[i][j] * Lm[k][j] for j in range(k + 1) if getattr(Lm[k][j], "n", Lm[k][j])), Fraction(0))
            if s != entry(idx[i], idx[k]):
                return False, f"B[perm][:, perm] != L D L^T at ({i}, {k})"
    how = _kernel_text(V, gens, [])
    return True, (f"Hessian ({n} x {n}) over the field is congruent to diag(0_{len(V) + len(gens)}, L D L^T) with "
                  f"D >= 0 at theta{how}: no negative eigenvalue")


def kernel_failure(entry, n: int, V: list) -> str | None:
    """None when H v = 0 for every explicit kernel vector v (entries in Q or in the field), else which fails. H is
    read entry by entry (HessianEntries), only its columns on the support of v; a coefficient 1 (the unit vectors
    of zero rows) needs no product."""
    for t, v in enumerate(V):
        support = [p for p in range(n) if getattr(v[p], "n", v[p])]
        for r in range(n):
            if sum((entry(r, p) if type(v[p]) is Fraction and v[p] == 1 else _product(entry(r, p), v[p])
                    for p in support), Fraction(0)):
                return f"kernel vector {t}: H v != 0"
    return None


def _product(x, y):
    """x y, charged: a field element charges its products itself (Alg.__mul__), two rationals as matmul would."""
    if not isinstance(x, Alg) and not isinstance(y, Alg):
        charge(cost((x,)) * cost((y,)) + 1, "a Hessian entry")
    return x * y


class HessianEntries:
    """H_ij on demand, without the rest of H: for parameters i = (W_h)_ab, j = (W_k)_cd, h <= k (A_h = W_{H:h+1},
    C_h = W_{h-1:1}; FORMAT.md "Number fields", docs/maths/algebraic.md §16), the entry hessian() builds:

        H_ij = (A_h^T A_k)_ac (C_h Sxx C_k^T)_bd - [h < k] (A_k^T G C_h^T)_cb (W_{k-1:h+1})_da + [i = j] lambda_h.

    The four small matrices of a pair of layers are computed when an entry of the pair is first read; a factor
    written as 0 skips its product (no test at theta)."""

    def __init__(self, pb: dict):
        self.pb, self.dims, self.blocks, self.cache, self.offset = pb, pb["dims"], {}, {}, [0]
        for h in range(len(pb["W"])):
            self.offset.append(self.offset[-1] + self.dims[h] * self.dims[h + 1])
        self.n = self.offset[-1]                       # the number of parameters, the order of H

    def block(self, h: int, k: int) -> tuple:
        if (h, k) not in self.blocks:
            (A, C, G), dims, X = _products(self.pb), self.dims, self.pb["X"]
            if ("CX", h) not in self.blocks:
                self.blocks[("CX", h)] = matmul(C[h], matmul(X, transpose(X, dims[0])))
            M1 = matmul(transpose(A[h], dims[h + 1]), A[k])                          # d_h x d_k (1-based widths)
            M2 = matmul(self.blocks[("CX", h)], transpose(C[k], dims[0]))             # d_(h-1) x d_(k-1)
            Kc = matmul(matmul(transpose(A[k], dims[k + 1]), G), transpose(C[h], dims[0])) if k > h else None
            Bm = partial_product(self.pb["W"], h + 2, k, dims) if k > h else None  # W_{k-1:h+1}, d_(k-1) x d_h
            self.blocks[(h, k)] = (M1, M2, Kc, Bm)
        return self.blocks[(h, k)]

    def __call__(self, i: int, j: int):
        i, j = min(i, j), max(i, j)
        if (i, j) not in self.cache:
            (h, a, b), (k, c, d) = ((g, *divmod(x - self.offset[g], self.dims[g])) for x in (i, j)
                                    for g in [next(g for g in range(len(self.dims)) if x < self.offset[g + 1])])
            M1, M2, Kc, Bm = self.block(h, k)
            charge(4, "a Hessian entry")
            value = Fraction(self.pb["lambda"][h] if i == j else 0)
            for x, y, sign in ((M1[a][c], M2[b][d], 1), (Kc[c][b], Bm[d][a], -1) if Kc else (0, 0, 0)):
                if getattr(x, "n", x) and getattr(y, "n", y):
                    value = value + _product(x, y) if sign > 0 else value - _product(x, y)
            self.cache[(i, j)] = value
        return self.cache[(i, j)]


def scaled_bounds(x, p: int) -> tuple[int, int]:
    """Integers (a, b) with a <= 2^p x <= b, x rational or in the field at theta. With theta in [c - r, c + r],
    c = u / W, r = s / W, and x = sum_k n_k theta^k / d: x(theta) = x(c) + e, |e| <= r sum_(k>=1) k |n_k| R^(k-1) for
    R = |c| + r (the mean value theorem), both over the common denominator W^(len n - 1) d (Horner in integers)."""
    if not isinstance(x, Alg):
        return (x.numerator << p) // x.denominator, -((-x.numerator << p) // x.denominator)
    n, K = x.reduced(), x.K
    if not n:
        return 0, 0
    w = K.lo.denominator * K.hi.denominator // gcd(K.lo.denominator, K.hi.denominator)
    a1, a2 = K.lo.numerator * (w // K.lo.denominator), K.hi.numerator * (w // K.hi.denominator)
    W, u, s = 2 * w, a1 + a2, a2 - a1
    R, top = abs(u) + s, len(n) - 1
    charge(3 * len(n) * mul_units(cost(n) + len(n) * cost([R, W]), cost([R, W])) + 1, "an enclosure at theta")
    value, slope, scale = n[top], 0, 1
    for k in range(top - 1, -1, -1):
        scale *= W                                  # W^(top - k)
        slope = slope * R + (k + 1) * abs(n[k + 1]) * (scale // W)
        value = value * u + n[k] * scale
    den, error = scale * x.d, slope * s
    return ((value - error) << p) // den, -((-(value + error) << p) // den)


def _kernel_text(V: list, gens: list, skews: list) -> str:
    """" (k orbit directions, ... explicit)": how the kernel of a psd_hessian claim was given (message text)."""
    if skews:
        return f" ({len(skews)} orthogonal orbit directions, {len(gens)} other orbit directions, {len(V)} explicit)"
    return f" ({len(gens)} orbit directions, {len(V)} explicit)" if gens else ""


def psd_by_congruence(pb: dict, V: list, gens: list, free: list, Tm: list, skews: list,
                      facts: dict) -> tuple[bool, str]:
    """psd_hessian with a congruence {free, T}, T an integer matrix: B = H[free, free] is positive definite when
    M = T B T^T is strictly diagonally dominant with a positive diagonal. By Gershgorin every eigenvalue of the
    symmetric M lies in some [M_ii - r_i, M_ii + r_i], r_i = sum_(j != i) |M_ij|, so M is positive definite; then T
    is invertible (T^T x = 0 would give x^T M x = 0) and y^T B y = x^T M x > 0 for y = T^T x. With the kernel vectors
    independent on the complement of free, H is congruent to diag(0, B) (as with ldl). No product in the field:
    each B_ij is enclosed in [c_ij - r_ij, c_ij + r_ij] at theta (scaled_bounds, integers over 2^(p+1)), so that
    M_ij lies in (T c T^T)_ij +- (|T| r |T|^T)_ij; when the test is undecided the interval of theta is bisected
    (16 times a round, at most 64 rounds, p growing by 64) until it is decided either way. With no explicit kernel
    vector the kernel is then exactly the span of the orbit tangents (``gens``, and ``skews`` for the orthogonal
    ones) and B is positive definite: facts["kernel_is_orbit"], which local_minimizer needs."""
    if any(not isinstance(t, Fraction) or t.denominator != 1 for r in Tm for t in r):
        raise Malformed("psd_hessian.congruence.T: expected integers")
    # only the entries the claim reads: B (lower triangle) and the columns of H on the supports of the explicit
    # kernel vectors (H v = 0); the orbit tangents need none (FORMAT.md, "Why orbit tangents need no multiplication")
    entry = HessianEntries(pb)
    n, q, K = entry.n, len(free), _FIELD[0]
    bad = kernel_failure(entry, n, V)
    if bad:
        return False, bad
    B = [[entry(i, j) for j in free[:k + 1]] for k, i in enumerate(free)]        # B_ij, j <= i
    T = [[t.numerator for t in r] for r in Tm]
    A = [[abs(t) for t in r] for r in T]
    for rounds in range(64):
        box = [[scaled_bounds(x, 64 * (rounds + 1)) for x in row] for row in B]
        ends = [[box[max(i, j)][min(i, j)] for j in range(q)] for i in range(q)]
        Mc = matmul(matmul(T, [[a + b for a, b in row] for row in ends]), transpose(T, q))    # 2^(p+1) M, centre
        Mr = matmul(matmul(A, [[b - a for a, b in row] for row in ends]), transpose(A, q))    # and radius
        undecided = False
        for i in range(q):
            big = sum(abs(c) + r for j, (c, r) in enumerate(zip(Mc[i], Mr[i])) if j != i)      # >= sum |M_ij|
            small = sum(max(abs(c) - r, 0) for j, (c, r) in enumerate(zip(Mc[i], Mr[i])) if j != i)
            if Mc[i][i] + Mr[i][i] <= small:
                return False, f"T B T^T is not strictly diagonally dominant with a positive diagonal (row {i})"
            undecided = undecided or Mc[i][i] - Mr[i][i] <= big
        if not undecided:
            how = _kernel_text(V, gens, skews)
            orbit = not V
            if orbit:
                # the kernel is exactly the orbit's tangent space and H is positive definite across it
                facts["kernel_is_orbit"] = True
            return True, (f"Hessian ({n} x {n}) is congruent to diag(0_{len(V) + len(gens) + len(skews)}, B) and "
                          f"T B T^T is strictly diagonally dominant{how}: B positive definite, no negative eigenvalue"
                          + ("; the kernel is spanned by orbit tangents" if orbit else ""))
        for _ in range(16 if K is not None and K.lo != K.hi else 0):
            K._bisect()
    return False, "T B T^T is not shown strictly diagonally dominant (64 rounds of enclosures)"


def check_top_eigenspace(pb: dict, claim: dict, facts: dict) -> tuple[bool, str]:
    dims = pb["dims"]
    dx, dy, r_max = dims[0], dims[-1], min(dims)
    if any(pb["lambda"]):
        return False, "top_eigenspace needs lambda = 0"
    # "rank" (optional, default r_max): r < r_max is allowed when Sigma vanishes off range Q (Ky Fan)
    r = claim.get("rank", r_max)
    if type(r) is not int or not 0 < r <= r_max:
        raise Malformed("top_eigenspace.rank must be an integer in 1..r_max")
    Q = matrix(claim.get("Q"), "top_eigenspace.Q", dy, r)
    Z = matrix(claim.get("Z"), "top_eigenspace.Z", dx, r)
    N = matrix(claim.get("N"), "top_eigenspace.N", dy if dy > r else 0, dy - r)
    c = number(claim.get("c"), "top_eigenspace.c")
    Sigma = sigma_from_data(pb["X"], pb["Y"])
    if Sigma is None:
        return False, "Sigma_XX = X X^T is singular"
    P = partial_product(pb["W"], 1, len(pb["W"]), dims)
    if matmul(P, Z) != Q:
        return False, "P Z != Q"
    if r < r_max:
        # every eigenvalue off range Q must be 0 (Sigma is PSD, so N^T Sigma N = 0 says so); then
        # tr(Sigma on range Q) = tr Sigma = the sum of the r_max largest eigenvalues
        QT, NT = transpose(Q, r), transpose(N, dy - r)
        if not positive_definite(matmul(QT, Q)):
            return False, "Q^T Q is not positive definite (rank Q < r)"
        if any(any(row) for row in matmul(QT, N)) or not positive_definite(matmul(NT, N)):
            return False, "N is not a basis of range(Q)-perp"
        if any(any(row) for row in matmul(NT, matmul(Sigma, N))):
            return False, "N^T Sigma N != 0: an eigenvalue off range Q is nonzero, and rank < r_max"
        return True, f"rank {r} < r_max = {r_max} and Sigma vanishes off range W_{{H:1}}: global (Ky Fan)"
    bad = eigenspace_split_failure(Sigma, Q, N, c)
    if bad:
        return False, bad
    return True, f"range W_{{H:1}} is the top-{r} eigenspace of Sigma (eigenvalues split at c = {number_text(c)})"


# ---------------------------------------------------------------- flow_identities_random (exactdln/theory/bah.py)

MAX_FLOW_POINTS = 64


def _data_gradients(pb: dict) -> list:
    """Ghat_h = -W_{H:h+1}^T G W_{h-1:1}^T: the gradient of the data term alone."""
    return gradient(dict(pb, **{"lambda": [Fraction(0)] * len(pb["W"])}))


def _balance(W: list, dims: list[int], j: int) -> list:
    """C_j = W_(j+1)^T W_(j+1) - W_j W_j^T (j = 1..H-1)."""
    a = matmul(transpose(W[j], dims[j]), W[j])
    b = matmul(W[j - 1], transpose(W[j - 1], dims[j - 1]))
    return [[x - y for x, y in zip(r, q)] for r, q in zip(a, b)]


def _lin(*terms) -> list:
    """sum of c * M over (c, M) pairs of equal shape."""
    c0, M0 = terms[0]
    out = [[c0 * x for x in r] for r in M0]
    for c, M in terms[1:]:
        out = [[o + c * x for o, x in zip(ro, r)] for ro, r in zip(out, M)]
    return out


def _flow_defects(pb: dict, eta: Fraction) -> str | None:
    """None if both identities hold exactly at pb's weights, else what failed.

    (i) conservation: d/dt C_j = -(Gh_(j+1)^T W_(j+1) + W_(j+1)^T Gh_(j+1)) + (Gh_j W_j^T + W_j Gh_j^T) = 0
        along the data flow dW_h/dt = -Gh_h;
    (ii) one GD step W+ = W - eta (Gh + lambda W):
        C_j(W+) = (1 - eta l_(j+1))^2 W_(j+1)^T W_(j+1) - (1 - eta l_j)^2 W_j W_j^T
                  + eta^2 (l_(j+1) - l_j)(W_j Gh_j^T + Gh_j W_j^T) + eta^2 (Gh_(j+1)^T Gh_(j+1) - Gh_j Gh_j^T).
    """
    W, dims, lam = pb["W"], pb["dims"], pb["lambda"]
    Gh = _data_gradients(pb)

    def T(A: list, h: int) -> list:      # transpose of a matrix with d_h columns
        return transpose(A, dims[h])
    for j in range(1, len(W)):
        up, lo = W[j], W[j - 1]
        gup, glo = Gh[j], Gh[j - 1]
        upT, loT, gupT, gloT = T(up, j), T(lo, j - 1), T(gup, j), T(glo, j - 1)
        deriv = _lin((-1, matmul(gupT, up)), (-1, matmul(upT, gup)), (1, matmul(glo, loT)), (1, matmul(lo, gloT)))
        if any(any(r) for r in deriv):
            return f"d/dt C_{j} != 0 under the gradient flow"
        Wp = [_lin((1 - eta * lam[h], W[h]), (-eta, Gh[h])) for h in range(len(W))]
        lhs = _balance(Wp, dims, j)
        a, b = lam[j], lam[j - 1]
        rhs = _lin(((1 - eta * a) ** 2, matmul(upT, up)), (-(1 - eta * b) ** 2, matmul(lo, loT)),
                   (eta * eta * (a - b), matmul(lo, gloT)), (eta * eta * (a - b), matmul(glo, loT)),
                   (eta * eta, matmul(gupT, gup)), (-eta * eta, matmul(glo, gloT)))
        if lhs != rhs:
            return f"the gradient-descent defect of C_{j} differs from the formula"
    return None


def _mat_power(A: list, k: int) -> list:
    P = identity(len(A))
    for _ in range(k):
        P = matmul(A, P)
    return P


def _balanced_identities(pb: dict) -> str | None:
    """At balanced factors (C_j = 0): chain rule = integer-power product flow, and the energy identity.

    sum_j W_{H:j+1} (dL/dW_j) W_{j-1:1} = A_W(E) + (sum_j lambda_j) W_{H:1}, with E = -G and
    A_W(Z) = sum_j (W_H W_H^T)^(H-j) Z (W_1^T W_1)^(j-1); and sum_j ||Gh_j||^2 = <E, A_W(E)>.
    """
    W, dims, H = pb["W"], pb["dims"], len(pb["W"])
    A, C, G = _products(pb)
    E = [[-x for x in r] for r in G]
    grads, Gh = gradient(pb), _data_gradients(pb)
    chain = None
    for h in range(H):
        term = matmul(matmul(A[h], grads[h]), C[h])
        chain = term if chain is None else _lin((1, chain), (1, term))
    left = matmul(W[H - 1], transpose(W[H - 1], dims[H - 1]))
    right = matmul(transpose(W[0], dims[1]), W[0])
    AE = None
    for j in range(1, H + 1):
        term = matmul(matmul(_mat_power(left, H - j), E), _mat_power(right, j - 1))
        AE = term if AE is None else _lin((1, AE), (1, term))
    P = matmul(W[H - 1], C[H - 1])
    if chain != _lin((1, AE), (sum(pb["lambda"], Fraction(0)), P)):
        return "the chain-rule derivative of W_{H:1} differs from the integer-power product flow"
    if sum(frob(g, g) for g in Gh) != frob(E, AE):
        return "energy identity sum ||Gh_j||^2 = <E, A_W(E)> fails"
    return None


FLOW_SAMPLE_BOUND = 2**20        # random weight entries are integers in [-2^20, 2^20]: 2^21 + 1 values


def check_flow_identities_random(pb: dict, claim: dict, facts: dict) -> tuple[bool, str]:
    """Conservation laws and the GD defect by random evaluation; the balanced identities exactly.

    Conservation d/dt C_j = 0 and the GD defect formula are polynomial identities in the weight
    entries (data, lambda and eta fixed) of total degree D <= 4H - 2: the data gradient Gh_h has
    degree 2H - 1, a GD step W - eta (Gh + lambda W) too, and C_j of it degree 2(2H - 1). They are
    checked at the certificate's point and at k >= 1 points whose integer entries, uniform in
    [-2^20, 2^20], are drawn here from the operating system's randomness, so the certificate cannot
    choose them. If an identity is false, one entry of it is a nonzero polynomial of degree <= D,
    which vanishes at a uniform point of S^n with probability <= D / |S| (Schwartz 1980, Zippel 1979),
    |S| = 2^21 + 1; k independent draws all miss it with probability <= (D / (2^21 + 1))^k, the bound
    reported. The product-flow and energy identities hold on the balanced variety only; they are
    checked exactly at the certificate's point, which must then be balanced.
    """
    import random as _random
    where = "flow_identities_random"
    eta = number(claim.get("eta"), f"{where}.eta")
    k = integer(claim.get("random_points"), f"{where}.random_points", 1, MAX_FLOW_POINTS)
    H, dims = len(pb["W"]), pb["dims"]
    if H < 2:
        return False, "flow identities need depth H >= 2"
    bad = _flow_defects(pb, eta)
    if bad:
        return False, bad + " at the certificate's point"
    rng = _random.SystemRandom()
    for t in range(k):
        W = [[[Fraction(rng.randint(-FLOW_SAMPLE_BOUND, FLOW_SAMPLE_BOUND)) for _ in range(dims[h])]
              for _ in range(dims[h + 1])] for h in range(H)]
        bad = _flow_defects(dict(pb, W=W), eta)
        if bad:
            return False, bad + f" at random point {t}: the identity is false"
    degree, size = 4 * H - 2, 2 * FLOW_SAMPLE_BOUND + 1
    msg = (f"conservation and GD defect (eta = {number_text(eta)}) hold exactly at the point and at {k} points "
           f"drawn at random by the checker: probabilistic, a false identity (degree <= {degree}) passes with "
           f"probability <= ({degree}/{size})^{k} <= 2^-{int(k * log2(size / degree))} (Schwartz-Zippel)")
    if claim.get("balanced") is True:
        for j in range(1, H):
            if any(any(r) for r in _balance(pb["W"], dims, j)):
                return False, f"point is not balanced: C_{j} != 0"
        bad = _balanced_identities(pb)
        if bad:
            return False, bad
        msg += "; point balanced: product flow (integer powers) and energy identity hold exactly"
    return True, msg


KIND_RULES = {
    "global_minimizer": ({"critical", "top_eigenspace"}, "critical + top_eigenspace"),
    "strict_saddle": ({"critical", "strict_saddle"}, "critical + strict_saddle"),
    "non_strict_saddle": ({"critical", "psd_hessian", "escape_curve"}, "critical + psd_hessian + escape_curve of order >= 3"),
    "not_critical": ({"not_critical"}, "not_critical"),
    "local_minimizer": ({"critical", "psd_hessian"}, "critical + psd_hessian whose kernel is spanned by orbit tangents "
                        "with H positive definite across them (D > 0, or B by a congruence)"),
}


def check_kind(kind: object, verified: set[str], facts: dict) -> tuple[bool, str]:
    """Whether ``kind`` follows from the claims verified (KIND_RULES) and what their checks recorded in ``facts``
    (the orders of the escape curves; whether the Hessian's kernel is exactly the orbit's tangent space)."""
    if not isinstance(kind, str) or kind not in KIND_RULES:
        return False, f"kind {str(kind)[:40]!r} cannot be certified by this format"
    need, text = KIND_RULES[kind]
    if not need <= verified or kind == "local_minimizer" and not facts.get("kernel_is_orbit"):
        return False, f"{kind} is not implied: needs {text} (verified: {', '.join(sorted(verified)) or 'none'})"
    if kind == "non_strict_saddle" and not any(o >= 3 for o in facts.get("escape_orders", [])):
        return False, "non_strict_saddle needs an escape_curve of order >= 3"
    return True, f"{kind} follows from {text}"


def check_transport(pb: dict, claim: dict, facts: dict) -> tuple[bool, str]:
    """W' = (A_1 W_1, A_2 W_2 A_1^-1, ..., W_H A_(H-1)^-1) with A_h B_h = I: a linear bijection phi of the
    parameters with L(phi(V)) = L(V) for every V when lambda = 0 (the product W_{H:1} does not change), so W and
    W' = phi(W) have the same kind; the claims of `claims` are checked at W' (FORMAT.md, "transport")."""
    W, dims, H = pb["W"], pb["dims"], len(pb["W"])
    if facts.get("transport"):
        raise Malformed("transport: at most one transport claim")
    if H < 2:
        raise Malformed("transport: needs at least 2 layers")
    Ws, As, Bs = claim.get("weights"), claim.get("A"), claim.get("A_inverse")
    if not isinstance(Ws, list) or len(Ws) != H:
        raise Malformed(f"transport.weights: expected a list of {H} matrices")
    for key, value in (("A", As), ("A_inverse", Bs)):
        if not isinstance(value, list) or len(value) != H - 1:
            raise Malformed(f"transport.{key}: expected a list of {H - 1} matrices (A_1..A_(H-1))")
    inner = claim.get("claims")
    if not isinstance(inner, list) or not inner:
        raise Malformed("transport.claims: expected a non-empty list")
    for t, c in enumerate(inner):
        if not isinstance(c, dict) or c.get("type") not in TRANSPORTED_CLAIM_TYPES:
            raise Malformed(f"transport.claims[{t}]: expected a claim of type "
                            + ", ".join(TRANSPORTED_CLAIM_TYPES))
    kinds = [c for c in inner if c["type"] == "kind"]
    if len(kinds) != 1:
        raise Malformed("transport.claims: exactly one kind claim")
    moved = [matrix(w, f"transport.weights[{h}]", dims[h + 1], dims[h]) for h, w in enumerate(Ws)]
    A = [matrix(a, f"transport.A[{h}]", dims[h + 1], dims[h + 1]) for h, a in enumerate(As)]
    B = [matrix(b, f"transport.A_inverse[{h}]", dims[h + 1], dims[h + 1]) for h, b in enumerate(Bs)]
    facts["transport"] = True
    if any(pb["lambda"]):
        return False, "transport needs lambda = 0 (the regularizer is not invariant under W_h -> A_h W_h A_(h-1)^-1)"
    for h in range(H - 1):
        if matmul(A[h], B[h]) != identity(dims[h + 1]):
            return False, f"A_{h + 1} A_inverse_{h + 1} is not the identity"
    for h in range(H):
        image = W[h]
        if h < H - 1:
            image = matmul(A[h], image)
        if h > 0:
            image = matmul(image, B[h - 1])
        if image != moved[h]:
            want = ("A_1 W_1" if h == 0 else f"W_{H} A_{H - 1}^-1" if h == H - 1 else f"A_{h + 1} W_{h + 1} A_{h}^-1")
            return False, f"transport.weights[{h}] is not {want} (layer {h + 1})"
    at = dict(pb, W=moved)
    verified, inner_facts, done = set(), {}, []
    for c in inner:
        if c["type"] != "kind":
            ok, msg = CHECKS[c["type"]](at, c, inner_facts)
            if not ok:
                return False, f"at W': {c['type']}: {msg}"
            verified.add(c["type"])
            done.append(f"{c['type']}: {msg}")
    kind = kinds[0].get("kind")
    ok, msg = check_kind(kind, verified, inner_facts)
    if not ok:
        return False, f"at W': {msg}"
    facts["transported_kind"] = kind
    return True, ("W' = phi(W), phi(V)_h = A_h V_h A_(h-1)^-1 (A_h A_h^-1 = I checked), L o phi = L; at W': "
                  + "; ".join(done) + f"; kind {kind}")


CHECKS = {"critical": check_critical, "not_critical": check_not_critical, "rank": check_rank,
          "strict_saddle": check_strict_saddle, "escape_curve": check_escape_curve,
          "psd_hessian": check_psd_hessian, "top_eigenspace": check_top_eigenspace,
          "flow_identities_random": check_flow_identities_random, "transport": check_transport}


# ---------------------------------------------------------------- the certificate

def read_problem(obj: object) -> dict:
    """Check the top level and read X, Y, lambda and the weights."""
    if not isinstance(obj, dict):
        raise Malformed("top level: expected a JSON object")
    if obj.get("format") != "exactdln-certificate":
        raise Malformed('format: expected "exactdln-certificate"')
    if obj.get("version") != 1 or isinstance(obj.get("version"), bool):
        raise Malformed("version: expected 1")
    prob, point = obj.get("problem"), obj.get("point")
    if not isinstance(prob, dict) or not isinstance(point, dict):
        raise Malformed("problem and point must be JSON objects")
    if "field" in obj:                 # entries in Q(theta): the field is verified before any entry is read
        K = Field(obj["field"])
        if K.failure:
            raise Malformed(K.failure)
        _FIELD[0] = K
    X = matrix(prob.get("X"), "problem.X")
    if len(X) * len(X[0]) > MAX_DATA_ENTRIES:
        raise Malformed(f"problem.X: more than {MAX_DATA_ENTRIES} entries")
    Y = matrix(prob.get("Y"), "problem.Y", cols=len(X[0]))
    if (len(X) + len(Y)) * len(X[0]) > MAX_DATA_ENTRIES:
        raise Malformed(f"problem: X and Y have more than {MAX_DATA_ENTRIES} entries")
    Ws = point.get("weights")
    if not isinstance(Ws, list) or not 1 <= len(Ws) <= MAX_LAYERS:
        raise Malformed(f"point.weights: expected a list of 1..{MAX_LAYERS} matrices")
    dims, W = [len(X)], []
    for h, w in enumerate(Ws):
        rows = len(Y) if h == len(Ws) - 1 else None
        W.append(matrix(w, f"point.weights[{h}]", rows, dims[-1]))
        dims.append(len(W[-1]))
        if sum(a * b for a, b in zip(dims, dims[1:])) > MAX_PARAMETERS:
            raise Malformed(f"point.weights: more than {MAX_PARAMETERS} parameters")
    lam = prob.get("lambda", "0")
    if isinstance(lam, list):
        if len(lam) != len(W):
            raise Malformed(f"problem.lambda: expected {len(W)} values, one per layer")
        lams = [number(v, f"problem.lambda[{h}]") for h, v in enumerate(lam)]
    else:
        lams = [number(lam, "problem.lambda")] * len(W)
    if any(v < 0 for v in lams):
        raise Malformed("problem.lambda: must be >= 0")
    return {"X": X, "Y": Y, "W": W, "dims": dims, "lambda": lams}


def check_certificate(obj: object) -> list[tuple[str, bool, str]]:
    """Verify every claim; raises Malformed if the certificate does not follow the format (or its check
    would spend more than MAX_WORK units of arithmetic)."""
    reset_work()
    _FIELD[0] = None
    pb = read_problem(obj)
    claims = obj.get("claims")
    if not isinstance(claims, list) or not claims:
        raise Malformed("claims: expected a non-empty list")
    for t, c in enumerate(claims):
        if not isinstance(c, dict) or c.get("type") not in CLAIM_TYPES:
            shown = c.get("type") if isinstance(c, dict) else None
            raise Malformed(f"claims[{t}]: unknown claim type" + (f" {shown[:40]!r}" if isinstance(shown, str) else ""))
        if _FIELD[0] is not None and c["type"] not in FIELD_CLAIM_TYPES:
            raise Malformed(f"claims[{t}]: {c['type']} is not available for certificates over a number field")
    kinds = [c for c in claims if c["type"] == "kind"]
    if len(kinds) > 1:
        raise Malformed("claims: at most one kind claim")
    results, verified, facts = [], set(), {}
    for c in claims:
        if c["type"] != "kind":
            ok, msg = CHECKS[c["type"]](pb, c, facts)
            results.append((c["type"], ok, msg))
            if ok:
                verified.add(c["type"])
    if kinds:
        kind = kinds[0].get("kind")
        if "transport" in verified and kind == facts.get("transported_kind"):
            results.append(("kind", True, f"{kind} follows from transport: W' = phi(W) with phi linear, invertible "
                                          "and L o phi = L, so W has the kind of W'"))
        else:
            results.append(("kind", *check_kind(kind, verified, facts)))
    return results


if __name__ == "__main__":
    sys.exit(main())
