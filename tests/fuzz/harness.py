"""Run hostile inputs through the CLI and judge the outcome against the command-line contract.

Each input runs in process through ``exactdln.cli.main`` with ``--timeout`` (the per-input budget);
the outcome is judged by :func:`findings`: no traceback, an exit code the contract documents for the
command (4, an internal error, never), every error line prefixed ``exactdln <command>: `` and naming
the file on exit 2, no run longer than the budget plus a grace period, and ``--json`` output that
parses. For a certificate the checker accepts, :func:`certificate_findings` recomputes its claims
independently of the checker: the gradient and the loss along the claimed directions with the
Fraction code below (docs/maths/README.md §2, written here from the formula), and the kind with the
exact engine (exactdln.theory.classify / exactdln.symbolic), which shares no code with the checkers.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from exactdln.cli import main

__all__ = ["Outcome", "run", "findings", "certificate_findings", "field_certificate_findings", "ALLOWED_EXITS",
           "honest_point_certificates", "honest_family_certificates"]

#: exit codes the contract allows on arbitrary input (README, "The command line contract"); 3 (the exact
#: routes disagree) and crosscheck's 1 (two definite verdicts contradict) are findings, 4 is a bug
ALLOWED_EXITS = {"classify": {0, 2, 5}, "crosscheck": {0, 2, 5}, "certify": {0, 1, 2, 5}, "snap": {0, 1, 2, 5},
                 "check": {0, 1, 2, 5}, "regularized": {0, 1, 2, 5}, "gd": {0, 1, 2, 5}, "flow": {0, 1, 2, 5},
                 "classify --snap": {0, 1, 2, 5}}          # 1: the float point did not snap
#: options that keep a run short (the commands' own defaults are 10,000 steps or time 50)
EXTRA_OPTIONS = {"gd": ("--steps", "200", "--no-progress"), "flow": ("--time", "1", "--no-progress")}
GRACE = 5.0          # seconds a run may pass its budget (the alarm fires between bytecodes)


@dataclass
class Outcome:
    command: str
    path: str
    code: int
    stdout: str
    stderr: str
    seconds: float
    extra: tuple[str, ...] = ()


def run(command: str, path: str | Path, budget: float, extra: tuple[str, ...] = (), json_output: bool = True) -> Outcome:
    """``exactdln --timeout BUDGET <command> [--json] PATH [extra]`` in process, output captured."""
    argv = ["--timeout", f"{budget:g}", command] + (["--json"] if json_output else []) + [str(path), *extra,
                                                                                          *EXTRA_OPTIONS.get(command, ())]
    out, err = io.StringIO(), io.StringIO()
    start = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return Outcome(command, str(path), code, out.getvalue(), err.getvalue(), time.monotonic() - start, tuple(extra))


def findings(o: Outcome, budget: float) -> list[str]:
    """What is wrong with one outcome (empty when it keeps the contract)."""
    bad = []
    if "Traceback" in o.stderr or "Traceback" in o.stdout:
        bad.append("traceback")
    if o.code == 4:
        bad.append("internal error (exit 4): " + o.stderr.strip()[-300:])
    elif o.code not in ALLOWED_EXITS["classify --snap" if o.command == "classify" and "--snap" in o.extra else o.command]:
        bad.append(f"exit {o.code}: " + (o.stderr.strip() or o.stdout.strip())[-300:])
    if o.seconds > budget + GRACE:
        bad.append(f"ran {o.seconds:.1f} s on a budget of {budget:g} s")
    for line in o.stderr.splitlines():
        if not line.startswith(f"exactdln {o.command}: "):
            bad.append(f"stderr line without the command prefix: {line[:200]!r}")
            break
    if o.code == 2 and o.path not in o.stderr:
        bad.append(f"exit 2 without naming the file: {o.stderr.strip()[:200]!r}")
    if o.code == 5 and "(--timeout)" not in o.stderr:
        bad.append("exit 5 without the --timeout line")
    if o.command == "certify" and "checker refused" in o.stderr:
        bad.append("the engine wrote a certificate its own checker refused: " + o.stdout[-300:])
    if o.code in (0, 1) and o.command != "check":
        for line in o.stdout.splitlines():
            try:
                json.loads(line)
            except ValueError:
                bad.append(f"--json line is not JSON: {line[:120]!r}")
                break
    return bad


# ------------------------------------------------------------------------------------------------ the oracle

def _int(text: str) -> int:
    """int(text) in chunks of 4,000 digits (Python's int(str) stops at 4,300; certificates go to 10,000)."""
    digits = text.strip().lstrip("+-")
    value = 0
    for k in range(0, len(digits), 4000):
        value = value * 10 ** len(digits[k:k + 4000]) + int(digits[k:k + 4000])
    return -value if text.strip().startswith("-") else value


def _F(x: Any) -> Fraction:
    if not isinstance(x, str):
        return Fraction(x)
    p, _, q = x.replace(" ", "").partition("/")
    return Fraction(_int(p), _int(q) if q else 1)


def _mat(M: list) -> list[list[Fraction]]:
    return [[_F(x) for x in row] for row in M]


def _mm(A, B):
    return [[sum((a * b for a, b in zip(row, col)), Fraction(0)) for col in zip(*B)] for row in A]


def _T(A, ncols: int):
    return [list(c) for c in zip(*A)] if A else [[] for _ in range(ncols)]


def _eye(n: int):
    return [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]


def _chain(mats: list, n: int):
    """mats[-1] ... mats[0]; the n x n identity when empty."""
    out = _eye(n)
    for M in mats:
        out = _mm(M, out)
    return out


def oracle_gradient(X, Y, W, lams) -> list:
    """dL/dW_h = -W_{H:h+1}^T (Y X^T - W_{H:1} X X^T) W_{h-1:1}^T + lambda_h W_h (docs/maths/README.md §2)."""
    d = [len(X)] + [len(w) for w in W]
    G = [[a - b for a, b in zip(r, s)] for r, s in zip(_mm(Y, _T(X, len(X[0]))), _mm(_mm(_chain(W, d[0]), X), _T(X, len(X[0]))))]
    out = []
    for h in range(len(W)):
        A = _chain(W[h + 1:], d[h + 1])
        C = _chain(W[:h], d[0])
        g = _mm(_mm(_T(A, d[-1]) if A else A, G), _T(C, d[0]))
        out.append([[lams[h] * w - x for w, x in zip(wr, gr)] for wr, gr in zip(W[h], g)])
    return out


def oracle_loss(X, Y, W, lams) -> Fraction:
    R = [[a - b for a, b in zip(r, s)] for r, s in zip(_mm(_chain(W, len(X)), X), Y)]
    return sum((x * x for r in R for x in r), Fraction(0)) / 2 + \
        sum((l * sum((x * x for r in w for x in r), Fraction(0)) / 2 for l, w in zip(lams, W)), Fraction(0))


def _curve_coefficients(X, Y, W, Cs, lams) -> list[Fraction]:
    """Coefficients of L(W + t C_1 + ... + t^p C_p) by exact evaluation at t = 0..D and Lagrange interpolation."""
    p, H = len(Cs), len(W)
    D = 2 * H * p
    ts = [Fraction(t) for t in range(D + 1)]
    values = []
    for t in ts:
        Wt = [[[w + sum((t ** (k + 1) * C[h][i][j] for k, C in enumerate(Cs)), Fraction(0)) for j, w in enumerate(row)]
               for i, row in enumerate(W[h])] for h in range(H)]
        values.append(oracle_loss(X, Y, Wt, lams))
    table = list(values)                         # Newton's divided differences
    newton = [table[0]]
    for level in range(1, D + 1):
        table = [(table[i + 1] - table[i]) / (ts[i + level] - ts[i]) for i in range(len(table) - 1)]
        newton.append(table[0])
    poly = [newton[D]]                           # Horner: p = newton[k] + (t - t_k) p, k = D-1 .. 0
    for k in range(D - 1, -1, -1):
        padded = poly + [Fraction(0)]
        poly = [(padded[i - 1] if i else Fraction(0)) - ts[k] * padded[i] for i in range(len(padded))]
        poly[0] += newton[k]
    return poly + [Fraction(0)] * (D + 1 - len(poly))


def certificate_findings(text: str, claims_ok: bool) -> list[str]:
    """For a certificate the checker accepted (exit 0): its claims recomputed independently of the checker."""
    if not claims_ok:
        return []
    cert = json.loads(text)
    if cert.get("format") == "exactdln-family-certificate":
        return _family_kind_findings(cert)
    if "field" in cert:
        return field_certificate_findings(cert)
    X, Y = _mat(cert["problem"]["X"]), _mat(cert["problem"]["Y"])
    W = [_mat(w) for w in cert["point"]["weights"]]
    lam = cert["problem"].get("lambda", "0")
    lams = [_F(x) for x in lam] if isinstance(lam, list) else [_F(lam)] * len(W)
    if sum(len(w) * len(w[0]) for w in W) > 400 or len(W) > 12:
        return []                                          # too large for the slow oracle
    bad = []
    grad = None
    for claim in cert["claims"]:
        kind = claim["type"]
        if kind in ("critical", "not_critical", "kind"):
            grad = grad if grad is not None else oracle_gradient(X, Y, W, lams)
        if kind == "critical" and any(x for g in grad for r in g for x in r):
            bad.append("accepted 'critical' but the recomputed gradient is nonzero")
        elif kind == "not_critical":
            h, (a, b) = claim["layer"], claim["entry"]
            if grad[h - 1][a][b] == 0:
                bad.append(f"accepted 'not_critical' at layer {h} [{a}, {b}] but that gradient entry is 0")
        elif kind == "strict_saddle":
            c = _curve_coefficients(X, Y, W, [[_mat(m) for m in claim["direction"]]], lams)
            if c[1] != 0 or c[2] >= 0:
                bad.append(f"accepted 'strict_saddle' but L(W + tD) has t, t^2 coefficients {c[1]}, {c[2]}")
        elif kind == "escape_curve" and len(claim["coefficients"]) * len(W) <= 8:
            c = _curve_coefficients(X, Y, W, [[_mat(m) for m in C] for C in claim["coefficients"]], lams)
            first = next((x for x in c[1:] if x != 0), None)
            if first is None or first > 0:
                bad.append("accepted 'escape_curve' but L along the curve does not decrease first")
        elif kind == "transport":
            A, B = [_mat(a) for a in claim["A"]], [_mat(b) for b in claim["A_inverse"]]
            bad.extend(_transport_findings(W, [_mat(w) for w in claim["weights"]], A, B, _mm, lams))
            bad.extend(certificate_findings(json.dumps(_inner(cert, claim)), True))
    kinds = [c.get("kind") for c in cert["claims"] if c["type"] == "kind"]
    if kinds and kinds[0] == "not_critical":
        # decided by the gradient alone, recomputed above; the engine's Hessian routes are not needed
        grad = grad if grad is not None else oracle_gradient(X, Y, W, lams)
        if not any(x for g in grad for r in g for x in r):
            bad.append("accepted kind not_critical but the recomputed gradient is zero")
    elif kinds:
        from exactdln.model.problem import Problem, RationalMatrix
        from exactdln.theory.classify import classify

        def rm(M):
            return RationalMatrix(tuple(tuple(r) for r in M), len(M[0]))
        problem = Problem(rm(X), rm(Y), () if not any(lams) else tuple(lams))
        engine = classify(problem, [rm(w) for w in W]).kind
        # a global minimizer is a local one: the certificate may claim the weaker kind (FORMAT.md local_minimizer)
        if engine not in (kinds[0], "undecided") and not (kinds[0] == "local_minimizer" and engine == "global_minimizer"):
            bad.append(f"accepted kind {kinds[0]} but the exact engine classifies the point as {engine}")
    return bad


# ------------------------------------------------------------------------------------------------ the oracle over K

FIELD_ORACLE_DIGITS = 60         # mpmath precision of the values at the embedding (a second opinion on signs)


def _theta_mp(poly: list[Fraction], lo: Fraction, hi: Fraction):
    """theta by bisection in mpmath: p has exactly one root in (lo, hi), a simple one (the checker verified it),
    so p changes sign there."""
    import mpmath

    def mpf(x: Fraction):
        return mpmath.mpf(x.numerator) / x.denominator

    def p(x):
        return mpmath.polyval([mpf(c) for c in reversed(poly)], x)
    a, b = mpf(lo), mpf(hi)
    sa = mpmath.sign(p(a))
    for _ in range(4 * FIELD_ORACLE_DIGITS + 40):
        mid = (a + b) / 2
        sm = mpmath.sign(p(mid))
        if sm == 0:
            return mid
        a, b = (mid, b) if sm == sa else (a, mid)
    return (a + b) / 2


def _value_mp(x: Any, theta):
    """The value of a rational or an engine FieldElement at the embedding theta (mpmath)."""
    import mpmath

    if isinstance(x, Fraction):
        return mpmath.mpf(x.numerator) / x.denominator
    return mpmath.polyval([mpmath.mpf(c.numerator) / c.denominator for c in reversed(x.coefficients())], theta)


def _sign_exact(x: Any) -> int:
    if isinstance(x, Fraction):
        return (x > 0) - (x < 0)
    return x.sign()


def _sign_checked(x: Any, theta, what: str, bad: list) -> int:
    """The exact sign (engine, exactdln/arith/number_field.py), compared with mpmath's value at 60 digits when
    that value is clearly away from 0; a disagreement is a finding (in the engine or the oracle)."""
    import mpmath

    s = _sign_exact(x)
    v = _value_mp(x, theta)
    if abs(v) > mpmath.mpf(10) ** (-FIELD_ORACLE_DIGITS // 2) and (v > 0) - (v < 0) != s:
        bad.append(f"{what}: exact sign {s} but mpmath gives {mpmath.nstr(v, 8)} at theta")
    return s


def _orthonormal(columns: list, tol) -> list:
    """Gram-Schmidt (mpmath vectors), keeping the columns that are not (numerically) in the span so far."""
    import mpmath

    basis = []
    for c in columns:
        v = mpmath.matrix(c)
        for b in basis:
            v = v - (b.T * v)[0] * b
        for b in basis:                       # twice is enough (Kahan, Parlett)
            v = v - (b.T * v)[0] * b
        n = mpmath.norm(v)
        if n > tol:
            basis.append(v / n)
    return basis


def _top_eigenspace_findings(X, Y, W, claim: dict, theta, K, bad: list) -> None:
    """range W_{H:1} is the top-r eigenspace of Sigma = Sigma_YX Sigma_XX^-1 Sigma_XY: exactly over K (engine
    matrices), rank W_{H:1} = r and Sigma W_{H:1} in its range; at the embedding (mpmath), every eigenvalue of
    Sigma on that range is >= every eigenvalue on its orthogonal complement."""
    import mpmath

    from exactdln.arith.number_field import FieldMatrix, field_inverse

    def fm(M):
        return FieldMatrix.from_rows(K, [[x if not isinstance(x, Fraction) else K.element(x) for x in r] for r in M])
    Xm, Ym = fm(X), fm(Y)
    try:
        Sxx_inv = field_inverse(Xm * Xm.transpose())
    except ZeroDivisionError:
        bad.append("accepted top_eigenspace but Sigma_XX is singular")
        return
    Syx = Ym * Xm.transpose()
    Sigma = Syx * Sxx_inv * Syx.transpose()
    P = fm(_chain(W, len(X)))
    r_max = min([len(X)] + [len(w) for w in W])
    r = claim.get("rank", r_max)
    rank = P.rank()
    if rank != r:
        bad.append(f"accepted top_eigenspace of rank {r} but rank W_{{H:1}} = {rank}")
        return
    if P.hstack(Sigma * P).rank() != r:
        bad.append("accepted top_eigenspace but Sigma does not map range W_{H:1} into itself")
        return
    with mpmath.workdps(FIELD_ORACLE_DIGITS):
        tol = mpmath.mpf(10) ** (-FIELD_ORACLE_DIGITS // 2)
        S = mpmath.matrix([[_value_mp(x, theta) for x in row] for row in Sigma.tolist()])
        Pm = [[_value_mp(x, theta) for x in row] for row in P.tolist()]
        d = len(Pm)
        inside = _orthonormal([[Pm[i][j] for i in range(d)] for j in range(len(Pm[0]))], tol)
        outside = _orthonormal([[mpmath.mpf(int(i == j)) for i in range(d)] for j in range(d)], tol)
        outside = [v for v in _orthonormal([[x for x in b] for b in inside] + [list(v) for v in outside], tol)
                   if all(abs((v.T * b)[0]) < tol for b in inside)]

        def eigs(basis):
            if not basis:
                return []
            B = mpmath.matrix(d, len(basis))
            for j, b in enumerate(basis):
                for i in range(d):
                    B[i, j] = b[i]
            return list(mpmath.eigsy(B.T * S * B, eigvals_only=True))
        on, off = eigs(inside), eigs(outside)
        if on and off and min(on) < max(off) - tol * (1 + max(abs(x) for x in on + off)):
            bad.append(f"accepted top_eigenspace but an eigenvalue of Sigma off range W_{{H:1}} "
                       f"({mpmath.nstr(max(off), 8)}) exceeds one on it ({mpmath.nstr(min(on), 8)}) at theta")


def _curve_expansion(X, Y, W, Cs, lams) -> list:
    """Coefficients of L(W + t C_1 + ... + t^p C_p) by polynomial-matrix products (sum_{i+j=k} A_i B_j), the
    residual W_{H:1}(t) X - Y and its squared norm term by term; any ring of entries (used over K, where the
    interpolation of :func:`_curve_coefficients` at degree 64 x depth would be slow)."""
    def pmul(A, B):
        out = [None] * (len(A) + len(B) - 1)
        for i, a in enumerate(A):
            if not any(x for r in a for x in r):
                continue
            for j, b in enumerate(B):
                if any(x for r in b for x in r):
                    m = _mm(a, b)
                    out[i + j] = m if out[i + j] is None else [[x + y for x, y in zip(r, q)] for r, q in zip(out[i + j], m)]
        return out

    def psquare_sum(M, rows, cols):
        """sum over entries of (sum_k M_k[i][j] t^k)^2 as coefficients."""
        out = [Fraction(0)] * (2 * len(M) - 1)
        for i in range(rows):
            for j in range(cols):
                e = [Mk[i][j] if Mk is not None else Fraction(0) for Mk in M]
                for a, x in enumerate(e):
                    if x:
                        for b, y in enumerate(e):
                            if y:
                                out[a + b] = out[a + b] + x * y
        return out
    curves = [[W[h]] + [C[h] for C in Cs] for h in range(len(W))]
    P = curves[0]
    for h in range(1, len(W)):
        P = pmul(curves[h], P)
    zero = [[Fraction(0)] * len(X[0]) for _ in Y]
    R = [_mm(Pk, X) if Pk is not None else zero for Pk in P]
    R[0] = [[x - y for x, y in zip(r, q)] for r, q in zip(R[0], Y)]
    total = [x / 2 for x in psquare_sum(R, len(Y), len(X[0]))]
    for lam, curve in zip(lams, curves):
        if lam:
            reg = psquare_sum(curve, len(curve[0]), len(curve[0][0]))
            total = [a + lam * b / 2 for a, b in zip(total + [Fraction(0)] * (len(reg) - len(total)), reg + [Fraction(0)] * (len(total) - len(reg)))]
    return total


def field_certificate_findings(cert: dict) -> list[str]:
    """For a certificate over K = Q(theta) the checker accepted: every claim recomputed at the declared root.

    The certificate is read by the engine (exactdln/model/field_format.py; the field by
    exactdln/arith/number_field.py, which factors a reducible polynomial and keeps the factor of theta), so the
    arithmetic over K shares no code with the checker. The gradient and the loss along the claimed curves come
    from the formula code above run on the engine's field elements; rank, inverse and Hessian inertia from the
    engine's matrices over K; the kind from :func:`exactdln.theory.number_field.classify_over_field`. Every sign
    is exact and compared with mpmath at 60 digits at theta (a root of the declared polynomial found by
    bisection on the declared interval). A claim the oracle cannot recompute is a finding."""
    from exactdln.landscape.number_field_point import FieldPoint, field_hessian, field_hessian_inertia
    from exactdln.model.field_format import algebraic_point_from_mapping
    from exactdln.model.problem import InputError

    data = {"field": cert["field"], "X": cert["problem"]["X"], "Y": cert["problem"]["Y"],
            "weights": cert["point"]["weights"], "lambda": cert["problem"].get("lambda", "0")}
    from dataclasses import replace

    from exactdln.model.problem import DEFAULT_LIMITS

    # the checker reads numbers of up to 10,000 digits (MAX_DIGITS), point files up to 5,000
    limits = replace(DEFAULT_LIMITS, max_digits=10_000, max_exponent=10_000)
    try:
        problem, weights = algebraic_point_from_mapping(data, limits)
        point = FieldPoint(problem, tuple(weights))
    except (InputError, ValueError) as err:
        return [f"the checker accepted a field certificate the engine cannot read: {str(err)[:200]}"]
    K = point.K
    n = point.n_parameters
    if n > 120 or K.degree > 16:
        return []                                          # too large for the slow oracle
    lo, hi = (_F(x) for x in cert["field"]["interval"])
    poly = [_F(c) for c in cert["field"]["minpoly"]]

    def el(x):
        return x.rational() if x.is_rational else x
    X, Y = [[el(x) for x in r] for r in point.X.tolist()], [[el(x) for x in r] for r in point.Y.tolist()]
    W = [[[el(x) for x in r] for r in w.tolist()] for w in point.W]
    lams = list(problem.layer_lambdas(len(W)))
    bad: list[str] = []
    import mpmath

    with mpmath.workdps(FIELD_ORACLE_DIGITS + 20):
        theta = _theta_mp(poly, lo, hi)

    def sign(x, what):
        with mpmath.workdps(FIELD_ORACLE_DIGITS):
            return _sign_checked(x, theta, what, bad)

    def field_matrices(Ms, where):
        """A claim's matrices read by the engine as weights over K (shapes as the point's)."""
        probe = dict(data, weights=Ms)
        _, ws = algebraic_point_from_mapping(probe, limits)
        return [[[el(x) for x in r] for r in FieldPoint(problem, tuple(ws), K=K).W[h].tolist()]
                for h in range(len(ws))]

    grad = None
    escape_orders = []
    kinds = [c.get("kind") for c in cert["claims"] if c.get("type") == "kind"]
    for claim in cert["claims"]:
        kind = claim["type"]
        try:
            if kind in ("critical", "not_critical") or (kind == "kind" and kinds[0] == "not_critical"):
                grad = grad if grad is not None else oracle_gradient(X, Y, W, lams)
            if kind == "critical" and any(x for g in grad for r in g for x in r):
                bad.append("accepted 'critical' over K but the recomputed gradient is nonzero at theta")
            elif kind == "not_critical":
                h, (a, b) = claim["layer"], claim["entry"]
                if grad[h - 1][a][b] == 0:
                    bad.append(f"accepted 'not_critical' at layer {h} [{a}, {b}] but that gradient entry is 0")
            elif kind == "rank":
                from exactdln.arith.number_field import FieldMatrix

                i, j = claim["i"], claim["j"]
                Pij = _chain(W[i - 1:j], len(W[i - 1][0]))
                got = FieldMatrix.from_rows(K, [[x if not isinstance(x, Fraction) else K.element(x) for x in r]
                                               for r in Pij]).rank()
                if got != claim["rank"]:
                    bad.append(f"accepted rank W_{{{j}:{i}}} = {claim['rank']} but the engine's rank over K is {got}")
            elif kind == "strict_saddle":
                c = _curve_expansion(X, Y, W, [field_matrices(claim["direction"], "direction")], lams)
                if c[1] != 0 or sign(c[2], "strict_saddle t^2") >= 0:
                    bad.append("accepted 'strict_saddle' over K but L(W + tD) has t, t^2 coefficients "
                               f"{c[1]}, {c[2]} at theta")
            elif kind == "escape_curve":
                Cs = [field_matrices(C, "escape") for C in claim["coefficients"]]
                c = _curve_expansion(X, Y, W, Cs, lams)
                order = next((k for k in range(1, len(c)) if c[k] != 0), None)
                if order is None or sign(c[order], f"escape_curve t^{order}") > 0:
                    bad.append("accepted 'escape_curve' over K but L along the curve does not decrease first")
                else:
                    escape_orders.append(order)
            elif kind == "psd_hessian":
                inertia = field_hessian_inertia(point)
                if inertia.n_minus:
                    bad.append(f"accepted 'psd_hessian' over K but the engine's inertia is {inertia}")
                with mpmath.workdps(FIELD_ORACLE_DIGITS):
                    Hm = field_hessian(point).tolist()
                    Hn = mpmath.matrix([[_value_mp(el(x), theta) for x in r] for r in Hm])
                    low = min(mpmath.eigsy(Hn, eigvals_only=True))
                    if low < -mpmath.mpf(10) ** (-FIELD_ORACLE_DIGITS // 2) * (1 + mpmath.mnorm(Hn, 1)):
                        bad.append(f"accepted 'psd_hessian' over K but mpmath finds the eigenvalue "
                                   f"{mpmath.nstr(low, 8)} at theta")
            elif kind == "top_eigenspace":
                _top_eigenspace_findings(X, Y, W, claim, theta, K, bad)
            elif kind == "transport":
                moved = field_matrices(claim["weights"], "transport")
                A = _square_field_matrices(claim["A"], data, limits, problem, K, el)
                B = _square_field_matrices(claim["A_inverse"], data, limits, problem, K, el)
                bad.extend(_transport_findings(W, moved, A, B, _mm, lams))
                inner = field_certificate_findings(_inner(cert, claim))
                bad.extend(inner)
                if not inner:
                    escape_orders.append(3)        # the inner kind was recomputed there, escape curve included
        except (ValueError, ZeroDivisionError, KeyError, TypeError, IndexError) as err:
            bad.append(f"oracle could not recompute the accepted {kind} claim: {type(err).__name__}: {str(err)[:150]}")
    if kinds and kinds[0] == "not_critical":
        if grad is not None and not any(x for g in grad for r in g for x in r):
            bad.append("accepted kind not_critical over K but the recomputed gradient is zero")
    elif kinds:
        from exactdln.theory.number_field import classify_over_field

        engine = classify_over_field(problem, weights).kind
        # a global minimizer is a local one (FORMAT.md local_minimizer), over K as over Q
        if engine not in (kinds[0], "undecided") and not (kinds[0] == "local_minimizer" and engine == "global_minimizer"):
            bad.append(f"accepted kind {kinds[0]} over K but the exact engine classifies the point as {engine}")
        if kinds[0] == "non_strict_saddle" and not any(o >= 3 for o in escape_orders):
            bad.append("accepted kind non_strict_saddle over K without a recomputed escape curve of order >= 3")
    return bad


def _inner(cert: dict, claim: dict) -> dict:
    """The certificate of the transported point W' with the transport's own claims."""
    return dict(cert, point={"weights": claim["weights"]}, claims=claim["claims"])


def _transport_findings(W, moved, A, B, mm, lams) -> list[str]:
    """A_h B_h = I and W' = (A_1 W_1, ..., A_h W_h B_(h-1), ..., W_H B_(H-1)), recomputed, with lambda = 0
    (docs/maths/algebraic.md §17: then L o phi = L and W, W' have the same kind)."""
    bad = []
    if any(lams):
        bad.append("accepted 'transport' with lambda != 0")
    for h, (a, b) in enumerate(zip(A, B), 1):
        if mm(a, b) != [[int(i == j) for j in range(len(a))] for i in range(len(a))]:
            bad.append(f"accepted 'transport' but A_{h} A_inverse_{h} != I")
    H = len(W)
    for h in range(H):
        image = W[h]
        if h < H - 1:
            image = mm(A[h], image)
        if h > 0:
            image = mm(image, B[h - 1])
        if image != moved[h]:
            bad.append(f"accepted 'transport' but W'_{h + 1} is not the image of W_{h + 1}")
    return bad


def _square_field_matrices(Ms, data, limits, problem, K, el) -> list:
    """Square matrices over K (the A_h of a transport) read by the engine, one at a time as a one-layer point."""
    from exactdln.landscape.number_field_point import FieldPoint
    from exactdln.model.field_format import algebraic_point_from_mapping

    out = []
    for M in Ms:
        n = len(M)
        probe = dict(data, X=[["0"] * 1 for _ in range(n)], Y=[["0"] for _ in range(n)], weights=[M])
        prob, ws = algebraic_point_from_mapping(probe, limits)
        out.append([[el(x) for x in r] for r in FieldPoint(prob, tuple(ws), K=K).W[0].tolist()])
    return out


def _family_kind_findings(cert: dict) -> list[str]:
    kinds = [c.get("kind") for c in cert.get("claims", []) if c.get("type") == "kind"]
    verdict = cert.get("verdict", {}).get("kind")
    if kinds and verdict and kinds[0] != verdict:
        return [f"family certificate accepted with kind {kinds[0]} but its recorded engine verdict is {verdict}"]
    return []


# ------------------------------------------------------------------------------------------------ honest inputs

def honest_point_certificates() -> list[dict]:
    """Hand-built honest point certificates (tests/support/certificate_cases.py), independent of the engine."""
    from tests.support import certificate_cases as cc

    return [build() for build in cc.HONEST.values()]


def honest_family_certificates() -> list[dict]:
    """Family certificates the engine writes for the example family and a strict-saddle family."""
    from exactdln.certify.family import family_certificate
    from exactdln.symbolic import load_family
    from tests.support import ROOT

    fams = [str(ROOT / "exactdln" / "examples" / "family.json"),
            {"X": [["1", "0"], ["0", "1"]], "Y": [["2", "0"], ["0", "1"]],
             "weights": [[["0", "a"]], [["0"], ["1/a"]]], "parameters": {"a": "nonzero"}}]
    out = []
    for fam in fams:
        cert = family_certificate(load_family(fam))
        if cert.ok:
            out.append(cert.data)
    return out
