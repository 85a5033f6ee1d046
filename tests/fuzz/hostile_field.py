"""Hostile certificates over a real number field K = Q(theta) (exactdln/trusted/FORMAT.md, "Number fields").

The mutants start from honest certificates the engine writes (exactdln/certify/field.py) for small points
whose kinds are known from elsewhere: over Q(phi), phi = (1 + sqrt 5)/2 the root of t^2 - t - 1 in (1, 2),
with X = I, Y = [[1, 1], [0, 1]] (Sigma = [[2, 1], [1, 1]], eigenvalues phi^2 and 2 - phi, eigenvectors
(1, phi - 1) and (1, -phi)): fitting the top eigenvalue through one hidden unit is the global minimizer and
fitting the other a strict saddle (Baldi, Hornik 1989); through three rank-1 layers the top one is a non-strict
saddle (docs/maths/classification.md §3.6); a moved weight is not critical. A degree-3 point comes from
:func:`exactdln.instances.algebraic_critical.critical_point_for_fitted_set` on rational data. Each honest
certificate also gets a ``rank`` claim for W_1 (minor and kernel computed here over K).

Mutation classes (:data:`FIELD_MUTATIONS`): the minimal polynomial (a coefficient changed, squared so that it
is not squarefree, multiplied by a factor so that it is reducible, scaled, degree at and above the cap
MAX_FIELD_DEGREE = 64), the interval (isolating another root: the conjugate embedding; no root, two roots,
endpoints at a root, huge rationals, lo > hi, lo = hi, wrong shapes), entries (lists of the wrong length,
coefficients changed, rationals turned into lists, Galois-conjugated entries at the same interval), claims
moved between certificates of the same shape, signs of psd_hessian's D and L flipped, escape curves negated,
truncated or scaled, the "field" key removed, retyped or duplicated; and the generic certificate mutations of
tests/fuzz/hostile.py (numbers at the cap edges, nesting, duplicate keys, types) on these certificates.
Generators take a chooser ``rng`` as in tests/fuzz/hostile.py and return ``(name, text)``.
"""

from __future__ import annotations

import json
import random
import re
from fractions import Fraction
from typing import Any, Callable

from tests.fuzz.hostile import CERTIFICATE_MUTATIONS, _digits, _number_text, _weighted

__all__ = ["honest_field_points", "honest_field_certificates", "hostile_field_certificate", "FIELD_MUTATIONS",
           "FIELD_WEIGHTS"]

GOLDEN = {"minpoly": ["-1", "-1", "1"], "interval": ["1", "2"]}
Y_GOLDEN = [["1", "1"], ["0", "1"]]


def _int_text(n: int) -> str:
    """str(n) in chunks of 4,000 digits (Python's int -> str stops at 4,300 digits; certificates go to 10,000)."""
    if abs(n).bit_length() < 13000:
        return str(n)
    chunks, m = [], abs(n)
    while m:
        m, r = divmod(m, 10**4000)
        chunks.append(r)
    text = str(chunks[-1]) + "".join(str(c).zfill(4000) for c in reversed(chunks[:-1]))
    return ("-" if n < 0 else "") + text


def _text(x: Fraction) -> str:
    return _int_text(x.numerator) if x.denominator == 1 else f"{_int_text(x.numerator)}/{_int_text(x.denominator)}"


def _golden_points() -> dict[str, dict]:
    """The golden-ratio points: entries a + b phi written as [a, b] (phi^2 = phi + 1)."""
    from exactdln.arith.number_field import NumberField

    K = NumberField.from_polynomial([-1, -1, 1], [1, 2])
    phi = K.theta
    Y = [[K.element(Fraction(x)) for x in row] for row in Y_GOLDEN]

    def fitted_row(u):
        uu = u[0] * u[0] + u[1] * u[1]
        return [(u[0] * Y[0][j] + u[1] * Y[1][j]) / uu for j in range(2)]

    top, low = (K.element(1), phi - 1), (K.element(1), -phi)
    out = {}
    for name, u in (("golden_global", top), ("golden_strict", low)):
        out[name] = {"field": GOLDEN, "X": [["1", "0"], ["0", "1"]], "Y": Y_GOLDEN,
                     "weights": [[[x.to_json() for x in fitted_row(u)]], [[u[0].to_json()], [u[1].to_json()]]]}
    row = fitted_row(top)
    out["golden_non_strict"] = {"field": GOLDEN, "X": [["1", "0"], ["0", "1"]], "Y": Y_GOLDEN,
                                "weights": [[[x.to_json() for x in row], ["0", "0"]], [["1", "0"], ["0", "0"]],
                                            [[top[0].to_json(), "0"], [top[1].to_json(), "0"]]]}
    moved = json.loads(json.dumps(out["golden_strict"]))
    moved["weights"][1][0] = [["1", "1/1000"]]
    out["golden_not_critical"] = moved
    return out


def honest_field_points() -> dict[str, dict]:
    """Point files over K: the golden-ratio points and a degree-3 plateau point (rational data, S = {1}, a
    depth-2 network of widths 3, 2, 3: a strict saddle, Achour et al. 2024, Thm 1, since 1 < r_max = 2)."""
    from exactdln.instances.algebraic_critical import critical_point_for_fitted_set

    points = _golden_points()
    rng = random.Random(3)
    X = [[Fraction(rng.randint(-5, 5), rng.randint(1, 2)) for _ in range(4)] for _ in range(3)]
    Y = [[Fraction(rng.randint(-5, 5), rng.randint(1, 2)) for _ in range(4)] for _ in range(3)]
    points["cubic_strict"] = critical_point_for_fitted_set(X, Y, (1,), [3, 2, 3]).to_point_json()
    return points


def _rank_claim(point: dict) -> dict | None:
    """rank W_1 = r with a nonzero r x r minor and a kernel basis that is the identity on the non-pivot columns:
    reduced row echelon form of W_1 over K (engine arithmetic, exactdln/arith/number_field.py)."""
    from exactdln.arith.number_field import NumberField

    K = NumberField.from_polynomial([Fraction(c) for c in point["field"]["minpoly"]],
                                    [Fraction(c) for c in point["field"]["interval"]])

    def el(x):
        return K.element([Fraction(c) for c in x]) if isinstance(x, list) else K.element(Fraction(x))
    A = [[el(x) for x in row] for row in point["weights"][0]]
    rows, cols = len(A), len(A[0])
    R = [list(r) for r in A]
    pivots, r = [], 0
    for c in range(cols):
        p = next((i for i in range(r, rows) if not R[i][c].is_zero()), None)
        if p is None:
            continue
        R[r], R[p] = R[p], R[r]
        inv = 1 / R[r][c]
        R[r] = [x * inv for x in R[r]]
        for i in range(rows):
            if i != r and not R[i][c].is_zero():
                f = R[i][c]
                R[i] = [a - f * b for a, b in zip(R[i], R[r])]
        pivots.append(c)
        r += 1
    free = [c for c in range(cols) if c not in pivots]
    kernel = []
    for f in free:
        v = [K.element(0)] * cols
        v[f] = K.element(1)
        for i, pc in enumerate(pivots):
            v[pc] = -R[i][f]
        kernel.append([x.to_json() for x in v])
    # a nonzero minor: the pivot columns and r rows of A on which they are independent (greedy, exact)
    minor_rows, chosen = [], []
    for i in range(rows):
        trial = chosen + [[A[i][c] for c in pivots]]
        if _independent(trial):
            chosen, minor_rows = trial, minor_rows + [i]
    if len(minor_rows) != r:
        return None
    return {"type": "rank", "i": 1, "j": 1, "rank": r, "minor": {"rows": minor_rows, "cols": pivots},
            "kernel": kernel, "kernel_pivots": free}


def _independent(vectors: list) -> bool:
    rows = [list(v) for v in vectors]
    rank = 0
    for c in range(len(rows[0]) if rows else 0):
        p = next((i for i in range(rank, len(rows)) if not rows[i][c].is_zero()), None)
        if p is None:
            continue
        rows[rank], rows[p] = rows[p], rows[rank]
        for i in range(rank + 1, len(rows)):
            f = rows[i][c] / rows[rank][c]
            rows[i] = [a - f * b for a, b in zip(rows[i], rows[rank])]
        rank += 1
    return rank == len(rows)


def honest_field_certificates() -> list[dict]:
    """The engine's certificates for :func:`honest_field_points` (each checked by the standalone checker when
    written), with a ``rank`` claim for W_1 put before the kind claim."""
    from exactdln.certify.point import certify
    from exactdln.model.field_format import algebraic_point_from_mapping

    out = []
    for name, point in honest_field_points().items():
        problem, weights = algebraic_point_from_mapping(point)
        cert = certify(problem, weights)
        if not cert.ok:
            raise AssertionError(f"honest field certificate {name} was not accepted: {cert.check_lines}")
        data = json.loads(json.dumps(cert.data))
        rank = _rank_claim(point)
        if rank is not None:
            data["claims"].insert(len(data["claims"]) - 1, rank)
        data["honest"] = name                      # not read by the checker; tells the mutations what they hold
        out.append(data)
    return out


# ------------------------------------------------------------------------------------------------ helpers

def _degree(cert: dict) -> int:
    return len(cert["field"]["minpoly"]) - 1


def _entry_paths(obj: Any, prefix: tuple = ()) -> list[tuple]:
    """Paths to every matrix entry that is a coefficient list (a list of scalars) or a number inside problem,
    point and claims."""
    if isinstance(obj, dict):
        return [p for k, v in obj.items() if k not in ("field", "format", "version", "type", "kind", "honest")
                for p in _entry_paths(v, prefix + (k,))]
    if isinstance(obj, list):
        if obj and all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in obj) and \
                len(prefix) >= 3 and prefix[-1] != "minor":
            return [prefix]                       # a coefficient list (or a vector of numbers)
        return [p for i, v in enumerate(obj) for p in _entry_paths(v, prefix + (i,))]
    return [prefix] if isinstance(obj, str) else []


def _get(obj: Any, path: tuple) -> Any:
    for key in path:
        obj = obj[key]
    return obj


def _set(obj: Any, path: tuple, value: Any) -> None:
    for key in path[:-1]:
        obj = obj[key]
    obj[path[-1]] = value


def _map_entries(obj: Any, fn: Callable, inside: bool = False) -> Any:
    """Apply fn to every coefficient list of the problem, the point and the claims (lists of exactly d scalars
    in matrices); numbers are left alone."""
    if isinstance(obj, dict):
        return {k: (v if k in ("field", "format", "version", "type", "kind", "honest", "minor", "kernel_pivots",
                               "free", "perm", "orbit_kernel", "layer", "entry", "i", "j", "rank", "c")
                    else _map_entries(v, fn, True)) for k, v in obj.items()}
    if isinstance(obj, list):
        if obj and all(isinstance(x, str) for x in obj) and inside and _is_entry_list(obj):
            return fn(obj)
        return [_map_entries(v, fn, inside) for v in obj]
    return obj


_ENTRY_LENGTH: list = [0]


def _is_entry_list(x: list) -> bool:
    return len(x) == _ENTRY_LENGTH[0]


def _bounded_fraction(x: Any) -> Fraction:
    """Fraction(x), refusing (ValueError) a text whose value would take long to build: a decimal exponent beyond
    10^4 or a text over 20,000 characters. A stacked mutation reads a certificate an earlier one made hostile;
    Fraction("1e99999999") computes 10^99999999 (seed 5002 spent ten minutes there, in the generator)."""
    if isinstance(x, str):
        exponent = re.search(r"[eE]([+-]?\d+)\s*$", x)
        if len(x) > 20_000 or (exponent and abs(int(exponent.group(1)[:7])) > 10_000):
            raise ValueError("number text too large for the generator")
    return Fraction(x)


def _fraction(x: Any) -> Fraction | None:
    try:
        return _bounded_fraction(x) if not isinstance(x, bool) else None
    except (ValueError, ZeroDivisionError, TypeError):
        return None


def _poly_mul(a: list[Fraction], b: list[Fraction]) -> list[Fraction]:
    out = [Fraction(0)] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] += x * y
    return out


def _pad_entries(cert: dict, new_degree: int) -> dict:
    """Coefficient lists padded with zeros to new_degree (the same element when theta is still a root)."""
    _ENTRY_LENGTH[0] = _degree(cert)
    out = _map_entries(cert, lambda e: e + ["0"] * (new_degree - len(e)))
    return out


def _set_minpoly(cert: dict, poly: list[Fraction], rng, pad: float = 0.7) -> dict:
    d = len(poly) - 1
    if d > _degree(cert) and rng.random() < pad:
        cert = _pad_entries(cert, d)
    cert["field"]["minpoly"] = [_text(c) for c in poly]
    return cert


def _real_roots(poly: list[Fraction]) -> list[tuple[Fraction, Fraction]]:
    """Isolating intervals of the real roots of a squarefree polynomial (engine: exactdln/arith/realroots.py)."""
    from flint import fmpq, fmpq_poly

    from exactdln.arith.algebraic import real_roots

    p = fmpq_poly([fmpq(c.numerator, c.denominator) for c in poly])
    out = []
    for root, _ in real_roots(p):
        lo, hi = root.lower, root.upper
        out.append((Fraction(lo), Fraction(hi)))
    return out


# ------------------------------------------------------------------------------------------------ mutations

FIELD_MUTATIONS: dict[str, Callable] = {}


def _field_mutation(fn: Callable) -> Callable:
    FIELD_MUTATIONS[fn.__name__] = fn
    return fn


@_field_mutation
def minpoly_coefficient(cert, rng):
    """One coefficient of p changed: +-1, negated, zeroed, halved, or a hostile number text."""
    poly = cert["field"]["minpoly"]
    k = rng.randint(0, len(poly) - 1)
    x = _fraction(poly[k])
    op = rng.choice(["plus", "minus", "neg", "zero", "half", "hostile"])
    if x is None or op == "hostile":
        poly[k] = _number_text(rng)
    else:
        poly[k] = _text({"plus": x + 1, "minus": x - 1, "neg": -x, "zero": Fraction(0), "half": x / 2}[op])
    return json.dumps(cert)


@_field_mutation
def minpoly_square(cert, rng):
    """p^2 or p * (t - c)^2: not squarefree (entries padded or not)."""
    p = [_bounded_fraction(c) for c in cert["field"]["minpoly"]]
    q = p if rng.random() < 0.5 else [Fraction(-rng.randint(-5, 5)), Fraction(1)]
    return json.dumps(_set_minpoly(cert, _poly_mul(p, _poly_mul(q, q) if q is not p else q), rng))


@_field_mutation
def minpoly_reducible(cert, rng):
    """p times a factor: a root far from the interval (theta unchanged: entries padded, the certificate stays
    true), or a root inside the interval (two roots), or an irreducible quadratic (no new real root)."""
    p = [_bounded_fraction(c) for c in cert["field"]["minpoly"]]
    lo, hi = (_bounded_fraction(x) for x in cert["field"]["interval"])
    op = rng.choice(["far", "inside", "quadratic", "scale", "times_t"])
    if op == "far":
        q = [Fraction(-rng.choice([-100, -7, 50, 1000])), Fraction(1)]
    elif op == "inside":
        q = [-(lo + hi) / 2 - Fraction(1, rng.randint(3, 9)) * (hi - lo) / 2, Fraction(1)]
    elif op == "quadratic":
        q = [Fraction(rng.randint(1, 5)), Fraction(0), Fraction(1)]
    elif op == "times_t":
        q = [Fraction(0), Fraction(1)]
    else:
        c = Fraction(rng.choice([-3, 2, 7, 10**40]), rng.choice([1, 3, 10**30]))
        cert["field"]["minpoly"] = [_text(c * x) for x in p]
        return json.dumps(cert)
    return json.dumps(_set_minpoly(cert, _poly_mul(p, q), rng))


@_field_mutation
def minpoly_degree(cert, rng):
    """Degree at the cap (64, theta kept: p times t^k + 1 or (t - 100)^k... squarefree factors) or above it."""
    p = [_bounded_fraction(c) for c in cert["field"]["minpoly"]]
    target = rng.choice([64, 65, 66, 200])
    k = target - (len(p) - 1)
    q = [Fraction(0)] * (k + 1)
    q[0], q[k] = Fraction(rng.choice([3, -3, 1000])), Fraction(1)      # t^k + c: squarefree, roots off (1, 2) mostly
    if rng.random() < 0.3:
        cert["field"]["minpoly"] = [_text(c) for c in _poly_mul(p, q)]
        return json.dumps(cert)
    return json.dumps(_set_minpoly(cert, _poly_mul(p, q), rng, pad=0.9))


@_field_mutation
def minpoly_shape(cert, rng):
    """The polynomial of the wrong shape or type."""
    poly = cert["field"]["minpoly"]
    cert["field"]["minpoly"] = rng.choice([[], ["1"], ["0", "0"], poly + ["0"], ["0"] + poly, [poly], "t^2-t-1",
                                           None, {"0": "1"}, [True, False, True], [1.5, -1, 1], poly[::-1]])
    return json.dumps(cert)


@_field_mutation
def interval_root(cert, rng):
    """The interval moved: around another real root of p (the conjugate embedding), around no root, around two,
    with an endpoint on a root, or shrunk to huge rationals around theta."""
    p = [_bounded_fraction(c) for c in cert["field"]["minpoly"]]
    lo, hi = (_bounded_fraction(x) for x in cert["field"]["interval"])
    roots = _real_roots(p)
    op = rng.choice(["conjugate", "conjugate", "none", "two", "endpoint", "huge", "wide"])
    if op == "conjugate" and len(roots) > 1:
        others = [r for r in roots if not (lo <= r[0] and r[1] <= hi)]
        a, b = rng.choice(others or roots)
        new = [a - Fraction(1, 10**6), b + Fraction(1, 10**6)] if a == b else [a, b]
    elif op == "two" and len(roots) > 1:
        new = [min(r[0] for r in roots) - 1, max(r[1] for r in roots) + 1]
    elif op == "endpoint":
        # theta's interval refined to a rational endpoint that is not a root, or an exact root of p*(t - lo)
        new = [lo, hi]
        cert["field"]["minpoly"] = [_text(c) for c in _poly_mul(p, [-lo, Fraction(1)])]
    elif op == "huge":
        a, b = next((r for r in roots if lo <= r[0] and r[1] <= hi), (lo, hi))
        digits = rng.choice([30, 400, 4000, 9999])
        scale = 10 ** digits
        mid = (a + b) / 2
        wobble = Fraction(rng.randint(1, 9), scale)
        new = [Fraction(int(mid * scale) - 1, scale) - wobble, Fraction(int(mid * scale) + 2, scale) + wobble]
        if rng.random() < 0.3:
            cert["field"]["interval"] = ["-" + _digits(digits, rng), _digits(digits, rng)]
            return json.dumps(cert)
    elif op == "wide":
        new = [Fraction(-10**rng.randint(3, 60)), Fraction(10**rng.randint(3, 60))]
    else:
        new = [hi + 1000, hi + 1001]
    cert["field"]["interval"] = [_text(x) for x in new]
    return json.dumps(cert)


@_field_mutation
def interval_shape(cert, rng):
    """lo > hi, lo = hi, the wrong number of values, hostile numbers, wrong types."""
    lo, hi = cert["field"]["interval"]
    cert["field"]["interval"] = rng.choice([[hi, lo], [lo, lo], [hi, hi], [lo], [lo, hi, hi], [], None, "1..2",
                                            [_number_text(rng), hi], [lo, _number_text(rng)], [[lo], [hi]],
                                            [1, 2], [1.0, 2.0], {"lo": lo, "hi": hi}])
    return json.dumps(cert)


@_field_mutation
def field_structure(cert, rng):
    """The "field" key removed, retyped, duplicated, with extra or missing keys."""
    op = rng.choice(["drop", "null", "list", "extra", "missing", "dup", "dup_other", "string"])
    if op == "drop":
        del cert["field"]
    elif op == "null":
        cert["field"] = None
    elif op == "list":
        cert["field"] = [cert["field"]["minpoly"], cert["field"]["interval"]]
    elif op == "extra":
        cert["field"]["degree"] = _degree(cert)
    elif op == "missing":
        cert["field"].pop(rng.choice(["minpoly", "interval"]))
    elif op == "string":
        cert["field"] = "Q(sqrt 5)"
    elif op == "dup":
        return json.dumps(cert).replace('"field"', '"field": {"minpoly": ["-2", "0", "1"], "interval": ["1", "2"]}, '
                                                   '"field"', 1)
    else:
        other = json.dumps({"minpoly": ["-2", "0", "1"], "interval": ["1", "2"]})
        text = json.dumps(cert)
        return text.replace('"field": {', f'"field": {other}, "x": {{', 1) if rng.random() < 0.5 else \
            text.replace('"minpoly"', '"minpoly": ["-5", "0", "1"], "minpoly"', 1)
    return json.dumps(cert)


@_field_mutation
def entry_length(cert, rng):
    """One coefficient list of the wrong length (d - 1, d + 1, 0, 2d), nested, or a number turned into a list."""
    d = _degree(cert)
    paths = _entry_paths(cert)
    if not paths:
        return json.dumps(cert)
    p = rng.choice(paths)
    v = _get(cert, p)
    base = v if isinstance(v, list) else [v] + ["0"] * (d - 1)
    new = rng.choice([base[:-1], base + ["0"], base + ["1"], [], base * 2, [base], base[:1], [v, v] if d != 2 else [v],
                      ["0"] * d + ["0"] * 63, base[:d]])
    _set(cert, p, new)
    return json.dumps(cert)


@_field_mutation
def entry_coefficient(cert, rng):
    """One coefficient of one entry changed (+-1, negated, zeroed, halved, a tiny or huge number, hostile)."""
    d = _degree(cert)
    paths = _entry_paths(cert)
    if not paths:
        return json.dumps(cert)
    p = rng.choice(paths)
    v = _get(cert, p)
    entry = list(v) if isinstance(v, list) else [v] + ["0"] * (d - 1)
    k = rng.randint(0, len(entry) - 1)
    x = _fraction(entry[k])
    op = rng.choice(["plus", "minus", "neg", "zero", "half", "tiny", "huge", "hostile"])
    if x is None or op == "hostile":
        entry[k] = _number_text(rng)
    else:
        entry[k] = _text({"plus": x + 1, "minus": x - 1, "neg": -x, "zero": Fraction(0), "half": x / 2,
                          "tiny": x + Fraction(1, 10**rng.choice([20, 400, 9000])),
                          "huge": x + 10**rng.choice([20, 400, 9000])}[op])
    _set(cert, p, entry if isinstance(v, list) or rng.random() < 0.5 else entry[0])
    return json.dumps(cert)


@_field_mutation
def conjugate_entries(cert, rng):
    """Every entry a + b theta replaced by its Galois conjugate a + b theta' (quadratic fields: theta' = -c_1/c_2
    - theta) at the same interval: the certificate now speaks of the conjugate point at the same root."""
    if _degree(cert) != 2:
        return interval_root(cert, rng)
    c0, c1, c2 = (_bounded_fraction(c) for c in cert["field"]["minpoly"])
    trace = -c1 / c2

    def conj(e):
        a, b = _fraction(e[0]), _fraction(e[1])
        if a is None or b is None:
            return e
        return [_text(a + b * trace), _text(-b)]
    _ENTRY_LENGTH[0] = 2
    which = rng.choice(["all", "weights", "claims"])
    if which == "all":
        cert = _map_entries(cert, conj)
    else:
        cert[which if which == "claims" else "point"] = _map_entries(cert[which if which == "claims" else "point"],
                                                                    conj, True)
    return json.dumps(cert)


def _claims_of(cert, kind):
    return [c for c in cert["claims"] if c.get("type") == kind]


@_field_mutation
def swap_claims(cert, rng, honest=None, base=None):
    """Claims moved from another honest field certificate of the same shapes (or field), a kind changed, or
    the kind's supporting claim dropped."""
    op = rng.choice(["move", "move", "kind", "drop_support", "add_other_kind"])
    others = [h for h in (honest or []) if h.get("honest") != base and _shapes(h) == _shapes(cert)]
    if op in ("move", "add_other_kind") and others:
        donor = rng.choice(others)
        moved = [json.loads(json.dumps(c)) for c in donor["claims"] if c.get("type") != "kind" or op == "add_other_kind"]
        if not moved:
            return json.dumps(cert)
        if op == "add_other_kind":
            cert["claims"] = [c for c in cert["claims"] if c.get("type") != "kind"] + moved
        else:
            c = rng.choice(moved)
            cert["claims"].insert(rng.randint(0, len(cert["claims"])), c)
            if rng.random() < 0.5:                               # claim the donor's kind too
                for k in _claims_of(cert, "kind"):
                    k["kind"] = next((x["kind"] for x in donor["claims"] if x.get("type") == "kind"), k["kind"])
    elif op == "kind":
        for k in _claims_of(cert, "kind"):
            k["kind"] = rng.choice(["global_minimizer", "strict_saddle", "non_strict_saddle", "not_critical"])
    else:
        support = [c for c in cert["claims"] if c.get("type") not in ("kind", "rank")]
        if support:
            cert["claims"].remove(rng.choice(support))
    return json.dumps(cert)


def _shapes(cert: dict) -> list:
    try:
        return [(len(w), len(w[0])) for w in cert["point"]["weights"]] + [cert["field"]["minpoly"]]
    except (KeyError, TypeError, IndexError):
        return []


@_field_mutation
def psd_signs(cert, rng):
    """In psd_hessian: one D entry negated or moved by a small element, one L entry negated or changed, an
    orbit generator or a pivot moved; elsewhere the top_eigenspace separator c or a strict direction moved."""
    psd = _claims_of(cert, "psd_hessian")
    if psd and isinstance(psd[0].get("congruence"), dict):
        # the integer congruence form {free, T}: one T entry on or below the diagonal moved, or a free index moved
        congruence = psd[0]["congruence"]
        T = congruence.get("T")
        if rng.random() < 0.8 and isinstance(T, list) and T and isinstance(T[-1], list):
            i = rng.randint(0, len(T) - 1)
            j = rng.randint(0, min(i, len(T[i]) - 1)) if T[i] else 0
            if T[i]:
                T[i][j] = rng.choice([0, -T[i][j] if isinstance(T[i][j], int) else 0,
                                      (T[i][j] + rng.choice([-1, 1])) if isinstance(T[i][j], int) else 1])
        elif congruence.get("free"):
            k = rng.randint(0, len(congruence["free"]) - 1)
            congruence["free"][k] = rng.randint(0, 11)
        return json.dumps(cert)
    elif psd and isinstance(psd[0].get("ldl"), dict):
        ldl = psd[0]["ldl"]
        op = rng.choice(["D", "D", "L", "L", "orbit", "pivot"])
        if op == "D" and ldl["D"]:
            k = rng.randint(0, len(ldl["D"]) - 1)
            ldl["D"][k] = _neg_or_shift(ldl["D"][k], rng, _degree(cert))
        elif op == "L" and len(ldl["L"]) > 1:
            i = rng.randint(1, len(ldl["L"]) - 1)
            j = rng.randint(0, i - 1)
            ldl["L"][i][j] = _neg_or_shift(ldl["L"][i][j], rng, _degree(cert))
        elif op == "orbit" and psd[0].get("orbit_kernel"):
            g = rng.choice(psd[0]["orbit_kernel"])
            g[rng.randint(0, 2)] = rng.choice([0, 1, 2])
        elif psd[0].get("kernel_pivots"):
            k = rng.randint(0, len(psd[0]["kernel_pivots"]) - 1)
            psd[0]["kernel_pivots"][k] = rng.randint(0, 11)
        return json.dumps(cert)
    top = _claims_of(cert, "top_eigenspace")
    if top:
        top[0]["c"] = _text(Fraction(top[0]["c"]) + rng.choice([-2, -1, Fraction(-1, 2), Fraction(1, 2), 1, 2, 3]))
        return json.dumps(cert)
    strict = _claims_of(cert, "strict_saddle")
    if strict:
        D = strict[0]["direction"]
        h = rng.randint(0, len(D) - 1)
        i = rng.randint(0, len(D[h]) - 1)
        j = rng.randint(0, len(D[h][i]) - 1)
        D[h][i][j] = _neg_or_shift(D[h][i][j], rng, _degree(cert))
    return json.dumps(cert)


def _neg_or_shift(x: Any, rng, d: int) -> Any:
    """-x, x + theta, x - 1/1000, x * theta, or 0."""
    e = list(x) if isinstance(x, list) else [x] + ["0"] * (d - 1)
    fr = [_fraction(c) or Fraction(0) for c in e]
    op = rng.choice(["neg", "theta", "small", "zero", "times_theta"])
    if op == "neg":
        fr = [-c for c in fr]
    elif op == "theta" and d > 1:
        fr[1] += 1
    elif op == "small":
        fr[0] -= Fraction(1, 1000)
    elif op == "zero":
        fr = [Fraction(0)] * d
    elif d > 1:
        fr = [Fraction(0)] + fr[:-1]             # times theta, wrong beyond theta^(d-1) (not reduced): a new element
    return [_text(c) for c in fr]


@_field_mutation
def escape_curve(cert, rng):
    """The escape curve negated, truncated, scaled by theta, extended by a zero or random coefficient, or one
    entry moved; where there is none, the strict direction or the top_eigenspace claim is turned into one."""
    esc = _claims_of(cert, "escape_curve")
    d = _degree(cert)
    if not esc:
        strict = _claims_of(cert, "strict_saddle")
        if strict:
            cert["claims"].insert(1, {"type": "escape_curve", "coefficients": [strict[0]["direction"]]})
            for k in _claims_of(cert, "kind"):
                k["kind"] = rng.choice(["non_strict_saddle", "strict_saddle"])
            return json.dumps(cert)
        return psd_signs(cert, rng)
    coeffs = esc[0]["coefficients"]
    op = rng.choice(["neg", "truncate", "theta", "extend", "entry", "swap"])
    _ENTRY_LENGTH[0] = d
    if op == "neg":
        k = rng.randint(0, len(coeffs) - 1)
        coeffs[k] = _negate_all(coeffs[k], d)
    elif op == "truncate" and len(coeffs) > 1:
        coeffs.pop()
    elif op == "theta":
        k = rng.randint(0, len(coeffs) - 1)
        coeffs[k] = _map_entries({"m": coeffs[k]}, lambda e: ["0"] + e[:-1], False)["m"]
    elif op == "extend":
        coeffs.append(_negate_all(coeffs[0], d) if rng.random() < 0.5 else coeffs[-1])
    elif op == "swap" and len(coeffs) > 1:
        coeffs.reverse()
    else:
        k = rng.randint(0, len(coeffs) - 1)
        h = rng.randint(0, len(coeffs[k]) - 1)
        i = rng.randint(0, len(coeffs[k][h]) - 1)
        j = rng.randint(0, len(coeffs[k][h][i]) - 1)
        coeffs[k][h][i][j] = _neg_or_shift(coeffs[k][h][i][j], rng, d)
    return json.dumps(cert)


def _negate_all(M: Any, d: int) -> Any:
    if isinstance(M, list) and M and all(isinstance(x, str) for x in M) and len(M) == d:
        return [_text(-_bounded_fraction(x)) for x in M]
    if isinstance(M, list):
        return [_negate_all(x, d) for x in M]
    return _text(-Fraction(M)) if _fraction(M) is not None else M


@_field_mutation
def generic(cert, rng, light: bool = False):
    """A generic certificate mutation of tests/fuzz/hostile.py (numbers at the cap edges, claims, structure, huge;
    ``light``: not cert_huge, whose 10,000-digit entries take seconds to check)."""
    name = rng.choice(sorted(n for n in CERTIFICATE_MUTATIONS if not (light and n == "cert_huge")))
    return CERTIFICATE_MUTATIONS[name](cert, rng)


FIELD_WEIGHTS = {"minpoly_coefficient": 3, "minpoly_square": 2, "minpoly_reducible": 3, "minpoly_degree": 1,
                 "minpoly_shape": 1, "interval_root": 4, "interval_shape": 2, "field_structure": 2,
                 "entry_length": 2, "entry_coefficient": 4, "conjugate_entries": 3, "swap_claims": 4,
                 "psd_signs": 4, "escape_curve": 3, "generic": 4}


def hostile_field_certificate(rng, honest: list[dict], light: bool = False) -> tuple[str, str]:
    """One mutated field certificate: (mutation name, text); the name says the base, as "golden_strict:psd_signs".
    Now and then two mutations are stacked. ``light`` (the default test suite) leaves out the mutations that
    take seconds each to check: 10,000-digit entries everywhere, degrees above 64."""
    base = rng.choice(honest)
    cert = json.loads(json.dumps(base))
    label = cert.pop("honest", None)
    weights = dict(FIELD_WEIGHTS, minpoly_degree=0) if light else FIELD_WEIGHTS
    name = _weighted(rng, weights)
    text = _apply(name, cert, rng, honest, label, light)
    names = [name]
    if rng.random() < 0.15:
        try:
            again = json.loads(text)
        except (ValueError, RecursionError):            # deep nesting, truncation: not stacked
            again = None
        if isinstance(again, dict) and isinstance(again.get("field"), dict) and isinstance(again.get("claims"), list):
            second = _weighted(rng, weights)
            try:
                text = _apply(second, again, rng, honest, label, light)
                names.append(second)
            except (KeyError, TypeError, IndexError, ValueError, ZeroDivisionError, AttributeError):
                pass
    return f"{label}:{'+'.join(names)}", text


def _apply(name: str, cert: dict, rng, honest: list[dict], label: str | None, light: bool = False) -> str:
    if name == "swap_claims":
        return swap_claims(cert, rng, honest, label)
    if name == "generic":
        return generic(cert, rng, light)
    return FIELD_MUTATIONS[name](cert, rng)
