"""Hand-built honest certificates for the checker tests (docs/maths/classification.md §8, docs/maths/global_optimality.md §4).

The evidence (Hessian kernels, LDL^T factors, minors) is generated here with a small
Fraction toolkit that is independent of exactdln/trusted/checker.py: the Hessian is built by
polarizing the quadratic form of docs/maths/README.md §2,
    Hess[T,T] = ||D1(T) X||^2 - 2 <G, D2(T)> + sum_h lambda_h ||T_h||^2,
entry by entry, not by the checker's Kronecker-structured assembly.
"""

from __future__ import annotations

import copy
from fractions import Fraction as F

# ---------------------------------------------------------------- tiny Fraction toolkit


def fr(x) -> str:
    x = F(x)
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def js(M) -> list:
    return [[fr(v) for v in row] for row in M]


def mm(A, B):
    return [[sum((a * b for a, b in zip(row, col)), F(0)) for col in zip(*B)] for row in A]


def tr(A):
    return [list(c) for c in zip(*A)]


def eye(n):
    return [[F(int(i == j)) for j in range(n)] for i in range(n)]


def zeros(r, c):
    return [[F(0)] * c for _ in range(r)]


def add(A, B):
    return [[a + b for a, b in zip(r, s)] for r, s in zip(A, B)]


def sub(A, B):
    return [[a - b for a, b in zip(r, s)] for r, s in zip(A, B)]


def inner(A, B):
    return sum((a * b for r, s in zip(A, B) for a, b in zip(r, s)), F(0))


def Fm(rows):
    return [[F(v) for v in row] for row in rows]


def diag(*vals):
    n = len(vals)
    return [[F(vals[i]) if i == j else F(0) for j in range(n)] for i in range(n)]


def unit(r, c, a, b):
    M = zeros(r, c)
    M[a][b] = F(1)
    return M


def chain(mats, n):
    """mats[-1] ... mats[0] applied to identity of size n."""
    P = eye(n)
    for M in mats:
        P = mm(M, P)
    return P


def rref(M):
    """(reduced row echelon form, pivot columns)."""
    M = [list(r) for r in M]
    rows, cols = len(M), len(M[0])
    piv, r = [], 0
    for c in range(cols):
        p = next((i for i in range(r, rows) if M[i][c] != 0), None)
        if p is None:
            continue
        M[r], M[p] = M[p], M[r]
        inv = 1 / M[r][c]
        M[r] = [v * inv for v in M[r]]
        for i in range(rows):
            if i != r and M[i][c]:
                f = M[i][c]
                M[i] = [a - f * b for a, b in zip(M[i], M[r])]
        piv.append(c)
        r += 1
        if r == rows:
            break
    return M, piv


def nullspace(M):
    """Kernel basis from the RREF: vector for free column f has 1 at f and 0 at other free columns."""
    R, piv = rref(M)
    n = len(M[0])
    free = [c for c in range(n) if c not in piv]
    basis = []
    for f in free:
        v = [F(0)] * n
        v[f] = F(1)
        for row, p in zip(R, piv):
            v[p] = -row[f]
        basis.append(v)
    return basis, free, piv


# ---------------------------------------------------------------- loss, gradient, Hessian by the formulas of docs/maths


def widths(X, W):
    return [len(X)] + [len(w) for w in W]


def residual_G(X, Y, W):
    """G = Sigma_YX - W_{H:1} Sigma_XX."""
    P = chain(W, len(X))
    return sub(mm(Y, tr(X)), mm(mm(P, X), tr(X)))


def loss(X, Y, W, lam=0):
    R = sub(mm(chain(W, len(X)), X), Y)
    return inner(R, R) / 2 + sum(F(lam) * inner(w, w) / 2 for w in W)


def gradient(X, Y, W, lam=0):
    """dL/dW_h = -W_{H:h+1}^T G W_{h-1:1}^T + lambda W_h."""
    G, H, d = residual_G(X, Y, W), len(W), widths(X, W)
    out = []
    for h in range(H):
        A = chain(W[h + 1:], d[h + 1])
        C = chain(W[:h], d[0])
        out.append(add(mm(mm(tr(A), G), tr(C)), [[-F(lam) * v for v in r] for r in W[h]]))
        out[-1] = [[-v for v in r] for r in out[-1]]
    return out


def hess_form(X, Y, W, T, lam=0):
    """||D1(T) X||^2 - 2 <G, D2(T)> + lambda ||T||^2 (docs/maths/README.md §2)."""
    d, H = widths(X, W), len(W)
    D1 = zeros(d[H], d[0])
    D2 = zeros(d[H], d[0])
    for h in range(H):
        D1 = add(D1, mm(mm(chain(W[h + 1:], d[h + 1]), T[h]), chain(W[:h], d[0])))
        for k in range(h + 1, H):
            mid = chain(W[h + 1:k], d[h + 1])
            D2 = add(D2, mm(mm(mm(mm(chain(W[k + 1:], d[k + 1]), T[k]), mid), T[h]), chain(W[:h], d[0])))
    DX = mm(D1, X)
    return inner(DX, DX) - 2 * inner(residual_G(X, Y, W), D2) + F(lam) * sum(inner(t, t) for t in T)


def hessian_by_polarization(X, Y, W, lam=0):
    d, H = widths(X, W), len(W)
    units = [(h, a, b) for h in range(H) for a in range(d[h + 1]) for b in range(d[h])]

    def direction(*ps):
        T = [zeros(d[h + 1], d[h]) for h in range(H)]
        for (h, a, b) in ps:
            T[h][a][b] += 1
        return T

    n = len(units)
    diag_q = [hess_form(X, Y, W, direction(p), lam) for p in units]
    Hm = [[F(0)] * n for _ in range(n)]
    for i in range(n):
        Hm[i][i] = diag_q[i]
        for j in range(i + 1, n):
            v = (hess_form(X, Y, W, direction(units[i], units[j]), lam) - diag_q[i] - diag_q[j]) / 2
            Hm[i][j] = Hm[j][i] = v
    return Hm


def ldl_no_pivot(B):
    """B = L diag(D) L^T for a positive definite B (plain symmetric elimination)."""
    q = len(B)
    M = [list(r) for r in B]
    L, D = eye(q), []
    for k in range(q):
        D.append(M[k][k])
        assert D[-1] > 0, "B must be positive definite here"
        for i in range(k + 1, q):
            L[i][k] = M[i][k] / M[k][k]
        for i in range(k + 1, q):
            for j in range(k + 1, q):
                M[i][j] -= L[i][k] * M[k][j]
    return L, D


def psd_evidence(X, Y, W, lam=0):
    """Kernel (RREF basis), pivots, and LDL^T of the Hessian on the RREF pivot columns."""
    Hm = hessian_by_polarization(X, Y, W, lam)
    kernel, kernel_pivots, free = nullspace(Hm)
    B = [[Hm[i][j] for j in free] for i in free]
    L, D = ldl_no_pivot(B)
    return {"type": "psd_hessian", "kernel": [[fr(x) for x in v] for v in kernel], "kernel_pivots": kernel_pivots,
            "ldl": {"free": free, "perm": list(range(len(free))), "L": js(L), "D": [fr(x) for x in D]}}


def orbit_vector(W, d, h, a, b):
    """Tangent of W_h -> (I + s E_ab) W_h, W_(h+1) -> W_(h+1)(I - s E_ab), h 1-based (FORMAT.md orbit_kernel)."""
    T = [zeros(d[k + 1], d[k]) for k in range(len(W))]
    T[h - 1] = mm(unit(d[h], d[h], a, b), W[h - 1])
    T[h] = [[-x for x in row] for row in mm(W[h], unit(d[h], d[h], a, b))]
    return [x for M in T for row in M for x in row]


def rank_of(vectors):
    return len(rref([list(v) for v in vectors])[1]) if vectors else 0


def psd_evidence_with_orbits(X, Y, W):
    """psd_hessian with the kernel given as orbit generators (greedy, exact rank) plus RREF vectors to complete it."""
    claim = psd_evidence(X, Y, W)
    d = widths(X, W)
    kernel = [[F(x) for x in v] for v in claim["kernel"]]
    chosen, vecs = [], []
    for h in range(1, len(W)):
        for a in range(d[h]):
            for b in range(d[h]):
                v = orbit_vector(W, d, h, a, b)
                if rank_of(vecs + [v]) > len(vecs):
                    chosen.append([h, a, b])
                    vecs.append(v)
    explicit = []
    for v in kernel:
        if rank_of(vecs + [v]) > len(vecs):
            explicit.append(v)
            vecs.append(v)
    claim["orbit_kernel"] = chosen
    claim["kernel"] = [[fr(x) for x in v] for v in explicit]
    return claim


def rank_evidence(W, i, j, d):
    """rank W_{j:i}: a nonzero minor on RREF pivots and the RREF kernel basis."""
    P = chain(W[i - 1:j], d[i - 1])
    _, col_piv = rref(P)
    _, row_piv = rref(tr(P))
    kernel, free, _ = nullspace(P)
    return {"type": "rank", "i": i, "j": j, "rank": len(col_piv),
            "minor": {"rows": row_piv, "cols": col_piv},
            "kernel": [[fr(x) for x in v] for v in kernel], "kernel_pivots": free}


def certificate(X, Y, W, claims, lam="0"):
    return {"format": "exactdln-certificate", "version": 1,
            "problem": {"X": js(X), "Y": js(Y), "lambda": lam},
            "point": {"weights": [js(w) for w in W]}, "claims": claims}


# ---------------------------------------------------------------- the hand-worked cases

I2 = eye(2)
E22 = unit(2, 2, 1, 1)


def tc1a():
    """TC1a (docs/maths/classification.md §8): global minimizer; Sigma = diag(4, 1), range P = span e_1, c = 2."""
    X, Y = I2, diag(2, 1)
    W = [Fm([[1, 0]]), Fm([[2], [0]])]
    top = {"type": "top_eigenspace", "Q": [["1"], ["0"]], "Z": [["1/2"], ["0"]], "N": [["0"], ["1"]], "c": "2"}
    return certificate(X, Y, W, [{"type": "critical"}, top, rank_evidence(W, 1, 2, widths(X, W)),
                                 {"type": "kind", "kind": "global_minimizer"}])


def tc1b():
    """TC1b (docs/maths/classification.md §8): strict saddle; along T = ([1 0], [1;0]) the t^2 coefficient is -1 (our 1/2)."""
    X, Y = I2, diag(2, 1)
    W = [Fm([[0, 1]]), Fm([[0], [1]])]
    return certificate(X, Y, W, [{"type": "critical"},
                                 {"type": "strict_saddle", "direction": [[["1", "0"]], [["1"], ["0"]]]},
                                 rank_evidence(W, 1, 2, widths(X, W)),
                                 {"type": "kind", "kind": "strict_saddle"}])


def tc2a():
    """TC2a (docs/maths/classification.md §8): non-strict saddle; PSD Hessian, L(W + tC) - L = -t^3 + t^6/2 along C = (E22 x3)."""
    X, Y = I2, diag(3, 1)
    W = [diag(3, 0), diag(1, 0), diag(1, 0)]
    return certificate(X, Y, W, [{"type": "critical"}, psd_evidence(X, Y, W),
                                 {"type": "escape_curve", "coefficients": [[js(E22)] * 3]},
                                 {"type": "kind", "kind": "non_strict_saddle"}])


def tc6():
    """TC6 (docs/maths/classification.md §8): H = 4, order-4 escape L(t) - L = -t^4 + t^8/2."""
    X, Y = I2, diag(3, 1)
    W = [diag(3, 0), diag(1, 0), diag(1, 0), diag(1, 0)]
    return certificate(X, Y, W, [{"type": "critical"}, psd_evidence(X, Y, W),
                                 {"type": "escape_curve", "coefficients": [[js(E22)] * 4]},
                                 {"type": "kind", "kind": "non_strict_saddle"}])


YUN_X = Fm([[0, -1, 1, 1], [0, -1, 1, 0], [1, 2, -1, 1]])
YUN_Y = Fm([[1, -1, 1, -1], [-1, 0, 1, 1], [0, 2, 0, 1]])


def yun_t7():
    """docs/maths/global_optimality.md §4 T7 on D3: not critical (loss 13/2); the nonzero gradient entry is found here."""
    W = [Fm([[1, 0, 0], [0, 1, 0]]), eye(2), Fm([[1, 0], [0, 1], [0, 0]])]
    g = gradient(YUN_X, YUN_Y, W)
    h, a, b = next((h, a, b) for h, M in enumerate(g) for a, r in enumerate(M) for b, v in enumerate(r) if v)
    return certificate(YUN_X, YUN_Y, W, [{"type": "not_critical", "layer": h + 1, "entry": [a, b]},
                                         {"type": "kind", "kind": "not_critical"}])


def yun_t3():
    """docs/maths/global_optimality.md §4 T3: global minimizer with non-axis eigenvectors u1 = (1,0,-1), u2 = (1,-2,1) (lambda 6, 2)
    above c = 3/2 > 1 (u3 = (1,1,1))."""
    W = [Fm([[-1, 2, 0], [F(-2, 3), 1, F(1, 3)]]), eye(2), Fm([[1, 1], [0, -2], [-1, 1]])]
    P = chain(W, 3)
    Q = tr(Fm([[1, 0, -1], [1, -2, 1]]))
    R, piv = rref([p + q for p, q in zip(P, Q)])       # solve P Z = Q (consistent)
    Z = zeros(3, 2)
    for row, c in zip(R, piv):
        if c < 3:
            Z[c] = row[3:]
    assert mm(P, Z) == Q
    top = {"type": "top_eigenspace", "Q": js(Q), "Z": js(Z), "N": [["1"], ["1"], ["1"]], "c": "3/2"}
    return certificate(YUN_X, YUN_Y, W, [{"type": "critical"}, top, {"type": "kind", "kind": "global_minimizer"}])


def inverse_2x2(A):
    (a, b), (c, d) = A
    det = F(a) * d - F(b) * c
    return [[F(d) / det, -F(b) / det], [-F(c) / det, F(a) / det]]


def transported(X, Y, W_aligned, A, inner, kind, lam="0"):
    """A certificate about W = phi^-1(W') (W_1 = B_1 W'_1, W_h = B_h W'_h A_(h-1), W_H = W'_H A_(H-1), B_h = A_h^-1;
    A_h of size 1 or 2) whose kind comes from a transport claim with the evidence ``inner`` at W' (FORMAT.md)."""
    B = [inverse_2x2(a) if len(a) == 2 else [[F(1) / F(a[0][0])]] for a in A]
    H = len(W_aligned)
    W = []
    for h, w in enumerate(W_aligned):
        if h < H - 1:
            w = mm(B[h], w)
        if h > 0:
            w = mm(w, A[h - 1])
        W.append(w)
    claim = {"type": "transport", "weights": [js(w) for w in W_aligned], "A": [js(a) for a in A],
             "A_inverse": [js(b) for b in B], "claims": inner + [{"type": "kind", "kind": kind}]}
    return certificate(X, Y, W, [{"type": "critical"}, claim, {"type": "kind", "kind": kind}], lam=lam)


def tc1b_transported(A=((2,),)):
    """TC1b moved by A_1: the strict saddle keeps its kind, the direction T given at W' (L(W' + tT) = 2 - t^2 + t^4/2)."""
    X, Y = I2, diag(2, 1)
    W = [Fm([[0, 1]]), Fm([[0], [1]])]
    return transported(X, Y, W, [[[F(x) for x in row] for row in A]],
                       [{"type": "critical"}, {"type": "strict_saddle", "direction": [[["1", "0"]], [["1"], ["0"]]]}],
                       "strict_saddle")


def tc2a_transported(A=(((1, 1), (0, 1)), ((2, 0), (1, 1)))):
    """TC2a moved by A_1, A_2: the non-strict saddle keeps its kind, its evidence given at W' (the TC2a point)."""
    X, Y = I2, diag(3, 1)
    W = [diag(3, 0), diag(1, 0), diag(1, 0)]
    inner = [{"type": "critical"}, psd_evidence_with_orbits(X, Y, W),
             {"type": "escape_curve", "coefficients": [[js(E22)] * 3]}]
    return transported(X, Y, W, [[[F(x) for x in row] for row in a] for a in A], inner, "non_strict_saddle")


def t4_local_minimizer():
    """T4 of docs/maths/regularized.md §7: X = I_2, Y = diag(5, 2), lambda = 1, W_1 = W_2 = diag(2, 1), the regularized
    global minimizer (w_i^2 = s_i - lambda). The Hessian (by polarization, this toolkit's) has the orthogonal tangent
    S = E_01 - E_10 (D_1 = S W_1, D_2 = -W_2 S) in its kernel and is positive definite on the other 7 coordinates:
    a local minimizer (FORMAT.md local_minimizer)."""
    X, Y = I2, diag(5, 2)
    W = [diag(2, 1), diag(2, 1)]
    H = hessian_by_polarization(X, Y, W, lam=F(1))
    free = [0, 2, 3, 4, 5, 6, 7]                       # kernel pivot 1: the tangent is 1 there
    L, D = ldl_no_pivot([[H[i][j] for j in free] for i in free])
    psd = {"type": "psd_hessian", "orthogonal_orbit_kernel": [[1, 0, 1]], "kernel": [], "kernel_pivots": [1],
           "ldl": {"free": free, "perm": list(range(7)), "L": js(L), "D": [fr(d) for d in D]}}
    return certificate(X, Y, W, [{"type": "critical"}, psd, {"type": "kind", "kind": "local_minimizer"}], lam="1")


HONEST = {"tc1a": tc1a, "tc1b": tc1b, "tc2a": tc2a, "tc6": tc6, "yun_t7": yun_t7, "yun_t3": yun_t3,
          "tc1b_transported": tc1b_transported, "tc2a_transported": tc2a_transported,
          "t4_local_minimizer": t4_local_minimizer}


def mutated(cert, path, value):
    """A deep copy of cert with the entry at path (a list of keys/indices) replaced."""
    out = copy.deepcopy(cert)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out
