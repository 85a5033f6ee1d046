"""Standalone checker for exactdln family certificates (format "exactdln-family-certificate" v1).

A family certificate claims that a class (strict or non-strict saddle, global minimizer, not critical)
holds at every real parameter value that satisfies the declared assumptions and lies
outside the zero sets of the listed exceptional polynomials. This file re-verifies it
with its own small multivariate polynomial arithmetic over Fraction (a polynomial is a
dict from exponent tuples to nonzero Fractions) and imports nothing from exactdln:

    python -I -S exactdln/trusted/checker_family.py CERT.json      # exit 0 ok, 1 a claim fails, 2 malformed

Format: exactdln/trusted/FAMILY_FORMAT.md. The engine never imports this file: it runs it
as a separate process (exactdln/certify/gate.py). The block between the "shared block"
markers is kept byte-identical in exactdln/trusted/checker.py (tests/test_independence.py).
Conventions (FORMAT.md):
L(W) = 1/2 ||W_H...W_1 X - Y||_F^2 + sum_h lambda_h/2 ||W_h||_F^2, G = Sigma_YX - W_{H:1} Sigma_XX,
dL/dW_h = -W_{H:h+1}^T G W_{h-1:1}^T + lambda_h W_h.

Every rational-function entry num/den is cleared to polynomials: layer h is What_h / d_h with
d_h the product of the layer's distinct denominators, so every identity is checked in
QQ[params] (and QQ[params, t] for curves) without polynomial division.
"""

from __future__ import annotations

import json
import os
import sys
from fractions import Fraction
from operator import mul

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_DIGITS = 2000
MAX_PARAMETERS = 16
MAX_EXPONENT = 64
MAX_DIM = 12
MAX_LAYERS = 8
MAX_TERMS = 200_000          # any polynomial the checker builds
MAX_HESSIAN = 40             # parameters for psd_hessian (the checker builds the n x n Hessian)
MAX_MINOR = 6                # rank minors are expanded by Laplace
MAX_INPUT_TERMS = 5000       # terms of one polynomial in the file
MAX_FACTOR_DEGREE = 512      # sum over a factorization of |exponent| * degree (bounds its expansion)
MAX_NESTING = 32             # JSON arrays and objects inside each other (checked on the raw text)
MAX_VALUES = 2_000_000       # numbers in arrays over the whole file (checked on the raw text)
MAX_WORK = 10_000_000        # units of arithmetic for the whole check (charge(), in the shared block)
KINDS = ("real", "nonzero", "positive", "negative", "nonnegative")
CLAIM_TYPES = ("critical", "not_critical", "rank", "strict_saddle", "top_eigenspace", "psd_hessian",
               "escape_curve", "kind")
KIND_RULES = {
    "global_minimizer": {"critical", "top_eigenspace"},
    "strict_saddle": {"critical", "strict_saddle"},
    "not_critical": {"not_critical"},
    "non_strict_saddle": {"critical", "psd_hessian", "escape_curve"},
}


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


# ---------------------------------------------------------------- polynomials over Fraction

def padd(p: dict, q: dict, sign: int = 1) -> dict:
    out = dict(p)
    for m, c in q.items():
        v = out.get(m, 0) + sign * c
        if v:
            out[m] = v
        else:
            out.pop(m, None)
    return out


def pmul(p: dict, q: dict) -> dict:
    if len(p) * len(q) > 50 * MAX_TERMS:
        raise Malformed("a polynomial product is too large to check")
    charge(len(p) * len(q) * cost(p.values()) * cost(q.values()), "a polynomial product")
    out: dict = {}
    for m1, c1 in p.items():
        for m2, c2 in q.items():
            m = tuple(a + b for a, b in zip(m1, m2))
            v = out.get(m, 0) + c1 * c2
            if v:
                out[m] = v
            else:
                del out[m]
    if len(out) > MAX_TERMS:
        raise Malformed("a polynomial has too many terms to check")
    return out


def pconst(c, n: int) -> dict:
    return {(0,) * n: Fraction(c)} if c else {}


def pprod(polys, n: int) -> dict:
    out = pconst(1, n)
    for p in polys:
        out = pmul(out, p)
    return out


def ppow(p: dict, e: int, n: int) -> dict:
    return pprod([p] * e, n)


def monic(p: dict) -> dict:
    """p divided by its coefficient at the largest exponent (a canonical generator of its zeros)."""
    lead = p[max(p)]
    return {m: c / lead for m, c in p.items()}


def cannot_vanish(p: dict, kinds: list[str]) -> bool:
    """p != 0 at every point satisfying the assumptions: a definite sign, or a single term whose
    variables are all declared nonzero (positive, negative)."""
    if definite_sign(p, kinds):
        return True
    return len(p) == 1 and all(e == 0 or k in ("nonzero", "positive", "negative") for e, k in zip(next(iter(p)), kinds))


def term_sign(monom: tuple, coeff: Fraction, kinds: list[str]) -> tuple[int, bool] | None:
    """(sign, strict) of one term under the assumptions, or None when undetermined."""
    sign, strict = (1 if coeff > 0 else -1), True
    for e, kind in zip(monom, kinds):
        if e == 0:
            continue
        if e % 2 == 0:
            strict &= kind != "real" and kind != "nonnegative"
        elif kind == "negative":
            sign = -sign
        elif kind == "nonnegative":
            strict = False
        elif kind != "positive":
            return None
    return sign, strict


def definite_sign(p: dict, kinds: list[str]) -> int:
    """+1 / -1 when p has that strict sign at every point satisfying the assumptions, else 0:
    all terms share a weak sign (parity of exponents, declared signs) and one is strict."""
    signs = [term_sign(m, c, kinds) for m, c in p.items()]
    if not signs or None in signs or len({s for s, _ in signs}) != 1 or not any(st for _, st in signs):
        return 0
    return signs[0][0]


# ---------------------------------------------------------------- reading the family format

def poly(x: object, where: str, n: int) -> dict:
    """[[coeff, [e_1..e_n]], ...] -> dict over n + 1 variables (the last is the curve variable t)."""
    if not isinstance(x, list) or len(x) > MAX_INPUT_TERMS:
        raise Malformed(f"{where}: expected a list of at most {MAX_INPUT_TERMS} terms [coefficient, exponents]")
    out: dict = {}
    for k, term in enumerate(x):
        if not isinstance(term, list) or len(term) != 2 or not isinstance(term[1], list) or len(term[1]) != n:
            raise Malformed(f"{where}[{k}]: expected [coefficient, list of {n} exponents]")
        m = tuple(integer(e, f"{where}[{k}] exponent", 0, MAX_EXPONENT) for e in term[1]) + (0,)
        if m in out:
            raise Malformed(f"{where}: repeated exponent vector {list(m[:-1])}")
        c = number(term[0], f"{where}[{k}] coefficient")
        if c:
            out[m] = c
    return out


def ratfun(x: object, where: str, n: int) -> tuple[dict, dict]:
    """{"num": poly, "den": poly (default 1)}; the denominator must not be the zero polynomial."""
    if not isinstance(x, dict) or "num" not in x:
        raise Malformed(f"{where}: expected {{\"num\": ..., \"den\": ...}}")
    num = poly(x["num"], f"{where}.num", n)
    den = poly(x["den"], f"{where}.den", n) if "den" in x else pconst(1, n + 1)
    if not den:
        raise Malformed(f"{where}.den: zero denominator")
    return num, den


def rf_matrix(x: object, where: str, n: int, rows: int | None = None, cols: int | None = None) -> list:
    if not isinstance(x, list) or not x or len(x) > MAX_DIM or (rows is not None and len(x) != rows):
        raise Malformed(f"{where}: expected a matrix with {rows or f'1..{MAX_DIM}'} rows")
    want = cols if cols is not None else (len(x[0]) if isinstance(x[0], list) else -1)
    out = []
    for i, row in enumerate(x):
        if not isinstance(row, list) or len(row) != want or not 1 <= want <= MAX_DIM:
            raise Malformed(f"{where}[{i}]: expected a row of {want} entries")
        out.append([ratfun(v, f"{where}[{i}][{j}]", n) for j, v in enumerate(row)])
    return out


def num_matrix(x: object, where: str, rows: int | None = None, cols: int | None = None) -> list:
    if not isinstance(x, list) or len(x) > 64 or (rows is not None and len(x) != rows):
        raise Malformed(f"{where}: expected a numeric matrix")
    out = []
    for i, row in enumerate(x):
        if not isinstance(row, list) or (cols is not None and len(row) != cols) or len(row) > 64 \
                or (out and len(row) != len(out[0])):
            raise Malformed(f"{where}[{i}]: wrong row length")
        out.append([number(v, f"{where}[{i}][{j}]") for j, v in enumerate(row)])
    return out


# ---------------------------------------------------------------- evidence: factorizations

def factorization(x: object, where: str, fam: dict) -> tuple[Fraction, list]:
    """{"constant": c, "factors": [[poly, exponent], ...]} (exponents nonzero integers)."""
    if not isinstance(x, dict) or not isinstance(x.get("factors"), list) or len(x["factors"]) > 64:
        raise Malformed(f"{where}: expected {{\"constant\": c, \"factors\": [[poly, exponent], ...]}}")
    c = number(x.get("constant"), f"{where}.constant")
    fs = []
    for k, f in enumerate(x["factors"]):
        if not isinstance(f, list) or len(f) != 2:
            raise Malformed(f"{where}.factors[{k}]: expected [poly, exponent]")
        p = poly(f[0], f"{where}.factors[{k}]", fam["n"] - 1)
        e = integer(f[1], f"{where}.factors[{k}] exponent", -MAX_EXPONENT, MAX_EXPONENT)
        if not p or e == 0:
            raise Malformed(f"{where}.factors[{k}]: zero polynomial or zero exponent")
        fs.append((p, e))
    if sum(abs(e) * max(sum(m) for m in p) for p, e in fs) > MAX_FACTOR_DEGREE:
        raise Malformed(f"{where}: the factorization has degree more than {MAX_FACTOR_DEGREE}")
    return c, fs


def equals_factored(num: dict, den: dict, fact: tuple, n: int) -> bool:
    """num / den == c * prod f^e, checked as num * prod_{e<0} f^-e == den * c * prod_{e>0} f^e."""
    c, fs = fact
    lhs = pmul(num, pprod([ppow(f, -e, n) for f, e in fs if e < 0], n))
    rhs = pmul(den, pmul(pconst(c, n), pprod([ppow(f, e, n) for f, e in fs if e > 0], n)))
    return not padd(lhs, rhs, -1)


def factor_sign(fact: tuple, fam: dict, need_sign: bool = True) -> tuple[int, str]:
    """Sign of c * prod f^e at every admissible point outside the exceptional set, or (0, why not).
    A factor is nonzero there if it has a definite sign under the assumptions or is (a constant
    multiple of) an exceptional polynomial; for a sign, an exceptional factor needs an even
    exponent (with need_sign False, the returned +-1 only means "nonzero")."""
    c, fs = fact
    if c == 0:
        return 0, "the constant is 0"
    sign = 1 if c > 0 else -1
    for f, e in fs:
        s = definite_sign(f, fam["kinds"])
        if s:
            sign *= s ** (e % 2)
            continue
        if not cannot_vanish(f, fam["kinds"]) and monic(f) not in fam["exceptional"]:
            return 0, f"factor {text(f, fam)} may vanish and is not in the exceptional set"
        if e % 2 and need_sign:
            return 0, f"factor {text(f, fam)} has odd exponent {e} and no definite sign"
    return sign, ""


def text(p: dict, fam: dict) -> str:
    terms = []
    for m, c in sorted(p.items(), reverse=True)[:6]:
        mon = "*".join(f"{v}^{e}" if e > 1 else v for v, e in zip(fam["names"] + ["t"], m) if e)
        terms.append(number_text(c) + (f"*{mon}" if mon else ""))
    return " + ".join(terms) + (" + ..." if len(p) > 6 else "") or "0"


# ---------------------------------------------------------------- the family, cleared of denominators

def cleared(M: list, n: int) -> tuple[list, dict, list]:
    """A rational matrix as (Mhat, d, dens): M = Mhat / d, d = product of the distinct denominators."""
    dens: list = []
    for row in M:
        for _, den in row:
            if den not in dens:
                dens.append(den)
    d = pprod(dens, n)
    others = [pprod(dens[:k] + dens[k + 1:], n) for k in range(len(dens))]
    return [[pmul(num, others[dens.index(den)]) for num, den in row] for row in M], d, dens


def pmatmul(A: list, B: list, n: int) -> list:
    """A B for matrices of polynomials in n variables."""
    return [[_dot(row, col, n) for col in zip(*B)] for row in A]


def _dot(row, col, n: int) -> dict:
    out: dict = {}
    for a, b in zip(row, col):
        if a and b:
            out = padd(out, pmul(a, b))
    return out


def scale(A: list, p: dict) -> list:
    return [[pmul(a, p) for a in row] for row in A]


def eye(k: int, n: int) -> list:
    return [[pconst(int(i == j), n) for j in range(k)] for i in range(k)]


def numeric(A: list, n: int) -> list:
    return [[pconst(a, n) for a in row] for row in A]


def chain(Ms: list, dim: int, n: int) -> list:
    """M_k ... M_1 applied from the right; identity of size dim for an empty chain."""
    P = eye(dim, n)
    for M in Ms:
        P = pmatmul(M, P, n)
    return P


def read_family(obj: object) -> dict:
    if not isinstance(obj, dict):
        raise Malformed("top level: expected a JSON object")
    if obj.get("format") != "exactdln-family-certificate":
        raise Malformed('format: expected "exactdln-family-certificate"')
    if obj.get("version") != 1 or isinstance(obj.get("version"), bool):
        raise Malformed("version: expected 1")
    params = obj.get("parameters")
    if not isinstance(params, list) or len(params) > MAX_PARAMETERS:
        raise Malformed(f"parameters: expected a list of at most {MAX_PARAMETERS} [name, assumption] pairs")
    names, kinds = [], []
    for k, p in enumerate(params):
        if not isinstance(p, list) or len(p) != 2 or not isinstance(p[0], str) or p[1] not in KINDS \
                or p[0] in names or not p[0].isidentifier():
            raise Malformed(f"parameters[{k}]: expected [name, one of {', '.join(KINDS)}]")
        names.append(p[0])
        kinds.append(p[1])
    n = len(names)
    fam = {"n": n + 1, "names": names, "kinds": kinds + ["real"]}
    ex = obj.get("exceptional")
    if not isinstance(ex, list) or len(ex) > 256:
        raise Malformed("exceptional: expected a list of polynomials")
    fam["exceptional"] = []
    for k, p in enumerate(ex):
        q = poly(p, f"exceptional[{k}]", n)
        if not q or set(q) == {(0,) * (n + 1)}:
            raise Malformed(f"exceptional[{k}]: a constant polynomial")
        fam["exceptional"].append(monic(q))
    X = num_matrix(obj.get("X"), "X")
    if not X or not X[0]:
        raise Malformed("X: empty")
    Y = num_matrix(obj.get("Y"), "Y", cols=len(X[0]))
    Ws = obj.get("weights")
    if not isinstance(Ws, list) or not 1 <= len(Ws) <= MAX_LAYERS:
        raise Malformed(f"weights: expected a list of 1..{MAX_LAYERS} matrices")
    dims, W = [len(X)], []
    for h, w in enumerate(Ws):
        W.append(rf_matrix(w, f"weights[{h}]", n, len(Y) if h == len(Ws) - 1 else None, dims[-1]))
        dims.append(len(W[-1]))
    lam = obj.get("lambda", "0")
    lams = [number(v, f"lambda[{h}]") for h, v in enumerate(lam)] if isinstance(lam, list) else \
        [number(lam, "lambda")] * len(W)
    if len(lams) != len(W) or any(v < 0 for v in lams):
        raise Malformed("lambda: one value >= 0 per layer")
    fam.update(X=X, Y=Y, W=W, dims=dims, lambda_=lams)
    # every denominator must be nonzero at admissible points outside the exceptional set
    fam["nonzero_dens"] = []
    dens = obj.get("denominators", [])
    if not isinstance(dens, list) or len(dens) > 512:
        raise Malformed("denominators: expected a list")
    for k, d in enumerate(dens):
        if not isinstance(d, dict):
            raise Malformed(f"denominators[{k}]: expected {{\"poly\", \"constant\", \"factors\"}}")
        p = poly(d.get("poly"), f"denominators[{k}].poly", n)
        fact = factorization(d, f"denominators[{k}]", fam)
        fam.setdefault("den_evidence", []).append((p, fact))
    fam["hat"] = [cleared(w, fam["n"]) for w in W]
    return fam


def check_denominators(fam: dict, matrices: list) -> str | None:
    """Every denominator in ``matrices`` is a constant or a certified-nonzero listed polynomial."""
    n = fam["n"]
    if "den_ok" not in fam:
        ok = []
        for p, fact in fam.get("den_evidence", []):
            if equals_factored(p, pconst(1, n), fact, n) and factor_sign(fact, fam, False)[0]:
                ok.append(p)
        fam["den_ok"] = ok
    for M in matrices:
        for row in M:
            for _, den in row:
                if set(den) != {(0,) * n} and den not in fam["den_ok"]:
                    return f"denominator {text(den, fam)} has no valid nonzero evidence under 'denominators'"
    return None


# ---------------------------------------------------------------- claims

def gradient_numerators(fam: dict) -> list:
    """grad_h * (Delta * prod_{g != h} d_g) = -What_{H:h+1}^T Ghat What_{h-1:1}^T + lambda_h What_h prod_{g != h} d_g^2,
    with Ghat = Delta Sigma_YX - What_{H:1} Sigma_XX and Delta = prod d_g."""
    n, H, dims = fam["n"], len(fam["W"]), fam["dims"]
    Wh = [w for w, _, _ in fam["hat"]]
    ds = [d for _, d, _ in fam["hat"]]
    X, Y = fam["X"], fam["Y"]
    sxx = [[sum((a * b for a, b in zip(r, s)), Fraction(0)) for s in X] for r in X]
    syx = [[sum((a * b for a, b in zip(r, s)), Fraction(0)) for s in X] for r in Y]
    delta = pprod(ds, n)
    G = [[padd(pmul(delta, pconst(a, n)), b, -1) for a, b in zip(ra, rb)]
         for ra, rb in zip(syx, pmatmul(chain(Wh, dims[0], n), numeric(sxx, n), n))]
    grads = []
    for h in range(1, H + 1):
        left = transpose(chain(Wh[h:], dims[h], n), dims[h])
        right = transpose(chain(Wh[:h - 1], dims[0], n), dims[0])
        g = pmatmul(pmatmul(left, G, n), right, n)
        g = [[{m: -c for m, c in e.items()} for e in row] for row in g]
        if fam["lambda_"][h - 1]:
            s = pmul(pconst(fam["lambda_"][h - 1], n), pprod([pmul(d, d) for k, d in enumerate(ds) if k != h - 1], n))
            g = [[padd(a, pmul(b, s)) for a, b in zip(ra, rb)] for ra, rb in zip(g, Wh[h - 1])]
        grads.append((g, pmul(delta, pprod([d for k, d in enumerate(ds) if k != h - 1], n))))
    return grads


def check_critical(fam: dict, claim: dict, facts: dict) -> tuple[bool, str]:
    for h, (g, _) in enumerate(gradient_numerators(fam), 1):
        for a, row in enumerate(g):
            for b, e in enumerate(row):
                if e:
                    return False, f"dL/dW_{h}[{a}][{b}] is not identically 0 (numerator {text(e, fam)})"
    return True, "the gradient is identically 0 as a rational function of the parameters"


def check_not_critical(fam: dict, claim: dict, facts: dict) -> tuple[bool, str]:
    H, dims = len(fam["W"]), fam["dims"]
    h = integer(claim.get("layer"), "not_critical.layer", 1, H)
    e = claim.get("entry")
    if not isinstance(e, list) or len(e) != 2:
        raise Malformed("not_critical.entry: expected [a, b]")
    a, b = integer(e[0], "entry[0]", 0, dims[h] - 1), integer(e[1], "entry[1]", 0, dims[h - 1] - 1)
    fact = factorization(claim.get("value"), "not_critical.value", fam)
    g, den = gradient_numerators(fam)[h - 1]
    if not equals_factored(g[a][b], den, fact, fam["n"]):
        return False, f"dL/dW_{h}[{a}][{b}] does not equal the given factorization"
    sign, why = factor_sign(fact, fam, False)
    if not sign:
        return False, f"dL/dW_{h}[{a}][{b}] may vanish: {why}"
    return True, f"dL/dW_{h}[{a}][{b}] is nonzero outside the exceptional set"


def minor_det(M: list, n: int) -> dict:
    """Laplace expansion along the first row (minors of size <= MAX_MINOR)."""
    if len(M) == 1:
        return M[0][0]
    out: dict = {}
    for j, a in enumerate(M[0]):
        if a:
            sub = [row[:j] + row[j + 1:] for row in M[1:]]
            out = padd(out, pmul(a, minor_det(sub, n)), 1 if j % 2 == 0 else -1)
    return out


def check_rank(fam: dict, claim: dict, facts: dict) -> tuple[bool, str]:
    n, H, dims = fam["n"], len(fam["W"]), fam["dims"]
    i = integer(claim.get("i"), "rank.i", 1, H)
    j = integer(claim.get("j"), "rank.j", i, H)
    rows_n, cols_n = dims[j], dims[i - 1]
    r = integer(claim.get("rank"), "rank.rank", 0, min(rows_n, cols_n, MAX_MINOR))
    minor = claim.get("minor")
    if not isinstance(minor, dict):
        raise Malformed("rank.minor: expected {rows, cols, constant, factors}")
    rows, cols = minor.get("rows"), minor.get("cols")
    pivots, kernel = claim.get("kernel_pivots"), claim.get("kernel")
    for name, idx, bound, size in (("rows", rows, rows_n, r), ("cols", cols, cols_n, r),
                                   ("kernel_pivots", pivots, cols_n, cols_n - r)):
        if len(index_list(idx, f"rank.{name}", bound)) != size:
            raise Malformed(f"rank.{name}: expected {size} distinct indices in 0..{bound - 1}")
    if not isinstance(kernel, list) or len(kernel) != cols_n - r:
        raise Malformed(f"rank.kernel: expected {cols_n - r} vectors")
    name = f"rank W_{{{j}:{i}}} = {r}"
    hats = fam["hat"][i - 1:j]
    P = chain([w for w, _, _ in hats], cols_n, n)      # W_{j:i} = P / prod d_g
    scale_r = ppow(pprod([d for _, d, _ in hats], n), r, n)
    if r:
        fact = factorization(minor, "rank.minor", fam)
        if not equals_factored(minor_det([[P[a][b] for b in cols] for a in rows], n), scale_r, fact, n):
            return False, f"{name}: the minor does not equal the given factorization"
        sign, why = factor_sign(fact, fam, False)
        if not sign:
            return False, f"{name}: the minor may vanish: {why}"
    V = rf_matrix(kernel, "rank.kernel", n - 1, cols_n - r, cols_n) if kernel else []
    bad = check_denominators(fam, [V])
    if bad:
        return False, f"{name}: kernel: {bad}"
    one = pconst(1, n)
    for t, v in enumerate(V):
        if any(v[p] != ((one, one) if s == t else ({}, one)) for s, p in enumerate(pivots)):
            return False, f"{name}: kernel vectors restricted to kernel_pivots are not the identity"
        vh, _, _ = cleared([v], n)
        if any(_dot(row, vh[0], n) for row in P):
            return False, f"{name}: kernel vector {t} is not identically in the kernel"
    return True, f"{name} outside the exceptional set (nonzero minor, {cols_n - r} kernel vectors)"


def loss_numerator(fam: dict, curve: list) -> tuple[list, dict]:
    """Coefficients in t of L(W + t C_1 + ... + t^p C_p) * Delta^2 (polynomials in the parameters),
    and Delta^2; layer h of the curve is cleared with the distinct denominators of W_h and all C_k,h."""
    n, dims = fam["n"], fam["dims"]
    t = tuple([0] * (n - 1) + [1])
    layers, scales = [], []
    for h, W in enumerate(fam["W"]):
        mats = [W] + [C[h] for C in curve]
        shape = [len(W), len(W[0])]
        joined, d, _ = cleared([[e for M in mats for row in M for e in row]], n)
        flat, size = joined[0], shape[0] * shape[1]
        layer = []
        for a in range(shape[0]):
            row = []
            for b in range(shape[1]):
                e: dict = {}
                for k in range(len(mats)):
                    e = padd(e, pmul(flat[k * size + a * shape[1] + b], ppow({t: Fraction(1)}, k, n)))
                row.append(e)
            layer.append(row)
        layers.append(layer)
        scales.append(d)
    delta = pprod(scales, n)
    R = pmatmul(chain(layers, dims[0], n), numeric(fam["X"], n), n)
    R = [[padd(a, pmul(delta, pconst(y, n)), -1) for a, y in zip(ra, ry)] for ra, ry in zip(R, fam["Y"])]
    total = pmul(pconst(Fraction(1, 2), n), _dot([e for row in R for e in row], [e for row in R for e in row], n))
    for h, M in enumerate(layers):
        if fam["lambda_"][h]:
            flat = [e for row in M for e in row]
            other = pprod([s for k, s in enumerate(scales) if k != h], n)
            total = padd(total, pmul(pconst(fam["lambda_"][h] / 2, n), pmul(_dot(flat, flat, n), pmul(other, other))))
    coeffs: dict = {}
    for m, c in total.items():
        coeffs.setdefault(m[-1], {})[m[:-1] + (0,)] = c
    return [coeffs.get(k, {}) for k in range(max(coeffs, default=0) + 1)], pmul(delta, delta)


def directions(fam: dict, x: object, where: str) -> list:
    dims = fam["dims"]
    if not isinstance(x, list) or len(x) != len(fam["W"]):
        raise Malformed(f"{where}: expected one matrix per layer")
    return [rf_matrix(m, f"{where}[{h}]", fam["n"] - 1, dims[h + 1], dims[h]) for h, m in enumerate(x)]


def hessian_numerators(fam: dict) -> list:
    """M with Hess = M / Delta^2: Hess[i][i] = 2 c_2(e_i), Hess[i][j] = c_2(e_i + e_j) - c_2(e_i) - c_2(e_j),
    c_2(D) the t^2 coefficient of L(W + tD) (unit directions have denominator 1, so Delta is common)."""
    n, dims = fam["n"], fam["dims"]
    slots = [(h, a, b) for h in range(len(fam["W"])) for a in range(dims[h + 1]) for b in range(dims[h])]
    if len(slots) > MAX_HESSIAN:
        raise Malformed(f"psd_hessian: {len(slots)} parameters, more than {MAX_HESSIAN}")
    one, zero = (pconst(1, n), pconst(1, n)), ({}, pconst(1, n))

    def c2(picks):
        D = [[[one if (h, a, b) in picks else zero for b in range(dims[h])] for a in range(dims[h + 1])]
             for h in range(len(fam["W"]))]
        return (loss_numerator(fam, [D])[0] + [{}] * 3)[2]
    diag = [c2({s}) for s in slots]
    M = [[{} for _ in slots] for _ in slots]
    for i in range(len(slots)):
        M[i][i] = padd(diag[i], diag[i])
        for j in range(i + 1, len(slots)):
            M[i][j] = M[j][i] = padd(padd(c2({slots[i], slots[j]}), diag[i], -1), diag[j], -1)
    return M


def check_psd_hessian(fam: dict, claim: dict, facts: dict) -> tuple[bool, str]:
    """Fraction-free symmetric elimination of M = Delta^2 Hess at the given pivots: with a > 0,
    [[a, b^T], [b, C]] is PSD iff a C - b b^T is; each pivot a is shown positive by its factorization,
    and the matrix left at the end must be identically 0."""
    n = fam["n"]
    order, pivots = claim.get("order"), claim.get("pivots")
    if not isinstance(order, list) or not isinstance(pivots, list) or len(order) != len(pivots):
        raise Malformed("psd_hessian: expected order and pivots of the same length")
    M = hessian_numerators(fam)
    rest = list(range(len(M)))
    for k, (p, fact) in enumerate(zip(order, pivots)):
        if isinstance(p, bool) or not isinstance(p, int) or p not in rest:
            raise Malformed(f"psd_hessian.order[{k}]: not a remaining parameter index")
        f = factorization(fact, f"psd_hessian.pivots[{k}]", fam)
        if not equals_factored(M[p][p], pconst(1, n), f, n):
            return False, f"pivot {k} (parameter {p}) does not equal its factorization"
        if factor_sign(f, fam)[0] <= 0:
            return False, f"pivot {k} (parameter {p}) is not shown positive: {factor_sign(f, fam)[1]}"
        rest.remove(p)
        a = M[p][p]
        M = {i: {j: padd(pmul(a, M[i][j]), pmul(M[i][p], M[p][j]), -1) for j in rest} for i in rest}
    if any(M[i][j] for i in rest for j in rest):
        return False, "the matrix left after the pivots is not identically 0"
    return True, f"Hessian PSD outside the exceptional set ({len(order)} positive pivots, the rest eliminates to 0)"


def check_escape_curve(fam: dict, claim: dict, facts: dict) -> tuple[bool, str]:
    coeffs = claim.get("coefficients")
    if not isinstance(coeffs, list) or not 1 <= len(coeffs) <= 4:
        raise Malformed("escape_curve.coefficients: expected 1..4 directions")
    curve = [directions(fam, c, f"escape_curve.coefficients[{k}]") for k, c in enumerate(coeffs)]
    order = integer(claim.get("order"), "escape_curve.order", 1, 64)
    fact = factorization(claim.get("coefficient"), "escape_curve.coefficient", fam)
    bad = check_denominators(fam, [M for C in curve for M in C])
    if bad:
        return False, f"curve: {bad}"
    c, den = loss_numerator(fam, curve)
    c += [{}] * (order + 1)
    if any(c[1:order]):
        return False, f"a coefficient of L(W(t)) - L(W) below t^{order} is not identically 0"
    if not equals_factored(c[order], den, fact, fam["n"]):
        return False, f"the t^{order} coefficient does not equal the given factorization"
    sign, why = factor_sign(fact, fam)
    if sign >= 0:
        return False, f"the t^{order} coefficient is not shown negative: {why or 'it is positive'}"
    facts.setdefault("escape_orders", []).append(order)
    return True, f"L(W(t)) - L(W) = c(params) t^{order} + O(t^{order + 1}) with c < 0 outside the exceptional set"


def check_strict_saddle(fam: dict, claim: dict, facts: dict) -> tuple[bool, str]:
    n = fam["n"]
    D = directions(fam, claim.get("direction"), "strict_saddle.direction")
    fact = factorization(claim.get("t2_coefficient"), "strict_saddle.t2_coefficient", fam)
    bad = check_denominators(fam, D)
    if bad:
        return False, f"direction: {bad}"
    c, den = loss_numerator(fam, [D])
    c += [{}] * 3
    if c[1]:
        return False, "t^1 coefficient of L(W + tD) is not identically 0"
    if not equals_factored(c[2], den, fact, n):
        return False, "t^2 coefficient of L(W + tD) does not equal the given factorization"
    sign, why = factor_sign(fact, fam)
    if sign >= 0:
        return False, f"t^2 coefficient is not shown negative: {why or 'it is positive'}"
    return True, "L(W + tD) = L(W) + c(params) t^2 + O(t^3) with c < 0 outside the exceptional set"


def check_top_eigenspace(fam: dict, claim: dict, facts: dict) -> tuple[bool, str]:
    """range W_{H:1} = range Q (W_{H:1} Z = Q identically, r = min widths) and range Q is the
    top-r eigenspace of Sigma, strictly separated at c (as the point checker's top_eigenspace)."""
    n, dims = fam["n"], fam["dims"]
    r, dx, dy = min(dims), dims[0], dims[-1]
    if any(fam["lambda_"]):
        return False, "top_eigenspace needs lambda = 0"
    Q = num_matrix(claim.get("Q"), "top_eigenspace.Q", dy, r)
    N = num_matrix(claim.get("N"), "top_eigenspace.N", dy if r < dy else 0, dy - r if r < dy else None)
    cval = number(claim.get("c"), "top_eigenspace.c")
    Z = rf_matrix(claim.get("Z"), "top_eigenspace.Z", n - 1, dx, r)
    bad = check_denominators(fam, [Z])
    if bad:
        return False, f"Z: {bad}"
    Zh, dz, _ = cleared(Z, n)
    P = chain([w for w, _, _ in fam["hat"]], dx, n)
    scale_ = pmul(pprod([d for _, d, _ in fam["hat"]], n), dz)
    PZ = pmatmul(P, Zh, n)
    if any(padd(e, pmul(scale_, pconst(q, n)), -1) for ra, rq in zip(PZ, Q) for e, q in zip(ra, rq)):
        return False, "W_{H:1} Z != Q as rational functions"
    S = sigma_from_data(fam["X"], fam["Y"])
    if S is None:
        return False, "Sigma_XX is singular"
    bad = eigenspace_split_failure(S, Q, N, cval)
    if bad:
        return False, bad
    return True, (f"range W_{{H:1}} is the top-{r} eigenspace of Sigma (separated at {number_text(cval)}) "
                  "outside the exceptional set")


CHECKS = {"critical": check_critical, "not_critical": check_not_critical, "rank": check_rank,
          "strict_saddle": check_strict_saddle, "top_eigenspace": check_top_eigenspace,
          "psd_hessian": check_psd_hessian, "escape_curve": check_escape_curve}


def check_certificate(obj: object) -> list[tuple[str, bool, str]]:
    """Verify every claim; raises Malformed if the certificate does not follow the format (or its check
    would spend more than MAX_WORK units of arithmetic)."""
    reset_work()
    fam = read_family(obj)
    claims = obj.get("claims")
    if not isinstance(claims, list) or not claims or len(claims) > 256:
        raise Malformed("claims: expected a non-empty list")
    for t, c in enumerate(claims):
        if not isinstance(c, dict) or c.get("type") not in CLAIM_TYPES:
            raise Malformed(f"claims[{t}]: unknown claim type")
    if sum(c["type"] == "kind" for c in claims) > 1:
        raise Malformed("claims: at most one kind claim")
    bad = check_denominators(fam, fam["W"])
    results = [("denominators", bad is None, bad or "every denominator of the family is nonzero outside the "
                "exceptional set")]
    verified: set = set()
    facts: dict = {}
    for c in claims:
        if c["type"] != "kind":
            ok, msg = CHECKS[c["type"]](fam, c, facts)
            results.append((c["type"], ok, msg))
            if ok:
                verified.add(c["type"])
    for c in claims:
        if c["type"] == "kind":
            kind = c.get("kind")
            need = KIND_RULES.get(kind) if isinstance(kind, str) else None
            if need is None:
                shown = repr(kind[:40]) if isinstance(kind, str) else f"of type {type(kind).__name__}"
                results.append(("kind", False, f"kind {shown} cannot be certified by this format"))
            elif not need <= verified or bad:
                results.append(("kind", False, f"{kind} needs {' + '.join(sorted(need))} and valid denominators"))
            elif kind == "non_strict_saddle" and not any(o >= 3 for o in facts.get("escape_orders", [])):
                # implied by critical + psd_hessian (orders 1 and 2 cannot be negative there); checked anyway
                results.append(("kind", False, "non_strict_saddle needs an escape_curve of order >= 3"))
            else:
                results.append(("kind", True, f"{kind} at every admissible parameter value outside the "
                                f"{len(fam['exceptional'])} exceptional polynomial(s)"))
    return results


if __name__ == "__main__":
    sys.exit(main())
