"""Hostile inputs: mutated point files, family files and certificates (the classes of a fuzzing campaign).

Every generator takes a chooser ``rng`` with ``randint(a, b)``, ``choice(seq)`` and ``random()``: a
``random.Random`` for the campaign (bench/fuzz.py), or :class:`DrawChooser` over hypothesis's
``data.draw`` for the test suite (tests/fuzz/test_fuzz.py), so the same mutations run in both and
hypothesis can shrink what it finds. A generator returns ``(name, text)``: the mutation applied and the
file's text (bytes are written as text with ``surrogateescape``; a few mutations produce invalid UTF-8).

Classes covered (README, "Input limits"): numbers at and beyond the caps (4,301-5,000 and 5,001+ digit
integers, exponents 1e4300 / 1e-5000 / 1e5001, JSON literals 1e+308 and 1e999, NaN, Infinity, -0.0),
null, booleans and nested lists where a number is due, malformed number strings, duplicate keys
anywhere, missing and extra keys, wrong types and shapes, negative and null lambda, deep nesting,
truncation, byte flips, invalid UTF-8, large but valid networks (depth 64-256, width 1-3); families with
big powers, negative powers, 0^0, division by zero, unknown names, long numbers, parameters as a list
of pairs, unknown assumptions, too many parameters, negative or parametric lambda; certificates with
numbers changed, claims dropped, duplicated or retyped, huge numbers, deep nesting, duplicate keys,
escape curves of high degree and claims moved between files.
"""

from __future__ import annotations

import json
import random
from fractions import Fraction
from typing import Any, Callable

__all__ = ["DrawChooser", "base_point", "hostile_point", "hostile_family", "hostile_certificate",
           "HOSTILE_NUMBERS", "POINT_MUTATIONS", "FAMILY_MUTATIONS", "CERTIFICATE_MUTATIONS"]


class DrawChooser:
    """The chooser interface over hypothesis's ``data.draw`` (so that examples shrink)."""

    def __init__(self, data: Any):
        from hypothesis import strategies as st

        self._data, self._st = data, st

    def randint(self, a: int, b: int) -> int:
        return self._data.draw(self._st.integers(a, b))

    def choice(self, seq):
        return self._data.draw(self._st.sampled_from(list(seq)))

    def random(self) -> float:
        return self.randint(0, 2**20) / 2**20


# ------------------------------------------------------------------------------------------------ numbers

def _digits(n: int, rng) -> str:
    return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(min(n - 1, 64))) + "0" * max(0, n - 65)


def _number_text(rng) -> str:
    """A number string near or beyond the caps, or malformed."""
    kind = rng.choice(["int4300", "int5000", "int5001", "frac", "e4300", "e5000", "e-5000", "e5001", "e9", "dec",
                       "junk", "zero_den", "unicode", "space", "sign", "small"])
    if kind == "int4300":
        return _digits(rng.randint(4301, 4400), rng)
    if kind == "int5000":
        return ("-" if rng.random() < 0.5 else "") + _digits(rng.randint(4900, 5000), rng)
    if kind == "int5001":
        return _digits(rng.randint(5001, 5100), rng)
    if kind == "frac":
        return f"{_digits(rng.randint(1, 5000), rng)}/{_digits(rng.randint(1, 5000), rng)}"
    if kind == "e4300":
        return f"{rng.randint(1, 9)}e{rng.randint(4300, 5000)}"
    if kind == "e5000":
        return f"1e{rng.choice([5000, '+5000', 4999])}"
    if kind == "e-5000":
        return f"{rng.randint(1, 9)}.{rng.randint(0, 99)}e-{rng.randint(4300, 5000)}"
    if kind == "e5001":
        return f"1e{rng.choice([5001, 99999, 999999999, '-5001'])}"
    if kind == "e9":
        return f"1e{rng.randint(100, 400)}"
    if kind == "dec":
        return f"{rng.randint(-99, 99)}.{rng.randint(0, 10**6)}"
    if kind == "junk":
        return rng.choice(["", " ", "abc", "1/0", "--1", "1..2", "1e", "e1", "0x10", "1_000", "nan", "inf", "-Infinity",
                           "1/-2", "+-3", "1/2/3", "½", "1e1.5", "\u0661\u0662", "٣", "1\x00"])
    if kind == "zero_den":
        return f"{rng.randint(-5, 5)}/0"
    if kind == "unicode":
        return rng.choice(["\uff11", "\u00b2", "\u2155", "1\u200b"])
    if kind == "space":
        return f" {rng.randint(-9, 9)} / {rng.randint(1, 9)} "
    if kind == "sign":
        return rng.choice(["+7", "-0", "+0/5", "-3/+4"])
    return str(rng.randint(-3, 3))


#: JSON values (raw text) put where a number is due
HOSTILE_NUMBERS = ("1e+308", "1e999", "-1e999", "NaN", "Infinity", "-Infinity", "-0.0", "null", "true", "false",
                   "[]", "[1]", "{}", "{\"a\": 1}", "0.1", "1E-400", "123456789012345678901234567890")


def _raw_number(rng) -> str:
    """Raw JSON for one entry: a hostile string number, a hostile literal, or a long integer literal."""
    r = rng.randint(0, 9)
    if r < 5:
        return json.dumps(_number_text(rng))
    if r < 8:
        return rng.choice(HOSTILE_NUMBERS)
    return ("-" if rng.random() < 0.3 else "") + _digits(rng.randint(4290, 5010), rng)


# ------------------------------------------------------------------------------------------------ points

def _matrix(rows: int, cols: int, rng, zero: float = 0.3) -> list[list[str]]:
    def entry() -> str:
        if rng.random() < zero:
            return "0"
        return str(Fraction(rng.randint(-4, 4), rng.choice([1, 1, 1, 2, 3])))
    return [[entry() for _ in range(cols)] for _ in range(rows)]


def base_point(rng, *, deep: bool = False) -> dict:
    """A small valid point {X, Y, weights, lambda?} (depth 1-4, widths 1-3), or a deep one (depth 64-256)."""
    if deep:
        H, w = rng.choice([64, 128, 256]), rng.randint(1, 3)
        widths = [w] * (H + 1)
    else:
        H = rng.randint(1, 4)
        widths = [rng.randint(1, 3) for _ in range(H + 1)]
    m = rng.randint(1, 4)
    point = {"X": _matrix(widths[0], m, rng, 0.2), "Y": _matrix(widths[-1], m, rng, 0.2),
             "weights": [_matrix(widths[h + 1], widths[h], rng, 0.5 if deep else 0.3) for h in range(H)]}
    if deep and rng.random() < 0.5:
        point["weights"] = [[[str(int(i == j)) for j in range(w)] for i in range(w)] for _ in range(H)]
    if rng.random() < 0.3:
        point["lambda"] = rng.choice(["1/2", "0", "2", ["1"] * H])
    return point


def _replace_entry(doc: dict, rng, raw: str) -> str:
    """The point's JSON with one matrix entry (or lambda) replaced by raw JSON text."""
    marker = "\u0000MARK\u0000"
    target = rng.choice(["X", "Y", "weights", "lambda"])
    if target == "lambda" or target not in doc:
        doc["lambda"] = marker
    else:
        M = doc[target] if target != "weights" else rng.choice(doc["weights"])
        row = rng.choice(M)
        row[rng.randint(0, len(row) - 1)] = marker
    return json.dumps(doc).replace(json.dumps(marker), raw, 1)


def _deep(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


POINT_MUTATIONS: dict[str, Callable] = {}


def _point_mutation(fn: Callable) -> Callable:
    POINT_MUTATIONS[fn.__name__] = fn
    return fn


@_point_mutation
def entry_number(doc, rng):
    return _replace_entry(doc, rng, _raw_number(rng))


@_point_mutation
def entry_many(doc, rng):
    text = json.dumps(doc)
    for _ in range(rng.randint(2, 6)):
        text = _replace_entry(json.loads(text), rng, json.dumps(_number_text(rng)))
    return text


@_point_mutation
def lambda_value(doc, rng):
    lam = rng.choice(["-1", "-1/2", None, [], ["1", "-1"], ["1"] * 7, {"a": 1}, "1e5000", "1e4300", True, "abc"])
    doc["lambda"] = lam
    return json.dumps(doc)


@_point_mutation
def duplicate_key(doc, rng):
    text = json.dumps(doc)
    key = rng.choice(["X", "Y", "weights"])
    return text.replace(f'"{key}"', f'"{key}": {json.dumps(doc[key])}, "{key}"', 1)


@_point_mutation
def missing_key(doc, rng):
    doc.pop(rng.choice(["X", "Y", "weights"]))
    return json.dumps(doc)


@_point_mutation
def extra_key(doc, rng):
    doc[rng.choice(["parameters", "comment", "X "])] = rng.choice([{"a": "real"}, "x", [1, 2], None])
    return json.dumps(doc)


@_point_mutation
def wrong_type(doc, rng):
    key = rng.choice(["X", "Y", "weights"])
    doc[key] = rng.choice([{"a": 1}, "matrix", 3, None, [], [[]], [[[]]], [1, 2], [[1], [1, 2]], True])
    return json.dumps(doc)


@_point_mutation
def shape_mismatch(doc, rng):
    h = rng.randint(0, len(doc["weights"]) - 1)
    W = doc["weights"][h]
    if rng.random() < 0.5:
        W.append(["1"] * len(W[0]))
    else:
        for row in W:
            row.append("1")
    return json.dumps(doc)


@_point_mutation
def deep_nesting(doc, rng):
    return _replace_entry(doc, rng, _deep(rng.choice([31, 33, 100, 1000, 100000])))


@_point_mutation
def not_an_object(doc, rng):
    return rng.choice(["[]", "null", "1", '"x"', _deep(5000), "{" * 3000, "", "   "])


@_point_mutation
def truncated(doc, rng):
    text = json.dumps(doc)
    return text[:rng.randint(0, max(0, len(text) - 1))]


@_point_mutation
def byte_flip(doc, rng):
    text = bytearray(json.dumps(doc).encode())
    for _ in range(rng.randint(1, 4)):
        text[rng.randint(0, len(text) - 1)] = rng.randint(0, 255)
    return text.decode("utf-8", "surrogateescape")


@_point_mutation
def big_matrix(doc, rng):
    n = rng.choice([4097, 2049, 5000])
    key = rng.choice(["X", "weights"])
    if key == "X":
        return '{"X": [' + ",".join(["[0]"] * n) + '], "Y": [[1]], "weights": [[[1]]]}'
    return '{"X": [[1]], "Y": [[1]], "weights": [' + ",".join(["[[1]]"] * rng.choice([257, 300])) + "]}"


@_point_mutation
def many_entries(doc, rng):
    n = rng.choice([2100, 4096])
    return '{"X": [' + ",".join(["[" + ",".join(["0"] * n) + "]"] * n) + '], "Y": [[1]], "weights": [[[1]]]}'


POINT_WEIGHTS = {"entry_number": 8, "entry_many": 3, "lambda_value": 3, "duplicate_key": 2, "missing_key": 1,
                 "extra_key": 2, "wrong_type": 2, "shape_mismatch": 2, "deep_nesting": 2, "not_an_object": 1,
                 "truncated": 2, "byte_flip": 3, "big_matrix": 1, "many_entries": 0}


def _weighted(rng, weights: dict[str, int]) -> str:
    names = [n for n, w in weights.items() for _ in range(w)]
    return rng.choice(names)


def hostile_point(rng, *, heavy: bool = False) -> tuple[str, str]:
    """One mutated point file: (mutation name, text). ``heavy`` adds 16M-entry files and deep valid networks."""
    if heavy and rng.random() < 0.05:
        return "deep_valid", json.dumps(base_point(rng, deep=True))
    weights = dict(POINT_WEIGHTS, many_entries=1 if heavy else 0)
    name = _weighted(rng, weights)
    return name, POINT_MUTATIONS[name](base_point(rng), rng)


# ------------------------------------------------------------------------------------------------ families

_EXPRESSIONS = ("(a+b)^64", "(a+b)^{k}", "a^64*b^64*a^64", "a^(-64)", "a^(-{k})", "0^0", "0^(-1)", "1e200", "1e201",
                "1e200*a", "(1e200*a+1)^20", "1/(a-a)", "a/0", "c", "a^65", "a^99999999", "((((((((a))))))))",
                "(" * 50 + "a" + ")" * 50, "a" + "+a" * 1500, "a*" * 700 + "a", "(a+b+1)^{k}*(a-b)^{k}", "a^-1",
                "1.5e-3*a", ".5", "5.", "a b", "a**2", "2^a", "a^(1/2)", "-a^2", "--a", "a^+3", "(a)(b)", "",
                "1e99999", "\u00e9", "a^(64)", "(a*b+1)/(a^2+1)", "1/(a^2+b^2)", "a+" * 3 + "1", "{big}")


def base_family(rng) -> dict:
    """A small valid family: 1-2 parameters in a depth 2-3, width 1-2 network."""
    H = rng.randint(2, 3)
    widths = [rng.randint(1, 2) for _ in range(H + 1)]
    names = ["a", "b"][:rng.randint(1, 2)]
    kinds = {n: rng.choice(["real", "nonzero", "positive", "negative", "nonnegative"]) for n in names}

    def entry() -> str:
        return rng.choice(["0", "1", "-1", "2", "1/2"] + names + [f"{n}^2" for n in names] + [f"1/{names[0]}"]
                          if kinds[names[0]] in ("nonzero", "positive", "negative") else ["0", "1", "2"] + names)
    fam = {"X": [[str(int(i == j) * rng.randint(1, 3)) for j in range(widths[0])] for i in range(widths[0])],
           "Y": [[str(rng.randint(-3, 3)) for _ in range(widths[0])] for _ in range(widths[-1])],
           "weights": [[[entry() for _ in range(widths[h])] for _ in range(widths[h + 1])] for h in range(H)],
           "parameters": kinds}
    return fam


FAMILY_MUTATIONS: dict[str, Callable] = {}


def _family_mutation(fn: Callable) -> Callable:
    FAMILY_MUTATIONS[fn.__name__] = fn
    return fn


@_family_mutation
def family_expression(fam, rng):
    text = rng.choice(_EXPRESSIONS).replace("{k}", str(rng.randint(8, 70))).replace("{big}", _digits(rng.randint(190, 260), rng))
    W = rng.choice(fam["weights"])
    row = rng.choice(W)
    row[rng.randint(0, len(row) - 1)] = text
    return json.dumps(fam)


@_family_mutation
def family_number(fam, rng):
    marker = "\u0000MARK\u0000"
    W = rng.choice(fam["weights"])
    rng.choice(W)[0] = marker
    raw = _raw_number(rng) if rng.random() < 0.3 else json.dumps(_number_text(rng))
    return json.dumps(fam).replace(json.dumps(marker), raw, 1)


@_family_mutation
def family_parameters(fam, rng):
    fam["parameters"] = rng.choice([[["a", "nonzero"], ["b", "real"]], ["a", "b"], ["a", "a"], [1, 2],
                                    {"a": "complex"}, {"a": None}, {"a": ["real"]}, {"1a": "real"},
                                    {f"p{i}": "real" for i in range(17)}, {}, None, "a", {"a": "real", "b": "real"}])
    return json.dumps(fam)


@_family_mutation
def family_lambda(fam, rng):
    fam["lambda"] = rng.choice(["-1", "-a", "a", "a^2", "1/a", "-1/2", None, ["1", "-1"], ["a"] * 5, "0^0", "1e5000",
                                "a^2+1", "b", [], {"x": 1}])
    return json.dumps(fam)


@_family_mutation
def family_duplicate(fam, rng):
    text = json.dumps(fam)
    key = rng.choice(['"X"', '"weights"', '"parameters"', '"a"'])
    return text.replace(key, f'{key}: 0, {key}', 1) if key in text else text + " "


@_family_mutation
def family_wide(fam, rng):
    w = rng.choice([13, 16])
    fam["X"] = [[str(int(i == j)) for j in range(w)] for i in range(w)]
    fam["weights"] = [[["a"] + ["0"] * (w - 1)], [["1"]]]
    fam["Y"] = [["1"] * w]
    return json.dumps(fam)


@_family_mutation
def family_deep(fam, rng):
    H = rng.choice([9, 12])
    fam["X"], fam["Y"] = [["1"]], [["2"]]
    fam["weights"] = [[["a"]]] + [[["1"]]] * (H - 1)
    return json.dumps(fam)


@_family_mutation
def family_bytes(fam, rng):
    return byte_flip(fam, rng) if rng.random() < 0.5 else truncated(fam, rng)


FAMILY_WEIGHTS = {"family_expression": 8, "family_number": 3, "family_parameters": 3, "family_lambda": 3,
                  "family_duplicate": 2, "family_wide": 1, "family_deep": 1, "family_bytes": 2}


def hostile_family(rng) -> tuple[str, str]:
    """One mutated family file: (mutation name, text)."""
    name = _weighted(rng, FAMILY_WEIGHTS)
    return name, FAMILY_MUTATIONS[name](base_family(rng), rng)


# ------------------------------------------------------------------------------------------------ certificates

CERTIFICATE_MUTATIONS: dict[str, Callable] = {}


def _cert_mutation(fn: Callable) -> Callable:
    CERTIFICATE_MUTATIONS[fn.__name__] = fn
    return fn


def _paths(obj: Any, prefix: tuple = ()) -> list[tuple]:
    """Paths (key/index tuples) to every scalar of a JSON document."""
    if isinstance(obj, dict):
        return [p for k, v in obj.items() for p in _paths(v, prefix + (k,))]
    if isinstance(obj, list):
        return [p for i, v in enumerate(obj) for p in _paths(v, prefix + (i,))]
    return [prefix]


def _set(obj: Any, path: tuple, value: Any) -> None:
    for key in path[:-1]:
        obj = obj[key]
    obj[path[-1]] = value


def _get(obj: Any, path: tuple) -> Any:
    for key in path:
        obj = obj[key]
    return obj


@_cert_mutation
def cert_number(cert, rng):
    """Change one number: +-1, negate, halve, zero, or a hostile number text."""
    paths = [p for p in _paths(cert) if isinstance(_get(cert, p), (str, int))
             and p[0] in ("problem", "point", "claims", "X", "Y", "weights", "lambda", "denominators", "exceptional")]
    p = rng.choice(paths)
    v = _get(cert, p)
    try:
        x = Fraction(v) if not isinstance(v, bool) else None
    except (ValueError, ZeroDivisionError):
        x = None
    op = rng.choice(["plus", "neg", "half", "zero", "hostile"])
    if x is not None and op != "hostile":
        x = {"plus": x + 1, "neg": -x, "half": x / 2, "zero": Fraction(0)}[op]
        value: Any = str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"
    else:
        value = _number_text(rng)
    _set(cert, p, value)
    return json.dumps(cert)


@_cert_mutation
def cert_claims(cert, rng):
    """Drop, duplicate, retype or reorder claims."""
    claims = cert["claims"]
    op = rng.choice(["drop", "dup", "retype", "kind", "reverse", "empty", "unknown"])
    if op == "drop" and claims:
        claims.pop(rng.randint(0, len(claims) - 1))
    elif op == "dup" and claims:
        claims.append(json.loads(json.dumps(rng.choice(claims))))
    elif op == "retype" and claims:
        rng.choice(claims)["type"] = rng.choice(["critical", "not_critical", "strict_saddle", "psd_hessian", "rank",
                                                 "escape_curve", "top_eigenspace", "kind"])
    elif op == "kind":
        claims.append({"type": "kind", "kind": rng.choice(["global_minimizer", "strict_saddle", "non_strict_saddle",
                                                           "not_critical", "local_minimizer", None, 3])})
    elif op == "reverse":
        claims.reverse()
    elif op == "empty":
        cert["claims"] = []
    else:
        claims.append({"type": rng.choice(["magic", "", None, ["critical"]])})
    return json.dumps(cert)


@_cert_mutation
def cert_structure(cert, rng):
    """Top-level damage: format, version, types, duplicate keys, deep nesting, truncation, bytes."""
    op = rng.choice(["format", "version", "problem", "dup", "deep", "truncate", "bytes", "lambda"])
    if op == "format":
        cert["format"] = rng.choice(["exactdln-family-certificate", "x", None])
    elif op == "version":
        cert["version"] = rng.choice([2, "1", True, 1.0, None])
    elif op == "problem":
        cert[rng.choice(["problem", "point"] if "problem" in cert else ["X", "weights", "parameters"])] = \
            rng.choice([None, [], "x", {"X": [[1]]}])
    elif op == "dup":
        return json.dumps(cert).replace('"claims"', '"claims": [], "claims"', 1)
    elif op == "deep":
        return json.dumps(cert).replace('"claims"', f'"junk": {_deep(rng.choice([40, 2000]))}, "claims"', 1)
    elif op == "truncate":
        return truncated(cert, rng)
    elif op == "bytes":
        return byte_flip(cert, rng)
    else:
        where = cert["problem"] if "problem" in cert else cert
        where["lambda"] = rng.choice(["-1", None, [], ["1"] * 300, "1e5000", "1/0"])
    return json.dumps(cert)


@_cert_mutation
def cert_huge(cert, rng):
    """Big work within the static caps: long numbers everywhere, or a high-degree escape curve."""
    where = cert["point"] if "point" in cert else cert
    if rng.random() < 0.5 or "point" not in cert:
        big = _digits(rng.choice([2000, 9999]), rng)
        for p in _paths(where.get("weights", [])):
            if rng.random() < 0.5 and isinstance(_get(where["weights"], p), str):
                _set(where["weights"], p, big)
        return json.dumps(cert)
    H = len(cert["point"]["weights"])
    shapes = [(len(W), len(W[0])) for W in cert["point"]["weights"]]
    degree = max(1, min(64, 512 // H))
    curve = [[[[_digits(rng.choice([3, 400]), rng) for _ in range(c)] for _ in range(r)] for r, c in shapes]
             for _ in range(degree)]
    cert["claims"].append({"type": "escape_curve", "coefficients": curve})
    return json.dumps(cert)


CERTIFICATE_WEIGHTS = {"cert_number": 6, "cert_claims": 4, "cert_structure": 3, "cert_huge": 1}


def hostile_certificate(rng, honest: list[dict]) -> tuple[str, str]:
    """One mutated certificate from the honest ones given: (mutation name, text)."""
    name = _weighted(rng, CERTIFICATE_WEIGHTS)
    cert = json.loads(json.dumps(rng.choice(honest)))
    return name, CERTIFICATE_MUTATIONS[name](cert, rng)


def chooser(seed: int) -> random.Random:
    return random.Random(seed)
