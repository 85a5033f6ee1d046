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

__all__ = ["Outcome", "run", "findings", "certificate_findings", "ALLOWED_EXITS", "honest_point_certificates",
           "honest_family_certificates"]

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
        if engine not in (kinds[0], "undecided"):
            bad.append(f"accepted kind {kinds[0]} but the exact engine classifies the point as {engine}")
    return bad


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
