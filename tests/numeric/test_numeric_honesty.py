"""The numeric paths never claim what finite precision cannot prove.

Facts used (none computed by the code under test):

- a point of the gallery or of a construct family moved by 10^-k in one weight entry is not
  critical when the exact gradient says so (checked with exactdln.landscape.derivatives.is_critical);
  a numeric path may then say ``not_critical`` (proven) or ``inconclusive``, never a critical kind;
  the mpmath path, which decides the gradient at the input's height, must prove it not critical;
- a hidden change of basis W_h -> G_h W_h G_(h-1)^-1 (G_0 = G_H = I, lambda = 0) leaves W_(H:1)
  and L unchanged, so it keeps criticality, the kind, and (Sylvester: L o phi = L with phi linear,
  so the Hessian is congruent) the Hessian inertia (Achour, Malgouyres, Gerchinovitz (2024);
  docs/maths/classification.md). G_h = Q diag(10^-e) Q' with rational orthogonal Q, Q' has
  condition number 10^max(e) exactly.
"""

import random
from fractions import Fraction

import pytest

from exactdln.instances.construct import random_instance, random_rational_orthogonal
from exactdln.instances.gallery import demo_gallery
from exactdln.numeric.mp import classify_mp
from exactdln.landscape.derivatives import is_critical
from exactdln.numeric.float64 import classify_float
from exactdln.model.problem import RationalMatrix

CRITICAL_KINDS = ("global_minimizer", "local_minimizer", "strict_saddle", "non_strict_saddle")


def _moved(weights, layer, i, j, delta):
    out = list(weights)
    rows = [list(r) for r in weights[layer].rows]
    rows[i][j] += delta
    out[layer] = RationalMatrix(tuple(map(tuple, rows)), weights[layer].ncols)
    return tuple(out)


def _move_off_criticality(problem, weights, delta, rng):
    """The point with one entry moved by delta that is (exactly) not critical, or None if no single entry does."""
    entries = [(h, i, j) for h, w in enumerate(weights) for i in range(w.nrows) for j in range(w.ncols)]
    rng.shuffle(entries)
    for h, i, j in entries:
        cand = _moved(weights, h, i, j, delta)
        if not is_critical(problem, cand):
            return cand
    return None


def _points():
    """Gallery points and a few random critical points of the construct families."""
    pts = [(c.name, c.instance.problem, c.instance.weights) for c in demo_gallery()]
    rng = random.Random(11)
    for t in range(6):
        inst = random_instance(rng, max_depth=4, max_width=3)
        pts.append((f"random-{t}:{inst.family}", inst.problem, inst.weights))
    return pts


POINTS = _points()


def _check_moved(name, problem, weights, k, rng):
    delta = Fraction(rng.choice((-1, 1)), 10**k)
    moved = _move_off_criticality(problem, weights, delta, rng)
    if moved is None:                # e.g. W = 0 with H >= 3: every block has a zero factor left
        return False
    f = classify_float(problem, moved)
    m = classify_mp(problem, moved)
    for r in (f, m):
        # the exact path says "not critical": the only definite kind allowed is not_critical
        assert r.kind in ("not_critical", "inconclusive"), (name, k, str(r))
        assert r.kind not in CRITICAL_KINDS
        if r.kind == "not_critical":
            assert r.critical == "no" and r.gradient_norm > r.gradient_bound, (name, k, str(r))
    assert m.critical == "no" and m.kind == "not_critical", (name, k, str(m))
    return True


@pytest.mark.parametrize("k", [8, 12, 16, 20, 25, 30, 40, 50, 60])
def test_moved_points_never_get_a_critical_kind_and_mpmath_proves_them_not_critical(k):
    rng = random.Random(k)
    done = 0
    for offset in range(len(POINTS)):
        name, problem, weights = POINTS[(3 * k + offset) % len(POINTS)]
        done += _check_moved(name, problem, weights, k, rng)
        if done == 3:
            break
    assert done == 3


@pytest.mark.slow
def test_moved_points_every_gallery_point_every_k():
    rng = random.Random(0)
    skipped = set()
    for name, problem, weights in POINTS:
        for k in range(8, 61):
            if not _check_moved(name, problem, weights, k, rng):
                skipped.add(name)
                break
    assert len(skipped) < len(POINTS) // 3, skipped


def test_float_sees_a_1e8_move_and_only_mpmath_sees_a_1e30_move():
    # TC2b (docs/maths/classification.md §8, a strict saddle) with W_1[0,0] moved: at 10^-8 the
    # gradient (~1e-8) is far above float64's band; at 10^-30 it is far below it (float64 can only
    # say "within tolerance") but above mpmath's bound once the precision passes 30 digits.
    name, problem, weights = next(p for p in POINTS if p[0] == "TC2b")
    near = _moved(weights, 0, 0, 0, Fraction(1, 10**8))
    far = _moved(weights, 0, 0, 0, Fraction(1, 10**30))
    assert not is_critical(problem, near) and not is_critical(problem, far)
    assert classify_float(problem, near).critical == "no"
    f = classify_float(problem, far)
    assert (f.critical, f.kind, f.conditional_kind) == ("within_tolerance", "inconclusive", "strict_saddle")
    assert f.rounded_input and any("input rounded" in x for x in f.reasons)
    assert not classify_float(problem, weights).rounded_input
    m = classify_mp(problem, far)
    assert (m.critical, m.kind) == ("no", "not_critical")


# --------------------------------------------------------------------------------------
# dense, ill-conditioned hidden changes of basis
# --------------------------------------------------------------------------------------


def _diag(values):
    n = len(values)
    return RationalMatrix(tuple(tuple(values[i] if i == j else Fraction(0) for j in range(n)) for i in range(n)), n)


def _matmul(A, B):
    return RationalMatrix(tuple(tuple(sum((a * B.rows[t][j] for t, a in enumerate(row)), Fraction(0))
                                      for j in range(B.ncols)) for row in A.rows), B.ncols)


def _transpose(A):
    return RationalMatrix(tuple(zip(*A.rows)), A.nrows)


def _ill_conditioned(n, digits, rng):
    """(G, G^-1) with G = Q1 diag(1, ..., 10^-digits) Q2 dense, cond(G) = 10^digits exactly (Q1, Q2 orthogonal)."""
    Q1, Q2 = random_rational_orthogonal(n, rng), random_rational_orthogonal(n, rng)
    exps = [round(digits * t / max(n - 1, 1)) for t in range(n)] if n > 1 else [0]
    D = _diag([Fraction(1, 10**e) for e in exps])
    Dinv = _diag([Fraction(10**e) for e in exps])
    return _matmul(_matmul(Q1, D), Q2), _matmul(_matmul(_transpose(Q2), Dinv), _transpose(Q1))


def _change_basis(weights, digits, rng):
    H = len(weights)
    widths = (weights[0].ncols,) + tuple(w.nrows for w in weights)
    G = [None] + [_ill_conditioned(widths[h], digits, rng) for h in range(1, H)] + [None]
    out = []
    for h in range(1, H + 1):
        w = weights[h - 1]
        if G[h] is not None:
            w = _matmul(G[h][0], w)
        if G[h - 1] is not None:
            w = _matmul(w, G[h - 1][1])
        out.append(w)
    return tuple(out)


def _critical_points(count, seed):
    rng = random.Random(seed)
    pts = [(c.name, c.instance.problem, c.instance.weights, c.instance.expected_kind) for c in demo_gallery()
           if not c.instance.problem.regularized and len(c.instance.weights) >= 2
           and c.instance.expected_kind in CRITICAL_KINDS]
    rng.shuffle(pts)
    return pts[:count]


def _check_change_of_basis(name, problem, weights, kind, digits, rng):
    from exactdln.theory.classify import hessian_inertia
    moved = _change_basis(weights, digits, rng)
    assert is_critical(problem, moved), name           # the theorem, checked exactly
    exact_inertia = hessian_inertia(problem, weights)  # Sylvester: same as at the moved point
    for r in (classify_float(problem, moved), classify_mp(problem, moved)):
        assert r.kind == "inconclusive" and r.critical != "no", (name, digits, str(r))
        assert r.conditional_kind in (kind, None), (name, digits, str(r))
        if r.inertia is not None:
            assert r.inertia == exact_inertia, (name, digits, str(r))
    return r


@pytest.mark.parametrize("digits", [2, 6, 10])
def test_ill_conditioned_changes_of_basis_keep_kind_and_inertia(digits):
    rng = random.Random(100 + digits)
    decided = 0
    for name, problem, weights, kind in _critical_points(4, digits):
        m = _check_change_of_basis(name, problem, weights, kind, digits, rng)
        decided += m.conditional_kind == kind
    assert decided >= 1          # mpmath decides at least some of them


@pytest.mark.slow
def test_ill_conditioned_changes_of_basis_every_gallery_point():
    rng = random.Random(7)
    for digits in (4, 8, 10):
        for name, problem, weights, kind in _critical_points(100, digits):
            _check_change_of_basis(name, problem, weights, kind, digits, rng)


@pytest.mark.parametrize("depth", [3, 256])
def test_data_with_sigma_yx_zero_below_rounding_is_not_called_a_saddle(depth):
    # X = [3, -2, -3], Y = [1, 1/2, 2/3]: Y X^T = 3 - 1 - 2 = 0 exactly, so ||W X - Y||^2 = ||W X||^2 + ||Y||^2 and
    # W = 0 is a global minimizer (found by bench/fuzz.py at depth 256: float64 said "non_strict_saddle if
    # critical", from a Sigma_YX of rounding size). 2/3 is not a binary64 value: the rounded data have
    # Y X^T ~ 1e-16, which no finite precision can tell from 0.
    from exactdln.model.problem import Problem
    from exactdln.model.results import GLOBAL_MINIMIZER, NOT_CRITICAL

    problem = Problem.create([[3, -2, -3]], [[1, Fraction(1, 2), Fraction(2, 3)]])
    weights = [RationalMatrix(((Fraction(0),),), 1)] * depth
    for result in (classify_float(problem, weights), classify_mp(problem, weights)):
        assert result.kind != NOT_CRITICAL
        assert result.conditional_kind in (None, GLOBAL_MINIMIZER), result.reasons
