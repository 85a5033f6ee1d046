"""Classification over a number field (exactdln/theory/number_field.py) at the hand-worked golden-ratio
instance: X = I, Y = [[1, 1], [0, 1]], so Sigma = Y Y^T = [[2, 1], [1, 1]] with charpoly x^2 - 3x + 1,
eigenvalues phi^2 = phi + 1 and 2 - phi (phi = (1 + sqrt 5)/2), eigenvectors u = (1, phi - 1) and
v = (1, -phi). A critical point that fits the eigenvalue lambda has loss (||Y||^2 - lambda)/2 (Baldi and
Hornik 1989; docs/maths/classification.md §2.4): 1 - phi/2 for the top one, (1 + phi)/2 for the other.
At depth 2 every saddle is strict (Kawaguchi 2016, Thm 2.3). The Galois conjugate (the same entries
at the root 1 - phi) swaps u and v, hence the fitted eigenvalue."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from exactdln.arith.number_field import NumberField
from exactdln.model.field_format import algebraic_point_from_mapping
from exactdln.model.results import GLOBAL_MINIMIZER, NOT_CRITICAL, STRICT_SADDLE, UNDECIDED
from exactdln.theory.classify import classify

K = NumberField.from_polynomial([-1, -1, 1], [1, 2])
PHI = K.theta
Y = [[1, 1], [0, 1]]


def fitted_point(u, hidden: int, interval=(1, 2)) -> dict:
    """W_2 W_1 = P_u Y: W_2 has u as its first column, W_1 = (u^T Y / u^T u) in its first row."""
    uu = u[0] * u[0] + u[1] * u[1]
    row = [(u[0] * Y[0][j] + u[1] * Y[1][j]) / uu for j in range(2)]
    W1 = [[x.to_json() for x in row]] + [["0", "0"]] * (hidden - 1)
    W2 = [[u[i].to_json()] + ["0"] * (hidden - 1) for i in range(2)]
    return {"field": {"minpoly": [-1, -1, 1], "interval": list(interval)}, "X": [[1, 0], [0, 1]], "Y": Y,
            "weights": [W1, W2]}


TOP = (K.element(1), PHI - 1)
LOW = (K.element(1), -PHI)


def run(data):
    problem, weights = algebraic_point_from_mapping(data)
    return classify(problem, weights)


def test_lower_eigenvalue_fitted_is_a_strict_saddle():
    result = run(fitted_point(LOW, 1))
    assert result.critical and result.kind == STRICT_SADDLE
    assert result.loss == ["1/2", "1/2"]                       # (1 + phi)/2
    assert result.inertia.n_minus >= 1


def test_top_eigenvalue_fitted_in_a_bottleneck_has_no_negative_curvature():
    """The global minimizer of the width-1 network (Baldi-Hornik): PSD Hessian, flat along the GL(1) orbit."""
    result = run(fitted_point(TOP, 1))
    assert result.critical and result.loss == ["1", "-1/2"]    # 1 - phi/2
    assert result.inertia.n_minus == 0 and result.inertia.n_zero >= 1   # the GL(1) orbit is flat
    assert result.kind == GLOBAL_MINIMIZER


def test_galois_conjugate_swaps_the_fitted_eigenvalue():
    conj = run(fitted_point(TOP, 1, interval=(-1, 0)))          # the same entries at 1 - phi
    assert conj.kind == STRICT_SADDLE and conj.inertia.n_minus >= 1
    assert conj.loss == ["1", "-1/2"]                           # the same element, now (3 - (2 - phi'))/2 ...
    low = run(fitted_point(LOW, 1))
    assert conj.inertia == low.inertia


def test_no_bottleneck_one_direction_fitted_is_a_strict_saddle():
    result = run(fitted_point(TOP, 2))
    assert result.kind == STRICT_SADDLE and result.rank == 1 and result.r_max == 2
    assert any(m.method == "global_test" and m.kind != GLOBAL_MINIMIZER for m in result.methods)


def test_least_squares_factorisation_is_global():
    """W_2 W_1 = Y with W_1 = diag(phi, 1) Y, W_2 = diag(1/phi, 1): G = 0, the least-squares fit, loss 0."""
    W1 = [[PHI.to_json(), PHI.to_json()], ["0", "1"]]
    W2 = [[(1 / PHI).to_json(), "0"], ["0", "1"]]
    data = {"field": {"minpoly": [-1, -1, 1], "interval": [1, 2]}, "X": [[1, 0], [0, 1]], "Y": Y,
            "weights": [W1, W2]}
    result = run(data)
    assert result.kind == GLOBAL_MINIMIZER and result.loss == 0 and result.inertia.n_minus == 0


def test_perturbed_point_is_not_critical():
    data = fitted_point(LOW, 1)
    data["weights"][1][0] = [["1", "1/1000"]]
    assert run(data).kind == NOT_CRITICAL


def test_command_line(tmp_path):
    path = tmp_path / "low.json"
    path.write_text(json.dumps(fitted_point(LOW, 1)))
    out = subprocess.run([sys.executable, "-m", "exactdln", "classify", "--json", str(path)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)
    assert record["kind"] == STRICT_SADDLE and record["field"]["minpoly"] == ["-1", "-1", "1"]
    bad = fitted_point(LOW, 1, interval=(-2, 2))
    path.write_text(json.dumps(bad))
    out = subprocess.run([sys.executable, "-m", "exactdln", "classify", str(path)], capture_output=True, text=True)
    assert out.returncode == 2 and "field.interval" in out.stderr


@pytest.mark.parametrize("seed", [1, 2])
def test_rational_point_written_over_K_has_the_rational_inertia(seed):
    """A rational point declared over Q(phi) (every entry theta-free) has the inertia the rational engine
    computes by its own, independent methods (exactdln/arith/inertia.py), at a non-critical point."""
    import random
    from fractions import Fraction

    from exactdln.model.problem import Problem
    from exactdln.theory.classify import hessian_inertia

    rng = random.Random(seed)
    widths = [2, 3, 2]

    def entry():
        return str(Fraction(rng.randint(-9, 9), rng.randint(1, 5)))

    X = [[entry() for _ in range(4)] for _ in range(widths[0])]
    Yr = [[entry() for _ in range(4)] for _ in range(widths[-1])]
    W = [[[entry() for _ in range(widths[h])] for _ in range(widths[h + 1])] for h in range(2)]
    data = {"field": {"minpoly": [-1, -1, 1], "interval": [1, 2]}, "X": X, "Y": Yr, "weights": W}
    assert run(data).inertia == hessian_inertia(Problem.create(X, Yr), W)


# --- the three routes over K ---------------------------------------------------------------------------------

def test_top_eigenvalue_of_a_width_one_network_is_the_global_minimizer_by_every_route():
    """Baldi-Hornik (1989): with X X^T = I a width-1 network's global minimum fits the top eigenvalue phi^2 of
    Sigma, loss (||Y||^2 - phi^2)/2 = (3 - phi - 1)/2 = 1 - phi/2. Each route alone says so."""
    for method in ("theorem", "hessian", "auto"):
        problem, weights = algebraic_point_from_mapping(fitted_point(TOP, 1))
        result = classify(problem, weights, method=method)
        assert result.kind == GLOBAL_MINIMIZER and result.agree, (method, result)
        assert result.fitted == (1,) and result.loss == ["1", "-1/2"]
        assert {m.method for m in result.methods} >= ({"theorem"} if method != "hessian" else {"hessian"})


@pytest.mark.parametrize("u, hidden, interval, expected", [
    (LOW, 1, (1, 2), (2,)), (TOP, 2, (1, 2), (1,)), (TOP, 1, (-1, 0), (2,))])
def test_strict_saddles_by_every_route(u, hidden, interval, expected):
    """S != [r_max] at depth 2 is a strict saddle (Kawaguchi 2016, Thm 2.3). At the conjugate embedding
    1 - phi the vector (1, phi - 1) is the eigenvector of the lower eigenvalue, so S = {2}."""
    kinds = set()
    for method in ("theorem", "hessian", "auto"):
        problem, weights = algebraic_point_from_mapping(fitted_point(u, hidden, interval))
        result = classify(problem, weights, method=method)
        assert result.agree and result.fitted == expected
        kinds.add(result.kind)
    assert kinds == {STRICT_SADDLE}


def test_depth_three_top_direction_is_a_non_strict_saddle():
    """Depth 3, widths [2, 2, 2, 2], S = [1] with r = 1 < r_max = 2 through three rank-1 layers: family N1
    (docs/maths/classification.md §3.6), a non-strict saddle; loss 1 - phi/2 as at depth 2."""
    from exactdln.model.results import NON_STRICT_SADDLE

    u = TOP
    uu = u[0] * u[0] + u[1] * u[1]
    row = [(u[0] * Y[0][j] + u[1] * Y[1][j]) / uu for j in range(2)]
    data = {"field": {"minpoly": [-1, -1, 1], "interval": [1, 2]}, "X": [[1, 0], [0, 1]], "Y": Y,
            "weights": [[[x.to_json() for x in row], ["0", "0"]], [["1", "0"], ["0", "0"]],
                        [[u[0].to_json(), "0"], [u[1].to_json(), "0"]]]}
    for method in ("theorem", "hessian", "auto"):
        problem, weights = algebraic_point_from_mapping(data)
        result = classify(problem, weights, method=method)
        assert result.kind == NON_STRICT_SADDLE and result.agree, (method, result)
        assert result.loss == ["1", "-1/2"]


def _over_K(rows):
    from exactdln.arith.number_field import FieldMatrix

    return FieldMatrix.from_rows(K, [[K.element(x) for x in row] for row in rows])


def _algebraic_copy(data, weights):
    """The same point seen in other coordinates over Q(phi): Y -> phi Y and W_H -> phi W_H (L scales by phi^2),
    W_1 -> A W_1, W_2 -> W_2 A^-1 with A = I + phi E_12 (the GL(d_1) symmetry), and the samples rotated by the
    Householder reflection Q = I - 2 v v^T / v^T v, v = (1, phi, 0, ...) (X X^T and Y X^T unchanged). Each is
    a linear change of parameters that multiplies L by a positive constant, so criticality, S, the kind and the
    inertia are the same (Sylvester)."""
    from exactdln.arith.number_field import FieldMatrix, field_inverse

    X, Yr = _over_K(data.X.rows), _over_K(data.Y.rows) * PHI
    m = X.ncols()
    v = _over_K([[1], [PHI]] + [[0]] * (m - 2))
    Q = FieldMatrix.identity(K, m) - v * v.transpose() * (2 / (v.transpose() * v)[0, 0])
    Ws = [_over_K(w.rows) for w in weights]
    d1 = Ws[0].nrows()
    A = FieldMatrix.identity(K, d1) + _over_K([[PHI if (i, j) == (0, 1) else 0 for j in range(d1)]
                                               for i in range(d1)])
    Ws[0] = A * Ws[0]
    Ws[1] = Ws[1] * field_inverse(A)
    Ws[-1] = Ws[-1] * PHI
    return {"field": {"minpoly": [-1, -1, 1], "interval": [1, 2]}, "X": (X * Q).to_json(),
            "Y": (Yr * Q).to_json(), "weights": [w.to_json() for w in Ws]}


@pytest.mark.parametrize("seed, widths, S", [
    (0, [3, 2, 3], ()), (1, [3, 2, 2, 2], (2,)), (2, [3, 2, 2, 2], (1,)), (3, [3, 2, 2, 2], ()),
    (4, [3, 2, 2, 2], (1, 2)), (5, [3, 3, 3, 3], (1, 2)), (6, [4, 3, 2, 3, 3], (1,)), (7, [3, 3, 2, 3], (1, 3)),
    (8, [3, 3, 2, 3], (1, 2))])
def test_constructed_critical_points_in_algebraic_coordinates(seed, widths, S):
    """Critical points built with a known index set S (exactdln/instances/construct.py) and moved to genuinely
    algebraic coordinates: every route finds S and the kind that docs/maths/classification.md §3.3 and §3.6
    assign to it."""
    import random

    from exactdln.instances.construct import expected_kind_for_index_set, segmented_critical_point, spectral_data

    rng = random.Random(seed)
    d_y = widths[-1]
    data = spectral_data([d_y + 2 - i for i in range(d_y)], widths[0], rng, white=seed % 2 == 0, m=widths[0] + 1)
    weights = segmented_critical_point(data, widths, S, rng)
    point = _algebraic_copy(data.problem, weights)
    expected = expected_kind_for_index_set(S, widths)
    for method in ("theorem", "hessian", "auto"):
        problem, ws = algebraic_point_from_mapping(point)
        result = classify(problem, ws, method=method)
        assert result.critical and result.agree and result.fitted == S, (method, result)
        assert result.kind == expected, (method, S, widths, result)


@pytest.mark.parametrize("seed, widths, S", [(11, [3, 2, 4, 3], (1,)), (12, [4, 3, 2, 3, 2], (2,)),
                                             (13, [3, 4, 2, 3], (1, 2)), (14, [2, 3, 2], (1,))])
def test_reduced_hessian_over_K_has_the_inertia_of_the_full_hessian(seed, widths, S):
    """Splitting off the orbit directions (Sylvester; docs/maths/hessian_inertia.md §2) leaves the inertia of
    the full Hessian, here factored independently by LDL^T over K, unchanged."""
    import random

    from exactdln.arith.number_field import field_symmetric_inertia
    from exactdln.instances.construct import segmented_critical_point, spectral_data
    from exactdln.landscape.number_field_point import FieldPoint, field_hessian, field_reduced_hessian_inertia

    rng = random.Random(seed)
    d_y = widths[-1]
    data = spectral_data([d_y + 2 - i for i in range(d_y)], widths[0], rng, white=False, m=widths[0] + 1)
    problem, ws = algebraic_point_from_mapping(_algebraic_copy(data.problem, segmented_critical_point(data, widths, S, rng)))
    point = FieldPoint(problem, tuple(ws))
    assert field_reduced_hessian_inertia(point) == field_symmetric_inertia(field_hessian(point))


def test_json_and_text_name_the_fitted_set():
    problem, weights = algebraic_point_from_mapping(fitted_point(LOW, 1))
    result = classify(problem, weights)
    assert result.to_json()["fitted"] == [2] and "S = {2}" in str(result)


def test_auto_threshold_counts_the_coefficients_of_the_hessian():
    """Over K of degree D each Hessian entry has D rational coefficients, so `auto` builds the Hessian only when
    n <= limit and n^2 D <= limit^2. Here n = 8, D = 2, n^2 D = 128: skipped under a limit of 10 (128 > 100), built
    under 12 (128 <= 144). The kind comes from the theorem route either way: one of two directions fitted, no
    bottleneck, a strict saddle (docs/maths/classification.md §3.3)."""
    from exactdln.theory.number_field import classify_over_field

    problem, weights = algebraic_point_from_mapping(fitted_point(TOP, 2))
    skipped = classify_over_field(problem, weights, hessian_limit=10)
    assert skipped.inertia is None and skipped.kind == STRICT_SADDLE
    assert any("n^2 D = 128 > 10^2" in note for note in skipped.notes)
    built = classify_over_field(problem, weights, hessian_limit=12)
    assert built.inertia is not None and built.inertia.n_minus >= 1 and built.kind == STRICT_SADDLE
