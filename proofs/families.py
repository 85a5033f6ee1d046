"""Symbolic proofs of parametric families, for all parameter values stated in each claim.

Each claim prints what "for all" ranges over and PASS/FAIL; the script exits 1 if any
claim fails. Conventions: docs/maths/README.md §2 (loss with the 1/2).

1. Families of docs/maths/classification.md §3.6, mixed by parametric hidden-layer symmetries
   W_h -> A_h W_h A_{h-1}^-1 (A_0 = A_H = I), classified over QQ(params) by
   exactdln.symbolic: minimal construction (N1), TC2b orbit, S1 (TC2d orbit), S3 (two
   cuts), and the global-minimizer parameterization of docs/maths/classification.md §4 at small
   sizes.
   For all real parameter values satisfying the declared assumptions, outside the printed
   exceptional set (each verdict rests on the classification theorem as reconstructed in
   docs/maths/classification.md §3.3). Strict-saddle, global and
   non-critical families also get a family certificate (exactdln/trusted/FAMILY_FORMAT.md),
   re-checked by exactdln/trusted/checker_family.py and written to $EXACTDLN_CERT_DIR/families/; it
   holds for all admissible values outside the certificate's own exceptional polynomials.
   The symbolic Hessian route (charpoly over QQ(params), Descartes) must agree with the theorem.
2. The rotation direction of docs/maths/classification.md §6.1: Hess[T,T] = -2 s_j (s_i - s_j) with the 1/2
   (-4 s_j (s_i - s_j) for the loss without it), as a polynomial identity in the
   symbols s_1, s_2 (so for all real s_1 > s_2 > 0, where the point is critical).
3. The scalar regularized critical set (docs/maths/regularized.md §3, T1): depth 2 and 3, all real
   y and lambda != 0: critical points satisfy |w_1| = ... = |w_H| (weighted balance with
   equal lambda), and on the balanced branch w = (s, ..., s) the gradient is
   s (s^(2H-2) - y s^(H-2) + lambda) (the polynomial p of Theorem R1).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sympy  # noqa: E402

from exactdln.symbolic import classify_family, load_family  # noqa: E402
from exactdln.symbolic.analysis import family_gradient  # noqa: E402

FAILURES: list[str] = []
CERTIFIABLE = ("strict_saddle", "global_minimizer", "not_critical", "non_strict_saddle")


def certify_family(name: str, mapping: dict, kind: str) -> None:
    """Write a family certificate (FAMILY_FORMAT.md) into $EXACTDLN_CERT_DIR/families/ after the
    standalone family checker accepted it (non-strict saddles: psd_hessian + escape_curve)."""
    import os
    import re

    from _common import certificate_dir
    from exactdln.certify.family import family_certificate, write_family_certificate

    cert = family_certificate(load_family(mapping))
    want = kind if kind in CERTIFIABLE else None
    claim(f"family certificate {name}: checker_family accepts, certified kind {want}",
          cert.ok and cert.kind == want, "; ".join(m for _, ok, m in cert.results if not ok))
    if cert.ok:
        slug = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_")[:60]
        write_family_certificate(cert, os.path.join(certificate_dir("families"), f"{slug}.json"))


def claim(name: str, ok: bool, detail: str = "") -> None:
    print(f"{'PASS' if ok else 'FAIL'}  {name}" + (f"\n      {detail}" if detail else ""))
    if not ok:
        FAILURES.append(name)


def text(M: sympy.Matrix) -> list[list[str]]:
    return [[str(sympy.factor(e)).replace("**", "^") for e in row] for row in M.tolist()]


def mixed(weights: list[sympy.Matrix], mixers: list[sympy.Matrix]) -> list[list[list[str]]]:
    """W_h -> A_h W_h A_{h-1}^-1 with A_0 = A_H = I (docs/maths/classification.md §7: preserves every class)."""
    H = len(weights)
    A = [sympy.eye(weights[0].shape[1])] + mixers + [sympy.eye(weights[-1].shape[0])]
    return [text(A[h + 1] * weights[h] * A[h].inv()) for h in range(H)]


def family_claims() -> None:
    a, b, c = sympy.symbols("a b c")
    Y2 = [[3, 0], [0, 1]]
    I2 = [[1, 0], [0, 1]]
    A1 = sympy.Matrix([[1, 0], [a, 1]])
    A2 = sympy.Matrix([[b, 0], [0, 1]])
    cases = [
        ("minimal construction S=[1], H=3 (N1)", [sympy.diag(3, 0), sympy.diag(1, 0), sympy.diag(1, 0)],
         [A1, A2], {"a": "real", "b": "nonzero"}, "non_strict_saddle"),
        ("TC2b orbit (pivot (2,3) not tightened)", [sympy.diag(1, 1), sympy.diag(3, 0), sympy.diag(1, 0)],
         [A1, A2], {"a": "real", "b": "nonzero"}, "strict_saddle"),
        ("S1: TC2d orbit, S = {2}", [sympy.diag(0, 1)] * 3, [sympy.Matrix([[1, a], [0, 1]]),
         sympy.Matrix([[1, 0], [0, b]])], {"a": "real", "b": "nonzero"}, "strict_saddle"),
        ("TC2e orbit (global)", [sympy.diag(3, 1), sympy.eye(2), sympy.eye(2)], [A1, A2],
         {"a": "real", "b": "nonzero"}, "global_minimizer"),
    ]
    for name, W, mixers, params, kind in cases:
        mapping = {"X": I2, "Y": Y2, "weights": mixed(W, mixers), "parameters": params}
        v = classify_family(mapping)
        certify_family(name, mapping, kind)
        claim(f"{name}: symbolic Hessian route agrees with the theorem route", v.agree and v.hessian is not None
              and v.hessian.decided, str(v.hessian))
        ex = "; ".join(str(e) for e in v.exceptional) or "none"
        claim(f"{name}: {kind}", v.kind == kind and v.critical == "identically",
              f"for all {', '.join(f'{n} {k}' for n, k in params.items())} outside: {ex}  [{v.reason}]")
    # S3 two cuts at depth 3, width 3 and depth 4, width 2
    Y3 = [[3, 0, 0], [0, 2, 0], [0, 0, 1]]
    B1 = sympy.Matrix([[1, 0, 0], [a, 1, 0], [0, b, 1]])
    B2 = sympy.Matrix([[1, b, 0], [0, 1, 0], [a, 0, 1]])
    for cuts, kind in ((False, "non_strict_saddle"), (True, "strict_saddle")):
        W = [sympy.diag(3, 2 if cuts else 0, 0), sympy.diag(1, 0, 0), sympy.diag(1, 0, 0)]
        mapping = {"X": sympy.eye(3).tolist(), "Y": Y3, "weights": mixed(W, [B1, B2]),
                   "parameters": {"a": "real", "b": "real"}}
        v = classify_family(mapping)
        certify_family(f"{'S3 two cuts' if cuts else 'N1 minimal'} depth 3 width 3", mapping, kind)
        claim(f"{'S3 two cuts' if cuts else 'N1 minimal'} depth 3 width 3: {kind}",
              v.kind == kind, f"for all real a, b outside: {'; '.join(map(str, v.exceptional)) or 'none'}")
    W = [sympy.diag(3, 1), sympy.diag(1, 1), sympy.diag(1, 0), sympy.diag(1, 0)]
    v = classify_family({"X": I2, "Y": Y2, "weights": mixed(W, [A1, A2, sympy.Matrix([[1, c], [0, 1]])]),
                         "parameters": {"a": "real", "b": "nonzero", "c": "real"}})
    claim("S3 two cuts depth 4 width 2: strict_saddle", v.kind == "strict_saddle",
          f"for all real a, c and b != 0 outside: {'; '.join(map(str, v.exceptional)) or 'none'}")
    # docs/maths/classification.md §4 parameterization, H = 2: no bottleneck (Z in GL_2) and bottleneck (2,1,2)
    p, q, r, s, z, f = sympy.symbols("p q r s z f")
    Z = sympy.Matrix([[p, q], [r, s]])
    general = {"X": I2, "Y": Y2, "weights": [text(Z.inv() * sympy.diag(3, 1)), text(Z)],
               "parameters": {"p": "real", "q": "real", "r": "real", "s": "real"}}
    v = classify_family(general)
    certify_family("global 2-2-2 W_2 = Z", general, "global_minimizer")
    claim("§4 global minimizers W_2 = Z, W_1 = Z^-1 P*, (2,2,2): global_minimizer", v.kind == "global_minimizer",
          f"for all real p, q, r, s outside: {'; '.join(map(str, v.exceptional))}")
    bottleneck = {"X": I2, "Y": Y2, "weights": [[["3/z", "0"]], [["z"], ["0"]]], "parameters": {"z": "nonzero"}}
    v = classify_family(bottleneck)
    certify_family("bottleneck 2-1-2 global", bottleneck, "global_minimizer")
    claim("§4 global minimizers, bottleneck (2,1,2): global_minimizer", v.kind == "global_minimizer",
          "for all z != 0")
    # §4 with a free part: h* = 2 in (2,2,1,2)? use (2,2,1,2): W_3 = [z;0], W_2 = [u v] with W_2 W_1 = B
    v = classify_family({"X": I2, "Y": Y2,
                         "weights": [[["3/(z*f)", "0"], ["0", "0"]], [["f", "0"]], [["z"], ["0"]]],
                         "parameters": {"z": "nonzero", "f": "nonzero"}})
    claim("§4 global minimizers, (2,2,1,2) with a free row: global_minimizer", v.kind == "global_minimizer",
          f"for all z, f != 0 outside: {'; '.join(map(str, v.exceptional)) or 'none'}")


def rotation_claim() -> None:
    s1, s2, t = sympy.symbols("s_1 s_2 t", positive=True)
    for widths in ((2, 1, 2), (2, 1, 1, 2), (2, 2, 2, 2)):
        H = len(widths) - 1
        X = sympy.eye(2)
        Y = sympy.diag(s1, s2)
        u = [sympy.Matrix([1, 0]), sympy.Matrix([0, 1])]
        # minimal construction with S = {2} (docs/maths/classification.md §2.3): critical, S != [r]
        W = []
        for h in range(1, H + 1):
            d_out, d_in = widths[h], widths[h - 1]
            M = sympy.zeros(d_out, d_in)
            if h == 1:
                M[0, :] = (u[1].T * Y * X.T * (X * X.T).inv())
            elif h == H:
                M[:, 0] = u[1]
            else:
                M[0, 0] = 1
            W.append(M)
        sxx, syx = X * X.T, Y * X.T
        i, j = 0, 1
        N = syx.T * (u[j] * u[i].T - u[i] * u[j].T) * syx * sxx.inv()
        T = [sympy.zeros(*w.shape) for w in W]
        T[0] = W[0] * N / (s1 * s2)
        T[-1] = (u[i] * u[j].T - u[j] * u[i].T) * W[-1]
        P = sympy.eye(widths[0])
        for w, d in zip(W, T):
            P = (w + t * d) * P
        loss = sympy.expand(sum(e**2 for e in (P * X - Y)) / 2)
        grad_zero = sympy.expand(sympy.diff(loss, t).subs(t, 0)) == 0
        hess = sympy.expand(2 * sympy.Poly(loss, t).coeff_monomial(t**2))
        claim(f"rotation direction, widths {widths}: Hess[T,T] = -2 s_j (s_i - s_j)",
              grad_zero and sympy.expand(hess + 2 * s2 * (s1 - s2)) == 0,
              f"for all real s_1, s_2 (identity in QQ[s_1, s_2]); Hess[T,T] = {sympy.factor(hess)}; "
              "without the 1/2 this is -4 s_j (s_i - s_j) as in docs/maths/classification.md §6.1")


def regularized_claims() -> None:
    for H in (2, 3):
        names = [f"w{h}" for h in range(1, H + 1)]
        family = load_family({"X": [[1]], "Y": [["y"]], "lambda": "lam",
                              "weights": [[[n]] for n in names],
                              "parameters": {**{n: "real" for n in names}, "y": "real", "lam": "positive"}})
        K = family.field
        gens = dict(zip(family.parameters, K.gens))
        grads = [g.to_list()[0][0] for g in family_gradient(family)]
        w = [gens[n] for n in names]
        lam, y = gens["lam"], gens["y"]
        balance = all(w[h] * grads[h] - w[h + 1] * grads[h + 1] == lam * (w[h] ** 2 - w[h + 1] ** 2)
                      for h in range(H - 1))
        claim(f"scalar regularized, depth {H}: w_h dL/dw_h - w_(h+1) dL/dw_(h+1) = lambda (w_h^2 - w_(h+1)^2)",
              balance, "identity in QQ(w, y, lambda): for all real values; with lambda > 0 every critical "
              "point has |w_1| = ... = |w_H| (docs/maths/regularized.md §2)")
        sigma = sympy.Symbol("sigma")
        num = [sympy.factor(K.to_sympy(g).subs({sympy.Symbol(n, real=True): sigma for n in names}))
               for g in grads]
        Ys, Ls = sympy.Symbol("y", real=True), sympy.Symbol("lam", real=True)
        p = sigma ** (2 * H - 2) - Ys * sigma ** (H - 2) + Ls
        claim(f"scalar regularized, depth {H}: on w = (s,...,s) every gradient entry is s p(s), "
              f"p = s^{2 * H - 2} - y s^{H - 2} + lambda",
              all(sympy.expand(n - sigma * p) == 0 for n in num),
              "identity in QQ[s, y, lambda]: critical balanced points (all signs +) are s = 0 and the real "
              "roots of p (docs/maths/regularized.md §3 Theorem R1); other sign patterns flip y's sign by parity")


def main() -> int:
    family_claims()
    rotation_claim()
    regularized_claims()
    print(f"\n{len(FAILURES)} failed" if FAILURES else "\nall claims proved")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
