"""psd_hessian by congruence reads only the Hessian entries it needs (exactdln/trusted/checker.py HessianEntries,
FORMAT.md "Number fields"): B = H[free, free] and the columns of H on the explicit kernel vectors' supports; the
orbit tangents are in ker H by the symmetry argument (lambda = 0, gradient 0), never multiplied.

Hand-worked case over K = Q(sqrt 2) (theta = sqrt 2, the root of t^2 - 2 in (1, 2)): X = I_2, Y = diag(2, 1),
widths [2, 1, 2], W_1 = [1 + theta, 0], W_2 = [2 (theta - 1); 0], so W_2 W_1 = 2 E_11 (2 (theta - 1)(theta + 1) = 2)
and G = Y - W_2 W_1 = E_22. With w1 = W_1, w2 = W_2 the loss is 1/2 sum_ij (w2_i w1_j - Y_ij)^2, so
d^2L/dw1_j dw1_l = |w2|^2 delta_jl = (12 - 8 theta) delta_jl, d^2L/dw2_i dw2_k = |w1|^2 delta_ik = (3 + 2 theta) delta_ik,
d^2L/dw1_j dw2_i = 2 w2_i w1_j - Y_ij: 2 at (j, i) = (1, 1), -1 at (2, 2), 0 otherwise. In the parameter order
(w1_1, w1_2, w2_1, w2_2):

    H = [[12 - 8 theta, 0, 2, 0], [0, 12 - 8 theta, 0, -1], [2, 0, 3 + 2 theta, 0], [0, -1, 0, 3 + 2 theta]].

The gradient is 0 (w2_i w1_j - Y_ij is 0 except -1 at (2, 2), where w1_2 = w2_2 = 0). The orbit tangent of
(h, a, b) = (1, 0, 0) is v = (1 + theta, 0, -2 (theta - 1), 0), and H v = 0 (the (1, 3) block has determinant
(12 - 8 theta)(3 + 2 theta) - 4 = 36 - 32 - 4 = 0). On free = [1, 2, 3], B = [[12 - 8 theta, 0, -1],
[0, 3 + 2 theta, 0], [-1, 0, 3 + 2 theta]]: T = I leaves row 0 at 12 - 8 theta = 0.69 < 1 (not strictly dominant),
T = [[4, 0, 1], [0, 1, 0], [0, 0, 1]] gives M_00 = 187 - 126 theta = 8.8, M_02 = 2 theta - 1 = 1.8, M_11 = M_22 =
3 + 2 theta = 5.8, the rest 0: strictly dominant.

Mutants are refused: T = I; kernel_pivots [1], where v is 0 (so v is dependent there); a point that is not critical
(W_2 = [2 (theta - 1); 1]); lambda = 1/2.
"""

from __future__ import annotations

import copy
import json
import random
from fractions import Fraction

from exactdln.trusted import checker

T_GOOD = [["4", "0", "1"], ["0", "1", "0"], ["0", "0", "1"]]


def certificate() -> dict:
    return {"format": "exactdln-certificate", "version": 1,
            "field": {"minpoly": ["-2", "0", "1"], "interval": ["1", "2"]},
            "problem": {"X": [["1", "0"], ["0", "1"]], "Y": [["2", "0"], ["0", "1"]], "lambda": "0"},
            "point": {"weights": [[[["1", "1"], "0"]], [[["-2", "2"]], ["0"]]]},
            "claims": [{"type": "critical"},
                       {"type": "psd_hessian", "orbit_kernel": [[1, 0, 0]], "kernel": [], "kernel_pivots": [0],
                        "congruence": {"free": [1, 2, 3], "T": T_GOOD}}]}


def results(data: dict) -> dict:
    return {t: (ok, msg) for t, ok, msg in checker.check_certificate(json.loads(json.dumps(data)))}


def test_hand_worked_entries_over_the_field():
    pb = checker.read_problem(certificate())
    K = checker._FIELD[0]
    theta = lambda a, b: checker.Alg.of(K, [Fraction(a), Fraction(b)])      # a + b theta
    expected = [[theta(12, -8), 0, 2, 0], [0, theta(12, -8), 0, -1],
                [2, 0, theta(3, 2), 0], [0, -1, 0, theta(3, 2)]]
    entry = checker.HessianEntries(pb)
    for i in range(4):
        for j in range(4):
            assert entry(i, j) == expected[i][j], (i, j)


def test_hand_worked_entries_with_weight_decay_over_q():
    """Over Q with W_1 = [1 0], W_2 = [2; 0] (the same Y): |w2|^2 = 4, |w1|^2 = 1, cross 2 w2_i w1_j - Y_ij = 2 at
    (1, 1) and -1 at (2, 2); lambda = (1/2, 3) adds 1/2 to the w1 diagonal and 3 to the w2 diagonal."""
    data = certificate()
    del data["field"]
    data["problem"]["lambda"] = ["1/2", "3"]
    data["point"]["weights"] = [[["1", "0"]], [["2"], ["0"]]]
    entry = checker.HessianEntries(checker.read_problem(data))
    h = Fraction(1, 2)
    expected = [[4 + h, 0, 2, 0], [0, 4 + h, 0, -1], [2, 0, 1 + 3, 0], [0, -1, 0, 1 + 3]]
    assert [[entry(i, j) for j in range(4)] for i in range(4)] == expected


def test_entries_agree_with_the_whole_hessian():
    """On a random rational depth-3 point with weight decay, every entry read alone equals the whole Hessian's
    (hessian(), the L D L^T path's builder): the two are the same formula, one transposed."""
    rng = random.Random(5)
    dims = [3, 2, 4, 2]
    text = lambda M: [[str(x) for x in r] for r in M]
    W = [[[Fraction(rng.randint(-3, 3), rng.randint(1, 2)) for _ in range(dims[h])] for _ in range(dims[h + 1])]
         for h in range(3)]
    data = {"format": "exactdln-certificate", "version": 1,
            "problem": {"X": text([[rng.randint(-3, 3) for _ in range(5)] for _ in range(3)]),
                        "Y": text([[rng.randint(-3, 3) for _ in range(5)] for _ in range(2)]),
                        "lambda": ["1/2", "0", "3"]},
            "point": {"weights": [text(w) for w in W]}, "claims": []}
    pb = checker.read_problem(data)
    checker.reset_work()
    whole, entry = checker.hessian(pb), checker.HessianEntries(pb)
    assert all(entry(i, j) == whole[i][j] for i in range(len(whole)) for j in range(len(whole)))


def test_the_hand_worked_claim_is_accepted():
    out = results(certificate())
    assert out["critical"][0] and out["psd_hessian"][0], out


def test_t_that_is_not_dominant_is_refused():
    bad = certificate()
    bad["claims"][1]["congruence"]["T"] = [["1", "0", "0"], ["0", "1", "0"], ["0", "0", "1"]]
    ok, msg = results(bad)["psd_hessian"]
    assert not ok and "diagonally dominant" in msg


def test_free_that_leaves_the_kernel_vector_dependent_is_refused():
    bad = certificate()
    bad["claims"][1]["kernel_pivots"] = [1]
    bad["claims"][1]["congruence"]["free"] = [0, 2, 3]
    ok, msg = results(bad)["psd_hessian"]
    assert not ok and "not independent" in msg


def test_orbit_shortcut_needs_a_zero_gradient():
    bad = certificate()
    bad["point"]["weights"][1][1] = ["1"]                  # W_2 = [2 (theta - 1); 1]: dL/d(w1_2) = -1 != 0
    bad["claims"] = bad["claims"][1:]                      # no critical claim: the checker computes the gradient
    ok, msg = results(bad)["psd_hessian"]
    assert not ok and "critical point" in msg


def test_orbit_shortcut_needs_lambda_zero():
    bad = certificate()
    bad["problem"]["lambda"] = "1/2"
    out = results(bad)
    assert not out["critical"][0]
    ok, msg = out["psd_hessian"]
    assert not ok and "lambda = 0" in msg


def test_explicit_kernel_vector_is_multiplied():
    """The same claim with v / (1 + theta) = (1, 0, -6 + 4 theta, 0) written out (no orbit_kernel; its restriction
    to kernel_pivots must then be 1; -2 (theta - 1)^2 = -6 + 4 theta) is accepted, and with -6 + 5 theta in its place
    (H v != 0) refused: explicit vectors are checked through the columns of H on their support."""
    good = certificate()
    psd = good["claims"][1]
    del psd["orbit_kernel"]
    psd["kernel"] = [["1", "0", ["-6", "4"], "0"]]
    assert results(good)["psd_hessian"][0]
    bad = copy.deepcopy(good)
    bad["claims"][1]["kernel"][0][2] = ["-6", "5"]
    ok, msg = results(bad)["psd_hessian"]
    assert not ok and "H v != 0" in msg
