"""Criticality, generic ranks and classification of a parametric family.

Everything is computed once over the field K = QQ(p_1, ..., p_n) of rational
functions in the parameters (sympy DomainMatrix, flint ground types). A *fact over K*
(a rank, a nonzero pivot, a constant characteristic polynomial) holds at every real
parameter value outside the zero set of an explicit polynomial; every such polynomial
is collected into the family's exceptional set, reduced (squarefree parts, factors that
cannot vanish under the declared assumptions dropped).

Maths (conventions of docs/maths/README.md §2, loss with the 1/2):
- gradient dL/dW_h = -W_{H:h+1}^T G W_{h-1:1}^T + lambda_h W_h, G = Sigma_YX - W_{H:1} Sigma_XX;
- classification: Achour et al. (JMLR 2024), first-order characterization (index set S,
  docs/maths/classification.md §2.1) and second-order classification (a)-(c) (pivots
  K_hk = W_{H:k+1}^T G W_{h-1:1}^T, tightened rank conditions), as reconstructed in
  docs/maths/classification.md §3.3.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import sympy
from sympy import QQ
from sympy.polys.matrices import DomainMatrix

from exactdln.model.results import (
    GLOBAL_MINIMIZER,
    LOCAL_MINIMIZER,
    NON_STRICT_SADDLE,
    NOT_CRITICAL,
    STRICT_SADDLE,
    UNDECIDED,
    Inertia,
    Verdict,
)
from exactdln.symbolic.assumptions import assumption_kinds
from exactdln.symbolic.factoring import factor_list
from exactdln.symbolic.family import Family
from exactdln.symbolic.hessian import hessian_route as run_hessian_route
from exactdln.symbolic.products import family_covariances, family_gradient, family_partial_product, family_residual
from exactdln.symbolic.signs import cannot_vanish
from exactdln.theory.achour import Pivot, is_tightened, theorem_verdict

__all__ = [
    "Condition",
    "Variety",
    "RankFact",
    "PivotFact",
    "FamilyVerdict",
    "family_partial_product",
    "family_gradient",
    "criticality_variety",
    "generic_rank",
    "generic_partial_ranks",
    "cannot_vanish",
    "reduce_polynomial",
    "analyze_family",
]

MAX_MINORS = 400


# --------------------------------------------------------------------------- polynomials
def _normalize(poly: Any) -> Any:
    """Primitive with a positive leading coefficient (a canonical generator of the same zero set)."""
    if poly.is_ground:
        return poly.ring.one
    poly = poly.clear_denoms()[1]
    _, poly = poly.primitive()
    return -poly if poly.LC < 0 else poly


def reduce_polynomial(poly: Any, kinds: Sequence[str]) -> Any | None:
    """The squarefree product of the factors of ``poly`` that can vanish; None if none can.

    The zero set (under the assumptions) is unchanged. A zero polynomial is returned
    as is (it vanishes everywhere).
    """
    if not poly:
        return poly
    if poly.is_ground:
        return None
    keep = poly.ring.one
    for f, _mult in factor_list(poly)[1]:
        if not f.is_ground and not cannot_vanish(f, kinds):
            keep *= _normalize(f)
    return None if keep.is_ground else _normalize(keep)


def _expr_text(poly: Any) -> str:
    return str(poly.as_expr()).replace("**", "^")


@dataclass(frozen=True)
class Condition:
    """A polynomial system ``equations = 0`` (all of them) and why it matters."""

    equations: tuple[str, ...]
    reason: str
    latex_equations: tuple[str, ...] = field(default=(), compare=False)
    polys: tuple[Any, ...] = field(default=(), compare=False, repr=False)

    def holds_at(self, values: Sequence[Any]) -> bool:
        """True when every equation vanishes at the parameter values (in declaration order)."""
        point = [QQ(Fraction(v).numerator, Fraction(v).denominator) for v in values]
        return all(p(*point) == 0 if point else not p for p in self.polys)

    def to_json(self) -> dict[str, Any]:
        return {"equations": list(self.equations), "reason": self.reason}

    def __str__(self) -> str:
        return " and ".join(f"{e} = 0" for e in self.equations) + f"   ({self.reason})"

    def latex(self) -> str:
        eqs = self.latex_equations or self.equations
        return r" \wedge ".join(f"{e} = 0" for e in eqs)


def _condition(polys: Sequence[Any], reason: str) -> Condition:
    return Condition(tuple(_expr_text(p) for p in polys), reason,
                     tuple(sympy.latex(p.as_expr()) for p in polys), tuple(polys))


@dataclass(frozen=True)
class Variety:
    """A union of components, each the common zero set of a few reduced polynomials.

    ``everywhere`` means the system vanishes identically; ``components == ()`` with
    ``everywhere`` False means it has no real zero under the assumptions.
    """

    everywhere: bool
    components: tuple[tuple[Any, ...], ...]

    @property
    def empty(self) -> bool:
        return not self.everywhere and not self.components

    def conditions(self, reason: str) -> tuple[Condition, ...]:
        return tuple(_condition(c, reason) for c in self.components)


def variety_of(polys: Iterable[Any], kinds: Sequence[str]) -> Variety:
    """Zero set of a polynomial system, simplified by exact reduction.

    Each generator is replaced by its squarefree part without non-vanishing factors; the
    gcd g of the generators splits the set as V(g) union V(p_1/g, ..., p_k/g).
    """
    reduced = []
    for p in polys:
        if not p:
            continue
        r = reduce_polynomial(p, kinds)
        if r is None:
            return Variety(False, ())       # one equation can never hold
        if r not in reduced:
            reduced.append(r)
    if not reduced:
        return Variety(True, ())
    if len(reduced) > 1:
        basis = _small_groebner_basis(reduced)
        if basis is not None:
            if any(b.is_ground for b in basis):
                return Variety(False, ())       # no common complex zero (Hilbert's Nullstellensatz)
            if len(basis) < len(reduced):
                reduced = [r for r in (reduce_polynomial(b, kinds) for b in basis) if r is not None] or reduced
    g = reduced[0]
    for p in reduced[1:]:
        g = g.gcd(p)
    components: list[tuple[Any, ...]] = []
    if not g.is_ground:
        components.append((_normalize(g),))
        rest = []
        for p in reduced:
            q = reduce_polynomial(p.exquo(g), kinds)
            if q is None:
                rest = None
                break
            if q not in rest:
                rest.append(q)
        if rest:
            components.append(tuple(sorted(rest, key=lambda p: (p.total_degree() if hasattr(p, "total_degree") else 0, str(p)))))
    else:
        components.append(tuple(sorted(reduced, key=str)))
    return Variety(False, tuple(components))


MAX_GROEBNER_INPUT = 64
MAX_GROEBNER_DEGREE = 12
# Buchberger's algorithm in sympy is pure Python and its coefficients grow: a family entry 1e200*a spent the
# whole 20 s budget in it (fuzz input 4002/1837). The basis only simplifies the system (None is always allowed).
MAX_GROEBNER_COEFFICIENT_BITS = 128


def _coefficient_bits(c: Any) -> int:
    """Bits of a ZZ or QQ coefficient (numerator plus denominator)."""
    numerator, denominator = getattr(c, "numerator", c), getattr(c, "denominator", 1)
    return int(numerator).bit_length() + int(denominator).bit_length()


def _small_groebner_basis(polys: Sequence[Any]) -> list[Any] | None:
    """A reduced Groebner basis (grevlex) of a small system, or None when the system is too
    large to try. [1] means the system has no common zero over the complex numbers."""
    from sympy.polys.groebnertools import groebner
    from sympy.polys.orderings import grevlex

    if len(polys) > MAX_GROEBNER_INPUT or max(sum(m) for p in polys for m in p.monoms()) > MAX_GROEBNER_DEGREE:
        return None
    if max(_coefficient_bits(c) for p in polys for c in p.coeffs()) > MAX_GROEBNER_COEFFICIENT_BITS:
        return None
    ring = polys[0].ring
    graded = ring.clone(order=grevlex)
    basis = groebner([p.set_ring(graded) for p in polys], graded)
    return [b.set_ring(ring) for b in basis]


# --------------------------------------------------------------------------- matrices
def _entries(M: DomainMatrix) -> list[Any]:
    return [e for row in M.to_list() for e in row]


def criticality_variety(family: Family) -> Variety:
    """Where the gradient vanishes: the numerators of its entries, reduced."""
    kinds = assumption_kinds(family)
    numerators = [e.numer for g in family_gradient(family) for e in _entries(g) if e]
    return variety_of(numerators, kinds)


def pole_variety(family: Family) -> Variety:
    """Where some entry of the family is undefined: the denominators, reduced."""
    kinds = assumption_kinds(family)
    dens = []
    for M in (family.X, family.Y) + family.weights:
        dens.extend(e.denom for e in _entries(M))
    dens.extend(l.denom for l in family.lambdas)
    comps = []
    for d in dens:
        r = reduce_polynomial(d, kinds)
        if r is not None and (r,) not in comps:
            comps.append((r,))
    return Variety(False, tuple(comps))


@dataclass(frozen=True)
class RankFact:
    """rank over QQ(params) of W_{j:i}, and where it drops."""

    i: int
    j: int
    rank: int
    drop: Variety           # zero set of all rank-sized minors (or of one chosen minor)
    exact_drop: bool        # True when ``drop`` is exactly the drop locus

    def to_json(self) -> dict[str, Any]:
        return {"product": f"W_{{{self.j}:{self.i}}}", "generic_rank": self.rank,
                "drops_on": [list(c.equations) for c in self.drop.conditions("")],
                "drop_locus_exact": self.exact_drop}


def generic_rank(M: DomainMatrix, kinds: Sequence[str]) -> tuple[int, Variety, bool]:
    """Rank over the fraction field, and the polynomial set where the specialized rank drops.

    Rank over K by fraction-free-equivalent row reduction (DomainMatrix rref over K).
    The rank at a parameter value is < r exactly where all r x r minors vanish; when
    there are more than MAX_MINORS of them we report the zero set of one nonzero minor
    (rows and columns from the pivots), a superset of the drop locus.
    """
    rows, cols = M.shape
    _, col_pivots = M.rref()
    r = len(col_pivots)
    if r == 0:
        return 0, Variety(False, ()), True
    n_minors = _binomial(rows, r) * _binomial(cols, r)
    if n_minors <= MAX_MINORS:
        minors = []
        for I in itertools.combinations(range(rows), r):
            for J in itertools.combinations(range(cols), r):
                d = M.extract(list(I), list(J)).det()
                if d:
                    minors.append(d.numer)
        return r, variety_of(minors, kinds), True
    _, row_pivots = M.transpose().rref()
    d = M.extract(list(row_pivots), list(col_pivots)).det()
    return r, variety_of([d.numer], kinds), False


def _binomial(n: int, k: int) -> int:
    from math import comb
    return comb(n, k)


def generic_partial_ranks(family: Family) -> dict[tuple[int, int], RankFact]:
    """Generic rank of every W_{j:i}, 1 <= i <= j <= H, with its drop locus."""
    kinds = assumption_kinds(family)
    facts = {}
    for i in range(1, family.depth + 1):
        for j in range(i, family.depth + 1):
            r, drop, exact = generic_rank(family_partial_product(family, i, j), kinds)
            facts[(i, j)] = RankFact(i, j, r, drop, exact)
    return facts


@dataclass(frozen=True)
class PivotFact:
    """K_hk = W_{H:k+1}^T G W_{h-1:1}^T over QQ(params) (condition (P) of docs/maths/classification.md §3.1)."""

    h: int
    k: int
    nonzero: bool           # nonzero as a rational function
    tightened: bool | None  # rk W_{k-1:1} = rk W_{k-1:h+1} = rk W_{H:h+1} (generic ranks)

    def to_json(self) -> dict[str, Any]:
        return {"h": self.h, "k": self.k, "nonzero": self.nonzero, "tightened": self.tightened}


# --------------------------------------------------------------------------- verdict
@dataclass(frozen=True)
class FamilyVerdict(Verdict):
    """The verdict on a family: it holds for all parameter values satisfying the
    assumptions outside the exceptional set."""

    kind: str
    critical: str                           # "identically", "on_variety", "nowhere"
    reason: str
    parameters: tuple[tuple[str, str], ...]
    widths: tuple[int, ...]
    criticality: tuple[Condition, ...]      # the variety where the gradient vanishes
    exceptional: tuple[Condition, ...]
    ranks: tuple[RankFact, ...]
    pivots: tuple[PivotFact, ...] = ()
    fitted: tuple[int, ...] | None = None
    rank: int | None = None
    r_max: int | None = None
    data_facts: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    source: str | None = None
    on_variety: tuple[tuple[str, "FamilyVerdict"], ...] = ()   # (substitution, verdict of the sub-family)
    hessian: Any = None                     # HessianRoute (exactdln.symbolic.hessian) for critical families
    theorem_kind: str | None = None         # the theorem route's kind when the Hessian route decided instead

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "critical": self.critical,
            "reason": self.reason,
            "parameters": dict(self.parameters),
            "widths": list(self.widths),
            "criticality_variety": [c.to_json() for c in self.criticality],
            "exceptional_set": [c.to_json() for c in self.exceptional],
            "generic_ranks": [r.to_json() for r in self.ranks],
            "pivots": [p.to_json() for p in self.pivots],
            "fitted": list(self.fitted) if self.fitted is not None else None,
            "rank": self.rank,
            "r_max": self.r_max,
            "data_facts": list(self.data_facts),
            "notes": list(self.notes),
            "source": self.source,
            "on_variety": [{"substitution": sub, "verdict": v.to_json()} for sub, v in self.on_variety],
            "routes": {"theorem": self.theorem_kind or self.kind, "hessian": self.hessian.to_json() if self.hessian else None},
            "agree": self.agree,
        }

    def __str__(self) -> str:
        lines = []
        head = f"{self.source}: " if self.source else ""
        lines.append(f"{head}family verdict: {self.kind}")
        lines.append("  assumptions: " + (", ".join(f"{n} {k}" for n, k in self.parameters) or "none")
                     + "; all parameters real")
        lines.append(f"  widths: {list(self.widths)}; critical: {self.critical}")
        lines.append(f"  why: {self.reason}")
        if self.critical == "on_variety":
            lines.append("  the gradient vanishes exactly on (union of):")
            lines.extend(f"    {c.equations and ' and '.join(e + ' = 0' for e in c.equations)}" for c in self.criticality)
        if self.fitted is not None:
            lines.append(f"  rank W_(H:1) = {self.rank}, r_max = {self.r_max}, S = {list(self.fitted)}")
        ranks = ", ".join(f"W_{r.j}:{r.i}={r.rank}" for r in self.ranks)
        lines.append(f"  generic ranks: {ranks}")
        for fact in self.data_facts:
            lines.append(f"  data: {fact}")
        others = [c for c in self.exceptional if c.reason != "gradient vanishes here"]
        if self.critical == "on_variety":
            lines.append("  on the criticality variety the point is critical: the verdict there differs "
                         "(specialize and classify the points)")
        if others:
            lines.append("  holds outside the exceptional set (the verdict may differ where any of these holds):")
            lines.extend(f"    {c}" for c in others)
        elif self.critical != "on_variety":
            lines.append("  exceptional set: empty (holds for every parameter value under the assumptions)")
        lines.extend(f"  note: {n}" for n in self.notes)
        if self.hessian is not None:
            lines.append("  " + str(self.hessian).replace("\n", "\n  "))
            lines.append(f"  routes agree: {self.agree}")
        for sub, v in self.on_variety:
            lines.append(f"  on the component {sub}: {v.kind} ({v.reason})")
            lines.extend(f"      outside {c}" for c in v.exceptional if c.reason != "gradient vanishes here")
        return "\n".join(lines)

    @property
    def inertia(self) -> Inertia | None:
        """The symbolic Hessian route's inertia, valid outside its exceptional set, when it decided one."""
        h = self.hessian
        return Inertia(*h.inertia) if h is not None and h.decided and h.inertia else None

    @property
    def loss(self) -> None:
        """None: a family's loss is a rational function of the parameters, not one number."""
        return None

    @property
    def agree(self) -> bool:
        """The theorem route and the symbolic Hessian route agree: a decided Hessian route says
        "strict_saddle" exactly when the verdict is a strict saddle, and "psd" exactly when it is a
        global (local) minimizer or non-strict saddle. An undecided route cannot disagree."""
        h = self.hessian
        if h is None or not h.decided or self.kind not in (STRICT_SADDLE, GLOBAL_MINIMIZER, NON_STRICT_SADDLE,
                                                           LOCAL_MINIMIZER):
            return True
        return (h.implies == "strict_saddle") == (self.kind == STRICT_SADDLE)

    def applies_at(self, values: dict[str, Any]) -> bool:
        """True when the verdict is claimed at these parameter values: the assumptions
        hold and the point is outside the exceptional set."""
        for name, kind in self.parameters:
            v = Fraction(values[name])
            if (kind == "nonzero" and v == 0) or (kind == "positive" and v <= 0) or \
                    (kind == "negative" and v >= 0) or (kind == "nonnegative" and v < 0):
                return False
        ordered = [values[name] for name, _ in self.parameters]
        return not any(c.holds_at(ordered) for c in self.exceptional)

    def latex(self) -> str:
        """The exceptional set and the criticality variety as LaTeX."""
        out = [r"\text{verdict: " + self.kind.replace("_", r"\_") + "}"]
        if self.critical == "on_variety":
            out.append(r"\text{critical on } " + r" \;\vee\; ".join(f"({c.latex()})" for c in self.criticality))
        if self.exceptional:
            out.append(r"\text{exceptional set: } " + r" \;\vee\; ".join(f"({c.latex()})" for c in self.exceptional))
        return "\n".join(out)


def _dedupe(conditions: Iterable[Condition]) -> tuple[Condition, ...]:
    seen: dict[tuple[str, ...], Condition] = {}
    for c in conditions:
        if c.equations not in seen:
            seen[c.equations] = c
    return tuple(seen.values())


def _to_qq(M: DomainMatrix) -> DomainMatrix:
    K = M.domain
    rows = []
    for row in M.to_list():
        rows.append([QQ.from_sympy(K.to_sympy(e)) for e in row])
    return DomainMatrix(rows, M.shape, QQ)


def _data_facts(family: Family):
    """Assumption (H) of docs/maths/README.md §3 on numeric data, and Sigma's characteristic polynomial."""
    sxx_K, syx_K = family_covariances(family)
    sxx, syx = _to_qq(sxx_K), _to_qq(syx_K)
    facts = []
    if sxx.det() == 0:
        return None, ["Sigma_XX is singular: assumption (H) fails"]
    facts.append("Sigma_XX invertible")
    if syx.rank() != family.Y.shape[0]:
        return None, facts + ["rank Sigma_YX < d_y: assumption (H) fails"]
    facts.append("rank Sigma_YX = d_y")
    sigma = syx * sxx.inv() * syx.transpose()
    t = sympy.Symbol("t")
    chi = sympy.Poly(sigma.charpoly(), t, domain=QQ)
    if sympy.degree(sympy.gcd(chi, chi.diff(t)), t) > 0:
        return None, facts + ["Sigma has a repeated eigenvalue: assumption (H) fails"]
    facts.append(f"Sigma has distinct eigenvalues; charpoly {chi.as_expr()}")
    return (sxx, syx, sigma, chi), facts


def _fitted_indices(P: DomainMatrix, r: int, sigma_qq: DomainMatrix, chi: sympy.Poly, kinds) -> tuple[tuple[int, ...] | None, list[Condition], str]:
    """S of docs/maths/classification.md §2.1 for a critical family.

    range P is Sigma-invariant at every critical point; with Q a basis of it (pivot
    columns) and M = (Q^T Q)^-1 Q^T Sigma Q, chi_S = charpoly(M). Over K, its
    coefficients take finitely many values on a dense set, so they must be constants;
    we check that they are. S is then the positions (in decreasing order) of the
    roots of chi_S among those of chi_Sigma, by exact real root isolation.
    """
    t = chi.gen
    if r == 0:
        return (), [], "rank W_{H:1} = 0, S is empty"
    K = P.domain
    _, pivots = P.rref()
    Q = P.extract(list(range(P.shape[0])), list(pivots))
    sigma = sigma_qq.convert_to(K)
    gram = Q.transpose() * Q
    M = gram.inv() * (Q.transpose() * sigma * Q)
    coeffs = M.charpoly()
    consts = []
    for c in coeffs:
        if not (c.numer.is_ground and c.denom.is_ground):
            return None, [], "charpoly of Sigma on range W_{H:1} is not constant: family not critical as stated"
        consts.append(QQ.from_sympy(K.to_sympy(c)))
    chi_s = sympy.Poly(consts, t, domain=QQ)
    if chi.rem(chi_s) != 0:
        return None, [], "charpoly of Sigma on range W_{H:1} does not divide charpoly(Sigma)"
    roots = sorted(chi.intervals(), key=lambda iv: iv[0][0], reverse=True)
    S = tuple(k + 1 for k, ((lo, hi), _) in enumerate(roots) if chi_s.count_roots(lo, hi) > 0)
    conds = [_condition(c, "det(Q^T Q) = 0: range of W_{H:1} drops rank") for c in
             variety_of([gram.det().numer], kinds).components]
    return S, conds, ""


def _classify_components(family: Family, crit: Variety, depth: int):
    """On each component with an equation c*p + q = 0, c a nonzero constant and q free of
    the parameter p, substitute p = -q/c and classify the sub-family (same maths)."""
    import dataclasses

    K = family.field
    for comp in crit.components[:4]:
        for poly in comp:
            ring = poly.ring
            for v, x in enumerate(ring.gens):
                if poly.degree(x) != 1:
                    continue
                coeff = poly.coeff_wrt(x, 1)
                if not coeff.is_ground:
                    continue
                solution = -(poly - coeff * x).quo_ground(coeff.LC)

                def sub(e):
                    num, den = e.numer.compose(x, solution), e.denom.compose(x, solution)
                    if not den:
                        raise ZeroDivisionError
                    return K.new(num) / K.new(den)

                try:
                    mats = [DomainMatrix([[sub(e) for e in row] for row in M.to_list()], M.shape, K)
                            for M in (family.X, family.Y) + family.weights]
                    lams = tuple(sub(l) for l in family.lambdas)
                except ZeroDivisionError:
                    continue
                subfamily = dataclasses.replace(family, X=mats[0], Y=mats[1], weights=tuple(mats[2:]), lambdas=lams)
                verdict = analyze_family(subfamily, _depth=depth + 1)
                name = family.parameters[v]
                yield f"{name} = {_expr_text(solution)}", verdict
                break
            else:
                continue
            break


def analyze_family(family: Family, *, _depth: int = 0, hessian_route: bool = True) -> FamilyVerdict:
    """Classify a family (see :func:`_theorem_route`) and, for a family critical for all parameter
    values, run the symbolic Hessian route (exactdln.symbolic.hessian.hessian_route: charpoly over
    QQ(params) and Descartes' rule) beside it; ``verdict.agree`` says whether the two agree. Where the
    theorem route is undecided (e.g. regularized families) and the Hessian route finds n_- > 0, the
    verdict is a strict saddle (negative curvature at a critical point)."""
    import dataclasses

    verdict = _theorem_route(family, _depth=_depth)
    if not hessian_route or verdict.critical != "identically":
        return verdict
    route = run_hessian_route(family)
    if verdict.kind == UNDECIDED and route.decided and route.implies == STRICT_SADDLE:
        return dataclasses.replace(verdict, kind=STRICT_SADDLE, hessian=route, theorem_kind=UNDECIDED,
                                   reason=verdict.reason +
                                   "; the symbolic Hessian has a negative eigenvalue at this critical family")
    return dataclasses.replace(verdict, hessian=route)


def _theorem_route(family: Family, *, _depth: int = 0) -> FamilyVerdict:
    """Classify a family of weights for all parameter values outside an exceptional set.

    Steps: (1) the gradient over QQ(params); identically zero, zero on a
    reduced variety, or nowhere; (2) generic ranks of every W_{j:i} with drop loci;
    (3) for identically critical unregularized families with numeric data satisfying
    (H): S from the constant characteristic polynomial of Sigma on range W_{H:1}, then
    the classification theorem of docs/maths/classification.md §3.3: (a) S = [r_max] global
    minimizer; (b) S != [r] strict saddle; (c) S = [r], r < r_max: strict iff some pivot
    K_hk != 0 is not tightened, else non-strict ((c) "=>" is reconstructed and checked
    numerically, see docs/maths/classification.md §3.3), decided by
    :func:`exactdln.theory.achour.theorem_verdict` from the generic S, r_max and pivots.
    Every polynomial whose vanishing could change a fact used goes into the exceptional set.
    """
    kinds = assumption_kinds(family)
    H = family.depth
    widths = family.widths
    exceptional: list[Condition] = list(pole_variety(family).conditions("a denominator of the family vanishes"))
    ranks = generic_partial_ranks(family)
    rank_list = tuple(ranks.values())
    crit = criticality_variety(family)
    base = dict(parameters=family.assumptions, widths=widths, ranks=rank_list, source=family.source)
    if crit.empty:
        return FamilyVerdict(NOT_CRITICAL, "nowhere", "some gradient entry is a nonzero polynomial that cannot "
                             "vanish under the assumptions (or the system has no common zero)",
                             criticality=(), exceptional=_dedupe(exceptional), **base)
    if not crit.everywhere:
        subs = tuple(_classify_components(family, crit, _depth)) if _depth < 2 else ()
        return FamilyVerdict(NOT_CRITICAL, "on_variety", on_variety=subs, reason=
                             "the gradient is not identically zero: not critical outside the criticality variety"
                             + ("; classified on the components solved below" if subs else
                                "; on it, specialize (substitute a solution) and classify again"),
                             criticality=crit.conditions("gradient vanishes"),
                             exceptional=_dedupe(exceptional + list(crit.conditions("gradient vanishes here"))),
                             **base)
    # identically critical from here on
    r_max = min(widths)
    rankP = ranks[(1, H)]
    for fact in rank_list:
        exceptional.extend(fact.drop.conditions(f"rank W_{{{fact.j}:{fact.i}}} drops below {fact.rank}"))
    if family.regularized:
        return FamilyVerdict(UNDECIDED, "identically", "critical for all parameters; the regularized "
                             "classification of families is not implemented (specialize and classify points)",
                             criticality=(), exceptional=_dedupe(exceptional), rank=rankP.rank, r_max=r_max, **base)
    if not family.data_is_numeric:
        return FamilyVerdict(UNDECIDED, "identically", "critical for all parameters; the data depend on parameters, "
                             "so S is not a rational fact here", criticality=(), exceptional=_dedupe(exceptional),
                             rank=rankP.rank, r_max=r_max, **base)
    data, facts = _data_facts(family)
    if data is None:
        return FamilyVerdict(UNDECIDED, "identically", "critical for all parameters; assumption (H) fails, so no "
                             "theorem of docs/maths/classification.md §3 applies", criticality=(),
                             exceptional=_dedupe(exceptional),
                             rank=rankP.rank, r_max=r_max, data_facts=tuple(facts), **base)
    sxx, syx, sigma, chi = data
    P = family_partial_product(family, 1, H)
    S, s_conds, problem = _fitted_indices(P, rankP.rank, sigma, chi, kinds)
    exceptional.extend(s_conds)
    if S is None:
        return FamilyVerdict(UNDECIDED, "identically", problem, criticality=(), exceptional=_dedupe(exceptional),
                             rank=rankP.rank, r_max=r_max, data_facts=tuple(facts), **base)
    r = rankP.rank
    common = dict(criticality=(), rank=r, r_max=r_max, fitted=S, data_facts=tuple(facts), **base)
    # the decision of docs/maths/classification.md §3.3 (a)-(c) is theory/achour.py's, from the generic facts
    pivot_facts: list[PivotFact] = []

    def find_pivots() -> list[Pivot]:
        """Pivots K_hk != 0 over QQ(params), each vanishing locus added to the exceptional set (case (c) only)."""
        G = family_residual(family)
        found = []
        for h in range(1, H + 1):
            for k in range(h + 1, H + 1):
                Khk = family_partial_product(family, k + 1, H).transpose() * G * family_partial_product(family, 1, h - 1).transpose()
                nums = [e.numer for e in _entries(Khk) if e]
                if not nums:
                    pivot_facts.append(PivotFact(h, k, False, None))
                    continue
                exceptional.extend(variety_of(nums, kinds).conditions(f"pivot K_{{{h}{k}}} vanishes"))
                tightened = is_tightened(generic_rank_of, h, k, H)
                pivot_facts.append(PivotFact(h, k, True, tightened))
                found.append(Pivot(h, k, tightened))
        return found

    def generic_rank_of(i: int, j: int) -> int:
        return ranks[(i, j)].rank if j >= i else widths[i - 1]

    verdict, _ = theorem_verdict(S, r_max, find_pivots)
    return FamilyVerdict(verdict.kind, "identically", verdict.reason, exceptional=_dedupe(exceptional),
                         pivots=tuple(pivot_facts), **common)
