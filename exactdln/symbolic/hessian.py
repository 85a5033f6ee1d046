"""The symbolic Hessian route for families: the Hessian over QQ(params), its characteristic
polynomial, Descartes' rule of signs under the assumptions, and a negative-curvature direction.

Conventions (docs/maths/README.md §2, loss with the 1/2): parameters layer by layer, row-major inside a
layer. For unit directions E_{h,ab} and E_{k,cd} with h < k, writing U_h = W_{H:h+1},
V_h = W_{h-1:1}, M_hk = W_{k-1:h+1} and K_hk = W_{H:k+1}^T G W_{h-1:1}^T (condition (P) of
docs/maths/classification.md §3.1), the Hessian form Hess[T,T] = ||D1(T) X||^2 - 2 <G, D2(T)>
+ sum_h lambda_h ||T_h||^2 polarizes to (docs/maths/hessian_inertia.md §1)

    Hess[(h,a,b), (k,c,d)] = (U_h[:,a] . U_k[:,c]) (V_h[b,:] Sigma_XX V_k[d,:]^T) - [h<k] M_hk[d,a] K_hk[c,b]
                             + [h=k, a=c, b=d] lambda_h.

The characteristic polynomial of a real symmetric matrix has only real roots, so Descartes'
rule counts its positive roots exactly (sign changes of the coefficients) and its negative roots
(sign changes of chi(-x)): the inertia is decided wherever every coefficient has a known sign.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Sequence

from sympy.polys.matrices import DomainMatrix

from exactdln.symbolic.assumptions import assumption_kinds
from exactdln.symbolic.factoring import factor_list
from exactdln.symbolic.family import Family
from exactdln.symbolic.products import family_covariances, family_partial_product, family_residual
from exactdln.symbolic.signs import cannot_vanish, definite_sign

__all__ = ["family_hessian", "rational_sign", "negative_curvature_direction", "HessianRoute", "hessian_route"]

MAX_CHARPOLY_SIZE = 16


def polynomial_sign(p: Any, kinds: Sequence[str]) -> int:
    """+1/-1 when the polynomial has that strict sign at every point satisfying the assumptions
    (the sign algebra of exactdln/symbolic/signs.py), 0 when this cannot be told."""
    return definite_sign(p, kinds)


def rational_sign(e: Any, kinds: Sequence[str]) -> tuple[int, list[Any], list[Any]]:
    """Sign of a rational function at admissible points outside the zeros of its factors.

    Returns (sign, factors to exclude, undetermined odd factors). Each irreducible factor of
    numerator and denominator either has a definite sign under the assumptions, or appears to
    an even power (positive outside its zero set, which is then excluded), or leaves the sign
    open (listed as undetermined; sign 0 is returned).
    """
    if not e:
        return 0, [], []
    sign, exclude, open_ = 1, [], []
    for part in (e.numer, e.denom):
        c, factors = factor_list(part)           # FLINT, not sympy (exactdln/symbolic/factoring.py)
        sign *= 1 if c > 0 else -1
        for f, m in factors:
            s = polynomial_sign(f, kinds)
            if s:
                sign *= s ** (m % 2)
            elif m % 2 == 0:
                if not cannot_vanish(f, kinds):
                    exclude.append(f)
            else:
                open_.append(f)
    return (0 if open_ else sign), exclude, open_


def family_hessian(family: Family) -> DomainMatrix:
    """The Hessian of L over QQ(params) at the family, by the closed form in the module docstring."""
    K, H, widths = family.field, family.depth, family.widths
    sxx, _ = family_covariances(family)
    G = family_residual(family)
    U = [family_partial_product(family, h + 1, H).to_list() for h in range(1, H + 1)]
    V = [family_partial_product(family, 1, h - 1) for h in range(1, H + 1)]
    index = [(h, a, b) for h in range(1, H + 1) for a in range(widths[h]) for b in range(widths[h - 1])]
    n = len(index)
    cross_v = {}
    for h in range(1, H + 1):
        for k in range(h, H + 1):
            cross_v[(h, k)] = (V[h - 1] * sxx * V[k - 1].transpose()).to_list()
    Kp, Mp = {}, {}
    for h in range(1, H + 1):
        for k in range(h + 1, H + 1):
            Kp[(h, k)] = (family_partial_product(family, k + 1, H).transpose() * G
                          * family_partial_product(family, 1, h - 1).transpose()).to_list()
            Mp[(h, k)] = family_partial_product(family, h + 1, k - 1).to_list()
    rows = [[K.zero] * n for _ in range(n)]
    for p, (h, a, b) in enumerate(index):
        for q in range(p, n):
            k, c, d = index[q]
            uu = sum((U[h - 1][r][a] * U[k - 1][r][c] for r in range(widths[H])), K.zero)
            value = uu * cross_v[(h, k)][b][d] if uu else K.zero
            if h < k:
                value -= Mp[(h, k)][d][a] * Kp[(h, k)][c][b]
            elif (a, b) == (c, d):
                value += family.lambdas[h - 1]
            rows[p][q] = rows[q][p] = value
    return DomainMatrix(rows, (n, n), K)


def negative_curvature_direction(hessian: DomainMatrix, kinds: Sequence[str]) -> tuple[list[Any], Any] | None:
    """A vector v over QQ(params) with v^T H v provably negative, and the value v^T H v; or None.

    Symmetric elimination (Schur complements): with the eliminated block A nonsingular and u on
    the rest, v = (-A^-1 B u, u) gives v^T H v = u^T S u, S = C - B^T A^-1 B (an identity, whatever
    A's signs). In S: a diagonal entry of provably negative sign gives u = e_k; a zero diagonal
    entry S_kk with S_kj != 0 gives u = -(S_jj + 1)/(2 S_kj) e_k + e_j with u^T S u = -1.
    Otherwise a pivot that cannot vanish (else any nonzero one) is eliminated and the search goes on.
    """
    K = hessian.domain
    n = hessian.shape[0]
    S = [list(r) for r in hessian.to_list()]
    rest = list(range(n))           # coordinates of S, as indices of the original
    steps: list[tuple[int, list[Any]]] = []   # (pivot coordinate, multipliers row over rest at that time)

    def lift(u: dict[int, Any]) -> list[Any]:
        v = {i: u.get(i, K.zero) for i in range(n)}
        for piv, row in reversed(steps):
            # x_piv = -(1/A) B u  for the one-by-one pivot eliminated at that step
            v[piv] = -sum((row[i] * v[i] for i in row), K.zero)
        return [v[i] for i in range(n)]

    while rest:
        loc = {i: t for t, i in enumerate(rest)}
        for i in rest:
            if S[loc[i]][loc[i]] and rational_sign(S[loc[i]][loc[i]], kinds)[0] < 0:
                v = lift({i: K.one})
                return v, S[loc[i]][loc[i]]
        for i in rest:
            if not S[loc[i]][loc[i]]:
                j = next((j for j in rest if j != i and S[loc[i]][loc[j]]), None)
                if j is not None:
                    c = -(S[loc[j]][loc[j]] + K.one) / (S[loc[i]][loc[j]] * 2)
                    return lift({i: c, j: K.one}), -K.one
        candidates = [i for i in rest if S[loc[i]][loc[i]]]
        if not candidates:
            return None
        piv = next((i for i in candidates if polynomial_sign(S[loc[i]][loc[i]].numer, kinds)
                    and polynomial_sign(S[loc[i]][loc[i]].denom, kinds)), candidates[0])
        p = loc[piv]
        a = S[p][p]
        row = {i: S[p][loc[i]] / a for i in rest if i != piv and S[p][loc[i]]}
        steps.append((piv, row))
        keep = [i for i in rest if i != piv]
        S = [[S[loc[i]][loc[j]] - S[loc[i]][p] * S[p][loc[j]] / a if S[loc[i]][p] and S[p][loc[j]]
              else S[loc[i]][loc[j]] for j in keep] for i in keep]
        rest = keep
    return None


@dataclass(frozen=True)
class HessianRoute:
    """The symbolic Hessian route's outcome for a family.

    ``inertia`` is (n_+, n_-, n_0) when every characteristic-polynomial coefficient has a known
    sign at admissible points outside ``exceptional`` (texts of the excluded factors);
    ``open_conditions`` lists the coefficients whose sign remains undetermined.
    ``implies`` is "strict_saddle" (n_- > 0), "psd" (n_- = 0: global minimizer or non-strict
    saddle, the Hessian alone cannot tell) or None.
    """

    size: int
    decided: bool
    inertia: tuple[int, int, int] | None
    implies: str | None
    coefficient_signs: tuple[int | None, ...] = ()
    exceptional: tuple[str, ...] = ()
    open_conditions: tuple[str, ...] = ()
    note: str = ""
    direction_value: str | None = field(default=None)

    def to_json(self) -> dict[str, Any]:
        return {"route": "symbolic_hessian", "size": self.size, "decided": self.decided,
                "inertia": list(self.inertia) if self.inertia else None, "implies": self.implies,
                "coefficient_signs": list(self.coefficient_signs), "exceptional": list(self.exceptional),
                "open_conditions": list(self.open_conditions), "note": self.note,
                "negative_direction_value": self.direction_value}

    def __str__(self) -> str:
        if self.decided:
            from exactdln.model.results import Inertia  # the one inertia notation of the text output
            head = "Hessian route: " + (f"inertia {Inertia(*self.inertia)}" if self.inertia else
                                        "Descartes' rule") + f" -> {self.implies} ({self.note})"
        else:
            head = f"Hessian route: undecided ({self.note})"
        extra = [f"    sign undetermined: {c}" for c in self.open_conditions]
        if self.exceptional:
            extra.append("    outside: " + ", ".join(f"{e} = 0" for e in self.exceptional))
        return "\n".join([head] + extra)


def _text(p: Any) -> str:
    return str(p.as_expr()).replace("**", "^")


def descartes_inertia(signs: Sequence[int]) -> tuple[int, int, int]:
    """Inertia of a real symmetric matrix from the signs of chi(x) = sum_k c_k x^k (k = 0..n).

    n_0 = the lowest k with c_k != 0; n_+ = sign changes of (c_k); n_- = sign changes of
    ((-1)^k c_k) (Descartes' rule, exact for real-rooted polynomials)."""
    def changes(seq):
        nz = [s for s in seq if s]
        return sum(1 for x, y in zip(nz, nz[1:]) if (x > 0) != (y > 0))
    zero = next(k for k, s in enumerate(signs) if s)
    return changes(signs), changes([s * (-1) ** k for k, s in enumerate(signs)]), zero


def hessian_route(family: Family, *, max_size: int = MAX_CHARPOLY_SIZE) -> HessianRoute:
    """Decide the family's Hessian inertia by the characteristic polynomial over QQ(params) and
    Descartes' rule (docs/maths/hessian_inertia.md §4), or report the coefficient sign conditions that remain.

    When the charpoly is too large (n > max_size), falls back to a negative-curvature direction
    from symmetric elimination (which decides "strict_saddle" but never "psd")."""
    kinds = assumption_kinds(family)
    Hm = family_hessian(family)
    n = Hm.shape[0]
    if n > max_size:
        found = negative_curvature_direction(Hm, kinds)
        if found:
            return HessianRoute(n, True, None, "strict_saddle", note=f"{n} parameters: charpoly skipped; "
                                "a direction with provably negative curvature", direction_value=_text_rf(found[1]))
        return HessianRoute(n, False, None, None, note=f"{n} parameters > {max_size}: charpoly skipped and "
                            "no provably negative direction found")
    coeffs = list(reversed(Hm.charpoly()))       # c_0 .. c_n
    signs: list[int | None] = []
    exclude: list[Any] = []
    open_: list[str] = []
    for k, c in enumerate(coeffs):
        if not c:
            signs.append(0)
            continue
        s, ex, op = rational_sign(c, kinds)
        signs.append(s if s else None)
        exclude.extend(ex)
        if op:
            open_.append(f"sign of the x^{k} coefficient {_text(c.numer)}"
                         + ("" if c.denom == 1 else f" / ({_text(c.denom)})"))
    ex_text = tuple(dict.fromkeys(_text(f) for f in exclude))
    if None in signs:
        # each open coefficient may be -, 0 or + somewhere; if n_- > 0 (or = 0) for every
        # pattern, Descartes still decides the route; otherwise report the open conditions
        unknown = [k for k, s in enumerate(signs) if s is None]
        negatives = set()
        if len(unknown) <= 8:
            for pattern in itertools.product((-1, 0, 1), repeat=len(unknown)):
                filled = list(signs)
                for k, s in zip(unknown, pattern):
                    filled[k] = s
                if any(filled):
                    negatives.add(descartes_inertia(filled)[1] > 0)
        if len(negatives) == 1:
            strict = negatives.pop()
            return HessianRoute(n, True, None, "strict_saddle" if strict else "psd", tuple(signs), ex_text,
                                tuple(open_), note="Descartes' rule gives n_- " + ("> 0" if strict else "= 0")
                                + " for every sign of the undetermined coefficients")
        return HessianRoute(n, False, None, None, tuple(signs), ex_text, tuple(open_),
                            note="some characteristic-polynomial coefficients have undetermined signs")
    inertia = descartes_inertia(signs)
    return HessianRoute(n, True, inertia, "strict_saddle" if inertia[1] else "psd", tuple(signs), ex_text,
                        note="charpoly coefficients' signs decided under the assumptions; Descartes' rule")


def _text_rf(e: Any) -> str:
    return _text(e.numer) if e.denom == 1 else f"({_text(e.numer)})/({_text(e.denom)})"
