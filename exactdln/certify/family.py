"""Write family certificates (format "exactdln-family-certificate" v1, FAMILY_FORMAT.md).

The engine (sympy over QQ(params), untrusted) finds the evidence with its own arithmetic
(exactdln/symbolic/signs.py for signs, exactdln/certify/family_evidence.py for the Hessian
numerators, the elimination and the loss along curves); the standard-library checker
``exactdln/trusted/checker_family.py``, run as a separate process on the certificate file
(exactdln/certify/gate.py; the engine never imports it), re-verifies every certificate
before it is returned:

- ``critical``: nothing to give; the checker clears denominators and finds every gradient
  numerator identically 0.
- ``rank`` of each W_{j:i} (the ranks at generic parameter values): a generic-size minor over QQ(params) with its
  factorization (a nonzero constant times factors that cannot vanish under the assumptions or are
  exceptional), and rref kernel vectors over QQ(params).
- ``strict_saddle``: a direction D(params) from symmetric elimination of the symbolic Hessian
  (exactdln.symbolic.hessian.negative_curvature_direction), and the factorization of the t^2
  coefficient of L(W + tD), negative under the assumptions (the classification theorem of Achour et al.
  (JMLR 2024), docs/maths/classification.md §3.3 (b)/(c), predicts such a direction; the certificate does not
  rely on the theorem).
- ``top_eigenspace`` (global minimizers): Q, N, c at a sample point and Z(params) with
  W_{H:1} Z = Q identically, so range W_{H:1} is the top-r_max eigenspace of Sigma for every
  admissible parameter value (Achour et al. (JMLR 2024); docs/maths/classification.md §2.1 and §3.3 (a)).
- ``not_critical``: a gradient entry whose factorization is nonzero outside the exceptional set.
- ``psd_hessian`` + ``escape_curve`` (non-strict saddles): positive pivots of the fraction-free
  elimination of M = Delta^2 Hess, and a cut-chain curve whose first nonzero coefficient is negative.

The exceptional set is the list of irreducible factors used that may vanish under the assumptions.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sympy.polys.matrices import DomainMatrix

from exactdln.model.results import GLOBAL_MINIMIZER, NON_STRICT_SADDLE, NOT_CRITICAL, STRICT_SADDLE
from exactdln.symbolic.analysis import analyze_family, family_gradient, family_partial_product
from exactdln.symbolic.factoring import factor_list
from exactdln.symbolic.family import Family, PoleError, load_family
from exactdln.symbolic.hessian import family_hessian, negative_curvature_direction, rational_sign
from exactdln.symbolic.signs import cannot_vanish, definite_sign, zero_set_key
from exactdln.certify.family_evidence import MAX_MINOR, hessian_numerators, loss_coefficients, schur_step
from exactdln.certify.gate import CertificateError, certificate_text, run_checker, write_checked_text
from exactdln.certify.caps import check_certificate_text, check_family_caps
from exactdln.model.problem import InputError

__all__ = ["FamilyCertificate", "CertificateError", "family_certificate", "write_family_certificate",
           "certify_family_file"]


@dataclass
class FamilyCertificate:
    """A family certificate and the standalone checker's results on it.

    ``results`` are the checker's per-claim lines, ``returncode`` its exit status, ``text`` the JSON
    text it ran on (what :func:`write_family_certificate` writes)."""

    data: dict[str, Any]
    results: list[tuple[str, bool, str]]
    kind: str | None
    verdict_kind: str
    missing: list[str] = field(default_factory=list)
    returncode: int = 0
    text: str = field(default="", repr=False)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and bool(self.results) and all(ok for _, ok, _ in self.results)

    def __str__(self) -> str:
        lines = [f"family certificate: verdict {self.verdict_kind}; certified kind: {self.kind or 'none'}"]
        lines += [f"  {'ok  ' if ok else 'FAIL'} {t}: {m}" for t, ok, m in self.results]
        lines += [f"  not certified: {m}" for m in self.missing]
        return "\n".join(lines)


class _Writer:
    """Turns sympy field elements into the format's JSON and collects the exceptional set."""

    def __init__(self, family: Family):
        self.family = family
        self.n = len(family.parameters)
        self.kinds = [k for _, k in family.assumptions]
        self.exceptional: list[Any] = []           # zero_set_key of each exceptional factor
        self.exceptional_json: list[list] = []
        self.denominators: dict[str, dict] = {}

    def poly(self, p: Any) -> list:
        return [[str(c), list(m)] for m, c in p.terms()] if p else []

    def factorization(self, e: Any, need_sign: bool) -> dict | None:
        """c * prod f^e for a rational function; factors that may vanish join the exceptional set.
        None when a sign is needed and an odd power of such a factor leaves it open."""
        if not e:
            return None
        c_num, fn = factor_list(e.numer)           # FLINT, not sympy (exactdln/symbolic/factoring.py)
        c_den, fd = factor_list(e.denom)
        factors = [(f, m) for f, m in fn] + [(f, -m) for f, m in fd]
        out = []
        for f, m in factors:
            if not definite_sign(f, self.kinds):
                if need_sign and m % 2:
                    return None
                key = zero_set_key(f)
                if not cannot_vanish(f, self.kinds) and key not in self.exceptional:
                    self.exceptional.append(key)
                    self.exceptional_json.append(self.poly(f))
            out.append([self.poly(f), m])
        return {"constant": str(Fraction(str(c_num)) / Fraction(str(c_den))), "factors": out}

    def ratfun(self, e: Any) -> dict:
        den = e.denom
        if not den.is_ground:
            key = json.dumps(self.poly(den))
            if key not in self.denominators:
                fact = self.factorization(self.family.field.new(den), need_sign=False)
                self.denominators[key] = {"poly": self.poly(den), **fact}
        return {"num": self.poly(e.numer), "den": self.poly(den)}

    def matrix(self, M: DomainMatrix | list) -> list:
        rows = M.to_list() if isinstance(M, DomainMatrix) else M
        return [[self.ratfun(e) for e in row] for row in rows]


def _numeric(M: DomainMatrix) -> list[list[str]]:
    return [[str(Fraction(str(e.numer.LC)) / Fraction(str(e.denom.LC))) if e else "0" for e in row]
            for row in M.to_list()]


def _rank_claim(w: _Writer, family: Family, i: int, j: int) -> dict | None:
    M = family_partial_product(family, i, j)
    R, cols = M.rref()
    r = len(cols)
    if r > MAX_MINOR:
        return None
    _, rows = M.transpose().rref()
    claim: dict[str, Any] = {"type": "rank", "i": i, "j": j, "rank": r}
    minor = {"rows": list(rows), "cols": list(cols), "constant": "1", "factors": []}
    if r:
        fact = w.factorization(M.extract(list(rows), list(cols)).det(), need_sign=False)
        minor.update(fact)
    Rl = R.to_list()
    K = family.field
    free = [c for c in range(M.shape[1]) if c not in cols]
    kernel = []
    for f in free:
        v = [K.zero] * M.shape[1]
        v[f] = K.one
        for row, c in enumerate(cols):
            v[c] = -Rl[row][f]
        kernel.append(v)
    claim.update(minor=minor, kernel=w.matrix(kernel) if kernel else [], kernel_pivots=free)
    return claim


def _sample_point(family: Family, verdict, rng: random.Random) -> dict[str, Fraction] | None:
    for _ in range(200):
        values = {}
        for name, kind in family.assumptions:
            v = Fraction(rng.randint(1, 9), rng.randint(1, 5))
            values[name] = -v if kind == "negative" or (kind in ("real", "nonzero") and rng.random() < .5) else v
        try:
            family.specialize(values)
        except PoleError:
            continue
        if verdict.applies_at(values):
            return values
    return None


def _top_eigenspace_claim(w: _Writer, family: Family, verdict) -> dict | None:
    from exactdln.certify.point import top_eigenspace_evidence
    from exactdln.landscape.point import exact_point

    values = _sample_point(family, verdict, random.Random(6))
    if values is None:
        return None
    problem, weights = family.specialize(values)
    point = top_eigenspace_evidence(exact_point(problem, weights))
    if point is None or "rank" in point:
        return None
    K = family.field
    P = family_partial_product(family, 1, family.depth)
    _, cols = P.rref()
    _, rows = P.transpose().rref()
    Q = [[K.convert(Fraction(x).numerator) / K.convert(Fraction(x).denominator) for x in row] for row in point["Q"]]
    r = len(Q[0])
    if len(cols) != r:
        return None
    Qr = DomainMatrix([Q[a] for a in rows], (r, r), K)
    Zc = P.extract(list(rows), list(cols)).inv() * Qr
    Z = [[K.zero] * r for _ in range(P.shape[1])]
    for k, c in enumerate(cols):
        Z[c] = Zc.to_list()[k]
    if (P * DomainMatrix(Z, (P.shape[1], r), K)).to_list() != Q:
        return None
    return {"type": "top_eigenspace", "Q": point["Q"], "N": point["N"], "c": point["c"], "Z": w.matrix(Z)}


def _strict_claim(w: _Writer, family: Family) -> dict | None:
    found = negative_curvature_direction(family_hessian(family), w.kinds)
    if found is None:
        return None
    v, value = found
    fact = w.factorization(value / 2, need_sign=True)      # t^2 coefficient = Hess[D, D] / 2
    if fact is None:
        return None
    D, pos = [], 0
    for h in range(1, family.depth + 1):
        rows, cols = family.widths[h], family.widths[h - 1]
        D.append([v[pos + a * cols: pos + (a + 1) * cols] for a in range(rows)])
        pos += rows * cols
    return {"type": "strict_saddle", "direction": [w.matrix(m) for m in D], "t2_coefficient": fact}


def _psd_claim(w: _Writer, family: Family) -> dict | None:
    """Pivots of the fraction-free elimination of M = Delta^2 Hess that are provably positive, until the
    rest is identically 0 (FAMILY_FORMAT.md psd_hessian; the checker builds M and redoes the elimination)."""
    M = hessian_numerators(family)
    if M is None:
        return None
    K = family.field
    rest = list(range(len(M)))
    Md = {i: dict(enumerate(row)) for i, row in enumerate(M)}
    order, pivots = [], []
    while any(Md[i][j] for i in rest for j in rest):
        chosen = next((p for p in rest if Md[p][p] and rational_sign(K.new(Md[p][p]), w.kinds)[0] > 0), None)
        if chosen is None:
            return None
        fact = w.factorization(K.new(Md[chosen][chosen]), need_sign=True)
        if fact is None:
            return None
        order.append(chosen)
        pivots.append(fact)
        Md = schur_step(Md, chosen, rest)
        rest.remove(chosen)
    return {"type": "psd_hessian", "order": order, "pivots": pivots}


def _cut_chain(family: Family, cuts: tuple[int, ...], links: list, x_end: list, y_start: list, strict: bool) -> list:
    """T with T_{c_j} = x_j y_j^T over QQ(params) (exactdln.certify.escape.cut_chain_direction without the
    normalization y / |y|^2, which would put sums of squares in denominators)."""
    K, H, widths = family.field, family.depth, family.widths
    xs, ys = links + [x_end], [y_start]
    for j, x in enumerate(links):
        xi = family_partial_product(family, cuts[j] + 1, cuts[j + 1] - 1) * DomainMatrix([[v] for v in x], (len(x), 1), K)
        if strict:   # the part of xi orthogonal to range W_{c_(j+1)-1:1}
            prefix = family_partial_product(family, 1, cuts[j + 1] - 1)
            _, cols = prefix.rref()
            if cols:
                S = prefix.extract(list(range(prefix.shape[0])), list(cols))
                xi = xi - S * (S.transpose() * S).inv() * (S.transpose() * xi)
        ys.append([r[0] for r in xi.to_list()])
    T = [[[K.zero] * widths[h - 1] for _ in range(widths[h])] for h in range(1, H + 1)]
    for c, x, y in zip(cuts, xs, ys):
        T[c - 1] = [[xa * yb for yb in y] for xa in x]
    return T


def _escape_claim(w: _Writer, family: Family, max_links: int = 16) -> dict | None:
    """A cut-chain curve W + tT over QQ(params) (docs/maths/escape_curves.md §2-§3, unnormalized relaxed form:
    T_{c_j} = x_j y_j^T, x_j in ker W_{c_(j+1):c_j+1}, y_(j+1) = W_{c_(j+1)-1:c_j+1} x_j, end vectors at an entry of
    K = W_{H:c_m+1}^T G W_{c_1-1:1}^T of known sign) whose first nonzero coefficient is provably negative."""
    import itertools

    from exactdln.symbolic.analysis import family_residual

    K, H = family.field, family.depth
    kinds = w.kinds
    G = family_residual(family)

    def kernel(M: DomainMatrix) -> list[list[Any]]:
        R, cols = M.rref()
        Rl = R.to_list()
        out = []
        for f in (c for c in range(M.shape[1]) if c not in cols):
            v = [K.zero] * M.shape[1]
            v[f] = K.one
            for row, c in enumerate(cols):
                v[c] = -Rl[row][f]
            out.append(v)
        return out

    def unit(n: int, i: int, sign=1) -> list[Any]:
        return [K.one * sign if k == i else K.zero for k in range(n)]

    for m in range(H, 1, -1):
        for cuts in itertools.combinations(range(1, H + 1), m):
            Kc = (family_partial_product(family, cuts[-1] + 1, H).transpose() * G
                  * family_partial_product(family, 1, cuts[0] - 1).transpose()).to_list()
            ends = []
            for a_, row in enumerate(Kc):
                for b_, e in enumerate(row):
                    sgn = rational_sign(e, kinds)[0] if e else 0
                    if sgn:
                        ends.append((unit(len(Kc), a_, sgn), unit(len(row), b_)))
            links = [kernel(family_partial_product(family, cuts[j] + 1, cuts[j + 1])) for j in range(m - 1)]
            if not ends or any(not l for l in links):
                continue
            for chosen in itertools.islice(itertools.product(*links), max_links):
                for (x_end, y_start), strict in itertools.product(ends[:3], (True, False)):
                    T = _cut_chain(family, cuts, list(chosen), x_end, y_start, strict)
                    coeffs = loss_coefficients(family, [T])
                    k = next((k for k in range(1, len(coeffs)) if coeffs[k]), None)
                    if k is None:
                        continue
                    value = coeffs[k]
                    if rational_sign(value, kinds)[0] >= 0:
                        continue
                    fact = w.factorization(value, need_sign=True)
                    if fact is not None:
                        return {"type": "escape_curve", "coefficients": [[w.matrix(M) for M in T]], "order": k,
                                "coefficient": fact}
    return None


def _not_critical_claim(w: _Writer, family: Family) -> dict | None:
    best = None
    for h, g in enumerate(family_gradient(family), 1):
        for a, row in enumerate(g.to_list()):
            for b, e in enumerate(row):
                if e:
                    size = len(factor_list(e.numer)[1])
                    if best is None or size < best[0]:
                        best = (size, h, a, b, e)
    if best is None:
        return None
    _, h, a, b, e = best
    return {"type": "not_critical", "layer": h, "entry": [a, b], "value": w.factorization(e, need_sign=False)}


def family_certificate(family: Family, verdict=None) -> FamilyCertificate:
    """Build and check a family certificate for the family's verdict."""
    if not family.parameters:
        raise InputError("a family certificate needs at least one parameter; use exactdln certify for points",
                         "parameters")
    if not family.data_is_numeric:
        raise InputError("family certificates need numeric X, Y and lambda (no parameter in them)", "X, Y, lambda")
    # the family checker's caps, before any analysis (exactdln/certify/caps.py)
    check_family_caps(family.widths, family.X.shape[1], len(family.parameters))
    verdict = verdict or analyze_family(family)
    w = _Writer(family)
    claims: list[dict] = []
    missing: list[str] = []
    kind = None
    weights = [w.matrix(M) for M in family.weights]
    if verdict.critical == "identically":
        claims.append({"type": "critical"})
        for i in range(1, family.depth + 1):
            for j in range(i, family.depth + 1):
                c = _rank_claim(w, family, i, j)
                if c:
                    claims.append(c)
        evidence = None
        if verdict.kind == STRICT_SADDLE:
            evidence = [_strict_claim(w, family)]
        elif verdict.kind == GLOBAL_MINIMIZER:
            evidence = [_top_eigenspace_claim(w, family, verdict)]
        elif verdict.kind == NON_STRICT_SADDLE:
            evidence = [_psd_claim(w, family), _escape_claim(w, family)]
        if evidence and all(evidence):
            claims.extend(evidence)
            kind = verdict.kind
        else:
            missing.append(f"no {verdict.kind} evidence found for the family (the engine looks for strict-saddle "
                           "directions, top eigenspaces, psd eliminations with cut-chain escape curves)")
    else:
        claim = _not_critical_claim(w, family)
        if claim:
            claims.append(claim)
            kind = NOT_CRITICAL
    if kind:
        claims.append({"type": "kind", "kind": kind})
    lam = [_numeric(DomainMatrix([[l]], (1, 1), family.field))[0][0] for l in family.lambdas]
    data = {
        "format": "exactdln-family-certificate", "version": 1,
        "parameters": [[n, k] for n, k in family.assumptions],
        "X": _numeric(family.X), "Y": _numeric(family.Y), "lambda": lam,
        "weights": weights,
        "denominators": list(w.denominators.values()),
        "exceptional": w.exceptional_json,
        "claims": claims,
        "verdict": verdict.to_json(),
    }
    data = json.loads(json.dumps(data))
    text = certificate_text(data)
    check_certificate_text(text, data, family=True)     # size caps of the finished text, before the checker runs
    run = run_checker(text, "exactdln-family-certificate")
    results = list(run.results) + [("checker", False, e) for e in run.errors]
    return FamilyCertificate(data, results, kind, verdict.kind, missing, run.returncode, text)


def write_family_certificate(certificate: FamilyCertificate, path: str | os.PathLike) -> None:
    """Write a checked family certificate atomically (its checked text, a temporary file, a rename).

    Raises CertificateError if the checker refused it: nothing is written then. A certificate without
    text is checked by the checker subprocess on the temporary file and renamed only on exit 0."""
    if not certificate.ok:
        raise CertificateError("the family checker refused the certificate:\n" + "\n".join(
            f"{'ok  ' if ok else 'FAIL'} {t}: {m}" for t, ok, m in certificate.results))
    if certificate.text:
        write_checked_text(certificate.text, path)
        return
    run = write_checked_text(certificate_text(certificate.data), path, "exactdln-family-certificate")
    if run is not None and not run.ok:
        raise CertificateError("the family checker refused the certificate:\n" + "\n".join(run.lines()))


def certify_family_file(path_or_mapping: Any) -> FamilyCertificate:
    """Load a family file and certify its verdict."""
    return family_certificate(load_family(path_or_mapping))
