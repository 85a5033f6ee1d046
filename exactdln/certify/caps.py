"""The standalone checkers' caps, known to the certifiers before they build anything.

A certificate the checker cannot read is no certificate, so the certifiers compare a point or a
family with the caps of the checker that will read it (exactdln/trusted/checker.py,
exactdln/trusted/checker_family.py; documented in exactdln/trusted/FORMAT.md and FAMILY_FORMAT.md)
before the search, and the finished text before it is handed to the checker. The values are plain
constants duplicated here: the engine never imports a checker (the de Bruijn criterion), and
tests/certify/test_caps.py reads the checkers' own constants with ``ast`` and requires them equal.

The work budget (MAX_WORK) is known only in part before the arithmetic is done: checker.py charges
each matrix product at least rows x inner x columns + rows x columns + 8 units, whatever its entries, so
the work of a gradient (every ``critical`` and ``not_critical`` claim) and of the Hessian (``psd_hessian``)
has a floor that depends on the shapes alone, and the Hessian's own charge 3 n^2 g^2 depends on the shapes
and the bit sizes of W and Sigma_XX only (:func:`gradient_work_floor`, :func:`hessian_work_floor`). A point
whose floor exceeds MAX_WORK is refused (or the claim left out) before anything is built; beyond the floor,
a certificate that exceeds the budget is refused by the checker with a message naming MAX_WORK, and nothing
is written.
"""

from __future__ import annotations

import re
from typing import Any

from exactdln.model.problem import InputError

__all__ = ["POINT_CHECKER_CAPS", "FAMILY_CHECKER_CAPS", "CapError", "check_point_caps", "check_family_caps",
           "check_field_caps", "check_certificate_text", "psd_hessian_fits", "gradient_work_floor",
           "hessian_work_floor"]

#: exactdln/trusted/checker.py
POINT_CHECKER_CAPS = {
    "MAX_FILE_BYTES": 64 * 1024 * 1024,
    "MAX_DIGITS": 10000,
    "MAX_DIM": 4096,
    "MAX_LAYERS": 256,
    "MAX_PARAMETERS": 100_000,
    "MAX_DATA_ENTRIES": 1_000_000,
    "MAX_HESSIAN": 1200,
    "MAX_CURVE_DEGREE": 64,
    "MAX_EXPANSION": 512,
    "MAX_NESTING": 32,
    "MAX_VALUES": 4_000_000,
    "MAX_WORK": 10_000_000,
    "MAX_FIELD_DEGREE": 64,
    "MAX_BISECTIONS": 20_000,
}

#: exactdln/trusted/checker_family.py
FAMILY_CHECKER_CAPS = {
    "MAX_FILE_BYTES": 16 * 1024 * 1024,
    "MAX_DIGITS": 2000,
    "MAX_PARAMETERS": 16,
    "MAX_EXPONENT": 64,
    "MAX_DIM": 12,
    "MAX_LAYERS": 8,
    "MAX_TERMS": 200_000,
    "MAX_HESSIAN": 40,
    "MAX_MINOR": 6,
    "MAX_INPUT_TERMS": 5000,
    "MAX_FACTOR_DEGREE": 512,
    "MAX_NESTING": 32,
    "MAX_VALUES": 2_000_000,
    "MAX_WORK": 10_000_000,
}

_DATA_ROWS_FAMILY = 64        # checker_family.py num_matrix: X and Y have at most 64 rows and columns


class CapError(InputError):
    """The input is beyond what the checker reads: no certificate can be written (exit 2, naming the cap)."""


def _largest_factor_exponent(x: Any) -> int:
    """The largest |exponent| in the {"factors": [[poly, exponent], ...]} objects of a family certificate: the
    factor exponents and the monomial exponents of each factor's terms [coefficient, [e_1, ...]]."""
    largest = 0
    if isinstance(x, dict):
        for f in x.get("factors", []) if isinstance(x.get("factors"), list) else []:
            if isinstance(f, list) and len(f) == 2:
                if isinstance(f[1], int):
                    largest = max(largest, abs(f[1]))
                for term in f[0] if isinstance(f[0], list) else []:
                    if isinstance(term, list) and len(term) == 2 and isinstance(term[1], list):
                        largest = max([largest] + [abs(e) for e in term[1] if isinstance(e, int)])
        for value in x.values():
            largest = max(largest, _largest_factor_exponent(value))
    elif isinstance(x, list):
        for value in x:
            largest = max(largest, _largest_factor_exponent(value))
    return largest


def _refuse(what: str, cap: str, caps: dict[str, int], checker: str) -> CapError:
    return CapError(f"{what}; the checker reads at most {cap} = {caps[cap]} (exactdln/trusted/{checker}): "
                    "no certificate can be checked", "certificate")


def check_point_caps(widths: tuple[int, ...], m: int) -> None:
    """Refuse a point whose certificate checker.py could not read: layers, widths, weight entries, data entries."""
    caps, name = POINT_CHECKER_CAPS, "checker.py"
    H = len(widths) - 1
    if H > caps["MAX_LAYERS"]:
        raise _refuse(f"the point has {H} layers", "MAX_LAYERS", caps, name)
    if max(widths + (m,)) > caps["MAX_DIM"]:
        raise _refuse(f"a dimension is {max(widths + (m,))}", "MAX_DIM", caps, name)
    n = sum(widths[h] * widths[h + 1] for h in range(H))
    if n > caps["MAX_PARAMETERS"]:
        raise _refuse(f"the point has {n} weight entries", "MAX_PARAMETERS", caps, name)
    data = (widths[0] + widths[-1]) * m
    if data > caps["MAX_DATA_ENTRIES"]:
        raise _refuse(f"X and Y have {data} entries", "MAX_DATA_ENTRIES", caps, name)
    work = gradient_work_floor(widths, m)
    if work > caps["MAX_WORK"]:
        # every point certificate holds a critical or a not_critical claim, and both need the gradient
        raise _refuse(f"checking the gradient needs at least {work} units of arithmetic", "MAX_WORK", caps, name)


def _product_floor(rows: int, inner: int, cols: int) -> int:
    """checker.py matmul's least charge for a rows x inner times inner x cols product (entries of <= 512 bits)."""
    return rows * inner * cols + rows * cols + 8


def _products_floor(widths: tuple[int, ...], m: int) -> int:
    """Least charge of checker.py _products: the prefix and suffix products, W_{H:1}, Sigma_XX, Sigma_YX and G."""
    d, H = widths, len(widths) - 1
    work = sum(_product_floor(d[h], d[h - 1], d[0]) for h in range(1, H))             # C_h = W_{h-1:1}
    work += sum(_product_floor(d[H], d[h + 1], d[h]) for h in range(1, H))            # A_h = W_{H:h+1}
    work += _product_floor(d[H], d[H - 1], d[0])                                      # W_{H:1}
    work += _product_floor(d[0], m, d[0]) + _product_floor(d[H], m, d[0])             # Sigma_XX, Sigma_YX
    return work + _product_floor(d[H], d[0], d[0])                                    # W_{H:1} Sigma_XX


def gradient_work_floor(widths: tuple[int, ...], m: int) -> int:
    """The fewest MAX_WORK units exactdln/trusted/checker.py spends on one gradient of L at a point of these widths.

    dL/dW_h = -W_{H:h+1}^T G W_{h-1:1}^T + lambda_h W_h (docs/maths/README.md §2): the products of _products, then
    two products per layer; each product is charged at least rows x inner x cols + rows x cols + 8."""
    d = widths
    work = _products_floor(widths, m)
    for h in range(1, len(d)):
        work += _product_floor(d[h], d[-1], d[0]) + _product_floor(d[h], d[0], d[h - 1])
    return work


def _bits(values: Any) -> int:
    """checker.py bits(): the largest numerator plus denominator bit length (flint fmpq or Fraction entries)."""
    out = 0
    for x in values:
        num, den = (x.p, x.q) if hasattr(x, "q") else (x.numerator, x.denominator)
        out = max(out, abs(int(num)).bit_length() + int(den).bit_length())
    return out


def hessian_work_floor(widths: tuple[int, ...], m: int, weight_bits: int = 0, sxx_bits: int = 0) -> int:
    """The fewest MAX_WORK units exactdln/trusted/checker.py spends building the n x n Hessian (its hessian()).

    Its products (_products, Sigma_XX, C_h Sigma_XX, and per pair of layers h <= k the Gauss-Newton factors
    A_h^T A_k and C_h Sigma_XX C_k^T, for h < k also A_k^T G C_h^T and the partial product W_{k-1:h+1}), each
    charged at least its shape's floor, and the charge 3 n^2 g^2 of the block loops with
    g = 1 + (2 H bits(W) + bits(Sigma_XX)) // 512. The partial products make the floor grow like H^3."""
    d, H = widths, len(widths) - 1
    n = sum(d[h] * d[h + 1] for h in range(H))
    work = _products_floor(widths, m) + _product_floor(d[0], m, d[0])
    work += sum(_product_floor(d[h], d[0], d[0]) for h in range(H))
    grow = 1 + (2 * H * weight_bits + sxx_bits) // 512
    work += 3 * n * n * grow * grow
    for h in range(H):
        for k in range(h, H):
            work += _product_floor(d[h + 1], d[H], d[k + 1]) + _product_floor(d[h], d[0], d[k])
            if k > h:
                work += _product_floor(d[k + 1], d[H], d[0]) + _product_floor(d[k + 1], d[0], d[h])
        # W_{k-1:h+1} for every k > h, one product per factor: factor hh (1-based) is in H - hh of them
        work += sum((H - hh) * _product_floor(d[hh], d[hh - 1], d[h + 1]) for hh in range(h + 2, H))
    return work


def check_family_caps(widths: tuple[int, ...], m: int, n_parameters: int) -> None:
    """Refuse a family whose certificate checker_family.py could not read: parameters, layers, widths, data."""
    caps, name = FAMILY_CHECKER_CAPS, "checker_family.py"
    H = len(widths) - 1
    if n_parameters > caps["MAX_PARAMETERS"]:
        raise _refuse(f"the family has {n_parameters} parameters", "MAX_PARAMETERS", caps, name)
    if H > caps["MAX_LAYERS"]:
        raise _refuse(f"the family has {H} layers", "MAX_LAYERS", caps, name)
    if max(widths) > caps["MAX_DIM"]:
        raise _refuse(f"a width is {max(widths)}", "MAX_DIM", caps, name)
    if m > _DATA_ROWS_FAMILY:
        raise CapError(f"X and Y have {m} columns; the family checker reads data matrices of at most "
                       f"{_DATA_ROWS_FAMILY} columns (exactdln/trusted/checker_family.py): no certificate can be "
                       "checked", "certificate")


def psd_hessian_fits(n: int, family: bool = False, *, point: Any = None) -> str | None:
    """None when a psd_hessian claim on n parameters fits the checker, else why not (naming the cap).

    With an exact ``point`` (widths, W, X, Sigma_XX as flint matrices; exactdln/landscape/point.py) the claim
    must also fit MAX_WORK with the gradient of the ``critical`` claim before it: the floors of
    :func:`gradient_work_floor` and :func:`hessian_work_floor`, known before the Hessian's evidence is built."""
    caps = FAMILY_CHECKER_CAPS if family else POINT_CHECKER_CAPS
    checker = "checker_family.py" if family else "checker.py"
    if n > caps["MAX_HESSIAN"]:
        return (f"psd_hessian on {n} parameters exceeds the checker's MAX_HESSIAN = {caps['MAX_HESSIAN']} "
                f"(exactdln/trusted/{checker})")
    if point is not None and not family:
        widths, m = tuple(point.widths), point.X.ncols()
        weight_bits = max((_bits(w.entries()) for w in point.W), default=0)
        work = gradient_work_floor(widths, m) + hessian_work_floor(widths, m, weight_bits,
                                                                   _bits(point.sigma_xx.entries()))
        if work > caps["MAX_WORK"]:
            return (f"psd_hessian on {n} parameters at depth {len(widths) - 1} needs at least {work} units of the "
                    f"checker's MAX_WORK = {caps['MAX_WORK']} (exactdln/trusted/{checker})")
    return None


_DIGIT_RUN = {}


def check_field_caps(degree: int) -> None:
    """Refuse a number field whose certificate checker.py could not read (degree of the minimal polynomial)."""
    caps = POINT_CHECKER_CAPS
    if degree > caps["MAX_FIELD_DEGREE"]:
        raise _refuse(f"the field has degree {degree}", "MAX_FIELD_DEGREE", caps, "checker.py")


def check_certificate_text(text: str, data: dict[str, Any], family: bool = False) -> None:
    """Refuse a finished certificate text beyond the checker's size caps (before the checker runs).

    File size, the longest number (digit run), the number of array elements (the checker's own
    lower bound: commas - colons - containers), escape-curve degree and depth x degree.
    """
    caps = FAMILY_CHECKER_CAPS if family else POINT_CHECKER_CAPS
    name = "checker_family.py" if family else "checker.py"
    size = len(text.encode("utf-8"))
    if size > caps["MAX_FILE_BYTES"]:
        raise _refuse(f"the certificate would be {size} bytes", "MAX_FILE_BYTES", caps, name)
    digits = caps["MAX_DIGITS"]
    pattern = _DIGIT_RUN.setdefault(digits, re.compile(r"[0-9]{%d,}" % (digits + 1)))
    match = pattern.search(text)
    if match:
        run = len(match.group(0)) if len(match.group(0)) < 10 * digits else f"more than {10 * digits}"
        raise _refuse(f"the certificate would hold a number of {run} digits", "MAX_DIGITS", caps, name)
    skeleton = "".join(text.replace("\\\\", "").replace('\\"', "").split('"')[0::2])   # strings blanked
    values = skeleton.count(",") - skeleton.count(":") - skeleton.count("[") - skeleton.count("{")
    if values > caps["MAX_VALUES"]:
        raise _refuse(f"the certificate would hold about {values} numbers", "MAX_VALUES", caps, name)
    if family:
        exponent = _largest_factor_exponent(data)
        if exponent > caps["MAX_EXPONENT"]:
            raise _refuse(f"a factored polynomial would hold the exponent {exponent}", "MAX_EXPONENT", caps, name)
        return
    depth = len(data.get("point", {}).get("weights", []))
    for claim in data.get("claims", []):
        if claim.get("type") == "escape_curve":
            degree = len(claim.get("coefficients", []))
            if degree > caps["MAX_CURVE_DEGREE"]:
                raise _refuse(f"the escape curve has degree {degree}", "MAX_CURVE_DEGREE", caps, name)
            if degree * depth > caps["MAX_EXPANSION"]:
                raise _refuse(f"the escape curve has depth x degree = {depth * degree}", "MAX_EXPANSION", caps, name)
